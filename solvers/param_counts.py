"""Learnable parameter counts of a network spec (see ``solvers._layers`` for the spec format).

params: input_shape (C, H, W), (F,), (T, F) or (T,) token ids; layers [layer spec, ...] (or a
        ``graph`` of named nodes instead, see ``solvers._graph``);
        optional skips [{from: i, to: j}, ...]: the input of layer i is added to the output of
        layer j (a residual connection: an element-wise sum, no parameters; shapes must match).
answer: int, the total number of learnable parameters (weights + biases)

Each classic slip is applied to every layer it fits (a misconception is consistent), so
the network's wrong total is total − (right count of those layers) + (their wrong count).
"""

from __future__ import annotations

from dataclasses import replace

from . import Checkpoint, InvalidParams, Solution, formula, solver
from ._params import Int, Layer, Shape, Record, ListOf, LAYER, LAYERS, INPUT_SHAPE
from ._fmt import fmt, shape as show
from ._layer_formulas import layer_formula, layer_formulas
from .architectures import NETWORK_GRAPH, PART
from ._layers import layer_output_shape, layer_params, layer_repr, net_repr, pair, rnn_gates

POOLS = ("MaxPool2d", "AvgPool2d")
NORMS = ("BatchNorm1d", "BatchNorm2d", "LayerNorm")


def layer_slips(layer: dict, weights: int, biases: int) -> dict[str, int]:
    """{classic slip: the count it gives for this one layer}, only the slips that fit this layer."""
    kind = layer.get("type")
    right = weights + biases
    out: dict[str, int] = {}
    if biases and kind in NORMS:
        out["counted one parameter per channel (forgot that γ and β are both learned)"] = weights
    elif biases:
        out["forgot the biases"] = weights
        if kind in ("Linear", "Conv2d", "ConvTranspose2d"):
            out["counted one bias per layer instead of one per output unit/filter"] = weights + 1
    if kind in ("Linear", "Conv2d", "ConvTranspose2d") and not layer.get("bias", True):
        n_out = int(layer["out_features"] if kind == "Linear" else layer["out_channels"])
        out["added a bias per output though the layer has bias=False"] = weights + n_out
    if kind == "Conv2d":
        cin, cout, g = int(layer["in_channels"]), int(layer["out_channels"]), int(layer.get("groups", 1))
        kh, kw = pair(layer["kernel_size"])
        out["left out the input channels (counted K·K·C_out, as if each filter were 2-D)"] = weights // (cin // g) + biases
        if g > 1:
            out["ignored groups (gave every filter all C_in input channels)"] = kh * kw * cin * cout + biases
    if kind in POOLS:
        kh, kw = pair(layer["kernel_size"])
        out["counted the pooling window as weights (pooling has no parameters)"] = kh * kw
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        out["counted the running mean and variance too (they are buffers, not learned)"] = 2 * right
    if kind == "LayerNorm":
        out["forgot the LayerNorms' γ and β"] = 0
    if kind == "Embedding":
        n, d = int(layer["num_embeddings"]), int(layer["embedding_dim"])
        out["gave the embedding a bias per dimension (it is a lookup table, no bias)"] = n * d + d
        out["added vocabulary size and dimension instead of multiplying them"] = n + d
    if kind in ("RNN", "GRU", "LSTM"):
        g, h = rnn_gates(kind), int(layer["hidden_size"])
        stacks = int(layer.get("num_layers", 1)) * (2 if layer.get("bidirectional") else 1)
        if biases:
            out["counted one bias vector per gate (the textbook b; PyTorch has both b_ih and b_hh)"] = weights + biases // 2
        if kind == "LSTM":
            out["used 3 gate blocks (the GRU's count) for an LSTM"] = right * 3 // 4
        if kind == "GRU":
            out["used 4 gate blocks (the LSTM's count) for a GRU"] = right * 4 // 3
        out["forgot the recurrent weights W_hh (H×H per gate)"] = right - stacks * g * h * h
        if g > 1:
            out["counted a single gate block"] = right // g
    if kind in ("MultiheadAttention", "TransformerEncoderLayer"):
        e = int(layer["embed_dim"] if kind == "MultiheadAttention" else layer["d_model"])
        heads = int(layer["num_heads"] if kind == "MultiheadAttention" else layer["nhead"])
        bias = bool(layer.get("bias", True))
        aw, ab, _ = layer_params({"type": "MultiheadAttention", "embed_dim": e, "num_heads": heads, "bias": bias})
        out["multiplied the attention parameters by the number of heads"] = right + (heads - 1) * (aw + ab)
        out["forgot the attention's output projection W_O"] = right - e * e - (e if bias else 0)
        if kind == "TransformerEncoderLayer":
            f = int(layer.get("dim_feedforward", 2048))
            nw, nb, _ = layer_params({"type": "LayerNorm", "normalized_shape": e, "bias": bias})
            out["forgot the LayerNorms' γ and β"] = right - 2 * (nw + nb)
            out["counted only one of the two feed-forward Linear layers"] = right - (f * e + (e if bias else 0))
    return {name: value for name, value in out.items() if value != right}


@solver("network-params", params={
    "input_shape": INPUT_SHAPE.opt(),
    "layers": LAYERS.opt(),
    "skips": ListOf("residual adds: the input of layer `from` is added to the output of layer `to`", item=Record("one skip", fields={
        "from": Int("the layer whose input is added, 0-based", lo=0), "to": Int("the layer it is added after, 0-based", lo=0)}), optional=True),
    **NETWORK_GRAPH,
    "part": PART,
})
def network_params(p: dict) -> Solution:
    """Total learnable parameters: per layer weights + biases, summed; the shapes must chain.

    Params in the graph form (``graph`` or ``model``, see ``solvers._graph``) are counted by the
    graph walk (the ``graph-params`` solver); the chain below is its simple case."""
    if "graph" in p or "model" in p:
        from .architectures import graph_params

        return graph_params(p)
    layers = p["layers"]
    shape = tuple(int(d) for d in p["input_shape"])
    skips = {int(s["to"]): int(s["from"]) for s in p.get("skips", [])}
    steps, rows, shapes = [], [], [shape]
    layer_checks: list[Checkpoint] = []
    slips: dict[str, int] = {}  # name -> wrong total − right total
    flattened: tuple[int, ...] | None = None
    for i, layer in enumerate(layers):
        shape = layer_output_shape(layer, shape)  # validates that the layers fit together
        shapes.append(shape)
        w, b, formula = layer_params(layer)
        rows.append((layer, w, b))
        steps.append(f"{layer_repr(layer)}: {formula} = {fmt(w + b)}")
        if w + b:
            layer_checks.append(Checkpoint(f"parameters of layer {i + 1}, {layer_repr(layer)}", w + b, "integer", len(steps) - 1))
        for name, wrong in layer_slips(layer, w, b).items():
            slips[name] = slips.get(name, 0) + wrong - (w + b)
        if layer.get("type") == "Flatten" and len(shapes[-2]) == 3 and shapes[-2][0] > 1:
            flattened = shapes[-2]
            steps[-1] = f"Flatten: {show(flattened)} → {fmt(shape[0])} features ({'·'.join(map(str, flattened))}, channels included); no parameters"
        elif layer.get("type") == "Linear" and flattened is not None:
            c = flattened[0]
            slips["flattened only H×W (forgot the channels)"] = w // c - w
            flattened = None
        if i in skips:
            j = skips[i]
            if not 0 <= j <= i or shapes[j] != shape:
                raise InvalidParams(f"skip from layer {j + 1}'s input {show(shapes[j]) if 0 <= j <= i else '?'} to layer {i + 1}'s output {show(shape)}: shapes differ")
            c = shape[0]
            steps.append(f"Skip connection: layer {j + 1}'s input ({show(shapes[j])}) is added to layer {i + 1}'s output ({show(shape)}) — an element-wise sum, 0 parameters")
            slips["gave the skip connection weights (a C×C 1×1 conv + bias); the identity has none"] = slips.get(
                "gave the skip connection weights (a C×C 1×1 conv + bias); the identity has none", 0) + c * c + c
    weights = sum(w for _, w, _ in rows)
    biases = sum(b for _, _, b in rows)
    total = weights + biases
    if total == 0 and not any(layer.get("type") in POOLS for layer in layers):
        raise InvalidParams("a network with no parameters and no pooling makes no question")
    learned = [(layer, w, b) for layer, w, b in rows if w + b]
    if len(learned) > 1:
        steps.append("Total = " + " + ".join(fmt(w + b) for _, w, b in learned) + f" = {fmt(total)}")
    elif biases:
        steps.append(f"Total = {fmt(weights)} weights + {fmt(biases)} biases = {fmt(total)}")
    else:
        steps.append(f"Total = {fmt(total)}")

    mistakes = {name: total + delta for name, delta in slips.items() if delta}
    if len(learned) >= 2:
        mistakes["left out the last layer"] = total - (learned[-1][1] + learned[-1][2])
    if len(learned) > 1:
        checks = layer_checks
    elif biases:  # one learned layer: its weights, then its biases
        checks = [Checkpoint("weights", weights, "integer", len(steps) - 1), Checkpoint("biases", biases, "integer", len(steps) - 1)]
    else:
        checks = []
    checks = checks + [Checkpoint("total parameters", total, "integer", len(steps) - 1)]
    return Solution(total, steps, mistakes, context={"_net": net_repr(layers)}, checkpoints=checks, formulas=layer_formulas(layers),
                    concept="" if learned else "Which of these layers holds a weight that training updates?")


@solver("image-fc-params", params={
    "input_shape": Shape("the image, of shape (C, H, W), batch left out", dims="CHW", example=[3, 28, 28]),
    "layers": LAYERS.eg([{"type": "Flatten"}, {"type": "Linear", "in_features": 3 * 28 * 28, "out_features": 10}]),
})
def image_fc_params(p: dict) -> Solution:
    """network-params for a fully-connected layer on a whole image; the prompt gets its megapixels."""
    c, h, w = (int(d) for d in p["input_shape"])
    sol = network_params(p)
    sol.steps.insert(0, f"{h}×{w} = {fmt(h * w)} pixels ({fmt(h * w / 1e6, 4)} MP) × {c} channels = {fmt(c * h * w)} input numbers")
    sol.checkpoints = [Checkpoint("input numbers (pixels × channels)", c * h * w, "integer", 0)] + [
        replace(cp, step=cp.step + 1) for cp in sol.checkpoints]
    sol.formulas = layer_formulas(p["layers"], first=1)
    sol.mistakes["forgot both the channels and the biases (pixels × units)"] = h * w * int(p["layers"][-1]["out_features"])
    sol.context.update({"_megapixels": fmt(h * w / 1e6, 4), "_inputs": str(c * h * w)})
    return sol


@solver("separable-conv-ratio", params={
    "standard": Layer("the standard Conv2d spec", example={"type": "Conv2d", "in_channels": 32, "out_channels": 64, "kernel_size": 3, "padding": 1}),
    "separable": ListOf("the depthwise Conv2d (groups = C_in) then the pointwise 1×1 Conv2d", item=LAYER, example=[
        {"type": "Conv2d", "in_channels": 32, "out_channels": 32, "kernel_size": 3, "padding": 1, "groups": 32},
        {"type": "Conv2d", "in_channels": 32, "out_channels": 64, "kernel_size": 1}]),
})
def separable_conv_ratio(p: dict) -> Solution:
    """How many times fewer parameters a depthwise-separable conv has than a standard one.

    params: standard (a Conv2d spec), separable ([depthwise Conv2d with groups = C_in, pointwise 1×1 Conv2d])
    answer: float, standard count / separable count
    """
    std, (dw, pw) = p["standard"], p["separable"]
    cin = int(std["in_channels"])
    if int(dw.get("groups", 1)) != cin or int(dw["in_channels"]) != cin or int(dw["out_channels"]) != cin:
        raise InvalidParams(f"the depthwise conv must be Conv2d({cin}, {cin}, groups={cin})")
    if pair(pw["kernel_size"]) != (1, 1) or int(pw["in_channels"]) != cin or int(pw["out_channels"]) != int(std["out_channels"]):
        raise InvalidParams("the pointwise conv must be a 1×1 Conv2d from C_in to the standard conv's C_out")
    if pair(dw["kernel_size"]) != pair(std["kernel_size"]):
        raise InvalidParams("the depthwise kernel must match the standard conv's kernel")
    sw, sb, s_formula = layer_params(std)
    dw_w, dw_b, d_formula = layer_params(dw)
    pw_w, pw_b, p_formula = layer_params(pw)
    standard, depth, point = sw + sb, dw_w + dw_b, pw_w + pw_b
    separable = depth + point
    ratio = standard / separable
    kh, kw = pair(std["kernel_size"])
    steps = [
        f"Standard {layer_repr(std)}: {s_formula} = {fmt(standard)}",
        f"Depthwise {layer_repr(dw)}: {d_formula} = {fmt(depth)} (one {kh}×{kw} filter per channel)",
        f"Pointwise {layer_repr(pw)}: {p_formula} = {fmt(point)}",
        f"Separable total = {fmt(depth)} + {fmt(point)} = {fmt(separable)}",
        f"Ratio = {fmt(standard)} / {fmt(separable)} = {fmt(ratio, 5)}",
    ]
    full_depthwise = kh * kw * cin * cin + dw_b
    mistakes = {
        "inverted the ratio (separable / standard)": separable / standard,
        "forgot the pointwise conv's parameters (standard / depthwise)": standard / depth,
        "forgot the depthwise conv's parameters (standard / pointwise)": standard / point,
        "counted the depthwise conv as a full K·K·C_in·C_in conv": standard / (full_depthwise + point),
    }
    context = {"_std": layer_repr(std), "_dw": layer_repr(dw), "_pw": layer_repr(pw)}
    checks = [Checkpoint("parameters of the standard conv", standard, "integer", 0),
              Checkpoint("parameters of the depthwise conv", depth, "integer", 1),
              Checkpoint("parameters of the pointwise conv", point, "integer", 2),
              Checkpoint("the separable total", separable, "integer", 3), Checkpoint("the ratio", ratio, "number", 4)]
    k_sym = ("kernel size", kh) if kh == kw else None
    if k_sym is None or sb or dw_b or pw_b or int(std.get("groups", 1)) != 1:  # the general case: the three counts
        declared = formula("standard / (depthwise + pointwise)", name="ratio", standard=("the standard conv's parameters", standard),
                           depthwise=("the depthwise conv's parameters", depth), pointwise=("the pointwise conv's parameters", point))
    else:
        declared = formula("K*K*C_in*C_out / (K*K*C_in + C_in*C_out)", name="ratio", K=k_sym, C_in=("input channels", cin),
                           C_out=("output channels", int(std["out_channels"])))
    return Solution(ratio, steps, mistakes, context=context, checkpoints=checks,
                    formulas=[declared] + [f for f in (layer_formula(std, "checkpoint:0", "standard"),) if f])


@solver("dense-after-flatten-params", params={
    "input_shape": Shape("the input, of shape (C, H, W), batch left out", dims="CHW", example=[3, 28, 28]),
    "layers": LAYERS.eg([{"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3}, {"type": "Flatten"},
                         {"type": "Linear", "in_features": 8 * 26 * 26, "out_features": 10}]),
})
def dense_after_flatten_params(p: dict) -> Solution:
    """Parameters of the Linear layer after Flatten: (flattened size)·units + units.

    params: input_shape (C, H, W); layers: conv/pool specs, then Flatten, then one Linear whose
    in_features must equal the flattened size.
    """
    from .conv_shapes import network_output_shape

    layers = p["layers"]
    if len(layers) < 3 or layers[-2].get("type") != "Flatten" or layers[-1].get("type") != "Linear":
        raise InvalidParams("dense-after-flatten-params needs layers ending in Flatten, Linear")
    dense = layers[-1]
    shapes = network_output_shape({"input_shape": p["input_shape"], "layers": layers[:-2]})
    fm = tuple(shapes.answer)
    flat = 1
    for d in fm:
        flat *= d
    if int(dense["in_features"]) != flat:
        raise InvalidParams(f"Linear in_features {dense['in_features']} ≠ flattened size {flat}")
    units = int(dense["out_features"])
    bias = units if dense.get("bias", True) else 0
    answer = flat * units + bias
    steps = shapes.steps[:-1] + [
        f"Flatten: {show(fm)} → {'·'.join(map(str, fm))} = {fmt(flat)} features",
        f"{layer_repr(dense)}: {flat}·{units}" + (f" + {units}" if bias else "") + f" = {fmt(answer)}",
    ]
    mistakes: dict[str, int] = {}
    for name, wrong in shapes.mistakes.items():
        n = 1
        for d in wrong:
            n *= d
        if n != flat:
            mistakes[f"flattened the wrong feature map: {name}"] = n * units + bias
    if len(fm) == 3:
        mistakes["flattened only H×W (forgot the channels)"] = fm[1] * fm[2] * units + bias
    if bias:
        mistakes["forgot the biases"] = flat * units
    mistakes["counted the feature map's size as the parameters (no weights per unit)"] = flat
    shown = net_repr(layers[:-1]) + f"\n  {len(layers)}. Linear(in_features=?, out_features={units})"
    checks = [Checkpoint("the last feature map's shape", fm, "shape", len(steps) - 3),
              Checkpoint("features after Flatten", flat, "integer", len(steps) - 2),
              Checkpoint("parameters of the Linear layer", answer, "integer", len(steps) - 1)]
    dims = dict(zip(("C", "H", "W"), fm)) if len(fm) == 3 else {}
    if dims:
        declared = formula("C*H*W*m + m" if bias else "C*H*W*m", name="params", C=("channels of the last feature map", fm[0]),
                           H=("its height", fm[1]), W=("its width", fm[2]), m=("units of the Linear layer", units))
    else:
        declared = formula("n*m + m" if bias else "n*m", name="params", n=("features after Flatten", flat), m=("units of the Linear layer", units))
    return Solution(answer, steps, mistakes, context={"_net": shown}, checkpoints=checks, formulas=[declared])
