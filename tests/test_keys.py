"""Keys as pure functions of the row index: permutations, UUIDs, child layouts, link partners, hierarchies."""

import re
import time
import uuid

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthframe import keys
from synthframe.errors import CapacityError, ModelError, RowCountError, SampleError
from synthframe.keys import hierarchy_stats, link_partner, permute, self_parents, uuid_strings
from synthframe.randomness import stream_key, uniform

GOLDEN_UUIDS = ["63cbe1e4-5932-4dd7-9e56-51b0ef953636", "aeaf52fe-be70-4064-8887-12be8a582fca"]
UUID4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


# -- permute ------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", [1, 2, 3, 7, 1000, 10**5, 2**20 + 3])
@pytest.mark.parametrize("key", [0, 12345, 2**63 + 5])
def test_permute_is_a_bijection(domain, key):
    out = permute(np.arange(domain), domain, key)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(np.sort(out), np.arange(domain))  # every value in range exactly once


@settings(max_examples=150, deadline=None)
@given(domain=st.integers(1, 3000), key=st.integers(-(2**70), 2**70))
def test_permute_bijection_property(domain, key):
    out = permute(np.arange(domain), domain, key)
    np.testing.assert_array_equal(np.sort(out), np.arange(domain))


@st.composite
def _domain_and_indices(draw):
    domain = draw(st.integers(1, 2**62))
    idx = draw(st.sets(st.integers(0, domain - 1), min_size=1, max_size=60))
    return domain, np.array(sorted(idx), dtype=np.int64)


@settings(max_examples=150, deadline=None)
@given(case=_domain_and_indices(), key=st.integers(0, 2**64 - 1))
def test_permute_injective_and_in_range_for_any_domain(case, key):
    domain, idx = case
    out = permute(idx, domain, key)
    assert len(np.unique(out)) == len(idx)
    assert out.min() >= 0 and out.max() < domain
    # A pure function of (index, domain, key): each value alone is the same as in the batch.
    np.testing.assert_array_equal(permute(idx[::-1], domain, key), out[::-1])
    assert permute(idx[-1:], domain, key)[0] == out[-1]


def test_permute_golden_values():
    assert permute(np.arange(10), 10, 42).tolist() == [2, 7, 1, 4, 5, 3, 6, 0, 9, 8]
    assert permute(np.array([0, 1, 10**11]), 10**12, 3).tolist() == [643245790820, 388647850645, 286790772262]


def test_permute_different_keys_give_different_permutations():
    perms = {tuple(permute(np.arange(1000), 1000, k)) for k in range(30)}
    assert len(perms) == 30


def test_permute_scrambles():
    n = 10**5
    out = permute(np.arange(n), n, 99)
    assert abs(np.corrcoef(np.arange(n), out)[0, 1]) < 0.02
    assert np.count_nonzero(out == np.arange(n)) < 20  # about 1 fixed point expected
    # Neighbouring indices land far apart, not in runs.
    assert np.median(np.abs(np.diff(out))) > n / 10


def test_permute_keeps_shape_and_accepts_unsigned():
    idx = np.arange(12, dtype=np.uint64).reshape(3, 4)
    out = permute(idx, 100, 5)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out.ravel(), permute(np.arange(12), 100, 5))
    assert permute(np.array([], dtype=np.int64), 10, 1).shape == (0,)


def test_permute_large_domain_is_fast_and_distinct():
    idx = np.arange(10**6)
    started = time.perf_counter()
    out = permute(idx, 10**12, 7)
    elapsed = time.perf_counter() - started
    assert np.all(np.diff(np.sort(out)) > 0)  # distinct
    assert out.min() >= 0 and out.max() < 10**12
    assert elapsed < 3.0  # typically ~0.04 s; generous for loaded machines
    assert permute(np.array([2**62 - 1, 0]), 2**62, 1).max() < 2**62


def test_permute_errors_name_the_column():
    with pytest.raises(CapacityError, match=r"orders\.code .*1,000 distinct values.*row index 1,000"):
        permute(np.arange(1001), 1000, 1, table="orders", column="code")
    with pytest.raises(CapacityError, match=r"orders\.code"):
        permute(np.array([-1]), 1000, 1, table="orders", column="code")
    for bad in (0, 2**62 + 1, 10.0, True):
        with pytest.raises(CapacityError, match=r"orders\.code.*1 \.\. 2\*\*62"):
            permute(np.arange(1), bad, 1, table="orders", column="code")
    with pytest.raises(RowCountError, match=r"orders\.code.*integer array"):
        permute(np.array([0.5]), 10, 1, table="orders", column="code")
    with pytest.raises(ValueError):  # every error is also a ValueError
        permute(np.array([10]), 10, 1)


# -- uuid_strings -------------------------------------------------------------------------------


def test_uuid_format_and_distinctness_on_a_million_rows():
    values = uuid_strings(stream_key(7, "customers", "id", "uuid"), np.arange(10**6))
    assert isinstance(values, pa.StringArray) and len(values) == 10**6 and values.null_count == 0
    assert pc.all(pc.match_substring_regex(values, UUID4)).as_py()
    assert len(pc.unique(values)) == 10**6


def test_uuid_is_rfc4122_version_4_and_golden():
    values = uuid_strings(7, np.arange(2)).to_pylist()
    assert values == GOLDEN_UUIDS
    for text in uuid_strings(stream_key(3, "orders", "id", "uuid"), np.array([0, 5, 10**12])).to_pylist():
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == text
        assert re.fullmatch(UUID4, text)


def test_uuid_is_a_function_of_key_and_index():
    key = stream_key(5, "t", "id", "uuid")
    whole = uuid_strings(key, np.arange(1000))
    part = uuid_strings(key, np.array([999, 3, 500]))
    assert part.to_pylist() == [whole[999].as_py(), whole[3].as_py(), whole[500].as_py()]
    assert uuid_strings(stream_key(6, "t", "id", "uuid"), np.arange(1000)) != whole
    other_table = uuid_strings(stream_key(5, "u", "id", "uuid"), np.arange(1000))
    assert not set(other_table.to_pylist()) & set(whole.to_pylist())
    assert len(uuid_strings(key, np.array([], dtype=np.int64))) == 0


def test_uuid_rejects_negative_indices():
    with pytest.raises(RowCountError, match=r"customers.*non-negative"):
        uuid_strings(1, np.array([0, -3]), table="customers")


# -- link_partner ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n_partners", [1, 4, 7, 100])
def test_link_partner_distinct_per_parent(n_partners):
    n_parents = 300
    parents = np.repeat(np.arange(n_parents), n_partners)
    positions = np.tile(np.arange(n_partners), n_parents)
    partners = link_partner(parents, positions, n_partners, 17).reshape(n_parents, n_partners)
    np.testing.assert_array_equal(np.sort(partners, axis=1), np.tile(np.arange(n_partners), (n_parents, 1)))
    if n_partners >= 7:
        # Parents start at different partners and step differently.
        assert len(np.unique(partners[:, 0])) > n_partners // 2
        assert len({tuple(row) for row in partners}) > 10


def test_link_partner_first_four_of_many_suppliers():
    # partsupp-like: 4 partners each out of 10,000, for 10,000 parents; pairs unique, partners spread evenly.
    parents = np.repeat(np.arange(10_000), 4)
    positions = np.tile(np.arange(4), 10_000)
    partners = link_partner(parents, positions, 10_000, 3)
    assert len(np.unique(parents * 10_000 + partners)) == 40_000
    per_partner = np.bincount(partners, minlength=10_000)
    assert per_partner.mean() == 4 and per_partner.max() < 20


def test_link_partner_huge_partner_count_has_no_overflow():
    n_partners = 2**40 + 15
    positions = np.arange(2000)
    partners = link_partner(np.full(2000, 12345), positions, n_partners, 9)
    assert len(np.unique(partners)) == 2000
    assert partners.min() >= 0 and partners.max() < n_partners
    # The step between consecutive partners is one constant s(p) mod S.
    steps = np.unique((partners[1:].astype(object) - partners[:-1].astype(object)) % n_partners)
    assert len(steps) == 1


def test_mulmod_matches_python_integers():
    m = 2**61 - 1
    gen = np.random.default_rng(0)
    a = gen.integers(0, m, 1000)
    b = gen.integers(0, m, 1000)
    expected = [(int(x) * int(y)) % m for x, y in zip(a, b)]
    assert keys._mulmod(a, b, m).tolist() == expected


def test_link_partner_errors():
    with pytest.raises(CapacityError, match=r"partsupp\.ps_suppkey.*at most 4 .*position 4"):
        link_partner(np.array([0]), np.array([4]), 4, 1, table="partsupp", column="ps_suppkey")
    with pytest.raises(CapacityError, match=r"partsupp\.ps_suppkey"):
        link_partner(np.array([0]), np.array([0]), 0, 1, table="partsupp", column="ps_suppkey")
    with pytest.raises(RowCountError, match=r"partsupp\.ps_suppkey.*same shape"):
        link_partner(np.array([0, 1]), np.array([0]), 4, 1, table="partsupp", column="ps_suppkey")
    assert link_partner(np.array([], dtype=np.int64), np.array([], dtype=np.int64), 0, 1).shape == (0,)


# -- self_parents and hierarchy_stats ------------------------------------------------------------------


def test_self_parents_without_jitter_is_a_breadth_first_tree():
    rows = np.arange(10)
    parents = self_parents(rows, 1, 3.0, np.full(10, 0.5))
    assert parents.tolist() == [-1, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    stats = hierarchy_stats(parents)
    assert stats["fanout"] == 3.0 and stats["max_depth"] == 2 and stats["root_share"] == 0.1


def test_self_parents_acyclic_with_requested_roots_and_fanout():
    n, n_roots, fanout = 20_000, 200, 4.0
    rows = np.arange(n)
    u = uniform(1, "employees", "manager_id", "self-parent", np.arange(n))
    parents = self_parents(rows, n_roots, fanout, u)
    assert np.all(parents[:n_roots] == -1)
    assert np.all((parents[n_roots:] >= 0) & (parents[n_roots:] < rows[n_roots:]))
    stats = hierarchy_stats(parents)
    assert stats["root_share"] == n_roots / n
    assert 0.98 * fanout <= stats["fanout"] < 1.2 * fanout
    assert 3 <= stats["max_depth"] <= 6  # about log_4(n / n_roots) levels
    # Rows of one block are computed alone, the same as in the whole table.
    np.testing.assert_array_equal(self_parents(rows[7000:7100], n_roots, fanout, u[7000:7100]), parents[7000:7100])


def test_self_parents_all_roots_and_small_fanout():
    assert self_parents(np.arange(5), 5, 2.0, np.zeros(5)).tolist() == [-1] * 5
    chain = self_parents(np.arange(6), 1, 1.0, np.full(6, 0.5))
    assert chain.tolist() == [-1, 0, 1, 2, 3, 4]
    assert hierarchy_stats(chain)["max_depth"] == 5
    jittered = self_parents(np.arange(1, 50), 1, 1.0, np.full(49, 0.999))
    assert np.all(jittered < np.arange(1, 50))  # clipped to i - 1


def test_self_parents_errors():
    rows = np.arange(5)
    with pytest.raises(RowCountError, match=r"employees\.manager_id.*at least one root"):
        self_parents(rows, 0, 2.0, np.zeros(5), table="employees", column="manager_id")
    with pytest.raises(ModelError, match=r"employees\.manager_id.*>= 1"):
        self_parents(rows, 1, 0.5, np.zeros(5), table="employees", column="manager_id")
    with pytest.raises(ModelError, match=r"employees\.manager_id"):
        self_parents(rows, 1, float("nan"), np.zeros(5), table="employees", column="manager_id")
    with pytest.raises(RowCountError, match=r"employees\.manager_id.*match the rows"):
        self_parents(rows, 1, 2.0, np.zeros(4), table="employees", column="manager_id")


def test_hierarchy_stats_hand_built_tree():
    #      0        7
    #    /   \
    #   1     2
    #  /|\
    # 3 4 5
    # |
    # 6
    parents = np.array([-1, 0, 0, 1, 1, 1, 3, -1])
    stats = hierarchy_stats(parents)
    assert stats["root_share"] == 0.25
    assert stats["fanout"] == 2.0  # 6 children over parents 0, 1 and 3
    assert stats["max_depth"] == 3
    assert stats["mean_depth"] == (0 + 1 + 1 + 2 + 2 + 2 + 3 + 0) / 8
    # Order of rows does not matter (parents may come after children in samples).
    perm = np.array([6, 3, 0, 7, 5, 1, 4, 2])
    inverse = np.argsort(perm)
    shuffled = np.where(parents[perm] >= 0, inverse[np.maximum(parents[perm], 0)], -1)
    assert hierarchy_stats(shuffled) == stats


def test_hierarchy_stats_long_chain_and_edge_cases():
    n = 5000
    chain = np.arange(-1, n - 1)
    stats = hierarchy_stats(chain)
    assert stats["max_depth"] == n - 1 and stats["fanout"] == 1.0 and stats["root_share"] == 1 / n
    assert hierarchy_stats(np.array([-1, -1])) == {"root_share": 1.0, "fanout": 0.0, "max_depth": 0,
                                                   "mean_depth": 0.0}
    assert hierarchy_stats(np.array([], dtype=np.int64))["max_depth"] == 0


def test_hierarchy_stats_rejects_cycles_and_bad_indices():
    with pytest.raises(SampleError, match=r"employees\.manager_id.*cycle"):
        hierarchy_stats(np.array([-1, 2, 3, 1]), table="employees", column="manager_id")
    with pytest.raises(SampleError, match=r"cycle"):
        hierarchy_stats(np.array([0]))
    with pytest.raises(SampleError, match=r"employees\.manager_id.*outside the table"):
        hierarchy_stats(np.array([-1, 5]), table="employees", column="manager_id")
    with pytest.raises(SampleError, match=r"outside the table"):
        hierarchy_stats(np.array([-2, 0]))


def test_balanced_partners_are_distinct_per_parent_and_used_equally():
    from synthframe.keys import balanced_partner

    parents = np.repeat(np.arange(540), 3)
    positions = np.tile(np.arange(3), 540)
    partners = balanced_partner(parents, positions, 90, 3, key=12345)
    assert partners.min() >= 0 and partners.max() < 90
    assert len(set(zip(parents.tolist(), partners.tolist()))) == 1620
    assert set(np.bincount(partners, minlength=90).tolist()) == {18}  # 90 divides the parents: exactly equal
    uneven = balanced_partner(np.repeat(np.arange(600), 3), np.tile(np.arange(3), 600), 90, 3, key=12345)
    assert np.ptp(np.bincount(uneven, minlength=90)) <= 3  # otherwise within one per position
    # a pure function of (parent, position): any subset in any order gives the same partners
    pick = np.array([1619, 5, 5, 0])
    assert (balanced_partner(parents[pick], positions[pick], 90, 3, key=12345) == partners[pick]).all()
