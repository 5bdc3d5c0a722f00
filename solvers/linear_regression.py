"""Simple linear regression y ≈ m·x + b: the MSE gradient, a gradient step, and the closed form.

x, y of shape (N,). With residuals r_i = y_i − (m·x_i + b), as 004 Q5 writes it::

    MSE(m, b) = (1/N) Σ r_i²
    ∂MSE/∂m = (1/N) Σ −2·x_i·r_i,   ∂MSE/∂b = (1/N) Σ −2·r_i

Closed form with the design matrix X = [1 | x] of shape (N, 2) (intercept column first)::

    β = (XᵀX)⁻¹ Xᵀ y = [b, m]
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Num, Vector
from ._fmt import fmt


def _data(p: dict) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(p["x"], dtype=float), np.asarray(p["y"], dtype=float)
    if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
        raise InvalidParams(f"x and y must be vectors of the same length ≥ 2; got {x.shape} and {y.shape}")
    return x, y


def _gradient(x: np.ndarray, y: np.ndarray, m: float, b: float) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], list[str]]:
    """(gradient [dm, db], residuals, {slip: wrong gradient}, worked lines)."""
    n = len(x)
    r = y - (m * x + b)
    grad = np.array([-2 * (x * r).sum() / n, -2 * r.sum() / n])
    lines = [
        f"Predictions m·x + b = {fmt((m * x + b).tolist())}; residuals r = y − (m·x + b) = {fmt(r.tolist())}",
        f"∂MSE/∂m = (1/N)·Σ −2·x_i·r_i = −(2/{n})·{fmt(float((x * r).sum()))} = {fmt(float(grad[0]))}",
        f"∂MSE/∂b = (1/N)·Σ −2·r_i = −(2/{n})·{fmt(float(r.sum()))} = {fmt(float(grad[1]))}",
    ]
    slips = {
        "forgot the factor 2 from the square": grad / 2,
        "divided by N twice": grad / n,
        "summed instead of averaging (forgot the 1/N)": grad * n,
        "flipped the sign (dropped the − of the inner derivative)": -grad,
        "forgot the x_i in ∂/∂m (used the ∂/∂b formula for both)": np.array([grad[1], grad[1]]),
    }
    return grad, r, slips, lines


def _gradient_formulas(x: np.ndarray, y: np.ndarray, m: float, b: float, targets: tuple) -> list[Formula]:
    """∂MSE/∂m and ∂MSE/∂b written out over the data points (1-based i), with these targets."""
    syms = {"m": ("the current slope m", m), "b": ("the current intercept b", b), "N": ("the number of points", len(x))}
    for i, (xi, yi) in enumerate(zip(x, y), 1):
        syms[f"x_{i}"] = (f"the input x of point {i}", float(xi))
        syms[f"y_{i}"] = (f"the target y of point {i}", float(yi))
    res = [f"(y_{i} - (m*x_{i} + b))" for i in range(1, len(x) + 1)]
    dm = "-2*(" + " + ".join(f"x_{i}*{r}" for i, r in enumerate(res, 1)) + ")/N"
    db = "-2*(" + " + ".join(res) + ")/N"
    return [formula(dm, name="dMSE/dm", target=targets[0], **syms), formula(db, name="dMSE/db", target=targets[1], **syms)]


def _gradient_checks(r: np.ndarray, grad: np.ndarray) -> list[Checkpoint]:
    """The residuals and the two partial derivatives, shown by :func:`_gradient`'s lines."""
    return [Checkpoint("the residuals r = y − (m·x + b)", r.tolist(), "vector", 0),
            Checkpoint("∂MSE/∂m", float(grad[0]), "number", 1), Checkpoint("∂MSE/∂b", float(grad[1]), "number", 2)]


@solver("mse-gradient", params={
    "x": Vector("the inputs x, of shape (N,)"),
    "y": Vector("the targets y, of shape (N,)"),
    "m": Num("the slope m of the line ŷ = m·x + b"),
    "b": Num("the bias b"),
})
def mse_gradient(p: dict) -> Solution:
    """[∂MSE/∂m, ∂MSE/∂b] of the mean squared error of y ≈ m·x + b at the given m, b."""
    x, y = _data(p)
    grad, r, slips, steps = _gradient(x, y, float(p["m"]), float(p["b"]))
    return Solution(grad.tolist(), steps, {k: v.tolist() for k, v in slips.items()}, checkpoints=_gradient_checks(r, grad),
                    formulas=_gradient_formulas(x, y, float(p["m"]), float(p["b"]), (0, 1)))


@solver("mse-gd-step", params={
    "x": Vector("the inputs x, of shape (N,)"),
    "y": Vector("the targets y, of shape (N,)"),
    "m": Num("the slope m of the line ŷ = m·x + b"),
    "b": Num("the bias b"),
    "lr": Num("learning rate η"),
})
def mse_gd_step(p: dict) -> Solution:
    """[m, b] after one gradient-descent step with learning rate ``lr`` on the MSE."""
    x, y = _data(p)
    m, b, lr = float(p["m"]), float(p["b"]), float(p["lr"])
    theta = np.array([m, b])
    grad, r, slips, steps = _gradient(x, y, m, b)
    new = theta - lr * grad
    steps.append(f"[m, b] ← [m, b] − α·∇ = {fmt(theta.tolist())} − {fmt(lr)}·{fmt(grad.tolist())} = {fmt(new.tolist())}")
    mistakes = {k: (theta - lr * v).tolist() for k, v in slips.items()}
    mistakes["added the gradient instead of subtracting it"] = (theta + lr * grad).tolist()
    checks = _gradient_checks(r, grad) + [Checkpoint("the new [m, b]", new.tolist(), "vector", 3)]
    declared = [formula("m - alpha*g_m", name="m_new", target=0, m=("the current slope m", m), alpha=("the learning rate", lr),
                        g_m=("the gradient ∂MSE/∂m", float(grad[0])))]
    declared += _gradient_formulas(x, y, m, b, ("checkpoint:1", "checkpoint:2"))
    return Solution(new.tolist(), steps, mistakes, checkpoints=checks, formulas=declared)


@solver("normal-equation", params={
    "x": Vector("the inputs x, of shape (N,)"),
    "y": Vector("the targets y, of shape (N,)"),
})
def normal_equation(p: dict) -> Solution:
    """Least-squares [b, m] = (XᵀX)⁻¹Xᵀy with X = [1 | x], shape (N, 2), intercept column first."""
    x, y = _data(p)
    if np.all(x == x[0]):
        raise InvalidParams("all x are equal: XᵀX is singular")
    X = np.column_stack([np.ones_like(x), x])
    XtX, Xty = X.T @ X, X.T @ y
    det = XtX[0, 0] * XtX[1, 1] - XtX[0, 1] * XtX[1, 0]
    inv = np.array([[XtX[1, 1], -XtX[0, 1]], [-XtX[1, 0], XtX[0, 0]]]) / det
    beta = inv @ Xty
    steps = [
        f"X = [1 | x] = {fmt(X.tolist())}",
        f"XᵀX = [[N, Σx], [Σx, Σx²]] = {fmt(XtX.tolist())}, det = {fmt(float(det))}",
        f"(XᵀX)⁻¹ = (1/{fmt(float(det))})·[[Σx², −Σx], [−Σx, N]] = {fmt(inv.tolist(), 5)}",
        f"Xᵀy = [Σy, Σxy] = {fmt(Xty.tolist())}",
        f"β = (XᵀX)⁻¹Xᵀy = [b, m] = {fmt(beta.tolist(), 5)}",
    ]
    mistakes = {
        "forgot the intercept column (fit through the origin: m = Σxy / Σx², b = 0)": [0.0, float((x * y).sum() / (x * x).sum())],
        "listed the slope first ([m, b]; the intercept column comes first)": [float(beta[1]), float(beta[0])],
        "forgot to invert XᵀX (reported Xᵀy)": Xty.tolist(),
    }
    checks = [Checkpoint("XᵀX", XtX.tolist(), "matrix", 1), Checkpoint("det XᵀX", float(det), "number", 1),
              Checkpoint("Xᵀy", Xty.tolist(), "vector", 3), Checkpoint("β = [b, m]", beta.tolist(), "vector", 4)]
    sums = {"N": ("the number of points", len(x)), "Sx": ("Σx", float(x.sum())), "Sxx": ("Σx²", float((x * x).sum())),
            "Sy": ("Σy", float(y.sum())), "Sxy": ("Σxy", float((x * y).sum()))}
    declared = [formula("(Sxx*Sy - Sx*Sxy)/(N*Sxx - Sx**2)", name="b", target=0, **sums),
                formula("(N*Sxy - Sx*Sy)/(N*Sxx - Sx**2)", name="m", target=1, **sums)]
    return Solution(beta.tolist(), steps, mistakes, checkpoints=checks, formulas=declared)
