"""Entity-tagging quality and speed, measured the way the pipeline runs it.

Quality, on the TEST halves of the seven NER dev files (training/ner/split.json; nothing was
trained or tuned on them): every sentence becomes a raw article (headline = body = the sentence,
text rebuilt from the CoNLL tokens) and goes through `python -m pipeline enrich`; the enriched
`entities` (offsets into `body`) are scored entity-level exact match over PER/ORG/LOC against
the gold spans, per language and per type. The pipeline routes by the *detected* language, so
that is reported too, and beside it the tagger alone with the true language. For Arabic the
ANERcorp gold includes attached proclitics («وسوريا»), and so do the tagger's spans by default;
the other convention (WIRESTREAM_NER_ARABIC_BARE_NAMES: «سوريا») is scored too.

Canonical values: the share of gold mentions whose `canonical` is a known entity's value.

Speed: seed-size (~2,000-char) mixed-language articles, an equal mix of the seven languages,
parsed and language-tagged beforehand; the stage function `tag_entities` in batches of 64, per
CPU-second of this one process. Peak RSS of this process with every tagger loaded.

    python bench/ner_eval.py [--data ../shared/data] [--skip-enrich] [--skip-speed]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # training/ is not an installed package

from enrich_run import enrich  # noqa: E402

from agents.entities import tag_entities  # noqa: E402
from agents.langid import LanguageIdentifier  # noqa: E402
from agents.language import identify_languages  # noqa: E402
from agents.ner import EntityTagger  # noqa: E402
from agents.parse import Limits, parse_article  # noqa: E402
from agents.stage import now  # noqa: E402
from schemas import Article  # noqa: E402
from training.ner.corpus import (  # noqa: E402
    DEFAULT_DATA,
    DEV_FILES,
    SCORED_TYPES,
    Counts,
    GoldSpan,
    Sentence,
    load,
    part,
    prf,
    score,
)

BATCH = 64
REPEATS = 5
ARTICLE_CHARS = 2000


def rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def through_enrich(tests: dict[str, list[Sentence]]) -> dict[str, list[dict[str, Any]]]:
    """One `enrich` subprocess for every language; returns the enriched records per language,
    in input order (a missing record is an empty dict)."""
    records = enrich(
        {"id": f"{lang}-{i}", "headline": s.text, "body": s.text}
        for lang, sentences in tests.items()
        for i, s in enumerate(sentences)
    )
    return {
        lang: [records.get(f"{lang}-{i}", {}) for i in range(len(sentences))]
        for lang, sentences in tests.items()
    }


def spans_of(entities: Sequence[Any]) -> list[GoldSpan]:
    """(start, end, type) of enriched entities (dicts) or of the tagger's Mentions."""
    return [
        (e["start"], e["end"], e["type"]) if isinstance(e, dict) else (e.start, e.end, e.type)
        for e in entities
    ]


def word_aligned(text: str, spans: list[GoldSpan]) -> list[GoldSpan]:
    """Convention-blind Arabic scoring: every span starts at the beginning of its first word,
    gold and predicted alike, so «وسوريا» and «سوريا» (same word) compare equal."""
    return [(text.rfind(" ", 0, start) + 1, end, kind) for start, end, kind in spans]


def table_row(label: str, n: int, counts: dict[str, Counts]) -> str:
    p, r, f = prf(counts["ALL"])
    types = "  ".join("{:.2f}/{:.2f}/{:.2f}".format(*prf(counts[t])) for t in SCORED_TYPES)
    return f"{label:10} {n:4d}  {p:.3f} {r:.3f} {f:.3f}   {types}"


HEADER = f"{'lang':10} {'n':>4}  {'P':5} {'R':5} {'F1':5}   " + "  ".join(
    f"{t}:P/R/F1     " for t in SCORED_TYPES
)


def report_enrich(tests: dict[str, list[Sentence]]) -> None:
    enriched = through_enrich(tests)
    print("\n== through `wirestream enrich` (routed by the detected language), TEST halves")
    print(HEADER)
    total = [0, 0, 0]
    for lang, sentences in tests.items():
        records = enriched[lang]
        mismatched = sum(
            1 for s, r in zip(sentences, records, strict=True) if r.get("body") != s.text
        )
        detected = Counter(str((r.get("language") or {}).get("code", "missing")) for r in records)
        predicted = [spans_of(r.get("entities") or []) for r in records]
        counts = score([s.spans for s in sentences], predicted)
        total = [a + b for a, b in zip(total, counts["ALL"], strict=True)]
        print(table_row(lang, len(sentences), counts))
        others = ", ".join(f"{k} {v}" for k, v in detected.most_common() if k != lang)
        right = detected[lang]
        print(
            f"{'':10} detected as {lang}: {right}/{len(sentences)}"
            f"{'; other: ' + others if others else ''}; body != sentence: {mismatched}"
        )
    print(f"micro F1 over all languages: {prf((total[0], total[1], total[2]))[2]:.3f}")


def report_tagger(tests: dict[str, list[Sentence]], tagger: EntityTagger) -> None:
    print("\n== the tagger alone, true language, TEST halves")
    print(HEADER)
    for lang, sentences in tests.items():
        found = tagger.tag_batch([(s.text, lang) for s in sentences])
        for s, mentions in zip(sentences, found, strict=True):
            for m in mentions:
                assert s.text[m.start : m.end] == m.text, (m, s.text)
        predicted = [spans_of(m) for m in found]
        print(table_row(lang, len(sentences), score([s.spans for s in sentences], predicted)))
        if lang == "ar":
            gold_blind = [word_aligned(s.text, s.spans) for s in sentences]
            blind = [word_aligned(s.text, p) for s, p in zip(sentences, predicted, strict=True)]
            print(table_row("ar blind", len(sentences), score(gold_blind, blind)))
            tagger.keep_proclitics = False
            bare = [spans_of(m) for m in tagger.tag_batch([(s.text, "ar") for s in sentences])]
            tagger.keep_proclitics = True
            print(table_row("ar bare", len(sentences), score([s.spans for s in sentences], bare)))
    print(
        "ar = shipped spans (whole words, ANERcorp's convention) vs its gold; ar blind = gold "
        "and predicted spans widened to whole words;\nar bare = WIRESTREAM_NER_ARABIC_BARE_NAMES"
        "=true (a known name loses an attached و/ب/ل…) vs gold"
    )


def report_canonical(tests: dict[str, list[Sentence]], tagger: EntityTagger) -> None:
    """How often a gold mention gets a canonical value from the aliases or the gazetteer (not
    just its own surface): what lets a dashboard count «Москвы», «Москве» and «Moscow» as one."""
    print("\n== canonical values: share of gold mentions resolved to a known entity, TEST halves")
    for lang, sentences in tests.items():
        shares = []
        for kind in SCORED_TYPES:
            mentions = [s.text[a:b] for s in sentences for a, b, k in s.spans if k == kind]
            known = sum(tagger.names.known_canonical(m, kind) is not None for m in mentions)
            shares.append(f"{kind} {known / max(1, len(mentions)):.3f} (n={len(mentions)})")
        print(f"{lang:4} " + "  ".join(shares))


def seed_size_articles(data: Path) -> list[tuple[str, str]]:
    """Consecutive dev sentences joined into ~2,000-char articles, round-robin over the seven
    languages (as many rounds as the smallest file allows)."""
    per_lang: dict[str, list[str]] = {}
    for lang in DEV_FILES:
        separator = "" if lang == "zh" else " "
        articles, current = [], ""
        for sentence in load(lang, data):
            current += (separator if current else "") + sentence.text
            if len(current) >= ARTICLE_CHARS:
                articles.append(current[:ARTICLE_CHARS])
                current = ""
        per_lang[lang] = articles
    rounds = min(len(a) for a in per_lang.values())
    return [(per_lang[lang][k], lang) for k in range(rounds) for lang in DEV_FILES]


def stage_rate(tagger: EntityTagger, articles: list[Article]) -> float:
    started = time.process_time()
    for i in range(0, len(articles), BATCH):
        tag_entities(tagger, articles[i : i + BATCH])
    return len(articles) / (time.process_time() - started)


def report_speed(data: Path, tagger: EntityTagger) -> None:
    texts = seed_size_articles(data)
    limits = Limits(max_article_bytes=1_000_000, max_comments=100, max_comment_chars=10_000)
    identifier = LanguageIdentifier()
    articles = identify_languages(
        identifier,
        [
            parse_article(
                orjson.dumps({"id": f"a{i}", "headline": t[:80], "body": t}),
                limits=limits,
                ingested_at=now(),
            )
            for i, (t, _) in enumerate(texts)
        ],
    )
    half = len(articles) // 2
    warm, timed = articles[:half], articles[half:]
    unseen_runs, again_runs = [], []
    for _ in range(REPEATS):  # the machine is shared: the median of a few runs
        tagger.clear_caches()
        stage_rate(tagger, warm)
        unseen_runs.append(stage_rate(tagger, timed))
        again_runs.append(stage_rate(tagger, timed))
    unseen, again = statistics.median(unseen_runs), statistics.median(again_runs)
    langs = Counter(a.language.code if a.language else "und" for a in timed)
    print(
        f"\n== speed: tag_entities on {len(timed)} parsed, language-tagged ~{ARTICLE_CHARS}-char "
        f"articles (mix {dict(langs)}), batches of {BATCH}, one process, per CPU-second"
    )
    print(f"  text never seen before (after warm-up on {len(warm)} others): {unseen:6.1f} /s")
    print(f"  the same text again (word-type caches hot):               {again:6.1f} /s")
    print(
        f"  (median of {REPEATS} runs; unseen runs: {', '.join(f'{r:.0f}' for r in unseen_runs)})"
    )
    by_lang = {
        lang: statistics.median(
            stage_rate(tagger, [a for a in timed if a.language and a.language.code == lang])
            for _ in range(REPEATS)
        )
        for lang in DEV_FILES
    }
    print("  per language, hot: " + ", ".join(f"{k} {v:.0f}" for k, v in by_lang.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip-enrich", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    tests = {lang: part(load(lang, args.data), lang, "test") for lang in DEV_FILES}
    if not args.skip_enrich:
        report_enrich(tests)
    before = rss_now_mb()
    started = time.perf_counter()
    tagger = EntityTagger()
    print(
        f"\ntagger load: {time.perf_counter() - started:.1f} s, "
        f"RSS {before:.0f} → {rss_now_mb():.0f} MB"
    )
    report_tagger(tests, tagger)
    report_canonical(tests, tagger)
    if not args.skip_speed:
        report_speed(args.data, tagger)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (tagger + language ID loaded): {peak:.0f} MB")


if __name__ == "__main__":
    main()
