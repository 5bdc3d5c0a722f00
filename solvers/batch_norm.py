"""Batch normalization, forward pass in training mode (as torch.nn.BatchNorm1d.train()).

x of shape (N, D): N samples (rows), D features (columns); or shape (N,) for one feature.
Each feature is normalized over the batch with the BIASED (population) variance::

    μ = (1/N) Σ_n x[n],   σ² = (1/N) Σ_n (x[n] − μ)²,   x̂ = (x − μ) / √(σ² + ε),   y = γ·x̂ + β

γ and β have shape (D,) (scalars for one feature).
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Num, Vector, Matrix, Either
from ._fmt import fmt

#: An ε below this changes nothing a learner writes to 3–4 digits, so forgetting it is no mistake.
EPS_THAT_MATTERS = 1e-3


def _normalize(x: np.ndarray, eps: float, *, ddof: int = 0, axis: int = 0, use_eps: bool = True, sqrt: bool = True) -> np.ndarray:
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True) + (eps if use_eps else 0.0)
    return (x - mu) / (np.sqrt(var) if sqrt else var)


def _rows(a: np.ndarray) -> str:
    return "; ".join(fmt(row.tolist(), 4) for row in a) if a.ndim == 2 else fmt(a.tolist(), 4)


@solver("batchnorm-forward", params={
    "x": Either("the mini-batch, of shape (N,) or (N, D)", options=(Vector("(N,)"), Matrix("(N, D)"))),
    "gamma": Either("the scale γ, one or one per feature (D,)", options=(Num("γ"), Vector("(D,)"))),
    "beta": Either("the shift β, one or one per feature (D,)", options=(Num("β"), Vector("(D,)"))),
    "eps": Num("ε added for numerical stability"),
})
def batchnorm_forward(p: dict) -> Solution:
    """Training-mode BatchNorm1d output for ``x`` of shape (N, D) (a matrix answer) or (N,) (a vector)."""
    x = np.asarray(p["x"], dtype=float)
    single = x.ndim == 1
    X = x[:, None] if single else x
    if X.ndim != 2 or X.shape[0] < 2:
        raise InvalidParams(f"x must be a batch of at least 2 samples, shape (N,) or (N, D); got {x.shape}")
    D = X.shape[1]
    gamma = np.atleast_1d(np.asarray(p["gamma"], dtype=float))
    beta = np.atleast_1d(np.asarray(p["beta"], dtype=float))
    eps = float(p["eps"])
    if gamma.shape != (D,) or beta.shape != (D,):
        raise InvalidParams(f"gamma and beta need one entry per feature ({D})")
    if (X.var(axis=0) == 0).any():
        raise InvalidParams("a feature with zero batch variance (all values equal)")

    def out(a: np.ndarray):
        return a[:, 0].tolist() if single else a.tolist()

    mu, var = X.mean(axis=0), X.var(axis=0)
    xhat = _normalize(X, eps)
    y = gamma * xhat + beta
    N = X.shape[0]
    steps = [
        f"Per feature (column), over the batch of N = {N}: μ = {fmt(mu.tolist(), 5)}",
        f"Biased variance σ² = (1/N)·Σ(x − μ)² = {fmt(var.tolist(), 5)}",
        f"x̂ = (x − μ) / √(σ² + ε) with ε = {fmt(eps)}: {_rows(xhat[:, 0] if single else xhat)}",
        f"y = γ·x̂ + β with γ = {fmt(gamma.tolist())}, β = {fmt(beta.tolist())}: {_rows(y[:, 0] if single else y)}",
    ]
    mistakes = {
        "used the unbiased variance (÷ (N − 1)); training-mode BN divides by N": out(gamma * _normalize(X, eps, ddof=1) + beta),
        "divided by the variance instead of the standard deviation": out(gamma * _normalize(X, eps, sqrt=False) + beta),
        "forgot γ and β (stopped at x̂)": out(xhat),
    }
    if eps >= EPS_THAT_MATTERS:
        mistakes["forgot ε in √(σ² + ε)"] = out(gamma * _normalize(X, eps, use_eps=False) + beta)
    if not single:
        mistakes["normalized over the wrong axis (each sample across its features)"] = out(gamma * _normalize(X, eps, axis=1) + beta)
    kind = "vector" if single else "matrix"
    checks = [Checkpoint("the batch mean μ (per feature)", mu.tolist(), "vector", 0),
              Checkpoint("the biased variance σ² (per feature)", var.tolist(), "vector", 1),
              Checkpoint("the normalized x̂", out(xhat), kind, 2)]
    declared = [formula("gamma*(x - mu)/sqrt(var + eps) + beta", name="y_0" if single else "y_00", target=0,
                        x=("the first sample's value of feature 0", float(X[0, 0])),
                        mu=("the batch mean of feature 0", float(mu[0])),
                        var=("the biased batch variance of feature 0", float(var[0])),
                        eps=("the ε added to the variance", eps), gamma=("the scale γ of feature 0", float(gamma[0])),
                        beta=("the shift β of feature 0", float(beta[0])))]
    return Solution(out(y), steps, mistakes, context={"_n": str(N)}, checkpoints=checks, formulas=declared)
