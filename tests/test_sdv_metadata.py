"""SDV metadata read as a synthframe schema: the mapping of every sdtype, keys, relationships, the
older forms, automatic recognition, and every malformed input as a SchemaError naming where."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import synthframe as sf
from synthframe.errors import SchemaError
from synthframe.sdv_metadata import looks_like_sdv, regex_integer_range, regex_to_pattern, to_schema_dict

# Shaped like SDV's demo dataset 'fake_hotels' (sdv.datasets.demo.download_demo('multi_table', 'fake_hotels')).
HOTELS_METADATA: dict[str, Any] = {
    "METADATA_SPEC_VERSION": "V1",
    "tables": {
        "hotels": {
            "primary_key": "hotel_id",
            "columns": {
                "hotel_id": {"sdtype": "id", "regex_format": "HID_[0-9]{3,4}"},
                "city": {"sdtype": "city", "pii": True},
                "state": {"sdtype": "administrative_unit", "pii": True},
                "rating": {"sdtype": "numerical", "computer_representation": "Float"},
                "classification": {"sdtype": "categorical"},
            },
        },
        "guests": {
            "primary_key": "guest_email",
            "alternate_keys": ["credit_card_number"],
            "columns": {
                "guest_email": {"sdtype": "email", "pii": True},
                "hotel_id": {"sdtype": "id", "regex_format": "HID_[0-9]{3,4}"},
                "has_rewards": {"sdtype": "boolean"},
                "room_type": {"sdtype": "categorical", "order_by": "alphabetical"},
                "amenities_fee": {"sdtype": "numerical", "computer_representation": "Float"},
                "checkin_date": {"sdtype": "datetime", "datetime_format": "%d %b %Y"},
                "checkout_date": {"sdtype": "datetime", "datetime_format": "%d %b %Y"},
                "room_rate": {"sdtype": "numerical", "computer_representation": "Float"},
                "nights": {"sdtype": "numerical", "computer_representation": "Int64"},
                "phone": {"sdtype": "phone_number", "pii": True},
                "billing_address": {"sdtype": "address", "pii": True},
                "credit_card_number": {"sdtype": "credit_card_number", "pii": True},
            },
        },
    },
    "relationships": [{"parent_table_name": "hotels", "parent_primary_key": "hotel_id",
                       "child_table_name": "guests", "child_foreign_key": "hotel_id"}],
}


def hotel_samples() -> dict[str, pd.DataFrame]:
    hotels = pd.DataFrame({
        "hotel_id": [f"HID_{i:03d}" for i in range(8)],
        "city": ["Boston", "Austin", "Denver", "Miami", "Seattle", "Boston", "Austin", "Tampa"],
        "state": ["MA", "TX", "CO", "FL", "WA", "MA", "TX", "FL"],
        "rating": [4.1, 3.2, 4.8, 2.9, 3.3, 4.0, 4.4, 3.9],
        "classification": ["luxury", "budget", "luxury", "budget", "budget", "luxury", "budget", "luxury"],
    })
    n = 24
    checkin = pd.date_range("2020-01-01", periods=n, freq="3D")
    guests = pd.DataFrame({
        "guest_email": [f"guest{i}@example.com" for i in range(n)],
        "hotel_id": [f"HID_{i % 8:03d}" for i in range(n)],
        "has_rewards": [i % 3 == 0 for i in range(n)],
        "room_type": (["BASIC", "DELUXE", "SUITE"] * 8)[:n],
        "amenities_fee": [0.0, 12.5, 30.25, None] * 6,
        "checkin_date": checkin.strftime("%Y-%m-%d"),
        "checkout_date": (checkin + pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
        "room_rate": [110.0 + 7 * i for i in range(n)],
        "nights": [2] * n,
        "phone": [f"+1-555-01{i:02d}" for i in range(n)],
        "billing_address": [f"{i} Main St, Springfield" for i in range(n)],
        "credit_card_number": [f"4111111111{i:06d}" for i in range(n)],
    })
    return {"hotels": hotels, "guests": guests}


# -- the realistic case, end to end ----------------------------------------------------------

def test_hotels_metadata_becomes_a_schema() -> None:
    schema = sf.Schema.from_sdv(HOTELS_METADATA)
    hotels, guests = schema.tables["hotels"], schema.tables["guests"]
    assert hotels.primary_key == ("hotel_id",) and guests.primary_key == ("guest_email",)
    assert hotels.columns["hotel_id"].type == "string" and hotels.columns["hotel_id"].pattern == "HID_####"
    assert hotels.columns["city"].semantic == "city" and hotels.columns["state"].semantic == "state"
    assert hotels.columns["rating"].type == "float" and hotels.columns["classification"].type == "category"
    assert guests.columns["guest_email"].semantic == "email" and guests.columns["phone"].semantic == "phone_number"
    assert guests.columns["checkin_date"].type == "date" and guests.columns["nights"].type == "integer"
    assert guests.columns["has_rewards"].type == "boolean"
    assert guests.columns["credit_card_number"].unique
    assert guests.columns["credit_card_number"].semantic == "credit_card_number"
    fk = guests.foreign_keys[0]
    assert (fk.columns, fk.ref_table, fk.ref_columns) == (("hotel_id",), "hotels", ("hotel_id",))
    assert guests.columns["hotel_id"].type == "string"


def test_hotels_fit_sample_validate() -> None:
    schema = sf.Schema.from_sdv(HOTELS_METADATA)
    model = sf.fit(schema, hotel_samples())
    data = model.sample({"hotels": 40, "guests": 150}, seed=3)
    assert sf.validate(data, schema).empty
    assert len(data["hotels"]) == 40 and len(data["guests"]) == 150
    assert data["hotels"]["hotel_id"].str.fullmatch(r"HID_[0-9]{3,4}").all()
    assert set(data["guests"]["hotel_id"]) <= set(data["hotels"]["hotel_id"])


def test_sdv_only_settings_are_not_copied() -> None:
    meta = copy.deepcopy(HOTELS_METADATA)
    meta["tables"]["guests"]["sequence_key"] = "hotel_id"
    meta["tables"]["guests"]["sequence_index"] = "checkin_date"
    meta["tables"]["guests"]["column_relationships"] = [{"type": "address", "column_names": ["billing_address"]}]
    meta["tables"]["hotels"]["columns"]["classification"]["order"] = ["budget", "luxury"]
    converted = to_schema_dict(meta)
    text = json.dumps(converted)
    for word in ("order", "sequence", "alphabetical", "sdtype", "pii", "%d %b %Y", "column_relationships"):
        assert word not in text
    assert converted["tables"]["guests"]["columns"]["room_type"] == {"type": "category"}
    schema = sf.Schema.from_dict(converted)
    assert sf.Schema.from_dict(schema.to_dict()) == schema == sf.Schema.from_sdv(HOTELS_METADATA)


# -- the mapping, row by row -------------------------------------------------------------------

MAPPING = [
    ({"sdtype": "numerical"}, {"type": "float"}),
    *[({"sdtype": "numerical", "computer_representation": r}, {"type": "integer"})
      for r in ("Int8", "Int16", "Int32", "Int64")],
    *[({"sdtype": "numerical", "computer_representation": r}, {"type": "integer", "min": 0})
      for r in ("UInt8", "UInt16", "UInt32", "UInt64")],
    *[({"sdtype": "numerical", "computer_representation": r}, {"type": "float"})
      for r in ("Float", "Float32", "Float64")],
    ({"sdtype": "datetime"}, {"type": "datetime"}),
    ({"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}, {"type": "date"}),
    ({"sdtype": "datetime", "datetime_format": "%d %b %Y"}, {"type": "date"}),
    ({"sdtype": "datetime", "datetime_format": "%m/%d/%y"}, {"type": "date"}),
    ({"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}, {"type": "datetime"}),
    ({"sdtype": "datetime", "datetime_format": "%Y-%m-%dT%H:%M:%S.%f%z"}, {"type": "datetime"}),
    ({"sdtype": "datetime", "datetime_format": "%d/%m/%Y %I%p"}, {"type": "datetime"}),
    ({"sdtype": "categorical"}, {"type": "category"}),
    ({"sdtype": "categorical", "order_by": "numerical_value"}, {"type": "category"}),
    ({"sdtype": "boolean"}, {"type": "boolean"}),
    ({"sdtype": "unknown"}, {"type": "string"}),
    ({"sdtype": "unknown", "pii": True}, {"type": "string"}),
    ({"sdtype": "id"}, {"type": "string"}),
    ({"sdtype": "id", "regex_format": "HID_[0-9]{3,4}"}, {"type": "string", "pattern": "HID_####"}),
    ({"sdtype": "id", "regex_format": "[A-Za-z]{5}"}, {"type": "string", "pattern": "?????"}),
    ({"sdtype": "id", "regex_format": "ID-[0-9]+"}, {"type": "string"}),
    ({"sdtype": "id", "regex_format": "[0-9]{5}"}, {"type": "string", "pattern": "#####"}),
    ({"sdtype": "id", "regex_format": "[1-9][0-9]{4}"}, {"type": "integer", "min": 10000, "max": 99999}),
    ({"sdtype": "id", "regex_format": "[1-9]\\d*"}, {"type": "integer", "min": 1}),
    ({"sdtype": "email", "pii": True}, {"type": "string", "semantic": "email"}),
    ({"sdtype": "email"}, {"type": "string", "semantic": "email"}),
    ({"sdtype": "email", "pii": False}, {"type": "string"}),
    ({"sdtype": "phone_number"}, {"type": "string", "semantic": "phone_number"}),
    ({"sdtype": "first_name"}, {"type": "string", "semantic": "first_name"}),
    ({"sdtype": "last_name"}, {"type": "string", "semantic": "last_name"}),
    ({"sdtype": "name"}, {"type": "string", "semantic": "name"}),
    ({"sdtype": "address"}, {"type": "string", "semantic": "address"}),
    ({"sdtype": "street_address"}, {"type": "string", "semantic": "street_address"}),
    ({"sdtype": "secondary_address"}, {"type": "string", "semantic": "secondary_address"}),
    ({"sdtype": "city"}, {"type": "string", "semantic": "city"}),
    ({"sdtype": "state"}, {"type": "string", "semantic": "state"}),
    ({"sdtype": "state_abbr"}, {"type": "string", "semantic": "state_abbr"}),
    ({"sdtype": "administrative_unit"}, {"type": "string", "semantic": "state"}),
    ({"sdtype": "country"}, {"type": "string", "semantic": "country"}),
    ({"sdtype": "country_code"}, {"type": "string", "semantic": "country_code"}),
    ({"sdtype": "postcode"}, {"type": "string", "semantic": "postcode"}),
    ({"sdtype": "zipcode"}, {"type": "string", "semantic": "postcode"}),
    ({"sdtype": "postalcode"}, {"type": "string", "semantic": "postcode"}),
    ({"sdtype": "company"}, {"type": "string", "semantic": "company"}),
    ({"sdtype": "job"}, {"type": "string", "semantic": "job"}),
    ({"sdtype": "ssn"}, {"type": "string", "semantic": "ssn"}),
    ({"sdtype": "ipv4_address"}, {"type": "string", "semantic": "ipv4"}),
    ({"sdtype": "ipv6_address"}, {"type": "string", "semantic": "ipv6"}),
    ({"sdtype": "mac_address"}, {"type": "string", "semantic": "mac_address"}),
    ({"sdtype": "url"}, {"type": "string", "semantic": "url"}),
    ({"sdtype": "user_name"}, {"type": "string", "semantic": "user_name"}),
    ({"sdtype": "iban"}, {"type": "string", "semantic": "iban"}),
    ({"sdtype": "credit_card_number"}, {"type": "string", "semantic": "credit_card_number"}),
    ({"sdtype": "license_plate"}, {"type": "string", "semantic": "license_plate"}),
    ({"sdtype": "latitude"}, {"type": "float", "min": -90.0, "max": 90.0}),
    ({"sdtype": "longitude"}, {"type": "float", "min": -180.0, "max": 180.0}),
    ({"sdtype": "user_agent_string"}, {"type": "string"}),
    ({"sdtype": "vin"}, {"type": "string"}),
    ({"sdtype": "swift11"}, {"type": "string"}),
]


@pytest.mark.parametrize(("sdv", "expected"), MAPPING, ids=[json.dumps(s, sort_keys=True) for s, _ in MAPPING])
def test_mapping_row(sdv: dict[str, Any], expected: dict[str, Any]) -> None:
    meta = {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "columns": {"c": sdv}}
    converted = to_schema_dict(meta)
    assert converted == {"tables": {"table": {"columns": {"c": expected}}}}
    sf.Schema.from_dict(converted)  # and the schema accepts it


def test_every_semantic_row_is_one_synthframe_knows() -> None:
    from synthframe.text import SEMANTICS

    assert {e["semantic"] for _, e in MAPPING if "semantic" in e} <= set(SEMANTICS)


@pytest.mark.parametrize(("regex", "pattern"), [
    ("HID_[0-9]{3,4}", "HID_####"), ("^SKU-[0-9]{5}$", "SKU-#####"), ("\\d{3}-\\d{4}", "###-####"),
    ("[A-Z]{2}[a-z]?", "??@"), ("(?:[A-Z]{2}-){2}\\d", "??-??-#"), ("[a-f0-9]{4}", "####"),
    ("x#?@", "x\\#\\@"), ("[_.]{2}", None), ("[_]{2}", "__"), ("a.b", "a?b"), ("\\w{3}", "???"),
    ("ID-\\d+", None), ("(AB|CD)\\d", None), ("[^a]", None), ("[1-9]{2}", None), ("\\D", None),
    ("a{3,2}", None), ("\\d{500}", None), ("(?P<x>a)", None), ("", None),
])
def test_regex_to_pattern(regex: str, pattern: str | None) -> None:
    assert regex_to_pattern(regex) == pattern
    if pattern:  # every value of the pattern matches the regex
        from synthframe.text import format_pattern, pattern_capacity

        ids = [0, 1, 7, pattern_capacity(pattern) - 1]
        assert all(re.fullmatch(regex, v) for v in format_pattern(pattern, ids).to_pylist())


@pytest.mark.parametrize(("regex", "bounds"), [
    ("[1-9][0-9]{4}", (10000, 99999)), ("[1-9]\\d{0,8}", (1, 999999999)), ("[1-9]\\d*", (1, None)),
    ("1\\d{2}", (100, 199)), ("[1-9]\\d{30}", None), ("[1-9]\\d{17,25}", (10**17, None)),
    ("[0-9]{5}", None), ("\\d+", None), ("[1-9]?\\d", None), ("A\\d", None), ("([1-9])", None),
])
def test_regex_integer_range(regex: str, bounds: tuple[int, int | None] | None) -> None:
    assert regex_integer_range(regex) == bounds


# -- samples settle what the metadata leaves open -------------------------------------------------

def test_samples_type_ids_and_dates() -> None:
    meta = {"METADATA_SPEC_VERSION": "V1", "tables": {
        "users": {"primary_key": "user_id", "columns": {
            "user_id": {"sdtype": "id"}, "code": {"sdtype": "id"}, "joined": {"sdtype": "datetime"},
            "seen": {"sdtype": "datetime"}, "float_id": {"sdtype": "id"}, "zero": {"sdtype": "id"}}},
        "visits": {"columns": {"user_id": {"sdtype": "id"}, "when": {"sdtype": "datetime"}}},
    }, "relationships": [{"parent_table_name": "users", "parent_primary_key": "user_id",
                          "child_table_name": "visits", "child_foreign_key": "user_id"}]}
    users = pd.DataFrame({"user_id": [1, 2, 3], "code": ["A1", "B2", "C3"],
                          "joined": ["2021-01-01", "2021-02-03", None],
                          "seen": ["2021-01-01T10:00:00", "2021-01-02", "2021-01-03"],
                          "float_id": [1.0, 2.0, None], "zero": ["007", "010", "011"]})
    schema = sf.Schema.from_sdv(meta, samples={"users": users})
    cols = schema.tables["users"].columns
    assert [cols[c].type for c in cols] == ["integer", "string", "date", "datetime", "integer", "string"]
    assert schema.tables["visits"].columns["user_id"].type == "integer"  # follows the parent's key
    assert schema.tables["visits"].columns["when"].type == "datetime"  # no samples
    plain = sf.Schema.from_sdv(meta)
    assert plain.tables["users"].columns["user_id"].type == "string"
    assert plain.tables["visits"].columns["user_id"].type == "string"


# -- other forms -------------------------------------------------------------------------------

def test_single_table_metadata_and_its_name() -> None:
    meta = {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "primary_key": "id",
            "columns": {"id": {"sdtype": "id", "regex_format": "U[0-9]{4}"}, "age": {"sdtype": "numerical"}}}
    assert list(sf.Schema.from_sdv(meta).tables) == ["table"]
    schema = sf.Schema.from_sdv(meta, table_name="users")
    assert list(schema.tables) == ["users"] and schema.tables["users"].primary_key == ("id",)
    assert list(sf.Schema.from_sdv({"columns": meta["columns"]}).tables) == ["table"]  # no version either


def test_multi_table_v1_spec_name_and_no_relationships() -> None:
    meta = {"METADATA_SPEC_VERSION": "MULTI_TABLE_V1",
            "tables": {"a": {"columns": {"x": {"sdtype": "categorical"}}}}, "relationships": []}
    assert sf.Schema.from_sdv(meta).tables["a"].columns["x"].type == "category"


def test_composite_keys() -> None:
    meta = {"METADATA_SPEC_VERSION": "V1", "tables": {
        "partsupp": {"primary_key": ["ps_partkey", "ps_suppkey"],
                     "columns": {"ps_partkey": {"sdtype": "id", "regex_format": "[1-9][0-9]{0,5}"},
                                 "ps_suppkey": {"sdtype": "id", "regex_format": "[1-9][0-9]{0,5}"},
                                 "cost": {"sdtype": "numerical"}}},
        "lineitem": {"primary_key": ["l_orderkey", "l_linenumber"],
                     "alternate_keys": [["l_orderkey", "l_partkey"], "l_comment"],
                     "columns": {"l_orderkey": {"sdtype": "numerical", "computer_representation": "Int64"},
                                 "l_linenumber": {"sdtype": "numerical", "computer_representation": "Int8"},
                                 "l_partkey": {"sdtype": "id"}, "l_suppkey": {"sdtype": "id"},
                                 "l_comment": {"sdtype": "unknown"}}},
    }, "relationships": [{"parent_table_name": "partsupp", "parent_primary_key": ["ps_partkey", "ps_suppkey"],
                          "child_table_name": "lineitem", "child_foreign_key": ["l_partkey", "l_suppkey"]}]}
    schema = sf.Schema.from_sdv(meta)
    lineitem = schema.tables["lineitem"]
    assert schema.tables["partsupp"].primary_key == ("ps_partkey", "ps_suppkey")
    assert lineitem.primary_key == ("l_orderkey", "l_linenumber")
    fk = lineitem.foreign_keys[0]
    assert (fk.columns, fk.ref_columns) == (("l_partkey", "l_suppkey"), ("ps_partkey", "ps_suppkey"))
    assert lineitem.columns["l_partkey"].type == lineitem.columns["l_suppkey"].type == "integer"
    assert lineitem.columns["l_comment"].unique and not lineitem.columns["l_partkey"].unique
    data = sf.fit(schema).sample({"partsupp": 30, "lineitem": 80}, seed=1)
    assert sf.validate(data, schema).empty


def test_sdv_0x_fields_form() -> None:
    meta = {"tables": {
        "users": {"primary_key": "user_id", "fields": {
            "user_id": {"type": "id", "subtype": "integer"},
            "country": {"type": "categorical"},
            "age": {"type": "numerical", "subtype": "integer"},
            "score": {"type": "numerical", "subtype": "float"},
            "email": {"type": "categorical", "pii": True, "pii_category": "email"},
            "joined": {"type": "datetime", "format": "%Y-%m-%d"},
            "vip": {"type": "boolean"}}},
        "sessions": {"primary_key": "session_id", "fields": {
            "session_id": {"type": "id", "subtype": "string", "regex": "S[0-9]{6}"},
            "user_id": {"type": "id", "subtype": "integer", "ref": {"table": "users", "field": "user_id"}},
            "device": {"type": "categorical", "pii": True, "pii_category": ["user_agent", "chrome"]}}},
    }}
    assert looks_like_sdv(meta)
    schema = sf.Schema.from_dict(meta)
    users, sessions = schema.tables["users"], schema.tables["sessions"]
    assert [c.type for c in users.columns.values()] == \
        ["integer", "category", "integer", "float", "string", "date", "boolean"]
    assert users.columns["email"].semantic == "email"
    assert sessions.columns["session_id"].pattern == "S######"
    assert sessions.columns["device"].type == "string" and sessions.columns["device"].semantic is None
    assert sessions.foreign_keys[0].ref_table == "users" and sessions.columns["user_id"].type == "integer"
    single = sf.Schema.from_dict({"fields": {"n": {"type": "numerical", "subtype": "integer"}}})
    assert single.tables["table"].columns["n"].type == "integer"


# -- recognised everywhere a schema is read ------------------------------------------------------

def test_recognised_by_from_dict_and_from_json(tmp_path: Path) -> None:
    expected = sf.Schema.from_sdv(HOTELS_METADATA)
    assert sf.Schema.from_dict(HOTELS_METADATA) == expected
    assert sf.Schema.from_json(json.dumps(HOTELS_METADATA)) == expected
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(HOTELS_METADATA), encoding="utf-8")
    assert sf.Schema.from_json(path) == expected == sf.Schema.from_sdv(path) == sf.Schema.from_sdv(str(path))
    assert sf.Schema.from_sdv(json.dumps(HOTELS_METADATA)) == expected


def test_a_synthframe_schema_is_not_taken_for_sdv() -> None:
    ours = {"tables": {"t": {"columns": {"a": "integer", "b": {"type": "string", "semantic": "email"}}}}}
    assert not looks_like_sdv(ours)
    assert not looks_like_sdv({"tables": {}}) and not looks_like_sdv([1])
    with pytest.raises(SchemaError, match="unknown hints"):  # a stray sdtype in our own format
        sf.Schema.from_dict({"tables": {"t": {"columns": {"a": {"type": "integer", "sdtype": "id"}}}}})


def test_cli_fit_reads_sdv_metadata(tmp_path: Path) -> None:
    from synthframe.cli import main

    (tmp_path / "metadata.json").write_text(json.dumps(HOTELS_METADATA), encoding="utf-8")
    samples = tmp_path / "samples"
    samples.mkdir()
    for table, frame in hotel_samples().items():
        frame.to_csv(samples / f"{table}.csv", index=False)
    result = CliRunner().invoke(main, ["fit", "--schema", str(tmp_path / "metadata.json"), "--samples",
                                       str(samples), "-o", str(tmp_path / "model.json")], prog_name="synthframe")
    assert result.exit_code == 0, result.output
    model = sf.Model.load(tmp_path / "model.json")
    assert sf.validate(model.sample({"hotels": 20}, seed=2), model.schema).empty


# -- malformed metadata ----------------------------------------------------------------------

def _with(change: Any) -> dict[str, Any]:
    meta = copy.deepcopy(HOTELS_METADATA)
    change(meta)
    return meta


def _guests(meta: dict[str, Any]) -> dict[str, Any]:
    return meta["tables"]["guests"]


ERRORS = [
    ("unknown sdtype", lambda m: _guests(m)["columns"].update(room_type={"sdtype": "roomtype"}),
     "guests", "room_type", "sdtype 'roomtype'.*fix the spelling or use 'unknown'"),
    ("no sdtype", lambda m: _guests(m)["columns"].update(room_type={"type": "categorical"}),
     "guests", "room_type", "needs an 'sdtype'"),
    ("column not an object", lambda m: _guests(m)["columns"].update(room_type="categorical"),
     "guests", "room_type", "needs an 'sdtype'"),
    ("representation", lambda m: _guests(m)["columns"]["room_rate"].update(computer_representation="Decimal"),
     "guests", "room_rate", "computer_representation 'Decimal'; use one of Int8"),
    ("datetime format", lambda m: _guests(m)["columns"]["checkin_date"].update(datetime_format="DD/MM/YYYY"),
     "guests", "checkin_date", "not a strftime format; write it like '%Y-%m-%d'"),
    ("regex", lambda m: _guests(m)["columns"]["hotel_id"].update(regex_format="HID_[0-9"),
     "guests", "hotel_id", "not a valid regular expression"),
    ("regex type", lambda m: _guests(m)["columns"]["hotel_id"].update(regex_format=5),
     "guests", "hotel_id", "regular expression string"),
    ("pii", lambda m: _guests(m)["columns"]["phone"].update(pii="yes"),
     "guests", "phone", "'pii' 'yes'; it must be true or false"),
    ("primary key", lambda m: _guests(m).update(primary_key="guest_id"),
     "guests", "guest_id", "primary key guests.guest_id is not among the table's columns"),
    ("primary key type", lambda m: _guests(m).update(primary_key=5),
     "guests", None, "write a column name or a list"),
    ("alternate keys", lambda m: _guests(m).update(alternate_keys="phone"),
     "guests", None, "alternate_keys 'phone'"),
    ("alternate key column", lambda m: _guests(m).update(alternate_keys=["fax"]),
     "guests", "fax", "alternate key guests.fax"),
    ("no columns", lambda m: _guests(m).update(columns={}),
     "guests", None, "needs a non-empty 'columns'"),
    ("table not an object", lambda m: m["tables"].update(guests=[1]),
     "guests", None, "must be an object with 'columns'"),
    ("relationships", lambda m: m.update(relationships={"a": 1}),
     None, None, "'relationships' must be a list"),
    ("relationship fields", lambda m: m["relationships"][0].pop("child_foreign_key"),
     None, None, "relationship 1 must be an object with parent_table_name"),
    ("relationship table", lambda m: m["relationships"][0].update(parent_table_name="hotel"),
     None, None, "relationship 1 names parent table 'hotel'"),
    ("relationship column", lambda m: m["relationships"][0].update(child_foreign_key="hotel"),
     "guests", "hotel", "child_foreign_key guests.hotel is not among"),
    ("relationship not to the key", lambda m: m["relationships"][0].update(parent_primary_key="city"),
     "guests", "hotel_id", "references \\['city'\\] of 'hotels', but its primary key is \\['hotel_id'\\]"),
    ("relationship arity", lambda m: m["relationships"][0].update(child_foreign_key=["hotel_id", "phone"]),
     "guests", "hotel_id", "2 child column\\(s\\) for 1 parent key"),
    ("spec version", lambda m: m.update(METADATA_SPEC_VERSION="V9"),
     None, None, "METADATA_SPEC_VERSION 'V9'.*expected one of V1"),
    ("tables", lambda m: m.update(tables=[]), None, None, "'tables' must be a non-empty object"),
]


@pytest.mark.parametrize(("change", "table", "column", "message"), [e[1:] for e in ERRORS],
                         ids=[e[0] for e in ERRORS])
def test_malformed_metadata(change: Any, table: str | None, column: str | None, message: str) -> None:
    with pytest.raises(SchemaError, match=message) as info:
        sf.Schema.from_sdv(_with(change))
    assert (info.value.table, info.value.column) == (table, column)
    with pytest.raises(SchemaError, match=message):  # the same through automatic recognition
        sf.Schema.from_dict(_with(change))


def test_malformed_forms() -> None:
    with pytest.raises(SchemaError, match="needs 'tables' \\(several tables\\) or 'columns'"):
        sf.Schema.from_sdv({"METADATA_SPEC_VERSION": "V1"})
    with pytest.raises(SchemaError, match="must be a dict, a JSON string or a path"):
        sf.Schema.from_sdv(42)  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="does not exist"):
        sf.Schema.from_sdv("no/such/metadata.json")
    with pytest.raises(SchemaError, match="names 'columns' twice"):
        sf.Schema.from_sdv('{"columns": {}, "columns": {}}')
    with pytest.raises(SchemaError, match="field users.x must be an object with a 'type'") as info:
        sf.Schema.from_sdv({"tables": {"users": {"fields": {"x": "numerical"}}}})
    assert (info.value.table, info.value.column) == ("users", "x")
    with pytest.raises(SchemaError, match="'ref'"):
        sf.Schema.from_sdv({"fields": {"x": {"type": "id", "ref": "users.id"}}})
    cycle = {"tables": {"a": {"primary_key": "id", "columns": {"id": {"sdtype": "id"}, "b": {"sdtype": "id"}}},
                        "b": {"primary_key": "id", "columns": {"id": {"sdtype": "id"}, "a": {"sdtype": "id"}}}},
             "relationships": [{"parent_table_name": "a", "parent_primary_key": "id", "child_table_name": "b",
                                "child_foreign_key": "a"},
                               {"parent_table_name": "b", "parent_primary_key": "id", "child_table_name": "a",
                                "child_foreign_key": "b"}]}
    with pytest.raises(SchemaError, match="cycle"):
        sf.Schema.from_sdv(cycle)


# -- SDV itself, when it is installed ------------------------------------------------------------

def test_round_trip_through_sdv() -> None:
    metadata_module = pytest.importorskip("sdv.metadata")
    metadata = metadata_module.Metadata.load_from_dict(HOTELS_METADATA)
    assert sf.Schema.from_sdv(metadata.to_dict()) == sf.Schema.from_sdv(HOTELS_METADATA)
