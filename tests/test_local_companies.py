"""Companies and job titles of the row's country, when the samples tie them to it (``Müller GmbH`` and
``Krankenschwester`` on German rows, ``Bernard SARL`` on French ones)."""

from __future__ import annotations

import pandas as pd
import pytest

import synthframe as sf
from synthframe import reference

SAMPLES = pd.DataFrame({
    "id": range(1, 25),
    "company": ["Cobalt Data", "Northwind Traders", "Summit Supply", "Kestrel Group", "Lumen Studio", "Müller GmbH",
                "Schneider & Partner", "Fischer AG", "Wagner Logistik", "Becker KG", "Société Martin", "Bernard SARL",
                "Dubois et Fils", "Thomas Conseil", "Smith & Sons", "Jones Consulting", "Taylor Ltd", "Brown Holdings",
                "Maple Analytics", "Tremblay Inc", "Prairie Energy", "Northern Lights Media", "Hoffmann Bau",
                "Wright & Co"],
    "job": ["Data Analyst", "Accountant", "Nurse", "Teacher", "Graphic Designer", "Informatiker", "Bankkauffrau",
            "Ingenieur", "Krankenschwester", "Elektriker", "Comptable", "Infirmier", "Professeur", "Ingénieur",
            "Solicitor", "Pharmacist", "Architect", "Teacher", "Data Analyst", "Engineer", "Geologist", "Producer",
            "Architektin", "Sales Manager"],
    "city": ["Seattle", "Boston", "Denver", "Austin", "Chicago", "Berlin", "Hamburg", "München", "Köln", "Bremen",
             "Paris", "Lyon", "Marseille", "Toulouse", "London", "Leeds", "Bristol", "Manchester", "Toronto",
             "Montréal", "Calgary", "Ottawa", "Dresden", "Portland"],
    "country": ["United States"] * 5 + ["Germany"] * 5 + ["France"] * 4 + ["United Kingdom"] * 4 + ["Canada"] * 4
               + ["Germany", "United States"],
})
SCHEMA = {"tables": {"customers": {"primary_key": "id", "columns": {
    "id": "integer", "company": "string", "job": "string", "city": "string", "country": "string"}}}}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"customers": SAMPLES})


@pytest.fixture(scope="module")
def rows(model: sf.Model) -> pd.DataFrame:
    return model.sample({"customers": 6000}, seed=7)["customers"]


def test_company_and_job_join_the_place_group(model: sf.Model):
    table = model.tables["customers"]
    assert table.layout["place"]["columns"]["company"] == "company"
    assert table.layout["place"]["columns"]["job"] == "job"
    assert table.columns["company"].generator["kind"] == "place_company"
    assert table.columns["job"].generator["kind"] == "place_job"
    assert "Müller GmbH" in table.columns["company"].generator["seen"]["DE"]["values"]


def _form(company: pd.Series, locale: str) -> pd.Series:
    return company.str.endswith(tuple(" " + f for f in reference.company_suffixes(locale)))


def test_new_companies_carry_their_countrys_legal_forms(rows: pd.DataFrame):
    new = ~rows["company"].isin(SAMPLES["company"])
    german, french = new & (rows["country"] == "Germany"), new & (rows["country"] == "France")
    american = new & rows["country"].isin(["United States", "Canada", "United Kingdom"])
    assert german.sum() > 300 and french.sum() > 300
    assert _form(rows.loc[german, "company"], "de_DE").all()
    assert _form(rows.loc[french, "company"], "fr_FR").all()
    assert not rows.loc[american, "company"].str.contains(r"\b(?:GmbH|SARL|KG)\b").any()


def test_kept_sample_values_stay_in_their_country(rows: pd.DataFrame):
    german = ["Informatiker", "Bankkauffrau", "Ingenieur", "Krankenschwester", "Elektriker", "Architektin"]
    french = ["Comptable", "Infirmier", "Professeur", "Ingénieur"]
    for titles, country in ((german, "Germany"), (french, "France")):
        kept = rows[rows["job"].isin(titles)]
        assert len(kept) > 50
        assert (kept["country"] == country).all()


def test_new_jobs_come_from_the_rows_locale(rows: pd.DataFrame):
    new = ~rows["job"].isin(SAMPLES["job"])
    for country, locale in (("Germany", "de_DE"), ("France", "fr_FR"), ("United States", "en_US")):
        mine = rows.loc[new & (rows["country"] == country), "job"]
        assert len(mine) > 100
        assert mine.isin(reference.jobs(locale).to_pylist()).all(), country


def test_companies_of_one_country_are_not_tied():
    samples = SAMPLES.assign(country="United States")
    table = sf.fit(SCHEMA, {"customers": samples}).tables["customers"]
    assert table.columns["company"].generator["kind"] == "text"
