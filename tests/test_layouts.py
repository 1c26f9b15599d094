"""Child layouts and parent pickers: foreign keys at any row with O(parent blocks) state."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthframe import layouts
from synthframe.errors import CapacityError, ModelError, RowCountError
from synthframe.keys import permute
from synthframe.layouts import ChildLayout, ParentPicker

LINES = {"counts": [1, 2, 3, 4, 5, 6, 7], "weights": [1 / 7] * 7}  # TPC-H: 1..7 line items per order, mean 4
ORDERS = {"counts": [0, 1, 2, 5], "weights": [1 / 3, 0.3, 0.2, 1 / 6]}  # a third of customers never order
ORDERS_MEAN = 0.3 + 0.4 + 5 / 6


@contextmanager
def blocks_of(size: int) -> Iterator[None]:
    """Level-1 blocks of ``size`` parents (many blocks at small sizes, cheaply)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(layouts, "PARENT_BLOCK", size)
        yield


def all_counts(layout: ChildLayout) -> np.ndarray:
    return layout.counts(np.arange(layout.n_parents))


def check_layout(layout: ChildLayout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The invariants every layout keeps; returns (counts, parents, positions) of the full run."""
    counts = all_counts(layout)
    assert counts.dtype == np.int64 and (counts >= 0).all()
    assert int(counts.sum()) == layout.n_rows
    parent, position = layout.parent_of(np.arange(layout.n_rows))
    # Every parent gets exactly counts[p] rows, at positions 0 .. c-1.
    np.testing.assert_array_equal(np.bincount(parent, minlength=layout.n_parents), counts)
    order = np.lexsort((position, parent))
    first = np.cumsum(counts) - counts
    np.testing.assert_array_equal(position[order], np.arange(layout.n_rows) - np.repeat(first, counts))
    if not layout.interleave:  # parent by parent: rows of parent p are exactly [first[p], first[p] + counts[p])
        np.testing.assert_array_equal(parent, np.repeat(np.arange(layout.n_parents), counts))
        np.testing.assert_array_equal(position, np.arange(layout.n_rows) - np.repeat(first, counts))
    return counts, parent, position


shapes = st.one_of(
    st.none(),
    st.lists(st.tuples(st.one_of(st.integers(0, 9), st.floats(0.0, 9.0).map(lambda x: round(x, 2))),
                       st.floats(0.01, 1.0)), min_size=1, max_size=5)
    .map(lambda levels: {"counts": [v for v, _ in levels], "weights": [w for _, w in levels]}),
)


# -- ChildLayout: exact totals, agreement, any subset ---------------------------------------------------------


@settings(max_examples=120, deadline=None)
@given(n_parents=st.integers(0, 150), per_parent=st.floats(0.0, 12.0), block=st.sampled_from([1, 3, 16, 64]),
       shape=shapes, cap=st.one_of(st.none(), st.integers(1, 6)), key=st.integers(0, 2**64 - 1),
       subset_seed=st.integers(0, 2**32 - 1))
def test_layout_invariants(n_parents, per_parent, block, shape, cap, key, subset_seed):
    n_rows = int(n_parents * per_parent)
    if cap is not None:
        n_rows = min(n_rows, n_parents * cap)
    with blocks_of(block):
        plain = ChildLayout(n_rows, n_parents, key, shape=shape, cap=cap)
        mixed = ChildLayout(n_rows, n_parents, key, shape=shape, cap=cap, interleave=True)
        counts, parent, position = check_layout(plain)
        mixed_counts, mixed_parent, mixed_position = check_layout(mixed)
        np.testing.assert_array_equal(mixed_counts, counts)  # interleaving changes the order, not the counts
        if cap is not None:
            assert counts.max(initial=0) <= cap
            assert np.ptp(counts) <= 1 if counts.size else True  # spread as evenly as possible
        # Any subset, in any order, with duplicates, on a fresh layout: the same answers as the full run.
        rng = np.random.default_rng(subset_seed)
        rows = rng.integers(0, max(n_rows, 1), size=min(n_rows, 200)) if n_rows else np.zeros(0, np.int64)
        for layout, full in ((plain, (parent, position)), (mixed, (mixed_parent, mixed_position))):
            fresh = ChildLayout(n_rows, n_parents, key, shape=shape, cap=cap, interleave=layout.interleave)
            got = fresh.parent_of(rows)
            np.testing.assert_array_equal(got[0], full[0][rows])
            np.testing.assert_array_equal(got[1], full[1][rows])
            # A contiguous batch starting and ending mid-parent (the fast path of ordered writes).
            if n_rows > 2:
                start, stop = np.sort(rng.choice(n_rows + 1, size=2, replace=False))
                got = ChildLayout(n_rows, n_parents, key, shape=shape, cap=cap,
                                  interleave=layout.interleave).parent_of(np.arange(start, stop))
                np.testing.assert_array_equal(got[0], full[0][start:stop])
                np.testing.assert_array_equal(got[1], full[1][start:stop])
        picks = rng.integers(0, max(n_parents, 1), size=min(n_parents, 50)) if n_parents else np.zeros(0, np.int64)
        fresh = ChildLayout(n_rows, n_parents, key, shape=shape, cap=cap)
        np.testing.assert_array_equal(fresh.counts(picks), counts[picks])


@pytest.mark.parametrize("interleave", [False, True])
def test_contiguous_batches_equal_the_full_run(interleave):
    layout = ChildLayout(300_000, 70_000, 8, shape=ORDERS, interleave=interleave)
    parent, position = layout.parent_of(np.arange(300_000))
    for start, stop in ((0, 1), (1, 1000), (12_345, 12_346 + 2**16), (99_999, 300_000), (299_900, 300_000)):
        got = ChildLayout(300_000, 70_000, 8, shape=ORDERS, interleave=interleave).parent_of(np.arange(start, stop))
        np.testing.assert_array_equal(got[0], parent[start:stop])
        np.testing.assert_array_equal(got[1], position[start:stop])


def test_level_one_boundaries_are_proportional_and_exact():
    with blocks_of(10):
        layout = ChildLayout(1003, 95, 1)
        blocks = np.minimum(np.arange(11) * 10, 95)
        np.testing.assert_array_equal(layout._bounds, 1003 * blocks // 95)
        counts = all_counts(layout)
        np.testing.assert_array_equal(np.add.reduceat(counts, np.arange(0, 95, 10)), np.diff(1003 * blocks // 95))


def test_level_one_boundaries_beyond_int64_are_exact():
    n_rows, n_parents = 3 * 10**10 + 7, 10**10 + 3  # n_rows * n_parents > 2**63: Python integers
    layout = ChildLayout(n_rows, n_parents, 1)
    b = np.array([0, 1, 76_293, layout.n_blocks - 1, layout.n_blocks])
    expected = [n_rows * min(int(i) * layouts.PARENT_BLOCK, n_parents) // n_parents for i in b]
    assert layout._bounds[b].tolist() == expected
    assert (np.diff(layout._bounds) >= 0).all()


def test_same_arguments_same_answers_other_key_other_answers():
    rows = np.arange(0, 40_000, 7)
    a = ChildLayout(40_000, 10_000, 42, shape=ORDERS, interleave=True).parent_of(rows)
    b = ChildLayout(40_000, 10_000, 42, shape=ORDERS, interleave=True).parent_of(rows[::-1])
    c = ChildLayout(40_000, 10_000, 43, shape=ORDERS, interleave=True).parent_of(rows)
    np.testing.assert_array_equal(a[0], b[0][::-1])
    np.testing.assert_array_equal(a[1], b[1][::-1])
    assert (a[0] != c[0]).mean() > 0.9


def test_interleave_mixes_parents_but_keeps_counts():
    plain = ChildLayout(400_000, 100_000, 7, shape=LINES)
    mixed = ChildLayout(400_000, 100_000, 7, shape=LINES, interleave=True)
    rows = np.arange(400_000)
    p_plain, _ = plain.parent_of(rows)
    p_mixed, pos_mixed = mixed.parent_of(rows)
    np.testing.assert_array_equal(all_counts(plain), all_counts(mixed))
    assert (np.diff(p_plain) == 0).mean() > 0.7  # 4 lines per order: mostly the same parent as the row before
    assert (np.diff(p_mixed) == 0).mean() < 0.001  # interleaved: neighbours belong to different parents
    # ... yet a batch stays inside its level-1 block: rows [C_b, C_b+1) have parents of block b only.
    first_block = p_mixed[: int(mixed._bounds[1])]
    assert first_block.max() < layouts.PARENT_BLOCK and first_block.min() == 0
    assert pos_mixed.max() == 6  # line numbers 0..6


# -- ChildLayout: the learned shape -------------------------------------------------------------------------


def test_zero_share_and_levels_kept():
    n_parents = 200_000
    counts = all_counts(ChildLayout(round(n_parents * ORDERS_MEAN), n_parents, 3, shape=ORDERS))
    share = np.bincount(counts, minlength=6) / n_parents
    # Sampling noise alone is sqrt(p (1 - p) / n) ~ 0.001; settling adds a little (measured over 30 keys:
    # sd 0.0013, max 0.0031).
    assert abs(share[0] - 1 / 3) < 0.0065
    assert abs(share[1] - 0.3) < 0.008 and abs(share[2] - 0.2) < 0.006 and abs(share[5] - 1 / 6) < 0.007
    assert share[3] + share[4] < 0.01  # the exact scaling blurs few parents off the learned counts
    assert counts.max() == 5


def test_lines_per_order_stay_one_to_seven_at_the_samples_ratio():
    n_parents = 150_000
    with blocks_of(4096):
        counts = all_counts(ChildLayout(4 * n_parents, n_parents, 11, shape=LINES))
    assert counts.min() == 1 and counts.max() == 7
    share = np.bincount(counts, minlength=8)[1:] / n_parents
    assert np.abs(share - 1 / 7).max() < 0.005  # sampling sd 0.0009


def test_range_scales_with_the_ratio():
    counts = all_counts(ChildLayout(8 * 50_000, 50_000, 5, shape=LINES))  # twice the samples' ratio
    assert counts.min() == 2 and counts.max() == 14
    counts = all_counts(ChildLayout(50_000 // 2, 50_000, 5, shape=LINES))  # fewer rows than parents
    assert set(np.unique(counts).tolist()) == {0, 1} and counts.sum() == 25_000


@pytest.mark.parametrize("interleave", [False, True])
def test_fixed_shape_gives_exactly_that_count(interleave):
    with blocks_of(7):
        layout = ChildLayout(80 * 1000, 1000, 9, shape={"counts": [80], "weights": [1.0]}, interleave=interleave)
        counts, parent, position = check_layout(layout)
    assert (counts == 80).all()
    assert sorted(set(position.tolist())) == list(range(80))


def test_uniform_counts_vary_like_a_multinomial():
    counts = all_counts(ChildLayout(300_007, 100_000, 2))
    assert counts.sum() == 300_007
    # Poisson(3): dispersion index 1 (measured 0.994 .. 1.007 over 20 keys), P(0) = e**-3 = 0.0498.
    assert 0.98 < counts.var() / counts.mean() < 1.02
    assert abs((counts == 0).mean() - np.exp(-3)) < 0.004


def test_uniform_counts_with_a_large_mean():
    counts = all_counts(ChildLayout(5000 * 2000, 2000, 2))  # normal approximation above a mean of 1000
    assert counts.sum() == 10_000_000
    assert 0.85 < counts.var() / counts.mean() < 1.15  # sd of the dispersion index at n=2000: 0.03


def test_shape_with_no_children_falls_back_to_uniform():
    counts = all_counts(ChildLayout(1000, 100, 2, shape={"counts": [0], "weights": [1]}))
    assert counts.sum() == 1000 and counts.min() > 0


# -- ChildLayout: caps and errors ------------------------------------------------------------------------------


def test_one_to_one_extension():
    layout = ChildLayout(10_000, 10_000, 4, cap=1)
    counts, parent, position = check_layout(layout)
    assert (counts == 1).all() and (position == 0).all()
    counts, parent, position = check_layout(ChildLayout(9_963, 10_000, 4, cap=1, interleave=True))
    assert counts.max() == 1 and counts.sum() == 9_963 and (position == 0).all()
    assert np.unique(parent).size == 9_963


def test_link_table_cap_spreads_evenly():
    with blocks_of(100):
        counts, _, position = check_layout(ChildLayout(4_300, 1_000, 4, cap=5))
    assert set(np.unique(counts).tolist()) == {4, 5} and (counts == 5).sum() == 300
    assert position.max() == 4


def test_capacity_errors_name_the_column():
    with pytest.raises(CapacityError, match=r"partsupp\.ps_suppkey.*5,001 rows.*allow only 5,000") as info:
        ChildLayout(5_001, 1_000, 1, cap=5, table="partsupp", column="ps_suppkey")
    assert info.value.column == "ps_suppkey"
    with pytest.raises(CapacityError, match=r"orders\.customer_id.*0 rows"):
        ChildLayout(10, 0, 1, table="orders", column="customer_id")
    with pytest.raises(CapacityError, match=r"orders\.customer_id"):
        ChildLayout(1, 10, 1, cap=0, table="orders", column="customer_id")
    empty = ChildLayout(0, 0, 1)
    assert all_counts(empty).size == 0 and empty.parent_of(np.zeros(0, np.int64))[0].size == 0


def test_bad_input_errors_name_the_column():
    layout = ChildLayout(100, 10, 1, table="orders", column="customer_id")
    with pytest.raises(RowCountError, match=r"orders\.customer_id.*\[0, 100\)"):
        layout.parent_of(np.array([5, 100]))
    with pytest.raises(RowCountError, match=r"orders\.customer_id"):
        layout.parent_of(np.array([-1]))
    with pytest.raises(RowCountError, match=r"orders\.customer_id.*\[0, 10\)"):
        layout.counts(np.array([10]))
    with pytest.raises(RowCountError, match=r"orders\.customer_id"):
        ChildLayout(-1, 10, 1, table="orders", column="customer_id")
    for bad in ({"counts": [1, 2]}, {"counts": [1, 2], "weights": [1]}, {"counts": [-1], "weights": [1]},
                {"counts": [1], "weights": [0]}, {"counts": [float("nan")], "weights": [1]}):
        with pytest.raises(ModelError, match=r"orders\.customer_id.*Refit"):
            ChildLayout(100, 10, 1, shape=bad, table="orders", column="customer_id")


def test_cache_keeps_few_blocks():
    with blocks_of(1000):
        layout = ChildLayout(400_000, 100_000, 1, shape=LINES)
        layout.parent_of(np.arange(0, 400_000, 997))  # touches all 100 blocks
    bounds = 8 * (layout.n_blocks + 1)
    assert layout.state_bytes == bounds + layouts.CACHE_BLOCKS * 8 * 1001


# -- ChildLayout at 10**10 parents -------------------------------------------------------------------------------


@pytest.mark.parametrize("interleave", [False, True])
def test_ten_billion_parents(interleave):
    n_parents, n_rows = 10**10, 3 * 10**10
    tracemalloc.start()
    try:
        layout = ChildLayout(n_rows, n_parents, 17, shape=LINES, interleave=interleave, table="lineitem",
                             column="l_orderkey")
        b = 76_293  # a block in the middle: its first row is the first line of its first order
        first = int(layout._bounds[b])
        rows = np.array([0, first - 1, first, n_rows // 2, n_rows - 1])
        parent, position = layout.parent_of(rows)
        counts = layout.counts(parent)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert layout.n_blocks == 152_588
    assert layout.state_bytes < 8 * 10**6  # 1.2 MB of boundaries + a few cached blocks (~0.5 MB each)
    assert peak < 200 * 2**20
    assert (position < counts).all() and (position >= 0).all()
    if not interleave:  # every order has at least one line, so block edges fall on parent edges
        assert parent.tolist()[:3] == [0, b * layouts.PARENT_BLOCK - 1, b * layouts.PARENT_BLOCK]
        assert position.tolist()[0] == 0 and position.tolist()[2] == 0
        assert position[1] == counts[1] - 1
        assert parent[4] == n_parents - 1 and position[4] == counts[4] - 1
    else:  # interleaved inside blocks: the rows still fall in their blocks
        blocks = parent // layouts.PARENT_BLOCK
        assert blocks.tolist() == [0, b - 1, b, int(np.searchsorted(layout._bounds, n_rows // 2, "right")) - 1,
                                   layout.n_blocks - 1]
    again = ChildLayout(n_rows, n_parents, 17, shape=LINES, interleave=interleave).parent_of(rows[::-1])
    np.testing.assert_array_equal(again[0][::-1], parent)


# -- ParentPicker --------------------------------------------------------------------------------------------

POPULARITY = {"counts": [0, 1, 10], "weights": [0.2, 0.5, 0.3]}  # 20% never referenced, 30% popular


def test_picks_follow_popularity():
    picker = ParentPicker(1_000, 5, shape=POPULARITY)
    level = picker.weight(np.arange(1_000))
    assert np.bincount(level.astype(np.int64), minlength=11)[[0, 1, 10]].tolist() == [200, 500, 300]
    picks = picker.pick(np.arange(1_000_000))
    per_parent = np.bincount(picks, minlength=1_000)
    # Level 0 is never picked; every other parent is (expected >= 285 picks each).
    np.testing.assert_array_equal(per_parent == 0, level == 0)
    # Level 10 holds 3000 of 3500 reference units: share 0.857, sd 0.00035 at 10**6 picks.
    assert abs(per_parent[level == 10].sum() / 1e6 - 3000 / 3500) < 0.002
    ratio = per_parent[level == 10].mean() / per_parent[level == 1].mean()
    assert 9.7 < ratio < 10.3
    # Within a level, picks are uniform: Poisson-like spread around 2857.
    assert per_parent[level == 10].std() < 1.2 * np.sqrt(2857)


def test_picks_are_a_pure_function_of_the_row():
    picker = ParentPicker(123_457, 9, shape=POPULARITY)
    rows = np.arange(50_000, 90_000)
    full = picker.pick(rows)
    subset = np.random.default_rng(1).permutation(rows.size)[:5_000]
    np.testing.assert_array_equal(ParentPicker(123_457, 9, shape=POPULARITY).pick(rows[subset]), full[subset])
    np.testing.assert_array_equal(picker.pick(np.repeat(rows[:10], 3)), np.repeat(full[:10], 3))
    assert (ParentPicker(123_457, 10, shape=POPULARITY).pick(rows) != full).mean() > 0.9
    assert (picker.weight(full) > 0).all()


def test_uniform_picker():
    picker = ParentPicker(100, 1)
    per_parent = np.bincount(picker.pick(np.arange(100_000)), minlength=100)
    assert np.abs(per_parent - 1000).max() < 5 * np.sqrt(1000)  # binomial sd ~ 31.5
    assert (picker.weight(np.arange(100)) == 1.0).all()


def test_picker_with_too_few_parents_for_rounding():
    picker = ParentPicker(1, 3, shape={"counts": [0, 5], "weights": [0.9, 0.1]})
    assert (picker.pick(np.arange(100)) == 0).all() and picker.weight(np.array([0])).tolist() == [5.0]


def test_picker_at_ten_billion_parents():
    picker = ParentPicker(10**10, 2, shape=POPULARITY)
    picks = picker.pick(np.arange(10**12, 10**12 + 100_000))
    assert picks.min() >= 0 and picks.max() < 10**10
    assert (picker.weight(picks) > 0).all()
    assert np.unique(picks).size > 99_000
    assert abs((picker.weight(np.arange(200_000)) == 0).mean() - 0.2) < 0.005  # ranks mix levels everywhere


@settings(max_examples=80, deadline=None)
@given(n_parents=st.integers(1, 400), shape=shapes, key=st.integers(0, 2**64 - 1))
def test_picker_properties(n_parents, shape, key):
    if shape is not None and not any(v > 0 for v in shape["counts"]):
        with pytest.raises(ModelError):
            ParentPicker(n_parents, key, shape=shape)
        return
    picker = ParentPicker(n_parents, key, shape=shape)
    assert picker.sizes.sum() == n_parents
    if shape is not None:  # level sizes are the cumulative weights times n_parents, rounded
        w = np.asarray(shape["weights"]) / sum(shape["weights"])
        edges = np.rint(np.cumsum(w) * n_parents)
        edges[-1] = n_parents
        sizes = np.diff(edges, prepend=0).astype(np.int64)
        if (sizes[picker.values > 0] > 0).any():
            np.testing.assert_array_equal(picker.sizes, sizes)
        else:  # no popular parent after rounding: exactly one parent moved into a popular level
            assert np.abs(picker.sizes - sizes).sum() == 2 and picker.sizes[picker.values > 0].sum() == 1
    picks = picker.pick(np.arange(2_000))
    assert picks.min() >= 0 and picks.max() < n_parents
    weight = picker.weight(np.arange(n_parents))
    assert (weight[picks] > 0).all()
    assert sorted(weight.tolist()) == sorted(np.repeat(picker.values, picker.sizes).tolist())


def test_picker_errors_name_the_column():
    picker = ParentPicker(0, 1, table="order_items", column="product_id")
    assert picker.pick(np.zeros(0, np.int64)).size == 0
    with pytest.raises(CapacityError, match=r"order_items\.product_id.*0 rows"):
        picker.pick(np.arange(3))
    with pytest.raises(RowCountError, match=r"order_items\.product_id.*\[0, 10\)"):
        ParentPicker(10, 1, table="order_items", column="product_id").weight(np.array([10]))
    with pytest.raises(ModelError, match=r"order_items\.product_id.*no positive count"):
        ParentPicker(10, 1, shape={"counts": [0, 0], "weights": [1, 1]}, table="order_items", column="product_id")


@pytest.mark.parametrize("domain", [1, 2, 3, 5, 1000, 2**20 + 3, 10**10, 2**62])
def test_picker_permutation_is_inverted_exactly(domain):
    x = np.unique(np.concatenate([np.arange(min(domain, 5000)), np.linspace(0, domain - 1, 1000).astype(np.int64),
                                [domain - 1]]).clip(0, domain - 1))
    y = permute(x, domain, 77)
    assert y.min() >= 0 and y.max() < domain and np.unique(y).size == x.size
    np.testing.assert_array_equal(permute(y, domain, 77, inverse=True), x)
    if domain <= 5000:
        np.testing.assert_array_equal(np.sort(y), np.arange(domain))


def test_a_few_busy_parents_stay_a_few_busy_parents():
    import pandas as pd

    import synthframe as sf

    stations = pd.DataFrame({"code": [f"S{i:03d}" for i in range(300)]})
    hours = pd.date_range("2020-01-01", periods=500, freq="h")
    readings = pd.DataFrame({"station": np.repeat(["S001", "S002", "S003"], 500), "at": np.tile(hours, 3)})
    schema = {"tables": {
        "stations": {"primary_key": "code", "columns": {"code": "string"}},
        "readings": {"primary_key": ["station", "at"], "columns": {"station": "string", "at": "datetime"},
                     "foreign_keys": {"station": "stations.code"}}}}
    model = sf.fit(schema, {"stations": stations, "readings": readings})
    for seed in range(12):  # some seeds draw fewer busy stations than the rows need: the rest must not thin out
        per_station = model.sample({"stations": 300, "readings": 1500}, seed=seed)["readings"]["station"].value_counts()
        assert per_station.sum() == 1500 and len(per_station) <= 6  # a few busy stations, not 300 thin ones
