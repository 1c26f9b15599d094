"""Semantic detection on realistic columns: names in several languages, misleading names, values that
refute or reveal the type, and the locale learned from the values."""

from __future__ import annotations

import pandas as pd
import pytest

from synthframe import text

CASES: list[tuple[str, list[str], str | None]] = [
    # (column name, sample values, expected semantic)
    ("first_name", ["Maria", "John", "Aiko", "Jean-Luc", "Fatima"], "first_name"),
    ("FirstName", ["Anna", "Peter", "Lena"], "first_name"),
    ("Vorname", ["Lukas", "Sophie", "Jonas", "Emma"], "first_name"),
    ("prénom", ["Camille", "Hugo", "Léa", "Louis"], "first_name"),
    ("surname", ["Smith", "Jones", "Taylor"], "last_name"),
    ("Nachname", ["Müller", "Schmidt", "Schneider"], "last_name"),
    ("apellido", ["García", "Fernández", "López"], "last_name"),
    ("customer_name", ["Kimberly Santiago", "Abigail Fisher", "Jeffrey Anderson", "Darren Carter"], "name"),
    ("full_name", ["Maria Gonzalez", "John Smith", "Anna Schmidt", "Peter Brown"], "name"),
    ("name", ["United Air Lines Inc.", "Delta Air Lines Inc.", "JetBlue Airways", "Envoy Air"], None),
    ("name", ["Bamboo Cutting Board Set", "Wireless Mouse", "USB-C Hub", "Desk Lamp"], None),
    ("name", ["Lansdowne Airport", "Moton Field Municipal Airport", "Schaumburg Regional"], None),
    ("email", ["maria.gonzalez@acme.com", "jsmith@acme.com", "anna.schmidt@web.de"], "email"),
    ("contact", ["maria.gonzalez@acme.com", "jsmith@acme.com", "anna.schmidt@web.de"], "email"),
    ("e_mail", ["a@b.de", "c@d.fr", "x.y@z.com"], "email"),
    ("email", ["n/a", "unknown", "none given"], None),  # a name the values refute
    ("courriel", ["luc@orange.fr", "marie@free.fr", "paul@sfr.fr"], "email"),
    ("username", ["jdoe", "maria_g", "k.tanaka", "pbrown77"], "user_name"),
    ("phone", ["+1 617-423-8260", "+44 7821 440974", "+33 6 75 16 56 14"], "phone_number"),
    ("Telefon", ["+49 151 23456789", "+49 30 1234567", "+49 160 98765432"], "phone_number"),
    ("c_phone", ["25-989-741-2988", "13-761-547-5974", "27-147-574-9335"], "phone_number"),
    ("contact_no", ["(212) 555-0147", "(617) 423-8260", "(415) 555-2671"], "phone_number"),  # by values
    ("mobile", ["hello", "world", "foo"], None),
    ("zip", ["02139", "10001", "94103"], "postcode"),
    ("PLZ", ["10115", "80331", "20095"], "postcode"),
    ("postal_code", ["K1A 0B1", "M5V 3L9", "H2X 1Y4"], "postcode"),
    ("city", ["Boston", "Ottawa", "Montreal", "Brighton"], "city"),
    ("Ort", ["München", "Hamburg", "Köln"], "city"),
    ("ville", ["Paris", "Lyon", "Marseille"], "city"),
    ("state", ["CA", "NY", "TX", "MA"], "state_abbr"),
    ("state", ["California", "New York", "Texas"], "state"),
    ("Bundesland", ["Bayern", "Hessen", "Sachsen"], "state"),
    ("country", ["US", "DE", "FR", "GB"], "country_code"),
    ("country", ["United States", "Germany", "France"], "country"),
    ("Land", ["Deutschland", "Österreich", "Schweiz"], "country"),
    ("street", ["221 Baker Street", "1600 Pennsylvania Ave", "10 Downing Street"], "street_address"),
    ("Straße", ["Hauptstraße 12", "Bahnhofstraße 3a", "Lindenweg 7"], "street_address"),
    ("address", ["221 Baker Street", "1600 Pennsylvania Ave", "10 Downing Street"], "street_address"),
    ("company", ["Acme Corp", "Globex LLC", "Initech", "Umbrella Corporation"], "company"),
    ("Firma", ["Müller GmbH", "Schmidt AG", "Becker & Söhne KG"], "company"),
    ("job_title", ["Data Analyst", "Product Manager", "Nurse"], "job"),
    ("Beruf", ["Bankkaufmann", "Informatiker", "Krankenschwester"], "job"),
    ("website", ["https://acme.com", "http://globex.org/about", "https://initech.io"], "url"),
    ("homepage_link", ["https://acme.com", "https://globex.org"], "url"),
    ("ip", ["192.168.0.1", "10.0.0.42", "172.16.5.4"], "ipv4"),
    ("last_seen_from", ["192.168.0.1", "10.0.0.42", "172.16.5.4"], "ipv4"),  # by values
    ("host", ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "2001:db8:85a3::8a2e:370:7334"], "ipv6"),
    ("device_mac", ["00:1A:2B:3C:4D:5E", "A4:5E:60:E8:1F:00", "3C:22:FB:12:34:56"], "mac_address"),
    ("token", ["0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"], "uuid4"),
    ("iban", ["DE89370400440532013000", "FR1420041010050500013M02606"], "iban"),
    ("currency", ["EUR", "USD", "GBP"], "currency_code"),
    ("comment", ["Great service, will come again.", "Too slow.", "Friendly staff and clean rooms."], "text"),
    ("order_ref", ["ORD-2024-000123", "ORD-2024-000124"], None),
]


@pytest.mark.parametrize(("column", "values", "expected"), CASES, ids=[f"{c}:{e}" for c, _, e in CASES])
def test_detects_the_semantic_from_name_and_values(column: str, values: list[str], expected: str | None):
    assert text.detect_semantic(column, pd.Series(values)) == expected


def test_there_are_forty_cases_and_several_languages():
    assert len(CASES) >= 40
    assert {"Vorname", "prénom", "apellido", "Ort", "ville", "PLZ", "Straße", "Beruf"} <= {c for c, _, _ in CASES}


@pytest.mark.parametrize(("semantic", "values", "locale"), [
    ("job", ["Bankkaufmann", "Informatiker", "Krankenschwester", "Drogist"], "de_DE"),
    ("city", ["Lyon", "Paris", "Marseille", "Toulouse", "Nantes"], "fr_FR"),
    ("city", ["Boston", "Chicago", "Denver", "Austin"], "en_US"),
    ("last_name", ["Müller", "Schmidt", "Schneider", "Fischer", "Weber"], "de_"),  # German, any country
    ("job", ["Data Analyst", "Product Manager", "Nurse"], "en_US"),
    ("first_name", ["Xyzzy", "Plugh"], "en_US"),  # nothing known: the default
])
def test_the_locale_is_learned_from_the_values(semantic: str, values: list[str], locale: str):
    learned = text.learned_locale(semantic, pd.Series(values))
    assert learned.startswith(locale) if locale.endswith("_") else learned == locale
