"""A code whose first digit group follows another column of the row (TPC-H: ``c_phone``'s country code is
``c_nationkey + 10``) keeps that rule in every generated row, found or declared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import ModelError, SchemaError


def _customers(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nation = rng.integers(0, 25, n)
    rest = rng.integers(0, 10**10, n)
    phone = [f"{k + 10}-{r // 10**7 % 1000:03d}-{r // 10**4 % 1000:03d}-{r % 10**4:04d}" for k, r in zip(nation, rest)]
    region = np.array(["north", "south", "east", "west", "centre"])[nation % 5]
    code = [f"{ {'north': 71, 'south': 42, 'east': 18, 'west': 93, 'centre': 55}[g]}/{r % 10**5:05d}"
            for g, r in zip(region, rest)]
    return pd.DataFrame({"c_custkey": np.arange(1, n + 1), "c_nationkey": nation, "c_region": region,
                         "c_phone": phone, "c_office": code, "c_acctbal": np.round(rng.normal(4500, 3000, n), 2)})


SCHEMA = {"tables": {"customer": {"primary_key": "c_custkey", "columns": {
    "c_custkey": "integer", "c_nationkey": {"type": "integer", "min": 0, "max": 24}, "c_region": "category",
    "c_phone": "string", "c_office": "string", "c_acctbal": "float"}}}}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"customer": _customers()})


def test_the_offset_and_the_map_are_found_and_listed(model: sf.Model):
    rules = [r for r in model.to_dict()["tables"]["customer"]["layout"]["rules"] if r["rule"] == "prefix"]
    assert {"rule": "prefix", "column": "c_phone", "from": "c_nationkey", "offset": 10} in rules
    office = next(r for r in rules if r["column"] == "c_office")
    assert office["from"] == "c_region"
    assert office["map"] == {"centre": 55, "east": 18, "north": 71, "south": 42, "west": 93}


def test_every_generated_row_keeps_both(model: sf.Model):
    out = model.sample({"customer": 20_000}, seed=4)["customer"]
    assert (out["c_phone"].str[:2].astype(int) == out["c_nationkey"] + 10).all()
    expected = out["c_region"].astype(str).map({"centre": 55, "east": 18, "north": 71, "south": 42, "west": 93})
    assert (out["c_office"].str[:2].astype(int) == expected).all()
    assert out["c_phone"].str.fullmatch(r"\d\d-\d{3}-\d{3}-\d{4}").all()
    assert out["c_phone"].str[3:].nunique() > 19_000  # the other digits still vary


def test_a_nation_the_samples_never_showed_still_follows_the_offset(model: sf.Model):
    data = model.to_dict()  # the samples' nations are 0..24; let the model draw 0..29
    data["tables"]["customer"]["columns"]["c_nationkey"]["generator"] = {
        "kind": "frequencies", "values": list(range(30)), "weights": [1 / 30] * 30}
    out = sf.Model.from_dict(data).sample({"customer": 5000}, seed=2)["customer"]
    assert (out["c_nationkey"] >= 25).sum() > 500
    assert (out["c_phone"].str[:2].astype(int) == out["c_nationkey"] + 10).all()


def test_a_prefix_that_only_sometimes_holds_is_not_a_rule():
    samples = _customers()
    samples.loc[5, "c_phone"] = "99" + samples.loc[5, "c_phone"][2:]
    rules = sf.fit(SCHEMA, {"customer": samples}).to_dict()["tables"]["customer"]["layout"]["rules"]
    assert not [r for r in rules if r["rule"] == "prefix" and r["column"] == "c_phone"]


def test_declared_in_the_schema_and_refused_when_it_cannot_apply():
    schema = {"tables": {"customer": {**SCHEMA["tables"]["customer"],
                                      "rules": [{"rule": "prefix", "column": "c_phone", "from": "c_nationkey",
                                                 "offset": 30}]}}}
    out = sf.fit(schema, {"customer": _customers()}).sample({"customer": 3000}, seed=1)["customer"]
    assert (out["c_phone"].str[:2].astype(int) == (out["c_nationkey"] + 30) % 100).all()
    bad = {"tables": {"customer": {**SCHEMA["tables"]["customer"],
                                   "rules": [{"rule": "prefix", "column": "c_phone", "from": "nowhere"}]}}}
    with pytest.raises(SchemaError, match=r"Rule 'prefix' of customer\.c_phone needs 'from'"):
        sf.fit(bad, {"customer": _customers()})


def test_a_hand_edited_prefix_without_digits_names_the_column(model: sf.Model):
    data = model.to_dict()
    data["tables"]["customer"]["columns"]["c_phone"]["generator"]["text"]["prefix"] = {"column": "c_nationkey"}
    with pytest.raises(ModelError, match="c_phone"):
        sf.Model.from_dict(data)
