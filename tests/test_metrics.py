"""Classification metrics: brute-force counts over the expanded sample list, the ROC curve
integrated by the trapezoid rule, scikit-learn when installed, and the published keys."""

from __future__ import annotations

import pytest

from tests.conftest import variants_of
from tests._torch import optional

CONFUSION_QIDS = ["precision-recall-confusion", "f1-from-confusion", "specificity-from-confusion", "accuracy-imbalanced"]


def samples(confusion: list[list[int]]) -> tuple[list[int], list[int]]:
    """(y_true, y_pred) with one entry per sample: C[a][b] samples of actual a, predicted b."""
    y_true, y_pred = [], []
    for a in (0, 1):
        for b in (0, 1):
            y_true += [a] * confusion[a][b]
            y_pred += [b] * confusion[a][b]
    return y_true, y_pred


def brute_metrics(y_true: list[int], y_pred: list[int]) -> dict[str, float]:
    """Every metric by looping over the samples, from the definitions in words."""
    pred_pos = [t for t, q in zip(y_true, y_pred) if q == 1]
    actual_pos = [q for t, q in zip(y_true, y_pred) if t == 1]
    actual_neg = [q for t, q in zip(y_true, y_pred) if t == 0]
    precision = sum(pred_pos) / len(pred_pos)  # share of predicted positives that are positive
    recall = sum(actual_pos) / len(actual_pos)  # share of actual positives predicted positive
    return {
        "precision": precision,
        "recall": recall,
        "specificity": actual_neg.count(0) / len(actual_neg),
        "accuracy": sum(t == q for t, q in zip(y_true, y_pred)) / len(y_true),
        "f1": 1 / ((1 / precision + 1 / recall) / 2),  # the harmonic mean, written as one
    }


def expected(qid: str, m: dict[str, float]):
    return {
        "precision-recall-confusion": [m["precision"], m["recall"]],
        "f1-from-confusion": m["f1"],
        "specificity-from-confusion": m["specificity"],
        "accuracy-imbalanced": m["accuracy"],
    }[qid]


@pytest.mark.parametrize("qid", CONFUSION_QIDS)
def test_confusion_metrics_match_brute_force_counts(bank, qid):
    for v in variants_of(bank, qid, 60):
        m = brute_metrics(*samples(v.params["confusion"]))
        assert v.answer == pytest.approx(expected(qid, m), rel=1e-12), v.params


@pytest.mark.parametrize("qid", CONFUSION_QIDS)
def test_confusion_metrics_match_sklearn(bank, qid):
    sk = optional("sklearn.metrics", "scikit-learn")
    for v in variants_of(bank, qid, 30):
        yt, yp = samples(v.params["confusion"])
        assert sk.confusion_matrix(yt, yp, labels=[0, 1]).tolist() == v.params["confusion"]  # the stated layout
        m = {
            "precision": sk.precision_score(yt, yp), "recall": sk.recall_score(yt, yp),
            "specificity": sk.recall_score(yt, yp, pos_label=0), "accuracy": sk.accuracy_score(yt, yp),
            "f1": sk.f1_score(yt, yp),
        }
        assert v.answer == pytest.approx(expected(qid, m), rel=1e-12), v.params


def test_published_keys(bank):
    pr = variants_of(bank, "precision-recall-confusion", 0)[0]
    assert pr.answer == pytest.approx([0.5, 1 / 9])
    assert variants_of(bank, "accuracy-imbalanced", 0)[0].answer == pytest.approx(0.91)
    assert variants_of(bank, "f1-from-confusion", 0)[0].answer == pytest.approx(2 / 11)
    assert variants_of(bank, "roc-auc-from-scores", 0)[0].answer == pytest.approx(0.75)
    assert variants_of(bank, "pr-at-threshold", 0)[0].answer == pytest.approx([2 / 3, 1])


def roc_trapezoid(labels: list[int], scores: list[float]) -> float:
    """Area under the ROC curve: sweep the threshold down through every distinct score, join
    the (FPR, TPR) points with straight lines and integrate (a tie moves diagonally: half credit)."""
    pos, neg = labels.count(1), labels.count(0)
    points = [(0.0, 0.0)]
    for t in sorted(set(scores), reverse=True):
        tp = sum(1 for y, s in zip(labels, scores) if s >= t and y == 1)
        fp = sum(1 for y, s in zip(labels, scores) if s >= t and y == 0)
        points.append((fp / neg, tp / pos))
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(points, points[1:]))


def test_auc_matches_the_roc_curve_area(bank):
    tied = 0
    for v in variants_of(bank, "roc-auc-from-scores", 100):
        y, s = v.params["labels"], v.params["scores"]
        assert v.answer == pytest.approx(roc_trapezoid(y, s), abs=1e-12), v.params
        tied += any(a == b for a, ya in zip(s, y) for b, yb in zip(s, y) if ya == 1 and yb == 0)
    assert tied > 20  # the tie rule is exercised, not just stated


def test_auc_matches_sklearn(bank):
    sk = optional("sklearn.metrics", "scikit-learn")
    for v in variants_of(bank, "roc-auc-from-scores", 60):
        assert v.answer == pytest.approx(sk.roc_auc_score(v.params["labels"], v.params["scores"]), abs=1e-12)


def test_pr_at_threshold_matches_brute_force(bank):
    sk = None
    try:
        import sklearn.metrics as sk
    except Exception:  # noqa: BLE001 - an optional reference that cannot load: brute force alone
        pass
    for v in variants_of(bank, "pr-at-threshold", 60):
        y, s, t = v.params["labels"], v.params["scores"], v.params["threshold"]
        pred = [int(x >= t) for x in s]
        m = brute_metrics(y, pred)
        assert v.answer == pytest.approx([m["precision"], m["recall"]], rel=1e-12), v.params
        if sk is not None:
            assert v.answer == pytest.approx([sk.precision_score(y, pred), sk.recall_score(y, pred)], rel=1e-12)


def test_grading_right_wrong_unreadable(bank):
    v = variants_of(bank, "precision-recall-confusion", 0)[0]
    assert v.grade("[0.5, 0.111]").correct
    assert v.grade("1/2, 1/9").correct
    g = v.grade("[0.111, 0.5]")
    assert g.status == "wrong" and g.mistake.startswith("swapped precision and recall")
    assert v.grade("[0.5, ").status == "unreadable"

    f1 = variants_of(bank, "f1-from-confusion", 0)[0]
    assert f1.grade("0.182").correct
    assert f1.grade("0.3056").mistake.startswith("took the arithmetic mean")
    assert f1.grade("0.1.2").status == "unreadable"

    spec = variants_of(bank, "specificity-from-confusion", 0)[0]
    assert spec.grade("0.833").correct
    assert spec.grade("0.875").mistake.startswith("gave the recall")
    assert spec.grade("50/55").mistake.startswith("used FN where FP goes")

    acc = variants_of(bank, "accuracy-imbalanced", 0)[0]
    assert acc.grade("91/100").correct
    assert acc.grade("0.09").mistake.startswith("gave the error rate")

    auc = variants_of(bank, "roc-auc-from-scores", 0)[0]
    assert auc.grade("3/4").correct
    assert auc.grade("0.25").mistake.startswith("counted the pairs where the negative")

    pr = variants_of(bank, "pr-at-threshold", 0)[0]
    assert pr.grade("[0.667, 1]").correct
    assert pr.grade("[0.5, 0.5]").mistake.startswith("predicted positive only when score > 0.35")
    assert pr.grade("[1, 0.667]").mistake == "swapped precision and recall"


def test_tie_rule_on_a_tied_sample():
    from drill.solvers import get

    sol = get("roc-auc-pairs").run({"labels": [1, 0, 1, 0], "scores": [0.5, 0.5, 0.9, 0.1]})
    # pairs: (0.5, 0.5) tie, (0.5, 0.1) right, (0.9, 0.5) right, (0.9, 0.1) right
    assert sol.answer == pytest.approx(3.5 / 4)
    assert sol.mistakes["counted a tie as 0 instead of 1/2"] == pytest.approx(3 / 4)
    assert sol.mistakes["counted a tie as 1 instead of 1/2"] == pytest.approx(1.0)
