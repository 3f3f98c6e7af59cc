"""Choices for the pooled cased CRF: train on `tune_fit`, score on `tune_val`, the way the
pipeline runs it (EntityTagger with its post-rules, true language), entity-level exact match.

`--folds 0,1,2,3,4` cross-validates over the five fifths of TUNE (fold 4 is tune_val) and adds
up the counts: ~500 validation sentences a language instead of ~100, so differences of ~.01
pooled F1 can be told from noise. TEST is never read here.

    python -m training.ner.tune_cased [--folds 4] [--o-bias 0.5 1.0] [--c1 .05 --c2 .05]
        [--types] [--dump preds.json] [--max-iter 200] [--own de=8] [--average 3] [--with-pooled]
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
from pathlib import Path

import numpy as np

from agents.ner import EntityTagger
from agents.ner.crf import LinearCRF, save_model
from training.ner.common import average_models
from training.ner.corpus import DEFAULT_DATA, SCORED_TYPES, Counts, load, part, prf, score
from training.ner.train_cased import AUGMENT_SEED, OWN_MODELS, cased_features, train

SCORED = ("en", "de", "pt", "sv")  # ru runs natasha in production
Tally = dict[str, list[int]]  # 'en', 'en.ORG', ..., 'all' → [tp, fp, fn]


Dumped = list[dict[str, object]]  # one validation sentence: fold, lang, text, gold, pred


def evaluate(
    tagger: EntityTagger,
    models: dict[str, bytes],
    data: Path,
    fold: int,
    tally: Tally,
    dump: Dumped | None,
) -> None:
    """Add the counts of one fold's models (language → npz) on its validation sentences to
    `tally` (and, if `dump` is a list, append each sentence with its gold and predicted spans)."""
    tagger._crf_cased = {lang: LinearCRF(models[lang], cased_features(lang)) for lang in SCORED}
    for lang in SCORED:
        sentences = part(load(lang, data), lang, "tune_val", fold)
        found = tagger.tag_batch([(s.text, lang) for s in sentences])
        predicted = [[(m.start, m.end, m.type) for m in mentions] for mentions in found]
        counts = score([s.spans for s in sentences], predicted)
        if dump is not None:
            dump += [
                {"fold": fold, "lang": lang, "text": s.text, "gold": s.spans, "pred": p}
                for s, p in zip(sentences, predicted, strict=True)
            ]
        rows: dict[str, Counts] = {lang: counts["ALL"], "all": counts["ALL"]}
        rows |= {f"{lang}.{t}": counts[t] for t in SCORED_TYPES}
        for key, row in rows.items():
            total = tally.setdefault(key, [0, 0, 0])
            for k in range(3):
                total[k] += row[k]


def with_o_bias(npz: bytes, o_bias: float) -> bytes:
    """The same model with another decode-time O bias (no retraining)."""
    with np.load(io.BytesIO(npz), allow_pickle=False) as z:
        labels = bytes(z["labels"]).decode().split("\n")
        attrs = bytes(z["attrs"]).decode().split("\n")
        meta = json.loads(bytes(z["meta"]).decode())
        return save_model(labels, attrs, z["W"], z["T"], {**meta, "o_bias": o_bias})


def as_counts(row: list[int]) -> Counts:
    return row[0], row[1], row[2]


def f1(row: list[int]) -> float:
    return prf(as_counts(row))[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--train-langs", default="en,de,pt,sv,ru")
    parser.add_argument("--c1", type=float, default=None)
    parser.add_argument("--c2", type=float, default=None)
    parser.add_argument("--o-bias", type=float, nargs="+", default=None)
    parser.add_argument("--folds", default="4", help="4 = tune_val; 0,1,2,3,4 = 5-fold CV")
    parser.add_argument("--types", action="store_true", help="also print P/R/F1 per type")
    parser.add_argument("--max-iter", type=int, default=200, help="L-BFGS iterations")
    parser.add_argument("--dump", type=Path, help="write the validation predictions (JSON)")
    parser.add_argument(
        "--own",
        nargs="*",
        default=[f"{lang}={copies}" for lang, copies in OWN_MODELS.items()],
        help="LANG=COPIES: LANG gets its own model, the pooled data plus COPIES mention-replaced "
        "copies of its sentences (default: the shipped OWN_MODELS; none: --own)",
    )
    parser.add_argument("--seed", type=int, default=AUGMENT_SEED, help="of the copies")
    parser.add_argument(
        "--average",
        type=int,
        default=1,
        help="an own model is the mean of this many, their copies seeded seed, seed+1, ...",
    )
    parser.add_argument(
        "--with-pooled", action="store_true", help="the pooled model joins each own model's mean"
    )
    args = parser.parse_args()
    own = {lang: int(copies) for lang, copies in (item.split("=") for item in args.own)}
    tagger = EntityTagger(russian="crf")
    biases: list[float | None] = list(args.o_bias) if args.o_bias else [None]
    tallies: dict[float | None, Tally] = {bias: {} for bias in biases}
    dumped: Dumped = []
    for fold in [int(f) for f in args.folds.split(",")]:
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "crf.npz"
            langs = args.train_langs.split(",")
            train(args.data, langs, "tune_fit", out, args.c1, args.c2, fold, args.max_iter)
            pooled = out.read_bytes()
            npz = dict.fromkeys(SCORED, pooled)
            for lang, copies in own.items():
                members = [pooled] if args.with_pooled else []
                for k in range(args.average):
                    train(
                        *(args.data, langs, "tune_fit", out, args.c1, args.c2, fold, args.max_iter),
                        augment_lang=lang,
                        copies=copies,
                        seed=args.seed + k,
                    )
                    members.append(out.read_bytes())
                npz[lang] = members[0] if len(members) == 1 else average_models(members)
        for bias in biases:
            models = {
                lang: model if bias is None else with_o_bias(model, bias)
                for lang, model in npz.items()
            }
            dump = dumped if args.dump and bias == biases[0] else None
            evaluate(tagger, models, args.data, fold, tallies[bias], dump)
    for bias, tally in tallies.items():
        row = "  ".join(
            f"{key} {f1(counts):.3f}" for key, counts in tally.items() if "." not in key
        )
        print(f"F1, folds {args.folds}, o_bias {'of the model' if bias is None else bias}: {row}")
        if args.types:
            for lang in SCORED:
                cells = "  ".join(
                    f"{t} " + "/".join(f"{x:.2f}" for x in prf(as_counts(tally[f"{lang}.{t}"])))
                    for t in SCORED_TYPES
                )
                print(f"  {lang}: {cells}")
    if args.dump:
        args.dump.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
