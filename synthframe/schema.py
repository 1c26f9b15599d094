"""Step 1 of the pipeline: the schema a user writes, parsed and checked.

A schema is plain data (see ``docs/schema.md``)::

    {"tables": {"customers": {"primary_key": "customer_id",
                              "columns": {"customer_id": "integer",
                                          "email": {"type": "string", "semantic": "email"}},
                              "foreign_keys": {...}}}}

:class:`Schema` holds it as frozen dataclasses, checks it as a whole (every
problem collected, then one :class:`~synthframe.errors.SchemaError` naming the
first), and knows the order in which tables must be generated.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import SchemaError, SynthframeError, where

MAX_PATTERN_LENGTH = 200
"""Longest ``pattern`` hint accepted (formats are codes, not documents)."""
TYPES = ("integer", "float", "boolean", "string", "category", "date", "datetime", "uuid")
HINTS = ("semantic", "unique", "nullable", "min", "max", "values", "pattern", "distribution", "format", "locale")
TIME_FORMAT = r"%Y-%m-%d(?:(?P<sep>[T ])%H:%M(?P<seconds>:%S(?:\.%(?P<digits>[1-9]?)f)?)?(?P<zone>Z|%:?z)?)?"
"""The text formats of dates and datetimes (``format`` hint): the date, then optionally ``T`` or a space, hours
and minutes, seconds, a fraction (``%3f``: 3 digits; ``%f``: 6), and ``Z`` or a UTC offset (``%:z``: ``+00:00``,
``%z``: ``+0000``)."""
_TABLE_KEYS = ("columns", "primary_key", "foreign_keys", "rules")
RULE_KINDS = ("not before", "equals", "product", "prefix", "lookup", "date parts", "none")
"""Rules a schema may declare for a column (``none``: find no rule for it)."""


@dataclass(frozen=True)
class Column:
    """One column: its type and the hints the user wrote (``None`` = not given)."""

    name: str
    type: str
    semantic: str | None = None
    unique: bool = False
    nullable: bool | None = None
    min: Any = None
    max: Any = None
    values: tuple[Any, ...] | None = None
    weights: tuple[float, ...] | None = None
    pattern: str | None = None
    distribution: Mapping[str, Any] | None = None
    format: str | None = None
    """Text format of a date or datetime column in written files (see :data:`TIME_FORMAT`)."""
    locale: str | None = None
    """Locale of a text column's names, places and words (``de_DE``); learned from the values when None."""

    def to_dict(self) -> str | dict[str, Any]:
        """The column as the user would write it (a bare type name when it has no hints)."""
        out: dict[str, Any] = {"type": self.type}
        for hint in ("semantic", "nullable", "min", "max", "pattern", "format", "locale"):
            value = getattr(self, hint)
            if value is not None:
                out[hint] = value
        if self.unique:
            out["unique"] = True
        if self.values is not None:
            out["values"] = (
                dict(zip(self.values, self.weights)) if self.weights is not None else list(self.values)
            )
        if self.distribution is not None:
            out["distribution"] = dict(self.distribution)
        return self.type if len(out) == 1 else out


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of the child table reference ``ref_columns`` of ``ref_table``."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "references": {"table": self.ref_table, "columns": list(self.ref_columns)},
        }


@dataclass(frozen=True)
class Table:
    """A table: ordered columns, a primary key (possibly empty or composite), foreign keys."""

    name: str
    columns: Mapping[str, Column]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[Mapping[str, Any], ...] = ()
    """Rules the user declared (``{"rule": "not before", "column": ..., "after": ...}``, ``equals``,
    ``product``, ``prefix``) or refused (``{"rule": "none", "column": ...}``, ``"*"`` for every column)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.primary_key:
            out["primary_key"] = self.primary_key[0] if len(self.primary_key) == 1 else list(self.primary_key)
        out["columns"] = {name: col.to_dict() for name, col in self.columns.items()}
        if self.foreign_keys:
            out["foreign_keys"] = [fk.to_dict() for fk in self.foreign_keys]
        if self.rules:
            out["rules"] = [dict(rule) for rule in self.rules]
        return out

    def parent_column(self, reference: str) -> tuple[int, str] | None:
        """``"table.column"`` read through one of this table's single-column foreign keys: (key index, column)."""
        if "." not in reference:
            return None
        parent, column = reference.split(".", 1)
        for index, fk in enumerate(self.foreign_keys):
            if fk.ref_table == parent and len(fk.columns) == 1 and not any(
                    set(fk.columns) < set(other.columns) for other in self.foreign_keys):
                return index, column
        return None

    def foreign_key_of(self, column: str) -> ForeignKey | None:
        """The foreign key that ``column`` is part of, if any."""
        for fk in self.foreign_keys:
            if column in fk.columns:
                return fk
        return None


@dataclass(frozen=True)
class Schema:
    """A checked relational schema. Build it with :meth:`from_dict` or :meth:`from_json`."""

    tables: Mapping[str, Table] = field(default_factory=dict)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Schema:
        """Parse and check a schema written as plain data (SDV metadata is recognised and read too)."""
        if not isinstance(spec, Mapping):
            raise SchemaError(f"A schema must be a JSON object with a 'tables' key. Got {type(spec).__name__} instead.")
        from .sdv_metadata import looks_like_sdv

        if looks_like_sdv(spec):
            return cls.from_sdv(spec)
        unknown = set(spec) - {"tables"}
        if "tables" not in spec:
            raise SchemaError("A schema must have a 'tables' key mapping table names to table definitions.")
        if unknown:
            raise SchemaError(f"Unknown top-level schema keys {sorted(unknown)}; only 'tables' is allowed.")
        tables_spec = spec["tables"]
        if not isinstance(tables_spec, Mapping) or not tables_spec:
            raise SchemaError("The schema's 'tables' must be a non-empty object {table_name: definition}.")
        tables = {name: _parse_table(name, tdef) for name, tdef in tables_spec.items()}
        schema = cls(tables=tables)
        schema.check()
        return schema

    @classmethod
    def from_json(cls, path_or_text: str | Path) -> Schema:
        """Read a schema from a JSON file (or a JSON string), refusing duplicate keys."""
        text = str(path_or_text)
        if text.lstrip().startswith("{"):
            return cls.from_dict(load_json_text(text, what="schema"))
        return cls.from_dict(read_json_file(text, what="schema"))

    @classmethod
    def from_sdv(cls, metadata: Mapping[str, Any] | str | Path, *, table_name: str = "table",
                 samples: Mapping[str, pd.DataFrame] | None = None) -> Schema:
        """Read SDV metadata (a dict, JSON text or a JSON file); see :mod:`synthframe.sdv_metadata`.

        ``table_name`` names the table of single-table metadata; ``samples`` (``{table: DataFrame}``)
        types the ``id`` and ``datetime`` columns the metadata leaves open.
        """
        from .sdv_metadata import to_schema_dict

        return cls.from_dict(to_schema_dict(metadata, table_name=table_name, samples=samples))

    def to_dict(self) -> dict[str, Any]:
        """The schema as plain data, readable by :meth:`from_dict`."""
        return {"tables": {name: table.to_dict() for name, table in self.tables.items()}}

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)

    # -- checks -----------------------------------------------------------------------
    def check(self) -> None:
        """Check keys across tables; raise one SchemaError listing every problem."""
        problems: list[SchemaError] = []
        for table in self.tables.values():
            for rule in table.rules:
                names = {"not before": [rule.get("after")], "equals": [rule.get("parent")],
                         "product": list(rule.get("of") or [])}.get(rule["rule"], [])
                for name in names:
                    name = str(name).removeprefix("1 - ")
                    found = table.parent_column(name) if "." in name else (0, name)
                    owner = self.tables.get(name.split(".", 1)[0]) if "." in name else table
                    if found is None or owner is None or found[1] not in owner.columns:
                        problems.append(SchemaError(
                            f"Rule '{rule['rule']}' of {where(table.name, rule['column'])} reads '{name}', which is "
                            f"neither a column of '{table.name}' nor 'table.column' of a table it points to with a "
                            f"single-column foreign key; fix the name.", table=table.name, column=rule["column"]))
            for col in table.primary_key:
                if col not in table.columns:
                    problems.append(SchemaError(
                        f"Primary key column {where(table.name, col)} is not among the table's columns; "
                        f"add it to 'columns' or fix the name.", table=table.name, column=col))
            for fk in table.foreign_keys:
                problems.extend(self._check_foreign_key(table, fk))
        if problems:
            _raise_all(problems)
        self.generation_order()  # raises on a cycle no nullable FK can break

    def _check_foreign_key(self, table: Table, fk: ForeignKey) -> list[SchemaError]:
        out: list[SchemaError] = []
        for col in fk.columns:
            if col not in table.columns:
                out.append(SchemaError(
                    f"Foreign key column {where(table.name, col)} is not among the table's columns; "
                    f"add it to 'columns' or fix the name.", table=table.name, column=col))
        if fk.ref_table not in self.tables:
            out.append(SchemaError(
                f"Foreign key {where(table.name, ','.join(fk.columns))} references unknown table "
                f"'{fk.ref_table}'; known tables: {sorted(self.tables)}.",
                table=table.name, column=fk.columns[0]))
            return out
        parent = self.tables[fk.ref_table]
        if len(fk.columns) != len(fk.ref_columns):
            out.append(SchemaError(
                f"Foreign key {where(table.name, ','.join(fk.columns))} has {len(fk.columns)} column(s) "
                f"but references {len(fk.ref_columns)}; list as many columns on both sides.",
                table=table.name, column=fk.columns[0]))
            return out
        for col, ref in zip(fk.columns, fk.ref_columns):
            if ref not in parent.columns:
                out.append(SchemaError(
                    f"Foreign key {where(table.name, col)} references unknown column "
                    f"{where(parent.name, ref)}; columns there: {list(parent.columns)}.",
                    table=table.name, column=col))
            elif col in table.columns and not _compatible(table.columns[col].type, parent.columns[ref].type):
                out.append(SchemaError(
                    f"Foreign key {where(table.name, col)} has type {table.columns[col].type} but "
                    f"{where(parent.name, ref)} has type {parent.columns[ref].type}; give both the same type.",
                    table=table.name, column=col))
        if all(ref in parent.columns for ref in fk.ref_columns) and tuple(fk.ref_columns) != tuple(parent.primary_key):
            out.append(SchemaError(
                f"Foreign key {where(table.name, ','.join(fk.columns))} must reference the primary key of "
                f"'{parent.name}' ({list(parent.primary_key) or 'none declared'}); got {list(fk.ref_columns)}. "
                f"Declare {list(fk.ref_columns)} as the primary key of '{parent.name}'.",
                table=table.name, column=fk.columns[0]))
        if fk.ref_table == table.name and any(
            c in table.columns and table.columns[c].nullable is False for c in fk.columns
        ):
            out.append(SchemaError(
                f"Self-reference {where(table.name, ','.join(fk.columns))} must be nullable: the roots of the "
                f"hierarchy have no parent. Remove 'nullable': false.", table=table.name, column=fk.columns[0]))
        return out

    # -- graph ------------------------------------------------------------------------
    def parents(self, table: str) -> list[str]:
        """Tables that ``table`` references (excluding itself), in declaration order, without repeats."""
        out: list[str] = []
        for fk in self.tables[table].foreign_keys:
            if fk.ref_table != table and fk.ref_table not in out:
                out.append(fk.ref_table)
        return out

    def generation_order(self) -> list[str]:
        """Tables ordered so that every table comes after the tables it references.

        Self-references are fine. A cycle across tables is broken at a nullable
        foreign key (its values are then drawn after both tables exist); a cycle
        with no nullable edge is a SchemaError naming it.
        """
        edges = {name: set(self.parents(name)) for name in self.tables}
        order: list[str] = []
        remaining = dict(edges)
        while remaining:
            ready = [t for t in self.tables if t in remaining and not (remaining[t] & remaining.keys())]
            if not ready:
                cycle = _find_cycle(remaining)
                breakable = self._nullable_edge(cycle)
                if breakable is None:
                    path = " -> ".join([*cycle, cycle[0]])
                    raise SchemaError(
                        f"Foreign keys form a cycle {path} with no nullable column to break it; make one of "
                        f"these foreign key columns nullable ('nullable': true) or remove one reference.",
                        table=cycle[0])
                child, parent = breakable
                remaining[child] = remaining[child] - {parent}
                continue
            for t in ready:
                order.append(t)
                del remaining[t]
        return order

    def _nullable_edge(self, cycle: list[str]) -> tuple[str, str] | None:
        for i, child in enumerate(cycle):
            parent = cycle[(i + 1) % len(cycle)]
            for fk in self.tables[child].foreign_keys:
                if fk.ref_table == parent and all(self.tables[child].columns[c].nullable for c in fk.columns):
                    return child, parent
        return None


# -- parsing helpers ------------------------------------------------------------------

class _Pairs(dict):
    """A parsed JSON object that remembers the keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def load_json_text(text: str, *, what: str) -> Any:
    """Parse JSON, refusing an object that names the same key twice (naming the table/column where)."""

    def keep_pairs(pairs: list[tuple[str, Any]]) -> _Pairs:
        obj = _Pairs(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
        return obj

    try:
        data = json.loads(text, object_pairs_hook=keep_pairs)
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"The {what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:
        raise SchemaError(f"The {what} is nested too deep to read; check that it is the JSON meant.") from None
    except ValueError:  # an integer of more digits than Python converts (4,300 by default)
        raise SchemaError(f"The {what} holds a number too long to read (an integer of more than "
                          f"{sys.get_int_max_str_digits():,} digits); write it as a string or a float.") from None
    _refuse_duplicates(data, what, ())
    return data


def read_json_file(path: str | Path, *, what: str, error: type[SynthframeError] = SchemaError) -> Any:
    """Read a UTF-8 JSON file with the duplicate-key check; every failure is an ``error`` saying which file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"The {what} file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise error(f"The {what} file {path} is not UTF-8 text; re-save it as UTF-8 JSON.") from None
    except OSError as exc:
        raise error(f"The {what} file {path} cannot be read: {exc.strerror or exc}.") from None
    try:
        return load_json_text(text, what=what)
    except SchemaError as exc:
        if error is SchemaError:
            raise
        raise error(exc.message, table=exc.table, column=exc.column) from None


def _refuse_duplicates(value: Any, what: str, path: tuple[str, ...]) -> None:
    if isinstance(value, list):
        for item in value:
            _refuse_duplicates(item, what, path)
        return
    if not isinstance(value, _Pairs):
        return
    if value.duplicates:
        key = value.duplicates[0]
        table = column = None
        if path[-1:] == ("tables",):
            table = key
        elif len(path) >= 2 and path[-1] == "columns" and path[-3:-2] == ("tables",):
            table, column = path[-2], key
        elif len(path) >= 2 and path[-2] == "tables":
            table = path[-1]
        place = f" (table '{table}')" if table and not column else (f" (in {table}.{column})" if column else "")
        raise SchemaError(f"The {what} JSON names '{key}' twice in one object{place}; keep one of them.",
                          table=table, column=column)
    for key, item in value.items():
        _refuse_duplicates(item, what, (*path, key))


def _is_name(name: Any) -> bool:
    """A non-empty string that is valid UTF-8 (no lone surrogates), usable in file names and ids."""
    if not isinstance(name, str) or not name:
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_table(name: Any, spec: Any) -> Table:
    if not _is_name(name):
        raise SchemaError(f"Table names must be non-empty UTF-8 strings; got {name!r}.")
    if name.lower() == "schema":
        raise SchemaError(f"Table '{name}' cannot be called 'schema': its JSON file would be schema.json, which is "
                          f"read as the schema, not as a table, where samples and output are read; rename the table.",
                          table=name)
    if not isinstance(spec, Mapping):
        raise SchemaError(f"Table '{name}' must be an object with 'columns'; got {type(spec).__name__}.", table=name)
    unknown = set(spec) - set(_TABLE_KEYS)
    if unknown:
        raise SchemaError(f"Table '{name}' has unknown keys {sorted(unknown)}; allowed: {list(_TABLE_KEYS)}.",
                          table=name)
    cols_spec = spec.get("columns")
    if not isinstance(cols_spec, Mapping) or not cols_spec:
        raise SchemaError(f"Table '{name}' needs a non-empty 'columns' object {{column: type}}.", table=name)
    columns = {col: _parse_column(name, col, cspec) for col, cspec in cols_spec.items()}
    pk = _as_names(spec.get("primary_key"), name, "primary_key")
    if len(set(pk)) != len(pk):
        raise SchemaError(f"Table '{name}' lists a primary key column twice: {list(pk)}.", table=name)
    fks = _parse_foreign_keys(name, spec.get("foreign_keys"))
    rules = _parse_rules(name, spec.get("rules"), columns)
    return Table(name=name, columns=columns, primary_key=pk, foreign_keys=fks, rules=rules)


def _parse_rules(table: str, spec: Any, columns: Mapping[str, Column]) -> tuple[Mapping[str, Any], ...]:
    """A table's declared rules: a list of rule objects, or ``false`` for no rule found in the samples."""
    if spec is None:
        return ()
    if spec is False:
        return ({"rule": "none", "column": "*"},)
    if not isinstance(spec, list):
        raise SchemaError(f"Table '{table}': 'rules' must be a list of rules (or false to find none); got {spec!r}.",
                          table=table)
    out = []
    for rule in spec:
        if not isinstance(rule, Mapping) or rule.get("rule") not in RULE_KINDS or not isinstance(
                rule.get("column"), str):
            raise SchemaError(f"Table '{table}': each rule needs 'rule' (one of {', '.join(RULE_KINDS)}) and "
                              f"'column'; got {rule!r}.", table=table)
        column = rule["column"]
        if column not in columns and not (rule["rule"] == "none" and column == "*"):
            raise SchemaError(f"Table '{table}': a rule names column '{column}', which the table does not have.",
                              table=table, column=column)
        needed = {"not before": ("after", str), "equals": ("parent", str), "product": ("of", list),
                  "prefix": ("from", str)}.get(rule["rule"])
        if needed and not isinstance(rule.get(needed[0]), needed[1]):
            raise SchemaError(f"Rule '{rule['rule']}' of {where(table, column)} needs '{needed[0]}' "
                              f"({'a column name' if needed[1] is str else 'a list of column names'}).",
                              table=table, column=column)
        if rule["rule"] == "prefix" and (rule["from"] not in columns or rule["from"] == column or not isinstance(
                rule.get("offset", 0), int) or isinstance(rule.get("offset"), bool)):
            raise SchemaError(f"Rule 'prefix' of {where(table, column)} needs 'from': another column of the table "
                              f"(and optionally a whole-number 'offset'); got {rule!r}.", table=table, column=column)
        if rule["rule"] in ("lookup", "date parts") and columns[column].unique:
            raise SchemaError(f"Rule '{rule['rule']}' of {where(table, column)} cannot keep the column unique; drop "
                              f"the rule or 'unique'.", table=table, column=column)
        if rule["rule"] == "lookup" and (
                not isinstance(rule.get("by"), list) or not 1 <= len(rule["by"]) <= 2
                or any(b not in columns or b == column or columns[b].type in ("date", "datetime")
                       for b in rule["by"])
                or columns[column].type not in ("integer", "float")):
            raise SchemaError(f"Rule 'lookup' of {where(table, column)} needs an integer or float column and 'by': a "
                              f"list of one or two other columns of the table (not dates); got {rule!r}.",
                              table=table, column=column)
        if rule["rule"] == "date parts" and not _date_parts_rule(rule, columns):
            raise SchemaError(f"Rule 'date parts' of {where(table, column)} needs a date or datetime column, "
                              f"'parts': {{'year': column, 'month': column, 'day': column}} (optionally 'hour' and "
                              f"'minute') naming other integer columns of the table, and for a datetime optionally "
                              f"'zone' (a time zone name such as 'America/New_York') or 'offset' (whole seconds); "
                              f"got {rule!r}.",
                              table=table, column=column)
        if rule["rule"] == "not before" and columns.get(column, Column(column, "string")).type not in (
                "date", "datetime"):
            raise SchemaError(f"Rule 'not before' of {where(table, column)} needs a date or datetime column.",
                              table=table, column=column)
        out.append(dict(rule))
    return tuple(out)


def _date_parts_rule(rule: Mapping[str, Any], columns: Mapping[str, Column]) -> bool:
    """Whether a declared ``date parts`` rule names its parts and zone well."""
    from zoneinfo import ZoneInfo

    parts, zone, offset = rule.get("parts"), rule.get("zone"), rule.get("offset", 0)
    if columns[rule["column"]].type not in ("date", "datetime") or not isinstance(parts, Mapping) \
            or not {"year", "month", "day"} <= set(parts) or set(parts) - {"year", "month", "day", "hour", "minute"} \
            or "minute" in parts and "hour" not in parts \
            or any(c not in columns or c == rule["column"] or columns[c].type not in ("integer", "float")
                   for c in parts.values()) \
            or columns[rule["column"]].type == "date" and ("zone" in rule or "offset" in rule) \
            or isinstance(offset, bool) or not isinstance(offset, int) \
            or zone is not None and not isinstance(zone, str):
        return False
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (KeyError, ValueError, OSError):
            return False
    return True


def _parse_column(table: str, name: Any, spec: Any) -> Column:
    at = where(table, name)
    if not _is_name(name):
        raise SchemaError(f"Column names of table '{table}' must be non-empty UTF-8 strings; got {name!r}.",
                          table=table)
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, Mapping):
        raise SchemaError(f"Column {at} must be a type name or an object with 'type'; got {spec!r}.",
                          table=table, column=name)
    ctype = spec.get("type")
    if ctype not in TYPES:
        raise SchemaError(f"Column {at} has unknown type {ctype!r}; use one of {', '.join(TYPES)}.",
                          table=table, column=name)
    unknown = set(spec) - {"type", *HINTS}
    if unknown:
        raise SchemaError(f"Column {at} has unknown hints {sorted(unknown)}; allowed: {', '.join(HINTS)}.",
                          table=table, column=name)
    values, weights = _parse_values(table, name, spec.get("values"))
    if values is not None:
        _check_levels(table, name, ctype, values)
    for flag in ("unique", "nullable"):
        if flag in spec and not isinstance(spec[flag], bool):
            raise SchemaError(f"Column {at}: '{flag}' must be true or false; got {spec[flag]!r}.",
                              table=table, column=name)
    lo, hi = spec.get("min"), spec.get("max")
    if ctype in ("integer", "float"):
        for label, bound in (("min", lo), ("max", hi)):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))
                                      or not math.isfinite(bound)):
                raise SchemaError(f"Column {at}: '{label}' must be a finite number for type {ctype}; got {bound!r}.",
                                  table=table, column=name)
        if lo is not None and hi is not None and not math.isfinite(float(hi) - float(lo)):
            raise SchemaError(f"Column {at}: 'min' {lo!r} and 'max' {hi!r} are further apart than a float can "
                              f"count (1.8e308); narrow the bounds.", table=table, column=name)
    if lo is not None and hi is not None:
        try:
            wrong = lo > hi
        except TypeError:
            raise SchemaError(f"Column {at}: 'min' {lo!r} and 'max' {hi!r} cannot be compared.",
                              table=table, column=name) from None
        if wrong:
            raise SchemaError(f"Column {at}: 'min' {lo!r} is greater than 'max' {hi!r}; swap them.",
                              table=table, column=name)
        if ctype == "integer" and math.ceil(lo) > math.floor(hi):
            raise SchemaError(f"Column {at}: no whole number lies between 'min' {lo!r} and 'max' {hi!r}; widen the "
                              f"bounds or make the column a float.", table=table, column=name)
    if values is not None and (lo is not None or hi is not None):
        _check_levels_in_bounds(table, name, ctype, values, lo, hi)
    dist = spec.get("distribution")
    if dist is not None and (not isinstance(dist, Mapping) or not isinstance(dist.get("name"), str)):
        raise SchemaError(f"Column {at}: 'distribution' must be an object with a 'name' "
                          f"(e.g. {{\"name\": \"lognorm\", \"s\": 0.6, \"scale\": 80}}).", table=table, column=name)
    if dist is not None and not _all_finite(list(dist.values())):
        raise SchemaError(f"Column {at}: 'distribution' {dict(dist)!r} holds a number that is not finite (NaN or "
                          f"infinity); give finite parameters.", table=table, column=name)
    for label in ("semantic", "pattern", "locale"):
        if spec.get(label) is not None and not isinstance(spec[label], str):
            raise SchemaError(f"Column {at}: '{label}' must be a string; got {spec[label]!r}.",
                              table=table, column=name)
    if isinstance(spec.get("pattern"), str) and len(spec["pattern"]) > MAX_PATTERN_LENGTH:
        raise SchemaError(f"Column {at}: 'pattern' is {len(spec['pattern']):,} characters long; keep it under "
                          f"{MAX_PATTERN_LENGTH}.", table=table, column=name)
    time_format = spec.get("format")
    if time_format is not None and (ctype not in ("date", "datetime") or not isinstance(time_format, str)
                                    or not re.fullmatch(TIME_FORMAT, time_format)):
        raise SchemaError(f"Column {at}: 'format' {time_format!r} is not a date or datetime format synthframe "
                          f"writes; use one such as '%Y-%m-%d', '%Y-%m-%d %H:%M:%S' or '%Y-%m-%dT%H:%M:%S.%3fZ' "
                          f"(on a date or datetime column), or remove it.", table=table, column=name)
    if ctype == "integer":
        for label, bound in (("min", lo), ("max", hi)):
            if bound is not None and abs(bound) >= 2**62:
                raise SchemaError(f"Column {at}: '{label}' {bound!r} is beyond the 64-bit integers synthframe "
                                  f"generates (|value| < 2**62); use a float column or a smaller bound.",
                                  table=table, column=name)
    locale = spec.get("locale")
    if locale is not None:
        from . import reference

        if locale not in reference.locales():
            raise SchemaError(f"Column {at}: 'locale' {locale!r} is not one synthframe has names and places for; use "
                              f"a language_COUNTRY code such as 'en_US', 'de_DE', 'fr_FR', 'es_MX' or 'ja_JP'.",
                              table=table, column=name)
    return Column(name=name, type=ctype, semantic=spec.get("semantic"), unique=bool(spec.get("unique", False)),
                  nullable=spec.get("nullable"), min=lo, max=hi, values=values, weights=weights,
                  pattern=spec.get("pattern"), distribution=dict(dist) if dist is not None else None,
                  format=time_format, locale=locale)


_LEVEL_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,), "float": (int, float), "boolean": (bool,), "string": (str, int, float),
    "category": (str, int, float), "uuid": (str,), "date": (str,), "datetime": (str,),
}


def _check_levels(table: str, column: str, ctype: str, levels: tuple[Any, ...]) -> None:
    """Every level of a ``values`` hint is a value of the column's type."""
    allowed = _LEVEL_TYPES[ctype]
    for level in levels:
        wrong_bool = isinstance(level, bool) and ctype != "boolean"
        if wrong_bool or not isinstance(level, allowed) or not _all_finite(level):
            raise SchemaError(f"Column {where(table, column)}: level {level!r} in 'values' is not a {ctype} value; "
                              f"list levels of the column's type.", table=table, column=column)
        if ctype in ("date", "datetime"):
            try:
                pd.Timestamp(level)
            except (TypeError, ValueError):
                raise SchemaError(f"Column {where(table, column)}: level {level!r} in 'values' is not a date; "
                                  f"write dates as 'YYYY-MM-DD'.", table=table, column=column) from None


def _all_finite(value: Any) -> bool:
    """No float in ``value`` (numbers, lists and objects, nested) is NaN or infinite."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Mapping):
        return _all_finite(list(value.values()))
    if isinstance(value, (list, tuple)):
        return all(_all_finite(v) for v in value)
    return True


def _check_levels_in_bounds(table: str, column: str, ctype: str, levels: tuple[Any, ...], lo: Any, hi: Any) -> None:
    """Every level of a ``values`` hint lies within the column's ``min`` and ``max``."""
    if ctype not in ("integer", "float", "date", "datetime"):
        return
    stamp = (lambda v: v) if ctype in ("integer", "float") else _utc_stamp
    for label, bound in (("min", lo), ("max", hi)):
        if bound is None:
            continue
        try:
            limit = stamp(bound)
            outside = [v for v in levels if (stamp(v) < limit if label == "min" else stamp(v) > limit)]
        except (TypeError, ValueError):
            raise SchemaError(f"Column {where(table, column)}: '{label}' {bound!r} is not a {ctype}; write dates as "
                              f"'YYYY-MM-DD'.", table=table, column=column) from None
        if outside:
            raise SchemaError(f"Column {where(table, column)}: level {outside[0]!r} in 'values' is "
                              f"{'below' if label == 'min' else 'above'} '{label}' {bound!r}; drop the level or "
                              f"change the bound.", table=table, column=column)


def _utc_stamp(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo is not None else stamp


def _parse_values(table: str, column: str, values: Any) -> tuple[tuple | None, tuple | None]:
    if values is None:
        return None, None
    at = where(table, column)
    if isinstance(values, Mapping):
        weights = list(values.values())
        if not values or any(isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0
                             for w in weights) or sum(weights) <= 0:
            raise SchemaError(f"Column {at}: weighted 'values' must map each level to a finite non-negative number, "
                              f"not all zero; got {dict(values)!r}.", table=table, column=column)
        total = float(sum(weights))
        return tuple(values), tuple(float(w) / total for w in weights)
    if isinstance(values, (list, tuple)) and values:
        if len(set(map(repr, values))) != len(values):
            raise SchemaError(f"Column {at}: 'values' lists a level twice.", table=table, column=column)
        return tuple(values), None
    raise SchemaError(f"Column {at}: 'values' must be a non-empty list of levels or an object of "
                      f"level: weight; got {values!r}.", table=table, column=column)


def _as_names(value: Any, table: str, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SchemaError(f"Table '{table}': '{what}' must be a column name or a list of names; got {value!r}.",
                      table=table)


def _parse_reference(table: str, ref: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(ref, str):
        if ref.count(".") != 1:
            raise SchemaError(f"Table '{table}': foreign key reference {ref!r} must be written 'table.column'.",
                              table=table)
        ref_table, ref_col = ref.split(".")
        return ref_table, (ref_col,)
    if isinstance(ref, Mapping) and isinstance(ref.get("table"), str):
        return ref["table"], _as_names(ref.get("columns"), table, "references.columns")
    raise SchemaError(f"Table '{table}': a foreign key reference must be 'table.column' or "
                      f"{{\"table\": ..., \"columns\": [...]}}; got {ref!r}.", table=table)


def _parse_foreign_keys(table: str, spec: Any) -> tuple[ForeignKey, ...]:
    if spec is None:
        return ()
    out: list[ForeignKey] = []
    if isinstance(spec, Mapping):
        for col, ref in spec.items():
            ref_table, ref_cols = _parse_reference(table, ref)
            out.append(ForeignKey((col,), ref_table, ref_cols))
    elif isinstance(spec, list):
        for item in spec:
            if not isinstance(item, Mapping) or "columns" not in item or "references" not in item:
                raise SchemaError(f"Table '{table}': each foreign key in the list needs 'columns' and "
                                  f"'references'; got {item!r}.", table=table)
            cols = _as_names(item["columns"], table, "foreign_keys.columns")
            ref_table, ref_cols = _parse_reference(table, item["references"])
            if not cols or not ref_cols:
                raise SchemaError(f"Table '{table}': a foreign key needs at least one column on each side; got "
                                  f"{item!r}.", table=table)
            out.append(ForeignKey(cols, ref_table, ref_cols))
    else:
        raise SchemaError(f"Table '{table}': 'foreign_keys' must be an object {{column: 'table.column'}} or a "
                          f"list of {{columns, references}}; got {type(spec).__name__}.", table=table)
    seen: set[tuple[str, ...]] = set()
    for fk in out:
        if fk.columns in seen:
            raise SchemaError(f"Table '{table}': foreign key on {list(fk.columns)} is declared twice.",
                              table=table, column=fk.columns[0])
        seen.add(fk.columns)
    return tuple(out)


def _compatible(child_type: str, parent_type: str) -> bool:
    groups = ({"integer"}, {"string", "category"}, {"uuid", "string"}, {"date"}, {"datetime"}, {"float"},
              {"boolean"})
    return child_type == parent_type or any(child_type in g and parent_type in g for g in groups)


def _find_cycle(edges: Mapping[str, set[str]]) -> list[str]:
    """One cycle in a graph where every node has an outgoing edge inside ``edges``."""
    start = next(iter(edges))
    path: list[str] = []
    node = start
    while node not in path:
        path.append(node)
        node = sorted(edges[node] & edges.keys())[0]
    return path[path.index(node):]


def _raise_all(problems: list[SchemaError]) -> None:
    first = problems[0]
    if len(problems) == 1:
        raise first
    more = "\n".join(f"  - {p.message}" for p in problems[1:])
    raise SchemaError(f"{first.message}\n{len(problems) - 1} more problem(s):\n{more}",
                      table=first.table, column=first.column)
