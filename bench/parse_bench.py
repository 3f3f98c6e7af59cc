"""Parse throughput per input format, on one core, over the samples in seeds/ and
tests/fixtures/formats/ (each repeated; formats sniffed exactly as the stage does).

Prints one row per format: samples, articles/s (wall clock, one thread), µs per article, the
cost of `message_key` (what a producer pays per message), and the time per article as a multiple
of two references: our structured raw-article JSON through the parse stage ("× json", the
cheapest real path) and raw JSON passthrough, orjson decoding those same JSON samples and
nothing else ("× passthrough", the floor).

    python bench/parse_bench.py [--seconds 2.0]
"""

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.formats.sniff import open_payload  # noqa: E402
from agents.parse import Limits, message_key, parse_article  # noqa: E402
from agents.stage import now  # noqa: E402

LIMITS = Limits(max_article_bytes=4_000_000, max_comments=1000, max_comment_chars=20_000)
SAMPLE_DIRS = (ROOT / "seeds", ROOT / "tests" / "fixtures" / "formats")
ORDER = ("json", "text", "ninjs", "newsml", "html")


def samples() -> dict[str, list[bytes]]:
    """Every sample payload as a producer sends it, grouped by sniffed format."""
    grouped: dict[str, list[bytes]] = defaultdict(list)
    for directory in SAMPLE_DIRS:
        for path in sorted(directory.iterdir()):
            data = path.read_bytes()
            if path.suffix == ".txt":
                payloads = [orjson.dumps({"text": data.decode()})]
            elif path.suffix == ".jsonl":
                payloads = [line for line in data.splitlines() if line.strip()]
            elif path.suffix in {".json", ".xml", ".html"}:
                payloads = [data]
            else:
                continue
            for payload in payloads:
                try:
                    parse_article(payload, limits=LIMITS, ingested_at=now())
                except Exception:
                    continue  # the fixtures of bad input are not throughput samples
                grouped[open_payload(payload).format].append(payload)
    return grouped


def rate(work: Callable[[bytes], object], payloads: list[bytes], seconds: float) -> float:
    """Calls per second of `work` cycling over `payloads` for about `seconds`."""
    for payload in payloads:  # warm-up: imports, regex compilation, caches
        work(payload)
    done, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for payload in payloads:
            work(payload)
        done += len(payloads)
    return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args(argv)
    grouped = samples()
    received = now()

    def parse(payload: bytes) -> object:
        return parse_article(payload, limits=LIMITS, ingested_at=received)

    rows = [
        ("passthrough", len(grouped["json"]), rate(orjson.loads, grouped["json"], args.seconds))
    ]
    keys: dict[str, float] = {"passthrough": 0.0}
    for name in ORDER:
        if grouped[name]:
            rows.append((name, len(grouped[name]), rate(parse, grouped[name], args.seconds)))
            keys[name] = 1e6 / rate(message_key, grouped[name], args.seconds / 2)
    per_second = {name: rate_ for name, _, rate_ in rows}
    print(f"parse throughput, one thread, {args.seconds:.1f} s per format")
    print(f"{'format':<12}{'samples':>8}{'articles/s':>12}{'µs/article':>12}"
          f"{'key µs':>9}{'× json':>9}{'× passthrough':>15}")  # fmt: skip
    for name, count, rate_ in rows:
        print(
            f"{name:<12}{count:>8}{rate_:>12,.0f}{1e6 / rate_:>12,.1f}{keys[name]:>9,.1f}"
            f"{per_second['json'] / rate_:>8.2f}×{per_second['passthrough'] / rate_:>14,.0f}×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
