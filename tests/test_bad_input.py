"""Every bad input, through the Python API and through the command line.

The API must raise a SynthframeError subclass whose ``table``/``column`` say where the
problem is and whose message names them; the CLI must exit with code 2 and print one
``error:`` line on stderr, no traceback; and nothing may be left behind that looks like
complete output.
"""

from __future__ import annotations

import copy
import errno
import importlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from cli_checks import assert_cli_error
from click.testing import CliRunner, Result

import synthframe as sf
from synthframe.cli import main
from synthframe.errors import (
    CapacityError,
    ModelError,
    OutputError,
    RowCountError,
    SampleError,
    SchemaError,
    SynthframeError,
)

generate_module = importlib.import_module("synthframe.generate")
model_module = importlib.import_module("synthframe.model")

SCHEMA: dict[str, Any] = {"tables": {
    "customers": {"primary_key": "customer_id",
                  "columns": {"customer_id": "integer", "name": "string",
                              "age": {"type": "integer", "min": 18, "max": 99}}},
    "products": {"primary_key": "product_id",
                 "columns": {"product_id": "integer", "sku": {"type": "string", "pattern": "SKU-#####", "unique": True},
                             "price": "float"}},
    "orders": {"primary_key": "order_id",
               "columns": {"order_id": "integer", "customer_id": "integer", "product_id": "integer", "amount": "float"},
               "foreign_keys": {"customer_id": "customers.customer_id", "product_id": "products.product_id"}},
}}

SAMPLES: dict[str, list[dict[str, Any]]] = {
    "customers": [{"customer_id": i, "name": f"name {i}", "age": 20 + 3 * i} for i in range(1, 13)],
    "products": [{"product_id": i, "sku": f"SKU-{10000 + 7 * i:05d}", "price": 2.5 * i + 1.25} for i in range(1, 9)],
    "orders": [{"order_id": 100 + i, "customer_id": 1 + (7 * i) % 12, "product_id": 1 + i % 8, "amount": 3.5 * i}
               for i in range(30)],
}

LINK_SCHEMA: dict[str, Any] = {"tables": {
    "parts": {"primary_key": "part_id", "columns": {"part_id": "integer"}},
    "suppliers": {"primary_key": "supplier_id", "columns": {"supplier_id": "integer"}},
    "partsupp": {"primary_key": ["part_id", "supplier_id"],
                 "columns": {"part_id": "integer", "supplier_id": "integer", "qty": {"type": "integer", "min": 1}},
                 "foreign_keys": {"part_id": "parts.part_id", "supplier_id": "suppliers.supplier_id"}},
}}


# -- helpers ------------------------------------------------------------------------------------

def changed(edit: Callable[[dict[str, Any]], Any], spec: dict[str, Any] = SCHEMA) -> dict[str, Any]:
    """A deep copy of ``spec`` with ``edit`` applied."""
    out = copy.deepcopy(spec)
    edit(out)
    return out


def assert_names(exc: SynthframeError, table: str | None, column: str | None, *needles: str) -> str:
    """``exc`` carries ``table``/``column``, its message names them and holds every needle."""
    message = str(exc)
    assert (exc.table, exc.column) == (table, column), message
    if table is not None:
        assert (f"{table}.{column}" if column else table) in message, message
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def write_folder(tmp: Path, spec: dict[str, Any] | str | None = SCHEMA,
                 samples: dict[str, list[dict[str, Any]]] | None = None) -> tuple[Path, Path]:
    """``tmp/schema.json`` (from a dict or JSON text) and ``tmp/samples/<table>.csv``."""
    schema_path = tmp / "schema.json"
    if spec is not None:
        schema_path.write_text(spec if isinstance(spec, str) else json.dumps(spec), encoding="utf-8")
    folder = tmp / "samples"
    folder.mkdir(exist_ok=True)
    for table, records in (SAMPLES if samples is None else samples).items():
        pd.DataFrame.from_records(records).to_csv(folder / f"{table}.csv", index=False)
    return schema_path, folder


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="synthframe")


def cli_generate_error(tmp: Path, spec: dict[str, Any] | str, *needles: str,
                       samples: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """`synthframe generate --schema ... --samples ...` fails with one line and writes nothing."""
    schema_path, folder = write_folder(tmp, spec, samples)
    out = tmp / "out"
    assert_cli_error(cli("generate", "--schema", schema_path, "--samples", folder, "--out", out), *needles)
    assert not out.exists()


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, SAMPLES)


@pytest.fixture(scope="module")
def model_file(model: sf.Model, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return model.save(tmp_path_factory.mktemp("model") / "model.json")


@pytest.fixture
def no_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any row is generated: the error must come before any work (a loaded model's trial of its
    first rows, :data:`synthframe.model.TRIAL_ROWS` per table, is allowed)."""
    original = generate_module.Run.rows

    def refuse(self: Any, table: str, rows: Any, columns: Any = None, **options: Any) -> pd.DataFrame:
        if len(rows) == 0 or (len(rows) <= model_module.TRIAL_ROWS and rows[-1] < model_module.TRIAL_ROWS):
            return original(self, table, rows, columns, **options)
        raise AssertionError(f"rows of {table} were generated before the error was raised")

    monkeypatch.setattr(generate_module.Run, "rows", refuse)


# -- schema: keys -------------------------------------------------------------------------------

FK_ERRORS = [
    ("unknown-table", lambda s: s["tables"]["orders"]["foreign_keys"].update({"customer_id": "clients.customer_id"}),
     "orders", "customer_id", ["unknown table 'clients'"]),
    ("unknown-column", lambda s: s["tables"]["orders"]["foreign_keys"].update({"customer_id": "customers.cust"}),
     "orders", "customer_id", ["unknown column customers.cust"]),
    ("type-mismatch", lambda s: s["tables"]["orders"]["columns"].update({"customer_id": "string"}),
     "orders", "customer_id", ["type string", "customers.customer_id has type integer"]),
    ("unknown-fk-column", lambda s: s["tables"]["orders"]["foreign_keys"].update({"buyer_id": "customers.customer_id"}),
     "orders", "buyer_id", ["not among the table's columns"]),
    ("not-the-primary-key", lambda s: s["tables"]["orders"]["foreign_keys"].update({"customer_id": "customers.age"}),
     "orders", "customer_id", ["primary key of 'customers'"]),
]


@pytest.mark.parametrize(("edit", "table", "column", "needles"), [pytest.param(*e[1:], id=e[0]) for e in FK_ERRORS])
def test_bad_foreign_key_in_the_api(edit, table: str, column: str, needles: list[str]):
    spec = changed(edit)
    with pytest.raises(SchemaError) as info:
        sf.fit(spec, SAMPLES)
    assert_names(info.value, table, column, *needles)
    with pytest.raises(SchemaError) as info:
        sf.Schema.from_json(json.dumps(spec))
    assert_names(info.value, table, column, *needles)


@pytest.mark.parametrize(("edit", "table", "column", "needles"), [pytest.param(*e[1:], id=e[0]) for e in FK_ERRORS])
def test_bad_foreign_key_on_the_command_line(tmp_path: Path, edit, table: str, column: str, needles: list[str]):
    cli_generate_error(tmp_path, changed(edit), f"{table}.{column}", *needles)


DUPLICATE_TABLE = ('{"tables": {"customers": {"columns": {"customer_id": "integer"}}, '
                   '"customers": {"columns": {"name": "string"}}}}')
DUPLICATE_COLUMN = '{"tables": {"customers": {"columns": {"age": "integer", "age": "float"}}}}'


@pytest.mark.parametrize(("text", "key"), [(DUPLICATE_TABLE, "customers"), (DUPLICATE_COLUMN, "age")],
                         ids=["table", "column"])
def test_a_name_given_twice_in_schema_json_is_an_error(tmp_path: Path, text: str, key: str):
    with pytest.raises(SchemaError, match=f"names '{key}' twice"):
        sf.Schema.from_json(text)
    path = tmp_path / "schema.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match=f"names '{key}' twice"):
        sf.fit(path, None)
    out = tmp_path / "out"
    assert_cli_error(cli("generate", "--schema", path, "--out", out), f"'{key}' twice")
    assert not out.exists()


@pytest.mark.parametrize(("text", "table", "column"), [(DUPLICATE_TABLE, "customers", None),
                                                       (DUPLICATE_COLUMN, "customers", "age")],
                         ids=["table", "column"])
def test_a_name_given_twice_in_schema_json_carries_table_and_column(text: str, table: str, column: str | None):
    with pytest.raises(SchemaError) as info:
        sf.Schema.from_json(text)
    assert_names(info.value, table, column, "twice")


def test_a_table_with_two_sample_files_is_an_error(tmp_path: Path):
    schema_path, folder = write_folder(tmp_path)
    (folder / "customers.jsonl").write_text('{"customer_id": 1, "name": "a", "age": 30}\n', encoding="utf-8")
    with pytest.raises(SampleError) as info:
        sf.read_samples(folder, sf.Schema.from_json(schema_path))
    assert_names(info.value, "customers", None, "customers.csv", "customers.jsonl")
    assert_cli_error(cli("generate", "--schema", schema_path, "--samples", folder, "-o", tmp_path / "o"),
                     "customers.csv", "customers.jsonl")


CYCLE: dict[str, Any] = {"tables": {
    "a": {"primary_key": "id", "columns": {"id": "integer", "b_id": "integer"}, "foreign_keys": {"b_id": "b.id"}},
    "b": {"primary_key": "id", "columns": {"id": "integer", "a_id": "integer"}, "foreign_keys": {"a_id": "a.id"}},
}}


def test_a_cycle_with_no_nullable_foreign_key_is_an_error(tmp_path: Path):
    with pytest.raises(SchemaError) as info:
        sf.fit(CYCLE)
    assert_names(info.value, "a", None, "a -> b -> a", "nullable")
    cli_generate_error(tmp_path, CYCLE, "a -> b -> a", samples={})


def test_a_cycle_broken_by_a_nullable_foreign_key_generates_valid_data():
    spec = changed(lambda s: s["tables"]["b"]["columns"].update({"a_id": {"type": "integer", "nullable": True}}),
                   CYCLE)
    model = sf.fit(spec)
    data = model.sample({"a": 40, "b": 15}, seed=3)
    assert {t: len(df) for t, df in data.items()} == {"a": 40, "b": 15}
    assert sf.validate(data, model.schema).empty


def test_a_non_nullable_self_reference_is_an_error(tmp_path: Path):
    spec = {"tables": {"staff": {"primary_key": "id", "foreign_keys": {"boss": "staff.id"},
                                 "columns": {"id": "integer", "boss": {"type": "integer", "nullable": False}}}}}
    with pytest.raises(SchemaError) as info:
        sf.fit(spec)
    assert_names(info.value, "staff", "boss", "must be nullable")
    cli_generate_error(tmp_path, spec, "staff.boss", samples={})


# -- samples ------------------------------------------------------------------------------------

def test_a_null_primary_key_in_the_samples_is_an_error(tmp_path: Path):
    samples = copy.deepcopy(SAMPLES)
    samples["customers"][2]["customer_id"] = None
    with pytest.raises(SampleError) as info:
        sf.fit(SCHEMA, samples)
    assert_names(info.value, "customers", "customer_id", "null in row 3")
    schema_path, folder = write_folder(tmp_path, SCHEMA, samples)
    with pytest.raises(SampleError) as info:
        sf.read_samples(folder, sf.Schema.from_json(schema_path))
    assert_names(info.value, "customers", "customer_id", "null in row 3")
    assert_cli_error(cli("generate", "--schema", schema_path, "--samples", folder, "-o", tmp_path / "out"),
                     "customers.customer_id", "row 3")


def test_a_duplicate_primary_key_in_the_samples_is_an_error():
    samples = copy.deepcopy(SAMPLES)
    samples["products"][5]["product_id"] = 2
    with pytest.raises(SampleError) as info:
        sf.fit(SCHEMA, samples)
    assert_names(info.value, "products", "product_id", "more than once", "row 6")


@pytest.mark.parametrize("source", ["records", "frame", "header-only-csv", "empty-csv"])
def test_an_empty_sample_table_is_an_error(tmp_path: Path, source: str):
    samples: Any = copy.deepcopy(SAMPLES)
    if source == "records":
        samples["customers"] = []
    elif source == "frame":
        samples = {t: pd.DataFrame.from_records(r) for t, r in samples.items()}
        samples["customers"] = samples["customers"].iloc[:0]
    else:
        _, samples = write_folder(tmp_path)
        (samples / "customers.csv").write_text("customer_id,name,age\n" if source == "header-only-csv" else "",
                                               encoding="utf-8")
    with pytest.raises(SampleError) as info:
        sf.fit(SCHEMA, samples)
    assert_names(info.value, "customers", None, "no sample rows")
    if isinstance(samples, Path):
        assert_cli_error(cli("generate", "--schema", tmp_path / "schema.json", "--samples", samples, "-o",
                             tmp_path / "out"), "'customers'", "no sample rows")
        assert_cli_error(cli("generate", "--samples", samples, "-o", tmp_path / "out"), "'customers'",
                         "no sample rows")
        assert not (tmp_path / "out").exists()


def test_an_all_null_column_is_an_error_naming_it(tmp_path: Path):
    samples = copy.deepcopy(SAMPLES)
    for record in samples["customers"]:
        record["age"] = None
    with pytest.raises(SampleError) as info:
        sf.fit(changed(lambda s: s["tables"]["customers"]["columns"].update({"age": "integer"})), samples)
    assert_names(info.value, "customers", "age", "only nulls", "'nullable': true")
    cli_generate_error(tmp_path, changed(lambda s: s["tables"]["customers"]["columns"].update({"age": "integer"})),
                       "customers.age", "only nulls", samples=samples)


def test_an_all_null_column_marked_nullable_fits_and_stays_null():
    samples = copy.deepcopy(SAMPLES)
    for record in samples["customers"]:
        record["age"] = None
    spec = changed(lambda s: s["tables"]["customers"]["columns"].update({"age": {"type": "integer",
                                                                                 "nullable": True}}))
    model = sf.fit(spec, samples)
    data = model.sample({"customers": 50}, seed=1)
    assert data["customers"]["age"].isna().all()
    assert sf.validate(data, model.schema).empty


ONE_ROW = {table: records[:1] for table, records in SAMPLES.items()}
ONE_ROW["orders"] = [{"order_id": 100, "customer_id": 1, "product_id": 1, "amount": 3.5}]


def _unbounded(spec: dict[str, Any]) -> dict[str, Any]:
    return changed(lambda s: s["tables"]["customers"]["columns"].update({"age": "integer"}), spec)


def test_a_one_row_sample_fits_and_generates_valid_data():
    model = sf.fit(_unbounded(SCHEMA), ONE_ROW)
    data = model.sample({"customers": 200, "products": 30}, seed=4)
    assert len(data["customers"]) == 200 and len(data["products"]) == 30
    assert len(data["orders"]) == 200  # one order per customer, as in the sample
    assert sf.validate(data, model.schema).empty
    assert data["customers"]["age"].eq(ONE_ROW["customers"][0]["age"]).all()  # the one value seen


def test_a_one_row_sample_without_schema_fits_and_generates_valid_data(tmp_path: Path):
    model = sf.fit(None, ONE_ROW)
    data = model.sample({"customers": 120}, seed=4)
    assert len(data["customers"]) == 120
    assert sf.validate(data, model.schema).empty
    _, folder = write_folder(tmp_path, None, ONE_ROW)
    result = cli("generate", "--samples", folder, "--rows", "customers=120", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "validated:" in result.output


def test_a_one_row_sample_of_a_bounded_column_fits_and_generates_valid_data():
    model = sf.fit(SCHEMA, ONE_ROW)
    data = model.sample({"customers": 200}, seed=4)
    assert sf.validate(data, model.schema).empty
    assert data["customers"]["age"].between(18, 99).all()


def test_a_one_row_sample_of_a_bounded_column_on_the_command_line(tmp_path: Path):
    schema_path, folder = write_folder(tmp_path, SCHEMA, ONE_ROW)
    result = cli("generate", "--schema", schema_path, "--samples", folder, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("where", ["first-row", "late-row"])
def test_a_csv_that_is_not_utf8_is_an_error(tmp_path: Path, where: str):
    schema_path, folder = write_folder(tmp_path)
    rows = [b"%d,name %d,%d" % (i, i, 20 + i % 70) for i in range(1, 60_001 if where == "late-row" else 3)]
    rows.insert(0 if where == "first-row" else len(rows) - 1, "999,Zoë Café,44".encode("latin-1"))
    (folder / "customers.csv").write_bytes(b"customer_id,name,age\n" + b"\n".join(rows) + b"\n")
    with pytest.raises(SampleError) as info:
        sf.read_samples(folder, sf.Schema.from_json(schema_path))
    assert_names(info.value, "customers", None, "customers.csv", "not UTF-8")
    with pytest.raises(SampleError):
        sf.fit(schema_path, folder)
    assert_cli_error(cli("generate", "--schema", schema_path, "--samples", folder, "-o", tmp_path / "out"),
                     "customers.csv", "not UTF-8")
    assert_cli_error(cli("infer", "--samples", folder), "customers.csv", "not UTF-8")


def test_a_schema_file_that_is_not_utf8_is_an_error(tmp_path: Path):
    path = tmp_path / "schema.json"
    path.write_bytes(json.dumps(SCHEMA).replace("name", "nämé").encode("latin-1"))
    with pytest.raises(SchemaError, match="not UTF-8"):
        sf.Schema.from_json(path)
    assert_cli_error(cli("generate", "--schema", path, "-o", tmp_path / "out"), "schema.json", "not UTF-8")


def test_a_sample_value_of_the_wrong_type_names_table_column_and_row():
    samples = copy.deepcopy(SAMPLES)
    samples["customers"][4]["age"] = "old"
    with pytest.raises(SampleError) as info:
        sf.fit(SCHEMA, samples)
    assert_names(info.value, "customers", "age", "'old'", "row 5")


# -- row counts ---------------------------------------------------------------------------------

BAD_COUNTS = [-1, 1.5, "10", True, None, math.nan, math.inf]


@pytest.mark.parametrize("count", BAD_COUNTS, ids=repr)
def test_a_bad_row_count_is_an_error_naming_the_table(tmp_path: Path, model: sf.Model, no_generation: None,
                                                      count: Any):
    with pytest.raises(RowCountError) as info:
        model.sample({"customers": count})
    assert_names(info.value, "customers", None, f"got {count!r}")
    with pytest.raises(RowCountError) as info:
        model.write({"customers": count}, tmp_path / "out")
    assert_names(info.value, "customers", None)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("count", [-1, 1.5, "10", True, None, math.nan], ids=repr)
def test_a_bad_record_count_in_a_request_file_is_one_error_line(tmp_path: Path, count: Any):
    request = {"schema": SCHEMA, "sampleData": SAMPLES, "recordCounts": {"products": 5, "customers": count}}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    assert_cli_error(cli("generate", path, "-o", tmp_path / "out"), "'customers'")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("item", ["customers=-1", "customers=1.5", "customers=ten", "customers=True"])
def test_a_bad_rows_option_is_one_error_line(tmp_path: Path, model_file: Path, item: str):
    assert_cli_error(cli("sample", model_file, "--rows", item, "-o", tmp_path / "out"), "'customers'")
    assert not (tmp_path / "out").exists()


def test_an_unknown_table_in_row_counts_is_an_error(tmp_path: Path, model: sf.Model, model_file: Path,
                                                     no_generation: None):
    with pytest.raises(RowCountError) as info:
        model.sample({"custumers": 5})
    assert_names(info.value, "custumers", None, "unknown table", "customers")
    assert_cli_error(cli("sample", model_file, "--rows", "custumers=5", "-o", tmp_path / "out"), "'custumers'")


def test_an_unknown_format_is_an_error_before_anything_is_written(tmp_path: Path, model: sf.Model,
                                                                   model_file: Path):
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="'xml'.*json, jsonl, csv, parquet"):
        model.write({"customers": 5}, out, format="xml")
    assert not out.exists()
    assert_cli_error(cli("sample", model_file, "--format", "xml", "-o", out), "'xml'")
    assert not out.exists()


def test_a_huge_request_fails_before_any_work(tmp_path: Path, model: sf.Model, model_file: Path,
                                              no_generation: None):
    out = tmp_path / "out"
    with pytest.raises(RowCountError) as info:
        model.write({"customers": 10**15}, out)
    assert_names(info.value, "customers", None, "1,000,000,000,000,000", "limit")
    with pytest.raises(RowCountError):
        model.sample({"customers": 10**15})
    assert not out.exists()
    assert_cli_error(cli("sample", model_file, "--rows", f"customers={10**15}", "-o", out), "'customers'", "limit")
    assert not out.exists()


def test_too_many_cells_in_memory_points_to_write(model: sf.Model, no_generation: None):
    with pytest.raises(RowCountError) as info:
        model.sample({"customers": 10**9})
    message = str(info.value)
    assert "too many to hold in memory" in message
    assert "Model.write" in message


def test_too_many_cells_in_memory_names_the_biggest_table(model: sf.Model, no_generation: None):
    with pytest.raises(RowCountError) as info:
        model.sample({"customers": 10**9})
    assert_names(info.value, "orders", None)  # 2.5 orders per customer: the bulk of the cells


def test_a_unique_pattern_column_cannot_hold_more_rows_than_its_format(tmp_path: Path, model: sf.Model,
                                                                       model_file: Path, no_generation: None):
    with pytest.raises(CapacityError) as info:
        model.sample({"products": 200_000})
    assert_names(info.value, "products", "sku", "100,000", "200,000")
    out = tmp_path / "out"
    with pytest.raises(CapacityError) as info:
        model.write({"products": 200_000}, out)
    assert_names(info.value, "products", "sku")
    assert not out.exists()
    assert_cli_error(cli("sample", model_file, "--rows", "products=200000", "-o", out), "products.sku", "100,000")
    assert not out.exists()


def test_a_unique_pattern_column_at_exactly_its_capacity_is_unique(model: sf.Model):
    skus = model.sample({"customers": 1, "products": 100_000, "orders": 1}, seed=2)["products"]["sku"]
    assert skus.nunique() == 100_000
    assert skus.str.fullmatch(r"SKU-\d{5}").all()


@pytest.fixture(scope="module")
def link_model() -> sf.Model:
    return sf.fit(LINK_SCHEMA)


def test_a_link_table_cannot_hold_more_rows_than_distinct_pairs(tmp_path: Path, link_model: sf.Model,
                                                               no_generation: None):
    with pytest.raises(CapacityError) as info:
        link_model.sample({"parts": 4, "suppliers": 3, "partsupp": 13})
    assert (info.value.table, info.value.column) == ("partsupp", "supplier_id")
    assert "'partsupp' is a link table" in str(info.value) and "at most 12 rows; 13 were asked" in str(info.value)
    path = link_model.save(tmp_path / "link.json")
    assert_cli_error(cli("sample", path, "--rows", "parts=4", "--rows", "suppliers=3", "--rows", "partsupp=13",
                         "-o", tmp_path / "out"), "partsupp", "at most 12 rows")
    assert not (tmp_path / "out").exists()


def test_a_link_table_with_every_pair_is_valid(link_model: sf.Model):
    data = link_model.sample({"parts": 4, "suppliers": 3, "partsupp": 12}, seed=5)
    pairs = data["partsupp"][["part_id", "supplier_id"]]
    assert not pairs.duplicated().any() and len(pairs) == 12
    assert sf.validate(data, link_model.schema).empty


def test_a_child_table_whose_parent_has_no_rows_is_an_error(tmp_path: Path, model: sf.Model, model_file: Path,
                                                            no_generation: None):
    with pytest.raises(RowCountError) as info:
        model.sample({"customers": 0, "orders": 5})
    assert_names(info.value, "orders", "customer_id", "'customers' has none")
    assert_cli_error(cli("sample", model_file, "--rows", "customers=0", "--rows", "orders=5", "-o", tmp_path / "o"),
                     "orders.customer_id", "'customers' has none")
    assert not (tmp_path / "o").exists()


def test_no_parent_rows_and_no_child_rows_is_fine(model: sf.Model):
    data = model.sample({"customers": 0, "products": 3}, seed=1)
    assert len(data["customers"]) == 0 and len(data["orders"]) == 0 and len(data["products"]) == 3
    assert list(data["orders"].columns) == list(SCHEMA["tables"]["orders"]["columns"])


@pytest.mark.parametrize("rows", ["customers", 5], ids=repr)
def test_row_counts_that_are_not_a_mapping_are_an_error(model: sf.Model, rows: Any):
    with pytest.raises(RowCountError, match="rows"):
        model.sample(rows)


def test_an_infinite_scale_is_an_error(model: sf.Model):
    with pytest.raises(RowCountError, match="scale"):
        model.sample(scale=math.inf)


@pytest.mark.parametrize("batch_rows", ["abc", 0, 1.5], ids=repr)
def test_a_bad_batch_size_is_an_error(model: sf.Model, batch_rows: Any):
    with pytest.raises(RowCountError, match="batch_rows"):
        model.sample({"customers": 5}, batch_rows=batch_rows)


# -- damaged models -----------------------------------------------------------------------------

def _damaged(tmp: Path, model: sf.Model, edit: Callable[[dict[str, Any]], Any]) -> Path:
    data = model.to_dict()
    edit(data)
    path = tmp / "damaged.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


DAMAGES = [
    ("wrong-version", lambda d: d.update(format_version=3), None, ["version 3", "reads version 2"]),
    ("version-1", lambda d: d.update(format_version=1), None, ["version 1 is not supported", "reads version 2",
                                                              "Refit the model"]),
    ("version-as-text", lambda d: d.update(format_version="1"), None, ["version '1'"]),
    ("no-version", lambda d: d.pop("format_version"), None, ["no 'format_version'"]),
    ("no-tables", lambda d: d.pop("tables"), None, ["'tables'"]),
    ("no-schema", lambda d: d.pop("schema"), None, ["'schema'"]),
    ("no-table-statistics", lambda d: d["tables"].pop("orders"), "orders", ["no statistics", "'orders'"]),
]


@pytest.mark.parametrize(("edit", "table", "needles"), [pytest.param(*d[1:], id=d[0]) for d in DAMAGES])
def test_a_damaged_model_file_is_an_error(tmp_path: Path, model: sf.Model, edit, table: str | None,
                                          needles: list[str]):
    path = _damaged(tmp_path, model, edit)
    with pytest.raises((ModelError, SchemaError)) as info:
        sf.Model.load(path)
    assert info.value.table == table
    for needle in needles:
        assert needle in str(info.value)
    out = tmp_path / "out"
    assert_cli_error(cli("sample", path, "-o", out), *needles)
    assert not out.exists()


def _bad_type(data: dict[str, Any]) -> None:
    data["schema"]["tables"]["orders"]["columns"]["amount"] = "money"


def test_a_model_with_a_broken_schema_is_an_error(tmp_path: Path, model: sf.Model):
    path = _damaged(tmp_path, model, _bad_type)
    with pytest.raises(ModelError, match=r"orders\.amount has unknown type 'money'"):
        sf.Model.load(path)
    assert_cli_error(cli("sample", path, "-o", tmp_path / "out"), "orders.amount", "'money'")


def test_a_model_with_a_broken_schema_keeps_table_and_column(tmp_path: Path, model: sf.Model):
    with pytest.raises(SynthframeError) as info:
        sf.Model.load(_damaged(tmp_path, model, _bad_type))
    assert_names(info.value, "orders", "amount", "'money'")


@pytest.mark.parametrize(("content", "needle"), [(b"{nope", "not valid JSON"), (b'{"a": "\xff"}', "not UTF-8"),
                                                 (b'{"format_version": 1, "format_version": 1}', "twice"),
                                                 (b"[1, 2]", "not a synthframe model")],
                         ids=["not-json", "not-utf8", "duplicate-key", "not-an-object"])
def test_a_model_file_that_is_not_a_model_is_an_error(tmp_path: Path, content: bytes, needle: str):
    path = tmp_path / "model.json"
    path.write_bytes(content)
    with pytest.raises(ModelError, match=needle):
        sf.Model.load(path)
    assert_cli_error(cli("sample", path), needle)


@pytest.mark.parametrize("field", ["generator", "null_rate", "type"])
def test_a_model_missing_a_column_field_names_table_and_column(tmp_path: Path, model: sf.Model, field: str):
    path = _damaged(tmp_path, model, lambda d: d["tables"]["orders"]["columns"]["amount"].pop(field))
    with pytest.raises(ModelError) as info:
        sf.Model.load(path)
    assert_names(info.value, "orders", "amount", f"'{field}'")


def test_a_model_whose_tables_are_a_list_is_an_error(tmp_path: Path, model: sf.Model):
    with pytest.raises(ModelError, match="tables"):
        sf.Model.load(_damaged(tmp_path, model, lambda d: d.update(tables=[])))


@pytest.mark.parametrize("key", ["kind", "distribution"])
def test_a_model_with_a_broken_generator_is_an_error_naming_the_column(tmp_path: Path, model: sf.Model, key: str):
    path = _damaged(tmp_path, model, lambda d: d["tables"]["orders"]["columns"]["amount"]["generator"].pop(key))
    with pytest.raises(ModelError) as info:
        sf.Model.load(path).sample({"customers": 5}, seed=1)
    assert_names(info.value, "orders", "amount")


def test_a_model_missing_a_column_is_an_error(tmp_path: Path, model: sf.Model):
    path = _damaged(tmp_path, model, lambda d: d["tables"]["orders"]["columns"].pop("amount"))
    with pytest.raises(ModelError) as info:
        sf.Model.load(path)
    assert_names(info.value, "orders", "amount")


def test_loading_a_model_from_a_folder_is_an_error(tmp_path: Path):
    with pytest.raises(ModelError, match=str(tmp_path)):
        sf.Model.load(tmp_path)


@pytest.mark.parametrize("target", ["folder", "under-a-file"])
def test_saving_a_model_to_an_unusable_path_is_an_error(tmp_path: Path, model: sf.Model, target: str):
    (tmp_path / "file").write_text("x")
    path = tmp_path / "folder" if target == "folder" else tmp_path / "file" / "model.json"
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError):
        model.save(path)


# -- interrupted writes -------------------------------------------------------------------------

def _fail_midway(monkeypatch: pytest.MonkeyPatch, table: str, error: BaseException) -> None:
    """Make generation of ``table`` fail on its second block of rows (after a first batch was written; rows
    are made at least ``MIN_BLOCK_ROWS`` at a time, so the runs below ask for more orders than that)."""
    original = generate_module.Run.rows

    def rows(self: Any, name: str, rows: Any, columns: Any = None, **options: Any) -> pd.DataFrame:
        index = np.arange(rows.start, rows.stop) if isinstance(rows, range) else np.asarray(rows)
        # the second block: contiguous rows not from 0 (the size estimate's probes are not contiguous)
        if name == table and len(index) > 1 and index[0] > 0 and bool(np.all(np.diff(index) == 1)):
            raise error
        return original(self, name, rows, columns, **options)

    monkeypatch.setattr(generate_module.Run, "rows", rows)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_an_interrupted_write_leaves_no_file_for_the_table(tmp_path: Path, model: sf.Model,
                                                           monkeypatch: pytest.MonkeyPatch, fmt: str):
    _fail_midway(monkeypatch, "orders", RuntimeError("generator failed"))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="generator failed"):
        model.write({"customers": 4000}, out, format=fmt, batch_rows=16)
    names = sorted(p.name for p in out.iterdir())
    assert f"orders.{fmt}" not in names
    assert not [n for n in names if n.startswith(".") or "partial" in n], names
    assert set(names) <= {f"customers.{fmt}", f"products.{fmt}"}  # tables finished before the failure


def test_an_interrupted_write_on_the_command_line_is_one_error_line(tmp_path: Path, model_file: Path,
                                                                    monkeypatch: pytest.MonkeyPatch):
    _fail_midway(monkeypatch, "orders", OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr(generate_module, "DEFAULT_BATCH_ROWS", 64)  # the command line has no batch option
    out = tmp_path / "out"
    result = cli("sample", model_file, "--rows", "customers=4000", "-o", out)
    assert_cli_error(result, "orders.csv", "No space left on device")
    assert sorted(p.name for p in out.iterdir()) == []  # all or nothing: no table of a failed run lands


def test_an_interrupted_rewrite_does_not_mix_two_runs(tmp_path: Path, model: sf.Model,
                                                      monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "out"
    model.write({"customers": 4000}, out, seed=1)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _fail_midway(monkeypatch, "orders", RuntimeError("generator failed"))
    with pytest.raises(RuntimeError):
        model.write({"customers": 4000}, out, seed=2, batch_rows=16)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # the earlier, consistent run is intact


def test_a_huge_scale_is_a_row_count_error_naming_the_table(model: sf.Model):
    with pytest.raises(RowCountError, match=r"Table '\w+' would get .* rows, above the limit"):
        model.sample(scale=1e308)
