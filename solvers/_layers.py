"""The chain form of a network: a list of layer specs, each taking the previous one's output.

A network is a list of specs (see :mod:`solvers.layer_types` for the spec format and every layer
type's rules) plus ``input_shape`` as (C, H, W), (features,), a sequence (T, features), or token
ids (T,) before an Embedding; batch dimension left out. This module walks the chain with the
declarations of :data:`solvers.layer_types.LAYERS`; the graph form is ``solvers._graph``.
"""

from __future__ import annotations

from .layer_types import (RNN_GATES, conv_out, conv_padding, conv_transpose_out, layer_text, layer_type, pair, pool_out,
                          rnn_gates)

__all__ = [
    "pair", "conv_out", "pool_out", "conv_transpose_out", "conv_padding", "layer_repr", "layer_params", "layer_output_shape",
    "net_repr", "rnn_gates", "RNN_GATES",
]


def layer_params(layer: dict) -> tuple[int, int, str]:
    """(weights, biases, formula) of one layer's learnable parameters."""
    return layer_type(layer.get("type")).count(layer)


def layer_output_shape(layer: dict, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape after ``layer`` for an input of ``shape`` ((C, H, W) or (F,)), batch left out."""
    return layer_type(layer.get("type")).out_shape(layer, tuple(shape))


def layer_repr(layer: dict) -> str:
    """PyTorch-style constructor text, e.g. ``Conv2d(3, 96, kernel_size=11, stride=4)`` (the one printed form)."""
    return layer_text(layer)


def net_repr(layers: list[dict]) -> str:
    return "\n".join(f"  {i + 1}. {layer_repr(layer)}" for i, layer in enumerate(layers))
