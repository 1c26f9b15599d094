"""Popularity of drawn foreign keys that follows a power law of rank (Zipf): learned, and carried over to more
parents than the samples had."""

from __future__ import annotations

import numpy as np
import pytest

from synthframe.errors import ModelError
from synthframe.fit import rank_exponent
from synthframe.layouts import ParentPicker, power_law_levels


def test_a_power_law_of_rank_is_found_and_its_exponent_learned():
    rng = np.random.default_rng(4)
    for a in (0.7, 0.9, 1.3):
        for products, top in ((30, 3000.0), (100, 15000.0), (300, 20000.0)):
            lam = top / np.arange(1, products + 1) ** a  # the most popular product bought `top` times
            found = rank_exponent(rng.poisson(lam))
            assert found is not None and abs(found - a) < 0.05, (a, products, found)


@pytest.mark.parametrize("draw", [
    lambda rng: rng.poisson(rng.gamma(2.0, 50.0, 200)),   # customers' orders: bends down at the tail
    lambda rng: rng.poisson(np.exp(rng.normal(3.0, 1.0, 200))),
    lambda rng: rng.poisson(5.0, 200),
    lambda rng: rng.poisson(3000.0 / np.arange(1, 8) ** 0.9),  # too few parents to tell
])
def test_other_popularities_are_not_taken_for_a_power_law(draw):
    assert rank_exponent(draw(np.random.default_rng(1))) is None


def test_power_law_levels_cover_every_parent_with_the_rank_law():
    values, probs = power_law_levels(0.9, 300)
    assert probs.sum() == pytest.approx(1.0) and np.allclose(probs * 300, np.rint(probs * 300))
    np.testing.assert_allclose(values[:3], [1.0, 2.0 ** -0.9, 3.0 ** -0.9])
    assert (np.diff(values) < 0).all()
    assert len(values) < 60  # 32 single ranks, then blocks growing by a quarter
    # the blocks' mean values keep the law's total: sum over ranks of r ** -0.9
    assert (values * probs * 300).sum() == pytest.approx((np.arange(1, 301) ** -0.9).sum(), rel=2e-3)
    values, probs = power_law_levels(1.0, 10**9, zero_share=0.25)
    assert values[-1] == 0.0 and probs[-1] == pytest.approx(0.25) and len(values) < 120
    assert power_law_levels(0.9, 1) == (pytest.approx([1.0]), pytest.approx([1.0]))


def test_more_parents_reach_further_into_the_tail():
    shape = {"counts": [10, 20, 40], "weights": [0.5, 0.3, 0.2], "exponent": 0.9}
    picker = ParentPicker(300, 7, shape=shape)
    per_parent = np.bincount(picker.pick(np.arange(300_000)), minlength=300)
    top = np.sort(per_parent)[::-1]
    expected = 300_000 * np.arange(1, 301) ** -0.9 / (np.arange(1, 301) ** -0.9).sum()
    assert abs(top[0] / expected[0] - 1) < 0.05 and abs(top[9] / expected[9] - 1) < 0.1
    assert abs(np.median(per_parent) / np.median(expected) - 1) < 0.1
    with pytest.raises(ModelError, match=r"exponent of t\.c"):
        ParentPicker(10, 1, shape={**shape, "exponent": -1}, table="t", column="c")
