"""Inputs found by fuzzing: each once raised a raw error or wrote output outside the schema."""

from __future__ import annotations

import pandas as pd

import synthframe as sf


def test_validate_date_levels_mixing_dates_and_datetimes():
    schema = {"tables": {"t": {"columns": {
        "d": {"type": "date", "values": ["2020-01-01", "2020-01-02T10:00:00"]},
        "e": {"type": "datetime", "values": ["2020-01-01", "2020-01-02T10:00:00Z"]}}}}}
    data = sf.fit(schema, None).sample({"t": 50}, seed=1)
    assert sf.validate(data, schema).empty
    odd = pd.DataFrame({"d": pd.to_datetime(["2020-01-03"]), "e": pd.to_datetime(["2020-01-02 10:00:00"])})
    report = sf.validate({"t": odd}, schema)
    assert list(report["check"]) == ["values"] and list(report["column"]) == ["d"]
