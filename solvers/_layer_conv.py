"""Conv1d/2d/3d, ConvTranspose2d and Linear: their declarations (see :mod:`solvers.layer_types`)."""

from __future__ import annotations

import math
from typing import Any

from . import Formula, InvalidParams, formula
from ._fmt import shape as show
from ._layer_declaration import REQUIRED, LayerType, conv_out, conv_transpose_out, ntuple, numel, pair

__all__ = ["TYPES", "CONV2D", "conv_padding", "conv_args"]

TYPES: list[LayerType] = []  # registered in solvers.layer_types.LAYERS
_register = TYPES.append


CONV = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True, "padding_mode": "zeros"}


def _conv_input(name: str, spec: dict, shape: tuple) -> tuple[int, int]:
    """(H, W) of a (C, H, W) input whose C matches the conv layer's in_channels."""
    if len(shape) != 3:
        raise InvalidParams(f"{name} needs a (C, H, W) input, got {shape}")
    c, h, w = shape
    if c != int(spec["in_channels"]):
        raise InvalidParams(f"{name} expects {spec['in_channels']} input channels, gets {c}")
    return h, w


def _conv2d_params(spec: dict) -> tuple[int, int, str]:
    cin, cout, g, kh, kw, b = _conv_counts(spec)
    per = f"{cin // g}" + (f" (= {cin}/{g} groups)" if g > 1 else "")
    return kh * kw * (cin // g) * cout, b, f"{kh}·{kw}·{per}·{cout}" + (f" + {cout}" if b else "") + " (K·K·C_in·C_out" + (" + one bias per filter)" if b else ", no bias)")


def _conv2d_shape(spec: dict, shape: tuple) -> tuple:
    h, w = _conv_input("Conv2d", spec, shape)
    kh, kw = pair(spec["kernel_size"], "kernel_size")
    sh, sw = pair(spec["stride"], "stride")
    ph, pw = _padding(spec)
    dh, dw = pair(spec["dilation"], "dilation")
    _conv2d_params(spec)  # validates groups
    return int(spec["out_channels"]), conv_out(h, kh, sh, ph, dh), conv_out(w, kw, sw, pw, dw)


def _conv_macs(spec: dict, i: tuple, o: tuple) -> int:
    """H'·W'·C_out·(C_in/groups)·K·K for any number of spatial axes (o is (C_out, *spatial))."""
    k = spec["kernel_size"]
    n_sp = len(o) - 1
    ks = [int(v) for v in k] if isinstance(k, (list, tuple)) else [int(k)] * n_sp
    return numel(o) * (int(spec["in_channels"]) // int(spec.get("groups", 1))) * math.prod(ks)


def _dims(v: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in (v if isinstance(v, (list, tuple)) else [v]))


def _conv_formula(spec: dict, target: Any, name: str) -> Formula:
    """K·K·C_in·C_out (+ C_out) for any number of spatial axes; grouped: C_in/g; transposed: C_out/g."""
    kind = spec["type"]
    cin, cout, g = int(spec["in_channels"]), int(spec["out_channels"]), int(spec.get("groups", 1))
    n = {"Conv1d": 1, "Conv3d": 3}.get(kind, 2)
    ks = _dims(spec["kernel_size"]) if isinstance(spec["kernel_size"], (list, tuple)) else (int(spec["kernel_size"]),) * n
    bias = bool(spec.get("bias", True))
    square = len(set(ks)) == 1
    kernel = "*".join(["K"] * n) if square else "*".join(f"K_{i + 1}" for i in range(n))
    syms: dict[str, tuple[str, Any]] = {"K": ("kernel size", ks[0])} if square else {f"K_{i + 1}": (f"kernel size, axis {i + 1}", k) for i, k in enumerate(ks)}
    syms["C_in"], syms["C_out"] = ("input channels", cin), ("output channels (filters)", cout)
    if g > 1:
        syms["g"] = ("groups", g)
    if kind == "ConvTranspose2d":
        body = f"{kernel}*C_in*" + ("(C_out/g)" if g > 1 else "C_out")
    else:
        body = f"{kernel}*" + ("(C_in/g)" if g > 1 else "C_in") + "*C_out"
    return formula(body + (" + C_out" if bias else ""), name=name, target=target, **syms)


CONV2D = LayerType("Conv2d", {"in_channels": REQUIRED, "out_channels": REQUIRED, "kernel_size": REQUIRED, **CONV},
                    ("in_channels", "out_channels"), "in_channels", _conv2d_params, _conv2d_shape, _conv_macs, lazy=True,
                    formula=_conv_formula)
_register(CONV2D)


def _conv_t_params(spec: dict) -> tuple[int, int, str]:
    cin, cout, g, kh, kw, b = _conv_counts(spec)
    return kh * kw * cin * (cout // g), b, f"{kh}·{kw}·{cin}·{cout // g}" + (f" + {cout}" if b else "") + " (K·K·C_in·C_out/groups" + (" + one bias per output channel)" if b else ", no bias)")


def _conv_t_shape(spec: dict, shape: tuple) -> tuple:
    h, w = _conv_input("ConvTranspose2d", spec, shape)
    kh, kw = pair(spec["kernel_size"], "kernel_size")
    sh, sw = pair(spec["stride"], "stride")
    ph, pw = pair(spec["padding"], "padding")
    dh, dw = pair(spec["dilation"], "dilation")
    oh, ow = pair(spec["output_padding"], "output_padding")
    _conv_t_params(spec)  # validates groups
    return int(spec["out_channels"]), conv_transpose_out(h, kh, sh, ph, dh, oh), conv_transpose_out(w, kw, sw, pw, dw, ow)


def _conv_t_macs(spec: dict, i: tuple, o: tuple) -> int:
    """Transposed: every input value is scattered through C_out/groups kernels: H·W·C_in·(C_out/g)·K·K."""
    kh, kw = pair(spec["kernel_size"])
    return numel(i) * (int(spec["out_channels"]) // int(spec.get("groups", 1))) * kh * kw


_register(LayerType("ConvTranspose2d", {"in_channels": REQUIRED, "out_channels": REQUIRED, "kernel_size": REQUIRED, "stride": 1,
                    "padding": 0, "output_padding": 0, "groups": 1, "bias": True, "dilation": 1, "padding_mode": "zeros"},
                    ("in_channels", "out_channels"), "in_channels", _conv_t_params, _conv_t_shape, _conv_t_macs, lazy=True,
                    formula=_conv_formula))


def _convnd(n: int) -> LayerType:
    """Conv1d ((C, L) inputs) and Conv3d ((C, D, H, W)): weight (C_out, C_in/groups, *K), bias (C_out)."""
    name = f"Conv{n}d"

    def params(spec: dict) -> tuple[int, int, str]:
        cin, cout, g = int(spec["in_channels"]), int(spec["out_channels"]), int(spec.get("groups", 1))
        if g < 1 or cin % g or cout % g:
            raise InvalidParams(f"groups={g} must divide in_channels={cin} and out_channels={cout}")
        ks = ntuple(spec["kernel_size"], n, "kernel_size")
        b = cout if spec.get("bias", True) else 0
        w = math.prod(ks) * (cin // g) * cout
        return w, b, "·".join(map(str, ks)) + f"·{cin // g}·{cout}" + (f" + {cout}" if b else "") + \
            f" (K^{n}·C_in·C_out" + (" + one bias per filter)" if b else ", no bias)")

    def shape(spec: dict, i: tuple) -> tuple:
        if len(i) != n + 1 or i[0] != int(spec["in_channels"]):
            raise InvalidParams(f"{name} expects a (C={spec['in_channels']}, {n} spatial axes) input, gets {show(i)}")
        params(spec)
        ks, ss = ntuple(spec["kernel_size"], n, "kernel_size"), ntuple(spec.get("stride", 1), n, "stride")
        ds, pad = ntuple(spec.get("dilation", 1), n, "dilation"), spec.get("padding", 0)
        if pad == "same":
            if any(s != 1 for s in ss) or any(d * (k - 1) % 2 for d, k in zip(ds, ks)):
                raise InvalidParams(f"{name} padding='same' needs stride 1 and an odd D·(K − 1) + 1")
            ps = tuple(d * (k - 1) // 2 for d, k in zip(ds, ks))
        elif pad == "valid":
            ps = (0,) * n
        else:
            ps = ntuple(pad, n, "padding")
        return (int(spec["out_channels"]), *(conv_out(x, k, s, p, d) for x, k, s, p, d in zip(i[1:], ks, ss, ps, ds)))

    return LayerType(name, {"in_channels": REQUIRED, "out_channels": REQUIRED, "kernel_size": REQUIRED, **CONV},
                     ("in_channels", "out_channels"), "in_channels", params, shape, _conv_macs, lazy=True, formula=_conv_formula)


_register(_convnd(1))
_register(_convnd(3))


def _linear_params(spec: dict) -> tuple[int, int, str]:
    i, o = int(spec["in_features"]), int(spec["out_features"])
    b = o if spec["bias"] else 0
    return i * o, b, f"{i}·{o}" + (f" + {o}" if b else "") + " (weights in·out" + (" + one bias per output)" if b else ", no bias)")


def _linear_shape(spec: dict, shape: tuple) -> tuple:
    if shape[-1] != int(spec["in_features"]):
        raise InvalidParams(f"Linear expects {spec['in_features']} input features, gets {shape[-1]} (flatten first?)")
    return (*shape[:-1], int(spec["out_features"]))


_register(LayerType("Linear", {"in_features": REQUIRED, "out_features": REQUIRED, "bias": True},
                    ("in_features", "out_features"), "in_features", _linear_params, _linear_shape,
                    lambda spec, i, o: numel(o) * int(spec["in_features"]),
                    note="acts on the last axis of a (…, in_features) tensor", lazy=True,
                    formula=lambda s, target, name: formula("n*m + m" if s["bias"] else "n*m", name=name, target=target,
                                                            n=("input features", int(s["in_features"])),
                                                            m=("output features", int(s["out_features"])))))


def conv_padding(layer: dict) -> tuple[int, int]:
    """A Conv2d's padding per side as (P_h, P_w); ``'same'`` is D·(K − 1)/2 (odd D·(K−1) is refused)."""
    return _padding(CONV2D.resolve(layer))


def _padding(spec: dict) -> tuple[int, int]:
    padding = spec["padding"]
    if padding == "valid":
        return 0, 0
    if padding == "same":
        if pair(spec["stride"], "stride") != (1, 1):
            raise InvalidParams("padding='same' needs stride 1 (PyTorch refuses strided 'same' convolutions)")
        kh, kw = pair(spec["kernel_size"], "kernel_size")
        dh, dw = pair(spec["dilation"], "dilation")
        if dh * (kh - 1) % 2 or dw * (kw - 1) % 2:
            raise InvalidParams(f"'same' padding of kernel {kh}×{kw} with dilation {dh} is not symmetric")
        return dh * (kh - 1) // 2, dw * (kw - 1) // 2
    if isinstance(padding, str):
        raise InvalidParams(f"padding must be a number, 'same' or 'valid', got {padding!r}")
    return pair(padding, "padding")


def conv_args(layer: dict) -> tuple[int, int, int, int, int, int]:
    """(C_in, C_out, groups, K_h, K_w, biases) of a Conv2d/ConvTranspose2d spec; groups must divide both."""
    kind = layer.get("type")
    t = next((t for t in TYPES if t.name == kind and t.name in ("Conv2d", "ConvTranspose2d")), None)
    if t is None:
        raise InvalidParams(f"conv_args takes a Conv2d or ConvTranspose2d, got {kind!r}")
    return _conv_counts(t.resolve(layer))


def _conv_counts(spec: dict) -> tuple[int, int, int, int, int, int]:
    cin, cout, g = int(spec["in_channels"]), int(spec["out_channels"]), int(spec["groups"])
    if g < 1 or cin % g or cout % g:
        raise InvalidParams(f"groups={g} must divide in_channels={cin} and out_channels={cout}")
    kh, kw = pair(spec["kernel_size"], "kernel_size")
    return cin, cout, g, kh, kw, cout if spec["bias"] else 0
