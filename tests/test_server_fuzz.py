"""Property-based fuzz of the HTTP API: from its own OpenAPI document, and from the bundled example.

1. schemathesis generates requests valid and invalid by ``/api/openapi.json`` for every
   operation and sends them to the WSGI app in process. Every response must be a non-5xx
   whose status, content type and body the document describes, and every request the
   document calls invalid must be refused.
2. hypothesis mutates the bundled example request and its upload files; every answer must
   be a 4xx error in the documented shape or a correct result.

Bounded (``MAX_EXAMPLES`` per operation, about a minute in all) and derandomized, so a run
is repeatable in CI. ``SYNTHFRAME_FUZZ_SERVER_EXAMPLES=1000`` raises the bound for a long run; the requests sent
and the answers by status are then added to the JSON file ``SYNTHFRAME_FUZZ_REPORT`` names (docs/fuzzing.md).
"""

from __future__ import annotations

import collections
import copy
import io
import json
import os

import pytest

pytest.importorskip("flask")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from synthframe.examples import example_samples_dir, example_schema_path, load_example_request  # noqa: E402
from synthframe.schema import TYPES  # noqa: E402
from synthframe.server import ServerConfig, create_app  # noqa: E402

try:
    import schemathesis
except ImportError:  # the hypothesis half still runs
    schemathesis = None

pytestmark = pytest.mark.slow
MAX_EXAMPLES = int(os.environ.get("SYNTHFRAME_FUZZ_SERVER_EXAMPLES", "100"))
"""Generated requests per operation and generation phase."""
STATUSES: collections.Counter[str] = collections.Counter()
"""Answers by test and status code, for the long run's report."""


def _keep_if_failed(status: int, path: str, body: dict) -> None:
    """With SYNTHFRAME_FUZZ_REPORT set, append a request answered 5xx to ``<report>.5xx.jsonl``, to replay it."""
    if status >= 500 and os.environ.get("SYNTHFRAME_FUZZ_REPORT"):
        with open(os.environ["SYNTHFRAME_FUZZ_REPORT"] + ".5xx.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps({"path": path, "body": body}, default=str) + "\n")


@pytest.fixture(scope="module", autouse=True)
def _report_statuses():
    yield
    if os.environ.get("SYNTHFRAME_FUZZ_REPORT"):
        from test_fuzz_suite import write_report

        server_errors = sum(n for key, n in STATUSES.items() if key.endswith((":500", ":502", ":503", ":504")))
        write_report("server", {"requests": sum(STATUSES.values()), "5xx": server_errors,
                                "max_examples": MAX_EXAMPLES, "by_status": dict(sorted(STATUSES.items()))})

# Small limits keep each generated request cheap: whatever the fuzzer asks for, a request
# either finishes in well under a second or is refused with a 422 naming the limit.
app = create_app(ServerConfig(max_rows=5_000, time_budget=5.0, max_body_bytes=1 << 20))

if schemathesis is not None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        negative_data_rejection,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    schema.config.output.sanitization.update(enabled=False)  # show keys such as primary_key in reports
    CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
              negative_data_rejection]

    @schema.parametrize()
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def test_api_never_fails_and_matches_its_document(case):
        response = case.call()
        STATUSES[f"openapi:{response.status_code}"] += 1
        case.validate_response(response, checks=CHECKS)
        assert response.status_code < 500
else:
    @pytest.mark.skip(reason='schemathesis is not installed: pip install ".[test]"')
    def test_api_never_fails_and_matches_its_document():
        pass


# -- deeper: the bundled example, mutated ----------------------------------------------------
# The document-driven fuzz above mostly reaches the request checks; this one starts from a real
# request and changes what a user plausibly gets wrong — column types and hints, odd sample values,
# missing tables, strange counts — so that fitting and generating are fuzzed too.




EXAMPLE = load_example_request()
for _table, _rows in EXAMPLE["sampleData"].items():
    EXAMPLE["sampleData"][_table] = _rows[:25]
deep_client = create_app(ServerConfig(max_rows=5_000, time_budget=5.0, model_cache=0)).test_client()

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["2024-02-30", "2024-01-05", "12:00", "1e5", "NaN", "", " ", "true"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=3), scalars, max_size=2))
hints = st.fixed_dictionaries({}, optional={
    "semantic": st.sampled_from(["email", "first_name", "city", "sentence", "no_such_provider", "uuid4"]),
    "unique": st.booleans(),
    "nullable": st.booleans(),
    "min": scalars,
    "max": scalars,
    "values": st.one_of(st.lists(scalars, min_size=1, max_size=4),
                        st.dictionaries(st.text(min_size=1, max_size=4), st.floats(0, 5), min_size=1, max_size=3)),
    "pattern": st.text(alphabet="#?@-AZ\\x", max_size=8),
    "distribution": st.fixed_dictionaries({"name": st.sampled_from(["norm", "lognorm", "gamma", "beta", "nope"])},
                                          optional={"s": st.floats(-1, 3), "scale": st.floats(-1, 100),
                                                    "loc": st.floats(-10, 10), "a": st.floats(-1, 5)}),
})


@st.composite
def mutated_requests(draw: st.DrawFn) -> tuple[str, dict]:
    body = copy.deepcopy(EXAMPLE)
    tables = body["schema"]["tables"]
    for _ in range(draw(st.integers(0, 3))):
        table = draw(st.sampled_from(sorted(tables)))
        column = draw(st.sampled_from(sorted(tables[table]["columns"])))
        action = draw(st.sampled_from(["retype", "hints", "value", "drop_table", "drop_samples", "null_column"]))
        if action == "retype":
            tables[table]["columns"][column] = {"type": draw(st.sampled_from(TYPES)), **draw(hints)}
        elif action == "hints":
            spec = tables[table]["columns"][column]
            spec = {"type": spec} if isinstance(spec, str) else spec
            tables[table]["columns"][column] = {**spec, **draw(hints)}
        elif action == "value" and body["sampleData"].get(table):
            rows = body["sampleData"][table]
            rows[draw(st.integers(0, len(rows) - 1))][column] = draw(values)
        elif action == "drop_table" and len(tables) > 1:
            del tables[table]
        elif action == "drop_samples":
            body["sampleData"].pop(table, None)
        elif action == "null_column" and body["sampleData"].get(table):
            for row in body["sampleData"][table]:
                row[column] = None
    if draw(st.booleans()):
        del body["schema"]  # infer it
    names = sorted(body["sampleData"]) * 4 + ["ghost"]  # now and then a table that does not exist
    counts = st.one_of(st.integers(0, 400), st.integers(0, 400), st.integers(0, 400), st.integers(-2, 400), scalars)
    body["recordCounts"] = draw(st.dictionaries(st.sampled_from(names), counts, max_size=3))
    body["seed"] = draw(st.integers(0, 2**63 - 1))
    body["format"] = draw(st.sampled_from(["json", "csv", "jsonl", "parquet"]))
    body["limit"] = draw(st.integers(1, 100))
    return draw(st.sampled_from(["/api/generate", "/api/analyze", "/api/preview"])), body


@given(mutated_requests())
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_mutated_example_requests_never_fail(request):
    path, body = request
    response = deep_client.post(path, data=json.dumps(body), content_type="application/json")
    data = response.get_data()
    response.close()
    STATUSES[f"mutated:{response.status_code}"] += 1
    _keep_if_failed(response.status_code, path, body)
    assert response.status_code in (200, 400, 422), data[:300]
    if response.status_code != 200:
        error = json.loads(data)
        assert set(error) >= {"error", "table", "column"} and error["error"]
        return
    if path == "/api/generate" and body["format"] == "json":
        tables = json.loads(data)
        for table, count in body["recordCounts"].items():
            assert len(tables[table]) == int(count)
    elif path != "/api/generate":
        assert json.loads(data)["recordCounts"]


EXAMPLE_FILES = {p.name: p.read_bytes() for p in sorted(example_samples_dir().iterdir())}


@st.composite
def mutated_uploads(draw: st.DrawFn) -> tuple[str, dict]:
    files = dict(EXAMPLE_FILES)
    name = draw(st.sampled_from(sorted(files)))
    content = files[name]
    action = draw(st.sampled_from(["splice", "truncate", "latin1", "rename", "drop", "empty"]))
    if action == "splice":
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.binary(min_size=1, max_size=20)) + content[at:]
    elif action == "truncate":
        content = content[:draw(st.integers(0, len(content)))]
    elif action == "latin1":
        content = content.decode().replace("e", "\u00e9").encode("latin-1", "replace")
    elif action == "empty":
        content = b""
    files[name] = content
    if action == "rename":
        files[draw(st.sampled_from(["x.json", "x.jsonl", "x.parquet", "x.txt", "x.CSV"]))] = files.pop(name)
    elif action == "drop":
        del files[name]
    fields = {"recordCounts": json.dumps(draw(st.dictionaries(st.sampled_from(["customers", "products"]),
                                                              st.integers(0, 300), max_size=2))),
              "format": draw(st.sampled_from(["json", "csv", "parquet"])), "limit": "3"}
    data: dict = {**fields, "samples": [(io.BytesIO(c), n) for n, c in files.items()]}
    if draw(st.booleans()):
        data["schema"] = (io.BytesIO(example_schema_path().read_bytes()), "schema.json")
    return draw(st.sampled_from(["/api/generate", "/api/analyze", "/api/preview"])), data


@given(mutated_uploads())
@settings(max_examples=MAX_EXAMPLES // 2, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_mutated_uploads_never_fail(request):
    path, data = request
    response = deep_client.post(path, data=data, content_type="multipart/form-data")
    body = response.get_data()
    response.close()
    STATUSES[f"uploads:{response.status_code}"] += 1
    assert response.status_code in (200, 400, 422), body[:300]
    if response.status_code != 200:
        assert set(json.loads(body)) >= {"error", "table", "column"}
