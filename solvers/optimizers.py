"""One update of the classic optimizers, and learning-rate schedules.

Weights w, gradients g and optimizer state are scalars or vectors of shape (P,); every rule
acts entry by entry. The conventions are the ones stated in each prompt::

    gradient descent  w ← w − α·g
    momentum (004)    v ← η·v − α·g,  w ← w + v                 (η momentum, α learning rate)
    Nesterov (torch)  b ← μ·b + g,    w ← w − α·(g + μ·b)        (b the new buffer)
    Adagrad           G ← G + g²,     w ← w − α·g / (√G + ε)
    RMSProp (torch)   s ← ρ·s + (1 − ρ)·g²,  w ← w − α·g / (√s + ε)
    Adam              m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,
                      m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t),  w ← w − α·m̂ / (√v̂ + ε)

Schedules (epochs numbered from 0; epoch 0 uses lr0): time-based lr0 / (1 + k·epoch),
step lr0·γ^⌊epoch / step_size⌋, exponential lr0·e^(−k·epoch).
"""

from __future__ import annotations

import math

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Text, Vector, Matrix, Either
from ._fmt import fmt


def _arr(p: dict, key: str) -> np.ndarray:
    a = np.atleast_1d(np.asarray(p[key], dtype=float))
    if a.ndim != 1 or not np.isfinite(a).all():
        raise InvalidParams(f"{key} must be a number or a vector of numbers, got {p[key]!r}")
    return a


def _grads(p: dict, n: int) -> list[np.ndarray]:
    """``grads``: one gradient (same shape as w) per step, in order."""
    gs = [np.atleast_1d(np.asarray(g, dtype=float)) for g in p["grads"]]
    if not gs or any(g.shape != (n,) for g in gs):
        raise InvalidParams(f"grads must be a list of gradients shaped like w, got {p['grads']!r}")
    return gs


def _out(a: np.ndarray, scalar: bool):
    return float(a[0]) if scalar else [float(v) for v in a]


def _show(a: np.ndarray, scalar: bool, sig: int = 6) -> str:
    return fmt(_out(a, scalar), sig)


def _term(a: np.ndarray, scalar: bool) -> str:
    """An operand after + − ·: a negative scalar in parentheses, '(-0.7)'."""
    text = _show(a, scalar)
    return f"({text})" if scalar and a[0] < 0 else text


def _check(label: str, a: np.ndarray, scalar: bool, step: int) -> Checkpoint:
    """A checkpoint of a scalar or vector optimizer quantity, shown by step line ``step``."""
    return Checkpoint(label, _out(a, scalar), "number" if scalar else "vector", step)


def _sym(meaning: str, a: np.ndarray, scalar: bool) -> tuple[str, float]:
    """A formula symbol for entry 0 of a scalar-or-vector quantity (the formula's target is entry 0)."""
    return (meaning if scalar else f"{meaning}, entry 0", float(a[0]))


def _scalar(p: dict) -> bool:
    return not isinstance(p["w"], list)


def _rate(p: dict, key: str, lo: float = 0.0, hi: float = 1.0) -> float:
    x = float(p[key])
    if not lo <= x < hi:
        raise InvalidParams(f"{key} = {x} must be in [{lo}, {hi})")
    return x


@solver("sgd-step", params={
    "w": Vector("the weights w"),
    "grad": Vector("the gradient ∂L/∂w"),
    "lr": Num("learning rate η"),
})
def sgd_step(p: dict) -> Solution:
    """One gradient-descent step w ← w − lr·g on w of shape (P,) or a scalar."""
    s, w, g, lr = _scalar(p), _arr(p, "w"), _arr(p, "grad"), float(p["lr"])
    if g.shape != w.shape:
        raise InvalidParams("grad must have the shape of w")
    step = lr * g
    new = w - step
    steps = [
        f"Step: α·g = {fmt(lr)} · {_term(g, s)} = {_show(step, s)}",
        f"w ← w − α·g = {_show(w, s)} − {_term(step, s)} = {_show(new, s)}",
    ]
    mistakes = {
        "added the gradient (w + α·g moves uphill)": _out(w + step, s),
        "forgot the learning rate (w − g)": _out(w - g, s),
        "reported the step −α·g instead of the new weights": _out(-step, s),
    }
    checks = [_check("the step α·g", step, s, 0), _check("the new weights w", new, s, 1)]
    f = formula("w - alpha*g", name="w_new", target=0, w=_sym("weight", w, s), alpha=("learning rate", lr), g=_sym("gradient", g, s))
    return Solution(_out(new, s), steps, mistakes, checkpoints=checks, formulas=[f])


def _momentum_run(w, v, gs, eta, alpha, *, swap=False, uphill=False, old_velocity=False):
    """004's momentum, v ← η·v − α·g then w ← w + v, over the gradients ``gs``; returns (w, v, lines)."""
    lines = []
    if swap:
        eta, alpha = alpha, eta
    for t, g in enumerate(gs, start=1):
        v_old = v
        v = eta * v + (alpha * g if uphill else -alpha * g)
        w_old = w
        w = w + (v_old if old_velocity else v)
        lines.append((t, g, v_old, v, w_old, w))
    return w, v, lines


@solver("momentum-steps", params={
    "w": Either("the weights w: a number or a vector", options=(Num("a number"), Vector("a vector"))),
    "v": Either("the velocity before the first step, shaped like w", options=(Num("a number"), Vector("a vector"))),
    "grads": Either("the gradient at each step: numbers (w a number) or rows shaped like w", options=(Vector("one per step"), Matrix("one row per step"))),
    "momentum": Num("momentum coefficient"),
    "lr": Num("learning rate η"),
})
def momentum_steps(p: dict) -> Solution:
    """Momentum as 004 Q28 writes it: v ← η·v − α·∇L, w ← w + v, for each gradient in ``grads``.

    ``momentum`` is η, ``lr`` is α; ``v`` the velocity before the first step (shape of w).
    """
    s, w0, v0 = _scalar(p), _arr(p, "w"), _arr(p, "v")
    gs = _grads(p, len(w0))
    eta, alpha = _rate(p, "momentum"), float(p["lr"])
    if v0.shape != w0.shape:
        raise InvalidParams("v must have the shape of w")
    w, v, lines = _momentum_run(w0, v0, gs, eta, alpha)
    steps = []
    checks = []
    for t, g, v_old, v_new, w_old, w_new in lines:
        checks += [_check(f"step {t}: the velocity v", v_new, s, 2 * t - 2), _check(f"step {t}: the weights w", w_new, s, 2 * t - 1)]
        steps += [
            f"Step {t}: v ← η·v − α·g = {fmt(eta)}·{_term(v_old, s)} − {fmt(alpha)}·{_term(g, s)} = {_show(v_new, s)}",
            f"Step {t}: w ← w + v = {_show(w_old, s)} + {_term(v_new, s)} = {_show(w_new, s)}",
        ]
    mistakes = {
        "swapped η and α (used α as the momentum and η as the learning rate)": _out(_momentum_run(w0, v0, gs, eta, alpha, swap=True)[0], s),
        "added the gradient term (v ← η·v + α·∇L moves uphill)": _out(_momentum_run(w0, v0, gs, eta, alpha, uphill=True)[0], s),
        "updated w with the old velocity (w ← w + v before updating v)": _out(_momentum_run(w0, v0, gs, eta, alpha, old_velocity=True)[0], s),
        "forgot the velocity (plain gradient descent)": _out(w0 - alpha * sum(gs), s),
    }
    t, g, v_old, _, w_old, _ = lines[-1]
    f = formula("w + (eta*v - alpha*g)", name="w_new", target=0, w=_sym(f"weight before step {t}", w_old, s),
                eta=("momentum", eta), v=_sym(f"velocity before step {t}", v_old, s), alpha=("learning rate", alpha),
                g=_sym(f"gradient of step {t}", g, s))
    return Solution(_out(w, s), steps, mistakes, checkpoints=checks, formulas=[f])


@solver("nesterov-step", params={
    "w": Num("the weights w"),
    "buf": Num("the momentum buffer before the step"),
    "grad": Num("the gradient ∂L/∂w"),
    "momentum": Num("momentum coefficient"),
    "lr": Num("learning rate η"),
})
def nesterov_step(p: dict) -> Solution:
    """PyTorch's Nesterov SGD (dampening 0): b ← μ·b + g, w ← w − lr·(g + μ·b); ``buf`` is b before the step."""
    s, w, b0, g = _scalar(p), _arr(p, "w"), _arr(p, "buf"), _arr(p, "grad")
    mu, lr = _rate(p, "momentum"), float(p["lr"])
    if not w.shape == b0.shape == g.shape:
        raise InvalidParams("w, buf and grad must have the same shape")
    b = mu * b0 + g
    look = g + mu * b
    new = w - lr * look
    steps = [
        f"Buffer: b ← μ·b + g = {fmt(mu)}·{_term(b0, s)} + {_term(g, s)} = {_show(b, s)}",
        f"Nesterov direction: g + μ·b = {_show(g, s)} + {fmt(mu)}·{_term(b, s)} = {_show(look, s)}",
        f"w ← w − lr·(g + μ·b) = {_show(w, s)} − {fmt(lr)}·{_term(look, s)} = {_show(new, s)}",
    ]
    mistakes = {
        "used plain (heavy-ball) momentum: w − lr·b, no look-ahead": _out(w - lr * b, s),
        "forgot the momentum buffer (plain SGD)": _out(w - lr * g, s),
        "added the update instead of subtracting it": _out(w + lr * look, s),
    }
    checks = [_check("the new buffer b", b, s, 0), _check("the Nesterov direction g + μ·b", look, s, 1), _check("the new weights w", new, s, 2)]
    f = formula("w - lr*(g + mu*(mu*b + g))", name="w_new", target=0, w=_sym("weight", w, s), lr=("learning rate", lr),
                g=_sym("gradient", g, s), mu=("momentum", mu), b=_sym("momentum buffer before the step", b0, s))
    return Solution(_out(new, s), steps, mistakes, checkpoints=checks, formulas=[f])


@solver("adagrad-step", params={
    "w": Vector("the weights w", example=[1.0, 1.0]),
    "G": Vector("the running sum of squared gradients before the step, of shape (n,)", lo=0, example=[3.0, 0.75]),
    "grad": Vector("the gradient ∂L/∂w", example=[1.0, 0.5]),
    "lr": Num("learning rate η", example=0.1),
    "eps": Num("ε added for numerical stability", example=1e-10),
})
def adagrad_step(p: dict) -> Solution:
    """Adagrad: G ← G + g², w ← w − lr·g / (√G + ε); ``G`` is the running sum of squared gradients before the step."""
    s, w, G0, g = _scalar(p), _arr(p, "w"), _arr(p, "G"), _arr(p, "grad")
    lr, eps = float(p["lr"]), float(p["eps"])
    if not w.shape == G0.shape == g.shape:
        raise InvalidParams("w, G and grad must have the same shape")
    if (G0 <= 0).any():
        raise InvalidParams("G must be positive (some gradients came before)")
    G = G0 + g**2
    denom = np.sqrt(G) + eps
    new = w - lr * g / denom
    steps = [
        f"Accumulate: G ← G + g² = {_show(G0, s)} + {_show(g**2, s)} = {_show(G, s)}",
        f"√G + ε = {_show(denom, s)}",
        f"w ← w − α·g / (√G + ε) = {_show(w, s)} − {fmt(lr)}·{_term(g, s)} / {_show(denom, s)} = {_show(new, s)}",
    ]
    mistakes = {
        "divided by the old sum (did not add g² first)": _out(w - lr * g / (np.sqrt(G0) + eps), s),
        "forgot the square root": _out(w - lr * g / (G + eps), s),
        "ignored the accumulator (plain SGD step)": _out(w - lr * g, s),
    }
    checks = [_check("the new sum G", G, s, 0), _check("√G + ε", denom, s, 1), _check("the new weights w", new, s, 2)]
    f = formula("w - alpha*g/(sqrt(G + g**2) + eps)", name="w_new", target=0, w=_sym("weight", w, s), alpha=("learning rate", lr),
                g=_sym("gradient", g, s), G=_sym("sum of squared gradients before the step", G0, s), eps=("epsilon", eps))
    return Solution(_out(new, s), steps, mistakes, checkpoints=checks, formulas=[f])


@solver("rmsprop-step", params={
    "w": Num("the weights w", example=1.0),
    "s": Num("the running average of squared gradients before the step", lo=0, example=0.6),
    "grad": Num("the gradient ∂L/∂w", example=1.0),
    "rho": Num("the decay ρ of the running average", lo=0, hi=1, example=0.9),
    "lr": Num("learning rate η", example=0.1),
    "eps": Num("ε added for numerical stability", example=1e-08),
})
def rmsprop_step(p: dict) -> Solution:
    """RMSProp as PyTorch: s ← ρ·s + (1 − ρ)·g², w ← w − lr·g / (√s + ε), ε outside the root; ``s`` before the step."""
    sc, w, s0, g = _scalar(p), _arr(p, "w"), _arr(p, "s"), _arr(p, "grad")
    lr, rho, eps = float(p["lr"]), _rate(p, "rho"), float(p["eps"])
    if not w.shape == s0.shape == g.shape:
        raise InvalidParams("w, s and grad must have the same shape")
    if (s0 <= 0).any():
        raise InvalidParams("s must be positive (some gradients came before)")

    def update(s_new):
        return w - lr * g / (np.sqrt(s_new) + eps)

    s1 = rho * s0 + (1 - rho) * g**2
    new = update(s1)
    steps = [
        f"Average: s ← ρ·s + (1 − ρ)·g² = {fmt(rho)}·{_show(s0, sc)} + {fmt(1 - rho)}·{_show(g**2, sc)} = {_show(s1, sc)}",
        f"√s + ε = {_show(np.sqrt(s1) + eps, sc)}",
        f"w ← w − α·g / (√s + ε) = {_show(w, sc)} − {fmt(lr)}·{_term(g, sc)} / {_show(np.sqrt(s1) + eps, sc)} = {_show(new, sc)}",
    ]
    mistakes = {
        "swapped the weights: (1 − ρ)·s + ρ·g²": _out(update((1 - rho) * s0 + rho * g**2), sc),
        "forgot the (1 − ρ) on g²": _out(update(rho * s0 + g**2), sc),
        "used the old average s (updated it after the step)": _out(update(s0), sc),
        "forgot the square root": _out(w - lr * g / (s1 + eps), sc),
    }
    checks = [_check("the new average s", s1, sc, 0), _check("√s + ε", np.sqrt(s1) + eps, sc, 1), _check("the new weights w", new, sc, 2)]
    f = formula("w - alpha*g/(sqrt(rho*s + (1 - rho)*g**2) + eps)", name="w_new", target=0, w=_sym("weight", w, sc),
                alpha=("learning rate", lr), g=_sym("gradient", g, sc), rho=("decay rate ρ", rho),
                s=_sym("average of squared gradients before the step", s0, sc), eps=("epsilon", eps))
    return Solution(_out(new, sc), steps, mistakes, checkpoints=checks, formulas=[f])


def _adam_run(w, gs, lr, b1, b2, eps, *, correct=True, sqrt=True, t_fixed=None):
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lines = []
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        tc = t if t_fixed is None else t_fixed
        mh = m / (1 - b1**tc) if correct else m
        vh = v / (1 - b2**tc) if correct else v
        step = lr * mh / ((np.sqrt(vh) if sqrt else vh) + eps)
        w_old, w = w, w - step
        lines.append((t, g, m, v, mh, vh, step, w_old, w))
    return w, lines


@solver("adam-steps", params={
    "w": Either("the weights w: a number or a vector", options=(Num("a number"), Vector("a vector"))),
    "grads": Either("the gradient at each step: numbers (w a number) or rows shaped like w", options=(Vector("one per step"), Matrix("one row per step"))),
    "lr": Num("learning rate η"),
    "beta1": Num("first-moment decay β1", lo=0, hi=1),
    "beta2": Num("second-moment decay β2", lo=0, hi=1),
    "eps": Num("ε added for numerical stability"),
})
def adam_steps(p: dict) -> Solution:
    """Adam with bias correction from m = v = 0, one step per gradient in ``grads`` (shape of w)."""
    s, w0 = _scalar(p), _arr(p, "w")
    gs = _grads(p, len(w0))
    lr, b1, b2, eps = float(p["lr"]), _rate(p, "beta1"), _rate(p, "beta2"), float(p["eps"])
    args = (w0, gs, lr, b1, b2, eps)
    w, lines = _adam_run(*args)
    steps = ["Start: m = v = 0."]
    checks = []
    for t, g, m, v, mh, vh, step, w_old, w_new in lines:
        at = 3 * t - 2
        checks += [_check(f"step {t}: m", m, s, at), _check(f"step {t}: v", v, s, at), _check(f"step {t}: m̂", mh, s, at + 1),
                   _check(f"step {t}: v̂", vh, s, at + 1), _check(f"step {t}: the weights w", w_new, s, at + 2)]
        steps += [
            f"Step {t}: g = {_show(g, s)}; m ← {fmt(b1)}·m + {fmt(1 - b1)}·g = {_show(m, s)}; "
            f"v ← {fmt(b2)}·v + {fmt(1 - b2)}·g² = {_show(v, s)}",
            f"Step {t}: bias correction m̂ = m / (1 − {fmt(b1)}^{t}) = {_show(mh, s)}, v̂ = v / (1 − {fmt(b2)}^{t}) = {_show(vh, s)}",
            f"Step {t}: w ← w − α·m̂ / (√v̂ + ε) = {_show(w_old, s)} − {_term(step, s)} = {_show(w_new, s)}",
        ]
    mistakes = {
        "forgot the bias correction (used m and v, not m̂ and v̂)": _out(_adam_run(*args, correct=False)[0], s),
        "forgot the square root of v̂": _out(_adam_run(*args, sqrt=False)[0], s),
        "swapped β1 and β2": _out(_adam_run(w0, gs, lr, b2, b1, eps)[0], s),
    }
    if len(gs) > 1:
        mistakes["bias-corrected with t = 1 at every step"] = _out(_adam_run(*args, t_fixed=1)[0], s)
    t, _, m, v, _, _, _, w_old, _ = lines[-1]
    f = formula("w - alpha*(m/(1 - beta1**t))/(sqrt(v/(1 - beta2**t)) + eps)", name="w_new", target=0,
                w=_sym(f"weight before step {t}", w_old, s), alpha=("learning rate", lr), m=_sym(f"first moment after step {t}", m, s),
                v=_sym(f"second moment after step {t}", v, s), beta1=("β1", b1), beta2=("β2", b2), t=("step number", t), eps=("epsilon", eps))
    return Solution(_out(w, s), steps, mistakes, checkpoints=checks, formulas=[f])


def _time_decay(lr0: float, k: float, epoch: int) -> float:
    return lr0 / (1 + k * epoch)


MAX_EPOCH = 10_000  # the compounded-decay mistake loops over the epochs


@solver("lr-schedule", params={
    "kind": Text("the schedule", choices=("time", "step", "exponential"), example='exponential'),
    "lr0": Num("the initial learning rate", example=0.1),
    "decay": Num("time decay k (lr = lr0 / (1 + k·epoch))", lo=0, optional=True, example=0.1),
    "epoch": Int("the epoch number", lo=1, hi=MAX_EPOCH, example=10),
    "gamma": Num("the factor γ (step and exponential)", lo=0, hi=1, optional=True),
    "step_size": Int("epochs per drop (step)", lo=2, optional=True),
})
def lr_schedule(p: dict) -> Solution:
    """Learning rate in epoch ``epoch`` (0-based; epoch 0 uses ``lr0``) under ``kind`` = time | step | exponential."""
    kind, lr0, e = p["kind"], float(p["lr0"]), int(p["epoch"])
    if not 1 <= e <= MAX_EPOCH:
        raise InvalidParams(f"epoch {e} must be from 1 to {MAX_EPOCH:,}")
    if kind == "time":
        k = float(p["decay"])
        lr = _time_decay(lr0, k, e)
        compounded = lr0 / math.prod(1 + k * i for i in range(1, e + 1))
        steps = [f"lr = lr0 / (1 + k·epoch) = {fmt(lr0)} / (1 + {fmt(k)}·{e}) = {fmt(lr0)} / {fmt(1 + k * e)} = {fmt(lr)}"]
        mistakes = {
            "applied the decay to the current rate every epoch (compounded it)": compounded,
            "counted epochs from 1 (used epoch − 1)": _time_decay(lr0, k, e - 1),
            "forgot the 1 + (lr0 / (k·epoch))": lr0 / (k * e),
        }
    elif kind == "step":
        gamma, size = float(p["gamma"]), int(p["step_size"])
        if size < 2:
            raise InvalidParams(f"step_size {size} must be at least 2")
        drops = e // size
        lr = lr0 * gamma**drops
        steps = [
            f"Drops so far: ⌊epoch / step_size⌋ = ⌊{e} / {size}⌋ = {drops}",
            f"lr = lr0·γ^{drops} = {fmt(lr0)}·{fmt(gamma)}^{drops} = {fmt(lr)}",
        ]
        mistakes = {
            "did not round down (γ^(epoch / step_size))": lr0 * gamma ** (e / size),
            "rounded up (one drop too many)": lr0 * gamma ** math.ceil(e / size),
            "dropped every epoch (γ^epoch)": lr0 * gamma**e,
            "counted epochs from 1 (used epoch − 1)": lr0 * gamma ** ((e - 1) // size),
        }
    elif kind == "exponential":
        k = float(p["decay"])
        lr = lr0 * math.exp(-k * e)
        steps = [f"lr = lr0·e^(−k·epoch) = {fmt(lr0)}·e^(−{fmt(k)}·{e}) = {fmt(lr0)}·{fmt(math.exp(-k * e))} = {fmt(lr)}"]
        mistakes = {
            "used the time-based formula lr0 / (1 + k·epoch)": _time_decay(lr0, k, e),
            "counted epochs from 1 (used epoch − 1)": lr0 * math.exp(-k * (e - 1)),
            "dropped the minus sign (e^(k·epoch) grows)": lr0 * math.exp(k * e),
        }
    else:
        raise InvalidParams(f"unknown schedule kind {kind!r}; use time, step or exponential")
    checks = ([Checkpoint("the drops so far, ⌊epoch / step_size⌋", drops, "integer", 0)] if kind == "step" else []) + [
        Checkpoint("the learning rate", lr, "number", len(steps) - 1)]
    sy = dict(lr0=("initial learning rate", lr0), epoch=("epoch (from 0)", e))
    if kind == "time":
        f = formula("lr0/(1 + k*epoch)", name="lr", k=("decay k", k), **sy)
    elif kind == "step":
        f = formula("lr0*gamma**floor(epoch/step_size)", name="lr", gamma=("decay factor γ", gamma), step_size=("epochs per drop", size), **sy)
    else:
        f = formula("lr0*exp(-k*epoch)", name="lr", k=("decay k", k), **sy)
    return Solution(lr, steps, mistakes, checkpoints=checks, formulas=[f])
