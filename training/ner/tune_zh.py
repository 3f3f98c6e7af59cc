"""Choices for the Chinese CRF: 5-fold cross-validation over TUNE (train on `tune_fit` of a
fold, score its `tune_val` through the EntityTagger with its post-rules, entity-level exact
match), ~500 validation sentences instead of tune_val's 100. TEST is never read here.

    python -m training.ner.tune_zh [--folds 0,1,2,3,4] [--o-bias 0 .5] [--copies 16]
        [--dump preds.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from agents.ner import EntityTagger
from agents.ner.crf import FloatArray, LinearCRF
from agents.ner.features import FeatureSet
from agents.ner.zh import ZhEmitter
from training.ner.corpus import DEFAULT_DATA, SCORED_TYPES, load, part, prf, score
from training.ner.train_zh import C1, C2, COPIES, train
from training.ner.tune_cased import Tally, as_counts, with_o_bias


def use_model(tagger: EntityTagger, npz: bytes, type_bias: dict[str, float]) -> None:
    """Swap the tagger's zh CRF (and its emitter) for another model; type_bias: experiment,
    added to the B-/I- emissions of a type."""
    tagger._crf_zh = LinearCRF(npz, FeatureSet("zh", tagger._gaz_zh))
    kinds = sorted({entry[0] for entry in tagger._gaz_zh.names.values()})
    tagger._zh_emitter = ZhEmitter(tagger._crf_zh, kinds, tagger._zh_words.tag_names)
    if type_bias:
        labels = tagger._crf_zh.labels
        add = np.array([type_bias.get(label[2:], 0.0) for label in labels])
        plain = tagger._zh_emitter.emissions

        def biased(*args: Any) -> FloatArray:
            scores: FloatArray = plain(*args) + add
            return scores

        tagger._zh_emitter.emissions = biased  # type: ignore[method-assign, assignment]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--c1", type=float, default=C1)
    parser.add_argument("--c2", type=float, default=C2)
    parser.add_argument("--o-bias", type=float, nargs="+", default=[0.0])
    parser.add_argument("--folds", default="0,1,2,3,4", help="4 = tune_val only")
    parser.add_argument("--type-bias", default="", help="e.g. ORG=.5,LOC=-.2 (experiment)")
    parser.add_argument("--copies", type=int, default=COPIES, help="mention-replaced copies")
    parser.add_argument("--dump", type=Path, help="write the validation predictions (JSON)")
    args = parser.parse_args()
    tagger = EntityTagger(russian="crf")
    type_bias = {k: float(v) for k, v in (x.split("=") for x in args.type_bias.split(",") if x)}
    sentences = load("zh", args.data)
    tallies: dict[float, Tally] = {bias: {} for bias in args.o_bias}
    dumped: list[dict[str, object]] = []
    for fold in [int(f) for f in args.folds.split(",")]:
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "crf.npz"
            fit = part(sentences, "zh", "tune_fit", fold)
            train(fit, out, args.c1, args.c2, 0.0, f"tune_fit fold {fold}", args.copies)
            npz = out.read_bytes()
        val = part(sentences, "zh", "tune_val", fold)
        for bias in args.o_bias:
            use_model(tagger, with_o_bias(npz, bias) if bias else npz, type_bias)
            found = tagger.tag_batch([(s.text, "zh") for s in val])
            predicted = [[(m.start, m.end, m.type) for m in mentions] for mentions in found]
            for key, row in score([s.spans for s in val], predicted).items():
                total = tallies[bias].setdefault(key, [0, 0, 0])
                for k in range(3):
                    total[k] += row[k]
            if bias == args.o_bias[0] and args.dump:
                dumped += [
                    {"fold": fold, "text": s.text, "gold": s.spans, "pred": p}
                    for s, p in zip(val, predicted, strict=True)
                ]
    for bias, tally in tallies.items():
        cells = "  ".join(
            f"{t} " + "/".join(f"{x:.3f}" for x in prf(as_counts(tally[t])))
            for t in ("ALL", *SCORED_TYPES)
        )
        print(f"zh P/R/F1, folds {args.folds}, o_bias {bias}: {cells}")
    if args.dump:
        args.dump.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
