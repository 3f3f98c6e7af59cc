"""Chinese: the dictionary segmenter against a plain forward maximum matching, and the fast
emission path against the CRF's scores of the training-time type strings."""

import gzip
import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner import EntityTagger
from agents.ner.crf import LinearCRF
from agents.ner.features import zh_types
from agents.ner.han import HanKeys, HanLexicon
from agents.ner.text import Tokens, tokenize
from agents.ner.zh import WordSegmenter, ZhEmitter
from agents.ner.zh_rules import (
    latin_acronym_orgs,
    latin_names,
    party_names,
    place_org_runs,
    split_datelines,
    tidy_zh,
    untagged_countries,
)

WORDS = {
    "nr": ["习近平", "奥巴马"],
    "ns": ["北京", "北京市", "中华人民共和国", "美国"],
    "n": ["人民", "共和国", "主席", "总统", "星期一"],
    "v": ["抵达", "访问"],
}


def segmenter() -> WordSegmenter:
    words = {k: "\n".join(sorted(v)) for k, v in WORDS.items()}
    raw = json.dumps({"words": words, "chars": {"0": "在", "3": "习巴"}}, ensure_ascii=False)
    return WordSegmenter(gzip.compress(raw.encode("utf-8")))


def plain_fmm(text: str) -> list[tuple[int, int, str]]:
    kind_of = {w: k for k, words in WORDS.items() for w in words}
    out, i = [], 0
    while i < len(text):
        for length in range(min(8, len(text) - i), 1, -1):
            if text[i : i + length] in kind_of:
                out.append((i, i + length, kind_of[text[i : i + length]]))
                i += length
                break
        else:
            i += 1
    return out


@pytest.mark.parametrize(
    "text",
    [
        "中华人民共和国主席习近平星期一抵达北京市。",
        "美国总统奥巴马访问北京，2016年Obama抵达。",
        "北京北京市人民",
        "a",
        "",
    ],
)
def test_forward_maximum_matching(text: str) -> None:
    seg = segmenter()
    got = [(a, b, seg.classes[k]) for a, b, k in seg.words(text)]
    assert got == plain_fmm(text)


def test_segmentation_tags() -> None:
    text = "习近平在Paris访问。"
    tags = segmenter().tags(text, tokenize(text))
    assert tags == [
        *("sg=B|sp=Bnr|ct=3", "sg=M|sp=Mnr", "sg=E|sp=Enr"),
        "sg=S|sp=Sx|ct=0",  # 在: Han, no word
        "sg=S|sp=Sp",  # Paris
        *("sg=B|sp=Bv", "sg=E|sp=Ev"),
        "sg=S|sp=Sp",  # 。
    ]


TEXTS = [
    "美國總統歐巴馬週一抵達北京，會見了中華人民共和國主席習近平。",
    "美国总统奥巴马周一抵达北京。2016年，Apple公司在上海开设了新店（售价999元）。",
    "联合国秘书长古特雷斯说：“局势紧张。”",
    "美国总统在𠀋北京说ab。",  # a character outside the BMP (scored by string, not by code point)
]


def test_fast_emissions_equal_the_type_string_path(tagger: EntityTagger) -> None:
    crf = tagger._crf_zh
    for text in TEXTS:
        tokens = Tokens.of(text)
        simplified = text.translate(tagger._t2s)
        hits = tagger._zh_names.find(simplified, tokens.first, tokens.last)
        types = zh_types(
            simplified,
            tokens.offsets,
            [(a, b, kind) for a, b, kind, _ in hits],
            tagger._zh_words.tags(simplified, tokens.offsets),
        )
        assert any("sp=B" in t for t in types) and any("\tB-" in t for t in types)
        want = crf.emissions(types)
        assert np.allclose(
            tagger._zh_emissions(text.translate(tagger._t2s), tokens), want, rtol=0, atol=1e-9
        )


def test_fast_emissions_survive_a_cache_reset(
    tagger: EntityTagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = TEXTS[1]
    tokens = Tokens.of(text)
    want = tagger._zh_emissions(text.translate(tagger._t2s), tokens)
    kinds = sorted({entry[0] for entry in tagger._gaz_zh.names.values()})
    emitter = ZhEmitter(tagger._crf_zh, kinds, tagger._zh_words.tag_names)
    monkeypatch.setattr(LinearCRF, "CACHE_MAX", 8)
    monkeypatch.setattr(tagger, "_zh_emitter", emitter)
    for _ in range(2):
        assert np.allclose(
            tagger._zh_emissions(text.translate(tagger._t2s), tokens), want, rtol=0, atol=1e-9
        )


@pytest.mark.parametrize("text", [*TEXTS, "a", "2016", "^$^", "北京^$京北𠀋"])
def test_ngram_ids_equal_the_dict_look_ups(tagger: EntityTagger, text: str) -> None:
    """The packed n-gram look-up gives the ids of one dict get per position, also next to
    multi-character tokens (digits, Latin words) and the '^'/'$' padding characters."""
    emitter = tagger._zh_emitter
    chars = [text[a:b] for a, b in tokenize(text)]
    padded = ["^", *chars, "$"]
    bigrams = [a + b for a, b in itertools.pairwise(padded)]
    trigrams = [a + b + c for a, b, c in zip(padded, padded[1:], padded[2:], strict=False)]
    groups = emitter._groups
    want = (
        [groups["bl"].get(g, 0) for g in bigrams[:-1]],
        [groups["br"].get(g, 0) for g in bigrams[1:]],
        [groups["tri"].get(g, 0) for g in trigrams],
    )
    offsets = tokenize(text)
    first = np.array([ord(text[a]) for a, _ in offsets], dtype=np.int64)
    single = np.array([b - a == 1 for a, b in offsets], dtype=bool)
    got = emitter._gram_ids(text, offsets, first, single)
    assert tuple(ids.tolist() for ids in got) == want
    if text == TEXTS[1]:  # not a test of zeros only
        assert all(any(ids) for ids in want)


@settings(max_examples=100, deadline=None)
@given(st.text("北京市人民共和国中华主席习近平美a。", max_size=40))
def test_shared_key_tables_give_the_same_words(text: str) -> None:
    """HanLexicon.share_keys: one search for two lexicons, the same longest words for each."""
    names = [("北京", 0), ("北京市长", 0), ("人民", 0), ("中华人民共和国主席", 0)]
    words = [(w, i) for i, ws in enumerate(WORDS.values()) for w in ws]
    alone = [HanLexicon(names).longest(text), HanLexicon(words).longest(text)]
    first, second = HanLexicon(names), HanLexicon(words)
    first.share_keys(second)
    keys = HanKeys(text)
    for lexicon, (length, value) in zip((first, second), alone, strict=True):
        got_length, got_value = lexicon.longest(keys)
        assert got_length.tolist() == length.tolist()
        assert got_value.tolist() == value.tolist()


def _tidy(text: str, spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str]]:
    return [(a, b, kind) for a, b, kind, _ in tidy_zh(text, spans)]


def test_tidy_zh_drops_demonyms_but_not_population() -> None:
    text = "羅馬人的祖先，開羅人口增長。"
    spans = [(0, 2, "LOC", 0.9), (7, 9, "LOC", 0.9)]
    assert _tidy(text, spans) == [(7, 9, "LOC")]


ORGS = {"新华社", "中新社", "人民日报", "中央社"}
PLACES = {"北京", "华盛顿", "台北"}


def _datelines(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    found = split_datelines(
        text, [(a, b, k, 0.5) for a, b, k in spans], ORGS.__contains__, PLACES.__contains__
    )
    return [(a, b, kind) for a, b, kind, _ in found]


@pytest.mark.parametrize(
    ("text", "spans", "want"),
    [
        # the customer's case: the CRF read the dateline as one ORG
        ("新华社北京11月9日电（记者）", [(0, 5, "ORG")], [(0, 3, "ORG"), (3, 5, "LOC")]),
        # nothing found there; a date makes any 2+ characters after the agency the place
        ("标题\n中新社阿克苏9日电 文", [], [(3, 6, "ORG"), (6, 9, "LOC")]),
        # no date: only a known place
        ("人民日报华盛顿电", [(4, 7, "LOC")], [(0, 4, "ORG"), (4, 7, "LOC")]),
        ("人民日报发电", [], []),
        # the paper's own dateline: a place, no ORG
        ("本报北京11月9日电", [(0, 4, "ORG")], [(2, 4, "LOC")]),
        # not at a line start: only a span that is exactly agency + place is split
        ("据中央社台北报道", [(1, 6, "ORG")], [(1, 4, "ORG"), (4, 6, "LOC")]),
        ("据新华社北京分社报道", [(1, 8, "ORG")], [(1, 8, "ORG")]),
        ("他说国家电网11月9日电价", [], []),
    ],
)
def test_split_datelines(
    text: str, spans: list[tuple[int, int, str]], want: list[tuple[int, int, str]]
) -> None:
    assert _datelines(text, spans) == want


@pytest.mark.parametrize(
    ("text", "spans", "want"),
    [
        # a place + a name ending in an organisation head: one ORG
        ("只有在美国国家环境保护局就此警告后", [(3, 5, "LOC")], [(3, 12, "ORG")]),
        ("被前进的德国军队攻占", [(4, 6, "LOC")], [(4, 8, "ORG")]),
        ("西班牙宗教裁判所告诫", [(0, 3, "LOC")], [(0, 8, "ORG")]),  # 所 ends the head
        # a generic head right after the place is a common noun: «Chinese companies»
        ("中国公司和德国政府", [(0, 2, "LOC"), (5, 7, "LOC")], [(0, 2, "LOC"), (5, 7, "LOC")]),
        ("美国联邦政府宣布", [(0, 2, "LOC")], [(0, 6, "ORG")]),
        # a particle, a preposition, a measure word or another span before the head: no ORG
        ("他在美国的大学读书", [(2, 4, "LOC")], [(2, 4, "LOC")]),
        ("在贝尔格莱德开办一所武术学校", [(1, 6, "LOC")], [(1, 6, "LOC")]),
        ("美国纽约大学", [(0, 2, "LOC"), (2, 4, "LOC")], [(0, 2, "LOC"), (2, 6, "ORG")]),
        # only a place starts one, and the head must come within eight characters
        ("李明大学毕业", [(0, 2, "PER")], [(0, 2, "PER")]),
        ("美国东西南北上下左右大学", [(0, 2, "LOC")], [(0, 2, "LOC")]),
        # a place head instead: a longer place
        ("称呼意大利半岛南部", [(2, 5, "LOC")], [(2, 7, "LOC")]),
        (
            "开普敦的政府是开普敦市。",
            [(0, 3, "LOC"), (7, 10, "LOC")],
            [(0, 3, "LOC"), (7, 11, "LOC")],
        ),
        ("来自安大略省北部城市的警官", [(2, 6, "LOC")], [(2, 6, "LOC")]),  # not across 北部
    ],
)
def test_place_org_runs(
    text: str, spans: list[tuple[int, int, str]], want: list[tuple[int, int, str]]
) -> None:
    found = place_org_runs(text, [(a, b, k, 0.5) for a, b, k in spans])
    assert [(a, b, kind) for a, b, kind, _ in found] == want


def test_place_org_run_in_the_tagger(tagger: EntityTagger) -> None:
    """Traditional text: the alias table's «美國» (United States) no longer cuts the name."""
    (found,) = tagger.tag_batch([("但是，只有在美國國家環境保護局就該問題提出警告後。", "zh")])
    assert [(m.text, m.type) for m in found] == [("美國國家環境保護局", "ORG")]


def test_untagged_countries_but_not_demonyms_or_languages() -> None:
    text = "离开西班牙去了葡萄牙，说西班牙语的荷兰人。"
    countries = [(2, 5), (7, 10), (12, 15), (17, 19)]
    found = untagged_countries(text, [(7, 10, "LOC", 0.9)], countries)
    assert [(a, b, kind) for a, b, kind, _ in found] == [(2, 5, "LOC"), (7, 10, "LOC")]


def test_countries_and_place_heads_in_the_tagger(tagger: EntityTagger) -> None:
    """Traditional text: the country matcher runs on the Simplified mapping."""
    found = tagger.tag_batch([("很多人離開西班牙去了葡萄牙。法國數字委員會表示。", "zh")])[0]
    assert [(m.text, m.type) for m in found] == [
        ("西班牙", "LOC"),
        ("葡萄牙", "LOC"),
        ("法國數字委員會", "ORG"),
    ]


def test_latin_names_in_chinese_text() -> None:
    text = (
        "Guilbeault说，摩根（JeffreyDeanMorgan）和芬兰语(Meänkieli)，"
        "“Zettel'sTraum”，Blindleia运河，Reddit，NASA。"
    )
    spans = [(12, 14, "PER", 0.9)]
    found = latin_names(text, text, spans, {"Reddit"}.__contains__)
    names = [(text[a:b], kind) for a, b, kind, _ in found if (a, b) not in {s[:2] for s in spans}]
    assert names == [("Guilbeault", "PER"), ("JeffreyDeanMorgan", "PER")]


def test_party_names_from_the_dictionary() -> None:
    text = "工党赢了，执政党和自由民主党决定退党。"
    parties = frozenset({"工党", "执政党", "自由民主党", "民主党", "退党"})
    found = party_names(text, [(9, 13, "LOC", 0.9)], parties)
    assert [(a, b, kind) for a, b, kind, _ in found] == [(0, 2, "ORG"), (9, 13, "LOC")]
    assert party_names(text, [], parties)[1][:3] == (9, 14, "ORG")  # the longest word


def test_latin_acronym_orgs() -> None:
    text = "他向CNN和BBCWorld以及SPIEGEL说，NASA回应。"
    found = latin_acronym_orgs(
        text, [(25, 29, "ORG", 0.9)], {"CNN", "NASA", "SPIEGEL"}.__contains__
    )
    # BBCWorld is one Latin word, SPIEGEL longer than an acronym, NASA already a span
    assert [(a, b, kind) for a, b, kind, _ in found] == [(2, 5, "ORG"), (25, 29, "ORG")]


def test_parties_and_acronyms_in_the_tagger(tagger: EntityTagger) -> None:
    found = tagger.tag_batch([("自七月的共和黨全國代表大會以來，該公司向BBC表示。", "zh")])[0]
    assert {(m.text, m.type) for m in found} >= {("共和黨", "ORG"), ("BBC", "ORG")}


def test_dateline_in_the_tagger(tagger: EntityTagger) -> None:
    """Traditional or Simplified, the agency gets the alias table's canonical name."""
    for text in ("新华社北京11月9日电（记者 王磊）国家统计局发布数据。", "新華社北京11月9日電"):
        found = [(m.text, m.type, m.canonical) for m in tagger.tag_batch([(text, "zh")])[0]]
        assert found[:2] == [(text[:3], "ORG", "Xinhua"), (text[3:5], "LOC", "Beijing")]


def test_mention_replacement_keeps_offsets_and_skips_latin_names() -> None:
    """training/ner/common.augment with train_zh's pools: each copy's spans cover names of the
    right type, drawn from the Han-script gold mentions only; sentences without entities are
    not copied."""
    from training.ner.common import augment
    from training.ner.corpus import Sentence
    from training.ner.train_zh import mention_pools

    def sentence(text: str, spans: list[tuple[int, int, str]]) -> Sentence:
        return Sentence(text, [], [], [], spans)

    data = [
        sentence("奧巴馬訪問北京。", [(0, 3, "PER"), (5, 7, "LOC")]),
        sentence("Dietrich說，在巴黎。", [(0, 8, "PER"), (11, 13, "LOC")]),
        sentence("今天下雨。", []),
    ]
    pools = mention_pools(data)
    copies = augment(data, pools, 5, seed=1)
    assert len(copies) == 10 and copies == augment(data, pools, 5, seed=1)
    for copy in copies:
        names = {kind: copy.text[a:b] for a, b, kind in copy.spans}
        assert names["PER"] == "奧巴馬" and names["LOC"] in {"北京", "巴黎"}
        assert copy.text.endswith(("訪問" + names["LOC"] + "。", "說，在" + names["LOC"] + "。"))
