"""The joint model of a table: a tree-shaped Bayesian network over binned columns.

Each value column keeps its own generator, so its marginal distribution is what it learned alone. What
the network changes is the uniform draw that generator reads: a column with a parent in the tree (a
column of the same row, or of the row's parent table read at the parent index) has its draw moved into
the bins its parent's bin makes likely, by a conditional table learned from the samples. So a penguin's
island follows its species, a part's manufacturer follows its brand, a line's status follows its ship
date, and every row is still a pure function of its own index.

Fitting (``fit_joint``): every column is cut into at most ``MAX_LEVEL_BINS`` bins (levels, rare ones
grouped) or ``MAX_NUMBER_BINS`` (quantiles of numbers and dates); the tree is the maximum spanning
tree of the pairwise mutual information (Chow and Liu), grown from the columns that do not depend on
the table's own draws (parents' columns, derived columns); an edge is kept only when its mutual
information is significant (G-test). A functional dependency that holds in every sample row (``p_brand``
determines ``p_mfgr``) becomes an edge with an unsmoothed table, so it holds in every generated row.

Drawing (``given_bins``, ``JointNode.conditional``): the parent's values are binned, the child's uniform
picks a bin from the parent bin's row of the table and keeps its position within the bin. A number under a
level column may instead get a mean and a scale of its normal scores per level (``level_gaussian``,
``JointNode.level_scores``: prices per category from a few products each), when its bins do not refute that
shape.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from . import distributions as dist
from .generators.values import search_edges, search_right, span_guide

MAX_LEVEL_BINS = 64
"""Levels of a category kept as their own bins; rarer ones share the last bin."""
MAX_NUMBER_BINS = 16
"""Quantile bins of a number or date column (fewer on small samples)."""
ROWS_PER_NUMBER_BIN = 25
"""Sample rows per quantile bin: 100 rows give 4 bins."""
MIN_ROWS = 20
"""Complete sample rows needed before a dependency between two columns is learned."""
SIGNIFICANCE = 0.999
"""Confidence of the G-test an edge must pass: below it the columns are drawn independently."""
SMOOTHING = 1.0
"""Pseudo-rows, spread by the child's marginal, added to a parent bin's row of the table when the bin holds
fewer than ``MIN_ROWS`` sample rows."""

Spec = dict[str, Any]


# -- bins ----------------------------------------------------------------------------------------

def _numbers(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Numbers, booleans, dates and datetimes as float64 (dates as seconds since the epoch); nulls NaN."""
    kind = values.type
    if pa.types.is_timestamp(kind):
        values = pc.cast(pc.cast(values, pa.timestamp("s")), pa.int64())
    elif pa.types.is_date(kind):
        values = pc.multiply(pc.cast(pc.cast(values, pa.date32()), pa.int64()), 86400)
    elif pa.types.is_boolean(kind):
        values = pc.cast(values, pa.int64())
    elif pa.types.is_dictionary(kind):
        values = values.dictionary_decode() if isinstance(values, pa.Array) else pa.chunked_array(
            [c.dictionary_decode() for c in values.chunks])
        return _numbers(values)
    return np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def given_bins(values: pa.Array, spec: Mapping[str, Any]) -> np.ndarray:
    """The bin of each value under ``spec`` (``levels`` and their ``bins``, or numeric ``edges``);
    nulls and unknown levels get the last index, ``bin_count(spec)``, whose row is the marginal."""
    missing = bin_count(spec)
    if "edges" in spec:
        x = _numbers(values)
        out = search_edges(np.asarray(spec["edges"], dtype=np.float64), x)
        out[np.isnan(x)] = missing
        return out
    level_bins = np.asarray(spec["bins"], dtype=np.int64)
    if pa.types.is_dictionary(values.type):
        per_level = given_bins(values.dictionary, spec)
        codes = values.indices.to_numpy(zero_copy_only=False)
        out = np.full(len(values), missing, dtype=np.int64)
        valid = ~np.asarray(values.is_null()) if values.null_count else np.ones(len(values), dtype=bool)
        out[valid] = per_level[codes[valid].astype(np.int64)]
        return out
    levels = spec["levels"]
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        value_set = pa.array([str(v) for v in levels], values.type)
    elif pa.types.is_timestamp(values.type) or pa.types.is_date(values.type):
        return np.full(len(values), missing, dtype=np.int64)
    else:
        try:
            value_set = pa.array(levels).cast(values.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            value_set = pa.array([str(v) for v in levels])
            values = pc.cast(values, pa.string())
    codes = pc.index_in(values, value_set=value_set).to_numpy(zero_copy_only=False)
    codes = np.where(np.isnan(codes.astype(np.float64)), -1, codes).astype(np.int64)
    return np.where(codes >= 0, level_bins[np.maximum(codes, 0)], missing)


def bin_count(spec: Mapping[str, Any]) -> int:
    if "edges" in spec:
        return len(spec["edges"]) + 1
    return (max(spec["bins"]) + 1) if spec["bins"] else 0


def level_spec(levels: Sequence[Any], weights: Sequence[float] | None = None) -> Spec:
    """Bins of a level column: one per level, the rarest beyond ``MAX_LEVEL_BINS - 1`` sharing the last one
    (levels are grouped in their own order, so a group is one interval of the generator's uniform)."""
    n = len(levels)
    bins = list(range(n)) if n <= MAX_LEVEL_BINS else list(range(MAX_LEVEL_BINS - 1)) + \
        [MAX_LEVEL_BINS - 1] * (n - MAX_LEVEL_BINS + 1)
    spec: Spec = {"levels": list(levels), "bins": bins}
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        cum = np.concatenate([[0.0], np.cumsum(w / w.sum())])
        # a group ends where the next level starts another bin (and at the last level)
        ends = np.concatenate([[0], np.flatnonzero(np.diff(np.append(bins, -1)) != 0) + 1])
        edges = cum[ends]
        edges[-1] = 1.0
        spec["uniform_edges"] = edges.tolist()
    return spec


def number_spec(x: np.ndarray, *, with_uniform_edges: bool) -> Spec | None:
    """Quantile bins of numbers ``x`` (finite, non-empty); None when they hold one value."""
    bins = int(np.clip(len(x) // ROWS_PER_NUMBER_BIN, 2, MAX_NUMBER_BINS))
    edges = np.unique(np.quantile(x, np.arange(1, bins) / bins))
    edges = edges[edges > x.min()]
    if not len(edges):
        return None
    spec: Spec = {"edges": [float(e) for e in edges]}
    if with_uniform_edges:
        below = np.searchsorted(np.sort(x), edges, side="left") / len(x)
        spec["uniform_edges"] = [0.0, *(float(b) for b in below), 1.0]
    return spec


# -- drawing ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JointNode:
    """A column's place in the network, ready to draw: the cumulative conditional table (one row per parent
    bin, then the marginal row) and the uniform interval of each of the column's bins."""

    given: Mapping[str, Any]
    given_spec: Mapping[str, Any] | None
    cumulative: np.ndarray | None
    uniform_edges: np.ndarray | None
    correlation: float | None = None
    given2: Mapping[str, Any] | None = None
    given2_spec: Mapping[str, Any] | None = None
    means: np.ndarray | None = None
    scales: np.ndarray | None = None
    _search: tuple[np.ndarray, ...] | None = field(default=None, repr=False)

    @classmethod
    def from_dict(cls, node: Mapping[str, Any]) -> JointNode:
        if "correlation" in node and "means" in node:
            slope = float(node["correlation"])
            means = np.asarray(node["means"], dtype=np.float64)
            scales = np.asarray(node["scales"], dtype=np.float64)
            if not math.isfinite(slope) or abs(slope) > MAX_SLOPE or means.shape != scales.shape or means.ndim != 1 \
                    or not np.isfinite(means).all() or not (np.isfinite(scales) & (scales > 0)).all() \
                    or "column" not in node["given"] or "fk" in node["given"] or "fk" in node["given2"]:
                raise ValueError("a slope, and means and scales per level of a column of the same table")
            return cls(node["given"], None, None, None, slope, node["given2"], node["given2_bins"], means, scales)
        if "means" in node:
            means = np.asarray(node["means"], dtype=np.float64)
            scales = np.asarray(node["scales"], dtype=np.float64)
            if means.shape != scales.shape or means.ndim != 1 or not np.isfinite(means).all() or \
                    not (np.isfinite(scales) & (scales > 0)).all():
                raise ValueError("means and scales must be finite, as many, scales positive")
            return cls(node["given"], node["given_bins"], None, None, means=means, scales=scales)
        if "correlation" in node:
            rho = float(node["correlation"])
            if not -1.0 < rho < 1.0 or "column" not in node["given"] or "fk" in node["given"]:
                raise ValueError(f"correlation {rho!r} of a column of the same table")
            return cls(node["given"], None, None, None, rho)
        table = np.asarray(node["table"], dtype=np.float64)
        table = np.maximum(table, 0.0)
        table /= table.sum(axis=1, keepdims=True)
        cumulative = np.cumsum(table, axis=1)
        cumulative[:, -1] = 1.0
        return cls(node["given"], node["given_bins"], cumulative, np.asarray(node["uniform_edges"], dtype=np.float64),
                   None, node.get("given2"), node.get("given2_bins"))

    def rows_expected(self) -> int:
        """Rows its table must have (or means a level node): one per parent bin (and missing), times the second
        parent's; for a Gaussian edge with level offsets, one per level of the second parent (and missing)."""
        if self.correlation is not None and self.given2_spec is not None:
            return bin_count(self.given2_spec) + 1
        rows = bin_count(self.given_spec or {"bins": []}) + 1
        return rows * (bin_count(self.given2_spec) + 1) if self.given2_spec is not None else rows

    def table_row(self, parent_bins: np.ndarray, second_bins: np.ndarray | None) -> np.ndarray:
        """The row of the table for each draw, from its parents' bins."""
        if second_bins is None or self.given2_spec is None:
            return parent_bins
        return parent_bins * (bin_count(self.given2_spec) + 1) + second_bins

    def level_scores(self, own: np.ndarray, parent_bins: np.ndarray) -> np.ndarray:
        """The column's normal scores given its parent's bins (a conditional Gaussian edge): each bin's own
        mean and scale applied to the row's standard normal draw."""
        at = np.clip(parent_bins, 0, len(self.means) - 1)
        out = self.scales[at] * own
        out += self.means[at]
        return out

    def correlated_scores(self, own: np.ndarray, parent: np.ndarray,
                          level_bins: np.ndarray | None = None) -> np.ndarray:
        """The column's normal scores given its parent's (a Gaussian edge): the two mixed by the correlation.
        With level offsets (``level_bins``, the row's level of the second parent): the parent's score times the
        slope within levels, plus the level's mean and its scale times the row's own draw."""
        rho = float(self.correlation or 0.0)
        if self.means is not None and level_bins is not None:
            at = np.clip(level_bins, 0, len(self.means) - 1)
            out = self.scales[at] * own
            out += self.means[at]
            out += rho * parent
            return out
        out = own * math.sqrt(1.0 - rho * rho)
        out += rho * parent
        return out

    def conditional(self, u: np.ndarray, parent_bins: np.ndarray) -> np.ndarray:
        """The column's uniforms given its parent's bins: the bin from the parent bin's row of the table,
        the position within the bin kept from ``u``."""
        rows, width = self.cumulative.shape
        parent_bins = np.clip(parent_bins, 0, rows - 1)
        if self._search is None:
            object.__setattr__(self, "_search", self._search_tables())  # a frozen node's cache
        flat, guide, start, denominator, inside, lo, hi = self._search
        cell = search_right(flat, u + parent_bins, guide, 0.0, float(rows))
        row_start = parent_bins * width
        np.clip(cell, row_start, row_start + (width - 1), out=cell)  # a draw that rounds up to the row's end
        start, lo = start[cell], lo[cell]
        share = np.where(inside[cell], (u - start) / denominator[cell], 0.5)
        np.clip(share, 0.0, 1.0 - 1e-12, out=share)
        return lo + share * (hi[cell] - lo)

    def _search_tables(self) -> tuple[np.ndarray, ...]:
        """Per cell of the table (a parent bin's row, a child bin), laid side by side: the cumulative weight plus
        the row (sorted: one search finds a draw's cell) and its guide, where the cell's weight starts, its width
        (1 where empty), whether it is not empty, and the child bin's uniform interval."""
        rows, width = self.cumulative.shape
        flat = (self.cumulative + np.arange(rows)[:, None]).ravel()
        end = self.cumulative.ravel()
        start = np.hstack([np.zeros((rows, 1)), self.cumulative[:, :-1]]).ravel()
        inside = end > start
        child = np.tile(np.arange(width), rows)
        return (flat, span_guide(flat, 0.0, float(rows)), start, np.where(inside, end - start, 1.0), inside,
                self.uniform_edges[child], self.uniform_edges[child + 1])


# -- fitting --------------------------------------------------------------------------------------------

@dataclass(eq=False)
class Candidate:
    """A column the network may use: where it lives, its bins and its sample rows' bins (-1: none)."""

    name: str
    given: dict[str, Any]
    spec: Spec
    bins: np.ndarray
    child: bool
    after: list[str] | None = None  # the candidates it is computed from (a derived date: its gap and base)
    scores: np.ndarray | None = None  # normal scores of a number column drawn from its uniform (NaN: none)
    gives: bool = True  # whether others may depend on it (a derived date's gap may not: its values are dates)
    family: np.ndarray | None = None  # normal scores under the column's own fitted distribution (NaN: none)
    family_edges: np.ndarray | None = None  # its bin edges as such scores
    numbers: np.ndarray | None = None  # a number or date column's sample values as float64 (NaN: none)


def sample_bins(values: pd.Series, spec: Mapping[str, Any]) -> np.ndarray:
    """Bins of sample values, by the same rules as generated ones; -1 for nulls and unknown levels."""
    try:
        array = pa.array(values.reset_index(drop=True), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = pa.array(values.astype("string").reset_index(drop=True), from_pandas=True)
    out = given_bins(array, spec)
    out[out == bin_count(spec)] = -1
    return out


def candidate(name: str, given: dict[str, Any], generator: Mapping[str, Any], values: pd.Series, *,
              child: bool) -> Candidate | None:
    """The bins of one column from its generator and sample values; None when it cannot take part."""
    kind = generator.get("kind")
    if generator.get("unique") or not len(values):
        return None
    if kind == "frequencies" and "time_unit" not in generator:
        spec = level_spec(generator["values"], generator["weights"] if child else None)
    else:
        if kind not in ("distribution", "frequencies", "offset", "parent_column", "formula", "lookup",
                        "date_parts") or \
                (child and kind != "distribution"):
            return None
        try:
            x = _numbers(pa.array(values.reset_index(drop=True), from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None
        finite = x[np.isfinite(x)]
        if len(finite) < 2:
            return None
        spec = number_spec(finite, with_uniform_edges=child)
        if spec is None:
            return None
    numbers = x if "edges" in spec else None
    bins = sample_bins(values, spec)
    if len(np.unique(bins[bins >= 0])) < 2:
        return None
    scores = family = None
    if kind == "lookup" and numbers is not None and isinstance(generator.get("fallback"), Mapping):
        # scores of the looked-up numbers under the column's own distribution, as generated rows get them
        # (:func:`lookup_scores`): a number that follows it (a flight's air time its distance) may keep a
        # Gaussian edge
        scores = lookup_scores(generator, pa.array(numbers))
    if kind == "distribution" and "fk" not in given:
        ranks = values.reset_index(drop=True).rank(method="average").to_numpy(dtype=np.float64)
        scores = special.ndtri(ranks / (np.count_nonzero(~np.isnan(ranks)) + 1))
        if child and "edges" in spec:
            try:
                x = _numbers(pa.array(values.reset_index(drop=True), from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                x = None
            n = int(np.isfinite(x).sum()) if x is not None else 0
            family = family_scores(generator, x, 1.0 / (n + 1)) if n else None
            edges = family_scores(generator, np.asarray(spec["edges"], dtype=np.float64), 1e-12) \
                if family is not None else None
            family = family if edges is not None else None
            return Candidate(name, given, spec, bins, child, scores=scores, family=family, family_edges=edges,
                             numbers=numbers)
    return Candidate(name, given, spec, bins, child, scores=scores, numbers=numbers)


LOOKUP_SCORE_EDGE = 1e-4
"""How close to 0 and 1 the probability behind a looked-up number's normal score may come."""


def lookup_scores(generator: Mapping[str, Any], values: pa.Array) -> np.ndarray | None:
    """Normal scores of a looked-up column's values under its own distribution (``fallback``); None when it has
    none (levels). A value the sample quantiles repeat (a route flown often) gets the middle of its run, as a
    sample rank of tied values does."""
    fallback = generator.get("fallback")
    if not isinstance(fallback, Mapping):
        return None
    x = _numbers(values)
    spec = fallback.get("distribution")
    if not isinstance(spec, Mapping) or spec.get("name") != dist.EMPIRICAL or "time_unit" in fallback:
        return family_scores(fallback, x, LOOKUP_SCORE_EDGE)
    q = np.asarray(spec["params"]["quantiles"], dtype=np.float64)
    step = 1.0 / (len(q) - 1)
    first, last = np.searchsorted(q, x, side="left"), np.searchsorted(q, x, side="right")
    with np.errstate(all="ignore"):
        cdf = np.where(last > first, (first + last - 1) * 0.5 * step, np.interp(x, q, np.linspace(0.0, 1.0, len(q))))
    out = special.ndtri(np.clip(cdf, LOOKUP_SCORE_EDGE, 1.0 - LOOKUP_SCORE_EDGE))
    out[~np.isfinite(x)] = np.nan
    return out


LEVEL_TAIL_FAMILIES = ("lognorm", "gamma", "expon")
"""Families whose column, drawn per level of another, is not cut at the samples' extremes."""


def level_tails(generator: Mapping[str, Any]) -> bool:
    """Whether a number drawn per level of another column (a conditional Gaussian edge) reaches beyond the range
    of its samples: a positive family, no dates. Thirty products put the dearest category's few samples at the
    top of the range; its prices then spread as the other levels' do instead of piling up below the largest
    sample (the population's 300 products reach half as far again). The family keeps the values positive."""
    spec = generator.get("distribution")
    return isinstance(spec, Mapping) and spec.get("name") in LEVEL_TAIL_FAMILIES and "time_unit" not in generator \
        and not generator.get("unique")


def family_scores(generator: Mapping[str, Any], x: np.ndarray, edge: float) -> np.ndarray | None:
    """Normal scores of numbers ``x`` (dates in seconds) under the column's own fitted distribution, truncated
    to its bounds as the generator truncates its draws (a generated score ``z`` becomes the value it came
    from); probabilities kept within ``edge`` of 0 and 1. None when the column has no fitted distribution."""
    spec = generator.get("distribution")
    if not isinstance(spec, Mapping) or generator.get("unique"):
        return None
    if "time_unit" in generator:
        x = x / (86400.0 if generator["time_unit"] == "D" else 1.0)
    lo, hi = generator.get("min"), generator.get("max")
    with np.errstate(all="ignore"):
        if spec["name"] == dist.EMPIRICAL:
            q = np.asarray(spec["params"]["quantiles"], dtype=np.float64)
            grid = np.linspace(0.0, 1.0, len(q))
            cdf = np.interp(x, q, grid)
            c_lo = 0.0 if lo is None or lo <= q[0] else float(np.interp(lo, q, grid))
            c_hi = 1.0 if hi is None or hi >= q[-1] else float(np.interp(hi, q, grid))
        else:
            try:
                frozen = dist.frozen(spec)
                cdf = np.asarray(frozen.cdf(x), dtype=np.float64)
                c_lo = float(frozen.cdf(lo)) if lo is not None else 0.0
                c_hi = float(frozen.cdf(hi)) if hi is not None else 1.0
            except (TypeError, ValueError, KeyError):
                return None
    if not c_hi > c_lo:
        c_lo, c_hi = 0.0, 1.0
    u = np.clip((cdf - c_lo) / (c_hi - c_lo), edge, 1.0 - edge)
    out = special.ndtri(u)
    out[~np.isfinite(x)] = np.nan
    return out


def _gaussian(a: np.ndarray, b: np.ndarray) -> tuple[float, float, bool]:
    """Correlation of two columns' normal scores, its mutual information, and whether it is significant."""
    from scipy import stats

    both = ~np.isnan(a) & ~np.isnan(b)
    n = int(both.sum())
    if n < MIN_ROWS:
        return 0.0, 0.0, False
    rho = float(np.corrcoef(a[both], b[both])[0, 1])
    if not np.isfinite(rho):
        return 0.0, 0.0, False
    rho = float(np.clip(rho, -0.999, 0.999))
    significant = abs(np.arctanh(rho)) * np.sqrt(n - 3) > stats.norm.ppf(0.5 + SIGNIFICANCE / 2)
    return rho, -0.5 * float(np.log1p(-rho * rho)), bool(significant)


def _contingency(a: np.ndarray, b: np.ndarray, na: int, nb: int) -> np.ndarray:
    both = (a >= 0) & (b >= 0)
    return np.bincount(a[both] * nb + b[both], minlength=na * nb).reshape(na, nb).astype(np.float64)


def _mutual_information(table: np.ndarray) -> tuple[float, bool]:
    """Mutual information (nats) of a contingency table, and whether it passes the G-test."""
    from scipy import stats

    n = table.sum()
    if n < MIN_ROWS:
        return 0.0, False
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    nz = table > 0
    expected = np.outer(rows, cols)[nz] / n
    mi = float((table[nz] * np.log(table[nz] / expected)).sum() / n)
    dof = max((int((rows > 0).sum()) - 1) * (int((cols > 0).sum()) - 1), 1)
    return mi, 2.0 * n * mi > stats.chi2.ppf(SIGNIFICANCE, dof)


def _determines(table: np.ndarray) -> bool:
    """Whether the row variable determines the column variable in every sample row, with repeats to show it."""
    seen = table.sum(axis=1) > 0
    n_levels = int(seen.sum())
    return bool(n_levels >= 2 and table.sum() >= 2 * n_levels and ((table[seen] > 0).sum(axis=1) == 1).all()
                and (table.sum(axis=0) > 0).sum() >= 2)


THRESHOLD_ROWS = 10
"""Sample rows each side of a threshold needs before a level is taken to hold exactly beyond it."""


def _threshold(x: np.ndarray, child_bins: np.ndarray) -> tuple[float, int, bool] | None:
    """A level of the child that holds exactly on one side of a value of the number ``x`` in every sample row
    (``l_linestatus`` is ``O`` exactly when ``l_shipdate`` is past a date): the cut (midway between the two
    sides' nearest samples), the level's bin, and whether it lies above the cut. None when no level does."""
    ok = np.isfinite(x) & (child_bins >= 0)
    x, c = x[ok], child_bins[ok]
    for k in np.unique(c):  # a loop over the child's levels
        mine, other = x[c == k], x[c != k]
        if len(mine) < THRESHOLD_ROWS or len(other) < THRESHOLD_ROWS:
            continue
        if mine.min() > other.max():
            return (float(other.max()) + float(mine.min())) / 2, int(k), True
        if mine.max() < other.min():
            return (float(mine.max()) + float(other.min())) / 2, int(k), False
    return None


def _threshold_rows(rows: np.ndarray, edges: list[float], cut: float, level: int, above: bool) -> np.ndarray:
    """A conditional table (one row per parent bin, then the marginal) in which ``level`` is certain past the
    cut and impossible before it (or the reverse): the other levels keep their shares."""
    rows = rows.copy()
    first_above = edges.index(cut) + 1  # bin j holds values at or past edges[j - 1]
    for j in range(len(edges) + 1):  # a loop over the parent's bins
        if (j >= first_above) == above:
            rows[j] = 0.0
            rows[j, level] = 1.0
        else:
            rest = rows[j].copy()
            rest[level] = 0.0
            if rest.sum() <= 0:
                rest = rows[-1].copy()
                rest[level] = 0.0
            rows[j] = rest / rest.sum() if rest.sum() > 0 else rows[j]
    return rows


def fit_joint(candidates: Sequence[Candidate]) -> dict[str, Any] | None:
    """The network over ``candidates``: for each child column that depends on another, its parent, the
    parent's bins and the conditional table. None when nothing depends on anything."""
    by_name = {c.name: c for c in candidates}
    for c in candidates:  # computed only from columns that take part
        c.after = [a for a in c.after or () if a in by_name and a != c.name] or None
    children = [c for c in candidates if c.child]
    if not children:
        return None
    sizes = {c.name: bin_count(c.spec) for c in candidates}
    score: dict[tuple[str, str], float] = {}
    exact: dict[tuple[str, str], bool] = {}
    correlation: dict[tuple[str, str], float] = {}
    for child in children:
        for parent in candidates:
            if parent.name == child.name or not parent.gives:
                continue
            if child.scores is not None and parent.scores is not None:
                # Two numbers drawn from their uniforms: a Gaussian edge keeps their rank correlation whole.
                rho, mi, significant = _gaussian(parent.scores, child.scores)
                if significant:
                    score[(parent.name, child.name)] = mi
                    correlation[(parent.name, child.name)] = rho
                continue
            table = _contingency(parent.bins, child.bins, sizes[parent.name], sizes[child.name])
            mi, significant = _mutual_information(table)
            if significant:
                score[(parent.name, child.name)] = mi
                exact[(parent.name, child.name)] = "levels" in child.spec and "levels" in parent.spec and \
                    len(child.spec["levels"]) <= MAX_LEVEL_BINS and len(parent.spec["levels"]) <= MAX_LEVEL_BINS \
                    and _determines(table)
    # A functional dependency is kept as such: the determining column with the fewest levels.
    fixed: dict[str, str] = {}
    for child in children:
        determining = [p for (p, c), e in exact.items() if c == child.name and e]
        if determining:
            fixed[child.name] = min(determining, key=lambda p: (len(by_name[p].spec["levels"]), p))
    # A level exactly beyond a value of a number or date of the row: an edge whose table is certain on both sides.
    cuts: dict[tuple[str, str], tuple[float, int, bool]] = {}
    for child in children:
        if child.name in fixed or "levels" not in child.spec or len(child.spec["levels"]) > MAX_LEVEL_BINS:
            continue
        found = [(score[(p.name, child.name)], p.name, cut) for p in candidates
                 if (p.name, child.name) in score and p.numbers is not None and "edges" in p.spec
                 and "fk" not in p.given
                 for cut in [_threshold(p.numbers, child.bins)] if cut is not None]
        if found:
            _, parent, cut = max(found, key=lambda f: (f[0], f[1]))
            fixed[child.name] = parent
            cuts[(parent, child.name)] = cut
    fixed = _without_cycles(fixed)
    # Columns not drawn by the network (parents' columns, derived dates) are in the tree from the start, or, when
    # computed from columns the network draws (a date made of its parts, a number looked up by levels), once
    # those are all in it: taken as a parent earlier, it would bar them from the columns below it. An edge is only
    # taken when its parent is not itself computed from the child (a date from its gap).
    waiting = {c.name: set(c.after or ()) for c in candidates if not c.child}
    placed: set[str] = set()
    requires: dict[str, set[str]] = {c.name: set(c.after or ()) for c in candidates if not c.child}
    parent_of: dict[str, str] = {}

    def release() -> None:
        ready = [name for name, after in waiting.items() if after <= placed]
        while ready:
            for name in ready:
                placed.add(name)
                del waiting[name]
            ready = [name for name, after in waiting.items() if after <= placed]

    release()
    pending = [c.name for c in children]
    while pending:
        ready = [c for c in pending if c in fixed and fixed[c] in placed and not _reaches(requires, fixed[c], c)]
        if ready:
            c = ready[0]
            parent_of[c] = fixed[c]
        else:
            edges = [(mi, p, c) for (p, c), mi in score.items()
                     if p in placed and c in pending and c not in fixed and not _reaches(requires, p, c)]
            # what a computed column waits for goes first, so the column is there to be a parent (a flight's
            # air time under its looked-up distance)
            sources = set().union(*waiting.values()) if waiting else set()
            edges = [e for e in edges if e[2] in sources] or edges
            if edges:
                _, p, c = max(edges)
                parent_of[c] = p
            else:
                roots = [c for c in pending if c not in fixed] or pending[:1]
                c = roots[0]
                fixed.pop(c, None)
        requires[c] = {parent_of[c]} if c in parent_of else set()
        placed.add(c)
        pending.remove(c)
        release()
    nodes: dict[str, Any] = {}
    for name, parent in parent_of.items():
        child, given = by_name[name], by_name[parent]
        if (parent, name) in correlation:
            nodes[name] = {"given": given.given, "correlation": round(correlation[(parent, name)], 6),
                           "mutual_information": round(score[(parent, name)], 6)}
            offsets = _level_offsets(child, given, [
                c for c in candidates if c.gives and "levels" in c.spec and c.name not in (name, parent)
                and "fk" not in c.given and not _reaches(requires, c.name, name)], sizes)
            if offsets is not None:
                # Two numbers that move together and apart by a level (body mass with flipper length, heavier
                # for one species): the slope within levels, and a mean and scale per level of what is left.
                other, slope, means, scales = offsets
                requires[name].add(other.name)
                nodes[name].update({"correlation": round(slope, 6), "given2": other.given,
                                    "given2_bins": {k: v for k, v in other.spec.items() if k != "uniform_edges"},
                                    "means": [round(float(v), 6) for v in means],
                                    "scales": [round(float(v), 6) for v in scales]})
            continue
        fitted = _level_gaussian_fits(child, given, sizes) if "levels" in given.spec else None
        if fitted is not None:
            # A number under a level column: a mean and a scale of its scores per level (prices per category).
            means, scales = fitted
            nodes[name] = {"given": given.given, "given_bins": {k: v for k, v in given.spec.items()
                                                               if k != "uniform_edges"},
                           "means": [round(float(v), 6) for v in means],
                           "scales": [round(float(v), 6) for v in scales],
                           "mutual_information": round(score.get((parent, name), 0.0), 6)}
            continue
        if (parent, name) in cuts and fixed.get(name) == parent:
            cut, level, above = cuts[(parent, name)]
            edges = sorted({*given.spec["edges"], cut})
            parent_bins = np.searchsorted(np.asarray(edges), given.numbers, side="right")
            parent_bins[~np.isfinite(given.numbers)] = -1
            table = _contingency(parent_bins, child.bins, len(edges) + 1, sizes[name])
            marginal = np.bincount(child.bins[child.bins >= 0], minlength=sizes[name]).astype(np.float64)
            marginal /= marginal.sum()
            thin = table.sum(axis=1, keepdims=True) < MIN_ROWS
            rows = table + SMOOTHING * thin * marginal
            totals = rows.sum(axis=1, keepdims=True)
            rows = np.vstack([np.where(totals > 0, rows / np.where(totals > 0, totals, 1.0), marginal), marginal])
            rows = _threshold_rows(rows, edges, cut, level, above)
            nodes[name] = {"given": given.given, "given_bins": {"edges": edges},
                           "uniform_edges": child.spec["uniform_edges"],
                           "table": [[round(float(v), 6) for v in row] for row in rows],
                           "mutual_information": round(score.get((parent, name), 0.0), 6),
                           "threshold": {"at": cut, "level": child.spec["levels"][level],
                                         "side": "above" if above else "below"}}
            continue
        table = _contingency(given.bins, child.bins, sizes[parent], sizes[name])
        marginal = np.bincount(child.bins[child.bins >= 0], minlength=sizes[name]).astype(np.float64)
        marginal /= marginal.sum()
        # Only thin parent bins are pulled toward the marginal: a level never seen with a well-sampled
        # parent bin (a Gentoo on Dream island) is not invented.
        thin = table.sum(axis=1, keepdims=True) < MIN_ROWS
        alpha = 0.0 if fixed.get(name) == parent else SMOOTHING
        rows = table + alpha * thin * marginal
        totals = rows.sum(axis=1, keepdims=True)
        rows = np.where(totals > 0, rows / np.where(totals > 0, totals, 1.0), marginal)
        rows = np.vstack([rows, marginal])
        nodes[name] = {"given": given.given, "given_bins": {k: v for k, v in given.spec.items()
                                                           if k != "uniform_edges"},
                       "uniform_edges": child.spec["uniform_edges"],
                       "table": [[round(float(v), 6) for v in row] for row in rows],
                       "mutual_information": round(score.get((parent, name), 0.0), 6)}
        if fixed.get(name) == parent:
            nodes[name]["determined"] = True
            continue
        # A second parent from the same row only: a parent row's columns are themselves drawn from a model,
        # and a combination rare in the samples would be trusted where the one-parent row knows better.
        second = _second_parent(child, given, rows, [c for c in candidates if c.gives and c.name not in (
            name, parent) and "fk" not in c.given and not _reaches(requires, c.name, name)], sizes)
        if second is not None:
            other, table2, cmi = second
            requires[name].add(other.name)
            nodes[name].update({"given2": other.given, "given2_bins": {
                k: v for k, v in other.spec.items() if k != "uniform_edges"},
                "table": [[round(float(v), 6) for v in row] for row in table2],
                "conditional_mutual_information": round(cmi, 6)})
    return {"columns": nodes} if nodes else None


def _level_gaussian_fits(child: Candidate, given: Candidate, sizes: Mapping[str, int]) -> \
        tuple[np.ndarray, np.ndarray] | None:
    """Per-level means and scales of a number under a level column (:func:`level_gaussian`), when that shape
    fits: a G-test of the child's bins in each level against the bins the per-level normals put there does
    not reject it. A number cut sharply by its level (an order's date by its status: finished orders before a
    day, open ones after) keeps the binned table."""
    from scipy import stats

    if child.family is None or child.family_edges is None:
        return None
    n_bins, b_bins = sizes[given.name], sizes[child.name]
    means, scales = level_gaussian(child.family, given.bins, n_bins)
    ok = (given.bins >= 0) & (child.bins >= 0)
    observed = _contingency(given.bins[ok], child.bins[ok], n_bins, b_bins)
    cuts = np.concatenate([[-np.inf], child.family_edges, [np.inf]])
    if len(cuts) != b_bins + 1:
        return None
    cdf = special.ndtr((cuts[None, :] - means[:n_bins, None]) / scales[:n_bins, None])
    expected = observed.sum(axis=1, keepdims=True) * np.maximum(np.diff(cdf, axis=1), 1e-12)
    nz = observed > 0
    g = 2.0 * float((observed[nz] * np.log(observed[nz] / expected[nz])).sum())
    levels = int((observed.sum(axis=1) > 0).sum())
    dof = max(levels * (b_bins - 1) - 2 * levels, 1)
    return (means, scales) if g <= stats.chi2.ppf(SIGNIFICANCE, dof) else None


MAX_SLOPE = 10.0
"""Largest slope within levels a Gaussian edge with level offsets may hold (scores are standard normal)."""


def _level_offsets(child: Candidate, given: Candidate, options: Sequence[Candidate], sizes: Mapping[str, int]) -> \
        tuple[Candidate, float, np.ndarray, np.ndarray] | None:
    """The level column that best explains where a number sits beyond its Gaussian parent (a common slope within
    levels, an intercept per level: an F-test against one intercept, significant at ``SIGNIFICANCE``), with the
    slope and each level's mean and scale of what is left (:func:`level_gaussian`, shrunk); None when none does."""
    from scipy import stats

    best: tuple[float, Candidate, float, np.ndarray, np.ndarray] | None = None
    y_all, x_all = child.scores, given.scores
    if y_all is None or x_all is None:
        return None
    for other in options:
        n_levels = sizes[other.name]
        ok = np.isfinite(y_all) & np.isfinite(x_all) & (other.bins >= 0)
        y, x, b = y_all[ok], x_all[ok], other.bins[ok]
        n = len(y)
        seen = int((np.bincount(b, minlength=n_levels) > 0).sum())
        if seen < 2 or n < MIN_ROWS + seen:
            continue
        counts = np.maximum(np.bincount(b, minlength=n_levels), 1)
        x_in = x - (np.bincount(b, weights=x, minlength=n_levels) / counts)[b]
        y_in = y - (np.bincount(b, weights=y, minlength=n_levels) / counts)[b]
        sxx = float(x_in @ x_in)
        if sxx <= 0:
            continue
        slope = float(x_in @ y_in) / sxx
        full = float(((y_in - slope * x_in) ** 2).sum())
        xc, yc = x - x.mean(), y - y.mean()
        reduced = float(((yc - (float(xc @ yc) / max(float(xc @ xc), 1e-300)) * xc) ** 2).sum())
        dof = n - seen - 1
        if full <= 0 or dof <= 0 or abs(slope) > MAX_SLOPE:
            continue
        f = ((reduced - full) / (seen - 1)) / (full / dof)
        if f > stats.f.ppf(SIGNIFICANCE, seen - 1, dof) and (best is None or reduced - full > best[0]):
            residual = np.full(len(y_all), np.nan)
            residual[ok] = y - slope * x
            means, scales = level_gaussian(residual, np.where(ok, other.bins, -1), n_levels)
            best = (reduced - full, other, slope, means, scales)
    if best is None:
        return None
    _, other, slope, means, scales = best
    return other, slope, means, scales


LEVEL_SCALE_ROWS = 5.0
"""Pseudo-rows pulling a level's scale of a number toward the scale pooled over all levels."""


def level_gaussian(scores: np.ndarray, bins: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale of a number's scores in each of its parent's bins, then the missing bin (the overall ones).

    The means are shrunk toward the overall mean as much as the spread of the level means allows (empirical
    Bayes: a level seen twice moves little unless the levels clearly differ); each scale is the level's own,
    pulled toward the pooled one by ``LEVEL_SCALE_ROWS`` pseudo-rows, plus what is unsure about its mean, so
    a thinly sampled level is drawn wider rather than narrower."""
    ok = (bins >= 0) & np.isfinite(scores)
    s, b = scores[ok], bins[ok]
    total = len(s)
    mean = float(s.mean()) if total else 0.0
    var = float(s.var()) if total > 1 else 1.0
    counts = np.bincount(b, minlength=n_bins).astype(np.float64)
    sums = np.bincount(b, weights=s, minlength=n_bins)
    level_mean = np.where(counts > 0, sums / np.maximum(counts, 1.0), mean)
    squares = np.bincount(b, weights=(s - level_mean[b]) ** 2, minlength=n_bins)
    seen = int((counts > 0).sum())
    within = float(squares.sum() / (total - seen)) if total > seen else var
    within = max(within, 1e-4 * max(var, 1e-12), 1e-8)
    # between-level variance of the true means (method of moments, as in a one-way random-effects ANOVA)
    spread = float((counts * (level_mean - mean) ** 2).sum())
    norm = total - float((counts ** 2).sum()) / max(total, 1)
    between = max((spread - (seen - 1) * within) / norm, 0.0) if norm > 0 else 0.0
    noise = within / np.maximum(counts, 1.0)
    weight = np.where(counts > 0, between / np.maximum(between + noise, 1e-300), 0.0)
    means = mean + weight * (level_mean - mean)
    own = (squares + LEVEL_SCALE_ROWS * within) / (np.maximum(counts - 1.0, 0.0) + LEVEL_SCALE_ROWS)
    scales = np.sqrt(np.where(counts > 0, own + weight * noise, within + between))
    return np.append(means, mean), np.append(scales, math.sqrt(max(var, 1e-8)))


SECOND_PARENT_ROWS = 5
"""Sample rows per pair of parent bins needed before a column gets a second parent."""
SECOND_PARENT_CELLS = 8192
"""Largest conditional table (parent bins x second parent bins x child bins) a column may get."""
BACKOFF = 5.0
"""Pseudo-rows pulling each row of a two-parent table toward the one-parent row."""


def _second_parent(child: Candidate, first: Candidate, one_parent: np.ndarray, options: Sequence[Candidate],
                   sizes: Mapping[str, int]) -> tuple[Candidate, np.ndarray, float] | None:
    """The column that tells most about ``child`` beyond its parent (conditional mutual information,
    significant by a G-test), and the table over both parents' bins, each row pulled toward the one-parent
    row by ``BACKOFF`` pseudo-rows (the last bin of either parent: missing, the one-parent row)."""
    from scipy import stats

    p_bins, c_bins = sizes[first.name], sizes[child.name]
    best: tuple[float, Candidate, np.ndarray] | None = None
    for other in options:
        q_bins = sizes[other.name]
        if (p_bins + 1) * (q_bins + 1) * c_bins > SECOND_PARENT_CELLS:
            continue
        ok = (first.bins >= 0) & (other.bins >= 0) & (child.bins >= 0)
        n = int(ok.sum())
        if n < SECOND_PARENT_ROWS * p_bins * q_bins:
            continue
        cube = np.bincount((first.bins[ok] * q_bins + other.bins[ok]) * c_bins + child.bins[ok],
                           minlength=p_bins * q_bins * c_bins).reshape(p_bins, q_bins, c_bins).astype(np.float64)
        cmi, dof = 0.0, 0
        for p in range(p_bins):
            slab = cube[p]
            if slab.sum() == 0:
                continue
            mi, _ = _mutual_information_any(slab)
            cmi += slab.sum() / n * mi
            dof += max(int((slab.sum(axis=1) > 0).sum()) - 1, 0) * max(int((slab.sum(axis=0) > 0).sum()) - 1, 0)
        if dof and 2.0 * n * cmi > stats.chi2.ppf(SIGNIFICANCE, dof) and (best is None or cmi > best[0]):
            best = (cmi, other, cube)
    if best is None:
        return None
    cmi, other, cube = best
    q_bins = sizes[other.name]
    table = np.empty(((p_bins + 1) * (q_bins + 1), c_bins))
    for p in range(p_bins + 1):
        prior = one_parent[p]
        for q in range(q_bins + 1):
            counts = cube[p, q] if p < p_bins and q < q_bins else np.zeros(c_bins)
            row = counts + BACKOFF * prior
            table[p * (q_bins + 1) + q] = row / row.sum()
    return other, table, cmi


def _mutual_information_any(table: np.ndarray) -> tuple[float, bool]:
    """Mutual information of a contingency table of any size (no minimum of rows)."""
    n = table.sum()
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    nz = table > 0
    expected = np.outer(rows, cols)[nz] / n
    return float((table[nz] * np.log(table[nz] / expected)).sum() / n), True


def fit_nulls(candidates: Sequence[Candidate], missing: Mapping[str, np.ndarray],
              depends: Mapping[str, set[str]]) -> dict[str, Any]:
    """For each column with nulls, the column its null rate depends on most (a cancelled order has no ship
    date), with the rate in each of that column's bins; only significant dependencies (G-test), and never on
    a column computed from this one."""
    out: dict[str, Any] = {}
    for name, mask in missing.items():
        indicator = mask.astype(np.int64)
        best: tuple[float, Candidate] | None = None
        for parent in candidates:
            target = parent.given["column"]
            if not parent.gives:
                continue
            if target == name or "fk" not in parent.given and _reaches(depends, target, name):
                continue
            table = _contingency(parent.bins, indicator, bin_count(parent.spec), 2)
            mi, significant = _mutual_information(table)
            if significant and (best is None or mi > best[0]):
                best = (mi, parent)
        if best is None:
            continue
        mi, parent = best
        table = _contingency(parent.bins, indicator, bin_count(parent.spec), 2)
        overall = float(indicator.mean())
        seen = table.sum(axis=1)
        thin = seen < MIN_ROWS
        rates = (table[:, 1] + SMOOTHING * thin * overall) / np.maximum(seen + SMOOTHING * thin, 1e-300)
        rates = np.where(seen + thin > 0, rates, overall)
        out[name] = {"given": parent.given, "given_bins": {k: v for k, v in parent.spec.items()
                                                          if k != "uniform_edges"},
                     "rates": [round(float(r), 6) for r in [*rates, overall]], "mutual_information": round(mi, 6)}
        if "fk" not in parent.given:
            depends.setdefault(name, set()).add(parent.given["column"])  # type: ignore[attr-defined]
    return out


def _reaches(depends: Mapping[str, set[str]], start: str, target: str) -> bool:
    """Whether computing ``start`` needs ``target`` (through the dependencies known so far)."""
    todo, seen = [start], set()
    while todo:
        column = todo.pop()
        if column == target:
            return True
        if column not in seen:
            seen.add(column)
            todo.extend(depends.get(column, ()))
    return False


def _without_cycles(fixed: dict[str, str]) -> dict[str, str]:
    """Drop determining edges that would make a column depend on itself (two columns recoding each other)."""
    out: dict[str, str] = {}
    for child in sorted(fixed):
        parent, seen = fixed[child], {child}
        while parent in out and parent not in seen:
            seen.add(parent)
            parent = out[parent]
        if parent not in seen:
            out[child] = fixed[child]
    return out
