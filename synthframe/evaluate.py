"""Score synthetic tables against real ones: SDMetrics' quality report, computed vectorized.

    report = sf.evaluate(real, synthetic, schema)    # {table: DataFrame} on both sides, and the schema
    print(report)                                    # overall score, the four properties, rules, privacy
    report.column_shapes                             # one row per column: metric and score
    report.plot()                                    # {name: matplotlib Figure} (the ``plot`` extra)

The four properties are those of SDMetrics' multi-table ``QualityReport`` (version 0.32), with its
definitions and defaults, computed with NumPy on whole columns instead of per pair in pandas:

``Column Shapes``
    KSComplement (1 - the two-sample Kolmogorov-Smirnov statistic) for numbers and dates,
    TVComplement (1 - the total variation distance of the frequencies) for categories and booleans.
``Column Pair Trends``
    CorrelationSimilarity (1 - |r_real - r_synthetic| / 2, Pearson) for two continuous columns,
    ContingencySimilarity (1 - the total variation distance of the two-way frequencies) otherwise,
    a continuous column cut into 10 equal-width bins over its own range on each side. A pair counts
    toward the score only when the real data shows the trend: |r| > 0.5, or Cramér's V > 0.3.
``Cardinality``
    CardinalityShapeSimilarity: KSComplement of the children-per-parent counts (zeros included) per
    foreign key.
``Intertable Trends``
    the pair trends of (parent column, child column) over the child table joined to its parent.

Beside them: ``rules`` (the schema's keys, foreign keys and hints as shares of synthetic rows kept,
from :func:`synthframe.validate`), ``privacy`` (synthetic rows equal to a real row, distance to the
closest real record) and ``personal_values`` (emails, names, phones also in the real data), each next
to the same measure between two halves of the real data.
docs/evaluate.md explains every number, the type mapping and the subsampling.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .errors import SampleError, SynthframeError, where
from .randomness import bits, finalize, stream_key
from .schema import Column, ForeignKey, Schema, Table

PROPERTIES = ("Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends")
"""The quality properties, in SDMetrics' order; the overall score is their mean."""
CONTINUOUS = ("numerical", "datetime")
DISCRETE = ("categorical", "boolean")
STATISTICAL = CONTINUOUS + DISCRETE
"""Column kinds (SDMetrics sdtypes) the properties score; ``id``, ``pii`` and ``text`` columns are left out."""
NUM_BINS = 10
"""Equal-width bins a continuous column is cut into when paired with a discrete one (SDMetrics' default)."""
CORRELATION_THRESHOLD = 0.5
"""A continuous pair counts when the real |Pearson r| exceeds this (SDMetrics' QualityReport default)."""
ASSOCIATION_THRESHOLD = 0.3
"""Any other pair counts when the real Cramér's V exceeds this (SDMetrics' QualityReport default)."""
MAX_PAIR_ROWS = 100_000
"""Rows of each side the pair trends look at, per table or join; larger tables are subsampled."""
DCR_ROWS = 1_000
"""Synthetic (and held-out real) rows whose distance to the closest real record is measured."""
DCR_REFERENCE_ROWS = 5_000
"""Real rows those distances are measured against."""
PERSONAL_VALUES = 10_000
"""Synthetic values per personal column (emails, names, phones, ...) looked up among the real ones."""
BASELINE_MIN_ROWS = 100
"""Real tables with fewer rows get no real-vs-real baseline (the halves would be too small to mean much)."""
MAX_CATEGORY_LEVELS = 50
"""A string column with no hints is categorical when its real values have at most this many levels,
each seen twice on average (the rule the fit uses to learn frequencies); otherwise it is text."""

_KS_DECIMALS = 14  # SDMetrics rounds floats to sys.float_info.dig - 1 decimals before the KS test
_FREE_TEXT = frozenset({"word", "sentence", "paragraph", "text", "catch_phrase"})
_DCR_CELLS = 1 << 20  # distances held at once while measuring DCR (8 MB)

K = TypeVar("K", bound=Hashable)


class EvaluationError(SynthframeError, ValueError):
    """The real or synthetic tables cannot be scored against the schema: missing, empty or mistyped."""


class PlotDependencyError(SynthframeError, ImportError):
    """Plots need matplotlib, which is not installed (``pip install "synthframe[plot]"``)."""


# -- the report ---------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class QualityReport:
    """What :func:`evaluate` found. Every table of detail is a DataFrame; :meth:`to_dict` is JSON-able.

    ``score`` is the mean of the four property scores (as SDMetrics' ``get_score()``);
    ``properties`` holds each property's score and how many items it averages; the other frames
    hold one row per column, pair, relationship, rule or table (docs/evaluate.md lists their columns).
    """

    score: float
    properties: pd.DataFrame = field(repr=False)
    column_shapes: pd.DataFrame = field(repr=False)
    column_pair_trends: pd.DataFrame = field(repr=False)
    cardinality: pd.DataFrame = field(repr=False)
    intertable_trends: pd.DataFrame = field(repr=False)
    rules: pd.DataFrame = field(repr=False)
    privacy: pd.DataFrame = field(repr=False)
    personal_values: pd.DataFrame = field(repr=False)
    info: Mapping[str, Any] = field(repr=False)
    _plot_data: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (f"QualityReport(score={self.score:.4f}, tables={len(self.info.get('tables', {}))}, "
                f"properties={dict(zip(self.properties['property'], self.properties['score'].round(4)))})")

    def __str__(self) -> str:
        return self.summary()

    # SDMetrics' names, for people who know them
    def get_score(self) -> float:
        """The overall score: the mean of the property scores that could be computed."""
        return self.score

    def get_properties(self) -> pd.DataFrame:
        """``property`` and ``score`` of each of the four properties."""
        return self.properties[["property", "score"]].copy()

    def get_details(self, property_name: str, table_name: str | None = None) -> pd.DataFrame:
        """The detail rows of one property (or ``"Rules"``, ``"Privacy"``, ``"Personal Values"``), optionally
        of one table only."""
        frames = {"Column Shapes": self.column_shapes, "Column Pair Trends": self.column_pair_trends,
                  "Cardinality": self.cardinality, "Intertable Trends": self.intertable_trends,
                  "Rules": self.rules, "Privacy": self.privacy, "Personal Values": self.personal_values}
        if property_name not in frames:
            raise EvaluationError(f"Unknown property {property_name!r}; use one of {', '.join(frames)}.")
        frame = frames[property_name]
        if table_name is None:
            return frame.copy()
        if table_name not in self.info["tables"]:
            raise EvaluationError(f"Unknown table {table_name!r}; the report covers {', '.join(self.info['tables'])}.",
                                  table=table_name)
        if "table" in frame.columns:
            return frame[frame["table"] == table_name].copy()
        return frame[(frame["parent_table"] == table_name) | (frame["child_table"] == table_name)].copy()

    def summary(self) -> str:
        """The report as text: scores, the weakest columns and pairs, rules broken, privacy per table."""
        return _summary(self)

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data (JSON-able: NaN becomes null)."""
        return {
            "score": _plain(self.score),
            "properties": dict(zip(self.properties["property"], map(_plain, self.properties["score"]))),
            "details": {
                "column_shapes": _records(self.column_shapes),
                "column_pair_trends": _records(self.column_pair_trends),
                "cardinality": _records(self.cardinality),
                "intertable_trends": _records(self.intertable_trends),
            },
            "property_counts": _records(self.properties),
            "rules": _records(self.rules),
            "privacy": _records(self.privacy),
            "personal_values": _records(self.personal_values),
            "info": _plain(dict(self.info)),
        }

    def plot(self, tables: Sequence[str] | None = None, *, max_columns: int = 16) -> dict[str, Any]:
        """Figures comparing real and synthetic data (needs matplotlib: ``pip install "synthframe[plot]"``).

        Per table ``columns-<table>`` (a histogram or bar chart per column, real against synthetic)
        and ``pairs-<table>`` (the pair trends of the real data, of the synthetic data, and their
        similarity, as heatmaps); and ``cardinality`` (children per parent, per foreign key).
        Returns ``{name: matplotlib.figure.Figure}``.
        """
        from .evaluate_plots import plot_report

        return plot_report(self, tables=tables, max_columns=max_columns)


@dataclass(frozen=True)
class _PlotData:
    """What the plots need beyond the detail frames: the tables and the children-per-parent counts."""

    real: Mapping[str, pd.DataFrame]
    synthetic: Mapping[str, pd.DataFrame]
    sdtypes: Mapping[str, Mapping[str, str]]
    children: Mapping[str, tuple[np.ndarray, np.ndarray]]


# -- entry point -------------------------------------------------------------------------------

def evaluate(real: Mapping[str, pd.DataFrame] | str | Path, synthetic: Mapping[str, pd.DataFrame] | str | Path,
             schema: Schema | Mapping[str, Any] | str | Path, *, max_rows: int | None = MAX_PAIR_ROWS,
             privacy: bool = True, seed: int = 0, correlation_threshold: float = CORRELATION_THRESHOLD,
             association_threshold: float = ASSOCIATION_THRESHOLD) -> QualityReport:
    """Score how closely ``synthetic`` follows ``real`` (ideally a held-out real draw) under ``schema``.

    ``real`` and ``synthetic`` are ``{table: DataFrame}`` (or folders, read with
    :func:`synthframe.read_samples`); every table and column of the schema must be on both sides.
    ``max_rows`` caps the rows per table the pair trends read (``None``: all); ``privacy=False``
    skips exact copies and distances; ``seed`` picks the subsamples. The two thresholds decide which
    pairs count toward the pair-trend scores (0 counts every pair).
    """
    started = time.perf_counter()
    schema = _as_schema(schema)
    _check_options(max_rows, seed, correlation_threshold, association_threshold)
    real_frames = _check_side("real", real, schema)
    synthetic_frames = _check_side("synthetic", synthetic, schema)
    sdtypes = column_sdtypes(schema, real_frames)
    prepared = {name: _prepare_table(table, real_frames[name], synthetic_frames[name], sdtypes[name])
                for name, table in schema.tables.items()}
    matches = {(name, fk): _match_keys(name, fk, real_frames, synthetic_frames)
               for name, table in schema.tables.items() for fk in table.foreign_keys}
    shapes = _column_shapes(prepared)
    pairs = _column_pair_trends(prepared, max_rows, seed, correlation_threshold, association_threshold)
    cardinality = _cardinality(matches)
    intertable = _intertable_trends(prepared, matches, max_rows, seed, correlation_threshold,
                                    association_threshold)
    rules = _rules(schema, synthetic_frames)
    privacy_frame = (_privacy(schema, real_frames, synthetic_frames, prepared, seed) if privacy
                     else pd.DataFrame(columns=_PRIVACY_COLUMNS))
    personal = (_personal_values(schema, real_frames, synthetic_frames, sdtypes, seed) if privacy
                else pd.DataFrame(columns=_PERSONAL_COLUMNS))
    properties = _properties(shapes, pairs, cardinality, intertable)
    scores = properties["score"].to_numpy(dtype=float)
    overall = float(np.nanmean(scores)) if np.isfinite(scores).any() else math.nan
    info = {
        "tables": {name: {"real_rows": len(real_frames[name]), "synthetic_rows": len(synthetic_frames[name])}
                   for name in schema.tables},
        "sdtypes": {name: dict(types) for name, types in sdtypes.items()},
        "max_rows": max_rows, "seed": seed, "num_bins": NUM_BINS,
        "correlation_threshold": correlation_threshold, "association_threshold": association_threshold,
        "dcr_rows": DCR_ROWS, "dcr_reference_rows": DCR_REFERENCE_ROWS,
        "seconds": round(time.perf_counter() - started, 3),
    }
    children = {_relationship_label(name, fk): (m.real_children, m.synthetic_children)
                for (name, fk), m in matches.items()}
    plot_data = _PlotData(real_frames, synthetic_frames, sdtypes, children)
    return QualityReport(overall, properties, shapes, pairs, cardinality, intertable, rules, privacy_frame,
                         personal, info, plot_data)


# -- types -------------------------------------------------------------------------------------

def column_sdtypes(schema: Schema | Mapping[str, Any] | str | Path,
                   real: Mapping[str, pd.DataFrame] | None = None) -> dict[str, dict[str, str]]:
    """The SDMetrics sdtype each column is scored as: ``{table: {column: sdtype}}``.

    Primary and foreign key columns are ``id``; integer and float ``numerical``; date and datetime
    ``datetime``; category ``categorical``; boolean ``boolean``; strings with a ``semantic`` hint
    ``pii`` (``text`` for words, sentences, paragraphs); uuid, and strings that are ``unique`` or have
    a ``pattern``, ``id``; strings with ``values`` ``categorical``; other strings
    ``categorical`` when the real values have few levels (see :data:`MAX_CATEGORY_LEVELS`), else ``text``.
    """
    schema = _as_schema(schema)
    out: dict[str, dict[str, str]] = {}
    for name, table in schema.tables.items():
        keys = _key_columns(table)
        frame = real.get(name) if real is not None else None
        out[name] = {col: _sdtype(spec, col in keys,
                                  frame[col] if frame is not None and col in frame.columns else None)
                     for col, spec in table.columns.items()}
    return out


def sdmetrics_metadata(schema: Schema | Mapping[str, Any] | str | Path,
                       real: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """The schema as SDMetrics multi-table metadata, with the sdtypes of :func:`column_sdtypes`."""
    schema = _as_schema(schema)
    sdtypes = column_sdtypes(schema, real)
    tables: dict[str, Any] = {}
    for name, table in schema.tables.items():
        spec: dict[str, Any] = {"columns": {col: {"sdtype": kind} for col, kind in sdtypes[name].items()}}
        if table.primary_key:
            spec["primary_key"] = table.primary_key[0] if len(table.primary_key) == 1 else list(table.primary_key)
        tables[name] = spec
    relationships = [{"parent_table_name": fk.ref_table, "child_table_name": name,
                      "parent_primary_key": _one_or_list(fk.ref_columns), "child_foreign_key": _one_or_list(fk.columns)}
                     for name, table in schema.tables.items() for fk in table.foreign_keys]
    return {"tables": tables, "relationships": relationships}


def _one_or_list(columns: Sequence[str]) -> str | list[str]:
    return columns[0] if len(columns) == 1 else list(columns)


def _key_columns(table: Table) -> set[str]:
    keys = set(table.primary_key)
    for fk in table.foreign_keys:
        keys.update(fk.columns)
    return keys


def _sdtype(spec: Column, is_key: bool, real: pd.Series | None) -> str:
    if is_key:
        return "id"
    kind = spec.type
    if kind in ("integer", "float"):
        return "numerical"
    if kind in ("date", "datetime"):
        return "datetime"
    if kind == "boolean":
        return "boolean"
    if kind == "category":
        return "categorical"
    if kind == "string" and spec.semantic is not None:
        return "text" if spec.semantic in _FREE_TEXT else "pii"
    if kind == "uuid" or spec.unique or spec.pattern is not None:
        return "id"
    if spec.values is not None:
        return "categorical"
    if real is None:
        return "text"
    values = real.dropna()
    distinct = int(values.nunique())
    if len(values) and distinct <= MAX_CATEGORY_LEVELS and 2 * distinct <= len(values):
        return "categorical"
    return "text"


# -- input checks ------------------------------------------------------------------------------

def _as_schema(schema: Any) -> Schema:
    if isinstance(schema, Schema):
        return schema
    if isinstance(schema, Mapping):
        return Schema.from_dict(schema)
    if isinstance(schema, (str, Path)):
        return Schema.from_json(schema)
    raise EvaluationError(f"The schema must be a synthframe.Schema, a dict or a path to schema.json; "
                          f"got {type(schema).__name__}.")


def _check_options(max_rows: Any, seed: Any, correlation: Any, association: Any) -> None:
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer))
                                 or max_rows < 2):
        raise EvaluationError(f"The 'max_rows' parameter of evaluate must be an integer of 2 or more, or None. "
                              f"Got {max_rows!r} instead.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise EvaluationError(f"The 'seed' parameter of evaluate must be an integer of 0 or more. Got {seed!r} "
                              f"instead.")
    for label, value in (("correlation_threshold", correlation), ("association_threshold", association)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise EvaluationError(f"The '{label}' parameter of evaluate must be a number in [0, 1]. Got {value!r} "
                                  f"instead.")


def _check_side(side: str, data: Any, schema: Schema) -> dict[str, pd.DataFrame]:
    """The tables of one side, checked: every schema table and column there, none empty."""
    if isinstance(data, (str, Path)):
        from .samples import read_samples

        data = read_samples(data, schema)
    if not isinstance(data, Mapping):
        raise EvaluationError(f"The {side} data must be a mapping {{table name: DataFrame}} (or a folder of "
                              f"tables); got {type(data).__name__}.")
    out: dict[str, pd.DataFrame] = {}
    for name, table in schema.tables.items():
        if name not in data:
            present = ", ".join(map(str, data)) or "none"
            raise EvaluationError(f"Table '{name}' is in the schema but missing from the {side} data (tables "
                                  f"there: {present}); pass it on both sides, or evaluate with a schema "
                                  f"without it.", table=name)
        frame = data[name]
        if not isinstance(frame, pd.DataFrame):
            raise EvaluationError(f"Table '{name}' of the {side} data must be a pandas DataFrame; got "
                                  f"{type(frame).__name__}. Build it with pd.DataFrame(...).", table=name)
        doubled = frame.columns[frame.columns.duplicated()]
        if len(doubled):
            raise EvaluationError(f"Column {where(name, str(doubled[0]))} appears more than once in the {side} "
                                  f"data; keep one of them.", table=name, column=str(doubled[0]))
        missing = [col for col in table.columns if col not in frame.columns]
        if missing:
            raise EvaluationError(f"Column {where(name, missing[0])} is in the schema but missing from the "
                                  f"{side} data" + (f" (and {len(missing) - 1} more: {missing[1:]})"
                                                    if len(missing) > 1 else "")
                                  + "; add it, or remove it from the schema.", table=name, column=missing[0])
        if len(frame) == 0:
            raise EvaluationError(f"Table '{name}' of the {side} data has no rows; there is nothing to compare. "
                                  f"Pass rows for it, or evaluate with a schema without it.", table=name)
        out[name] = frame
    return out


# -- columns as arrays -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Col:
    """One statistical column on both sides: floats (NaN for null) or shared level codes (-1 for null)."""

    name: str
    sdtype: str
    real: np.ndarray
    synthetic: np.ndarray
    levels: int = 0
    rounded: bool = False

    @property
    def continuous(self) -> bool:
        return self.sdtype in CONTINUOUS


def _prepare_table(table: Table, real: pd.DataFrame, synthetic: pd.DataFrame,
                   sdtypes: Mapping[str, str]) -> dict[str, _Col]:
    out: dict[str, _Col] = {}
    for name, kind in sdtypes.items():
        if kind not in STATISTICAL:
            continue
        spec = table.columns[name]
        if kind in CONTINUOUS:
            out[name] = _Col(name, kind, _continuous("real", table.name, spec, real[name]),
                             _continuous("synthetic", table.name, spec, synthetic[name]),
                             rounded=spec.type == "float")
        else:
            real_codes, real_labels = _level_codes(_discrete("real", table.name, spec, real[name]))
            synthetic_codes, synthetic_labels = _level_codes(_discrete("synthetic", table.name, spec,
                                                                       synthetic[name]))
            shared, levels = pd.factorize(real_labels.append(synthetic_labels))
            shared = shared.astype(np.int64, copy=False)
            out[name] = _Col(name, kind, _relabel(real_codes, shared[:len(real_labels)]),
                             _relabel(synthetic_codes, shared[len(real_labels):]), len(levels))
    return out


def _coerced(side: str, table: str, spec: Column, values: pd.Series) -> pd.Series:
    from .samples import coerce_column

    try:
        return coerce_column(table, spec, values)
    except SampleError as exc:
        raise EvaluationError(f"The {side} data does not fit the schema's type {spec.type}: {exc.message}",
                              table=table, column=spec.name) from None


def _continuous(side: str, table: str, spec: Column, values: pd.Series) -> np.ndarray:
    """Numbers as float64, dates and datetimes as microseconds since 1970 (float64); NaN for null."""
    if spec.type in ("date", "datetime"):
        if not pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = _coerced(side, table, spec, values)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        stamps = values.astype("datetime64[us]")
        out = stamps.to_numpy().view(np.int64).astype(np.float64)
        out[stamps.isna().to_numpy()] = np.nan
        return out
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = _coerced(side, table, spec, values)
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _discrete(side: str, table: str, spec: Column, values: pd.Series) -> pd.Series:
    """Booleans as ``boolean``; other levels are compared as text (see :func:`_level_codes`)."""
    if spec.type == "boolean" and not pd.api.types.is_bool_dtype(values.dtype):
        values = _coerced(side, table, spec, values)
    return values


def _level_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of one side's levels (-1 for null) and the levels, booleans as ``boolean``, others as text."""
    codes, uniques = pd.factorize(values)
    labels = pd.Index(uniques)
    labels = labels.astype("boolean") if pd.api.types.is_bool_dtype(labels.dtype) else labels.astype("string")
    return codes.astype(np.int64, copy=False), labels


def _relabel(codes: np.ndarray, mapping: np.ndarray) -> np.ndarray:
    return np.where(codes >= 0, mapping[np.maximum(codes, 0)], -1) if len(mapping) else codes


# -- single-column metrics ---------------------------------------------------------------------

def ks_complement(real: np.ndarray, synthetic: np.ndarray) -> float:
    """1 - the two-sample Kolmogorov-Smirnov statistic (NaN ignored; NaN when a side has no values)."""
    a = np.sort(real[~np.isnan(real)])
    b = np.sort(synthetic[~np.isnan(synthetic)])
    if not len(a) or not len(b):
        return math.nan
    # Both empirical CDFs at every distinct value (the last of each run of ties), each side's own by position.
    last_a = np.flatnonzero(np.append(a[1:] != a[:-1], True))
    last_b = np.flatnonzero(np.append(b[1:] != b[:-1], True))
    gap_a = (last_a + 1) / len(a) - np.searchsorted(b, a[last_a], side="right") / len(b)
    gap_b = np.searchsorted(a, b[last_b], side="right") / len(a) - (last_b + 1) / len(b)
    return float(1.0 - max(np.max(np.abs(gap_a)), np.max(np.abs(gap_b))))


def tv_complement(real: np.ndarray, synthetic: np.ndarray, levels: int) -> float:
    """1 - the total variation distance of level frequencies (codes, -1 null ignored), as SDMetrics'
    TVComplement: a level seen only in the synthetic data weighs 1e-6 of a row on the real side."""
    a, b = real[real >= 0], synthetic[synthetic >= 0]
    if not len(a) or not len(b):
        return math.nan
    counts_real = np.bincount(a, minlength=levels).astype(np.float64)
    counts_synthetic = np.bincount(b, minlength=levels).astype(np.float64)
    counts_real[(counts_real == 0) & (counts_synthetic > 0)] += 1e-6
    share_real = counts_real / counts_real.sum()
    share_synthetic = counts_synthetic / counts_synthetic.sum()
    return float(1.0 - 0.5 * np.abs(share_real - share_synthetic).sum())


def _column_score(col: _Col) -> tuple[str, float]:
    if col.continuous:
        real, synthetic = col.real, col.synthetic
        if col.rounded:
            real, synthetic = np.round(real, _KS_DECIMALS), np.round(synthetic, _KS_DECIMALS)
        return "KSComplement", ks_complement(real, synthetic)
    return "TVComplement", tv_complement(col.real, col.synthetic, col.levels)


def _column_shapes(prepared: Mapping[str, Mapping[str, _Col]]) -> pd.DataFrame:
    rows = []
    for table, columns in prepared.items():
        for col in columns.values():
            metric, score = _column_score(col)
            note = None if not math.isnan(score) else "no values on one side"
            rows.append((table, col.name, col.sdtype, metric, score, note))
    return pd.DataFrame(rows, columns=["table", "column", "sdtype", "metric", "score", "note"]).astype(
        {"score": float})


# -- pair metrics ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Scored:
    """A column as the pair metrics read it on both sides: values, and level codes (nulls a level)."""

    col: _Col
    real: np.ndarray
    synthetic: np.ndarray
    real_codes: np.ndarray
    synthetic_codes: np.ndarray
    levels: int


def _pair_frame(columns: Mapping[K, _Col], extents: Mapping[K, tuple[np.ndarray, np.ndarray]],
                keep_real: np.ndarray | None, keep_synthetic: np.ndarray | None) -> dict[K, _Scored]:
    """The columns at the rows kept (all when None), continuous ones binned over their ``extents``
    (the smallest and largest value of all rows to score, before any subsampling)."""
    out: dict[K, _Scored] = {}
    for key, col in columns.items():
        real, synthetic = _take(col.real, keep_real), _take(col.synthetic, keep_synthetic)
        if col.continuous:
            real_extent, synthetic_extent = extents[key]
            real_codes, synthetic_codes = _binned(real, real_extent), _binned(synthetic, synthetic_extent)
            levels = NUM_BINS + 2
        else:
            real_codes = np.where(real < 0, col.levels, real)
            synthetic_codes = np.where(synthetic < 0, col.levels, synthetic)
            levels = col.levels + 1
        out[key] = _Scored(col, real, synthetic, real_codes, synthetic_codes, levels)
    return out


def _extent(values: np.ndarray) -> np.ndarray:
    """The smallest and largest non-null value (empty when there is none)."""
    finite = values[~np.isnan(values)]
    return np.array([finite.min(), finite.max()]) if len(finite) else finite


def _take(values: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    return values if rows is None else values[rows]


def _subsample(n: int, max_rows: int | None, seed: int, address: str, purpose: str) -> np.ndarray | None:
    """``max_rows`` row positions out of ``n`` (sorted), the same for the same seed and names; None: all."""
    if max_rows is None or n <= max_rows:
        return None
    draws = bits(stream_key(seed, address, "", purpose), np.arange(n, dtype=np.int64))
    return np.sort(np.argpartition(draws, max_rows - 1)[:max_rows])


def _binned(values: np.ndarray, extent: np.ndarray) -> np.ndarray:
    """SDMetrics' discretization: 10 equal-width bins over the non-null range, one side at a time
    (``np.histogram_bin_edges`` and ``np.digitize``: codes 1..11, the maximum and nulls take 11)."""
    edges = np.histogram_bin_edges(extent, bins=NUM_BINS)
    return np.digitize(values, edges).astype(np.int64)


def _pearson(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Pearson correlations of every pair, each on the rows where both are set (as pairwise dropna)."""
    k = len(columns)
    if not k:
        return np.zeros((0, 0))
    x = np.column_stack(columns)
    present = ~np.isnan(x)
    count = np.maximum(present.sum(axis=0), 1)
    filled = np.where(present, x, 0.0)
    centre = filled.sum(axis=0) / count
    filled = np.where(present, x - centre, 0.0)
    scale = np.sqrt((filled * filled).sum(axis=0) / count)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    z = filled / scale
    mask = present.astype(np.float64)
    n = mask.T @ mask
    sums = z.T @ mask  # sums[i, j]: sum of column i over the rows where i and j are both set
    squares = (z * z).T @ mask
    products = z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = products - sums * sums.T / n
        var = squares - sums * sums / n
        var_t = var.T
        r = cov / np.sqrt(var * var_t)
        flat = (var <= 1e-12 * squares) | (var_t <= 1e-12 * squares.T)
    r[(n < 2) | flat] = np.nan
    return np.clip(r, -1.0, 1.0)


def _is_constant(values: np.ndarray) -> bool:
    """One distinct non-null value (SDMetrics refuses correlations of such columns)."""
    finite = values[~np.isnan(values)]
    return bool(len(finite)) and bool(finite.min() == finite.max())


def _contingency(real_a: np.ndarray, real_b: np.ndarray, synthetic_a: np.ndarray, synthetic_b: np.ndarray,
                 levels_a: int, levels_b: int) -> tuple[float, float, float]:
    """ContingencySimilarity of two coded columns, and Cramér's V of the real and of the synthetic table."""
    n_real, n_synthetic = len(real_a), len(synthetic_a)
    if not n_real or not n_synthetic:
        return math.nan, math.nan, math.nan
    cells_real = real_a * levels_b + real_b
    cells_synthetic = synthetic_a * levels_b + synthetic_b
    size = levels_a * levels_b
    if size <= max(4 * (n_real + n_synthetic), 1 << 16):
        counts_real = np.bincount(cells_real, minlength=size)
        counts_synthetic = np.bincount(cells_synthetic, minlength=size)
        used = np.flatnonzero((counts_real > 0) | (counts_synthetic > 0))
        cells, counts_real, counts_synthetic = used, counts_real[used], counts_synthetic[used]
    else:
        cells, inverse = np.unique(np.concatenate([cells_real, cells_synthetic]), return_inverse=True)
        counts_real = np.bincount(inverse[:n_real], minlength=len(cells))
        counts_synthetic = np.bincount(inverse[n_real:], minlength=len(cells))
    score = 1.0 - 0.5 * np.abs(counts_real / n_real - counts_synthetic / n_synthetic).sum()
    return (float(score), _cramers_v(cells, counts_real, levels_b), _cramers_v(cells, counts_synthetic, levels_b))


def _cramers_v(cells: np.ndarray, counts: np.ndarray, levels_b: int) -> float:
    """Cramér's V (no continuity correction) of a two-way table given by its non-empty cells."""
    used = counts > 0
    observed = counts[used].astype(np.float64)
    total = observed.sum()
    _, rows = np.unique(cells[used] // levels_b, return_inverse=True)
    _, cols = np.unique(cells[used] % levels_b, return_inverse=True)
    n_rows, n_cols = (int(rows.max()) + 1, int(cols.max()) + 1) if len(observed) else (0, 0)
    if total == 0 or min(n_rows, n_cols) < 2:
        return math.nan
    row_sums = np.bincount(rows, weights=observed)
    col_sums = np.bincount(cols, weights=observed)
    chi2 = total * (np.sum(observed * observed / (row_sums[rows] * col_sums[cols])) - 1.0)
    return float(min(1.0, math.sqrt(max(chi2, 0.0) / total / (min(n_rows, n_cols) - 1))))


_PAIR_COLUMNS = ["metric", "score", "real_correlation", "synthetic_correlation", "real_association",
                 "synthetic_association", "counted", "note"]


def _score_pairs(frame: Mapping[K, _Scored], pairs: Sequence[tuple[K, K]],
                 correlation_threshold: float, association_threshold: float) -> list[tuple[Any, ...]]:
    """One row of :data:`_PAIR_COLUMNS` per pair, as SDMetrics' ColumnPairTrends computes it."""
    continuous = [key for key in frame if frame[key].col.continuous]
    index = {key: i for i, key in enumerate(continuous)}
    r_real = _pearson([frame[key].real for key in continuous])
    r_synthetic = _pearson([frame[key].synthetic for key in continuous])
    constant = {key: (_is_constant(frame[key].real), _is_constant(frame[key].synthetic)) for key in continuous}
    rows = []
    for a, b in pairs:
        left, right = frame[a], frame[b]
        if left.col.continuous and right.col.continuous:
            rows.append(_correlation_row(a, b, index, r_real, r_synthetic, constant, correlation_threshold))
            continue
        score, v_real, v_synthetic = _contingency(left.real_codes, right.real_codes, left.synthetic_codes,
                                                  right.synthetic_codes, left.levels, right.levels)
        counted = not association_threshold or (not math.isnan(v_real) and v_real > association_threshold)
        note = None
        if math.isnan(score):
            note = "no rows to compare"
        elif association_threshold and not counted:
            note = (f"real Cramér's V {v_real:.3f} <= {association_threshold:g}: not counted"
                    if not math.isnan(v_real) else "a single level in the real data: not counted")
        rows.append(("ContingencySimilarity", score, math.nan, math.nan, v_real, v_synthetic, counted, note))
    return rows


def _correlation_row(a: K, b: K, index: Mapping[K, int], r_real: np.ndarray,
                     r_synthetic: np.ndarray, constant: Mapping[K, tuple[bool, bool]],
                     threshold: float) -> tuple[Any, ...]:
    flat = [side for key in (a, b) for side, is_flat in zip(("real", "synthetic"), constant[key]) if is_flat]
    if flat:
        return ("CorrelationSimilarity", math.nan, math.nan, math.nan, math.nan, math.nan, False,
                f"constant in the {' and '.join(dict.fromkeys(flat))} data: correlation undefined")
    real, synthetic = float(r_real[index[a], index[b]]), float(r_synthetic[index[a], index[b]])
    score = 1.0 - abs(real - synthetic) / 2.0 if not (math.isnan(real) or math.isnan(synthetic)) else math.nan
    counted = not math.isnan(real) and (not threshold or abs(real) > threshold)
    note = None
    if math.isnan(score):
        note = "fewer than two rows with both values, or no spread: correlation undefined"
    elif not counted:
        note = f"real correlation {real:.3f} within ±{threshold:g}: not counted"
    return ("CorrelationSimilarity", score, real, synthetic, math.nan, math.nan, counted, note)


def _pairs_frame(rows: list[tuple[Any, ...]], keys: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*keys, *_PAIR_COLUMNS])
    for name in ("score", "real_correlation", "synthetic_correlation", "real_association", "synthetic_association"):
        frame[name] = frame[name].astype(float)
    frame["counted"] = frame["counted"].astype(bool)
    return frame


def _column_pair_trends(prepared: Mapping[str, Mapping[str, _Col]], max_rows: int | None, seed: int,
                        correlation_threshold: float, association_threshold: float) -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = []
    for table, columns in prepared.items():
        pairs = list(itertools.combinations(columns, 2))
        if not pairs:
            continue
        first = next(iter(columns.values()))
        extents = {name: (_extent(col.real), _extent(col.synthetic)) for name, col in columns.items()
                   if col.continuous}
        frame = _pair_frame(columns, extents, _subsample(len(first.real), max_rows, seed, table, "pairs/real"),
                            _subsample(len(first.synthetic), max_rows, seed, table, "pairs/synthetic"))
        for (a, b), row in zip(pairs, _score_pairs(frame, pairs, correlation_threshold, association_threshold)):
            rows.append((table, a, b, *row))
    return _pairs_frame(rows, ["table", "column_1", "column_2"])


# -- relationships -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Match:
    """A foreign key resolved on both sides: each child row's parent row (-1: none) and each parent
    row's number of children."""

    real_parent_row: np.ndarray
    synthetic_parent_row: np.ndarray
    real_children: np.ndarray
    synthetic_children: np.ndarray


def _relationship_label(child: str, fk: ForeignKey) -> str:
    return f"{child}.{','.join(fk.columns)} -> {fk.ref_table}"


def _match_keys(table: str, fk: ForeignKey, real: Mapping[str, pd.DataFrame],
                synthetic: Mapping[str, pd.DataFrame]) -> _Match:
    real_rows, real_children = _match_side(real[fk.ref_table], fk.ref_columns, real[table], fk.columns)
    synthetic_rows, synthetic_children = _match_side(synthetic[fk.ref_table], fk.ref_columns, synthetic[table],
                                                     fk.columns)
    return _Match(real_rows, synthetic_rows, real_children, synthetic_children)


def _match_side(parent: pd.DataFrame, keys: Sequence[str], child: pd.DataFrame,
                refs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each child row's first parent row with its key (-1 when null or absent); each parent row's
    number of children (the children of its key value, as SDMetrics' cardinality join counts them)."""
    n_parent = len(parent)
    codes: np.ndarray | None = None
    for key, ref in zip(keys, refs):
        joined = pd.concat([parent[key].reset_index(drop=True), child[ref].reset_index(drop=True)],
                           ignore_index=True)
        if isinstance(joined.dtype, pd.CategoricalDtype):
            joined = joined.astype(object)
        part, uniques = pd.factorize(joined)
        part = part.astype(np.int64, copy=False)
        if codes is None:
            codes = part
        else:
            both = (codes >= 0) & (part >= 0)
            combined = np.where(both, codes * max(len(uniques), 1) + part, -1)
            codes = pd.factorize(combined)[0].astype(np.int64)
            codes[~both] = -1
    assert codes is not None
    parent_codes, child_codes = codes[:n_parent], codes[n_parent:]
    size = int(codes.max()) + 1 if len(codes) else 0
    first_row = np.full(size, -1, dtype=np.int64)
    set_codes, first = np.unique(parent_codes[parent_codes >= 0], return_index=True)
    first_row[set_codes] = np.flatnonzero(parent_codes >= 0)[first]
    parent_row = np.where(child_codes >= 0, first_row[np.maximum(child_codes, 0)], -1)
    per_key = np.bincount(child_codes[child_codes >= 0], minlength=size)
    children = np.where(parent_codes >= 0, per_key[np.maximum(parent_codes, 0)], 0)
    return parent_row, children.astype(np.float64)


def _cardinality(matches: Mapping[tuple[str, ForeignKey], _Match]) -> pd.DataFrame:
    rows = []
    for (child, fk), match in matches.items():
        score = ks_complement(match.real_children, match.synthetic_children)
        rows.append((child, fk.ref_table, ",".join(fk.columns), "CardinalityShapeSimilarity", score,
                     float(match.real_children.mean()), float(match.synthetic_children.mean()),
                     float((match.real_children == 0).mean()), float((match.synthetic_children == 0).mean())))
    return pd.DataFrame(rows, columns=["child_table", "parent_table", "foreign_key", "metric", "score",
                                       "real_children_mean", "synthetic_children_mean",
                                       "real_childless_share", "synthetic_childless_share"]).astype({"score": float})


def _intertable_trends(prepared: Mapping[str, Mapping[str, _Col]], matches: Mapping[tuple[str, ForeignKey], _Match],
                       max_rows: int | None, seed: int, correlation_threshold: float,
                       association_threshold: float) -> pd.DataFrame:
    rows: list[tuple[Any, ...]] = []
    for (child, fk), match in matches.items():
        parent_cols, child_cols = prepared[fk.ref_table], prepared[child]
        pairs = [(("parent", p), ("child", c)) for p in parent_cols for c in child_cols]
        if not pairs:
            continue
        # The join (child rows that find their parent), subsampled before any column is read; bins
        # still span all joined rows: a parent column's range is that of the parents with children.
        address = _relationship_label(child, fk)
        real_rows = np.flatnonzero(match.real_parent_row >= 0)
        synthetic_rows = np.flatnonzero(match.synthetic_parent_row >= 0)
        real_kept = _take(real_rows, _subsample(len(real_rows), max_rows, seed, address, "pairs/real"))
        synthetic_kept = _take(synthetic_rows,
                               _subsample(len(synthetic_rows), max_rows, seed, address, "pairs/synthetic"))
        real_parents, synthetic_parents = match.real_children > 0, match.synthetic_children > 0
        joined: dict[Hashable, _Col] = {}
        extents: dict[Hashable, tuple[np.ndarray, np.ndarray]] = {}
        for name, col in parent_cols.items():
            joined["parent", name] = _Col(name, col.sdtype, col.real[match.real_parent_row[real_kept]],
                                          col.synthetic[match.synthetic_parent_row[synthetic_kept]],
                                          col.levels, col.rounded)
            if col.continuous:
                extents["parent", name] = (_extent(col.real[real_parents]),
                                           _extent(col.synthetic[synthetic_parents]))
        for name, col in child_cols.items():
            joined["child", name] = _Col(name, col.sdtype, col.real[real_kept], col.synthetic[synthetic_kept],
                                         col.levels, col.rounded)
            if col.continuous:
                extents["child", name] = (_extent(col.real[real_rows]), _extent(col.synthetic[synthetic_rows]))
        frame = _pair_frame(joined, extents, None, None)
        scored = _score_pairs(frame, pairs, correlation_threshold, association_threshold)
        for (a, b), row in zip(pairs, scored):
            rows.append((fk.ref_table, child, ",".join(fk.columns), a[1], b[1], *row))
    return _pairs_frame(rows, ["parent_table", "child_table", "foreign_key", "column_1", "column_2"])


# -- properties --------------------------------------------------------------------------------

def _properties(shapes: pd.DataFrame, pairs: pd.DataFrame, cardinality: pd.DataFrame,
                intertable: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, frame, counted in (("Column Shapes", shapes, None), ("Column Pair Trends", pairs, "counted"),
                                 ("Cardinality", cardinality, None), ("Intertable Trends", intertable, "counted")):
        scores = frame["score"]
        if counted is not None:
            scores = scores[frame[counted].to_numpy(dtype=bool)]
        scores = scores.dropna()
        rows.append((name, float(scores.mean()) if len(scores) else math.nan, len(scores), len(frame)))
    return pd.DataFrame(rows, columns=["property", "score", "counted", "items"])


# -- rules -------------------------------------------------------------------------------------

_RULE_CHECKS = {
    "primary_key": ("primary_key_null", "primary_key_duplicate"),
    "foreign_key": ("foreign_key", "foreign_key_partial_null"),
    "not_null": ("nullable",), "unique": ("unique",), "min": ("min",), "max": ("max",), "values": ("values",),
    "type": ("type",),
}


def _rules(schema: Schema, synthetic: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each rule the schema states, with the synthetic rows breaking it (from :func:`synthframe.validate`)."""
    from .validate import validate

    frames = {name: synthetic[name][list(table.columns)] for name, table in schema.tables.items()}
    problems = validate(frames, schema)
    failing: dict[tuple[str, str, str], int] = {}
    for row in problems.itertuples(index=False):
        column = "" if pd.isna(row.column) else str(row.column)
        failing[str(row.table), column, str(row.check)] = failing.get((str(row.table), column, str(row.check)),
                                                                       0) + int(row.count)
    rows = []

    def add(table: str, column: str, rule: str, detail: str) -> None:
        bad = sum(failing.pop((table, column, check), 0) for check in _RULE_CHECKS[rule])
        n = len(frames[table])
        bad = min(bad, n)
        rows.append((table, column, rule, detail, n, bad, 1.0 - bad / n if n else math.nan))

    for name, table in schema.tables.items():
        if table.primary_key:
            add(name, ",".join(table.primary_key), "primary_key", "set on every row and unique")
        for fk in table.foreign_keys:
            add(name, ",".join(fk.columns), "foreign_key", f"found in {fk.ref_table}.{','.join(fk.ref_columns)}")
        for col, spec in table.columns.items():
            if spec.nullable is False and col not in table.primary_key:
                add(name, col, "not_null", "no nulls")
            if spec.unique and tuple(table.primary_key) != (col,):
                add(name, col, "unique", "no value twice")
            if spec.min is not None:
                add(name, col, "min", f">= {spec.min}")
            if spec.max is not None:
                add(name, col, "max", f"<= {spec.max}")
            if spec.values is not None:
                add(name, col, "values", f"one of {len(spec.values)} levels")
            if (name, col, "type") in failing:
                add(name, col, "type", f"values of type {spec.type}")
    return pd.DataFrame(rows, columns=["table", "column", "rule", "detail", "rows", "failing", "kept"]).astype(
        {"rows": np.int64, "failing": np.int64, "kept": float})


# -- privacy -----------------------------------------------------------------------------------

_PRIVACY_COLUMNS = ["table", "columns", "real_rows", "synthetic_rows", "exact_copies", "exact_copy_share",
                    "baseline_copy_share", "dcr_columns", "dcr_rows", "dcr_median", "dcr_baseline_median",
                    "dcr_zero_share"]
_PERSONAL_COLUMNS = ["table", "column", "checked", "found", "found_share", "baseline_share"]


def _privacy(schema: Schema, real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
             prepared: Mapping[str, Mapping[str, _Col]], seed: int) -> pd.DataFrame:
    rows = [_table_privacy(name, table, real[name], synthetic[name], prepared[name], seed)
            for name, table in schema.tables.items()]
    frame = pd.DataFrame(rows, columns=_PRIVACY_COLUMNS)
    for name in ("exact_copy_share", "baseline_copy_share", "dcr_median", "dcr_baseline_median", "dcr_zero_share"):
        frame[name] = frame[name].astype(float)
    return frame


def _table_privacy(name: str, table: Table, real: pd.DataFrame, synthetic: pd.DataFrame,
                   columns: Mapping[str, _Col], seed: int) -> tuple[Any, ...]:
    keys = _key_columns(table)
    compared = [col for col in table.columns if col not in keys]
    text = [col for col in compared if col not in columns]
    n_real, n_synthetic = len(real), len(synthetic)
    halves = _halves(name, n_real, seed)

    copies, copy_share, baseline_share = 0, math.nan, math.nan
    if compared:
        stat_real = _stat_hash([c.real for c in columns.values()], n_real)
        stat_synthetic = _stat_hash([c.synthetic for c in columns.values()], n_synthetic)
        hits = _copied(stat_synthetic, stat_real, _text_hashers(synthetic, text), _text_hashers(real, text))
        copies = int(hits.sum())
        copy_share = copies / n_synthetic
        if halves is not None:
            first, second = halves
            again = _copied(stat_real[second], stat_real[first], _text_hashers(real, text, second),
                            _text_hashers(real, text, first))
            baseline_share = float(again.mean())

    dcr_median = dcr_baseline = dcr_zero = math.nan
    dcr_rows = 0
    if columns:
        # Synthetic rows against real rows drawn from the whole table; the baseline, held-out real rows
        # against the other half. Both references have the same size, so the two medians compare.
        size = min(DCR_REFERENCE_ROWS, len(halves[0])) if halves is not None else DCR_REFERENCE_ROWS
        reference_rows = _pick(np.arange(n_real), size, seed, name, "dcr/reference")
        queries = _pick(np.arange(n_synthetic), DCR_ROWS, seed, name, "dcr/synthetic")
        reference = [(c.real[reference_rows], c.continuous) for c in columns.values()]
        distances = _dcr([c.synthetic[queries] for c in columns.values()], reference)
        dcr_rows = len(queries)
        dcr_median, dcr_zero = float(np.median(distances)), float(np.mean(distances == 0))
        if halves is not None:
            baseline_rows = _pick(halves[0], size, seed, name, "dcr/baseline-reference")
            baseline_reference = [(c.real[baseline_rows], c.continuous) for c in columns.values()]
            held_out = _pick(halves[1], DCR_ROWS, seed, name, "dcr/real")
            dcr_baseline = float(np.median(_dcr([c.real[held_out] for c in columns.values()], baseline_reference)))
    return (name, len(compared), n_real, n_synthetic, copies, copy_share, baseline_share, len(columns), dcr_rows,
            dcr_median, dcr_baseline, dcr_zero)


def _personal_values(schema: Schema, real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
                     sdtypes: Mapping[str, Mapping[str, str]], seed: int) -> pd.DataFrame:
    """Per personal column (``pii``: emails, names, phones, ...), how many synthetic values also occur in
    the real column (up to :data:`PERSONAL_VALUES` checked), and the same share for held-out real rows
    against the other half (first names repeat among real people too)."""
    rows = []
    for name in schema.tables:
        personal = [col for col, kind in sdtypes[name].items() if kind == "pii"]
        if not personal:
            continue
        halves = _halves(name, len(real[name]), seed)
        for col in personal:
            column = real[name][col]
            values = synthetic[name][col].dropna()
            sample = values.iloc[_pick(np.arange(len(values)), PERSONAL_VALUES, seed, name, f"personal/{col}")]
            found = int(_isin(_text_hash(sample), _known(column)).sum())
            baseline = math.nan
            if halves is not None:
                held_out = column.iloc[halves[1]].dropna()
                held_out = held_out.iloc[_pick(np.arange(len(held_out)), PERSONAL_VALUES, seed, name,
                                               f"personal-baseline/{col}")]
                if len(held_out):
                    baseline = float(_isin(_text_hash(held_out), _known(column.iloc[halves[0]])).mean())
            rows.append((name, col, len(sample), found, found / len(sample) if len(sample) else math.nan, baseline))
    return pd.DataFrame(rows, columns=_PERSONAL_COLUMNS).astype(
        {"checked": np.int64, "found": np.int64, "found_share": float, "baseline_share": float})


def _known(values: pd.Series) -> np.ndarray:
    """Text hashes of the distinct non-null values of a column."""
    return _text_hash(pd.Series(values.dropna().unique()))


def _halves(name: str, n_real: int, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Two random halves of the real rows (sorted positions), None below :data:`BASELINE_MIN_ROWS`."""
    if n_real < BASELINE_MIN_ROWS:
        return None
    order = np.argpartition(bits(stream_key(seed, name, "", "privacy/halves"), np.arange(n_real, dtype=np.int64)),
                            n_real // 2)
    return np.sort(order[: n_real // 2]), np.sort(order[n_real // 2:])


def _pick(rows: np.ndarray, limit: int, seed: int, table: str, purpose: str) -> np.ndarray:
    keep = _subsample(len(rows), limit, seed, table, purpose)
    return rows if keep is None else rows[keep]


_NAN_BITS = np.uint64(0x7FF8000000000001)


def _stat_hash(arrays: Sequence[np.ndarray], n: int) -> np.ndarray:
    """A 64-bit hash per row of the statistical columns (floats by value, -0.0 as 0.0, every NaN alike)."""
    out = np.zeros(n, dtype=np.uint64)
    for i, values in enumerate(arrays):
        if values.dtype.kind == "f":
            part = (values + 0.0).view(np.uint64).copy()
            part[np.isnan(values)] = _NAN_BITS
        else:
            part = values.astype(np.uint64)
        out = _combine(out, part, i)
    return out


def _combine(acc: np.ndarray, part: np.ndarray, position: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        mixed = finalize(part + np.uint64(position + 1) * np.uint64(0x9E3779B97F4A7C15))
        return finalize(acc * np.uint64(0x100000001B3) ^ mixed)


_Hasher = Callable[[np.ndarray], np.ndarray]


def _text_hashers(frame: pd.DataFrame, columns: Sequence[str], rows: np.ndarray | None = None) -> list[_Hasher]:
    """Per text column, a function hashing it at given positions (of ``rows`` when given, else of the
    frame): the costly part, done only for the rows still in question."""

    def hasher(col: str) -> _Hasher:
        series = frame[col]
        if rows is None:
            return lambda positions: _text_hash(series.iloc[positions])
        return lambda positions: _text_hash(series.iloc[rows[positions]])

    return [hasher(col) for col in columns]


def _text_hash(values: pd.Series) -> np.ndarray:
    """64-bit hashes of values as text: equal for equal strings whatever the dtype (object, string,
    Arrow string, categorical); every null alike."""
    return pd.util.hash_pandas_object(values, index=False, categorize=False).to_numpy(dtype=np.uint64)


def _isin(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """``np.isin`` through a hash table (pandas), several times faster on millions of hashes."""
    return pd.Series(values, copy=False).isin(among).to_numpy(dtype=bool)


def _copied(query: np.ndarray, reference: np.ndarray, query_text: Sequence[_Hasher],
            reference_text: Sequence[_Hasher]) -> np.ndarray:
    """Which query rows equal some reference row on every compared column (hashes of 64 bits).

    ``query`` and ``reference`` hash the statistical columns; the text columns are hashed one at a
    time, only for the rows whose hashes so far still match some row on the other side.
    """
    query_rows = np.flatnonzero(_isin(query, reference))
    reference_rows = np.flatnonzero(_isin(reference, query[query_rows]))
    query_hash, reference_hash = query[query_rows], reference[reference_rows]
    for i, (query_column, reference_column) in enumerate(zip(query_text, reference_text)):
        if not len(query_rows):
            break
        query_hash = _combine(query_hash, query_column(query_rows), 1000 + i)
        reference_hash = _combine(reference_hash, reference_column(reference_rows), 1000 + i)
        keep = _isin(query_hash, reference_hash)
        query_rows, query_hash = query_rows[keep], query_hash[keep]
        keep = _isin(reference_hash, query_hash)
        reference_rows, reference_hash = reference_rows[keep], reference_hash[keep]
    hit = np.zeros(len(query), dtype=bool)
    hit[query_rows] = True
    return hit


def _dcr(queries: Sequence[np.ndarray], reference: Sequence[tuple[np.ndarray, bool]]) -> np.ndarray:
    """Distance of each query row to its closest reference row, as SDMetrics' DCR: per column the
    absolute difference over the reference range (capped at 1) for numbers and dates, 0 or 1 for
    levels; a null against a value is 1, two nulls 0; the mean over the columns."""
    n_query = len(queries[0]) if queries else 0
    n_reference = len(reference[0][0]) if reference else 0
    if not n_query or not n_reference:
        return np.full(n_query, np.nan)
    spans = []
    for values, continuous in reference:
        finite = values[~np.isnan(values)] if continuous else values
        spans.append(float(finite.max() - finite.min()) if continuous and len(finite) else 0.0)
    best = np.empty(n_query)
    chunk = max(1, _DCR_CELLS // n_reference)
    gap = np.empty((min(chunk, n_query), n_reference))
    for start in range(0, n_query, chunk):
        stop = min(start + chunk, n_query)
        total = np.zeros((stop - start, n_reference))
        part = gap[: stop - start]
        for query, (values, continuous), span in zip(queries, reference, spans):
            q = query[start:stop]
            if not continuous:
                total += np.not_equal.outer(q, values)
                continue
            np.subtract.outer(q, values, out=part)
            np.abs(part, out=part)
            if span > 0:
                part *= 1.0 / span
                np.minimum(part, 1.0, out=part)  # NaN stays NaN
            else:
                np.greater(part, 0.0, out=part)
            q_null, r_null = np.isnan(q), np.isnan(values)
            if q_null.any() or r_null.any():
                part[np.logical_xor.outer(q_null, r_null)] = 1.0
                part[np.logical_and.outer(q_null, r_null)] = 0.0
            total += part
        best[start:stop] = total.min(axis=1) / len(reference)
    return best


# -- text and plain data -----------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """``value`` with NumPy scalars, NaN and pandas NA made JSON-native (recursively)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _percent(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def _summary(report: QualityReport) -> str:
    info = report.info
    tables = info["tables"]
    real_rows = sum(t["real_rows"] for t in tables.values())
    synthetic_rows = sum(t["synthetic_rows"] for t in tables.values())
    lines = [f"Quality report: {len(tables)} table(s), {real_rows:,} real rows, {synthetic_rows:,} synthetic rows",
             f"Overall score: {_percent(report.score)}  (mean of the properties, as SDMetrics' QualityReport)", ""]
    what = {"Column Shapes": "columns", "Cardinality": "relationships"}
    for row in report.properties.itertuples(index=False):
        if row.property in what:
            count = f"{row.counted} {what[row.property]}"
        else:
            count = f"{row.counted} of {row.items} pairs counted"
        lines.append(f"  {row.property:<20} {_percent(row.score):>7}   {count}")
    if info["correlation_threshold"] or info["association_threshold"]:
        lines.append(f"  (a pair counts when the real data shows the trend: |correlation| > "
                     f"{info['correlation_threshold']:g} or Cramér's V > {info['association_threshold']:g})")
    weakest = report.column_shapes.dropna(subset=["score"]).nsmallest(3, "score")
    if len(weakest):
        lines.append("  weakest columns: " + ", ".join(
            f"{r.table}.{r.column} {r.score:.2f}" for r in weakest.itertuples(index=False)))
    pairs = report.column_pair_trends
    weakest_pairs = pairs[pairs["counted"]].dropna(subset=["score"]).nsmallest(3, "score")
    if len(weakest_pairs):
        lines.append("  weakest pairs: " + ", ".join(
            f"{r.table}.{r.column_1}~{r.column_2} {r.score:.2f}" for r in weakest_pairs.itertuples(index=False)))
    weakest_keys = report.cardinality.dropna(subset=["score"]).nsmallest(3, "score")
    if len(weakest_keys):
        lines.append("  children per parent: " + ", ".join(
            f"{r.child_table}.{r.foreign_key}->{r.parent_table} {r.score:.2f}"
            for r in weakest_keys.itertuples(index=False)))

    rules = report.rules
    broken = rules[rules["failing"] > 0]
    lines += ["", f"Rules: {len(rules) - len(broken)} of {len(rules)} hold on every synthetic row"
              + (" (primary keys, foreign keys, hints)" if len(rules) else "")]
    for r in broken.head(10).itertuples(index=False):
        lines.append(f"  {r.table}.{r.column} {r.rule} ({r.detail}): {r.failing:,} of {r.rows:,} rows break it, "
                     f"{_percent(r.kept)} kept")
    if len(broken) > 10:
        lines.append(f"  ... and {len(broken) - 10} more (report.rules)")

    if len(report.privacy):
        lines += ["", "Privacy (real vs real: the same measure between two halves of the real data):",
                  f"  {'table':<16} {'exact copies':>14} {'real vs real':>13} {'DCR median':>11} {'real vs real':>13}"]
        for r in report.privacy.itertuples(index=False):
            copies = f"{r.exact_copies:,} ({_percent(r.exact_copy_share)})" if r.columns else "n/a"
            dcr = "n/a" if math.isnan(r.dcr_median) else f"{r.dcr_median:.3f}"
            base = "n/a" if math.isnan(r.dcr_baseline_median) else f"{r.dcr_baseline_median:.3f}"
            lines.append(f"  {r.table:<16} {copies:>14} {_percent(r.baseline_copy_share):>13} {dcr:>11} "
                         f"{base:>13}")
    if len(report.personal_values):
        lines.append("  personal values (emails, names, phones, ...) also in the real column:")
        for r in report.personal_values.itertuples(index=False):
            lines.append(f"    {r.table + '.' + r.column:<28} {r.found:>7,} of {r.checked:<7,} "
                         f"{_percent(r.found_share):>7}   real vs real {_percent(r.baseline_share)}")
    if info.get("max_rows") is not None and any(
            max(t["real_rows"], t["synthetic_rows"]) > info["max_rows"] for t in tables.values()):
        lines += ["", f"Pair trends read {info['max_rows']:,} sampled rows of larger tables (max_rows)."]
    return "\n".join(lines)
