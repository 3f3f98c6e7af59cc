"""Organisation rules for cased (Latin/Cyrillic) text, after the CRF: organisation heads
(«Bank», «Ports», «Gewerkschaft») turn a person, a place or an untagged capitalised run into
the organisation they name. Each was measured by 5-fold CV over TUNE (training/README.md)."""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.ner.gazetteer import Span
from agents.ner.text import Tokens

# Company heads for person_with_org_head beyond the gazetteer's ORGk words. Not CRF features:
# as ORGk words they cost 5-fold CV over TUNE pooled F1 .667 → .664 (en .636 → .627).
EXTRA_ORG_HEADS = frozenset(
    """ports holdings industries enterprises partners ventures investments securities insurance
    logistics shipping pharmaceuticals petroleum energy systems resources mining electric steel
    chemicals telecom media werke versicherung gewerkschaft agentur""".split()
)


def org_run_heads(words: dict[str, str]) -> frozenset[str]:
    """The words org_head_runs reads as organisation heads: the gazetteer's ORGk words and
    EXTRA_ORG_HEADS, but not «Empire», «Reich» (UNER tags an empire LOC: «Osmanische Reich»;
    5-fold CV over TUNE de .608 → .610)."""
    heads = EXTRA_ORG_HEADS | {word for word, tags in words.items() if "ORGk" in tags.split(",")}
    return frozenset(heads - {"empire", "reich", "império", "imperiet"})


def org_heads(words: dict[str, str]) -> frozenset[str]:
    """The words person_with_org_head reads as organisation heads: org_run_heads minus
    frequent surnames (Census PERl: «David Steel», «Charlotte Church» stay people)."""
    return frozenset(
        word for word in org_run_heads(words) if "PERl" not in words.get(word, "").split(",")
    )


def person_with_org_head(
    text: str, tokens: Tokens, spans: list[Span], org_heads: frozenset[str]
) -> list[Span]:
    """A PER span of two or more words whose last word heads organisation names (the
    gazetteer's ORGk words: «Bank», «Airlines», «Gruppe»; and EXTRA_ORG_HEADS: «Ports») is an
    organisation («Hutchison Ports», «Deutsche Bank»): the model reads the capitalised pair as
    a name."""
    first, last = tokens.first, tokens.last
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if kind == "PER" and start in first and end in last and last[end] > first[start]:
            a, b = tokens.offsets[last[end]]
            if text[a:b].lower() in org_heads:
                kind = "ORG"
        out.append((start, end, kind, confidence))
    return out


def named_after_org_compound(
    text: str,
    tokens: Tokens,
    spans: list[Span],
    heads: tuple[str, ...],
    is_place: Callable[[str], bool],
) -> list[Span]:
    """A PER or LOC span right after a capitalised compound ending in an organisation head
    names that organisation («Lokführergewerkschaft GDL», «Nachrichtenagentur dpa»,
    «Fluggesellschaft Lufthansa»): German and Swedish write the kind of organisation as one
    word before its name. A known place keeps its type («Landgericht Köln»), unless written in
    capitals: GeoNames lists airport codes as city names (GDL: Guadalajara). heads: the
    org_run_heads of five letters or more."""
    first, offsets = tokens.first, tokens.offsets
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        at = first.get(start, 0)
        if kind != "ORG" and at > 0:
            a, b = offsets[at - 1]
            word = text[a:b].lower()
            if (
                text[a].isupper()
                and word.endswith(heads)
                and word not in heads
                and (text[start:end].isupper() or not is_place(text[start:end]))
            ):
                kind = "ORG"
        out.append((start, end, kind, confidence))
    return out


# Inside an organisation name between capitalised words («Bill & Melinda Gates Foundation»,
# «Bank of England»); not «and», which joins two names more often than it is inside one.
_ORG_INNER = frozenset({"of", "for", "&"})
# Capitalised function words that start a sentence, not a name («But Labor Party ...»).
_NOT_NAME_START = frozenset(
    """The A An But And In On At For From With By As After When While If This That Its
    O Os Um Uma Em No Na Do Da Det En Ett Och Men Und Aber Im Am Vom Zum Beim""".split()
)


# A capitalised word (Latin or Cyrillic): where org_head_runs looks for heads, with one C-speed
# scan of the text instead of a look-up per token.
_CAPITALISED_WORD = re.compile(r"\b[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯЁ]\w*")


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _run_start(word: Callable[[int], str], head: int) -> int:
    """First token of the capitalised run ending at `head` («U . S . Environmental Protection
    Agency»: an initial's full stop belongs to the run)."""
    i = head
    while i > 0:
        before = word(i - 1)
        initial = before == "." and i >= 2 and len(word(i - 2)) == 1 and word(i - 2).isupper()
        if not (_capitalised(before) or before in _ORG_INNER or initial):
            break
        i -= 1
    while i < head and (word(i) in _ORG_INNER or word(i) in _NOT_NAME_START):
        i += 1
    return i


def _run_end(word: Callable[[int], str], head: int, n: int) -> int:
    """Last token of the run: the head, or «Bank of England», «Court of Cassation»."""
    j = head
    if j + 2 < n and word(j + 1) in ("of", "for") and _capitalised(word(j + 2)):
        j += 2
        while j + 1 < n and _capitalised(word(j + 1)):
            j += 1
    return j


def org_head_runs(
    text: str, tokens: Tokens, spans: list[Span], heads: frozenset[str]
) -> list[Span]:
    """A run of two or more capitalised words around an organisation head («U.S.
    Environmental Protection Agency», «Labor Party», «Bank of England», «Obersten
    Gerichtshof») is one ORG span, where the model left it untagged or tagged (parts of) it
    LOC («U.S.» LOC + nothing). Runs touching a PER or ORG span, or a span that reaches
    outside the run, are left alone. 5-fold CV over TUNE: pooled F1 .667 → .671, en
    .636 → .645 (training/README.md)."""
    first, last, offsets = tokens.first, tokens.last, tokens.offsets
    found = [
        first[m.start()]
        for m in _CAPITALISED_WORD.finditer(text)
        if m.group().lower() in heads and m.start() in first and m.end() in last
    ]
    if not found:
        return spans

    def word(k: int) -> str:
        return text[offsets[k][0] : offsets[k][1]]

    spans_at: dict[int, int] = {}  # token → index of the span covering it
    for n, (start, end, _, _) in enumerate(spans):
        if start in first and end in last:
            for k in range(first[start], last[end] + 1):
                spans_at[k] = n
    runs: list[tuple[int, int]] = []
    for head in found:
        i, j = _run_start(word, head), _run_end(word, head, len(offsets))
        inside = {spans_at[k] for k in range(i, j + 1) if k in spans_at}
        if (
            i == j
            or any(word(k) in _ORG_INNER and not _capitalised(word(k + 1)) for k in range(i, j))
            or any(spans[n][2] != "LOC" for n in inside)
            or any(first[spans[n][0]] < i or last[spans[n][1]] > j for n in inside)
        ):
            continue
        if runs and i <= runs[-1][1]:  # «National Bank Group»: the longer run wins
            if i != runs[-1][0]:
                continue
            runs.pop()
        runs.append((i, j))
    replaced = {spans_at[k] for i, j in runs for k in range(i, j + 1) if k in spans_at}
    out = [span for n, span in enumerate(spans) if n not in replaced]
    for i, j in runs:
        parts = [spans[n][3] for n in replaced if i <= first[spans[n][0]] <= j]
        out.append((offsets[i][0], offsets[j][1], "ORG", min(parts, default=0.5)))
    return sorted(out)
