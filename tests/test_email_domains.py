"""Email domains as the samples use them per country: web.de only on German rows, gmail.com anywhere, a
country's own free-mail domains where the samples show national ones it has none of."""

from __future__ import annotations

import pandas as pd
import pytest

import synthframe as sf
from synthframe import reference

ROWS = [  # first, last, domain, country
    ("Anna", "Müller", "web.de", "Germany"), ("Jonas", "Schmidt", "gmx.de", "Germany"),
    ("Lea", "Fischer", "web.de", "Germany"), ("Paul", "Weber", "gmx.de", "Germany"),
    ("Marie", "Wagner", "web.de", "Germany"), ("Lukas", "Becker", "t-online.de", "Germany"),
    ("Camille", "Martin", "free.fr", "France"), ("Louis", "Bernard", "gmail.com", "France"),
    ("Chloé", "Dubois", "orange.fr", "France"), ("Hugo", "Thomas", "laposte.net", "France"),
    ("Emily", "Smith", "gmail.com", "United States"), ("James", "Johnson", "outlook.com", "United States"),
    ("Olivia", "Brown", "yahoo.com", "United States"), ("Liam", "Davis", "gmail.com", "United States"),
    ("Ava", "Miller", "aol.com", "United States"), ("Noah", "Wilson", "outlook.com", "United States"),
]
SAMPLES = pd.DataFrame({
    "id": range(1, len(ROWS) + 1), "first_name": [r[0] for r in ROWS], "last_name": [r[1] for r in ROWS],
    "email": [f"{r[0].lower()}.{r[1].lower()}@{r[2]}" for r in ROWS], "country": [r[3] for r in ROWS]})
SCHEMA = {"tables": {"people": {"primary_key": "id", "columns": {
    "id": "integer", "first_name": "string", "last_name": "string", "email": "string", "country": "string"}}}}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"people": SAMPLES})


def test_domains_are_learned_per_country(model: sf.Model):
    spec = model.tables["people"].layout["person"]["email_domains"]
    assert spec["international"] == {"values": ["gmail.com"], "weights": [1.0]}  # the one of two countries
    assert spec["national"] == {"DE": {"values": ["web.de", "gmx.de"], "weights": [0.6, 0.4]},
                                "US": {"values": ["outlook.com"], "weights": [1.0]}}  # the others: one row each
    assert spec["share"] == {"DE": 1.0, "FR": 0.75, "US": 0.666667}


def test_rows_get_their_countrys_domains(model: sf.Model):
    rows = model.sample({"people": 8000}, seed=2)["people"]
    domain = rows["email"].str.split("@").str[1]
    country = rows["country"].astype(str)
    assert set(domain[country == "Germany"]) == {"web.de", "gmx.de"}
    assert not domain[country != "Germany"].isin(["web.de", "gmx.de"]).any()
    french = domain[country == "France"]
    local = reference.email_domains("fr_FR")  # French free mail, gmail.com among them
    assert set(french) <= set(local)
    # three of four French sample rows at a national domain: French free mail (gmail.com one of its 17) ...
    expected = 0.75 * (len(local) - 1) / len(local)
    share = (french != "gmail.com").mean()
    assert abs(share - expected) < 5 * (expected * (1 - expected) / len(french)) ** 0.5


def test_strict_privacy_keeps_no_domain_fewer_than_five_rows_use(model: sf.Model):
    strict = sf.fit(SCHEMA, {"people": SAMPLES}, privacy="strict").tables["people"].layout["person"]
    spec = strict.get("email_domains")
    stored = [] if spec is None else [*(spec.get("international") or {}).get("values", []),
                                      *(v for s in spec.get("national", {}).values() for v in s["values"])]
    assert stored == []
