"""Capitalised words that are no PER, ORG or LOC, and that the cased CRF, which has seen few of
them, tags as one: event names (a war, a treaty, a summit, a championship, a prize: «Industrial
Revolution», «Revolução Industrial», «Parisavtalet») and words for a people or a faith
(«German», «Christian», «Islam», «Belga»). UNER leaves both untagged, and a dashboard would
count a revolution among the places and «Christian» among the people."""

from __future__ import annotations

from collections.abc import Callable

from agents.ner.gazetteer import Span
from agents.ner.text import Tokens, lookup_key

# Event nouns, written a priori (not «games», «olympics», «cup», «conference»: also the names
# of organisations). English names end in one («Suez Crisis»), or begin with one before «of»
# («Battle of Marengo»).
EVENT_WORDS = frozenset(
    """revolution championship championships treaty summit war wars battle massacre uprising
    agreement accord prize award awards election elections crisis
    krieg vertrag gipfel schlacht abkommen meisterschaft weltmeisterschaft wahl wahlen
    revolutionen mästerskap mästerskapen fördrag fördraget avtal avtalet kriget toppmötet""".split()
)
# Portuguese names begin with theirs («Guerra Fria», «Tratado Franco-Monegasco»).
EVENT_WORDS_FIRST = frozenset(
    "revolução campeonato tratado cúpula guerra batalha acordo prémio prêmio eleição eleições "
    "crise".split()
)
# German and Swedish write them as compounds: «Rugbymästerskapen», «Lissabon-Vertrag» ends
# in one of these.
EVENT_ENDINGS = (
    "krieg",
    "vertrag",
    "gipfel",
    "schlacht",
    "abkommen",
    "meisterschaft",
    "revolution",
    "mästerskap",
    "mästerskapen",
    "fördraget",
    "avtalet",
    "kriget",
    "revolutionen",
    "toppmötet",
)
_OF = frozenset({"of", "de", "do", "da", "dos", "das", "von", "vom", "vid"})


def event_head(words: list[str]) -> int | None:
    """Index in `words` (the span's alphabetic words) of the event noun that heads the name,
    or None if it names no event."""
    if not words:
        return None
    first, last = words[0].lower(), words[-1].lower()
    if len(words) > 1 and (
        first in EVENT_WORDS_FIRST or (first in EVENT_WORDS and words[1] in _OF)
    ):
        return 0
    if last in EVENT_WORDS or any(
        last.endswith(e) and len(last) > len(e) + 2 for e in EVENT_ENDINGS
    ):
        return len(words) - 1
    return None


def drop_event_names(
    text: str, tokens: Tokens, spans: list[Span], is_known_place: Callable[[str], bool]
) -> list[Span]:
    """An ORG or LOC span that names an event leaves. Of «Battle of Marengo» / «Batalha de
    Marengo» the place after the connector stays, as a LOC, when it is a known place."""
    offsets, first, last = tokens.offsets, tokens.first, tokens.last
    out: list[Span] = []
    for start, end, kind, confidence in spans:
        if kind not in ("ORG", "LOC") or start not in first or end not in last:
            out.append((start, end, kind, confidence))
            continue
        inside = offsets[first[start] : last[end] + 1]
        words = [(a, text[a:b]) for a, b in inside if text[a:b].isalpha()]
        head = event_head([w for _, w in words])
        if head is None:
            out.append((start, end, kind, confidence))
            continue
        if head == 0 and len(words) > 2 and words[1][1] in _OF:
            place = words[2][0]
            if is_known_place(text[place:end]):
                out.append((place, end, "LOC", confidence))
    return out


# Words for a people, a nationality or a faith, in en/de/pt/sv, written a priori: a span of
# just one of them is no name. (The capitalised ones: German and Portuguese adjectives are
# written in lower case and the CRF leaves them alone.)
DEMONYMS = frozenset(
    """american americans british chinese russian russians french german germans italian
    italians spanish japanese indian indians iranian iranians iraqi iraqis syrian syrians
    israeli israelis palestinian palestinians turkish arab arabs african africans european
    europeans asian asians canadian canadians mexican mexicans brazilian brazilians australian
    australians korean koreans ukrainian ukrainians polish dutch swedish norwegian norwegians
    danish greek greeks roman romans egyptian egyptians saudi saudis afghan afghans pakistani
    pakistanis kurdish kurds turks swiss irish scottish english welsh belgian belgians austrian
    austrians hungarian hungarians czech czechs romanian romanians serbian serbs cuban cubans
    venezuelan argentine colombian chilean peruvian nigerian nigerians kenyan ethiopian somali
    somalis sudanese libyan libyans tunisian moroccan algerian lebanese jordanian yemeni qatari
    emirati thai vietnamese filipino filipinos indonesian malaysian germanic nordic scandinavian
    scandinavians soviet christian christians muslim muslims jewish jew jews buddhist buddhists
    hindu hindus catholic catholics protestant protestants sunni sunnis shia shiite shiites
    islam christianity judaism hinduism buddhism
    amerikaner franzosen briten russen chinesen deutsche deutschen christen muslime juden
    katholiken araber türken europäer afrikaner
    americano americanos americana britânico francês franceses alemão alemães chinês russo
    russos belga belgas dinamarquês romana romano romanos australiana australianas australiano
    cristão cristãos muçulmano muçulmanos judeu judeus islã islão católico católicos bantu bantus
    fransmän britter ryssar kineser tyskar kristna muslimer judar katoliker""".split()
)


def drop_demonyms(text: str, spans: list[Span]) -> list[Span]:
    """A one-word span that is a DEMONYMS word leaves, whatever its type."""
    return [s for s in spans if text[s[0] : s[1]].lower() not in DEMONYMS]


# English: a place or a platform directly before a lower-case noun is a modifier, and the
# name it is part of is no PER/ORG/LOC: «the Paris agreement», «the Minsk talks» (events,
# UNER leaves them untagged); «a Twitter account», «Facebook posts» (the product, not the
# company). Written a priori.
EVENT_MODIFIED = frozenset(
    """agreement agreements accord accords treaty summit talks deal targets goals process
    conference negotiations protocol""".split()
)
PLATFORMS = frozenset(
    """twitter facebook instagram youtube whatsapp snapchat tiktok telegram linkedin reddit
    vine periscope weibo wechat""".split()
)
PLATFORM_PRODUCTS = frozenset(
    """account accounts feed feeds post posts page pages user users video videos live story
    stories message messages profile profiles handle followers group groups channel
    channels""".split()
)


def drop_modifiers(
    text: str, tokens: Tokens, spans: list[Span], countries: frozenset[str]
) -> list[Span]:
    """English: a LOC before an event noun («the Paris agreement», «the Paris climate accord»;
    not a country, which is a party: «the Iran deal») or a platform before its product
    («Twitter account») leaves."""
    offsets = tokens.offsets
    out: list[Span] = []
    for span in spans:
        start, end, kind, _ = span
        at = tokens.last.get(end)
        after = [text[a:b] for a, b in offsets[at + 1 : at + 3]] if at is not None else []
        if after and after[0].islower():
            if (
                kind == "LOC"
                and lookup_key(text[start:end], "cased") not in countries
                and (
                    after[0] in EVENT_MODIFIED
                    or (after[0] == "climate" and after[1:] and after[1] in EVENT_MODIFIED)
                )
            ):
                continue
            if text[start:end].lower() in PLATFORMS and after[0] in PLATFORM_PRODUCTS:
                continue
        out.append(span)
    return out
