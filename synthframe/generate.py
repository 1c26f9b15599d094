"""Step 4 of the pipeline: rows of any table at any row indices, from a Model.

Every value of row ``i`` is a pure function of (seed, table, column, purpose, i): uniform
draws come from the counter-based mixer of :mod:`synthframe.randomness`, keys from the pure
functions of :mod:`synthframe.keys` and :mod:`synthframe.layouts`, and each column's values
from its generator (:mod:`synthframe.generators`). So any rows of any table can be made on
their own — a batch, one row, or the rows of a parent that a child needs — and a table made
in one piece, in batches of any size, or on many workers gives the same values.

The pieces:

- :func:`resolve_rows` turns the user's row counts into a count for every table;
- :class:`Run` holds one run (model, counts, seed) and what is shared across its batches:
  the generators, the two-level child layouts (``O(parent blocks)`` state), the parent pickers
  and a cache of small parents' columns;
- :func:`generate_rows` makes any rows of one table as a ``pyarrow.RecordBatch`` — the one
  generation path, used by :meth:`Model.sample`, :meth:`Model.write`, the CLI and the server;
- :func:`iter_batches` and :func:`generate` stream or collect tables as DataFrames.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import math
import os
import queue
import sys
import threading
import weakref
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import special

from . import distributions as dist
from . import joint, keys
from .errors import CapacityError, ModelError, RowCountError, StreamStopped, where
from .generators import ColumnGenerator, generator_for
from .generators.base import TEXT_CODES, levels_array, with_nulls
from .generators.derived import READ_FROM_CHILDREN
from .generators.entities import grouped_generator
from .layouts import ChildLayout, ParentPicker
from .progress import counted as table_counted
from .progress import table_bar, wanted
from .randomness import as_rows, mix64, stream_key, uniforms
from .schema import ForeignKey

if TYPE_CHECKING:
    from .model import Model

DEFAULT_BATCH_ROWS = 1 << 18
"""Rows per batch when streaming (262,144). Memory is bounded by one batch per table being written (a few
hundred MB for a dozen columns), whatever the row count. No value depends on it."""
MAX_TABLE_ROWS = 10**13
"""Upper bound on one table's row count."""
MAX_IN_MEMORY_CELLS = 2 * 10**9
"""Above this many cells, :meth:`Model.sample` refuses and points to :meth:`Model.write`."""
SMALL_PARENT_ROWS = 1 << 16
"""A parent table this small has a column its children read computed once per run and kept."""
KEPT_PARENT_ROWS = 1 << 21
"""A parent table up to this size has such a column kept too once one request reads at least a quarter as many
parent rows as it has (TPC-H's 200,000 parts under a million lines' prices), when the column is a number, date,
boolean or category not computed from children: computing it whole once costs less than sorting out each
request's distinct parents (at most 16 MB per column and worker)."""
UNIQUE_BLOCK = 1 << 10
"""Unbounded unique columns permute ids within consecutive blocks of this many rows."""
_TINY = 1e-12


# -- row counts ---------------------------------------------------------------------------

def _check_count(table: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)) or (
            isinstance(value, float) and not value.is_integer()):
        raise RowCountError(f"Row count for table '{table}' must be a whole number; got {value!r}.", table=table)
    value = int(value)
    if value < 0:
        raise RowCountError(f"Row count for table '{table}' must be zero or more; got {value}.", table=table)
    if value > MAX_TABLE_ROWS:
        raise RowCountError(f"Row count for table '{table}' is {value:,}, above the limit of {MAX_TABLE_ROWS:,} "
                            f"rows per table; ask for fewer rows.", table=table)
    return value


def resolve_rows(model: Model, rows: Mapping[str, Any] | None = None, *, scale: float | None = None) -> dict[str, int]:
    """A row count for every table, in generation order.

    Counts the user gives win, exactly. Other tables get rows in proportion to the
    parent they are laid out under (the samples' children-per-parent ratio), or their
    sample size when they have no such parent (100 rows without samples), times ``scale``.
    """
    if rows is not None and not isinstance(rows, Mapping):
        raise RowCountError(f"rows must be a mapping {{table: count}}, e.g. {{'customers': 1000}}; "
                            f"got {type(rows).__name__} {rows!r}.")
    rows = dict(rows or {})
    unknown = [t for t in rows if t not in model.tables]
    if unknown:
        raise RowCountError(f"Row counts name unknown table(s) {unknown}; known tables: {list(model.tables)}.",
                            table=unknown[0])
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))
                              or not 0 <= scale < float("inf")):
        raise RowCountError(f"scale must be a finite non-negative number; got {scale!r}.")
    factor = 1.0 if scale is None else float(scale)
    counts: dict[str, int] = {}
    for table in model.schema.generation_order():
        tm = model.tables[table]
        if table in rows:
            counts[table] = _check_count(table, rows[table])
            continue
        parent = tm.layout.get("parent")
        if parent is not None and parent in counts:
            ratio = tm.layout.get("children_per_parent")
            if ratio is None:
                ratio = 1.0 if tm.layout.get("partner") is not None else 3.0
            wanted = counts[parent] * float(ratio)
        else:
            wanted = (tm.sample_rows or 100) * factor
        if not wanted < MAX_TABLE_ROWS + 1:  # also infinity: a huge scale names its table, not an overflow
            amount = f"{wanted:,.0f}" if math.isfinite(wanted) else "unboundedly many"
            raise RowCountError(f"Table '{table}' would get {amount} rows, above the limit of "
                                f"{MAX_TABLE_ROWS:,} rows per table; ask for fewer rows or a smaller scale.",
                                table=table)
        counts[table] = _check_count(table, int(round(wanted)))
    return counts


# -- a run --------------------------------------------------------------------------------

class Run:
    """One generation run: model, row counts and seed, and the state its batches share.

    The state is small and built on demand: one generator per column, a two-level child layout per
    laid-out table (``O(parent blocks)``), a parent picker per drawn foreign key, and the columns of
    small parents that children read. ``stats`` counts the parent rows computed for children.
    """

    def __init__(self, model: Model, counts: Mapping[str, int] | None = None, seed: int = 0):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise RowCountError(f"seed must be a non-negative integer; got {seed!r}.")
        self.model = model
        self.counts = dict(counts) if counts is not None else resolve_rows(model)
        missing = [t for t in model.tables if t not in self.counts]
        if missing:
            raise RowCountError(f"The run has no row count for table(s) {missing}; resolve the counts with "
                                f"resolve_rows(model, rows).", table=missing[0])
        self.seed = int(seed)
        self.stats: Counter[str] = Counter()
        self._generators: dict[tuple[str, str], ColumnGenerator] = {}
        self._layouts: dict[str, ChildLayout] = {}
        self._pickers: dict[tuple[str, int], ParentPicker] = {}
        self._small: dict[tuple[str, str], pa.Array] = {}
        self._joint: dict[tuple[str, ...], Any] = {}
        self._kept: dict[str, bool] = {}
        self.check()

    # -- what the model holds ------------------------------------------------------------
    def generator(self, table: str, column: str) -> ColumnGenerator:
        """The generator of ``table.column`` (built once per run)."""
        found = self._generators.get((table, column))
        if found is None:
            tm = self.model.tables[table]
            if column not in tm.columns:
                raise ModelError(f"Table '{table}' has no column '{column}'; columns: {list(tm.columns)}.",
                                 table=table, column=column)
            cm = tm.columns[column]
            found = grouped_generator(cm, table, tm.layout) or generator_for(cm, table)
            self._generators[(table, column)] = found
        return found

    def kept(self, table: str) -> bool:
        """Whether ``table`` is a reference table whose sample rows are the run's rows: the run asks for as
        many rows as were kept, and every table it points to is kept too (so its keys are the kept ones)."""
        found = self._kept.get(table)
        if found is None:
            self._kept[table] = False  # a self-reference or cycle never keeps itself
            reference = self.model.tables[table].layout.get("reference")
            found = isinstance(reference, Mapping) and reference.get("rows") == self.counts[table] and all(
                self.kept(fk.ref_table) for fk in self.model.schema.tables[table].foreign_keys
                if fk.ref_table != table)
            self._kept[table] = found
        return found

    def kept_column(self, table: str, column: str, rows: np.ndarray) -> pa.Array:
        """A kept reference table's column at ``rows``."""
        values = self.model.tables[table].layout["reference"]["columns"].get(column)
        cm = self.model.tables[table].columns[column]
        if not isinstance(values, list) or len(values) != self.counts[table]:
            raise ModelError(f"Column {where(table, column)} has no kept values for the reference table's "
                             f"{self.counts[table]} rows; refit the model.", table=table, column=column)
        missing = np.array([v is None for v in values])
        present = [v for v in values if v is not None]
        filler = present[0] if present else ""
        levels = [filler if v is None else v for v in values]
        out = levels_array(cm.type, levels, rows)
        return with_nulls(out, missing[rows] if missing.any() else None)

    def joint_node(self, table: str, column: str) -> joint.JointNode | None:
        """Where ``table.column`` sits in its table's network: None when it is drawn on its own."""
        key = (table, column)
        if key not in self._joint:
            network = self.model.tables[table].layout.get("joint") or {}
            node = (network.get("columns") or {}).get(column)
            self._joint[key] = None if node is None else self._joint_node(table, column, node)
        return self._joint[key]

    def null_node(self, table: str, column: str) -> tuple[Mapping[str, Any], Mapping[str, Any], np.ndarray] | None:
        """The column whose bins ``table.column``'s null rate depends on: (given, its bins, rate per bin)."""
        key = (table, "nulls", column)
        if key not in self._joint:
            network = self.model.tables[table].layout.get("joint") or {}
            node = (network.get("nulls") or {}).get(column)
            found = None
            if node is not None:
                try:
                    given, spec = node["given"], node["given_bins"]
                    rates = np.asarray(node["rates"], dtype=np.float64)
                    source = self.foreign_key(table, int(given["fk"])).ref_table if "fk" in given else table
                    if given["column"] not in self.model.tables[source].columns or \
                            rates.shape != (joint.bin_count(spec) + 1,) or not ((rates >= 0) & (rates <= 1)).all():
                        raise ValueError("rates do not match the bins")
                except (KeyError, TypeError, ValueError) as exc:
                    raise ModelError(f"Column {where(table, column)} has a damaged null-rate entry in the joint "
                                     f"model ({exc}); refit the model or remove it.", table=table,
                                     column=column) from None
                found = (given, spec, rates)
            self._joint[key] = found  # type: ignore[assignment]
        return self._joint[key]  # type: ignore[return-value]

    def _joint_node(self, table: str, column: str, node: Mapping[str, Any]) -> joint.JointNode:
        try:
            found = joint.JointNode.from_dict(node)
            given = found.given
            source = self.foreign_key(table, int(given["fk"])).ref_table if "fk" in given else table
            if given["column"] not in self.model.tables[source].columns:
                raise KeyError(given["column"])
            if found.given2 is not None:
                second = self.foreign_key(table, int(found.given2["fk"])).ref_table if "fk" in found.given2 else table
                if found.given2["column"] not in self.model.tables[second].columns:
                    raise KeyError(found.given2["column"])
            if found.means is not None:
                if len(found.means) != found.rows_expected():
                    raise ValueError("one mean per parent bin")
            elif found.correlation is None and found.cumulative.shape != (
                    found.rows_expected(), len(found.uniform_edges) - 1):
                raise ValueError("table shape")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ModelError(f"Column {where(table, column)} has a damaged joint-model entry ({exc}); refit the "
                             f"model or remove the entry from the table's layout.", table=table,
                             column=column) from None
        return found

    def foreign_key(self, table: str, index: int) -> ForeignKey:
        fks = self.model.schema.tables[table].foreign_keys
        if not 0 <= index < len(fks):
            raise ModelError(f"Table '{table}' has no foreign key number {index}; it has {len(fks)}. Refit the "
                             f"model.", table=table)
        return fks[index]

    def role(self, table: str, index: int) -> str:
        """How foreign key ``index`` of ``table`` picks its parents: owner, partner, self or draw."""
        layout = self.model.tables[table].layout
        if index == layout.get("owner"):
            return "owner"
        if index == layout.get("partner"):
            return "partner"
        if self.foreign_key(table, index).ref_table == table:
            return "self"
        return "draw"

    # -- checks before any row is made --------------------------------------------------
    def check(self) -> None:
        """Raise before generating if a parent is empty or a unique column cannot hold its rows."""
        for name, tm in self.model.tables.items():
            n = self.counts[name]
            table = self.model.schema.tables[name]
            for fk in table.foreign_keys:
                if n and fk.ref_table != name and self.counts[fk.ref_table] == 0:
                    raise RowCountError(
                        f"Table '{name}' has {n} rows but its parent '{fk.ref_table}' has none, so "
                        f"{where(name, fk.columns[0])} cannot point anywhere; give '{fk.ref_table}' rows.",
                        table=name, column=fk.columns[0])
            owner, partner = tm.layout.get("owner"), tm.layout.get("partner")
            if partner is not None:
                fk, owner_fk = table.foreign_keys[partner], table.foreign_keys[owner]
                pairs = self.counts[owner_fk.ref_table] * self.counts[fk.ref_table]
                if n > pairs:
                    raise CapacityError(
                        f"Table '{name}' is a link table: its key pairs each '{owner_fk.ref_table}' row with "
                        f"distinct '{fk.ref_table}' rows, so it holds at most {pairs:,} rows; {n:,} were asked. "
                        f"Ask for fewer rows or more parent rows.", table=name, column=fk.columns[0])
            elif owner is not None and self.children_cap(name) == 1:
                parent = table.foreign_keys[owner].ref_table
                if n > self.counts[parent]:
                    raise CapacityError(
                        f"Table '{name}' is keyed by its foreign key to '{parent}' (one row per '{parent}' row), so "
                        f"it holds at most {self.counts[parent]:,} rows; {n:,} were asked. Ask for fewer rows or "
                        f"more '{parent}' rows.", table=name, column=table.foreign_keys[owner].columns[0])
            if owner is not None and n:
                self.layout(name)
            for column in tm.columns:
                capacity = self.generator(name, column).capacity()
                if capacity is not None and n > capacity:
                    raise CapacityError(
                        f"Column {where(name, column)} must be unique but its format holds only {capacity:,} "
                        f"distinct values; {n:,} rows were asked. Widen the pattern/range or ask for fewer rows.",
                        table=name, column=column)

    # -- parents ------------------------------------------------------------------------
    def layout(self, table: str) -> ChildLayout:
        """The two-level layout of ``table``'s rows under its owning parent."""
        found = self._layouts.get(table)
        if found is None:
            tm = self.model.tables[table]
            owner = tm.layout["owner"]
            fk = self.foreign_key(table, owner)
            cap = self.children_cap(table)
            shape = tm.layout.get("children_shape") if cap is None else None
            given = None
            conditional = tm.layout.get("children_given")
            if shape is not None and isinstance(conditional, Mapping):
                given = (self._parent_bins(fk.ref_table, conditional), conditional.get("weights"))
            found = ChildLayout(self.counts[table], self.counts[fk.ref_table],
                                stream_key(self.seed, table, _fk_name(fk), "layout"), shape=shape, cap=cap,
                                interleave=bool(tm.layout.get("interleave", False)), table=table,
                                column=fk.columns[0], given=given)
            self._layouts[table] = found
        return found

    def _parent_bins(self, parent: str, conditional: Mapping[str, Any]) -> Callable[[np.ndarray], np.ndarray]:
        """Bins of the parent column a children-per-parent shape depends on, at any parent rows."""
        column, spec = conditional.get("column"), conditional.get("given_bins")
        if column not in self.model.tables[parent].columns or not isinstance(spec, Mapping):
            raise ModelError(f"The children-per-parent shapes under '{parent}' depend on column {column!r}, which "
                             f"'{parent}' does not have; refit the model.", table=parent)

        def bins(parents: np.ndarray) -> np.ndarray:
            return joint.given_bins(self.column(parent, column, parents), spec)

        return bins

    def children_cap(self, table: str) -> int | None:
        """Most children one parent may have: its partners in a link table, one when the key *is* the
        foreign key (a 1:1 extension table such as profiles.customer_id), otherwise no limit."""
        tm = self.model.tables[table]
        if tm.layout.get("partner") is not None:
            return self.counts[self.foreign_key(table, tm.layout["partner"]).ref_table]
        owner = tm.layout.get("owner")
        primary_key = set(self.model.schema.tables[table].primary_key)
        if owner is not None and set(self.foreign_key(table, owner).columns) == primary_key:
            return 1
        return None

    def picker(self, table: str, index: int) -> ParentPicker:
        """How a drawn foreign key picks parents: by the learned popularity, no per-parent state."""
        found = self._pickers.get((table, index))
        if found is None:
            fk = self.foreign_key(table, index)
            shape = self.model.tables[table].columns[fk.columns[0]].generator.get("popularity")
            found = ParentPicker(self.counts[fk.ref_table], stream_key(self.seed, table, _fk_name(fk), "popularity"),
                                 shape=shape, table=table, column=fk.columns[0])
            self._pickers[(table, index)] = found
        return found

    def parent_column(self, table: str, column: str, parents: np.ndarray) -> pa.Array:
        """``table.column`` at parent rows ``parents``: from the kept column of a small parent (or of a mid-sized
        one asked for many rows, see :data:`KEPT_PARENT_ROWS`), or computed at the distinct parent rows (the parent
        table is never materialised)."""
        n = self.counts[table]
        kept = self._small.get((table, column))
        if kept is not None or n <= SMALL_PARENT_ROWS or (n <= KEPT_PARENT_ROWS and 4 * len(parents) >= n
                                                          and self._worth_keeping(table, column)):
            if kept is None:
                kept = self._small[(table, column)] = self.column(table, column, np.arange(n, dtype=np.int64))
                self.stats["parent_rows"] += n
            return kept.take(pa.array(parents))
        distinct, inverse = np.unique(parents, return_inverse=True)
        self.stats["parent_rows"] += len(distinct)
        return self.column(table, column, distinct).take(pa.array(inverse.astype(np.int64)))

    def _worth_keeping(self, table: str, column: str) -> bool:
        """Whether a mid-sized parent's column may be kept whole: a number, date, boolean or category (8 bytes a
        row at most), not text, and not one computed from the parent's own children (a whole table of them)."""
        col = self.model.tables[table].columns[column]
        return col.type in ("integer", "float", "boolean", "date", "datetime", "category") and \
            col.generator.get("kind") not in READ_FROM_CHILDREN

    # -- rows ---------------------------------------------------------------------------
    def context(self, table: str, rows: np.ndarray) -> RowContext:
        return RowContext(self, table, rows)

    def column(self, table: str, column: str, rows: np.ndarray) -> pa.Array:
        """One column of ``table`` at ``rows``."""
        return RowContext(self, table, rows).values(column)

    def rows(self, table: str, rows: Any, columns: Sequence[str] | None = None, *,
             coded: bool = False) -> pa.RecordBatch:
        """Rows ``rows`` (a range, a count, or any int64 indices) of ``table`` as a RecordBatch; with ``coded``,
        text drawn from a pool stays pool positions (:meth:`RowContext.coded_batch`, for a Parquet writer)."""
        if table not in self.model.tables:
            raise RowCountError(f"Unknown table '{table}'; known tables: {list(self.model.tables)}.", table=table)
        index = as_rows(rows, table=table)
        n = self.counts[table]
        if index.size and int(index.max()) >= n:
            raise RowCountError(f"Row {int(index.max()):,} of table '{table}' was asked for, but the run has "
                                f"{n:,} rows; ask for rows in [0, {n:,}).", table=table)
        names = list(self.model.tables[table].columns) if columns is None else list(columns)
        ctx = RowContext(self, table, index)
        if coded:
            return ctx.coded_batch(names)
        arrays = [ctx.values(name) for name in names]
        return pa.RecordBatch.from_arrays(arrays, names=names)


class RowContext:
    """The rows of one table being made: their draws, and the columns already computed for them.

    Columns are computed on first use and kept, so a column another one reads (an email's names,
    a copula's group, a foreign key's parent rows) is computed once per batch, in whatever order
    the table lists them.
    """

    def __init__(self, run: Run, table: str, rows: np.ndarray):
        self.run = run
        self.seed = run.seed
        self.table = table
        self.rows = rows
        self._values: dict[str, pa.Array] = {}
        self._codes: dict[str, pa.DictionaryArray] = {}
        self._busy: set[str] = set()
        self._parents: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
        self._owner: tuple[np.ndarray, np.ndarray] | None = None
        self._copula: dict[str, np.ndarray] | None = None
        self._uniforms: dict[str, np.ndarray] = {}
        self._scores: dict[str, np.ndarray | None] = {}
        self._children: dict[str, tuple[RowContext, np.ndarray]] = {}
        self._owner_context: tuple[weakref.ref[RowContext], np.ndarray] | None = None

    # -- draws ----------------------------------------------------------------------------
    def key(self, column: str, purpose: str) -> int:
        return stream_key(self.seed, self.table, column, purpose)

    def uniform(self, column: str, purpose: str) -> np.ndarray:
        return uniforms(self.key(column, purpose), self.rows)

    def value_uniforms(self, column: str) -> np.ndarray:
        found = self._uniforms.get(column)
        if found is None:
            found = self._uniforms[column] = self._value_uniforms(column)
        return found

    def _value_uniforms(self, column: str) -> np.ndarray:
        scores = self.value_scores(column)
        if scores is not None:
            return special.ndtr(scores)
        node = self.run.joint_node(self.table, column)
        if node is not None:
            given = node.given
            u = self.uniform(column, "values")
            bins = joint.given_bins(self.given_values(given), node.given_spec)
            if node.given2 is not None:
                bins = node.table_row(bins, joint.given_bins(self.given_values(node.given2), node.given2_spec))
            return node.conditional(u, bins)
        return self.uniform(column, "values")

    def value_scores(self, column: str) -> np.ndarray | None:
        """The column's draws as normal scores when it is drawn in normal space (a member of the table's copula,
        or a Gaussian edge of its network), else None: its values are then read off a table over scores, with
        no round trip through uniforms."""
        if column in self._scores:
            return self._scores[column]
        node = self.run.joint_node(self.table, column)
        found: np.ndarray | None = None
        if node is not None:
            if node.correlation is not None:
                parent = node.given["column"]
                given = self.value_scores(parent)
                if given is None:
                    given = dist.normal_scores(self.value_uniforms(parent))
                levels = None
                if node.means is not None and node.given2 is not None:
                    levels = joint.given_bins(self.given_values(node.given2), node.given2_spec)
                found = node.correlated_scores(dist.normal_draws(self.key(column, "values"), self.rows), given,
                                               levels)
            elif node.means is not None:
                bins = joint.given_bins(self.given_values(node.given), node.given_spec)
                found = node.level_scores(dist.normal_draws(self.key(column, "values"), self.rows), bins)
        else:
            copula = self.run.model.tables[self.table].layout.get("copula")
            if copula and column in copula["columns"]:
                if self._copula is None:
                    self._copula = self._copula_scores(copula)
                found = self._copula[column]
            elif (generator := self.run.generator(self.table, column)).kind == "lookup":  # read off its values
                found = joint.lookup_scores(generator.params, self.values(column))
        self._scores[column] = found
        return found

    def _copula_scores(self, copula: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Each copula column's own ``values`` draws as normal scores, mixed row by row through the Cholesky
        factor of the learned correlation: each column keeps its distribution, the group keeps its
        correlations, and every row is still a function of its own index."""
        names = copula["columns"]
        own = np.empty((len(names), len(self.rows)))
        for i, name in enumerate(names):
            own[i] = dist.normal_draws(self.key(name, "values"), self.rows)
        mixed = _cholesky(tuple(tuple(row) for row in copula["correlation"])) @ own
        return dict(zip(names, mixed))

    def count(self, table: str | None = None) -> int:
        return self.run.counts[table or self.table]

    def unique_ids(self, column: str, capacity: int | None) -> np.ndarray:
        """Distinct ids for a unique column, each row's id fixed whatever the run's size: a seeded permutation
        of the format's whole domain when it is bounded; otherwise of each block of ``UNIQUE_BLOCK``
        consecutive rows (a Feistel permutation xor a per-block mask), so ids stay near the row count."""
        key = self.key(column, "unique")
        if capacity is not None:
            return keys.permute(self.rows, capacity, key, table=self.table, column=column)
        low_bits = np.int64(UNIQUE_BLOCK - 1)
        block = self.rows // UNIQUE_BLOCK
        low = _block_permutation(key)[self.rows & low_bits]
        mask = (mix64(block ^ np.int64(key & 0x3FFFFFFFFFFFFFFF)) & np.uint64(UNIQUE_BLOCK - 1)).astype(np.int64)
        return block * UNIQUE_BLOCK + (low ^ mask)

    # -- columns --------------------------------------------------------------------------
    def values(self, column: str) -> pa.Array:
        """The column at this context's rows, as every generator reads it (text as strings)."""
        found = self._values.get(column)
        if found is None:
            found = self.coded_values(column)
            if column in self._codes:  # text kept as pool positions: its strings, for the columns that read it
                found = self._values[column] = found.dictionary_decode()
        return found

    def coded_values(self, column: str) -> pa.Array:
        """The column as a writer takes it: :meth:`values`, but text drawn from a pool as positions into it (a
        dictionary array, see :func:`~synthframe.generators.base.pooled_text`) rather than strings."""
        found = self._codes.get(column)
        if found is None:
            found = self._values.get(column)
        if found is not None:
            return found
        if column in self._busy:
            raise ModelError(f"Column {where(self.table, column)} depends on itself through the columns it reads; "
                             f"fix the model's groups.", table=self.table, column=column)
        if self.run.kept(self.table):
            out = self._values[column] = self.run.kept_column(self.table, column, self.rows)
            return out
        self._busy.add(column)
        try:
            generator = self.run.generator(self.table, column)
            out = generator.draw(self.rows, self)
            null_rate = generator.column.null_rate
            if null_rate > 0 and generator.kind not in ("foreign_key", "parent_column", "formula"):
                out = with_nulls(out, self.uniform(column, "nulls") < self._null_rates(column, null_rate))
        finally:
            self._busy.discard(column)
        if pa.types.is_dictionary(out.type) and generator.column.type == "string":
            self._codes[column] = out
        else:
            self._values[column] = out
        return out

    def coded_batch(self, names: Sequence[str]) -> pa.RecordBatch:
        """The columns ``names`` as a writer takes them (:meth:`coded_values`): the text kept as pool positions
        is marked :data:`~synthframe.generators.base.TEXT_CODES` in its field's metadata."""
        arrays = [self.coded_values(name) for name in names]
        fields = [pa.field(name, array.type, metadata={TEXT_CODES: b"pool"} if name in self._codes else None)
                  for name, array in zip(names, arrays)]
        return pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))

    def _null_rates(self, column: str, null_rate: float) -> float | np.ndarray:
        """The column's chance of a null in each row: the learned rate of its parent column's bin when its
        nulls depend on one (no ship date for a cancelled order), else its overall rate."""
        node = self.run.null_node(self.table, column)
        if node is None:
            return null_rate
        given, spec, rates = node
        return rates[np.clip(joint.given_bins(self.given_values(given), spec), 0, len(rates) - 1)]

    def given_values(self, given: Mapping[str, Any]) -> pa.Array:
        """The values of a column another one depends on: of this row, or of its parent row (``fk``)."""
        if "fk" in given:
            return self.parent_values(int(given["fk"]), given["column"])
        return self.values(given["column"])

    # -- keys and parents -------------------------------------------------------------------
    def _owner_rows(self) -> tuple[np.ndarray, np.ndarray]:
        if self._owner is None:
            self._owner = self.run.layout(self.table).parent_of(self.rows)
        return self._owner

    def positions(self) -> np.ndarray:
        return self._owner_rows()[1]

    def parent_rows(self, fk_index: int) -> tuple[np.ndarray, np.ndarray | None]:
        found = self._parents.get(fk_index)
        if found is not None:
            return found
        run = self.run
        fk = run.foreign_key(self.table, fk_index)
        role = run.role(self.table, fk_index)
        name = _fk_name(fk)
        mask = None
        if role == "owner":
            parents = self._owner_rows()[0]
        elif role == "partner":
            owners, positions = self._owner_rows()
            n_owners = self.count(run.foreign_key(self.table, run.model.tables[self.table].layout["owner"]).ref_table)
            if run.model.tables[self.table].layout.get("partner_balanced"):
                parents = keys.balanced_partner(owners, positions, self.count(fk.ref_table),
                                                -(-self.count() // max(n_owners, 1)), self.key(name, "partner") >> 2,
                                                table=self.table, column=fk.columns[0])
            else:
                parents = keys.link_partner(owners, positions, self.count(fk.ref_table),
                                            self.key(name, "partner") >> 2, table=self.table, column=fk.columns[0])
        elif role == "self":
            info = run.model.tables[self.table].layout["self_reference"]
            n = self.count()
            n_roots = min(n, max(1, int(round(info["root_share"] * n))))
            parents = keys.self_parents(self.rows, n_roots, float(info["fanout"]), self.uniform(name, "self-parent"),
                                        table=self.table, column=fk.columns[0])
            mask = parents < 0
            parents = np.where(mask, 0, parents)
        else:
            parents = run.picker(self.table, fk_index).pick(self.rows)
            null_rate = run.model.tables[self.table].columns[fk.columns[0]].null_rate
            if null_rate > 0:
                mask = self.uniform(name, "nulls") < null_rate
        found = self._parents[fk_index] = (parents, mask if mask is not None and mask.any() else None)
        return found

    def key_values(self, table: str, column: str, rows: np.ndarray) -> pa.Array:
        if table == self.table and np.array_equal(rows, self.rows):
            return self.values(column)
        return self.run.column(table, column, rows)

    def parent_values(self, fk_index: int, column: str) -> pa.Array:
        if self._owner_context is not None and self.run.role(self.table, fk_index) == "owner":
            parent, local = self._owner_context  # made for this parent's rows: its values, taken
            return parent().values(column).take(pa.array(local))
        parents, mask = self.parent_rows(fk_index)
        fk = self.run.foreign_key(self.table, fk_index)
        return with_nulls(self.run.parent_column(fk.ref_table, column, parents), mask)

    def children_values(self, table: str, columns: Sequence[str]) -> tuple[list[pa.Array], np.ndarray]:
        """Columns of this table's children in ``table`` (laid out under it by its owning key) at every child
        row of these rows, parent after parent, and each row's number of children."""
        context, counts = self.children_context(table)
        return [context.values(c) for c in columns], counts

    def children_context(self, table: str) -> tuple[RowContext, np.ndarray]:
        """The context of this table's children in ``table`` (every child row of these rows, parent after
        parent), and each row's number of children. One per child table: columns two parent columns read are
        made once, and a writer can make the children's rows from it (:func:`iter_families`)."""
        found = self._children.get(table)
        if found is None:
            rows, counts = self.run.layout(table).children(self.rows)
            context = self.run.context(table, rows)
            local = np.repeat(np.arange(len(self.rows)), counts)
            starts = np.cumsum(counts) - counts
            # the children know their parents: these rows, read here rather than computed again
            context._owner = (self.rows[local], np.arange(len(rows), dtype=np.int64) - starts[local])
            context._owner_context = (weakref.ref(self), local)  # no cycle: the batch's memory goes with it
            found = self._children[table] = (context, counts)
        return found

    def ancestor_values(self, path: Sequence[int], column: str) -> pa.Array:
        rows, mask = self.parent_rows(path[0])
        table = self.run.foreign_key(self.table, path[0]).ref_table
        for fk_index in path[1:]:  # up one table per step (a parent's rows cost less than sorting them out)
            rows, above_mask = self.run.context(table, rows).parent_rows(fk_index)
            if above_mask is not None:
                mask = above_mask if mask is None else mask | above_mask
            table = self.run.foreign_key(table, fk_index).ref_table
        return with_nulls(self.run.parent_column(table, column, rows), mask)


@lru_cache(maxsize=1024)
def _block_permutation(key: int) -> np.ndarray:
    """The permutation of ``[0, UNIQUE_BLOCK)`` a unique column's rows share within every block: computed once,
    then one gather per row."""
    return keys.permute(np.arange(UNIQUE_BLOCK, dtype=np.int64), UNIQUE_BLOCK, key)


@lru_cache(maxsize=256)
def _cholesky(correlation: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Lower Cholesky factor of a correlation matrix, nudged to positive definite if it is not."""
    corr = np.asarray(correlation, dtype=np.float64)
    values, vectors = np.linalg.eigh((corr + corr.T) / 2)
    fixed = vectors @ np.diag(np.maximum(values, 1e-6)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return np.linalg.cholesky(fixed / np.outer(scale, scale))


def _fk_name(fk: ForeignKey) -> str:
    return "fk:" + ",".join(fk.columns)


# -- the one generation path ------------------------------------------------------------------

def generate_rows(model: Model, table: str, rows: Any, seed: int = 0, *, counts: Mapping[str, int] | None = None,
                  columns: Sequence[str] | None = None, run: Run | None = None) -> pa.RecordBatch:
    """Rows ``rows`` of ``table`` (a range, a count, or any int64 row indices, in any order) as a RecordBatch.

    ``counts`` are the run's row counts (default: :func:`resolve_rows` of the model); pass ``run`` to
    share layouts and caches across calls. Each row's values depend only on (seed, counts, row index):
    asking for rows alone, in batches or in another order gives the same values.
    """
    if run is None:
        run = Run(model, resolve_rows(model, counts) if counts is not None else None, seed)
    return run.rows(table, rows, columns)


_PANDAS_TYPES = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype("pyarrow"),
                 pa.large_string(): pd.StringDtype("pyarrow")}


def to_frame(data: pa.RecordBatch | pa.Table, start: int = 0) -> pd.DataFrame:
    """Arrow rows as a DataFrame of synthframe's dtypes (Int64, boolean, string, category, datetime64[s],
    float64), indexed from ``start``. Numbers, booleans and categories are built from their buffers with one
    copy at most; strings stay Arrow-backed."""
    index = pd.RangeIndex(start, start + data.num_rows)
    columns = {name: _pandas_column(data.column(i)) for i, name in enumerate(data.schema.names)}
    return pd.DataFrame(columns, index=index, copy=False)


def _pandas_column(values: pa.Array | pa.ChunkedArray) -> Any:
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.array(values, dtype=pd.StringDtype("pyarrow"))
    if pa.types.is_dictionary(kind):
        if len(chunks) and all(c.dictionary.equals(chunks[0].dictionary) for c in chunks[1:]):
            codes = _numpy(pa.chunked_array([c.indices for c in chunks], kind.index_type), -1)
            categories = pd.Index(chunks[0].dictionary.to_pylist(), dtype="object")
            return pd.Categorical.from_codes(codes, categories=categories)
        return pa.chunked_array(chunks, kind).to_pandas()
    if pa.types.is_int64(kind) or pa.types.is_boolean(kind):
        data = _numpy(values, 0 if pa.types.is_int64(kind) else False)
        mask = _null_mask(values)
        if pa.types.is_int64(kind):
            return pd.arrays.IntegerArray(data, mask)
        return pd.arrays.BooleanArray(data, mask)
    if pa.types.is_float64(kind):
        return _numpy(values, np.nan)
    if pa.types.is_timestamp(kind):
        return _numpy(values, np.iinfo(np.int64).min).view("datetime64[s]")
    return pa.chunked_array(chunks, kind).to_pandas(types_mapper=_PANDAS_TYPES.get).array


def _numpy(values: pa.Array | pa.ChunkedArray, fill: Any) -> np.ndarray:
    """One writable NumPy array of a numeric, boolean or timestamp Arrow array, nulls replaced by ``fill``:
    each chunk read from its buffers and copied once into place."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    kind = values.type
    if pa.types.is_boolean(kind) or pa.types.is_floating(kind) or pa.types.is_integer(kind):
        dtype = np.dtype(kind.to_pandas_dtype())
    else:
        dtype = np.dtype(np.int64)  # timestamps, as their int64 counts
    out = np.empty(len(values), dtype=dtype)
    pos = 0
    for chunk in chunks:
        size = len(chunk)
        if not chunk.null_count:
            data = chunk.view(pa.int64()) if pa.types.is_timestamp(kind) else chunk
            out[pos:pos + size] = data.to_numpy(zero_copy_only=False)
        elif dtype.kind != "b":
            raw = np.frombuffer(chunk.buffers()[1], dtype=dtype)[chunk.offset:chunk.offset + size]
            out[pos:pos + size] = raw
            out[pos:pos + size][chunk.is_null().to_numpy(zero_copy_only=False)] = fill
        else:
            out[pos:pos + size] = chunk.fill_null(fill).to_numpy(zero_copy_only=False)
        pos += size
    return out


def _null_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    mask = np.zeros(len(values), dtype=bool)
    if values.null_count:
        pos = 0
        for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
            if chunk.null_count:
                mask[pos:pos + len(chunk)] = chunk.is_null().to_numpy(zero_copy_only=False)
            pos += len(chunk)
    return mask


MIN_MADE_ROWS = 1 << 12
"""Fewest rows made at once: smaller batches are cut from a block of this size, since making rows has a fixed
cost per call (every column's generator, draws and conversions) that a batch of one row would pay each time."""


def _made_size(batch: int) -> int:
    """Rows made per call for batches of ``batch`` rows: a whole number of batches, at least :data:`MIN_MADE_ROWS`."""
    return batch * -(-MIN_MADE_ROWS // batch) if batch < MIN_MADE_ROWS else batch


def made_rows(batch_rows: int | None) -> int:
    """Rows made (and written) per call for a ``batch_rows`` request: itself, or a multiple of it of at least
    :data:`MIN_MADE_ROWS` rows."""
    return _made_size(_batch_size(batch_rows))


def _batch_size(batch_rows: int | None) -> int:
    if batch_rows is None:
        return DEFAULT_BATCH_ROWS
    if isinstance(batch_rows, (int, np.integer)) and not isinstance(batch_rows, bool) and batch_rows > 0:
        return int(batch_rows)
    raise RowCountError(f"batch_rows must be a positive whole number of rows; got {batch_rows!r}.")


def iter_record_batches(run: Run, table: str, batch_rows: int | None = None, *,
                        workers: int = 1) -> Iterator[pa.RecordBatch]:
    """Rows of ``table`` as consecutive RecordBatches of ``batch_rows`` rows (the last one shorter).

    With ``workers`` > 1, the next batches are made on that many threads (each with a run of its own)
    while the caller uses the current one — at most ``workers`` batches ahead, so memory stays bounded.
    Batches smaller than :data:`MIN_MADE_ROWS` are slices of blocks made at that size.
    """
    batch = _batch_size(batch_rows)
    return _chunks(_made_blocks(run, table, _made_size(batch), workers), batch, arrow=True)


def _batch_reading_children(run: Run, table: str, batch: int) -> int:
    """Fewer rows per batch for a table with a column computed from its children (an order's total over its
    lines): each batch also makes its children's columns, so it holds about as many child rows as a batch of
    the child table would."""
    children = {c.generator.get("child") for c in run.model.tables[table].columns.values()
                if c.generator.get("kind") in READ_FROM_CHILDREN}
    rows = run.counts[table]
    if not children or not rows:
        return batch
    per_parent = sum(run.counts.get(child, 0) for child in children) / rows
    return max(MIN_MADE_ROWS, min(batch, int(batch / (1.0 + per_parent))))


def _spans(run: Run, table: str, batch: int) -> list[range]:
    n = run.counts[table]
    batch = _batch_reading_children(run, table, batch)
    return [range(start, min(n, start + batch)) for start in range(0, n, batch)] or [range(0)]


def _made_blocks(run: Run, table: str, batch: int, workers: int, *, coded: bool = False) -> Iterator[pa.RecordBatch]:
    """Rows of ``table`` made ``batch`` rows at a time (an empty table: one empty batch); pooled text as pool
    positions with ``coded`` (see :meth:`Run.rows`)."""
    rows = _per_thread_rows(run, coded)
    yield from _made_in_order(_spans(run, table, batch), lambda span: run.rows(table, span, coded=coded),
                              lambda span: rows(table, span), workers)


T = TypeVar("T")


def _made_in_order(spans: Sequence[range], make: Callable[[range], T], make_on_thread: Callable[[range], T],
                   workers: int) -> Iterator[T]:
    """``make(span)`` for each span in order; with ``workers`` > 1 on that many threads (``make_on_thread``),
    at most ``workers`` spans ahead of the caller."""
    if workers <= 1 or len(spans) == 1:
        for span in spans:
            yield make(span)
        return
    with _blas_threads(workers):
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="synthframe")
        finished = False
        try:
            pending: deque[Future[T]] = deque()
            upcoming = iter(spans)
            for span in itertools.islice(upcoming, workers):
                pending.append(pool.submit(make_on_thread, span))
            while pending:
                done = pending.popleft().result()
                for span in itertools.islice(upcoming, 1):
                    pending.append(pool.submit(make_on_thread, span))
                yield done
            finished = True
        finally:
            # Left early (a failure, or a stream dropped and collected, which can happen inside any thread, even
            # one being started): the workers are not joined there, they finish the span at hand and stop.
            pool.shutdown(wait=finished, cancel_futures=True)


def iter_batches(run: Run, table: str, batch_rows: int | None = None, *, workers: int = 1) -> Iterator[pd.DataFrame]:
    """Rows of ``table`` as consecutive DataFrames of ``batch_rows`` rows (the last one shorter); small batches
    are slices of a frame made :data:`MIN_MADE_ROWS` rows at a time."""
    batch = _batch_size(batch_rows)
    return _chunks(_made_blocks(run, table, _made_size(batch), workers), batch, arrow=False)


def _chunks(blocks: Iterable[pa.RecordBatch], batch: int, *, arrow: bool) -> Iterator[Any]:
    """Made blocks as consecutive chunks of ``batch`` rows: RecordBatches (``arrow``) or DataFrames indexed by
    row number; an empty block as one empty chunk."""
    start = 0
    for block in blocks:
        if arrow:
            for offset in range(0, block.num_rows, batch):
                yield block.slice(offset, batch)
            if block.num_rows == 0:
                yield block
        else:
            frame = to_frame(block, start)
            if batch >= len(frame):
                yield frame
            else:
                for offset in range(0, len(frame), batch):
                    yield frame.iloc[offset:offset + batch]
        start += block.num_rows


def _per_thread_rows(run: Run, coded: bool = False) -> Callable[[str, range], pa.RecordBatch]:
    """``run.rows`` for worker threads: each thread makes its rows with a run of its own (the runs' caches are
    not shared), equal to ``run`` since every value depends only on its row."""
    made = _per_thread(run, lambda own, table_span: own.rows(*table_span, coded=coded))
    return lambda table, span: made((table, span))


def _per_thread(run: Run, make: Callable[[Run, Any], T]) -> Callable[[Any], T]:
    """``make(run, item)`` for worker threads, each thread with a run of its own."""
    local = threading.local()

    def on_thread(item: Any) -> T:
        if not hasattr(local, "run"):
            local.run = Run(run.model, run.counts, run.seed)
        return make(local.run, item)

    return on_thread


# -- children written beside their parent ------------------------------------------------------

def families(run: Run) -> dict[str, str]:
    """``{child: parent}``: the child tables a writer makes beside their parent's batches.

    A parent with a column computed from its children (an order's total over its lines) makes its children's
    columns anyway. Where the children lie parent after parent (the owning layout is not interleaved), the
    children of a batch of parents are one run of child rows, so the child table's rows are made from that
    same work instead of again (TPC-H's lineitem beside orders). One child per parent, no chains.
    """
    pairs: dict[str, str] = {}
    for parent, tm in run.model.tables.items():
        children = sorted({str(c.generator.get("child")) for c in tm.columns.values()
                           if c.generator.get("kind") in READ_FROM_CHILDREN})
        for child in children:
            child_model = run.model.tables.get(child)
            if child_model is None or child == parent or not run.counts.get(parent) or not run.counts.get(child) \
                    or parent in pairs.values():
                continue
            owner = child_model.layout.get("owner")
            if owner is None or child_model.layout.get("interleave") or \
                    run.foreign_key(child, int(owner)).ref_table != parent:
                continue
            pairs.setdefault(child, parent)
    return {child: parent for child, parent in pairs.items() if child not in pairs.values() and parent not in pairs}


def _family_rows(run: Run, parent: str, child: str, span: range, coded: bool = False
                 ) -> tuple[pa.RecordBatch, pa.RecordBatch, int]:
    """The parent's rows ``span`` and the rows of all their children, and the first child row (pooled text as
    pool positions with ``coded``, see :meth:`Run.rows`)."""
    ctx = RowContext(run, parent, as_rows(span))
    names = list(run.model.tables[parent].columns)
    made = ctx.coded_batch(names) if coded else pa.RecordBatch.from_arrays([ctx.values(n) for n in names],
                                                                           names=names)
    children, _ = ctx.children_context(child)
    rows = children.rows
    if rows.size and int(rows[-1]) - int(rows[0]) + 1 != rows.size:
        raise CapacityError(f"The rows of table '{child}' under rows {span.start:,}..{span.stop - 1:,} of "
                            f"'{parent}' are not one run of rows; write the tables one after the other.",
                            table=child)
    child_names = list(run.model.tables[child].columns)
    under = children.coded_batch(child_names) if coded else \
        pa.RecordBatch.from_arrays([children.values(n) for n in child_names], names=child_names)
    return made, under, int(rows[0]) if rows.size else -1


def iter_families(run: Run, parent: str, child: str, batch_rows: int | None = None, *,
                  workers: int = 1, coded: bool = False) -> Iterator[tuple[pa.RecordBatch, pa.RecordBatch]]:
    """Blocks of ``parent``'s rows, each with the rows of its children in ``child`` (see :func:`families`): the
    children of consecutive blocks are consecutive, so the second items are the child table in order."""
    spans = _spans(run, parent, _made_size(_batch_size(batch_rows)))
    expected = 0
    for made, under, first in _made_in_order(
            spans, lambda span: _family_rows(run, parent, child, span, coded),
            _per_thread(run, lambda own, span: _family_rows(own, parent, child, span, coded)), workers):
        if under.num_rows and first != expected:
            raise CapacityError(f"Table '{child}' would be written out of order beside '{parent}' (row {first:,} "
                                f"where {expected:,} was due); write the tables one after the other.", table=child)
        expected += under.num_rows
        yield made, under
    if expected != run.counts[child]:
        raise CapacityError(f"Table '{child}' made beside '{parent}' has {expected:,} rows, not "
                            f"{run.counts[child]:,}; write the tables one after the other.", table=child)


_END = object()


class _Handoff:
    """A child table's blocks handed from its parent's stream (read by the parent's writer) to the child's
    stream (read by a writer on another thread), at most two ahead."""

    def __init__(self, parent: str, child: str):
        self.parent, self.child = parent, child
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self.stopped = threading.Event()

    def lead(self, pairs: Iterator[tuple[pa.RecordBatch, pa.RecordBatch]]) -> Iterator[pa.RecordBatch]:
        """The parent's blocks; each one's children go to :meth:`follow`."""
        ended = False
        try:
            for made, under in pairs:
                self._put(under)
                yield made
            self._put(_END)
            ended = True
        finally:
            if not ended:
                self.stopped.set()

    def follow(self) -> Iterator[pa.RecordBatch]:
        """The child's blocks, as the parent's stream hands them over."""
        try:
            while True:
                try:
                    item = self.queue.get(timeout=0.05)
                except queue.Empty:
                    if self.stopped.is_set():
                        raise StreamStopped(f"Table '{self.child}' stopped: table '{self.parent}', made with it, "
                                            f"did not finish.", table=self.child) from None
                    continue
                if item is _END:
                    return
                yield item
        finally:
            self.stopped.set()

    def _put(self, item: Any) -> None:
        while True:
            if self.stopped.is_set():
                raise StreamStopped(f"Table '{self.parent}' stopped: table '{self.child}', made with it, did not "
                                    f"finish.", table=self.parent)
            try:
                self.queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue


def table_streams(run: Run, *, arrow: bool, batch_rows: int | None = None, workers: int = 1,
                  disable: bool | None = True, beside: bool = True) -> tuple[dict[str, Iterator[Any]], dict[str, str]]:
    """Every table's chunks for a writer — RecordBatches (``arrow``) or DataFrames — with a progress bar each
    (``disable`` as tqdm's), and ``{child: parent}`` of the tables made beside their parent (:func:`families`;
    none unless ``beside``). Such a child's stream (a :class:`FamilyStream` with ``fed_by``) is fed as its
    parent's is read: the two must be read at the same time, as :func:`synthframe.write.write_tables` does; a
    reader that takes one table after the other (one JSON document) asks for ``beside=False``. RecordBatches
    keep pooled text as pool positions (see :meth:`Run.rows`): they are for a Parquet writer."""
    batch = _batch_size(batch_rows)
    pairs = families(run) if beside else {}
    streams: dict[str, Iterator[Any]] = {}
    for table, n in run.counts.items():
        child = next((c for c, p in pairs.items() if p == table), None)
        if table in pairs:
            continue  # made with its parent, below
        if child is None:
            streams[table] = table_counted(_chunks(_made_blocks(run, table, _made_size(batch), workers, coded=arrow),
                                                   batch, arrow=arrow), table, n, disable)
            continue
        handoff = _Handoff(table, child)
        made = iter_families(run, table, child, batch, workers=workers, coded=arrow)
        streams[table] = FamilyStream(table_counted(_chunks(handoff.lead(made), batch, arrow=arrow), table, n,
                                                    disable), handoff, fed_by=None)
        streams[child] = FamilyStream(table_counted(_chunks(_regrouped(handoff.follow(), batch), batch, arrow=arrow),
                                                    child, run.counts[child], disable), handoff, fed_by=table)
    return {t: streams[t] for t in run.counts}, pairs


def _regrouped(blocks: Iterator[pa.RecordBatch], batch: int) -> Iterator[pa.RecordBatch]:
    """A child's blocks (they follow its parent's, and a parent block may have few children or none) with the
    small ones joined until they hold a quarter of ``batch`` rows; blocks that large pass as they are (no copy);
    an empty block only when nothing else comes."""
    held: list[pa.RecordBatch] = []
    rows = 0
    empty = None
    enough = max(1, batch // 4)
    for block in blocks:
        if not block.num_rows:
            empty = block
            continue
        if not held and block.num_rows >= enough:
            yield block
            continue
        held.append(block)
        rows += block.num_rows
        if rows >= enough:
            yield held[0] if len(held) == 1 else pa.concat_batches(held)
            held, rows = [], 0
    if held:
        yield held[0] if len(held) == 1 else pa.concat_batches(held)
    elif empty is not None and rows == 0:
        yield empty


class FamilyStream:
    """The stream of a table written beside another (see :func:`table_streams`): ``fed_by`` names the parent
    whose stream feeds this one (None for the parent itself). Closed — even before its first item, which a
    generator would not notice — or stopped, it tells the other stream that it ended; the two must be read at the
    same time (:func:`synthframe.write.write_tables` does), or the parent's waits for its child's reader."""

    def __init__(self, items: Iterator[Any], handoff: _Handoff, fed_by: str | None):
        self._items, self._handoff, self.fed_by = items, handoff, fed_by

    def __iter__(self) -> FamilyStream:
        return self

    def __next__(self) -> Any:
        return next(self._items)

    def stop(self) -> None:
        """Tell the other stream to stop, from any thread (this one may be being read)."""
        self._handoff.stopped.set()

    def close(self) -> None:
        try:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()
        finally:
            self.stop()


def _advance(bar: Any, batch: pa.RecordBatch) -> pa.RecordBatch:
    bar.update(batch.num_rows)
    return batch


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_KEPT_FREE_BYTES = 1 << 30
_LARGEST_HEAP_BLOCK = 32 << 20


def keep_freed_memory() -> bool:
    """Ask glibc's allocator to keep freed blocks for reuse rather than hand them back to the system at once.

    Making a batch allocates and frees many arrays of a few megabytes; by default glibc returns such blocks to
    the system and page-faults them back in on the next allocation, which costs about as much as the
    arithmetic (a third of the time of numeric columns, more with two threads faulting in one process). Kept,
    the process's memory stays at its peak instead of shrinking between batches. The CLI calls this before it
    writes; call it in your own long-running generation process. Returns False (and changes nothing) where the
    C library is not glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _LARGEST_HEAP_BLOCK) and mallopt(_M_TRIM_THRESHOLD, _KEPT_FREE_BYTES)
                and mallopt(_M_TOP_PAD, 64 << 20))


@contextlib.contextmanager
def _blas_threads(workers: int) -> Iterator[None]:
    """BLAS on one thread while ``workers`` > 1 threads make batches (a copula's matrix product would otherwise
    start threads of its own in each of them, and they would fight over the cores)."""
    if workers <= 1:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def workers_count(workers: int | None) -> int:
    """Threads to use: ``workers`` when given (a whole number >= 1), else every core (at most 8)."""
    if workers is None:
        return max(1, min(os.cpu_count() or 1, 8))
    if isinstance(workers, (int, np.integer)) and not isinstance(workers, bool) and workers >= 1:
        return int(workers)
    raise RowCountError(f"workers must be a whole number of threads, 1 or more; got {workers!r}.")


def generate(model: Model, rows: Mapping[str, Any] | None = None, *, seed: int = 0, scale: float | None = None,
             batch_rows: int | None = None, workers: int | None = None,
             progress: bool | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the model in memory, ``{table: DataFrame}``, in generation order.

    Batches are made by ``workers`` threads (NumPy and Arrow release the GIL in their loops), each with a
    run of its own; every value depends only on its row, so the data is the same for any ``workers``.
    """
    counts = resolve_rows(model, rows, scale=scale)
    cells = {t: counts[t] * len(model.tables[t].columns) for t in counts}
    if sum(cells.values()) > MAX_IN_MEMORY_CELLS:
        biggest = max(cells, key=cells.__getitem__)
        raise RowCountError(f"{sum(counts.values()):,} rows ({sum(cells.values()):,} values, most of them in table "
                            f"'{biggest}') are too many to hold in memory; stream them to files with "
                            f"Model.write(...) or `synthframe generate --out`.", table=biggest)
    threads = workers_count(workers)
    size = made_rows(batch_rows)  # the result is one frame per table: small batches buy nothing
    run = Run(model, counts, seed)
    jobs = [(table, range(start, min(counts[table], start + size)))
            for table in counts for start in range(0, max(counts[table], 1), size)]
    disable = wanted(progress, sum(counts.values()))
    bars = {table: table_bar(table, n, disable) for table, n in counts.items()}
    try:
        if threads == 1 or len(jobs) == 1:
            results: Iterator[pa.RecordBatch] = (run.rows(table, span) for table, span in jobs)
            made = [_advance(bars[table], batch) for (table, _), batch in zip(jobs, results)]
        else:
            rows = _per_thread_rows(run)
            pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="synthframe")
            with _blas_threads(threads), pool:
                batches = pool.map(lambda job: rows(*job), jobs)
                made = [_advance(bars[table], batch) for (table, _), batch in zip(jobs, batches)]
    finally:
        for bar in bars.values():
            bar.close()
    out = {}
    for table in counts:
        batches = [batch for (name, _), batch in zip(jobs, made) if name == table]
        out[table] = to_frame(pa.Table.from_batches(batches) if len(batches) > 1 else batches[0])
    return out
