"""A parent's number that is the sum over its children of a product of theirs (an order's total over its lines)
is found in the samples and holds in every generated row, at any batch size and in any layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import ModelError
from synthframe.layouts import ChildLayout


def _shop(n_orders: int = 300, seed: int = 3, ordered: bool = True) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 6, n_orders)
    order_of = np.repeat(np.arange(1, n_orders + 1), counts)
    lines = pd.DataFrame({"order_id": order_of, "line": np.concatenate([np.arange(1, c + 1) for c in counts]),
                          "qty": rng.integers(1, 10, len(order_of)),
                          "price": np.round(rng.gamma(2.0, 15.0, len(order_of)), 2),
                          "discount": rng.choice([0.0, 0.05, 0.1], len(order_of))})
    value = lines["qty"] * lines["price"] * (1 - lines["discount"])
    orders = pd.DataFrame({"order_id": np.arange(1, n_orders + 1),
                           "total": np.round(value.groupby(lines["order_id"]).sum().to_numpy(), 2),
                           "channel": rng.choice(["web", "store"], n_orders)})
    if not ordered:
        lines = lines.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return {"orders": orders, "lines": lines}


SCHEMA = {"tables": {
    "orders": {"primary_key": "order_id", "columns": {"order_id": "integer", "total": "float",
                                                      "channel": "category"}},
    "lines": {"primary_key": ["order_id", "line"], "columns": {
        "order_id": "integer", "line": "integer", "qty": "integer", "price": "float", "discount": "float"},
        "foreign_keys": {"order_id": "orders.order_id"}}}}


def _totals(data: dict[str, pd.DataFrame]) -> pd.Series:
    lines = data["lines"]
    value = lines["qty"] * lines["price"] * (1 - lines["discount"])
    sums = value.groupby(lines["order_id"]).sum()
    return sums.reindex(data["orders"]["order_id"]).fillna(0.0).reset_index(drop=True).astype(float)


@pytest.mark.parametrize("ordered", [True, False])
def test_an_order_total_over_its_lines_holds_in_every_row(ordered: bool):
    model = sf.fit(SCHEMA, _shop(ordered=ordered))
    assert model.tables["lines"].layout["interleave"] is not ordered
    rule = next(r for r in model.tables["orders"].layout["rules"] if r["rule"] == "sum of children")
    assert rule == {"rule": "sum of children", "column": "total", "mode": "round",
                    "of": ["lines.qty", "lines.price", "1 - lines.discount"]}
    data = model.sample({"orders": 4000}, seed=2)
    # the exact sum, rounded to cents (a sum ending in half a cent either way)
    assert (np.abs(data["orders"]["total"] - _totals(data)) <= 0.005 + 1e-9).all()
    # the same rows in other batches and on more threads
    again = model.sample({"orders": 4000}, seed=2, batch_rows=999, workers=2)
    pd.testing.assert_frame_equal(data["orders"], again["orders"])


def test_cents_cut_at_each_step_as_tpch_does():
    data = _shop()
    lines = data["lines"]
    cents = np.rint(lines["price"] * 100).astype(np.int64) * lines["qty"]
    cents = cents * np.rint((1 - lines["discount"]) * 100).astype(np.int64) // 100
    data["orders"]["total"] = cents.groupby(lines["order_id"]).sum().to_numpy() / 100
    schema = {"tables": {**SCHEMA["tables"], "lines": {**SCHEMA["tables"]["lines"], "columns": {
        **SCHEMA["tables"]["lines"]["columns"]}}}}
    lines["amount"] = np.round(lines["qty"] * lines["price"], 2)
    schema["tables"]["lines"]["columns"]["amount"] = "float"
    model = sf.fit(schema, data)
    generator = model.tables["orders"].columns["total"].generator
    assert generator["kind"] == "children_sum" and generator["mode"] == "truncate"
    out = model.sample({"orders": 3000}, seed=5)
    made = out["lines"]
    cents = np.rint(made["amount"] * 100).astype(np.int64)
    cents = cents * np.rint((1 - made["discount"]) * 100).astype(np.int64) // 100
    expected = cents.groupby(made["order_id"]).sum().reindex(out["orders"]["order_id"]).fillna(0) / 100
    assert (np.rint(out["orders"]["total"].to_numpy() * 100) == np.rint(expected.to_numpy() * 100)).all()


def test_a_total_that_is_off_once_is_not_a_rule():
    data = _shop()
    data["orders"].loc[7, "total"] += 0.01
    model = sf.fit(SCHEMA, data)
    assert model.tables["orders"].columns["total"].generator["kind"] != "children_sum"


def test_the_lines_no_longer_depend_on_the_total():
    model = sf.fit(SCHEMA, _shop())
    lines = model.tables["lines"].layout
    network = (lines.get("joint") or {}).get("columns", {})
    assert all(node["given"].get("column") != "total" for node in network.values())
    assert (lines.get("children_given") or {}).get("column") != "total"


def test_a_hand_edited_sum_without_terms_names_the_column():
    data = sf.fit(SCHEMA, _shop()).to_dict()
    data["tables"]["orders"]["columns"]["total"]["generator"]["terms"] = []
    with pytest.raises(ModelError, match="total"):
        sf.Model.from_dict(data)


@pytest.mark.parametrize("interleave", [False, True])
def test_children_are_the_inverse_of_parent_of(interleave: bool):
    layout = ChildLayout(300_000, 70_000, 11, shape={"counts": [0, 1, 2, 3, 9], "weights": [1, 3, 3, 2, 1]},
                         interleave=interleave, table="lines", column="order_id")
    parents = np.array([69_999, 0, 65_536, 65_535, 3, 3, 40_000])
    rows, counts = layout.children(parents)
    assert counts.sum() == len(rows)
    back, position = layout.parent_of(rows)
    assert (back == np.repeat(parents, counts)).all()
    assert (position == np.concatenate([np.arange(c) for c in counts])).all()
    every, _ = layout.children(np.arange(70_000))
    assert np.array_equal(np.sort(every), np.arange(300_000))


def test_an_order_status_from_its_lines_statuses_holds_in_every_row():
    data = _shop()
    rng = np.random.default_rng(9)
    lines = data["lines"]
    lines["shipped"] = rng.choice(["yes", "no"], len(lines), p=[0.8, 0.2])
    every = lines.groupby("order_id")["shipped"].agg(lambda s: "done" if (s == "yes").all() else
                                                     "waiting" if (s == "no").all() else "partial")
    data["orders"]["status"] = every.reindex(data["orders"]["order_id"]).to_numpy()
    schema = {"tables": {"orders": {**SCHEMA["tables"]["orders"], "columns": {
        **SCHEMA["tables"]["orders"]["columns"], "status": "category"}},
        "lines": {**SCHEMA["tables"]["lines"], "columns": {**SCHEMA["tables"]["lines"]["columns"],
                                                          "shipped": "category"}}}}
    model = sf.fit(schema, data)
    rule = next(r for r in model.tables["orders"].layout["rules"] if r["rule"] == "levels of children")
    assert rule == {"rule": "levels of children", "column": "status", "of": "lines.shipped",
                    "sets": {"yes": "done", "no": "waiting", "no|yes": "partial"}}
    out = model.sample({"orders": 3000}, seed=6)
    made = out["lines"].groupby("order_id")["shipped"].agg(
        lambda s: "done" if (s == "yes").all() else "waiting" if (s == "no").all() else "partial")
    assert (out["orders"]["status"].astype(str).to_numpy() == made.reindex(out["orders"]["order_id"]).to_numpy()).all()
