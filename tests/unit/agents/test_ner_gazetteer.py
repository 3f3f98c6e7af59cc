"""The name matcher against brute force: every name on token boundaries, leftmost-longest."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner import gazetteer
from agents.ner.gazetteer import NameHit, NameMatcher
from agents.ner.text import Tokens


def brute_force(
    names: dict[str, list[Any]], text: str, tokens: Tokens, min_len: int
) -> list[NameHit]:
    hits = [
        (a, b, *names[text[a:b]])
        for a in tokens.first
        for b in tokens.last
        if b - a >= min_len and text[a:b] in names
    ]
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen: list[NameHit] = []
    for hit in hits:
        if not chosen or hit[0] >= chosen[-1][1]:
            chosen.append(hit)
    return chosen


ALPHABET = "ab 北京市长"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=12),
    st.text(ALPHABET, max_size=40),
    st.integers(1, 3),
)
def test_matcher_equals_brute_force(keys: list[str], text: str, min_len: int) -> None:
    names: dict[str, list[Any]] = {k: ["LOC", k.upper()] for k in keys}
    tokens = Tokens.of(text)
    found = NameMatcher(names, min_len=min_len).find(text, tokens.first, tokens.last)
    assert found == brute_force(names, text, tokens, min_len)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=12),
    st.text(ALPHABET, max_size=40),
    st.integers(1, 3),
)
def test_screened_matcher_equals_brute_force(keys: list[str], text: str, min_len: int) -> None:
    """The numpy screening of candidate starts (long texts of about a token per character)
    changes no hit: forced on for every text here."""
    names: dict[str, list[Any]] = {k: ["LOC", k.upper()] for k in keys}
    tokens = Tokens.of(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gazetteer, "_SCREEN_FROM", 0)
        matcher = NameMatcher(names, min_len=min_len)
        found = matcher.find(text, tokens.first, tokens.last)
    assert found == brute_force(names, text, tokens, min_len)


def test_chinese_names_on_character_tokens() -> None:
    names: dict[str, list[Any]] = {"北京": ["LOC", "Beijing"], "北京市": ["LOC", "Beijing"]}
    text = "在北京市长会见"
    tokens = Tokens.of(text)
    assert NameMatcher(names).find(text, tokens.first, tokens.last) == [(1, 4, "LOC", "Beijing")]
