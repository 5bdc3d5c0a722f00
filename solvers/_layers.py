"""What a PyTorch layer spec means: its repr, its learnable parameters, its output shape.

A layer spec is a dict with ``type`` (the PyTorch class name) and that class's constructor
argument names (Linear: in_features, out_features, bias; Conv2d: in_channels, out_channels,
kernel_size, stride, padding, dilation, groups, bias; MaxPool2d/AvgPool2d: kernel_size,
stride, padding; BatchNorm1d/2d: num_features), with PyTorch's defaults. A network is a
list of specs plus ``input_shape`` as (C, H, W) or (features,), batch dimension left out.

Shapes use one set of letters throughout: C channels, H height, W width, K kernel size,
S stride, P padding *per side*, D dilation. Output size of a conv or pool along one axis::

    H' = floor((H + 2·P − D·(K − 1) − 1) / S) + 1

Every helper raises ``InvalidParams`` naming the bad value; none imports numpy.
"""

from __future__ import annotations

from typing import Any

from solvers import InvalidParams

__all__ = ["pair", "conv_out", "layer_repr", "layer_params", "layer_output_shape", "net_repr", "PARAMETERLESS"]

PARAMETERLESS = {"ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "Flatten", "Identity", "MaxPool2d", "AvgPool2d"}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "Linear": {"bias": True},
    "Conv2d": {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True},
    "MaxPool2d": {"stride": None, "padding": 0},
    "AvgPool2d": {"stride": None, "padding": 0},
    "BatchNorm1d": {},
    "BatchNorm2d": {},
}


def pair(v: Any, name: str = "value") -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``[3, 5]`` → ``(3, 5)``."""
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise InvalidParams(f"{name} must be one number or two, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def conv_out(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Output size along one axis (PyTorch's floor formula); raises if it is below 1."""
    if s < 1 or k < 1 or p < 0 or d < 1:
        raise InvalidParams(f"kernel {k}, stride {s}, padding {p}, dilation {d}: all must be ≥ 1 (padding ≥ 0)")
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    if out < 1:
        raise InvalidParams(f"input {n} with kernel {k}, stride {s}, padding {p}, dilation {d} gives output {out} < 1")
    return out


def _get(layer: dict, key: str) -> Any:
    kind = layer.get("type")
    if key in layer:
        return layer[key]
    defaults = _DEFAULTS.get(kind, {})
    if key in defaults:
        return defaults[key]
    raise InvalidParams(f"{kind} layer needs {key!r}")


def layer_repr(layer: dict) -> str:
    """PyTorch-style constructor text, e.g. ``Conv2d(3, 96, kernel_size=11, stride=4)``."""
    kind = layer.get("type", "?")
    args = {k: v for k, v in layer.items() if k != "type"}
    positional = {"Linear": ("in_features", "out_features"), "Conv2d": ("in_channels", "out_channels"),
                  "BatchNorm2d": ("num_features",), "BatchNorm1d": ("num_features",)}.get(kind, ())
    parts = [str(args.pop(k)) for k in positional if k in args]
    parts += [f"{k}={v}" for k, v in args.items()]
    return f"{kind}({', '.join(parts)})"


def net_repr(layers: list[dict]) -> str:
    return "\n".join(f"  {i + 1}. {layer_repr(layer)}" for i, layer in enumerate(layers))


def layer_params(layer: dict) -> tuple[int, int, str]:
    """(weights, biases, formula) of one layer's learnable parameters."""
    kind = layer.get("type")
    if kind == "Linear":
        i, o = int(_get(layer, "in_features")), int(_get(layer, "out_features"))
        b = o if _get(layer, "bias") else 0
        return i * o, b, f"{i}·{o}" + (f" + {o}" if b else "") + " (weights in·out" + (" + one bias per output)" if b else ", no bias)")
    if kind == "Conv2d":
        cin, cout, g = int(_get(layer, "in_channels")), int(_get(layer, "out_channels")), int(_get(layer, "groups"))
        if cin % g or cout % g:
            raise InvalidParams(f"groups={g} must divide in_channels={cin} and out_channels={cout}")
        kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
        b = cout if _get(layer, "bias") else 0
        per = f"{cin // g}" + (f" (= {cin}/{g} groups)" if g > 1 else "")
        return kh * kw * (cin // g) * cout, b, f"{kh}·{kw}·{per}·{cout}" + (f" + {cout}" if b else "") + " (K·K·C_in·C_out" + (" + one bias per filter)" if b else ", no bias)")
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        c = int(_get(layer, "num_features"))
        return c, c, f"{c} + {c} (γ and β per channel; running mean/var are buffers, not learned)"
    if kind in PARAMETERLESS:
        return 0, 0, "no learnable parameters"
    raise InvalidParams(f"unknown layer type {kind!r}")


def layer_output_shape(layer: dict, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape after ``layer`` for an input of ``shape`` ((C, H, W) or (F,)), batch left out."""
    kind = layer.get("type")
    if kind == "Conv2d":
        if len(shape) != 3:
            raise InvalidParams(f"Conv2d needs a (C, H, W) input, got {shape}")
        c, h, w = shape
        if c != int(_get(layer, "in_channels")):
            raise InvalidParams(f"Conv2d expects {layer['in_channels']} input channels, gets {c}")
        kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
        sh, sw = pair(_get(layer, "stride"), "stride")
        ph, pw = pair(_get(layer, "padding"), "padding")
        dh, dw = pair(_get(layer, "dilation"), "dilation")
        layer_params(layer)  # validates groups
        return int(layer["out_channels"]), conv_out(h, kh, sh, ph, dh), conv_out(w, kw, sw, pw, dw)
    if kind in ("MaxPool2d", "AvgPool2d"):
        if len(shape) != 3:
            raise InvalidParams(f"{kind} needs a (C, H, W) input, got {shape}")
        c, h, w = shape
        kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
        stride = _get(layer, "stride")
        sh, sw = pair(stride if stride is not None else _get(layer, "kernel_size"), "stride")
        ph, pw = pair(_get(layer, "padding"), "padding")
        if 2 * ph > kh or 2 * pw > kw:
            raise InvalidParams(f"{kind} padding {ph} must be at most half the kernel {kh}")
        return c, conv_out(h, kh, sh, ph), conv_out(w, kw, sw, pw)
    if kind == "Linear":
        if shape[-1] != int(_get(layer, "in_features")):
            raise InvalidParams(f"Linear expects {layer['in_features']} input features, gets {shape[-1]} (flatten first?)")
        return (*shape[:-1], int(layer["out_features"]))
    if kind == "Flatten":
        n = 1
        for d in shape:
            n *= d
        return (n,)
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        if shape[0] != int(_get(layer, "num_features")):
            raise InvalidParams(f"{kind} expects {layer['num_features']} channels, gets {shape[0]}")
        return tuple(shape)
    if kind in PARAMETERLESS:
        return tuple(shape)
    raise InvalidParams(f"unknown layer type {kind!r}")
