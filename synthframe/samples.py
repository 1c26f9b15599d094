"""Step 1b of the pipeline: read sample rows and coerce them to the schema's types.

:func:`read_samples` accepts

- a mapping ``{table: [records]}`` (the one-file request's ``sampleData``), ``{table: DataFrame}``
  or ``{table: pyarrow.Table}``;
- a folder holding one file per table, ``<table>.csv``, ``.json``, ``.jsonl``, ``.ndjson`` or
  ``.parquet`` (the table name is the file stem; a ``schema.json`` kept beside the samples is
  skipped, and files with other extensions are ignored);
- one JSON file holding ``{table: [records]}``, or one table file (the table name is its stem).

:func:`read_sample_files` reads files held in memory (uploads), ``{file name: bytes}``, by the same rules.

Text files must be UTF-8 (a byte-order mark is fine); text holding a NUL character or a lone UTF-16
surrogate is refused. JSON is read with a duplicate-key check.
In CSV files an empty field and the markers in :data:`CSV_NULLS` are nulls in every column; quoted
(``"null"``, ``""``) they are text, which is how the CSV writer puts such strings.
The missing-value tokens of :data:`MISSING_TOKENS` (``NA``, ``N/A``, ``NaN``, ``null``, ``None``,
``-``, blank; any case, surrounding whitespace ignored) are decided per column: they are nulls in
a column declared integer, float, boolean, date or datetime, and — without a schema — in a text
column whose other values are all numbers, booleans or ISO dates (or that holds nothing else),
which is then typed. In any other text column they stay values when they look like the column's values
(``NA`` among two-letter country codes is Namibia) and are nulls otherwise (``NA`` among ``male`` and
``female`` is a missing sex).
This holds for unquoted CSV fields and for DataFrames of strings. A format that has its own null writes a
token string on purpose, so there it is a value in a text column: a token quoted in CSV (``"NA"``, ``"-"``,
which is how the CSV writer puts such strings), and any token string in JSON records or a Parquet file.

A column that mixes types is decided by its majority. Without a schema, a text column of which at least
:data:`MIXED_MAJORITY` (90 %) of the set values (tokens aside) are numbers — or ISO dates — is that type;
its other values (``abc`` among prices, ``unknown`` among dates) are nulls, and the column nullable. A
number with a leading zero (``02134``) makes the column text: such columns are codes. With fewer numbers
or dates than that the column stays text, and its values keep their shapes (levels, formats). With a
schema, a column declared ``nullable: true`` takes the same leniency — up to 10 % of its set values may be
unreadable, each read as a null, with one warning naming the column, the count and examples — and any
other declared column refuses an unreadable value, naming its row.

With a schema, every sample table and column must be declared in it, and each column is
coerced, vectorized, to its declared type:

=================  =====================================================================
schema type        pandas dtype
=================  =====================================================================
integer            ``Int64`` (``3.0`` is fine, ``3.5`` is an error)
float              ``float64``, null as ``NaN`` (what scipy and NumPy fit on directly)
boolean            ``boolean`` (true/false/t/f/yes/no/1/0, any case)
string, category   ``string`` (the fit decides the levels of a category)
uuid               ``string``, each value checked to be a UUID
date               ``datetime64[us]`` at midnight
datetime           ``datetime64[us]``; time-zone-aware values converted to UTC, then naive
=================  =====================================================================

A schema column that has no samples is left out of the returned frame (the fit then learns
it from its type and hints alone).

:func:`foreign_key_orphans` reports the declared foreign keys that do not fully hold in the
samples: child values not found among the parent's key values. Row numbers in messages count the table's sample rows
from 1 (the header line of a CSV file is not counted). Without a schema, tables are returned
as read, with nullable dtypes (``Int64``, ``boolean``, ``string``) and dates as ``datetime64``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import SampleError, where
from .schema import Column, ForeignKey, Schema

SAMPLE_EXTENSIONS = (".csv", ".json", ".jsonl", ".ndjson", ".parquet")
"""File extensions read as sample tables (case-insensitive)."""

CSV_NULLS = ("", "null", "NULL", "Null", "None", "NaN", "nan", "N/A", "n/a", "#N/A", "<NA>")
"""CSV fields read as null (in every column)."""

MISSING_TOKENS = ("", "na", "n/a", "#n/a", "<na>", "nan", "null", "none", "-")
"""Missing-value tokens (compared after trimming and lower-casing): null in numeric, boolean and
date columns, values in text columns (see the module docstring)."""

TRUE_WORDS = ("true", "t", "yes", "1")
FALSE_WORDS = ("false", "f", "no", "0")
"""Spellings accepted for boolean samples (compared after trimming and lower-casing)."""

MIXED_MAJORITY = 0.9
"""Share of a column's set values (missing-value tokens aside) that must be numbers, or ISO dates, for the column
to be read as numbers or dates despite the rest (which become nulls); see the module docstring."""

log = logging.getLogger(__name__)

UUID_PATTERN = r"(?i)^(?:\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?|[0-9a-f]{32})$"
DATETIME_DTYPE = "datetime64[us]"
_SKIPPED_IN_FOLDER = ("schema.json",)
_INT64_LIMIT = 2.0**63


# -- public API -----------------------------------------------------------------------

def read_samples(source: Any, schema: Schema | None = None) -> dict[str, pd.DataFrame]:
    """Read sample tables from records, DataFrames or files; with a schema, check and coerce them.

    Returns ``{table: DataFrame}`` with a fresh 0..n-1 index. Raises
    :class:`~synthframe.errors.SampleError` (naming the table and column) on anything that
    cannot be read or does not fit the schema.
    """
    frames = _read_source(source, schema)
    if schema is None:
        for table, df in frames.items():
            _check_not_empty(table, df)
        return {table: _null_missing_tokens(df) for table, df in frames.items()}
    for table in frames:
        if table not in schema.tables:
            raise SampleError(
                f"Sample table '{table}' is not in the schema; known tables: {sorted(schema.tables)}. "
                f"Add it to the schema or remove it from the samples.", table=table)
    return {table: _coerce_table(schema, table, df) for table, df in frames.items()}


def records_to_frame(table: str, records: Any) -> pd.DataFrame:
    """One table's records (a list of JSON objects) as a DataFrame.

    Arrow infers the column types when every field has one JSON type (so integers with nulls
    stay exact ``Int64``); mixed fields fall back to pandas object columns, which the schema
    coercion then checks value by value (vectorized).
    """
    if not isinstance(records, (list, tuple)):
        raise SampleError(
            f"Samples of table '{table}' must be a list of objects (records); got {type(records).__name__}.",
            table=table)
    kinds = set(map(type, records))
    odd = [k for k in kinds if not issubclass(k, Mapping)]
    if odd:
        position = next(i for i, kind in enumerate(map(type, records)) if kind in odd)
        raise SampleError(
            f"Samples of table '{table}' must be a list of objects {{column: value}}; row {position + 1} is "
            f"{records[position]!r}.", table=table)
    if not records:
        return pd.DataFrame()
    try:
        arrow = pa.Table.from_struct_array(pa.array(records))
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return _strings_are_values(pd.DataFrame.from_records(records))
    return _strings_are_values(_arrow_to_frame(table, arrow))


def read_sample_files(files: Mapping[str, bytes], schema: Schema | None = None) -> dict[str, pd.DataFrame]:
    """Read sample files held in memory, ``{file name: bytes}``, into ``{table: DataFrame}``.

    For uploads (the HTTP API): nothing touches the disk. The rules are a folder's — the table is
    the file stem, the format comes from the extension (:data:`SAMPLE_EXTENSIONS`), a file named
    ``schema.json`` is skipped, two files for one table are an error — except that a ``.json``
    file holding an object is read as ``{table: [records]}``, like a single JSON file. A file name
    may carry a folder (``samples/orders.csv``); only its last part counts. With a schema, tables
    are checked and coerced exactly as :func:`read_samples` does.
    """
    if not isinstance(files, Mapping):
        raise SampleError(f"Sample files must be a mapping {{file name: bytes}}; got {type(files).__name__}.")
    frames: dict[str, pd.DataFrame] = {}
    origin: dict[str, str] = {}
    for name, data in files.items():
        if not isinstance(name, str) or not PurePosixPath(name.replace("\\", "/")).name:
            raise SampleError(f"Every sample file needs a name such as 'customers.csv'; got {name!r}.")
        base = PurePosixPath(name.replace("\\", "/")).name
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise SampleError(f"Sample file {base} must be given as bytes; got {type(data).__name__}.",
                              table=PurePosixPath(base).stem)
        if base.lower() in _SKIPPED_IN_FOLDER:
            continue
        for table, frame in _read_file(_MemoryFile(base, bytes(data)), schema).items():
            if table in frames:
                raise SampleError(f"Table '{table}' has two sample files, {origin[table]} and {base}; keep one "
                                  f"of them.", table=table)
            frames[table], origin[table] = frame, base
    if not frames:
        raise SampleError(f"No sample files were given; upload one file per table, named <table> with one of "
                          f"the extensions {', '.join(SAMPLE_EXTENSIONS)}.")
    return read_samples(frames, schema)


@dataclass(frozen=True)
class OrphanReport:
    """A declared foreign key that does not fully hold in the samples.

    ``rows`` counts the child rows whose key is set (a null in any key column is no reference);
    ``orphans`` those whose key is not among the parent's ``ref_columns`` values; ``share`` is
    ``orphans / rows``; ``examples`` holds up to three distinct orphan keys as text (a composite
    key as ``(a, b)``), in the order they first appear.
    """

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    rows: int
    orphans: int
    share: float
    examples: tuple[str, ...]

    @property
    def message(self) -> str:
        """One line saying which key, how many values are missing from the parent, and some of them."""
        child, parent = _key_label(self.table, self.columns), _key_label(self.ref_table, self.ref_columns)
        shown = ", ".join(repr(e) for e in self.examples)
        return (f"{child}: {self.orphans:,} of {self.rows:,} sample values ({self.share:.1%}) are not in {parent}, "
                f"e.g. {shown}.")


def _key_label(table: str, columns: tuple[str, ...]) -> str:
    return where(table, columns[0]) if len(columns) == 1 else f"{table}.({', '.join(columns)})"


def foreign_key_orphans(frames: Mapping[str, pd.DataFrame], schema: Schema) -> list[OrphanReport]:
    """The schema's foreign keys whose sample values are not all found in the parent's samples.

    One :class:`OrphanReport` per foreign key with at least one orphan, in schema order. Nulls are
    not orphans (a composite key with a null in any column references nothing); a key is skipped
    when its child or parent table has no sample rows or lacks one of the key's columns. Every
    key is checked on whole columns (``isin`` on the values, or on a MultiIndex for composite keys).
    """
    out: list[OrphanReport] = []
    for table in schema.tables.values():
        child = frames.get(table.name)
        for fk in table.foreign_keys:
            parent = frames.get(fk.ref_table)
            if child is None or parent is None or len(child) == 0 or len(parent) == 0:
                continue
            if not (set(fk.columns) <= set(child.columns) and set(fk.ref_columns) <= set(parent.columns)):
                continue
            report = _orphans(table.name, fk, child, parent)
            if report is not None:
                out.append(report)
    return out


def _orphans(table: str, fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame) -> OrphanReport | None:
    keys = child[list(fk.columns)]
    keys = keys[keys.notna().all(axis=1).to_numpy(dtype=bool)]
    known = parent[list(fk.ref_columns)].dropna()
    if len(fk.columns) == 1:
        found = keys.iloc[:, 0].isin(known.iloc[:, 0]).to_numpy(dtype=bool)
    else:
        found = pd.MultiIndex.from_frame(keys).isin(pd.MultiIndex.from_frame(known))
    orphans = int((~found).sum())
    if orphans == 0:
        return None
    first = keys[~found].drop_duplicates().head(3)
    if len(fk.columns) == 1:
        examples = tuple(str(_plain(v)) for v in first.iloc[:, 0])
    else:
        examples = tuple("(" + ", ".join(str(_plain(v)) for v in row) + ")" for row in first.itertuples(index=False))
    return OrphanReport(table=table, columns=fk.columns, ref_table=fk.ref_table, ref_columns=fk.ref_columns,
                        rows=len(keys), orphans=orphans, share=orphans / len(keys), examples=examples)


class _MemoryFile:
    """A file held in memory, standing in for a ``Path`` in the readers below (name, stem, suffix, text)."""

    def __init__(self, name: str, data: bytes):
        self.name = name
        self.data = data
        self.stem = PurePosixPath(name).stem
        self.suffix = PurePosixPath(name).suffix

    def __str__(self) -> str:
        return self.name

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.data.decode(encoding)


def _input(path: Any) -> Any:
    """What pyarrow's readers open: the path itself, or a buffer over an in-memory file."""
    return pa.BufferReader(path.data) if isinstance(path, _MemoryFile) else path


# -- sources --------------------------------------------------------------------------

def _read_source(source: Any, schema: Schema | None) -> dict[str, pd.DataFrame]:
    if isinstance(source, Mapping):
        return {_table_name(name): _frame_of(name, value) for name, value in source.items()}
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        if path.is_dir():
            return _read_folder(path, schema)
        if path.is_file():
            return _read_file(path, schema)
        raise SampleError(f"Sample path {path} does not exist; give a folder of table files, a JSON file of "
                          f"{{table: [records]}}, or one table file.")
    raise SampleError(
        f"Samples must be a dict {{table: records or DataFrame}} or a path to a file or folder; "
        f"got {type(source).__name__}.")


def _table_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise SampleError(f"Sample table names must be non-empty strings; got {name!r}.")
    return name


def _frame_of(table: str, value: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        frame = _fresh_index(value)
        frame.columns = [str(c) for c in frame.columns]
        if frame.columns.duplicated().any():
            twice = str(frame.columns[frame.columns.duplicated()][0])
            raise SampleError(f"Table '{table}' has column '{twice}' twice in its samples; rename or drop one.",
                              table=table, column=twice)
        return frame
    if isinstance(value, pa.Table):
        return _arrow_to_frame(table, value)
    return records_to_frame(table, value)


def _fresh_index(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with a 0..n-1 index; a named index (e.g. set_index("id")) comes back as columns."""
    names = list(df.index.names)
    named = all(n is not None and n not in df.columns for n in names)
    return df.reset_index(drop=not named)


def _read_folder(folder: Path, schema: Schema | None) -> dict[str, pd.DataFrame]:
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in SAMPLE_EXTENSIONS and not p.name.startswith(".")
                   and p.name.lower() not in _SKIPPED_IN_FOLDER)
    if not files:
        raise SampleError(f"Sample folder {folder} holds no table files; put one file per table there, named "
                          f"<table> with one of the extensions {', '.join(SAMPLE_EXTENSIONS)}.")
    frames: dict[str, pd.DataFrame] = {}
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise SampleError(f"Table '{path.stem}' has two sample files, {seen[path.stem].name} and {path.name}; "
                              f"keep one of them.", table=path.stem)
        seen[path.stem] = path
        frames[path.stem] = _read_table_file(path, path.stem, in_folder=True, text=_text_columns(schema, path.stem))
    return frames


def _text_columns(schema: Schema | None, table: str) -> tuple[str, ...]:
    """Columns of ``table`` read from CSV as text, without type guessing: those the schema declares as text,
    and its dates and datetimes (parsed later, so the way they are written is learned too)."""
    if schema is None or table not in schema.tables:
        return ()
    return tuple(name for name, col in schema.tables[table].columns.items()
                 if col.type in ("string", "category", "uuid", "date", "datetime"))


def _read_file(path: Path, schema: Schema | None) -> dict[str, pd.DataFrame]:
    suffix = path.suffix.lower()
    if suffix not in SAMPLE_EXTENSIONS:
        raise SampleError(f"Sample file {path} has extension '{path.suffix}', which cannot be read; use one of "
                          f"{', '.join(SAMPLE_EXTENSIONS)}.", table=path.stem)
    if suffix == ".json":
        data = _load_json(path, path.stem)
        if isinstance(data, Mapping):
            return {_table_name(name): _records_value(path, name, value) for name, value in data.items()}
        return {path.stem: records_to_frame(path.stem, data)}
    return {path.stem: _read_table_file(path, path.stem, in_folder=False, text=_text_columns(schema, path.stem))}


def _records_value(path: Path, table: str, value: Any) -> pd.DataFrame:
    if not isinstance(value, list):
        raise SampleError(f"Sample file {path}: table '{table}' must map to a list of records; got "
                          f"{type(value).__name__}. The file should hold {{table: [records]}}.", table=table)
    return records_to_frame(table, value)


def _read_table_file(path: Path, table: str, *, in_folder: bool, text: tuple[str, ...] = ()) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table, text)
    if suffix == ".parquet":
        return _read_parquet(path, table)
    if suffix in (".jsonl", ".ndjson"):
        return _read_json_lines(path, table)
    data = _load_json(path, table)
    if in_folder and isinstance(data, Mapping):
        raise SampleError(f"Sample file {path} holds a JSON object; in a folder each .json file must hold the "
                          f"list of records of table '{table}'.", table=table)
    return records_to_frame(table, data)


# -- formats --------------------------------------------------------------------------

def _not_utf8(path: Path, table: str) -> SampleError:
    return SampleError(f"Sample file {path} (table '{table}') is not UTF-8 text; re-save it as UTF-8 "
                       f"(e.g. 'Save as CSV UTF-8' in a spreadsheet).", table=table)


def _unreadable(path: Path, table: str, exc: Exception) -> SampleError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SampleError(f"Sample file {path} (table '{table}') cannot be read: {reason}.", table=table)


def _read_csv(path: Path, table: str, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """CSV through Arrow's multithreaded reader; a column Arrow mistypes is re-read as text.

    ``text_columns`` (declared string, category or uuid) are read as text, so codes such as
    ``02134`` keep their leading zeros.
    """
    import pyarrow.csv as pacsv

    parse = pacsv.ParseOptions(newlines_in_values=True)

    def options(text: Iterable[str]) -> pacsv.ConvertOptions:
        # a quoted empty field ("") is an empty string, as the writers put it, not a null
        return pacsv.ConvertOptions(null_values=list(CSV_NULLS), strings_can_be_null=True,
                                    quoted_strings_can_be_null=False, column_types=dict.fromkeys(text, pa.string()))

    def read(convert: pacsv.ConvertOptions) -> pa.Table:
        try:
            return pacsv.read_csv(_input(path), parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise _not_utf8(path, table) from None
            raise
        except OSError as exc:
            raise _unreadable(path, table, exc) from None

    try:
        arrow = read(options(text_columns))
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return pd.DataFrame()
        if "conversion error" not in str(exc):
            raise _unreadable(path, table, exc) from None
        # Type inference looks at the first block only; a later odd value breaks it. Read text instead.
        try:
            header = pacsv.open_csv(_input(path), parse_options=parse,
                                    convert_options=options(text_columns)).schema.names
        except (pa.ArrowInvalid, OSError):
            header = []
        try:
            arrow = read(options(header))
        except pa.ArrowInvalid as exc2:
            raise _unreadable(path, table, exc2) from None
    if any(pa.types.is_binary(t) or pa.types.is_large_binary(t) for t in arrow.schema.types):
        raise _not_utf8(path, table)
    try:
        arrow.column_names  # noqa: B018 - decodes the header, which may not be UTF-8
    except UnicodeDecodeError:
        raise _not_utf8(path, table) from None
    df = _arrow_to_frame(table, arrow)
    tokens = _token_strings(df)
    if not tokens:
        return df
    # A null marker still here as text was quoted ("null"). Other tokens ("NA", "-") are text quoted or not:
    # read those columns once more with each of their token spellings as a null marker; what stays text
    # there was quoted. Quoted, a token was written as a string on purpose, and it stays one.
    spellings = sorted({str(v) for name, mask in tokens.items() for v in df[name][mask]})
    again = read(pacsv.ConvertOptions(null_values=spellings, strings_can_be_null=True,
                                      quoted_strings_can_be_null=False,
                                      column_types=dict.fromkeys(tokens, pa.string()),
                                      include_columns=list(tokens)))
    return _with_explicit_tokens(df, {
        name: mask & ~again.column(name).is_null().to_numpy(zero_copy_only=False) for name, mask in tokens.items()})


EXPLICIT_TOKENS = "synthframe.explicit_tokens"
"""Key of a read frame's ``attrs`` holding ``{column: mask}`` of the missing-value token strings its file wrote
as values on purpose (quoted in CSV; any in JSON or Parquet): they stay values in a text column."""


def _token_strings(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per text column, where it holds a missing-value token string (``NA``, ``-``, ``null``; not the empty
    string, which a CSV file of one column writes for its nulls)."""
    out = {}
    for name in df.columns:
        column = df[name]
        if column.dtype == object or isinstance(column.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            text = column.astype("string").str.strip()
            mask = _is_token(text) & (text != "").to_numpy(dtype=bool, na_value=False)
            if mask.any():
                out[str(name)] = mask
    return out


def _with_explicit_tokens(df: pd.DataFrame, masks: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """``df`` recording where its file wrote token strings as values (see :data:`EXPLICIT_TOKENS`). A fresh
    frame, so every column taken from it carries the record."""
    masks = {name: np.asarray(mask, dtype=bool) for name, mask in masks.items() if mask.any()}
    if not masks:
        return df
    out = df.copy(deep=False)
    out.attrs[EXPLICIT_TOKENS] = masks
    return out


def _strings_are_values(df: pd.DataFrame) -> pd.DataFrame:
    """A frame read from a format with its own null (JSON, Parquet): every token string in it is a value."""
    return _with_explicit_tokens(df, _token_strings(df))


def _read_parquet(path: Path, table: str) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(_input(path))
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(path, table, exc) from None
    return _strings_are_values(_arrow_to_frame(table, arrow))


def _read_json_lines(path: Path, table: str) -> pd.DataFrame:
    """JSON Lines through Arrow's reader (which refuses duplicate keys); mixed types fall back to json."""
    import pyarrow.json as pajson

    try:
        arrow = pajson.read_json(_input(path))
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "specified twice" in message:
            raise SampleError(f"Sample file {path} (table '{table}'): {message.replace('JSON parse error: ', '')} "
                              f"(rows counted from 0); keep one of the two keys.", table=table) from None
        text = _read_text(path, table)
        records = [_parse_json(line, f"{path} line {number}", table)
                   for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
        return records_to_frame(table, records)
    except OSError as exc:
        raise _unreadable(path, table, exc) from None
    return _strings_are_values(_arrow_to_frame(table, arrow))


def _read_text(path: Path, table: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8(path, table) from None
    except OSError as exc:
        raise _unreadable(path, table, exc) from None


def _load_json(path: Path, table: str) -> Any:
    return _parse_json(_read_text(path, table), str(path), table)


def _parse_json(text: str, what: str, table: str) -> Any:
    """Parse JSON, refusing an object that names the same key twice (as a SampleError)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            keys = [k for k, _ in pairs]
            key = next(k for i, k in enumerate(keys) if k in keys[:i])
            raise SampleError(f"Sample JSON {what} names '{key}' twice in one object; keep one of them.",
                              table=table)
        return out

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise SampleError(f"Sample JSON {what} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                          f"column {exc.colno}.", table=table) from None
    except SampleError:
        raise
    except RecursionError:
        raise SampleError(f"Sample JSON {what} is nested too deep to read; samples are a list of flat "
                          f"records.", table=table) from None
    except ValueError:  # an integer of more digits than Python converts (4,300 by default)
        raise SampleError(f"Sample JSON {what} holds a number too long to read (an integer of more than "
                          f"{sys.get_int_max_str_digits():,} digits); write it as a string or a float.",
                          table=table) from None


def _arrow_types(arrow_type: pa.DataType) -> Any:
    """Nullable pandas dtypes for Arrow columns, so integers with nulls stay integers."""
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    return None


def _nested(arrow_type: pa.DataType) -> bool:
    """Lists, structs, maps and unions: more than one value per cell."""
    return pa.types.is_nested(arrow_type) or pa.types.is_union(arrow_type)


def _uint64_column(table: str, column: str, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Unsigned 64-bit integers as signed ones; a value above 2**63 - 1 is a SampleError naming it."""
    import pyarrow.compute as pc

    top = pc.max(values).as_py()
    if top is not None and top > 2**63 - 1:
        raise SampleError(f"Column {where(table, column)} holds {top}, above the largest integer synthframe "
                          f"handles (2**63 - 1 = {2**63 - 1}); store the column as text or as a float.",
                          table=table, column=column)
    return values.cast(pa.int64())


def _binary_as_text(table: str, column: str, values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A binary column as text when its bytes are UTF-8; otherwise a SampleError naming it."""
    try:
        return values.cast(pa.binary()).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise SampleError(f"Column {where(table, column)} holds bytes that are not UTF-8 text; synthframe learns "
                          f"numbers, text, dates and booleans. Decode or drop the column.",
                          table=table, column=column) from None


def _arrow_to_frame(table: str, arrow: pa.Table) -> pd.DataFrame:
    names = arrow.column_names
    if len(set(names)) != len(names):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        raise SampleError(f"Table '{table}' has column '{twice}' twice in its samples; rename or drop one.",
                          table=table, column=twice)
    for i, field in enumerate(arrow.schema):
        if _nested(field.type):
            raise SampleError(f"Column {where(table, field.name)} holds nested values ({field.type}); samples "
                              f"are flat: one number, text, date or boolean per cell. Flatten or drop the column.",
                              table=table, column=field.name)
        if pa.types.is_unsigned_integer(field.type) and field.type.bit_width == 64:
            arrow = arrow.set_column(i, field.name, _uint64_column(table, field.name, arrow.column(i)))
        elif pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type) \
                or pa.types.is_fixed_size_binary(field.type):
            arrow = arrow.set_column(i, field.name, _binary_as_text(table, field.name, arrow.column(i)))
        elif pa.types.is_decimal(field.type):
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(pa.float64()))
        elif pa.types.is_dictionary(field.type):
            arrow = arrow.set_column(i, field.name, arrow.column(i).cast(field.type.value_type))
    return arrow.to_pandas(types_mapper=_arrow_types, date_as_object=False)


# -- checks and coercion ----------------------------------------------------------------

def _check_not_empty(table: str, df: pd.DataFrame) -> None:
    if len(df) == 0:
        raise SampleError(f"table '{table}' has no sample rows; add rows or remove it from the samples.",
                          table=table)


def _coerce_table(schema: Schema, table: str, df: pd.DataFrame) -> pd.DataFrame:
    _check_not_empty(table, df)
    spec = schema.tables[table]
    unknown = [str(c) for c in df.columns if c not in spec.columns]
    if unknown:
        listed = ", ".join(where(table, c) for c in unknown)
        raise SampleError(
            f"Sample column(s) {listed} are not in the schema; add them to table '{table}' of the schema "
            f"or drop them from the samples. Columns in the schema: {list(spec.columns)}.",
            table=table, column=unknown[0])
    out = pd.DataFrame({name: coerce_column(table, col, df[name])
                        for name, col in spec.columns.items() if name in df.columns})
    _check_primary_key(table, spec.primary_key, out)
    formats = {name: time_format(df[name], datetime=col.type == "datetime") for name, col in spec.columns.items()
               if name in df.columns and col.type in ("date", "datetime")}
    # a frame read once already (uploaded files, then fitted) keeps the formats its text showed
    known = df.attrs.get(TIME_FORMATS, {}) if isinstance(df.attrs.get(TIME_FORMATS), dict) else {}
    out.attrs[TIME_FORMATS] = {name: f or known.get(name) for name, f in formats.items() if f or known.get(name)}
    return out


TIME_FORMATS = "synthframe.time_formats"
"""Key of a coerced sample frame's ``attrs`` holding ``{column: format}`` of its dates and datetimes, as written
in the samples (see :func:`time_format`)."""

_ISO_PARTS = (r"^\d{4}-\d\d-\d\d(?:(?P<sep>[Tt ])\d\d:\d\d(?P<seconds>:\d\d)?(?:[.,](?P<fraction>\d+))?"
              r"\s*(?P<zone>[Zz]|[+-]\d\d:\d\d|[+-]\d{2,4})?)?$")


def with_time_formats(schema: Schema, frames: Mapping[str, pd.DataFrame]) -> Schema:
    """``schema`` with each date and datetime column's ``format`` taken from its samples where the schema
    gives none (what the user wrote wins), so the writers keep the samples' way of writing them."""
    tables = dict(schema.tables)
    for name, frame in frames.items():
        learned = {c: f for c, f in frame.attrs.get(TIME_FORMATS, {}).items()
                   if name in tables and c in tables[name].columns and tables[name].columns[c].format is None}
        if learned:
            columns = {c: replace(col, format=learned[c]) if c in learned else col
                       for c, col in tables[name].columns.items()}
            tables[name] = replace(tables[name], columns=columns)
    return replace(schema, tables=tables)


def time_format(values: pd.Series, datetime: bool = False) -> str | None:
    """The text format most of a date column's sample values are written in (``%Y-%m-%d %H:%M:%S``,
    ``%Y-%m-%dT%H:%M:%S.%3fZ``, ... see :data:`synthframe.schema.TIME_FORMAT`); None when the values are not
    ISO 8601 text (then the writers' default applies). Time-zone-aware timestamps give a ``Z`` format. For a
    ``datetime`` column, a value with a time of day rules out the date alone (which would drop the times)."""
    kind = _number_kind(values)
    if kind == "datetime":
        return "%Y-%m-%dT%H:%M:%SZ" if getattr(values.dt, "tz", None) is not None else None
    if kind != "other":
        return None
    text = _clean_text(values).dropna()
    parts = text.str.extract(_ISO_PARTS)[text.str.match(_ISO_PARTS).to_numpy(dtype=bool, na_value=False)]
    parts = parts.fillna("")
    if not len(parts) or len(parts) * 2 <= len(text):
        return None
    sep = parts["sep"].str.upper()
    zone = parts["zone"].str.upper().str.replace(r"^[+-]\d\d:\d\d$", "%:z", regex=True) \
        .str.replace(r"^[+-]\d+$", "%z", regex=True)
    seconds = np.where(parts["seconds"] != "", ":%S", "")
    fraction = np.where(parts["fraction"] != "", ".%f", "")
    shapes = pd.Series(np.where(sep != "", "%Y-%m-%d" + sep + "%H:%M" + seconds + fraction + zone, "%Y-%m-%d"),
                       index=parts.index)
    counts = shapes.value_counts()
    if datetime and len(counts) > 1:
        counts = counts.drop("%Y-%m-%d", errors="ignore")
    common = str(counts.index[0])
    if ".%f" in common:  # as many digits as the samples write (the most, when they trim zeros)
        digits = min(9, int(parts.loc[shapes == common, "fraction"].str.len().max()))
        common = common.replace(".%f", "." + ("%f" if digits == 6 else f"%{digits}f"))
    return common


def coerce_column(table: str, col: Column, values: pd.Series) -> pd.Series:
    """``values`` as the pandas dtype of ``col.type`` (see the module docstring), vectorized."""
    values = values.reset_index(drop=True)
    kind, lenient = col.type, col.nullable is True
    if kind == "integer":
        return _to_integer(table, col.name, values, lenient)
    if kind == "float":
        return _to_float(table, col.name, values, lenient)
    if kind == "boolean":
        return _to_boolean(table, col.name, values)
    if kind in ("date", "datetime"):
        return _to_datetime(table, col.name, values, date=kind == "date", lenient=lenient)
    out = _to_text(values)
    unwritable = out.str.contains("[\x00\ud800-\udfff]", regex=True).to_numpy(dtype=bool, na_value=False)
    _raise_if_bad(table, col.name, values, unwritable, "text that can be written (it holds a NUL character or half "
                  "of a UTF-16 surrogate pair)", "remove those characters")
    if kind == "uuid":
        bad = out.notna() & ~out.str.fullmatch(UUID_PATTERN).fillna(True).astype(bool)
        _raise_if_bad(table, col.name, values, bad, "a UUID", "declare the column as string")
    return out


def _raise_if_bad(table: str, column: str, values: pd.Series, bad: Any, what: str, advice: str) -> None:
    """Raise a SampleError naming the first value flagged in ``bad`` and its row (from 1)."""
    flags = np.asarray(bad, dtype=bool)
    if not flags.any():
        return
    row = int(np.flatnonzero(flags)[0])
    count = int(flags.sum())
    more = f" ({count} such values)" if count > 1 else ""
    value = _plain(values.iloc[row])
    raise SampleError(f"{where(table, column)}: value {value!r} (row {row + 1}) is not {what}{more}; "
                      f"fix the sample or {advice}.", table=table, column=column)


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python value it holds, so messages show ``3.5``, not ``np.float64(3.5)``."""
    return value.item() if isinstance(value, np.generic) else value


def _number_kind(values: pd.Series) -> str:
    """'bool', 'int', 'float', 'datetime' or 'other' (text, objects) for a series' dtype."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    return "other"


def _clean_text(values: pd.Series) -> pd.Series:
    """Values as trimmed ``string``; blanks and missing-value tokens (:data:`MISSING_TOKENS`) become null."""
    text = values.astype("string").str.strip()
    return text.mask(_is_token(text))


def _is_token(text: pd.Series) -> np.ndarray:
    """Where trimmed ``string`` values are missing-value tokens (nulls are not)."""
    return text.str.lower().isin(MISSING_TOKENS).to_numpy(dtype=bool, na_value=False)


def _null_missing_tokens(df: pd.DataFrame) -> pd.DataFrame:
    """Without a schema: text columns that are numbers, booleans or dates but for missing-value tokens, typed.

    The tokens become nulls there; every other column is returned as it is.
    """
    typed = {}
    for name in df.columns:
        column = df[name]
        if _number_kind(column) == "other" and not isinstance(column.dtype, pd.CategoricalDtype):
            parsed = _typed_despite_tokens(column)
            if parsed is None and (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
                text = column.astype("string")
                parsed = _text_tokens_as_nulls(text)
                if bool(parsed.isna().sum() == text.isna().sum()):
                    parsed = None
            if parsed is not None:
                typed[name] = parsed
    if not typed:
        return df
    out = df.copy()
    for name, parsed in typed.items():
        out[name] = parsed
    return out


def _typed_despite_tokens(values: pd.Series) -> pd.Series | None:
    """``values`` typed, with its tokens as nulls, when it holds tokens and otherwise only booleans, numbers or
    ISO dates; or when at least MIXED_MAJORITY of its set values are numbers (or ISO dates), with the others —
    stray words — as nulls too. None when it is text."""
    text = values.astype("string").str.strip()
    token = _is_token(text)
    clean = text.mask(token)
    rest = clean.dropna()
    if rest.empty:
        return clean if token.any() else None
    words = tuple(w for w in TRUE_WORDS + FALSE_WORDS if not w.isdigit())  # 0/1 columns are numbers
    if token.any() and _holds(rest, lambda s: s.str.lower().isin(words)):
        lowered = clean.str.lower()
        return pd.Series(pd.arrays.BooleanArray(lowered.isin(TRUE_WORDS).to_numpy(dtype=bool),
                                                clean.isna().to_numpy(dtype=bool)), index=values.index)
    numbers_mask = _mostly(rest, lambda s: pd.to_numeric(s, errors="coerce").notna())
    if numbers_mask is not None and bool(rest.str.match(r"^[+-]?0\d").any()):
        numbers_mask = None  # 02134: codes, not numbers
    dates_mask = None if numbers_mask is not None else _mostly(
        rest, lambda s: s.str.match(r"^\d{4}-\d{2}-\d{2}") & _iso_stamps(s).notna())
    typed = numbers_mask if numbers_mask is not None else dates_mask
    if typed is None or (typed.all() and not token.any()):
        return None  # text; or wholly typed, which the inference reads as it is
    clean = clean.mask(pd.Series(~typed.to_numpy(dtype=bool), index=rest.index).reindex(clean.index,
                                                                                       fill_value=False))
    if numbers_mask is not None:
        numbers = pd.to_numeric(clean, errors="coerce")
        if pd.api.types.is_integer_dtype(numbers.dtype):
            return numbers.astype("Int64")
        if pd.api.types.is_float_dtype(numbers.dtype):
            return pd.Series(numbers.to_numpy(dtype=np.float64, na_value=np.nan), index=values.index)
        return clean  # beyond int64: left to the inference as text without the tokens
    return _iso_stamps(clean).dt.tz_localize(None).astype(DATETIME_DTYPE)


def _mostly(values: pd.Series, test: Any, head: int = 1000) -> pd.Series | None:
    """Where ``test`` holds, when it holds for at least MIXED_MAJORITY of ``values`` (tried on the head first,
    so text fails fast); else None."""
    first = test(values.iloc[:head]).fillna(False).astype(bool)
    if _share(first) < MIXED_MAJORITY:
        return None
    hits = first if len(values) <= head else test(values).fillna(False).astype(bool)
    return hits if _share(hits) >= MIXED_MAJORITY else None


def _share(mask: pd.Series) -> float:
    return float(mask.to_numpy(dtype=bool).mean()) if len(mask) else 0.0


def _holds(values: pd.Series, test: Any, head: int = 1000) -> bool:
    """``test(values)`` is true everywhere; tried on the head first, so most text fails fast."""
    if not bool(test(values.iloc[:head]).fillna(False).all()):
        return False
    return len(values) <= head or bool(test(values).fillna(False).all())


_UTC_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
"""A time of day followed by ``Z`` or a UTC offset, at the end of an ISO 8601 value."""


def _iso_stamps(text: pd.Series) -> pd.Series:
    """ISO 8601 text as UTC timestamps (null where unparseable): values with an offset are converted,
    values without one are taken as UTC. The two kinds are parsed apart, since pandas reads a naive
    value that follows an offset one with that offset."""
    text = text.astype("string").str.strip()
    aware = text.str.contains(_UTC_OFFSET, regex=True).to_numpy(dtype=bool, na_value=False)
    if not aware.any() or aware[text.notna().to_numpy(dtype=bool)].all():
        out = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True).astype("datetime64[us, UTC]")
    else:
        out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
        out[aware] = pd.to_datetime(text[aware], format="ISO8601", errors="coerce", utc=True)
        out[~aware] = pd.to_datetime(text[~aware], format="ISO8601", errors="coerce").dt.tz_localize("UTC")
    missed = out.isna().to_numpy() & text.str.match(r"^\d{4}-\d\d-\d\d").to_numpy(dtype=bool, na_value=False)
    if missed.any():  # before 1677 or after 2262, beyond pandas' nanoseconds: read at microseconds
        out[missed] = _far_stamps(text[missed])
    return out


def _far_stamps(text: pd.Series) -> pd.Series:
    """ISO 8601 text of any year from 1 to 9999 as UTC microsecond timestamps (null where unparseable)."""
    parts = text.str.extract(r"^(?P<day>\d{4}-\d\d-\d\d)(?:[Tt ](?P<time>\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?))?"
                             r"\s*(?:[Zz]|(?P<sign>[+-])(?P<hours>\d\d):?(?P<minutes>\d\d)?)?$")
    iso = (parts["day"] + "T" + parts["time"].fillna("00:00")).str.replace(",", ".", regex=False)
    ok = iso.notna().to_numpy(dtype=bool)
    stamps = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    with contextlib.suppress(ValueError):  # a value that is no real date (month 13) leaves them all unread
        stamps[ok] = iso[ok].to_numpy(dtype=str).astype("datetime64[us]")
    sign = parts["sign"].map({"+": 1, "-": -1}).fillna(0).to_numpy(dtype=np.int64)
    offset = parts["hours"].astype("Float64").fillna(0).to_numpy(dtype=np.int64) * 60 \
        + parts["minutes"].astype("Float64").fillna(0).to_numpy(dtype=np.int64)
    stamps = stamps - (sign * offset * 60_000_000).astype("timedelta64[us]")
    return pd.Series(stamps, index=text.index).dt.tz_localize("UTC")


def _strays_as_nulls(table: str, column: str, values: pd.Series, bad: Any, present: Any, what: str,
                     advice: str, lenient: bool) -> None:
    """Raise on the values flagged in ``bad`` (see :func:`_raise_if_bad`) — unless ``lenient`` (a nullable
    column) and they are at most 1 - MIXED_MAJORITY of the ``present`` ones: then they are read as nulls, with
    a warning naming the column, how many and examples."""
    flags = np.asarray(bad, dtype=bool)
    if not flags.any():
        return
    count, total = int(flags.sum()), int(np.asarray(present, dtype=bool).sum())
    if not lenient or count > (1.0 - MIXED_MAJORITY) * total + 1e-9:
        _raise_if_bad(table, column, values, flags, what, advice)
    shown = ", ".join(repr(_plain(v)) for v in pd.unique(values[flags].astype(str))[:3])
    log.warning("%s: %d of %d sample values are not %s (%s); read as nulls. Declare the column as string to "
                "keep them.", where(table, column), count, total, what, shown)


def _parse_numbers(table: str, column: str, values: pd.Series, what: str, advice: str,
                   lenient: bool = False) -> np.ndarray:
    """Numbers parsed from any dtype, as float64 with NaN for null; unparseable values raise (or, ``lenient``,
    a few are nulls: :func:`_strays_as_nulls`)."""
    kind = _number_kind(values)
    if kind in ("bool", "datetime"):
        _raise_if_bad(table, column, values, values.notna(), what, advice)
    if kind in ("int", "float"):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    text = _clean_text(values)
    parsed = pd.to_numeric(text, errors="coerce")
    _strays_as_nulls(table, column, values, text.notna() & parsed.isna(), text.notna(), what, advice, lenient)
    return parsed.to_numpy(dtype=np.float64, na_value=np.nan)


def _to_integer(table: str, column: str, values: pd.Series, lenient: bool = False) -> pd.Series:
    kind = _number_kind(values)
    advice = "declare the column as float" if kind == "float" else "declare the column as string"
    if kind == "int":
        if values.dtype == np.uint64:
            _raise_if_bad(table, column, values, values >= 2**63, "an integer that fits in 64 bits", advice)
        return values.astype("Int64")
    if kind == "other":
        text = _clean_text(values)
        parsed = pd.to_numeric(text, errors="coerce")
        _strays_as_nulls(table, column, values, text.notna() & parsed.isna(), text.notna(), "an integer",
                         advice, lenient)
        if pd.api.types.is_integer_dtype(parsed.dtype):
            return parsed.astype("Int64")  # exact, even beyond 2**53
        numbers = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
        advice = "declare the column as float"
    else:
        numbers = _parse_numbers(table, column, values, "an integer", advice, lenient)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(numbers) & ((numbers != np.trunc(numbers)) | (np.abs(numbers) >= _INT64_LIMIT))
    _raise_if_bad(table, column, values, bad, "an integer", advice)
    return pd.Series(numbers).astype("Int64")


def _to_float(table: str, column: str, values: pd.Series, lenient: bool = False) -> pd.Series:
    return pd.Series(_parse_numbers(table, column, values, "a float", "declare the column as string", lenient))


def _to_boolean(table: str, column: str, values: pd.Series) -> pd.Series:
    advice = "declare the column as string or category"
    kind = _number_kind(values)
    if kind == "bool":
        return values.astype("boolean")
    if kind == "datetime":
        _raise_if_bad(table, column, values, values.notna(), "a boolean", advice)
    if kind in ("int", "float"):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        null = np.isnan(numbers)
        _raise_if_bad(table, column, values, ~null & (numbers != 0) & (numbers != 1), "a boolean (0 or 1)", advice)
        return pd.Series(pd.arrays.BooleanArray(numbers == 1, null))
    text = _clean_text(values).str.lower()
    true, false = text.isin(TRUE_WORDS), text.isin(FALSE_WORDS)
    null = text.isna().to_numpy(dtype=bool)
    _raise_if_bad(table, column, values, ~null & ~(true | false).to_numpy(dtype=bool),
                  "a boolean (true/false, yes/no, t/f, 1/0)", advice)
    return pd.Series(pd.arrays.BooleanArray(true.to_numpy(dtype=bool), null))


def _to_datetime(table: str, column: str, values: pd.Series, *, date: bool, lenient: bool = False) -> pd.Series:
    what = "a date (YYYY-MM-DD)" if date else "a datetime (ISO 8601, e.g. 2024-05-01T12:30:00)"
    advice = "declare the column as string"
    kind = _number_kind(values)
    if kind == "datetime":
        stamps = values.dt.to_timestamp() if isinstance(values.dtype, pd.PeriodDtype) else values
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        if kind != "other":
            _raise_if_bad(table, column, values, values.notna(), what, advice)
        # Text and date/Timestamp objects alike go through their ISO form; offsets are converted to UTC.
        text = _clean_text(values)
        stamps = _iso_stamps(text)
        _strays_as_nulls(table, column, values, text.notna().to_numpy(dtype=bool) & stamps.isna().to_numpy(),
                         text.notna(), what, advice, lenient)
        stamps = stamps.dt.tz_localize(None)
    stamps = stamps.astype(DATETIME_DTYPE)
    return stamps.dt.normalize() if date else stamps


def _to_text(values: pd.Series) -> pd.Series:
    """Any values as ``string``; whole floats print without '.0' (ids read with nulls); missing-value
    tokens that do not look like the column's values are nulls (see :func:`_text_tokens_as_nulls`)."""
    if _number_kind(values) == "float":
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = numbers[~np.isnan(numbers)]
        if np.all(np.isfinite(finite)) and np.all(finite == np.trunc(finite)) and np.all(np.abs(finite) < 2**53):
            return pd.Series(numbers).astype("Int64").astype("string")
    return _text_tokens_as_nulls(values.astype("string"))


def _shape(text: pd.Series) -> pd.Series:
    """Each value's shape: upper-case letters as ``A``, lower-case as ``a``, digits as ``9``."""
    return text.str.replace(r"[A-Z]", "A", regex=True).str.replace(r"[a-z]", "a", regex=True) \
        .str.replace(r"[0-9]", "9", regex=True)


def _text_tokens_as_nulls(text: pd.Series) -> pd.Series:
    """In a text column, a missing-value token is a value only when it has the shape most of the column's
    values share (``NA`` among two-letter country codes is Namibia); otherwise it is a null (``NA`` among
    ``male``/``female`` is a missing sex)."""
    trimmed = text.str.strip()
    token = _is_token(trimmed) & trimmed.notna().to_numpy(dtype=bool)
    explicit = (text.attrs.get(EXPLICIT_TOKENS) or {}).get(text.name)
    if explicit is not None and len(explicit) == len(text):
        token &= ~explicit  # written as a value on purpose: quoted in CSV, a string in JSON or Parquet
    if not token.any():
        return text
    others = trimmed[~token].dropna()
    if others.empty:  # nothing to compare with: the tokens are the column's values
        return text
    shapes = _shape(others).value_counts(normalize=True)
    common = set(shapes.index[shapes >= 0.5])
    keep = _shape(trimmed).isin(common).to_numpy(dtype=bool, na_value=False)
    levels = others.value_counts()
    if len(levels) <= 50 and (levels >= 2).all():
        # Among a few levels, a token written like them (upper-case among upper-case) and about as frequent
        # as they are is one of them: TPC-H's l_shipinstruct is NONE in a quarter of its rows.
        style = _case_style(others).value_counts(normalize=True)
        usual = style.index[0] if len(style) and style.iloc[0] >= 0.9 else None
        counts = trimmed[token].value_counts()
        frequent = trimmed.map(counts).to_numpy(dtype=np.float64, na_value=0.0) >= 0.5 * float(levels.median())
        keep |= frequent & (_case_style(trimmed) == usual).to_numpy(dtype=bool, na_value=False)
    return text.mask(token & ~keep)


def _case_style(text: pd.Series) -> pd.Series:
    """``upper``, ``lower`` or ``mixed`` per value, by its letters."""
    upper = (text.str.upper() == text).to_numpy(dtype=bool, na_value=False)  # nulls are no style: "mixed"
    lower = (text.str.lower() == text).to_numpy(dtype=bool, na_value=False)
    return pd.Series(np.select([upper & ~lower, lower & ~upper], ["upper", "lower"], "mixed"), index=text.index)


def _check_primary_key(table: str, key: tuple[str, ...], df: pd.DataFrame) -> None:
    present = [c for c in key if c in df.columns]
    for column in present:
        nulls = df[column].isna().to_numpy(dtype=bool)
        if nulls.any():
            row = int(np.flatnonzero(nulls)[0]) + 1
            raise SampleError(f"Primary key column {where(table, column)} has a null in row {row} "
                              f"({int(nulls.sum())} null(s) in all); every row needs a key value: fill them in or "
                              f"drop those rows.", table=table, column=column)
    if not present:
        return
    repeated = df.duplicated(subset=present).to_numpy(dtype=bool)
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        value = tuple(_plain(df[c].iloc[row]) for c in present)
        shown = value[0] if len(value) == 1 else value
        label = where(table, present[0]) if len(present) == 1 else f"{table}.({', '.join(present)})"
        raise SampleError(f"Primary key {label} has the value {shown!r} more than once (row {row + 1} repeats an "
                          f"earlier row; {int(repeated.sum())} repeat(s) in all); primary key values must be unique.",
                          table=table, column=present[0])
