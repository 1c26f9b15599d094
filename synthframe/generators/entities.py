"""Columns that belong together in a row: a place (country, city, region, postcode, phone, street) and a
person (first, last and full name in the row's locale).

A table's ``layout["place"]`` and ``layout["person"]`` (found at fit by :mod:`synthframe.entities`) name
the group's columns and what was learned; each column's own generator names only its role. Every column
of a group makes the same hidden draws (the row's country, its city, the person's sex and names) from
the shared streams ``(place)`` and ``(person)``, so a city is always in the row's country and region,
a phone carries the country's calling code, an email the row's names — with no column reading another
except the country column the group is driven by.

Values come from the bundled reference data (:mod:`synthframe.reference`: GeoNames cities with their
population, real phone number plans, names with their frequencies per locale), looked up for whole
columns at once: a weighted choice within each row's country is one sorted search over all rows.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, Sequence
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import reference
from ..text import _parse_pattern, _random_pattern, _template
from .base import ColumnGenerator, DrawContext, levels_array, register, with_nulls
from .values import _choice, search_right, span_guide

PLACE = "(place)"
"""The stream a place group's shared draws come from (no column has this name)."""
PERSON = "(person)"
"""The stream a person group's shared draws come from."""
GUIDE_BINS = 1 << 18
"""Bins of the guide table a within-country choice starts its search from."""
DEFAULT_COUNTRY = "US"
"""The country of rows whose group learned none."""

COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "russia": "RU", "south korea": "KR", "korea": "KR",
    "north korea": "KP", "czech republic": "CZ", "czechia": "CZ", "holland": "NL", "the netherlands": "NL",
    "vietnam": "VN", "iran": "IR", "syria": "SY", "laos": "LA", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "taiwan": "TW", "uae": "AE", "turkey": "TR", "türkiye": "TR",
    "ivory coast": "CI", "cape verde": "CV", "macedonia": "MK", "swaziland": "SZ", "burma": "MM",
    "brunei": "BN", "palestine": "PS", "vatican": "VA", "micronesia": "FM", "deutschland": "DE",
    "españa": "ES", "espana": "ES", "italia": "IT", "brasil": "BR", "méxico": "MX", "schweiz": "CH",
    "suisse": "CH", "österreich": "AT", "sverige": "SE", "norge": "NO", "danmark": "DK", "polska": "PL",
    "nederland": "NL", "belgië": "BE", "belgique": "BE", "nippon": "JP", "hong kong": "HK",
}
"""Spellings of countries the reference names do not hold (lower case)."""


# -- reference lookups, built once ------------------------------------------------------------

@lru_cache(maxsize=1)
def _countries() -> dict[str, Any]:
    table = reference.countries()
    alpha2 = table.column("alpha2").to_pylist()
    index = {code: i for i, code in enumerate(alpha2)}
    keys: dict[str, int] = {}
    for column in ("name", "alpha3", "alpha2"):
        for i, value in enumerate(table.column(column).to_pylist()):
            if value:
                keys.setdefault(str(value).strip().lower(), i)
    for alias, code in COUNTRY_ALIASES.items():
        if code in index:
            keys.setdefault(alias, index[code])
    return {"table": table, "alpha2": alpha2, "index": index,
            "keys": pa.array(list(keys), pa.string()), "codes": np.fromiter(keys.values(), np.int64, len(keys))}


def country_index(values: pa.Array, aliases: Mapping[str, str] | None = None) -> np.ndarray:
    """Each value's row in the reference countries (a name, an alpha-2 or alpha-3 code, any case, or one of
    ``aliases``: lower-case spelling -> alpha-2, learned from the samples), -1 when none: one lookup per distinct
    value (per dictionary entry of a category or of pooled text)."""
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(pc.cast(values, pa.string()))
    words = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(encoded.dictionary, pa.string())))
    known = _countries()
    keys, codes = known["keys"], known["codes"]
    if aliases:
        keys = pa.concat_arrays([keys, pa.array(list(aliases), pa.string())])
        codes = np.concatenate([codes, countries_of(list(aliases.values()))])
    found = pc.fill_null(pc.index_in(words, value_set=keys), -1).to_numpy(zero_copy_only=False)
    per_level = np.append(np.where(found >= 0, codes[np.maximum(found, 0)], -1), -1)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return per_level[codes]  # a null's code -1 reads the appended -1


def countries_of(codes: list[str]) -> np.ndarray:
    """Rows of alpha-2 codes in the reference countries (-1 when unknown)."""
    alpha2 = pa.array(_countries()["alpha2"], pa.string())
    found = pc.index_in(pa.array(list(codes), pa.string()), value_set=alpha2)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


class _Segments:
    """A weighted choice within each row's country over a table sorted by country: the items of country
    ``c`` hold keys ``c + cdf`` (their cumulative weight within the country), so one sorted search over all
    rows finds each row's item."""

    def __init__(self, country: np.ndarray, weights: np.ndarray):
        order = np.lexsort((np.arange(len(country)), country))
        self.order = order
        country, weights = country[order], np.asarray(weights, dtype=float)[order]
        starts = np.flatnonzero(np.r_[True, country[1:] != country[:-1]]) if len(country) else np.array([], int)
        totals = np.add.reduceat(weights, starts) if len(country) else np.array([])
        running = np.cumsum(weights)
        before = np.repeat(running[starts] - weights[starts], np.diff(np.r_[starts, len(country)]))
        share = (running - before) / np.repeat(totals, np.diff(np.r_[starts, len(country)]))
        self.keys = country + np.minimum(share, 1.0)
        self.country = country
        # a guide table (Chen and Asau): the first key at or past each of GUIDE_BINS steps of the key range
        self.span = float(country[-1] + 1) if len(country) else 1.0
        steps = np.arange(GUIDE_BINS, dtype=np.float64) * (self.span / GUIDE_BINS)
        self.guide = np.searchsorted(self.keys, steps, side="left").astype(np.int64)

    def choose(self, country: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Each row's item (an index into the unsorted table), -1 where its country has none."""
        last = len(self.keys) - 1
        if last < 0:
            return np.full(len(country), -1, dtype=np.int64)
        q = country + np.minimum(u, 1 - 1e-12)
        at = self.guide[np.clip((q * (GUIDE_BINS / self.span)).astype(np.int64), 0, GUIDE_BINS - 1)]
        np.minimum(at, last, out=at)
        todo = np.flatnonzero(self.keys[at] < q)
        while todo.size:  # a step or two past the guide's key, for the few rows that need it
            at[todo] += 1
            np.minimum(at, last, out=at)
            todo = todo[(self.keys[at[todo]] < q[todo]) & (at[todo] < last)]
        return np.where(self.country[at] == country, self.order[at], -1)


@lru_cache(maxsize=16)
def _cities(avoid: tuple[int, ...] = ()) -> tuple[pa.Table, _Segments]:
    """The reference cities and the choice among them by population (none whose name is in ``avoid``)."""
    table = reference.cities()
    country = countries_of(table.column("country").to_pylist())
    population = np.maximum(table.column("population").to_numpy(zero_copy_only=False).astype(float), 1.0)
    if not avoid:
        return table, _Segments(country, population)
    keep = np.flatnonzero(~np.isin(_hashes(table.column("name").combine_chunks()), np.asarray(avoid, np.uint64)))
    segments = _Segments(country[keep], population[keep])
    segments.order = keep[segments.order]
    return table, segments


@lru_cache(maxsize=16)
def _regions(avoid: tuple[int, ...] = ()) -> tuple[dict[tuple[str, str], int], _Segments]:
    """Each (country, region) of the reference cities as a number, and the choice of a city within a region
    by population (none whose name is in ``avoid``)."""
    import pandas as pd

    table, _ = _cities()
    country, region = table.column("country").to_pandas(), table.column("region").to_pandas()
    ids, uniques = pd.factorize(country + "\x1f" + region)  # a region without a name: -1
    ids = ids.astype(np.int64)
    index_of = {tuple(key.split("\x1f", 1)): i for i, key in enumerate(uniques)}  # one per region
    population = np.maximum(table.column("population").to_numpy(zero_copy_only=False).astype(float), 1.0)
    keep = np.flatnonzero(ids >= 0)
    if avoid:
        keep = keep[~np.isin(_hashes(table.column("name").combine_chunks().take(pa.array(keep))),
                             np.asarray(avoid, np.uint64))]
    segments = _Segments(ids[keep], population[keep])
    segments.order = keep[segments.order]
    return index_of, segments


@lru_cache(maxsize=64)
def _seen_cities(seen: tuple[tuple[str, tuple[str, ...], tuple[float, ...]], ...]) -> _Segments:
    """The sample's cities per country as rows of the reference cities (names it does not hold dropped)."""
    import pandas as pd

    table, _ = _cities()
    reference_rows = pd.DataFrame({"country": table.column("country").to_pandas(),
                                   "name": table.column("name").to_pandas()})
    reference_rows["row"] = np.arange(len(reference_rows))
    reference_rows = reference_rows.drop_duplicates(["country", "name"])
    wanted = pd.concat([pd.DataFrame({"country": code, "name": list(values), "weight": list(weights)})
                        for code, values, weights in seen])  # a frame per country
    found = wanted.merge(reference_rows, on=["country", "name"], how="inner", sort=False)
    seg = _Segments(countries_of(found["country"].tolist()), found["weight"].to_numpy(dtype=float))
    seg.order = found["row"].to_numpy(dtype=np.int64)[seg.order] if len(found) else seg.order
    return seg


# -- the shared draws --------------------------------------------------------------------------

def _weighted(u: np.ndarray, spec: Mapping[str, Any]) -> np.ndarray:
    return _choice(tuple(float(w) for w in spec["weights"]), u)


def _memo(ctx: DrawContext, key: str, make: Any) -> Any:
    """``make()`` once per context: the columns of a group share the rows' country, city and names."""
    store = ctx.__dict__.setdefault("_group_draws", {})
    if key not in store:
        store[key] = make()
    return store[key]


def row_countries(ctx: DrawContext, group: Mapping[str, Any]) -> np.ndarray:
    """Each row's country (a row of the reference countries): the country column's value where it names
    one, else a draw from the countries the group learned."""
    return _memo(ctx, "countries", lambda: _row_countries(ctx, group))


def _row_countries(ctx: DrawContext, group: Mapping[str, Any]) -> np.ndarray:
    learned = group.get("countries") or {"values": [DEFAULT_COUNTRY], "weights": [1.0]}
    codes = countries_of(list(learned["values"]))
    drawn = codes[_weighted(ctx.uniform(PLACE, "country"), learned)]
    column = (group.get("columns") or {}).get("country")
    if column is None:
        return drawn
    # the country column as drawn: a category's or pooled text's positions, looked up per entry
    named = country_index(ctx.coded_values(column) if hasattr(ctx, "coded_values") else ctx.values(column),
                          group.get("aliases"))
    return np.where(named >= 0, named, drawn)


def row_cities(ctx: DrawContext, group: Mapping[str, Any], country: np.ndarray) -> np.ndarray:
    """Each row's city (a row of the reference cities, -1 where the country has none): one the samples
    showed for the country at their rate, otherwise any of the country's cities by population."""
    return _memo(ctx, "cities", lambda: _row_cities(ctx, group, country))


def _row_cities(ctx: DrawContext, group: Mapping[str, Any], country: np.ndarray) -> np.ndarray:
    avoid = tuple(group.get("avoid") or ())
    _, everywhere = _cities(avoid)
    u_city = ctx.uniform(PLACE, "city")
    regions = group.get("regions")
    if not regions:
        found = everywhere.choose(country, u_city)
    else:  # the row's region at the samples' shares, then a city of it by population
        index_of, within = _regions(avoid)
        region = np.full(len(country), -1, dtype=np.int64)
        u_region = ctx.uniform(PLACE, "region")
        for code, spec in sorted(regions.items()):  # a loop over the countries the samples showed
            at = np.flatnonzero(country == countries_of([code])[0])
            ids = np.array([index_of.get((code, str(v)), -1) for v in spec["values"]], dtype=np.int64)
            if at.size and ids.size:
                region[at] = ids[_weighted(u_region[at], spec)]
        found = within.choose(np.maximum(region, 0), u_city)
        elsewhere = np.flatnonzero((region < 0) | (found < 0))  # a country the samples' regions do not cover
        found[elsewhere] = everywhere.choose(country[elsewhere], u_city[elsewhere])
    cities = group.get("cities") or {}
    seen = cities.get("seen")
    if seen:
        key = tuple((code, tuple(s["values"]), tuple(s["weights"])) for code, s in sorted(seen.items()))
        known = _seen_cities(key).choose(country, ctx.uniform(PLACE, "seen-city"))
        use = (ctx.uniform(PLACE, "city-is-new") >= float(cities.get("new", 1.0))) & (known >= 0)
        found = np.where(use, known, found)
    return found


def _take(table: pa.Table, column: str, rows: np.ndarray) -> pa.Array:
    """``table[column]`` at ``rows``, null where a row is -1."""
    values = table.column(column).combine_chunks()
    out = values.take(pa.array(np.maximum(rows, 0)))
    return pc.if_else(pa.array(rows < 0), pa.nulls(len(rows), out.type), out) if (rows < 0).any() else out


def _fill_digits(mask: str, digits: np.ndarray) -> pa.StringArray:
    """``mask`` (``#`` slots in the pattern language) filled in order with ``digits`` (rows × slots, 0–9)."""
    template, slots = _mask_layout(mask)
    out = np.empty((len(digits), len(template)), dtype=np.uint8)
    out[:] = template
    for j, (pos, _) in enumerate(slots):
        out[:, pos] = digits[:, j] + ord("0")
    from ..text import _fixed_width_strings

    return _fixed_width_strings(out)


@lru_cache(maxsize=4096)
def _mask_layout(mask: str) -> tuple[np.ndarray, list[tuple[int, bytes]]]:
    return _template(_parse_pattern(mask))


def _by_group(keys: np.ndarray, make: Any, size: int) -> pa.Array:
    """Rows made per distinct key (a country, a locale, a template): ``make(key, rows)`` for each, put back
    in row order; a loop over the keys present, not over rows."""
    if not size:
        return pa.array([], pa.string())
    order, sorted_keys, starts, ends = _groups(keys)
    pieces = [make(sorted_keys[s], order[s:e]) for s, e in zip(starts, ends)]
    return _in_row_order(pieces, order)


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows sorted by key (stable), the sorted keys, and where each key's run starts and ends."""
    small = keys.size and keys.min() >= -2**15 and keys.max() < 2**15
    order = np.argsort(keys.astype(np.int16) if small else keys, kind="stable")  # int16: a radix sort
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[keys.size > 0, sorted_keys[1:] != sorted_keys[:-1]])  # none for no rows
    return order, sorted_keys, starts, np.r_[starts[1:], len(keys)]


def _in_row_order(pieces: list[pa.Array], order: np.ndarray) -> pa.Array:
    """Strings made for the rows in ``order``, piece after piece, put back in row order."""
    joined = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return joined.take(pa.array(inverse))


def _codes_by_group(keys: np.ndarray, make: Any) -> np.ndarray:
    """Integer codes made per distinct key, ``make(key, rows)`` for each, put back in row order (no strings
    made: the caller takes them from one pool once)."""
    out = np.zeros(len(keys), dtype=np.int64)
    if not len(keys):
        return out
    small = keys.min() >= -2**15 and keys.max() < 2**15
    order = np.argsort(keys.astype(np.int16) if small else keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    for s, e in zip(starts, np.r_[starts[1:], len(keys)]):
        at = order[s:e]
        out[at] = make(int(sorted_keys[s]), at)
    return out


def _digits(ctx: DrawContext, purpose: str, count: int) -> np.ndarray:
    """rows x count random decimal digits from the row's draws: eight from each uniform draw, read off as the
    digits of its first decimals (53 bits hold more than fifteen)."""
    out = np.empty((len(ctx.rows), count), dtype=np.uint8)
    u = np.empty(0)
    for j in range(count):  # a loop over digit positions, not rows
        if j % 8 == 0:
            u = ctx.uniform(PLACE, f"{purpose}/{j // 8}")
        u *= 10.0
        digit = u.astype(np.uint8)
        out[:, j] = digit
        u -= digit
    return out


# -- place columns -------------------------------------------------------------------------------

class _Member(ColumnGenerator):
    """A column of a group: the group's parameters come from the table's layout."""

    group_name = "place"

    def __init__(self, column: Any, params: Any, table: str = "", group: Mapping[str, Any] | None = None):
        super().__init__(column, params, table)
        self.group = dict(group or {})

    def check(self) -> None:
        if not self.group:
            raise self.fail(f"is a '{self.kind}' column but its table has no '{self.group_name}' group")

    def reads(self) -> tuple[str, ...]:
        driver = (self.group.get("columns") or {}).get("country")
        return (driver,) if driver and driver != self.name else ()


@register
class PlaceCountry(_Member):
    """The country a place group is driven by, when it is text: the samples' countries at their rates, and
    new ones (the Good–Turing share) drawn by population, spelled as the samples spell them."""

    kind = "place_country"

    def reads(self) -> tuple[str, ...]:
        return super().reads() if self.params.get("follows") else ()

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        spelling = {"alpha2": "alpha2", "alpha3": "alpha3"}.get(self.params.get("form", "name"), "name")
        if self.params.get("follows"):  # the row's country spelled another way (a code beside a name)
            return self.pooled(_countries()["table"].column(spelling), row_countries(ctx, self.group))
        learned = self.group.get("countries") or {"values": [DEFAULT_COUNTRY], "weights": [1.0]}
        country = countries_of(list(learned["values"]))[_weighted(ctx.value_uniforms(self.name), learned)]
        new = float(self.params.get("new", 0.0))
        if new > 0:
            table = _countries()["table"]
            population = np.maximum(table.column("population").to_numpy(zero_copy_only=False).astype(float), 1)
            world = _choice(tuple(population / population.sum()), ctx.uniform(self.name, "new-country"))
            country = np.where(ctx.uniform(self.name, "is-new") < new, world, country)
        return self.pooled(_countries()["table"].column(spelling), country)


@register
class PlaceCountryLevel(_Member):
    """A category the row's country determines (a continent): the samples' level of the country, a new
    country's by its continent (the level most of the samples' countries of that continent have)."""

    kind = "place_country_level"
    required = ("countries", "levels", "default")

    def check(self) -> None:
        super().check()
        levels, default = self.params.get("levels"), self.params.get("default")
        mapped = list((self.params.get("countries") or {}).values()) + \
            list((self.params.get("continents") or {}).values())
        if not (isinstance(levels, list) and levels and default in levels and all(v in levels for v in mapped)):
            raise self.fail("has damaged levels: 'default' and every level of 'countries' and 'continents' must "
                            "be one of 'levels'")

    @cached_property
    def _per_country(self) -> np.ndarray:
        """The level of every reference country (and, last, of a row without one: -1)."""
        table = _countries()["table"]
        levels = {v: i for i, v in enumerate(self.params["levels"])}
        by_country, by_continent = self.params["countries"], self.params.get("continents") or {}
        default = levels[self.params["default"]]
        codes = [levels.get(by_country.get(a, by_continent.get(c, "")), default)
                 for a, c in zip(table.column("alpha2").to_pylist(), table.column("continent").to_pylist())]
        return np.array(codes + [-1], dtype=np.int64)  # one per reference country, not per row

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        codes = self._per_country[row_countries(ctx, self.group)]  # a row without a country reads the last: -1
        out = levels_array(self.type, self.params["levels"], np.maximum(codes, 0), coded=True)
        return with_nulls(out, codes < 0)


@register
class PlaceCity(_Member):
    """A real city of the row's country (GeoNames, by population), or one the samples showed."""

    kind = "place_city"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        city = row_cities(ctx, self.group, row_countries(ctx, self.group))
        return self.pooled(_cities()[0].column("name"), city)


@register
class PlaceRegion(_Member):
    """The region (state, province) of the row's city, by name or by its short code as the samples write it."""

    kind = "place_region"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        city = row_cities(ctx, self.group, row_countries(ctx, self.group))
        table = _cities()[0]
        if self.params.get("form") == "code":
            code = _take(table, "region_code", city)
            return pc.coalesce(code, _take(table, "region", city))
        return self.pooled(table.column("region"), city)


class _LocalReference(_Member):
    """A reference column in the row's country's locale: one pool per locale the rows have, and the samples'
    values of the row's country at the learned rate (``seen`` per country, ``new`` the rate of new ones).
    Positions in one pool of the locales' pools and the seen values, one take."""

    semantic = ""

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        country = row_countries(ctx, self.group)
        spec = self.params.get("text") or {}
        avoid = tuple(spec.get("avoid") or ())
        draws: dict[str, np.ndarray] = {}

        def uniform(purpose: str) -> np.ndarray:  # "part" and "suffix" only for companies
            if purpose not in draws:
                draws[purpose] = ctx.uniform(self.name, purpose)
            return draws[purpose]

        names = reference.locales()
        locales = _locale_codes(country)
        present = tuple(int(c) for c in np.unique(locales))  # the few locales of the rows
        seen = self.params.get("seen") or {}
        key = tuple((code, tuple(s["values"]), tuple(s["weights"])) for code, s in sorted(seen.items()))
        pool, starts = _local_pool(self.semantic, tuple(names[c] for c in present), avoid, key)
        start_of = np.zeros(len(names), dtype=np.int64)
        start_of[list(present)] = starts[:-1]

        def make(code: int, at: np.ndarray) -> np.ndarray:
            _, position = reference_codes(self.semantic, names[code], lambda p: uniform(p)[at], avoid)
            return start_of[code] + position

        position = _codes_by_group(locales, make)
        if seen:
            known = _seen_by_country(key)[1].choose(country, ctx.uniform(self.name, "seen"))
            use = (ctx.uniform(self.name, "is-new") >= float(self.params.get("new", 1.0))) & (known >= 0)
            position = np.where(use, starts[-1] + known, position)
        case = spec.get("case")
        if case not in ("upper", "lower"):
            return self.pooled(pool, position)
        out = pool.take(pa.array(position))
        return pc.utf8_upper(out) if case == "upper" else pc.utf8_lower(out)


@lru_cache(maxsize=64)
def _local_pool(semantic: str, locales: tuple[str, ...], avoid: tuple[int, ...], seen: tuple
                ) -> tuple[pa.Array, np.ndarray]:
    """The reference pools of ``locales`` for ``semantic`` and the seen values, in one array; where each
    locale's pool starts, and (last) where the seen values start."""
    pools = [reference_codes(semantic, locale, lambda p: np.zeros(0), avoid)[0] for locale in locales]
    pools = [p.combine_chunks() if isinstance(p, pa.ChunkedArray) else p for p in pools]
    pools.append(_seen_by_country(seen)[0] if seen else pa.array([], pa.string()))
    sizes = np.array([len(p) for p in pools], dtype=np.int64)
    return pa.concat_arrays([p.cast(pa.string()) for p in pools]), np.r_[0, np.cumsum(sizes)[:-1]]


@lru_cache(maxsize=64)
def _seen_by_country(seen: tuple[tuple[str, tuple[str, ...], tuple[float, ...]], ...]) -> tuple[pa.Array, _Segments]:
    """The samples' values per country in one array, and the choice among a country's values by weight."""
    values = [v for _, vs, _ in seen for v in vs]  # the few kept sample values, not rows
    codes = np.concatenate([np.full(len(vs), countries_of([code])[0]) for code, vs, _ in seen]) if seen \
        else np.array([], dtype=np.int64)
    weights = np.concatenate([np.asarray(ws, dtype=float) for _, _, ws in seen]) if seen else np.array([])
    return pa.array(values, pa.string()), _Segments(codes, weights)


@register
class PlaceCompany(_LocalReference):
    """A company of the row's country: a surname and a legal form of its locale (``Müller GmbH``)."""

    kind = "place_company"
    semantic = "company"


@register
class PlaceJob(_LocalReference):
    """A job title in the row's country's language (``Krankenschwester`` on a German row)."""

    kind = "place_job"
    semantic = "job"


def _offsets(ctx: DrawContext, group: Mapping[str, Any], distances: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's offset from its city's centre in degrees of latitude and of longitude: a distance at the
    samples' quantiles (km) in a uniform direction; the latitude and longitude columns share it."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        grid = np.asarray(distances, dtype=float)
        km = np.interp(ctx.uniform(PLACE, "coordinate-distance"), np.linspace(0.0, 1.0, len(grid)), grid)
        angle = 2.0 * np.pi * ctx.uniform(PLACE, "coordinate-angle")
        return km * np.cos(angle) / KM_PER_DEGREE, km * np.sin(angle) / KM_PER_DEGREE
    return _memo(ctx, "coordinate-offsets", make)


KM_PER_DEGREE = 111.32
"""Kilometres per degree of latitude (and of longitude at the equator)."""


class _PlaceCoordinate(_Member):
    """The latitude or longitude of a point near the row's city: the city's centre (GeoNames) moved by a
    distance at the samples' quantiles in a uniform direction; null where the row has no city."""

    required = ("distances",)
    axis = ""

    def check(self) -> None:
        super().check()
        grid = self.params.get("distances")
        if not (isinstance(grid, list) and len(grid) >= 2 and all(isinstance(v, (int, float)) and v >= 0
                                                                  for v in grid)):
            raise self.fail("has damaged 'distances': they must be two or more kilometre quantiles, >= 0")

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        city = row_cities(ctx, self.group, row_countries(ctx, self.group))
        table = _cities()[0]
        lat = table.column("latitude").to_numpy()[np.maximum(city, 0)]
        north, east = _offsets(ctx, self.group, self.params["distances"])
        if self.axis == "latitude":
            value = np.clip(lat + north, -90.0, 90.0)
        else:
            lon = table.column("longitude").to_numpy()[np.maximum(city, 0)]
            value = (lon + east / np.maximum(np.cos(np.radians(lat)), 0.01) + 180.0) % 360.0 - 180.0
        decimals = self.params.get("decimals")
        if decimals is not None:
            value = np.round(value, int(decimals))
        return pa.array(value, pa.float64(), mask=city < 0)


@register
class PlaceLatitude(_PlaceCoordinate):
    """The latitude of a point near the row's city."""

    kind = "place_latitude"
    axis = "latitude"


@register
class PlaceLongitude(_PlaceCoordinate):
    """The longitude of a point near the row's city."""

    kind = "place_longitude"
    axis = "longitude"


@register
class PlacePostcode(_Member):
    """A postcode in the row's country's format (``#####`` in Germany, ``?#? #?#`` in Canada), one of its forms
    at their weights where it has several (the United Kingdom: a real postcode area, the Royal Mail's letters)."""

    kind = "place_postcode"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        country = row_countries(ctx, self.group)
        patterns = _countries()["table"].column("postcode_pattern").to_pylist()
        several = _postcode_forms()
        fallback = self.params.get("pattern") or "#####"
        base = ctx.uniform(self.name, "postcode").view(np.uint64)
        form_u: list[np.ndarray] = []  # drawn once, for the rows of countries with several forms

        def make(c: int, at: np.ndarray) -> pa.Array:
            forms = several[c] if c >= 0 else None
            if forms is None:
                return _random_pattern(patterns[c] if c >= 0 and patterns[c] else fallback, base[at])
            if not form_u:
                form_u.append(ctx.uniform(self.name, "postcode-form"))
            form = _choice(forms[1], form_u[0][at])  # each row's form, at the forms' weights
            return _by_group(form, lambda f, part: _random_pattern(forms[0][f], base[at[part]]), len(at))

        return _by_group(country, make, len(rows))


@lru_cache(maxsize=1)
def _postcode_forms() -> list[tuple[tuple[str, ...], tuple[float, ...]] | None]:
    """Per reference country, its postcode forms' patterns and weights when it has several (GB), else None."""
    out: list[tuple[tuple[str, ...], tuple[float, ...]] | None] = []
    for forms in _countries()["table"].column("postcode_forms").to_pylist():
        out.append((tuple(f["pattern"] for f in forms), tuple(float(f["weight"]) for f in forms)) if forms else None)
    return out


@lru_cache(maxsize=1)
def _phones() -> tuple[pa.Table, _Segments]:
    table = reference.phones()
    country = countries_of(table.column("country").to_pylist())
    return table, _Segments(country, table.column("weight").to_numpy(zero_copy_only=False))


@register
class PlacePhone(_Member):
    """A valid phone number of the row's country (its calling code, a real number range), written in the
    samples' style: ``international`` (``+44 7821 440974``), ``national`` or ``e164``."""

    kind = "place_phone"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        country = row_countries(ctx, self.group)
        table, segments = _phones()
        u = ctx.uniform(self.name, "template")
        template = segments.choose(country, u)
        missing = np.flatnonzero(template < 0)  # a country without phone plans: the default country's
        if missing.size:
            template[missing] = segments.choose(np.full(missing.size, countries_of([DEFAULT_COUNTRY])[0]), u[missing])
        plan = _phone_plan(self.params.get("style", "international"))
        digits = _digits(ctx, f"{self.name}/phone", plan["widest"])
        leading = np.arange(plan["widest"])[None, :] < plan["prefix_length"][template][:, None]
        number = np.where(leading, np.take(plan["prefix"], template, axis=0), digits)  # the range's digits first
        order, masks, starts, ends = _groups(plan["mask_of"][template])
        number = np.take(number, order, axis=0)  # rows of one mask side by side: each group a slice
        pieces = [_fill_digits(plan["masks"][masks[s]], number[s:e, :plan["slots"][masks[s]]])
                  for s, e in zip(starts, ends)]  # a loop over the masks present
        return _in_row_order(pieces, order) if len(rows) else pa.array([], pa.string())


@lru_cache(maxsize=4)
def _phone_plan(style: str) -> dict[str, Any]:
    """The phone templates laid out for drawing: their masks in ``style`` (the international one where a country
    has no other) as distinct masks, each template's mask, each mask's digit count, and each template's leading
    digits (padded) and how many."""
    table, _ = _phones()
    column = style if style in table.column_names else "international"
    encoded = pc.dictionary_encode(pc.coalesce(table.column(column), table.column("international")).combine_chunks())
    masks = encoded.dictionary.to_pylist()
    slots = pc.count_substring(encoded.dictionary, "#").to_numpy(zero_copy_only=False).astype(np.int64)
    prefixes = table.column("prefix").combine_chunks()
    length = pc.utf8_length(prefixes).to_numpy(zero_copy_only=False).astype(np.int64)
    widest = int(slots.max()) if len(slots) else 0
    padded = pc.utf8_rpad(prefixes, width=widest, padding="0")
    prefix = (np.frombuffer(padded.buffers()[2], dtype=np.uint8)[:len(padded) * widest].reshape(len(padded), widest)
              - ord("0")).astype(np.uint8)
    return {"masks": masks, "mask_of": encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
            "slots": slots, "prefix": prefix, "prefix_length": length, "widest": widest}


@register
class PlaceStreet(_Member):
    """A street address in the row's country's way: ``221 Baker Street`` or ``Hauptstraße 12``, from the
    locale's street names and building numbers."""

    kind = "place_street"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        country = row_countries(ctx, self.group)
        locales = _locale_codes(country)
        names = reference.locales()
        u_street = ctx.uniform(self.name, "street")
        u_number = ctx.uniform(self.name, "number")

        def make(code: int, at: np.ndarray) -> pa.Array:
            locale = names[code]
            streets = reference.streets(locale)
            street = streets.take(pa.array(np.minimum((u_street[at] * len(streets)).astype(np.int64),
                                                      len(streets) - 1)))
            pattern = reference.building_number_pattern(locale)
            if pattern and set(pattern) == {"#"} and len(pattern) <= 5:  # 1 .. 10**k - 1, as a number is written
                pool = _building_numbers(len(pattern))
                number = pool.take(pa.array(np.minimum((u_number[at] * len(pool)).astype(np.int64), len(pool) - 1)))
            else:
                number = _random_pattern(pattern, u_number[at].view(np.uint64))
                number = pc.utf8_ltrim(number, "0")
                number = pc.if_else(pc.equal(pc.utf8_length(number), 0), "1", number)
            order = reference.address_order(locale)
            between = order.replace("{number}", "").replace("{street}", "") or " "
            if order.index("{street}") < order.index("{number}"):
                return pc.binary_join_element_wise(street, number, between)
            return pc.binary_join_element_wise(number, street, between)

        return _by_group(locales, make, len(rows))


@lru_cache(maxsize=8)
def _building_numbers(digits: int) -> pa.Array:
    """Building numbers of up to ``digits`` digits as text, ``"1"`` .. (a drawn zero is number 1)."""
    numbers = np.arange(10**digits, dtype=np.int64)
    numbers[0] = 1
    return pc.cast(pa.array(numbers), pa.string())


def _locale_codes(country: np.ndarray) -> np.ndarray:
    """Each row's locale, as an index into :func:`reference.locales`, from its country."""
    return _country_locales()[np.maximum(country, 0)]


@lru_cache(maxsize=1)
def _country_locales() -> np.ndarray:
    """Each reference country's locale, as an index into :func:`reference.locales` (en_US's when unknown)."""
    names = pa.array(reference.locales(), pa.string())
    found = pc.index_in(_countries()["table"].column("locale"), value_set=names)
    default = pc.index_in(pa.array(["en_US"]), value_set=names)[0].as_py() or 0
    return pc.fill_null(found, default).to_numpy(zero_copy_only=False).astype(np.int64)


# -- person columns ------------------------------------------------------------------------------

def row_locales(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None) -> np.ndarray:
    """Each row's locale (an index into :func:`reference.locales`): its country's, when the table has a
    place group, else a draw from the locales the person group learned; the schema's locale when given."""
    position = {name: i for i, name in enumerate(reference.locales())}
    if group.get("locale") in position:
        return np.full(len(ctx.rows), position[group["locale"]], dtype=np.int64)
    if place:
        return _locale_codes(row_countries(ctx, place))
    learned = group.get("locales") or {"values": ["en_US"], "weights": [1.0]}
    names = pa.array(reference.locales(), pa.string())
    codes = pc.fill_null(pc.index_in(pa.array(learned["values"], pa.string()), value_set=names),
                         position.get("en_US", 0)).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes[_weighted(ctx.uniform(PERSON, "locale"), learned)]


def person_names(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None
                 ) -> tuple[pa.Array, pa.Array]:
    """Each row's first and last name in its locale, at the names' real frequencies; the sex at the
    learned share (0.5 without one)."""
    first, last = person_name_codes(ctx, group, place)
    avoid = tuple(group.get("avoid") or ())
    return _memo(ctx, "names", lambda: (_name_pool("first", avoid)[0].take(pa.array(first)),
                                        _name_pool("last", avoid)[0].take(pa.array(last))))


def person_name_codes(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's first and last name as positions in :func:`_name_pool`'s arrays (strings are made once, by
    whichever column needs them)."""
    return _memo(ctx, "name-codes", lambda: _person_name_codes(ctx, group, place))


def _person_name_codes(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None
                       ) -> tuple[np.ndarray, np.ndarray]:
    locales = row_locales(ctx, group, place)
    female = ctx.uniform(PERSON, "sex") < float(group.get("female", 0.5))
    sex = group.get("sex")
    if sex:  # the row's sex column where it names one (a row's own value), else the drawn sex
        said = ctx.coded_values(sex["column"]) if hasattr(ctx, "coded_values") else ctx.values(sex["column"])
        is_female, is_male = _levels_in(said, sex["female"]), _levels_in(said, sex["male"])
        female = np.where(is_female, True, np.where(is_male, False, female))
    u_first, u_last = ctx.uniform(PERSON, "first"), ctx.uniform(PERSON, "last")
    names = reference.locales()
    avoid = tuple(group.get("avoid") or ())
    _, first_starts = _name_pool("first", avoid)
    _, last_starts = _name_pool("last", avoid)
    male_starts = _name_pool("first", avoid, male=True)[1]

    def first(code: int, at: np.ndarray) -> np.ndarray:
        u = u_first[at]
        return np.where(female[at], first_starts[code] + _choice(_name_list(names[code], "first_female", avoid)[1], u),
                        male_starts[code] + _choice(_name_list(names[code], "first_male", avoid)[1], u))

    def last(code: int, at: np.ndarray) -> np.ndarray:
        return last_starts[code] + _choice(_name_list(names[code], "last", avoid)[1], u_last[at])

    return _codes_by_group(locales, first), _codes_by_group(locales, last)


def _levels_in(values: pa.Array, levels: Sequence[str]) -> np.ndarray:
    """Whether each value (trimmed text; a dictionary's entries looked up once each) is one of ``levels``."""
    wanted = pa.array(list(levels), pa.string())
    if pa.types.is_dictionary(values.type):
        entries = pc.is_in(pc.utf8_trim_whitespace(pc.cast(values.dictionary, pa.string())), value_set=wanted)
        per_entry = np.append(entries.to_numpy(zero_copy_only=False).astype(bool), False)
        codes = pc.fill_null(values.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        return per_entry[codes]  # a null's code -1 reads the appended False
    found = pc.is_in(pc.utf8_trim_whitespace(pc.cast(values, pa.string())), value_set=wanted)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)


def person_reads(group: Mapping[str, Any], place: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The columns a person's names read: the place's country column (the locale), the sex column."""
    driver = ((place or {}).get("columns") or {}).get("country")
    sex = (group.get("sex") or {}).get("column")
    return tuple(c for c in (driver, sex) if c)


@lru_cache(maxsize=64)
def _name_pool(kind: str, avoid: tuple[int, ...], male: bool = False) -> tuple[pa.Array, np.ndarray]:
    """Every locale's names of one kind in one array (``first``: each locale's female names, then all male
    ones), and where each locale's start (its male first names' with ``male``)."""
    names = reference.locales()
    kinds = ("first_female", "first_male") if kind == "first" else ("last",)
    lists = []
    for name_kind, locale in itertools.product(kinds, names):  # once per process: the pools are cached
        lists.append(_name_list(locale, name_kind, avoid)[0].cast(pa.string()))
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    starts = np.cumsum(lengths) - lengths
    return pa.concat_arrays(lists), (starts[len(names):] if male else starts[:len(names)])


@lru_cache(maxsize=512)
def _name_list(locale: str, kind: str, avoid: tuple[int, ...] = ()) -> tuple[pa.Array, tuple[float, ...]]:
    """A locale's names of one kind and their weights, without those whose hash is in ``avoid``."""
    lists = reference.names(locale)
    pool, weights = lists[kind], lists[f"{kind}_weights"]
    if avoid:
        keep = ~np.isin(_hashes(pool), np.asarray(avoid, dtype=np.uint64))
        if keep.any():
            pool, weights = pool.filter(pa.array(keep)), weights.filter(pa.array(keep))
    return pool, tuple(weights.to_pylist())


def _hashes(values: pa.Array) -> np.ndarray:
    from ..privacy import hashed

    return hashed(values.to_numpy(zero_copy_only=False))


def _names_at(locale: str, kind: str, u: np.ndarray, avoid: tuple[int, ...] = ()) -> pa.Array:
    """Names of a locale for uniform draws, at their frequencies (through a guide table, see ``_choice``)."""
    pool, weights = _name_list(locale, kind, avoid)
    return pool.take(pa.array(_choice(weights, u)))


class _PersonMember(_Member):
    """A column of a person group: it reads the place group's country column, if any, for the locale."""

    group_name = "person"

    def __init__(self, column: Any, params: Any, table: str = "", group: Mapping[str, Any] | None = None,
                 place: Mapping[str, Any] | None = None):
        super().__init__(column, params, table, group)
        self.place = dict(place) if place else None

    def check(self) -> None:
        super().check()
        sex = self.group.get("sex")
        if sex is not None and not (isinstance(sex, Mapping) and isinstance(sex.get("column"), str) and all(
                isinstance(sex.get(k), list) and all(isinstance(v, str) for v in sex[k]) for k in ("female", "male"))):
            raise self.fail("has a person group whose 'sex' is damaged: it must be {\"column\": a column name, "
                            "\"female\": [levels], \"male\": [levels]}; fix it or remove it")

    def reads(self) -> tuple[str, ...]:
        return person_reads(self.group, self.place)


@register
class PersonName(_PersonMember):
    """A person's first, last or full name in the row's locale; every name column of the row names the
    same person (and an email of the group is built from it)."""

    kind = "person_name"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        part = self.params.get("part", "full")
        if part in ("first", "last"):
            codes = person_name_codes(ctx, self.group, self.place)[part == "last"]
            return self.pooled(_name_pool(part, tuple(self.group.get("avoid") or ()))[0], codes)
        first, last = person_names(ctx, self.group, self.place)
        if self.params.get("order") == "last first":
            return pc.binary_join_element_wise(last, first, " ")
        if self.params.get("order") == "last, first":
            return pc.binary_join_element_wise(last, first, ", ")
        return pc.binary_join_element_wise(first, last, " ")


@lru_cache(maxsize=256)
def _warn_data_version(version: str, table: str) -> None:
    logging.getLogger("synthframe").warning(
        "table '%s' was fitted with reference data %s; this synthframe bundles %s, so its places and names may "
        "differ from the original run's (refit, or install the synthframe version that fitted it)",
        table, version, reference.DATA_VERSION)


def _check_data_version(group: Mapping[str, Any] | None, table: str) -> None:
    version = group.get("data_version") if isinstance(group, Mapping) else None
    if version is not None and version != reference.DATA_VERSION:
        _warn_data_version(str(version), table)


GROUPED = {"place_country": "place", "place_city": "place", "place_region": "place", "place_postcode": "place",
           "place_phone": "place", "place_street": "place", "place_company": "place", "place_job": "place",
           "place_latitude": "place", "place_longitude": "place", "place_country_level": "place",
           "person_name": "person", "person_user_name": "person",
           "company_domain": "company"}
"""Generator kinds that take their group from the table's layout."""


def grouped_generator(column: Any, table: str, layout: Mapping[str, Any]) -> ColumnGenerator | None:
    """The generator of a column that belongs to a place or person group (with the group from the
    table's layout), or None for a column on its own."""
    from .base import REGISTRY
    from .text import PersonEmail

    kind = column.generator.get("kind")
    place, person, company = layout.get("place"), layout.get("person"), layout.get("company")
    for group in (place, person):
        _check_data_version(group, table)
    if kind in GROUPED:
        cls = REGISTRY[kind]
        if kind in ("person_name", "person_user_name"):
            found = cls(column, column.generator, table, person, place)
        elif kind == "company_domain":
            found = cls(column, column.generator, table, company)
        else:
            found = cls(column, column.generator, table, place)
    elif person and kind == "text" and (person.get("columns", person)).get("email") == column.name:
        found = PersonEmail(column, column.generator, table, dict(person), place)
    else:
        return None
    found.check()
    return found


# -- semantic columns outside a group, from the reference data -------------------------------------

REFERENCE_SEMANTICS = frozenset({"job", "country", "country_code", "country_code3", "state", "state_abbr", "city",
                                 "street_name", "street_address", "company", "first_name", "last_name", "name"})
"""Semantic types made from the bundled reference data rather than Faker (the same bytes everywhere)."""


def _country_of_locale(locale: str) -> str:
    return locale.split("_")[-1].upper() if "_" in locale else DEFAULT_COUNTRY


@lru_cache(maxsize=2048)
def _reference_pool(semantic: str, locale: str, avoid: tuple[int, ...] = ()) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of a single-part semantic and their cumulative weights (without those whose
    hash is in ``avoid``)."""
    values, cumulative = _pool_of(semantic, locale)
    if avoid:
        keep = ~np.isin(_hashes(values), np.asarray(avoid, dtype=np.uint64))
        if keep.any() and not keep.all():
            weights = np.diff(np.r_[0.0, cumulative])[keep]
            return values.filter(pa.array(keep)), np.cumsum(weights) / weights.sum()
    return values, cumulative


@lru_cache(maxsize=2048)
def _pool_of(semantic: str, locale: str) -> tuple[pa.Array, np.ndarray]:
    """The distinct values of a single-part semantic and their cumulative weights."""
    import pandas as pd

    if semantic in ("country", "country_code", "country_code3"):
        table = _countries()["table"]
        values = table.column({"country": "name", "country_code": "alpha2", "country_code3": "alpha3"}[semantic])
        weights = table.column("population").to_numpy(zero_copy_only=False).astype(float)
    elif semantic in ("city", "state", "state_abbr"):
        cities = reference.cities()
        country = _country_of_locale(locale)
        mine = cities.filter(pc.equal(cities.column("country"), country))
        if not mine.num_rows:
            mine = cities.filter(pc.equal(cities.column("country"), DEFAULT_COUNTRY))
        frame = mine.select(["name", "region", "region_code", "population"]).to_pandas()
        key = {"city": "name", "state": "region", "state_abbr": "region_code"}[semantic]
        frame = frame.dropna(subset=[key]).groupby(key, as_index=False, sort=False)["population"].sum()
        frame = frame.rename(columns={key: "name"})  # distinct values (two towns may share a name)
        values = pa.array(frame["name"], pa.string())
        weights = frame["population"].to_numpy(dtype=float)
    elif semantic in ("first_name", "last_name"):
        lists = reference.names(locale)
        kinds = ("first_female", "first_male") if semantic == "first_name" else ("last",)
        frame = pd.concat([pd.DataFrame({"name": lists[k].to_pandas(),
                                         "weight": lists[f"{k}_weights"].to_pandas() / len(kinds)}) for k in kinds])
        frame = frame.groupby("name", as_index=False, sort=False)["weight"].sum()
        values, weights = pa.array(frame["name"], pa.string()), frame["weight"].to_numpy(dtype=float)
    elif semantic == "job":
        values = pc.unique(reference.jobs(locale))
        weights = np.ones(len(values))
    else:  # street_name
        values = pc.unique(reference.streets(locale))
        weights = np.ones(len(values))
    cumulative = np.cumsum(np.maximum(weights, 0.0) + 1e-12)
    return values, cumulative / cumulative[-1]


_GUIDES: dict[int, tuple[np.ndarray, np.ndarray]] = {}
"""Guide tables of the reference pools' cumulative weights (the pools are cached, so are these)."""


def _pick(pool: tuple[pa.Array, np.ndarray], u: np.ndarray) -> pa.Array:
    """Values of a reference pool for uniform draws, by their weights (a guide-table search, see ``_choice``)."""
    values, cumulative = pool
    return values.take(pa.array(_search_pool(cumulative, u)))


@lru_cache(maxsize=64)
def _company_pairs(locale: str, avoid: tuple[int, ...]) -> tuple[pa.Array, int]:
    """Every surname of the locale's pool joined with each of its legal forms (``Webb PLC``), surname-major,
    and how many forms there are."""
    surnames = _reference_pool("last_name", locale, avoid)[0].cast(pa.string())
    forms = pa.array(reference.company_suffixes(locale) or ["Ltd"], pa.string())
    n, k = len(surnames), len(forms)
    return pc.binary_join_element_wise(surnames.take(pa.array(np.repeat(np.arange(n), k))),
                                       forms.take(pa.array(np.tile(np.arange(k), n))), " "), k


def _search_pool(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Positions in a reference pool for uniform draws, by its cumulative weights (a guide-table search)."""
    found = _GUIDES.get(id(cumulative))
    if found is None or found[0] is not cumulative:
        if len(_GUIDES) > 4096:
            _GUIDES.clear()
        found = _GUIDES[id(cumulative)] = (cumulative, span_guide(cumulative, 0.0, 1.0))
    return search_right(cumulative, u, found[1], 0.0, 1.0)


def _numbered(values: pa.Array, count: int, ids: np.ndarray) -> pa.Array:
    """Distinct values for distinct ids: entry ``id % count``, numbered from 2 once every entry is used."""
    rest = ids // count
    out = values.take(pa.array(ids % count))
    suffix = pc.cast(pa.array(rest + 1), pa.string())
    return pc.if_else(pa.array(rest == 0), out, pc.binary_join_element_wise(out, suffix, " "))


def reference_semantic(semantic: str, locale: str, uniform: Any, ids: np.ndarray | None,
                       avoid: tuple[int, ...] = ()) -> pa.Array:
    """Values of a reference-backed semantic: ``uniform(purpose)`` gives the rows' draws; with ``ids``
    (distinct per row) the values are distinct by construction; values hashed in ``avoid`` never come."""
    if semantic == "name":
        first, last = _reference_pool("first_name", locale, avoid), _reference_pool("last_name", locale, avoid)
        if ids is not None:
            n_first, n_last = len(first[0]), len(last[0])
            pairs = first[0].take(pa.array(ids % n_first)), last[0].take(pa.array((ids // n_first) % n_last))
            full = pc.binary_join_element_wise(*pairs, " ")
            rest = ids // (n_first * n_last)
            return pc.if_else(pa.array(rest == 0), full,
                              pc.binary_join_element_wise(full, pc.cast(pa.array(rest + 1), pa.string()), " "))
        return pc.binary_join_element_wise(_pick(first, uniform("first")), _pick(last, uniform("last")), " ")
    if semantic in ("street_address", "company"):
        part = _reference_pool("street_name" if semantic == "street_address" else "last_name", locale, avoid)
        n = len(part[0])
        head = part[0].take(pa.array(ids % n)) if ids is not None else _pick(part, uniform("part"))
        if semantic == "street_address":
            # unique: the id picks the street, and the building number counts how often it was picked
            numbers = ids // n + 1 if ids is not None else 1 + (uniform("number") ** 2 * 250).astype(np.int64)
            number = pc.cast(pa.array(numbers), pa.string())
            order = reference.address_order(locale)
            between = order.replace("{number}", "").replace("{street}", "") or " "
            if order.index("{street}") < order.index("{number}"):
                return pc.binary_join_element_wise(head, number, between)
            return pc.binary_join_element_wise(number, head, between)
        suffixes = pa.array(reference.company_suffixes(locale) or ["Ltd"], pa.string())
        if ids is None:
            pick = np.minimum((uniform("suffix") * len(suffixes)).astype(np.int64), len(suffixes) - 1)
            return pc.binary_join_element_wise(head, suffixes.take(pa.array(pick)), " ")
        # unique: (name, suffix), then (name-partner, suffix), then numbered: distinct for distinct ids
        rest = ids // n
        suffix = suffixes.take(pa.array(rest % len(suffixes)))
        partner = rest // len(suffixes)
        double = pc.binary_join_element_wise(head, part[0].take(pa.array((partner - 1) % n)), "-")
        out = pc.binary_join_element_wise(pc.if_else(pa.array(partner == 0), head, double), suffix, " ")
        beyond = partner // (n + 1)
        return pc.if_else(pa.array(beyond == 0), out,
                          pc.binary_join_element_wise(out, pc.cast(pa.array(beyond + 1), pa.string()), " "))
    pool = _reference_pool(semantic, locale, avoid)
    if ids is not None:
        return _numbered(pool[0], len(pool[0]), ids)
    return _pick(pool, uniform("pool"))


def reference_codes(semantic: str, locale: str, uniform: Any, avoid: tuple[int, ...] = ()
                    ) -> tuple[pa.Array, np.ndarray] | None:
    """For a semantic drawn straight from one reference pool (not names, streets or companies, which are
    joined from parts): the pool and each row's position in it, equal to ``reference_semantic``'s draw; None
    for the others. Lets a caller mix the positions with others and take strings once."""
    if semantic in ("name", "street_address"):
        return None
    if semantic == "company":  # a surname and a legal form: positions in every pairing of the two
        surnames, cumulative = _reference_pool("last_name", locale, avoid)
        head = _search_pool(cumulative, uniform("part"))
        pairs, forms = _company_pairs(locale, avoid)
        pick = np.minimum((uniform("suffix") * forms).astype(np.int64), forms - 1)
        return pairs, head * forms + pick
    values, cumulative = _reference_pool(semantic, locale, avoid)
    return values, _search_pool(cumulative, uniform("pool"))


# -- emails and user names from the row's person -----------------------------------------------------

LOCAL_STYLES = ("first.last", "firstlast", "first_last", "f.last", "flast", "last.first", "first")
"""How an email's local part or a user name is made of the person's names."""


def folded(values: pa.Array) -> pa.Array:
    """Names as lower-case ASCII letters (``Müller`` -> ``muller``), once per distinct name."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
    plain = pc.replace_substring_regex(pc.utf8_normalize(pc.utf8_lower(encoded.dictionary), "NFKD"), r"[^a-z]", "")
    plain = pc.if_else(pc.equal(pc.utf8_length(plain), 0), "x", plain)
    return pc.fill_null(plain.take(encoded.indices), "x")


_SEPARATORS = (".", "", "_")
_STYLE_HEAD = np.array([0, 0, 0, 1, 1, 2, 0], dtype=np.int64)
"""Per style of :data:`LOCAL_STYLES`, the local part's head: 0 the first name, 1 its initial, 2 the last name."""
_STYLE_SEPARATOR = np.array([0, 1, 2, 0, 1, 0, 1], dtype=np.int64)
"""Per style, the separator after the head (a position in :data:`_SEPARATORS`)."""
_STYLE_TAIL = np.array([0, 0, 0, 0, 0, 1, 2], dtype=np.int64)
"""Per style, the tail: 0 the last name, 1 the first name, 2 nothing."""


@lru_cache(maxsize=64)
def _local_pools(avoid: tuple[int, ...]) -> tuple[pa.Array, pa.Array, np.ndarray, np.ndarray]:
    """The pieces local parts are taken from: (folded first names, their initials, folded last names) in one
    array, (folded last names, folded first names, "") in another, and where each kind starts in them."""
    first, last = folded(_name_pool("first", avoid)[0]), folded(_name_pool("last", avoid)[0])
    initial = pc.utf8_slice_codeunits(first, 0, 1)
    heads = pa.concat_arrays([first, initial, last])
    tails = pa.concat_arrays([last, first, pa.array([""], pa.string())])
    return (heads, tails, np.cumsum([0, len(first), len(initial)]).astype(np.int64),
            np.cumsum([0, len(last), len(first)]).astype(np.int64))


def person_local_parts(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None, column: str,
                       spec: Mapping[str, Any] | None) -> list[pa.Array]:
    """The local parts (or user names) of the rows' persons, each in a style drawn at the learned rates, as
    three arrays to join with what follows (head, separator, tail: ``maria`` ``.`` ``gomez``): one take each
    from pools of folded names, no string work per row but the join."""
    first, last = person_name_codes(ctx, group, place)
    heads, tails, head_starts, tail_starts = _local_pools(tuple(group.get("avoid") or ()))
    styles = (spec or {}).get("styles") or {"values": ["first.last"], "weights": [1.0]}
    known = pc.index_in(pc.cast(pa.array(styles["values"]), pa.string()), value_set=pa.array(LOCAL_STYLES))
    style = pc.fill_null(known, 0).to_numpy(zero_copy_only=False).astype(np.int64)[
        _weighted(ctx.uniform(column, "style"), styles)]  # unknown styles: first.last
    head_kind, between, tail_kind = _STYLE_HEAD[style], _STYLE_SEPARATOR[style], _STYLE_TAIL[style]
    head = head_starts[head_kind] + np.where(head_kind == 2, last, first)
    tail = tail_starts[tail_kind] + np.where(tail_kind == 0, last, np.where(tail_kind == 1, first, 0))
    return [heads.take(pa.array(head)), pa.array(_SEPARATORS, pa.string()).take(pa.array(between)),
            tails.take(pa.array(tail))]


def person_locals(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None, column: str,
                  spec: Mapping[str, Any] | None) -> pa.Array:
    """Local parts (or user names) of the rows' persons, each in a style drawn at the learned rates."""
    return pc.binary_join_element_wise(*person_local_parts(ctx, group, place, column, spec), "")


@lru_cache(maxsize=8)
def _email_domain_pool() -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Every locale's free mail domains (``@gmx.de``) in one array, where each locale's start, and how many."""
    nested = pa.array(list(map(_free_mail, reference.locales())), pa.list_(pa.string()))
    counts = pc.list_value_length(nested).to_numpy(zero_copy_only=False).astype(np.int64)
    at = pc.binary_join_element_wise("@", pc.list_flatten(nested), "")
    return at, np.cumsum(counts) - counts, counts


def _free_mail(locale: str) -> list[str]:
    return list(reference.email_domains(locale) or ["example.com"])


def row_email_domains(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None,
                      column: str) -> pa.Array:
    """Free email domains of each row's locale (``gmx.de`` for a German row), for emails whose samples
    gave none."""
    return _email_domain_pool()[0].take(pa.array(_free_mail_positions(ctx, group, place, column)))


def _free_mail_positions(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any] | None,
                         column: str) -> np.ndarray:
    """Each row's free mail domain as a position in :func:`_email_domain_pool`, among its locale's."""
    locales = row_locales(ctx, group, place)
    _, starts, counts = _email_domain_pool()
    count = counts[locales]
    return starts[locales] + np.minimum((ctx.uniform(column, "locale-domain") * count).astype(np.int64), count - 1)


def country_email_domains(ctx: DrawContext, group: Mapping[str, Any], place: Mapping[str, Any], column: str,
                          kind_u: np.ndarray, pick_u: np.ndarray) -> pa.Array:
    """Each row's email domain (``@`` included) as the samples use them per country (``email_domains``):
    at the country's share a national one (the samples' for that country, else its locale's free-mail
    domains), otherwise an international one. Positions in one pool, one take."""
    spec = group["email_domains"]
    country = row_countries(ctx, place)
    share = np.full(len(country), float(spec.get("default", 0.5)))
    for code, value in (spec.get("share") or {}).items():  # a loop over the countries the samples showed
        share[country == countries_of([code])[0]] = float(value)
    position = _free_mail_positions(ctx, group, place, column)
    national = spec.get("national") or {}
    wide = spec.get("international")
    key = (tuple((code, tuple(s["values"]), tuple(s["weights"])) for code, s in sorted(national.items())),
           tuple(wide["values"]) if wide else ())
    pool, values_at, wide_at = _domain_pool(key)
    if national:
        known = _seen_by_country(key[0])[1].choose(country, pick_u)
        position = np.where(known >= 0, values_at + known, position)
    if wide:
        position = np.where(kind_u < share, position, wide_at + _weighted(pick_u, wide))
    return pool.take(pa.array(position))


@lru_cache(maxsize=64)
def _domain_pool(key: tuple) -> tuple[pa.Array, int, int]:
    """Every locale's free mail domains, then a model's national domains (in :func:`_seen_by_country`'s
    order), then its international ones, each with ``@``: one array, and where the last two start."""
    free = _email_domain_pool()[0]
    national = _seen_by_country(key[0])[0] if key[0] else pa.array([], pa.string())
    parts = [free, pc.binary_join_element_wise("@", national, ""),
             pc.binary_join_element_wise("@", pa.array(list(key[1]), pa.string()), "")]
    return pa.concat_arrays([p.cast(pa.string()) for p in parts]), len(free), len(free) + len(national)


@register
class PersonUserName(_PersonMember):
    """A user name made of the row's person's names in the samples' styles (``jdoe``, ``maria_g``), a
    number at the learned rate; unique ones end with the row's id."""

    kind = "person_user_name"

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        local = person_locals(ctx, self.group, self.place, self.name, self.params)
        if self.unique:
            digits = pc.cast(pa.array(ctx.unique_ids(self.name, None)), pa.string())
        else:
            u = ctx.uniform(self.name, "number")
            share = float(self.params.get("numbers", 0.25))
            digits = pc.if_else(pa.array(u < share), pc.cast(pa.array(1 + (u * 9999).astype(np.int64) % 99),
                                                             pa.string()), "")
        return pc.binary_join_element_wise(local, digits, "")


# -- a company's web domain ---------------------------------------------------------------------------

def company_hosts(values: pa.Array, tlds: Mapping[str, Any], u: np.ndarray) -> pa.Array:
    """``cobaltdata.io`` for ``Cobalt Data``: each company name as letters and digits without its legal form,
    a top-level domain drawn at the learned rates; computed once per distinct name."""
    from ..entities import _LEGAL

    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    encoded = pc.dictionary_encode(pc.cast(values, pa.string()))
    plain = pc.utf8_normalize(pc.utf8_lower(encoded.dictionary), "NFKD")
    plain = pc.replace_substring_regex(plain, r"[^a-z0-9 ]", " ")
    slug = pc.replace_substring_regex(pc.replace_substring_regex(plain, _LEGAL, " "), r"\s+", "")
    slug = pc.if_else(pc.equal(pc.utf8_length(slug), 0), "company", slug)
    names = pc.fill_null(slug.take(encoded.indices), "company")
    endings = pc.binary_join_element_wise(".", pc.cast(pa.array(tlds["values"]), pa.string()), "")
    return pc.binary_join_element_wise(names, endings.take(pa.array(_weighted(u, tlds))), "")


@register
class CompanyDomain(_Member):
    """The web domain or URL of the row's company (``cobaltdata.io``, ``https://www.cobaltdata.io``)."""

    kind = "company_domain"
    group_name = "company"

    def reads(self) -> tuple[str, ...]:
        return (self.group["columns"]["company"],)

    def draw(self, rows: np.ndarray, ctx: DrawContext) -> pa.Array:
        host = company_hosts(ctx.values(self.group["columns"]["company"]), self.params["tlds"],
                             ctx.uniform(self.name, "tld"))
        if self.params.get("url"):
            return pc.binary_join_element_wise(pa.scalar(str(self.params.get("prefix", "https://"))), host, "")
        return host
