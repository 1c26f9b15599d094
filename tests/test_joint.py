"""The joint model and the rules found in the samples: dependencies within a row and across foreign keys."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import ModelError
from synthframe.generate import Run, generate_rows, resolve_rows, to_frame

TPCH = Path(os.environ.get("SYNTHFRAME_TPCH", Path(__file__).resolve().parents[2] / "shared/data/tpch_sf001"))


@pytest.fixture(scope="module")
def penguins() -> pd.DataFrame:
    palmerpenguins = pytest.importorskip("palmerpenguins")
    return palmerpenguins.load_penguins()


@pytest.fixture(scope="module")
def penguin_model(penguins: pd.DataFrame) -> sf.Model:
    return sf.fit(None, {"penguins": penguins})


def test_categories_follow_each_other_as_in_the_samples(penguins, penguin_model):
    out = penguin_model.sample({"penguins": 5000}, seed=1)["penguins"]
    seen = set(map(tuple, penguins[["species", "island"]].dropna().drop_duplicates().to_numpy()))
    made = out[["species", "island"]].dropna().drop_duplicates()
    # every species on the islands it lives on, never elsewhere (Gentoo only on Biscoe)
    assert set(map(tuple, made.to_numpy())) == seen
    real = penguins.groupby("species")["island"].value_counts(normalize=True)
    synthetic = out.groupby("species", observed=True)["island"].value_counts(normalize=True)
    assert (synthetic - real).abs().max() < 0.05


def test_numbers_follow_the_category_they_depend_on(penguins, penguin_model):
    out = penguin_model.sample({"penguins": 5000}, seed=2)["penguins"]
    real = penguins.groupby("species")["flipper_length_mm"].mean()
    synthetic = out.groupby("species", observed=True)["flipper_length_mm"].mean()
    # Gentoo flippers are ~27 mm longer than Adelie's; independent draws would give one mean for all
    assert ((synthetic - real).abs() / real).max() < 0.02
    assert synthetic["Gentoo"] - synthetic["Adelie"] > 20


def test_a_column_may_get_a_second_parent_from_its_row(penguins, penguin_model):
    network = penguin_model.tables["penguins"].layout["joint"]["columns"]
    seconds = {name: node["given2"]["column"] for name, node in network.items() if "given2" in node}
    assert seconds and all(network[name]["given"]["column"] != other for name, other in seconds.items())
    out = penguin_model.sample({"penguins": 5000}, seed=2)["penguins"]
    real = penguins.groupby("species")["bill_length_mm"].mean()
    synthetic = out.groupby("species", observed=True)["bill_length_mm"].mean()
    assert ((synthetic - real).abs() / real).max() < 0.03  # Chinstrap bills ~10 mm longer than Adelie's


def test_the_network_is_listed_in_the_model_and_survives_json(penguin_model):
    network = penguin_model.tables["penguins"].layout["joint"]["columns"]
    assert network["island"]["given"] == {"column": "species"}
    again = sf.Model.from_dict(json.loads(penguin_model.to_json()))
    pd.testing.assert_frame_equal(again.sample({"penguins": 500}, seed=3)["penguins"],
                                  penguin_model.sample({"penguins": 500}, seed=3)["penguins"])


def test_rows_alone_equal_the_same_rows_of_a_full_run(penguin_model):
    counts = resolve_rows(penguin_model, {"penguins": 3000})
    full = penguin_model.sample(counts, seed=4)["penguins"]
    rows = np.array([2999, 0, 17, 17, 1500])
    alone = to_frame(generate_rows(penguin_model, "penguins", rows, seed=4, counts=counts))
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), full.iloc[rows].reset_index(drop=True))


def test_a_damaged_network_entry_names_the_column(penguin_model):
    data = penguin_model.to_dict()
    data["tables"]["penguins"]["layout"]["joint"]["columns"]["island"]["given"] = {"column": "wingspan"}
    with pytest.raises(ModelError, match=r"penguins\.island.*joint"):  # loading tries a few rows of each table
        sf.Model.from_dict(data)


def _shop(seed: int, customers: int) -> dict[str, pd.DataFrame]:
    """Gold customers order ~6 times, basic ones ~1; each order is placed after the customer signed up, and
    its lines copy the product's price."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(["gold", "basic"], customers, p=[0.3, 0.7])
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, customers), unit="D")
    cust = pd.DataFrame({"id": np.arange(customers), "segment": segment, "signup": signup})
    per = np.where(segment == "gold", rng.poisson(6, customers), rng.poisson(1, customers))
    owner = np.repeat(np.arange(customers), per)
    orders = pd.DataFrame({"oid": np.arange(len(owner)), "cid": owner,
                           "placed": cust["signup"].to_numpy()[owner]
                           + pd.to_timedelta(rng.integers(0, 90, len(owner)), unit="D")})
    products = pd.DataFrame({"pid": np.arange(40), "price": np.round(rng.gamma(2.0, 20.0, 40), 2)})
    lines = pd.DataFrame({"lid": np.arange(3 * len(orders)), "oid": rng.integers(0, len(orders), 3 * len(orders)),
                          "pid": rng.integers(0, 40, 3 * len(orders))})
    lines["unit_price"] = products["price"].to_numpy()[lines["pid"]]
    return {"customers": cust, "orders": orders, "products": products, "lines": lines}


SHOP = {"tables": {
    "customers": {"primary_key": "id", "columns": {"id": "integer", "segment": "category", "signup": "date"}},
    "orders": {"primary_key": "oid", "columns": {"oid": "integer", "cid": "integer", "placed": "date"},
               "foreign_keys": {"cid": "customers.id"}},
    "products": {"primary_key": "pid", "columns": {"pid": "integer", "price": "float"}},
    "lines": {"primary_key": "lid", "columns": {"lid": "integer", "oid": "integer", "pid": "integer",
                                                "unit_price": "float"},
              "foreign_keys": {"oid": "orders.oid", "pid": "products.pid"}},
}}


@pytest.fixture(scope="module")
def shop_model() -> sf.Model:
    return sf.fit(SHOP, _shop(1, 400))


def test_rules_found_in_the_samples_are_listed(shop_model):
    assert shop_model.tables["orders"].layout["rules"] == [
        {"rule": "not before", "column": "placed", "after": "customers.signup", "foreign_key": 0}]
    assert shop_model.tables["lines"].layout["rules"] == [
        {"rule": "equals", "column": "unit_price", "parent": "products.price", "foreign_key": 1}]


def test_rules_hold_in_every_generated_row(shop_model):
    data = shop_model.sample({"customers": 5000}, seed=5)
    orders = data["orders"].merge(data["customers"], left_on="cid", right_on="id")
    assert (orders["placed"] >= orders["signup"]).all()
    gaps = (orders["placed"] - orders["signup"]).dt.days
    assert gaps.between(0, 89).all() and gaps.nunique() > 60  # the learned gap, not a constant
    latest = _shop(1, 400)["orders"]["placed"].max()
    assert orders["placed"].max() <= latest  # never after the latest date seen
    assert (orders["placed"] == latest).mean() < 0.01  # and no pile-up there
    lines = data["lines"].merge(data["products"], on="pid")
    assert (lines["unit_price"] == lines["price"]).all()
    assert sf.validate(data, shop_model.schema).empty


def test_children_per_parent_follow_the_parent(shop_model):
    given = shop_model.tables["orders"].layout["children_given"]
    assert given["column"] == "segment"
    data = shop_model.sample({"customers": 20_000}, seed=6)
    per = data["orders"].groupby("cid").size().reindex(data["customers"]["id"], fill_value=0).to_numpy()
    means = pd.Series(per).groupby(data["customers"]["segment"].to_numpy()).mean()
    real = _shop(1, 400)
    real_per = real["orders"].groupby("cid").size().reindex(real["customers"]["id"], fill_value=0).to_numpy()
    real_means = pd.Series(real_per).groupby(real["customers"]["segment"].to_numpy()).mean()
    # gold customers order several times as often, as in the samples (within 10%)
    assert ((means - real_means).abs() / real_means).max() < 0.1
    assert means["gold"] > 4 * means["basic"]


def test_children_shapes_given_the_parent_keep_rows_alone_equal(shop_model):
    counts = resolve_rows(shop_model, {"customers": 3000})
    full = shop_model.sample(counts, seed=7)["orders"]
    run = Run(shop_model, counts, 7)
    rows = np.array([len(full) - 1, 0, 123, 123])
    alone = to_frame(generate_rows(shop_model, "orders", rows, run=run))
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), full.iloc[rows].reset_index(drop=True))


@pytest.fixture(scope="module")
def tpch_model() -> sf.Model:
    if not (TPCH / "schema.json").exists():
        pytest.skip(f"TPC-H sample not found at {TPCH}")
    return sf.fit(sf.Schema.from_json(TPCH / "schema.json"), TPCH)


def test_tpch_partners_are_used_as_evenly_as_in_the_samples(tpch_model):
    assert tpch_model.tables["partsupp"].layout["partner_balanced"] is True
    data = tpch_model.sample({"part": 20_000, "supplier": 1000}, seed=9)
    partsupp = data["partsupp"]
    # four suppliers per part and 80 parts per supplier, exactly, as at every TPC-H scale
    assert set(partsupp.groupby("ps_partkey").size()) == {4}
    assert set(partsupp.groupby("ps_suppkey").size()) == {80}
    assert not partsupp.duplicated(["ps_partkey", "ps_suppkey"]).any()


def test_tpch_functional_dependency_and_status_rules(tpch_model):
    model = tpch_model
    assert {"rule": "determines", "column": "p_mfgr", "by": "p_brand"} in model.tables["part"].layout["rules"]
    data = model.sample({"part": 20_000}, seed=8)
    part = data["part"]
    # p_brand "Brand#MN" is made by "Manufacturer#M" in every sample row, and in every generated one
    assert (part["p_brand"].astype(str).str[6] == part["p_mfgr"].astype(str).str[-1]).all()
    line = data["lineitem"]
    # a line's status follows its ship date: shipped after mid-1995 means open in the samples
    late = line["l_shipdate"] > "1995-07-15"
    assert (line.loc[late, "l_linestatus"] == "O").mean() > 0.995
    assert (line.loc[line["l_shipdate"] < "1995-05-15", "l_linestatus"] == "F").mean() > 0.995


def test_tpch_reference_tables_keep_their_rows(tpch_model):
    real = {t: pd.read_parquet(TPCH / f"{t}.parquet") for t in ("nation", "region")}
    assert tpch_model.tables["nation"].layout["reference"]["rows"] == 25
    data = tpch_model.sample(seed=10)
    for table, frame in real.items():
        made = data[table].astype(str).reset_index(drop=True)
        pd.testing.assert_frame_equal(made, frame.astype(str), check_dtype=False)
    # suppliers and customers point into the kept nations: n_name is the real name of their nation
    supplier = data["supplier"].merge(data["nation"], left_on="s_nationkey", right_on="n_nationkey")
    assert len(supplier) == len(data["supplier"]) and supplier["n_name"].isin(real["nation"]["n_name"]).all()
    # asked for another size, the table is generated like any other, keys still valid
    other = tpch_model.sample({"nation": 40, "supplier": 50}, seed=10)
    assert len(other["nation"]) == 40 and sf.validate(other, tpch_model.schema).empty


def test_tables_with_numbers_or_people_are_not_kept():
    from synthframe.cli import _build_model

    model, _ = _build_model(None, None, None, "ecommerce")
    assert not any("reference" in tm.layout for tm in model.tables.values())


def test_children_counts_that_only_scatter_by_chance_do_not_grow_with_scale(tpch_model):
    from synthframe.fit import _poisson_like

    rng = np.random.default_rng(3)

    def shape(counts: np.ndarray) -> dict:
        values, freq = np.unique(counts, return_counts=True)
        return {"counts": values.tolist(), "weights": (freq / freq.sum()).tolist(), "parents": len(counts)}

    assert _poisson_like(shape(rng.poisson(7.5, 8000)))
    assert not _poisson_like(shape(rng.integers(1, 8, 15000)))  # 1..7 lines per order: no 0, no 8
    assert not _poisson_like(shape(rng.negative_binomial(2, 0.2, 5000)))  # some parents far more popular
    assert not _poisson_like(shape(np.full(300, 4)))
    # TPC-H's customers per nation (~60 each in the samples) scatter by chance: ten times the customers give
    # ~600 per nation give or take ~sqrt(600), not give or take ten times the samples' spread
    assert tpch_model.tables["customer"].layout["children_shape"] is None
    customers = tpch_model.sample({"customer": 15_000}, seed=11)["customer"]
    per_nation = customers.groupby("c_nationkey").size()
    assert len(per_nation) == 25 and per_nation.std() < 2 * np.sqrt(600)


def _deliveries(seed: int, n: int) -> pd.DataFrame:
    """Cancelled orders never ship; store orders ship the same day, web orders 1..6 days later."""
    rng = np.random.default_rng(seed)
    channel = rng.choice(["web", "store"], n, p=[0.6, 0.4])
    status = rng.choice(["delivered", "cancelled"], n, p=[0.9, 0.1])
    ordered = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    gap = np.where(channel == "store", 0, rng.integers(1, 7, n))
    shipped = pd.Series(ordered + pd.to_timedelta(gap, unit="D")).where(status != "cancelled")
    return pd.DataFrame({"id": np.arange(n), "channel": channel, "status": status, "ordered": ordered,
                         "shipped": shipped})


def test_nulls_and_date_gaps_follow_the_column_they_depend_on():
    schema = {"tables": {"orders": {"primary_key": "id", "columns": {
        "id": "integer", "channel": "category", "status": "category", "ordered": "date",
        "shipped": {"type": "date", "nullable": True}}}}}
    model = sf.fit(schema, {"orders": _deliveries(1, 600)})
    network = model.tables["orders"].layout["joint"]
    assert network["nulls"]["shipped"]["given"] == {"column": "status"}
    assert network["columns"]["shipped"]["given"] == {"column": "channel"}
    out = model.sample({"orders": 20_000}, seed=12)["orders"]
    # no ship date exactly when cancelled; same day in stores, 1..6 days on the web
    assert (out["shipped"].isna() == (out["status"] == "cancelled")).all()
    gap = (out["shipped"] - out["ordered"]).dt.days
    assert (gap[out["channel"] == "store"].dropna() == 0).all()
    assert gap[out["channel"] == "web"].dropna().between(1, 6).all()
    # the shares stay as sampled (within 5 standard errors)
    assert abs((out["status"] == "cancelled").mean() - 0.1) < 5 * np.sqrt(0.09 / 600)


def test_a_product_of_numbers_of_the_row_and_its_parent_is_kept():
    rng = np.random.default_rng(4)
    products = pd.DataFrame({"pid": np.arange(30), "price": np.round(rng.gamma(2.0, 20.0, 30), 2)})
    n = 400
    lines = pd.DataFrame({"lid": np.arange(n), "pid": rng.integers(0, 30, n), "quantity": rng.integers(1, 9, n),
                          "discount": rng.choice([0.0, 0.05, 0.1, 0.2], n)})
    lines["total"] = np.round(lines["quantity"] * products["price"].to_numpy()[lines["pid"]]
                              * (1 - lines["discount"]), 2)
    schema = {"tables": {
        "products": {"primary_key": "pid", "columns": {"pid": "integer", "price": "float"}},
        "lines": {"primary_key": "lid", "columns": {"lid": "integer", "pid": "integer", "quantity": "integer",
                                                    "discount": "float", "total": "float"},
                  "foreign_keys": {"pid": "products.pid"}}}}
    model = sf.fit(schema, {"products": products, "lines": lines})
    assert {"rule": "product", "column": "total", "of": ["quantity", "1 - discount", "products.price"]} in \
        model.tables["lines"].layout["rules"]
    data = model.sample({"products": 50, "lines": 5000}, seed=13)
    made = data["lines"].merge(data["products"], on="pid")
    # exactly the learned product, factor by factor in its order (other orders can round a half-cent apart)
    expected = np.round(made["quantity"] * (1 - made["discount"]) * made["price"], 2)
    assert (made["total"] == expected).all()
    assert (made["total"] - made["quantity"] * made["price"] * (1 - made["discount"])).abs().max() <= 0.005 + 1e-9


def test_a_product_with_a_number_of_the_parents_parent_through_a_composite_key_is_kept():
    # lineitem -> partsupp (two-column key) -> part: the line's price is its quantity times the part's price
    rng = np.random.default_rng(8)
    parts = pd.DataFrame({"pk": np.arange(40), "retail": np.round(rng.uniform(900, 2000, 40), 2)})
    supply = pd.DataFrame({"ps_pk": np.repeat(np.arange(40), 2), "ps_sk": np.tile([1, 2], 40),
                           "cost": np.round(rng.uniform(1, 1000, 80), 2)})
    n = 500
    at = rng.integers(0, 80, n)
    lines = pd.DataFrame({"lid": np.arange(n), "l_pk": supply["ps_pk"].to_numpy()[at],
                          "l_sk": supply["ps_sk"].to_numpy()[at], "qty": rng.integers(1, 51, n)})
    lines["extended"] = np.round(lines["qty"] * parts["retail"].to_numpy()[lines["l_pk"]], 2)
    schema = {"tables": {
        "part": {"primary_key": "pk", "columns": {"pk": "integer", "retail": "float"}},
        "partsupp": {"primary_key": ["ps_pk", "ps_sk"], "columns": {"ps_pk": "integer", "ps_sk": "integer",
                                                                      "cost": "float"},
                     "foreign_keys": {"ps_pk": "part.pk"}},
        "lineitem": {"primary_key": "lid", "columns": {"lid": "integer", "l_pk": "integer", "l_sk": "integer",
                                                       "qty": "integer", "extended": "float"},
                     "foreign_keys": [{"columns": ["l_pk", "l_sk"], "references": {
                         "table": "partsupp", "columns": ["ps_pk", "ps_sk"]}}]}}}
    model = sf.fit(schema, {"part": parts, "partsupp": supply, "lineitem": lines})
    assert {"rule": "product", "column": "extended", "of": ["qty", "part.retail"]} in \
        model.tables["lineitem"].layout["rules"]
    data = model.sample({"part": 300, "partsupp": 600, "lineitem": 20_000}, seed=3)
    made = data["lineitem"].merge(data["part"], left_on="l_pk", right_on="pk", how="left")
    assert made["retail"].notna().all()
    assert (made["extended"] == np.round(made["qty"] * made["retail"], 2)).all()
    # batches in any order read the same grandparent rows
    again = model.sample({"part": 300, "partsupp": 600, "lineitem": 20_000}, seed=3, batch_rows=777, workers=2)
    pd.testing.assert_frame_equal(data["lineitem"], again["lineitem"])


def test_rules_declared_in_the_schema_hold_without_samples():
    schema = {"tables": {
        "products": {"primary_key": "pid", "columns": {"pid": "integer", "price": {"type": "float", "min": 1,
                                                                                    "max": 50}}},
        "orders": {"primary_key": "oid", "columns": {
            "oid": "integer", "pid": "integer", "quantity": {"type": "integer", "min": 1, "max": 9},
            "unit_price": "float", "total": "float", "ordered": "date", "shipped": "date"},
            "foreign_keys": {"pid": "products.pid"},
            "rules": [{"rule": "equals", "column": "unit_price", "parent": "products.price"},
                      {"rule": "product", "column": "total", "of": ["quantity", "unit_price"]},
                      {"rule": "not before", "column": "shipped", "after": "ordered"}]}}}
    model = sf.fit(schema)
    assert [r["rule"] for r in model.tables["orders"].layout["rules"]] == ["equals", "product", "not before"]
    data = model.sample({"products": 40, "orders": 3000}, seed=14)
    orders = data["orders"].merge(data["products"], on="pid")
    assert (orders["unit_price"] == orders["price"]).all()
    assert (orders["total"] == np.round(orders["quantity"] * orders["unit_price"], 2)).all()
    assert ((orders["shipped"] - orders["ordered"]).dt.days.between(0, 30)).all()
    assert sf.validate(data, model.schema).empty


def test_a_rule_refused_in_the_schema_is_not_found(shop_model):
    schema = json.loads(json.dumps(SHOP))
    schema["tables"]["orders"]["rules"] = [{"rule": "none", "column": "placed"}]
    model = sf.fit(schema, _shop(1, 400))
    assert "rules" not in model.tables["orders"].layout
    assert model.tables["orders"].columns["placed"].generator["kind"] == "distribution"
    schema["tables"]["lines"]["rules"] = False  # no rule found in the whole table
    assert "rules" not in sf.fit(schema, _shop(1, 400)).tables["lines"].layout


def test_a_declared_rule_reading_an_unknown_column_is_refused():
    from synthframe.errors import SchemaError

    schema = json.loads(json.dumps(SHOP))
    schema["tables"]["orders"]["rules"] = [{"rule": "not before", "column": "placed", "after": "customers.birthday"}]
    with pytest.raises(SchemaError, match=r"orders\.placed.*customers\.birthday"):
        sf.Schema.from_dict(schema)
    schema["tables"]["orders"]["rules"] = [{"rule": "not before", "column": "cid", "after": "placed"}]
    with pytest.raises(SchemaError, match=r"orders\.cid.*date"):
        sf.Schema.from_dict(schema)


def _shipments(n: int = 600, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    shipped = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    cutoff = pd.Timestamp("2024-07-15")
    status = np.where(shipped > cutoff, "open", np.where(rng.random(n) < 0.7, "closed", "returned"))
    return pd.DataFrame({"sid": np.arange(n), "shipped": shipped, "status": status,
                         "weight": np.round(rng.gamma(2.0, 3.0, n), 2)})


SHIPMENT_SCHEMA = {"tables": {"shipments": {"primary_key": "sid", "columns": {
    "sid": "integer", "shipped": "date", "status": "category", "weight": "float"}}}}


def test_a_level_exactly_past_a_date_holds_in_every_row():
    model = sf.fit(SHIPMENT_SCHEMA, {"shipments": _shipments()})
    rule = next(r for r in model.tables["shipments"].layout["rules"] if r["rule"] == "level past a value")
    assert rule == {"rule": "level past a value", "column": "status", "level": "open", "by": "shipped",
                    "side": "above", "at": "2024-07-15"}
    out = model.sample({"shipments": 30_000}, seed=4)["shipments"]
    assert ((out["status"] == "open") == (out["shipped"] > pd.Timestamp("2024-07-15"))).all()
    before = out.loc[out["shipped"] <= pd.Timestamp("2024-07-15"), "status"]
    assert abs((before == "closed").mean() - 0.7) < 0.03  # the other levels keep their shares before the cut
    assert abs((out["status"] == "open").mean() - (out["shipped"] > pd.Timestamp("2024-07-15")).mean()) == 0


def test_a_level_past_a_date_with_one_exception_is_not_exact():
    samples = _shipments()
    early = samples.index[samples["shipped"] < pd.Timestamp("2024-03-01")][0]
    samples.loc[early, "status"] = "open"
    rules = sf.fit(SHIPMENT_SCHEMA, {"shipments": samples}).tables["shipments"].layout.get("rules", [])
    assert not [r for r in rules if r["rule"] == "level past a value"]
