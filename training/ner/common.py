"""Training helpers: project gold spans onto our tokeniser, train CRFsuite, export to npz."""

from __future__ import annotations

import io
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.ner.crf import bio_spans, save_model
from agents.ner.features import FeatureSet
from agents.ner.text import Offsets, tokenize
from training.ner.corpus import GoldSpan, Sentence

ROOT = Path(__file__).resolve().parents[2]
MODEL_DIR = ROOT / "agents" / "ner" / "data"
HERE = Path(__file__).resolve().parent
Labelled = tuple[list[str], list[str]]  # (token types, BIO labels)


def project(sentence: Sentence, keep: tuple[str, ...]) -> tuple[list[str], list[str], Offsets, int]:
    """Our tokens and BIO labels from the gold character spans: (types, labels, offsets,
    number of gold entities whose boundary falls inside one of our tokens)."""
    offsets = tokenize(sentence.text)
    labels = ["O"] * len(offsets)
    misaligned = 0
    for start, end, kind in sentence.spans:
        if kind not in keep:
            continue
        inside = [i for i, (a, b) in enumerate(offsets) if a >= start and b <= end]
        if not inside or offsets[inside[0]][0] != start or offsets[inside[-1]][1] != end:
            misaligned += 1
        if not inside:
            continue
        labels[inside[0]] = "B-" + kind
        for i in inside[1:]:
            labels[i] = "I-" + kind
    return [sentence.text[a:b] for a, b in offsets], labels, offsets, misaligned


def augment(
    sentences: list[Sentence], pools: dict[str, list[str]], copies: int, seed: int
) -> list[Sentence]:
    """Mention replacement (400 training sentences are few): `copies` copies of each sentence
    with entities, every mention of a type in `pools` replaced by a mention of the same type
    drawn from `pools` (fixed seed: the same copies every run). The CRF sees each context with
    other names, and each name in other contexts."""
    rng = random.Random(seed)
    out: list[Sentence] = []
    for sentence in sentences:
        spans = sorted(s for s in sentence.spans if pools.get(s[2]))
        for _ in range(copies if spans else 0):
            text, new_spans, at = "", [], 0
            for start, end, kind in spans:
                if start < at:  # nested in the previous one
                    continue
                name = rng.choice(pools[kind])
                text += sentence.text[at:start]
                new_spans.append((len(text), len(text) + len(name), kind))
                text += name
                at = end
            out.append(Sentence(text + sentence.text[at:], [], [], [], new_spans))
    return out


def spans_from_labels(labels: list[str], offsets: Offsets) -> list[GoldSpan]:
    return [(offsets[a][0], offsets[b][1], kind) for a, b, kind in bio_spans(labels)]


def train_crf(
    features: FeatureSet,
    data: list[Labelled],
    out: Path,
    c1: float,
    c2: float,
    *,
    max_iter: int = 150,
    meta: dict[str, Any] | None = None,
    attrs: list[list[list[str]]] | None = None,
) -> None:
    """Train with CRFsuite (L-BFGS), export weights to `out` (npz), check the export.
    attrs: precomputed attributes per sentence (cross-fitted features), else built here."""
    import pycrfsuite  # the train extra: the rest of training/ is importable without it (tests)

    started = time.time()
    trainer = pycrfsuite.Trainer(verbose=False)
    check: list[list[list[str]]] = []
    for i, (types, labels) in enumerate(data):
        sequence = attrs[i] if attrs is not None else features.sequence_attrs(types)
        trainer.append(sequence, labels)
        if i < 200:
            check.append(sequence)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": max_iter,
            "feature.minfreq": 1,
            "feature.possible_transitions": True,
        }
    )
    with tempfile.TemporaryDirectory() as scratch:
        model_path = str(Path(scratch) / "model.crfsuite")
        trainer.train(model_path)
        tagger = pycrfsuite.Tagger()
        tagger.open(model_path)
        info = tagger.info()
        reference = [tagger.tag(sequence) for sequence in check]
    labels = sorted({label for _, row in data for label in row} | {"O"})
    label_index = {label: i for i, label in enumerate(labels)}
    names = sorted({attr for attr, _ in info.state_features})
    attr_index = {attr: i for i, attr in enumerate(names)}
    weights = np.zeros((len(names), len(labels)), dtype=np.float32)
    for (attr, label), weight in info.state_features.items():
        weights[attr_index[attr], label_index[label]] = weight
    transitions = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (before, after), weight in info.transitions.items():
        transitions[label_index[before], label_index[after]] = weight
    _check_export(check, reference, labels, attr_index, weights, transitions)
    full_meta = {"c1": c1, "c2": c2, "max_iter": max_iter, "profile": features.profile}
    full_meta |= {"n_train": len(data), **(meta or {})}
    out.write_bytes(save_model(labels, names, weights, transitions, full_meta))
    print(
        f"trained {out.name}: {len(names)} attrs x {len(labels)} labels in "
        f"{time.time() - started:.0f}s, {out.stat().st_size / 1e6:.2f} MB"
    )


def _check_export(
    sequences: list[list[list[str]]],
    reference: list[list[str]],
    labels: list[str],
    attr_index: dict[str, int],
    weights: npt.NDArray[np.float32],
    transitions: npt.NDArray[np.float32],
) -> None:
    """A plain Viterbi on the exported weights must reproduce CRFsuite's own tagging."""
    same = 0
    for sequence, want in zip(sequences, reference, strict=True):
        emissions = np.array(
            [
                weights[[attr_index[a] for a in attrs if a in attr_index]].sum(axis=0)
                for attrs in sequence
            ],
            dtype=np.float64,
        )
        n = len(sequence)
        score = emissions[0].copy()
        back = np.zeros((n, len(labels)), dtype=np.int64)
        for i in range(1, n):
            candidates = score[:, None] + transitions
            back[i] = candidates.argmax(axis=0)
            score = candidates.max(axis=0) + emissions[i]
        path = [int(score.argmax())]
        for i in range(n - 1, 0, -1):
            path.append(int(back[i, path[-1]]))
        same += [labels[p] for p in reversed(path)] == list(want)
    print(f"export check: {same}/{len(sequences)} sequences tagged identically to CRFsuite")
    if same != len(sequences):
        raise SystemExit("the exported model does not decode like CRFsuite")


def average_models(models: list[bytes]) -> bytes:
    """The mean of CRF models trained on the same labels with the same feature templates (e.g.
    the same data with differently seeded mention-replaced copies): weights and transitions
    averaged over the union of their attributes, which is itself one linear-chain CRF, so
    decoding costs what one model costs."""
    loaded = []
    for npz in models:
        with np.load(io.BytesIO(npz), allow_pickle=False) as z:
            loaded.append(
                (
                    bytes(z["labels"]).decode().split("\n"),
                    bytes(z["attrs"]).decode().split("\n"),
                    z["W"].astype(np.float64),
                    z["T"].astype(np.float64),
                    json.loads(bytes(z["meta"]).decode()),
                )
            )
    labels = loaded[0][0]
    if any(model[0] != labels for model in loaded):
        raise ValueError("models with different labels cannot be averaged")
    attrs = sorted({attr for model in loaded for attr in model[1]})
    row = {attr: i for i, attr in enumerate(attrs)}
    weights = np.zeros((len(attrs), len(labels)))
    transitions = np.zeros((len(labels), len(labels)))
    for _, model_attrs, w, t, _ in loaded:
        weights[[row[a] for a in model_attrs]] += w
        transitions += t
    meta = {**loaded[0][4], "averaged_models": len(models)}
    n = float(len(models))
    return save_model(
        labels, attrs, (weights / n).astype(np.float32), (transitions / n).astype(np.float32), meta
    )
