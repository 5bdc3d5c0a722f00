"""One layer's parameter count as a declared formula (``solvers.formula``), chosen from the layer's
own arguments (bias or not, groups, gate blocks, key/value heads) by its type's declaration in
:mod:`solvers.layer_types`: what network-params, graph-params and their relatives declare, and
``drill check`` proves equals the layer's weights + biases.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import Formula
from .layer_types import LAYERS

__all__ = ["layer_formula", "layer_formulas"]


def layer_formula(layer: dict, target: Any = None, name: str = "params") -> Formula | None:
    """The formula for ``layer``'s learnable parameters (weights + biases), as its type declares it
    (:mod:`solvers.layer_types`), or None for a layer without any. ``target``: what it computes in
    the solution (the answer, or ``"checkpoint:N"``)."""
    kind = layer.get("type")
    t = LAYERS.get(kind) if isinstance(kind, str) else None
    return t.params_formula(layer, target, name) if t is not None else None


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
