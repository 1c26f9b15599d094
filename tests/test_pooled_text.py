"""Text drawn from a pool stays pool positions until a writer needs strings.

Names, cities, regions, countries, companies and jobs are positions into reference pools while they are drawn.
A Parquet writer takes them as dictionary arrays (no string copied), and the file stores them as text: it reads
back exactly as the rows :meth:`Model.sample` gives, with the same Arrow and pandas schema; every other reader
(another column of the row, DataFrames, text formats) gets strings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_entities import SAMPLES as ENTITY_SAMPLES

import synthframe as sf
from synthframe.generate import RowContext, Run
from synthframe.generators.base import TEXT_CODES, pooled_text, with_nulls
from synthframe.write import write_tables

# the people of the entity tests, with a job that is empty for some
SAMPLES = ENTITY_SAMPLES.drop(columns=["email", "phone"]).assign(job=[
    "Nurse", None, "Teacher", "Engineer", None, "Accountant", "Architect", None, "Chemist", "Dentist", None,
    "Pharmacist"])
SCHEMA = {"tables": {"customers": {"primary_key": "id", "columns": {
    "id": "integer", "first_name": "string", "last_name": "string", "city": "string", "state": "string",
    "country": "string", "job": {"type": "string", "nullable": True, "semantic": "job"}}}}}
POOLED = {"first_name", "last_name", "city", "state", "country", "job"}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"customers": SAMPLES})


def test_pooled_text_is_handed_to_a_writer_as_pool_positions(model: sf.Model) -> None:
    run = Run(model, {"customers": 5000}, 4)
    coded = run.rows("customers", range(5000), coded=True)
    plain = run.rows("customers", range(5000))
    marked = {f.name for f in coded.schema if TEXT_CODES in (f.metadata or {})}
    assert marked == POOLED
    for name in coded.schema.names:
        column = coded.column(name)
        if name in POOLED:
            assert pa.types.is_dictionary(column.type) and column.type.index_type == pa.int32()
            assert column.dictionary_decode().equals(plain.column(name)), name
        else:
            assert column.equals(plain.column(name)), name
        assert not pa.types.is_dictionary(plain.column(name).type), name
    assert plain.column("job").null_count > 0  # the learned null rate, applied to the positions


def test_a_column_reading_pooled_text_reads_strings(model: sf.Model) -> None:
    ctx = RowContext(Run(model, {"customers": 300}, 1), "customers", np.arange(300))
    coded = ctx.coded_values("city")
    assert pa.types.is_dictionary(coded.type)
    assert ctx.values("city").type == pa.string() and ctx.values("city").equals(coded.dictionary_decode())
    assert ctx.coded_values("city") is coded  # drawn once; the strings made once, when first read
    assert ctx.values("city") is ctx.values("city")


@pytest.mark.parametrize("rows, batch_rows", [(100, None), (70_000, 20_000)])
def test_parquet_stores_pooled_text_as_text(model: sf.Model, tmp_path, rows: int, batch_rows: int | None) -> None:
    written = model.write({"customers": rows}, tmp_path / "one", format="parquet", seed=7, batch_rows=batch_rows,
                          workers=1, progress=False)["customers"]
    sampled = model.sample({"customers": rows}, seed=7)["customers"]
    # the same rows written from their DataFrame: the same Arrow table (types, pandas metadata), the same frame
    from_frame = write_tables({"customers": sampled}, tmp_path / "frame", "parquet", schema=model.schema)["customers"]
    back, want = pq.read_table(written), pq.read_table(from_frame)
    assert back.schema.equals(want.schema, check_metadata=True) and back.equals(want)
    for name in POOLED:
        assert back.schema.field(name).type == pa.large_string(), name
    pd.testing.assert_frame_equal(pd.read_parquet(written), pd.read_parquet(from_frame))
    pd.testing.assert_frame_equal(pd.read_parquet(written), sampled.reset_index(drop=True), check_dtype=False)
    meta = pq.ParquetFile(written).metadata
    names = [meta.row_group(0).column(i).path_in_schema for i in range(meta.num_columns)]
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for i, name in enumerate(names):
            column = group.column(i)
            if name in POOLED:
                # positions into a dictionary page of the values the row group uses, each once; no statistics
                assert "RLE_DICTIONARY" in column.encodings and not column.is_stats_set, name
            elif name == "id":
                assert column.is_stats_set
    # a file's dictionary holds the rows' values, not a whole pool of names: 100 rows stay small
    if rows == 100:
        reader = pq.ParquetFile(written, read_dictionary=["first_name"])
        entries = reader.read_row_group(0, columns=["first_name"]).column(0).chunk(0).dictionary
        assert len(entries) == len(set(entries.to_pylist())) == sampled["first_name"].nunique()


def test_parquet_with_pooled_text_is_the_same_for_any_workers(model: sf.Model, tmp_path) -> None:
    one = model.write({"customers": 50_000}, tmp_path / "w1", format="parquet", seed=2, batch_rows=8_000,
                      workers=1, progress=False)["customers"]
    two = model.write({"customers": 50_000}, tmp_path / "w2", format="parquet", seed=2, batch_rows=8_000,
                      workers=2, progress=False)["customers"]
    assert one.read_bytes() == two.read_bytes()


def test_text_formats_get_strings(model: sf.Model, tmp_path) -> None:
    sampled = model.sample({"customers": 500}, seed=3)["customers"]
    path = model.write({"customers": 500}, tmp_path, format="csv", seed=3, progress=False)["customers"]
    back = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert back["city"].tolist() == sampled["city"].tolist()
    assert back["first_name"].tolist() == sampled["first_name"].tolist()


def test_pooled_text_and_nulls() -> None:
    pool = pa.array(["Anna", "Ben", "Anna", "Cleo"])
    values = pooled_text(pool, np.array([0, 2, -1, 3, 1]))
    assert values.dictionary_decode().to_pylist() == ["Anna", "Anna", None, "Cleo", "Ben"]
    masked = with_nulls(values, np.array([False, True, False, False, False]))
    assert masked.dictionary_decode().to_pylist() == ["Anna", None, None, "Cleo", "Ben"]
    chunked = pooled_text(pa.chunked_array([pool.slice(0, 2), pool.slice(2)]), np.array([3, 0]))
    assert chunked.dictionary_decode().to_pylist() == ["Cleo", "Anna"]


def test_a_batch_keeps_the_used_entries_once_and_its_nulls() -> None:
    from synthframe.write import _used_entries

    pool = pa.array(["Bavaria", None, "Hesse", "Bavaria", "Saxony", None])  # a region pool: repeats, no region
    values = pooled_text(pool, np.array([3, 1, 0, -1, 2, 5, 3, 0]))
    used = _used_entries(values)
    assert used.dictionary.to_pylist() == ["Bavaria", "Hesse"]  # in pool order, each once, no null entry
    assert used.indices.to_pylist() == [0, None, 0, None, 1, None, 0, 0]
    assert used.dictionary_decode().equals(values.dictionary_decode())


def test_an_empty_pool_gives_null_rows() -> None:
    from synthframe.write import _used_entries

    used = _used_entries(pooled_text(pa.array([], pa.string()), np.array([-1, -1, -1])))
    assert used.dictionary_decode().to_pylist() == [None, None, None]



def test_a_pyarrow_without_key_value_metadata_writes_the_strings(model: sf.Model, tmp_path, monkeypatch) -> None:
    """pyarrow before 17 cannot record another schema than the one it writes: the text is written as strings,
    and the file is the same data."""
    import synthframe.write as write_module

    monkeypatch.setattr(write_module, "_RECORDS_ANOTHER_SCHEMA", False)
    written = model.write({"customers": 3000}, tmp_path / "old", format="parquet", seed=7, batch_rows=1000,
                          progress=False)["customers"]
    sampled = model.sample({"customers": 3000}, seed=7)["customers"]
    from_frame = write_tables({"customers": sampled}, tmp_path / "frame", "parquet", schema=model.schema)["customers"]
    back, want = pq.read_table(written), pq.read_table(from_frame)
    assert back.schema.equals(want.schema, check_metadata=True) and back.equals(want)
    group = pq.ParquetFile(written).metadata.row_group(0)
    assert all(group.column(i).is_stats_set for i in range(group.num_columns))  # strings, as before
