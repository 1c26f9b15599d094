"""Columns that follow the row's country: its code beside its name, and a category it determines.

Gapminder-like rows hold a country's name, its ISO code and its continent: the code and the continent are
made from the row's country, so they agree with it in every row, for countries the samples never showed too.
A name no list knows (``Korea, Rep.``) is learned from the code beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe import reference

COUNTRIES = [("Germany", "DEU", "Europe"), ("France", "FRA", "Europe"), ("Italy", "ITA", "Europe"),
             ("Spain", "ESP", "Europe"), ("Sweden", "SWE", "Europe"), ("Kenya", "KEN", "Africa"),
             ("Nigeria", "NGA", "Africa"), ("Ghana", "GHA", "Africa"), ("Egypt", "EGY", "Africa"),
             ("Japan", "JPN", "Asia"), ("India", "IND", "Asia"), ("Korea, Rep.", "KOR", "Asia"),
             ("Brazil", "BRA", "Americas"), ("Canada", "CAN", "Americas"), ("Mexico", "MEX", "Americas"),
             ("Chile", "CHL", "Americas")]
ONCE = [("Peru", "PER", "Americas"), ("Norway", "NOR", "Europe"), ("Vietnam", "VNM", "Asia"), ("Mali", "MLI", "Africa"),
        ("Austria", "AUT", "Europe"), ("Senegal", "SEN", "Africa")]
SCHEMA = {"tables": {"g": {"columns": {
    "country": {"type": "string", "semantic": "country"}, "continent": "category", "year": "integer",
    "iso_alpha": "string", "life": "float"}}}}


def _samples(rng: np.random.Generator) -> pd.DataFrame:
    rows = [(name, continent, year, code) for name, code, continent in COUNTRIES for year in (1952, 1977, 2002)]
    rows += [(name, continent, 1952, code) for name, code, continent in ONCE]  # the share of new countries
    frame = pd.DataFrame(rows, columns=["country", "continent", "year", "iso_alpha"])
    return frame.assign(life=rng.normal(60, 10, len(frame)).round(2))


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"g": _samples(np.random.default_rng(0))})


def test_the_code_and_the_continent_join_the_place(model: sf.Model) -> None:
    table = model.tables["g"]
    assert table.columns["iso_alpha"].generator == {"kind": "place_country", "form": "alpha3", "follows": True}
    continent = table.columns["continent"].generator
    assert continent["kind"] == "place_country_level"
    assert continent["countries"]["DE"] == "Europe" and continent["countries"]["KR"] == "Asia"
    assert continent["continents"] == {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "Americas",
                                       "SA": "Americas"}
    assert table.layout["place"]["aliases"] == {"korea, rep.": "KR"}


def test_every_row_s_code_and_continent_are_its_country_s(model: sf.Model) -> None:
    rows = model.sample({"g": 20_000}, seed=3)["g"]
    countries = reference.countries().to_pandas()
    by_name = countries.set_index("name")
    seen = {name: (code, continent) for name, code, continent in COUNTRIES + ONCE}
    code = rows["country"].map(lambda n: seen[n][0] if n in seen else by_name["alpha3"].get(n))
    assert code.notna().all()
    assert (rows["iso_alpha"] == code).all()
    # seen countries keep their samples' continent; new ones take the one their continent's countries have
    levels = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "Americas", "SA": "Americas"}
    continent = rows["country"].map(lambda n: seen[n][1] if n in seen else levels.get(
        by_name["continent"].get(n), "Europe"))  # Oceania and Antarctica: the most common level
    assert (rows["continent"].astype(str) == continent).all()
    new = ~rows["country"].isin(seen)
    assert new.sum() > 100  # the samples' share of new countries is drawn too


def test_a_category_the_country_does_not_determine_stays_its_own() -> None:
    samples = _samples(np.random.default_rng(0))
    samples["continent"] = np.random.default_rng(1).choice(["Europe", "Asia", "Africa"], len(samples))
    model = sf.fit(SCHEMA, {"g": samples})
    assert model.tables["g"].columns["continent"].generator["kind"] == "frequencies"


def test_a_damaged_level_map_is_refused_at_load(model: sf.Model) -> None:
    data = model.to_dict()
    data["tables"]["g"]["columns"]["continent"]["generator"]["default"] = "Atlantis"
    with pytest.raises(sf.SynthframeError) as info:
        sf.Model.from_dict(data).sample({"g": 10}, seed=1)
    assert (info.value.table, info.value.column) == ("g", "continent")


def test_country_codes_with_seen_values_and_new_ones() -> None:
    """A country-code column on its own keeps the samples' codes at their rate and draws new ones from the
    reference countries (whose column is read in chunks)."""
    codes = reference.countries().column("alpha3").to_pylist()[:60]
    samples = pd.DataFrame({"id": range(200), "iso": np.random.default_rng(0).choice(codes, 200)})
    model = sf.fit({"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "iso": {"type": "string", "semantic": "country_code"}}}}}, {"t": samples})
    spec = model.tables["t"].columns["iso"].generator["text"]
    assert spec["seen"] and 0 < float(spec["new"]) < 1
    rows = model.sample({"t": 5000}, seed=1)["t"]
    everything = set(reference.countries().column("alpha3").to_pylist())
    assert rows["iso"].isin(everything).all() and rows["iso"].isin(codes).mean() > 0.5
