"""Regularization by hand: L2 (weight decay) and L1 penalties' gradients, and inverted dropout.

w, g (the data loss's gradient ∂L_data/∂w) of shape (D,)::

    L = L_data + λ‖w‖²        →  ∂L/∂w = g + 2λw
    L = L_data + (λ/2)‖w‖²    →  ∂L/∂w = g + λw, SGD step w ← w − η(g + λw)  (torch.optim.SGD weight_decay=λ)
    L = L_data + λ‖w‖₁        →  subgradient g + λ·sign(w), with sign(0) = 0 (PyTorch's choice)

Inverted dropout with DROP probability p (torch.nn.Dropout(p)): at train time a kept unit is
scaled by 1/(1 − p) and a dropped one is 0, so the expected activation is unchanged and test
time needs no scaling. h and the keep-mask m (1 = kept) have shape (D,): out = h ⊙ m / (1 − p).
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Num, Vector
from ._fmt import fmt


def _vecs(p: dict, *keys: str) -> list[np.ndarray]:
    out = [np.asarray(p[k], dtype=float) for k in keys]
    if any(v.ndim != 1 for v in out) or len({len(v) for v in out}) != 1:
        raise InvalidParams(f"{', '.join(keys)} must be vectors of the same length")
    return out


def _lam(p: dict) -> float:
    lam = float(p["lam"])
    if lam <= 0:
        raise InvalidParams(f"λ must be positive, got {lam}")
    return lam


@solver("l2-penalty-grad", params={
    "w": Vector("the weights w"),
    "grad": Vector("the gradient ∂L/∂w"),
    "lam": Num("the penalty strength λ"),
})
def l2_penalty_grad(p: dict) -> Solution:
    """∂/∂w of L_data + λ‖w‖² (no 1/2): g + 2λw, shape (D,)."""
    w, g = _vecs(p, "w", "grad")
    lam = _lam(p)
    pen = 2 * lam * w
    total = g + pen
    steps = [
        "∂(λ‖w‖²)/∂w = ∂(λ Σ w_i²)/∂w = 2λw (no 1/2 in this loss, so the 2 stays)",
        f"2λw = 2·{fmt(lam)}·{fmt(w.tolist())} = {fmt(pen.tolist())}",
        f"∂L/∂w = g + 2λw = {fmt(g.tolist())} + {fmt(pen.tolist())} = {fmt(total.tolist())}",
    ]
    mistakes = {
        "used λw (the (λ/2)‖w‖² convention's gradient)": (g + lam * w).tolist(),
        "forgot the data gradient (gave only 2λw)": pen.tolist(),
        "used the L1 subgradient λ·sign(w)": (g + lam * np.sign(w)).tolist(),
        "subtracted the penalty's gradient": (g - pen).tolist(),
        "used the penalty's value λw² instead of its gradient": (g + lam * w * w).tolist(),
    }
    checks = [Checkpoint("the penalty's gradient 2λw", pen.tolist(), "vector", 1), Checkpoint("∂L/∂w = g + 2λw", total.tolist(), "vector", 2)]
    f = formula("g_0 + 2*lam*w_0", name="dL/dw_0", target=0, g_0=("data gradient, entry 0", float(g[0])), lam=("penalty weight λ", lam),
                w_0=("weight, entry 0", float(w[0])))
    return Solution(total.tolist(), steps, mistakes, checkpoints=checks, formulas=[f])


@solver("weight-decay-step", params={
    "w": Vector("the weights w"),
    "grad": Vector("the gradient ∂L/∂w"),
    "lam": Num("the penalty strength λ"),
    "lr": Num("learning rate η"),
})
def weight_decay_step(p: dict) -> Solution:
    """One SGD step on L_data + (λ/2)‖w‖²: w − η(g + λw), shape (D,)."""
    w, g = _vecs(p, "w", "grad")
    lam, lr = _lam(p), float(p["lr"])
    if lr <= 0:
        raise InvalidParams(f"learning rate must be positive, got {lr}")
    full = g + lam * w
    new = w - lr * full
    steps = [
        "∂((λ/2)‖w‖²)/∂w = λw (the 1/2 cancels the 2)",
        f"∂L/∂w = g + λw = {fmt(g.tolist())} + {fmt(lam)}·{fmt(w.tolist())} = {fmt(full.tolist())}",
        f"w ← w − η·∂L/∂w = {fmt(w.tolist())} − {fmt(lr)}·{fmt(full.tolist())} = {fmt(new.tolist())}",
        f"(same as shrinking first: (1 − ηλ)w − ηg with 1 − ηλ = {fmt(1 - lr * lam)})",
    ]
    mistakes = {
        "used 2λw (ignored the 1/2 in (λ/2)‖w‖²)": (w - lr * (g + 2 * lam * w)).tolist(),
        "forgot the weight decay term": (w - lr * g).tolist(),
        "stepped uphill: w + η·∂L/∂w": (w + lr * full).tolist(),
        "forgot the learning rate on the decay term: w − ηg − λw": (w - lr * g - lam * w).tolist(),
        "gave the gradient instead of the updated weights": full.tolist(),
    }
    checks = [Checkpoint("∂L/∂w = g + λw", full.tolist(), "vector", 1), Checkpoint("the new weights w", new.tolist(), "vector", 2)]
    f = formula("w_0 - eta*(g_0 + lam*w_0)", name="w_0 new", target=0, w_0=("weight, entry 0", float(w[0])), eta=("learning rate", lr),
                g_0=("data gradient, entry 0", float(g[0])), lam=("weight decay λ", lam))
    return Solution(new.tolist(), steps, mistakes, checkpoints=checks, formulas=[f])


@solver("l1-subgradient", params={
    "w": Vector("the weights w"),
    "grad": Vector("the gradient ∂L/∂w"),
    "lam": Num("the penalty strength λ"),
})
def l1_subgradient(p: dict) -> Solution:
    """Subgradient of L_data + λ‖w‖₁: g + λ·sign(w) with sign(0) = 0, shape (D,)."""
    w, g = _vecs(p, "w", "grad")
    lam = _lam(p)
    sgn = np.sign(w)
    total = g + lam * sgn
    steps = [
        "∂|w_i|/∂w_i = sign(w_i) for w_i ≠ 0; at w_i = 0 take the subgradient 0 (as stated)",
        f"sign(w) = {fmt(sgn.tolist())}; λ·sign(w) = {fmt((lam * sgn).tolist())}",
        f"g + λ·sign(w) = {fmt(g.tolist())} + {fmt((lam * sgn).tolist())} = {fmt(total.tolist())}",
    ]
    mistakes = {
        "took sign(0) = +1": (g + lam * np.where(w == 0, 1.0, sgn)).tolist(),
        "used the L2 gradient 2λw": (g + 2 * lam * w).tolist(),
        "used the penalty's value λ|w| instead of its gradient": (g + lam * np.abs(w)).tolist(),
        "forgot λ (added sign(w) itself)": (g + sgn).tolist(),
        "forgot the data gradient": (lam * sgn).tolist(),
    }
    checks = [Checkpoint("λ·sign(w)", (lam * sgn).tolist(), "vector", 1), Checkpoint("g + λ·sign(w)", total.tolist(), "vector", 2)]
    expr = "g_0 + lam" if w[0] > 0 else "g_0 - lam" if w[0] < 0 else "g_0"  # sign(w_0) = +1, −1 or 0 (the subgradient at 0)
    syms = {"g_0": ("data gradient, entry 0", float(g[0]))}
    if w[0] != 0:
        syms["lam"] = ("penalty weight λ", lam)
    f = formula(expr, name="dL/dw_0", target=0, **syms)
    return Solution(total.tolist(), steps, mistakes, checkpoints=checks, formulas=[f])


def _drop(p: dict) -> float:
    q = float(p["p"])
    if not 0 < q < 1:
        raise InvalidParams(f"drop probability p must be in (0, 1), got {q}")
    return q


@solver("dropout-kept-value", params={
    "a": Num("the activation a", example=3.0),
    "p": Num("the drop probability p", lo=0, hi=1, example=0.2),
})
def dropout_kept_value(p: dict) -> Solution:
    """Inverted dropout at train time: a kept unit's activation a becomes a / (1 − p)."""
    q, a = _drop(p), float(p["a"])
    keep = 1 - q
    out = a / keep
    steps = [
        f"p = {fmt(q)} is the probability of DROPPING a unit, so a unit is kept with probability 1 − p = {fmt(keep)}",
        f"Inverted dropout rescales kept units by 1/(1 − p) so the expected activation stays {fmt(a)}: {fmt(a)} / {fmt(keep)} = {fmt(out)}",
    ]
    mistakes = {
        "divided by p (treated p as the keep probability)": a / q,
        "multiplied by 1 − p (the test-time scaling of the original, non-inverted dropout)": a * keep,
        "multiplied by p": a * q,
        "did not rescale the kept unit": a,
    }
    return Solution(out, steps, mistakes, formulas=[formula("a/(1 - p)", name="a_kept", a=("activation", a), p=("drop probability", q))])


@solver("dropout-layer-output", params={
    "h": Vector("the activations h, of shape (n,)", example=[1.0, 2.0, 0.5, 4.0]),
    "mask": Vector("the keep mask (1 kept, 0 dropped), of shape (n,)", ints=True, lo=0, hi=1, example=[1, 0, 1, 1]),
    "p": Num("the drop probability p", lo=0, hi=1, example=0.25),
})
def dropout_layer_output(p: dict) -> Solution:
    """Inverted dropout on h of shape (D,) with keep-mask m (1 = kept): h ⊙ m / (1 − p)."""
    h, m = _vecs(p, "h", "mask")
    q = _drop(p)
    if not set(m.tolist()) <= {0.0, 1.0}:
        raise InvalidParams(f"mask must be 0s and 1s, got {fmt(m.tolist())}")
    if not m.any():
        raise InvalidParams("a mask that drops every unit makes no question")
    out = h * m / (1 - q)
    steps = [
        f"Kept units (mask 1) are scaled by 1/(1 − p) = 1/{fmt(1 - q)} = {fmt(1 / (1 - q), 5)}; dropped units (mask 0) become 0",
        f"h ⊙ m = {fmt((h * m).tolist())}; divided by {fmt(1 - q)}: {fmt(out.tolist(), 5)}",
    ]
    mistakes = {
        "did not rescale the kept units": (h * m).tolist(),
        "divided by p (treated p as the keep probability)": (h * m / q).tolist(),
        "multiplied by 1 − p instead of dividing": (h * m * (1 - q)).tolist(),
        "rescaled every unit but forgot to zero the dropped ones": (h / (1 - q)).tolist(),
    }
    checks = [Checkpoint("the scale 1/(1 − p) of a kept unit", 1 / (1 - q), "number", 0), Checkpoint("h ⊙ m", (h * m).tolist(), "vector", 1),
              Checkpoint("the layer's output h ⊙ m / (1 − p)", out.tolist(), "vector", 1)]
    f = formula("h_0*m_0/(1 - p)", name="out_0", target=0, h_0=("activation, entry 0", float(h[0])),
                m_0=("keep-mask entry 0 (1 kept, 0 dropped)", float(m[0])), p=("drop probability", q))
    return Solution(out.tolist(), steps, mistakes, checkpoints=checks, formulas=[f])
