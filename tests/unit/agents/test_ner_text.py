"""Tokeniser, Arabic normalisation, sentence chunks and span post-processing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from agents.ner.mentions import Mention, link_name_parts
from agents.ner.spans import clean_quotes, strip_known_proclitics, strip_leading_article
from agents.ner.text import (
    MAX_CHUNK_TOKENS,
    Tokens,
    _shape_of_characters,
    ar_norm,
    ar_strip,
    sentence_chunks,
    shape,
    tokenize,
)


def words(text: str) -> list[str]:
    return [text[a:b] for a, b in tokenize(text)]


def test_tokens_keep_marks_and_split_punctuation() -> None:
    assert words("قال “داعشَ”، إن") == ["قال", "“", "داعشَ", "”", "،", "إن"]
    assert words("Obama's l'Union") == ["Obama", "'", "s", "l", "'", "Union"]
    assert words("美國的 AP") == ["美", "國", "的", "AP"]


SHAPES = {
    "Obama": "Xx",
    "obama": "x",
    "NATO": "X",
    "McDonald": "XxXx",
    "F-16": "X-d",
    "Ärzte": "Xx",
    "داعش": "a",
    "والرقة": "a",
    "داعشَ": "a\u064e",  # a haraka is a mark, not a letter: its own class
    "iPhone": "xXx",
    "A": "X",
    "": "",
    "Internationalisation": "Xx",
}


def test_word_shapes() -> None:
    assert {token: shape(token) for token in SHAPES} == SHAPES


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=20),
        st.text(alphabet="aZbY-1ءابةتثجحخدذرسشصضطظعغفقكلمنهوي\u0640\u064bÄßĸ", max_size=16),
    )
)
def test_the_fast_shapes_are_the_character_loops(token: str) -> None:
    assert shape(token) == _shape_of_characters(token[:12])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *("北", "京", "市", "美國", "ア", "\u3099", "\u309a", "한", "a", "Bc", "12", " "),
                *("\n", "。", "'", "قال", "َ", "\u0640", "ß", "𠀋", "·"),
            ]
        ),
        max_size=60,
    )
)
def test_tokens_of_equals_the_regex_tokeniser(pieces: list[str]) -> None:
    """Tokens.of's CJK-run fast path: the same tokens (and indexes) as TOKEN_RE, also around
    the combining kana marks that TOKEN_RE lets join a word."""
    text = "".join(pieces)
    offsets = tokenize(text)
    for tokens in (Tokens.of(text), Tokens.of(text, cjk=True)):
        assert tokens.offsets == offsets
        assert list(tokens.first.items()) == [(a, i) for i, (a, _) in enumerate(offsets)]
        assert list(tokens.last.items()) == [(b, i) for i, (_, b) in enumerate(offsets)]
        assert tokens.ends == [b for _, b in offsets]


def test_arabic_normalisation_and_proclitics() -> None:
    assert ar_norm("أَحْمَد") == "احمد"
    assert ar_norm("مدرسة") == "مدرسه"
    assert ar_strip("وسوريا") == ("و", "سوريا")
    assert ar_strip("بالعراق") == ("بال", "عراق")
    assert ar_strip("وب") == ("", "وب")  # no stem of two letters left: not stripped


def reference_chunks(text: str, offsets: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The plain loop over every token that sentence_chunks must agree with."""
    chunks, first, n = [], 0, len(offsets)
    for i in range(n):
        token = text[offsets[i][0] : offsets[i][1]]
        end_here = token in ".!?؟。！？;؛" and i + 1 - first >= 3 and i + 1 < n
        if end_here and token == ".":
            previous = text[offsets[i - 1][0] : offsets[i - 1][1]]
            following = text[offsets[i + 1][0]]
            end_here = len(previous) > 1 and not following.islower() and not following.isdigit()
        line_break = i + 1 < n and "\n" in text[offsets[i][1] : offsets[i + 1][0]]
        if end_here or line_break or i + 1 - first >= MAX_CHUNK_TOKENS:
            chunks.append((first, i + 1))
            first = i + 1
    if first < n:
        chunks.append((first, n))
    return chunks


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Word", "word", "U", ".", "?", "؟", "。", "\n", " ", "  ", "5", "قال"]),
        max_size=300,
    )
)
def test_sentence_chunks_match_the_plain_loop(pieces: list[str]) -> None:
    text = " ".join(pieces)
    tokens = Tokens.of(text)
    assert sentence_chunks(text, tokens) == reference_chunks(text, tokens.offsets)


def test_quotes_never_inside_an_entity() -> None:
    text = "تنظيم ” داعش ” يعلن"
    tokens = Tokens.of(text)
    assert clean_quotes(text, tokens, [(0, 12, "ORG", 0.9)]) == [(8, 12, "ORG", 0.9)]


def test_proclitic_stripped_only_when_the_rest_is_a_known_name_of_that_type() -> None:
    text = "وسوريا وواشنطن ووليد ولبيد بلير"
    known = {"سوريا": "LOC", "واشنطن": "LOC", "لير": "LOC"}.get
    spans = [(0, 6, "LOC", 0.9), (7, 14, "LOC", 0.9), (15, 20, "PER", 0.9), (21, 26, "PER", 0.9)]
    spans.append((27, 31, "PER", 0.9))  # Blair: «لير» is a place, not a person
    got = [text[a:b] for a, b, _, _ in strip_known_proclitics(text, spans, known)]
    assert got == ["سوريا", "واشنطن", "ووليد", "ولبيد", "بلير"]


def test_proclitic_stripped_when_the_name_is_mentioned_bare_elsewhere() -> None:
    text = "لبيد قال ولبيد"
    spans = [(0, 4, "PER", 0.9), (9, 14, "PER", 0.9)]
    got = strip_known_proclitics(text, spans, lambda _: None)
    assert [text[a:b] for a, b, _, _ in got] == ["لبيد", "لبيد"]


def test_surname_alone_links_to_the_full_name() -> None:
    full = Mention("ستيف وارين", "PER", 0, 10, 0.9, "ستيف وارين", "x@1")
    alone = Mention("وارين", "PER", 20, 25, 0.8, "وارين", "x@1")
    place = Mention("وارين", "LOC", 30, 35, 0.8, "Warren", "x@1")
    linked = link_name_parts([full, alone, place], "ar")
    assert [m.canonical for m in linked] == ["ستيف وارين", "ستيف وارين", "Warren"]


def test_cased_spans_lose_a_final_stop_dates_and_wrong_country_types() -> None:
    from agents.ner.spans import tidy_cased
    from agents.ner.text import Tokens

    text = "Aid reached Nairobi. Kenya asked in March. Apple Inc. and the U.S. agreed."

    def span(surface: str, kind: str) -> tuple[int, int, str, float]:
        start = text.index(surface)
        return (start, start + len(surface), kind, 0.5)

    found = [
        span("Nairobi.", "ORG"),
        span("Kenya", "PER"),
        span("March.", "LOC"),
        span("Apple Inc.", "ORG"),
        span("U.S.", "LOC"),
    ]
    tidy = tidy_cased(text, Tokens.of(text), found, frozenset({"kenya"}))
    assert [(text[a:b], kind) for a, b, kind, _ in tidy] == [
        ("Nairobi", "ORG"),
        ("Kenya", "LOC"),
        ("Apple Inc.", "ORG"),
        ("U.S.", "LOC"),
    ]


def test_units_currencies_numbers_and_dates_are_not_names() -> None:
    from agents.ner.spans import tidy_cased
    from agents.ner.text import Tokens

    text = "Am 20. August 2015 legten 2 Mrd. GBP um 1000 v. Chr. an, 3M und 7-Eleven auch."
    found = []
    for surface, kind in (
        ("20", "PER"),
        ("August 2015", "PER"),
        ("Mrd.", "PER"),
        ("GBP", "ORG"),
        ("Chr.", "PER"),
        ("3M", "ORG"),
        ("7-Eleven", "ORG"),
    ):
        start = text.index(surface)
        found.append((start, start + len(surface), kind, 0.5))
    tidy = tidy_cased(text, Tokens.of(text), found, frozenset())
    assert [text[a:b] for a, b, _, _ in tidy] == ["3M", "7-Eleven"]


def test_a_regnal_number_keeps_its_full_stop() -> None:
    from agents.ner.spans import tidy_cased
    from agents.ner.text import Tokens

    text = "Papst Paul VI. traf Amyntas I. und Richard III. Dann kam Paris."
    found = []
    for surface, kind in (("Paul VI", "PER"), ("Amyntas I.", "PER"), ("Richard III.", "PER")):
        start = text.index(surface)
        found.append((start, start + len(surface), kind, 0.5))
    start = text.index("Paris.")
    found.append((start, start + 6, "LOC", 0.5))
    tidy = tidy_cased(text, Tokens.of(text), found, frozenset())
    assert [text[a:b] for a, b, _, _ in tidy] == ["Paul VI.", "Amyntas I.", "Richard III.", "Paris"]


def test_a_place_and_its_region_are_one_location() -> None:
    from agents.ner.spans import join_place_region

    text = "Denver , Colorado ; Brazil , Mexico ; the Rhine , the Rhône , the Inn and the Po ."
    found = []
    for surface in ("Denver", "Colorado", "Brazil", "Mexico", "Rhine", "Rhône", "Inn", "Po"):
        start = text.index(surface)
        found.append((start, start + len(surface), "LOC", 0.5))
    joined = join_place_region(text, found, frozenset({"brazil", "mexico"}))
    assert [text[a:b] for a, b, _, _ in joined] == [
        "Denver , Colorado",
        "Brazil",
        "Mexico",
        "Rhine",
        "Rhône",
        "Inn",
        "Po",
    ]


def test_a_person_ending_in_an_organisation_head_is_an_organisation() -> None:
    from agents.ner.org_rules import org_heads, person_with_org_head
    from agents.ner.text import Tokens

    words = {"bank": "ORGk", "steel": "LOCm,PERl", "church": "ORGk,PERl", "hutchison": "PERl"}
    heads = org_heads(words)
    assert "bank" in heads and "ports" in heads  # ORGk words and the extra company heads
    assert "church" not in heads and "steel" not in heads  # frequent surnames
    text = "Hutchison Ports, Deutsche Bank, Charlotte Church, Ports and Ben Ports."
    found = []
    for surface in ("Hutchison Ports", "Deutsche Bank", "Charlotte Church", "Ports and"):
        start = text.index(surface)
        surface = surface.removesuffix(" and")
        found.append((start, start + len(surface), "PER", 0.5))
    start = text.index("Ben Ports")
    found.append((start, start + len("Ben Ports"), "LOC", 0.5))
    tidy = person_with_org_head(text, Tokens.of(text), found, heads)
    assert [(text[a:b], kind) for a, b, kind, _ in tidy] == [
        ("Hutchison Ports", "ORG"),
        ("Deutsche Bank", "ORG"),
        ("Charlotte Church", "PER"),
        ("Ports", "PER"),  # one word: a name by itself
        ("Ben Ports", "LOC"),  # only PER spans change
    ]


def span_of(
    text: str, surface: str, kind: str, confidence: float = 0.5
) -> tuple[int, int, str, float]:
    """The span of the first occurrence of `surface` in `text`."""
    start = text.index(surface)
    return (start, start + len(surface), kind, confidence)


def test_a_name_after_an_organisation_compound_is_an_organisation() -> None:
    from agents.ner.org_rules import named_after_org_compound
    from agents.ner.text import Tokens

    heads = ("gewerkschaft", "agentur", "gericht")
    text = (
        "Die Lokführergewerkschaft GDL, die Nachrichtenagentur Reuters, das Landgericht Köln, "
        "die Gewerkschaft Verdi und der Landgerichtsrat Meyer."
    )

    found = [span_of(text, name, kind) for name, kind in [("GDL", "LOC"), ("Reuters", "PER")]]
    found += [span_of(text, name, kind) for name, kind in [("Köln", "LOC"), ("Verdi", "PER")]]
    found.append(span_of(text, "Meyer", "PER"))
    known_places = {"GDL", "Köln"}  # GeoNames has «GDL» (Guadalajara's airport code)
    tidy = named_after_org_compound(
        text, Tokens.of(text), found, heads, lambda name: name in known_places
    )
    assert [(text[a:b], kind) for a, b, kind, _ in tidy] == [
        ("GDL", "ORG"),  # a place name in capitals: an acronym here
        ("Reuters", "ORG"),
        ("Köln", "LOC"),  # a known place keeps its type
        ("Verdi", "PER"),  # «Gewerkschaft» alone is no compound
        ("Meyer", "PER"),  # «Landgerichtsrat» does not end in a head
    ]


def test_a_capitalised_run_ending_in_an_organisation_head_is_one_organisation() -> None:
    from agents.ner.org_rules import org_head_runs, org_run_heads
    from agents.ner.text import Tokens

    words = {"agency": "ORGk", "party": "ORGk", "bank": "ORGk", "group": "ORGk", "reich": "ORGk"}
    heads = org_run_heads(words)
    assert "reich" not in heads and "ports" in heads
    text = (
        "But the U.S. Environmental Protection Agency and Labor Party officials met the "
        "National Bank Group , the Bank of England , Germany and Party X. Ann Bank spoke ."
    )

    found = [span_of(text, place, "LOC", 0.75) for place in ("U.S.", "England", "Germany")]
    found.append(span_of(text, "Ann Bank", "PER", 0.75))
    tidy = org_head_runs(text, Tokens.of(text), found, heads)
    assert [(text[a:b], kind, c) for a, b, kind, c in tidy] == [
        ("U.S. Environmental Protection Agency", "ORG", 0.75),  # took the LOC «U.S.»
        ("Labor Party", "ORG", 0.5),
        ("National Bank Group", "ORG", 0.5),  # the longer run of two heads
        ("Bank of England", "ORG", 0.75),
        ("Germany", "LOC", 0.75),
        ("Ann Bank", "PER", 0.75),  # a person stays a person
    ]


def test_subdivision_names_are_cleaned_of_iso_qualifiers() -> None:
    from training.ner.build_gazetteer import fold_beyond_latin1, subdivision_forms

    assert subdivision_forms("Catalunya [Cataluña]") == ["Catalunya", "Cataluña"]
    assert subdivision_forms("Madrid, Comunidad de") == ["Madrid"]
    assert subdivision_forms("Ilocos (Region I)") == ["Ilocos"]
    assert subdivision_forms("Stockholms län [SE-01]") == ["Stockholms län"]
    assert subdivision_forms("Xinjiang Uygur Zizhiqu") == ["Xinjiang"]
    assert subdivision_forms("Fribourg / Freiburg") == ["Fribourg", "Freiburg"]
    assert subdivision_forms("wallonne, Région") == []
    assert fold_beyond_latin1("Gujarāt") == "Gujarat"
    assert fold_beyond_latin1("Baden-Württemberg") == "Baden-Württemberg"


def test_russian_nominative_keys_vary_only_a_cyrillic_last_word() -> None:
    from agents.ner.text import lookup_key, russian_nominative_keys

    assert "москва" in russian_nominative_keys("москвы")
    key = lookup_key("Нью-Йорка", "cased")  # the hyphen is a token of its own
    assert lookup_key("Нью-Йорк", "cased") in russian_nominative_keys(key)
    assert "северная корея" in russian_nominative_keys("северная кореи")
    assert russian_nominative_keys("paris") == []
    assert russian_nominative_keys("рим") == []  # too short to strip an ending safely


def test_the_article_goes_except_in_the_netherlands() -> None:
    text = "the United States and the Netherlands and the UN"
    spans = [(0, 17, "LOC", 0.9), (22, 37, "LOC", 0.9), (42, 48, "ORG", 0.9)]
    assert [text[a:b] for a, b, _, _ in strip_leading_article(text, spans)] == [
        "United States",
        "the Netherlands",
        "UN",
    ]
