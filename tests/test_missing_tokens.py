"""Missing-value tokens (NA, N/A, NaN, null, None, -, blank): nulls in numeric, date and boolean columns only."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import SampleError
from synthframe.samples import read_samples
from synthframe.schema import Schema


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_na_among_2000_numbers_is_inferred_as_numbers_with_one_null(tmp_path: Path):
    values = [f"{i * 0.25}" for i in range(2000)]
    counts = [str(i) for i in range(2000)]
    values[1234], counts[7] = "NA", "NA"
    body = "\n".join(f"{i},{v},{c}" for i, (v, c) in enumerate(zip(values, counts)))
    path = _write(tmp_path, "flights.csv", f"id,air_time,delay\n{body}\n")
    df = read_samples(path)["flights"]
    assert df["air_time"].dtype == np.float64 and df["delay"].dtype == "Int64"
    assert df["air_time"].isna().sum() == 1 and np.isnan(df["air_time"].iloc[1234])
    assert df["delay"].isna().sum() == 1 and df["delay"].isna().iloc[7]
    assert df["air_time"].iloc[1235] == 308.75 and df["delay"].iloc[8] == 8
    cols = sf.infer_schema(path).tables["flights"].columns
    assert (cols["air_time"].type, cols["air_time"].nullable) == ("float", True)
    assert (cols["delay"].type, cols["delay"].nullable) == ("integer", True)
    assert (cols["id"].type, cols["id"].nullable) == ("integer", None)


def test_one_na_beyond_arrows_typing_block(tmp_path: Path):
    n = 120_000  # past the first megabyte Arrow types from: the whole file is re-read as text
    body = "\n".join(f"{i},{i * 7 % 1000}" for i in range(n))
    path = _write(tmp_path, "times.csv", f"id,minutes\n{body}\n{n},NA\n")
    df = read_samples(path)["times"]
    assert df["minutes"].dtype == "Int64" and df["id"].dtype == "Int64"
    assert df["minutes"].isna().sum() == 1 and df["minutes"].isna().iloc[n]
    schema = sf.infer_schema(path)
    assert schema.tables["times"].columns["minutes"].type == "integer"
    coerced = read_samples(path, schema)["times"]
    assert coerced["minutes"].isna().sum() == 1 and int(coerced["minutes"].sum()) == int(df["minutes"].sum())


def test_date_column_with_na_tokens(tmp_path: Path):
    path = _write(tmp_path, "events.csv",
                  "id,day,at\n1,2024-01-05,2024-01-05T10:30:00\n2,N/A,null\n3,null,N/A\n4,2024-02-29,NA\n")
    df = read_samples(path)["events"]
    assert df["day"].tolist()[0] == pd.Timestamp("2024-01-05") and df["day"].isna().tolist() == [
        False, True, True, False]
    assert df["at"].isna().tolist() == [False, True, True, True]
    cols = sf.infer_schema(path).tables["events"].columns
    assert (cols["day"].type, cols["day"].nullable) == ("date", True)
    assert (cols["at"].type, cols["at"].nullable) == ("datetime", True)


def test_country_code_na_stays_a_value(tmp_path: Path):
    path = _write(tmp_path, "people.csv", "id,country,score\n1,US,1.5\n2,NA,NA\n3,DE,2\n4,NA,3\n5,US,\n")
    df = read_samples(path)["people"]
    assert df["country"].tolist() == ["US", "NA", "DE", "NA", "US"]
    assert df["score"].isna().tolist() == [False, True, False, False, True]
    cols = sf.infer_schema(path).tables["people"].columns
    assert cols["country"].type in ("string", "category") and cols["country"].nullable is None
    assert (cols["score"].type, cols["score"].nullable) == ("float", True)
    # a schema declaring it text keeps it too
    schema = Schema.from_dict({"tables": {"people": {"columns": {
        "id": "integer", "country": "string", "score": "float"}}}})
    assert read_samples(path, schema)["people"]["country"].tolist() == ["US", "NA", "DE", "NA", "US"]


def test_text_tokens_are_values_only_when_shaped_like_the_column(tmp_path: Path):
    path = _write(tmp_path, "notes.csv", "id,note\n1,-\n2,NA\n3,\n4,null\n5,hello\n")
    assert read_samples(path)["notes"]["note"].isna().tolist() == [True, True, True, True, False]
    frames = read_samples({"notes": pd.DataFrame({"note": ["-", "NA", "None", "hello"]})})
    assert frames["notes"]["note"].isna().tolist() == [True, True, True, False]
    sexes = read_samples({"p": pd.DataFrame({"sex": ["male", "NA", "female", "male"]})})["p"]["sex"]
    assert sexes.isna().tolist() == [False, True, False, False]  # NA among words is a missing value
    schema = Schema.from_dict({"tables": {"p": {"columns": {"code": "string"}}}})
    only = read_samples({"p": pd.DataFrame({"code": ["NA", "NA"]})}, schema)["p"]["code"]
    assert only.tolist() == ["NA", "NA"]  # declared text with nothing else to tell: the tokens are values


def test_declared_types_turn_tokens_into_nulls(tmp_path: Path):
    schema = Schema.from_dict({"tables": {"t": {"columns": {
        "n": "integer", "x": "float", "flag": "boolean", "day": "date", "at": "datetime", "code": "string"}}}})
    path = _write(tmp_path, "t.csv",
                  "n,x,flag,day,at,code\n"
                  "1,1.5,yes,2024-01-01,2024-01-01T08:00:00,NA\n"
                  "NA,N/A,-,NaN,None,-\n"
                  "-,nan,NA,NULL,N/A,N/A\n"
                  "3,2,no,2024-03-01,2024-03-01T09:00:00,x\n")
    df = read_samples(path, schema)["t"]
    assert df["n"].dtype == "Int64" and df["n"].tolist() == [1, pd.NA, pd.NA, 3]
    assert df["x"].dtype == np.float64 and df["x"].isna().tolist() == [False, True, True, False]
    assert df["flag"].tolist() == [True, pd.NA, pd.NA, False]
    assert df["day"].isna().tolist() == [False, True, True, False]
    assert df["at"].isna().tolist() == [False, True, True, False]
    assert df["code"].isna().tolist() == [True, True, True, False]  # NA and - are not shaped like 'x'
    assert df["code"].iloc[3] == "x"
    records = {"t": [{"n": "NA", "x": "nan", "flag": "N/A", "day": " null ", "at": "-", "code": "NA"},
                     {"n": "2", "x": "0.5", "flag": "true", "day": "2024-01-02", "at": "2024-01-02T00:00:00",
                      "code": "None"}]}
    df = read_samples(records, schema)["t"]
    assert df["n"].tolist() == [pd.NA, 2] and np.isnan(df["x"].iloc[0]) and df["x"].iloc[1] == 0.5
    assert df["flag"].tolist() == [pd.NA, True] and df["day"].isna().tolist() == [True, False]
    assert df["at"].isna().tolist() == [True, False] and df["code"].tolist() == ["NA", "None"]


def test_declared_number_still_refuses_other_text(tmp_path: Path):
    schema = Schema.from_dict({"tables": {"t": {"columns": {"n": "integer"}}}})
    path = _write(tmp_path, "t.csv", "n\n1\nNA\nn.a.\n")
    with pytest.raises(SampleError, match=r"t\.n: value 'n\.a\.' \(row 3\) is not an integer"):
        read_samples(path, schema)


def test_all_token_column_is_all_null(tmp_path: Path):
    path = _write(tmp_path, "t.csv", "id,x,y\n1,NA,-\n2,NA,N/A\n3,NA,NA\n")
    df = read_samples(path)["t"]
    assert df["x"].isna().all() and df["y"].isna().all()
    cols = sf.infer_schema(path).tables["t"].columns
    assert cols["x"].nullable is True and cols["y"].nullable is True
    schema = Schema.from_dict({"tables": {"t": {"columns": {"id": "integer", "x": "float", "y": "date"}}}})
    out = read_samples(path, schema)["t"]
    assert out["x"].dtype == np.float64 and out["x"].isna().sum() == 3 and out["y"].isna().sum() == 3


def test_nan_and_whitespace_around_tokens(tmp_path: Path):
    path = _write(tmp_path, "t.csv", "id,x,flag,n\n1, 2.5 ,true,1\n2, nan ,  NA,\" NA \"\n3,nan, - ,3\n"
                                     "4, NULL ,false, N/A\n")
    df = read_samples(path)["t"]
    assert df["x"].dtype == np.float64 and df["x"].isna().tolist() == [False, True, True, True]
    assert df["x"].iloc[0] == 2.5
    assert df["flag"].tolist() == [True, pd.NA, pd.NA, False]
    assert df["n"].dtype == "Int64" and df["n"].tolist() == [1, pd.NA, 3, pd.NA]
    cols = sf.infer_schema(path).tables["t"].columns
    assert (cols["x"].type, cols["flag"].type, cols["n"].type) == ("float", "boolean", "integer")


def test_in_memory_strings_and_codes_with_leading_zeros():
    frames = read_samples({"t": pd.DataFrame({"x": ["1", "NA", "3"], "zip": ["02134", "NA", "10001"],
                                              "c": ["NA", "US", "DE"]}),
                           "r": [{"v": 1}, {"v": "NA"}, {"v": 2.5}]})
    assert frames["t"]["x"].dtype == "Int64" and frames["t"]["x"].tolist() == [1, pd.NA, 3]
    zips = frames["t"]["zip"]  # codes stay text; NA is not shaped like a zip code: a null
    assert zips.isna().tolist() == [False, True, False] and zips.iloc[0] == "02134"
    assert frames["t"]["c"].tolist() == ["NA", "US", "DE"]
    assert frames["r"]["v"].isna().tolist() == [False, True, False] and frames["r"]["v"].iloc[2] == 2.5


def test_palmer_penguins_na_in_numeric_columns(tmp_path: Path):
    palmerpenguins = pytest.importorskip("palmerpenguins")
    source = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
    if not source.is_file():
        pytest.skip("palmerpenguins ships no data/penguins.csv")
    folder = tmp_path / "samples"
    folder.mkdir()
    shutil.copy(source, folder / "penguins.csv")
    df = sf.read_samples(folder)["penguins"]
    assert len(df) == 344
    nulls = {name: int(df[name].isna().sum()) for name in df.columns}
    assert nulls == {"species": 0, "island": 0, "bill_length_mm": 2, "bill_depth_mm": 2,
                     "flipper_length_mm": 2, "body_mass_g": 2, "sex": 11, "year": 0}
    assert df["bill_length_mm"].dtype == np.float64 and df["body_mass_g"].dtype == "Int64"
    assert set(df["sex"].dropna()) == {"male", "female"}  # NA among words: a missing sex
    cols = sf.infer_schema(folder / "penguins.csv").tables["penguins"].columns
    assert {name: (c.type, c.nullable) for name, c in cols.items() if name.endswith(("_mm", "_g"))} == {
        "bill_length_mm": ("float", True), "bill_depth_mm": ("float", True),
        "flipper_length_mm": ("integer", True), "body_mass_g": ("integer", True)}
    schema = sf.infer_schema(folder)
    coerced = sf.read_samples(folder, schema)["penguins"]
    assert coerced["bill_length_mm"].isna().sum() == 2 and coerced["body_mass_g"].isna().sum() == 2
    assert coerced["bill_length_mm"].mean() == pytest.approx(43.92193, abs=1e-4)


def test_a_token_that_is_one_of_a_few_levels_stays_a_value():
    from synthframe.samples import _text_tokens_as_nulls

    levels = pd.Series(["COLLECT COD", "NONE", "TAKE BACK RETURN", "DELIVER IN PERSON"] * 25, dtype="string")
    assert _text_tokens_as_nulls(levels).isna().sum() == 0  # TPC-H's l_shipinstruct: NONE is a level
    sex = pd.Series(["male", "female"] * 30 + ["NA"] * 11, dtype="string")
    assert _text_tokens_as_nulls(sex).isna().sum() == 11  # written otherwise than the levels: missing
    rare = pd.Series(["COLLECT COD", "TAKE BACK RETURN"] * 40 + ["NONE"] * 3, dtype="string")
    assert _text_tokens_as_nulls(rare).isna().sum() == 3  # far rarer than the levels: missing


def test_tokens_written_as_values_read_back_as_values(tmp_path: Path):
    """A token-valued string is written so that it reads back as written: quoted in CSV, as it is in JSON and
    Parquet (formats with their own null); a bare token in CSV keeps the usual rule."""
    from synthframe.write import write_tables

    values = ["Main St 4", None, "-", "Main St 4", "NA", "Elm Rd 2", None, " none "]
    schema = Schema.from_dict({"tables": {"t": {"columns": {"street": {"type": "string", "nullable": True}}}}})
    frame = pd.DataFrame({"street": pd.array(values, dtype=pd.StringDtype("pyarrow"))})
    for fmt in ("csv", "json", "jsonl", "parquet"):
        path = write_tables({"t": frame}, tmp_path / fmt, fmt)["t"]
        back = read_samples(path, schema)["t"]["street"]
        assert back.isna().tolist() == [v is None for v in values], fmt
        assert back.dropna().tolist() == [v for v in values if v is not None], fmt
    lines = (tmp_path / "csv" / "t.csv").read_text().splitlines()
    assert lines[3] == '"-"' and lines[5] == '"NA"' and lines[8] == '" none "'
    bare = _write(tmp_path, "t.csv", "street\nMain St 4\n-\nMain St 4\nNA\nElm Rd 2\n")
    assert read_samples(bare, schema)["t"]["street"].isna().tolist() == [False, True, False, True, False]


def test_token_strings_in_json_and_parquet_text_columns_are_values_and_nulls_in_numbers(tmp_path: Path):
    """JSON and Parquet say null with a null: a token string there is a value in a text column, and still a
    null in a column of numbers."""
    records = [{"sex": "male", "mass": "3700"}, {"sex": "NA", "mass": "NA"}, {"sex": "female", "mass": "4100"},
               {"sex": None, "mass": None}]
    frame = read_samples({"p": records})["p"]
    assert frame["sex"].tolist()[:3] == ["male", "NA", "female"] and frame["sex"].isna().tolist()[3]
    assert frame["mass"].isna().tolist() == [False, True, False, True]
    assert frame["mass"].dropna().tolist() == [3700, 4100]
    pd.DataFrame(records).to_parquet(tmp_path / "p.parquet", index=False)
    frame = read_samples(tmp_path / "p.parquet")["p"]
    assert frame["sex"].isna().tolist() == [False, False, False, True]
    assert frame["mass"].isna().tolist() == [False, True, False, True]


@pytest.mark.parametrize("kind", ["string", "category"])
@pytest.mark.parametrize("sample_format", ["csv", "parquet", "jsonl"])
def test_a_fitted_level_equal_to_a_token_round_trips_through_every_format(tmp_path: Path, kind: str,
                                                                           sample_format: str):
    """Found by the fuzz suite: a text column whose samples hold '-' or 'NA' as often as its other values kept
    them as levels, and written rows read back with them as nulls where they came out rarer than in the
    samples. Each sample format against each output format."""
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "c2": ["-", "Main St 4", None, "NA", "Main St 4", "-"]})
    folder = tmp_path / "in"
    folder.mkdir()
    if sample_format == "csv":  # bare, as other tools write them: the usual rule keeps frequent tokens
        (folder / "t0.csv").write_text("id,c2\n1,-\n2,Main St 4\n3,\n4,NA\n5,Main St 4\n6,-\n7,NA\n",
                                       encoding="utf-8")
    elif sample_format == "parquet":
        frame.to_parquet(folder / "t0.parquet", index=False)
    else:
        frame.to_json(folder / "t0.jsonl", orient="records", lines=True)
    schema = {"tables": {"t0": {"primary_key": "id", "columns": {"id": "integer",
                                                                  "c2": {"type": kind, "nullable": True}}}}}
    model = sf.fit(schema, folder)
    made = model.sample({"t0": 300}, seed=5)["t0"]
    assert (made["c2"] == "-").sum() > 0
    # bare in CSV, 'NA' is written unlike the column's values (upper case among mixed): a null there
    assert ((made["c2"] == "NA").sum() > 0) == (sample_format != "csv")
    for fmt in ("csv", "json", "jsonl", "parquet"):
        path = model.write({"t0": 300}, tmp_path / fmt, format=fmt, seed=5)["t0"]
        back = read_samples(path, model.schema)["t0"]["c2"]
        assert back.isna().tolist() == made["c2"].isna().tolist(), fmt
        assert back.dropna().astype(str).tolist() == made["c2"].dropna().astype(str).tolist(), fmt
