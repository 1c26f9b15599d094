"""Formats round-trip, for any format: codes made from a learned pattern look like the samples it was
learned from, position by position; phone numbers of any country come out valid and in the style asked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthframe import reference, text
from synthframe.generators.text import generate_text, text_capacity

ALPHABETS = {"#": "0123456789", "?": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "@": "abcdefghijklmnopqrstuvwxyz"}
token = st.one_of(st.sampled_from(["#", "#", "?", "@"]), st.sampled_from(["-", "/", "_", ".", " ", "SKU-", "N"]))
formats = st.lists(token, min_size=2, max_size=10).filter(lambda ts: "#" in ts)


def _fill(tokens: list[str], rng: np.random.Generator, n: int) -> list[str]:
    columns = [rng.choice(list(ALPHABETS[t]), n) if t in ALPHABETS else np.full(n, t) for t in tokens]
    return ["".join(parts) for parts in zip(*columns)]


def _shape(value: str) -> str:
    return "".join("#" if c.isdigit() else "?" if c.isupper() else "@" if c.islower() else c for c in value)


@settings(max_examples=60, deadline=None)
@given(tokens=formats, seed=st.integers(0, 2**32 - 1))
def test_codes_from_a_learned_pattern_look_like_their_samples(tokens: list[str], seed: int):
    samples = pd.Series(_fill(tokens, np.random.default_rng(seed), 200))
    spec = text.fit_text("t", "code", samples)
    assert spec["kind"] == "pattern"
    assert text._pattern_matches(spec["pattern"], samples).all()  # the pattern holds every sample
    made = pd.Series(generate_text(spec, seed=seed, table="t", column="code", rows=range(500)).to_pylist())
    assert set(made.map(_shape)) <= set(samples.map(_shape))  # and makes nothing shaped otherwise
    n = min(300, text_capacity(spec))
    unique = generate_text(spec, seed=seed, table="t", column="code", rows=range(n), unique_ids=np.arange(n))
    assert len(set(unique.to_pylist())) == n


PLANNED = sorted(set(reference.phones().column("country").to_pylist()))


@settings(max_examples=40, deadline=None)
@given(country=st.sampled_from(PLANNED), style=st.sampled_from(["international", "national", "e164"]),
       seed=st.integers(0, 2**32 - 1))
def test_phone_numbers_of_any_country_are_valid_in_the_style_asked(country: str, style: str, seed: int):
    phonenumbers = pytest.importorskip("phonenumbers")
    import synthframe as sf

    name = reference.countries().to_pandas().set_index("alpha2").loc[country, "name"]
    schema = {"tables": {"t": {"primary_key": "id", "columns": {
        "id": "integer", "country": {"type": "category", "values": [name]}, "phone": {"type": "string",
                                                                                      "semantic": "phone"}}}}}
    data = sf.fit(schema).to_dict()
    data["tables"]["t"]["columns"]["phone"]["generator"] = {"kind": "place_phone", "style": style}
    phones = sf.Model.from_dict(data).sample({"t": 50}, seed=seed % 1000)["t"]["phone"]
    fmt = {"international": phonenumbers.PhoneNumberFormat.INTERNATIONAL,
           "national": phonenumbers.PhoneNumberFormat.NATIONAL, "e164": phonenumbers.PhoneNumberFormat.E164}[style]
    for phone in phones:  # a check per generated value, in the test only
        number = phonenumbers.parse(phone, None if style != "national" else country)
        assert phonenumbers.is_valid_number(number), (country, phone)
        if style == "e164":
            assert phonenumbers.format_number(number, fmt) == phone
