"""Layers without learnable parameters (activations, dropout, pooling, flatten): their declarations
(see :mod:`solvers.layer_types`)."""

from __future__ import annotations

from typing import Callable

from . import InvalidParams
from ._fmt import shape as show
from ._layer_declaration import REQUIRED, LayerType, numel, pair, pool_out

__all__ = ["TYPES"]

TYPES: list[LayerType] = []  # registered in solvers.layer_types.LAYERS
_register = TYPES.append


for _name, _args in (("ReLU", {"inplace": False}), ("ReLU6", {"inplace": False}), ("SiLU", {"inplace": False}),
                     ("Hardswish", {"inplace": False}), ("GELU", {"approximate": "none"}), ("Sigmoid", {}), ("Tanh", {}),
                     ("LeakyReLU", {"negative_slope": 0.01, "inplace": False}), ("Softmax", {"dim": None}),
                     ("Dropout", {"p": 0.5, "inplace": False}), ("Dropout2d", {"p": 0.5, "inplace": False}), ("Identity", {})):
    _register(LayerType(_name, _args))


def _pool_shape(name: str) -> Callable[[dict, tuple], tuple]:
    def shape(spec: dict, i: tuple) -> tuple:
        if len(i) != 3:
            raise InvalidParams(f"{name} needs a (C, H, W) input, got {i}")
        c, h, w = i
        kh, kw = pair(spec["kernel_size"], "kernel_size")
        stride = spec["stride"]
        sh, sw = pair(stride if stride is not None else spec["kernel_size"], "stride")
        ph, pw = pair(spec["padding"], "padding")
        if 2 * ph > kh or 2 * pw > kw:
            raise InvalidParams(f"{name} padding {ph} must be at most half the kernel {kh}")
        ceil = bool(spec["ceil_mode"])
        return c, pool_out(h, kh, sh, ph, ceil_mode=ceil), pool_out(w, kw, sw, pw, ceil_mode=ceil)
    return shape


_POOL = {"kernel_size": REQUIRED, "stride": None, "padding": 0}
_register(LayerType("MaxPool2d", dict(_POOL, dilation=1, return_indices=False, ceil_mode=False), ("kernel_size",),
                    shape=_pool_shape("MaxPool2d"), fixed=("dilation", "return_indices")))
_register(LayerType("AvgPool2d", dict(_POOL, ceil_mode=False, count_include_pad=True, divisor_override=None), ("kernel_size",),
                    shape=_pool_shape("AvgPool2d")))


def _adaptive_shape(spec: dict, i: tuple) -> tuple:
    if len(i) != 3:
        raise InvalidParams(f"AdaptiveAvgPool2d needs a (C, H, W) input, got {show(i)}")
    out = spec["output_size"]
    oh, ow = (out, out) if not isinstance(out, (list, tuple)) else tuple(out)
    return i[0], int(oh) if oh is not None else i[1], int(ow) if ow is not None else i[2]


_register(LayerType("AdaptiveAvgPool2d", {"output_size": REQUIRED}, ("output_size",), shape=_adaptive_shape))


def _flatten_shape(spec: dict, i: tuple) -> tuple:
    """Flatten(start_dim=1, end_dim=-1) in PyTorch's batched numbering; dim 0 is the batch."""
    start, end = int(spec.get("start_dim", 1)), int(spec.get("end_dim", -1))
    n = len(i) + 1
    start, end = start % n, end % n
    if start < 1 or end < start:
        raise InvalidParams(f"Flatten(start_dim={start}, end_dim={end}) must keep the batch axis 0 and have start ≤ end")
    a, b = start - 1, end - 1
    return (*i[:a], numel(i[a:b + 1]), *i[b + 1:])


_register(LayerType("Flatten", {"start_dim": 1, "end_dim": -1}, shape=_flatten_shape))
