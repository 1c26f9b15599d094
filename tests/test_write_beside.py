"""A child table whose rows its parent's batches make anyway (an order's total over its lines) is written beside
its parent, from the same work: the files hold what Model.sample makes, in every format and on any number of
threads, and a failure on either side leaves no file."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_children_sum import SCHEMA, _shop, _totals

import synthframe as sf
import synthframe.write as write_module
from synthframe.errors import OutputError, SynthframeError
from synthframe.generate import Run, families, resolve_rows, table_streams
from synthframe.samples import read_samples
from synthframe.write import write_tables


@pytest.fixture(scope="module")
def shop() -> sf.Model:
    return sf.fit(SCHEMA, _shop())


def test_lines_are_made_beside_their_orders_only_when_they_lie_order_after_order(shop: sf.Model):
    run = Run(shop, resolve_rows(shop, {"orders": 500}), 1)
    assert families(run) == {"lines": "orders"}
    assert families(Run(shop, {"orders": 500, "lines": 0}, 1)) == {}
    interleaved = sf.fit(SCHEMA, _shop(ordered=False))
    assert families(Run(interleaved, resolve_rows(interleaved, {"orders": 500}), 1)) == {}
    _, beside = table_streams(run, arrow=True, beside=False)
    assert beside == {}


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl", "json"])
@pytest.mark.parametrize("workers,batch_rows", [(1, None), (2, 700)])
def test_written_beside_equals_the_sample(shop: sf.Model, tmp_path: Path, fmt: str, workers: int,
                                          batch_rows: int | None):
    counts = {"orders": 6_000}
    made = shop.sample(counts, seed=4)
    paths = shop.write(counts, tmp_path, format=fmt, seed=4, workers=workers, batch_rows=batch_rows)
    back = {t: read_samples(p, shop.schema)[t] for t, p in paths.items()}
    for table in ("orders", "lines"):
        pd.testing.assert_frame_equal(back[table].reset_index(drop=True), made[table].reset_index(drop=True),
                                      check_dtype=False, check_categorical=False)
    assert (np.abs(back["orders"]["total"] - _totals(back)) <= 0.005 + 1e-9).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())


def test_a_failing_line_writer_stops_the_orders_and_leaves_no_file(shop: sf.Model, tmp_path: Path, monkeypatch):
    real = write_module._write_parquet

    def failing(f, *, table, **kwargs):
        if table == "lines":
            raise OutputError("the disk is full", table="lines")
        return real(f, table=table, **kwargs)

    monkeypatch.setattr(write_module, "_write_parquet", failing)
    with pytest.raises(OutputError, match="the disk is full"):  # the lines' own error, not the orders' stop
        shop.write({"orders": 200_000}, tmp_path, format="parquet", seed=1, workers=2, batch_rows=5_000)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_order_writer_stops_the_lines_and_leaves_no_file(shop: sf.Model, tmp_path: Path, monkeypatch):
    real = write_module._render_rows
    calls = {"orders": 0}

    def failing(df, flavor, dates, table, *args, **kwargs):
        if table == "orders":
            calls["orders"] += 1
            if calls["orders"] == 3:
                raise OutputError("the disk is full", table="orders")
        return real(df, flavor, dates, table, *args, **kwargs)

    monkeypatch.setattr(write_module, "_render_rows", failing)
    with pytest.raises(SynthframeError, match="the disk is full"):
        shop.write({"orders": 200_000}, tmp_path, format="csv", seed=1, workers=2, batch_rows=5_000)
    assert list(tmp_path.iterdir()) == []


def test_the_streams_say_which_feeds_which(shop: sf.Model, tmp_path: Path):
    """write_tables learns the pairing from the streams themselves: there is no argument to forget."""
    run = Run(shop, resolve_rows(shop, {"orders": 3_000}), 4)
    streams, beside = table_streams(run, arrow=True, batch_rows=1_000)
    assert beside == {"lines": "orders"} and streams["lines"].fed_by == "orders" and streams["orders"].fed_by is None
    paths = write_tables(streams, tmp_path, "parquet", schema=shop.schema)
    made = shop.sample({"orders": 3_000}, seed=4)
    assert len(read_samples(paths["lines"], shop.schema)["lines"]) == len(made["lines"])


def test_children_of_few_parents_are_written_in_whole_batches(shop: sf.Model, tmp_path: Path):
    """Blocks of parents with no children or few are joined before they are written: no empty row groups."""
    import pyarrow.parquet as pq

    paths = shop.write({"orders": 60_000, "lines": 300}, tmp_path, format="parquet", seed=1, workers=2,
                       batch_rows=4_096)
    meta = pq.ParquetFile(paths["lines"]).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == 300 and min(sizes) > 0 and len(sizes) == 1


def test_ctrl_c_while_the_lines_are_written_leaves_no_file(shop: sf.Model, tmp_path: Path, monkeypatch):
    """Interrupted while it waits for the table written beside (the orders done, the lines still writing), the
    writer stops that thread and removes both files."""
    import time

    real_write = write_module._write_parquet
    interrupted = []

    def slow(f, *, table, **kwargs):
        if table == "lines":
            time.sleep(0.3)
        return real_write(f, table=table, **kwargs)

    def join(self, timeout=None):
        if not interrupted and self.is_alive():
            interrupted.append(self.table)
            raise KeyboardInterrupt  # Ctrl-C while waiting for the lines
        return threading.Thread.join(self, timeout)

    monkeypatch.setattr(write_module, "_write_parquet", slow)
    monkeypatch.setattr(write_module._Beside, "join", join)
    with pytest.raises(KeyboardInterrupt):
        shop.write({"orders": 2_000}, tmp_path, format="parquet", seed=1, workers=1)
    assert interrupted == ["lines"] and list(tmp_path.iterdir()) == []
    assert not [t for t in threading.enumerate() if t.name.startswith("synthframe-write-")]


def test_a_stream_left_early_does_not_wait_for_its_workers():
    """Closing a stream of blocks made on threads (as when it is dropped and collected, which may happen inside a
    thread being started) returns at once: joining its workers there could deadlock the thread's start."""
    from synthframe.generate import _made_in_order

    release = threading.Event()

    def make(span: range) -> range:
        if span.start:
            release.wait()
        return span

    stream = _made_in_order([range(i, i + 1) for i in range(4)], make, make, workers=2)
    assert next(stream) == range(0, 1)
    closing = threading.Thread(target=stream.close)
    closing.start()
    closing.join(10)
    try:
        assert not closing.is_alive()
    finally:
        release.set()
        closing.join()
