"""Softmax/CE and sigmoid/BCE: finite differences of the loss, the seed key, PyTorch when installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from solvers import get
from tests._torch import torch_or_skip
from tests.conftest import variants_of


def ce_loss(z: np.ndarray, t: int) -> float:
    """Cross-entropy written the long way: −log of the normalized exponential (no stabilization)."""
    return -math.log(math.exp(z[t]) / sum(math.exp(v) for v in z))


def finite_diff_grad(f, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(z)
    for i in range(len(z)):
        e = np.zeros_like(z)
        e[i] = h
        g[i] = (f(z + e) - f(z - e)) / (2 * h)
    return g


def test_softmax_ce_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "softmax-ce-grad", 60):
        z, t = np.array(v.params["logits"], float), v.params["target"]
        np.testing.assert_allclose(v.answer, finite_diff_grad(lambda zz: ce_loss(zz, t), z), atol=1e-7)


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
        from drill.safe_expr import evaluate

        assert evaluate(text) == pytest.approx((bce(z + 1e-6, y) - bce(z - 1e-6, y)) / 2e-6, abs=1e-8)


def test_torch_cross_entropy_gradient(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "softmax-ce-grad", 20):
        z = torch.tensor(v.params["logits"], dtype=torch.float64, requires_grad=True)
        torch.nn.functional.cross_entropy(z[None], torch.tensor([v.params["target"]])).backward()
        np.testing.assert_allclose(v.answer, z.grad.numpy(), atol=1e-12)


def test_softmax_is_stable_for_large_logits():
    from solvers.softmax_ce import softmax

    p = softmax(np.array([1000.0, 999.0]))
    assert p == pytest.approx([1 / (1 + math.exp(-1)), 1 - 1 / (1 + math.exp(-1))])
