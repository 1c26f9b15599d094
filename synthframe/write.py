"""Last step of the pipeline: stream tables to JSON, JSON Lines, CSV or Parquet files.

Every writer takes, per table, an iterable of DataFrame chunks and writes it
chunk by chunk, so memory stays flat however many rows go out. A file is written
under a temporary name in its final directory (``.<table>.<ext>.<host>-<pid>.partial``)
and renamed into place only once complete; if anything fails on the way — the
chunk iterator included — the partial file is removed and the exception goes on.
A run killed outright (SIGKILL, a power cut) cannot remove its partial files; the
next write to the same folder does (:func:`remove_stale_partials`): a temporary
file of this host whose process is gone, or one of another host (or without a
process id) untouched for STALE_SECONDS. A temporary of a live process is never
removed, and readers skip hidden files, so leftovers are never taken for tables.

Values look the same in every text format:

- integers as integers; floats in the shortest text that reads back to the same
  float (Python's ``repr``: ``0.1``, ``1.0``, ``1e-05``, ``1.2345e+20``);
  booleans as ``true``/``false``; categories as their values;
- dates as ``YYYY-MM-DD``, datetimes as ``YYYY-MM-DDTHH:MM:SS`` with fractional
  seconds only when a value has them (trailing zeros dropped: ``…:07.5``), and a
  ``Z`` suffix for time-zone-aware columns (written in UTC);
- a date or datetime column with a ``format`` in the schema (written by the user or learned from the
  samples at fit: ``%Y-%m-%d %H:%M:%S``, ``%Y-%m-%dT%H:%M:%S.%3fZ``, ...) in that format instead;
- nulls (NA, NaN, NaT) as JSON ``null`` or an empty CSV field; infinities as
  ``null`` in JSON (which has no infinity) and ``inf``/``-inf`` in CSV.

Which datetime columns are dates comes from the ``schema`` (type ``date``);
without one, every datetime column is written as datetimes. In Parquet, date
columns are stored as ``date32``, and datetimes whose format has ``Z`` or an offset
as UTC timestamps.

Every row is rendered on its own, so the same rows give byte-identical CSV,
JSON Lines and JSON files however they are chunked (small chunks are rendered
several at once); Parquet gets one row group per chunk and holds equal data. The formats:

- ``json``: a JSON array of records, one record per line (``[`` … ``]``);
- ``jsonl``: one compact JSON record per line;
- ``csv``: a header, then one line per row; UTF-8, ``\\n`` line ends, fields
  quoted only when they hold a comma, quote or line break (and empty strings,
  as ``""``, and missing-value tokens a reader may take for a null unquoted, as
  ``"null"`` or ``"NA"``, to tell them from nulls); in a table of one column a null is
  written ``""`` too, since readers skip blank lines;
- ``parquet``: pyarrow's ParquetWriter, schema from the first chunk, pandas
  metadata kept so ``pd.read_parquet`` restores the dtypes.

Rendering is vectorized with ``pyarrow.compute``: each column becomes an Arrow
string array, the columns are joined row-wise, and the joined array's data
buffer is written out as is.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import OutputError, StreamStopped, where
from .generators.base import TEXT_CODES
from .schema import TIME_FORMAT, Schema

FORMATS = ("json", "jsonl", "csv", "parquet")
STALE_SECONDS = 24 * 3600
"""A temporary file whose process cannot be checked (another host, or no process id in its name) is stale once
untouched this long."""

log = logging.getLogger("synthframe")

_SLICE_ROWS = 1 << 17  # rows rendered to text at once: bounds the memory of one rendering step
_MIN_CHUNK_ROWS = 1 << 12  # smaller chunks are joined before they are written
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"),
                 ("\f", "\\f"))
_RARE_CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\n\r\t\b\f"]
Chunk = pd.DataFrame | pa.RecordBatch
"""Part of a table: a DataFrame, or for Parquet also an Arrow RecordBatch of synthframe's types."""
_ARROW_TYPES = {"integer": pa.int64(), "float": pa.float64(), "boolean": pa.bool_(), "string": pa.large_string(),
                "uuid": pa.large_string(), "category": pa.dictionary(pa.int32(), pa.large_string()),
                "date": pa.date32(), "datetime": pa.timestamp("ns")}


def write_tables(tables: Mapping[str, Iterable[Chunk] | Chunk], out_dir: str | Path,
                 fmt: str = "csv", *, overwrite: bool = True, schema: Schema | None = None) -> dict[str, Path]:
    """Write each table's stream of DataFrame chunks to ``out_dir/<table>.<fmt>``; return ``{table: path}``.
    Parquet also takes RecordBatches as made by :func:`generate.iter_record_batches` (the file is the same as
    from their DataFrames).

    ``schema`` (optional) says which datetime columns are dates, and gives the columns of a table whose
    stream yields no chunk at all. With ``overwrite=False`` an existing file is an OutputError, raised
    before anything is written. A stream fed as another table's is read (``fed_by``, from
    :func:`generate.table_streams`) is written on a thread of its own while that table is.
    """
    if fmt not in FORMATS:
        raise OutputError(f"Unknown output format {fmt!r}; use one of {', '.join(FORMATS)}.")
    out = Path(out_dir)
    targets = {name: out / f"{_file_stem(name)}.{fmt}" for name in tables}
    if not overwrite:
        for name, target in targets.items():
            if target.exists():
                raise OutputError(f"{target} already exists; remove it, choose another directory or pass "
                                  f"overwrite=True.", table=name)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the output directory {out}: {exc.strerror or exc}.") from exc
    remove_stale_partials(out)
    # Every table goes to a partial file first; all are renamed together at the end, so a failure at
    # a later table never leaves new parents beside an earlier run's children.
    partials: dict[str, Path] = {}

    def writer(name: str) -> Callable[[IO[bytes]], None]:
        chunks = tables[name]
        dates, formats = _date_columns(schema, name), _time_formats(schema, name)
        if fmt == "parquet":
            return partial(_write_parquet, table=name, chunks=chunks, dates=dates, formats=formats,
                           empty_schema=_empty_schema(schema, name))
        return partial(_write_text, fmt=fmt, table=name, chunks=chunks, dates=dates, formats=formats,
                       schema_columns=_schema_columns(schema, name))

    followers = {name: str(getattr(chunks, "fed_by", None)) for name, chunks in tables.items()
                 if getattr(chunks, "fed_by", None) in tables}
    try:
        for name in tables:
            if name in followers:
                continue  # written beside its parent
            helpers = [_Beside(child, targets[child], writer(child), tables[child])
                       for child, parent in followers.items() if parent == name]
            for helper in helpers:
                helper.start()
            try:
                partials[name] = _write_partial(targets[name], name, writer(name))
            except BaseException as exc:
                close = getattr(tables[name], "close", None)
                if close is not None:
                    close()  # the stream stops, and so do the ones it feeds
                error = _waited(helpers, partials)
                if error is not None and isinstance(exc, StreamStopped):
                    raise error from None  # the table written beside failed first: its error says why
                raise
            error = _waited(helpers, partials)
            if error is not None:
                raise error
        for name, temp in partials.items():
            os.replace(temp, targets[name])
    except BaseException:
        for temp in partials.values():
            temp.unlink(missing_ok=True)
        raise
    return targets


def write_json_document(tables: Mapping[str, Iterable[pd.DataFrame] | pd.DataFrame], path: str | Path,
                        *, schema: Schema | None = None) -> Path:
    """Write one JSON file shaped ``{table: [records]}`` (the HTTP API's response shape), streamed."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the output directory {target.parent}: {exc.strerror or exc}.") from exc
    remove_stale_partials(target.parent)

    def write(f: _Utf8) -> None:
        f.write(b"{")
        for i, (name, chunks) in enumerate(tables.items()):
            f.write(("," if i else "") + "\n" + json.dumps(str(name), ensure_ascii=False) + ": ")
            _write_json_array(f, str(name), chunks, _date_columns(schema, name), _time_formats(schema, name))
        f.write(b"\n}\n" if tables else b"}\n")

    _atomic(target, None, lambda f: write(_Utf8(f)))
    return target


def to_records_json(df: pd.DataFrame, *, date_columns: Collection[str] = (),
                    formats: Mapping[str, str] | None = None) -> str:
    """One chunk as a JSON array of records, exactly as the ``json`` format writes it (one record per line);
    ``formats`` gives date and datetime columns' text formats (:data:`synthframe.schema.TIME_FORMAT`)."""
    body = b"".join(_render_rows(df, "json_array", frozenset(date_columns), None, formats or {}))
    return "[" + body[1:].decode() + "\n]" if body else "[]"


# -- files ----------------------------------------------------------------------------------

def _atomic(target: Path, table: str | None, write: Callable[[IO[bytes]], None]) -> None:
    """Run ``write(file)`` on ``partial_path(target)``; rename it into place only on success."""
    os.replace(_write_partial(target, table, write), target)


_PARTIAL = re.compile(r"^\..+?(?:\.(?P<host>[A-Za-z0-9-]*)-(?P<pid>[0-9]+))?\.partial$")
"""A temporary file's name: ``.<file>.<host>-<pid>.partial`` (``.<file>.partial`` from earlier versions)."""


def _host() -> str:
    """This machine's name as it appears in temporary file names (letters, digits and ``-``)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:64]


def partial_path(target: Path) -> Path:
    """The temporary file ``target`` is written to before it is renamed into place: hidden, and naming this
    host and process, so that a later run can tell a killed run's leftovers from a live run's file."""
    return target.with_name(f".{target.name}.{_host()}-{os.getpid()}.partial")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (one of another user counts)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the temporary files that killed runs left in ``folder``; return them.

    Stale: a temporary of this host whose process no longer exists; one of another host, or without a process
    id, untouched for STALE_SECONDS. A live process's temporary is never removed. Errors are ignored (another
    run may remove the same file at the same time)."""
    removed: list[Path] = []
    host, now = _host(), time.time()
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(".") and e.name.endswith(".partial")]
    except OSError:
        return removed
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        try:
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            if match["pid"] is not None and match["host"] == host:
                stale = not _alive(int(match["pid"]))
            else:
                stale = now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    if removed:
        log.info("removed %d temporary file(s) a killed run left in %s: %s", len(removed), folder,
                 ", ".join(p.name for p in removed))
    return removed


class _Beside(threading.Thread):
    """A table written on a thread of its own while the table whose stream feeds it is written."""

    def __init__(self, name: str, target: Path, write: Callable[[IO[bytes]], None], stream: Any):
        super().__init__(name=f"synthframe-write-{name}", daemon=True)
        self.table, self.target, self.write, self.stream = name, target, write, stream
        self.path: Path | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.path = _write_partial(self.target, self.table, self.write)
        except BaseException as exc:  # handed to the thread that joins it
            self.error = exc
        finally:
            close = getattr(self.stream, "close", None)
            if close is not None:
                close()  # done or failed: the stream feeding it stops if it has not yet


def _waited(helpers: list[_Beside], partials: dict[str, Path]) -> BaseException | None:
    """Wait for ``helpers``; their finished files join ``partials`` (renamed or removed with the others). The
    first error that is not a stop caused by another table, else the first error, else None. Interrupted while
    waiting (Ctrl-C), it stops them, waits again and removes their files before passing the interruption on."""
    try:
        for helper in helpers:
            helper.join()
    except BaseException:
        for helper in helpers:
            stop = getattr(helper.stream, "stop", None)
            if stop is not None:
                stop()
        for helper in helpers:
            helper.join()
            if helper.path is not None:
                helper.path.unlink(missing_ok=True)
        raise
    errors = []
    for helper in helpers:
        if helper.path is not None:
            partials[helper.table] = helper.path
        if helper.error is not None:
            errors.append(helper.error)
    return next((e for e in errors if not isinstance(e, StreamStopped)), errors[0] if errors else None)


def _write_partial(target: Path, table: str | None, write: Callable[[IO[bytes]], None]) -> Path:
    """Run ``write(file)`` on ``partial_path(target)`` and return that path; on failure remove it."""
    temp = partial_path(target)
    try:
        f = open(temp, "wb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OutputError(f"Cannot write {temp}: {exc.strerror or exc}.", table=table) from exc
    try:
        with f:
            write(f)
        return temp
    except BaseException as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"Writing {target} failed: {exc.strerror or exc}; nothing was left behind.",
                              table=table) from exc
        raise


class _Utf8:
    """A binary file that also takes ``str`` (encoded as UTF-8)."""

    def __init__(self, f: IO[bytes]):
        self.f = f

    def write(self, data: str | bytes | memoryview) -> None:
        self.f.write(data.encode() if isinstance(data, str) else data)


def _file_stem(name: Any) -> str:
    text = str(name)
    if not text or text in (".", "..") or any(c in text for c in "/\\\0"):
        raise OutputError(f"Table name {text!r} cannot be a file name; rename the table (no '/', '\\' or "
                          f"NUL, not '.' or '..').", table=text)
    return text


def _date_columns(schema: Schema | None, table: str) -> frozenset[str]:
    if schema is None or table not in schema.tables:
        return frozenset()
    return frozenset(c.name for c in schema.tables[table].columns.values() if c.type == "date")


def _time_formats(schema: Schema | None, table: str) -> dict[str, str]:
    """The text formats the schema gives (or the fit learned) for the table's dates and datetimes."""
    if schema is None or table not in schema.tables:
        return {}
    return {c.name: c.format for c in schema.tables[table].columns.values() if c.format is not None}


def _schema_columns(schema: Schema | None, table: str) -> list[str] | None:
    if schema is None or table not in schema.tables:
        return None
    return list(schema.tables[table].columns)


def _text_chunks(table: str, chunks: Iterable[pd.DataFrame] | pd.DataFrame) -> Iterator[pd.DataFrame]:
    """:func:`_chunks`, with consecutive chunks smaller than :data:`_MIN_CHUNK_ROWS` joined first, since rendering
    a chunk as text has a fixed cost (rows render alone: the same bytes result)."""
    small: list[pd.DataFrame] = []
    held = 0
    for chunk in _chunks(table, chunks):
        if len(chunk) >= _MIN_CHUNK_ROWS and not small:
            yield chunk
            continue
        small.append(chunk)
        held += len(chunk)
        if held >= _MIN_CHUNK_ROWS:
            yield _joined(small)
            small, held = [], 0
    if small:
        yield _joined(small)


def _joined(chunks: list[pd.DataFrame]) -> pd.DataFrame:
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, copy=False)


def _chunks(table: str, chunks: Iterable[Chunk] | Chunk, batches: bool = False) -> Iterator[Chunk]:
    """The chunks of one table, checked to be DataFrames (or, with ``batches``, Arrow RecordBatches) with the
    same columns."""
    kinds = (pd.DataFrame, pa.RecordBatch) if batches else (pd.DataFrame,)
    if isinstance(chunks, kinds):
        chunks = [chunks]
    if not isinstance(chunks, Iterable):
        raise OutputError(f"Table '{table}' must be given as a DataFrame or an iterable of DataFrames; got "
                          f"{type(chunks).__name__}.", table=table)
    columns: list[str] | None = None
    for chunk in chunks:
        if not isinstance(chunk, kinds):
            raise OutputError(f"Table '{table}' yielded a {type(chunk).__name__} where a DataFrame chunk was "
                              f"expected.", table=table)
        names = [str(c) for c in (chunk.columns if isinstance(chunk, pd.DataFrame) else chunk.schema.names)]
        if columns is None:
            columns = names
            if len(set(names)) != len(names):
                raise OutputError(f"Table '{table}' has duplicate column names {names}; make them unique.",
                                  table=table)
        elif names != columns:
            raise OutputError(f"A chunk of table '{table}' has columns {names}, but the first chunk had "
                              f"{columns}; every chunk must have the same columns in the same order.", table=table)
        yield chunk


def _arrow_table(table: str, df: pd.DataFrame, dates: frozenset[str]) -> pa.Table:
    """A chunk as an Arrow table, date columns as ``date32``."""
    df = df.set_axis([str(c) for c in df.columns], axis=1)
    try:
        out = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        bad = next((c for c in df.columns if not _converts(df[c])), None)
        raise OutputError(f"Column {where(table, bad)} cannot be written: {exc}. Give it one of the dtypes "
                          f"synthframe generates (Int64, float64, boolean, string, category, datetime64).",
                          table=table, column=bad) from exc
    for name in dates & set(out.column_names):
        i = out.column_names.index(name)
        if pa.types.is_timestamp(out.schema.field(i).type):
            out = out.set_column(i, pa.field(name, pa.date32()), _days(out.column(i).combine_chunks()))
    return out


def _converts(series: pd.Series) -> bool:
    try:
        pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return False
    return True


# -- parquet ---------------------------------------------------------------------------------

def _write_parquet(f: IO[bytes], *, table: str, chunks: Iterable[Chunk] | Chunk,
                   dates: frozenset[str], formats: Mapping[str, str], empty_schema: pa.Schema) -> None:
    writer: pq.ParquetWriter | None = None
    try:
        for chunk in _chunks(table, chunks, batches=True):
            stored = None
            if isinstance(chunk, pa.RecordBatch):
                if writer is None:
                    stored = _first_schema(table, chunk, dates, formats)
                data = _batch_table(table, chunk, dates, formats,
                                    _coded_schema(stored, chunk.schema) if writer is None else writer.schema)
            else:
                data = _utc(_arrow_table(table, chunk, dates), formats)
            if writer is None:
                writer = _parquet_writer(f, data, stored)
            elif not data.schema.equals(writer.schema, check_metadata=False):
                try:
                    data = data.cast(writer.schema)
                except (pa.ArrowException, ValueError) as exc:
                    raise OutputError(f"A chunk of table '{table}' has types {data.schema.types} that do not "
                                      f"match the first chunk's {writer.schema.types}: {exc}.", table=table) from exc
            writer.write_table(data, row_group_size=max(data.num_rows, 1))
        if writer is None:  # no chunk at all: an empty file with the schema's columns
            writer = pq.ParquetWriter(f, empty_schema)
    finally:
        if writer is not None:
            writer.close()


_DICTIONARY_SHARE = 8
"""A column is dictionary-encoded in Parquet when its first chunk has at most one distinct value in this many
rows (categories always): near-unique columns (keys, prices, free text) are written plain, which is faster and
about as small."""


def _parquet_writer(f: IO[bytes], data: pa.Table, stored: pa.Schema | None) -> pq.ParquetWriter:
    """A writer for chunks like ``data``. Text kept as pool positions is written as such (its dictionary page is
    the pool's used entries), and the file records the ``stored`` schema (text as text), so the file reads
    back exactly as one written from strings."""
    use_dictionary = _dictionary_columns(data)
    if stored is None or stored.equals(data.schema, check_metadata=False):
        return pq.ParquetWriter(f, data.schema, use_dictionary=use_dictionary)
    if not _RECORDS_ANOTHER_SCHEMA:  # the text as strings
        return _DecodingWriter(pq.ParquetWriter(f, stored, use_dictionary=use_dictionary))
    # Arrow records the schema it was given (serialized, base64-encoded) under ARROW:schema, and writes dictionary
    # arrays as such only when it records one; the key's value is replaced by the stored schema's at close
    coded = _coded_text(data.schema)
    statistics = [name for i, name in enumerate(data.column_names) if i not in coded]
    writer = pq.ParquetWriter(f, data.schema, use_dictionary=use_dictionary, write_statistics=statistics)
    writer.add_key_value_metadata({b"ARROW:schema": base64.b64encode(stored.serialize().to_pybytes()),
                                   **(stored.metadata or {})})
    return writer


_RECORDS_ANOTHER_SCHEMA = hasattr(pq.ParquetWriter, "add_key_value_metadata")
"""Whether this pyarrow (17 and later) can record a schema other than the one it writes."""


class _DecodingWriter:
    """A Parquet writer that takes pool positions and writes their strings (for a pyarrow that cannot record
    another schema than the one it writes)."""

    def __init__(self, writer: pq.ParquetWriter):
        self.writer = writer
        self.schema = writer.schema

    def write_table(self, data: pa.Table, row_group_size: int | None = None) -> None:
        coded = _coded_text(data.schema)
        columns = [c.combine_chunks().dictionary_decode() if i in coded else c for i, c in enumerate(data.columns)]
        self.writer.write_table(pa.Table.from_arrays(columns, names=data.column_names).cast(self.schema),
                                row_group_size=row_group_size)

    def close(self) -> None:
        self.writer.close()


def _first_schema(table: str, batch: pa.RecordBatch, dates: frozenset[str], formats: Mapping[str, str]) -> pa.Schema:
    """The Arrow schema (with pandas metadata) that a batch's DataFrame gives, its pooled text as text."""
    from .generate import to_frame

    return _utc(_arrow_table(table, to_frame(_decoded(batch.slice(0, 0))), dates), formats).schema


def _decoded(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with its pooled text as strings."""
    coded = _coded_text(batch.schema)
    if not coded:
        return batch
    return pa.RecordBatch.from_arrays([c.dictionary_decode() if i in coded else c for i, c in enumerate(batch.columns)],
                                      names=batch.schema.names)


def _coded_text(schema: pa.Schema) -> set[int]:
    """Positions of the fields that hold text as pool positions (marked by the engine)."""
    return {i for i, field in enumerate(schema)
            if field.metadata and TEXT_CODES in field.metadata and pa.types.is_dictionary(field.type)}


def _coded_schema(stored: pa.Schema | None, given: pa.Schema) -> pa.Schema | None:
    """``stored`` with the text that ``given`` holds as pool positions as dictionary arrays of strings."""
    coded = _coded_text(given)
    if stored is None or not coded:
        return stored
    fields = [pa.field(f.name, pa.dictionary(pa.int32(), pa.string()), metadata={TEXT_CODES: b"pool"})
              if i in coded and f.name == given.field(i).name else f for i, f in enumerate(stored)]
    return pa.schema(fields, metadata=stored.metadata)


def _used_entries(column: pa.DictionaryArray) -> pa.DictionaryArray:
    """A pool-position column with only the distinct pool entries its rows use, renumbered: a file's dictionary
    then holds a batch's values, not a whole pool of names, and each once (a name several locales share is in
    the pool several times; Parquet writes a dictionary with repeats as plain values)."""
    indices = column.indices
    valid = indices.is_valid().to_numpy(zero_copy_only=False) if indices.null_count else None
    codes = indices.fill_null(0).to_numpy(zero_copy_only=False) if indices.null_count else \
        indices.to_numpy(zero_copy_only=False)
    if not len(column.dictionary):  # nothing drawn: every row null
        return pa.DictionaryArray.from_arrays(pa.nulls(len(column), pa.int32()), pa.array([], pa.string()))
    used = np.bincount(codes if valid is None else codes[valid], minlength=len(column.dictionary)) > 0
    distinct = pc.dictionary_encode(column.dictionary.filter(pa.array(used)))  # the few used entries
    renumber = np.full(len(used), -1, dtype=np.int32)
    renumber[used] = pc.fill_null(distinct.indices, -1).to_numpy(zero_copy_only=False)  # a null entry: -1
    renumbered = renumber[codes]
    missing = renumbered < 0 if valid is None else (renumbered < 0) | ~valid
    return pa.DictionaryArray.from_arrays(pa.array(np.maximum(renumbered, 0), mask=missing if missing.any() else None),
                                          distinct.dictionary)


def _dictionary_columns(data: pa.Table) -> list[str]:
    """The columns worth a Parquet dictionary, judged on the first chunk (the same chunks give the same file)."""
    names = []
    for name, column in zip(data.column_names, data.columns):
        if pa.types.is_dictionary(column.type):
            names.append(name)
            continue
        try:
            # a quarter of the rows already shows most near-unique columns (a count that can only grow)
            low = all(pc.count_distinct(part, mode="all").as_py() * _DICTIONARY_SHARE <= len(column)
                      for part in (column.slice(0, len(column) // 4), column))
        except pa.ArrowNotImplementedError:
            low = True
        if low:
            names.append(name)
    return names


_DIRECT_TYPES = (pa.types.is_int64, pa.types.is_float64, pa.types.is_boolean, pa.types.is_string,
                 pa.types.is_large_string, pa.types.is_timestamp)


def _batch_table(table: str, batch: pa.RecordBatch, dates: frozenset[str], formats: Mapping[str, str],
                 schema: pa.Schema | None) -> pa.Table:
    """A RecordBatch of synthframe's types as the Arrow table its DataFrame (:func:`generate.to_frame`) would
    give, without making the DataFrame: date columns as ``date32``, NaN as null, and the types and pandas
    metadata of ``schema`` (the first chunk's; computed through pandas from no rows when None). A batch with
    other types goes through pandas."""
    from .generate import to_frame

    coded = _coded_text(batch.schema)
    if not all(_direct_type(t) for t in batch.schema.types):
        return _utc(_arrow_table(table, to_frame(_decoded(batch)), dates), formats)
    if schema is None:
        schema = _coded_schema(_first_schema(table, batch, dates, formats), batch.schema)
    columns = []
    for i, (name, column) in enumerate(zip(batch.schema.names, batch.columns)):
        if i in coded:
            column = _used_entries(column)
        elif name in dates and pa.types.is_timestamp(column.type):
            column = _days(column)
        elif pa.types.is_floating(column.type) and pc.any(pc.is_nan(column)).as_py():
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)  # pandas writes NaN as null
        columns.append(column)
    data = _utc(pa.Table.from_arrays(columns, names=batch.schema.names), formats)
    try:
        return data.cast(schema)
    except (pa.ArrowException, ValueError):  # names or types the first chunk does not have: say so below
        return data


def _direct_type(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        return pa.types.is_integer(kind.index_type) and pa.types.is_string(kind.value_type)
    return any(test(kind) for test in _DIRECT_TYPES)


def _utc(data: pa.Table, formats: Mapping[str, str]) -> pa.Table:
    """Naive timestamps of columns whose format has ``Z`` or an offset, as UTC timestamps."""
    for name, fmt in formats.items():
        if name in data.column_names and re.fullmatch(TIME_FORMAT, fmt)["zone"]:
            i = data.column_names.index(name)
            kind = data.schema.field(i).type
            if pa.types.is_timestamp(kind) and kind.tz is None:
                data = data.set_column(i, name, pc.assume_timezone(data.column(i), "UTC"))
    return data


def _empty_schema(schema: Schema | None, table: str) -> pa.Schema:
    if schema is None or table not in schema.tables:
        return pa.schema([])
    return pa.schema([pa.field(c.name, _ARROW_TYPES[c.type]) for c in schema.tables[table].columns.values()])


# -- text formats ----------------------------------------------------------------------------

def _write_text(f: IO[bytes], *, fmt: str, table: str, chunks: Iterable[pd.DataFrame] | pd.DataFrame,
                dates: frozenset[str], formats: Mapping[str, str], schema_columns: list[str] | None) -> None:
    if fmt == "json":
        _write_json_array(_Utf8(f), table, chunks, dates, formats)
        f.write(b"\n")
        return
    header_done = False
    for chunk in _text_chunks(table, chunks):
        if fmt == "csv" and not header_done:
            f.write(_csv_header([str(c) for c in chunk.columns]))
            header_done = True
        for block in _render_rows(chunk, fmt, dates, table, formats):
            f.write(block)
    if fmt == "csv" and not header_done and schema_columns is not None:
        f.write(_csv_header(schema_columns))


def _write_json_array(f: _Utf8, table: str, chunks: Iterable[pd.DataFrame] | pd.DataFrame,
                      dates: frozenset[str], formats: Mapping[str, str]) -> None:
    """``[`` then ``\\n{record}`` joined by commas, then ``\\n]`` (``[]`` when there is no row)."""
    f.write(b"[")
    first = True
    for chunk in _text_chunks(table, chunks):
        for block in _render_rows(chunk, "json_array", dates, table, formats):
            f.write(block[1:] if first else block)  # each row starts ",\n"; the first drops its comma
            first = False
    f.write(b"]" if first else b"\n]")


def _csv_header(names: list[str]) -> bytes:
    return (",".join(_csv_quote(n) for n in names) + "\n").encode()


def _csv_quote(text: str) -> str:
    from .samples import CSV_NULLS, MISSING_TOKENS

    if text == "" or text in CSV_NULLS or text.strip().lower() in MISSING_TOKENS or any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _render_rows(df: pd.DataFrame, flavor: str, dates: frozenset[str], table: str | None,
                 formats: Mapping[str, str] | None = None) -> Iterator[memoryview]:
    """The rows of ``df`` as bytes, a block of rows at a time.

    ``flavor`` is ``csv`` (``a,b\\n``), ``jsonl`` (``{..}\\n``) or ``json_array`` (``,\\n{..}``); ``formats``
    gives columns' date and datetime text formats.
    """
    if len(df) == 0 or len(df.columns) == 0:
        return
    data = _arrow_table(table or "records", df, dates)
    template = _row_template(data.column_names, flavor)
    formats = formats or {}
    for start in range(0, data.num_rows, _SLICE_ROWS):
        piece = data.slice(start, _SLICE_ROWS)
        rendered = [_render(piece.column(i).combine_chunks(), flavor != "csv", table, name, formats.get(name))
                    for i, name in enumerate(piece.column_names)]
        if flavor == "csv" and len(rendered) == 1:
            # A null alone on its line would be a blank line, which CSV readers skip: write it as "".
            rendered[0] = pc.if_else(pc.equal(pc.binary_length(rendered[0]), 0), _lit('""'), rendered[0])
        columns = iter(rendered)
        rows = pc.binary_join_element_wise(*[next(columns) if t is None else _lit(t) for t in template], _lit(""))
        yield _string_bytes(rows)


def _row_template(names: list[str], flavor: str) -> list[str | None]:
    """Literal text and one ``None`` slot per column; filled in and concatenated, they make a row."""
    if flavor == "csv":
        return [part for i in range(len(names)) for part in (None, "," if i < len(names) - 1 else "\n")]
    head = ",\n{" if flavor == "json_array" else "{"
    template: list[str | None] = []
    for i, name in enumerate(names):
        template += [(head if i == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":", None]
    template.append("}")
    if flavor == "jsonl":
        template.append("\n")
    return template


def _string_bytes(rows: pa.Array) -> memoryview:
    """The concatenated contents of a string array with no nulls, straight from its data buffer."""
    _, offsets, data = rows.buffers()
    width = np.int64 if pa.types.is_large_string(rows.type) else np.int32
    ends = np.frombuffer(offsets, dtype=width)
    begin, end = int(ends[rows.offset]), int(ends[rows.offset + len(rows)])
    return memoryview(data)[begin:end] if data is not None else memoryview(b"")


# -- rendering one column -----------------------------------------------------------------------

def _render(arr: pa.Array, json_text: bool, table: str | None, column: str,
            time_format: str | None = None) -> pa.Array:
    """A column as text (large_string, no nulls): JSON literals or CSV fields."""
    null = "null" if json_text else ""
    if pa.types.is_dictionary(arr.type):
        levels = _render(arr.dictionary, json_text, table, column, time_format)
        out = pc.take(levels, arr.indices)
    else:
        out = _render_plain(arr, json_text, table, column, time_format)
    return pc.cast(out, pa.large_string()).fill_null(null)


def _render_plain(arr: pa.Array, json_text: bool, table: str | None, column: str,
                  time_format: str | None = None) -> pa.Array:
    t = arr.type
    if time_format is not None and (pa.types.is_date(t) or pa.types.is_timestamp(t)):
        text = _formatted_time(arr if pa.types.is_timestamp(t) else pc.cast(arr, pa.timestamp("s")), time_format)
        return _quoted(text) if json_text else text
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.large_string())
    if pa.types.is_integer(t) or pa.types.is_decimal(t):
        return pc.cast(arr, pa.large_string())
    if pa.types.is_boolean(t):
        return pc.cast(arr, pa.large_string())
    if pa.types.is_floating(t):
        return _float_text(arr, json_text)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view":
        arr = pc.cast(arr, pa.large_string())
        return _json_string(arr) if json_text else _csv_string(arr)
    if pa.types.is_date(t):
        text = pc.cast(pc.cast(arr, pa.date32()), pa.large_string())
        return _quoted(text) if json_text else text
    if pa.types.is_timestamp(t):
        text = _timestamp_text(arr)
        return _quoted(text) if json_text else text
    raise OutputError(f"Column {where(table, column)} has Arrow type {t}, which synthframe cannot write as text; "
                      f"convert it to a number, string, category or datetime.", table=table, column=column)


def _quoted(text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(_lit('"'), text, _lit('"'), _lit(""))


def _float_text(arr: pa.Array, json_text: bool) -> pa.Array:
    """Floats as Python's ``repr`` would write them (shortest round-trip text)."""
    arr = pc.cast(arr, pa.float64())
    values = arr.to_numpy(zero_copy_only=False)
    text = pc.cast(arr, pa.large_string())
    finite = np.isfinite(values)
    size = np.abs(np.where(finite, values, 0.0))
    # Arrow's shortest text matches repr() except in the exponent ranges where the two switch between
    # positional and scientific notation differently; those (rare) values are written by NumPy instead.
    odd = finite & (((size >= 9e-10) & (size < 1.1e-4)) | ((size >= 9e9) & (size < 1.1e16)))
    whole = finite & (size < 9e9) & (values == np.floor(values))  # Arrow writes 2.0 as "2"; repr says "2.0"
    if whole.any():
        text = pc.if_else(pa.array(whole), pc.binary_join_element_wise(text, _lit(".0"), _lit("")), text)
    if odd.any():
        text = pc.replace_with_mask(text, pa.array(odd), pa.array(values[odd].astype(str), pa.large_string()))
    shown = finite if json_text else ~np.isnan(values)  # NaN is null; JSON has no infinity either
    if not shown.all():
        text = pc.if_else(pa.array(shown), text, pa.scalar(None, pa.large_string()))
    return text


def _json_string(arr: pa.Array) -> pa.Array:
    """Strings as JSON string literals, escaped the way ``json.dumps(..., ensure_ascii=False)`` does."""
    special = pc.match_substring_regex(arr, r'["\\\x00-\x1f]').fill_null(False)
    if pc.any(special).as_py():
        sub = arr.filter(special)
        for raw, escaped in _JSON_ESCAPES:
            sub = pc.replace_substring(sub, raw, escaped)
        if pc.any(pc.match_substring_regex(sub, r"[\x00-\x1f]")).as_py():
            for c in _RARE_CONTROLS:
                sub = pc.replace_substring(sub, c, f"\\u{ord(c):04x}")
        arr = pc.replace_with_mask(arr, special, sub)
    return _quoted(arr)


def _csv_string(arr: pa.Array) -> pa.Array:
    """Strings as CSV fields, quoted only when they hold a comma, quote or line break, are empty, or are a
    missing-value token (``null``, ``NA``, ``-``, ...: :data:`samples.CSV_NULLS`, :data:`samples.MISSING_TOKENS`),
    which a reader may take for a null unquoted; quoted, synthframe's reader keeps them as text."""
    from .samples import CSV_NULLS, MISSING_TOKENS

    token = pc.or_(pc.is_in(arr, value_set=pa.array(CSV_NULLS, arr.type)),
                   pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(arr)), value_set=pa.array(MISSING_TOKENS, arr.type)))
    needs = pc.or_(pc.or_(pc.match_substring_regex(arr, '[",\r\n]'), pc.equal(pc.binary_length(arr), 0)),
                   token).fill_null(False)
    if pc.any(needs).as_py():
        sub = _quoted(pc.replace_substring(arr.filter(needs), '"', '""'))
        arr = pc.replace_with_mask(arr, needs, sub)
    return arr


def _days(arr: pa.Array) -> pa.Array:
    """Timestamps as ``date32`` days (floored; UTC for time-zone-aware columns)."""
    per_day = 86_400 * _per_second(arr.type.unit)
    ticks = pc.cast(arr, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    days = np.floor_divide(ticks, per_day).astype(np.int32)
    return pa.array(days, pa.date32(), mask=nulls if nulls.any() else None)


def _timestamp_text(arr: pa.Array) -> pa.Array:
    """``YYYY-MM-DDTHH:MM:SS``, then ``.fraction`` when not zero (trailing zeros dropped), ``Z`` when tz-aware."""
    per_second = _per_second(arr.type.unit)
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    ticks = pc.cast(arr, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    seconds = np.floor_divide(ticks, per_second)
    stamp = pa.array(seconds, pa.timestamp("s"), mask=nulls if nulls.any() else None)
    text = pc.replace_substring(pc.cast(stamp, pa.large_string()), " ", "T", max_replacements=1)
    if per_second > 1:
        frac = ticks - seconds * per_second
        has = frac != 0
        if has.any():
            digits = len(str(per_second)) - 1
            part = pc.utf8_rtrim(pc.utf8_lpad(pc.cast(pa.array(frac), pa.large_string()), digits, "0"), "0")
            part = pc.if_else(pa.array(has), pc.binary_join_element_wise(_lit("."), part, _lit("")), _lit(""))
            text = pc.binary_join_element_wise(text, part, _lit(""))
    if arr.type.tz is not None:
        text = pc.binary_join_element_wise(text, _lit("Z"), _lit(""))
    return text


def _formatted_time(arr: pa.Array, time_format: str) -> pa.Array:
    """Timestamps written in ``time_format`` (:data:`synthframe.schema.TIME_FORMAT`; values in UTC)."""
    parts = re.fullmatch(TIME_FORMAT, time_format)
    if parts is None:
        raise OutputError(f"Unknown date format {time_format!r}; see synthframe.schema.TIME_FORMAT.")
    per_second = _per_second(arr.type.unit)
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    ticks = pc.cast(arr, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    seconds = np.floor_divide(ticks, per_second)
    stamp = pa.array(seconds, pa.timestamp("s"), mask=nulls if nulls.any() else None)
    text = pc.cast(stamp, pa.large_string())  # YYYY-MM-DD HH:MM:SS
    if parts["sep"] is None:
        return pc.utf8_slice_codeunits(text, 0, 10)
    if parts["sep"] != " ":
        text = pc.replace_substring(text, " ", parts["sep"], max_replacements=1)
    if parts["seconds"] is None:
        text = pc.utf8_slice_codeunits(text, 0, 16)
    elif parts["digits"] is not None:
        digits = int(parts["digits"] or 6)
        frac = (ticks - seconds * per_second) * 10**digits // per_second
        part = pc.utf8_lpad(pc.cast(pa.array(frac), pa.large_string()), digits, "0")
        text = pc.binary_join_element_wise(text, _lit("."), part, _lit(""))
    zone = {"Z": "Z", "%:z": "+00:00", "%z": "+0000"}.get(parts["zone"] or "", "")
    return pc.binary_join_element_wise(text, _lit(zone), _lit("")) if zone else text


def _lit(text: str) -> pa.Scalar:
    """A ``large_string`` scalar, to join with the ``large_string`` columns."""
    return pa.scalar(text, pa.large_string())


def _per_second(unit: str) -> int:
    return {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit]
