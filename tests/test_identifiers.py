"""IBANs, card numbers, social security numbers, MAC and IPv6 addresses: valid by their checks, unique on
demand, without limit on variety, and learned from samples without keeping any sample value."""

from __future__ import annotations

import ipaddress
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from schwifty import IBAN
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.us import ssn as us_ssn

import synthframe as sf
from synthframe import identifiers

BITS = np.random.default_rng(11).integers(0, 2**63, 2000, dtype=np.int64).astype(np.uint64)


def _valid_iban(value: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # countries without a national checksum say so in a warning
            IBAN(value, validate_bban=True)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("country", sorted(identifiers.BBAN))
def test_ibans_of_every_country_pass_the_national_and_iban_checks(country: str):
    spec = {"countries": {"values": [country], "weights": [1.0]}}
    drawn = identifiers.make("iban", spec, BITS, None).to_pylist()
    ids = np.random.default_rng(3).choice(identifiers.capacity("iban", spec), 500, replace=False)
    unique = identifiers.make("iban", spec, BITS[:500], ids).to_pylist()
    assert len(set(unique)) == 500
    assert all(v.startswith(country) for v in drawn + unique)
    assert all(_valid_iban(v) for v in drawn + unique)
    assert all(std_iban.is_valid(v) for v in drawn + unique if country != "BE")  # stdnum also wants known BE banks
    assert len(set(drawn)) == len(drawn)


def test_ibans_keep_their_bank_codes_and_grouping():
    spec = {"countries": {"values": ["GB"], "weights": [1.0]}, "grouped": " "}
    values = identifiers.make("iban", spec, BITS, None).to_pylist()
    assert {v[5:9] for v in values} <= set(identifiers.BANK_CODES["GB"])
    assert all(len(v) == 27 and v.count(" ") == 5 for v in values)  # GB82 WEST 1234 5698 7654 32
    assert all(_valid_iban(v) for v in values)


def test_card_numbers_pass_luhn_with_the_brands_prefixes_lengths_and_shares():
    values = identifiers.make("credit_card_number", {}, BITS, None).to_pylist()
    assert all(luhn.is_valid(v) for v in values)
    brands = pd.Series([identifiers.brand_of(v) for v in values])
    assert brands.notna().all()
    for brand, (_, _, share) in identifiers.CARD_BRANDS.items():
        observed = (brands == brand).mean()
        assert abs(observed - share) < 5 * np.sqrt(share * (1 - share) / len(values)), brand


def test_unique_card_numbers_are_distinct_and_valid():
    cap = identifiers.capacity("credit_card_number", {})
    ids = np.random.default_rng(5).choice(cap, 2000, replace=False)
    values = identifiers.make("credit_card_number", {}, BITS, ids).to_pylist()
    assert len(set(values)) == 2000 and all(luhn.is_valid(v) for v in values)


def test_social_security_numbers_follow_the_ssa_rules():
    values = identifiers.make("ssn", {}, BITS, None).to_pylist()
    assert all(us_ssn.is_valid(v) for v in values)
    areas = {int(v[:3]) for v in values}
    assert not areas & ({0, 666} | set(range(900, 1000)))
    ids = np.arange(identifiers.SSN_CAPACITY - 2000, identifiers.SSN_CAPACITY)
    unique = identifiers.make("ssn", {"grouped": ""}, BITS, ids).to_pylist()
    assert len(set(unique)) == 2000 and all(len(v) == 9 and us_ssn.is_valid(v) for v in unique)


def test_mac_and_ipv6_addresses_are_unicast_and_global():
    macs = identifiers.make("mac_address", {}, BITS, None).to_pylist()
    assert all(int(m[:2], 16) & 1 == 0 and len(m) == 17 for m in macs)
    addresses = [ipaddress.IPv6Address(v) for v in identifiers.make("ipv6", {}, BITS, None).to_pylist()]
    assert all(a in ipaddress.IPv6Network("2000::/3") for a in addresses)


SAMPLES = pd.DataFrame({
    "account_iban": ["DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606",
                     "DE44 5001 0517 5407 3249 31", "GB29 NWBK 6016 1331 9268 19", "DE02 1203 0000 0000 2020 51"],
    "card_number": ["4111-1111-1111-1111", "5500-0000-0000-0004", "4012-8888-8888-1881", "4222-2222-2222-2222",
                    "5105-1051-0510-5100"],
    "ssn": ["123456789", "078051120", "219099999", "457555462", "536904399"],
})
SCHEMA = {"tables": {"t": {"columns": {"account_iban": "string", "card_number": "string", "ssn": "string"}}}}


def test_learned_from_samples_countries_brands_and_grouping_but_no_value():
    model = sf.fit(SCHEMA, {"t": SAMPLES})
    stored = json.dumps(model.to_dict())
    assert not any(v in stored for c in SAMPLES for v in SAMPLES[c])
    out = model.sample({"t": 20_000}, seed=3)["t"]
    assert not set(out["account_iban"]) & set(SAMPLES["account_iban"])
    compact = out["account_iban"].str.replace(" ", "")
    assert compact.map(_valid_iban).all()
    shares = compact.str[:2].value_counts(normalize=True)
    for country, share in {"DE": 0.6, "FR": 0.2, "GB": 0.2}.items():
        assert abs(shares[country] - share) < 5 * np.sqrt(share * (1 - share) / len(out))
    assert out["card_number"].str.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{4}").all()
    assert out["card_number"].str.replace("-", "").map(luhn.is_valid).all()
    brands = out["card_number"].str.replace("-", "").map(identifiers.brand_of)
    assert set(brands) == {"visa", "mastercard"}  # the samples' brands
    assert out["ssn"].str.fullmatch(r"\d{9}").all() and out["ssn"].map(us_ssn.is_valid).all()
    assert out.nunique().min() == len(out)  # 20,000 distinct values each: no pool


def test_unique_columns_stay_valid_past_any_pool():
    schema = {"tables": {"t": {"columns": {c: {"type": "string", "semantic": c, "unique": True}
                                           for c in ("iban", "credit_card_number", "ssn", "mac_address")}}}}
    out = sf.fit(schema, {}).sample({"t": 50_000}, seed=1)["t"]
    assert out.nunique().min() == 50_000
    assert out["iban"].map(_valid_iban).all() and out["credit_card_number"].map(luhn.is_valid).all()
    assert out["iban"].str.startswith("GB").all()  # en_US has no IBAN: the British layout, as is usual
