"""Rows checked on their way to the files (runs too large to read back): the same problems ``validate`` finds,
keys across chunks and tables included, from streams of DataFrames and of Arrow batches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

import synthframe as sf
import synthframe.cli as cli
from synthframe import write_checks
from synthframe.examples import example_samples_dir, example_schema_path
from synthframe.generate import Run, resolve_rows, table_streams
from synthframe.write_checks import WriteChecks

SCHEMA = sf.Schema.from_dict({"tables": {
    "parents": {"primary_key": "id", "columns": {"id": "integer", "code": {"type": "string", "unique": True}}},
    "children": {"primary_key": ["parent_id", "n"], "columns": {
        "parent_id": "integer", "n": {"type": "integer", "min": 1},
        "size": {"type": "float", "min": 0, "max": 10, "nullable": False},
        "kind": {"type": "category", "values": ["a", "b"]}},
        "foreign_keys": {"parent_id": "parents.id"}},
}})


def _parents(ids: list[int], codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"id": pd.array(ids, dtype="Int64"), "code": pd.array(codes, dtype="string")})


def _children(parent_ids: list[int], ns: list[int], sizes: list[float], kinds: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"parent_id": pd.array(parent_ids, dtype="Int64"), "n": pd.array(ns, dtype="Int64"),
                         "size": np.array(sizes, dtype=float), "kind": pd.Categorical(kinds, categories=["a", "b"])})


def _checked(chunks: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    checks = WriteChecks(SCHEMA, {t: sum(len(c) for c in cs) for t, cs in chunks.items()})
    for table, parts in chunks.items():
        assert [len(c) for c in checks.watch(table, iter(parts))] == [len(c) for c in parts]  # chunks pass as they are
    return checks.report()


def test_valid_chunks_give_an_empty_report_equal_to_validate_s() -> None:
    parents = [_parents([1, 2], ["x", "y"]), _parents([3], ["z"])]
    children = [_children([1, 1], [1, 2], [0.5, 9.0], ["a", "b"]), _children([3], [1], [10.0], ["a"])]
    report = _checked({"parents": parents, "children": children})
    assert report.empty
    whole = {"parents": pd.concat(parents, ignore_index=True), "children": pd.concat(children, ignore_index=True)}
    assert sf.validate(whole, SCHEMA).empty
    assert list(report.columns) == list(sf.validate(whole, SCHEMA).columns)


def test_keys_repeated_or_missing_across_chunks_are_found() -> None:
    """Each chunk alone is valid; together a key and a unique code repeat and a child points past its parents."""
    parents = [_parents([1, 2], ["x", "y"]), _parents([2, 3], ["x", "z"])]
    children = [_children([1, 9], [1, 1], [1.0, 2.0], ["a", "a"]), _children([1, 9], [2, 1], [3.0, 4.0], ["b", "b"])]
    report = _checked({"parents": parents, "children": children})
    found = {(r.table, r.column, r.check): r.count for r in report.itertuples()}
    assert found == {("parents", "id", "primary_key_duplicate"): 2, ("parents", "code", "unique"): 2,
                     ("children", "parent_id,n", "primary_key_duplicate"): 2,
                     ("children", "parent_id", "foreign_key"): 2}
    whole = {"parents": pd.concat(parents, ignore_index=True), "children": pd.concat(children, ignore_index=True)}
    expected = {(r.table, r.column, r.check): r.count for r in sf.validate(whole, SCHEMA).itertuples()}
    assert found == expected


def test_column_problems_of_several_chunks_are_one_row_with_their_rows_added_up() -> None:
    children = [_children([1, 1], [1, 2], [11.0, -1.0], ["a", "b"]), _children([1], [3], [12.0], ["a"])]
    children[1]["size"] = np.nan  # a null where the schema forbids one
    report = _checked({"parents": [_parents([1], ["x"])], "children": children})
    found = {(r.table, r.column, r.check): r.count for r in report.itertuples()}
    assert found == {("children", "size", "max"): 1, ("children", "size", "min"): 1,
                     ("children", "size", "nullable"): 1}


def test_a_run_of_too_many_key_values_checks_each_chunk_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the budget no key value is kept: a key repeated across chunks goes unseen (the command says keys
    were not checked), one repeated within a chunk is still found."""
    assert write_checks.key_values(SCHEMA, {"parents": 10, "children": 7}) == 10 * 2 + 7 * 2
    # a foreign key keeps its distinct values per chunk: ten parents over 39 chunks of 10**7 children
    chunks = -(-10**7 // sf.generate.DEFAULT_BATCH_ROWS)
    assert write_checks.key_values(SCHEMA, {"parents": 10, "children": 10**7}) == 10 * 2 + 10**7 + chunks * 10
    monkeypatch.setattr(write_checks, "KEY_VALUES_BUDGET", 7)
    checks = WriteChecks(SCHEMA, {"parents": 4})  # 4 ids + 4 codes
    assert not checks.keys_checked
    list(checks.watch("parents", iter([_parents([1, 2], ["x", "y"]), _parents([2, 3], ["q", "z"])])))
    assert checks.report().empty
    checks = WriteChecks(SCHEMA, {"parents": 3})
    assert checks.keys_checked
    list(checks.watch("parents", iter([_parents([1, 1, 2], ["x", "y", "z"])])))
    assert [(r.column, r.check, r.count) for r in checks.report().itertuples()] == [("id", "primary_key_duplicate", 2)]


def test_arrow_batches_of_a_real_run_are_checked_as_their_frames() -> None:
    """The example's streams as the Parquet writer gets them (pooled text as dictionary positions), children
    beside their parents: no problem, the chunks unchanged."""
    model = sf.fit(example_schema_path(), example_samples_dir())
    counts = resolve_rows(model, {"customers": 3000})
    run = Run(model, counts, 5)
    streams, beside = table_streams(run, arrow=True, batch_rows=1000, workers=1, beside=False)
    checks = WriteChecks(model.schema, counts)
    for table, stream in streams.items():
        for batch in checks.watch(table, stream):
            assert isinstance(batch, pa.RecordBatch)
    assert checks.keys_checked and checks.report().empty


def test_the_command_checks_a_large_run_while_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the read-back limit `synthframe generate` checks the rows on their way (here the limit is lowered):
    a clean run says so; a broken key is reported as the read-back would report it."""
    monkeypatch.setattr(cli, "VALIDATE_ROW_LIMIT", 100)
    args = ["generate", "--example", "ecommerce", "--rows", "customers=300", "--format", "parquet"]
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "a")], prog_name="synthframe")
    assert result.exit_code == 0, result.output
    assert "checked while writing: every primary key unique, every foreign key found" in result.output

    def broken(self: WriteChecks, table: str, chunk: object) -> None:  # every order points at customer -1
        if table == "orders":
            chunk = sf.generate.to_frame(chunk) if isinstance(chunk, pa.RecordBatch) else chunk
            chunk = chunk.assign(customer_id=pd.array([-1] * len(chunk), dtype="Int64"))
        original(self, table, chunk)

    original = WriteChecks._chunk
    monkeypatch.setattr(WriteChecks, "_chunk", broken)
    result = CliRunner().invoke(cli.main, [*args, "--out", str(tmp_path / "b")], prog_name="synthframe")
    assert result.exit_code != 0
    assert "invalid: orders.customer_id [foreign_key]" in result.output


def test_text_and_time_keys_are_compared_by_value_across_chunks() -> None:
    """Codes and timestamps as keys (airlines by carrier code, weather by station and hour): the same value in
    another chunk, or in the parent's table, is the same key."""
    schema = sf.Schema.from_dict({"tables": {
        "airlines": {"primary_key": "carrier", "columns": {"carrier": "string"}},
        "flights": {"primary_key": ["carrier", "hour"], "columns": {"carrier": "string", "hour": "datetime"},
                    "foreign_keys": {"carrier": "airlines.carrier"}}}})
    airlines = [pd.DataFrame({"carrier": pd.array(["UA", "DL"], dtype="string")}),
                pd.DataFrame({"carrier": pd.array(["AA", None], dtype="string")})]
    hours = pd.to_datetime(["2013-01-01 05:00", "2013-01-01 06:00"]).tz_localize("UTC")
    flights = [pd.DataFrame({"carrier": pd.array(["UA", "UA"], dtype="string"), "hour": hours}),
               pd.DataFrame({"carrier": pd.array(["UA", "B6"], dtype="string"), "hour": hours[::-1]})]
    checks = WriteChecks(schema, {"airlines": 4, "flights": 4})
    for table, parts in (("airlines", airlines), ("flights", flights)):
        list(checks.watch(table, iter(parts)))
    found = {(r.table, r.column, r.check): r.count for r in checks.report().itertuples()}
    assert found == {("airlines", "carrier", "primary_key_null"): 1,
                     ("flights", "carrier,hour", "primary_key_duplicate"): 2,  # UA at 06:00 in both chunks
                     ("flights", "carrier", "foreign_key"): 1}  # B6
    whole = {"airlines": pd.concat(airlines, ignore_index=True), "flights": pd.concat(flights, ignore_index=True)}
    assert found == {(r.table, r.column, r.check): r.count for r in sf.validate(whole, schema).itertuples()}


def test_what_validate_finds_only_with_the_whole_data_is_found_too() -> None:
    """A composite foreign key null in one of its columns; a parent table that wrote no chunk at all; text keys
    in several Arrow pieces; a problem of the columns found in every chunk counted once."""
    schema = sf.Schema.from_dict({"tables": {
        "p": {"primary_key": ["a", "b"], "columns": {"a": "integer", "b": "string"}},
        "c": {"columns": {"x": {"type": "integer", "nullable": True}, "y": {"type": "string", "nullable": True}},
              "foreign_keys": [{"columns": ["x", "y"], "references": {"table": "p", "columns": ["a", "b"]}}]}}})
    parent = pd.DataFrame({"a": pd.array([1], dtype="Int64"), "b": pd.array(["k"], dtype="string[pyarrow]")})
    child = pd.concat([pd.DataFrame({"x": pd.array([1, 1], dtype="Int64"),
                                     "y": pd.array([None, "k"], dtype="string[pyarrow]")}),
                       pd.DataFrame({"x": pd.array([2], dtype="Int64"),
                                     "y": pd.array(["k"], dtype="string[pyarrow]")})],
                      ignore_index=True)  # y in two Arrow pieces
    extra = child.assign(z=1)
    checks = WriteChecks(schema, {"p": 1, "c": 6})
    list(checks.watch("p", parent))
    list(checks.watch("c", iter([child, extra])))
    found = {(r.table, r.column, r.check): r.count for r in checks.report().itertuples()}
    assert found == {("c", "x,y", "foreign_key_partial_null"): 2, ("c", "x,y", "foreign_key"): 2,
                     ("c", "z", "unknown_column"): 1}
    expected = {(r.table, r.column, r.check): r.count for r in
                sf.validate({"p": parent, "c": pd.concat([child, child], ignore_index=True)}, schema).itertuples()}
    assert expected == {k: v for k, v in found.items() if k[2] != "unknown_column"}

    nowhere = WriteChecks(schema, {"p": 0, "c": 3})
    list(nowhere.watch("p", iter([])))
    list(nowhere.watch("c", child))
    assert {(r.column, r.check): r.count for r in nowhere.report().itertuples()} == \
        {("x,y", "foreign_key_partial_null"): 1, ("x,y", "foreign_key"): 2}
