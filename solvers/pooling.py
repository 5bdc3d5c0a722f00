"""Max and average pooling on a small matrix: forward values and the backward pass.

input X of shape (H, W), a square window of side k (``kernel_size``), stride s, no padding::

    window (i, j) = X[s·i : s·i + k, s·j : s·j + k],   Y of shape (H', W'),  H' = ⌊(H − k)/s⌋ + 1
    max:  Y[i, j] = max(window)         dX: the whole dL/dY[i, j] goes to the window's argmax
    avg:  Y[i, j] = mean(window)        dX: dL/dY[i, j] / (k·k) goes to every position in the window

Tie rule (PyTorch's on CPU): the first maximum in row-major order gets the gradient. Where
windows overlap (s < k) a position collects the gradients of every window it is in (they add).
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Matrix
from ._fmt import fmt
from ._layers import conv_out
from .conv_forward import as_chw, matrix_text


def _setup(p: dict, *, upstream: bool = False) -> tuple[np.ndarray, int, int, list[tuple[int, int, int, int]], tuple[int, int]]:
    """(X (H, W), k, s, windows [(i, j, row0, col0)], output shape); validates the upstream shape."""
    x = as_chw(p["input"], "input")
    if x.shape[0] != 1:
        raise InvalidParams("pooling questions use one channel (an H×W input)")
    x = x[0]
    k, s = int(p["kernel_size"]), int(p["stride"])
    if k < 2:
        raise InvalidParams(f"kernel_size {k} must be at least 2")
    oh, ow = conv_out(x.shape[0], k, s), conv_out(x.shape[1], k, s)
    windows = [(i, j, i * s, j * s) for i in range(oh) for j in range(ow)]
    if upstream:
        u = np.asarray(p["upstream"], dtype=float)
        if u.shape != (oh, ow):
            raise InvalidParams(f"upstream must be {oh}×{ow} (the pooled output's shape), got {u.shape}")
    return x, k, s, windows, (oh, ow)


def _forward(x: np.ndarray, k: int, windows: list, shape: tuple[int, int], how: str) -> np.ndarray:
    y = np.empty(shape)
    for i, j, r, c in windows:
        w = x[r : r + k, c : c + k]
        y[i, j] = w.max() if how == "max" else w.mean()
    return y


def _argmax(x: np.ndarray, k: int, r: int, c: int) -> tuple[int, int]:
    """Position of the window's first maximum in row-major order (the tie rule)."""
    w = x[r : r + k, c : c + k]
    a, b = divmod(int(np.argmax(w)), k)
    return r + a, c + b


def _overlap_note(k: int, s: int) -> str:
    if s < k:
        return (f"The windows overlap (stride {s} < window {k}): a position inside several windows "
                "receives the sum of their gradients.")
    return f"The windows do not overlap (stride {s} ≥ window {k})."


def _context(x: np.ndarray, k: int, s: int, shape: tuple[int, int]) -> dict[str, str]:
    return {"_out_shape": f"{shape[0]}×{shape[1]}", "_in_shape": f"{x.shape[0]}×{x.shape[1]}", "_overlap": _overlap_note(k, s)}


def _first_window_formula(x: np.ndarray, k: int, how: str) -> Formula:
    """Y[0,0] from the first window's values: their max, or their sum over k·k."""
    syms = {f"X_{a}{b}": (f"input row {a}, column {b}", float(x[a, b])) for a in range(k) for b in range(k)}
    if how == "max":
        return formula(f"max({', '.join(syms)})", name="Y[0,0]", target=0, **syms)
    return formula(f"({' + '.join(syms)})/(k*k)", name="Y[0,0]", target=0, k=("window side", k), **syms)


def _gradient_formula(x: np.ndarray, k: int, windows: list, u: np.ndarray, how: str) -> Formula:
    """dL/dX at the input position the most windows send gradient to (the first such), as the sum
    of those windows' upstream gradients (over k·k for average pooling)."""
    senders: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, j, r, c in windows:
        targets = [_argmax(x, k, r, c)] if how == "max" else [(r + a, c + b) for a in range(k) for b in range(k)]
        for t in targets:
            senders.setdefault(t, []).append((i, j))
    (a, b), ws = max(sorted(senders.items()), key=lambda kv: len(kv[1]))
    syms = {f"g_{i}{j}": (f"upstream gradient dL/dY[{i},{j}]", float(u[i, j])) for i, j in ws}
    total = " + ".join(syms)
    index = a * x.shape[1] + b
    if how == "max":
        return formula(total, name=f"dL/dX[{a},{b}] (the maximum of {len(ws)} window{'s' * (len(ws) > 1)})", target=index, **syms)
    expr = f"({total})/(k*k)" if len(ws) > 1 else f"{total}/(k*k)"
    return formula(expr, name=f"dL/dX[{a},{b}] (in {len(ws)} window{'s' * (len(ws) > 1)})", target=index, k=("window side", k), **syms)


def _pool_forward(p: dict, how: str) -> Solution:
    x, k, s, windows, shape = _setup(p)
    y = _forward(x, k, windows, shape, how)
    other = _forward(x, k, windows, shape, "avg" if how == "max" else "max")
    steps = [f"Output size: ⌊({x.shape[0]} − {k})/{s}⌋ + 1 = {shape[0]} rows, ⌊({x.shape[1]} − {k})/{s}⌋ + 1 = {shape[1]} columns; "
             f"window (i, j) starts at row {s}·i, column {s}·j."]
    checks = [Checkpoint("output shape H'×W'", tuple(shape), "shape", 0)]
    for i, j, r, c in windows:
        checks.append(Checkpoint(f"Y[{i},{j}]", float(y[i, j]), "number", len(steps)))
        vals = ", ".join(fmt(v) for v in x[r : r + k, c : c + k].ravel())
        if how == "max":
            steps.append(f"Y[{i},{j}] = max({vals}) = {fmt(y[i, j])}")
        else:
            steps.append(f"Y[{i},{j}] = ({vals.replace(', ', ' + ')}) / {k * k} = {fmt(y[i, j], 4)}")
    steps.append(f"Y = {matrix_text(np.round(y, 4))}")
    mistakes = {}
    if how == "max":
        mistakes["took the average instead of the max"] = other.tolist()
    else:
        mistakes["took the max instead of the average"] = other.tolist()
        mistakes[f"summed the window without dividing by k·k = {k * k}"] = (y * k * k).tolist()
    if s != k:
        try:
            _, _, _, w2, shape2 = _setup({**p, "stride": k})
            mistakes[f"used stride = kernel size ({k}, PyTorch's default) instead of the stated stride {s}"] = _forward(x, k, w2, shape2, how).tolist()
        except InvalidParams:
            pass
    return Solution(y.tolist(), steps, mistakes, context=_context(x, k, s, shape), checkpoints=checks,
                    formulas=[_first_window_formula(x, k, how)])


@solver("maxpool-forward", params={
    "input": Matrix("the input feature map, of shape (H, W)"),
    "kernel_size": Int("the pooling window size K", lo=2),
    "stride": Int("the stride S", lo=1),
})
def maxpool_forward(p: dict) -> Solution:
    """Max pooling of an H×W input with a k×k window and stride s, no padding: (H', W')."""
    return _pool_forward(p, "max")


@solver("avgpool-forward", params={
    "input": Matrix("the input feature map, of shape (H, W)"),
    "kernel_size": Int("the pooling window size K", lo=2),
    "stride": Int("the stride S", lo=1),
})
def avgpool_forward(p: dict) -> Solution:
    """Average pooling of an H×W input with a k×k window and stride s, no padding: (H', W')."""
    return _pool_forward(p, "avg")


def _scatter(shape, windows, k, value_at, *, accumulate: bool = True, to_argmax_of: np.ndarray | None = None) -> np.ndarray:
    """dX of shape ``shape`` from per-window gradients: to the argmax (if given) or spread over the window."""
    dx = np.zeros(shape)
    for i, j, r, c in windows:
        g = value_at(i, j)
        if to_argmax_of is not None:
            a, b = _argmax(to_argmax_of, k, r, c)
            dx[a, b] = dx[a, b] + g if accumulate else g
        elif accumulate:
            dx[r : r + k, c : c + k] += g
        else:
            dx[r : r + k, c : c + k] = g
    return dx


@solver("maxpool-backward", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[1, 3, 2, 1], [4, 2, 0, 1], [3, 1, 1, 5], [0, 2, 6, 2]]),
    "kernel_size": Int("the pooling window size K", example=2),
    "stride": Int("the stride S", example=2),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[1, 2], [3, 4]]),
})
def maxpool_backward(p: dict) -> Solution:
    """dL/dX (H, W) of max pooling: each dL/dY[i, j] goes to its window's first argmax; overlaps add.

    Windows with a tied maximum are refused (the tie rule is stated, but not made the puzzle)."""
    x, k, s, windows, shape = _setup(p, upstream=True)
    u = np.asarray(p["upstream"], dtype=float)
    for i, j, r, c in windows:
        w = x[r : r + k, c : c + k]
        if np.sum(w == w.max()) > 1:
            raise InvalidParams(f"window ({i}, {j}) has a tied maximum {fmt(w.max())}")
    dx = _scatter(x.shape, windows, k, lambda i, j: u[i, j], to_argmax_of=x)
    steps = ["Max pooling passes each upstream gradient dL/dY[i,j] to the one input that was the window's "
             "maximum (the first one in row-major order if tied); every other input in the window gets 0.",
             _overlap_note(k, s)]
    checks = []
    for i, j, r, c in windows:
        a, b = _argmax(x, k, r, c)
        steps.append(f"window ({i},{j}): max {fmt(x[a, b])} at X[{a},{b}] ← dL/dY[{i},{j}] = {fmt(u[i, j])}")
        checks.append(Checkpoint(f"the maximum of window ({i},{j})", float(x[a, b]), "number", len(steps) - 1))
    steps.append(f"dL/dX = {matrix_text(dx)}")
    mistakes = {
        f"spread the gradient evenly over the window (÷{k * k}: that is average pooling's backward)":
            _scatter(x.shape, windows, k, lambda i, j: u[i, j] / (k * k)).tolist(),
        "gave every position in the window the full upstream gradient":
            _scatter(x.shape, windows, k, lambda i, j: u[i, j]).tolist(),
    }
    if s < k:
        mistakes["overwrote instead of adding where windows overlap (kept only the last window's gradient)"] = \
            _scatter(x.shape, windows, k, lambda i, j: u[i, j], accumulate=False, to_argmax_of=x).tolist()
    checks.append(Checkpoint("dL/dX", dx.tolist(), "matrix", len(steps) - 1))
    return Solution(dx.tolist(), steps, mistakes, context=_context(x, k, s, shape), checkpoints=checks,
                    formulas=[_gradient_formula(x, k, windows, u, "max")])


@solver("maxpool-backward-overlap", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[1, 3, 2], [4, 8, 5], [9, 6, 7]]),
    "kernel_size": Int("the pooling window size K", example=2),
    "stride": Int("the stride S", example=1),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[1, 2], [3, 4]]),
})
def maxpool_backward_overlap(p: dict) -> Solution:
    """maxpool-backward for overlapping windows where one input is the maximum of two or more windows."""
    x, k, s, windows, _ = _setup(p, upstream=True)
    if s >= k or _hits(x, k, windows).max() < 2:
        raise InvalidParams("no input position is the maximum of two overlapping windows")
    return maxpool_backward(p)


def _hits(x: np.ndarray, k: int, windows: list) -> np.ndarray:
    """How many windows pick each input position as their maximum."""
    hits = np.zeros(x.shape, dtype=int)
    for _, _, r, c in windows:
        hits[_argmax(x, k, r, c)] += 1
    return hits


@solver("avgpool-backward", params={
    "input": Matrix("the input feature map, of shape (H, W)", example=[[1, 3, 2, 1], [4, 2, 0, 1], [3, 1, 1, 5], [0, 2, 6, 2]]),
    "kernel_size": Int("the pooling window size K", example=2),
    "stride": Int("the stride S", example=2),
    "upstream": Matrix("the upstream gradient ∂L/∂out, of the output's shape", example=[[4, 8], [12, 16]]),
})
def avgpool_backward(p: dict) -> Solution:
    """dL/dX (H, W) of average pooling: each dL/dY[i, j] / (k·k) goes to every input in its window."""
    x, k, s, windows, shape = _setup(p, upstream=True)
    u = np.asarray(p["upstream"], dtype=float)
    dx = _scatter(x.shape, windows, k, lambda i, j: u[i, j] / (k * k))
    steps = [f"Y[i,j] = (sum of its {k}×{k} window) / {k * k}, so dY[i,j]/dX = 1/{k * k} for each input in the window.",
             _overlap_note(k, s)]
    checks = []
    for i, j, r, c in windows:
        steps.append(f"window ({i},{j}) = rows {r}–{r + k - 1}, columns {c}–{c + k - 1}: each gets "
                     f"{fmt(u[i, j])}/{k * k} = {fmt(u[i, j] / (k * k), 4)}")
        checks.append(Checkpoint(f"what each input of window ({i},{j}) gets", float(u[i, j] / (k * k)), "number", len(steps) - 1))
    steps.append(f"dL/dX = {matrix_text(np.round(dx, 4))}")
    mistakes = {
        f"did not divide by k·k = {k * k} (gave each input the full upstream gradient)":
            _scatter(x.shape, windows, k, lambda i, j: u[i, j]).tolist(),
        "sent the whole gradient to each window's maximum (that is max pooling's backward)":
            _scatter(x.shape, windows, k, lambda i, j: u[i, j], to_argmax_of=x).tolist(),
    }
    if s < k:
        mistakes["overwrote instead of adding where windows overlap"] = \
            _scatter(x.shape, windows, k, lambda i, j: u[i, j] / (k * k), accumulate=False).tolist()
    checks.append(Checkpoint("dL/dX", dx.tolist(), "matrix", len(steps) - 1))
    return Solution(dx.tolist(), steps, mistakes, context=_context(x, k, s, shape), checkpoints=checks,
                    formulas=[_gradient_formula(x, k, windows, u, "avg")])
