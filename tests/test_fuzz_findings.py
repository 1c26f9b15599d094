"""Inputs found by fuzzing: each once raised a raw error or wrote output outside the schema."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import synthframe as sf
from synthframe.errors import ModelError, SampleError, SchemaError


def test_validate_date_levels_mixing_dates_and_datetimes():
    schema = {"tables": {"t": {"columns": {
        "d": {"type": "date", "values": ["2020-01-01", "2020-01-02T10:00:00"]},
        "e": {"type": "datetime", "values": ["2020-01-01", "2020-01-02T10:00:00Z"]}}}}}
    data = sf.fit(schema, None).sample({"t": 50}, seed=1)
    assert sf.validate(data, schema).empty
    odd = pd.DataFrame({"d": pd.to_datetime(["2020-01-03"]), "e": pd.to_datetime(["2020-01-02 10:00:00"])})
    report = sf.validate({"t": odd}, schema)
    assert list(report["check"]) == ["values"] and list(report["column"]) == ["d"]


def _csv_model(tmp_path, values, column_type="datetime"):
    """A model fitted on a one-column sample CSV of ``values`` (text as written)."""
    samples = tmp_path / "samples"
    samples.mkdir(parents=True)
    (samples / "t.csv").write_text("id,at\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
    schema = {"tables": {"t": {"primary_key": "id", "columns": {"id": "integer", "at": column_type}}}}
    return sf.fit(schema, samples)


def _written(model, tmp_path, fmt):
    paths = model.write({"t": 200}, tmp_path / f"out_{fmt}", format=fmt, seed=3)
    return paths["t"]


@pytest.mark.parametrize(("sample", "pattern"), [
    ("2013-01-{:02d}T10:00:00Z", r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"),
    ("2023-05-{:02d} 13:49:11", r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"),
    ("2023-05-{:02d} 13:49:11.250", r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$"),
    ("2023-05-{:02d}T13:49+02:00", r"^\d{4}-\d\d-\d\dT\d\d:\d\d\+00:00$"),
    ("2023-05-{:02d}", r"^\d{4}-\d\d-\d\d$"),
])
def test_datetime_text_format_kept_from_samples(tmp_path, sample, pattern):
    model = _csv_model(tmp_path, [sample.format(d) for d in range(1, 29)])
    model = sf.Model.load(model.save(tmp_path / "model.json") or tmp_path / "model.json")
    csv = pd.read_csv(_written(model, tmp_path, "csv"), dtype=str)["at"].dropna()
    assert len(csv) > 150 and csv.str.fullmatch(pattern).all(), csv.head()
    for fmt in ("json", "jsonl"):
        path = _written(model, tmp_path, fmt)
        records = json.loads(path.read_text()) if fmt == "json" else \
            [json.loads(line) for line in path.read_text().splitlines()]
        texts = pd.Series([r["at"] for r in records if r["at"] is not None])
        assert texts.str.fullmatch(pattern).all(), texts.head()
    assert sf.validate(sf.read_samples(tmp_path / "out_csv", model.schema), model.schema).empty


def test_datetime_with_utc_marker_is_a_utc_timestamp_in_parquet(tmp_path):
    model = _csv_model(tmp_path, [f"2013-01-{d:02d}T10:00:00Z" for d in range(1, 29)])
    table = pq.read_table(_written(model, tmp_path, "parquet"))
    assert table.schema.field("at").type.tz == "UTC"
    naive = _csv_model(tmp_path / "naive", [f"2013-01-{d:02d} 10:00:00" for d in range(1, 29)])
    assert pq.read_table(_written(naive, tmp_path, "parquet")).schema.field("at").type.tz is None


def test_datetime_format_hint_wins_and_is_checked():
    schema = {"tables": {"t": {"columns": {"at": {"type": "datetime", "format": "%Y-%m-%d %H:%M"}}}}}
    model = sf.fit(schema, {"t": pd.DataFrame({"at": ["2020-01-01T10:00:00Z", "2020-01-02T11:00:00Z"]})})
    assert model.schema.tables["t"].columns["at"].format == "%Y-%m-%d %H:%M"
    with pytest.raises(SchemaError, match=r"t\.at.*format"):
        sf.Schema.from_dict({"tables": {"t": {"columns": {"at": {"type": "datetime", "format": "%d/%m/%Y"}}}}})


def test_csv_of_one_nullable_column_keeps_every_row(tmp_path):
    schema = {"tables": {"t": {"columns": {"x": {"type": "float", "nullable": True}}}}}
    samples = {"t": pd.DataFrame({"x": [1.5, None, 2.5, None] * 10})}
    model = sf.fit(schema, samples)
    path = model.write({"t": 100}, tmp_path, format="csv", seed=1)["t"]
    assert len(path.read_text().splitlines()) == 101
    back = sf.read_samples(tmp_path, model.schema)["t"]
    assert len(back) == 100 and back["x"].isna().sum() == model.sample({"t": 100}, seed=1)["t"]["x"].isna().sum()
    assert len(pd.read_csv(path)) == 100


def test_a_table_named_schema_is_refused():
    with pytest.raises(SchemaError, match="'Schema'.*rename") as info:
        sf.Schema.from_dict({"tables": {"Schema": {"columns": {"x": "integer"}}}})
    assert info.value.table == "Schema"


@pytest.mark.parametrize("bad", ["a\x00b", "half \ud83d pair"])
def test_text_that_cannot_be_written_is_refused_at_read(bad):
    schema = {"tables": {"t": {"columns": {"name": "string", "kind": "category"}}}}
    for column in ("name", "kind"):
        frame = pd.DataFrame({"name": ["ann", "bob", "cy"], "kind": ["a", "b", "a"]})
        frame.loc[1, column] = bad
        with pytest.raises(SampleError, match=rf"t\.{column}.*row 2") as info:
            sf.read_samples({"t": frame}, sf.Schema.from_dict(schema))
        assert (info.value.table, info.value.column) == ("t", column)
        with pytest.raises(SampleError):
            sf.fit(None, {"t": frame})


def _one(column):
    return {"tables": {"t": {"columns": {"x": column}}}}


@pytest.mark.parametrize("column", [
    {"type": "float", "min": float("nan")},
    {"type": "float", "max": float("inf")},
    {"type": "integer", "min": float("-inf")},
    {"type": "float", "min": -1.7e308, "max": 1.7e308},
    {"type": "category", "values": {"a": float("nan"), "b": 1}},
    {"type": "category", "values": {"a": float("inf"), "b": 1}},
    {"type": "float", "values": [float("nan"), 1.0]},
    {"type": "float", "distribution": {"name": "norm", "loc": 0, "scale": float("inf")}},
    {"type": "float", "distribution": {"name": "empirical", "quantiles": [0, float("nan"), 2]}},
])
def test_non_finite_hints_are_refused_at_schema_load(column):
    with pytest.raises(SchemaError, match=r"t\.x") as info:
        sf.Schema.from_dict(_one(column))
    assert (info.value.table, info.value.column) == ("t", "x")


@pytest.mark.parametrize(("column", "values"), [
    ({"type": "float", "min": 0, "max": 1e308}, None),
    ({"type": "float", "max": 1e308}, None),
    ({"type": "float", "max": 1e308}, np.linspace(0, 10, 40)),
    ("float", np.r_[np.arange(-20, 20) * 4e306, 1.7e308, -1.7e308]),
    ({"type": "float", "unique": True}, np.r_[np.arange(30) / 7, 1e308]),
    ({"type": "float", "unique": True}, np.r_[np.arange(30) / 7, -1.7e308, 1.7e308]),
])
def test_huge_bounds_and_samples_give_finite_models_and_output(tmp_path, column, values):
    samples = None if values is None else {"t": pd.DataFrame({"x": values})}
    model = sf.fit(_one(column), samples)
    model.save(tmp_path / "model.json")  # JSON has no NaN or infinity: the model holds none
    out = model.sample({"t": 500}, seed=2)["t"]["x"]
    assert np.isfinite(out.to_numpy(dtype=float)).all()
    if isinstance(column, dict) and column.get("unique"):
        assert out.is_unique
    text = model.write({"t": 500}, tmp_path / "out", format="csv", seed=2)["t"].read_text()
    assert "inf" not in text and "nan" not in text.lower()


def test_a_model_edited_to_hold_nan_says_where_when_saved(tmp_path):
    model = sf.fit(_one({"type": "float", "min": 0, "max": 1}), None)
    column = model.tables["t"].columns["x"]
    bad = dataclasses.replace(column, generator={**column.generator, "max": float("nan")})
    table = dataclasses.replace(model.tables["t"], columns={"x": bad})
    broken = dataclasses.replace(model, tables={"t": table})
    with pytest.raises(ModelError, match=r"t\.x.*not a finite number") as info:
        broken.save(tmp_path / "model.json")
    assert (info.value.table, info.value.column) == ("t", "x")
    assert not (tmp_path / "model.json").exists()


def test_rounding_stays_within_bounds():
    data = sf.fit(_one({"type": "float", "min": 0.001, "max": 0.004}), None).sample({"t": 500}, seed=1)["t"]["x"]
    assert data.between(0.001, 0.004).all() and len(set(data)) > 1
    samples = {"t": pd.DataFrame({"x": np.round(np.linspace(0, 1, 60), 2)})}
    data = sf.fit(_one({"type": "float", "min": 0.101, "max": 0.899}), samples).sample({"t": 500}, seed=1)["t"]["x"]
    assert data.between(0.101, 0.899).all()
    with pytest.raises(SchemaError, match=r"t\.x.*whole number"):
        sf.Schema.from_dict(_one({"type": "integer", "min": 0.2, "max": 0.8}))


@pytest.mark.parametrize("column", [
    {"type": "date", "max": "0001-03-01"}, {"type": "date", "min": "9999-11-01"},
    {"type": "datetime", "max": "0001-03-01"}, {"type": "datetime", "min": "9999-11-01"},
    {"type": "datetime", "min": "1500-01-01", "max": "1600-01-01"},
])
def test_dates_stay_within_years_1_to_9999_and_read_back(tmp_path, column):
    model = sf.fit(_one(column), None)
    out = model.write({"t": 300}, tmp_path, format="csv", seed=1)["t"]
    text = pd.read_csv(out, dtype=str)["x"].dropna()
    assert text.str.match(r"^\d{4}-\d\d-\d\d").all(), text.head()
    back = sf.read_samples(tmp_path, model.schema)
    assert sf.validate(back, model.schema).empty


def test_dates_before_1677_are_read():
    schema = sf.Schema.from_dict({"tables": {"t": {"columns": {"d": "date", "at": "datetime"}}}})
    frame = sf.read_samples({"t": [{"d": "1600-01-01", "at": "1500-05-06T07:08:09Z"},
                                   {"d": "9999-12-31", "at": "2300-01-01 10:00:00.5"}]}, schema)["t"]
    assert list(frame["d"].dt.year) == [1600, 9999]
    assert list(frame["at"]) == [pd.Timestamp("1500-05-06 07:08:09"), pd.Timestamp("2300-01-01 10:00:00.5")]


def test_values_contradicting_bounds_are_refused():
    for column in ({"type": "integer", "min": 5, "values": [1, 6]}, {"type": "float", "max": 1, "values": [2.0, 0.5]},
                   {"type": "date", "min": "2020-01-01", "values": ["2019-12-31"]}):
        with pytest.raises(SchemaError, match=r"t\.x.*(min|max)"):
            sf.Schema.from_dict(_one(column))


def test_composite_self_reference_is_learned():
    schema = {"tables": {"e": {
        "primary_key": ["a", "b"],
        "columns": {"a": "integer", "b": "integer", "pa": {"type": "integer", "nullable": True},
                    "pb": {"type": "integer", "nullable": True}},
        "foreign_keys": [{"columns": ["pa", "pb"], "references": {"table": "e", "columns": ["a", "b"]}}]}}}
    df = pd.DataFrame({"a": [1, 1, 2, 2, 3, 3, 4, 4], "b": [1, 2, 1, 2, 1, 2, 1, 2],
                       "pa": [None, 1, 1, 2, 2, 1, None, 4], "pb": [None, 1, 1, 1, 2, 1, None, 1]})
    model = sf.fit(schema, {"e": df})
    assert model.tables["e"].layout["self_reference"]["root_share"] == 0.25
    data = model.sample({"e": 300}, seed=1)
    assert sf.validate(data, schema).empty


def test_self_reference_without_its_key_in_the_samples():
    schema = {"tables": {"emp": {
        "primary_key": "id", "columns": {"id": "integer", "boss": {"type": "integer", "nullable": True},
                                         "name": "string"},
        "foreign_keys": {"boss": "emp.id"}}}}
    model = sf.fit(schema, {"emp": pd.DataFrame({"boss": [None, 1, 1, 2], "name": ["a", "b", "c", "d"]})})
    assert sf.validate(model.sample({"emp": 100}, seed=1), schema).empty


def test_tiny_batches_are_cut_from_larger_made_blocks(monkeypatch):
    from synthframe import generate as generate_module
    from synthframe.examples import example_samples_dir, example_schema_path

    model = sf.fit(example_schema_path(), example_samples_dir())
    whole = model.sample({"customers": 700}, seed=4, workers=1)
    calls: list[tuple[str, int]] = []
    made = generate_module.Run.rows

    def counted(self, table, span, **options):
        calls.append((table, len(span)))
        return made(self, table, span, **options)

    monkeypatch.setattr(generate_module.Run, "rows", counted)
    for workers in (1, 2):
        calls.clear()
        tiny = model.sample({"customers": 700}, seed=4, batch_rows=1, workers=workers)
        for table, frame in whole.items():
            pd.testing.assert_frame_equal(tiny[table], frame)
        assert len(calls) == len(whole)  # one block per table, not one per row
    run = generate_module.Run(model, generate_module.resolve_rows(model, {"customers": 700}), 4)
    calls.clear()
    chunks = list(generate_module.iter_batches(run, "customers", 3, workers=1))
    assert [len(c) for c in chunks] == [3] * 233 + [1] and len(calls) == 1
    pd.testing.assert_frame_equal(pd.concat(chunks), whole["customers"])


def test_zero_rows_of_a_table_with_phone_numbers():
    """POST /api/generate with recordCounts {"customers": 0} answered 500: phones for no rows (an IndexError)."""
    from synthframe.examples import example_samples_dir, example_schema_path

    model = sf.fit(example_schema_path("ecommerce"), example_samples_dir("ecommerce"))
    assert model.tables["customers"].columns["phone"].generator["kind"] == "place_phone"
    data = model.sample({"customers": 0}, seed=1)
    assert {t: len(f) for t, f in data.items()} == {"customers": 0, "products": 30, "orders": 0, "order_items": 0,
                                                    "reviews": 0}
    assert sf.validate(data, model.schema).empty


def test_a_kept_reference_table_with_a_repeated_category_level():
    """The fuzz suite's finding: a small table kept row for row whose category column repeats a level gave a
    categorical with duplicate categories (ValueError)."""
    schema = {"tables": {
        "t0": {"primary_key": "id", "columns": {"id": "integer", "code": {"type": "string", "pattern": "AB-###"},
                                                "colour": "category"}},
        "t1": {"primary_key": "id", "columns": {"id": "integer", "c0": {"type": "category", "nullable": True},
                                                "parent_id": "integer"}, "foreign_keys": {"parent_id": "t0.id"}}}}
    colours = ["green", "blue", "red", "red", "blue", "blue"]
    samples = {"t0": [{"id": i + 1, "code": f"AB-{i:03d}", "colour": c} for i, c in enumerate(colours)],
               "t1": [{"id": 1, "c0": "green", "parent_id": 2}, {"id": 2, "c0": None, "parent_id": 2},
                      {"id": 3, "c0": "green", "parent_id": 6}, {"id": 4, "c0": None, "parent_id": 6}]}
    model = sf.fit(schema, samples)
    assert model.tables["t0"].layout["reference"]["rows"] == 6
    data = model.sample({}, seed=2, workers=1)
    assert data["t0"]["colour"].tolist() == colours
    assert list(data["t0"]["colour"].cat.categories) == ["green", "blue", "red"]
    assert sf.validate(data, schema).empty


def test_a_blank_among_nulls_in_a_declared_category_column():
    """The fuzz suite's finding: a blank beside nulls in a column of few levels raised a TypeError from numpy
    (the case style of a null)."""
    schema = sf.Schema.from_dict({"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "c": {"type": "category", "nullable": True}}}}})
    values = ["", None, None, "red", None, "red"]
    frame = sf.read_samples({"t": [{"id": i + 1, "c": v} for i, v in enumerate(values)]}, schema)["t"]
    assert [None if pd.isna(v) else v for v in frame["c"]] == [None, None, None, "red", None, "red"]


def test_a_datetime_column_with_a_date_alone_keeps_its_times_in_files(tmp_path):
    """The fuzz suite's finding: one sample written as a date alone and one as a datetime gave the date-only
    format, so the written file dropped every time of day."""
    schema = {"tables": {"t": {"primary_key": "id", "columns": {"id": "integer", "at": "datetime"}}}}
    model = sf.fit(schema, {"t": [{"id": 1, "at": "2024-01-01"}, {"id": 2, "at": "2000-01-01T04:53:22"}]})
    assert model.schema.tables["t"].columns["at"].format == "%Y-%m-%dT%H:%M:%S"
    made = model.sample({"t": 20}, seed=1)["t"]
    back = sf.read_samples(model.write({"t": 20}, tmp_path, format="csv", seed=1)["t"], model.schema)["t"]
    assert (back["at"] == made["at"]).all() and (made["at"].dt.second != 0).any()


def test_an_empty_string_level_reads_back_from_csv(tmp_path):
    """The fuzz suite's finding: a category whose one level is the empty string was written ``""`` and read back
    as null."""
    schema = {"tables": {"t": {"primary_key": "id", "columns": {"id": "integer", "c": "category"}}}}
    model = sf.fit(schema, {"t": [{"id": 1, "c": ""}]})
    path = model.write({"t": 3}, tmp_path, format="csv", seed=1)["t"]
    assert path.read_text() == 'id,c\n1,""\n2,""\n3,""\n'
    assert sf.read_samples(path, model.schema)["t"]["c"].tolist() == ["", "", ""]


def test_a_country_column_with_no_sample_values():
    """The HTTP fuzz's finding: a column named country whose samples are all null (so no level is kept) drew
    its codes as a chunked array; making the rows raised a TypeError (500 on /api/generate)."""
    schema = {"tables": {"customers": {"primary_key": "id", "columns": {
        "id": "integer", "country": {"type": "string", "semantic": "country", "nullable": True}}}}}
    saved = sf.fit(schema, {"customers": [{"id": i, "country": None} for i in range(1, 6)]}).to_dict()
    saved["tables"]["customers"]["columns"]["country"]["null_rate"] = 0.0  # every row from the reference
    data = sf.Model.from_dict(saved).sample({"customers": 50}, seed=1)["customers"]
    assert data["country"].notna().all() and data["country"].nunique() > 10
