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

A new layer type is one :class:`LayerType` declaration in its family's module (``_layer_conv``,
``_layer_norm``, ``_layer_sequence``, ``_layer_plain``), gathered here into :data:`LAYERS`: the
chain walk (``solvers._layers``), the graph walk (``solvers._graph``), the declared formulas
(``solvers._layer_formulas``) and the printed-layer check (``drill.authoring.quality``) read it.
Every rule raises ``InvalidParams`` naming the bad value; none imports numpy.
"""

from __future__ import annotations

from typing import Any

from . import InvalidParams, _layer_conv, _layer_norm, _layer_plain, _layer_sequence
from ._layer_conv import conv_args, conv_padding
from ._layer_declaration import (MAX_RNN_LAYERS, REQUIRED, RNN_GATES, LayerType, conv_out, conv_transpose_out, pair, pool_out,
                                 rnn_gates)

__all__ = [
    "LAYERS", "LayerType", "REQUIRED", "layer_type", "layer_text", "pair", "conv_out", "pool_out", "conv_transpose_out",
    "conv_padding", "conv_args", "rnn_gates", "RNN_GATES", "MAX_RNN_LAYERS",
]

LAYERS: dict[str, LayerType] = {t.name: t for family in (_layer_conv, _layer_norm, _layer_sequence, _layer_plain) for t in family.TYPES}


def layer_type(kind: Any) -> LayerType:
    """The declaration of ``kind``; raises naming an unknown type."""
    try:
        return LAYERS[kind]
    except (KeyError, TypeError):
        raise InvalidParams(f"unknown layer type {kind!r}") from None


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
