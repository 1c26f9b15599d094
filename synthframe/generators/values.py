"""Value columns: numbers and dates from a fitted distribution, and levels drawn by frequency.

``distribution``  a scipy family or empirical quantiles, truncated to the column's bounds, drawn by
                  inverse CDF (closed forms or a quantile table, never scipy per value); integers
                  rounded, decimals kept; dates and datetimes as days or seconds since the epoch
                  (``time_unit``) on their learned resolution. Unique: the column's grid from its
                  minimum, indexed by a permutation of the whole grid.
``frequencies``   levels with weights: categories, booleans, small integer domains, date levels.
                  Unique: each level once, by a permutation of the levels.

Both read their uniforms through ``ctx.value_uniforms`` so the table's copula can correlate them.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import distributions as dist
from ..errors import SampleError, SchemaError, SynthframeError, where
from ..randomness import bits, stream_key
from ..schema import Column
from .base import EPOCH, ColumnGenerator, DrawContext, FitContext, levels_array, numbers_array, register, with_nulls

_TINY = 1e-12


def _time_values(params: Mapping[str, Any], steps: np.ndarray) -> np.ndarray:
    """Day or second counts since the epoch as datetime64[s], on the column's resolution."""
    per_unit = 86400 if params["time_unit"] == "D" else 1
    steps = np.asarray(steps, dtype=np.int64)
    resolution = int(params.get("resolution", 1))
    if resolution > 1:
        steps = steps // resolution * resolution
    return EPOCH + (steps * per_unit).astype("timedelta64[s]")


@register
class Distribution(ColumnGenerator):
    """Numbers and dates from a fitted distribution within bounds."""

    kind = "distribution"
    required = ("distribution", "min", "max")

    def check(self) -> None:
        spec = self.params["distribution"]
        if not isinstance(spec, Mapping) or not isinstance(spec.get("params"), Mapping) or \
                spec.get("name") not in (*dist.FAMILIES, dist.EMPIRICAL):
            raise self.fail(f"has distribution {spec!r}, which needs a 'name' among "
                            f"{[*dist.FAMILIES, dist.EMPIRICAL]} and 'params'")
        try:
            dist.from_hint({"name": spec["name"], **spec["params"]}, table=self.table, column=self.name)
        except SynthframeError as exc:
            raise self.fail(f"has a damaged distribution ({exc.message})") from None
        if "clock" in self.params and (self.params["clock"] is not True or not (
                self.params.get("integer") or self.params.get("decimals") == 0)):
            raise self.fail("has 'clock', which must be true, and only on a column of whole numbers")
        _check_calendar(self)

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """A numeric or date column: the best family within its bounds, or frequencies when its domain
        is small (ratings, quantities)."""
        with np.errstate(over="ignore", invalid="ignore"):  # numbers near the float limit overflow in sums
            if hints.type in ("date", "datetime"):
                return _fit_temporal(ctx.table, hints, values)
            return _fit_numeric(ctx.table, hints, values)

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        if not self.unique or self.params.get("min") is None or self.params.get("max") is None:
            return None
        return _unique_grid(self.params)[2]

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        p = self.params
        lo, hi = p["min"], p["max"]
        if self.unique:
            start, step, count = _unique_grid(p)
            ids = ctx.unique_ids(self.name, count if hi is not None else None)
            if p.get("integer"):
                x: np.ndarray = np.int64(start) + ids
            else:
                decimals = p.get("decimals") if p.get("decimals") is not None else 6
                # A coarser step (huge numbers) counts from the start in steps, so the sum cannot overflow.
                x = _round(start + ids / 10.0**decimals if step == 10.0**-decimals else (start / step + ids) * step,
                           decimals)
        else:
            c_lo, c_hi = _truncation(p["distribution"], lo, hi)
            scores = ctx.value_scores(self.name)
            if scores is not None:
                x = dist.draw_scores(p["distribution"], scores, c_lo, c_hi)
            else:
                u = np.clip(c_lo + ctx.value_uniforms(self.name) * (c_hi - c_lo), _TINY, 1.0 - _TINY)
                x = dist.draw(p["distribution"], u)
            if lo is not None or hi is not None:
                np.clip(x, lo, hi, out=x)
            decimals = 0 if p.get("integer") else p.get("decimals")
            if decimals is not None:
                bounded = lo is not None and hi is not None
                x = _round(x, decimals, max(abs(lo), abs(hi)) if bounded else None)
                if lo is not None or hi is not None:  # rounding must not step outside the bounds
                    np.clip(x, *_grid_bounds(lo, hi, decimals), out=x)
            if p.get("clock"):  # a time of day written HHMM: the last two digits are minutes, 0-59
                x = np.floor_divide(x, 100) * 100 + np.floor_divide(np.mod(x, 100) * 60, 100)
            if p.get("integer"):
                x = x.astype(np.int64)
        if "time_unit" in p:
            return numbers_array(self.type, _time_values(p, x))
        if "calendar" in p:
            return calendar_days(numbers_array(self.type, x), p["calendar"], ctx, self.type)
        return numbers_array(self.type, x)


@register
class Frequencies(ColumnGenerator):
    """Levels drawn by their learned weights: categories, booleans, small domains, date levels."""

    kind = "frequencies"
    required = ("values", "weights")

    def check(self) -> None:
        values, weights = self.params["values"], self.params["weights"]
        if not isinstance(values, list) or not isinstance(weights, list) or not values:
            raise self.fail("needs non-empty lists 'values' and 'weights'")
        if len(values) != len(weights):
            raise self.fail(f"has {len(values)} levels but {len(weights)} weights")
        w = np.asarray(weights, dtype=np.float64)
        if not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
            raise self.fail("has weights that are not finite, non-negative numbers with a positive sum")
        _check_calendar(self)

    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """Levels and weights: the schema's ``values`` (weighted by the samples when not given), a
        boolean's share of true, or the samples' levels — without levels seen once in text columns,
        so a value identifying one person is not copied into the model."""
        if hints.values is not None:
            return _frequencies_from_hint(ctx.table, hints, values)
        if hints.type == "boolean":
            p = float(values.astype(bool).mean()) if len(values) else 0.5
            return {"kind": "frequencies", "values": [True, False], "weights": [p, 1.0 - p]}
        return _frequencies(values, private=hints.type != "category")

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        return len(self.params["values"]) if self.unique else None

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        if self.unique:
            codes = ctx.unique_ids(self.name, self.capacity())
        else:
            codes = _choice(tuple(self.params["weights"]), ctx.value_uniforms(self.name))
        if "time_unit" in self.params:
            steps = np.asarray(self.params["values"], dtype=np.int64)[codes]
            return numbers_array(self.type, _time_values(self.params, steps))
        if "calendar" in self.params:
            return calendar_days(levels_array(self.type, self.params["values"], codes), self.params["calendar"], ctx,
                                 self.type)
        return levels_array(self.type, self.params["values"], codes, coded=True)


def _check_calendar(generator: ColumnGenerator) -> None:
    calendar = generator.params.get("calendar")
    if calendar is not None and not (isinstance(calendar, Mapping) and set(calendar) == {"year", "month"}
                                     and all(isinstance(v, str) for v in calendar.values())
                                     and generator.type in ("integer", "float")):
        raise generator.fail("has 'calendar', which needs {'year': column, 'month': column} on a number column")


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def calendar_days(days: pa.Array, calendar: Mapping[str, str], ctx: DrawContext, kind: str) -> pa.Array:
    """A day-of-month column kept within its row's month (``year``, ``month`` columns of the row): a day past
    the month's end (30 February) wraps to the month's start (2 March's day number, 2), so every row is a date.
    Rows whose year or month is missing or out of range keep their day."""
    day = np.asarray(pc.cast(days, pa.float64()).to_numpy(zero_copy_only=False))
    year = np.asarray(pc.cast(ctx.values(calendar["year"]), pa.float64()).to_numpy(zero_copy_only=False))
    month = np.asarray(pc.cast(ctx.values(calendar["month"]), pa.float64()).to_numpy(zero_copy_only=False))
    known = np.isfinite(year) & np.isfinite(month) & (month >= 1) & (month <= 12) & np.isfinite(day) & (day >= 1)
    if not known.any():
        return days
    y = np.where(known, year, 2001).astype(np.int64)
    m = np.where(known, month, 1).astype(np.int64)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    length = _MONTH_DAYS[m - 1] + ((m == 2) & leap)
    past = known & (day > length)
    if not past.any():
        return days
    fixed = np.where(past, 1 + np.mod(np.nan_to_num(day) - 1, length), day)
    missing = np.isnan(day)
    out = numbers_array(kind, np.nan_to_num(fixed).astype(np.int64) if kind == "integer" else np.nan_to_num(fixed))
    return with_nulls(out, missing if missing.any() else None)


MAX_UNIQUE_GRID = 2**52
"""Most points of a unique number column's grid: floats tell that many steps apart."""


def _unique_grid(p: Mapping[str, Any]) -> tuple[float, float, int]:
    """A unique number column's grid: its start, step and point count (at most :data:`MAX_UNIQUE_GRID`). The step
    is the column's decimals, or coarser where the numbers are too large for floats to tell such steps apart."""
    lo, hi = float(p["min"] or 0), p["max"]
    if p.get("integer"):
        count = MAX_UNIQUE_GRID if hi is None else int(hi) - int(lo) + 1
        return lo, 1.0, min(count, MAX_UNIQUE_GRID)
    step = 10.0 ** -(p.get("decimals") if p.get("decimals") is not None else 6)
    far = max(abs(lo), abs(float(hi if hi is not None else lo)))
    if np.spacing(far) * 2 > step:
        step = 10.0 ** math.ceil(math.log10(np.spacing(far) * 2))
    points = float(hi) / step - lo / step if hi is not None else math.inf  # apart: hi - lo may overflow
    return lo, step, int(min(math.floor(points + 1e-9) + 1, MAX_UNIQUE_GRID)) if math.isfinite(points) \
        else MAX_UNIQUE_GRID


@lru_cache(maxsize=4096)
def _grid_bounds(lo: float | None, hi: float | None, decimals: int) -> tuple[float | None, float | None]:
    """The smallest and largest numbers of ``decimals`` decimals within ``[lo, hi]`` (the bounds themselves when
    none lies there: the fit makes sure one does)."""
    def inside(bound: float | None, direction: int) -> float | None:
        if bound is None:
            return None
        near = float(_round(np.array([bound]), decimals)[0])
        if (near - bound) * direction >= 0 or math.isclose(near, bound, rel_tol=1e-12, abs_tol=0.0):
            return near
        return float(_round(np.array([near + direction * 10.0**-decimals]), decimals)[0])

    g_lo, g_hi = inside(lo, 1), inside(hi, -1)
    return (lo, hi) if g_lo is not None and g_hi is not None and g_lo > g_hi else (g_lo, g_hi)


def _round(x: np.ndarray, decimals: int, bound: float | None = None) -> np.ndarray:
    """``x`` rounded to ``decimals``; numbers too large to have decimals stay as they are (rounding them would
    overflow to infinity). ``bound``: the largest ``|x|`` can be, when known (then, if small enough, rounded in
    place with no check)."""
    if bound is not None and bound * 10.0 ** max(decimals, 0) < 1e300:
        return np.round(x, decimals, out=x)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.round(x, decimals)
    return np.where(np.isfinite(out), out, x)


def _choice(weights: tuple[float, ...], u: np.ndarray) -> np.ndarray:
    """Level codes for uniform draws, exactly ``searchsorted(cumulative, u, side="right")``; over many levels
    through a guide table (Chen and Asau): the code at the start of the draw's bin, then a step up while the
    draw is past the level's end — a gather and a pass or two instead of a binary search per value."""
    cum, guide = _cumulative(weights)
    if len(cum) <= 4:  # a few levels: count the ends at or below each draw
        codes = np.zeros(len(u), dtype=np.int64)
        for end in cum[:-1]:  # a loop over the levels' ends (at most three), not rows
            codes += u >= end
        np.minimum(codes, len(cum) - 1, out=codes)
        return codes
    return search_right(cum, u, guide, 0.0, 1.0)


def search_right(ordered: np.ndarray, x: np.ndarray, guide: np.ndarray, start: float, span: float) -> np.ndarray:
    """Exactly ``searchsorted(ordered, x, side="right")``, at most the last index, for a non-decreasing
    ``ordered`` and ``x`` not NaN, given ``guide = span_guide(ordered, start, span)``: a gather and a step or
    two per value instead of a binary search. (The guide's bins start a hair early, so rounding in the bin of a
    value never overshoots its answer.)"""
    bins, last = len(guide), len(ordered) - 1
    cell = (x - start) * (bins / span)
    np.clip(cell, 0.0, float(bins - 1), out=cell)
    at = guide[cell.astype(np.int64)]
    np.minimum(at, last, out=at)
    todo = np.flatnonzero(ordered[at] <= x)
    while todo.size:
        at[todo] += 1
        todo = todo[(at[todo] < last) & (ordered[at[todo]] <= x[todo])]
    np.minimum(at, last, out=at)
    return at


def span_guide(ordered: np.ndarray, start: float, span: float) -> np.ndarray:
    """For ``4 x len(ordered)`` equal bins of ``[start, start + span)``, the first entry of ``ordered`` above the
    bin's start (the first bin: entry 0, so values below ``start`` are found too)."""
    bins = 4 * len(ordered)
    early = 1e-9 * (abs(start) + span)  # far more than the rounding of (x - start) * (bins / span)
    guide = np.searchsorted(ordered, start + np.arange(bins) * (span / bins) - early, side="right").astype(np.int64)
    guide[0] = 0
    return guide


def search_edges(edges: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``searchsorted(edges, x, side="right")`` for sorted finite ``edges`` (NaN past the last edge), through a
    cached guide table."""
    first, last = float(edges[0]), float(edges[-1])
    if len(edges) < 8 or not (last > first and np.isfinite(last - first)):
        return np.searchsorted(edges, x, side="right").astype(np.int64)
    ordered, guide = _edge_guide(tuple(edges.tolist()))
    nan = np.isnan(x)
    # at or past the last edge: past every edge, as the last edge itself is
    out = search_right(ordered, np.minimum(np.where(nan, first, x), last), guide, first, last - first)
    out[nan] = len(edges)
    return out


@lru_cache(maxsize=1024)
def _edge_guide(edges: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    ordered = np.append(np.asarray(edges, dtype=np.float64), np.inf)
    return ordered, span_guide(ordered[:-1], edges[0], edges[-1] - edges[0])


@lru_cache(maxsize=1024)
def _cumulative(weights: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Normalised cumulative weights, and the level at the start of each of ``4 x levels`` equal bins."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    cum /= cum[-1]
    return cum, span_guide(cum, 0.0, 1.0)


def _truncation(spec: Mapping[str, Any], lo: float | None, hi: float | None) -> tuple[float, float]:
    """CDF at the column's bounds, computed once per (distribution, bounds)."""
    return _truncation_cached(json.dumps(spec, sort_keys=True), lo, hi)


@lru_cache(maxsize=1024)
def _truncation_cached(spec_json: str, lo: float | None, hi: float | None) -> tuple[float, float]:
    spec = json.loads(spec_json)
    if spec["name"] == dist.EMPIRICAL:
        # Bounds at or beyond the stored quantiles truncate nothing: a spike of values at the
        # lower bound (a third of lifetime values are 0) must stay in.
        q = spec["params"]["quantiles"]
        c_lo = 0.0 if lo is None or lo <= q[0] else dist.cdf(spec, lo)
        c_hi = 1.0 if hi is None or hi >= q[-1] else dist.cdf(spec, hi)
    else:
        c_lo = dist.cdf(spec, lo) if lo is not None else 0.0
        c_hi = dist.cdf(spec, hi) if hi is not None else 1.0
    if not c_hi > c_lo:
        c_lo, c_hi = 0.0, 1.0
    return c_lo, c_hi


# -- learning -------------------------------------------------------------------------------

FIT_SUBSAMPLE = 2000
"""Values used to fit and score each numeric family (the full column gives bounds and frequencies)."""
MAX_FREQUENCY_LEVELS = 25
"""Numeric columns with at most this many distinct values (and repeats) are kept as frequencies."""
QUANTILES = 257
"""Points of the empirical-quantile fallback."""
_DEFAULT_DATE_RANGE = ("2020-01-01", "2025-12-31")
_DATE_LIMITS = ("0001-01-01", "9999-12-31")
"""The first and last day dates and datetimes are generated on."""


def _frequencies(values: pd.Series, *, private: bool = False) -> dict[str, Any]:
    """Levels by descending frequency. ``private``: drop levels seen once (when others repeat),
    so a free-text value that identifies one person is not copied into the model."""
    counts = values.value_counts(sort=True)
    if private and (counts >= 2).any():
        counts = counts[counts >= 2]
    levels = [_plain_scalar(v) for v in counts.index]
    total = float(counts.sum())
    if _evenly_spread(counts.to_numpy()):
        # The levels differ only by chance (a G-test against equal shares does not reject it): the
        # population's shares are equal, and the samples' scatter is not copied.
        return {"kind": "frequencies", "values": levels, "weights": [1.0 / len(levels)] * len(levels)}
    return {"kind": "frequencies", "values": levels, "weights": [float(c) / total for c in counts.to_numpy()]}


EVEN_SIGNIFICANCE = 0.01
"""Level counts are taken as equal shares unless a G-test rejects that at this level."""


def _evenly_spread(counts: np.ndarray) -> bool:
    """Whether level counts look like equal shares scattered by chance: at least 5 expected per level (so
    the test means something) and a G-test against equal shares not rejecting."""
    from scipy import stats

    n, k = float(counts.sum()), len(counts)
    if k < 2 or n / k < 5:
        return False
    expected = n / k
    g = 2.0 * float(np.sum(counts * np.log(np.maximum(counts, 1e-300) / expected)))
    return bool(stats.chi2.sf(g, k - 1) > EVEN_SIGNIFICANCE)


def _frequencies_from_hint(table: str, col: Column, values: pd.Series) -> dict[str, Any]:
    levels = list(col.values or ())
    if col.weights is not None:
        weights = list(col.weights)
    elif len(values):
        counts = values.astype(str).value_counts()
        observed = np.array([counts.get(str(v), 0) for v in levels], dtype=float) + 0.5
        weights = list(observed / observed.sum())
    else:
        weights = [1.0 / len(levels)] * len(levels)
    return {"kind": "frequencies", "values": [_plain_scalar(v) for v in levels], "weights": weights}


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


# -- numbers ------------------------------------------------------------------------------

def _decimals(x: np.ndarray) -> int | None:
    """The fewest decimals (0..6) that represent every value, or None for full precision."""
    for d in range(7):
        scaled = x * 10.0**d
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return d
    return None


def _bounds(lo_hint: Any, hi_hint: Any, x: np.ndarray, default_span: float) -> tuple[float, float]:
    """The column's range: hints win; a missing side comes from the samples, or from the other side
    and the samples' span (``default_span`` without samples), so one-sided hints never invert it."""
    with np.errstate(over="ignore"):
        span = float(x.max() - x.min()) if len(x) and x.max() > x.min() else float(default_span)
    if not np.isfinite(span):
        span = float(np.finfo(np.float64).max)
    lo = float(lo_hint) if lo_hint is not None else None
    hi = float(hi_hint) if hi_hint is not None else None
    if lo is None:
        lo = float(x.min()) if len(x) and (hi is None or x.min() <= hi) else (hi - span if hi is not None else 0.0)
    if hi is None:
        hi = float(x.max()) if len(x) and x.max() >= lo else lo + span
    return lo, hi


def _fit_numeric(table: str, col: Column, values: pd.Series, *, integer: bool | None = None,
                 default_span: float = 1000.0) -> dict[str, Any]:
    integer = col.type == "integer" if integer is None else integer
    try:
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise SampleError(f"Column {where(table, col.name)} must hold numbers; declare it with another type.",
                          table=table, column=col.name) from None
    x = x[np.isfinite(x)]
    decimals = 0 if integer else (_decimals(x) if len(x) else 2)
    if col.distribution is not None:
        # The user's distribution wins: bounds only where the user wrote them.
        return {"kind": "distribution", "min": col.min, "max": col.max, "integer": integer, "decimals": decimals,
                "distribution": dist.from_hint(col.distribution, table=table, column=col.name)}
    lo, hi = _bounds(col.min, col.max, x, default_span)
    x = x[(x >= lo) & (x <= hi)]  # hinted bounds win over samples outside them
    if decimals is not None and not integer:
        g_lo, g_hi = _grid_bounds(lo, hi, decimals)
        if (g_lo, g_hi) == (lo, hi) and not math.isclose(_round(np.array([lo]), decimals)[0], lo):
            decimals = _decimals(np.array([lo, hi]))  # no number of so few decimals lies within the bounds
    base = {"kind": "distribution", "min": lo, "max": hi, "integer": integer, "decimals": decimals}
    if col.unique and integer and col.max is None:
        base["max"] = None  # unique integers count up from the minimum as far as the rows need
    if lo == hi:
        return {"kind": "frequencies", "values": [int(lo) if integer else lo], "weights": [1.0]}
    if len(np.unique(x)) < 3 and not (len(x) >= 4 and decimals is not None):
        # Too little to fit a shape (no samples, or one or two values): uniform over the bounds.
        return {**base, "distribution": {"name": "uniform", "params": {"loc": lo, "scale": hi - lo}}}
    distinct, counts = np.unique(x, return_counts=True)
    if len(distinct) <= MAX_FREQUENCY_LEVELS and len(distinct) * 2 <= len(x) and decimals is not None:
        values_ = [int(v) if integer else float(v) for v in distinct]
        weights = [1.0 / len(distinct)] * len(distinct) if _evenly_spread(counts) else list(counts / counts.sum())
        return {"kind": "frequencies", "values": values_, "weights": weights}
    if len(x) > FIT_SUBSAMPLE:
        x = _subsample(x, table, col.name)
    spec, ks = choose_family(x, lo, hi)
    base["ks_statistic"] = ks
    if (integer or decimals == 0) and not col.unique and _clock(x):
        base["clock"] = True
    return {**base, "distribution": spec}


CLOCK_EVIDENCE = 30
"""Distinct sample values of 100 or more, none with its last two digits at 60 or above, that make an integer
column a time of day written HHMM (by chance, with no clock behind them, about 0.6^30 = 2e-7)."""


def _clock(x: np.ndarray) -> bool:
    """Whether integer samples are times of day written HHMM (``sched_dep_time`` 515 for 5:15): all within
    0..2400, none with minutes of 60 or more, and enough values of an hour or more to tell."""
    if not len(x) or x.min() < 0 or x.max() > 2400:
        return False
    distinct = np.unique(x)
    return bool((distinct % 100 < 60).all() and (distinct >= 100).sum() >= CLOCK_EVIDENCE)


def _subsample(x: np.ndarray, table: str, column: str) -> np.ndarray:
    """FIT_SUBSAMPLE values of ``x`` chosen by the smallest counter-based hashes of their positions:
    the same values on every run, spread over the whole column."""
    keep = np.argpartition(bits(stream_key(0, table, column, "fit-subsample"), np.arange(len(x))), FIT_SUBSAMPLE)
    return x[np.sort(keep[:FIT_SUBSAMPLE])]


UNIFORM_MIN_VALUES = 50
"""Values a column needs before its shape may be judged flat (a uniform) rather than a bell."""


def _flatter_than_normal(x: np.ndarray) -> bool:
    """Whether a uniform is decisively likelier than a normal of the same mean and spread (by a tenth of a nat per
    value; the uniform's width is the sample range widened by ``(n + 1) / (n - 1)``, as its unbiased estimate).
    On a hundred values KS cannot tell the two apart (a flat account balance was fitted as a bell); the
    likelihood can: simulated, 95 % of uniform samples of 100 pass and no normal one (0.5 % at 50 values)."""
    from scipy import stats

    n = len(x)
    std = float(np.std(x))
    width = float(np.max(x) - np.min(x)) * (n + 1) / (n - 1) if n > 1 else 0.0
    if n < UNIFORM_MIN_VALUES or std <= 0 or width <= 0:
        return False
    normal = float(np.sum(stats.norm.logpdf(x, loc=float(np.mean(x)), scale=std)))
    return -n * math.log(width) - normal > 0.1 * n


def choose_family(x: np.ndarray, lo: float, hi: float) -> tuple[dict[str, Any], float]:
    """Fit each candidate family to ``x``; a uniform when KS lets it pass and it is decisively likelier than a
    normal, else the simplest one within a whisker of the best KS.

    Returns the spec and its KS statistic; empirical quantiles when no family passes
    (KS above ``max(0.05, 1.36 / sqrt(n))``, the 5% critical value for small samples).
    """
    from scipy import stats

    n = len(x)
    fits: list[tuple[str, dict[str, float]]] = []
    mean, std = float(np.mean(x)), float(np.std(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if std > 0:
            fits.append(("norm", {"loc": mean, "scale": std}))
        if lo > 0:
            logs = np.log(x)
            if np.std(logs) > 0:
                fits.append(("lognorm", {"s": float(np.std(logs)), "loc": 0.0, "scale": float(np.exp(np.mean(logs)))}))
            try:
                a, _, scale = stats.gamma.fit(x, floc=0.0)
                fits.append(("gamma", {"a": float(a), "loc": 0.0, "scale": float(scale)}))
            except (RuntimeError, ValueError):
                pass
        if mean > lo:
            fits.append(("expon", {"loc": lo, "scale": mean - lo}))
        fits.append(("uniform", {"loc": lo, "scale": hi - lo}))
        if std > 0:
            fits.append(("truncnorm", {"a": (lo - mean) / std, "b": (hi - mean) / std, "loc": mean, "scale": std}))
        span = hi - lo
        pad = span * 1e-3
        inside = (x - (lo - pad)) / (span + 2 * pad)
        try:
            a, b, _, _ = stats.beta.fit(inside, floc=0.0, fscale=1.0)
            fits.append(("beta", {"a": float(a), "b": float(b), "loc": lo - pad, "scale": span + 2 * pad}))
        except (RuntimeError, ValueError):
            pass
        scored = []
        for name, params in fits:
            try:
                ks = float(stats.kstest(x, dist.family(name)(**params).cdf).statistic)
            except (ValueError, FloatingPointError):
                continue
            if math.isfinite(ks) and all(math.isfinite(v) for v in params.values()):
                scored.append((name, params, ks))
    if not scored:
        points = min(QUANTILES, max(2, n // 2))
        quantiles = np.quantile(x, np.linspace(0.0, 1.0, points))
        return {"name": dist.EMPIRICAL, "params": {"quantiles": [float(q) for q in quantiles]}}, 1.0
    best = min(ks for _, _, ks in scored)
    tolerance = max(0.002, 0.3 / math.sqrt(n))
    uniform = next((item for item in scored if item[0] == "uniform"), None)
    if uniform is not None and uniform[2] <= max(0.05, 1.36 / math.sqrt(n)) and _flatter_than_normal(x):
        name, params, ks = uniform  # the likelihood tells flat from bell-shaped, where KS lets a uniform pass
    else:
        name, params, ks = next(item for item in scored if item[2] <= best + tolerance)
    if ks > max(0.05, 1.36 / math.sqrt(n)):
        points = min(QUANTILES, max(2, n // 2))
        quantiles = np.quantile(x, np.linspace(0.0, 1.0, points))
        return {"name": dist.EMPIRICAL, "params": {"quantiles": [float(q) for q in quantiles]}}, ks
    return {"name": name, "params": {k: float(v) for k, v in params.items()}}, ks


# -- dates and times -----------------------------------------------------------------------

def _fit_temporal(table: str, col: Column, values: pd.Series) -> dict[str, Any]:
    """Dates as days and datetimes as seconds since the epoch, fitted as integers, keeping resolution."""
    unit = "D" if col.type == "date" else "s"
    per_unit = 86400 if unit == "D" else 1
    try:
        stamps = pd.to_datetime(values).to_numpy(dtype="datetime64[s]")
    except (TypeError, ValueError):
        raise SampleError(f"Column {where(table, col.name)} must hold dates; declare it with another type.",
                          table=table, column=col.name) from None
    seconds = (stamps - EPOCH).astype(np.int64)
    numbers = seconds // per_unit
    resolution = 1
    if unit == "s" and len(numbers):
        for step in (86400, 3600, 60):
            if np.all(numbers % step == 0):
                resolution = step
                break
    lo, hi = (_to_number(b, per_unit, table, col) for b in (col.min, col.max))
    default_lo, default_hi = (_to_number(d, per_unit, table, col) for d in _DEFAULT_DATE_RANGE)
    if not len(numbers) and lo is None and hi is None:
        lo, hi = default_lo, default_hi
    if col.values is not None:
        levels = [_to_number(v, per_unit, table, col) for v in col.values]
        gen = _frequencies_from_hint(table, col, values.dropna())
        return {**gen, "values": levels, "time_unit": unit, "resolution": 1}
    hinted = Column(col.name, "integer", min=lo, max=hi, distribution=col.distribution)
    spec = _fit_numeric(table, hinted, pd.Series(numbers // resolution * resolution, dtype="float64"),
                        integer=True, default_span=default_hi - default_lo)
    if spec["kind"] == "distribution":  # years 1 to 9999, what every format can write and read back
        first, last = (_to_number(d, per_unit, table, col) for d in _DATE_LIMITS)
        last += (86400 // per_unit) - 1
        spec["min"] = None if spec["min"] is None else min(max(spec["min"], first), last)
        spec["max"] = None if spec["max"] is None else max(min(spec["max"], last), first)
    return {**spec, "time_unit": unit, "resolution": resolution}


def _to_number(bound: Any, per_unit: int, table: str, col: Column) -> int | None:
    if bound is None:
        return None
    try:
        stamp = pd.Timestamp(bound)
    except (TypeError, ValueError):
        raise SchemaError(f"Column {where(table, col.name)}: bound {bound!r} is not a date; write it as "
                          f"'YYYY-MM-DD'.", table=table, column=col.name) from None
    return int((stamp.to_datetime64().astype("datetime64[s]") - EPOCH).astype(np.int64)) // per_unit
