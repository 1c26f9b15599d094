"""The fidelity benchmark (`python -m benchmarks fidelity`): its population, its scoring and a tiny run.

What is checked: the generated population keeps every one of its rules in each real draw, draws are
reproducible and independent across seeds; the scoring view gives SDMetrics one surrogate key per
composite key; a quick run on the population produces every property in [0, 1] for synthframe and
the ceiling, with the ceiling close to 1 where it must be; TPC-H's same-size second draw is a valid,
independent draw (when DuckDB and its TPC-H extension are installed).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # the benchmarks folder is part of the checkout, not of the installed package
    sys.path.insert(0, str(REPO_ROOT))

pytest.importorskip("sdmetrics")

import synthframe as sf  # noqa: E402
from benchmarks import fidelity, population  # noqa: E402

PROPERTIES = ("Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends")


@pytest.mark.parametrize(("customers", "seed"), [(50, 1), (400, 7)])
def test_population_rules_hold_in_every_real_draw(customers: int, seed: int) -> None:
    data = population.draw(customers, seed)
    assert sf.validate(data, sf.Schema.from_dict(population.SCHEMA)).empty
    shares = fidelity.rule_shares(data, population.RULES, data)
    assert set(shares) == set(population.RULES)
    for rule, got in shares.items():
        assert got["rows"] > 0, rule
        assert got["share"] == 1.0, rule


def test_population_draws_are_reproducible_and_independent() -> None:
    a, b, c = population.draw(200, 1), population.draw(200, 1), population.draw(200, 2)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])
    assert not a["customers"]["signup_date"].equals(c["customers"]["signup_date"])
    # the dependencies the population is made of are there
    big = population.draw(3000, 3)
    orders = big["orders"].merge(big["customers"], on="customer_id")
    per_customer = orders.groupby("segment").size() / big["customers"]["segment"].value_counts()
    assert per_customer["corporate"] > 2 * per_customer["consumer"]
    cust = big["customers"].dropna(subset=["income"])
    assert np.corrcoef(cust["age"], np.log(cust["income"]))[0, 1] > 0.2
    assert big["orders"]["ship_date"].isna().mean() == pytest.approx(0.06, abs=0.02)


def test_scoring_view_gives_composite_keys_one_surrogate_column() -> None:
    schema = sf.Schema.from_dict({"tables": {
        "pair": {"primary_key": ["a", "b"], "columns": {"a": "integer", "b": "integer", "x": "float"}},
        "child": {"primary_key": "id", "columns": {"id": "integer", "a": "integer", "b": "integer",
                                                    "kind": "category", "note": "string"},
                  "foreign_keys": [{"columns": ["a", "b"], "references": {"table": "pair", "columns": ["a", "b"]}}]},
    }})
    data = fidelity.normalize({
        "pair": pd.DataFrame({"a": [1, 1, 2], "b": [1, 2, 1], "x": [0.5, 1.5, 2.5]}),
        "child": pd.DataFrame({"id": [1, 2, 3, 4], "a": [2, 1, 1, 9], "b": [1, 2, 2, 9],
                               "kind": ["u", "v", "u", "v"], "note": ["free", "text", "every", "row"]}),
    }, schema)
    types = fidelity.sdtypes(schema, data)
    assert types["child"]["note"] == "text" and types["child"]["kind"] == "categorical"
    frames, meta = fidelity.scoring_view(data, schema, types)
    assert meta["tables"]["pair"]["primary_key"] == "a+b"
    assert meta["relationships"] == [{"parent_table_name": "pair", "parent_primary_key": "a+b",
                                      "child_table_name": "child", "child_foreign_key": "a+b"}]
    assert frames["pair"]["a+b"].tolist() == [0, 1, 2]
    assert frames["child"]["a+b"].tolist()[:3] == [2.0, 1.0, 1.0]
    assert np.isnan(frames["child"]["a+b"].iloc[3])  # references no row
    assert "note" not in frames["child"]


def test_quick_population_run_scores_every_property(tmp_path: Path) -> None:
    out_json, out_md = tmp_path / "fidelity.json", tmp_path / "fidelity.md"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "fidelity", "--quick", "--datasets", "population",
                           "--no-sdv", "--json", str(out_json), "--md", str(out_md)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "| population | Column Shapes |" in proc.stdout
    report = json.loads(out_json.read_text(encoding="utf-8"))
    res = report["datasets"]["population"]
    assert "error" not in res
    entries = res["entries"]
    for name in ("synthframe", "ceiling"):
        scores = entries[name]["sdmetrics"]
        assert 0.0 <= scores["overall"] <= 1.0, name
        for prop in PROPERTIES:
            assert 0.0 <= scores["properties"][prop] <= 1.0, (name, prop)
        cardinality = scores["details"]["Cardinality"]
        assert {(r["Child Table"], r["Parent Table"]) for r in cardinality} == {
            ("orders", "customers"), ("order_items", "orders"), ("order_items", "products")}
    ceiling = entries["ceiling"]["sdmetrics"]
    # two real draws of 600 customers: shapes and cardinality agree closely
    assert ceiling["properties"]["Column Shapes"] > 0.85
    assert ceiling["properties"]["Cardinality"] > 0.85
    assert entries["synthframe"]["fit_seconds"] > 0 and entries["synthframe"]["sample_seconds"] > 0
    assert entries["synthframe"]["validate_problems"] == 0
    assert entries["synthframe"]["rows"] == res["rows"]["held_out"]  # generated at the held-out draw's sizes
    for rule, shares in res["rules"].items():
        assert shares["sample"] == shares["held_out"] == shares["ceiling"] == 1.0, rule
        assert 0.0 <= shares["synthframe"] <= 1.0, rule
    for table, share in res["exact_copies"]["synthframe"].items():
        assert 0.0 <= share <= 1.0, table
    md = out_md.read_text(encoding="utf-8")
    assert "## population" in md and "### Rules kept" in md and "### Cardinality per relationship" in md


def test_a_failing_dataset_is_reported_not_fatal(tmp_path: Path) -> None:
    args = fidelity.parser().parse_args(["--quick", "--no-sdv", "--tpch", str(tmp_path / "absent"),
                                         "--cache", str(tmp_path / "cache"), "--datasets", "tpch"])
    report = fidelity.run(args)
    assert "error" in report["datasets"]["tpch"]
    assert fidelity.markdown(report).count("**Failed**") == 1


def _duckdb_tpch() -> bool:
    try:
        import duckdb  # noqa: F401
        import duckdb_extension_tpch  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _duckdb_tpch(), reason="DuckDB with duckdb-extension-tpch (the 'bench' extra) not installed")
def test_tpch_second_draw_is_valid_independent_and_keeps_the_rules(tmp_path: Path) -> None:
    schema = sf.Schema.from_json(fidelity.DEFAULT_TPCH / "schema.json") if (
        fidelity.DEFAULT_TPCH / "schema.json").is_file() else None
    if schema is None:
        pytest.skip("TPC-H sample folder not found")
    small = fidelity.read_tpch(fidelity.dbgen(0.01, tmp_path), schema)  # smaller scales repeat partsupp keys
    big = fidelity.read_tpch(fidelity.dbgen(0.02, tmp_path), schema)
    second = fidelity.tpch_second_draw(big, small)
    problems = sf.validate(second, schema)
    # keys, foreign keys (composite too) and bounds hold; integers are floats after normalize()
    assert problems[~problems["message"].str.contains("dtype")].empty
    for table in ("region", "nation", "supplier", "customer", "part", "partsupp", "orders"):
        assert len(second[table]) == len(small[table]), table
        for key in schema.tables[table].primary_key:
            assert set(second[table][key]) == set(small[table][key]), (table, key)
    types = fidelity.sdtypes(schema, small)
    copies = fidelity.exact_copies(second, small, types)
    assert copies["customer"] == copies["supplier"] == copies["part"] == 0.0
    assert copies["region"] == copies["nation"] == 1.0
    for data in (small, second):
        for rule, got in fidelity.rule_shares(data, fidelity.TPCH_RULES, small).items():
            assert got["share"] is not None and got["share"] >= 0.999, rule
