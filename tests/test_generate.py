"""Generation contracts: row counts, determinism under chunking, keys, hierarchies, link tables."""

import io

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import synthframe as sf
from synthframe.errors import CapacityError, RowCountError
from synthframe.generate import DEFAULT_BATCH_ROWS, Run, generate_rows, resolve_rows, to_frame
from synthframe.write import write_tables

RNG = np.random.Generator(np.random.PCG64(2024))


def shop_schema(extra_customer_columns=None):
    customers = {"customer_id": "integer", "name": {"type": "string", "semantic": "name"},
                 "age": {"type": "integer", "min": 18, "max": 90},
                 "segment": {"type": "category", "values": {"consumer": 0.7, "corporate": 0.3}},
                 "score": {"type": "float", "nullable": True},
                 "joined": "date"}
    customers.update(extra_customer_columns or {})
    return {"tables": {
        "customers": {"primary_key": "customer_id", "columns": customers},
        "orders": {"primary_key": "order_id",
                   "columns": {"order_id": "integer", "customer_id": "integer", "total": "float",
                               "placed": "datetime", "code": {"type": "string", "pattern": "ORD-######",
                                                              "unique": True}},
                   "foreign_keys": {"customer_id": "customers.customer_id"}},
    }}


def shop_samples():
    """The same sample tables every call (a fresh generator each time)."""
    RNG = np.random.Generator(np.random.PCG64(2024))  # noqa: N806
    n = 300
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "name": ["Ann Lee"] * n,
        "age": RNG.integers(18, 91, n),
        "segment": RNG.choice(["consumer", "corporate"], n, p=[0.7, 0.3]),
        "score": np.where(RNG.random(n) < 0.2, np.nan, RNG.normal(50, 10, n)),
        "joined": pd.to_datetime("2022-01-01") + pd.to_timedelta(RNG.integers(0, 900, n), unit="D"),
    })
    orders = pd.DataFrame({
        "order_id": np.arange(1000, 1000 + 3 * n),
        "customer_id": RNG.integers(1, n + 1, 3 * n),
        "total": np.round(RNG.lognormal(4, 0.5, 3 * n), 2),
        "placed": pd.to_datetime("2023-01-01") + pd.to_timedelta(RNG.integers(0, 10**7, 3 * n), unit="s"),
        "code": [f"ORD-{i:06d}" for i in range(3 * n)],
    })
    return {"customers": customers, "orders": orders}


@pytest.fixture(scope="module")
def shop_model():
    return sf.fit(shop_schema(), shop_samples())


def test_row_counts_given_win_and_children_follow_parents(shop_model):
    counts = resolve_rows(shop_model, {"customers": 1000})
    assert counts == {"customers": 1000, "orders": 3000}
    assert resolve_rows(shop_model, {"customers": 10, "orders": 7}) == {"customers": 10, "orders": 7}
    assert resolve_rows(shop_model, scale=2) == {"customers": 600, "orders": 1800}
    data = shop_model.sample({"customers": 1000}, seed=1)
    assert {t: len(df) for t, df in data.items()} == counts


def test_dtypes_keys_and_bounds(shop_model):
    data = shop_model.sample({"customers": 5000, "orders": 20000}, seed=3)
    c, o = data["customers"], data["orders"]
    assert str(c["customer_id"].dtype) == "Int64" and str(c["age"].dtype) == "Int64"
    assert isinstance(c["segment"].dtype, pd.CategoricalDtype)
    assert c["joined"].dtype.kind == "M" and (c["joined"] == c["joined"].dt.normalize()).all()
    assert c["customer_id"].tolist() == list(range(1, 5001))
    assert c["age"].between(18, 90).all()
    assert set(c["segment"].cat.categories) <= {"consumer", "corporate"}
    assert o["customer_id"].isin(c["customer_id"]).all()
    assert o["code"].is_unique and o["code"].str.fullmatch(r"ORD-\d{6}").all()
    assert sf.validate(data, shop_model.schema).empty


def test_category_weights_and_null_rate_within_tolerance(shop_model):
    c = shop_model.sample({"customers": 40_000, "orders": 0}, seed=5)["customers"]
    share = (c["segment"] == "consumer").mean()
    se = np.sqrt(0.7 * 0.3 / len(c))
    assert abs(share - 0.7) < 4 * se
    null_rate = shop_model.tables["customers"].columns["score"].null_rate
    assert abs(c["score"].isna().mean() - null_rate) < 4 * np.sqrt(null_rate * (1 - null_rate) / len(c))


def test_numeric_column_matches_its_fit(shop_model):
    from scipy import stats

    orders = shop_model.sample({"customers": 100, "orders": 20_000}, seed=9)["orders"]
    sample_totals = shop_samples()["orders"]["total"]
    ks = stats.ks_2samp(orders["total"], sample_totals).statistic
    assert ks < 0.08
    assert orders["total"].min() >= sample_totals.min() and orders["total"].max() <= sample_totals.max()
    assert (np.round(orders["total"], 2) == orders["total"]).all()


def test_same_seed_same_frames_and_bytes(shop_model, tmp_path):
    a = shop_model.sample({"customers": 2000}, seed=11)
    b = shop_model.sample({"customers": 2000}, seed=11)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])
    other = shop_model.sample({"customers": 2000}, seed=12)
    assert not a["customers"]["age"].equals(other["customers"]["age"])
    for fmt in ("csv", "jsonl"):
        p1 = shop_model.write({"customers": 2000}, tmp_path / f"one-{fmt}", format=fmt, seed=11)
        p2 = shop_model.write({"customers": 2000}, tmp_path / f"two-{fmt}", format=fmt, seed=11)
        for table in p1:
            assert p1[table].read_bytes() == p2[table].read_bytes()


def test_equal_whatever_the_number_of_threads(shop_model):
    rows = {"customers": 3000, "orders": 9000}
    one = shop_model.sample(rows, seed=6, workers=1)
    for workers, batch in ((2, 1000), (3, 777), (8, 5000)):
        many = shop_model.sample(rows, seed=6, workers=workers, batch_rows=batch)
        for table in one:
            pd.testing.assert_frame_equal(one[table], many[table])
    with pytest.raises(RowCountError, match="workers must be a whole number"):
        shop_model.sample(rows, workers=0)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_written_files_equal_whatever_the_number_of_threads(shop_model, tmp_path, fmt):
    rows = {"customers": 2500, "orders": 7000}
    one = shop_model.write(rows, tmp_path / "one", format=fmt, seed=2, batch_rows=1000, workers=1)
    two = shop_model.write(rows, tmp_path / "two", format=fmt, seed=2, batch_rows=1000, workers=2)
    for table, path in one.items():
        if fmt == "parquet":
            assert pq.read_table(path).equals(pq.read_table(two[table]))
        else:
            assert path.read_bytes() == two[table].read_bytes()


def test_equal_whatever_the_batch_size(shop_model, tmp_path):
    block = DEFAULT_BATCH_ROWS // 4
    rows = {"customers": block + 5000, "orders": 2 * block + 123}
    whole = shop_model.sample(rows, seed=4)
    for batch in (1000, block, 3 * block + 7):
        pieces = shop_model.sample(rows, seed=4, batch_rows=batch)
        for table in whole:
            pd.testing.assert_frame_equal(whole[table], pieces[table])
    run = Run(shop_model, resolve_rows(shop_model, rows), seed=4)
    middle = to_frame(generate_rows(shop_model, "orders", range(70_000, 70_010), run=run))
    pd.testing.assert_frame_equal(middle, whole["orders"].iloc[70_000:70_010].reset_index(drop=True))
    one = write_tables({"orders": [whole["orders"]]}, tmp_path / "a", "csv", schema=shop_model.schema)
    many = shop_model.write(rows, tmp_path / "b", format="csv", seed=4, batch_rows=9999)
    assert one["orders"].read_bytes() == many["orders"].read_bytes()


def test_adding_a_column_leaves_other_columns_unchanged():
    samples = shop_samples()
    base = sf.fit(shop_schema(), samples).sample({"customers": 3000}, seed=8)
    wider = sf.fit(shop_schema({"vip": "boolean"}), samples).sample({"customers": 3000}, seed=8)
    assert "vip" in wider["customers"]
    for table, frame in base.items():
        pd.testing.assert_frame_equal(frame, wider[table][frame.columns])


def test_model_json_round_trip_gives_identical_output(shop_model, tmp_path):
    path = shop_model.save(tmp_path / "model.json")
    loaded = sf.Model.load(path)
    assert loaded.to_dict() == shop_model.to_dict()
    a = shop_model.sample({"customers": 1500}, seed=2)
    b = loaded.sample({"customers": 1500}, seed=2)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])
    text = path.read_text()
    assert "Ann Lee" not in text  # statistics, not sample rows


def test_unique_pattern_capacity_error(shop_model):
    with pytest.raises(CapacityError, match=r"orders\.code") as info:
        shop_model.sample({"customers": 10, "orders": 10**6 + 1})
    assert (info.value.table, info.value.column) == ("orders", "code")


def test_bad_row_counts(shop_model):
    for bad in (-1, 1.5, "10", True):
        with pytest.raises(RowCountError, match="customers"):
            shop_model.sample({"customers": bad})
    with pytest.raises(RowCountError, match="unknown table"):
        shop_model.sample({"nope": 3})
    with pytest.raises(RowCountError, match="in memory"):
        shop_model.sample({"customers": 10**9})


# -- self-references and link tables ---------------------------------------------------------

def employees_samples(n=400, roots=20):
    ids = np.arange(1, n + 1)
    managers = np.where(ids <= roots, np.nan, RNG.integers(1, np.maximum(ids - 1, 1) + 1))
    managers = np.where(ids <= roots, np.nan, np.minimum(managers, ids - 1))
    return {"employees": pd.DataFrame({"employee_id": ids, "manager_id": pd.array(managers, dtype="Int64"),
                                       "salary": RNG.normal(60_000, 9_000, n).round(0)})}


def test_self_reference_is_acyclic_with_root_share_near_the_samples():
    schema = {"tables": {"employees": {
        "primary_key": "employee_id",
        "columns": {"employee_id": "integer", "manager_id": {"type": "integer", "nullable": True},
                    "salary": "float"},
        "foreign_keys": {"manager_id": "employees.employee_id"}}}}
    model = sf.fit(schema, employees_samples())
    emp = model.sample({"employees": 10_000}, seed=6)["employees"]
    root_share = emp["manager_id"].isna().mean()
    assert abs(root_share - 20 / 400) < 0.01
    position = pd.Index(emp["employee_id"]).get_indexer(emp["manager_id"].dropna())
    rows = np.flatnonzero(emp["manager_id"].notna().to_numpy())
    assert (position >= 0).all() and (position < rows).all()  # every manager comes earlier: no cycle
    assert sf.validate({"employees": emp}, model.schema).empty


def test_link_table_pairs_are_unique_and_capacity_checked():
    schema = {"tables": {
        "part": {"primary_key": "p_id", "columns": {"p_id": "integer"}},
        "supplier": {"primary_key": "s_id", "columns": {"s_id": "integer"}},
        "partsupp": {"primary_key": ["p_id", "s_id"],
                     "columns": {"p_id": "integer", "s_id": "integer", "qty": "integer"},
                     "foreign_keys": {"p_id": "part.p_id", "s_id": "supplier.s_id"}},
    }}
    samples = {"part": pd.DataFrame({"p_id": range(50)}), "supplier": pd.DataFrame({"s_id": range(10)}),
               "partsupp": pd.DataFrame({"p_id": np.repeat(np.arange(50), 4),
                                         "s_id": (np.arange(200) * 3) % 10, "qty": RNG.integers(1, 100, 200)})}
    model = sf.fit(schema, samples)
    data = model.sample({"part": 2000, "supplier": 40}, seed=1)
    ps = data["partsupp"]
    assert len(ps) == 8000
    assert not ps.duplicated(["p_id", "s_id"]).any()
    assert ps.groupby("p_id").size().eq(4).all()  # four suppliers per part, as in the samples
    assert sf.validate(data, model.schema).empty
    with pytest.raises(CapacityError, match="at most 80,000 rows"):
        model.sample({"part": 2000, "supplier": 40, "partsupp": 80_001})
    assert len(model.sample({"part": 2000, "supplier": 40, "partsupp": 80_000})["partsupp"]) == 80_000


def test_csv_output_is_readable_back(shop_model, tmp_path):
    paths = shop_model.write({"customers": 100}, tmp_path, format="csv", seed=1)
    back = pd.read_csv(io.StringIO(paths["orders"].read_text()))
    assert len(back) == 300 and list(back.columns) == list(shop_model.schema.tables["orders"].columns)


def test_spike_at_the_lower_bound_survives():
    n = 900
    rng = np.random.Generator(np.random.PCG64(5))
    values = np.where(rng.random(n) < 1 / 3, 0.0, np.round(rng.lognormal(5, 1, n), 2))
    schema = {"tables": {"c": {"primary_key": "id", "columns": {"id": "integer", "ltv": "float"}}}}
    model = sf.fit(schema, {"c": pd.DataFrame({"id": np.arange(n), "ltv": values})})
    out = model.sample({"c": 30_000}, seed=1)["c"]["ltv"]
    zeros = (values == 0).mean()
    assert abs((out == 0).mean() - zeros) < 0.03
    assert abs(out.median() - np.median(values)) < 0.15 * np.median(values)


def test_emails_are_built_from_the_same_rows_names():
    from synthframe.examples import example_samples_dir, example_schema_path

    model = sf.fit(example_schema_path(), example_samples_dir())
    assert model.tables["customers"].layout["person"]["columns"] == {"email": "email", "first": "first_name",
                                                                    "last": "last_name"}
    c = model.sample({"customers": 20_000}, seed=3)["customers"]
    first = c["first_name"].str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True)
    last = c["last_name"].str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True)
    local = c["email"].str.split("@").str[0].str.replace(r"\d+$", "", regex=True)
    styles = model.tables["customers"].layout["person"]["email"]["styles"]
    made = {"first.last": first + "." + last, "firstlast": first + last, "first_last": first + "_" + last,
            "flast": first.str[:1] + last}
    assert set(styles["values"]) == set(made)  # the styles the sample emails use
    style = pd.Series("", index=c.index)
    for name, shape in made.items():
        style = style.where((style != "") | (local != shape), name)
    assert (style != "").all()  # every email is its row's names in one of them
    shares = style.value_counts(normalize=True)
    for name, weight in zip(styles["values"], styles["weights"]):
        assert shares[name] == pytest.approx(weight, abs=0.02)
    assert c["email"].is_unique  # unique by construction: the id's digits end the local part
    whole = model.sample({"customers": 5000}, seed=3)["customers"]["email"]
    pieces = model.sample({"customers": 5000}, seed=3, batch_rows=777)["customers"]["email"]
    pd.testing.assert_series_equal(whole, pieces)


def test_no_email_in_the_person_group_when_samples_disagree():
    n = 60
    samples = {"people": pd.DataFrame({"id": range(n), "first_name": ["Ann", "Bob"] * (n // 2),
                                       "last_name": ["Lee", "Kim"] * (n // 2),
                                       "email": [f"user{i}@mail.com" for i in range(n)]})}
    schema = {"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": {"type": "string", "semantic": "first_name"},
        "last_name": {"type": "string", "semantic": "last_name"},
        "email": {"type": "string", "semantic": "email"}}}}}
    assert sf.fit(schema, samples).tables["people"].layout["person"]["columns"] == {
        "first": "first_name", "last": "last_name"}


def test_drawn_foreign_keys_keep_the_parents_popularity():
    rng = np.random.Generator(np.random.PCG64(11))
    n_products, n_reviews = 200, 2000
    popular = rng.choice(np.arange(100), size=n_reviews)  # half of the products are never reviewed
    schema = {"tables": {
        "customers": {"primary_key": "id", "columns": {"id": "integer"}},
        "products": {"primary_key": "pid", "columns": {"pid": "integer"}},
        "reviews": {"primary_key": "rid", "columns": {"rid": "integer", "cid": "integer", "pid": "integer"},
                    "foreign_keys": {"cid": "customers.id", "pid": "products.pid"}}}}
    samples = {"customers": pd.DataFrame({"id": range(500)}), "products": pd.DataFrame({"pid": range(n_products)}),
               "reviews": pd.DataFrame({"rid": range(n_reviews), "cid": rng.integers(0, 500, n_reviews),
                                        "pid": popular})}
    model = sf.fit(schema, samples)
    assert model.tables["reviews"].columns["pid"].generator["role"] == "draw"
    data = model.sample({"customers": 1000, "products": 4000, "reviews": 80_000}, seed=12)
    never = 1 - data["products"]["pid"].isin(data["reviews"]["pid"]).mean()
    assert abs(never - 0.5) < 0.03
    assert sf.validate(data, model.schema).empty
    again = model.sample({"customers": 1000, "products": 4000, "reviews": 80_000}, seed=12, batch_rows=7000)
    pd.testing.assert_frame_equal(data["reviews"], again["reviews"])


def test_gaussian_edges_keep_correlations_and_marginals():
    from scipy import stats

    rng = np.random.Generator(np.random.PCG64(21))
    n = 2000
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.8, 0], [0.8, 1, 0], [0, 0, 1]], n)
    samples = pd.DataFrame({"id": range(n), "income": np.round(np.exp(10 + 0.5 * z[:, 0]), 2),
                            "spend": np.round(200 + 50 * z[:, 1], 2), "noise": np.round(z[:, 2], 3)})
    schema = {"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "income": "float", "spend": "float", "noise": "float"}}}}
    model = sf.fit(schema, {"t": samples})
    # the network links the two correlated columns by a Gaussian edge and leaves the noise alone
    network = model.tables["t"].layout["joint"]["columns"]
    edges = {(node["given"]["column"], name): node["correlation"] for name, node in network.items()}
    assert set(edges) in ({("income", "spend")}, {("spend", "income")})
    assert next(iter(edges.values())) == pytest.approx(0.8, abs=0.03)
    out = model.sample({"t": 40_000}, seed=3)["t"]
    real = stats.spearmanr(samples["income"], samples["spend"])[0]
    assert abs(stats.spearmanr(out["income"], out["spend"])[0] - real) < 0.03
    assert abs(stats.spearmanr(out["income"], out["noise"])[0]) < 0.05
    for column in ("income", "spend", "noise"):
        assert stats.ks_2samp(out[column], samples[column]).statistic < 0.05
    pieces = model.sample({"t": 40_000}, seed=3, batch_rows=3333)["t"]
    pd.testing.assert_frame_equal(out, pieces)


def test_tpch_dates_keep_their_order_within_rows_and_across_the_order_key():
    import os
    from pathlib import Path

    tpch = Path(os.environ.get("SYNTHFRAME_TPCH", Path(__file__).resolve().parents[2] / "shared/data/tpch_sf001"))
    if not (tpch / "schema.json").exists():
        pytest.skip(f"TPC-H sample not found at {tpch}")
    model = sf.fit(sf.Schema.from_json(tpch / "schema.json"), tpch)
    rules = model.tables["lineitem"].layout["rules"]
    assert {"rule": "not before", "column": "l_receiptdate", "after": "l_shipdate"} in rules
    assert {"rule": "not before", "column": "l_shipdate", "after": "orders.o_orderdate", "foreign_key": 0} in rules
    data = model.sample({"orders": 20_000}, seed=4)
    li = data["lineitem"].merge(data["orders"], left_on="l_orderkey", right_on="o_orderkey")
    # in every sample row: received after shipping (1..30 days), shipped and committed after the order
    gaps = (li["l_receiptdate"] - li["l_shipdate"]).dt.days
    assert gaps.between(1, 30).all()
    assert (li["l_shipdate"] > li["o_orderdate"]).all()
    assert (li["l_commitdate"] > li["o_orderdate"]).all()
    # the dates move together: receipt and ship dates as correlated as in the samples
    days = li[["l_shipdate", "l_receiptdate"]].astype("int64")
    assert days.corr(method="spearman").iloc[0, 1] > 0.999
