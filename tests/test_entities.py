"""Places and persons that agree within a row, from the bundled reference data.

The samples tie each customer's city, phone and names to the row's country; the generated rows must
too, for countries the samples never showed as well: the city is a real city of the country, the
region its region, the phone a valid number of the country (checked with ``phonenumbers``) written in
the samples' style, the postcode in the country's format, the names from the country's locale.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import synthframe as sf
from synthframe import reference
from synthframe.generators.entities import country_index

phonenumbers = pytest.importorskip("phonenumbers")

SAMPLES = pd.DataFrame({
    "id": range(1, 13),
    "first_name": ["Kimberly", "Abigail", "Jeffrey", "Darren", "Astrid", "Lukas", "Sophie", "Jonas", "Emma",
                   "Camille", "Hugo", "Olivia"],
    "last_name": ["Santiago", "Fisher", "Anderson", "Carter", "Gautier", "Müller", "Schneider", "Fischer",
                  "Wagner", "Martin", "Bernard", "Smith"],
    "email": ["kimberly.santiago@mail.com", "abigail.fisher@mail.com", "jeffrey.anderson@mail.com",
              "darren.carter@mail.com", "astrid.gautier@mail.fr", "lukas.mueller@web.de",
              "sophie.schneider@web.de", "jonas.fischer@web.de", "emma.wagner@web.de", "camille.martin@mail.fr",
              "hugo.bernard@mail.fr", "olivia.smith@mail.com"],
    "phone": ["+1 617-423-8260", "+1 613-297-6750", "+1 514-943-5380", "+44 7821 440974", "+33 6 75 16 56 14",
              "+49 151 23456789", "+49 160 98765432", "+49 170 11223344", "+49 30 1234567", "+33 1 42 68 53 00",
              "+33 6 12 34 56 78", "+1 212-555-0147"],
    "city": ["Boston", "Ottawa", "Montreal", "Brighton", "Marseille", "Munich", "Hamburg", "Berlin", "Cologne",
             "Paris", "Lyon", "New York City"],
    "state": ["Massachusetts", "Ontario", "Quebec", "England", "Provence-Alpes-Côte d'Azur", "Bavaria", "Hamburg",
              "Berlin", "North Rhine-Westphalia", "Île-de-France", "Auvergne-Rhône-Alpes", "New York"],
    "country": ["United States", "Canada", "Canada", "United Kingdom", "France", "Germany", "Germany", "Germany",
                "Germany", "France", "France", "United States"],
})
SCHEMA = {"tables": {"customers": {"primary_key": "id", "columns": {
    "id": "integer", "first_name": "string", "last_name": "string",
    "email": {"type": "string", "unique": True}, "phone": "string", "city": "string", "state": "string",
    "country": "category"}}}}


@pytest.fixture(scope="module")
def model() -> sf.Model:
    return sf.fit(SCHEMA, {"customers": SAMPLES})


@pytest.fixture(scope="module")
def rows(model: sf.Model) -> pd.DataFrame:
    return model.sample({"customers": 20_000}, seed=5)["customers"]


def _alpha2(values: pd.Series) -> pd.Series:
    codes = country_index(pa.array(values.astype(str), pa.string()))
    return pd.Series(np.array(reference.countries().column("alpha2").to_pylist() + [None], dtype=object)[codes],
                     index=values.index)


def test_the_groups_are_found_and_listed_in_the_model(model: sf.Model):
    layout = model.tables["customers"].layout
    assert layout["place"]["columns"] == {"country": "country", "city": "city", "region": "state", "phone": "phone"}
    assert layout["person"]["columns"] == {"first": "first_name", "last": "last_name", "email": "email"}
    columns = model.tables["customers"].columns
    assert columns["phone"].generator == {"kind": "place_phone", "style": "international"}
    assert columns["state"].generator == {"kind": "place_region", "form": "name"}
    assert layout["place"]["cities"]["new"] == 1.0  # every sample city seen once
    # the gazetteer's cities only: GeoNames writes Cologne as Köln
    assert layout["place"]["cities"]["seen"]["DE"]["values"] == ["Munich", "Hamburg", "Berlin"]


def test_every_city_is_a_real_city_of_the_rows_country_in_its_region(rows: pd.DataFrame):
    cities = reference.cities().to_pandas()
    country = _alpha2(rows["country"])
    assert country.notna().all()
    known = pd.MultiIndex.from_frame(cities[["country", "name", "region"]])
    got = pd.MultiIndex.from_arrays([country, rows["city"], rows["state"]])
    assert got.isin(known).all()
    # new cities at the learned rate, by population: Germany's biggest city leads its rows
    german = rows.loc[country == "DE", "city"].value_counts()
    assert german.index[0] == "Berlin" and german.size > 100


def test_every_phone_is_valid_for_the_rows_country_in_the_samples_style(rows: pd.DataFrame):
    country = _alpha2(rows["country"])
    sample = rows.sample(2000, random_state=1)
    parsed = [phonenumbers.parse(p, None) for p in sample["phone"]]
    valid = np.array([phonenumbers.is_valid_number(n) for n in parsed])
    region = np.array([phonenumbers.region_code_for_number(n) for n in parsed])
    assert valid.all()
    assert (region == country.loc[sample.index].to_numpy()).mean() >= 0.99  # +1 numbers may be read as CA/US
    formatted = [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.INTERNATIONAL) for n in parsed]
    assert (np.array(formatted) == sample["phone"].to_numpy()).mean() >= 0.9


def test_names_come_from_the_rows_locale_and_emails_from_the_names(rows: pd.DataFrame):
    country = _alpha2(rows["country"])
    german = reference.names("de_DE")
    german_last = set(german["last"].to_pylist())
    american_last = set(reference.names("en_US")["last"].to_pylist())
    de = rows.loc[country == "DE", "last_name"]
    us = rows.loc[country == "US", "last_name"]
    assert de.isin(german_last).all() and us.isin(american_last).all()
    assert de.isin(german_last - american_last).mean() > 0.5
    folded = rows["last_name"].str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True)
    local = rows["email"].str.split("@").str[0].str.replace(r"\d+$", "", regex=True)
    assert (local.str.split(".").str[1] == folded).all()
    assert rows["email"].is_unique


def test_no_personal_sample_value_is_stored_or_copied(model: sf.Model, rows: pd.DataFrame):
    stored = model.to_json()
    for column in ("first_name", "last_name", "email", "phone"):
        for value in SAMPLES[column]:
            assert json.dumps(value)[1:-1] not in stored, (column, value)
    assert not rows["email"].isin(SAMPLES["email"]).any()
    assert not rows["phone"].isin(SAMPLES["phone"]).any()


def test_a_country_the_samples_never_showed_gets_its_own_places():
    model = sf.fit(SCHEMA, {"customers": SAMPLES})
    data = model.to_dict()
    data["tables"]["customers"]["columns"]["country"]["generator"] = {
        "kind": "frequencies", "values": ["Japan", "Brazil"], "weights": [0.5, 0.5]}
    rows = sf.Model.from_dict(data).sample({"customers": 2000}, seed=2)["customers"]
    assert set(rows.loc[rows["country"] == "Japan", "phone"].str[:4]) == {"+81 "}
    assert set(rows.loc[rows["country"] == "Brazil", "phone"].str[:4]) == {"+55 "}
    cities = reference.cities().to_pandas()
    assert rows.loc[rows["country"] == "Japan", "city"].isin(cities.loc[cities["country"] == "JP", "name"]).all()
    assert rows.loc[rows["country"] == "Brazil", "last_name"].isin(reference.names("pt_BR")["last"].to_pylist()).all()


def test_the_same_rows_come_out_in_any_batches(model: sf.Model):
    whole = model.sample({"customers": 3000}, seed=9)["customers"]
    pieces = model.sample({"customers": 3000}, seed=9, batch_rows=700)["customers"]
    pd.testing.assert_frame_equal(whole, pieces)


def test_without_a_country_column_the_samples_locales_and_countries_are_learned():
    people = SAMPLES.drop(columns=["country", "state"])
    schema = {"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": "string", "last_name": "string", "phone": "string", "city": "string",
        "email": "string"}}}}
    model = sf.fit(schema, {"people": people})
    place = model.tables["people"].layout["place"]
    # the countries come from the calling codes (+1 read as the US, the most populous country sharing it)
    assert dict(zip(place["countries"]["values"], place["countries"]["weights"])) == pytest.approx(
        {"US": 4 / 12, "DE": 4 / 12, "FR": 3 / 12, "GB": 1 / 12}, abs=1e-6)
    rows = model.sample({"people": 4000}, seed=1)["people"]
    assert rows["phone"].str[:3].isin(["+1 ", "+49", "+33", "+44"]).all()
    german = rows["phone"].str.startswith("+49")
    cities = reference.cities().to_pandas()
    assert rows.loc[german, "city"].isin(cities.loc[cities["country"] == "DE", "name"]).all()


def test_the_model_records_the_reference_data_it_was_fitted_with(model: sf.Model, caplog):
    assert model.tables["customers"].layout["place"]["data_version"] == reference.DATA_VERSION
    assert model.tables["customers"].layout["person"]["data_version"] == reference.DATA_VERSION
    data = model.to_dict()
    data["tables"]["customers"]["layout"]["place"]["data_version"] = "0-older"
    with caplog.at_level("WARNING", logger="synthframe"):
        sf.Model.from_dict(data).sample({"customers": 10}, seed=1)
    assert "fitted with reference data 0-older" in caplog.text and "customers" in caplog.text


def test_the_choice_within_a_country_is_a_sorted_search():
    from synthframe.generators.entities import _Segments

    rng = np.random.default_rng(3)
    country = np.sort(rng.integers(0, 40, 3000))
    weights = rng.pareto(1.2, 3000) + 0.01
    segments = _Segments(country, weights)
    rows = rng.integers(0, 45, 100_000)  # some countries have no items
    u = rng.random(100_000)
    q = rows + np.minimum(u, 1 - 1e-12)
    at = np.minimum(np.searchsorted(segments.keys, q, side="left"), len(segments.keys) - 1)
    expected = np.where(segments.country[at] == rows, segments.order[at], -1)
    np.testing.assert_array_equal(segments.choose(rows, u), expected)
    # each country's items come up in proportion to their weights
    busy = np.bincount(segments.choose(np.full(200_000, country[0]), rng.random(200_000)), minlength=3000)
    mine = country == country[0]
    np.testing.assert_allclose(busy[mine] / 200_000, weights[mine] / weights[mine].sum(), atol=0.01)


def test_user_names_and_emails_follow_the_samples_styles_and_the_rows_locale():
    people = SAMPLES.assign(
        login=(SAMPLES["first_name"].str[0] + SAMPLES["last_name"]).str.lower().str.replace("ü", "u"),
        email=[None] * len(SAMPLES))
    schema = {"tables": {"customers": {"primary_key": "id", "columns": {
        **SCHEMA["tables"]["customers"]["columns"], "login": {"type": "string", "semantic": "user_name"},
        "email": {"type": "string", "semantic": "email", "unique": True, "nullable": True}}}}}
    model = sf.fit(schema, {"customers": people.assign(email=SAMPLES["email"])})
    login = model.tables["customers"].columns["login"].generator
    assert login["kind"] == "person_user_name"
    assert login["styles"] == {"values": ["flast"], "weights": [1.0]} and login["numbers"] == 0.0
    data = model.to_dict()
    data["tables"]["customers"]["columns"]["email"]["generator"]["text"].pop("domains")  # none learned
    rows = sf.Model.from_dict(data).sample({"customers": 3000}, seed=8)["customers"]
    folded = rows["last_name"].str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True)
    initial = rows["first_name"].str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True).str[:1]
    assert (rows["login"] == initial + folded).all()
    german = _alpha2(rows["country"]) == "DE"
    domains = rows.loc[german, "email"].str.split("@").str[1]
    assert domains.isin(reference.email_domains("de_DE")).all() and len(set(domains)) > 1


def test_a_locale_hint_sets_the_persons_and_the_places_country():
    schema = {"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": {"type": "string", "locale": "fr_FR"}, "last_name": "string",
        "job": {"type": "string", "semantic": "job", "locale": "de_DE"},
        "city": {"type": "string", "semantic": "city", "locale": "it_IT"}, "phone": {"type": "string",
                                                                                  "semantic": "phone"}}}}}
    model = sf.fit(schema)
    assert model.schema.tables["people"].columns["first_name"].locale == "fr_FR"
    rows = model.sample({"people": 2000}, seed=1)["people"]
    french = reference.names("fr_FR")
    assert rows["last_name"].isin(french["last"].to_pylist()).all()
    assert rows["job"].isin(reference.jobs("de_DE").to_pylist()).all()
    cities = reference.cities().to_pandas()
    assert rows["city"].isin(cities.loc[cities["country"] == "IT", "name"]).all()
    assert rows["phone"].str.startswith("+39 ").all()
    with pytest.raises(sf.SynthframeError, match="'locale' 'xx_YY' is not one synthframe has"):
        sf.fit({"tables": {"t": {"columns": {"a": {"type": "string", "locale": "xx_YY"}}}}})


def test_web_domains_and_business_emails_belong_to_the_rows_company():
    contacts = pd.DataFrame({
        "id": range(1, 9),
        "first_name": ["Anna", "Peter", "Lena", "Tom", "Eva", "Max", "Ida", "Leo"],
        "last_name": ["Roth", "Klein", "Wolf", "Berg", "Hahn", "Kurz", "Lang", "Frei"],
        "company": ["Cobalt Data", "Northwind Traders", "Acme Corp", "Globex LLC", "Initech", "Umbrella Corporation",
                    "Stark Industries", "Wayne Enterprises"],
        "website": ["https://www.cobaltdata.io", "https://www.northwindtraders.com", "https://www.acme.com",
                    "https://www.globex.com", "https://www.initech.io", "https://www.umbrella.com",
                    "https://www.starkindustries.com", "https://www.wayneenterprises.com"],
        "email": ["anna.roth@cobaltdata.io", "peter.klein@gmail.com", "lena.wolf@acme.com", "tom.berg@globex.com",
                  "eva.hahn@yahoo.com", "max.kurz@umbrella.com", "ida.lang@starkindustries.com",
                  "leo.frei@gmail.com"]})
    schema = {"tables": {"contacts": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": "string", "last_name": "string", "company": "string", "website": "string",
        "email": "string"}}}}
    model = sf.fit(schema, {"contacts": contacts})
    layout = model.tables["contacts"].layout
    assert layout["company"]["columns"] == {"company": "company", "website": "website"}
    assert model.tables["contacts"].columns["website"].generator == {
        "kind": "company_domain", "url": True, "prefix": "https://www.", "share": 1.0,
        "tlds": {"values": ["com", "io"], "weights": [0.75, 0.25]}}
    assert layout["person"]["company"]["share"] == 0.625  # five of eight at their company's domain
    rows = model.sample({"contacts": 4000}, seed=3)["contacts"]
    slug = rows["company"].str.lower().str.replace(r"\b(?:inc|ltd|llc|plc|group|and)\b|[^a-z]", "",
                                                   regex=True)
    site = rows["website"].str.extract(r"^https://www\.([a-z0-9]+)\.(com|io)$")
    assert (site[0] == slug).all()
    at_company = rows["email"].str.split("@").str[1].str.split(".").str[0] == slug
    assert at_company.mean() == pytest.approx(0.625, abs=0.03)


def test_a_million_unique_emails_have_no_duplicate(model: sf.Model):
    from synthframe.generate import Run, resolve_rows

    run = Run(model, resolve_rows(model, {"customers": 1_000_000}), 12)
    emails = run.rows("customers", range(1_000_000), ["email"]).column("email").to_pandas()
    assert emails.is_unique
    assert emails.str.fullmatch(r"[a-z._]+\d+@[a-z0-9.\-]+\.[a-z]{2,}").all()


def test_national_phones_of_a_country_without_a_national_form_are_written_internationally():
    """Argentina's mobile ranges have no national format in the metadata: those rows get the international one."""
    data = json.loads(sf.fit(SCHEMA, {"customers": SAMPLES}).to_json())
    table = data["tables"]["customers"]
    table["columns"]["phone"]["generator"]["style"] = "national"
    table["columns"]["country"]["generator"].update(values=["Argentina"], weights=[1.0])
    rows = sf.Model.from_dict(data).sample({"customers": 3000}, seed=2)["customers"]
    parsed = [phonenumbers.parse(p, "AR") for p in rows["phone"]]
    assert all(p.country_code == 54 for p in parsed)
    invalid = rows["phone"][[not phonenumbers.is_valid_number(p) for p in parsed]]
    # the only numbers that do not read back: Buenos Aires landlines whose local part starts with 15, which
    # written nationally look like the mobile marker "15" (0.7 % of rows)
    assert len(invalid) < 0.01 * len(rows) and invalid.str.startswith("011 15").all()
    international = rows["phone"].str.startswith("+54")
    assert 0 < international.mean() < 1  # mobile ranges without a national form, landlines with one
