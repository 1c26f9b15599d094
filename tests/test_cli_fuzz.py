"""Random command lines: the ``synthframe`` command on random small schemas, samples, options and damaged files.

Each case writes a random dataset (the generator of test_fuzz_suite.py) as files, picks a command (``generate``
with a schema, with samples alone or from a request file; ``fit`` then ``sample``; ``infer``; ``validate``), odd
options (``--rows``, ``--scale``, ``--seed``, ``--format``, ``--bundle``) and now and then damages one input file
(truncated, bytes spliced in, nested 100,000 deep, a 5,000-digit integer, a value of the JSON tree replaced or
removed). Asserted: the command exits 0, or 2 with exactly one ``error:`` line on stderr; no traceback, no other
exception; a successful ``generate``/``sample`` with a schema reads back with the rows asked for.

The default run is small; ``pytest -m fuzz`` runs ``SYNTHFRAME_FUZZ_CLI_EXAMPLES`` cases (200 unless set), collects
every failure and hang, and adds a summary to the JSON file ``SYNTHFRAME_FUZZ_REPORT`` names (docs/fuzzing.md).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_suite import COMMON, FORMATS, _write_samples, collect, datasets, report_long_run, write_report

import synthframe as sf
from synthframe.cli import main

CLI_EXAMPLES = int(os.environ.get("SYNTHFRAME_FUZZ_CLI_EXAMPLES", "200"))
"""Cases of the long run (``pytest -m fuzz``)."""
COMMANDS = ("generate", "generate-inferred", "generate-request", "fit-sample", "infer", "validate")
ODD_ROWS = ("t0=\u00b2", "t0=-1", "t0=1e3", "t0=", "=5", "t0", "ghost=3", "t0=1_000", "t0=99999999999999999999",
            "t0= 7", "T0=3", "t0=0", "t1=0", "t0=\u0664")
ODD_SCALES = ("0", "0.5", "2", "1e308", "nan", "inf", "-1", "abc", "1e-300")
ODD_SEEDS = ("-1", "18446744073709551616", "abc", "0", "7")
ODD_VALUES: tuple[Any, ...] = (None, -1, 0, 1e308, -1e308, "x", "", [], {}, True, float("nan"), 2**70,
                               {"type": "integer"}, ["a", 1])


def _json_paths(node: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a JSON tree (keys and list indices), the root first."""
    paths = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _json_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node[:20]):
            paths += _json_paths(value, (*path, i))
    return paths


@st.composite
def damage(draw: st.DrawFn) -> dict[str, Any]:
    """How to damage one file: a kind and the draws it needs."""
    kind = draw(st.sampled_from(["truncate", "splice", "deep", "bigint", "tree-set", "tree-delete", "empty"]))
    return {"kind": kind, "at": draw(st.floats(0, 1)), "bytes": draw(st.binary(min_size=1, max_size=12)),
            "value": draw(st.sampled_from(ODD_VALUES)), "pick": draw(st.integers(0, 10**6))}


def _damage(path: Path, how: dict[str, Any]) -> None:
    content = path.read_bytes()
    kind, at = how["kind"], int(how["at"] * len(content))
    if kind == "truncate":
        content = content[:at]
    elif kind == "splice":
        content = content[:at] + how["bytes"] + content[at:]
    elif kind == "deep":
        content = b"[" * 100_000 + b"]" * 100_000
    elif kind == "bigint":
        content = content[:at] + b"9" * 5000 + content[at:]
    elif kind == "empty":
        content = b""
    else:
        try:
            tree = json.loads(content)
        except ValueError:
            tree = None
        if tree is None or path.suffix != ".json":
            content = content[:at]
        else:
            paths = _json_paths(tree)[1:] or [()]
            target = paths[how["pick"] % len(paths)]
            if not target:
                tree = how["value"]
            else:
                node = tree
                for key in target[:-1]:
                    node = node[key]
                if kind == "tree-delete" and isinstance(node, dict):
                    del node[target[-1]]
                elif kind == "tree-delete":
                    node.pop(target[-1])
                else:
                    node[target[-1]] = how["value"]
            content = json.dumps(tree).encode()
    path.write_bytes(content)


@st.composite
def cli_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A dataset, a command, its options and (maybe) the file to damage."""
    spec, samples, counts = draw(datasets())
    rows = [f"{t}={n}" for t, n in counts.items()]
    if draw(st.integers(0, 2)) == 0:
        rows.append(draw(st.sampled_from(ODD_ROWS)))
    case = {"spec": spec, "samples": samples, "rows": rows, "command": draw(st.sampled_from(COMMANDS)),
            "sample_fmt": draw(st.sampled_from(FORMATS)),
            "fmt": draw(st.sampled_from((*FORMATS, "PARQUET", "xml", None))),
            "bundle": draw(st.integers(0, 5)) == 0,
            "scale": draw(st.sampled_from(ODD_SCALES)) if draw(st.integers(0, 3)) == 0 else None,
            "seed": draw(st.sampled_from(ODD_SEEDS)) if draw(st.integers(0, 5)) == 0 else str(draw(st.integers(0, 99))),
            "damage": None, "damaged": None}
    if draw(st.integers(0, 2)) == 0:
        case["damaged"] = draw(st.sampled_from(["schema", "sample", "model", "request"]))
        case["damage"] = draw(damage())
    return case


def _invoke(args: list[str]) -> Any:
    return CliRunner().invoke(main, args, prog_name="synthframe")


def _check(result: Any, args: list[str]) -> None:
    """Exit 0, or 2 with one ``error:`` line (warnings and ``infer --explain``'s lines aside); never a traceback
    or another exception."""
    assert result.exit_code in (0, 2), (args, result.exit_code, result.output[-500:], repr(result.exception))
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output, (args, result.output[-500:])
    errors = [line for line in result.stderr.splitlines() if not line.startswith(("warning: ", "# "))]
    if result.exit_code == 2:
        assert len(errors) == 1 and errors[0].startswith("error: "), (args, result.stderr[-500:])
    else:
        assert not errors, (args, result.stderr[-500:])


def run_case(tmp: Path, case: dict[str, Any]) -> str:
    """One command line; ``"ok"`` or ``"refused"`` (exit 2 with one error line); any other outcome raises."""
    schema_file, samples_dir, out = tmp / "schema.json", tmp / "samples", tmp / "out"
    schema_file.write_text(json.dumps(case["spec"]), encoding="utf-8")
    _write_samples(samples_dir, case["samples"], case["sample_fmt"])
    command = case["command"]
    if case["damaged"] == "schema":
        _damage(schema_file, case["damage"])
    elif case["damaged"] == "sample":
        _damage(sorted(samples_dir.iterdir())[0], case["damage"])
    options = [arg for r in case["rows"] for arg in ("--rows", r)] + ["--seed", case["seed"], "--out", str(out)]
    options += ["--format", case["fmt"]] if case["fmt"] else []
    options += ["--bundle"] if case["bundle"] else []
    options += ["--scale", case["scale"]] if case["scale"] else []
    if command == "generate":
        args = ["generate", "--schema", str(schema_file), "--samples", str(samples_dir), *options]
    elif command == "generate-inferred":
        args = ["generate", "--samples", str(samples_dir), *options]
    elif command == "generate-request":
        request = tmp / "request.json"
        request.write_text(json.dumps({"schema": case["spec"], "sampleData": case["samples"]}), encoding="utf-8")
        if case["damaged"] == "request":
            _damage(request, case["damage"])
        args = ["generate", str(request), *options]
    elif command == "fit-sample":
        model = tmp / "model.json"
        args = ["fit", "--schema", str(schema_file), "--samples", str(samples_dir), "-o", str(model)]
        result = _invoke(args)
        _check(result, args)
        if result.exit_code:
            return "refused"
        if case["damaged"] == "model":
            _damage(model, case["damage"])
        args = ["sample", str(model), *options]
    elif command == "infer":
        args = ["infer", "--samples", str(samples_dir), "--explain"]
    else:
        args = ["validate", str(samples_dir), "--schema", str(schema_file)]
    result = _invoke(args)
    _check(result, args)
    if result.exit_code:
        return "refused"
    if command == "infer":
        sf.Schema.from_json(result.stdout)  # what infer prints is a schema
    wrote = command in ("generate", "fit-sample") and not case["bundle"] and case["damaged"] in (None, "sample")
    if wrote and not case["scale"]:
        schema = sf.Schema.from_dict(case["spec"])
        asked = {t: int(n) for t, _, n in (r.partition("=") for r in case["rows"])
                 if t in schema.tables and n.isdigit() and int(n) > 0}
        ext = (case["fmt"] or "csv").lower()
        for table, n in asked.items():  # a table of no rows is a file read_samples refuses as a sample
            back = sf.read_samples(out / f"{table}.{ext}", schema)[table]
            assert len(back) == n, (args, table, len(back), n)
    return "ok"


@settings(max_examples=12, derandomize=True, **COMMON)
@given(case=cli_cases())
def test_command_line_on_random_inputs(tmp_path_factory: pytest.TempPathFactory, case: dict[str, Any]):
    run_case(tmp_path_factory.mktemp("cli"), case)


@pytest.mark.fuzz
def test_command_line_on_random_inputs_long(request: pytest.FixtureRequest,
                                            tmp_path_factory: pytest.TempPathFactory):
    """CLI_EXAMPLES random command lines; only when asked for: ``pytest -m fuzz``."""
    if "fuzz" not in (request.config.getoption("markexpr") or "") or "not fuzz" in request.config.getoption("markexpr"):
        pytest.skip("the long fuzz run: select it with -m fuzz")
    report_long_run("cli", collect(cli_cases(), run_case, tmp_path_factory, CLI_EXAMPLES, "cli"))


# -- kills at random moments --------------------------------------------------------------------------------------

KILLS = int(os.environ.get("SYNTHFRAME_FUZZ_KILLS", "40"))
"""Kills of the long run (``-m fuzz``); the moments one kill is sent at are tested in test_write.py and
test_cli.py."""
SCRIPT = "import sys\nfrom synthframe.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n"


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, sf.Schema]:
    from synthframe.examples import example_samples_dir, example_schema_path

    folder = tmp_path_factory.mktemp("kills")
    model = sf.fit(example_schema_path("ecommerce"), example_samples_dir("ecommerce"))
    script = folder / "synthframe"
    script.write_text(SCRIPT, encoding="utf-8")
    return model.save(folder / "model.json"), script, model.schema


def _kill_and_rerun(tmp: Path, setup: tuple[Path, Path, sf.Schema], delay: float, sig: int, fmt: str) -> str:
    """Run ``sample`` into ``tmp/out``, send ``sig`` ``delay`` seconds after it starts writing: every file left
    with a table's name is complete; hidden temporaries only. The next run to the same folder leaves no temporary
    and every table. Returns what the kill left: ``temporaries``, ``complete`` files or ``nothing``."""
    model_file, script, schema = setup
    out = tmp / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    args = [sys.executable, str(script), "sample", str(model_file), "--rows", "customers=20000", "--out", str(out),
            "--format", fmt, "--seed", "1", "-q"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not out.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # writing starts when the folder is made
    time.sleep(delay)
    process.send_signal(sig)
    _, err = process.communicate(timeout=120)
    assert "Traceback" not in err, err
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    visible = [name for name in left if not name.startswith(".")]
    if visible:  # the run got as far as renaming: every table is there in full
        counts = {t: len(f) for t, f in sf.read_samples(out, schema).items()}
        assert counts["customers"] == 20000 and len(counts) == len(schema.tables), counts
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{fmt}" for t in schema.tables)
    return "complete" if visible else "temporaries" if left else "nothing"


@pytest.mark.fuzz
def test_runs_killed_at_random_moments(request: pytest.FixtureRequest, tmp_path: Path, kill_setup):
    """KILLS runs, each sent SIGKILL or SIGTERM 0-1.5 s after it starts writing, in CSV or Parquet; only with
    ``-m fuzz``."""
    if "fuzz" not in (request.config.getoption("markexpr") or "") or "not fuzz" in request.config.getoption("markexpr"):
        pytest.skip("the long fuzz run: select it with -m fuzz")
    rng = random.Random(KILLS)
    left: dict[str, int] = {}
    for i in range(KILLS):
        sig = rng.choice([signal.SIGKILL, signal.SIGTERM])
        what = _kill_and_rerun(tmp_path / str(i), kill_setup, rng.uniform(0.0, 1.5), sig, rng.choice(["csv",
                                                                                                       "parquet"]))
        key = f"{signal.Signals(sig).name} left {what}"
        left[key] = left.get(key, 0) + 1
    write_report("kills", {"kills": KILLS, "failures": 0, "left": left})
