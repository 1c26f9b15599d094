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
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from .. import distributions as dist
from ..errors import SynthframeError
from .base import EPOCH, ColumnGenerator, DrawContext, levels_array, numbers_array, register

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

    @classmethod
    def fit(cls, values: Any, hints: Any, ctx: Any) -> dict[str, Any]:
        from ..fit import fit_column

        return dict(fit_column(ctx, hints, values).generator)

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        if not self.unique or self.params.get("min") is None or self.params.get("max") is None:
            return None
        p = self.params
        step = 10.0 ** -(0 if p.get("integer") else (p.get("decimals") if p.get("decimals") is not None else 6))
        return int(round((p["max"] - p["min"]) / step)) + 1

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        p = self.params
        lo, hi = p["min"], p["max"]
        if self.unique:
            ids = ctx.unique_ids(self.name, self.capacity())
            if p.get("integer"):
                x: np.ndarray = np.int64(lo or 0) + ids
            else:
                decimals = p.get("decimals") if p.get("decimals") is not None else 6
                x = np.round((lo or 0.0) + ids / 10.0**decimals, decimals)
        else:
            u = ctx.value_uniforms(self.name)
            c_lo, c_hi = _truncation(p["distribution"], lo, hi)
            u = np.clip(c_lo + u * (c_hi - c_lo), _TINY, 1.0 - _TINY)
            x = dist.draw(p["distribution"], u)
            if lo is not None or hi is not None:
                x = np.clip(x, lo, hi)
            if p.get("integer"):
                x = np.rint(x).astype(np.int64)
            elif p.get("decimals") is not None:
                x = np.round(x, p["decimals"])
        if "time_unit" in p:
            return numbers_array(self.type, _time_values(p, x))
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

    @classmethod
    def fit(cls, values: Any, hints: Any, ctx: Any) -> dict[str, Any]:
        from ..fit import fit_column

        return dict(fit_column(ctx, hints, values).generator)

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
        return levels_array(self.type, self.params["values"], codes)


def _choice(weights: tuple[float, ...], u: np.ndarray) -> np.ndarray:
    """Level codes for uniform draws: a binary search over cumulative weights."""
    cum = _cumulative(weights)
    codes = np.searchsorted(cum, u, side="right")
    np.minimum(codes, len(cum) - 1, out=codes)
    return codes.astype(np.int64, copy=False)


@lru_cache(maxsize=1024)
def _cumulative(weights: tuple[float, ...]) -> np.ndarray:
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cum / cum[-1]


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
