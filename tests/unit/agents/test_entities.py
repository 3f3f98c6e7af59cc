import orjson

from agents.entities import tag_entities
from agents.langid import LanguageIdentifier
from agents.language import identify_languages
from agents.ner import EntityTagger
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


def test_clitic_prefix_is_not_part_of_the_entity(
    tagger: EntityTagger, identifier: LanguageIdentifier
) -> None:
    body = "ويشن التحالف غارات على معاقل التنظيم في العراق وسوريا منذ عامين بحسب مصادر محلية."
    article = tagged(tagger, identifier, orjson.dumps({"headline": "غارات", "body": body}))
    syria = [e for e in article.entities or [] if e.canonical == "Syria"]
    assert [(e.text, body[e.start - 1]) for e in syria] == [("سوريا", "و")]


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
