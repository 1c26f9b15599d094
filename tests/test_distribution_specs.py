"""Distribution specs are checked without scipy.stats (a model loads without importing it), as scipy would."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synthframe import distributions as dist
from synthframe.errors import SchemaError

VALUES = (-2.0, -0.5, 0.0, 0.5, 3.0)


@pytest.mark.parametrize("name", dist.FAMILIES)
def test_a_spec_is_valid_exactly_where_scipy_gives_a_finite_median(name: str) -> None:
    shapes = dist.SHAPES[name]
    for combo in itertools.product(VALUES, repeat=len(shapes) + 1):
        params = {**dict(zip(shapes, combo[:-1])), "loc": 1.0, "scale": combo[-1]}
        with np.errstate(all="ignore"):
            finite = bool(np.isfinite(dist.family(name)(**params).ppf(0.5)))
        try:
            dist.from_hint({"name": name, **params}, table="t", column="c")
            accepted = True
        except SchemaError:
            accepted = False
        assert accepted == finite, (name, params)


def test_missing_and_unknown_parameters_name_what_to_give() -> None:
    with pytest.raises(SchemaError, match=r"incomplete \(no s\); give \['loc', 's', 'scale'\]"):
        dist.from_hint({"name": "lognorm", "scale": 2.0}, table="t", column="c")
    with pytest.raises(SchemaError, match="takes numeric parameters"):
        dist.from_hint({"name": "gamma", "a": 2.0, "shape": 1.0}, table="t", column="c")
    with pytest.raises(SchemaError, match="not valid"):
        dist.from_hint({"name": "norm", "loc": 0.0, "scale": float("inf")}, table="t", column="c")


def test_loading_a_model_of_closed_form_families_leaves_scipy_stats_unimported(tmp_path: Path) -> None:
    """scipy.stats takes most of a second to import: a command that loads a model whose numbers are drawn in
    closed form (normal, lognormal, exponential, uniform, empirical quantiles) and samples it does not pay for it."""
    import pandas as pd

    import synthframe as sf

    rng = np.random.default_rng(3)
    schema = sf.Schema.from_dict({"tables": {"t": {"columns": {"price": {"type": "float", "min": 0},
                                                                "wait": {"type": "float", "min": 0}}}}})
    samples = {"t": pd.DataFrame({"price": np.round(rng.lognormal(3.0, 0.5, 400), 2),
                                  "wait": np.round(rng.uniform(0.0, 50.0, 400), 2)})}
    model = sf.fit(schema, samples)
    names = {c.generator["distribution"]["name"] for c in model.tables["t"].columns.values()}
    assert names <= {"norm", "lognorm", "expon", "uniform", "empirical"}, names
    path = tmp_path / "model.json"
    model.save(path)
    code = ("import sys, synthframe as sf; m = sf.Model.load(sys.argv[1]); m.sample({'t': 1000}); "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("name", "params"), [
    ("norm", {"loc": 3.0, "scale": 2.5}), ("uniform", {"loc": -1.0, "scale": 900.0}),
    ("lognorm", {"s": 0.9, "loc": 0.0, "scale": 90.0}), ("lognorm", {"s": 1.7, "loc": -5.0, "scale": 0.3}),
    ("expon", {"loc": 2.0, "scale": 7.0}), ("norm", {"scale": 1.0}), ("expon", {})])
def test_closed_form_cdfs_are_scipy_s_to_the_last_bit(name: str, params: dict) -> None:
    xs = np.r_[np.linspace(-50.0, 1000.0, 997), -np.inf, np.inf, 0.0, 2.0, -1.0, 899.0, 1e-300, 5e300]
    for x in xs:
        assert dist._closed_cdf(name, params, float(x)) == float(dist.family(name)(**params).cdf(x)), (name, x)
    assert dist._closed_cdf("gamma", {"a": 2.0}, 1.0) is None


def test_a_half_normal_bound_is_valid_and_unknown_families_are_key_errors() -> None:
    for a, b, ok in ((0.0, np.inf, True), (-np.inf, 1.0, True), (-np.inf, np.inf, True), (np.inf, np.inf, False),
                     (1.0, 0.5, False), (np.nan, 1.0, False)):
        params = {"a": a, "b": b, "loc": 0.0, "scale": 1.0}
        with np.errstate(all="ignore"):
            assert bool(np.isfinite(dist.family("truncnorm")(**params).ppf(0.5))) == ok, params
        assert dist._valid("truncnorm", params) == ok, params
    with pytest.raises(KeyError):
        dist.family("t")  # a scipy family, but not one the registry fits
