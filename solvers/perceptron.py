"""The single-layer perceptron: its output, its learning rule, and the Boolean functions it can compute.

Input x and weights w of shape (2,), bias b; the 003 slides' step activation::

    ŷ = step(w·x + b),   step(z) = 1 if z > 0 else 0        (z = 0 gives 0)
    w ← w + η·(y − ŷ)·x,   b ← b + η·(y − ŷ)                  (no change when ŷ = y)

A perceptron draws one line w·x + b = 0, so it computes AND, OR, NAND, NOR but never XOR.
"""

from __future__ import annotations

from itertools import product

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Text, Vector
from ._fmt import fmt

INPUTS = list(product((0, 1), repeat=2))  # (0,0), (0,1), (1,0), (1,1)
GATES: dict[str, tuple[int, ...]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "XNOR": (1, 0, 0, 1),
}
NAMES = {**{v: k for k, v in GATES.items()}, (0, 0, 0, 0): "the constant 0", (1, 1, 1, 1): "the constant 1"}


def step(z: float, *, at_zero: int = 0) -> int:
    return 1 if z > 0 else (at_zero if z == 0 else 0)


def _z(w, b, x) -> float:
    # round away float noise so that z = 0 is exactly 0 for the drawn one-decimal numbers
    return round(float(np.dot(w, x)) + float(b), 9)


def _zline(w, b, x) -> str:
    bias = f"− {fmt(-float(b))}" if b < 0 else f"+ {fmt(float(b))}"
    return f"z = {fmt(float(w[0]))}·{fmt(float(x[0]))} + {fmt(float(w[1]))}·{fmt(float(x[1]))} {bias} = {fmt(_z(w, b, x))}"


def truth_table(w, b) -> tuple[int, ...]:
    return tuple(step(_z(w, b, x)) for x in INPUTS)


def _update(w: np.ndarray, b: float, x: np.ndarray, y: int, lr: float, *, at_zero=0, sign=1, bias=True, always=False, delta=False):
    z = _z(w, b, x)
    yhat = step(z, at_zero=at_zero)
    err = (y - z) if delta else (y - yhat)
    if always and err == 0:
        err = 2 * y - 1  # moved toward the label although the prediction was right
    err *= sign
    return w + lr * err * x, (b + lr * err if bias else b), z, yhat


@solver("perceptron-update", params={
    "w": Vector("the weights w"),
    "b": Num("the bias b"),
    "x": Vector("the input x"),
    "y": Int("the label y (0 or 1)", lo=0, hi=1),
    "lr": Num("learning rate η"),
})
def perceptron_update(p: dict) -> Solution:
    """One step of the perceptron rule on example (x, y); answer [w1, w2, b] after the step."""
    w, b, x = np.asarray(p["w"], float), float(p["b"]), np.asarray(p["x"], float)
    y, lr = int(p["y"]), float(p["lr"])
    if y not in (0, 1) or w.shape != (2,) or x.shape != (2,):
        raise InvalidParams("w and x must have 2 entries and y must be 0 or 1")
    nw, nb, z, yhat = _update(w, b, x, y, lr)
    steps = [
        _zline(w, b, x),
        f"ŷ = step(z) = {yhat}  (1 only if z > 0)",
        f"Error y − ŷ = {y} − {yhat} = {y - yhat}" + ("  → correct, no update" if y == yhat else ""),
        f"w ← w + η(y − ŷ)x = {fmt(w.tolist())} + {fmt(lr)}·{y - yhat}·{fmt(x.tolist())} = {fmt(nw.tolist())}",
        f"b ← b + η(y − ŷ) = {fmt(b)} + {fmt(lr)}·{y - yhat} = {fmt(nb)}",
    ]

    def pack(res) -> list[float]:
        return [float(res[0][0]), float(res[0][1]), float(res[1])]

    mistakes = {
        "flipped the sign of the error (ŷ − y)": pack(_update(w, b, x, y, lr, sign=-1)),
        "forgot to update the bias": pack(_update(w, b, x, y, lr, bias=False)),
        "fired at z = 0 (used z ≥ 0; here the step is 1 only for z > 0)": pack(_update(w, b, x, y, lr, at_zero=1)),
        "used the raw score z instead of the step output (the delta rule)": pack(_update(w, b, x, y, lr, delta=True)),
    }
    if y == yhat:
        mistakes["updated although the prediction was right"] = pack(_update(w, b, x, y, lr, always=True))
    checks = [Checkpoint("the score z = w·x + b", float(z), "number", 0), Checkpoint("the prediction ŷ = step(z)", yhat, "integer", 1),
              Checkpoint("the error y − ŷ", y - yhat, "integer", 2), Checkpoint("the new weights w", nw.tolist(), "vector", 3),
              Checkpoint("the new bias b", float(nb), "number", 4)]
    rule = dict(eta=("the learning rate η", lr), y=("the label", y), yhat=("the prediction ŷ = step(z)", yhat))
    declared = [formula("w_1 + eta*(y - yhat)*x_1", name="w_1 (new)", target=0, w_1=("the first weight before the step", float(w[0])),
                        x_1=("the first input", float(x[0])), **rule),
                formula("b + eta*(y - yhat)", name="b (new)", target=2, b=("the bias before the step", b), **rule)]
    return Solution([float(nw[0]), float(nw[1]), nb], steps, mistakes, checkpoints=checks, formulas=declared)


@solver("perceptron-epoch", params={
    "gate": Text("the logic gate to learn", choices=tuple(GATES)),
    "w": Vector("the starting weights (w1, w2)"),
    "b": Num("the starting bias b"),
    "lr": Num("learning rate η", lo=0),
})
def perceptron_epoch(p: dict) -> Solution:
    """One pass of the perceptron rule over the truth table of ``gate`` in the order (0,0), (0,1), (1,0), (1,1)."""
    gate = p["gate"]
    if gate not in GATES:
        raise InvalidParams(f"unknown gate {gate!r}")
    lr = float(p["lr"])

    errors: list[int] = []

    def run(**slip):
        w, b = np.asarray(p["w"], float), float(p["b"])
        lines = []
        errors.clear()
        for x, y in zip(INPUTS, GATES[gate]):
            nw, nb, z, yhat = _update(w, b, np.asarray(x, float), y, lr, **slip)
            errors.append(y - yhat)
            lines.append(f"x = {x}, y = {y}: {_zline(w, b, x)}, ŷ = {yhat}" + ("" if y == yhat else f" → w = {fmt(nw.tolist())}, b = {fmt(nb)}"))
            w, b = nw, nb
        return [float(w[0]), float(w[1]), b], lines

    answer, steps = run()
    errs = {f"e_{k + 1}": (f"the error y − ŷ on input {x}", e) for k, (x, e) in enumerate(zip(INPUTS, errors))}
    declared = formula("b + eta*(e_1 + e_2 + e_3 + e_4)", name="b after the epoch", target=2, b=("the bias before the epoch", float(p["b"])),
                       eta=("the learning rate η", lr), **errs)
    steps.append(f"After the epoch: [w1, w2, b] = {fmt(answer)}")
    mistakes = {
        "fired at z = 0 (used z ≥ 0; here the step is 1 only for z > 0)": run(at_zero=1)[0],
        "forgot to update the bias": run(bias=False)[0],
        "flipped the sign of the error (ŷ − y)": run(sign=-1)[0],
        "used the raw score z instead of the step output (the delta rule)": run(delta=True)[0],
    }
    return Solution(answer, steps, mistakes, formulas=[declared])


def _counterexample(table: tuple[int, ...], label: str, w, b) -> str:
    """Why the perceptron with this truth table is not gate ``label``: the first input where they differ."""
    other = GATES[label]
    k = next(k for k in range(4) if table[k] != other[k])
    x = INPUTS[k]
    return f"{label} gives {other[k]} at x = {x}, but {_zline(w, b, x)}, so the perceptron outputs {table[k]}"


@solver("perceptron-gate", params={
    "w": Vector("the weights (w1, w2)", example=[1, 1]),
    "b": Num("the bias b", example=-1.5),
})
def perceptron_gate(p: dict) -> Solution:
    """Which Boolean function of (x1, x2) ∈ {0,1}² a perceptron with weights w (2,) and bias b computes."""
    w, b = np.asarray(p["w"], float), float(p["b"])
    table = truth_table(w, b)
    name = NAMES.get(table)
    if name not in ("AND", "OR", "NAND", "NOR"):
        raise InvalidParams(f"w = {w.tolist()}, b = {b} computes {table}, not AND/OR/NAND/NOR")
    steps = [f"{_zline(w, b, x)} → {t}" for x, t in zip(INPUTS, table)]
    steps.append(f"Outputs on (0,0), (0,1), (1,0), (1,1): {list(table)} — that is {name}.")
    mistakes = {}
    for other in ("AND", "OR", "NAND", "NOR", "XOR"):
        if other == name:
            continue
        why = _counterexample(table, other, w, b)
        if other == "XOR":
            why = "no single perceptron computes XOR (not linearly separable); " + why
        mistakes[why] = other
    concept = "Compute z = w·x + b at the four inputs; the perceptron outputs 1 exactly where z > 0 — which gate has that truth table?"
    return Solution(name, steps, mistakes, concept=concept)


@solver("perceptron-bias-for-gate", params={
    "gate": Text("the logic gate", choices=tuple(GATES)),
    "a": Num("both weights w1 = w2 = a"),
})
def perceptron_bias_for_gate(p: dict) -> Solution:
    """With w = [a, a] (a > 0), which bias among −2.5a, −1.5a, −0.5a, 0.5a makes the perceptron compute ``gate`` (AND or OR)."""
    a, gate = float(p["a"]), p["gate"]
    if a <= 0 or gate not in ("AND", "OR"):
        raise InvalidParams("a must be positive and gate AND or OR")
    w = np.array([a, a])
    options = [-2.5 * a, -1.5 * a, -0.5 * a, 0.5 * a]
    found = {bb: NAMES[truth_table(w, bb)] for bb in options}
    answer = next(bb for bb, n in found.items() if n == gate)
    steps = [
        f"{gate} must fire on (1,1) only" if gate == "AND" else f"{gate} must fire unless x = (0,0)",
        *[f"b = {fmt(bb)}: outputs {list(truth_table(w, bb))} → {n}" for bb, n in found.items()],
        f"So b = {fmt(answer)}: {_zline(w, answer, (1, 1))} and {_zline(w, answer, (1, 0) if gate == 'AND' else (0, 0))}",
    ]
    mistakes = {
        f"b = {fmt(bb)} computes {n}: {_counterexample(truth_table(w, bb), gate, w, bb)}": bb
        for bb, n in found.items() if bb != answer
    }
    if gate == "AND":  # z = a·(x1 + x2) + b must be > 0 only when x1 + x2 = 2: −2a < b < −a
        declared = formula("(-2*a - a)/2", name="b, between −2a (fires at (1,1)) and −a (not at (1,0))", a=("each weight", a))
    else:  # > 0 whenever x1 + x2 ≥ 1: −a < b ≤ 0
        declared = formula("(-a + 0)/2", name="b, between −a (fires at (1,0)) and 0 (not at (0,0))", a=("each weight", a))
    return Solution(answer, steps, mistakes, formulas=[declared])


XOR_CHOICES = {
    "Yes, with a large enough learning rate":
        "the learning rate only scales each update; no weights at all separate {gate}, so none can be found",
    "Yes, if it is trained for enough epochs":
        "the perceptron convergence theorem needs linearly separable data; on {gate} the rule cycles forever",
    "Yes, with a sigmoid instead of the step function":
        "one sigmoid unit still thresholds w·x + b at a single line, so it cannot separate {gate} either",
    "No: a single perceptron can only learn AND":
        "it learns every linearly separable function (AND, OR, NAND, NOR); {gate} fails because it is not separable",
}


@solver("perceptron-xor", params={
    "gate": Text("the gate no single perceptron computes", choices=tuple(GATES), example="XOR"),
})
def perceptron_xor(p: dict) -> Solution:
    """Can one perceptron learn XOR (or XNOR)? The options' explanations are the classic misconceptions."""
    gate = p["gate"]
    if gate not in ("XOR", "XNOR"):
        raise InvalidParams(f"gate must be XOR or XNOR, got {gate!r}")
    pos = [x for x, t in zip(INPUTS, GATES[gate]) if t]
    neg = [x for x, t in zip(INPUTS, GATES[gate]) if not t]
    answer = f"No: {gate} is not linearly separable, so no line w·x + b = 0 can do it"
    steps = [
        f"{gate} outputs 1 on {pos[0]} and {pos[1]}, 0 on {neg[0]} and {neg[1]}.",
        "A perceptron outputs 1 exactly on one side of the line w1·x1 + w2·x2 + b = 0.",
        f"Suppose it worked for XOR: b ≤ 0 (from (0,0)), w1 + b > 0, w2 + b > 0, w1 + w2 + b ≤ 0. Adding the middle two: "
        "w1 + w2 + 2b > 0, so w1 + w2 + b > −b ≥ 0 — a contradiction (XNOR is the same with every inequality flipped).",
        "So no weights exist; the learning rule never converges. Two layers (e.g. OR and NAND feeding AND) are needed.",
    ]
    mistakes = {why.format(gate=gate): text for text, why in XOR_CHOICES.items()}
    concept = f"Plot {gate}'s four inputs: can one straight line put its 1s on one side and its 0s on the other?"
    return Solution(answer, steps, mistakes, concept=concept)
