"""Counter-based randomness: stable keys, any rows in any order, and a statistical check of the mixer."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from synthframe.errors import RowCountError
from synthframe.randomness import as_rows, bits, integers, stream_key, uniform, uniforms

N = 1 << 20


def test_stream_keys_are_fixed_and_distinct():
    # blake2b digests do not depend on the process or platform: pinned values flag a format change.
    assert stream_key(7, "customers", "age", "values") == 7684455585847589522
    addresses = [(s, t, c, p) for s in (0, 1) for t in ("t", "u") for c in ("c", "d") for p in ("values", "nulls")]
    assert len({stream_key(*a) for a in addresses}) == len(addresses)
    # names are length-prefixed, so moving a character between parts gives another key
    assert stream_key(0, "ab", "c", "p") != stream_key(0, "a", "bc", "p")


def test_golden_uniforms():
    u = uniforms(stream_key(7, "customers", "age", "values"), np.arange(3))
    np.testing.assert_array_equal(u, [0.7483706840428818, 0.7764517475519261, 0.644391218545501])


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.integers(0, 2**40), max_size=50), seed=st.integers(0, 2**32))
def test_a_row_draws_the_same_value_whatever_is_asked_with_it(rows, seed):
    key = stream_key(seed, "t", "c", "values")
    arr = np.array(rows, dtype=np.int64)
    together = uniforms(key, arr)
    alone = np.array([uniforms(key, np.array([r]))[0] for r in rows])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(uniforms(key, arr[::-1]), together[::-1])


def test_uniforms_are_uniform_and_in_range():
    u = uniforms(stream_key(1, "t", "c", "values"), np.arange(N))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001
    counts = np.bincount((u * 1024).astype(np.int64), minlength=1024)
    assert stats.chisquare(counts).pvalue > 0.001
    # every output bit is fair
    ones = np.unpackbits(bits(stream_key(1, "t", "c", "bits"), np.arange(1 << 16)).view(np.uint8)).reshape(-1, 64)
    assert np.all(np.abs(ones.mean(axis=0) - 0.5) < 5 * 0.5 / np.sqrt(1 << 16))


def test_neighbouring_rows_are_independent():
    u = uniforms(stream_key(2, "t", "c", "values"), np.arange(N))
    limit = 5 / np.sqrt(N)  # five standard errors of a correlation of independent draws
    for lag in (1, 2, 3, 64, 1 << 16):
        assert abs(np.corrcoef(u[:-lag], u[lag:])[0, 1]) < limit, lag
    # pairs of neighbours fill the unit square evenly
    grid = (u[:-1:2] * 32).astype(np.int64) * 32 + (u[1::2] * 32).astype(np.int64)
    assert stats.chisquare(np.bincount(grid, minlength=1024)).pvalue > 0.001


def test_neighbouring_keys_and_seeds_are_independent():
    rows = np.arange(N)
    limit = 5 / np.sqrt(N)
    base = stream_key(3, "t", "c", "values")
    for other in (base + 1, base ^ 1, stream_key(4, "t", "c", "values"), stream_key(3, "t", "c", "values/1")):
        assert abs(np.corrcoef(uniforms(base, rows), uniforms(other, rows))[0, 1]) < limit
    # nor do the streams of a key and its neighbour overlap shifted by a few rows
    a, b = uniforms(base, np.arange(1000)), uniforms(base + 1, np.arange(1000))
    assert not np.isin(a, b).any()


def test_integers_cover_their_range_evenly():
    k = integers(stream_key(5, "t", "c", "pick"), np.arange(N), 7)
    assert k.min() == 0 and k.max() == 6
    assert stats.chisquare(np.bincount(k)).pvalue > 0.001


def test_uniform_by_address_matches_the_keyed_form():
    rows = np.array([5, 0, 99])
    np.testing.assert_array_equal(uniform(9, "t", "c", "p", rows), uniforms(stream_key(9, "t", "c", "p"), rows))


def test_rows_as_ranges_counts_slices_and_arrays():
    np.testing.assert_array_equal(as_rows(range(3, 6)), [3, 4, 5])
    np.testing.assert_array_equal(as_rows(3), [0, 1, 2])
    np.testing.assert_array_equal(as_rows(slice(2, 4)), [2, 3])
    np.testing.assert_array_equal(as_rows(np.array([[4, 1]], dtype=np.uint32)), [4, 1])
    assert as_rows(np.array([], dtype=float)).dtype == np.int64
    with pytest.raises(RowCountError, match=r"orders\.total.*integer"):
        as_rows(np.array([1.5]), table="orders", column="total")
    with pytest.raises(RowCountError, match=r"orders.*\[0, 2\*\*62\)"):
        as_rows(np.array([-1]), table="orders")
    with pytest.raises(RowCountError):
        as_rows(True)
