import orjson
import pytest

from agents.langid import LanguageIdentifier
from agents.language import identify_languages
from agents.moderation import flagged_comments, moderate_comments
from agents.toxicity import CommentModerator
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
    assert any("identity_attack" in r or "insult" in r for r in comment.moderation.reasons)
    assert set(comment.moderation.scores) == {
        "toxicity",
        "insult",
        "threat",
        "identity_attack",
        "profanity",
    }


def test_article_body_is_never_moderated(
    moderator: CommentModerator, identifier: LanguageIdentifier, seed_bytes: bytes
) -> None:
    """A war report is not a toxic comment: only comments are scored."""
    article = parse(seed_bytes)
    as_comment_free = article.model_copy(update={"comments": []})
    (result,) = moderate_comments(moderator, [as_comment_free])
    assert result.body == article.body and result.comments == []


@pytest.mark.parametrize(
    ("text", "lang", "decision"),
    [
        ("خبر جميل، نتمنى أن ينعكس ذلك على فرص العمل للشباب.", "ar", "approve"),
        ("كلاب حرامية كلكم، الله يلعنكم يا خونة", "ar", "reject"),
        ("Good reporting, thank you for the update.", "en", "approve"),
        ("You are a fucking idiot.", "en", "reject"),
    ],
)
def test_supported_languages(
    moderator: CommentModerator, text: str, lang: str, decision: str
) -> None:
    (verdict,) = moderator.moderate_batch([(text, lang)])
    assert verdict.decision == decision


def test_unsupported_language_is_never_a_silent_approve(moderator: CommentModerator) -> None:
    (verdict,) = moderator.moderate_batch([("Hyvä artikkeli, kiitos.", "fi")])
    assert verdict.decision == "review"
    assert set(verdict.scores.values()) == {None}
    assert verdict.reasons == ["unsupported language: fi"]


def test_flagged_comments_are_side_outputs(
    moderator: CommentModerator, identifier: LanguageIdentifier
) -> None:
    raw = {
        "id": "a1",
        "headline": "Markets",
        "body": "Stocks rose on Monday in New York.",
        "comments": [{"text": "Nice summary, thanks."}, {"text": "Shut up you stupid bitch."}],
    }
    article = moderated(moderator, identifier, orjson.dumps(raw))
    outputs = flagged_comments(article)
    assert len(outputs) == 1
    topic, key, record = outputs[0]
    assert (topic, key) == ("comments.flagged", "a1")
    assert isinstance(record, FlaggedComment)
    assert record.comment.text == "Shut up you stupid bitch."
    assert record.headline == "Markets" and record.article_language == "en"
    # The rejected comment stays in the enriched record, marked, never deleted.
    assert [c.moderation.decision for c in article.comments if c.moderation] == [
        "approve",
        "reject",
    ]
