"""Checks made on the rows while they are written, for runs too large to read back.

:func:`synthframe.validate.validate` reads whole tables into memory; after a run of millions of rows that costs
as much as the run. :class:`WriteChecks` watches each table's stream on its way to the writer instead: every
chunk gets the column checks of ``validate`` (columns, types, nulls, bounds, levels), and each row's primary
key and unique values are kept as 64-bit values (a single integer column as itself, anything else hashed), and
of each foreign key the distinct values of each chunk with their rows, so that, once every table is written,
keys are checked across chunks and tables: primary keys and unique columns without repeats, every foreign key a
key of its parent. Memory is 8 bytes per key value kept; a run that could keep more than
:data:`KEY_VALUES_BUDGET` gets the column checks only, and says so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import where
from .randomness import finalize
from .schema import Schema, Table
from .validate import _check_table, _kind, _null_mask, _Report, check_partial_nulls

KEY_VALUES_BUDGET = 32_000_000
"""Key values kept for the checks across chunks (:func:`key_values`): 8 bytes each (16 for a foreign key's
value with its count), and as much again while the report sorts them. Above it only each chunk's own columns
are checked."""
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class WriteChecks:
    """The checks of one run: wrap each table's stream with :meth:`watch`, write, then read :meth:`report`."""

    def __init__(self, schema: Schema, counts: Mapping[str, int]):
        self.schema = schema
        self.counts = dict(counts)
        self.keys_checked = key_values(schema, counts) <= KEY_VALUES_BUDGET
        self._report = _Report()
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, tuple[str, ...]], list[tuple[np.ndarray, np.ndarray | None]]] = {}
        self._seen: dict[tuple[str, str, str], int] = {}
        self._ordered: dict[tuple[str, tuple[str, ...]], np.ndarray | None] = {}
        self._summed: set[int] = set()

    def watch(self, table: str, stream: Any) -> _Watched:
        """``stream`` (chunks, or one DataFrame or RecordBatch as ``write_tables`` takes them) as it is, each
        chunk checked as it passes (a child's stream keeps its ``fed_by``)."""
        if isinstance(stream, (pd.DataFrame, pa.RecordBatch)):
            stream = iter([stream])
        return _Watched(stream, lambda chunk: self._chunk(table, chunk))

    def _chunk(self, table: str, chunk: pa.RecordBatch | pd.DataFrame) -> None:
        if isinstance(chunk, pa.RecordBatch):
            from .generate import to_frame
            from .write import _decoded

            chunk = to_frame(_decoded(chunk))
        spec = self.schema.tables[table]
        report = _Report()
        present = _check_table(report, spec, chunk)
        for fk in spec.foreign_keys:  # validate checks this beside the parent; it needs only the child's rows
            if len(fk.columns) > 1 and set(fk.columns) <= present:
                check_partial_nulls(report, table, fk, chunk, [_null_mask(chunk[c]) for c in fk.columns])
        kept = {}
        if self.keys_checked:
            whole = set(_tracked(spec, foreign=False))
            for columns in _tracked(spec):
                if set(columns) <= present:
                    values, null = _key_values(chunk, columns)
                    values = values[~null]
                    # a foreign key only needs which values it holds, and how often: a few parents' keys
                    # repeated over millions of rows keep a few numbers
                    kept[columns] = (values, None) if columns in whole else np.unique(values, return_counts=True)
        with self._lock:
            for row in report.rows:  # a problem found in several chunks is reported once, its rows added up
                self._add(row, max if row[2] in _ONCE_PER_TABLE else _added)
            for columns, values in kept.items():
                self._kept.setdefault((table, columns), []).append(values)

    def _add(self, row: tuple[Any, ...], count: Any) -> None:
        """A problem's report row; one already there for its table, column and check keeps its example and
        message and takes ``count(its count, this count)``."""
        found = self._seen.get(row[:3])
        if found is None:
            self._seen[row[:3]] = len(self._report.rows)
            self._report.rows.append(row)
        else:
            first = self._report.rows[found]
            self._report.rows[found] = (*first[:3], count(first[3], row[3]), *first[4:])
            if count is _added:
                self._summed.add(found)

    def report(self) -> pd.DataFrame:
        """The problems found, as :func:`synthframe.validate.validate` reports them (empty when all hold); the key
        checks across chunks run here, after the last chunk."""
        if self.keys_checked:
            for name, table in self.schema.tables.items():
                if name in self.counts:
                    self._check_keys(name, table)
        rows = [(*row[:5], f"{row[5]} ({row[3]:,} row(s) in all the chunks.)") if i in self._summed else row
                for i, row in enumerate(self._report.rows)]
        order = {name: i for i, name in enumerate(self.schema.tables)}
        final = _Report()  # in the schema's order, whatever order the writer threads found them in
        final.rows = sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[1] or "", r[2]))
        return final.frame()

    def _sorted(self, table: str, columns: tuple[str, ...]) -> np.ndarray | None:
        """The kept values of a primary key or unique column, sorted (once: a key is read by its children too)."""
        key = (table, columns)
        if key not in self._ordered:
            parts = self._kept.pop(key, None)
            self._ordered[key] = None if not parts else np.sort(np.concatenate([values for values, _ in parts]))
        return self._ordered[key]

    def _held(self, table: str, columns: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """The values a foreign key holds and how many rows hold each (a key's own values: once each)."""
        parts = self._kept.get((table, columns))
        if parts and parts[0][1] is not None:  # kept as distinct values with their counts
            del self._kept[(table, columns)]
            return np.concatenate([v for v, _ in parts]), np.concatenate([c for _, c in parts])
        values = self._sorted(table, columns)  # also the table's primary key or a unique column: kept whole
        return None if values is None else (values, np.ones(len(values), dtype=np.int64))

    def _check_keys(self, name: str, table: Table) -> None:
        for columns in _tracked(table, foreign=False):
            ordered = self._sorted(name, columns)
            if ordered is None:
                continue
            repeats = _repeated(ordered)
            if repeats:
                label = ",".join(columns)
                pk = columns == tuple(table.primary_key)
                self._add((name, label, "primary_key_duplicate" if pk else "unique", repeats, None,
                           f"{'Primary key' if pk else 'Column'} {where(name, label)} repeats across the written "
                           f"chunks: {repeats} row(s) share their value with another row."), _all_rows)
        for fk in table.foreign_keys:
            held = self._held(name, tuple(fk.columns))
            if held is None:
                continue
            known = self._sorted(fk.ref_table, tuple(fk.ref_columns))
            if known is None:  # the parent wrote no row
                known = np.empty(0, dtype=np.uint64)
            wanted, rows = held
            if len(known):
                at = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
                dangling = int(rows[known[at] != wanted].sum())
            else:
                dangling = int(rows.sum())
            if dangling:
                label = ",".join(fk.columns)
                self._add((name, label, "foreign_key", dangling, None,
                           f"Foreign key {where(name, label)} has {dangling} row(s) whose value is not a key of "
                           f"{where(fk.ref_table, ','.join(fk.ref_columns))}."), _all_rows)


class _Watched:
    """A stream whose chunks pass through a check on their way; ``fed_by``, ``stop`` and ``close`` as the
    stream's own."""

    def __init__(self, stream: Any, check: Any):
        self._items = iter(stream)
        self._stream = stream
        self._check = check
        self.fed_by = getattr(stream, "fed_by", None)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        chunk = next(self._items)
        self._check(chunk)
        return chunk

    def stop(self) -> None:
        stop = getattr(self._stream, "stop", None)
        if stop is not None:
            stop()

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


def _all_rows(in_chunks: int, in_all: int) -> int:
    """The rows a key check over every chunk found: they include those each chunk found on its own."""
    return in_all


def _added(before: int, now: int) -> int:
    """A problem's rows in the chunks so far and in one more."""
    return before + now


_ONCE_PER_TABLE = frozenset({"missing_column", "unknown_column", "duplicate_column"})
"""Problems of a table's columns, not of its rows: each chunk finds the same one."""


def key_values(schema: Schema, counts: Mapping[str, int]) -> int:
    """Key values a run's checks would keep at most: one per row for each primary key and unique column; for a
    foreign key, its distinct values per chunk (at most the parent's rows in each chunk of
    :data:`~synthframe.generate.DEFAULT_BATCH_ROWS` rows, at most one per row)."""
    from .generate import DEFAULT_BATCH_ROWS

    total = 0
    for name, table in schema.tables.items():
        rows = int(counts.get(name, 0))
        whole = _tracked(table, foreign=False)
        total += rows * len(whole)
        chunks = -(-rows // DEFAULT_BATCH_ROWS)
        for fk in table.foreign_keys:
            if tuple(fk.columns) not in whole:
                total += min(rows, chunks * int(counts.get(fk.ref_table, rows)))
    return total


def _tracked(table: Table, *, foreign: bool = True) -> list[tuple[str, ...]]:
    """The column sets of a table whose values are kept: its primary key, unique columns, foreign keys."""
    sets: list[tuple[str, ...]] = []
    if table.primary_key:
        sets.append(tuple(table.primary_key))
    sets += [(c,) for c, spec in table.columns.items() if spec.unique and (c,) not in sets]
    if foreign:
        sets += [tuple(fk.columns) for fk in table.foreign_keys if tuple(fk.columns) not in sets]
    return sets


def _key_values(df: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's key as one uint64 (a single integer column exactly, anything else hashed), and whether any of
    its columns is null."""
    null = np.zeros(len(df), dtype=bool)
    out: np.ndarray | None = None
    for column in columns:
        series = df[column]
        column_null = _null_mask(series)
        null |= column_null
        kind = _kind(series)
        if kind == "integer":
            values = series.to_numpy(dtype=np.int64, na_value=0).view(np.uint64)
        elif kind in ("datetime", "date"):
            stamps = pd.to_datetime(series, utc=True).dt.tz_localize(None)
            values = stamps.to_numpy(dtype="datetime64[ns]").view(np.uint64)
        else:  # each distinct value hashed once (a chunk repeats a few codes or names over many rows)
            text = pa.array(series, from_pandas=True)
            if isinstance(text, pa.ChunkedArray):  # Arrow-backed text in several pieces
                text = text.combine_chunks()
            encoded = pc.dictionary_encode(text)
            distinct = pd.util.hash_array(encoded.dictionary.to_pandas().astype(str).to_numpy(dtype=object))
            values = distinct[encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)] if len(distinct) else \
                np.zeros(len(series), dtype=np.uint64)
        if len(columns) == 1:
            return np.ascontiguousarray(values), null
        with np.errstate(over="ignore"):
            out = values.copy() if out is None else finalize(out * _GOLDEN + values)
    assert out is not None
    return out, null


def _repeated(ordered: np.ndarray) -> int:
    """Rows whose value another row has too, in sorted values."""
    if len(ordered) < 2:
        return 0
    same = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(ordered), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    return int(np.count_nonzero(repeated))
