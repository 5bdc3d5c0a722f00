"""Binary classification metrics: rates from a confusion matrix, ROC AUC by counting pairs,
precision and recall at a score threshold.

Class 1 is the positive class. The confusion matrix is laid out as scikit-learn's
``confusion_matrix(y_true, y_pred, labels=[0, 1])``: rows = actual class, columns = predicted::

    C = [[TN, FP],
         [FN, TP]]

    accuracy    = (TP + TN) / N            precision   = TP / (TP + FP)
    recall      = TP / (TP + FN)           specificity = TN / (TN + FP)
    F1          = 2·P·R / (P + R) = 2·TP / (2·TP + FP + FN)   (the harmonic mean of P and R)

ROC AUC = the probability that a random positive scores above a random negative, over all
n₊·n₋ (positive, negative) pairs, a tie counting 1/2 (as scikit-learn's ``roc_auc_score``).
At a threshold t a sample is predicted positive when its score ≥ t.
"""

from __future__ import annotations

import bisect
import math

from . import InvalidParams, Solution, formula, solver
from ._params import Num, Vector, CONFUSION
from ._fmt import fmt


def _cells(p: dict) -> tuple[int, int, int, int]:
    """(TN, FP, FN, TP) from ``confusion`` = [[TN, FP], [FN, TP]]."""
    c = p["confusion"]
    if not (isinstance(c, list) and len(c) == 2 and all(isinstance(r, list) and len(r) == 2 for r in c)):
        raise InvalidParams(f"confusion must be a 2×2 matrix [[TN, FP], [FN, TP]], got {c!r}")
    (tn, fp), (fn, tp) = c
    cells = tuple(int(v) for v in (tn, fp, fn, tp))
    if any(v < 0 for v in cells) or any(v != int(v) for v in (tn, fp, fn, tp)):
        raise InvalidParams(f"confusion counts must be non-negative integers, got {c!r}")
    return cells  # type: ignore[return-value]


def _div(a: float, b: float, what: str) -> float:
    if b == 0:
        raise InvalidParams(f"{what} is undefined: its denominator is 0")
    return a / b


def _read_cells(tn: int, fp: int, fn: int, tp: int) -> str:
    return (f"Read the cells (rows = actual, columns = predicted, class 1 positive): "
            f"TN = {tn}, FP = {fp} (top row); FN = {fn}, TP = {tp} (bottom row)")


def _rates(p: dict) -> dict[str, float]:
    tn, fp, fn, tp = _cells(p)
    n = tn + fp + fn + tp
    return {
        "tn": tn, "fp": fp, "fn": fn, "tp": tp, "n": n,
        "accuracy": _div(tp + tn, n, "accuracy"),
        "precision": _div(tp, tp + fp, "precision"),
        "recall": _div(tp, tp + fn, "recall"),
        "specificity": _div(tn, tn + fp, "specificity"),
        "npv": _div(tn, tn + fn, "the negative predictive value"),
    }


@solver("precision-recall-confusion", params={
    "confusion": CONFUSION,
})
def precision_recall_confusion(p: dict) -> Solution:
    """[precision, recall] of the positive class from C = [[TN, FP], [FN, TP]]."""
    r = _rates(p)
    tn, fp, fn, tp, n = r["tn"], r["fp"], r["fn"], r["tp"], r["n"]
    P, R = r["precision"], r["recall"]
    if tp == 0:
        raise InvalidParams("TP = 0 makes precision and recall both 0")
    steps = [
        _read_cells(tn, fp, fn, tp),
        f"Precision = TP / (TP + FP) = {tp} / ({tp} + {fp}) = {fmt(P, 4)}  (of the predicted positives, how many are positive)",
        f"Recall = TP / (TP + FN) = {tp} / ({tp} + {fn}) = {fmt(R, 4)}  (of the actual positives, how many were found)",
        f"[precision, recall] = [{fmt(P, 4)}, {fmt(R, 4)}]",
    ]
    mistakes = {
        "swapped precision and recall (or read the matrix transposed)": [R, P],
        "used FN where FP goes in precision: TP / (TP + FN)": [R, R],
        "used FP where FN goes in recall: TP / (TP + FP)": [P, P],
        "divided TP by the whole sample N for both": [tp / n, tp / n],
    }
    f = formula("TP/(TP + FP)", name="precision", target=0, TP=("true positives", tp), FP=("false positives", fp))
    return Solution([P, R], steps, mistakes, formulas=[f])


@solver("f1-confusion", params={
    "confusion": CONFUSION,
})
def f1_confusion(p: dict) -> Solution:
    """F1 of the positive class: the harmonic mean of precision and recall."""
    r = _rates(p)
    tn, fp, fn, tp = r["tn"], r["fp"], r["fn"], r["tp"]
    P, R = r["precision"], r["recall"]
    if tp == 0:
        raise InvalidParams("TP = 0 makes F1 0")
    f1 = 2 * P * R / (P + R)
    steps = [
        _read_cells(tn, fp, fn, tp),
        f"Precision P = {tp} / ({tp} + {fp}) = {fmt(P, 4)}, recall R = {tp} / ({tp} + {fn}) = {fmt(R, 4)}",
        f"F1 = 2·P·R / (P + R) = 2·{fmt(P, 4)}·{fmt(R, 4)} / {fmt(P + R, 4)} = {fmt(f1, 4)}",
        f"Check: 2·TP / (2·TP + FP + FN) = {2 * tp} / {2 * tp + fp + fn} = {fmt(2 * tp / (2 * tp + fp + fn), 4)}",
    ]
    mistakes = {
        "took the arithmetic mean (P + R)/2 instead of the harmonic mean": (P + R) / 2,
        "took the geometric mean √(P·R)": math.sqrt(P * R),
        "forgot the factor 2: P·R / (P + R)": P * R / (P + R),
        "gave the accuracy (TP + TN)/N": r["accuracy"],
    }
    f = formula("2*P*R/(P + R)", name="F1", P=("precision TP/(TP + FP)", P), R=("recall TP/(TP + FN)", R))
    return Solution(f1, steps, mistakes, formulas=[f])


@solver("specificity-confusion", params={
    "confusion": CONFUSION,
})
def specificity_confusion(p: dict) -> Solution:
    """Specificity (true-negative rate) TN / (TN + FP)."""
    r = _rates(p)
    tn, fp, fn, tp = r["tn"], r["fp"], r["fn"], r["tp"]
    spec = r["specificity"]
    steps = [
        _read_cells(tn, fp, fn, tp),
        "Specificity is the recall of the negative class: of the actual negatives (top row), the share predicted negative.",
        f"Specificity = TN / (TN + FP) = {tn} / ({tn} + {fp}) = {fmt(spec, 4)}",
        f"(The false-positive rate on the ROC curve's x-axis is 1 − specificity = {fmt(1 - spec, 4)}.)",
    ]
    mistakes = {
        "gave the recall (sensitivity) TP / (TP + FN) instead": r["recall"],
        "gave the false-positive rate FP / (FP + TN) = 1 − specificity": 1 - spec,
        "used FN where FP goes: TN / (TN + FN) is the negative predictive value": r["npv"],
    }
    f = formula("TN/(TN + FP)", name="specificity", TN=("true negatives", tn), FP=("false positives", fp))
    return Solution(spec, steps, mistakes, formulas=[f])


@solver("accuracy-confusion", params={
    "confusion": CONFUSION,
})
def accuracy_confusion(p: dict) -> Solution:
    """Accuracy (TP + TN) / N."""
    r = _rates(p)
    tn, fp, fn, tp, n = r["tn"], r["fp"], r["fn"], r["tp"], r["n"]
    acc = r["accuracy"]
    balanced = (r["recall"] + r["specificity"]) / 2
    steps = [
        _read_cells(tn, fp, fn, tp),
        f"Correct predictions are the diagonal: TP + TN = {tp} + {tn} = {tp + tn}; N = {n}",
        f"Accuracy = (TP + TN) / N = {tp + tn} / {n} = {fmt(acc, 4)}",
        f"(Recall is only {fmt(r['recall'], 4)} here: with few positives, accuracy hides a poor positive class.)",
    ]
    mistakes = {
        "gave the error rate (FP + FN) / N": (fp + fn) / n,
        "left out the true negatives: TP / N": tp / n,
        "gave the balanced accuracy (recall + specificity) / 2": balanced,
    }
    f = formula("(TP + TN)/(TP + TN + FP + FN)", name="accuracy", TP=("true positives", tp), TN=("true negatives", tn),
                FP=("false positives", fp), FN=("false negatives", fn))
    return Solution(acc, steps, mistakes, formulas=[f])


def _scored(p: dict) -> tuple[list[int], list[float]]:
    y = [int(v) for v in p["labels"]]
    s = [float(v) for v in p["scores"]]
    if len(y) != len(s) or not set(y) <= {0, 1}:
        raise InvalidParams("labels (0/1) and scores must be lists of the same length")
    if 1 not in y or 0 not in y:
        raise InvalidParams("the sample needs at least one positive and one negative")
    return y, s


@solver("roc-auc-pairs", params={
    "labels": Vector("each example's true label (0 or 1), of shape (N,)", ints=True, lo=0, hi=1, example=[0, 0, 1, 1]),
    "scores": Vector("each example's score, of shape (N,)", example=[0.1, 0.4, 0.35, 0.8]),
})
def roc_auc_pairs(p: dict) -> Solution:
    """ROC AUC by counting (positive, negative) pairs; a tie counts 1/2."""
    y, s = _scored(p)
    pos = [si for yi, si in zip(y, s) if yi == 1]
    neg = [si for yi, si in zip(y, s) if yi == 0]
    ranked = sorted(neg)  # counted by bisection: linearithmic, not one test per pair (10,000 scores are 25 M pairs)
    above = sum(bisect.bisect_left(ranked, a) for a in pos)
    ties = sum(bisect.bisect_right(ranked, a) - bisect.bisect_left(ranked, a) for a in pos)
    below = len(pos) * len(neg) - above - ties
    pairs = len(pos) * len(neg)
    auc = (above + 0.5 * ties) / pairs
    n = len(y)
    steps = [
        f"Positive scores: {fmt(pos)}; negative scores: {fmt(neg)}",
        f"{len(pos)} positives × {len(neg)} negatives = {pairs} pairs",
        f"Pairs with the positive scored higher: {above}; tied: {ties}; positive lower: {below}",
        f"AUC = (higher + ½·tied) / pairs = ({above} + ½·{ties}) / {pairs} = {fmt(auc, 4)}",
    ]
    mistakes = {
        "counted a tie as 0 instead of 1/2": above / pairs,
        "counted a tie as 1 instead of 1/2": (above + ties) / pairs,
        "counted the pairs where the negative scores higher (1 − AUC)": (below + 0.5 * ties) / pairs,
        "divided by all n(n − 1)/2 pairs of samples instead of positives × negatives": (above + 0.5 * ties) / (n * (n - 1) / 2),
    }
    f = formula("(n_above + n_tied/2)/(n_pos*n_neg)", name="AUC", n_above=("pairs with the positive scored higher", above),
                n_tied=("tied pairs", ties), n_pos=("positives", len(pos)), n_neg=("negatives", len(neg)))
    return Solution(auc, steps, mistakes, formulas=[f])


@solver("pr-at-threshold", params={
    "labels": Vector("each example's true label (0 or 1), of shape (N,)", ints=True, lo=0, hi=1, example=[0, 0, 1, 1]),
    "scores": Vector("each example's score, of shape (N,)", example=[0.1, 0.4, 0.35, 0.8]),
    "threshold": Num("scores at or above it are predicted positive", example=0.35),
})
def pr_at_threshold(p: dict) -> Solution:
    """[precision, recall] when a sample is predicted positive at score ≥ threshold."""
    y, s = _scored(p)
    t = float(p["threshold"])

    def counts(pred: list[bool]) -> tuple[int, int, int]:
        tp = sum(1 for yi, q in zip(y, pred) if q and yi == 1)
        fp = sum(1 for yi, q in zip(y, pred) if q and yi == 0)
        fn = sum(1 for yi, q in zip(y, pred) if not q and yi == 1)
        return tp, fp, fn

    tp, fp, fn = counts([si >= t for si in s])
    if tp + fp == 0 or tp == 0:
        raise InvalidParams("no true positive at this threshold")
    P, R = tp / (tp + fp), tp / (tp + fn)
    kept = [i for i, si in enumerate(s) if si >= t]
    steps = [
        f"Predicted positive: score ≥ {fmt(t)} — samples {kept} (0-based), with labels {[y[i] for i in kept]}",
        f"TP = {tp} (predicted positive, label 1), FP = {fp} (predicted positive, label 0), FN = {fn} (label 1 scored below {fmt(t)})",
        f"Precision = TP / (TP + FP) = {tp} / {tp + fp} = {fmt(P, 4)}; recall = TP / (TP + FN) = {tp} / {tp + fn} = {fmt(R, 4)}",
        "Raising the threshold predicts fewer positives: recall can only fall, precision usually rises.",
    ]
    mistakes = {
        "swapped precision and recall": [R, P],
        "used FP where FN goes in recall: TP / (TP + FP)": [P, P],
    }
    stp, sfp, sfn = counts([si > t for si in s])
    if stp > 0:
        mistakes[f"predicted positive only when score > {fmt(t)} (strictly), not ≥"] = [stp / (stp + sfp), stp / (stp + sfn)]
    f = formula("TP/(TP + FP)", name="precision", target=0, TP=("true positives (label 1, score ≥ threshold)", tp),
                FP=("false positives (label 0, score ≥ threshold)", fp))
    return Solution([P, R], steps, mistakes, formulas=[f])
