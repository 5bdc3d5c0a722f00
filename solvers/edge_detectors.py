"""Edge-detector kernels (Sobel, Prewitt) applied to small images, and which kernel finds which edge.

A vertical edge is a boundary running top to bottom: brightness changes from left to right, so a
kernel that takes a horizontal difference (right column minus left column) responds to it::

    Sobel, vertical edges (G_x)   [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    Sobel, horizontal edges (G_y) [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]     (its transpose)
    Prewitt: the same with weights 1, 1, 1 instead of 1, 2, 1

The response is the deep-learning convolution (cross-correlation, no kernel flip), stride 1,
no padding: an H×W image gives an (H − 2)×(W − 2) map. Flipping these kernels only flips the
sign of the response, which is why the flip slip is easy to make and easy to see.
"""

from __future__ import annotations

import numpy as np

from . import Checkpoint, InvalidParams, Solution, solver
from ._params import Text, Matrix
from .conv_forward import as_chw, correlate, entry, entry_formula, flip, matrix_text

KERNELS: dict[tuple[str, str], list[list[int]]] = {
    ("Sobel", "vertical"): [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    ("Sobel", "horizontal"): [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    ("Prewitt", "vertical"): [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
    ("Prewitt", "horizontal"): [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
}
NOT_EDGES = {
    "a box blur (all ones / 9: it averages, so it smooths instead of finding edges)": "[[1, 1, 1], [1, 1, 1], [1, 1, 1]] / 9",
    "a Gaussian blur (a weighted average: it smooths, it does not differentiate)": "[[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16",
    "the identity kernel (it copies the image unchanged)": "[[0, 0, 0], [0, 1, 0], [0, 0, 0]]",
}


def kernel_name(k: np.ndarray) -> str:
    """'Sobel vertical-edge' for a known kernel (either sign), else '3×3'."""
    for (family, orientation), known in KERNELS.items():
        if np.array_equal(k, known) or np.array_equal(k, -np.asarray(known)):
            return f"{family} {orientation}-edge"
    return f"{k.shape[0]}×{k.shape[1]}"


def text(m) -> str:
    return matrix_text(np.asarray(m))


@solver("edge-response", params={
    "input": Matrix("the input feature map, of shape (H, W)"),
    "weight": Matrix("the kernel, of shape (K_h, K_w)"),
})
def edge_response(p: dict) -> Solution:
    """Response map (H − k + 1, W − k + 1) of an edge kernel on an H×W image: cross-correlation, no padding."""
    x, k = as_chw(p["input"], "input"), as_chw(p["weight"], "weight")
    if x.shape[0] != 1 or k.shape[0] != 1 or k.shape[1] != k.shape[2]:
        raise InvalidParams("edge questions use one grey-level image and one square kernel")
    y = correlate(x, k)
    name = kernel_name(k[0])
    steps = [f"The {name} kernel is applied as in a CNN: cross-correlation (no flip), stride 1, no padding, "
             f"so a {x.shape[1]}×{x.shape[2]} image gives a {y.shape[0]}×{y.shape[1]} map.",
             "Each entry: lay the kernel on the 3×3 window, multiply entry by entry, add."]
    checks = []
    for i, j in np.ndindex(y.shape):
        line, total = entry(x, k, i, j, 1, 1, 0.0)
        steps.append(line)
        checks.append(Checkpoint(f"response R[{i},{j}]", total, "number", len(steps) - 1))
    steps.append(f"Response = {matrix_text(y)}  (large magnitude where the brightness changes across the kernel's "
                 "difference direction; 0 on flat regions)")
    mistakes = {
        "flipped the kernel (true convolution): the sign of every response flips": correlate(x, flip(k)).tolist(),
        "used the transposed kernel (it detects edges of the other orientation)": correlate(x, k.transpose(0, 2, 1)).tolist(),
    }
    context = {"_kernel_name": name, "_out_shape": f"{y.shape[0]}×{y.shape[1]}"}
    declared = [entry_formula(x, k, 0, 0, 1, 1, 0.0, 0, name="R[0,0]")]
    return Solution(y.tolist(), steps, mistakes, context=context, checkpoints=checks, formulas=declared)


@solver("edge-kernel-choice", params={
    "family": Text("the edge detector", choices=("Sobel", "Prewitt")),
    "orientation": Text("the edges it finds", choices=("vertical", "horizontal")),
})
def edge_kernel_choice(p: dict) -> Solution:
    """Which 3×3 kernel responds to vertical (or horizontal) edges, among blur/identity/transposed options."""
    family, orientation = str(p["family"]), str(p["orientation"])
    if (family, orientation) not in KERNELS:
        raise InvalidParams(f"unknown kernel {family!r} {orientation!r}")
    other = "horizontal" if orientation == "vertical" else "vertical"
    answer = text(KERNELS[(family, orientation)])
    direction = "left to right (a horizontal difference: right column minus left column)" if orientation == "vertical" \
        else "top to bottom (a vertical difference: bottom row minus top row)"
    steps = [f"A {orientation} edge is a boundary running {'top to bottom' if orientation == 'vertical' else 'left to right'}: "
             f"brightness changes from {direction}.",
             f"The {family} kernel {answer} takes exactly that difference (smoothed along the edge), so it responds; "
             "blur kernels average and the identity copies, so none of them finds edges."]
    mistakes = {f"that is the {family} {other}-edge kernel (the transpose): it differentiates across the other axis":
                text(KERNELS[(family, other)])}
    mistakes.update({f"that is {name}": option for name, option in NOT_EDGES.items()})
    runs = "top to bottom (brightness changes from left to right)" if orientation == "vertical" \
        else "left to right (brightness changes from top to bottom)"
    concept = ("A kernel responds to an edge when its weights take a difference across the edge (positive on one side, "
               "negative on the other) and sum to zero; which axis the difference runs along decides the edge it finds.")
    return Solution(answer, steps, mistakes, context={"_other": other, "_runs": runs}, concept=concept)
