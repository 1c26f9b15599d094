"""SDV metadata read as a synthframe schema.

`SDV <https://docs.sdv.dev>`_ describes a dataset with *metadata*: per table the columns and
their ``sdtype``, a primary key and alternate keys, and between tables a list of
``relationships``. :func:`to_schema_dict` turns that description into a synthframe schema
(plain data, as in ``docs/schema.md``); :meth:`synthframe.Schema.from_sdv` does the same and
checks the result, and :meth:`~synthframe.Schema.from_dict` / :meth:`~synthframe.Schema.from_json`
recognise SDV metadata by its shape (:func:`looks_like_sdv`) and read it the same way.

Accepted forms:

- ``{"METADATA_SPEC_VERSION": "V1", "tables": {...}, "relationships": [...]}`` (SDV's
  ``Metadata.to_dict()``; ``MULTI_TABLE_V1`` is the same shape);
- one table, ``{"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "columns": {...}, "primary_key": ...}``,
  named ``table`` unless another name is given (SDV's own default);
- the older (SDV 0.x) form, ``{"tables": {name: {"fields": {...}}}}`` or ``{"fields": {...}}``,
  where a field's ``ref`` is its foreign key.

Only the structure is read: SDV's ordering hints (``order``, ``order_by``), sequence settings,
column relationships and anonymization settings are not carried into the schema. The mapping
of each ``sdtype`` is :data:`SDTYPE_TYPES`, :data:`NUMERICAL_TYPES` and the rules in
``docs/schema.md`` (*SDV metadata*).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import SchemaError, where

SPEC_VERSIONS = ("V1", "SINGLE_TABLE_V1", "MULTI_TABLE_V1")
"""``METADATA_SPEC_VERSION`` values understood (absent is fine too)."""
SINGLE_TABLE_NAME = "table"
"""Name given to the table of single-table metadata, as SDV does."""

NUMERICAL_TYPES: dict[str, str] = {
    "Int8": "integer", "Int16": "integer", "Int32": "integer", "Int64": "integer",
    "UInt8": "integer", "UInt16": "integer", "UInt32": "integer", "UInt64": "integer",
    "Float": "float", "Float32": "float", "Float64": "float",
}
"""``computer_representation`` of a ``numerical`` column → column type (none given: float)."""

SDTYPE_TYPES: dict[str, str] = {
    "numerical": "integer or float (computer_representation)",
    "datetime": "date or datetime (datetime_format)",
    "categorical": "category",
    "boolean": "boolean",
    "id": "integer or string (regex_format)",
    "unknown": "string",
}
"""SDV's statistical sdtypes and what they become. Every other sdtype is a kind of personal
data (a Faker function name): a ``string`` column with a ``semantic`` hint (see
:data:`SDTYPE_SEMANTICS`), or a plain ``string`` when synthframe has no such semantic."""

SDTYPE_SEMANTICS: dict[str, str] = {
    "administrative_unit": "state", "ipv4_address": "ipv4", "ipv6_address": "ipv6",
    "zipcode": "postcode", "postalcode": "postcode", "phonenumber": "phone_number",
}
"""SDV sdtypes spelt differently from synthframe's semantic names; the others (``email``,
``first_name``, ``city``, ``country_code``, ``company``, ``job``, ``ssn``, ...) keep their name."""

SDV_PII_SDTYPES = frozenset({
    "address", "administrative_unit", "city", "country_code", "credit_card_number", "email", "first_name",
    "iban", "ipv4_address", "ipv6_address", "last_name", "latitude", "license_plate", "longitude", "mac_address",
    "name", "phone_number", "postcode", "secondary_address", "ssn", "state_abbr", "street_address", "swift11",
    "swift8", "user_agent_string", "vin",
})
"""The personal-data sdtypes SDV names itself; any other Faker function name is accepted as well."""

COORDINATES: dict[str, float] = {"latitude": 90.0, "longitude": 180.0}
"""SDV's coordinate sdtypes: float columns within ± these bounds."""

_TIME_DIRECTIVES = frozenset("HIMSfpXcTRrslkzZ")
"""strftime directives that carry a time of day (a format without one is a date)."""
_UNBOUNDED = 10**9
"""Largest repeat of ``*``, ``+`` and ``{m,}`` in a parsed regex."""
_LONGEST = 200
"""Most characters a pattern made from a regex may have (the schema's ``pattern`` limit)."""


# -- public API ---------------------------------------------------------------------------

def looks_like_sdv(spec: Any) -> bool:
    """Whether ``spec`` is SDV metadata rather than a synthframe schema (decided by its keys)."""
    if not isinstance(spec, Mapping):
        return False
    if any(key in spec for key in ("METADATA_SPEC_VERSION", "relationships", "columns", "fields")):
        return True
    tables = spec.get("tables")
    if not isinstance(tables, Mapping) or not tables:
        return False
    return all(isinstance(t, Mapping) and ("fields" in t or _sdv_columns(t.get("columns"))) for t in tables.values())


def read_metadata(source: Mapping[str, Any] | str | Path) -> Mapping[str, Any]:
    """SDV metadata given as a dict, a JSON string or the path of a JSON file, as a dict."""
    from .schema import load_json_text, read_json_file

    if isinstance(source, Mapping):
        return source
    if isinstance(source, (str, Path)):
        text = str(source)
        if text.lstrip().startswith("{"):
            return load_json_text(text, what="SDV metadata")
        return read_json_file(text, what="SDV metadata")
    raise SchemaError(f"SDV metadata must be a dict, a JSON string or a path to a JSON file; "
                      f"got {type(source).__name__}.")


def to_schema_dict(metadata: Mapping[str, Any] | str | Path, *, table_name: str = SINGLE_TABLE_NAME,
                   samples: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """A synthframe schema (plain data) from SDV metadata; malformed metadata is a SchemaError.

    ``table_name`` names the table of single-table metadata. ``samples`` (``{table: DataFrame}``,
    optional) settles what the metadata leaves open: an ``id`` column without a usable
    ``regex_format`` is an integer when its sample values are all whole numbers (a string
    otherwise, and without samples), and a ``datetime`` column without a ``datetime_format`` is a
    date when its sample values all fall at midnight.
    """
    tables, relationships = _normalise(read_metadata(metadata), table_name)
    out: dict[str, dict[str, Any]] = {}
    for name, table in tables.items():
        frame = samples.get(name) if samples is not None else None
        out[name] = _table(name, table, frame)
    for index, rel in enumerate(relationships):
        _add_relationship(out, index, rel)
    return {"tables": out}


def regex_to_pattern(regex: str) -> str | None:
    """A synthframe ``pattern`` whose every value matches ``regex``, or None when there is none.

    Understood: literal characters, ``\\d``, classes holding all of ``0-9``, ``A-Z`` or ``a-z``
    (``#``, ``?``, ``@``; ``[A-Za-z]`` gives upper-case letters), one-character classes, groups,
    bounded repeats (``{3}``, ``{3,4}``, ``?``: the longest form is used) and ``^``/``$``.
    Alternation, unbounded repeats (``*``, ``+``) and negated classes are not.
    """
    from .schema import MAX_PATTERN_LENGTH

    items = _parse_regex(regex)
    tokens = _render(items) if items is not None else None
    if tokens is None:
        return None
    pattern = "".join(tokens)

    return pattern if 0 < len(pattern) <= MAX_PATTERN_LENGTH else None


def regex_integer_range(regex: str) -> tuple[int, int | None] | None:
    """``(min, max)`` of the whole numbers ``regex`` describes when it is digits only and cannot start
    with ``0`` (``[1-9][0-9]{4}`` → ``(10000, 99999)``; max None when unbounded or too large), else None."""
    items = _parse_regex(regex, flat=True)
    if not items or any(not isinstance(atom, frozenset) or not atom <= _DIGITS for atom, _, _ in items):
        return None
    first, lo, hi = items[0]
    if "0" in first or (lo, hi) != (1, 1) or sum(lo for _, lo, _ in items) > 18:
        return None
    low = int(min(first) + "".join(min(atom) * lo for atom, lo, _ in items[1:]))
    if sum(hi for _, _, hi in items) > 18:
        return low, None
    return low, int(max(first) + "".join(max(atom) * hi for atom, _, hi in items[1:]))


# -- the metadata's forms -------------------------------------------------------------------

def _sdv_columns(columns: Any) -> bool:
    return isinstance(columns, Mapping) and bool(columns) and all(
        isinstance(c, Mapping) and "sdtype" in c and "type" not in c for c in columns.values())


def _normalise(meta: Mapping[str, Any], table_name: str) -> tuple[dict[str, Mapping[str, Any]], list[Any]]:
    """``({table: SDV 1.x table dict}, relationships)`` from any accepted form."""
    if not isinstance(meta, Mapping):
        raise SchemaError(f"SDV metadata must be a JSON object; got {type(meta).__name__}.")
    version = meta.get("METADATA_SPEC_VERSION")
    if version is not None and version not in SPEC_VERSIONS:
        raise SchemaError(f"SDV metadata has METADATA_SPEC_VERSION {version!r}, which synthframe does not read; "
                          f"expected one of {', '.join(SPEC_VERSIONS)}. Save it again with SDV 1.x or 2.x "
                          f"(Metadata.save_to_json).")
    if "tables" in meta:
        tables = meta["tables"]
        if not isinstance(tables, Mapping) or not tables:
            raise SchemaError("SDV metadata: 'tables' must be a non-empty object {table_name: table metadata}.")
        for name, table in tables.items():
            if not isinstance(table, Mapping):
                raise SchemaError(f"SDV metadata: table '{name}' must be an object with 'columns'; "
                                  f"got {type(table).__name__}.", table=str(name))
        relationships = meta.get("relationships", [])
        if relationships is None:
            relationships = []
        if not isinstance(relationships, list):
            raise SchemaError(f"SDV metadata: 'relationships' must be a list of {{parent_table_name, "
                              f"parent_primary_key, child_table_name, child_foreign_key}}; "
                              f"got {type(relationships).__name__}.")
        if any("fields" in t for t in tables.values()):
            return _from_fields(tables)
        return dict(tables), list(relationships)
    if "columns" in meta:
        return {table_name: meta}, []
    if "fields" in meta:
        return _from_fields({table_name: meta})
    raise SchemaError("SDV metadata needs 'tables' (several tables) or 'columns' (one table); neither is there. "
                      "Pass the dict SDV's Metadata.to_dict() returns, or the file Metadata.save_to_json writes.")


def _from_fields(tables: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Mapping[str, Any]], list[Any]]:
    """SDV 0.x metadata (``fields``, foreign keys as a field's ``ref``) in the 1.x form."""
    out: dict[str, Mapping[str, Any]] = {}
    relationships: list[dict[str, Any]] = []
    for name, table in tables.items():
        fields = table.get("fields")
        if not isinstance(fields, Mapping) or not fields:
            raise SchemaError(f"SDV metadata: table '{name}' needs a non-empty 'fields' object "
                              f"{{column: {{type, ...}}}}.", table=name)
        columns: dict[str, Any] = {}
        for column, field in fields.items():
            if not isinstance(field, Mapping) or not isinstance(field.get("type"), str):
                raise SchemaError(f"SDV metadata: field {where(name, column)} must be an object with a 'type' "
                                  f"(numerical, categorical, boolean, datetime or id); got {field!r}.",
                                  table=name, column=column)
            columns[column] = _field_to_column(field)
            ref = field.get("ref")
            if ref is not None:
                if not isinstance(ref, Mapping) or "table" not in ref or "field" not in ref:
                    raise SchemaError(f"SDV metadata: field {where(name, column)} has 'ref' {ref!r}; write it as "
                                      f"{{\"table\": parent, \"field\": parent_key}}.", table=name, column=column)
                relationships.append({"parent_table_name": ref["table"], "parent_primary_key": ref["field"],
                                      "child_table_name": name, "child_foreign_key": column})
        out[name] = {"columns": columns, "primary_key": table.get("primary_key")}
    return out, relationships


def _field_to_column(field: Mapping[str, Any]) -> dict[str, Any]:
    kind, subtype = field["type"], field.get("subtype")
    if field.get("pii") and field.get("pii_category"):
        category = field["pii_category"]
        return {"sdtype": category[0] if isinstance(category, list) and category else category, "pii": True}
    if kind == "numerical":
        return {"sdtype": "numerical", "computer_representation": "Int64" if subtype == "integer" else "Float"}
    if kind == "id" and subtype == "integer":
        return {"sdtype": "numerical", "computer_representation": "Int64"}
    if kind == "id":
        return {"sdtype": "id", **({"regex_format": field["regex"]} if field.get("regex") else {})}
    if kind == "datetime":
        return {"sdtype": "datetime", **({"datetime_format": field["format"]} if field.get("format") else {})}
    return {"sdtype": kind}


# -- tables and columns ------------------------------------------------------------------

def _key_names(table: str, value: Any, what: str, columns: Mapping[str, Any]) -> list[str]:
    """A key (a name or a list of names) as a list, every name a column of the table."""
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) for n in names):
        raise SchemaError(f"SDV metadata: table '{table}' has {what} {value!r}; write a column name or a list "
                          f"of column names.", table=table)
    for name in names:
        if name not in columns:
            raise SchemaError(f"SDV metadata: {what} {where(table, name)} is not among the table's columns "
                              f"{list(columns)}; add it to 'columns' or fix the name.", table=table, column=name)
    return list(names)


def _table(name: str, table: Mapping[str, Any], frame: pd.DataFrame | None) -> dict[str, Any]:
    columns = table.get("columns")
    if not isinstance(columns, Mapping) or not columns:
        raise SchemaError(f"SDV metadata: table '{name}' needs a non-empty 'columns' object "
                          f"{{column: {{\"sdtype\": ...}}}}.", table=name)
    out: dict[str, Any] = {}
    for column, spec in columns.items():
        values = frame[column] if frame is not None and column in frame.columns else None
        out[column] = _column(name, column, spec, values)
    primary = _key_names(name, table.get("primary_key"), "primary key", columns)
    alternates = table.get("alternate_keys") or []
    if not isinstance(alternates, list):
        raise SchemaError(f"SDV metadata: table '{name}' has alternate_keys {alternates!r}; write a list of "
                          f"column names (or of lists of names).", table=name)
    for key in alternates:
        names = _key_names(name, key, "alternate key", columns)
        if len(names) == 1:  # a composite alternate key is unique as a whole, which no hint says
            out[names[0]]["unique"] = True
    result: dict[str, Any] = {"columns": out}
    if primary:
        result["primary_key"] = primary[0] if len(primary) == 1 else primary
        for column in primary:
            out[column].pop("unique", None)
    return result


def _column(table: str, column: str, spec: Any, values: pd.Series | None) -> dict[str, Any]:
    at = where(table, column)
    if not isinstance(spec, Mapping) or not isinstance(spec.get("sdtype"), str):
        raise SchemaError(f"SDV metadata: column {at} needs an 'sdtype' (numerical, datetime, categorical, "
                          f"boolean, id, unknown or a PII sdtype such as email); got {spec!r}.",
                          table=table, column=column)
    sdtype = spec["sdtype"]
    pii = spec.get("pii", True)
    if not isinstance(pii, bool):
        raise SchemaError(f"SDV metadata: column {at} has 'pii' {pii!r}; it must be true or false.",
                          table=table, column=column)
    if sdtype == "numerical":
        representation = spec.get("computer_representation", "Float")
        if representation not in NUMERICAL_TYPES:
            raise SchemaError(f"SDV metadata: column {at} has computer_representation {representation!r}; use one "
                              f"of {', '.join(NUMERICAL_TYPES)}.", table=table, column=column)
        out: dict[str, Any] = {"type": NUMERICAL_TYPES[representation]}
        if representation.startswith("UInt"):
            out["min"] = 0
        return out
    if sdtype == "datetime":
        return {"type": _date_type(table, column, spec.get("datetime_format"), values)}
    if sdtype == "categorical":
        return {"type": "category"}
    if sdtype == "boolean":
        return {"type": "boolean"}
    if sdtype == "id":
        return _id_column(table, column, spec.get("regex_format"), values)
    if sdtype == "unknown":
        return {"type": "string"}
    if sdtype in COORDINATES:
        bound = COORDINATES[sdtype]
        return {"type": "float", "min": -bound, "max": bound}
    semantic = _semantic(table, column, sdtype)
    return {"type": "string", "semantic": semantic} if semantic and pii else {"type": "string"}


def _semantic(table: str, column: str, sdtype: str) -> str | None:
    """synthframe's semantic name for a PII sdtype; None for another Faker function; a SchemaError else."""
    from .text import ALIASES, SEMANTICS

    name = SDTYPE_SEMANTICS.get(sdtype, ALIASES.get(sdtype, sdtype))
    if name in SEMANTICS:
        return name
    if sdtype in SDV_PII_SDTYPES or sdtype in _faker_functions():
        return None
    raise SchemaError(
        f"SDV metadata: column {where(table, column)} has sdtype {sdtype!r}, which is neither one of SDV's "
        f"sdtypes ({', '.join(SDTYPE_TYPES)}) nor a Faker function (email, phone_number, first_name, city, ...); "
        f"fix the spelling or use 'unknown'.", table=table, column=column)


@lru_cache(maxsize=1)
def _faker_functions() -> frozenset[str]:
    """Names of the functions Faker's providers offer (SDV accepts any of them as an sdtype)."""
    from faker import Faker

    return frozenset(name for provider in Faker("en_US").get_providers() for name in dir(provider)
                     if not name.startswith("_"))


def _date_type(table: str, column: str, fmt: Any, values: pd.Series | None) -> str:
    """``date`` when the strftime format has no time of day (or, without one, the samples have none)."""
    if fmt is None:
        if values is None:
            return "datetime"
        stamps = values.dropna()
        if not pd.api.types.is_datetime64_any_dtype(stamps.dtype):
            stamps = pd.to_datetime(stamps.astype(str), format="ISO8601", errors="coerce", utc=True)
        midnight = stamps.notna().all() and bool((stamps == stamps.dt.normalize()).all())
        return "date" if len(stamps) and midnight else "datetime"
    if not isinstance(fmt, str) or not re.search(r"%[A-Za-z]", fmt):
        raise SchemaError(f"SDV metadata: column {where(table, column)} has datetime_format {fmt!r}, which is not a "
                          f"strftime format; write it like '%Y-%m-%d' or '%Y-%m-%d %H:%M:%S'.",
                          table=table, column=column)
    directives = set(re.findall(r"%[-#]?([A-Za-z])", fmt))
    return "datetime" if directives & _TIME_DIRECTIVES else "date"


def _id_column(table: str, column: str, regex: Any, values: pd.Series | None) -> dict[str, Any]:
    """An integer (digits-only regex not starting with 0), a string with the regex as a pattern, or a
    column typed by its samples."""
    if regex is not None:
        if not isinstance(regex, str):
            raise SchemaError(f"SDV metadata: column {where(table, column)} has regex_format {regex!r}; it must "
                              f"be a regular expression string such as 'ID_[0-9]{{5}}'.", table=table, column=column)
        try:
            re.compile(regex)
        except re.error as exc:
            raise SchemaError(f"SDV metadata: column {where(table, column)} has regex_format {regex!r}, which is "
                              f"not a valid regular expression ({exc}); fix it or remove it.",
                              table=table, column=column) from None
        bounds = regex_integer_range(regex)
        if bounds is not None:
            low, high = bounds
            return {"type": "integer", "min": low, **({"max": high} if high is not None else {})}
        pattern = regex_to_pattern(regex)
        if pattern is not None:
            return {"type": "string", "pattern": pattern}
    return {"type": "integer" if values is not None and _whole_numbers(values) else "string"}


def _whole_numbers(values: pd.Series) -> bool:
    """Every non-null value is a whole number in int64 written without a leading zero."""
    present = values.dropna()
    if present.empty:
        return False
    if pd.api.types.is_bool_dtype(present.dtype):
        return False
    if pd.api.types.is_integer_dtype(present.dtype):
        return True
    if pd.api.types.is_float_dtype(present.dtype):
        numbers = present.to_numpy(dtype=float)
        return bool(((numbers == numbers.round()) & (abs(numbers) < 2**53)).all())
    text = present.astype(str).str.strip()
    return bool(text.str.fullmatch(r"-?(?:0|[1-9]\d{0,17})").all())


def _add_relationship(tables: dict[str, dict[str, Any]], index: int, rel: Any) -> None:
    """Add relationship ``index`` as a foreign key of its child table; the child's columns take the
    parent key's types (their values are the parent's)."""
    fields = ("parent_table_name", "parent_primary_key", "child_table_name", "child_foreign_key")
    if not isinstance(rel, Mapping) or any(f not in rel for f in fields):
        raise SchemaError(f"SDV metadata: relationship {index + 1} must be an object with {', '.join(fields)}; "
                          f"got {rel!r}.")
    parent, child = rel["parent_table_name"], rel["child_table_name"]
    for role, name in (("parent", parent), ("child", child)):
        if name not in tables:
            raise SchemaError(f"SDV metadata: relationship {index + 1} names {role} table {name!r}, which is not "
                              f"among the tables {list(tables)}; fix the name or add the table.")
    ref = _key_names(parent, rel["parent_primary_key"], "parent_primary_key", tables[parent]["columns"])
    cols = _key_names(child, rel["child_foreign_key"], "child_foreign_key", tables[child]["columns"])
    key = tables[parent].get("primary_key")
    declared = [key] if isinstance(key, str) else list(key or [])
    if ref != declared:
        raise SchemaError(f"SDV metadata: relationship {index + 1} ({child} → {parent}) references {ref} of "
                          f"'{parent}', but its primary key is {declared or 'not set'}; a relationship must "
                          f"reference the parent's primary key.", table=child, column=cols[0])
    if len(cols) != len(ref):
        raise SchemaError(f"SDV metadata: relationship {index + 1} ({child} → {parent}) has {len(cols)} child "
                          f"column(s) for {len(ref)} parent key column(s); list as many on both sides.",
                          table=child, column=cols[0])
    for col, parent_col in zip(cols, ref):
        spec = tables[child]["columns"][col]
        aligned = {"type": tables[parent]["columns"][parent_col]["type"]}
        if spec.get("unique"):
            aligned["unique"] = True
        tables[child]["columns"][col] = aligned
    tables[child].setdefault("foreign_keys", []).append(
        {"columns": cols, "references": {"table": parent, "columns": ref}})


# -- regular expressions ---------------------------------------------------------------------

_DIGITS = frozenset("0123456789")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_WORD = _DIGITS | _UPPER | _LOWER | {"_"}
_ESCAPED_SETS = {"d": _DIGITS, "w": _WORD}
_SPECIAL = set(".^$*+?()[]{}|\\")

# An item is (atom, min, max): the atom a set of characters, or a list of items (a group).
Item = tuple[Any, int, int]


def _parse_regex(regex: str, flat: bool = False) -> list[Item] | None:
    """The regex as items, or None outside the understood subset (``flat``: no groups either)."""
    text = regex[1:] if regex.startswith("^") else regex
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1]
    items, pos = _parse_sequence(text, 0, flat)
    return items if items is not None and pos == len(text) else None


def _parse_sequence(text: str, pos: int, flat: bool) -> tuple[list[Item] | None, int]:
    items: list[Item] = []
    while pos < len(text) and text[pos] != ")":
        atom, pos = _parse_atom(text, pos, flat)
        if atom is None:
            return None, pos
        low, high, pos = _parse_repeat(text, pos)
        if low is None:
            return None, pos
        items.append((atom, low, high))
    return items, pos


def _parse_atom(text: str, pos: int, flat: bool) -> tuple[Any, int]:
    ch = text[pos]
    if ch == "(":
        if flat:
            return None, pos
        start = pos + 3 if text.startswith("(?:", pos) else pos + 1
        if text.startswith("(?", pos) and start == pos + 1:
            return None, pos
        items, end = _parse_sequence(text, start, flat)
        if items is None or end >= len(text) or text[end] != ")":
            return None, pos
        return items, end + 1
    if ch == "[":
        return _parse_class(text, pos + 1)
    if ch == "\\":
        return _parse_escape(text, pos + 1)
    if ch == ".":
        return frozenset(_WORD), pos + 1
    if ch in _SPECIAL:
        return None, pos
    return frozenset(ch), pos + 1


def _parse_escape(text: str, pos: int) -> tuple[frozenset[str] | None, int]:
    if pos >= len(text):
        return None, pos
    ch = text[pos]
    if ch in _ESCAPED_SETS:
        return _ESCAPED_SETS[ch], pos + 1
    if ch.isalnum():
        return None, pos
    return frozenset(ch), pos + 1


def _parse_class(text: str, pos: int) -> tuple[frozenset[str] | None, int]:
    chars: set[str] = set()
    if pos < len(text) and text[pos] == "^":
        return None, pos
    first = True
    while pos < len(text) and (text[pos] != "]" or first):
        first = False
        if text[pos] == "\\":
            escaped, pos = _parse_escape(text, pos + 1)
            if escaped is None:
                return None, pos
            chars |= escaped
            continue
        if pos + 2 < len(text) and text[pos + 1] == "-" and text[pos + 2] != "]":
            low, high = text[pos], text[pos + 2]
            if ord(low) > ord(high):
                return None, pos
            chars |= {chr(c) for c in range(ord(low), ord(high) + 1)}
            pos += 3
            continue
        chars.add(text[pos])
        pos += 1
    if pos >= len(text) or not chars:
        return None, pos
    return frozenset(chars), pos + 1


def _parse_repeat(text: str, pos: int) -> tuple[int | None, int, int]:
    """``(min, max, next position)`` of the quantifier at ``pos`` (``(1, 1)`` without one)."""
    if pos >= len(text):
        return 1, 1, pos
    ch = text[pos]
    if ch in "*+":
        low, high, pos = (0 if ch == "*" else 1), _UNBOUNDED, pos + 1
    elif ch == "?":
        low, high, pos = 0, 1, pos + 1
    elif ch == "{":
        match = re.match(r"\{(\d+)(,(\d*))?\}", text[pos:])
        if match is None:
            return None, 0, pos
        low = int(match.group(1))
        high = low if match.group(2) is None else (int(match.group(3)) if match.group(3) else _UNBOUNDED)
        if high < low:
            return None, 0, pos
        pos += match.end()
    else:
        return 1, 1, pos
    if pos < len(text) and text[pos] in "?+":  # lazy or possessive: same strings
        pos += 1
    return low, high, pos


def _render(items: list[Item]) -> list[str] | None:
    """Pattern tokens for items, each repeated its largest number of times; None when unbounded or
    when a class holds no placeholder's whole alphabet."""
    out: list[str] = []
    for atom, _, high in items:
        token = _render(atom) if isinstance(atom, list) else _placeholder(atom)
        if token is None or len(out) + len(token) * high > _LONGEST:
            return None
        out.extend(token * high)
    return out


def _placeholder(chars: frozenset[str]) -> list[str] | None:
    """The placeholder whose alphabet lies within ``chars`` (the widest), or its one literal character."""
    for placeholder, alphabet in (("?", _UPPER), ("@", _LOWER), ("#", _DIGITS)):
        if alphabet <= chars:
            return [placeholder]
    if len(chars) == 1:
        ch = next(iter(chars))
        return ["\\" + ch if ch in "#?@\\[" else ch]  # "[": a set placeholder's opening
    return None
