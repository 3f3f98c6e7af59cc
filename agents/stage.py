"""What every stage declares, and the batch runner shared by the Faust agents and `enrich`.

A stage is a pure batch function `run(model, items) -> articles` plus the topics it reads and
writes. The runner isolates failures: if a batch raises, each item is retried alone, so one
poisoned record is dead-lettered and its neighbours still go through. `run_chain` runs several
stages back to back: one stage per agent (the chain topology), all four in one agent (fused), or
all four without a broker (`wirestream enrich`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel

from pipeline.metrics import Metrics
from pipeline.settings import Settings
from schemas import Article

Model = TypeVar("Model")
Item = TypeVar("Item")

# (logical topic, key, record) published beside the stage's main output.
SideOutput = tuple[str, str, BaseModel]


def _no_side_outputs(article: Article) -> list[SideOutput]:
    return []


def _no_observation(metrics: Metrics, article: Article) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Stage(Generic[Model, Item]):
    name: str
    source: str
    sink: str
    load: Callable[[Settings], Model]
    decode: Callable[[bytes], Item]
    run: Callable[[Model, Sequence[Item]], list[Article]]
    side_outputs: Callable[[Article], list[SideOutput]] = field(default=_no_side_outputs)
    observe: Callable[[Metrics, Article], None] = field(default=_no_observation)


def now() -> datetime:
    return datetime.now(UTC)


def process_batch(
    stage: "Stage[Model, Item]", model: Model, items: Sequence[Item]
) -> list[Article | Exception]:
    """Run the stage on `items`; one result per item, in order: the article or its error."""
    results: list[Article | Exception]
    try:
        results = list(stage.run(model, items))
        if len(results) != len(items):
            raise RuntimeError(f"{stage.name} returned {len(results)} for {len(items)} items")
    except Exception:
        results = [_run_one(stage, model, item) for item in items]
    stamp = now()
    for result in results:
        if isinstance(result, Article):
            result.processed_at[stage.name] = stamp
    return results


def _run_one(stage: "Stage[Model, Item]", model: Model, item: Item) -> Article | Exception:
    try:
        (article,) = stage.run(model, [item])
    except Exception as error:  # dead-lettered by the caller, never raised into the worker
        return error
    return article


AnyStage = Stage[Any, Any]


@dataclass(frozen=True, slots=True)
class StageFailure:
    """An item that failed, and in which stage."""

    stage: str
    error: Exception


@dataclass(slots=True)
class StageStats:
    stage: str
    items_in: int = 0
    ok: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class ChainResult:
    results: list[Article | StageFailure]  # one per payload, in order
    stats: list[StageStats]  # one per stage that ran


def run_chain(
    stages: Sequence[AnyStage], models: Sequence[Any], payloads: Sequence[bytes]
) -> ChainResult:
    """Decode `payloads` for the first stage, then run the stages in order; an item that fails
    leaves the chain with the failing stage's name, the others go on."""
    results: list[Article | StageFailure | None] = [None] * len(payloads)
    alive: list[int] = []
    items: list[Any] = []
    for i, payload in enumerate(payloads):
        try:
            items.append(stages[0].decode(payload))
            alive.append(i)
        except Exception as error:  # undecodable input is dead-lettered, not raised
            results[i] = StageFailure(stages[0].name, error)
    stats = []
    for stage, model in zip(stages, models, strict=True):
        stat = StageStats(stage.name, items_in=len(items))
        started = perf_counter()
        outputs = process_batch(stage, model, items) if items else []
        stat.seconds = perf_counter() - started
        items, survivors = [], []
        for i, output in zip(alive, outputs, strict=True):
            if isinstance(output, Exception):
                results[i] = StageFailure(stage.name, output)
            else:
                items.append(output)
                survivors.append(i)
        alive, stat.ok = survivors, len(survivors)
        stats.append(stat)
    stats[0].items_in = len(payloads)  # decoding is the first stage's work: its failures count
    for i, article in zip(alive, items, strict=True):
        results[i] = article
    if any(result is None for result in results):
        raise RuntimeError("run_chain lost an item")  # an invariant, never bad input
    return ChainResult(cast(list[Article | StageFailure], results), stats)
