"""Check generated (or any) tables against their schema, vectorized.

:func:`validate` returns a report — a DataFrame with one row per failed check,
empty when every check holds — and :func:`assert_valid` raises
:class:`DataValidationError` summarising that report. Tests, the CLI and the
server use these same two functions.

Checks, in the order they are reported for each table:

``missing_table`` / ``unknown_table``
    every schema table is present and no other table is.
``missing_column`` / ``unknown_column`` / ``duplicate_column``
    every schema column is present, no other column is, none appears twice.
``type``
    the column's dtype matches its schema type: integer ← any integer dtype
    (``Int64``, ``int64``, ...); float ← ``float64``/``Float64``; boolean ←
    ``bool``/``boolean``; string ← a string dtype (or object holding only
    strings); category ← ``category`` or a string dtype; uuid ← a string dtype
    holding canonical ``8-4-4-4-12`` hex UUIDs; date ← ``datetime64`` at
    midnight (or an Arrow date, or objects that are all ``datetime.date``);
    datetime ← ``datetime64``.
``primary_key_null`` / ``primary_key_duplicate``
    primary keys (single or composite) are set on every row and unique.
``nullable``
    columns declared ``"nullable": false`` hold no null (NaN counts as null).
``unique``
    columns declared ``"unique": true`` hold no value twice (nulls excepted).
``min`` / ``max``
    numbers, dates and datetimes within the schema's bounds; a date column is
    compared as dates (the bound's time of day is ignored).
``values``
    values are among the schema's ``values`` when it lists them.
``foreign_key`` / ``foreign_key_partial_null``
    every foreign key value (composite too) is found in its parent. A null
    foreign key references nothing and is not looked up; whether it may be null
    at all is the ``nullable`` check's business (a column is nullable unless it
    says ``"nullable": false``). A composite key must be null in all of its
    columns or in none (SQL's ``MATCH FULL``).

A report row holds ``table``, ``column`` (null for table-level problems; the
columns joined by commas for composite keys), ``check``, ``count`` (how many rows
fail; 1 for a missing or unknown table or column), ``example`` (one failing
value as text) and ``message`` (what is wrong and how to fix it).

Every check works on whole columns: integer keys are compared through dense
lookup tables or sorted arrays, other keys through ``pandas.factorize``, and
composite keys are packed into one integer code per row. Ten million rows
take a few seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import SchemaError, SynthframeError, where
from .schema import Column, ForeignKey, Schema, Table

REPORT_COLUMNS = ("table", "column", "check", "count", "example", "message")

# Which dtype kinds (see _kind) each schema type accepts, and how to say so in a message.
_ACCEPTS = {
    "integer": ("integer",),
    "float": ("float",),
    "boolean": ("boolean",),
    "string": ("string",),
    "category": ("category", "string"),
    "uuid": ("string",),
    "date": ("datetime", "date"),
    "datetime": ("datetime",),
}
_EXPECTED = {
    "integer": "an integer dtype (Int64 or int64); convert with .astype('Int64')",
    "float": "a float dtype (float64 or Float64); convert with .astype('float64')",
    "boolean": "a boolean dtype (bool or boolean); convert with .astype('boolean')",
    "string": "a string dtype; convert with .astype(pd.StringDtype('pyarrow'))",
    "category": "a category or string dtype; convert with .astype('category')",
    "uuid": "a string dtype holding UUIDs; convert with .astype(pd.StringDtype('pyarrow'))",
    "date": "datetime64 at midnight; convert with pd.to_datetime(...).dt.normalize()",
    "datetime": "datetime64; convert with pd.to_datetime(...)",
}
_UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_INT64_LIMIT = 2**62  # packed key codes stay below this, far from int64 overflow
_SPAN_LIMIT = 2**31  # integer columns spanning more than this are factorized instead of offset
_MAX_SHOWN = 10  # problems spelled out in a DataValidationError message


class DataValidationError(SynthframeError, ValueError):
    """Tables do not satisfy their schema; ``report`` holds every problem found."""

    def __init__(self, message: str, *, table: str | None = None, column: str | None = None,
                 report: pd.DataFrame | None = None):
        super().__init__(message, table=table, column=column)
        self.report = report if report is not None else _empty_report()


def validate(data: Mapping[str, pd.DataFrame], schema: Schema | Mapping[str, Any]) -> pd.DataFrame:
    """Check ``data`` against ``schema``; return one report row per failed check (empty when all hold)."""
    if not isinstance(schema, Schema):
        schema = Schema.from_dict(schema)
    if not isinstance(data, Mapping):
        raise DataValidationError(f"The data to validate must be a mapping {{table name: DataFrame}}; "
                                  f"got {type(data).__name__}.")
    for name, frame in data.items():
        if not isinstance(frame, pd.DataFrame):
            raise DataValidationError(f"Table '{name}' must be a pandas DataFrame; got {type(frame).__name__}. "
                                      f"Build it with pd.DataFrame(...).", table=str(name))
    report = _Report()
    usable: dict[str, set[str]] = {}
    for name in data:
        if name not in schema.tables:
            report.add(name, None, "unknown_table", 1, None,
                       f"Table '{name}' is not in the schema (tables there: {list(schema.tables)}); "
                       f"drop it or add it to the schema.")
    for name, table in schema.tables.items():
        if name not in data:
            report.add(name, None, "missing_table", 1, None,
                       f"Table '{name}' is in the schema but not in the data; generate it or remove it "
                       f"from the schema.")
            continue
        usable[name] = _check_table(report, table, data[name])
    for name, table in schema.tables.items():
        if name not in usable:
            continue
        for fk in table.foreign_keys:
            parent_ok = fk.ref_table in usable and set(fk.ref_columns) <= usable[fk.ref_table]
            if parent_ok and set(fk.columns) <= usable[name]:
                _check_foreign_key(report, table, fk, data[name], data[fk.ref_table])
    return report.frame()


def assert_valid(data: Mapping[str, pd.DataFrame], schema: Schema | Mapping[str, Any]) -> None:
    """Raise :class:`DataValidationError` listing the problems :func:`validate` finds, if any."""
    report = validate(data, schema)
    if report.empty:
        return
    lines = []
    for row in report.head(_MAX_SHOWN).itertuples(index=False):
        example = "" if pd.isna(row.example) else f" (e.g. {row.example})"
        lines.append(f"  - [{row.check}] {row.message}{example}")
    more = len(report) - _MAX_SHOWN
    if more > 0:
        lines.append(f"  ... and {more} more; call synthframe.validate(data, schema) for the full report.")
    first = report.iloc[0]
    raise DataValidationError(
        f"{len(report)} validation problem(s) found:\n" + "\n".join(lines),
        table=first["table"], column=None if pd.isna(first["column"]) else first["column"], report=report)


# -- report -------------------------------------------------------------------------------

class _Report:
    """Collects problems as rows of the final report."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def add(self, table: str, column: str | None, check: str, count: int, example: str | None, message: str) -> None:
        self.rows.append((str(table), column, check, int(count), example, message))

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return _empty_report()
        cols = list(zip(*self.rows))
        text = pd.StringDtype()
        return pd.DataFrame({
            "table": pd.array(cols[0], dtype=text),
            "column": pd.array(cols[1], dtype=text),
            "check": pd.array(cols[2], dtype=text),
            "count": np.array(cols[3], dtype=np.int64),
            "example": pd.array(cols[4], dtype=text),
            "message": pd.array(cols[5], dtype=text),
        })


def _empty_report() -> pd.DataFrame:
    text = pd.StringDtype()
    return pd.DataFrame({c: pd.array([], dtype="int64" if c == "count" else text) for c in REPORT_COLUMNS})


# -- one table ----------------------------------------------------------------------------

def _check_table(report: _Report, table: Table, df: pd.DataFrame) -> set[str]:
    """Check columns, types, primary key and per-column hints; return the columns fit for key checks."""
    name = table.name
    labels = pd.Index(df.columns)
    doubled = list(labels[labels.duplicated()].unique())
    for col in doubled:
        report.add(name, str(col), "duplicate_column", 1, None,
                   f"Column {where(name, str(col))} appears more than once; keep one of them.")
    for col in labels.unique():
        if col not in table.columns:
            report.add(name, str(col), "unknown_column", 1, None,
                       f"Column {where(name, str(col))} is not in the schema; drop it or declare it in "
                       f"the schema's 'columns'.")
    present: set[str] = set()
    for col in table.columns:
        if col not in labels:
            report.add(name, col, "missing_column", 1, None,
                       f"Column {where(name, col)} is in the schema but not in the data; add it.")
        elif col not in doubled:
            present.add(col)

    nulls = {col: _null_mask(df[col]) for col in table.columns if col in present}
    typed: set[str] = set()
    for col, spec in table.columns.items():
        if col in present and _check_type(report, name, spec, df[col], nulls[col]):
            typed.add(col)

    pk = table.primary_key
    if pk and set(pk) <= present:
        _check_primary_key(report, name, pk, df, nulls)

    for col, spec in table.columns.items():
        if col not in present:
            continue
        series, null = df[col], nulls[col]
        if spec.nullable is False and col not in pk:
            _report_mask(report, name, col, "nullable", null, series,
                         f"Column {where(name, col)} is declared \"nullable\": false but has {{n}} null(s); "
                         f"fill them or declare the column nullable.")
        if spec.unique and tuple(pk) != (col,):
            dup = _duplicated(*_codes(series, null))
            _report_mask(report, name, col, "unique", dup, series,
                         f"Column {where(name, col)} is declared unique but {{n}} row(s) share their value "
                         f"with another row; make the values distinct or drop \"unique\".")
        if col in typed:
            _check_bounds(report, name, spec, series, null)
            _check_values(report, name, spec, series, null)
    return present


def _check_type(report: _Report, table: str, spec: Column, series: pd.Series, null: np.ndarray) -> bool:
    """Report a dtype that does not fit the schema type; True when the column's values are usable as typed."""
    col = spec.name
    kind = _kind(series)
    if kind not in _ACCEPTS[spec.type]:
        report.add(table, col, "type", len(series), _first_example(series, ~null),
                   f"Column {where(table, col)} has dtype {series.dtype} but its schema type "
                   f"'{spec.type}' needs {_EXPECTED[spec.type]}.")
        return False
    if spec.type == "date" and kind == "datetime":
        stamps = _datetime_ints(series)
        per_day = _units_per_day(series)
        off = (stamps % per_day != 0) & ~null
        _report_mask(report, table, col, "type", off, series,
                     f"Column {where(table, col)} has type 'date' but {{n}} value(s) have a time of day; "
                     f"drop the time with .dt.normalize().")
    elif spec.type == "uuid":
        arr = _arrow(series)
        ok = pc.match_substring_regex(arr, _UUID_RE).fill_null(True)
        bad = ~np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
        _report_mask(report, table, col, "type", bad, series,
                     f"{{n}} value(s) of {where(table, col)} are not UUIDs (8-4-4-4-12 hexadecimal digits); "
                     f"generate them with uuid.uuid4() or change the column's type to 'string'.")
    return True


def _check_primary_key(report: _Report, table: str, pk: Sequence[str], df: pd.DataFrame,
                       nulls: Mapping[str, np.ndarray]) -> None:
    label = ",".join(pk)
    shown = where(table, label) if len(pk) == 1 else f"{table}.({', '.join(pk)})"
    any_null = np.logical_or.reduce([nulls[c] for c in pk])
    if any_null.any():
        report.add(table, label, "primary_key_null", int(any_null.sum()), _key_example(df, pk, any_null),
                   f"Primary key {shown} is null on {int(any_null.sum())} row(s); every row needs a key.")
    key, bound = _combine([_codes(df[c], nulls[c]) for c in pk])
    dup = _duplicated(key, bound)
    if dup.any():
        report.add(table, label, "primary_key_duplicate", int(dup.sum()), _key_example(df, pk, dup),
                   f"Primary key {shown} repeats: {int(dup.sum())} row(s) share their key with another row; "
                   f"keys must be unique.")


def _check_bounds(report: _Report, table: str, spec: Column, series: pd.Series, null: np.ndarray) -> None:
    if (spec.min is None and spec.max is None) or spec.type not in ("integer", "float", "date", "datetime"):
        return
    col = spec.name
    numeric = spec.type in ("integer", "float")
    if numeric:
        values: Any = _numbers(series)
        if values.dtype.kind == "u":
            values = values.astype(np.float64)
    else:
        values = _stamps(series, dates=spec.type == "date")
    for check, bound in (("min", spec.min), ("max", spec.max)):
        if bound is None:
            continue
        limit = bound if numeric else _bound_stamp(table, spec, check, bound, getattr(values.dt, "tz", None))
        with np.errstate(invalid="ignore"):
            bad = np.asarray((values < limit) if check == "min" else (values > limit), dtype=bool) & ~null
        word = "below the minimum" if check == "min" else "above the maximum"
        _report_mask(report, table, col, check, bad, series,
                     f"{{n}} value(s) of {where(table, col)} are {word} {bound!r} the schema sets; "
                     f"keep values within bounds or widen '{check}'.")


def _check_values(report: _Report, table: str, spec: Column, series: pd.Series, null: np.ndarray) -> None:
    if spec.values is None:
        return
    allowed = list(spec.values)
    if spec.type in ("date", "datetime"):
        # Levels may mix dates and datetimes (and offsets): each is read on its own, as the fit does.
        tz = getattr(_stamps(series, dates=False).dt, "tz", None)
        allowed = [_bound_stamp(table, spec, "values", level, tz) for level in allowed]
        series = _stamps(series, dates=spec.type == "date")
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        foreign = ~series.cat.categories.isin(allowed)
        bad = np.zeros(len(series), dtype=bool) if not foreign.any() else np.isin(codes, np.flatnonzero(foreign))
    else:
        bad = ~np.asarray(series.isin(allowed).to_numpy(dtype=bool, na_value=False)) & ~null
    levels = list(spec.values)
    shown = levels if len(levels) <= 8 else [*levels[:8], "..."]
    _report_mask(report, table, spec.name, "values", bad, series,
                 f"{{n}} value(s) of {where(table, spec.name)} are not among the schema's values {shown}; "
                 f"use only those levels or add the new ones to 'values'.")


def check_partial_nulls(report: _Report, table: str, fk: ForeignKey, child: pd.DataFrame,
                        nulls: Sequence[np.ndarray]) -> np.ndarray:
    """Report the rows whose foreign key is null in some but not all of its columns (``nulls``, one mask per
    column); return the rows null in any of them. Needs the child's rows only."""
    label = ",".join(fk.columns)
    shown = where(table, label) if len(fk.columns) == 1 else f"{table}.({', '.join(fk.columns)})"
    any_null = np.logical_or.reduce(nulls)
    partial = any_null & ~np.logical_and.reduce(nulls)
    if partial.any():
        report.add(table, label, "foreign_key_partial_null", int(partial.sum()),
                   _key_example(child, fk.columns, partial),
                   f"Foreign key {shown} is null in some but not all of its columns on {int(partial.sum())} "
                   f"row(s); null all of its columns or none.")
    return any_null


def _check_foreign_key(report: _Report, table: Table, fk: ForeignKey, child: pd.DataFrame,
                       parent: pd.DataFrame) -> None:
    """Every child key that is not null must be a key of ``parent``."""
    label = ",".join(fk.columns)
    shown = where(table.name, label) if len(fk.columns) == 1 else f"{table.name}.({', '.join(fk.columns)})"
    target = where(fk.ref_table, ",".join(fk.ref_columns)) if len(fk.ref_columns) == 1 else \
        f"{fk.ref_table}.({', '.join(fk.ref_columns)})"
    child_nulls = [_null_mask(child[c]) for c in fk.columns]
    parent_nulls = [_null_mask(parent[c]) for c in fk.ref_columns]
    any_null = check_partial_nulls(report, table.name, fk, child, child_nulls)
    pairs = [_shared_codes(child[c], cn, parent[p], pn)
             for c, cn, p, pn in zip(fk.columns, child_nulls, fk.ref_columns, parent_nulls)]
    child_key, parent_key, bound = _combine_shared(pairs)
    check = ~any_null
    found = np.zeros(len(child), dtype=bool)
    known = check & (child_key >= 0)
    found[known] = _isin(child_key[known], parent_key[parent_key >= 0], bound)
    dangling = check & ~found
    if dangling.any():
        n = int(dangling.sum())
        report.add(table.name, label, "foreign_key", n, _key_example(child, fk.columns, dangling),
                   f"Foreign key {shown} has {n} row(s) whose value is not a key of {target}; every "
                   f"foreign key must match a parent row (or be null where nullable).")


# -- dtype helpers ------------------------------------------------------------------------

def _kind(series: pd.Series) -> str:
    """The dtype family of a column: integer, float, boolean, string, category, datetime, date or other."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if isinstance(dtype, pd.ArrowDtype):
        t = dtype.pyarrow_dtype
        checks = ((pa.types.is_boolean, "boolean"), (pa.types.is_integer, "integer"),
                  (pa.types.is_floating, "float"), (pa.types.is_timestamp, "datetime"), (pa.types.is_date, "date"),
                  (pa.types.is_dictionary, "category"),
                  (lambda x: pa.types.is_string(x) or pa.types.is_large_string(x) or pa.types.is_string_view(x),
                   "string"))
        return next((kind for test, kind in checks if test(t)), "other")
    if isinstance(dtype, pd.StringDtype):
        return "string"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        return "datetime"
    if pd.api.types.is_object_dtype(dtype):
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        return {"string": "string", "empty": "string", "date": "date"}.get(inferred, "other")
    return "other"


def _null_mask(series: pd.Series) -> np.ndarray:
    """True where the value is missing (NA, None, NaN, NaT)."""
    mask = np.asarray(series.isna().to_numpy(), dtype=bool)
    if isinstance(series.dtype, pd.Float64Dtype | pd.Float32Dtype):
        mask = mask | np.isnan(series.to_numpy(dtype="float64", na_value=np.nan))
    return mask


def _numbers(series: pd.Series) -> np.ndarray:
    """The column as a NumPy numeric array (nulls filled with an arbitrary value; use the null mask)."""
    if isinstance(series.dtype, np.dtype):
        return series.to_numpy()
    np_dtype = series.dtype.numpy_dtype
    fill: Any = np.nan if np_dtype.kind == "f" else 0
    return series.to_numpy(dtype=np_dtype, na_value=fill)


def _datetime_ints(series: pd.Series) -> np.ndarray:
    """Datetime values as int64 in the column's own unit (UTC for tz-aware columns); NaT is the int64 minimum."""
    values = series.array
    if isinstance(series.dtype, pd.ArrowDtype):
        return series.astype(f"datetime64[{series.dtype.pyarrow_dtype.unit}]").to_numpy().view("i8")
    return np.asarray(values.asi8 if hasattr(values, "asi8") else series.to_numpy().view("i8"))


def _units_per_day(series: pd.Series) -> int:
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype):
        unit = dtype.pyarrow_dtype.unit
    elif isinstance(dtype, pd.DatetimeTZDtype):
        unit = dtype.unit
    else:
        unit = np.datetime_data(dtype)[0]
    return 86_400 * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]


def _stamps(series: pd.Series, *, dates: bool) -> pd.Series:
    """Datetimes (or dates, at midnight) as a pandas Series that compares with a Timestamp."""
    if pd.api.types.is_object_dtype(series.dtype):  # datetime.date objects
        series = pd.to_datetime(series)
    elif isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_date(series.dtype.pyarrow_dtype):
        series = series.astype("datetime64[s]")
    elif isinstance(series.dtype, pd.ArrowDtype):
        series = series.astype(f"datetime64[{series.dtype.pyarrow_dtype.unit}]")
    return series.dt.floor("D") if dates else series


def _bound_stamp(table: str, spec: Column, check: str, bound: Any, tz: Any) -> pd.Timestamp:
    """A date/datetime bound from the schema as a Timestamp in the column's time zone (midnight for a date)."""
    try:
        stamp = pd.Timestamp(bound)
    except (TypeError, ValueError):
        raise SchemaError(f"Column {where(table, spec.name)}: '{check}' {bound!r} is not a {spec.type}; write it "
                          f"as 'YYYY-MM-DD'{'' if spec.type == 'date' else ' or YYYY-MM-DDTHH:MM:SS'}.",
                          table=table, column=spec.name) from None
    if tz is not None and stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz)
    elif tz is None and stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.normalize() if spec.type == "date" else stamp


def _arrow(series: pd.Series) -> pa.Array:
    arr = pa.array(series, from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


# -- key codes ----------------------------------------------------------------------------

def _codes(series: pd.Series, null: np.ndarray) -> tuple[np.ndarray, int]:
    """Equal values ↔ equal int64 codes in ``[0, bound)``; -1 for null."""
    kind = _kind(series)
    if kind in ("integer", "datetime") and not isinstance(series.dtype, pd.ArrowDtype):
        values = _datetime_ints(series) if kind == "datetime" else _numbers(series)
        valid = ~null
        if not valid.any():
            return np.full(len(series), -1, dtype=np.int64), 1
        lo, hi = int(values[valid].min()), int(values[valid].max())
        if hi - lo < _SPAN_LIMIT:
            codes = (values - values.dtype.type(lo)).astype(np.int64)
            codes[null] = -1
            return codes, hi - lo + 1
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = codes.astype(np.int64, copy=False)
    codes[null] = -1  # NaN inside a Float64 column
    return codes, max(len(uniques), 1)


def _combine(parts: Sequence[tuple[np.ndarray, int]]) -> tuple[np.ndarray, int]:
    """Pack several columns' codes into one int64 code per row (-1 when any part is null)."""
    key, bound = parts[0]
    for codes, size in parts[1:]:
        null = (key < 0) | (codes < 0)
        if bound * size >= _INT64_LIMIT:
            key, bound = _refactorize(key, null)
        key = key * size + codes
        key[null] = -1
        bound *= size
    return key, bound


def _refactorize(key: np.ndarray, null: np.ndarray) -> tuple[np.ndarray, int]:
    out = np.full(len(key), -1, dtype=np.int64)
    codes, uniques = pd.factorize(key[~null])
    out[~null] = codes
    return out, max(len(uniques), 1)


def _shared_codes(child: pd.Series, child_null: np.ndarray, parent: pd.Series,
                  parent_null: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Codes for a child column and its parent column on one scale.

    Parent codes lie in ``[0, bound)`` (-1 for null); a child value gets the code of the equal parent value,
    -1 when null and -2 when no parent value equals it.
    """
    kinds = {_kind(child), _kind(parent)}
    if kinds == {"integer"} and not any(isinstance(s.dtype, pd.ArrowDtype) for s in (child, parent)):
        parent_codes, bound = _codes(parent, parent_null)
        p_valid = ~parent_null
        c_values = _numbers(child)
        if not p_valid.any():
            return np.where(child_null, -1, -2).astype(np.int64), parent_codes, bound
        p_values = _numbers(parent)[p_valid]
        lo, hi = p_values.min(), p_values.max()
        if int(hi) - int(lo) >= _SPAN_LIMIT:
            return _shared_codes_by_value(child, child_null, parent, parent_null)
        inside = (c_values >= lo) & (c_values <= hi) & ~child_null
        child_codes = np.where(child_null, -1, -2).astype(np.int64)
        child_codes[inside] = (c_values[inside] - lo).astype(np.int64)
        return child_codes, parent_codes, bound
    return _shared_codes_by_value(child, child_null, parent, parent_null)


def _shared_codes_by_value(child: pd.Series, child_null: np.ndarray, parent: pd.Series,
                           parent_null: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`_shared_codes` for any dtype, through the parent's factorized values."""
    parent_codes, uniques = pd.factorize(parent, use_na_sentinel=True)
    parent_codes = parent_codes.astype(np.int64, copy=False)
    parent_codes[parent_null] = -1
    if isinstance(child.dtype, pd.CategoricalDtype):
        child = child.astype(child.cat.categories.dtype)
    found = pd.Index(uniques).get_indexer(child).astype(np.int64)
    child_codes = np.where(child_null, -1, np.where(found < 0, -2, found))
    return child_codes, parent_codes, max(len(uniques), 1)


def _combine_shared(pairs: Sequence[tuple[np.ndarray, np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray, int]:
    """Pack child and parent codes of a composite key the same way.

    Parent rows get -1 when any part is null; child rows get -2 when any part is null or unmatched (null child
    rows are set aside before the lookup).
    """
    child_key, parent_key, bound = pairs[0]
    child_key = np.where(child_key < 0, -2, child_key)
    for child_codes, parent_codes, size in pairs[1:]:
        if bound * size >= _INT64_LIMIT:
            index = pd.Index(pd.unique(parent_key[parent_key >= 0]))
            parent_key = np.where(parent_key >= 0, index.get_indexer(parent_key), -1)
            child_key = np.where(child_key >= 0, index.get_indexer(child_key), -2)
            child_key[child_key == -1] = -2
            bound = max(len(index), 1)
        parent_key = np.where((parent_key < 0) | (parent_codes < 0), -1, parent_key * size + parent_codes)
        child_key = np.where((child_key < 0) | (child_codes < 0), -2, child_key * size + child_codes)
        bound *= size
    return child_key.astype(np.int64, copy=False), parent_key.astype(np.int64, copy=False), bound


def _duplicated(codes: np.ndarray, bound: int) -> np.ndarray:
    """True for every non-null row whose code appears on another row too."""
    n = len(codes)
    valid = codes >= 0
    present = codes[valid]
    if len(present) < 2 or np.all(present[1:] > present[:-1]):
        return np.zeros(n, dtype=bool)
    if bound <= max(4 * n, 1 << 20):
        counts = np.bincount(present, minlength=bound)
        dup = np.zeros(n, dtype=bool)
        dup[valid] = counts[present] > 1
        return dup
    dup = np.zeros(n, dtype=bool)
    dup[valid] = pd.Series(present).duplicated(keep=False).to_numpy()
    return dup


def _isin(values: np.ndarray, keys: np.ndarray, bound: int) -> np.ndarray:
    """``np.isin(values, keys)`` for codes in ``[0, bound)``: a lookup table when dense, else a hash table."""
    if len(keys) == 0:
        return np.zeros(len(values), dtype=bool)
    if bound <= max(4 * (len(values) + len(keys)), 1 << 22):
        table = np.zeros(bound, dtype=bool)
        table[keys] = True
        return table[values]
    return pd.Series(values).isin(keys).to_numpy()


# -- examples -----------------------------------------------------------------------------

def _report_mask(report: _Report, table: str, column: str, check: str, mask: np.ndarray, series: pd.Series,
                 message: str) -> None:
    """Add one report row if ``mask`` flags any row; ``{n}`` in the message becomes the count."""
    if mask.any():
        n = int(mask.sum())
        report.add(table, column, check, n, _first_example(series, mask), message.format(n=n))


def _first_example(series: pd.Series, mask: np.ndarray) -> str | None:
    if not mask.any():
        return None
    return _show(series.iloc[int(np.argmax(mask))])


def _key_example(df: pd.DataFrame, columns: Sequence[str], mask: np.ndarray) -> str:
    row = int(np.argmax(mask))
    shown = [_show(df[c].iloc[row]) for c in columns]
    return shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"


def _show(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return "null"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)
