"""Step 3 of the pipeline: the fitted Model, plain data with a JSON round-trip.

A :class:`Model` holds the schema it was fitted for and, per table and column,
what was learned: statistics, never sample rows. Each column has a ``generator``,
a JSON-native dict whose ``kind`` says how values are made:

``sequence``       integer primary key: ``start + step * row``
``key_pattern``    string primary key: ``pattern`` filled with ``start + row``
``uuid``           UUIDs from a counter-based hash of (seed, table, column, row)
``foreign_key``    the referenced key at the row's parent index (``role``: owner, partner, draw, self)
``line_number``    position of the row within its parent, plus ``start``
``natural_key``    string primary key in the samples' own formats (``UA``, ``N102UW``), permuted per format
``time_grid``      a date or datetime key: ``start + step * position`` (or ``* row``)
``parent_column``  a column of the row's parent, read at the parent index
``offset``         a date: another date of the row or parent row plus a learned gap (never before it)
``formula``        a product of numbers of the row or parent row, rounded
``distribution``   a scipy family or empirical quantiles, with bounds, rounding, integer-ness
``frequencies``    levels and weights (categories, booleans, small integer domains)
``text``           a text spec from :mod:`synthframe.text` (semantic pools, patterns, words)

Each kind is one class of :mod:`synthframe.generators`, found through its registry; loading a model
checks every column's parameters there. A table's ``layout`` holds what ties columns and tables together:
the rules found (``rules``), the joint model (``joint``: each column's parent column and conditional
table, null rates by a column), the copula, reference rows, children-per-parent shapes.

The model can be saved, read by a person, edited and loaded again; sampling
from the loaded model gives the same data as from the original.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelError, OutputError, SynthframeError, where
from .generators import generator_for
from .generators.entities import grouped_generator
from .schema import Schema, read_json_file

if TYPE_CHECKING:
    import pandas as pd

FORMAT_VERSION = 2
"""Version 2: counter-based randomness, row-addressed keys and layouts. Models of version 1 are refused
(their data would differ silently); refit them."""


@dataclass(frozen=True)
class ColumnModel:
    """What was learned about one column."""

    name: str
    type: str
    null_rate: float
    generator: Mapping[str, Any]
    sample_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "null_rate": self.null_rate, "sample_count": self.sample_count,
                "generator": _plain(self.generator)}

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> ColumnModel:
        return cls(name=name, type=data["type"], null_rate=float(data["null_rate"]),
                   generator=dict(data["generator"]), sample_count=int(data.get("sample_count", 0)))


@dataclass(frozen=True)
class TableModel:
    """What was learned about one table: its columns and how it hangs off its parents.

    ``layout`` holds ``owner`` (index of the foreign key whose parent the rows are laid out
    under, or None), ``partner`` (index of the second key of a link table, or None),
    ``children_per_parent`` (mean child rows per parent row in the samples) and, for a
    self-reference, ``self_reference`` {column, root_share, fanout}.
    """

    name: str
    sample_rows: int
    columns: Mapping[str, ColumnModel]
    layout: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"sample_rows": self.sample_rows, "layout": _plain(self.layout),
                "columns": {name: col.to_dict() for name, col in self.columns.items()}}

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> TableModel:
        return cls(name=name, sample_rows=int(data["sample_rows"]), layout=dict(data.get("layout", {})),
                   columns={c: ColumnModel.from_dict(c, cd) for c, cd in data["columns"].items()})


@dataclass(frozen=True)
class Model:
    """A fitted model of a relational dataset. Make one with :func:`synthframe.fit`."""

    schema: Schema
    tables: Mapping[str, TableModel]
    format_version: int = FORMAT_VERSION

    # -- generation (delegates to the generate and write steps) ------------------------
    def sample(self, rows: Mapping[str, int] | None = None, *, seed: int = 0, scale: float | None = None,
               batch_rows: int | None = None, workers: int | None = None,
               progress: bool | None = None) -> dict[str, pd.DataFrame]:
        """Generate tables in memory: ``{table: DataFrame}``.

        ``rows`` gives exact row counts per table; tables it does not name get rows in
        proportion to their parents (by the samples' ratio) or the samples' size;
        ``scale`` multiplies all sample sizes. ``workers`` threads make batches at once (default:
        every core). Same seed, same data, whatever ``batch_rows`` and ``workers``. ``progress`` shows a bar
        per table (default: for runs of 100,000 rows or more, on a terminal or in a notebook).
        """
        from .generate import generate

        return generate(self, rows, seed=seed, scale=scale, batch_rows=batch_rows, workers=workers,
                        progress=progress)

    def write(self, rows: Mapping[str, int] | None, out_dir: str | Path, *, format: str = "csv", seed: int = 0,
              scale: float | None = None, batch_rows: int | None = None, workers: int | None = None,
              progress: bool | None = None) -> dict[str, Path]:
        """Generate and write one file per table to ``out_dir``, streamed batch by batch; the next batches
        are made on ``workers`` threads (default: every core) while one is written. Same bytes for any
        ``batch_rows`` (below 4,096 rows, batches are written several at once) and ``workers``. ``progress``
        shows a bar per table (default: for runs of 100,000 rows or more, on a terminal or in a notebook)."""
        from .generate import Run, made_rows, resolve_rows, table_streams, workers_count
        from .progress import wanted
        from .write import write_tables

        threads = workers_count(workers)
        run = Run(self, resolve_rows(self, rows, scale=scale), seed)
        disable = wanted(progress, sum(run.counts.values()))
        # Parquet takes the Arrow batches as they are made; the text formats render DataFrames. A child table
        # whose rows its parent's batches make anyway (an order's total over its lines) is written beside it.
        streams, _ = table_streams(run, arrow=format == "parquet", batch_rows=made_rows(batch_rows),
                                        workers=threads, disable=disable)
        return write_tables(streams, out_dir, format, schema=self.schema)

    # -- plain data -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-native data: format version, schema, and per-table statistics."""
        return {"format_version": self.format_version, "schema": self.schema.to_dict(),
                "tables": {name: t.to_dict() for name, t in self.tables.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Model:
        """Rebuild a model from :meth:`to_dict` output, checking its version and every field."""
        if not isinstance(data, Mapping) or "format_version" not in data:
            raise ModelError("This is not a synthframe model: it has no 'format_version'. "
                             "Make one with `synthframe fit` or `Model.save`.")
        version = data["format_version"]
        if version != FORMAT_VERSION:
            hint = (" Version 1 models drew values from block streams; this synthframe computes every value "
                    "from its row index, so the same model would give other data.") if version == 1 else ""
            raise ModelError(f"Model format version {version!r} is not supported by this synthframe "
                             f"(it reads version {FORMAT_VERSION});{hint} Refit the model from its samples "
                             f"(`synthframe fit` or sf.fit).")
        if "schema" not in data:
            raise ModelError("The model has no 'schema'; refit it from its samples.")
        try:
            schema = Schema.from_dict(data["schema"])
        except SynthframeError as exc:
            raise ModelError(f"The model's schema is invalid: {exc.message}", table=exc.table,
                             column=exc.column) from None
        tables_data = data.get("tables")
        if not isinstance(tables_data, Mapping):
            raise ModelError("The model's 'tables' must be an object {table: statistics}; refit the model.")
        tables = {}
        for name, table in schema.tables.items():
            if name not in tables_data:
                raise ModelError(f"The model has no statistics for table '{name}'; refit it.", table=name)
            tables[name] = _table_from_dict(name, tables_data[name], list(table.columns), table.foreign_keys)
        model = cls(schema=schema, tables=tables, format_version=version)
        _trial_draw(model)
        return model

    def to_json(self, indent: int | None = 2) -> str:
        """The model as JSON text; a number that is NaN or infinite (JSON has neither) is a ModelError saying where."""
        data = self.to_dict()
        try:
            return json.dumps(data, indent=indent, allow_nan=False)
        except ValueError:
            for name, table in data["tables"].items():
                for column, col in table["columns"].items():
                    field_ = _non_finite(col)
                    if field_ is not None:
                        raise ModelError(f"The model's column {where(name, column)} holds {field_}, which is not a "
                                         f"finite number and cannot be saved as JSON; refit the model or fix the "
                                         f"field.", table=name, column=column) from None
            raise ModelError("The model holds a number that is not finite (NaN or infinity) and cannot be saved "
                             "as JSON; refit the model.") from None

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (atomically: a temporary file renamed into place)."""
        path = Path(path)
        text = self.to_json() + "\n"
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"Cannot save the model to {path}: {exc.strerror or exc}. Choose a file path in a "
                              f"writable folder.") from None
        finally:
            if tmp is not None and Path(tmp).exists():
                Path(tmp).unlink()
        return path

    @classmethod
    def load(cls, path: str | Path) -> Model:
        """Read a model saved with :meth:`save`."""
        return cls.from_dict(read_json_file(path, what="model", error=ModelError))


TRIAL_ROWS = 16
"""Rows of each table a loaded model makes at once, so that a damaged field fails at load, naming its table."""


def _trial_draw(model: Model) -> None:
    """Make the first :data:`TRIAL_ROWS` rows of every table; a failure means a damaged (hand-edited or
    truncated) model and becomes a ModelError naming the table and, when one alone fails, the column.

    The generators read their parameters deep inside the model (levels, bins, pools, layouts); checking every
    field's shape by hand would repeat each of them, so the model is asked to do what it is for, on a few rows.
    """
    import numpy as np

    from .generate import Run, resolve_rows

    def damaged(table: str | None, column: str | None, exc: Exception) -> ModelError:
        part = f"column {where(table, column)}" if column else f"table '{table}'" if table else "its row counts"
        return ModelError(f"The model's statistics for {part} are damaged and cannot make rows "
                          f"({type(exc).__name__}: {_one_line(exc)}); refit the model, or restore the field from the "
                          f"saved original.", table=table, column=column)

    try:
        roots = {t: TRIAL_ROWS for t, tm in model.tables.items() if tm.layout.get("parent") is None}
        run = Run(model, resolve_rows(model, roots))
    except SynthframeError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a damaged model is reported as one
        odd = [t for t, tm in model.tables.items()
               if not isinstance(tm.layout.get("children_per_parent", 0.0) or 0.0, (int, float))
               or not isinstance(tm.layout.get("parent"), (str, type(None)))]
        raise damaged(odd[0] if odd else None, None, exc) from None
    for table in model.schema.generation_order():
        rows = np.arange(min(run.counts[table], TRIAL_ROWS), dtype=np.int64)
        try:
            run.rows(table, rows)
        except SynthframeError:
            raise
        except Exception as exc:  # noqa: BLE001
            for column in model.tables[table].columns:  # which column: each alone, on a fresh run
                try:
                    Run(model, run.counts).rows(table, rows, [column])
                except Exception as col_exc:  # noqa: BLE001
                    if not isinstance(col_exc, SynthframeError):
                        raise damaged(table, column, col_exc) from None
            raise damaged(table, None, exc) from None


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] + ("..." if len(text) > 200 else "")


def _non_finite(value: Any, path: str = "") -> str | None:
    """Where in ``value`` (``generator.max``) a float is NaN or infinite, with that value; None when nowhere."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path.lstrip('.') or 'a value'} = {value!r}"
    items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _non_finite(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]")
        if found is not None:
            return found
    return None


def _plain(value: Any) -> Any:
    """Deep-copy ``value`` into JSON-native types (tuples to lists, numpy scalars to Python)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _table_from_dict(name: str, data: Any, columns: list[str], foreign_keys: tuple = ()) -> TableModel:
    """One table's statistics, every column present and every generator complete, or a ModelError naming it."""
    if not isinstance(data, Mapping) or not isinstance(data.get("columns"), Mapping):
        raise ModelError(f"The model's statistics for table '{name}' must be an object with 'columns'; refit it.",
                         table=name)
    out = {}
    for column in columns:
        col = data["columns"].get(column)
        if col is None:
            raise ModelError(f"The model has no statistics for column {where(name, column)}; refit it.",
                             table=name, column=column)
        missing = [f for f in ("type", "null_rate", "generator") if not isinstance(col, Mapping) or f not in col]
        if missing:
            raise ModelError(f"The model's column {where(name, column)} lacks field '{missing[0]}'; refit it or "
                             f"restore the field.", table=name, column=column)
        if not isinstance(col["generator"], Mapping):
            raise ModelError(f"The model's column {where(name, column)} has a generator that is not an object; "
                             f"refit it.", table=name, column=column)
        try:
            out[column] = ColumnModel.from_dict(column, col)
        except (TypeError, ValueError):
            raise ModelError(f"The model's column {where(name, column)} has a field of the wrong type; refit it.",
                             table=name, column=column) from None
    layout = data.get("layout") or {}
    for column in out:  # the kind is known and its parameters are complete (with its group, if any)
        try:
            grouped_generator(out[column], name, layout if isinstance(layout, Mapping) else {}) \
                or generator_for(out[column], name)
        except SynthframeError:
            raise
        except Exception as exc:  # noqa: BLE001 - a parameter of the wrong shape, found by the kind's own check
            raise ModelError(f"The model's column {where(name, column)} has a damaged generator "
                             f"({type(exc).__name__}: {_one_line(exc)}); refit the model, or restore the field "
                             f"from the saved original.", table=name, column=column) from None
    for role in ("owner", "partner"):
        index = layout.get(role) if isinstance(layout, Mapping) else None
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)
                                  or not 0 <= index < len(foreign_keys)):
            raise ModelError(f"The model's layout of table '{name}' names foreign key {index!r} as its {role}, "
                             f"but the table has {len(foreign_keys)}; refit it.", table=name)
    try:
        return TableModel(name=name, sample_rows=int(data.get("sample_rows", 0)), columns=out,
                          layout=dict(layout))
    except (TypeError, ValueError):
        raise ModelError(f"The model's statistics for table '{name}' are damaged; refit it.", table=name) from None
