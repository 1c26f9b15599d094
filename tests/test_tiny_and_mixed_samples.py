"""Real-shaped CSV files of one row, and columns that mix numbers, dates and words (docs/schema.md, "Missing values
and mixed types in samples")."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from cli_checks import assert_cli_error
from click.testing import CliRunner, Result

import synthframe as sf
from synthframe.cli import main
from synthframe.errors import SampleError


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="synthframe")


ONE_ROW = "id,name,email,code,segment,city\n1,Alice,alice.martin@example.com,SKU-00123,gold,Paris\n"


@pytest.fixture(scope="module")
def one_row(tmp_path_factory: pytest.TempPathFactory) -> tuple[sf.Model, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("one")
    (folder / "customers.csv").write_text(ONE_ROW, encoding="utf-8")
    model = sf.fit(None, folder)
    return model, model.sample({"customers": 200}, seed=3)["customers"]


def test_a_one_row_name_is_a_realistic_first_name_never_stored(one_row):
    model, data = one_row
    assert model.tables["customers"].columns["name"].generator == {"kind": "person_name", "part": "first"}
    assert "Alice" not in json.dumps(model.to_dict()) and "alice" not in json.dumps(model.to_dict())
    names = data["name"]
    assert names.nunique() > 100 and names.str[0].str.isupper().all() and not names.str.contains(r"[\d@_ ]").any()
    # the email of each row is made from its name, as with more samples
    assert (data["email"].str.split("@").str[0].str.contains(".", regex=False)).mean() > 0.5


def test_a_one_row_code_keeps_its_format_and_varies(one_row):
    model, data = one_row
    spec = model.tables["customers"].columns["code"].generator["text"]
    assert spec == {"kind": "pattern", "pattern": "SKU-#####", "index": {"min": 123, "max": 99_999}}
    assert data["code"].str.fullmatch(r"SKU-\d{5}").all() and data["code"].nunique() > 150
    assert (data["code"].str[4:].astype(int) >= 123).all()


def test_a_one_row_category_keeps_its_level(one_row):
    _, data = one_row
    assert set(data["segment"]) == {"gold"}
    assert sf.validate({"customers": data}, one_row[0].schema).empty


SENSOR = "\n".join(["reading_id,temperature,taken_on,status"] + [
    f"{i},{20 + (i * 37 % 50) / 10:.1f},2024-03-{1 + i % 28:02d},{'ok' if i % 3 else 'check'}" for i in range(1, 41)])
"""A sensor log: 40 rows of numbers and dates."""


def _sensor(tmp_path: Path, edits: dict[int, tuple[str, str]]) -> Path:
    """The sensor log with some cells replaced: ``{row: (column, text)}`` (rows from 1)."""
    frame = pd.read_csv(pd.io.common.StringIO(SENSOR), dtype=str)
    for row, (column, text) in edits.items():
        frame.loc[row - 1, column] = text
    path = tmp_path / "sensor.csv"
    frame.to_csv(path, index=False)
    return path


STRAYS = {5: ("temperature", "error"), 17: ("temperature", "<0.5"), 23: ("taken_on", "unknown")}


def test_a_few_stray_words_among_numbers_and_dates_are_nulls_with_a_warning(tmp_path: Path,
                                                                          caplog: pytest.LogCaptureFixture):
    path = _sensor(tmp_path, STRAYS)
    with caplog.at_level(logging.WARNING, logger="synthframe"):
        model = sf.fit(None, path)
    columns = model.schema.tables["sensor"].columns
    assert (columns["temperature"].type, columns["temperature"].nullable) == ("float", True)
    assert (columns["taken_on"].type, columns["taken_on"].nullable) == ("date", True)
    assert [r.getMessage() for r in caplog.records] == [
        "sensor.temperature: 2 of 40 sample values are not a float ('error', '<0.5'); read as nulls. Declare the "
        "column as string to keep them.",
        "sensor.taken_on: 1 of 40 sample values are not a date (YYYY-MM-DD) ('unknown'); read as nulls. Declare "
        "the column as string to keep them."]
    assert model.tables["sensor"].columns["temperature"].null_rate == 0.05
    data = model.sample({"sensor": 500}, seed=1)["sensor"]
    assert data["temperature"].dtype == "float64" and data["temperature"].between(20, 25).sum() > 400
    assert sf.validate({"sensor": data}, model.schema).empty


def test_the_inferred_schema_reads_the_same_file_back(tmp_path: Path):
    """synthframe infer > schema.json, then generate with it: the strays are read as nulls again."""
    path = _sensor(tmp_path, STRAYS)
    inferred = cli("infer", "--samples", path)
    assert inferred.exit_code == 0
    (tmp_path / "schema.json").write_text(inferred.stdout, encoding="utf-8")
    result = cli("generate", "--schema", tmp_path / "schema.json", "--samples", path, "--out", tmp_path / "out",
                 "--rows", "sensor=50", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: sensor.temperature: 2 of 40 sample values are not a float ('error', '<0.5'); read as nulls. "
        "Declare the column as string to keep them.",
        "warning: sensor.taken_on: 1 of 40 sample values are not a date (YYYY-MM-DD) ('unknown'); read as nulls. "
        "Declare the column as string to keep them."]
    assert len(pd.read_csv(tmp_path / "out" / "sensor.csv")) == 50


def test_a_declared_column_refuses_strays_unless_nullable_and_few(tmp_path: Path):
    path = _sensor(tmp_path, STRAYS)
    declared = {"tables": {"sensor": {"primary_key": "reading_id", "columns": {
        "reading_id": "integer", "temperature": "float", "taken_on": {"type": "date", "nullable": True},
        "status": "category"}}}}
    with pytest.raises(SampleError, match=r"sensor\.temperature: value 'error' \(row 5\) is not a float \(2 such "
                                          r"values\); fix the sample or declare the column as string\."):
        sf.fit(declared, path)
    declared["tables"]["sensor"]["columns"]["temperature"] = {"type": "float", "nullable": True}
    frame = sf.read_samples(path, sf.Schema.from_dict(declared))["sensor"]
    assert frame["temperature"].isna().sum() == 2 and frame["taken_on"].isna().sum() == 1
    many = _sensor(tmp_path, dict.fromkeys(range(1, 6), ("temperature", "n.a.")))  # 5 of 40: too many
    with pytest.raises(SampleError, match=r"sensor\.temperature: value 'n\.a\.' \(row 1\) is not a float"):
        sf.read_samples(many, sf.Schema.from_dict(declared))


def test_without_a_majority_a_mixed_column_is_text_of_its_own_values(tmp_path: Path):
    """12, 3.5, abc, 2024-01-01, ...: no type holds 90 % of the values; the column is text and keeps them."""
    values = ["12", "3.5", "abc", "2024-01-01", "7", "8", "9.25", "10", "x-ray", "2024-02-10", "11", "13"]
    path = tmp_path / "lab.csv"
    pd.DataFrame({"id": range(1, 13), "result": values}).to_csv(path, index=False)
    model = sf.fit(None, path)
    assert model.schema.tables["lab"].columns["result"].type == "string"
    made = model.sample({"lab": 300}, seed=2)["lab"]["result"]
    assert set(made) <= set(values) and made.nunique() > 6


def test_codes_with_leading_zeros_and_a_few_words_stay_text(tmp_path: Path):
    zips = [f"{i:05d}" for i in range(2101, 2141)]
    zips[7] = "unknown"
    path = tmp_path / "offices.csv"
    pd.DataFrame({"id": range(1, 41), "zip": zips}).to_csv(path, index=False)
    frame = sf.read_samples(path)["offices"]
    assert frame["zip"].iloc[0] == "02101" and frame["zip"].iloc[7] == "unknown"


def test_the_warning_is_one_line_on_the_command_line_and_the_run_succeeds(tmp_path: Path):
    path = _sensor(tmp_path, {9: ("temperature", "error")})
    result = cli("generate", "--samples", path, "--out", tmp_path / "out", "--rows", "sensor=30", "-q")
    assert result.exit_code == 0 and result.stderr == (
        "warning: sensor.temperature: 1 of 40 sample values are not a float ('error'); read as nulls. Declare the "
        "column as string to keep them.\n")


def test_too_many_strays_in_a_declared_column_is_one_error_line(tmp_path: Path):
    path = _sensor(tmp_path, dict.fromkeys(range(1, 11), ("temperature", "error")))
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"tables": {"sensor": {"columns": {
        "reading_id": "integer", "temperature": {"type": "float", "nullable": True}, "taken_on": "date",
        "status": "string"}}}}), encoding="utf-8")
    assert_cli_error(cli("generate", "--schema", schema, "--samples", path, "--out", tmp_path / "out"),
                     "sensor.temperature", "'error' (row 1)", "10 such values")
