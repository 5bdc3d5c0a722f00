"""Backward pass of one 2-D convolution (cross-correlation), stride 1, no padding, one channel.

Forward: Y = X ⋆ W + b with input X of shape (H, W_in), kernel W of shape (k, k), bias b (a number),
output Y of shape (H − k + 1, W_in − k + 1). Given the upstream gradient dL/dY (same shape as Y)::

    dL/dW[u, v] = Σ_ij X[i + u, j + v] · dL/dY[i, j]      = X ⋆ dL/dY      (valid cross-correlation)
    dL/dX[p, q] = Σ_ij dL/dY[i, j] · W[p − i, q − j]      = full(dL/dY) ⋆ rot180(W)
                                                          (scatter-add of dL/dY[i, j]·W into window (i, j))
    dL/db       = Σ_ij dL/dY[i, j]
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Matrix
from ._fmt import fmt, plural
from .conv_forward import as_chw, correlate, flip, matrix_text, num, pad2d, terms


def _setup(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X (H, W), W (k, k), dL/dY (H', W')) as float arrays; stride 1, no padding."""
    x, w = as_chw(p["input"], "input"), as_chw(p["weight"], "weight")
    if x.shape[0] != 1 or w.shape[0] != 1:
        raise InvalidParams("conv backward questions use one channel")
    x, w = x[0], w[0]
    if w.shape[0] > x.shape[0] or w.shape[1] > x.shape[1]:
        raise InvalidParams(f"kernel {w.shape} is larger than the input {x.shape}")
    out = (x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1)
    dy = np.asarray(p["upstream"], dtype=float)
    if dy.shape != out:
        raise InvalidParams(f"upstream must have the output's shape {out[0]}×{out[1]}, got {dy.shape}")
    return x, w, dy


def _corr(a: np.ndarray, k: np.ndarray, pad: int = 0) -> np.ndarray:
    return correlate(a[None], k[None], (1, 1), (pad, pad))


def _scatter(shape: tuple[int, int], w: np.ndarray, dy: np.ndarray, *, accumulate: bool = True) -> np.ndarray:
    """dL/dX by scattering dL/dY[i, j]·W into window (i, j) (``accumulate=False``: the = vs += bug)."""
    dx = np.zeros(shape)
    kh, kw = w.shape
    for i, j in np.ndindex(dy.shape):
        if accumulate:
            dx[i : i + kh, j : j + kw] += dy[i, j] * w
        else:
            dx[i : i + kh, j : j + kw] = dy[i, j] * w
    return dx


def _context(x: np.ndarray, w: np.ndarray, dy: np.ndarray) -> dict[str, str]:
    return {"_in_shape": f"{x.shape[0]}×{x.shape[1]}", "_k_shape": f"{w.shape[0]}×{w.shape[1]}",
            "_out_shape": f"{dy.shape[0]}×{dy.shape[1]}"}


def _dx_formula(w: np.ndarray, dy: np.ndarray, r: int, c: int, target: int | None) -> Formula:
    """dL/dX[r,c] = Σ dY[i,j]·W[r−i, c−j] over the outputs (i, j) whose window covers X[r, c]."""
    kh, kw = w.shape
    users = [(i, j) for i, j in np.ndindex(dy.shape) if 0 <= r - i < kh and 0 <= c - j < kw]
    syms: dict = {}
    for i, j in users:
        syms[f"dY{i}{j}"] = (f"the upstream gradient dL/dY[{i},{j}]", float(dy[i, j]))
        syms[f"W{r - i}{c - j}"] = (f"the kernel weight W[{r - i},{c - j}]", float(w[r - i, c - j]))
    expr = " + ".join(f"dY{i}{j}*W{r - i}{c - j}" for i, j in users)
    return formula(expr, name=f"dL/dX[{r},{c}]", target=target, **syms)


FORWARD_NOTE = ("Forward: Y[i,j] = b + Σ_uv X[i+u, j+v]·W[u,v] (cross-correlation, no flip), "
                "so ∂Y[i,j]/∂W[u,v] = X[i+u, j+v], ∂Y[i,j]/∂X[i+u, j+v] = W[u,v] and ∂Y[i,j]/∂b = 1.")


@solver("conv-backward-dw", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    "weight": Matrix("the kernel, of shape (K_h, K_w)", example=[[0, 1], [2, 3]]),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[1, 2], [0, 3]]),
})
def conv_backward_dw(p: dict) -> Solution:
    """dL/dW (k, k) = valid cross-correlation of the input with dL/dY."""
    x, w, dy = _setup(p)
    dw = _corr(x, dy)
    h, v = dy.shape
    steps = [FORWARD_NOTE,
             "dL/dW[u,v] = Σ_ij dL/dY[i,j]·X[i+u, j+v]: slide dL/dY over X like a kernel (cross-correlation X ⋆ dL/dY)."]
    checks = [Checkpoint(f"dL/dW[{a},{b}]", float(dw[a, b]), "number", len(steps) + n) for n, (a, b) in enumerate(np.ndindex(dw.shape))]
    steps += [f"dL/dW[{a},{b}] = {terms(x[a : a + h, b : b + v], dy)} = {fmt(dw[a, b])}" for a, b in np.ndindex(dw.shape)]
    steps.append(f"dL/dW = {matrix_text(dw)}")
    mistakes = {
        "flipped dL/dY (true convolution; the forward pass is cross-correlation, so nothing is flipped)": _corr(x, flip(dy)).tolist(),
        "forgot to weight by dL/dY (summed each input window)": _corr(x, np.ones_like(dy)).tolist(),
    }
    syms: dict = {}
    for i, j in np.ndindex(dy.shape):
        syms[f"X{i}{j}"] = (f"the input X[{i},{j}]", float(x[i, j]))
        syms[f"dY{i}{j}"] = (f"the upstream gradient dL/dY[{i},{j}]", float(dy[i, j]))
    declared = [formula(" + ".join(f"X{i}{j}*dY{i}{j}" for i, j in np.ndindex(dy.shape)), name="dL/dW[0,0]", target=0, **syms)]
    return Solution(dw.tolist(), steps, mistakes, context=_context(x, w, dy), checkpoints=checks, formulas=declared)


def _dx_entry_line(w: np.ndarray, dy: np.ndarray, r: int, c: int) -> tuple[str, float, list[tuple[int, int]]]:
    """'dL/dX[r,c] = dY[0,0]·W[1,1] + … = 1·3 + … = 7' and the outputs (i, j) that used X[r, c]."""
    kh, kw = w.shape
    users = [(i, j) for i, j in np.ndindex(dy.shape) if 0 <= r - i < kh and 0 <= c - j < kw]
    total = float(sum(dy[i, j] * w[r - i, c - j] for i, j in users))
    symbolic = " + ".join(f"dY[{i},{j}]·W[{r - i},{c - j}]" for i, j in users)
    numeric = " + ".join(f"{num(dy[i, j])}·{num(w[r - i, c - j])}" for i, j in users)
    return f"dL/dX[{r},{c}] = {symbolic} = {numeric} = {fmt(total)}", total, users


@solver("conv-backward-dx", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    "weight": Matrix("the kernel, of shape (K_h, K_w)", example=[[0, 1], [2, 3]]),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[1, 2], [0, 3]]),
})
def conv_backward_dx(p: dict) -> Solution:
    """dL/dX (H, W) = 'full' cross-correlation of dL/dY with the kernel rotated 180° (= scatter-add)."""
    x, w, dy = _setup(p)
    kh = w.shape[0]
    dx = _corr(dy, flip(w), pad=kh - 1)
    steps = [FORWARD_NOTE,
             "Each output Y[i,j] used the window of X starting at (i, j) with weights W, so it sends back "
             "dL/dY[i,j]·W into that window; the contributions add up (scatter-add).",
             f"Equivalently: pad dL/dY with {kh - 1} zeros on each side ('full') and cross-correlate it with W "
             f"rotated 180° = {matrix_text(flip(w))}."]
    checks = []
    for r, c in np.ndindex(dx.shape):
        line, total, _ = _dx_entry_line(w, dy, r, c)
        steps.append(line)
        checks.append(Checkpoint(f"dL/dX[{r},{c}]", total, "number", len(steps) - 1))
    steps.append(f"dL/dX = {matrix_text(dx)}")
    mistakes = {
        "did not flip the kernel (full cross-correlation with W as written)": _corr(dy, w, pad=kh - 1).tolist(),
        "overwrote instead of adding where windows overlap (= instead of +=)": _scatter(x.shape, w, dy, accumulate=False).tolist(),
    }
    try:
        mistakes["used a 'valid' instead of a 'full' convolution (no zero padding of dL/dY)"] = _corr(dy, flip(w)).tolist()
    except InvalidParams:
        pass
    return Solution(dx.tolist(), steps, mistakes, context=_context(x, w, dy), checkpoints=checks,
                    formulas=[_dx_formula(w, dy, 0, 0, 0)])


@solver("conv-backward-dx-entry", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    "weight": Matrix("the kernel, of shape (K_h, K_w)", example=[[0, 1], [2, 3]]),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[1, 2], [0, 3]]),
    "row": Int("the output row, 0-based", example=1),
    "col": Int("the output column, 0-based", example=1),
})
def conv_backward_dx_entry(p: dict) -> Solution:
    """One entry dL/dX[row, col] (0-based): the sum over every output whose window covers X[row, col]."""
    x, w, dy = _setup(p)
    r, c = int(p["row"]), int(p["col"])
    if not (0 <= r < x.shape[0] and 0 <= c < x.shape[1]):
        raise InvalidParams(f"({r}, {c}) is outside the {x.shape[0]}×{x.shape[1]} input")
    line, total, users = _dx_entry_line(w, dy, r, c)
    if len(users) < 2:
        raise InvalidParams(f"X[{r},{c}] is used by only {len(users)} {plural(len(users), 'output')}")
    kh = w.shape[0]
    steps = [FORWARD_NOTE,
             f"X[{r},{c}] lies in the windows of outputs {', '.join(f'Y[{i},{j}]' for i, j in users)}; "
             f"in window (i, j) it meets the weight W[{r}−i, {c}−j].",
             line]
    mistakes = {
        "did not flip the kernel (used W at the mirrored offset)": float(_corr(dy, w, pad=kh - 1)[r, c]),
        "counted only the last window that covers it (overwrote instead of adding)": float(_scatter(x.shape, w, dy, accumulate=False)[r, c]),
        "forgot the kernel weights (summed dL/dY over the windows that cover it)": float(sum(dy[i, j] for i, j in users)),
    }
    return Solution(total, steps, mistakes, context=_context(x, w, dy), formulas=[_dx_formula(w, dy, r, c, None)])


@solver("conv-backward-db", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    "weight": Matrix("the kernel, of shape (K_h, K_w)", example=[[0, 1], [2, 3]]),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[1, 2], [0, 3]]),
})
def conv_backward_db(p: dict) -> Solution:
    """dL/db = Σ dL/dY: the bias is added to every output entry."""
    x, w, dy = _setup(p)
    db = float(dy.sum())
    n = dy.size
    steps = ["Y[i,j] = (X ⋆ W)[i,j] + b for EVERY output position, so ∂Y[i,j]/∂b = 1 for all of them.",
             f"dL/db = Σ_ij dL/dY[i,j]·1 = {' + '.join(num(v) for v in dy.ravel())} = {fmt(db)}"]
    mistakes = {
        f"averaged dL/dY instead of summing it (÷{n})": db / n,
        f"counted the outputs (Σ ∂Y/∂b = {n}) without weighting by dL/dY": float(n),
    }
    syms = {f"dY{i}{j}": (f"the upstream gradient dL/dY[{i},{j}]", float(dy[i, j])) for i, j in np.ndindex(dy.shape)}
    declared = [formula(" + ".join(syms), name="dL/db", **syms)]
    return Solution(db, steps, mistakes, context=_context(x, w, dy), formulas=declared)
