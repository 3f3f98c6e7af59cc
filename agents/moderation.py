"""Stage 4, moderation: every comment gets `moderation` {decision, scores, reasons, creator};
flagged ones (review/reject) are also published on `comments.flagged`. Article bodies are never
moderated: a report about violence is not a toxic comment."""

from collections.abc import Sequence

from agents.moderation_engine import CommentModerator
from agents.stage import SideOutput, Stage, now
from pipeline.codec import load_record
from pipeline.metrics import Metrics, language_label
from pipeline.settings import Settings
from schemas import Article, EnrichedComment, FlaggedComment, Moderation


def moderate_comments(moderator: CommentModerator, articles: Sequence[Article]) -> list[Article]:
    """The pure moderation function: all comments of the batch in one call."""
    items = [
        (comment.text, comment.language.code if comment.language else "und")
        for article in articles
        for comment in article.comments
    ]
    verdicts = iter(moderator.moderate_batch(items))
    moderated = []
    for article in articles:
        comments = []
        for comment in article.comments:
            v = next(verdicts)
            moderation = Moderation(
                decision=v.decision,
                scores=v.scores,
                reasons=v.reasons,
                creator=v.creator,
            )
            comments.append(comment.model_copy(update={"moderation": moderation}))
        moderated.append(article.model_copy(update={"comments": comments}))
    return moderated


def flagged_comments(article: Article) -> list[SideOutput]:
    """Comments a moderator must see, keyed by article id like everything else."""
    flagged_at = now()
    return [
        (
            "comments.flagged",
            article.id,
            FlaggedComment(
                article_id=article.id,
                article_version=article.version,
                headline=article.headline,
                article_language=article.language.code if article.language else "und",
                comment=EnrichedComment.model_validate(comment.model_dump()),
                flagged_at=flagged_at,
            ),
        )
        for comment in article.comments
        if comment.moderation and comment.moderation.decision != "approve"
    ]


def _load(settings: Settings) -> CommentModerator:
    return CommentModerator(
        settings.moderation_review_threshold, settings.moderation_reject_threshold
    )


def _decode(payload: bytes) -> Article:
    return load_record(payload, Article)


def _observe(metrics: Metrics, article: Article) -> None:
    for comment in article.comments:
        if comment.moderation:
            language = comment.language.code if comment.language else "und"
            metrics.comments.labels(comment.moderation.decision, language_label(language)).inc()
    metrics.enrich_latency.observe((now() - article.ingested_at).total_seconds())


STAGE: Stage[CommentModerator, Article] = Stage(
    name="moderation",
    source="articles.tagged",
    sink="articles.enriched",
    load=_load,
    decode=_decode,
    run=moderate_comments,
    side_outputs=flagged_comments,
    observe=_observe,
)
