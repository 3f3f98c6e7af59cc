"""`wirestream enrich`: the whole chain in one process, no broker. Raw-article JSON lines in,
enriched JSON lines out, through exactly the stage functions the agents run. Also the backfill
mode and the in-process speed limit the broker topology is measured against."""

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO, TextIO

from tqdm import tqdm

from agents import STAGES
from agents.stage import StageFailure, run_chain
from pipeline.codec import dumps
from pipeline.deadletter import dead_letter
from pipeline.settings import Settings
from schemas import Article, DeadLetter

STDIN = "stdin"


@dataclass(slots=True)
class BatchResult:
    enriched: list[Article] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


class InProcessPipeline:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.models = [stage.load(settings) for stage in STAGES]

    def run(self, payloads: Sequence[bytes], first_offset: int = 0) -> BatchResult:
        """Enrich one batch. Offsets are record numbers, so a dead letter points at its line."""
        result = BatchResult()
        chain = run_chain(STAGES, self.models, payloads)
        for offset, (payload, outcome) in enumerate(zip(payloads, chain.results, strict=True)):
            if isinstance(outcome, StageFailure):
                letter = dead_letter(
                    outcome.stage,
                    outcome.error,
                    payload,
                    key=None,
                    topic=STDIN,
                    partition=0,
                    offset=first_offset + offset,
                )
                result.dead_letters.append(letter)
            else:
                result.enriched.append(outcome)
        return result


def batches(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    iterator = (line.strip() for line in lines)
    non_empty = (line for line in iterator if line)
    while batch := list(islice(non_empty, size)):
        yield batch


def enrich_stream(
    settings: Settings, source: BinaryIO, out: TextIO, errors: TextIO, *, progress: bool = False
) -> tuple[int, int, float]:
    """Returns (enriched, dead-lettered, seconds of processing, model loading excluded)."""
    pipeline = InProcessPipeline(settings)
    enriched = failed = 0
    started = time.perf_counter()
    bar = tqdm(unit="article", disable=not progress or None, file=sys.stderr)
    for batch in batches(source, settings.batch_size):
        result = pipeline.run(batch, first_offset=enriched + failed + 1)
        for article in result.enriched:
            out.write(dumps(article).decode() + "\n")
        for letter in result.dead_letters:
            errors.write(dumps(letter).decode() + "\n")
        enriched += len(result.enriched)
        failed += len(result.dead_letters)
        bar.update(len(batch))
    out.flush()
    bar.close()
    return enriched, failed, time.perf_counter() - started
