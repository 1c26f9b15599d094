"""``python -m benchmarks fidelity``: how closely synthframe's output follows a held-out draw of the same population.

Two datasets, each with a small *fit sample*, a larger *held-out* draw of the same population, and a
*ceiling* — a second real draw scored against the held-out one, which is what a perfect synthesizer
would score:

- **TPC-H**: ``synthframe.fit`` on the SF 0.01 sample (``../shared/data/tpch_sf001``), ``Model.sample``
  with the table sizes of SF 0.1, scored against SF 0.1 made by DuckDB's ``dbgen`` (the ``tpch``
  extension shipped in the ``duckdb-extension-tpch`` package, loaded from its file; the real tables are
  cached as Parquet under ``--cache``). Ceiling: SF 0.2 against SF 0.1. dbgen is deterministic and row
  ``i`` of a table is the same at every scale, so SF 0.2 *contains* SF 0.1's suppliers, customers, parts
  and partsupp rows (and the SF 0.01 sample is part of SF 0.1): that ceiling is optimistic for those
  tables' columns, and pessimistic for cardinality under region and nation, whose children double. A
  second, *same-size* ceiling scores SF 0.2's second half with its keys renumbered into SF 0.1's ranges
  (:func:`tpch_second_draw`) — an independent draw of SF 0.1's size.
- **population** (:mod:`benchmarks.population`): four tables drawn with NumPy from known rules, fitted on
  a draw of 300 customers and scored against an independent draw of 3,000 (another seed); ceiling: a
  third independent draw of 3,000.

Scores: SDMetrics' quality report (``sdmetrics.reports.QualityReport``, the non-deprecated name of
``sdmetrics.reports.multi_table.QualityReport``; same properties and thresholds) with metadata built from
the synthframe schema: overall score, column shapes, column pair trends, cardinality and inter-table
trends, per relationship too. Composite keys (TPC-H partsupp and lineitem → partsupp) are scored through
a surrogate key column (one integer per distinct key tuple) since SDMetrics' relationships are single
columns. Free-text columns (names, addresses, comments, phone numbers) are not scored. Where
``synthframe.evaluate`` exists, its report is computed on the same pairs and shown next to SDMetrics'.
Also, per dataset: the share of rows keeping each known rule of the population, and the share of rows
that are exact copies of a fit-sample row. Where ``sdv`` is importable (never a dependency), SDV's
``HMASynthesizer`` is fitted on the same sample in a subprocess with a time budget (``--sdv-budget``) and
scored the same way; SDV 2's HMASynthesizer refuses schemas of more than 5 tables or a depth over 2, so it
then runs on one parent and child (``Dataset.sdv_slice``), next to synthframe's output and the ceiling on
the same tables. It samples the fit sample's size first and keeps that when the asked size does not
finish within the budget.

A failure in one dataset or synthesizer is reported in the results, never fatal to the others.
``--quick`` runs tiny sizes in seconds to check the harness (TPC-H held out at SF 0.01, the sample's own
scale, so its scores say nothing about the model; the population at 120 and 600 customers).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import math
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import synthframe as sf

from . import population

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
DEFAULT_JSON = BENCH_DIR / "results" / "fidelity.json"
DEFAULT_MD = BENCH_DIR / "results" / "fidelity.md"
DEFAULT_TPCH = REPO_ROOT.parent / "shared" / "data" / "tpch_sf001"
DEFAULT_CACHE = Path(os.environ.get("SYNTHFRAME_BENCH_CACHE", Path(tempfile.gettempdir()) / "synthframe-bench-cache"))
"""Where the real TPC-H tables made by dbgen are kept between runs (never in the repository)."""

TPCH_TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")
DATASETS = ("tpch", "population")

FULL = {"tpch_held_out": 0.1, "tpch_ceiling": 0.2, "pop_sample": 300, "pop_held_out": 3000, "sdv_budget": 600.0}
QUICK = {"tpch_held_out": 0.01, "tpch_ceiling": 0.02, "pop_sample": 120, "pop_held_out": 600, "sdv_budget": 60.0}
"""Sizes: TPC-H scale factors of the held-out and ceiling draws (the fit sample is always the SF 0.01
folder), customers of the population's fit sample and of its held-out and ceiling draws."""

PROPERTIES = ("Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends")
SCORED_SDTYPES = ("numerical", "datetime", "categorical", "boolean")
MAX_CATEGORY_LEVELS = 50
"""A ``string`` column is scored as categorical when the held-out draw has at most this many distinct
values; otherwise it is free text and not scored."""


# -- data: loading and normalising ---------------------------------------------------------

def normalize(data: Mapping[str, pd.DataFrame], schema: sf.Schema) -> dict[str, pd.DataFrame]:
    """The tables with plain NumPy/pandas dtypes chosen by the schema's column types, whatever made them.

    Numbers as float64 (int64 for key columns without nulls), dates as datetime64[ns], categories and
    strings as object (None for nulls), booleans as bool (object with None when nulls are present). DuckDB
    decimals, Arrow strings, pandas categoricals and nullable integers all end up the same way.
    """
    out: dict[str, pd.DataFrame] = {}
    for name, table in schema.tables.items():
        if name not in data:
            continue
        frame = data[name]
        keys = set(table.primary_key) | {c for fk in table.foreign_keys for c in fk.columns}
        cols: dict[str, Any] = {}
        for col, spec in table.columns.items():
            if col not in frame.columns:
                continue
            s = frame[col]
            if spec.type in ("integer", "float"):
                if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                    values = s.astype("Float64").astype(np.float64) if s.hasnans else s.astype(np.float64)
                else:  # decimals, strings
                    try:
                        values = s.astype(np.float64)
                    except (TypeError, ValueError):
                        values = pd.to_numeric(s.astype(object).where(s.notna(), None), errors="coerce").astype(
                            np.float64)
                if col in keys and not values.isna().any():
                    values = values.astype(np.int64)
                cols[col] = values.to_numpy()
            elif spec.type in ("date", "datetime"):
                if not pd.api.types.is_datetime64_any_dtype(s.dtype):
                    s = pd.to_datetime(s.astype(object).where(s.notna(), None), errors="coerce")
                cols[col] = s.astype("datetime64[ns]").to_numpy()
            elif spec.type == "boolean":
                b = s.astype(object).where(s.notna(), None)
                cols[col] = b.astype(bool).to_numpy() if b.notna().all() else b.to_numpy()
            else:
                cols[col] = s.astype(object).where(s.notna(), None).to_numpy()
        out[name] = pd.DataFrame(cols)
    return out


def _tpch_extension_file(con: Any) -> Path:
    """The ``tpch`` extension file shipped by the ``duckdb-extension-tpch`` package for this DuckDB version."""
    import importlib.resources

    import duckdb_extension_tpch

    version = con.execute("PRAGMA version").fetchone()[0]
    root = Path(str(importlib.resources.files(duckdb_extension_tpch)))
    path = root / "extensions" / version / "tpch.duckdb_extension"
    if not path.is_file():
        raise RuntimeError(f"duckdb-extension-tpch has no extension for DuckDB {version} (looked for {path}); "
                           f"install the versions pinned by the 'bench' extra: pip install '.[bench]'")
    return path


def dbgen(scale: float, cache: Path) -> Path:
    """A folder of Parquet files of TPC-H at ``scale`` made by DuckDB's dbgen, made once and kept in ``cache``."""
    out = Path(cache) / f"tpch_sf{scale:g}_v2"
    if all((out / f"{t}.parquet").is_file() for t in TPCH_TABLES):
        return out
    import duckdb

    con = duckdb.connect()
    try:
        try:
            con.execute("LOAD tpch")  # already installed, or built in
        except duckdb.Error:
            con.execute(f"LOAD '{_tpch_extension_file(con)}'")
        con.execute(f"CALL dbgen(sf={float(scale)!r})")
        part = out.with_name(out.name + f".part{os.getpid()}")
        part.mkdir(parents=True, exist_ok=True)
        for t in TPCH_TABLES:  # decimals as doubles: what the sample holds, and quick to read
            cols = [f"CAST({name} AS DOUBLE) AS {name}" if kind.startswith("DECIMAL") else name
                    for name, kind, *_ in con.execute(f"DESCRIBE {t}").fetchall()]
            con.execute(f"COPY (SELECT {', '.join(cols)} FROM {t}) TO '{part / (t + '.parquet')}' (FORMAT parquet)")
    finally:
        con.close()
    if out.exists():  # another run finished first
        import shutil

        shutil.rmtree(part, ignore_errors=True)
    else:
        part.rename(out)
    return out


def read_tpch(folder: Path, schema: sf.Schema) -> dict[str, pd.DataFrame]:
    return normalize({t: pd.read_parquet(Path(folder) / f"{t}.parquet") for t in TPCH_TABLES}, schema)


def tpch_total_cents(lines: pd.DataFrame) -> pd.Series:
    """o_totalprice in cents per l_orderkey, computed from the lines as dbgen does (integer cents, truncating)."""
    cents = np.rint(lines["l_extendedprice"].to_numpy() * 100).astype(np.int64)
    discount = np.rint(lines["l_discount"].to_numpy() * 100).astype(np.int64)
    tax = np.rint(lines["l_tax"].to_numpy() * 100).astype(np.int64)
    value = (cents * (100 - discount) // 100) * (100 + tax) // 100
    return pd.Series(value).groupby(lines["l_orderkey"].to_numpy()).sum()


def tpch_second_draw(big: Mapping[str, pd.DataFrame], small: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """A TPC-H draw of the size of ``small`` made of the rows of ``big`` (dbgen at twice the scale) past ``small``'s.

    dbgen makes row i of a table the same at every scale, so the first half of a draw at twice the scale
    *is* the smaller draw; its second half, keys renumbered into the smaller draw's ranges, is an
    independent draw of the same size: suppliers, customers and parts past the first N, renumbered from 1;
    their partsupp rows (with the smaller draw's part-supplier pairs, which dbgen computes from the keys
    and the scale, not draws); the second half of the orders (keys
    shifted, customer keys folded, which keeps every third customer without orders); their lines, each part
    key folded and its supplier the same one of the four suppliers of the part as in the original row, with
    l_extendedprice recomputed from the new part's price and o_totalprice from the lines (as dbgen computes
    them). Region and nation are the population's fixed tables.
    """
    n = {t: len(f) for t, f in small.items()}
    out = {"region": big["region"].copy(), "nation": big["nation"].copy()}
    for table, key in (("supplier", "s_suppkey"), ("customer", "c_custkey"), ("part", "p_partkey")):
        rest = big[table].iloc[n[table]:2 * n[table]].reset_index(drop=True).copy()
        rest[key] = rest[key] - n[table]
        out[table] = rest
    n_part, n_cust, n_ord = n["part"], n["customer"], n["orders"]
    ps = big["partsupp"]
    # which suppliers a part has is a fixed function of the keys at a scale (not drawn): keep the smaller
    # draw's pairs, and take the values of the larger draw's rows of the parts past the first N
    new_ps = ps[ps["ps_partkey"] > n_part].reset_index(drop=True).copy()
    pairs = small["partsupp"][["ps_partkey", "ps_suppkey"]].reset_index(drop=True)
    if len(new_ps) != len(pairs) or (new_ps["ps_partkey"].to_numpy() - n_part != pairs["ps_partkey"].to_numpy()).any():
        raise ValueError("the partsupp rows of the two draws are not laid out part by part alike")
    new_ps["ps_partkey"] = pairs["ps_partkey"].to_numpy()
    new_ps["ps_suppkey"] = pairs["ps_suppkey"].to_numpy()
    out["partsupp"] = new_ps
    orders = big["orders"].iloc[n_ord:2 * n_ord].reset_index(drop=True).copy()
    offset = int(orders["o_orderkey"].iloc[0] - small["orders"]["o_orderkey"].iloc[0])
    lines = big["lineitem"][big["lineitem"]["l_orderkey"].isin(orders["o_orderkey"])].reset_index(drop=True).copy()
    orders["o_orderkey"] = orders["o_orderkey"] - offset
    orders["o_custkey"] = (orders["o_custkey"] - 1) % n_cust + 1
    lines["l_orderkey"] = lines["l_orderkey"] - offset
    # which of its part's four suppliers each line has (partsupp rows of a part come in that order)
    rank = pd.Series(ps.groupby("ps_partkey").cumcount().to_numpy(),
                     index=pd.MultiIndex.from_frame(ps[["ps_partkey", "ps_suppkey"]]))
    rank = rank[~rank.index.duplicated()]  # tiny scales repeat a supplier within a part
    which = rank.reindex(pd.MultiIndex.from_frame(lines[["l_partkey", "l_suppkey"]])).to_numpy()
    part = (lines["l_partkey"] - 1) % n_part + 1
    supplier_of = pd.Series(new_ps["ps_suppkey"].to_numpy(), index=pd.MultiIndex.from_arrays(
        [new_ps["ps_partkey"], new_ps.groupby("ps_partkey").cumcount()]))
    supplier = supplier_of.reindex(pd.MultiIndex.from_arrays([part, which])).to_numpy()
    price = out["part"].set_index("p_partkey")["p_retailprice"].reindex(part).to_numpy()
    lines["l_partkey"] = part.to_numpy()
    lines["l_suppkey"] = supplier
    lines["l_extendedprice"] = np.round(lines["l_quantity"] * price, 2)
    orders["o_totalprice"] = tpch_total_cents(lines).reindex(orders["o_orderkey"]).to_numpy() / 100
    out["orders"] = orders
    out["lineitem"] = lines
    return {t: out[t] for t in TPCH_TABLES}


def subschema(schema: sf.Schema, tables: Sequence[str]) -> sf.Schema:
    """The schema restricted to ``tables``, without the foreign keys that point elsewhere."""
    spec = schema.to_dict()
    keep = {}
    for name in tables:
        t = {k: v for k, v in spec["tables"][name].items() if k != "foreign_keys"}
        kept = [fk.to_dict() for fk in schema.tables[name].foreign_keys if fk.ref_table in tables]
        if kept:
            t["foreign_keys"] = kept
        keep[name] = t
    return sf.Schema.from_dict({"tables": keep})


# -- rules ----------------------------------------------------------------------------------

def _days(a: pd.Series, b: pd.Series) -> np.ndarray:
    return ((pd.to_datetime(a) - pd.to_datetime(b)) / pd.Timedelta(days=1)).to_numpy()


def _lines_with_orders(d: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    o = d["orders"][["o_orderkey", "o_orderdate", "o_orderstatus", "o_totalprice"]]
    return d["lineitem"].merge(o, left_on="l_orderkey", right_on="o_orderkey", how="left")


TPCH_CUTOFF = pd.Timestamp("1995-06-17")
"""dbgen's 'current date': lines shipped after it are open ('O'), received after it not returned ('N')."""


def _tpch_order_status(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    lines = d["lineitem"][["l_orderkey", "l_linestatus"]].astype({"l_linestatus": object})
    status = lines.assign(f=lines["l_linestatus"] == "F", o=lines["l_linestatus"] == "O").groupby("l_orderkey")[
        ["f", "o"]].all()
    expect = pd.Series(np.where(status["f"], "F", np.where(status["o"], "O", "P")), index=status.index)
    o = d["orders"]
    return (o["o_orderstatus"].astype(object).to_numpy() == expect.reindex(o["o_orderkey"]).to_numpy())


def _tpch_total_price(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    li = d["lineitem"]
    value = li["l_extendedprice"] * (1 + li["l_tax"]) * (1 - li["l_discount"])
    per_order = value.groupby(li["l_orderkey"]).agg(["sum", "size"])
    o = d["orders"]
    got = per_order.reindex(o["o_orderkey"])
    return (np.abs(o["o_totalprice"].to_numpy() - got["sum"].to_numpy()) <= 0.02 * got["size"].to_numpy())


def _tpch_extended_price(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    li = d["lineitem"]
    price = d["part"].set_index("p_partkey")["p_retailprice"].reindex(li["l_partkey"]).to_numpy()
    return np.isclose(li["l_extendedprice"].to_numpy(), li["l_quantity"].to_numpy() * price, rtol=0, atol=0.011)


def _tpch_line_numbers(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    g = d["lineitem"].groupby("l_orderkey")["l_linenumber"].agg(["min", "max", "size", "nunique"])
    return ((g["min"] == 1) & (g["max"] == g["size"]) & (g["nunique"] == g["size"])).to_numpy()


def _tpch_phone(table: str, phone: str, nation: str) -> Callable[[Mapping[str, pd.DataFrame]], np.ndarray]:
    def check(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
        t = d[table]
        if phone not in t:
            return np.array([], dtype=bool)
        code = pd.to_numeric(t[phone].astype(str).str.split("-").str[0], errors="coerce")
        return (code == t[nation] + 10).to_numpy()
    return check


def _tpch_per_parent(child: str, key: str, parent: str, parent_key: str, per: int,
                     ) -> Callable[[Mapping[str, pd.DataFrame]], np.ndarray]:
    def check(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
        counts = d[child][key].value_counts().reindex(d[parent][parent_key], fill_value=0)
        return (counts == per).to_numpy()
    return check


def _tpch_verbatim(table: str, columns: Sequence[str]) -> Callable[[Mapping[str, pd.DataFrame], Mapping], np.ndarray]:
    def check(d: Mapping[str, pd.DataFrame], sample: Mapping[str, pd.DataFrame]) -> np.ndarray:
        want = set(map(tuple, sample[table][list(columns)].astype(object).itertuples(index=False, name=None)))
        return np.array([row in want for row in d[table][list(columns)].astype(object).itertuples(index=False,
                                                                                                  name=None)])
    return check


def _tpch_ps_in_partsupp(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    ps = pd.MultiIndex.from_frame(d["partsupp"][["ps_partkey", "ps_suppkey"]])
    li = pd.MultiIndex.from_frame(d["lineitem"][["l_partkey", "l_suppkey"]])
    return ps.get_indexer(li) >= 0 if ps.is_unique else li.isin(ps)


def _tpch_gap(later: str, earlier: str, low: int, high: int | None = None,
              ) -> Callable[[Mapping[str, pd.DataFrame]], np.ndarray]:
    """Days from ``earlier`` to ``later`` (lineitem columns, or o_orderdate of the line's order) within bounds."""
    def check(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
        lines = _lines_with_orders(d) if "o_orderdate" in (later, earlier) else d["lineitem"]
        gap = _days(lines[later], lines[earlier])
        return (gap >= low) & (gap <= (np.inf if high is None else high))
    return check


def _tpch_flag_after_cutoff(flag: str, value: str, date: str) -> Callable[[Mapping[str, pd.DataFrame]], np.ndarray]:
    def check(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
        li = d["lineitem"]
        return ((li[flag].astype(object) == value) == (pd.to_datetime(li[date]) > TPCH_CUTOFF)).to_numpy()
    return check


def _tpch_brand_mfgr(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    part = d["part"]
    return (part["p_brand"].astype(str).str[6] == part["p_mfgr"].astype(str).str[-1]).to_numpy()


def _tpch_quantity(d: Mapping[str, pd.DataFrame]) -> np.ndarray:
    q = d["lineitem"]["l_quantity"]
    return ((q % 1 == 0) & (q >= 1) & (q <= 50)).to_numpy()


TPCH_RULES: dict[str, tuple[str, Callable[..., Any]]] = {
    "l_shipdate - o_orderdate in 1..121 days": ("lineitem", _tpch_gap("l_shipdate", "o_orderdate", 1, 121)),
    "l_commitdate - o_orderdate in 30..90 days": ("lineitem", _tpch_gap("l_commitdate", "o_orderdate", 30, 90)),
    "l_receiptdate - l_shipdate in 1..30 days": ("lineitem", _tpch_gap("l_receiptdate", "l_shipdate", 1, 30)),
    "l_shipdate > o_orderdate": ("lineitem", _tpch_gap("l_shipdate", "o_orderdate", 1)),
    "l_receiptdate > l_shipdate": ("lineitem", _tpch_gap("l_receiptdate", "l_shipdate", 1)),
    "l_linestatus = 'O' exactly when l_shipdate > 1995-06-17": (
        "lineitem", _tpch_flag_after_cutoff("l_linestatus", "O", "l_shipdate")),
    "l_returnflag = 'N' exactly when l_receiptdate > 1995-06-17": (
        "lineitem", _tpch_flag_after_cutoff("l_returnflag", "N", "l_receiptdate")),
    "o_orderstatus from its lines' l_linestatus (all F: F, all O: O, else P)": ("orders", _tpch_order_status),
    "o_totalprice = sum of l_extendedprice * (1 + l_tax) * (1 - l_discount)": ("orders", _tpch_total_price),
    "l_extendedprice = l_quantity * p_retailprice": ("lineitem", _tpch_extended_price),
    "l_linenumber = 1..n within each order": ("orders", _tpch_line_numbers),
    "(l_partkey, l_suppkey) is a partsupp row": ("lineitem", _tpch_ps_in_partsupp),
    "p_brand -> p_mfgr (Brand#MN made by Manufacturer#M)": ("part", _tpch_brand_mfgr),
    "l_quantity a whole number in 1..50": ("lineitem", _tpch_quantity),
    "c_phone country code = c_nationkey + 10": ("customer", _tpch_phone("customer", "c_phone", "c_nationkey")),
    "s_phone country code = s_nationkey + 10": ("supplier", _tpch_phone("supplier", "s_phone", "s_nationkey")),
    "80 partsupp rows per supplier": ("supplier", _tpch_per_parent("partsupp", "ps_suppkey", "supplier",
                                                                    "s_suppkey", 80)),
    "4 partsupp rows per part": ("part", _tpch_per_parent("partsupp", "ps_partkey", "part", "p_partkey", 4)),
    "region rows kept verbatim (key, name)": ("region", _tpch_verbatim("region", ("r_regionkey", "r_name"))),
    "nation rows kept verbatim (key, name, region)": (
        "nation", _tpch_verbatim("nation", ("n_nationkey", "n_name", "n_regionkey"))),
}
"""TPC-H rules that hold in every row of dbgen's data (checked on the sample and the real draws too).
A function of one argument takes the tables; of two, the tables and the fit sample."""


def rule_shares(data: Mapping[str, pd.DataFrame], rules: Mapping[str, tuple[str, Callable[..., Any]]],
                sample: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    """Per rule: the share of checked rows that keep it, the rows checked, or the error that stopped it."""
    out: dict[str, dict[str, Any]] = {}
    for name, (table, check) in rules.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kept = np.asarray(check(data, sample) if check.__code__.co_argcount == 2 else check(data), dtype=bool)
            out[name] = {"table": table, "rows": int(kept.size),
                         "share": float(kept.mean()) if kept.size else None}
        except Exception as exc:  # a synthesizer may leave out a column a rule needs
            out[name] = {"table": table, "rows": 0, "share": None, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


# -- scoring: SDMetrics metadata and report --------------------------------------------------

def _composite_name(columns: Sequence[str]) -> str:
    return "+".join(columns)


def _repeating(values: pd.Series) -> bool:
    """Few distinct values, each seen twice or more on average: a category, not free text."""
    distinct = values.nunique(dropna=True)
    return distinct <= MAX_CATEGORY_LEVELS and 2 * distinct <= values.notna().sum()


def sdtypes(schema: sf.Schema, reference: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """The SDMetrics sdtype of every column: ``id`` for keys, ``text`` for free-text strings (not scored)."""
    out: dict[str, dict[str, str]] = {}
    for name, table in schema.tables.items():
        fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
        pk = set(table.primary_key)
        types: dict[str, str] = {}
        for col, spec in table.columns.items():
            repeating_text = spec.type == "string" and name in reference and col in reference[name] and \
                _repeating(reference[name][col])
            if col in fk_cols or (col in pk and (len(table.primary_key) == 1)):
                types[col] = "id"
            elif spec.type in ("integer", "float"):
                types[col] = "numerical"
            elif spec.type in ("date", "datetime"):
                types[col] = "datetime"
            elif spec.type == "boolean":
                types[col] = "boolean"
            elif spec.type == "category" or repeating_text:
                types[col] = "categorical"
            else:
                types[col] = "text"
        out[name] = types
    return out


def scoring_view(data: Mapping[str, pd.DataFrame], schema: sf.Schema, types: Mapping[str, Mapping[str, str]],
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Normalised tables with text columns dropped and a surrogate key per composite key; SDMetrics metadata.

    A composite primary key gets a column named after its columns joined by ``+`` holding one integer per
    distinct key tuple; a composite foreign key gets the same column name with the integer of the
    parent row it references (missing when it references none).
    """
    frames: dict[str, pd.DataFrame] = {}
    tables: dict[str, Any] = {}
    codes: dict[str, pd.MultiIndex] = {}
    for name in schema.generation_order():
        if name not in data:
            continue
        table = schema.tables[name]
        frame = data[name]
        keep = [c for c in table.columns if c in frame and types[name][c] != "text"]
        view = frame[keep].copy()
        meta_cols = {c: {"sdtype": types[name][c]} for c in keep}
        pk: str | None = None
        if len(table.primary_key) == 1:
            pk = table.primary_key[0]
        elif table.primary_key:
            pk = _composite_name(table.primary_key)
            index = pd.MultiIndex.from_frame(frame[list(table.primary_key)])
            codes[name] = index.unique()
            view[pk] = codes[name].get_indexer(index).astype(np.int64)
            meta_cols[pk] = {"sdtype": "id"}
        for fk in table.foreign_keys:
            if len(fk.columns) > 1 and fk.ref_table in codes:
                col = _composite_name(fk.columns)
                ref = codes[fk.ref_table].get_indexer(pd.MultiIndex.from_frame(frame[list(fk.columns)]))
                view[col] = np.where(ref >= 0, ref, np.nan)
                meta_cols[col] = {"sdtype": "id"}
        frames[name] = view
        tables[name] = {"columns": meta_cols, **({"primary_key": pk} if pk else {})}
    relationships = []
    for name, table in schema.tables.items():
        if name not in frames:
            continue
        for fk in table.foreign_keys:
            parent = schema.tables[fk.ref_table]
            if fk.ref_table not in frames:
                continue
            if len(fk.columns) == 1 and tuple(parent.primary_key) == fk.ref_columns:
                relationships.append({"parent_table_name": fk.ref_table, "parent_primary_key": fk.ref_columns[0],
                                      "child_table_name": name, "child_foreign_key": fk.columns[0]})
            elif len(fk.columns) > 1 and tuple(parent.primary_key) == fk.ref_columns:
                relationships.append({"parent_table_name": fk.ref_table,
                                      "parent_primary_key": _composite_name(fk.ref_columns),
                                      "child_table_name": name, "child_foreign_key": _composite_name(fk.columns)})
    return frames, {"tables": tables, "relationships": relationships}


def _quality_report() -> Any:
    try:
        from sdmetrics.reports import QualityReport
    except ImportError:  # older sdmetrics: only the multi-table name
        from sdmetrics.reports.multi_table import QualityReport
    return QualityReport()


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (_num(v) if isinstance(v, (float, np.floating)) else
                 (bool(v) if isinstance(v, (bool, np.bool_)) else v)) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def sdmetrics_scores(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame], schema: sf.Schema,
                     types: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """SDMetrics' quality report of ``synthetic`` against ``real``: properties and per-item details."""
    real_view, metadata = scoring_view(real, schema, types)
    syn_view, _ = scoring_view(synthetic, schema, types)
    report = _quality_report()
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        report.generate(real_view, syn_view, metadata, verbose=False)
    props = report.get_properties()
    out: dict[str, Any] = {"overall": _num(report.get_score()),
                           "properties": {p: _num(s) for p, s in zip(props["Property"], props["Score"])}}
    details: dict[str, Any] = {}
    for prop in PROPERTIES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = report.get_details(prop)
        except Exception as exc:
            details[prop] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        if "Meets Threshold?" in frame:  # keep the pairs that count, and any other pair scoring under 0.9
            counts = frame["Meets Threshold?"].astype("boolean").fillna(False).astype(bool)
            frame = frame[counts | (frame["Score"] < 0.9)]
        details[prop] = _records(frame)
    out["details"] = details
    out["relationships"] = [f"{r['child_table_name']}.{r['child_foreign_key']} -> "
                            f"{r['parent_table_name']}.{r['parent_primary_key']}" for r in metadata["relationships"]]
    out["scored_columns"] = {t: sorted(c for c, m in v["columns"].items() if m["sdtype"] in SCORED_SDTYPES)
                             for t, v in metadata["tables"].items()}
    return out


def evaluate_scores(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame],
                    schema: sf.Schema) -> dict[str, Any] | None:
    """``synthframe.evaluate``'s report as a dict (without its per-item details), or None when this checkout
    has no such module."""
    try:
        from synthframe.evaluate import evaluate
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate(real, synthetic, schema)
    as_dict = dict(report.to_dict() if hasattr(report, "to_dict") else report)
    as_dict.pop("details", None)  # per column and pair, as SDMetrics' details kept next to it
    return json.loads(json.dumps(as_dict, default=_json_default))


def flat_scores(report: Any, depth: int = 2, prefix: str = "") -> dict[str, float]:
    """The numbers at the top ``depth`` levels of a nested report (``{"overall": .8, "properties": {...}}``)."""
    out: dict[str, float] = {}
    if isinstance(report, Mapping):
        for key, value in report.items():
            name = f"{prefix}{key}"
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out[name] = float(value)
            elif depth > 1 and isinstance(value, Mapping):
                out.update(flat_scores(value, depth - 1, name + "."))
    return out


def _row_hashes(frame: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    part = frame[list(cols)]
    return pd.util.hash_pandas_object(part.astype(object).where(part.notna(), None), index=False).to_numpy()


def exact_copies(data: Mapping[str, pd.DataFrame], sample: Mapping[str, pd.DataFrame],
                 types: Mapping[str, Mapping[str, str]]) -> dict[str, float | None]:
    """Per table: the share of rows whose scored (non-key, non-text) values equal those of a fit-sample row."""
    out: dict[str, float | None] = {}
    for name, frame in data.items():
        cols = [c for c, t in types[name].items() if t in SCORED_SDTYPES and c in frame and c in sample.get(name, {})]
        if not cols or not len(frame):
            out[name] = None
            continue
        out[name] = float(np.isin(_row_hashes(frame, cols), _row_hashes(sample[name], cols)).mean())
    return out


# -- synthesizers -----------------------------------------------------------------------------

def run_synthframe(schema: sf.Schema, sample: Mapping[str, pd.DataFrame], counts: Mapping[str, int], seed: int,
                   ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    start = time.perf_counter()
    model = sf.fit(schema, dict(sample))
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    data = model.sample(dict(counts), seed=seed)
    sample_seconds = time.perf_counter() - start
    info: dict[str, Any] = {"fit_seconds": fit_seconds, "sample_seconds": sample_seconds,
                            "rows": {t: len(f) for t, f in data.items()}}
    try:
        info["validate_problems"] = int(len(sf.validate(data, schema)))
    except Exception as exc:
        info["validate_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return data, info


def sdv_available() -> bool:
    try:
        import sdv  # noqa: F401
        from sdv.multi_table import HMASynthesizer  # noqa: F401
    except Exception:
        return False
    return True


def _sdv_fit_view(sample: Mapping[str, pd.DataFrame], schema: sf.Schema, types: Mapping[str, Mapping[str, str]],
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The scoring view SDV is fitted on: composite foreign keys only through their surrogate column (their
    columns are put back from the referenced row after sampling)."""
    frames, metadata = scoring_view(sample, schema, types)
    for name, table in schema.tables.items():
        single = {fk.columns[0] for fk in table.foreign_keys if len(fk.columns) == 1}
        for fk in table.foreign_keys:
            if len(fk.columns) > 1:
                drop = [c for c in fk.columns if c not in single and c not in table.primary_key]
                frames[name] = frames[name].drop(columns=drop)
                for c in drop:
                    metadata["tables"][name]["columns"].pop(c, None)
    return frames, metadata


def _sdv_restore(data: dict[str, pd.DataFrame], schema: sf.Schema) -> dict[str, pd.DataFrame]:
    """Put back the columns of composite foreign keys from the parent row each surrogate references."""
    for name, table in schema.tables.items():
        for fk in table.foreign_keys:
            if len(fk.columns) > 1 and name in data and fk.ref_table in data:
                col = _composite_name(fk.columns)
                parent = data[fk.ref_table]
                pcol = _composite_name(fk.ref_columns)
                if col not in data[name] or pcol not in parent:
                    continue
                lookup = parent.drop_duplicates(pcol).set_index(pcol)[list(fk.ref_columns)]
                got = lookup.reindex(data[name][col])
                for child_col, parent_col in zip(fk.columns, fk.ref_columns):
                    data[name][child_col] = got[parent_col].to_numpy()
    for name, table in schema.tables.items():  # drop surrogates: the scoring view recomputes them
        if name in data:
            extra = [c for c in data[name].columns if "+" in c and c not in table.columns]
            data[name] = data[name].drop(columns=extra)
    return data


def sdv_worker(folder: Path) -> int:
    """In a subprocess: fit HMASynthesizer on ``folder/input.pkl``, sample, write ``folder/output.pkl``."""
    with open(folder / "input.pkl", "rb") as fh:
        job = pickle.load(fh)
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    warnings.simplefilter("ignore")
    metadata = Metadata.load_from_dict(job["metadata"])
    synth = HMASynthesizer(metadata, verbose=False) if "verbose" in HMASynthesizer.__init__.__code__.co_varnames \
        else HMASynthesizer(metadata)
    start = time.perf_counter()
    synth.fit(job["frames"])
    fit_seconds = time.perf_counter() - start
    with open(folder / "fitted", "w", encoding="utf-8") as fh:
        fh.write(f"{fit_seconds}\n")
    import sdv

    # the sample's own size first (kept if the asked size does not finish in the budget), then the asked size;
    # SDV 2 names it sample_scale (sample takes a row count), SDV 1 sample(scale=...)
    for scale, name in ((1.0, "output_scale1.pkl"), (job["scale"], "output.pkl")):
        start = time.perf_counter()
        data = synth.sample_scale(scale=scale) if hasattr(synth, "sample_scale") else synth.sample(scale=scale)
        sample_seconds = time.perf_counter() - start
        with open(folder / (name + ".part"), "wb") as fh:
            pickle.dump({"data": data, "fit_seconds": fit_seconds, "sample_seconds": sample_seconds,
                         "version": sdv.__version__, "scale": scale}, fh)
        os.replace(folder / (name + ".part"), folder / name)
        if scale == job["scale"]:
            break
    return 0


def run_sdv(schema: sf.Schema, sample: Mapping[str, pd.DataFrame], types: Mapping[str, Mapping[str, str]],
            scale: float, budget: float) -> tuple[dict[str, pd.DataFrame] | None, dict[str, Any]]:
    """HMASynthesizer on the fit sample in a subprocess, stopped after ``budget`` seconds (fit and sample)."""
    frames, metadata = _sdv_fit_view(sample, schema, types)
    with tempfile.TemporaryDirectory(prefix="synthframe-sdv-") as tmp:
        folder = Path(tmp)
        with open(folder / "input.pkl", "wb") as fh:
            pickle.dump({"frames": frames, "metadata": metadata, "scale": scale}, fh)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.fidelity", "--sdv-worker", str(folder)],
                                cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        note = None
        try:
            _, err = proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            fitted = (folder / "fitted").read_text().strip() if (folder / "fitted").is_file() else None
            if not (folder / "output_scale1.pkl").is_file():
                what = f"fitted in {float(fitted):.0f} s, sampling" if fitted else "still fitting"
                return None, {"skipped": f"stopped after the {budget:.0f} s budget ({what})",
                              "seconds": time.perf_counter() - start, "scale": scale}
            note = (f"sampling at scale {scale:g} did not finish within the {budget:.0f} s budget: scored the rows "
                    f"sampled at scale 1 (the fit sample's size)")
            err = ""
        found = folder / "output.pkl" if note is None else folder / "output_scale1.pkl"
        if (proc.returncode and note is None) or not found.is_file():
            return None, {"error": f"exit {proc.returncode}: {err.strip()[-1500:]}", "scale": scale}
        with open(found, "rb") as fh:
            out = pickle.load(fh)
    data = _sdv_restore({t: f.copy() for t, f in out["data"].items()}, schema)
    info = {"fit_seconds": out["fit_seconds"], "sample_seconds": out["sample_seconds"], "version": out["version"],
            "scale": out["scale"], "rows": {t: len(f) for t, f in data.items()}}
    if note:
        info["note"] = note
    return normalize(data, schema), info


# -- one dataset ------------------------------------------------------------------------------

@dataclass
class Dataset:
    """What one dataset's benchmark needs: the fit sample, the held-out draw, its ceiling draws and rules."""

    name: str
    description: str
    schema: sf.Schema
    sample: dict[str, pd.DataFrame]
    held_out: dict[str, pd.DataFrame]
    ceilings: dict[str, tuple[str, dict[str, pd.DataFrame], sf.Schema]]
    rules: Mapping[str, tuple[str, Callable[..., Any]]]
    sdv_scale: float
    sdv_slice: tuple[str, ...] = ()
    """Tables SDV's HMASynthesizer is fitted on when it refuses the whole schema (it takes at most 5 tables
    and a depth of 2): a parent and its child."""
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {t: len(f) for t, f in self.held_out.items()}


def tpch_dataset(sample_dir: Path, cache: Path, held_out_scale: float, ceiling_scale: float) -> Dataset:
    schema = sf.Schema.from_json(Path(sample_dir) / "schema.json")
    sample = normalize(sf.read_samples(sample_dir, schema), schema)
    held_out = read_tpch(dbgen(held_out_scale, cache), schema)
    ceiling = read_tpch(dbgen(ceiling_scale, cache), schema)
    notes = [f"Real tables made by DuckDB's dbgen (duckdb {_version('duckdb')}, tpch extension from "
             f"duckdb-extension-tpch), cached in {cache}.",
             f"dbgen makes row i of a table the same at every scale (suppliers, customers, parts and partsupp "
             f"rows entirely; orders all but o_custkey and o_totalprice): SF {ceiling_scale:g} contains SF "
             f"{held_out_scale:g}'s rows of those tables, and the SF 0.01 fit sample is part of both. The SF "
             f"{ceiling_scale:g} ceiling is therefore optimistic for their columns, and pessimistic for cardinality "
             f"under region and nation (twice the children per parent). The same-size ceiling is the second half "
             f"of SF {ceiling_scale:g}, keys renumbered into SF {held_out_scale:g}'s ranges "
             f"(benchmarks/fidelity.py: tpch_second_draw): independent rows, the same table sizes."]
    ceilings: dict[str, tuple[str, dict[str, pd.DataFrame], sf.Schema]] = {
        "ceiling": (f"real SF {ceiling_scale:g} vs SF {held_out_scale:g}", ceiling, schema)}
    try:
        ceilings["ceiling_equal"] = (f"real SF {ceiling_scale:g}'s second half (an SF {held_out_scale:g}-sized draw "
                                     f"independent of SF {held_out_scale:g}) vs SF {held_out_scale:g}",
                                     tpch_second_draw(ceiling, held_out), schema)
    except Exception as exc:
        notes.append(f"No same-size ceiling: {type(exc).__name__}: {exc}")
    return Dataset(
        name="tpch",
        description=f"TPC-H: fit on the SF 0.01 sample, generate SF {held_out_scale:g} sizes, score against real "
                    f"SF {held_out_scale:g} (dbgen)",
        schema=schema, sample=sample, held_out=held_out, ceilings=ceilings,
        rules=TPCH_RULES, sdv_scale=held_out_scale / 0.01, sdv_slice=("customer", "orders"), notes=notes)


def population_dataset(sample_customers: int, held_out_customers: int, seed: int = 0) -> Dataset:
    schema = sf.Schema.from_dict(population.SCHEMA)
    sample = normalize(population.draw(sample_customers, seed=seed + 1), schema)
    held_out = normalize(population.draw(held_out_customers, seed=seed + 2), schema)
    ceiling = normalize(population.draw(held_out_customers, seed=seed + 3), schema)
    return Dataset(
        name="population",
        description=f"population (benchmarks/population.py): fit on {sample_customers:,} customers, generate the "
                    f"held-out draw's sizes, score against an independent draw of {held_out_customers:,} customers",
        schema=schema, sample=sample, held_out=held_out,
        ceilings={"ceiling": (f"an independent real draw of {held_out_customers:,} customers", ceiling, schema)},
        rules=population.RULES, sdv_scale=held_out_customers / sample_customers, sdv_slice=("customers", "orders"))


def _version(package: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:
        return None


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_tb(exc.__traceback__)[-3:])


def score_entry(real: Mapping[str, pd.DataFrame], synthetic: Mapping[str, pd.DataFrame], schema: sf.Schema,
                types: Mapping[str, Mapping[str, str]], entry: dict[str, Any], *, with_evaluate: bool = True) -> None:
    """SDMetrics' scores (and ``synthframe.evaluate``'s) of ``synthetic`` against ``real``, into ``entry``."""
    start = time.perf_counter()
    try:
        entry["sdmetrics"] = sdmetrics_scores(real, synthetic, schema, types)
    except Exception as exc:
        entry["sdmetrics_error"] = _error(exc)
    entry["score_seconds"] = time.perf_counter() - start
    if with_evaluate:
        try:
            ev = evaluate_scores(real, synthetic, schema)
            if ev is not None:
                entry["evaluate"] = ev
        except Exception as exc:
            entry["evaluate_error"] = _error(exc)


def run_dataset(ds: Dataset, *, seed: int, sdv: bool, sdv_budget: float, log: Callable[[str], None]) -> dict[str, Any]:
    """Every synthesizer and ceiling of one dataset, scored against its held-out draw; errors recorded, not raised."""
    types = sdtypes(ds.schema, ds.held_out)
    result: dict[str, Any] = {
        "description": ds.description, "notes": list(ds.notes),
        "rows": {"sample": {t: len(f) for t, f in ds.sample.items()}, "held_out": ds.counts},
        "sdtypes": types, "entries": {},
    }
    rules: dict[str, dict[str, Any]] = {}
    copies: dict[str, dict[str, Any]] = {}

    def add_rules(label: str, data: Mapping[str, pd.DataFrame]) -> None:
        for rule, v in rule_shares(data, ds.rules, ds.sample).items():
            rules.setdefault(rule, {"table": v["table"]})[label] = v["share"]
            if "error" in v:
                rules[rule][label + "_error"] = v["error"]

    add_rules("sample", ds.sample)
    add_rules("held_out", ds.held_out)
    copies["held_out"] = exact_copies(ds.held_out, ds.sample, types)

    log(f"{ds.name}: synthframe fit + sample")
    entry: dict[str, Any] = {"label": "synthframe"}
    synthetic: dict[str, pd.DataFrame] | None = None
    try:
        data, info = run_synthframe(ds.schema, ds.sample, ds.counts, seed)
        entry.update(info)
        synthetic = normalize(data, ds.schema)
        del data
        log(f"{ds.name}: scoring synthframe")
        score_entry(ds.held_out, synthetic, ds.schema, types, entry)
        add_rules("synthframe", synthetic)
        copies["synthframe"] = exact_copies(synthetic, ds.sample, types)
    except Exception as exc:
        entry["error"] = _error(exc)
    result["entries"]["synthframe"] = entry

    for key, (label, data, schema) in ds.ceilings.items():
        log(f"{ds.name}: scoring {key}")
        entry = {"label": label, "rows": {t: len(f) for t, f in data.items()}}
        try:
            real = {t: ds.held_out[t] for t in data}
            score_entry(real, data, schema, {t: types[t] for t in data}, entry)
            add_rules(key, data)
            copies[key] = exact_copies(data, ds.sample, types)
        except Exception as exc:
            entry["error"] = _error(exc)
        result["entries"][key] = entry

    if sdv:
        side = run_sdv_side_by_side(ds, types, synthetic, sdv_budget, log, add_rules, copies)
        result["entries"]["sdv"] = side.pop("whole_schema")
        if side:
            result["sdv_slice"] = side
    result["rules"] = rules
    result["exact_copies"] = copies
    return result


def run_sdv_side_by_side(ds: Dataset, types: Mapping[str, Mapping[str, str]],
                         synthetic: Mapping[str, pd.DataFrame] | None, budget: float, log: Callable[[str], None],
                         add_rules: Callable[[str, Mapping[str, pd.DataFrame]], None],
                         copies: dict[str, Any]) -> dict[str, Any]:
    """SDV's HMASynthesizer on the whole schema; where it refuses the schema (more than 5 tables or a depth
    over 2), on ``ds.sdv_slice`` instead, with synthframe's output and the ceiling scored on the same slice.

    Returns ``{"whole_schema": entry}``, plus ``"tables"`` and ``"entries"`` (by name) of the slice run.
    """
    log(f"{ds.name}: SDV HMASynthesizer (budget {budget:.0f} s)")
    entry: dict[str, Any] = {"label": "SDV HMASynthesizer"}
    refused = False
    try:
        data, info = run_sdv(ds.schema, ds.sample, types, ds.sdv_scale, budget)
        entry.update(info)
        if data is not None:
            score_entry(ds.held_out, data, ds.schema, types, entry, with_evaluate=False)
            add_rules("sdv", data)
            copies["sdv"] = exact_copies(data, ds.sample, types)
        refused = "not designed to handle a schema" in str(info.get("error", ""))
        if refused:
            entry = {"label": "SDV HMASynthesizer", "skipped": "HMASynthesizer refuses this schema: "
                     + _sdv_refusal(info["error"])}
    except Exception as exc:
        entry["error"] = _error(exc)
    out: dict[str, Any] = {"whole_schema": entry}
    if not refused or not ds.sdv_slice:
        return out
    tables = ds.sdv_slice
    schema = subschema(ds.schema, tables)
    held_out = {t: ds.held_out[t] for t in tables}
    sliced_types = {t: types[t] for t in tables}
    out["tables"] = list(tables)
    log(f"{ds.name}: SDV HMASynthesizer on {', '.join(tables)} (budget {budget:.0f} s)")
    sdv_entry: dict[str, Any] = {"label": f"SDV HMASynthesizer on {', '.join(tables)}"}
    try:
        data, info = run_sdv(schema, {t: ds.sample[t] for t in tables}, sliced_types, ds.sdv_scale, budget)
        sdv_entry.update(info)
        if data is not None:
            score_entry(held_out, data, schema, sliced_types, sdv_entry, with_evaluate=False)
            add_rules("sdv", data)
            copies["sdv"] = exact_copies(data, ds.sample, types)
    except Exception as exc:
        sdv_entry["error"] = _error(exc)
    entries: dict[str, Any] = {"sdv": sdv_entry}
    if synthetic is not None:
        e: dict[str, Any] = {"label": f"synthframe's output (fitted on every table), {', '.join(tables)} only"}
        score_entry(held_out, {t: synthetic[t] for t in tables}, schema, sliced_types, e, with_evaluate=False)
        entries["synthframe"] = e
    key = "ceiling_equal" if "ceiling_equal" in ds.ceilings else "ceiling"
    label, data, _ = ds.ceilings[key]
    e = {"label": f"{label}, {', '.join(tables)} only"}
    score_entry(held_out, {t: data[t] for t in tables}, schema, sliced_types, e, with_evaluate=False)
    entries[key] = e
    out["entries"] = entries
    return out


def _sdv_refusal(error: str) -> str:
    for line in error.splitlines():
        if "not designed to handle" in line:
            return line.split("SynthesizerInputError:")[-1].strip()
    return error.splitlines()[-1]


# -- the report -------------------------------------------------------------------------------

ENTRY_ORDER = ("synthframe", "sdv", "ceiling", "ceiling_equal")
ENTRY_HEADERS = {"synthframe": "synthframe", "sdv": "SDV HMA", "ceiling": "ceiling", "ceiling_equal":
                 "ceiling, same size"}


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _scores(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    return entry.get("sdmetrics") or {}


def _detail(entry: Mapping[str, Any], prop: str) -> list[dict[str, Any]]:
    d = _scores(entry).get("details", {}).get(prop)
    return d if isinstance(d, list) else []


def _relationship_rows(entries: Mapping[str, Any], prop: str, present: Sequence[str]) -> list[list[Any]]:
    keyed: dict[str, dict[str, float]] = {}
    for name in present:
        for row in _detail(entries[name], prop):
            fk = row.get("Foreign Key") or row.get("Child Foreign Key") or ""
            label = f"{row.get('Child Table')}.{fk} -> {row.get('Parent Table')}"
            if prop == "Intertable Trends":
                keyed.setdefault(label, {}).setdefault(name, []).append(row.get("Score"))
            else:
                keyed.setdefault(label, {})[name] = row.get("Score")
    rows = []
    for label, by in keyed.items():
        cells = []
        for name in present:
            v = by.get(name)
            if isinstance(v, list):
                vals = [x for x in v if x is not None]
                v = float(np.mean(vals)) if vals else None
            cells.append(v)
        rows.append([label, *cells])
    return rows


def worst_pairs(entry: Mapping[str, Any], n: int = 10, *, counted_only: bool = True) -> list[dict[str, Any]]:
    rows = _detail(entry, "Column Pair Trends")
    if counted_only:
        rows = [r for r in rows if r.get("Meets Threshold?") in (True, 1, "True")]
    rows = [r for r in rows if r.get("Score") is not None]
    return sorted(rows, key=lambda r: r["Score"])[:n]


def worst_shapes(entry: Mapping[str, Any], n: int = 10) -> list[dict[str, Any]]:
    rows = [r for r in _detail(entry, "Column Shapes") if r.get("Score") is not None]
    return sorted(rows, key=lambda r: r["Score"])[:n]


def dataset_markdown(name: str, res: Mapping[str, Any]) -> str:
    out = [f"## {name}", "", res.get("description", "")]
    if "error" in res:
        out += ["", f"**Failed**: `{res['error'].splitlines()[0]}`"]
        return "\n".join(out)
    entries = res["entries"]
    present = [e for e in ENTRY_ORDER if e in entries]
    scored = [e for e in present if "sdmetrics" in entries[e]]
    headers = ["property", *[ENTRY_HEADERS[e] for e in scored]]
    rows = [["overall (SDMetrics)", *[_scores(entries[e]).get("overall") for e in scored]]]
    for prop in PROPERTIES:
        rows.append([prop, *[_scores(entries[e]).get("properties", {}).get(prop) for e in scored]])
    ev_keys: list[str] = []
    for e in scored:
        for k in flat_scores(entries[e].get("evaluate") or {}):
            if k not in ev_keys and not k.startswith("info."):
                ev_keys.append(k)
    for k in ev_keys:
        rows.append([f"synthframe.evaluate: {k}",
                     *[flat_scores(entries[e].get("evaluate") or {}).get(k) for e in scored]])
    out += ["", _table(headers, rows), ""]
    labels = [f"- {ENTRY_HEADERS[e]}: {entries[e].get('label')}" for e in present]
    out += labels
    for e in present:
        for key in ("error", "sdmetrics_error", "evaluate_error", "skipped", "note"):
            if entries[e].get(key):
                out.append(f"- {ENTRY_HEADERS[e]} — {key.replace('_', ' ')}: `{str(entries[e][key]).splitlines()[0]}`")
    times = []
    for e in ("synthframe", "sdv"):
        if e in entries and "fit_seconds" in entries[e]:
            rows_made = sum(entries[e].get("rows", {}).values())
            times.append([ENTRY_HEADERS[e], entries[e]["fit_seconds"], entries[e]["sample_seconds"], rows_made,
                          entries[e].get("score_seconds")])
    if times:
        out += ["", "Times (seconds):", "",
                _table(["synthesizer", "fit s", "sample s", "rows made", "scoring s"],
                       [[t[0], t[1], t[2], f"{t[3]:,}", t[4]] for t in times])]
    side = res.get("sdv_slice") or {}
    if side.get("entries"):
        se = side["entries"]
        names = [e for e in ENTRY_ORDER if e in se and "sdmetrics" in se[e]]
        srows = [["overall (SDMetrics)", *[_scores(se[e]).get("overall") for e in names]]]
        srows += [[p, *[_scores(se[e]).get("properties", {}).get(p) for e in names]] for p in PROPERTIES]
        out += ["", f"SDV side by side on the tables HMASynthesizer accepts ({', '.join(side['tables'])}; fitted on "
                f"the same sample rows of those tables, scored against the same held-out rows):", "",
                _table(["property", *[ENTRY_HEADERS[e] for e in names]], srows), ""]
        out += [f"- {ENTRY_HEADERS[e]}: {se[e].get('label')}" for e in se]
        for e in se:
            for key in ("error", "sdmetrics_error", "skipped"):
                if se[e].get(key):
                    out.append(f"- {ENTRY_HEADERS[e]} — {key.replace('_', ' ')}: "
                               f"`{str(se[e][key]).splitlines()[0]}`")
        if "fit_seconds" in se.get("sdv", {}):
            s = se["sdv"]
            out.append(f"- SDV HMA on the slice: fit {s['fit_seconds']:.2f} s, sample {s['sample_seconds']:.2f} s "
                       f"(scale {s['scale']:g}: {sum(s['rows'].values()):,} rows), sdv {s.get('version')}"
                       + (f"; {s['note']}" if s.get("note") else ""))
    if "validate_problems" in entries.get("synthframe", {}):
        out.append(f"\n`synthframe.validate` problems in synthframe's output: "
                   f"{entries['synthframe']['validate_problems']}")
    for prop, title in (("Cardinality", "Cardinality per relationship"),
                        ("Intertable Trends", "Inter-table trends per relationship (mean over column pairs)")):
        rel = _relationship_rows(entries, prop, scored)
        if rel:
            out += ["", f"### {title}", "", _table(["relationship", *[ENTRY_HEADERS[e] for e in scored]], rel)]
    shapes: dict[str, dict[str, list[float]]] = {}
    for e in scored:
        for row in _detail(entries[e], "Column Shapes"):
            if row.get("Score") is not None:
                shapes.setdefault(row.get("Table"), {}).setdefault(e, []).append(row["Score"])
    if shapes:
        out += ["", "### Column shapes per table (mean)", "",
                _table(["table", *[ENTRY_HEADERS[e] for e in scored]],
                       [[t, *[float(np.mean(by[e])) if by.get(e) else None for e in scored]]
                        for t, by in shapes.items()])]
    rules = res.get("rules", {})
    if rules:
        cols = [c for c in ("sample", "held_out", *ENTRY_ORDER) if any(c in r for r in rules.values())]
        names = {"sample": "fit sample", "held_out": "held-out", **ENTRY_HEADERS}
        out += ["", "### Rules kept (share of rows)", "",
                _table(["rule", "table", *[names[c] for c in cols]],
                       [[r, v["table"], *[v.get(c) for c in cols]] for r, v in rules.items()])]
    copies = res.get("exact_copies", {})
    if copies:
        cols = [c for c in ("held_out", *ENTRY_ORDER) if c in copies]
        tables = list(dict.fromkeys(t for c in cols for t in copies[c]))
        names = {"held_out": "held-out", **ENTRY_HEADERS}
        out += ["", "### Exact copies of a fit-sample row (share of rows, scored columns)", "",
                _table(["table", *[names[c] for c in cols]], [[t, *[copies[c].get(t) for c in cols]] for t in tables])]
    if "synthframe" in scored:
        ref = "ceiling_equal" if "ceiling_equal" in scored else "ceiling"
        worst = worst_pairs(entries["synthframe"])
        if worst:
            ceiling = {(r.get("Table"), r.get("Column 1"), r.get("Column 2")): r.get("Score")
                       for r in _detail(entries.get(ref, {}), "Column Pair Trends")}
            out += ["", "### synthframe's 10 worst column pair trends (pairs SDMetrics counts)", "",
                    _table(["table", "column 1", "column 2", "metric", "synthframe", ENTRY_HEADERS[ref],
                            "real correlation", "synthetic correlation", "real association"],
                           [[r.get("Table"), r.get("Column 1"), r.get("Column 2"), r.get("Metric"), r.get("Score"),
                             ceiling.get((r.get("Table"), r.get("Column 1"), r.get("Column 2"))),
                             _num(r.get("Real Correlation")), _num(r.get("Synthetic Correlation")),
                             _num(r.get("Real Association"))] for r in worst])]
        shapes_worst = worst_shapes(entries["synthframe"])
        if shapes_worst:
            ceiling = {(r.get("Table"), r.get("Column")): r.get("Score")
                       for r in _detail(entries.get(ref, {}), "Column Shapes")}
            out += ["", "### synthframe's 10 worst column shapes", "",
                    _table(["table", "column", "metric", "synthframe", ENTRY_HEADERS[ref]],
                           [[r.get("Table"), r.get("Column"), r.get("Metric"), r.get("Score"),
                             ceiling.get((r.get("Table"), r.get("Column")))] for r in shapes_worst])]
        inter = sorted((r for r in _detail(entries["synthframe"], "Intertable Trends") if r.get("Score") is not None),
                       key=lambda r: r["Score"])[:10]
        if inter:
            ceiling = {(r.get("Child Table"), r.get("Parent Table"), r.get("Column 1"), r.get("Column 2")):
                       r.get("Score") for r in _detail(entries.get(ref, {}), "Intertable Trends")}
            out += ["", "### synthframe's 10 worst inter-table pairs (parent column × child column over the join)", "",
                    _table(["child", "parent", "column 1", "column 2", "metric", "synthframe", ENTRY_HEADERS[ref]],
                           [[r.get("Child Table"), r.get("Parent Table"), r.get("Column 1"), r.get("Column 2"),
                             r.get("Metric"), r.get("Score"), ceiling.get((r.get("Child Table"), r.get("Parent Table"),
                                                                           r.get("Column 1"), r.get("Column 2")))]
                            for r in inter])]
    for note in res.get("notes", []):
        out.append(f"\n- {note}")
    return "\n".join(out)


def markdown(report: Mapping[str, Any]) -> str:
    s = report["settings"]
    m = report["machine"]
    out = [f"# Fidelity benchmark — {report['created'][:10]}", "",
           f"`{report['command']}` at commit `{(m.get('git_commit') or '?')[:10]}`"
           f"{' (with uncommitted changes)' if m.get('git_dirty') else ''}; Python {m['python']}, "
           f"synthframe {m['synthframe']}, sdmetrics {m.get('sdmetrics')}, duckdb {m.get('duckdb')}, "
           f"sdv {m.get('sdv') or 'not installed'}{' (from ' + m['sdv_path'] + ')' if m.get('sdv_path') else ''}; "
           f"seed {s['seed']}; {report['seconds_total']:.0f} s in all.",
           "",
           "Scores are SDMetrics' quality report (0–1, higher is closer) of each synthesizer's output against a "
           "held-out real draw that no synthesizer saw; the *ceiling* is another real draw of the same population "
           "scored the same way. Column pair trends count only the pairs SDMetrics keeps (real |correlation| > "
           "0.5 or real association > 0.3).", ""]
    for name, res in report["datasets"].items():
        out += [dataset_markdown(name, res), ""]
    for note in report.get("notes", []):
        out.append(f"- {note}")
    return "\n".join(out).rstrip() + "\n"


def summary_table(report: Mapping[str, Any]) -> str:
    """One table for the terminal: per dataset and property, synthframe / SDV / the ceilings."""
    rows = []
    for name, res in report["datasets"].items():
        entries = res.get("entries", {})
        for prop in ("overall", *PROPERTIES):
            cells = []
            for e in ENTRY_ORDER:
                sc = _scores(entries.get(e, {}))
                cells.append(sc.get("overall") if prop == "overall" else sc.get("properties", {}).get(prop))
            rows.append([name, prop, *cells])
    return _table(["dataset", "property", *ENTRY_HEADERS.values()], rows)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        v = float(obj)
        return None if math.isnan(v) else v
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (pd.Timestamp, dt.date, dt.datetime, np.datetime64)):
        return str(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()
    except Exception:
        return None


def _sdv_path() -> str | None:
    """Where sdv is imported from (it may come from PYTHONPATH rather than the environment)."""
    if not sdv_available():
        return None
    import sdv

    return str(Path(sdv.__file__).resolve().parent.parent)


def machine_info() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "synthframe": sf.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "sdmetrics": _version("sdmetrics"), "duckdb": _version("duckdb"),
            "sdv": _version("sdv") if sdv_available() else None, "sdv_path": _sdv_path(),
            "git_commit": _git("rev-parse", "HEAD"), "git_dirty": bool(_git("status", "--porcelain", "synthframe"))}


# -- command line -------------------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks fidelity",
        description="Score synthframe's output against a held-out real draw of the same population (TPC-H via "
                    "DuckDB's dbgen, and benchmarks/population.py), next to the ceiling of a second real draw and "
                    "SDV's HMASynthesizer where sdv is installed; print a markdown table, write JSON and markdown.")
    p.add_argument("--quick", action="store_true", help="tiny sizes, a few seconds (TPC-H SF 0.02 held out)")
    p.add_argument("--datasets", default=",".join(DATASETS),
                   help=f"comma-separated, from {', '.join(DATASETS)} (default: both)")
    p.add_argument("--tpch", type=Path, default=DEFAULT_TPCH, help="folder of the TPC-H SF 0.01 sample")
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                   help=f"where dbgen's real tables are kept between runs (default {DEFAULT_CACHE})")
    p.add_argument("--seed", type=int, default=0, help="seed of synthframe's sample and of the population draws")
    p.add_argument("--no-sdv", action="store_true", help="leave SDV out even when it is installed")
    p.add_argument("--sdv-budget", type=float, default=None,
                   help=f"seconds SDV may take per dataset, fit and sample (default {FULL['sdv_budget']:g}; "
                        f"--quick: {QUICK['sdv_budget']:g})")
    p.add_argument("--json", type=Path, default=None,
                   help=f"JSON results (default {DEFAULT_JSON.relative_to(REPO_ROOT)}; --quick: only when given)")
    p.add_argument("--md", type=Path, default=None,
                   help=f"markdown report (default {DEFAULT_MD.relative_to(REPO_ROOT)}; --quick: only when given)")
    p.add_argument("--markdown-from", type=Path, default=None, metavar="JSON",
                   help="only write the markdown report (--md, default the results file) of an earlier run's JSON")
    p.add_argument("--sdv-worker", type=Path, default=None, help=argparse.SUPPRESS)
    return p


def run(args: argparse.Namespace, log: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    sizes = QUICK if args.quick else FULL
    wanted = [d.strip() for d in str(args.datasets).split(",") if d.strip()]
    unknown = sorted(set(wanted) - set(DATASETS))
    if unknown:
        raise SystemExit(f"unknown dataset(s) {unknown}; choose from {list(DATASETS)}")
    use_sdv = not args.no_sdv and sdv_available()
    budget = args.sdv_budget if args.sdv_budget is not None else sizes["sdv_budget"]
    started = dt.datetime.now(dt.timezone.utc)
    machine = machine_info()  # the commit and working tree the run imported, read before it starts
    t0 = time.perf_counter()
    notes: list[str] = []
    if args.no_sdv:
        notes.append("SDV left out (--no-sdv).")
    elif not use_sdv:
        notes.append("SDV not run: sdv is not importable here (it is never a dependency of synthframe).")
    datasets: dict[str, Any] = {}
    makers: dict[str, Callable[[], Dataset]] = {
        "tpch": lambda: tpch_dataset(args.tpch, args.cache, sizes["tpch_held_out"], sizes["tpch_ceiling"]),
        "population": lambda: population_dataset(sizes["pop_sample"], sizes["pop_held_out"], args.seed),
    }
    for name in wanted:
        start = time.perf_counter()
        log(f"{name}: preparing data")
        try:
            ds = makers[name]()
        except Exception as exc:
            datasets[name] = {"description": name, "error": _error(exc)}
            log(f"{name}: failed to prepare: {type(exc).__name__}: {exc}")
            continue
        try:
            datasets[name] = run_dataset(ds, seed=args.seed, sdv=use_sdv, sdv_budget=budget, log=log)
        except Exception as exc:
            datasets[name] = {"description": ds.description, "error": _error(exc)}
        datasets[name]["seconds"] = time.perf_counter() - start
    command = "python -m benchmarks fidelity" + (" --quick" if args.quick else "") + (
        f" --sdv-budget {args.sdv_budget:g}" if args.sdv_budget is not None else "") + (
        " --no-sdv" if args.no_sdv else "") + (f" --datasets {args.datasets}" if wanted != list(DATASETS) else "")
    return _clean({
        "created": started.isoformat(timespec="seconds"),
        "command": command,
        "seconds_total": time.perf_counter() - t0,
        "machine": machine,
        "settings": {"quick": bool(args.quick), "seed": args.seed, "sizes": sizes, "sdv": use_sdv,
                     "sdv_budget": budget, "datasets": wanted, "tpch_sample": str(args.tpch),
                     "cache": str(args.cache)},
        "datasets": datasets,
        "notes": notes,
    })


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.sdv_worker is not None:
        return sdv_worker(args.sdv_worker)
    if args.markdown_from is not None:
        md_path = args.md or DEFAULT_MD
        md_path.write_text(markdown(json.loads(args.markdown_from.read_text(encoding="utf-8"))), encoding="utf-8")
        print(f"report written to {md_path}", file=sys.stderr)
        return 0
    t0 = time.perf_counter()
    report = run(args, log=lambda s: print(f"[fidelity {time.perf_counter() - t0:6.1f} s] {s}", file=sys.stderr,
                                           flush=True))
    print(summary_table(report))
    for name, res in report["datasets"].items():
        if "error" in res:
            print(f"- {name} failed: {res['error'].splitlines()[0]}")
    json_path = args.json or (None if args.quick else DEFAULT_JSON)
    md_path = args.md or (None if args.quick else DEFAULT_MD)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=1, default=_json_default) + "\n", encoding="utf-8")
        print(f"results written to {json_path}", file=sys.stderr)
    if md_path is not None:
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(markdown(report), encoding="utf-8")
        print(f"report written to {md_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
