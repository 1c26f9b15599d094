"""synthframe.evaluate: exact values on hand-made tables, agreement with SDMetrics, privacy, errors, CLI, plots."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_checks import assert_cli_error
from click.testing import CliRunner

import synthframe as sf
from synthframe.cli import main
from synthframe.evaluate import (
    PROPERTIES,
    EvaluationError,
    PlotDependencyError,
    QualityReport,
    column_sdtypes,
    ks_complement,
    sdmetrics_metadata,
    tv_complement,
)
from synthframe.examples import example_samples_dir, example_schema_path

TPCH = Path(os.environ.get("SYNTHFRAME_TPCH", Path(__file__).resolve().parents[2] / "shared/data/tpch_sf001"))

SHOP = {"tables": {
    "customers": {"primary_key": "id", "columns": {
        "id": "integer", "age": "integer", "segment": "category", "joined": "date", "vip": "boolean",
        "name": {"type": "string", "semantic": "first_name"}}},
    "orders": {"primary_key": "id", "columns": {
        "id": "integer", "customer_id": "integer", "total": "float", "channel": "category"},
        "foreign_keys": {"customer_id": "customers.id"}},
}}


def shop(n: int = 8, *, shift: float = 0.0) -> dict[str, pd.DataFrame]:
    """A tiny two-table shop: customers 1..n, orders 0..3 per customer in turn."""
    ids = np.arange(1, n + 1)
    customers = pd.DataFrame({
        "id": pd.array(ids, dtype="Int64"),
        "age": pd.array(20 + 3 * ids, dtype="Int64"),
        "segment": pd.array(["a", "b"] * (n // 2), dtype="string"),
        "joined": pd.to_datetime("2024-01-01") + pd.to_timedelta(ids * 7, unit="D"),
        "vip": pd.array(ids % 3 == 0, dtype="boolean"),
        "name": pd.array([f"N{i}" for i in ids], dtype="string"),
    })
    owners = np.repeat(ids, ids % 4)
    orders = pd.DataFrame({
        "id": pd.array(np.arange(1, len(owners) + 1), dtype="Int64"),
        "customer_id": pd.array(owners, dtype="Int64"),
        "total": 10.0 * owners + shift,
        "channel": pd.array(np.where(owners % 2 == 0, "web", "app"), dtype="string"),
    })
    return {"customers": customers, "orders": orders}


@pytest.fixture(scope="module")
def example() -> tuple[sf.Schema, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    schema = sf.Schema.from_json(example_schema_path())
    real = sf.read_samples(example_samples_dir(), schema)
    synthetic = sf.fit(schema, real).sample({"customers": 80}, seed=3)
    return schema, real, synthetic


@pytest.fixture(scope="module")
def example_report(example) -> QualityReport:
    schema, real, synthetic = example
    return sf.evaluate(real, synthetic, schema)


# -- exact values ----------------------------------------------------------------------------------

def test_identical_data_scores_one_everywhere_and_every_row_is_a_copy():
    data = shop(12)
    report = sf.evaluate(data, data, SHOP)
    assert report.score == 1.0
    assert report.properties["score"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert list(report.properties["property"]) == list(PROPERTIES)
    assert (report.column_shapes["score"] == 1.0).all()
    scored = report.column_pair_trends.dropna(subset=["score"])
    assert len(scored) and (scored["score"] == 1.0).all()
    assert (report.intertable_trends.dropna(subset=["score"])["score"] == 1.0).all()
    assert report.cardinality["score"].tolist() == [1.0]
    assert report.privacy.set_index("table")["exact_copies"].to_dict() == {"customers": 12, "orders": 18}
    assert (report.privacy["dcr_median"] == 0.0).all()
    assert (report.rules["failing"] == 0).all()


def test_type_mapping_follows_sdmetrics_sdtypes():
    data = shop()
    sdtypes = column_sdtypes(SHOP, data)
    assert sdtypes["customers"] == {"id": "id", "age": "numerical", "segment": "categorical", "joined": "datetime",
                                    "vip": "boolean", "name": "pii"}
    assert sdtypes["orders"]["customer_id"] == "id"
    report = sf.evaluate(data, data, SHOP)
    assert set(report.column_shapes["column"]) == {"age", "segment", "joined", "vip", "total", "channel"}
    metrics = report.column_shapes.set_index("column")["metric"].to_dict()
    assert metrics["age"] == metrics["joined"] == metrics["total"] == "KSComplement"
    assert metrics["segment"] == metrics["vip"] == metrics["channel"] == "TVComplement"
    # plain strings: categorical when few levels repeat, text otherwise (as the fit decides)
    spec = {"tables": {"t": {"columns": {"few": "string", "many": "string", "code": {"type": "string",
                                                                                       "pattern": "X-###"}}}}}
    frame = pd.DataFrame({"few": ["x", "y"] * 10, "many": [f"w{i}" for i in range(20)], "code": ["X-001"] * 20})
    assert column_sdtypes(spec, {"t": frame})["t"] == {"few": "categorical", "many": "text", "code": "id"}


def test_shifted_column_gives_its_ks_complement():
    real, synthetic = shop(8), shop(8)
    synthetic["customers"] = synthetic["customers"].assign(age=synthetic["customers"]["age"] + 3)
    report = sf.evaluate(real, synthetic, SHOP)
    shapes = report.column_shapes.set_index("column")["score"]
    # ages 23, 26, ..., 44 against 26, ..., 47: the CDFs differ by one value in eight
    assert shapes["age"] == pytest.approx(1 - 1 / 8)
    assert shapes["segment"] == 1.0
    assert ks_complement(np.arange(100.0), np.arange(100.0) + 10) == pytest.approx(0.9)
    assert ks_complement(np.array([1.0, np.nan]), np.array([np.nan])) != ks_complement(np.ones(1), np.ones(1))


def test_tv_complement_counts_levels_only_one_side_has():
    codes = {"a": 0, "b": 1, "c": 2}
    real = np.array([codes[v] for v in "aabb"])
    synthetic = np.array([codes[v] for v in "abbb"])
    assert tv_complement(real, synthetic, 3) == pytest.approx(0.75)
    # a level seen only in the synthetic data weighs 1e-6 on the real side, as in SDMetrics
    real, synthetic = np.array([0, 1]), np.array([0, 2])
    share = np.array([1, 1, 1e-6]) / (2 + 1e-6)
    expected = 1 - 0.5 * np.abs(share - np.array([0.5, 0, 0.5])).sum()
    assert tv_complement(real, synthetic, 3) == pytest.approx(expected, abs=1e-12)
    assert tv_complement(np.array([-1, 0]), np.array([0, -1]), 1) == 1.0  # nulls are left out


def test_pair_trends_correlation_and_contingency_by_hand():
    x = np.arange(20.0)
    spec = {"tables": {"t": {"columns": {"x": "float", "y": "float", "c": "category", "d": "category"}}}}
    real = pd.DataFrame({"x": x, "y": 2 * x + 1, "c": ["p", "q"] * 10, "d": ["p", "q"] * 10})
    synthetic = pd.DataFrame({"x": x, "y": -x, "c": ["p", "q"] * 10, "d": ["p"] * 10 + ["q"] * 10})
    pairs = sf.evaluate({"t": real}, {"t": synthetic}, spec).column_pair_trends.set_index(["column_1", "column_2"])
    xy = pairs.loc[("x", "y")]
    assert xy["metric"] == "CorrelationSimilarity"
    assert xy["real_correlation"] == pytest.approx(1.0) and xy["synthetic_correlation"] == pytest.approx(-1.0)
    assert xy["score"] == pytest.approx(0.0) and xy["counted"]
    cd = pairs.loc[("c", "d")]
    # real: (p,p) and (q,q) half each; synthetic: a quarter in each of the four cells
    assert cd["metric"] == "ContingencySimilarity"
    assert cd["score"] == pytest.approx(0.5)
    assert cd["real_association"] == pytest.approx(1.0) and cd["synthetic_association"] == pytest.approx(0.0)
    # a mixed pair bins the number in ten equal-width bins: x against c, c alternating
    assert pairs.loc[("x", "c"), "metric"] == "ContingencySimilarity"
    assert pairs.loc[("x", "c"), "score"] == 1.0


def test_pairs_without_a_real_trend_do_not_count():
    rng = np.random.default_rng(1)
    spec = {"tables": {"t": {"columns": {"x": "float", "y": "float"}}}}
    real = pd.DataFrame({"x": rng.normal(size=500), "y": rng.normal(size=500)})
    synthetic = pd.DataFrame({"x": rng.normal(size=500), "y": rng.normal(size=500)})
    report = sf.evaluate({"t": real}, {"t": synthetic}, spec)
    row = report.column_pair_trends.iloc[0]
    assert abs(row["real_correlation"]) < 0.5 and not row["counted"] and 0 < row["score"] <= 1
    props = report.properties.set_index("property")["score"]
    assert np.isnan(props["Column Pair Trends"]) and np.isnan(props["Cardinality"])
    assert report.score == pytest.approx(props["Column Shapes"])  # the mean of the properties there are
    everything = sf.evaluate({"t": real}, {"t": synthetic}, spec, correlation_threshold=0)
    assert everything.properties.set_index("property")["score"]["Column Pair Trends"] == pytest.approx(row["score"])


def test_cardinality_is_the_ks_complement_of_children_per_parent():
    real, synthetic = shop(8), shop(8)
    # real: customers 1..8 own 1,2,3,0,1,2,3,0 orders; move customer 1's order to customer 2
    orders = synthetic["orders"].copy()
    orders.loc[orders["customer_id"] == 1, "customer_id"] = 2
    synthetic["orders"] = orders
    report = sf.evaluate(real, synthetic, SHOP)
    counts_real = np.array([1, 2, 3, 0, 1, 2, 3, 0], dtype=float)
    counts_synthetic = np.array([0, 3, 3, 0, 1, 2, 3, 0], dtype=float)
    row = report.cardinality.iloc[0]
    assert (row["child_table"], row["parent_table"], row["foreign_key"]) == ("orders", "customers", "customer_id")
    assert row["score"] == pytest.approx(ks_complement(counts_real, counts_synthetic)) == pytest.approx(0.875)
    assert row["real_childless_share"] == 0.25 and row["synthetic_childless_share"] == 0.375


def test_intertable_trends_pair_parent_and_child_columns_over_the_join():
    report = sf.evaluate(shop(12), shop(12, shift=5.0), SHOP)
    trends = report.intertable_trends
    assert set(trends["column_1"]) == {"age", "segment", "joined", "vip"}
    assert set(trends["column_2"]) == {"total", "channel"}
    row = trends.set_index(["column_1", "column_2"]).loc[("age", "total")]
    # total = 10 * customer id (+ 5): a perfect correlation on both sides
    assert row["real_correlation"] == pytest.approx(1.0) and row["score"] == pytest.approx(1.0)
    assert report.get_details("Intertable Trends", "orders").equals(trends)


# -- rules and privacy -----------------------------------------------------------------------------

def test_rules_count_broken_keys_and_hints_exactly():
    spec = {"tables": {**SHOP["tables"], "customers": {**SHOP["tables"]["customers"], "columns": {
        **SHOP["tables"]["customers"]["columns"], "age": {"type": "integer", "max": 40}}}}}
    real, synthetic = shop(8), shop(8)
    orders = synthetic["orders"].copy()
    orders.loc[:2, "customer_id"] = 99  # three orders of a customer that does not exist
    synthetic["orders"] = orders
    rules = sf.evaluate(real, synthetic, spec).rules.set_index(["table", "rule"])
    assert rules.loc[("orders", "foreign_key"), "failing"] == 3
    assert rules.loc[("orders", "foreign_key"), "kept"] == pytest.approx(1 - 3 / len(orders))
    assert rules.loc[("customers", "max"), "failing"] == 2  # ages 41 and 44
    assert rules.loc[("customers", "primary_key"), "failing"] == 0


def test_copies_of_real_rows_are_counted_exactly():
    rng = np.random.default_rng(7)
    n = 400
    spec = {"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "x": "float", "level": "category", "note": "string"}}}}
    real = pd.DataFrame({"id": np.arange(n), "x": rng.normal(size=n), "level": rng.choice(list("abc"), n),
                         "note": [f"note {i}" for i in range(n)]})
    synthetic = pd.DataFrame({"id": np.arange(n) + 10_000, "x": rng.normal(size=n),
                              "level": rng.choice(list("abc"), n), "note": [f"other {i}" for i in range(n)]})
    copied = rng.choice(n, 37, replace=False)
    synthetic.loc[copied[:30], ["x", "level", "note"]] = real.loc[copied[:30], ["x", "level", "note"]].to_numpy()
    # equal on the numbers and levels but not on the text: not a copy
    synthetic.loc[copied[30:], ["x", "level"]] = real.loc[copied[30:], ["x", "level"]].to_numpy()
    privacy = sf.evaluate({"t": real}, {"t": synthetic}, spec).privacy.iloc[0]
    assert privacy["exact_copies"] == 30
    assert privacy["exact_copy_share"] == pytest.approx(30 / n)
    assert privacy["baseline_copy_share"] == 0.0  # no two real rows alike
    assert privacy["columns"] == 3 and privacy["dcr_columns"] == 2
    # distances read a sample of the real rows (half of them here): some of the 37 are at distance 0
    assert 0 < privacy["dcr_zero_share"] <= 37 / n
    assert 0 < privacy["dcr_baseline_median"] < 0.2


def test_personal_values_found_in_the_real_data_are_counted():
    real, synthetic = shop(8), shop(8)
    names = synthetic["customers"]["name"].copy()
    names[:5] = ["Ann", "Bob", None, "N7", "Eve"]  # N4 ... N8 stay: 5 found; one null not checked
    synthetic["customers"] = synthetic["customers"].assign(name=names)
    report = sf.evaluate(real, synthetic, SHOP)
    row = report.personal_values.iloc[0]
    assert (row["table"], row["column"], row["checked"], row["found"]) == ("customers", "name", 7, 4)
    assert row["found_share"] == pytest.approx(4 / 7) and np.isnan(row["baseline_share"])  # under 100 real rows
    assert "customers.name" in report.summary()
    # the baseline: held-out real values found among the other half's
    spec = {"tables": {"p": {"columns": {"email": {"type": "string", "semantic": "email", "unique": True}}}}}
    people = pd.DataFrame({"email": [f"p{i % 150}@x.org" for i in range(300)]})  # each address twice
    report = sf.evaluate({"p": people}, {"p": people.iloc[:10]}, spec)
    row = report.personal_values.iloc[0]
    assert row["found"] == 10 and 0 < row["baseline_share"] < 1
    assert sf.evaluate({"p": people}, {"p": people}, spec, privacy=False).personal_values.empty


# -- SDMetrics --------------------------------------------------------------------------------------

def _for_sdmetrics(data: dict[str, pd.DataFrame], schema: sf.Schema) -> dict[str, pd.DataFrame]:
    """The tables in the dtypes SDMetrics reads: numpy numbers, nanosecond datetimes, objects for text."""
    out = {}
    for name, frame in data.items():
        frame = frame[list(schema.tables[name].columns)].copy()
        for col in frame.columns:
            values = frame[col]
            if pd.api.types.is_datetime64_any_dtype(values.dtype):
                frame[col] = values.astype("datetime64[ns]")
            elif pd.api.types.is_integer_dtype(values.dtype):
                frame[col] = values.astype("float64" if values.isna().any() else "int64")
            elif not pd.api.types.is_float_dtype(values.dtype):
                frame[col] = values.astype(object).where(values.notna(), np.nan)
        out[name] = frame
    return out


def _sdmetrics_properties(real, synthetic, schema, monkeypatch) -> pd.Series:
    pytest.importorskip("sdmetrics")
    import sdmetrics.reports.single_table._properties.base as base
    from sdmetrics.reports import QualityReport as SDMetricsQualityReport

    # SDMetrics samples 50,000 rows for each contingency table at random; score all rows, as we do
    monkeypatch.setattr(base, "DEFAULT_NUM_ROWS_SUBSAMPLE", None)
    report = SDMetricsQualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(_for_sdmetrics(real, schema), _for_sdmetrics(synthetic, schema),
                        sdmetrics_metadata(schema, real), verbose=False)
    return report.get_properties().set_index("Property")["Score"]


def test_agrees_with_sdmetrics_on_the_example(example, example_report, monkeypatch):
    schema, real, synthetic = example
    theirs = _sdmetrics_properties(real, synthetic, schema, monkeypatch)
    _assert_agree(example_report.properties.set_index("property")["score"], theirs)
    assert example_report.score == pytest.approx(theirs.mean(), abs=0.01)


def _assert_agree(ours: pd.Series, theirs: pd.Series) -> None:
    for name in PROPERTIES:
        if np.isnan(theirs[name]):
            assert np.isnan(ours[name]), name
        else:
            assert ours[name] == pytest.approx(theirs[name], abs=0.01), name


@pytest.mark.skipif(not (TPCH / "schema.json").exists(), reason=f"TPC-H sample not found at {TPCH}")
def test_agrees_with_sdmetrics_on_tpch(monkeypatch):
    schema = sf.Schema.from_json(TPCH / "schema.json")
    real = sf.read_samples(TPCH, schema)
    # the first 2,000 orders and their line items keep the test quick; every key and foreign key stays
    real = {name: frame for name, frame in real.items() if name != "region"}
    real["orders"] = real["orders"].iloc[:2000]
    real["lineitem"] = real["lineitem"][real["lineitem"]["l_orderkey"].isin(real["orders"]["o_orderkey"])]
    spec = schema.to_dict()
    del spec["tables"]["region"]
    del spec["tables"]["nation"]["foreign_keys"]
    schema = sf.Schema.from_dict(spec)
    synthetic = sf.fit(schema, real).sample(seed=11)
    theirs = _sdmetrics_properties(real, synthetic, schema, monkeypatch)
    report = sf.evaluate(real, synthetic, schema)
    assert report.properties.set_index("property")["counted"].min() > 0
    _assert_agree(report.properties.set_index("property")["score"], theirs)


# -- the report ------------------------------------------------------------------------------------

def test_report_is_json_able_readable_and_deterministic(example, example_report):
    schema, real, synthetic = example
    data = example_report.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["properties"].keys() == set(PROPERTIES)
    assert data["score"] == pytest.approx(example_report.score)
    summary = str(example_report)
    assert "Overall score" in summary and "Column Pair Trends" in summary and "Privacy" in summary
    assert "QualityReport(score=" in repr(example_report)
    again = sf.evaluate(real, synthetic, schema)
    assert again.to_dict()["details"] == data["details"]
    assert example_report.get_details("Column Shapes", "orders")["table"].eq("orders").all()
    with pytest.raises(EvaluationError, match="Unknown property"):
        example_report.get_details("Shapes")


def test_large_tables_are_subsampled_deterministically():
    rng = np.random.default_rng(3)
    n = 5_000
    spec = {"tables": {"t": {"columns": {"x": "float", "y": "float", "c": "category"}}}}
    x = rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "y": x + rng.normal(scale=0.5, size=n), "c": np.where(x > 0, "hi", "lo")})
    other = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    first = sf.evaluate({"t": frame}, {"t": other}, spec, max_rows=500)
    second = sf.evaluate({"t": frame}, {"t": other}, spec, max_rows=500)
    full = sf.evaluate({"t": frame}, {"t": other}, spec, max_rows=None)
    pd.testing.assert_frame_equal(first.column_pair_trends, second.column_pair_trends)
    assert full.column_pair_trends["score"].to_numpy() == pytest.approx(1.0)  # the same rows in another order
    assert (first.column_pair_trends["score"] < 1.0).any()
    assert first.column_pair_trends["score"].min() > 0.85
    assert "500 sampled rows" in first.summary()
    pd.testing.assert_frame_equal(first.column_shapes, full.column_shapes)  # shapes always read every row


# -- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, match, table, column", [
    (lambda real, syn: syn.pop("orders"), "Table 'orders' is in the schema but missing from the synthetic data",
     "orders", None),
    (lambda real, syn: real.update(customers=real["customers"].drop(columns="age")),
     r"customers\.age is in the schema but missing from the real data", "customers", "age"),
    (lambda real, syn: syn.update(orders=syn["orders"].iloc[:0]), "has no rows", "orders", None),
    (lambda real, syn: syn.update(orders=syn["orders"].assign(total="lots")), r"orders\.total", "orders", "total"),
    (lambda real, syn: real.update(customers=[1, 2]), "must be a pandas DataFrame", "customers", None),
])
def test_bad_input_is_one_error_naming_table_and_column(change, match, table, column):
    real, synthetic = shop(), shop()
    change(real, synthetic)
    with pytest.raises(EvaluationError, match=match) as info:
        sf.evaluate(real, synthetic, SHOP)
    assert isinstance(info.value, sf.SynthframeError) and isinstance(info.value, ValueError)
    assert (info.value.table, info.value.column) == (table, column)


def test_bad_options_and_schema():
    data = shop()
    with pytest.raises(EvaluationError, match="'max_rows' parameter"):
        sf.evaluate(data, data, SHOP, max_rows=1)
    with pytest.raises(EvaluationError, match="'correlation_threshold' parameter"):
        sf.evaluate(data, data, SHOP, correlation_threshold=2)
    with pytest.raises(EvaluationError, match="must be a mapping"):
        sf.evaluate([data], data, SHOP)
    with pytest.raises(sf.SynthframeError):
        sf.evaluate(data, data, {"tables": {}})


# -- command line ----------------------------------------------------------------------------------

def _write_folder(data: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in data.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_cli_prints_the_summary_and_writes_json(example, tmp_path):
    schema, real, synthetic = example
    real_dir = _write_folder(real, tmp_path / "real")
    synthetic_dir = _write_folder(synthetic, tmp_path / "synthetic")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["evaluate", "--real", str(real_dir), "--synthetic", str(synthetic_dir),
                                       "--schema", str(example_schema_path()), "--json", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Overall score" in result.output and f"wrote {out}" in result.output
    report = json.loads(out.read_text())
    assert set(report["properties"]) == set(PROPERTIES)
    assert report["score"] == pytest.approx(sf.evaluate(real_dir, synthetic_dir, schema).score)


def test_cli_bad_input_is_one_line(example, tmp_path):
    _, real, synthetic = example
    real_dir = _write_folder(real, tmp_path / "real")
    synthetic_dir = _write_folder({k: v for k, v in synthetic.items() if k != "reviews"}, tmp_path / "synthetic")
    result = CliRunner().invoke(main, ["evaluate", "--real", str(real_dir), "--synthetic", str(synthetic_dir),
                                       "--schema", str(example_schema_path())])
    assert_cli_error(result, "reviews", "synthetic")


def test_cli_writes_plots(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    spec = {"tables": {"customers": {"primary_key": "id", "columns": {"id": "integer", "age": "integer"}},
                       "orders": {**SHOP["tables"]["orders"], "columns": {
                           "id": "integer", "customer_id": "integer", "total": "float"}}}}
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(spec), encoding="utf-8")
    columns = {"customers": ["id", "age"], "orders": ["id", "customer_id", "total"]}
    real_dir = _write_folder({t: f[columns[t]] for t, f in shop(12).items()}, tmp_path / "real")
    synthetic_dir = _write_folder({t: f[columns[t]] for t, f in shop(12, shift=3.0).items()},
                                  tmp_path / "synthetic")
    args = ["evaluate", "--real", str(real_dir), "--synthetic", str(synthetic_dir), "--schema", str(schema_path),
            "--plots", str(tmp_path / "plots")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, (result.output, result.exception)
    written = sorted(p.name for p in (tmp_path / "plots").iterdir())
    assert written == ["cardinality.png", "columns-customers.png", "columns-orders.png"]  # no pairs in one column
    assert "wrote 3 plot(s)" in result.output
    monkeypatch.setitem(__import__("sys").modules, "matplotlib.figure", None)
    assert_cli_error(CliRunner().invoke(main, args), 'pip install "synthframe[plot]"')


# -- plots -----------------------------------------------------------------------------------------

def test_plots_are_matplotlib_figures(example_report, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from synthframe.evaluate_plots import save_figures

    figures = example_report.plot(tables=["orders"])
    assert set(figures) == {"columns-orders", "pairs-orders", "cardinality"}
    assert all(isinstance(f, Figure) for f in figures.values())
    paths = save_figures({"cardinality": figures["cardinality"]}, tmp_path)
    assert paths[0].read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(EvaluationError, match="Unknown table"):
        example_report.plot(tables=["nope"])


def test_plots_without_matplotlib_say_how_to_install_it(example_report, monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotDependencyError, match=r'pip install "synthframe\[plot\]"') as info:
        example_report.plot()
    assert isinstance(info.value, ImportError) and isinstance(info.value, sf.SynthframeError)
