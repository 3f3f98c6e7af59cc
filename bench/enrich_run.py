"""Run `wirestream enrich` once on raw articles, as the quality benchmarks do: the pipeline's
own entry point, in its own process, exactly as a user would call it."""

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent


def enrich(raw_articles: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`id` → enriched record (articles that were dead-lettered are absent). Prints the run's
    summary line and its dead letters by stage/error."""
    lines = b"".join(orjson.dumps(article) + b"\n" for article in raw_articles)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "enrich"],
        input=lines,
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    records = {}
    for line in done.stdout.splitlines():
        record = orjson.loads(line)
        records[record["id"]] = record
    dead: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        if line.startswith(b"{"):
            letter = orjson.loads(line)
            dead[f"{letter['stage']}/{letter['error']}"] += 1
    summary = done.stderr.decode().strip().splitlines()[-1] if done.stderr else "no output"
    print(
        f"wirestream enrich: {summary} ({seconds:.0f} s wall); dead letters: {dict(dead) or 'none'}"
    )
    return records
