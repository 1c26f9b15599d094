"""Key columns, and columns read from a parent: pure functions of the row index.

``sequence``       integer primary key: ``start + step * row``
``key_pattern``    string primary key: ``pattern`` filled with ``start + row`` (capacity: the pattern's)
``uuid``           version-4 UUIDs from a counter-based hash of (seed, table, column, row)
``line_number``    a row's position among its parent's children, plus ``start``
``foreign_key``    the referenced key at the row's parent index (``role``: owner, partner, draw, self)
``parent_column``  a column of the parent row (``unit_price = products.price``), computed at the parent index
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import keys as keyfuncs
from ..errors import SchemaError, where
from ..randomness import sub_key
from ..schema import Column
from ..text import _parse_pattern as _tokens
from ..text import format_pattern, learn_key_formats, learn_pattern, pattern_capacity
from .base import ColumnGenerator, DrawContext, FitContext, arrow_type, numbers_array, register, with_nulls


@register
class Sequence(ColumnGenerator):
    """Integer primary key: ``start + step * row``."""

    kind = "sequence"
    required = ("start", "step")

    def check(self) -> None:
        for field in self.required:
            value = self.params[field]
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(f"has {field} {value!r}; it must be an integer")

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """Start at the smallest sample key; the step when the keys are evenly spaced, else 1."""
        start, step = 1, 1
        if len(values):
            ordered = np.sort(values.to_numpy(dtype=np.int64))
            start = int(ordered[0])
            diffs = np.unique(np.diff(ordered)) if len(ordered) > 1 else np.array([1])
            step = int(diffs[0]) if len(diffs) == 1 and diffs[0] > 0 else 1
        return {"kind": "sequence", "start": start, "step": step}

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return pa.array(np.int64(self.params["start"]) + np.int64(self.params["step"]) * rows)


@register
class KeyPattern(ColumnGenerator):
    """String primary key: the ``start + row``-th string of a pattern such as ``C-######``."""

    kind = "key_pattern"
    required = ("pattern", "start")

    def check(self) -> None:
        if not isinstance(self.params["pattern"], str) or isinstance(self.params["start"], bool) \
                or not isinstance(self.params["start"], int):
            raise self.fail("needs a 'pattern' string and an integer 'start'")
        pattern_capacity(self.params["pattern"])

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """The format the keys share (or the hinted one), counting from the smallest sample key; a
        table-named format (``CUS-000000``) when the keys share none."""
        n = len(values)
        pattern = hints.pattern or (learn_pattern(values.astype(str)) if n else None)
        start = 0
        if pattern and n and set(_placeholders(pattern)) == {"#"}:
            digits = values.astype(str).str.replace(r"\D", "", regex=True)
            widest = int(digits.str.len().max())
            # Exact (no float on the way): the smallest number, compared as zero-padded digit strings.
            smallest = digits.str.zfill(widest).min() if widest else ""
            start = int(smallest) if smallest and int(smallest) < 2**62 else 0
        if not pattern:
            width = max(6, len(str(max(n, 1))))
            pattern = f"{ctx.table[:3].upper()}-{'#' * width}"
        return {"kind": "key_pattern", "pattern": pattern, "start": start}

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        return pattern_capacity(self.params["pattern"]) - int(self.params["start"])

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return format_pattern(self.params["pattern"], int(self.params["start"]) + rows)


NATURAL_BLOCK = 1 << 10
"""Natural keys share each block of this many rows among their formats by weight."""


@register
class NaturalKey(ColumnGenerator):
    """String primary key in the samples' own formats (``UA``, ``04G``, ``N102UW``): each block of rows split
    among the formats by weight, each format's keys a seeded permutation of its whole domain, so keys are
    distinct (one format per length), look like the samples' and are not the samples'."""

    kind = "natural_key"
    required = ("formats",)

    def check(self) -> None:
        formats = self.params["formats"]
        if not isinstance(formats, list) or not formats or not all(
                isinstance(f, dict) and isinstance(f.get("pattern"), str) and isinstance(f.get("weight"), (int, float))
                and f["weight"] >= 0 for f in formats) or not sum(f["weight"] for f in formats) > 0:
            raise self.fail("needs 'formats': a list of {'pattern', 'weight'} with non-negative weights")
        lengths = [len(_tokens(f["pattern"])) for f in formats]
        if len(set(lengths)) != len(lengths):
            raise self.fail("has two formats of one length; their keys could collide")
        for f in formats:
            pattern_capacity(f["pattern"])

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        formats = learn_key_formats(values.astype(str))
        return {"kind": "natural_key", "formats": formats or [{"pattern": "*" * 6, "weight": 1.0}]}


    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        return natural_capacity(self.params["formats"])

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        counts = _shares(self.params["formats"])
        starts = np.concatenate([[0], np.cumsum(counts)])
        key = ctx.key(self.name, "natural")
        slot = keyfuncs.permute(rows % NATURAL_BLOCK, NATURAL_BLOCK, key, table=self.table, column=self.name)
        which = np.searchsorted(starts, slot, side="right") - 1
        rank = rows // NATURAL_BLOCK * counts[which] + (slot - starts[which])
        pieces, order = [], []
        for f, spec in enumerate(self.params["formats"]):
            at = np.flatnonzero(which == f)
            if not at.size:
                continue
            ids = keyfuncs.permute(rank[at], pattern_capacity(spec["pattern"]), sub_key(key, f + 1),
                                   table=self.table, column=self.name)
            pieces.append(format_pattern(spec["pattern"], ids))
            order.append(at)
        if not pieces:
            return pa.array([], pa.string())
        joined = pa.concat_arrays(pieces)
        return joined.take(pa.array(np.argsort(np.concatenate(order), kind="stable")))


def _shares(formats: list[dict[str, Any]]) -> np.ndarray:
    """Rows of each block given to each format: largest remainders of the weights."""
    w = np.asarray([f["weight"] for f in formats], dtype=np.float64)
    exact = w / w.sum() * NATURAL_BLOCK
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: NATURAL_BLOCK - int(counts.sum())]] += 1
    return counts


def natural_capacity(formats: list[dict[str, Any]]) -> int:
    """Rows a natural key can number before one of its formats runs out."""
    caps = [pattern_capacity(f["pattern"]) for f in formats]
    return int(min(cap // c * NATURAL_BLOCK for cap, c in zip(caps, _shares(formats)) if c > 0))


@register
class TimeGrid(ColumnGenerator):
    """A date or datetime key on a regular grid: ``start + step * i``, with ``i`` the row's position under its
    parent (weather per station per hour) or the row itself."""

    kind = "time_grid"
    required = ("start", "step", "by")

    def check(self) -> None:
        for field in ("start", "step"):
            value = self.params[field]
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.fail(f"has {field} {value!r}; it must be a whole number of seconds")
        if self.params["step"] <= 0 or self.params["by"] not in ("position", "row"):
            raise self.fail("needs a positive 'step' and 'by' = 'position' or 'row'")

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """From the earliest sample time, in the most common step between distinct times."""
        stamps = pd.to_datetime(values, errors="coerce", utc=True).dropna().dt.tz_localize(None)
        seconds = np.unique((stamps - pd.Timestamp(0)) // pd.Timedelta(seconds=1)) if len(stamps) else np.array([])
        unit = 86400 if hints.type == "date" else 1
        start = int(seconds[0]) if len(seconds) else 1_577_836_800  # 2020-01-01
        gaps = np.diff(seconds)
        gaps = gaps[gaps > 0]
        if len(gaps):
            steps, counts = np.unique(gaps, return_counts=True)
            step = int(steps[counts.argmax()])
        else:
            step = unit if hints.type == "date" else 3600
        step = max(unit, step // unit * unit)
        return {"kind": "time_grid", "start": start, "step": step, "by": "position" if ctx.line_number else "row"}

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        index = ctx.positions() if self.params["by"] == "position" else rows
        seconds = np.int64(self.params["start"]) + np.int64(self.params["step"]) * index
        return numbers_array(self.type, seconds.astype("datetime64[s]"))


@register
class Uuid(ColumnGenerator):
    """Version-4 UUID strings, distinct per row by construction."""

    kind = "uuid"

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        return {"kind": "uuid"}

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return keyfuncs.uuid_strings(ctx.key(self.name, "uuid"), rows)


@register
class LineNumber(ColumnGenerator):
    """Position of the row among its parent's children, from ``start`` (TPC-H's ``l_linenumber``)."""

    kind = "line_number"
    required = ("start",)

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """Number from the smallest sample line number (1 without samples)."""
        return {"kind": "line_number", "start": int(values.min()) if len(values) else 1}

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return pa.array(ctx.positions() + np.int64(self.params["start"]))


@register
class ForeignKey(ColumnGenerator):
    """The referenced key at the row's parent index; the parent index comes from the key's role."""

    kind = "foreign_key"
    required = ("role", "foreign_key", "references")

    def check(self) -> None:
        if self.params["role"] not in ("owner", "partner", "draw", "self"):
            raise self.fail(f"has role {self.params['role']!r}; expected owner, partner, draw or self")
        index = self.params["foreign_key"]
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise self.fail(f"names foreign key {index!r}; it must be the key's position in the schema")

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        parents, mask = ctx.parent_rows(int(self.params["foreign_key"]))
        ref_table, ref_column = str(self.params["references"]).split(".", 1)
        values = ctx.key_values(ref_table, ref_column, parents)
        return with_nulls(values, mask)


@register
class ParentColumn(ColumnGenerator):
    """A column of the row's parent (through foreign key ``foreign_key``), read at the parent index."""

    kind = "parent_column"
    required = ("foreign_key", "column")

    def check(self) -> None:
        index = self.params["foreign_key"]
        if isinstance(index, bool) or not isinstance(index, int) or index < 0 or \
                not isinstance(self.params["column"], str):
            raise self.fail("needs the position of a foreign key ('foreign_key') and a parent 'column'")

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        values = ctx.parent_values(int(self.params["foreign_key"]), self.params["column"])
        target = arrow_type(self.type)
        if pa.types.is_dictionary(values.type) and self.type == "category":
            return values
        if pa.types.is_dictionary(values.type):
            values = values.dictionary_decode()
        return values if values.type == target else values.cast(target)


# -- learning -------------------------------------------------------------------------------

def fit_primary_key(values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
    """The key generator of a primary-key column: a line number beside the owning foreign key, a
    sequence for integers, UUIDs, or a learned (else table-named) format for strings."""
    if ctx.line_number and hints.type == "integer":
        return LineNumber.fit(values, hints, ctx)
    if hints.type in ("date", "datetime"):
        return TimeGrid.fit(values, hints, ctx)
    if hints.type == "integer":
        return Sequence.fit(values, hints, ctx)
    if hints.type == "uuid":
        return Uuid.fit(values, hints, ctx)
    if hints.type in ("string", "category"):
        if hints.pattern is None and hints.semantic is None and len(values) \
                and learn_pattern(values.astype(str)) is None:
            natural = NaturalKey.fit(values, hints, ctx)
            # Kept when its formats have room for many more keys than the samples hold.
            if natural_capacity(natural["formats"]) >= 4 * len(values):
                return natural
        return KeyPattern.fit(values, hints, ctx)
    raise SchemaError(f"Primary key {where(ctx.table, hints.name)} has type {hints.type}; primary keys must be "
                      f"integer, string, category, uuid, date or datetime. Change its type or the primary key.",
                      table=ctx.table, column=hints.name)


def _placeholders(pattern: str) -> list[str]:
    out, escaped = [], False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in "#?@":
            out.append(ch)
    return out
