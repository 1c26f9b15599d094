"""Random small schemas and samples through the whole pipeline.

fit -> save/load -> sample -> validate -> write -> read back, with 1-3 tables, foreign keys, every column type,
hints, row counts and the four file formats. Only a SynthframeError may escape; a run that succeeds validates,
has exactly the rows asked for, and reads back equal to what was written. The default run is small; the
``fuzz`` marker runs many more examples (``pytest -m fuzz``): ``SYNTHFRAME_FUZZ_EXAMPLES`` of them (400 unless set),
each one timed, every failure collected rather than stopping at the first, and a summary written as JSON to
``SYNTHFRAME_FUZZ_REPORT`` when set. See docs/fuzzing.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthframe as sf
from synthframe.errors import SynthframeError

TYPES = ("integer", "float", "boolean", "string", "category", "date", "datetime", "uuid")
STRAYS = ("abc", "NA", "", "-", "2024-01-01", "12", "3.5", "x1", "true", "\u00e9t\u00e9", " 7 ")
"""Values of other types written into a column now and then (a one-row column of one of them, too)."""
FORMATS = ("csv", "json", "jsonl", "parquet")


def _value(draw: st.DrawFn, ctype: str, i: int) -> Any:
    """One sample value of ``ctype`` (row ``i``), JSON-native."""
    if ctype == "integer":
        return draw(st.integers(-10**6, 10**6))
    if ctype == "float":
        return draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
    if ctype == "boolean":
        return draw(st.booleans())
    if ctype == "string":
        return draw(st.one_of(st.text(min_size=1, max_size=12),
                              st.sampled_from(["alpha", "beta", "a@b.com", "Main St 4", "X-001"])))
    if ctype == "category":
        return draw(st.sampled_from(["red", "green", "blue"]))
    if ctype == "date":
        return (dt.date(2000, 1, 1) + dt.timedelta(days=draw(st.integers(0, 9000)))).isoformat()
    if ctype == "datetime":
        return (dt.datetime(2000, 1, 1) + dt.timedelta(seconds=draw(st.integers(0, 10**9)))).isoformat()
    return f"{draw(st.integers(0, 2**128 - 1)):032x}"


def _hints(draw: st.DrawFn, ctype: str) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    if draw(st.booleans()):
        hints["nullable"] = True
    if ctype in ("integer", "float") and draw(st.booleans()):
        hints.update(min=-10**6, max=10**6)
    if ctype == "string" and draw(st.integers(0, 3)) == 0:
        hints["pattern"] = "AB-###"
    return hints


@st.composite
def datasets(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[str, int]]:
    """A schema (1-3 tables, integer keys, each table after the first may point to an earlier one), its samples
    (nulls only in nullable columns, foreign keys drawn from the parent's keys, now and then a stray value of
    another type) and row counts."""
    n_tables = draw(st.integers(1, 3))
    tables: dict[str, Any] = {}
    samples: dict[str, list[dict[str, Any]]] = {}
    for t in range(n_tables):
        name = f"t{t}"
        rows = draw(st.integers(1, 12))
        columns: dict[str, Any] = {"id": "integer"}
        records = [{"id": i + 1} for i in range(rows)]
        for c in range(draw(st.integers(1, 4))):
            ctype = draw(st.sampled_from(TYPES))
            hints = _hints(draw, ctype)
            cname = f"c{c}"
            columns[cname] = {"type": ctype, **hints} if hints else ctype
            for i, record in enumerate(records):
                null = hints.get("nullable") and draw(st.integers(0, 4)) == 0
                record[cname] = None if null else _value(draw, ctype, i)
            if "pattern" in hints:
                for i, record in enumerate(records):
                    if record[cname] is not None:
                        record[cname] = f"AB-{i:03d}"
            if draw(st.integers(0, 24)) == 0:  # now and then a value of another type: a stray among the column's
                records[draw(st.integers(0, rows - 1))][cname] = draw(st.sampled_from(STRAYS))
        spec: dict[str, Any] = {"primary_key": "id", "columns": columns}
        if t and draw(st.booleans()):
            parent = f"t{draw(st.integers(0, t - 1))}"
            columns["parent_id"] = "integer"
            parent_ids = [r["id"] for r in samples[parent]]
            for record in records:
                record["parent_id"] = draw(st.sampled_from(parent_ids))
            spec["foreign_keys"] = {"parent_id": f"{parent}.id"}
        tables[name] = spec
        samples[name] = records
    counts = {t: draw(st.integers(0, 40)) for t in tables if draw(st.booleans())}
    return {"tables": tables}, samples, counts


def _write_samples(folder: Path, samples: dict[str, list[dict[str, Any]]], fmt: str) -> None:
    folder.mkdir(parents=True)
    for table, records in samples.items():
        frame = pd.DataFrame.from_records(records)
        path = folder / f"{table}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        elif fmt == "json":
            path.write_text(json.dumps(records), encoding="utf-8")
        elif fmt == "jsonl":
            path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        else:  # a Parquet column has one type: a column with a stray is written as text
            mixed = [c for c in frame.columns if len(set(frame[c].dropna().map(type))) > 1]
            frame[mixed] = frame[mixed].astype("string")
            frame.to_parquet(path, index=False)


def _run(tmp: Path, data: tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[str, int]], sample_fmt: str,
         out_fmt: str, seed: int) -> str:
    """One case; ``"refused:<error class>"`` when a SynthframeError stopped it, else ``"ok"`` (any other failure
    raises)."""
    spec, samples, counts = data
    try:
        schema = sf.Schema.from_dict(spec)
        _write_samples(tmp / "samples", samples, sample_fmt)
        model = sf.fit(schema, tmp / "samples")
        model = sf.Model.load(model.save(tmp / "model.json"))
        frames = model.sample(counts, seed=seed, workers=1)
        for table, n in counts.items():
            assert len(frames[table]) == n, (table, len(frames[table]), n)
        report = sf.validate(frames, schema)
        assert report.empty, report.to_string()
        written = model.write(counts, tmp / "out", format=out_fmt, seed=seed, workers=1)
    except SynthframeError as exc:
        return f"refused:{type(exc).__name__}:{str(exc)[:300]}"
    assert set(written) == set(frames)
    # read back as samples are read (a table written with no rows is a file of no records, which read_samples
    # refuses as a sample table; it is checked to exist)
    filled = {t: p for t, p in written.items() if len(frames[t])}
    back = {t: f for p in filled.values() for t, f in sf.read_samples(p, schema).items()}
    assert all(p.exists() for p in written.values())
    for table, frame in frames.items():
        if table in filled:
            assert len(back[table]) == len(frame), table
    assert sf.validate({**back, **{t: frames[t] for t in frames if t not in filled}}, schema).empty
    again = {t: f for p in filled.values() for t, f in sf.read_samples(p, schema).items()}
    for table in back:  # reading is deterministic, and what was written is what a second run writes
        pd.testing.assert_frame_equal(back[table], again[table])
        _assert_same_values(frames[table], back[table], table)
    model.write(counts, tmp / "out2", format=out_fmt, seed=seed, workers=1)
    for table, path in written.items():
        assert path.read_bytes() == (tmp / "out2" / path.name).read_bytes() or out_fmt == "parquet", table
    return "ok"


def _assert_same_values(made: pd.DataFrame, read: pd.DataFrame, table: str) -> None:
    """What was written reads back as what was made: nulls in the same cells, numbers equal, text and times
    equal as text."""
    assert list(read.columns) == list(made.columns), table
    for column in made.columns:
        a, b = made[column], read[column]
        assert (a.isna().to_numpy() == b.isna().to_numpy()).all(), (table, column)
        a, b = a[a.notna()], b[b.notna()]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            assert (a.astype(float).to_numpy() == b.astype(float).to_numpy()).all(), (table, column)
        else:
            assert (a.astype(str).to_numpy() == b.astype(str).to_numpy()).all(), (table, column, a.head(3), b.head(3))


COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=30, derandomize=True, **COMMON)
@given(data=datasets(), sample_fmt=st.sampled_from(FORMATS), out_fmt=st.sampled_from(FORMATS),
       seed=st.integers(0, 2**31))
def test_pipeline_on_random_schemas(tmp_path_factory: pytest.TempPathFactory, data, sample_fmt: str, out_fmt: str,
                                   seed: int):
    _run(tmp_path_factory.mktemp("fuzz"), data, sample_fmt, out_fmt, seed)


LONG_EXAMPLES = int(os.environ.get("SYNTHFRAME_FUZZ_EXAMPLES", "400"))
"""Examples of the long run (``pytest -m fuzz``)."""
HANG_SECONDS = float(os.environ.get("SYNTHFRAME_FUZZ_HANG_SECONDS", "60"))
"""A case running longer than this is stopped and counted as a hang."""


class _Hang(Exception):
    """A case ran past HANG_SECONDS."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang(f"a case ran longer than {HANG_SECONDS:g} s")


def write_report(name: str, summary: dict[str, Any]) -> None:
    """Add ``summary`` under ``name`` to the JSON file named by ``SYNTHFRAME_FUZZ_REPORT`` (if set)."""
    target = os.environ.get("SYNTHFRAME_FUZZ_REPORT")
    if not target:
        return
    path = Path(target)
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    report[name] = {**summary, "date": dt.datetime.now().isoformat(timespec="seconds")}
    path.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")


PROGRESS_EVERY = 200
"""A long run adds its counts so far to the report (``"finished": false``) every this many cases."""


USUAL_REFUSALS = ("SampleError", "RowCountError", "SchemaError", "OutputError", "CapacityError")
"""Refusals the fuzzed inputs explain (bad samples, odd counts); any other SynthframeError (a ModelError of a
model the fit itself made) is kept in the report with its case."""


def _summary(tally: dict[str, Any]) -> dict[str, Any]:
    """The counts, the failures by kind (error class and message's start) and the first 200 with their inputs."""
    kinds: dict[str, int] = {}
    for failure in tally["failures"]:
        kinds[failure["error"][:100]] = kinds.get(failure["error"][:100], 0) + 1
    return {k: v for k, v in tally.items() if k != "failures"} | {
        "failures": len(tally["failures"]), "failure_kinds": kinds, "examples": tally["failures"][:200]}


def collect(strategy: st.SearchStrategy, run_one: Callable[[Path, Any], str], tmp: pytest.TempPathFactory,
            examples: int, name: str = "run") -> dict[str, Any]:
    """``examples`` cases of ``run_one(folder, case)`` (``"ok"``, ``"refused"`` or ``"refused:<kind>"``), each in
    a fresh folder, timed and stopped after HANG_SECONDS; every failure and hang is collected (with its case)
    instead of stopping the run. The counts so far are reported under ``name`` as the run goes."""
    tally: dict[str, Any] = {"cases": 0, "ok": 0, "refused": 0, "refused_by": {}, "failures": [], "hangs": 0,
                             "slowest_s": 0.0, "finished": False, "unusual_refusals": []}
    started = time.perf_counter()

    @settings(max_examples=examples, database=None, **COMMON)
    @given(case=strategy)
    def one(case: Any) -> None:
        tally["cases"] += 1
        begun = time.perf_counter()
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        folder = tmp.mktemp("fuzz")
        try:
            outcome, _, rest = run_one(folder, case).partition(":")
            kind, _, message = rest.partition(":")
            tally[outcome] += 1
            if kind:
                tally["refused_by"][kind] = tally["refused_by"].get(kind, 0) + 1
            if kind and kind not in USUAL_REFUSALS and len(tally["unusual_refusals"]) < 50:
                # refused, but by a kind of error the inputs alone do not explain: kept with its case
                tally["unusual_refusals"].append({"error": f"{kind}: {message}", "case": case})
        except Exception as exc:  # every failure is collected, then reported together
            tally["hangs"] += isinstance(exc, _Hang)
            tally["failures"].append({"error": f"{type(exc).__name__}: {str(exc)[:400]}", "case": case})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            shutil.rmtree(folder, ignore_errors=True)
            tally["slowest_s"] = max(tally["slowest_s"], round(time.perf_counter() - begun, 2))
            if tally["cases"] % PROGRESS_EVERY == 0:
                tally["seconds"] = round(time.perf_counter() - started)
                write_report(name, _summary(tally))

    one()
    tally["seconds"] = round(time.perf_counter() - started)
    tally["finished"] = True
    return tally


def report_long_run(name: str, tally: dict[str, Any]) -> None:
    """Write the run's summary (``write_report``) and fail when any case failed or hung."""
    write_report(name, _summary(tally))
    kinds = sorted({f["error"][:120] for f in tally["failures"]})
    assert not tally["failures"], f"{len(tally['failures'])} of {tally['cases']} cases failed: {kinds[:10]}"


@pytest.mark.fuzz
def test_pipeline_on_random_schemas_long(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """LONG_EXAMPLES random examples (400: minutes); only when asked for: ``pytest -m fuzz``."""
    if "fuzz" not in (request.config.getoption("markexpr") or "") or "not fuzz" in request.config.getoption("markexpr"):
        pytest.skip("the long fuzz run: select it with -m fuzz")
    cases = st.tuples(datasets(), st.sampled_from(FORMATS), st.sampled_from(FORMATS), st.integers(0, 2**31))
    report_long_run("library", collect(cases, lambda folder, case: _run(folder, *case), tmp_path_factory,
                                       LONG_EXAMPLES, "library"))


def test_a_date_offset_from_a_datetime_has_no_time_of_day():
    start = dt.datetime(2000, 1, 1, 1, 6, 40)
    records = [{"id": i + 1, "a": (start + dt.timedelta(seconds=481_000 * i)).isoformat(),
                "b": ((start + dt.timedelta(seconds=481_000 * i)).date() + dt.timedelta(days=1 + i % 3)).isoformat()}
               for i in range(12)]
    schema = {"tables": {"t": {"primary_key": "id", "columns": {"id": "integer", "a": "datetime", "b": "date"}}}}
    data = sf.fit(schema, {"t": records}).sample({"t": 200}, seed=1)
    assert sf.validate(data, schema).empty
