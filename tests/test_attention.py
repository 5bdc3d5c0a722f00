"""Attention: torch's scaled_dot_product_attention, naive loops over i and j, exact algebra (binomial pmf, sympy.stats) for Var(q·k)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from drill.solvers import get
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


def _exact_score_variance(d: int, scaled: bool) -> Fraction:
    """Var(q·k) exactly, for entries ±1 with probability 1/2 each (mean 0, variance 1): each
    product q_i·k_i is again ±1, so q·k = 2B − d with B ~ Binomial(d, 1/2); sum over its pmf."""
    pmf = [Fraction(math.comb(d, b), 2**d) for b in range(d + 1)]
    mean = sum(p * (2 * b - d) for b, p in enumerate(pmf))
    var = sum(p * (2 * b - d - mean) ** 2 for b, p in enumerate(pmf))
    return var / d if scaled else var


def test_score_variance_exactly_by_algebra(bank):
    seen = set()
    for v in variants_of(bank, "attention-score-variance", 40):
        d, scaled = v.params["d"], v.params["scale"] == "sqrt_d"
        seen.add((d, scaled))
        assert v.answer == _exact_score_variance(d, scaled), v.params  # exact: no tolerance
    assert len(seen) >= 6


def test_score_variance_for_gaussian_entries_by_sympy():
    """The same variance for normal entries, by sympy's expectation operator (d = 4 and √d scaling)."""
    import sympy as sp
    from sympy.stats import Normal, variance

    q = [Normal(f"q{i}", 0, 1) for i in range(4)]
    k = [Normal(f"k{i}", 0, 1) for i in range(4)]
    score = sum(a * b for a, b in zip(q, k))
    assert sp.simplify(variance(score)) == 4
    assert sp.simplify(variance(score / 2)) == 1
    assert get("attention-score-variance").solve({"d": 4, "scale": "none"}) == 4
    assert get("attention-score-variance").solve({"d": 4, "scale": "sqrt_d"}) == 1
