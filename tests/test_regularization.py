"""Regularization: finite differences of the penalized loss, PyTorch's SGD weight decay, autograd of |w|, F.dropout."""

from __future__ import annotations

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests._numeric import numerical_gradient
from tests.conftest import variants_of


def test_l2_grad_matches_finite_differences(bank):
    for v in variants_of(bank, "l2-penalty-grad", 50):
        w, g, lam = np.array(v.params["w"], float), np.array(v.params["grad"], float), v.params["lam"]
        # a data loss whose gradient at w is g: L_data(u) = g·u + ½‖u − w‖²
        loss = lambda u: g @ u + 0.5 * ((u - w) ** 2).sum() + lam * (u**2).sum()  # noqa: E731
        np.testing.assert_allclose(v.answer, numerical_gradient(loss, w), atol=1e-7)


def test_l1_subgradient_is_the_one_sided_average_and_zero_at_zero(bank):
    zeros_seen = 0
    for v in variants_of(bank, "l1-subgradient", 50):
        w, g, lam = np.array(v.params["w"], float), np.array(v.params["grad"], float), v.params["lam"]
        loss = lambda u: g @ u + lam * np.abs(u).sum()  # noqa: E731
        # away from 0 the centred difference is the derivative; at 0 it is the average of the
        # one-sided slopes (−λ and +λ), i.e. the subgradient 0 that the question states
        np.testing.assert_allclose(v.answer, numerical_gradient(loss, w), atol=1e-7)
        zeros_seen += int((w == 0).sum())
    assert zeros_seen > 0


def test_weight_decay_step_by_hand(bank):
    v = variants_of(bank, "weight-decay-step", 0)[0]
    assert v.answer == pytest.approx([0.94, -2.03])


def test_dropout_by_definition(bank):
    for v in variants_of(bank, "dropout-kept-value", 40):
        p, a = v.params["p"], v.params["a"]
        # expectation over keep/drop equals the activation: (1 − p)·out + p·0 = a
        assert (1 - p) * v.answer == pytest.approx(a, rel=1e-12)
    for v in variants_of(bank, "dropout-layer-output", 40):
        h, m, p = v.params["h"], v.params["mask"], v.params["p"]
        assert v.answer == pytest.approx([hi / (1 - p) if mi else 0.0 for hi, mi in zip(h, m)], rel=1e-12, abs=1e-12)


def test_torch_weight_decay_l1_and_dropout(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "weight-decay-step", 30):
        w = torch.tensor(v.params["w"], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], lr=v.params["lr"], weight_decay=v.params["lam"])
        (torch.tensor(v.params["grad"], dtype=torch.float64) @ w).backward()  # data gradient = grad
        opt.step()
        np.testing.assert_allclose(v.answer, w.detach().numpy(), rtol=1e-12, atol=1e-12)
    for v in variants_of(bank, "l1-subgradient", 30):
        w = torch.tensor(v.params["w"], dtype=torch.float64, requires_grad=True)
        loss = torch.tensor(v.params["grad"], dtype=torch.float64) @ w + v.params["lam"] * w.abs().sum()
        loss.backward()
        np.testing.assert_allclose(v.answer, w.grad.numpy(), atol=1e-12)
    for v in variants_of(bank, "l2-penalty-grad", 30):
        w = torch.tensor(v.params["w"], dtype=torch.float64, requires_grad=True)
        (torch.tensor(v.params["grad"], dtype=torch.float64) @ w + v.params["lam"] * (w**2).sum()).backward()
        np.testing.assert_allclose(v.answer, w.grad.numpy(), atol=1e-12)
    torch.manual_seed(0)
    for v in variants_of(bank, "dropout-kept-value", 20):
        out = torch.nn.functional.dropout(torch.full((2000,), float(v.params["a"]), dtype=torch.float64), p=v.params["p"], training=True)
        kept = out[out != 0]
        assert len(kept) > 0 and kept.unique().numel() == 1
        assert v.answer == pytest.approx(kept[0].item(), rel=1e-12)
