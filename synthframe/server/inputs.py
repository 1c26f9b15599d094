"""Read one API request — JSON or multipart/form-data — into :class:`Inputs`, checking shape and limits.

Both encodings carry the same fields:

=================  ==========================================  =============================================
field              JSON body                                    multipart/form-data
=================  ==========================================  =============================================
``schema``         object, or null/absent to infer it          a file (or text field) holding the schema JSON
``sampleData``     ``{table: [records]}`` (required)            ``samples``: one file per table (required)
``recordCounts``   ``{table: n}``                               text holding that JSON object
``seed``           integer, 0 to 2**63 - 1 (default 0)          text
``format``         ``json`` (default), ``csv``, ``jsonl``,      text
                   ``parquet``
``limit``          preview rows per table, 1 to 100 (10)        text
=================  ==========================================  =============================================

A request whose content type is not ``multipart/form-data`` is read as JSON
(so ``curl -d @request.json`` works without a header). Uploaded files are read
from memory by :func:`synthframe.samples.read_sample_files`; nothing here writes
to disk or logs what was sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ..errors import SampleError, SchemaError
from ..schema import load_json_text
from ..write import FORMATS
from .config import ServerConfig
from .errors import RequestError, over_limit

if TYPE_CHECKING:
    import flask
    import pandas as pd

FIELDS = ("schema", "sampleData", "recordCounts", "seed", "format", "limit")
"""Fields of a JSON request body."""
FORM_FIELDS = ("schema", "samples", "recordCounts", "seed", "format", "limit")
"""Fields of a multipart/form-data request."""
MAX_SEED = 2**63 - 1
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
"""Preview rows per table: default and most."""


@dataclass(frozen=True)
class Inputs:
    """One request's inputs, checked for shape and size but not yet for meaning.

    ``schema`` is a dict (or None, to infer one); ``samples`` is ``{table: [records]}``
    from a JSON body or ``{file name: bytes}`` from an upload (``uploaded``). ``digest``
    identifies schema plus samples (the model cache's key).
    """

    schema: Mapping[str, Any] | None
    samples: Mapping[str, Any]
    uploaded: bool
    counts: Mapping[str, Any] | None
    seed: int
    format: str
    limit: int
    digest: str | None


def read_inputs(request: flask.Request, config: ServerConfig) -> Inputs:
    """The request's inputs, from a JSON body or a multipart form."""
    if request.mimetype == "multipart/form-data":
        inputs = _from_form(request)
    else:
        raw = request.get_data(cache=False)
        if request.content_length is None and len(raw) >= config.max_body_bytes:
            # a chunked body: Werkzeug stops reading at the limit without saying so
            from werkzeug.exceptions import RequestEntityTooLarge

            raise RequestEntityTooLarge()
        inputs = _from_json(raw)
    _refuse_lone_surrogates(inputs.schema, "schema")
    _refuse_lone_surrogates(dict(inputs.counts or {}), "recordCounts")
    check_schema_size(inputs.schema, config)
    if len(inputs.samples) > config.max_tables:
        raise over_limit(config, "max_tables", f"The samples hold {len(inputs.samples)} tables")
    return inputs


# -- JSON ---------------------------------------------------------------------------------

def _from_json(raw: bytes) -> Inputs:
    if not raw.strip():
        raise RequestError("The request body is empty; send a JSON object {\"sampleData\": {table: [records]}, "
                           "\"schema\": ..., \"recordCounts\": {table: n}} or a multipart/form-data upload.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RequestError("The request body is not UTF-8 text; send JSON encoded as UTF-8.") from None
    try:
        body = load_json_text(text, what="request")
    except SchemaError as exc:  # not JSON, or a key named twice in one object
        raise RequestError(exc.message, table=exc.table, column=exc.column) from None
    except (ValueError, RecursionError):
        raise RequestError("The request body cannot be read as JSON: a number is too long or the nesting too "
                           "deep.") from None
    if not isinstance(body, dict):
        raise RequestError(f"The request body must be a JSON object with 'sampleData' (and optionally 'schema', "
                           f"'recordCounts', 'seed', 'format'); got a JSON {_json_type(body)}.")
    unknown = [k for k in body if k not in FIELDS]
    if unknown:
        raise RequestError(f"Unknown field(s) {unknown} in the request; the fields are {list(FIELDS)}.")
    if "sampleData" not in body:
        raise RequestError("The request has no 'sampleData'; give {table: [records]} (it may be {} when a schema "
                           "is given, to generate from types and hints alone).")
    samples = body["sampleData"]
    if not isinstance(samples, dict):
        raise RequestError(f"'sampleData' must be an object {{table: [records]}}; got a JSON {_json_type(samples)}.")
    schema = body.get("schema")
    if schema is not None and not isinstance(schema, dict):
        raise RequestError(f"'schema' must be an object {{\"tables\": ...}} or null (to infer it from the samples); "
                           f"got a JSON {_json_type(schema)}.")
    if schema is None and not samples:
        raise RequestError("'sampleData' is empty and there is no schema: give sample rows, a schema, or both.")
    return Inputs(schema=schema, samples=samples, uploaded=False, counts=_counts(body.get("recordCounts")),
                  seed=_seed(body.get("seed", 0)), format=_format(body.get("format", "json")),
                  limit=_limit(body.get("limit", DEFAULT_LIMIT)), digest=_json_digest(schema, samples))


def _json_digest(schema: Any, samples: Any) -> str | None:
    try:
        text = json.dumps([schema, samples], separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return "json:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# -- multipart ----------------------------------------------------------------------------

def _from_form(request: flask.Request) -> Inputs:
    form, files = request.form, request.files
    # A part whose name the form parser cannot read comes back with the name None.
    unknown = sorted({str(k) for k in (*form.keys(), *files.keys()) if k not in FORM_FIELDS})
    if unknown:
        raise RequestError(f"Unknown form field(s) {unknown}; the fields are {list(FORM_FIELDS)}.")
    if form.getlist("samples"):
        raise RequestError("'samples' must be uploaded as files with a file name such as customers.csv, one per "
                           "table; it was sent as a plain form field.")
    samples: dict[str, bytes] = {}
    schema_file: bytes | None = None
    for upload in files.getlist("samples"):
        data = upload.read()
        name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
        if not name and not data:
            continue  # a file input left empty in a browser form
        if not name:
            raise RequestError("Every 'samples' file needs a file name such as customers.csv (the table name is "
                               "its stem).")
        if name.lower() == "schema.json":
            schema_file = data
            continue
        if name in samples:
            stem = PurePosixPath(name).stem
            raise SampleError(f"Table '{stem}' has two sample files named {name}; keep one of them.", table=stem)
        samples[name] = data
    schema_parts = [u.read() for u in files.getlist("schema")] + [t.encode("utf-8") for t in form.getlist("schema")]
    schema_parts = [p for p in schema_parts if p.strip()]
    if len(schema_parts) > 1 or (schema_parts and schema_file is not None):
        raise RequestError("More than one schema was sent (a 'schema' field and/or a schema.json among the "
                           "samples); send one.")
    schema_bytes = schema_parts[0] if schema_parts else schema_file
    schema = _schema_from_bytes(schema_bytes) if schema_bytes is not None else None
    if not samples and schema is None:
        raise RequestError("No sample files were uploaded: send one 'samples' file per table (CSV, JSON, JSONL or "
                           "Parquet, named <table>.<ext>), and optionally a 'schema' file.")
    digest = hashlib.sha256()
    digest.update(schema_bytes or b"")
    for name, data in samples.items():
        digest.update(b"\0" + name.encode("utf-8", "surrogatepass") + b"\0" + len(data).to_bytes(8, "little") + data)
    return Inputs(schema=schema, samples=samples, uploaded=True,
                  counts=_counts(_form_json(form.get("recordCounts"), "recordCounts")),
                  seed=_seed(_form_int(form.get("seed"), "seed", 0)),
                  format=_format(form.get("format") or "json"),
                  limit=_limit(_form_int(form.get("limit"), "limit", DEFAULT_LIMIT)),
                  digest="form:" + digest.hexdigest())


def _schema_from_bytes(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaError("The schema file is not UTF-8 text; save it as UTF-8 JSON.") from None
    try:
        schema = load_json_text(text, what="schema")
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, SchemaError):
            raise
        raise SchemaError("The schema file cannot be read as JSON: a number is too long or the nesting too "
                          "deep.") from None
    if not isinstance(schema, dict):
        raise SchemaError(f"The schema file must hold a JSON object {{\"tables\": ...}}; got a JSON "
                          f"{_json_type(schema)}.")
    return schema


def _form_json(text: str | None, name: str) -> Any:
    if text is None or not text.strip():
        return None
    try:
        return load_json_text(text, what=name)
    except (ValueError, RecursionError):
        raise RequestError(f"The form field '{name}' must hold a JSON object such as {{\"customers\": 1000}}; "
                           f"it cannot be read as JSON.") from None


def _form_int(text: str | None, name: str, default: int) -> Any:
    if text is None or not text.strip():
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise RequestError(f"The form field '{name}' must be a whole number; got {text[:40]!r}.") from None


# -- fields -------------------------------------------------------------------------------

def _counts(value: Any) -> Mapping[str, Any] | None:
    """``recordCounts``: an object or nothing; its values are checked by the library (422 naming the table)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestError(f"'recordCounts' must be an object {{table: number of rows}}; got a JSON "
                           f"{_json_type(value)}.")
    return value


def _whole(value: Any) -> int | None:
    """``value`` as an int when it is a whole JSON number (``3`` or ``3.0``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _seed(value: Any) -> int:
    seed = _whole(value)
    if seed is None or not 0 <= seed <= MAX_SEED:
        raise RequestError(f"'seed' must be a whole number from 0 to {MAX_SEED}; got {value!r}.")
    return seed


def _format(value: Any) -> str:
    if not isinstance(value, str) or value not in FORMATS:
        raise RequestError(f"'format' must be one of {list(FORMATS)}; got {value!r}.")
    return value


def _limit(value: Any) -> int:
    limit = _whole(value)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise RequestError(f"'limit' (preview rows per table) must be a whole number from 1 to {MAX_LIMIT}; "
                           f"got {value!r}.")
    return limit


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# -- limits -------------------------------------------------------------------------------

def check_schema_size(schema: Mapping[str, Any] | None, config: ServerConfig) -> None:
    """Tables and columns of a schema written as data, counted before it is parsed."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("tables"), Mapping):
        return
    tables = schema["tables"]
    if len(tables) > config.max_tables:
        raise over_limit(config, "max_tables", f"The schema has {len(tables)} tables")
    for name, spec in tables.items():
        columns = spec.get("columns") if isinstance(spec, Mapping) else None
        if isinstance(columns, Mapping) and len(columns) > config.max_columns:
            raise over_limit(config, "max_columns", f"Table '{name}' has {len(columns)} columns",
                             table=str(name))


def check_frame_sizes(frames: Mapping[str, pd.DataFrame], config: ServerConfig) -> None:
    """Tables, rows and columns of the samples as read."""
    if len(frames) > config.max_tables:
        raise over_limit(config, "max_tables", f"The samples hold {len(frames)} tables")
    rows = sum(len(frame) for frame in frames.values())
    if rows > config.max_rows:
        raise over_limit(config, "max_rows", f"The samples hold {rows:,} rows in all")
    for name, frame in frames.items():
        if frame.shape[1] > config.max_columns:
            raise over_limit(config, "max_columns", f"Table '{name}' has {frame.shape[1]} columns in its samples",
                             table=str(name))


def check_upload_rows(files: Mapping[str, bytes], config: ServerConfig) -> None:
    """Rows of uploaded Parquet files, from their metadata, before any is read: a small compressed file can hold
    millions of rows. A file whose metadata cannot be read is left to the sample reader to report."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 0
    for name, data in files.items():
        if not name.lower().endswith(".parquet"):
            continue
        try:
            rows += pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
        except (pa.ArrowException, OSError, ValueError):
            continue
        if rows > config.max_rows:
            raise over_limit(config, "max_rows", f"The samples hold {rows:,} rows in all (counted to {name})",
                             table=PurePosixPath(name).stem)


def _refuse_lone_surrogates(value: Any, what: str, path: str = "") -> None:
    """Text of the schema or the counts must be valid Unicode: a lone UTF-16 surrogate (JSON ``"\\ud800"``) can be
    parsed but never written out. Raises a SchemaError (a RowCountError for counts) saying where."""
    def bad(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False

    if isinstance(value, str):
        found = bad(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            shown = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and bad(key):
                _surrogate_error(what, shown)
            _refuse_lone_surrogates(item, what, shown)
        return
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_lone_surrogates(item, what, f"{path}[{i}]")
        return
    else:
        return
    if found:
        _surrogate_error(what, path)


def _surrogate_error(what: str, path: str) -> None:
    from ..errors import RowCountError

    shown = path.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    error = RowCountError if what == "recordCounts" else SchemaError
    raise error(f"The {what} holds text that is not valid Unicode (half of a UTF-16 surrogate pair, such as "
                f"\\ud800) at {shown}; remove it or send the whole character.")
