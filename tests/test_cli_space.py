"""Before writing, the CLI estimates the run's size and refuses one that would not fit on the disk."""

from __future__ import annotations

import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from cli_checks import assert_cli_error
from click.testing import CliRunner, Result

import synthframe as sf
from synthframe.cli import ESTIMATED_VALUES_PER_SECOND, PROBE_ROWS, estimate_run, main
from synthframe.examples import example_samples_dir, example_schema_path
from synthframe.generate import Run, resolve_rows

SMALL = ["--rows", "customers=60", "--rows", "products=25"]
Usage = namedtuple("Usage", "total used free")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="synthframe")


@pytest.fixture
def small_disk(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every disk has 10 kB free: less than the small run's CSV files (about 40 kB)."""
    free = 10_000
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**12, 10**12 - free, free))
    return free


def test_a_run_larger_than_the_free_space_is_refused_before_any_file(tmp_path: Path, small_disk: int):
    out = tmp_path / "out"
    result = run("generate", "--example", "ecommerce", "--out", out, *SMALL)
    line = assert_cli_error(result, "--no-space-check", "10.0 kB is free", str(out))
    assert "would write about" in line and "kB" in line
    assert not out.exists()


def test_a_huge_run_is_refused_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**12, 10**11, 9 * 10**11))
    out = tmp_path / "out"
    result = run("generate", "--example", "ecommerce", "--out", out, "--rows", "customers=10000000000",
                 "--format", "parquet")
    line = assert_cli_error(result, "TB", "900.0 GB is free", "--no-space-check")
    assert "as parquet" in line
    assert "estimate: 75,000,000,201 rows" in result.stdout
    assert not out.exists()


def test_no_space_check_writes_anyway(tmp_path: Path, small_disk: int):
    out = tmp_path / "out"
    result = run("generate", "--example", "ecommerce", "--out", out, *SMALL, "--no-space-check")
    assert result.exit_code == 0, result.output
    assert "validated:" in result.stdout
    assert len(list(out.glob("*.csv"))) == 5


def test_sample_checks_the_space_too(tmp_path: Path, small_disk: int):
    model = tmp_path / "model.json"
    sf.fit(example_schema_path(), example_samples_dir()).save(model)
    out = tmp_path / "out"
    assert_cli_error(run("sample", model, "--out", out, *SMALL), "--no-space-check")
    assert not out.exists()


def test_the_estimate_is_one_line_and_quiet_hides_it(tmp_path: Path):
    result = run("generate", "--example", "ecommerce", "--out", tmp_path / "a", *SMALL, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("estimate: ") and " rows, about " in first and "as jsonl" in first and " free at " in first
    quiet = run("generate", "--example", "ecommerce", "--out", tmp_path / "b", *SMALL, "-q")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == "" and quiet.stderr == ""


@pytest.mark.parametrize(("fmt", "low", "high"), [("csv", 0.95, 1.05), ("jsonl", 0.95, 1.05), ("parquet", 0.8, 1.6)])
def test_the_estimate_is_close_to_what_is_written(tmp_path: Path, fmt: str, low: float, high: float):
    model = sf.fit(example_schema_path(), example_samples_dir())
    counts = resolve_rows(model, {"customers": 3000})
    assert max(counts.values()) > 4 * PROBE_ROWS  # the probe is a sample, not the table
    estimate = estimate_run(Run(model, counts, 3), fmt)
    paths = model.write(counts, tmp_path, format=fmt, seed=3, workers=1)
    written = sum(p.stat().st_size for p in paths.values())
    assert low * written <= estimate.bytes <= high * written
    assert estimate.rows == sum(counts.values())
    values = sum(n * len(model.tables[t].columns) for t, n in counts.items())  # time: values at the format's rate
    assert estimate.seconds == values / ESTIMATED_VALUES_PER_SECOND[fmt]
