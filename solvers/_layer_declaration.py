"""What a layer type declares (:class:`LayerType`) and the arithmetic its rules share.

One :class:`LayerType` per PyTorch class: its constructor arguments in the order of PyTorch's
signature with PyTorch's defaults, which lead positionally when printed, the input-size argument
PyTorch's Lazy class infers, and its rules (parameters, output shape, MACs, the declared formula).
The declarations themselves are in ``solvers._layer_conv``, ``_layer_norm``, ``_layer_sequence``
and ``_layer_plain``; :mod:`solvers.layer_types` gathers them into one table.

Output size of a conv or pool along one axis (P padding per side, D dilation)::

    H' = floor((H + 2·P − D·(K − 1) − 1) / S) + 1              (Conv2d, pooling)
    H' = ceil((H + 2·P − K) / S) + 1, less a last window that would start past H + P   (ceil_mode)
    H' = (H − 1)·S − 2·P + D·(K − 1) + output_padding + 1       (ConvTranspose2d)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from . import Formula, InvalidParams

__all__ = ["REQUIRED", "LayerType", "RNN_GATES", "MAX_RNN_LAYERS", "numel", "pair", "ntuple", "conv_out", "pool_out",
           "conv_transpose_out", "rnn_gates"]

REQUIRED = object()  # an argument with no default
RNN_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
MAX_RNN_LAYERS = 1_000  # the per-layer sum of a recurrent layer loops over num_layers


def numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


# --- geometry shared by the rules and by the shape questions --------------------------------


def pair(v: Any, name: str = "value") -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``[3, 5]`` → ``(3, 5)``."""
    if isinstance(v, (list, tuple)):
        if len(v) != 2:
            raise InvalidParams(f"{name} must be one number or two, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def ntuple(v: Any, n: int, what: str) -> tuple[int, ...]:
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
