"""A network as a graph of named nodes; shapes, parameters, MACs and activations in one walk.

The graph form (YAML params, plain data)::

    input_shape: [3, 224, 224]          # (C, H, W), (F,), (T, F) or token ids (T,); batch left out
    graph:
      - {name: conv1, type: Conv2d, in_channels: 3, out_channels: 64, kernel_size: 7, stride: 2, padding: 3, bias: false}
      - {name: bn1, type: BatchNorm2d, num_features: 64}      # takes the previous node's output
      - {name: short, type: Conv2d, ..., input: conv1}         # or a named input
      - {name: sum, op: add, inputs: [bn1, short]}             # merge ops: add, mul, concat, select
      - name: layer1
        repeat: 2                                              # a sub-graph applied 2 times, chained
        body:                                                  # inside, ``input`` is the block's input
          - {name: conv, type: Conv2d, out_channels: 64, kernel_size: 3, padding: 1}   # in_channels inferred
          - {name: out, op: add, inputs: [conv, input]}
      - {name: head, type: Linear, in_features: 768, out_features: 50257, bias: false, tie: wte}

A node is a layer (``type``: a PyTorch class name, its constructor argument names, PyTorch's
defaults; see :data:`LAYERS`), a merge ``op`` or a block (``body``, optionally ``repeat: N``).
It takes ``input: name`` / ``inputs: [a, b]``, else the previous item's output (the graph's
first item takes ``input``, the graph input). Names are scoped: inside a body, names are the
body's own first, then the enclosing scopes'; a block's output is its last item's. The
"input-size" argument (in_channels, in_features, num_features, num_channels) may be left out
and is then read from the input shape, as PyTorch's Lazy modules do. ``tie: other`` reuses the
weight of node ``other`` (its weight count must match), so it is counted once (GPT-2's head).

Merge ops (no parameters): ``add`` and ``mul`` of equal shapes (a residual sum, SwiGLU's
gate); ``concat`` along ``dim`` (default 0, the channels; the others must match);
``select`` takes item ``index`` (default 0) of the leading axis (BERT's [CLS] token).

Conventions of the counts: params are what ``model.parameters()`` holds (BatchNorm's running
mean/var are buffers, not counted); MACs count the multiply-accumulates of conv, linear and
attention matmuls only (biases, norms, activations, pooling and merges are not counted; a
FLOP count is 2·MACs); activations are the output elements of every node (the input not
counted), batch 1. A repeated body whose output shape equals its input shape is walked once
and multiplied; otherwise that first walk is kept as repetition 0 and the body is walked again
for each further repetition only, so the work is the size of the expanded graph (nested
shape-changing repeats do not walk their bodies again at every level).

Bounds (banks are untrusted): at most :data:`MAX_NODES` nodes after repeat expansion, counted
from the file before anything is walked, every dimension and argument at most :data:`MAX_DIM`. Every problem raises ``InvalidParams`` in
one line naming the node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from . import InvalidParams
from ._fmt import shape as show
from ._layers import conv_out, layer_output_shape, layer_params, pair, rnn_gates

__all__ = [
    "LAYERS", "LayerType", "MERGE_OPS", "Node", "Block", "Walk", "walk", "layer_text", "graph_text",
    "walk_text", "layer_table", "stage_table", "chain_graph", "MAX_NODES", "MAX_DIM", "DTYPE_BYTES",
]

MAX_NODES = 10_000
MAX_DIM = 10**7
MAX_NESTING = 16
DTYPE_BYTES = {"fp32": 4, "float32": 4, "fp16": 2, "float16": 2, "bf16": 2, "bfloat16": 2, "fp64": 8, "int8": 1}
REQUIRED = object()
FLOAT_ARGS = {"eps", "momentum", "p", "dropout", "negative_slope", "norm_type", "layer_norm_eps", "max_norm"}


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


# --- layer types: the argument table, then one params/shape/MACs rule per type -------------


@dataclass(frozen=True)
class LayerType:
    """One layer type. args: {constructor argument: PyTorch's default, or REQUIRED}, in order;
    positional: the leading arguments printed without a name; infer: the input-size argument that
    may be left out (read from the input shape); params(spec) → (weights, biases, formula);
    shape(spec, in_shape) → out_shape; macs(spec, in_shape, out_shape) → multiply-accumulates."""

    name: str
    args: dict[str, Any]
    positional: tuple[str, ...] = ()
    infer: str | None = None
    params: Callable[[dict], tuple[int, int, str]] = layer_params
    shape: Callable[[dict, tuple], tuple] = layer_output_shape
    macs: Callable[[dict, tuple, tuple], int] = lambda spec, i, o: 0
    note: str = ""
    fixed: tuple[str, ...] = ()  # arguments whose non-default values drill does not model (refused)


LAYERS: dict[str, LayerType] = {}


def _register(t: LayerType) -> None:
    LAYERS[t.name] = t


def _conv_macs(spec: dict, i: tuple, o: tuple) -> int:
    """H'·W'·C_out·(C_in/groups)·K·K for any number of spatial axes (o is (C_out, *spatial))."""
    k = spec["kernel_size"]
    n_sp = len(o) - 1
    ks = [int(v) for v in k] if isinstance(k, (list, tuple)) else [int(k)] * n_sp
    return _numel(o) * (int(spec["in_channels"]) // int(spec.get("groups", 1))) * math.prod(ks)


def _conv_t_macs(spec: dict, i: tuple, o: tuple) -> int:
    """Transposed: every input value is scattered through C_out/groups kernels: H·W·C_in·(C_out/g)·K·K."""
    kh, kw = pair(spec["kernel_size"])
    return _numel(i) * (int(spec["out_channels"]) // int(spec.get("groups", 1))) * kh * kw


def _linear_macs(spec: dict, i: tuple, o: tuple) -> int:
    return _numel(o) * int(spec["in_features"])


def _same_shape(spec: dict, i: tuple) -> tuple:
    return tuple(i)


def _no_params(spec: dict) -> tuple[int, int, str]:
    return 0, 0, "no learnable parameters"


CONV = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True, "padding_mode": "zeros"}
for _name in ("Conv2d",):
    _register(LayerType(_name, {"in_channels": REQUIRED, "out_channels": REQUIRED, "kernel_size": REQUIRED, **CONV},
                        ("in_channels", "out_channels"), "in_channels", macs=_conv_macs))
_register(LayerType("ConvTranspose2d", {"in_channels": REQUIRED, "out_channels": REQUIRED, "kernel_size": REQUIRED, "stride": 1,
                    "padding": 0, "output_padding": 0, "groups": 1, "bias": True, "dilation": 1, "padding_mode": "zeros"},
                    ("in_channels", "out_channels"), "in_channels", macs=_conv_t_macs))
_register(LayerType("Linear", {"in_features": REQUIRED, "out_features": REQUIRED, "bias": True},
                    ("in_features", "out_features"), "in_features", macs=_linear_macs,
                    note="acts on the last axis of a (…, in_features) tensor"))
_BN = {"num_features": REQUIRED, "eps": 1e-5, "momentum": 0.1, "affine": True, "track_running_stats": True, "bias": True}
_register(LayerType("BatchNorm1d", dict(_BN), ("num_features",), "num_features",
                    note="2C learnable (γ, β); the 2C running mean/var are buffers, not parameters"))
_register(LayerType("BatchNorm2d", dict(_BN), ("num_features",), "num_features",
                    note="2C learnable (γ, β); the 2C running mean/var are buffers, not parameters"))
_register(LayerType("LayerNorm", {"normalized_shape": REQUIRED, "eps": 1e-5, "elementwise_affine": True, "bias": True},
                    ("normalized_shape",)))
_register(LayerType("Embedding", {"num_embeddings": REQUIRED, "embedding_dim": REQUIRED, "padding_idx": None, "max_norm": None,
                                  "norm_type": 2.0, "scale_grad_by_freq": False, "sparse": False},
                    ("num_embeddings", "embedding_dim")))
_register(LayerType("MultiheadAttention", {"embed_dim": REQUIRED, "num_heads": REQUIRED, "dropout": 0.0, "bias": True,
                                           "add_bias_kv": False, "add_zero_attn": False, "kdim": None, "vdim": None,
                                           "batch_first": False}, ("embed_dim", "num_heads"),
                    macs=lambda s, i, o: i[0] * 4 * i[1] * i[1] + 2 * i[0] * i[0] * i[1],
                    note="self-attention on a (T, E) sequence: MACs = T·4E² (projections) + 2·T²·E (scores, weighted sum)"))
_register(LayerType("TransformerEncoderLayer", {"d_model": REQUIRED, "nhead": REQUIRED, "dim_feedforward": 2048, "dropout": 0.1,
                                                "activation": "relu", "layer_norm_eps": 1e-5, "batch_first": False,
                                                "norm_first": False, "bias": True}, ("d_model", "nhead"),
                    macs=lambda s, i, o: i[0] * (4 * i[1] * i[1] + 2 * i[1] * int(s.get("dim_feedforward", 2048))) + 2 * i[0] * i[0] * i[1]))
_RNN = {"input_size": REQUIRED, "hidden_size": REQUIRED, "num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0,
        "bidirectional": False, "proj_size": 0}


def _rnn_macs(spec: dict, i: tuple, o: tuple) -> int:
    g, h = rnn_gates(spec["type"]), int(spec["hidden_size"])
    dirs = 2 if spec.get("bidirectional") else 1
    total = 0
    for level in range(int(spec.get("num_layers", 1))):
        inp = int(spec["input_size"]) if level == 0 else h * dirs
        total += dirs * g * h * (inp + h)
    return i[0] * total


for _name in ("RNN", "GRU", "LSTM"):
    _args = dict(_RNN, **({"nonlinearity": "tanh"} if _name == "RNN" else {}))
    _register(LayerType(_name, _args, ("input_size", "hidden_size"), "input_size", macs=_rnn_macs))
for _name, _args in (("ReLU", {"inplace": False}), ("ReLU6", {"inplace": False}), ("SiLU", {"inplace": False}),
                     ("Hardswish", {"inplace": False}), ("GELU", {"approximate": "none"}), ("Sigmoid", {}), ("Tanh", {}),
                     ("LeakyReLU", {"negative_slope": 0.01, "inplace": False}), ("Softmax", {"dim": None}),
                     ("Dropout", {"p": 0.5, "inplace": False}), ("Dropout2d", {"p": 0.5, "inplace": False}), ("Identity", {})):
    _register(LayerType(_name, _args, params=_no_params, shape=_same_shape))
_POOL = {"kernel_size": REQUIRED, "stride": None, "padding": 0}
_register(LayerType("MaxPool2d", dict(_POOL, dilation=1, return_indices=False, ceil_mode=False), ("kernel_size",),
                    fixed=("dilation", "ceil_mode", "return_indices")))
_register(LayerType("AvgPool2d", dict(_POOL, ceil_mode=False, count_include_pad=True, divisor_override=None), ("kernel_size",),
                    fixed=("ceil_mode",)))


def _flatten_shape(spec: dict, i: tuple) -> tuple:
    """Flatten(start_dim=1, end_dim=-1) in PyTorch's batched numbering; dim 0 is the batch."""
    start, end = int(spec.get("start_dim", 1)), int(spec.get("end_dim", -1))
    n = len(i) + 1
    start, end = start % n, end % n
    if start < 1 or end < start:
        raise InvalidParams(f"Flatten(start_dim={start}, end_dim={end}) must keep the batch axis 0 and have start ≤ end")
    a, b = start - 1, end - 1
    return (*i[:a], _numel(i[a:b + 1]), *i[b + 1:])


_register(LayerType("Flatten", {"start_dim": 1, "end_dim": -1}, params=_no_params, shape=_flatten_shape))


def _ntuple(v: Any, n: int, what: str) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        if len(v) != n:
            raise InvalidParams(f"{what} must be one number or {n}, got {v!r}")
        return tuple(int(x) for x in v)
    return (int(v),) * n


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
                     ("in_channels", "out_channels"), "in_channels", params, shape, _conv_macs)


_register(_convnd(1))
_register(_convnd(3))


def _adaptive_shape(spec: dict, i: tuple) -> tuple:
    if len(i) != 3:
        raise InvalidParams(f"AdaptiveAvgPool2d needs a (C, H, W) input, got {show(i)}")
    out = spec["output_size"]
    oh, ow = (out, out) if not isinstance(out, (list, tuple)) else tuple(out)
    return i[0], int(oh) if oh is not None else i[1], int(ow) if ow is not None else i[2]


_register(LayerType("AdaptiveAvgPool2d", {"output_size": REQUIRED}, ("output_size",), params=_no_params, shape=_adaptive_shape))


def _channels_first(name: str, key: str) -> Callable[[dict, tuple], tuple]:
    def shape(spec: dict, i: tuple) -> tuple:
        if not i or i[0] != int(spec[key]):
            raise InvalidParams(f"{name} expects {spec[key]} channels, gets an input of shape {show(i)}")
        return tuple(i)
    return shape


def _groupnorm_params(spec: dict) -> tuple[int, int, str]:
    g, c = int(spec["num_groups"]), int(spec["num_channels"])
    if g < 1 or c % g:
        raise InvalidParams(f"GroupNorm: num_groups={g} must divide num_channels={c}")
    if not spec.get("affine", True):
        return 0, 0, "no learnable parameters (affine=False)"
    b = c if spec.get("bias", True) else 0
    return c, b, f"{c}" + (f" + {c} (γ and β per channel, not per group)" if b else " (γ per channel, bias=False)")


_register(LayerType("GroupNorm", {"num_groups": REQUIRED, "num_channels": REQUIRED, "eps": 1e-5, "affine": True, "bias": True},
                    ("num_groups", "num_channels"), "num_channels", _groupnorm_params, _channels_first("GroupNorm", "num_channels")))


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
                    ("num_features",), "num_features", _instancenorm_params, _instancenorm_shape))


def _norm_dims(spec: dict) -> tuple[int, ...]:
    ns = spec["normalized_shape"]
    return tuple(int(d) for d in (ns if isinstance(ns, (list, tuple)) else [ns]))


def _rmsnorm_params(spec: dict) -> tuple[int, int, str]:
    n = _numel(_norm_dims(spec))
    if not spec.get("elementwise_affine", True):
        return 0, 0, "no learnable parameters (elementwise_affine=False)"
    return n, 0, f"{n} (a scale γ per feature; RMSNorm has no β)"


def _rmsnorm_shape(spec: dict, i: tuple) -> tuple:
    norm = _norm_dims(spec)
    if tuple(i[-len(norm):]) != norm:
        raise InvalidParams(f"RMSNorm over {show(norm)} does not fit an input of shape {show(i)}")
    return tuple(i)


_register(LayerType("RMSNorm", {"normalized_shape": REQUIRED, "eps": None, "elementwise_affine": True},
                    ("normalized_shape",), params=_rmsnorm_params, shape=_rmsnorm_shape))


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


_register(LayerType("SelfAttention", {"embed_dim": REQUIRED, "num_heads": REQUIRED, "num_key_value_heads": None, "bias": True},
                    ("embed_dim", "num_heads"), params=_attn_params, shape=_attn_shape, macs=_attn_macs,
                    note=("drill's own node, not a PyTorch class: Linear projections W_Q (E×E), W_K and W_V (E×kv·d_head), "
                          "W_O (E×E) as in GPT-2, BERT or Llama; num_key_value_heads < num_heads is grouped-query attention; "
                          "rotary position embeddings add no parameters. MACs = T·(2E² + 2E·kv·d_head) + 2·T²·E (no causal saving)")))


def layer_type(kind: Any) -> LayerType:
    try:
        return LAYERS[kind]
    except (KeyError, TypeError):
        raise InvalidParams(f"unknown layer type {kind!r}") from None


# --- text: a layer as the PyTorch constructor that builds it ---------------------------------


def _arg(v: Any) -> str:
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, list):
        return "(" + ", ".join(map(str, v)) + ")"
    return str(v)


LAZY = {"Conv1d", "Conv2d", "Conv3d", "ConvTranspose2d", "Linear", "BatchNorm1d", "BatchNorm2d", "InstanceNorm2d"}


def layer_text(spec: dict) -> str:
    """``Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)``: the positional arguments,
    then every argument that differs from PyTorch's default (so the text builds the same layer).
    A spec whose input size is left out (inferred) prints as PyTorch's Lazy class, e.g.
    ``LazyConv2d(32, kernel_size=3)``, which builds the same layer on the same input."""
    t = layer_type(spec.get("type"))
    name, positional = t.name, list(t.positional)
    if t.infer and t.infer not in spec:
        if t.name in LAZY:
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
    return f"{name}({', '.join(parts)})"


# --- the walk -------------------------------------------------------------------------------


MERGE_OPS = ("add", "mul", "concat", "select")
NODE_KEYS = {"name", "input", "inputs", "tie"}


@dataclass
class Node:
    """One node as walked. path: its qualified name (``layer1.*.conv1`` in a body walked once);
    times: how many copies the repeats make; weights/biases/macs are per copy; tied_to: the path
    whose weight it reuses (its own weights then count 0)."""

    path: str
    kind: str
    spec: dict
    inputs: tuple[str, ...]
    in_shapes: tuple[tuple[int, ...], ...]
    shape: tuple[int, ...]
    weights: int = 0
    biases: int = 0
    formula: str = ""
    macs: int = 0
    times: int = 1
    tied_to: str | None = None
    depth: int = 0

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def is_layer(self) -> bool:
        return self.kind not in MERGE_OPS


@dataclass
class Block:
    """A block as walked: its nodes' totals per copy of the block, and how many copies exist."""

    path: str
    repeat: int
    in_shape: tuple[int, ...]
    shape: tuple[int, ...]
    params: int = 0
    macs: int = 0
    activations: int = 0
    times: int = 1
    depth: int = 0
    once: bool = True  # the body was walked once and multiplied


@dataclass
class Walk:
    """Everything one walk of a graph computes. nodes and blocks in walk order; totals over all copies."""

    input_shape: tuple[int, ...]
    nodes: list[Node] = field(default_factory=list)
    blocks: dict[str, Block] = field(default_factory=dict)
    items: list[tuple[str, str]] = field(default_factory=list)  # top-level (name, "node" | "block")
    shape: tuple[int, ...] = ()
    expanded: int = 0  # nodes after repeat expansion

    @property
    def params(self) -> int:
        return sum(n.params * n.times for n in self.nodes)

    @property
    def weights(self) -> int:
        return sum(n.weights * n.times for n in self.nodes)

    @property
    def biases(self) -> int:
        return sum(n.biases * n.times for n in self.nodes)

    @property
    def macs(self) -> int:
        return sum(n.macs * n.times for n in self.nodes)

    @property
    def activations(self) -> int:
        return sum(_numel(n.shape) * n.times for n in self.nodes)

    def part(self, path: str) -> list[Node]:
        """The nodes of a node or block path (``layer2``, ``layer2.0.conv1``, ``h.*.attn``)."""
        found = [n for n in self.nodes if n.path == path or n.path.startswith(path + ".")]
        if not found:
            raise InvalidParams(f"no node or block named {path!r}; top level: {', '.join(name for name, _ in self.items)}")
        return found

    def part_params(self, path: str) -> int:
        return sum(n.params * n.times for n in self.part(path))

    def part_macs(self, path: str) -> int:
        return sum(n.macs * n.times for n in self.part(path))

    def output(self, path: str) -> tuple[int, ...]:
        if path in self.blocks:
            return self.blocks[path].shape
        for n in self.nodes:
            if n.path == path:
                return n.shape
        raise InvalidParams(f"no node or block named {path!r}")


class _Scope:
    def __init__(self, parent: "_Scope | None", prefix: str, input_shape: tuple, input_path: str) -> None:
        self.parent, self.prefix = parent, prefix
        self.names: dict[str, tuple[tuple, str]] = {"input": (input_shape, input_path)}
        self.layers: dict[str, Node] = {}
        self.last: tuple[tuple, str] = (input_shape, input_path)

    def find(self, name: str) -> tuple[tuple, str]:
        s: _Scope | None = self
        while s is not None:
            if name in s.names:
                return s.names[name]
            s = s.parent
        raise KeyError(name)

    def find_layer(self, name: str) -> Node | None:
        s: _Scope | None = self
        while s is not None:
            if name in s.layers:
                return s.layers[name]
            s = s.parent
        return None


def _check_shape(shape: tuple, where: str) -> tuple[int, ...]:
    if not shape or any(not isinstance(d, int) or d < 1 or d > MAX_DIM for d in shape):
        raise InvalidParams(f"{where}: shape {shape!r} needs dimensions from 1 to {MAX_DIM:,}")
    return tuple(shape)


def _check_args(spec: dict, t: LayerType, where: str) -> None:
    for k, v in spec.items():
        if k == "type" or k in NODE_KEYS:
            continue
        if k not in t.args:
            raise InvalidParams(f"{where}: {t.name} has no argument {k!r}; it takes {', '.join(t.args)}")
        for x in v if isinstance(v, (list, tuple)) else [v]:
            if isinstance(x, bool) or x is None or isinstance(x, str):
                continue
            if not isinstance(x, (int, float)) or not math.isfinite(x) or abs(x) > MAX_DIM:
                raise InvalidParams(f"{where}: {k}={v!r} is out of range (at most {MAX_DIM:,})")
            if isinstance(x, float) and k not in FLOAT_ARGS:
                raise InvalidParams(f"{where}: {k}={v!r} must be a whole number")
    for k in t.fixed:
        if k in spec and spec[k] != t.args[k]:
            raise InvalidParams(f"{where}: {t.name} with {k}={spec[k]!r} is not supported (only {t.args[k]!r})")
    for k, default in t.args.items():
        if default is REQUIRED and k not in spec and k != t.infer:
            raise InvalidParams(f"{where}: {t.name} needs {k!r}")


def _infer(spec: dict, t: LayerType, shape: tuple) -> dict:
    """Fill the input-size argument left out (PyTorch's Lazy modules): the input's channels or features."""
    if t.infer is None or t.infer in spec:
        return spec
    value = shape[-1] if t.infer == "in_features" else shape[0]
    return {**spec, t.infer: value}


class _Walker:
    def __init__(self, out: Walk) -> None:
        self.out = out
        self.tied: set[str] = set()

    def count(self, n: int, where: str) -> None:
        self.out.expanded += n
        if self.out.expanded > MAX_NODES:
            raise InvalidParams(f"{where}: the graph has more than {MAX_NODES:,} nodes once repeats are expanded")

    def items(self, items: Any, scope: _Scope, times: int, depth: int, where: str) -> None:
        if not isinstance(items, list) or not items:
            raise InvalidParams(f"{where}: a graph (or a body) is a non-empty list of nodes")
        if depth > MAX_NESTING:
            raise InvalidParams(f"{where}: blocks nested more than {MAX_NESTING} deep")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InvalidParams(f"{where}: item {i} is not a mapping")
            name = item.get("name", str(i))
            if not isinstance(name, (str, int)) or isinstance(name, bool) or not str(name) or "." in str(name) or str(name) == "input":
                raise InvalidParams(f"{where}: item {i} has an invalid name {name!r} (no dots; 'input' is reserved)")
            name = str(name)
            if name in scope.names:
                raise InvalidParams(f"node {scope.prefix}{name}: the name is used twice")
            if "body" in item:
                result = self.block(item, name, scope, times, depth)
            else:
                result = self.node(item, name, scope, times, depth)
            scope.names[name] = result
            scope.last = result
            if depth == 0:
                self.out.items.append((name, "block" if "body" in item else "node"))

    def _inputs(self, item: dict, scope: _Scope, where: str) -> list[tuple[tuple, str]]:
        if "inputs" in item and "input" in item:
            raise InvalidParams(f"node {where}: give input or inputs, not both")
        names = item.get("inputs", [item["input"]] if "input" in item else None)
        if names is None:
            return [scope.last]
        if not isinstance(names, list) or not names:
            raise InvalidParams(f"node {where}: inputs must be a list of node names")
        found = []
        for n in names:
            try:
                found.append(scope.find(str(n)))
            except KeyError:
                raise InvalidParams(f"node {where}: input {n!r} is not an earlier node") from None
        return found

    def node(self, item: dict, name: str, scope: _Scope, times: int, depth: int) -> tuple[tuple, str]:
        path = scope.prefix + name
        self.count(times, f"node {path}")
        ins = self._inputs(item, scope, path)
        shapes = tuple(s for s, _ in ins)
        if "op" in item:
            if "type" in item:
                raise InvalidParams(f"node {path}: give type (a layer) or op (a merge), not both")
            shape = _merge(item, shapes, path)
            node = Node(path, str(item["op"]), item, tuple(p for _, p in ins), shapes, shape, times=times, depth=depth)
        else:
            t = layer_type(item.get("type"))
            if len(ins) != 1:
                raise InvalidParams(f"node {path}: a {t.name} layer takes one input, got {len(ins)}")
            spec = {k: v for k, v in item.items() if k not in NODE_KEYS}
            _check_args(spec, t, f"node {path}")
            spec = _infer(spec, t, shapes[0])
            try:
                shape = tuple(t.shape(spec, shapes[0]))
                w, b, formula = t.params(spec)
            except InvalidParams as exc:
                raise InvalidParams(f"node {path} ({t.name}): {exc}") from None
            except (TypeError, ValueError, KeyError) as exc:
                raise InvalidParams(f"node {path} ({t.name}): invalid arguments ({type(exc).__name__}: {exc})") from None
            macs = t.macs(spec, shapes[0], shape)
            node = Node(path, t.name, spec, tuple(p for _, p in ins), shapes, shape, w, b, formula, macs, times, depth=depth)
            if "tie" in item:
                target = scope.find_layer(str(item["tie"]))
                if target is None:
                    raise InvalidParams(f"node {path}: tie {item['tie']!r} is not an earlier layer")
                if target.weights != w:
                    raise InvalidParams(f"node {path}: tied to {target.path}, but its weight has {w} entries and {target.path}'s {target.weights}")
                node.tied_to, node.weights = target.path, 0
                node.formula = f"weight tied to {target.path} (counted once, there)" + (f"; its own {b} biases" if b else "")
            scope.layers[name] = node
        _check_shape(node.shape, f"node {path}")
        self.out.nodes.append(node)
        return node.shape, path

    def _as_first_repetition(self, start: int, counted: int, blocks: int, old: str, new: str, n: int, last: str) -> str:
        """The body just walked once for all ``n`` repetitions (paths ``old``, times × n) becomes its
        repetition 0 (paths ``new``, times / n): it was walked from the block's own input, as
        repetition 0 is, so nothing is walked twice. Returns the new path of its output ``last``."""

        def rename(p: str | None) -> str | None:
            return new + p[len(old):] if p is not None and p.startswith(old) else p

        for node in self.out.nodes[start:]:
            node.path, node.times = rename(node.path), node.times // n
            node.inputs = tuple(rename(p) for p in node.inputs)
            if node.tied_to is not None and node.tied_to.startswith(old):
                node.formula = node.formula.replace(node.tied_to, rename(node.tied_to), 1)
                node.tied_to = rename(node.tied_to)
        added = [k for _, k in zip(range(len(self.out.blocks) - blocks), reversed(self.out.blocks))][::-1]  # the body's blocks: the last ones
        for key in added:
            b = self.out.blocks.pop(key)
            b.path, b.times = rename(b.path), b.times // n
            self.out.blocks[b.path] = b
        self.out.expanded = counted + (self.out.expanded - counted) // n
        return rename(last) or last

    def block(self, item: dict, name: str, scope: _Scope, times: int, depth: int) -> tuple[tuple, str]:
        path = scope.prefix + name
        extra = set(item) - {"name", "body", "repeat", "input"}
        if extra:
            raise InvalidParams(f"block {path}: unknown keys {sorted(extra)} (a block has name, repeat, input, body)")
        n = item.get("repeat", 1)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_NODES:
            raise InvalidParams(f"block {path}: repeat must be a whole number from 1 to {MAX_NODES:,}, got {n!r}")
        (in_shape, src), = self._inputs(item, scope, path)
        start, counted, blocks = len(self.out.nodes), self.out.expanded, len(self.out.blocks)
        inner = _Scope(scope, f"{path}.*." if n > 1 else f"{path}.", in_shape, src)
        self.items(item["body"], inner, times * n, depth + 1, f"block {path}")
        shape = inner.last[0]
        once = n == 1 or shape == in_shape
        if not once:  # the shape changes each time: walk every repetition (DenseNet's growing channels)
            shape, prev = inner.last[0], self._as_first_repetition(start, counted, blocks, f"{path}.*.", f"{path}.0.", n, inner.last[1])
            for k in range(1, n):
                inner = _Scope(scope, f"{path}.{k}.", shape, prev)
                self.items(item["body"], inner, times, depth + 1, f"block {path}")
                shape, prev = inner.last
        nodes = self.out.nodes[start:]
        block = Block(path, n, in_shape, shape, depth=depth, times=times, once=once)
        block.params = sum(x.params * x.times for x in nodes) // times  # all n repetitions, per copy of the enclosing block
        block.macs = sum(x.macs * x.times for x in nodes) // times
        block.activations = sum(_numel(x.shape) * x.times for x in nodes) // times
        self.out.blocks[path] = block
        return shape, path


def _merge(item: dict, shapes: tuple, path: str) -> tuple[int, ...]:
    op = item["op"]
    extra = set(item) - {"name", "op", "input", "inputs", "dim", "index"}
    if extra:
        raise InvalidParams(f"node {path} ({op}): unknown keys {sorted(extra)}")
    if op in ("add", "mul"):
        if len(shapes) < 2:
            raise InvalidParams(f"node {path}: {op} needs two or more inputs")
        if len(set(shapes)) != 1:
            raise InvalidParams(f"node {path}: {op} of {' and '.join(show(s) for s in shapes)}: the shapes must be equal")
        return shapes[0]
    if op == "concat":
        dim = item.get("dim", 0)
        if len(shapes) < 2 or not isinstance(dim, int) or isinstance(dim, bool):
            raise InvalidParams(f"node {path}: concat needs two or more inputs and a whole-number dim")
        n = len(shapes[0])
        if not -n <= dim < n or any(len(s) != n for s in shapes):
            raise InvalidParams(f"node {path}: concat along dim {dim} of {' and '.join(show(s) for s in shapes)}")
        dim %= n
        rest = {s[:dim] + s[dim + 1:] for s in shapes}
        if len(rest) != 1:
            raise InvalidParams(f"node {path}: concat along dim {dim} of {' and '.join(show(s) for s in shapes)}: the other axes must match")
        return (*shapes[0][:dim], sum(s[dim] for s in shapes), *shapes[0][dim + 1:])
    if op == "select":
        index = item.get("index", 0)
        if len(shapes) != 1 or len(shapes[0]) < 2 or not isinstance(index, int) or not 0 <= index < shapes[0][0]:
            raise InvalidParams(f"node {path}: select takes one input of two or more axes and an index on its first axis")
        return shapes[0][1:]
    raise InvalidParams(f"node {path}: unknown op {op!r}; known: {', '.join(MERGE_OPS)}")


def _expanded_size(items: Any, depth: int) -> int:
    """Nodes of ``items`` once every ``repeat`` is expanded, counted from the file alone (stops
    counting past MAX_NODES); items the walk would refuse count 1, and the walk names them."""
    if not isinstance(items, list) or depth > MAX_NESTING:
        return 1
    total = 0
    for item in items:
        if isinstance(item, dict) and "body" in item:
            n = item.get("repeat", 1)
            n = n if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_NODES else 1
            total += n * _expanded_size(item["body"], depth + 1)
        else:
            total += 1
        if total > MAX_NODES:
            return total
    return total


def walk(graph: Any, input_shape: Any) -> Walk:
    """Walk ``graph`` (the YAML list) from an input of ``input_shape``; raises InvalidParams."""
    if not isinstance(input_shape, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) for d in input_shape):
        raise InvalidParams(f"input_shape must be a list of whole numbers, got {input_shape!r}")
    shape = _check_shape(tuple(input_shape), "input_shape")
    if _expanded_size(graph, 0) > MAX_NODES:  # before walking: the walk's work is this size
        raise InvalidParams(f"graph: more than {MAX_NODES:,} nodes once repeats are expanded")
    out = Walk(shape)
    root = _Scope(None, "", shape, "input")
    _Walker(out).items(graph, root, 1, 0, "graph")
    out.shape = root.last[0]
    return out


def chain_graph(layers: list[dict], skips: list[dict] | None = None) -> list[dict]:
    """The format-1 chain (``layers`` + ``skips`` {from: i, to: j}) as a graph: node ``i`` takes node
    ``i − 1``; a skip adds layer i's input to layer j's output (a node ``skip{j}``)."""
    graph: list[dict] = []
    name_of = {-1: "input"}
    skip_to = {int(s["to"]): int(s["from"]) for s in skips or []}
    for i, layer in enumerate(layers):
        node = {"name": f"l{i + 1}", **layer, "input": name_of[i - 1]}
        graph.append(node)
        name_of[i] = node["name"]
        if i in skip_to:
            graph.append({"name": f"skip{i + 1}", "op": "add", "inputs": [name_of[i], name_of[skip_to[i] - 1]]})
            name_of[i] = f"skip{i + 1}"
    return graph


# --- text: the graph for a prompt, the walk for a worked solution ---------------------------


def _node_line(item: dict, prev: str | None, spec: dict | None = None) -> str:
    if "op" in item:
        ins = item.get("inputs", [item["input"]] if "input" in item else [prev or "input"])
        extra = "".join(f", {k}={item[k]}" for k in ("dim", "index") if k in item)
        return f"{item['op']}({', '.join(map(str, ins))}{extra})"
    text = layer_text(spec if spec is not None else {k: v for k, v in item.items() if k not in NODE_KEYS})
    src = item.get("input")
    if src is not None and str(src) != prev:
        text += f" ← {src}"
    if "tie" in item:
        text += f", weight tied to {item['tie']}"
    return text


def graph_text(graph: list[dict], indent: str = "  ", *, walked: Walk | None = None, counts: bool = False,
               _prefix: str = "", _depth: int = 0, _by_path: dict | None = None) -> str:
    """The graph as text for a prompt, one node a line (``name: Layer(...)``; ``← src`` when a node
    does not take the line above; blocks indented under ``name: repeat N × [``). With ``walked``,
    layers print with their inferred input sizes filled in; with ``counts`` too, each line ends
    with the node's output shape and parameters (a worked solution, not a prompt)."""
    lines: list[str] = []
    annotate = walked if counts else None
    by_path = _by_path if _by_path is not None else ({n.path: n for n in walked.nodes} if walked else {})
    prev: str | None = "input"
    for i, item in enumerate(graph):
        name = str(item.get("name", i))
        pad = indent * (_depth + 1)
        if "body" in item:
            n = item.get("repeat", 1)
            head = f"{pad}{name}: " + (f"repeat {n} × [" if n > 1 else "[") + (f"  ← {item['input']}" if "input" in item else "")
            if annotate and _prefix + name in annotate.blocks:
                b = annotate.blocks[_prefix + name]
                head += f"    {show(b.in_shape)} → {show(b.shape)} · {b.params:,} params" + (f" ({b.params // n:,} each)" if n > 1 and b.once else "")
            lines.append(head)
            block = walked.blocks.get(_prefix + name) if walked else None
            if counts and block is not None and not block.once:  # the shape changed each time: every repetition
                for k in range(n):
                    lines.append(f"{pad}{indent}{k}: [")
                    lines.append(graph_text(item["body"], indent, walked=walked, counts=counts, _prefix=f"{_prefix}{name}.{k}.",
                                            _depth=_depth + 2, _by_path=by_path))
                    lines.append(f"{pad}{indent}]")
            else:
                inner = f"{_prefix}{name}.*." if n > 1 else f"{_prefix}{name}."
                lines.append(graph_text(item["body"], indent, walked=walked, counts=counts, _prefix=inner, _depth=_depth + 1, _by_path=by_path))
            lines.append(f"{pad}]")
        else:
            node = by_path.get(_prefix + name)
            line = f"{pad}{name}: {_node_line(item, prev, node.spec if node is not None and node.is_layer else None)}"
            if node is not None and counts:
                line += f"    → {show(node.shape)}" + (f" · {node.params:,} params" if node.params else "")
            lines.append(line)
        prev = name
    return "\n".join(lines)


def _share(part: int, total: int) -> str:
    if not total or not part:
        return "–"
    return f"{100 * part / total:.1f} %" if 100 * part / total >= 0.05 else "<0.1 %"


def layer_table(w: Walk, *, max_rows: int = 60) -> list[str]:
    """torchinfo's summary as text rows: name, type, output shape, params (× copies), share of the total."""
    total = w.params
    rows = [("name", "type", "output", "params", "share")]
    for n in w.nodes[:max_rows]:
        count = f"{n.params:,}" + (f" ×{n.times}" if n.times > 1 else "")
        rows.append((n.path, n.kind + (" (tied)" if n.tied_to else ""), show(n.shape), count, _share(n.params * n.times, total)))
    if len(w.nodes) > max_rows:
        rows.append((f"… {len(w.nodes) - max_rows} more nodes", "", "", "", ""))
    rows.append(("total", "", show(w.shape), f"{total:,}", "100 %" if total else "–"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return ["  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]


def _by_path(w: Walk) -> tuple[dict[str, Node], dict[str, int], dict[str, int]]:
    """Each path's first node, and the params (as :meth:`Walk.part_params`) and node count under
    each block path, in one pass: the big-graph forms stay linear (a chain of 10,000 layers took
    30 s looking each node up among all the others)."""
    first: dict[str, Node] = {}
    params: dict[str, int] = {}
    inner: dict[str, int] = {}
    for n in w.nodes:
        first.setdefault(n.path, n)
        p = n.params * n.times
        params[n.path] = params.get(n.path, 0) + p
        for i, ch in enumerate(n.path):
            if ch == ".":
                params[n.path[:i]] = params.get(n.path[:i], 0) + p
                inner[n.path[:i]] = inner.get(n.path[:i], 0) + 1
    return first, params, inner


def stage_table(w: Walk) -> list[str]:
    """The compact form for big graphs: one row per top-level node or block (stage summaries)."""
    total = w.params
    rows = [("stage", "what", "output", "params", "share")]
    first, part_params, _ = _by_path(w)
    for name, kind in w.items:
        if kind == "block":
            b = w.blocks[name]
            what = f"{b.repeat} × block" if b.repeat > 1 else "block"
            count = part_params[name] if name in part_params else w.part_params(name)  # none: part_params names it
            rows.append((name, what, show(b.shape), f"{count:,}", _share(count, total)))
        else:
            n = first[name]
            rows.append((name, n.kind, show(n.shape), f"{n.params:,}", _share(n.params, total)))
    rows.append(("total", "", show(w.shape), f"{total:,}", "100 %" if total else "–"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return ["  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]


def walk_text(graph: list[dict], w: Walk) -> str:
    """The graph drawn with each node's output shape and parameters (for a worked example)."""
    return f"  input: {show(w.input_shape)}\n" + graph_text(graph, walked=w, counts=True)


def graph_outline(graph: list[dict], w: Walk, indent: str = "  ") -> str:
    """The compact form for a big graph's prompt: top-level nodes as layers, blocks summarized by
    their repeat count and node count (no shapes or counts, which are what questions ask)."""
    lines = []
    first, _, inside = _by_path(w)
    for i, item in enumerate(graph):
        name = str(item.get("name", i))
        if "body" in item:
            n, inner = item.get("repeat", 1), inside.get(name, 0)
            lines.append(f"{indent}{name}: " + (f"{n} × " if n > 1 else "") + f"block ({inner} nodes, see the full graph)")
        else:
            node = first.get(name)
            lines.append(f"{indent}{name}: {_node_line(item, None, node.spec if node is not None and node.is_layer else None)}")
    return "\n".join(lines)
