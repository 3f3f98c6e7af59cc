"""What every stage declares, and the batch runner shared by the Faust agents and `enrich`.

A stage is a pure batch function `run(model, items) -> articles` plus the topics it reads and
writes. The runner isolates failures: if a batch raises, each item is retried alone, so one
poisoned record is dead-lettered and its neighbours still go through.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

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
