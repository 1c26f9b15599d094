"""Tables as Dask DataFrames: every partition makes its own rows, on any worker.

Every value is a pure function of (seed, table, column, purpose, row index), so a partition needs
nothing but the model, the run's row counts and its span of rows: :func:`generate` builds each
table with ``dask.dataframe.from_map`` over consecutive spans of ``partition_rows`` rows, and each
task calls the row-addressed generator (:func:`synthframe.generate.generate_rows`) for its span. A
child partition finds its rows' parents by computing them at those parent indices — no shuffle, no
parent table in memory, no data sent between workers.

- The row counts are resolved once (:func:`synthframe.generate.resolve_rows`) and checked (empty
  parents, unique columns' capacity) before the graph is built.
- Each partition is indexed by row number, so divisions are known: ``(0, p, 2p, ..., n - 1)``.
- The dtypes (``meta``) are those of :meth:`Model.sample` (Int64, float64, boolean, Arrow strings,
  category with every level, datetime64[s]), taken from an empty batch.
- ``generate(model, rows, seed=s).compute()`` of a table equals ``model.sample(rows, seed=s)[table]``
  for any ``partition_rows`` and any number of workers.

Dask is an optional dependency: ``pip install "synthframe[dask]"``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import MissingDependencyError, OutputError, RowCountError
from .generate import Run, resolve_rows, to_frame

if TYPE_CHECKING:
    import dask.dataframe as dd

    from .model import Model

DEFAULT_PARTITION_ROWS = 1 << 20
"""Rows per partition (1,048,576): about 140 MB in memory for the bundled example's customers (11 columns with
names, emails and phones), 45 MB for its orders."""

_KEPT_RUNS = 4
"""Runs a worker thread keeps between partitions (their layouts and small parents' columns)."""
_local = threading.local()


def _require_dask() -> Any:
    """``dask.dataframe``, or a :class:`MissingDependencyError` saying how to install it."""
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise MissingDependencyError('Generating Dask DataFrames needs Dask, which is not installed; install it '
                                     'with pip install "synthframe[dask]".') from exc
    return dd


def _partition_size(partition_rows: Any) -> int:
    if isinstance(partition_rows, (int, np.integer)) and not isinstance(partition_rows, bool) and partition_rows > 0:
        return int(partition_rows)
    raise RowCountError(f"partition_rows must be a positive whole number of rows; got {partition_rows!r}.")


def _spans(n: int, size: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, stop)`` row spans of at most ``size`` rows covering ``[0, n)`` (one empty span
    when ``n`` is 0, so every table has a partition)."""
    starts = np.arange(0, n, size, dtype=np.int64)
    stops = np.minimum(starts + size, n)
    return list(zip(starts.tolist(), stops.tolist())) or [(0, 0)]


def _divisions(spans: list[tuple[int, int]]) -> tuple[Any, ...]:
    """Index bounds of the partitions: each one's first row, then the last row; unknown for an empty table."""
    if spans[-1][1] == 0:
        return (None, None)
    return (*(start for start, _ in spans), spans[-1][1] - 1)


def _token(model: Model, counts: Mapping[str, int], seed: int) -> str:
    """A name for one run (model, counts, seed): equal runs get equal names, so graphs are deterministic."""
    text = json.dumps([model.to_dict(), dict(counts), seed], sort_keys=True, allow_nan=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class _Partition:
    """Makes one partition of a table: rows ``[start, stop)`` as a DataFrame indexed by row number.

    Picklable (the model is plain data). A worker thread keeps its last few runs, so the partitions of
    one run on one worker share their layouts and small parents' columns; the data does not depend on it.
    """

    def __init__(self, model: Model, table: str, counts: Mapping[str, int], seed: int, token: str):
        self.model = model
        self.table = table
        self.counts = dict(counts)
        self.seed = seed
        self.token = token

    def _run(self) -> Run:
        runs: dict[str, Run] = getattr(_local, "runs", None) or {}
        _local.runs = runs
        found = runs.pop(self.token, None)
        if found is None:
            found = Run(self.model, self.counts, self.seed)
        runs[self.token] = found  # most recently used last
        while len(runs) > _KEPT_RUNS:
            runs.pop(next(iter(runs)))
        return found

    def __dask_tokenize__(self) -> tuple[str, str, str]:
        return ("synthframe-partition", self.token, self.table)

    def __call__(self, span: tuple[int, int]) -> pd.DataFrame:
        start, stop = span
        return to_frame(self._run().rows(self.table, range(start, stop)), start)


def _part_name(i: int, *, width: int) -> str:
    """``part.<i>.parquet`` with ``i`` zero-padded, so that the files sort in row order by name."""
    return f"part.{i:0{width}d}.parquet"


def generate(model: Model, rows: Mapping[str, Any] | None = None, *, seed: int = 0, scale: float | None = None,
             partition_rows: int = DEFAULT_PARTITION_ROWS) -> dict[str, dd.DataFrame]:
    """Every table of the model as a lazy Dask DataFrame, ``{table: DataFrame}``, in generation order.

    ``rows`` and ``scale`` are as in :meth:`Model.sample`. Each table has ``ceil(n / partition_rows)``
    partitions indexed by row number (divisions known); nothing is computed until you ask (``compute``,
    ``to_parquet``, ...), and then on whatever scheduler is active — a ``dask.distributed.Client`` if one
    exists. The computed tables equal ``model.sample(rows, seed=seed, scale=scale)``.
    """
    dd = _require_dask()
    size = _partition_size(partition_rows)
    counts = resolve_rows(model, rows, scale=scale)
    run = Run(model, counts, seed)  # checks parents and capacities before any graph is built
    token = _token(model, counts, run.seed)
    out = {}
    for table, n in counts.items():
        spans = _spans(n, size)
        meta = to_frame(run.rows(table, np.empty(0, dtype=np.int64)))
        out[table] = dd.from_map(_Partition(model, table, counts, run.seed, token), spans, meta=meta,
                                 divisions=_divisions(spans), label=f"synthframe-{table}", enforce_metadata=False)
    return out


def write(model: Model, out_dir: str | Path, rows: Mapping[str, Any] | None = None, *, seed: int = 0,
          format: str = "parquet", scale: float | None = None, partition_rows: int = DEFAULT_PARTITION_ROWS,
          compression: str | None = "snappy", **to_parquet: Any) -> dict[str, Path | str]:
    """Generate every table with Dask and write each to ``out_dir/<table>/``, all tables in one Dask computation;
    return ``{table: folder}``. A folder holds one Parquet file per partition, ``part.<i>.parquet`` with ``i``
    zero-padded so that the names sort in row order. ``out_dir`` is a local folder (on a cluster, one every
    worker sees) or a URL Dask can write to (``s3://bucket/prefix``, through fsspec); URLs come back as strings.

    Parquet only: CSV, JSON and JSON Lines through Dask would be formatted by pandas, not byte-equal to
    :meth:`Model.write` — use that (or ``synthframe generate``) for text files. The files hold the table's
    columns only (no index column); date columns are stored as ``date32``, as :meth:`Model.write` stores them.
    An existing ``out_dir/<table>/`` folder is replaced. Extra keyword arguments go to Dask's ``to_parquet``.
    """
    _require_dask()
    if isinstance(out_dir, Mapping):  # Model.write takes the rows first; this takes the folder first
        raise RowCountError(f"synthframe.dask.write takes the folder before the rows: write(model, out_dir, rows); "
                            f"got rows {dict(out_dir)!r} as out_dir and {rows!r} as rows.")
    if str(format).lower() != "parquet":
        raise OutputError(f"synthframe.dask.write writes Parquet only; got format {format!r}. Write CSV, JSON or "
                          f"JSON Lines with Model.write(...) or `synthframe generate --format {format}`.")
    import dask as dask_core

    tables = generate(model, rows, seed=seed, scale=scale, partition_rows=partition_rows)
    url = isinstance(out_dir, str) and "://" in out_dir
    if not url:
        try:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Cannot create the output directory {out_dir}: {exc.strerror or exc}.") from exc
    paths: dict[str, Path | str] = {}
    pending = []
    for table, frame in tables.items():
        dates = {c.name: pa.date32() for c in model.schema.tables[table].columns.values() if c.type == "date"}
        paths[table] = f"{str(out_dir).rstrip('/')}/{table}" if url else Path(out_dir) / table
        options = {"write_index": False, "overwrite": True, "compression": compression, "schema": dates or "infer",
                   "name_function": partial(_part_name, width=len(str(frame.npartitions - 1))), **to_parquet}
        pending.append(frame.to_parquet(paths[table], compute=False, **options))
    dask_core.compute(*pending)
    return paths
