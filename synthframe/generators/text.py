"""Text columns: learned formats, semantic values and free words, made for any rows.

``text:pattern``   a fixed-length format (``#`` digit, ``?`` upper, ``@`` lower): a random index within
                   the range the samples cover, or, unique, the row's permuted id (capacity: the pattern's)
``text:semantic``  values of a semantic type (``email``, ``city``, ``company``, ...): entries of a pool of
                   Faker values built once per (table, column), or values assembled from pools (emails,
                   user names, URLs) and from the row's bits (IPs, UUIDs, phone numbers). Unique values
                   are spelled from the row's id and never run out: a pooled value past the pool's size
                   gets a number (``Acme Ltd 2``).
``person_email``   an email built from the same row's first and last names (a person group of the model)
``text:words``     free text: a learned number of words from a learned vocabulary (or lorem words)

No Faker call per row: rows index pools or are assembled with ``pyarrow.compute`` over whole columns,
from counter-based draws addressed by (seed, table, column, purpose, row).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import identifiers
from ..errors import CapacityError, ModelError, RowCountError, where
from ..keys import splitmix64
from ..randomness import GAMMA, as_rows, bits, finalize, integers, mix64, stream_key, uniforms
from ..text import (
    _STRUCTURED_CAPACITY,
    DEFAULT_LOCALE,
    POOL_SIZE,
    SEMANTICS,
    _distinct_pool,
    _fixed_width_strings,
    _parse_pattern,
    _person_parts,
    _pool,
    _random_pattern,
    _template,
    _user_name_stems,
    _word_pool,
    fit_text,
    format_pattern,
    pattern_capacity,
)
from .base import ColumnGenerator, DrawContext, pooled_text, register, with_nulls
from .entities import REFERENCE_SEMANTICS, reference_codes, reference_semantic
from .values import _choice


def pool_seed_of(table: str, column: str) -> int:
    """The Faker seed of a column's pools: a function of (table, column) only, so every run seed shares them."""
    return stream_key(0, table, column, "pool") >> 2


class Draws:
    """The draws of one text column at a set of rows: uniforms, integers and 64-bit keys by purpose."""

    def __init__(self, ctx: DrawContext, column: str):
        self.ctx = ctx
        self.table = ctx.table
        self.column = column
        self.rows = ctx.rows

    def key(self, purpose: str) -> int:
        return self.ctx.key(self.column, purpose)

    def uniform(self, purpose: str) -> np.ndarray:
        return self.ctx.uniform(self.column, purpose)

    def bits(self, purpose: str) -> np.ndarray:
        return bits(self.key(purpose), self.rows)


def text_capacity(spec: dict) -> int | None:
    """How many distinct values ``spec`` can make when asked for unique values; None when unbounded
    (pooled semantics widen with a number once their distinct entries are used)."""
    if spec.get("kind") == "pattern":
        return pattern_capacity(spec["pattern"])
    if spec.get("kind") == "semantic":
        if spec["semantic"] in identifiers.CHECKED:
            return identifiers.capacity(spec["semantic"], spec)
        return _STRUCTURED_CAPACITY.get(spec["semantic"])
    return None


class _SpecContext:
    """The draws of one text spec outside a model: for :func:`generate_text`."""

    def __init__(self, seed: int, table: str, column: str, rows: np.ndarray, unique_ids: np.ndarray | None):
        self.seed, self.table, self.rows, self.column, self.ids = seed, table, rows, column, unique_ids

    def key(self, column: str, purpose: str) -> int:
        return stream_key(self.seed, self.table, column, purpose)

    def uniform(self, column: str, purpose: str) -> np.ndarray:
        return uniforms(self.key(column, purpose), self.rows)

    def unique_ids(self, column: str, capacity: int | None) -> np.ndarray:
        return self.ids


def generate_text(spec: dict, *, seed: int, table: str, column: str, rows: Any,
                  unique_ids: np.ndarray | None = None) -> pa.StringArray:
    """Values of one text spec at ``rows`` (a range or int64 indices), outside a model: a function of
    ``(seed, table, column, row)`` only. With ``unique_ids`` (distinct non-negative integers, one per row,
    below :func:`text_capacity`) the values are distinct by construction."""
    index = as_rows(rows, table=table, column=column)
    _check_spec(spec, table, column)
    if unique_ids is not None:
        unique_ids = np.asarray(unique_ids, dtype=np.int64)
        if len(unique_ids) != len(index):
            raise RowCountError(f"Column {where(table, column)} got {len(unique_ids)} unique ids for "
                                f"{len(index)} rows; pass one id per row.", table=table, column=column)
        capacity = text_capacity(spec)
        if len(index) and unique_ids.min() < 0:
            raise CapacityError(f"Column {where(table, column)} got unique id {int(unique_ids.min())}; unique "
                                f"ids count from 0.", table=table, column=column)
        if len(index) and capacity is not None and unique_ids.max() >= capacity:
            raise CapacityError(f"Column {where(table, column)} can hold {capacity} distinct values, but unique "
                                f"id {int(unique_ids.max())} was asked for; ask for fewer rows or widen its format.",
                                table=table, column=column)
    if not len(index):
        return pa.array([], pa.string())
    ctx: Any = _SpecContext(seed, table, column, index, unique_ids)
    d = Draws(ctx, column)
    kind = spec["kind"]
    if kind == "pattern":
        return _gen_pattern(spec, d, unique_ids)
    if kind == "semantic":
        return _gen_semantic(spec, d, unique_ids)
    if kind == "levels":
        return _gen_levels(spec, d, unique_ids)
    if kind == "sentences":
        return _gen_sentences(spec, d, unique_ids)
    return _gen_words(spec, d, unique_ids)


class _Text(ColumnGenerator):
    """Shared checks of the three text kinds (their spec sits under ``text``)."""

    required = ("text",)

    @property
    def spec(self) -> dict:
        return self.params["text"]

    def check(self) -> None:
        _check_spec(self.spec, self.table, self.name)
        if self.spec.get("kind") in ("semantic", "words") and "locale" in self.spec:
            _check_locale(self.spec["locale"], self.table, self.name)

    @classmethod
    def fit(cls, values: Any, hints: Any, ctx: Any) -> dict[str, Any]:
        """A semantic type, a format or free words, as the hints and values say (see :func:`text.fit_text`)."""
        return {"kind": "text", "text": fit_text(ctx.table, hints.name, values, semantic=hints.semantic,
                                                 pattern=hints.pattern, locale=hints.locale)}

    def ids(self, ctx: DrawContext) -> np.ndarray | None:
        return ctx.unique_ids(self.name, self.capacity()) if self.unique else None


@register
class TextPattern(_Text):
    """Codes of a learned or given format; its first group of digits may follow another column of the row
    (``prefix``: a phone's country code from the nation key, ``{"column": "c_nationkey", "offset": 10}``, or a
    ``map`` of that column's values to the digits)."""

    kind = "text:pattern"

    def check(self) -> None:
        super().check()
        prefix = self.spec.get("prefix")
        if prefix is None:
            return
        if not isinstance(prefix, dict) or not isinstance(prefix.get("column"), str) or (
                not isinstance(prefix.get("offset"), int) and not isinstance(prefix.get("map"), dict)) \
                or not prefix_positions(self.spec["pattern"]):
            raise self.fail("has a 'prefix' that needs a 'column' and an integer 'offset' or a 'map', and a "
                            "pattern with a group of digits")

    def reads(self) -> tuple[str, ...]:
        prefix = self.spec.get("prefix")
        return (prefix["column"],) if prefix else ()

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        return text_capacity(self.spec) if self.unique else None

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        out = _gen_pattern(self.spec, Draws(ctx, self.name), self.ids(ctx))
        prefix = self.spec.get("prefix")
        return _with_prefix(out, self.spec["pattern"], prefix, ctx.values(prefix["column"])) if prefix else out


def prefix_positions(pattern: str) -> list[int]:
    """Byte positions of a pattern's first group of digit placeholders (``##`` of ``##-###-###-####``)."""
    _, slots = _template(_parse_pattern(pattern))
    digits = b"0123456789"
    first = next((k for k, (_, alphabet) in enumerate(slots) if alphabet == digits), None)
    if first is None:
        return []
    positions = [slots[first][0]]
    for pos, alphabet in slots[first + 1:]:
        if alphabet != digits or pos != positions[-1] + 1:
            break
        positions.append(pos)
    return positions


def _with_prefix(values: pa.StringArray, pattern: str, prefix: dict, source: pa.Array) -> pa.StringArray:
    """Fixed-width pattern strings whose first digit group is the row's ``source`` value plus an offset (or
    its mapped digits); rows whose source is null or unmapped keep their drawn digits."""
    positions = prefix_positions(pattern)
    if pa.types.is_dictionary(source.type):
        source = source.dictionary_decode()
    if "offset" in prefix:
        number = pc.cast(source, pa.int64(), safe=False).to_numpy(zero_copy_only=False)
        known = ~np.asarray(source.is_null())
        digits = (np.where(known, number, 0) + int(prefix["offset"])) % 10 ** len(positions)
    else:
        keys = pa.array(list(prefix["map"]), pa.string())
        found = pc.fill_null(pc.index_in(pc.cast(source, pa.string()), value_set=keys), -1)
        found = found.to_numpy(zero_copy_only=False).astype(np.int64)
        known = found >= 0
        mapped = np.array(list(prefix["map"].values()), dtype=np.int64)  # one per mapped level
        digits = mapped[np.maximum(found, 0)] if len(mapped) else np.zeros(len(values), dtype=np.int64)
    if not len(values):
        return values
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8)
    width = len(_template(_parse_pattern(pattern))[0])
    out = data[values.offset * width:(values.offset + len(values)) * width].reshape(len(values), width).copy()
    for k, pos in enumerate(reversed(positions)):
        column = (digits // 10**k) % 10 + ord("0")
        out[:, pos] = np.where(known, column, out[:, pos])
    return with_nulls(_fixed_width_strings(out), np.asarray(values.is_null()) if values.null_count else None)


@register
class TextSemantic(_Text):
    """Values of a semantic type, from pools and row bits."""

    kind = "text:semantic"

    def capacity(self, ctx: DrawContext | None = None) -> int | None:
        return text_capacity(self.spec) if self.unique else None

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return _gen_semantic(self.spec, Draws(ctx, self.name), self.ids(ctx), coded=self.type == "string")


@register
class TextWords(_Text):
    """Free text: words from a vocabulary."""

    kind = "text:words"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return _gen_words(self.spec, Draws(ctx, self.name), self.ids(ctx))


@register
class PersonEmail(_Text):
    """An email built from the same row's names: ``first.last`` + digits + ``@domain``.

    Names are cleaned once per distinct name (dictionary-encoded), domains drawn from the learned
    ones. A unique email ends with the digits of its row's id, so it stays unique by construction
    (names are letters only, the digits end the local part); otherwise a quarter get a number 1–99.
    """

    kind = "person_email"

    def __init__(self, column: Any, params: Any, table: str = "", group: dict[str, Any] | None = None,
                 place: dict[str, Any] | None = None):
        super().__init__(column, params, table)
        self.group = group or {}
        self.place = place

    def reads(self) -> tuple[str, ...]:
        if "columns" in self.group:  # a person group: the names are the group's hidden draws
            from .entities import person_reads

            company = (self.group.get("company") or {}).get("column")
            return person_reads(self.group, self.place) + ((company,) if company else ())
        return (self.group["first"], self.group["last"])

    def _names(self, ctx: DrawContext) -> tuple[pa.Array, pa.Array]:
        if "columns" in self.group:
            from .entities import person_names

            return person_names(ctx, self.group, self.place)
        return ctx.values(self.group["first"]), ctx.values(self.group["last"])

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        if "columns" in self.group:
            return self._from_group(ctx)
        d = Draws(ctx, self.name)
        parts = []
        for values in self._names(ctx):
            if pa.types.is_dictionary(values.type):
                values = values.dictionary_decode()
            encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
            folded = pc.utf8_normalize(pc.utf8_lower(encoded.dictionary), "NFKD")
            clean = pc.replace_substring_regex(folded, r"[^a-z]", "")
            clean = pc.if_else(pc.equal(pc.utf8_length(clean), 0), "x", clean)
            parts.append(pc.fill_null(clean.take(encoded.indices), "x"))
        domains = self.spec.get("domains") or {"values": ["example.com", "example.net", "example.org"],
                                               "weights": [1.0, 1.0, 1.0]}
        at = pa.array(["@" + str(v) for v in domains["values"]], pa.string())
        domain = at.take(_weighted(d.uniform("person-domain"), domains["weights"]))
        if self.unique:
            digits = _to_str(ctx.unique_ids(self.name, None))
        else:
            u = d.uniform("person-number")
            digits = _EMAIL_SUFFIXES.take(np.where(u < 0.25, (u * 396).astype(np.int64) + 1, 0))
        return pc.binary_join_element_wise(parts[0], ".", parts[1], digits, domain, "")

    def _from_group(self, ctx: DrawContext) -> pa.Array:
        """The person group's email: the row's names in a learned style, a number at the learned rate (the
        row's id when unique), the samples' domains or else the row's locale's free mail domains."""
        from .entities import person_local_parts, row_email_domains

        d = Draws(ctx, self.name)
        local = person_local_parts(ctx, self.group, self.place, self.name, self.group.get("email"))
        domains = self.spec.get("domains")
        if domains and self.group.get("email_domains") and self.place:  # the spec's domains, per country
            from .entities import country_email_domains

            domain = country_email_domains(ctx, self.group, self.place, self.name, d.uniform("domain-kind"),
                                           d.uniform("person-domain"))
        elif domains:
            at = pc.binary_join_element_wise("@", pc.cast(pa.array(domains["values"]), pa.string()), "")
            domain = at.take(_weighted(d.uniform("person-domain"), domains["weights"]))
        else:
            domain = row_email_domains(ctx, self.group, self.place, self.name)
        company = self.group.get("company")
        if company:  # a learned share of addresses at the row's company's own domain
            from .entities import company_hosts

            host = company_hosts(ctx.values(company["column"]), company["tlds"], d.uniform("company-tld"))
            at_company = pa.array(d.uniform("at-company") < float(company["share"]))
            domain = pc.if_else(at_company, pc.binary_join_element_wise(pa.scalar("@"), host, ""), domain)
        if self.unique:
            digits = _to_str(ctx.unique_ids(self.name, None))
        else:
            share = float((self.group.get("email") or {}).get("numbers", _EMAIL_NUMBER_SHARE))
            u = d.uniform("person-number")
            digits = _EMAIL_SUFFIXES.take(np.where(u < share, (u / max(share, 1e-9) * 99).astype(np.int64) + 1, 0))
        return pc.binary_join_element_wise(*local, digits, domain, "")


class _GivenText(_Text):
    """Text that may be drawn per level of another column of the row (``spec["given"]``), which it reads."""

    def reads(self) -> tuple[str, ...]:
        given = self.spec.get("given")
        return (given["column"],) if given else ()


@register
class TextLevels(_GivenText):
    """Names of things kept from the samples (``Bamboo Cutting Board Set``), and new ones at the learned rate
    made of the first half of one level and the second half of another (``Bamboo Cutting Camping Hammock``).
    Unique values number the levels past their count (``… Board Set 2``)."""

    kind = "text:levels"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return _per_given(self.spec, Draws(ctx, self.name), ctx, self.ids(ctx), _gen_levels)


@register
class TextSentences(_GivenText):
    """Text of recurring sentences (review bodies): a learned number of distinct sample sentences."""

    kind = "text:sentences"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        return _per_given(self.spec, Draws(ctx, self.name), ctx, self.ids(ctx), _gen_sentences)


class _SubDraws:
    """The draws of some of a column's rows (those of one level of the column it is drawn per)."""

    def __init__(self, whole: Draws, at: np.ndarray, cache: dict[str, np.ndarray]):
        self.whole, self.at, self.cache = whole, at, cache
        self.table, self.column, self.rows = whole.table, whole.column, whole.rows[at]

    def key(self, purpose: str) -> int:
        return self.whole.key(purpose)

    def uniform(self, purpose: str) -> np.ndarray:
        if purpose not in self.cache:
            self.cache[purpose] = self.whole.uniform(purpose)
        return self.cache[purpose][self.at]

    def bits(self, purpose: str) -> np.ndarray:
        return self.whole.bits(purpose)[self.at]


def _per_given(spec: dict, d: Draws, ctx: DrawContext, unique_ids: np.ndarray | None, make: Any) -> pa.Array:
    """A text drawn per level of another column of the row (``spec["given"]``): each level's rows from that
    level's spec, rows of a level the samples never showed from the whole column's."""
    given = spec.get("given")
    if not given or unique_ids is not None:
        return make(spec, d, unique_ids)
    from .entities import _by_group

    values = ctx.values(given["column"])
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    names = sorted(given["groups"])
    group = pc.fill_null(pc.index_in(pc.cast(values, pa.string()), value_set=pa.array(names, pa.string())), -1)
    cache: dict[str, np.ndarray] = {}
    specs = [given["groups"][n] for n in names]

    def one(key: int, at: np.ndarray) -> pa.Array:
        return make(specs[key] if key >= 0 else spec, _SubDraws(d, at, cache), None)

    return _by_group(group.to_numpy(zero_copy_only=False).astype(np.int64), one, len(d.rows))


@lru_cache(maxsize=32)
def _halves(values: tuple[str, ...]) -> tuple[pa.StringArray, pa.StringArray]:
    """Each level's first half of words and its second half (one-word levels: the word and nothing)."""
    import pandas as pd

    words = pd.Series(values, dtype=object).str.split().explode()
    position = words.groupby(level=0).cumcount().to_numpy()
    length = words.groupby(level=0).transform("size").to_numpy()
    head = pd.Series(position < np.maximum(1, length // 2), index=words.index)
    first = words[head.to_numpy()].groupby(level=0).agg(" ".join).reindex(range(len(values)), fill_value="")
    second = words[~head.to_numpy()].groupby(level=0).agg(" ".join).reindex(range(len(values)), fill_value="")
    return pa.array(first.to_numpy(dtype=object), pa.string()), pa.array(second.to_numpy(dtype=object), pa.string())


def _gen_levels(spec: dict, d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    values = tuple(spec["values"])
    levels = pa.array(values, pa.string())
    if unique_ids is not None:
        n = len(values)
        order = np.argsort(-np.asarray(spec["weights"]), kind="stable")
        out = levels.take(order[unique_ids % n])
        rest = unique_ids // n
        return pc.if_else(pc.equal(pa.array(rest), 0), out, pc.binary_join_element_wise(out, _to_str(rest + 1), " "))
    weights = spec["weights"]
    out = levels.take(_weighted(d.uniform("level"), weights))
    new = float(spec.get("new", 0.0))
    if new <= 0 or len(values) < 2:
        return out
    first, second = _halves(values)
    head_of = _weighted(d.uniform("head"), weights)
    tail_of = _weighted(d.uniform("tail"), weights)
    tail_of = np.where(tail_of == head_of, (tail_of + 1) % len(values), tail_of)  # new: two different levels
    head, tail = first.take(head_of), second.take(tail_of)
    spliced = pc.utf8_trim_whitespace(pc.binary_join_element_wise(head, tail, " "))
    return pc.if_else(pa.array(d.uniform("new") < new), spliced, out)


def _gen_sentences(spec: dict, d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    """k sentences per row, k from the learned counts; sentence j is the first draw moved on by j places
    (a whole number of steps through the levels), so a value never repeats a sentence."""
    sentences = spec["sentences"]
    n = len(sentences["values"])
    count = spec["count"]
    k = np.minimum(np.asarray(count["values"], dtype=np.int64)[_weighted(d.uniform("count"), count["weights"])], n)
    k = np.maximum(k, 1)
    offsets = np.zeros(len(k) + 1, dtype=np.int64)
    np.cumsum(k, out=offsets[1:])
    position = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], k)
    first = np.repeat(_weighted(d.uniform("sentence"), sentences["weights"]), k)
    step = np.repeat(1 + integers(d.key("step"), d.rows, max(n - 1, 1)), k)
    index = (first + position * step) % n
    # a step sharing a factor with n could revisit a sentence: fall back to consecutive ones there
    revisit = np.gcd(step, n) > 1
    index[revisit] = (first[revisit] + position[revisit]) % n
    # each sentence is held twice, as a row's first and after a space: the taken bytes are the rows' text
    table, _ = _spaced_words(tuple(sentences["values"]), None)
    index += n
    index[offsets[:-1]] -= n
    out = _rows_of(table.take(pa.array(index)), offsets)
    if unique_ids is not None:
        out = pc.binary_join_element_wise(out, _to_str(unique_ids), " ")
    return out


# -- drawing ------------------------------------------------------------------------------

def _draw(d: Draws, purpose: str, sizes: Sequence[int]) -> list[np.ndarray]:
    """Independent uniform indices in ``range(size)`` per size, from one addressed draw per row."""
    total = math.prod(sizes)
    if total > 2**48:
        return [integers(d.key(f"{purpose}/{k}"), d.rows, n) for k, n in enumerate(sizes)]
    flat = integers(d.key(purpose), d.rows, total)
    out = []
    for n in reversed(sizes):
        out.append(flat % n)
        flat = flat // n
    return out[::-1]


def _weighted(u: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Codes for uniform draws by weight: the same choice the level columns make."""
    return _choice(tuple(float(w) for w in weights), np.asarray(u, dtype=np.float64))


def _weighted_32(h: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Like :func:`_weighted`, for uniform 32-bit integers (held in uint64) instead of floats: exactly
    ``searchsorted(thresholds, h, side="right")``, through a table indexed by the top bits of ``h`` (only
    draws in the few bins a threshold splits are searched)."""
    thresholds, guide, shift = _guide_32(weights if isinstance(weights, tuple) else tuple(map(float, weights)))
    last = len(thresholds) - 1
    if guide is None:  # weights that do not give ordered thresholds: search as they are
        return np.minimum(np.searchsorted(thresholds, h, side="right"), last)
    codes = guide[h >> np.uint64(shift)]
    split = np.flatnonzero(codes < 0)
    if split.size:
        codes[split] = np.minimum(np.searchsorted(thresholds, h[split], side="right"), last)
    return codes


@lru_cache(maxsize=256)
def _guide_32(weights: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray | None, int]:
    """The 32-bit thresholds of ``weights``, and per bin of ``2**(32 - shift)`` equal bins the code every draw
    in it gets (-1 where a threshold splits the bin); no table when the thresholds are not ordered."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    thresholds = np.floor(cum / cum[-1] * 2.0**32).astype(np.uint64)
    bits_ = int(min(20, max(8, math.ceil(math.log2(len(thresholds))) + 6)))
    shift = 32 - bits_
    if not np.isfinite(cum).all() or cum[-1] <= 0 or np.any(np.diff(cum) < 0):
        return thresholds, None, shift
    last = len(thresholds) - 1
    starts = np.arange(1 << bits_, dtype=np.uint64) << np.uint64(shift)
    first = np.minimum(np.searchsorted(thresholds, starts, side="right"), last)
    final = np.minimum(np.searchsorted(thresholds, starts + np.uint64((1 << shift) - 1), side="right"), last)
    return thresholds, np.where(first == final, first, -1).astype(np.int32), shift


def _choice_table(weights: Sequence[float], bins: int) -> np.ndarray:
    """Choice per bin of ``range(bins)``, each choice on a share of bins close to its weight (exact for
    weights that are multiples of 1 / bins): a lookup that replaces a search per row."""
    return _weighted((np.arange(bins) + 0.5) / bins, weights)


def _to_str(x: np.ndarray) -> pa.StringArray:
    return pc.cast(pa.array(np.asarray(x, dtype=np.int64)), pa.string())


def _join(*parts: Any) -> pa.StringArray:
    """Concatenate string arrays / scalars element-wise, with no separator."""
    return pc.binary_join_element_wise(*parts, "")


def _apply_case(arr: pa.Array, case: str | None) -> pa.Array:
    if case == "upper":
        return pc.utf8_upper(arr)
    if case == "lower":
        return pc.utf8_lower(arr)
    if case == "title":
        return pc.utf8_title(arr)
    if case == "sentence":
        return pc.utf8_capitalize(arr)
    return arr


def _check_spec(spec: dict, table: str, column: str) -> None:
    """A ModelError naming the column when a (possibly hand-edited) spec cannot be generated from."""
    kind = spec.get("kind") if isinstance(spec, dict) else None
    problem = None
    if kind not in ("pattern", "semantic", "words", "levels", "sentences"):
        problem = f"has kind {kind!r}; expected 'semantic', 'pattern', 'words', 'levels' or 'sentences'"
    elif kind == "levels" and not (spec.get("values") and len(spec["values"]) == len(spec.get("weights") or ())):
        problem = "needs 'values' and as many 'weights'"
    elif kind == "sentences" and not (isinstance(spec.get("sentences"), dict) and spec["sentences"].get("values")
                                      and isinstance(spec.get("count"), dict) and spec["count"].get("values")):
        problem = "needs 'sentences' and 'count' ({values, weights})"
    elif kind == "pattern" and not isinstance(spec.get("pattern"), str):
        problem = "has no 'pattern' string"
    elif kind == "semantic" and spec.get("semantic") not in SEMANTICS:
        problem = f"names semantic {spec.get('semantic')!r}, expected one of {', '.join(SEMANTICS)}"
    elif kind == "words" and spec.get("vocabulary") is not None and not all(
            v.get("words") for v in [spec["vocabulary"], *(spec["vocabulary"].get("positions") or [])]):
        problem = "has an empty vocabulary"
    given = spec.get("given") if isinstance(spec, dict) else None
    if problem is None and given is not None:
        groups = given.get("groups") if isinstance(given, dict) else None
        if not isinstance(given, dict) or not isinstance(given.get("column"), str) or not isinstance(groups, dict):
            problem = "has a 'given' without a 'column' and 'groups'"
        else:
            for level, sub in groups.items():  # a loop over the given column's levels
                if not isinstance(sub, dict) or sub.get("kind") != kind or "given" in sub:
                    problem = f"has a 'given' group {level!r} that is not a plain '{kind}' spec"
                    break
                _check_spec(sub, table, column)
    if problem:
        raise ModelError(f"Text spec of {where(table, column)} {problem}; fit the model again or fix the spec.",
                         table=table, column=column)
    if kind == "pattern":
        _parse_pattern(spec["pattern"], table, column)


@lru_cache(maxsize=16)
def _locale_known(locale: str) -> bool:
    from .. import reference

    if locale in reference.locales():  # the bundle's: no need to ask (or import) Faker
        return True
    from faker import Faker

    try:
        Faker(locale)
    except AttributeError:
        return False
    return True


def _check_locale(locale: str, table: str, column: str) -> None:
    if not isinstance(locale, str) or not _locale_known(locale):
        raise ModelError(f"Text spec of {where(table, column)} has locale {locale!r}, which Faker does not know; "
                         f"use one such as 'en_US', 'de_DE' or 'fr_FR'.", table=table, column=column)


def _gen_pattern(spec: dict, d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    pattern = spec["pattern"]
    capacity = pattern_capacity(pattern)
    index = spec.get("index")
    if unique_ids is not None:
        ids = unique_ids.astype(np.uint64)
        if index is not None:
            ids = ids + np.uint64(int(index["min"]))
            if capacity < 2**64:
                ids %= np.uint64(capacity)
        return format_pattern(pattern, ids)
    if index is not None:
        lo, hi = int(index["min"]), int(index["max"])
        if 0 <= lo <= hi < capacity and hi - lo < 2**52:
            u = d.uniform("pattern")
            return format_pattern(pattern, lo + np.minimum((u * (hi - lo + 1)).astype(np.int64), hi - lo))
    return _random_pattern(pattern, d.bits("pattern"))


def _gen_semantic(spec: dict, d: Draws, unique_ids: np.ndarray | None, coded: bool = False) -> pa.Array:
    """Values of a semantic type; with ``coded``, values drawn straight from one pool as pool positions
    (:func:`~synthframe.generators.base.pooled_text`)."""
    semantic = spec["semantic"]
    if semantic == "country_code" and spec.get("form") == "alpha3":
        semantic = "country_code3"  # the reference pool of three-letter codes
    locale = spec.get("locale", DEFAULT_LOCALE)
    size = int(spec.get("pool_size", POOL_SIZE))
    pool_seed = pool_seed_of(d.table, d.column)
    _check_locale(locale, d.table, d.column)
    if semantic == "email":
        out = _gen_email(spec, size, pool_seed, locale, d, unique_ids)
    elif semantic == "user_name" and unique_ids is not None:
        (stems,) = _unique_parts("user_name", size, pool_seed, locale)
        stem, rest = _split_id(unique_ids, len(stems))
        out = _join(stems.take(stem), _id_suffix(rest))
    elif semantic == "url" and unique_ids is not None:
        urls, words = _unique_parts("url", size, pool_seed, locale)
        url, rest = _split_id(unique_ids, len(urls))
        word, rest = _split_id(rest, len(words))
        out = _join(urls.take(url), words.take(word), _id_suffix(rest, "-"))
    elif semantic == "domain_name" and unique_ids is not None:
        (lasts,) = _unique_parts("domain_name", size, pool_seed, locale)
        tlds = pa.array(["com", "net", "org", "info", "biz"])
        (tld,) = _draw(d, "domain", [len(tlds)])
        last, rest = _split_id(unique_ids, len(lasts))
        out = _join(lasts.take(last), _id_suffix(rest), ".", tlds.take(tld))
    elif semantic in identifiers.CHECKED:
        out = identifiers.make(semantic, spec, d.bits("identifier"), unique_ids)
    elif semantic == "ipv4":
        out = _gen_ipv4(d, unique_ids)
    elif semantic == "uuid4":
        out = _gen_uuid(d, unique_ids)
    elif semantic == "phone_number" and unique_ids is not None:
        out = _unique_phones(unique_ids)
    elif semantic in REFERENCE_SEMANTICS:
        seen = spec.get("seen")
        avoid = tuple(spec.get("avoid") or ())
        drawn = reference_codes(semantic, locale, d.uniform, avoid) if unique_ids is None else None
        if drawn is not None:
            pool, at = drawn
            if seen and float(spec.get("new", 1.0)) < 1.0:
                # the sample's values at their rate, new ones from the reference: positions in both, one take
                kept = _weighted(d.uniform("seen"), seen["weights"]) + len(pool)
                at = np.where(d.uniform("is-new") >= float(spec["new"]), kept, at)
                if isinstance(pool, pa.ChunkedArray):  # a reference column
                    pool = pool.combine_chunks()
                pool = pa.concat_arrays([pool.cast(pa.string()), pa.array(seen["values"], pa.string())])
            if coded and not spec.get("case"):
                return pooled_text(pool, at)
            out = pool.take(pa.array(at))  # a reference column is chunked; a column's array is not
            return _apply_case(out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out, spec.get("case"))
        out = reference_semantic(semantic, locale, d.uniform, unique_ids, avoid)
        if seen and unique_ids is None and float(spec.get("new", 1.0)) < 1.0:
            kept = pa.array(seen["values"], pa.string()).take(pa.array(_weighted(d.uniform("seen"), seen["weights"])))
            out = pc.if_else(pa.array(d.uniform("is-new") >= float(spec["new"])), kept, out)
    elif unique_ids is not None:
        # Each pool entry once, then again with a number (``Acme Ltd 2``): never runs out.
        pool = _distinct_pool(semantic, int(spec.get("distinct", size)), pool_seed, locale)
        entry, rest = _split_id(unique_ids, len(pool))
        out = _join(pool.take(entry), _id_suffix(rest + (rest > 0), " "))
    else:
        pool = _pool(semantic, size, pool_seed, locale)
        (i,) = _draw(d, "pool", [len(pool)])
        if coded and semantic not in FRESH_DIGITS and not spec.get("case"):
            return pooled_text(pool, np.asarray(i))
        out = pool.take(i)
        if semantic in FRESH_DIGITS:
            out = _fresh_digits(out, d.bits("digits"))
    return _apply_case(out, spec.get("case"))


FRESH_DIGITS = frozenset({"license_plate", "postcode", "phone_number", "secondary_address", "address",
                          "user_name"})
"""Pooled semantics whose digits are drawn anew for each row (a pool value's letters and layout kept): a pool of
a few hundred licence plates would otherwise repeat at 10^5 rows."""


def _fresh_digits(values: pa.StringArray, row_bits: np.ndarray) -> pa.StringArray:
    """``values`` with each ASCII digit replaced by one drawn from the row's bits and the digit's byte position in
    the value, except in runs of digits that start with 0 or follow a ``+`` (UTF-8 never uses the digits' bytes
    inside another character, so only digits change)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not len(values):
        return values
    if values.type != pa.string():
        values = values.cast(pa.string())
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=len(values) + 1, offset=4 * values.offset)
    start, stop = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=stop - start, offset=start).copy() if stop > start \
        else np.zeros(0, dtype=np.uint8)
    digit = (data >= 48) & (data <= 57)
    if not digit.any():
        return values
    where_digit = np.flatnonzero(digit)
    row = np.searchsorted(offsets[1:] - start, where_digit, side="right")
    position = (where_digit - (offsets[row] - start)).astype(np.uint64)  # within the row: no batch dependence
    with np.errstate(over="ignore"):
        h = finalize(row_bits[row] + (position + np.uint64(1)) * GAMMA) >> np.uint64(32)
    # A run of digits that starts with 0 or follows a + is a prefix (a phone's 001, 07700 or +44, a zip's 0): kept
    # as it is. A run
    # that does not start with 0 does not now (house numbers, plate numbers).
    leading = (position == 0) | ~digit[np.maximum(where_digit - 1, 0)]
    run = np.cumsum(leading) - 1
    before = np.where(position > 0, data[np.maximum(where_digit - 1, 0)], 0)
    prefix = ((data[where_digit] == 48) | (before == 43))[np.flatnonzero(leading)][run]  # 43: '+', a calling code
    drawn = np.where(leading, 1 + h % np.uint64(9), h % np.uint64(10))
    data[where_digit] = np.where(prefix, data[where_digit], 48 + drawn).astype(np.uint8)
    out = pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets - start), pa.py_buffer(data))
    return pc.if_else(values.is_null(), pa.scalar(None, pa.string()), out) if values.null_count else out


_EMAIL_STYLES = (  # (separator after the first name, first name cut to its initial, weight)
    (".", False, 0.45), ("", False, 0.15), ("_", False, 0.10), ("", True, 0.15), (".", True, 0.15),
)
_EMAIL_NUMBER_SHARE = 0.25
"""Share of (non-unique) addresses whose local part ends with a number 1-99, as real ones often do."""
_SMALL_NUMBERS = pa.array([str(i) for i in range(256)], pa.string())
_EMAIL_SUFFIXES = pa.array([""] + [str(i) for i in range(1, 100)], pa.string())


@lru_cache(maxsize=64)
def _email_heads(size: int, seed: int, locale: str) -> pa.StringArray:
    """Every first name in every style (``maria.``, ``maria``, ``maria_``, ``m``, ``m.``), style-major."""
    firsts, _, _ = _person_parts(size, seed, locale)
    names = firsts.to_pylist()
    return pa.array([(name[0] if initial else name) + sep for sep, initial, _ in _EMAIL_STYLES for name in names],
                    pa.string())


def _gen_email(spec: dict, size: int, pool_seed: int, locale: str, d: Draws,
               unique_ids: np.ndarray | None) -> pa.StringArray:
    """``first.last@domain`` and its common variants, lower-case ASCII.

    Unique addresses take their local part from the id alone: the id picks a distinct head (a first
    name or initial ending with its only separator), a distinct last name, and a number for what is
    left (none when nothing is), so the local part decodes back to the id and distinct ids give
    distinct addresses, whatever domains are drawn.
    """
    firsts, _, lasts = _person_parts(size, pool_seed, locale)
    heads = _email_heads(size, pool_seed, locale)
    domains = spec.get("domains") or {"values": ["example.com", "example.net", "example.org"],
                                      "weights": [1 / 3, 1 / 3, 1 / 3]}
    f, la, style, number, domain = _draw(d, "email", [len(firsts), len(lasts), 20, 400, 1000])
    at_domains = pa.array(["@" + str(d) for d in domains["values"]], pa.string()).take(
        _choice_table(domains["weights"], 1000)[domain])
    if unique_ids is not None:
        unique_heads, unique_lasts = _unique_parts("email", size, pool_seed, locale)
        head, rest = _split_id(unique_ids, len(unique_heads))
        last, rest = _split_id(rest, len(unique_lasts))
        # Shift the last name by a hash of the head, so nearby ids do not share one surname;
        # (head, last) still decodes back to the id, so addresses stay distinct.
        last = (last + (mix64(head) % np.uint64(len(unique_lasts))).astype(np.int64)) % len(unique_lasts)
        return _join(unique_heads.take(head), unique_lasts.take(last), _id_suffix(rest), at_domains)
    style = _choice_table([w for _, _, w in _EMAIL_STYLES], 20)[style]
    # number in [0, 400): the first quarter gives 1..99, the rest no number
    suffix = _EMAIL_SUFFIXES.take(np.where(number < 400 * _EMAIL_NUMBER_SHARE, number % 99 + 1, 0))
    return _join(heads.take(style * len(firsts) + f), lasts.take(la), suffix, at_domains)


@lru_cache(maxsize=64)
def _unique_parts(semantic: str, size: int, seed: int, locale: str) -> tuple[pa.StringArray, ...]:
    """The distinct pools a unique id is spelled with, per semantic (see the generators for the layout).

    email: heads that end with their only separator (``maria.``, ``m.``, ``maria_``) and last names;
    user_name: user names cut back to a letter; url: URLs ending with ``/`` and words; domain_name:
    last names. Every entry is letters (plus that one separator, or the URL's own characters), so
    the digits an id leaves are read back off the end.
    """
    if semantic == "email":
        firsts, _, lasts = _person_parts(size, seed, locale)
        names = list(dict.fromkeys(firsts.to_pylist()))
        heads = [n + "." for n in names] + sorted({n[0] + "." for n in names}) + [n + "_" for n in names[::3]]
        return pa.array(list(dict.fromkeys(heads)), pa.string()), _distinct(lasts)
    if semantic == "user_name":
        return (_distinct(_user_name_stems(size, seed, locale)),)
    if semantic == "url":
        urls = [u if u.endswith("/") else u + "/" for u in _pool("url", size, seed, locale).to_pylist()]
        return _distinct(pa.array(urls, pa.string())), _distinct(_word_pool(size, seed, locale))
    return (_distinct(_person_parts(size, seed, locale)[2]),)


def _distinct(pool: pa.StringArray) -> pa.StringArray:
    """A pool's entries without repeats, in first-seen order."""
    return pa.array(list(dict.fromkeys(pool.to_pylist())), pa.string())


def _split_id(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ids % n, ids // n)``: the next mixed-radix digit of the ids, and what is left of them."""
    ids = np.asarray(ids, dtype=np.int64)
    return ids % n, ids // n


def _id_suffix(rest: np.ndarray, sep: str = "") -> pa.StringArray:
    """What is left of an id as trailing digits (after ``sep``), or nothing when it is 0."""
    return pc.if_else(pa.array(rest == 0), "", _join(sep, _to_str(rest)) if sep else _to_str(rest))


def _gen_ipv4(d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    """Dotted quads with a first octet in 1..223 (unicast): from the id, or from one draw per row."""
    if unique_ids is not None:
        v = unique_ids.astype(np.int64)
    else:
        (v,) = _draw(d, "ipv4", [_STRUCTURED_CAPACITY["ipv4"]])
    octets = [1 + (v >> 24), (v >> 16) & 255, (v >> 8) & 255, v & 255]
    return pc.binary_join_element_wise(*[_SMALL_NUMBERS.take(o) for o in octets], ".")


def _unique_phones(ids: np.ndarray) -> pa.StringArray:
    """``AAA-EEE-LLLL`` with area and exchange codes in 200..999: a bijection of ids below 800 * 800 * 10**4."""
    line, rest = ids % 10**4, ids // 10**4
    out = np.full((len(ids), 12), ord("-"), dtype=np.uint8)
    for value, first, width in ((200 + rest // 800, 0, 3), (200 + rest % 800, 4, 3), (line, 8, 4)):
        for k in range(width):
            out[:, first + width - 1 - k] = 48 + (value // 10**k) % 10
    return _fixed_width_strings(out)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex(x: np.ndarray, digits: int) -> np.ndarray:
    """``(n, digits)`` lower-case hex characters of the low ``4 * digits`` bits, most significant first."""
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return _HEX[((x[:, None] >> shifts) & np.uint64(15)).astype(np.intp)]


def _mix60(x: np.ndarray, key: int) -> np.ndarray:
    """A keyed bijection of [0, 2**60): xor, odd multiplications and xor-shifts, all invertible mod 2**60."""
    mask = np.uint64((1 << 60) - 1)
    with np.errstate(over="ignore"):
        x = (x.astype(np.uint64) ^ np.uint64(key & ((1 << 60) - 1))) & mask
        x = (x * np.uint64(0xBF58476D1CE4E5B9)) & mask
        x ^= x >> np.uint64(29)
        x = (x * np.uint64(0x94D049BB133111EB)) & mask
        x ^= x >> np.uint64(32)
    return x


def _gen_uuid(d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    """Version-4 UUID strings; with ids, the 60 bits around the version nibble are a bijection of the id."""
    base = d.bits("uuid")
    if unique_ids is not None:
        hi = _mix60(unique_ids, d.key("uuid_key"))
    else:
        hi = splitmix64(base ^ np.uint64(0xD1B54A32D192ED03)) >> np.uint64(4)
    lo = splitmix64(base)
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    top = _hex(hi >> np.uint64(12), 12)  # 48 bits: time_low and time_mid
    mid = _hex(hi & np.uint64(0xFFF), 3)  # 12 bits after the version nibble
    low = _hex(lo, 16)
    dash = np.full((len(base), 1), ord("-"), dtype=np.uint8)
    four = np.full((len(base), 1), ord("4"), dtype=np.uint8)
    data = np.hstack([top[:, :8], dash, top[:, 8:], dash, four, mid, dash, low[:, :4], dash, low[:, 4:]])
    return _fixed_width_strings(data)


def _word_count(spec: dict, u: np.ndarray) -> np.ndarray:
    words = spec.get("words", {})
    lo, hi = int(words.get("min", 1)), int(words.get("max", 5))
    if "values" in words:
        k = np.asarray(words["values"], dtype=np.int64)[_weighted(u, words["weights"])]
    elif "quantiles" in words:
        q = np.asarray(words["quantiles"], dtype=float)
        k = np.rint(np.interp(u, np.linspace(0, 1, len(q)), q)).astype(np.int64)
    else:
        k = lo + np.minimum((u * (hi - lo + 1)).astype(np.int64), hi - lo)
    return np.clip(k, max(lo, 0), max(hi, 0))


def _gen_words(spec: dict, d: Draws, unique_ids: np.ndarray | None) -> pa.StringArray:
    """Rows of k words: k from the learned counts, each word hashed from (row key, position) into the vocabulary.

    Word j of a row (position p) is ``splitmix64(base + (p + 1) * GAMMA)``, computed for all words at once as
    ``finalize(repeat(base - start * GAMMA) + (j + 2) * GAMMA)``. Values are taken from a vocabulary that holds
    each word twice, as a row's first word and after a space (the case applied once), so the taken words'
    bytes are the rows' text and only the row offsets are new.
    """
    k = _word_count(spec, d.uniform("word_count"))
    base = d.bits("words")
    # Rows in slices of about WORDS_PER_SLICE words: every step below is a pass over all the words, and a
    # slice's arrays stay in the cache (a block of long comments holds millions of words).
    ends = np.searchsorted(np.cumsum(k), np.arange(WORDS_PER_SLICE, int(k.sum()), WORDS_PER_SLICE), side="left")
    bounds = np.unique(np.r_[0, ends, len(k)])
    vocabulary = _vocabulary(spec, d)
    if len(bounds) > 2:
        pieces = []
        for start, stop in zip(bounds[:-1], bounds[1:]):  # a loop over slices of rows
            pieces.append(_words_text(spec, vocabulary, k[start:stop], base[start:stop]))
        out = pa.concat_arrays(pieces)
    else:
        out = _words_text(spec, vocabulary, k, base)
    if unique_ids is not None:
        # the id is the last space-separated token, and words hold no spaces: distinct by construction
        out = pc.binary_join_element_wise(out, _to_str(unique_ids), " ")
    return out


WORDS_PER_SLICE = 1 << 17
"""Words made at once by :func:`_gen_words` (arrays of 1 MiB per step)."""


def _vocabulary(spec: dict, d: Draws) -> tuple[tuple[str, ...], list[tuple[float, ...]] | None]:
    """The words a words column draws from, and the weights of each position's vocabulary (None: the words
    of a pool, drawn evenly)."""
    vocabulary = spec.get("vocabulary")
    if vocabulary:
        vocabularies = vocabulary.get("positions") or [vocabulary]
        words: list[str] = []
        weights = []
        for v in vocabularies:  # a loop over the few position vocabularies
            words.extend(v["words"])
            weights.append(tuple(np.asarray(v.get("weights") or [1.0] * len(v["words"]), dtype=float).tolist()))
        return tuple(words), weights
    locale = spec.get("locale", DEFAULT_LOCALE)
    _check_locale(locale, d.table, d.column)
    pool = _word_pool(int(spec.get("pool_size", POOL_SIZE)), pool_seed_of(d.table, d.column), locale)
    return tuple(pool.to_pylist()), None


def _words_text(spec: dict, vocabulary: tuple[tuple[str, ...], list[tuple[float, ...]] | None], k: np.ndarray,
                base: np.ndarray) -> pa.StringArray:
    """The text of rows with ``k`` words each, from each row's ``base`` bits and the column's ``vocabulary``
    (see :func:`_gen_words`)."""
    rows = len(k)
    offsets = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(k, out=offsets[1:])
    total = int(offsets[-1])
    with np.errstate(over="ignore"):
        h = np.arange(2, total + 2, dtype=np.uint64)
        h *= GAMMA
        h += np.repeat(base - offsets[:-1].view(np.uint64) * GAMMA, k)
    h = finalize(h)
    h >>= np.uint64(32)
    case = spec.get("case")
    words, weights = vocabulary
    if weights is None:
        index = ((h * np.uint64(len(words))) >> np.uint64(32)).view(np.int64)
    elif len(weights) == 1:
        index = _weighted_32(h, weights[0])
    else:
        index = np.zeros(total, dtype=np.int64)
        position = np.arange(total, dtype=np.int64) - np.repeat(offsets[:-1], k)
        which = np.minimum(position, len(weights) - 1)
        first = 0
        for j, position_weights in enumerate(weights):  # a loop over the few position vocabularies
            at = which == j
            index[at] = first + _weighted_32(h[at], position_weights)
            first += len(position_weights)
    del h
    # the case of the whole value is the case of its words, except a capitalized sentence's
    table, lengths = _spaced_words(words, None if case == "sentence" else case)
    chars = spec.get("chars") or {}
    end = spec.get("end", "")
    cut = False
    if "max" in chars:
        limit = max(1, int(chars["max"]) - len(end))
        index, k, cut = _fit_words(index, k, offsets, lengths, limit)
        np.cumsum(k, out=offsets[1:])
    spaced = np.asarray(index, dtype=np.int64) + len(words)
    spaced[offsets[:-1][k > 0]] -= len(words)  # each row's first word has no space before it
    out = _rows_of(table.take(pa.array(spaced)), offsets)
    if case == "sentence":
        out = _apply_case(out, case)
    if cut:
        out = pc.utf8_slice_codeunits(out, 0, limit)
    if end:
        out = _join(out, end)
    return out


def _rows_of(taken: pa.StringArray, offsets: np.ndarray) -> pa.StringArray:
    """The strings made of ``taken``'s values ``offsets[i]:offsets[i + 1]`` concatenated: its data buffer as it
    is, with new offsets."""
    _, ends_buffer, data = taken.buffers()
    if not len(taken):  # every row empty
        return pa.StringArray.from_buffers(len(offsets) - 1, pa.py_buffer(np.zeros(len(offsets), np.int32)),
                                           pa.py_buffer(b""))
    ends = np.frombuffer(ends_buffer, dtype=np.int32, count=len(taken) + 1, offset=4 * taken.offset)
    return pa.StringArray.from_buffers(len(offsets) - 1, pa.py_buffer(np.ascontiguousarray(ends[offsets])), data)


@lru_cache(maxsize=64)
def _spaced_words(words: tuple[str, ...], case: str | None) -> tuple[pa.StringArray, np.ndarray]:
    """``words`` then ``" " + word`` for each, in ``case``, and each word's length in characters (before the
    case: the length the value's limit is counted in)."""
    table = _apply_case(pa.array([*words, *(" " + w for w in words)], pa.string()), case)
    lengths = pc.utf8_length(pa.array(words, pa.string())).to_numpy(zero_copy_only=False).astype(np.int64)
    return table, lengths


def _fit_words(index: np.ndarray, k: np.ndarray, offsets: np.ndarray, lengths: np.ndarray,
               limit: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """The words of each row kept while the row's text fits in ``limit`` characters (the first word always),
    the new counts, and whether some row is still too long (a first word longer than ``limit``).

    Only rows longer than ``limit`` are looked at word by word; ``index`` is returned as is when none is.
    """
    if not len(index):
        return index, k, False
    size = lengths[index] + 1  # a word and the space after it
    used = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(size, out=used[1:])
    row_start = used[offsets[:-1]]
    long = np.flatnonzero(used[offsets[1:]] - row_start - 1 > limit)
    if not long.size:
        return index, k, False
    counts = k[long]
    local = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    word = np.repeat(offsets[long], counts) + local
    drop = (used[word + 1] - np.repeat(row_start[long], counts) - 1 > limit) & (local > 0)
    k = k.copy()
    k[long] -= np.bincount(np.repeat(np.arange(len(long)), counts)[drop], minlength=len(long))
    cut = bool((lengths[index[offsets[long]]] > limit).any())
    keep = np.ones(len(index), dtype=bool)
    keep[word[drop]] = False
    return index[keep], k, cut
