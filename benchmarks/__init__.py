"""Benchmarks of synthframe against the naive per-row Faker loop.

    python -m benchmarks                 # defaults: 10**6 rows, 3 repeats, naive loop at 5,000 rows
    python -m benchmarks --quick         # a smoke run of a few seconds
    python -m benchmarks --compare DIR   # also the headline workloads on another checkout, side by side
    python -m benchmarks --help

:mod:`benchmarks.suite` holds the measurements, :mod:`benchmarks.memory` the peak-memory
probe, :mod:`benchmarks.naive` the per-row baseline and :mod:`benchmarks.headline` the script
run in fresh processes (cold calls, and ``--compare``). Results are printed as a markdown
table and written as JSON to ``benchmarks/results/latest.json``.
"""
