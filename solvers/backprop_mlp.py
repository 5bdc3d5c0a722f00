"""Backprop by hand through a one-hidden-layer MLP for binary classification.

x of shape (n,) → hidden a = σ(W1 x + b1), W1 of shape (m, n) (row j = hidden unit j, so
w_ji^(1) connects input x_i to hidden unit j, PyTorch's Linear layout), b1 of shape (m,)
→ output z = w2·a + b2, w2 of shape (m,) → ŷ = σ(z), binary cross-entropy
ℓ = −y ln ŷ − (1 − y) ln(1 − ŷ) with y ∈ {0, 1}. The chain rule (003's slides)::

    ∂ℓ/∂z = ŷ − y
    ∂ℓ/∂w_j^(2) = (ŷ − y)·a_j
    ∂ℓ/∂w_ji^(1) = (ŷ − y)·w_j^(2)·a_j(1 − a_j)·x_i      (δ_j = (ŷ − y)·w_j^(2)·a_j(1 − a_j))
    ∂ℓ/∂W1 = δ xᵀ, shape (m, n)

Indices in prompts are 1-based, as on the slides (w_11^(1)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Vector, Matrix
from ._fmt import fmt
from .softmax_ce import sigmoid


@dataclass(frozen=True)
class Forward:
    x: np.ndarray  # (n,)
    w1: np.ndarray  # (m, n)
    z1: np.ndarray  # (m,)
    a: np.ndarray  # (m,)
    w2: np.ndarray  # (m,)
    z: float
    yhat: float
    y: int

    @property
    def dz(self) -> float:
        return self.yhat - self.y

    @property
    def delta(self) -> np.ndarray:
        """∂ℓ/∂z1, shape (m,)."""
        return self.dz * self.w2 * self.a * (1 - self.a)


def forward(p: dict) -> tuple[Forward, list[str]]:
    x = np.asarray(p["x"], dtype=float)
    w1 = np.asarray(p["W1"], dtype=float)
    b1 = np.asarray(p.get("b1", np.zeros(len(w1))), dtype=float)
    w2 = np.asarray(p["w2"], dtype=float)
    b2 = float(p.get("b2", 0.0))
    y = int(p["y"])
    if x.ndim != 1 or w1.shape != (len(w2), len(x)) or b1.shape != (len(w2),):
        raise InvalidParams(f"W1 must have shape (hidden, inputs) = ({len(w2)}, {len(x)}), got {w1.shape}")
    if y not in (0, 1):
        raise InvalidParams(f"label y must be 0 or 1, got {y}")
    z1 = w1 @ x + b1
    a = np.array([sigmoid(float(v)) for v in z1])
    z = float(w2 @ a + b2)
    yhat = sigmoid(z)
    steps = [
        "Hidden pre-activations z^(1) = W1 x + b1 = " + fmt([round(float(v), 10) for v in z1], 5),
        f"Hidden activations a = σ(z^(1)) = {fmt(a.tolist(), 5)}",
        f"Output z = w2·a + b2 = {fmt(z, 5)}, ŷ = σ(z) = {fmt(yhat, 5)}",
        f"∂ℓ/∂z = ŷ − y = {fmt(yhat, 5)} − {y} = {fmt(yhat - y, 5)}  (BCE after a sigmoid)",
    ]
    return Forward(x, w1, z1, a, w2, z, yhat, y), steps


def forward_checks(f: Forward) -> list[Checkpoint]:
    """The forward pass's values, shown by the first lines of :func:`forward`'s steps."""
    return [Checkpoint("the hidden activations a = σ(z^(1))", f.a.tolist(), "vector", 1),
            Checkpoint("the prediction ŷ = σ(z)", f.yhat, "number", 2),
            Checkpoint("∂ℓ/∂z = ŷ − y", f.dz, "number", 3)]


def _index(p: dict, key: str, size: int) -> int:
    k = int(p[key])
    if not 1 <= k <= size:
        raise InvalidParams(f"{key} {k} is not in 1..{size}")
    return k - 1


# the one-hidden-layer network every solver here reads (a sigmoid output unit, binary cross-entropy)
NETWORK = {
    "x": Vector("the input x, of shape (n,)"),
    "W1": Matrix("the hidden layer's weights W^(1), of shape (h, n)"),
    "b1": Vector("the hidden layer's biases b^(1), of shape (h,)", optional=True),
    "w2": Vector("the output unit's weights w^(2), of shape (h,)"),
    "b2": Num("the output unit's bias b^(2)", optional=True),
    "y": Int("the label y", lo=0, hi=1),
}


@solver("mlp-hidden-weight-grad", params={
    **NETWORK,
    "unit": Int("the hidden unit j, 1-based", lo=1),
    "input": Int("the input i, 1-based", lo=1),
})
def mlp_hidden_weight_grad(p: dict) -> Solution:
    """∂ℓ/∂w_ji^(1) = (ŷ − y)·w_j^(2)·a_j(1 − a_j)·x_i for 1-based unit j and input i."""
    f, steps = forward(p)
    j = _index(p, "unit", len(f.a))
    i = _index(p, "input", len(f.x))
    dz, w2j, aj, xi = f.dz, float(f.w2[j]), float(f.a[j]), float(f.x[i])
    sp = aj * (1 - aj)
    grad = dz * w2j * sp * xi
    steps += [
        f"∂ℓ/∂a_{j + 1} = (ŷ − y)·w_{j + 1}^(2) = {fmt(dz, 5)}·{fmt(w2j)} = {fmt(dz * w2j, 5)}",
        f"∂a_{j + 1}/∂z_{j + 1}^(1) = a_{j + 1}(1 − a_{j + 1}) = {fmt(aj, 5)}·{fmt(1 - aj, 5)} = {fmt(sp, 5)}",
        f"∂z_{j + 1}^(1)/∂w_{j + 1}{i + 1}^(1) = x_{i + 1} = {fmt(xi)}",
        f"∂ℓ/∂w_{j + 1}{i + 1}^(1) = {fmt(dz, 5)}·{fmt(w2j)}·{fmt(sp, 5)}·{fmt(xi)} = {fmt(grad, 5)}",
    ]
    other = 1 - j if len(f.a) == 2 else (j + 1) % len(f.a)
    mistakes = {
        "forgot the hidden sigmoid's derivative a_j(1 − a_j)": dz * w2j * xi,
        "used a_j instead of σ'(z_j) = a_j(1 − a_j)": dz * w2j * aj * xi,
        "used the other hidden unit's output weight": dz * float(f.w2[other]) * sp * xi,
        "forgot the input x_i": dz * w2j * sp,
        "flipped the sign (y − ŷ)": -grad,
        "multiplied by the output sigmoid's derivative ŷ(1 − ŷ) again": grad * f.yhat * (1 - f.yhat),
    }
    if i < len(f.a) and j < len(f.x):
        ai = float(f.a[i])
        mistakes["swapped the indices (took w_ij: unit i, input j)"] = dz * float(f.w2[i]) * ai * (1 - ai) * float(f.x[j])
    checks = forward_checks(f) + [Checkpoint(f"∂ℓ/∂a_{j + 1}", dz * w2j, "number", 4),
                                  Checkpoint(f"σ'(z_{j + 1}^(1)) = a_{j + 1}(1 − a_{j + 1})", sp, "number", 5),
                                  Checkpoint(f"∂ℓ/∂w_{j + 1}{i + 1}^(1)", grad, "number", 7)]
    declared = [formula("(y_hat - y)*w2_j*a_j*(1 - a_j)*x_i", name=f"dL/dw_{j + 1}{i + 1}^(1)",
                        y_hat=("the prediction ŷ = σ(z)", f.yhat), y=("the label", f.y),
                        w2_j=(f"the output weight of hidden unit {j + 1}", w2j),
                        a_j=(f"the activation of hidden unit {j + 1}", aj), x_i=(f"input {i + 1}", xi))]
    return Solution(grad, steps, mistakes, context={"_w": f"w_{j + 1}{i + 1}^(1)"}, checkpoints=checks, formulas=declared)


@solver("mlp-output-weight-grad", params={
    **NETWORK,
    "unit": Int("the hidden unit j, 1-based", lo=1),
})
def mlp_output_weight_grad(p: dict) -> Solution:
    """∂ℓ/∂w_j^(2) = (ŷ − y)·a_j for the output weight from 1-based hidden unit j."""
    f, steps = forward(p)
    j = _index(p, "unit", len(f.a))
    aj = float(f.a[j])
    grad = f.dz * aj
    steps.append(f"∂z/∂w_{j + 1}^(2) = a_{j + 1} = {fmt(aj, 5)}, so ∂ℓ/∂w_{j + 1}^(2) = {fmt(f.dz, 5)}·{fmt(aj, 5)} = {fmt(grad, 5)}")
    mistakes = {
        "used the pre-activation z_j^(1) instead of the activation a_j": f.dz * float(f.z1[j]),
        "forgot a_j (that is the output bias's gradient)": f.dz,
        "flipped the sign (y − ŷ)": -grad,
        "multiplied by the output sigmoid's derivative ŷ(1 − ŷ) again": grad * f.yhat * (1 - f.yhat),
        "multiplied by a_j(1 − a_j) instead of a_j": f.dz * aj * (1 - aj),
    }
    if j < len(f.x):
        mistakes["used the input x_j instead of the hidden activation a_j"] = f.dz * float(f.x[j])
    checks = forward_checks(f) + [Checkpoint(f"∂ℓ/∂w_{j + 1}^(2)", grad, "number", 4)]
    declared = [formula("(y_hat - y)*a_j", name=f"dL/dw_{j + 1}^(2)", y_hat=("the prediction ŷ = σ(z)", f.yhat),
                        y=("the label", f.y), a_j=(f"the activation of hidden unit {j + 1}", aj))]
    return Solution(grad, steps, mistakes, context={"_w": f"w_{j + 1}^(2)"}, checkpoints=checks, formulas=declared)


@solver("mlp-hidden-weight-grad-matrix", params=NETWORK)
def mlp_hidden_weight_grad_matrix(p: dict) -> Solution:
    """∂ℓ/∂W1 = δ xᵀ, shape (m, n), with δ_j = (ŷ − y)·w_j^(2)·a_j(1 − a_j)."""
    f, steps = forward(p)
    delta = f.delta
    grad = np.outer(delta, f.x)
    steps += [
        f"δ = ∂ℓ/∂z^(1) = (ŷ − y)·w2 ⊙ a ⊙ (1 − a) = {fmt(delta.tolist(), 5)}",
        f"∂ℓ/∂W1 = δ xᵀ (row j = δ_j·x), shape {len(delta)}×{len(f.x)}: " + "[" + ", ".join(fmt(r, 4) for r in grad.tolist()) + "]",
    ]
    mistakes = {
        "forgot the hidden sigmoid's derivative a(1 − a)": np.outer(f.dz * f.w2, f.x).tolist(),
        "transposed: x δᵀ instead of δ xᵀ": np.outer(f.x, delta).tolist(),
        "flipped the sign (y − ŷ)": (-grad).tolist(),
        "used a instead of σ'(z^(1)) = a(1 − a)": np.outer(f.dz * f.w2 * f.a, f.x).tolist(),
        "multiplied by the output sigmoid's derivative ŷ(1 − ŷ) again": (grad * f.yhat * (1 - f.yhat)).tolist(),
    }
    checks = forward_checks(f) + [Checkpoint("δ = ∂ℓ/∂z^(1)", delta.tolist(), "vector", 4),
                                  Checkpoint("∂ℓ/∂W1 = δ xᵀ", grad.tolist(), "matrix", 5)]
    declared = [formula("(y_hat - y)*w2_1*a_1*(1 - a_1)*x_1", name="dL/dw_11^(1)", target=0,
                        y_hat=("the prediction ŷ = σ(z)", f.yhat), y=("the label", f.y),
                        w2_1=("the output weight of hidden unit 1", float(f.w2[0])),
                        a_1=("the activation of hidden unit 1", float(f.a[0])), x_1=("input 1", float(f.x[0])))]
    return Solution(grad.tolist(), steps, mistakes, checkpoints=checks, formulas=declared)
