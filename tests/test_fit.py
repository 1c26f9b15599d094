"""Per-column fitting: families recovered, small domains as frequencies, hints win."""

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import SampleError
from synthframe.fit import fit_column
from synthframe.generators.values import choose_family
from synthframe.schema import Column

GEN = np.random.Generator(np.random.PCG64(12345))


def _fit(x, ctype="float", **hints):
    return fit_column("t", Column("x", ctype, **hints), pd.Series(x)).generator


def test_recovers_normal():
    x = GEN.normal(50.0, 8.0, 10_000)
    spec, ks = choose_family(x, x.min(), x.max())
    assert spec["name"] in ("norm", "truncnorm")
    assert spec["params"]["loc"] == pytest.approx(50.0, abs=0.3)
    assert spec["params"]["scale"] == pytest.approx(8.0, rel=0.03)
    assert ks < 0.02


def test_recovers_lognormal():
    x = GEN.lognormal(np.log(80.0), 0.6, 10_000)
    spec, _ = choose_family(x, x.min(), x.max())
    assert spec["name"] == "lognorm"
    assert spec["params"]["s"] == pytest.approx(0.6, rel=0.03)
    assert spec["params"]["scale"] == pytest.approx(80.0, rel=0.03)


def test_recovers_gamma():
    x = GEN.gamma(2.0, 3.0, 10_000)
    spec, _ = choose_family(x, x.min(), x.max())
    assert spec["name"] == "gamma"
    assert spec["params"]["a"] == pytest.approx(2.0, rel=0.06)
    assert spec["params"]["scale"] == pytest.approx(3.0, rel=0.06)


def test_bimodal_falls_back_to_empirical_quantiles():
    x = np.concatenate([GEN.normal(0, 1, 5000), GEN.normal(10, 1, 5000)])
    spec, ks = choose_family(x, x.min(), x.max())
    assert spec["name"] == "empirical"
    q = spec["params"]["quantiles"]
    assert q == sorted(q) and q[0] == pytest.approx(x.min()) and q[-1] == pytest.approx(x.max())


def test_small_integer_domain_kept_as_frequencies():
    ratings = GEN.choice([1, 2, 3, 4, 5], p=[0.05, 0.05, 0.1, 0.3, 0.5], size=2000)
    gen = _fit(ratings, "integer")
    assert gen["kind"] == "frequencies"
    assert gen["values"] == [1, 2, 3, 4, 5]
    assert gen["weights"][4] == pytest.approx(0.5, abs=0.04)


def test_prices_keep_two_decimals_and_bounds():
    prices = np.round(GEN.lognormal(3, 0.8, 3000), 2)
    gen = _fit(prices)
    assert gen["kind"] == "distribution" and gen["decimals"] == 2
    assert gen["min"] == pytest.approx(prices.min()) and gen["max"] == pytest.approx(prices.max())


def test_null_rate_learned_and_hints_win():
    x = pd.Series([1.5, None, 2.5, None, 3.25, 4.0, 7.5, None, 9.0, 10.0])
    col = fit_column("t", Column("x", "float", min=0, max=100), x)
    assert col.null_rate == pytest.approx(0.3)
    assert col.generator["min"] == 0 and col.generator["max"] == 100
    hinted = _fit([1.0, 2.0, 3.0], distribution={"name": "lognormal", "s": 0.5, "scale": 10})
    assert hinted["distribution"] == {"name": "lognorm", "params": {"s": 0.5, "scale": 10.0}}


def test_category_frequencies_and_values_hint():
    s = pd.Series(["a"] * 60 + ["b"] * 30 + ["c"] * 10)
    gen = _fit(s, "category")
    assert gen["values"] == ["a", "b", "c"] and gen["weights"] == pytest.approx([0.6, 0.3, 0.1])
    gen = _fit(s, "category", values=("a", "z"))
    assert gen["values"] == ["a", "z"]


def test_columns_without_samples_get_values_from_type_and_hints():
    empty = pd.Series([], dtype="float64")
    gen = fit_column("t", Column("age", "integer", min=18, max=99), empty).generator
    assert (gen["min"], gen["max"], gen["integer"]) == (18, 99, True)
    gen = fit_column("t", Column("signup", "date"), pd.Series([], dtype="datetime64[ns]")).generator
    assert gen["time_unit"] == "D" and gen["min"] < gen["max"]


def test_all_null_column_is_an_error_naming_it():
    with pytest.raises(SampleError, match=r"t\.x has only nulls"):
        fit_column("t", Column("x", "float"), pd.Series([None, None], dtype="float64"))
    ok = fit_column("t", Column("x", "float", nullable=True), pd.Series([None, None], dtype="float64"))
    assert ok.null_rate == 1.0


def test_datetime_resolution_kept():
    stamps = pd.Series(pd.to_datetime(["2024-01-01 10:00", "2024-02-03 11:30", "2024-03-04 08:15",
                                       "2024-05-06 12:45"]))
    gen = fit_column("t", Column("at", "datetime"), stamps).generator
    assert gen["time_unit"] == "s" and gen["resolution"] == 60


def test_low_cardinality_strings_become_levels_without_one_off_values():
    s = pd.Series(["Paris"] * 30 + ["Lyon"] * 20 + ["Nice"] * 9 + ["12 Rue Secrète"])
    gen = _fit(s, "string")
    assert gen["kind"] == "frequencies"
    assert gen["values"] == ["Paris", "Lyon", "Nice"]  # the value seen once is not copied
    assert sum(gen["weights"]) == pytest.approx(1.0)


def test_levels_that_differ_only_by_chance_get_equal_shares():
    rng = np.random.Generator(np.random.PCG64(5))
    even = pd.Series(rng.choice(["a", "b", "c", "d"], 400))
    skewed = pd.Series(rng.choice(["a", "b", "c", "d"], 400, p=[0.4, 0.3, 0.2, 0.1]))
    numbers = pd.Series(rng.integers(1, 6, 400))
    schema = {"tables": {"t": {"columns": {"even": "category", "skewed": "category", "n": "integer"}}}}
    model = sf.fit(schema, {"t": pd.DataFrame({"even": even, "skewed": skewed, "n": numbers})})
    columns = model.tables["t"].columns
    assert columns["even"].generator["weights"] == [0.25] * 4  # the samples' scatter is not copied
    assert columns["n"].generator["weights"] == [0.2] * 5
    weights = dict(zip(columns["skewed"].generator["values"], columns["skewed"].generator["weights"]))
    assert weights == skewed.value_counts(normalize=True).to_dict()  # real differences are kept as seen


def test_a_flat_column_is_fitted_as_flat_and_a_bell_as_a_bell():
    """On a hundred values KS cannot tell a uniform from a bell; the likelihood can (TPC-H's account balances
    are uniform and were drawn as a bell from 100 suppliers). Simulated: 95 % of uniform samples of 100 are
    judged flat, and no normal one."""
    rng = np.random.default_rng(7)
    flat = [choose_family(x, float(x.min()), float(x.max()))[0]["name"]
            for x in (np.round(rng.uniform(-999.99, 9999.99, 100), 2) for _ in range(40))]
    bell = [choose_family(x, float(x.min()), float(x.max()))[0]["name"]
            for x in (np.round(rng.normal(50, 10, 100), 2) for _ in range(40))]
    assert flat.count("uniform") >= 34  # 38 expected; binomial(40, 0.95) is below 34 once in 2,000 draws
    assert "uniform" not in bell
    schema = {"tables": {"t": {"primary_key": "id", "columns": {"id": "integer", "balance": "float"}}}}
    frame = pd.DataFrame({"id": np.arange(100), "balance": np.round(rng.uniform(-999.99, 9999.99, 100), 2)})
    assert sf.fit(schema, {"t": frame}).tables["t"].columns["balance"].generator["distribution"]["name"] == "uniform"
