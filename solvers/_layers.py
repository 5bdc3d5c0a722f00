"""What a PyTorch layer spec means: its repr, its learnable parameters, its output shape.

A layer spec is a dict with ``type`` (the PyTorch class name) and that class's constructor
argument names (Linear: in_features, out_features, bias; Conv2d: in_channels, out_channels,
kernel_size, stride, padding, dilation, groups, bias; ConvTranspose2d: the same plus
output_padding; MaxPool2d/AvgPool2d: kernel_size, stride, padding; BatchNorm1d/2d:
num_features; LayerNorm: normalized_shape, elementwise_affine, bias; Embedding:
num_embeddings, embedding_dim; RNN/LSTM/GRU: input_size, hidden_size, num_layers, bias,
bidirectional; MultiheadAttention: embed_dim, num_heads, bias, add_bias_kv, kdim, vdim;
TransformerEncoderLayer: d_model, nhead, dim_feedforward, bias), with PyTorch's defaults.
A network is a list of specs plus ``input_shape`` as (C, H, W), (features,), a sequence
(T, features), or token ids (T,) before an Embedding; batch dimension left out.

Shapes use one set of letters throughout: C channels, H height, W width, K kernel size,
S stride, P padding *per side*, D dilation. Output size of a conv or pool along one axis::

    H' = floor((H + 2·P − D·(K − 1) − 1) / S) + 1              (Conv2d, pooling)
    H' = (H − 1)·S − 2·P + D·(K − 1) + output_padding + 1       (ConvTranspose2d)

Conv2d also takes PyTorch's ``padding='same'`` (stride 1: H' = H) and ``'valid'`` (P = 0).
Recurrent layers have G gate blocks (RNN 1, GRU 3, LSTM 4), each with W_ih (H×I), W_hh (H×H)
and PyTorch's *two* bias vectors b_ih and b_hh (H each).

Every helper raises ``InvalidParams`` naming the bad value; none imports numpy.
"""

from __future__ import annotations

from typing import Any

from . import InvalidParams
from ._fmt import fmt

__all__ = [
    "pair", "conv_out", "conv_transpose_out", "conv_padding", "layer_repr", "layer_params", "layer_output_shape",
    "net_repr", "rnn_gates", "PARAMETERLESS", "RNN_GATES",
]

PARAMETERLESS = {
    "ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "Flatten", "Identity", "MaxPool2d", "AvgPool2d",
    "Dropout2d", "GELU", "LeakyReLU",
}
RNN_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "Linear": {"bias": True},
    "Conv2d": {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True},
    "MaxPool2d": {"stride": None, "padding": 0},
    "AvgPool2d": {"stride": None, "padding": 0},
    "BatchNorm1d": {},
    "BatchNorm2d": {},
    "ConvTranspose2d": {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1, "bias": True},
    "LayerNorm": {"elementwise_affine": True, "bias": True},
    "Embedding": {},
    "RNN": {"num_layers": 1, "bias": True, "bidirectional": False, "proj_size": 0},
    "GRU": {"num_layers": 1, "bias": True, "bidirectional": False, "proj_size": 0},
    "LSTM": {"num_layers": 1, "bias": True, "bidirectional": False, "proj_size": 0},
    "MultiheadAttention": {"bias": True, "add_bias_kv": False, "kdim": None, "vdim": None},
    "TransformerEncoderLayer": {"dim_feedforward": 2048, "bias": True},
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
    padding = _get(layer, "padding")
    if padding == "valid":
        return 0, 0
    if padding == "same":
        if pair(_get(layer, "stride"), "stride") != (1, 1):
            raise InvalidParams("padding='same' needs stride 1 (PyTorch refuses strided 'same' convolutions)")
        kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
        dh, dw = pair(_get(layer, "dilation"), "dilation")
        if dh * (kh - 1) % 2 or dw * (kw - 1) % 2:
            raise InvalidParams(f"'same' padding of kernel {kh}×{kw} with dilation {dh} is not symmetric")
        return dh * (kh - 1) // 2, dw * (kw - 1) // 2
    if isinstance(padding, str):
        raise InvalidParams(f"padding must be a number, 'same' or 'valid', got {padding!r}")
    return pair(padding, "padding")


def rnn_gates(kind: str) -> int:
    """Gate blocks of a recurrent layer: RNN 1, GRU 3 (reset, update, candidate), LSTM 4 (i, f, g, o)."""
    try:
        return RNN_GATES[kind]
    except KeyError:
        raise InvalidParams(f"{kind!r} is not a recurrent layer") from None


def _get(layer: dict, key: str) -> Any:
    kind = layer.get("type")
    if key in layer:
        return layer[key]
    defaults = _DEFAULTS.get(kind, {})
    if key in defaults:
        return defaults[key]
    raise InvalidParams(f"{kind} layer needs {key!r}")


# The arguments layer_repr writes positionally, as PyTorch's own repr does.
POSITIONAL: dict[str, tuple[str, ...]] = {
    "Linear": ("in_features", "out_features"), "Conv2d": ("in_channels", "out_channels"),
    "BatchNorm2d": ("num_features",), "BatchNorm1d": ("num_features",),
    "ConvTranspose2d": ("in_channels", "out_channels"), "LayerNorm": ("normalized_shape",),
    "Embedding": ("num_embeddings", "embedding_dim"), "RNN": ("input_size", "hidden_size"),
    "GRU": ("input_size", "hidden_size"), "LSTM": ("input_size", "hidden_size"),
    "MultiheadAttention": ("embed_dim", "num_heads"),
}


def layer_repr(layer: dict) -> str:
    """PyTorch-style constructor text, e.g. ``Conv2d(3, 96, kernel_size=11, stride=4)``."""
    kind = layer.get("type", "?")
    args = {k: v for k, v in layer.items() if k != "type"}
    positional = POSITIONAL.get(kind, ())
    parts = [str(args.pop(k)) for k in positional if k in args]
    parts += [f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in args.items()]
    return f"{kind}({', '.join(parts)})"


def net_repr(layers: list[dict]) -> str:
    return "\n".join(f"  {i + 1}. {layer_repr(layer)}" for i, layer in enumerate(layers))


def _conv_args(layer: dict) -> tuple[int, int, int, int, int, int]:
    """(C_in, C_out, groups, K_h, K_w, biases) of a Conv2d/ConvTranspose2d spec; groups must divide both."""
    cin, cout, g = int(_get(layer, "in_channels")), int(_get(layer, "out_channels")), int(_get(layer, "groups"))
    if cin % g or cout % g:
        raise InvalidParams(f"groups={g} must divide in_channels={cin} and out_channels={cout}")
    kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
    return cin, cout, g, kh, kw, cout if _get(layer, "bias") else 0


def layer_params(layer: dict) -> tuple[int, int, str]:
    """(weights, biases, formula) of one layer's learnable parameters."""
    kind = layer.get("type")
    if kind == "Linear":
        i, o = int(_get(layer, "in_features")), int(_get(layer, "out_features"))
        b = o if _get(layer, "bias") else 0
        return i * o, b, f"{i}·{o}" + (f" + {o}" if b else "") + " (weights in·out" + (" + one bias per output)" if b else ", no bias)")
    if kind == "Conv2d":
        cin, cout, g, kh, kw, b = _conv_args(layer)
        per = f"{cin // g}" + (f" (= {cin}/{g} groups)" if g > 1 else "")
        return kh * kw * (cin // g) * cout, b, f"{kh}·{kw}·{per}·{cout}" + (f" + {cout}" if b else "") + " (K·K·C_in·C_out" + (" + one bias per filter)" if b else ", no bias)")
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        c = int(_get(layer, "num_features"))
        if not layer.get("affine", True):
            return 0, 0, "no learnable parameters (affine=False; running mean/var are buffers, not learned)"
        if not layer.get("bias", True):
            return c, 0, f"{c} (γ per channel, bias=False; running mean/var are buffers, not learned)"
        return c, c, f"{c} + {c} (γ and β per channel; running mean/var are buffers, not learned)"
    if kind == "ConvTranspose2d":
        cin, cout, g, kh, kw, b = _conv_args(layer)
        return kh * kw * cin * (cout // g), b, f"{kh}·{kw}·{cin}·{cout // g}" + (f" + {cout}" if b else "") + " (K·K·C_in·C_out/groups" + (" + one bias per output channel)" if b else ", no bias)")
    if kind == "LayerNorm":
        shape = _get(layer, "normalized_shape")
        n = 1
        for d in shape if isinstance(shape, (list, tuple)) else [shape]:
            n *= int(d)
        if not _get(layer, "elementwise_affine"):
            return 0, 0, "no learnable parameters (elementwise_affine=False)"
        b = n if _get(layer, "bias") else 0
        return n, b, f"{n}" + (f" + {n} (γ and β per feature)" if b else " (γ per feature, bias=False)")
    if kind == "Embedding":
        n, d = int(_get(layer, "num_embeddings")), int(_get(layer, "embedding_dim"))
        return n * d, 0, f"{n}·{d} (one {d}-vector per token, a lookup table: no bias)"
    if kind in RNN_GATES:
        return _rnn_params(layer, kind)
    if kind == "MultiheadAttention":
        return _mha_params(int(_get(layer, "embed_dim")), int(_get(layer, "num_heads")), bool(_get(layer, "bias")),
                           _get(layer, "kdim"), _get(layer, "vdim"), bool(_get(layer, "add_bias_kv")))
    if kind == "TransformerEncoderLayer":
        e, h, f, bias = int(_get(layer, "d_model")), int(_get(layer, "nhead")), int(_get(layer, "dim_feedforward")), bool(_get(layer, "bias"))
        aw, ab, _ = _mha_params(e, h, bias)
        fw, fb = 2 * e * f, (f + e if bias else 0)
        nw, nb = 2 * e, (2 * e if bias else 0)
        formula = (f"attention {fmt(aw + ab)} (4·{e}²" + (f" + 4·{e}" if bias else "") + f") + feed-forward {fmt(fw + fb)} ({e}·{f}"
                   + (f" + {f}" if bias else "") + f" + {f}·{e}" + (f" + {e}" if bias else "") + f") + two LayerNorms {fmt(nw + nb)} (2·"
                   + (f"2·{e}" if bias else f"{e}") + ")")
        return aw + fw + nw, ab + fb + nb, formula
    if kind in PARAMETERLESS:
        return 0, 0, "no learnable parameters"
    return _table(kind).params(layer)


MAX_RNN_LAYERS = 1_000  # the per-layer sum below loops over num_layers


def _rnn_params(layer: dict, kind: str) -> tuple[int, int, str]:
    g, i, h = rnn_gates(kind), int(_get(layer, "input_size")), int(_get(layer, "hidden_size"))
    n, dirs = int(_get(layer, "num_layers")), 2 if _get(layer, "bidirectional") else 1
    if int(_get(layer, "proj_size")):
        raise InvalidParams("proj_size is not supported")
    if n < 1 or i < 1 or h < 1:
        raise InvalidParams(f"{kind} needs num_layers, input_size and hidden_size ≥ 1")
    if n > MAX_RNN_LAYERS:
        raise InvalidParams(f"{kind} num_layers {n} is above {MAX_RNN_LAYERS}; a by-hand question stacks a few")
    bias = bool(_get(layer, "bias"))
    weights = biases = 0
    parts = []
    for level in range(n):
        inp = i if level == 0 else h * dirs
        weights += dirs * g * h * (inp + h)
        biases += dirs * 2 * g * h if bias else 0
        parts.append(f"{dirs}·" * (dirs > 1) + f"{g}·" * (g > 1) + f"({h}·{inp} + {h}·{h}" + (f" + 2·{h})" if bias else ")"))
    formula = " + ".join(parts) + f" ({g} gate block{'s' * (g > 1)}, each W_ih H×I + W_hh H×H" + (" + b_ih + b_hh)" if bias else ", no bias)")
    return weights, biases, formula


def _mha_params(e: int, h: int, bias: bool, kdim: Any = None, vdim: Any = None, bias_kv: bool = False) -> tuple[int, int, str]:
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


def _conv_input(layer: dict, shape: tuple[int, ...]) -> tuple[int, int]:
    """(H, W) of a (C, H, W) input whose C matches the conv layer's in_channels."""
    kind = layer.get("type")
    if len(shape) != 3:
        raise InvalidParams(f"{kind} needs a (C, H, W) input, got {shape}")
    c, h, w = shape
    if c != int(_get(layer, "in_channels")):
        raise InvalidParams(f"{kind} expects {layer['in_channels']} input channels, gets {c}")
    return h, w


def layer_output_shape(layer: dict, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape after ``layer`` for an input of ``shape`` ((C, H, W) or (F,)), batch left out."""
    kind = layer.get("type")
    if kind == "Conv2d":
        h, w = _conv_input(layer, shape)
        kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
        sh, sw = pair(_get(layer, "stride"), "stride")
        ph, pw = conv_padding(layer)
        dh, dw = pair(_get(layer, "dilation"), "dilation")
        layer_params(layer)  # validates groups
        return int(layer["out_channels"]), conv_out(h, kh, sh, ph, dh), conv_out(w, kw, sw, pw, dw)
    if kind == "ConvTranspose2d":
        h, w = _conv_input(layer, shape)
        kh, kw = pair(_get(layer, "kernel_size"), "kernel_size")
        sh, sw = pair(_get(layer, "stride"), "stride")
        ph, pw = pair(_get(layer, "padding"), "padding")
        dh, dw = pair(_get(layer, "dilation"), "dilation")
        oh, ow = pair(_get(layer, "output_padding"), "output_padding")
        layer_params(layer)  # validates groups
        return int(layer["out_channels"]), conv_transpose_out(h, kh, sh, ph, dh, oh), conv_transpose_out(w, kw, sw, pw, dw, ow)
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
    if kind == "Embedding":
        if len(shape) != 1:
            raise InvalidParams(f"Embedding takes a sequence of token ids of shape (T,), got {shape}")
        return (shape[0], int(_get(layer, "embedding_dim")))
    if kind in RNN_GATES:
        if len(shape) != 2 or shape[1] != int(_get(layer, "input_size")):
            raise InvalidParams(f"{kind} expects a (T, {layer['input_size']}) sequence, gets {shape}")
        layer_params(layer)
        return (shape[0], int(_get(layer, "hidden_size")) * (2 if _get(layer, "bidirectional") else 1))
    if kind in ("MultiheadAttention", "TransformerEncoderLayer"):
        e = int(_get(layer, "embed_dim" if kind == "MultiheadAttention" else "d_model"))
        if len(shape) != 2 or shape[1] != e:
            raise InvalidParams(f"{kind} expects a (T, {e}) sequence, gets {shape}")
        layer_params(layer)  # validates the heads
        return tuple(shape)
    if kind == "LayerNorm":
        norm = _get(layer, "normalized_shape")
        norm = tuple(int(d) for d in (norm if isinstance(norm, (list, tuple)) else [norm]))
        if tuple(shape[-len(norm):]) != norm:
            raise InvalidParams(f"LayerNorm over {norm} does not fit an input of shape {shape}")
        return tuple(shape)
    if kind in PARAMETERLESS:
        return tuple(shape)
    return tuple(_table(kind).shape(layer, tuple(shape)))


def _table(kind: Any) -> Any:
    """The layer types added with the graph (GroupNorm, RMSNorm, Conv1d, SiLU, …): ``solvers._graph.LAYERS``."""
    from ._graph import LAYERS

    if kind not in LAYERS or LAYERS[kind].params is layer_params:
        raise InvalidParams(f"unknown layer type {kind!r}")
    return LAYERS[kind]
