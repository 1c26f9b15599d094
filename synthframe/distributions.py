"""The registry of numeric distributions: fitted by name in ``fit``, drawn from in ``generate``.

A fitted distribution is plain data, ``{"name": "gamma", "params": {"a": 2.1, "loc": 0.0, "scale": 3.5}}``,
resolved here to a ``scipy.stats`` family. scipy fits; it is too slow to draw
with, so generation maps uniform draws through the inverse CDF: closed forms for
normal, lognormal, exponential and uniform, a quantile table (computed once per
column) with linear interpolation for the others, and for the empirical
fallback the stored quantiles themselves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import special

from .errors import SchemaError, where
from .randomness import bits

SHAPES: dict[str, tuple[str, ...]] = {"norm": (), "truncnorm": ("a", "b"), "lognorm": ("s",), "gamma": ("a",),
                                      "beta": ("a", "b"), "uniform": (), "expon": ()}
"""The fitted families by their ``scipy.stats`` names (:func:`family`), with the shape parameters each takes
besides ``loc`` and ``scale``."""
FAMILIES = tuple(SHAPES)
ALIASES = {"normal": "norm", "gaussian": "norm", "lognormal": "lognorm", "exponential": "expon",
           "truncated_normal": "truncnorm"}
EMPIRICAL = "empirical"
_TABLE_POINTS = 4097
_EVEN_POINTS = 16385
"""Points of the evenly spaced inverse-CDF table of families without a closed form."""
_TAIL = 4.0 / (_EVEN_POINTS - 1)
"""Draws this close to 0 or 1 use the tail-dense table instead."""


def family(name: str) -> Any:
    """The ``scipy.stats`` family of a registry name. ``scipy.stats`` is imported here, on first use: it takes
    most of a second to import, and generation needs it only for the families drawn through a quantile table."""
    if name not in SHAPES:
        raise KeyError(name)
    from scipy import stats

    return getattr(stats, name)


def canonical_name(name: str, *, table: str | None = None, column: str | None = None) -> str:
    """The registry name for ``name`` (aliases allowed), or a SchemaError listing the known names."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FAMILIES and key != EMPIRICAL:
        raise SchemaError(
            f"Column {where(table, column)}: unknown distribution {name!r}; use one of "
            f"{', '.join([*FAMILIES, EMPIRICAL])}.", table=table, column=column)
    return key


def from_hint(hint: Mapping[str, Any], *, table: str, column: str) -> dict[str, Any]:
    """A user's ``distribution`` hint (``{"name": "lognorm", "s": 0.6, "scale": 80}``) as a fitted spec."""
    name = canonical_name(str(hint["name"]), table=table, column=column)
    params = {k: v for k, v in hint.items() if k != "name"}
    if name == EMPIRICAL:
        q = params.get("quantiles")
        if not isinstance(q, list) or len(q) < 2 or any(
                isinstance(x, bool) or not isinstance(x, (int, float)) or not np.isfinite(x) for x in q) \
                or any(b < a for a, b in zip(q, q[1:])):
            raise SchemaError(f"Column {where(table, column)}: an empirical distribution needs 'quantiles', "
                              f"a sorted list of at least two finite numbers.", table=table, column=column)
        return {"name": name, "params": {"quantiles": [float(x) for x in q]}}
    allowed = {*SHAPES[name], "loc", "scale"}
    bad = [k for k, v in params.items() if k not in allowed or isinstance(v, bool) or not isinstance(v, (int, float))]
    if bad:
        raise SchemaError(f"Column {where(table, column)}: distribution {name!r} takes numeric parameters "
                          f"{sorted(allowed)}; got {params!r}.", table=table, column=column)
    missing = [k for k in SHAPES[name] if k not in params]
    if missing:
        raise SchemaError(f"Column {where(table, column)}: distribution {name!r} parameters {params!r} are "
                          f"incomplete (no {', '.join(missing)}); give {sorted(allowed)}.", table=table, column=column)
    if not _valid(name, {k: float(v) for k, v in params.items()}):
        raise SchemaError(f"Column {where(table, column)}: distribution {name!r} parameters {params!r} are not "
                          f"valid (scale must be positive, shapes in range).", table=table, column=column)
    return {"name": name, "params": {k: float(v) for k, v in params.items()}}


def _valid(name: str, params: Mapping[str, float]) -> bool:
    """Whether scipy accepts these parameters (its median is finite, for parameters of moderate size), without
    importing scipy.stats: a finite location, a finite positive scale, finite positive shapes; a truncated normal's
    bounds in order, either of them infinite (a half-normal)."""
    if name == "truncnorm":
        a, b = params["a"], params["b"]
        bounds = not (np.isnan(a) or np.isnan(b)) and a < b and a != np.inf and b != -np.inf
        rest = [v for k, v in params.items() if k not in ("a", "b")]
        return bounds and all(np.isfinite(v) for v in rest) and params.get("scale", 1.0) > 0
    if not all(np.isfinite(v) for v in params.values()) or params.get("scale", 1.0) <= 0:
        return False
    return all(params[k] > 0 for k in SHAPES[name])


def frozen(spec: Mapping[str, Any]) -> Any:
    """The scipy frozen distribution of a fitted spec (not for the empirical fallback)."""
    return family(spec["name"])(**spec["params"])


def cdf(spec: Mapping[str, Any], x: float) -> float:
    """P(X <= x) under the spec; used once per column to truncate draws to the column's bounds."""
    if spec["name"] == EMPIRICAL:
        q = np.asarray(spec["params"]["quantiles"], dtype=float)
        return float(np.interp(x, q, np.linspace(0.0, 1.0, len(q))))
    closed = _closed_cdf(spec["name"], spec["params"], float(x))
    return closed if closed is not None else float(frozen(spec).cdf(x))


def _closed_cdf(name: str, params: Mapping[str, float], x: float) -> float | None:
    """The CDF of the families with a closed form, as scipy computes it (the same float), without importing
    scipy.stats; None for the others."""
    if name not in ("norm", "lognorm", "expon", "uniform") or np.isnan(x):
        return None
    z = (x - params.get("loc", 0.0)) / params.get("scale", 1.0)
    if name == "norm":
        return float(special.ndtr(z))
    if name == "uniform":
        return min(max(z, 0.0), 1.0)
    if z <= 0:
        return 0.0
    if name == "lognorm":
        return float(special.ndtr(np.log(z) / params["s"]))
    return float(-special.expm1(-z))


@lru_cache(maxsize=512)
def _quantile_table(name: str, params: tuple[tuple[str, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Inverse-CDF table on a grid dense in the tails (normal-score spacing): (u grid, x values)."""
    z = np.linspace(-6.0, 6.0, _TABLE_POINTS)
    u = special.ndtr(z)
    x = family(name)(**dict(params)).ppf(u)
    good = np.isfinite(x)
    return u[good], x[good]


@lru_cache(maxsize=512)
def _even_table(name: str, params: tuple[tuple[str, float], ...]) -> np.ndarray:
    """The inverse CDF at ``_EVEN_POINTS`` evenly spaced probabilities, read off the tail-dense table (no more
    scipy calls): interpolated by index when drawing, no search."""
    grid, values = _quantile_table(name, params)
    return np.interp(np.linspace(0.0, 1.0, _EVEN_POINTS), grid, values)


def interpolate_even(u: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``table`` (values at evenly spaced points of [0, 1]) at ``u`` in [0, 1]: an
    index and a weight per value, so no binary search (10x faster than ``np.interp`` on unsorted draws)."""
    last = len(table) - 1
    if last < 1:
        return np.full(len(u), table[0] if len(table) else np.nan)
    pos = u * last
    i = pos.astype(np.int64)
    np.clip(i, 0, last - 1, out=i)
    pos -= i
    lo = table[i]
    lo += pos * (table[i + 1] - lo)
    return lo


_CELL_BITS = 14
_SCORE_POINTS = 1 << _CELL_BITS
"""Intervals of the evenly spaced tables over normal scores (ndtri's centre; a column's values by score)."""
_SCORE_CENTRE = 0.48
"""Draws within this of 1/2 get their normal score from the table; the rest (4%) exactly from ``ndtri``."""
SCORE_LIMIT = 7.1
"""Normal scores are read within [-SCORE_LIMIT, SCORE_LIMIT]: the scores of draws clipped to [1e-12, 1 - 1e-12]."""


@lru_cache(maxsize=1)
def _ndtri_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ndtri`` at ``j / _SCORE_POINTS`` for the cells of [0, 1] within ``_SCORE_CENTRE`` of 1/2, the slopes
    across each cell, and which cells lie outside (their draws are computed exactly)."""
    grid = np.arange(_SCORE_POINTS + 1) / _SCORE_POINTS
    outside = np.abs(grid[:-1] - 0.5) > _SCORE_CENTRE
    outside |= np.abs(grid[1:] - 0.5) > _SCORE_CENTRE
    with np.errstate(divide="ignore"):
        values = special.ndtri(grid)
    values[~np.isfinite(values)] = 0.0
    slopes = np.append(np.diff(values), 0.0)
    outside = np.append(outside, True)
    values[outside], slopes[outside] = 0.0, 0.0
    return values, slopes, outside


def _scores_of_cells(cells: np.ndarray, within: np.ndarray) -> np.ndarray:
    """Normal scores of draws ``(cells + within) / _SCORE_POINTS`` (``within`` in [0, 1)): the cell's line,
    or ``ndtri`` itself in the outer cells."""
    values, slopes, outside = _ndtri_table()
    out = slopes[cells]
    out *= within
    out += values[cells]
    exact = np.flatnonzero(outside[cells])
    if exact.size:
        u = (cells[exact] + within[exact]) * (1.0 / _SCORE_POINTS)
        out[exact] = special.ndtri(np.clip(u, 1e-12, 1.0 - 1e-12))
    return out


def normal_scores(u: np.ndarray) -> np.ndarray:
    """``ndtri(u)`` for uniform draws, to about 1e-7: the middle 96% read off an even table (an index and a
    weight per draw, twice as fast as ``ndtri``), the tails computed exactly; draws clipped to [1e-12, 1 - 1e-12]."""
    pos = u * float(_SCORE_POINTS)
    np.clip(pos, 0.0, float(_SCORE_POINTS), out=pos)
    cells = pos.astype(np.int64)
    pos -= cells
    return _scores_of_cells(cells, pos)


def normal_draws(key: int, rows: np.ndarray) -> np.ndarray:
    """Standard normal draws of the stream ``key`` at ``rows``: the top bits of each row's 64 pick a cell of
    :func:`normal_scores`' table, the rest the place within it (no uniform in between; equal to
    ``normal_scores`` of the draws those bits spell, to rounding)."""
    b = bits(key, rows)
    cells = (b >> np.uint64(64 - _CELL_BITS)).astype(np.int64)
    b &= np.uint64((1 << (64 - _CELL_BITS)) - 1)
    within = b.astype(np.float64)
    within *= 1.0 / float(1 << (64 - _CELL_BITS))
    return _scores_of_cells(cells, within)


@lru_cache(maxsize=1024)
def _score_table(spec_json: str, c_lo: float, c_hi: float) -> tuple[np.ndarray, np.ndarray]:
    """A column's values at evenly spaced normal scores of [-SCORE_LIMIT, SCORE_LIMIT] (its draws truncated to
    the CDF range ``[c_lo, c_hi]``, as :func:`draw` makes them), and the slopes between."""
    z = np.linspace(-SCORE_LIMIT, SCORE_LIMIT, _SCORE_POINTS + 1)
    u = np.clip(c_lo + special.ndtr(z) * (c_hi - c_lo), 1e-12, 1.0 - 1e-12)
    values = draw(json.loads(spec_json), u)
    return values, np.append(np.diff(values), 0.0)


def draw_scores(spec: Mapping[str, Any], z: np.ndarray, c_lo: float = 0.0, c_hi: float = 1.0) -> np.ndarray:
    """The values of normal scores ``z`` (a copula's or a Gaussian edge's draws): ``draw(spec, c_lo + ndtr(z) *
    (c_hi - c_lo))`` read off a table over scores, no ``ndtr`` and no inverse CDF per value."""
    values, slopes = _score_table(json.dumps(spec, sort_keys=True), float(c_lo), float(c_hi))
    pos = z + SCORE_LIMIT
    pos *= _SCORE_POINTS / (2 * SCORE_LIMIT)
    np.clip(pos, 0.0, float(_SCORE_POINTS), out=pos)
    i = pos.astype(np.int64)
    pos -= i
    out = slopes[i]
    out *= pos
    out += values[i]
    return out


def draw(spec: Mapping[str, Any], u: np.ndarray) -> np.ndarray:
    """Map uniform draws ``u`` in (0, 1) through the inverse CDF of ``spec``, vectorized."""
    name, p = spec["name"], spec["params"]
    if name == EMPIRICAL:
        return interpolate_even(u, np.asarray(p["quantiles"], dtype=float))
    loc, scale = p.get("loc", 0.0), p.get("scale", 1.0)
    if name == "norm":
        return loc + scale * normal_scores(u)
    if name == "lognorm":
        return loc + scale * np.exp(p["s"] * normal_scores(u))
    if name == "expon":
        return loc - scale * np.log1p(-u)
    if name == "uniform":
        return loc + scale * u
    key = tuple(sorted(p.items()))
    out = interpolate_even(u, _even_table(name, key))
    tails = (u < _TAIL) | (u > 1.0 - _TAIL)
    if tails.any():  # the outer cells, where the even grid is too coarse: the tail-dense table
        grid, values = _quantile_table(name, key)
        out[tails] = np.interp(u[tails], grid, values)
    return out
