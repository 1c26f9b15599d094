"""Tests for synthframe.validate: every check finds a planted fault, and valid data passes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthframe.errors import SchemaError, SynthframeError
from synthframe.schema import Schema
from synthframe.validate import REPORT_COLUMNS, DataValidationError, assert_valid, validate

STR = pd.StringDtype("pyarrow")

SCHEMA = Schema.from_dict({"tables": {
    "customers": {
        "primary_key": "customer_id",
        "columns": {
            "customer_id": "integer",
            "email": {"type": "string", "unique": True},
            "age": {"type": "integer", "min": 18, "max": 99, "nullable": False},
            "segment": {"type": "category", "values": {"consumer": 0.6, "corporate": 0.4}},
            "signup": {"type": "date", "min": "2020-01-01", "max": "2020-12-31T12:00:00"},
            "seen": {"type": "datetime", "max": "2021-06-30T12:00:00"},
            "uid": "uuid",
            "active": "boolean",
            "score": {"type": "float", "min": 0.0, "max": 1.0},
        },
    },
    "orders": {
        "primary_key": "order_id",
        "columns": {"order_id": "integer", "customer_id": "integer",
                    "rep_id": {"type": "integer", "nullable": False}},
        "foreign_keys": {"customer_id": "customers.customer_id", "rep_id": "customers.customer_id"},
    },
    "employees": {
        "primary_key": "employee_id",
        "columns": {"employee_id": "integer", "manager_id": "integer"},
        "foreign_keys": {"manager_id": "employees.employee_id"},
    },
    "partsupp": {
        "primary_key": ["ps_partkey", "ps_suppkey"],
        "columns": {"ps_partkey": "integer", "ps_suppkey": "integer"},
    },
    "lineitem": {
        "primary_key": ["l_orderkey", "l_linenumber"],
        "columns": {"l_orderkey": "integer", "l_linenumber": "integer",
                    "l_partkey": "integer", "l_suppkey": "integer"},
        "foreign_keys": [{"columns": ["l_partkey", "l_suppkey"],
                          "references": {"table": "partsupp", "columns": ["ps_partkey", "ps_suppkey"]}}],
    },
}})


def valid_data() -> dict[str, pd.DataFrame]:
    customers = pd.DataFrame({
        "customer_id": pd.array([1, 2, 3, 4], dtype="Int64"),
        "email": pd.array(["a@x.org", "b@x.org", None, "d@x.org"], dtype=STR),
        "age": np.array([18, 40, 99, 65], dtype=np.int64),
        "segment": pd.Categorical(["consumer", "corporate", None, "consumer"]),
        "signup": pd.to_datetime(["2020-01-01", "2020-06-15", None, "2020-12-31"]).astype("datetime64[ns]"),
        "seen": pd.to_datetime(["2021-01-01 10:11:12", None, "2021-06-30 12:00:00", "2021-03-01 00:00:00"]).astype(
            "datetime64[s]"),
        "uid": pd.array(["123e4567-e89b-12d3-a456-426614174000", None, "00000000-0000-4000-8000-00000000000A",
                         "ffffffff-ffff-4fff-bfff-ffffffffffff"], dtype=STR),
        "active": pd.array([True, False, None, True], dtype="boolean"),
        "score": np.array([0.0, 0.5, np.nan, 1.0]),
    })
    orders = pd.DataFrame({"order_id": np.arange(10, 16), "customer_id": pd.array([1, 1, 2, None, 4, 4], dtype="Int64"),
                           "rep_id": np.array([2, 2, 1, 1, 1, 1])})
    employees = pd.DataFrame({"employee_id": np.arange(1, 6),
                              "manager_id": pd.array([None, 1, 1, 2, 2], dtype="Int64")})
    partsupp = pd.DataFrame({"ps_partkey": np.repeat(np.arange(1, 4), 2), "ps_suppkey": np.tile([7, 9], 3)})
    lineitem = pd.DataFrame({
        "l_orderkey": np.array([10, 10, 11, 12]), "l_linenumber": np.array([1, 2, 1, 1]),
        "l_partkey": pd.array([1, 3, 2, None], dtype="Int64"), "l_suppkey": pd.array([9, 7, 9, None], dtype="Int64")})
    return {"customers": customers, "orders": orders, "employees": employees, "partsupp": partsupp,
            "lineitem": lineitem}


def only_problem(data: dict[str, pd.DataFrame]) -> pd.Series:
    """The single report row for data with one planted fault."""
    report = validate(data, SCHEMA)
    assert len(report) == 1, report.to_string()
    return report.iloc[0]


def test_valid_data_gives_an_empty_report_with_the_report_columns():
    report = validate(valid_data(), SCHEMA)
    assert report.empty
    assert tuple(report.columns) == REPORT_COLUMNS
    assert report["count"].dtype == np.int64
    assert_valid(valid_data(), SCHEMA)


def test_schema_may_be_given_as_plain_data():
    assert validate(valid_data(), SCHEMA.to_dict()).empty


def test_equivalent_dtypes_are_accepted():
    data = valid_data()
    c = data["customers"]
    c["customer_id"] = c["customer_id"].astype("int64")
    c["age"] = c["age"].astype("Int64")
    c["score"] = c["score"].astype("Float64")
    c["signup"] = c["signup"].astype("datetime64[s]")
    c["seen"] = c["seen"].astype("datetime64[ns]")
    c["segment"] = c["segment"].astype(STR)  # a category column may hold plain strings
    c["email"] = c["email"].astype(object)  # object holding only strings
    c["active"] = c["active"].fillna(False).astype(bool)
    assert validate(data, SCHEMA).empty


def test_dangling_foreign_key_is_found():
    data = valid_data()
    data["orders"].loc[2, "customer_id"] = 42
    data["orders"].loc[4, "customer_id"] = 43
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("orders", "customer_id", "foreign_key", 2, "42")
    assert "orders.customer_id" in row["message"] and "customers.customer_id" in row["message"]


def test_dangling_composite_foreign_key_is_found():
    data = valid_data()
    # (2, 7) exists; (2, 8) does not, though 2 and 8... and (3, 9) does not, though 3 and 9 each occur.
    data["lineitem"]["l_suppkey"] = pd.array([9, 7, 8, None], dtype="Int64")
    data["lineitem"]["l_partkey"] = pd.array([1, 3, 2, None], dtype="Int64")
    data["partsupp"] = pd.DataFrame({"ps_partkey": [1, 1, 2, 3], "ps_suppkey": [9, 7, 7, 7]})
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("lineitem", "l_partkey,l_suppkey", "foreign_key", 1, "(2, 8)")
    data["lineitem"]["l_suppkey"] = pd.array([9, 9, 7, None], dtype="Int64")  # (3, 9): both parts exist alone
    row = only_problem(data)
    assert (row["count"], row["example"]) == (1, "(3, 9)")


def test_composite_foreign_key_null_in_some_columns_only():
    data = valid_data()
    data["lineitem"]["l_suppkey"] = pd.array([9, 7, None, None], dtype="Int64")
    row = only_problem(data)
    assert (row["check"], row["count"], row["example"]) == ("foreign_key_partial_null", 1, "(2, null)")


def test_dangling_self_reference_is_found_and_null_roots_are_fine():
    data = valid_data()
    data["employees"].loc[4, "manager_id"] = 6
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("employees", "manager_id", "foreign_key", 1, "6")


def test_null_in_non_nullable_foreign_key_is_reported_as_nullable():
    data = valid_data()
    data["orders"]["rep_id"] = pd.array([2, None, 1, 1, 1, 1], dtype="Int64")
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("orders", "rep_id", "nullable", 1, "null")


def test_duplicate_primary_key_is_found():
    data = valid_data()
    data["customers"].loc[2, "customer_id"] = 2  # customer 3 has no orders
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("customers", "customer_id", "primary_key_duplicate", 2, "2")


def test_duplicate_composite_primary_key_is_found():
    data = valid_data()
    data["lineitem"]["l_linenumber"] = [1, 1, 1, 1]
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("lineitem", "l_orderkey,l_linenumber", "primary_key_duplicate", 2, "(10, 1)")


def test_null_primary_key_is_found():
    data = valid_data()
    data["customers"].loc[2, "customer_id"] = None  # customer 3 has no orders
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"]) == \
        ("customers", "customer_id", "primary_key_null", 1)
    data = valid_data()
    data["partsupp"]["ps_suppkey"] = pd.array([7, 9, None, 9, 7, 9], dtype="Int64")
    data["lineitem"] = data["lineitem"].iloc[[0, 1, 3]]
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("partsupp", "ps_partkey,ps_suppkey", "primary_key_null", 1, "(2, null)")


@pytest.mark.parametrize(("column", "value", "check", "example"), [
    ("age", 17, "min", "17"),
    ("age", 100, "max", "100"),
    ("score", -0.5, "min", "-0.5"),
    ("score", 1.25, "max", "1.25"),
    ("signup", pd.Timestamp("2019-12-31"), "min", "2019-12-31T00:00:00"),
    ("signup", pd.Timestamp("2021-01-01"), "max", "2021-01-01T00:00:00"),
    ("seen", pd.Timestamp("2021-06-30 12:00:01"), "max", "2021-06-30T12:00:01"),
])
def test_out_of_bounds_value_is_found(column, value, check, example):
    data = valid_data()
    data["customers"].loc[1, column] = value
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("customers", column, check, 1, example)


def test_date_bounds_compare_as_dates():
    # max is "2020-12-31T12:00:00": a date column holds 2020-12-31 at midnight, which is within it as a date,
    # and the minimum's own time of day must not push 2020-01-01 out either.
    data = valid_data()
    schema = Schema.from_dict({"tables": {"t": {"columns": {
        "d": {"type": "date", "min": "2020-01-01T06:00:00", "max": "2020-12-31T12:00:00"}}}}})
    ok = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2020-12-31"])})
    assert validate({"t": ok}, schema).empty
    bad = pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    row = validate({"t": bad}, schema).iloc[0]
    assert (row["check"], row["count"]) == ("max", 1)
    del data


def test_category_outside_values_is_found():
    data = valid_data()
    data["customers"]["segment"] = pd.Categorical(["consumer", "smb", "smb", "retail"])
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("customers", "segment", "values", 3, "smb")
    data["customers"]["segment"] = pd.array(["consumer", "smb", None, "corporate"], dtype=STR)
    row = only_problem(data)
    assert (row["check"], row["count"], row["example"]) == ("values", 1, "smb")


def test_unused_levels_outside_values_are_not_failures():
    data = valid_data()
    data["customers"]["segment"] = pd.Categorical(["consumer"] * 4, categories=["consumer", "unused"])
    assert validate(data, SCHEMA).empty


@pytest.mark.parametrize(("column", "values", "count"), [
    ("age", np.array([18.0, 40.0, 99.0, 65.0]), 4),                  # integer column held as floats
    ("email", np.array([1, 2, 3, 4]), 4),                              # string column held as integers
    ("score", pd.array(["0.1", "0.2", "0.3", "0.4"], dtype=STR), 4),   # float column held as strings
    ("active", np.array([1, 0, 1, 0]), 4),                             # boolean held as integers
    ("segment", np.array([1, 2, 1, 2]), 4),                            # category held as integers
    ("signup", pd.array(["2020-01-01"] * 4, dtype=STR), 4),            # date held as text
])
def test_wrong_dtype_is_found(column, values, count):
    data = valid_data()
    data["customers"][column] = values
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"]) == ("customers", column, "type", count)
    assert "customers." + column in row["message"]


def test_date_with_time_of_day_is_a_type_problem():
    data = valid_data()
    data["customers"].loc[1, "signup"] = pd.Timestamp("2020-06-15 08:30")
    row = only_problem(data)
    assert (row["column"], row["check"], row["count"], row["example"]) == ("signup", "type", 1, "2020-06-15T08:30:00")


def test_malformed_uuid_is_a_type_problem():
    data = valid_data()
    data["customers"].loc[0, "uid"] = "123e4567-e89b-12d3-a456-42661417400"  # one digit short
    data["customers"].loc[3, "uid"] = "not-a-uuid"
    row = only_problem(data)
    assert (row["column"], row["check"], row["count"], row["example"]) == \
        ("uid", "type", 2, "123e4567-e89b-12d3-a456-42661417400")


def test_null_in_non_nullable_column_is_found():
    data = valid_data()
    data["customers"]["age"] = pd.array([18, None, None, 65], dtype="Int64")
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"], row["count"], row["example"]) == \
        ("customers", "age", "nullable", 2, "null")


def test_duplicate_in_unique_column_is_found_and_nulls_do_not_count():
    data = valid_data()
    data["customers"]["email"] = pd.array(["a@x.org", None, None, "a@x.org"], dtype=STR)
    row = only_problem(data)
    assert (row["column"], row["check"], row["count"], row["example"]) == ("email", "unique", 2, "a@x.org")


def test_missing_and_unknown_tables_and_columns_are_found():
    data = valid_data()
    del data["employees"]
    data["extra"] = pd.DataFrame({"x": [1]})
    data["orders"] = data["orders"].drop(columns="rep_id").assign(note="x")
    report = validate(data, SCHEMA)
    got = set(zip(report["table"], report["column"].fillna("-"), report["check"]))
    assert got == {("extra", "-", "unknown_table"), ("employees", "-", "missing_table"),
                   ("orders", "rep_id", "missing_column"), ("orders", "note", "unknown_column")}
    assert (report["count"] == 1).all()


def test_duplicate_column_label_is_found():
    data = valid_data()
    orders = data["orders"]
    data["orders"] = pd.concat([orders, orders[["rep_id"]]], axis=1)
    row = only_problem(data)
    assert (row["table"], row["column"], row["check"]) == ("orders", "rep_id", "duplicate_column")


def test_every_problem_is_collected_in_one_report():
    data = valid_data()
    data["customers"].loc[2, "customer_id"] = 2
    data["customers"].loc[0, "age"] = 5
    data["orders"].loc[0, "customer_id"] = 99
    report = validate(data, SCHEMA)
    assert sorted(report["check"]) == ["foreign_key", "min", "primary_key_duplicate"]


def test_assert_valid_raises_a_synthframe_error_naming_the_problem():
    data = valid_data()
    data["orders"].loc[0, "customer_id"] = 99
    with pytest.raises(DataValidationError) as info:
        assert_valid(data, SCHEMA)
    err = info.value
    assert isinstance(err, SynthframeError) and isinstance(err, ValueError)
    assert (err.table, err.column) == ("orders", "customer_id")
    assert "1 validation problem(s)" in str(err) and "orders.customer_id" in str(err) and "e.g. 99" in str(err)
    assert len(err.report) == 1


def test_assert_valid_summarises_long_reports():
    data = valid_data()
    data["customers"] = data["customers"].assign(**{f"x{i}": 0 for i in range(15)})
    with pytest.raises(DataValidationError, match=r"15 validation problem\(s\)[\s\S]*and 5 more"):
        assert_valid(data, SCHEMA)


def test_non_dataframe_table_is_an_error():
    with pytest.raises(DataValidationError, match="Table 'orders' must be a pandas DataFrame"):
        validate({**valid_data(), "orders": [{"order_id": 1}]}, SCHEMA)


def test_unreadable_date_bound_is_a_schema_error():
    schema = Schema.from_dict({"tables": {"t": {"columns": {"d": {"type": "date", "min": "soon"}}}}})
    with pytest.raises(SchemaError, match=r"t\.d: 'min' 'soon'"):
        validate({"t": pd.DataFrame({"d": pd.to_datetime(["2020-01-01"])})}, schema)


def test_string_keys_and_category_foreign_keys():
    schema = Schema.from_dict({"tables": {
        "codes": {"primary_key": "code", "columns": {"code": "string"}},
        "uses": {"columns": {"code": "category"}, "foreign_keys": {"code": "codes.code"}},
    }})
    codes = pd.DataFrame({"code": pd.array(["A-1", "B-2", "C-3"], dtype=STR)})
    uses = pd.DataFrame({"code": pd.Categorical(["A-1", "C-3", None, "Z-9", "Z-9"])})
    row = validate({"codes": codes, "uses": uses}, schema).iloc[0]
    assert (row["check"], row["count"], row["example"]) == ("foreign_key", 2, "Z-9")


def test_sparse_and_wide_integer_keys():
    """Keys far apart (hash lookups) and a three-column key too wide to pack without re-coding."""
    big = 2**30
    schema = Schema.from_dict({"tables": {
        "p": {"primary_key": ["a", "b", "c"], "columns": {"a": "integer", "b": "integer", "c": "integer"}},
        "c": {"columns": {"a": "integer", "b": "integer", "c": "integer"},
              "foreign_keys": [{"columns": ["a", "b", "c"], "references": {"table": "p", "columns": ["a", "b", "c"]}}]},
        "s": {"primary_key": "k", "columns": {"k": "integer"}},
        "r": {"columns": {"k": "integer"}, "foreign_keys": {"k": "s.k"}},
    }})
    p = pd.DataFrame({"a": [0, big - 1, 5, 5], "b": [0, big - 1, 7, 8], "c": [0, big - 1, 9, 9]})
    child = pd.DataFrame({"a": [5, 5, 0, big - 1], "b": [7, 8, big - 1, big - 1], "c": [9, 9, 0, big - 1]})
    keys = np.arange(1, 200_001, dtype=np.int64) * 1_000_003
    s = pd.DataFrame({"k": keys})
    r = pd.DataFrame({"k": np.concatenate([keys[::-7], [keys[-1] + 1, 3]])})
    report = validate({"p": p, "c": child, "s": s, "r": r}, schema)
    got = set(zip(report["table"], report["check"], report["count"], report["example"]))
    assert got == {("c", "foreign_key", 1, f"(0, {big - 1}, 0)"), ("r", "foreign_key", 2, str(keys[-1] + 1))}
    p.loc[3] = [5, 7, 9]
    report = validate({"p": p, "c": child, "s": s, "r": r}, schema)
    assert ("primary_key_duplicate", 2) in set(zip(report["check"], report["count"]))


def test_duplicate_detection_on_unsorted_sparse_keys():
    schema = Schema.from_dict({"tables": {"t": {"primary_key": "k", "columns": {"k": "integer"}}}})
    keys = (np.arange(100_000, dtype=np.int64) * 7_919_993) % (2**40)
    keys = keys[::-1].copy()
    assert validate({"t": pd.DataFrame({"k": keys})}, schema).empty
    keys[500] = keys[90_000]
    row = validate({"t": pd.DataFrame({"k": keys})}, schema).iloc[0]
    assert (row["check"], row["count"], row["example"]) == ("primary_key_duplicate", 2, str(keys[500]))


keys = st.one_of(st.none(), st.integers(0, 4))


@settings(max_examples=60, deadline=None)
@given(parent=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=12, unique=True),
       child=st.lists(st.tuples(keys, keys), max_size=25))
def test_composite_foreign_key_matches_a_set_based_oracle(parent, child):
    schema = Schema.from_dict({"tables": {
        "p": {"primary_key": ["x", "y"], "columns": {"x": "integer", "y": "integer"}},
        "c": {"columns": {"x": "integer", "y": "integer"},
              "foreign_keys": [{"columns": ["x", "y"], "references": {"table": "p", "columns": ["x", "y"]}}]},
    }})
    pdf = pd.DataFrame({"x": pd.array([a for a, _ in parent], dtype="Int64"),
                        "y": pd.array([b for _, b in parent], dtype="Int64")})
    cdf = pd.DataFrame({"x": pd.array([a for a, _ in child], dtype="Int64"),
                        "y": pd.array([b for _, b in child], dtype="Int64")})
    report = validate({"p": pdf, "c": cdf}, schema).set_index("check")["count"]
    known = set(parent)
    dangling = sum(1 for a, b in child if a is not None and b is not None and (a, b) not in known)
    partial = sum(1 for a, b in child if (a is None) != (b is None))
    assert report.get("foreign_key", 0) == dangling
    assert report.get("foreign_key_partial_null", 0) == partial


def test_arrow_backed_tz_aware_object_date_and_unsigned_columns():
    schema = Schema.from_dict({"tables": {"t": {"primary_key": "k", "columns": {
        "k": "integer",
        "d": {"type": "date", "min": "2020-01-01"},
        "o": {"type": "date", "max": "2020-12-31"},
        "ts": {"type": "datetime", "min": "2020-01-01T00:00:00"},
        "f": {"type": "float", "max": 1.0},
        "u": {"type": "integer", "min": 0, "max": 1},
        "s": {"type": "category", "values": ["a", "b"]},
    }}}})
    df = pd.DataFrame({
        "k": pd.array([1, 2, 2], dtype=pd.ArrowDtype(pa.int64())),
        "d": pd.array([dt.date(2020, 1, 1), dt.date(2019, 12, 31), None], dtype=pd.ArrowDtype(pa.date32())),
        "o": pd.Series([dt.date(2020, 1, 1), dt.date(2021, 1, 1), None], dtype=object),  # as read from date32
        "ts": pd.to_datetime(["2020-01-01 00:30", "2019-12-31 23:30", "2020-06-01 00:00"]).tz_localize("Europe/Paris"),
        "f": pd.array([0.5, 1.5, None], dtype=pd.ArrowDtype(pa.float64())),
        "u": np.array([0, 1, 2], dtype=np.uint64),
        "s": pd.array(["a", "c", None], dtype=pd.ArrowDtype(pa.string())),
    })
    report = validate({"t": df}, schema)
    got = set(zip(report["column"], report["check"], report["count"], report["example"]))
    assert got == {("k", "primary_key_duplicate", 2, "2"), ("d", "min", 1, "2019-12-31"),
                   ("o", "max", 1, "2021-01-01"), ("ts", "min", 1, "2019-12-31T23:30:00+01:00"),
                   ("f", "max", 1, "1.5"), ("u", "max", 1, "2"), ("s", "values", 1, "c")}


def test_foreign_key_into_an_empty_parent_dangles():
    schema = Schema.from_dict({"tables": {
        "p": {"primary_key": "k", "columns": {"k": "integer"}},
        "c": {"columns": {"k": "integer"}, "foreign_keys": {"k": "p.k"}}}})
    report = validate({"p": pd.DataFrame({"k": pd.array([], dtype="Int64")}),
                       "c": pd.DataFrame({"k": pd.array([3, None, 4], dtype="Int64")})}, schema)
    assert list(zip(report["check"], report["count"], report["example"])) == [("foreign_key", 2, "3")]
