"""Bundled reference data: countries, cities, person names, streets, jobs, phone number plans and pools of
Faker's values (words, user names, licence plates, …).

The tables live in ``synthframe/data/reference/`` as Parquet files built once by
:mod:`synthframe.reference_build` from GeoNames, pycountry, phonenumbers and Faker. Reading them needs
only pyarrow, and their bytes do not change when those libraries update, so a seed gives the same
places, names and phone numbers on every install. :data:`DATA_VERSION` names the bundle; a saved
model records it to say which data it was generated with.

Every table is read lazily, on first use, and cached. Tables are returned as pyarrow tables or arrays;
treat them as read-only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DATA_DIR = Path(__file__).parent / "data" / "reference"
DEFAULT_LOCALE = "en_US"


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """The bundle's manifest: format, data version, content hash, source library versions, row counts."""
    return json.loads((DATA_DIR / "manifest.json").read_text(encoding="utf-8"))


DATA_VERSION: str = manifest()["data_version"]
"""``<format>-<first 16 hex digits of the content sha256>``: changes whenever any bundled value changes."""


@lru_cache(maxsize=16)
def _table(name: str) -> pa.Table:
    return pq.read_table(DATA_DIR / f"{name}.parquet")


def countries() -> pa.Table:
    """One row per country: ``alpha2``, ``alpha3``, ``name``, ``numeric``, ``calling_code``, ``locale``,
    ``currency``, ``continent``, ``population``, ``postcode_pattern``, ``postcode_regex``, ``postcode_match``,
    ``postcode_forms``.

    Sorted by ``alpha2``. ``postcode_pattern`` is in synthframe's pattern language (``#`` digit, ``?``
    uppercase letter, ``[ABD]`` one of the letters listed, ``\\`` escapes) and its random fills match
    ``postcode_regex`` (GeoNames') at least 95 % of the time (``postcode_match`` is the share measured at
    build); null when no such form exists. ``postcode_forms`` (``[{pattern, weight}, …]``) holds several forms
    where one pattern cannot hold the country's real postcodes (GB: the real postcode areas, the Royal Mail's
    letters), null elsewhere; ``postcode_pattern`` is then the heaviest of them.
    """
    return _table("countries")


def cities() -> pa.Table:
    """GeoNames cities of 15 000+ people: ``geonameid``, ``name``, ``country`` (alpha-2), ``region``
    (admin-1 name), ``region_code`` (ISO 3166-2 suffix, the state code in the US), ``population``,
    ``timezone``, ``latitude``, ``longitude``. Sorted by country, then population descending."""
    return _table("cities")


def phones() -> pa.Table:
    """Phone number templates, several per country: ``country``, ``calling_code``, ``type`` (``mobile``,
    ``fixed_line`` or ``fixed_line_or_mobile``), ``prefix`` (fixed leading digits of the national
    significant number), ``random_digits`` (how many trailing digits may be drawn at random), ``weight``
    (sums to 1 per country) and format masks ``international``, ``national``, ``e164`` in which the
    national significant number's digits, in order, are ``#``."""
    return _table("phones")


@lru_cache(maxsize=1)
def _locale_rows() -> dict[str, dict[str, Any]]:
    return {row["locale"]: row for row in _table("locales").to_pylist()}


@lru_cache(maxsize=1)
def locales() -> list[str]:
    """The Faker locales the bundle covers, sorted (every locale :func:`countries` maps to among them)."""
    return sorted(_locale_rows())


def _locale(locale: str) -> dict[str, Any]:
    rows = _locale_rows()
    if locale in rows:
        return rows[locale]
    lang = locale.split("_")[0]
    same = [name for name in sorted(rows) if name.split("_")[0] == lang]
    return rows[same[0]] if same else rows[DEFAULT_LOCALE]


@lru_cache(maxsize=1)
def _country_locales() -> dict[str, str]:
    table = countries()
    return dict(zip(table.column("alpha2").to_pylist(), table.column("locale").to_pylist()))


def locale_for_country(alpha2: str) -> str:
    """The Faker locale for a country (``DE`` → ``de_DE``, ``CH`` → ``de_CH``); en_US when unknown."""
    return _country_locales().get(str(alpha2).upper(), DEFAULT_LOCALE)


@lru_cache(maxsize=512)
def names(locale: str) -> dict[str, pa.Array]:
    """Person names of a locale: ``first_female``, ``first_male``, ``last`` and float ``*_weights`` (each
    summing to 1). Locales without names of their own borrow a same-language locale's (else en_US's);
    an unknown locale is read as its language's first locale, else en_US."""
    source = _locale(locale)["names_locale"]
    table = _table("names")
    groups = _name_rows()
    out: dict[str, pa.Array] = {}
    for kind in ("first_female", "first_male", "last"):
        rows = pa.array(groups.get((source, kind), np.empty(0, dtype=np.int64)), pa.int64())
        out[kind] = table.column("name").take(rows).combine_chunks()
        out[f"{kind}_weights"] = table.column("weight").take(rows).combine_chunks()
    return out


@lru_cache(maxsize=1)
def _name_rows() -> dict[tuple[str, str], np.ndarray]:
    """The rows of the names table per (locale, kind), in table order: found once, so that the pools of every
    locale (a person group reads all of them) cost one pass over the table rather than one each."""
    table = _table("names")
    locale = pc.dictionary_encode(table.column("locale")).combine_chunks()
    kind = pc.dictionary_encode(table.column("kind")).combine_chunks()
    kinds = len(kind.dictionary)
    key = (locale.indices.to_numpy(zero_copy_only=False).astype(np.int64) * kinds
           + kind.indices.to_numpy(zero_copy_only=False).astype(np.int64))
    order = np.argsort(key, kind="stable")  # table order within each group, as a filter keeps it
    starts = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]]) if len(key) else np.empty(0, int)
    locales, kind_names = locale.dictionary.to_pylist(), kind.dictionary.to_pylist()
    return {(locales[key[order[s]] // kinds], kind_names[key[order[s]] % kinds]): order[s:e]
            for s, e in zip(starts, np.r_[starts[1:], len(key)])}


@lru_cache(maxsize=1024)
def pool(semantic: str, locale: str) -> tuple[str, ...] | None:
    """Faker's values of ``semantic`` for ``locale`` (``word``, ``user_name``, ``url``, ``license_plate``,
    ``catch_phrase``, ``color_name``, …: :data:`synthframe.reference_build.POOLED`), drawn once at build in
    draw order, repeats kept; None when the bundle has no such pool (a semantic it does not keep, a locale it
    does not cover, or one Faker has no provider for)."""
    table = _table("pools")
    rows = table.filter(pc.and_(pc.equal(table.column("semantic"), semantic),
                                pc.equal(table.column("locale"), locale))).to_pylist()
    if not rows:
        return None
    row = rows[0]
    if row["values"] is None:
        return pool(semantic, row["same_as"])
    return tuple(row["values"])


@lru_cache(maxsize=512)
def streets(locale: str) -> pa.Array:
    """About 500 distinct street names for a locale (Faker's, drawn once with a fixed seed)."""
    table = _table("streets")
    source = _locale(locale)["streets_locale"]
    return table.filter(pc.equal(table.column("locale"), source)).column("street").combine_chunks()


def address_order(locale: str) -> str:
    """How the locale writes a street address: ``"{number} {street}"`` (US, GB), ``"{street} {number}"``
    (DE, NL, PL), ``"{number}, {street}"`` (FR), …"""
    return _locale(locale)["address_order"]


def building_number_pattern(locale: str) -> str:
    """The locale's typical building number as a pattern (``#``, ``##``, ``###``; the median of its forms)."""
    return _locale(locale)["building_number_pattern"]


def building_number_patterns(locale: str) -> list[str]:
    """All of the locale's plain building number forms, as patterns."""
    return list(_locale(locale)["building_number_patterns"])


def email_domains(locale: str) -> list[str]:
    """Faker's free email domains for a locale (``gmx.de``, ``web.de``, … for de_DE)."""
    return list(_locale(locale)["email_domains"])


def company_suffixes(locale: str) -> list[str]:
    """Faker's company suffixes for a locale (``GmbH``, ``AG``, … for de_DE)."""
    return list(_locale(locale)["company_suffixes"])


@lru_cache(maxsize=512)
def jobs(locale: str) -> pa.Array:
    """Job titles for a locale (Faker's; en_US's where the locale has none)."""
    table = _table("jobs")
    source = _locale(locale)["jobs_locale"]
    return table.filter(pc.equal(table.column("locale"), source)).column("job").combine_chunks()


@lru_cache(maxsize=512)
def _country_row(alpha2: str) -> dict[str, Any] | None:
    table = countries()
    rows = table.filter(pc.equal(table.column("alpha2"), alpha2.upper())).to_pylist()
    return rows[0] if rows else None


def postcode_pattern(alpha2: str) -> str | None:
    """The country's postcode as a pattern (DE ``#####``, NL ``#### ??``, BR ``#####-###``), or None."""
    row = _country_row(str(alpha2))
    return row["postcode_pattern"] if row else None


def postcode_forms(alpha2: str) -> list[tuple[str, float]] | None:
    """The country's postcode forms as ``(pattern, weight)`` (weights summing to 1): several for GB (an outward
    code of a real postcode area, ``S[AEGKLMNOPRSTWY][123456789] #[ABDEFGHJLNPQRSTUWXYZ][ABDEFGHJLNPQRSTUWXYZ]``
    and the like), else its one pattern at weight 1; None when it has no pattern."""
    row = _country_row(str(alpha2))
    if not row or not row["postcode_pattern"]:
        return None
    if not row.get("postcode_forms"):
        return [(row["postcode_pattern"], 1.0)]
    return [(form["pattern"], float(form["weight"])) for form in row["postcode_forms"]]


@lru_cache(maxsize=512)
def phone_plan(alpha2: str) -> dict[str, Any] | None:
    """How to make valid phone numbers of a country, or None when the bundle has no plan for it.

    ``{"calling_code": "49", "templates": [{"type", "prefix", "random_digits", "weight",
    "international", "national", "e164"}, …]}``: a number is ``prefix`` followed by ``random_digits``
    random digits; each mask's ``#`` take that national number's digits in order.
    """
    table = phones()
    rows = table.filter(pc.equal(table.column("country"), str(alpha2).upper())).to_pylist()
    if not rows:
        return None
    templates = [{k: v for k, v in row.items() if k not in ("country", "calling_code")} for row in rows]
    return {"calling_code": rows[0]["calling_code"], "templates": templates}


def get(name: str) -> pa.Table:
    """A bundled table by name: ``countries``, ``cities``, ``phones``, ``locales``, ``names``, ``streets``
    or ``jobs``."""
    if name not in manifest()["tables"]:
        raise KeyError(f"The reference data has no table {name!r}; it has {sorted(manifest()['tables'])}.")
    return _table(name)
