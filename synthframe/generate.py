"""Step 4 of the pipeline: rows from a Model, block by block, column by column, vectorized.

Every value of row ``i`` is a function of (seed, table, column, i): uniform draws
come from the addressed streams of :mod:`synthframe.streams`, keys from the pure
functions of :mod:`synthframe.keys`. So a table can be made in one piece or in
any batches, on one machine or many, with equal results; and a foreign key is
resolved by computing the parent's key at a parent *index*, never by reading
the parent's rows.

The pieces:

- :func:`resolve_rows` turns the user's row counts into a count for every table;
- :class:`Plan` holds one run (model, counts, seed) and the per-table layouts of
  children under their owning parent (``O(parents)`` integers);
- :func:`generate_rows` makes rows ``[start, stop)`` of one table as a DataFrame;
- :func:`iter_batches` and :func:`generate` stream or collect them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from . import distributions as dist
from . import keys, text
from .errors import CapacityError, RowCountError, SchemaError, where
from .model import ColumnModel, Model
from .schema import ForeignKey
from .streams import BLOCK_SIZE, rng, stable_id, uniform

DEFAULT_BATCH_ROWS = 4 * BLOCK_SIZE
"""Rows per batch when streaming: 262,144, a multiple of the block size. Memory is bounded by one
batch per table being written (a few hundred MB for a dozen columns), whatever the row count."""
MAX_TABLE_ROWS = 10**13
"""Upper bound on one table's row count."""
MAX_LAYOUT_PARENTS = 10**9
"""Most parent rows a child table can be laid out under (its layout costs 8 bytes per parent row)."""
MAX_IN_MEMORY_CELLS = 2 * 10**9
"""Above this many cells, :meth:`Model.sample` refuses and points to :meth:`Model.write`."""
_EPOCH = np.datetime64("1970-01-01T00:00:00", "s")
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
            counts[table] = int(round(counts[parent] * ratio))
        else:
            counts[table] = int(round((tm.sample_rows or 100) * factor))
        counts[table] = _check_count(table, counts[table])
    return counts


# -- a run --------------------------------------------------------------------------------

class Plan:
    """One generation run: model, row counts, seed, and the key functions of every table."""

    def __init__(self, model: Model, counts: Mapping[str, int], seed: int = 0):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise RowCountError(f"seed must be a non-negative integer; got {seed!r}.")
        self.model = model
        self.counts = dict(counts)
        self.seed = int(seed)
        self._offsets: dict[str, np.ndarray] = {}
        self._popularity: dict[tuple[str, int], np.ndarray | None] = {}
        self.check()

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
            partner = tm.layout.get("partner")
            if partner is not None:
                fk = table.foreign_keys[partner]
                owner_fk = table.foreign_keys[tm.layout["owner"]]
                pairs = self.counts[owner_fk.ref_table] * self.counts[fk.ref_table]
                if n > pairs:
                    raise CapacityError(
                        f"Table '{name}' is a link table: its key pairs each '{owner_fk.ref_table}' row with "
                        f"distinct '{fk.ref_table}' rows, so it holds at most {pairs:,} rows; {n:,} were asked. "
                        f"Ask for fewer rows or more parent rows.", table=name, column=fk.columns[0])
            owner = tm.layout.get("owner")
            if owner is not None and n and self.counts[table.foreign_keys[owner].ref_table] > MAX_LAYOUT_PARENTS:
                parent = table.foreign_keys[owner].ref_table
                raise RowCountError(
                    f"Table '{name}' is laid out under its parent '{parent}', which has "
                    f"{self.counts[parent]:,} rows; more than {MAX_LAYOUT_PARENTS:,} parent rows are not supported "
                    f"(the layout takes 8 bytes per parent row). Ask for fewer '{parent}' rows.",
                    table=name, column=table.foreign_keys[owner].columns[0])
            if owner is not None and tm.layout.get("partner") is None and self._children_cap(name) == 1:
                parent = table.foreign_keys[owner].ref_table
                if n > self.counts[parent]:
                    raise CapacityError(
                        f"Table '{name}' is keyed by its foreign key to '{parent}' (one row per '{parent}' row), so "
                        f"it holds at most {self.counts[parent]:,} rows; {n:,} were asked. Ask for fewer rows or "
                        f"more '{parent}' rows.", table=name, column=table.foreign_keys[owner].columns[0])
            for cm in tm.columns.values():
                capacity = _capacity(cm)
                if capacity is not None and n > capacity:
                    raise CapacityError(
                        f"Column {where(name, cm.name)} must be unique but its format holds only {capacity:,} "
                        f"distinct values; {n:,} rows were asked. Widen the pattern/range or ask for fewer rows.",
                        table=name, column=cm.name)

    # -- layouts ------------------------------------------------------------------------
    def offsets(self, table: str) -> np.ndarray:
        """Cumulative child counts of ``table`` under its owning parent (computed once per run)."""
        if table not in self._offsets:
            tm = self.model.tables[table]
            fk = self._fk(table, tm.layout["owner"])
            cap = self._children_cap(table)
            stream = rng(self.seed, table, _fk_name(fk), "counts")
            shape = tm.layout.get("children_shape")
            if shape and cap is None:
                counts = keys.shaped_counts(self.counts[table], self.counts[fk.ref_table], stream, shape["counts"],
                                            shape["weights"], table=table, column=fk.columns[0])
            else:
                counts = keys.allocate_counts(self.counts[table], self.counts[fk.ref_table], stream, cap=cap)
            self._offsets[table] = keys.offsets(counts)
        return self._offsets[table]

    def _children_cap(self, table: str) -> int | None:
        """Most children one parent may have: its partners in a link table, one when the key *is* the
        foreign key (a 1:1 extension table such as profiles.customer_id), otherwise no limit."""
        tm = self.model.tables[table]
        if tm.layout.get("partner") is not None:
            return self.counts[self._fk(table, tm.layout["partner"]).ref_table]
        owner = tm.layout.get("owner")
        primary_key = set(self.model.schema.tables[table].primary_key)
        if owner is not None and set(self._fk(table, owner).columns) == primary_key:
            return 1
        return None

    def _fk(self, table: str, index: int) -> ForeignKey:
        return self.model.schema.tables[table].foreign_keys[index]

    def popularity(self, table: str, index: int) -> np.ndarray | None:
        """Cumulative weights over the parent rows of a drawn foreign key (computed once per run).

        Each parent row draws a weight from the learned references-per-parent histogram, so as in the
        samples some parents are popular and some never referenced; None (uniform) without one.
        """
        key = (table, index)
        if key not in self._popularity:
            fk = self._fk(table, index)
            shape = self.model.tables[table].columns[fk.columns[0]].generator.get("popularity")
            n_parents = self.counts[fk.ref_table]
            cumulative = None
            if shape and 0 < n_parents <= MAX_LAYOUT_PARENTS:
                values = np.asarray(shape["counts"], dtype=np.float64)
                cum = np.cumsum(shape["weights"]) / np.sum(shape["weights"])
                u = rng(self.seed, table, _fk_name(fk), "popularity").random(n_parents)
                weights = values[np.minimum(np.searchsorted(cum, u, side="right"), len(values) - 1)]
                if weights.sum() > 0:
                    cumulative = np.cumsum(weights) / weights.sum()
            self._popularity[key] = cumulative
        return self._popularity[key]

    def owner_of(self, table: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return keys.owner_of(rows, self.offsets(table))

    # -- keys as functions of the row index ----------------------------------------------
    def key_values(self, table: str, column: str, rows: np.ndarray) -> np.ndarray | pa.Array:
        """Primary-key column ``column`` of ``table`` at row indices ``rows`` (any order)."""
        cm = self.model.tables[table].columns[column]
        gen = cm.generator
        kind = gen["kind"]
        if kind == "sequence":
            return gen["start"] + gen["step"] * rows.astype(np.int64)
        if kind == "key_pattern":
            return text.format_pattern(gen["pattern"], gen["start"] + rows.astype(np.int64))
        if kind == "uuid":
            return keys.uuid_strings(self.seed, table, rows)
        if kind == "line_number":
            return self.owner_of(table, rows)[1] + gen["start"]
        if kind == "foreign_key" and gen["role"] in ("owner", "partner"):
            return self.foreign_key_values(table, gen["foreign_key"], rows)[column]
        raise SchemaError(f"{where(table, column)} is referenced as a key but is generated as {kind!r}; only "
                          f"primary key columns can be referenced.", table=table, column=column)

    def foreign_key_values(self, table: str, index: int, rows: np.ndarray,
                           ) -> dict[str, np.ndarray | pa.Array]:
        """Values of foreign key ``index`` of ``table`` at ``rows`` (owner and partner roles only)."""
        tm = self.model.tables[table]
        fk = self._fk(table, index)
        parents, positions = self.owner_of(table, rows)
        if index == tm.layout.get("partner"):
            n_partners = self.counts[fk.ref_table]
            parents = keys.link_partner(parents, positions, n_partners, stable_id(f"{table}|{self.seed}") >> 2)
        return {col: self.key_values(fk.ref_table, ref, parents) for col, ref in zip(fk.columns, fk.ref_columns)}

    # -- a block of rows ----------------------------------------------------------------
    def rows(self, table: str, start: int, stop: int) -> pd.DataFrame:
        """Rows ``[start, stop)`` of ``table`` as a DataFrame with the schema's column order and dtypes."""
        tm = self.model.tables[table]
        schema_table = self.model.schema.tables[table]
        index = np.arange(start, stop, dtype=np.int64)
        fk_cache: dict[int, tuple[dict[str, Any], np.ndarray | None]] = {}
        person = tm.layout.get("person")
        correlated = self._copula_uniforms(table, start, stop)
        out: dict[str, Any] = {}
        for name, cm in tm.columns.items():
            gen = cm.generator
            if gen["kind"] == "foreign_key":
                fk_index = gen["foreign_key"]
                if fk_index not in fk_cache:
                    fk_cache[fk_index] = self._foreign_key_block(table, fk_index, index)
                values, mask = fk_cache[fk_index]
                out[name] = _to_pandas(cm.type, values[name], mask)
            elif gen["kind"] in ("sequence", "key_pattern", "uuid", "line_number") and name in schema_table.primary_key:
                out[name] = _to_pandas(cm.type, self.key_values(table, name, index), None)
            elif person and name == person["email"]:
                out[name] = None  # made from the row's names below, once they exist
            else:
                out[name] = self._value_column(table, cm, start, stop, index, correlated.get(name))
        if person:
            out[person["email"]] = self._person_email(table, person, out, index)
        return pd.DataFrame(out, index=pd.RangeIndex(start, stop))

    def _person_email(self, table: str, person: Mapping[str, str], out: Mapping[str, Any],
                      index: np.ndarray) -> Any:
        """The email built from the same row's names: ``first.last`` + digits + ``@domain``.

        Names are cleaned once per distinct name (dictionary-encoded), domains drawn from the learned
        ones. A unique email ends with the digits of its permuted id, so it stays unique by construction
        (names are letters only, the digits end the local part); otherwise a quarter get a number 1–99.
        """
        cm = self.model.tables[table].columns[person["email"]]
        spec = cm.generator["text"]
        if not len(index):
            return pd.array([], dtype=pd.StringDtype("pyarrow"))
        start, stop = int(index[0]), int(index[-1]) + 1

        def text(value: str) -> pa.Scalar:
            return pa.scalar(value, pa.large_string())

        parts = []
        for role in ("first", "last"):
            encoded = pc.dictionary_encode(_large(out[person[role]]))
            clean = pc.replace_substring_regex(pc.utf8_lower(encoded.dictionary), r"[^a-z]", "")
            clean = pc.if_else(pc.equal(pc.utf8_length(clean), 0), text("x"), clean)
            parts.append(pc.fill_null(clean.take(encoded.indices), text("x")))
        domains = spec.get("domains") or {"values": ["example.com", "example.net", "example.org"],
                                          "weights": [1.0, 1.0, 1.0]}
        at = pa.array(["@" + str(d) for d in domains["values"]], pa.large_string())
        u = uniform(self.seed, table, cm.name, "person-domain", start, stop)
        domain = at.take(_draw_frequencies({"weights": domains["weights"]}, u, None))
        if cm.generator.get("unique"):
            ids = self._unique_ids(table, cm, index)
            digits = pc.cast(pa.array(ids), pa.large_string())
        else:
            u = uniform(self.seed, table, cm.name, "person-number", start, stop)
            numbers = pa.array([""] + [str(i) for i in range(1, 100)], pa.large_string())
            digits = numbers.take(np.where(u < 0.25, (u * 396).astype(np.int64) + 1, 0))
        email = pc.binary_join_element_wise(parts[0], text("."), parts[1], digits, domain, text(""))
        if cm.null_rate > 0:
            mask = uniform(self.seed, table, cm.name, "nulls", start, stop) < cm.null_rate
            email = pc.if_else(pa.array(mask), pa.scalar(None, pa.large_string()), email)
        return pd.array(email, dtype=pd.StringDtype("pyarrow"))

    def _foreign_key_block(self, table: str, index: int, rows: np.ndarray) -> tuple[dict[str, Any], np.ndarray | None]:
        tm = self.model.tables[table]
        fk = self._fk(table, index)
        role = tm.columns[fk.columns[0]].generator["role"]
        name = _fk_name(fk)
        start, stop = int(rows[0]) if len(rows) else 0, int(rows[-1]) + 1 if len(rows) else 0
        if role in ("owner", "partner"):
            return self.foreign_key_values(table, index, rows), None
        if role == "self":
            info = tm.layout["self_reference"]
            n = self.counts[table]
            n_roots = min(n, max(1, int(round(info["root_share"] * n))))
            u = uniform(self.seed, table, name, "self-parent", start, stop)
            parents = keys.self_parents(rows, n_roots, float(info["fanout"]), u)
            mask = parents < 0
            parents = np.where(mask, 0, parents)
        else:
            n_parents = self.counts[fk.ref_table]
            u = uniform(self.seed, table, name, "parent-index", start, stop)
            cumulative = self.popularity(table, index)
            if cumulative is None:
                parents = np.minimum((u * n_parents).astype(np.int64), n_parents - 1)
            else:
                parents = np.minimum(np.searchsorted(cumulative, u, side="right"), n_parents - 1)
            null_rate = tm.columns[fk.columns[0]].null_rate
            mask = uniform(self.seed, table, name, "nulls", start, stop) < null_rate if null_rate > 0 else None
        values = {col: self.key_values(fk.ref_table, ref, parents) for col, ref in zip(fk.columns, fk.ref_columns)}
        return values, mask

    def _copula_uniforms(self, table: str, start: int, stop: int) -> dict[str, np.ndarray]:
        """Uniform draws for the columns of the table's copula, correlated as in the samples.

        Each column's own ``values`` draws are mapped to normal scores, mixed row by row through the
        Cholesky factor of the learned correlation, and mapped back: each column keeps its
        distribution, the group keeps its correlations, and rows stay independent of the batching.
        """
        copula = self.model.tables[table].layout.get("copula")
        if not copula or stop <= start:
            return {}
        names = copula["columns"]
        z = np.column_stack([special.ndtri(np.clip(uniform(self.seed, table, n, "values", start, stop),
                                                   _TINY, 1.0 - _TINY)) for n in names])
        mixed = z @ _cholesky(tuple(tuple(row) for row in copula["correlation"])).T
        return {n: special.ndtr(mixed[:, i]) for i, n in enumerate(names)}

    def _unique_ids(self, table: str, cm: ColumnModel, index: np.ndarray) -> np.ndarray:
        """Distinct ids for rows ``index`` of a unique column: a seeded permutation of its capacity, or of the
        run's own row range when the format is unbounded (short values, unique by construction)."""
        capacity = _capacity(cm) or max(self.counts[table], 1)
        return keys.permute(index, capacity, stable_id(f"{table}.{cm.name}|{self.seed}") >> 2,
                            table=table, column=cm.name)

    def _value_column(self, table: str, cm: ColumnModel, start: int, stop: int, index: np.ndarray,
                      u: np.ndarray | None = None) -> Any:
        gen = cm.generator
        kind = gen["kind"]
        unique_ids = None
        if gen.get("unique"):
            unique_ids = self._unique_ids(table, cm, index)
        if kind == "text":
            values = text.generate_text(gen["text"], seed=self.seed, table=table, column=cm.name, start=start,
                                        stop=stop, unique_ids=unique_ids)
        elif kind == "uuid":
            values = keys.uuid_strings(self.seed, f"{table}.{cm.name}", index)
        else:
            if u is None:
                u = uniform(self.seed, table, cm.name, "values", start, stop)
            if kind == "frequencies":
                values = _draw_frequencies(gen, u, unique_ids)
            elif kind == "distribution":
                values = _draw_distribution(gen, u, unique_ids)
            else:
                raise SchemaError(f"Column {where(table, cm.name)} has unknown generator kind {kind!r} in the model.",
                                  table=table, column=cm.name)
            if "time_unit" in gen:
                per_unit = 86400 if gen["time_unit"] == "D" else 1
                if kind == "frequencies":
                    values = np.asarray(gen["values"], dtype=np.int64)[values]
                steps = np.asarray(values, dtype=np.int64)
                resolution = int(gen.get("resolution", 1))
                if resolution > 1:
                    steps = steps // resolution * resolution
                values = _EPOCH + (steps * per_unit).astype("timedelta64[s]")
        mask = None
        if cm.null_rate > 0:
            mask = uniform(self.seed, table, cm.name, "nulls", start, stop) < cm.null_rate
        return _to_pandas(cm.type, values, mask, levels=gen.get("values") if kind == "frequencies" else None)


@lru_cache(maxsize=256)
def _cholesky(correlation: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Lower Cholesky factor of a correlation matrix, nudged to positive definite if it is not."""
    corr = np.asarray(correlation, dtype=np.float64)
    values, vectors = np.linalg.eigh((corr + corr.T) / 2)
    fixed = vectors @ np.diag(np.maximum(values, 1e-6)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return np.linalg.cholesky(fixed / np.outer(scale, scale))


def _large(values: Any) -> pa.Array:
    """A pandas string array (or anything pyarrow reads) as an Arrow large_string array."""
    return pc.cast(pa.array(values), pa.large_string())


def _fk_name(fk: ForeignKey) -> str:
    return "fk:" + ",".join(fk.columns)


def _capacity(cm: ColumnModel) -> int | None:
    """How many distinct values a unique column can take (None when not unique or unbounded)."""
    gen = cm.generator
    if gen["kind"] == "key_pattern":
        return text.pattern_capacity(gen["pattern"]) - int(gen["start"])
    if not gen.get("unique"):
        return None
    if gen["kind"] == "text":
        return text.text_capacity(gen["text"])
    if gen["kind"] == "frequencies":
        return len(gen["values"])
    if gen["kind"] == "distribution":
        if gen.get("min") is None or gen.get("max") is None:
            return None
        step = 10.0 ** -(0 if gen.get("integer") else (gen.get("decimals") if gen.get("decimals") is not None else 6))
        return int(round((gen["max"] - gen["min"]) / step)) + 1
    return None


def _draw_frequencies(gen: Mapping[str, Any], u: np.ndarray, unique_ids: np.ndarray | None) -> Any:
    """Codes into ``gen['values']``: by cumulative weights, or a permutation when unique."""
    if unique_ids is not None:
        return unique_ids.astype(np.int64)
    cum = np.cumsum(np.asarray(gen["weights"], dtype=np.float64))
    codes = np.searchsorted(cum / cum[-1], u, side="right")
    return np.minimum(codes, len(cum) - 1).astype(np.int64)


def _draw_distribution(gen: Mapping[str, Any], u: np.ndarray, unique_ids: np.ndarray | None) -> np.ndarray:
    lo, hi = gen["min"], gen["max"]
    if unique_ids is not None:
        # Distinct values by construction: the permuted ids laid on the column's grid from its minimum.
        if gen.get("integer"):
            return np.int64(lo or 0) + unique_ids.astype(np.int64)
        decimals = gen.get("decimals") if gen.get("decimals") is not None else 6
        return np.round((lo or 0.0) + unique_ids / 10.0**decimals, decimals)
    spec = gen["distribution"]
    c_lo, c_hi = _truncation(spec, lo, hi)
    u = np.clip(c_lo + u * (c_hi - c_lo), _TINY, 1.0 - _TINY)
    x = dist.draw(spec, u)
    if lo is not None or hi is not None:
        x = np.clip(x, lo, hi)
    if gen.get("integer"):
        return np.rint(x).astype(np.int64)
    decimals = gen.get("decimals")
    return np.round(x, decimals) if decimals is not None else x


def _truncation(spec: Mapping[str, Any], lo: float | None, hi: float | None) -> tuple[float, float]:
    """CDF at the column's bounds, computed once per (distribution, bounds)."""
    return _truncation_cached(json.dumps(spec, sort_keys=True), lo, hi)


@lru_cache(maxsize=1024)
def _truncation_cached(spec_json: str, lo: float | None, hi: float | None) -> tuple[float, float]:
    spec = json.loads(spec_json)
    if spec["name"] == dist.EMPIRICAL:
        # Bounds at or beyond the stored quantiles truncate nothing: a spike of values at the
        # lower bound (a third of lifetime values are 0) must stay in.
        q = spec["params"]["quantiles"]
        c_lo = 0.0 if lo is None or lo <= q[0] else dist.cdf(spec, lo)
        c_hi = 1.0 if hi is None or hi >= q[-1] else dist.cdf(spec, hi)
    else:
        c_lo = dist.cdf(spec, lo) if lo is not None else 0.0
        c_hi = dist.cdf(spec, hi) if hi is not None else 1.0
    if not c_hi > c_lo:
        c_lo, c_hi = 0.0, 1.0
    return c_lo, c_hi


def _to_pandas(ctype: str, values: Any, mask: np.ndarray | None, levels: list | None = None) -> Any:
    """One column's values (numpy or Arrow, codes into ``levels`` when given) as a pandas array of its type."""
    if levels is not None and ctype not in ("date", "datetime"):
        codes = np.asarray(values, dtype=np.int64)
        if ctype == "category":
            codes = np.where(mask, -1, codes) if mask is not None else codes
            return pd.Categorical.from_codes(codes, categories=pd.Index(levels, dtype="object"))
        if ctype in ("string", "uuid"):
            values = pa.array([str(v) for v in levels], type=pa.string()).take(pa.array(codes))
        else:
            values = np.asarray(levels)[codes]
    if ctype == "integer":
        data = np.asarray(values, dtype=np.int64)
        return pd.arrays.IntegerArray(data, mask if mask is not None else np.zeros(len(data), dtype=bool))
    if ctype == "float":
        data = np.asarray(values, dtype=np.float64)
        return np.where(mask, np.nan, data) if mask is not None else data
    if ctype == "boolean":
        data = np.asarray(values, dtype=bool)
        return pd.arrays.BooleanArray(data, mask if mask is not None else np.zeros(len(data), dtype=bool))
    if ctype in ("date", "datetime"):
        data = np.asarray(values, dtype="datetime64[s]")
        if mask is not None:
            data = np.where(mask, np.datetime64("NaT", "s"), data)
        return data
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, type=pa.string())
    if mask is not None:
        arr = pa.compute.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)
    return pd.array(arr, dtype=pd.StringDtype("pyarrow"))


# -- runs ---------------------------------------------------------------------------------

def iter_batches(plan: Plan, table: str, batch_rows: int | None = None) -> Iterator[pd.DataFrame]:
    """Rows of ``table`` as consecutive DataFrames of ``batch_rows`` rows (the last one shorter)."""
    if batch_rows is None:
        batch = DEFAULT_BATCH_ROWS
    elif isinstance(batch_rows, (int, np.integer)) and not isinstance(batch_rows, bool) and batch_rows > 0:
        batch = int(batch_rows)
    else:
        raise RowCountError(f"batch_rows must be a positive whole number of rows; got {batch_rows!r}.")
    n = plan.counts[table]
    if n == 0:
        yield plan.rows(table, 0, 0)
        return
    for start in range(0, n, batch):
        yield plan.rows(table, start, min(n, start + batch))


def generate(model: Model, rows: Mapping[str, Any] | None = None, *, seed: int = 0, scale: float | None = None,
             batch_rows: int | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the model in memory, ``{table: DataFrame}``, in generation order."""
    counts = resolve_rows(model, rows, scale=scale)
    cells = {t: counts[t] * len(model.tables[t].columns) for t in counts}
    if sum(cells.values()) > MAX_IN_MEMORY_CELLS:
        biggest = max(cells, key=cells.__getitem__)
        raise RowCountError(f"{sum(counts.values()):,} rows ({sum(cells.values()):,} values, most of them in table "
                            f"'{biggest}') are too many to hold in memory; stream them to files with "
                            f"Model.write(...) or `synthframe generate --out`.", table=biggest)
    plan = Plan(model, counts, seed)
    out = {}
    for table in counts:
        parts = list(iter_batches(plan, table, batch_rows))
        frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        out[table] = frame.reset_index(drop=True)
    return out
