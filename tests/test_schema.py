"""Schema parsing and checking: the user-facing contract of DESIGN.md."""

import json

import pytest

from synthframe.errors import SchemaError, SynthframeError
from synthframe.schema import Schema

SHOP = {
    "tables": {
        "customers": {
            "primary_key": "customer_id",
            "columns": {
                "customer_id": "integer",
                "email": {"type": "string", "semantic": "email", "unique": True},
                "age": {"type": "integer", "min": 18, "max": 99},
                "segment": {"type": "category", "values": {"consumer": 3, "corporate": 1}},
            },
        },
        "orders": {
            "primary_key": "order_id",
            "columns": {"order_id": "integer", "customer_id": "integer", "total": "float"},
            "foreign_keys": {"customer_id": "customers.customer_id"},
        },
    }
}


def test_parses_types_hints_and_keys():
    schema = Schema.from_dict(SHOP)
    customers = schema.tables["customers"]
    assert customers.primary_key == ("customer_id",)
    assert customers.columns["email"].semantic == "email" and customers.columns["email"].unique
    assert customers.columns["age"].min == 18 and customers.columns["age"].max == 99
    assert customers.columns["segment"].values == ("consumer", "corporate")
    assert customers.columns["segment"].weights == pytest.approx((0.75, 0.25))
    fk = schema.tables["orders"].foreign_keys[0]
    assert (fk.columns, fk.ref_table, fk.ref_columns) == (("customer_id",), "customers", ("customer_id",))
    assert schema.generation_order() == ["customers", "orders"]


def test_round_trips_through_dict():
    schema = Schema.from_dict(SHOP)
    assert Schema.from_dict(schema.to_dict()) == schema
    assert Schema.from_json(schema.to_json()) == schema


def test_composite_foreign_key_list_form():
    spec = {"tables": {
        "partsupp": {"primary_key": ["ps_partkey", "ps_suppkey"],
                     "columns": {"ps_partkey": "integer", "ps_suppkey": "integer"}},
        "lineitem": {"primary_key": ["l_orderkey", "l_linenumber"],
                     "columns": {"l_orderkey": "integer", "l_linenumber": "integer",
                                 "l_partkey": "integer", "l_suppkey": "integer"},
                     "foreign_keys": [{"columns": ["l_partkey", "l_suppkey"],
                                       "references": {"table": "partsupp", "columns": ["ps_partkey", "ps_suppkey"]}}]},
    }}
    schema = Schema.from_dict(spec)
    fk = schema.tables["lineitem"].foreign_keys[0]
    assert fk.columns == ("l_partkey", "l_suppkey") and fk.ref_columns == ("ps_partkey", "ps_suppkey")
    assert schema.tables["partsupp"].primary_key == ("ps_partkey", "ps_suppkey")


def test_self_reference_is_allowed_and_must_be_nullable():
    spec = {"tables": {"employees": {
        "primary_key": "id",
        "columns": {"id": "integer", "manager_id": {"type": "integer", "nullable": True}},
        "foreign_keys": {"manager_id": "employees.id"}}}}
    assert Schema.from_dict(spec).generation_order() == ["employees"]
    spec["tables"]["employees"]["columns"]["manager_id"]["nullable"] = False
    with pytest.raises(SchemaError, match=r"employees\.manager_id.*nullable"):
        Schema.from_dict(spec)


def _cycle(nullable: bool) -> dict:
    return {"tables": {
        "a": {"primary_key": "id", "columns": {"id": "integer", "b_id": {"type": "integer", "nullable": nullable}},
              "foreign_keys": {"b_id": "b.id"}},
        "b": {"primary_key": "id", "columns": {"id": "integer", "a_id": "integer"},
              "foreign_keys": {"a_id": "a.id"}},
    }}


def test_cycle_without_nullable_edge_is_named():
    with pytest.raises(SchemaError, match=r"cycle (a -> b -> a|b -> a -> b)"):
        Schema.from_dict(_cycle(nullable=False))


def test_cycle_broken_by_nullable_edge():
    # a.b_id is nullable: that edge is dropped, so a comes first and b (which needs a) after it.
    assert Schema.from_dict(_cycle(nullable=True)).generation_order() == ["a", "b"]


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda s: s["tables"]["orders"]["foreign_keys"].update({"customer_id": "clients.customer_id"}),
         r"orders\.customer_id.*unknown table 'clients'"),
        (lambda s: s["tables"]["orders"]["foreign_keys"].update({"customer_id": "customers.cust"}),
         r"orders\.customer_id.*unknown column customers\.cust"),
        (lambda s: s["tables"]["orders"]["columns"].update({"customer_id": "string"}),
         r"orders\.customer_id has type string.*customers\.customer_id has type integer"),
        (lambda s: s["tables"]["customers"]["columns"].update({"age": "number"}),
         r"customers\.age has unknown type 'number'"),
        (lambda s: s["tables"]["customers"]["columns"]["age"].update({"min": 100}),
         r"customers\.age: 'min' 100 is greater than 'max' 99"),
        (lambda s: s["tables"]["customers"]["columns"]["age"].update({"colour": "red"}),
         r"customers\.age has unknown hints \['colour'\]"),
        (lambda s: s["tables"]["customers"].update({"primary_key": "id"}),
         r"Primary key column customers\.id is not among"),
        (lambda s: s["tables"]["orders"]["foreign_keys"].update({"total": "customers.customer_id"}),
         r"orders\.total has type float"),
        (lambda s: s["tables"]["customers"]["columns"]["segment"].update({"values": []}),
         r"customers\.segment: 'values' must be a non-empty list"),
        (lambda s: s.update({"tables": {}}), r"non-empty"),
    ],
)
def test_bad_schemas_name_table_and_column(mutate, pattern):
    spec = json.loads(json.dumps(SHOP))
    mutate(spec)
    with pytest.raises(SchemaError, match=pattern) as info:
        Schema.from_dict(spec)
    assert isinstance(info.value, SynthframeError) and isinstance(info.value, ValueError)


def test_several_problems_are_collected_in_one_error():
    spec = json.loads(json.dumps(SHOP))
    spec["tables"]["orders"]["foreign_keys"] = {"customer_id": "customers.nope", "total": "customers.customer_id"}
    with pytest.raises(SchemaError, match=r"1 more problem") as info:
        Schema.from_dict(spec)
    assert info.value.table == "orders"


def test_duplicate_table_names_in_json_are_refused(tmp_path):
    text = ('{"tables": {"t": {"columns": {"id": "integer"}}, '
            '"t": {"columns": {"x": "float"}}}}')
    path = tmp_path / "schema.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError, match="names 't' twice"):
        Schema.from_json(path)


def test_invalid_json_and_missing_file(tmp_path):
    with pytest.raises(SchemaError, match="not valid JSON"):
        Schema.from_json('{"tables": ')
    with pytest.raises(SchemaError, match="does not exist"):
        Schema.from_json(tmp_path / "missing.json")


@pytest.mark.parametrize("fk", [{"columns": None, "references": "a.id"},
                                {"columns": "x", "references": {"table": "a", "columns": None}}])
def test_foreign_key_without_columns_is_refused(fk):
    spec = {"tables": {"a": {"primary_key": "id", "columns": {"id": "integer"}},
                       "b": {"columns": {"x": "integer"}, "foreign_keys": [fk]}}}
    with pytest.raises(SchemaError, match="at least one column") as info:
        Schema.from_dict(spec)
    assert info.value.table == "b"
