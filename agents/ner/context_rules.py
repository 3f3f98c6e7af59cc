"""Span rules that read a name's neighbours, for cased scripts: the speech verb that marks an
unknown word as the person speaking («…, said Guilbeault.», «Zimmer says»), and the possessive
that makes a country the state acting («Russia's actions»: UNER's ORG by metonymy). Word lists
written a priori from wire copy, not from the dev data."""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.ner.gazetteer import Span
from agents.ner.text import Offsets, Tokens, lookup_key

# Reporting verbs next to a speaker's name, per language (lower case, exact token)
SPEECH_VERBS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """said says explains explained told tells added adds wrote writes notes noted argues
        argued recalls recalled insists insisted admits admitted claims claimed stated states
        continued continues concluded warned warns acknowledged agreed replied commented asked
        believes suggests suggested announced confirmed declared stressed emphasized
        emphasised""".split()
    ),
    "de": frozenset(
        """sagte sagt sagten erklärte erklärt betonte betont meinte meint schrieb schreibt
        berichtete berichtet fügte warnte warnt räumte kritisierte kritisiert forderte
        fordert""".split()
    ),
    "pt": frozenset(
        """disse diz disseram afirmou afirma explicou explica declarou declara acrescentou
        escreveu escreve contou conta comentou sublinhou destacou garantiu referiu""".split()
    ),
    "sv": frozenset(
        """sa säger sade förklarar förklarade skriver skrev berättar berättade menar menade
        tillade konstaterar konstaterade uppger uppgav""".split()
    ),
}
# «according to X.»: the last word before the name
ACCORDING_TO: dict[str, frozenset[str]] = {
    "en": frozenset({"according to"}),
    "de": frozenset({"laut", "so"}),
    "pt": frozenset({"segundo"}),
    "sv": frozenset({"enligt"}),
}
# What may stand before a quote's speech verb («…," said X.») or after a speaker's name
_BEFORE_VERB = frozenset(',.;:"“”„«»')
_AFTER_NAME = frozenset(",.;:")
_NAME_WORD = re.compile(r"[A-ZÀ-ÞĀ-Ž][a-zß-ÿā-ž'’\-]+")


# The last word of each «according to» form: a token equal to one is checked further
_ACCORDING_LAST = {lang: {f.split()[-1]: f for f in forms} for lang, forms in ACCORDING_TO.items()}


def _name_run(text: str, offsets: Offsets, i: int, step: int) -> int:
    """The far end of a run of one or two name words from token i in direction step, or -1."""
    j = i
    while 0 <= j < len(offsets) and abs(j - i) < 2 and _NAME_WORD.fullmatch(text, *offsets[j]):
        j += step
    return j - step if j != i else -1


def _word(text: str, offsets: Offsets, i: int) -> str:
    return text[offsets[i][0] : offsets[i][1]] if 0 <= i < len(offsets) else ""


def speaker_names(
    text: str,
    tokens: Tokens,
    spans: list[Span],
    language: str,
    is_rare: Callable[[str], bool],
    is_known: Callable[[str], bool],
) -> list[Span]:
    """One or two capitalised words no span covers, directly after a reporting verb and before
    a stop («…," said Guilbeault.»), or between a quote or the text's start and the verb
    («Zimmer says», «Kühn sagte»), or after «according to», are a person's name when its
    first word is rare as a word (is_rare) and it is no known place or organisation
    (is_known)."""
    verbs = SPEECH_VERBS.get(language)
    if verbs is None:
        return spans
    according = _ACCORDING_LAST[language]
    offsets = tokens.offsets
    n = len(offsets)
    found: list[tuple[int, int]] = []

    def after(i: int) -> None:  # a name from token i, then a stop or the end
        last = _name_run(text, offsets, i, 1)
        if last >= 0 and (last + 1 == n or _word(text, offsets, last + 1) in _AFTER_NAME):
            found.append((i, last))

    # one pass over the tokens, the rest only at a verb (~50 µs a 2,000-character article)
    for i, (a, b) in enumerate(offsets):
        word = text[a:b]
        if word in verbs:
            if i == 0 or _word(text, offsets, i - 1) in _BEFORE_VERB:
                after(i + 1)
            first = _name_run(text, offsets, i - 1, -1) if i else -1
            if first >= 0 and (first == 0 or _word(text, offsets, first - 1) in _BEFORE_VERB):
                found.append((first, i - 1))
        elif word in according:
            form = according[word]
            if " " not in form or f"{_word(text, offsets, i - 1)} {word}".lower() == form:
                after(i + 1)
    if not found:
        return spans
    taken = [False] * n
    for start, end, _, _ in spans:
        for i in range(tokens.first.get(start, n), tokens.last.get(end, -1) + 1):
            taken[i] = True
    added: list[Span] = []
    for a, b in found:
        surface = text[offsets[a][0] : offsets[b][1]]
        if any(taken[a : b + 1]) or not is_rare(_word(text, offsets, a)) or is_known(surface):
            continue
        taken[a : b + 1] = [True] * (b - a + 1)
        added.append((offsets[a][0], offsets[b][1], "PER", 0.5))
    return sorted(spans + added) if added else spans


POSSESSIVE = frozenset({"'", "’"})


def possessive_countries(
    text: str, tokens: Tokens, spans: list[Span], countries: frozenset[str]
) -> list[Span]:
    """English: a country in the possessive («Russia's actions», «Australia's position») is
    the state acting, which UNER tags ORG; elsewhere a country stays a LOC."""
    out: list[Span] = []
    words = tokens.offsets
    for start, end, kind, confidence in spans:
        at = tokens.last.get(end)
        if (
            kind == "LOC"
            and at is not None
            and at + 2 < len(words)
            and text[words[at + 1][0] : words[at + 1][1]] in POSSESSIVE
            and text[words[at + 2][0] : words[at + 2][1]] == "s"
            and lookup_key(text[start:end], "cased") in countries
        ):
            kind = "ORG"
        out.append((start, end, kind, confidence))
    return out
