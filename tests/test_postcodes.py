"""Postcodes of the place group, and the pattern language's sets (``[ABD]``: one of the characters listed).

United Kingdom postcodes follow the Royal Mail's format: a real postcode area, a district, and an inward code
whose two letters are never C, I, K, M, O or V. Every other country's postcodes are made as before.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import synthframe as sf
from synthframe import reference
from synthframe.generators.entities import PlacePostcode
from synthframe.schema import Column
from synthframe.text import (
    _parse_pattern,
    _pattern_matches,
    _random_pattern,
    format_pattern,
    learn_pattern,
    pattern_capacity,
)

ROYAL_MAIL = re.compile(
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) [0-9][ABD-HJLNP-UW-Z]{2}")
"""The Royal Mail's format (the UK government's data standard), with the letters used at each position."""
GB_AREAS = frozenset({
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH", "CM", "CO", "CR",
    "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY",
    "G", "GL", "GU", "HA", "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG", "IP", "IV", "KA", "KT", "KW", "KY", "L",
    "LA", "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL",
    "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO",
    "SP", "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD",
    "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
})
"""The 121 postcode areas of the United Kingdom (Guernsey's GY, Jersey's JE and the Isle of Man's IM are not)."""


# -- sets in the pattern language --------------------------------------------------------------

def test_a_set_is_one_placeholder_drawing_only_the_characters_listed():
    assert _parse_pattern("[DBA]#") == [(True, "[ABD]"), (True, "#")]  # canonical: sorted, each once
    assert _parse_pattern("[AAB]") == [(True, "[AB]")]
    assert pattern_capacity("[ABD]-[12]#") == 3 * 2 * 10
    assert format_pattern("[ABD][12]", np.arange(6)).to_pylist() == ["A1", "A2", "B1", "B2", "D1", "D2"]
    drawn = _random_pattern("X[ABD][789]", np.arange(5000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    assert set(drawn.to_pylist()) == {f"X{a}{d}" for a in "ABD" for d in "789"}
    assert _pattern_matches("[ABD]#", pd.Series(["A1", "D9", "C1", "a1"])).tolist() == [True, True, False, False]


@pytest.mark.parametrize("pattern", ["[#]", "[", "[]", "]", "[A-C]", "[a b]", "\\[AB]", "[?#]"])
def test_a_bracket_that_does_not_open_a_set_is_a_literal(pattern: str):
    literal = [ch for ch in pattern.replace("\\[", "[") if ch != "\\"]
    parsed = _parse_pattern(pattern)
    assert "".join(ch for _, ch in parsed) == "".join(literal)
    assert not any(is_ph and ch.startswith("[") for is_ph, ch in parsed)


def test_learned_patterns_escape_an_opening_bracket():
    pattern = learn_pattern(pd.Series([f"[OK] {n:03d}" for n in range(40)]))
    assert pattern == "\\[OK] ###"
    assert format_pattern(pattern, np.array([7])).to_pylist() == ["[OK] 007"]


def test_a_regex_literal_bracket_stays_a_literal():
    from synthframe.sdv_metadata import regex_to_pattern

    pattern = regex_to_pattern(r"\[A\]\d{2}")
    assert format_pattern(pattern, np.array([7])).to_pylist() == ["[A]07"]


# -- GB postcodes --------------------------------------------------------------------------------

class _Rows:
    """What a postcode column asks of a draw context: a stream of uniform draws per purpose (seeded by its name
    here), and the rows' country column."""

    def __init__(self, countries: list[str]):
        self.rows = np.arange(len(countries))
        self.countries = pa.array(countries, pa.string())

    def uniform(self, column: str, purpose: str) -> np.ndarray:
        digest = hashlib.blake2b(f"{column}/{purpose}".encode(), digest_size=8).digest()
        return np.random.default_rng(int.from_bytes(digest, "little")).random(len(self.rows))

    def values(self, column: str) -> pa.Array:
        return self.countries


def _postcodes(countries: list[str]) -> list[str]:
    generator = PlacePostcode(Column("postcode", "string"), {}, "t", {"columns": {"country": "country"}})
    ctx = _Rows(countries)
    return generator.draw(ctx.rows, ctx).to_pylist()


def test_generated_gb_postcodes_follow_the_royal_mail_format_with_real_areas():
    codes = pd.Series(_postcodes(["United Kingdom"] * 10_000))
    bad = codes[~codes.map(lambda c: ROYAL_MAIL.fullmatch(c) is not None)]
    assert bad.empty, bad.head().tolist()
    areas = codes.str.extract(r"^([A-Z]+)")[0]
    assert set(areas) <= GB_AREAS and len(set(areas)) >= 115  # every area about as likely: all but a few show
    assert not (set(codes.str[-2:].str.cat()) & set("CIKMOV"))
    assert {len(c.split()[0]) for c in codes} == {2, 3, 4}  # A9, A99/AA9, AA99
    assert codes.nunique() > 9_900


def test_gb_postcodes_from_a_fitted_model_follow_the_royal_mail_format():
    samples = pd.DataFrame({
        "id": range(1, 9),
        "city": ["Manchester", "Edinburgh", "Birmingham", "Leeds", "Cardiff", "Glasgow", "Bristol",
                 "Newcastle upon Tyne"],
        "postcode": ["M3 2BW", "EH2 2AN", "B1 2HF", "LS1 4AP", "CF10 1EP", "G2 1DY", "BS1 4DJ", "NE1 7RU"],
        "country": ["United Kingdom"] * 8,
    })
    schema = {"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "city": "string", "postcode": "string", "country": "category"}}}}
    model = sf.fit(schema, {"t": samples})
    assert model.tables["t"].columns["postcode"].generator["kind"] == "place_postcode"
    codes = model.sample({"t": 10_000}, seed=3)["t"]["postcode"]
    assert codes.map(lambda c: ROYAL_MAIL.fullmatch(c) is not None).all()


OTHERS = ["United States", "Germany", "France", "Netherlands", "Canada", "Brazil", "Japan", "Ireland", "Jersey",
          "Poland", "India", "nowhere"]


def test_other_countries_postcodes_are_unchanged():
    countries = (OTHERS + ["United Kingdom"]) * 300
    codes = _postcodes(countries)
    others = [c for c, country in zip(codes, countries) if country != "United Kingdom"]
    # made before GB had forms of its own: every other country's values are the same
    assert others[:len(OTHERS)] == ["90309", "23693", "77002", "4368 AR", "A8A 5A0", "27001-902", "312-8610",
                                    "A99 4838", "A52 8AA", "69-468", "869642", "71055"]
    assert hashlib.sha256("\n".join(others).encode()).hexdigest()[:16] == "1c08b64213af0f2a"


def test_only_gb_has_several_postcode_forms_and_its_pattern_is_one_of_them():
    table = reference.countries()
    with_forms = [code for code, forms in zip(table.column("alpha2").to_pylist(),
                                                  table.column("postcode_forms").to_pylist()) if forms]
    assert with_forms == ["GB"]
    forms = reference.postcode_forms("GB")
    assert reference.postcode_pattern("GB") in [p for p, _ in forms]
    assert abs(sum(w for _, w in forms) - 1) < 1e-9
    assert reference.postcode_forms("DE") == [("#####", 1.0)] and reference.postcode_forms("AQ") is None
