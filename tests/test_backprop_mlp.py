"""Backprop through a sigmoid MLP: centred finite differences of the loss, PyTorch autograd, the seed formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def loss(x, W1, b1, w2, b2, y) -> float:
    """Forward pass written with plain loops and math (no solver code)."""
    a = [1 / (1 + math.exp(-(sum(w * xi for w, xi in zip(row, x)) + b))) for row, b in zip(W1, b1)]
    z = sum(w * aj for w, aj in zip(w2, a)) + b2
    yhat = 1 / (1 + math.exp(-z))
    return -y * math.log(yhat) - (1 - y) * math.log(1 - yhat)


def args(p):
    return [p["x"], [list(r) for r in p["W1"]], list(p["b1"]), list(p["w2"]), p["b2"], p["y"]]


def fd_W1(p, j, i, h=1e-6) -> float:
    a = args(p)
    a[1][j][i] += h
    up = loss(*a)
    a[1][j][i] -= 2 * h
    return (up - loss(*a)) / (2 * h)


def fd_w2(p, j, h=1e-6) -> float:
    a = args(p)
    a[3][j] += h
    up = loss(*a)
    a[3][j] -= 2 * h
    return (up - loss(*a)) / (2 * h)


def test_hidden_weight_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "mlp-hidden-weight-grad", 60):
        p = v.params
        assert v.answer == pytest.approx(fd_W1(p, p["unit"] - 1, p["input"] - 1), abs=1e-8), p
        assert f"w_{p['unit']}{p['input']}^(1)" in v.prompt


def test_output_weight_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "mlp-output-weight-grad", 60):
        assert v.answer == pytest.approx(fd_w2(v.params, v.params["unit"] - 1), abs=1e-8)


def test_hidden_matrix_matches_finite_differences(bank):
    for v in variants_of(bank, "mlp-hidden-weight-grad-matrix", 40):
        p = v.params
        fd = [[fd_W1(p, j, i) for i in range(len(p["x"]))] for j in range(len(p["w2"]))]
        np.testing.assert_allclose(v.answer, fd, atol=1e-8)


def test_seed_formula_and_named_slips(bank):
    v = variants_of(bank, "mlp-hidden-weight-grad", 0)[0]
    s = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731
    a1, yhat = s(0.9), s(0.7 * s(0.9) - 0.4 * s(0.1))
    assert v.answer == pytest.approx((yhat - 1) * 0.7 * a1 * (1 - a1) * 1.5, rel=1e-12)  # 003's formula
    assert v.grade(str((yhat - 1) * 0.7 * 1.5)).mistake.startswith("forgot the hidden sigmoid")
    assert v.grade(str((yhat - 1) * -0.4 * a1 * (1 - a1) * 1.5)).mistake.startswith("used the other hidden unit")
    assert v.grade(str((yhat - 1) * 0.7 * a1 * (1 - a1))).mistake.startswith("forgot the input")
    assert v.grade(str(-v.answer)).mistake.startswith("flipped the sign")


def test_torch_autograd(bank):
    torch = torch_or_skip()
    for qid in ["mlp-hidden-weight-grad", "mlp-output-weight-grad", "mlp-hidden-weight-grad-matrix"]:
        for v in variants_of(bank, qid, 20):
            p = v.params
            t = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)  # noqa: E731
            W1, b1, w2, b2 = t(p["W1"]), t(p["b1"]), t(p["w2"]), t(float(p["b2"]))
            hidden = torch.nn.Linear(len(p["x"]), len(p["w2"])).double()
            with torch.no_grad():
                hidden.weight.copy_(W1)
                hidden.bias.copy_(b1)
            z = torch.sigmoid(hidden(torch.tensor(p["x"], dtype=torch.float64))) @ w2 + b2
            torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor(float(p["y"]), dtype=torch.float64)).backward()
            if qid == "mlp-hidden-weight-grad":
                assert v.answer == pytest.approx(hidden.weight.grad[p["unit"] - 1, p["input"] - 1].item(), abs=1e-12)
            elif qid == "mlp-output-weight-grad":
                assert v.answer == pytest.approx(w2.grad[p["unit"] - 1].item(), abs=1e-12)
            else:
                np.testing.assert_allclose(v.answer, hidden.weight.grad.numpy(), atol=1e-12)
