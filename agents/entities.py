"""Stage 3, entities: PER/ORG/LOC with character offsets into `body`, routed by the detected
language (agents/ner/). A language the tagger does not support gets no model entities, only the
dateline's place when the parse stage found one («PARIS, 24 nov (AFP) -»)."""

import re
from collections.abc import Sequence

from agents.ner import VERSION, EntityTagger, Mention
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
    for article, found in zip(articles, tagger.tag_batch(items), strict=True):
        matches = with_dateline_place(tagger, article.body, article.dateline, found)
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


DATELINE_CREATOR = f"dateline@{VERSION}"
DATELINE_REACH = 80  # characters: a dateline opens the body («新华社北京11月24日电» included)


def with_dateline_place(
    tagger: EntityTagger, body: str, dateline: str | None, mentions: list[Mention]
) -> list[Mention]:
    """The place of the dateline the parse stage read («FELIXSTOWE —», «PARIS, 24 nov (AFP)»)
    is a LOC where it opens the body, whatever the model said: the model misses datelines in
    capitals or reads them as acronyms (ORG), and has no model at all for French or Turkish
    copy. Only a known place or a place in capitals (the wire convention) counts: the parse
    stage also takes «Дональд Трамп — …» or «إعداد - …» for a dateline. A mention that covers
    more than the place («新华社北京») is left as it is."""
    if not dateline or not dateline.strip():
        return mentions
    found = re.search(re.escape(dateline.strip()), body[:DATELINE_REACH], re.IGNORECASE)
    if found is None:
        return mentions
    start, end = found.span()
    overlapping = [m for m in mentions if m.start < end and start < m.end]
    if any((m.start, m.end) != (start, end) for m in overlapping):
        return mentions
    if [(m.start, m.end, m.type) for m in overlapping] == [(start, end, "LOC")]:
        return mentions
    surface = body[start:end]
    known = tagger.names.known_canonical(surface, "LOC")
    in_capitals = len(surface) >= 3 and surface.isupper()  # caseless scripts: never
    if known is None and (not in_capitals or tagger.names.known_canonical(surface, "ORG")):
        return mentions
    canonical = known or surface.title()
    # the model's own span keeps its confidence and component, and becomes a LOC
    confidence, creator = (
        (overlapping[0].confidence, overlapping[0].creator)
        if overlapping
        else (1.0, DATELINE_CREATOR)
    )
    place = Mention(surface, "LOC", start, end, confidence, canonical, creator)
    kept = [m for m in mentions if m not in overlapping]
    return tagger.names.read_homographs(sorted([*kept, place], key=lambda m: (m.start, m.end)))


def _load(settings: Settings) -> EntityTagger:
    return EntityTagger(keep_proclitics=not settings.ner_arabic_bare_names)


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
