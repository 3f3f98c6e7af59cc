"""Post-processing of entity spans, shared by every back-end. A span is
(start, end, type, confidence) in characters of the input text."""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.ner.gazetteer import Span
from agents.ner.text import Tokens, lookup_key

_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_QUOTES = frozenset("\"“”„«»‹›'‘’()[]{}<>")


def strip_leading_article(text: str, spans: list[Span]) -> list[Span]:
    """'the United States' → 'United States': UNER (and most schemes) exclude the article,
    except in «the Netherlands» (5-fold CV over TUNE en .638 → .642; the canonical value is
    Netherlands either way)."""
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        article = _LEADING_ARTICLE.match(text[start:end])
        if article and (kind != "LOC" or text[start + article.end() : end] != "Netherlands"):
            start += article.end()
        if start < end:
            out.append((start, end, kind, confidence))
    return out


# Languages whose UNER gold writes «Denver, Colorado» as one LOC (de and pt split it).
JOINS_PLACE_REGION = frozenset({"en", "sv"})
_LIST_WORDS = frozenset({",", "and", "och", "&"})


def join_place_region(text: str, spans: list[Span], countries: frozenset[str]) -> list[Span]:
    """«Denver , Colorado» LOC + LOC → one LOC (a place and its region), unless either is a
    country («Brazil, South Africa») or the pair is part of a list of places («the Rhine, the
    Rhône, the Inn»). en/sv only (JOINS_PLACE_REGION): 5-fold CV over TUNE en .617 → .624,
    sv .689 → .697."""
    if len(spans) < 2:
        return spans

    def separator(left: Span, right: Span) -> str:
        return text[left[1] : right[0]].strip()

    def country(span: Span) -> bool:
        return lookup_key(text[span[0] : span[1]], "cased") in countries

    out: list[Span] = []
    i = 0
    while i < len(spans):
        span = spans[i]
        if i + 1 < len(spans):
            right = spans[i + 1]
            listed_after = (
                i + 2 < len(spans)
                and spans[i + 2][2] == "LOC"
                and separator(right, spans[i + 2]) in _LIST_WORDS
            )
            listed_before = bool(out) and out[-1][2] == "LOC" and separator(out[-1], span) == ","
            if (
                span[2] == right[2] == "LOC"
                and separator(span, right) == ","
                and not listed_after
                and not listed_before
                and not country(span)
                and not country(right)
            ):
                out.append((span[0], right[1], "LOC", min(span[3], right[3])))
                i += 2
                continue
        out.append(span)
        i += 1
    return out


def clean_quotes(text: str, tokens: Tokens, spans: list[Span]) -> list[Span]:
    """An entity never contains a quote or bracket token: keep the part after the last one
    ('تنظيم ” داعش' → 'داعش', 'Operation “Desert Storm' → 'Desert Storm'), trim the edges."""
    first, last = tokens.first, tokens.last
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if start not in first or end not in last:
            out.append((start, end, kind, confidence))
            continue
        inside = tokens.offsets[first[start] : last[end] + 1]
        cuts = [i for i, (a, b) in enumerate(inside) if text[a:b] in _QUOTES]
        if cuts:
            inside = inside[cuts[-1] + 1 :] or inside[: cuts[0]]
        while inside and not text[inside[0][0] : inside[0][1]][0].isalnum():
            inside = inside[1:]
        while inside:
            tail = text[inside[-1][0] : inside[-1][1]]
            if tail[-1].isalnum() or tail == ".":
                break
            inside = inside[:-1]
        if inside:
            out.append((inside[0][0], inside[-1][1], kind, confidence))
    return out


def merge_person_tail(text: str, tokens: Tokens, spans: list[Span]) -> list[Span]:
    """'ستيف' PER + 'وارين' LOC (GeoNames has a town Warren) → one PER: a single-token,
    low-confidence LOC/ORG right after a person name (only a space between) is the rest of it."""
    if len(spans) < 2:
        return spans
    first, last = tokens.first, tokens.last
    out: list[Span] = [spans[0]]
    for span in spans[1:]:
        previous = out[-1]
        if (
            previous[2] == "PER"
            and span[2] in ("LOC", "ORG")
            and span[3] < 0.7
            and text[previous[1] : span[0]] == " "
            and first.get(span[0]) == last.get(span[1])
        ):
            out[-1] = (previous[0], span[1], "PER", min(previous[3], span[3]))
        else:
            out.append(span)
    return out


def person_consistency(text: str, profile: str, spans: list[Span]) -> list[Span]:
    """Within one text, a mention equal to a word of a multi-word person name is that person
    ('ستيف وارين' … 'وارين' tagged LOC → PER)."""
    name_words: set[str] = set()
    for start, end, kind, _ in spans:
        if kind == "PER":
            words = lookup_key(text[start:end], profile).split(" ")
            if len(words) >= 2:
                name_words.update(w for w in words if len(w) >= 3)
    if not name_words:
        return spans
    return [
        (a, b, "PER" if kind != "PER" and lookup_key(text[a:b], profile) in name_words else kind, c)
        for a, b, kind, c in spans
    ]


# Conjunction/preposition letters written attached to the next word; the article ال is part
# of the name («الرقة») and stays. Two-letter stacks first («وب», «فل»).
_DETACHABLE = ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")


def strip_known_proclitics(
    text: str, spans: list[Span], known_type: Callable[[str], str | None]
) -> list[Span]:
    """«وسوريا» → «سوريا», «بالعراق» → «العراق»: drop attached proclitic letters from the start
    of an Arabic span when what remains is a name of the span's type (`known_type`: gazetteer,
    aliases; or another mention of that type in the same text) and the whole form is not a
    known name («واشنطن», «وارين» stay whole; «بلير» PER stays although «لير» is a LOC).
    ANERcorp's gold keeps the proclitics; dashboards want the bare name; `canonical` is the
    same either way."""
    mentioned = {lookup_key(text[a:b], "ar"): kind for a, b, kind, _ in spans}
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        surface = text[start:end]
        first_word = surface.split(" ", 1)[0]
        if known_type(surface) is None:
            for proclitic in _DETACHABLE:
                rest = surface[len(proclitic) :]
                if (
                    first_word.startswith(proclitic)
                    and len(first_word) - len(proclitic) >= 2
                    and kind in (known_type(rest), mentioned.get(lookup_key(rest, "ar")))
                ):
                    start += len(proclitic)
                    break
        out.append((start, end, kind, confidence))
    return out


# Abbreviations whose full stop belongs to the name («Apple Inc.», «St. Petersburg»).
_KEEPS_STOP = frozenset(
    "inc corp co ltd plc llc jr sr st mt ft dr mr mrs ms prof gen col lt sgt gov sen rep "
    "bros".split()
)
# A month or a weekday alone is a date, not a name (the CRF, trained on 500 sentences a
# language, tags «March.» as LOC).
_CALENDAR = frozenset(
    """january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    januar februar märz juni juli oktober dezember montag dienstag mittwoch donnerstag freitag
    samstag sonntag janeiro fevereiro março abril maio junho julho agosto setembro outubro
    novembro dezembro segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado
    domingo januari februari mars maj augusti måndag tisdag onsdag torsdag fredag lördag
    söndag""".split()
)

# Never a name by itself: unit abbreviations the German CRF tags as people («1,4 Mrd. GBP», «1000
# v. Chr.») and the currency codes of wire copy.
_NOT_NAMES = frozenset(
    "chr mrd mio usd eur gbp jpy chf cny rmb rub sek nok dkk inr brl aud cad".split()
)
_DIGITS = re.compile(r"[\d\s.,/-]+")


def _not_a_name(key: str) -> bool:
    """A unit, a currency code, a bare number, or a date («August 2015», «20»)."""
    words = key.split(" ")
    return (
        key in _CALENDAR
        or key in _NOT_NAMES
        or bool(_DIGITS.fullmatch(key))
        or (
            len(words) > 1
            and words[0] in _CALENDAR
            and bool(_DIGITS.fullmatch(" ".join(words[1:])))
        )
    )


# A regnal number ending a person name («Paul VI», «Richard III»).
_ROMAN = re.compile(r"[IVX]{1,4}")
_REGNAL = re.compile(r"(?<=\s)[IVX]{1,4}$")


def tidy_cased(
    text: str, tokens: Tokens, spans: list[Span], countries: frozenset[str]
) -> list[Span]:
    """Latin/Cyrillic clean-ups the small CRF gets wrong, decided a priori (not tuned):
    a sentence-final full stop is not part of a name («Nairobi.» → «Nairobi»; «Inc.», «J.» and
    «U.S.» keep theirs, and a regnal number gets its stop: «Paul VI.», 5-fold CV over TUNE de
    .603 → .605, en .615 → .617, pt/sv unchanged); a month or weekday alone, a month with a
    year, a bare number, a unit abbreviation or a currency code is dropped; a country name is
    a LOC («Kenya has asked donors» is not a person); a Swedish «:s» genitive stays on its
    name («EU:s», as UNER writes it)."""
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if kind == "PER" and text[end : end + 1] == "." and _REGNAL.search(text, start, end):
            end += 1  # «Paul VI.»: German ordinals are written with a full stop
        last = tokens.last.get(end)
        if last is not None and last > 0 and text[end - 1 : end] == ".":
            before = tokens.offsets[last - 1]
            word = text[before[0] : before[1]]
            if (
                before[0] >= start
                and len(word) > 1
                and word.lower() not in _KEEPS_STOP
                and not _ROMAN.fullmatch(word)
            ):
                end = before[1]
        if text[end : end + 2] == ":s" and not text[end + 2 : end + 3].isalnum():
            end += 2  # the Swedish genitive of an acronym belongs to it: «EU:s», «VW:s»
        key = lookup_key(text[start:end], "cased")
        if _not_a_name(key):
            continue
        if kind != "LOC" and key in countries:
            kind = "LOC"
        out.append((start, end, kind, confidence))
    return out


def extend_to_known_name(
    text: str, tokens: Tokens, spans: list[Span], names: dict[str, list[str]]
) -> list[Span]:
    """A span that a capitalised neighbour word completes into a name the gazetteer knows with
    the same type takes that word: «South [America]» → «South America», «Northern [Ireland]»,
    «Baja [California]» (the CRF reads the compass word as an adjective). One word on each side,
    never a word of another span."""
    offsets, first, last = tokens.offsets, tokens.first, tokens.last
    taken = {
        i
        for start, end, _, _ in spans
        if start in first and end in last
        for i in range(first[start], last[end] + 1)
    }
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if start in first and end in last:
            i, j = first[start], last[end]
            if i > 0 and i - 1 not in taken and text[offsets[i - 1][0]].isupper():
                known = names.get(lookup_key(text[offsets[i - 1][0] : end], "cased"))
                if known and known[0] == kind:
                    start = offsets[i - 1][0]
            if j + 1 < len(offsets) and j + 1 not in taken and text[offsets[j + 1][0]].isupper():
                known = names.get(lookup_key(text[start : offsets[j + 1][1]], "cased"))
                if known and known[0] == kind:
                    end = offsets[j + 1][1]
        out.append((start, end, kind, confidence))
    return out


# Lower-case words that do begin names: name particles («de Meza», «van Gogh», «bin Laden»)
# and the article strip_leading_article deals with.
_NAME_PARTICLES = frozenset(
    "the de da do dos das di du del della van von der den ter al el la le bin ibn ben af zu".split()
)


def trim_lowercase_lead(text: str, tokens: Tokens, spans: list[Span]) -> list[Span]:
    """Leading lower-case words are not part of a name: «northern [Ontario]», «macedônio [Amintas
    I]» (the CRF runs an adjective into the name). Name particles stay («de Meza»); a word with
    a capital inside is a brand («iPhone»), not lower-case."""
    offsets, first, last = tokens.offsets, tokens.first, tokens.last
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if start in first and end in last:
            i, j = first[start], last[end]
            while i < j:
                word = text[offsets[i][0] : offsets[i][1]]
                if not (word.isalpha() and word.islower()) or word in _NAME_PARTICLES:
                    break
                i += 1
            start = offsets[i][0]
        out.append((start, end, kind, confidence))
    return out


# Last words that make a capitalised run a place («Pearl Harbor», «Golden Gate Park», «Irish
# Seas», «Capitol Hill»), which the CRF reads as a first name + surname. Written a priori.
PLACE_HEADS = frozenset(
    """harbor harbour street avenue road square bridge sea seas ocean gulf strait canyon
    peninsula desert mountains valley hill park lake bay river island islands forest beach
    straße strasse platz gebirge meer see insel tal rua avenida praça ilha serra baía rio mar
    gatan vägen torget sjön ön älven""".split()
)
# Of those, the common surnames («Damon Hill», «Nick Park»): a two-word span
# that begins with a known first name keeps its person.
_SURNAME_HEADS = frozenset("hill park lake bay river island forest beach see mar rio".split())


def person_with_place_head(
    text: str, tokens: Tokens, spans: list[Span], words: dict[str, str]
) -> list[Span]:
    """A PER span of two or more words whose last word is a PLACE_HEADS word is a place.
    words: the gazetteer's word tags ('PERf' = a first name)."""
    offsets, first, last = tokens.offsets, tokens.first, tokens.last
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if kind == "PER" and start in first and end in last and last[end] > first[start]:
            i, j = first[start], last[end]
            head = text[offsets[j][0] : offsets[j][1]].lower()
            opening = text[offsets[i][0] : offsets[i][1]].lower()
            first_name = "PERf" in words.get(opening, "").split(",")
            if head in PLACE_HEADS and not (head in _SURNAME_HEADS and j == i + 1 and first_name):
                kind = "LOC"
        out.append((start, end, kind, confidence))
    return out
