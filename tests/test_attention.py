"""Attention: torch's scaled_dot_product_attention, naive loops over i and j, Monte Carlo for Var(q·k)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def naive_weights(Q, K) -> list[list[float]]:
    d = len(Q[0])
    out = []
    for q in Q:
        r = [sum(a * b for a, b in zip(q, k)) / math.sqrt(d) for k in K]
        z = sum(math.exp(x) for x in r)
        out.append([math.exp(x) / z for x in r])
    return out


def test_score_matches_naive_dot(bank):
    for v in variants_of(bank, "attention-score", 40):
        p = v.params
        q, k = p["Q"][p["i"]], p["K"][p["j"]]
        assert v.answer == pytest.approx(sum(a * b for a, b in zip(q, k)) / 2, abs=1e-12)


def test_weights_match_naive_loop_and_rows_sum_to_one(bank):
    for v in variants_of(bank, "attention-weights", 40):
        p = v.params
        np.testing.assert_allclose(v.answer, naive_weights(p["Q"], p["K"])[p["i"]], atol=1e-12)
        assert sum(v.answer) == pytest.approx(1.0)


def test_output_matches_naive_loop(bank):
    for v in variants_of(bank, "attention-output", 40):
        p = v.params
        w = naive_weights(p["Q"], p["K"])[p["i"]]
        c = [sum(w[j] * p["V"][j][c] for j in range(len(w))) for c in range(len(p["V"][0]))]
        np.testing.assert_allclose(v.answer, c, atol=1e-12)


@pytest.mark.parametrize("qid", ["attention-weights", "attention-output"])
def test_matches_torch_sdpa(bank, qid):
    torch = torch_or_skip()
    F = torch.nn.functional
    for v in variants_of(bank, qid, 30):
        p = v.params
        Q, K = (torch.tensor(p[n], dtype=torch.float64) for n in ("Q", "K"))
        if qid == "attention-weights":
            V = torch.eye(K.shape[0], dtype=torch.float64)  # attention applied to one-hot values = the weights
        else:
            V = torch.tensor(p["V"], dtype=torch.float64)
        out = F.scaled_dot_product_attention(Q[None], K[None], V[None])[0]
        np.testing.assert_allclose(v.answer, out[p["i"]].numpy(), atol=1e-12)
        # the wrong-axis slip: softmax down the columns of QKᵀ/√d
        wrong = torch.softmax(Q @ K.T / math.sqrt(Q.shape[1]), dim=0) @ V
        g = v.grade(str(wrong[p["i"]].tolist()))
        assert g.status == "wrong" and g.mistake and "wrong axis" in g.mistake


def test_seed_keys():
    from drill.solvers import get

    e = math.e
    params = {"Q": [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0]], "K": [[1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 1, 1]],
              "V": [[1, 0], [0, 1], [1, 1]], "i": 0}
    np.testing.assert_allclose(get("attention-weights").solve(params), [e / (2 * e + 1), 1 / (2 * e + 1), e / (2 * e + 1)])
    np.testing.assert_allclose(get("attention-output").solve(params), [2 * e / (2 * e + 1), (1 + e) / (2 * e + 1)])


def test_score_variance_by_monte_carlo(bank):
    rng = np.random.default_rng(0)
    n = 4000
    for v in variants_of(bank, "attention-score-variance", 12):
        d = v.params["d"]
        q, k = rng.standard_normal((n, d)), rng.standard_normal((n, d))
        s = (q * k).sum(axis=1)
        if v.params["scale"] == "sqrt_d":
            s = s / math.sqrt(d)
        # sample variance of n draws: relative standard error about sqrt(2/n) ≈ 2 %
        assert v.answer == pytest.approx(s.var(), rel=0.12), v.params
