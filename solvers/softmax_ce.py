"""Softmax + cross-entropy and sigmoid + binary cross-entropy: values and gradients.

logits z of shape (K,), target class t ∈ {0, …, K−1} (0-based), y = onehot(t) of shape (K,)::

    p = softmax(z) = exp(z − max z) / Σ exp(z − max z)
    L = −log p_t = logsumexp(z) − z_t
    dL/dz = p − y

Sigmoid + BCE with label y ∈ {0, 1}: ŷ = σ(z), ℓ = −y log ŷ − (1 − y) log(1 − ŷ), dℓ/dz = ŷ − y.
"""

from __future__ import annotations

import math

import numpy as np

from solvers import InvalidParams, Solution, solver
from solvers._fmt import fmt


def softmax(z: np.ndarray) -> np.ndarray:
    """Numerically stable softmax of a (K,) vector."""
    e = np.exp(z - z.max())
    return e / e.sum()


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _logits(p: dict) -> tuple[np.ndarray, int]:
    z = np.asarray(p["logits"], dtype=float)
    t = int(p["target"])
    if z.ndim != 1 or len(z) < 2:
        raise InvalidParams("logits must be a vector of at least two numbers")
    if np.abs(z).max() > 30:
        raise InvalidParams("logits beyond ±30 are not a by-hand question")
    if not 0 <= t < len(z):
        raise InvalidParams(f"target {t} is not a class index 0..{len(z) - 1}")
    return z, t


def _forward_steps(z: np.ndarray, t: int) -> tuple[np.ndarray, list[str]]:
    e = np.exp(z)
    prob = e / e.sum()
    steps = [
        f"exp(z) = {fmt(e.tolist(), 4)}",
        f"Σ exp(z) = {fmt(float(e.sum()), 5)}",
        f"p = softmax(z) = exp(z) / Σ = {fmt(prob.tolist(), 4)}",
    ]
    return softmax(z), steps


@solver("softmax-ce-grad")
def softmax_ce_grad(p: dict) -> Solution:
    """dL/dz of cross-entropy after softmax: p − onehot(target), a (K,) vector."""
    z, t = _logits(p)
    prob, steps = _forward_steps(z, t)
    y = np.zeros_like(z)
    y[t] = 1.0
    grad = prob - y
    steps += [
        f"y = onehot({t}) = {fmt(y.tolist())}",
        f"dL/dz = p − y = {fmt(grad.tolist(), 4)}  (entries sum to 0)",
    ]
    only_target = np.zeros_like(z)
    only_target[t] = prob[t] - 1
    stopped = np.zeros_like(z)
    stopped[t] = -1 / prob[t]
    mistakes = {
        "used p instead of p − y (forgot to subtract the one-hot target)": prob.tolist(),
        "flipped the sign (y − p)": (y - prob).tolist(),
        "forgot to normalize: exp(z) − y": (np.exp(z) - y).tolist(),
        "only differentiated the target entry (the other logits matter too)": only_target.tolist(),
        "stopped at dL/dp (−1/p_t at the target) instead of going back to z": stopped.tolist(),
    }
    return Solution(grad.tolist(), steps, mistakes)


@solver("softmax-ce-loss")
def softmax_ce_loss(p: dict) -> Solution:
    """Cross-entropy of softmax(logits) against class ``target``: −ln p_t (natural log)."""
    z, t = _logits(p)
    prob, steps = _forward_steps(z, t)
    lse = float(z.max() + np.log(np.exp(z - z.max()).sum()))
    loss = lse - float(z[t])
    steps += [
        f"p_{t} = {fmt(float(prob[t]), 5)}",
        f"L = −ln p_{t} = −ln {fmt(float(prob[t]), 5)} = {fmt(loss, 5)}",
        f"(same as logsumexp(z) − z_{t} = {fmt(lse, 5)} − {fmt(float(z[t]))})",
    ]
    mistakes = {
        "used log base 10 instead of the natural log": -math.log10(prob[t]),
        "dropped the minus sign": -loss,
        "used −z_t without the log-sum-exp": -float(z[t]),
        "took −ln of the largest probability instead of the target's": -math.log(float(prob.max())),
        "reported p_t instead of −ln p_t": float(prob[t]),
    }
    return Solution(loss, steps, mistakes)


def _bce(p: dict) -> tuple[float, int, float]:
    z, y = float(p["z"]), int(p["y"])
    if y not in (0, 1):
        raise InvalidParams(f"label y must be 0 or 1, got {y}")
    return z, y, sigmoid(z)


@solver("sigmoid-bce-grad")
def sigmoid_bce_grad(p: dict) -> Solution:
    """dℓ/dz of binary cross-entropy after a sigmoid: σ(z) − y."""
    z, y, yhat = _bce(p)
    grad = yhat - y
    dl_dyhat = (1 - y) / (1 - yhat) - y / yhat
    steps = [
        f"ŷ = σ({fmt(z)}) = 1 / (1 + e^{fmt(-z)}) = {fmt(yhat, 5)}",
        f"dℓ/dŷ = (1 − y)/(1 − ŷ) − y/ŷ = {fmt(dl_dyhat, 5)}",
        f"dŷ/dz = σ(z)(1 − σ(z)) = {fmt(yhat * (1 - yhat), 5)}",
        f"dℓ/dz = dℓ/dŷ · dŷ/dz = ŷ − y = {fmt(yhat, 5)} − {y} = {fmt(grad, 5)}",
    ]
    mistakes = {
        "flipped the sign (y − ŷ)": y - yhat,
        "stopped at dℓ/dŷ (forgot the sigmoid's derivative)": dl_dyhat,
        "multiplied by σ'(z) again after simplifying to ŷ − y": grad * yhat * (1 - yhat),
        "used the sigmoid's derivative alone": yhat * (1 - yhat),
    }
    if y == 1:
        mistakes["forgot to subtract the label (σ(z))"] = yhat
    return Solution(grad, steps, mistakes)


@solver("sigmoid-bce-choice")
def sigmoid_bce_choice(p: dict) -> Solution:
    """The symbolic form of dℓ/dz for sigmoid + BCE, as the options of a multiple choice."""
    z, y, yhat = _bce(p)
    s = f"σ({fmt(z)})"
    steps = sigmoid_bce_grad(p).steps
    if y == 1:
        answer = f"{s} − 1"
        mistakes = {
            "forgot to subtract the label: that is ŷ, not ŷ − y": s,
            "sign flipped and label dropped": f"−{s}",
            "flipped the sign: y − ŷ": f"1 − {s}",
            "−1 is only the limit as ŷ → 0, not the value here: dℓ/dz = ŷ − y": "−1",
        }
    else:
        answer = s
        mistakes = {
            "used y = 1: the label here is 0": f"{s} − 1",
            "flipped the sign: y − ŷ": f"−{s}",
            "1 − ŷ is y = 1's gradient with the sign flipped": f"1 − {s}",
            "1 is only the limit as ŷ → 1, not the value here: dℓ/dz = ŷ − y": "1",
        }
    return Solution(answer, steps, mistakes)
