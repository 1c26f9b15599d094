"""``python -m benchmarks scale --quick``: the report's structure, and ratios computed from measured values."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
TPCH = REPO.parent / "shared" / "data" / "tpch_sf001"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("scale")
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "scale", "--quick", "--out-dir", str(out),
                           "--scratch", str(out)], cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "scale.md").read_text(encoding="utf-8").startswith("# Scale benchmark")
    data = json.loads((out / "scale.json").read_text(encoding="utf-8"))
    data["_out"] = str(out)
    return data


def test_report_has_every_section(report: dict[str, Any]) -> None:
    assert report["mode"] == "quick"
    for key in ("created", "seconds_total", "machine", "settings", "method", "results", "ratios", "targets",
                "notes"):
        assert key in report
    assert report["machine"]["cpu_count"] >= 1
    assert isinstance(report["notes"], list)


def test_each_result_is_measured(report: dict[str, Any]) -> None:
    results = report["results"]
    for name in ("naive", "example_small", "example_large", "example_writer", "numeric", "narrow_0", "narrow_1"):
        assert name in results, (name, report["notes"])
    for name, r in results.items():
        assert r["workload"] in "abcde", name
        assert r["rows"] > 0 and r["seconds"] > 0 and r["wall_seconds"] >= r["seconds"] * 0.5, name
        assert r["peak_rss_mb"] > 0, name
        assert math.isclose(r["rows_per_s"], r["rows"] / r["seconds"], rel_tol=1e-9), name
        assert len(r["seconds_all"]) == r["repeat"], name
    numeric = results["numeric"]
    assert numeric["values"] == numeric["rows"] * numeric["columns"] == numeric["rows"] * 50
    assert math.isclose(numeric["values_per_s"], numeric["values"] / numeric["seconds"], rel_tol=1e-9)
    assert results["narrow_1"]["rows"] == 3 * results["narrow_0"]["rows"]


def test_tpch_side_by_side(report: dict[str, Any]) -> None:
    if not (TPCH / "schema.json").is_file():
        pytest.skip("no TPC-H sample next to the repository")
    results = report["results"]
    assert results["tpch_synthframe"]["counts"]["lineitem"] == round(6_001_215 * 0.01)
    # the saved model sampled by the command wrote the same rows, and its seconds are the whole command's
    saved = results["tpch_saved_model"]
    assert saved["rows"] == results["tpch_synthframe"]["rows"] and saved["written_mb"] > 0
    assert saved["seconds"] == saved["wall_seconds"]
    for name in ("tpch_tpchgen", "tpch_duckdb"):
        if name in results:
            assert results[name]["rows"] > 0 and results[name]["written_mb"] > 0


def test_ratios_are_divisions_of_measured_values(report: dict[str, Any]) -> None:
    results = report["results"]
    assert report["ratios"], report["notes"]
    names = {r["name"] for r in report["ratios"]}
    assert any("naive" in n for n in names)
    for r in report["ratios"]:
        top = results[r["numerator"]][r["metric"]]
        bottom = results[r["denominator"]][r["metric"]]
        assert math.isclose(r["value"], top / bottom, rel_tol=1e-9), r
    for target in report["targets"]:
        assert set(target) == {"target", "goal", "measured", "met"}
        assert isinstance(target["met"], bool)


def test_markdown_shows_the_ratios(report: dict[str, Any]) -> None:
    text = (Path(report["_out"]) / "scale.md").read_text(encoding="utf-8")
    for r in report["ratios"]:
        assert r["name"] in text
    assert "peak RSS MB" in text


def test_sdv_runs_on_the_tables_its_sampler_accepts() -> None:
    """SDV 2's HMASynthesizer refuses more than five tables or a depth over two: the example without its
    grandchild, order_items (orders' child, customers' grandchild)."""
    import synthframe as sf
    from benchmarks.scale import sdv_tables
    from synthframe.examples import example_schema_path

    tables = sdv_tables(sf.Schema.from_json(example_schema_path()))
    assert sorted(tables) == ["customers", "orders", "products", "reviews"]
    assert tables.index("customers") < tables.index("orders")


def test_a_worker_runs_in_the_python_its_spec_names() -> None:
    from benchmarks.scale import _worker_cmd

    assert _worker_cmd({"kind": "sdv"})[0] == sys.executable
    assert _worker_cmd({"kind": "sdv", "python": "/opt/sdv/bin/python"})[:3] == \
        ["/opt/sdv/bin/python", "-m", "benchmarks"]


def test_the_thousandfold_target_is_reported(report: dict[str, Any]) -> None:
    target = next(t for t in report["targets"] if "per-row loop" in t["target"])
    ratio = report["results"]["example_large"]["rows_per_s"] / report["results"]["naive"]["rows_per_s"]
    assert math.isclose(target["measured"], ratio, rel_tol=1e-9)
    assert target["met"] == (ratio >= 1000)


def test_the_writer_alone_writes_the_example_s_rows(report: dict[str, Any]) -> None:
    """The ceiling the Parquet writer puts on the example: the same tables at the asked size, all written."""
    writer = report["results"]["example_writer"]
    assert sum(writer["counts"].values()) == writer["rows"] and writer["written_mb"] > 0
    assert set(writer["counts"]) == set(report["results"]["example_small"]["counts"])
