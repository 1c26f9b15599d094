"""What the API's operations do, in plain Python: fit (with a small model cache), generate, analyze, preview.

Nothing here knows about HTTP except that :func:`generate_files` leaves its
output in a temporary directory for the response to stream and then remove.
The steps are the library's public ones — ``fit``, ``resolve_rows``, ``Plan``,
``iter_batches``, ``write_tables`` / ``write_json_document`` — so the server
makes exactly the data the CLI and the Python API make for the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError, SynthframeError
from ..fit import fit
from ..generate import Run, generate_rows, iter_batches, resolve_rows, to_frame
from ..model import Model
from ..samples import read_sample_files, read_samples
from ..schema import Schema
from ..write import to_records_json, write_json_document, write_tables
from .config import ServerConfig
from .errors import over_limit
from .inputs import Inputs, check_frame_sizes, check_upload_rows

logger = logging.getLogger("synthframe.server")
TEMP_PREFIX = "synthframe-server-"
"""Prefix of the temporary directories generated files are written to (removed when the response ends)."""
BATCH_ROWS = 1 << 16
"""Rows generated between two checks of the time budget."""
LEVELS_SHOWN = 20
"""Levels (and weights) of a column listed by analyze; the model holds all of them."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times, so the same tables give the same zip bytes


class Deadline:
    """The request's time budget, checked between steps and between batches of rows."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self.end = time.monotonic() + config.time_budget

    def check(self, step: str) -> None:
        if time.monotonic() > self.end:
            raise over_limit(self.config, "time_budget", f"The request ran out of time while {step}")


class ModelCache:
    """Fitted models by a digest of their schema and samples, least recently used first out; thread-safe.

    Models hold statistics, never sample rows, and live in this process's memory only.
    """

    def __init__(self, size: int):
        self.size = size
        self._models: OrderedDict[str, Model] = OrderedDict()
        self._lock = threading.Lock()
        self._fitting: dict[str, threading.Lock] = {}

    def fitting(self, key: str | None) -> threading.Lock:
        """A lock per digest, so that concurrent requests for one model fit it once: the first fits, the
        others wait and then find it in the cache (20 cold requests cost one fit, not twenty in parallel)."""
        with self._lock:
            if key is None or self.size == 0:
                return threading.Lock()
            return self._fitting.setdefault(key, threading.Lock())

    def get(self, key: str | None) -> Model | None:
        if key is None or self.size == 0:
            return None
        with self._lock:
            model = self._models.get(key)
            if model is not None:
                self._models.move_to_end(key)
            return model

    def put(self, key: str | None, model: Model) -> None:
        if key is None or self.size == 0:
            return
        with self._lock:
            self._models[key] = model
            self._models.move_to_end(key)
            while len(self._models) > self.size:
                evicted, _ = self._models.popitem(last=False)
                self._fitting.pop(evicted, None)
            if len(self._fitting) > 4 * self.size:  # locks of digests never stored (failed fits)
                self._fitting = {k: v for k, v in self._fitting.items() if k in self._models or v.locked()}


def fitted_model(inputs: Inputs, config: ServerConfig, deadline: Deadline, cache: ModelCache) -> Model:
    """The model for the request's schema and samples: from the cache, or read, checked and fitted."""
    model = cache.get(inputs.digest)
    if model is None:
        with cache.fitting(inputs.digest):
            model = cache.get(inputs.digest)  # fitted meanwhile by a request for the same inputs
            if model is None:
                schema = parse_schema(inputs.schema) if inputs.schema is not None else None
                frames = _frames(inputs, schema, config)
                check_frame_sizes(frames, config)
                deadline.check("reading the samples")
                model = fit(schema, frames)
                cache.put(inputs.digest, model)
    schema = model.schema
    if len(schema.tables) > config.max_tables:
        raise over_limit(config, "max_tables", f"The schema has {len(schema.tables)} tables")
    deadline.check("fitting the model")
    return model


def parse_schema(data: Mapping[str, Any]) -> Schema:
    """The request's schema, checked; a shape the parser trips over is a SchemaError too, not a server error."""
    try:
        return Schema.from_dict(data)
    except SynthframeError:
        raise
    except (IndexError, KeyError, TypeError, AttributeError, ValueError, RecursionError) as exc:
        logger.warning("schema parsing raised %s", type(exc).__name__)  # the type only: never the data
        raise SchemaError(f"The schema cannot be read ({type(exc).__name__}); check that every table has "
                          f"'columns', every foreign key lists its 'columns' and 'references', and every name is "
                          f"a non-empty string.") from None


def _frames(inputs: Inputs, schema: Schema | None, config: ServerConfig) -> dict[str, pd.DataFrame]:
    if not inputs.samples:
        return {}
    if not inputs.uploaded:  # read against the declared schema: a declared column refuses a stray value
        return read_samples(dict(inputs.samples), schema)
    check_upload_rows(inputs.samples, config)
    # The schema is needed while reading CSV, so declared text columns keep their leading zeros.
    return read_sample_files(inputs.samples, schema)


def record_counts(model: Model, inputs: Inputs, config: ServerConfig) -> dict[str, int]:
    """Rows per table (the request's counts, the rest following their parents), within ``max_rows``."""
    counts = resolve_rows(model, inputs.counts)
    total = sum(counts.values())
    if total > config.max_rows:
        raise over_limit(config, "max_rows", f"The request asks for {total:,} rows in all")
    return counts


def _ordered(model: Model, counts: Mapping[str, int]) -> dict[str, int]:
    """Counts in the schema's table order (generation order is parents first)."""
    return {t: counts[t] for t in model.schema.tables}


# -- generate -----------------------------------------------------------------------------

@dataclass(frozen=True)
class GeneratedFile:
    """A finished output file, inside ``directory``, which the caller removes when done with it."""

    path: Path
    directory: Path
    mimetype: str
    download_name: str | None


def generate_files(model: Model, inputs: Inputs, config: ServerConfig, deadline: Deadline) -> GeneratedFile:
    """Generate every table into a new temporary directory: one JSON document, or a zip of one file per table.

    Every check (counts, limits, capacity, the time budget between batches) happens here, before
    any response starts. On any error the directory is removed and the error goes on.
    """
    counts = _ordered(model, record_counts(model, inputs, config))
    run = Run(model, counts, inputs.seed)
    directory = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    try:
        streams = {t: _batches(run, t, deadline) for t in counts}
        if inputs.format == "json":
            path = write_json_document(streams, directory / "synthframe.json", schema=model.schema)
            result = GeneratedFile(path, directory, "application/json", None)
        else:
            paths = write_tables(streams, directory / "tables", inputs.format, schema=model.schema)
            name = f"synthframe-{inputs.format}.zip"
            _zip(paths, directory / name, compress=inputs.format != "parquet")
            result = GeneratedFile(directory / name, directory, "application/zip", name)
        deadline.check("packaging the output")
        return result
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise


def _batches(run: Run, table: str, deadline: Deadline) -> Iterator[pd.DataFrame]:
    for batch in iter_batches(run, table, BATCH_ROWS):
        deadline.check(f"generating table '{table}'")
        yield batch


def _zip(paths: Mapping[str, Path], target: Path, *, compress: bool) -> None:
    """One entry per table file, with fixed times, so equal tables give equal zip bytes."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(target, "w", compression=method) as archive:
        for path in paths.values():
            info = zipfile.ZipInfo(path.name, date_time=_ZIP_TIME)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            with open(path, "rb") as src, archive.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def remove_directory(directory: Path) -> None:
    """Remove a directory made by :func:`generate_files` (ignoring one already gone)."""
    shutil.rmtree(directory, ignore_errors=True)


# -- preview ------------------------------------------------------------------------------

def preview(model: Model, inputs: Inputs, config: ServerConfig, deadline: Deadline) -> str:
    """The first ``limit`` rows of every table at the requested counts, as JSON text.

    :func:`generate_rows` makes rows from their index, so these are exactly the first rows that
    ``generate`` returns for the same inputs and seed.
    """
    counts = _ordered(model, record_counts(model, inputs, config))
    run = Run(model, counts, inputs.seed)
    parts = []
    for table, n in counts.items():
        frame = to_frame(generate_rows(model, table, range(min(inputs.limit, n)), run=run))
        columns = model.schema.tables[table].columns.values()
        dates = [c.name for c in columns if c.type == "date"]
        formats = {c.name: c.format for c in columns if c.format is not None}  # as the samples wrote them
        records = to_records_json(frame, date_columns=dates, formats=formats)
        parts.append(f"{json.dumps(table, ensure_ascii=False)}: {records}")
        deadline.check(f"previewing table '{table}'")
    return (f'{{"recordCounts": {json.dumps(counts, ensure_ascii=False)}, "limit": {inputs.limit}, '
            f'"tables": {{{", ".join(parts)}}}}}')


# -- analyze ------------------------------------------------------------------------------

def analysis(model: Model, inputs: Inputs, config: ServerConfig) -> dict[str, Any]:
    """What the model learned, per table and column, derived from ``model.to_dict()`` (so it grows with it).

    Per column: the schema type, the generator ``kind``, every scalar the generator holds
    (bounds, rounding, uniqueness, key starts, ...), the text spec's scalars (``semantic``,
    ``pattern``, ``locale``, ...), the distribution's name and parameters, the first
    :data:`LEVELS_SHOWN` levels and weights, the null rate and the key it belongs to.
    """
    data = model.to_dict()
    counts = _ordered(model, record_counts(model, inputs, config))
    tables: dict[str, Any] = {}
    for name, tdata in data["tables"].items():
        table = model.schema.tables[name]
        tables[name] = {
            "sample_rows": tdata["sample_rows"],
            "record_count": counts[name],
            "primary_key": list(table.primary_key),
            "foreign_keys": [fk.to_dict() for fk in table.foreign_keys],
            "layout": tdata["layout"],
            "columns": {col: _column(table, col, cdata) for col, cdata in tdata["columns"].items()},
        }
    return {"schema": data["schema"], "recordCounts": counts, "tables": tables, "model": data,
            "fingerprint": _fingerprint(data)}


_FIXED = ("type", "kind", "semantic", "pattern", "distribution", "parameters", "levels", "weights", "level_count",
          "null_rate", "sample_count", "nullable", "unique", "primary_key", "foreign_key", "text_kind", "derived_from")
"""Keys every column summary has; a model scalar of the same name is shown as ``generator_<name>``."""


def _column(table: Any, name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    spec = table.columns[name]
    gen = data["generator"]
    text = gen.get("text") if isinstance(gen.get("text"), Mapping) else {}
    distribution = gen.get("distribution") if isinstance(gen.get("distribution"), Mapping) else {}
    levels = gen.get("values") if isinstance(gen.get("values"), list) else None
    fk = table.foreign_key_of(name)
    out: dict[str, Any] = {
        "type": data["type"], "kind": gen.get("kind"),
        "semantic": text.get("semantic") or spec.semantic,
        "pattern": gen.get("pattern") or text.get("pattern") or spec.pattern,
        "distribution": distribution.get("name"), "parameters": distribution.get("params"),
        "levels": levels[:LEVELS_SHOWN] if levels is not None else None,
        "weights": list(gen.get("weights", []))[:LEVELS_SHOWN] if levels is not None else None,
        "level_count": len(levels) if levels is not None else None,
        "null_rate": data["null_rate"], "sample_count": data.get("sample_count"),
        "nullable": spec.nullable, "unique": bool(spec.unique or gen.get("unique")),
        "primary_key": name in table.primary_key,
        "foreign_key": f"{fk.ref_table}.{fk.ref_columns[fk.columns.index(name)]}" if fk else None,
        "text_kind": text.get("kind"),
        "derived_from": _derived_from(table, gen),
    }
    for source in (gen, text):
        for key, value in source.items():
            if key != "kind" and _scalar(value) and out.get(key) != value:
                out[f"generator_{key}" if key in _FIXED else key] = value
    if "time_unit" in gen:
        for bound in ("min", "max"):
            if isinstance(out.get(bound), (int, float)):
                out[bound] = _temporal(out[bound], gen["time_unit"])
    return out


def _derived_from(table: Any, gen: Mapping[str, Any]) -> str | None:
    """The column a rule computes this one from (``orders.o_orderdate``), for offset and parent columns."""
    source = gen.get("base") if gen.get("kind") == "offset" else gen if gen.get("kind") == "parent_column" else None
    if not isinstance(source, Mapping) or not isinstance(source.get("column"), str):
        return None
    index = source.get("fk", source.get("foreign_key"))
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(table.foreign_keys):
        return f"{table.foreign_keys[index].ref_table}.{source['column']}"
    return source["column"]


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _temporal(number: float, unit: str) -> str:
    """Days (``D``) or seconds since the epoch as ISO text, the way the writers show dates and datetimes."""
    try:
        return str(np.datetime64(int(number), "D" if unit == "D" else "s"))
    except (OverflowError, ValueError):
        return str(number)


def _fingerprint(data: Mapping[str, Any]) -> str:
    """A short digest of the model: equal inputs give equal models, and so equal fingerprints."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
