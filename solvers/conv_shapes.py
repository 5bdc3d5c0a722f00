"""Output shapes of conv/pool layers and of whole network specs.

Conventions (stated in every prompt): padding P is *per side*; sizes use floor division;
shapes are (C, H, W) with the batch dimension left out.

    H' = floor((H + 2·P − D·(K − 1) − 1) / S) + 1        (D = 1:  floor((H + 2P − K)/S) + 1)
"""

from __future__ import annotations

import math

from solvers import Solution, solver
from solvers._fmt import shape as show
from solvers._layers import conv_out, layer_output_shape, layer_repr, net_repr, pair


def _axis(n: int, k: int, s: int, p: int, d: int) -> tuple[int, str, dict[str, int]]:
    """One axis: the size, the worked line, and the size each classic slip gives."""
    span = d * (k - 1) + 1
    out = conv_out(n, k, s, p, d)
    line = f"floor(({n} + 2·{p} − {span}) / {s}) + 1 = floor({n + 2 * p - span}/{s}) + 1 = {out}"
    if d > 1:
        line = f"effective kernel D·(K−1)+1 = {d}·{k - 1}+1 = {span}; " + line
    slips = {
        "added the padding once (treated the per-side padding as the total)": (n + p - span) // s + 1,
        "forgot the padding": (n - span) // s + 1,
        "forgot the +1": (n + 2 * p - span) // s,
        "rounded up instead of down": math.ceil((n + 2 * p - span) / s) + 1,
        "ignored the stride": n + 2 * p - span + 1,
        "added the kernel instead of subtracting it (n + k − 1)": (n + 2 * p + span - 2) // s + 1,
    }
    if d > 1:
        slips["ignored the dilation"] = (n + 2 * p - k) // s + 1
    return out, line, slips


@solver("conv-output-size")
def conv_output_size(p: dict) -> Solution:
    """Spatial output H'×W' of one Conv2d/MaxPool2d/AvgPool2d layer on an H×W input."""
    layer = p["layer"]
    _, h, w = (int(d) for d in p["input_shape"])
    kh, kw = pair(layer["kernel_size"], "kernel_size")
    stride = layer.get("stride")
    sh, sw = pair(stride if stride is not None else layer["kernel_size"], "stride")
    ph, pw = pair(layer.get("padding", 0), "padding")
    dh, dw = pair(layer.get("dilation", 1), "dilation")
    layer_output_shape(layer, tuple(int(d) for d in p["input_shape"]))  # validates the layer
    oh, line_h, slips_h = _axis(h, kh, sh, ph, dh)
    ow, line_w, slips_w = _axis(w, kw, sw, pw, dw)
    steps = [
        f"{layer_repr(layer)} on H×W = {h}×{w}; padding is per side, so each axis grows by 2·P.",
        "H' = floor((H + 2P − K)/S) + 1" if dh == dw == 1 else "H' = floor((H + 2P − D(K−1) − 1)/S) + 1",
        f"height: {line_h}",
        f"width:  {line_w}",
        f"Output: {oh}×{ow}",
    ]
    mistakes = {name: (slips_h[name], slips_w[name]) for name in slips_h}
    total = str(2 * ph) if ph == pw else f"{2 * ph} (height) and {2 * pw} (width)"
    return Solution((oh, ow), steps, mistakes, context={"_total_pad": total})


def _chain(layers: list[dict], shape: tuple[int, ...]) -> tuple[tuple[int, ...], list[str]]:
    lines = [f"input: {show(shape)}"]
    for layer in layers:
        shape = layer_output_shape(layer, shape)
        lines.append(f"{layer_repr(layer)} → {show(shape)}")
    return shape, lines


def _variant(layers: list[dict], **change) -> list[dict]:
    """The same network with conv layers changed, e.g. stride=1 or 'same' padding."""
    out = []
    for layer in layers:
        layer = dict(layer)
        if layer.get("type") == "Conv2d":
            for key, fn in change.items():
                layer[key] = fn(layer)
        out.append(layer)
    return out


@solver("network-output-shape")
def network_output_shape(p: dict) -> Solution:
    """Shape (C, H, W) or (F,) after the last layer of a network spec, layer by layer."""
    layers = p["layers"]
    start = tuple(int(d) for d in p["input_shape"])
    out, lines = _chain(layers, start)
    steps = ["Each conv/pool axis: floor((H + 2P − K)/S) + 1, padding per side; channels become C_out."] + lines
    steps.append(f"Output: {show(out)}")
    mistakes: dict[str, tuple[int, ...]] = {}
    attempts = {
        "used 'same' padding (kept the size through stride-1 convs)": lambda: _variant(layers, padding=lambda l: pair(l["kernel_size"])[0] // 2),
        "ignored the conv strides": lambda: _variant(layers, stride=lambda l: 1),
        "forgot the pooling layers": lambda: [l for l in layers if l.get("type") not in ("MaxPool2d", "AvgPool2d")],
    }
    for name, build in attempts.items():
        try:
            mistakes[name] = _chain(build(), start)[0]
        except ValueError:
            pass
    if len(out) == 3:
        mistakes["wrote it channels-last (H×W×C) though the question asks for C×H×W"] = (out[1], out[2], out[0])
    return Solution(out, steps, mistakes, context={"_net": net_repr(layers)})
