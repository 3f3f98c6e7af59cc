"""Comment moderation, measured the way the pipeline runs it.

Quality: every comment of the held-out TEST part of each moderation data set (split:
training/moderation/split.json; the train and dev parts trained and tuned the model) becomes one
raw article with a neutral headline and body and that comment as its only comment. All of them
go through `python -m pipeline enrich` (the comment's language is detected by the pipeline, not
given); toxic = decision review or reject. Printed per data set: P, R, F1, false-positive rate,
the flag-all baseline F1, and the routing effect (the same comments moderated directly with their
labelled language). Then: the clean news/web sentences of the TEST half sent as comments (share
flagged), the Multilingual HateCheck F1 table, the 5 worst Arabic HateCheck functionalities, the
seed article's comment. Speed: the moderation stage function on batches of articles (CPU time,
so per core), and the memory of the engine alone vs. the process.

    python bench/moderation_eval.py [--data ../shared/data] [--skip-speed]
Thresholds: WIRESTREAM_MODERATION_REVIEW_THRESHOLD / _REJECT_THRESHOLD, as for the pipeline.
"""

import argparse
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for training.moderation

from enrich_run import enrich

from agents.moderation import moderate_comments
from agents.moderation_engine import CommentModerator, primary_language
from pipeline.enrich import InProcessPipeline
from pipeline.settings import Settings
from schemas import Article
from training.moderation.data_split import DEFAULT_DATA, Example, load_clean, load_labelled
from training.moderation.metrics import prf

ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLE = ROOT / "seeds" / "000_93d7d80b8f23babd.txt"
HEADLINE = "Council publishes new library opening hours"
BODY = "The town council said on Tuesday that the central library will open at nine from March."
# Why a HateCheck functionality fails a bag-of-n-grams model (one line each).
WHY = {
    "negate_pos_h": "hate carried by a negated positive phrase: the n-grams are praise words",
    "negate_neg_nh": "a negated hateful phrase still contains the hateful n-grams",
    "ident_pos_nh": "identity-term bias: the group word leans toxic in training data",
    "ident_neutral_nh": "identity-term bias: a neutral sentence about a group looks like hate",
    "counter_quote_nh": "quoted hate without a listed reporting cue keeps its hateful n-grams",
    "counter_ref_nh": "referring to hate without a listed cue keeps its hateful n-grams",
    "slur_h": "slurs missing from the word list and rare in the training templates",
    "slur_reclaimed_nh": "a reclaimed slur is still a slur to the word list",
    "slur_homonym_nh": "a homonym of a slur matches the word list",
    "profanity_nh": "swearing without a target still scores as toxic",
    "profanity_h": "profanity aimed at a group: the model sees swearing, not the target",
    "target_obj_nh": "abuse of objects shares n-grams with abuse of people",
    "target_indiv_nh": "abuse of an individual (not a group) is still toxic to the model",
    "target_group_nh": "abuse of a non-protected group shares n-grams with hate",
    "spell_char_eng_replace_h": "Arabizi / Latin letters inside Arabic words break n-grams",
    "spell_char_del_h": "a deleted letter breaks word and char n-grams",
    "spell_space_del_h": "joined words are unseen tokens",
    "spell_space_add_h": "split words are unseen tokens",
    "derog_impl_h": "implicit derogation has no toxic words",
    "threat_norm_h": "a normative threat ('should be …') reads like an opinion",
}


def comment_articles(name: str, texts: list[str]) -> list[dict[str, Any]]:
    """One raw article per comment: a neutral story with the comment as its only comment."""
    return [
        {
            "id": f"{name}-{i}",
            "headline": HEADLINE,
            "body": BODY,
            "comments": [{"id": "c", "text": t}],
        }
        for i, t in enumerate(texts)
    ]


def through_enrich(articles: list[dict[str, Any]]) -> dict[str, dict[str, object]]:
    """id -> the enriched comment (language, moderation) of one `wirestream enrich` run."""
    records = enrich(articles)
    return {id_: (r["comments"][0] if r["comments"] else {}) for id_, r in records.items()}


def decision_of(comment: dict[str, object]) -> str:
    moderation = comment.get("moderation")
    return str(moderation["decision"]) if isinstance(moderation, dict) else "missing"


def reasons_of(comment: dict[str, object]) -> list[str]:
    moderation = comment.get("moderation")
    return [str(r) for r in moderation["reasons"]] if isinstance(moderation, dict) else []


def detected(comment: dict[str, object]) -> str:
    language = comment.get("language")
    return str(language["code"]) if isinstance(language, dict) else "missing"


def quality(data: Path, moderator: CommentModerator) -> None:
    labelled = [e for e in load_labelled(data) if e.split == "test"]
    clean = [e for e in load_clean(data) if e.split == "test"]
    sets: dict[str, list[Example]] = defaultdict(list)
    for e in labelled:
        sets[f"{e.dataset}_{e.lang}"].append(e)
    for e in clean:
        sets[f"clean_{e.lang}"].append(e)
    articles = [a for n, ex in sets.items() for a in comment_articles(n, [e.text for e in ex])]
    seed_id = "seed"
    seed = {"id": seed_id, "text": SEED_ARTICLE.read_text(encoding="utf-8")}
    print(f"== {sum(map(len, sets.values()))} comments (TEST parts) + the seed article -> enrich")
    enriched = through_enrich([*articles, seed])

    print("\n== labelled TEST parts through `wirestream enrich`; toxic = review|reject")
    print(
        f"{'set':<13} {'n':>5} {'pos':>4}  {'P':>5} {'R':>5} {'F1':>5} {'FPR':>5} | "
        f"{'flag-all F1':>11} | {'rejects, P':>10} | {'lang ok':>7} {'und':>5} {'unsup.':>6} | "
        "direct F1 (labelled lang)"
    )
    functionality: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    hatecheck_rows = []
    for name, examples in sets.items():
        if name.startswith("clean_"):
            continue
        comments = [enriched.get(f"{name}-{i}", {}) for i in range(len(examples))]
        gold = [e.toxic for e in examples]
        flagged = [int(decision_of(c) in {"review", "reject"}) for c in comments]
        scores, flag_all = prf(gold, flagged), prf(gold, [1] * len(gold))
        rejects = [int(decision_of(c) == "reject") for c in comments]
        reject_p = f"{prf(gold, rejects).precision:.3f}" if any(rejects) else "-"
        codes = [detected(c) for c in comments]
        same = sum(primary_language(c) == e.lang for c, e in zip(codes, examples, strict=True))
        unsupported = sum(any(r.startswith("unsupported") for r in reasons_of(c)) for c in comments)
        direct = moderator.moderate_batch([(e.text, e.lang) for e in examples])
        direct_f1 = prf(gold, [int(v.decision != "approve") for v in direct]).f1
        n = len(examples)
        print(
            f"{name:<13} {n:>5} {scores.positives:>4}  {scores.precision:.3f} {scores.recall:.3f} "
            f"{scores.f1:.3f} {scores.fpr:.3f} | {flag_all.f1:>11.3f} | "
            f"{sum(rejects):>4} {reject_p:>5} | {same / n:>7.1%} "
            f"{codes.count('und') / n:>5.1%} {unsupported / n:>6.1%} | {direct_f1:.3f}"
        )
        if name.startswith("hatecheck_"):
            hatecheck_rows.append((name.removeprefix("hatecheck_"), scores, flag_all))
            for e, f in zip(examples, flagged, strict=True):
                functionality[e.lang][e.functionality].append(int(f == e.toxic))
    misrouted = Counter(
        detected(enriched.get(f"mlma_ar-{i}", {})) for i in range(len(sets["mlma_ar"]))
    )
    print(f"mlma_ar detected languages: {dict(misrouted.most_common(6))}")

    print("\n== clean news/web sentences (TEST half) sent as comments: share flagged")
    for name, examples in sets.items():
        if name.startswith("clean_"):
            decisions = Counter(
                decision_of(enriched.get(f"{name}-{i}", {})) for i in range(len(examples))
            )
            share = (decisions["review"] + decisions["reject"]) / len(examples)
            rejected = decisions["reject"]
            print(f"{name:<9} n={len(examples):>4} flagged {share:6.1%} (reject {rejected})")

    print("\n== Multilingual HateCheck (TEST part, split by template), through enrich")
    print(f"{'lang':<5} {'F1':>5} {'P':>5} {'R':>5} {'FPR':>5} {'flag-all F1':>11}")
    for lang, scores, flag_all in hatecheck_rows:
        print(
            f"{lang:<5} {scores.f1:.3f} {scores.precision:.3f} {scores.recall:.3f} "
            f"{scores.fpr:.3f} {flag_all.f1:>11.3f}"
        )

    print("\n== HateCheck ar: the 5 worst functionalities (accuracy = share decided correctly)")
    worst = sorted(functionality["ar"].items(), key=lambda kv: sum(kv[1]) / len(kv[1]))[:5]
    for group, right in worst:
        why = WHY.get(group, "")
        print(f"{group:<26} acc={sum(right) / len(right):.2f} n={len(right):>3}  {why}")

    seed_comment = enriched.get(seed_id, {})
    moderation = seed_comment.get("moderation", {})
    print("\n== seed article's comment (seeds/000_93d7d80b8f23babd.txt)")
    print(orjson.dumps(moderation, option=orjson.OPT_INDENT_2).decode())


def speed(data: Path, settings: Settings) -> None:
    """The moderation stage function on tagged articles (one comment each), batched like the
    worker (settings.batch_size), timed in CPU seconds of this process = per core."""
    examples = [e for e in load_labelled(data) if e.split == "test"]
    pipeline = InProcessPipeline(settings)
    lines = [orjson.dumps(a) for a in comment_articles("speed", [e.text for e in examples])]
    # Parsed, language-tagged articles: what the stage gets (their moderation is overwritten).
    articles: list[Article] = pipeline.run(lines).enriched
    moderator = pipeline.models[-1]
    size = settings.batch_size
    cpu, wall = time.process_time(), time.perf_counter()
    passes = 3
    for _ in range(passes):
        for start in range(0, len(articles), size):
            moderate_comments(moderator, articles[start : start + size])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = passes * len(articles)
    mean = sum(len(e.text) for e in examples) / len(examples)
    print(
        f"\n== speed: moderation stage function, {n} comments (mean {mean:.0f} chars), "
        f"batches of {size} articles: {n / cpu:,.0f} comments per CPU-second "
        f"({n / wall:,.0f}/s wall)"
    )
    print(f"   peak RSS of this bench process (all four stages loaded): {peak_rss_mb():.0f} MB")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# VmHWM, not ru_maxrss: a child started by a big process inherits the parent's ru_maxrss.
MEMORY_PROBE = """
import sys
def status(key): return int(open('/proc/self/status').read().split(key)[1].split()[0]) / 1024
def rss(): return status('VmRSS:')
print(f"python {rss():.0f}")
import numpy, scipy.sparse
from agents.moderation_engine import CommentModerator
print(f"imports {rss():.0f}")
m = CommentModerator()
print(f"loaded {rss():.0f}")
items = [(l.rstrip('\\n'), 'ar' if i % 2 else 'en') for i, l in enumerate(sys.stdin)]
for s in range(0, len(items), 64): m.moderate_batch(items[s:s + 64])
print(f"peak {status('VmHWM:'):.0f}")
"""


def memory(data: Path) -> None:
    """RSS of a process that holds only the moderation engine: interpreter, libraries, model."""
    texts = "\n".join(e.text.replace("\n", " ") for e in load_labelled(data) if e.split == "test")
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE],
        input=texts.encode(),
        capture_output=True,
        check=True,
        cwd=ROOT,
    )
    mb = dict(line.split() for line in done.stdout.decode().splitlines())
    print(
        f"   engine alone: python {mb['python']} MB, +numpy/scipy imports -> "
        f"{mb['imports']} MB, +model and word lists -> {mb['loaded']} MB, peak while "
        f"moderating {mb['peak']} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    moderator = CommentModerator(
        settings.moderation_review_threshold, settings.moderation_reject_threshold
    )
    print(f"thresholds: review {moderator.review_threshold}, reject {moderator.reject_threshold}")
    quality(args.data, moderator)
    if not args.skip_speed:
        speed(args.data, settings)
        memory(args.data)


if __name__ == "__main__":
    main()
