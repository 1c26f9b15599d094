"""Streaming writes keep memory flat in the row count: ten times the rows, about the same peak RSS.

Each run is a process of its own, so its peak resident memory (``VmHWM``) is the write's alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CHILD = textwrap.dedent("""
    import resource, sys, tempfile
    import numpy as np, pandas as pd
    import synthframe as sf

    rows, fmt = int(sys.argv[1]), sys.argv[2]
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame({
        "event_id": np.arange(1, n + 1),
        "user_id": rng.integers(1, 50_000, size=n),
        "amount": np.round(np.exp(rng.normal(3.5, 0.8, size=n)), 2),
        "status": rng.choice(["new", "paid", "shipped"], size=n),
        "note": rng.choice(["call first", "leave at door", "fragile item inside"], size=n),
    })
    schema = {"tables": {"events": {"primary_key": "event_id", "columns": {
        "event_id": "integer", "user_id": "integer", "amount": "float", "status": "category", "note": "string"}}}}
    model = sf.fit(schema, {"events": frame})
    with tempfile.TemporaryDirectory() as tmp:
        paths = model.write({"events": rows}, tmp, format=fmt, seed=1, batch_rows=50_000, progress=False)
        size = paths["events"].stat().st_size
    try:  # this process's own peak (ru_maxrss would keep the forking test runner's from before the exec)
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(peak, size)
""")

GROWTH_MB = 16
"""Allowed growth of the peak from 2*10**5 to 2*10**6 rows: holding as little as 9 bytes per written row
(one number column) would add more. Measured growth: 4-11 MB for Parquet, 0-3 MB for JSON Lines."""


ROOT = Path(__file__).resolve().parents[1]


def _peak_mb(rows: int, fmt: str) -> tuple[int, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", CHILD, str(rows), fmt], capture_output=True, text=True,
                          timeout=300, check=True, cwd=ROOT, env=env)
    peak, size = done.stdout.split()
    return int(peak), int(size)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_two_million_rows_in_small_batches_keep_the_peak_of_two_hundred_thousand(fmt: str):
    small, small_size = _peak_mb(200_000, fmt)
    large, large_size = _peak_mb(2_000_000, fmt)
    assert large_size > 9 * small_size  # the larger run did write ten times the rows
    assert large - small < GROWTH_MB, f"peak RSS {small} MB at 2e5 rows, {large} MB at 2e6 rows"
    assert large < 400
