"""The name matcher against brute force: every name on token boundaries, leftmost-longest;
the curated aliases over the model's spans."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner import gazetteer
from agents.ner.gazetteer import AliasTable, NameHit, NameMatcher
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


def test_a_person_alias_never_cuts_into_a_wider_name() -> None:
    """«布什» inside the model's «布什大樓» (Bush House) or «唐納·川普» stays inside it; where the
    model found nothing the person is added; an organisation alias still cuts its name out of a
    wider non-name span."""
    raw = {
        "George W. Bush": {"type": "PER", "forms": ["布什"]},
        "Donald Trump": {"type": "PER", "forms": ["川普"]},
        "International Coalition": {"type": "ORG", "forms": ["التحالف الدولي"]},
    }
    table = AliasTable(json.dumps(raw, ensure_ascii=False), {})
    text = "布什大樓和唐納·川普，布什說。"
    tokens = Tokens.of(text, cjk=True)
    building = (0, 4, "LOC", 0.7)
    trump = (5, 10, "PER", 0.8)
    spans = table.apply(text, "zh", tokens, [building, trump], text)
    assert spans == [building, trump, (11, 13, "PER", 0.9)]
    text = "قال التحالف الدولي العقيد"
    wider = (4, len(text), "ORG", 0.6)
    spans = table.apply(text, "ar", Tokens.of(text), [wider])
    assert [(text[a:b], kind) for a, b, kind, _ in spans] == [("التحالف الدولي", "ORG")]
