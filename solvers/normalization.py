"""LayerNorm and RMSNorm forward, BatchNorm's running statistics and eval mode, BatchNorm backward.

A vector x of shape (D,) is one token's features (LayerNorm, RMSNorm normalize over them);
a batch x of shape (N,) is one feature over N samples (BatchNorm normalizes over them). As in
PyTorch, normalization uses the BIASED variance (1/N), ε inside the square root::

    LayerNorm:  y = γ·(x − μ)/√(σ² + ε) + β,      μ, σ² over the D features
    RMSNorm:    y = γ·x/√(mean(x²) + ε)            no mean subtraction, no β
    BatchNorm running stats (train step, momentum m):
        running_mean ← (1 − m)·running_mean + m·μ_B
        running_var  ← (1 − m)·running_var  + m·s²_B      s²_B = UNBIASED batch variance (÷ (N − 1))
    BatchNorm eval:  y = γ·(x − running_mean)/√(running_var + ε) + β
    BatchNorm backward (train mode, upstream g = dL/dy of shape (N,)), σ̂ = √(σ² + ε):
        dβ = Σ g,   dγ = Σ g·x̂,   dx = (γ / (N·σ̂))·(N·g − Σ g − x̂·Σ g·x̂)
"""

from __future__ import annotations

import numpy as np

from . import InvalidParams, Solution, formula, solver
from ._params import Num, Vector
from ._fmt import fmt, round_sig
from .batch_norm import EPS_THAT_MATTERS, _normalize


def _exact_zeros(values: np.ndarray, scale: float) -> np.ndarray:
    """Entries within float noise of zero (1e-12 of ``scale``, the magnitude of the terms that
    cancelled) set to exactly 0: an answer of 0 is keyed and shown as 0, not 2e-17."""
    out = np.array(values, dtype=float)
    out[np.abs(out) <= 1e-12 * abs(scale)] = 0.0
    return out


def _vec(p: dict, key: str, n: int | None = None, *, at_least: int = 2) -> np.ndarray:
    v = np.atleast_1d(np.asarray(p[key], dtype=float))
    if v.ndim != 1 or len(v) < (at_least if n is None else 1):
        raise InvalidParams(f"{key} must be a vector of at least {at_least} numbers")
    if n is not None and len(v) != n:
        raise InvalidParams(f"{key} needs {n} entries, got {len(v)}")
    return v


def _f(a: np.ndarray) -> str:
    return fmt([float(v) for v in a], 4)


def _features(p: dict) -> tuple[np.ndarray, np.ndarray, float]:
    x = _vec(p, "x")
    gamma = _vec(p, "gamma", len(x))
    return x, gamma, float(p["eps"])


@solver("layernorm-forward", params={
    "x": Vector("one example's features, of shape (D,)"),
    "gamma": Vector("the scale γ, of shape (D,)"),
    "beta": Vector("the shift β, of shape (D,)"),
    "eps": Num("ε added for numerical stability"),
})
def layernorm_forward(p: dict) -> Solution:
    """LayerNorm of one vector x (D,) over its features, biased variance, with γ and β (D,)."""
    x, gamma, eps = _features(p)
    beta = _vec(p, "beta", len(x))
    if x.var() == 0:
        raise InvalidParams("x has zero variance (all entries equal)")
    mu, var = float(x.mean()), float(x.var())
    xhat = _normalize(x, eps)
    y = gamma * xhat + beta
    rms = x / np.sqrt(np.mean(x**2) + eps)
    steps = [
        f"Mean over the D = {len(x)} features: μ = {fmt(mu, 5)}",
        f"Biased variance σ² = (1/D)·Σ(x − μ)² = {fmt(var, 5)}; √(σ² + ε) = {fmt(float(np.sqrt(var + eps)), 5)}",
        f"x̂ = (x − μ)/√(σ² + ε) = {_f(xhat)}",
        f"y = γ·x̂ + β = {_f(y)}",
    ]
    mistakes = {
        "used the unbiased variance (÷ (D − 1)); LayerNorm divides by D": (gamma * _normalize(x, eps, ddof=1) + beta).tolist(),
        "divided by the variance instead of the standard deviation": (gamma * _normalize(x, eps, sqrt=False) + beta).tolist(),
        "forgot γ and β (stopped at x̂)": xhat.tolist(),
        "did not subtract the mean (that is RMSNorm)": (gamma * rms + beta).tolist(),
    }
    if eps >= EPS_THAT_MATTERS:
        mistakes["forgot ε in √(σ² + ε)"] = (gamma * _normalize(x, eps, use_eps=False) + beta).tolist()
    f = formula("gamma_0*(x_0 - mu)/sqrt(sigma2 + eps) + beta_0", name="y_0", target=0, gamma_0=("scale γ of feature 0", float(gamma[0])),
                x_0=("feature 0 of x", float(x[0])), mu=("mean of the D features", mu), sigma2=("biased variance of the features", var),
                eps=("epsilon", eps), beta_0=("shift β of feature 0", float(beta[0])))
    return Solution(y.tolist(), steps, mistakes, context={"_d": str(len(x))}, formulas=[f])


@solver("rmsnorm-forward", params={
    "x": Vector("one example's features, of shape (D,)"),
    "gamma": Vector("the scale γ, of shape (D,)"),
    "eps": Num("ε added for numerical stability"),
})
def rmsnorm_forward(p: dict) -> Solution:
    """RMSNorm of one vector x (D,): γ·x / √(mean(x²) + ε) (no mean subtraction, no β)."""
    x, gamma, eps = _features(p)
    if not x.any():
        raise InvalidParams("x is all zeros")
    ms = float(np.mean(x**2))
    rms = float(np.sqrt(ms + eps))
    y = gamma * x / rms
    steps = [
        f"Mean of the squares over the D = {len(x)} features: (1/D)·Σ x² = {fmt(float(np.sum(x**2)), 5)} / {len(x)} = {fmt(ms, 5)}",
        f"RMS = √(mean(x²) + ε) = {fmt(rms, 5)}  (no mean is subtracted)",
        f"x / RMS = {_f(x / rms)}",
        f"y = γ ⊙ (x / RMS) = {_f(y)}",
    ]
    mistakes = {
        "subtracted the mean first (that is LayerNorm)": (gamma * _normalize(x, eps)).tolist(),
        "divided by the L2 norm ‖x‖ instead of the RMS (forgot the 1/D)": (gamma * x / np.sqrt(np.sum(x**2) + eps)).tolist(),
        "forgot the square root (divided by mean(x²))": (gamma * x / (ms + eps)).tolist(),
        "forgot γ": (x / rms).tolist(),
    }
    f = formula("gamma_0*x_0/sqrt(ms + eps)", name="y_0", target=0, gamma_0=("scale γ of feature 0", float(gamma[0])),
                x_0=("feature 0 of x", float(x[0])), ms=("mean of x² over the D features", ms), eps=("epsilon", eps))
    return Solution(y.tolist(), steps, mistakes, context={"_d": str(len(x))}, formulas=[f])


def _batch(p: dict, key: str = "batch") -> np.ndarray:
    b = _vec(p, key)
    if b.var() == 0:
        raise InvalidParams(f"{key} has zero variance (all values equal)")
    return b


def _running_update(p: dict) -> tuple[np.ndarray, float, float, float, float, float, list[str]]:
    """(batch, m, μ_B, s²_B unbiased, new running mean, new running var, steps)."""
    b = _batch(p)
    m = float(p["momentum"])
    if not 0 < m <= 1:
        raise InvalidParams(f"momentum must be in (0, 1], got {m}")
    rm, rv = float(p["running_mean"]), float(p["running_var"])
    mu, unb = float(b.mean()), float(b.var(ddof=1))
    new_m = (1 - m) * rm + m * mu
    new_v = (1 - m) * rv + m * unb
    n = len(b)
    steps = [
        f"Batch mean μ_B = {fmt(mu, 5)}; unbiased batch variance s²_B = Σ(x − μ_B)² / (N − 1) = {fmt(float(np.sum((b - mu) ** 2)), 5)} / {n - 1} = {fmt(unb, 5)}",
        f"running_mean ← (1 − m)·{fmt(rm)} + m·μ_B = {fmt(1 - m)}·{fmt(rm)} + {fmt(m)}·{fmt(mu, 5)} = {fmt(new_m, 5)}",
        f"running_var ← (1 − m)·{fmt(rv)} + m·s²_B = {fmt(1 - m)}·{fmt(rv)} + {fmt(m)}·{fmt(unb, 5)} = {fmt(new_v, 5)}",
    ]
    return b, m, mu, unb, new_m, new_v, steps


@solver("batchnorm-running-stats", params={
    "batch": Vector("one feature's values over the mini-batch, of shape (N,)"),
    "running_mean": Num("the running mean"),
    "running_var": Num("the running variance"),
    "momentum": Num("momentum coefficient"),
})
def batchnorm_running_stats(p: dict) -> Solution:
    """[running_mean, running_var] after one training step of BatchNorm1d on one feature's batch."""
    b, m, mu, unb, new_m, new_v, steps = _running_update(p)
    rm, rv = float(p["running_mean"]), float(p["running_var"])
    biased = float(b.var())
    steps.append(f"[running_mean, running_var] = [{fmt(new_m, 5)}, {fmt(new_v, 5)}]")
    mistakes = {
        "used the biased batch variance (÷ N) for running_var": [new_m, (1 - m) * rv + m * biased],
        "swapped the weights: m·running + (1 − m)·batch": [m * rm + (1 - m) * mu, m * rv + (1 - m) * unb],
        "replaced the running statistics by the batch's (ignored the momentum)": [mu, unb],
    }
    f = formula("(1 - m)*running_mean + m*mu_B", name="running_mean", target=0, m=("momentum", m),
                running_mean=("running mean before the step", rm), mu_B=("batch mean", mu))
    return Solution([new_m, new_v], steps, mistakes, formulas=[f])


@solver("batchnorm-eval", params={
    "x": Vector("the test inputs x, of shape (N,)"),
    "running_mean": Num("the running mean"),
    "running_var": Num("the running variance"),
    "gamma": Num("the scale γ"),
    "beta": Num("the shift β"),
    "eps": Num("ε added for numerical stability"),
})
def batchnorm_eval(p: dict) -> Solution:
    """Eval-mode BatchNorm1d output for one feature's batch x (N,): normalized with the running statistics."""
    x = _batch(p, "x")
    rm, rv = float(p["running_mean"]), float(p["running_var"])
    g, bt, eps = float(p["gamma"]), float(p["beta"]), float(p["eps"])
    if rv <= 0:
        raise InvalidParams("running_var must be positive")
    sd = float(np.sqrt(rv + eps))
    y = g * (x - rm) / sd + bt
    steps = [
        "Eval mode ignores the batch's own statistics: every sample is normalized with the running ones.",
        f"√(running_var + ε) = √({fmt(rv)} + {fmt(eps)}) = {fmt(sd, 6)}",
        f"x̂ = (x − {fmt(rm)}) / {fmt(sd, 6)} = {_f((x - rm) / sd)}",
        f"y = γ·x̂ + β = {fmt(g)}·x̂ + {fmt(bt)} = {_f(y)}",
    ]
    mistakes = {
        "normalized with the batch's own mean and variance (training mode)": (g * _normalize(x, eps) + bt).tolist(),
        "divided by the running variance instead of its square root": (g * (x - rm) / (rv + eps) + bt).tolist(),
        "forgot γ and β": ((x - rm) / sd).tolist(),
    }
    f = formula("gamma*(x_0 - running_mean)/sqrt(running_var + eps) + beta", name="y_0", target=0, gamma=("scale γ", g),
                x_0=("first value of the batch", float(x[0])), running_mean=("running mean", rm), running_var=("running variance", rv),
                eps=("epsilon", eps), beta=("shift β", bt))
    return Solution(y.tolist(), steps, mistakes, formulas=[f])


@solver("batchnorm-train-then-eval", params={
    "batch": Vector("one feature's values over the training mini-batch, of shape (N,)"),
    "running_mean": Num("the running mean"),
    "running_var": Num("the running variance"),
    "momentum": Num("momentum coefficient"),
    "eps": Num("ε added for numerical stability"),
    "x": Num("the test input x, normalized with the running statistics"),
})
def batchnorm_train_then_eval(p: dict) -> Solution:
    """A fresh BatchNorm1d (running stats 0 and 1) takes one training step on ``batch``, then in
    eval mode maps the value ``x`` — with γ = 1, β = 0."""
    b, m, mu, unb, new_m, new_v, steps = _running_update(p)
    x, eps = float(p["x"]), float(p["eps"])
    rm, rv = float(p["running_mean"]), float(p["running_var"])
    y = float(_exact_zeros(np.array([(x - new_m) / np.sqrt(new_v + eps)]), max(abs(x), abs(new_m)) / np.sqrt(new_v + eps))[0])
    biased_v = (1 - m) * rv + m * float(b.var())
    steps.append(f"Eval: y = (x − running_mean)/√(running_var + ε) = ({fmt(x)} − {fmt(new_m, 5)}) / √({fmt(new_v, 5)} + {fmt(eps)}) = {fmt(float(y), 5)}")
    mistakes = {
        "used the biased batch variance (÷ N) in the running_var update": (x - new_m) / np.sqrt(biased_v + eps),
        "normalized with the batch statistics at eval (training mode)": (x - mu) / np.sqrt(float(b.var()) + eps),
        "used the initial running statistics (forgot the training step's update)": (x - rm) / np.sqrt(rv + eps),
        "replaced the running statistics by the batch's (ignored the momentum)": (x - mu) / np.sqrt(unb + eps),
    }
    f = formula("(x - ((1 - m)*running_mean + m*mu_B))/sqrt((1 - m)*running_var + m*s2_B + eps)", name="y",
                x=("value mapped in eval mode", x), m=("momentum", m), running_mean=("initial running mean", rm),
                running_var=("initial running variance", rv), mu_B=("batch mean", mu),
                s2_B=("unbiased batch variance (÷ (N − 1))", unb), eps=("epsilon", eps))
    return Solution(float(y), steps, {k: float(v) for k, v in mistakes.items()}, formulas=[f])


def _backward(p: dict) -> tuple[np.ndarray, np.ndarray, float, float, np.ndarray, float, list[str]]:
    """(x, g, γ, ε, x̂, σ̂, steps) for BatchNorm backward on one feature's batch."""
    x = _batch(p, "x")
    g = _vec(p, "dy", len(x))
    gamma, eps = float(p["gamma"]), float(p["eps"])
    mu = float(x.mean())
    sd = float(np.sqrt(x.var() + eps))
    xhat = (x - mu) / sd
    steps = [
        f"Forward (train mode, biased variance): μ = {fmt(mu, 5)}, σ² = {fmt(float(x.var()), 5)}, σ̂ = √(σ² + ε) = {fmt(sd, 5)}",
        f"x̂ = (x − μ)/σ̂ = {_f(xhat)}",
    ]
    return x, g, gamma, eps, xhat, sd, steps


@solver("batchnorm-backward-params", params={
    "x": Vector("one feature's values over the mini-batch, of shape (N,)"),
    "dy": Vector("the upstream gradient ∂L/∂y, of shape (N,)"),
    "gamma": Num("the scale γ"),
    "eps": Num("ε added for numerical stability"),
})
def batchnorm_backward_params(p: dict) -> Solution:
    """[dL/dγ, dL/dβ] for BatchNorm on one feature's batch, given dL/dy."""
    x, g, gamma, eps, xhat, sd, steps = _backward(p)
    dgamma, dbeta = float(np.sum(g * xhat)), float(np.sum(g))
    n = len(x)
    steps += [
        f"dL/dβ = Σ_n dy_n = {fmt(dbeta, 5)}  (β is added to every sample's output)",
        f"dL/dγ = Σ_n dy_n·x̂_n = {' + '.join(f'{fmt(float(a))}·{fmt(float(b), 4)}' for a, b in zip(g, xhat))} = {fmt(dgamma, 5)}",
    ]
    mistakes = {
        "used x instead of x̂ in dL/dγ": [float(np.sum(g * x)), dbeta],
        "averaged over the batch instead of summing": [dgamma / n, dbeta / n],
        "swapped dL/dγ and dL/dβ": [dbeta, dgamma],
    }
    syms = {f"dy_{i}": (f"upstream gradient dL/dy of sample {i}", float(a)) for i, a in enumerate(g)}
    syms |= {f"xhat_{i}": (f"normalized sample {i}", float(b)) for i, b in enumerate(xhat)}
    f = formula(" + ".join(f"dy_{i}*xhat_{i}" for i in range(n)), name="dL/dγ", target=0, **syms)
    return Solution([dgamma, dbeta], steps, mistakes, formulas=[f])


def _sig(a: np.ndarray) -> list[float]:
    """Entries at 3 significant figures, float noise (below 1e-12 of the largest) as 0."""
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    return [0.0 if abs(v) <= 1e-12 * scale else round_sig(float(v)) for v in a]


def eps_free_agrees(x: np.ndarray, g: np.ndarray, gamma: float, eps: float, dx: np.ndarray) -> bool:
    """True when the ε = 0 gradient, rounded to 3 significant figures, is this key at 3 figures.

    A learner who drops ε (it "changes the 6th digit") must not be graded wrong: a batch whose
    variance is tiny next to ε, or a dy that makes an entry exactly 0 without ε (ε then leaves
    a 1e-6…1e-4 residue there), is not a fair draw.
    """
    var = float(x.var())
    if var <= 1000 * eps:
        return False
    n = len(x)
    sd0 = float(np.sqrt(var))
    xhat0 = (x - x.mean()) / sd0
    sg, sgx = float(np.sum(g)), float(np.sum(g * xhat0))
    dx0 = _exact_zeros(gamma / (n * sd0) * (n * g - sg - xhat0 * sgx),
                       gamma / (n * sd0) * max(float(np.max(np.abs(n * g))), abs(sg), float(np.max(np.abs(xhat0 * sgx)))))
    return _sig(dx0) == _sig(dx)


@solver("batchnorm-backward-dx", params={
    "x": Vector("one feature's values over the mini-batch, of shape (N,)", example=[1.0, 2.0, 3.0]),
    "dy": Vector("the upstream gradient ∂L/∂y, of shape (N,)", example=[1.0, 0.0, 0.0]),
    "gamma": Num("the scale γ", example=2.0),
    "eps": Num("ε added for numerical stability", example=1e-05),
})
def batchnorm_backward_dx(p: dict) -> Solution:
    """dL/dx for training-mode BatchNorm on one feature's batch (N,), given dL/dy."""
    x, g, gamma, eps, xhat, sd, steps = _backward(p)
    n = len(x)
    sg, sgx = float(np.sum(g)), float(np.sum(g * xhat))
    sgx = float(_exact_zeros(np.array([sgx]), float(np.sum(np.abs(g * xhat))))[0])
    dx = gamma / (n * sd) * (n * g - sg - xhat * sgx)
    dx = _exact_zeros(dx, gamma / (n * sd) * max(float(np.max(np.abs(n * g))), abs(sg), float(np.max(np.abs(xhat * sgx)))))
    if not eps_free_agrees(x, g, gamma, eps, dx):
        raise InvalidParams("ε changes an entry of dL/dx at 3 significant figures (a tiny variance, or an entry that is 0 without ε)")
    steps += [
        f"Σ dy = {fmt(sg, 5)}, Σ dy·x̂ = {fmt(sgx, 5)}",
        "μ and σ² depend on every x_n, so dx has three parts: the direct path, through μ, and through σ²:",
        f"N·dy − Σ dy − x̂·Σ dy·x̂ = {_f(n * g - sg - xhat * sgx)}",
        f"dx = γ/(N·σ̂)·(N·dy − Σ dy − x̂·Σ dy·x̂) = {fmt(gamma)}/({n}·{fmt(sd, 5)}) · {_f(n * g - sg - xhat * sgx)} = {_f(dx)}",
        "(the entries of dx sum to 0: shifting every x by the same amount changes nothing after normalization)",
    ]
    mu_only = gamma / sd * (g - sg / n)
    unb_sd = float(np.sqrt(x.var(ddof=1) + eps))
    xhat_u = (x - x.mean()) / unb_sd
    dx_unb = gamma / (n * unb_sd) * (n * g - sg - xhat_u * float(np.sum(g * xhat_u)))
    mistakes = {
        "treated μ and σ as constants: dx = γ·dy/σ̂": (gamma * g / sd).tolist(),
        "kept the path through μ but not through σ²": mu_only.tolist(),
        "used the unbiased variance (÷ (N − 1)) for σ̂": dx_unb.tolist(),
    }
    if gamma != 1:
        mistakes["forgot the factor γ"] = (dx / gamma).tolist()
    f = formula("gamma/(N*sigma_hat)*(N*dy_0 - S_dy - xhat_0*S_dyxhat)", name="dL/dx_0", target=0, gamma=("scale γ", gamma),
                N=("batch size", n), sigma_hat=("√(σ² + ε), biased σ²", sd), dy_0=("upstream gradient of sample 0", float(g[0])),
                S_dy=("Σ dy over the batch", sg), xhat_0=("normalized sample 0", float(xhat[0])), S_dyxhat=("Σ dy·x̂ over the batch", sgx))
    return Solution(dx.tolist(), steps, mistakes, formulas=[f])
