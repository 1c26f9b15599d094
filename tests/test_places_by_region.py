"""A table of one country's small towns and their states: cities within the row's state, states at the samples' shares.

Half of the towns of a list of US airports are missing from the gazetteer, so the cities alone do not tie the
table to real places. When enough of the towns the gazetteer does hold lie in the state their row names, the
place group is formed from the state: each row's state is drawn at the samples' shares, and its city is a real
city of that state, so city and state always agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import synthframe as sf
from synthframe import reference

# (town, state): the gazetteer holds 12 of these 40 towns, each in its row's state; the others are small towns
TOWNS = [("Juneau", "AK"), ("Fairbanks", "AK"), ("Eagle River", "AK"), ("Badger", "AK"), ("Bethel", "AK"),
         ("Nome", "AK"), ("Kotzebue", "AK"), ("Unalakleet", "AK"), ("Aniak", "AK"), ("Togiak", "AK"),
         ("Galena", "AK"), ("Kiana", "AK"), ("Dumas", "TX"), ("Hereford", "TX"), ("Gatesville", "TX"),
         ("Marfa", "TX"), ("Alpine", "TX"), ("Van Horn", "TX"), ("Sanderson", "TX"), ("Ozona", "TX"),
         ("Chickasha", "OK"), ("Tahlequah", "OK"), ("Durant", "OK"), ("Guymon", "OK"), ("Hobart", "OK"),
         ("Kalispell", "MT"), ("Helena", "MT"), ("Bozeman", "MT"), ("Glasgow", "MT"), ("Wolf Point", "MT"),
         ("Sidney", "MT"), ("Cut Bank", "MT"), ("Lewistown", "MT"), ("Havre", "MT"), ("Jordan", "MT"),
         ("Ekalaka", "MT"), ("Circle", "MT"), ("Scobey", "MT"), ("Plentywood", "MT"), ("Malta", "MT")]
SCHEMA = {"tables": {"airports": {"primary_key": "id", "columns": {
    "id": "integer", "city": {"type": "string", "semantic": "city"},
    "state": {"type": "string", "semantic": "state_abbr"}, "country": "category"}}}}


def _samples(towns: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"id": range(1, len(towns) + 1), "city": [t for t, _ in towns],
                         "state": [s for _, s in towns], "country": "USA"})


def _in_state(cities: pd.Series, states: pd.Series) -> pd.Series:
    table = reference.cities().to_pandas()
    us = table[table["country"] == "US"]
    pairs = set(zip(us["name"], us["region_code"])) | set(zip(us["name"], us["region"]))
    return pd.Series([(c, s) in pairs for c, s in zip(cities, states)], index=cities.index)


def test_the_towns_tie_the_table_to_real_places_through_their_states() -> None:
    samples = _samples(TOWNS)
    found = _in_state(samples["city"], samples["state"])
    assert 0.25 <= found.mean() < 0.5  # too few found for the country alone, enough in their states
    model = sf.fit(SCHEMA, {"airports": samples})
    table = model.tables["airports"]
    assert table.columns["city"].generator["kind"] == "place_city"
    assert table.columns["state"].generator == {"kind": "place_region", "form": "code"}
    regions = table.layout["place"]["regions"]["US"]
    assert dict(zip(regions["values"], regions["weights"])) == {
        "Montana": 0.375, "Alaska": 0.3, "Texas": 0.2, "Oklahoma": 0.125}
    rows = model.sample({"airports": 20_000}, seed=4)["airports"]
    assert _in_state(rows["city"], rows["state"]).all()
    shares = rows["state"].value_counts(normalize=True)
    expected = pd.Series({"MT": 0.375, "AK": 0.3, "TX": 0.2, "OK": 0.125})
    # the samples' shares (±3 sd of 20,000 rows is ±0.01; the towns the samples repeat come as themselves)
    assert np.abs(shares.reindex(expected.index).fillna(0) - expected).max() < 0.02


def test_towns_in_the_wrong_states_do_not_form_a_place() -> None:
    states = [s for _, s in TOWNS]
    shuffled = [(t, states[(i + 7) % len(states)]) for i, (t, _) in enumerate(TOWNS)]  # no town in its state
    samples = _samples(shuffled)
    assert _in_state(samples["city"], samples["state"]).mean() < 0.25
    model = sf.fit(SCHEMA, {"airports": samples})
    assert model.tables["airports"].columns["city"].generator["kind"] != "place_city"
    assert "regions" not in (model.tables["airports"].layout.get("place") or {})


def _near_their_city(rows: pd.DataFrame, km: float) -> pd.Series:
    """Whether each row's point lies within ``km`` of a gazetteer city of its name in the US."""
    table = reference.cities().to_pandas()
    us = table[table["country"] == "US"][["name", "latitude", "longitude"]]
    pairs = rows.reset_index().merge(us, left_on="city", right_on="name")
    lat1, lat2 = np.radians(pairs["lat"]), np.radians(pairs["latitude"])
    dlon = np.radians(pairs["lon"] - pairs["longitude"])
    cos = np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(dlon)
    distance = pd.Series(np.arccos(np.clip(cos, -1, 1)) * 6371.0).groupby(pairs["index"].to_numpy()).min()
    return (distance <= km).reindex(rows.index, fill_value=False)


def _with_points(samples: pd.DataFrame, rng: np.random.Generator, near: bool) -> pd.DataFrame:
    table = reference.cities().to_pandas()
    us = table[table["country"] == "US"].drop_duplicates("name").set_index("name")
    centre = us.reindex(samples["city"])[["latitude", "longitude"]].to_numpy()
    lost = np.isnan(centre[:, 0])  # towns the gazetteer lacks: a point somewhere in the country
    centre[lost] = np.column_stack([rng.uniform(30, 48, lost.sum()), rng.uniform(-120, -75, lost.sum())])
    if not near:
        centre = np.column_stack([rng.uniform(30, 48, len(centre)), rng.uniform(-120, -75, len(centre))])
    jitter = rng.normal(0, 0.05, centre.shape)  # about 5 km
    return samples.assign(lat=np.round(centre[:, 0] + jitter[:, 0], 6), lon=np.round(centre[:, 1] + jitter[:, 1], 6))


POINTS = {"tables": {"airports": {"primary_key": "id", "columns": {
    **SCHEMA["tables"]["airports"]["columns"], "lat": "float", "lon": "float"}}}}


def test_coordinates_near_their_city_stay_near_it() -> None:
    samples = _with_points(_samples(TOWNS), np.random.default_rng(1), near=True)
    assert _near_their_city(samples, 50).mean() >= 0.25  # the towns the gazetteer holds
    model = sf.fit(POINTS, {"airports": samples})
    table = model.tables["airports"]
    assert table.layout["place"]["columns"]["latitude"] == "lat"
    params = table.columns["lon"].generator
    assert params["kind"] == "place_longitude" and params["decimals"] == 6 and max(params["distances"]) < 50
    rows = model.sample({"airports": 5000}, seed=2)["airports"]
    assert _near_their_city(rows, max(params["distances"]) + 0.01).all()
    assert (rows["lat"].round(6) == rows["lat"]).all()


def test_coordinates_far_from_their_city_are_drawn_as_numbers() -> None:
    samples = _with_points(_samples(TOWNS), np.random.default_rng(1), near=False)
    model = sf.fit(POINTS, {"airports": samples})
    assert model.tables["airports"].columns["lat"].generator["kind"] != "place_latitude"
