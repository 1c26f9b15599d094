"""The HTTP API through Flask's test client: every operation, every error path, limits, privacy, the CLI."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("flask")

import synthframe as sf  # noqa: E402
from synthframe.examples import example_samples_dir, example_schema_path, load_example_request  # noqa: E402
from synthframe.samples import read_sample_files  # noqa: E402
from synthframe.server import ServerConfig, create_app  # noqa: E402
from synthframe.server import service as service_module  # noqa: E402
from synthframe.server.config import ServerConfigError, parse_size  # noqa: E402
from synthframe.server.service import TEMP_PREFIX  # noqa: E402

SMALL = {"customers": 40, "products": 15, "orders": 90, "order_items": 200, "reviews": 30}
TABLES = ["customers", "products", "orders", "order_items", "reviews"]


# -- helpers ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def request_body() -> dict[str, Any]:
    return load_example_request()


@pytest.fixture(scope="module")
def schema(request_body) -> sf.Schema:
    return sf.Schema.from_dict(request_body["schema"])


@pytest.fixture(scope="module")
def client():
    return create_app(ServerConfig()).test_client()


def post(client, path: str, body: Any, **kwargs: Any):
    """POST ``body`` as JSON text (keys in order), read the whole response, close it."""
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    response = client.post(path, data=data, content_type=kwargs.pop("content_type", "application/json"), **kwargs)
    response.get_data()
    response.close()
    return response


def upload(client, path: str, files: dict[str, bytes], fields: dict[str, str] | None = None,
           schema: bytes | None = None):
    """POST a multipart form: one 'samples' part per file, an optional 'schema' file, text fields."""
    data: dict[str, Any] = dict(fields or {})
    data["samples"] = [(io.BytesIO(content), name) for name, content in files.items()]
    if schema is not None:
        data["schema"] = (io.BytesIO(schema), "schema.json")
    response = client.post(path, data=data, content_type="multipart/form-data")
    response.get_data()
    response.close()
    return response


def example_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(example_samples_dir().iterdir())}


def assert_error(response, status: int, *, table: str | None = None, column: str | None = None,
                 contains: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error", "table", "column"}
    assert isinstance(body["error"], str) and body["error"]
    assert body["table"] == table
    assert body["column"] == column
    assert contains in body["error"]
    return body


def server_dirs() -> set[str]:
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith(TEMP_PREFIX)}


# -- health, openapi, page --------------------------------------------------------------

def test_health(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["version"] == sf.__version__
    assert body["limits"] == {"max_body_bytes": 16 * 2**20, "max_rows": 1_000_000, "max_tables": 50,
                              "max_columns": 200, "time_budget": 60.0}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_openapi_lists_every_route(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.get_data(as_text=True))
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/api/generate", "/api/analyze", "/api/preview", "/api/health",
                                 "/api/example", "/api/openapi.json"}
    for path in ("/api/generate", "/api/analyze", "/api/preview"):
        op = doc["paths"][path]["post"]
        assert set(op["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
        assert set(op["responses"]) == {"200", "400", "413", "422"}
    assert set(doc["paths"]["/api/generate"]["post"]["responses"]["200"]["content"]) == {
        "application/json", "application/zip"}
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "table", "column"]


def test_openapi_reflects_configured_limits():
    doc = create_app(ServerConfig(max_tables=7, max_rows=123)).test_client().get("/api/openapi.json").get_json()
    assert doc["components"]["schemas"]["Schema"]["properties"]["tables"]["maxProperties"] == 7
    assert "123 rows" in doc["paths"]["/api/generate"]["post"]["description"]


def test_index_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    if not (Path(sf.__file__).parent / "server" / "static" / "index.html").is_file():
        assert "not built" in page


# -- generate -----------------------------------------------------------------------------

def test_generate_json_gives_exact_counts_and_valid_tables(client, request_body, schema):
    response = post(client, "/api/generate", request_body)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    records = json.loads(response.get_data(as_text=True))
    assert list(records) == TABLES  # the schema's order
    assert {t: len(rows) for t, rows in records.items()} == request_body["recordCounts"]
    first = records["customers"][0]
    assert list(first) == list(request_body["schema"]["tables"]["customers"]["columns"])
    assert len(first["signup_date"]) == 10 and first["signup_date"][4] == "-"  # a date, not a timestamp
    frames = sf.read_samples(records, schema)
    report = sf.validate(frames, schema)
    assert report.empty, report.to_string()


def test_generate_same_seed_same_bytes(client, request_body):
    body = {**request_body, "recordCounts": SMALL, "seed": 11}
    first = post(client, "/api/generate", body).get_data()
    again = post(client, "/api/generate", body).get_data()
    other = post(client, "/api/generate", {**body, "seed": 12}).get_data()
    assert first == again
    assert first != other


def test_generate_equals_the_library(client, request_body, schema):
    import pandas as pd

    body = {**request_body, "recordCounts": SMALL, "seed": 5}
    records = json.loads(post(client, "/api/generate", body).get_data(as_text=True))
    expected = sf.fit(request_body["schema"], request_body["sampleData"]).sample(SMALL, seed=5)
    got = sf.read_samples(records, schema)
    for table in TABLES:
        pd.testing.assert_frame_equal(got[table], sf.read_samples({table: expected[table]}, schema)[table])


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_generate_zip_holds_one_file_per_table(client, request_body, schema, fmt):
    response = post(client, "/api/generate", {**request_body, "recordCounts": SMALL, "format": fmt})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="synthframe-{fmt}.zip"'
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert sorted(archive.namelist()) == sorted(f"{t}.{fmt}" for t in TABLES)
        files = {name: archive.read(name) for name in archive.namelist()}
    frames = read_sample_files(files, schema)
    assert {t: len(f) for t, f in frames.items()} == SMALL
    assert sf.validate(frames, schema).empty


def test_zip_bytes_are_reproducible(client, request_body):
    body = {**request_body, "recordCounts": SMALL, "format": "csv", "seed": 3}
    assert post(client, "/api/generate", body).get_data() == post(client, "/api/generate", body).get_data()


def test_generate_format_is_spelled_as_documented(client, request_body):
    assert_error(post(client, "/api/generate", {**request_body, "format": "CSV"}), 400, contains="'format'")


def test_schema_inferred_from_json_samples(client, request_body):
    body = {"sampleData": request_body["sampleData"], "recordCounts": {"customers": 30}}
    response = post(client, "/api/generate", body)
    assert response.status_code == 200
    records = json.loads(response.get_data(as_text=True))
    assert set(records) == set(TABLES)
    assert len(records["customers"]) == 30


def test_schema_only_request_generates_from_types_and_hints(client, request_body):
    body = {"schema": request_body["schema"], "sampleData": {}, "recordCounts": {"customers": 25, "products": 5}}
    response = post(client, "/api/generate", body)
    assert response.status_code == 200
    records = json.loads(response.get_data(as_text=True))
    assert len(records["customers"]) == 25
    schema = sf.Schema.from_dict(request_body["schema"])
    assert sf.validate(sf.read_samples(records, schema), schema).empty


# -- multipart uploads ----------------------------------------------------------------------

def test_upload_samples_and_schema_file(client, schema):
    counts = {"customers": 60, "products": 20}
    response = upload(client, "/api/generate", example_files(),
                      {"recordCounts": json.dumps(counts), "seed": "4", "format": "json"},
                      schema=example_schema_path().read_bytes())
    assert response.status_code == 200, response.get_data(as_text=True)
    records = json.loads(response.get_data(as_text=True))
    assert list(records) == TABLES
    assert len(records["customers"]) == 60 and len(records["products"]) == 20
    assert sf.validate(sf.read_samples(records, schema), schema).empty


def test_upload_gives_the_same_data_as_json(client, request_body):
    counts = {"customers": 50}
    from_form = upload(client, "/api/generate", example_files(), {"recordCounts": json.dumps(counts), "seed": "9"},
                       schema=example_schema_path().read_bytes())
    from_json = post(client, "/api/generate", {**request_body, "recordCounts": counts, "seed": 9})
    assert from_form.get_data() == from_json.get_data()


def test_upload_schema_json_among_the_samples(client):
    files = {**example_files(), "schema.json": example_schema_path().read_bytes()}
    response = upload(client, "/api/preview", files, {"limit": "2"})
    assert response.status_code == 200
    assert list(response.get_json()["tables"]) == TABLES


def test_upload_samples_alone_infers_the_schema(client):
    response = upload(client, "/api/generate", example_files(),
                      {"recordCounts": json.dumps({"customers": 35}), "format": "csv"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert sorted(archive.namelist()) == sorted(f"{t}.csv" for t in TABLES)
        customers = archive.read("customers.csv").decode().splitlines()
    assert len(customers) == 1 + 35


def test_upload_parquet_and_jsonl(client):
    import pandas as pd

    frame = pd.DataFrame({"id": [1, 2, 3, 4], "score": [0.5, 1.5, 2.5, 3.5]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    files = {"scores.parquet": buffer.getvalue(),
             "notes.jsonl": b'{"note_id": 1, "text": "a b"}\n{"note_id": 2, "text": "c d"}\n'}
    response = upload(client, "/api/generate", files, {"recordCounts": json.dumps({"scores": 7, "notes": 3})})
    assert response.status_code == 200, response.get_data(as_text=True)
    records = response.get_json()
    assert len(records["scores"]) == 7 and len(records["notes"]) == 3


def test_browser_empty_file_input_is_ignored(client):
    files = {**example_files()}
    data: dict[str, Any] = {"samples": [(io.BytesIO(c), n) for n, c in files.items()] + [(io.BytesIO(b""), "")],
                            "limit": "1"}
    response = client.post("/api/preview", data=data, content_type="multipart/form-data")
    assert response.status_code == 200


# -- analyze ------------------------------------------------------------------------------

def test_analyze_lists_every_table_and_column(client, request_body, schema):
    response = post(client, "/api/analyze", request_body)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"schema", "recordCounts", "tables", "model"}
    assert list(body["tables"]) == TABLES
    assert body["recordCounts"] == request_body["recordCounts"]
    for name, table in schema.tables.items():
        info = body["tables"][name]
        assert list(info["columns"]) == list(table.columns)
        assert info["primary_key"] == list(table.primary_key)
        assert info["sample_rows"] == len(request_body["sampleData"][name])
        assert info["record_count"] == request_body["recordCounts"][name]
        for column, summary in info["columns"].items():
            assert summary["type"] == table.columns[column].type
            assert summary["kind"] in {"sequence", "key_pattern", "uuid", "foreign_key", "line_number",
                                       "distribution", "frequencies", "text", "offset", "parent_column",
                                       "place_city", "place_phone", "person_name"}
            if summary["kind"] in ("offset", "parent_column"):
                assert summary["derived_from"]
            assert 0.0 <= summary["null_rate"] <= 1.0
    customers = body["tables"]["customers"]["columns"]
    assert customers["email"]["semantic"] == "email"
    assert customers["customer_id"]["primary_key"] is True and customers["customer_id"]["kind"] == "sequence"
    assert customers["signup_date"]["min"] == "2023-01-01"  # temporal bounds as dates
    assert customers["phone"]["null_rate"] == pytest.approx(3 / 52)
    assert customers["segment"]["levels"] == ["consumer", "corporate", "home_office"]
    assert body["tables"]["products"]["columns"]["sku"]["pattern"] == "SKU-#####"
    orders = body["tables"]["orders"]
    assert orders["columns"]["customer_id"]["foreign_key"] == "customers.customer_id"
    assert orders["foreign_keys"] == [{"columns": ["customer_id"],
                                       "references": {"table": "customers", "columns": ["customer_id"]}}]
    assert orders["layout"]["parent"] == "customers"
    total = body["tables"]["orders"]["columns"]["total"]
    assert total["distribution"] == "lognorm" and set(total["parameters"]) >= {"s", "scale"}
    model = sf.Model.from_dict(body["model"])  # the model round-trips
    assert set(model.tables) == set(TABLES)


def test_analyze_shows_at_most_twenty_levels(client):
    rows = [{"id": i, "colour": f"c{i % 30:02d}"} for i in range(120)]
    body = post(client, "/api/analyze", {"schema": {"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "colour": "category"}}}}, "sampleData": {"t": rows}}).get_json()
    colour = body["tables"]["t"]["columns"]["colour"]
    assert colour["level_count"] == 30
    assert len(colour["levels"]) == 20 and len(colour["weights"]) == 20


# -- preview ------------------------------------------------------------------------------

def test_preview_rows_are_the_first_generated_rows(client, request_body):
    body = {**request_body, "recordCounts": SMALL, "seed": 8}
    preview = post(client, "/api/preview", {**body, "limit": 5}).get_json()
    assert preview["limit"] == 5
    assert preview["recordCounts"] == SMALL
    full = json.loads(post(client, "/api/generate", body).get_data(as_text=True))
    for table in TABLES:
        assert preview["tables"][table] == full[table][:5]


def test_preview_default_limit_and_small_tables(client, request_body):
    body = post(client, "/api/preview", {**request_body, "recordCounts": {"customers": 3, "products": 40}}).get_json()
    assert body["limit"] == 10
    assert len(body["tables"]["customers"]) == 3
    assert len(body["tables"]["products"]) == 10


def test_preview_is_cheap_for_large_counts(client, request_body):
    counts = {"customers": 300_000, "products": 1000, "orders": 300_000, "order_items": 300_000, "reviews": 50_000}
    response = post(client, "/api/preview", {**request_body, "recordCounts": counts, "limit": 2})
    assert response.status_code == 200
    assert response.get_json()["recordCounts"] == counts
    assert len(response.get_json()["tables"]["order_items"]) == 2


# -- errors: request shape (400) ------------------------------------------------------------

@pytest.mark.parametrize(("body", "fragment"), [
    (b"{not json", "not valid JSON"),
    (b"", "empty"),
    (b"\xff\xfe{}", "UTF-8"),
    (b"[1, 2]", "got a JSON array"),
    (b'"text"', "got a JSON string"),
    (b"{}", "no 'sampleData'"),
    (b'{"sampleData": {}, "sampleData": {}}', "twice"),
    (b'{"sampleData": [1]}', "'sampleData' must be an object"),
    (b'{"sampleData": {}}', "no schema"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "schema": "x"}', "'schema' must be an object"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "recordCount": {}}', "Unknown field(s) ['recordCount']"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "recordCounts": [1]}', "'recordCounts' must be an object"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "format": "xlsx"}', "'format' must be one of"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "seed": -1}', "'seed'"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "seed": 1.5}', "'seed'"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "seed": true}', "'seed'"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "seed": 9223372036854775808}', "'seed'"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "limit": 0}', "'limit'"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "limit": 101}', "'limit'"),
    (b'{"sampleData": {"t": [{"a": 1}]}, "seed": 1' + b"0" * 5000 + b"}", "too long"),
    (b"[" * 100_000 + b"]" * 100_000, "too deep"),
])
@pytest.mark.parametrize("path", ["/api/generate", "/api/analyze", "/api/preview"])
def test_malformed_requests_are_400(client, path, body, fragment):
    assert_error(post(client, path, body), 400, contains=fragment)


def test_a_key_named_twice_is_400_naming_where(client, request_body):
    twice = '"customer_id": "integer", "customer_id": "float",'
    text = json.dumps(request_body).replace('"customer_id": "integer",', twice, 1)
    assert_error(post(client, "/api/generate", text), 400, table="customers", column="customer_id", contains="twice")


def test_json_without_content_type_is_read_as_json(client, request_body):
    body = {**request_body, "recordCounts": {"customers": 5}}
    response = client.post("/api/preview", data=json.dumps(body), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert len(response.get_json()["tables"]["customers"]) == 5


# -- errors: content (422, naming table and column) --------------------------------------------

def test_bad_schema_is_422_with_table_and_column(client, request_body):
    schema = json.loads(json.dumps(request_body["schema"]))
    schema["tables"]["orders"]["columns"]["status"] = {"type": "enum"}
    assert_error(post(client, "/api/generate", {**request_body, "schema": schema}), 422,
                 table="orders", column="status", contains="unknown type")


def test_schema_shapes_the_parser_trips_over_are_422(client, request_body):
    schema = json.loads(json.dumps(request_body["schema"]))
    schema["tables"]["orders"]["foreign_keys"] = [{"columns": None, "references": {"table": "customers"}}]
    assert_error(post(client, "/api/analyze", {**request_body, "schema": schema}), 422, table="orders",
                 contains="foreign key")


def test_schema_without_tables_is_422(client):
    assert_error(post(client, "/api/generate", {"schema": {}, "sampleData": {"t": [{"a": 1}]}}), 422,
                 contains="'tables'")


def test_sample_value_that_does_not_fit_is_422(client, request_body):
    samples = json.loads(json.dumps(request_body["sampleData"]))
    samples["products"][3]["stock"] = "plenty"
    assert_error(post(client, "/api/analyze", {**request_body, "sampleData": samples}), 422,
                 table="products", column="stock", contains="'plenty'")


def test_unknown_table_in_record_counts_is_422(client, request_body):
    assert_error(post(client, "/api/generate", {**request_body, "recordCounts": {"clients": 10}}), 422,
                 table="clients", contains="unknown table")


@pytest.mark.parametrize("count", [-5, 2.5, "ten", None, True])
def test_bad_record_counts_are_422(client, request_body, count):
    assert_error(post(client, "/api/preview", {**request_body, "recordCounts": {"orders": count}}), 422,
                 table="orders", contains="Row count for table 'orders'")


def test_more_unique_values_than_the_format_holds_is_422(client, request_body):
    body = {**request_body, "recordCounts": {"products": 150_000, "customers": 10}}
    assert_error(post(client, "/api/generate", body), 422, table="products", column="sku", contains="unique")


def test_upload_errors(client):
    response = upload(client, "/api/generate", {"customers.csv": b""})
    assert_error(response, 422, table="customers", contains="no sample rows")
    response = upload(client, "/api/generate", {"customers.csv": "name\nJosé\n".encode("latin-1")})
    assert_error(response, 422, table="customers", contains="not UTF-8")
    response = upload(client, "/api/generate", {"customers.xlsx": b"PK\x03\x04"})
    assert_error(response, 422, table="customers", contains="extension '.xlsx'")
    response = upload(client, "/api/generate", {"a.csv": b"x\n1\n"}, schema=b"{oops")
    assert_error(response, 422, contains="not valid JSON")
    response = upload(client, "/api/generate", {"a.csv": b"x\n1\n"}, schema=b"\xff\xfe")
    assert_error(response, 422, contains="UTF-8")


def test_upload_request_errors(client):
    assert_error(upload(client, "/api/generate", {}), 400, contains="No sample files")
    assert_error(upload(client, "/api/generate", {"a.csv": b"x\n1\n"}, {"recordCounts": "{a: 1"}), 400,
                 contains="'recordCounts'")
    assert_error(upload(client, "/api/generate", {"a.csv": b"x\n1\n"}, {"seed": "seven"}), 400, contains="'seed'")
    assert_error(upload(client, "/api/generate", {"a.csv": b"x\n1\n"}, {"format": "xml"}), 400, contains="'format'")
    assert_error(upload(client, "/api/generate", {"a.csv": b"x\n1\n"}, {"rows": "5"}), 400, contains="Unknown")
    response = client.post("/api/generate", data={"samples": "a,b\n1,2\n"}, content_type="multipart/form-data")
    assert_error(response, 400, contains="uploaded as files")
    response = client.post("/api/generate", data={"samples": (io.BytesIO(b"x\n1\n"), "")},
                           content_type="multipart/form-data")
    assert_error(response, 400, contains="file name")
    files = {**example_files(), "schema.json": example_schema_path().read_bytes()}
    assert_error(upload(client, "/api/generate", files, schema=example_schema_path().read_bytes()), 400,
                 contains="More than one schema")


# -- errors: limits -------------------------------------------------------------------------

def test_too_many_rows(request_body):
    client = create_app(ServerConfig(max_rows=1000)).test_client()
    body = {**request_body, "recordCounts": {"customers": 900, "products": 50}}  # orders etc. follow
    for path in ("/api/generate", "/api/preview"):
        error = assert_error(post(client, path, body), 422, contains="max_rows")
        assert error["limit"] == "max_rows"
        assert "SYNTHFRAME_MAX_ROWS" in error["error"] and "--max-rows" in error["error"]
        assert "1,000" in error["error"]
    small = {**request_body, "recordCounts": {"customers": 100, "products": 10, "orders": 100, "order_items": 100,
                                              "reviews": 100}}
    assert post(client, "/api/generate", small).status_code == 200


def test_body_too_large(request_body):
    client = create_app(ServerConfig(max_body_bytes=4096)).test_client()
    error = assert_error(post(client, "/api/generate", request_body), 413, contains="max_body_bytes")
    assert error["limit"] == "max_body_bytes"
    assert "SYNTHFRAME_MAX_BODY_BYTES" in error["error"] and "--max-body-bytes" in error["error"]
    assert_error(upload(client, "/api/generate", example_files()), 413, contains="max_body_bytes")


def test_too_many_tables(request_body):
    client = create_app(ServerConfig(max_tables=3)).test_client()
    for body in (request_body, {"sampleData": request_body["sampleData"]}):
        error = assert_error(post(client, "/api/analyze", body), 422, contains="5 tables")
        assert error["limit"] == "max_tables" and "SYNTHFRAME_MAX_TABLES" in error["error"]
    error = assert_error(upload(client, "/api/analyze", example_files()), 422, contains="max_tables")


def test_too_many_columns(request_body):
    client = create_app(ServerConfig(max_columns=8)).test_client()
    error = assert_error(post(client, "/api/generate", request_body), 422, table="customers",
                         contains="11 columns")
    assert error["limit"] == "max_columns" and "--max-columns" in error["error"]
    error = assert_error(post(client, "/api/generate", {"sampleData": request_body["sampleData"]}), 422,
                         table="customers", contains="11 columns in its samples")
    wide = {"t": [{f"c{i}": i for i in range(12)}]}
    assert_error(upload(client, "/api/analyze", {"t.json": json.dumps(wide["t"]).encode()}), 422, table="t",
                 contains="12 columns")


def test_time_budget(request_body):
    before = server_dirs()
    client = create_app(ServerConfig(time_budget=1e-6, model_cache=0)).test_client()
    for path in ("/api/generate", "/api/analyze", "/api/preview"):
        error = assert_error(post(client, path, {**request_body, "recordCounts": SMALL}), 422,
                             contains="ran out of time")
        assert error["limit"] == "time_budget" and "SYNTHFRAME_TIME_BUDGET" in error["error"]
    assert server_dirs() <= before


def test_time_budget_checked_between_batches(request_body, monkeypatch):
    """A budget that runs out in the middle of generating stops there, and leaves nothing behind."""
    before = server_dirs()
    monkeypatch.setattr(service_module, "BATCH_ROWS", 10)
    checks: list[str] = []
    real_check = service_module.Deadline.check

    def check(self, step):
        checks.append(step)
        if sum("generating" in s for s in checks) > 3:
            self.end = 0.0
        real_check(self, step)

    monkeypatch.setattr(service_module.Deadline, "check", check)
    client = create_app(ServerConfig()).test_client()
    assert_error(post(client, "/api/generate", {**request_body, "recordCounts": SMALL, "format": "csv"}), 422,
                 contains="while generating table")
    assert server_dirs() <= before


# -- errors: routes -----------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/api/generate", "POST"), ("PUT", "/api/analyze", "POST"), ("DELETE", "/api/preview", "POST"),
    ("POST", "/api/health", "GET"), ("POST", "/api/openapi.json", "GET"),
])
def test_wrong_method_is_405_json(client, method, path, allowed):
    response = client.open(path, method=method)
    assert_error(response, 405, contains=f"use {allowed}")
    assert allowed in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/api/nothing", "/api", "/api/generate/x", "/static/missing.js"])
def test_unknown_route_is_404_json(client, path):
    assert_error(client.get(path), 404)


# -- privacy: nothing on disk, nothing logged ------------------------------------------------

def test_temporary_output_is_removed_when_the_response_ends(client, request_body):
    before = server_dirs()
    for fmt in ("json", "parquet"):
        response = client.post("/api/generate", data=json.dumps({**request_body, "recordCounts": SMALL,
                                                                 "format": fmt}),
                               content_type="application/json")
        assert response.status_code == 200
        if os.name == "posix":
            assert server_dirs() == before  # removed at once; the open file streams on
        assert len(response.get_data()) == int(response.headers["Content-Length"]) > 0
        response.close()
        assert server_dirs() == before


def test_file_body_cleans_up_even_if_never_read(tmp_path):
    from synthframe.server.app import FileBody

    target = tmp_path / "out"
    target.mkdir()
    (target / "data.json").write_bytes(b"x" * 200_000)
    calls: list[int] = []

    def cleanup():
        calls.append(1)
        import shutil

        shutil.rmtree(target, ignore_errors=True)

    body = FileBody(target / "data.json", cleanup)
    if os.name == "posix":
        assert not target.exists()
    assert b"".join(body) == b"x" * 200_000  # still readable
    body.close()
    body.close()
    assert len(calls) == 2 and not target.exists()


def test_uploads_never_touch_the_disk(client, monkeypatch):
    """A 1 MB upload (werkzeug would spool it to a temporary file) is parsed in memory, and analyze and
    preview write nothing at all."""
    rows = "\n".join(f"{i},name{i % 97},{i * 0.5}" for i in range(60_000))
    big = ("id,label,value\n" + rows + "\n").encode()
    assert len(big) > 1_000_000

    def refuse(*args, **kwargs):
        raise AssertionError("a temporary file was created")

    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, refuse)
    response = upload(client, "/api/analyze", {"big.csv": big})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["tables"]["big"]["sample_rows"] == 60_000
    assert upload(client, "/api/preview", {"big.csv": big}, {"limit": "3"}).status_code == 200


def test_uploaded_values_are_never_logged(client, request_body, caplog, monkeypatch):
    secret = "zq-private-7731"
    samples = json.loads(json.dumps(request_body["sampleData"]))
    samples["products"][0]["stock"] = secret
    caplog.set_level(logging.DEBUG)
    response = post(client, "/api/generate", {**request_body, "sampleData": samples})
    assert response.status_code == 422 and secret in response.get_json()["error"]  # told to the sender only

    def broken(*args, **kwargs):
        raise ValueError(f"something about {secret}")

    monkeypatch.setattr("synthframe.server.app.analysis", broken)
    response = post(client, "/api/analyze", request_body)
    assert response.status_code == 500
    body = response.get_json()
    assert body == {"error": body["error"], "table": None, "column": None}
    assert "ValueError" in body["error"] and secret not in body["error"] and "Traceback" not in body["error"]
    assert "ValueError" in caplog.text
    assert secret not in caplog.text


# -- CORS ---------------------------------------------------------------------------------

def test_cors_is_off_by_default(client):
    response = client.get("/api/health", headers={"Origin": "http://elsewhere.test"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_for_configured_origins_only():
    pytest.importorskip("flask_cors")
    client = create_app(ServerConfig(cors_origins=("http://localhost:5173",))).test_client()
    ok = client.get("/api/health", headers={"Origin": "http://localhost:5173"})
    assert ok.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    other = client.get("/api/health", headers={"Origin": "http://elsewhere.test"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/generate", headers={"Origin": "http://localhost:5173",
                                                         "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


# -- configuration ----------------------------------------------------------------------------

def test_config_from_environment_and_overrides():
    env = {"SYNTHFRAME_MAX_BODY_BYTES": "2M", "SYNTHFRAME_MAX_ROWS": "5_000", "SYNTHFRAME_MAX_TABLES": "4",
           "SYNTHFRAME_MAX_COLUMNS": "9", "SYNTHFRAME_TIME_BUDGET": "2.5",
           "SYNTHFRAME_CORS_ORIGINS": "http://a.test, http://b.test/", "SYNTHFRAME_MODEL_CACHE": "0"}
    config = ServerConfig.from_env(env)
    assert config == ServerConfig(max_body_bytes=2 * 2**20, max_rows=5000, max_tables=4, max_columns=9,
                                  time_budget=2.5, cors_origins=("http://a.test", "http://b.test"), model_cache=0)
    assert ServerConfig.from_env(env, max_rows=7, max_tables=None).max_rows == 7
    assert ServerConfig.from_env(env, max_tables=None).max_tables == 4
    assert ServerConfig.from_env({}) == ServerConfig()


@pytest.mark.parametrize(("text", "size"), [("1024", 1024), ("16M", 16 * 2**20), ("16MiB", 16 * 2**20),
                                            ("512k", 512 * 1024), ("1G", 2**30), ("100b", 100)])
def test_sizes(text, size):
    assert parse_size("max_body_bytes", text) == size


@pytest.mark.parametrize(("env", "fragment"), [
    ({"SYNTHFRAME_MAX_ROWS": "many"}, "SYNTHFRAME_MAX_ROWS"),
    ({"SYNTHFRAME_MAX_ROWS": "0"}, "max_rows"),
    ({"SYNTHFRAME_MAX_BODY_BYTES": "16 parsecs"}, "max_body_bytes"),
    ({"SYNTHFRAME_TIME_BUDGET": "-1"}, "time_budget"),
    ({"SYNTHFRAME_TIME_BUDGET": "inf"}, "time_budget"),
    ({"SYNTHFRAME_MODEL_CACHE": "-1"}, "model_cache"),
])
def test_bad_config_is_a_clear_error(env, fragment):
    with pytest.raises(ServerConfigError, match=fragment):
        ServerConfig.from_env(env)


def test_bad_config_in_code():
    with pytest.raises(ServerConfigError, match="cors_origins"):
        ServerConfig(cors_origins="http://a.test")  # type: ignore[arg-type]
    with pytest.raises(ServerConfigError, match="Unknown server settings"):
        ServerConfig.from_env({}, max_users=3)


# -- the serve command ------------------------------------------------------------------------

def test_importing_the_command_does_not_import_flask():
    code = ("import sys; import synthframe.cli; from synthframe.server.cli import serve; import synthframe.server; "
            "assert 'flask' not in sys.modules, 'flask imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_serve_runs_the_app_with_flags_and_env(monkeypatch):
    from click.testing import CliRunner
    from werkzeug import serving

    from synthframe.server.cli import serve

    seen: dict[str, Any] = {}

    def fake_run(host, port, app, **kwargs):
        seen.update(host=host, port=port, config=app.extensions["synthframe"]["config"], **kwargs)

    monkeypatch.setattr(serving, "run_simple", fake_run)
    result = CliRunner().invoke(serve, ["--port", "5055", "--max-rows", "777", "--max-body-bytes", "1M",
                                        "--cors-origin", "http://a.test", "--cors-origin", "http://b.test"],
                                env={"SYNTHFRAME_MAX_TABLES": "9"})
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5055/" in result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 5055 and seen["threaded"] is True
    config = seen["config"]
    assert (config.max_rows, config.max_body_bytes, config.max_tables) == (777, 2**20, 9)
    assert config.cors_origins == ("http://a.test", "http://b.test")


def test_serve_reports_bad_settings_in_one_line(monkeypatch):
    from click.testing import CliRunner

    from synthframe.server.cli import serve

    result = CliRunner().invoke(serve, [], env={"SYNTHFRAME_MAX_ROWS": "lots"})
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "SYNTHFRAME_MAX_ROWS" in result.output
    result = CliRunner().invoke(serve, ["--max-body-bytes", "big"])
    assert result.exit_code == 2 and "max_body_bytes" in result.output


def test_serve_without_flask_names_the_extra(monkeypatch):
    from click.testing import CliRunner

    from synthframe.server.cli import serve

    monkeypatch.setitem(sys.modules, "flask", None)
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert 'pip install "synthframe[server]"' in result.output


def test_access_log_shows_method_path_and_status_only(caplog):
    from synthframe.server.app import access_log_handler

    handler_class = access_log_handler()
    handler = handler_class.__new__(handler_class)
    handler.command, handler.path = "POST", "/api/generate?token=private-value"
    caplog.set_level(logging.INFO, logger="synthframe.server.access")
    handler.log_request(200)
    handler.log_error("code %d, message %s", 400, "Bad request syntax ('GET /?secret HTTP/1.1')")
    assert caplog.messages[0] == "POST /api/generate 200"
    assert "secret" not in caplog.text and "private-value" not in caplog.text


def test_example_route_gives_the_bundled_files_which_generate_valid_data(client):
    response = client.get("/api/example")
    assert response.status_code == 200
    example = response.get_json()
    assert example["name"] == "ecommerce"
    assert set(example["files"]) == {"schema.json", "customers.csv", "products.csv", "orders.csv",
                                     "order_items.csv", "reviews.csv"}
    schema = sf.Schema.from_json(example["files"]["schema.json"])
    data = {"schema": (io.BytesIO(example["files"]["schema.json"].encode()), "schema.json"),
            "samples": [(io.BytesIO(text.encode()), name) for name, text in example["files"].items()
                        if name.endswith(".csv")],
            "recordCounts": json.dumps(example["recordCounts"])}
    generated = client.post("/api/generate", data=data, content_type="multipart/form-data")
    assert generated.status_code == 200
    assert generated.headers["Content-Disposition"] == 'attachment; filename="synthframe.json"'
    tables = sf.read_samples(generated.get_json(), schema)
    assert {t: len(df) for t, df in tables.items()} == example["recordCounts"]
    assert sf.validate(tables, schema).empty


def test_a_form_part_whose_name_cannot_be_read_is_a_400(client):
    """The multipart parser hands back such a part under the name None (found by the fuzz)."""
    data = {"\u00f9\r\x0b\n/x": "1", "other": "2", "samples": [(io.BytesIO(b"a\n1\n"), "t.csv")],
            "format": "json"}
    response = client.post("/api/generate", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Unknown form field" in response.get_json()["error"]


# -- real-world inputs --------------------------------------------------------------------

SURROGATE_BODIES = [
    ('{"schema": {"tables": {"t": {"columns": {"c": {"type": "category", "values": ["a\\ud800", "b"]}}}}}, '
     '"sampleData": {}}', 422, "tables.t.columns.c.values[0]"),
    ('{"schema": {"tables": {"t": {"columns": {"c": {"type": "string", "pattern": "A\\udc00#"}}}}}, "sampleData": {}}',
     422, "tables.t.columns.c.pattern"),
    ('{"sampleData": {"t": [{"c": 1}, {"c": 2}]}, "recordCounts": {"t\\ud800": 3}}', 422, "recordCounts"),
    ('{"sampleData": {"t": [{"id": 1, "s": "\\ud800"}, {"id": 2, "s": "b"}]}}', 422, "t.s"),
]


@pytest.mark.parametrize("route", ["/api/analyze", "/api/preview", "/api/generate"])
@pytest.mark.parametrize(("body", "status", "needle"), SURROGATE_BODIES)
def test_a_lone_surrogate_is_a_4xx_on_every_route(client, route: str, body: str, status: int, needle: str):
    response = post(client, route, body)
    assert response.status_code == status, response.get_data(as_text=True)
    assert needle in response.get_json()["error"]


def test_an_error_quoting_a_lone_surrogate_is_json():
    from synthframe.server.app import json_response

    response = json_response({"error": "bad 't\ud800'"}, 422)
    assert json.loads(response.get_data()) == {"error": "bad 't\ud800'"}


COMPOSITE_SELF_REFERENCE = {
    "schema": {"tables": {"e": {
        "primary_key": ["a", "b"],
        "columns": {"a": "integer", "b": "integer", "pa": {"type": "integer", "nullable": True},
                    "pb": {"type": "integer", "nullable": True}},
        "foreign_keys": [{"columns": ["pa", "pb"], "references": {"table": "e", "columns": ["a", "b"]}}]}}},
    "sampleData": {"e": [{"a": 1, "b": 1, "pa": None, "pb": None}, {"a": 1, "b": 2, "pa": 1, "pb": 1},
                         {"a": 2, "b": 1, "pa": 1, "pb": 2}]},
}


@pytest.mark.parametrize("route", ["/api/analyze", "/api/preview", "/api/generate"])
def test_a_composite_self_reference_is_answered_on_every_route(client, route: str):
    response = post(client, route, COMPOSITE_SELF_REFERENCE)
    assert response.status_code == 200, response.get_data(as_text=True)


def _parquet(rows: int) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": pa.repeat(pa.scalar(0, pa.int64()), rows)}), buffer, compression="zstd")
    return buffer.getvalue()


@pytest.mark.parametrize("route", ["/api/analyze", "/api/preview", "/api/generate"])
def test_parquet_rows_are_counted_from_metadata_before_reading(client, route: str, monkeypatch):
    import synthframe.server.service as service

    data = _parquet(3_000_000)  # a few hundred kB
    assert len(data) < 1 << 20

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the Parquet file was read")

    monkeypatch.setattr(service, "read_sample_files", never)
    response = upload(client, route, {"t.parquet": data}, fields={"recordCounts": '{"t": 5}'})
    body = assert_error(response, 422, table="t", contains="3,000,000 rows")
    assert body["limit"] == "max_rows"


def test_analyze_enforces_max_rows(request_body):
    small = create_app(ServerConfig(max_rows=100)).test_client()
    body = dict(request_body, recordCounts={"customers": 10_000})
    response = post(small, "/api/analyze", body)
    assert assert_error(response, 422, contains="max_rows")["limit"] == "max_rows"


def test_sample_rows_over_max_rows_are_refused(request_body):
    small = create_app(ServerConfig(max_rows=20)).test_client()
    body = {"sampleData": {"t": [{"x": i} for i in range(50)]}, "recordCounts": {"t": 5}}
    assert assert_error(post(small, "/api/analyze", body), 422, contains="50 rows")["limit"] == "max_rows"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_chunked_body_over_the_limit_is_413(content_type: str):
    small = create_app(ServerConfig(max_body_bytes=1024)).test_client()
    response = small.post("/api/generate", input_stream=io.BytesIO(b" " * 4096), content_type=content_type,
                          headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert assert_error(response, 413)["limit"] == "max_body_bytes"
