"""Receptive field, jump (effective stride) and receptive-field centre of a conv/pool stack.

params: layers [Conv2d / MaxPool2d / AvgPool2d spec, ...] with square kernel_size K, stride S
        (pools default to S = K), padding P per side, dilation D (convs). Channels do not matter.

Along one axis, from r_0 = 1, j_0 = 1, start_0 = 0 (0-based input pixel index), layer by
layer with the effective kernel K_e = D·(K − 1) + 1 (004 Q26's recurrence)::

    r_out = r_in + (K_e − 1)·j_in          receptive-field size (first to last input it spans)
    j_out = j_in·S                          jump: input pixels between adjacent outputs
    start_out = start_in + ((K_e − 1)/2 − P)·j_in     centre of output 0's field
"""

from __future__ import annotations

from dataclasses import dataclass

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import LAYERS
from ._fmt import fmt
from ._layers import net_repr, pair

POOLS = ("MaxPool2d", "AvgPool2d")


@dataclass(frozen=True)
class Geometry:
    k: int  # kernel size
    s: int  # stride
    p: int  # padding per side
    d: int  # dilation

    @property
    def span(self) -> int:
        """Effective kernel D·(K − 1) + 1."""
        return self.d * (self.k - 1) + 1


def geometry(layer: dict) -> Geometry:
    """One axis of a Conv2d/MaxPool2d/AvgPool2d spec; raises InvalidParams naming the bad value."""
    kind = layer.get("type")
    if kind not in ("Conv2d", *POOLS):
        raise InvalidParams(f"receptive fields here take Conv2d and pooling layers, got {kind!r}")
    k = pair(layer["kernel_size"], "kernel_size")
    stride = layer.get("stride")
    s = pair(stride if stride is not None else (layer["kernel_size"] if kind in POOLS else 1), "stride")
    p = pair(layer.get("padding", 0), "padding")
    d = pair(layer.get("dilation", 1), "dilation")
    if any(v[0] != v[1] for v in (k, s, p, d)):
        raise InvalidParams("receptive-field questions use square kernels, strides and paddings")
    g = Geometry(k[0], s[0], p[0], d[0])
    if g.k < 1 or g.s < 1 or g.d < 1 or g.p < 0:
        raise InvalidParams(f"kernel {g.k}, stride {g.s}, dilation {g.d} must be ≥ 1 and padding {g.p} ≥ 0")
    return g


def walk(geoms: list[Geometry], *, jump_after: bool = False, pad: bool = True) -> tuple[int, int, float]:
    """(r, j, start) after every layer. ``jump_after`` uses j_out in place of j_in (a classic slip)."""
    r, j, start = 1, 1, 0.0
    for g in geoms:
        j_out = j * g.s
        step = j_out if jump_after else j
        r += (g.span - 1) * step
        start += ((g.span - 1) / 2 - (g.p if pad else 0)) * step
        j = j_out
    return r, j, start


def _table(layers: list[dict], checks: dict[str, list[Checkpoint]] | None = None) -> tuple[list[Geometry], list[str]]:
    """The per-layer table as step lines; ``checks`` (if given) collects each layer's r, j and start."""
    if not layers:
        raise InvalidParams("a receptive-field question needs at least one layer")
    geoms = [geometry(layer) for layer in layers]
    steps = ["Start at the input: r₀ = 1, j₀ = 1, start₀ = 0. Per layer: r += (K_e − 1)·j_in, j ·= S, start += ((K_e − 1)/2 − P)·j_in."]
    r, j, start = 1, 1, 0.0
    for i, g in enumerate(geoms, start=1):
        ke = f"K_e = {g.d}·({g.k} − 1) + 1 = {g.span}" if g.d > 1 else f"K = {g.k}"
        r_new, j_new = r + (g.span - 1) * j, j * g.s
        start_new = start + ((g.span - 1) / 2 - g.p) * j
        steps.append(
            f"Layer {i} ({ke}, S = {g.s}, P = {g.p}): r = {r} + {g.span - 1}·{j} = {r_new}, j = {j}·{g.s} = {j_new}, "
            f"start = {fmt(start)} + ({fmt((g.span - 1) / 2)} − {g.p})·{j} = {fmt(start_new)}"
        )
        if checks is not None:
            where = len(steps) - 1
            checks.setdefault("r", []).append(Checkpoint(f"receptive field r after layer {i}", r_new, "integer", where))
            checks.setdefault("j", []).append(Checkpoint(f"jump j after layer {i}", j_new, "integer", where))
            checks.setdefault("start", []).append(Checkpoint(f"start after layer {i}", start_new, "number", where))
        r, j, start = r_new, j_new, start_new
    return geoms, steps


def _last(geoms: list[Geometry]) -> tuple[Geometry, int, int, float, dict]:
    """The last layer, (r, j, start) into it, and its kernel's symbols (D only when dilated)."""
    r, j, start = walk(geoms[:-1])
    g = geoms[-1]
    syms = dict(K=("the last layer's kernel size", g.k))
    if g.d > 1:
        syms["D"] = ("its dilation", g.d)
    return g, r, j, start, syms


def _context(layers: list[dict]) -> dict[str, str]:
    return {"_net": net_repr(layers)}


RF_LAYERS = LAYERS.eg([{"type": "Conv2d", "in_channels": 1, "out_channels": 1, "kernel_size": 3}, {"type": "MaxPool2d", "kernel_size": 2}, {"type": "Conv2d", "in_channels": 1, "out_channels": 1, "kernel_size": 3}])


@solver("receptive-field", params={
    "layers": RF_LAYERS,
})
def receptive_field(p: dict) -> Solution:
    """Receptive-field size (in input pixels, along one axis) of one output of the last layer."""
    layers = p["layers"]
    checks: dict[str, list[Checkpoint]] = {}
    geoms, steps = _table(layers, checks)
    r, j, _ = walk(geoms)
    steps.append(f"Receptive field: {r}×{r} input pixels")
    no_pool = [g for g, layer in zip(geoms, layers) if layer.get("type") not in POOLS]
    mistakes = {
        "multiplied by the jump after the layer (j_out) instead of before it (j_in)": walk(geoms, jump_after=True)[0],
        "ignored the strides (added K − 1 per layer)": 1 + sum(g.span - 1 for g in geoms),
        "added up the kernel sizes": sum(g.k for g in geoms),
        "started from r₀ = 0 instead of 1 (one pixel sees itself)": r - 1,
    }
    if no_pool and len(no_pool) < len(geoms):
        mistakes["left out the pooling layers"] = walk(no_pool)[0]
    if any(g.d > 1 for g in geoms):
        mistakes["ignored the dilation"] = walk([Geometry(g.k, g.s, g.p, 1) for g in geoms])[0]
    g, r_in, j_in, _, syms = _last(geoms)
    declared = formula("r_in + " + ("D*(K - 1)" if g.d > 1 else "(K - 1)") + "*j_in", name="r (the last layer's step of r += (K_e − 1)·j_in)",
                       r_in=("the receptive field into the last layer", r_in), j_in=("the jump into the last layer", j_in), **syms)
    return Solution(r, steps, mistakes, context=_context(layers), checkpoints=checks["r"], formulas=[declared])


@solver("receptive-field-jump", params={
    "layers": RF_LAYERS,
})
def receptive_field_jump(p: dict) -> Solution:
    """The jump (effective stride) after the last layer: input pixels between neighbouring outputs."""
    layers = p["layers"]
    checks: dict[str, list[Checkpoint]] = {}
    geoms, steps = _table(layers, checks)
    _, j, _ = walk(geoms)
    if len(geoms) < 2 or all(g.s == 1 for g in geoms):
        raise InvalidParams("a jump question needs two or more layers and some stride above 1")
    steps.append(f"Jump = product of the strides = {' · '.join(str(g.s) for g in geoms)} = {j}")
    conv_strides = 1
    for g, layer in zip(geoms, layers):
        if layer.get("type") not in POOLS:
            conv_strides *= g.s
    mistakes = {
        "added the strides instead of multiplying them": sum(g.s for g in geoms),
        "gave the jump into the last layer (left out its own stride)": j // geoms[-1].s,
        "used the last layer's stride only": geoms[-1].s,
        "gave the receptive field size, not the jump": walk(geoms)[0],
    }
    if any(layer.get("type") in POOLS for layer in layers):
        mistakes["left out the pooling strides"] = conv_strides
    strides = {f"S_{i}": (f"layer {i}'s stride", g.s) for i, g in enumerate(geoms, start=1)}
    declared = formula("*".join(strides), name="j (the product of the strides)", **strides)
    return Solution(j, steps, mistakes, context=_context(layers), checkpoints=checks["j"], formulas=[declared])


@solver("receptive-field-center", params={
    "layers": RF_LAYERS,
})
def receptive_field_center(p: dict) -> Solution:
    """Centre of output 0's receptive field, as a 0-based input position (padding included)."""
    layers = p["layers"]
    checks: dict[str, list[Checkpoint]] = {}
    geoms, steps = _table(layers, checks)
    r, _, start = walk(geoms)
    steps.append(f"Centre of output 0's field: {fmt(start)} (the field spans {fmt(start - (r - 1) / 2)} … {fmt(start + (r - 1) / 2)})")
    mistakes = {
        "forgot the padding (it shifts the field left by P·j_in per layer)": walk(geoms, pad=False)[2],
        "gave the field's first position instead of its centre": start - (r - 1) / 2,
        "multiplied by the jump after the layer (j_out) instead of before it (j_in)": walk(geoms, jump_after=True)[2],
        "counted positions from 1 instead of 0": start + 1,
    }
    g, _, j_in, start_in, syms = _last(geoms)
    declared = formula("start_in + (" + ("D*(K - 1)" if g.d > 1 else "(K - 1)") + "/2 - P)*j_in", name="start (the last layer's step)",
                       start_in=("the centre into the last layer", start_in), j_in=("the jump into the last layer", j_in),
                       P=("the last layer's padding per side", g.p), **syms)
    return Solution(start, steps, mistakes, context=_context(layers), checkpoints=checks["start"], formulas=[declared])
