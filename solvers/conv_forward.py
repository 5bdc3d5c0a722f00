"""2-D convolution forward values on small matrices (one filter, one output channel).

Deep-learning "convolution" is cross-correlation: the kernel is NOT flipped. With input X of
shape (H, W) or (C, H, W), kernel K of shape (k_h, k_w) or (C, k_h, k_w), bias b (a number),
stride S = (S_h, S_w) and zero padding P = (P_h, P_w) *per side*::

    Y[i, j] = b + Σ_c Σ_u Σ_v X_pad[c, i·S_h + u, j·S_w + v] · K[c, u, v]
    Y has shape (H', W'),  H' = ⌊(H + 2·P_h − k_h) / S_h⌋ + 1

Flipping the kernel (K[c, k_h−1−u, k_w−1−v]) gives the signal-processing convolution — the
classic slip. The helpers here are shared with ``conv_backward`` and ``edge_detectors``.
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Vector, Matrix, ListOf, Either
from ._fmt import fmt, plural
from ._layers import conv_out, pair

MAX_SIDE = 7  # inputs beyond 7×7 are not a by-hand question


def as_chw(value, name: str) -> np.ndarray:
    """A matrix (H, W) or a stack of matrices (C, H, W) as a float array of shape (C, H, W)."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParams(f"{name} must be a matrix (list of rows) or a list of matrices") from None
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or 0 in a.shape:
        raise InvalidParams(f"{name} must be H×W or C×H×W, got shape {a.shape}")
    if max(a.shape[1:]) > MAX_SIDE:
        raise InvalidParams(f"{name} of shape {a.shape} is too large to work by hand")
    return a


def pad2d(x: np.ndarray, ph: int, pw: int) -> np.ndarray:
    """Zero-pad the last two axes of ``x`` by ``ph`` rows and ``pw`` columns on each side."""
    if not (0 <= ph <= MAX_SIDE and 0 <= pw <= MAX_SIDE):
        raise InvalidParams(f"padding ({ph}, {pw}) must be from 0 to {MAX_SIDE} per side")
    width = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, width)


def correlate(x: np.ndarray, k: np.ndarray, stride=(1, 1), padding=(0, 0)) -> np.ndarray:
    """Cross-correlation of x (C, H, W) with k (C, k_h, k_w), summed over channels: (H', W')."""
    (sh, sw), (ph, pw) = stride, padding
    c, h, w = x.shape
    if k.shape[0] != c:
        raise InvalidParams(f"kernel has {k.shape[0]} channels but the input has {c}")
    kh, kw = k.shape[1:]
    oh, ow = conv_out(h, kh, sh, ph), conv_out(w, kw, sw, pw)
    xp = pad2d(x, ph, pw)
    y = np.empty((oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[i, j] = float(np.sum(xp[:, i * sh : i * sh + kh, j * sw : j * sw + kw] * k))
    return y


def flip(k: np.ndarray) -> np.ndarray:
    """The kernel rotated 180° in its last two axes (what true convolution slides)."""
    return k[..., ::-1, ::-1]


def num(v: float) -> str:
    """A number for a product term: negatives in parentheses."""
    return f"({fmt(v)})" if v < 0 else fmt(v)


def terms(window: np.ndarray, k: np.ndarray) -> str:
    """'0·0 + 1·1 + 3·2 + 4·3' for one (k_h, k_w) window and kernel."""
    return " + ".join(f"{num(a)}·{num(b)}" for a, b in zip(window.ravel(), k.ravel()))


def matrix_text(m: np.ndarray) -> str:
    """[[0, 1], [2, 3]] on one line."""
    return "[" + ", ".join(fmt(row.tolist()) for row in np.asarray(m)) + "]"


def entry_line(xp: np.ndarray, k: np.ndarray, i: int, j: int, sh: int, sw: int, b: float) -> str:
    """The worked line for Y[i, j] from the padded input xp (C, H, W) and the kernel (C, k_h, k_w)."""
    return entry(xp, k, i, j, sh, sw, b)[0]


def entry(xp: np.ndarray, k: np.ndarray, i: int, j: int, sh: int, sw: int, b: float) -> tuple[str, float]:
    """:func:`entry_line` and the value Y[i, j] it prints (for a checkpoint)."""
    kh, kw = k.shape[1:]
    parts = [terms(xp[c, i * sh : i * sh + kh, j * sw : j * sw + kw], k[c]) for c in range(k.shape[0])]
    total = float(np.sum(xp[:, i * sh : i * sh + kh, j * sw : j * sw + kw] * k)) + b
    body = parts[0] if len(parts) == 1 else " + ".join(f"({t})" for t in parts)
    bias = f" + {num(b)}" if b else ""
    return f"Y[{i},{j}] = {body}{bias} = {fmt(total)}", total


def entry_formula(xp: np.ndarray, k: np.ndarray, i: int, j: int, sh: int, sw: int, b: float,
                  target: int | None, name: str = "") -> Formula:
    """The formula of Y[i, j]: the window's products written out (x_cuv·w_cuv, plus b when there is a
    bias); with more than 9 products, each channel's window sum S_c is a bound symbol instead."""
    C, kh, kw = k.shape
    win = xp[:, i * sh : i * sh + kh, j * sw : j * sw + kw]
    pre = (lambda c: f"{c}_") if C > 1 else (lambda c: "")
    syms: dict = {}
    if C * kh * kw <= 9:
        parts = []
        for c, u, v in np.ndindex(k.shape):
            xs, ws = f"x{pre(c)}{u}{v}", f"w{pre(c)}{u}{v}"
            where = f"channel {c}, " if C > 1 else ""
            syms[xs] = (f"the input under kernel entry ({u}, {v}) ({where}row {i * sh + u}, column {j * sw + v} of the padded input)",
                        float(win[c, u, v]))
            syms[ws] = (f"kernel entry ({u}, {v})" + (f" of channel {c}" if C > 1 else ""), float(k[c, u, v]))
            parts.append(f"{xs}*{ws}")
        expr = " + ".join(parts)
    else:
        for c in range(C):
            syms[f"S{c}"] = (f"channel {c}'s window sum Σ x·w under the kernel", float(np.sum(win[c] * k[c])))
        expr = " + ".join(f"S{c}" for c in range(C))
    if b:
        expr += " + b"
        syms["b"] = ("the bias", b)
    return formula(expr, name=name or f"Y[{i},{j}]", target=target, **syms)


def conv_setup(p: dict) -> dict:
    """Read input/weight/bias/stride/padding from params and validate them."""
    x, k = as_chw(p["input"], "input"), as_chw(p["weight"], "weight")
    if k.shape[0] != x.shape[0]:
        raise InvalidParams(f"weight has {k.shape[0]} channels, input has {x.shape[0]}")
    (sh, sw), (ph, pw) = pair(p.get("stride", 1), "stride"), pair(p.get("padding", 0), "padding")
    if ph >= k.shape[1] or pw >= k.shape[2]:
        raise InvalidParams(f"padding {ph} per side is not less than the kernel size {k.shape[1]}")
    b = float(p.get("bias", 0))
    y = correlate(x, k, (sh, sw), (ph, pw)) + b
    return {"x": x, "k": k, "b": b, "stride": (sh, sw), "padding": (ph, pw), "y": y}


def _mistakes(s: dict) -> dict[str, np.ndarray]:
    """Every classic slip that applies to this convolution, as the wrong output it gives."""
    x, k, b, stride, padding = s["x"], s["k"], s["b"], s["stride"], s["padding"]
    out: dict[str, np.ndarray] = {
        "flipped the kernel (that is true convolution; deep-learning convolution is cross-correlation)":
            correlate(x, flip(k), stride, padding) + b,
    }
    if b:
        out["forgot the bias"] = s["y"] - b
    if x.shape[0] > 1:
        out["did not sum over the channels (kept only the first channel)"] = correlate(x[:1], k[:1], stride, padding) + b
        if b:
            out["added the bias once per channel (the bias is added once per filter)"] = s["y"] + (x.shape[0] - 1) * b
    if padding != (0, 0):
        try:
            out["forgot the zero padding"] = correlate(x, k, stride, (0, 0)) + b
        except InvalidParams:
            pass
    if stride != (1, 1):
        out["ignored the stride (slid one step at a time)"] = correlate(x, k, (1, 1), padding) + b
        if stride[0] != stride[1]:
            try:
                out["swapped the height and width strides"] = correlate(x, k, stride[::-1], padding) + b
            except InvalidParams:
                pass
    return out


def _steps(s: dict, checks: list[Checkpoint] | None = None) -> list[str]:
    """The worked lines; ``checks`` (if given) collects each entry Y[i, j] from the line that prints it."""
    x, k, b, (sh, sw), (ph, pw), y = s["x"], s["k"], s["b"], s["stride"], s["padding"], s["y"]
    c, h, w = x.shape
    kh, kw = k.shape[1:]
    xp = pad2d(x, ph, pw)
    steps = ["Deep-learning convolution is cross-correlation: lay the kernel on each window as written (no flip), "
             "multiply entry by entry and add."]
    if ph or pw:
        shown = matrix_text(xp[0]) if c == 1 else "; ".join(f"channel {i}: {matrix_text(xp[i])}" for i in range(c))
        steps.append(f"Zero-pad {ph} {plural(ph, 'row')} and {pw} {plural(pw, 'column')} on each side: {shown}")
    steps.append(f"Output size: ⌊({h} + 2·{ph} − {kh})/{sh}⌋ + 1 = {y.shape[0]} rows, "
                 f"⌊({w} + 2·{pw} − {kw})/{sw}⌋ + 1 = {y.shape[1]} columns"
                 + (f"; window (i, j) starts at row {sh}·i, column {sw}·j of the padded input" if (sh, sw) != (1, 1) else ""))
    if c > 1:
        steps.append(f"{c} input channels: each channel is correlated with its own kernel slice and the results are summed.")
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            line, total = entry(xp, k, i, j, sh, sw, b)
            steps.append(line)
            if checks is not None:
                checks.append(Checkpoint(f"Y[{i},{j}]", total, "number", len(steps) - 1))
    steps.append(f"Y = {matrix_text(y)}")
    return steps


@solver("conv2d-forward", params={
    "input": Either("the input, of shape (H, W) or (C, H, W)", options=(Matrix("(H, W)"), ListOf("(C, H, W)", item=Matrix("(H, W)")))),
    "weight": Either("the kernel, of shape (K_h, K_w) or (C, K_h, K_w)", options=(Matrix("(K_h, K_w)"), ListOf("(C, K_h, K_w)", item=Matrix("(K_h, K_w)")))),
    "bias": Num("the filter's bias b", optional=True),
    "stride": Either("the stride S, or (S_h, S_w)", options=(Int("S", lo=1), Vector("(S_h, S_w)", ints=True, lo=1)), optional=True),
    "padding": Either("zero padding P per side, or (P_h, P_w)", options=(Int("P", lo=0), Vector("(P_h, P_w)", ints=True, lo=0)), optional=True),
})
def conv2d_forward(p: dict) -> Solution:
    """The whole output Y (H', W') of one filter: cross-correlation + bias, with stride/padding/channels."""
    s = conv_setup(p)
    mistakes = {name: m.tolist() for name, m in _mistakes(s).items()}
    context = {"_out_shape": f"{s['y'].shape[0]}×{s['y'].shape[1]}"}
    checks: list[Checkpoint] = []
    steps = _steps(s, checks)
    (sh, sw), (ph, pw) = s["stride"], s["padding"]
    declared = [entry_formula(pad2d(s["x"], ph, pw), s["k"], 0, 0, sh, sw, s["b"], 0)]
    return Solution(s["y"].tolist(), steps, mistakes, context=context, checkpoints=checks, formulas=declared)


@solver("conv2d-forward-entry", params={
    "input": Either("the input, of shape (H, W) or (C, H, W)", options=(Matrix("(H, W)"), ListOf("(C, H, W)", item=Matrix("(H, W)")))),
    "weight": Either("the kernel, of shape (K_h, K_w) or (C, K_h, K_w)", options=(Matrix("(K_h, K_w)"), ListOf("(C, K_h, K_w)", item=Matrix("(K_h, K_w)")))),
    "row": Int("the output row, 0-based", lo=0),
    "col": Int("the output column, 0-based", lo=0),
    "bias": Num("the filter's bias b", optional=True),
    "stride": Either("the stride S, or (S_h, S_w)", options=(Int("S", lo=1), Vector("(S_h, S_w)", ints=True, lo=1)), optional=True),
    "padding": Either("zero padding P per side, or (P_h, P_w)", options=(Int("P", lo=0), Vector("(P_h, P_w)", ints=True, lo=0)), optional=True),
})
def conv2d_forward_entry(p: dict) -> Solution:
    """One entry Y[row, col] (0-based) of the output, with every channel's sum shown."""
    s = conv_setup(p)
    r, c = int(p["row"]), int(p["col"])
    y = s["y"]
    if not (0 <= r < y.shape[0] and 0 <= c < y.shape[1]):
        raise InvalidParams(f"entry ({r}, {c}) is outside the {y.shape[0]}×{y.shape[1]} output")
    x, k, b, (sh, sw), (ph, pw) = s["x"], s["k"], s["b"], s["stride"], s["padding"]
    xp = pad2d(x, ph, pw)
    kh, kw = k.shape[1:]
    per = [float(np.sum(xp[ch, r * sh : r * sh + kh, c * sw : c * sw + kw] * k[ch])) for ch in range(x.shape[0])]
    steps = ["Deep-learning convolution is cross-correlation: no kernel flip."]
    steps += [f"channel {ch}: {terms(xp[ch, r * sh : r * sh + kh, c * sw : c * sw + kw], k[ch])} = {fmt(v)}" for ch, v in enumerate(per)]
    line, total = entry(xp, k, r, c, sh, sw, b)
    steps.append(line + ("  (sum over channels" + (" + bias)" if b else ")") if len(per) > 1 else ""))
    mistakes = {name: float(m[r, c]) for name, m in _mistakes(s).items() if m.shape == y.shape}
    for ch in range(1, len(per)):
        mistakes[f"did not sum over the channels (kept only channel {ch})"] = per[ch] + b
    checks = [Checkpoint(f"channel {ch}'s sum over the window", v, "number", ch + 1) for ch, v in enumerate(per)] if len(per) > 1 else []
    checks.append(Checkpoint(f"Y[{r}, {c}]", total, "number", len(steps) - 1))
    declared = [entry_formula(xp, k, r, c, sh, sw, b, None)]
    return Solution(float(y[r, c]), steps, mistakes, checkpoints=checks, formulas=declared)
