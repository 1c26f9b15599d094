"""The contract battery: every registered generator kind, checked the same way.

One model holds every kind the registry knows (the first test fails when a new kind is not
covered). For each kind: any rows, in any order and with repeats, equal the same rows of a full
run; a JSON round trip of the model gives identical values; nulls and bounds hold; the first rows
of a run do not depend on its size; capacity errors name the column. A child column defined as
its parent's column equals a join against the full parent, with the parent never materialised.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthframe as sf
from synthframe.errors import CapacityError, ModelError
from synthframe.generate import SMALL_PARENT_ROWS, Run, generate_rows, resolve_rows, to_frame
from synthframe.generators import REGISTRY, generator_for
from synthframe.generators.base import TEXT_CODES
from synthframe.generators.entities import grouped_generator

SCHEMA = {"tables": {
    "customers": {"primary_key": "id", "columns": {
        "id": "integer",
        "first_name": "string", "last_name": "string",
        "email": {"type": "string", "semantic": "email", "unique": True},
        "login": {"type": "string", "semantic": "user_name", "unique": True},
        "company": {"type": "string", "semantic": "company", "unique": True},
        "website": {"type": "string", "semantic": "url", "nullable": True},
        "city": {"type": "string", "semantic": "city", "nullable": True},
        "code": {"type": "string", "pattern": "CU-#####", "unique": True},
        "motto": "string",
        "title": {"type": "string", "unique": True},
        "label": "string",
        "review": {"type": "string", "nullable": True},
        "age": {"type": "integer", "min": 18, "max": 90},
        "score": {"type": "float", "min": 0, "max": 1, "nullable": True},
        "ticket": {"type": "integer", "min": 1000, "unique": True},
        "signup": {"type": "date", "min": "2020-01-01", "max": "2024-12-31"},
        "seen_at": "datetime",
        "segment": {"type": "category", "values": {"a": 0.5, "b": 0.3, "c": 0.2}},
        "segment_rank": {"type": "integer", "nullable": True},
        "vip": "boolean",
        "token": "uuid",
    }},
    "orders": {"primary_key": "order_id", "columns": {
        "order_id": {"type": "string", "pattern": "ORD-#######"},
        "customer_id": "integer",
        "signup_copy": "date",
        "shipped": "date",
        "doubled": {"type": "float", "nullable": True},
        "total": {"type": "float", "min": 0, "max": 500},
        "status": "category",
    }, "foreign_keys": {"customer_id": "customers.id"}},
    "lines": {"primary_key": ["order_id", "line"], "columns": {
        "order_id": "string", "line": "integer",
        "product_id": {"type": "integer", "nullable": True}, "qty": {"type": "integer", "min": 1, "max": 9},
        "state": {"type": "category", "values": {"open": 0.6, "closed": 0.4}},
    }, "foreign_keys": {"order_id": "orders.order_id", "product_id": "products.product_id"}},
    "products": {"primary_key": "product_id", "columns": {"product_id": "integer", "price": "float",
                                                          "price_hour": {"type": "integer", "nullable": True},
                                                          "batch_year": {"type": "integer", "min": 2020, "max": 2024},
                                                          "batch_month": {"type": "integer", "min": 1, "max": 12},
                                                          "batch_day": {"type": "integer", "min": 1, "max": 28},
                                                          "batch_at": "datetime"}},
    "suppliers": {"primary_key": "supplier_id", "columns": {"supplier_id": "integer"}},
    "partsupp": {"primary_key": ["product_id", "supplier_id"], "columns": {
        "product_id": "integer", "supplier_id": "integer"},
        "foreign_keys": {"product_id": "products.product_id", "supplier_id": "suppliers.supplier_id"}},
    "stations": {"primary_key": "code", "columns": {"code": "string"}},
    "readings": {"primary_key": ["station", "at"], "columns": {"station": "string", "at": "datetime"},
                 "foreign_keys": {"station": "stations.code"}},
    "sites": {"primary_key": "site_id", "columns": {
        "site_id": "integer", "country": {"type": "string", "semantic": "country"},
        "city": {"type": "string", "semantic": "city"}, "state": {"type": "string", "semantic": "state"},
        "zip": {"type": "string", "semantic": "postcode"}, "phone": {"type": "string", "semantic": "phone"},
        "street": {"type": "string", "semantic": "street_address", "nullable": True},
        "employer": {"type": "string", "semantic": "company"}, "role": {"type": "string", "semantic": "job"},
        "lat": "float", "lon": "float", "zone": "category"}},
    "staff": {"primary_key": "staff_id", "columns": {
        "staff_id": "uuid", "manager_id": {"type": "uuid", "nullable": True}},
        "foreign_keys": {"manager_id": "staff.staff_id"}},
}}

COUNTS = {"sites": 300, "customers": 700, "orders": 1500, "lines": 4000, "products": 40, "suppliers": 6,
          "partsupp": 120, "staff": 300, "stations": 500, "readings": 2000}


def _with_parent_column(model: sf.Model) -> sf.Model:
    """The model with ``orders.signup_copy`` read from its customer's ``signup``, ``orders.shipped`` 0, 3
    or 7 days after it (hand-edited rules), station codes in two learned formats, and text kept as levels
    (``title`` unique) and as sentences, and a place driven by a country column."""
    data = model.to_dict()
    data["tables"]["stations"]["columns"]["code"]["generator"] = {
        "kind": "natural_key", "formats": [{"pattern": "?#", "weight": 0.25}, {"pattern": "K*?", "weight": 0.75}]}
    data["tables"]["orders"]["columns"]["doubled"]["generator"] = {
        "kind": "formula", "decimals": 2, "product": [{"column": "total"}, {"fk": 0, "column": "score"}]}
    data["tables"]["orders"]["columns"]["shipped"]["generator"] = {
        "kind": "offset", "base": {"fk": 0, "column": "signup"}, "time_unit": "D",
        "gap": {"kind": "frequencies", "values": [0, 3, 7], "weights": [0.2, 0.5, 0.3]}}
    data["tables"]["orders"]["columns"]["signup_copy"]["generator"] = {
        "kind": "parent_column", "foreign_key": 0, "column": "signup"}
    data["tables"]["orders"]["columns"]["signup_copy"]["null_rate"] = 0.0
    data["tables"]["orders"]["columns"]["total"]["generator"] = {
        "kind": "children_sum", "child": "lines", "mode": "round", "decimals": 2,
        "terms": [{"column": "qty", "form": "x", "decimals": 0}]}
    data["tables"]["orders"]["columns"]["total"]["null_rate"] = 0.0
    data["tables"]["orders"]["columns"]["status"]["generator"] = {
        "kind": "children_levels", "child": "lines", "column": "state", "levels": ["closed", "open"],
        "sets": {"closed": "done", "open": "open", "closed|open": "partly"}, "fallback": "empty"}
    data["tables"]["orders"]["columns"]["status"]["null_rate"] = 0.0
    data["tables"]["customers"]["columns"]["segment_rank"]["generator"] = {
        "kind": "lookup", "by": ["segment"], "keys": [["a"], ["b"]], "values": [[1], [2, 3]], "counts": [[4], [1, 3]],
        "fallback": {"kind": "frequencies", "values": [7, 8], "weights": [0.5, 0.5]}}
    data["tables"]["products"]["columns"]["batch_at"]["generator"] = {
        "kind": "date_parts", "parts": {"year": "batch_year", "month": "batch_month", "day": "batch_day"},
        "zone": "Europe/Berlin"}
    data["tables"]["products"]["columns"]["price_hour"]["generator"] = {"kind": "clock_part", "of": "price",
                                                                         "part": "hour"}
    customers = data["tables"]["customers"]["columns"]
    customers["title"]["generator"] = {"kind": "text", "unique": True, "text": {
        "kind": "levels", "values": ["Bamboo Cutting Board Set", "Camping Hammock", "Desk Lamp"],
        "weights": [0.5, 0.3, 0.2], "new": 0.4}}
    customers["review"]["generator"] = {"kind": "text", "text": {
        "kind": "sentences", "sentences": {"values": ["Works well.", "Arrived early.", "Too small."],
                                           "weights": [0.5, 0.3, 0.2]},
        "count": {"values": [1, 2, 3], "weights": [0.2, 0.5, 0.3]},
        "given": {"column": "segment", "association": 1.0, "groups": {"a": {
            "kind": "sentences", "sentences": {"values": ["Loyal."], "weights": [1.0]},
            "count": {"values": [1], "weights": [1.0]}}}}}}
    customers["label"]["generator"] = {**customers["title"]["generator"], "unique": False}
    customers["website"]["generator"] = {"kind": "company_domain", "url": True, "prefix": "https://www.",
                                         "tlds": {"values": ["com", "io"], "weights": [0.8, 0.2]}}
    data["tables"]["customers"]["layout"]["company"] = {"columns": {"company": "company", "website": "website"}}
    sites = data["tables"]["sites"]
    sites["columns"]["country"]["generator"] = {"kind": "place_country", "form": "name", "new": 0.2}
    sites["layout"]["place"]["columns"]["country"] = "country"
    sites["layout"]["place"]["countries"] = {"values": ["DE", "FR", "US"], "weights": [0.3, 0.2, 0.5]}
    employer, role = sites["columns"]["employer"], sites["columns"]["role"]
    employer["generator"] = {"kind": "place_company", "text": employer["generator"]["text"], "new": 0.5,
                             "seen": {"DE": {"values": ["Müller GmbH", "Fischer AG"], "weights": [0.7, 0.3]}}}
    role["generator"] = {"kind": "place_job", "text": role["generator"]["text"]}
    sites["layout"]["place"]["columns"].update(company="employer", job="role")
    for axis, name in (("latitude", "lat"), ("longitude", "lon")):  # a point within 0-12 km of the site's city
        sites["columns"][name]["generator"] = {"kind": f"place_{axis}", "distances": [0.0, 2.0, 12.0], "decimals": 5}
        sites["layout"]["place"]["columns"][axis] = name
    sites["columns"]["zone"]["generator"] = {  # a sales zone the site's country determines
        "kind": "place_country_level", "countries": {"DE": "EMEA", "FR": "EMEA", "US": "AMER"},
        "continents": {"EU": "EMEA", "NA": "AMER", "SA": "AMER"}, "default": "APAC", "levels": ["EMEA", "AMER", "APAC"]}
    sites["layout"]["place"]["columns"]["zone"] = "zone"
    return sf.Model.from_dict(data)


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return _with_parent_column(sf.fit(SCHEMA))


@pytest.fixture(scope="module")
def full(model: sf.Model) -> dict[str, pd.DataFrame]:
    return model.sample(COUNTS, seed=11)


def _kinds(model: sf.Model) -> dict[str, tuple[str, str]]:
    """One (table, column) per generator kind the model uses, by the registry's name for it."""
    run = Run(model, resolve_rows(model, COUNTS), 0)
    found: dict[str, tuple[str, str]] = {}
    for table, tm in model.tables.items():
        for column in tm.columns:
            found.setdefault(run.generator(table, column).kind, (table, column))
    return found


def test_the_battery_covers_every_registered_kind(model: sf.Model):
    assert set(_kinds(model)) == set(REGISTRY)


def test_foreign_keys_of_every_role_are_covered(model: sf.Model):
    roles = {(t, c.generator["role"]) for t, tm in model.tables.items() for c in tm.columns.values()
             if c.generator["kind"] == "foreign_key"}
    assert {r for _, r in roles} == {"owner", "partner", "draw", "self"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_rows_in_any_order_equal_the_same_rows_of_a_full_run(model, full, data):
    table = data.draw(st.sampled_from(sorted(COUNTS)))
    rows = data.draw(st.lists(st.integers(0, COUNTS[table] - 1), min_size=1, max_size=40))
    run = Run(model, resolve_rows(model, COUNTS), 11)  # a fresh run: nothing cached from the full one
    got = to_frame(generate_rows(model, table, np.array(rows), run=run))
    want = full[table].iloc[rows].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want)


def test_a_json_round_trip_gives_identical_values(model: sf.Model, full: dict[str, pd.DataFrame]):
    again = sf.Model.from_dict(json.loads(model.to_json())).sample(COUNTS, seed=11)
    for table, frame in full.items():
        pd.testing.assert_frame_equal(frame, again[table])
    for table, tm in model.tables.items():
        for column in tm.columns.values():
            generator = grouped_generator(column, table, tm.layout) or generator_for(column, table)
            assert generator.to_dict() == dict(column.generator)


def test_nulls_bounds_and_levels_hold(model: sf.Model, full: dict[str, pd.DataFrame]):
    assert sf.validate(full, model.schema).empty
    customers = full["customers"]
    for name, cm in model.tables["customers"].columns.items():
        nulls = customers[name].isna().mean()
        if cm.null_rate == 0:
            assert nulls == 0, name
        else:  # 700 rows: five standard errors of a share
            assert abs(nulls - cm.null_rate) < 5 * np.sqrt(cm.null_rate * (1 - cm.null_rate) / 700), name
    assert customers["age"].between(18, 90).all()
    assert customers["score"].dropna().between(0, 1).all()
    assert customers["signup"].between("2020-01-01", "2024-12-31").all()
    assert set(customers["segment"]) == {"a", "b", "c"}
    # midnight in Berlin of the product's batch date, as UTC: 22:00 or 23:00 the day before
    products = full["products"]
    local = products["batch_at"].dt.tz_localize("UTC").dt.tz_convert("Europe/Berlin")
    assert (local.dt.year == products["batch_year"]).all() and (local.dt.month == products["batch_month"]).all()
    assert (local.dt.day == products["batch_day"]).all() and (local.dt.hour == 0).all()
    # looked up by the segment: 1 for a, 2 or 3 for b (one in four, three in four), one value of 7, 8 for c
    ranks = customers.dropna(subset=["segment_rank"]).groupby("segment", observed=True)["segment_rank"]
    assert set(ranks.get_group("a")) == {1}
    assert abs((ranks.get_group("b") == 3).mean() - 0.75) < 5 * np.sqrt(0.75 * 0.25 / len(ranks.get_group("b")))
    assert set(ranks.get_group("c")) in ({7}, {8})
    orders = full["orders"].merge(customers, left_on="customer_id", right_on="id")
    gaps = (orders["shipped"] - orders["signup"]).dt.days[orders["shipped"].notna()]
    assert set(gaps) == {0, 3, 7}
    # the product of the order's total and its customer's score, null where the score is
    doubled = np.round(orders["total"] * orders["score"], 2)
    assert (orders["doubled"].isna() == orders["score"].isna()).all()
    assert (orders["doubled"].dropna() == doubled.dropna()).all()
    for unique in ("email", "company", "code", "ticket", "token"):
        assert customers[unique].is_unique, unique
    assert customers["code"].str.fullmatch(r"CU-\d{5}").all()
    sites = full["sites"]
    assert sites["lat"].between(-90, 90).all() and sites["lon"].between(-180, 180).all()
    zone = sites["country"].map({"Germany": "EMEA", "France": "EMEA", "United States": "AMER"})
    assert (sites["zone"].astype(str)[zone.notna()] == zone[zone.notna()]).all() and zone.notna().mean() > 0.7
    assert (sites["lat"].round(5) == sites["lat"]).all() and (sites["lon"].round(5) == sites["lon"]).all()
    assert (customers["ticket"] >= 1000).all()


def test_the_first_rows_do_not_depend_on_the_run_size(model: sf.Model):
    small = model.sample({**COUNTS, "customers": 300}, seed=5)["customers"]
    large = model.sample({**COUNTS, "customers": 5000}, seed=5)["customers"]
    pd.testing.assert_frame_equal(small, large.iloc[:300])


def test_unique_values_stay_near_the_rows_asked_for(model: sf.Model, full: dict[str, pd.DataFrame]):
    # unbounded unique integers permute ids within blocks of 1,024 rows: 700 rows stay below 1000 + 1024
    assert full["customers"]["ticket"].max() < 1000 + 1024


def test_capacity_errors_name_the_column(model: sf.Model):
    with pytest.raises(CapacityError, match=r"customers\.code.*100,000"):
        model.sample({**COUNTS, "customers": 100_001})
    with pytest.raises(CapacityError, match=r"partsupp.*at most 240 rows"):
        model.sample({**COUNTS, "partsupp": 241})


def test_a_unique_semantic_widens_instead_of_failing(model: sf.Model):
    companies = model.sample({**COUNTS, "customers": 30_000}, seed=2)["customers"]["company"]
    assert companies.is_unique
    # past a name with each suffix, a second name joins it (Smith-Jones Inc)
    assert companies.str.fullmatch(r"[^ ]+-[^ ]+ .*").any()


def test_a_child_reads_its_parent_column_without_the_parent(model: sf.Model):
    counts = {**COUNTS, "customers": SMALL_PARENT_ROWS + 30_000, "orders": 250_000}
    counts = resolve_rows(model, counts)
    customers = Run(model, counts, 3).rows("customers", range(counts["customers"]), ["id", "signup"]).to_pandas()
    rng = np.random.default_rng(0)
    for size in (1, 17, 1000):
        rows = rng.choice(counts["orders"], size=size, replace=False)
        run = Run(model, counts, 3)
        orders = generate_rows(model, "orders", rows, run=run, columns=["customer_id", "signup_copy"]).to_pandas()
        joined = orders.merge(customers, left_on="customer_id", right_on="id", how="left")
        pd.testing.assert_series_equal(joined["signup_copy"], joined["signup"], check_names=False)
        # only the parents of the rows asked for were computed: the parent table was never made
        assert 0 < run.stats["parent_rows"] <= size


def test_a_small_parent_column_is_computed_once_and_kept(model: sf.Model):
    run = Run(model, resolve_rows(model, COUNTS), 3)
    for start in range(0, 1500, 500):
        run.rows("orders", range(start, start + 500))
    # two customer columns are read (signup, for two order columns, and score): each computed once
    assert run.stats["parent_rows"] == 2 * COUNTS["customers"]


def test_hand_edited_generators_are_checked_at_load(model: sf.Model):
    data = model.to_dict()
    data["tables"]["customers"]["columns"]["age"]["generator"] = {"kind": "distribution", "min": 0}
    with pytest.raises(ModelError, match=r"customers\.age.*'distribution'.*'distribution' is missing"):
        sf.Model.from_dict(data)
    data["tables"]["customers"]["columns"]["age"]["generator"] = {"kind": "telepathy"}
    with pytest.raises(ModelError, match=r"customers\.age.*'telepathy'"):
        sf.Model.from_dict(data)
    data["tables"]["customers"]["columns"]["age"]["generator"] = {"kind": "frequencies", "values": [1, 2],
                                                                  "weights": [1.0]}
    with pytest.raises(ModelError, match=r"customers\.age.*2 levels but 1 weights"):
        sf.Model.from_dict(data)


def test_draw_returns_arrow_arrays_of_the_column_type(model: sf.Model):
    run = Run(model, resolve_rows(model, COUNTS), 1)
    batch = run.rows("customers", range(10))
    types = dict(zip(batch.schema.names, batch.schema.types))
    assert types["id"] == pa.int64() and types["score"] == pa.float64() and types["vip"] == pa.bool_()
    assert types["signup"] == pa.timestamp("s") and types["email"] == pa.string()
    assert pa.types.is_dictionary(types["segment"])


def test_a_writer_s_coded_rows_are_the_rows(model: sf.Model, full: dict[str, pd.DataFrame], tmp_path):
    """Every kind's rows as a Parquet writer takes them (pooled text as pool positions) decode to the rows, and
    the Parquet files read back as the sample."""
    run = Run(model, resolve_rows(model, COUNTS), 11)
    coded_columns = set()
    for table in COUNTS:
        coded, plain = run.rows(table, range(COUNTS[table]), coded=True), run.rows(table, range(COUNTS[table]))
        for field, column in zip(coded.schema, coded.columns):
            if TEXT_CODES in (field.metadata or {}):
                coded_columns.add(run.generator(table, field.name).kind)
                column = column.dictionary_decode()
            assert column.equals(plain.column(field.name)), (table, field.name)
    assert {"person_name", "place_city", "place_country", "place_region", "place_company", "place_job"} <= coded_columns
    written = model.write(COUNTS, tmp_path, format="parquet", seed=11, progress=False)
    for table, frame in full.items():
        back = pd.read_parquet(written[table])
        assert list(back.columns) == list(frame.columns) and len(back) == len(frame), table
        for name in frame.columns:
            if frame[name].dtype == pd.StringDtype("pyarrow"):
                assert isinstance(back[name].dtype, pd.StringDtype), (table, name)  # text, as any string column
                pd.testing.assert_series_equal(back[name], frame[name].reset_index(drop=True), check_dtype=False,
                                               check_index_type=False)
