import orjson
import pytest

from agents.langid import LanguageIdentifier
from agents.language import identify_languages
from agents.moderation import STAGE, flagged_comments, moderate_comments
from agents.moderation_engine import CommentModerator
from pipeline.settings import Settings
from schemas import Article, FlaggedComment
from tests.conftest import parse


def moderated(
    moderator: CommentModerator, identifier: LanguageIdentifier, payload: bytes
) -> Article:
    (article,) = moderate_comments(moderator, identify_languages(identifier, [parse(payload)]))
    return article


def test_seed_comment_is_flagged_with_reasons(
    moderator: CommentModerator, identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    article = moderated(moderator, identifier, seed_bytes)
    (comment,) = article.comments
    assert comment.moderation is not None
    assert comment.moderation.decision in {"review", "reject"}
    reasons = " ".join(comment.moderation.reasons)
    assert "identity_attack" in reasons and "insult" in reasons
    assert "كلاب" in reasons  # names the words, not only the attribute
    assert set(comment.moderation.scores) == {
        "toxicity",
        "insult",
        "threat",
        "identity_attack",
        "profanity",
    }
    assert comment.moderation.creator.startswith("wirestream.moderation.linear-ar+lexicon-ar@")


def test_article_body_is_never_moderated(
    moderator: CommentModerator, identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    """A war report is not a toxic comment: only comments are scored, and the seed's body (about
    ISIS, an attack, the enemy) would not even be flagged if someone posted it as a comment."""
    article = identify_languages(identifier, [parse(seed_bytes)])[0]
    (result,) = moderate_comments(moderator, [article.model_copy(update={"comments": []})])
    assert result.body == article.body and result.comments == []
    assert flagged_comments(result) == []
    (as_comment,) = moderator.moderate_batch([(article.body, "ar")])
    assert as_comment.decision == "approve", as_comment.reasons


@pytest.mark.parametrize(
    ("text", "lang", "decisions"),
    [
        ("خبر جميل، نتمنى أن ينعكس ذلك على فرص العمل للشباب.", "ar", {"approve"}),
        ("كلاب حرامية كلكم، الله يلعنكم يا خونة", "ar", {"review", "reject"}),
        ("يا كلاب يا خنازير الله يلعنكم", "ar", {"reject"}),
        ("Good reporting, thank you for the update.", "en", {"approve"}),
        ("You are a fucking idiot.", "en", {"review", "reject"}),
    ],
)
def test_supported_languages(
    moderator: CommentModerator, text: str, lang: str, decisions: set[str]
) -> None:
    (verdict,) = moderator.moderate_batch([(text, lang)])
    assert verdict.decision in decisions, verdict


def test_unsupported_language_is_never_a_silent_approve(moderator: CommentModerator) -> None:
    (verdict,) = moderator.moderate_batch([("Hyvä artikkeli, kiitos.", "fi")])
    assert verdict.decision == "review"
    assert set(verdict.scores.values()) == {None}
    assert verdict.reasons == ["unsupported language: fi"]


def test_thresholds_come_from_settings() -> None:
    default = STAGE.load(Settings())
    assert (default.review_threshold, default.reject_threshold) == (0.5, 0.8)
    env = {
        "WIRESTREAM_MODERATION_REVIEW_THRESHOLD": "0.3",
        "WIRESTREAM_MODERATION_REJECT_THRESHOLD": "0.74",
    }
    strict = STAGE.load(Settings.from_env(env))
    assert (strict.review_threshold, strict.reject_threshold) == (0.3, 0.74)
    text = "You are a fucking idiot."  # insult 0.75 from the word list: review at 0.8, reject here
    assert default.moderate_batch([(text, "en")])[0].decision == "review"
    assert strict.moderate_batch([(text, "en")])[0].decision == "reject"


def test_flagged_comments_are_side_outputs(
    moderator: CommentModerator, identifier: LanguageIdentifier
) -> None:
    rejected = "يا كلاب يا خنازير الله يلعنكم"
    raw = {
        "id": "a1",
        "headline": "Markets",
        "body": "Stocks rose on Monday in New York.",
        "comments": [
            {"text": "Nice summary, thanks."},
            {"text": "Shut up you stupid bitch."},
            {"text": rejected},
        ],
    }
    article = moderated(moderator, identifier, orjson.dumps(raw))
    outputs = flagged_comments(article)
    assert [(topic, key) for topic, key, _ in outputs] == [("comments.flagged", "a1")] * 2
    first = outputs[0][2]
    assert isinstance(first, FlaggedComment)
    assert first.comment.text == "Shut up you stupid bitch."
    assert first.headline == "Markets" and first.article_language == "en"
    # Flagged comments stay in the enriched record, marked, never deleted.
    assert [c.moderation.decision for c in article.comments if c.moderation] == [
        "approve",
        "review",
        "reject",
    ]
    assert article.comments[2].text == rejected
