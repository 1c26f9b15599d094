"""Gaps of dates that follow another date: kept as their quantiles when the samples show enough of them."""

from __future__ import annotations

import numpy as np
import pandas as pd

import synthframe as sf
from synthframe.rules import GAP_EMPIRICAL_ROWS

SCHEMA = {"tables": {
    "customers": {"primary_key": "id", "columns": {"id": "integer", "signup": "date"}},
    "orders": {"primary_key": "order_id", "columns": {"order_id": "integer", "id": "integer", "placed": "date"},
               "foreign_keys": {"id": "customers.id"}}}}
END = pd.Timestamp("2024-12-31")


def _draw(customers: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2019-01-01") + pd.to_timedelta(np.floor(2000 * np.sqrt(rng.random(customers))), "D")
    owner = np.repeat(np.arange(customers), rng.integers(1, 7, customers))
    room = (END - signup[owner]).days.to_numpy()
    # orders fall a growing share of the time left after sign-up: no family's shape within a bin of gaps
    placed = signup[owner] + pd.to_timedelta(np.floor(room * rng.random(len(owner)) ** 0.8), "D")
    return {"customers": pd.DataFrame({"id": np.arange(customers), "signup": signup}),
            "orders": pd.DataFrame({"order_id": np.arange(len(owner)), "id": owner, "placed": placed})}


def _gaps(data: dict[str, pd.DataFrame]) -> np.ndarray:
    joined = data["orders"].merge(data["customers"], on="id")
    return (joined["placed"] - joined["signup"]).dt.days.to_numpy()


def test_many_sample_gaps_are_kept_as_their_quantiles_and_their_spread_follows():
    sample = _draw(120, seed=1)
    assert len(sample["orders"]) >= GAP_EMPIRICAL_ROWS
    model = sf.fit(SCHEMA, sample)
    gap = model.tables["orders"].columns["placed"].generator["gap"]
    assert gap["distribution"]["name"] == "empirical"
    made = model.sample({"customers": 3000}, seed=2)
    real = _draw(3000, seed=3)
    assert (made["orders"]["placed"] >= made["orders"].merge(made["customers"], on="id")["signup"]).all()
    q = [0.25, 0.5, 0.75, 0.9]
    ratio = np.quantile(_gaps(made), q) / np.quantile(_gaps(real), q)
    assert (np.abs(ratio - 1) < 0.12).all(), ratio


def test_few_sample_gaps_keep_a_fitted_family():
    model = sf.fit(SCHEMA, _draw(12, seed=4))
    gap = model.tables["orders"].columns["placed"].generator["gap"]
    assert gap["kind"] != "distribution" or gap["distribution"]["name"] != "empirical" or \
        gap["ks_statistic"] > 1.36 / np.sqrt(len(_draw(12, seed=4)["orders"]))
