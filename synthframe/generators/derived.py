"""Columns computed from another column of the row or of its parent row, so a rule of the samples holds.

``offset``  a date or datetime: the ``base`` date (a column of the row, or of the parent row through a
            foreign key) plus a learned gap that is never negative (``l_receiptdate = l_shipdate + 1..30
            days``), so the order holds in every row and the dates move together.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
