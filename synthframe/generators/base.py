"""The contract every column generator keeps, and the registry that finds them by name.

A generator is a small object built from the plain dict a :class:`~synthframe.model.Model`
stores for a column (``{"kind": "distribution", ...}``). It knows one thing: how to make
its column's values at any set of row indices, as a ``pyarrow.Array`` of the column's
type, from counter-based draws addressed by (seed, table, column, purpose, row) and
whatever it reads through its :class:`DrawContext` (its own table's other columns at
the same rows, or a parent's columns at the rows' parent indices). So a value does not
depend on which other rows are asked for with it.

- ``from_dict(column, data)`` checks the stored parameters (a :class:`ModelError` naming the
  column when one is missing or damaged) and keeps them as given; ``to_dict()`` gives them back.
- ``fit(values, hints, ctx)`` learns the parameters from sample values and schema hints.
- ``draw(rows, ctx)`` makes the values (no nulls: the engine applies the learned null rate).
- ``capacity(ctx)`` is how many distinct values a unique column can take (None: unbounded).

Generators are looked up by the ``kind`` the model stores (text columns by their spec's kind),
through :func:`generator_for`; new kinds join with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ModelError, where

if TYPE_CHECKING:
    import pandas as pd

    from ..model import ColumnModel
    from ..schema import Column


class DrawContext(Protocol):
    """What a generator can ask of the engine while drawing rows of one table."""

    seed: int
    table: str
    rows: np.ndarray

    def key(self, column: str, purpose: str) -> int:
        """The stream key of ``(seed, table, column, purpose)``."""

    def uniform(self, column: str, purpose: str) -> np.ndarray:
        """Uniform draws of that stream at this context's rows."""

    def value_uniforms(self, column: str) -> np.ndarray:
        """The ``values`` draws of a column, correlated with the table's other columns where the model says."""

    def value_scores(self, column: str) -> np.ndarray | None:
        """The column's draws as normal scores when it is drawn in normal space (copula, Gaussian edge), else None."""

    def values(self, column: str) -> pa.Array:
        """Another column of the same table at the same rows (computed once per context)."""

    def parent_rows(self, fk_index: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Parent row index of each row under foreign key ``fk_index``, and a null mask (or None)."""

    def positions(self) -> np.ndarray:
        """Each row's position among its owning parent's children (line numbers from 0)."""

    def parent_values(self, fk_index: int, column: str) -> pa.Array:
        """A parent column at the rows' parent indices, computed there (the parent is never materialised)."""

    def children_values(self, table: str, columns: Sequence[str]) -> tuple[list[pa.Array], np.ndarray]:
        """Columns of the rows' children in ``table`` (laid out under this table), parent after parent, and how
        many children each row has."""

    def ancestor_values(self, path: Sequence[int], column: str) -> pa.Array:
        """A column of the parent's parent (and so on): ``path`` holds the foreign key indices to follow, the
        first in this table, the next in its parent's table."""

    def key_values(self, table: str, column: str, rows: np.ndarray) -> pa.Array:
        """A key column of any table at any rows."""

    def unique_ids(self, column: str, capacity: int | None) -> np.ndarray:
        """Distinct ids for the rows of a unique column, the same for a row whatever the run's size."""

    def count(self, table: str | None = None) -> int:
        """Rows of a table in this run (this context's table by default)."""


@dataclass(frozen=True)
class FitContext:
    """What a generator's ``fit`` knows beyond the column's values and hints: where the column is."""

    table: str
    line_number: bool = False
    """For an integer primary-key column beside the owning foreign key: number the rows within each parent."""


REGISTRY: dict[str, type[ColumnGenerator]] = {}
"""Generator classes by the name the model stores."""


def register(cls: type[ColumnGenerator]) -> type[ColumnGenerator]:
    """Class decorator: make ``cls`` the generator of ``cls.kind``."""
    REGISTRY[cls.kind] = cls
    return cls


class ColumnGenerator:
    """Base of every column generator: plain parameters in, an Arrow array per set of rows out."""

    kind: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ()
    """Fields the stored dict must have."""

    def __init__(self, column: ColumnModel, params: Mapping[str, Any], table: str = ""):
        self.column = column
        self.name = column.name
        self.type = column.type
        self.params = params
        self.table = table

    # -- plain data ------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, column: ColumnModel, data: Mapping[str, Any], table: str = "") -> ColumnGenerator:
        """Build from stored parameters, checking that each required field is there."""
        lacking = [f for f in cls.required if f not in data]
        if lacking:
            raise ModelError(f"The model's column {where(table, column.name)}: a '{cls.kind}' generator needs "
                             f"{list(cls.required)}; '{lacking[0]}' is missing.", table=table, column=column.name)
        gen = cls(column, data, table)
        gen.check()
        return gen

    def check(self) -> None:
        """Raise a ModelError naming the column when the parameters cannot be generated from."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.params)

    # -- learning --------------------------------------------------------------------------
    @classmethod
    def fit(cls, values: pd.Series, hints: Column, ctx: FitContext) -> dict[str, Any]:
        """The stored parameters learned from non-null sample ``values`` and the schema's ``hints``."""
        raise NotImplementedError(f"'{cls.kind}' generators are made by the table fit, not from one column.")

    # -- drawing ---------------------------------------------------------------------------
    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        raise NotImplementedError

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        """Distinct values a unique column can take; None when not unique or unbounded."""
        return None

    def reads(self) -> tuple[str, ...]:
        """Other columns of the same table this generator reads (so they are made first)."""
        return ()

    @property
    def unique(self) -> bool:
        return bool(self.params.get("unique"))

    def pooled(self, pool: pa.Array | pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
        """:func:`pooled_text` for a text column; the strings themselves for a column of another type (a
        category drawn from a pool of place names)."""
        out = pooled_text(pool, positions)
        return out if self.type == "string" else out.dictionary_decode()

    def fail(self, problem: str) -> ModelError:
        return ModelError(f"The model's column {where(self.table, self.name)} {problem}; refit the model or fix "
                          f"the field.", table=self.table, column=self.name)


def generator_for(column: ColumnModel, table: str = "") -> ColumnGenerator:
    """The generator of a fitted column, looked up by the kind its model stores."""
    gen = column.generator
    kind = gen.get("kind") if isinstance(gen, Mapping) else None
    if kind == "text":
        spec = gen.get("text")
        sub = spec.get("kind") if isinstance(spec, Mapping) else None
        kind = f"text:{sub}"
    cls = REGISTRY.get(str(kind))
    if cls is None:
        known = sorted({k.split(":")[0] for k in REGISTRY})
        raise ModelError(f"The model's column {where(table, column.name)} has generator kind {gen.get('kind')!r}; "
                         f"expected one of {known}.", table=table, column=column.name)
    return cls.from_dict(column, gen, table)


# -- Arrow helpers shared by the generators -------------------------------------------------

EPOCH = np.datetime64("1970-01-01T00:00:00", "s")
TIMESTAMP = pa.timestamp("s")


def arrow_type(ctype: str) -> pa.DataType:
    """The Arrow type a column of schema type ``ctype`` is generated as (categories: see :func:`levels_array`)."""
    return {"integer": pa.int64(), "float": pa.float64(), "boolean": pa.bool_(), "date": TIMESTAMP,
            "datetime": TIMESTAMP}.get(ctype, pa.string())


def numbers_array(ctype: str, values: Any) -> pa.Array:
    """NumPy values as an Arrow array of the column's type."""
    if ctype in ("date", "datetime"):
        return pa.array(np.asarray(values, dtype="datetime64[s]"), TIMESTAMP)
    if ctype == "integer":
        return pa.array(np.asarray(values, dtype=np.int64))
    if ctype == "float":
        return pa.array(np.asarray(values, dtype=np.float64))
    if ctype == "boolean":
        return pa.array(np.asarray(values, dtype=bool))
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return pc.cast(values, pa.string())
    return pa.array([str(v) for v in values], pa.string()) if len(values) else pa.array([], pa.string())


def levels_array(ctype: str, levels: list, codes: np.ndarray, *, coded: bool = False) -> pa.Array:
    """Codes into ``levels`` as the column's type: a dictionary array for categories (levels as strings
    when they mix types), the levels' values otherwise (text as :func:`pooled_text` with ``coded``)."""
    codes = np.asarray(codes, dtype=np.int64)
    if ctype == "category":
        keys = [(type(v), v) for v in levels]  # a kept table's rows repeat levels; a dictionary may not
        distinct = list(dict.fromkeys(keys))
        if len(distinct) < len(levels):
            position = {key: i for i, key in enumerate(distinct)}
            codes, levels = np.array([position[k] for k in keys], dtype=np.int64)[codes], [v for _, v in distinct]
        dictionary = _category_dictionary(tuple(levels))
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), dictionary)
    if ctype == "string" and coded:
        return pooled_text(_string_levels(tuple(levels)), codes)
    if ctype in ("string", "uuid"):
        return _string_levels(tuple(levels)).take(pa.array(codes))
    return numbers_array(ctype, np.asarray(levels)[codes])


_LEVEL_CACHE: dict[tuple, pa.Array] = {}


def _cached(key: tuple, make: Callable[[], pa.Array]) -> pa.Array:
    found = _LEVEL_CACHE.get(key)
    if found is None:
        if len(_LEVEL_CACHE) > 512:
            _LEVEL_CACHE.clear()
        found = _LEVEL_CACHE[key] = make()
    return found


def _category_dictionary(levels: tuple) -> pa.Array:
    def make() -> pa.Array:
        kinds = {type(v) for v in levels}
        if kinds <= {str} or len(kinds) > 1 or kinds & {bool}:
            return pa.array([str(v) for v in levels], pa.string())
        return pa.array(list(levels))
    return _cached(("category", levels), make)


def _string_levels(levels: tuple) -> pa.Array:
    return _cached(("string", levels), lambda: pa.array([str(v) for v in levels], pa.string()))


TEXT_CODES = b"synthframe.text_codes"
"""Field metadata of a text column handed to a writer as positions into a pool (a dictionary array): the
column is text, not a category, and a file stores it as text."""


def pooled_text(pool: pa.Array | pa.ChunkedArray, positions: np.ndarray) -> pa.DictionaryArray:
    """The strings of ``pool`` at ``positions`` (null where a position is -1), kept as positions into the pool:
    no string is copied until a column reads this one (the engine decodes it then) or a writer needs text
    (Parquet stores the positions and the pool's used entries as they are)."""
    if isinstance(pool, pa.ChunkedArray):
        pool = pool.combine_chunks()
    positions = np.asarray(positions)
    missing = positions < 0
    indices = pa.array(positions.astype(np.int32), mask=missing if missing.any() else None)
    return pa.DictionaryArray.from_arrays(indices, pool)


def with_nulls(values: pa.Array, mask: np.ndarray | None) -> pa.Array:
    """``values`` with nulls where ``mask`` is true."""
    if mask is None or not mask.any():
        return values
    if pa.types.is_dictionary(values.type):
        indices = values.indices
        if indices.null_count:
            mask = mask | np.asarray(indices.is_null())
            indices = indices.fill_null(0)
        return pa.DictionaryArray.from_arrays(pa.array(indices.to_numpy(zero_copy_only=False), mask=mask),
                                              values.dictionary)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)
    data = values.to_numpy(zero_copy_only=False)
    if values.null_count:
        mask = mask | np.asarray(values.is_null())
    return pa.array(data, type=values.type, mask=mask)
