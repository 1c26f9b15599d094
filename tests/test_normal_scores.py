"""Normal scores read off tables: the copula's and Gaussian edges' draws, and the values they map to."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy import special, stats

from synthframe import distributions as dist
from synthframe.generate import keep_freed_memory
from synthframe.randomness import bits, uniforms

EXTREMES = np.array([0.0, 1e-15, 1e-12, 1e-9, 0.019, 0.02, 0.0200001, 0.5, 0.98, 0.9800001, 1 - 1e-9, 1 - 1e-15, 1.0])


def test_normal_scores_match_ndtri_in_the_centre_and_the_tails() -> None:
    u = np.concatenate([EXTREMES, np.random.default_rng(1).random(200_000)])
    exact = special.ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    assert np.max(np.abs(dist.normal_scores(u) - exact)) < 5e-7


def test_normal_draws_are_the_scores_of_the_draws_their_bits_spell() -> None:
    rows = np.arange(300_000, dtype=np.int64)
    z = dist.normal_draws(12345, rows)
    b = bits(12345, rows)
    u = (b >> np.uint64(11)).astype(np.float64) * 2.0**-53  # the same bits, as the uniform they start with
    assert np.max(np.abs(z - special.ndtri(np.clip(u, 1e-12, 1 - 1e-12)))) < 5e-7
    assert np.array_equal(z, dist.normal_draws(12345, rows))


def test_normal_draws_are_row_addressed() -> None:
    rows = np.arange(100_000, dtype=np.int64)
    some = np.array([99_999, 3, 50_000, 0, 7], dtype=np.int64)
    assert np.array_equal(dist.normal_draws(9, some), dist.normal_draws(9, rows)[some])


def test_normal_draws_are_standard_normal() -> None:
    z = dist.normal_draws(2026, np.arange(1_000_000, dtype=np.int64))
    n = len(z)
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.std() - 1.0) < 5 / np.sqrt(2 * n)
    assert stats.kstest(z, "norm").statistic < 1.95 / np.sqrt(n)  # the 0.1% critical value
    # Tails are computed exactly, so they are as heavy as a normal's: P(|z| > 3) = 0.0027.
    assert abs(np.mean(np.abs(z) > 3) - 0.0026998) < 5 * np.sqrt(0.0027 / n)


@pytest.mark.parametrize("spec", [
    {"name": "norm", "params": {"loc": 50.0, "scale": 10.0}},
    {"name": "lognorm", "params": {"s": 0.5, "scale": 20.0}},
    {"name": "gamma", "params": {"a": 2.0, "scale": 15.0}},
    {"name": "beta", "params": {"a": 2.0, "b": 5.0}},
    {"name": "uniform", "params": {"loc": -3.0, "scale": 10.0}},
])
@pytest.mark.parametrize("truncation", [(0.0, 1.0), (0.1, 0.95)])
def test_values_from_scores_are_as_exact_as_values_from_uniforms(spec: dict, truncation: tuple[float, float]) -> None:
    z = np.concatenate([[-6.0, 0.0, 6.0], np.random.default_rng(3).normal(size=200_000)])
    c_lo, c_hi = truncation
    u = np.clip(c_lo + special.ndtr(z) * (c_hi - c_lo), 1e-12, 1 - 1e-12)
    exact = dist.frozen(spec).ppf(u)
    via_scores = dist.draw_scores(spec, z, c_lo, c_hi)
    size = np.maximum(np.abs(exact), float(np.std(exact)))
    # As close to the exact quantile as the inverse-CDF tables of uniforms are (their error is the bound).
    bound = max(1e-7, float(np.max(np.abs(dist.draw(spec, u) - exact) / size)))
    assert np.max(np.abs(via_scores - exact) / size) < 2 * bound
    # Beyond six standard deviations both read the ends of their tables.
    far = np.array([-9.0, -7.1, 7.1, 9.0])
    u_far = np.clip(c_lo + special.ndtr(far) * (c_hi - c_lo), 1e-12, 1 - 1e-12)
    assert np.allclose(dist.draw_scores(spec, far, c_lo, c_hi), dist.draw(spec, u_far), rtol=1e-6, atol=1e-9)


def test_empirical_values_from_scores_stay_within_a_sliver_of_the_quantile_line() -> None:
    quantiles = np.sort(np.concatenate([np.zeros(80), np.random.default_rng(4).gamma(2.0, 10.0, 177)]))
    spec = {"name": "empirical", "params": {"quantiles": quantiles.tolist()}}
    z = np.random.default_rng(5).normal(size=200_000)
    via_uniforms = dist.draw(spec, np.clip(special.ndtr(z), 1e-12, 1 - 1e-12))
    via_scores = dist.draw_scores(spec, z)
    assert np.max(np.abs(via_scores - via_uniforms)) < 1e-3 * (quantiles[-1] - quantiles[0])
    # The spike at zero stays a spike: as many exact zeros either way, to the draws on the cell that ends it.
    assert abs(np.mean(via_scores == 0.0) - np.mean(via_uniforms == 0.0)) < 1e-3


def test_norm_draws_from_uniforms_use_the_same_scores() -> None:
    u = uniforms(77, np.arange(50_000, dtype=np.int64))
    values = dist.draw({"name": "norm", "params": {"loc": 1.0, "scale": 2.0}}, u)
    assert np.max(np.abs(values - (1.0 + 2.0 * special.ndtri(u)))) < 1e-6


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_memory_is_kept_on_glibc() -> None:
    assert keep_freed_memory() is True
