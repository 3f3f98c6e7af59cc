"""Rebuild agents/data/moderation_linear.npz: per-language hashed n-gram logistic-regression
heads (toxicity, insult, identity_attack, threat) on MLMA ar/en/fr (MIT) and Multilingual
HateCheck (CC BY 4.0), split by split.json (the test part is never read here).

    python -m training.moderation.train_moderation [--data ../shared/data] [--experiment]
        [--news-negatives]

1. Fit on TRAIN; pick each language's logit offset on DEV: the best dev F1 (toxic = any head
   over the offset) among offsets that flag at most MAX_CLEAN_FPR of the dev half of the clean
   news/web sentences. `--experiment` stops here and prints the dev figures (per data set,
   with the MLMA AUC); `--news-negatives` adds the NEWS_NEGATIVES rows to that experiment.
2. Refit on TRAIN+DEV with the same settings; every head of a language gets p = sigmoid(logit -
   offset), so one review threshold (0.5) means the same in every language. Deterministic
   (liblinear with a fixed random_state): the same data gives the same bytes. About 4 minutes.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agents.moderation_engine.hashed_linear import (
    Csr,
    FloatArray,
    Head,
    fit_idf,
    make_vectorizer,
    save_model,
    tfidf,
)
from agents.moderation_engine.moderator import MODEL_FILE
from agents.moderation_engine.textnorm import normalise
from training.moderation.data_split import (
    DEFAULT_DATA,
    MODEL_LANGS,
    Example,
    conll_sentences,
    load_clean,
    load_labelled,
    sha256,
)
from training.moderation.metrics import prf

HEADS = ("toxicity", "insult", "identity_attack", "threat")
C = 1.0
# Chosen on DEV (MLMA ar AUC 0.745 -> 0.755, best F1 under the clean-text limit 0.768 -> 0.802,
# HateCheck ar AUC unchanged): Arabic MLMA tweets count twice beside the HateCheck templates, with
# stronger regularisation. Other languages: C, weight 1.
LANGUAGE_C: dict[str, float] = {}
MLMA_WEIGHT = {"ar": 2.0}
MAX_CLEAN_FPR = 0.02
# `--news-negatives` (DEV experiment only, NOT in the shipped model): clean Arabic news sentences
# (CLEANANERCorp TRAIN, GPL-3.0) as extra non-toxic rows of the ar heads (not threat: it learns
# from HateCheck only). MLMA tweets and HateCheck templates never show the model plain news, so
# news scored near the boundary and the clean-text limit held the ar offset at +0.30. With them
# (DEV, model only): offset -0.40 at 0.7 % clean dev flagged, MLMA ar F1 0.767 -> 0.859, but only
# by flagging tweets: recall 0.70 -> 0.95, non-toxic-tweet FPR 0.34 -> 0.71, MLMA AUC 0.749 ->
# 0.731, HateCheck ar FPR 0.40 -> 0.75; 7 of 20 hand-written benign Arabic comments flagged
# (2 before), one rejected. It games the clean-news limit (news vs. tweet style), so it is off.
# The IDF stays fitted on the labelled rows, so the other languages' heads do not change.
NEWS_NEGATIVES = {
    "ar": (
        "train/ar_cleananercorp_train.conll",
        "de478e190be286739426fe5dc6c75ff188b7424654a7b475927db883e22c3ed2",
    )
}
OFFSETS = np.arange(-2.0, 4.01, 0.1)
Models = dict[str, dict[str, tuple[FloatArray, float]]]


def load_news(data: Path) -> list[Example]:
    """The NEWS_NEGATIVES sentences as non-toxic training rows (refused if the file changed)."""
    out: list[Example] = []
    for lang, (name, digest) in NEWS_NEGATIVES.items():
        if sha256(data / name) != digest:
            raise SystemExit(f"{data / name} is not the file the model was built from")
        out += [
            Example(text, lang, 0, "news", "train", source=name)
            for text in conll_sentences(data / name)
        ]
    return out


def fit_on(
    vectorizer: object, labelled: Sequence[Example], news: Sequence[Example]
) -> tuple[FloatArray, Models]:
    """Heads fitted on the labelled rows plus the news rows; the IDF from the labelled rows."""
    counts = featurise(vectorizer, labelled)
    idf = fit_idf(counts)
    if news:
        counts = sparse.vstack([counts, featurise(vectorizer, news)]).tocsr()
    x = tfidf(counts, idf)
    return idf, fit_models(x, [*labelled, *news])


def labels(examples: Sequence[Example], head: str) -> npt.NDArray[np.int8]:
    values = [e.toxic if head == "toxicity" else getattr(e, head) for e in examples]
    return np.array(values, dtype=np.int8)


def fit_head(
    x: Csr, y: npt.NDArray[np.int8], c: float, weights: FloatArray
) -> tuple[FloatArray, float] | None:
    if y.min() == y.max():
        return None
    model = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", max_iter=200, random_state=0
    )
    model.fit(x, y, sample_weight=weights)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def fit_models(x: Csr, examples: Sequence[Example]) -> Models:
    """One set of heads per language. The threat head learns from HateCheck rows only: MLMA has
    no threat label, so its rows would all count as non-threats."""
    models: Models = {}
    for lang in MODEL_LANGS:
        rows = [i for i, e in enumerate(examples) if e.lang == lang]
        models[lang] = {}
        for head in HEADS:
            keep = [i for i in rows if head != "threat" or examples[i].dataset == "hatecheck"]
            if not keep:
                continue
            chosen = [examples[i] for i in keep]
            weights = np.array(
                [MLMA_WEIGHT.get(lang, 1.0) if e.dataset == "mlma" else 1.0 for e in chosen],
                dtype=np.float32,
            )
            c = LANGUAGE_C.get(lang, C)
            fitted = fit_head(x[np.array(keep)], labels(chosen, head), c, weights)
            if fitted is not None:
                models[lang][head] = fitted
        print(f"  fitted {lang}: {sorted(models[lang])}", file=sys.stderr)
    return models


def max_logit(x: Csr, heads: dict[str, tuple[FloatArray, float]]) -> FloatArray:
    columns = [x @ coef + bias for coef, bias in heads.values()]
    result: FloatArray = np.max(np.vstack(columns), axis=0)
    return result


def choose_offset(z: FloatArray, gold: list[int], z_clean: FloatArray) -> tuple[float, str]:
    best: tuple[float, float, str] | None = None
    for z0 in OFFSETS:
        clean_fpr = float(np.mean(z_clean >= z0)) if len(z_clean) else 0.0
        if clean_fpr > MAX_CLEAN_FPR:
            continue
        scores = prf(gold, (z >= z0).astype(int).tolist())
        if best is None or scores.f1 > best[0] + 1e-9:
            best = (scores.f1, float(z0), f"dev {scores.line()} clean-dev FPR={clean_fpr:.3f}")
    assert best is not None
    return best[1], best[2]


def print_by_dataset(examples: Sequence[Example], z: FloatArray, offset: float) -> None:
    """The model's dev figures per data set (MLMA tweets and HateCheck templates differ), with
    the MLMA ranking quality (AUC): a threshold move changes F1, only a better model moves AUC."""
    for dataset in ("mlma", "hatecheck"):
        rows = [i for i, e in enumerate(examples) if e.dataset == dataset]
        if not rows:
            continue
        gold = [examples[i].toxic for i in rows]
        scores = prf(gold, (z[rows] >= offset).astype(int).tolist())
        auc = f" AUC={roc_auc_score(gold, z[rows]):.3f}" if dataset == "mlma" else ""
        print(f"      {dataset:<9} dev {scores.line()}{auc}")


def featurise(vectorizer: object, examples: Sequence[Example]) -> Csr:
    return vectorizer.transform([normalise(e.text) for e in examples]).tocsr()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--experiment", action="store_true", help="dev figures only")
    parser.add_argument(
        "--news-negatives", action="store_true", help="with --experiment: see NEWS_NEGATIVES"
    )
    args = parser.parse_args()
    if args.news_negatives and not args.experiment:
        parser.error("--news-negatives is a DEV experiment (see NEWS_NEGATIVES), not shipped")
    labelled = load_labelled(args.data)
    train = [e for e in labelled if e.split == "train"]
    dev = [e for e in labelled if e.split == "dev"]
    clean = [e for e in load_clean(args.data) if e.split == "dev"]
    news = load_news(args.data) if args.news_negatives else []
    vectorizer = make_vectorizer()
    idf, models = fit_on(vectorizer, train, news)
    x_dev = tfidf(featurise(vectorizer, dev), idf)
    x_clean = tfidf(featurise(vectorizer, clean), idf)
    offsets: dict[str, float] = {}
    for lang in MODEL_LANGS:
        rows = np.array([i for i, e in enumerate(dev) if e.lang == lang])
        clean_rows = np.array([i for i, e in enumerate(clean) if e.lang == lang])
        z_clean = max_logit(x_clean[clean_rows], models[lang]) if len(clean_rows) else np.zeros(0)
        gold = [dev[i].toxic for i in rows]
        z_dev = max_logit(x_dev[rows], models[lang])
        offsets[lang], report = choose_offset(z_dev, gold, z_clean.astype(np.float32))
        print(f"  {lang}: offset {offsets[lang]:+.2f}  {report}")
        if args.experiment:
            print_by_dataset([dev[i] for i in rows], z_dev, offsets[lang])
    if args.experiment:
        return

    idf, models = fit_on(vectorizer, train + dev, news)
    per_lang: dict[str, dict[str, Head]] = {}
    for lang in MODEL_LANGS:
        per_lang[lang] = {
            head: Head(coef, bias, 1.0, -offsets[lang])
            for head, (coef, bias) in models[lang].items()
        }
        # a head without labels (threat for en) is stored all-zero; the moderator reports None
        for head in HEADS:
            per_lang[lang].setdefault(head, Head(np.zeros(len(idf), np.float32), -20.0, 1.0, 0.0))
    save_model(MODEL_FILE, idf, HEADS, per_lang)
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
