"""Tests for synthframe.write: value conventions, round trips, determinism under chunking, atomic files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synthframe as sf
from synthframe import write as write_mod
from synthframe.errors import OutputError, SynthframeError
from synthframe.schema import Schema
from synthframe.write import FORMATS, to_records_json, write_json_document, write_tables

STR = pd.StringDtype("pyarrow")
SCHEMA = Schema.from_dict({"tables": {"t": {"columns": {
    "id": "integer", "qty": "integer", "price": "float", "name": "string", "segment": "category",
    "day": "date", "at": "datetime", "flag": "boolean"}}}})


def frame(n: int = 10) -> pd.DataFrame:
    """Mixed dtypes, as the generator hands them over, with nulls and awkward text in every column."""
    names = ["plain", "comma, inside", 'quote " inside', "line\nbreak", "", "tab\there", "ünïcødé €", "back\\slash",
             "ctrl\x01\x1f", "cr\rlf"]
    return pd.DataFrame({
        "id": np.arange(1, n + 1, dtype=np.int64),
        "qty": pd.array([None if i % 4 == 3 else i * 7 - 20 for i in range(n)], dtype="Int64"),
        "price": np.array([0.1, 1.0, np.nan, 1e-5, 123.45, -0.0, 1e16, 2.5e-7, 12345678901.5, 0.30000000000000004]
                          * (n // 10 + 1))[:n],
        "name": pd.array([None if i % 7 == 4 else names[i % len(names)] for i in range(n)], dtype=STR),
        "segment": pd.Categorical([None if i % 6 == 5 else ["consumer", "corporate", "home office"][i % 3]
                                   for i in range(n)], categories=["consumer", "corporate", "home office"]),
        "day": pd.to_datetime(pd.Series(np.datetime64("1969-12-30") + np.arange(n) * np.timedelta64(400, "D")))
        .where(np.arange(n) % 7 != 6).astype("datetime64[ns]"),
        "at": pd.Series(np.datetime64("1969-12-31T23:59:58", "ns") + np.arange(n) * np.timedelta64(86_400_250, "ms"))
        .where(np.arange(n) % 8 != 7),
        "flag": pd.array([None if i % 9 == 8 else i % 2 == 0 for i in range(n)], dtype="boolean"),
    })


def chunked(df: pd.DataFrame, sizes: list[int]) -> list[pd.DataFrame]:
    bounds = np.cumsum([0, *sizes])
    assert bounds[-1] == len(df)
    return [df.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


# -- what the values look like ------------------------------------------------------------------

def expected_value(value, *, date: bool):
    """The JSON value a cell should become, computed cell by cell in plain Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        if date:
            return value.strftime("%Y-%m-%d")
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
        frac = f"{value.microsecond * 1000 + value.nanosecond:09d}".rstrip("0")
        return text + ("." + frac if frac else "")
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


def expected_jsonl(df: pd.DataFrame, dates: set[str]) -> str:
    lines = []
    for row in df.astype(object).itertuples(index=False):
        record = {c: expected_value(v, date=c in dates) for c, v in zip(df.columns, row)}
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(lines)


def test_jsonl_matches_json_dumps_of_each_record(tmp_path):
    df = frame(40)
    path = write_tables({"t": df}, tmp_path, "jsonl", schema=SCHEMA)["t"]
    assert path == tmp_path / "t.jsonl"
    assert path.read_text(encoding="utf-8") == expected_jsonl(df, {"day"})


def test_value_conventions_in_one_record():
    df = frame(10)
    records = json.loads(to_records_json(df, date_columns={"day"}))
    assert records[0] == {"id": 1, "qty": -20, "price": 0.1, "name": "plain", "segment": "consumer",
                          "day": "1969-12-30", "at": "1969-12-31T23:59:58", "flag": True}
    assert records[1]["at"] == "1970-01-01T23:59:58.25"  # fraction only when present, trailing zeros dropped
    assert records[2]["price"] is None and records[3]["qty"] is None and records[4]["name"] is None
    assert records[5]["segment"] is None and records[6]["day"] is None and records[7]["at"] is None
    text = to_records_json(df.iloc[[1]])
    assert '"price":1.0,' in text and '"day":"1971-02-03T00:00:00"' in text  # no schema: a datetime


def test_csv_text_and_quoting(tmp_path):
    df = frame(15)
    text = write_tables({"t": df}, tmp_path, "csv", schema=SCHEMA)["t"].read_bytes().decode("utf-8")
    assert text.startswith(
        "id,qty,price,name,segment,day,at,flag\n"
        "1,-20,0.1,plain,consumer,1969-12-30,1969-12-31T23:59:58,true\n"
        '2,-13,1.0,"comma, inside",corporate,1971-02-03,1970-01-01T23:59:58.25,false\n'
        '3,-6,,"quote "" inside",home office,1972-03-09,1970-01-02T23:59:58.5,true\n'
        '4,,1e-05,"line\nbreak",consumer,1973-04-13,1970-01-03T23:59:58.75,false\n'
        "5,8,123.45,,corporate,1974-05-18,1970-01-04T23:59:59,true\n"
        "6,15,-0.0,tab\there,,1975-06-22,1970-01-05T23:59:59.25,false\n"
        "7,22,1e+16,ünïcødé €,consumer,,1970-01-06T23:59:59.5,true\n"
        "8,,2.5e-07,back\\slash,corporate,1977-08-30,,false\n"
        "9,36,12345678901.5,ctrl\x01\x1f,home office,1978-10-04,1970-01-09T00:00:00,\n"
        '10,43,0.30000000000000004,"cr\rlf",consumer,1979-11-08,1970-01-10T00:00:00.25,false\n')
    assert text.endswith('15,78,123.45,"",home office,1985-04-30,1970-01-15T00:00:01.5,true\n')
    back = list(csv.reader(io.StringIO(text, newline="")))
    assert [row[3] for row in back[1:]] == ["" if v is pd.NA else v for v in df["name"]]


def test_csv_empty_string_is_quoted_and_null_is_empty(tmp_path):
    df = pd.DataFrame({"a": pd.array(["", None, "x"], dtype=STR), "b": [1, 2, 3]})
    text = write_tables({"t": df}, tmp_path, "csv")["t"].read_text()
    assert text == 'a,b\n"",1\n,2\nx,3\n'


def test_csv_strings_that_read_as_nulls_are_quoted_and_read_back_as_text(tmp_path):
    values = ["null", "NaN", "N/A", "None", "a@b.com", None, "nullable"]
    df = pd.DataFrame({"a": pd.array(values, dtype=STR), "b": range(7)})
    path = write_tables({"t": df}, tmp_path, "csv")["t"]
    assert path.read_text() == 'a,b\n"null",0\n"NaN",1\n"N/A",2\n"None",3\na@b.com,4\n,5\nnullable,6\n'
    schema = sf.Schema.from_dict({"tables": {"t": {"columns": {"a": "string", "b": "integer"}}}})
    back = sf.read_samples(path, schema)["t"]["a"]
    assert back.tolist()[:5] == values[:5] and back.isna().tolist() == [False] * 5 + [True, False]
    # unquoted, the same markers are nulls, as always
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "t.csv").write_text("a,b\nnull,0\nNaN,1\nx,2\n")
    assert sf.read_samples(tmp_path / "raw" / "t.csv", schema)["t"]["a"].isna().tolist() == [True, True, False]


@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-4, 9.999e-5, 1e-5, 1.5e-6, 1e-7, 1.2345e-9,
                                   1e-10, 5e-324, 2.2250738585072014e-308, 1e9, 9999999999.0, 1e10, 12345678901.25,
                                   1e15, 9999999999999998.0, 1e16, 1.2345678901234568e17, 1e22, 1.7976931348623157e308,
                                   123456.789, 0.30000000000000004, 2.0**53 + 2, 1 / 3])
def test_float_text_is_python_repr(value):
    for v in (value, -value):
        text = to_records_json(pd.DataFrame({"x": [v]}))
        assert text == "[\n{\"x\":" + repr(v) + "}\n]"


def test_float_text_of_random_bit_patterns_is_python_repr():
    bits = np.random.default_rng(7).integers(0, 2**64, 20_000, dtype=np.uint64)
    values = bits.view(np.float64)
    values = values[np.isfinite(values)]
    body = to_records_json(pd.DataFrame({"x": values}))
    expected = "[\n" + ",\n".join('{"x":' + repr(float(v)) + "}" for v in values) + "\n]"
    assert body == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=30))
def test_floats_read_back_exactly(values):
    records = json.loads(to_records_json(pd.DataFrame({"x": np.array(values, dtype=np.float64)})))
    for got, want in zip([r["x"] for r in records], values):
        if math.isfinite(want):
            assert struct.pack("<d", got) == struct.pack("<d", want)
        else:
            assert got is None


def test_infinities_are_null_in_json_and_inf_in_csv(tmp_path):
    df = pd.DataFrame({"x": [np.inf, -np.inf, np.nan, 2.0]})
    assert json.loads(to_records_json(df)) == [{"x": None}, {"x": None}, {"x": None}, {"x": 2.0}]
    assert write_tables({"t": df}, tmp_path, "csv")["t"].read_text() == "x\ninf\n-inf\n\"\"\n2.0\n"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=12))
def test_strings_escape_like_json_dumps_and_csv_reads_back(values):
    df = pd.DataFrame({"s": pd.array(values, dtype=STR)})
    want = "[\n" + ",\n".join('{"s":' + json.dumps(v, ensure_ascii=False) + "}" for v in values) + "\n]"
    assert to_records_json(df) == want
    buf = io.BytesIO()
    for block in write_mod._render_rows(df, "csv", frozenset(), "t"):
        buf.write(block)
    rows = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8"), newline="")))
    assert [r[0] if r else "" for r in rows] == ["" if v is None else v for v in values]


def test_timestamps_units_fractions_and_time_zones():
    stamps = pd.to_datetime(["1969-12-31T23:59:59.5", "2020-01-02T03:04:05", "2020-01-02T03:04:05.000001",
                             "1900-01-01T00:00:00.123456789"], format="ISO8601")
    for unit, texts in {"ns": ["1969-12-31T23:59:59.5", "2020-01-02T03:04:05", "2020-01-02T03:04:05.000001",
                               "1900-01-01T00:00:00.123456789"],
                        "ms": ["1969-12-31T23:59:59.5", "2020-01-02T03:04:05", "2020-01-02T03:04:05",
                               "1900-01-01T00:00:00.123"],
                        "s": ["1969-12-31T23:59:59", "2020-01-02T03:04:05", "2020-01-02T03:04:05",
                              "1900-01-01T00:00:00"]}.items():
        df = pd.DataFrame({"t": stamps.astype(f"datetime64[{unit}]")})
        assert [r["t"] for r in json.loads(to_records_json(df))] == texts, unit
        dates = [r["t"] for r in json.loads(to_records_json(df, date_columns={"t"}))]
        assert dates == ["1969-12-31", "2020-01-02", "2020-01-02", "1900-01-01"], unit
    aware = pd.DataFrame({"t": pd.to_datetime(["2020-06-01 12:00"]).tz_localize("Europe/Paris")})
    assert json.loads(to_records_json(aware)) == [{"t": "2020-06-01T10:00:00Z"}]


# -- round trips --------------------------------------------------------------------------------

def normalized(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with the dtypes a reader gives back (category as text, dates at midnight)."""
    out = df.copy()
    out["segment"] = out["segment"].astype(STR)
    out["name"] = out["name"].astype(STR)
    out["day"] = out["day"].astype("datetime64[ns]")
    out["at"] = out["at"].astype("datetime64[ns]")
    out["qty"] = out["qty"].astype("Int64")
    out["flag"] = out["flag"].astype("boolean")
    return out


def test_csv_round_trip(tmp_path):
    df = frame(30)
    path = write_tables({"t": chunked(df, [7, 0, 23])}, tmp_path, "csv", schema=SCHEMA)["t"]
    back = pd.read_csv(path, keep_default_na=False, na_values=[""],
                       dtype={"qty": "Int64", "name": STR, "segment": STR, "flag": "boolean"},
                       parse_dates=["day", "at"])
    back["name"] = back["name"].mask(back["name"].isna() & df["name"].notna(), "")  # "" reads as NA in pandas
    pd.testing.assert_frame_equal(normalized(back), normalized(df))


def test_jsonl_and_json_round_trip(tmp_path):
    df = frame(30)
    for fmt in ("jsonl", "json"):
        path = write_tables({"t": chunked(df, [10, 20])}, tmp_path, fmt, schema=SCHEMA)["t"]
        text = path.read_text(encoding="utf-8")
        records = [json.loads(line) for line in text.splitlines()] if fmt == "jsonl" else json.loads(text)
        back = pd.DataFrame.from_records(records)
        back["day"] = pd.to_datetime(back["day"], format="%Y-%m-%d")
        back["at"] = pd.to_datetime(back["at"], format="ISO8601")
        back["price"] = back["price"].astype(float)
        pd.testing.assert_frame_equal(normalized(back), normalized(df))


def test_parquet_round_trip_with_dates_as_dates(tmp_path):
    df = frame(30)
    path = write_tables({"t": chunked(df, [10, 5, 15])}, tmp_path, "parquet", schema=SCHEMA)["t"]
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 3 and [meta.row_group(i).num_rows for i in range(3)] == [10, 5, 15]
    table = pq.read_table(path)
    assert table.schema.field("day").type == pa.date32()
    assert table.schema.field("at").type == pa.timestamp("ns")
    back = pd.read_parquet(path)
    assert back["segment"].dtype == df["segment"].dtype and back["qty"].dtype == "Int64"
    assert back["day"].dropna().map(type).eq(dt.date).all()
    back["day"] = pd.to_datetime(back["day"]).astype("datetime64[ns]")
    back["name"] = back["name"].astype(STR)  # the reader's string storage depends on the pandas/pyarrow pair
    pd.testing.assert_frame_equal(back, df)


# -- determinism --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_bytes_do_not_depend_on_chunking(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(write_mod, "_SLICE_ROWS", 4)  # also cut chunks into several rendering slices
    df = frame(50)
    outputs = []
    for i, chunks in enumerate([[df], chunked(df, [17, 17, 16]), chunked(df, [1, 0, 30, 19]), [df.iloc[i:i + 1]
                                                                                              for i in range(50)]]):
        outputs.append(write_tables({"t": iter(chunks)}, tmp_path / str(i), fmt, schema=SCHEMA)["t"].read_bytes())
    assert len(outputs[0]) > 1000
    assert all(o == outputs[0] for o in outputs[1:])


def test_json_document_bytes_do_not_depend_on_chunking(tmp_path):
    df, other = frame(20), pd.DataFrame({"k": [1, 2, 3]})
    one = write_json_document({"t": df, "o": other}, tmp_path / "a.json", schema=SCHEMA).read_bytes()
    many = write_json_document({"t": iter(chunked(df, [3, 3, 14])), "o": iter(chunked(other, [1, 2]))},
                               tmp_path / "b.json", schema=SCHEMA).read_bytes()
    assert one == many
    doc = json.loads(one)
    assert list(doc) == ["t", "o"] and doc["o"] == [{"k": 1}, {"k": 2}, {"k": 3}]
    assert doc["t"] == json.loads(to_records_json(df, date_columns={"day"}))
    assert one.decode() == "{\n\"t\": " + to_records_json(df, date_columns={"day"}) + ",\n\"o\": " + \
        to_records_json(other) + "\n}\n"


def test_json_file_is_to_records_json_plus_newline(tmp_path):
    df = frame(12)
    path = write_tables({"t": chunked(df, [5, 7])}, tmp_path, "json", schema=SCHEMA)["t"]
    assert path.read_text(encoding="utf-8") == to_records_json(df, date_columns={"day"}) + "\n"


# -- files ----------------------------------------------------------------------------------------

def failing(df: pd.DataFrame):
    yield df.iloc[:5]
    raise RuntimeError("generator broke")


@pytest.mark.parametrize("fmt", FORMATS)
def test_partial_file_is_removed_when_the_stream_fails(tmp_path, fmt):
    df = frame(20)
    with pytest.raises(RuntimeError, match="generator broke"):
        write_tables({"t": failing(df)}, tmp_path, fmt)
    assert list(tmp_path.iterdir()) == []
    # an earlier complete file is left as it was
    good = write_tables({"t": df}, tmp_path, fmt)["t"]
    before = good.read_bytes()
    with pytest.raises(RuntimeError):
        write_tables({"t": failing(df)}, tmp_path, fmt)
    assert good.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [good.name]


def test_partial_json_document_is_removed_when_the_stream_fails(tmp_path):
    with pytest.raises(RuntimeError):
        write_json_document({"a": frame(5), "t": failing(frame(20))}, tmp_path / "doc.json")
    assert list(tmp_path.iterdir()) == []


KILLED_WRITER = """
import sys, time
import numpy as np, pandas as pd
from synthframe.write import write_tables

def chunks():
    for i in range(10_000):
        yield pd.DataFrame({"id": np.arange(i * 1000, (i + 1) * 1000), "x": np.ones(1000)})
        if i == 1:
            print("writing", flush=True)  # the first chunk is in the partial file
        time.sleep(0.01)

write_tables({"t": chunks()}, sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_run_killed_mid_write_leaves_no_file_and_the_next_run_removes_its_partial(tmp_path, fmt):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    killed = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out), fmt], stdout=subprocess.PIPE,
                              text=True, env=env)
    assert killed.stdout.readline() == "writing\n"
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    left = [p.name for p in out.iterdir()]
    assert left == [f".t.{fmt}.{write_mod._host()}-{killed.pid}.partial"]  # hidden, never a complete-looking file
    paths = write_tables({"t": frame(20)}, out, fmt)
    assert sorted(p.name for p in out.iterdir()) == [f"t.{fmt}"]
    assert len(pd.read_csv(paths["t"]) if fmt == "csv" else pd.read_parquet(paths["t"])) == 20


def test_only_partials_of_runs_that_are_gone_are_removed(tmp_path):
    host = write_mod._host()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=30)
    try:
        names = {"live": f".t.csv.{host}-{live.pid}.partial", "mine": f".u.csv.{host}-{os.getpid()}.partial",
                 "gone": f".t.csv.{host}-{gone.pid}.partial", "other host": ".t.csv.elsewhere-1.partial",
                 "other host, old": ".u.csv.elsewhere-2.partial", "no pid": ".t.csv.partial",
                 "no pid, old": ".v.csv.partial", "not ours": ".notes.partial.txt"}
        for name in names.values():
            (tmp_path / name).write_text("x")
        old = time.time() - write_mod.STALE_SECONDS - 60
        for key in ("other host, old", "no pid, old"):
            os.utime(tmp_path / names[key], (old, old))
        write_tables({"w": frame(3)}, tmp_path, "csv")
        kept = {key for key, name in names.items() if (tmp_path / name).exists()}
        assert kept == {"live", "mine", "other host", "no pid", "not ours"}
        write_json_document({"w": frame(3)}, tmp_path / "doc.json")  # the JSON document cleans up alike
        (tmp_path / names["gone"]).write_text("x")
        live.kill()
        live.wait(timeout=30)
        write_json_document({"w": frame(3)}, tmp_path / "doc.json")
        assert not (tmp_path / names["live"]).exists() and not (tmp_path / names["gone"]).exists()
    finally:
        live.kill()


def test_the_partial_file_names_this_host_and_process(tmp_path):
    seen = []

    def chunks():
        seen.extend(p.name for p in tmp_path.iterdir())
        yield frame(5)

    write_tables({"t": chunks()}, tmp_path, "csv")
    assert seen == [f".t.csv.{write_mod._host()}-{os.getpid()}.partial"]


def test_unknown_format_is_an_output_error(tmp_path):
    with pytest.raises(OutputError) as info:
        write_tables({"t": frame(3)}, tmp_path / "out", "xlsx")
    assert isinstance(info.value, SynthframeError) and isinstance(info.value, ValueError)
    assert "'xlsx'" in str(info.value) and "json, jsonl, csv, parquet" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_output_directory_is_created(tmp_path):
    paths = write_tables({"t": frame(3), "u": pd.DataFrame({"k": [1]})}, tmp_path / "a" / "b", "parquet")
    assert paths == {"t": tmp_path / "a" / "b" / "t.parquet", "u": tmp_path / "a" / "b" / "u.parquet"}
    assert all(p.is_file() for p in paths.values())


def test_no_overwrite_refuses_before_writing(tmp_path):
    (tmp_path / "u.csv").write_text("old")
    with pytest.raises(OutputError, match="u.csv already exists") as info:
        write_tables({"t": frame(3), "u": frame(3)}, tmp_path, "csv", overwrite=False)
    assert info.value.table == "u"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u.csv"] and (tmp_path / "u.csv").read_text() == "old"


def test_chunks_with_other_columns_are_an_error(tmp_path):
    df = frame(6)
    with pytest.raises(OutputError, match="A chunk of table 't' has columns") as info:
        write_tables({"t": [df.iloc[:3], df.iloc[3:, :4]]}, tmp_path, "jsonl")
    assert info.value.table == "t"
    assert list(tmp_path.iterdir()) == []


def test_unsafe_table_name_is_an_error(tmp_path):
    with pytest.raises(OutputError, match="cannot be a file name"):
        write_tables({"../escape": frame(2)}, tmp_path / "out", "csv")


def test_unwritable_column_names_the_column(tmp_path):
    df = pd.DataFrame({"ok": [1, 2], "bad": [object(), object()]})
    with pytest.raises(OutputError, match=r"t\.bad") as info:
        write_tables({"t": df}, tmp_path, "csv")
    assert info.value.column == "bad"
    assert list(tmp_path.iterdir()) == []


def test_empty_streams(tmp_path):
    paths = {fmt: write_tables({"t": iter([])}, tmp_path, fmt, schema=SCHEMA)["t"] for fmt in FORMATS}
    assert paths["csv"].read_text() == "id,qty,price,name,segment,day,at,flag\n"
    assert paths["jsonl"].read_text() == ""
    assert paths["json"].read_text() == "[]\n"
    table = pq.read_table(paths["parquet"])
    assert table.num_rows == 0 and table.column_names == list(SCHEMA.tables["t"].columns)
    assert table.schema.field("day").type == pa.date32()
    zero_rows = frame(3).iloc[:0]
    assert write_tables({"t": zero_rows}, tmp_path, "json")["t"].read_text() == "[]\n"
    assert to_records_json(zero_rows) == "[]"
    assert write_json_document({}, tmp_path / "d.json").read_text() == "{}\n"
