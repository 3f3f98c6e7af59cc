import orjson

from agents.langid import LanguageIdentifier
from agents.language import identify_languages
from tests.conftest import SEEDS, parse


def test_seed_body_and_comment_are_arabic(
    identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    (article,) = identify_languages(identifier, [parse(seed_bytes)])
    assert article.language is not None and article.language.code == "ar"
    assert article.language.confidence > 0.9
    assert article.language.detector.startswith("fasttext-lid176@")
    assert [c.language.code for c in article.comments if c.language] == ["ar"]


def test_each_comment_gets_its_own_language(identifier: LanguageIdentifier) -> None:
    payload = (SEEDS / "001_en_floods.txt").read_bytes()
    (article,) = identify_languages(identifier, [parse(payload)])
    assert article.language is not None and article.language.code == "en"
    assert len(article.comments) == 3
    assert all(c.language is not None and c.language.code == "en" for c in article.comments)


def test_headline_language_and_multilingual_flag(identifier: LanguageIdentifier) -> None:
    body = (
        "The summit in Brussels ended late on Friday with a joint statement on trade.\n\n"
        "Les dirigeants européens se sont mis d'accord sur un calendrier commun pour 2027.\n\n"
        "Officials said the details would be published next week."
    )
    raw = {"headline": "Le sommet de Bruxelles s'achève sur un accord", "body": body}
    (article,) = identify_languages(identifier, [parse(orjson.dumps(raw))])
    assert article.headline_language is not None and article.headline_language.code == "fr"
    assert article.languages == ["en", "fr"]
    assert article.multilingual


def test_single_language_article_is_not_multilingual(
    identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    (article,) = identify_languages(identifier, [parse(seed_bytes)])
    assert article.languages == ["ar"] and not article.multilingual
