import orjson

from agents.entities import _load, tag_entities, with_dateline_place
from agents.langid import LanguageIdentifier
from agents.language import identify_languages
from agents.ner import EntityTagger, Mention
from pipeline.settings import Settings
from schemas import Article
from tests.conftest import parse

SEED_ENTITIES = {
    ("الرقة", "LOC"),
    ("سوريا", "LOC"),
    ("بغداد", "LOC"),
    ("ستيف وارين", "PER"),
    ("داعش", "ORG"),
    ("التحالف الدولي", "ORG"),
}


def tagged(tagger: EntityTagger, identifier: LanguageIdentifier, payload: bytes) -> Article:
    (article,) = tag_entities(tagger, identify_languages(identifier, [parse(payload)]))
    return article


def tagged_text(tagger: EntityTagger, identifier: LanguageIdentifier, text: str) -> Article:
    """A raw article given as one text (headline, blank line, body), through the stage."""
    return tagged(tagger, identifier, orjson.dumps({"text": text}))


def test_seed_entities_with_exact_offsets(
    tagger: EntityTagger, identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    article = tagged(tagger, identifier, seed_bytes)
    assert article.entities is not None
    found = {(e.text, e.type) for e in article.entities}
    assert found >= SEED_ENTITIES
    for entity in article.entities:
        assert article.body[entity.start : entity.end] == entity.text
        assert 0 < entity.confidence <= 1 and "@" in entity.creator


def test_seed_canonical_names_group_spellings(
    tagger: EntityTagger, identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    article = tagged(tagger, identifier, seed_bytes)
    canonical = {e.text: e.canonical for e in article.entities or []}
    assert canonical["الرقة"] == "Raqqa"
    assert canonical["سوريا"] == "Syria"
    assert canonical["داعش"] == "Islamic State"
    # «وأضاف وارين»: the surname alone is the same person.
    assert {e.canonical for e in article.entities or [] if e.type == "PER"} == {"ستيف وارين"}


CLITIC_BODY = "ويشن التحالف غارات على معاقل التنظيم في العراق وسوريا منذ عامين بحسب مصادر محلية."


def syria_mentions(tagger: EntityTagger, identifier: LanguageIdentifier) -> list[tuple[str, str]]:
    """(text, the character before it) of each mention whose canonical is Syria."""
    payload = orjson.dumps({"headline": "غارات", "body": CLITIC_BODY})
    article = tagged(tagger, identifier, payload)
    syria = [e for e in article.entities or [] if e.canonical == "Syria"]
    return [(e.text, CLITIC_BODY[e.start - 1]) for e in syria]


def test_an_arabic_span_is_the_whole_written_word_as_in_anercorp(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    assert syria_mentions(tagger, identifier) == [("وسوريا", " ")]


def test_the_bare_names_setting_drops_the_attached_conjunction(
    identifier: LanguageIdentifier,
) -> None:
    bare = _load(Settings.from_env({"WIRESTREAM_NER_ARABIC_BARE_NAMES": "true"}))
    assert syria_mentions(bare, identifier) == [("سوريا", "و")]


def test_english_uses_the_statistical_model(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    body = (
        "Prime Minister Shehbaz Sharif visited the flooded Swat valley on Tuesday, "
        "officials of the National Disaster Management Authority said in Islamabad."
    )
    article = tagged(tagger, identifier, orjson.dumps({"headline": "Floods", "body": body}))
    found = {(e.text, e.type) for e in article.entities or []}
    assert ("Shehbaz Sharif", "PER") in found
    assert ("Islamabad", "LOC") in found


def test_undetermined_language_gets_no_entities(tagger: EntityTagger) -> None:
    assert tagger.tag_batch([("Paris Paris Syria", "und")]) == [[]]


def test_unsupported_detected_language_gets_an_empty_list(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    body = (
        "Le président Emmanuel Macron est arrivé à Paris lundi pour rencontrer les "
        "représentants des syndicats, selon l'Élysée."
    )
    article = tagged(tagger, identifier, orjson.dumps({"headline": "Grève", "body": body}))
    assert article.language is not None and article.language.code == "fr"
    assert article.entities == []


def test_one_batch_of_many_languages_keeps_each_article_its_own_entities(
    tagger: EntityTagger, identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    bodies = [
        "Barack Obama visited London on Monday with officials from the United Nations.",
        "Владимир Путин прибыл в Москву в понедельник для переговоров с правительством.",
        "美国总统奥巴马周一抵达北京，与中国领导人举行会谈。",
    ]
    payloads = [orjson.dumps({"headline": b[:20], "body": b}) for b in bodies] + [seed_bytes]
    articles = tag_entities(tagger, identify_languages(identifier, [parse(p) for p in payloads]))
    assert [a.language.code if a.language else None for a in articles] == ["en", "ru", "zh", "ar"]
    for article in articles:
        assert article.entities
        for entity in article.entities:
            assert article.body[entity.start : entity.end] == entity.text


def test_the_dateline_place_is_a_place_even_without_a_model_for_the_language(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    text = (
        "Grève à la SNCF\n\nPARIS, 24 nov (AFP) - Le trafic ferroviaire était très perturbé "
        "mardi, a indiqué la direction de la SNCF, qui prévoit un TGV sur deux."
    )
    article = tagged_text(tagger, identifier, text)
    assert article.language is not None and article.language.code == "fr"
    assert article.dateline == "PARIS"
    (place,) = article.entities or []
    assert (place.text, place.type, place.canonical) == ("PARIS", "LOC", "Paris")
    assert article.body[place.start : place.end] == "PARIS"
    assert place.creator.startswith("dateline@")


def test_a_dateline_the_model_missed_is_added_with_a_readable_canonical(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    text = (
        "Harbour cranes return\n\nFELIXSTOWE — Container ships began docking again at "
        "Britain's busiest freight port on Monday after crane operators voted to accept a "
        "revised pay offer, the Unite union said."
    )
    article = tagged_text(tagger, identifier, text)
    places = {(e.text, e.type, e.canonical) for e in article.entities or []}
    assert ("FELIXSTOWE", "LOC", "Felixstowe") in places
    assert ("Britain", "LOC", "United Kingdom") in places


def test_a_mention_wider_than_the_dateline_is_left_alone(tagger: EntityTagger) -> None:
    body = "新华社北京11月24日电 国家统计局24日发布数据。"
    wide = Mention("新华社北京", "ORG", 0, 5, 0.8, "新华社北京", "crf-zh@1")
    assert with_dateline_place(tagger, body, "北京", [wide]) == [wide]
    assert with_dateline_place(tagger, body, None, [wide]) == [wide]
    assert with_dateline_place(tagger, body, "上海", [wide]) == [wide]  # not in the body


def test_the_dateline_keeps_the_context_reading_of_a_shared_name(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    text = (
        "ارتفاع الصادرات\n\nعمان - أعلنت دائرة الإحصاءات العامة في الأردن، الاثنين، أن "
        "الصادرات غير النفطية ارتفعت بنسبة 12 في المئة خلال الأشهر التسعة الأولى من العام."
    )
    article = tagged_text(tagger, identifier, text)
    assert article.dateline == "عمان"
    places = {e.text: e.canonical for e in article.entities or [] if e.type == "LOC"}
    assert places["عمان"] == "Amman"  # Jordan's capital, not Oman


def test_a_dateline_that_is_no_known_place_and_not_in_capitals_adds_nothing(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    for body in (  # the parse stage reads these openings as datelines
        "Дональд Трамп — напыщенный и высокомерный человек, который думает только о себе.",
        "إعداد - كلاين شميت المانيا متسوبيشي باجيرو في المرحلة الأخيرة من السباق.",
        "NATO — the alliance said on Monday that its ministers would meet in Brussels.",
    ):
        article = tagged(tagger, identifier, orjson.dumps({"headline": "x", "body": body}))
        assert article.dateline, body  # else this test tests nothing
        opening = article.dateline
        assert not any(
            e.type == "LOC" and e.text.casefold() == opening.casefold()
            for e in article.entities or []
        ), body


def test_the_german_agency_seed_names_the_union_and_the_agency(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    """seeds/003_multi.jsonl (dpa): the union's acronym after «Lokführergewerkschaft» is an
    organisation, not the city GeoNames lists as «GDL» (Guadalajara's airport code)."""
    text = (
        "Bahnstreik beendet\n\nBerlin (dpa) - Im Tarifstreit zwischen der Deutschen Bahn und der "
        "Lokführergewerkschaft GDL ist eine Einigung erzielt worden. Das teilten beide Seiten "
        "am Montag in Berlin mit.\n\nFahrgastverbände in Hamburg und München begrüßten die "
        "Einigung."
    )
    article = tagged_text(tagger, identifier, text)
    assert article.language is not None and article.language.code == "de"
    found = {(e.text, e.type, e.canonical) for e in article.entities or []}
    assert ("GDL", "ORG", "GDL") in found
    assert ("dpa", "ORG", "Deutsche Presse-Agentur") in found
    assert {("Berlin", "LOC", "Berlin"), ("München", "LOC", "Munich")} <= found
