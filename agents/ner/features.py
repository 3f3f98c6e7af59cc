"""CRF feature templates per script profile ('ar', 'latin', 'zh').

Every feature depends on one token *type* at a fixed offset (−2..+2), never on two tokens at
once. That is what lets the decoder (agents/ner/crf.py) compute a label-score vector once per
word type and cache it, instead of building feature strings for every token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agents.ner.gazetteer import Gazetteer, ZipfTable
from agents.ner.text import Offsets, ar_norm, ar_strip, shape

PAD_BOS = "\x02"
PAD_EOS = "\x03"


def _affixes(word: str, out: list[str], prefixes: Sequence[int], suffixes: Sequence[int]) -> None:
    for n in prefixes:
        if len(word) > n:
            out.append(f"p{n}={word[:n]}")
    for n in suffixes:
        if len(word) > n:
            out.append(f"s{n}={word[-n:]}")


def features_ar(token: str, gazetteer: Gazetteer) -> list[str]:
    norm = ar_norm(token)
    proclitics, stem = ar_strip(norm)
    out = [f"w={norm}", f"st={stem}", f"pf={proclitics}", f"sh={shape(token)}"]
    n = len(norm)  # _affixes(norm, out, (2, 3), (1, 2, 3)), spelt out: every new word needs it
    if n > 2:
        out.append(f"p2={norm[:2]}")
        if n > 3:
            out.append(f"p3={norm[:3]}")
    if n > 1:
        out.append(f"s1={norm[-1:]}")
        if n > 2:
            out.append(f"s2={norm[-2:]}")
            if n > 3:
                out.append(f"s3={norm[-3:]}")
    tags = gazetteer.tags(norm) or gazetteer.tags(stem)
    if not tags and stem.startswith("ال"):
        tags = gazetteer.tags(stem[2:])
    if not tags and proclitics and not proclitics.endswith("ال"):
        tags = gazetteer.tags(stem)  # e.g. ولبنان: conjunction + preposition off, stem without ال
    if tags:
        out.extend(f"gz={tag}" for tag in tags.split(","))
    if len(norm) <= 2:
        out.append("short")
    elif gazetteer.nb is not None and not any(c.isdigit() for c in stem):
        out.append(f"fx={gazetteer.nb.bucket(stem)}")
    return out


def features_latin(token: str, gazetteer: Gazetteer) -> list[str]:
    lower = token.lower()
    out = [f"w={lower}", f"sh={shape(token)}"]
    _affixes(lower, out, (2, 3), (2, 3, 4))
    if token[:1].isupper():
        out.append("cap")
    tags = gazetteer.tags(lower)
    if tags:
        out.extend(f"gz={tag}" for tag in tags.split(","))
    return out


# A German or Swedish word not in the gazetteer may be the genitive of one («Europas»,
# «Sveriges»): the word without its final s is looked up too. 5-fold CV over TUNE, o_bias .5:
# de .592 → .603, sv .679 → .689, pooled .654 → .660 (training/ner/train_cased.py).
GENITIVE_LANGS = frozenset({"de", "sv"})


def features_latin_lang(
    token: str, gazetteer: Gazetteer, lang: str, frequency: int | None
) -> list[str]:
    """FeatureSet.base of a cased word with a language: features_latin + 'zf=' + the
    language-conjoined copies of sh/cap/gz, built in one pass (the same list: unit-tested).
    New word types of every unseen article come through here."""
    lower = token.lower()
    shape_feature = f"sh={shape(token)}"
    out = [f"w={lower}", shape_feature]
    n = len(lower)
    if n > 2:
        out.append(f"p2={lower[:2]}")
        if n > 3:
            out.append(f"p3={lower[:3]}")
        out.append(f"s2={lower[-2:]}")
        if n > 3:
            out.append(f"s3={lower[-3:]}")
            if n > 4:
                out.append(f"s4={lower[-4:]}")
    conjoined = [f"{lang}|{shape_feature}"]
    if token[:1].isupper():
        out.append("cap")
        conjoined.append(f"{lang}|cap")
    tags = gazetteer.words.get(lower)
    if not tags and lang in GENITIVE_LANGS and n > 3 and lower[-1] == "s":
        tags = gazetteer.words.get(lower[:-1])
    if tags:
        for tag in tags.split(","):
            out.append(f"gz={tag}")
            conjoined.append(f"{lang}|gz={tag}")
    if frequency is not None:
        out.append(f"zf={frequency}")
    out += conjoined
    return out


ZH_SURNAMES = frozenset(
    "王李張张劉刘陳陈楊杨黃黄趙赵吳吴周徐孫孙馬马朱胡郭何林高羅罗鄭郑梁謝谢宋唐許许韓韩馮冯鄧邓曹彭曾"
    "蕭萧田董潘袁蔡蔣蒋余于杜葉叶程魏蘇苏呂吕丁任盧卢姚沈鍾钟姜崔譚谭陸陆范汪廖石金賈贾韋韦夏付方鄒"
    "邹熊白孟秦邱侯江尹薛閻阎段雷龍龙黎史陶賀贺毛郝顧顾龔龚邵萬万覃武錢钱戴嚴严莫孔向常湯汤習习溫温"
)


def zh_gazetteer_tags(offsets: Offsets, gazetteer_spans: list[tuple[int, int, str]]) -> list[str]:
    """BIO tag of the gazetteer match covering each token ('B-LOC', 'I-LOC', '')."""
    tags = [""] * len(offsets)
    if gazetteer_spans:
        index_of_start = {a: i for i, (a, _) in enumerate(offsets)}
        for start, end, kind in gazetteer_spans:
            i = index_of_start.get(start)
            if i is None:
                continue
            tags[i] = "B-" + kind
            j = i + 1
            while j < len(offsets) and offsets[j][1] <= end:
                tags[j] = "I-" + kind
                j += 1
    return tags


def zh_types(
    text: str,
    offsets: Offsets,
    gazetteer_spans: list[tuple[int, int, str]],
    segments: list[str] | None = None,
) -> list[str]:
    """Chinese token 'types' carry the character window, the gazetteer match and the word
    segmentation tag ('prev\\tcur\\tnext\\tB-LOC\\tsg=B|sp=Bns'), so bigram/trigram,
    multi-character gazetteer and word features stay one-type features. Training builds these
    strings; the tagger computes the same scores from the parts (agents/ner/zh.py)."""
    tags = zh_gazetteer_tags(offsets, gazetteer_spans)
    chars = [text[a:b] for a, b in offsets]
    n = len(chars)
    segs = segments or [""] * n
    return [
        f"{chars[i - 1] if i else '^'}\t{chars[i]}\t{chars[i + 1] if i + 1 < n else '$'}"
        f"\t{tags[i]}\t{segs[i]}"
        for i in range(n)
    ]


def zh_char_features(cur: str) -> list[str]:
    """The features of one character alone (the fast path caches them per character)."""
    out = [f"w={cur}", f"sh={shape(cur)}"]
    if cur in ZH_SURNAMES:
        out.append("sur")
    return out


def zh_tag_features(tags: str) -> list[str]:
    """'gazetteer tag\\tsegmentation tag' → features ('gz=B-LOC', 'sg=B', 'sp=Bns', 'ct=3':
    the word's position and class, the character's name-likeness; agents/ner/zh.py)."""
    gazetteer, segment = tags.split("\t")
    out = [f"gz={gazetteer}"] if gazetteer else []
    if segment:
        out.extend(segment.split("|"))
    return out


def features_zh(token_type: str, gazetteer: Gazetteer) -> list[str]:
    prev, cur, nxt, tags = token_type.split("\t", 3)
    return [
        *zh_char_features(cur),
        f"bl={prev}{cur}",
        f"br={cur}{nxt}",
        f"tri={prev}{cur}{nxt}",
        *zh_tag_features(tags),
    ]


FEATURES: dict[str, Callable[[str, Gazetteer], list[str]]] = {
    "ar": features_ar,
    "latin": features_latin,
    "zh": features_zh,
}

# offset → allowed feature groups (None = all)
Template = dict[int, frozenset[str] | None]
_AR_NEAR = frozenset({"w", "st", "pf", "gz", "sh", "fx"})
_AR_FAR = frozenset({"w", "st", "gz"})
_LATIN_NEAR = frozenset({"w", "sh", "gz", "cap", "s3"})
_LATIN_FAR = frozenset({"w", "sh", "gz"})
TEMPLATES: dict[str, Template] = {
    "ar": {0: None, -1: _AR_NEAR, 1: _AR_NEAR, -2: _AR_FAR, 2: _AR_FAR},
    "latin": {0: None, -1: _LATIN_NEAR, 1: _LATIN_NEAR, -2: _LATIN_FAR, 2: _LATIN_FAR},
    "zh": {
        0: None,
        -1: frozenset({"w", "gz", "bl", "sur", "sg", "sp", "ct"}),
        1: frozenset({"w", "gz", "br", "sg", "sp", "ct"}),
        -2: frozenset({"w"}),
        2: frozenset({"w"}),
    },
}


def feature_group(feature: str) -> str:
    i = feature.find("=")
    return feature if i < 0 else feature[:i]


class FeatureSet:
    """Base features of a token type, and the per-offset attribute strings CRFsuite trains on
    ('-1:w=the')."""

    # Groups that also get a language-conjoined copy: capitalisation means little in German.
    LANG_GROUPS = frozenset({"sh", "cap", "gz"})

    def __init__(
        self,
        profile: str,
        gazetteer: Gazetteer,
        lang: str | None = None,
        zipf: ZipfTable | None = None,
    ) -> None:
        self.profile = profile
        self.lang = lang
        self.gazetteer = gazetteer
        # 'zf=<Zipf frequency in this language>' (en/de/pt/sv: +.035 pooled F1, cross-validated
        # on TUNE; training/ner/train_cased.py). Only where the table has the language, so ru
        # types carry no zf in training or at run time.
        self.zipf = zipf if zipf is not None and lang in zipf.langs else None
        self._extract = FEATURES[profile]
        self.template = TEMPLATES[profile]
        self.offsets = sorted(self.template)

    def base(self, token_type: str) -> list[str]:
        return self.base_many([token_type])[0]

    def base_many(self, token_types: list[str]) -> list[list[str]]:
        """base() of each type; the word frequencies are looked up for all of them at once."""
        frequencies: list[int | None] = [None] * len(token_types)
        if self.zipf is not None and self.lang is not None:
            frequencies = list(self.zipf.zipf_many(self.lang, token_types))
        extract, gazetteer, lang = self._extract, self.gazetteer, self.lang
        if self.profile == "latin" and lang:
            return [
                ["pad=BOS"]
                if token_type.startswith(PAD_BOS)
                else ["pad=EOS"]
                if token_type.startswith(PAD_EOS)
                else features_latin_lang(token_type, gazetteer, lang, frequency)
                for token_type, frequency in zip(token_types, frequencies, strict=True)
            ]
        # feature_group(f) in LANG_GROUPS, without splitting: 'sh=Xx', 'gz=LOC', 'cap'
        prefixes = tuple(f"{group}=" for group in sorted(self.LANG_GROUPS))
        out: list[list[str]] = []
        for token_type, frequency in zip(token_types, frequencies, strict=True):
            if token_type.startswith(PAD_BOS):
                out.append(["pad=BOS"])
                continue
            if token_type.startswith(PAD_EOS):
                out.append(["pad=EOS"])
                continue
            features = extract(token_type, gazetteer)
            if frequency is not None:
                features.append(f"zf={frequency}")
            if lang:
                features += [
                    f"{lang}|{f}"
                    for f in features
                    if f.startswith(prefixes) or f in self.LANG_GROUPS
                ]
            out.append(features)
        return out

    def by_offset(self, token_type: str) -> list[list[str]]:
        base = self.base(token_type)
        per_offset: list[list[str]] = []
        for k in self.offsets:
            allowed = self.template[k]
            kept = (
                base
                if allowed is None
                else [
                    f
                    for f in base
                    if feature_group(f.split("|", 1)[-1]) in allowed or f.startswith("pad=")
                ]
            )
            per_offset.append([f"{k}:{f}" for f in kept])
        return per_offset

    def sequence_attrs(self, types: list[str]) -> list[list[str]]:
        """Training-time attribute lists per token (what CRFsuite sees)."""
        before, after = -self.offsets[0], self.offsets[-1]
        padded = [PAD_BOS] * before + types + [PAD_EOS] * after
        per_type = {t: self.by_offset(t) for t in set(padded)}
        out: list[list[str]] = []
        for i in range(len(types)):
            attrs: list[str] = []
            for j, k in enumerate(self.offsets):
                attrs.extend(per_type[padded[i + before + k]][j])
            out.append(attrs)
        return out
