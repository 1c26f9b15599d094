"""The pattern language's sets (``[ABD]``: one of the characters listed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthframe.text import (
    _parse_pattern,
    _pattern_matches,
    _random_pattern,
    format_pattern,
    learn_pattern,
    pattern_capacity,
)

# -- sets in the pattern language --------------------------------------------------------------


def test_a_set_is_one_placeholder_drawing_only_the_characters_listed():
    assert _parse_pattern("[DBA]#") == [(True, "[ABD]"), (True, "#")]  # canonical: sorted, each once
    assert _parse_pattern("[AAB]") == [(True, "[AB]")]
    assert pattern_capacity("[ABD]-[12]#") == 3 * 2 * 10
    assert format_pattern("[ABD][12]", np.arange(6)).to_pylist() == ["A1", "A2", "B1", "B2", "D1", "D2"]
    drawn = _random_pattern("X[ABD][789]", np.arange(5000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    assert set(drawn.to_pylist()) == {f"X{a}{d}" for a in "ABD" for d in "789"}
    assert _pattern_matches("[ABD]#", pd.Series(["A1", "D9", "C1", "a1"])).tolist() == [True, True, False, False]


@pytest.mark.parametrize("pattern", ["[#]", "[", "[]", "]", "[A-C]", "[a b]", "\\[AB]", "[?#]"])
def test_a_bracket_that_does_not_open_a_set_is_a_literal(pattern: str):
    literal = [ch for ch in pattern.replace("\\[", "[") if ch != "\\"]
    parsed = _parse_pattern(pattern)
    assert "".join(ch for _, ch in parsed) == "".join(literal)
    assert not any(is_ph and ch.startswith("[") for is_ph, ch in parsed)


def test_learned_patterns_escape_an_opening_bracket():
    pattern = learn_pattern(pd.Series([f"[OK] {n:03d}" for n in range(40)]))
    assert pattern == "\\[OK] ###"
    assert format_pattern(pattern, np.array([7])).to_pylist() == ["[OK] 007"]


def test_a_regex_literal_bracket_stays_a_literal():
    from synthframe.sdv_metadata import regex_to_pattern

    pattern = regex_to_pattern(r"\[A\]\d{2}")
    assert format_pattern(pattern, np.array([7])).to_pylist() == ["[A]07"]
