"""Skip connections: finite differences on a real function with the given local derivatives, and sympy."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from drill.solvers import get
from tests.conftest import variants_of


def numeric_dL_dx(local_grads: list[float], upstream: float, x0: float = 0.3, h: float = 1e-6) -> float:
    """Build F(x) = x + B(x) with B a chain of *nonlinear* maps whose derivatives at x0 are local_grads,
    set L = upstream·F, and differentiate L by a centred finite difference."""
    # Each map f_i(t) = g_i·(t − a_i) + 0.5·(t − a_i)² + c has f_i'(a_i) = g_i; a_i is the point reached.
    points = [x0]
    for g in local_grads:
        points.append(math.tanh(points[-1]))  # any value: where the next map is evaluated

    def branch(x: float) -> float:
        t = x
        for g, a, b in zip(local_grads, points[:-1], points[1:]):
            t = g * (t - a) + 0.5 * (t - a) ** 2 + b
        return t

    def loss(x: float) -> float:
        return upstream * (x + branch(x))

    return (loss(x0 + h) - loss(x0 - h)) / (2 * h)


def test_seed_key_0101(bank):
    q = bank.questions["residual-grad"]
    assert get(q.solver).solve(q.params) == pytest.approx(0.101, abs=1e-12)


@pytest.mark.parametrize("qid", ["residual-grad", "residual-grad-choice"])
def test_matches_finite_differences(bank, qid):
    for v in variants_of(bank, qid, 50):
        value = v.answer_value if v.choices else v.answer
        assert value == pytest.approx(numeric_dL_dx(v.params["local_grads"], v.params["upstream"]), rel=1e-6), v.params


def test_stacked_blocks_match_finite_differences(bank):
    for v in variants_of(bank, "stacked-residual-grad", 50):
        (a, b), (c, d) = v.params["local_grads"]
        u = v.params["upstream"]
        # Two linear blocks: F1 = x + b·a·x, F2 = F1 + d·c·F1, L = u·F2
        loss = lambda x: u * ((x + b * a * x) + d * c * (x + b * a * x))  # noqa: E731
        fd = (loss(0.7 + 1e-6) - loss(0.7 - 1e-6)) / 2e-6
        assert v.answer == pytest.approx(fd, rel=1e-6)


def test_sympy_derivative_of_residual_block():
    x = sp.symbols("x")
    G = sp.sin(x) / 2  # any branch; chain of G then H
    H = lambda t: t**3 / 3  # noqa: E731
    F = x + H(G)
    x0 = sp.Rational(2, 5)
    dG = sp.diff(G, x).subs(x, x0)
    dH = sp.diff(H(sp.Symbol("g")), sp.Symbol("g")).subs(sp.Symbol("g"), G.subs(x, x0))
    expected = float(sp.Rational(3, 10) * sp.diff(F, x).subs(x, x0))
    assert get("residual-grad").solve({"local_grads": [float(dG), float(dH)], "upstream": 0.3}) == pytest.approx(expected, rel=1e-12)


def test_seed_distractors_are_the_named_mistakes(bank):
    v = variants_of(bank, "residual-grad-choice", 0)[0]
    # 000's options: 0.1×0.1×0.1, 1 + 0.1×0.1×0.1, 0.3, 0, 0.2, 0.101, 0.11, 0.001, 0.1
    assert sorted(v.choices, key=float) == ["0", "0.001", "0.1", "0.101", "0.11", "0.2", "0.3", "1.001"]
    assert v.choices[ord(v.answer) - 65] == "0.101"
    letter = "ABCDEFGH"[v.choices.index("0.001")]
    assert v.grade(letter).mistake.startswith("forgot the identity path")
    assert v.grade("0.101").correct  # the option's text also counts


def test_numeric_grading_of_seed_forms(bank):
    v = variants_of(bank, "residual-grad", 0)[0]
    assert v.grade("0.1*(1+0.1**2)").correct
    assert v.grade("0.101").correct
    g = v.grade("0.001")
    assert g.status == "wrong" and g.mistake.startswith("forgot the identity path")
    assert v.grade("0.1").mistake.startswith("forgot the branch path")
