"""Sinusoidal positional encodings and rotary position embeddings (RoPE).

Dimensions and positions are numbered from 0; angles are in radians. With model width d and
frequency ω_k = base^(−2k/d) for k = 0 … d/2 − 1 (base 10000)::

    interleaved ("Attention Is All You Need"):  PE(pos, 2k) = sin(pos·ω_k),  PE(pos, 2k+1) = cos(pos·ω_k)
    sin-half / cos-half (concatenated):         PE(pos, k) = sin(pos·ω_k),   PE(pos, d/2 + k) = cos(pos·ω_k)

RoPE rotates each pair (x_2i, x_2i+1) of a query or key at position m by the angle m·θ_i,
θ_i = base^(−2i/d)::

    [x'_2i, x'_2i+1] = [x_2i·cos(mθ) − x_2i+1·sin(mθ),  x_2i·sin(mθ) + x_2i+1·cos(mθ)]

so ⟨R(mθ)q, R(nθ)k⟩ = qᵀ R((n − m)θ) k depends on the positions only through the offset.
"""

from __future__ import annotations

import math

from . import MAX_ANSWER_VALUES, Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Vector
from ._fmt import fmt


def _omega(k: float, d: int, base: float) -> float:
    return base ** (-2 * k / d)


def _width(p: dict) -> tuple[int, float]:
    d, base = int(p["d_model"]), float(p["base"])
    if d < 2 or d % 2:
        raise InvalidParams(f"d_model must be even and ≥ 2, got {d}")
    if base <= 1:
        raise InvalidParams(f"base must exceed 1, got {base}")
    return d, base


def _dim(p: dict, d: int) -> int:
    j = int(p["dim"])
    if not 0 <= j < d:
        raise InvalidParams(f"dim must be 0 … {d - 1}, got {j}")
    return j


def _trig(name: str, angle: float) -> float:
    return math.sin(angle) if name == "sin" else math.cos(angle)


def _other(name: str) -> str:
    return "cos" if name == "sin" else "sin"


def _interleaved(pos: float, j: int, d: int, base: float) -> tuple[str, int, float, float]:
    """(sin|cos, k, ω_k, value) of PE(pos, j) in the interleaved layout."""
    k, name = j // 2, ("sin" if j % 2 == 0 else "cos")
    w = _omega(k, d, base)
    return name, k, w, _trig(name, pos * w)


def _half(pos: float, j: int, d: int, base: float) -> tuple[str, int, float, float]:
    """(sin|cos, k, ω_k, value) of PE(pos, j) in the sin-half / cos-half layout."""
    name, k = ("sin", j) if j < d // 2 else ("cos", j - d // 2)
    w = _omega(k, d, base)
    return name, k, w, _trig(name, pos * w)


def _pe_formula(name: str, pos: int, k: int, d: int, base: float, j: int, target: int | None = None) -> Formula:
    """PE(pos, j) = sin|cos(pos·base^(−2k/d)) as a declared formula."""
    return formula(f"{name}(pos*b**(-2*k/d))", name=f"PE(pos, {j})", target=target, pos=("the position", pos),
                   b=("the base", base), k=("the frequency index (pair)", k), d=("the model width d_model", d))


def _rope_formulas(x: list[float], angle_syms: dict, angle: str) -> list[Formula]:
    pair = dict(x_a=("the pair's first entry", x[0]), x_b=("its second entry", x[1]))
    return [formula(f"x_a*cos({angle}) - x_b*sin({angle})", name="x'_first", target=0, **pair, **angle_syms),
            formula(f"x_a*sin({angle}) + x_b*cos({angle})", name="x'_second", target=1, **pair, **angle_syms)]


@solver("sinusoidal-pe-interleaved", params={
    "pos": Int("the position", lo=0, example=2),
    "dim": Int("the embedding dimension index, 0-based", lo=0, example=3),
    "d_model": Int("model width d_model", lo=2, example=8),
    "base": Num("the frequency base (10000 in the paper)", lo=1, example=10000),
})
def sinusoidal_pe_interleaved(p: dict) -> Solution:
    """PE(pos, dim) of the interleaved sinusoidal encoding: sin at even dims, cos at odd dims."""
    d, base = _width(p)
    pos, j = int(p["pos"]), _dim(p, d)
    name, k, w, value = _interleaved(pos, j, d, base)
    steps = [
        f"dim {j} is {'even' if name == 'sin' else 'odd'}, so it is {name} and belongs to pair k = ⌊{j}/2⌋ = {k}",
        f"ω_{k} = {fmt(base)}^(−2·{k}/{d}) = {fmt(w, 6)}",
        f"angle = pos·ω_{k} = {pos}·{fmt(w, 6)} = {fmt(pos * w, 6)} rad",
        f"PE({pos}, {j}) = {name}({fmt(pos * w, 6)}) = {fmt(value, 6)}",
    ]
    mistakes = {
        f"used {_other(name)} where {name} goes (sin at even dims, cos at odd)": _trig(_other(name), pos * w),
        f"used the dimension index {j} in the exponent instead of 2k = {2 * k}": _trig(name, pos * _omega(j / 2, d, base)),
        f"used k = {k} in the exponent instead of 2k (base^(−k/d))": _trig(name, pos * _omega(k / 2, d, base)),
        "computed the angle in degrees, not radians": _trig(name, math.radians(pos * w)),
        "used the sin-half / cos-half layout": _half(pos, j, d, base)[3],
    }
    return Solution(value, steps, mistakes, formulas=[_pe_formula(name, pos, k, d, base, j)])


@solver("sinusoidal-pe-half", params={
    "pos": Int("the position", lo=0, example=3),
    "dim": Int("the embedding dimension index, 0-based", lo=0, example=5),
    "d_model": Int("model width d_model", lo=2, example=8),
    "base": Num("the frequency base (10000 in the paper)", lo=1, example=10000),
})
def sinusoidal_pe_half(p: dict) -> Solution:
    """PE(pos, dim) of the concatenated layout: sin in dims 0 … d/2 − 1, cos in d/2 … d − 1."""
    d, base = _width(p)
    pos, j = int(p["pos"]), _dim(p, d)
    name, k, w, value = _half(pos, j, d, base)
    where = f"dim {j} < d/2 = {d // 2}: the sin half, k = {j}" if name == "sin" else f"dim {j} ≥ d/2 = {d // 2}: the cos half, k = {j} − {d // 2} = {k}"
    steps = [
        where,
        f"ω_{k} = {fmt(base)}^(−2·{k}/{d}) = {fmt(w, 6)}",
        f"angle = pos·ω_{k} = {pos}·{fmt(w, 6)} = {fmt(pos * w, 6)} rad",
        f"PE({pos}, {j}) = {name}({fmt(pos * w, 6)}) = {fmt(value, 6)}",
    ]
    mistakes = {
        "used the interleaved layout (sin at even dims, cos at odd)": _interleaved(pos, j, d, base)[3],
        f"used {_other(name)} where {name} goes": _trig(_other(name), pos * w),
        "computed the angle in degrees, not radians": _trig(name, math.radians(pos * w)),
    }
    if name == "cos":
        mistakes[f"did not subtract d/2: used k = {j} for the frequency"] = math.cos(pos * _omega(j, d, base))
    return Solution(value, steps, mistakes, formulas=[_pe_formula(name, pos, k, d, base, j)])


@solver("sinusoidal-pe-row", params={
    "pos": Int("the token position", lo=0, example=1),
    "d_model": Int("model width d_model", lo=2, example=4),
    "base": Num("the frequency base (10000 in the paper)", lo=1, example=10000),
})
def sinusoidal_pe_row(p: dict) -> Solution:
    """The whole interleaved encoding vector PE(pos, 0 … d − 1)."""
    d, base = _width(p)
    if d > MAX_ANSWER_VALUES:  # before a loop over d: the answer is a vector a person types
        raise InvalidParams(f"d_model {d} gives a vector of {d:,} values; at most {MAX_ANSWER_VALUES:,} in an answer")
    pos = int(p["pos"])
    row = [_interleaved(pos, j, d, base)[3] for j in range(d)]
    steps = [f"ω_k = {fmt(base)}^(−2k/{d}): " + ", ".join(f"ω_{k} = {fmt(_omega(k, d, base), 6)}" for k in range(d // 2))]
    for k in range(d // 2):
        a = pos * _omega(k, d, base)
        steps.append(f"dims {2 * k}, {2 * k + 1}: sin({fmt(a, 6)}) = {fmt(math.sin(a), 6)}, cos({fmt(a, 6)}) = {fmt(math.cos(a), 6)}")
    steps.append(f"PE({pos}) = {fmt(row, 6)}")
    mistakes = {
        "used the sin-half / cos-half layout": [_half(pos, j, d, base)[3] for j in range(d)],
        "swapped sin and cos (cos at even dims)": [_trig(_other(_interleaved(pos, j, d, base)[0]), pos * _omega(j // 2, d, base)) for j in range(d)],
        "used the dimension index j in the exponent instead of 2k": [_trig(_interleaved(pos, j, d, base)[0], pos * _omega(j / 2, d, base)) for j in range(d)],
        "computed the angles in degrees, not radians": [_trig(_interleaved(pos, j, d, base)[0], math.radians(pos * _omega(j // 2, d, base))) for j in range(d)],
    }
    declared = [_pe_formula("sin", pos, 1, d, base, 2, target=2)] if d >= 4 else [_pe_formula("cos", pos, 0, d, base, 1, target=1)]
    return Solution(row, steps, mistakes, formulas=declared)


def rotate(x: list[float], angle: float) -> list[float]:
    """The 2-D vector x rotated counter-clockwise by ``angle`` radians."""
    c, s = math.cos(angle), math.sin(angle)
    return [x[0] * c - x[1] * s, x[0] * s + x[1] * c]


def _pair(p: dict, key: str) -> list[float]:
    v = [float(t) for t in p[key]]
    if len(v) != 2:
        raise InvalidParams(f"{key} must be a pair of 2 numbers, got {p[key]!r}")
    if v == [0.0, 0.0]:
        raise InvalidParams(f"{key} is the zero vector: every rotation gives 0")
    return v


@solver("rope-rotate-pair", params={
    "x": Vector("the pair (x_2i, x_2i+1) to rotate, of shape (2,)", example=[1.0, 2.0]),
    "pos": Int("the position m", lo=0, example=3),
    "pair": Int("the pair index i, 0-based", lo=0, example=1),
    "d_model": Int("model width d_model", lo=2, example=8),
    "base": Num("the frequency base (10000 in the paper)", lo=1, example=10000),
})
def rope_rotate_pair(p: dict) -> Solution:
    """RoPE on one pair (x_2i, x_2i+1) at position pos: rotate by pos·θ_i, θ_i = base^(−2i/d)."""
    d, base = _width(p)
    x = _pair(p, "x")
    pos, i = int(p["pos"]), int(p["pair"])
    if not 0 <= i < d // 2:
        raise InvalidParams(f"pair must be 0 … {d // 2 - 1}, got {i}")
    th = _omega(i, d, base)
    a = pos * th
    y = rotate(x, a)
    c, s = math.cos(a), math.sin(a)
    steps = [
        f"θ_{i} = {fmt(base)}^(−2·{i}/{d}) = {fmt(th, 6)}; angle = pos·θ_{i} = {pos}·{fmt(th, 6)} = {fmt(a, 6)} rad",
        f"cos = {fmt(c, 6)}, sin = {fmt(s, 6)}",
        f"x'_{2 * i} = x_{2 * i}·cos − x_{2 * i + 1}·sin = {fmt(x[0])}·{fmt(c, 6)} − {fmt(x[1])}·{fmt(s, 6)} = {fmt(y[0], 6)}",
        f"x'_{2 * i + 1} = x_{2 * i}·sin + x_{2 * i + 1}·cos = {fmt(x[0])}·{fmt(s, 6)} + {fmt(x[1])}·{fmt(c, 6)} = {fmt(y[1], 6)}",
        "(a rotation keeps the length: ‖x'‖ = ‖x‖)",
    ]
    mistakes = {
        "rotated the wrong way (by −angle)": rotate(x, -a),
        "forgot to multiply θ by the position": rotate(x, th),
        "used i instead of 2i in the exponent (base^(−i/d))": rotate(x, pos * _omega(i / 2, d, base)),
        "computed the angle in degrees, not radians": rotate(x, math.radians(a)),
    }
    angle = dict(pos=("the position", pos), b=("the base", base), i=("the pair index", i), d=("the model width d_model", d))
    return Solution(y, steps, mistakes, formulas=_rope_formulas(x, angle, "pos*b**(-2*i/d)"))


def _dot(a: list[float], b: list[float]) -> float:
    return a[0] * b[0] + a[1] * b[1]


@solver("rope-relative-score", params={
    "q": Vector("the query pair, of shape (2,)"),
    "k": Vector("the key pair, of shape (2,)"),
    "m": Int("the query's position m", lo=0),
    "n": Int("the key's position n", lo=0),
    "theta": Num("the pair's rotation frequency θ (radians per position)"),
})
def rope_relative_score(p: dict) -> Solution:
    """⟨RoPE(q, m), RoPE(k, n)⟩ for one 2-D pair rotating θ rad per position."""
    q, k = _pair(p, "q"), _pair(p, "k")
    m, n, th = int(p["m"]), int(p["n"]), float(p["theta"])
    qr, kr = rotate(q, m * th), rotate(k, n * th)
    score = _dot(qr, kr)
    steps = [
        f"Rotate q by m·θ = {m}·{fmt(th)} = {fmt(m * th, 6)} rad: q' = {fmt(qr, 5)}",
        f"Rotate k by n·θ = {n}·{fmt(th)} = {fmt(n * th, 6)} rad: k' = {fmt(kr, 5)}",
        f"score = q'·k' = {fmt(qr[0], 5)}·{fmt(kr[0], 5)} + {fmt(qr[1], 5)}·{fmt(kr[1], 5)} = {fmt(score, 6)}",
        f"Check: it equals q·R((n − m)θ)k = q·R({fmt((n - m) * th, 6)})k = {fmt(_dot(q, rotate(k, (n - m) * th)), 6)}"
        " — only the offset n − m matters",
    ]
    mistakes = {
        "forgot the rotations (plain q·k)": _dot(q, k),
        "rotated only q": _dot(qr, k),
        "rotated k the opposite way (added the positions instead of subtracting)": _dot(qr, rotate(k, -n * th)),
        "used the offset with the wrong sign, q·R((m − n)θ)k": _dot(q, rotate(k, (m - n) * th)),
    }
    declared = formula("q_1*(k_1*cos(D*t) - k_2*sin(D*t)) + q_2*(k_1*sin(D*t) + k_2*cos(D*t))", name="score = qᵀR((n − m)θ)k",
                       q_1=("the query's first entry", q[0]), q_2=("its second entry", q[1]), k_1=("the key's first entry", k[0]),
                       k_2=("its second entry", k[1]), D=("the offset n − m", n - m), t=("θ, radians per position", th))
    return Solution(score, steps, mistakes, formulas=[declared])


OPTION_GAP = 0.02  # rope-shift-choice: options closer than this (relative) are redrawn


@solver("rope-shift-choice", params={
    "q": Vector("the query pair, of shape (2,)", example=[1.0, 2.0]),
    "k": Vector("the key pair, of shape (2,)", example=[3.0, 1.0]),
    "m": Int("the query's position m", lo=0, example=5),
    "n": Int("the key's position n", lo=0, example=3),
    "theta": Num("the pair's rotation frequency θ (radians per position)", example=0.5),
    "shift": Int("how far both positions move", lo=0, example=4),
})
def rope_shift_choice(p: dict) -> Solution:
    """The RoPE score after moving both the query and the key by the same number of positions:
    unchanged, because only the offset n − m enters (multiple choice over computed values)."""
    q, k = _pair(p, "q"), _pair(p, "k")
    m, n, th, s = int(p["m"]), int(p["n"]), float(p["theta"]), int(p["shift"])

    def score(a: int, b: int) -> float:
        return _dot(rotate(q, a * th), rotate(k, b * th))

    before, after = score(m, n), score(m + s, n + s)
    steps = [
        f"⟨R(mθ)q, R(nθ)k⟩ = qᵀR(mθ)ᵀR(nθ)k = qᵀR((n − m)θ)k: only the offset n − m = {n - m} enters",
        f"Moving both by Δ = {s} keeps the offset: (n + Δ) − (m + Δ) = {n - m}",
        f"So the score is unchanged: {fmt(after, 6)} (directly: rotate q by {fmt((m + s) * th, 6)} rad and k by {fmt((n + s) * th, 6)} rad)",
    ]
    mistakes = {
        "moved only the query: the offset would change": score(m + s, n),
        "moved only the key: the offset would change": score(m, n + s),
        "assumed the rotations cancel completely (plain q·k)": _dot(q, k),
        "used the offset with the wrong sign, q·R((m − n)θ)k": _dot(q, rotate(k, (m - n) * th)),
    }
    shown = {fmt(v, 4): v for v in [*mistakes.values(), after]}  # the options as the quiz prints them (one per text)
    if len(shown) < 4:
        raise InvalidParams("fewer than four distinct options (e.g. a zero vector or a shift of a full turn)")
    # every two options apart by more than a 3-figure answer can blur: 2 % of the larger, and 1 % of
    # the largest possible score ‖q‖·‖k‖ (a wrong offset can land on almost the same sinusoid value)
    options, scale = list(shown.values()), math.hypot(*q) * math.hypot(*k)
    if any(abs(a - b) <= max(OPTION_GAP * max(abs(a), abs(b)), 0.01 * scale) for i, a in enumerate(options) for b in options[i + 1:]):
        raise InvalidParams("two options too close to tell apart at 3 significant figures")
    declared = formula("q_1*(k_1*cos(D*t) - k_2*sin(D*t)) + q_2*(k_1*sin(D*t) + k_2*cos(D*t))", name="score = qᵀR((n − m)θ)k",
                       q_1=("the query's first entry", q[0]), q_2=("its second entry", q[1]), k_1=("the key's first entry", k[0]),
                       k_2=("its second entry", k[1]), D=("the offset (n + Δ) − (m + Δ)", (n + s) - (m + s)), t=("θ, radians per position", th))
    return Solution(after, steps, mistakes, context={"_score": fmt(before, 4)}, formulas=[declared])
