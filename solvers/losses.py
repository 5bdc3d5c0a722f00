"""Margin losses (binary and multiclass hinge, the soft-margin SVM objective, triplet) and
information measures (entropy, KL divergence).

Binary hinge (000's SVM notes), label y ∈ {−1, +1}, score s = wᵀx − b (b is SUBTRACTED)::

    ℓ = max(0, 1 − y·s);   SVM objective J = λ‖w‖² + (1/n) Σ_i max(0, 1 − y_i(wᵀx_i − b))

Multiclass (Weston–Watkins / CS231n) hinge, scores s of shape (K,), true class t, margin Δ::

    ℓ = Σ_{j ≠ t} max(0, s_j − s_t + Δ)

Triplet loss, embeddings a, p, n of shape (D,), margin m: max(d(a, p) − d(a, n) + m, 0), with
d the squared Euclidean distance (001's formula, FaceNet) or the plain Euclidean distance
(torch.nn.TripletMarginLoss). Entropy H(P) = −Σ p ln p and KL(P‖Q) = Σ p ln(p/q), divided by
ln 2 for bits; P, Q of shape (K,).
"""

from __future__ import annotations

import math

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Text, Vector, Matrix, TARGET, UNIT_BITS
from ._fmt import fmt


def _p(x: float) -> str:
    """A number to put after a minus sign: negatives in parentheses."""
    return fmt(x) if x >= 0 else f"({fmt(x)})"


def _vec(p: dict, key: str) -> np.ndarray:
    v = np.asarray(p[key], dtype=float)
    if v.ndim != 1 or len(v) < 1:
        raise InvalidParams(f"{key} must be a vector")
    return v


def _hinge_terms(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, sign: float = -1.0) -> np.ndarray:
    """max(0, 1 − y(Xw + sign·b)) per row; sign −1 is the stated convention wᵀx − b."""
    return np.maximum(0.0, 1 - y * (X @ w + sign * b))


def _label(y) -> int:
    y = int(y)
    if y not in (-1, 1):
        raise InvalidParams(f"label y must be −1 or +1, got {y}")
    return y


@solver("binary-hinge-loss", params={
    "w": Vector("the weights w"),
    "x": Vector("the input x"),
    "b": Num("the bias b"),
    "y": Int("the label y (−1 or +1)", lo=-1, hi=1),
})
def binary_hinge_loss(p: dict) -> Solution:
    """max(0, 1 − y(wᵀx − b)) for one example; w, x of shape (D,), y ∈ {−1, +1}."""
    w, x, b, y = _vec(p, "w"), _vec(p, "x"), float(p["b"]), _label(p["y"])
    if w.shape != x.shape:
        raise InvalidParams(f"w and x must have the same length, got {len(w)} and {len(x)}")
    s = float(w @ x) - b
    loss = max(0.0, 1 - y * s)
    steps = [
        f"wᵀx = {' + '.join(f'{fmt(float(a))}·{fmt(float(c))}' for a, c in zip(w, x))} = {fmt(float(w @ x))}",
        f"score s = wᵀx − b = {fmt(float(w @ x))} − {_p(b)} = {fmt(s)}",
        f"y·s = {y}·{fmt(s)} = {fmt(y * s)}; ℓ = max(0, 1 − y·s) = max(0, {fmt(1 - y * s)}) = {fmt(loss)}",
    ]
    mistakes = {
        "added b instead of subtracting it (wᵀx + b)": max(0.0, 1 - y * (float(w @ x) + b)),
        "forgot the max with 0": 1 - y * s,
        "forgot the label y (used 1 − s)": max(0.0, 1 - s),
        "dropped the margin 1: max(0, −y·s)": max(0.0, -y * s),
    }
    checks = [Checkpoint("wᵀx", float(w @ x), "number", 0), Checkpoint("the score s = wᵀx − b", s, "number", 1),
              Checkpoint("y·s", y * s, "number", 2), Checkpoint("ℓ = max(0, 1 − y·s)", loss, "number", 2)]
    syms = {f"w{i + 1}": (f"weight {i + 1}", float(v)) for i, v in enumerate(w)}
    syms.update({f"x{i + 1}": (f"feature {i + 1} of x", float(v)) for i, v in enumerate(x)})
    dot = " + ".join(f"w{i}*x{i}" for i in range(1, len(w) + 1))
    declared = [formula(f"max(0, 1 - y*({dot} - b))", name="loss", y=("the label (−1 or +1)", y), b=("the bias (subtracted)", b), **syms)]
    return Solution(loss, steps, mistakes, checkpoints=checks, formulas=declared)


@solver("svm-objective", params={
    "w": Vector("the weights w", example=[1.0, -1.0]),
    "b": Num("the bias b", example=0.5),
    "lam": Num("the penalty strength λ", example=0.1),
    "X": Matrix("the examples, of shape (N, d), one per row", example=[[2.0, 0.5], [0.5, 1.0], [-1.0, 0.5]]),
    "y": Vector("each example's label (−1 or +1), of shape (N,)", ints=True, lo=-1, hi=1, example=[1, 1, -1]),
})
def svm_objective(p: dict) -> Solution:
    """J = λ‖w‖² + (1/n) Σ max(0, 1 − y_i(wᵀx_i − b)); X of shape (n, D), y of shape (n,)."""
    w, b, lam = _vec(p, "w"), float(p["b"]), float(p["lam"])
    X = np.asarray(p["X"], dtype=float)
    y = np.asarray([_label(v) for v in p["y"]], dtype=float)
    if X.ndim != 2 or X.shape != (len(y), len(w)):
        raise InvalidParams(f"X must have shape (n, D) = ({len(y)}, {len(w)}), got {X.shape}")
    terms = _hinge_terms(w, b, X, y)
    scores = X @ w - b
    reg = lam * float(w @ w)
    data = float(terms.mean())
    J = reg + data
    steps = [
        f"scores s_i = wᵀx_i − b = {fmt(scores.tolist())}",
        f"y_i·s_i = {fmt((y * scores).tolist())}; hinge terms max(0, 1 − y_i s_i) = {fmt(terms.tolist())}",
        f"mean hinge = {fmt(float(terms.sum()))} / {len(y)} = {fmt(data)}",
        f"λ‖w‖² = {fmt(lam)}·{fmt(float(w @ w))} = {fmt(reg)}",
        f"J = {fmt(reg)} + {fmt(data)} = {fmt(J)}",
    ]
    mistakes = {
        "summed the hinge terms instead of averaging (forgot 1/n)": reg + float(terms.sum()),
        "forgot the regularizer λ‖w‖²": data,
        "used λ/2·‖w‖² (another convention)": reg / 2 + data,
        "added b instead of subtracting it (wᵀx + b)": reg + float(_hinge_terms(w, b, X, y, +1.0).mean()),
        "included the bias b in ‖w‖²": lam * (float(w @ w) + b * b) + data,
        "used λ‖w‖ (not squared)": lam * math.sqrt(float(w @ w)) + data,
    }
    checks = [Checkpoint("the scores s_i = wᵀx_i − b", scores.tolist(), "vector", 0),
              Checkpoint("the hinge terms max(0, 1 − y_i s_i)", terms.tolist(), "vector", 1),
              Checkpoint("the mean hinge", data, "number", 2), Checkpoint("λ‖w‖²", reg, "number", 3), Checkpoint("J", J, "number", 4)]
    syms = {f"w{k + 1}": (f"weight {k + 1}", float(v)) for k, v in enumerate(w)}
    for i in range(len(y)):
        syms[f"y{i + 1}"] = (f"the label of example {i + 1}", int(y[i]))
        syms[f"s{i + 1}"] = (f"the score wᵀx_{i + 1} − b of example {i + 1}", float(scores[i]))
    norm2 = " + ".join(f"w{k}**2" for k in range(1, len(w) + 1))
    hinge = " + ".join(f"max(0, 1 - y{i}*s{i})" for i in range(1, len(y) + 1))
    declared = [formula(f"lam*({norm2}) + ({hinge})/n", name="J", lam=("the regularization strength λ", lam),
                        n=("the number of examples", len(y)), **syms)]
    return Solution(J, steps, mistakes, checkpoints=checks, formulas=declared)


@solver("multiclass-hinge-loss", params={
    "scores": Vector("the class scores, of shape (K,)"),
    "target": TARGET,
    "margin": Num("the margin Δ", lo=0),
})
def multiclass_hinge_loss(p: dict) -> Solution:
    """Σ_{j≠t} max(0, s_j − s_t + Δ) for scores of shape (K,), true class t (0-based)."""
    s, t, delta = _vec(p, "scores"), int(p["target"]), float(p["margin"])
    if not 0 <= t < len(s):
        raise InvalidParams(f"target {t} is not a class index 0..{len(s) - 1}")
    raw = s - s[t] + delta
    terms = np.maximum(0.0, raw)
    terms[t] = 0.0
    loss = float(terms.sum())
    others = [j for j in range(len(s)) if j != t]
    steps = [
        f"s_t = s_{t} = {fmt(float(s[t]))}; for every other class j: max(0, s_j − s_t + Δ)",
        *(f"j = {j}: max(0, {fmt(float(s[j]))} − {_p(float(s[t]))} + {fmt(delta)}) = {fmt(float(terms[j]))}" for j in others),
        f"ℓ = {' + '.join(fmt(float(terms[j])) for j in others)} = {fmt(loss)}",
    ]
    no_margin = float(sum(max(0.0, s[j] - s[t]) for j in others))
    mistakes = {
        "included the true class's own term (adds Δ)": loss + delta,
        "forgot the margin Δ": no_margin,
        "forgot the max with 0 (summed negative terms too)": float(sum(raw[j] for j in others)),
        "took the largest term (the Crammer–Singer variant) instead of the sum": float(max(terms[j] for j in others)),
        "divided by the number of classes K (as torch.nn.MultiMarginLoss does)": loss / len(s),
    }
    checks = [Checkpoint(f"class {j}'s term max(0, s_{j} − s_t + Δ)", float(terms[j]), "number", 1 + n) for n, j in enumerate(others)]
    checks.append(Checkpoint("ℓ, the sum of the terms", loss, "number", len(steps) - 1))
    syms = {f"s{j}": (f"the score of class {j}", float(s[j])) for j in others}
    syms["s_t"] = (f"the score of the true class {t}", float(s[t]))
    declared = [formula(" + ".join(f"max(0, s{j} - s_t + Delta)" for j in others), name="loss",
                        Delta=("the margin Δ", delta), **syms)]
    return Solution(loss, steps, mistakes, checkpoints=checks, formulas=declared)


def _dist(u: np.ndarray, v: np.ndarray, kind: str) -> float:
    d2 = float(((u - v) ** 2).sum())
    return d2 if kind == "squared" else math.sqrt(d2)


@solver("triplet-loss", params={
    "anchor": Vector("the anchor embedding a, of shape (d,)"),
    "positive": Vector("the positive embedding p, of shape (d,)"),
    "negative": Vector("the negative embedding n, of shape (d,)"),
    "margin": Num("the margin α", lo=0),
    "distance": Text("the distance: squared or plain Euclidean", choices=("squared", "euclidean")),
})
def triplet_loss(p: dict) -> Solution:
    """max(d(a, p) − d(a, n) + margin, 0); ``distance`` is "squared" or "euclidean"."""
    a, pos, neg = _vec(p, "anchor"), _vec(p, "positive"), _vec(p, "negative")
    m, kind = float(p["margin"]), str(p["distance"])
    if kind not in ("squared", "euclidean"):
        raise InvalidParams(f"distance must be 'squared' or 'euclidean', got {kind!r}")
    if not a.shape == pos.shape == neg.shape:
        raise InvalidParams("anchor, positive and negative must have the same length")
    other = "euclidean" if kind == "squared" else "squared"
    dp, dn = _dist(a, pos, kind), _dist(a, neg, kind)
    loss = max(0.0, dp - dn + m)
    d2p, d2n = _dist(a, pos, "squared"), _dist(a, neg, "squared")
    name = "‖a − p‖²" if kind == "squared" else "‖a − p‖"
    steps = [
        f"‖a − p‖² = {fmt(d2p)}, ‖a − n‖² = {fmt(d2n)}",
        (f"squared distances: d(a, p) = {fmt(dp)}, d(a, n) = {fmt(dn)}" if kind == "squared"
         else f"Euclidean distances: d(a, p) = √{fmt(d2p)} = {fmt(dp, 5)}, d(a, n) = √{fmt(d2n)} = {fmt(dn, 5)}"),
        f"ℓ = max({fmt(dp, 5)} − {fmt(dn, 5)} + {fmt(m)}, 0) = max({fmt(dp - dn + m, 5)}, 0) = {fmt(loss, 5)}",
    ]
    mistakes = {
        f"used {'plain Euclidean' if other == 'euclidean' else 'squared'} distances instead of {name}":
            max(0.0, _dist(a, pos, other) - _dist(a, neg, other) + m),
        "swapped the positive and the negative": max(0.0, dn - dp + m),
        "forgot the margin": max(0.0, dp - dn),
        "forgot the max with 0": dp - dn + m,
        "subtracted the margin instead of adding it": max(0.0, dp - dn - m),
    }
    checks = [Checkpoint("‖a − p‖²", d2p, "number", 0), Checkpoint("‖a − n‖²", d2n, "number", 0),
              Checkpoint("d(a, p)", dp, "number", 1), Checkpoint("d(a, n)", dn, "number", 1), Checkpoint("ℓ", loss, "number", 2)]
    syms: dict = {"m": ("the margin", m)}
    for k in range(len(a)):
        syms[f"a{k}"] = (f"entry {k} of the anchor", float(a[k]))
        syms[f"p{k}"] = (f"entry {k} of the positive", float(pos[k]))
        syms[f"n{k}"] = (f"entry {k} of the negative", float(neg[k]))
    d2 = {v: " + ".join(f"(a{k} - {v}{k})**2" for k in range(len(a))) for v in ("p", "n")}
    d = {v: f"({e})" if kind == "squared" else f"sqrt({e})" for v, e in d2.items()}
    declared = [formula(f"max({d['p']} - {d['n']} + m, 0)", name="loss", **syms)]
    return Solution(loss, steps, mistakes, checkpoints=checks, formulas=declared)


def _dist_param(p: dict, key: str) -> np.ndarray:
    v = _vec(p, key)
    if (v <= 0).any() or abs(v.sum() - 1) > 1e-6:
        raise InvalidParams(f"{key} = {fmt(v.tolist())} is not a probability vector with positive entries")
    return v


def _unit(p: dict) -> tuple[str, float, str, float]:
    """(unit, divisor, other unit, its divisor): nats divide ln by 1, bits by ln 2."""
    unit = str(p["unit"])
    if unit not in ("nats", "bits"):
        raise InvalidParams(f"unit must be 'nats' or 'bits', got {unit!r}")
    return (unit, 1.0, "bits", math.log(2)) if unit == "nats" else (unit, math.log(2), "nats", 1.0)


@solver("entropy", params={
    "p": Vector("the distribution p, of shape (K,)", lo=0, hi=1, example=[0.5, 0.25, 0.25]),
    "unit": UNIT_BITS,
})
def entropy(p: dict) -> Solution:
    """H(P) = −Σ p_i log p_i in nats (ln) or bits (log2); P of shape (K,)."""
    P = _dist_param(p, "p")
    unit, div, other, odiv = _unit(p)
    h_nats = float(-(P * np.log(P)).sum())
    H = h_nats / div
    log = "ln" if unit == "nats" else "log2"
    steps = [
        f"H(P) = −Σ p_i {log} p_i = " + " + ".join(f"{fmt(float(q))}·{fmt(float(-np.log(q) / div), 5)}" for q in P) + f" = {fmt(H, 6)} {unit}",
    ]
    mistakes = {
        f"gave the answer in {other} (wrong log base)": h_nats / odiv,
        "used log base 10": h_nats / math.log(10),
        "dropped the minus sign": -H,
        "forgot to weight by p_i: −Σ log p_i": float(-np.log(P).sum()) / div,
    }
    fn = "log2" if unit == "bits" else "log"
    syms = {f"p{i}": (f"the probability of outcome {i}", float(q)) for i, q in enumerate(P)}
    declared = [formula("-(" + " + ".join(f"{n}*{fn}({n})" for n in syms) + ")", name="H(P)", **syms)]
    return Solution(H, steps, mistakes, context={"_log": "log base 2" if unit == "bits" else "natural log"}, formulas=declared)


@solver("kl-divergence", params={
    "p": Vector("the distribution P, of shape (K,)", lo=0, hi=1, example=[0.7, 0.2, 0.1]),
    "q": Vector("the distribution Q, of shape (K,)", lo=0, hi=1, example=[0.2, 0.5, 0.3]),
    "unit": UNIT_BITS,
})
def kl_divergence(p: dict) -> Solution:
    """KL(P‖Q) = Σ p_i log(p_i / q_i) in nats or bits; P, Q of shape (K,)."""
    P, Q = _dist_param(p, "p"), _dist_param(p, "q")
    if P.shape != Q.shape:
        raise InvalidParams("p and q must have the same length")
    unit, div, other, odiv = _unit(p)
    kl_nats = float((P * np.log(P / Q)).sum())
    rev_nats = float((Q * np.log(Q / P)).sum())
    ce_nats = float(-(P * np.log(Q)).sum())
    KL = kl_nats / div
    log = "ln" if unit == "nats" else "log2"
    steps = [
        f"KL(P‖Q) = Σ p_i {log}(p_i / q_i), weighted by P (the first argument)",
        " + ".join(f"{fmt(float(a))}·{log}({fmt(float(a))}/{fmt(float(b))})" for a, b in zip(P, Q))
        + " = " + " + ".join(fmt(float(a * np.log(a / b) / div), 5) for a, b in zip(P, Q)) + f" = {fmt(KL, 6)} {unit}",
    ]
    mistakes = {
        "reversed the direction: KL(Q‖P)": rev_nats / div,
        f"gave the answer in {other} (wrong log base)": kl_nats / odiv,
        "gave the cross-entropy H(P, Q) = −Σ p log q (forgot to subtract H(P))": ce_nats / div,
        "flipped the ratio: Σ p log(q/p)": -KL,
    }
    fn = "log2" if unit == "bits" else "log"
    syms = {f"p{i}": (f"P's probability of outcome {i}", float(v)) for i, v in enumerate(P)}
    syms.update({f"q{i}": (f"Q's probability of outcome {i}", float(v)) for i, v in enumerate(Q)})
    declared = [formula(" + ".join(f"p{i}*{fn}(p{i}/q{i})" for i in range(len(P))), name="KL(P||Q)", **syms)]
    return Solution(KL, steps, mistakes, context={"_log": "log base 2" if unit == "bits" else "natural log"}, formulas=declared)
