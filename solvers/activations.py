"""Activation functions: value f(x) and derivative f'(x) at a point, and f' as a formula.

Definitions (x a scalar or an ndarray of any shape; results have the same shape)::

    sigmoid     σ(x) = 1 / (1 + e^(−x))                σ' = σ(1 − σ)
    tanh        tanh x = 2σ(2x) − 1                    tanh' = 1 − tanh²
    relu        max(0, x)                              1 for x > 0, 0 for x ≤ 0 (ReLU'(0) = 0, as PyTorch)
    leaky_relu  x for x ≥ 0, a·x for x < 0             1 for x > 0, a for x ≤ 0     (slope a, default 0.01)
    elu         x for x > 0, α(e^x − 1) for x ≤ 0      1 for x > 0, α·e^x for x ≤ 0  (α, default 1)
    selu        λ·elu_α(x), λ = 1.0507, α = 1.67326    λ for x > 0, λα·e^x for x ≤ 0
    softplus    ln(1 + e^x)                            σ(x)
    gelu        x·Φ(x) (exact; Φ the standard normal CDF)   Φ(x) + x·φ(x)
    silu        x·σ(x)  (swish-1) = x / (1 + e^(−x))   σ(x)·(1 + x(1 − σ(x)))

:data:`ACTIVATIONS` maps each name to ``(f, f_prime)``, NumPy-vectorised with the default
constants above (for plotting). At the kink x = 0 the derivatives follow PyTorch's autograd:
ReLU'(0) = 0, leaky ReLU'(0) = a, ELU'(0) = α, SELU'(0) = λα. The solvers use :data:`TABLE`, whose rows also carry the
definition shown in prompts, the derivative as a formula, and the classic slips.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import Formula, InvalidParams, Solution, formula, solver
from ._params import Num, Text
from ._fmt import fmt

__all__ = ["ACTIVATIONS", "TABLE", "SELU_LAMBDA", "SELU_ALPHA", "LEAKY_SLOPE", "ELU_ALPHA"]

SELU_LAMBDA = 1.0507
SELU_ALPHA = 1.67326
LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_erf = np.vectorize(math.erf, otypes=[float])


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


def sigmoid(x):
    x = _arr(x)
    e = np.exp(-np.abs(x))  # stable on both sides
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def d_sigmoid(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    return np.tanh(_arr(x))


def d_tanh(x):
    return 1.0 - np.tanh(_arr(x)) ** 2


def relu(x):
    return np.maximum(_arr(x), 0.0)


def d_relu(x):
    return (_arr(x) > 0).astype(float)


def leaky_relu(x, slope: float = LEAKY_SLOPE):
    x = _arr(x)
    return np.where(x >= 0, x, slope * x)


def d_leaky_relu(x, slope: float = LEAKY_SLOPE):
    return np.where(_arr(x) > 0, 1.0, slope)


def elu(x, alpha: float = ELU_ALPHA):
    x = _arr(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def d_elu(x, alpha: float = ELU_ALPHA):
    x = _arr(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def selu(x):
    return SELU_LAMBDA * elu(x, SELU_ALPHA)


def d_selu(x):
    return SELU_LAMBDA * d_elu(x, SELU_ALPHA)


def softplus(x):
    x = _arr(x)
    return np.logaddexp(0.0, x)


def d_softplus(x):
    return sigmoid(x)


def std_normal_cdf(x):
    return 0.5 * (1.0 + _erf(_arr(x) / _SQRT2))


def std_normal_pdf(x):
    x = _arr(x)
    return np.exp(-0.5 * x * x) / _SQRT2PI


def gelu(x):
    return _arr(x) * std_normal_cdf(x)


def d_gelu(x):
    return std_normal_cdf(x) + _arr(x) * std_normal_pdf(x)


def silu(x):
    return _arr(x) * sigmoid(x)


def d_silu(x):
    s = sigmoid(x)
    return s * (1.0 + _arr(x) * (1.0 - s))


ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (sigmoid, d_sigmoid),
    "tanh": (tanh, d_tanh),
    "relu": (relu, d_relu),
    "leaky_relu": (leaky_relu, d_leaky_relu),
    "elu": (elu, d_elu),
    "selu": (selu, d_selu),
    "softplus": (softplus, d_softplus),
    "gelu": (gelu, d_gelu),
    "silu": (silu, d_silu),
}


# --- the solvers' table: scalar f, f', their definitions and the classic slips ------------------


def _f(fn: Callable, x: float, *args: float) -> float:
    return float(fn(x, *args))


@dataclass(frozen=True)
class Row:
    """One activation for the solvers; ``a`` is the slope (leaky ReLU) or α (ELU), else unused."""

    title: str
    definition: Callable[[float], str]  # the definition shown in the prompt, constants stated
    value_slips: Callable[[float, float], dict[str, float]]
    deriv_slips: Callable[[float, float], dict[str, float]]
    formula: str = ""  # f'(x) in drill's expression syntax ("" = piecewise, no formula question)
    formula_slips: tuple[tuple[str, str], ...] = ()


def _sig(x: float) -> float:
    return _f(sigmoid, x)


def _Phi(x: float) -> float:
    return _f(std_normal_cdf, x)


def _phi(x: float) -> float:
    return _f(std_normal_pdf, x)


TABLE: dict[str, Row] = {
    "sigmoid": Row(
        "sigmoid",
        lambda a: "the sigmoid σ(x) = 1 / (1 + e^(−x))",
        lambda x, a: {
            "used e^(+x) in the denominator (that is σ(−x))": _sig(-x),
            "used tanh instead of the sigmoid": math.tanh(x),
        },
        lambda x, a: {
            "gave σ(x) itself, not its derivative": _sig(x),
            "used tanh's rule 1 − σ(x)²": 1 - _sig(x) ** 2,
            "dropped the (1 − σ) factor: σ'(x) ≠ σ(x)²": _sig(x) ** 2,
        },
        "sigmoid(x)*(1 - sigmoid(x))",
        (("gave σ(x) itself, not its derivative", "sigmoid(x)"),
         ("used tanh's rule 1 − σ(x)²", "1 - sigmoid(x)**2"),
         ("sign slip in the chain rule of (1 + e^(−x))^(−1): −σ(x)(1 − σ(x))", "-sigmoid(x)*(1 - sigmoid(x))")),
    ),
    "tanh": Row(
        "tanh",
        lambda a: "tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1",
        lambda x, a: {
            "forgot the − 1 in 2σ(2x) − 1": 2 * _sig(2 * x),
            "used 2σ(x) − 1 (forgot the 2x inside)": 2 * _sig(x) - 1,
            "used the sigmoid σ(x) instead of tanh": _sig(x),
        },
        lambda x, a: {
            "forgot to square: 1 − tanh(x)": 1 - math.tanh(x),
            "used the sigmoid's rule tanh(x)(1 − tanh(x))": math.tanh(x) * (1 - math.tanh(x)),
            "gave tanh(x) itself, not its derivative": math.tanh(x),
            "sign slip: 1 + tanh(x)²": 1 + math.tanh(x) ** 2,
        },
        "1 - tanh(x)**2",
        (("forgot to square: 1 − tanh(x)", "1 - tanh(x)"),
         ("used the sigmoid's rule tanh(x)(1 − tanh(x))", "tanh(x)*(1 - tanh(x))"),
         ("sech(x) = 1/cosh(x) instead of sech²(x)", "1/cosh(x)"),
         ("sign slip: 1 + tanh(x)²", "1 + tanh(x)**2")),
    ),
    "relu": Row(
        "ReLU",
        lambda a: "ReLU(x) = max(0, x), with ReLU'(0) taken as 0",
        lambda x, a: {"passed x through unchanged (identity)": x, "used |x|": abs(x)},
        lambda x, a: {"gave ReLU(x) itself, not its derivative": max(0.0, x), "swapped the two sides (1 for x < 0)": float(x < 0)},
    ),
    "leaky_relu": Row(
        "leaky ReLU",
        lambda a: f"the leaky ReLU f(x) = x for x ≥ 0 and {fmt(a)}·x for x < 0",
        lambda x, a: {"used the plain ReLU (no leak)": max(0.0, x), "passed x through unchanged (identity)": x},
        lambda x, a: {
            "used the plain ReLU's derivative (0 for x < 0)": float(x > 0),
            "gave f(x) itself, not its derivative": x if x >= 0 else a * x,
            "used 1 everywhere (identity)": 1.0,
        },
    ),
    "elu": Row(
        "ELU",
        lambda a: f"the ELU with α = {fmt(a)}: f(x) = x for x > 0 and α(e^x − 1) for x ≤ 0",
        lambda x, a: {
            "forgot the − 1: α·e^x": a * math.exp(x),
            "forgot α: e^x − 1": math.expm1(x),
            "used the plain ReLU (0 for x < 0)": max(0.0, x),
        },
        lambda x, a: {
            "gave f(x) = α(e^x − 1) itself, not its derivative": a * math.expm1(x) if x <= 0 else x,
            "forgot α: e^x": math.exp(x) if x <= 0 else 1.0,
            "used the plain ReLU's derivative (0 for x < 0)": float(x > 0),
        },
    ),
    "selu": Row(
        "SELU",
        lambda a: (f"the SELU f(x) = λ·x for x > 0 and λ·α(e^x − 1) for x ≤ 0, with λ = {fmt(SELU_LAMBDA)} "
                   f"and α = {fmt(SELU_ALPHA)}"),
        lambda x, a: {
            "forgot the scale λ": x if x > 0 else SELU_ALPHA * math.expm1(x),
            "forgot α (for x ≤ 0)": SELU_LAMBDA * math.expm1(x) if x <= 0 else SELU_LAMBDA * x,
            "forgot the − 1: λα·e^x": SELU_LAMBDA * SELU_ALPHA * math.exp(x) if x <= 0 else SELU_LAMBDA * x,
        },
        lambda x, a: {
            "forgot the scale λ": 1.0 if x > 0 else SELU_ALPHA * math.exp(x),
            "forgot α (for x ≤ 0)": SELU_LAMBDA if x > 0 else SELU_LAMBDA * math.exp(x),
            "gave f(x) itself, not its derivative": SELU_LAMBDA * (x if x > 0 else SELU_ALPHA * math.expm1(x)),
        },
    ),
    "softplus": Row(
        "softplus",
        lambda a: "softplus(x) = ln(1 + e^x) (natural log)",
        lambda x, a: {
            "used e^(−x) inside: ln(1 + e^(−x))": math.log1p(math.exp(-x)),
            "used log base 10": math.log10(1 + math.exp(x)),
            "gave σ(x) (that is its derivative)": _sig(x),
        },
        lambda x, a: {
            "gave ln(1 + e^x) itself, not its derivative": _f(softplus, x),
            "sign slip: 1 / (1 + e^x) = σ(−x)": _sig(-x),
            "differentiated only the inside: e^x": math.exp(x),
        },
        "sigmoid(x)",
        (("sign slip: 1 / (1 + e^x) = σ(−x)", "sigmoid(-x)"),
         ("gave ln(1 + e^x) itself, not its derivative", "log(1 + exp(x))"),
         ("differentiated only the inside: e^x", "exp(x)")),
    ),
    "gelu": Row(
        "GELU",
        lambda a: "the exact GELU f(x) = x·Φ(x), Φ the standard normal CDF: Φ(x) = (1 + erf(x/√2)) / 2",
        lambda x, a: {
            "used the density φ(x) instead of the CDF Φ(x)": x * _phi(x),
            "used x·σ(x) (that is SiLU/swish)": x * _sig(x),
            "gave Φ(x) alone (forgot the factor x)": _Phi(x),
        },
        lambda x, a: {
            "forgot the product rule: Φ(x) only": _Phi(x),
            "forgot the product rule: x·φ(x) only": x * _phi(x),
            "dropped the x in the second term: Φ(x) + φ(x)": _Phi(x) + _phi(x),
        },
        "(1 + erf(x/sqrt(2)))/2 + x*exp(-x**2/2)/sqrt(2*pi)",
        (("forgot the product rule: Φ(x) only", "(1 + erf(x/sqrt(2)))/2"),
         ("forgot the product rule: x·φ(x) only", "x*exp(-x**2/2)/sqrt(2*pi)"),
         ("dropped the x in the second term: Φ(x) + φ(x)", "(1 + erf(x/sqrt(2)))/2 + exp(-x**2/2)/sqrt(2*pi)")),
    ),
    "silu": Row(
        "SiLU (swish)",
        lambda a: "SiLU/swish f(x) = x·σ(x) = x / (1 + e^(−x))",
        lambda x, a: {
            "used x / (1 − e^(−x)) (a sign slip, as written in the 001 notes)": x / -math.expm1(-x) if x else math.nan,
            "gave σ(x) alone (forgot the factor x)": _sig(x),
            "used x·σ(−x) = x / (1 + e^x)": x * _sig(-x),
        },
        lambda x, a: {
            "forgot the product rule: σ(x) only": _sig(x),
            "forgot the product rule: x·σ'(x) only": x * _sig(x) * (1 - _sig(x)),
            "gave the sigmoid's derivative σ(x)(1 − σ(x))": _sig(x) * (1 - _sig(x)),
        },
        "sigmoid(x) + x*sigmoid(x)*(1 - sigmoid(x))",
        (("forgot the product rule: σ(x) only", "sigmoid(x)"),
         ("forgot the product rule: x·σ'(x) only", "x*sigmoid(x)*(1 - sigmoid(x))"),
         ("gave the sigmoid's derivative σ(x)(1 − σ(x))", "sigmoid(x)*(1 - sigmoid(x))")),
    ),
}


def _row(p: dict) -> tuple[str, Row, float, float]:
    """(name, row, x, a) with a = the slope (leaky ReLU) or α (ELU) from params, else NaN."""
    name = str(p["name"])
    if name not in TABLE:
        raise InvalidParams(f"unknown activation {name!r}; known: {', '.join(TABLE)}")
    x = float(p.get("x", 1.0))
    a = float(p.get("slope", LEAKY_SLOPE)) if name == "leaky_relu" else float(p.get("alpha", ELU_ALPHA)) if name == "elu" else math.nan
    return name, TABLE[name], x, a


def _kink(name: str, x: float, a: float, derivative: bool) -> str:
    """The convention at x = 0 for a piecewise activation's derivative, as a prompt sentence
    (PyTorch's autograd: ReLU'(0) = 0, leaky ReLU'(0) = slope, ELU'(0) = α, SELU'(0) = λα)."""
    if not derivative or x != 0 or name not in ("relu", "leaky_relu", "elu", "selu"):
        return ""
    at0 = {"relu": "ReLU'(0) = 0", "leaky_relu": f"f'(0) = the slope {fmt(a)}", "elu": f"f'(0) = α = {fmt(a)}",
           "selu": f"f'(0) = λα = {fmt(SELU_LAMBDA)}·{fmt(SELU_ALPHA)}"}[name]
    return f" At the kink x = 0 take {at0}, as PyTorch's autograd does."


def _fn(name: str, a: float) -> tuple[Callable[[float], float], Callable[[float], float]]:
    f, df = ACTIVATIONS[name]
    if name in ("leaky_relu", "elu"):
        return (lambda x: _f(f, x, a)), (lambda x: _f(df, x, a))
    return (lambda x: _f(f, x)), (lambda x: _f(df, x))


_VALUE_STEP = {
    "sigmoid": lambda x, a: f"σ({fmt(x)}) = 1 / (1 + e^{fmt(-x)}) = 1 / (1 + {fmt(math.exp(-x), 5)})",
    "tanh": lambda x, a: f"tanh({fmt(x)}) = 2σ({fmt(2 * x)}) − 1 = 2·{fmt(_sig(2 * x), 5)} − 1",
    "relu": lambda x, a: f"max(0, {fmt(x)})",
    "leaky_relu": lambda x, a: f"x = {fmt(x)} {'≥ 0, so f(x) = x' if x >= 0 else f'< 0, so f(x) = {fmt(a)}·{fmt(x)}'}",
    "elu": lambda x, a: (f"x = {fmt(x)} > 0, so f(x) = x" if x > 0
                         else f"x ≤ 0: {fmt(a)}·(e^{fmt(x)} − 1) = {fmt(a)}·({fmt(math.exp(x), 5)} − 1)"),
    "selu": lambda x, a: (f"x > 0: λ·x = {fmt(SELU_LAMBDA)}·{fmt(x)}" if x > 0
                          else f"x ≤ 0: λα(e^x − 1) = {fmt(SELU_LAMBDA)}·{fmt(SELU_ALPHA)}·({fmt(math.exp(x), 5)} − 1)"),
    "softplus": lambda x, a: f"ln(1 + e^{fmt(x)}) = ln(1 + {fmt(math.exp(x), 5)})",
    "gelu": lambda x, a: f"Φ({fmt(x)}) = (1 + erf({fmt(x)}/√2)) / 2 = {fmt(_Phi(x), 5)}; x·Φ(x) = {fmt(x)}·{fmt(_Phi(x), 5)}",
    "silu": lambda x, a: f"σ({fmt(x)}) = {fmt(_sig(x), 5)}; x·σ(x) = {fmt(x)}·{fmt(_sig(x), 5)}",
}

_DERIV_STEP = {
    "sigmoid": lambda x, a: f"σ'(x) = σ(x)(1 − σ(x)); σ({fmt(x)}) = {fmt(_sig(x), 5)}, so σ' = {fmt(_sig(x), 5)}·{fmt(1 - _sig(x), 5)}",
    "tanh": lambda x, a: f"tanh'(x) = 1 − tanh²(x); tanh({fmt(x)}) = {fmt(math.tanh(x), 5)}, so 1 − {fmt(math.tanh(x), 5)}²",
    "relu": lambda x, a: f"ReLU'(x) = 1 for x > 0, 0 for x ≤ 0; x = {fmt(x)}",
    "leaky_relu": lambda x, a: f"f'(x) = 1 for x > 0, {fmt(a)} for x ≤ 0 (f'(0) = the slope, as PyTorch); x = {fmt(x)}",
    "elu": lambda x, a: ("f'(x) = 1 for x > 0" if x > 0
                         else f"f'(x) = α·e^x for x ≤ 0 (= f(x) + α): {fmt(a)}·e^{fmt(x)} = {fmt(a)}·{fmt(math.exp(x), 5)}"),
    "selu": lambda x, a: (f"f'(x) = λ for x > 0: {fmt(SELU_LAMBDA)}" if x > 0
                          else f"f'(x) = λα·e^x for x ≤ 0: {fmt(SELU_LAMBDA)}·{fmt(SELU_ALPHA)}·{fmt(math.exp(x), 5)}"),
    "softplus": lambda x, a: f"d/dx ln(1 + e^x) = e^x / (1 + e^x) = σ(x); σ({fmt(x)}) = 1 / (1 + e^{fmt(-x)})",
    "gelu": lambda x, a: (f"product rule: f'(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π); "
                          f"Φ({fmt(x)}) = {fmt(_Phi(x), 5)}, φ({fmt(x)}) = {fmt(_phi(x), 5)}"),
    "silu": lambda x, a: (f"product rule: f'(x) = σ(x) + x·σ(x)(1 − σ(x)); σ({fmt(x)}) = {fmt(_sig(x), 5)}, "
                          f"so {fmt(_sig(x), 5)} + {fmt(x)}·{fmt(_sig(x), 5)}·{fmt(1 - _sig(x), 5)}"),
}


def _declared(name: str, x: float, a: float, derivative: bool) -> Formula:
    """The formula f(x) or f'(x) of ``name`` at this x: for a piecewise activation, the piece x falls on."""
    X = ("the input x", x)
    pos = x > 0
    if name == "leaky_relu":
        A = {"a": ("the negative-side slope", a)}
        expr = ("1" if pos else "a") if derivative else ("x" if x >= 0 else "a*x")
    elif name == "elu":
        A = {"alpha": ("the ELU scale α", a)}
        expr = ("1" if pos else "alpha*exp(x)") if derivative else ("x" if pos else "alpha*(exp(x) - 1)")
    elif name == "selu":
        A = {"lam": ("the SELU scale λ", SELU_LAMBDA), "alpha": ("the SELU α", SELU_ALPHA)}
        expr = ("lam" if pos else "lam*alpha*exp(x)") if derivative else ("lam*x" if pos else "lam*alpha*(exp(x) - 1)")
    else:
        A = {}
        expr = {
            "sigmoid": ("1/(1 + exp(-x))", "sigmoid(x)*(1 - sigmoid(x))"),
            "tanh": ("(exp(x) - exp(-x))/(exp(x) + exp(-x))", "1 - tanh(x)**2"),
            "relu": ("max(0, x)", "1" if pos else "0"),
            "softplus": ("log(1 + exp(x))", "1/(1 + exp(-x))"),
            "gelu": ("x*(1 + erf(x/sqrt(2)))/2", TABLE["gelu"].formula),
            "silu": ("x/(1 + exp(-x))", TABLE["silu"].formula),
        }[name][derivative]
    used = set(re.findall(r"[A-Za-z_]\w*", expr))  # declare the symbols this piece uses, no others
    return formula(expr, name="f'(x)" if derivative else "f(x)", **{k: v for k, v in {"x": X, **A}.items() if k in used})


def _at_point(p: dict, derivative: bool) -> Solution:
    """f(x) or f'(x) at the scalar ``x``: the value, its worked line and the slips, from one row."""
    name, row, x, a = _row(p)
    f, df = _fn(name, a)
    fn, step, slips, label = (df, _DERIV_STEP, row.deriv_slips, "f'") if derivative else (f, _VALUE_STEP, row.value_slips, "f")
    value = fn(x)
    steps = [f"f is {row.definition(a)}.", step[name](x, a), f"{label}({fmt(x)}) = {fmt(value, 6)}"]
    wrong = {k: v for k, v in slips(x, a).items() if math.isfinite(v)}  # a slip undefined at this x is no slip here
    kink = _kink(name, x, a, derivative)
    return Solution(value, steps, wrong, context={"_definition": row.definition(a), "_title": row.title, "_kink": kink},
                    formulas=[_declared(name, x, a, derivative)])


@solver("activation-value", params={
    "name": Text("the activation", choices=tuple(TABLE)),
    "x": Num("the input x", optional=True, example=1.0),
    "slope": Num("leaky_relu's negative slope", optional=True, example=0.01),
    "alpha": Num("elu's α (the negative saturation)", optional=True, example=1.0),
})
def activation_value(p: dict) -> Solution:
    """f(x) for the activation ``name`` at the scalar ``x`` (slope/alpha from params where used)."""
    return _at_point(p, derivative=False)


@solver("activation-derivative", params={
    "name": Text("the activation", choices=tuple(TABLE)),
    "x": Num("the input x", optional=True, example=1.0),
    "slope": Num("leaky_relu's negative slope", optional=True, example=0.01),
    "alpha": Num("elu's α (the negative saturation)", optional=True, example=1.0),
})
def activation_derivative(p: dict) -> Solution:
    """f'(x) for the activation ``name`` at the scalar ``x`` (slope/alpha from params where used)."""
    return _at_point(p, derivative=True)


@solver("activation-derivative-formula", params={
    "name": Text("a smooth activation (one with a single-formula derivative)", choices=tuple(TABLE), example="tanh"),
})
def activation_derivative_formula(p: dict) -> Solution:
    """f'(x) as a formula in x (an ``expression`` answer), for the smooth activations."""
    name = str(p["name"])
    row = TABLE.get(name)
    if row is None or not row.formula:
        raise InvalidParams(f"activation {name!r} has no single-formula derivative question")
    steps = [f"f is {row.definition(math.nan)}.", _DERIV_STEP[name](1.0, math.nan).split(";")[0], f"f'(x) = {row.formula}"]
    # the answer is itself a formula, so its second hint is the rule to apply, not a formula to evaluate
    return Solution(row.formula, steps, dict(row.formula_slips), context={"_definition": row.definition(math.nan), "_title": row.title},
                    concept=_DERIV_RULE[name])


_DERIV_RULE = {
    "sigmoid": "Differentiate 1/(1 + e^(−x)) with the chain rule, then write the result in terms of σ(x) itself.",
    "tanh": "Write tanh as sinh/cosh and use the quotient rule (cosh² − sinh² = 1), then write the result in terms of tanh(x).",
    "softplus": "The derivative of log(u) is u′/u; here u = 1 + e^x.",
    "silu": "SiLU is a product, x·σ(x): use the product rule and the derivative of σ written in terms of σ.",
    "gelu": "GELU is a product, x·Φ(x), with Φ the standard normal CDF: use the product rule; Φ′ is the normal density.",
}
