"""Dropout (inverted, as torch.nn.Dropout, and the original "classic" form) and gradient clipping.

Inverted dropout, drop probability p, mask m_i ∈ {0, 1} (1 = kept, kept with probability 1 − p)::

    train  y = m ⊙ x / (1 − p)          eval  y = x            E[y_i] = x_i,  Var(y_i) = x_i²·p/(1 − p)

Classic dropout (Srivastava et al.) does not rescale in training and multiplies by 1 − p at eval.

Clipping, as torch.nn.utils (all gradients of all parameters together)::

    clip_grad_norm_    ‖g‖ = √(Σ over every entry of every tensor g²),  coef = max_norm/(‖g‖ + 1e-6),
                       g ← g·coef if coef < 1 (else unchanged)
    clip_grad_value_   g ← clamp(g, −c, c) entry by entry
"""

from __future__ import annotations

import math

import numpy as np

from . import InvalidParams, Solution, formula, solver
from ._params import ListOf, Num, Text, Vector
from ._fmt import fmt

EPS_CLIP = 1e-6  # torch.nn.utils.clip_grad_norm_ adds this to the norm


def _vec(p: dict, key: str) -> np.ndarray:
    a = np.atleast_1d(np.asarray(p[key], dtype=float))
    if a.ndim != 1 or not np.isfinite(a).all():
        raise InvalidParams(f"{key} must be a vector of numbers, got {p[key]!r}")
    return a


def _p(p: dict) -> float:
    q = float(p["p"])
    if not 0 < q < 1:
        raise InvalidParams(f"p = {q} must be in (0, 1)")
    return q


def _out(a: np.ndarray) -> list[float]:
    return [float(v) for v in a]


@solver("dropout-train", params={
    "x": Vector("the activations x, of shape (n,)", example=[1.0, 2.0, -1.0, 0.5, 3.0]),
    "mask": Vector("the keep mask (1 kept, 0 dropped), of shape (n,)", ints=True, lo=0, hi=1, example=[1, 0, 1, 1, 0]),
    "p": Num("the drop probability p", lo=0, hi=1, example=0.2),
})
def dropout_train(p: dict) -> Solution:
    """Inverted dropout in training with a given mask (1 = kept): y = mask·x/(1 − p)."""
    x, m, q = _vec(p, "x"), _vec(p, "mask"), _p(p)
    if m.shape != x.shape or not set(m.tolist()) <= {0.0, 1.0}:
        raise InvalidParams("mask must be 0s and 1s, one per entry of x")
    if m.all() or not m.any():
        raise InvalidParams("a mask that keeps or drops everything makes no question")
    scale = 1 / (1 - q)
    y = m * x * scale
    steps = [
        f"Kept units (mask 1) are scaled by 1/(1 − p) = 1/(1 − {fmt(q)}) = {fmt(scale)}; dropped units (mask 0) become 0",
        f"y = mask ⊙ x / (1 − p) = {fmt(_out(m * x))}·{fmt(scale)} = {fmt(_out(y))}",
    ]
    mistakes = {
        "forgot to rescale the kept units": _out(m * x),
        "scaled the kept units by 1/p": _out(m * x / q),
        "multiplied the kept units by 1 − p (classic dropout's test-time rule)": _out(m * x * (1 - q)),
        "read the mask backwards (0 = kept)": _out((1 - m) * x * scale),
    }
    i = int(np.flatnonzero(m)[0])  # the first kept unit
    declared = [formula("m_i*x_i/(1 - p)", name=f"y_{i}", target=i, m_i=(f"the mask of unit {i} (1 = kept)", float(m[i])),
                        x_i=(f"the input x_{i}", float(x[i])), p=("the drop probability", q))]
    return Solution(_out(y), steps, mistakes, formulas=declared)


@solver("dropout-eval", params={
    "x": Vector("the activations x, of shape (n,)", example=[1.0, 2.0, -1.0, 0.5]),
    "p": Num("the drop probability p", lo=0, hi=1, example=0.2),
    "kind": Text("inverted (scale in training) or classic (scale at test time)", choices=("inverted", "classic"), example='inverted'),
})
def dropout_eval(p: dict) -> Solution:
    """Dropout at eval time: identity for ``kind: inverted`` (PyTorch), x·(1 − p) for ``kind: classic``."""
    x, q, kind = _vec(p, "x"), _p(p), p["kind"]
    if kind == "inverted":
        y = x
        steps = ["Inverted dropout already divided by 1 − p during training, so at eval it is the identity: y = x",
                 f"y = {fmt(_out(y))}"]
        mistakes = {
            "still divided by 1 − p at eval": _out(x / (1 - q)),
            "multiplied by 1 − p (classic dropout's eval rule)": _out(x * (1 - q)),
            "multiplied by p": _out(x * q),
        }
    elif kind == "classic":
        y = x * (1 - q)
        steps = [f"Classic dropout did not rescale in training, where E[unit] = (1 − p)·x; eval matches that expectation: y = (1 − p)·x",
                 f"y = {fmt(1 - q)}·{fmt(_out(x))} = {fmt(_out(y))}"]
        mistakes = {
            "left the outputs unscaled (that is inverted dropout's eval)": _out(x),
            "divided by 1 − p (inverted dropout's training scale)": _out(x / (1 - q)),
            "multiplied by p, the drop probability, not the keep probability": _out(x * q),
        }
    else:
        raise InvalidParams(f"kind must be inverted or classic, got {kind!r}")
    note = ("kept units were divided by 1 − p during training, as torch.nn.Dropout does" if kind == "inverted"
            else "the original form: kept units were NOT rescaled during training")
    when = ("runs in evaluation mode (model.eval())" if kind == "inverted"  # nn.Dropout: the identity at eval
            else "runs at test time with a hand-written classic dropout layer (torch.nn.Dropout has only the inverted form)")
    x0 = ("the input x_0", float(x[0]))
    declared = [formula("x_0", name="y_0", target=0, x_0=x0) if kind == "inverted"
                else formula("(1 - p)*x_0", name="y_0", target=0, x_0=x0, p=("the drop probability", q))]
    return Solution(_out(y), steps, mistakes, context={"_kind_note": note, "_eval": when}, formulas=declared)


@solver("dropout-variance", params={
    "x": Num("the activation x", example=3.0),
    "p": Num("the drop probability p", lo=0, hi=1, example=0.25),
})
def dropout_variance(p: dict) -> Solution:
    """Var(y) of one unit y = m·x/(1 − p), m ~ Bernoulli(1 − p): x²·p/(1 − p)."""
    x, q = float(p["x"]), _p(p)
    keep = 1 - q
    ey, ey2 = x, x * x / keep
    var = ey2 - ey * ey
    steps = [
        f"y = x/(1 − p) = {fmt(x / keep)} with probability 1 − p = {fmt(keep)}, else 0",
        f"E[y] = (1 − p)·x/(1 − p) = x = {fmt(ey)} (inverted dropout keeps the mean)",
        f"E[y²] = (1 − p)·x²/(1 − p)² = x²/(1 − p) = {fmt(ey2)}",
        f"Var(y) = E[y²] − E[y]² = {fmt(ey2)} − {fmt(ey * ey)} = x²·p/(1 − p) = {fmt(var)}",
    ]
    mistakes = {
        "used the mask's Bernoulli variance x²·p(1 − p), without the 1/(1 − p) scaling": x * x * q * keep,
        "divided by 1 − p once, not (1 − p)²: x²·p": x * x * q,
        "gave E[y²] = x²/(1 − p), not the variance": ey2,
        "forgot to square x: x·p/(1 − p)": x * q / keep,
    }
    declared = [formula("x**2*p/(1 - p)", name="Var(y)", x=("the unit's input x", x), p=("the drop probability", q))]
    return Solution(var, steps, mistakes, formulas=declared)


def _grads(p: dict) -> list[np.ndarray]:
    gs = [np.atleast_1d(np.asarray(g, dtype=float)) for g in p["grads"]]
    if not gs or any(g.ndim != 1 or not np.isfinite(g).all() for g in gs):
        raise InvalidParams(f"grads must be a list of gradient vectors, got {p['grads']!r}")
    return gs


@solver("clip-grad-norm", params={
    "grads": ListOf("the gradients, one vector per parameter tensor", item=Vector("one tensor's gradient, flattened"), example=[[1.0, 2.0], [-2.0, 4.0]]),
    "max_norm": Num("the largest allowed global L2 norm", lo=0, example=2.0),
})
def clip_grad_norm(p: dict) -> Solution:
    """torch.nn.utils.clip_grad_norm_ over all tensors in ``grads``: the clipped entries, concatenated."""
    gs, mx = _grads(p), float(p["max_norm"])
    if mx <= 0:
        raise InvalidParams("max_norm must be positive")
    g = np.concatenate(gs)
    norm = float(np.sqrt((g * g).sum()))
    if norm == 0:
        raise InvalidParams("all-zero gradients")
    coef = mx / (norm + EPS_CLIP)
    sq = " + ".join(f"({fmt(float(v))})²" if v < 0 else f"{fmt(float(v))}²" for v in g)
    steps = [f"Global norm over every entry of every tensor: ‖g‖ = √({sq}) = √{fmt(norm * norm)} = {fmt(norm)}"]
    if coef < 1:
        out = g * coef
        steps += [f"‖g‖ = {fmt(norm)} > max_norm = {fmt(mx)}: scale every entry by max_norm/(‖g‖ + 1e-6) = {fmt(coef)}",
                  f"clipped g = {fmt(_out(g))}·{fmt(coef)} = {fmt(_out(out))}"]
    else:
        out = g.copy()
        steps += [f"‖g‖ = {fmt(norm)} ≤ max_norm = {fmt(mx)}: nothing is clipped, g stays {fmt(_out(g))}"]
    per = np.concatenate([t * min(1.0, mx / (float(np.linalg.norm(t)) + EPS_CLIP)) for t in gs])
    mistakes = {
        "clipped each tensor by its own norm, not the global norm": _out(per),
        "clipped each entry to ±max_norm (that is clip by value)": _out(np.clip(g, -mx, mx)),
        "divided by the squared norm": _out(g * min(1.0, mx / (norm * norm))),
        "used the L1 norm Σ|g|": _out(g * min(1.0, mx / float(np.abs(g).sum()))),
    }
    if mx != 1:  # with max_norm = 1 the unit-norm slip is the answer itself (max_norm 1.0 was never drawn)
        mistakes["divided by the norm without multiplying by max_norm (unit norm)"] = _out(g / norm)
    if coef >= 1:
        mistakes["scaled up to max_norm although ‖g‖ ≤ max_norm"] = _out(g * coef)
    syms = {f"g_{i}": (f"entry {i} of the concatenated gradients", float(v)) for i, v in enumerate(g)}
    if coef < 1:
        norm_expr = "sqrt(" + " + ".join(f"{n}**2" for n in syms) + ")"
        declared = [formula(f"g_0*max_norm/({norm_expr} + eps)", name="g'_0", target=0, max_norm=("the maximum norm", mx),
                            eps=("the ε torch adds to the norm", EPS_CLIP), **syms)]
    else:  # the norm is within max_norm: nothing is clipped
        declared = [formula("g_0", name="g'_0", target=0, g_0=syms["g_0"])]
    return Solution(_out(out), steps, mistakes, formulas=declared)


@solver("clip-grad-value", params={
    "grad": Vector("the gradient, of shape (n,)", example=[0.5, -2.0, 1.5, -0.3, 3.0]),
    "clip_value": Num("each entry is clipped to [−c, c]", lo=0, example=1.0),
})
def clip_grad_value(p: dict) -> Solution:
    """torch.nn.utils.clip_grad_value_: clamp every entry to [−c, c]."""
    g, c = _vec(p, "grad"), float(p["clip_value"])
    if c <= 0:
        raise InvalidParams("clip_value must be positive")
    out = np.clip(g, -c, c)
    changed = [i for i in range(g.size) if out[i] != g[i]]
    steps = [
        f"Clamp every entry to [−{fmt(c)}, {fmt(c)}]: entries {', '.join(str(i) for i in changed) or 'none'} (0-based) are outside",
        f"clipped g = {fmt(_out(out))}",
    ]
    norm = float(np.linalg.norm(g))
    mistakes = {
        "rescaled the whole vector to norm c (that is clip by norm)": _out(g * min(1.0, c / norm)),
        "clamped only the positive side": _out(np.minimum(g, c)),
        "set the entries beyond ±c to 0": _out(np.where(np.abs(g) > c, 0.0, g)),
        "clamped the magnitudes and lost the signs": _out(np.minimum(np.abs(g), c)),
    }
    i = changed[0] if changed else 0
    declared = [formula("max(-c, min(c, g_i))", name=f"g'_{i}", target=i, g_i=(f"gradient entry {i}", float(g[i])),
                        c=("the clip value", c))]
    return Solution(_out(out), steps, mistakes, formulas=declared)
