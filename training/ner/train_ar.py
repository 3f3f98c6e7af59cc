"""Train the Arabic CRF → agents/ner/data/crf_ar.npz and translit_ar.json.gz (~1 min).

Data: CLEANANERCorp TRAIN (GPL-3.0, so the model is GPL-3.0) + the TUNE half of
ar_anercorp_dev (ANERcorp conventions, CC BY-SA 4.0). The TEST half is never used here.

    python -m training.ner.train_ar [--data ../shared/data]
    python -m training.ner.train_ar --tune   # c1/c2 grid on a fixed 90/10 split of TRAIN only
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from agents.ner.crf import LinearCRF
from agents.ner.features import FeatureSet
from agents.ner.gazetteer import CharNB, Gazetteer
from agents.ner.text import ar_norm, ar_strip
from training.ner.common import MODEL_DIR, Labelled, project, spans_from_labels, train_crf
from training.ner.corpus import ARABIC_TRAIN, DEFAULT_DATA, Sentence, load, part, prf, score

TYPES = ("PER", "ORG", "LOC", "MISC")
C1, C2 = 0.1, 0.01  # chosen with --tune
MAX_ITER = 150  # L-BFGS iterations (train_crf's default)
NB_FILE = MODEL_DIR / "translit_ar.json.gz"
TUNE_GRID = [(0.05, 0.05), (0.1, 0.01), (0.2, 0.01), (0.02, 0.1), (0.0, 0.5)]


def prepare(sentences: list[Sentence]) -> list[Labelled]:
    data: list[Labelled] = []
    misaligned = total = 0
    for sentence in sentences:
        types, labels, _, bad = project(sentence, TYPES)
        data.append((types, labels))
        misaligned += bad
        total += len(sentence.spans)
    print(
        f"{len(data)} sentences, {total} gold entities, {misaligned} not aligned", file=sys.stderr
    )
    return data


def build_translit_nb(train: list[Sentence], gazetteer: Gazetteer) -> CharNB:
    """Char-n-gram NB: GeoNames Arabic-script names (positives) vs. train words outside
    entities (negatives)."""
    positive = {
        ar_strip(word)[1]
        for word, tags in gazetteer.words.items()
        if "LOC" in tags and any("\u0621" <= c <= "\u064a" for c in word)
    }
    negative: set[str] = set()
    for sentence in train:
        types, labels, _, _ = project(sentence, TYPES)
        for token, label in zip(types, labels, strict=True):
            stem = ar_strip(ar_norm(token))[1]
            if label == "O" and len(stem) > 2 and stem not in positive:
                negative.add(stem)
    pos_counts = Counter(g for w in positive for g in CharNB.grams(w))
    neg_counts = Counter(g for w in negative for g in CharNB.grams(w))
    pos_total, neg_total = sum(pos_counts.values()), sum(neg_counts.values())
    vocab = [g for g in set(pos_counts) | set(neg_counts) if pos_counts[g] + neg_counts[g] >= 3]
    log_ratio = {
        g: round(
            math.log((pos_counts[g] + 0.5) / pos_total)
            - math.log((neg_counts[g] + 0.5) / neg_total),
            3,
        )
        for g in vocab
    }
    nb = CharNB(log_ratio, 0.0)
    scores = sorted(nb.score(w) for w in [*positive, *negative])
    nb.cuts = [scores[int(len(scores) * q)] for q in (0.3, 0.5, 0.7, 0.85, 0.95)]
    return nb


def save_nb(nb: CharNB) -> None:
    table = {"lr": nb.log_ratio, "prior": nb.prior, "cuts": nb.cuts}
    raw = json.dumps(table, ensure_ascii=False, sort_keys=True)
    NB_FILE.write_bytes(gzip.compress(raw.encode("utf-8"), mtime=0))
    print(f"{NB_FILE.name}: {len(nb.log_ratio)} n-grams", file=sys.stderr)


def crossfit_attrs(
    train: list[Sentence],
    data: list[Labelled],
    gazetteer: Gazetteer,
    features: FeatureSet,
    origin: list[int] | None = None,
) -> list[list[list[str]]]:
    """Features of a training sentence use an NB that never saw that sentence (2 folds), so the
    'fx' feature is as (un)reliable in training as on new text. origin: the index of the
    sentence each one copies (copies and mention-replaced variants share their original's
    fold, so no NB sees a sentence whose copy it scores); default: each is its own."""
    group = origin if origin is not None else list(range(len(train)))
    attrs: list[list[list[str]]] = [[] for _ in data]
    for fold in (0, 1):
        gazetteer.nb = build_translit_nb(
            [s for s, g in zip(train, group, strict=True) if g % 2 != fold], gazetteer
        )
        for i, (types, _) in enumerate(data):
            if group[i] % 2 == fold:
                attrs[i] = features.sequence_attrs(types)
    return attrs


def train(
    sentences: list[Sentence],
    out: Path,
    gazetteer: Gazetteer,
    *,
    origin: list[int] | None = None,
    c1: float = C1,
    c2: float = C2,
    max_iter: int = MAX_ITER,
    meta: dict[str, Any] | None = None,
) -> CharNB:
    """Train crf_ar on `sentences` into `out`; returns the translit NB built from the same
    sentences (the one to decode with: the caller saves it or puts it on its gazetteer).
    The gazetteer's nb is left set to that NB."""
    features = FeatureSet("ar", gazetteer)
    data = prepare(sentences)
    attrs = crossfit_attrs(sentences, data, gazetteer, features, origin)
    nb = build_translit_nb(sentences, gazetteer)  # the decoding NB sees every training word
    gazetteer.nb = nb
    train_crf(features, data, out, c1, c2, max_iter=max_iter, attrs=attrs, meta=meta)
    return nb


def load_gazetteer() -> Gazetteer:
    return Gazetteer.from_gzip((MODEL_DIR / "gaz_ar.json.gz").read_bytes())


def training_sentences(data: Path, which: str = "tune", fold: int = 4) -> list[Sentence]:
    """CLEANANERCorp TRAIN + a part of the ANERcorp dev TUNE half ('tune', or 'tune_fit' of
    `fold` for cross-validation)."""
    return load("ar", data, ARABIC_TRAIN) + part(load("ar", data), "ar", which, fold)


def holdout_f1(model: Path, features: FeatureSet, sentences: list[Sentence]) -> tuple[float, ...]:
    crf = LinearCRF(model.read_bytes(), features)
    predicted = []
    for sentence in sentences:
        types, _, offsets, _ = project(sentence, TYPES)
        ((path, _),) = crf.decode([types])
        predicted.append(spans_from_labels([crf.labels[p] for p in path], offsets))
    return prf(score([s.spans for s in sentences], predicted)["ALL"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--out", type=Path, default=MODEL_DIR / "crf_ar.npz")
    args = parser.parse_args()
    if args.tune:
        gazetteer = load_gazetteer()
        features = FeatureSet("ar", gazetteer)
        clean = load("ar", args.data, ARABIC_TRAIN)
        gazetteer.nb = build_translit_nb(clean, gazetteer)
        order = list(range(len(clean)))
        random.Random(7).shuffle(order)
        cut = len(order) // 10
        held_out = [clean[i] for i in order[:cut]]
        fit = prepare([clean[i] for i in order[cut:]])
        scratch = args.out.with_suffix(".tune.npz")
        for c1, c2 in TUNE_GRID:
            train_crf(features, fit, scratch, c1, c2)
            p, r, f = holdout_f1(scratch, features, held_out)
            print(f"c1={c1} c2={c2}: holdout P={p:.3f} R={r:.3f} F1={f:.3f}", flush=True)
        scratch.unlink()
        return
    sentences = training_sentences(args.data)
    meta = {
        "data": "CLEANANERCorp TRAIN + ANERcorp dev TUNE half",
        "licence": "GPL-3.0 (derived from GPL-3.0 CLEANANERCorp; ANERcorp part CC BY-SA 4.0)",
    }
    save_nb(train(sentences, args.out, load_gazetteer(), meta=meta))


if __name__ == "__main__":
    main()
