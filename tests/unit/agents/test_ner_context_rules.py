"""Span rules that read a name's neighbours (agents/ner/context_rules.py) and English modifiers
that are no entity (agents/ner/non_entities.drop_modifiers)."""

from agents.ner.context_rules import possessive_countries, speaker_names
from agents.ner.gazetteer import Span
from agents.ner.non_entities import drop_modifiers
from agents.ner.text import Tokens

COMMON = {"the", "police", "officials", "it", "we", "this", "in"}
KNOWN = {"Paris", "Reuters"}
COUNTRIES = frozenset({"russia", "australia", "iran"})


def span_of(text: str, surface: str, kind: str) -> Span:
    start = text.index(surface)
    return (start, start + len(surface), kind, 0.9)


def surfaces(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for a, b, kind, _ in spans]


def speakers(text: str, language: str = "en", spans: list[Span] | None = None) -> list[str]:
    found = speaker_names(
        text,
        Tokens.of(text),
        spans or [],
        language,
        lambda word: word.lower() not in COMMON,
        lambda surface: surface in KNOWN,
    )
    return [text[a:b] for a, b, kind, _ in found if kind == "PER"]


def test_an_unknown_word_beside_a_reporting_verb_is_the_speaker() -> None:
    assert speakers('It may help with emissions," said Guilbeault.') == ["Guilbeault"]
    assert speakers("“It is a drama,” Zimmer says.") == ["Zimmer"]
    assert speakers("The bath removes it, Tarlo explains.") == ["Tarlo"]
    assert speakers("Prices rose, according to Ana Lima.") == ["Ana Lima"]
    assert speakers("Das ist gut, sagte Kühn.", "de") == ["Kühn"]
    assert speakers("Enligt Lindqvist är det bra.", "sv") == []  # no stop after the name
    assert speakers("Det är bra, säger Lindqvist.", "sv") == ["Lindqvist"]


def test_common_words_known_names_and_other_contexts_stay_untagged() -> None:
    assert speakers("Police said the road was closed.") == []  # a common word
    assert speakers("The road was closed, Reuters said.") == []  # a known organisation
    assert speakers("In Paris said nothing.") == []  # «In» is a word; Paris has no stop before
    assert speakers("It was closed, said Smith yesterday.") == []  # no stop after it
    assert speakers("Es ist gut, said Kühn.", "ru") == []  # no verbs for the language
    text = "It was closed, said John Smith."
    found = speakers(text, spans=[span_of(text, "John Smith", "PER")])
    assert found == ["John Smith"]  # the existing span, nothing added


def test_a_country_in_the_possessive_is_the_state_acting() -> None:
    text = "Russia's actions, Australia’s position and Iran, then Paris's mayor."
    found = [
        span_of(text, "Russia", "LOC"),
        span_of(text, "Australia", "LOC"),
        span_of(text, "Iran", "LOC"),
        span_of(text, "Paris", "LOC"),  # a city: stays a place
    ]
    assert surfaces(text, possessive_countries(text, Tokens.of(text), found, COUNTRIES)) == [
        ("Russia", "ORG"),
        ("Australia", "ORG"),
        ("Iran", "LOC"),
        ("Paris", "LOC"),
    ]


def test_a_place_before_an_event_noun_and_a_platform_before_its_product_leave() -> None:
    text = (
        "The Paris agreement, the Paris climate accord, the Iran deal, a Twitter account "
        "and Twitter said it met in Paris."
    )
    found = [
        span_of(text, "Paris agreement"[:5], "LOC"),
        (text.index("Paris climate"), text.index("Paris climate") + 5, "LOC", 0.9),
        span_of(text, "Iran", "LOC"),  # a country is a party to the deal: stays
        span_of(text, "Twitter", "ORG"),
        (text.index("Twitter said"), text.index("Twitter said") + 7, "ORG", 0.9),
        (text.rindex("Paris"), text.rindex("Paris") + 5, "LOC", 0.9),
    ]
    assert surfaces(text, drop_modifiers(text, Tokens.of(text), found, COUNTRIES)) == [
        ("Iran", "LOC"),
        ("Twitter", "ORG"),
        ("Paris", "LOC"),
    ]
