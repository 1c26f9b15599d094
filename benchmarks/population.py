"""A relational population with known rules, drawn at any size: the second dataset of the fidelity benchmark.

``draw(n_customers, seed)`` returns four tables — customers, products, orders, order_items — made with
NumPy from a seeded generator, so that a small sample (``draw(300, seed=1)``) and independent, larger
held-out draws (``draw(3000, seed=2)``, ``draw(3000, seed=3)``) of the same population exist. What a
synthesizer should learn from the sample:

- customers: ``segment`` and ``country`` (weighted levels), ``signup_date`` (more sign-ups in later years),
  ``age`` (depends on the segment), ``income`` (log-linear in age, per segment; 8 % missing),
  ``loyalty_member`` (more likely for corporate customers and early sign-ups);
- products: ``category`` → ``department`` (a functional dependency), ``price`` (lognormal around a
  per-category median), ``weight_kg`` (correlated with the price within a department), ``launched``;
- orders: how many per customer depends on the segment and on loyalty (some customers have none);
  ``order_date`` ≥ the customer's ``signup_date``; ``channel`` depends on the segment; ``status``;
  ``ship_date`` is missing exactly when the order was cancelled, else ≥ ``order_date`` (same day in
  stores, later on the web and by phone);
- order_items: lines per order (more for corporate customers), ``product_id`` with a skewed popularity,
  ``quantity`` (larger for corporate customers), ``unit_price`` = the product's ``price``, ``discount``
  more likely for larger quantities, ``line_total`` = round(quantity × unit_price × (1 − discount), 2).

:data:`SCHEMA` is the synthframe schema of these tables; :data:`RULES` checks the rules above on any
draw (or on synthetic data) as shares of rows, each 1.0 on a real draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

START = np.datetime64("2019-01-01")
END = np.datetime64("2024-12-31")

SEGMENTS = {"consumer": 0.6, "corporate": 0.25, "home_office": 0.15}
COUNTRIES = {"US": 0.35, "DE": 0.15, "FR": 0.12, "GB": 0.12, "JP": 0.10, "BR": 0.08, "IN": 0.08}
AGE_MEAN = {"consumer": 36.0, "corporate": 46.0, "home_office": 41.0}
INCOME_LOG_OFFSET = {"consumer": 0.0, "corporate": 0.35, "home_office": 0.15}
ORDERS_MEAN = {"consumer": 2.0, "corporate": 6.0, "home_office": 3.5}
CHANNELS = ("web", "store", "phone")
CHANNEL_P = {"consumer": (0.65, 0.30, 0.05), "corporate": (0.45, 0.05, 0.50), "home_office": (0.70, 0.10, 0.20)}
STATUSES = ("delivered", "returned", "cancelled")
STATUS_P = (0.87, 0.07, 0.06)
SHIP_DAYS_MEAN = {"web": 2.0, "store": 0.0, "phone": 4.0}

CATEGORY_DEPARTMENT = {
    "laptops": "electronics", "phones": "electronics", "audio": "electronics",
    "sofas": "furniture", "desks": "furniture", "lamps": "furniture",
    "novels": "books", "comics": "books", "textbooks": "books",
    "shirts": "clothing", "shoes": "clothing", "jackets": "clothing",
}
"""The functional dependency category → department."""
CATEGORY_PRICE = {"laptops": 900.0, "phones": 600.0, "audio": 120.0, "sofas": 700.0, "desks": 300.0,
                  "lamps": 45.0, "novels": 14.0, "comics": 9.0, "textbooks": 80.0, "shirts": 25.0,
                  "shoes": 70.0, "jackets": 110.0}
DEPARTMENT_WEIGHT = {"electronics": 1.5, "furniture": 20.0, "books": 0.6, "clothing": 0.8}
DISCOUNTS = (0.0, 0.05, 0.10, 0.20)

SCHEMA: dict[str, Any] = {
    "tables": {
        "customers": {
            "primary_key": "customer_id",
            "columns": {
                "customer_id": "integer",
                "segment": "category",
                "country": "category",
                "signup_date": "date",
                "age": "integer",
                "income": {"type": "float", "nullable": True},
                "loyalty_member": "boolean",
            },
        },
        "products": {
            "primary_key": "product_id",
            "columns": {
                "product_id": "integer",
                "category": "category",
                "department": "category",
                "price": "float",
                "weight_kg": "float",
                "launched": "date",
            },
        },
        "orders": {
            "primary_key": "order_id",
            "columns": {
                "order_id": "integer",
                "customer_id": "integer",
                "order_date": "date",
                "channel": "category",
                "status": "category",
                "ship_date": {"type": "date", "nullable": True},
            },
            "foreign_keys": {"customer_id": "customers.customer_id"},
        },
        "order_items": {
            "primary_key": "item_id",
            "columns": {
                "item_id": "integer",
                "order_id": "integer",
                "product_id": "integer",
                "quantity": "integer",
                "unit_price": "float",
                "discount": "float",
                "line_total": "float",
            },
            "foreign_keys": {"order_id": "orders.order_id", "product_id": "products.product_id"},
        },
    }
}
"""The synthframe schema of a draw (a plain dict: ``synthframe.Schema.from_dict(SCHEMA)``)."""


def _pick(rng: np.random.Generator, levels: Mapping[str, float] | tuple[str, ...], n: int,
          p: Any = None) -> np.ndarray:
    names = list(levels)
    weights = np.asarray(list(levels.values()) if isinstance(levels, Mapping) else p, dtype=float)
    return np.asarray(names, dtype=object)[rng.choice(len(names), size=n, p=weights / weights.sum())]


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[D]").astype("datetime64[ns]")


def customers(n: int, rng: np.random.Generator) -> pd.DataFrame:
    segment = _pick(rng, SEGMENTS, n)
    span = int((END - START).astype(int)) - 30
    signup = START + np.floor(span * np.sqrt(rng.random(n))).astype("timedelta64[D]")  # growing sign-ups
    age_mean = np.vectorize(AGE_MEAN.get, otypes=[float])(segment)
    age = np.clip(np.rint(rng.normal(age_mean, 11.0)), 18, 90).astype(np.int64)
    log_income = (10.4 + 0.015 * (age - 40) + np.vectorize(INCOME_LOG_OFFSET.get, otypes=[float])(segment)
                  + rng.normal(0.0, 0.4, n))
    income = np.round(np.exp(log_income), 0)
    income[rng.random(n) < 0.08] = np.nan
    tenure = (END - signup).astype(int) / span  # 0 (new) .. ~1 (oldest)
    p_loyal = 0.10 + 0.25 * (segment == "corporate") + 0.30 * tenure
    return pd.DataFrame({
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "segment": segment,
        "country": _pick(rng, COUNTRIES, n),
        "signup_date": _days(signup),
        "age": age,
        "income": income,
        "loyalty_member": rng.random(n) < p_loyal,
    })


def products(m: int, rng: np.random.Generator) -> pd.DataFrame:
    category = np.asarray(list(CATEGORY_DEPARTMENT), dtype=object)[rng.integers(0, len(CATEGORY_DEPARTMENT), m)]
    department = np.vectorize(CATEGORY_DEPARTMENT.get, otypes=[object])(category)
    z = rng.normal(0.0, 0.45, m)
    price = np.round(np.vectorize(CATEGORY_PRICE.get, otypes=[float])(category) * np.exp(z), 2)
    price = np.maximum(price, 0.99)
    weight = np.round(np.vectorize(DEPARTMENT_WEIGHT.get, otypes=[float])(department)
                      * np.exp(0.8 * z + rng.normal(0.0, 0.25, m)), 3)
    launched = START - np.timedelta64(730, "D") + rng.integers(0, 730 + 5 * 365, m).astype("timedelta64[D]")
    return pd.DataFrame({
        "product_id": np.arange(1, m + 1, dtype=np.int64),
        "category": category,
        "department": department,
        "price": price,
        "weight_kg": weight,
        "launched": _days(launched),
    })


def orders(cust: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    segment = cust["segment"].to_numpy()
    mean = np.vectorize(ORDERS_MEAN.get, otypes=[float])(segment) * (1.0 + 0.6 * cust["loyalty_member"].to_numpy())
    # negative binomial (a gamma-mixed Poisson): over-dispersed counts, some customers with none
    count = rng.poisson(rng.gamma(2.0, mean / 2.0))
    owner = np.repeat(np.arange(len(cust)), count)
    k = len(owner)
    signup = cust["signup_date"].to_numpy().astype("datetime64[D]")[owner]
    room = (END - signup).astype(int)
    order_date = signup + np.floor(room * rng.random(k) ** 0.8).astype("timedelta64[D]")
    channel = np.empty(k, dtype=object)
    u = rng.random(k)
    for seg, p in CHANNEL_P.items():
        at = segment[owner] == seg
        channel[at] = np.asarray(CHANNELS, dtype=object)[np.searchsorted(np.cumsum(p), u[at] * sum(p), side="right")]
    status = _pick(rng, STATUSES, k, STATUS_P)
    ship_mean = np.vectorize(SHIP_DAYS_MEAN.get, otypes=[float])(channel)
    ship = (order_date + rng.poisson(ship_mean).astype("timedelta64[D]")).astype("datetime64[ns]")
    ship[status == "cancelled"] = np.datetime64("NaT")
    frame = pd.DataFrame({
        "customer_id": cust["customer_id"].to_numpy()[owner],
        "order_date": _days(order_date),
        "channel": channel,
        "status": status,
        "ship_date": ship,
    })
    frame = frame.sort_values(["order_date", "customer_id"], kind="stable", ignore_index=True)
    frame.insert(0, "order_id", np.arange(1, k + 1, dtype=np.int64))
    return frame


def order_items(ords: pd.DataFrame, cust: pd.DataFrame, prods: pd.DataFrame,
                rng: np.random.Generator) -> pd.DataFrame:
    corporate = (cust.set_index("customer_id")["segment"] == "corporate").reindex(ords["customer_id"]).to_numpy()
    lines = 1 + rng.poisson(np.where(corporate, 2.5, 1.0))
    row = np.repeat(np.arange(len(ords)), lines)
    k = len(row)
    m = len(prods)
    popularity = 1.0 / np.arange(1, m + 1) ** 0.9
    popularity = popularity[rng.permutation(m)]
    product = rng.choice(m, size=k, p=popularity / popularity.sum())
    big = corporate[row]
    quantity = np.minimum(1 + rng.poisson(np.where(big, 3.0, 0.5)), 20).astype(np.int64)
    p_discount = np.minimum(0.05 + 0.06 * (quantity - 1), 0.8)
    discounted = rng.random(k) < p_discount
    discount = np.where(discounted, np.asarray(DISCOUNTS[1:])[rng.integers(0, 3, k)], 0.0)
    unit_price = prods["price"].to_numpy()[product]
    return pd.DataFrame({
        "item_id": np.arange(1, k + 1, dtype=np.int64),
        "order_id": ords["order_id"].to_numpy()[row],
        "product_id": prods["product_id"].to_numpy()[product],
        "quantity": quantity,
        "unit_price": unit_price,
        "discount": discount,
        "line_total": np.round(quantity * unit_price * (1.0 - discount), 2),
    })


def draw(n_customers: int, seed: int) -> dict[str, pd.DataFrame]:
    """One draw of the population with ``n_customers`` customers (products: one per ten customers, at least
    24); the same ``(n_customers, seed)`` always gives equal tables, other seeds independent ones."""
    if n_customers < 1:
        raise ValueError(f"n_customers must be at least 1; got {n_customers}.")
    rng = np.random.default_rng([seed, n_customers, 20261129])
    cust = customers(n_customers, rng)
    prods = products(max(24, n_customers // 10), rng)
    ords = orders(cust, rng)
    return {"customers": cust, "products": prods, "orders": ords, "order_items": order_items(ords, cust, prods, rng)}


# -- rules ---------------------------------------------------------------------------------

def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce")


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def _rule_order_after_signup(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    signup = d["customers"].set_index("customer_id")["signup_date"]
    return _dates(d["orders"]["order_date"]).to_numpy() >= _dates(signup.reindex(d["orders"]["customer_id"])).to_numpy()


def _rule_ship_after_order(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    o = d["orders"]
    ship, order = _dates(o["ship_date"]), _dates(o["order_date"])
    keep = ship.notna()
    return (ship[keep] >= order[keep]).to_numpy()


def _rule_ship_missing_iff_cancelled(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    o = d["orders"]
    return (_dates(o["ship_date"]).isna().to_numpy() == (o["status"].astype(object) == "cancelled").to_numpy())


def _rule_unit_price(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    price = d["products"].set_index("product_id")["price"]
    it = d["order_items"]
    return np.isclose(_num(it["unit_price"]).to_numpy(), _num(price.reindex(it["product_id"])).to_numpy(),
                      rtol=0, atol=0.005)


def _rule_line_total(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    it = d["order_items"]
    expect = np.round(_num(it["quantity"]) * _num(it["unit_price"]) * (1.0 - _num(it["discount"])), 2)
    return np.isclose(_num(it["line_total"]).to_numpy(), expect.to_numpy(), rtol=0, atol=0.011)


def _rule_category_department(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    p = d["products"]
    return (p["category"].astype(object).map(CATEGORY_DEPARTMENT) == p["department"].astype(object)).to_numpy()


def _rule_age_bounds(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    age = _num(d["customers"]["age"])
    return ((age >= 18) & (age <= 90)).to_numpy()


def _rule_store_same_day(d: Mapping[str, pd.DataFrame]) -> pd.Series:
    o = d["orders"]
    at = (o["channel"].astype(object) == "store").to_numpy() & _dates(o["ship_date"]).notna().to_numpy()
    return (_dates(o["ship_date"])[at] == _dates(o["order_date"])[at]).to_numpy()


RULES: dict[str, tuple[str, Callable[[Mapping[str, pd.DataFrame]], Any]]] = {
    "order_date >= customer signup_date": ("orders", _rule_order_after_signup),
    "ship_date >= order_date": ("orders", _rule_ship_after_order),
    "ship_date missing exactly when cancelled": ("orders", _rule_ship_missing_iff_cancelled),
    "store orders ship the same day": ("orders", _rule_store_same_day),
    "unit_price = products.price": ("order_items", _rule_unit_price),
    "line_total = round(quantity * unit_price * (1 - discount), 2)": ("order_items", _rule_line_total),
    "category -> department": ("products", _rule_category_department),
    "18 <= age <= 90": ("customers", _rule_age_bounds),
}
"""Each rule: (the table whose rows it is counted on, a function of the tables giving one bool per row checked)."""
