"""One step of a GRU or LSTM cell.

GRU, in the 003 slides' and PyTorch's convention (many textbooks swap z and 1 − z)::

    r = σ(W_r·x + U_r·h + b_r),   z = σ(W_z·x + U_z·h + b_z)
    h̃ = tanh(W·x + U·(r⊙h) + b)
    h_t = z⊙h_{t−1} + (1 − z)⊙h̃

(PyTorch computes r⊙(U·h + b_hn); for a hidden size of 1 and b_hn = 0 that is the same.)

LSTM, from gate pre-activations a_i, a_f, a_g, a_o (PyTorch's gate order i, f, g, o)::

    i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
    c_t = f⊙c_{t−1} + i⊙g,   h_t = o⊙tanh(c_t)

Vectors are of shape (H,); scalar cells take H = 1 as plain numbers.
"""

from __future__ import annotations

import math

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Num, Text, Vector, Record
from ._fmt import fmt


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _vectors(p: dict, *keys: str) -> list[np.ndarray]:
    out = [np.atleast_1d(np.asarray(p[k], dtype=float)) for k in keys]
    if len({a.shape for a in out}) != 1:
        raise InvalidParams(f"{', '.join(keys)} must have the same shape")
    return out


def _show(a: np.ndarray) -> str:
    return fmt(a.tolist(), 5) if len(a) > 1 else fmt(float(a[0]), 5)


def _check(label: str, a: np.ndarray, step: int) -> Checkpoint:
    """A checkpoint of a state or gate vector, a number when the hidden size is 1 (as :func:`_show` prints it)."""
    return Checkpoint(label, a.tolist() if len(a) > 1 else float(a[0]), "vector" if len(a) > 1 else "number", step)


GATE = Record("one gate's scalar weights: a = w·x + u·h + b", fields={"w": Num("input weight w"), "u": Num("recurrent weight u"), "b": Num("bias b")})


@solver("gru-blend", params={
    "z": Vector("the update gate z, of shape (H,)", lo=0, hi=1, example=[0.8, 0.4]),
    "h_prev": Vector("the previous state h_(t−1), of shape (H,)", example=[0.5, 1.0]),
    "h_cand": Vector("the candidate state h̃, of shape (H,)", example=[-0.5, 0.2]),
})
def gru_blend(p: dict) -> Solution:
    """h_t = z⊙h_prev + (1 − z)⊙h̃ for given gate z, previous state h_prev and candidate h̃, all (H,)."""
    z, h, c = _vectors(p, "z", "h_prev", "h_cand")
    if ((z <= 0) | (z >= 1)).any():
        raise InvalidParams(f"z = {z.tolist()} must lie strictly between 0 and 1 (a sigmoid)")
    new = z * h + (1 - z) * c
    steps = [
        f"Keep z⊙h_(t−1) = {_show(z)}⊙{_show(h)} = {_show(z * h)}",
        f"Take (1 − z)⊙h̃ = {_show(1 - z)}⊙{_show(c)} = {_show((1 - z) * c)}",
        f"h_t = {_show(z * h)} + {_show((1 - z) * c)} = {_show(new)}",
    ]
    mistakes = {
        "used the swapped (textbook) convention (1 − z)·h_(t−1) + z·h̃": ((1 - z) * h + z * c).tolist(),
        "forgot the (1 − z) on the candidate (z·h_(t−1) + h̃)": (z * h + c).tolist(),
        "gated only the old state and dropped the candidate (z·h_(t−1))": (z * h).tolist(),
    }
    checks = [_check("z⊙h_(t−1), what is kept", z * h, 0), _check("(1 − z)⊙h̃, what is taken", (1 - z) * c, 1), _check("h_t", new, 2)]
    f = formula("z*h_prev + (1 - z)*h_cand", name="h_t", target=0, z=("update gate, entry 0", float(z[0])),
                h_prev=("previous state h_(t−1), entry 0", float(h[0])), h_cand=("candidate h̃, entry 0", float(c[0])))
    return Solution(new.tolist(), steps, mistakes, checkpoints=checks, formulas=[f])


def _gate(g: dict, x: float, h: float) -> float:
    return float(g["w"]) * x + float(g["u"]) * h + float(g["b"])


def _gru_scalar(p: dict, *, reset: bool = True, swap: bool = False, cand_act=math.tanh,
                checks: list[Checkpoint] | None = None) -> tuple[float, list[str], float]:
    """(h_t, worked lines, candidate h̃), optionally with one classic slip switched on; ``checks``
    (if given) collects the gates, the candidate and h_t."""
    x, h = float(p["x"]), float(p["h"])
    ar, az = _gate(p["r"], x, h), _gate(p["z"], x, h)
    r, z = sigmoid(ar), sigmoid(az)
    n = p["n"]
    an = float(n["w"]) * x + float(n["u"]) * ((r if reset else 1.0) * h) + float(n["b"])
    cand = cand_act(an)
    new = (1 - z) * h + z * cand if swap else z * h + (1 - z) * cand
    lines = [
        f"Reset gate r = σ({fmt(ar, 5)}) = {fmt(r, 5)}; update gate z = σ({fmt(az, 5)}) = {fmt(z, 5)}",
        f"Candidate h̃ = tanh(W·x + U·(r·h) + b) = tanh({fmt(an, 5)}) = {fmt(cand, 5)}",
        f"h_t = z·h_(t−1) + (1 − z)·h̃ = {fmt(z, 5)}·{fmt(h)} + {fmt(1 - z, 5)}·{fmt(cand, 5)} = {fmt(new, 6)}",
    ]
    if checks is not None:
        checks += [Checkpoint("the reset gate r", r, "number", 0), Checkpoint("the update gate z", z, "number", 0),
                   Checkpoint("the candidate h̃", cand, "number", 1), Checkpoint("h_t", new, "number", 2)]
    return new, lines, cand


def _affine(g: dict, h: str = "h") -> str:
    """'2·x − 1.5·h + 0.5' for a gate {w, u, b}."""
    text = f"{fmt(float(g['w']))}·x"
    for coef, name in ((float(g["u"]), f"·{h}"), (float(g["b"]), "")):
        text += f" − {fmt(-coef)}{name}" if coef < 0 else f" + {fmt(coef)}{name}"
    return text


@solver("gru-step", params={
    "x": Num("the input x_t"),
    "h": Num("the previous state h_(t−1)"),
    "r": GATE,
    "z": GATE,
    "n": GATE,
})
def gru_step(p: dict) -> Solution:
    """One step of a GRU with hidden size 1: input x, state h, gates r/z/n given as {w, u, b}."""
    checks: list[Checkpoint] = []
    new, steps, cand = _gru_scalar(p, checks=checks)
    mistakes = {
        "used the swapped (textbook) convention (1 − z)·h_(t−1) + z·h̃": _gru_scalar(p, swap=True)[0],
        "forgot the reset gate in the candidate (U·h instead of U·(r·h))": _gru_scalar(p, reset=False)[0],
        "squashed the candidate with σ instead of tanh": _gru_scalar(p, cand_act=sigmoid)[0],
        "reported the candidate h̃ as the new state": cand,
    }
    context = {"_r": _affine(p["r"]), "_z": _affine(p["z"]), "_n": _affine(p["n"], "(r·h)")}
    n = p["n"]
    f = formula("z*h + (1 - z)*tanh(W*x + U*(r*h) + b)", name="h_t", z=("update gate σ(W_z·x + U_z·h + b_z)", checks[1].value),
                r=("reset gate σ(W_r·x + U_r·h + b_r)", checks[0].value), h=("previous state h_(t−1)", float(p["h"])),
                x=("input", float(p["x"])), W=("candidate input weight", float(n["w"])), U=("candidate recurrent weight", float(n["u"])),
                b=("candidate bias", float(n["b"])))
    return Solution(new, steps, mistakes, context=context, checkpoints=checks, formulas=[f])


def _lstm(p: dict) -> dict[str, np.ndarray]:
    ai, af, ag, ao, c0 = _vectors(p, "a_i", "a_f", "a_g", "a_o", "c_prev")
    sig = np.vectorize(sigmoid)
    return {"i": sig(ai), "f": sig(af), "g": np.tanh(ag), "g_sig": sig(ag), "o": sig(ao), "c0": c0}


def _out(a: np.ndarray):
    return float(a[0]) if len(a) == 1 else a.tolist()


@solver("lstm-step", params={
    "a_i": Num("the input gate's pre-activation"),
    "a_f": Num("the forget gate's pre-activation"),
    "a_g": Num("the candidate's pre-activation"),
    "a_o": Num("the output gate's pre-activation"),
    "c_prev": Num("the previous cell state c_(t−1)"),
    "ask": Text("the new cell state c or hidden state h", choices=("c", "h")),
})
def lstm_step(p: dict) -> Solution:
    """One LSTM step from gate pre-activations; ``ask`` = c (new cell state) or h (new hidden state)."""
    s = _lstm(p)
    i, f, g, o, c0 = s["i"], s["f"], s["g"], s["o"], s["c0"]
    c = f * c0 + i * g
    h = o * np.tanh(c)
    steps = [
        f"Gates: i = σ(a_i) = {_show(i)}, f = σ(a_f) = {_show(f)}, o = σ(a_o) = {_show(o)}; candidate g = tanh(a_g) = {_show(g)}",
        f"c_t = f·c_(t−1) + i·g = {_show(f)}·{_show(c0)} + {_show(i)}·{_show(g)} = {_show(c)}",
    ]
    c_slips = {
        "forgot the forget gate (c_(t−1) + i·g)": c0 + i * g,
        "swapped the input and forget gates (i·c_(t−1) + f·g)": i * c0 + f * g,
        "squashed the candidate g with σ instead of tanh": f * c0 + i * s["g_sig"],
    }
    checks = [_check("the input gate i", i, 0), _check("the forget gate f", f, 0), _check("the candidate g", g, 0), _check("c_t", c, 1)]
    at0 = lambda key, meaning: (meaning if len(c0) == 1 else f"{meaning}, entry 0", float(_vectors(p, key)[0][0]))  # noqa: E731
    pre = dict(a_i=at0("a_i", "input-gate pre-activation"), a_f=at0("a_f", "forget-gate pre-activation"),
               a_g=at0("a_g", "candidate pre-activation"), c_prev=at0("c_prev", "previous cell state c_(t−1)"))
    c_expr = "sigmoid(a_f)*c_prev + sigmoid(a_i)*tanh(a_g)"
    if p["ask"] == "c":
        return Solution(_out(c), steps, {k: _out(v) for k, v in c_slips.items()}, checkpoints=checks,
                        formulas=[formula(c_expr, name="c_t", target=0, **pre)])
    if p["ask"] != "h":
        raise InvalidParams(f"ask must be c or h, got {p['ask']!r}")
    steps.append(f"h_t = o·tanh(c_t) = {_show(o)}·tanh({_show(c)}) = {_show(o)}·{_show(np.tanh(c))} = {_show(h)}")
    mistakes = {
        "forgot the tanh on the cell state (h = o·c_t)": _out(o * c),
        "used the old cell state (o·tanh(c_(t−1)))": _out(o * np.tanh(c0)),
        "reported the cell state c_t instead of h_t": _out(c),
    }
    mistakes.update({k: _out(o * np.tanh(v)) for k, v in c_slips.items()})
    checks.insert(2, _check("the output gate o", o, 0))
    checks.append(_check("h_t", h, 2))
    pre["a_o"] = at0("a_o", "output-gate pre-activation")
    f = formula(f"sigmoid(a_o)*tanh({c_expr})", name="h_t", target=0, **pre)
    return Solution(_out(h), steps, mistakes, checkpoints=checks, formulas=[f])
