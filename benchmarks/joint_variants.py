"""``python -m benchmarks joint``: what each part of the joint model adds, scored against held-out draws.

The same fit samples and held-out draws as ``python -m benchmarks fidelity`` (TPC-H SF 0.01 -> SF 0.1,
and the generated population), fitted four ways:

1. ``independent``   every column drawn on its own (no rules, no network, no copula);
2. ``copula``        a Gaussian copula over each table's numbers and dates, nothing else (the approach
                     before the joint model);
3. ``network``       the Bayesian network (levels, quantile bins, Gaussian edges, parents' columns), no
                     rules;
4. ``network+rules`` what ``synthframe.fit`` does: rules found in the samples, then the network.

Then the full model with one of its small-sample parts switched off at a time (``without ...``): numbers
drawn per level of a category (a mean and scale of their scores per level), those numbers' tails beyond the
samples' range, level shares shrunk toward equal shares when thinly sampled, power-law popularity of drawn
foreign keys, and offset gaps kept as their quantiles.

Scores are :func:`synthframe.evaluate`'s (SDMetrics' definitions), and the share of rows keeping the
dataset's known rules. With ``--seeds N`` the population is drawn N times (seeds 0..N-1) and the scores are
averaged: one 300-customer sample is noisy. Results go to ``benchmarks/results/joint.md`` and ``joint.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

import synthframe as sf
from synthframe import joint as joint_model
from synthframe import rules as rule_finding

from . import fidelity

fitting = importlib.import_module("synthframe.fit")  # the module (the package exports the function by that name)

RESULTS = Path(__file__).resolve().parent / "results"
VARIANTS = ("independent", "copula", "network", "network+rules")
ABLATIONS = ("without level normals", "without level tails", "without thin-level shrinkage",
             "without power-law popularity", "without gap quantiles")


@contextmanager
def variant(name: str) -> Iterator[None]:
    """Fit with parts of the joint model switched off (by replacing the fitting steps for the duration)."""
    saved = (rule_finding.find_rules, fitting._fit_network, fitting._fit_copula, joint_model._level_gaussian_fits,
             joint_model.level_tails, fitting._thin_levels, fitting.rank_exponent, rule_finding._fit_gap)
    try:
        if name in ("independent", "copula", "network"):
            fitting.rules.find_rules = lambda table, columns, *args: (dict(columns), [])  # type: ignore[assignment]
        if name in ("independent", "copula"):
            fitting._fit_network = lambda *args, **kwargs: None  # type: ignore[assignment]
        if name == "independent":
            fitting._fit_copula = lambda *args, **kwargs: None  # type: ignore[assignment]
        if name == "without level normals":
            joint_model._level_gaussian_fits = lambda *args: None  # type: ignore[assignment]
        if name == "without level tails":
            joint_model.level_tails = lambda generator: False  # type: ignore[assignment]
        if name == "without thin-level shrinkage":
            fitting._thin_levels = lambda table, columns, df: columns  # type: ignore[assignment]
        if name == "without power-law popularity":
            fitting.rank_exponent = lambda counts: None  # type: ignore[assignment]
        if name == "without gap quantiles":
            rule_finding._fit_gap = rule_finding._fit_numeric  # type: ignore[assignment]
        yield
    finally:
        (rule_finding.find_rules, fitting._fit_network, fitting._fit_copula, joint_model._level_gaussian_fits,
         joint_model.level_tails, fitting._thin_levels, fitting.rank_exponent, rule_finding._fit_gap) = saved


def measure(dataset: Any, seed: int = 0, names: tuple[str, ...] = VARIANTS + ABLATIONS) -> dict[str, Any]:
    """Each variant's scores on one dataset."""
    counts = {t: len(frame) for t, frame in dataset.held_out.items()}
    out: dict[str, Any] = {}
    for name in names:
        with variant(name):
            start = time.perf_counter()
            model = sf.fit(dataset.schema, dict(dataset.sample))
            fitted = time.perf_counter() - start
        data = fidelity.normalize(model.sample(counts, seed=seed), dataset.schema)
        report = sf.evaluate(dataset.held_out, data, dataset.schema, privacy=False)
        shares = fidelity.rule_shares(data, dataset.rules, dataset.sample) if dataset.rules else {}
        kept = [float(v["share"]) for v in shares.values() if v.get("share") is not None]
        out[name] = {"overall": report.score, **report.to_dict()["properties"], "rules kept (mean share)":
                     float(np.mean(kept)) if kept else None, "fit seconds": round(fitted, 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks joint", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "synthframe-bench-cache")
    parser.add_argument("--skip-tpch", action="store_true", help="only the generated population")
    parser.add_argument("--seeds", type=int, default=6, help="population draws to average over (default 6)")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    if not args.skip_tpch:
        results["tpch"] = measure(fidelity.tpch_dataset(fidelity.DEFAULT_TPCH, args.cache, 0.1, 0.2))
    runs = [measure(fidelity.population_dataset(300, 3000, seed), seed=seed) for seed in range(max(args.seeds, 1))]
    results["population"] = {name: {key: (float(np.mean([r[name][key] for r in runs]))
                                          if runs[0][name][key] is not None else None) for key in runs[0][name]}
                             for name in runs[0]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "joint.json").write_text(json.dumps({**results, "population seeds": max(args.seeds, 1)},
                                                   indent=2, default=float) + "\n")
    lines = ["# What each part of the joint model adds", "",
             "`python -m benchmarks joint`: the same samples fitted several ways, each scored by `synthframe.evaluate` "
             "against the held-out real draw of `python -m benchmarks fidelity` (the population: the mean over "
             f"{max(args.seeds, 1)} draws, seeds 0..{max(args.seeds, 1) - 1}, each fitted on 300 customers).", ""]
    for name, by_variant in results.items():
        keys = [k for k in next(iter(by_variant.values())) if k != "fit seconds"] + ["fit seconds"]
        for title, names in (("", VARIANTS), (", the full model without one part", ("network+rules", *ABLATIONS))):
            lines += [f"## {name}{title}", "", "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
            for key in keys:
                cells = [by_variant[v].get(key) for v in names]
                lines.append(f"| {key} | " + " | ".join("—" if c is None else f"{c:.3f}" for c in cells) + " |")
            lines.append("")
    (RESULTS / "joint.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0
