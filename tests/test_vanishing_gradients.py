"""Gradient flow through depth: brute-force products and loops, sympy for σ's maximum, finite differences, PyTorch."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def exact_power(factor: float, n: int) -> float:
    """factor^n by n exact multiplications of the decimal the user sees."""
    out = Fraction(1)
    for _ in range(n):
        out *= Fraction(str(factor))
    return float(out)


def test_slide_numbers_and_power_of_ten_slips(bank):
    v = variants_of(bank, "gradient-vanishing-product", 0)[0]
    e = variants_of(bank, "gradient-exploding-product", 0)[0]
    assert v.answer == pytest.approx(exact_power(0.8, 100), rel=1e-12)
    assert e.answer == pytest.approx(exact_power(1.5, 100), rel=1e-12)
    assert v.grade("2e-10").correct and e.grade("4e17").correct  # 003's rounded forms are within 5 %
    for q, k in [(v, v.answer), (e, e.answer)]:
        assert q.grade(repr(k * 10)).status == "wrong" and q.grade(repr(k / 10)).status == "wrong"
    assert v.grade(repr(0.8**99)).mistake.startswith("used 99 factors")


@pytest.mark.parametrize("qid", ["gradient-vanishing-product", "gradient-exploding-product"])
def test_depth_products_match_exact_multiplication(bank, qid):
    for v in variants_of(bank, qid, 40):
        assert v.answer == pytest.approx(exact_power(v.params["factor"], v.params["layers"]), rel=1e-12)


def test_layers_until_vanish_by_counting(bank):
    for v in variants_of(bank, "layers-until-vanish", 40):
        f, thr = Fraction(str(v.params["factor"])), Fraction(str(v.params["threshold"]))
        n, scale = 0, Fraction(1)
        while scale >= thr:
            scale *= f
            n += 1
        assert v.answer == n, v.params


def test_sigmoid_derivative_maximum_is_a_quarter():
    x = sp.Symbol("x", real=True)
    s = 1 / (1 + sp.exp(-x))
    d = sp.diff(s, x)
    crit = sp.solve(sp.Eq(sp.diff(d, x), 0), x)
    assert crit == [0] and sp.simplify(d.subs(x, 0)) == sp.Rational(1, 4)
    grid = np.linspace(-10, 10, 20001)
    sig = 1 / (1 + np.exp(-grid))
    assert (sig * (1 - sig)).max() == pytest.approx(0.25, abs=1e-12)


def test_sigmoid_bound_is_tight_and_holds(bank):
    rng = np.random.default_rng(0)
    for v in variants_of(bank, "sigmoid-derivative-bound", 40):
        n, w = v.params["layers"], v.params["weight"]
        assert v.answer == pytest.approx(float(Fraction(str(w)) ** n / 4**n), rel=1e-12)
        # every actual chain h_k = σ(w·h_(k−1)) stays within the bound
        for x in rng.uniform(-3, 3, 5):
            h, g = x, 1.0
            for _ in range(n):
                h = 1 / (1 + math.exp(-w * h))
                g *= w * h * (1 - h)
            assert abs(g) <= v.answer * (1 + 1e-12)


def chain(x: float, ws) -> float:
    h = x
    for w in ws:
        h = 1 / (1 + math.exp(-w * h))
    return h


def test_sigmoid_chain_matches_finite_differences(bank):
    for v in variants_of(bank, "sigmoid-chain-grad", 50):
        x, ws = v.params["x"], v.params["weights"]
        assert v.answer == pytest.approx((chain(x + 1e-6, ws) - chain(x - 1e-6, ws)) / 2e-6, abs=1e-9)


def test_torch_sigmoid_chain(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "sigmoid-chain-grad", 20):
        x = torch.tensor(float(v.params["x"]), dtype=torch.float64, requires_grad=True)
        h = x
        for w in v.params["weights"]:
            h = torch.sigmoid(w * h)
        h.backward()
        assert v.answer == pytest.approx(x.grad.item(), abs=1e-12)
