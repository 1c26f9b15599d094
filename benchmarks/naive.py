"""The naive per-row generator: the speed baseline synthframe is compared against.

This is the loop of the original design: for each table, for each row, for each
column, one Faker call chosen by the column's name or semantic hint, or one
``random`` call chosen by its type; primary keys from counters; foreign keys by
``random.choice`` over the parent's generated keys; unique columns by retrying
against a set of seen values. It is deliberately simple and deliberately slow —
Python work per value — and it learns nothing from samples: it reads only the
schema's types and hints. It is seeded (``random.Random(seed)`` and
``Faker.seed_instance``), so one seed gives the same rows on every run.

    python benchmarks/naive.py            # rows/s per table of the bundled ecommerce example
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from faker import Faker

if __package__ in (None, ""):  # run as a script: make the repository's package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthframe.errors import CapacityError, RowCountError
from synthframe.schema import Column, Schema, Table

NULL_RATE = 0.1
"""Share of None in a column the schema marks nullable."""
UNIQUE_RETRIES = 100
"""Draws tried for a unique column before giving up."""

_DATE_RANGE = (dt.date(2020, 1, 1), dt.date(2025, 12, 31))

# Column-name fragments mapped to Faker providers, checked in order (first match wins).
_NAME_PROVIDERS: tuple[tuple[str, str], ...] = (
    ("email", "email"), ("first_name", "first_name"), ("last_name", "last_name"), ("phone", "phone_number"),
    ("city", "city"), ("country", "country"), ("address", "street_address"), ("street", "street_address"),
    ("zip", "postcode"), ("postcode", "postcode"), ("company", "company"), ("url", "url"),
    ("username", "user_name"), ("name", "name"), ("title", "sentence"), ("body", "paragraph"),
    ("description", "paragraph"), ("comment", "paragraph"), ("text", "paragraph"),
)


def naive_generate(schema: Mapping[str, Any] | Schema, counts: Mapping[str, int],
                   seed: int = 0) -> dict[str, list[dict[str, Any]]]:
    """Generate ``counts[table]`` records for each named table, one row and one value at a time.

    Tables are made parents first. A table that is not named gets no rows, so every parent
    of a named table must be named too (its keys are what the child picks from).
    """
    gen = _NaiveGenerator(_as_schema(schema), seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in gen.schema.generation_order():
        if name in counts:
            out[name] = gen.table_rows(name, _count(name, counts[name]))
    return out


def naive_rows_per_second(schema: Mapping[str, Any] | Schema, table: str, n: int, seed: int = 0) -> float:
    """Rows per second the naive loop reaches making ``n`` rows of ``table``.

    The table's ancestors are generated first (at most ``n`` rows each, at least one) and are
    not timed; only the loop over the ``n`` rows of ``table`` is.
    """
    parsed = _as_schema(schema)
    if table not in parsed.tables:
        raise RowCountError(f"Unknown table '{table}'; known tables: {sorted(parsed.tables)}.", table=table)
    n = _count(table, n)
    gen = _NaiveGenerator(parsed, seed)
    needed = _ancestors(parsed, table)
    for name in parsed.generation_order():
        if name in needed:
            gen.table_rows(name, max(1, min(n, 1000)))
    start = time.perf_counter()
    gen.table_rows(table, n)
    elapsed = time.perf_counter() - start
    return n / elapsed if elapsed > 0 else math.inf


class _NaiveGenerator:
    """State of one naive run: the random sources and the keys generated so far, per table."""

    def __init__(self, schema: Schema, seed: int):
        self.schema = schema
        self.random = random.Random(seed)
        self.fake = Faker()
        self.fake.seed_instance(seed)
        self.keys: dict[str, list[tuple[Any, ...]]] = {}

    def table_rows(self, name: str, n: int) -> list[dict[str, Any]]:
        table = self.schema.tables[name]
        fk_of = {col: fk for fk in table.foreign_keys for col in fk.columns}
        for fk in table.foreign_keys:
            if fk.ref_table != name and not self.keys.get(fk.ref_table) and n:
                raise RowCountError(f"Table '{name}' references '{fk.ref_table}', which has no rows; "
                                    f"ask for rows of '{fk.ref_table}' too.", table=name, column=fk.columns[0])
        self.keys[name] = keys = []
        counters: dict[Any, int] = {}
        seen: dict[str, set[Any]] = {col: set() for col, c in table.columns.items() if c.unique}
        rows: list[dict[str, Any]] = []
        for _ in range(n):
            row: dict[str, Any] = {}
            for col_name, col in table.columns.items():
                if col_name in row:
                    continue
                if col_name in fk_of:
                    row.update(self._foreign_key(table, fk_of[col_name], keys))
                elif col_name in table.primary_key:
                    row[col_name] = self._key_value(table, col, row, counters)
                elif col.nullable and self.random.random() < NULL_RATE:
                    row[col_name] = None
                elif col.unique:
                    row[col_name] = self._unique_value(table, col, seen[col_name])
                else:
                    row[col_name] = self._value(col)
            if table.primary_key:
                keys.append(tuple(row[c] for c in table.primary_key))
            rows.append(row)
        return rows

    # -- keys --------------------------------------------------------------------------
    def _foreign_key(self, table: Table, fk: Any, own_keys: list[tuple[Any, ...]]) -> dict[str, Any]:
        if fk.ref_table == table.name:  # self-reference: an earlier row, or None for a root
            if not own_keys or self.random.random() < NULL_RATE:
                return dict.fromkeys(fk.columns)
            picked = self.random.choice(own_keys)
        else:
            picked = self.random.choice(self.keys[fk.ref_table])
        pk = self.schema.tables[fk.ref_table].primary_key
        return {col: picked[pk.index(ref)] for col, ref in zip(fk.columns, fk.ref_columns)}

    def _key_value(self, table: Table, col: Column, row: dict[str, Any], counters: dict[Any, int]) -> Any:
        """A primary-key column: a counter, restarted for each value of the key's foreign-key part."""
        scope = tuple(row.get(c) for c in table.primary_key if c in row)
        counters[scope] = counters.get(scope, 0) + 1
        number = counters[scope]
        if col.type == "uuid":
            return str(uuid.UUID(int=self.random.getrandbits(128), version=4))
        if col.type in ("string", "category"):
            if col.pattern and "#" in col.pattern:
                prefix = col.pattern[:col.pattern.index("#")]
                return f"{prefix}{number:0{col.pattern.count('#')}d}"
            return f"{table.name}-{number}"
        return number

    def _unique_value(self, table: Table, col: Column, seen: set[Any]) -> Any:
        for _ in range(UNIQUE_RETRIES):
            value = self._value(col)
            if value not in seen:
                seen.add(value)
                return value
        raise CapacityError(f"Column {table.name}.{col.name} produced no new unique value in {UNIQUE_RETRIES} "
                            f"draws after {len(seen):,} rows; ask for fewer rows or widen its pattern/range.",
                            table=table.name, column=col.name)

    # -- values ------------------------------------------------------------------------
    def _value(self, col: Column) -> Any:
        rnd = self.random
        if col.values is not None:
            return rnd.choices(col.values, weights=col.weights)[0]
        if col.pattern:
            return self.fake.bothify(col.pattern)
        provider = self._provider(col)
        if provider is not None:
            return provider()
        if col.type == "integer":
            lo = int(col.min) if col.min is not None else 0
            hi = int(col.max) if col.max is not None else lo + 1000
            return rnd.randint(lo, hi)
        if col.type == "float":
            return round(self._float(col), 2)
        if col.type == "boolean":
            return rnd.random() < 0.5
        if col.type == "date":
            lo, hi = _date_bounds(col)
            return (lo + dt.timedelta(days=rnd.randint(0, (hi - lo).days))).isoformat()
        if col.type == "datetime":
            lo, hi = _date_bounds(col)
            start = dt.datetime.combine(lo, dt.time())
            span = int((dt.datetime.combine(hi, dt.time()) - start).total_seconds())
            return (start + dt.timedelta(seconds=rnd.randint(0, span))).isoformat(sep=" ")
        if col.type == "uuid":
            return str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        return self.fake.word()

    def _float(self, col: Column) -> float:
        rnd = self.random
        dist = col.distribution or {}
        if dist.get("name") == "lognorm":
            x = rnd.lognormvariate(math.log(float(dist.get("scale", 1.0))), float(dist.get("s", 1.0)))
        elif col.min is not None and col.max is not None:
            x = rnd.uniform(float(col.min), float(col.max))
        else:
            x = rnd.normalvariate(100.0, 25.0)
        if col.min is not None:
            x = max(x, float(col.min))
        if col.max is not None:
            x = min(x, float(col.max))
        return x

    def _provider(self, col: Column) -> Callable[[], Any] | None:
        """The Faker provider for a text column: its semantic hint, else a fragment of its name."""
        if col.type not in ("string", "category"):
            return None
        if col.semantic and hasattr(self.fake, col.semantic):
            return getattr(self.fake, col.semantic)
        lowered = col.name.lower()
        for fragment, provider in _NAME_PROVIDERS:
            if fragment in lowered:
                return getattr(self.fake, provider)
        return None


def _date_bounds(col: Column) -> tuple[dt.date, dt.date]:
    lo = dt.date.fromisoformat(str(col.min)[:10]) if col.min is not None else _DATE_RANGE[0]
    hi = dt.date.fromisoformat(str(col.max)[:10]) if col.max is not None else _DATE_RANGE[1]
    return lo, hi


def _as_schema(schema: Mapping[str, Any] | Schema) -> Schema:
    return schema if isinstance(schema, Schema) else Schema.from_dict(schema)


def _count(table: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise RowCountError(f"The row count of '{table}' must be a non-negative integer. Got {n!r} instead.",
                            table=table)
    return n


def _ancestors(schema: Schema, table: str) -> set[str]:
    out: set[str] = set()
    todo = list(schema.parents(table))
    while todo:
        name = todo.pop()
        if name not in out:
            out.add(name)
            todo.extend(schema.parents(name))
    return out


def main() -> None:
    """Print the naive loop's rows/s for each table of the bundled ecommerce example."""
    from synthframe.examples import load_example_request

    schema = load_example_request("ecommerce")["schema"]
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    for table in Schema.from_dict(schema).generation_order():
        print(f"{table:<12} {naive_rows_per_second(schema, table, n):>12,.0f} rows/s (naive, n={n:,})")


if __name__ == "__main__":
    main()
