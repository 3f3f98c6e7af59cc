"""The language-ID engine: honesty rules, key languages, code mapping (sentences written here)."""

import pytest

from agents.langid import LanguageGuess, LanguageIdentifier, to_bcp47


@pytest.mark.parametrize(
    "text", ["", "   \n\t", "12345 678", "?!... ---", "😀😂🎉", "👍🏽🔥 !!", "2026-11-25"]
)
def test_no_letters_is_und_zero(identifier: LanguageIdentifier, text: str) -> None:
    assert identifier.detect(text) == LanguageGuess("und", 0.0, "rule:no-letters")


@pytest.mark.parametrize(
    "text",
    [
        "ana bahebak ya habibi",
        "ana ba7ebak ya 7abibi, enta fein?",
        "wallah ma3ak 7a2",
        "yalla habibi",
        "shukran ya akhi, allah yebarek fik",
    ],
)
def test_transliterated_arabic_is_not_a_confident_guess(
    identifier: LanguageIdentifier, text: str
) -> None:
    guess = identifier.detect(text)
    assert guess.code == "und" and guess.confidence == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "mujhe yeh khabar bilkul pasand nahi aayi",
        "aap log kya kar rahe ho, sarkar ko sharam aani chahiye",
        "yeh neta hamesha jhooth bolte hain",
        "kya bakwas hai yeh",
    ],
)
def test_romanized_hindi_is_hindi(identifier: LanguageIdentifier, text: str) -> None:
    guess = identifier.detect(text)
    assert (guess.code, guess.detector) == ("hi", "rule:hindi-latin")
    assert 0.3 <= guess.confidence <= 1.0


@pytest.mark.parametrize(
    "text, code",
    [
        ("Non hai mai visto una cosa simile in vita tua", "it"),
        ("Hun har aldrig været i Indien, men hun vil gerne rejse dertil", "da"),
        ("The main road to the port was closed for hours on Monday", "en"),
        ("Pata de cabra y una mesa para la cocina, por favor", "es"),
    ],
)
def test_hindi_function_words_in_other_languages_do_not_fire(
    identifier: LanguageIdentifier, text: str, code: str
) -> None:
    assert identifier.detect(text).code == code


@pytest.mark.parametrize("text", ["ok", "lol", "Danke", "etc)."])
def test_very_short_text_is_never_confident(identifier: LanguageIdentifier, text: str) -> None:
    guess = identifier.detect(text)
    assert guess.code == "und" or guess.confidence < 0.5


def test_mixed_sentence_is_not_overconfident(identifier: LanguageIdentifier) -> None:
    guess = identifier.detect("This is great, c'est magnifique, das ist toll")
    assert guess.confidence < 0.8


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("قال التحالف الدولي لمحاربة داعش إن التنظيم أعلن حالة الطوارئ في محافظة الرقة.", "ar"),
        ("The government announced new measures to support small businesses on Tuesday.", "en"),
        (
            "Le gouvernement a annoncé mardi de nouvelles mesures pour soutenir les entreprises.",
            "fr",
        ),
        ("El gobierno anunció el martes nuevas medidas para apoyar a las pequeñas empresas.", "es"),
        (
            "Die Regierung kündigte am Dienstag neue Maßnahmen zur Unterstützung "
            "kleiner Firmen an.",
            "de",
        ),
        ("Правительство во вторник объявило о новых мерах поддержки малого бизнеса.", "ru"),
        ("政府周二宣布了支持小企业的新措施，包括减税和低息贷款。", "zh"),
        ("Hükümet salı günü küçük işletmeleri desteklemek için yeni önlemler açıkladı.", "tr"),
        ("دولت روز سه‌شنبه اقدامات جدیدی برای حمایت از کسب‌وکارهای کوچک اعلام کرد.", "fa"),
        ("حکومت نے منگل کو چھوٹے کاروباروں کی مدد کے لیے نئے اقدامات کا اعلان کیا۔", "ur"),
    ],
)
def test_key_languages(identifier: LanguageIdentifier, text: str, code: str) -> None:
    guess = identifier.detect(text)
    assert guess.code == code
    assert guess.confidence >= 0.5
    assert guess.detector


def test_batch_matches_single(identifier: LanguageIdentifier) -> None:
    texts = ["Die Regierung kündigte neue Maßnahmen an.", "", "Правительство объявило меры."]
    assert identifier.detect_batch(texts) == [identifier.detect(t) for t in texts]


def test_mixed_languages_flags_multilingual_article(identifier: LanguageIdentifier) -> None:
    paragraphs = [
        "The government announced new measures to support small businesses on Tuesday, "
        "including tax cuts and cheap loans.",
        "قال المتحدث باسم الحكومة إن الإجراءات الجديدة ستدخل حيز التنفيذ "
        "الأسبوع المقبل في جميع المحافظات.",
        "😂😂",
        "ok",
    ]
    assert sorted(identifier.mixed_languages(paragraphs)) == ["ar", "en"]
    assert identifier.mixed_languages(paragraphs[:1] * 3) == ["en"]


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("__label__zh", "zh"),
        ("zh-Hant", "zh"),
        ("zh-cn", "zh"),
        ("zh_TW", "zh"),
        ("zh-Hans", "zh"),
        ("no", "nb"),
        ("un", "und"),
        ("hi-Latn", "hi"),
        ("iw", "he"),
        ("__label__en", "en"),
    ],
)
def test_code_mapping_is_explicit(label: str, code: str) -> None:
    assert to_bcp47(label) == code
