"""Chinese post-rules after the character CRF (agents/ner/tagger.py).

tidy_zh: a place directly followed by 人 is a demonym, dropped.
split_datelines: a wire dateline «新华社北京11月9日电» is the agency (ORG) + the place (LOC); the
CRF, trained on PUD sentences without datelines, reads «新华社北京» as one ORG.
These two run before the alias table, the others after it (the tagger's _finish):
place_org_runs (a place followed by a name ending in an organisation head is one ORG,
«美国国家环境保护局»; with a place head one LOC, «意大利半岛»), untagged_countries, party_names,
latin_acronym_orgs and latin_names.
Rules are measured by 5-fold CV over TUNE (python -m training.ner.tune_zh, training/README.md).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from agents.ner.gazetteer import Span

# At a line start: a run of Han characters (agency + place), an optional date, then 电 (the
# text is mapped to Simplified first, so 電 is 电): «新华社北京11月9日电», «中央社台北9日電»,
# «新华社上海电». The run is the shortest one followed by date/电; which part is the agency is
# decided by the name look-up, not by the pattern.
_DATELINE = re.compile(
    r"^[ \t\u3000【\[]*([\u4e00-\u9fff·]{3,24}?)((?:\d{1,2}月)?\d{1,2}日)?电", re.MULTILINE
)
# the newspaper's own dateline («本报北京11月9日电», "this paper, Beijing"): a place, no ORG
_OWN_PAPER = frozenset({"本报", "本刊"})
_MAX_PLACE = 12  # Han characters and «·» of a place name («布宜诺斯艾利斯» is 7)


def tidy_zh(text: str, spans: list[Span]) -> list[Span]:
    """A place directly followed by 人 (but not 人口 'population') is a demonym ('羅馬人'
    Romans, '伊朗人質' Iranian hostages), which UNER leaves unlabelled: dropped (5-fold CV over
    TUNE .648 → .650, training/README.md)."""
    return [
        s
        for s in spans
        if s[2] != "LOC" or text[s[1] : s[1] + 1] != "人" or text[s[1] : s[1] + 2] == "人口"
    ]


def _agency_length(
    run: str, is_org: Callable[[str], bool], is_place: Callable[[str], bool], dated: bool
) -> int:
    """Length of the agency at the start of `run` when the rest is a place: the longest known
    organisation name (or 本报) leaving 2+ characters that the gazetteer knows as a place (or
    any 2..12 characters when a date follows, which no other line start has); 0 if none."""
    for length in range(len(run) - 2, 1, -1):
        head, place = run[:length], run[length:]
        if len(place) > _MAX_PLACE or not (head in _OWN_PAPER or is_org(head)):
            continue
        if dated or is_place(place):
            return length
    return 0


def _replace(spans: list[Span], new: list[Span]) -> list[Span]:
    """new spans replace the spans they overlap (keeping the highest confidence among those)."""
    start, end = new[0][0], new[-1][1]
    overlap = [s for s in spans if s[0] < end and start < s[1]]
    confidence = max((s[3] for s in overlap), default=0.9)
    kept = [s for s in spans if s not in overlap]
    return sorted(kept + [(a, b, kind, confidence) for a, b, kind, _ in new])


def split_datelines(
    norm: str,
    spans: list[Span],
    is_org: Callable[[str], bool],
    is_place: Callable[[str], bool],
) -> list[Span]:
    """«新华社北京11月9日电»: ORG 新华社 + LOC 北京 at a line start, whatever the CRF found there;
    and anywhere, a CRF span that is exactly a known organisation + a known place
    («中央社台北») is split likewise. norm: the text in Simplified characters (same offsets);
    is_org / is_place: look-ups of a Simplified name (alias table, gazetteer)."""
    for match in _DATELINE.finditer(norm):
        start, run = match.start(1), match.group(1)
        length = _agency_length(run, is_org, is_place, dated=match.group(2) is not None)
        if length:
            head: list[Span] = (
                [] if run[:length] in _OWN_PAPER else [(start, start + length, "ORG", 0)]
            )
            spans = _replace(spans, [*head, (start + length, start + len(run), "LOC", 0)])
    out: list[Span] = []
    for span in spans:
        start, end, kind, confidence = span
        length = _agency_length(norm[start:end], is_org, is_place, False) if kind == "ORG" else 0
        if length and norm[start : start + length] not in _OWN_PAPER:
            out += [
                (start, start + length, "ORG", confidence),
                (start + length, end, "LOC", confidence),
            ]
        else:
            out.append(span)
    return out


# Words that end an organisation's name (Simplified: the rules read the mapped text), written
# from general knowledge of Chinese names.
ORG_HEADS = frozenset(
    """军队 海军 陆军 空军 大学 学院 学校 中学 电视台 电台 广播公司 公司 集团 银行 党 联盟
        总工会 工会 委员会 理事会 协会 学会 组织 基金会 局 署 修道院 法院 议院 参议院 众议院
        裁判所 政府 日报 时报 邮报 航空 俱乐部 议会 国会 乐队""".split()
)
# Heads that right after a place are a common noun, not a name: «中国公司» (Chinese companies),
# «美国政府» is kept only with a word between («美国联邦政府»).
_GENERIC_HEADS = frozenset({"公司", "集团", "银行", "政府", "党", "局", "署", "组织"})
# Characters that end the run between the place and the head: particles, conjunctions,
# prepositions, measure words («在…大学», «和…公司», «一所…学校»).
_RUN_STOPS = frozenset("的在和与及或是了对向从把被将于为等也都就而一所开办")
_MAX_RUN = 8  # Han characters after the place, head included («国家环境保护局» is 7)
_HAN = re.compile(r"[\u4e00-\u9fff]")


# Words that end a place's name after a place: «意大利半岛», «印度板块», «开普敦市», «维多利亚广场».
PLACE_HEADS = frozenset(
    """半岛 板块 广场 公园 酒店 大厦 大桥 机场 车站 港 湾 湖 河 江 山 山脉 岛 群岛 海峡 盆地
        平原 高原 沙漠 运河 市 省 州 县 街""".split()
)
# ... but not across «北部» (the northern part) or «城市» (cities): «安大略省北部城市»
_PLACE_RUN_STOPS = _RUN_STOPS | frozenset("部城")
_MAX_PLACE_RUN = 4


@functools.cache
def _lengths(heads: frozenset[str]) -> tuple[int, ...]:
    """The lengths of the heads, longest first: «广播电台» wins over «电台»."""
    return tuple(sorted({len(h) for h in heads}, reverse=True))


@functools.cache
def _last_characters(heads: frozenset[str]) -> frozenset[str]:
    return frozenset(h[-1] for h in heads)


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _head_end(
    norm: str,
    end: int,
    next_start: int,
    heads: frozenset[str],
    stops: frozenset[str],
    max_run: int,
    generic: frozenset[str] = frozenset(),
) -> int | None:
    """Where a name that starts with the place ending at `end` ends, if it does: the first
    head within max_run Han characters, with no stop character before the head and no other
    span in between (next_start: where the next span starts); a generic head right after the
    place ends nothing."""
    found = _HAN_RUN.match(norm, end, min(len(norm), next_start, end + max_run))
    if found is None:
        return None
    run, lengths, last_characters = found.group(), _lengths(heads), _last_characters(heads)
    for n, character in enumerate(run, start=1):
        if character in last_characters and any(
            k <= n and run[n - k : n] in heads for k in lengths
        ):
            return None if run[:n] in generic else end + n
        if character in stops:  # so no stop character comes before a head
            return None
    return None


def place_org_runs(norm: str, spans: list[Span]) -> list[Span]:
    """A LOC followed by Han characters that end in an organisation head becomes one ORG:
    «美国|国家环境保护局», «德国|军队», «北安普顿|大学», «法国|工人力量总工会» (UNER tags the
    whole name ORG; the CRF tags the place only); else, followed by a place head, one LOC:
    «意大利|半岛», «开普敦|市». norm: the text in Simplified characters."""
    out: list[Span] = []
    for i, (start, end, kind, confidence) in enumerate(spans):
        if kind != "LOC":
            out.append(spans[i])
            continue
        next_start = spans[i + 1][0] if i + 1 < len(spans) else len(norm)
        org_end = _head_end(norm, end, next_start, ORG_HEADS, _RUN_STOPS, _MAX_RUN, _GENERIC_HEADS)
        place_end = _head_end(norm, end, next_start, PLACE_HEADS, _PLACE_RUN_STOPS, _MAX_PLACE_RUN)
        if org_end:
            out.append((start, org_end, "ORG", confidence))
        elif place_end:
            out.append((start, place_end, "LOC", confidence))
        else:
            out.append(spans[i])
    return out


def _covered(length: int, spans: list[Span]) -> bytearray:
    """1 for every character inside a span."""
    taken = bytearray(length)
    for start, end, *_ in spans:
        taken[start:end] = b"\x01" * (end - start)
    return taken


# Demonyms and languages: «荷兰人», «西班牙语», «西班牙裔», «汉族», «塞尔维亚国籍»
_AFTER_NOT_PLACE = frozenset("人语裔族籍")


def untagged_countries(
    norm: str, spans: list[Span], countries: Sequence[tuple[int, int]]
) -> list[Span]:
    """A country's name that no span covers is a LOC, unless a demonym or a language
    («离开西班牙去了葡萄牙»: the CRF, with a ±2-character window, misses some). countries:
    (start, end) of the country names found in norm (Simplified)."""
    taken = _covered(len(norm), spans)
    found = [
        (start, end, "LOC", 0.5)
        for start, end in countries
        if norm[end : end + 1] not in _AFTER_NOT_PLACE and not any(taken[start:end])
    ]
    return sorted(spans + found) if found else spans


# Words ending in 党 that name no party: «政党» (a party), «该党» (that party), «执政党» (the
# ruling party), «入党» / «退党» (to join / leave a party), «黄牛党» (ticket touts); read off
# the dictionary's 152 words ending in 党.
_NOT_PARTIES = frozenset(
    """党 政党 该党 本党 我党 全党 两党 各党 一党 多党 大党 小党 友党 同党 余党 乡党 会党 私党
    朋党 死党 奸党 阉党 反对党 执政党 在野党 参政党 多数党 地下党 国共两党 朝野两党 入党 退党
    脱党 叛党 反党 建党 整党 篡党 从严治党 狐群狗党 黄牛党 金光党 上党 党员""".split()
)


_PARTY_END = re.compile("党")
_MAX_PARTY = 8  # characters («伊斯兰正义与发展党» is 9: its last 8 are not a word either)


def party_names(norm: str, spans: list[Span], parties: frozenset[str]) -> list[Span]:
    """A dictionary word ending in 党 that no span covers is a party, ORG: «共和党», «工党»,
    «托利党», «自由民主党» (the longest ending at each 党). parties: the dictionary's words
    ending in 党."""
    found: list[Span] = []
    for match in _PARTY_END.finditer(norm):
        end = match.end()
        start = next(
            (end - k for k in range(_MAX_PARTY, 1, -1) if norm[end - k : end] in parties), None
        )
        if (
            start is not None
            and norm[start:end] not in _NOT_PARTIES
            and not any(s[0] < end and start < s[1] for s in spans)
        ):
            found.append((start, end, "ORG", 0.5))
    return sorted(spans + found) if found else spans


# A Latin acronym standing in Chinese text («向CNN解释», «向BBC表示»): 2-5 capitals not inside a
# longer Latin word
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*")  # a whole run: no look-around needed
_ACRONYM = re.compile(r"[A-Z]{2,5}")


def latin_acronym_orgs(text: str, spans: list[Span], is_org: Callable[[str], bool]) -> list[Span]:
    """A known organisation's Latin acronym that no span covers is an ORG; is_org looks a
    Latin name up (alias table, gazetteer)."""
    found = [
        (m.start(), m.end(), "ORG", 0.5)
        for m in _LATIN_WORD.finditer(text)
        if _ACRONYM.fullmatch(m.group())
        and is_org(m.group())
        and not any(s[0] < m.end() and m.start() < s[1] for s in spans)
    ]
    return sorted(spans + found) if found else spans


# A capitalised Latin word in Chinese text (PUD and wire copy keep foreign names in Latin
# letters, without spaces: «ÁngelPintado»), not in capitals only (acronyms are latin_acronym_orgs)
_NAME_WORD = re.compile(r"[A-ZÀ-Þ].*[a-zß-ÿ]", re.DOTALL)  # capitalised, with lower case


_NAME_HEADS = PLACE_HEADS | ORG_HEADS | {"医院"}
_CAMEL_PART = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]+(?=[A-ZÀ-Þ])")  # «Miami» of «MiamiBass»
_OPEN_QUOTES = frozenset("“\"'‘「《")
_CLOSE_QUOTES = frozenset("”\"'’」》,，")
_OPEN_BRACKETS = frozenset("(（")
_CLOSE_BRACKETS = frozenset(")）")


def latin_names(
    text: str, norm: str, spans: list[Span], is_known: Callable[[str], bool]
) -> list[Span]:
    """An unknown capitalised Latin word that no span covers is a person («Guilbeault说»,
    «像Dietrich一样»), the character CRF having seen few Latin letters. A gloss in brackets
    after a span takes that span's type («摩根（JeffreyDeanMorgan）»), and is skipped after
    anything else («芬兰语(Meänkieli)»); a word in quotes (a title or a term), one followed by
    a place or organisation head («Blindleia运河»), a known name (is_known: alias table or
    gazetteer, whose types UNER's Chinese gold does not follow for platforms), words with a
    hyphen or two leading capitals and run-together words starting with a known name
    («Wi-Fi», «EMicro», «MiamiBass»: products and genres) are left alone."""
    found: list[Span] = []
    taken: bytearray | None = None
    for m in _LATIN_WORD.finditer(text):
        start, end = m.span()
        word = m.group()
        if not _NAME_WORD.match(word):
            continue
        first_part = _CAMEL_PART.match(word)
        taken = taken or _covered(len(text), spans)
        if (
            any(taken[start:end])
            or is_known(word)
            or "-" in word  # «Wi-Fi»
            or word[1].isupper()  # «EMicro»: a product, not a name
            or (first_part is not None and is_known(first_part.group()))  # «MiamiBass»
        ):
            continue
        before, after = text[start - 1 : start], text[end : end + 1]
        if before in _OPEN_QUOTES and after in _CLOSE_QUOTES:
            continue
        kind = "PER"
        if before in _OPEN_BRACKETS and after in _CLOSE_BRACKETS:
            glossed = [s for s in spans if s[1] == start - 1]
            if not glossed:
                continue
            kind = glossed[0][2]
        follow = norm[end : end + 4]
        if any(follow[:k] in _NAME_HEADS for k in (1, 2, 3, 4)):
            continue
        found.append((start, end, kind, 0.5))
    return sorted(spans + found) if found else spans
