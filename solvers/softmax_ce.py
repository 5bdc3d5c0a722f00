"""Softmax + cross-entropy and sigmoid + binary cross-entropy: values and gradients.

logits z of shape (K,), target class t ∈ {0, …, K−1} (0-based), y = onehot(t) of shape (K,)::

    p = softmax(z) = exp(z − max z) / Σ exp(z − max z)
    L = −log p_t = logsumexp(z) − z_t
    dL/dz = p − y

Sigmoid + BCE with label y ∈ {0, 1}: ŷ = σ(z), ℓ = −y log ŷ − (1 − y) log(1 − ŷ), dℓ/dz = ŷ − y.

Also: the softmax Jacobian ∂p_i/∂z_j = p_i(δ_ij − p_j), a (K, K) matrix; the stable
logsumexp(z) = m + ln Σ exp(z − m) with m = max z; cross-entropy against a soft target
y (a probability vector of shape (K,)), L = −Σ y_i ln p_i = logsumexp(z) − y·z, with
dL/dz = p − y; label smoothing y = (1 − ε)·onehot(t) + ε/K (PyTorch's convention).
"""

from __future__ import annotations

import math

import numpy as np

from . import Checkpoint, InvalidParams, MAX_ANSWER_VALUES, Solution, formula, solver
from ._params import Int, LOGITS, Num, TARGET, Vector
from ._fmt import fmt


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


def _zs(z: np.ndarray, shift: str = "") -> tuple[str, dict]:
    """("exp(z_0) + exp(z_1) + …", {z_i: (its meaning, value)}): the softmax denominator over the logits
    (``shift``: a symbol subtracted inside each exp, e.g. "m")."""
    syms = {f"z_{i}": (f"logit of class {i}", float(v)) for i, v in enumerate(z)}
    inner = (lambda n: f"{n} - {shift}") if shift else (lambda n: n)  # noqa: E731
    return " + ".join(f"exp({inner(n)})" for n in syms), syms


def _forward_steps(z: np.ndarray, t: int) -> tuple[np.ndarray, list[str]]:
    e = np.exp(z)
    prob = e / e.sum()
    steps = [
        f"exp(z) = {fmt(e.tolist(), 4)}",
        f"Σ exp(z) = {fmt(float(e.sum()), 5)}",
        f"p = softmax(z) = exp(z) / Σ = {fmt(prob.tolist(), 4)}",
    ]
    return softmax(z), steps


def _forward_checks(z: np.ndarray, prob: np.ndarray) -> list[Checkpoint]:
    """Σ exp(z) and p = softmax(z), shown by the first lines of :func:`_forward_steps`."""
    return [Checkpoint("Σ exp(z)", float(np.exp(z).sum()), "number", 1), Checkpoint("p = softmax(z)", prob.tolist(), "vector", 2)]


@solver("softmax-ce-grad", params={
    "logits": LOGITS,
    "target": TARGET,
})
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
    checks = _forward_checks(z, prob) + [Checkpoint("dL/dz = p − y", grad.tolist(), "vector", 4)]
    total, syms = _zs(z)
    declared = formula(f"exp(z_{t})/({total}) - 1", name=f"dL/dz_{t} (the target's entry: p_{t} − 1)", target=t, **syms)
    return Solution(grad.tolist(), steps, mistakes, checkpoints=checks, formulas=[declared])


@solver("softmax-ce-loss", params={
    "logits": LOGITS,
    "target": TARGET,
})
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
    checks = _forward_checks(z, prob) + [Checkpoint(f"p_{t}, the target's probability", float(prob[t]), "number", 3),
                                         Checkpoint(f"L = −ln p_{t}", loss, "number", 4)]
    total, syms = _zs(z)
    declared = formula(f"-ln(exp(z_{t})/({total}))", name=f"L = −ln p_{t}", **syms)
    return Solution(loss, steps, mistakes, checkpoints=checks, formulas=[declared])


def _bce(p: dict) -> tuple[float, int, float]:
    z, y = float(p["z"]), int(p["y"])
    if y not in (0, 1):
        raise InvalidParams(f"label y must be 0 or 1, got {y}")
    return z, y, sigmoid(z)


@solver("sigmoid-bce-grad", params={
    "z": Num("the logit z"),
    "y": Int("the label y", lo=0, hi=1),
})
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
    checks = [Checkpoint("ŷ = σ(z)", yhat, "number", 0), Checkpoint("dℓ/dŷ", dl_dyhat, "number", 1),
              Checkpoint("dŷ/dz = σ(z)(1 − σ(z))", yhat * (1 - yhat), "number", 2), Checkpoint("dℓ/dz", grad, "number", 3)]
    declared = formula("1/(1 + exp(-z)) - y", name="dℓ/dz = σ(z) − y", z=("the logit", z), y=("the label (0 or 1)", y))
    return Solution(grad, steps, mistakes, checkpoints=checks, formulas=[declared])


@solver("sigmoid-bce-choice", params={
    "z": Num("the logit z"),
    "y": Int("the label y", lo=0, hi=1),
})
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
    concept = "Chain dℓ/dŷ with dŷ/dz = σ(z)(1 − σ(z)): the sigmoid's derivative cancels the denominators of dℓ/dŷ."
    return Solution(answer, steps, mistakes, concept=concept)


def _hard_logits(p: dict) -> np.ndarray:
    z = np.asarray(p["logits"], dtype=float)
    if z.ndim != 1 or len(z) < 2:
        raise InvalidParams("logits must be a vector of at least two numbers")
    if np.abs(z).max() > 30:
        raise InvalidParams("logits beyond ±30 are not a by-hand question")
    return z


@solver("softmax-values", params={
    "logits": LOGITS,
})
def softmax_values(p: dict) -> Solution:
    """p = softmax(z) for logits z of shape (K,): exp(z_i) / Σ_j exp(z_j)."""
    z = _hard_logits(p)
    prob, steps = _forward_steps(z, 0)
    e = np.exp(z)
    mistakes = {
        "forgot to normalize: exp(z) without dividing by the sum": e.tolist(),
        "applied softmax to −z (sign slip in the exponent)": softmax(-z).tolist(),
        "took the hard max (one-hot of the largest logit) instead of the softmax": (z == z.max()).astype(float).tolist(),
    }
    if abs(z.sum()) > 1e-9:
        mistakes["skipped the exponential: z / Σ z"] = (z / z.sum()).tolist()
    total, syms = _zs(z)
    declared = formula(f"exp(z_0)/({total})", name="p_0 = softmax(z)_0", target=0, **syms)
    return Solution(prob.tolist(), steps + ["(the entries sum to 1)"], mistakes, checkpoints=_forward_checks(z, prob), formulas=[declared])


@solver("softmax-jacobian", params={
    "logits": LOGITS,
})
def softmax_jacobian(p: dict) -> Solution:
    """J = ∂softmax(z)/∂z of shape (K, K): J_ij = p_i(δ_ij − p_j) = diag(p) − p pᵀ."""
    z = _hard_logits(p)
    if len(z) ** 2 > MAX_ANSWER_VALUES:  # refused before the K×K matrices are built (10,000 logits: 800 MB each)
        raise InvalidParams(f"logits of {len(z):,} classes make a Jacobian of {len(z) ** 2:,} values; at most {MAX_ANSWER_VALUES:,}")
    prob, steps = _forward_steps(z, 0)
    jac = np.diag(prob) - np.outer(prob, prob)
    k = len(z)
    steps += [
        "J_ij = ∂p_i/∂z_j = p_i(δ_ij − p_j): diagonal p_i(1 − p_i), off-diagonal −p_i·p_j",
        "diagonal: " + ", ".join(f"{fmt(float(prob[i]), 4)}·{fmt(float(1 - prob[i]), 4)} = {fmt(float(jac[i, i]), 4)}" for i in range(k)),
        f"off-diagonal, e.g. J_01 = −{fmt(float(prob[0]), 4)}·{fmt(float(prob[1]), 4)} = {fmt(float(jac[0, 1]), 4)}",
        "J = " + "[" + ", ".join(fmt(r, 4) for r in jac.tolist()) + "]  (symmetric; every row sums to 0)",
    ]
    flipped = np.diag(prob) + np.outer(prob, prob) - 2 * np.diag(prob * prob)
    mistakes = {
        "kept only the diagonal p_i(1 − p_i) (treated softmax as element-wise)": np.diag(prob * (1 - prob)).tolist(),
        "dropped the δ_ij term: −p_i·p_j everywhere": (-np.outer(prob, prob)).tolist(),
        "used diag(p): the derivative of exp, ignoring the normalization": np.diag(prob).tolist(),
        "flipped the sign of the off-diagonal terms (+p_i·p_j)": flipped.tolist(),
    }
    checks = _forward_checks(z, prob) + [Checkpoint("the Jacobian J", jac.tolist(), "matrix", len(steps) - 1)]
    p0, p1 = ("softmax probability of class 0", float(prob[0])), ("softmax probability of class 1", float(prob[1]))
    declared = [formula("p_0*(1 - p_0)", name="J_00 (diagonal: p_i(1 − p_i))", target=0, p_0=p0),
                formula("-p_0*p_1", name="J_01 (off-diagonal: −p_i·p_j)", target=1, p_0=p0, p_1=p1)]
    return Solution(jac.tolist(), steps, mistakes, checkpoints=checks, formulas=declared)


def _big_logits(p: dict) -> tuple[np.ndarray, str]:
    """Logits ``shift + offsets`` (shape (K,)), in the hundreds or more, and their text."""
    shift = float(p["shift"])
    z = shift + np.asarray(p["offsets"], dtype=float)
    if z.ndim != 1 or len(z) < 2:
        raise InvalidParams("offsets must be a vector of at least two numbers")
    return z, "[" + ", ".join(fmt(round(float(v), 6)) for v in z) + "]"


def _lse_checks(m: float, s: float, lse: float, first: int) -> list[Checkpoint]:
    """m, Σ exp(z − m) and logsumexp(z), shown by :func:`_lse_parts`' lines (from index ``first``)."""
    return [Checkpoint("m = max z", m, "number", first), Checkpoint("Σ exp(z − m)", s, "number", first + 1),
            Checkpoint("logsumexp(z)", lse, "number", first + 2)]


def _lse_parts(z: np.ndarray) -> tuple[float, np.ndarray, float, list[str]]:
    m = float(z.max())
    shifted = np.exp(z - m)
    s = float(shifted.sum())
    lse = m + math.log(s)
    steps = [
        f"m = max z = {fmt(m)}; z − m = {fmt([round(float(v), 6) for v in z - m])}",
        f"exp(z − m) = {fmt(shifted.tolist(), 4)}, sum = {fmt(s, 6)}",
        f"logsumexp(z) = m + ln Σ exp(z − m) = {fmt(m)} + ln {fmt(s, 6)} = {fmt(m)} + {fmt(math.log(s), 5)} = {fmt(lse, 9)}",
    ]
    return m, shifted, lse, steps


@solver("logsumexp-stable", params={
    "shift": Num("the large common offset c of every logit"),
    "offsets": Vector("each logit minus c, of shape (K,)"),
})
def logsumexp_stable(p: dict) -> Solution:
    """logsumexp(z) = ln Σ exp(z_i) for large logits, by the max-subtraction trick."""
    z, text = _big_logits(p)
    m, shifted, lse, steps = _lse_parts(z)
    s = float(shifted.sum())
    steps.insert(0, "exp(z) overflows float64 (largest ≈ e^709.8), so factor out the max: ln Σ e^(z_i) = m + ln Σ e^(z_i − m)")
    mistakes = {
        "approximated logsumexp by the max (dropped ln Σ exp(z − m))": m,
        "forgot to add the max back": math.log(s),
        "used log base 10 for the correction": m + math.log10(s),
    }
    if s - 1 > 1e-12:
        mistakes["dropped the max's own term e^0 = 1 from the sum"] = m + math.log(s - 1)
    total, syms = _zs(z, "m")
    declared = formula(f"m + ln({total})", name="logsumexp(z)", m=("the largest logit, max z", m), **syms)
    return Solution(lse, steps, mistakes, context={"_logits": text}, checkpoints=_lse_checks(m, s, lse, 1), formulas=[declared])


@solver("ce-large-logits", params={
    "shift": Num("the large common offset c of every logit"),
    "offsets": Vector("each logit minus c, of shape (K,)"),
    "target": TARGET,
})
def ce_large_logits(p: dict) -> Solution:
    """Cross-entropy −ln softmax(z)[t] = logsumexp(z) − z_t for logits in the hundreds."""
    z, text = _big_logits(p)
    t = int(p["target"])
    if not 0 <= t < len(z):
        raise InvalidParams(f"target {t} is not a class index 0..{len(z) - 1}")
    m, shifted, lse, steps = _lse_parts(z)
    loss = lse - float(z[t])
    s = float(shifted.sum())
    steps.append(f"L = logsumexp(z) − z_{t} = {fmt(lse, 9)} − {fmt(round(float(z[t]), 6))} = {fmt(loss, 6)}")
    mistakes = {
        "subtracted the max inside the log but never added it back": math.log(s) - float(z[t]),
        "approximated logsumexp by the max": m - float(z[t]),
        "used log base 10 for the correction": m + math.log10(s) - float(z[t]),
        "dropped the minus sign": -loss,
        "reported p_t instead of −ln p_t": math.exp(-loss),
    }
    checks = _lse_checks(m, s, lse, 0) + [Checkpoint(f"L = logsumexp(z) − z_{t}", loss, "number", 3)]
    total, syms = _zs(z, "m")
    declared = formula(f"m + ln({total}) - z_{t}", name=f"L = logsumexp(z) − z_{t}", m=("the largest logit, max z", m), **syms)
    return Solution(loss, steps, mistakes, context={"_logits": text}, checkpoints=checks, formulas=[declared])


def _target_vector(p: dict, k: int) -> np.ndarray:
    y = np.asarray(p["soft_target"], dtype=float)
    if y.shape != (k,):
        raise InvalidParams(f"soft_target must have {k} entries like the logits, got {len(y)}")
    if (y < 0).any() or abs(y.sum() - 1) > 1e-6:
        raise InvalidParams(f"soft_target {fmt(y.tolist())} is not a probability vector")
    return y


def _paren(x: float) -> str:
    return fmt(x, 6) if x >= 0 else f"({fmt(x, 6)})"


def _soft_ce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, float]:
    m = float(z.max())
    lse = m + math.log(float(np.exp(z - m).sum()))
    logp = z - lse
    return float(-(y * logp).sum()), logp, lse


@solver("soft-target-ce", params={
    "logits": LOGITS,
    "soft_target": Vector("the target distribution, of shape (K,)", lo=0, hi=1, example=[0.7, 0.2, 0.1]),
})
def soft_target_ce(p: dict) -> Solution:
    """L = −Σ y_i ln p_i with p = softmax(logits) and a soft target y, both of shape (K,)."""
    z = _hard_logits(p)
    y = _target_vector(p, len(z))
    loss, logp, lse = _soft_ce(z, y)
    prob = np.exp(logp)
    steps = [
        f"ln p = z − logsumexp(z) = z − {fmt(lse, 6)} = {fmt(logp.tolist(), 5)}",
        "L = −Σ y_i ln p_i = " + " + ".join(f"{fmt(float(yi))}·{fmt(float(-lp), 5)}" for yi, lp in zip(y, logp)) + f" = {fmt(loss, 6)}",
        f"(same as logsumexp(z) − y·z = {fmt(lse, 6)} − {_paren(float(y @ z))})",
    ]
    top = int(np.argmax(y))
    mistakes = {
        "used log base 10 instead of the natural log": loss / math.log(10),
        "dropped the minus sign": -loss,
        f"treated the target as one-hot at its largest entry (class {top})": float(-logp[top]),
        "swapped the roles of y and p: −Σ p_i ln y_i": float(-(prob * np.log(y)).sum()) if (y > 0).all() else math.inf,
        "used −y·z without the log-sum-exp": float(-(y @ z)),
        "averaged over the K classes instead of summing": loss / len(z),
    }
    checks = [Checkpoint("ln p = z − logsumexp(z)", logp.tolist(), "vector", 0), Checkpoint("L = −Σ y_i ln p_i", loss, "number", 1)]
    total, syms = _zs(z)
    ys = {f"y_{i}": (f"target probability of class {i}", float(v)) for i, v in enumerate(y)}
    dot = " + ".join(f"y_{i}*z_{i}" for i in range(len(z)))
    declared = formula(f"ln({total}) - ({dot})", name="L = logsumexp(z) − y·z", **syms, **ys)
    return Solution(loss, steps, {k: v for k, v in mistakes.items() if math.isfinite(v)}, checkpoints=checks, formulas=[declared])


def _smoothed(p: dict) -> tuple[np.ndarray, int, float, np.ndarray, list[str]]:
    z, t = _logits(p)
    eps = float(p["epsilon"])
    if not 0 < eps < 1:
        raise InvalidParams(f"epsilon {eps} must be in (0, 1)")
    k = len(z)
    y = np.full(k, eps / k)
    y[t] += 1 - eps
    steps = [f"y = (1 − ε)·onehot({t}) + ε/K = {fmt(1 - eps)}·onehot + {fmt(eps)}/{k}: y = {fmt(y.tolist(), 5)}"]
    return z, t, eps, y, steps


def _alt_targets(k: int, t: int, eps: float) -> dict[str, np.ndarray]:
    """The smoothed targets of the classic convention slips (each of shape (K,))."""
    other = np.full(k, eps / (k - 1))
    other[t] = 1 - eps
    hard = np.zeros(k)
    hard[t] = 1.0
    no_uniform = hard * (1 - eps)
    eps_each = np.full(k, eps)
    eps_each[t] = 1 - eps + eps / k
    return {
        "used ε/(K − 1) on the other classes and 1 − ε on the target (another convention)": other,
        "forgot the smoothing (plain one-hot target)": hard,
        "scaled the one-hot by 1 − ε but forgot to add ε/K to every class": no_uniform,
        "gave every other class ε instead of ε/K": eps_each,
    }


@solver("label-smoothing-ce", params={
    "logits": LOGITS,
    "target": TARGET,
    "epsilon": Num("the smoothing ε", lo=0, hi=1, example=0.1),
})
def label_smoothing_ce(p: dict) -> Solution:
    """Cross-entropy of softmax(logits) against y = (1 − ε)·onehot(target) + ε/K."""
    z, t, eps, y, steps = _smoothed(p)
    loss, logp, lse = _soft_ce(z, y)
    steps += [
        f"−ln p = logsumexp(z) − z = {fmt((-logp).tolist(), 5)}",
        "L = −Σ y_i ln p_i = " + " + ".join(f"{fmt(float(yi), 4)}·{fmt(float(-lp), 5)}" for yi, lp in zip(y, logp)) + f" = {fmt(loss, 6)}",
    ]
    mistakes = {name: _soft_ce(z, alt)[0] for name, alt in _alt_targets(len(z), t, eps).items()}
    mistakes["used log base 10 instead of the natural log"] = loss / math.log(10)
    checks = [Checkpoint("the smoothed target y", y.tolist(), "vector", 0), Checkpoint("−ln p", (-logp).tolist(), "vector", 1),
              Checkpoint("L = −Σ y_i ln p_i", loss, "number", 2)]
    total, syms = _zs(z)
    zsum = " + ".join(syms)
    declared = formula(f"ln({total}) - ((1 - eps)*z_{t} + eps/K*({zsum}))", name="L = logsumexp(z) − y·z, y = (1 − ε)·onehot + ε/K",
                       eps=("the smoothing ε", eps), K=("number of classes", len(z)), **syms)
    return Solution(loss, steps, mistakes, checkpoints=checks, formulas=[declared])


@solver("label-smoothing-grad", params={
    "logits": LOGITS,
    "target": TARGET,
    "epsilon": Num("the smoothing ε", lo=0, hi=1, example=0.1),
})
def label_smoothing_grad(p: dict) -> Solution:
    """dL/dz = p − y for label-smoothed cross-entropy, a (K,) vector."""
    z, t, eps, y, steps = _smoothed(p)
    prob, fwd = _forward_steps(z, t)
    grad = prob - y
    steps = fwd + steps + [f"dL/dz = p − y = {fmt(grad.tolist(), 4)}  (entries sum to 0)"]
    mistakes = {name: (prob - alt).tolist() for name, alt in _alt_targets(len(z), t, eps).items()}
    mistakes["flipped the sign (y − p)"] = (-grad).tolist()
    mistakes["used p instead of p − y"] = prob.tolist()
    checks = _forward_checks(z, prob) + [Checkpoint("the smoothed target y", y.tolist(), "vector", 3),
                                         Checkpoint("dL/dz = p − y", grad.tolist(), "vector", 4)]
    total, syms = _zs(z)
    declared = formula(f"exp(z_{t})/({total}) - (1 - eps + eps/K)", name=f"dL/dz_{t} = p_{t} − y_{t}", target=t,
                       eps=("the smoothing ε", eps), K=("number of classes", len(z)), **syms)
    return Solution(grad.tolist(), steps, mistakes, checkpoints=checks, formulas=[declared])
