"""Output shapes of conv/pool layers and of whole network specs, and the cost of a conv.

Conventions (stated in every prompt): padding P is *per side*; sizes use floor division;
shapes are (C, H, W) with the batch dimension left out.

    H' = floor((H + 2·P − D·(K − 1) − 1) / S) + 1        (D = 1:  floor((H + 2P − K)/S) + 1)
    transposed:  H' = (H − 1)·S − 2·P + D·(K − 1) + output_padding + 1
    'same' (stride 1):  P = D·(K − 1) / 2 per side
    MACs = H'·W'·C_out·(C_in / groups)·K_h·K_w,  FLOPs = 2·MACs   (bias ignored)
"""

from __future__ import annotations

import math

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Layer, Text, Shape, LAYER, LAYERS
from ._fmt import fmt, shape as show
from ._layers import conv_out, conv_transpose_out, layer_output_shape, layer_repr, net_repr, pair


def axis_formula(n: int, k: int, s: int, p: int, d: int, *, target: int | str | None, name: str = "H'", same: bool = False,
                 ceil_mode: bool = False) -> Formula:
    """The output height of a conv or pool layer as a declared formula (dilation only when there is one).
    A pool with ceil_mode rounds up, less a last window that would start in the right padding: at most
    ceil((H + P)/S) windows start before it."""
    syms = dict(H=("input height", n), P=("padding per side" + (" ('same': D·(K − 1)/2)" if same else ""), p), K=("kernel height", k),
                S=("stride", s))
    if ceil_mode:
        return formula("min(ceil((H + 2*P - K)/S) + 1, ceil((H + P)/S))", name=name, target=target, **syms)
    if d == 1:
        return formula("floor((H + 2*P - K)/S) + 1", name=name, target=target, **syms)
    return formula("floor((H + 2*P - D*(K - 1) - 1)/S) + 1", name=name, target=target, D=("dilation", d), **syms)


def transpose_formula(n: int, k: int, s: int, p: int, d: int, op: int, *, target: int | str | None, name: str = "H'") -> Formula:
    """The output height of a transposed conv as a declared formula (dilation, output_padding only when set)."""
    syms = dict(H=("input height", n), S=("stride", s), P=("padding per side", p), K=("kernel height", k))
    expr = "(H - 1)*S - 2*P + " + ("D*(K - 1) + 1" if d > 1 else "K") + (" + O" if op else "")
    if d > 1:
        syms["D"] = ("dilation", d)
    if op:
        syms["O"] = ("output_padding", op)
    return formula(expr, name=name, target=target, **syms)


def last_axis_formula(layers: list[dict], shapes: list[tuple[int, ...]], out: tuple[int, ...]) -> Formula | None:
    """For a network's output shape: the last layer that changes the height, as a formula for the
    answer's height entry (a (C, H, W) answer), or C·H·W for a flattened (F,) answer."""
    if len(out) == 1 and len(layers) and layers[-1].get("type") == "Flatten" and len(shapes[-2]) == 3:
        c, h, w = shapes[-2]
        return formula("C*H*W", name="F", target=0, C=("channels of the last feature map", c), H=("its height", h), W=("its width", w))
    if len(out) != 3:
        return None
    for j in range(len(layers) - 1, -1, -1):
        layer, before = layers[j], shapes[j]
        kind = layer.get("type")
        if kind not in ("Conv2d", "MaxPool2d", "AvgPool2d", "ConvTranspose2d"):
            if len(before) != 3 or before[1] != shapes[j + 1][1]:
                return None  # the height changed in a layer without a formula here
            continue
        k, d = pair(layer.get("kernel_size", 1))[0], pair(layer.get("dilation", 1))[0]
        if kind == "ConvTranspose2d":
            return transpose_formula(before[1], k, pair(layer.get("stride", 1))[0], pair(layer.get("padding", 0))[0], d,
                                     pair(layer.get("output_padding", 0))[0], target=1)
        stride = layer.get("stride")
        s = pair(stride if stride is not None else (1 if kind == "Conv2d" else layer["kernel_size"]))[0]
        pad = layer.get("padding", 0)
        same = pad == "same"
        p = d * (k - 1) // 2 if same else 0 if pad == "valid" else pair(pad)[0]
        return axis_formula(before[1], k, s, p, d, target=1, same=same, ceil_mode=bool(layer.get("ceil_mode")))
    return None


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


@solver("conv-output-size", params={
    "input_shape": Shape("the input, of shape (C, H, W), batch left out", dims="CHW", example=[3, 9, 13]),
    "layer": LAYER.eg({"type": "Conv2d", "in_channels": 3, "out_channels": 16, "kernel_size": 3, "stride": 2, "padding": 1}),
})
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
    checks = [Checkpoint("output height H'", oh, "integer", 2), Checkpoint("output width W'", ow, "integer", 3),
              Checkpoint("output shape H'×W'", (oh, ow), "shape", 4)]
    return Solution((oh, ow), steps, mistakes, context={"_total_pad": total}, checkpoints=checks,
                    formulas=[axis_formula(h, kh, sh, ph, dh, target=0)])


def _chain(layers: list[dict], shape: tuple[int, ...], shapes: list | None = None) -> tuple[tuple[int, ...], list[str]]:
    """The output shape and one line per layer; ``shapes`` (if given) collects each layer's output."""
    lines = [f"input: {show(shape)}"]
    for layer in layers:
        shape = layer_output_shape(layer, shape)
        if shapes is not None:
            shapes.append(shape)
        note = ""
        if layer.get("padding") == "same":
            k, d = pair(layer["kernel_size"])[0], pair(layer.get("dilation", 1))[0]
            note = f"  (padding='same', stride 1: P = D·(K − 1)/2 = {d}·{k - 1}/2 = {d * (k - 1) // 2} per side keeps H and W)"
        if layer.get("ceil_mode"):
            note = "  (ceil_mode=True: ceil((H + 2P − K)/S) + 1, less a last window that would start in the right padding)"
        lines.append(f"{layer_repr(layer)} → {show(shape)}{note}")
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


@solver("network-output-shape", params={
    "input_shape": Shape("the input, of shape (C, H, W), batch left out", dims="CHW"),
    "layers": LAYERS,
})
def network_output_shape(p: dict) -> Solution:
    """Shape (C, H, W) or (F,) after the last layer of a network spec, layer by layer."""
    layers = p["layers"]
    start = tuple(int(d) for d in p["input_shape"])
    shapes: list[tuple[int, ...]] = []
    out, lines = _chain(layers, start, shapes)
    steps = ["Each conv/pool axis: floor((H + 2P − K)/S) + 1, padding per side; channels become C_out."] + lines
    checks = [Checkpoint(f"the shape after layer {k + 1}, {layer_repr(layer)}", shape, "shape", k + 2)
              for k, (layer, shape) in enumerate(zip(layers, shapes))]
    steps.append(f"Output: {show(out)}")
    mistakes: dict[str, tuple[int, ...]] = {}
    same = [l for l in layers if l.get("padding") == "same"]
    attempts = {
        "ignored the conv strides": lambda: _variant(layers, stride=lambda l: 1),
        "forgot the pooling layers": lambda: [l for l in layers if l.get("type") not in ("MaxPool2d", "AvgPool2d")],
    }
    if any(l.get("ceil_mode") for l in layers):
        attempts["rounded down in a ceil_mode pool"] = lambda: [{**l, "ceil_mode": False} if l.get("ceil_mode") else l for l in layers]
    if same:
        attempts["treated padding='same' as no padding"] = lambda: _variant(
            layers, padding=lambda l: 0 if l.get("padding") == "same" else l.get("padding", 0))
        attempts["padded K//2 per side for a dilated 'same' conv (ignored the dilation)"] = lambda: _variant(
            layers, padding=lambda l: pair(l["kernel_size"])[0] // 2 if l.get("padding") == "same" else l.get("padding", 0))
    else:
        attempts["used 'same' padding (kept the size through stride-1 convs)"] = lambda: _variant(
            layers, padding=lambda l: pair(l["kernel_size"])[0] // 2)
    for name, build in attempts.items():
        try:
            mistakes[name] = _chain(build(), start)[0]
        except ValueError:
            pass
    if len(out) == 3:
        mistakes["wrote it channels-last (H×W×C) though the question asks for C×H×W"] = (out[1], out[2], out[0])
    declared = last_axis_formula(layers, [start] + shapes, out)
    return Solution(out, steps, mistakes, context={"_net": net_repr(layers)}, checkpoints=checks, formulas=[declared] if declared else [])


@solver("conv-transpose-output-size", params={
    "input_shape": Shape("the input, of shape (C, H, W), batch left out", dims="CHW", example=[64, 16, 16]),
    "layer": Layer("a ConvTranspose2d spec", example={"type": "ConvTranspose2d", "in_channels": 64, "out_channels": 32, "kernel_size": 4, "stride": 2, "padding": 1}),
})
def conv_transpose_output_size(p: dict) -> Solution:
    """Spatial output H'×W' of one ConvTranspose2d layer on an H×W input."""
    layer = p["layer"]
    _, h, w = (int(d) for d in p["input_shape"])
    if layer.get("type") != "ConvTranspose2d":
        raise InvalidParams("conv-transpose-output-size needs a ConvTranspose2d layer")
    layer_output_shape(layer, tuple(int(d) for d in p["input_shape"]))  # validates the layer
    k, s, pad = pair(layer["kernel_size"]), pair(layer.get("stride", 1)), pair(layer.get("padding", 0))
    d, op = pair(layer.get("dilation", 1)), pair(layer.get("output_padding", 0))
    axes = []
    for i, n in enumerate((h, w)):
        K, S, P, D, OP = k[i], s[i], pad[i], d[i], op[i]
        out = conv_transpose_out(n, K, S, P, D, OP)
        line = f"({n} − 1)·{S} − 2·{P} + {D}·({K} − 1) + {OP} + 1 = {(n - 1) * S} − {2 * P} + {D * (K - 1)} + {OP} + 1 = {out}"
        slips = {
            "used the forward conv formula floor((H + 2P − D(K−1) − 1)/S) + 1": (n + 2 * P - D * (K - 1) - 1) // S + 1,
            "subtracted the padding once (treated the per-side padding as the total)": (n - 1) * S - P + D * (K - 1) + OP + 1,
            "forgot the padding": (n - 1) * S + D * (K - 1) + OP + 1,
            "added the padding instead of subtracting it": (n - 1) * S + 2 * P + D * (K - 1) + OP + 1,
            "used H·S instead of (H − 1)·S": n * S - 2 * P + D * (K - 1) + OP + 1,
            "forgot the +1": (n - 1) * S - 2 * P + D * (K - 1) + OP,
        }
        if OP:
            slips["forgot the output_padding"] = out - OP
        if D > 1:
            slips["ignored the dilation"] = (n - 1) * S - 2 * P + (K - 1) + OP + 1
        axes.append((out, line, slips))
    (oh, line_h, slips_h), (ow, line_w, slips_w) = axes
    steps = [
        f"{layer_repr(layer)} on H×W = {h}×{w}: a transposed conv scatters each input value through the kernel, S apart.",
        "H' = (H − 1)·S − 2P + D·(K − 1) + output_padding + 1  (P per side is cropped from the full output)",
        f"height: {line_h}",
        f"width:  {line_w}",
        f"Output: {oh}×{ow}",
    ]
    names = [n for n in slips_h if n in slips_w] + [n for n in slips_h if n not in slips_w] + [n for n in slips_w if n not in slips_h]
    mistakes = {n: (slips_h.get(n, oh), slips_w.get(n, ow)) for n in names}
    mistakes = {n: v for n, v in mistakes.items() if min(v) >= 1}  # a size below 1 is no answer anyone gives
    checks = [Checkpoint("output height H'", oh, "integer", 2), Checkpoint("output width W'", ow, "integer", 3),
              Checkpoint("output shape H'×W'", (oh, ow), "shape", 4)]
    declared = transpose_formula(h, k[0], s[0], pad[0], d[0], op[0], target=0)
    return Solution((oh, ow), steps, mistakes, checkpoints=checks, formulas=[declared])


@solver("same-padding", params={
    "kernel_size": Int("the kernel size K", lo=1),
    "dilation": Int("the dilation D", lo=1),
})
def same_padding(p: dict) -> Solution:
    """Padding P per side that keeps the size of a stride-1 conv: P = D·(K − 1)/2.

    params: kernel_size K (odd when D is odd), dilation D (default 1)
    answer: int, P per side
    """
    k, d = int(p["kernel_size"]), int(p.get("dilation", 1))
    if k < 1 or d < 1:
        raise InvalidParams(f"kernel_size {k} and dilation {d} must be ≥ 1")
    span = d * (k - 1)
    if span % 2:
        raise InvalidParams(f"D·(K − 1) = {span} is odd: no symmetric padding keeps the size")
    answer = span // 2
    steps = [
        f"At stride 1, H' = H + 2P − D·(K − 1); keeping H' = H needs 2P = D·(K − 1) = {d}·{k - 1} = {span}.",
        f"P = {span}/2 = {answer} per side ({span} rows in total)",
    ]
    if d > 1:
        steps.insert(0, f"The dilated kernel spans D·(K − 1) + 1 = {span + 1} positions.")
    mistakes = {"gave the total padding D·(K − 1), not the padding per side": span}
    if d == 1:
        mistakes["rounded K/2 up: (K + 1)/2"] = (k + 1) // 2
    else:
        mistakes["ignored the dilation: (K − 1)/2"] = (k - 1) // 2
        mistakes["used the dilation alone as the padding"] = d
        mistakes["padded half the effective kernel rounded up: (D·(K − 1) + 2)/2"] = (span + 2) // 2
    declared = (formula("(K - 1)/2", name="P", K=("kernel size", k)) if d == 1 else
                formula("D*(K - 1)/2", name="P", D=("dilation", d), K=("kernel size", k)))
    return Solution(answer, steps, mistakes, formulas=[declared])


@solver("flatten-size", params={
    "input_shape": Shape("the input, of shape (C, H, W), batch left out", dims="CHW"),
    "layers": LAYERS,
})
def flatten_size(p: dict) -> Solution:
    """Number of features after Flatten at the end of a conv/pool stack: C·H·W of the last map."""
    sol = network_output_shape(p)
    out = tuple(sol.answer)
    if len(out) != 3:
        raise InvalidParams("flatten-size needs a stack ending in a (C, H, W) feature map")
    answer = out[0] * out[1] * out[2]
    steps = sol.steps[:-1] + [f"Last feature map {show(out)}; Flatten gives C·H·W = {out[0]}·{out[1]}·{out[2]} = {fmt(answer)} features"]
    checks = sol.checkpoints + [Checkpoint("features after Flatten, C·H·W", answer, "integer", len(steps) - 1)]
    mistakes: dict[str, int] = {}
    for name, shape in sol.mistakes.items():
        n = 1
        for dim in shape:
            n *= dim
        mistakes[name] = n
    mistakes["multiplied H·W only (forgot the channels)"] = out[1] * out[2]
    c, h, w = (int(d) for d in p["input_shape"])
    mistakes["flattened the input image instead of the last feature map"] = c * h * w
    declared = formula("C*H*W", name="features", C=("channels of the last feature map", out[0]), H=("its height", out[1]),
                       W=("its width", out[2]))
    return Solution(answer, steps, mistakes, context=sol.context, checkpoints=checks, formulas=[declared])


@solver("conv-macs", params={
    "input_shape": Shape("the input, of shape (C, H, W), batch left out", dims="CHW", example=[3, 32, 32]),
    "layer": LAYER.eg({"type": "Conv2d", "in_channels": 3, "out_channels": 16, "kernel_size": 3, "stride": 2, "padding": 1}),
    "count": Text("what to count: multiply-accumulates or FLOPs (2 per MAC)", choices=("MACs", "FLOPs"), optional=True, example='MACs'),
})
def conv_macs(p: dict) -> Solution:
    """Multiply-accumulates (or FLOPs = 2·MACs) of one Conv2d layer; bias ignored.

    params: input_shape (C, H, W), layer (Conv2d spec), count: "MACs" | "FLOPs"
    answer: int
    """
    layer, count = p["layer"], p.get("count", "MACs")
    if layer.get("type") != "Conv2d" or count not in ("MACs", "FLOPs"):
        raise InvalidParams("conv-macs needs a Conv2d layer and count MACs or FLOPs")
    shape = tuple(int(d) for d in p["input_shape"])
    cout, oh, ow = layer_output_shape(layer, shape)
    cin, g = int(layer["in_channels"]), int(layer.get("groups", 1))
    kh, kw = pair(layer["kernel_size"])
    per_output = (cin // g) * kh * kw
    macs = oh * ow * cout * per_output
    factor = 2 if count == "FLOPs" else 1
    answer = factor * macs
    steps = [
        f"{layer_repr(layer)} on {show(shape)} → output {cout}×{oh}×{ow}",
        f"Each output value is a dot product of K·K·C_in/groups = {kh}·{kw}·{cin // g} = {per_output} multiply-accumulates",
        f"MACs = H'·W'·C_out·{per_output} = {oh}·{ow}·{cout}·{per_output} = {fmt(macs)}",
    ]
    checks = [Checkpoint("output shape C_out×H'×W'", (cout, oh, ow), "shape", 0),
              Checkpoint("multiply-accumulates per output value", per_output, "integer", 1), Checkpoint("MACs", macs, "integer", 2)]
    if count == "FLOPs":
        steps.append(f"FLOPs = 2·MACs (one multiply + one add each) = {fmt(answer)}")
        checks.append(Checkpoint("FLOPs", answer, "integer", 3))
    mistakes = {
        "used the input's H·W instead of the output's H'·W'": factor * shape[1] * shape[2] * cout * per_output,
        "forgot the input channels (K·K per output value)": factor * oh * ow * cout * kh * kw,
        "counted the weights once (the parameter count), not once per output position": factor * cout * per_output,
        "forgot the output channels": factor * oh * ow * per_output,
    }
    if count == "FLOPs":
        mistakes["gave MACs, not FLOPs (forgot 2 FLOPs per multiply-accumulate)"] = macs
        mistakes["added a FLOP per output for the bias (the question ignores the bias)"] = answer + oh * ow * cout
    else:
        mistakes["gave FLOPs (2 per MAC), not MACs"] = 2 * macs
    syms = dict(H_out=("output height", oh), W_out=("output width", ow), C_out=("output channels", cout), C_in=("input channels", cin))
    syms.update(dict(K=("kernel size", kh)) if kh == kw else dict(K_h=("kernel height", kh), K_w=("kernel width", kw)))
    if g > 1:
        syms["g"] = ("groups", g)
    body = "H_out*W_out*C_out*" + ("(C_in/g)" if g > 1 else "C_in") + ("*K*K" if kh == kw else "*K_h*K_w")
    declared = formula(("2*" if count == "FLOPs" else "") + body, name=count, **syms)
    return Solution(answer, steps, mistakes, checkpoints=checks, formulas=[declared])
