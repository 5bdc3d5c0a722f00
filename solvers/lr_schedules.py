"""Learning-rate schedules as PyTorch and LLM training write them, and AdamW vs L2-in-Adam.

Steps (or epochs) t are counted from 0; the rate at t is what the optimizer uses for that step::

    linear warmup      lr_t = peak·t/W for t < W, then peak                 (HF get_linear_schedule_with_warmup's ramp)
    CosineAnnealingLR  η_t = η_min + (η_max − η_min)·(1 + cos(π·t/T_max))/2
    ExponentialLR      lr_t = lr0·γ^t          (the other convention, lr0·e^(−k·t), is the same with γ = e^(−k))
    warmup + cosine    peak·t/W for t < W, else η_min + (peak − η_min)·(1 + cos(π·(t − W)/(T − W)))/2
    MultiStepLR        lr_t = lr0·γ^(number of milestones ≤ t)

One optimizer step from state (m, v) after t − 1 steps, at step t (from 1)::

    Adam + L2 (torch.optim.Adam(weight_decay=λ))  g ← g + λ·θ, then the Adam step with that g
    AdamW (torch.optim.AdamW(weight_decay=λ))     θ ← θ − lr·λ·θ, then the Adam step with the raw g
    Adam step   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,  m̂ = m/(1 − β1^t),  v̂ = v/(1 − β2^t),
                θ ← θ − lr·m̂/(√v̂ + ε)
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from . import InvalidParams, Solution, formula, solver
from ._params import Int, Num, Text, Vector
from ._fmt import fmt, plural


def cosine(lo: float, hi: float, frac: float) -> float:
    """lo + (hi − lo)·(1 + cos(π·frac))/2: hi at frac 0, lo at frac 1."""
    return lo + (hi - lo) * (1 + math.cos(math.pi * frac)) / 2


def _int(p: dict, key: str, lo: int = 0) -> int:
    n = int(p[key])
    if n < lo:
        raise InvalidParams(f"{key} = {n} must be at least {lo}")
    return n


@solver("linear-warmup-lr", params={
    "peak": Num("the learning rate at the end of warmup", lo=0, example=0.4),
    "warmup": Int("warmup steps", lo=1, example=5),
    "step": Int("the step number", example=2),
})
def linear_warmup_lr(p: dict) -> Solution:
    """Rate at step t (from 0) of a linear warmup from 0 to ``peak`` over ``warmup`` steps, constant after."""
    peak, W, t = float(p["peak"]), _int(p, "warmup", 2), _int(p, "step")
    factor = min(1.0, t / W)
    lr = peak * factor
    if t < W:
        steps = [f"t = {t} < W = {W}: still warming up, factor t/W = {t}/{W} = {fmt(factor)}",
                 f"lr = peak·t/W = {fmt(peak)}·{fmt(factor)} = {fmt(lr)}"]
    else:
        steps = [f"t = {t} ≥ W = {W}: warmup is over, factor min(1, t/W) = 1", f"lr = peak = {fmt(lr)}"]
    mistakes = {
        "counted steps from 1: used (t + 1)/W": peak * min(1.0, (t + 1) / W),
        "kept ramping after the warmup: peak·t/W with no cap at 1": peak * t / W,
        "ramped over W − 1 steps: t/(W − 1)": peak * min(1.0, t / (W - 1)),
    }
    f = (formula("peak*t/W", name="lr_t", peak=("peak learning rate", peak), t=("step (from 0)", t), W=("warmup steps", W)) if t < W else
         formula("peak", name="lr_t", peak=("peak learning rate", peak)))
    return Solution(lr, steps, mistakes, formulas=[f])


@solver("cosine-annealing-lr", params={
    "eta_max": Num("the starting (largest) learning rate η_max", lo=0, example=0.1),
    "eta_min": Num("the final (smallest) learning rate η_min", lo=0, example=0.01),
    "T_max": Int("epochs of one half-cosine T_max", lo=1, example=100),
    "epoch": Int("the epoch number", example=25),
})
def cosine_annealing_lr(p: dict) -> Solution:
    """CosineAnnealingLR's closed form η_min + (η_max − η_min)(1 + cos(π·t/T_max))/2 at epoch t (0 ≤ t ≤ T_max)."""
    hi, lo = float(p["eta_max"]), float(p["eta_min"])
    T, t = _int(p, "T_max", 1), _int(p, "epoch")
    if t > T or lo >= hi:
        raise InvalidParams(f"need 0 ≤ epoch ≤ T_max and eta_min < eta_max, got t = {t}, T_max = {T}")
    c = math.cos(math.pi * t / T)
    lr = lo + (hi - lo) * (1 + c) / 2
    steps = [
        f"Fraction of the period done: t/T_max = {t}/{T} = {fmt(t / T)}; cos(π·{fmt(t / T)}) = {fmt(c)}",
        f"(1 + cos)/2 = {fmt((1 + c) / 2)} of the way from η_min to η_max is left",
        f"η_t = η_min + (η_max − η_min)·(1 + cos)/2 = {fmt(lo)} + {fmt(hi - lo)}·{fmt((1 + c) / 2)} = {fmt(lr)}",
    ]
    mistakes = {
        "annealed to 0: left out η_min": hi * (1 + c) / 2,
        "dropped the (1 + ·)/2: η_min + (η_max − η_min)·cos(π·t/T_max)": lo + (hi - lo) * c,
        "used a quarter period: cos(π·t/(2·T_max)) with no (1 + ·)/2": lo + (hi - lo) * math.cos(math.pi * t / (2 * T)),
        "forgot the /2: η_min + (η_max − η_min)·(1 + cos(π·t/T_max))": lo + (hi - lo) * (1 + c),
    }
    f = formula("eta_min + (eta_max - eta_min)*(1 + cos(pi*t/T_max))/2", name="eta_t", eta_min=("minimum learning rate", lo),
                eta_max=("initial (maximum) learning rate", hi), t=("epoch (from 0)", t), T_max=("epochs in the half period", T))
    return Solution(lr, steps, mistakes, formulas=[f])


@solver("exponential-lr", params={
    "lr0": Num("the initial learning rate", example=0.1),
    "gamma": Num("the factor γ per epoch", lo=0, hi=1, example=0.9),
    "epoch": Int("the epoch number", example=10),
})
def exponential_lr(p: dict) -> Solution:
    """PyTorch's ExponentialLR: lr0·γ^epoch (epoch from 0)."""
    lr0, g, e = float(p["lr0"]), float(p["gamma"]), _int(p, "epoch", 1)
    if not 0 < g < 1:
        raise InvalidParams(f"gamma {g} must be in (0, 1)")
    lr = lr0 * g**e
    steps = [f"ExponentialLR multiplies by γ once per epoch, so after {e} epochs: γ^{e} = {fmt(g)}^{e} = {fmt(g**e)}",
             f"lr = lr0·γ^{e} = {fmt(lr0)}·{fmt(g**e)} = {fmt(lr)}"]
    mistakes = {
        "used the other convention lr0·e^(−k·epoch) with k = γ": lr0 * math.exp(-g * e),
        "counted epochs from 1: γ^(epoch − 1)": lr0 * g ** (e - 1),
        "read γ as the fraction removed each epoch: lr0·(1 − γ)^epoch": lr0 * (1 - g) ** e,
    }
    f = formula("lr0*gamma**t", name="lr_t", lr0=("initial learning rate", lr0), gamma=("decay factor per epoch", g), t=("epoch (from 0)", e))
    return Solution(lr, steps, mistakes, formulas=[f])


@solver("gamma-from-decay-rate", params={
    "k": Num("the decay rate k in lr = lr0·e^(−k·epoch)", lo=0, example=0.2),
})
def gamma_from_decay_rate(p: dict) -> Solution:
    """The ExponentialLR γ that reproduces lr0·e^(−k·t): γ = e^(−k)."""
    k = float(p["k"])
    if not 0 < k < 5:
        raise InvalidParams(f"k {k} must be in (0, 5)")
    g = math.exp(-k)
    steps = [
        "lr0·γ^t = lr0·e^(−k·t) for every t means γ^t = (e^(−k))^t",
        f"γ = e^(−k) = e^(−{fmt(k)}) = {fmt(g)}",
    ]
    mistakes = {
        "used the first-order approximation γ = 1 − k": 1 - k,
        "dropped the minus sign: γ = e^k": math.exp(k),
        "used k itself as γ": k,
        "took γ = 1/k": 1 / k,
    }
    return Solution(g, steps, mistakes, formulas=[formula("exp(-k)", name="gamma", k=("decay rate k in lr0·e^(−k·t)", k))])


@solver("warmup-cosine-lr", params={
    "peak": Num("the learning rate at the end of warmup", lo=0, example=0.001),
    "min_lr": Num("the final learning rate", lo=0, example=0.0001),
    "warmup": Int("warmup steps", lo=1, example=100),
    "total": Int("total steps", lo=1, example=1000),
    "step": Int("the step number", example=550),
})
def warmup_cosine_lr(p: dict) -> Solution:
    """LLM schedule at step t (from 0): peak·t/W during warmup, then cosine from peak to min_lr over T − W steps."""
    peak, lo = float(p["peak"]), float(p["min_lr"])
    W, T, t = _int(p, "warmup", 1), _int(p, "total", 2), _int(p, "step")
    if not W < T or t >= T or lo >= peak:  # steps run 0 … T − 1: step T is never taken
        raise InvalidParams(f"need warmup < total, step < total and min_lr < peak, got W = {W}, T = {T}, t = {t}")
    if t < W:
        lr = peak * t / W
        steps = [f"t = {t} < W = {W}: warmup, lr = peak·t/W = {fmt(peak)}·{t}/{W} = {fmt(lr)}"]
        mistakes = {"counted steps from 1 in the warmup: (t + 1)/W": peak * (t + 1) / W,
                    "used the cosine branch during warmup": cosine(lo, peak, t / T)}
        f = formula("peak*t/W", name="lr_t", peak=("peak learning rate", peak), t=("step (from 0)", t), W=("warmup steps", W))
        return Solution(lr, steps, mistakes, formulas=[f])
    frac = (t - W) / (T - W)
    lr = cosine(lo, peak, frac)
    steps = [
        f"t = {t} ≥ W = {W}: cosine phase. Progress (t − W)/(T − W) = ({t} − {W})/({T} − {W}) = {fmt(frac)}",
        f"cos(π·{fmt(frac)}) = {fmt(math.cos(math.pi * frac))}, so (1 + cos)/2 = {fmt((1 + math.cos(math.pi * frac)) / 2)}",
        f"lr = min + (peak − min)·(1 + cos)/2 = {fmt(lo)} + {fmt(peak - lo)}·{fmt((1 + math.cos(math.pi * frac)) / 2)} = {fmt(lr)}",
    ]
    mistakes = {
        "did not subtract the warmup: progress t/T": cosine(lo, peak, t / T),
        "subtracted the warmup from t but not from T: (t − W)/T": cosine(lo, peak, (t - W) / T),
        "annealed to 0: left out the minimum": cosine(0.0, peak, frac),
    }
    f = formula("lr_min + (peak - lr_min)*(1 + cos(pi*(t - W)/(T - W)))/2", name="lr_t", lr_min=("minimum learning rate", lo),
                peak=("peak learning rate", peak), t=("step (from 0)", t), W=("warmup steps", W), T=("total steps", T))
    return Solution(lr, steps, mistakes, formulas=[f])


@solver("multistep-lr", params={
    "lr0": Num("the initial learning rate"),
    "gamma": Num("the factor γ at each milestone", lo=0, hi=1),
    "milestones": Vector("the epochs at which the rate is multiplied by γ", ints=True, lo=1),
    "epoch": Int("the epoch number"),
})
def multistep_lr(p: dict) -> Solution:
    """MultiStepLR: lr0·γ^(number of milestones ≤ epoch), epochs from 0."""
    lr0, g, e = float(p["lr0"]), float(p["gamma"]), _int(p, "epoch", 1)
    ms = sorted(int(m) for m in p["milestones"])
    if len(set(ms)) != len(ms) or not ms or ms[0] < 1:
        raise InvalidParams(f"milestones must be distinct positive epochs, got {p['milestones']!r}")
    drops = bisect.bisect_right(ms, e)
    lr = lr0 * g**drops
    passed = [m for m in ms if m <= e]
    steps = [
        f"Milestones reached by epoch {e} (a milestone m counts once epoch ≥ m): {fmt(passed) if passed else 'none'} → {drops} {plural(drops, 'drop')}",
        f"lr = lr0·γ^{drops} = {fmt(lr0)}·{fmt(g)}^{drops} = {fmt(lr)}",
    ]
    mistakes = {
        "did not count a milestone equal to the epoch (drops only after it)": lr0 * g ** bisect.bisect_left(ms, e),
        "read the first milestone as a StepLR step size: γ^⌊epoch/m1⌋": lr0 * g ** (e // ms[0]),
        "applied every milestone's drop, reached or not": lr0 * g ** len(ms),
    }
    f = formula("lr0*gamma**n", name="lr_t", lr0=("initial learning rate", lr0), gamma=("decay factor per milestone", g),
                n=("milestones reached (m ≤ epoch)", drops))
    return Solution(lr, steps, mistakes, formulas=[f])


def _vec(p: dict, key: str) -> np.ndarray:
    a = np.atleast_1d(np.asarray(p[key], dtype=float))
    if a.ndim != 1 or not np.isfinite(a).all():
        raise InvalidParams(f"{key} must be a vector of numbers, got {p[key]!r}")
    return a


def _adam_delta(g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float, b1: float, b2: float, eps: float,
                correct: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(Adam's step −lr·m̂/(√v̂ + ε), new m, new v, m̂, v̂) for gradient g at step t."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
    return -lr * mh / (np.sqrt(vh) + eps), m, v, mh, vh


CANCELLATION = 0.1  # AdamW draws where |decay + Adam step| ≤ 10 % of the larger term in an entry are redrawn


@solver("adam-weight-decay-step", params={
    "decay": Text("AdamW's decoupled decay or an L2 term in the gradient", choices=("decoupled", "l2"), example='decoupled'),
    "theta": Vector("the weights θ, of shape (n,)", example=[1.0, 2.0]),
    "grad": Vector("the loss gradient ∂L/∂θ, of shape (n,)", example=[0.1, -0.1]),
    "m": Vector("the first moment m before the step, of shape (n,)", example=[0.0, 0.0]),
    "v": Vector("the second moment v before the step, of shape (n,)", example=[0.0, 0.0]),
    "t": Int("the step number (1 = the first step)", lo=1, example=1),
    "lr": Num("learning rate η", lo=0, example=0.01),
    "beta1": Num("first-moment decay β1", lo=0, hi=1, example=0.9),
    "beta2": Num("second-moment decay β2", lo=0, hi=1, example=0.999),
    "eps": Num("ε added to √v̂", lo=0, example=1e-08),
    "weight_decay": Num("the weight decay λ", lo=0, example=0.1),
})
def adam_weight_decay_step(p: dict) -> Solution:
    """The change θ_new − θ of one step of AdamW (``decay: decoupled``) or Adam with L2 (``decay: l2``)."""
    th, g, m, v = (_vec(p, k) for k in ("theta", "grad", "m", "v"))
    if not th.shape == g.shape == m.shape == v.shape or (v < 0).any():
        raise InvalidParams("theta, grad, m and v must have one shape and v ≥ 0")
    t, lr, b1, b2, eps, lam = _int(p, "t", 1), float(p["lr"]), float(p["beta1"]), float(p["beta2"]), float(p["eps"]), float(p["weight_decay"])
    kind = p["decay"]
    show = lambda a: fmt([float(x) for x in a], 5)  # noqa: E731
    common = (m, v, t, lr, b1, b2, eps)
    if kind == "decoupled":
        decay = -lr * lam * th
        adam, m1, v1, mh, vh = _adam_delta(g, *common)
        delta = decay + adam
        if (np.abs(delta) <= CANCELLATION * np.maximum(np.abs(decay), np.abs(adam))).any():
            raise InvalidParams("the decay and the Adam step nearly cancel in an entry: its 3 figures would need 6-digit work")
        steps = [
            f"Decoupled decay (AdamW): θ ← θ − lr·λ·θ, a change of −lr·λ·θ = −{fmt(lr)}·{fmt(lam)}·{show(th)} = {show(decay)}",
            f"Adam moments from the RAW gradient: m = β1·m + (1 − β1)·g = {show(m1)}, v = β2·v + (1 − β2)·g² = {show(v1)}",
            f"Bias correction at t = {t}: m̂ = m/(1 − β1^{t}) = {show(mh)}, v̂ = v/(1 − β2^{t}) = {show(vh)}",
            f"Adam part: −lr·m̂/(√v̂ + ε) = {show(adam)}",
            f"Total change θ_new − θ = {show(decay)} + {show(adam)} = {show(delta)}",
        ]
        l2 = _adam_delta(g + lam * th, *common)[0]
        mistakes = {
            "put λ·θ into the gradient (Adam with L2, not AdamW)": l2,
            "decayed by λ·θ, not lr·λ·θ (the paper's Algorithm 2 form with η_t = 1; the prompt's PyTorch AdamW multiplies λ by lr)": -lam * th + adam,
            "forgot the weight decay": adam,
            "skipped the bias correction": decay + _adam_delta(g, *common, correct=False)[0],
        }
    elif kind == "l2":
        gl2 = g + lam * th
        delta, m1, v1, mh, vh = _adam_delta(gl2, *common)
        steps = [
            f"L2 in Adam: the decay joins the gradient, g' = g + λ·θ = {show(g)} + {fmt(lam)}·{show(th)} = {show(gl2)}",
            f"Moments from g': m = β1·m + (1 − β1)·g' = {show(m1)}, v = β2·v + (1 − β2)·g'² = {show(v1)}",
            f"Bias correction at t = {t}: m̂ = m/(1 − β1^{t}) = {show(mh)}, v̂ = v/(1 − β2^{t}) = {show(vh)}",
            f"Change θ_new − θ = −lr·m̂/(√v̂ + ε) = {show(delta)}",
        ]
        adam = _adam_delta(g, *common)[0]
        mistakes = {
            "decoupled the decay (that is AdamW)": -lr * lam * th + adam,
            "forgot the weight decay": adam,
            "skipped the bias correction": _adam_delta(gl2, *common, correct=False)[0],
        }
        doubled = _adam_delta(g + 2 * lam * th, *common)[0]
        if not np.allclose(doubled, delta, rtol=1e-6, atol=0):  # at t = 1 Adam's step is ±lr whatever the scale
            mistakes["added 2λ·θ (the gradient of λ‖θ‖², not PyTorch's λ·θ)"] = doubled
    else:
        raise InvalidParams(f"decay must be decoupled or l2, got {kind!r}")
    out = lambda a: [float(x) for x in a]  # noqa: E731
    sy = dict(lr=("learning rate", lr), m_hat_0=("bias-corrected first moment of entry 0", float(mh[0])),
              v_hat_0=("bias-corrected second moment of entry 0", float(vh[0])), eps=("epsilon", eps))
    if kind == "decoupled":
        f = formula("-lr*lam*theta_0 - lr*m_hat_0/(sqrt(v_hat_0) + eps)", name="Δθ_0", target=0, lam=("weight decay λ", lam),
                    theta_0=("parameter entry 0 before the step", float(th[0])), **sy)
    else:
        f = formula("-lr*m_hat_0/(sqrt(v_hat_0) + eps)", name="Δθ_0", target=0, **sy)
    return Solution(out(delta), steps, {k: out(x) for k, x in mistakes.items()}, formulas=[f])
