"""Softmax/CE and sigmoid/BCE: finite differences of the loss, the seed key, PyTorch when installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drill.solvers import get
from tests._numeric import numerical_gradient
from tests._torch import torch_or_skip
from tests.conftest import variants_of


def ce_loss(z: np.ndarray, t: int) -> float:
    """Cross-entropy written the long way: −log of the normalized exponential (no stabilization)."""
    return -math.log(math.exp(z[t]) / sum(math.exp(v) for v in z))


def test_softmax_ce_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "softmax-ce-grad", 60):
        z, t = np.array(v.params["logits"], float), v.params["target"]
        np.testing.assert_allclose(v.answer, numerical_gradient(lambda zz: ce_loss(zz, t), z), atol=1e-7)


def test_softmax_ce_loss_matches_long_form(bank):
    for v in variants_of(bank, "softmax-ce-loss", 60):
        assert v.answer == pytest.approx(ce_loss(v.params["logits"], v.params["target"]), rel=1e-12)


def bce(z: float, y: int) -> float:
    yhat = 1 / (1 + math.exp(-z))
    return -y * math.log(yhat) - (1 - y) * math.log(1 - yhat)


def test_sigmoid_bce_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "sigmoid-bce-grad", 60):
        z, y = v.params["z"], v.params["y"]
        assert v.answer == pytest.approx((bce(z + 1e-6, y) - bce(z - 1e-6, y)) / 2e-6, abs=1e-8)


def test_seed_key_sigmoid2_minus_1(bank):
    v = variants_of(bank, "sigmoid-bce-grad", 0)[0]
    assert v.answer == pytest.approx(1 / (1 + math.exp(-2)) - 1, abs=1e-15)
    assert v.grade("σ(2) − 1").correct and v.grade("-0.1192").correct
    assert v.grade("0.1192").notes[-1] == "the sign is flipped"


def test_seed_choice_key(bank):
    v = variants_of(bank, "sigmoid-bce-choice", 0)[0]
    assert sorted(v.choices) == sorted(["σ(2) − 1", "σ(2)", "−σ(2)", "1 − σ(2)", "−1"])
    assert v.choices["ABCDE".index(v.answer)] == "σ(2) − 1"


def test_symbolic_choice_is_numerically_right(bank):
    for v in variants_of(bank, "sigmoid-bce-choice", 30):
        z, y = v.params["z"], v.params["y"]
        text = v.choices["ABCDE".index(v.answer)].replace("σ", "sigmoid").replace("−", "-")
        from drill.core.safe_expr import evaluate

        assert evaluate(text) == pytest.approx((bce(z + 1e-6, y) - bce(z - 1e-6, y)) / 2e-6, abs=1e-8)


def test_torch_cross_entropy_gradient(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "softmax-ce-grad", 20):
        z = torch.tensor(v.params["logits"], dtype=torch.float64, requires_grad=True)
        torch.nn.functional.cross_entropy(z[None], torch.tensor([v.params["target"]])).backward()
        np.testing.assert_allclose(v.answer, z.grad.numpy(), atol=1e-12)


def test_softmax_is_stable_for_large_logits():
    from drill.solvers.softmax_ce import softmax

    p = softmax(np.array([1000.0, 999.0]))
    assert p == pytest.approx([1 / (1 + math.exp(-1)), 1 - 1 / (1 + math.exp(-1))])


# --- softmax values, Jacobian, stable log-sum-exp, soft targets, label smoothing ----------------


def softmax_long(z) -> list[float]:
    e = [math.exp(v) for v in z]
    return [v / sum(e) for v in e]


def test_softmax_values_long_form(bank):
    for v in variants_of(bank, "softmax-values", 40):
        np.testing.assert_allclose(v.answer, softmax_long(v.params["logits"]), rtol=1e-12)


def test_softmax_jacobian_matches_finite_differences(bank):
    for v in variants_of(bank, "softmax-jacobian", 40):
        z = np.array(v.params["logits"], float)
        rows = [numerical_gradient(lambda zz, i=i: softmax_long(zz)[i], z) for i in range(len(z))]
        np.testing.assert_allclose(v.answer, np.array(rows), atol=1e-8)  # row i = ∂p_i/∂z


def test_softmax_seed_keys_by_hand(bank):
    p = [math.exp(2) / (math.exp(2) + math.e + math.exp(0.1)), math.e / (math.exp(2) + math.e + math.exp(0.1))]
    v = variants_of(bank, "softmax-values", 0)[0]
    assert v.answer[:2] == pytest.approx(p, rel=1e-12)
    j = variants_of(bank, "softmax-jacobian", 0)[0]
    assert j.answer[0][0] == pytest.approx(p[0] * (1 - p[0])) and j.answer[0][1] == pytest.approx(-p[0] * p[1])
    assert j.grade("[[0.2247,0.1598,0.06496],[0.1598,0.1837,0.0239],[0.06496,0.0239,0.08885]]").mistake.startswith("flipped the sign")


def lse_mp(z) -> float:
    """logsumexp in 50-digit arithmetic, where exp(800) does not overflow."""
    import mpmath

    with mpmath.workdps(50):
        return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(repr(float(x)))) for x in z)))


def big_logits(params) -> list[float]:
    return [params["shift"] + o for o in params["offsets"]]


def test_logsumexp_matches_high_precision(bank):
    for v in variants_of(bank, "logsumexp-stable", 40):
        z = big_logits(v.params)
        with np.errstate(over="ignore"):
            assert not np.isfinite(np.log(np.exp(np.array(z)).sum()))  # the naive form really overflows
        assert v.answer == pytest.approx(lse_mp(z), abs=1e-9)
        assert f"{max(z):g}" in v.prompt


def test_ce_large_logits_matches_high_precision(bank):
    for v in variants_of(bank, "ce-large-logits", 40):
        z = big_logits(v.params)
        assert v.answer == pytest.approx(lse_mp(z) - z[v.params["target"]], abs=1e-9)
    assert variants_of(bank, "ce-large-logits", 0)[0].answer == pytest.approx(2 + math.log(1 + math.exp(-1) + math.exp(-2)))


def soft_ce_long(z, y) -> float:
    p = softmax_long(z)
    return -sum(yi * math.log(pi) for yi, pi in zip(y, p))


def smoothed(k: int, t: int, eps: float) -> list[float]:
    return [(1 - eps) * (i == t) + eps / k for i in range(k)]


def test_soft_target_and_label_smoothing_long_form(bank):
    for v in variants_of(bank, "soft-target-ce", 40):
        y = v.params["soft_target"]
        assert sum(y) == pytest.approx(1) and min(y) >= 0.05 - 1e-12
        assert v.answer == pytest.approx(soft_ce_long(v.params["logits"], y), rel=1e-12)
    for v in variants_of(bank, "label-smoothing-ce", 40):
        z, t, eps = v.params["logits"], v.params["target"], v.params["epsilon"]
        assert v.answer == pytest.approx(soft_ce_long(z, smoothed(len(z), t, eps)), rel=1e-12)


def test_label_smoothing_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "label-smoothing-grad", 40):
        z, t, eps = np.array(v.params["logits"], float), v.params["target"], v.params["epsilon"]
        y = smoothed(len(z), t, eps)
        np.testing.assert_allclose(v.answer, numerical_gradient(lambda zz: soft_ce_long(zz, y), z), atol=1e-7)


def test_label_smoothing_seed_key(bank):
    v = variants_of(bank, "label-smoothing-ce", 0)[0]
    lse = math.log(math.exp(2) + math.e + math.exp(0.1))
    assert v.answer == pytest.approx(0.9 * (lse - 2) + 0.1 / 3 * (3 * lse - 3.1), rel=1e-12)
    other_convention = 0.9 * (lse - 2) + 0.05 * (2 * lse - 1.1)  # ε/(K−1) on the other classes
    assert v.grade(str(other_convention)).mistake.startswith("used ε/(K − 1)")


def test_torch_softmax_family(bank):
    torch = torch_or_skip()
    F = torch.nn.functional
    for v in variants_of(bank, "softmax-values", 20):
        np.testing.assert_allclose(v.answer, F.softmax(torch.tensor(v.params["logits"], dtype=torch.float64), 0).numpy(), rtol=1e-12)
    for v in variants_of(bank, "softmax-jacobian", 20):
        z = torch.tensor(v.params["logits"], dtype=torch.float64)
        jac = torch.autograd.functional.jacobian(lambda t: F.softmax(t, 0), z)
        np.testing.assert_allclose(v.answer, jac.numpy(), atol=1e-12)
    for v in variants_of(bank, "logsumexp-stable", 20):
        assert v.answer == pytest.approx(torch.logsumexp(torch.tensor(big_logits(v.params), dtype=torch.float64), 0).item(), abs=1e-9)
    for v in variants_of(bank, "ce-large-logits", 20):
        z = torch.tensor([big_logits(v.params)], dtype=torch.float64)
        assert v.answer == pytest.approx(F.cross_entropy(z, torch.tensor([v.params["target"]])).item(), abs=1e-9)
    for v in variants_of(bank, "soft-target-ce", 20):
        z = torch.tensor([v.params["logits"]], dtype=torch.float64)
        y = torch.tensor([v.params["soft_target"]], dtype=torch.float64)
        assert v.answer == pytest.approx(F.cross_entropy(z, y).item(), rel=1e-12)
    for qid in ["label-smoothing-ce", "label-smoothing-grad"]:
        for v in variants_of(bank, qid, 20):
            z = torch.tensor([v.params["logits"]], dtype=torch.float64, requires_grad=True)
            loss = F.cross_entropy(z, torch.tensor([v.params["target"]]), label_smoothing=v.params["epsilon"])
            loss.backward()
            if qid == "label-smoothing-ce":
                assert v.answer == pytest.approx(loss.item(), rel=1e-12)
            else:
                np.testing.assert_allclose(v.answer, z.grad[0].numpy(), atol=1e-12)
