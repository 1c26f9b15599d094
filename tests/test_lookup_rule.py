"""A number the levels of other columns determine (a flight's distance by its origin and destination) is found in
the samples, listed in the model, and holds in every generated row: one value per combination of levels, the
samples' value for each combination they hold."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import ModelError, SchemaError

ORIGINS = ["EWR", "JFK", "LGA"]
DESTS = [f"D{i:02d}" for i in range(30)]


def _flights(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, dict[tuple[str, str], int]]:
    """Flights whose distance is fixed by (origin, dest) and differs between origins for the same dest, a
    delay that nothing determines, and a fuel burn and a seat count per aircraft type (one column decides them)."""
    rng = np.random.default_rng(seed)
    route = {(o, d): int(200 + 37 * i + 11 * j + (i * j) % 7)
             for i, o in enumerate(ORIGINS) for j, d in enumerate(DESTS)}
    origin = rng.choice(ORIGINS, n, p=[0.4, 0.35, 0.25])
    dest = rng.choice(DESTS, n)
    aircraft = rng.choice(["A320", "B737", "E175", "B777"], n, p=[0.4, 0.3, 0.2, 0.1])
    seats = pd.Series(aircraft).map({"A320": 150, "B737": 160, "E175": 76, "B777": 312}).to_numpy()
    burn = pd.Series(aircraft).map({"A320": 2.43, "B737": 2.61, "E175": 1.52, "B777": 7.08}).to_numpy()
    frame = pd.DataFrame({"id": np.arange(n), "origin": origin, "dest": dest, "aircraft": aircraft,
                          "distance": [route[(o, d)] for o, d in zip(origin, dest)],
                          "seats": seats, "burn": burn, "delay": np.round(rng.normal(10, 20, n), 1)})
    return frame, route


SCHEMA = {"tables": {"flights": {"primary_key": "id", "columns": {
    "id": "integer", "origin": "category", "dest": "category", "aircraft": "category",
    "distance": "integer", "seats": "integer", "burn": "float", "delay": "float"}}}}


@pytest.fixture(scope="module")
def fitted() -> tuple[sf.Model, dict[tuple[str, str], int]]:
    frame, route = _flights()
    return sf.fit(SCHEMA, {"flights": frame}), route


def test_the_lookups_are_found_with_the_fewest_columns_and_listed(fitted):
    model, _ = fitted
    rules = {r["column"]: r for r in model.to_dict()["tables"]["flights"]["layout"]["rules"] if r["rule"] == "lookup"}
    assert set(rules) == {"distance", "burn", "seats"}  # the delay follows nothing
    assert rules["distance"]["by"] == ["origin", "dest"] and rules["distance"]["keys"] == 90
    assert rules["distance"]["agreement"] == 1.0
    assert rules["burn"]["by"] == rules["seats"]["by"] == ["aircraft"]
    generator = model.tables["flights"].columns["burn"].generator
    assert generator["keys"] == [["A320"], ["B737"], ["B777"], ["E175"]]
    assert generator["values"] == [[2.43], [2.61], [7.08], [1.52]] and generator["counts"][0][0] > 1000
    assert generator["fallback"]["kind"] in ("distribution", "frequencies")


def test_every_generated_row_keeps_the_samples_value_of_its_levels(fitted):
    model, route = fitted
    out = model.sample({"flights": 20_000}, seed=3)["flights"]
    expected = [route[(str(o), str(d))] for o, d in zip(out["origin"], out["dest"])]
    assert (out["distance"].to_numpy() == np.array(expected)).all()
    seats = out["aircraft"].astype(str).map({"A320": 150, "B737": 160, "E175": 76, "B777": 312})
    assert (out["seats"] == seats).all()
    burn = out["aircraft"].astype(str).map({"A320": 2.43, "B737": 2.61, "E175": 1.52, "B777": 7.08})
    assert (out["burn"] == burn).all()
    assert out["delay"].nunique() > 500


def test_a_combination_never_seen_backs_off_to_its_destination_or_gets_one_value_of_its_own(fitted):
    model, route = fitted
    data = model.to_dict()  # let the model draw an origin and a destination the samples never had
    generator = data["tables"]["flights"]["columns"]["distance"]["generator"]
    assert generator["backoff"]["column"] == "dest" and len(generator["backoff"]["keys"]) == 30
    columns = data["tables"]["flights"]["columns"]
    origin, dest = columns["origin"]["generator"], columns["dest"]["generator"]
    origin["values"], origin["weights"] = ORIGINS + ["SWF"], [0.25] * 4
    dest["values"], dest["weights"] = DESTS + ["D99"], [0.5 / 30] * 30 + [0.5]
    out = sf.Model.from_dict(data).sample({"flights": 20_000}, seed=5)["flights"]
    # a new origin to a known destination: the destination's most common distance in the samples
    frame, _ = _flights()
    usual = frame.groupby("dest")["distance"].agg(lambda d: d.value_counts().sort_index().idxmax())
    known = out[(out["origin"] == "SWF") & (out["dest"] != "D99")]
    assert len(known) > 1500
    assert (known["distance"].to_numpy() == usual[known["dest"].astype(str)].to_numpy()).all()
    # a new destination: one value per combination, not the same for all, within the column's range
    new = out[out["dest"] == "D99"]
    per_origin = new.groupby("origin", observed=True)["distance"].agg(["min", "max"])
    assert (per_origin["min"] == per_origin["max"]).all() and len(per_origin) == 4
    assert len(set(per_origin["min"])) > 1
    fallback = generator["fallback"]
    assert new["distance"].between(fallback["min"], fallback["max"]).all()


def test_a_dependency_that_holds_in_nearly_every_row_keeps_its_shares():
    frame, route = _flights(4000, seed=1)
    moved = frame.index[(frame["origin"] == "JFK") & (frame["dest"] == "D07")][:10]  # 10 of ~47 rows: 0.25 %
    frame.loc[moved, "distance"] = route[("JFK", "D07")] + 1
    model = sf.fit(SCHEMA, {"flights": frame})
    rule = next(r for r in model.to_dict()["tables"]["flights"]["layout"]["rules"] if r["column"] == "distance")
    assert rule["rule"] == "lookup" and rule["agreement"] == round(1 - 10 / 4000, 4)
    out = model.sample({"flights": 40_000}, seed=2)["flights"]
    pair = out[(out["origin"] == "JFK") & (out["dest"] == "D07")]["distance"]
    assert set(pair) == {route[("JFK", "D07")], route[("JFK", "D07")] + 1}
    share = (pair == route[("JFK", "D07")] + 1).mean()
    n_jfk_d07 = int(((frame["origin"] == "JFK") & (frame["dest"] == "D07")).sum())
    expected = 10 / n_jfk_d07
    assert abs(share - expected) < 5 * np.sqrt(expected * (1 - expected) / len(pair))
    others = out[~((out["origin"] == "JFK") & (out["dest"] == "D07"))]
    spread = others.groupby(["origin", "dest"], observed=True)["distance"].agg(["min", "max"])
    assert (spread["min"] == spread["max"]).all()


@pytest.mark.parametrize("ones, found", [(2, False), (20, True)])
def test_agreement_that_chance_explains_is_not_a_rule(ones: int, found: bool):
    """40 groups of two rows whose count agrees within every group: with 2 groups of 40 at 1 (the rest 0) a
    repeat agrees by chance 90.5 % of the time (0.905^40 = 2 %), with 20 of 40 half the time (0.5^40)."""
    rng = np.random.default_rng(4)
    group = np.repeat([f"g{i:02d}" for i in range(40)], 2)
    count = np.repeat((np.arange(40) < ones).astype(int), 2) * 7
    frame = pd.DataFrame({"id": np.arange(80), "group": group, "count": count, "size": rng.normal(0, 1, 80)})
    schema = {"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "group": "category", "count": "integer", "size": "float"}}}}
    rules = sf.fit(schema, {"t": frame}).to_dict()["tables"]["t"]["layout"].get("rules", [])
    assert [r["by"] for r in rules if r["rule"] == "lookup"] == ([["group"]] if found else [])


def test_the_rule_can_be_refused_in_the_schema():
    frame, _ = _flights(1500)
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["rules"] = [{"rule": "none", "column": "distance"}]
    model = sf.fit(schema, {"flights": frame})
    assert model.tables["flights"].columns["distance"].generator["kind"] != "lookup"


def test_a_damaged_lookup_is_refused_with_the_column_named(fitted):
    model, _ = fitted
    data = model.to_dict()
    data["tables"]["flights"]["columns"]["burn"]["generator"]["counts"][0] = [1, 2]
    with pytest.raises(ModelError, match=r"flights\.burn.*'values' and 'counts'"):
        sf.Model.from_dict(data).sample({"flights": 10})


def test_a_declared_lookup_is_learned_from_the_samples_or_kept_without_them():
    frame, route = _flights(1500)
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["rules"] = [{"rule": "lookup", "column": "delay", "by": ["aircraft"]}]
    model = sf.fit(schema, {"flights": frame})
    listed = [r for r in model.to_dict()["tables"]["flights"]["layout"]["rules"] if r["column"] == "delay"]
    assert listed == [{"rule": "lookup", "column": "delay", "by": ["aircraft"], "declared": True}]
    out = model.sample({"flights": 5000}, seed=1)["flights"]
    assert (out.groupby("aircraft", observed=True)["delay"].nunique() > 100).all()  # the samples' spread, per type
    bare = sf.fit(schema).sample({"flights": 3000}, seed=1)["flights"]  # no samples: one value per type
    spread = bare.groupby("aircraft", observed=True)["delay"].agg(["min", "max"])
    assert (spread["min"] == spread["max"]).all()


@pytest.mark.parametrize("rule, problem", [
    ({"rule": "lookup", "column": "distance", "by": "origin"}, "'by'"),
    ({"rule": "lookup", "column": "distance", "by": ["origin", "nowhere"]}, "'by'"),
    ({"rule": "lookup", "column": "origin", "by": ["dest"]}, "integer or float"),
])
def test_a_badly_declared_lookup_names_the_column(rule: dict, problem: str):
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["rules"] = [rule]
    with pytest.raises(SchemaError, match=rf"flights\.{rule['column']}.*{problem}"):
        sf.Schema.from_dict(schema)


def test_a_missing_level_is_a_level_of_its_own():
    frame, route = _flights(3000, seed=6)
    unknown = frame.index % 10 == 0  # a tenth of the flights have no recorded destination: 50 miles per origin
    frame["dest"] = frame["dest"].where(~unknown, None)
    frame.loc[unknown, "distance"] = frame.loc[unknown, "origin"].map({"EWR": 50, "JFK": 51, "LGA": 52})
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["columns"]["dest"] = {"type": "category", "nullable": True}
    model = sf.fit(schema, {"flights": frame})
    generator = model.tables["flights"].columns["distance"].generator
    assert [["EWR", None], [50]] in [[k, v] for k, v in zip(generator["keys"], generator["values"])]
    out = model.sample({"flights": 10_000}, seed=8)["flights"]
    missing = out["dest"].isna()
    assert 800 < missing.sum() < 1200
    expected = out.loc[missing, "origin"].astype(str).map({"EWR": 50, "JFK": 51, "LGA": 52})
    assert (out.loc[missing, "distance"] == expected).all()
    seen = out[~missing]
    assert (seen["distance"].to_numpy() == [route[(o, d)] for o, d in zip(seen["origin"], seen["dest"])]).all()


def test_samples_with_a_repeated_index_and_more_rows_than_the_search_are_read_by_position():
    frame, _ = _flights(3000)
    frame.index = np.repeat(np.arange(1500), 2)
    big, _ = _flights(30_000, seed=3)  # more than the 20,000 rows the search looks at
    for sample in (frame, big):
        rules = sf.fit(SCHEMA, {"flights": sample}).to_dict()["tables"]["flights"]["layout"]["rules"]
        assert sorted(r["column"] for r in rules if r["rule"] == "lookup") == ["burn", "distance", "seats"]


def test_declared_rules_that_read_each_other_are_refused_at_fit():
    frame, _ = _flights(600)
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["rules"] = [{"rule": "lookup", "column": "seats", "by": ["burn"]},
                                            {"rule": "lookup", "column": "burn", "by": ["seats"]}]
    with pytest.raises(SchemaError, match=r"flights\.(seats|burn) .*depend on itself"):
        sf.fit(schema, {"flights": frame})


def test_a_declared_lookup_on_a_unique_column_or_by_a_date_is_refused():
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["columns"]["distance"] = {"type": "integer", "unique": True}
    schema["tables"]["flights"]["rules"] = [{"rule": "lookup", "column": "distance", "by": ["origin"]}]
    with pytest.raises(SchemaError, match=r"flights\.distance.*unique"):
        sf.Schema.from_dict(schema)
    schema = json.loads(json.dumps(SCHEMA))
    schema["tables"]["flights"]["columns"]["day"] = "date"
    schema["tables"]["flights"]["rules"] = [{"rule": "lookup", "column": "distance", "by": ["day"]}]
    with pytest.raises(SchemaError, match=r"flights\.distance.*not dates"):
        sf.Schema.from_dict(schema)
