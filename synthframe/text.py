"""Text columns: what a string column holds, and how to make more of it.

Fitting (:func:`fit_text`) turns a string column's sample values into a small,
readable spec of one of three kinds:

``semantic``  a Faker provider (``email``, ``first_name``, ``city``, ...), found from the
              column name and confirmed by the values, or given as a schema hint;
``pattern``   a fixed-length format shared by the values, written with placeholders
              (``#`` digit, ``?`` uppercase, ``@`` lowercase, ``\\`` escapes a literal),
              e.g. ``Customer\\##########``, with the index range the samples cover;
``words``     free text: the learned number of words per value, length bounds, letter
              case, and a vocabulary (words seen in several sample values, else Faker's
              lorem words).

Generation (:func:`generate_text`) never calls Faker per row. Per ``(table,
column)`` a pool of a few thousand values is built once (cached) with a Faker
seeded from :func:`synthframe.streams.seed_int` — the same pool for every seed, so
a process answering many seeds builds it once; the seed decides which entries
each row takes. Rows index the pool with
addressed uniform draws (``pa.array(pool).take(indices)``), and composite values
(emails, user names, URLs, phone numbers, IPs, UUIDs, sentences of words) are
assembled with ``pyarrow.compute`` over whole columns. Row ``i``'s value depends
only on ``(seed, table, column, i)``, so generating in one go or block by block
gives the same strings.

Unique columns get distinct ids from the caller (a seeded permutation of the row
index); values are derived from the ids so that they are distinct by
construction, with no set of seen values: patterns format the id; emails, user
names, URLs and domains spell it as mixed-radix digits over distinct pools
(``maria.gonzalez@...``) with the remainder as trailing digits, so they never
run out; phone numbers, IPv4 addresses and UUIDs encode it; other Faker pools
hand out distinct entries up to :func:`text_capacity`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import CapacityError, ModelError, RowCountError, SchemaError, where
from .streams import seed_int, splitmix64, uniform

POOL_SEED = 0
"""Pools of Faker values depend on (table, column) only; the run's seed picks from them."""

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_LOCALE = "en_US"
"""Faker locale of new specs (edit ``locale`` in a saved model to change it)."""
POOL_SIZE = 2000
"""Faker draws per column pool: enough variety, built in well under a second."""
SAMPLE_LIMIT = 5000
"""Sample values inspected when detecting semantics and learning patterns (spread over the column)."""
MAX_PATTERN_WIDTH = 64
"""Longest value :func:`learn_pattern` reads as a code; longer fixed-length values are not formats."""
MAX_POSITIONS = 8
"""Values of up to this many words, always the same number, get one vocabulary per word position."""
VOCABULARY_SIZE = 1000
"""Most words a learned vocabulary keeps."""
MIN_WORD_DOCS = 3
"""A word enters a learned vocabulary only if this many distinct sample values use it."""

SEMANTICS: tuple[str, ...] = (
    "email", "first_name", "last_name", "name", "user_name", "phone_number",
    "city", "country", "country_code", "state", "state_abbr", "postcode",
    "street_address", "street_name", "secondary_address", "address",
    "company", "job", "url", "domain_name", "ipv4", "ipv6", "mac_address", "uuid4",
    "word", "sentence", "paragraph", "text", "catch_phrase",
    "color_name", "currency_code", "language_name", "license_plate", "iban", "ssn", "credit_card_number",
)
"""Semantic types a schema may name (Faker provider names)."""

ALIASES: dict[str, str] = {
    "e_mail": "email", "email_address": "email", "mail": "email",
    "firstname": "first_name", "given_name": "first_name", "lastname": "last_name", "surname": "last_name",
    "family_name": "last_name", "full_name": "name", "fullname": "name", "person_name": "name",
    "username": "user_name", "login": "user_name", "phone": "phone_number", "telephone": "phone_number",
    "zip": "postcode", "zipcode": "postcode", "zip_code": "postcode", "postal_code": "postcode",
    "company_name": "company", "country_name": "country", "job_title": "job", "website": "url",
    "ip": "ipv4", "ip_address": "ipv4", "uuid": "uuid4", "domain": "domain_name", "street": "street_address",
    "description": "text", "comment": "text",
}
"""Other spellings accepted in a schema's ``semantic`` hint."""

_FREE_TEXT = frozenset({"word", "sentence", "paragraph", "text"})
"""Detected from a name, these are learned as ``words`` when there are samples to learn from."""
_CODE_LIKE = frozenset({"phone_number", "postcode", "ssn", "license_plate", "iban", "credit_card_number"})
"""Semantics whose sample format, when the values share one, is kept as a pattern."""
_UNBOUNDED = frozenset({"email", "user_name", "url", "domain_name"})
"""Semantics that end their values with the unique id: any number of distinct values."""
_STRUCTURED_CAPACITY: dict[str, int] = {"ipv4": 223 << 24, "phone_number": 800 * 800 * 10**4, "uuid4": 1 << 60}
"""Semantics built from the unique id directly, with how many distinct values they can make."""

_PLACEHOLDERS: dict[str, bytes] = {
    "#": b"0123456789",
    "?": b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "@": b"abcdefghijklmnopqrstuvwxyz",
}
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_U53 = float(2**53)


# -- patterns -----------------------------------------------------------------------------

def _parse_pattern(pattern: str, table: str | None = None, column: str | None = None) -> list[tuple[bool, str]]:
    """``(is_placeholder, char)`` per output character; a backslash escapes the next character."""
    tokens: list[tuple[bool, str]] = []
    escaped = False
    for ch in pattern:
        if escaped:
            tokens.append((False, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            tokens.append((ch in _PLACEHOLDERS, ch))
    if escaped:
        raise SchemaError(f"Pattern {pattern!r} of {where(table, column)} ends with a lone backslash; "
                          f"escape a literal backslash as '\\\\'.", table=table, column=column)
    return tokens


def _escape(ch: str) -> str:
    return "\\" + ch if ch in "#?@\\" else ch


def pattern_capacity(pattern: str) -> int:
    """How many distinct strings ``pattern`` can make: the product of its placeholders' alphabet sizes."""
    return math.prod(len(_PLACEHOLDERS[ch]) for is_ph, ch in _parse_pattern(pattern) if is_ph)


def _template(tokens: list[tuple[bool, str]]) -> tuple[np.ndarray, list[tuple[int, bytes]]]:
    """The pattern's UTF-8 bytes (placeholders as '0') and each placeholder's byte position and alphabet."""
    parts, slots, pos = [], [], 0
    for is_ph, ch in tokens:
        if is_ph:
            slots.append((pos, _PLACEHOLDERS[ch]))
            parts.append(b"0")
            pos += 1
        else:
            raw = ch.encode("utf-8")
            parts.append(raw)
            pos += len(raw)
    return np.frombuffer(b"".join(parts), dtype=np.uint8), slots


def _fixed_width_strings(data: np.ndarray) -> pa.StringArray:
    """A StringArray from an ``(n, width)`` uint8 array of UTF-8 bytes, one row per string."""
    n, width = data.shape
    if n * width >= 2**31:
        raise CapacityError(f"{n} strings of {width} bytes exceed one Arrow string array (2 GiB); "
                            f"generate fewer rows per block.")
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data)))


def format_pattern(pattern: str, ids: np.ndarray) -> pa.StringArray:
    """The ``ids``-th strings of ``pattern``: mixed radix over its placeholders, least significant last.

    Distinct ids in ``[0, pattern_capacity(pattern))`` give distinct strings; larger ids wrap around.
    Work is per placeholder position, over all rows at once.
    """
    tokens = _parse_pattern(pattern)
    template, slots = _template(tokens)
    ids = np.asarray(ids)
    if ids.size and ids.min() < 0:
        raise CapacityError(f"Pattern {pattern!r} numbers its strings from 0; got id {int(ids.min())}. "
                            f"Pass ids in [0, {pattern_capacity(pattern)}).")
    rem = ids.astype(np.uint64, copy=True)
    out = np.empty((len(rem), len(template)), dtype=np.uint8)
    out[:] = template
    for pos, alphabet in reversed(slots):
        radix = np.uint64(len(alphabet))
        out[:, pos] = np.frombuffer(alphabet, dtype=np.uint8)[rem % radix]
        rem //= radix
    return _fixed_width_strings(out)


def _random_pattern(pattern: str, base: np.ndarray) -> pa.StringArray:
    """Each placeholder drawn independently, from a per-row 64-bit hash (for patterns too wide for one draw)."""
    template, slots = _template(_parse_pattern(pattern))
    out = np.empty((len(base), len(template)), dtype=np.uint8)
    out[:] = template
    for k, (pos, alphabet) in enumerate(slots):
        h = splitmix64(base + np.uint64(((k + 1) * 0x9E3779B97F4A7C15) % 2**64))
        out[:, pos] = np.frombuffer(alphabet, dtype=np.uint8)[(h >> np.uint64(11)) % np.uint64(len(alphabet))]
    return _fixed_width_strings(out)


def _codes(strings: Sequence[str], width: int) -> np.ndarray:
    """``(n, width)`` Unicode code points of equal-length strings."""
    return np.array(strings, dtype=f"<U{width}").view(np.uint32).reshape(len(strings), width)


def learn_pattern(values: pd.Series) -> str | None:
    """A fixed-length format shared by (nearly) all ``values``, or None.

    Per character position: digits become ``#`` (even when constant, so counters keep their width),
    a character shared by the values stays literal (escaped if it is ``#``, ``?``, ``@`` or ``\\``),
    uppercase letters become ``?`` and lowercase ``@``. At least 95 % of the values must have the
    format, and it must hold a digit placeholder or a punctuation literal: a bare run of letters
    (``?@@@`` from names of one length) is not a format.
    """
    strings = _strings(values)
    if strings.empty:
        return None
    lengths = strings.str.len()
    width = int(lengths.value_counts().idxmax())
    if not 0 < width <= MAX_PATTERN_WIDTH or float((lengths == width).mean()) < 0.95:
        return None
    codes = _codes(strings[lengths == width].tolist(), width)
    tokens = []
    for pos in range(width):
        col = codes[:, pos]
        chars, counts = np.unique(col, return_counts=True)
        modal = chars[counts.argmax()]
        if _share((col >= 48) & (col <= 57)) >= 0.98:
            tokens.append("#")
        elif _share(col == modal) >= 0.98:
            tokens.append(_escape(chr(int(modal))))
        elif _share((col >= 65) & (col <= 90)) >= 0.98:
            tokens.append("?")
        elif _share((col >= 97) & (col <= 122)) >= 0.98:
            tokens.append("@")
        else:
            return None
    pattern = "".join(tokens)
    parsed = _parse_pattern(pattern)
    has_digit = any(is_ph and ch == "#" for is_ph, ch in parsed)
    has_punct = any(not is_ph and not ch.isalnum() for is_ph, ch in parsed)
    if not (has_digit or has_punct) or not any(is_ph for is_ph, _ in parsed):
        return None
    if float(_pattern_matches(pattern, strings).mean()) < 0.95:
        return None
    return pattern


def _pattern_matches(pattern: str, strings: pd.Series) -> pd.Series:
    classes = {"#": "[0-9]", "?": "[A-Z]", "@": "[a-z]"}
    regex = "".join(classes[ch] if is_ph else re.escape(ch) for is_ph, ch in _parse_pattern(pattern))
    return strings.str.fullmatch(regex).fillna(False).astype(bool)


def _pattern_index(pattern: str, strings: pd.Series) -> dict[str, int] | None:
    """The smallest and largest pattern index (inverse of :func:`format_pattern`) among matching values."""
    if strings.empty or pattern_capacity(pattern) >= 2**63:
        return None
    matching = strings[_pattern_matches(pattern, strings)]
    if matching.empty:
        return None
    tokens = _parse_pattern(pattern)
    codes = _codes(matching.tolist(), len(tokens)).astype(np.int64)
    index = np.zeros(len(matching), dtype=np.int64)
    for pos, (is_ph, ch) in enumerate(tokens):
        if is_ph:
            zero = _PLACEHOLDERS[ch][0]
            index = index * len(_PLACEHOLDERS[ch]) + (codes[:, pos] - zero)
    return {"min": int(index.min()), "max": int(index.max())}


# -- detection ----------------------------------------------------------------------------

def _strings(values: Any) -> pd.Series:
    """Non-null values as Python strings, at most SAMPLE_LIMIT of them spread evenly over the column."""
    import pandas as pd

    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    s = s.dropna()
    if len(s) > SAMPLE_LIMIT:
        s = s.iloc[np.linspace(0, len(s) - 1, SAMPLE_LIMIT).astype(np.int64)]
    return s.astype(str).astype(object).reset_index(drop=True)


def _share(mask: Any) -> float:
    arr = np.asarray(mask, dtype=bool)
    return float(arr.mean()) if arr.size else 0.0


def _ascii(s: pd.Series) -> pd.Series:
    return s.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")


def _name_tokens(column: str) -> list[str]:
    """``CustomerFirstName`` / ``customer-first_name`` -> ``['customer', 'first', 'name']``."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", column)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return [t for t in re.split(r"[^a-z0-9]+", s.lower()) if t]


_NAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (semantic, column-name endings, compared with separators removed); first match wins
    ("email", ("email", "emailaddress", "emailaddr", "mail", "emails")),
    ("user_name", ("username", "login", "loginname", "userlogin", "handle", "screenname", "nickname")),
    ("first_name", ("firstname", "fname", "givenname", "forename", "middlename", "first")),
    ("last_name", ("lastname", "lname", "surname", "familyname", "last")),
    ("company", ("company", "companyname", "employer", "organization", "organisation", "businessname", "firm")),
    ("country_code", ("countrycode", "countryiso", "isocountry", "countryiso2", "countryiso3")),
    ("country", ("country", "countryname", "nation")),
    ("state_abbr", ("statecode", "stateabbr", "stateabbreviation", "provincecode")),
    ("state", ("state", "statename", "province")),
    ("city", ("city", "cityname", "town", "municipality")),
    ("postcode", ("postcode", "postalcode", "zip", "zipcode", "postal", "pincode")),
    ("mac_address", ("macaddress", "macaddr", "mac")),
    ("ipv6", ("ipv6", "ipv6address")),
    ("ipv4", ("ip", "ipaddress", "ipaddr", "ipv4", "ipv4address")),
    ("secondary_address", ("address2", "addressline2", "addr2")),
    ("street_address", ("street", "streetaddress", "address1", "addressline1", "addr1", "addressline")),
    ("street_name", ("streetname",)),
    ("address", ("address", "addr", "fulladdress")),
    ("url", ("url", "website", "homepage", "webpage", "link", "uri", "websiteurl")),
    ("domain_name", ("domain", "domainname")),
    ("phone_number", ("phone", "phonenumber", "phoneno", "phonenum", "telephone", "tel", "mobile", "cell",
                      "cellphone", "mobilephone", "mobilenumber", "fax", "contactnumber", "msisdn")),
    ("job", ("job", "jobtitle", "occupation", "profession")),
    ("uuid4", ("uuid", "guid")),
    ("color_name", ("color", "colour", "colorname", "colourname")),
    ("currency_code", ("currency", "currencycode")),
    ("language_name", ("language", "languagename")),
    ("license_plate", ("licenseplate", "licenceplate", "numberplate", "plate")),
    ("iban", ("iban",)),
    ("ssn", ("ssn", "socialsecuritynumber")),
    ("credit_card_number", ("creditcard", "creditcardnumber", "cardnumber", "ccnumber")),
    ("catch_phrase", ("slogan", "catchphrase", "tagline")),
    ("sentence", ("headline", "subject", "caption")),
    ("text", ("description", "desc", "comment", "comments", "note", "notes", "remark", "remarks", "bio",
              "biography", "summary", "body", "message", "review", "feedback", "details", "about")),
)
_PERSON_WORDS = frozenset({
    "full", "customer", "contact", "person", "employee", "client", "author", "owner", "patient", "student",
    "member", "manager", "buyer", "user", "holder", "cardholder", "recipient", "sender", "driver", "passenger",
    "guest", "teacher", "doctor", "applicant", "candidate", "representative", "rep", "agent", "account",
})


def _semantic_from_name(column: str) -> str | None:
    tokens = _name_tokens(column)
    if not tokens:
        return None
    tails = {"".join(tokens[-k:]) for k in range(1, len(tokens) + 1)}
    for semantic, endings in _NAME_RULES:
        if tails.intersection(endings):
            return semantic
    if tokens[-1] == "name" and (len(tokens) == 1 or tokens[-2] in _PERSON_WORDS or len(tokens[-2]) <= 2):
        return "name"
    return None


_SHAPES: dict[str, str] = {
    "email": r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}",
    "url": r"(?:https?|ftp)://[^\s/$.?#][^\s]*|www\.[^\s]+\.[^\s]+",
    "uuid4": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "ipv4": r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)",
    "ipv6": r"(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}",
    "mac_address": r"(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}",
    "phone_number": r"\+?[\d\s().\-]{7,24}(?:\s*(?:x|ext\.?)\s*\d{1,6})?",
    "postcode": r"(?=[A-Za-z0-9 \-]*\d)[A-Za-z0-9][A-Za-z0-9 \-]{1,9}",
    "country_code": r"[A-Z]{2,3}",
    "state_abbr": r"[A-Z]{2}",
    "domain_name": r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
    "ssn": r"\d{3}-?\d{2}-?\d{4}",
    "iban": r"[A-Z]{2}\d{2}[A-Z0-9 ]{10,32}",
    "credit_card_number": r"\d(?:[ -]?\d){12,18}",
    "currency_code": r"[A-Z]{3}",
}
"""What a value of a semantic looks like (full match); semantics without an entry are judged by words."""
_WORD = r"(?:[A-Z][a-z]+(?:['\-][A-Za-z][a-z]+)*|[A-Z]+|[a-z]+|Ma?c[A-Z][a-z]+|O'[A-Z][a-z]+|[A-Z]\.?|[a-z]{1,3}\.)"
_WORDY = {
    # semantic: (fewest words, most words, capitalised words required)
    "first_name": (1, 3, False), "last_name": (1, 3, False), "name": (2, 5, True),
    "city": (1, 5, False), "country": (1, 6, False), "state": (1, 4, False), "street_name": (1, 5, False),
    "job": (1, 10, False), "company": (1, 8, False), "color_name": (1, 3, False), "language_name": (1, 3, False),
}
_TEXTUAL = frozenset({"word", "sentence", "paragraph", "text", "catch_phrase"})
_BY_VALUES = ("email", "url", "uuid4", "ipv4", "mac_address", "ipv6")
"""Semantics recognised from values alone, whatever the column is called."""


def _digit_count(s: pd.Series) -> pd.Series:
    return s.str.count(r"\d")


def _looks_like(semantic: str, s: pd.Series) -> bool:
    """Whether (nearly) all sample values have the shape of ``semantic``."""
    s = s.str.strip()
    if semantic in _SHAPES:
        ok = s.str.fullmatch(_SHAPES[semantic])
        if semantic == "phone_number":
            ok &= _digit_count(s).between(7, 15)
        if semantic == "ipv6":
            ok &= s.str.contains("::", regex=False) | (s.str.count(":") >= 5)
        return _share(ok) >= 0.9
    if semantic in _WORDY:
        lo, hi, capitalised = _WORDY[semantic]
        plain = _ascii(s)
        count = plain.str.split().str.len()
        if semantic == "company":
            shaped = ~s.str.contains("#", regex=False) & (_digit_count(s) <= 2)
        else:
            shaped = plain.str.fullmatch(r"[A-Za-z][A-Za-z .,'&()/\-]*")
        shaped &= count.between(lo, hi)
        if capitalised:
            # every word capitalised (or a short particle: de, van, jr.); all-caps only as 2-4 words
            word = r"(?:[A-Z][A-Za-z'\-]*\.?,?|[a-z]{1,3}\.?)"
            shaped &= plain.str.fullmatch(rf"{word}(?: {word})*") & (~plain.str.isupper() | count.between(2, 4))
        return _share(shaped) >= 0.9
    if semantic in ("street_address", "address", "secondary_address"):
        tokens = _ascii(s).str.split().explode().dropna().astype(str)
        natural = tokens.str.fullmatch(rf"#?\d+[A-Za-z]?[.,]?|{_WORD}[.,;:]?|[A-Z0-9]{{2,4}}")
        has_digit = _share(_digit_count(s) > 0)
        return _share(s.str.contains(r"\s")) >= 0.9 and _share(natural) >= 0.8 and has_digit >= 0.5
    if semantic in _TEXTUAL:
        return _share(s.str.contains(r"[^\W\d_]")) >= 0.5
    return True


def _refine(semantic: str, s: pd.Series) -> str | None:
    """The name's semantic as the values support it: adjusted (codes vs names) or refuted (None)."""
    if semantic == "country" and _looks_like("country_code", s):
        return "country_code"
    if semantic == "state" and _looks_like("state_abbr", s):
        return "state_abbr"
    if semantic == "address" and _share(s.str.contains(r"[\n,]")) < 0.2 and _looks_like("street_address", s):
        return "street_address"
    return semantic if _looks_like(semantic, s) else None


def detect_semantic(column: str, values: pd.Series | None = None) -> str | None:
    """The semantic type of a string column from its name and, when given, its values.

    The name proposes (``first_name``, ``fname``, ``surname``, ``customer_name``, ``city``, ``email``,
    ``phone``, ``zip``, ...; a one- or two-letter table prefix like TPC-H's ``c_`` is ignored), the values
    confirm or refute (a column called ``email`` whose values are not emails is not an email; a
    ``country`` column of two-letter codes is ``country_code``). Emails, URLs, UUIDs, IPs and MAC
    addresses are recognised from the values whatever the column is called. None when nothing fits.
    """
    proposed = _semantic_from_name(column)
    s = _strings(values) if values is not None else None
    if s is None or s.empty:
        return proposed
    if proposed is not None:
        refined = _refine(proposed, s)
        if refined is not None:
            return refined
    for semantic in _BY_VALUES:
        if _looks_like(semantic, s):
            return semantic
    if _looks_like("phone_number", s) and _share(_digit_count(s.str.strip()) >= 10) >= 0.9 \
            and _share(s.str.contains(r"[\s().\-+]")) >= 0.9:
        return "phone_number"
    return None


# -- fitting ------------------------------------------------------------------------------

def canonical_semantic(semantic: str, table: str | None = None, column: str | None = None) -> str:
    """The SEMANTICS name for a hint (case-insensitive, common aliases accepted), or a SchemaError."""
    key = str(semantic).strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in SEMANTICS:
        raise SchemaError(f"Column {where(table, column)} has semantic {semantic!r}, which is not known; "
                          f"use one of {', '.join(SEMANTICS)}, or remove the hint.", table=table, column=column)
    return key


def _case(s: pd.Series) -> str | None:
    """The letter case (nearly) all values share: lower, upper, title or sentence; None when mixed."""
    lettered = s[s.str.contains(r"[^\W\d_]")]
    if lettered.empty:
        return None
    for name, mask in (("lower", lettered.str.islower()), ("upper", lettered.str.isupper()),
                       ("title", lettered.str.istitle()), ("sentence", lettered.str.match(r"[^\w]*[A-Z]"))):
        if _share(mask) >= 0.9:
            return name
    return None


@lru_cache(maxsize=64)
def _distinct_in_pool(semantic: str, locale: str) -> int:
    """How many distinct values a POOL_SIZE pool of ``semantic`` holds (fixed seed): its unique capacity."""
    return len(set(_pool(semantic, POOL_SIZE, 0, locale).to_pylist()))


def _semantic_spec(semantic: str, s: pd.Series) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": "semantic", "semantic": semantic, "locale": DEFAULT_LOCALE, "pool_size": POOL_SIZE}
    if semantic not in _UNBOUNDED and semantic not in _STRUCTURED_CAPACITY:
        spec["distinct"] = _distinct_in_pool(semantic, DEFAULT_LOCALE)
    if semantic == "email" and not s.empty:
        domains = s.str.extract(r"@([^@\s]+)$")[0].dropna().str.lower().value_counts()
        domains = domains[domains >= 2].head(20)
        if len(domains):
            spec["domains"] = {"values": [str(d) for d in domains.index],
                               "weights": _weights(domains.to_numpy(dtype=float))}
    if not s.empty and semantic not in ("email", "user_name", "url", "domain_name", "uuid4", "ipv4", "ipv6"):
        case = _case(s)
        if case in ("upper", "lower"):
            spec["case"] = case
    return spec


def _weights(counts: np.ndarray) -> list[float]:
    return [round(float(w), 6) for w in counts / counts.sum()]


def _words_spec(s: pd.Series) -> dict[str, Any]:
    """Free text: number of words per value, length bounds, case, ending, and a vocabulary if one is shared."""
    if s.empty:
        return {"kind": "words", "words": {"min": 1, "max": 5, "mean": 2.5, "values": [1, 2, 3, 4, 5],
                                           "weights": [0.2] * 5},
                "chars": {"min": 1, "max": 64}, "case": "sentence"}
    counts = s.str.split().str.len().to_numpy(dtype=np.int64)
    lo, hi = int(counts.min()), int(counts.max())
    words: dict[str, Any] = {"min": lo, "max": hi, "mean": round(float(counts.mean()), 3)}
    if hi - lo <= 40:
        freq = np.bincount(counts - lo, minlength=hi - lo + 1).astype(float)
        keep = freq > 0
        words["values"] = [int(v) for v in np.arange(lo, hi + 1)[keep]]
        words["weights"] = _weights(freq[keep])
    else:
        words["quantiles"] = [round(float(q), 3) for q in np.quantile(counts, np.linspace(0, 1, 21))]
    lengths = s.str.len()
    spec: dict[str, Any] = {"kind": "words", "words": words,
                            "chars": {"min": int(lengths.min()), "max": int(lengths.max())}}
    case = _case(s)
    if case:
        spec["case"] = case
    if _share(s.str.endswith(".")) >= 0.5:
        spec["end"] = "."
    vocabulary = _vocabulary(s)
    if vocabulary:
        spec["vocabulary"] = vocabulary
        if lo == hi and 2 <= lo <= MAX_POSITIONS:
            # short values of a fixed number of words ('PROMO BURNISHED COPPER'): one vocabulary per word
            positions = [_vocabulary(s, j) for j in range(lo)]
            if all(positions):
                spec["vocabulary"] = {**vocabulary, "positions": positions}
    return spec


def _vocabulary(s: pd.Series, position: int | None = None) -> dict[str, list] | None:
    """Words used by at least MIN_WORD_DOCS distinct values, if they make up most of the text.

    With ``position``, only the words at that position of each value count (for fixed-length values).
    """
    import pandas as pd

    split = pd.Series(s.unique()).str.lower().str.split()
    raw = split.explode() if position is None else split.str[position]
    raw = raw.dropna().astype(str).str.strip(".,;:!?\"'()[]{}")
    tokens = raw[raw.str.fullmatch(r"[^\W\d_][^\W\d_'\-]*")]
    if tokens.empty:
        return None
    pairs = pd.DataFrame({"doc": tokens.index, "word": tokens.to_numpy()}).drop_duplicates()
    docs = pairs["word"].value_counts()
    kept = set(docs[docs >= MIN_WORD_DOCS].head(VOCABULARY_SIZE).index)
    if len(kept) < (5 if position is None else 1) or tokens.isin(kept).sum() < 0.5 * len(raw):
        return None
    uses = tokens[tokens.isin(kept)].value_counts()
    return {"words": [str(w) for w in uses.index], "weights": _weights(uses.to_numpy(dtype=float))}


def fit_text(table: str, column: str, values: pd.Series, *, semantic: str | None = None,
             pattern: str | None = None) -> dict:
    """The spec of a string column from its non-null sample values (possibly none) and schema hints.

    Hints win: a ``pattern`` is used as given (with the index range the samples cover), a ``semantic``
    as named (an unknown name is a SchemaError listing :data:`SEMANTICS`). Otherwise a semantic detected
    from the name and values, then a format the values share, then free words. Low-cardinality strings
    are categories, decided by the caller before this is reached.
    """
    s = _strings(values)
    if semantic is not None:
        semantic = canonical_semantic(semantic, table, column)
    if pattern is not None:
        parsed = _parse_pattern(pattern, table, column)
        if not any(is_ph for is_ph, _ in parsed):
            raise SchemaError(f"Pattern {pattern!r} of {where(table, column)} has no placeholder; use '#' for a "
                              f"digit, '?' for an uppercase and '@' for a lowercase letter (e.g. 'ORD-#####').",
                              table=table, column=column)
        return _pattern_spec(pattern, s, semantic)
    if semantic is not None:
        return _semantic_spec(semantic, s)
    detected = detect_semantic(column, s if not s.empty else None)
    learned = learn_pattern(s) if not s.empty else None
    if detected is not None:
        if learned is not None and detected in _CODE_LIKE:
            return _pattern_spec(learned, s, detected)
        if detected in _FREE_TEXT and not s.empty:
            return _words_spec(s)
        return _semantic_spec(detected, s)
    if learned is not None:
        return _pattern_spec(learned, s, None)
    return _words_spec(s)


def _pattern_spec(pattern: str, s: pd.Series, semantic: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": "pattern", "pattern": pattern}
    if semantic is not None:
        spec["semantic"] = semantic
    index = _pattern_index(pattern, s)
    if index is not None:
        spec["index"] = index
    return spec


def text_capacity(spec: dict) -> int | None:
    """How many distinct values ``spec`` can make when asked for unique values; None when unbounded."""
    kind = spec.get("kind")
    if kind == "pattern":
        return pattern_capacity(spec["pattern"])
    if kind == "semantic":
        semantic = spec["semantic"]
        if semantic in _UNBOUNDED:
            return None
        if semantic in _STRUCTURED_CAPACITY:
            return _STRUCTURED_CAPACITY[semantic]
        return int(spec.get("distinct", spec.get("pool_size", POOL_SIZE)))
    return None


# -- pools --------------------------------------------------------------------------------

def _faker(locale: str, seed: int) -> Any:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    return fake


@lru_cache(maxsize=128)
def _pool(semantic: str, size: int, seed: int, locale: str) -> pa.StringArray:
    """``size`` Faker values of ``semantic`` (repeats kept, so common values stay common)."""
    fake = _faker(locale, seed)
    method = getattr(fake, semantic)
    return pa.array([str(method()) for _ in range(size)], pa.string())


@lru_cache(maxsize=64)
def _distinct_pool(semantic: str, count: int, seed: int, locale: str) -> pa.StringArray:
    """Exactly ``count`` distinct values of ``semantic``: Faker draws until found, numbered variants if not."""
    fake = _faker(locale, seed ^ 0x5F3759DF)
    method = getattr(fake, semantic)
    seen: dict[str, None] = {}
    for _ in range(10 * max(count, POOL_SIZE)):
        if len(seen) >= count:
            break
        seen.setdefault(str(method()))
    found = list(seen) or [semantic]
    extra, k = [], 2
    while len(found) + len(extra) < count:
        for value in found:
            variant = f"{value} {k}"
            if variant not in seen:
                extra.append(variant)
            if len(found) + len(extra) >= count:
                break
        k += 1
    return pa.array(found + extra, pa.string())


def _slug(value: str) -> str:
    """Lower-case ASCII letters only: ``'José'`` -> ``'jose'``, ``"O'Brien"`` -> ``'obrien'``."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", plain.lower())


@lru_cache(maxsize=64)
def _person_parts(size: int, seed: int, locale: str) -> tuple[pa.StringArray, pa.StringArray, pa.StringArray]:
    """First names, their initials and last names as lower-case ASCII letters (for emails and user names)."""
    fake = _faker(locale, seed)
    firsts = [p for p in (_slug(fake.first_name()) for _ in range(size)) if p] or ["alex"]
    lasts = [p for p in (_slug(fake.last_name()) for _ in range(size)) if p] or ["smith"]
    return pa.array(firsts, pa.string()), pa.array([f[0] for f in firsts], pa.string()), pa.array(lasts, pa.string())


@lru_cache(maxsize=64)
def _word_pool(size: int, seed: int, locale: str) -> pa.StringArray:
    """Lower-case ASCII lorem words of the locale (for URLs and default free text)."""
    fake = _faker(locale, seed)
    words = [w for w in (_slug(fake.word()) for _ in range(size)) if w] or ["lorem"]
    return pa.array(words, pa.string())


@lru_cache(maxsize=64)
def _user_name_stems(size: int, seed: int, locale: str) -> pa.StringArray:
    """Faker user names cut back to their last letter, so that an appended id is exactly the trailing digits."""
    stems = []
    for value in _pool("user_name", size, seed, locale).to_pylist():
        plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").lower()
        stem = re.sub(r"[^a-z]+$", "", re.sub(r"[^a-z0-9._]", "", plain))
        if stem:
            stems.append(stem)
    return pa.array(stems or ["user"], pa.string())


# -- drawing ------------------------------------------------------------------------------

def _draw(seed: int, table: str, column: str, purpose: str, start: int, stop: int,
          sizes: Sequence[int]) -> list[np.ndarray]:
    """Independent uniform indices in ``range(size)`` per size, from one addressed draw per row."""
    u = uniform(seed, table, column, purpose, start, stop)
    total = math.prod(sizes)
    if total > 2**48:
        return [np.minimum((uniform(seed, table, column, f"{purpose}/{k}", start, stop) * n).astype(np.int64), n - 1)
                for k, n in enumerate(sizes)]
    flat = np.minimum((u * total).astype(np.int64), total - 1)
    out = []
    for n in reversed(sizes):
        out.append(flat % n)
        flat = flat // n
    return out[::-1]


def _base64(seed: int, table: str, column: str, purpose: str, start: int, stop: int) -> np.ndarray:
    """A 64-bit per-row key (from an addressed draw) to hash further draws from."""
    u = uniform(seed, table, column, purpose, start, stop)
    return splitmix64((u * _U53).astype(np.uint64))


def _weighted(u: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    cum = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1)


def _weighted_32(h: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Like :func:`_weighted`, for uniform 32-bit integers (held in uint64) instead of floats."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    thresholds = np.floor(cum / cum[-1] * 2.0**32).astype(np.uint64)
    return np.minimum(np.searchsorted(thresholds, h, side="right"), len(cum) - 1)


def _choice_table(weights: Sequence[float], bins: int) -> np.ndarray:
    """Choice per bin of ``range(bins)``, each choice on a share of bins close to its weight (exact for
    weights that are multiples of 1 / bins): a lookup that replaces a search per row."""
    return _weighted((np.arange(bins) + 0.5) / bins, weights)


def _to_str(x: np.ndarray) -> pa.StringArray:
    return pc.cast(pa.array(np.asarray(x, dtype=np.int64)), pa.string())


def _join(*parts: Any) -> pa.StringArray:
    """Concatenate string arrays / scalars element-wise, with no separator."""
    return pc.binary_join_element_wise(*parts, "")


def _apply_case(arr: pa.Array, case: str | None) -> pa.Array:
    if case == "upper":
        return pc.utf8_upper(arr)
    if case == "lower":
        return pc.utf8_lower(arr)
    if case == "title":
        return pc.utf8_title(arr)
    if case == "sentence":
        return pc.utf8_capitalize(arr)
    return arr


# -- generation ---------------------------------------------------------------------------

def generate_text(spec: dict, *, seed: int, table: str, column: str, start: int, stop: int,
                  unique_ids: np.ndarray | None = None) -> pa.StringArray:
    """Values of rows ``[start, stop)`` from ``spec``: a function of ``(seed, table, column, row)`` only.

    With ``unique_ids`` (distinct non-negative integers, one per row, below :func:`text_capacity`),
    the values are distinct by construction.
    """
    n = max(0, stop - start)
    _check_spec(spec, table, column)
    if unique_ids is not None:
        unique_ids = np.asarray(unique_ids, dtype=np.int64)
        if len(unique_ids) != n:
            raise RowCountError(f"Column {where(table, column)} got {len(unique_ids)} unique ids for {n} rows "
                                f"[{start}, {stop}); pass one id per row.", table=table, column=column)
        capacity = text_capacity(spec)
        if n and unique_ids.min() < 0:
            raise CapacityError(f"Column {where(table, column)} got unique id {int(unique_ids.min())}; unique ids "
                                f"count from 0.", table=table, column=column)
        if n and capacity is not None and unique_ids.max() >= capacity:
            raise CapacityError(f"Column {where(table, column)} can hold {capacity} distinct values, but unique id "
                                f"{int(unique_ids.max())} was asked for; ask for fewer rows or widen its format.",
                                table=table, column=column)
    if n == 0:
        return pa.array([], pa.string())
    kind = spec["kind"]
    if kind == "pattern":
        return _gen_pattern(spec, seed, table, column, start, stop, unique_ids)
    if kind == "semantic":
        return _gen_semantic(spec, seed, table, column, start, stop, unique_ids)
    return _gen_words(spec, seed, table, column, start, stop, unique_ids)


def _check_spec(spec: dict, table: str, column: str) -> None:
    """A ModelError naming the column when a (possibly hand-edited) spec cannot be generated from."""
    kind = spec.get("kind") if isinstance(spec, dict) else None
    problem = None
    if kind not in ("pattern", "semantic", "words"):
        problem = f"has kind {kind!r}; expected 'semantic', 'pattern' or 'words'"
    elif kind == "pattern" and not isinstance(spec.get("pattern"), str):
        problem = "has no 'pattern' string"
    elif kind == "semantic" and spec.get("semantic") not in SEMANTICS:
        problem = f"names semantic {spec.get('semantic')!r}, expected one of {', '.join(SEMANTICS)}"
    elif kind == "words" and spec.get("vocabulary") is not None and not all(
            v.get("words") for v in [spec["vocabulary"], *(spec["vocabulary"].get("positions") or [])]):
        problem = "has an empty vocabulary"
    if problem:
        raise ModelError(f"Text spec of {where(table, column)} {problem}; fit the model again or fix the spec.",
                         table=table, column=column)
    if kind == "pattern":
        _parse_pattern(spec["pattern"], table, column)


@lru_cache(maxsize=16)
def _locale_known(locale: str) -> bool:
    from faker import Faker

    try:
        Faker(locale)
    except AttributeError:
        return False
    return True


def _check_locale(locale: str, table: str, column: str) -> None:
    if not isinstance(locale, str) or not _locale_known(locale):
        raise ModelError(f"Text spec of {where(table, column)} has locale {locale!r}, which Faker does not know; "
                         f"use one such as 'en_US', 'de_DE' or 'fr_FR'.", table=table, column=column)


def _gen_pattern(spec: dict, seed: int, table: str, column: str, start: int, stop: int,
                 unique_ids: np.ndarray | None) -> pa.StringArray:
    pattern = spec["pattern"]
    capacity = pattern_capacity(pattern)
    index = spec.get("index")
    if unique_ids is not None:
        ids = unique_ids.astype(np.uint64)
        if index is not None:
            ids = ids + np.uint64(int(index["min"]))
            if capacity < 2**64:
                ids %= np.uint64(capacity)
        return format_pattern(pattern, ids)
    if index is not None:
        lo, hi = int(index["min"]), int(index["max"])
        if 0 <= lo <= hi < capacity and hi - lo < 2**52:
            u = uniform(seed, table, column, "pattern", start, stop)
            return format_pattern(pattern, lo + np.minimum((u * (hi - lo + 1)).astype(np.int64), hi - lo))
    return _random_pattern(pattern, _base64(seed, table, column, "pattern", start, stop))


def _gen_semantic(spec: dict, seed: int, table: str, column: str, start: int, stop: int,
                  unique_ids: np.ndarray | None) -> pa.StringArray:
    semantic = spec["semantic"]
    locale = spec.get("locale", DEFAULT_LOCALE)
    size = int(spec.get("pool_size", POOL_SIZE))
    pool_seed = seed_int(POOL_SEED, table, column, "pool")
    _check_locale(locale, table, column)
    args = (seed, table, column, start, stop)
    if semantic == "email":
        out = _gen_email(spec, size, pool_seed, locale, args, unique_ids)
    elif semantic == "user_name" and unique_ids is not None:
        (stems,) = _unique_parts("user_name", size, pool_seed, locale)
        stem, rest = _split_id(unique_ids, len(stems))
        out = _join(stems.take(stem), _id_suffix(rest))
    elif semantic == "url" and unique_ids is not None:
        urls, words = _unique_parts("url", size, pool_seed, locale)
        url, rest = _split_id(unique_ids, len(urls))
        word, rest = _split_id(rest, len(words))
        out = _join(urls.take(url), words.take(word), _id_suffix(rest, "-"))
    elif semantic == "domain_name" and unique_ids is not None:
        (lasts,) = _unique_parts("domain_name", size, pool_seed, locale)
        tlds = pa.array(["com", "net", "org", "info", "biz"])
        (tld,) = _draw(seed, table, column, "domain", start, stop, [len(tlds)])
        last, rest = _split_id(unique_ids, len(lasts))
        out = _join(lasts.take(last), _id_suffix(rest), ".", tlds.take(tld))
    elif semantic == "ipv4":
        out = _gen_ipv4(args, unique_ids)
    elif semantic == "uuid4":
        out = _gen_uuid(args, unique_ids)
    elif semantic == "phone_number" and unique_ids is not None:
        out = _unique_phones(unique_ids)
    elif unique_ids is not None:
        count = int(spec.get("distinct", size))
        out = _distinct_pool(semantic, count, pool_seed, locale).take(unique_ids)
    else:
        pool = _pool(semantic, size, pool_seed, locale)
        (i,) = _draw(seed, table, column, "pool", start, stop, [len(pool)])
        out = pool.take(i)
    return _apply_case(out, spec.get("case"))


_EMAIL_STYLES = (  # (separator after the first name, first name cut to its initial, weight)
    (".", False, 0.45), ("", False, 0.15), ("_", False, 0.10), ("", True, 0.15), (".", True, 0.15),
)
_EMAIL_NUMBER_SHARE = 0.25
"""Share of (non-unique) addresses whose local part ends with a number 1-99, as real ones often do."""
_SMALL_NUMBERS = pa.array([str(i) for i in range(256)], pa.string())
_EMAIL_SUFFIXES = pa.array([""] + [str(i) for i in range(1, 100)], pa.string())


@lru_cache(maxsize=64)
def _email_heads(size: int, seed: int, locale: str) -> pa.StringArray:
    """Every first name in every style (``maria.``, ``maria``, ``maria_``, ``m``, ``m.``), style-major."""
    firsts, _, _ = _person_parts(size, seed, locale)
    names = firsts.to_pylist()
    return pa.array([(name[0] if initial else name) + sep for sep, initial, _ in _EMAIL_STYLES for name in names],
                    pa.string())


def _gen_email(spec: dict, size: int, pool_seed: int, locale: str, args: tuple,
               unique_ids: np.ndarray | None) -> pa.StringArray:
    """``first.last@domain`` and its common variants, lower-case ASCII.

    Unique addresses take their local part from the id alone: the id picks a distinct head (a first
    name or initial ending with its only separator), a distinct last name, and a number for what is
    left (none when nothing is), so the local part decodes back to the id and distinct ids give
    distinct addresses, whatever domains are drawn.
    """
    seed, table, column, start, stop = args
    firsts, _, lasts = _person_parts(size, pool_seed, locale)
    heads = _email_heads(size, pool_seed, locale)
    domains = spec.get("domains") or {"values": ["example.com", "example.net", "example.org"],
                                      "weights": [1 / 3, 1 / 3, 1 / 3]}
    f, la, style, number, domain = _draw(seed, table, column, "email", start, stop,
                                         [len(firsts), len(lasts), 20, 400, 1000])
    at_domains = pa.array(["@" + str(d) for d in domains["values"]], pa.string()).take(
        _choice_table(domains["weights"], 1000)[domain])
    if unique_ids is not None:
        unique_heads, unique_lasts = _unique_parts("email", size, pool_seed, locale)
        head, rest = _split_id(unique_ids, len(unique_heads))
        last, rest = _split_id(rest, len(unique_lasts))
        return _join(unique_heads.take(head), unique_lasts.take(last), _id_suffix(rest), at_domains)
    style = _choice_table([w for _, _, w in _EMAIL_STYLES], 20)[style]
    # number in [0, 400): the first quarter gives 1..99, the rest no number
    suffix = _EMAIL_SUFFIXES.take(np.where(number < 400 * _EMAIL_NUMBER_SHARE, number % 99 + 1, 0))
    return _join(heads.take(style * len(firsts) + f), lasts.take(la), suffix, at_domains)


@lru_cache(maxsize=64)
def _unique_parts(semantic: str, size: int, seed: int, locale: str) -> tuple[pa.StringArray, ...]:
    """The distinct pools a unique id is spelled with, per semantic (see the generators for the layout).

    email: heads that end with their only separator (``maria.``, ``m.``, ``maria_``) and last names;
    user_name: user names cut back to a letter; url: URLs ending with ``/`` and words; domain_name:
    last names. Every entry is letters (plus that one separator, or the URL's own characters), so
    the digits an id leaves are read back off the end.
    """
    if semantic == "email":
        firsts, _, lasts = _person_parts(size, seed, locale)
        names = list(dict.fromkeys(firsts.to_pylist()))
        heads = [n + "." for n in names] + sorted({n[0] + "." for n in names}) + [n + "_" for n in names[::3]]
        return pa.array(list(dict.fromkeys(heads)), pa.string()), _distinct(lasts)
    if semantic == "user_name":
        return (_distinct(_user_name_stems(size, seed, locale)),)
    if semantic == "url":
        urls = [u if u.endswith("/") else u + "/" for u in _pool("url", size, seed, locale).to_pylist()]
        return _distinct(pa.array(urls, pa.string())), _distinct(_word_pool(size, seed, locale))
    return (_distinct(_person_parts(size, seed, locale)[2]),)


def _distinct(pool: pa.StringArray) -> pa.StringArray:
    """A pool's entries without repeats, in first-seen order."""
    return pa.array(list(dict.fromkeys(pool.to_pylist())), pa.string())


def _split_id(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ids % n, ids // n)``: the next mixed-radix digit of the ids, and what is left of them."""
    ids = np.asarray(ids, dtype=np.int64)
    return ids % n, ids // n


def _id_suffix(rest: np.ndarray, sep: str = "") -> pa.StringArray:
    """What is left of an id as trailing digits (after ``sep``), or nothing when it is 0."""
    return pc.if_else(pa.array(rest == 0), "", _join(sep, _to_str(rest)) if sep else _to_str(rest))


def _gen_ipv4(args: tuple, unique_ids: np.ndarray | None) -> pa.StringArray:
    """Dotted quads with a first octet in 1..223 (unicast): from the id, or from one draw per row."""
    if unique_ids is not None:
        v = unique_ids.astype(np.int64)
    else:
        seed, table, column, start, stop = args
        (v,) = _draw(seed, table, column, "ipv4", start, stop, [_STRUCTURED_CAPACITY["ipv4"]])
    octets = [1 + (v >> 24), (v >> 16) & 255, (v >> 8) & 255, v & 255]
    return pc.binary_join_element_wise(*[_SMALL_NUMBERS.take(o) for o in octets], ".")


def _unique_phones(ids: np.ndarray) -> pa.StringArray:
    """``AAA-EEE-LLLL`` with area and exchange codes in 200..999: a bijection of ids below 800 * 800 * 10**4."""
    line, rest = ids % 10**4, ids // 10**4
    out = np.full((len(ids), 12), ord("-"), dtype=np.uint8)
    for value, first, width in ((200 + rest // 800, 0, 3), (200 + rest % 800, 4, 3), (line, 8, 4)):
        for k in range(width):
            out[:, first + width - 1 - k] = 48 + (value // 10**k) % 10
    return _fixed_width_strings(out)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex(x: np.ndarray, digits: int) -> np.ndarray:
    """``(n, digits)`` lower-case hex characters of the low ``4 * digits`` bits, most significant first."""
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return _HEX[((x[:, None] >> shifts) & np.uint64(15)).astype(np.intp)]


def _mix60(x: np.ndarray, key: int) -> np.ndarray:
    """A keyed bijection of [0, 2**60): xor, odd multiplications and xor-shifts, all invertible mod 2**60."""
    mask = np.uint64((1 << 60) - 1)
    with np.errstate(over="ignore"):
        x = (x.astype(np.uint64) ^ np.uint64(key & ((1 << 60) - 1))) & mask
        x = (x * np.uint64(0xBF58476D1CE4E5B9)) & mask
        x ^= x >> np.uint64(29)
        x = (x * np.uint64(0x94D049BB133111EB)) & mask
        x ^= x >> np.uint64(32)
    return x


def _gen_uuid(args: tuple, unique_ids: np.ndarray | None) -> pa.StringArray:
    """Version-4 UUID strings; with ids, the 60 bits around the version nibble are a bijection of the id."""
    seed, table, column, start, stop = args
    base = _base64(seed, table, column, "uuid", start, stop)
    if unique_ids is not None:
        hi = _mix60(unique_ids, seed_int(seed, table, column, "uuid_key"))
    else:
        hi = splitmix64(base ^ np.uint64(0xD1B54A32D192ED03)) >> np.uint64(4)
    lo = splitmix64(base)
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    top = _hex(hi >> np.uint64(12), 12)  # 48 bits: time_low and time_mid
    mid = _hex(hi & np.uint64(0xFFF), 3)  # 12 bits after the version nibble
    low = _hex(lo, 16)
    dash = np.full((len(base), 1), ord("-"), dtype=np.uint8)
    four = np.full((len(base), 1), ord("4"), dtype=np.uint8)
    data = np.hstack([top[:, :8], dash, top[:, 8:], dash, four, mid, dash, low[:, :4], dash, low[:, 4:]])
    return _fixed_width_strings(data)


def _word_count(spec: dict, u: np.ndarray) -> np.ndarray:
    words = spec.get("words", {})
    lo, hi = int(words.get("min", 1)), int(words.get("max", 5))
    if "values" in words:
        k = np.asarray(words["values"], dtype=np.int64)[_weighted(u, words["weights"])]
    elif "quantiles" in words:
        q = np.asarray(words["quantiles"], dtype=float)
        k = np.rint(np.interp(u, np.linspace(0, 1, len(q)), q)).astype(np.int64)
    else:
        k = lo + np.minimum((u * (hi - lo + 1)).astype(np.int64), hi - lo)
    return np.clip(k, max(lo, 0), max(hi, 0))


def _gen_words(spec: dict, seed: int, table: str, column: str, start: int, stop: int,
               unique_ids: np.ndarray | None) -> pa.StringArray:
    """Rows of k words: k from the learned counts, each word hashed from (row key, position) into the vocabulary."""
    k = _word_count(spec, uniform(seed, table, column, "word_count", start, stop))
    base = _base64(seed, table, column, "words", start, stop)
    offsets = np.zeros(len(k) + 1, dtype=np.int64)
    np.cumsum(k, out=offsets[1:])
    row = np.repeat(np.arange(len(k)), k)
    position = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], k)
    with np.errstate(over="ignore"):
        h = splitmix64(np.repeat(base, k) + (position.view(np.uint64) + np.uint64(1)) * _GOLDEN) >> np.uint64(32)
    vocabulary = spec.get("vocabulary")
    if vocabulary:
        vocabularies = vocabulary.get("positions") or [vocabulary]
        words = pa.array([w for v in vocabularies for w in v["words"]], pa.string())
        index = np.zeros(len(h), dtype=np.int64)
        which = np.minimum(position, len(vocabularies) - 1)
        first = 0
        for j, v in enumerate(vocabularies):
            at = which == j if len(vocabularies) > 1 else slice(None)
            index[at] = first + _weighted_32(h[at], v.get("weights") or [1.0] * len(v["words"]))
            first += len(v["words"])
    else:
        locale = spec.get("locale", DEFAULT_LOCALE)
        _check_locale(locale, table, column)
        words = _word_pool(int(spec.get("pool_size", POOL_SIZE)), seed_int(POOL_SEED, table, column, "pool"), locale)
        index = ((h * np.uint64(len(words))) >> np.uint64(32)).view(np.int64)
    taken = words.take(index)
    chars = spec.get("chars") or {}
    end = spec.get("end", "")
    if "max" in chars:
        # keep whole words while they fit (the first always), then cut what is still too long
        limit = max(1, int(chars["max"]) - len(end))
        cost = pc.utf8_length(taken).to_numpy(zero_copy_only=False).astype(np.int64) + 1
        used = np.cumsum(cost)
        used -= np.repeat(np.concatenate([[0], used])[offsets[:-1]], k)
        keep = (used - 1 <= limit) | (position == 0)
        if not keep.all():
            taken = taken.filter(keep)
            np.cumsum(np.bincount(row[keep], minlength=len(k)), out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), taken)
    out = _apply_case(pc.binary_join(lists, " "), spec.get("case"))
    if "max" in chars:
        out = pc.utf8_slice_codeunits(out, 0, limit)
    if end:
        out = _join(out, end)
    if unique_ids is not None:
        # the id is the last space-separated token, and words hold no spaces: distinct by construction
        out = pc.binary_join_element_wise(out, _to_str(unique_ids), " ")
    return out
