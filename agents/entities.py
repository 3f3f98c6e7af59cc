"""Stage 3, entities: PER/ORG/LOC with character offsets into `body`, routed by the detected
language (agents/ner/). A language the tagger does not support gets an empty list."""

from collections.abc import Sequence

from agents.ner import EntityTagger
from agents.stage import Stage
from pipeline.codec import load_record
from pipeline.metrics import Metrics
from pipeline.settings import Settings
from schemas import Article, Entity


def tag_entities(tagger: EntityTagger, articles: Sequence[Article]) -> list[Article]:
    """The pure entity function: the whole batch goes to the tagger at once, which groups the
    bodies by detected language and decodes each group as one batch."""
    items = [(a.body, a.language.code if a.language else "und") for a in articles]
    tagged = []
    for article, matches in zip(articles, tagger.tag_batch(items), strict=True):
        entities = [
            Entity(
                text=m.text,
                type=m.type,
                start=m.start,
                end=m.end,
                confidence=m.confidence,
                canonical=m.canonical,
                creator=m.creator,
            )
            for m in matches
        ]
        tagged.append(article.model_copy(update={"entities": entities}))
    return tagged


def _load(settings: Settings) -> EntityTagger:
    return EntityTagger()


def _decode(payload: bytes) -> Article:
    return load_record(payload, Article)


def _observe(metrics: Metrics, article: Article) -> None:
    for entity in article.entities or ():
        metrics.entities.labels(entity.type).inc()


STAGE: Stage[EntityTagger, Article] = Stage(
    name="entities",
    source="articles.lang",
    sink="articles.tagged",
    load=_load,
    decode=_decode,
    run=tag_entities,
    observe=_observe,
)
