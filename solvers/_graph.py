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
defaults; each type is declared once in :data:`solvers.layer_types.LAYERS`), a merge ``op`` or a
block (``body``, optionally ``repeat: N``).
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
from typing import Any

from . import InvalidParams
from ._fmt import shape as show
from .layer_types import LAYERS, REQUIRED, LayerType, layer_text, layer_type

__all__ = [
    "LAYERS", "LayerType", "MERGE_OPS", "Node", "Block", "Walk", "walk", "layer_text", "graph_text",
    "walk_text", "layer_table", "stage_table", "chain_graph", "MAX_NODES", "MAX_DIM", "DTYPE_BYTES",
]

MAX_NODES = 10_000
MAX_DIM = 10**7
MAX_NESTING = 16
DTYPE_BYTES = {"fp32": 4, "float32": 4, "fp16": 2, "float16": 2, "bf16": 2, "bfloat16": 2, "fp64": 8, "int8": 1}
FLOAT_ARGS = {"eps", "momentum", "p", "dropout", "negative_slope", "norm_type", "layer_norm_eps", "max_norm"}


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


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
                full = t.resolve(spec)  # PyTorch's defaults filled in
                shape = tuple(t.shape(full, shapes[0]))
                w, b, formula = t.params(full)
            except InvalidParams as exc:
                raise InvalidParams(f"node {path} ({t.name}): {exc}") from None
            except (TypeError, ValueError, KeyError) as exc:
                raise InvalidParams(f"node {path} ({t.name}): invalid arguments ({type(exc).__name__}: {exc})") from None
            macs = t.macs(full, shapes[0], shape)
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
