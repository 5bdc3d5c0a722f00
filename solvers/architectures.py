"""Real architectures as graphs (see ``solvers._graph``): parameters, shapes, MACs, activations.

Every solver here takes the network as either

    input_shape: [3, 224, 224]
    graph: [...]                      # the graph form, written out in the bank (YAML)

or ``model: NAME`` with ``config: {...}``: a builder in :data:`ZOO` writes the same graph form from
a few hyper-parameters (widths, depth, vocabulary, d_model), so random variants can change them.
Each builder follows the reference implementation named in its docstring, layer for layer.

Optional ``part``: a node or block path (``layer2``, ``h.*.attn``) or a list of them.
"""

from __future__ import annotations

from typing import Any, Callable

from . import Checkpoint, Formula, InvalidParams, Solution, formula, solver
from ._params import Text, ListOf, Either, Graph, ModelConfig, INPUT_SHAPE
from ._fmt import fmt, shape as show
from ._layer_formulas import layer_formula
from ._layers import pair
from .conv_shapes import last_axis_formula
from ._graph import DTYPE_BYTES, Node, Walk, graph_outline, graph_text, layer_table, layer_text, stage_table, walk, walk_text

ZOO: dict[str, Callable[..., tuple[list[int], list[dict]]]] = {}


def _zoo(fn: Callable[..., tuple[list[int], list[dict]]]) -> Callable[..., tuple[list[int], list[dict]]]:
    ZOO[fn.__name__] = fn
    return fn


def _conv(name: str, cin: int, cout: int, k: int, s: int = 1, p: int = 0, bias: bool = True, groups: int = 1, **kw: Any) -> dict:
    d = {"name": name, "type": "Conv2d", "in_channels": cin, "out_channels": cout, "kernel_size": k}
    if s != 1:
        d["stride"] = s
    if p:
        d["padding"] = p
    if groups != 1:
        d["groups"] = groups
    if not bias:
        d["bias"] = False
    return {**d, **kw}


def _bn(name: str, c: int) -> dict:
    return {"name": name, "type": "BatchNorm2d", "num_features": c}


# --- convolutional networks -----------------------------------------------------------------


@_zoo
def lenet5(size: int = 32, c1: int = 6, c2: int = 16, f1: int = 120, f2: int = 84, classes: int = 10) -> tuple[list[int], list[dict]]:
    """LeNet-5, the common variant: 1×32×32 input, Conv2d(1, 6, 5) → tanh → AvgPool2d(2) →
    Conv2d(6, 16, 5) → tanh → AvgPool2d(2) → Flatten → Linear(400, 120) → tanh → Linear(120, 84) →
    tanh → Linear(84, 10); every C3 filter sees all 6 maps (not the paper's connection table)."""
    h = ((size - 4) // 2 - 4) // 2
    return [1, size, size], [
        _conv("c1", 1, c1, 5), {"name": "tanh1", "type": "Tanh"}, {"name": "s2", "type": "AvgPool2d", "kernel_size": 2},
        _conv("c3", c1, c2, 5), {"name": "tanh2", "type": "Tanh"}, {"name": "s4", "type": "AvgPool2d", "kernel_size": 2},
        {"name": "flatten", "type": "Flatten"},
        {"name": "f5", "type": "Linear", "in_features": c2 * h * h, "out_features": f1}, {"name": "tanh3", "type": "Tanh"},
        {"name": "f6", "type": "Linear", "in_features": f1, "out_features": f2}, {"name": "tanh4", "type": "Tanh"},
        {"name": "output", "type": "Linear", "in_features": f2, "out_features": classes},
    ]


@_zoo
def alexnet(size: int = 224, classes: int = 1000) -> tuple[list[int], list[dict]]:
    """torchvision.models.alexnet (the one-GPU variant: 64, 192, 384, 256, 256 filters)."""
    g: list[dict] = []
    for i, (cin, cout, k, s, p, pool) in enumerate([(3, 64, 11, 4, 2, True), (64, 192, 5, 1, 2, True), (192, 384, 3, 1, 1, False),
                                                    (384, 256, 3, 1, 1, False), (256, 256, 3, 1, 1, True)], start=1):
        g += [_conv(f"conv{i}", cin, cout, k, s, p), {"name": f"relu{i}", "type": "ReLU"}]
        if pool:
            g.append({"name": f"pool{i}", "type": "MaxPool2d", "kernel_size": 3, "stride": 2})
    g += [{"name": "avgpool", "type": "AdaptiveAvgPool2d", "output_size": [6, 6]}, {"name": "flatten", "type": "Flatten"},
          {"name": "drop6", "type": "Dropout"}, {"name": "fc6", "type": "Linear", "in_features": 9216, "out_features": 4096},
          {"name": "relu6", "type": "ReLU"}, {"name": "drop7", "type": "Dropout"},
          {"name": "fc7", "type": "Linear", "in_features": 4096, "out_features": 4096}, {"name": "relu7", "type": "ReLU"},
          {"name": "fc8", "type": "Linear", "in_features": 4096, "out_features": classes}]
    return [3, size, size], g


VGG_STAGES = {11: [1, 1, 2, 2, 2], 13: [2, 2, 2, 2, 2], 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]}


@_zoo
def vgg(depth: int = 16, size: int = 224, classes: int = 1000, width: int = 64) -> tuple[list[int], list[dict]]:
    """torchvision.models.vgg11/13/16/19 (no BatchNorm): 3×3 convs with padding 1 and a bias, stage
    widths 64, 128, 256, 512, 512 (× width/64), 2×2 max pools, AdaptiveAvgPool2d(7), three Linear layers."""
    if depth not in VGG_STAGES:
        raise InvalidParams(f"VGG depth must be one of {sorted(VGG_STAGES)}")
    g: list[dict] = []
    cin = 3
    for s, (n, c) in enumerate(zip(VGG_STAGES[depth], [width, 2 * width, 4 * width, 8 * width, 8 * width]), start=1):
        body = [_conv("conv1", cin, c, 3, p=1), {"name": "relu1", "type": "ReLU"}]
        if n > 1:
            body.append({"name": "more", "repeat": n - 1, "body": [_conv("conv", c, c, 3, p=1), {"name": "relu", "type": "ReLU"}]})
        body.append({"name": "pool", "type": "MaxPool2d", "kernel_size": 2, "stride": 2})
        g.append({"name": f"stage{s}", "body": body})
        cin = c
    g += [{"name": "avgpool", "type": "AdaptiveAvgPool2d", "output_size": [7, 7]}, {"name": "flatten", "type": "Flatten"},
          {"name": "fc1", "type": "Linear", "in_features": cin * 49, "out_features": 4096}, {"name": "relu1", "type": "ReLU"},
          {"name": "drop1", "type": "Dropout"}, {"name": "fc2", "type": "Linear", "in_features": 4096, "out_features": 4096},
          {"name": "relu2", "type": "ReLU"}, {"name": "drop2", "type": "Dropout"},
          {"name": "fc3", "type": "Linear", "in_features": 4096, "out_features": classes}]
    return [3, size, size], g


def _basic(cin: int, c: int, stride: int) -> list[dict]:
    body = [_conv("conv1", cin, c, 3, stride, 1, bias=False), _bn("bn1", c), {"name": "relu1", "type": "ReLU"},
            _conv("conv2", c, c, 3, 1, 1, bias=False), _bn("bn2", c)]
    short = "input"
    if stride != 1 or cin != c:
        body += [_conv("downsample", cin, c, 1, stride, bias=False, input="input"), _bn("downsample_bn", c)]
        short = "downsample_bn"
    return body + [{"name": "add", "op": "add", "inputs": ["bn2", short]}, {"name": "relu", "type": "ReLU"}]


def _bottleneck(cin: int, c: int, stride: int) -> list[dict]:
    out = 4 * c
    body = [_conv("conv1", cin, c, 1, bias=False), _bn("bn1", c), {"name": "relu1", "type": "ReLU"},
            _conv("conv2", c, c, 3, stride, 1, bias=False), _bn("bn2", c), {"name": "relu2", "type": "ReLU"},
            _conv("conv3", c, out, 1, bias=False), _bn("bn3", out)]
    short = "input"
    if stride != 1 or cin != out:
        body += [_conv("downsample", cin, out, 1, stride, bias=False, input="input"), _bn("downsample_bn", out)]
        short = "downsample_bn"
    return body + [{"name": "add", "op": "add", "inputs": ["bn3", short]}, {"name": "relu", "type": "ReLU"}]


@_zoo
def resnet(layers: list[int] | None = None, block: str = "basic", width: int = 64, size: int = 224, classes: int = 1000) -> tuple[list[int], list[dict]]:
    """torchvision.models.resnet18/34 (block basic, layers [2,2,2,2] / [3,4,6,3]) and resnet50/101
    (block bottleneck, [3,4,6,3] / [3,4,23,3]; stride on the 3×3 conv, "v1.5"): a 7×7 stem, four
    stages of width 64, 128, 256, 512 (× width/64), each opening with a block that has a projection
    shortcut (1×1 conv + BatchNorm, stride 2 from the second stage on) when the shape changes."""
    layers = layers or [2, 2, 2, 2]
    if not isinstance(layers, list) or not 1 <= len(layers) <= 8:
        raise InvalidParams("layers must list the blocks of 1 to 8 stages")
    make, expansion = {"basic": (_basic, 1), "bottleneck": (_bottleneck, 4)}[block]
    g = [_conv("conv1", 3, width, 7, 2, 3, bias=False), _bn("bn1", width), {"name": "relu", "type": "ReLU"},
         {"name": "maxpool", "type": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1}]
    cin = width
    for i, n in enumerate(layers):
        c = width * 2**i
        body = [{"name": "0", "body": make(cin, c, 1 if i == 0 else 2)}]
        cin = c * expansion
        if n > 1:
            body.append({"name": "rest", "repeat": n - 1, "body": make(cin, c, 1)})
        g.append({"name": f"layer{i + 1}", "body": body})
    g += [{"name": "avgpool", "type": "AdaptiveAvgPool2d", "output_size": 1}, {"name": "flatten", "type": "Flatten"},
          {"name": "fc", "type": "Linear", "in_features": cin, "out_features": classes}]
    return [3, size, size], g


def _divisible(v: float, divisor: int = 8) -> int:
    """torchvision's _make_divisible: round to a multiple of 8, never more than 10 % down."""
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


def _inverted(cin: int, cout: int, stride: int, t: int) -> list[dict]:
    hidden = int(round(cin * t))
    body: list[dict] = []
    if t != 1:
        body += [_conv("expand", cin, hidden, 1, bias=False), _bn("expand_bn", hidden), {"name": "expand_relu", "type": "ReLU6"}]
    body += [_conv("depthwise", hidden, hidden, 3, stride, 1, bias=False, groups=hidden), _bn("depthwise_bn", hidden),
             {"name": "depthwise_relu", "type": "ReLU6"}, _conv("project", hidden, cout, 1, bias=False), _bn("project_bn", cout)]
    if stride == 1 and cin == cout:
        body.append({"name": "add", "op": "add", "inputs": ["project_bn", "input"]})
    return body


MOBILENET_V2 = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


@_zoo
def mobilenet_v2(width_mult: float = 1.0, size: int = 224, classes: int = 1000) -> tuple[list[int], list[dict]]:
    """torchvision.models.mobilenet_v2: a 3×3 stride-2 stem of 32, inverted residual blocks (t, c, n, s)
    = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1) — expand 1×1, depthwise
    3×3, project 1×1, each conv without bias and followed by BatchNorm (ReLU6 except after the projection), a
    residual add when stride 1 and C_in = C_out — then a 1×1 conv to 1280, pooling, Dropout(0.2), Linear."""
    cin = _divisible(32 * width_mult)
    last = _divisible(1280 * max(1.0, width_mult))
    g = [{"name": "stem", "body": [_conv("conv", 3, cin, 3, 2, 1, bias=False), _bn("bn", cin), {"name": "relu", "type": "ReLU6"}]}]
    for i, (t, c, n, s) in enumerate(MOBILENET_V2, start=1):
        cout = _divisible(c * width_mult)
        body = [{"name": "0", "body": _inverted(cin, cout, s, t)}]
        if n > 1:
            body.append({"name": "rest", "repeat": n - 1, "body": _inverted(cout, cout, 1, t)})
        g.append({"name": f"stage{i}", "body": body})
        cin = cout
    g += [{"name": "head", "body": [_conv("conv", cin, last, 1, bias=False), _bn("bn", last), {"name": "relu", "type": "ReLU6"}]},
          {"name": "avgpool", "type": "AdaptiveAvgPool2d", "output_size": 1}, {"name": "flatten", "type": "Flatten"},
          {"name": "dropout", "type": "Dropout", "p": 0.2}, {"name": "classifier", "type": "Linear", "in_features": last, "out_features": classes}]
    return [3, size, size], g


# --- transformers ---------------------------------------------------------------------------


@_zoo
def gpt2(vocab: int = 50257, n_ctx: int = 1024, d_model: int = 768, layers: int = 12, heads: int = 12, seq: int | None = None,
         tied: bool = True) -> tuple[list[int], list[dict]]:
    """Hugging Face GPT2LMHeadModel (GPT2Config defaults: vocab 50257, n_positions 1024, n_embd 768,
    n_layer 12, n_head 12): token + position embeddings added, pre-LayerNorm blocks (attention with
    biased Q, K, V, O projections; MLP d → 4d → d with GELU), a final LayerNorm, and an LM head
    without bias whose weight is the token embedding's (tie_word_embeddings). GPT-3 is the same
    design (175B: 96 layers, d_model 12288, 96 heads, n_ctx 2048)."""
    block = [
        {"name": "ln_1", "type": "LayerNorm", "normalized_shape": d_model},
        {"name": "attn", "type": "SelfAttention", "embed_dim": d_model, "num_heads": heads},
        {"name": "res1", "op": "add", "inputs": ["attn", "input"]},
        {"name": "ln_2", "type": "LayerNorm", "normalized_shape": d_model},
        {"name": "c_fc", "type": "Linear", "in_features": d_model, "out_features": 4 * d_model},
        {"name": "gelu", "type": "GELU"},
        {"name": "c_proj", "type": "Linear", "in_features": 4 * d_model, "out_features": d_model},
        {"name": "res2", "op": "add", "inputs": ["c_proj", "res1"]},
    ]
    head = {"name": "lm_head", "type": "Linear", "in_features": d_model, "out_features": vocab, "bias": False}
    if tied:
        head["tie"] = "wte"
    return [seq or n_ctx], [
        {"name": "wte", "type": "Embedding", "num_embeddings": vocab, "embedding_dim": d_model},
        {"name": "wpe", "type": "Embedding", "num_embeddings": n_ctx, "embedding_dim": d_model, "input": "input"},
        {"name": "embed", "op": "add", "inputs": ["wte", "wpe"]},
        {"name": "h", "repeat": layers, "body": block},
        {"name": "ln_f", "type": "LayerNorm", "normalized_shape": d_model},
        head,
    ]


@_zoo
def bert(vocab: int = 30522, max_positions: int = 512, type_vocab: int = 2, d_model: int = 768, layers: int = 12, heads: int = 12,
         ff: int = 3072, seq: int = 512, pooler: bool = True) -> tuple[list[int], list[dict]]:
    """Hugging Face BertModel (BertConfig defaults): word + position + token-type embeddings added,
    LayerNorm; post-LayerNorm encoder layers (attention with biased projections, add, LayerNorm; MLP
    d → ff → d with GELU, add, LayerNorm); the pooler, Linear(d, d) + tanh on the first ([CLS]) token."""
    block = [
        {"name": "attn", "type": "SelfAttention", "embed_dim": d_model, "num_heads": heads},
        {"name": "res1", "op": "add", "inputs": ["attn", "input"]},
        {"name": "ln_1", "type": "LayerNorm", "normalized_shape": d_model},
        {"name": "intermediate", "type": "Linear", "in_features": d_model, "out_features": ff},
        {"name": "gelu", "type": "GELU"},
        {"name": "output", "type": "Linear", "in_features": ff, "out_features": d_model},
        {"name": "res2", "op": "add", "inputs": ["output", "ln_1"]},
        {"name": "ln_2", "type": "LayerNorm", "normalized_shape": d_model},
    ]
    g = [
        {"name": "word", "type": "Embedding", "num_embeddings": vocab, "embedding_dim": d_model},
        {"name": "position", "type": "Embedding", "num_embeddings": max_positions, "embedding_dim": d_model, "input": "input"},
        {"name": "token_type", "type": "Embedding", "num_embeddings": type_vocab, "embedding_dim": d_model, "input": "input"},
        {"name": "embed", "op": "add", "inputs": ["word", "position", "token_type"]},
        {"name": "embed_ln", "type": "LayerNorm", "normalized_shape": d_model},
        {"name": "layer", "repeat": layers, "body": block},
    ]
    if pooler:
        g += [{"name": "cls", "op": "select", "index": 0}, {"name": "pooler", "type": "Linear", "in_features": d_model, "out_features": d_model},
              {"name": "pooler_tanh", "type": "Tanh"}]
    return [seq], g


@_zoo
def llama(vocab: int = 32000, d_model: int = 4096, layers: int = 32, heads: int = 32, kv_heads: int | None = None, ff: int = 11008,
          seq: int = 4096, tied: bool = False) -> tuple[list[int], list[dict]]:
    """Hugging Face LlamaForCausalLM (Llama-2-7B: vocab 32000, hidden 4096, 32 layers, 32 heads,
    intermediate 11008): token embedding only (rotary positions have no parameters), pre-RMSNorm
    blocks with bias-free attention (num_key_value_heads < heads is GQA) and a SwiGLU MLP
    down(SiLU(gate(x)) · up(x)), a final RMSNorm and an untied LM head without bias."""
    block = [
        {"name": "input_norm", "type": "RMSNorm", "normalized_shape": d_model},
        {"name": "attn", "type": "SelfAttention", "embed_dim": d_model, "num_heads": heads, "bias": False,
         **({"num_key_value_heads": kv_heads} if kv_heads and kv_heads != heads else {})},
        {"name": "res1", "op": "add", "inputs": ["attn", "input"]},
        {"name": "post_norm", "type": "RMSNorm", "normalized_shape": d_model},
        {"name": "gate_proj", "type": "Linear", "in_features": d_model, "out_features": ff, "bias": False},
        {"name": "silu", "type": "SiLU"},
        {"name": "up_proj", "type": "Linear", "in_features": d_model, "out_features": ff, "bias": False, "input": "post_norm"},
        {"name": "swiglu", "op": "mul", "inputs": ["silu", "up_proj"]},
        {"name": "down_proj", "type": "Linear", "in_features": ff, "out_features": d_model, "bias": False},
        {"name": "res2", "op": "add", "inputs": ["down_proj", "res1"]},
    ]
    head = {"name": "lm_head", "type": "Linear", "in_features": d_model, "out_features": vocab, "bias": False}
    if tied:
        head["tie"] = "embed_tokens"
    return [seq], [
        {"name": "embed_tokens", "type": "Embedding", "num_embeddings": vocab, "embedding_dim": d_model},
        {"name": "layers", "repeat": layers, "body": block},
        {"name": "norm", "type": "RMSNorm", "normalized_shape": d_model},
        head,
    ]


# --- reading params -------------------------------------------------------------------------


_WALKS: dict[str, tuple[list[int], list[dict], Walk]] = {}


def network(p: dict) -> tuple[list[int], list[dict], Walk]:
    """(input_shape, graph, walk) of a question's params: ``graph`` written out, or ``model`` + ``config``.

    Walks are remembered by the params' JSON (the last 128), so the variants of a question whose
    network does not change (a zoo model) walk it once; callers must not modify what they get."""
    import json

    try:
        key = json.dumps([p.get("model"), p.get("config"), p.get("input_shape"), p.get("graph")], sort_keys=True)
    except (TypeError, ValueError):
        key = None
    if key is not None and key in _WALKS:
        return _WALKS[key]
    result = _network(p)
    if key is not None:
        if len(_WALKS) >= 128:
            _WALKS.pop(next(iter(_WALKS)))
        _WALKS[key] = result
    return result


def _texts(graph: list[dict], shape: list[int], w: Walk) -> dict[str, Any]:
    """The walk's texts (worked graph, tables, prompt placeholders), made once per walk."""
    cache = w.__dict__.setdefault("_texts", {})
    if not cache:
        cache["walk"] = walk_text(graph, w)
        cache["table"] = "\n".join("  " + r for r in (stage_table(w) if len(w.nodes) > 40 else layer_table(w)))
        cache["layers"] = "\n".join("  " + r for r in layer_table(w))
        cache["context"] = {"_graph": f"  input: {show(shape)}\n{graph_text(graph, walked=w)}", "_outline": graph_outline(graph, w),
                            "_input": show(shape)}
    return cache


DTYPE = Text("the number format of each value", choices=tuple(DTYPE_BYTES), example="fp32")
# A network in the graph form: a named model built from its settings, or a graph with its input.
NETWORK_GRAPH = {
    "model": Text("a model in the zoo, built from config (instead of graph)", choices=tuple(ZOO), optional=True, example="vgg"),
    "config": ModelConfig("the settings of the model `model` names (depth, width, d_model, …)", optional=True, example={"depth": 11}),
    "input_shape": INPUT_SHAPE.opt(),
    "graph": Graph("the network as a graph of nodes (solvers/_graph.py), with input_shape", optional=True),
}
PART = Either("the named part(s) (a node or block) the question is about", options=(Text("a node or block name"), ListOf("names", item=Text("a node or block name"))),
              optional=True)


def _network(p: dict) -> tuple[list[int], list[dict], Walk]:
    if "model" in p:
        name, config = p["model"], p.get("config", {})
        if name not in ZOO:
            raise InvalidParams(f"unknown model {name!r}; known: {', '.join(ZOO)}")
        if not isinstance(config, dict):
            raise InvalidParams("config must be a mapping of the builder's arguments")
        try:
            shape, graph = ZOO[name](**config)
        except InvalidParams as exc:
            raise InvalidParams(f"model {name}: {exc}") from None
        except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
            raise InvalidParams(f"model {name}: cannot build it from this config ({type(exc).__name__}: {str(exc)[:80]})") from None
    else:
        shape, graph = p.get("input_shape"), p.get("graph")
    return shape, graph, walk(graph, shape)


def _parts(p: dict) -> list[str]:
    part = p.get("part")
    if part is None:
        return []
    return [str(x) for x in part] if isinstance(part, list) else [str(part)]


def _context(graph: list[dict], shape: list[int], w: Walk) -> dict[str, str]:
    """Prompt placeholders: the graph as text (``_graph``), its compact outline (``_outline``), ``_input``."""
    return dict(_texts(graph, shape, w)["context"])


KINDS_NORM = ("BatchNorm1d", "BatchNorm2d", "LayerNorm", "RMSNorm", "GroupNorm", "InstanceNorm2d")
KINDS_ATTN = ("SelfAttention", "MultiheadAttention")


def param_slips(w: Walk) -> dict[str, int]:
    """{classic slip: the total it gives}, each computed from the walk's nodes (one idea per slip)."""
    total = w.params
    nodes = w.nodes
    out: dict[str, int] = {}

    def sum_of(pred: Callable[[Any], bool], value: Callable[[Any], int] = lambda n: n.params) -> int:
        return sum(value(n) * n.times for n in nodes if pred(n))

    if w.biases:
        out["forgot the biases"] = total - w.biases
    bn = sum_of(lambda n: n.kind in ("BatchNorm1d", "BatchNorm2d"))
    if bn:
        out["counted BatchNorm's running mean and variance as parameters (they are buffers)"] = total + bn
    norms = sum_of(lambda n: n.kind in KINDS_NORM)
    if norms:
        out["forgot the normalization layers' parameters"] = total - norms
    tied = [n for n in nodes if n.tied_to]
    if tied:
        out["counted the tied LM head again (it reuses the token embedding's weight)"] = total + sum(
            next(m for m in nodes if m.path == n.tied_to).weights * n.times for n in tied)
    conv_k = 0
    for n in nodes:
        if n.kind in ("Conv2d", "ConvTranspose2d") and n.params:
            k = n.spec["kernel_size"]
            kh = int(k[0] if isinstance(k, list) else k)
            conv_k += (n.weights - n.weights // kh) * n.times
    if conv_k:
        out["counted a K×K kernel as K weights per channel (one spatial axis only)"] = total - conv_k
    emb = [n for n in nodes if n.kind == "Embedding"]
    if emb:
        out["forgot the embeddings"] = total - sum(n.params * n.times for n in emb)
        if len(emb) > 1:
            big = max(emb, key=lambda n: n.params)
            out["counted only the token embedding (forgot the position/segment embeddings)"] = total - sum(
                n.params for n in emb if n is not big)
    attn = [n for n in nodes if n.kind in KINDS_ATTN]
    if attn:
        heads = {n.path: int(n.spec["num_heads"]) for n in attn}
        out["multiplied the attention parameters by the number of heads"] = total + sum((heads[n.path] - 1) * n.params * n.times for n in attn)
        e = lambda n: int(n.spec["embed_dim"])  # noqa: E731
        out["forgot the attention's output projection W_O"] = total - sum((e(n) * e(n) + (e(n) if n.spec.get("bias", True) else 0)) * n.times for n in attn)
        mlp = sum_of(lambda n: n.kind == "Linear" and n.depth > 0)
        matrices = sum_of(lambda n: n.depth > 0 and (n.kind == "Linear" or n.kind in KINDS_ATTN), lambda n: n.weights)
        if matrices:
            out["counted only the layers' weight matrices (12·L·d²: no embeddings, biases or norms)"] = matrices
        if mlp:
            out["counted only the attention in each layer (4·L·d², forgot the feed-forward 8·L·d²)"] = total - mlp
        gate = sum_of(lambda n: n.path.endswith("gate_proj"))
        if gate:
            out["counted two feed-forward matrices per layer (SwiGLU has gate, up and down)"] = total - gate
    repeated = sum(n.params * (n.times - 1) for n in nodes)
    if repeated:
        out["counted each repeated block once (forgot to multiply by its repeats)"] = total - repeated
    by_path = {n.path: n for n in nodes}
    for n in nodes:  # the Linear layer right after a Flatten of a C×H×W map
        src = by_path.get(n.inputs[0]) if n.kind == "Linear" and n.inputs else None
        if src is not None and src.kind == "Flatten" and len(src.in_shapes[0]) == 3 and n.weights:
            c, h, wd = src.in_shapes[0]
            per_feature = n.weights // (c * h * wd)
            if h * wd > 1:
                out["flattened only the channels (forgot the H×W of the last feature map)"] = total - n.weights + c * per_feature
            if c > 1:
                out["flattened only H×W (forgot the channels)"] = total - n.weights + h * wd * per_feature
    fc = sum_of(lambda n: n.kind == "Linear" and n.depth == 0 and not n.tied_to)
    if fc and any(n.kind.startswith("Conv") for n in nodes):
        out["left out the fully-connected layers (counted only the convolutions)"] = total - fc
    short = sum_of(lambda n: "downsample" in n.path)
    if short:
        out["forgot the projection shortcuts (1×1 conv + BatchNorm where a stage changes shape)"] = total - short
    learned = [n for n in nodes if n.params]
    if len(learned) > 1 and not learned[-1].tied_to:
        out["left out the last layer"] = total - learned[-1].params * learned[-1].times
    blocks = [name for name, kind in w.items if kind == "block"]
    if len(blocks) > 1:
        out[f"forgot a whole stage ({blocks[-1]})"] = total - w.part_params(blocks[-1])
    return {k: v for k, v in out.items() if v != total}


# --- solvers --------------------------------------------------------------------------------


# --- declared formulas: one layer's, as a checkpoint of the total ---------------------------


def _example_layer(nodes: list[Node], kinds: tuple[str, ...] | None = None) -> tuple[Node, Formula] | None:
    """The first learned layer (of ``kinds``, when given) whose parameter formula is declared, with it."""
    for n in nodes:
        if n.params and not n.tied_to and (kinds is None or n.kind in kinds):
            f = layer_formula(n.spec, "checkpoint:0", f"{n.kind} params ({n.path})")
            if f is not None:
                return n, f
    return None


def _with_example(steps: list[str], nodes: list[Node]) -> tuple[list[Checkpoint], list[Formula]]:
    """A worked line for the first learned layer (inserted before the last step), its checkpoint
    and its declared formula: what hint 2 shows for a network total."""
    found = _example_layer(nodes)
    if found is None:
        return [], []
    n, f = found
    steps.insert(len(steps) - 1, f"For example, {n.path}: {layer_text(n.spec)}: {n.formula} = {fmt(n.params)}")
    return [Checkpoint(f"parameters of {n.path}", n.params, "integer", len(steps) - 2)], [f]


def _macs_example(steps: list[str], nodes: list[Node]) -> tuple[list[Checkpoint], list[Formula]]:
    """The same for multiply-accumulates: the first Conv2d or Linear layer that has any."""
    for n in nodes:
        if not n.macs or n.kind not in ("Conv2d", "Linear"):
            continue
        if n.kind == "Conv2d":
            cin, g = int(n.spec["in_channels"]), int(n.spec.get("groups", 1))
            kh, kw = pair(n.spec["kernel_size"])
            c, h, w = n.shape
            syms = dict(H_out=("output height", h), W_out=("output width", w), C_out=("output channels", c), C_in=("input channels", cin))
            syms.update(dict(K=("kernel size", kh)) if kh == kw else dict(K_h=("kernel height", kh), K_w=("kernel width", kw)))
            if g > 1:
                syms["g"] = ("groups", g)
            expr = "H_out*W_out*C_out*" + ("(C_in/g)" if g > 1 else "C_in") + ("*K*K" if kh == kw else "*K_h*K_w")
        else:
            syms = dict(O=("output values (positions × out_features)", _prod(n.shape)), n=("input features", int(n.spec["in_features"])))
            expr = "O*n"
        f = formula(expr, name=f"{n.kind} MACs ({n.path})", target="checkpoint:0", **syms)
        steps.insert(len(steps) - 1, f"For example, {n.path}: {layer_text(n.spec)} → {show(n.shape)}: {fmt(n.macs)} MACs")
        return [Checkpoint(f"MACs of {n.path}", n.macs, "integer", len(steps) - 2)], [f]
    return [], []


@solver("graph-params", params={
    **NETWORK_GRAPH,
    "part": PART,
})
def graph_params(p: dict) -> Solution:
    """Learnable parameters of a network graph, or of its ``part`` (a stage or block path).

    params: graph + input_shape, or model + config; optional part
    answer: int
    """
    shape, graph, w = network(p)
    parts = _parts(p)
    ctx = _context(graph, shape, w)
    steps = ["The graph, with each node's output shape and parameters:\n" + _texts(graph, shape, w)["walk"]]
    if parts:
        answer = sum(w.part_params(x) for x in parts)
        rows = [n for x in parts for n in w.part(x) if n.params]
        for n in rows[:40]:
            steps.append(f"{n.path}: {layer_text(n.spec)}: {n.formula} = {n.params:,}" + (f", ×{n.times} copies = {n.params * n.times:,}" if n.times > 1 else ""))
        steps.append(f"{' + '.join(parts)}: {answer:,} parameters")
        mistakes = {}
        repeated = sum(n.params * (n.times - 1) for x in parts for n in w.part(x))
        if repeated:
            mistakes["counted each repeated block once (forgot to multiply by its repeats)"] = answer - repeated
        biases = sum(n.biases * n.times for x in parts for n in w.part(x))
        if biases:
            mistakes["forgot the biases"] = answer - biases
        bn = sum(n.params * n.times for x in parts for n in w.part(x) if n.kind in ("BatchNorm1d", "BatchNorm2d"))
        if bn:
            mistakes["counted BatchNorm's running mean and variance as parameters (they are buffers)"] = answer + bn
            mistakes["forgot the BatchNorm parameters"] = answer - bn
        short = sum(n.params * n.times for x in parts for n in w.part(x) if "downsample" in n.path)
        if short:
            mistakes["forgot the projection shortcut (1×1 conv + BatchNorm)"] = answer - short
        mistakes["gave the whole network's parameters"] = w.params
        checks, declared = _with_example(steps, [n for x in parts for n in w.part(x)])
        return Solution(answer, steps, mistakes, context=ctx, checkpoints=checks, formulas=declared)
    steps.append("Where the parameters are:\n" + _texts(graph, shape, w)["table"])
    total = w.params
    notes = ["BatchNorm's running mean and variance are buffers, not counted"] if any(n.kind.startswith("BatchNorm") for n in w.nodes) else []
    notes += ["a tied weight is counted once"] if any(n.tied_to for n in w.nodes) else []
    steps.append(f"Total = {total:,} learnable parameters" + (f" ({'; '.join(notes)})" if notes else ""))
    checks, declared = _with_example(steps, w.nodes)
    return Solution(total, steps, param_slips(w), context=ctx, checkpoints=checks, formulas=declared)


@solver("graph-share", params={
    **NETWORK_GRAPH,
    "part": Either("the named part(s) whose share is asked", options=PART.options, example="fc1"),
})
def graph_share(p: dict) -> Solution:
    """Share of a network's parameters in ``part`` (a node path or a list of them), in percent.

    params: graph + input_shape, or model + config; part
    answer: float, 100·part/total
    """
    shape, graph, w = network(p)
    parts = _parts(p)
    if not parts:
        raise InvalidParams("graph-share needs a part")
    part, total = sum(w.part_params(x) for x in parts), w.params
    share = 100 * part / total
    steps = ["Where the parameters are:\n" + _texts(graph, shape, w)["table"],
             f"{' + '.join(parts)} = {part:,} parameters",
             f"Share = {part:,} / {total:,} = {fmt(share, 4)} %"]
    mistakes = {"divided by the rest of the network instead of the total": 100 * part / (total - part) if total > part else 0.0,
                "gave the fraction, not the percentage": share / 100}
    tied = [n for n in w.nodes if n.tied_to]
    if tied:
        extra = sum(next(m for m in w.nodes if m.path == n.tied_to).weights for n in tied)
        mistakes["counted the tied LM head again in the total"] = 100 * part / (total + extra)
    if len(parts) > 1:
        mistakes[f"counted only {parts[0]} (left out {', '.join(parts[1:])})"] = 100 * w.part_params(parts[0]) / total
    declared = formula("100*P_part/P_total", name="share (%)", P_part=(f"parameters of {' + '.join(parts)}", part),
                       P_total=("parameters of the whole network", total))
    return Solution(share, steps, mistakes, context=_context(graph, shape, w), formulas=[declared])


def _slip_walk(graph: Any, shape: Any, change: Callable[[dict], None]) -> Walk | None:
    """The walk of a copy of ``graph`` with ``change`` applied to every layer node (a misconception)."""
    import copy

    g = copy.deepcopy(graph)
    changed = False

    def visit(items: list) -> None:
        nonlocal changed
        for item in items:
            if "body" in item:
                visit(item["body"])
            elif "type" in item:
                before = dict(item)
                change(item)
                changed = changed or item != before

    visit(g)
    if not changed:
        return None
    try:
        return walk(g, shape)
    except InvalidParams:
        return None


@solver("graph-output-shape", params={
    **NETWORK_GRAPH,
    "part": PART,
})
def graph_output_shape(p: dict) -> Solution:
    """Output shape of a node or block ``part`` of a network (default: the whole network).

    params: graph + input_shape, or model + config; optional part
    answer: tuple, the shape with the batch left out
    """
    shape, graph, w = network(p)
    parts = _parts(p)
    target = parts[0] if parts else None
    answer = w.output(target) if target else w.shape
    steps = ["Shapes, node by node:\n" + _texts(graph, shape, w)["walk"], f"Output of {target or 'the network'}: {show(answer)}"]
    mistakes: dict[str, tuple] = {}

    def slip(name: str, change: Callable[[dict], None]) -> None:
        sw = _slip_walk(graph, shape, change)
        if sw is not None:
            try:
                mistakes[name] = sw.output(target) if target else sw.shape
            except InvalidParams:
                pass

    slip("ignored the strides", lambda d: d.update(stride=1) if "stride" in d else None)
    slip("forgot the padding", lambda d: d.update(padding=0) if isinstance(d.get("padding"), int) else None)
    slip("used 'same' padding everywhere (kept H×W through every stride-1 layer)",
         lambda d: d.update(padding=int(d["kernel_size"]) // 2) if d.get("type") == "Conv2d" and isinstance(d.get("kernel_size"), int) else None)
    concat = [n for n in w.part(target) if n.kind == "concat"] if target else [n for n in w.nodes if n.kind == "concat"]
    if concat and len(answer) >= 1:
        last = concat[-1]
        mistakes["added the branches element-wise instead of concatenating (kept one branch's channels)"] = (last.in_shapes[-1][0], *answer[1:])
        mistakes["concatenated along the wrong axis"] = (answer[0] - sum(s[0] for s in last.in_shapes[1:]), answer[1] * len(last.in_shapes), *answer[2:]) if len(answer) >= 3 else answer
    grown = [b for b in w.blocks.values() if not b.once and (target is None or b.path == target or b.path.startswith(target + "."))]
    if grown and len(answer) == len(grown[-1].shape) and tuple(answer) == grown[-1].shape:  # DenseNet: each repetition adds k channels
        b = grown[-1]
        k = (b.shape[0] - b.in_shape[0]) // b.repeat
        mistakes["counted only the new channels (forgot the block's input channels)"] = (b.shape[0] - b.in_shape[0], *b.shape[1:])
        mistakes["added the growth once (one layer's new channels)"] = (b.in_shape[0] + k, *b.shape[1:])
    if target:
        mistakes["gave the network's input shape"] = tuple(w.input_shape)
    nodes = w.part(target) if target else w.nodes
    declared = last_axis_formula([n.spec if n.is_layer else {} for n in nodes], [nodes[0].in_shapes[0]] + [n.shape for n in nodes], tuple(answer))
    return Solution(answer, steps, {k: v for k, v in mistakes.items() if tuple(v) != tuple(answer)}, context=_context(graph, shape, w),
                    formulas=[declared] if declared else [])


@solver("graph-largest-layer", params={
    **NETWORK_GRAPH,
})
def graph_largest_layer(p: dict) -> Solution:
    """Which single layer holds the most parameters (multiple choice; options are layer paths).

    params: graph + input_shape, or model + config
    answer: str, the layer's path and constructor
    """
    shape, graph, w = network(p)
    learned = sorted((n for n in w.nodes if n.params), key=lambda n: -n.params)
    if len(learned) < 2 or learned[0].params == learned[1].params:
        raise InvalidParams("no single layer holds the most parameters")
    label = lambda n: f"{n.path}: {layer_text(n.spec)}"  # noqa: E731
    best = learned[0]
    steps = ["Parameters per layer:\n" + _texts(graph, shape, w)["layers"],
             f"Most: {label(best)} with {best.params:,} parameters ({fmt(100 * best.params / w.params, 3)} % of {w.params:,})"]
    mistakes: dict[str, str] = {}
    macs = max((n for n in w.nodes if n.macs), key=lambda n: n.macs, default=None)
    if macs is not None and macs is not best:
        mistakes["picked the layer with the most multiply-accumulates (compute is not parameters)"] = label(macs)
    widest = max((n for n in w.nodes if n.params), key=lambda n: (n.shape[0] if n.shape else 0, n.params))
    if widest is not best:
        mistakes["picked the layer with the most output channels/units"] = label(widest)
    convs = [n for n in learned if n.kind.startswith("Conv")]
    if convs and convs[0] is not best:
        mistakes["assumed a conv layer holds the most (the biggest is usually a fully-connected layer)"] = label(convs[0])
    last = [n for n in w.nodes if n.params][-1]
    if last is not best:
        mistakes["picked the output layer"] = label(last)
    concept = "A layer's parameters grow with its fan-in × fan-out, not with its compute or its place in the network."
    return Solution(label(best), steps, mistakes, context=_context(graph, shape, w), choices=[label(n) for n in learned[1:6]], concept=concept)


@solver("graph-activation-memory", params={
    **NETWORK_GRAPH,
    "dtype": DTYPE,
})
def graph_activation_memory(p: dict) -> Solution:
    """Memory of the activations of one forward pass (batch 1): every node's output kept, in MB.

    params: graph + input_shape, or model + config; dtype (fp32, fp16, bf16, fp64)
    answer: float, megabytes (10⁶ bytes)
    """
    shape, graph, w = network(p)
    dtype = p.get("dtype", "fp32")
    if dtype not in DTYPE_BYTES:
        raise InvalidParams(f"dtype must be one of {', '.join(DTYPE_BYTES)}")
    b = DTYPE_BYTES[dtype]
    elements = w.activations
    mb = elements * b / 1e6
    layers_only = sum(_prod(n.shape) * n.times for n in w.nodes if n.params)
    steps = ["Every node's output, kept for the backward pass:\n" + _texts(graph, shape, w)["walk"],
             f"Activations = sum of the output sizes = {elements:,} values",
             f"× {b} bytes ({dtype}) = {elements * b:,} bytes = {fmt(mb, 4)} MB (10⁶ bytes)"]
    mistakes = {
        "counted 2 bytes per value (fp16) instead of 4" if b == 4 else "counted 4 bytes per value (fp32)": elements * (2 if b == 4 else 4) / 1e6,
        "counted only the outputs of layers with parameters (forgot activations, pooling, merges)": layers_only * b / 1e6,
        "counted the parameters instead of the activations": w.params * b / 1e6,
        "gave MiB (2²⁰ bytes) instead of MB": elements * b / 2**20,
        "counted values, not bytes": elements / 1e6,
    }
    declared = formula("A*b/10**6", name="MB", A=("activation values (every node's output, summed)", elements), b=(f"bytes per value ({dtype})", b))
    return Solution(mb, steps, mistakes, context={**_context(graph, shape, w), "_bytes": str(b)}, formulas=[declared])


@solver("graph-macs", params={
    **NETWORK_GRAPH,
    "part": PART,
    "count": Text("what to count: multiply-accumulates or FLOPs (2 per MAC)", choices=("MACs", "FLOPs"), optional=True, example='MACs'),
})
def graph_macs(p: dict) -> Solution:
    """Multiply-accumulates (count: MACs) or FLOPs (count: FLOPs = 2·MACs) of a network or its ``part``.

    Only conv, linear and attention matmuls count; biases, norms, activations, pooling, merges do not.
    params: graph + input_shape, or model + config; optional part; count MACs | FLOPs
    answer: int
    """
    shape, graph, w = network(p)
    count = p.get("count", "MACs")
    if count not in ("MACs", "FLOPs"):
        raise InvalidParams("count must be MACs or FLOPs")
    parts = _parts(p)
    nodes = [n for x in parts for n in w.part(x)] if parts else w.nodes
    factor = 2 if count == "FLOPs" else 1
    macs = sum(n.macs * n.times for n in nodes)
    answer = factor * macs
    steps = []
    for n in nodes:
        if n.macs:
            steps.append(f"{n.path}: {layer_text(n.spec)} → {show(n.shape)}: {n.macs:,} MACs" + (f" ×{n.times}" if n.times > 1 else ""))
    steps.append(f"MACs = {macs:,}" + (f"; FLOPs = 2·MACs (a multiply-add is 2 FLOPs) = {answer:,}" if factor == 2 else ""))
    in_spatial = 0
    for n in nodes:
        if n.kind.startswith("Conv") and n.macs:
            o = n.shape
            i = n.in_shapes[0]
            in_spatial += n.macs // _prod(o[1:]) * _prod(i[1:]) * n.times
        else:
            in_spatial += n.macs * n.times
    mistakes = {
        "counted the weights once (the parameter count), not once per output position": factor * sum(n.weights * n.times for n in nodes if n.macs),
        "used each conv's input H·W instead of its output H'·W'": factor * in_spatial,
    }
    if factor == 2:
        mistakes["gave MACs, not FLOPs (a multiply-add is 2 FLOPs)"] = macs
    else:
        mistakes["gave FLOPs (2 per MAC), not MACs"] = 2 * macs
    repeated = sum(n.macs * (n.times - 1) for n in nodes)
    if repeated:
        mistakes["counted each repeated block once"] = factor * (macs - repeated)
    checks, declared = _macs_example(steps, nodes)
    return Solution(answer, steps, mistakes, context=_context(graph, shape, w), checkpoints=checks, formulas=declared)


def _prod(xs: Any) -> int:
    out = 1
    for x in xs:
        out *= int(x)
    return out
