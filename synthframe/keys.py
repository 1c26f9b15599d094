"""Keys as pure functions of the row index: any block of any table can be made on its own.

Nothing here materializes a parent table or keeps a set of values already seen:

- :func:`permute` is a seeded bijection of ``[0, domain)`` (a balanced Feistel network with
  cycle-walking), so ``f(permute(i))`` is unique by construction for any unique-valued format ``f``.
- :func:`uuid_strings` turns (stream key, row index) into a version-4 UUID with a counter-based hash.
- :func:`link_partner` enumerates the distinct partners of a parent in a link table.
- :func:`self_parents` draws an acyclic hierarchy (each row's parent has a smaller index);
  :func:`hierarchy_stats` measures one.

Everything is vectorized over NumPy integer arrays; loops run over Feistel rounds, cycle-walking passes
or bits, never over rows. Children laid out under their parents are in :mod:`synthframe.layouts`.
Errors are :class:`~synthframe.errors.SynthframeError` subclasses (all also ``ValueError``); functions
that can fail take optional ``table=``/``column=`` keywords so the message names the column the caller
is generating.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

from .errors import CapacityError, ModelError, RowCountError, SampleError, where
from .randomness import GAMMA, mix64

__all__ = [
    "hierarchy_stats",
    "link_partner",
    "permute",
    "self_parents",
    "uuid_strings",
]

MAX_DOMAIN = 1 << 62
"""Largest domain :func:`permute` accepts (62 bits: two 31-bit Feistel halves)."""

FEISTEL_ROUNDS = 6
"""Rounds of the Feistel network. Part of the output format: changing it changes every permuted value."""

_UNIT_CANDIDATES = 4096
"""Step sizes :func:`link_partner` chooses among (all units when fewer exist)."""

_MASK64 = (1 << 64) - 1
_UUID_CHARS = 36


def _hex4_table() -> np.ndarray:
    """For every 16-bit value, its four lower-case hex digits as one little-endian uint32 (first digit in
    the lowest byte), so formatting is one table lookup per 16 bits instead of a Python call per value."""
    v = np.arange(1 << 16, dtype=np.uint32)
    table = np.zeros(1 << 16, dtype="<u4")
    for k in range(4):
        nibble = (v >> np.uint32(12 - 4 * k)) & np.uint32(15)
        char = nibble + np.uint32(ord("0")) + np.uint32(ord("a") - ord("0") - 10) * (nibble > 9)
        table |= char << np.uint32(8 * k)
    return table


_HEX4 = _hex4_table()


# -- helpers -------------------------------------------------------------------------------


def splitmix64(x: np.ndarray) -> np.ndarray:
    """One SplitMix64 step of each value (the finalizer of ``x + GAMMA``), as uint64: a keyed round function."""
    with np.errstate(over="ignore"):
        return mix64(np.asarray(x, dtype=np.uint64) + GAMMA)


def _u64(value: int) -> np.uint64:
    """A Python int (any sign or size) reduced mod 2**64, as a NumPy scalar."""
    return np.uint64(int(value) & _MASK64)


def _mix(*parts: int) -> int:
    """A 64-bit hash of a few integers (splitmix64 chained), as a Python int."""
    h = np.zeros(1, dtype=np.uint64)
    for part in parts:
        h = splitmix64(h ^ _u64(part))
    return int(h[0])


def _index_array(values: np.ndarray, what: str, table: str | None, column: str | None) -> np.ndarray:
    """``values`` as an int64 array, refusing non-integer dtypes."""
    arr = np.asarray(values)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise RowCountError(f"{what} for {where(table, column)} must be an integer array; got dtype {arr.dtype}. "
                            f"Pass row indices as int64.", table=table, column=column)
    if arr.dtype == np.uint64 and int(arr.max()) > np.iinfo(np.int64).max:
        raise RowCountError(f"{what} for {where(table, column)} exceed the int64 range; row indices must be "
                            f"below 2**63.", table=table, column=column)
    return arr.astype(np.int64, copy=False)


def _check_count(value: int, name: str, table: str | None, column: str | None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise RowCountError(f"{name} for {where(table, column)} must be a non-negative integer; got {value!r}.",
                            table=table, column=column)
    return int(value)


# -- permutations ----------------------------------------------------------------------------


def _round_keys(half: int, key: int) -> np.ndarray:
    """One 64-bit key per Feistel round, from (half width, key, round)."""
    rounds = np.arange(FEISTEL_ROUNDS, dtype=np.uint64)
    base = splitmix64(np.array([_mix(half, key)], dtype=np.uint64))
    return splitmix64(base ^ splitmix64(rounds))


def _feistel(x: np.ndarray, half: int, round_keys: np.ndarray, inverse: bool = False) -> np.ndarray:
    """A bijection of ``[0, 4**half)`` on uint64 values (or its inverse): balanced Feistel rounds, splitmix64
    round function."""
    shift = np.uint64(half)
    mask = np.uint64((1 << half) - 1)
    left = x >> shift
    right = x & mask
    for k in (round_keys[::-1] if inverse else round_keys):
        f = splitmix64((left if inverse else right) ^ k)
        f &= mask
        if inverse:  # (L, R) <- (R' ^ F(L'), L')
            f ^= right
            left, right = f, left
        else:  # (L, R) <- (R, L ^ F(R))
            f ^= left
            left, right = right, f
    left <<= shift
    left |= right
    return left


def permute(indices: np.ndarray, domain: int, key: int, *, inverse: bool = False, table: str | None = None,
            column: str | None = None) -> np.ndarray:
    """A seeded bijection of ``[0, domain)`` evaluated at ``indices`` (int64 out, same shape).

    A Feistel network on the smallest even number of bits (at least 2) covering ``domain``, with
    balanced halves and a splitmix64 round function keyed by (half width, ``key``, round); values that
    land outside the domain are walked through the network again (cycle-walking, vectorized over the
    entries still outside) until all are inside. So ``permute(np.arange(n), domain, key)`` gives ``n``
    distinct values in ``[0, domain)`` for any ``n <= domain``, which makes ``f(permute(i))`` unique by
    construction for any injective format ``f``. ``domain`` may be 1 .. 2**62; ``key`` any integer
    (reduced mod 2**64). Different keys give different permutations (for domains large enough to have many).
    ``inverse=True`` gives the inverse bijection (the rounds backwards, cycle-walking backwards).
    """
    if isinstance(domain, (bool, np.bool_)) or not isinstance(domain, (int, np.integer)) \
            or not 1 <= domain <= MAX_DOMAIN:
        raise CapacityError(f"The unique-value domain of {where(table, column)} must be an integer in "
                            f"1 .. 2**62; got {domain!r}.", table=table, column=column)
    domain = int(domain)
    idx = _index_array(indices, "Row indices", table, column)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= domain):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise CapacityError(f"{where(table, column)} can hold only {domain:,} distinct values, but row index "
                            f"{bad:,} was asked for (indices must lie in [0, {domain:,})). Widen the format or "
                            f"ask for fewer rows.", table=table, column=column)
    bits = max(2, (domain - 1).bit_length())
    bits += bits % 2
    half = bits // 2
    keys = _round_keys(half, key)
    flat = idx.ravel().astype(np.uint64)
    out = _feistel(flat, half, keys, inverse)
    if domain < (1 << bits):
        bound = np.uint64(domain)
        todo = np.flatnonzero(out >= bound)
        while todo.size:
            walked = _feistel(out[todo], half, keys, inverse)
            out[todo] = walked
            todo = todo[walked >= bound]
    return out.astype(np.int64).reshape(idx.shape)


# -- UUIDs -------------------------------------------------------------------------------------


def uuid_strings(key: int, indices: np.ndarray, *, table: str | None = None,
                 ) -> pa.StringArray | pa.LargeStringArray:
    """Version-4 UUID strings computed from a stream key and the row index, one per index.

    The 128 bits are splitmix64 of two counters, ``2 i`` and ``2 i + 1``, offset by ``key`` (the stream
    of (seed, table, column, "uuid")) — a counter-based hash, so a child table computes its parent's
    keys at any row without replaying anything. Version and variant bits are then set
    (``xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx``, lower-case hex). The high word is a bijection of the
    index, so values for distinct indices differ in all but the 4 bits overwritten by the version
    (collisions need a 124-bit coincidence). Hex formatting is one lookup per 16 bits in a 65,536-entry
    table plus shifts into 32-bit cells, and the result is assembled from buffers: a ``pa.StringArray``,
    or a ``pa.LargeStringArray`` above ~59 million values (where 32-bit offsets would overflow).
    """
    idx = _index_array(indices, "Row indices", table, None).ravel()
    if idx.size and int(idx.min()) < 0:
        raise RowCountError(f"Row indices for {where(table)} must be non-negative; got {int(idx.min())}.",
                            table=table)
    n = idx.size
    base = _u64(key)
    counter = idx.astype(np.uint64) << np.uint64(1)
    with np.errstate(over="ignore"):
        counter += base
        hi = splitmix64(counter)
        counter += np.uint64(1)
        lo = splitmix64(counter)
    hi &= np.uint64(0xFFFFFFFFFFFF0FFF)
    hi |= np.uint64(0x4000)
    lo &= np.uint64(0x3FFFFFFFFFFFFFFF)
    lo |= np.uint64(0x8000000000000000)
    # Little-endian 16-bit pieces, least significant first, as hex quads: quads[:, 7] is the top of ``hi``.
    words = np.empty((n, 2), dtype="<u8")
    words[:, 0] = lo
    words[:, 1] = hi
    quads = _HEX4[words.view("<u2").reshape(n, 8).astype(np.intp)]
    # 36 characters = 9 little-endian 32-bit cells; dashes sit at characters 8, 13, 18 and 23.
    cells = np.empty((n, _UUID_CHARS // 4), dtype="<u4")
    dash = np.uint32(ord("-"))
    h2, h3, l0 = quads[:, 5], quads[:, 4], quads[:, 3]
    cells[:, 0] = quads[:, 7]
    cells[:, 1] = quads[:, 6]
    cells[:, 2] = (h2 << np.uint32(8)) | dash
    cells[:, 3] = (h2 >> np.uint32(24)) | (dash << np.uint32(8)) | (h3 << np.uint32(16))
    cells[:, 4] = (h3 >> np.uint32(16)) | (dash << np.uint32(16)) | (l0 << np.uint32(24))
    cells[:, 5] = (l0 >> np.uint32(8)) | (dash << np.uint32(24))
    cells[:, 6] = quads[:, 2]
    cells[:, 7] = quads[:, 1]
    cells[:, 8] = quads[:, 0]
    chars = cells.view(np.uint8)
    large = n * _UUID_CHARS > np.iinfo(np.int32).max
    offs = np.arange(0, _UUID_CHARS * (n + 1), _UUID_CHARS, dtype=np.int64 if large else np.int32)
    kind = pa.LargeStringArray if large else pa.StringArray
    return kind.from_buffers(n, pa.py_buffer(offs), pa.py_buffer(chars), null_count=0)


# -- link tables --------------------------------------------------------------------------------


def _units(modulus: int, key: int) -> np.ndarray:
    """Step sizes coprime with ``modulus`` to choose among: all units when ``modulus`` is small, else a
    keyed pseudo-random selection of candidates that are units (always including 1)."""
    if modulus <= _UNIT_CANDIDATES:
        cand = np.arange(1, max(modulus, 2), dtype=np.int64)
    else:
        draws = splitmix64(np.arange(_UNIT_CANDIDATES, dtype=np.uint64) ^ _u64(_mix(key, modulus, 1)))
        cand = np.append(np.int64(1), (draws % np.uint64(modulus - 1)).astype(np.int64) + 1)
    return cand[np.gcd(cand, np.int64(modulus)) == 1]


def _mulmod(a: np.ndarray, b: np.ndarray, m: int) -> np.ndarray:
    """``a * b mod m`` for int64 ``0 <= a, b < m`` without overflow (double-and-add over the bits of b when
    ``m`` is too large for a direct product)."""
    if m < (1 << 31):
        return (a * b) % m
    mod = np.uint64(m)
    a = a.astype(np.uint64)
    b = b.astype(np.uint64)
    out = np.zeros_like(a)
    one = np.uint64(1)
    while b.any():
        odd = (b & one).astype(bool)
        out = np.where(odd, (out + a) % mod, out)
        a = (a << one) % mod
        b >>= one
    return out.astype(np.int64)


def link_partner(parents: np.ndarray, positions: np.ndarray, n_partners: int, key: int, *,
                 table: str | None = None, column: str | None = None) -> np.ndarray:
    """The ``positions``-th partner of each parent in a link table (int64).

    ``(h(p) + j * s(p)) mod S`` with ``S = n_partners``, ``h`` a keyed hash of the parent index and ``s(p)``
    a unit mod ``S`` picked by another hash, so for a fixed parent ``j = 0 .. S-1`` gives ``S`` distinct
    partners: (parent, partner) pairs are unique by construction.
    """
    p = _index_array(parents, "Parent indices", table, column)
    j = _index_array(positions, "Partner positions", table, column)
    if p.shape != j.shape:
        raise RowCountError(f"Parent indices and partner positions for {where(table, column)} must have the same "
                            f"shape; got {p.shape} and {j.shape}.", table=table, column=column)
    n_partners = _check_count(n_partners, "The partner count", table, column)
    if p.size and int(p.min()) < 0:
        raise RowCountError(f"Parent indices for {where(table, column)} must be non-negative.",
                            table=table, column=column)
    if j.size and (int(j.min()) < 0 or int(j.max()) >= n_partners):
        raise CapacityError(f"{where(table, column)}: a parent can have at most {n_partners:,} distinct partners, "
                            f"but partner position {int(j.max()):,} was asked. Ask for fewer link rows or more "
                            f"partner rows.", table=table, column=column)
    if not p.size:
        return np.zeros(p.shape, dtype=np.int64)
    modulus = np.uint64(n_partners)
    units = _units(n_partners, key)
    pu = p.astype(np.uint64)
    h = (splitmix64(pu ^ _u64(_mix(key, 2))) % modulus).astype(np.int64)
    step = units[(splitmix64(pu ^ _u64(_mix(key, 3))) % np.uint64(units.size)).astype(np.int64)]
    step %= n_partners
    out = _mulmod(j, step, n_partners)
    out += h
    out %= n_partners
    return out


def balanced_partner(parents: np.ndarray, positions: np.ndarray, n_partners: int, children: int, key: int, *,
                     table: str | None = None, column: str | None = None) -> np.ndarray:
    """The ``positions``-th partner of each parent when every partner takes part equally often (TPC-H's 80
    partsupp rows per supplier): ``pi((p + j * stride) mod S)`` with ``stride = S // (children + 1)`` and ``pi``
    a seeded permutation of the partners. For each position the map from parents to partners is a rotation,
    so partners are used equally (exactly when ``S`` divides the parents); a parent's first ``children + 1``
    partners are distinct. Falls back to :func:`link_partner` when there are too few partners for that.
    """
    stride = n_partners // (max(int(children), 1) + 1)
    p = _index_array(parents, "Parent indices", table, column)
    j = _index_array(positions, "Partner positions", table, column)
    if stride < 1 or (j.size and int(j.max()) > children):
        return link_partner(p, j, n_partners, key, table=table, column=column)
    slot = (p % n_partners + _mulmod(j, stride, n_partners)) % n_partners
    if n_partners <= SMALL_PERMUTATION:  # the whole permutation once, then a gather per row
        return _whole_permutation(n_partners, key)[slot]
    return permute(slot, n_partners, key, table=table, column=column)


SMALL_PERMUTATION = 1 << 20
"""Domains up to this size have their permutation computed whole and cached (8 MB at most)."""


@lru_cache(maxsize=16)
def _whole_permutation(domain: int, key: int) -> np.ndarray:
    """``permute(arange(domain), domain, key)``, cached: the same values as evaluating it per row."""
    return permute(np.arange(domain, dtype=np.int64), domain, key)


# -- self-references -------------------------------------------------------------------------------


def self_parents(rows: np.ndarray, n_roots: int, fanout: float, u: np.ndarray, *,
                 table: str | None = None, column: str | None = None) -> np.ndarray:
    """Parent row index of each row of a self-referencing table (employee -> manager); -1 for roots.

    Rows ``< n_roots`` are roots. Row ``i >= n_roots`` gets ``floor((i - n_roots) / fanout + u - 1/2)``
    clipped into ``[0, i - 1]``: without the jitter ``u`` (uniform draws in [0, 1), one per row) every
    parent would have exactly ``fanout`` children, filled breadth first; with it each parent still
    expects ``fanout`` children, but the counts vary. A parent always has a smaller index than its child,
    so the hierarchy is acyclic by construction, and depth grows like ``log_fanout(rows / n_roots)``.
    """
    r = _index_array(rows, "Row indices", table, column)
    draws = np.asarray(u, dtype=np.float64)
    if draws.shape != r.shape:
        raise RowCountError(f"Uniform draws for {where(table, column)} must match the rows; got shape "
                            f"{draws.shape} for rows of shape {r.shape}.", table=table, column=column)
    n_roots = _check_count(n_roots, "The number of root rows", table, column)
    if not np.isfinite(fanout) or fanout < 1:
        raise ModelError(f"The fan-out of the self-reference {where(table, column)} must be a number >= 1 "
                         f"(children per parent); got {fanout!r}. Refit the model or fix its fanout.",
                         table=table, column=column)
    if r.size and int(r.min()) < 0:
        raise RowCountError(f"Row indices for {where(table, column)} must be non-negative.", table=table,
                            column=column)
    if n_roots == 0 and r.size:
        raise RowCountError(f"The self-reference {where(table, column)} needs at least one root row (a row with "
                            f"no parent); got n_roots=0.", table=table, column=column)
    rel = (r - n_roots).astype(np.float64)
    parent = np.floor(rel / float(fanout) + draws - 0.5).astype(np.int64)
    np.clip(parent, 0, np.maximum(r - 1, 0), out=parent)
    parent[r < n_roots] = -1
    return parent


def hierarchy_stats(parent_index: np.ndarray, *, table: str | None = None, column: str | None = None) -> dict:
    """``root_share``, ``fanout`` (mean children per row that has any), ``max_depth`` and ``mean_depth``
    (roots have depth 0) of a parent-index array, where ``-1`` marks a root.

    Depth is computed by pointer jumping (each pass adds the ancestor's distance and jumps to the
    ancestor's ancestor), so ``O(log depth)`` vectorized passes, no loop over rows. A cycle or an index
    outside the array is a :class:`SampleError`.
    """
    parent = _index_array(parent_index, "Parent indices", table, column).ravel()
    n = parent.size
    if n == 0:
        return {"root_share": 0.0, "fanout": 0.0, "max_depth": 0, "mean_depth": 0.0}
    if int(parent.min()) < -1 or int(parent.max()) >= n:
        raise SampleError(f"The self-reference {where(table, column)} points outside the table: parent indices "
                          f"must be -1 (root) or row positions 0 .. {n - 1}. Check that every referenced key "
                          f"exists in the sample.", table=table, column=column)
    has_parent = parent >= 0
    children = np.bincount(parent[has_parent], minlength=n)
    parents_with_children = int(np.count_nonzero(children))
    fanout = float(has_parent.sum()) / parents_with_children if parents_with_children else 0.0
    depth = has_parent.astype(np.int64)
    jump = parent.copy()
    active = np.flatnonzero(jump >= 0)
    for _ in range(n.bit_length() + 1):
        if not active.size:
            break
        up = jump[active]
        depth[active] += depth[up]
        jump[active] = jump[up]
        active = active[jump[active] >= 0]
    if active.size:
        raise SampleError(f"The self-reference {where(table, column)} has a cycle (a row is its own ancestor); "
                          f"a hierarchy needs every chain of parents to end at a root with an empty reference.",
                          table=table, column=column)
    return {"root_share": (n - int(has_parent.sum())) / n, "fanout": fanout, "max_depth": int(depth.max()),
            "mean_depth": float(depth.mean())}
