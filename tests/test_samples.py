"""Reading sample data from every source, coercing it to the schema, and every error path."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthframe.errors import SampleError, SynthframeError
from synthframe.samples import SAMPLE_EXTENSIONS, read_samples, records_to_frame
from synthframe.schema import Schema

SCHEMA = Schema.from_dict({"tables": {
    "customers": {
        "primary_key": "id",
        "columns": {"id": "integer", "zip": "string", "vip": "boolean", "score": "float", "signup": "date",
                    "seen": "datetime", "uid": "uuid", "segment": "category", "note": "string"},
    },
    "orders": {
        "primary_key": "order_id",
        "columns": {"order_id": "integer", "customer_id": "integer", "total": "float"},
        "foreign_keys": {"customer_id": "customers.id"},
    },
    "lines": {
        "primary_key": ["order_id", "line"],
        "columns": {"order_id": "integer", "line": "integer", "qty": "integer"},
        "foreign_keys": {"order_id": "orders.order_id"},
    },
}})

UUID = "123e4567-e89b-12d3-a456-426614174000"


def error_of(source, schema=SCHEMA) -> SampleError:
    with pytest.raises(SampleError) as info:
        read_samples(source, schema)
    assert isinstance(info.value, SynthframeError) and isinstance(info.value, ValueError)
    return info.value


# -- sources ----------------------------------------------------------------------------

def test_records_are_coerced_to_schema_dtypes():
    records = {"customers": [
        {"id": 1, "zip": "02134", "vip": "Yes", "score": 1.5, "signup": "2020-01-02T13:45:00",
         "seen": "2020-01-01T10:00:00+02:00", "uid": UUID, "segment": "a"},
        {"id": "2", "zip": None, "vip": "f", "score": None, "signup": "2020-01-03", "seen": "2020-01-02 11:00",
         "uid": None, "segment": "b"},
    ]}
    df = read_samples(records, SCHEMA)["customers"]
    assert list(df.columns) == ["id", "zip", "vip", "score", "signup", "seen", "uid", "segment"]  # note: no samples
    assert dict(df.dtypes.astype(str)) == {
        "id": "Int64", "zip": "string", "vip": "boolean", "score": "float64", "signup": "datetime64[us]",
        "seen": "datetime64[us]", "uid": "string", "segment": "string"}
    assert df["id"].tolist() == [1, 2]
    assert df["zip"].tolist() == ["02134", pd.NA]
    assert df["vip"].tolist() == [True, False]
    assert df["score"].iloc[0] == 1.5 and np.isnan(df["score"].iloc[1])
    assert df["signup"].tolist() == [pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-03")]  # normalized
    assert df["seen"].tolist() == [pd.Timestamp("2020-01-01 08:00"), pd.Timestamp("2020-01-02 11:00")]  # UTC


def test_records_to_frame_keeps_integers_with_nulls_exact():
    df = records_to_frame("t", [{"a": 2**53 + 1, "b": "x"}, {"a": None, "c": 2.5}])
    assert list(df.columns) == ["a", "b", "c"]
    assert str(df["a"].dtype) == "Int64" and df["a"].iloc[0] == 2**53 + 1 and df["a"].isna().iloc[1]
    mixed = records_to_frame("t", [{"a": 1}, {"a": "x"}])  # mixed JSON types still read
    assert mixed["a"].tolist() == [1, "x"]


@pytest.mark.parametrize("records", [{"a": 1}, "rows", [{"a": 1}, 3], [[1, 2]]])
def test_records_must_be_a_list_of_objects(records):
    with pytest.raises(SampleError, match="'orders'") as info:
        records_to_frame("orders", records)
    assert info.value.table == "orders"


def test_dataframes_and_arrow_tables_are_accepted():
    frame = pd.DataFrame({"order_id": [10, 11], "customer_id": [1.0, np.nan], "total": ["1.5", "2"]})
    frame.index = [5, 9]
    arrow = pa.table({"order_id": [1, 1], "line": [1, 2], "qty": [3, 4]})
    out = read_samples({"orders": frame, "lines": arrow}, SCHEMA)
    assert out["orders"].index.tolist() == [0, 1]
    assert out["orders"]["customer_id"].tolist() == [1, pd.NA]
    assert str(out["orders"]["customer_id"].dtype) == "Int64"
    assert out["orders"]["total"].tolist() == [1.5, 2.0]
    assert out["lines"]["qty"].tolist() == [3, 4]


def test_named_index_comes_back_as_a_column():
    frame = pd.DataFrame({"order_id": [10, 11], "total": [1.0, 2.0]}).set_index("order_id")
    out = read_samples({"orders": frame}, SCHEMA)["orders"]
    assert out["order_id"].tolist() == [10, 11]


def test_folder_with_one_file_per_format(tmp_path: Path):
    (tmp_path / "customers.csv").write_text("id,zip,segment\n1,02134,a\n2,10001,b\n", encoding="utf-8")
    (tmp_path / "orders.json").write_text(json.dumps([{"order_id": 7, "customer_id": 1, "total": 9.5}]))
    (tmp_path / "lines.jsonl").write_text('{"order_id": 7, "line": 1, "qty": 2}\n\n{"order_id": 7, "line": 2}\n')
    (tmp_path / "schema.json").write_text(json.dumps(SCHEMA.to_dict()))  # kept beside the samples: skipped
    (tmp_path / "README.md").write_text("not a table")
    out = read_samples(tmp_path, SCHEMA)
    assert sorted(out) == ["customers", "lines", "orders"]
    assert out["customers"]["zip"].tolist() == ["02134", "10001"]  # text columns keep leading zeros
    assert out["orders"]["total"].tolist() == [9.5]
    assert out["lines"]["qty"].tolist() == [2, pd.NA]
    raw = read_samples(str(tmp_path))  # no schema: types as inferred by the reader
    assert raw["customers"]["zip"].tolist() == [2134, 10001]


def test_parquet_dates_timestamps_and_time_zones(tmp_path: Path):
    table = pa.table({
        "id": pa.array([1, 2], pa.int32()),
        "signup": pa.array([pd.Timestamp("2021-05-06").date(), None], pa.date32()),
        "seen": pa.array([pd.Timestamp("2021-05-06 12:00", tz="America/New_York"), None], pa.timestamp("us", "UTC")),
    })
    pq.write_table(table, tmp_path / "customers.parquet")
    df = read_samples(tmp_path / "customers.parquet", SCHEMA)["customers"]
    assert str(df["signup"].dtype) == "datetime64[us]" and df["signup"].iloc[0] == pd.Timestamp("2021-05-06")
    assert df["seen"].iloc[0] == pd.Timestamp("2021-05-06 16:00")  # 12:00 EDT is 16:00 UTC, now tz-naive
    assert df["seen"].dt.tz is None and df["seen"].isna().iloc[1]
    assert str(df["id"].dtype) == "Int64"


def test_one_json_file_of_tables_and_a_single_csv(tmp_path: Path):
    both = tmp_path / "all.json"
    both.write_text(json.dumps({"orders": [{"order_id": 1, "total": 2}], "lines": [{"order_id": 1, "line": 1}]}))
    out = read_samples(both, SCHEMA)
    assert sorted(out) == ["lines", "orders"] and out["orders"]["total"].tolist() == [2.0]
    single = tmp_path / "orders.csv"
    single.write_bytes("\ufefforder_id,total\n1,3.25\n".encode())  # BOM is fine
    assert read_samples(single, SCHEMA)["orders"]["total"].tolist() == [3.25]


def test_csv_nulls_and_na_text(tmp_path: Path):
    path = tmp_path / "customers.csv"
    path.write_text("id,zip,segment,score\n1,NA,,\n2,null,x,NaN\n", encoding="utf-8")
    df = read_samples(path, SCHEMA)["customers"]
    assert df["zip"].tolist() == ["NA", pd.NA]  # 'NA' is a value (Namibia), 'null' is null
    assert df["segment"].tolist() == [pd.NA, "x"]
    assert df["score"].isna().all()


def test_csv_odd_value_beyond_the_typing_block_is_located(tmp_path: Path):
    n = 250_000  # Arrow guesses types from the first megabyte; the bad value is well past it
    path = tmp_path / "lines.csv"
    body = "\n".join(f"1,{i},{i % 7}" for i in range(1, n + 1))
    path.write_text(f"order_id,line,qty\n{body}\n1,{n + 1},abc\n", encoding="utf-8")
    with pytest.raises(SampleError, match=rf"lines\.qty: value 'abc' \(row {n + 1}\) is not an integer"):
        read_samples(path, SCHEMA)
    raw = read_samples(path)["lines"]  # without a schema the numbers are the majority: 'abc' is a null
    assert raw["qty"].dtype == "Int64" and raw["qty"].isna().sum() == 1 and pd.isna(raw["qty"].iloc[-1])
    assert raw["qty"].iloc[0] == 1


def test_missing_schema_columns_are_left_out():
    df = read_samples({"orders": [{"order_id": 1}]}, SCHEMA)["orders"]
    assert list(df.columns) == ["order_id"]


def test_columns_follow_schema_order():
    df = read_samples({"orders": [{"total": 1.0, "order_id": 1}]}, SCHEMA)["orders"]
    assert list(df.columns) == ["order_id", "total"]


# -- coercion rules ---------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (["true", "FALSE", "t", "F", "Yes", "no", "1", "0", None], [True, False, True, False, True, False, True, False,
                                                                 pd.NA]),
    ([1, 0, None], [True, False, pd.NA]),
    ([True, False], [True, False]),
])
def test_boolean_spellings(raw, expected):
    rows = [{"id": i, "vip": v} for i, v in enumerate(raw)]
    assert read_samples({"customers": rows}, SCHEMA)["customers"]["vip"].tolist() == expected


def test_integer_accepts_whole_floats_and_rejects_fractions():
    ok = read_samples({"orders": [{"order_id": 3.0}, {"order_id": "4"}, {"order_id": " 5 "}]}, SCHEMA)
    assert ok["orders"]["order_id"].tolist() == [3, 4, 5]
    err = error_of({"orders": [{"order_id": 1}, {"order_id": 3.5}]})
    assert str(err) == ("orders.order_id: value 3.5 (row 2) is not an integer; fix the sample or declare the "
                        "column as float.")
    assert (err.table, err.column) == ("orders", "order_id")


def test_bad_float_names_table_column_value_and_row():
    rows = [{"order_id": i, "total": "1.5"} for i in range(1, 17)] + [{"order_id": 17, "total": "abc"}]
    err = error_of({"orders": rows})
    assert str(err) == ("orders.total: value 'abc' (row 17) is not a float; fix the sample or declare the column "
                        "as string.")
    assert (err.table, err.column) == ("orders", "total")


@pytest.mark.parametrize("column, value, what", [
    ("vip", "maybe", "a boolean"),
    ("vip", 2, "a boolean"),
    ("signup", "2020-13-45", "a date"),
    ("seen", "yesterday", "a datetime"),
    ("seen", 1700000000, "a datetime"),
    ("uid", "not-a-uuid", "a UUID"),
    ("score", True, "a float"),
])
def test_uncoercible_values(column, value, what):
    err = error_of({"customers": [{"id": 1, column: value}]})
    assert f"customers.{column}: value {value!r} (row 1) is not {what}" in str(err)
    assert err.column == column


def test_string_columns_render_whole_floats_as_integers():
    frame = pd.DataFrame({"id": [1, 2], "note": [12.0, np.nan], "zip": [1.5, 2.0]})
    df = read_samples({"customers": frame}, SCHEMA)["customers"]
    assert df["note"].tolist() == ["12", pd.NA]
    assert df["zip"].tolist() == ["1.5", "2.0"]


# -- keys -------------------------------------------------------------------------------

def test_primary_key_nulls():
    err = error_of({"orders": [{"order_id": 1}, {"order_id": None}]})
    assert "orders.order_id" in str(err) and "row 2" in str(err) and err.column == "order_id"


def test_duplicate_primary_key():
    err = error_of({"orders": [{"order_id": 1}, {"order_id": 2}, {"order_id": 1}]})
    assert "orders.order_id" in str(err) and "1" in str(err) and "row 3" in str(err) and "unique" in str(err)


def test_duplicate_composite_primary_key():
    rows = [{"order_id": 1, "line": 1}, {"order_id": 1, "line": 2}, {"order_id": 1, "line": 2}]
    err = error_of({"lines": rows})
    assert "lines.(order_id, line)" in str(err) and "(1, 2)" in str(err) and "row 3" in str(err)
    assert read_samples({"lines": rows[:2]}, SCHEMA)["lines"]["line"].tolist() == [1, 2]


# -- errors: tables, columns, files ------------------------------------------------------

def test_unknown_table_lists_known_tables():
    err = error_of({"invoices": [{"a": 1}]})
    assert "'invoices'" in str(err) and "['customers', 'lines', 'orders']" in str(err) and err.table == "invoices"


def test_unknown_column_names_table_column():
    err = error_of({"orders": [{"order_id": 1, "coupon": "X"}]})
    assert "orders.coupon" in str(err) and "add them to table 'orders'" in str(err) and err.column == "coupon"


@pytest.mark.parametrize("schema", [SCHEMA, None])
def test_empty_table(schema, tmp_path: Path):
    err = error_of({"orders": []}, schema)
    assert str(err) == "table 'orders' has no sample rows; add rows or remove it from the samples."
    (tmp_path / "orders.csv").write_text("order_id,total\n", encoding="utf-8")
    assert "no sample rows" in str(error_of(tmp_path, schema))


def test_non_utf8_csv(tmp_path: Path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"id,note\n1,caf" + "é".encode("latin-1") + b"\n")
    for schema in (SCHEMA, None):
        err = error_of(path, schema)
        assert "customers.csv" in str(err) and "'customers'" in str(err) and "re-save it as UTF-8" in str(err)
        assert err.table == "customers"


def test_non_utf8_json(tmp_path: Path):
    path = tmp_path / "orders.json"
    path.write_bytes(b'[{"order_id": 1, "note": "' + "é".encode("latin-1") + b'"}]')
    assert "UTF-8" in str(error_of(path))


def test_duplicate_key_json(tmp_path: Path):
    path = tmp_path / "orders.json"
    path.write_text('[{"order_id": 1, "total": 2, "total": 3}]', encoding="utf-8")
    err = error_of(path)
    assert "'total' twice" in str(err) and err.table == "orders"
    tables = tmp_path / "all.json"
    tables.write_text('{"orders": [{"order_id": 1}], "orders": []}', encoding="utf-8")
    assert "'orders' twice" in str(error_of(tables))


def test_duplicate_key_json_lines(tmp_path: Path):
    path = tmp_path / "orders.jsonl"
    path.write_text('{"order_id": 1}\n{"order_id": 2, "order_id": 3}\n', encoding="utf-8")
    err = error_of(path)
    assert "order_id" in str(err) and "twice" in str(err) and err.table == "orders"


def test_json_lines_with_mixed_types_fall_back(tmp_path: Path):
    path = tmp_path / "orders.ndjson"
    path.write_text('{"order_id": 1, "total": 2}\n{"order_id": 2, "total": "3.5"}\n', encoding="utf-8")
    assert read_samples(path, SCHEMA)["orders"]["total"].tolist() == [2.0, 3.5]
    bad = tmp_path / "lines.ndjson"
    bad.write_text('{"order_id": 1}\n{"order_id": 1, "line": \n', encoding="utf-8")
    assert "not valid JSON" in str(error_of(bad))


def test_invalid_json(tmp_path: Path):
    path = tmp_path / "orders.json"
    path.write_text('[{"order_id": 1,}]', encoding="utf-8")
    assert "not valid JSON" in str(error_of(path))


def test_json_object_of_non_lists(tmp_path: Path):
    path = tmp_path / "all.json"
    path.write_text('{"orders": {"order_id": 1}}', encoding="utf-8")
    err = error_of(path)
    assert "list of records" in str(err) and err.table == "orders"


def test_json_object_in_a_folder(tmp_path: Path):
    (tmp_path / "orders.json").write_text('{"orders": [{"order_id": 1}]}', encoding="utf-8")
    assert "list of records of table 'orders'" in str(error_of(tmp_path))


def test_unknown_extension(tmp_path: Path):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(b"PK")
    err = error_of(path)
    assert "'.xlsx'" in str(err) and all(ext in str(err) for ext in SAMPLE_EXTENSIONS)


def test_missing_path_and_empty_folder(tmp_path: Path):
    assert "does not exist" in str(error_of(tmp_path / "nope"))
    (tmp_path / "notes.txt").write_text("x")
    assert "holds no table files" in str(error_of(tmp_path))


def test_two_files_for_one_table(tmp_path: Path):
    (tmp_path / "orders.csv").write_text("order_id\n1\n")
    (tmp_path / "orders.json").write_text('[{"order_id": 1}]')
    err = error_of(tmp_path)
    assert "orders.csv" in str(err) and "orders.json" in str(err) and err.table == "orders"


def test_unreadable_parquet(tmp_path: Path):
    path = tmp_path / "orders.parquet"
    path.write_bytes(b"this is not parquet")
    err = error_of(path)
    assert "cannot be read" in str(err) and err.table == "orders"


def test_duplicate_csv_header(tmp_path: Path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,total,total\n1,2,3\n")
    err = error_of(path)
    assert "'total' twice" in str(err) and err.column == "total"


def test_empty_csv_file_and_duplicate_frame_columns(tmp_path: Path):
    (tmp_path / "orders.csv").write_bytes(b"")
    assert "table 'orders' has no sample rows" in str(error_of(tmp_path))
    frame = pd.DataFrame([[1, 2, 3]], columns=["order_id", "total", "total"])
    err = error_of({"orders": frame})
    assert "'total' twice" in str(err) and err.column == "total"


@pytest.mark.parametrize("source", [42, ["orders"], {"": [{"a": 1}]}, {1: [{"a": 1}]}])
def test_bad_source_types(source):
    with pytest.raises(SampleError):
        read_samples(source)


# -- speed ------------------------------------------------------------------------------

def test_million_rows_read_and_coerce_in_seconds(tmp_path: Path):
    n = 1_000_000
    rng = np.random.default_rng(3)
    table = pa.table({"order_id": np.arange(1, n + 1), "customer_id": rng.integers(1, 5000, n),
                      "total": rng.normal(100, 10, n)})
    pq.write_table(table, tmp_path / "orders.parquet")
    start = time.perf_counter()
    df = read_samples(tmp_path, SCHEMA)["orders"]
    assert time.perf_counter() - start < 10
    assert len(df) == n and df["order_id"].iloc[-1] == n and str(df["customer_id"].dtype) == "Int64"
