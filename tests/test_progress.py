"""Progress bars: a bar per table when asked (or on a terminal for long runs), silent otherwise."""

from pathlib import Path

import pytest

import synthframe as sf
from synthframe.examples import example_samples_dir, example_schema_path
from synthframe.progress import AUTO_MIN_ROWS, wanted

ROWS = {"customers": 300}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(example_schema_path(), example_samples_dir())


def test_write_shows_a_bar_per_table_when_asked(model: sf.Model, tmp_path: Path, capsys: pytest.CaptureFixture):
    paths = model.write(ROWS, tmp_path / "out", progress=True)
    err = capsys.readouterr().err
    for table in paths:
        assert f"{table}: 100%" in err, table
    assert "300/300" in err and " rows" in err


def test_sample_shows_a_bar_per_table_when_asked(model: sf.Model, capsys: pytest.CaptureFixture):
    data = model.sample(ROWS, progress=True, workers=2, batch_rows=100)
    err = capsys.readouterr().err
    for table in data:
        assert f"{table}: 100%" in err, table
    assert "300/300" in err  # the customers asked for, all counted


def test_small_runs_and_progress_false_are_silent(model: sf.Model, tmp_path: Path, capsys: pytest.CaptureFixture):
    model.write(ROWS, tmp_path / "a")
    model.sample(ROWS)
    model.write({"customers": 200_000}, tmp_path / "b", progress=False, format="parquet")
    assert capsys.readouterr().err == ""


def test_auto_progress_needs_a_long_run_and_a_viewer():
    assert wanted(None, AUTO_MIN_ROWS - 1) is True  # hidden: too short to need one
    assert wanted(None, AUTO_MIN_ROWS) is None  # tqdm shows it on a terminal or in a notebook only
    assert wanted(True, 1) is False and wanted(False, 10**9) is True


def test_cli_quiet_prints_nothing_on_success(tmp_path: Path):
    from click.testing import CliRunner

    from synthframe.cli import main

    quiet = CliRunner().invoke(main, ["generate", "--example", "ecommerce", "--out", str(tmp_path / "q"), "--quiet",
                                      "--rows", "customers=50"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output == ""
    assert (tmp_path / "q" / "customers.csv").exists()
    loud = CliRunner().invoke(main, ["generate", "--example", "ecommerce", "--out", str(tmp_path / "l"),
                                     "--rows", "customers=50"])
    assert loud.exit_code == 0 and "validated:" in loud.output and "wrote " in loud.output


def test_hidden_bars_do_not_import_tqdm():
    import subprocess
    import sys

    code = ("import sys, synthframe as sf\n"
            "from synthframe.examples import example_samples_dir, example_schema_path\n"
            "from synthframe.progress import table_bar\n"
            "model = sf.fit(example_schema_path(), example_samples_dir())\n"
            "model.sample({'customers': 300})\n"  # hidden: a short run
            "model.sample({'customers': 300}, progress=False)\n"
            "bar = table_bar('t', 10, None)\n"  # tqdm's disable=None, stderr a pipe: hidden
            "bar.update(3)\n"
            "bar.close()\n"
            "print('tqdm' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False", out.stderr
