"""Stage 2, language: body and every comment get `language` {code, confidence, detector}."""

from collections.abc import Sequence
from typing import cast

from agents.langid import LanguageGuess, LanguageIdentifier, confident_languages
from agents.stage import Stage
from pipeline.codec import load_record
from pipeline.metrics import Metrics, language_label
from pipeline.settings import Settings
from schemas import Article, LanguageTag


def identify_languages(
    identifier: LanguageIdentifier, articles: Sequence[Article]
) -> list[Article]:
    """The pure language function: one detector call for the distinct texts of the batch (a
    one-paragraph body, a headline repeating it, a comment posted twice are detected once)."""
    texts: dict[str, LanguageGuess | None] = {}
    for article in articles:
        for text in (article.body, article.headline, *article.paragraphs):
            texts[text] = None
        texts.update((comment.text, None) for comment in article.comments)
    texts.update(zip(texts, identifier.detect_batch(list(texts)), strict=True))
    guess = cast(dict[str, LanguageGuess], texts)
    tagged = []
    for article in articles:
        comments = [
            c.model_copy(update={"language": _tag(guess[c.text])}) for c in article.comments
        ]
        languages = confident_languages(article.paragraphs, [guess[p] for p in article.paragraphs])
        update = {
            "language": _tag(guess[article.body]),
            "headline_language": _tag(guess[article.headline]),
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
