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

Generation lives in :mod:`synthframe.generators.text`; this module keeps what fitting
and generation share: the pattern language, the semantic names, and the Faker pools
(built once per ``(table, column)``, the same for every run seed).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .errors import CapacityError, SchemaError, where
from .keys import splitmix64

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

_FROM_REFERENCE = frozenset({"job", "country", "country_code", "state", "state_abbr", "city", "street_name",
                             "street_address", "company", "first_name", "last_name", "name"})
"""Semantics made from the bundled reference data (see :mod:`synthframe.generators.entities`): numbered
past their distinct values when unique, never by a Faker pool."""
_KEEP_SEEN = frozenset({"job", "country", "country_code", "state", "state_abbr", "city", "company"})
"""Semantics that are not about a person: their sample values are kept and drawn at their rate, new ones
(the Good–Turing share) from the reference data."""
_FREE_TEXT = frozenset({"word", "sentence", "paragraph", "text"})
"""Detected from a name, these are learned as ``words`` when there are samples to learn from."""
_CODE_LIKE = frozenset({"phone_number", "postcode", "license_plate"})
"""Semantics whose sample format, when the values share one, is kept as a pattern (IBANs, card numbers and
social security numbers keep their grouping but are made with valid check digits: :mod:`.identifiers`)."""
_UNBOUNDED = frozenset({"email", "user_name", "url", "domain_name"})
"""Semantics that end their values with the unique id: any number of distinct values."""
_STRUCTURED_CAPACITY: dict[str, int] = {"ipv4": 223 << 24, "phone_number": 800 * 800 * 10**4, "uuid4": 1 << 60}
"""Semantics built from the unique id directly, with how many distinct values they can make."""

_PLACEHOLDERS: dict[str, bytes] = {
    "#": b"0123456789",
    "?": b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "@": b"abcdefghijklmnopqrstuvwxyz",
    "*": b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}


# -- patterns -----------------------------------------------------------------------------

_SET_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
"""What a set placeholder (``[ABD]``) may list: ASCII letters and digits."""


def _parse_pattern(pattern: str, table: str | None = None, column: str | None = None) -> list[tuple[bool, str]]:
    """``(is_placeholder, token)`` per output character; a backslash escapes the next character.

    A placeholder's token is ``#``, ``?``, ``@``, ``*`` or a set: ``[`` then one or more ASCII letters or digits
    then ``]`` (``[ABD]``: one of A, B, D), written in its canonical form (characters sorted, each once). Any
    other ``[`` is a literal, as is ``\\[``."""
    tokens: list[tuple[bool, str]] = []
    escaped = False
    at = 0
    while at < len(pattern):
        ch = pattern[at]
        if escaped:
            tokens.append((False, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[" and (end := _set_end(pattern, at)):
            tokens.append((True, "[" + "".join(sorted(set(pattern[at + 1:end]))) + "]"))
            at = end
        else:
            tokens.append((ch in _PLACEHOLDERS, ch))
        at += 1
    if escaped:
        raise SchemaError(f"Pattern {pattern!r} of {where(table, column)} ends with a lone backslash; "
                          f"escape a literal backslash as '\\\\'.", table=table, column=column)
    return tokens


def _set_end(pattern: str, start: int) -> int | None:
    """Where the set placeholder opened by the ``[`` at ``start`` closes, or None when that ``[`` is a literal."""
    end = pattern.find("]", start + 1)
    if end > start + 1 and all(ch in _SET_CHARS for ch in pattern[start + 1:end]):
        return end
    return None


def _alphabet(token: str) -> bytes:
    """The characters a placeholder token draws from (``#``: the digits; ``[ABD]``: A, B and D)."""
    return _PLACEHOLDERS.get(token) or token[1:-1].encode("ascii")


def _escape(ch: str) -> str:
    return "\\" + ch if ch in "#?@*\\[" else ch


def pattern_capacity(pattern: str) -> int:
    """How many distinct strings ``pattern`` can make: the product of its placeholders' alphabet sizes."""
    return math.prod(len(_alphabet(ch)) for is_ph, ch in _parse_pattern(pattern) if is_ph)


def _template(tokens: list[tuple[bool, str]]) -> tuple[np.ndarray, list[tuple[int, bytes]]]:
    """The pattern's UTF-8 bytes (placeholders as '0') and each placeholder's byte position and alphabet."""
    parts, slots, pos = [], [], 0
    for is_ph, ch in tokens:
        if is_ph:
            slots.append((pos, _alphabet(ch)))
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


def learn_key_formats(values: pd.Series) -> list[dict[str, Any]] | None:
    """The formats of natural keys (``UA``, ``JFK``/``04G``, ``N14228``/``N102UW``): one pattern per length,
    weighted by its share of the keys. Per position: ``#`` digits, ``?`` upper-case letters, ``@`` lower-case
    letters, ``*`` upper-case letters and digits, or the character every key shares there. Lengths held by
    one key only are left out (a format with nothing to vary would copy it). None when a position mixes
    anything else (free text is not a key format) or the formats cover under 90% of the keys."""
    strings = _strings(values)
    if strings.empty:
        return None
    lengths = strings.str.len()
    formats = []
    for width, count in lengths.value_counts().sort_index().items():
        if not 0 < width <= MAX_PATTERN_WIDTH:
            return None
        if count < 2:
            continue
        codes = _codes(strings[lengths == width].tolist(), int(width))
        tokens = []
        for pos in range(int(width)):
            col = codes[:, pos]
            digit, upper, lower = (col >= 48) & (col <= 57), (col >= 65) & (col <= 90), (col >= 97) & (col <= 122)
            if (col == col[0]).all() and not (len(col) > 1 and digit.all()):
                tokens.append(_escape(chr(int(col[0]))))
            elif digit.all():
                tokens.append("#")
            elif upper.all():
                tokens.append("?")
            elif lower.all():
                tokens.append("@")
            elif (upper | digit).all():
                tokens.append("*")
            else:
                return None
        if any(is_ph for is_ph, _ in _parse_pattern("".join(tokens))):
            formats.append({"pattern": "".join(tokens), "weight": float(count)})
    total = sum(f["weight"] for f in formats)
    if total < 0.9 * len(strings):
        return None
    return [{**f, "weight": f["weight"] / total} for f in formats]


def _pattern_matches(pattern: str, strings: pd.Series) -> pd.Series:
    classes = {"#": "[0-9]", "?": "[A-Z]", "@": "[a-z]", "*": "[0-9A-Z]"}
    regex = "".join(classes.get(ch, ch) if is_ph else re.escape(ch) for is_ph, ch in _parse_pattern(pattern))
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
            lookup = np.zeros(128, dtype=np.int64)
            alphabet = _alphabet(ch)
            lookup[np.frombuffer(alphabet, dtype=np.uint8)] = np.arange(len(alphabet))
            index = index * len(alphabet) + lookup[codes[:, pos]]
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
    """``CustomerFirstName`` / ``customer-first_name`` -> ``['customer', 'first', 'name']`` (accents folded:
    ``Straße`` -> ``strasse``, ``Prénom`` -> ``prenom``)."""
    plain = unicodedata.normalize("NFKD", column.replace("ß", "ss")).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", plain)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return [t for t in re.split(r"[^a-z0-9]+", s.lower()) if t]


_NAME_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (semantic, column-name endings, compared with separators removed); first match wins
    ("email", ("email", "emailaddress", "emailaddr", "mail", "emails", "courriel", "correo", "correoelectronico")),
    ("user_name", ("username", "login", "loginname", "userlogin", "handle", "screenname", "nickname")),
    ("first_name", ("firstname", "fname", "givenname", "forename", "middlename", "first", "vorname", "prenom",
                    "nombre", "nome", "voornaam")),
    ("last_name", ("lastname", "lname", "surname", "familyname", "last", "nachname", "familienname", "nom",
                   "nomdefamille", "apellido", "apellidos", "cognome", "achternaam")),
    ("company", ("company", "companyname", "employer", "organization", "organisation", "businessname", "firm",
                 "firma", "unternehmen", "societe", "entreprise", "empresa", "azienda")),
    ("country_code", ("countrycode", "countryiso", "isocountry", "countryiso2", "countryiso3")),
    ("country", ("country", "countryname", "nation", "land", "pays", "pais", "paese")),
    ("state_abbr", ("statecode", "stateabbr", "stateabbreviation", "provincecode")),
    ("state", ("state", "statename", "province", "bundesland", "provincia", "estado")),
    ("city", ("city", "cityname", "town", "municipality", "ort", "stadt", "wohnort", "ville", "ciudad", "citta",
              "localidad", "plaats")),
    ("postcode", ("postcode", "postalcode", "zip", "zipcode", "postal", "pincode", "plz", "postleitzahl",
                  "codepostal", "codigopostal")),
    ("mac_address", ("macaddress", "macaddr", "mac")),
    ("ipv6", ("ipv6", "ipv6address")),
    ("ipv4", ("ip", "ipaddress", "ipaddr", "ipv4", "ipv4address")),
    ("secondary_address", ("address2", "addressline2", "addr2")),
    ("street_address", ("street", "streetaddress", "address1", "addressline1", "addr1", "addressline", "strasse",
                        "anschrift", "rue", "calle", "direccion", "straat")),
    ("street_name", ("streetname",)),
    ("address", ("address", "addr", "fulladdress", "adresse", "indirizzo", "adres")),
    ("url", ("url", "website", "homepage", "webpage", "link", "uri", "websiteurl")),
    ("domain_name", ("domain", "domainname")),
    ("phone_number", ("phone", "phonenumber", "phoneno", "phonenum", "telephone", "tel", "mobile", "cell",
                      "cellphone", "mobilephone", "mobilenumber", "fax", "contactnumber", "msisdn", "telefon",
                      "telefonnummer", "handy", "telephone", "telefono", "portable", "movil", "telefoon")),
    ("job", ("job", "jobtitle", "occupation", "profession", "beruf", "metier", "profesion", "professione",
             "beroep")),
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
        if semantic == "name" and _share(shaped) >= 0.9:
            return _share(_known_person_names(s)) >= MIN_KNOWN_NAMES
        return _share(shaped) >= 0.9
    if semantic in ("street_address", "address", "secondary_address"):
        tokens = _ascii(s).str.split().explode().dropna().astype(str)
        natural = tokens.str.fullmatch(rf"#?\d+[A-Za-z]?[.,]?|{_WORD}[.,;:]?|[A-Z0-9]{{2,4}}")
        has_digit = _share(_digit_count(s) > 0)
        return _share(s.str.contains(r"\s")) >= 0.9 and _share(natural) >= 0.8 and has_digit >= 0.5
    if semantic in _TEXTUAL:
        return _share(s.str.contains(r"[^\W\d_]")) >= 0.5
    return True


MIN_KNOWN_NAMES = 0.5
"""Share of values a full-name column must hold of known first and last names (any locale): airline and
product names are capitalised words too."""


@lru_cache(maxsize=1)
def _person_name_lists() -> tuple[pa.Array, pa.Array]:
    """Every first name and every last name of the bundled locales."""
    import pyarrow.compute as pc

    from . import reference

    lists = [reference.names(locale) for locale in reference.locales()]
    first = pa.concat_arrays([part[k] for part in lists for k in ("first_female", "first_male")])
    last = pa.concat_arrays([part["last"] for part in lists])
    return pc.unique(first), pc.unique(last)


def _known_person_names(s: pd.Series) -> np.ndarray:
    """Whether each value holds a known first name (any word but the last) and ends with a known last name."""
    import pyarrow.compute as pc

    first, last = _person_name_lists()
    words = s.str.replace(",", " ", regex=False).str.split()
    ends = pa.array(words.str[-1].fillna(""), pa.string())
    heads = words.str[:-1].explode().dropna().astype(str)
    named = pc.is_in(pa.array(heads, pa.string()), value_set=first).to_numpy(zero_copy_only=False)
    has_first = np.zeros(len(s), dtype=bool)
    has_first[heads.index.to_numpy()[named]] = True
    return has_first & pc.is_in(ends, value_set=last).to_numpy(zero_copy_only=False)


def _first_names_alone(s: pd.Series) -> bool:
    """Whether (nearly) every value is one word and at least MIN_KNOWN_NAMES of them are known first names
    (``Alice`` in a column called ``name``)."""
    import pyarrow.compute as pc

    plain = s.str.strip()
    if _share(plain.str.fullmatch(r"[^\W\d_][^\s\d_]*").fillna(False)) < 0.9:
        return False
    known = pc.is_in(pa.array(plain, pa.string()), value_set=_person_name_lists()[0])
    return _share(known.to_numpy(zero_copy_only=False)) >= MIN_KNOWN_NAMES


def _refine(semantic: str, s: pd.Series) -> str | None:
    """The name's semantic as the values support it: adjusted (codes vs names, a first name alone) or refuted
    (None)."""
    if semantic == "name" and not _looks_like("name", s) and _first_names_alone(s):
        return "first_name"
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


MIN_LOCALE_SHARE = 0.2
"""Share of sample values a locale's reference list must hold for the column to be read in that locale."""


@lru_cache(maxsize=8)
def _locale_lookup(part: str) -> pd.DataFrame:
    """Every reference value of a kind with the locale it belongs to (``value``, ``locale``), one table for
    all locales: names and jobs and streets by their own locale, cities and regions by their country's."""
    import pandas as pd

    from . import reference

    if part in ("first_name", "last_name"):
        names = reference.get("names").to_pandas()
        kinds = ("first_female", "first_male") if part == "first_name" else ("last",)
        frame = names.loc[names["kind"].isin(kinds), ["name", "locale"]].rename(columns={"name": "value"})
    elif part in ("job", "street_name"):
        table = reference.get("jobs" if part == "job" else "streets").to_pandas()
        frame = table.rename(columns={"job": "value", "street": "value"})[["value", "locale"]]
    else:  # city, state, state_abbr: the country's locale
        cities = reference.cities().to_pandas()
        column = {"city": "name", "state": "region", "state_abbr": "region_code"}[part]
        locale_of = reference.countries().to_pandas().set_index("alpha2")["locale"]
        frame = pd.DataFrame({"value": cities[column], "locale": cities["country"].map(locale_of)})
    return frame.dropna().drop_duplicates()


def learned_locale(semantic: str, s: pd.Series) -> str:
    """The locale whose reference list holds most of the sample values (German job titles → de_DE, French
    cities → fr_FR), en_US when it holds nearly as many or nothing holds enough: one join of the sample
    values with every locale's list at once."""
    if s.empty or semantic not in _FROM_REFERENCE or semantic in ("country", "country_code", "company",
                                                                   "street_address"):
        return DEFAULT_LOCALE  # codes are no locale's; composed values have no list to look them up in
    part = {"name": "last_name"}.get(semantic, semantic)
    values = s.str.strip()
    if semantic == "name":
        values = values.str.split().str[-1]
    weights = values.value_counts()
    found = _locale_lookup(part).merge(weights.rename("n").rename_axis("value").reset_index(), on="value")
    if found.empty:
        return DEFAULT_LOCALE
    shares = found.groupby("locale")["n"].sum() / float(weights.sum())
    shares = shares.sort_index().sort_values(ascending=False, kind="stable")
    best = str(shares.index[0])
    if shares.iloc[0] < MIN_LOCALE_SHARE or shares.get(DEFAULT_LOCALE, 0.0) >= 0.9 * shares.iloc[0]:
        return DEFAULT_LOCALE
    return best


def _semantic_spec(semantic: str, s: pd.Series) -> dict[str, Any]:
    from .identifiers import CHECKED, learn

    if semantic in CHECKED:  # made from the row's bits with check digits: no pool, no sample value kept
        return {"kind": "semantic", "semantic": semantic, "locale": learned_locale(semantic, s),
                **learn(semantic, s.astype(str).tolist())}
    spec: dict[str, Any] = {"kind": "semantic", "semantic": semantic, "locale": learned_locale(semantic, s),
                            "pool_size": POOL_SIZE}
    if semantic not in _UNBOUNDED and semantic not in _STRUCTURED_CAPACITY and semantic not in _FROM_REFERENCE:
        spec["distinct"] = _distinct_in_pool(semantic, DEFAULT_LOCALE)
    if semantic in _KEEP_SEEN and not s.empty:
        counts = s.value_counts()
        spec["seen"] = _counts_spec(counts, MAX_TEXT_LEVELS)
        spec["new"] = _new_share(counts)
    if semantic == "country_code" and not s.empty and _share(s.astype(str).str.fullmatch(r"[A-Za-z]{3}")) >= 0.9:
        spec["form"] = "alpha3"  # ISO 3166 alpha-3 (DEU) rather than alpha-2 (DE)
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


def fit_words(values: pd.Series) -> dict[str, Any]:
    """A ``words`` spec of free text (word counts, length, case, a vocabulary of shared words): text learned
    without keeping any whole value."""
    return _words_spec(_strings(values))


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


MAX_LEVEL_WORDS = 10
"""Values of at most this many words (names of things, titles) may be kept as levels and recombined."""
MAX_TEXT_LEVELS = 5000
"""Most sample values a ``levels`` or ``sentences`` spec keeps (the most frequent)."""
MIN_SENTENCE_REUSE = 0.5
"""Free text is drawn as whole sample sentences when at least this share of its sentences recur."""
_SENTENCE_END = r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])"


def _counts_spec(counts: pd.Series, limit: int) -> dict[str, list]:
    top = counts.head(limit)
    return {"values": top.index.astype(str).tolist(), "weights": _weights(top.to_numpy(dtype=float))}


def _new_share(counts: pd.Series) -> float:
    """Good–Turing: the chance that the next value is one the samples never showed (singletons / all)."""
    total = float(counts.sum())
    return round(float((counts == 1).sum()) / total, 6) if total else 1.0


def _sentences_spec(s: pd.Series, min_reuse: float = MIN_SENTENCE_REUSE) -> dict[str, Any] | None:
    """Text made of sentences that recur across values (review bodies, canned comments): the sentence
    levels and how many sentences a value holds. None when most sentences are one-offs."""
    import pandas as pd

    split = s.str.strip().str.split(_SENTENCE_END, regex=True)
    counts_per_value = split.str.len().to_numpy(dtype=np.int64)
    if counts_per_value.max(initial=0) < 2 and min_reuse:
        return None
    sentences = split.explode().dropna().astype(str).str.strip()
    sentences = sentences[sentences.str.len() > 0]
    if sentences.empty:
        return None
    counts = sentences.value_counts()
    reused = float(counts[counts >= 2].sum()) / float(counts.sum())
    if reused < min_reuse or len(counts) < (2 if min_reuse else 1):
        return None
    per_value = pd.Series(counts_per_value).value_counts().sort_index()
    return {"kind": "sentences", "sentences": _counts_spec(counts, MAX_TEXT_LEVELS),
            "count": {"values": per_value.index.astype(int).tolist(), "weights": _weights(per_value.to_numpy(float))}}


def _levels_spec(s: pd.Series) -> dict[str, Any] | None:
    """Short text naming things (product names, titles): the sample values as levels, and the share of new
    values (Good–Turing), made by joining the first half of one level to the second half of another."""
    words = s.str.split().str.len()
    capitalised = s.str.count(r"(?:^|\s)[A-Z0-9]") / words.clip(lower=1)
    sentences = s.str.contains(r"[.!?]$") & (capitalised < 0.6)  # 'Works well.', not 'Delta Air Lines Inc.'
    if s.empty or words.max() > MAX_LEVEL_WORDS or _share(sentences) > 0.5:
        return None
    counts = s.value_counts()
    spec: dict[str, Any] = {"kind": "levels", **_counts_spec(counts, MAX_TEXT_LEVELS), "new": _new_share(counts)}
    if _share(words >= 2) < 0.5:
        spec["new"] = 0.0
    return spec


MAX_GIVEN_LEVELS = 20
"""A text column is drawn per level of another column only when that column has at most this many levels."""
MIN_GIVEN_ASSOCIATION = 0.5
"""Cramér's V the text's words (or sentences) must reach with the other column (and chi-square p < 0.01)."""


def _as_keys(values: pd.Series) -> pd.Series:
    """Values as the strings generation compares them with (Arrow's cast of the column to text)."""
    import pandas as pd
    import pyarrow.compute as pc

    keys = pc.cast(pa.array(values.astype(object).where(values.notna(), None)), pa.string())
    return pd.Series(keys.to_pylist(), index=values.index, dtype=object)


def _association(units: pd.Series, given: pd.Series) -> float:
    """Cramér's V between text units (words or sentences seen in at least two values) and a column's levels;
    0 when the chi-square test does not reject independence at 1%."""
    import pandas as pd
    from scipy.stats import chi2_contingency

    table = pd.crosstab(units, given)
    if table.shape[0] < 2 or table.shape[1] < 2 or int(table.to_numpy().sum()) < 10:
        return 0.0
    chi2, p, _, _ = chi2_contingency(table.to_numpy(), correction=False)
    if p >= 0.01:
        return 0.0
    return float(np.sqrt(chi2 / (table.to_numpy().sum() * (min(table.shape) - 1))))


def _units(spec: Mapping[str, Any], s: pd.Series) -> pd.Series:
    """What a text spec is made of, one per row of an exploded series: sentences, or words of levels."""
    split = s.str.split(_SENTENCE_END, regex=True) if spec["kind"] == "sentences" else s.str.split()
    units = split.explode().dropna().astype(str).str.strip()
    import pandas as pd

    documents = pd.DataFrame({"unit": units.to_numpy(), "doc": units.index}).drop_duplicates()["unit"].value_counts()
    return units[units.map(documents).to_numpy() >= 2]


def _determined(s: pd.Series, candidates: Mapping[str, pd.Series]) -> str | None:
    """The text (category) column each sample value of a names-of-things text always goes with (every
    product name under one category): kept levels keep it, new ones are spliced within it. The one with the
    most levels when several are determined; None when none is."""
    import pandas as pd

    found = None
    for name, column in candidates.items():  # a loop over the table's columns
        if column.dtype.kind in "biufcmM" or column.isna().any():
            continue
        given = _as_keys(column)
        levels = given.nunique()
        if not 2 <= levels <= MAX_GIVEN_LEVELS:
            continue
        pairs = pd.DataFrame({"value": s.to_numpy(), "given": given.to_numpy()}).drop_duplicates()
        if not pairs["value"].duplicated().any() and (found is None or levels > found[1]):
            found = (name, levels)
    return found[0] if found else None


def fit_text_given(spec: dict[str, Any], values: pd.Series, candidates: Mapping[str, pd.Series]) -> dict | None:
    """The column a ``levels`` or ``sentences`` text is drawn per level of (product names per category,
    review sentences per rating), with the spec learned within each level; None when no column has a
    significant, strong association with the text's words or sentences."""
    if spec.get("kind") not in ("levels", "sentences"):
        return None
    present = values.notna()
    s = values[present].astype(str)
    units = _units(spec, s)
    best, best_score = None, MIN_GIVEN_ASSOCIATION
    for name, column in candidates.items() if not units.empty else ():  # a loop over the table's columns
        given = _as_keys(column[present])
        levels = given.nunique()
        if not 2 <= levels <= MAX_GIVEN_LEVELS or given.isna().any():
            continue
        score = _association(units, given.reindex(units.index))
        if score > best_score:
            best, best_score = name, score
    if best is None and spec["kind"] == "levels":
        best = _determined(s, {n: c[present] for n, c in candidates.items()})
        best_score = 1.0
    if best is None:
        return None
    given = _as_keys(candidates[best][present])
    groups = {}
    for level, part in s.groupby(given):  # a loop over the given column's levels
        if spec["kind"] == "levels":
            groups[str(level)] = _levels_spec(part) or {"kind": "levels", **_counts_spec(part.value_counts(),
                                                                                     MAX_TEXT_LEVELS), "new": 0.0}
        else:
            sub = _sentences_spec(part, min_reuse=0.0)
            if sub:
                groups[str(level)] = sub
    return {"column": best, "association": round(best_score, 4), "groups": groups} if groups else None


def fit_text(table: str, column: str, values: pd.Series, *, semantic: str | None = None,
             pattern: str | None = None, locale: str | None = None) -> dict:
    """The spec of a string column (see :func:`_fit_text`); a ``locale`` hint sets a semantic spec's locale."""
    spec = _fit_text(table, column, values, semantic=semantic, pattern=pattern)
    if locale is not None and spec.get("kind") == "semantic":
        spec["locale"] = locale
    return spec


def _fit_text(table: str, column: str, values: pd.Series, *, semantic: str | None = None,
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
        if semantic in _FREE_TEXT and not s.empty:
            return _sentences_spec(s) or _words_spec(s)
        return _semantic_spec(semantic, s)
    detected = detect_semantic(column, s if not s.empty else None)
    learned = learn_pattern(s) if not s.empty else None
    if detected is not None:
        if learned is not None and detected in _CODE_LIKE:
            return _pattern_spec(learned, s, detected)
        if detected in _FREE_TEXT and not s.empty:
            return _sentences_spec(s) or _words_spec(s)
        return _semantic_spec(detected, s)
    if learned is not None:
        return _pattern_spec(learned, s, None)
    if s.empty:
        return _words_spec(s)
    sentences = _sentences_spec(s)
    if sentences:
        return sentences
    words = _words_spec(s)
    levels = _levels_spec(s)
    if levels and (levels["new"] < 1.0 or "vocabulary" not in words):
        return levels
    return words


def _pattern_spec(pattern: str, s: pd.Series, semantic: str | None) -> dict[str, Any]:
    """A format and the range of indices its samples cover; one sample value shows no range, so the codes run
    from it to the end of the format's domain (``SKU-00123`` gives ``SKU-00123`` ... ``SKU-99999``, never that
    one value on every row)."""
    spec: dict[str, Any] = {"kind": "pattern", "pattern": pattern}
    if semantic is not None:
        spec["semantic"] = semantic
    index = _pattern_index(pattern, s)
    if index is not None:
        if len(s) == 1:
            index = {"min": index["min"], "max": max(index["max"], pattern_capacity(pattern) - 1)}
        spec["index"] = index
    return spec


# -- pools --------------------------------------------------------------------------------

def _faker(locale: str, seed: int) -> Any:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    return fake


def _faker_values(semantic: str, size: int, seed: int, locale: str) -> list[str]:
    """``size`` values of ``semantic`` (repeats kept, so common values stay common): from the bundle's pool of
    Faker's values for the locale (:func:`synthframe.reference.pool`) in an order the seed shuffles, cycled
    past its end; from Faker itself only for a semantic or locale the bundle does not keep (then another
    Faker version may give other values)."""
    from . import reference

    stored = reference.pool(semantic, locale)
    if stored is None:
        fake = _faker(locale, seed)
        method = getattr(fake, semantic)
        return [str(method()) for _ in range(size)]
    order = np.random.default_rng(seed).permutation(len(stored))
    return [stored[i] for i in order[np.arange(size) % len(stored)]]


@lru_cache(maxsize=128)
def _pool(semantic: str, size: int, seed: int, locale: str) -> pa.StringArray:
    """``size`` values of ``semantic`` (see :func:`_faker_values`)."""
    return pa.array(_faker_values(semantic, size, seed, locale), pa.string())


@lru_cache(maxsize=64)
def _distinct_pool(semantic: str, count: int, seed: int, locale: str) -> pa.StringArray:
    """Exactly ``count`` distinct values of ``semantic``: the distinct values of a pool, numbered variants past
    them."""
    from . import reference

    seed ^= 0x5F3759DF
    stored = reference.pool(semantic, locale)
    if stored is not None:
        seen = dict.fromkeys(_faker_values(semantic, len(stored), seed, locale))
    else:  # Faker draws until found
        method = getattr(_faker(locale, seed), semantic)
        seen = {}
        for _ in range(10 * max(count, POOL_SIZE)):
            if len(seen) >= count:
                break
            seen.setdefault(str(method()))
    found = list(seen)[:count] or [semantic]
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
    """First names, their initials and last names as lower-case ASCII letters (for emails and user names):
    ``size`` of each, drawn by the seed at their frequencies from the bundled names of the locale."""
    from . import reference

    names = reference.names(locale)
    rng = np.random.default_rng(seed)

    def drawn(kinds: tuple[str, ...]) -> list[str]:
        values = [v for kind in kinds for v in names[kind].to_pylist()]
        weights = np.concatenate([names[f"{kind}_weights"].to_numpy(zero_copy_only=False) for kind in kinds])
        if not values:
            return []
        cumulative = np.cumsum(weights) / weights.sum()
        picks = np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"), len(values) - 1)
        return [p for p in (_slug(values[i]) for i in picks) if p]

    firsts = drawn(("first_female", "first_male")) or ["alex"]
    lasts = drawn(("last",)) or ["smith"]
    return pa.array(firsts, pa.string()), pa.array([f[0] for f in firsts], pa.string()), pa.array(lasts, pa.string())


@lru_cache(maxsize=64)
def _word_pool(size: int, seed: int, locale: str) -> pa.StringArray:
    """Lower-case ASCII lorem words of the locale (for URLs and default free text)."""
    words = [w for w in (_slug(v) for v in _faker_values("word", size, seed, locale)) if w] or ["lorem"]
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
