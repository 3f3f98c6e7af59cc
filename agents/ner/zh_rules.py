"""Chinese post-rules after the character CRF (agents/ner/tagger.py, before the alias table).

tidy_zh: a place directly followed by 人 is a demonym, dropped.
split_datelines: a wire dateline «新华社北京11月9日电» is the agency (ORG) + the place (LOC); the
CRF, trained on PUD sentences without datelines, reads «新华社北京» as one ORG.
Rules are measured by 5-fold CV over TUNE (python -m training.ner.tune_zh, training/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable

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
