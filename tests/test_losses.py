"""Losses: plain loops over the definitions (KL as cross-entropy minus entropy), and PyTorch's own losses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def hinge(w, x, b, y) -> float:
    return max(0.0, 1 - y * (sum(a * c for a, c in zip(w, x)) - b))


def test_binary_hinge_by_definition(bank):
    for v in variants_of(bank, "binary-hinge-loss", 60):
        p = v.params
        assert v.answer == pytest.approx(hinge(p["w"], p["x"], p["b"], p["y"]), abs=1e-12)
    v0 = variants_of(bank, "binary-hinge-loss", 0)[0]
    assert v0.answer == pytest.approx(1.7) and v0.grade("2.3").mistake.startswith("added b")


def test_svm_objective_by_definition(bank):
    for v in variants_of(bank, "svm-objective", 60):
        p = v.params
        reg = p["lam"] * sum(c * c for c in p["w"])
        data = sum(hinge(p["w"], row, p["b"], y) for row, y in zip(p["X"], p["y"])) / len(p["y"])
        assert v.answer == pytest.approx(reg + data, abs=1e-12)
        assert set(p["y"]) <= {-1, 1}


def test_multiclass_hinge_by_definition(bank):
    for v in variants_of(bank, "multiclass-hinge-loss", 60):
        s, t, d = v.params["scores"], v.params["target"], v.params["margin"]
        expected = 0.0
        for j in range(len(s)):
            if j != t:
                expected += max(0.0, s[j] - s[t] + d)
        assert v.answer == pytest.approx(expected, abs=1e-12)


def sqdist(u, v) -> float:
    return sum((a - b) ** 2 for a, b in zip(u, v))


def test_triplet_losses_by_definition(bank):
    for qid, d in [("triplet-loss-squared", sqdist), ("triplet-loss-euclidean", lambda u, v: math.sqrt(sqdist(u, v)))]:
        for v in variants_of(bank, qid, 60):
            p = v.params
            assert v.answer == pytest.approx(max(d(p["anchor"], p["positive"]) - d(p["anchor"], p["negative"]) + p["margin"], 0.0), abs=1e-12)
    sq = variants_of(bank, "triplet-loss-squared", 0)[0]
    assert sq.answer == pytest.approx(0.39)
    # the unsquared distances (PyTorch's default) are a named slip for 001's squared formula
    assert sq.grade(str(math.sqrt(0.32) - math.sqrt(0.13) + 0.2)).mistake.startswith("used plain Euclidean")


def entropy_bits_loop(P) -> float:
    return -sum(q * math.log2(q) for q in P)


def test_entropy_and_kl_by_definition(bank):
    for v in variants_of(bank, "distribution-entropy", 60):
        P = v.params["p"]
        assert sum(P) == pytest.approx(1) and min(P) > 0
        expected = entropy_bits_loop(P) if v.params["unit"] == "bits" else entropy_bits_loop(P) * math.log(2)
        assert v.answer == pytest.approx(expected, rel=1e-12)
        assert ("log base 2" in v.prompt) == (v.params["unit"] == "bits")
    for v in variants_of(bank, "kl-divergence", 60):
        P, Q = v.params["p"], v.params["q"]
        # KL = cross-entropy − entropy, computed the long way in bits
        kl_bits = -sum(a * math.log2(b) for a, b in zip(P, Q)) - entropy_bits_loop(P)
        expected = kl_bits if v.params["unit"] == "bits" else kl_bits * math.log(2)
        assert v.answer == pytest.approx(expected, rel=1e-9, abs=1e-12)
        assert v.answer >= -1e-12  # Gibbs' inequality


def test_kl_seed_key_and_slips(bank):
    v = variants_of(bank, "kl-divergence", 0)[0]
    assert v.answer == pytest.approx(0.876934 - 0.183258 - 0.109861, abs=2e-6)
    reverse = 0.2 * math.log(0.2 / 0.7) + 0.5 * math.log(0.5 / 0.2) + 0.3 * math.log(0.3 / 0.1)
    assert v.grade(str(reverse)).mistake.startswith("reversed the direction")
    assert v.grade(str(v.answer / math.log(2))).mistake.startswith("gave the answer in bits")


def test_torch_losses(bank):
    torch = torch_or_skip()
    F = torch.nn.functional
    T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    for v in variants_of(bank, "multiclass-hinge-loss", 30):
        s = T([v.params["scores"]])
        k = s.shape[1]  # MultiMarginLoss divides the sum by the number of classes
        got = F.multi_margin_loss(s, torch.tensor([v.params["target"]]), margin=v.params["margin"]).item() * k
        assert v.answer == pytest.approx(got, abs=1e-12)
    for v in variants_of(bank, "triplet-loss-euclidean", 30):
        a, p, n = (T([v.params[k]]) for k in ("anchor", "positive", "negative"))
        assert v.answer == pytest.approx(F.triplet_margin_loss(a, p, n, margin=v.params["margin"]).item(), abs=1e-5)
    for v in variants_of(bank, "triplet-loss-squared", 30):
        a, p, n = (T([v.params[k]]) for k in ("anchor", "positive", "negative"))
        got = F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda u, w: ((u - w) ** 2).sum(-1), margin=v.params["margin"])
        assert v.answer == pytest.approx(got.item(), abs=1e-12)
    for v in variants_of(bank, "kl-divergence", 30):
        P, Q = T(v.params["p"]), T(v.params["q"])
        nats = F.kl_div(Q.log(), P, reduction="sum").item()  # kl_div(input=log Q, target=P) = KL(P‖Q)
        assert v.answer == pytest.approx(nats if v.params["unit"] == "nats" else nats / math.log(2), rel=1e-9)
    for v in variants_of(bank, "distribution-entropy", 30):
        nats = torch.distributions.Categorical(probs=T(v.params["p"])).entropy().item()
        assert v.answer == pytest.approx(nats if v.params["unit"] == "nats" else nats / math.log(2), rel=1e-9)
    for v in variants_of(bank, "binary-hinge-loss", 30):
        w, x = T(v.params["w"]), T(v.params["x"])
        score = (w @ x - v.params["b"]).reshape(1)
        # hinge via PyTorch's MultiMarginLoss on two "class scores" [−s/2, s/2] with target (y + 1)/2, margin 1:
        two = torch.stack([-score / 2, score / 2], 1)
        got = F.multi_margin_loss(two, torch.tensor([(v.params["y"] + 1) // 2]), margin=1.0).item() * 2
        assert v.answer == pytest.approx(got, abs=1e-12)
