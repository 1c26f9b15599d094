"""The headline measurements in a fresh process: cold first call, then warm calls, of ``Model.sample``.

Run as a script, in a process of its own, by :mod:`benchmarks.suite` (never imported into the suite's
process for measuring)::

    python benchmarks/headline.py --customers 1000000 [--warm 1] [--tpch DIR --tpch-scale 10] [--seed 0]

It measures, in this order:

- ``import synthframe``;
- the bundled ecommerce example: fit from its samples, then ``model.sample({"customers": N})`` (other
  tables follow their parents) — the first call is *cold* (text pools and every other per-process cache
  are built inside it), the ``--warm`` calls after it are *warm*;
- with ``--tpch``: read and fit of the TPC-H sample, then ``model.sample(scale=S)``, cold then warm.

Each call's wall seconds and peak RSS growth (:mod:`benchmarks.memory`) are printed as one JSON object
on the last line of stdout.

Only synthframe's public API of the pre- and post-rebuild engines is used (``Schema.from_json``,
``read_samples``, ``fit``, ``Model.sample``, ``generate.resolve_rows``, ``examples``), so the same script
times another checkout of the code: the suite runs it with ``cwd`` and ``PYTHONPATH`` set to that checkout
(``python -m benchmarks --compare /tmp/base``). ``--expect DIR`` makes it fail unless ``synthframe`` was
imported from ``DIR``. Nothing here adds the repository to ``sys.path``: which synthframe is timed is
decided by the environment the suite gives the process.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

try:  # imported as benchmarks.headline (for its constants)
    from . import memory
except ImportError:  # run as a script: the benchmarks folder is sys.path[0]
    import memory  # type: ignore[no-redef]

RESULT_PREFIX = "HEADLINE-RESULT "
"""Marks the stdout line holding the JSON result."""


def _call(fn: Any) -> tuple[dict[str, float], Any]:
    """One timed call: ``({"seconds", "peak_mb"}, result)``, after freed memory was given back."""
    memory.settle()
    with memory.PeakRSS() as mem:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": mem.peak_mb}, result


def _calls(fn: Any, warm: int) -> dict[str, Any]:
    """The cold first call of ``fn`` and ``warm`` calls after it; the rows of the (last) result."""
    cold, data = _call(fn)
    rows = {t: len(df) for t, df in data.items()}
    del data
    warm_calls = []
    for _ in range(warm):
        timing, data = _call(fn)
        del data
        warm_calls.append(timing)
    memory.settle()
    return {"rows": sum(rows.values()), "table_rows": rows, "cold": cold, "warm": warm_calls}


def measure(customers: int, warm: int, seed: int, tpch: Path | None, tpch_scale: float,
            expect: Path | None = None) -> dict[str, Any]:
    """Every measurement of one process, JSON-ready; ``expect``: the checkout synthframe must come from."""
    start = time.perf_counter()
    import synthframe as sf
    from synthframe.examples import example_samples_dir, example_schema_path
    from synthframe.generate import resolve_rows

    out: dict[str, Any] = {"synthframe_file": str(Path(sf.__file__).resolve()),
                           "synthframe_version": getattr(sf, "__version__", None),
                           "import_seconds": time.perf_counter() - start}
    if expect is not None and Path(out["synthframe_file"]) != expect.resolve() / "synthframe" / "__init__.py":
        raise SystemExit(f"synthframe was imported from {out['synthframe_file']}, not from the checkout {expect}")

    schema = sf.Schema.from_json(example_schema_path())
    samples = sf.read_samples(example_samples_dir(), schema)
    start = time.perf_counter()
    model = sf.fit(schema, samples)
    fit_seconds = time.perf_counter() - start
    request = {"customers": customers}
    out["ecommerce"] = {"fit_seconds": fit_seconds, "request": request, "counts": resolve_rows(model, request),
                        **_calls(lambda: model.sample(request, seed=seed), warm)}
    del model, samples

    if tpch is not None:
        schema = sf.Schema.from_json(tpch / "schema.json")
        start = time.perf_counter()
        samples = sf.read_samples(tpch, schema)
        read_seconds = time.perf_counter() - start
        start = time.perf_counter()
        model = sf.fit(schema, samples)
        fit_seconds = time.perf_counter() - start
        out["tpch"] = {"read_seconds": read_seconds, "fit_seconds": fit_seconds, "scale": tpch_scale,
                       "counts": resolve_rows(model, scale=tpch_scale),
                       **_calls(lambda: model.sample(scale=tpch_scale, seed=seed), warm)}
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchmarks/headline.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--customers", type=int, required=True, help="customers of the ecommerce example")
    p.add_argument("--warm", type=int, default=0, help="warm calls after the cold one (default 0)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tpch", type=Path, default=None, help="folder of the TPC-H sample; omitted: no TPC-H")
    p.add_argument("--tpch-scale", type=float, default=10.0)
    p.add_argument("--expect", type=Path, default=None,
                   help="fail unless synthframe is imported from this checkout")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result = measure(args.customers, args.warm, args.seed, args.tpch, args.tpch_scale, args.expect)
    print(RESULT_PREFIX + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
