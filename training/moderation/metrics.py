"""Precision, recall, F1 and false-positive rate for training and bench/moderation_eval.py."""

from collections.abc import Sequence
from typing import NamedTuple


class Scores(NamedTuple):
    n: int
    positives: int
    precision: float
    recall: float
    f1: float
    fpr: float

    def line(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} FPR={self.fpr:.3f}"


def prf(gold: Sequence[int], predicted: Sequence[int]) -> Scores:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if not g and p)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    tn = len(gold) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(len(gold), tp + fn, precision, recall, f1, fp / (fp + tn) if fp + tn else 0.0)
