"""Learnable parameter counts of a network spec (see ``solvers._layers`` for the spec format).

params: input_shape (C, H, W) or (F,), layers [layer spec, ...]
answer: int, the total number of learnable parameters (weights + biases)
"""

from __future__ import annotations

from solvers import InvalidParams, Solution, solver
from solvers._layers import layer_output_shape, layer_params, layer_repr, net_repr, pair


@solver("network-params")
def network_params(p: dict) -> Solution:
    """Total learnable parameters: per layer weights + biases, summed; the shapes must chain."""
    layers = p["layers"]
    shape = tuple(int(d) for d in p["input_shape"])
    steps, rows = [], []
    for layer in layers:
        shape = layer_output_shape(layer, shape)  # validates that the layers fit together
        w, b, formula = layer_params(layer)
        rows.append((layer, w, b))
        steps.append(f"{layer_repr(layer)}: {formula} = {w + b}")
    weights = sum(w for _, w, _ in rows)
    biases = sum(b for _, _, b in rows)
    total = weights + biases
    if total == 0 and not any(layer.get("type") in ("MaxPool2d", "AvgPool2d") for layer in layers):
        raise InvalidParams("a network with no parameters and no pooling makes no question")
    learned = [(layer, w, b) for layer, w, b in rows if w + b]
    if len(learned) > 1:
        steps.append("Total = " + " + ".join(str(w + b) for _, w, b in learned) + f" = {total}")
    else:
        steps.append(f"Total = {total}")

    mistakes: dict[str, int] = {}
    if biases:
        mistakes["forgot the biases"] = weights
        mistakes["counted one bias per layer instead of one per output unit/filter"] = weights + len(learned)
    convs = [(layer, w) for layer, w, _ in rows if layer.get("type") == "Conv2d"]
    if convs:
        dropped = sum(w // (int(layer["in_channels"]) // int(layer.get("groups", 1))) for layer, w in convs)
        mistakes["left out the input channels (counted K·K·C_out, as if each filter were 2-D)"] = total - sum(w for _, w in convs) + dropped
    pools = [layer for layer in layers if layer.get("type") in ("MaxPool2d", "AvgPool2d")]
    if pools:
        window = sum(pair(layer["kernel_size"])[0] * pair(layer["kernel_size"])[1] for layer in pools)
        mistakes["counted the pooling window as weights (pooling has no parameters)"] = total + window
    if len(learned) >= 2:
        mistakes["left out the last layer"] = total - (learned[-1][1] + learned[-1][2])
    return Solution(total, steps, mistakes, context={"_net": net_repr(layers)})
