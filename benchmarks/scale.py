"""``python -m benchmarks scale``: synthframe at scale, side by side with the baselines of the same run.

One run measures, each in a process of its own (so the peak RSS of each is the kernel's ``ru_maxrss``
of that process, read with ``os.wait4``):

- (a) the bundled ecommerce example (five tables: the request's 200 products, customers, and the tables under
  customers following them) at about ``10**6`` and ``10**7`` rows, written to Parquet with ``Model.write``
  (what ``synthframe generate --example ecommerce --rows customers=N --format parquet`` does after its
  estimate);
- (b) TPC-H at scale factor 1 row counts (lineitem 6,001,215, ...; fit from the SF0.01 sample), written to
  Parquet by synthframe, by ``tpchgen-cli parquet -s 1`` and by DuckDB's ``CALL dbgen(sf=1)`` followed by
  one ``COPY ... TO ... (FORMAT parquet)`` per table; and the whole ``synthframe sample`` command of the model
  saved as JSON (interpreter start, imports, loading, the disk estimate, the write), as ``tpchgen-cli`` is
  timed;
- (c) 50 float columns fitted from a few hundred sample rows, ``10**7`` rows made in memory batch by batch
  (values/s), and ``Model.sample`` of a DataFrame at up to ``10**6`` rows;
- (d) a narrow table (5 columns) streamed to Parquet at ``10**7``, ``3 * 10**7`` and ``10**8`` rows (``--full``:
  also ``3 * 10**8``), to see whether the peak RSS stays flat as the rows grow;
- (e) the naive per-row Faker loop (:mod:`benchmarks.naive`) on the example's tables, and SDV's HMA
  sampler where SDV is installed (here, or in the environment ``--sdv-python`` names) on the tables it accepts
  (the example without its grandchild, order_items), beside synthframe's ``Model.sample`` of the same tables
  and row counts;
- a profile of the synthframe TPC-H run on one thread (pyinstrument when installed, else cProfile), with
  the time of each phase (each column's generation, Arrow to pandas, pandas to Arrow, Parquet encoding).

*Seconds* are the work itself: for synthframe, generating and writing (fit and imports excluded, reported
apart); for tpchgen-cli, the whole process; for DuckDB, ``dbgen`` plus the ``COPY`` statements. *Wall* is
the whole process, imports and fit included. Ratios are divisions of two measured results of the run, named
in the JSON (``ratios``). Medians where a measurement is repeated (``--repeat``, the small ones only).

    python -m benchmarks scale            # default sizes (about 8 minutes on 2 cores)
    python -m benchmarks scale --quick    # every measurement at small sizes, under 2 minutes
    python -m benchmarks scale --full     # adds 3 * 10**8 narrow rows streamed to Parquet
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_TPCH = REPO_ROOT.parent / "shared" / "data" / "tpch_sf001"
"""The TPC-H sample (scale factor 0.01), next to the repository: ``../shared/data/tpch_sf001``."""
RESULT_PREFIX = "SCALE-RESULT "
"""Marks the stdout line of a worker process that holds its JSON result."""

TPCH_SF1 = {"region": 5, "nation": 25, "supplier": 10_000, "customer": 150_000, "part": 200_000,
            "partsupp": 800_000, "orders": 1_500_000, "lineitem": 6_001_215}
"""Row counts of TPC-H at scale factor 1 (region and nation do not scale)."""

SIZES: dict[str, dict[str, Any]] = {
    "default": {"example_rows": [10**6, 10**7], "tpch_sf": 1.0, "numeric_rows": 10**7, "numeric_frame_rows": 10**6,
                "narrow_rows": [10**7, 3 * 10**7, 10**8], "naive_rows": 5000, "sdv_rows": 2000,
                "writer_rows": 2 * 10**6, "repeat": 3,
                "numeric_find_rules": True},
    "quick": {"example_rows": [10**4, 10**5], "tpch_sf": 0.01, "numeric_rows": 10**5, "numeric_frame_rows": 10**4,
              "narrow_rows": [10**5, 3 * 10**5], "naive_rows": 200, "sdv_rows": 200, "writer_rows": 10**5, "repeat": 1,
              "numeric_find_rules": False},
}
"""Sizes per mode; ``--full`` is the default sizes with ``3 * 10**8`` narrow rows added. ``--quick`` fits the numeric
table without the rule search (``"rules": false``), which alone takes about a minute at 50 columns."""
FULL_NARROW_ROWS = [10**7, 3 * 10**7, 10**8, 3 * 10**8]
REPEATED = 10**6
"""Measurements of at most this many rows are repeated ``repeat`` times (medians); larger ones run once."""
NUMERIC_COLUMNS = 50
SAMPLE_ROWS = 300
"""Sample rows the numeric and narrow tables are fitted from."""
TARGETS = {"tpch_vs_tpchgen": 1.0, "tpch_vs_duckdb": 2.0, "numeric_values_per_s": 5e7, "narrow_peak_rss_mb": 2048.0,
           "example_vs_naive": 1000.0}
"""Goals the run is compared against (reported, never asserted)."""


# -- workers: each runs in a process of its own ------------------------------------------

def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def _parquet_rows(path: Path) -> int:
    """Rows of every Parquet file under ``path``, from the files' footers."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in Path(path).rglob("*.parquet"))


def _tpch_counts(sf_scale: float) -> dict[str, int]:
    """TPC-H row counts at ``sf_scale`` (region and nation fixed, the rest in proportion to SF1)."""
    return {t: n if t in ("region", "nation") else max(1, round(n * sf_scale)) for t, n in TPCH_SF1.items()}


def _fit_tpch(sample_dir: Path) -> tuple[Any, float]:
    import synthframe as sf

    start = time.perf_counter()
    schema = sf.Schema.from_json(Path(sample_dir) / "schema.json")
    model = sf.fit(schema, sf.read_samples(sample_dir, schema))
    return model, time.perf_counter() - start


def _timed_write(model: Any, counts: Mapping[str, int], out: Path, seed: int) -> dict[str, Any]:
    from synthframe.generate import keep_freed_memory

    keep_freed_memory()  # as `synthframe generate` does before it writes
    start = time.perf_counter()
    model.write(dict(counts), out, format="parquet", seed=seed, progress=False)
    seconds = time.perf_counter() - start
    return {"rows": sum(counts.values()), "counts": dict(counts), "seconds": seconds, "bytes": _dir_bytes(out)}


def example_counts(model: Any, rows: int) -> dict[str, int]:
    """Counts of the example at about ``rows`` rows in all, as ``synthframe generate --example ecommerce --rows
    customers=N`` makes them: the request's products, N customers, and the tables under customers following them.

    (The request's own proportions cannot reach 10**7 rows: products.sku's format holds 10**5 values.)
    """
    from synthframe.examples import RECORD_COUNTS
    from synthframe.generate import resolve_rows

    products = RECORD_COUNTS["ecommerce"]["products"]
    per_customer = (sum(resolve_rows(model, {"products": products, "customers": 10**6}).values()) - products) / 10**6
    customers = max(1, round((rows - products) / per_customer))
    return resolve_rows(model, {"products": products, "customers": customers})


def _work_example(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(a) The ecommerce example at about ``rows`` rows in all (:func:`example_counts`), fitted from its samples,
    written to Parquet."""
    import synthframe as sf
    from synthframe.examples import example_samples_dir, example_schema_path

    start = time.perf_counter()
    model = sf.fit(example_schema_path(), example_samples_dir())
    fit_seconds = time.perf_counter() - start
    counts = example_counts(model, int(spec["rows"]))
    return {**_timed_write(model, counts, Path(spec["out"]), int(spec["seed"])), "fit_seconds": fit_seconds}


def _work_example_writer(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(a) The ceiling a Parquet file puts on the example: its rows made first (not timed) as the Arrow tables
    ``Model.write`` hands the writer, then only Arrow's Parquet writer timed, the tables split over two threads
    by rows (the writer releases the GIL). No generator, however fast, writes the example faster than this."""
    import threading

    import synthframe as sf
    from synthframe.examples import example_samples_dir, example_schema_path
    from synthframe.generate import Run, table_streams
    from synthframe.write import (
        _batch_table,
        _coded_schema,
        _date_columns,
        _first_schema,
        _parquet_writer,
        _time_formats,
    )

    model = sf.fit(example_schema_path(), example_samples_dir())
    counts = example_counts(model, int(spec["rows"]))
    streams, _ = table_streams(Run(model, counts, int(spec["seed"])), arrow=True, workers=1, beside=False)
    made: dict[str, tuple[list[Any], Any]] = {}
    for table, stream in streams.items():
        dates, formats = _date_columns(model.schema, table), _time_formats(model.schema, table)
        chunks: list[Any] = []
        stored = schema = None
        for chunk in stream:
            if schema is None:
                stored = _first_schema(table, chunk, dates, formats)
                schema = _coded_schema(stored, chunk.schema)
            chunks.append(_batch_table(table, chunk, dates, formats, schema))
            schema = chunks[-1].schema
        made[table] = (chunks, stored)
    out = Path(spec["out"])
    out.mkdir(parents=True, exist_ok=True)

    def write(tables: Sequence[str]) -> None:
        for table in tables:
            chunks, stored = made[table]
            if not chunks:  # a table of no rows: nothing to time
                continue
            with open(out / f"{table}.parquet", "wb") as f:
                writer = _parquet_writer(f, chunks[0], stored)
                for data in chunks:
                    writer.write_table(data, row_group_size=max(data.num_rows, 1))
                writer.close()

    halves: tuple[list[str], list[str]] = ([], [])
    for table in sorted(made, key=lambda t: -counts[t]):  # the larger tables first, each to the lighter thread
        min(halves, key=lambda h: sum(counts[t] for t in h)).append(table)
    threads = [threading.Thread(target=write, args=(half,)) for half in halves]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return {"rows": sum(counts.values()), "counts": counts, "seconds": seconds, "bytes": _dir_bytes(out)}


def _work_tpch(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(b) TPC-H fitted from the sample, written to Parquet at the row counts of ``sf``."""
    model, fit_seconds = _fit_tpch(Path(spec["tpch"]))
    counts = _tpch_counts(float(spec["sf"]))
    return {**_timed_write(model, counts, Path(spec["out"]), int(spec["seed"])), "fit_seconds": fit_seconds}


def _work_save_tpch_model(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The model fitted from the TPC-H sample, saved to ``out`` (for ``synthframe sample`` to load)."""
    model, fit_seconds = _fit_tpch(Path(spec["tpch"]))
    model.save(spec["out"])
    return {"rows": 0, "seconds": fit_seconds}


def _duckdb_connection() -> Any:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("LOAD tpch")
    except duckdb.Error:
        from .fidelity import _tpch_extension_file

        con.execute(f"LOAD '{_tpch_extension_file(con)}'")
    return con


def _work_duckdb(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(b) DuckDB: ``CALL dbgen(sf=...)`` into an in-memory database, then ``COPY`` each table to Parquet."""
    out = Path(spec["out"])
    out.mkdir(parents=True, exist_ok=True)
    con = _duckdb_connection()
    try:
        start = time.perf_counter()
        con.execute(f"CALL dbgen(sf={float(spec['sf'])!r})")
        dbgen_seconds = time.perf_counter() - start
        counts = {}
        for table in TPCH_SF1:
            counts[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        copy_start = time.perf_counter()
        for table in TPCH_SF1:
            con.execute(f"COPY {table} TO '{out / (table + '.parquet')}' (FORMAT parquet)")
        copy_seconds = time.perf_counter() - copy_start
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    finally:
        con.close()
    return {"rows": sum(counts.values()), "counts": counts, "seconds": dbgen_seconds + copy_seconds,
            "dbgen_seconds": dbgen_seconds, "copy_seconds": copy_seconds, "bytes": _dir_bytes(out),
            "threads": int(threads)}


def _numeric_model(columns: int, sample_rows: int, find_rules: bool = True) -> Any:
    """A model of ``columns`` float columns fitted from ``sample_rows`` seeded rows: correlated normals,
    lognormals, uniforms and gammas (five latent factors shared across columns). ``find_rules=False`` writes
    ``"rules": false`` in the schema (no search for product rules, which is most of this fit's time)."""
    import numpy as np
    import pandas as pd

    import synthframe as sf

    rng = np.random.default_rng(20261129)
    factors = rng.normal(size=(sample_rows, 5))
    data = {}
    for i in range(columns):
        base = factors[:, i % 5] * 0.7 + rng.normal(size=sample_rows) * 0.7
        kind = i % 4
        if kind == 0:
            values = 50 + 10 * base
        elif kind == 1:
            values = np.exp(3 + 0.5 * base)
        elif kind == 2:
            values = rng.uniform(0, 1000, size=sample_rows)
        else:
            values = rng.gamma(2.0, 15.0, size=sample_rows) + base
        data[f"x{i:02d}"] = np.round(values, 4)
    frame = pd.DataFrame(data)
    table: dict[str, Any] = {"columns": dict.fromkeys(frame.columns, "float")}
    if not find_rules:
        table["rules"] = False
    schema = {"tables": {"wide": table}}
    return sf.fit(schema, {"wide": frame})


def _work_numeric(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(c) ``rows`` rows of 50 float columns made in memory, batch by batch on every core (each batch dropped
    once counted), and a ``Model.sample`` DataFrame of ``frame_rows`` rows."""
    from synthframe.generate import Run, iter_record_batches, keep_freed_memory, workers_count

    keep_freed_memory()  # as the CLI does before it writes
    start = time.perf_counter()
    model = _numeric_model(int(spec["columns"]), SAMPLE_ROWS, bool(spec.get("find_rules", True)))
    fit_seconds = time.perf_counter() - start
    rows = int(spec["rows"])
    run = Run(model, {"wide": rows}, int(spec["seed"]))
    start = time.perf_counter()
    values = made = 0
    for batch in iter_record_batches(run, "wide", workers=workers_count(None)):
        values += batch.num_rows * batch.num_columns
        made += batch.num_rows
    seconds = time.perf_counter() - start
    frame_rows = int(spec["frame_rows"])
    start = time.perf_counter()
    frame = model.sample({"wide": frame_rows}, seed=int(spec["seed"]), progress=False)["wide"]
    frame_seconds = time.perf_counter() - start
    return {"rows": made, "values": values, "seconds": seconds, "fit_seconds": fit_seconds,
            "columns": int(spec["columns"]), "rules_searched": bool(spec.get("find_rules", True)),
            "frame_rows": len(frame), "frame_seconds": frame_seconds,
            "frame_mb": float(frame.memory_usage(deep=True).sum()) / 2**20}


def _narrow_model() -> Any:
    """A narrow table (integer key, integer, float, category, date) fitted from seeded sample rows."""
    import numpy as np
    import pandas as pd

    import synthframe as sf

    rng = np.random.default_rng(7)
    n = SAMPLE_ROWS
    frame = pd.DataFrame({
        "event_id": np.arange(1, n + 1),
        "user_id": rng.integers(1, 50_000, size=n),
        "amount": np.round(np.exp(rng.normal(3.5, 0.8, size=n)), 2),
        "status": rng.choice(["new", "paid", "shipped", "returned"], p=[0.2, 0.5, 0.25, 0.05], size=n),
        "created": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, size=n), unit="D"),
    })
    schema = {"tables": {"events": {"primary_key": "event_id", "columns": {
        "event_id": "integer", "user_id": "integer", "amount": "float", "status": "category", "created": "date"}}}}
    return sf.fit(schema, {"events": frame})


def _work_narrow(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(d) The narrow table streamed to Parquet at ``rows`` rows."""
    start = time.perf_counter()
    model = _narrow_model()
    fit_seconds = time.perf_counter() - start
    return {**_timed_write(model, {"events": int(spec["rows"])}, Path(spec["out"]), int(spec["seed"])),
            "fit_seconds": fit_seconds, "columns": 5}


def _work_naive(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(e) The naive per-row Faker loop on the example's tables, in the proportions synthframe's (a) runs make."""
    import synthframe as sf
    from synthframe.examples import example_samples_dir, example_schema_path, load_example_request

    from .naive import naive_generate
    from .suite import counts_in_proportion

    schema = load_example_request("ecommerce")["schema"]
    mix = example_counts(sf.fit(example_schema_path(), example_samples_dir()), 10**6)
    counts = counts_in_proportion(int(spec["rows"]), mix)
    start = time.perf_counter()
    data = naive_generate(schema, counts, seed=int(spec["seed"]))
    seconds = time.perf_counter() - start
    return {"rows": sum(len(v) for v in data.values()), "counts": counts, "seconds": seconds}


SDV_MAX_TABLES = 5
"""SDV 2's HMASynthesizer refuses a schema of more tables than this, or deeper than :data:`SDV_MAX_DEPTH`."""
SDV_MAX_DEPTH = 2


def sdv_tables(schema: Any) -> list[str]:
    """The tables of ``schema`` SDV's HMASynthesizer accepts: those within its depth of two (a table with no
    parent, or whose parents have none), at most five, parents first. The example keeps customers, products,
    orders and reviews, and leaves out order_items (a grandchild)."""
    depth: dict[str, int] = {}
    for name in schema.generation_order():
        parents = [fk.ref_table for fk in schema.tables[name].foreign_keys if fk.ref_table != name]
        depth[name] = 1 + max((depth[p] for p in parents), default=0)
    return [t for t in schema.generation_order() if depth[t] <= SDV_MAX_DEPTH][:SDV_MAX_TABLES]


def _example_slice(tables: Sequence[str]) -> tuple[Any, dict[str, Any]]:
    import synthframe as sf
    from synthframe.examples import example_samples_dir, example_schema_path

    schema = sf.Schema.from_json(example_schema_path())
    samples = sf.read_samples(example_samples_dir(), schema)
    return schema, {t: samples[t] for t in tables}


def _work_sdv(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(e) SDV's HMA synthesizer fitted on the example's samples of the tables it accepts (:func:`sdv_tables`);
    its ``sample`` timed at about ``rows`` rows in all."""
    import warnings

    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    import synthframe as sf
    from synthframe.examples import example_schema_path

    warnings.simplefilter("ignore")
    tables = sdv_tables(sf.Schema.from_json(example_schema_path()))
    _, samples = _example_slice(tables)
    metadata = Metadata.detect_from_dataframes(samples)
    synthesizer = HMASynthesizer(metadata)
    start = time.perf_counter()
    synthesizer.fit(samples)
    fit_seconds = time.perf_counter() - start
    sample_rows = sum(len(df) for df in samples.values())
    scale = max(float(spec["rows"]) / sample_rows, 1e-3)
    start = time.perf_counter()
    # SDV 2 names it sample_scale (its sample takes a row count of one table), SDV 1 sample(scale=...)
    data = synthesizer.sample_scale(scale=scale) if hasattr(synthesizer, "sample_scale") else \
        synthesizer.sample(scale=scale)
    seconds = time.perf_counter() - start
    import sdv

    return {"rows": sum(len(df) for df in data.values()), "counts": {t: len(df) for t, df in data.items()},
            "seconds": seconds, "fit_seconds": fit_seconds, "tables": tables, "version": sdv.__version__}


def _work_example_slice(spec: Mapping[str, Any]) -> dict[str, Any]:
    """(e) synthframe on the tables and row counts SDV's sampler made (``counts``), fitted from the same
    samples, in memory as DataFrames (what ``HMASynthesizer.sample`` returns)."""
    import synthframe as sf

    from .fidelity import subschema

    counts = {t: int(n) for t, n in spec["counts"].items()}
    schema, samples = _example_slice(list(counts))
    start = time.perf_counter()
    model = sf.fit(subschema(schema, list(counts)), samples)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    data = model.sample(counts, seed=int(spec["seed"]), progress=False)
    seconds = time.perf_counter() - start
    return {"rows": sum(len(df) for df in data.values()), "counts": counts, "seconds": seconds,
            "fit_seconds": fit_seconds}


def _frame_key(frame: Any) -> str:
    where = f"{frame.file_path_short or ''}:{frame.line_no}"
    return f"{frame.function} ({where})"


def _pyinstrument_tops(session: Any, top: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Functions by self time and by total time (outermost call of each function only) from a session."""
    self_time: dict[str, float] = {}
    total_time: dict[str, float] = {}

    def walk(frame: Any, stack: frozenset[str]) -> None:
        if frame.is_synthetic:
            return
        key = _frame_key(frame)
        self_time[key] = self_time.get(key, 0.0) + frame.total_self_time
        if key not in stack:
            total_time[key] = total_time.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, stack | {key})

    root = session.root_frame()
    if root is not None:
        walk(root, frozenset())
    duration = session.duration or 1.0

    def rows(table: dict[str, float]) -> list[dict[str, Any]]:
        best = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [{"function": k, "seconds": v, "share": v / duration} for k, v in best]

    return rows(self_time), rows(total_time)


def _cprofile_tops(profile: Any, seconds: float, top: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import pstats

    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}

    def rows(index: int) -> list[dict[str, Any]]:
        best = sorted(stats.items(), key=lambda kv: -kv[1][index])[:top]
        return [{"function": f"{name} ({Path(file).name}:{line})", "seconds": v[index], "share": v[index] / seconds}
                for (file, line, name), v in best]

    return rows(2), rows(3)


def _work_profile(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The synthframe TPC-H run on one thread, phase by phase, under a profiler.

    Mirrors ``Model.write(format="parquet")``: per batch (a child table written beside its parent from the
    parent's batches, as there), each column through ``RowContext.values`` (a column another reads is counted
    where it is first made), the RecordBatch as the Arrow table the writer writes (the
    writer's ``_batch_table``: dates as days, the first batch's types and pandas metadata; no DataFrame) and
    ``ParquetWriter.write_table`` with the writer's dictionary choice.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from synthframe.generate import DEFAULT_BATCH_ROWS, RowContext, Run, _spans, families
    from synthframe.write import _batch_table, _date_columns, _dictionary_columns, _time_formats

    model, fit_seconds = _fit_tpch(Path(spec["tpch"]))
    counts = _tpch_counts(float(spec["sf"]))
    run = Run(model, counts, int(spec["seed"]))
    out = Path(spec["out"])
    out.mkdir(parents=True, exist_ok=True)
    phases = {"generate columns": 0.0, "RecordBatch to the written table (write._batch_table)": 0.0,
              "Parquet encode and write": 0.0}
    per_column: dict[str, float] = {}
    per_table: dict[str, float] = {}

    writers: dict[str, pq.ParquetWriter] = {}

    def emit(table: str, ctx: RowContext) -> None:
        """One batch of ``table``: its columns (timed one by one), the written table, the Parquet write."""
        table_start = time.perf_counter()
        names = list(model.tables[table].columns)
        arrays = []
        for name in names:
            t0 = time.perf_counter()
            arrays.append(ctx.values(name))
            spent = time.perf_counter() - t0
            per_column[f"{table}.{name}"] = per_column.get(f"{table}.{name}", 0.0) + spent
            phases["generate columns"] += spent
        batch = pa.RecordBatch.from_arrays(arrays, names=names)
        t0 = time.perf_counter()
        writer = writers.get(table)
        data = _batch_table(table, batch, _date_columns(model.schema, table), _time_formats(model.schema, table),
                            None if writer is None else writer.schema)
        t1 = time.perf_counter()
        if writer is None:
            writer = writers[table] = pq.ParquetWriter(out / f"{table}.parquet", data.schema,
                                                       use_dictionary=_dictionary_columns(data))
        writer.write_table(data, row_group_size=max(data.num_rows, 1))
        t2 = time.perf_counter()
        phases["RecordBatch to the written table (write._batch_table)"] += t1 - t0
        phases["Parquet encode and write"] += t2 - t1
        per_table[table] = per_table.get(table, 0.0) + (t2 - table_start)

    def body() -> None:
        beside = families(run)  # a child made from its parent's batches, as Model.write does
        for table in counts:
            if table in beside:
                continue
            child = next((c for c, p in beside.items() if p == table), None)
            for span in _spans(run, table, DEFAULT_BATCH_ROWS):
                ctx = RowContext(run, table, np.arange(span.start, span.stop, dtype=np.int64))
                emit(table, ctx)
                if child is not None:
                    emit(child, ctx.children_context(child)[0])
        for writer in writers.values():
            writer.close()

    top = int(spec.get("top", 25))
    start = time.perf_counter()
    if importlib.util.find_spec("pyinstrument") is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        body()
        profiler.stop()
        seconds = time.perf_counter() - start
        by_self, by_total = _pyinstrument_tops(profiler.last_session, top)
        profiler_name = "pyinstrument"
        if spec.get("text"):
            Path(spec["text"]).write_text(profiler.output_text(unicode=False, color=False), encoding="utf-8")
    else:
        import cProfile

        profile = cProfile.Profile()
        profile.runcall(body)
        seconds = time.perf_counter() - start
        by_self, by_total = _cprofile_tops(profile, seconds, top)
        profiler_name = "cProfile"
    columns = sorted(per_column.items(), key=lambda kv: -kv[1])[:top]
    return {"rows": sum(counts.values()), "counts": counts, "seconds": seconds, "fit_seconds": fit_seconds,
            "bytes": _dir_bytes(out), "profiler": profiler_name, "workers": 1,
            "phases": {k: {"seconds": v, "share": v / seconds} for k, v in phases.items()},
            "tables": {k: {"seconds": v, "share": v / seconds} for k, v in per_table.items()},
            "columns": [{"column": k, "seconds": v, "share": v / seconds} for k, v in columns],
            "functions_self": by_self, "functions_total": by_total}


WORKERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "example": _work_example, "tpch": _work_tpch, "duckdb": _work_duckdb, "numeric": _work_numeric,
    "narrow": _work_narrow, "naive": _work_naive, "sdv": _work_sdv,
    "example_slice": _work_example_slice, "save_tpch_model": _work_save_tpch_model,
    "example_writer": _work_example_writer, "profile": _work_profile}


def worker_main(spec_text: str) -> int:
    """Run the worker a JSON spec names (``{"kind": ..., ...}``) and print its result after ``RESULT_PREFIX``."""
    spec = json.loads(spec_text)
    result = WORKERS[spec["kind"]](spec)
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


# -- the parent: processes, medians, ratios ----------------------------------------------

def run_process(cmd: Sequence[str], *, timeout: float = 7200.0) -> dict[str, Any]:
    """Run ``cmd`` in the repository and wait for it with ``os.wait4``: wall seconds, the process's own
    peak RSS (``ru_maxrss``, its descendants included) and CPU seconds; its result line parsed when there."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        # the repository importable from any Python (another environment's, for SDV)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)}
        proc = subprocess.Popen(list(cmd), cwd=REPO_ROOT, stdout=out, stderr=err, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    lines = [line for line in stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    result = json.loads(lines[-1][len(RESULT_PREFIX):]) if lines else None
    peak_kib = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return {"returncode": proc.returncode, "wall_seconds": wall, "peak_rss_mb": peak_kib / 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime, "result": result, "stderr": stderr.strip()[-1500:]}


def _tpchgen() -> str | None:
    """The tpchgen-cli executable: the one installed beside this Python (not a version manager's shim, whose
    start-up would be timed too), else the one on PATH."""
    beside = Path(sys.executable).with_name("tpchgen-cli")
    return str(beside) if beside.is_file() else shutil.which("tpchgen-cli")


def _worker_cmd(spec: Mapping[str, Any]) -> list[str]:
    """The command of a worker process: this Python, or the one ``spec["python"]`` names (SDV's)."""
    return [spec.get("python") or sys.executable, "-m", "benchmarks", "scale", "--worker", json.dumps(dict(spec))]


def _sdv_python(given: str | None) -> str | None:
    """The Python SDV's sampler runs in: ``given`` (``--sdv-python``, an environment with SDV, kept apart from
    synthframe's), else this one when SDV is importable here; None when neither."""
    if given:
        return given
    return sys.executable if importlib.util.find_spec("sdv") is not None else None


class Bench:
    """The results of one run, filled measurement by measurement, with the notes that explain gaps."""

    def __init__(self, scratch: Path, seed: int):
        self.scratch = scratch
        self.seed = seed
        self.results: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []

    def measure(self, name: str, *, workload: str, tool: str, what: str, spec: Mapping[str, Any] | None = None,
                cmd: Sequence[str] | None = None, repeat: int = 1, rows: int | None = None) -> dict[str, Any] | None:
        """Run a worker (``spec``) or a command (``cmd``) ``repeat`` times, each in a fresh process writing
        into an emptied scratch folder; medians of seconds, wall seconds and peak RSS."""
        runs: list[dict[str, Any]] = []
        for i in range(repeat):
            out = self.scratch / f"{name}-{i}"
            shutil.rmtree(out, ignore_errors=True)
            if spec is not None:
                proc = run_process(_worker_cmd({**spec, "out": str(out), "seed": self.seed}))
            else:
                assert cmd is not None
                proc = run_process([part.replace("{out}", str(out)) for part in cmd])
                if proc["returncode"] == 0:
                    proc["result"] = {"rows": _parquet_rows(out) if out.exists() else rows,
                                      "seconds": proc["wall_seconds"], "bytes": _dir_bytes(out) if out.exists() else 0}
            shutil.rmtree(out, ignore_errors=True)
            if proc["returncode"] != 0 or proc["result"] is None:
                self.notes.append(f"{name} ({what}) failed (exit {proc['returncode']}): {proc['stderr'][-600:]}")
                return None
            runs.append(proc)
            print(f"  {name}: {proc['result']['rows']:,} rows in {proc['result']['seconds']:.2f} s "
                  f"(wall {proc['wall_seconds']:.2f} s, peak RSS {proc['peak_rss_mb']:,.0f} MB)", file=sys.stderr)
        first = runs[0]["result"]
        seconds_all = [r["result"]["seconds"] for r in runs]
        seconds = float(statistics.median(seconds_all))
        entry: dict[str, Any] = {
            "workload": workload, "tool": tool, "what": what, "rows": int(first["rows"]), "repeat": repeat,
            "seconds": seconds, "seconds_all": seconds_all,
            "wall_seconds": float(statistics.median(r["wall_seconds"] for r in runs)),
            "peak_rss_mb": float(statistics.median(r["peak_rss_mb"] for r in runs)),
            "peak_rss_mb_all": [r["peak_rss_mb"] for r in runs],
            "cpu_seconds": float(statistics.median(r["cpu_seconds"] for r in runs)),
            "rows_per_s": first["rows"] / seconds if seconds > 0 else None,
        }
        if first.get("bytes"):
            entry["written_mb"] = first["bytes"] / 2**20
            entry["mb_per_s"] = entry["written_mb"] / seconds if seconds > 0 else None
        if "values" in first:
            entry["values"] = int(first["values"])
            entry["values_per_s"] = first["values"] / seconds if seconds > 0 else None
        entry["rows_per_s_wall"] = first["rows"] / entry["wall_seconds"]
        entry.update({k: v for k, v in first.items() if k not in entry and k not in ("bytes", "seconds")})
        self.results[name] = entry
        return entry


def ratio(results: Mapping[str, Mapping[str, Any]], name: str, numerator: str, denominator: str,
          metric: str = "rows_per_s") -> dict[str, Any] | None:
    """``results[numerator][metric] / results[denominator][metric]``, both measured in this run."""
    if numerator not in results or denominator not in results:
        return None
    top, bottom = results[numerator].get(metric), results[denominator].get(metric)
    if not top or not bottom:
        return None
    return {"name": name, "numerator": numerator, "denominator": denominator, "metric": metric,
            "value": top / bottom}


RATIOS = [
    ("example rows/s, larger / smaller row count (a)", "example_large", "example_small", "rows_per_s"),
    ("synthframe / naive loop, example rows/s (a, e)", "example_small", "naive", "rows_per_s"),
    ("synthframe / naive loop, example at the larger size (a, e)", "example_large", "naive", "rows_per_s"),
    ("Parquet writer alone on the example's rows / naive loop: the ceiling of that ratio (a, e)", "example_writer",
     "naive", "rows_per_s"),
    ("synthframe / SDV HMA sampler rows/s, same tables and rows, in memory (e)", "example_slice", "sdv",
     "rows_per_s"),
    ("TPC-H `synthframe sample` of a saved model, whole command / tpchgen-cli rows/s (b)", "tpch_saved_model",
     "tpch_tpchgen", "rows_per_s"),
    *[(f"TPC-H synthframe / {tool} {label} (b)", "tpch_synthframe", baseline, metric)
      for baseline, tool in (("tpch_tpchgen", "tpchgen-cli"), ("tpch_duckdb", "DuckDB"))
      for label, metric in (("rows/s", "rows_per_s"), ("rows/s, whole process", "rows_per_s_wall"),
                            ("peak RSS", "peak_rss_mb"))],
    *[(f"narrow: {label}, narrow_{i} / narrow_0 (row counts in the table) (d)", f"narrow_{i}", "narrow_0", metric)
      for label, metric in (("peak RSS", "peak_rss_mb"), ("rows/s", "rows_per_s")) for i in (1, 2, 3)],
]
"""(label, numerator, denominator, metric): the ratios reported when both results exist."""


def _targets(results: Mapping[str, Mapping[str, Any]], ratios: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    by_name = {r["numerator"] + "/" + r["denominator"] + "/" + r["metric"]: r["value"] for r in ratios}
    out = []
    checks = [
        ("TPC-H to Parquet >= 1.0x tpchgen-cli rows/s", by_name.get("tpch_synthframe/tpch_tpchgen/rows_per_s"),
         TARGETS["tpch_vs_tpchgen"], True),
        ("TPC-H to Parquet >= 2x DuckDB dbgen + COPY rows/s", by_name.get("tpch_synthframe/tpch_duckdb/rows_per_s"),
         TARGETS["tpch_vs_duckdb"], True),
        ("numeric values/s (50 float columns, in memory) >= 5e7",
         results.get("numeric", {}).get("values_per_s"), TARGETS["numeric_values_per_s"], True),
        ("example to Parquet >= 1000x the per-row loop's rows/s (at the larger size)",
         by_name.get("example_large/naive/rows_per_s"), TARGETS["example_vs_naive"], True),
    ]
    narrow = [r for n, r in results.items() if n.startswith("narrow_")]
    if narrow:
        largest = max(narrow, key=lambda r: r["rows"])
        checks.append((f"narrow table streamed to Parquet, peak RSS < 2 GiB (at {largest['rows']:,} rows)",
                       largest["peak_rss_mb"], TARGETS["narrow_peak_rss_mb"], False))
    for label, measured, goal, at_least in checks:
        if measured is None:
            continue
        out.append({"target": label, "goal": goal, "measured": measured,
                    "met": bool(measured >= goal if at_least else measured < goal)})
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement of the mode the arguments choose; the JSON-ready report."""
    from .suite import machine_info

    sizes = dict(SIZES["quick" if args.quick else "default"])
    if args.full:
        sizes["narrow_rows"] = FULL_NARROW_ROWS
    repeat = args.repeat or sizes["repeat"]
    started = dt.datetime.now(dt.timezone.utc)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    scratch = Path(tempfile.mkdtemp(prefix="synthframe-scale-", dir=args.scratch))
    bench = Bench(scratch, args.seed)
    sf_scale = float(sizes["tpch_sf"])
    tpch_counts = _tpch_counts(sf_scale)
    tpch_rows = sum(tpch_counts.values())
    try:
        # (e) baselines first: the naive loop on the example's tables, SDV when importable.
        print("(e) naive loop, SDV", file=sys.stderr)
        bench.measure("naive", workload="e", tool="naive per-row Faker loop",
                      what="ecommerce example (the mix of (a)), per-row loop, in memory",
                      spec={"kind": "naive", "rows": sizes["naive_rows"]}, repeat=repeat)
        sdv_python = _sdv_python(args.sdv_python)
        if sdv_python is not None:
            sdv = bench.measure("sdv", workload="e", tool="SDV HMASynthesizer.sample",
                                what="ecommerce example without its grandchild table (what SDV's HMA accepts), "
                                     "SDV HMA sample, in memory",
                                spec={"kind": "sdv", "rows": sizes["sdv_rows"], "python": sdv_python})
            if sdv is not None:
                bench.measure("example_slice", workload="e", tool="synthframe",
                              what="the same tables and row counts, synthframe Model.sample, in memory",
                              spec={"kind": "example_slice", "counts": sdv["counts"]}, repeat=repeat)
        else:
            bench.notes.append("SDV is not importable here: its sampler was not measured (pip install sdv, or "
                               "--sdv-python PATH to a Python that has it).")
        # (a) the example written to Parquet.
        print("(a) ecommerce example to Parquet", file=sys.stderr)
        for name, rows in zip(("example_small", "example_large"), sizes["example_rows"]):
            bench.measure(name, workload="a", tool="synthframe",
                          what=f"ecommerce example, about {rows:,} rows, to Parquet",
                          spec={"kind": "example", "rows": rows}, repeat=repeat if rows <= REPEATED else 1)
        bench.measure("example_writer", workload="a", tool="Arrow's Parquet writer alone",
                      what=f"ecommerce example, about {sizes['writer_rows']:,} rows made beforehand, only their "
                           f"Parquet write timed (two threads)",
                      spec={"kind": "example_writer", "rows": sizes["writer_rows"]}, repeat=repeat)
        # (b) TPC-H at SF1 counts: synthframe, tpchgen-cli, DuckDB.
        print(f"(b) TPC-H SF{sf_scale:g} to Parquet", file=sys.stderr)
        if (Path(args.tpch) / "schema.json").is_file():
            bench.measure("tpch_synthframe", workload="b", tool="synthframe",
                          what=f"TPC-H SF{sf_scale:g} row counts, fitted from SF0.01, to Parquet",
                          spec={"kind": "tpch", "tpch": str(args.tpch), "sf": sf_scale})
            model_file = scratch / "tpch_model.json"
            fitted = run_process(_worker_cmd({"kind": "save_tpch_model", "tpch": str(args.tpch),
                                              "out": str(model_file)}))
            if fitted["returncode"] == 0:
                rows_args = [part for table, n in tpch_counts.items() for part in ("--rows", f"{table}={n}")]
                bench.measure("tpch_saved_model", workload="b", tool="synthframe",
                              what=f"`synthframe sample` of a saved TPC-H model, SF{sf_scale:g} row counts to "
                                   f"Parquet, the whole command", rows=tpch_rows,
                              cmd=[sys.executable, "-m", "synthframe", "sample", str(model_file), *rows_args,
                                   "--format", "parquet", "--out", "{out}", "--quiet", "--no-validate"])
            else:
                bench.notes.append(f"Saving the TPC-H model failed (exit {fitted['returncode']}): "
                                   f"{fitted['stderr'][-600:]}")
        else:
            bench.notes.append(f"No TPC-H sample at {args.tpch}: synthframe's TPC-H run and the profile skipped.")
        tpchgen = _tpchgen()
        if tpchgen:
            bench.measure("tpch_tpchgen", workload="b", tool="tpchgen-cli", what=f"tpchgen-cli parquet -s {sf_scale:g}",
                          cmd=[tpchgen, "parquet", "-s", f"{sf_scale:g}", "-o", "{out}", "--quiet"], rows=tpch_rows)
        else:
            bench.notes.append("tpchgen-cli is not on PATH: not measured (pip install tpchgen-cli).")
        if importlib.util.find_spec("duckdb") is not None:
            bench.measure("tpch_duckdb", workload="b", tool="DuckDB", what=f"DuckDB CALL dbgen(sf={sf_scale:g}) + "
                          f"COPY to Parquet", spec={"kind": "duckdb", "sf": sf_scale})
        else:
            bench.notes.append("duckdb is not importable: its dbgen was not measured (pip install '.[bench]').")
        # (c) 50 float columns in memory.
        print("(c) numeric columns in memory", file=sys.stderr)
        bench.measure("numeric", workload="c", tool="synthframe",
                      what=f"{NUMERIC_COLUMNS} float columns x {sizes['numeric_rows']:,} rows, in memory (batches)",
                      spec={"kind": "numeric", "rows": sizes["numeric_rows"], "columns": NUMERIC_COLUMNS,
                            "frame_rows": sizes["numeric_frame_rows"], "find_rules": sizes["numeric_find_rules"]})
        # (d) a narrow table streamed to Parquet, at growing row counts.
        print("(d) narrow table streamed to Parquet", file=sys.stderr)
        for i, rows in enumerate(sizes["narrow_rows"]):
            bench.measure(f"narrow_{i}", workload="d", tool="synthframe",
                          what=f"narrow table (5 columns), {rows:,} rows streamed to Parquet",
                          spec={"kind": "narrow", "rows": rows})
        profile = None
        if args.profile and "tpch_synthframe" in bench.results:
            print("profile: TPC-H on one thread", file=sys.stderr)
            text = Path(args.out_dir) / "scale_profile.txt"
            proc = run_process(_worker_cmd({"kind": "profile", "tpch": str(args.tpch), "sf": sf_scale,
                                            "out": str(scratch / "profile"), "seed": args.seed, "text": str(text)}))
            shutil.rmtree(scratch / "profile", ignore_errors=True)
            if proc["returncode"] == 0 and proc["result"] is not None:
                profile = {**proc["result"], "wall_seconds": proc["wall_seconds"],
                           "peak_rss_mb": proc["peak_rss_mb"], "text_file": text.name}
            else:
                bench.notes.append(f"The profile failed (exit {proc['returncode']}): {proc['stderr'][-600:]}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = bench.results
    ratios = [r for spec in RATIOS if (r := ratio(results, *spec)) is not None]
    if "example_large" in results and sizes["example_rows"][-1] >= 10**7:
        bench.notes.append(f"The example at {sizes['example_rows'][-1]:,} rows runs by default (not --full only).")
    report = {
        "created": started.isoformat(timespec="seconds"),
        "seconds_total": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1),
        "mode": "quick" if args.quick else ("full" if args.full else "default"),
        "machine": machine_info(),
        "settings": {**sizes, "repeat": repeat, "seed": args.seed, "tpch": str(args.tpch),
                     "tpch_counts": tpch_counts, "load_average_at_start": load_at_start,
                     "workers": "synthframe: every core (Model.write default); tpchgen-cli and DuckDB: their "
                                "defaults (every core)"},
        "method": {"seconds": "synthframe: generate + write (fit and imports excluded); tpchgen-cli: the whole "
                              "process; DuckDB: CALL dbgen + COPY statements; naive/SDV: sampling only",
                   "wall_seconds": "the whole process: interpreter start, imports, fit, work",
                   "peak_rss_mb": "ru_maxrss of the process (os.wait4), absolute, in MiB",
                   "ratios": "value = results[numerator][metric] / results[denominator][metric]"},
        "results": results,
        "ratios": ratios,
        "targets": _targets(results, ratios),
        "profile": profile,
        "notes": bench.notes,
    }
    return report


# -- the report --------------------------------------------------------------------------

def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}g}"


def markdown(report: Mapping[str, Any]) -> str:
    """The report as markdown: results, ratios, targets, the profile's phases and functions, notes."""
    m = report["machine"]
    lines = [f"# Scale benchmark ({report['mode']} run, {report['created']})", "",
             f"`python -m benchmarks scale{' --quick' if report['mode'] == 'quick' else ''}"
             f"{' --full' if report['mode'] == 'full' else ''}` on {m.get('cpu_model') or m.get('machine')} "
             f"({m.get('cpu_count')} CPUs, {m.get('memory_gb')} GB), Python {m.get('python')}, numpy {m.get('numpy')}, "
             f"pyarrow {m.get('pyarrow')}; load average at start {report['settings']['load_average_at_start']}; "
             f"{report['seconds_total']:,} s in all. Each line is a process of its own; seconds are the work "
             f"(synthframe: generate + write, fit excluded), wall the whole process; peak RSS is the process's "
             f"ru_maxrss. Medians of the repeats shown.", "",
             "| | what | tool | rows | repeats | seconds | wall s | rows/s | MB/s written | peak RSS MB |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["results"].values():
        rate = _num(r.get("rows_per_s"))
        if r.get("values_per_s"):
            rate += f" ({_num(r['values_per_s'])} values/s)"
        lines.append(f"| ({r['workload']}) | {r['what']} | {r['tool']} | {r['rows']:,} | {r['repeat']} | "
                     f"{_num(r['seconds'])} | {_num(r['wall_seconds'])} | {rate} | {_num(r.get('mb_per_s'))} | "
                     f"{_num(r['peak_rss_mb'])} |")
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {r['name']} | {r['value']:,.3g}× |" for r in report["ratios"]]
    if report["targets"]:
        lines += ["", "| target | measured | met |", "|---|---:|---:|"]
        lines += [f"| {t['target']} | {_num(t['measured'])} | {'yes' if t['met'] else 'no'} |"
                  for t in report["targets"]]
    profile = report.get("profile")
    if profile:
        lines += ["", f"## Profile: synthframe TPC-H ({profile['rows']:,} rows) on one thread, {profile['profiler']}",
                  "", f"{profile['seconds']:.1f} s under the profiler (fit {profile['fit_seconds']:.1f} s apart); "
                  f"full call tree in `{profile['text_file']}`.", "", "| phase | seconds | share |", "|---|---:|---:|"]
        lines += [f"| {k} | {v['seconds']:.2f} | {v['share']:.1%} |" for k, v in profile["phases"].items()]
        lines += ["", "| table | seconds | share |", "|---|---:|---:|"]
        lines += [f"| {k} | {v['seconds']:.2f} | {v['share']:.1%} |" for k, v in profile["tables"].items()]
        lines += ["", "| column (generation) | seconds | share |", "|---|---:|---:|"]
        lines += [f"| {c['column']} | {c['seconds']:.2f} | {c['share']:.1%} |" for c in profile["columns"][:15]]
        lines += ["", "| function (self time) | seconds | share |", "|---|---:|---:|"]
        lines += [f"| `{f['function']}` | {f['seconds']:.2f} | {f['share']:.1%} |"
                  for f in profile["functions_self"][:20]]
    if report["notes"]:
        lines += ["", *[f"- {note}" for note in report["notes"]]]
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks scale``."""
    p = argparse.ArgumentParser(prog="python -m benchmarks scale",
                                description="synthframe at scale against tpchgen-cli, DuckDB and the per-row loop; "
                                            "writes scale.json and scale.md.")
    p.add_argument("--quick", action="store_true", help="every measurement at small sizes (under 2 minutes)")
    p.add_argument("--full", action="store_true", help="also stream 3 * 10**8 narrow rows to Parquet")
    p.add_argument("--repeat", type=int, default=None,
                   help=f"runs of each measurement of at most {REPEATED:,} rows (default 3; --quick 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of every synthframe run (default 0)")
    p.add_argument("--tpch", type=Path, default=DEFAULT_TPCH, help="folder of the TPC-H sample (schema.json + "
                   "Parquet; default ../shared/data/tpch_sf001 next to the repository)")
    p.add_argument("--out-dir", type=Path, default=RESULTS_DIR,
                   help="where scale.json, scale.md and scale_profile.txt go (default benchmarks/results)")
    p.add_argument("--scratch", type=Path, default=None, help="folder for the data written (default: the temp dir)")
    p.add_argument("--no-profile", dest="profile", action="store_false", default=None,
                   help="skip the one-thread profile of the TPC-H run (--quick skips it unless --profile)")
    p.add_argument("--profile", dest="profile", action="store_true", help="profile the TPC-H run on one thread")
    p.add_argument("--sdv-python", default=None, help="a Python with SDV installed (its own environment), for "
                   "SDV's sampler in (e); default: this Python when SDV is importable")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks scale``: run, write ``scale.json`` and ``scale.md``, print the markdown."""
    args = parser().parse_args(argv)
    if args.worker is not None:
        return worker_main(args.worker)
    if args.quick and args.full:
        parser().error("--quick and --full exclude each other")
    if args.profile is None:
        args.profile = not args.quick
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = run(args)
    text = markdown(report)
    (out_dir / "scale.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out_dir / "scale.md").write_text(text, encoding="utf-8")
    print(text)
    print(f"results written to {out_dir / 'scale.json'} and {out_dir / 'scale.md'}", file=sys.stderr)
    return 0
