"""BatchNorm1d/2d, LayerNorm, RMSNorm, GroupNorm and InstanceNorm2d: their declarations (see :mod:`solvers.layer_types`)."""

from __future__ import annotations

from typing import Any, Callable

from . import Formula, InvalidParams, formula
from ._fmt import shape as show
from ._layer_declaration import REQUIRED, LayerType, numel

__all__ = ["TYPES"]

TYPES: list[LayerType] = []  # registered in solvers.layer_types.LAYERS
_register = TYPES.append


def _channels_first(name: str, key: str) -> Callable[[dict, tuple], tuple]:
    def shape(spec: dict, i: tuple) -> tuple:
        if not i or i[0] != int(spec[key]):
            raise InvalidParams(f"{name} expects {spec[key]} channels, gets an input of shape {show(i)}")
        return tuple(i)
    return shape


def _batchnorm_params(spec: dict) -> tuple[int, int, str]:
    c = int(spec["num_features"])
    if not spec["affine"]:
        return 0, 0, "no learnable parameters (affine=False; running mean/var are buffers, not learned)"
    if not spec["bias"]:
        return c, 0, f"{c} (γ per channel, bias=False; running mean/var are buffers, not learned)"
    return c, c, f"{c} + {c} (γ and β per channel; running mean/var are buffers, not learned)"


def _channel_norm_formula(spec: dict, target: Any, name: str) -> Formula | None:
    """2C (γ and β per channel), C with bias=False, none with affine=False (BatchNorm, InstanceNorm, GroupNorm)."""
    if not spec["affine"]:
        return None
    c = int(spec["num_channels"] if spec["type"] == "GroupNorm" else spec["num_features"])
    bias = spec.get("bias", True)
    return formula("2*C" if bias else "C", name=f"{name} (γ" + (" and β" if bias else "") + " per channel)", target=target,
                   C=("channels", c))


_BN = {"num_features": REQUIRED, "eps": 1e-5, "momentum": 0.1, "affine": True, "track_running_stats": True, "bias": True}
for _name in ("BatchNorm1d", "BatchNorm2d"):
    _register(LayerType(_name, dict(_BN), ("num_features",), "num_features", _batchnorm_params, _channels_first(_name, "num_features"),
                        note="2C learnable (γ, β); the 2C running mean/var are buffers, not parameters", lazy=True,
                        formula=_channel_norm_formula))


def _norm_dims(spec: dict) -> tuple[int, ...]:
    ns = spec["normalized_shape"]
    return tuple(int(d) for d in (ns if isinstance(ns, (list, tuple)) else [ns]))


def _last_axes(name: str) -> Callable[[dict, tuple], tuple]:
    def shape(spec: dict, i: tuple) -> tuple:
        norm = _norm_dims(spec)
        if tuple(i[-len(norm):]) != norm:
            raise InvalidParams(f"{name} over {show(norm)} does not fit an input of shape {show(i)}")
        return tuple(i)
    return shape


def _feature_norm_formula(spec: dict, target: Any, name: str) -> Formula | None:
    """2N (γ and β per feature) for LayerNorm, N for RMSNorm or bias=False, none without elementwise_affine."""
    if not spec["elementwise_affine"]:
        return None
    two = spec["type"] == "LayerNorm" and spec["bias"]
    return formula("2*N" if two else "N", name=f"{name} (γ" + (" and β" if two else "") + " per feature)", target=target,
                   N=("normalized features", numel(_norm_dims(spec))))


def _layernorm_params(spec: dict) -> tuple[int, int, str]:
    n = numel(_norm_dims(spec))
    if not spec["elementwise_affine"]:
        return 0, 0, "no learnable parameters (elementwise_affine=False)"
    b = n if spec["bias"] else 0
    return n, b, f"{n}" + (f" + {n} (γ and β per feature)" if b else " (γ per feature, bias=False)")


_register(LayerType("LayerNorm", {"normalized_shape": REQUIRED, "eps": 1e-5, "elementwise_affine": True, "bias": True},
                    ("normalized_shape",), params=_layernorm_params, shape=_last_axes("LayerNorm"), formula=_feature_norm_formula))


def _rmsnorm_params(spec: dict) -> tuple[int, int, str]:
    n = numel(_norm_dims(spec))
    if not spec.get("elementwise_affine", True):
        return 0, 0, "no learnable parameters (elementwise_affine=False)"
    return n, 0, f"{n} (a scale γ per feature; RMSNorm has no β)"


_register(LayerType("RMSNorm", {"normalized_shape": REQUIRED, "eps": None, "elementwise_affine": True},
                    ("normalized_shape",), params=_rmsnorm_params, shape=_last_axes("RMSNorm"), formula=_feature_norm_formula))


def _groupnorm_params(spec: dict) -> tuple[int, int, str]:
    g, c = int(spec["num_groups"]), int(spec["num_channels"])
    if g < 1 or c % g:
        raise InvalidParams(f"GroupNorm: num_groups={g} must divide num_channels={c}")
    if not spec.get("affine", True):
        return 0, 0, "no learnable parameters (affine=False)"
    b = c if spec.get("bias", True) else 0
    return c, b, f"{c}" + (f" + {c} (γ and β per channel, not per group)" if b else " (γ per channel, bias=False)")


_register(LayerType("GroupNorm", {"num_groups": REQUIRED, "num_channels": REQUIRED, "eps": 1e-5, "affine": True, "bias": True},
                    ("num_groups", "num_channels"), "num_channels", _groupnorm_params, _channels_first("GroupNorm", "num_channels"),
                    formula=_channel_norm_formula))


def _instancenorm_params(spec: dict) -> tuple[int, int, str]:
    c = int(spec["num_features"])
    if not spec.get("affine", False):
        return 0, 0, "no learnable parameters (affine=False, PyTorch's default for InstanceNorm)"
    b = c if spec.get("bias", True) else 0
    return c, b, f"{c}" + (f" + {c} (γ and β per channel, affine=True)" if b else " (γ per channel)")


def _instancenorm_shape(spec: dict, i: tuple) -> tuple:
    if len(i) != 3:
        raise InvalidParams(f"InstanceNorm2d needs a (C, H, W) input, got {show(i)}")
    return _channels_first("InstanceNorm2d", "num_features")(spec, i)


_register(LayerType("InstanceNorm2d", {"num_features": REQUIRED, "eps": 1e-5, "momentum": 0.1, "affine": False,
                                       "track_running_stats": False, "bias": True},
                    ("num_features",), "num_features", _instancenorm_params, _instancenorm_shape, lazy=True,
                    formula=_channel_norm_formula))
