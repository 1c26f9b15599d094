"""The whole pipeline on the bundled example and on the TPC-H sample (skipped when absent)."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.examples import example_samples_dir, example_schema_path, load_example_request

TPCH = Path(os.environ.get("SYNTHFRAME_TPCH", Path(__file__).resolve().parents[2] / "shared/data/tpch_sf001"))


@pytest.fixture(scope="module")
def example_model():
    return sf.fit(sf.Schema.from_json(example_schema_path()), example_samples_dir())


def test_example_generates_valid_tables_at_request_counts(example_model):
    request = load_example_request()
    data = example_model.sample(request["recordCounts"], seed=1)
    assert {t: len(df) for t, df in data.items()} == request["recordCounts"]
    assert sf.validate(data, example_model.schema).empty
    items = data["order_items"]
    assert not items.duplicated(["order_id", "line_number"]).any()
    # line numbers run 1..k within each order
    first = items.groupby("order_id")["line_number"].min()
    assert (first == 1).all()
    assert data["customers"]["email"].is_unique
    assert data["products"]["sku"].str.fullmatch(r"SKU-\d{5}").all()


def test_example_from_the_one_file_request_shape():
    request = load_example_request()
    model = sf.fit(request["schema"], request["sampleData"])
    data = model.sample(request["recordCounts"], seed=2)
    assert sf.validate(data, model.schema).empty


def test_example_learns_what_the_samples_show(example_model):
    samples = sf.read_samples(example_samples_dir(), example_model.schema)
    data = example_model.sample({"reviews": 20_000, "customers": 2000, "products": 300, "orders": 100,
                                 "order_items": 100}, seed=3)
    reviews = data["reviews"]
    # ratings are a small domain: frequencies, integers 1..5, skewed high like the samples
    assert set(reviews["rating"].unique()) <= {1, 2, 3, 4, 5}
    sample_mean = samples["reviews"]["rating"].mean()
    assert abs(reviews["rating"].astype(float).mean() - sample_mean) < 0.1
    # nullable text keeps its null rate
    body_rate = samples["reviews"]["body"].isna().mean()
    se = np.sqrt(body_rate * (1 - body_rate) / len(reviews))
    assert abs(reviews["body"].isna().mean() - body_rate) < 4 * se
    # emails look like emails
    assert data["customers"]["email"].str.fullmatch(r"[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}").all()


def test_schema_inferred_from_csv_folder_alone(tmp_path):
    samples = sf.read_samples(example_samples_dir())
    schema = sf.infer_schema(samples)
    assert schema.tables["orders"].foreign_keys[0].ref_table == "customers"
    model = sf.fit(None, example_samples_dir())
    data = model.sample(scale=5, seed=1)
    assert sf.validate(data, model.schema).empty
    assert len(data["customers"]) == 5 * len(samples["customers"])


# -- TPC-H -----------------------------------------------------------------------------------

needs_tpch = pytest.mark.skipif(not (TPCH / "schema.json").exists(), reason=f"TPC-H sample not found at {TPCH}")


@pytest.fixture(scope="module")
def tpch():
    schema = sf.Schema.from_json(TPCH / "schema.json")
    model = sf.fit(schema, TPCH)
    return schema, model


@needs_tpch
@pytest.mark.slow
def test_tpch_ten_times_with_full_referential_integrity(tpch):
    schema, model = tpch
    data = model.sample(scale=10, seed=5)
    sizes = {t: len(df) for t, df in data.items()}
    assert sizes["customer"] == 15_000 and sizes["orders"] == 150_000 and sizes["part"] == 20_000
    assert sizes["partsupp"] == 80_000  # four suppliers per part, as in the sample
    assert 0.9 * 601_750 < sizes["lineitem"] < 1.1 * 601_750
    report = sf.validate(data, schema)
    assert report.empty, report.to_string()
    li, ps = data["lineitem"], data["partsupp"]
    pairs = pd.MultiIndex.from_frame(ps[["ps_partkey", "ps_suppkey"]])
    assert pd.MultiIndex.from_frame(li[["l_partkey", "l_suppkey"]]).isin(pairs).all()
    assert not li.duplicated(["l_orderkey", "l_linenumber"]).any()
    assert li["l_linenumber"].min() == 1
    # children-per-parent shapes learned: a third of customers without orders, 1..7 lines per order
    no_orders = 1 - data["customer"]["c_custkey"].isin(data["orders"]["o_custkey"]).mean()
    assert abs(no_orders - 1 / 3) < 0.02
    lines = li.groupby("l_orderkey").size()
    assert lines.min() >= 1 and (lines > 7).mean() < 0.001


@needs_tpch
@pytest.mark.slow
def test_tpch_columns_keep_their_shape(tpch):
    _, model = tpch
    real = sf.read_samples(TPCH, model.schema)
    data = model.sample(seed=6)
    orders, real_orders = data["orders"], real["orders"]
    assert set(orders["o_orderpriority"].astype(str)) <= set(real_orders["o_orderpriority"].astype(str))
    assert orders["o_orderdate"].min() >= real_orders["o_orderdate"].min()
    assert orders["o_orderdate"].max() <= real_orders["o_orderdate"].max()
    assert orders["o_clerk"].str.fullmatch(r"Clerk#\d{9}").all()
    assert data["customer"]["c_phone"].str.fullmatch(r"\d\d-\d{3}-\d{3}-\d{4}").all()
    from scipy import stats

    ks = stats.ks_2samp(orders["o_totalprice"], real_orders["o_totalprice"]).statistic
    assert ks < 0.05
    li, real_li = data["lineitem"], real["lineitem"]
    assert abs(li["l_discount"].mean() - real_li["l_discount"].mean()) < 0.002
