"""Information theory beyond one distribution's entropy and KL (those are in losses.py).

    batch cross-entropy   L = −(1/N) Σ_n ln P[n, y_n]          P of shape (N, K), rows sum to 1, y 0-based
    KL of Gaussians       KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) = ln(σ2/σ1) + (σ1² + (μ1 − μ2)²)/(2σ2²) − 1/2
    VAE KL term           KL(N(μ, diag σ²) ‖ N(0, I)) = Σ_j ½(σ_j² + μ_j² − 1 − ln σ_j²)
    mutual information    I(X; Y) = Σ_xy p(x, y) log(p(x, y)/(p(x)·p(y)))      joint of shape (2, 2), rows = x
    conditional entropy   H(Y | X) = Σ_x p(x)·H(Y | X = x) = H(X, Y) − H(X)
"""

from __future__ import annotations

import math

import numpy as np

from . import InvalidParams, Solution, formula, solver
from ._params import Num, Vector, Matrix, UNIT_BITS
from ._fmt import fmt
from .losses import _unit


def _matrix(p: dict, key: str) -> np.ndarray:
    a = np.asarray(p[key], dtype=float)
    if a.ndim != 2 or not np.isfinite(a).all():
        raise InvalidParams(f"{key} must be a matrix of numbers, got {p[key]!r}")
    return a


def _joint(p: dict) -> np.ndarray:
    J = _matrix(p, "joint")
    if J.shape != (2, 2) or (J <= 0).any() or abs(J.sum() - 1) > 1e-6:
        raise InvalidParams(f"joint must be a 2×2 table of positive probabilities summing to 1, got {p['joint']!r}")
    return J


def _h(q: np.ndarray) -> float:
    """Entropy in nats of the positive entries of q."""
    q = q[q > 0]
    return float(-(q * np.log(q)).sum())


@solver("batch-cross-entropy", params={
    "probs": Matrix("each example's predicted class probabilities, of shape (N, K)", example=[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]),
    "labels": Vector("each example's true class, 0-based, of shape (N,)", ints=True, lo=0, example=[0, 1, 2]),
})
def batch_cross_entropy(p: dict) -> Solution:
    """Mean over the batch of −ln P[n, y_n], from predicted probabilities P (N, K) and 0-based labels y."""
    P = _matrix(p, "probs")
    y = [int(t) for t in p["labels"]]
    N, K = P.shape
    if len(y) != N or any(not 0 <= t < K for t in y) or (P <= 0).any() or np.abs(P.sum(axis=1) - 1).max() > 1e-6:
        raise InvalidParams("probs must be N rows of positive probabilities summing to 1 and labels N classes in 0..K−1")
    picked = np.array([P[n, t] for n, t in enumerate(y)])
    losses = -np.log(picked)
    L = float(losses.mean())
    steps = [
        "Per example, −ln of the probability given to its TRUE class: "
        + ", ".join(f"−ln P[{n}, {t}] = −ln {fmt(float(q))} = {fmt(float(l))}" for n, (t, q, l) in enumerate(zip(y, picked, losses))),
        f"Mean over the N = {N} examples: ({' + '.join(fmt(float(l)) for l in losses)})/{N} = {fmt(L)}",
    ]
    mistakes = {
        "summed over the batch instead of averaging": float(losses.sum()),
        "used log base 2": L / math.log(2),
        "averaged the true-class probabilities first, then took −ln": float(-np.log(picked.mean())),
        "divided by N·K (every entry of the table) instead of N": float(losses.sum()) / (N * K),
        "used each row's largest probability, not the true class's": float(-np.log(P.max(axis=1)).mean()),
    }
    syms = {f"q{n}": (f"the probability example {n} gives its true class {t}, P[{n}, {t}]", float(picked[n])) for n, t in enumerate(y)}
    declared = [formula("-(" + " + ".join(f"log({q})" for q in syms) + ")/N", name="L", N=("the batch size", N), **syms)]
    return Solution(L, steps, mistakes, formulas=declared)


def _gauss_kl(m1: float, s1: float, m2: float, s2: float) -> float:
    return math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5


@solver("gaussian-kl", params={
    "mu1": Num("the mean of P", example=0.0),
    "sigma1": Num("the standard deviation of P", lo=0, example=1.0),
    "mu2": Num("the mean of Q", example=1.0),
    "sigma2": Num("the standard deviation of Q", lo=0, example=2.0),
})
def gaussian_kl(p: dict) -> Solution:
    """KL(N(μ1, σ1²) ‖ N(μ2, σ2²)) in nats (σ are standard deviations)."""
    m1, s1, m2, s2 = (float(p[k]) for k in ("mu1", "sigma1", "mu2", "sigma2"))
    if s1 <= 0 or s2 <= 0:
        raise InvalidParams("standard deviations must be positive")
    kl = _gauss_kl(m1, s1, m2, s2)
    if kl < 1e-3:
        raise InvalidParams("the two Gaussians are (nearly) the same")
    log_term, frac = math.log(s2 / s1), (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2)
    steps = [
        f"ln(σ2/σ1) = ln({fmt(s2)}/{fmt(s1)}) = {fmt(log_term)}",
        f"(σ1² + (μ1 − μ2)²)/(2σ2²) = ({fmt(s1 * s1)} + {fmt((m1 - m2) ** 2)})/{fmt(2 * s2 * s2)} = {fmt(frac)}",
        f"KL(P‖Q) = {fmt(log_term)} + {fmt(frac)} − 0.5 = {fmt(kl)} nats",
    ]
    mistakes = {
        "reversed the direction: KL(Q‖P)": _gauss_kl(m2, s2, m1, s1),
        "forgot the −1/2": kl + 0.5,
        "flipped the log ratio: ln(σ1/σ2)": kl - 2 * log_term,
        "used σ in place of σ² in the fraction": log_term + (s1 + (m1 - m2) ** 2) / (2 * s2) - 0.5,
    }
    declared = [formula("log(sigma2/sigma1) + (sigma1**2 + (mu1 - mu2)**2)/(2*sigma2**2) - 1/2", name="KL(P||Q)",
                        mu1=("the mean of P", m1), sigma1=("the standard deviation of P", s1),
                        mu2=("the mean of Q", m2), sigma2=("the standard deviation of Q", s2))]
    return Solution(kl, steps, mistakes, formulas=declared)


@solver("vae-kl", params={
    "mu": Vector("the encoder's means, of shape (d,)", example=[0.5, -1.0]),
    "sigma": Vector("the encoder's standard deviations, of shape (d,)", lo=0, example=[1.0, 0.5]),
})
def vae_kl(p: dict) -> Solution:
    """The VAE's KL(N(μ, diag σ²) ‖ N(0, I)) summed over latent dimensions, nats; σ are standard deviations."""
    mu = np.atleast_1d(np.asarray(p["mu"], dtype=float))
    sd = np.atleast_1d(np.asarray(p["sigma"], dtype=float))
    if mu.shape != sd.shape or mu.ndim != 1 or (sd <= 0).any():
        raise InvalidParams("mu and sigma must be vectors of one length, sigma > 0")
    var = sd * sd
    per = 0.5 * (var + mu * mu - 1 - np.log(var))
    kl = float(per.sum())
    if kl < 1e-3:
        raise InvalidParams("q is (nearly) the prior")
    steps = [
        "Per latent dimension j: ½(σ_j² + μ_j² − 1 − ln σ_j²)",
        *(f"j = {j}: ½({fmt(float(v))} + {fmt(float(m * m))} − 1 − ln {fmt(float(v))}) = {fmt(float(t))}"
          for j, (v, m, t) in enumerate(zip(var, mu, per))),
        f"Sum over the {mu.size} dimensions: {' + '.join(fmt(float(t)) for t in per)} = {fmt(kl)} nats",
    ]
    rev = float((np.log(sd) + (1 + mu * mu) / (2 * var) - 0.5).sum())
    mistakes = {
        "forgot the ½": 2 * kl,
        "used ln σ in place of ln σ²": float((0.5 * (var + mu * mu - 1 - np.log(sd))).sum()),
        "averaged over the latent dimensions instead of summing": kl / mu.size,
        "reversed the direction: KL(N(0, I) ‖ q)": rev,
        "dropped the −1": kl + 0.5 * mu.size,
    }
    syms: dict = {}
    for j in range(mu.size):
        syms[f"mu_{j}"] = (f"the mean of latent dimension {j}", float(mu[j]))
        syms[f"sigma_{j}"] = (f"the standard deviation of latent dimension {j}", float(sd[j]))
    expr = " + ".join(f"(sigma_{j}**2 + mu_{j}**2 - 1 - log(sigma_{j}**2))/2" for j in range(mu.size))
    declared = [formula(expr, name="KL(q||N(0, I))", **syms)]
    return Solution(kl, steps, mistakes, formulas=declared)


def _table_symbols(J: np.ndarray, px: np.ndarray, py: np.ndarray) -> dict:
    """The joint entries p<x><y> and the marginals px<x> (row sums), py<y> (column sums) as symbols."""
    syms = {f"p{a}{b}": (f"the joint probability p(x = {a}, y = {b})", float(J[a, b])) for a in range(2) for b in range(2)}
    syms.update({f"px{a}": (f"the marginal p(x = {a}) (row sum)", float(px[a])) for a in range(2)})
    syms.update({f"py{b}": (f"the marginal p(y = {b}) (column sum)", float(py[b])) for b in range(2)})
    return syms


def _log(unit: str) -> str:
    return "log2" if unit == "bits" else "ln"


@solver("mutual-information", params={
    "joint": Matrix("the joint distribution p(x, y), of shape (2, 2)", example=[[0.4, 0.1], [0.1, 0.4]]),
    "unit": UNIT_BITS,
})
def mutual_information(p: dict) -> Solution:
    """I(X; Y) of a 2×2 joint table (rows x, columns y) in bits or nats."""
    J = _joint(p)
    unit, div, other, odiv = _unit(p)
    px, py = J.sum(axis=1), J.sum(axis=0)
    outer = np.outer(px, py)
    i_nats = float((J * np.log(J / outer)).sum())
    if i_nats < 1e-3:
        raise InvalidParams("X and Y are (nearly) independent")
    lg = _log(unit)
    I = i_nats / div
    terms = [f"{fmt(float(J[a, b]))}·{lg}({fmt(float(J[a, b]))}/({fmt(float(px[a]))}·{fmt(float(py[b]))}))" for a in range(2) for b in range(2)]
    steps = [
        f"Marginals: p(x) = row sums = {fmt([float(v) for v in px])}, p(y) = column sums = {fmt([float(v) for v in py])}",
        f"I(X; Y) = Σ p(x, y)·{lg}(p(x, y)/(p(x)·p(y))) = " + " + ".join(terms),
        f"= {' + '.join(fmt(float(J[a, b] * np.log(J[a, b] / outer[a, b]) / div), 5) for a in range(2) for b in range(2))} = {fmt(I)} {unit}".replace("+ -", "− "),
    ]
    h_xy, h_x, h_y = _h(J.ravel()), _h(px), _h(py)
    mistakes = {
        f"gave the answer in {other} (wrong log base)": i_nats / odiv,
        "gave the joint entropy H(X, Y)": h_xy / div,
        "gave H(X) + H(Y) without subtracting H(X, Y)": (h_x + h_y) / div,
        "forgot to weight by p(x, y): Σ log(p(x, y)/(p(x)·p(y)))": float(np.log(J / outer).sum()) / div,
    }
    fn = "log2" if unit == "bits" else "log"
    expr = " + ".join(f"p{a}{b}*{fn}(p{a}{b}/(px{a}*py{b}))" for a in range(2) for b in range(2))
    declared = [formula(expr, name="I(X; Y)", **_table_symbols(J, px, py))]
    return Solution(I, steps, mistakes, context={"_log": "log base 2" if unit == "bits" else "natural log"}, formulas=declared)


@solver("conditional-entropy", params={
    "joint": Matrix("the joint distribution p(x, y), of shape (2, 2)", example=[[0.3, 0.1], [0.2, 0.4]]),
    "unit": UNIT_BITS,
})
def conditional_entropy(p: dict) -> Solution:
    """H(Y | X) of a 2×2 joint table (rows x, columns y) in bits or nats."""
    J = _joint(p)
    unit, div, other, odiv = _unit(p)
    px, py = J.sum(axis=1), J.sum(axis=0)
    rows = [_h(J[a] / px[a]) for a in range(2)]
    h = float(sum(px[a] * rows[a] for a in range(2)))
    lg = _log(unit)
    steps = [
        f"p(x) = row sums = {fmt([float(v) for v in px])}",
        *(f"X = {a}: p(y | x) = {fmt([float(v) for v in J[a] / px[a]])}, H(Y | X = {a}) = {fmt(rows[a] / div)} {unit}" for a in range(2)),
        f"H(Y | X) = Σ_x p(x)·H(Y | X = x) = {fmt(float(px[0]))}·{fmt(rows[0] / div)} + {fmt(float(px[1]))}·{fmt(rows[1] / div)} = {fmt(h / div)} {unit}",
    ]
    h_x_given_y = float(sum(py[b] * _h(J[:, b] / py[b]) for b in range(2)))
    mistakes = {
        "gave H(X | Y): conditioned the wrong way": h_x_given_y / div,
        "gave H(Y), ignoring X": _h(py) / div,
        "gave the joint entropy H(X, Y)": _h(J.ravel()) / div,
        "averaged the two row entropies without weighting by p(x)": (rows[0] + rows[1]) / 2 / div,
        "gave I(X; Y) = H(Y) − H(Y | X)": (_h(py) - h) / div,
        f"gave the answer in {other} (wrong log base)": h / odiv,
    }
    fn = "log2" if unit == "bits" else "log"
    expr = "-(" + " + ".join(f"p{a}{b}*{fn}(p{a}{b}/px{a})" for a in range(2) for b in range(2)) + ")"
    syms = {k: v for k, v in _table_symbols(J, px, py).items() if not k.startswith("py")}
    declared = [formula(expr, name="H(Y | X)", **syms)]
    return Solution(h / div, steps, mistakes, context={"_log": "log base 2" if unit == "bits" else "natural log"}, formulas=declared)
