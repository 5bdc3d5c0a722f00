"""Activations: sympy differentiation of independent symbolic definitions, PyTorch values and autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from drill.core.safe_expr import evaluate
from drill.solvers.activations import ACTIVATIONS, SELU_ALPHA, SELU_LAMBDA
from tests._torch import torch_or_skip
from tests.conftest import variants_of

X = sp.Symbol("x", real=True)
A = sp.Symbol("a", positive=True)


def symbolic(name: str, a: float | None = None) -> sp.Expr:
    """Each activation written from its textbook definition, independently of the solver module."""
    a = sp.nsimplify(a) if a is not None else None
    sig = 1 / (1 + sp.exp(-X))
    return {
        "sigmoid": sig,
        "tanh": (sp.exp(X) - sp.exp(-X)) / (sp.exp(X) + sp.exp(-X)),
        "relu": sp.Piecewise((X, X > 0), (0, True)),
        "leaky_relu": sp.Piecewise((X, X >= 0), ((a if a is not None else sp.Rational(1, 100)) * X, True)),
        "elu": sp.Piecewise((X, X > 0), ((a if a is not None else 1) * (sp.exp(X) - 1), True)),
        "selu": sp.Float(SELU_LAMBDA) * sp.Piecewise((X, X > 0), (sp.Float(SELU_ALPHA) * (sp.exp(X) - 1), True)),
        "softplus": sp.log(1 + sp.exp(X)),
        "gelu": X * (1 + sp.erf(X / sp.sqrt(2))) / 2,
        "silu": X / (1 + sp.exp(-X)),
    }[name]


def sym_value(name: str, x: float, a: float | None = None) -> float:
    return float(symbolic(name, a).subs(X, sp.nsimplify(x)).evalf(30))


def sym_deriv(name: str, x: float, a: float | None = None) -> float:
    return float(sp.diff(symbolic(name, a), X).subs(X, sp.nsimplify(x)).evalf(30))


POINTS = [-2.7, -1.0, -0.3, 0.4, 1.5, 3.2]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_dict_matches_sympy(name):
    f, df = ACTIVATIONS[name]
    xs = np.array(POINTS)
    np.testing.assert_allclose(f(xs), [sym_value(name, x) for x in POINTS], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(df(xs), [sym_deriv(name, x) for x in POINTS], rtol=1e-12, atol=1e-14)
    assert f(xs.reshape(2, 3)).shape == (2, 3) and df(xs.reshape(3, 2)).shape == (3, 2)


def test_kink_conventions_and_stability_at_extremes():
    at0 = {name: float(df(np.array([0.0]))[0]) for name, (f, df) in ACTIVATIONS.items()}
    assert at0["relu"] == 0.0 and at0["leaky_relu"] == 0.01 and at0["elu"] == 1.0
    assert at0["selu"] == pytest.approx(SELU_LAMBDA * SELU_ALPHA)
    for name, (f, df) in ACTIVATIONS.items():
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            assert np.all(np.isfinite(f(np.array([-800.0, 800.0])))), name
            assert np.all(np.isfinite(df(np.array([-800.0, 800.0])))), name


def _a(params: dict) -> float | None:
    return {"leaky_relu": params.get("slope"), "elu": params.get("alpha")}.get(params["name"])


@pytest.mark.parametrize("qid", ["activation-value", "leaky-relu-family-value"])
def test_values_match_sympy(bank, qid):
    for v in variants_of(bank, qid, 40):
        p = v.params
        assert v.answer == pytest.approx(sym_value(p["name"], p["x"], _a(p)), rel=1e-10, abs=1e-12), p


# At the kink x = 0 the derivative is a convention, PyTorch's (stated in the prompt); by hand:
AT_KINK = {"relu": lambda a: 0.0, "leaky_relu": lambda a: a, "elu": lambda a: a, "selu": lambda a: SELU_LAMBDA * SELU_ALPHA}


@pytest.mark.parametrize("qid", ["activation-derivative", "selu-derivative", "gelu-derivative"])
def test_derivatives_match_sympy(bank, qid):
    for v in variants_of(bank, qid, 40):
        p = v.params
        if p["x"] == 0 and p["name"] in AT_KINK:
            assert v.answer == pytest.approx(AT_KINK[p["name"]](_a(p)), rel=1e-12), p
            continue
        assert v.answer == pytest.approx(sym_deriv(p["name"], p["x"], _a(p)), rel=1e-10, abs=1e-12), p


def test_variants_at_the_kink_state_pytorchs_convention(bank):
    """x = 0 is drawn; a piecewise derivative there states its convention in the prompt and
    the key is PyTorch's (issue 13: activation variants may include x = 0)."""
    from drill.core.variants import variant_from_params

    q = bank.questions["activation-derivative"]
    seen = 0
    for name, slope, alpha in [("relu", 0.1, 1.0), ("leaky_relu", 0.2, 1.0), ("elu", 0.1, 1.5), ("selu", 0.1, 1.0)]:
        v = variant_from_params(q, 1, {"name": name, "x": 0.0, "slope": slope, "alpha": alpha})
        assert "At the kink x = 0" in v.prompt and "PyTorch" in v.prompt, v.prompt
        a = slope if name == "leaky_relu" else alpha
        assert v.answer == pytest.approx(AT_KINK[name](a), rel=1e-12)
        assert v.grade("1").status == "wrong" or AT_KINK[name](a) == 1  # the other side's slope is not accepted
        seen += 1
    smooth = variant_from_params(q, 1, {"name": "tanh", "x": 0.0, "slope": 0.1, "alpha": 1.0})
    assert "kink" not in smooth.prompt and smooth.answer == 1.0
    silu = variant_from_params(bank.questions["activation-value"], 1, {"name": "silu", "x": 0.0, "slope": 0.1, "alpha": 1.0})
    assert silu.answer == 0.0 and all(math.isfinite(m) for m in silu.mistakes.values())
    assert seen == 4
    for qid in ("activation-value", "activation-derivative", "selu-derivative", "gelu-derivative"):
        assert "exclude" not in bank.questions[qid].vary["x"], qid  # x = 0 can be drawn


def test_derivative_formulas_match_sympy(bank):
    names = set()
    for v in variants_of(bank, "activation-derivative-formula", 30):
        name = v.params["name"]
        names.add(name)
        d = sp.diff(symbolic(name), X)
        for x in POINTS:
            assert evaluate(v.answer, {"x": x}) == pytest.approx(float(d.subs(X, sp.nsimplify(x)).evalf(30)), rel=1e-10)
        for mistake, wrong in v.mistakes.items():  # every named slip really differs from f'
            assert any(abs(evaluate(wrong, {"x": x}) - float(d.subs(X, sp.nsimplify(x)))) > 1e-3 for x in POINTS), mistake
    assert names == {"sigmoid", "tanh", "softplus", "silu", "gelu"}


def test_seed_keys_by_hand(bank):
    v = variants_of(bank, "activation-value", 0)[0]
    assert v.answer == pytest.approx(1.5 / (1 + math.exp(-1.5)), rel=1e-12)
    g = v.grade(str(1.5 / (1 - math.exp(-1.5))))  # 001's swish formula x / (1 − e^(−x))
    assert g.status == "wrong" and "001" in g.mistake
    assert variants_of(bank, "selu-derivative", 0)[0].answer == pytest.approx(1.0507 * 1.67326 * math.exp(-1))
    assert variants_of(bank, "gelu-derivative", 0)[0].answer == pytest.approx(0.841345 + 0.241971, abs=1e-6)


def _torch_fn(torch, name: str, a: float | None):
    F = torch.nn.functional
    return {
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, a if a is not None else 0.01),
        "elu": lambda t: F.elu(t, a if a is not None else 1.0), "selu": F.selu, "softplus": F.softplus,
        "gelu": F.gelu, "silu": F.silu,
    }[name]


def test_torch_values_and_autograd(bank):
    torch = torch_or_skip()
    for qid, deriv in [("activation-value", False), ("activation-derivative", True), ("leaky-relu-family-value", False)]:
        for v in variants_of(bank, qid, 40):
            p = v.params
            t = torch.tensor(float(p["x"]), dtype=torch.float64, requires_grad=True)
            y = _torch_fn(torch, p["name"], _a(p))(t)
            y.backward()
            got = t.grad.item() if deriv else y.item()
            # SELU: PyTorch uses λ, α to 16 digits; the question states 1.0507 and 1.67326
            rel = 1e-4 if p["name"] == "selu" else 1e-12
            assert v.answer == pytest.approx(got, rel=rel, abs=1e-12), p


def test_torch_activation_dict():
    torch = torch_or_skip()
    xs = np.linspace(-4, 4, 41)
    for name, (f, df) in ACTIVATIONS.items():
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        y = _torch_fn(torch, name, None)(t)
        y.sum().backward()
        rel = 1e-4 if name == "selu" else 1e-12
        np.testing.assert_allclose(f(xs), y.detach().numpy(), rtol=rel, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(df(xs), t.grad.numpy(), rtol=rel, atol=1e-12, err_msg=name)
