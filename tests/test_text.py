"""Text columns: semantic detection, learned formats, and pooled, vectorized generation."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from faker import Faker

from synthframe import reference, text
from synthframe.errors import CapacityError, ModelError, RowCountError, SchemaError
from synthframe.generators.text import generate_text, text_capacity

# -- sample values (TPC-H-like and everyday columns) ------------------------------------------

CUSTOMERS = pd.Series([f"Customer#{i:09d}" for i in range(1, 438)])
CLERKS = pd.Series([f"Clerk#{i:09d}" for i in (951, 880, 955, 124, 925, 1, 1000, 433)])
PHONES = pd.Series(["25-989-741-2988", "23-768-687-3665", "11-719-748-3364", "14-128-190-5944",
                    "13-137-193-2709", "18-676-160-2735", "30-114-968-4951", "12-970-682-3487"])
TPCH_ADDRESSES = pd.Series(["j5JsirBM9PsCy0O1m", "487LW1dovn6Q4dMVymKwwLE9OKf3QG", "fkRGN8nY4pkE",
                            "sdrGnXCDRcfriBvY0KL,ipCanOTyK t NN1", "TRMhVHz3XiFuhapxucPo1",
                            "BZ0kXcHUcHjx62L7CjZSql7gbWQ6RPn5X", "XSTf4,NCwDVaWNe6tEgvwfmRchLXak"])
PART_NAMES = pd.Series(["goldenrod lavender spring chocolate lace", "blush thistle blue yellow saddle",
                        "spring green yellow purple cornsilk", "cornflower chocolate smoke green pink",
                        "forest brown coral puff cream"])
NATIONS = pd.Series(["ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT", "ETHIOPIA", "FRANCE", "GERMANY"])
COMMENTS = pd.Series([
    "y final requests wake slyly quickly special accounts. blithely",
    "y carefully regular foxes. slyly regular requests about the bli",
    "fully. carefully silent instructions sleep alongside of the slyly regular asymptotes. quickly regular",
    "regular requests cajole carefully. final accounts sleep quickly",
    "blithely final deposits haggle carefully. regular foxes sleep slyly",
    "quickly special accounts wake furiously. regular deposits sleep",
    "final packages sleep blithely. carefully regular requests haggle",
    "slyly express deposits cajole. regular accounts wake quickly",
] * 5)
PERSON_NAMES = pd.Series(["Maria Gonzalez", "John Smith", "Aiko Tanaka", "Jean-Luc Picard", "Mary Ann O'Brien",
                          "Dr. Robert Brown", "Li Wei", "Fatima Al-Sayed", "Peter van der Berg", "Anna Schmidt"])
FIRST_NAMES = pd.Series(["Maria", "John", "Aiko", "Jean-Luc", "Mary", "Robert", "Li", "Fatima", "José", "Anna"])
LAST_NAMES = pd.Series(["Gonzalez", "Smith", "Tanaka", "O'Brien", "Brown", "Wei", "Al-Sayed", "Schmidt"])
EMAILS = pd.Series(["maria.gonzalez@acme.com", "jsmith@acme.com", "aiko.t@mail.jp", "lw@acme.com",
                    "anna.schmidt@web.de", "r.brown@web.de", "fatima@mail.jp", "peter.vdb@acme.com"])
CITIES = pd.Series(["New York", "Paris", "São Paulo", "Winston-Salem", "St. Louis", "Berlin", "Tokyo", "Lagos"])
COUNTRIES = pd.Series(["United States", "France", "Brazil", "Japan", "Nigeria", "Germany", "New Zealand"])
COMPANIES = pd.Series(["Acme Corp", "Globex LLC", "Initech", "Umbrella Corporation", "Wayne Enterprises",
                       "Stark Industries", "3M", "Procter & Gamble"])
URLS = pd.Series(["https://www.acme.com/", "http://example.org/about", "https://shop.example.net/p/123",
                  "https://blog.example.com/2021/05/post"])
IPS = pd.Series(["192.168.0.1", "10.0.0.254", "8.8.8.8", "172.16.31.7", "203.0.113.9"])
UUIDS = pd.Series(["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "c7a4c73a-8602-4376-90f7-159c0dfbeb51",
                   "b509c3a4-7e50-461d-8aa5-1ba3e704f118"])
US_PHONES = pd.Series(["(555) 123-4567", "+1-202-555-0173", "415.555.0132", "212-555-0199 x12"])


def gen(spec: dict, start: int, stop: int, *, seed: int = 7, table: str = "t", column: str = "c",
        unique_ids: np.ndarray | None = None) -> list[str]:
    return generate_text(spec, seed=seed, table=table, column=column, rows=range(start, stop),
                         unique_ids=unique_ids).to_pylist()


def permuted_ids(n: int, capacity: int) -> np.ndarray:
    """Distinct ids below capacity in shuffled order, as a caller's permutation would give them."""
    return np.random.default_rng(1).permutation(min(capacity, 4 * n))[:n]


# -- detection ------------------------------------------------------------------------------

@pytest.mark.parametrize(("column", "values", "expected"), [
    ("email", EMAILS, "email"),
    ("EmailAddress", EMAILS, "email"),
    ("first_name", FIRST_NAMES, "first_name"),
    ("fname", FIRST_NAMES, "first_name"),
    ("surname", LAST_NAMES, "last_name"),
    ("LastName", LAST_NAMES, "last_name"),
    ("customer_name", PERSON_NAMES, "name"),
    ("full_name", PERSON_NAMES, "name"),
    ("city", CITIES, "city"),
    ("ShipCity", CITIES, "city"),
    ("country", COUNTRIES, "country"),
    ("country", pd.Series(["US", "DE", "FR", "JP", "BR"]), "country_code"),
    ("company", COMPANIES, "company"),
    ("c_phone", PHONES, "phone_number"),
    ("HomePhone", US_PHONES, "phone_number"),
    ("zip", pd.Series(["12345", "02139", "94103", "10001"]), "postcode"),
    ("PostalCode", pd.Series(["T2P 2T3", "14700", "SW1A 1AA", "2010"]), "postcode"),
    ("website", URLS, "url"),
    ("ip_address", IPS, "ipv4"),
    ("address", pd.Series(["123 Main St", "45 Elm Avenue", "7 Rue de Rivoli", "1600 Pennsylvania Ave NW"]),
     "street_address"),
    ("l_comment", COMMENTS, "text"),
    # values alone, whatever the name
    ("contact", EMAILS, "email"),
    ("homepage_or_not", URLS, "url"),
    ("origin", IPS, "ipv4"),
    ("ref", UUIDS, "uuid4"),
    ("s_fax", PHONES, "phone_number"),
])
def test_detect_semantic_true_positives(column, values, expected):
    assert text.detect_semantic(column, values) == expected


@pytest.mark.parametrize(("column", "expected"), [
    ("email", "email"), ("user_name", "user_name"), ("UserName", "user_name"), ("ShipPostalCode", "postcode"),
    ("notes", "text"), ("job_title", "job"), ("AddressLine1", "street_address"), ("zip", "postcode"),
    ("c_name", "name"), ("company_name", "company"), ("guid", "uuid4"), ("last_login_ip", "ipv4"),
    ("product_name", None), ("relationship", None), ("title", None), ("status", None), ("o_clerk", None),
    ("email_verified", None), ("voicemail", None),
])
def test_detect_semantic_from_the_name_alone(column, expected):
    assert text.detect_semantic(column) == expected
    assert text.detect_semantic(column, pd.Series([], dtype=object)) == expected


@pytest.mark.parametrize(("column", "values"), [
    ("email", pd.Series(["not an email", "call me", "n/a", "ask reception"])),  # name says email, values refute
    ("c_name", CUSTOMERS),            # TPC-H: 'name' but a code
    ("s_name", pd.Series([f"Supplier#{i:09d}" for i in range(1, 30)])),
    ("p_name", PART_NAMES),           # lower-case word salad, not a person
    ("n_name", NATIONS),              # single upper-case words
    ("c_address", TPCH_ADDRESSES),    # random strings, not addresses
    ("city", pd.Series(["A1", "B22", "C-3", "Z99"])),
    ("start_time", pd.Series(["12:30:00", "08:15:45", "23:59:59"])),   # colons, but not IPv6
    ("order_date", pd.Series(["2021-01-05", "2022-11-30", "2020-02-29"])),  # digits and dashes, not phones
    ("status", pd.Series(["open", "closed", "pending"])),
])
def test_detect_semantic_traps(column, values):
    assert text.detect_semantic(column, values) is None


def test_every_semantic_is_a_faker_provider():
    fake = Faker("en_US")
    missing = [name for name in text.SEMANTICS if not callable(getattr(fake, name, None))]
    assert missing == []
    assert all(alias_target in text.SEMANTICS for alias_target in text.ALIASES.values())


# -- learn_pattern / format_pattern / capacity -------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    (CUSTOMERS, "Customer\\##########"),
    (CLERKS, "Clerk\\##########"),
    (PHONES, "##-###-###-####"),
    (pd.Series(["SKU-10427"]), "SKU-#####"),
    (pd.Series(["Brand#13", "Brand#42", "Brand#55"]), "Brand\\###"),
    (pd.Series(["AB-1234", "XY-0001", "QZ-9999"]), "??-####"),
    (pd.Series(["ab-12", "cd-34", "zz-00"]), "@@-##"),
    (pd.Series(["user@01", "user@02", "user@99"]), "user\\@##"),
    (pd.Series(["Nº 0042", "Nº 1234"]), "Nº ####"),
    (pd.Series([f"ORD-{i:05d}" for i in range(99)] + ["legacy-order"]), "ORD-#####"),  # 1 % outliers tolerated
])
def test_learn_pattern(values, expected):
    assert text.learn_pattern(values) == expected


@pytest.mark.parametrize("values", [
    pd.Series([], dtype=object),
    TPCH_ADDRESSES,                                          # lengths vary
    pd.Series(["John", "Mary", "Anna", "Paul"]),             # same length, but just letters
    pd.Series(["ORD-1", "ORD-12", "ORD-123", "ORD-1234"]),  # no fixed length
    UUIDS,                                                   # hex mixes digits and letters per position
    pd.Series([f"ORD-{i:05d}" for i in range(90)] + [f"X{i}" for i in range(10)]),  # 10 % off: not shared
])
def test_learn_pattern_none(values):
    assert text.learn_pattern(values) is None


def test_format_pattern_exact():
    assert text.format_pattern("C-######", np.arange(3)).to_pylist() == ["C-000000", "C-000001", "C-000002"]
    assert text.format_pattern("?#", np.array([0, 9, 10, 259, 260])).to_pylist() == ["A0", "A9", "B0", "Z9", "A0"]
    assert text.format_pattern("@?", np.array([0, 1, 26, 675])).to_pylist() == ["aA", "aB", "bA", "zZ"]
    assert text.format_pattern("Customer\\###", np.array([1, 42])).to_pylist() == ["Customer#01", "Customer#42"]
    assert text.format_pattern("Nº-##", np.array([7])).to_pylist() == ["Nº-07"]
    assert text.format_pattern("a\\\\#", np.array([3])).to_pylist() == ["a\\3"]
    empty = text.format_pattern("C-#", np.array([], dtype=np.int64))
    assert isinstance(empty, pa.StringArray) and len(empty) == 0


def test_format_pattern_is_a_bijection_on_its_capacity():
    out = text.format_pattern("SKU-?#-##", np.arange(26_000))
    assert isinstance(out, pa.StringArray)
    values = out.to_pylist()
    assert len(set(values)) == 26_000 == text.pattern_capacity("SKU-?#-##")
    assert values == sorted(values)  # least significant placeholder last: ids count up like numbers
    assert all(re.fullmatch(r"SKU-[A-Z]\d-\d\d", v) for v in values[::997])


def test_format_pattern_rejects_negative_ids():
    with pytest.raises(CapacityError, match=r"\[0, 100\)"):
        text.format_pattern("##", np.array([-1]))


@pytest.mark.parametrize(("pattern", "capacity"), [
    ("SKU-#####", 10**5), ("?@#", 26 * 26 * 10), ("\\#\\?\\@#", 10), ("Customer\\##########", 10**9),
    ("##-###-###-####", 10**12), ("#" * 30, 10**30),
])
def test_pattern_capacity(pattern, capacity):
    assert text.pattern_capacity(pattern) == capacity


def test_text_capacity():
    assert text_capacity({"kind": "pattern", "pattern": "ORD-#####"}) == 10**5
    assert text_capacity(text.fit_text("t", "email", pd.Series([], dtype=object))) is None
    assert text_capacity(text.fit_text("t", "user_name", pd.Series([], dtype=object))) is None
    assert text_capacity(text.fit_text("t", "ip", pd.Series([], dtype=object))) == 223 * 2**24
    assert text_capacity(text.fit_text("t", "notes", COMMENTS)) is None
    country = text.fit_text("t", "country", COUNTRIES)
    assert text_capacity(country) is None  # the reference's 250 countries, then numbered
    assert "distinct" not in country  # reference data: no Faker pool to count


# -- fitting ------------------------------------------------------------------------------

def test_fit_tpch_like_columns():
    assert text.fit_text("customer", "c_name", CUSTOMERS) == {
        "kind": "pattern", "pattern": "Customer\\##########", "index": {"min": 1, "max": 437}}
    phone = text.fit_text("customer", "c_phone", PHONES)
    assert phone["kind"] == "pattern" and phone["pattern"] == "##-###-###-####"
    assert phone["semantic"] == "phone_number"
    comment = text.fit_text("customer", "c_comment", COMMENTS)
    assert comment["kind"] == "words"
    assert comment["case"] == "lower"
    counts = COMMENTS.str.split().str.len()
    assert comment["words"]["min"] == counts.min() and comment["words"]["max"] == counts.max()
    assert comment["words"]["mean"] == pytest.approx(counts.mean(), abs=1e-3)
    assert comment["chars"]["max"] == COMMENTS.str.len().max()
    assert {"regular", "carefully", "slyly"} <= set(comment["vocabulary"]["words"])
    assert "bli" not in comment["vocabulary"]["words"]  # used by one value only: not kept


def test_fit_semantic_spec():
    spec = text.fit_text("people", "email", EMAILS)
    assert spec["kind"] == "semantic" and spec["semantic"] == "email" and spec["locale"] == "en_US"
    assert spec["pool_size"] >= 1000
    # domains seen at least twice are kept with their shares; one-off domains are not copied
    assert spec["domains"]["values"] == ["acme.com", "mail.jp", "web.de"]
    assert spec["domains"]["weights"] == pytest.approx([0.5, 0.25, 0.25])
    upper = text.fit_text("t", "city", pd.Series(["NEW YORK", "PARIS", "TOKYO", "LAGOS", "BERLIN"]))
    assert upper["semantic"] == "city" and upper["case"] == "upper"


def test_fit_without_samples_uses_name_then_words():
    assert text.fit_text("t", "first_name", pd.Series([], dtype=object))["semantic"] == "first_name"
    spec = text.fit_text("t", "misc", pd.Series([], dtype=object))
    assert spec["kind"] == "words"
    assert len(gen(spec, 0, 50)) == 50


def test_hints_override_detection():
    spec = text.fit_text("t", "email", EMAILS, semantic="city")
    assert spec["kind"] == "semantic" and spec["semantic"] == "city"
    assert text.fit_text("t", "c", CUSTOMERS, semantic="Phone")["semantic"] == "phone_number"  # alias, any case
    hinted = text.fit_text("t", "c_name", CUSTOMERS, pattern="CUST-######")
    assert hinted == {"kind": "pattern", "pattern": "CUST-######"}  # values don't match: no index
    indexed = text.fit_text("t", "c", pd.Series(["CUST-000010", "CUST-000020"]), pattern="CUST-######")
    assert indexed["index"] == {"min": 10, "max": 20}
    both = text.fit_text("t", "c", PHONES, semantic="phone_number", pattern="+1 ###-###-####")
    assert both == {"kind": "pattern", "pattern": "+1 ###-###-####", "semantic": "phone_number"}
    # a free-text hint with samples learns the samples' words; without samples it is Faker's sentences
    free = text.fit_text("t", "notes", COMMENTS, semantic="sentence")
    assert free["kind"] == "words" and {"regular", "slyly"} <= set(free["vocabulary"]["words"])
    bare = text.fit_text("t", "notes", pd.Series([], dtype=object), semantic="sentence")
    assert bare["kind"] == "semantic" and bare["semantic"] == "sentence"


REVIEWS = pd.Series(["Works well. Arrived early.", "Too small.", "Arrived early. Too small.", "Works well.",
                     "Great value for the price.", "Works well. Great value for the price."])
PRODUCTS = pd.Series(["Bamboo Cutting Board Set", "Ultralight Camping Hammock", "Espresso Machine with Milk Frother",
                      "Wireless Mouse", "USB-C Hub", "Wireless Mouse", "Desk Lamp"])


def test_recurring_sentences_are_kept_whole_and_never_repeated_within_a_value():
    spec = text.fit_text("reviews", "body", REVIEWS)
    assert spec["kind"] == "sentences"
    assert dict(zip(spec["sentences"]["values"], spec["sentences"]["weights"])) == pytest.approx(
        {"Works well.": 3 / 9, "Arrived early.": 2 / 9, "Too small.": 2 / 9, "Great value for the price.": 2 / 9},
        abs=1e-6)
    assert spec["count"] == {"values": [1, 2], "weights": [0.5, 0.5]}
    out = pd.Series(generate_text(spec, seed=3, table="reviews", column="body", rows=range(4000)).to_pylist())
    sentences = out.str.split(r"(?<=\.) ", regex=True)
    assert set(sentences.explode()) == set(spec["sentences"]["values"])
    assert (sentences.str.len() == 2).mean() == pytest.approx(0.5, abs=0.03)
    assert (sentences.apply(len) == sentences.apply(lambda x: len(set(x)))).all()


def test_short_names_of_things_keep_their_levels_and_splice_new_ones():
    spec = text.fit_text("products", "name", PRODUCTS)
    assert spec["kind"] == "levels"
    assert spec["values"][0] == "Wireless Mouse" and spec["weights"][0] == pytest.approx(2 / 7, abs=1e-6)
    assert spec["new"] == pytest.approx(5 / 7, abs=1e-6)  # five of seven values seen once
    out = pd.Series(generate_text(spec, seed=1, table="products", column="name", rows=range(5000)).to_pylist())
    kept = out.isin(PRODUCTS)
    assert kept.mean() == pytest.approx(1 - 5 / 7, abs=0.03)  # a splice can come out as a sample value too
    firsts = {"Bamboo Cutting", "Ultralight", "Espresso Machine", "Wireless", "USB-C", "Desk"}
    assert out[~kept].str.split().str[0].isin({f.split()[0] for f in firsts}).all()
    unique = generate_text({**spec, "new": 0.0}, seed=1, table="products", column="name", rows=range(20),
                           unique_ids=np.arange(20)).to_pylist()
    assert len(set(unique)) == 20 and unique[0] == "Wireless Mouse" and unique[6] == "Wireless Mouse 2"


def test_unknown_semantic_is_a_schema_error():
    with pytest.raises(SchemaError) as info:
        text.fit_text("customers", "email", EMAILS, semantic="e-mail-ish")
    message = str(info.value)
    assert "customers.email" in message and "e-mail-ish" in message
    assert "first_name" in message and "phone_number" in message  # lists what is known
    assert info.value.table == "customers" and info.value.column == "email"


@pytest.mark.parametrize(("pattern", "fragment"), [("ABC", "no placeholder"), ("AB-#\\", "lone backslash")])
def test_bad_pattern_hint_is_a_schema_error(pattern, fragment):
    with pytest.raises(SchemaError, match=fragment) as info:
        text.fit_text("orders", "code", pd.Series(["x"]), pattern=pattern)
    assert "orders.code" in str(info.value)


def test_specs_are_json_native_and_round_trip():
    specs = [
        text.fit_text("customer", "c_name", CUSTOMERS),
        text.fit_text("customer", "c_phone", PHONES),
        text.fit_text("customer", "c_comment", COMMENTS),
        text.fit_text("customer", "c_address", TPCH_ADDRESSES),
        text.fit_text("people", "email", EMAILS),
        text.fit_text("people", "full_name", PERSON_NAMES),
        text.fit_text("people", "country", COUNTRIES),
        text.fit_text("part", "p_name", PART_NAMES),
        text.fit_text("t", "misc", pd.Series([], dtype=object)),
    ]
    for spec in specs:
        loaded = json.loads(json.dumps(spec))
        assert loaded == spec
        assert gen(loaded, 0, 300, table="x", column="y") == gen(spec, 0, 300, table="x", column="y")


# -- generation ---------------------------------------------------------------------------

SPECS = {
    "email": {"kind": "semantic", "semantic": "email", "locale": "en_US", "pool_size": 1000},
    "name": {"kind": "semantic", "semantic": "name", "locale": "en_US", "pool_size": 1000, "distinct": 900},
    "user_name": {"kind": "semantic", "semantic": "user_name", "locale": "en_US", "pool_size": 1000},
    "url": {"kind": "semantic", "semantic": "url", "locale": "en_US", "pool_size": 500},
    "phone": {"kind": "semantic", "semantic": "phone_number", "locale": "en_US", "pool_size": 1000},
    "ipv4": {"kind": "semantic", "semantic": "ipv4", "locale": "en_US", "pool_size": 1000},
    "uuid": {"kind": "semantic", "semantic": "uuid4", "locale": "en_US", "pool_size": 1000},
    "pattern": {"kind": "pattern", "pattern": "ORD-######", "index": {"min": 500, "max": 90_000}},
    "wide_pattern": {"kind": "pattern", "pattern": "?" * 20 + "#" * 20},
    "words": {"kind": "words", "words": {"min": 0, "max": 40, "mean": 9.0, "quantiles": [0, 2, 5, 9, 14, 40]},
              "chars": {"min": 0, "max": 120}, "case": "sentence", "end": "."},
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_generation_is_independent_of_chunking(name):
    spec = SPECS[name]
    whole = gen(spec, 0, 100_000)
    assert gen(spec, 0, 7000) + gen(spec, 7000, 100_000) == whole
    assert gen(spec, 65_000, 70_000) == whole[65_000:70_000]  # across a block boundary
    assert gen(spec, 0, 2000, seed=8) != whole[:2000]
    assert gen(spec, 0, 2000, column="other") != whole[:2000]


@pytest.mark.parametrize("name", ["email", "user_name", "url", "phone", "ipv4", "uuid", "pattern",
                                  "wide_pattern", "words"])
def test_unique_ids_give_distinct_values_at_200k_rows(name):
    spec = SPECS[name]
    capacity = text_capacity(spec)
    ids = permuted_ids(200_000, capacity or 10**9)
    values = gen(spec, 0, 200_000, unique_ids=ids)
    assert len(set(values)) == 200_000
    pieces = gen(spec, 0, 50_000, unique_ids=ids[:50_000]) + gen(spec, 50_000, 200_000, unique_ids=ids[50_000:])
    assert pieces == values


@pytest.mark.parametrize("name", ["email", "user_name", "url"])
def test_unbounded_semantics_stay_distinct_for_ids_from_a_huge_domain(name):
    generator = np.random.default_rng(2)
    ids = np.unique(generator.integers(0, 2**40, 110_000))[:100_000]
    generator.shuffle(ids)
    assert len(set(gen(SPECS[name], 0, 100_000, unique_ids=ids))) == 100_000
    domain = {"kind": "semantic", "semantic": "domain_name", "locale": "en_US", "pool_size": 1000}
    assert len(set(gen(domain, 0, 100_000, unique_ids=ids))) == 100_000


def test_unique_pool_semantic_widens_with_a_number_past_its_distinct_entries():
    spec = {"kind": "semantic", "semantic": "job", "locale": "de_DE"}
    jobs = len(set(reference.jobs("de_DE").to_pylist()))
    assert text_capacity(spec) is None
    values = pd.Series(gen(spec, 0, 2 * jobs + 10, unique_ids=permuted_ids(2 * jobs + 10, 2 * jobs + 10)))
    assert values.nunique() == 2 * jobs + 10
    numbered = values.str.fullmatch(r".* \d+")
    assert numbered.sum() == jobs + 10  # every job once, then again numbered 2, then 3
    assert set(values[numbered].str.extract(r" (\d+)$")[0].astype(int)) == {2, 3}


def test_unique_reference_values_stay_distinct_past_the_lists():
    ids = np.arange(200_000)
    for semantic in ("name", "company", "street_address", "city", "state"):
        spec = {"kind": "semantic", "semantic": semantic, "locale": "en_US"}
        values = pd.Series(gen(spec, 0, len(ids), unique_ids=ids))
        assert values.is_unique, semantic
    states = pd.Series(gen({"kind": "semantic", "semantic": "state", "locale": "en_US"}, 0, 60,
                           unique_ids=np.arange(60)))
    assert states.str.fullmatch(r"[A-Za-z .]+ 2").sum() == 60 - 51  # 50 states and the District of Columbia


def test_unique_pattern_starts_at_the_learned_index():
    values = gen(SPECS["pattern"], 0, 3, unique_ids=np.array([0, 1, 999_499]))
    assert values == ["ORD-000500", "ORD-000501", "ORD-999999"]
    wrapped = gen(SPECS["pattern"], 0, 1, unique_ids=np.array([999_500]))
    assert wrapped == ["ORD-000000"]


def test_pattern_values_stay_in_the_learned_range():
    values = pd.Series(gen(SPECS["pattern"], 0, 20_000))
    numbers = values.str[4:].astype(int)
    assert values.str.fullmatch(r"ORD-\d{6}").all()
    assert numbers.min() >= 500 and numbers.max() <= 90_000
    assert numbers.mean() == pytest.approx((500 + 90_000) / 2, rel=0.02)
    wide = gen(SPECS["wide_pattern"], 0, 1000)
    assert all(re.fullmatch(r"[A-Z]{20}\d{20}", v) for v in wide)
    assert len(set(wide)) == 1000


def test_fixed_seed_golden_values():
    # counter-based kinds (no Faker): these strings change only if the mixer or the formats change
    assert gen(SPECS["pattern"], 0, 3, seed=7) == ["ORD-082004", "ORD-059644", "ORD-021789"]
    assert gen({"kind": "pattern", "pattern": "??-##"}, 0, 3, seed=7) == ["QK-58", "KI-20", "EB-52"]
    assert gen(SPECS["ipv4"], 0, 2, seed=7) == ["121.75.253.131", "221.101.230.23"]
    assert gen(SPECS["uuid"], 0, 2, seed=7) == ["1d49a47e-2d4e-444d-9958-963f24626fa8",
                                                 "a3c88f58-142f-4a13-9cba-06bd208795ef"]
    assert gen({"kind": "pattern", "pattern": "C-######"}, 0, 3, unique_ids=np.arange(3)) == [
        "C-000000", "C-000001", "C-000002"]
    assert gen(SPECS["ipv4"], 0, 2, unique_ids=np.array([0, (223 << 24) - 1])) == ["1.0.0.0", "223.255.255.255"]
    assert gen(SPECS["phone"], 0, 2, unique_ids=np.array([0, 800 * 800 * 10**4 - 1])) == [
        "200-200-0000", "999-999-9999"]


def test_emails_look_real():
    values = pd.Series(gen(SPECS["email"], 0, 20_000))
    assert values.str.fullmatch(r"[a-z]+[._]?[a-z]+\d{0,2}@example\.(com|net|org)").all()
    assert values.str.contains(r"\d@").mean() == pytest.approx(0.25, abs=0.02)
    assert values.str.match(r"[a-z]+\.[a-z]+@").mean() > 0.35       # first.last is the commonest style
    assert values.nunique() > 15_000
    learned = text.fit_text("people", "email", EMAILS)
    domains = pd.Series(gen(learned, 0, 20_000)).str.split("@").str[1]
    assert set(domains) == {"acme.com", "mail.jp", "web.de"}
    assert domains.eq("acme.com").mean() == pytest.approx(0.5, abs=0.02)
    # unique addresses: names spelled from the id, a number only once the name combinations run out
    few = pd.Series(gen(SPECS["email"], 0, 50_000, unique_ids=permuted_ids(50_000, 50_000)))
    assert few.nunique() == 50_000
    assert few.str.fullmatch(r"[a-z]+[._][a-z]+@example\.(com|net|org)").all()
    many = pd.Series(gen(SPECS["email"], 0, 1000, unique_ids=np.arange(10**9, 10**9 + 1000)))
    assert many.str.fullmatch(r"[a-z]+[._][a-z]+\d+@example\.(com|net|org)").all()


def test_names_come_from_the_bundled_lists_of_the_locale():
    names = reference.names("en_US")
    firsts = gen({"kind": "semantic", "semantic": "first_name", "locale": "en_US"}, 0, 5000)
    assert set(firsts) <= set(names["first_female"].to_pylist()) | set(names["first_male"].to_pylist())
    assert len(set(firsts)) > 500
    lasts = gen({"kind": "semantic", "semantic": "last_name", "locale": "en_US"}, 0, 5000)
    assert set(lasts) <= set(names["last"].to_pylist())
    german = gen({"kind": "semantic", "semantic": "last_name", "locale": "de_DE"}, 0, 5000)
    assert set(german) <= set(reference.names("de_DE")["last"].to_pylist())
    names = pd.Series(gen(SPECS["name"], 0, 5000))
    assert names.str.contains(" ").mean() > 0.95
    assert names.str.fullmatch(r"[A-Za-z.' \-]+").all()


def test_phone_numbers_are_plausible():
    values = pd.Series(gen(SPECS["phone"], 0, 5000))
    digits = values.str.count(r"\d")
    assert (digits >= 10).all()
    assert values.str.fullmatch(r"[\d\s()+.\-x]+").all()


def test_uuid_and_ipv4_shapes():
    uuids = pd.Series(gen(SPECS["uuid"], 0, 5000))
    assert uuids.str.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}").all()
    ips = pd.Series(gen(SPECS["ipv4"], 0, 5000))
    octets = ips.str.split(".", expand=True).astype(int)
    assert octets[0].between(1, 223).all() and octets[[1, 2, 3]].le(255).all().all()


def test_words_follow_the_learned_shape():
    p_type = pd.Series([f"{a} {b} {c}" for a in ("STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO")
                        for b in ("ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED")
                        for c in ("TIN", "NICKEL", "BRASS", "STEEL", "COPPER")])
    spec = text.fit_text("part", "p_type", p_type)
    assert spec["case"] == "upper"
    assert len(spec["vocabulary"]["words"]) == 16
    assert [len(v["words"]) for v in spec["vocabulary"]["positions"]] == [6, 5, 5]
    words = pd.Series(gen(spec, 0, 5000)).str.split(expand=True)
    assert words.shape == (5000, 3)  # the longest sample value is 25 characters: none is cut
    assert set(words[0]) == {"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"}
    assert set(words[2]) == {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"}
    comments = text.fit_text("orders", "o_comment", COMMENTS)
    generated = pd.Series(gen(comments, 0, 20_000))
    assert generated.str.len().max() <= comments["chars"]["max"]
    assert generated.str.split().str.len().mean() == pytest.approx(comments["words"]["mean"], abs=0.5)
    assert generated.str.fullmatch(r"[a-z .]+").all()


def test_words_truncate_at_word_boundaries():
    spec = SPECS["words"]
    values = pd.Series(gen(spec, 0, 20_000))
    assert (values.str.len() <= 120).all()
    assert values[values.str.len() > 1].str.match(r"[A-Z]").all()
    assert values.str.endswith(".").all()
    vocabulary = set(pd.Series(gen(spec, 0, 20_000)).str.lower().str.rstrip(".").str.split().explode().dropna())
    lorem = {w.lower() for w in Faker("en_US").get_words_list()}
    assert len(vocabulary - lorem) == 0
    counts = values.str.rstrip(".").str.split().str.len()
    assert counts.max() < 40 and (counts == 0).any()  # long rows cut to whole words; some rows are empty


def test_pools_are_built_once_per_column():
    spec = {"kind": "semantic", "semantic": "city", "locale": "en_US", "pool_size": 300}
    gen(spec, 0, 10, seed=123)
    before = text._pool.cache_info().misses
    for start in range(0, 200_000, 65_536):
        gen(spec, start, start + 65_536, seed=123)
    assert text._pool.cache_info().misses == before


@pytest.mark.parametrize(("spec", "fragment"), [
    ({"kind": "poem"}, "kind 'poem'"),
    ({"kind": "semantic", "semantic": "horoscope"}, "horoscope"),
    ({"kind": "semantic", "semantic": "city", "locale": "xx_NOPE"}, "xx_NOPE"),
    ({"kind": "pattern"}, "pattern"),
])
def test_malformed_specs_are_model_errors(spec, fragment):
    with pytest.raises(ModelError, match=fragment) as info:
        gen(spec, 0, 5, table="shop", column="label")
    assert "shop.label" in str(info.value)
    assert info.value.table == "shop" and info.value.column == "label"


def test_capacity_error_names_the_column():
    with pytest.raises(CapacityError) as info:
        gen({"kind": "pattern", "pattern": "A#"}, 0, 2, table="items", column="code", unique_ids=np.array([1, 10]))
    assert "items.code" in str(info.value) and info.value.column == "code"


def test_one_unique_id_per_row():
    with pytest.raises(RowCountError) as info:
        gen(SPECS["email"], 0, 3, table="people", column="email", unique_ids=np.arange(2))
    assert "people.email" in str(info.value)


def test_empty_range_gives_an_empty_string_array():
    out = generate_text(SPECS["email"], seed=1, table="t", column="c", rows=range(5, 5))
    assert isinstance(out, pa.StringArray) and len(out) == 0


def test_levels_and_sentences_are_drawn_per_level_of_the_column_they_go_with():
    import synthframe as sf

    products = pd.DataFrame({
        "id": range(8),
        "name": ["Bamboo Cutting Board", "Cast Iron Skillet", "Wireless Mouse", "USB-C Hub", "Camping Hammock",
                 "Trail Running Shoes", "French Press", "Mechanical Keyboard"],
        "category": ["Kitchen", "Kitchen", "Electronics", "Electronics", "Outdoors", "Outdoors", "Kitchen",
                     "Electronics"]})
    good = ["Works well.", "Love it.", "Great value.", "Arrived early.", "Would buy again.", "Five stars."]
    bad = ["Broke at once.", "Too small.", "Poor value.", "Arrived late.", "Never again.", "Returned it."]
    picks = [(i % 6, (i // 6 + 1 + i % 6) % 6) for i in range(60)]  # two different sentences per review
    reviews = pd.DataFrame({"id": range(60), "rating": [5, 1] * 30,
                            "body": [" ".join([(good, bad)[i % 2][a], (good, bad)[i % 2][b]])
                                     for i, (a, b) in enumerate(picks)]})
    schema = {"tables": {
        "products": {"primary_key": "id", "columns": {"id": "integer", "name": "string", "category": "category"}},
        "reviews": {"primary_key": "id", "columns": {"id": "integer", "rating": "integer", "body": "string"}}}}
    model = sf.fit(schema, {"products": products, "reviews": reviews})
    name = model.tables["products"].columns["name"].generator["text"]
    assert name["given"]["column"] == "category"  # every sample name has one category
    assert name["given"]["groups"]["Kitchen"]["values"] == ["Bamboo Cutting Board", "Cast Iron Skillet",
                                                            "French Press"]
    body = model.tables["reviews"].columns["body"].generator["text"]
    assert body["given"]["column"] == "rating" and body["given"]["association"] == 1.0
    data = model.sample({"products": 3000, "reviews": 3000}, seed=4)
    made = data["products"]
    kitchen_words = set(" ".join(products.loc[products["category"] == "Kitchen", "name"]).split())
    kitchen = made.loc[made["category"] == "Kitchen", "name"].str.split().explode()
    assert kitchen.isin(kitchen_words).all()  # kept or spliced, a kitchen name is made of kitchen words
    praise = data["reviews"].loc[data["reviews"]["rating"] == 5, "body"].str.split(r"(?<=\.) ", regex=True)
    assert set(praise.explode()) == set(good)


def test_pooled_codes_draw_their_digits_per_row():
    """Licence plates, postcodes and phone numbers of a pool keep a pool value's letters and layout, with digits
    drawn for each row: 10^5 rows are not 500 plates repeated. Runs of digits that start with 0 or follow a
    '+' (a phone's 001 or +44) are kept; other runs do not start with 0."""
    from synthframe import reference
    from synthframe.generators.text import _fresh_digits

    spec = {"kind": "semantic", "semantic": "license_plate", "locale": "de_DE"}
    plates = generate_text(spec, seed=2, table="cars", column="plate", rows=range(100_000)).to_pylist()
    shapes = {re.sub(r"\d", "#", p) for p in reference.pool("license_plate", "de_DE")}
    assert all(re.sub(r"\d", "#", p) in shapes for p in plates)
    assert len(set(plates)) == 62_826 and not any(re.search(r"(^|\D)0", p) for p in plates)
    again = generate_text(spec, seed=2, table="cars", column="plate", rows=np.arange(70_000, 70_050)).to_pylist()
    assert again == plates[70_000:70_050]  # a function of the row, whatever the batch
    values = pa.array(["+44(0)7700 900123", "001-555-0100", "Apt. 305", "ü7ß", None, ""], pa.string())
    made = _fresh_digits(values, np.arange(6, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)).to_pylist()
    assert re.fullmatch(r"\+44\(0\)[1-9]\d{3} [1-9]\d{5}", made[0]) and made[0] != "+44(0)7700 900123"
    assert made[1].startswith("001-") and made[1][4] != "0" and made[1][-4] == "0"  # "0100" is kept whole
    assert re.fullmatch(r"Apt\. [1-9]\d\d", made[2]) and re.fullmatch(r"ü[1-9]ß", made[3])
    assert made[4:] == [None, ""]
    sliced = pa.array(["A1", None, "B22", "C3", None, "D4"], pa.large_string()).slice(1, 5)
    redrawn = _fresh_digits(sliced, np.arange(5, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)).to_pylist()
    assert [v is None for v in redrawn] == [True, False, False, True, False]
    assert all(re.fullmatch(r"[BCD][1-9]\d*", v) for v in redrawn if v is not None)
