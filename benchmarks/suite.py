"""The benchmark run behind ``python -m benchmarks``: synthframe against the naive per-row loop.

One run measures, on the bundled ecommerce example fitted from its sample rows:

- the customers table alone, generated in memory (``generate_rows``), and its first call,
  which also builds the column's text pools;
- the whole example at ``--rows`` total rows (counts in the proportions of the example's
  own request), in memory (``Model.sample``) and written to Parquet (``Model.write``);
- the naive per-row Faker loop (:mod:`benchmarks.naive`) on the same tables at
  ``--naive-rows`` rows — rows/s do not depend on the size for a per-row loop, so the
  ratio of rows/s is fair;
- the whole example at ``--customers`` customers (other tables follow their parents), through
  ``Model.sample``: *cold* (the first call in a fresh process, :mod:`benchmarks.headline` run in a
  subprocess) and *warm* (in this process, after a first call), against the naive loop on the same
  mix of tables;
- the cost of reading a parent column at child rows (``Run.parent_column``) for a parent small
  enough to be kept (``SMALL_PARENT_ROWS``) and a large one, and of ``ChildLayout.parent_of`` alone;
- fit time of the example and of the TPC-H sample (when its folder exists), generation
  of TPC-H at ``--tpch-scale`` times its size and ``synthframe.validate`` on the result;
- with ``--compare DIR``: the two headline measurements (ecommerce at ``--customers``, TPC-H at
  ``--tpch-scale``), cold and warm, on this checkout and on the checkout at ``DIR`` (an older version
  of the code), each in fresh processes, alternating, so both sides come from one run.

Every timing is the median of ``--repeat`` runs; peak memory is measured as described in
:mod:`benchmarks.memory`. A markdown table goes to stdout, everything to a JSON file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

import synthframe as sf
from synthframe.examples import RECORD_COUNTS, example_samples_dir, example_schema_path, load_example_request
from synthframe.generate import SMALL_PARENT_ROWS, Run, generate_rows, resolve_rows

from . import headline, memory
from .naive import naive_generate, naive_rows_per_second

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_OUT = BENCH_DIR / "results" / "latest.json"
DEFAULT_TPCH = REPO_ROOT.parent / "shared" / "data" / "tpch_sf001"
"""The TPC-H sample (scale factor 0.01), next to the repository: ``../shared/data/tpch_sf001``."""

HEADLINE_SCRIPT = BENCH_DIR / "headline.py"
"""Run in a subprocess for the cold measurements and for ``--compare``."""
PARENT_COLUMN = ("customers", "signup_date")
"""The parent column whose read at child rows is timed (``Run.parent_column``)."""

DEFAULTS = {"rows": 10**6, "repeat": 3, "naive_rows": 5000, "tpch_scale": 10.0, "customers": 10**6,
            "parent_rows": 10**6, "large_parent_rows": 10**6, "parent_of_rows": 1 << 18}
QUICK = {"rows": 20_000, "repeat": 1, "naive_rows": 300, "tpch_scale": 1.0, "customers": 5_000,
         "parent_rows": 20_000, "large_parent_rows": 2 * SMALL_PARENT_ROWS, "parent_of_rows": 1 << 14}
"""Sizes of ``--quick``: a smoke run of a few seconds that exercises every measurement."""

TARGETS = {
    "customers_rows_per_s": 1_000_000,
    "customers_ratio_vs_naive": 200,
    "ecommerce_rows_per_s": 3_000_000,
    "ecommerce_ratio_vs_naive": 900,
    "tpch_fit_seconds": 10.0,
}
"""Figures the run is compared against (reported, never asserted)."""


# -- measuring ----------------------------------------------------------------------------

@dataclass
class Result:
    """One line of the table: what was measured, on how many rows, and its repeated timings."""

    what: str
    rows: int
    seconds_all: list[float]
    peak_mb_all: list[float] = field(default_factory=list)
    baseline: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    ratio_vs_naive: float | None = None

    @property
    def seconds(self) -> float:
        return float(statistics.median(self.seconds_all))

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")

    @property
    def peak_mb(self) -> float | None:
        return float(statistics.median(self.peak_mb_all)) if self.peak_mb_all else None

    def to_dict(self) -> dict[str, Any]:
        return {"what": self.what, "rows": self.rows, "seconds": self.seconds, "rows_per_s": self.rows_per_s,
                "peak_mb": self.peak_mb, "ratio_vs_naive": self.ratio_vs_naive, "baseline": self.baseline,
                "seconds_all": self.seconds_all, "peak_mb_all": self.peak_mb_all, **self.extra}


def timed(fn: Callable[[], Any], repeat: int, *, after: Callable[[Any], None] | None = None,
          ) -> tuple[list[float], list[float]]:
    """Run ``fn`` ``repeat`` times; wall seconds and peak RSS growth (MiB) of each run.

    ``after`` receives each run's result outside the timed section (to inspect or clean up);
    the result is then dropped and garbage collected, so runs do not inherit each other's memory.
    """
    seconds: list[float] = []
    peaks: list[float] = []
    for _ in range(repeat):
        memory.settle()
        with memory.PeakRSS() as mem:
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
        seconds.append(elapsed)
        peaks.append(mem.peak_mb)
        if after is not None:
            after(result)
        del result
    memory.settle()
    return seconds, peaks


def counts_in_proportion(total: int, proportions: Mapping[str, int]) -> dict[str, int]:
    """Row counts with the ratios of ``proportions`` summing exactly to ``total`` (largest remainder).

    Every table gets at least one row, so ``total`` must be at least the number of tables.
    """
    if total < len(proportions):
        raise ValueError(f"total must be at least {len(proportions)} (one row per table); got {total}.")
    weights = np.asarray(list(proportions.values()), dtype=np.float64)
    exact = (total - len(weights)) * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = (total - len(weights)) - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return {name: int(c) + 1 for name, c in zip(proportions, counts)}


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- the runs -----------------------------------------------------------------------------

def _example_results(rows: int, naive_rows: int, repeat: int, seed: int, notes: list[str],
                     ) -> tuple[dict[str, Result], dict[str, dict[str, int]]]:
    """Example fit, customers alone, the whole example in memory and to Parquet, and the naive loop."""
    results: dict[str, Result] = {}
    schema = sf.Schema.from_json(example_schema_path())
    samples = sf.read_samples(example_samples_dir(), schema)
    sample_rows = sum(len(df) for df in samples.values())

    secs, peaks = timed(lambda: sf.fit(schema, samples), repeat)
    results["example_fit"] = Result("fit: ecommerce example (sample rows)", sample_rows, secs, peaks)
    model = sf.fit(schema, samples)

    # The customers table alone, in memory. The first call also builds the text pools
    # (Faker values made once per column and cached); it is reported on its own line.
    customer_counts = resolve_rows(model, {"customers": rows})

    def customers() -> pd.DataFrame:
        return generate_rows(model, "customers", range(rows), seed, run=Run(model, customer_counts, seed))

    secs, peaks = timed(customers, 1)
    results["customers_first_call"] = Result("synthframe: customers, in memory, first call (builds text pools)",
                                             rows, secs, peaks)
    secs, peaks = timed(customers, repeat)
    results["customers_memory"] = Result("synthframe: customers, in memory", rows, secs, peaks,
                                         baseline="naive_customers")

    # The whole example at `rows` total rows, in the proportions of the example's request.
    counts = counts_in_proportion(rows, RECORD_COUNTS["ecommerce"])
    total = sum(counts.values())
    try:
        Run(model, resolve_rows(model, counts), seed)  # capacity checks, before any row is made
    except sf.SynthframeError as exc:
        notes.append(f"Whole example skipped at {total:,} rows: {exc}")
    else:
        secs, peaks = timed(lambda: model.sample(counts, seed=seed), repeat)
        results["example_memory"] = Result("synthframe: whole example, in memory", total, secs, peaks,
                                           baseline="naive_example", extra={"counts": counts})
        results["example_parquet"] = _parquet_result(model, counts, repeat, seed)

    # The naive per-row loop on the same tables, at its own (small) size.
    raw_schema = load_example_request("ecommerce")["schema"]
    naive_secs: list[float] = []
    naive_peaks: list[float] = []
    for _ in range(repeat):
        memory.settle()
        with memory.PeakRSS() as mem:
            rate = naive_rows_per_second(raw_schema, "customers", naive_rows, seed=seed)
        naive_secs.append(naive_rows / rate)
        naive_peaks.append(mem.peak_mb)
    results["naive_customers"] = Result("naive per-row loop: customers", naive_rows, naive_secs, naive_peaks)

    naive_counts = counts_in_proportion(naive_rows, RECORD_COUNTS["ecommerce"])
    secs, peaks = timed(lambda: naive_generate(raw_schema, naive_counts, seed=seed), repeat)
    results["naive_example"] = Result("naive per-row loop: whole example", sum(naive_counts.values()), secs, peaks,
                                      extra={"counts": naive_counts})
    notes.append(f"Example counts at {total:,} rows: {counts}; naive loop at {sum(naive_counts.values()):,} rows: "
                 f"{naive_counts}.")
    return results, {"example": counts, "naive_example": naive_counts}


def _parquet_result(model: sf.Model, counts: dict[str, int], repeat: int, seed: int) -> Result:
    """``Model.write`` of every table to Parquet in a temporary folder, emptied after each run."""
    written: list[int] = []
    with tempfile.TemporaryDirectory(prefix="synthframe-bench-") as tmp:
        runs = iter(range(repeat))

        def write() -> Path:
            out = Path(tmp) / f"run{next(runs)}"
            model.write(counts, out, format="parquet", seed=seed)
            return out

        def clean(out: Path) -> None:
            written.append(_dir_bytes(out))
            shutil.rmtree(out)

        secs, peaks = timed(write, repeat, after=clean)
    return Result("synthframe: whole example, written to Parquet", sum(counts.values()), secs, peaks,
                  baseline="naive_example", extra={"counts": counts, "parquet_mb": written[-1] / 2**20})


def fresh_process(root: Path, customers: int, *, warm: int = 0, seed: int = 0, tpch: Path | None = None,
                  tpch_scale: float = 1.0, timeout: float = 3600.0) -> dict[str, Any]:
    """:mod:`benchmarks.headline` in a new Python process that imports synthframe from the checkout ``root``.

    The process runs with ``cwd`` and ``PYTHONPATH`` set to ``root`` (and checks where synthframe came
    from), so another checkout is timed without being imported here. Its JSON result, or a RuntimeError
    with the end of its stderr.
    """
    root = Path(root).resolve()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    cmd = [sys.executable, str(HEADLINE_SCRIPT), "--customers", str(customers), "--warm", str(warm),
           "--seed", str(seed), "--expect", str(root)]
    if tpch is not None:
        cmd += ["--tpch", str(Path(tpch).resolve()), "--tpch-scale", repr(float(tpch_scale))]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    found = [line for line in proc.stdout.splitlines() if line.startswith(headline.RESULT_PREFIX)]
    if proc.returncode or not found:
        raise RuntimeError(f"{HEADLINE_SCRIPT.name} on {root} failed (exit {proc.returncode}): "
                           f"{proc.stderr.strip()[-2000:]}")
    return json.loads(found[-1][len(headline.RESULT_PREFIX):])


def _ecommerce_results(customers: int, naive_rows: int, repeat: int, seed: int, notes: list[str],
                       ) -> tuple[dict[str, Result], dict[str, dict[str, int]]]:
    """The whole example at ``customers`` customers through ``Model.sample``, cold (first call of a fresh
    process) and warm (this process, after an untimed first call), and the naive loop on the same mix."""
    schema = sf.Schema.from_json(example_schema_path())
    model = sf.fit(schema, sf.read_samples(example_samples_dir(), schema))
    request = {"customers": customers}
    counts = resolve_rows(model, request)
    total = sum(counts.values())
    label = f"ecommerce at {customers:,} customers (all tables), Model.sample"
    results: dict[str, Result] = {}

    cold = [fresh_process(REPO_ROOT, customers, seed=seed)["ecommerce"] for _ in range(repeat)]
    if any(c["rows"] != total for c in cold):
        notes.append(f"The fresh processes made {[c['rows'] for c in cold]} rows, not {total:,}.")
    results["ecommerce_cold"] = Result(
        f"synthframe: {label}, cold (first call in a fresh process)", total, [c["cold"]["seconds"] for c in cold],
        [c["cold"]["peak_mb"] for c in cold], baseline="naive_ecommerce",
        extra={"counts": counts, "fit_seconds_all": [c["fit_seconds"] for c in cold]})

    def sample() -> dict[str, pd.DataFrame]:
        return model.sample(request, seed=seed)

    warmup, _ = timed(sample, 1)  # untimed for the table: a first call at this size in this process
    secs, peaks = timed(sample, repeat)
    results["ecommerce_warm"] = Result(f"synthframe: {label}, warm (in process)", total, secs, peaks,
                                       baseline="naive_ecommerce",
                                       extra={"counts": counts, "warmup_seconds": warmup[0]})

    raw_schema = load_example_request("ecommerce")["schema"]
    naive_counts = counts_in_proportion(naive_rows, counts)
    secs, peaks = timed(lambda: naive_generate(raw_schema, naive_counts, seed=seed), repeat)
    results["naive_ecommerce"] = Result(f"naive per-row loop: ecommerce, tables in the proportions of "
                                        f"{customers:,} customers", sum(naive_counts.values()), secs, peaks,
                                        extra={"counts": naive_counts})
    notes.append(f"Ecommerce at {customers:,} customers: {counts} ({total:,} rows); naive loop on the same mix at "
                 f"{sum(naive_counts.values()):,} rows: {naive_counts}.")
    return results, {"ecommerce": counts, "naive_ecommerce": naive_counts}


def _parent_read_results(rows: int, large_parents: int, parent_of_rows: int, repeat: int, seed: int,
                         ) -> dict[str, Result]:
    """``Run.parent_column`` of customers.signup_date at the parents of ``rows`` orders rows (their layout's
    ``parent_of``), with a kept small parent and a large computed one; ``ChildLayout.parent_of`` alone."""
    schema = sf.Schema.from_json(example_schema_path())
    model = sf.fit(schema, sf.read_samples(example_samples_dir(), schema))
    table, column = PARENT_COLUMN
    results: dict[str, Result] = {}
    for name, n_parents in (("parent_column_small", SMALL_PARENT_ROWS), ("parent_column_large", large_parents)):
        run = Run(model, resolve_rows(model, {table: n_parents, "orders": rows}), seed)
        parents = run.layout("orders").parent_of(np.arange(rows, dtype=np.int64))[0]
        kept = n_parents <= SMALL_PARENT_ROWS
        before = run.stats["parent_rows"]
        first, _ = timed(lambda run=run, parents=parents: run.parent_column(table, column, parents), 1)
        computed_first = run.stats["parent_rows"] - before
        secs, peaks = timed(lambda run=run, parents=parents: run.parent_column(table, column, parents), repeat)
        extra: dict[str, Any] = {
            "parent_table_rows": n_parents, "child_rows": rows, "kept": kept,
            "distinct_parents": int(np.unique(parents).size), "first_call_seconds": first[0],
            "parent_rows_computed_first_call": int(computed_first),
            "parent_rows_computed_per_call": int((run.stats["parent_rows"] - before - computed_first) // repeat)}
        if kept:
            how = "kept: computed once per run, then a take"
        else:
            how = "computed at the distinct parent rows on every call"
            # The steps of Run.parent_column, each timed on its own (medians of `repeat`).
            distinct, inverse = np.unique(parents, return_inverse=True)
            values = run.column(table, column, distinct)
            steps = {
                "np.unique(return_inverse)": timed(lambda p=parents: np.unique(p, return_inverse=True), repeat)[0],
                f"column at {len(distinct):,} distinct rows":
                    timed(lambda run=run, d=distinct: run.column(table, column, d), repeat)[0],
                "take at child rows": timed(lambda v=values, i=inverse: v.take(pa.array(i.astype(np.int64))),
                                            repeat)[0]}
            extra["steps_seconds"] = {step: float(statistics.median(secs)) for step, secs in steps.items()}
        results[name] = Result(f"Run.parent_column: {table}.{column} at {rows:,} orders rows, {n_parents:,} "
                               f"{table} ({how})", rows, secs, peaks, extra=extra)

    counts = resolve_rows(model, {table: large_parents})
    for child in ("orders", "order_items"):
        layout = Run(model, counts, seed).layout(child)
        n = min(parent_of_rows, counts[child])
        batch = np.arange(n, dtype=np.int64)
        first, _ = timed(lambda layout=layout, batch=batch: layout.parent_of(batch), 1)
        secs, peaks = timed(lambda layout=layout, batch=batch: layout.parent_of(batch), repeat)
        kind = "interleaved" if layout.interleave else "not interleaved"
        results[f"parent_of_{child}"] = Result(
            f"ChildLayout.parent_of: {child} ({kind}), rows [0, {n:,}) of {counts[child]:,}, level-2 blocks cached",
            n, secs, peaks, extra={"first_call_seconds": first[0], "table_rows": counts[child],
                                   "parent_rows": layout.n_parents, "interleave": layout.interleave})
    return results


def _tpch_results(path: Path, scale: float, repeat: int, seed: int, notes: list[str]) -> dict[str, Result]:
    """Fit of the TPC-H sample, generation at ``scale`` times its size, and validation of that output."""
    schema_path = path / "schema.json"
    if not schema_path.is_file():
        notes.append(f"TPC-H skipped: no sample at {path} (expected schema.json and one Parquet file per table).")
        return {}
    results: dict[str, Result] = {}
    schema = sf.Schema.from_json(schema_path)
    start = time.perf_counter()
    samples = sf.read_samples(path, schema)
    read_seconds = time.perf_counter() - start
    sample_rows = sum(len(df) for df in samples.values())
    secs, peaks = timed(lambda: sf.fit(schema, samples), repeat)
    results["tpch_fit"] = Result("fit: TPC-H sample SF 0.01 (sample rows)", sample_rows, secs, peaks,
                                 extra={"read_samples_seconds": read_seconds})
    model = sf.fit(schema, samples)

    counts = resolve_rows(model, scale=scale)
    secs, peaks = timed(lambda: model.sample(scale=scale, seed=seed), repeat)
    results["tpch_sample"] = Result(f"synthframe: TPC-H x{scale:g}, in memory", sum(counts.values()), secs, peaks,
                                    extra={"scale": scale, "counts": counts})

    data = model.sample(scale=scale, seed=seed)
    problems: list[int] = []
    secs, peaks = timed(lambda: sf.validate(data, schema), repeat, after=lambda report: problems.append(len(report)))
    results["tpch_validate"] = Result(f"validate: TPC-H x{scale:g}", sum(len(df) for df in data.values()), secs,
                                      peaks, extra={"problems": problems[-1]})
    if problems[-1]:
        notes.append(f"validate found {problems[-1]} problem(s) in the generated TPC-H tables.")
    return results


COMPARE_WORKLOADS = {"ecommerce": "naive_ecommerce", "tpch": None}
"""The headline workloads of ``--compare`` and the naive line each is compared with (None: no naive loop)."""


def compare_checkouts(base: Path, customers: int, tpch: Path | None, tpch_scale: float, repeat: int, seed: int,
                      ) -> dict[str, Any]:
    """The headline measurements on this checkout ("current") and on the checkout at ``base``.

    ``repeat`` rounds; each round runs :mod:`benchmarks.headline` once per checkout, in a fresh process each,
    alternating which goes first, with one cold and one warm ``Model.sample`` of each workload. Medians per
    checkout; ``speedup`` = current rows/s ÷ base rows/s.
    """
    roots = {"current": REPO_ROOT, "base": Path(base).resolve()}
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in roots}
    for i in range(repeat):
        for side in (("current", "base") if i % 2 == 0 else ("base", "current")):
            runs[side].append(fresh_process(roots[side], customers, warm=1, seed=seed, tpch=tpch,
                                            tpch_scale=tpch_scale))
    out: dict[str, Any] = {"rounds": repeat, "method": "each round: one fresh process per checkout (order "
                           "alternating), one cold then one warm Model.sample per workload; medians over rounds"}
    for side, side_runs in runs.items():
        entry: dict[str, Any] = {"path": str(roots[side]), "git_commit": _git_commit(roots[side]),
                                 "git_modified": _git_modified(roots[side]),
                                 "synthframe_file": side_runs[0]["synthframe_file"]}
        for workload in COMPARE_WORKLOADS:
            if workload not in side_runs[0]:
                continue
            parts = [r[workload] for r in side_runs]
            rows = parts[0]["rows"]
            cold = [p["cold"]["seconds"] for p in parts]
            warm = [w["seconds"] for p in parts for w in p["warm"]]
            entry[workload] = {
                "rows": rows, "counts": parts[0]["counts"],
                "cold_seconds": statistics.median(cold), "warm_seconds": statistics.median(warm),
                "cold_rows_per_s": rows / statistics.median(cold), "warm_rows_per_s": rows / statistics.median(warm),
                "cold_peak_mb": statistics.median(p["cold"]["peak_mb"] for p in parts),
                "warm_peak_mb": statistics.median(w["peak_mb"] for p in parts for w in p["warm"]),
                "fit_seconds": statistics.median(p["fit_seconds"] for p in parts),
                "cold_seconds_all": cold, "warm_seconds_all": warm}
        out[side] = entry
    out["speedup"] = {f"{workload}_{kind}": out["current"][workload][f"{kind}_rows_per_s"]
                      / out["base"][workload][f"{kind}_rows_per_s"]
                      for workload in COMPARE_WORKLOADS if workload in out["current"] and workload in out["base"]
                      for kind in ("cold", "warm")}
    return out


def compare_table(compare: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]]) -> str:
    """``--compare`` results as a markdown table: base ("old") and current ("new") side by side."""
    lines = ["| workload | rows (old / new) | old s | new s | old rows/s | new rows/s | new ÷ old | old vs naive "
             "| new vs naive |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    names = {"ecommerce": "ecommerce, Model.sample({'customers': N})", "tpch": "TPC-H, Model.sample(scale=S)"}
    for workload, naive in COMPARE_WORKLOADS.items():
        if workload not in compare.get("current", {}) or workload not in compare.get("base", {}):
            continue
        old, new = compare["base"][workload], compare["current"][workload]
        naive_rate = results[naive]["rows_per_s"] if naive in results else None
        for kind in ("cold", "warm"):
            o, n = old[f"{kind}_rows_per_s"], new[f"{kind}_rows_per_s"]
            vs = ("—", "—") if naive_rate is None else (f"{o / naive_rate:,.0f}×", f"{n / naive_rate:,.0f}×")
            lines.append(f"| {names[workload]}, {kind} | {old['rows']:,} / {new['rows']:,} "
                         f"| {old[f'{kind}_seconds']:.4g} | {new[f'{kind}_seconds']:.4g} | {o:,.0f} | {n:,.0f} "
                         f"| {n / o:.2f}× | {vs[0]} | {vs[1]} |")
    return "\n".join(lines)


def _ratios(results: Mapping[str, Result]) -> None:
    for result in results.values():
        if result.baseline in results:
            result.ratio_vs_naive = result.rows_per_s / results[result.baseline].rows_per_s


def _targets(results: Mapping[str, Result]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "customers_memory" in results:
        customers = results["customers_memory"]
        goal = TARGETS["customers_rows_per_s"]
        out.append({"target": f"customers in memory >= {goal:,} rows/s", "measured": customers.rows_per_s,
                    "met": customers.rows_per_s >= goal})
        goal = TARGETS["customers_ratio_vs_naive"]
        if customers.ratio_vs_naive is not None:
            out.append({"target": f"customers >= {goal}x the naive loop", "measured": customers.ratio_vs_naive,
                        "met": customers.ratio_vs_naive >= goal})
    if "ecommerce_warm" in results:
        warm = results["ecommerce_warm"]
        customers = warm.extra["counts"]["customers"]
        goal = TARGETS["ecommerce_rows_per_s"]
        out.append({"target": f"ecommerce at {customers:,} customers, warm, >= {goal:,} rows/s over all tables",
                    "measured": warm.rows_per_s, "met": warm.rows_per_s >= goal})
        goal = TARGETS["ecommerce_ratio_vs_naive"]
        if warm.ratio_vs_naive is not None:
            out.append({"target": f"ecommerce at {customers:,} customers, warm, >= {goal}x the naive loop",
                        "measured": warm.ratio_vs_naive, "met": warm.ratio_vs_naive >= goal})
    if "tpch_fit" in results:
        goal = TARGETS["tpch_fit_seconds"]
        out.append({"target": f"TPC-H fit < {goal:g} s", "measured": results["tpch_fit"].seconds,
                    "met": results["tpch_fit"].seconds < goal})
    return out


# -- reporting ----------------------------------------------------------------------------

ORDER = ("customers_memory", "customers_first_call", "naive_customers", "example_memory", "example_parquet",
         "naive_example", "ecommerce_warm", "ecommerce_cold", "naive_ecommerce", "parent_column_small",
         "parent_column_large", "parent_of_orders", "parent_of_order_items", "example_fit", "tpch_fit",
         "tpch_sample", "tpch_validate")


def markdown_table(results: Mapping[str, Mapping[str, Any]]) -> str:
    """The results (as in the JSON file) as a markdown table, one line per measurement."""
    lines = ["| what | rows | seconds (median) | rows/s | peak MB | vs naive |",
             "|---|---:|---:|---:|---:|---:|"]
    names = [n for n in ORDER if n in results] + [n for n in results if n not in ORDER]
    for name in names:
        r = results[name]
        peak = "—" if r.get("peak_mb") is None else f"{r['peak_mb']:,.1f}"
        ratio = "—" if r.get("ratio_vs_naive") is None else f"{r['ratio_vs_naive']:,.0f}×"
        lines.append(f"| {r['what']} | {r['rows']:,} | {r['seconds']:.4g} | {r['rows_per_s']:,.0f} | {peak} "
                     f"| {ratio} |")
    return "\n".join(lines)


def machine_info() -> dict[str, Any]:
    """CPU, memory, OS and library versions of the machine the run is on."""
    import faker
    import pyarrow
    import scipy

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "scipy": scipy.__version__,
        "faker": faker.VERSION,
        "synthframe": sf.__version__,
        "git_commit": _git_commit(),
        "git_modified": _git_modified(),
        "load_average": _load_average(),
    }
    return info


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _git_modified(root: Path = REPO_ROOT) -> list[str] | None:
    """Files of the checkout that differ from its commit (``git status --porcelain``): what was timed is the
    working tree, not only the commit."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return [line[3:] for line in out.stdout.splitlines() if line.strip()] if out.returncode == 0 else None


def _load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (other work on a shared machine slows every figure)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _git_commit(root: Path = REPO_ROOT) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


# -- entry point --------------------------------------------------------------------------

def _whole_number(text: str, minimum: int = 1) -> int:
    """An integer from ``1000000``, ``1_000_000``, ``10**6`` or ``1e6``; at least ``minimum``."""
    try:
        if "**" in text:
            base, exp = text.split("**", 1)
            value = int(base) ** int(exp)
        else:
            number = float(text) if any(c in text for c in ".eE") else int(text)
            if isinstance(number, float) and not number.is_integer():
                raise ValueError(text)
            value = int(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number such as 1000000, 1e6 or 10**6; got {text!r}"
                                         ) from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}; got {text!r}")
    return value


def _row_count(text: str) -> int:
    """A row count for the whole example: at least one row per table."""
    return _whole_number(text, len(RECORD_COUNTS["ecommerce"]))


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive; got {text!r}")
    return value


def _checkout(text: str) -> Path:
    """A folder holding a synthframe checkout (``synthframe/__init__.py``)."""
    path = Path(text).expanduser().resolve()
    if not (path / "synthframe" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a synthframe checkout (no synthframe/__init__.py in it)")
    return path


def parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks``."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time synthframe on the bundled ecommerce example (and the TPC-H sample when present) "
                    "against the naive per-row Faker loop; print a markdown table and write JSON results.")
    p.add_argument("--rows", type=_row_count, default=None,
                   help=f"total rows of the whole example, and rows of the customers-alone run "
                        f"(default {DEFAULTS['rows']:,}; --quick: {QUICK['rows']:,})")
    p.add_argument("--repeat", type=_whole_number, default=None,
                   help=f"runs per measurement; medians are reported (default {DEFAULTS['repeat']})")
    p.add_argument("--naive-rows", type=_row_count, default=None,
                   help=f"rows for the naive per-row loop (default {DEFAULTS['naive_rows']:,})")
    p.add_argument("--customers", type=_whole_number, default=None,
                   help=f"customers of the ecommerce run through Model.sample, cold and warm; the other tables "
                        f"follow their parents (default {DEFAULTS['customers']:,}; --quick: {QUICK['customers']:,})")
    p.add_argument("--parent-rows", type=_whole_number, default=None,
                   help=f"child rows whose parent column is read (default {DEFAULTS['parent_rows']:,})")
    p.add_argument("--compare", type=_checkout, default=None, metavar="DIR",
                   help="also time the headline workloads (ecommerce at --customers, TPC-H at --tpch-scale) on the "
                        "synthframe checkout in DIR (e.g. an older version), in fresh processes with cwd and "
                        "PYTHONPATH set to DIR, alternating with this checkout")
    p.add_argument("--tpch", type=Path, default=DEFAULT_TPCH,
                   help="folder of the TPC-H sample (schema.json + Parquet); skipped with a note when absent "
                        "(default: ../shared/data/tpch_sf001 next to the repository)")
    p.add_argument("--tpch-scale", type=_positive_float, default=None,
                   help=f"generate TPC-H at this multiple of its sample size (default {DEFAULTS['tpch_scale']:g})")
    p.add_argument("--seed", type=int, default=0, help="seed of every generation run (default 0)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help="where to write the JSON results (default benchmarks/results/latest.json)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run of a few seconds: small sizes, one repeat, TPC-H at x1")
    return p


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run every measurement the arguments ask for; the JSON-ready results."""
    sizes = QUICK if args.quick else DEFAULTS
    rows = args.rows or sizes["rows"]
    repeat = args.repeat or sizes["repeat"]
    naive_rows = args.naive_rows or sizes["naive_rows"]
    tpch_scale = args.tpch_scale or sizes["tpch_scale"]
    customers = args.customers or sizes["customers"]
    parent_rows = args.parent_rows or sizes["parent_rows"]
    notes: list[str] = []
    started = dt.datetime.now(dt.timezone.utc)
    load_at_start = _load_average()

    results, counts = _example_results(rows, naive_rows, repeat, args.seed, notes)
    ecommerce, ecommerce_counts = _ecommerce_results(customers, naive_rows, repeat, args.seed, notes)
    results.update(ecommerce)
    counts.update(ecommerce_counts)
    results.update(_parent_read_results(parent_rows, sizes["large_parent_rows"], sizes["parent_of_rows"], repeat,
                                        args.seed))
    tpch = Path(args.tpch)
    results.update(_tpch_results(tpch, tpch_scale, repeat, args.seed, notes))
    _ratios(results)
    if "tpch_sample" in results:
        counts["tpch"] = results["tpch_sample"].extra["counts"]
    compare = None
    if args.compare is not None:
        try:
            compare = compare_checkouts(args.compare, customers, tpch if (tpch / "schema.json").is_file() else None,
                                        tpch_scale, repeat, args.seed)
        except (RuntimeError, subprocess.SubprocessError) as exc:
            notes.append(f"Comparison with {args.compare} failed: {exc}")
    report = {
        "created": started.isoformat(timespec="seconds"),
        "seconds_total": round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 3),
        "machine": machine_info(),
        "settings": {"rows": rows, "repeat": repeat, "naive_rows": naive_rows, "tpch": str(args.tpch),
                     "tpch_scale": tpch_scale, "seed": args.seed, "quick": bool(args.quick), "customers": customers,
                     "parent_rows": parent_rows, "large_parent_rows": sizes["large_parent_rows"],
                     "small_parent_rows": SMALL_PARENT_ROWS, "parent_of_rows": sizes["parent_of_rows"],
                     "compare": None if args.compare is None else str(args.compare),
                     "load_average_at_start": load_at_start},
        "memory_method": memory.METHOD_DESCRIPTION,
        "counts": counts,
        "results": {name: r.to_dict() for name, r in results.items()},
        "targets": _targets(results),
        "notes": notes,
    }
    if compare is not None:
        report["compare"] = compare
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks``: run, print the table and the target comparison, write the JSON file."""
    args = parser().parse_args(argv)
    report = run(args)
    machine = report["machine"]
    print(f"synthframe {machine['synthframe']} on {machine['cpu_model'] or machine['machine']} "
          f"({machine['cpu_count']} CPUs), Python {machine['python']}, numpy {machine['numpy']}, "
          f"pandas {machine['pandas']}, pyarrow {machine['pyarrow']}; median of "
          f"{report['settings']['repeat']} run(s)\n")
    print(markdown_table(report["results"]))
    print()
    if "compare" in report:
        compare = report["compare"]
        print(f"Side by side, fresh processes, median of {compare['rounds']} round(s): old = "
              f"{compare['base']['path']} ({(compare['base']['git_commit'] or '?')[:10]}), new = this checkout "
              f"({(compare['current']['git_commit'] or '?')[:10]})\n")
        print(compare_table(compare, report["results"]))
        print()
    for target in report["targets"]:
        print(f"- target {target['target']}: measured {target['measured']:,.3g} — "
              f"{'met' if target['met'] else 'MISSED'}")
    print(f"- peak MB: {report['memory_method']}")
    for note in report["notes"]:
        print(f"- {note}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {out}", file=sys.stderr)
    return 0
