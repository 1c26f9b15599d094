"""The OpenAPI 3.1 document of the HTTP API, served at ``/api/openapi.json``.

Written as plain data, next to the code it describes; the API tests load it,
and the fuzz test generates requests from it and checks every response against
it, so the document and the behaviour cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..schema import HINTS, RULE_KINDS, TYPES
from ..write import FORMATS
from .config import ServerConfig
from .inputs import DEFAULT_LIMIT, MAX_LIMIT, MAX_SEED

_NAME = {"type": "string", "minLength": 1}
"""Table and column names: non-empty strings."""

EXAMPLE_REQUEST: dict[str, Any] = {
    "schema": {"tables": {
        "customers": {"primary_key": "customer_id", "columns": {
            "customer_id": "integer", "name": {"type": "string", "semantic": "name"},
            "segment": {"type": "category", "values": ["consumer", "corporate"]}, "signup": "date"}},
        "orders": {"primary_key": "order_id", "foreign_keys": {"customer_id": "customers.customer_id"}, "columns": {
            "order_id": "integer", "customer_id": "integer", "total": {"type": "float", "min": 0}}},
    }},
    "sampleData": {
        "customers": [
            {"customer_id": 1, "name": "Ada Byron", "segment": "consumer", "signup": "2024-01-05"},
            {"customer_id": 2, "name": "Alan Turing", "segment": "corporate", "signup": "2024-02-11"},
            {"customer_id": 3, "name": "Grace Hopper", "segment": "consumer", "signup": "2024-03-30"},
        ],
        "orders": [
            {"order_id": 10, "customer_id": 1, "total": 25.5},
            {"order_id": 11, "customer_id": 1, "total": 80.0},
            {"order_id": 12, "customer_id": 3, "total": 12.25},
            {"order_id": 13, "customer_id": 2, "total": 40.0},
        ],
    },
    "recordCounts": {"customers": 100},
    "seed": 7,
    "format": "json",
}
"""A small complete request, shown in the document and sent first by the fuzz test."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _schemas(config: ServerConfig) -> dict[str, Any]:
    names = {"type": "array", "items": {"type": "string"}, "minItems": 1}
    one_or_more = {"oneOf": [{"type": "string"}, names]}
    reference = {"oneOf": [
        {"type": "string", "description": "table.column"},
        {"type": "object", "required": ["table", "columns"],
         "properties": {"table": {"type": "string"}, "columns": one_or_more}},
    ]}
    return {
        "Error": {
            "type": "object", "required": ["error", "table", "column"],
            "properties": {
                "error": {"type": "string", "description": "What is wrong and how to fix it."},
                "table": {"type": ["string", "null"], "description": "The table it is about, if any."},
                "column": {"type": ["string", "null"], "description": "The column it is about, if any."},
                "limit": {"type": "string", "description": "The server limit that was exceeded, if one was "
                                                           "(max_body_bytes, max_rows, max_tables, max_columns, "
                                                           "time_budget)."},
            },
        },
        "Schema": {
            "type": "object", "required": ["tables"], "additionalProperties": False,
            "description": "A synthframe schema (docs/schema.md).",
            "properties": {"tables": {"type": "object", "minProperties": 1, "maxProperties": config.max_tables,
                                      "propertyNames": _NAME, "additionalProperties": _ref("Table")}},
        },
        "Table": {
            "type": "object", "required": ["columns"], "additionalProperties": False,
            "properties": {
                "columns": {"type": "object", "minProperties": 1, "maxProperties": config.max_columns,
                            "propertyNames": _NAME, "additionalProperties": _ref("Column")},
                "primary_key": {"oneOf": [{"type": "string"}, names, {"type": "null"}]},
                "foreign_keys": {"oneOf": [
                    {"type": "object", "additionalProperties": reference, "description": "{column: 'table.column'}"},
                    {"type": "array", "items": {
                        "type": "object", "required": ["columns", "references"],
                        "properties": {"columns": one_or_more, "references": reference}}},
                    {"type": "null"},
                ]},
                "rules": {"oneOf": [
                    {"type": "array", "items": {
                        "type": "object", "required": ["rule", "column"],
                        "properties": {"rule": {"type": "string", "enum": list(RULE_KINDS)},
                                       "column": {"type": "string"}, "after": {"type": "string"},
                                       "parent": {"type": "string"},
                                       "of": {"type": "array", "items": {"type": "string"}},
                                       "from": {"type": "string"}, "offset": {"type": "integer"}}}},
                    {"type": "boolean", "enum": [False]},
                    {"type": "null"},
                ], "description": "Rules to keep (not before, equals, product, prefix) or not to look for (none); "
                                  "false: find no rule in this table."},
            },
        },
        "Column": {"oneOf": [
            {"type": "string", "enum": list(TYPES)},
            {"type": "object", "required": ["type"], "additionalProperties": False,
             "properties": {
                 "type": {"type": "string", "enum": list(TYPES)},
                 "semantic": {"type": ["string", "null"],
                              "description": "A Faker provider name: email, first_name, city, ..."},
                 "unique": {"type": "boolean"},
                 "nullable": {"type": "boolean"},
                 "min": {"description": "A number, or a date / datetime as ISO text."},
                 "max": {"description": "A number, or a date / datetime as ISO text."},
                 "values": {"oneOf": [
                     {"type": "array", "minItems": 1, "description": "Levels."},
                     {"type": "object", "minProperties": 1, "additionalProperties": {"type": "number", "minimum": 0},
                      "description": "Levels with weights."},
                     {"type": "null"}]},
                 "pattern": {"type": ["string", "null"], "description": "# digit, ? upper, @ lower."},
                 "format": {"type": ["string", "null"],
                            "description": "How a date or datetime is written: %Y-%m-%dT%H:%M:%SZ, ..."},
                 "locale": {"type": ["string", "null"], "description": "Locale of names and places: de_DE, ..."},
                 "distribution": {"type": ["object", "null"], "required": ["name"],
                                  "properties": {"name": {"type": "string"}}},
             }},
        ]},
        "Counts": {
            "type": "object", "propertyNames": _NAME, "additionalProperties": {"type": "integer", "minimum": 0},
            "description": "Rows per table. Tables left out follow their parents (by the samples' ratio) or "
                           "get their sample size.",
        },
        "JsonRequest": {
            "type": "object", "required": ["sampleData"], "additionalProperties": False,
            "properties": {
                "schema": {"oneOf": [_ref("Schema"), {"type": "null"}],
                           "description": "Omit or null to infer the schema from the samples."},
                "sampleData": {"type": "object", "maxProperties": config.max_tables, "propertyNames": _NAME,
                               "additionalProperties": {"type": "array", "items": _ref("Record")},
                               "description": "{table: [records]}; may be {} when a schema is given."},
                "recordCounts": {"oneOf": [_ref("Counts"), {"type": "null"}]},
                "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED, "default": 0},
                "format": {"type": "string", "enum": list(FORMATS), "default": "json",
                           "description": "generate only: json, or a zip of one csv / jsonl / parquet file per "
                                          "table."},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT,
                          "description": "preview only: rows per table."},
            },
        },
        "Record": {"type": "object", "propertyNames": _NAME, "maxProperties": config.max_columns,
                   "description": "One sample row, {column: value}."},
        "FormRequest": {
            "type": "object", "additionalProperties": False,
            "description": "Files are read in memory, never stored. At least one of schema and samples.",
            "properties": {
                "schema": {"type": "string", "format": "binary", "description": "The schema JSON file."},
                "samples": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "One file per table, named <table>.csv / .json / .jsonl / .ndjson / "
                                           ".parquet."},
                "recordCounts": {"type": "string", "description": "A JSON object {table: rows}."},
                "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED, "default": 0},
                "format": {"type": "string", "enum": list(FORMATS), "default": "json"},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
        },
        "Tables": {
            "type": "object", "description": "{table: [records]}; dates as YYYY-MM-DD, datetimes as ISO 8601.",
            "additionalProperties": {"type": "array", "items": {"type": "object"}},
        },
        "Analysis": {
            "type": "object", "required": ["schema", "recordCounts", "tables", "model"],
            "properties": {
                "schema": {"type": "object", "description": "The schema used (inferred when none was given)."},
                "recordCounts": {"type": "object", "additionalProperties": {"type": "integer"},
                                 "description": "Rows each table would get with this request's recordCounts."},
                "tables": {"type": "object", "additionalProperties": _ref("TableAnalysis")},
                "model": {"type": "object", "description": "The fitted model, as Model.to_dict()."},
                "fingerprint": {"type": "string"},
            },
        },
        "TableAnalysis": {
            "type": "object",
            "required": ["sample_rows", "record_count", "primary_key", "foreign_keys", "layout", "columns"],
            "properties": {
                "sample_rows": {"type": "integer"},
                "record_count": {"type": "integer"},
                "primary_key": {"type": "array", "items": {"type": "string"}},
                "foreign_keys": {"type": "array", "items": {"type": "object"}},
                "layout": {"type": "object"},
                "columns": {"type": "object", "additionalProperties": _ref("ColumnAnalysis")},
            },
        },
        "ColumnAnalysis": {
            "type": "object", "required": ["type", "kind", "null_rate"],
            "description": "Every scalar the model holds about the column, flattened; the keys below always.",
            "properties": {
                "type": {"type": "string", "enum": list(TYPES)},
                "kind": {"type": "string", "description": "How values are made: sequence, key_pattern, uuid, "
                                                          "foreign_key, line_number, distribution, frequencies, "
                                                          "text, offset (a date after another), parent_column "
                                                          "(equal to a parent's column), place_country, "
                                                          "place_city, place_region, place_postcode, place_phone, "
                                                          "place_street (a place of the row's country), "
                                                          "person_name (a name in the row's locale)."},
                "semantic": {"type": ["string", "null"]},
                "pattern": {"type": ["string", "null"]},
                "distribution": {"type": ["string", "null"]},
                "parameters": {"type": ["object", "null"]},
                "levels": {"type": ["array", "null"], "maxItems": 20},
                "weights": {"type": ["array", "null"], "items": {"type": "number"}},
                "level_count": {"type": ["integer", "null"]},
                "null_rate": {"type": "number", "minimum": 0, "maximum": 1},
                "primary_key": {"type": "boolean"},
                "foreign_key": {"type": ["string", "null"]},
                "derived_from": {"type": ["string", "null"],
                                 "description": "The column an offset or parent_column is computed from."},
            },
        },
        "Preview": {
            "type": "object", "required": ["recordCounts", "limit", "tables"],
            "properties": {
                "recordCounts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "limit": {"type": "integer"},
                "tables": _ref("Tables"),
            },
        },
        "Health": {
            "type": "object", "required": ["status", "version"],
            "properties": {"status": {"type": "string", "enum": ["ok"]}, "version": {"type": "string"},
                           "limits": {"type": "object"}},
        },
    }


def openapi_document(config: ServerConfig | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with ``config``'s limits in its bounds and descriptions."""
    config = config or ServerConfig()
    body = {"required": True, "content": {
        "application/json": {"schema": _ref("JsonRequest"), "example": EXAMPLE_REQUEST},
        "multipart/form-data": {"schema": _ref("FormRequest")},
    }}
    errors = {
        "400": _error_response("The request is not well formed: not JSON, a field missing or of the wrong type."),
        "413": _error_response(f"The body is larger than {config.max_body_bytes:,} bytes (max_body_bytes)."),
        "422": _error_response("The inputs cannot be used (schema, samples, counts), or a limit was exceeded "
                               "(max_rows, max_tables, max_columns, time_budget); the body says which and how "
                               "to fix it."),
    }

    def operation(op_id: str, summary: str, description: str, ok: dict[str, Any]) -> dict[str, Any]:
        return {"operationId": op_id, "summary": summary, "description": description, "requestBody": body,
                "responses": {"200": ok, **errors}}

    paths = {
        "/api/generate": {"post": operation(
            "generate", "Fit a model to the samples and generate tables",
            f"All tables are generated before the response starts; at most {config.max_rows:,} rows in all "
            f"(max_rows), within {config.time_budget:g} s (time_budget).",
            {"description": "format json: {table: [records]}; csv, jsonl, parquet: a zip with one file per table "
                            "(Content-Disposition names it synthframe-<format>.zip).",
             "content": {"application/json": {"schema": _ref("Tables")},
                         "application/zip": {"schema": {"type": "string", "format": "binary"}}}})},
        "/api/analyze": {"post": operation(
            "analyze", "What the model learns from the samples, per table and column", "",
            {"description": "The schema, counts, per-column summary and the model.",
             "content": {"application/json": {"schema": _ref("Analysis")}}})},
        "/api/preview": {"post": operation(
            "preview", "The first rows of every table",
            f"The first 'limit' rows (at most {MAX_LIMIT}) of each table, as generate would return them for "
            f"the same inputs and seed.",
            {"description": "Counts, limit and the rows.",
             "content": {"application/json": {"schema": _ref("Preview")}}})},
        "/api/health": {"get": {"operationId": "health", "summary": "Liveness, version and limits",
                                "responses": {"200": {"description": "The server is up.", "content": {
                                    "application/json": {"schema": _ref("Health")}}}}}},
        "/api/example": {"get": {"operationId": "example", "summary": "The bundled example's files, for the page",
                                 "responses": {"200": {"description": "{name, files: {file name: text}, "
                                                                      "recordCounts}.", "content": {
                                     "application/json": {"schema": {
                                         "type": "object", "required": ["name", "files", "recordCounts"],
                                         "properties": {
                                             "name": {"type": "string"},
                                             "files": {"type": "object",
                                                       "additionalProperties": {"type": "string"}},
                                             "recordCounts": {"type": "object",
                                                              "additionalProperties": {"type": "integer"}}}}}}}}}},
        "/api/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3.1 document.", "content": {
                                          "application/json": {"schema": {"type": "object"}}}}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "synthframe", "version": __version__,
                 "description": "Learn a relational dataset from a schema and sample rows; generate synthetic "
                                "tables. Every error is JSON {error, table, column}. Column hints: "
                                + ", ".join(HINTS) + "."},
        "paths": paths,
        "components": {"schemas": _schemas(config)},
    }
