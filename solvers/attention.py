"""Scaled dot-product attention on tiny matrices, and why the scores are divided by √d.

Q of shape (n, d) (one query per row), K of shape (m, d), V of shape (m, d_v). As the 003
slides write it, with rows and columns numbered from 0::

    r_ij = ⟨q_i, k_j⟩ / √d          R = QKᵀ/√d, shape (n, m)
    p_i  = softmax_j(r_i,:)          each ROW sums to 1 (over the keys)
    c_i  = Σ_j p_ij · v_j            C = P·V, shape (n, d_v)

For q, k with d independent entries of mean 0 and variance 1, Var(q·k) = d.
"""

from __future__ import annotations

import math

import numpy as np

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Text, Matrix
from ._fmt import fmt


def softmax_rows(r: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(r - r.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _matrices(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    Q, K = np.asarray(p["Q"], dtype=float), np.asarray(p["K"], dtype=float)
    V = np.asarray(p["V"], dtype=float) if "V" in p else None
    if Q.ndim != 2 or K.ndim != 2 or Q.shape[1] != K.shape[1]:
        raise InvalidParams(f"Q (n, d) and K (m, d) must share d; got {Q.shape} and {K.shape}")
    if V is not None and (V.ndim != 2 or V.shape[0] != K.shape[0]):
        raise InvalidParams(f"V must have one row per key ({K.shape[0]}); got {V.shape}")
    return Q, K, V


def _index(p: dict, key: str, n: int) -> int:
    i = int(p[key])
    if not 0 <= i < n:
        raise InvalidParams(f"{key} = {i} is not a row index 0..{n - 1}")
    return i


def _dot_formula(q: np.ndarray, k: np.ndarray, i: int, j: int) -> tuple[str, dict]:
    """⟨q_i, k_j⟩ written out entry by entry, with its symbols q<t>, k<t>."""
    expr = " + ".join(f"q{t}*k{t}" for t in range(len(q)))
    syms = {f"q{t}": (f"entry {t} of the query q_{i}", float(q[t])) for t in range(len(q))}
    syms.update({f"k{t}": (f"entry {t} of the key k_{j}", float(k[t])) for t in range(len(k))})
    return expr, syms


def _softmax_formula(row: np.ndarray, i: int, target: int | None) -> Formula:
    """p_i0 = exp(r_0) / Σ_j exp(r_j) over query i's scaled scores (entry 0 of the weights)."""
    expr = "exp(r0)/(" + " + ".join(f"exp(r{j})" for j in range(len(row))) + ")"
    syms = {f"r{j}": (f"the scaled score of query {i} and key {j}", float(row[j])) for j in range(len(row))}
    return formula(expr, name=f"p_{i}0", target=target, **syms)


def _scores(Q: np.ndarray, K: np.ndarray, scale: float) -> np.ndarray:
    return Q @ K.T / scale


@solver("attention-score", params={
    "Q": Matrix("the queries, of shape (n, d), one row per query"),
    "K": Matrix("the keys, of shape (m, d), one row per key"),
    "i": Int("the query's row, 0-based", lo=0),
    "j": Int("the key's row, 0-based", lo=0),
})
def attention_score(p: dict) -> Solution:
    """One scaled score r_ij = ⟨q_i, k_j⟩/√d (0-based i over queries, j over keys)."""
    Q, K, _ = _matrices(p)
    d = Q.shape[1]
    i, j = _index(p, "i", Q.shape[0]), _index(p, "j", K.shape[0])
    dot = float(Q[i] @ K[j])
    r = dot / math.sqrt(d)
    terms = " + ".join(f"{fmt(a)}·{fmt(b)}" for a, b in zip(Q[i], K[j]))
    steps = [
        f"q_{i} = {fmt(Q[i].tolist())} (row {i} of Q), k_{j} = {fmt(K[j].tolist())} (row {j} of K), d = {d}",
        f"⟨q_{i}, k_{j}⟩ = {terms} = {fmt(dot)}",
        f"r_{i}{j} = {fmt(dot)} / √{d} = {fmt(r)}",
    ]
    mistakes = {"forgot to divide by √d": dot, "divided by d instead of √d": dot / d}
    if Q.shape[0] == K.shape[0] and i != j:
        mistakes["swapped the indices (⟨q_j, k_i⟩)"] = float(Q[j] @ K[i]) / math.sqrt(d)
    checks = [Checkpoint(f"the dot product ⟨q_{i}, k_{j}⟩", dot, "number", 1), Checkpoint(f"the scaled score r_{i}{j}", r, "number", 2)]
    expr, syms = _dot_formula(Q[i], K[j], i, j)
    declared = [formula(f"({expr})/sqrt(d)", name=f"r_{i}{j}", d=("the key/query dimension", d), **syms)]
    return Solution(r, steps, mistakes, checkpoints=checks, formulas=declared)


def _weights_steps(R: np.ndarray, i: int, d: int) -> tuple[np.ndarray, list[str]]:
    row = R[i]
    e = np.exp(row)
    prob = softmax_rows(row)
    steps = [
        f"Scores of query {i}: r_{i},: = (q_{i}·k_j for each key j) / √{d} = {fmt(row.tolist(), 5)}",
        f"exp(r_{i},:) = {fmt(e.tolist(), 5)}, sum = {fmt(float(e.sum()), 5)}",
        f"p_{i},: = softmax over the keys j = {fmt(prob.tolist(), 5)}  (sums to 1)",
    ]
    return prob, steps


def _weights_checks(R: np.ndarray, i: int) -> list[Checkpoint]:
    """The scaled scores of query i and their softmax, shown by :func:`_weights_steps`' lines."""
    return [Checkpoint(f"the scaled scores r_{i},: (one per key)", R[i].tolist(), "vector", 0),
            Checkpoint(f"the attention weights p_{i},: (softmax over the keys)", softmax_rows(R[i]).tolist(), "vector", 2)]


@solver("attention-weights", params={
    "Q": Matrix("the queries, of shape (n, d), one row per query"),
    "K": Matrix("the keys, of shape (m, d), one row per key"),
    "i": Int("the query's row, 0-based", lo=0),
})
def attention_weights(p: dict) -> Solution:
    """Row i of P = softmax(QKᵀ/√d), the softmax taken over the keys (along each row); shape (m,)."""
    Q, K, _ = _matrices(p)
    d = Q.shape[1]
    i = _index(p, "i", Q.shape[0])
    R = _scores(Q, K, math.sqrt(d))
    prob, steps = _weights_steps(R, i, d)
    mistakes = {
        "forgot to divide by √d": softmax_rows(_scores(Q, K, 1.0)[i]).tolist(),
        "divided by d instead of √d": softmax_rows(_scores(Q, K, d)[i]).tolist(),
        "took the softmax over the wrong axis (over the queries, down each column)": softmax_rows(R, axis=0)[i].tolist(),
        "forgot the softmax (raw scaled scores)": R[i].tolist(),
    }
    return Solution(prob.tolist(), steps, mistakes, checkpoints=_weights_checks(R, i), formulas=[_softmax_formula(R[i], i, 0)])


@solver("attention-output", params={
    "Q": Matrix("the queries, of shape (n, d), one row per query"),
    "K": Matrix("the keys, of shape (m, d), one row per key"),
    "V": Matrix("the values, of shape (m, d_v), one row per key"),
    "i": Int("the query's row, 0-based", lo=0),
})
def attention_output(p: dict) -> Solution:
    """Row i of softmax(QKᵀ/√d)·V: c_i = Σ_j p_ij v_j, shape (d_v,)."""
    Q, K, V = _matrices(p)
    if V is None:
        raise InvalidParams("attention-output needs V")
    d = Q.shape[1]
    i = _index(p, "i", Q.shape[0])
    R = _scores(Q, K, math.sqrt(d))
    prob, steps = _weights_steps(R, i, d)
    c = prob @ V
    steps.append(
        f"c_{i} = Σ_j p_{i}j·v_j = " + " + ".join(f"{fmt(float(w), 4)}·{fmt(v.tolist())}" for w, v in zip(prob, V)) + f" = {fmt(c.tolist(), 5)}"
    )
    mistakes = {
        "forgot to divide by √d": (softmax_rows(_scores(Q, K, 1.0)[i]) @ V).tolist(),
        "divided by d instead of √d": (softmax_rows(_scores(Q, K, d)[i]) @ V).tolist(),
        "took the softmax over the wrong axis (over the queries, down each column)": (softmax_rows(R, axis=0)[i] @ V).tolist(),
        "forgot the softmax (weighted the values by raw scores)": (R[i] @ V).tolist(),
    }
    checks = _weights_checks(R, i) + [Checkpoint(f"the output c_{i} = Σ_j p_{i}j·v_j", c.tolist(), "vector", 3)]
    syms = {f"p{j}": (f"the attention weight of query {i} on key {j}", float(prob[j])) for j in range(len(prob))}
    syms.update({f"v{j}": (f"entry 0 of the value v_{j}", float(V[j, 0])) for j in range(len(prob))})
    declared = [formula(" + ".join(f"p{j}*v{j}" for j in range(len(prob))), name=f"c_{i}0", target=0, **syms)]
    return Solution(c.tolist(), steps, mistakes, checkpoints=checks, formulas=declared)


@solver("attention-score-variance", params={
    "d": Int("the head dimension d (q and k have d independent entries of mean 0, variance 1)", lo=2),
    "scale": Text("the score: q·k (none) or q·k/√d (sqrt_d)", choices=("none", "sqrt_d")),
})
def attention_score_variance(p: dict) -> Solution:
    """Var(q·k) (``scale`` none) or Var(q·k/√d) (``scale`` sqrt_d) for q, k with d independent entries of mean 0, variance 1."""
    d = int(p["d"])
    if d < 2:
        raise InvalidParams(f"d = {d} must be at least 2")
    scaled = {"none": False, "sqrt_d": True}.get(p["scale"])
    if scaled is None:
        raise InvalidParams(f"scale {p['scale']!r} must be none or sqrt_d")
    shown = f"q·k/√{d}" if scaled else "q·k"
    var = 1.0 if scaled else float(d)
    steps = [
        "Each product q_i·k_i has mean 0 and variance E[q_i²]·E[k_i²] = 1·1 = 1 (independent entries).",
        f"The d = {d} products are independent, so their variances add: Var(q·k) = d = {d}.",
    ]
    if scaled:
        steps.append(f"Dividing by √d divides the variance by (√d)² = d: Var({shown}) = {d}/{d} = 1, whatever d is.")
        mistakes = {
            "divided the variance by √d instead of (√d)² = d": d / math.sqrt(d),
            "thought a dot product's variance stays 1, so the scaling shrinks it to 1/d": 1.0 / d,
            "forgot the scaling (that is Var(q·k))": float(d),
        }
    else:
        steps.append("So the unscaled scores spread out as d grows and the softmax saturates; hence the 1/√d.")
        mistakes = {
            "gave the standard deviation √d, not the variance": math.sqrt(d),
            "thought a dot product's variance stays 1, whatever d": 1.0,
            "squared d (the variances add, d terms of variance 1)": float(d * d),
        }
    checks = [Checkpoint("Var(q·k), the variances added", float(d), "number", 1)]
    if scaled:
        checks.append(Checkpoint(f"Var({shown})", var, "number", 2))
    unit = {"var_q": ("the variance of each entry of q", 1.0), "var_k": ("the variance of each entry of k", 1.0)}
    declared = [formula("d*var_q*var_k/sqrt(d)**2" if scaled else "d*var_q*var_k", name=f"Var({shown})",
                        d=("the key/query dimension", d), **unit)]
    return Solution(var, steps, mistakes, context={"_quantity": shown}, checkpoints=checks, formulas=declared)
