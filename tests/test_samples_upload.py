"""read_sample_files: sample tables from files held in memory (uploads), by the folder's rules."""

from __future__ import annotations

import io
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import synthframe as sf
from synthframe.errors import SampleError
from synthframe.examples import example_samples_dir, example_schema_path
from synthframe.samples import read_sample_files


@pytest.fixture(scope="module")
def schema() -> sf.Schema:
    return sf.Schema.from_json(example_schema_path())


def _example_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(example_samples_dir().iterdir())}


def test_same_frames_as_the_folder_reader(schema):
    from_memory = read_sample_files(_example_files(), schema)
    from_disk = sf.read_samples(example_samples_dir(), schema)
    assert list(from_memory) == sorted(from_disk)
    for table, frame in from_disk.items():
        pd.testing.assert_frame_equal(from_memory[table], frame)


def test_without_schema_tables_come_back_as_read():
    frames = read_sample_files({"people.csv": b"id,name,score\n1,Ann,2.5\n2,Bob,\n"})
    df = frames["people"]
    assert list(df.columns) == ["id", "name", "score"]
    assert df["id"].tolist() == [1, 2]
    assert str(df["id"].dtype) == "Int64"
    assert df["name"].tolist() == ["Ann", "Bob"]
    assert df["score"].iloc[0] == 2.5 and pd.isna(df["score"].iloc[1])


def test_every_format():
    table = pa.table({"id": [1, 2, 3], "city": ["Oslo", "Lima", None]})
    parquet = io.BytesIO()
    pq.write_table(table, parquet)
    files = {
        "a.csv": b"id,city\n1,Oslo\n2,Lima\n3,\n",
        "b.json": json.dumps([{"id": 1, "city": "Oslo"}, {"id": 2, "city": "Lima"}, {"id": 3, "city": None}]).encode(),
        "c.jsonl": b'{"id": 1, "city": "Oslo"}\n{"id": 2, "city": "Lima"}\n{"id": 3, "city": null}\n',
        "d.NDJSON": b'{"id": 1, "city": "Oslo"}\n{"id": 2, "city": "Lima"}\n{"id": 3, "city": null}\n',
        "e.parquet": parquet.getvalue(),
    }
    frames = read_sample_files(files)
    assert list(frames) == ["a", "b", "c", "d", "e"]
    for df in frames.values():
        assert df["id"].tolist() == [1, 2, 3]
        assert df["city"].iloc[:2].tolist() == ["Oslo", "Lima"] and pd.isna(df["city"].iloc[2])


def test_schema_coerces_and_keeps_leading_zeros():
    schema = sf.Schema.from_dict({"tables": {"shops": {"primary_key": "code", "columns": {
        "code": "string", "opened": "date", "open": "boolean"}}}})
    df = read_sample_files({"shops.csv": b"code,opened,open\n02134,2024-01-05,yes\n00007,2023-12-31,no\n"},
                           schema)["shops"]
    assert df["code"].tolist() == ["02134", "00007"]
    assert df["opened"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2023-12-31")]
    assert df["open"].tolist() == [True, False]


def test_json_object_holds_several_tables_and_folders_in_names_are_dropped():
    doc = {"a": [{"x": 1}], "b": [{"y": "q"}, {"y": "r"}]}
    frames = read_sample_files({"upload/data.json": json.dumps(doc).encode(), "dir\\c.csv": b"z\n5\n"})
    assert sorted(frames) == ["a", "b", "c"]
    assert frames["b"]["y"].tolist() == ["q", "r"]
    assert frames["c"]["z"].tolist() == [5]


def test_schema_json_is_skipped():
    frames = read_sample_files({"schema.json": b'{"tables": {}}', "t.csv": b"v\n1\n"})
    assert list(frames) == ["t"]


def test_utf8_bom_is_fine():
    frames = read_sample_files({"t.csv": b"\xef\xbb\xbfname\nJos\xc3\xa9\n"})
    assert frames["t"]["name"].tolist() == ["José"]


@pytest.mark.parametrize(("files", "table", "fragment"), [
    ({"t.csv": "name\ncafé\n".encode("latin-1")}, "t", "not UTF-8"),
    ({"t.csv": "café\n1\n".encode("latin-1")}, "t", "not UTF-8"),
    ({"t.json": b"\xff\xfe[]"}, "t", "not UTF-8"),
    ({"t.csv": b""}, "t", "no sample rows"),
    ({"t.json": b"[1, 2"}, "t", "not valid JSON"),
    ({"t.json": b'[{"a": 1, "a": 2}]'}, "t", "'a' twice"),
    ({"t.parquet": b"not parquet"}, "t", "cannot be read"),
    ({"t.xlsx": b"PK"}, "t", "extension '.xlsx'"),
    ({"t.csv": b"a\n1\n", "t.json": b'[{"a": 1}]'}, "t", "two sample files"),
    ({"x.json": b'{"t": [{"a": 1}]}', "t.csv": b"a\n1\n"}, "t", "two sample files"),
    ({"x.json": b'{"t": {"a": 1}}'}, "t", "must map to a list of records"),
])
def test_bad_files_raise_sample_errors_naming_the_table(files, table, fragment):
    with pytest.raises(SampleError, match=fragment) as info:
        read_sample_files(files)
    assert info.value.table == table


def test_columns_outside_the_schema_name_table_and_column(schema):
    files = _example_files()
    files["products.csv"] = b"product_id,sku,colour\n1,SKU-00001,red\n"
    with pytest.raises(SampleError, match="products.colour") as info:
        read_sample_files(files, schema)
    assert (info.value.table, info.value.column) == ("products", "colour")


@pytest.mark.parametrize(("files", "fragment"), [
    ({}, "No sample files"),
    ({"schema.json": b"{}"}, "No sample files"),
    ({"": b"a\n1\n"}, "needs a name"),
    ({"/": b"a\n1\n"}, "needs a name"),
    ({"t.csv": "a\n1\n"}, "must be given as bytes"),
    ([("t.csv", b"a\n1\n")], "mapping"),
])
def test_bad_arguments(files, fragment):
    with pytest.raises(SampleError, match=fragment):
        read_sample_files(files)
