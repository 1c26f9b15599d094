"""Edge cases of fit and generate: dates as levels, 1:1 tables, overlapping keys, hints at the limits."""

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import CapacityError, ModelError, SchemaError


def one_table(columns, primary_key="id"):
    return {"tables": {"t": {"primary_key": primary_key, "columns": {"id": "integer", **columns}}}}


def test_dates_kept_as_levels_stay_those_dates():
    days = pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03"] * 10)
    model = sf.fit(one_table({"d": "date"}), {"t": pd.DataFrame({"id": range(30), "d": days})})
    assert model.tables["t"].columns["d"].generator["kind"] == "frequencies"
    out = model.sample({"t": 500}, seed=1)["t"]["d"]
    assert set(out.dt.strftime("%Y-%m-%d")) == {"2024-03-01", "2024-03-02", "2024-03-03"}
    hinted = sf.fit(one_table({"d": {"type": "date", "values": ["2030-01-01", "2031-06-15"]}}), None)
    assert set(hinted.sample({"t": 200}, seed=1)["t"]["d"].dt.strftime("%Y-%m-%d")) == {"2030-01-01", "2031-06-15"}


def test_one_to_one_extension_table_has_unique_keys_and_a_capacity():
    schema = {"tables": {
        "customers": {"primary_key": "id", "columns": {"id": "integer"}},
        "profiles": {"primary_key": "customer_id", "columns": {"customer_id": "integer", "bio": "string"},
                     "foreign_keys": {"customer_id": "customers.id"}}}}
    samples = {"customers": pd.DataFrame({"id": range(50)}),
               "profiles": pd.DataFrame({"customer_id": range(0, 50, 2), "bio": ["likes tea and long walks"] * 25})}
    model = sf.fit(schema, samples)
    data = model.sample({"customers": 1000, "profiles": 1000}, seed=2)
    assert data["profiles"]["customer_id"].is_unique
    assert sf.validate(data, model.schema).empty
    with pytest.raises(CapacityError, match="at most 1,000 rows") as info:
        model.sample({"customers": 1000, "profiles": 1001})
    assert info.value.table == "profiles"


def test_a_column_in_two_foreign_keys_follows_the_wider_one():
    schema = {"tables": {
        "part": {"primary_key": "p", "columns": {"p": "integer"}},
        "supplier": {"primary_key": "s", "columns": {"s": "integer"}},
        "partsupp": {"primary_key": ["p", "s"], "columns": {"p": "integer", "s": "integer"},
                     "foreign_keys": {"p": "part.p", "s": "supplier.s"}},
        "lineitem": {"primary_key": "l", "columns": {"l": "integer", "lp": "integer", "ls": "integer"},
                     "foreign_keys": [{"columns": "lp", "references": "part.p"},
                                      {"columns": ["lp", "ls"], "references": {"table": "partsupp",
                                                                              "columns": ["p", "s"]}}]}}}
    model = sf.fit(schema, None)
    data = model.sample({"part": 200, "supplier": 10, "partsupp": 800, "lineitem": 5000}, seed=3)
    assert sf.validate(data, model.schema).empty


def test_zero_rows_of_a_table_with_person_fields():
    from synthframe.examples import example_samples_dir, example_schema_path

    model = sf.fit(example_schema_path(), example_samples_dir())
    data = model.sample({"customers": 0, "orders": 0, "order_items": 0, "reviews": 0}, seed=1)
    assert len(data["customers"]) == 0 and list(data["customers"].columns)[3] == "email"


def test_distribution_hint_is_not_clipped_to_invented_bounds():
    model = sf.fit(one_table({"x": {"type": "float", "distribution": {"name": "norm", "loc": -10, "scale": 5}},
                              "y": {"type": "float", "distribution": {"name": "norm", "loc": 5000, "scale": 10}}}),
                   None)
    out = model.sample({"t": 20_000}, seed=4)["t"]
    assert abs(out["x"].mean() + 10) < 0.3 and (out["x"] < 0).mean() > 0.9
    assert abs(out["y"].mean() - 5000) < 0.5


def test_one_sided_bounds_never_invert():
    model = sf.fit(one_table({"a": {"type": "integer", "max": -5}, "d": {"type": "date", "min": "2030-01-01"},
                              "f": {"type": "float", "min": 100}}),
                   {"t": pd.DataFrame({"id": range(40), "f": np.linspace(0, 36, 40)})})
    out = model.sample({"t": 2000}, seed=5)["t"]
    assert out["a"].max() <= -5 and out["a"].nunique() > 100
    assert out["d"].min() >= pd.Timestamp("2030-01-01") and out["d"].nunique() > 100
    assert out["f"].min() >= 100 and out["f"].nunique() > 100
    assert sf.validate({"t": out}, model.schema).empty


def test_unique_floats_and_unbounded_unique_integers():
    ints = sf.fit(one_table({"n": {"type": "integer", "unique": True}}),
                  {"t": pd.DataFrame({"id": range(100), "n": np.arange(100) * 7})})
    n = ints.sample({"t": 5000}, seed=6)["t"]["n"]  # more rows than the samples' range: counts on up
    assert n.is_unique and n.min() >= 0
    model = sf.fit(one_table({"f": {"type": "float", "min": 0, "max": 1, "unique": True}}),
                   {"t": pd.DataFrame({"id": range(100), "f": np.round(np.linspace(0, 1, 100), 2)})})
    with pytest.raises(CapacityError, match=r"t\.f"):
        model.sample({"t": 102}, seed=6)
    small = model.sample({"t": 101}, seed=6)["t"]["f"]
    assert small.is_unique and small.between(0, 1).all()


@pytest.mark.parametrize(("column", "level"), [({"type": "integer", "values": ["a", "b"]}, "'a'"),
                                               ({"type": "category", "values": [None, "a"]}, "None"),
                                               ({"type": "boolean", "values": ["yes", "no"]}, "'yes'"),
                                               ({"type": "date", "values": ["soon"]}, "'soon'")])
def test_levels_must_match_the_column_type(column, level):
    with pytest.raises(SchemaError, match=rf"t\.x: level {level}") as info:
        sf.Schema.from_dict(one_table({"x": column}))
    assert (info.value.table, info.value.column) == ("t", "x")


def test_names_must_be_utf8_and_patterns_short_and_integer_bounds_64_bit():
    with pytest.raises(SchemaError, match="UTF-8"):
        sf.Schema.from_dict({"tables": {"bad\ud800": {"columns": {"id": "integer"}}}})
    with pytest.raises(SchemaError, match=r"t\.code: 'pattern'"):
        sf.Schema.from_dict(one_table({"code": {"type": "string", "pattern": "#" * 500}}))
    with pytest.raises(SchemaError, match=r"t\.n: 'max'"):
        sf.Schema.from_dict(one_table({"n": {"type": "integer", "min": 0, "max": 1e300}}))


def test_category_generated_as_text_has_one_dtype_whatever_the_batches():
    model = sf.fit(one_table({"city": {"type": "category", "semantic": "city"}}), None)
    whole = model.sample({"t": 3000}, seed=7)["t"]
    pieces = model.sample({"t": 3000}, seed=7, batch_rows=1000)["t"]
    pd.testing.assert_frame_equal(whole, pieces)


@pytest.mark.parametrize("edit", [
    lambda g: g["distribution"].update(name="lognormal"),
    lambda g: g["distribution"].update(params={"loc": 0.0, "scale": -1.0}),
])
def test_hand_edited_distributions_are_checked_at_load(edit):
    model = sf.fit(one_table({"x": {"type": "float", "distribution": {"name": "norm", "loc": 0, "scale": 1}}}),
                   None)
    data = model.to_dict()
    edit(data["tables"]["t"]["columns"]["x"]["generator"])
    with pytest.raises(ModelError) as info:
        sf.Model.from_dict(data)
    assert (info.value.table, info.value.column) == ("t", "x")


def test_huge_sample_values_give_a_saveable_model(tmp_path):
    x = np.array([1e308, -1e308, 5e307, 0.0, 1.0] * 20)
    model = sf.fit(one_table({"x": "float"}), {"t": pd.DataFrame({"id": range(100), "x": x})})
    sf.Model.load(model.save(tmp_path / "m.json"))
