"""Figures for a :class:`~synthframe.evaluate.QualityReport`: real against synthetic, with matplotlib.

matplotlib is the optional ``plot`` extra (``pip install "synthframe[plot]"``); without it
:func:`plot_report` raises :class:`~synthframe.evaluate.PlotDependencyError`. Figures are built with
``matplotlib.figure.Figure`` (no pyplot, no global state) and returned to the caller, who shows them
in a notebook or saves them with :func:`save_figures`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .evaluate import CONTINUOUS, STATISTICAL, EvaluationError, PlotDependencyError, QualityReport

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

INSTALL_HINT = 'pip install "synthframe[plot]"'
REAL_COLOR, SYNTHETIC_COLOR = "#1f4e79", "#e07b39"
MAX_LEVELS = 12
"""Most levels drawn per categorical column (the rest are summed as ``other``)."""
HISTOGRAM_BINS = 30
_US_PER_DAY = 86_400_000_000


def require_matplotlib() -> None:
    """Raise :class:`PlotDependencyError` with the install hint when matplotlib cannot be imported."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise PlotDependencyError(f"Plots need matplotlib, which is not installed; install it with {INSTALL_HINT}."
                                  ) from None


def plot_report(report: QualityReport, tables: Sequence[str] | None = None, *,
                max_columns: int = 16) -> dict[str, Figure]:
    """``{name: Figure}``: ``columns-<table>``, ``pairs-<table>`` per table, and ``cardinality``."""
    require_matplotlib()
    data = report._plot_data
    if data is None:
        raise EvaluationError("This report holds no data to plot; make it with synthframe.evaluate(...).")
    names = list(data.sdtypes) if tables is None else list(tables)
    for name in names:
        if name not in data.sdtypes:
            raise EvaluationError(f"Unknown table {name!r}; the report covers {', '.join(data.sdtypes)}.", table=name)
    figures: dict[str, Figure] = {}
    for name in names:
        columns = [c for c, kind in data.sdtypes[name].items() if kind in STATISTICAL][:max_columns]
        if columns:
            figures[f"columns-{name}"] = _columns_figure(report, name, columns)
        pairs = report.column_pair_trends[report.column_pair_trends["table"] == name]
        if len(pairs):
            figures[f"pairs-{name}"] = _pairs_figure(name, pairs, columns)
    children = {label: counts for label, counts in data.children.items()
                if tables is None or any(label.startswith(f"{t}.") or label.endswith(f"-> {t}") for t in names)}
    if children:
        figures["cardinality"] = _cardinality_figure(report, children)
    return figures


def save_figures(figures: Mapping[str, Figure], folder: str | Path, *, dpi: int = 100) -> list[Path]:
    """Write each figure as ``<folder>/<name>.png``; return the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, figure in figures.items():
        path = out / f"{_file_name(name)}.png"
        figure.savefig(path, dpi=dpi)
        paths.append(path)
    return paths


def _file_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _grid(count: int, *, width: float = 3.4, height: float = 2.6, per_row: int = 4) -> tuple[Figure, list[Any]]:
    from matplotlib.figure import Figure

    cols = max(1, min(per_row, count))
    rows = max(1, math.ceil(count / cols))
    figure = Figure(figsize=(width * cols, height * rows + 0.6), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[count:]:
        ax.set_visible(False)
    return figure, axes[:count]


# -- columns -----------------------------------------------------------------------------------

def _columns_figure(report: QualityReport, table: str, columns: list[str]) -> Figure:
    data = report._plot_data
    shapes = report.column_shapes
    figure, axes = _grid(len(columns))
    for ax, column in zip(axes, columns):
        kind = data.sdtypes[table][column]
        real, synthetic = data.real[table][column], data.synthetic[table][column]
        if kind in CONTINUOUS:
            _histogram(ax, real, synthetic, dates=kind == "datetime")
        else:
            _bars(ax, real, synthetic)
        row = shapes[(shapes["table"] == table) & (shapes["column"] == column)]
        score = "" if row.empty or pd.isna(row["score"].iloc[0]) else f"  {row['score'].iloc[0]:.2f}"
        ax.set_title(f"{column}{score}", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    figure.suptitle(f"{table}: columns, real vs synthetic (score: KS or TV complement)", fontsize=11)
    return figure


def _numbers(values: pd.Series, dates: bool) -> np.ndarray:
    if dates:
        stamps = pd.to_datetime(values, errors="coerce")
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        stamps = stamps.astype("datetime64[us]")
        out = stamps.to_numpy().view(np.int64).astype(np.float64) / _US_PER_DAY  # matplotlib date numbers
        out[stamps.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _histogram(ax: Any, real: pd.Series, synthetic: pd.Series, *, dates: bool) -> None:
    a, b = _numbers(real, dates), _numbers(synthetic, dates)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    both = np.concatenate([a, b])
    if not len(both):
        ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes)
        return
    edges = np.histogram_bin_edges(both, bins=HISTOGRAM_BINS)
    for values, color, label, fill in ((a, REAL_COLOR, "real", True), (b, SYNTHETIC_COLOR, "synthetic", False)):
        if len(values):
            counts, _ = np.histogram(values, bins=edges, density=True)
            ax.stairs(counts, edges, fill=fill, alpha=0.45 if fill else 1.0, color=color, label=label,
                      linewidth=1.5)
    if dates:
        ax.xaxis_date()
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")


def _bars(ax: Any, real: pd.Series, synthetic: pd.Series) -> None:
    real_share = real.astype("string").value_counts(normalize=True, dropna=False)
    synthetic_share = synthetic.astype("string").value_counts(normalize=True, dropna=False)
    levels = list(real_share.index[:MAX_LEVELS])
    extra = [v for v in synthetic_share.index if v not in real_share.index][: max(0, MAX_LEVELS - len(levels))]
    levels += extra
    heights_real = [float(real_share.get(v, 0.0)) for v in levels]
    heights_synthetic = [float(synthetic_share.get(v, 0.0)) for v in levels]
    names = ["(null)" if pd.isna(v) else str(v)[:14] for v in levels]
    rest_real, rest_synthetic = 1.0 - sum(heights_real), 1.0 - sum(heights_synthetic)
    if rest_real > 1e-9 or rest_synthetic > 1e-9:
        names.append("other")
        heights_real.append(max(rest_real, 0.0))
        heights_synthetic.append(max(rest_synthetic, 0.0))
    x = np.arange(len(names))
    ax.bar(x - 0.2, heights_real, width=0.4, color=REAL_COLOR, alpha=0.8, label="real")
    ax.bar(x + 0.2, heights_synthetic, width=0.4, color=SYNTHETIC_COLOR, alpha=0.8, label="synthetic")
    ax.set_xticks(x, names, rotation=45, ha="right")


# -- pairs -------------------------------------------------------------------------------------

def _pairs_figure(table: str, pairs: pd.DataFrame, columns: list[str]) -> Figure:
    from matplotlib.figure import Figure

    names = [c for c in columns if c in set(pairs["column_1"]) | set(pairs["column_2"])]
    index = {c: i for i, c in enumerate(names)}
    size = len(names)
    real, synthetic, similarity = (np.full((size, size), np.nan) for _ in range(3))
    for row in pairs.itertuples(index=False):
        if row.column_1 not in index or row.column_2 not in index:
            continue
        i, j = index[row.column_1], index[row.column_2]
        correlation = row.metric == "CorrelationSimilarity"
        values = ((row.real_correlation, row.synthetic_correlation) if correlation
                  else (row.real_association, row.synthetic_association))
        for matrix, value in ((real, values[0]), (synthetic, values[1]), (similarity, row.score)):
            matrix[i, j] = matrix[j, i] = value
    for matrix in (real, synthetic, similarity):
        np.fill_diagonal(matrix, 1.0)
    side = max(3.2, 0.45 * size + 1.8)
    figure = Figure(figsize=(3 * side, side + 0.8), layout="constrained")
    axes = figure.subplots(1, 3)
    panels = (("real data", real, "RdBu_r", -1.0), ("synthetic data", synthetic, "RdBu_r", -1.0),
              ("similarity (score)", similarity, "viridis", 0.0))
    for ax, (title, matrix, cmap, low) in zip(axes, panels):
        image = ax.imshow(matrix, cmap=cmap, vmin=low, vmax=1.0)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(size), names, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(size), names, fontsize=7)
        if size <= 10:
            for i in range(size):
                for j in range(size):
                    if i != j and not np.isnan(matrix[i, j]):
                        ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=6)
        figure.colorbar(image, ax=ax, shrink=0.7)
    figure.suptitle(f"{table}: pair trends (Pearson r for two continuous columns, Cramér's V otherwise)",
                    fontsize=11)
    return figure


# -- cardinality -------------------------------------------------------------------------------

def _cardinality_figure(report: QualityReport, children: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> Figure:
    figure, axes = _grid(len(children), per_row=3, width=4.0, height=2.8)
    scores = {f"{r.child_table}.{r.foreign_key} -> {r.parent_table}": r.score
              for r in report.cardinality.itertuples(index=False)}
    for ax, (label, (real, synthetic)) in zip(axes, children.items()):
        top = int(max(real.max(initial=0), synthetic.max(initial=0)))
        if top <= 40:
            x = np.arange(top + 1)
            share_real = np.bincount(real.astype(np.int64), minlength=top + 1) / max(len(real), 1)
            share_synthetic = np.bincount(synthetic.astype(np.int64), minlength=top + 1) / max(len(synthetic), 1)
            ax.bar(x - 0.2, share_real, width=0.4, color=REAL_COLOR, alpha=0.8, label="real")
            ax.bar(x + 0.2, share_synthetic, width=0.4, color=SYNTHETIC_COLOR, alpha=0.8, label="synthetic")
        else:
            edges = np.histogram_bin_edges(np.concatenate([real, synthetic]), bins=HISTOGRAM_BINS)
            for values, color, name, fill in ((real, REAL_COLOR, "real", True),
                                              (synthetic, SYNTHETIC_COLOR, "synthetic", False)):
                counts, _ = np.histogram(values, bins=edges)
                ax.stairs(counts / max(len(values), 1), edges, fill=fill, alpha=0.45 if fill else 1.0, color=color,
                          label=name, linewidth=1.5)
        score = scores.get(label)
        ax.set_title(label + ("" if score is None or pd.isna(score) else f"  {score:.2f}"), fontsize=9)
        ax.set_xlabel("children per parent", fontsize=8)
        ax.set_ylabel("share of parents", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    figure.suptitle("Cardinality: children per parent, real vs synthetic", fontsize=11)
    return figure
