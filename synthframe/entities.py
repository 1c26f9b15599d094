"""Fit step: columns of one table that describe one place or one person, found from the fitted columns
and the sample rows, so they are generated to agree (see :mod:`synthframe.generators.entities`).

A **place** is driven by the row's country — a country column when the table has one, else a country
drawn from those the samples point to (cities, calling codes). Its other columns are real: a city of
that country from the bundled gazetteer (the samples' cities at their rate, new ones by population), the
city's region, a postcode in the country's format, a valid phone number in the samples' style, a street
in the locale's way. A column joins the group only when its samples agree with what the group would
make (most cities found in their row's country, most phones in one of the country's formats); otherwise
it keeps the generator it was fitted with.

A **person** is first, last and full name plus email: names in the row's locale (from the place's
country, else the locales the sample names come from), the email built from the same names. Nothing of a
person's sample values is stored: names come from the reference lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import reference, text
from .generators.entities import COUNTRY_ALIASES, country_index
from .model import ColumnModel
from .text import _parse_pattern, _share

MIN_AGREEMENT = 0.5
"""Share of sample values a column must share with the group's making to join it."""
PLACE_ROLES = ("city", "region", "postcode", "phone", "street")
_ROLE_OF_SEMANTIC = {"city": "city", "state": "region", "state_abbr": "region", "postcode": "postcode",
                     "phone_number": "phone", "street_address": "street", "address": "street"}
_NAME_PARTS = {"first_name": "first", "last_name": "last", "name": "full"}


def _semantic(cm: ColumnModel) -> str | None:
    spec = cm.generator.get("text") if cm.generator.get("kind") in ("text", *_LOCAL_KINDS) else None
    return spec.get("semantic") if isinstance(spec, Mapping) else None


_LOCAL_KINDS = ("place_company", "place_job")
"""Kinds of company and job columns drawn in the row's country's locale (``place_company``: ``Müller GmbH`` on
a German row, ``Bernard SARL`` on a French one)."""
LOCAL_EVIDENCE = 0.3
"""Share of sample rows of other locales than the column's whose value the row's own locale's reference data
knows (a surname or legal form of a company, a job title) for a company or job column to follow the row's
country. Also needed: at least three such rows that only the row's locale knows, and at least twice as many as
rows that only the column's own locale knows (many German surnames are American ones too)."""


def _known_in(semantic: str, values: pd.Series, locale: str) -> pd.Series:
    """Whether each value is known to ``locale``'s reference data: a company whose first word is one of its
    surnames or that ends with one of its legal forms; a job title of its list (any case)."""
    if semantic == "job":
        titles = pd.Index(reference.jobs(locale).to_pylist()).str.lower()
        return values.str.lower().isin(titles)
    surnames = set(reference.names(locale)["last"].to_pylist())
    forms = tuple(" " + f for f in reference.company_suffixes(locale))
    first = values.str.replace("&", " ", regex=False).str.split().str[0]
    return first.isin(surnames) | (values.str.endswith(forms) if forms else False)


def _local_members(columns: Mapping[str, ColumnModel], df: pd.DataFrame, countries: pd.Series
                   ) -> dict[str, dict[str, Any]]:
    """Company and job columns whose sample values belong to their row's country (German companies on German
    rows) and their generators: drawn in the row's locale, the samples' values kept per country at the
    column's rate of seen values (when its spec keeps them)."""
    known = countries.dropna()
    out: dict[str, dict[str, Any]] = {}
    if known.empty:
        return out
    by_country = {c: reference.locale_for_country(c) for c in known.unique()}  # a loop over distinct countries
    locales = known.map(by_country)
    for name, cm in columns.items():
        semantic = _semantic(cm)
        if semantic not in ("company", "job") or cm.generator.get("kind") != "text" or cm.generator.get("unique") \
                or name not in df:
            continue
        spec = cm.generator["text"]
        default = str(spec.get("locale", "en_US"))
        values = df.loc[known.index, name]
        rows = values.notna() & (locales != default)
        if int(rows.sum()) < 3:
            continue
        own = pd.concat([_known_in(semantic, values[rows & (locales == loc)].astype(str), loc)
                         for loc in locales[rows].unique()]).reindex(values[rows].index)  # a loop over locales
        theirs = _known_in(semantic, values[rows].astype(str), default)
        mine_only, theirs_only = int((own & ~theirs).sum()), int((theirs & ~own).sum())
        if own.mean() < LOCAL_EVIDENCE or mine_only < 3 or mine_only < 2 * theirs_only:
            continue
        params: dict[str, Any] = {"kind": f"place_{semantic}", "text": spec}
        if spec.get("seen"):
            pairs = pd.DataFrame({"country": known, "value": df.loc[known.index, name]}).dropna()
            params["seen"] = {c: _weights(part["value"].astype(str).value_counts())
                              for c, part in pairs.groupby("country")}
            params["new"] = float(spec.get("new", 1.0))
        out[name] = params
    return out


MIN_SPELLING_AGREEMENT = 0.95
"""Share of sample rows whose second country column names the row's country, for it to follow the country."""
MIN_LEVEL_AGREEMENT = 0.99
"""Share of sample rows holding their country's usual level, for a category to follow the country."""


def _country_members(columns: Mapping[str, ColumnModel], df: pd.DataFrame, driver: str, countries: pd.Series
                     ) -> dict[str, dict[str, Any]]:
    """Columns that follow the row's country in the samples: the country spelled another way (``iso_alpha``
    beside ``country``), made from the row's country; and a category the country determines (``continent``),
    its level per country, a new country's by its continent (the level most countries of that continent have).
    A spelling's ``aliases`` are the country column's names no list knows, learned from the codes beside them."""
    out: dict[str, dict[str, Any]] = {}
    candidates = [n for n, cm in columns.items() if n != driver and n in df and not cm.generator.get("unique")]
    for name in candidates:  # the spellings first: their aliases tell more rows' countries
        cm, known = columns[name], countries.dropna()
        text = df.loc[known.index, name].dropna().astype(str).str.strip()
        if len(text) < 10 or cm.type != "string" or cm.generator.get("kind") not in ("text", "frequencies") \
                or _share(_alpha2(text) == known[text.index]) < MIN_SPELLING_AGREEMENT:
            continue
        form = "alpha2" if _share(text.str.fullmatch(r"[A-Za-z]{2}")) >= 0.9 else \
            "alpha3" if _share(text.str.fullmatch(r"[A-Za-z]{3}")) >= 0.9 else "name"
        out[name] = {"kind": "place_country", "form": form, "follows": True}
        aliases = _aliases(df[driver], df[name])
        if aliases:
            out[name]["aliases"] = aliases
            said = df[driver].astype("string").str.strip().str.lower()
            countries = countries.where(countries.notna(), said.map(aliases).astype(object))
    known = countries.dropna()
    repeated = known.value_counts()
    table = reference.countries().to_pandas().set_index("alpha2")
    for name in candidates:
        cm, levels = columns[name], columns[name].generator.get("values")
        if name in out or cm.generator.get("kind") != "frequencies" or cm.type not in ("string", "category") \
                or not levels or "time_unit" in cm.generator or int((repeated >= 2).sum()) < 10:
            continue
        text = df.loc[known.index, name].dropna().astype(str).str.strip()
        pairs = pd.DataFrame({"country": known[text.index], "level": text})
        counts = pairs.value_counts(["country", "level"]).reset_index(name="rows")
        usual = counts.sort_values(["rows", "level"], ascending=[False, True]).drop_duplicates("country")
        usual = usual.set_index("country")["level"]
        if usual.nunique() < 2 or _share(pairs["level"] == pairs["country"].map(usual)) < MIN_LEVEL_AGREEMENT:
            continue
        by_continent = pd.DataFrame({"continent": table["continent"].reindex(usual.index), "level": usual}).dropna()
        continents = by_continent.value_counts().reset_index(name="n").sort_values(
            ["n", "level"], ascending=[False, True]).drop_duplicates("continent").set_index("continent")["level"]
        out[name] = {"kind": "place_country_level", "countries": dict(usual.items()),
                     "continents": dict(continents.items()), "default": str(usual.value_counts().index[0]),
                     "levels": list(dict.fromkeys([str(v).strip() for v in levels] + sorted(set(usual))))}
    return out


def _add_followers(group: dict[str, Any], out: dict[str, ColumnModel], columns: Mapping[str, ColumnModel],
                   df: pd.DataFrame, driver: str, countries: pd.Series) -> dict[str, dict[str, Any]]:
    """Add :func:`_country_members` to the place group (each listed by its own name; their learned aliases the
    group's) and to the columns ``out``; returns them."""
    followers = _country_members(columns, df, driver, countries)
    for name, params in followers.items():
        group["columns"][name] = name
        if "aliases" in params:
            group["aliases"] = params.pop("aliases")
        out[name] = replace(columns[name], generator=params)
    return followers


def _aliases(spelled: pd.Series, codes: pd.Series) -> dict[str, str]:
    """Spellings of the country column no list knows (``Korea, Dem. Rep.``) that the row's code column names
    (``PRK``) in every sample row: lower-case spelling -> alpha-2."""
    pairs = pd.DataFrame({"said": spelled.astype("string").str.strip().str.lower(), "code": _alpha2(codes)})
    pairs = pairs[_alpha2(spelled).isna() & pairs["said"].notna() & pairs["code"].notna()]
    if pairs.empty:
        return {}
    distinct = pairs.groupby("said")["code"].nunique()  # per spelling (a few), not per row
    first = pairs.drop_duplicates("said").set_index("said")["code"]
    return {str(k): str(first[k]) for k in sorted(distinct[distinct == 1].index)}


def _weights(counts: pd.Series) -> dict[str, list]:
    shares = (counts / counts.sum()).round(6).astype(float)
    return {"values": counts.index.astype(str).tolist(), "weights": shares.tolist()}


def _alpha2(values: pd.Series) -> pd.Series:
    """Each value's alpha-2 country code (None when not a country)."""
    codes = country_index(pa.array(values.astype(object).where(values.notna(), None), pa.string()))
    alpha2 = np.array(reference.countries().column("alpha2").to_pylist() + [None], dtype=object)
    return pd.Series(alpha2[codes], index=values.index)


def _country_column(columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> tuple[str, str] | None:
    """The column naming each row's country and how it spells it (name, alpha2, alpha3)."""
    for name, cm in columns.items():
        if cm.type not in ("string", "category"):
            continue
        semantic = _semantic(cm)
        lowered = name.lower()
        if semantic not in ("country", "country_code") and "country" not in lowered and "nation" not in lowered:
            continue
        if name in df and df[name].notna().any():
            values = df[name].dropna().astype(str)
        elif cm.generator.get("kind") == "frequencies":  # no samples: the levels the schema gives
            values = pd.Series(cm.generator.get("values") or [], dtype=object).astype(str)
        else:
            continue
        if values.empty:
            continue
        if _share(_alpha2(values).notna()) < 0.9:
            continue
        if _share(values.str.fullmatch(r"[A-Za-z]{2}")) >= 0.9:
            return name, "alpha2"
        if _share(values.str.fullmatch(r"[A-Za-z]{3}")) >= 0.9 and not values.str.lower().isin(COUNTRY_ALIASES).all():
            return name, "alpha3"
        return name, "name"
    return None


MIN_CITIES_WITH_REGION = 0.25
"""Share of sample cities that must be a gazetteer city of their row's region (by name or code) for a place group
when fewer than :data:`MIN_AGREEMENT` are found in their country: small towns are missing from the gazetteer (a
list of US airports' cities: 44 % found, 31 % in their row's state, against about 2 % for real city names paired
with states at random)."""


_LATITUDE = r"(?i)^(?:.*[_ ])?(?:lat|latitude)$"
_LONGITUDE = r"(?i)^(?:.*[_ ])?(?:lon|lng|long|longitude)$"
NEAR_CITY_KM = 50.0
"""A sample point within this distance of its row's city (GeoNames centre) counts as in the city."""
MIN_NEAR_CITY = 0.6
"""Share of sample points with a known city that must lie near it for the coordinates to join the place."""


def _coordinates(columns: Mapping[str, ColumnModel], rows: pd.DataFrame, countries: pd.Series,
                 city: str) -> dict[str, dict[str, Any]]:
    """Latitude and longitude columns whose sample points lie near their row's city (most within
    :data:`NEAR_CITY_KM` of the same-named gazetteer city of the row's country nearest to them), as place
    columns: the city's centre moved by a distance at the samples' quantiles. Empty when there are none."""
    pick = {}
    for axis, pattern in (("latitude", _LATITUDE), ("longitude", _LONGITUDE)):
        names = [n for n, cm in columns.items() if cm.type == "float" and n in rows
                 and re.match(pattern, n)]
        if len(names) != 1:
            return {}
        pick[axis] = names[0]
    points = pd.DataFrame({"country": countries.reindex(rows.index).astype(object), "name": rows[city],
                           "lat": pd.to_numeric(rows[pick["latitude"]], errors="coerce"),
                           "lon": pd.to_numeric(rows[pick["longitude"]], errors="coerce")}).dropna()
    if len(points) < 10 or not (points["lat"].abs() <= 90).all() or not (points["lon"].abs() <= 180).all():
        return {}
    table = reference.cities().to_pandas()[["country", "name", "latitude", "longitude"]]
    pairs = points.reset_index().merge(table, on=["country", "name"], how="inner")  # each same-named city
    if pairs.empty:
        return {}
    lat1, lat2 = np.radians(pairs["lat"].to_numpy()), np.radians(pairs["latitude"].to_numpy())
    dlon = np.radians(pairs["lon"].to_numpy() - pairs["longitude"].to_numpy())
    central = np.arccos(np.clip(np.sin(lat1) * np.sin(lat2) + np.cos(lat1) * np.cos(lat2) * np.cos(dlon), -1, 1))
    km = pd.Series(central * 6371.0).groupby(pairs["index"].to_numpy()).min()  # the nearest same-named city
    if len(km) < 10 or _share(km <= NEAR_CITY_KM) < MIN_NEAR_CITY:
        return {}
    near = km[km <= NEAR_CITY_KM].to_numpy()
    grid = [round(float(q), 3) for q in np.quantile(near, np.linspace(0.0, 1.0, 21))]
    out = {}
    for axis, name in pick.items():
        text = rows[name].dropna().astype(str)
        decimals = int(text.str.split(".").str[1].str.len().fillna(0).max()) if len(text) else None
        params: dict[str, Any] = {"kind": f"place_{axis}", "distances": grid}
        if decimals is not None:
            params["decimals"] = min(decimals, 7)
        out[name] = params
    return out


@lru_cache(maxsize=1)
def _region_spellings() -> pd.DataFrame:
    """Every gazetteer city twice: with its region's name and with its region's code, lower-cased (``said``)."""
    table = reference.cities().to_pandas()[["country", "name", "region", "region_code"]]
    both = pd.concat([table.assign(said=table["region"]), table.assign(said=table["region_code"])])
    return both.dropna(subset=["said"]).assign(said=lambda f: f["said"].str.lower())


def _said(regions: pd.Series) -> pd.Series:
    return regions.astype("string").str.strip().str.lower().astype(object)


def _region_weights(countries: pd.Series, regions: pd.Series) -> dict[str, dict[str, list]]:
    """Per country, the gazetteer regions (by name) the sample rows name, by name or by code, at their shares."""
    lookup = _region_spellings().drop_duplicates(["country", "said"]).set_index(["country", "said"])["region"]
    keys = pd.MultiIndex.from_arrays([countries.reindex(regions.index).astype(object), _said(regions)])
    found = pd.DataFrame({"country": keys.get_level_values(0), "region": lookup.reindex(keys).to_numpy()}).dropna()
    return {code: _weights(part["region"].value_counts()) for code, part in found.groupby("country")}


def _cities_in_regions(countries: pd.Series, cities: pd.Series, regions: pd.Series) -> pd.Series:
    """Whether each (country, city) is a city of the gazetteer lying in the row's region, by name or by code."""
    spellings = _region_spellings()
    known = pd.MultiIndex.from_frame(spellings[["country", "name", "said"]])
    rows = pd.MultiIndex.from_arrays([countries.astype(object), cities.astype(object), _said(regions)])
    return pd.Series(rows.isin(known), index=cities.index)


def _cities_in(countries: pd.Series, cities: pd.Series) -> pd.Series:
    """Whether each (country, city) is a city of the reference gazetteer."""
    table = reference.cities()
    known = pd.MultiIndex.from_arrays([table.column("country").to_pandas(), table.column("name").to_pandas()])
    return pd.Series(pd.MultiIndex.from_arrays([countries.astype(object), cities.astype(object)]).isin(known),
                     index=cities.index)


def _calling_code_countries(phones: pd.Series) -> pd.Series:
    """The country of each international phone number by its calling code (the most populous country
    sharing the code), None when not written with ``+``."""
    table = reference.countries()
    frame = pd.DataFrame({"alpha2": table.column("alpha2").to_pandas(),
                          "code": table.column("calling_code").to_pandas(),
                          "population": table.column("population").to_pandas()}).dropna(subset=["code"])
    main = frame.sort_values("population", ascending=False).drop_duplicates("code").set_index("code")["alpha2"]
    digits = phones.astype(str).str.strip()
    out = pd.Series(None, index=phones.index, dtype=object)
    for width in (1, 2, 3):  # the loop is over code lengths; a calling code is a prefix code
        code = digits.str.extract(rf"^\+(\d{{{width}}})", expand=False)
        hit = code.map(main) if len(main) else code
        out = out.where(out.notna(), hit)
    return out


def _phone_style(phones: pd.Series, countries: pd.Series) -> str | None:
    """The reference format the sample phones are written in, when at least half of them are."""
    table = reference.phones().to_pandas()
    digits_as = phones.astype(str).str.strip().str.replace(r"\d", "#", regex=True)
    best, best_share = None, 0.0
    for style in ("international", "national", "e164"):
        masks = table[["country", style]].dropna()
        # the mask language escapes literals with a backslash: compare unescaped
        masks = masks.assign(shape=masks[style].str.replace(r"\\(.)", r"\1", regex=True)
                             .str.replace(r"\d", "#", regex=True))
        known = pd.MultiIndex.from_frame(masks[["country", "shape"]])
        hit = pd.MultiIndex.from_arrays([countries.astype(object), digits_as.astype(object)]).isin(known)
        share = float(np.mean(hit)) if len(hit) else 0.0
        if share > best_share:
            best, best_share = style, share
    return best if best_share >= MIN_AGREEMENT else None


def find_place(columns: dict[str, ColumnModel], df: pd.DataFrame, locales: Mapping[str, str | None] | None = None
               ) -> tuple[dict[str, ColumnModel], dict] | None:
    """The table's place group and its columns' new generators, or None when it has no place columns.
    ``locales`` holds the schema's locale hints by column: one on a place column sets the country of rows
    whose country nothing else tells (``it_IT``: Italian cities)."""
    locales = locales or {}
    roles: dict[str, str] = {}
    for name, cm in columns.items():
        role = _ROLE_OF_SEMANTIC.get(_semantic(cm) or "")
        if role and role not in roles.values() and not cm.generator.get("unique"):
            roles[name] = role
    hinted = next((locales[n] for n in roles if locales.get(n)), None)
    driver = _country_column(columns, df)
    if not roles:  # a country alone still gives the row's persons (and companies, jobs) their locale
        if not driver:
            return None
        out = dict(columns)
        group = {"columns": {"country": driver[0]}, "data_version": reference.DATA_VERSION}
        if len(df):
            local = _local_members(columns, df, _alpha2(df[driver[0]]))
            for name, params in local.items():
                group["columns"][params["kind"].removeprefix("place_")] = name
                out[name] = replace(columns[name], generator=params)
            followers = _add_followers(group, out, columns, df, driver[0], _alpha2(df[driver[0]]))
            local = {**local, **followers}
            if local:
                group["countries"] = _weights(_alpha2(df[driver[0]]).dropna().value_counts())
        return out, group
    rows = df if len(df) else pd.DataFrame(columns=list(columns))
    countries = _alpha2(rows[driver[0]]) if driver else pd.Series(None, index=rows.index, dtype=object)
    phone_col = next((n for n, r in roles.items() if r == "phone"), None)
    if phone_col is not None and phone_col in rows:
        countries = countries.where(countries.notna(), _calling_code_countries(rows[phone_col].dropna()))
    city_col = next((n for n, r in roles.items() if r == "city"), None)
    group: dict[str, Any] = {"columns": {}}
    out = dict(columns)
    if city_col is not None and city_col in rows and rows[city_col].notna().any():
        cities = rows[city_col].dropna().astype(str)
        if countries.notna().sum() == 0:
            countries = _countries_of_cities(cities).reindex(rows.index)
        found = _cities_in(countries.reindex(cities.index), cities)
        region_col = next((n for n, r in roles.items() if r == "region"), None)
        by_region = _share(found) < MIN_AGREEMENT and region_col in rows and len(cities) >= 10 and _share(
            _cities_in_regions(countries.reindex(cities.index), cities, rows[region_col].reindex(cities.index))
        ) >= MIN_CITIES_WITH_REGION
        if by_region:  # towns the gazetteer lacks: the rows' regions as the samples spread them, cities within
            group["regions"] = _region_weights(countries, rows[region_col])
        if _share(found) < MIN_AGREEMENT and not by_region:
            roles.pop(city_col)
            roles = {n: r for n, r in roles.items() if r != "region"}
        else:
            pairs = pd.DataFrame({"country": countries.reindex(cities.index)[found], "city": cities[found]})
            counts = cities.value_counts()
            group["cities"] = {
                "seen": {c: _weights(part["city"].value_counts()) for c, part in pairs.groupby("country")},
                "new": round(float((counts == 1).sum()) / float(counts.sum()), 6)}
    if countries.notna().any():
        group["countries"] = _weights(countries.dropna().value_counts())
    elif not len(rows) or hinted:
        group["countries"] = {"values": [hinted.split("_")[-1] if hinted else "US"], "weights": [1.0]}
    else:
        return None
    for name, role in roles.items():
        params: dict[str, Any] = {"kind": f"place_{role}"}
        values = rows[name].dropna().astype(str) if name in rows else pd.Series([], dtype=object)
        if role == "region" and len(values):
            params["form"] = "code" if _share(values.str.fullmatch(r"[A-Z0-9]{1,3}")) >= 0.9 else "name"
        if role == "phone" and len(values):
            style = _phone_style(values, countries.reindex(values.index))
            if style is None:
                continue
            params["style"] = style
        if role == "street" and len(values) and _share(values.str.contains(r"\d")) < MIN_AGREEMENT:
            continue
        if role == "postcode" and len(values) and not _postcodes_agree(values, countries.reindex(values.index)):
            continue
        group["columns"][role] = name
        out[name] = replace(columns[name], generator=params)
    for name, params in _local_members(columns, rows, countries).items():
        group["columns"][params["kind"].removeprefix("place_")] = name
        out[name] = replace(columns[name], generator=params)
    if driver:
        _add_followers(group, out, columns, rows, driver[0], countries)
    if "city" in group["columns"] and len(rows):
        for name, params in _coordinates(columns, rows, countries, group["columns"]["city"]).items():
            group["columns"][params["kind"].removeprefix("place_")] = name
            out[name] = replace(columns[name], generator=params)
    if not group["columns"]:
        return None
    group["data_version"] = reference.DATA_VERSION
    if driver:
        group["columns"]["country"] = driver[0]
        cm = columns[driver[0]]
        if cm.generator.get("kind") == "text":
            counts = countries.dropna().value_counts()
            out[driver[0]] = replace(cm, generator={"kind": "place_country", "form": driver[1],
                                                    "new": round(float((counts == 1).sum()) / float(counts.sum()), 6)})
    return out, group


def _countries_of_cities(cities: pd.Series) -> pd.Series:
    """The most populous country holding each city name (for tables with cities but no country)."""
    table = reference.cities()
    frame = pd.DataFrame({"name": table.column("name").to_pandas(), "country": table.column("country").to_pandas(),
                          "population": table.column("population").to_pandas()})
    best = frame.sort_values("population", ascending=False).drop_duplicates("name").set_index("name")["country"]
    return cities.map(best)


def _postcodes_agree(values: pd.Series, countries: pd.Series) -> bool:
    """Whether most sample postcodes have the shape of (one of) their row's country's format(s)."""
    shapes = _postcode_shapes()
    got = values.str.replace(r"\d", "#", regex=True).str.replace(r"[A-Z]", "?", regex=True)
    known = pd.MultiIndex.from_tuples(sorted(shapes), names=["country", "shape"]) if shapes else None
    rows = pd.MultiIndex.from_arrays([countries.astype(object).to_numpy(), got.astype(object).to_numpy()])
    return known is not None and _share(rows.isin(known)) >= MIN_AGREEMENT


@lru_cache(maxsize=1)
def _postcode_shapes() -> frozenset[tuple[str, str]]:
    """(alpha-2 code, shape) of every postcode form of every reference country."""
    return frozenset((code, _shape_of_pattern(pattern)) for code in reference.countries().column("alpha2").to_pylist()
                     for pattern, _ in reference.postcode_forms(code) or ())


def _shape_of_pattern(pattern: str) -> str:
    """A pattern as its values' shape: placeholders kept, literals as written (digits as '#', letters '?')."""
    out = []
    for is_placeholder, ch in _parse_pattern(pattern):
        if is_placeholder and ch.startswith("["):  # a set: digits, or letters (or both: as letters)
            out.append("#" if ch[1:-1].isdigit() else "?")
        elif is_placeholder:
            out.append("?" if ch in "?@" else "#")
        else:
            out.append("#" if ch.isdigit() else "?" if ch.isalpha() and ch.isupper() else ch)
    return "".join(out)


def _domains_by_country(emails: pd.Series, countries: pd.Series, allowed: set[str]) -> dict[str, Any] | None:
    """Email domains as the samples use them per country: ``international`` ones (used in two countries or
    more: gmail.com), each country's ``national`` ones (web.de only on German rows), and per country the
    ``share`` of its rows at a national domain (``default`` for countries the samples do not show; such rows
    get their locale's free-mail domains). Only ``allowed`` domains (those the column may store) are kept."""
    domain = emails.astype("string").str.extract(r"@([^@\s]+)$")[0].str.lower()
    rows = domain.notna() & countries.notna()
    if rows.sum() < 5 or countries[rows].nunique() < 2:
        return None
    table = pd.crosstab(domain[rows], countries[rows])  # domains x countries
    spread = (table > 0).sum(axis=1)
    international = table.index[spread >= 2]
    stored = table.loc[[d for d in table.index if d in allowed]]  # a loop over the few distinct domains
    out: dict[str, Any] = {}
    wide = stored.loc[stored.index.isin(international)].sum(axis=1)
    if len(wide):
        out["international"] = _weights(wide.sort_values(ascending=False))
    national = stored.loc[~stored.index.isin(international)]
    out["national"] = {c: _weights(national[c][national[c] > 0].sort_values(ascending=False))
                       for c in national.columns if (national[c] > 0).any()}
    at_national = table.loc[~table.index.isin(international)].sum(axis=0)
    out["share"] = {c: round(float(at_national[c] / table[c].sum()), 6) for c in table.columns}
    out["default"] = round(float(at_national.sum() / table.to_numpy().sum()), 6)
    return out


def find_person(columns: dict[str, ColumnModel], df: pd.DataFrame, place: Mapping[str, Any] | None,
                locales: Mapping[str, str | None] | None = None) -> tuple[dict[str, ColumnModel], dict] | None:
    """The table's person group: name columns made from one person in the row's locale, and the email
    built from them. None when the table names no person. ``locales`` holds the schema's locale hints
    by column: one on a name column fixes the group's locale."""
    locales = locales or {}
    parts: dict[str, str] = {}
    for name, cm in columns.items():
        part = _NAME_PARTS.get(_semantic(cm) or "")
        if part and part not in parts and not cm.generator.get("unique"):
            parts[part] = name
    email = next((n for n, cm in columns.items() if _semantic(cm) == "email"), None)
    if not parts and email is None:
        return None
    group: dict[str, Any] = {"columns": dict(parts), "data_version": reference.DATA_VERSION}
    if email is not None and _email_agrees(df, email, parts):
        group["columns"]["email"] = email
    hinted = next((locales[c] for c in parts.values() if locales.get(c)), None)
    if hinted:  # the schema's locale wins over the row's country and the samples
        group["locale"] = hinted
    elif parts and not (place and (place.get("columns") or {}).get("country")):
        locales = _sample_locales(df, parts)
        if locales:
            group["locales"] = locales
    sexes = _sample_sexes(df, parts)
    sex = _sex_column(columns, df, parts.get("first"), sexes)
    if sex is not None:
        group["sex"] = sex
    elif sexes is not None and int(sexes.notna().sum()) >= MIN_SEXED_NAMES:
        # the share of women among the sample first names a list knows (smoothed: a few names say little)
        group["female"] = round((float(sexes.sum()) + 1.0) / (float(sexes.notna().sum()) + 2.0), 6)
    names = _sample_names(df, parts)
    if "email" in group["columns"] and names is not None and email in df:
        group["email"] = _local_styles(df[email].dropna().astype(str).str.split("@").str[0], *names)
    driver = ((place or {}).get("columns") or {}).get("country")
    learned = (columns[email].generator.get("text") or {}).get("domains") if email is not None else None
    if "email" in group["columns"] and driver in df and learned:
        by_country = _domains_by_country(df[email], _alpha2(df[driver]), set(learned["values"]))
        if by_country:
            group["email_domains"] = by_country
    out = dict(columns)
    user = next((n for n, cm in columns.items() if _semantic(cm) == "user_name"), None)
    if user is not None and (parts or "email" in group["columns"]):
        params = {"kind": "person_user_name", **(_local_styles(df[user].dropna().astype(str), *names)
                                                 if names is not None and user in df else {})}
        if columns[user].generator.get("unique"):
            params["unique"] = True
        group["columns"]["user_name"] = user
        out[user] = replace(columns[user], generator=params)
    for part, name in parts.items():
        params: dict[str, Any] = {"kind": "person_name", "part": part}
        if part == "full" and name in df and df[name].notna().any() and \
                _share(df[name].dropna().astype(str).str.contains(",")) >= 0.5:
            params["order"] = "last, first"
        out[name] = replace(columns[name], generator=params)
    return out, group


MIN_SEXED_NAMES = 10
"""Sample first names a list knows as a woman's or a man's name needed to learn the share of women from them."""
_SEX_COLUMN = r"(?i)^(?:.*[_ ])?(?:gender|sex|geschlecht|sexe|sexo|genre|genero|género)$"
_FEMALE = frozenset({"f", "female", "w", "woman", "women", "girl", "frau", "weiblich", "femme", "féminin",
                     "feminin", "femenino", "mujer", "fem", "femal"})
_MALE = frozenset({"m", "male", "man", "men", "boy", "mann", "männlich", "maennlich", "homme", "masculin",
                   "masculino", "hombre", "masc", "h"})


@lru_cache(maxsize=1)
def _first_name_sexes() -> pd.Series:
    """Every reference first name (folded) whose lists agree on its sex: True for a woman's, False for a
    man's; names in both lists are left out."""
    names = reference.get("names").to_pandas()
    names = names.loc[names["kind"].isin(("first_female", "first_male"))]
    folded = _fold(names["name"])
    female = (names["kind"] == "first_female").groupby(folded).agg(["min", "max"])
    return female.loc[female["min"] == female["max"], "min"].astype(bool)


def _sample_sexes(df: pd.DataFrame, parts: Mapping[str, str]) -> pd.Series | None:
    """Per sample row, whether its first name (or a full name's first word) is a woman's (True), a man's
    (False), or neither list's (NA). None without first names."""
    column = parts.get("first") or parts.get("full")
    if column is None or column not in df:
        return None
    values = df[column].astype("string")
    if column == parts.get("full"):
        comma = values.str.contains(",").fillna(False).astype(bool)
        values = values.str.split(",").str[-1].str.split().str[0] if _share(comma) >= 0.5 \
            else values.str.split().str[0]
    folded = _fold(values.fillna(""))
    return folded.map(_first_name_sexes()).astype("boolean")


def _sex_column(columns: Mapping[str, ColumnModel], df: pd.DataFrame, first: str | None,
                sexes: pd.Series | None) -> dict[str, Any] | None:
    """The column that says each person's sex (``gender``: ``Male``/``Female``, ``M``/``F``), when the sample
    first names follow it (most names a list knows are of the sex the row's value says): the person's name
    is then drawn for that sex. Its levels are listed as a woman's or a man's; None when there is no such
    column or the names do not follow it."""
    if sexes is None or int(sexes.notna().sum()) < MIN_SEXED_NAMES:
        return None
    for name in columns:
        if name == first or name not in df or not re.match(_SEX_COLUMN, name):
            continue
        # the levels the column itself keeps (a value of one row is not stored, so it is not listed either)
        kept = columns[name].generator.get("values") or (columns[name].generator.get("text") or {}).get("values")
        levels = df[name].dropna().astype(str).str.strip()
        levels = levels[levels.isin({str(v).strip() for v in kept or ()})]
        words = levels.str.lower()
        female, male = words.isin(_FEMALE), words.isin(_MALE)
        if levels.empty or not female.any() or not male.any() or float((female | male).mean()) < 0.95:
            continue
        said = pd.Series(pd.NA, index=df.index, dtype="boolean")
        said[levels.index] = female.to_numpy()
        known = sexes.notna() & said.notna()
        if int(known.sum()) < MIN_SEXED_NAMES or float((sexes[known] == said[known]).mean()) < MIN_SEX_AGREEMENT:
            continue
        return {"column": name, "female": sorted(set(levels[female])), "male": sorted(set(levels[male]))}
    return None


MIN_SEX_AGREEMENT = 0.8
"""Share of sample rows whose first name is of the sex their sex column says, for names to follow it."""


def _fold(values: pd.Series) -> pd.Series:
    return values.astype(str).str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True)


def _sample_names(df: pd.DataFrame, parts: Mapping[str, str]) -> tuple[pd.Series, pd.Series] | None:
    """The sample rows' first and last names, folded to ASCII letters (from a full name when that is all)."""
    if "first" in parts and "last" in parts and {parts["first"], parts["last"]} <= set(df.columns):
        return _fold(df[parts["first"]]), _fold(df[parts["last"]])
    if "full" in parts and parts["full"] in df:
        split = df[parts["full"]].astype(str).str.replace(",", " ", regex=False).str.split()
        return _fold(split.str[0]), _fold(split.str[-1])
    return None


def _local_styles(locals_: pd.Series, first: pd.Series, last: pd.Series) -> dict[str, Any]:
    """How the samples' email local parts (or user names) are made of their row's names — ``first.last``,
    ``flast``, … with their shares — and the share ending with a number. Empty when none is."""
    from .generators.entities import LOCAL_STYLES

    if locals_.empty:
        return {}
    plain = locals_.str.lower()
    numbered = plain.str.contains(r"\d$")
    stem = plain.str.replace(r"\d+$", "", regex=True)
    first, last = first.reindex(stem.index), last.reindex(stem.index)
    initial = first.str[:1]
    shapes = {"first.last": first + "." + last, "firstlast": first + last, "first_last": first + "_" + last,
              "f.last": initial + "." + last, "flast": initial + last, "last.first": last + "." + first,
              "first": first}
    style = pd.Series(None, index=stem.index, dtype=object)
    for name in LOCAL_STYLES:  # a loop over the styles, first match wins
        style = style.where(style.notna() | (stem != shapes[name]), name)
    counts = style.dropna().value_counts()
    if counts.empty:
        return {}
    return {"styles": _weights(counts), "numbers": round(float(numbered.mean()), 6)}


def _email_agrees(df: pd.DataFrame, email: str, parts: Mapping[str, str]) -> bool:
    """Most sample emails hold their row's first or last name (or there are no samples to disagree)."""
    if email not in df or not df[email].notna().any():
        return True
    names = [df[c].astype(str).str.lower() for p, c in parts.items() if c in df and p in ("first", "last")]
    if not names and "full" in parts and parts["full"] in df:
        split = df[parts["full"]].astype(str).str.lower().str.split()
        names = [split.str[0], split.str[-1]]
    if not names:
        return True
    mails = df[email].astype(str).str.lower()
    rows = df[email].notna()
    hit = np.zeros(int(rows.sum()), dtype=bool)
    for part in names:
        hit |= np.strings.find(mails[rows].to_numpy(dtype=str), part[rows].fillna("").to_numpy(dtype=str)) >= 0
    return float(hit.mean()) >= MIN_AGREEMENT


def _sample_locales(df: pd.DataFrame, parts: Mapping[str, str]) -> dict[str, list] | None:
    """The locales the sample last names (else first names) come from: each name counted for the locale
    whose list holds it and that holds the most sample names overall. None without samples."""
    column = parts.get("last") or parts.get("full") or parts.get("first")
    if column not in df or not df[column].notna().any():
        return None
    values = df[column].dropna().astype(str).str.strip()
    if column == parts.get("full"):
        values = values.str.split(",").str[0] if _share(values.str.contains(",")) >= 0.5 else values.str.split().str[-1]
    kind = "first_name" if column == parts.get("first") else "last_name"
    # the names of every locale at once (locales whose names are their own: the names table holds no others)
    rows = pd.DataFrame({"value": values.to_numpy(), "row": np.arange(len(values))})
    found = text._locale_lookup(kind).merge(rows, on="value")
    if found.empty:
        return None
    score = found.groupby("locale")["row"].nunique()
    found = found.assign(score=found["locale"].map(score)).sort_values(["score", "locale"], ascending=[False, True])
    chosen = found.drop_duplicates("row")["locale"].value_counts()
    chosen = chosen[chosen >= max(1, 0.05 * float(chosen.sum()))]
    return _weights(chosen)


_LEGAL = (r"\b(?:inc|incorporated|ltd|limited|llc|llp|plc|corp|corporation|co|company|group|gmbh|ag|kg|ohg|sa|"
          r"sarl|sas|srl|spa|bv|nv|oy|ab|as|pty|and|und|et|the)\b")
"""Words a company's web domain leaves out (``Acme Corp`` -> ``acme``)."""


def company_slug(names: pd.Series) -> pd.Series:
    """A company name as its web domain's name: lower-case ASCII letters and digits, legal forms dropped
    (``Müller & Söhne GmbH`` -> ``mullersohne``)."""
    plain = names.astype(str).str.lower().str.normalize("NFKD").str.replace(r"[^a-z0-9 ]", " ", regex=True)
    return plain.str.replace(_LEGAL, " ", regex=True).str.replace(r"\s+", "", regex=True)


def _domain_of(values: pd.Series) -> pd.Series:
    """The host of an email, URL or domain value, without ``www.``."""
    text = values.astype(str).str.lower().str.strip()
    text = text.str.replace(r"^[^@]*@", "", regex=True).str.replace(r"^[a-z]+://", "", regex=True)
    return text.str.extract(r"^(?:www\.)?([a-z0-9.\-]+\.[a-z]{2,})", expand=False).fillna("")


def find_company(columns: dict[str, ColumnModel], df: pd.DataFrame, person: Mapping[str, Any] | None
                 ) -> tuple[dict[str, ColumnModel], dict] | None:
    """The table's company group: a company column, and the web domains, URLs and emails whose host is
    the row's company's name (``Cobalt Data`` -> ``cobaltdata.io``, ``https://www.cobaltdata.io``,
    ``kimberly.santiago@cobaltdata.io``) in at least half of the sample rows. None when nothing is tied."""
    company = next((n for n, cm in columns.items() if _semantic(cm) == "company"), None)
    if company is None or company not in df or not df[company].notna().any():
        return None
    slug = company_slug(df[company])
    email = ((person or {}).get("columns") or {}).get("email")
    tied: dict[str, Any] = {}
    for name, cm in columns.items():  # a loop over the table's columns
        semantic = _semantic(cm)
        if name not in df or semantic not in ("url", "domain_name", "email") or cm.generator.get("unique"):
            continue
        if semantic == "email" and name != email:
            continue
        rows = df[name].notna() & df[company].notna()
        host = _domain_of(df.loc[rows, name])
        stem = host.str.rsplit(".", n=1).str[0]
        mine = (stem == slug[rows]) & (slug[rows] != "")
        if float(mine.mean()) < (0.2 if semantic == "email" else MIN_AGREEMENT):
            continue  # emails: a share of business addresses among free-mail ones is enough
        tlds = host[mine].str.rsplit(".", n=1).str[1].value_counts()
        spec: dict[str, Any] = {"tlds": _weights(tlds), "share": round(float(mine.mean()), 6)}
        if semantic == "url":
            starts = df.loc[rows, name][mine].astype(str).str.extract(r"^((?:https?://)?(?:www\.)?)", expand=False)
            spec["prefix"] = str(starts.mode().iloc[0]) if len(starts.dropna()) else "https://"
        tied[name] = (semantic, spec)
    if not tied:
        return None
    out = dict(columns)
    group: dict[str, Any] = {"columns": {"company": company}}
    for name, (semantic, spec) in tied.items():
        if semantic == "email":
            group["email"] = {"column": name, **spec}
            continue
        group["columns"][name] = name
        out[name] = replace(columns[name], generator={"kind": "company_domain", "url": semantic == "url", **spec})
    return out, group
