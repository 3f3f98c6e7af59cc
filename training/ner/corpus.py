"""The NER data sets, the fixed TUNE/TEST split, and entity-level scoring (build and
evaluation time only; the tagger never reads these files).

Text is rebuilt from the CoNLL tokens (single spaces; none for zh), so gold spans are character
offsets into a raw string, exactly what the pipeline sees.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SPLIT_FILE = Path(__file__).resolve().parent / "split.json"
DEV_FILES = {
    "ar": "dev/ner/ar_anercorp_dev.conll",
    "en": "dev/ner/en_uner_pud.conll",
    "de": "dev/ner/de_uner_pud.conll",
    "pt": "dev/ner/pt_uner_pud.conll",
    "ru": "dev/ner/ru_uner_pud.conll",
    "zh": "dev/ner/zh_uner_pud.conll",
    "sv": "dev/ner/sv_uner_pud.conll",
}
ARABIC_TRAIN = "train/ar_cleananercorp_train.conll"
SCORED_TYPES = ("PER", "ORG", "LOC")
SPLIT_SEED = 20261125
GoldSpan = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    tokens: list[str]
    offsets: list[tuple[int, int]]
    tags: list[str]
    spans: list[GoldSpan]  # (start, end, type), every type incl. MISC


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        token, tag = line.split("\t")[:2]
        current.append((token, tag))
    if current:
        sentences.append(current)
    return sentences


def _type(tag_type: str) -> str:
    return "PER" if tag_type == "PERS" else tag_type


def build_sentence(pairs: list[tuple[str, str]], lang: str) -> Sentence:
    separator = "" if lang == "zh" else " "
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = 0
    for i, (token, _) in enumerate(pairs):
        if i and separator:
            parts.append(separator)
            position += len(separator)
        offsets.append((position, position + len(token)))
        parts.append(token)
        position += len(token)
    tags = [tag for _, tag in pairs]
    spans: list[GoldSpan] = []
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        boundary = (
            tag == "O" or tag.startswith("B-") or (tag.startswith("I-") and _type(tag[2:]) != kind)
        )
        if boundary and start >= 0:
            spans.append((offsets[start][0], offsets[i - 1][1], kind))
            start = -1
        if tag != "O" and (tag.startswith("B-") or start < 0):
            start, kind = i, _type(tag[2:])
    return Sentence("".join(parts), [p[0] for p in pairs], offsets, tags, spans)


def load(lang: str, data: Path = DEFAULT_DATA, relative: str | None = None) -> list[Sentence]:
    path = data / (relative or DEV_FILES[lang])
    return [build_sentence(pairs, lang) for pairs in read_conll(path)]


def split_indices(n: int, lang: str) -> tuple[list[int], list[int]]:
    """The fixed-seed 50/50 split → (tune, test) sentence indices (what make_split.py writes).

    en/de/pt/ru/sv PUD are the same 1,000 sentences translated, in the same order, so one
    permutation is shared: a sentence held out in one language is held out in all of them (no
    leakage through translations when languages are pooled). ar uses seed + 1."""
    rng = random.Random(SPLIT_SEED if lang != "ar" else SPLIT_SEED + 1)
    indices = list(range(n))
    rng.shuffle(indices)
    half = n // 2
    return sorted(indices[:half]), sorted(indices[half:])


def part(sentences: list[Sentence], lang: str, which: str, fold: int = 4) -> list[Sentence]:
    """'tune' / 'test' halves from split.json; 'tune_fit' / 'tune_val' = an inner split of the
    TUNE half (every 5th sentence → val) for choices; 'all' = the whole file. `fold` 0–3 picks
    another fifth of TUNE as val (5-fold cross-validation); 4 is tune_val."""
    if which == "all":
        return sentences
    split = json.loads(SPLIT_FILE.read_text())[lang]
    if split["n"] != len(sentences):
        raise SystemExit(f"{lang}: {len(sentences)} sentences, split.json expects {split['n']}")
    tune: list[int] = split["tune"]
    if which in ("tune_fit", "tune_val"):
        val = [i for j, i in enumerate(tune) if j % 5 == fold]
        fit = [i for j, i in enumerate(tune) if j % 5 != fold]
        return [sentences[i] for i in (val if which == "tune_val" else fit)]
    return [sentences[i] for i in (tune if which == "tune" else split["test"])]


Counts = tuple[int, int, int]  # true positives, false positives, false negatives


def prf(counts: Counts) -> tuple[float, float, float]:
    tp, fp, fn = counts
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(gold: list[list[GoldSpan]], predicted: list[list[GoldSpan]]) -> dict[str, Counts]:
    """Entity-level exact-match counts per type and 'ALL' (micro over PER/ORG/LOC)."""
    counts: dict[str, list[int]] = {t: [0, 0, 0] for t in (*SCORED_TYPES, "ALL")}
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        wanted = {s for s in gold_spans if s[2] in SCORED_TYPES}
        found = {s for s in predicted_spans if s[2] in SCORED_TYPES}
        for span in found:
            k = 0 if span in wanted else 1
            counts[span[2]][k] += 1
            counts["ALL"][k] += 1
        for span in wanted - found:
            counts[span[2]][2] += 1
            counts["ALL"][2] += 1
    return {t: (c[0], c[1], c[2]) for t, c in counts.items()}
