"""Identifiers with check digits, made over whole columns from one integer per row.

IBANs (ISO 13616 structure per country, ISO 7064 mod 97-10 check digits), payment card numbers (issuer
prefixes and lengths of the major brands, Luhn check digit), US social security numbers (the SSA's rules:
area 001-899 but 666, group 01-99, serial 0001-9999), MAC addresses (unicast) and IPv6 addresses (global
unicast, 2000::/3).

Every value is a pure function of the row's bits, or of its unique id: unique ids give distinct values by
construction (the id is spelled in the value's trailing digits), any number of rows gets as many distinct
values as the format holds (no pool), and nothing here calls Faker, so a model gives the same bytes with
any Faker version. Work is per character position over all rows (a loop over at most 34 positions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from .keys import splitmix64
from .text import _fixed_width_strings

CHECKED = frozenset({"iban", "credit_card_number", "ssn", "mac_address", "ipv6"})
"""Semantics made here."""

ID_DIGITS = 15
"""Most trailing digits a unique id fills: ids stay below 10**15 (and int64)."""

# BBAN layouts of the IBAN registry, one code per character: 'n' a digit (a unique id's digits go in the last
# ones), 'f' a digit never taken by the id, 'p' a digit 1-9, 'z' a zero, 'a' an uppercase letter (the bank
# code, from the country's bank list when there is one), 'k' a national check character (see
# :func:`_national_check`). Alphanumeric registry positions are written as digits, which is always allowed. A
# country with fewer than ID_DIGITS 'n' digits holds fewer unique values (see :func:`capacity`).
BBAN: dict[str, str] = {
    "AL": "8n16n", "AT": "16n", "AZ": "4a20n", "BA": "14n2k", "BE": "10n2k", "BG": "4a6n8n", "BH": "4a14n",
    "BR": "23n1a1n", "CH": "17n", "CY": "24n", "CZ": "4n6z1f8n1k", "DE": "18n", "DK": "14n", "EE": "2n13n1k",
    "EG": "25n", "ES": "8n2k10n", "FI": "13n1k", "FR": "10n11n2k", "GB": "4a14n", "GE": "2a16n", "GR": "23n",
    "HR": "17n", "HU": "24n", "IE": "4a14n", "IL": "19n", "IT": "1k22n", "JO": "4a22n", "LI": "17n",
    "LT": "16n", "LU": "16n", "LV": "4a13n", "MK": "13n2k", "MT": "4a23n", "NL": "4a10n", "NO": "1f3n1p5n1k",
    "PK": "4a16n", "PL": "7n1k16n", "PS": "4a21n", "PT": "19n2k", "RO": "4a16n", "SA": "20n", "SE": "20n",
    "SI": "13n2k", "SK": "4n6z1f8n1k", "TR": "5n1z16n", "UA": "25n", "AE": "19n",
}
"""BBAN structure per country (from the registry; ``c`` positions written as digits)."""

BANK_CODES: dict[str, tuple[str, ...]] = {
    "GB": ("NWBK", "BARC", "LOYD", "HBUK", "MIDL", "RBOS", "NAIA", "ABBY", "SRLG", "TSBS", "CLYD", "BOFS"),
    "IE": ("AIBK", "BOFI", "IPBS", "ULSB"),
    "NL": ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB", "KNAB", "BUNQ", "RBRB"),
    "RO": ("RNCB", "BTRL", "BRDE", "INGB", "RZBR"),
    "BG": ("UNCR", "BPBI", "FINV", "STSA", "RZBB"),
    "LV": ("HABA", "UNLA", "PARX", "RIKO"),
    "MT": ("MALT", "VALL", "APSB"),
    "AZ": ("NABZ", "AIIB", "IBAZ"),
    "PK": ("HABB", "MUCB", "UNIL", "ABPA"),
    "JO": ("ARAB", "JONB", "CBJO"),
    "BH": ("NBOB", "BBKU", "AUBB"),
    "PS": ("PALS", "ARAB"),
    "GE": ("NB", "TB", "BG"),
}
"""Real bank codes for countries whose BBAN starts with letters (random letters elsewhere)."""

DEFAULT_IBAN_COUNTRY = "GB"
"""IBANs of a locale whose country has none (the US, Canada, ...)."""

CARD_BRANDS: dict[str, tuple[tuple[str, ...], int, float]] = {
    # brand: (issuer prefixes, length, default share)
    "visa": (("4",), 16, 0.52),
    "mastercard": (("51", "52", "53", "54", "55", "2221", "2720"), 16, 0.30),
    "amex": (("34", "37"), 15, 0.11),
    "discover": (("6011", "65"), 16, 0.07),
}
"""Payment card brands: their issuer prefixes, number length and share when no samples say otherwise."""

_SSN_AREAS = np.array([a for a in range(1, 900) if a != 666], dtype=np.int64)
SSN_CAPACITY = len(_SSN_AREAS) * 99 * 9999


def _digit_slots(layout: str) -> list[str]:
    """A layout such as ``4a6n8n`` as one code per character."""
    out: list[str] = []
    number = ""
    for ch in layout:
        if ch.isdigit():
            number += ch
        else:
            out.extend(ch * int(number))
            number = ""
    return out


def capacity(semantic: str, spec: Mapping[str, Any] | None = None) -> int:
    """How many distinct values ``semantic`` makes from unique ids (the smallest over its countries or
    brands): ids below this give distinct values."""
    spec = spec or {}
    if semantic == "iban":
        countries = iban_countries(spec)
        return min(10 ** min(ID_DIGITS, _digit_slots(BBAN[c]).count("n")) for c in countries)
    if semantic == "credit_card_number":
        return min(10 ** min(ID_DIGITS, length - 1 - max(len(p) for p in prefixes))
                   for prefixes, length, _ in (CARD_BRANDS[b] for b in card_brands(spec)[0]))
    if semantic == "ssn":
        return SSN_CAPACITY
    if semantic == "mac_address":
        return 1 << 47
    if semantic == "ipv6":
        return 1 << 60
    raise KeyError(semantic)


def iban_countries(spec: Mapping[str, Any]) -> list[str]:
    """The countries a spec's IBANs come from (learned from samples, else its locale's country)."""
    learned = spec.get("countries")
    if learned:
        return [c for c in learned["values"] if c in BBAN] or [DEFAULT_IBAN_COUNTRY]
    country = str(spec.get("locale", "en_US")).rpartition("_")[2].upper()
    return [country if country in BBAN else DEFAULT_IBAN_COUNTRY]


def card_brands(spec: Mapping[str, Any]) -> tuple[list[str], list[float]]:
    """The brands of a spec's card numbers and their shares (learned from samples, else the defaults)."""
    learned = spec.get("brands")
    if learned:
        pairs = [(b, float(w)) for b, w in zip(learned["values"], learned["weights"]) if b in CARD_BRANDS]
        if pairs:
            return [b for b, _ in pairs], [w for _, w in pairs]
    return list(CARD_BRANDS), [share for _, _, share in CARD_BRANDS.values()]


# -- learning from samples ------------------------------------------------------------------------------

def learn(semantic: str, values: Sequence[str]) -> dict[str, Any]:
    """What a checked semantic keeps of its samples: which countries (IBAN) or brands (cards) and at what
    share, and how values are grouped (``GB82 WEST 1234 ...``, ``4111-1111-...``). No sample value is kept."""
    compact = [v.replace(" ", "").replace("-", "").upper() for v in values if isinstance(v, str)]
    out: dict[str, Any] = {}
    if not compact:
        return out
    if semantic == "iban":
        out.update(_shares([v[:2] for v in compact if v[:2] in BBAN], "countries"))
        if sum(" " in v for v in values) * 2 > len(values):
            out["grouped"] = " "
    elif semantic == "credit_card_number":
        out.update(_shares([b for b in (brand_of(v) for v in compact) if b], "brands"))
        for sep in (" ", "-"):
            if sum(sep in v for v in values) * 2 > len(values):
                out["grouped"] = sep
    elif semantic == "ssn" and sum("-" not in v for v in values) * 2 > len(values):
        out["grouped"] = ""
    return out


def _shares(labels: list[str], key: str) -> dict[str, Any]:
    if not labels:
        return {}
    found, counts = np.unique(np.array(labels), return_counts=True)
    return {key: {"values": found.tolist(), "weights": (counts / counts.sum()).round(6).tolist()}}


def brand_of(number: str) -> str | None:
    """The brand whose prefix and length a card number has, or None."""
    for brand, (prefixes, length, _) in CARD_BRANDS.items():
        if len(number) == length and number.isdigit() and any(number.startswith(p) for p in prefixes):
            return brand
    return None


# -- making values -------------------------------------------------------------------------------------

def make(semantic: str, spec: Mapping[str, Any], bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    """The values of ``semantic`` for rows whose random 64-bit words are ``bits``; with ``ids`` (distinct,
    below :func:`capacity`) the values are distinct."""
    bits = np.asarray(bits, dtype=np.uint64)
    if semantic == "iban":
        return _ibans(spec, bits, ids)
    if semantic == "credit_card_number":
        return _cards(spec, bits, ids)
    if semantic == "ssn":
        return _ssns(spec, bits, ids)
    if semantic == "mac_address":
        return _macs(bits, ids)
    if semantic == "ipv6":
        return _ipv6(bits, ids)
    raise KeyError(semantic)


def _word(bits: np.ndarray, k: int) -> np.ndarray:
    """The k-th independent 64-bit word of each row."""
    return splitmix64(bits + np.uint64(((k + 1) * 0x9E3779B97F4A7C15) % 2**64))


def _pick(bits: np.ndarray, k: int, weights: Sequence[float]) -> np.ndarray:
    u = (_word(bits, k) >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    cum = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(cum) - 1)


def _fill_digits(out: np.ndarray, columns: Sequence[int], bits: np.ndarray, ids: np.ndarray | None,
                 salt: int, most: int = ID_DIGITS) -> None:
    """Digits into ``out[:, columns]``: the id's decimal digits in the last ones (at most ``most``, when
    unique), the rest from the row's bits."""
    n_id = min(len(columns), most) if ids is not None else 0
    free = columns[: len(columns) - n_id]
    for j, col in enumerate(free):
        out[:, col] = (_word(bits, salt + j) >> np.uint64(32)) % np.uint64(10) + ord("0")
    if n_id:
        rem = np.asarray(ids, dtype=np.uint64).copy()
        for col in reversed(columns[len(columns) - n_id:]):
            out[:, col] = rem % np.uint64(10) + ord("0")
            rem //= np.uint64(10)


def _ibans(spec: Mapping[str, Any], bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    countries = iban_countries(spec)
    weights = (spec.get("countries") or {}).get("weights") if spec.get("countries") else None
    if not weights or len(weights) != len(countries):
        weights = [1.0] * len(countries)
    which = _pick(bits, 0, weights) if len(countries) > 1 else np.zeros(len(bits), dtype=np.int64)
    parts: list[pa.Array] = []
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(len(countries) + 1))
    for c, country in enumerate(countries):  # a loop over the spec's countries
        at = order[bounds[c]:bounds[c + 1]]
        parts.append(_country_ibans(country, bits[at], None if ids is None else np.asarray(ids)[at]))
    if len(parts) == 1:
        out = parts[0]
    else:
        joined = pa.concat_arrays(parts)
        out = joined.take(pa.array(np.argsort(order, kind="stable")))
    return _grouped(out, spec.get("grouped"), 4) if spec.get("grouped") else out


def _country_ibans(country: str, bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    slots = _digit_slots(BBAN[country])
    n = len(bits)
    out = np.full((n, 4 + len(slots)), ord("0"), dtype=np.uint8)
    out[:, 0], out[:, 1] = ord(country[0]), ord(country[1])
    at = {code: [4 + i for i, s in enumerate(slots) if s == code] for code in "anfp"}
    banks = BANK_CODES.get(country)
    if at["a"] and banks and all(len(b) == len(at["a"]) for b in banks):
        table = np.frombuffer("".join(banks).encode(), dtype=np.uint8).reshape(len(banks), len(at["a"]))
        out[:, at["a"]] = table[_pick(bits, 1, [1.0] * len(banks))]
    else:
        for j, col in enumerate(at["a"]):
            out[:, col] = (_word(bits, 2 + j) >> np.uint64(32)) % np.uint64(26) + ord("A")
    for j, col in enumerate(at["f"] + at["p"]):
        digit = (_word(bits, 30 + j) >> np.uint64(32)) % np.uint64(10 if col in at["f"] else 9)
        out[:, col] = digit + ord("0") + (col in at["p"])
    _fill_digits(out, at["n"], bits, ids, 40)
    _national_check(country, out[:, 4:], 4 + np.array([i for i, s in enumerate(slots) if s == "k"]) - 4)
    out[:, 2:4] = _mod97_check(out)
    return _fixed_width_strings(out)


_ITALY_ODD = np.array([1, 0, 5, 7, 9, 13, 15, 17, 19, 21], dtype=np.int64)
"""Italy's CIN: the value of a digit in an odd (1-based) position."""


def _weighted(digits: np.ndarray, weights: Sequence[int]) -> np.ndarray:
    return digits @ np.asarray(weights, dtype=np.int64)


def _national_check(country: str, bban: np.ndarray, checks: np.ndarray) -> None:
    """The national check characters of BBANs (ASCII rows, check positions ``checks``), in place, as
    validators check them; a number no check digit can make valid has a free digit moved first."""
    if not len(checks):
        return
    digits = bban.astype(np.int64) - ord("0")

    def put(pos: int, value: np.ndarray) -> None:
        bban[:, pos] = value + ord("0")

    if country in ("BA", "MK", "PT", "SI"):  # ISO 7064 mod 97-10 over the rest of the BBAN
        rem = np.zeros(len(bban), dtype=np.int64)
        for k in range(int(checks[0])):
            rem = (rem * 10 + digits[:, k]) % 97
        check = 98 - rem * 100 % 97
        put(int(checks[0]), check // 10)
        put(int(checks[1]), check % 10)
    elif country == "FR":  # the RIB key: 97 - (89 bank + 15 branch + 3 account) mod 97
        def number(a: int, b: int) -> np.ndarray:
            return _weighted(digits[:, a:b], 10 ** np.arange(b - a - 1, -1, -1, dtype=np.int64)) % 97
        check = 97 - (89 * number(0, 5) + 15 * number(5, 10) + 3 * number(10, 21)) % 97
        put(21, check // 10)
        put(22, check % 10)
    elif country == "BE":  # the first ten digits mod 97 (97 for 0)
        check = _weighted(digits[:, :10], 10 ** np.arange(9, -1, -1, dtype=np.int64)) % 97
        check = np.where(check == 0, 97, check)
        put(10, check // 10)
        put(11, check % 10)
    elif country == "ES":  # two mod-11 digits: over 00 + bank + branch, and over the account
        weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
        for pos, part in ((8, _weighted(digits[:, :8], weights[2:])), (9, _weighted(digits[:, 10:20], weights))):
            d = 11 - part % 11
            put(pos, np.where(d == 11, 0, np.where(d == 10, 1, d)))
    elif country == "FI":  # Luhn over the BBAN
        put(13, _luhn_digit(bban[:, :13]))
    elif country == "EE":  # 7-3-1 from the right over branch and account
        body = digits[:, 2:15][:, ::-1]
        d = _weighted(body, ([7, 3, 1] * 5)[: body.shape[1]]) % 10
        put(15, np.where(d == 0, 0, 10 - d))
    elif country == "PL":  # 3-9-7-1 over bank and branch
        d = _weighted(digits[:, :7], [3, 9, 7, 1, 3, 9, 7]) % 10
        put(7, np.where(d == 0, 0, 10 - d))
    elif country == "NO":  # mod 11 over bank and account; check 10 does not exist: the free first digit moves
        weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
        move = _weighted(digits[:, :10], weights) % 11 == 1
        digits[move, 0] = (digits[move, 0] + 1) % 10
        put(0, digits[:, 0])
        rest = _weighted(digits[:, :10], weights) % 11
        put(10, np.where(rest == 0, 0, 11 - rest))
    elif country in ("CZ", "SK"):  # the account's weighted sum is 0 mod 11 (the prefix is zeros)
        weights = [6, 3, 7, 9, 10, 5, 8, 4, 2]
        need = -_weighted(digits[:, 10:19], weights) % 11
        move = need == 10  # no digit makes it: the free first account digit moves
        digits[move, 10] = (digits[move, 10] + 1) % 10
        put(10, digits[:, 10])
        put(19, -_weighted(digits[:, 10:19], weights) % 11)
    elif country == "IT":  # the CIN letter over ABI, CAB and account
        body = digits[:, 1:23]
        total = _ITALY_ODD[body[:, 0::2]].sum(axis=1) + body[:, 1::2].sum(axis=1)
        bban[:, 0] = total % 26 + ord("A")


def _mod97_check(out: np.ndarray) -> np.ndarray:
    """ISO 7064 mod 97-10 check digits of IBANs laid out in ``out`` (check positions ignored): the BBAN then
    the country code then ``00``, letters as 10..35."""
    n = out.shape[0]
    rem = np.zeros(n, dtype=np.int64)
    columns = [*range(4, out.shape[1]), 0, 1]
    for col in columns:
        ch = out[:, col].astype(np.int64)
        is_letter = ch >= ord("A")
        value = np.where(is_letter, ch - ord("A") + 10, ch - ord("0"))
        rem = np.where(is_letter, rem * 100 + value, rem * 10 + value) % 97
    check = 98 - (rem * 100) % 97
    return np.stack([check // 10 + ord("0"), check % 10 + ord("0")], axis=1).astype(np.uint8)


def _cards(spec: Mapping[str, Any], bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    brands, weights = card_brands(spec)
    # every (brand, prefix) as one choice, the brand's share spread over its prefixes
    options = [(prefix, CARD_BRANDS[b][1]) for b in brands for prefix in CARD_BRANDS[b][0]]
    shares = [w / len(CARD_BRANDS[b][0]) for b, w in zip(brands, weights) for _ in CARD_BRANDS[b][0]]
    which = _pick(bits, 0, shares)
    width = max(length for _, length in options)
    out = np.full((len(bits), width), ord("0"), dtype=np.uint8)
    lengths = np.array([length for _, length in options])[which]
    for k, (prefix, length) in enumerate(options):  # a loop over the brands' prefixes
        at = np.flatnonzero(which == k)
        if not len(at):
            continue
        block = np.full((len(at), length), ord("0"), dtype=np.uint8)
        block[:, : len(prefix)] = np.frombuffer(prefix.encode(), dtype=np.uint8)
        _fill_digits(block, list(range(len(prefix), length - 1)), bits[at], None if ids is None else ids[at], 60)
        block[:, length - 1] = _luhn_digit(block[:, : length - 1]) + ord("0")
        out[at, :length] = block
    data = _ragged(out, lengths)
    sep = spec.get("grouped")
    return _grouped(data, sep, 4) if sep else data


def _luhn_digit(body: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each row of ASCII digits (the digit that makes the whole number pass)."""
    digits = body.astype(np.int64) - ord("0")
    total = np.zeros(len(body), dtype=np.int64)
    for k in range(body.shape[1]):  # from the right: the digit next to the check digit is doubled
        d = digits[:, body.shape[1] - 1 - k]
        if k % 2 == 0:
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    return (10 - total % 10) % 10


def _ragged(data: np.ndarray, lengths: np.ndarray) -> pa.StringArray:
    """Rows of ``data`` cut to ``lengths`` bytes each, as one StringArray."""
    keep = np.arange(data.shape[1]) < lengths[:, None]
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(data[keep]))


def _grouped(values: pa.StringArray, sep: str, size: int) -> pa.StringArray:
    """``values`` with ``sep`` after every ``size`` characters (``GB82 WEST 1234 5698 7654 32``)."""
    import pyarrow.compute as pc

    return pc.utf8_rtrim(pc.replace_substring_regex(values, f"(.{{{size}}})", rf"\1{sep}"), sep)


def _ssns(spec: Mapping[str, Any], bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    number = np.asarray(ids, dtype=np.uint64) if ids is not None else _word(bits, 0) % np.uint64(SSN_CAPACITY)
    number = number.astype(np.int64)
    serial, rest = number % 9999 + 1, number // 9999
    group, area = rest % 99 + 1, _SSN_AREAS[rest // 99 % len(_SSN_AREAS)]
    sep = spec.get("grouped", "-")
    width = 9 + 2 * len(sep)
    out = np.empty((len(number), width), dtype=np.uint8)
    fields = [(area, 3), (group, 2), (serial, 4)]
    pos = 0
    for f, (value, size) in enumerate(fields):
        for k in range(size):
            out[:, pos + k] = (value // 10 ** (size - 1 - k)) % 10 + ord("0")
        pos += size
        if sep and f < 2:
            out[:, pos] = ord(sep)
            pos += 1
    return _fixed_width_strings(out)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _macs(bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    value = np.asarray(ids, dtype=np.uint64) if ids is not None else _word(bits, 0) & np.uint64((1 << 47) - 1)
    # 47 bits spread over six bytes with the first byte's multicast bit clear (a unicast address)
    first = ((value >> np.uint64(40)) & np.uint64(0x7F)) << np.uint64(1)
    octets = [first] + [(value >> np.uint64(8 * (4 - k))) & np.uint64(0xFF) for k in range(5)]
    out = np.empty((len(value), 17), dtype=np.uint8)
    for k, octet in enumerate(octets):
        out[:, 3 * k] = _HEX[(octet >> np.uint64(4)).astype(np.int64)]
        out[:, 3 * k + 1] = _HEX[(octet & np.uint64(15)).astype(np.int64)]
        if k < 5:
            out[:, 3 * k + 2] = ord(":")
    return _fixed_width_strings(out)


def _ipv6(bits: np.ndarray, ids: np.ndarray | None) -> pa.StringArray:
    """Global unicast addresses (2000::/3), groups without leading zeros as usually written."""
    import pyarrow.compute as pc

    low = np.asarray(ids, dtype=np.uint64) if ids is not None else _word(bits, 0) & np.uint64((1 << 60) - 1)
    high = _word(bits, 1)
    groups = [((high >> np.uint64(48)) & np.uint64(0x1FFF)) | np.uint64(0x2000)]
    groups += [(high >> np.uint64(16 * (2 - k))) & np.uint64(0xFFFF) for k in range(3)]
    groups += [(low >> np.uint64(16 * (3 - k))) & np.uint64(0xFFFF) for k in range(4)]
    return pc.binary_join_element_wise(*(_hex_text(g) for g in groups), ":")


@lru_cache(maxsize=1)
def _hex_words() -> pa.StringArray:
    return pa.array([format(i, "x") for i in range(1 << 16)], pa.string())


def _hex_text(values: np.ndarray) -> pa.Array:
    return _hex_words().take(pa.array(values.astype(np.int64)))
