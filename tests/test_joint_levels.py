"""Numbers under a level column (a conditional Gaussian edge) and level shares learned from thin samples."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import ModelError
from synthframe.fit import shrunk_frequencies

MEDIANS = {"a": 10.0, "b": 30.0, "c": 90.0, "d": 270.0, "e": 810.0, "f": 2430.0}


def _products(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    category = np.asarray(list(MEDIANS))[rng.integers(0, len(MEDIANS), n)]
    price = np.round(np.vectorize(MEDIANS.get)(category) * np.exp(rng.normal(0.0, 0.3, n)), 2)
    return pd.DataFrame({"product_id": np.arange(1, n + 1), "category": category, "price": price})


SCHEMA = {"tables": {"products": {"primary_key": "product_id", "columns": {
    "product_id": "integer", "category": "category", "price": "float"}}}}


@pytest.fixture(scope="module")
def product_model() -> sf.Model:
    return sf.fit(SCHEMA, {"products": _products(36, seed=1)})  # six rows per category


def test_a_number_under_a_category_gets_a_mean_and_scale_per_level(product_model):
    node = product_model.tables["products"].layout["joint"]["columns"]["price"]
    assert node["given"] == {"column": "category"} and "table" not in node
    assert len(node["means"]) == len(node["scales"]) == len(node["given_bins"]["levels"]) + 1
    out = product_model.sample({"products": 6000}, seed=3)["products"]
    medians = out.groupby("category", observed=True)["price"].median()
    # each category's prices sit around its own median (one sixth of the range apart on a log scale);
    # quantile bins of 36 rows (two bins) could only say "cheap" or "dear"
    ratio = np.log(medians / pd.Series(MEDIANS)).abs()
    assert ratio.max() < 0.35, medians.to_dict()
    spread = out.assign(log=np.log(out["price"])).groupby("category", observed=True)["log"].std()
    assert spread.between(0.15, 0.6).all(), spread.to_dict()


def test_a_number_cut_sharply_by_its_level_keeps_the_binned_table():
    rng = np.random.default_rng(5)
    day = rng.integers(0, 2000, 1500)
    status = np.where(day < 1200, "F", np.where(day > 1260, "O", "P"))  # finished before a day, open after
    frame = pd.DataFrame({"id": np.arange(1500), "status": status,
                          "day": pd.Timestamp("1992-01-01") + pd.to_timedelta(day, "D")})
    schema = {"tables": {"o": {"primary_key": "id", "columns": {"id": "integer", "status": "category",
                                                               "day": "date"}}}}
    model = sf.fit(schema, {"o": frame})
    nodes = model.tables["o"].layout["joint"]["columns"]
    node = nodes.get("day") or nodes["status"]
    assert "means" not in node and "table" in node


def test_a_damaged_level_gaussian_entry_names_the_column(product_model):
    data = product_model.to_dict()
    data["tables"]["products"]["layout"]["joint"]["columns"]["price"]["scales"][0] = -1.0
    with pytest.raises(ModelError, match=r"products\.price.*joint"):
        sf.Model.from_dict(data)
    data["tables"]["products"]["layout"]["joint"]["columns"]["price"]["scales"] = [1.0]
    data["tables"]["products"]["layout"]["joint"]["columns"]["price"]["means"] = [0.0]
    with pytest.raises(ModelError, match=r"products\.price.*joint"):
        sf.Model.from_dict(data)


def test_thin_level_shares_are_pulled_toward_equal_shares():
    counts = np.array([7, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1], dtype=float)  # 12 equally likely levels, 30 rows
    generator = {"kind": "frequencies", "values": list("abcdefghijkl"), "weights": list(counts / 30)}
    shrunk = np.asarray(shrunk_frequencies(generator, 30)["weights"])
    assert shrunk.sum() == pytest.approx(1.0)
    assert np.abs(shrunk - 1 / 12).sum() < 0.35 * np.abs(counts / 30 - 1 / 12).sum()
    assert (np.diff(shrunk) <= 1e-12).all()  # the order of the levels is kept
    skewed = {"kind": "frequencies", "values": ["a", "b"], "weights": [0.9, 0.1]}
    assert shrunk_frequencies(skewed, 8)["weights"][0] > 0.8  # a clear skew survives a thin sample
    thick = {"kind": "frequencies", "values": ["a", "b", "c"], "weights": [0.6, 0.3, 0.1]}
    assert shrunk_frequencies(thick, 100) == thick  # five rows per level or more: the samples' shares


def test_level_gaussian_edges_are_robust_on_tiny_samples():
    for n in (5, 21, 25):
        model = sf.fit(SCHEMA, {"products": _products(n, seed=n)})
        out = model.sample({"products": 500}, seed=1)["products"]
        assert out["price"].notna().all() and (out["price"] > 0).all()


def test_thin_levels_that_determine_a_coarser_column_keep_its_shares():
    # 12 titles in 40 reviews, each always with the same rating; ratings skewed (a third of titles say 5)
    rng = np.random.default_rng(2)
    titles = [f"t{i}" for i in range(12)]
    rating_of = dict(zip(titles, [5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1, 1]))
    title = np.asarray(titles)[rng.choice(12, 40, p=np.r_[[0.2] * 4, [0.05] * 8] / 1.2)]
    frame = pd.DataFrame({"id": np.arange(40), "title": title, "rating": pd.Series(title).map(rating_of).astype(str)})
    schema = {"tables": {"r": {"primary_key": "id", "columns": {"id": "integer", "title": "category",
                                                               "rating": "category"}}}}
    model = sf.fit(schema, {"r": frame})
    generator = model.tables["r"].columns["title"].generator
    weights = pd.Series(generator["weights"], index=generator["values"])
    own = frame["title"].value_counts(normalize=True).reindex(weights.index)
    assert (weights - own).abs().max() > 0.01  # shrunk: the samples' title shares are not kept as they are
    implied = weights.groupby(weights.index.map(rating_of)).sum()
    seen = frame["rating"].astype(int).value_counts(normalize=True)
    assert (implied - seen.reindex(implied.index)).abs().max() < 1e-9  # ratings keep the samples' shares
    out = model.sample({"r": 20_000}, seed=1)["r"]
    assert abs(out["rating"].astype(int).mean() - frame["rating"].astype(int).mean()) < 0.05


def test_a_positive_number_under_a_category_is_not_cut_at_its_samples_extremes(product_model):
    generator = product_model.tables["products"].columns["price"].generator
    assert generator["distribution"]["name"] in ("lognorm", "gamma", "expon")
    assert generator["min"] is None and generator["max"] is None
    sample = _products(36, seed=1)
    out = product_model.sample({"products": 20_000}, seed=4)["products"]
    dearest = out[out["category"] == "f"]["price"]
    # the dearest category spreads above its few samples as the others do, by its own scale, not the family's
    assert sample["price"].max() < dearest.quantile(0.99) < 3 * sample["price"].max()
    assert (out["price"] > 0).all() and out["price"].max() < 10 * sample["price"].max()


def test_schema_bounds_and_distributions_stay_under_a_category():
    frame = _products(36, seed=1)
    bounded = {"tables": {"products": {"primary_key": "product_id", "columns": {
        "product_id": "integer", "category": "category", "price": {"type": "float", "min": 1, "max": 3000}}}}}
    model = sf.fit(bounded, {"products": frame})
    generator = model.tables["products"].columns["price"].generator
    assert (generator["min"], generator["max"]) == (1, 3000)
    assert model.sample({"products": 5000}, seed=1)["products"]["price"].between(1, 3000).all()
    hinted = {"tables": {"products": {"primary_key": "product_id", "columns": {
        "product_id": "integer", "category": "category",
        "price": {"type": "float", "distribution": {"name": "lognorm", "s": 1.5, "scale": 200}}}}}}
    node = sf.fit(hinted, {"products": frame}).tables["products"].layout["joint"]["columns"].get("price")
    assert node is None or "means" not in node  # the schema's distribution stays the marginal


def _birds(n: int, seed: int) -> pd.DataFrame:
    """Body mass follows wing length within each species, and one species is heavier at the same wing."""
    rng = np.random.default_rng(seed)
    species = rng.choice(["gull", "tern", "skua"], n, p=[0.5, 0.3, 0.2])
    wing = np.select([species == "skua", species == "tern"], [410.0, 380.0], 400.0) + rng.normal(0, 20, n)
    mass = 4.0 * wing + np.select([species == "skua", species == "tern"], [150.0, -100.0], 0.0) + rng.normal(0, 40, n)
    return pd.DataFrame({"species": species, "wing": np.round(wing, 1), "mass": np.round(mass)})


def test_a_number_following_another_is_offset_per_level_of_a_third():
    """The penguins' shape: mass follows wing length (a Gaussian edge), and a species sits above or below that
    line. The edge keeps a slope within species and a mean and scale per species of what is left, so each
    species' mass comes out where a held-out draw has it."""
    model = sf.fit(None, {"birds": _birds(600, 1)})
    nodes = model.tables["birds"].layout["joint"]["columns"]
    # mass under species (a mean per level), wing under mass with an offset per species
    assert nodes["wing"]["given"] == {"column": "mass"} and nodes["wing"]["given2"] == {"column": "species"}
    assert len(nodes["wing"]["means"]) == len(nodes["wing"]["scales"]) == 4  # three species and the missing level
    made = model.sample({"birds": 20_000}, seed=3)["birds"]
    held = _birds(20_000, 2)
    for species in ("gull", "tern", "skua"):
        for column in ("wing", "mass"):
            a = made.loc[made["species"] == species, column].astype(float)
            b = held.loc[held["species"] == species, column]
            assert abs(a.mean() - b.mean()) < 0.15 * b.std(), (species, column)
            assert 0.8 < a.std() / b.std() < 1.25, (species, column)
        # within a species the two still move together
        mine = made[made["species"] == species][["wing", "mass"]].astype(float).corr().iloc[0, 1]
        theirs = held[held["species"] == species][["wing", "mass"]].corr().iloc[0, 1]
        assert abs(mine - theirs) < 0.1, species
    again = sf.Model.from_dict(json.loads(model.to_json())).sample({"birds": 500}, seed=3)["birds"]
    pd.testing.assert_frame_equal(again, model.sample({"birds": 500}, seed=3)["birds"])


def test_a_damaged_level_offset_entry_names_the_column():
    model = sf.fit(None, {"birds": _birds(600, 1)})
    data = model.to_dict()
    data["tables"]["birds"]["layout"]["joint"]["columns"]["wing"]["scales"][0] = -1.0
    with pytest.raises(ModelError, match=r"birds\.wing"):
        sf.Model.from_dict(data)
