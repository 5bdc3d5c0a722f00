"""Gradient flow through depth: products of per-layer factors, and the sigmoid's 1/4 bound.

Backprop multiplies one Jacobian per layer, ∂ℓ/∂h^t = ∂ℓ/∂h^d · Π_{i=t}^{d−1} ∂h^(i+1)/∂h^i.
With every factor a scalar f, n layers give f^n: 0.8^100 ≈ 2.04×10⁻¹⁰ (vanishing),
1.5^100 ≈ 4.07×10¹⁷ (exploding). Worked through base-10 logs: f^n = 10^(n·log10 f).

A scalar sigmoid chain h_k = σ(w_k·h_(k−1)), h_0 = x, has dh_n/dx = Π_k w_k·σ'(z_k) with
z_k = w_k·h_(k−1); since σ'(z) = σ(z)(1 − σ(z)) ≤ σ'(0) = 1/4, |dh_n/dx| ≤ Π |w_k|/4.
"""

from __future__ import annotations

import math

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Vector
from ._fmt import fmt
from .softmax_ce import sigmoid


def _sci(x: float) -> str:
    """2.03704e-10 → '2.037e-10': 4 significant figures in drill's one number format."""
    return fmt(x, 4)


def _factor_n(p: dict) -> tuple[float, int]:
    f, n = float(p["factor"]), int(p["layers"])
    if f <= 0 or n < 2:
        raise InvalidParams(f"need factor > 0 and at least 2 layers, got factor {f}, layers {n}")
    return f, n


@solver("gradient-depth-product", params={
    "factor": Num("each layer's gradient factor", example=1.5),
    "layers": Int("the number of layers", lo=1, example=100),
})
def gradient_depth_product(p: dict) -> Solution:
    """f^n: the gradient scale after ``layers`` factors of ``factor`` each."""
    f, n = _factor_n(p)
    answer = f**n
    lg = math.log10(f)
    steps = [
        f"The gradient at the first layer is the product of {n} per-layer factors: {fmt(f)}^{n}",
        f"log10 {fmt(f)}^{n} = {n}·log10 {fmt(f)} = {n}·({fmt(lg, 5)}) = {fmt(n * lg, 5)}",
        f"{fmt(f)}^{n} = 10^{fmt(n * lg, 5)} ≈ {_sci(answer)}",
        ("|f| < 1: the gradient vanishes geometrically with depth" if f < 1 else "|f| > 1: the gradient explodes geometrically with depth"),
    ]
    mistakes = {
        f"used {n - 1} factors instead of {n} (off by one layer)": f ** (n - 1),
        f"used {n + 1} factors instead of {n} (off by one layer)": f ** (n + 1),
        "multiplied factor × layers instead of raising to the power": f * n,
        "took the n-th root instead of the n-th power": f ** (1 / n),
    }
    checks = [Checkpoint(f"log10 of {fmt(f)}^{n}", n * lg, "number", 1), Checkpoint(f"{fmt(f)}^{n}", answer, "number", 2)]
    return Solution(answer, steps, mistakes, checkpoints=checks,
                    formulas=[formula("f**n", name="gradient scale", f=("per-layer factor", f), n=("layers", n))])


@solver("layers-until-vanish", params={
    "factor": Num("each layer's gradient factor (below 1)", lo=0, hi=1, example=0.8),
    "threshold": Num("the size at which the gradient counts as vanished", lo=0, example=1e-06),
})
def layers_until_vanish(p: dict) -> Solution:
    """Smallest n with factor^n < threshold (factor in (0, 1))."""
    f = float(p["factor"])
    thr = float(p["threshold"])
    if not (0 < f < 1 and 0 < thr < 1):
        raise InvalidParams(f"need 0 < factor < 1 and 0 < threshold < 1, got {f}, {thr}")
    ratio = math.log(thr) / math.log(f)
    n = math.floor(ratio) + 1  # strictly below: f^n < thr  ⇔  n > ratio
    if abs(ratio - round(ratio)) < 1e-9:
        raise InvalidParams(f"ln(threshold)/ln(factor) = {ratio} is a whole number; the boundary case is ambiguous")
    steps = [
        f"Need {fmt(f)}^n < {fmt(thr)}  ⇔  n·ln {fmt(f)} < ln {fmt(thr)}  ⇔  n > ln {fmt(thr)} / ln {fmt(f)} (dividing by a negative flips <)",
        f"ln {fmt(thr)} / ln {fmt(f)} = {fmt(math.log(thr), 5)} / {fmt(math.log(f), 5)} = {fmt(ratio, 5)}",
        f"The smallest whole n above that is {n}: {fmt(f)}^{n} = {_sci(f**n)} < {fmt(thr)} ≤ {fmt(f)}^{n - 1} = {_sci(f ** (n - 1))}",
    ]
    mistakes = {
        "rounded down instead of up": math.floor(ratio),
        "mixed log bases: log10(threshold) / ln(factor)": math.floor(math.log10(thr) / math.log(f)) + 1,
        "mixed log bases: ln(threshold) / log10(factor)": math.floor(math.log(thr) / math.log10(f)) + 1,
    }
    checks = [Checkpoint("ln(threshold) / ln(factor)", ratio, "number", 1), Checkpoint("the smallest whole n above it", n, "integer", 2)]
    f_ = formula("floor(ln(thr)/ln(f)) + 1", name="n", thr=("threshold", thr), f=("per-layer factor", f))
    return Solution(n, steps, {k: v for k, v in mistakes.items() if v != n}, checkpoints=checks, formulas=[f_])


@solver("sigmoid-derivative-bound", params={
    "layers": Int("the number of sigmoid layers", lo=1, example=10),
    "weight": Num("each layer's weight", example=1),
})
def sigmoid_derivative_bound(p: dict) -> Solution:
    """Upper bound (|w|·max σ')^n = (|w|/4)^n on |∂h_n/∂h_0| through n sigmoid layers of weight w."""
    n, w = int(p["layers"]), abs(float(p["weight"]))
    if n < 2 or w <= 0:
        raise InvalidParams(f"need at least 2 layers and a non-zero weight, got {n}, {w}")
    per = w * 0.25
    bound = per**n
    steps = [
        "σ'(z) = σ(z)(1 − σ(z)) is largest where σ(z) = 1/2, i.e. at z = 0: max σ' = 1/2 · 1/2 = 1/4",
        f"Each layer multiplies the gradient by w·σ'(z), at most {fmt(w)}·1/4 = {fmt(per)} in size",
        f"Through {n} layers: |∂h_{n}/∂h_0| ≤ {fmt(per)}^{n} = {_sci(bound)}",
    ]
    mistakes = {
        "used σ(0) = 1/2 instead of σ'(0) = 1/4": (w * 0.5) ** n,
        "added the layers' factors instead of multiplying: n·w/4": n * per,
        f"used {n - 1} factors instead of {n}": per ** (n - 1),
        "took σ' ≤ 1 (the bound of σ itself), so only the weights count": w**n,
    }
    if w != 1:
        mistakes["forgot the weights: (1/4)^n"] = 0.25**n
    checks = [Checkpoint("the largest factor per layer, |w|·max σ'", per, "number", 1), Checkpoint("the bound", bound, "number", 2)]
    f = formula("(abs(w)/4)**n", name="bound", w=("weight of every layer", float(p["weight"])), n=("layers", n))
    return Solution(bound, steps, mistakes, checkpoints=checks, formulas=[f])


@solver("sigmoid-chain-grad", params={
    "x": Num("the input x"),
    "weights": Vector("each layer's weight, input to output, of shape (L,)"),
})
def sigmoid_chain_grad(p: dict) -> Solution:
    """dh_n/dx through the scalar chain h_k = σ(w_k·h_(k−1)), h_0 = x: Π_k w_k·σ'(z_k)."""
    x = float(p["x"])
    ws = [float(w) for w in p["weights"]]
    if not 2 <= len(ws) <= 5:
        raise InvalidParams(f"a chain has 2 to 5 layers, got {len(ws)}")
    h, zs, hs = x, [], []
    for w in ws:
        z = w * h
        h = sigmoid(z)
        zs.append(z)
        hs.append(h)
    dsig = [s * (1 - s) for s in hs]
    answer = math.prod(w * d for w, d in zip(ws, dsig))
    steps = [
        "Forward: " + "; ".join(f"z_{k} = {fmt(w)}·{fmt(hp, 5)} = {fmt(z, 5)}, h_{k} = σ(z_{k}) = {fmt(hk, 5)}"
                                for k, (w, hp, z, hk) in enumerate(zip(ws, [x] + hs[:-1], zs, hs), start=1)),
        "σ'(z_k) = h_k(1 − h_k): " + ", ".join(f"{fmt(d, 5)}" for d in dsig),
        "dh_n/dx = Π w_k·σ'(z_k) = " + " · ".join(f"({fmt(w)}·{fmt(d, 5)})" for w, d in zip(ws, dsig)) + f" = {fmt(answer, 5)}",
        f"(bound: |w_k|/4 per layer gives at most {fmt(math.prod(abs(w) / 4 for w in ws), 5)})",
    ]
    mistakes = {
        "forgot the weights (multiplied only the σ' factors)": math.prod(dsig),
        "used σ(z_k) instead of σ'(z_k)": math.prod(w * s for w, s in zip(ws, hs)),
        "used the bound 1/4 for every σ' instead of its value": math.prod(w / 4 for w in ws),
        "forgot the σ' factors (multiplied only the weights)": math.prod(ws),
        "kept only the last layer's factor": ws[-1] * dsig[-1],
    }
    checks = [Checkpoint("the activations h_k", hs, "vector", 0), Checkpoint("the derivatives σ'(z_k)", dsig, "vector", 1),
              Checkpoint("dh_n/dx", answer, "number", 2)]
    syms = {f"w_{k}": (f"weight of layer {k}", w) for k, w in enumerate(ws, start=1)}
    syms |= {f"h_{k}": (f"activation σ(z_{k}) of layer {k}", hk) for k, hk in enumerate(hs, start=1)}
    f = formula(" * ".join(f"w_{k}*h_{k}*(1 - h_{k})" for k in range(1, len(ws) + 1)), name="dh_n/dx", **syms)
    return Solution(answer, steps, mistakes, context={"_n": str(len(ws))}, checkpoints=checks, formulas=[f])
