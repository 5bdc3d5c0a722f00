"""Backprop through skip (residual) connections.

One block: F = x + B(x), where the branch B is a chain of functions G, H, K, … applied to x.
Its local derivatives ``local_grads`` are listed in order along the branch, starting at x:
[dG/dx, dH/dG, …]. With upstream gradient u = dL/dF::

    dL/dx = u · (1 + Π local_grads)          (the 1 is the identity path)

Stacked blocks multiply: dL/dx = u · Π_blocks (1 + Π block's local_grads).
"""

from __future__ import annotations

from math import prod

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Num, Vector, Matrix
from ._fmt import fmt

NAMES = "GHKMNPQ"


def _local_symbols(grads: list[float], x: str = "x", first: int = 0) -> dict[str, tuple[str, float]]:
    """{"dG": ("dG/dx, a local derivative of the branch", 0.1), …}: one symbol per function of a branch."""
    names = [x] + list(NAMES[first : first + len(grads)])
    return {f"d{names[i + 1]}": (f"d{names[i + 1]}/d{names[i]}, a local derivative along the branch", g) for i, g in enumerate(grads)}


def _branch(grads: list[float], x: str = "x", first: int = 0) -> tuple[str, str]:
    """('H(G(x))', 'dG/dx = 0.1, dH/dG = 0.1') for a branch with these local derivatives."""
    if not 1 <= len(grads) <= len(NAMES) - first:
        raise InvalidParams(f"a branch has 1 to {len(NAMES) - first} functions, got {len(grads)}")
    expr, names = x, [x]
    for n in NAMES[first : first + len(grads)]:
        expr = f"{n}({expr})"
        names.append(n)
    given = ", ".join(f"d{names[i + 1]}/d{names[i]} = {fmt(g)}" for i, g in enumerate(grads))
    return expr, given


@solver("residual-grad", params={
    "upstream": Num("the upstream gradient ∂L/∂y"),
    "local_grads": Vector("each branch block's local derivative, of shape (n,)"),
})
def residual_grad(p: dict) -> Solution:
    """dL/dx through F = x + branch(x): upstream · (1 + product of the branch's local derivatives)."""
    grads = [float(g) for g in p["local_grads"]]
    u = float(p["upstream"])
    expr, given = _branch(grads)
    branch = prod(grads)
    answer = u * (1 + branch)
    chain = " · ".join(fmt(g) for g in grads)
    steps = [
        f"F = x + {expr}: two paths from x to F, the identity and the branch.",
        f"Branch path (chain rule): d{expr}/dx = {chain} = {fmt(branch)}",
        f"Identity path: dx/dx = 1, so dF/dx = 1 + {fmt(branch)} = {fmt(1 + branch)}",
        f"dL/dx = dL/dF · dF/dx = {fmt(u)} · {fmt(1 + branch)} = {fmt(answer)}",
    ]
    mistakes = {
        "forgot the identity path (the skip connection's 1)": u * branch,
        "forgot the branch path (kept only the identity)": u,
        "added 1 after multiplying: did not multiply the identity path by dL/dF": 1 + u * branch,
        "did not multiply the branch path by dL/dF": u + branch,
        "added all the derivatives instead of multiplying": u + sum(grads),
        "added the branch's local derivatives instead of multiplying them": sum(grads),
        "assumed no gradient flows through the addition": 0.0,
    }
    checks = [Checkpoint("the branch path's derivative (product of the local derivatives)", branch, "number", 1),
              Checkpoint("dF/dx (identity path + branch path)", 1 + branch, "number", 2),
              Checkpoint("dL/dx", answer, "number", 3)]
    local = _local_symbols(grads)
    declared = formula(f"u*(1 + {'*'.join(local)})", name="dL/dx", u=("the upstream gradient dL/dF", u), **local)
    return Solution(answer, steps, mistakes, context={"_branch": expr, "_given": given}, checkpoints=checks, formulas=[declared])


@solver("stacked-residual-grad", params={
    "upstream": Num("the upstream gradient ∂L/∂y"),
    "local_grads": Matrix("each block's branch derivatives, of shape (blocks, n)"),
})
def stacked_residual_grad(p: dict) -> Solution:
    """dL/dx through residual blocks stacked in order: u · Π (1 + branch product of each block)."""
    blocks = [[float(g) for g in block] for block in p["local_grads"]]
    if len(blocks) < 2:
        raise InvalidParams("stacked-residual-grad needs at least two blocks")
    u = float(p["upstream"])
    branches = [prod(b) for b in blocks]
    factors = [1 + b for b in branches]
    answer = u * prod(factors)
    steps, givens, first = [], [], 0
    for i, (block, b) in enumerate(zip(blocks, branches), start=1):
        inp = "x" if i == 1 else f"F{i - 1}"
        expr, given = _branch(block, inp, first)
        first += len(block)
        givens.append(f"F{i} = {inp} + {expr} with {given}")
        steps.append(f"Block {i}: dF{i}/d{inp} = 1 + {' · '.join(fmt(g) for g in block)} = {fmt(1 + b)}  (identity + branch)")
    steps.append(
        f"Chain the blocks: dL/dx = dL/dF{len(blocks)} · "
        + " · ".join(f"dF{i}/d{'x' if i == 1 else f'F{i - 1}'}" for i in range(len(blocks), 0, -1))
        + f" = {fmt(u)} · " + " · ".join(fmt(f) for f in reversed(factors)) + f" = {fmt(answer)}"
    )
    mistakes = {
        "forgot the identity paths": u * prod(branches),
        "added the blocks' contributions instead of multiplying the factors": u * (1 + sum(branches)),
        "kept only the last block": u * factors[-1],
        "forgot to multiply by the upstream gradient dL/dF": prod(factors),
        "kept only the identity path": u,
    }
    context = {"_blocks": "; ".join(givens), "_last": f"F{len(blocks)}"}
    checks = [Checkpoint(f"block {i}'s factor dF{i}/d{'x' if i == 1 else f'F{i - 1}'}", f, "number", i - 1)
              for i, f in enumerate(factors, start=1)] + [Checkpoint("dL/dx", answer, "number", len(steps) - 1)]
    local, terms, first = {}, [], 0
    for i, block in enumerate(blocks, start=1):
        syms = _local_symbols(block, "x" if i == 1 else f"F{i - 1}", first)
        first += len(block)
        local.update(syms)
        terms.append(f"(1 + {'*'.join(syms)})")
    declared = formula("u*" + "*".join(terms), name="dL/dx", u=(f"the upstream gradient dL/dF{len(blocks)}", u), **local)
    return Solution(answer, steps, mistakes, context=context, checkpoints=checks, formulas=[declared])
