"""Choices for the Arabic CRF by 5-fold cross-validation over the TUNE half of ar_anercorp_dev:
fold k trains crf_ar on CLEANANERCorp TRAIN + tune_fit(k) (train_ar.train: the same code and
settings as the shipped model, translit NB cross-fitted on those sentences only) and scores
tune_val(k) the way the pipeline runs it (EntityTagger, its post-rules, language 'ar'),
entity-level exact match over PER/ORG/LOC, counts summed over the folds. TEST is never read.

Two conventions are scored: 'bare' (keep_proclitics=False: a known name loses an attached
و/ب/ل/ف/ك) and 'gold' (keep_proclitics=True, ANERcorp's own convention and the default).

    python -m training.ner.tune_ar [--folds 0,1,2,3,4] [--dump preds.json] [--o-bias .25 .5]
        [--c1 .1 --c2 .01] [--max-iter 150] [--tune-copies 4] [--augment 4] [--shuffle 1]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from pathlib import Path

from agents.ner import EntityTagger
from agents.ner.crf import LinearCRF
from agents.ner.features import FeatureSet
from training.ner.common import augment
from training.ner.corpus import (
    ARABIC_TRAIN,
    DEFAULT_DATA,
    SCORED_TYPES,
    Counts,
    Sentence,
    load,
    part,
    prf,
    score,
)
from training.ner.train_ar import C1, C2, MAX_ITER, load_gazetteer, train
from training.ner.tune_cased import with_o_bias

CONVENTIONS = {"bare": False, "gold": True}  # name → keep_proclitics
AUGMENT_SEED = 20261125
Tally = dict[str, list[int]]  # 'bare.ALL', 'gold.PER', ... → [tp, fp, fn]
Dumped = list[dict[str, object]]


def fold_sentences(
    clean: list[Sentence],
    fit: list[Sentence],
    tune_copies: int,
    augment_copies: int,
    shuffle: int | None,
) -> tuple[list[Sentence], list[int]]:
    """The training sentences of one fold and the index of the original each one copies:
    CLEANANERCorp TRAIN + tune_fit, the tune_fit sentences `tune_copies` times in all (the
    ANERcorp dev convention weighted), + `augment_copies` mention-replaced copies of each."""
    sentences = clean + fit
    origin = list(range(len(sentences)))
    first = len(clean)
    for _ in range(tune_copies - 1):
        sentences += fit
        origin += range(first, first + len(fit))
    if augment_copies:
        pools: dict[str, list[str]] = {}
        for s in fit:
            for a, b, kind in s.spans:
                pools.setdefault(kind, []).append(s.text[a:b])
        for i, s in enumerate(fit):
            copies = augment([s], pools, augment_copies, AUGMENT_SEED + i)
            sentences += copies
            origin += [first + i] * len(copies)
    if shuffle is not None:  # another order, and another split of the NB cross-fit
        order = list(range(len(sentences)))
        random.Random(shuffle).shuffle(order)
        position = {old: new for new, old in enumerate(order)}
        sentences = [sentences[i] for i in order]
        origin = [position[origin[i]] for i in order]
    return sentences, origin


def evaluate(
    tagger: EntityTagger,
    crf: LinearCRF,
    sentences: list[Sentence],
    fold: int,
    tally: Tally,
    dump: Dumped | None,
) -> None:
    """Add one fold's counts under both conventions to `tally` (and the spans to `dump`)."""
    tagger._crf_ar = crf
    predicted: dict[str, list[list[tuple[int, int, str]]]] = {}
    for name, keep in CONVENTIONS.items():
        tagger.keep_proclitics = keep
        found = tagger.tag_batch([(s.text, "ar") for s in sentences])
        predicted[name] = [[(m.start, m.end, m.type) for m in ms] for ms in found]
        counts = score([s.spans for s in sentences], predicted[name])
        for kind, row in counts.items():
            total = tally.setdefault(f"{name}.{kind}", [0, 0, 0])
            for k in range(3):
                total[k] += row[k]
    if dump is not None:
        dump += [
            {"fold": fold, "text": s.text, "gold": s.spans, "pred": g, "pred_bare": p}
            for s, p, g in zip(sentences, predicted["bare"], predicted["gold"], strict=True)
        ]


def as_counts(row: list[int]) -> Counts:
    return row[0], row[1], row[2]


def report(label: str, tally: Tally) -> None:
    for name in CONVENTIONS:
        p, r, f = prf(as_counts(tally[f"{name}.ALL"]))
        cells = "  ".join(
            f"{t} {prf(as_counts(tally[f'{name}.{t}']))[2]:.3f}" for t in SCORED_TYPES
        )
        print(f"{label} {name:7s}: P {p:.3f} R {r:.3f} F1 {f:.3f}   {cells}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", default="0,1,2,3,4", help="which fifths of TUNE validate")
    parser.add_argument("--c1", type=float, default=C1)
    parser.add_argument("--c2", type=float, default=C2)
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    parser.add_argument("--o-bias", type=float, nargs="+", default=None)
    parser.add_argument("--tune-copies", type=int, default=1, help="tune_fit sentences N times")
    parser.add_argument("--augment", type=int, default=0, help="mention-replaced tune_fit copies")
    parser.add_argument("--shuffle", type=int, default=None, help="seed: another order")
    parser.add_argument("--dump", type=Path, help="write the validation predictions (JSON)")
    parser.add_argument("--save-models", type=Path, help="keep each fold's npz in this folder")
    args = parser.parse_args()
    clean = load("ar", args.data, ARABIC_TRAIN)
    dev = load("ar", args.data)
    tagger = EntityTagger()
    biases: list[float | None] = list(args.o_bias) if args.o_bias else [None]
    tallies: dict[float | None, Tally] = {bias: {} for bias in biases}
    dumped: Dumped = []
    for fold in [int(f) for f in args.folds.split(",")]:
        sentences, origin = fold_sentences(
            clean, part(dev, "ar", "tune_fit", fold), args.tune_copies, args.augment, args.shuffle
        )
        gazetteer = load_gazetteer()
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "crf_ar.npz"
            train(
                sentences,
                out,
                gazetteer,
                origin=origin,
                c1=args.c1,
                c2=args.c2,
                max_iter=args.max_iter,
            )
            npz = out.read_bytes()
        if args.save_models:
            args.save_models.mkdir(parents=True, exist_ok=True)
            (args.save_models / f"fold{fold}.npz").write_bytes(npz)
        features = FeatureSet("ar", gazetteer)  # with this fold's NB (train() set it)
        validation = part(dev, "ar", "tune_val", fold)
        for bias in biases:
            model = npz if bias is None else with_o_bias(npz, bias)
            dump = dumped if args.dump and bias == biases[0] else None
            evaluate(tagger, LinearCRF(model, features), validation, fold, tallies[bias], dump)
    for bias, tally in tallies.items():
        report(f"folds {args.folds}, o_bias {'model' if bias is None else bias}", tally)
    if args.dump:
        args.dump.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
