"""Cased span rules that fix the CRF's boundaries and types with the gazetteer's knowledge:
a known name completed by its neighbour, leading lower-case words, place heads, event names, words
for a people or a faith."""

from agents.ner.gazetteer import Span
from agents.ner.non_entities import drop_demonyms, drop_event_names
from agents.ner.spans import extend_to_known_name, person_with_place_head, trim_lowercase_lead
from agents.ner.text import Tokens


def span_of(text: str, surface: str, kind: str) -> Span:
    start = text.index(surface)
    return (start, start + len(surface), kind, 0.5)


def surfaces(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for a, b, kind, _ in spans]


def test_a_neighbour_word_that_completes_a_known_name_joins_the_span() -> None:
    names = {
        "south america": ["LOC", "South America"],
        "baja california": ["LOC", "Baja California"],
        "north korea": ["LOC", "North Korea"],
    }
    text = "South America, Baja California, North Korea Airlines and South Carolina."
    found = [
        span_of(text, "America", "LOC"),
        span_of(text, "California", "LOC"),
        span_of(text, "Korea", "ORG"),  # the known name is a place, not this type
        span_of(text, "Carolina", "LOC"),  # «south carolina» is not in the table
    ]
    assert surfaces(text, extend_to_known_name(text, Tokens.of(text), found, names)) == [
        ("South America", "LOC"),
        ("Baja California", "LOC"),
        ("Korea", "ORG"),
        ("Carolina", "LOC"),
    ]
    # a neighbour that belongs to another span stays there
    text = "South America"
    found = [span_of(text, "South", "PER"), span_of(text, "America", "LOC")]
    assert extend_to_known_name(text, Tokens.of(text), found, names) == found


def test_leading_lower_case_words_leave_the_name_but_particles_stay() -> None:
    text = "In northern Ontario, macedônio Amintas I, de Meza, iPhone X and the end."
    found = [
        span_of(text, "northern Ontario", "LOC"),
        span_of(text, "macedônio Amintas I", "PER"),
        span_of(text, "de Meza", "PER"),
        span_of(text, "iPhone X", "MISC"),
        span_of(text, "the end", "ORG"),  # all lower case: the last word stays
    ]
    assert surfaces(text, trim_lowercase_lead(text, Tokens.of(text), found)) == [
        ("Ontario", "LOC"),
        ("Amintas I", "PER"),
        ("de Meza", "PER"),
        ("iPhone X", "MISC"),
        ("the end", "ORG"),
    ]


def test_a_person_ending_in_a_place_head_is_a_place() -> None:
    words = {"damon": "PERf", "hill": "LOCm,PERl", "pearl": "PERf", "harbor": "PERl"}
    text = "Pearl Harbor, Capitol Hill, Golden Gate Park, Damon Hill, Harbor and Hill Street."
    found = [
        span_of(text, "Pearl Harbor", "PER"),  # a first name, but Harbor is rarely a surname
        span_of(text, "Capitol Hill", "PER"),
        span_of(text, "Golden Gate Park", "PER"),
        span_of(text, "Damon Hill", "PER"),  # a first name and a common surname
        span_of(text, "Harbor", "PER"),  # one word: a name by itself
        span_of(text, "Hill Street", "ORG"),  # only PER spans change
    ]
    assert surfaces(text, person_with_place_head(text, Tokens.of(text), found, words)) == [
        ("Pearl Harbor", "LOC"),
        ("Capitol Hill", "LOC"),
        ("Golden Gate Park", "LOC"),
        ("Damon Hill", "PER"),
        ("Harbor", "PER"),
        ("Hill Street", "ORG"),
    ]


def test_an_event_is_no_place_or_organisation_but_its_place_stays() -> None:
    text = (
        "After the Industrial Revolution and the Battle of Marengo, the Battle of Zorgo, the "
        "Revolução Industrial, Rugbymästerskapen, Lissabon-Vertrag, Star Wars, the Election "
        "Commission, Summit County and Krieg."
    )
    found = [
        span_of(text, "Industrial Revolution", "LOC"),
        span_of(text, "Battle of Marengo", "ORG"),  # a known place after «of» stays a LOC
        span_of(text, "Battle of Zorgo", "ORG"),  # not a known place: all of it leaves
        span_of(text, "Revolução Industrial", "ORG"),  # Portuguese: the head comes first
        span_of(text, "Rugbymästerskapen", "LOC"),  # a compound by its ending
        span_of(text, "Lissabon-Vertrag", "LOC"),
        span_of(text, "Star Wars", "PER"),  # only ORG and LOC spans change
        span_of(text, "Election Commission", "ORG"),  # an event word first, but no «of»
        span_of(text, "Summit County", "LOC"),
        span_of(text, "Krieg", "LOC"),  # a lone event noun is no place either
    ]
    kept = drop_event_names(text, Tokens.of(text), found, lambda name: name == "Marengo")
    assert surfaces(text, kept) == [
        ("Marengo", "LOC"),
        ("Star Wars", "PER"),
        ("Election Commission", "ORG"),
        ("Summit County", "LOC"),
    ]


def test_a_word_for_a_people_or_a_faith_alone_is_no_name() -> None:
    text = "German troops, Christian and Islam, the Belga, German Gref and Romania."
    found = [
        span_of(text, "German", "PER"),
        span_of(text, "Christian", "PER"),
        span_of(text, "Islam", "ORG"),
        span_of(text, "Belga", "LOC"),
        span_of(text, "German Gref", "PER"),  # more than the word: a name
        span_of(text, "Romania", "LOC"),
    ]
    assert surfaces(text, drop_demonyms(text, found)) == [
        ("German Gref", "PER"),
        ("Romania", "LOC"),
    ]
