"""Stage 2, language: body and every comment get `language` {code, confidence, detector}."""

from collections.abc import Sequence

from agents.langid import LanguageGuess, LanguageIdentifier
from agents.stage import Stage
from pipeline.codec import load_record
from pipeline.metrics import Metrics, language_label
from pipeline.settings import Settings
from schemas import Article, LanguageTag


def identify_languages(
    identifier: LanguageIdentifier, articles: Sequence[Article]
) -> list[Article]:
    """The pure language function: one detector call for all texts of the batch."""
    texts: list[str] = []
    for article in articles:
        texts += [article.body, article.headline]
        texts.extend(comment.text for comment in article.comments)
    guesses = iter(identifier.detect_batch(texts))
    tagged = []
    for article in articles:
        body, headline = _tag(next(guesses)), _tag(next(guesses))
        comments = [
            c.model_copy(update={"language": _tag(next(guesses))}) for c in article.comments
        ]
        languages = identifier.mixed_languages(article.paragraphs)
        update = {
            "language": body,
            "headline_language": headline,
            "languages": languages,
            "multilingual": len(languages) > 1,
            "comments": comments,
        }
        tagged.append(article.model_copy(update=update))
    return tagged


def _tag(guess: LanguageGuess) -> LanguageTag:
    return LanguageTag(code=guess.code, confidence=guess.confidence, detector=guess.detector)


def _load(settings: Settings) -> LanguageIdentifier:
    return LanguageIdentifier()


def _decode(payload: bytes) -> Article:
    return load_record(payload, Article)


def _observe(metrics: Metrics, article: Article) -> None:
    code = article.language.code if article.language else "und"
    metrics.articles_by_language.labels(language_label(code)).inc()


STAGE: Stage[LanguageIdentifier, Article] = Stage(
    name="language",
    source="articles.parsed",
    sink="articles.lang",
    load=_load,
    decode=_decode,
    run=identify_languages,
    observe=_observe,
)
