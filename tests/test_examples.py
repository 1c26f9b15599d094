"""The bundled ecommerce example (schema, sample CSVs, request loader) and the naive baseline generator."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from synthframe.errors import RowCountError, SampleError, SynthframeError
from synthframe.examples import (
    EXAMPLES,
    example_dir,
    example_samples_dir,
    example_schema_path,
    load_example_request,
)
from synthframe.schema import TYPES, Schema

TABLES = ("customers", "products", "orders", "order_items", "reviews")
COUNTS = {"customers": 1000, "products": 200, "orders": 3000, "order_items": 8000, "reviews": 1500}


def _load_naive():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "naive.py"
    spec = importlib.util.spec_from_file_location("synthframe_bench_naive", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


naive = _load_naive()


@pytest.fixture(scope="module")
def schema() -> Schema:
    return Schema.from_json(example_schema_path())


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """Every sample CSV read as text, empty cells as NaN, so nothing is coerced behind the test's back."""
    return {t: pd.read_csv(example_samples_dir() / f"{t}.csv", dtype=str, keep_default_na=False, na_values=[""])
            for t in TABLES}


@pytest.fixture(scope="module")
def request_() -> dict:
    return load_example_request("ecommerce")


def _key_set(frame: pd.DataFrame | list[dict], columns) -> set[tuple]:
    df = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    return set(df[list(columns)].itertuples(index=False, name=None))


# -- the schema -----------------------------------------------------------------------------

def test_examples_listed_and_files_exist():
    assert EXAMPLES == ("ecommerce",)
    assert example_dir() == example_dir("ecommerce")
    assert example_schema_path().is_file()
    assert sorted(p.name for p in example_samples_dir().glob("*.csv")) == sorted(f"{t}.csv" for t in TABLES)


def test_schema_parses_with_keys_and_order(schema):
    assert tuple(schema.tables) == TABLES
    assert schema.tables["customers"].primary_key == ("customer_id",)
    assert schema.tables["order_items"].primary_key == ("order_id", "line_number")
    refs = {(t.name, fk.columns, fk.ref_table, fk.ref_columns) for t in schema.tables.values() for fk in t.foreign_keys}
    assert refs == {
        ("orders", ("customer_id",), "customers", ("customer_id",)),
        ("order_items", ("order_id",), "orders", ("order_id",)),
        ("order_items", ("product_id",), "products", ("product_id",)),
        ("reviews", ("customer_id",), "customers", ("customer_id",)),
        ("reviews", ("product_id",), "products", ("product_id",)),
    }
    order = schema.generation_order()
    for child, parent in [("orders", "customers"), ("order_items", "orders"), ("order_items", "products"),
                          ("reviews", "customers"), ("reviews", "products")]:
        assert order.index(parent) < order.index(child)


def test_schema_showcases_types_and_hints(schema):
    used = {c.type for t in schema.tables.values() for c in t.columns.values()}
    assert used == set(TYPES) - {"uuid"}
    cust, prod, rev = schema.tables["customers"], schema.tables["products"], schema.tables["reviews"]
    assert cust.columns["email"].semantic == "email" and cust.columns["email"].unique
    assert prod.columns["sku"].pattern == "SKU-#####" and prod.columns["sku"].unique
    assert cust.columns["segment"].values == ("consumer", "corporate", "home_office")
    assert sum(cust.columns["segment"].weights) == pytest.approx(1.0)
    assert rev.columns["body"].nullable is True
    assert (rev.columns["rating"].min, rev.columns["rating"].max) == (1, 5)
    assert schema.tables["orders"].columns["total"].distribution["name"] == "lognorm"


def test_schema_round_trips(schema):
    assert Schema.from_dict(schema.to_dict()) == schema


# -- the sample CSVs -------------------------------------------------------------------------

def test_sample_headers_match_schema(schema, frames):
    for name, table in schema.tables.items():
        assert list(frames[name].columns) == list(table.columns), name


def test_sample_sizes(frames):
    sizes = {t: len(df) for t, df in frames.items()}
    assert 40 <= sizes["customers"] <= 60
    assert 25 <= sizes["products"] <= 35
    assert 70 <= sizes["orders"] <= 90
    assert 170 <= sizes["order_items"] <= 230
    assert 50 <= sizes["reviews"] <= 70


def test_sample_primary_keys_unique_and_complete(schema, frames):
    for name, table in schema.tables.items():
        df = frames[name]
        pk = list(table.primary_key)
        assert not df[pk].isna().any().any(), name
        assert not df.duplicated(pk).any(), name


def test_sample_foreign_keys_found_in_parent(schema, frames):
    checked = 0
    for name, table in schema.tables.items():
        for fk in table.foreign_keys:
            child = _key_set(frames[name], fk.columns)
            parent = _key_set(frames[fk.ref_table], fk.ref_columns)
            assert child <= parent, (name, fk.columns, sorted(child - parent)[:5])
            checked += 1
    assert checked == 5


def test_sample_values_respect_hints(schema, frames):
    """Every non-null sample value lies within the schema's min/max and among its declared values."""
    for name, table in schema.tables.items():
        for col in table.columns.values():
            raw = frames[name][col.name].dropna()
            if col.type in ("integer", "float"):
                x = pd.to_numeric(raw)
                lo = col.min if col.min is not None else -float("inf")
                hi = col.max if col.max is not None else float("inf")
                assert x.between(lo, hi).all(), f"{name}.{col.name}"
            elif col.type in ("date", "datetime") and col.min is not None:
                x = pd.to_datetime(raw)
                assert x.between(pd.Timestamp(col.min), pd.Timestamp(col.max)).all(), f"{name}.{col.name}"
            if col.values is not None:
                levels = {str(v) for v in col.values} if col.type != "float" else set(col.values)
                got = set(pd.to_numeric(raw)) if col.type == "float" else set(raw)
                assert got <= levels, f"{name}.{col.name}: {got - levels}"
            if not col.nullable:
                assert len(raw) == len(frames[name]), f"{name}.{col.name} has empty cells"


def test_sample_values_look_real(frames):
    cust, prod, orders = frames["customers"], frames["products"], frames["orders"]
    assert cust["email"].is_unique and cust["email"].str.fullmatch(r"[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}").all()
    # each email is built from the customer's own name
    first = cust["first_name"].str.lower().str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    last = cust["last_name"].str.lower().str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    local = cust["email"].str.split("@").str[0]
    assert all(ln.replace(" ", "").replace("'", "") in lp for ln, lp in zip(last, local))
    assert all(lp.startswith(fn[0]) for fn, lp in zip(first, local))
    assert prod["sku"].is_unique and prod["sku"].str.fullmatch(r"SKU-\d{5}").all()
    for df, col in [(prod, "price"), (orders, "total"), (frames["order_items"], "unit_price")]:
        assert df[col].str.fullmatch(r"\d+\.\d{2}").all(), col
    assert set(orders["status"]) == {"delivered", "shipped", "processing", "cancelled", "returned"}
    assert 0.2 <= frames["reviews"]["body"].isna().mean() <= 0.4
    assert frames["reviews"]["rating"].astype(int).isin([4, 5]).mean() > 0.6


def test_sample_dates_are_coherent(frames):
    cust = frames["customers"].set_index("customer_id")
    orders = frames["orders"]
    signup = pd.to_datetime(cust.loc[orders["customer_id"], "signup_date"]).to_numpy()
    assert (pd.to_datetime(orders["order_date"]).to_numpy() > signup).all()
    for df, col in [(cust.reset_index(), "signup_date"), (orders, "order_date"), (frames["reviews"], "created_at")]:
        years = pd.to_datetime(df[col]).dt.year
        assert years.between(2023, 2025).all(), col
    # a review comes after an order of that product by that customer
    items = frames["order_items"].merge(orders, on="order_id")
    rev = frames["reviews"].merge(items, on=["customer_id", "product_id"])
    rev = rev[pd.to_datetime(rev["created_at"]) > pd.to_datetime(rev["order_date"])]
    assert set(rev["review_id"]) == set(frames["reviews"]["review_id"])


def test_sample_line_numbers_run_one_to_k(frames):
    items = frames["order_items"].astype({"line_number": int})
    per_order = items.groupby("order_id")["line_number"]
    assert (per_order.min() == 1).all()
    assert (per_order.max() == per_order.count()).all()
    assert per_order.count().between(1, 5).all()
    assert set(frames["orders"]["order_id"]) == set(items["order_id"])


# -- the request loader ------------------------------------------------------------------------

def test_request_shape_and_counts(request_, frames):
    assert set(request_) == {"schema", "sampleData", "recordCounts"}
    assert request_["recordCounts"] == COUNTS
    assert request_["schema"] == json.loads(example_schema_path().read_text(encoding="utf-8"))
    assert tuple(request_["sampleData"]) == TABLES
    for table, records in request_["sampleData"].items():
        assert len(records) == len(frames[table])
        assert list(records[0]) == list(frames[table].columns)
    assert Schema.from_dict(request_["schema"]).tables.keys() == set(TABLES)


def test_request_records_are_typed(request_):
    data = request_["sampleData"]
    first = data["customers"][0]
    assert type(first["customer_id"]) is int
    assert type(first["lifetime_value"]) is float
    assert type(first["is_active"]) is bool
    assert type(first["signup_date"]) is str
    assert all(type(r["line_number"]) is int for r in data["order_items"])
    assert {r["discount"] for r in data["order_items"]} <= {0.0, 0.05, 0.1, 0.15, 0.2}
    titles = [r["title"] for r in data["reviews"]]
    assert titles.count(None) == 6 and "" not in titles
    phones = [r["phone"] for r in data["customers"]]
    assert None in phones and "" not in phones
    json.dumps(request_)  # the request is plain JSON data


def test_request_for_default_name(request_):
    assert load_example_request() == request_


@pytest.mark.parametrize("func", [example_dir, example_schema_path, example_samples_dir, load_example_request])
def test_unknown_example_raises(func):
    with pytest.raises(SampleError, match=r"'retail'.*ecommerce") as info:
        func("retail")
    assert isinstance(info.value, SynthframeError) and isinstance(info.value, ValueError)


# -- the naive baseline -----------------------------------------------------------------------

SMALL = {"customers": 40, "products": 15, "orders": 90, "order_items": 200, "reviews": 30}


@pytest.fixture(scope="module")
def naive_data(request_):
    return naive.naive_generate(request_["schema"], SMALL, seed=3)


def test_naive_row_counts_and_columns(naive_data, schema):
    assert {t: len(rows) for t, rows in naive_data.items()} == SMALL
    for name, rows in naive_data.items():
        assert all(list(r) == list(schema.tables[name].columns) for r in rows), name


def test_naive_keys_valid(naive_data, schema):
    for name, table in schema.tables.items():
        rows = naive_data[name]
        assert len(_key_set(rows, table.primary_key)) == len(rows), name
        for fk in table.foreign_keys:
            child = _key_set(rows, fk.columns)
            assert child <= _key_set(naive_data[fk.ref_table], fk.ref_columns), (name, fk.columns)
    lines = pd.DataFrame(naive_data["order_items"]).groupby("order_id")["line_number"]
    assert (lines.min() == 1).all() and (lines.max() == lines.count()).all()


def test_naive_values_follow_hints(naive_data):
    cust = pd.DataFrame(naive_data["customers"])
    prod = pd.DataFrame(naive_data["products"])
    rev = pd.DataFrame(naive_data["reviews"])
    assert cust["email"].is_unique and cust["email"].str.contains("@").all()
    assert set(cust["segment"]) <= {"consumer", "corporate", "home_office"}
    assert prod["sku"].str.fullmatch(r"SKU-\d{5}").all() and prod["sku"].is_unique
    assert prod["price"].between(3, 900).all()
    assert rev["rating"].between(1, 5).all()
    assert pd.to_datetime(cust["signup_date"]).between("2023-01-01", "2025-06-30").all()
    assert cust["customer_id"].tolist() == list(range(1, 41))


def test_naive_is_seeded(naive_data, request_):
    assert naive.naive_generate(request_["schema"], SMALL, seed=3) == naive_data
    other = naive.naive_generate(request_["schema"], SMALL, seed=4)
    assert other["customers"] != naive_data["customers"]


def test_naive_skips_unnamed_tables_and_needs_parents(request_):
    out = naive.naive_generate(request_["schema"], {"customers": 3, "orders": 5})
    assert set(out) == {"customers", "orders"}
    with pytest.raises(RowCountError, match="'orders' references 'customers'") as info:
        naive.naive_generate(request_["schema"], {"orders": 5})
    assert (info.value.table, info.value.column) == ("orders", "customer_id")
    with pytest.raises(RowCountError, match="'customers'") as info:
        naive.naive_generate(request_["schema"], {"customers": -1})
    assert info.value.table == "customers"


def test_naive_self_reference_and_composite_key():
    spec = {"tables": {
        "employees": {"primary_key": "employee_id",
                      "columns": {"employee_id": "integer", "manager_id": {"type": "integer", "nullable": True},
                                  "first_name": "string", "code": {"type": "string", "pattern": "EMP-###"}},
                      "foreign_keys": {"manager_id": "employees.employee_id"}},
        "shifts": {"primary_key": ["employee_id", "day"],
                   "columns": {"employee_id": "integer", "day": "integer", "hours": {"type": "float", "min": 1,
                                                                                      "max": 12}},
                   "foreign_keys": {"employee_id": "employees.employee_id"}},
    }}
    out = naive.naive_generate(spec, {"employees": 50, "shifts": 120}, seed=1)
    emp = pd.DataFrame(out["employees"])
    managed = emp.dropna(subset=["manager_id"])
    assert (managed["manager_id"] < managed["employee_id"]).all()  # only earlier rows: acyclic
    assert emp["manager_id"].isna().iloc[0]
    shifts = pd.DataFrame(out["shifts"])
    assert not shifts.duplicated(["employee_id", "day"]).any()
    assert shifts["hours"].between(1, 12).all()


def test_naive_rows_per_second(request_):
    rate = naive.naive_rows_per_second(request_["schema"], "order_items", 300, seed=0)
    assert 0 < rate < float("inf")
    with pytest.raises(RowCountError, match="Unknown table 'nope'"):
        naive.naive_rows_per_second(request_["schema"], "nope", 10)
