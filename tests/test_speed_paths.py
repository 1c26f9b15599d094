"""Faster paths give the same values as the straightforward computation they replace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import synthframe as sf
from synthframe.examples import example_samples_dir, example_schema_path
from synthframe.generate import DEFAULT_BATCH_ROWS, Run, iter_batches, made_rows, resolve_rows
from synthframe.generators import text
from synthframe.generators.base import TEXT_CODES
from synthframe.generators.text import Draws, _SpecContext, generate_text
from synthframe.keys import splitmix64
from synthframe.layouts import ChildLayout
from synthframe.randomness import GAMMA
from synthframe.write import write_tables


def _reference_weighted_32(h: np.ndarray, weights: list[float]) -> np.ndarray:
    cum = np.cumsum(np.asarray(weights, dtype=float))
    thresholds = np.floor(cum / cum[-1] * 2.0**32).astype(np.uint64)
    return np.minimum(np.searchsorted(thresholds, h, side="right"), len(cum) - 1)


def _reference_words(spec: dict, d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    """Word text as a list per row joined by spaces, cased and cut per value, words chosen by binary search."""
    k = text._word_count(spec, d.uniform("word_count"))
    base = d.bits("words")
    offsets = np.zeros(len(k) + 1, dtype=np.int64)
    np.cumsum(k, out=offsets[1:])
    row = np.repeat(np.arange(len(k)), k)
    position = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], k)
    with np.errstate(over="ignore"):
        h = splitmix64(np.repeat(base, k) + (position.view(np.uint64) + np.uint64(1)) * GAMMA) >> np.uint64(32)
    vocabulary = spec.get("vocabulary")
    if vocabulary:
        vocabularies = vocabulary.get("positions") or [vocabulary]
        words = pa.array([w for v in vocabularies for w in v["words"]], pa.string())
        index = np.zeros(len(h), dtype=np.int64)
        which = np.minimum(position, len(vocabularies) - 1)
        first = 0
        for j, v in enumerate(vocabularies):
            at = which == j if len(vocabularies) > 1 else slice(None)
            index[at] = first + _reference_weighted_32(h[at], v.get("weights") or [1.0] * len(v["words"]))
            first += len(v["words"])
    else:
        words = text._word_pool(int(spec.get("pool_size", text.POOL_SIZE)), text.pool_seed_of(d.table, d.column),
                                spec.get("locale", text.DEFAULT_LOCALE))
        index = ((h * np.uint64(len(words))) >> np.uint64(32)).view(np.int64)
    taken = words.take(index)
    chars = spec.get("chars") or {}
    end = spec.get("end", "")
    if "max" in chars:
        limit = max(1, int(chars["max"]) - len(end))
        cost = pc.utf8_length(taken).to_numpy(zero_copy_only=False).astype(np.int64) + 1
        used = np.cumsum(cost)
        used -= np.repeat(np.concatenate([[0], used])[offsets[:-1]], k)
        keep = (used - 1 <= limit) | (position == 0)
        if not keep.all():
            taken = taken.filter(keep)
            np.cumsum(np.bincount(row[keep], minlength=len(k)), out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), taken)
    out = text._apply_case(pc.binary_join(lists, " "), spec.get("case"))
    if "max" in chars:
        out = pc.utf8_slice_codeunits(out, 0, limit)
    if end:
        out = text._join(out, end)
    if unique_ids is not None:
        out = pc.binary_join_element_wise(out, text._to_str(unique_ids), " ")
    return out


def _reference(spec: dict, rows: range, unique_ids: np.ndarray | None = None) -> list[str]:
    index = np.arange(rows.start, rows.stop, dtype=np.int64)
    d = Draws(_SpecContext(11, "t", "c", index, unique_ids), "c")
    return _reference_words(spec, d, unique_ids).to_pylist()


def _zipf(n: int) -> list[float]:
    return [round(1.0 / (i + 1), 6) for i in range(n)]


VOCAB = ["the", "regular", "slyly", "carefully", "deposits", "Über", "ΟΔΟΣ", "straße", "İstanbul", "o'neil",
         "3rd", "x", "mañana", "ǅemal", "ﬁne", "a-b", "furiously", "pinto", "beans", "requests"]
WORDS = {"values": [0, 1, 3, 8, 20, 40], "weights": [0.05, 0.1, 0.2, 0.3, 0.2, 0.15], "min": 0, "max": 40}
LONG_VOCAB = [f"w{i}{'q' * (i % 13)}" for i in range(700)]
CASES = [None, "lower", "upper", "title", "sentence"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("chars", [None, {"max": 30}, {"max": 4}, {"max": 1000}])
def test_words_equal_the_reference(case: str | None, chars: dict | None) -> None:
    spec = {"kind": "words", "words": WORDS, "vocabulary": {"words": VOCAB, "weights": _zipf(len(VOCAB))}}
    if case:
        spec["case"] = case
    if chars:
        spec["chars"] = chars
    got = generate_text(spec, seed=11, table="t", column="c", rows=range(5, 3005)).to_pylist()
    assert got == _reference(spec, range(5, 3005))


@pytest.mark.parametrize("spec", [
    {"kind": "words", "words": {"values": [5], "weights": [1.0], "min": 5, "max": 5}, "chars": {"max": 46},
     "case": "lower", "vocabulary": {"words": VOCAB[:6], "weights": _zipf(6), "positions": [
         {"words": VOCAB[:6], "weights": _zipf(6)}, {"words": VOCAB[6:12]}, {"words": VOCAB[12:], "weights":
                                                                            [1.0] * 8}]}},
    {"kind": "words", "words": {"min": 2, "max": 31}, "chars": {"max": 198}, "case": "lower",
     "vocabulary": {"words": LONG_VOCAB, "weights": _zipf(len(LONG_VOCAB))}},
    {"kind": "words", "words": {"min": 1, "max": 9}, "chars": {"max": 25}, "end": ".",
     "vocabulary": {"words": LONG_VOCAB}},
    {"kind": "words", "words": {"min": 0, "max": 12, "quantiles": [0, 0, 2, 5, 12]}, "chars": {"max": 40}},
    {"kind": "words", "words": {"min": 0, "max": 0}, "vocabulary": {"words": VOCAB}},
    {"kind": "words", "words": {"min": 3, "max": 3}, "vocabulary": {"words": ["a", "b", "c"],
                                                                     "weights": [0.0, 1.0, 0.0]}},
    {"kind": "words", "words": {"min": 3, "max": 3}, "vocabulary": {"words": ["a", "b", "c"],
                                                                     "weights": [2.0, -1.0, 1.0]}},
])
def test_word_shapes_equal_the_reference(spec: dict) -> None:
    got = generate_text(spec, seed=11, table="t", column="c", rows=range(0, 4000))
    got.validate(full=True)
    assert got.type == pa.string()
    assert got.to_pylist() == _reference(spec, range(0, 4000))


def test_unique_words_equal_the_reference() -> None:
    spec = {"kind": "words", "words": WORDS, "chars": {"max": 50}, "case": "upper", "vocabulary": {"words": VOCAB}}
    ids = np.arange(100, 2100, dtype=np.int64)
    got = generate_text(spec, seed=11, table="t", column="c", rows=range(2000), unique_ids=ids).to_pylist()
    assert got == _reference(spec, range(2000), ids)


@pytest.mark.parametrize("weights", [_zipf(3), _zipf(700), [1.0] * 20, [0.0, 0.0, 1.0, 0.0, 2.0],
                                     [1e-9] * 500 + [1.0], [1.0] + [1e-9] * 500])
def test_guide_table_equals_the_search(weights: list[float]) -> None:
    h = np.random.default_rng(3).integers(0, 2**32, 200_000, dtype=np.uint64)
    h[:6] = [0, 1, 2**32 - 1, 2**31, 2**31 - 1, 2**20]
    cum = np.cumsum(weights)
    thresholds = np.floor(cum / cum[-1] * 2.0**32).astype(np.uint64)
    h = np.concatenate([h, thresholds[thresholds < 2**32], thresholds[thresholds > 0] - np.uint64(1)])
    assert np.array_equal(text._weighted_32(h, weights), _reference_weighted_32(h, weights))


# -- parents of child rows when every parent has the same count ------------------------------------------------

def _searched(layout: ChildLayout) -> ChildLayout:
    """The same layout, answering every row through the per-block search."""
    layout._block_step = lambda b: 0  # type: ignore[method-assign]
    layout._steady_rows = lambda r: 0  # type: ignore[method-assign]
    return layout


@pytest.mark.parametrize(("n_rows", "n_parents", "kwargs"), [
    (800_000, 200_000, {"cap": 10_000}),                                   # partsupp: 4 per part
    (400_000, 100_000, {"shape": {"counts": [4], "weights": [1.0]}}),
    (300_000, 150_000, {"shape": {"counts": [2], "weights": [1.0]}, "interleave": True}),
    (600_000, 150_000, {"shape": {"counts": [1, 4, 7], "weights": [0.3, 0.4, 0.3]}}),  # counts differ
    (150_000, 100_000, {"cap": 2}),                                        # not a whole number per parent
    (70_000, 70_000, {"cap": 1}),
    (1_200_000, 600_000, {"shape": {"counts": [2], "weights": [1.0]}}),  # more blocks than are cached
])
def test_constant_counts_give_the_searched_parents(n_rows: int, n_parents: int, kwargs: dict) -> None:
    fast = ChildLayout(n_rows, n_parents, 99, **kwargs)
    slow = _searched(ChildLayout(n_rows, n_parents, 99, **kwargs))
    rng = np.random.default_rng(5)
    for rows in (np.arange(n_rows), rng.integers(0, n_rows, 50_000), np.arange(n_rows - 5000, n_rows),
                 rng.integers(0, 1000, 300), np.zeros(0, dtype=np.int64)):
        got, want = fast.parent_of(rows), slow.parent_of(rows)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


# -- Parquet written from Arrow batches ---------------------------------------------------------------------------

def _frames_written(model: sf.Model, rows: dict, out: Path, batch_rows: int) -> dict[str, Path]:
    """Parquet files written from each batch's DataFrame."""
    run = Run(model, resolve_rows(model, rows), 3)
    return write_tables({t: iter_batches(run, t, made_rows(batch_rows)) for t in run.counts}, out, "parquet",
                        schema=model.schema)


def _mixed_model() -> sf.Model:
    rng = np.random.default_rng(4)
    n = 400
    stamps = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s")
    people = pd.DataFrame({
        "id": np.arange(1, n + 1), "score": np.where(rng.random(n) < 0.2, np.nan, rng.normal(50, 9, n)),
        "vip": rng.random(n) < 0.3, "tier": rng.choice(["a", "b", "c"], n),
        "born": pd.to_datetime("1970-01-01") + pd.to_timedelta(rng.integers(-9000, 9000, n), unit="D"),
        "seen": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"), "local": stamps + pd.to_timedelta(rng.random(n), unit="s"),
        "note": np.where(rng.random(n) < 0.3, None, rng.choice(["fine", "late again", "über gut"], n)),
        "count": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(0, 9, n)), dtype="Int64"),
    })
    schema = sf.Schema.from_dict({"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "score": {"type": "float", "nullable": True}, "vip": "boolean", "tier": "category",
        "born": "date", "seen": "datetime", "local": "datetime", "note": {"type": "string", "nullable": True},
        "count": {"type": "integer", "nullable": True}}}}})
    return sf.fit(schema, {"people": people})


@pytest.mark.parametrize("batch_rows", [1000, None])
def test_parquet_from_batches_is_the_file_from_frames(tmp_path: Path, batch_rows: int | None) -> None:
    example = sf.fit(sf.Schema.from_json(example_schema_path()), example_samples_dir())
    for name, model, rows in (("example", example, {"customers": 3000}), ("mixed", _mixed_model(), {"people": 5000}),
                              ("empty", example, {"customers": 0})):
        direct = model.write(rows, tmp_path / name / "direct", format="parquet", seed=3, batch_rows=batch_rows,
                             workers=2, progress=False)
        frames = _frames_written(model, rows, tmp_path / name / "frames", batch_rows or DEFAULT_BATCH_ROWS)
        run = Run(model, resolve_rows(model, rows), 3)
        coded: dict[tuple[str, str], set[str]] = {}
        for table, path in direct.items():
            pooled = [f.name for f in run.rows(table, min(run.counts[table], 50), coded=True).schema
                      if TEXT_CODES in (f.metadata or {})]
            if not pooled:
                assert path.read_bytes() == frames[table].read_bytes(), (name, table)
                continue
            # text handed over as pool positions: the same data, types and metadata; the dictionary pages list
            # the pool's used entries in pool order rather than in order of appearance, and they have no statistics
            coded[name, table] = set(pooled)
            assert pq.read_metadata(path).metadata == pq.read_metadata(frames[table]).metadata
            got, want = pq.read_table(path), pq.read_table(frames[table])
            assert got.schema.equals(want.schema, check_metadata=True) and got.equals(want), (name, table)
            assert pq.ParquetFile(path).metadata.num_row_groups == pq.ParquetFile(frames[table]).metadata.num_row_groups
        if name == "example":
            assert {"first_name", "last_name", "city"} <= coded["example", "customers"]


@pytest.mark.parametrize("rows, width", [(1, 2), (7, 5), (40, 26)])
def test_the_guided_search_of_a_conditional_table_is_searchsorted(rows: int, width: int):
    """A joint node's table, rows side by side (row r's cumulative weights + r), searched through a guide."""
    from synthframe.generators.values import search_right, span_guide

    rng = np.random.default_rng(rows * width)
    weights = rng.random((rows, width)) * (rng.random((rows, width)) < 0.7)  # empty bins too
    weights[:, -1] += 1e-3
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    flat = (cumulative + np.arange(rows)[:, None]).ravel()
    x = rng.random(200_000) + rng.integers(0, rows, 200_000)
    x[:width] = flat[:width] - np.floor(flat[:width])  # ties with entries
    starts = np.arange(4 * len(flat)) * (rows / (4 * len(flat)))  # where the guide's bins begin, and either side
    x = np.concatenate([x, starts, np.nextafter(starts, -np.inf)[1:], np.nextafter(starts, np.inf)])
    x[x >= rows] = rows - 1e-9
    assert np.array_equal(np.minimum(search_right(flat, x, span_guide(flat, 0.0, float(rows)), 0.0, float(rows)),
                                     len(flat) - 1), np.minimum(np.searchsorted(flat, x, side="right"), len(flat) - 1))


@pytest.mark.parametrize("edges", [np.linspace(0, 1, 9), np.r_[0.0, 0.0, 1e-9, np.geomspace(1e-3, 1e9, 40)],
                                   np.arange(1.6e9, 1.7e9, 86400.0 * 97)])
def test_the_guided_search_of_bin_edges_is_searchsorted(edges: np.ndarray):
    from synthframe.generators.values import search_edges

    rng = np.random.default_rng(len(edges))
    span = edges[-1] - edges[0]
    starts = edges[0] + np.arange(4 * len(edges)) * (span / (4 * len(edges)))  # where the guide's bins begin
    x = np.concatenate([edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf), [np.nan, -np.inf, np.inf],
                        starts, np.nextafter(starts, -np.inf), np.nextafter(starts, np.inf),
                        edges[0] - span * rng.random(1000), edges[0] + span * 1.2 * rng.random(100_000)])
    assert np.array_equal(search_edges(edges, x), np.searchsorted(edges, x, side="right"))


@pytest.mark.parametrize("weights", [_zipf(3), _zipf(700), [1.0] * 20, [0.0, 0.0, 1.0, 0.0, 2.0],
                                     [1e-9] * 500 + [1.0], [1.0] + [1e-9] * 500])
def test_level_choice_equals_the_search(weights: list[float]) -> None:
    """Levels by weight, through the guide table: searchsorted's codes, draws on a level's end and one ulp
    either side included (the last level at most)."""
    from synthframe.generators.values import _choice, _cumulative

    cum, _ = _cumulative(tuple(weights))
    bins = 4 * len(cum)
    starts = np.arange(bins) / bins
    u = np.concatenate([np.random.default_rng(5).random(100_000), cum[:-1], np.nextafter(cum[:-1], 0.0),
                        np.nextafter(cum[:-1], 1.0), starts, np.nextafter(starts[1:], 0.0), [0.0, 1.0 - 2**-53]])
    expected = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
    assert np.array_equal(_choice(tuple(weights), u), expected)


def test_a_mid_sized_parent_column_kept_whole_gives_the_distinct_rows_values(monkeypatch) -> None:
    """A parent column read at many rows is computed whole once and kept (TPC-H's parts under a batch of line
    prices); its values are those computed at the distinct parent rows, and a small request still computes
    only the distinct rows."""
    import synthframe.generate as generate

    model = sf.fit(example_schema_path("ecommerce"), example_samples_dir("ecommerce"))
    counts = {"customers": 2_000, "products": 1_000, "orders": 4_000, "order_items": 9_000, "reviews": 100}
    monkeypatch.setattr(generate, "SMALL_PARENT_ROWS", 100)
    monkeypatch.setattr(generate, "KEPT_PARENT_ROWS", 1_500)
    column = next(c for c, col in model.tables["products"].columns.items() if col.type == "float")
    rows = np.random.default_rng(3).integers(0, 1_000, 600)
    expected = Run(model, counts, 7).column("products", column, rows)
    few, many, outside = Run(model, counts, 7), Run(model, counts, 7), Run(model, counts, 7)
    assert few.parent_column("products", column, rows[:200]).equals(expected.slice(0, 200))
    assert few.stats["parent_rows"] == len(np.unique(rows[:200])) and not few._small
    assert many.parent_column("products", column, rows[:300]).equals(expected.slice(0, 300))
    assert many.stats["parent_rows"] == 1_000 and ("products", column) in many._small
    assert many.parent_column("products", column, rows[300:310]).equals(expected.slice(300, 10))  # kept
    assert many.stats["parent_rows"] == 1_000
    monkeypatch.setattr(generate, "KEPT_PARENT_ROWS", 999)  # a larger parent: never kept whole
    assert outside.parent_column("products", column, rows).equals(expected)
    assert not outside._small
    monkeypatch.setattr(generate, "KEPT_PARENT_ROWS", 1_500)
    text = next(c for c, col in model.tables["products"].columns.items() if col.type == "string")
    wordy = Run(model, counts, 7)
    assert wordy.parent_column("products", text, rows).equals(Run(model, counts, 7).column("products", text, rows))
    assert not wordy._small  # text is not kept whole: its size has no bound
