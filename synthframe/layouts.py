"""Foreign keys at any row without materializing the parent table: O(parent blocks) state, counter-based draws.

:class:`ChildLayout` lays the rows of a child table out parent by parent (the owning foreign key:
``orders.customer_id``, ``lineitem.l_orderkey``), in two levels:

1. **Blocks.** Parents are cut into blocks of :data:`PARENT_BLOCK`. The child rows are split across blocks in
   proportion to block size by exact integer arithmetic: block ``b`` owns rows ``[C_b, C_{b+1})`` with
   ``C_b = floor(n_rows * min(b * PARENT_BLOCK, n_parents) / n_parents)``. Only these boundaries are kept
   (8 bytes per block: ~1.2 MB at 10**10 parents).
2. **Parents of a block.** A block's per-parent counts are recomputed when a row in it is asked for, from
   counter-based draws at the block's global parent indices (a count drawn from the learned
   children-per-parent shape, then scaled and settled to sum exactly to the block's rows), and kept in a
   small LRU cache. A row's parent is a ``searchsorted`` over the block's cumulative counts; its position
   within the parent (a line number) is what is left over.

:class:`ParentPicker` draws the other foreign keys (``order_items.product_id``) by learned popularity: parents
get popularity levels by rank through a seeded permutation, a row picks a level in proportion to its share of
references, then a rank within it. State is O(levels); the permutation is inverted exactly to tell a parent's
level.

Every answer is a pure function of the constructor's arguments and the row (or parent) asked about: whatever
rows are asked together, in whatever order, on whatever worker. No ``np.random`` generator is used anywhere;
loops run over blocks, levels, settling tiers and Feistel rounds, never over rows or parents.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache

import numpy as np
from scipy.special import gammaln, ndtri

from .errors import CapacityError, ModelError, RowCountError, where
from .keys import _mulmod, permute
from .randomness import as_rows, bits, sub_key, uniforms

__all__ = ["CACHE_BLOCKS", "PARENT_BLOCK", "ChildLayout", "ParentPicker"]

PARENT_BLOCK = 1 << 16
"""Parents per level-1 block. Part of the output format: changing it changes which parent a row gets."""

CACHE_BLOCKS = 8
"""Level-2 blocks (cumulative counts) a :class:`ChildLayout` keeps, most recently used first."""
_PICK_TABLE = 1 << 20
"""A picker over at most this many parents keeps its permutation as a table (8 bytes a parent)."""
_DENSE_ROWS = 1 << 22
"""An interleaved block with at most this many child rows keeps a row-to-parent table (4 bytes a row)."""

MAX_PARENTS = 1 << 62
"""Largest parent count (the largest domain a permutation covers)."""

MAX_BLOCKS = 1 << 27
"""Most level-1 blocks a layout builds (1 GiB of boundaries: ~8.8 * 10**12 parents at the default block)."""


_POISSON_TABLE_MAX = 1000.0
"""Up to this mean, Poisson draws invert an exact CDF table; above it, the normal approximation."""

# Purposes of the counter-based streams (arguments of ``sub_key``); part of the output format.
_DRAW, _ROUND, _PRIORITY, _INTERLEAVE = 0, 1, 2, 3
_LEVEL, _PERMUTATION = 10, 12

_INT64_SAFE = 1 << 62


# -- validation ---------------------------------------------------------------------------------------


def _count(value: object, name: str, table: str | None, column: str | None, limit: int = MAX_PARENTS) -> int:
    """A non-negative integer argument, or a :class:`RowCountError` naming the column."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= value <= limit:
        raise RowCountError(f"{name} for {where(table, column)} must be an integer in 0 .. {limit:,}; got "
                            f"{value!r}.", table=table, column=column)
    return int(value)


def _shape(shape: Mapping | None, table: str | None, column: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """``(values, probabilities)`` of a learned per-parent histogram ``{"counts": [...], "weights": [...]}``."""
    if shape is None:
        return None
    try:
        values = np.asarray(shape["counts"], dtype=np.float64).ravel()
        weights = np.asarray(shape["weights"], dtype=np.float64).ravel()
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"The per-parent shape of {where(table, column)} must be a mapping with numeric lists "
                         f"'counts' and 'weights'; got {shape!r} ({exc}). Refit the model.",
                         table=table, column=column) from None
    if values.size == 0 or values.shape != weights.shape:
        raise ModelError(f"The per-parent shape of {where(table, column)} needs as many weights as counts, at least "
                         f"one of each; got {values.size} counts and {weights.size} weights. Refit the model.",
                         table=table, column=column)
    if not (np.isfinite(values).all() and np.isfinite(weights).all()) or (values < 0).any() \
            or (weights < 0).any() or not weights.sum() > 0:
        raise ModelError(f"The per-parent shape of {where(table, column)} must have finite non-negative counts and "
                         f"weights, not all weights zero; got counts {values.tolist()} and weights "
                         f"{weights.tolist()}. Refit the model.", table=table, column=column)
    return values, weights / weights.sum()


SINGLE_RANKS = 32
"""Most popular parents of a power-law popularity given a level each; the rest share levels of ranks growing by
``RANK_GROWTH`` (about 4 log2(parents) levels in all)."""
RANK_GROWTH = 1.25


def _exponent(value: object, table: str | None, column: str | None) -> float:
    try:
        a = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        a = float("nan")
    if not 0.0 < a <= 10.0:
        raise ModelError(f"The popularity exponent of {where(table, column)} must be a number in (0, 10]; got "
                         f"{value!r}. Refit the model.", table=table, column=column)
    return a


def power_law_levels(exponent: float, n_parents: int, zero_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Popularity levels of ``n_parents`` parents whose references fall off as ``rank ** -exponent`` (Zipf's
    rank-size law), the share ``zero_share`` of them never referenced: ``(values, probabilities)`` as
    :func:`_shape` gives them. The top ranks get a level each, then ranks are grouped in blocks growing by
    ``RANK_GROWTH`` with the block's mean value, so more parents reach further into the tail (the most popular
    of 300 products is bought more, relative to the mean, than the most popular of 30)."""
    used = int(min(max(round((1.0 - zero_share) * n_parents), 1), n_parents))
    starts = list(range(1, min(SINGLE_RANKS, used) + 1))
    following = starts[-1] + 1
    while following <= used:
        starts.append(following)
        following = max(int(following * RANK_GROWTH), following + 1)
    lo = np.asarray(starts, dtype=np.float64)
    hi = np.append(lo[1:], used + 1.0)
    size = hi - lo
    # mean of r ** -a over the block's ranks, by the integral over [lo - 1/2, hi - 1/2) (exact for one rank)
    a = exponent
    left, right = lo - 0.5, hi - 0.5
    if abs(a - 1.0) < 1e-9:
        area = np.log(right / left)
    else:
        area = (right ** (1.0 - a) - left ** (1.0 - a)) / (1.0 - a)
    values = np.where(size == 1, lo ** -a, area / size)
    probs = size / n_parents
    if used < n_parents:
        values = np.append(values, 0.0)
        probs = np.append(probs, (n_parents - used) / n_parents)
    return values, probs


def _cdf(probabilities: np.ndarray) -> np.ndarray:
    """A cumulative distribution ending at exactly 1.0, so ``searchsorted(cdf, u, "right")`` stays in range for
    ``u`` in [0, 1) and never lands on a zero-probability entry."""
    cdf = np.cumsum(probabilities)
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


# -- spreading units exactly ----------------------------------------------------------------------------


def _spread(room: np.ndarray, units: int, priority: np.ndarray) -> np.ndarray:
    """How many of ``units`` each item takes, as evenly as possible, item ``i`` at most ``room[i]`` (int64).

    Every item takes ``min(room, k)`` for the largest level ``k`` that fits, and the few units left over go one
    each to the items with room above ``k`` of smallest ``priority`` (counter-based, so the choice is a pure
    function of the block). The total taken is ``min(units, room.sum())``. O(items log items), no loop.
    """
    n = room.size
    if units <= 0 or n == 0:
        return np.zeros(n, dtype=np.int64)
    room = np.minimum(room, units)
    exact = np.int64 if units * n < _INT64_SAFE else object  # room sums stay exact even when they pass int64
    total = int(room.astype(exact, copy=False).sum())
    if total <= units:
        return room
    n_open = int(np.count_nonzero(room))
    if units <= n_open:
        level = 0
    else:
        ordered = np.sort(room).astype(exact)
        before = np.zeros(n + 1, dtype=exact)
        before[1:] = np.cumsum(ordered)
        # Taken at level ordered[j]: items up to j are full, the rest take ordered[j] each.
        at_breaks = before[:-1] + ordered * np.arange(n, 0, -1).astype(exact)
        j = int(np.searchsorted(at_breaks, units, side="right")) - 1
        level = (units - int(before[j + 1])) // (n - j - 1)
    take = np.minimum(room, level)
    left = units - int(take.astype(exact, copy=False).sum())
    if left:
        open_ = np.flatnonzero(room > level)
        if left < open_.size:
            open_ = open_[np.argpartition(priority[open_], left - 1)[:left]]
        take[open_] += 1
    return take


Room = Callable[[np.ndarray], np.ndarray]


def _settle(counts: np.ndarray, total: int, priority: np.ndarray, add: list[Room], remove: list[Room]) -> None:
    """Make ``counts`` sum exactly to ``total`` in place: add (or remove) the difference tier by tier, each tier
    a function giving every item's room, spread evenly by :func:`_spread`. The last tier must always suffice."""
    missing = total - int(counts.sum())
    sign = 1 if missing > 0 else -1
    for room in add if missing > 0 else remove:
        if not missing:
            break
        step = _spread(room(counts), abs(missing), priority)
        counts += sign * step
        missing -= sign * int(step.sum())
    if missing:  # pragma: no cover - the last tiers always have room
        raise AssertionError(f"internal: {missing} rows left unsettled")


def _poisson(mean: float, u: np.ndarray) -> np.ndarray:
    """Poisson(``mean``) draws by inverse CDF of the uniforms ``u`` (int64): an exact table up to a mean of
    :data:`_POISSON_TABLE_MAX`, the normal approximation above (where it is within a fraction of a percent)."""
    if mean <= 0.0:
        return np.zeros(u.size, dtype=np.int64)
    if mean > _POISSON_TABLE_MAX:
        x = np.clip(np.rint(mean + np.sqrt(mean) * ndtri(u)), 0.0, None)
        return x.astype(np.int64)
    k = np.arange(int(mean + 15.0 * np.sqrt(mean) + 40.0), dtype=np.float64)
    cdf = np.cumsum(np.exp(k * np.log(mean) - mean - gammaln(k + 1.0)))
    return np.minimum(np.searchsorted(cdf, u, side="right"), k.size - 1).astype(np.int64)


def _groups(block: np.ndarray) -> Iterator[tuple[int, slice | np.ndarray]]:
    """``(block, selector)`` for each distinct block id in ``block``: slices when the ids are sorted (a
    contiguous batch), index arrays otherwise."""
    if block.size == 0:
        return
    first, last = int(block[0]), int(block[-1])
    if first == last and int(block.min()) == int(block.max()):
        yield first, slice(None)
        return
    if bool(np.all(block[1:] >= block[:-1])):
        order = None
        ordered = block
    else:
        order = np.argsort(block, kind="stable")
        ordered = block[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    stops = np.concatenate((cuts, [block.size]))
    for start, stop in zip(starts.tolist(), stops.tolist()):
        yield int(ordered[start]), slice(start, stop) if order is None else order[start:stop]


def _contiguous(x: np.ndarray) -> bool:
    """Whether ``x`` is a run ``a, a+1, ..., b`` (a batch written in order) long enough to shortcut."""
    n = x.size
    return n > 64 and int(x[-1]) - int(x[0]) == n - 1 and bool(np.all(x[1:] > x[:-1]))


def _row_groups(bounds: np.ndarray, rows: np.ndarray) -> Iterator[tuple[int, slice | np.ndarray]]:
    """``(block, selector)`` of the rows falling in each level-1 block ``[bounds[b], bounds[b + 1])``. A
    contiguous run is cut at the few boundaries it crosses, without a search per row."""
    if not _contiguous(rows):
        yield from _groups(np.searchsorted(bounds, rows, side="right") - 1)
        return
    first, stop = int(rows[0]), int(rows[-1]) + 1
    b0 = int(np.searchsorted(bounds, first, side="right")) - 1
    b1 = int(np.searchsorted(bounds, stop - 1, side="right")) - 1
    for b in range(b0, b1 + 1):
        lo, hi = max(int(bounds[b]), first), min(int(bounds[b + 1]), stop)
        if hi > lo:
            yield b, slice(lo - first, hi - first)


def _interleave(local: np.ndarray, total: int, key: int) -> np.ndarray:
    """A keyed bijection of ``[0, total)``: ``(a * r + c) mod total`` with ``a`` a unit near ``total / phi``, so
    consecutive rows land far apart (a Weyl sequence: different parents, evenly spread) at the cost of one
    multiply-add per row."""
    if total <= 1:
        return local
    a = _unit_near(total, key)
    c = np.int64(key % total)
    out = _mulmod(local, np.full_like(local, a), total) if total >= (1 << 31) else local * a % total
    out += c
    out %= total
    return out


def _deinterleave(position: np.ndarray, total: int, key: int) -> np.ndarray:
    """The inverse of :func:`_interleave`: the local row at each layout position."""
    if total <= 1:
        return position
    inverse = pow(_unit_near(total, key), -1, total)
    shifted = (position - np.int64(key % total)) % total
    if total >= (1 << 31):
        return _mulmod(shifted, np.full_like(shifted, inverse), total)
    return shifted * inverse % total


@lru_cache(maxsize=4096)
def _unit_near(total: int, key: int) -> int:
    """A step coprime with ``total`` close to ``total / phi`` (varied a little by the key)."""
    a = max(1, int(total * 0.6180339887498949) + key % max(1, total // 64 + 1))
    while math.gcd(a % total or 1, total) != 1:
        a += 1
    return a % total or 1


def _owners(ends: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Index ``p`` with ``ends[p] <= local < ends[p + 1]`` for each local row: a ``searchsorted``, or for a
    contiguous run a ``repeat`` of the parents it spans, ~4x faster."""
    if _contiguous(local):
        first, last = int(local[0]), int(local[-1])
        p0 = int(np.searchsorted(ends, first, side="right")) - 1
        p1 = int(np.searchsorted(ends, last, side="right")) - 1
        spans = np.clip(ends[p0:p1 + 2], first, last + 1)
        return np.repeat(np.arange(p0, p1 + 1, dtype=np.int64), np.diff(spans))
    return np.searchsorted(ends, local, side="right") - 1


# -- ChildLayout ----------------------------------------------------------------------------------------


class ChildLayout:
    """Child rows laid out parent by parent, two levels: rows split across parent blocks, then across a
    block's parents on demand. State is the level-1 boundaries plus :data:`CACHE_BLOCKS` cached blocks.

    - ``shape`` (``{"counts": [...], "weights": [...]}``, the learned children-per-parent histogram): each
      parent draws a count from it; the block's counts are scaled to its rows, zeros stay zero, and parents
      with children stay inside the learned range scaled by ``n_rows / (n_parents * mean)`` (1..7 line items
      stay 1..7 at the samples' own ratio); the residual is settled exactly by counter-based priorities.
    - ``shape=None``: Poisson counts around the block's mean (a uniform multinomial), settled exactly.
    - ``cap`` (a link table's partner count; 1 for a 1:1 extension): every parent of a block gets
      ``T_b // B_b`` rows and a counter-chosen subset one more, never above ``cap``; ``shape`` is ignored.
    - ``interleave``: rows inside each block's range are permuted, so neighbouring rows have different parents
      while a batch still touches few blocks; positions still count 0..c-1 per parent.
    """

    def __init__(self, n_rows: int, n_parents: int, key: int, *, shape: Mapping | None = None,
                 cap: int | None = None, interleave: bool = False, table: str | None = None,
                 column: str | None = None, given: tuple[Callable[[np.ndarray], np.ndarray], list] | None = None):
        self.table, self.column = table, column
        self._given = given
        self.n_rows = _count(n_rows, "The row count", table, column)
        self.n_parents = _count(n_parents, "The parent count", table, column)
        self.key = int(key)
        self.interleave = bool(interleave)
        self.cap = None if cap is None else _count(cap, "The per-parent cap", table, column)
        self._shape = _shape(shape, table, column)
        if self.n_parents == 0 and self.n_rows:
            raise CapacityError(f"{where(table, column)} needs a parent row for each of its {self.n_rows:,} rows, "
                                f"but the parent table has 0 rows. Ask for at least one parent row, or 0 child rows.",
                                table=table, column=column)
        if self.cap is not None and self.n_rows > self.n_parents * self.cap:
            raise CapacityError(f"{where(table, column)}: {self.n_rows:,} rows were asked, but {self.n_parents:,} "
                                f"parents with at most {self.cap:,} each allow only {self.n_parents * self.cap:,} "
                                f"rows. Ask for fewer rows or more parent (or partner) rows.",
                                table=table, column=column)
        self.block_size = int(PARENT_BLOCK)
        n_blocks = -(-self.n_parents // self.block_size)
        if n_blocks > MAX_BLOCKS:
            raise CapacityError(f"{where(table, column)}: {self.n_parents:,} parents are more than a layout can "
                                f"index ({MAX_BLOCKS * self.block_size:,}). Ask for fewer parent rows.",
                                table=table, column=column)
        self.n_blocks = n_blocks
        self._bounds = self._boundaries()
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._owner_cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._steps: dict[int, int] = {}  # cached block -> its parents' common child count (0: counts differ)
        self._low = self._high = 1
        if self._shape is not None:
            values, probs = self._shape
            mean = float(values @ probs)
            if mean > 0 and self.n_parents:
                factor = self.n_rows / (self.n_parents * mean)
                self._high = max(1, round(float(values.max()) * factor))
                self._low = min(self._high, max(1, round(float(values[values > 0].min()) * factor)))
                self._cdf = _cdf(probs)
                if given is not None:
                    self._given_cdf = self._conditional_cdf(given[1], len(values))
            else:
                self._shape = None  # a shape with no children at all: fall back to uniform counts

    def _conditional_cdf(self, weights: list, width: int) -> np.ndarray:
        """One cumulative row per parent bin (then the marginal row) over the shape's counts."""
        try:
            rows = np.asarray(weights, dtype=np.float64)
        except (TypeError, ValueError):
            rows = np.zeros((0, 0))
        if rows.ndim != 2 or rows.shape[1] != width or not len(rows) or not np.isfinite(rows).all() \
                or (rows < 0).any() or not (rows.sum(axis=1) > 0).all():
            raise ModelError(f"The per-parent shapes of {where(self.table, self.column)} given the parent must be "
                             f"rows of {width} non-negative weights, each with a positive sum. Refit the model.",
                             table=self.table, column=self.column)
        return np.vstack([_cdf(row) for row in rows])

    def _boundaries(self) -> np.ndarray:
        """``C_b`` for ``b = 0 .. n_blocks`` (int64), exact: int64 when ``n_rows * n_parents`` fits, Python
        integers otherwise (a few milliseconds for 10**5 blocks)."""
        if self.n_parents == 0:
            return np.zeros(1, dtype=np.int64)
        edges = np.minimum(np.arange(self.n_blocks + 1, dtype=np.int64) * self.block_size, self.n_parents)
        if self.n_rows * self.n_parents < (1 << 63):
            return self.n_rows * edges // self.n_parents
        return (edges.astype(object) * self.n_rows // self.n_parents).astype(np.int64)

    # -- level 2 ------------------------------------------------------------------------------------------

    def _block_counts(self, b: int) -> np.ndarray:
        """Children of each parent of block ``b`` (int64), summing exactly to the block's rows."""
        lo = b * self.block_size
        size = min(self.block_size, self.n_parents - lo)
        total = int(self._bounds[b + 1] - self._bounds[b])
        counts = np.zeros(size, dtype=np.int64)
        if total == 0:
            return counts
        parents = np.arange(lo, lo + size, dtype=np.int64)
        priority = bits(sub_key(self.key, _PRIORITY), parents)
        if self.cap is not None:
            cap = self.cap
            _settle(counts, total, priority, [lambda c: cap - c], [])
            return counts

        def unbounded(c: np.ndarray) -> np.ndarray:
            return np.full(c.size, total, dtype=np.int64)

        u = uniforms(sub_key(self.key, _DRAW), parents)
        if self._shape is None:
            counts[:] = _poisson(total / size, u)
            _settle(counts, total, priority, [unbounded], [lambda c: c])
            return counts
        values = self._shape[0]
        if self._given is not None:
            # The count follows the parent: each parent's bin picks its row of conditional shapes.
            rows, width = self._given_cdf.shape
            bins = np.clip(np.asarray(self._given[0](parents), dtype=np.int64), 0, rows - 1)
            flat = (self._given_cdf + np.arange(rows)[:, None]).ravel()
            pick = np.searchsorted(flat, u + bins, side="right") - bins * width
            drawn = values[np.clip(pick, 0, width - 1)]
        else:
            drawn = values[np.searchsorted(self._cdf, u, side="right")]
        active = drawn > 0
        mass = float(drawn.sum())
        if mass > 0:
            scaled = drawn * (total / mass)
            scaled += uniforms(sub_key(self.key, _ROUND), parents)
            counts[:] = np.floor(scaled)
        low, high = self._low, self._high
        np.clip(counts, low, high, out=counts)
        counts[~active] = 0
        def few_new_parents(c: np.ndarray) -> np.ndarray:
            # rows still missing go to as few parents drawn at zero as they fill at the range's low (the
            # highest-priority ones): a shape of a few big parents stays a few big parents, not a thin
            # layer of children over every parent
            missing = total - int(c.sum())
            idle = np.flatnonzero(c == 0)
            if missing <= 0 or not idle.size:
                return np.zeros(c.size, dtype=np.int64)
            k = min(idle.size, -(-missing // max(low, 1)))
            chosen = idle[np.argsort(priority[idle], kind="stable")[:k]]
            room = np.zeros(c.size, dtype=np.int64)
            room[chosen] = high
            return room

        _settle(counts, total, priority,
                add=[lambda c: np.where(active, np.maximum(high - c, 0), 0),  # inside the range
                     few_new_parents,                                          # then a few parents drawn at zero
                     lambda c: np.maximum(high - c, 0),
                     unbounded],
                remove=[lambda c: np.maximum(c - low, 0),                     # down to the range's low
                        lambda c: np.maximum(c - 1, 0),                       # then down to one child
                        lambda c: c])
        return counts

    def _block_owners(self, b: int) -> np.ndarray | None:
        """The parent (within block ``b``) of each of the block's child rows, for interleaved lookups: one
        gather instead of a binary search per row. None when the block has more than ``_DENSE_ROWS`` rows."""
        owners = self._owner_cache.get(b)
        if owners is None:
            ends = self._block_ends(b)
            if int(ends[-1]) > _DENSE_ROWS:
                return None
            owners = np.repeat(np.arange(ends.size - 1, dtype=np.int32), np.diff(ends))
            self._owner_cache[b] = owners
            while len(self._owner_cache) > CACHE_BLOCKS:
                self._owner_cache.popitem(last=False)
        else:
            self._owner_cache.move_to_end(b)
        return owners

    def _block_ends(self, b: int) -> np.ndarray:
        """Exclusive cumulative counts of block ``b`` (length block size + 1, from 0), through the LRU cache."""
        ends = self._cache.get(b)
        if ends is not None:
            self._cache.move_to_end(b)
            return ends
        counts = self._block_counts(b)
        ends = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=ends[1:])
        self._steps[b] = int(counts[0]) if counts.size and bool((counts == counts[0]).all()) else 0
        self._cache[b] = ends
        while len(self._cache) > CACHE_BLOCKS:
            self._steps.pop(self._cache.popitem(last=False)[0], None)
        return ends

    def _block_step(self, b: int) -> int:
        """The child count every parent of block ``b`` has, or 0 when the counts differ. Under a cap, counts are
        the block's rows spread evenly, so a whole number of rows per parent needs no counts; otherwise the
        block's counts tell (kept beside its cached cumulative counts)."""
        if self.cap is not None:
            total = int(self._bounds[b + 1] - self._bounds[b])
            size = min(self.block_size, self.n_parents - b * self.block_size)
            if total % size == 0 and total // size <= self.cap:
                return total // size
        step = self._steps.get(b) if b in self._cache else None
        if step is None:
            self._block_ends(b)
            step = self._steps[b]
        return step

    def _steady_rows(self, r: np.ndarray) -> int:
        """``c`` when every parent the rows ``r`` can fall under has exactly ``c`` children, laid out in order
        (``n_rows == c * n_parents``, not interleaved): then a row's parent is ``row // c``. Else 0."""
        if self.interleave or not r.size or not self.n_parents or self.n_rows % self.n_parents:
            return 0
        c = self.n_rows // self.n_parents
        first, last = int(r.min()) // c // self.block_size, int(r.max()) // c // self.block_size
        return c if all(self._block_step(b) == c for b in range(first, last + 1)) else 0

    # -- public ---------------------------------------------------------------------------------------------

    @property
    def state_bytes(self) -> int:
        """Bytes of state kept: the level-1 boundaries plus the cached level-2 blocks."""
        return (int(self._bounds.nbytes) + sum(int(ends.nbytes) for ends in self._cache.values())
                + sum(int(owners.nbytes) for owners in self._owner_cache.values()))

    def parent_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(parent index, position within the parent)`` of child rows (int64 arrays, flattened), rows in any
        order, duplicates allowed. Positions run 0 .. c-1 under each parent: line numbers."""
        r = as_rows(rows, table=self.table, column=self.column)
        if r.size and int(r.max()) >= self.n_rows:
            raise RowCountError(f"Row indices of {where(self.table, self.column)} must lie in [0, {self.n_rows:,}) "
                                f"(the rows laid out under their parents); got {int(r.min()):,} .. "
                                f"{int(r.max()):,}.", table=self.table, column=self.column)
        steady = self._steady_rows(r)
        if steady:  # every parent has the same count: no grouping by block, no search
            parent = r // steady
            return parent, r - parent * steady
        parent = np.empty(r.size, dtype=np.int64)
        position = np.empty(r.size, dtype=np.int64)
        for b, sel in _row_groups(self._bounds, r):
            first = int(self._bounds[b])
            local = r[sel] - first
            ends = self._block_ends(b)
            if self.interleave:
                total = int(self._bounds[b + 1]) - first
                local = _interleave(local, total, sub_key(self.key, b, _INTERLEAVE))
            step = self._block_step(b)
            if step:
                p = local // step
                position[sel] = local - p * step
            else:
                owners = self._block_owners(b) if self.interleave else None
                p = owners[local].astype(np.int64) if owners is not None else _owners(ends, local)
                position[sel] = local - ends[p]
            p += b * self.block_size
            parent[sel] = p
        return parent, position

    def counts(self, parents: np.ndarray) -> np.ndarray:
        """Children of the given parent indices (int64, flattened), in any order."""
        p = as_rows(parents, table=self.table, column=self.column)
        if p.size and int(p.max()) >= self.n_parents:
            raise RowCountError(f"Parent indices of {where(self.table, self.column)} must lie in "
                                f"[0, {self.n_parents:,}); got {int(p.min()):,} .. {int(p.max()):,}.",
                                table=self.table, column=self.column)
        out = np.empty(p.size, dtype=np.int64)
        for b, sel in _groups(p // self.block_size):
            ends = self._block_ends(b)
            local = p[sel] - b * self.block_size
            out[sel] = ends[local + 1] - ends[local]
        return out

    def children(self, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The child rows of the given parents, parent after parent (each parent's in line-number order), and
        how many each has: the inverse of :meth:`parent_of`."""
        p = as_rows(parents, table=self.table, column=self.column)
        counts = self.counts(p)
        first = np.empty(p.size, dtype=np.int64)
        for b, sel in _groups(p // self.block_size):
            first[sel] = self._block_ends(b)[p[sel] - b * self.block_size]
        total = int(counts.sum())
        starts = np.cumsum(counts) - counts
        position = np.repeat(first - starts, counts) + np.arange(total, dtype=np.int64)  # block-local positions
        block = np.repeat(p // self.block_size, counts)
        rows = np.empty(total, dtype=np.int64)
        for b, sel in _groups(block):
            base = int(self._bounds[b])
            local = position[sel]
            if self.interleave:
                local = _deinterleave(local, int(self._bounds[b + 1]) - base, sub_key(self.key, b, _INTERLEAVE))
            rows[sel] = base + local
        return rows, counts

    def __repr__(self) -> str:
        return (f"ChildLayout({where(self.table, self.column)}: {self.n_rows:,} rows under {self.n_parents:,} "
                f"parents in {self.n_blocks:,} blocks, cap={self.cap}, interleave={self.interleave})")


# -- ParentPicker ----------------------------------------------------------------------------------------


class ParentPicker:
    """Drawn (non-owning) foreign keys following the learned popularity of parents, O(levels) state.

    The shape ``{"counts": [0, 1, 3, ...], "weights": [...]}`` is the learned references-per-parent histogram.
    Level ``k`` holds the parents at ranks ``[E_k, E_{k+1})`` of a seeded permutation, ``E`` the cumulative
    weights times ``n_parents`` rounded (exact total). A row picks level ``k`` with probability proportional to
    ``size_k * count_k`` (levels of count 0 are never picked), then a uniform rank in it: so a parent's expected
    references are proportional to its level's count. ``shape=None``: uniform over the parents.
    """

    def __init__(self, n_parents: int, key: int, *, shape: Mapping | None = None, table: str | None = None,
                 column: str | None = None):
        self.table, self.column = table, column
        self.n_parents = _count(n_parents, "The parent count", table, column)
        self.key = int(key)
        parsed = _shape(shape, table, column)
        values, probs = parsed if parsed is not None else (np.ones(1), np.ones(1))
        if parsed is not None and shape.get("exponent") is not None and self.n_parents:
            values, probs = power_law_levels(_exponent(shape["exponent"], table, column), self.n_parents,
                                             float(probs[values == 0].sum()))
        if not (values > 0).any():
            raise ModelError(f"The references-per-parent shape of {where(table, column)} has no positive count, so "
                             f"no parent could be referenced; got counts {values.tolist()}. Refit the model.",
                             table=table, column=column)
        self.values = values
        edges = np.rint(np.cumsum(probs) * self.n_parents)
        np.clip(edges, 0, self.n_parents, out=edges)
        edges[-1] = self.n_parents
        sizes = np.diff(np.concatenate(([0], np.maximum.accumulate(edges).astype(np.int64))))
        if self.n_parents and not (sizes[values > 0] > 0).any():
            # Too few parents for any popular level to get one by rounding: move one into the likeliest.
            sizes[int(np.argmax(sizes))] -= 1
            sizes[int(np.argmax(np.where(values > 0, probs, -1.0)))] += 1
        self.sizes = sizes
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        mass = sizes * values
        self._levels = np.flatnonzero(mass > 0)
        self._cdf = _cdf(mass[self._levels]) if self._levels.size else np.ones(1)
        self._low = np.concatenate(([0.0], self._cdf[:-1]))
        self._perm_key = sub_key(self.key, _PERMUTATION)
        self._table: np.ndarray | None = None

    def pick(self, rows: np.ndarray) -> np.ndarray:
        """A parent index per child row (int64, flattened): a pure function of (key, row)."""
        r = as_rows(rows, table=self.table, column=self.column)
        if r.size and not self.n_parents:
            raise CapacityError(f"{where(self.table, self.column)} references a parent table with 0 rows, but "
                                f"{r.size:,} rows need a parent. Ask for at least one parent row, or 0 child rows.",
                                table=self.table, column=self.column)
        if not r.size:
            return np.zeros(0, dtype=np.int64)
        u = uniforms(sub_key(self.key, _LEVEL), r)
        k = np.searchsorted(self._cdf, u, side="right")
        np.minimum(k, self._levels.size - 1, out=k)
        # the draw's place inside its level's share of [0, 1) is a uniform of its own: the rank in the level
        low = self._low[k]
        u -= low
        u /= self._cdf[k] - low
        level = self._levels[k]
        size = self.sizes[level]
        rank = (u * size).astype(np.int64)
        np.clip(rank, 0, size - 1, out=rank)
        rank += self.starts[level]
        if self.n_parents <= _PICK_TABLE:
            if self._table is None:
                self._table = self._permute(np.arange(self.n_parents, dtype=np.int64))
            return self._table[rank]
        return self._permute(rank)

    def _permute(self, x: np.ndarray, inverse: bool = False) -> np.ndarray:
        """Parent of each popularity rank (or, inverted, rank of each parent): a seeded bijection."""
        return permute(x, self.n_parents, self._perm_key, inverse=inverse, table=self.table, column=self.column)

    def weight(self, parents: np.ndarray) -> np.ndarray:
        """The popularity level of each parent: its level's count in the shape (float64; 1.0 for every parent
        when there is no shape). A parent's expected references are proportional to it; 0 means never picked."""
        p = as_rows(parents, table=self.table, column=self.column)
        if p.size and int(p.max()) >= self.n_parents:
            raise RowCountError(f"Parent indices of {where(self.table, self.column)} must lie in "
                                f"[0, {self.n_parents:,}); got {int(p.min()):,} .. {int(p.max()):,}.",
                                table=self.table, column=self.column)
        if not p.size:
            return np.zeros(0, dtype=np.float64)
        rank = self._permute(p, inverse=True)
        return self.values[np.searchsorted(self.starts, rank, side="right") - 1]

    def __repr__(self) -> str:
        return (f"ParentPicker({where(self.table, self.column)}: {self.n_parents:,} parents in "
                f"{self.values.size} popularity levels)")
