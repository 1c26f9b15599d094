"""Dask DataFrames: equal to ``Model.sample`` on any partitioning and any workers, keys valid across partitions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import MissingDependencyError, OutputError, RowCountError
from synthframe.examples import example_samples_dir, example_schema_path

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("dask.distributed")
sfd = pytest.importorskip("synthframe.dask")

COUNTS = {"customers": 300, "products": 25, "orders": 700, "order_items": 1500, "reviews": 200}
PARTITION_ROWS = 128
"""Divides no table's count: every table has a short last partition, most have several."""


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(example_schema_path(), example_samples_dir())


@pytest.fixture(scope="module")
def local(model: sf.Model) -> dict[str, pd.DataFrame]:
    return model.sample(COUNTS, seed=5, workers=1)


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as found:
        yield found


@pytest.fixture(scope="module")
def on_cluster(model: sf.Model, client: distributed.Client) -> dict[str, pd.DataFrame]:
    tables = sfd.generate(model, COUNTS, seed=5, partition_rows=PARTITION_ROWS)
    return dict(zip(tables, client.compute(list(tables.values()), sync=True)))


# -- without a cluster (the default threaded scheduler) ---------------------------------------------

def test_partitions_split_rows_at_partition_rows_with_a_short_last_one(model: sf.Model):
    tables = sfd.generate(model, {"customers": 1000}, seed=2, partition_rows=300)
    customers = tables["customers"]
    assert customers.npartitions == 4 and customers.known_divisions
    assert customers.divisions == (0, 300, 600, 900, 999)
    sizes = customers.map_partitions(len).compute(scheduler="threads").tolist()
    assert sizes == [300, 300, 300, 100]
    expected = model.sample({"customers": 1000}, seed=2, workers=1)
    got = {t: df.compute(scheduler="threads") for t, df in tables.items()}
    for table, frame in expected.items():
        pd.testing.assert_frame_equal(got[table], frame)
    # rows across a boundary, by label, as a slice of one table
    across = customers.loc[295:305].compute(scheduler="threads")
    pd.testing.assert_frame_equal(across, expected["customers"].loc[295:305])


def test_meta_has_the_dtypes_of_sample(model: sf.Model, local: dict[str, pd.DataFrame]):
    tables = sfd.generate(model, COUNTS, seed=5, partition_rows=PARTITION_ROWS)
    for table, frame in tables.items():
        pd.testing.assert_series_equal(frame.dtypes, local[table].dtypes)


def test_an_empty_table_is_one_empty_partition(model: sf.Model):
    tables = sfd.generate(model, {"customers": 0}, seed=1, partition_rows=50)
    orders = tables["orders"]
    assert orders.npartitions == 1 and orders.divisions == (None, None)
    expected = model.sample({"customers": 0}, seed=1, workers=1)["orders"]
    got = orders.compute(scheduler="threads")
    assert len(got) == 0
    pd.testing.assert_series_equal(got.dtypes, expected.dtypes)


def test_bad_arguments_are_synthframe_errors(model: sf.Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(RowCountError, match="partition_rows"):
        sfd.generate(model, COUNTS, partition_rows=0)
    with pytest.raises(OutputError, match="Parquet only"):
        sfd.write(model, tmp_path, COUNTS, format="csv")
    with pytest.raises(RowCountError, match=r"folder before the rows: write\(model, out_dir, rows\)"):
        sfd.write(model, COUNTS, tmp_path)  # Model.write's order
    assert not any(tmp_path.iterdir())
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)  # as if Dask were not installed
    with pytest.raises(MissingDependencyError, match=r'pip install "synthframe\[dask\]"'):
        sfd.generate(model, COUNTS)


def test_write_to_a_url_through_fsspec(model: sf.Model):
    with dask.config.set(scheduler="threads"):
        paths = sfd.write(model, "memory://synthframe-test/out/", {"customers": 50}, seed=4, partition_rows=20)
    assert paths["customers"] == "memory://synthframe-test/out/customers"
    expected = model.sample({"customers": 50}, seed=4, workers=1)["customers"]
    back = pd.read_parquet(paths["customers"]).astype(expected.dtypes.to_dict())
    pd.testing.assert_frame_equal(back, expected)


# -- on a two-process cluster ---------------------------------------------------------------------

def test_tables_on_a_cluster_equal_local_sample(on_cluster: dict[str, pd.DataFrame], local: dict[str, pd.DataFrame]):
    assert list(on_cluster) == list(local)
    for table, frame in local.items():
        pd.testing.assert_frame_equal(on_cluster[table], frame)


def test_foreign_keys_hold_across_partitions(on_cluster: dict[str, pd.DataFrame], model: sf.Model):
    assert sf.validate(on_cluster, model.schema).empty


def test_write_parquet_on_a_cluster_reads_back_equal(model: sf.Model, client: distributed.Client, tmp_path: Path,
                                                     local: dict[str, pd.DataFrame]):
    paths = sfd.write(model, tmp_path / "out", COUNTS, seed=5, partition_rows=PARTITION_ROWS)
    assert paths == {t: tmp_path / "out" / t for t in local}
    assert sorted(p.name for p in paths["order_items"].iterdir())[-2:] == ["part.10.parquet", "part.11.parquet"]
    for table, frame in local.items():
        back = pd.read_parquet(paths[table])
        back = back.astype(frame.dtypes.to_dict())  # dates come back as date32, strings as Python strings
        pd.testing.assert_frame_equal(back, frame.reset_index(drop=True))
