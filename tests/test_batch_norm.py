"""Batch norm: torch.nn.BatchNorm1d in training mode, a naive loop, and the hand-worked keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of

QIDS = ["batchnorm-forward", "batchnorm-small-variance"]


def _matrix(p):
    x = np.asarray(p["x"], dtype=float)
    return x[:, None] if x.ndim == 1 else x


def _answer(v):
    a = np.asarray(v.answer, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def naive_bn(x: list[list[float]], gamma: list[float], beta: list[float], eps: float) -> list[list[float]]:
    n, d = len(x), len(x[0])
    out = [[0.0] * d for _ in range(n)]
    for j in range(d):
        col = [x[i][j] for i in range(n)]
        mu = sum(col) / n
        var = sum((c - mu) ** 2 for c in col) / n
        for i in range(n):
            out[i][j] = gamma[j] * (col[i] - mu) / math.sqrt(var + eps) + beta[j]
    return out


@pytest.mark.parametrize("qid", QIDS)
def test_matches_naive_loop(bank, qid):
    for v in variants_of(bank, qid, 40):
        p = v.params
        x = _matrix(p)
        g, b = np.atleast_1d(p["gamma"]).tolist(), np.atleast_1d(p["beta"]).tolist()
        np.testing.assert_allclose(_answer(v), naive_bn(x.tolist(), g, b, p["eps"]), atol=1e-12)


@pytest.mark.parametrize("qid", QIDS)
def test_matches_torch_batchnorm1d_training_mode(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 40):
        p = v.params
        x = torch.tensor(_matrix(p), dtype=torch.float64)
        bn = torch.nn.BatchNorm1d(x.shape[1], eps=p["eps"], dtype=torch.float64).train()
        with torch.no_grad():
            bn.weight.copy_(torch.tensor(np.atleast_1d(p["gamma"]), dtype=torch.float64))
            bn.bias.copy_(torch.tensor(np.atleast_1d(p["beta"]), dtype=torch.float64))
            y = bn(x)
        np.testing.assert_allclose(_answer(v), y.numpy(), atol=1e-12)
        # the unbiased-variance slip is torch's default x.var(): it is graded wrong and named
        unbiased = (x - x.mean(0)) / torch.sqrt(x.var(0) + p["eps"]) * bn.weight.detach() + bn.bias.detach()
        u = unbiased.numpy()
        g = v.grade(str(u[:, 0].tolist() if v.atype.name == "vector" else u.tolist()))
        assert g.status == "wrong" and g.mistake.startswith("used the unbiased variance")


def test_seed_key_forward():
    from drill.solvers import get

    y = get("batchnorm-forward").solve({"x": [[1, 2], [1, 0], [5, 2], [5, 8]], "gamma": [2, 0.5], "beta": [0, 1], "eps": 0.0})
    np.testing.assert_allclose(y, [[-2, 5 / 6], [-2, 0.5], [2, 5 / 6], [2, 11 / 6]], atol=1e-12)


def test_eps_matters_only_when_variance_is_small(bank):
    v = variants_of(bank, "batchnorm-small-variance", 0)[0]
    assert v.grade("[-1, 1, -1, 1]").mistake == "forgot ε in √(σ² + ε)"
    big = variants_of(bank, "batchnorm-forward", 0)[0]
    assert not any("ε" in name for name in big.mistakes)  # ε = 1e-5 against σ² = 4 changes nothing visible


def test_zero_variance_feature_is_redrawn():
    from drill.solvers import InvalidParams, get

    with pytest.raises(InvalidParams, match="zero batch variance"):
        get("batchnorm-forward").solve({"x": [0.3, 0.3, 0.3], "gamma": 1, "beta": 0, "eps": 0.01})
