"""One layer's parameter count as a declared formula (``solvers.formula``), chosen from the layer's
own arguments (bias or not, groups, gate blocks, key/value heads): what network-params, graph-params
and their relatives declare, and ``drill check`` proves equals the layer's weights + biases.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from . import Formula, formula
from ._layers import rnn_gates

__all__ = ["layer_formula", "layer_formulas"]


def _dims(v: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in (v if isinstance(v, (list, tuple)) else [v]))


def _conv(layer: dict, kind: str, target: Any, name: str) -> Formula:
    cin, cout, g = int(layer["in_channels"]), int(layer["out_channels"]), int(layer.get("groups", 1))
    n = {"Conv1d": 1, "Conv3d": 3}.get(kind, 2)
    ks = _dims(layer["kernel_size"]) if isinstance(layer["kernel_size"], (list, tuple)) else (int(layer["kernel_size"]),) * n
    bias = bool(layer.get("bias", True))
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


def _rnn(layer: dict, kind: str, target: Any, name: str) -> Formula:
    g, i, h = rnn_gates(kind), int(layer["input_size"]), int(layer["hidden_size"])
    n, dirs, bias = int(layer.get("num_layers", 1)), 2 if layer.get("bidirectional") else 1, bool(layer.get("bias", True))
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


def _mha(e: int, kdim: int, vdim: int, bias: bool, bias_kv: bool, target: Any, name: str) -> Formula:
    syms: dict[str, tuple[str, Any]] = {"E": ("embedding dimension", e)}
    if kdim == vdim == e:
        expr = "4*E*E"
    else:
        expr = "2*E*E + E*k + E*v"
        syms["k"], syms["v"] = ("key dimension (kdim)", kdim), ("value dimension (vdim)", vdim)
    expr += (" + 4*E" if bias else "") + (" + 2*E" if bias_kv else "")
    return formula(expr, name=name, target=target, **syms)


def layer_formula(layer: dict, target: Any = None, name: str = "params") -> Formula | None:
    """The formula for ``layer``'s learnable parameters (weights + biases), or None for a layer
    without any. ``target``: what it computes in the solution (the answer, or ``"checkpoint:N"``)."""
    kind = layer.get("type")
    if kind == "Linear":
        bias = bool(layer.get("bias", True))
        return formula("n*m + m" if bias else "n*m", name=name, target=target,
                       n=("input features", int(layer["in_features"])), m=("output features", int(layer["out_features"])))
    if kind in ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose2d"):
        return _conv(layer, kind, target, name)
    if kind in ("BatchNorm1d", "BatchNorm2d", "InstanceNorm2d", "GroupNorm"):
        affine = layer.get("affine", kind != "InstanceNorm2d")
        if not affine:
            return None
        c = int(layer["num_channels"] if kind == "GroupNorm" else layer["num_features"])
        return formula("2*C" if layer.get("bias", True) else "C", name=f"{name} (γ" + (" and β" if layer.get("bias", True) else "") + " per channel)",
                       target=target, C=("channels", c))
    if kind in ("LayerNorm", "RMSNorm"):
        if not layer.get("elementwise_affine", True):
            return None
        n = math.prod(_dims(layer["normalized_shape"]))
        two = kind == "LayerNorm" and layer.get("bias", True)
        return formula("2*N" if two else "N", name=f"{name} (γ" + (" and β" if two else "") + " per feature)", target=target,
                       N=("normalized features", n))
    if kind == "Embedding":
        return formula("V*d", name=name, target=target, V=("vocabulary size (num_embeddings)", int(layer["num_embeddings"])),
                       d=("embedding dimension", int(layer["embedding_dim"])))
    if kind in ("RNN", "GRU", "LSTM"):
        return _rnn(layer, kind, target, name)
    if kind == "MultiheadAttention":
        e = int(layer["embed_dim"])
        return _mha(e, int(layer.get("kdim") or e), int(layer.get("vdim") or e), bool(layer.get("bias", True)),
                    bool(layer.get("add_bias_kv", False)), target, name)
    if kind == "SelfAttention":
        e, h = int(layer["embed_dim"]), int(layer["num_heads"])
        kv = int(layer.get("num_key_value_heads") or h)
        bias = bool(layer.get("bias", True))
        if kv == h:
            return formula("4*E*E" + (" + 4*E" if bias else ""), name=name, target=target, E=("embedding dimension", e))
        return formula("2*E*E + 2*E*(kv*E/h)" + (" + 2*E + 2*(kv*E/h)" if bias else ""), name=name, target=target,
                       E=("embedding dimension", e), h=("query heads", h), kv=("key/value heads", kv))
    if kind == "TransformerEncoderLayer":
        e, f, bias = int(layer["d_model"]), int(layer.get("dim_feedforward", 2048)), bool(layer.get("bias", True))
        expr = "4*E*E + 4*E + 2*E*F + F + E + 4*E" if bias else "4*E*E + 2*E*F + 2*E"
        return formula(expr, name=f"{name} (attention + feed-forward + two LayerNorms)", target=target,
                       E=("model dimension (d_model)", e), F=("feed-forward dimension", f))
    return None



def layer_formulas(layers: list[dict], first: int = 0) -> list[Formula]:
    """One formula per distinct learned layer of a network, each targeting its layer's checkpoint
    (``first`` is the index of the first learned layer's checkpoint), in network order; with one
    learned layer, its formula targets the answer."""
    learned = [(layer, f) for layer in layers if (f := layer_formula(layer)) is not None]
    out: list[Formula] = []
    seen: set[str] = set()
    for k, (layer, f) in enumerate(learned):
        key = f.expr + repr([(s.name, s.value) for s in f.symbols])
        if key in seen:
            continue
        seen.add(key)
        one = len(learned) == 1
        named = f.name if one else f.name.replace("params", f"{layer.get('type')} params", 1)
        out.append(replace(f, target=None if one else f"checkpoint:{first + k}", name=named))
    return out
