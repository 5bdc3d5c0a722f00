"""Embedding, RNN/GRU/LSTM, MultiheadAttention, TransformerEncoderLayer and drill's SelfAttention: their
declarations (see :mod:`solvers.layer_types`)."""

from __future__ import annotations

from typing import Any, Callable

from . import Formula, InvalidParams, formula
from ._fmt import fmt, shape as show
from ._layer_declaration import MAX_RNN_LAYERS, REQUIRED, LayerType, rnn_gates

__all__ = ["TYPES"]

TYPES: list[LayerType] = []  # registered in solvers.layer_types.LAYERS
_register = TYPES.append


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


def _sequence_shape(key: str, params: Callable[[dict], tuple[int, int, str]]) -> Callable[[dict, tuple], tuple]:
    def shape(spec: dict, i: tuple) -> tuple:
        e = int(spec[key])
        if len(i) != 2 or i[1] != e:
            raise InvalidParams(f"{spec['type']} expects a (T, {e}) sequence, gets {i}")
        params(spec)  # validates the heads
        return tuple(i)
    return shape


def _mha_params(s: dict) -> tuple[int, int, str]:
    return _mha_counts(int(s["embed_dim"]), int(s["num_heads"]), bool(s["bias"]), s["kdim"], s["vdim"], bool(s["add_bias_kv"]))


_register(LayerType("MultiheadAttention", {"embed_dim": REQUIRED, "num_heads": REQUIRED, "dropout": 0.0, "bias": True,
                                           "add_bias_kv": False, "add_zero_attn": False, "kdim": None, "vdim": None,
                                           "batch_first": False}, ("embed_dim", "num_heads"),
                    params=_mha_params, shape=_sequence_shape("embed_dim", _mha_params), formula=_mha_formula,
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
                    params=_encoder_params, shape=_sequence_shape("d_model", _encoder_params), formula=_encoder_formula,
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
