"""Load on loopback: 20 concurrent clients x 25 requests each of a small generation, bounded in time.

The app runs in werkzeug's threaded server on 127.0.0.1 (an ephemeral port) in a
background thread, with the request handler ``synthframe serve`` uses. Every
response must be a 200 with the right row counts, and equal seeds must give
byte-equal bodies whatever the interleaving of requests.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("flask")

import synthframe as sf  # noqa: E402
from synthframe.examples import load_example_request  # noqa: E402
from synthframe.generate import resolve_rows  # noqa: E402
from synthframe.server import ServerConfig, create_app  # noqa: E402
from synthframe.server.app import access_log_handler  # noqa: E402

pytestmark = pytest.mark.slow
CLIENTS = 20
REQUESTS_PER_CLIENT = 10
SEEDS = 5
WALL_LIMIT = 120.0
"""Seconds the whole run may take; every request also has its own timeout."""


@pytest.fixture(scope="module")
def server_url():
    from werkzeug.serving import make_server

    app = create_app(ServerConfig())
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=access_log_handler())
    thread = threading.Thread(target=server.serve_forever, name="synthframe-load-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


def test_concurrent_generation(server_url, caplog):
    example = load_example_request()
    counts = {"customers": 50}
    bodies = {seed: json.dumps({**example, "recordCounts": counts, "seed": seed}).encode() for seed in range(SEEDS)}
    model = sf.fit(example["schema"], example["sampleData"])
    expected = resolve_rows(model, counts)
    deadline = time.monotonic() + WALL_LIMIT

    def client(index: int) -> list[tuple[int, int, bytes]]:
        results = []
        for k in range(REQUESTS_PER_CLIENT):
            if time.monotonic() > deadline:
                break
            seed = (index + k) % SEEDS
            status, data = _post(f"{server_url}/api/generate", bodies[seed])
            results.append((seed, status, data))
        return results

    caplog.set_level(logging.INFO, logger="synthframe.server.access")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [r for batch in pool.map(client, range(CLIENTS)) for r in batch]
    elapsed = time.monotonic() - started

    assert len(results) == CLIENTS * REQUESTS_PER_CLIENT, f"only {len(results)} requests within {WALL_LIMIT} s"
    assert all(status == 200 for _, status, _ in results)
    by_seed: dict[int, set[bytes]] = defaultdict(set)
    for seed, _, data in results:
        by_seed[seed].add(data)
    assert all(len(variants) == 1 for variants in by_seed.values()), "equal seeds gave different bodies"
    assert len({next(iter(v)) for v in by_seed.values()}) == SEEDS  # and different seeds different ones
    for variants in by_seed.values():
        tables = json.loads(next(iter(variants)))
        assert {t: len(rows) for t, rows in tables.items()} == expected
        assert sf.validate(sf.read_samples(tables, model.schema), model.schema).empty
    lines = [m for m in caplog.messages if m.startswith("POST ")]
    assert lines.count("POST /api/generate 200") == len(results)
    print(f"\n{len(results)} requests from {CLIENTS} clients in {elapsed:.1f} s "
          f"({len(results) / elapsed:.0f} requests/s)")
