"""The fast feature helpers against the plain loops they replace (same strings, same order:
the CRF sums feature matrices in feature order, so order is part of the score)."""

from importlib.resources import files

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner.features import FeatureSet, _affixes, feature_group, features_ar
from agents.ner.gazetteer import CharNB, Gazetteer, ZipfTable
from agents.ner.text import AR_PROCLITICS, ar_norm, ar_strip, shape

WORDS = st.text(
    st.sampled_from(list("AbZz09-'.·ßİıǅⅫ²ـوبالفكسوريا北京ア\u0301\u064e")), max_size=16
)


def plain_ar_strip(normalised: str) -> tuple[str, str]:
    for prefix in AR_PROCLITICS:
        if normalised.startswith(prefix) and len(normalised) - len(prefix) >= 2:
            return prefix, normalised[len(prefix) :]
    return "", normalised


@settings(max_examples=400, deadline=None)
@given(WORDS)
def test_ar_strip_equals_the_plain_loop(word: str) -> None:
    assert ar_strip(word) == plain_ar_strip(word)


@pytest.mark.parametrize(
    "token, expected",
    [("Obama", "Xx"), ("F-16", "X-d"), ("سوريا", "a"), ("iPhone15", "xXxd"), ("", "")],
)
def test_shape_collapses_character_classes(token: str, expected: str) -> None:
    assert shape(token) == expected


def test_ar_strip_every_proclitic() -> None:
    for prefix in AR_PROCLITICS:
        for stem in ("", "س", "سو", "سوريا", "ال"):
            assert ar_strip(prefix + stem) == plain_ar_strip(prefix + stem)


@settings(max_examples=200, deadline=None)
@given(WORDS)
def test_char_nb_score_is_the_plain_sum(word: str) -> None:
    nb = CharNB({"^و": 0.5, "سو": -1.25, "ا$": 0.3, "ي": 1e-3, "^": 0.1}, prior=-0.2)
    padded = f"^{word}$"
    grams = [padded[i : i + n] for n in (1, 2, 3, 4) for i in range(len(padded) - n + 1)]
    assert CharNB.grams(word) == grams
    plain = nb.prior + sum(nb.log_ratio.get(g, 0.0) for g in grams) / max(1, len(grams)) * 4
    assert nb.score(word) == plain  # bit for bit


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=8))
def test_base_many_equals_the_per_type_features(words: list[str]) -> None:
    table = ZipfTable(files("agents.ner.data").joinpath("zipf_cased.npz").read_bytes())
    gazetteer = Gazetteer({"ab": "LOC,PERf", "berlin": "LOC"}, {})
    features = FeatureSet("latin", gazetteer, "en", table)
    types = [*words, "Berlin", "the", "\x02", "\x03"]
    got = features.base_many(types)
    for token_type, base in zip(types, got, strict=True):
        if token_type[:1] in ("\x02", "\x03"):
            assert base == ["pad=BOS" if token_type[0] == "\x02" else "pad=EOS"]
            continue
        plain = features._extract(token_type, gazetteer)
        plain.append(f"zf={table.zipf('en', token_type)}")
        plain += [f"en|{f}" for f in plain if feature_group(f) in FeatureSet.LANG_GROUPS]
        assert base == plain
        assert features.base(token_type) == plain
    zipf = table.zipf_many("en", types)
    keys = np.array([table.key("en", t) for t in types], dtype=np.uint32)
    at = np.searchsorted(table.keys, keys)
    for key, i, value in zip(keys, at, zipf, strict=True):
        hit = i < len(table.keys) and table.keys[i] == key
        assert value == (int(table.values[i]) if hit else 0)


@settings(max_examples=200, deadline=None)
@given(WORDS)
def test_arabic_affixes_spelt_out(word: str) -> None:
    gazetteer = Gazetteer({"سوريا": "LOC"}, {})
    out = features_ar(word, gazetteer)
    affixes: list[str] = []
    _affixes(ar_norm(word), affixes, (2, 3), (1, 2, 3))
    assert out[4 : 4 + len(affixes)] == affixes
    assert not any(f[:1] in "ps" and f[1:2].isdigit() for f in out[4 + len(affixes) :])


def test_german_and_swedish_genitive_finds_the_gazetteer_word() -> None:
    gazetteer = Gazetteer({"europa": "LOC", "bus": "ORGk"}, {})
    for lang, expected in (("de", ["gz=LOC"]), ("sv", ["gz=LOC"]), ("en", [])):
        features = FeatureSet("latin", gazetteer, lang)
        base = features.base("Europas")
        assert [f for f in base if f.startswith("gz=")] == expected
        assert (f"{lang}|gz=LOC" in base) == bool(expected)
    german = FeatureSet("latin", gazetteer, "de")
    assert "gz=ORGk" in german.base("Bus")  # the word itself first: «Bus» is not «Bu»'s
    assert not [f for f in german.base("Was") if f.startswith("gz=")]  # three letters: as is
