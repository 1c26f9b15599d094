"""Step 2 of the pipeline: learn a :class:`~synthframe.model.Model` from a schema and samples.

Per column: the null rate, bounds, and a generator spec (see :mod:`synthframe.model`):

- numbers: several ``scipy.stats`` families fitted and the best chosen by the
  Kolmogorov-Smirnov statistic (simpler families win near-ties), with empirical
  quantiles when none fits; small domains (ratings, quantities, discounts) as
  frequencies; integers stay integers and decimals keep their rounding;
- dates and datetimes: the same, on days or seconds since the epoch, keeping
  resolution;
- categories and booleans: frequencies; low-cardinality strings as categories;
- other strings: :mod:`synthframe.text` (semantic pools, learned formats, words);
- keys: primary keys as sequences or formatted strings, foreign keys by role
  (owner, link partner, self-reference, independent draw).

Hints written in the schema win over what is learned. Everything is vectorized;
large samples are subsampled for the distribution fits, so fitting stays seconds.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import distributions as dist
from . import text
from .errors import SampleError, SchemaError, where
from .model import ColumnModel, Model, TableModel
from .randomness import bits, stream_key
from .schema import Column, ForeignKey, Schema, Table

FIT_SUBSAMPLE = 2000
"""Values used to fit and score each numeric family (the full column gives bounds and frequencies)."""
MAX_FREQUENCY_LEVELS = 25
"""Numeric columns with at most this many distinct values (and repeats) are kept as frequencies."""
MAX_CATEGORY_LEVELS = 50
"""String columns with at most this many distinct values (each seen twice on average) become categories."""
QUANTILES = 257
"""Points of the empirical-quantile fallback."""
EPOCH = np.datetime64("1970-01-01T00:00:00", "s")
_DEFAULT_DATE_RANGE = ("2020-01-01", "2025-12-31")


def fit(schema: Schema | Mapping[str, Any] | str | Path | None, samples: Any = None) -> Model:
    """Fit a model: ``schema`` (a Schema, dict, JSON path, or None to infer it) and ``samples``.

    ``samples`` is anything :func:`synthframe.read_samples` accepts (records, DataFrames, files,
    a folder), or None for a schema-only model drawn from types and hints.
    """
    from .samples import read_samples

    if schema is None:
        if samples is None:
            raise SchemaError("Give a schema, samples, or both: with neither there is nothing to learn from.")
        from .infer import infer_schema

        raw = read_samples(samples)
        schema = infer_schema(raw)
    elif not isinstance(schema, Schema):
        schema = Schema.from_dict(schema) if isinstance(schema, Mapping) else Schema.from_json(schema)
    frames = read_samples(samples, schema) if samples is not None else {}
    tables = {name: _fit_table(schema, schema.tables[name], frames.get(name), frames)
              for name in schema.tables}
    return Model(schema=schema, tables=tables)


# -- tables and keys --------------------------------------------------------------------

def owner_and_partner(table: Table) -> tuple[int | None, int | None]:
    """Which foreign key lays the table out parent by parent, and (link tables) which one pairs with it.

    The owner is the first foreign key (not a self-reference) whose columns are part of the
    primary key, else the first one not declared nullable. A link table is one whose primary key
    is made of two foreign keys: the second is the partner.
    """
    pk = set(table.primary_key)
    candidates = [i for i, fk in enumerate(table.foreign_keys) if fk.ref_table != table.name]
    in_pk = [i for i in candidates if set(table.foreign_keys[i].columns) <= pk]
    if in_pk:
        owner = in_pk[0]
        covered = set().union(*(table.foreign_keys[i].columns for i in in_pk))
        partner = in_pk[1] if len(in_pk) >= 2 and covered == pk else None
        return owner, partner
    for i in candidates:
        if not any(table.columns[c].nullable for c in table.foreign_keys[i].columns):
            return i, None
    return None, None


def _fit_table(schema: Schema, table: Table, df: pd.DataFrame | None, frames: Mapping[str, pd.DataFrame]) -> TableModel:
    df = df if df is not None else pd.DataFrame()
    owner, partner = owner_and_partner(table)
    layout: dict[str, Any] = {"owner": owner, "partner": partner}
    if owner is not None:
        parent = table.foreign_keys[owner].ref_table
        parent_rows = len(frames[parent]) if parent in frames else 0
        layout["parent"] = parent
        layout["children_per_parent"] = (len(df) / parent_rows) if len(df) and parent_rows else None
        if partner is None and len(df) and parent_rows:
            layout["children_shape"] = _children_shape(table.foreign_keys[owner], df, frames[parent])
        layout["interleave"] = not _ordered_by_parent(table.foreign_keys[owner], df, frames.get(parent))
    columns: dict[str, ColumnModel] = {}
    for name, col in table.columns.items():
        values = df[name] if name in df.columns else pd.Series([], dtype="object")
        # A column in several foreign keys follows the widest one (l_partkey in (l_partkey, l_suppkey)
        # → partsupp, not l_partkey → part): the pair then exists, and so does each part of it.
        containing = [i for i, fk in enumerate(table.foreign_keys) if name in fk.columns]
        fk_index = max(containing, key=lambda i: len(table.foreign_keys[i].columns)) if containing else None
        if fk_index is not None:
            fk = table.foreign_keys[fk_index]
            columns[name] = _fit_foreign_key(table, col, fk, fk_index, owner, partner, values)
            if columns[name].generator["role"] == "draw" and name == fk.columns[0] and len(df) \
                    and frames.get(fk.ref_table) is not None and len(frames[fk.ref_table]):
                # How often each parent row is referenced (popular products, never-ordered ones).
                popularity = _children_shape(fk, df, frames[fk.ref_table])
                if popularity:
                    columns[name] = replace(columns[name], generator={**columns[name].generator,
                                                                      "popularity": popularity})
            if fk.ref_table == table.name:
                layout["self_reference"] = _fit_hierarchy(table, fk, df)
        elif name in table.primary_key:
            columns[name] = _fit_primary_key(table, col, values, line_number=owner is not None and set(
                table.foreign_keys[owner].columns) <= set(table.primary_key))
        else:
            columns[name] = fit_column(table.name, col, values)
    person = _person_group(columns, df)
    if person:
        layout["person"] = person
    copula = _fit_copula(table, columns, df)
    if copula:
        layout["copula"] = copula
    return TableModel(name=table.name, sample_rows=len(df), columns=columns, layout=layout)


COPULA_MIN_ROWS = 20
"""Complete sample rows needed before correlations between columns are learned."""
COPULA_MIN_CORRELATION = 0.1
"""Below this |correlation| in every pair, columns are drawn independently."""


def _fit_copula(table: Table, columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> dict[str, Any] | None:
    """A Gaussian copula over the table's numeric and date columns: the correlation of their normal
    scores (ranks mapped through the normal quantile), so dependencies seen in the samples survive
    while each column keeps its own fitted distribution. None when nothing is correlated.
    """
    from scipy import special

    names = [n for n, cm in columns.items()
             if cm.type in ("integer", "float", "date", "datetime") and n in df.columns
             and cm.generator["kind"] in ("distribution", "frequencies") and not cm.generator.get("unique")]
    if len(names) < 2:
        return None
    complete = df[names].dropna()
    if len(complete) < COPULA_MIN_ROWS:
        return None
    scores = np.column_stack([
        special.ndtri(complete[n].rank(method="average").to_numpy(dtype=np.float64) / (len(complete) + 1))
        for n in names])
    keep = scores.std(axis=0) > 0
    names = [n for n, k in zip(names, keep) if k]
    scores = scores[:, keep]
    if len(names) < 2:
        return None
    corr = np.corrcoef(scores, rowvar=False)
    off_diagonal = np.abs(corr[~np.eye(len(names), dtype=bool)])
    if not np.isfinite(corr).all() or off_diagonal.max() < COPULA_MIN_CORRELATION:
        return None
    return {"columns": names, "correlation": [[round(float(v), 6) for v in row] for row in corr]}


def _person_group(columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> dict[str, str] | None:
    """Email, first and last name columns that belong together: the email is then built from the
    same row's names (``maria.gonzalez@…``). Kept only when the samples agree (most emails hold the
    row's first or last name) or when there are no samples to disagree.
    """
    by_semantic: dict[str, str] = {}
    for name, cm in columns.items():
        spec = cm.generator.get("text") if cm.generator.get("kind") == "text" else None
        if spec and spec.get("kind") == "semantic":
            by_semantic.setdefault(spec["semantic"], name)
    if not {"email", "first_name", "last_name"} <= by_semantic.keys():
        return None
    group = {"email": by_semantic["email"], "first": by_semantic["first_name"], "last": by_semantic["last_name"]}
    if len(df) and set(group.values()) <= set(df.columns):
        rows = df[list(group.values())].dropna()
        if len(rows):
            text_of = {role: rows[col].astype(str).str.lower().to_numpy(dtype=str) for role, col in group.items()}
            hits = [np.strings.find(text_of["email"], text_of[role]) >= 0 for role in ("first", "last")]
            if float(np.mean(hits[0] | hits[1])) < 0.5:
                return None
    return group


def _ordered_by_parent(fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame | None) -> bool:
    """Whether the sample rows come parent by parent (lineitem sorted by its order): the children of each
    parent together, parents in their own table's order. Without samples to tell, rows are interleaved."""
    if parent is None or not len(child) or not set(fk.columns) <= set(child.columns) \
            or not set(fk.ref_columns) <= set(parent.columns):
        return False
    keys = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)])
    if not keys.is_unique:
        return False
    position = keys.get_indexer(pd.MultiIndex.from_frame(child[list(fk.columns)]))
    position = position[position >= 0]
    return len(position) > 1 and bool(np.all(np.diff(position) >= 0))


def _children_shape(fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame) -> dict[str, list] | None:
    """How many children each parent row has in the samples, as a histogram (zeros included).

    At most 64 distinct counts are kept exactly; longer tails are summarised by 64 quantiles.
    """
    if not set(fk.columns) <= set(child.columns) or not set(fk.ref_columns) <= set(parent.columns):
        return None
    keys = child[list(fk.columns)].dropna()
    keys.columns = list(fk.ref_columns)
    per_parent = keys.groupby(list(fk.ref_columns), observed=True).size()
    parent_keys = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)].dropna())
    child_keys = pd.MultiIndex.from_frame(per_parent.index.to_frame(index=False))
    sizes = per_parent.to_numpy()[child_keys.isin(parent_keys)]
    zeros = max(len(parent_keys) - len(sizes), 0)
    counts = np.concatenate([np.zeros(zeros, dtype=np.int64), sizes.astype(np.int64)])
    if not len(counts):
        return None
    values, freq = np.unique(counts, return_counts=True)
    if len(values) > 64:
        quantiles = np.quantile(counts, np.linspace(0.0, 1.0, 64))
        return {"counts": [float(q) for q in quantiles], "weights": [1.0 / 64] * 64}
    return {"counts": [int(v) for v in values], "weights": [float(f) / len(counts) for f in freq]}


def _fit_foreign_key(table: Table, col: Column, fk: ForeignKey, index: int, owner: int | None,
                     partner: int | None, values: pd.Series) -> ColumnModel:
    if fk.ref_table == table.name:
        role = "self"
    elif index == owner:
        role = "owner"
    elif index == partner:
        role = "partner"
    else:
        role = "draw"
    ref_col = fk.ref_columns[fk.columns.index(col.name)]
    null_rate = _null_rate(table.name, col, values) if role == "draw" else 0.0
    generator = {"kind": "foreign_key", "role": role, "foreign_key": index,
                 "references": f"{fk.ref_table}.{ref_col}"}
    return ColumnModel(col.name, col.type, null_rate, generator, int(values.notna().sum()))


def _fit_hierarchy(table: Table, fk: ForeignKey, df: pd.DataFrame) -> dict[str, Any]:
    """Root share and fan-out of a self-reference, from the samples (defaults without them)."""
    from .keys import hierarchy_stats

    column = fk.columns[0]
    stats_ = {"column": column, "root_share": 0.1, "fanout": 3.0, "max_depth": None}
    if len(df) and column in df.columns:
        keys = pd.Index(df[fk.ref_columns[0]])
        parent_index = keys.get_indexer(df[column]).astype(np.int64)
        learned = hierarchy_stats(parent_index, table=table.name, column=column)
        stats_.update({"root_share": float(learned["root_share"]) or 1.0 / len(df),
                       "fanout": float(learned["fanout"]) or 1.0,
                       "max_depth": int(learned["max_depth"])})
    return stats_


def _fit_primary_key(table: Table, col: Column, values: pd.Series, *, line_number: bool) -> ColumnModel:
    nonnull = values.dropna()
    n = len(nonnull)
    if line_number and col.type == "integer":
        start = int(nonnull.min()) if n else 1
        return ColumnModel(col.name, col.type, 0.0, {"kind": "line_number", "start": start}, n)
    if col.type == "integer":
        start, step = 1, 1
        if n:
            ordered = np.sort(nonnull.to_numpy(dtype=np.int64))
            start = int(ordered[0])
            diffs = np.unique(np.diff(ordered)) if n > 1 else np.array([1])
            step = int(diffs[0]) if len(diffs) == 1 and diffs[0] > 0 else 1
        return ColumnModel(col.name, col.type, 0.0, {"kind": "sequence", "start": start, "step": step}, n)
    if col.type == "uuid":
        return ColumnModel(col.name, col.type, 0.0, {"kind": "uuid"}, n)
    if col.type in ("string", "category"):
        pattern = col.pattern or (text.learn_pattern(nonnull.astype(str)) if n else None)
        start = 0
        if pattern and n and set(_placeholders(pattern)) == {"#"}:
            digits = nonnull.astype(str).str.replace(r"\D", "", regex=True)
            widest = int(digits.str.len().max())
            # Exact (no float on the way): the smallest number, compared as zero-padded digit strings.
            smallest = digits.str.zfill(widest).min() if widest else ""
            start = int(smallest) if smallest and int(smallest) < 2**62 else 0
        if not pattern:
            width = max(6, len(str(max(n, 1))))
            pattern = f"{table.name[:3].upper()}-{'#' * width}"
        return ColumnModel(col.name, col.type, 0.0, {"kind": "key_pattern", "pattern": pattern, "start": start}, n)
    raise SchemaError(f"Primary key {where(table.name, col.name)} has type {col.type}; primary keys must be "
                      f"integer, string, category or uuid. Change its type or the primary key.",
                      table=table.name, column=col.name)


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


# -- value columns ----------------------------------------------------------------------

def _null_rate(table: str, col: Column, values: pd.Series) -> float:
    if col.nullable is False:
        return 0.0
    if len(values) == 0:
        return 0.1 if col.nullable else 0.0
    rate = float(values.isna().mean())
    if rate == 1.0 and not col.nullable and not _has_value_hints(col):
        raise SampleError(
            f"Column {where(table, col.name)} has only nulls in the samples, so nothing can be learned from it; "
            f"add sample values, give hints (values, min/max, semantic), or mark it 'nullable': true.",
            table=table, column=col.name)
    return rate


def _has_value_hints(col: Column) -> bool:
    return any(v is not None for v in (col.values, col.min, col.max, col.semantic, col.pattern, col.distribution))


def fit_column(table: str, col: Column, values: pd.Series) -> ColumnModel:
    """What to learn for one value column (not a key) from its samples and hints."""
    null_rate = _null_rate(table, col, values)
    nonnull = values.dropna()
    if col.values is not None and col.type not in ("date", "datetime"):
        generator = _frequencies_from_hint(table, col, nonnull)
    elif col.type == "boolean":
        p = float(nonnull.astype(bool).mean()) if len(nonnull) else 0.5
        generator = {"kind": "frequencies", "values": [True, False], "weights": [p, 1.0 - p]}
    elif col.type in ("integer", "float"):
        generator = _fit_numeric(table, col, nonnull)
    elif col.type in ("date", "datetime"):
        generator = _fit_temporal(table, col, nonnull)
    elif col.type == "uuid":
        generator = {"kind": "uuid"}
    elif col.type == "category":
        generator = _frequencies(nonnull) if len(nonnull) else _category_without_samples(table, col)
    else:
        generator = _fit_string(table, col, nonnull)
    if col.unique:
        generator = {**generator, "unique": True}
    return ColumnModel(col.name, col.type, null_rate, generator, int(len(nonnull)))


def _frequencies(values: pd.Series, *, private: bool = False) -> dict[str, Any]:
    """Levels by descending frequency. ``private``: drop levels seen once (when others repeat),
    so a free-text value that identifies one person is not copied into the model."""
    counts = values.value_counts(sort=True)
    if private and (counts >= 2).any():
        counts = counts[counts >= 2]
    levels = [_plain_scalar(v) for v in counts.index]
    total = float(counts.sum())
    return {"kind": "frequencies", "values": levels, "weights": [float(c) / total for c in counts.to_numpy()]}


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


def _category_without_samples(table: str, col: Column) -> dict[str, Any]:
    semantic = col.semantic or text.detect_semantic(col.name)
    if semantic:
        return {"kind": "text", "text": text.fit_text(table, col.name, pd.Series([], dtype="string"),
                                                      semantic=semantic)}
    levels = [f"{col.name}_{i}" for i in range(1, 6)]
    return {"kind": "frequencies", "values": levels, "weights": [0.2] * 5}


def _fit_string(table: str, col: Column, values: pd.Series) -> dict[str, Any]:
    strings = values.astype("string")
    n, distinct = len(strings), int(strings.nunique())
    if col.semantic is None and col.pattern is None and n and distinct <= MAX_CATEGORY_LEVELS and distinct * 2 <= n \
            and not col.unique:
        return _frequencies(strings, private=True)
    spec = text.fit_text(table, col.name, strings, semantic=col.semantic, pattern=col.pattern)
    return {"kind": "text", "text": spec}


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
        return {"kind": "frequencies", "values": values_, "weights": list(counts / counts.sum())}
    if len(x) > FIT_SUBSAMPLE:
        x = _subsample(x, table, col.name)
    spec, ks = choose_family(x, lo, hi)
    base["ks_statistic"] = ks
    return {**base, "distribution": spec}


def _subsample(x: np.ndarray, table: str, column: str) -> np.ndarray:
    """FIT_SUBSAMPLE values of ``x`` chosen by the smallest counter-based hashes of their positions:
    the same values on every run, spread over the whole column."""
    keep = np.argpartition(bits(stream_key(0, table, column, "fit-subsample"), np.arange(len(x))), FIT_SUBSAMPLE)
    return x[np.sort(keep[:FIT_SUBSAMPLE])]


def choose_family(x: np.ndarray, lo: float, hi: float) -> tuple[dict[str, Any], float]:
    """Fit each candidate family to ``x``; the simplest one within a whisker of the best KS wins.

    Returns the spec and its KS statistic; empirical quantiles when no family passes
    (KS above ``max(0.05, 1.36 / sqrt(n))``, the 5% critical value for small samples).
    """
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
                ks = float(stats.kstest(x, dist.FAMILIES[name](**params).cdf).statistic)
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
