"""The moderation engine on its own: normalisation, word lists, routing, decisions, reasons.
(Ported from the research component's tests; the stage itself is in test_moderation.py.)"""

import socket

import pytest

from agents.moderation_engine import CommentModerator, Verdict, primary_language
from agents.moderation_engine.textnorm import normalise
from schemas import MODERATION_ATTRIBUTES


def one(moderator: CommentModerator, text: str, lang: str) -> Verdict:
    (verdict,) = moderator.moderate_batch([(text, lang)])
    return verdict


def flagged(verdict: Verdict) -> bool:
    return verdict.decision in {"review", "reject"}


def test_loads_and_moderates_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_socket(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_socket)
    moderator = CommentModerator()
    assert one(moderator, "Thanks for the article.", "en").decision == "approve"


def test_verdict_shape_and_creator(moderator: CommentModerator) -> None:
    verdict = one(moderator, "Thanks for the article.", "en")
    assert set(verdict.scores) == set(MODERATION_ATTRIBUTES)
    assert verdict.scores["threat"] is None  # no English threat data: only the list judges it
    assert verdict.reasons and all(isinstance(r, str) for r in verdict.reasons)
    assert verdict.creator.startswith("wirestream.moderation.linear-en+lexicon-en@")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Este artículo es muy interesante, gracias.", "es"),
        ("Merci pour cet article très clair.", "fr"),
        ("Danke für den informativen Artikel!", "de"),
        ("Thanks for the balanced report, very informative.", "en"),
        ("Grazie per l'articolo.", "it"),
        ("谢谢这篇文章。", "zh"),
        ("الحمد لله على سلامة الجميع", "ar"),
        ("خبر جميل، نتمنى أن ينعكس ذلك على فرص العمل للشباب.", "ar"),
    ],
)
def test_clean_comments_are_approved(moderator: CommentModerator, text: str, lang: str) -> None:
    verdict = one(moderator, text, lang)
    assert verdict.decision == "approve", (text, verdict.scores, verdict.reasons)
    assert verdict.reasons[0].startswith("no attribute reaches review threshold 0.50")


def test_articulo_does_not_match_culo(moderator: CommentModerator) -> None:
    verdict = one(moderator, "Buen artículo", "es")
    assert verdict.scores["profanity"] == 0.0
    assert not any("culo" in r for r in verdict.reasons)
    assert flagged(one(moderator, "Eres un culo", "es"))


def test_arabic_normalisation() -> None:
    assert normalise("كلاااااب أهل النار") == "كلاب اهل النار"  # elongation, hamza
    assert normalise("كـــلاب") == "كلاب"  # tatweel
    assert normalise("الكَفَرَة") == "الكفره"  # diacritics, ta marbuta
    assert normalise("إلى مدرسةٍ") == "الي مدرسه"  # alef variants, alef maqsura
    assert normalise("fuuuuuck") == "fuuck"


def test_elongated_arabic_insult_is_flagged(moderator: CommentModerator) -> None:
    verdict = one(moderator, "انتم كلاااااب أهل النار", "ar")
    assert flagged(verdict)
    assert (verdict.scores["insult"] or 0.0) >= moderator.review_threshold
    assert any("كلاب" in r for r in verdict.reasons)


def test_leetspeak_and_spaced_letters(moderator: CommentModerator) -> None:
    assert normalise("sh1t h4te") == "shit hate"
    assert normalise("f u c k you") == "fuck you"
    assert normalise("you are a f.u.c.k.i.n.g idi0t") == "you are a fucking idiot"
    verdict = one(moderator, "you are a f u c k i n g idi0t", "en")
    assert flagged(verdict)
    assert (verdict.scores["profanity"] or 0.0) >= 0.5 and (verdict.scores["insult"] or 0.0) >= 0.5


def test_numbers_are_not_leetspeak() -> None:
    assert normalise("In 2014, 3 people") == "in 2014, 3 people"


@pytest.mark.parametrize(
    ("threat", "quoted_or_condemned", "lang"),
    [
        ("I will kill you", 'He wrote "I will kill you" and that is unacceptable', "en"),
        ("سنذبحكم", "ندين بشدة من يقول سنذبحكم", "ar"),
        ("je vais te tuer", "« je vais te tuer » : je condamne ces menaces", "fr"),
    ],
)
def test_quoting_or_condemning_a_threat_is_not_a_threat(
    moderator: CommentModerator, threat: str, quoted_or_condemned: str, lang: str
) -> None:
    direct = one(moderator, threat, lang)
    reported = one(moderator, quoted_or_condemned, lang)
    assert (direct.scores["threat"] or 0.0) >= moderator.review_threshold
    assert (reported.scores["threat"] or 0.0) < moderator.review_threshold
    assert any("discounted" in r for r in reported.reasons)


@pytest.mark.parametrize(
    ("hateful", "reported", "lang"),
    [
        ("اليهود كلاب وحثاله", "لما تقول ان اليهود كلاب وحثاله دا عيب عليك", "ar"),
        ("Muslims are vermin", "You said that Muslims are vermin. Shame on you.", "en"),
    ],
)
def test_reported_or_condemned_hate_is_not_hate(
    moderator: CommentModerator, hateful: str, reported: str, lang: str
) -> None:
    """The guard reaches the model's scores too, not only the word lists."""
    assert flagged(one(moderator, hateful, lang))
    verdict = one(moderator, reported, lang)
    assert verdict.decision == "approve", verdict
    assert any(r.startswith("model scores halved: counter-speech") for r in verdict.reasons)


def test_accented_condemnation_cue_counts(moderator: CommentModerator) -> None:
    """Cues are stored normalised: "arrêtez de dire" must match after accents are stripped."""
    verdict = one(moderator, "Arrêtez de dire « sale arabe », c'est honteux.", "fr")
    assert any("discounted" in r for r in verdict.reasons)


def test_unsupported_language_is_review_with_null_scores(moderator: CommentModerator) -> None:
    verdict = one(moderator, "Это хорошая статья", "ru")
    assert verdict.decision == "review"
    assert set(verdict.scores.values()) == {None}
    assert verdict.reasons == ["unsupported language: ru"]
    assert not moderator.supported("ru")
    assert moderator.supported("ar-EG") and moderator.supported("zh-Hant-TW")


def test_script_mismatch_is_unsupported(moderator: CommentModerator) -> None:
    verdict = one(moderator, "यह बहुत अच्छा लेख है", "hi")  # the hi model knows romanised Hindi
    assert verdict.decision == "review" and set(verdict.scores.values()) == {None}
    assert "devanagari" in verdict.reasons[0]


def test_undetermined_language_is_routed_by_script(moderator: CommentModerator) -> None:
    arabic = one(moderator, "كلاب أهل النار", "und")
    assert "linear-ar" in arabic.creator and flagged(arabic)
    latin = one(moderator, "hello there", "und")
    assert latin.decision == "review" and "undetermined" in latin.reasons[0]


def test_no_letters_is_approved_with_a_reason(moderator: CommentModerator) -> None:
    verdict = one(moderator, "👍👍 100%", "und")
    assert verdict.decision == "approve" and verdict.reasons


def test_profanity_alone_is_review_at_most(moderator: CommentModerator) -> None:
    verdict = one(moderator, "Holy shit, what a goal!", "en")
    assert (verdict.scores["profanity"] or 0.0) >= 0.5
    assert verdict.decision == "review"


def test_thresholds_decide() -> None:
    strict = CommentModerator(review_threshold=0.05, reject_threshold=0.06)
    assert one(strict, "Thanks for the article.", "en").decision == "reject"
    lenient = CommentModerator(review_threshold=0.99, reject_threshold=1.0)
    assert one(lenient, "كلاب حرامية كلكم، الله يلعنكم يا خونة", "ar").decision == "approve"
    with pytest.raises(ValueError):
        CommentModerator(review_threshold=0.9, reject_threshold=0.5)


def test_batch_keeps_order_across_languages(moderator: CommentModerator) -> None:
    items = [("Merci", "fr"), ("كلاب أهل النار", "ar"), ("Danke", "de"), ("Это", "ru")]
    verdicts = moderator.moderate_batch(items)
    assert [v.creator.split("@")[0].rsplit(".", 1)[-1] for v in verdicts] == [
        "linear-fr+lexicon-fr",
        "linear-ar+lexicon-ar",
        "linear-de+lexicon-de",
        "none",
    ]
    assert moderator.moderate_batch(items[1:2]) == verdicts[1:2]
    assert moderator.moderate_batch([]) == []


def test_primary_language() -> None:
    assert primary_language("ar-EG") == "ar" and primary_language("en_US") == "en"
    assert primary_language("arz") == "ar" and primary_language("") == "und"
