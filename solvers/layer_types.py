"""Every layer type drill knows, declared once: PyTorch's constructor signature and defaults, its
learnable parameters, output shape, MACs and how it prints.

A layer spec is a dict with ``type`` (the PyTorch class name) and that class's constructor
argument names, with PyTorch's defaults (taken from torch's signatures): Linear(in_features,
out_features, bias); Conv1d/2d/3d(in_channels, out_channels, kernel_size, stride, padding,
dilation, groups, bias); ConvTranspose2d (the same plus output_padding); MaxPool2d/AvgPool2d
(kernel_size, stride, padding, ceil_mode); BatchNorm1d/2d(num_features); LayerNorm
(normalized_shape, elementwise_affine, bias); Embedding(num_embeddings, embedding_dim);
RNN/LSTM/GRU(input_size, hidden_size, num_layers, bias, bidirectional); MultiheadAttention
(embed_dim, num_heads, bias, add_bias_kv, kdim, vdim); TransformerEncoderLayer(d_model, nhead,
dim_feedforward, bias); and the rest of :data:`LAYERS`. Shapes leave the batch dimension out:
(C, H, W), (features,), a sequence (T, features), or token ids (T,) before an Embedding.

Shapes use one set of letters throughout: C channels, H height, W width, K kernel size,
S stride, P padding *per side*, D dilation. Output size of a conv or pool along one axis::

    H' = floor((H + 2·P − D·(K − 1) − 1) / S) + 1              (Conv2d, pooling)
    H' = ceil(…) + 1, less 1 if the last window would start past H + P   (pooling, ceil_mode=True)
    H' = (H − 1)·S − 2·P + D·(K − 1) + output_padding + 1       (ConvTranspose2d)

Conv2d also takes PyTorch's ``padding='same'`` (stride 1: H' = H) and ``'valid'`` (P = 0).
Recurrent layers have G gate blocks (RNN 1, GRU 3, LSTM 4), each with W_ih (H×I), W_hh (H×H)
and PyTorch's *two* bias vectors b_ih and b_hh (H each).

A new layer type is one :class:`LayerType` here: the chain walk (``solvers._layers``), the graph
walk (``solvers._graph``) and the printed-layer check (``drill.authoring.quality``) all read it.
Every rule raises ``InvalidParams`` naming the bad value; none imports numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from . import Formula, InvalidParams, formula
from ._fmt import fmt, shape as show

__all__ = [
    "LAYERS", "LayerType", "REQUIRED", "layer_type", "layer_text", "pair", "conv_out", "pool_out", "conv_transpose_out",
    "conv_padding", "conv_args", "rnn_gates", "RNN_GATES", "MAX_RNN_LAYERS",
]

REQUIRED = object()  # an argument with no default
RNN_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
MAX_RNN_LAYERS = 1_000  # the per-layer sum of a recurrent layer loops over num_layers


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


# --- geometry shared by the rules and by the shape questions --------------------------------


def pair(v: Any, name: str = "value") -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``[3, 5]`` → ``(3, 5)``."""
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise InvalidParams(f"{name} must be one number or two, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _ntuple(v: Any, n: int, what: str) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        if len(v) != n:
            raise InvalidParams(f"{what} must be one number or {n}, got {v!r}")
        return tuple(int(x) for x in v)
    return (int(v),) * n


def conv_out(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """Output size along one axis (PyTorch's floor formula); raises if it is below 1."""
    if s < 1 or k < 1 or p < 0 or d < 1:
        raise InvalidParams(f"kernel {k}, stride {s}, padding {p}, dilation {d}: all must be ≥ 1 (padding ≥ 0)")
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    if out < 1:
        raise InvalidParams(f"input {n} with kernel {k}, stride {s}, padding {p}, dilation {d} gives output {out} < 1")
    return out


def pool_out(n: int, k: int, s: int, p: int = 0, *, ceil_mode: bool = False) -> int:
    """A pooling window count along one axis. ceil_mode rounds (n + 2p − k)/s up, but (PyTorch's
    rule) the last window must start inside the input or its left padding: if it would start at
    or past n + p it is dropped."""
    if not ceil_mode:
        return conv_out(n, k, s, p)
    if s < 1 or k < 1 or p < 0:
        raise InvalidParams(f"kernel {k}, stride {s}, padding {p}: all must be ≥ 1 (padding ≥ 0)")
    span = n + 2 * p - k
    out = -(-span // s) + 1 if span >= 0 else 0
    if out > 1 and (out - 1) * s >= n + p:
        out -= 1
    if out < 1:
        raise InvalidParams(f"input {n} with kernel {k}, stride {s}, padding {p} gives output {out} < 1")
    return out


def conv_transpose_out(n: int, k: int, s: int = 1, p: int = 0, d: int = 1, op: int = 0) -> int:
    """Output size of a transposed conv along one axis: (n − 1)·s − 2p + d·(k − 1) + op + 1."""
    if s < 1 or k < 1 or p < 0 or d < 1 or op < 0:
        raise InvalidParams(f"kernel {k}, stride {s}, padding {p}, dilation {d}, output_padding {op}: invalid")
    if op >= max(s, d):
        raise InvalidParams(f"output_padding {op} must be smaller than the stride {s} or the dilation {d}")
    out = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if out < 1:
        raise InvalidParams(f"input {n} with kernel {k}, stride {s}, padding {p} gives output {out} < 1")
    return out


def conv_padding(layer: dict) -> tuple[int, int]:
    """A Conv2d's padding per side as (P_h, P_w); ``'same'`` is D·(K − 1)/2 (odd D·(K−1) is refused)."""
    return _padding(LAYERS["Conv2d"].resolve(layer))


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
    return _conv_counts(layer_type(layer.get("type")).resolve(layer))


def _conv_counts(spec: dict) -> tuple[int, int, int, int, int, int]:
    cin, cout, g = int(spec["in_channels"]), int(spec["out_channels"]), int(spec["groups"])
    if g < 1 or cin % g or cout % g:
        raise InvalidParams(f"groups={g} must divide in_channels={cin} and out_channels={cout}")
    kh, kw = pair(spec["kernel_size"], "kernel_size")
    return cin, cout, g, kh, kw, cout if spec["bias"] else 0


def rnn_gates(kind: str) -> int:
    """Gate blocks of a recurrent layer: RNN 1, GRU 3 (reset, update, candidate), LSTM 4 (i, f, g, o)."""
    try:
        return RNN_GATES[kind]
    except KeyError:
        raise InvalidParams(f"{kind!r} is not a recurrent layer") from None


# --- the declaration ---------------------------------------------------------------------


def _no_macs(spec: dict, i: tuple, o: tuple) -> int:
    return 0


def _no_params(spec: dict) -> tuple[int, int, str]:
    return 0, 0, "no learnable parameters"


def _same_shape(spec: dict, i: tuple) -> tuple:
    return tuple(i)


@dataclass(frozen=True)
class LayerType:
    """One layer type. args: {constructor argument: PyTorch's default, or REQUIRED}, in the order of
    PyTorch's signature; positional: the leading arguments printed without a name; infer: the
    input-size argument that may be left out (read from the input shape, as PyTorch's Lazy modules
    do); lazy: PyTorch has a ``Lazy`` class of it, which prints when infer is left out;
    params(spec) → (weights, biases, formula); shape(spec, in_shape) → out_shape; macs(spec,
    in_shape, out_shape) → multiply-accumulates; formula(spec, target, name) → the parameter count as
    a declared formula (``solvers.formula``), None without learnable parameters (the rules get the
    spec with defaults filled in); fixed: arguments whose non-default values drill does not model
    (refused)."""

    name: str
    args: dict[str, Any]
    positional: tuple[str, ...] = ()
    infer: str | None = None
    params: Callable[[dict], tuple[int, int, str]] = _no_params
    shape: Callable[[dict, tuple], tuple] = _same_shape
    macs: Callable[[dict, tuple, tuple], int] = _no_macs
    note: str = ""
    fixed: tuple[str, ...] = ()
    lazy: bool = False
    formula: Callable[[dict, Any, str], Formula | None] | None = None

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The arguments that have a default, with it (read only: copy it to change it)."""
        return {k: v for k, v in self.args.items() if v is not REQUIRED}

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(k for k, v in self.args.items() if v is REQUIRED)

    def resolve(self, spec: dict) -> dict:
        """``spec`` with PyTorch's defaults filled in; raises naming a required argument left out or a
        fixed one set to a value drill does not model."""
        for k in self.required:
            if k not in spec:
                raise InvalidParams(f"{self.name} layer needs {k!r}")
        for k in self.fixed:
            if k in spec and spec[k] != self.args[k]:
                raise InvalidParams(f"{self.name} with {k}={spec[k]!r} is not supported (only {self.args[k]!r})")
        return {**self.defaults, **spec}

    def params_formula(self, spec: dict, target: Any = None, name: str = "params") -> Formula | None:
        """The declared formula of the layer's learnable parameters (weights + biases), or None."""
        return self.formula(self.resolve(spec), target, name) if self.formula is not None else None

    def count(self, spec: dict) -> tuple[int, int, str]:
        """(weights, biases, formula) of the layer's learnable parameters."""
        return self.params(self.resolve(spec))

    def out_shape(self, spec: dict, in_shape: tuple) -> tuple[int, ...]:
        return tuple(self.shape(self.resolve(spec), tuple(in_shape)))

    def signature(self, *, lazy: bool = False) -> list[str]:
        """The arguments in PyTorch's order, as positional arguments fill them (the Lazy class has no infer)."""
        return [k for k in self.args if not (lazy and k == self.infer)]


LAYERS: dict[str, LayerType] = {}


def _register(t: LayerType) -> None:
    LAYERS[t.name] = t


def layer_type(kind: Any) -> LayerType:
    """The declaration of ``kind``; raises naming an unknown type."""
    try:
        return LAYERS[kind]
    except (KeyError, TypeError):
        raise InvalidParams(f"unknown layer type {kind!r}") from None


# --- conv, linear -----------------------------------------------------------------------------


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
    return _numel(o) * (int(spec["in_channels"]) // int(spec.get("groups", 1))) * math.prod(ks)


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


_register(LayerType("Conv2d", {"in_channels": REQUIRED, "out_channels": REQUIRED, "kernel_size": REQUIRED, **CONV},
                    ("in_channels", "out_channels"), "in_channels", _conv2d_params, _conv2d_shape, _conv_macs, lazy=True,
                    formula=_conv_formula))


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
    return _numel(i) * (int(spec["out_channels"]) // int(spec.get("groups", 1))) * kh * kw


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
        ks = _ntuple(spec["kernel_size"], n, "kernel_size")
        b = cout if spec.get("bias", True) else 0
        w = math.prod(ks) * (cin // g) * cout
        return w, b, "·".join(map(str, ks)) + f"·{cin // g}·{cout}" + (f" + {cout}" if b else "") + \
            f" (K^{n}·C_in·C_out" + (" + one bias per filter)" if b else ", no bias)")

    def shape(spec: dict, i: tuple) -> tuple:
        if len(i) != n + 1 or i[0] != int(spec["in_channels"]):
            raise InvalidParams(f"{name} expects a (C={spec['in_channels']}, {n} spatial axes) input, gets {show(i)}")
        params(spec)
        ks, ss = _ntuple(spec["kernel_size"], n, "kernel_size"), _ntuple(spec.get("stride", 1), n, "stride")
        ds, pad = _ntuple(spec.get("dilation", 1), n, "dilation"), spec.get("padding", 0)
        if pad == "same":
            if any(s != 1 for s in ss) or any(d * (k - 1) % 2 for d, k in zip(ds, ks)):
                raise InvalidParams(f"{name} padding='same' needs stride 1 and an odd D·(K − 1) + 1")
            ps = tuple(d * (k - 1) // 2 for d, k in zip(ds, ks))
        elif pad == "valid":
            ps = (0,) * n
        else:
            ps = _ntuple(pad, n, "padding")
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
                    lambda spec, i, o: _numel(o) * int(spec["in_features"]),
                    note="acts on the last axis of a (…, in_features) tensor", lazy=True,
                    formula=lambda s, target, name: formula("n*m + m" if s["bias"] else "n*m", name=name, target=target,
                                                            n=("input features", int(s["in_features"])),
                                                            m=("output features", int(s["out_features"])))))


# --- normalization ----------------------------------------------------------------------------


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
                   N=("normalized features", _numel(_norm_dims(spec))))


def _layernorm_params(spec: dict) -> tuple[int, int, str]:
    n = _numel(_norm_dims(spec))
    if not spec["elementwise_affine"]:
        return 0, 0, "no learnable parameters (elementwise_affine=False)"
    b = n if spec["bias"] else 0
    return n, b, f"{n}" + (f" + {n} (γ and β per feature)" if b else " (γ per feature, bias=False)")


_register(LayerType("LayerNorm", {"normalized_shape": REQUIRED, "eps": 1e-5, "elementwise_affine": True, "bias": True},
                    ("normalized_shape",), params=_layernorm_params, shape=_last_axes("LayerNorm"), formula=_feature_norm_formula))


def _rmsnorm_params(spec: dict) -> tuple[int, int, str]:
    n = _numel(_norm_dims(spec))
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


# --- sequences: embedding, recurrent, attention ------------------------------------------------


def _embedding_params(spec: dict) -> tuple[int, int, str]:
    n, d = int(spec["num_embeddings"]), int(spec["embedding_dim"])
    return n * d, 0, f"{n}·{d} (one {d}-vector per token, a lookup table: no bias)"


def _embedding_shape(spec: dict, shape: tuple) -> tuple:
    if len(shape) != 1:
        raise InvalidParams(f"Embedding takes a sequence of token ids of shape (T,), got {shape}")
    return (shape[0], int(spec["embedding_dim"]))


_register(LayerType("Embedding", {"num_embeddings": REQUIRED, "embedding_dim": REQUIRED, "padding_idx": None, "max_norm": None,
                                  "norm_type": 2.0, "scale_grad_by_freq": False, "sparse": False},
                    ("num_embeddings", "embedding_dim"), params=_embedding_params, shape=_embedding_shape,
                    formula=lambda s, target, name: formula("V*d", name=name, target=target,
                                                            V=("vocabulary size (num_embeddings)", int(s["num_embeddings"])),
                                                            d=("embedding dimension", int(s["embedding_dim"])))))


def _rnn_params(spec: dict) -> tuple[int, int, str]:
    kind = spec["type"]
    g, i, h = rnn_gates(kind), int(spec["input_size"]), int(spec["hidden_size"])
    n, dirs = int(spec["num_layers"]), 2 if spec["bidirectional"] else 1
    if int(spec["proj_size"]):
        raise InvalidParams("proj_size is not supported")
    if n < 1 or i < 1 or h < 1:
        raise InvalidParams(f"{kind} needs num_layers, input_size and hidden_size ≥ 1")
    if n > MAX_RNN_LAYERS:
        raise InvalidParams(f"{kind} num_layers {n} is above {MAX_RNN_LAYERS}; a by-hand question stacks a few")
    bias = bool(spec["bias"])
    weights = biases = 0
    parts = []
    for level in range(n):
        inp = i if level == 0 else h * dirs
        weights += dirs * g * h * (inp + h)
        biases += dirs * 2 * g * h if bias else 0
        parts.append(f"{dirs}·" * (dirs > 1) + f"{g}·" * (g > 1) + f"({h}·{inp} + {h}·{h}" + (f" + 2·{h})" if bias else ")"))
    formula = " + ".join(parts) + f" ({g} gate block{'s' * (g > 1)}, each W_ih H×I + W_hh H×H" + (" + b_ih + b_hh)" if bias else ", no bias)")
    return weights, biases, formula


def _rnn_shape(spec: dict, shape: tuple) -> tuple:
    kind = spec["type"]
    if len(shape) != 2 or shape[1] != int(spec["input_size"]):
        raise InvalidParams(f"{kind} expects a (T, {spec['input_size']}) sequence, gets {shape}")
    _rnn_params(spec)
    return (shape[0], int(spec["hidden_size"]) * (2 if spec["bidirectional"] else 1))


def _rnn_macs(spec: dict, i: tuple, o: tuple) -> int:
    g, h = rnn_gates(spec["type"]), int(spec["hidden_size"])
    dirs = 2 if spec.get("bidirectional") else 1
    total = 0
    for level in range(int(spec.get("num_layers", 1))):
        inp = int(spec["input_size"]) if level == 0 else h * dirs
        total += dirs * g * h * (inp + h)
    return i[0] * total


def _rnn_formula(spec: dict, target: Any, name: str) -> Formula:
    kind = spec["type"]
    g, i, h = rnn_gates(kind), int(spec["input_size"]), int(spec["hidden_size"])
    n, dirs, bias = int(spec["num_layers"]), 2 if spec["bidirectional"] else 1, bool(spec["bias"])
    gates = f"{g}*" if g > 1 else ""
    one = lambda inp: f"{gates}(H*{inp} + H*H" + (" + 2*H)" if bias else ")")  # noqa: E731 - one direction of one layer
    expr = ("D*" if dirs > 1 else "") + one("I")
    syms: dict[str, tuple[str, Any]] = {"H": ("hidden size", h), "I": ("input size", i)}
    if n > 1:
        expr += " + (L - 1)*" + ("D*" if dirs > 1 else "") + one("D*H" if dirs > 1 else "H")
        syms["L"] = ("stacked layers (num_layers)", n)
    if dirs > 1:
        syms["D"] = ("directions (bidirectional: 2)", dirs)
    note = f"{g} gate blocks, each W_ih + W_hh" if g > 1 else "W_ih + W_hh"
    return formula(expr, name=f"{name} ({note}" + (" + b_ih + b_hh)" if bias else ")"), target=target, **syms)


_RNN = {"input_size": REQUIRED, "hidden_size": REQUIRED, "num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0,
        "bidirectional": False, "proj_size": 0}
for _name in ("RNN", "GRU", "LSTM"):
    _args = dict(_RNN, **({"nonlinearity": "tanh"} if _name == "RNN" else {}))
    _register(LayerType(_name, _args, ("input_size", "hidden_size"), "input_size", _rnn_params, _rnn_shape, _rnn_macs,
                        formula=_rnn_formula))


def _mha_counts(e: int, h: int, bias: bool, kdim: Any = None, vdim: Any = None, bias_kv: bool = False) -> tuple[int, int, str]:
    if e < 1 or h < 1 or e % h:
        raise InvalidParams(f"num_heads={h} must divide embed_dim={e}")
    k, v = int(kdim or e), int(vdim or e)
    weights = e * e + e * k + e * v + e * e
    biases = (4 * e if bias else 0) + (2 * e if bias_kv else 0)
    if k == v == e:
        formula = f"3·{e}·{e} (W_Q, W_K, W_V) + {e}·{e} (W_O)"
    else:
        formula = f"{e}·{e} + {e}·{k} + {e}·{v} (W_Q, W_K, W_V) + {e}·{e} (W_O)"
    if bias:
        formula += f" + 4·{e} (their biases)"
    if bias_kv:
        formula += f" + 2·{e} (bias_k, bias_v)"
    return weights, biases, formula + f"; the {h} heads split the {e} dimensions, they add no parameters"


def _mha_formula(spec: dict, target: Any, name: str) -> Formula:
    e = int(spec["embed_dim"])
    kdim, vdim = int(spec["kdim"] or e), int(spec["vdim"] or e)
    syms: dict[str, tuple[str, Any]] = {"E": ("embedding dimension", e)}
    if kdim == vdim == e:
        expr = "4*E*E"
    else:
        expr = "2*E*E + E*k + E*v"
        syms["k"], syms["v"] = ("key dimension (kdim)", kdim), ("value dimension (vdim)", vdim)
    expr += (" + 4*E" if spec["bias"] else "") + (" + 2*E" if spec["add_bias_kv"] else "")
    return formula(expr, name=name, target=target, **syms)


def _sequence_shape(key: str) -> Callable[[dict, tuple], tuple]:
    def shape(spec: dict, i: tuple) -> tuple:
        e = int(spec[key])
        if len(i) != 2 or i[1] != e:
            raise InvalidParams(f"{spec['type']} expects a (T, {e}) sequence, gets {i}")
        layer_type(spec["type"]).params(spec)  # validates the heads
        return tuple(i)
    return shape


_register(LayerType("MultiheadAttention", {"embed_dim": REQUIRED, "num_heads": REQUIRED, "dropout": 0.0, "bias": True,
                                           "add_bias_kv": False, "add_zero_attn": False, "kdim": None, "vdim": None,
                                           "batch_first": False}, ("embed_dim", "num_heads"),
                    params=lambda s: _mha_counts(int(s["embed_dim"]), int(s["num_heads"]), bool(s["bias"]), s["kdim"], s["vdim"],
                                                 bool(s["add_bias_kv"])),
                    shape=_sequence_shape("embed_dim"), formula=_mha_formula,
                    macs=lambda s, i, o: i[0] * 4 * i[1] * i[1] + 2 * i[0] * i[0] * i[1],
                    note="self-attention on a (T, E) sequence: MACs = T·4E² (projections) + 2·T²·E (scores, weighted sum)"))


def _encoder_params(spec: dict) -> tuple[int, int, str]:
    e, h, f, bias = int(spec["d_model"]), int(spec["nhead"]), int(spec["dim_feedforward"]), bool(spec["bias"])
    aw, ab, _ = _mha_counts(e, h, bias)
    fw, fb = 2 * e * f, (f + e if bias else 0)
    nw, nb = 2 * e, (2 * e if bias else 0)
    formula = (f"attention {fmt(aw + ab)} (4·{e}²" + (f" + 4·{e}" if bias else "") + f") + feed-forward {fmt(fw + fb)} ({e}·{f}"
               + (f" + {f}" if bias else "") + f" + {f}·{e}" + (f" + {e}" if bias else "") + f") + two LayerNorms {fmt(nw + nb)} (2·"
               + (f"2·{e}" if bias else f"{e}") + ")")
    return aw + fw + nw, ab + fb + nb, formula


def _encoder_formula(spec: dict, target: Any, name: str) -> Formula:
    e, f, bias = int(spec["d_model"]), int(spec["dim_feedforward"]), bool(spec["bias"])
    expr = "4*E*E + 4*E + 2*E*F + F + E + 4*E" if bias else "4*E*E + 2*E*F + 2*E"
    return formula(expr, name=f"{name} (attention + feed-forward + two LayerNorms)", target=target,
                   E=("model dimension (d_model)", e), F=("feed-forward dimension", f))


_register(LayerType("TransformerEncoderLayer", {"d_model": REQUIRED, "nhead": REQUIRED, "dim_feedforward": 2048, "dropout": 0.1,
                                                "activation": "relu", "layer_norm_eps": 1e-5, "batch_first": False,
                                                "norm_first": False, "bias": True}, ("d_model", "nhead"),
                    params=_encoder_params, shape=_sequence_shape("d_model"), formula=_encoder_formula,
                    macs=lambda s, i, o: i[0] * (4 * i[1] * i[1] + 2 * i[1] * int(s.get("dim_feedforward", 2048))) + 2 * i[0] * i[0] * i[1]))


def _attn_dims(spec: dict) -> tuple[int, int, int, int]:
    """(E, heads, kv heads, head dim) of a SelfAttention spec."""
    e, h = int(spec["embed_dim"]), int(spec["num_heads"])
    kv = int(spec.get("num_key_value_heads") or h)
    if e < 1 or h < 1 or e % h or kv < 1 or h % kv:
        raise InvalidParams(f"SelfAttention: num_heads={h} must divide embed_dim={e}, and num_key_value_heads={kv} must divide num_heads")
    return e, h, kv, e // h


def _attn_params(spec: dict) -> tuple[int, int, str]:
    e, h, kv, hd = _attn_dims(spec)
    kvd = kv * hd
    bias = bool(spec.get("bias", True))
    w, b = 2 * e * e + 2 * e * kvd, (2 * e + 2 * kvd if bias else 0)
    if kv == h:
        formula = f"4·{e}·{e} (W_Q, W_K, W_V, W_O)" + (f" + 4·{e} (their biases)" if bias else "")
    else:
        formula = (f"2·{e}·{e} (W_Q, W_O) + 2·{e}·{kvd} (W_K, W_V: {kv} key/value heads × {hd})"
                   + (f" + 2·{e} + 2·{kvd} (biases)" if bias else ""))
    return w, b, formula + f"; the {h} heads split the {e} dimensions, they add no parameters"


def _attn_shape(spec: dict, i: tuple) -> tuple:
    e = _attn_dims(spec)[0]
    if len(i) != 2 or i[1] != e:
        raise InvalidParams(f"SelfAttention expects a (T, {e}) sequence, gets {show(i)}")
    return tuple(i)


def _attn_macs(spec: dict, i: tuple, o: tuple) -> int:
    e, h, kv, hd = _attn_dims(spec)
    t = i[0]
    return t * (2 * e * e + 2 * e * kv * hd) + 2 * t * t * e


def _attn_formula(spec: dict, target: Any, name: str) -> Formula:
    e, h = int(spec["embed_dim"]), int(spec["num_heads"])
    kv = int(spec.get("num_key_value_heads") or h)
    bias = bool(spec.get("bias", True))
    if kv == h:
        return formula("4*E*E" + (" + 4*E" if bias else ""), name=name, target=target, E=("embedding dimension", e))
    return formula("2*E*E + 2*E*(kv*E/h)" + (" + 2*E + 2*(kv*E/h)" if bias else ""), name=name, target=target,
                   E=("embedding dimension", e), h=("query heads", h), kv=("key/value heads", kv))


_register(LayerType("SelfAttention", {"embed_dim": REQUIRED, "num_heads": REQUIRED, "num_key_value_heads": None, "bias": True},
                    ("embed_dim", "num_heads"), params=_attn_params, shape=_attn_shape, macs=_attn_macs, formula=_attn_formula,
                    note=("drill's own node, not a PyTorch class: Linear projections W_Q (E×E), W_K and W_V (E×kv·d_head), "
                          "W_O (E×E) as in GPT-2, BERT or Llama; num_key_value_heads < num_heads is grouped-query attention; "
                          "rotary position embeddings add no parameters. MACs = T·(2E² + 2E·kv·d_head) + 2·T²·E (no causal saving)")))


# --- no parameters: activations, dropout, pooling, flatten -------------------------------------


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
    return (*i[:a], _numel(i[a:b + 1]), *i[b + 1:])


_register(LayerType("Flatten", {"start_dim": 1, "end_dim": -1}, shape=_flatten_shape))


# --- printing: one canonical form ---------------------------------------------------------------


def _arg(v: Any) -> str:
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, list):
        return "(" + ", ".join(map(str, v)) + ")"
    return str(v)


def layer_text(spec: dict) -> str:
    """The layer as the PyTorch constructor that builds it, e.g. ``Conv2d(3, 64, kernel_size=7,
    stride=2, padding=3, bias=False)``: the positional arguments, then every argument that differs
    from PyTorch's default (so the text builds the same layer), then any argument PyTorch does not
    take (so nothing the solver reads is hidden). A spec whose input size is left out (inferred)
    prints as PyTorch's Lazy class, e.g. ``LazyConv2d(32, kernel_size=3)``, which builds the same
    layer on the same input."""
    t = layer_type(spec.get("type"))
    name, positional = t.name, list(t.positional)
    if t.infer and t.infer not in spec:
        if t.lazy:
            name, positional = "Lazy" + t.name, [k for k in positional if k != t.infer]
        else:
            positional = positional[: positional.index(t.infer)] if t.infer in positional else positional
    parts = []
    for k in positional:  # positional while they are all there, then by name
        if k not in spec:
            break
        parts.append(_arg(spec[k]))
    shown = positional[: len(parts)]
    for k, default in t.args.items():
        if k in shown or k not in spec:
            continue
        if default is REQUIRED or spec[k] != default or isinstance(spec[k], bool) != isinstance(default, bool):
            parts.append(f"{k}={_arg(spec[k])}")
    parts += [f"{k}={_arg(v)}" for k, v in spec.items() if k != "type" and k not in t.args]
    return f"{name}({', '.join(parts)})"
