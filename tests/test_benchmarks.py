"""The benchmark entry point: `python -m benchmarks --quick` runs and writes complete, positive results.

No wall-clock figure is asserted (machines differ); what is checked is that every measurement
is there, consistent with the others (rows/s = rows / seconds, ratio = rows/s ÷ naive rows/s)
and written where asked.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # the benchmarks folder is part of the checkout, not of the installed package
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import headline, memory, suite  # noqa: E402
from synthframe.examples import RECORD_COUNTS  # noqa: E402
from synthframe.generate import SMALL_PARENT_ROWS  # noqa: E402

EXAMPLE_RESULTS = ("customers_memory", "customers_first_call", "naive_customers", "example_memory",
                   "example_parquet", "naive_example", "example_fit", "ecommerce_warm", "ecommerce_cold",
                   "naive_ecommerce", "parent_column_small", "parent_column_large", "parent_of_orders",
                   "parent_of_order_items")
TPCH_RESULTS = ("tpch_fit", "tpch_sample", "tpch_validate")
RESULT_KEYS = {"what", "rows", "seconds", "rows_per_s", "peak_mb", "ratio_vs_naive", "baseline", "seconds_all",
               "peak_mb_all"}


def _check_results(report: dict, expected: tuple[str, ...]) -> None:
    results = report["results"]
    assert set(expected) <= set(results)
    for name in expected:
        r = results[name]
        assert set(r) >= RESULT_KEYS, name
        assert r["rows"] > 0 and r["seconds"] > 0 and r["rows_per_s"] > 0, name
        assert len(r["seconds_all"]) == report["settings"]["repeat"] or name == "customers_first_call"
        assert all(s > 0 for s in r["seconds_all"])
        assert r["seconds"] == pytest.approx(float(np.median(r["seconds_all"])))
        assert r["rows_per_s"] == pytest.approx(r["rows"] / r["seconds"])
        assert r["peak_mb"] is not None and r["peak_mb"] >= 0
        if r["baseline"] is None:
            assert r["ratio_vs_naive"] is None
        else:
            assert r["ratio_vs_naive"] == pytest.approx(r["rows_per_s"] / results[r["baseline"]]["rows_per_s"])


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """One `python -m benchmarks --quick` run in a subprocess: its JSON report and its stdout."""
    out = tmp_path_factory.mktemp("bench") / "nested" / "quick.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


def test_quick_run_reports_every_measurement(quick_run: tuple[dict, str]) -> None:
    report, _ = quick_run
    assert {"created", "machine", "settings", "memory_method", "counts", "results", "targets", "notes"} <= set(report)
    settings = report["settings"]
    assert settings["quick"] is True
    assert (settings["rows"], settings["repeat"], settings["naive_rows"]) == (
        suite.QUICK["rows"], suite.QUICK["repeat"], suite.QUICK["naive_rows"])
    _check_results(report, EXAMPLE_RESULTS)
    results = report["results"]
    assert results["customers_memory"]["baseline"] == "naive_customers"
    assert results["example_memory"]["baseline"] == results["example_parquet"]["baseline"] == "naive_example"
    assert results["customers_memory"]["rows"] == settings["rows"]
    assert results["naive_customers"]["rows"] == settings["naive_rows"]
    assert results["example_parquet"]["parquet_mb"] > 0
    # the whole example is asked in the proportions of the example's own request, summing to --rows
    counts = report["counts"]
    assert sum(counts["example"].values()) == settings["rows"] == results["example_memory"]["rows"]
    assert counts["example"] == suite.counts_in_proportion(settings["rows"], RECORD_COUNTS["ecommerce"])
    assert sum(counts["naive_example"].values()) == settings["naive_rows"]


def test_quick_run_reports_the_ecommerce_run_cold_and_warm(quick_run: tuple[dict, str]) -> None:
    report, _ = quick_run
    settings, results, counts = report["settings"], report["results"], report["counts"]
    assert settings["customers"] == suite.QUICK["customers"] == counts["ecommerce"]["customers"]
    # other tables follow their parents; every row of every table counts
    assert set(counts["ecommerce"]) == set(RECORD_COUNTS["ecommerce"])
    assert counts["ecommerce"]["orders"] > settings["customers"]
    for name in ("ecommerce_warm", "ecommerce_cold"):
        assert results[name]["rows"] == sum(counts["ecommerce"].values())
        assert results[name]["baseline"] == "naive_ecommerce"
        assert results[name]["counts"] == counts["ecommerce"]
    assert results["ecommerce_warm"]["warmup_seconds"] > 0
    assert len(results["ecommerce_cold"]["fit_seconds_all"]) == settings["repeat"]
    # the naive loop runs on the same mix of tables, at its own size
    assert counts["naive_ecommerce"] == suite.counts_in_proportion(settings["naive_rows"], counts["ecommerce"])
    assert results["naive_ecommerce"]["rows"] == settings["naive_rows"]
    assert "cold (first call in a fresh process)" in results["ecommerce_cold"]["what"]


def test_quick_run_reports_parent_reads(quick_run: tuple[dict, str]) -> None:
    report, _ = quick_run
    settings, results = report["settings"], report["results"]
    small, large = results["parent_column_small"], results["parent_column_large"]
    assert small["rows"] == large["rows"] == settings["parent_rows"] == suite.QUICK["parent_rows"]
    # a small parent's column is computed once (its whole table), then only read
    assert small["kept"] is True and small["parent_table_rows"] == SMALL_PARENT_ROWS
    assert small["parent_rows_computed_first_call"] == SMALL_PARENT_ROWS
    assert small["parent_rows_computed_per_call"] == 0
    # a large parent is computed at the distinct parent rows on every call, never whole
    assert large["kept"] is False and large["parent_table_rows"] == settings["large_parent_rows"] > SMALL_PARENT_ROWS
    assert large["parent_rows_computed_per_call"] == large["distinct_parents"] < large["parent_table_rows"]
    assert large["parent_rows_computed_first_call"] == large["distinct_parents"]
    assert len(large["steps_seconds"]) == 3 and all(v > 0 for v in large["steps_seconds"].values())
    orders, items = results["parent_of_orders"], results["parent_of_order_items"]
    assert orders["rows"] == items["rows"] == settings["parent_of_rows"] == suite.QUICK["parent_of_rows"]
    assert orders["interleave"] is True and items["interleave"] is False
    assert orders["first_call_seconds"] > 0 and items["first_call_seconds"] > 0


def test_quick_run_machine_info_and_targets(quick_run: tuple[dict, str]) -> None:
    report, _ = quick_run
    machine = report["machine"]
    assert machine["cpu_count"] >= 1
    assert machine["python"] == ".".join(map(str, sys.version_info[:3]))
    assert machine["numpy"] == np.__version__ and machine["pandas"] == pd.__version__
    assert isinstance(machine["git_modified"], list) and len(machine["load_average"]) == 3
    names = [t["target"] for t in report["targets"]]
    assert any("rows/s" in n for n in names) and any("naive" in n for n in names)
    assert any(n.startswith("ecommerce at") and "rows/s" in n for n in names)
    assert any(n.startswith("ecommerce at") and "naive" in n for n in names)
    assert "compare" not in report and report["settings"]["compare"] is None
    for target in report["targets"]:
        assert isinstance(target["met"], bool) and target["measured"] > 0


def test_quick_run_includes_tpch_when_present(quick_run: tuple[dict, str]) -> None:
    report, _ = quick_run
    if (suite.DEFAULT_TPCH / "schema.json").is_file():
        _check_results(report, TPCH_RESULTS)
        results = report["results"]
        assert results["tpch_fit"]["rows"] == 86_805  # the SF 0.01 sample's rows
        assert results["tpch_sample"]["rows"] == sum(report["counts"]["tpch"].values())
        assert results["tpch_validate"]["problems"] == 0
        assert any(t["target"].startswith("TPC-H fit") for t in report["targets"])
    else:
        assert not set(TPCH_RESULTS) & set(report["results"])
        assert any(n.startswith("TPC-H skipped") for n in report["notes"])


def test_quick_run_prints_markdown_table(quick_run: tuple[dict, str]) -> None:
    report, stdout = quick_run
    assert "| what | rows | seconds (median) | rows/s | peak MB | vs naive |" in stdout
    assert suite.markdown_table(report["results"]) in stdout
    assert "synthframe: customers, in memory |" in stdout


def test_missing_tpch_is_skipped_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    assert suite.main(["--quick", "--rows", "2000", "--naive-rows", "40", "--tpch", str(tmp_path / "absent"),
                       "--out", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["settings"]["rows"] == 2000 and report["settings"]["naive_rows"] == 40
    _check_results(report, EXAMPLE_RESULTS)
    assert not set(TPCH_RESULTS) & set(report["results"])
    assert [n for n in report["notes"] if n.startswith("TPC-H skipped")]
    assert "TPC-H skipped" in capsys.readouterr().out


def test_compare_times_each_checkout_in_its_own_processes() -> None:
    # This checkout against itself: the plumbing of --compare without an older copy of the code.
    compare = suite.compare_checkouts(REPO_ROOT, 300, None, 1.0, 2, 0)
    assert compare["rounds"] == 2
    for side in ("current", "base"):
        entry = compare[side]
        assert entry["synthframe_file"] == str(REPO_ROOT / "synthframe" / "__init__.py")
        assert "tpch" not in entry
        ecommerce = entry["ecommerce"]
        assert ecommerce["counts"]["customers"] == 300 and ecommerce["rows"] == sum(ecommerce["counts"].values())
        assert len(ecommerce["cold_seconds_all"]) == len(ecommerce["warm_seconds_all"]) == 2
        assert ecommerce["warm_rows_per_s"] == pytest.approx(ecommerce["rows"] / ecommerce["warm_seconds"])
    assert set(compare["speedup"]) == {"ecommerce_cold", "ecommerce_warm"}
    assert compare["speedup"]["ecommerce_warm"] == pytest.approx(
        compare["current"]["ecommerce"]["warm_rows_per_s"] / compare["base"]["ecommerce"]["warm_rows_per_s"])
    table = suite.compare_table(compare, {"naive_ecommerce": {"rows_per_s": 1000.0}}).splitlines()
    assert len(table) == 4 and table[2].startswith("| ecommerce") and ", cold |" in table[2]


def test_fresh_process_imports_synthframe_from_the_checkout_given(tmp_path: Path) -> None:
    fake = tmp_path / "checkout"
    (fake / "synthframe").mkdir(parents=True)
    (fake / "synthframe" / "__init__.py").write_text('raise ImportError("the fake checkout was imported")\n')
    with pytest.raises(RuntimeError, match="the fake checkout was imported"):
        suite.fresh_process(fake, 10)
    result = suite.fresh_process(REPO_ROOT, 50, warm=1)
    assert result["synthframe_file"] == str(REPO_ROOT / "synthframe" / "__init__.py")
    assert result["ecommerce"]["rows"] == sum(result["ecommerce"]["counts"].values())
    assert len(result["ecommerce"]["warm"]) == 1 and result["ecommerce"]["cold"]["seconds"] > 0
    assert headline.RESULT_PREFIX.strip()


def test_compare_needs_a_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        suite.parser().parse_args(["--compare", str(tmp_path)])
    assert info.value.code == 2
    assert "not a synthframe checkout" in capsys.readouterr().err
    assert suite.parser().parse_args(["--compare", str(REPO_ROOT)]).compare == REPO_ROOT


def test_counts_in_proportion() -> None:
    proportions = RECORD_COUNTS["ecommerce"]
    assert suite.counts_in_proportion(sum(proportions.values()) + len(proportions), proportions) == {
        t: c + 1 for t, c in proportions.items()}
    counts = suite.counts_in_proportion(10**6, proportions)
    assert sum(counts.values()) == 10**6 and list(counts) == list(proportions)
    total = sum(proportions.values())
    for table, c in counts.items():
        assert abs(c - 10**6 * proportions[table] / total) <= 2
    assert suite.counts_in_proportion(5, proportions) == dict.fromkeys(proportions, 1)
    with pytest.raises(ValueError, match="at least 5"):
        suite.counts_in_proportion(4, proportions)


def test_markdown_table_formats_each_result() -> None:
    results = {
        "naive_customers": {"what": "naive", "rows": 500, "seconds": 0.25, "rows_per_s": 2000.0, "peak_mb": 1.25,
                            "ratio_vs_naive": None},
        "customers_memory": {"what": "fast", "rows": 10**6, "seconds": 0.5, "rows_per_s": 2e6, "peak_mb": None,
                             "ratio_vs_naive": 1000.0},
    }
    assert suite.markdown_table(results).splitlines() == [
        "| what | rows | seconds (median) | rows/s | peak MB | vs naive |",
        "|---|---:|---:|---:|---:|---:|",
        "| fast | 1,000,000 | 0.5 | 2,000,000 | — | 1,000× |",
        "| naive | 500 | 0.25 | 2,000 | 1.2 | — |",
    ]


@pytest.mark.parametrize(("text", "value"), [("1000000", 10**6), ("1_000_000", 10**6), ("10**6", 10**6),
                                             ("1e6", 10**6), ("5", 5)])
def test_row_arguments(text: str, value: int) -> None:
    assert suite.parser().parse_args(["--rows", text]).rows == value


@pytest.mark.parametrize(("option", "text"), [("--rows", "0"), ("--rows", "-5"), ("--rows", "1.5"),
                                              ("--rows", "many"), ("--rows", "2.5e0"), ("--rows", "4"),
                                              ("--naive-rows", "4"), ("--repeat", "0"), ("--customers", "0"),
                                              ("--parent-rows", "-1")])
def test_bad_arguments_exit_with_usage_error(option: str, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        suite.parser().parse_args([option, text])
    assert info.value.code == 2
    assert option in capsys.readouterr().err


def test_peak_rss_sees_a_held_allocation() -> None:
    memory.settle()
    with memory.PeakRSS() as mem:
        block = np.ones(100 * 2**20 // 8)  # 100 MiB, written so that its pages are resident
    assert 90 <= mem.peak_mb <= 200
    assert mem.peak_bytes == max(mem.peak - mem.baseline, 0)
    assert math.isclose(block.sum(), block.size)
    del block
    memory.settle()
    with memory.PeakRSS() as small:
        np.ones(1000)
    assert small.peak_mb < 50


def test_the_text_benchmark_measures_speed_and_what_a_reader_checks(tmp_path):
    from benchmarks.text_heavy import main

    assert main(["--rows", "3000", "--faker-rows", "200", "--fresh", "1", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "text.json").read_text())
    assert result["rows"] == 3000
    # the first call timed again in fresh processes, with Arrow's default memory pool and with the system's
    assert result["first_in_memory_rows_per_s_fresh"] > 0 and result["first_in_memory_rows_per_s_fresh_system_pool"] > 0
    assert result["setup_seconds_fresh"] > 0 and result["memory_pool"]
    measured = result["in_memory_rows_per_s"] / result["faker_loop_rows_per_s"]
    assert result["ratio_in_memory_vs_faker"] == round(measured, 1)  # the ratio of the numbers shown
    # the samples are coherent, so the rows are: every city in its country, every phone valid for it
    assert result["city_in_country"] == 1.0 and result["phone_valid"] == 1.0
    assert result["phone_country_matches"] == 1.0 and result["email_has_last_name"] == 1.0
    assert result["personal_values_copied"] == 0 and result["personal_values_in_model"] == 0
    assert result["german_mail_domains_on_german_rows"] == 1.0 and result["german_legal_forms_on_german_rows"] == 1.0
    first = result["first_in_memory_rows_per_s"] / result["faker_loop_rows_per_s"]
    assert result["ratio_first_in_memory_vs_faker"] == round(first, 1)
    assert (tmp_path / "text.md").read_text().startswith("# Text-heavy table")
