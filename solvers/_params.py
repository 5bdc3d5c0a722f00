"""What a solver's params are: each solver declares its params' names, kinds, bounds and meaning.

    @solver("conv-output-size", params={
        "input_shape": Shape("the input, of shape (C, H, W)", dims="CHW"),
        "layer": LAYER,
    })

A declaration is data: ``drill solvers`` lists it, ``drill new`` writes a question from its
examples, and the bank checks every question's params against it when it loads (a param the
solver does not declare, a missing one or a wrong kind is one line naming its path). The kinds:

    Int, Num          a whole number / a number, with optional bounds ``lo`` ≤ x ≤ ``hi``
    Text, Flag        text (optionally one of ``choices``) / true or false
    Vector, Matrix    numbers of shape (n,) / rows of equal length, of shape (rows, cols)
    Shape             whole numbers ≥ 1, one per letter of ``dims`` ("CHW": of shape (C, H, W))
    Record            a mapping with declared ``fields`` (each a kind)
    ListOf, Either    a list of one kind / any one of several kinds
    TextMap           a mapping of free text to text (a choice question's wrong options)
    Layer, Graph, ModelConfig   a network's parts, checked in full by the network code when solved
                      (solvers/_layers.py, solvers/_graph.py); here only their outer form

Shared declarations (a network's ``layers``, an LLM ``config``, a vector of ``logits``) are
defined once below. Every check returns ``(path, problem)`` pairs, never raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Any, Iterator

__all__ = [
    "Param", "Int", "Num", "Text", "Flag", "Vector", "Matrix", "Shape", "Record", "ListOf", "Either", "TextMap",
    "Layer", "Graph", "ModelConfig", "check_params", "example_params", "describe",
    "LAYER", "LAYERS", "INPUT_SHAPE", "LLM_CONFIG", "LOGITS", "TARGET", "CONFUSION", "UNIT_BITS",
]

Problems = Iterator[tuple[str, str]]


def _is_num(v: Any) -> bool:
    return isinstance(v, Real) and not isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _kind_of(v: Any) -> str:
    if isinstance(v, bool):
        return "true/false"
    if _is_int(v):
        return "a whole number"
    if _is_num(v):
        return "a number"
    if isinstance(v, str):
        return "text"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    return type(v).__name__


@dataclass(frozen=True)
class Param:
    """One declared param: what it means, whether the solver has a default for it, an example value."""

    meaning: str
    optional: bool = field(default=False, kw_only=True)
    example: Any = field(default=None, kw_only=True)

    kind = "a value"

    def problems(self, value: Any, path: str) -> Problems:  # pragma: no cover - every kind overrides
        return iter(())

    def sample(self) -> Any:
        return self.example

    def opt(self) -> "Param":
        """This param with a default in the solver (a question may leave it out)."""
        return replace(self, optional=True)

    def eg(self, example: Any) -> "Param":
        """This param with another example value (a shared kind used where its example does not fit)."""
        return replace(self, example=example)

    def what(self) -> str:
        """The kind and bounds in words: ``whole number ≥ 1``."""
        return self.kind


def _bounds(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo}, {hi}]"
    return f" ≥ {lo}" if lo is not None else f" ≤ {hi}" if hi is not None else ""


def _out_of(v: Any, lo: Any, hi: Any) -> bool:
    return (lo is not None and v < lo) or (hi is not None and v > hi)


@dataclass(frozen=True)
class Int(Param):
    lo: int | None = None
    hi: int | None = None
    kind = "whole number"

    def problems(self, value: Any, path: str) -> Problems:
        if not _is_int(value):
            yield path, f"must be a whole number, not {_kind_of(value)}"
        elif _out_of(value, self.lo, self.hi):
            yield path, f"is {value}; must be{_bounds(self.lo, self.hi)}"

    def sample(self) -> Any:
        return self.example if self.example is not None else self.lo if self.lo is not None else 1

    def what(self) -> str:
        return self.kind + _bounds(self.lo, self.hi)


@dataclass(frozen=True)
class Num(Param):
    lo: float | None = None
    hi: float | None = None
    kind = "number"

    def problems(self, value: Any, path: str) -> Problems:
        if not _is_num(value):
            yield path, f"must be a number, not {_kind_of(value)}"
        elif _out_of(value, self.lo, self.hi):
            yield path, f"is {value}; must be{_bounds(self.lo, self.hi)}"

    def sample(self) -> Any:
        if self.example is not None:
            return self.example
        return self.lo if self.lo is not None else self.hi if self.hi is not None else 0.5

    def what(self) -> str:
        return self.kind + _bounds(self.lo, self.hi)


@dataclass(frozen=True)
class Text(Param):
    choices: tuple[str, ...] = ()
    kind = "text"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, str):
            yield path, f"must be text, not {_kind_of(value)}"
        elif self.choices and value not in self.choices:
            yield path, f"is {value!r}; must be one of {', '.join(self.choices)}"

    def sample(self) -> Any:
        return self.example if self.example is not None else self.choices[0] if self.choices else "TODO"

    def what(self) -> str:
        return "one of " + ", ".join(self.choices) if self.choices else self.kind


@dataclass(frozen=True)
class Flag(Param):
    kind = "true or false"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, bool):
            yield path, f"must be true or false, not {_kind_of(value)}"

    def sample(self) -> Any:
        return bool(self.example)


@dataclass(frozen=True)
class Vector(Param):
    """Numbers, of shape (n,); ``ints``: whole numbers only; ``lo``/``hi`` bound every entry."""

    ints: bool = False
    lo: float | None = None
    hi: float | None = None
    min_len: int = 1

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "list of whole numbers" if self.ints else "list of numbers"

    def problems(self, value: Any, path: str) -> Problems:
        ok = _is_int if self.ints else _is_num
        if not isinstance(value, list):
            yield path, f"must be a {self.kind}, not {_kind_of(value)}"
        elif len(value) < self.min_len:
            yield path, f"has {len(value)} entries; must have at least {self.min_len}"
        else:
            for i, v in enumerate(value):
                if not ok(v):
                    yield f"{path}.{i}", f"must be a {'whole number' if self.ints else 'number'}, not {_kind_of(v)}"
                    return
                if _out_of(v, self.lo, self.hi):
                    yield f"{path}.{i}", f"is {v}; must be{_bounds(self.lo, self.hi)}"
                    return

    def sample(self) -> Any:
        return self.example if self.example is not None else [1, 2] if self.ints else [0.5, -0.5]

    def what(self) -> str:
        return self.kind + _bounds(self.lo, self.hi)


@dataclass(frozen=True)
class Matrix(Param):
    """Rows of numbers of equal length, of shape (rows, cols)."""

    kind = "matrix"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
            yield path, f"must be a non-empty list of rows (lists of numbers), not {_kind_of(value)}"
            return
        for i, row in enumerate(value):
            if not row or len(row) != len(value[0]):
                yield f"{path}.{i}", f"has {len(row)} entries; every row must have {len(value[0])}"
                return
            bad = next((j for j, v in enumerate(row) if not _is_num(v)), None)
            if bad is not None:
                yield f"{path}.{i}.{bad}", f"must be a number, not {_kind_of(row[bad])}"
                return

    def sample(self) -> Any:
        return self.example if self.example is not None else [[1, 0], [0, 1]]


@dataclass(frozen=True)
class Shape(Param):
    """Whole numbers ≥ 1, one per letter of ``dims`` (``"CHW"``: of shape (C, H, W)); ``dims=""``:
    any number of them (a network's input: (C, H, W), (features,) or (T, features))."""

    dims: str = ""

    @property
    def kind(self) -> str:  # type: ignore[override]
        return f"shape ({', '.join(self.dims)})" if self.dims else "shape (whole numbers ≥ 1)"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, list) or not value:
            yield path, f"must be a {self.kind}, not {_kind_of(value)}"
            return
        if self.dims and len(value) != len(self.dims):
            yield path, f"has {len(value)} entries; must be ({', '.join(self.dims)})"
            return
        for i, v in enumerate(value):
            if not _is_int(v) or v < 1:
                yield f"{path}.{i}", f"is {v!r}; must be a whole number ≥ 1"
                return

    def sample(self) -> Any:
        return self.example if self.example is not None else [3, 8, 8][-len(self.dims or "CHW"):]


@dataclass(frozen=True)
class Record(Param):
    """A mapping with declared fields: a field it does not declare is an error."""

    fields: dict[str, Param] = field(default_factory=dict)
    kind = "mapping"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, dict):
            yield path, f"must be a mapping with {', '.join(self.fields)}, not {_kind_of(value)}"
            return
        yield from _check_fields(self.fields, value, path)

    def sample(self) -> Any:
        return self.example if self.example is not None else example_params(self.fields)

    def what(self) -> str:
        return "mapping of " + ", ".join(self.fields)


@dataclass(frozen=True)
class ListOf(Param):
    item: Param = None  # type: ignore[assignment]
    min_len: int = 1
    kind = "list"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, list):
            yield path, f"must be a list of {self.item.what()}, not {_kind_of(value)}"
            return
        if len(value) < self.min_len:
            yield path, f"has {len(value)} entries; must have at least {self.min_len}"
        for i, v in enumerate(value):
            yield from self.item.problems(v, f"{path}.{i}")

    def sample(self) -> Any:
        return self.example if self.example is not None else [self.item.sample()]

    def what(self) -> str:
        return f"list of {self.item.what()}"


@dataclass(frozen=True)
class Either(Param):
    """Any one of ``options`` (e.g. a number or a vector): the first that fits."""

    options: tuple[Param, ...] = ()
    kind = "one of several kinds"

    def problems(self, value: Any, path: str) -> Problems:
        found = [list(o.problems(value, path)) for o in self.options]
        if not all(found):
            return
        yield path, f"must be {' or '.join(o.what() for o in self.options)}, not {_kind_of(value)}"

    def sample(self) -> Any:
        return self.example if self.example is not None else self.options[0].sample()

    def what(self) -> str:
        return " or ".join(o.what() for o in self.options)


@dataclass(frozen=True)
class TextMap(Param):
    kind = "mapping of text to text"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            yield path, f"must be a {self.kind}"

    def sample(self) -> Any:
        return self.example if self.example is not None else {"TODO a wrong option": "TODO why it is wrong"}


@dataclass(frozen=True)
class Layer(Param):
    """A PyTorch layer spec: a mapping with ``type`` (the class name) and that class's constructor
    arguments. Which arguments each type takes is the network code's (solvers/_layers.py,
    solvers/_graph.py), which refuses a bad one, naming it, when the question is solved; what it
    never reads, ``drill check`` reports."""

    kind = "layer spec (a mapping with type: the PyTorch class name, and its arguments)"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, dict):
            yield path, f"must be a layer spec (a mapping with type), not {_kind_of(value)}"
        elif not isinstance(value.get("type"), str):
            yield f"{path}.type", "a layer spec needs type: the PyTorch class name (Conv2d, Linear, …)"

    def sample(self) -> Any:
        return self.example if self.example is not None else {"type": "Linear", "in_features": 4, "out_features": 2}

    def what(self) -> str:
        return "layer spec"


@dataclass(frozen=True)
class Graph(Param):
    """A network as a graph (solvers/_graph.py): a list of nodes, each a layer spec or a block, with
    optional name, input(s) and merge op. Checked in full by the graph code when solved."""

    kind = "network graph (a list of nodes: layer specs or blocks)"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, list) or not value:
            yield path, f"must be a non-empty list of nodes, not {_kind_of(value)}"
            return
        for i, node in enumerate(value):
            if not isinstance(node, dict):
                yield f"{path}.{i}", f"must be a node (a mapping), not {_kind_of(node)}"
                return

    def sample(self) -> Any:
        return self.example if self.example is not None else [{"type": "Linear", "in_features": 4, "out_features": 2}]

    def what(self) -> str:
        return "network graph"


@dataclass(frozen=True)
class ModelConfig(Param):
    """A named model family's settings (``depth``, ``width``, ``d_model``, …) for the graph builder
    the question's ``model`` names (solvers/_graph.py), which refuses a setting it does not take."""

    kind = "model settings (a mapping of whole numbers, numbers, text or lists)"

    def problems(self, value: Any, path: str) -> Problems:
        if not isinstance(value, dict):
            yield path, f"must be a mapping of the model's settings, not {_kind_of(value)}"

    def sample(self) -> Any:
        return self.example if self.example is not None else {}

    def what(self) -> str:
        return "model settings"


def _check_fields(fields: dict[str, Param], value: dict, prefix: str, owner: str = "") -> Problems:
    at = (lambda k: f"{prefix}.{k}") if prefix else str
    for key in value:
        if key not in fields:
            where = f"{prefix} takes" if prefix else f"solver {owner!r} takes" if owner else "the solver takes"
            yield at(key), f"{key!r} is not declared ({where} {', '.join(fields) or 'no params'}); remove it, or declare it where the solver reads it"
    for key, decl in fields.items():
        if key in value:
            yield from decl.problems(value[key], at(key))
        elif not decl.optional:
            yield at(key), f"is missing: {decl.meaning} ({decl.what()})"


def check_params(declared: dict[str, Param], params: Any, solver: str = "") -> list[tuple[str, str]]:
    """(param path, problem) for each way ``params`` break the declaration of ``solver``: undeclared
    params first, then each declared one in order."""
    if not isinstance(params, dict):
        return [("", f"params must be a mapping, not {_kind_of(params)}")]
    return list(_check_fields(declared, params, "", solver))


def example_params(declared: dict[str, Param]) -> dict[str, Any]:
    """Params built from the declaration's examples (the required ones and those with an example)."""
    return {k: d.sample() for k, d in declared.items() if not d.optional or d.example is not None}


def describe(declared: dict[str, Param], prefix: str = "") -> list[tuple[str, str, str, bool, Any]]:
    """(path, kind in words, meaning, optional, example) for each declared param, a record's fields below it."""
    out = []
    for key, d in declared.items():
        path = f"{prefix}{key}"
        out.append((path, d.what(), d.meaning, d.optional, d.sample()))
        if isinstance(d, Record):
            out += describe(d.fields, path + ".")
    return out


# Shared declarations, defined once.
LAYER = Layer("one layer: type (the PyTorch class name) and its constructor arguments",
              example={"type": "Conv2d", "in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 1, "padding": 0})
LAYERS = ListOf("the network's layer specs, in order (PyTorch class names and constructor arguments)", item=LAYER,
                example=[{"type": "Conv2d", "in_channels": 3, "out_channels": 8, "kernel_size": 3}, {"type": "ReLU"}])
INPUT_SHAPE = Shape("the network's input, batch left out: of shape (C, H, W), (features,), (T, features) or token ids (T,)",
                    example=[3, 8, 8])
LOGITS = Vector("the logits z, of shape (K,), one per class", example=[2.0, 1.0, 0.1])
TARGET = Int("the index of the true class, 0-based", lo=0, example=0)
CONFUSION = Matrix("the confusion matrix [[TN, FP], [FN, TP]] (rows: true class 0, 1), of shape (2, 2)", example=[[9, 1], [2, 8]])
UNIT_BITS = Text("the log base: bits (log2) or nats (ln)", choices=("bits", "nats"), example="bits")
LLM_CONFIG = Record(
    "a decoder-only LLM's config, in Hugging Face's configuration_*.py field names (missing ones take the default shown)",
    fields={
        "name": Text("the model's name, shown in the prompt", optional=True, example="Llama-2-7B"),
        "vocab_size": Int("vocabulary size V (default 0: no embeddings counted)", lo=1, optional=True, example=32000),
        "hidden_size": Int("model width d_model", lo=1, example=4096),
        "intermediate_size": Int("MLP hidden width d_ff (default 4·d_model)", lo=1, optional=True, example=11008),
        "num_hidden_layers": Int("number of transformer blocks L", lo=1, example=32),
        "num_attention_heads": Int("query heads H", lo=1, example=32),
        "num_key_value_heads": Int("key/value heads (default H; fewer: grouped-query attention)", lo=1, optional=True, example=32),
        "head_dim": Int("each head's width (default d_model / H)", lo=1, optional=True),
        "max_position_embeddings": Int("context length (positions a learned table holds)", lo=1, optional=True, example=4096),
        "position_embedding": Text("how positions are encoded (default rope)", choices=("rope", "learned"), optional=True, example="rope"),
        "mlp": Text("the MLP: two matrices (gelu) or three (swiglu, the default)", choices=("swiglu", "gelu"), optional=True, example="swiglu"),
        "norm": Text("the normalization: layernorm (γ and β) or rmsnorm (γ only, the default)", choices=("rmsnorm", "layernorm"), optional=True,
                     example="rmsnorm"),
        "bias": Text("which linear layers have biases (default none)", choices=("none", "qkv", "all"), optional=True, example="none"),
        "tie_word_embeddings": Flag("the output head shares the embedding matrix (default false)", optional=True, example=False),
        "num_local_experts": Int("experts per MoE layer (default 1: no MoE)", lo=1, optional=True),
        "num_experts_per_tok": Int("experts each token is routed to (default 1)", lo=1, optional=True),
    },
)
