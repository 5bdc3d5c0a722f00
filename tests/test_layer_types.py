"""One layer registry (issue 21 item 2; issue 20's LazyConv2d pairing and ceil_mode).

Every layer type is declared once in solvers/layer_types.py; the chain walk, the graph walk and
quality's printed-layer check read that declaration. The oracles: a brute-force window count and
torch (when installed) for ceil_mode, torchvision's published parameter counts for DenseNet-121
(7,978,856) and SqueezeNet 1.0 (1,248,424), and hand-made prompts that misprint one argument.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
import yaml

from drill.authoring.check import check_question
from drill.authoring.quality import layer_issues, printed_layers
from drill.core.bank import load_bank
from drill.core.variants import make_variant
from drill.solvers import InvalidParams
from drill.solvers._graph import walk
from drill.solvers._layers import layer_output_shape, layer_params
from drill.solvers.layer_types import LAYERS, REQUIRED, layer_text, pool_out

ROOT = Path(__file__).parents[1]

# a value for every required argument of every type (a 4-channel 6×6 image, 8-wide sequences)
SAMPLE = {"in_channels": 4, "out_channels": 8, "kernel_size": 3, "in_features": 5, "out_features": 6, "num_features": 4,
          "normalized_shape": 6, "num_embeddings": 10, "embedding_dim": 6, "input_size": 5, "hidden_size": 7, "embed_dim": 8,
          "num_heads": 2, "d_model": 8, "nhead": 2, "num_groups": 2, "num_channels": 4, "output_size": [2, 2]}


def _other(value):
    """A value unlike ``value`` of the same kind (the solved layer's, where the prompt prints another)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2
    if isinstance(value, list):
        return [x + 1 for x in value]
    if value is None:
        return 3
    return {"zeros": "reflect", "none": "tanh", "relu": "gelu", "tanh": "relu"}[value]


def _probe(kind):
    """(the solved spec, the argument the misprinted prompt gets wrong): the first required
    argument, else the first argument with a default, set to a non-default value."""
    t = LAYERS[kind]
    spec = {"type": kind, **{k: SAMPLE[k] for k, v in t.args.items() if v is REQUIRED}}
    required = [k for k, v in t.args.items() if v is REQUIRED]
    if required:
        return spec, required[0]
    if not t.args:
        return spec, None
    name = next(iter(t.args))
    return {**spec, name: _other(t.args[name])}, name


def _variant(bank, prompt, params):
    return dataclasses.replace(make_variant(bank.questions["dense-block-params"], 0), prompt=prompt, params=params)


CHECKED = sorted(k for k, t in LAYERS.items() if t.args)


def test_the_registry_declares_every_type_the_walks_know():
    assert len(LAYERS) == 34 and {"Conv2d", "MaxPool2d", "AdaptiveAvgPool2d", "GroupNorm", "SelfAttention", "Hardswish"} <= set(LAYERS)
    assert sorted(set(LAYERS) - set(CHECKED)) == ["Identity", "Sigmoid", "Tanh"]  # no arguments, nothing to misprint


@pytest.mark.parametrize("kind", CHECKED)
def test_every_printed_type_is_checked(bank, kind):
    """quality pairs the printed layer with the solved one for all 34 types (it knew 14): the right
    print passes, a print that gets one argument wrong (or leaves a non-default one out) is named."""
    solved, name = _probe(kind)
    assert layer_issues(_variant(bank, f"The layer {layer_text(solved)}.", {"layers": [solved]})) == []
    wrong = {**solved, name: _other(solved[name])} if LAYERS[kind].args[name] is REQUIRED else {k: v for k, v in solved.items() if k != name}
    (issue,) = layer_issues(_variant(bank, f"The layer {layer_text(wrong)}.", {"layers": [solved]}))
    assert issue.key == f"layer:{kind}.{name}", issue


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_every_type_declares_its_formula(kind):
    """The declared formula (what drill check proves) gives the count the type's rule gives, and a
    type with learnable parameters has one."""
    from drill.core import formulas

    spec, _ = _probe(kind)
    w, b, _ = LAYERS[kind].count(spec)
    f = LAYERS[kind].params_formula(spec)
    assert (f is None) == (w + b == 0), kind
    if f is not None:
        assert formulas.value(f) == w + b
        assert formulas.names(f.expr) == {s.name for s in f.symbols} and all(s.meaning for s in f.symbols)


def test_graph_only_types_are_found_in_a_prompt():
    found = printed_layers("AdaptiveAvgPool2d((7, 7)), then Linear(25088, 4096)")
    assert [(p.kind, p.args()) for p in found] == [("AdaptiveAvgPool2d", {"output_size": "(7, 7)"}),
                                                   ("Linear", {"in_features": "25088", "out_features": "4096"})]
    (lazy,) = printed_layers("  conv2: LazyConv2d(32, kernel_size=3, padding=1, bias=False)")
    assert (lazy.kind, lazy.lazy, lazy.name) == ("Conv2d", True, "conv2")
    assert lazy.args() == {"out_channels": "32", "kernel_size": "3", "padding": "1", "bias": "False"}
    assert printed_layers("LazyReLU(), LazyLinear(10)") == [printed_layers("LazyLinear(10)")[0]]  # no LazyReLU in PyTorch


def test_positional_args_follow_pytorchs_signature(bank):
    """MaxPool2d(2, 2) is kernel_size 2, stride 2 (PyTorch's order), as the VGG prompt writes it."""
    pool = {"type": "MaxPool2d", "kernel_size": 2, "stride": 2}
    assert layer_issues(_variant(bank, "then MaxPool2d(2, 2)", {"layers": [pool]})) == []
    (issue,) = layer_issues(_variant(bank, "then MaxPool2d(2, 1)", {"layers": [pool]}))
    assert issue.key == "layer:MaxPool2d.stride"


def test_one_printed_form_for_chain_and_graph():
    """The chain (net_repr) and the graph (graph_text) print a layer the same way."""
    from drill.solvers._graph import graph_text
    from drill.solvers._layers import net_repr

    pool = {"type": "MaxPool2d", "kernel_size": 2, "stride": 2}
    assert net_repr([pool]) == "  1. MaxPool2d(2, stride=2)"
    assert graph_text([{"name": "p", **pool}]) == "  p: MaxPool2d(2, stride=2)"


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.module or "", [a.name for a in n.names]) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]


def test_no_cycle_and_no_private_names_across_modules():
    solvers = ROOT / "solvers"
    registry = [solvers / "layer_types.py", *solvers.glob("_layer_*.py")]  # the declarations, not the walks
    assert len(registry) == 7
    for path in registry:
        assert not any(m.lstrip(".") in ("_layers", "_graph") for m, _ in _imports(path)), path.name
    assert not any(m.lstrip(".") == "_graph" for m, _ in _imports(solvers / "_layers.py"))
    for path in [*solvers.glob("*.py"), *(ROOT / "drill").rglob("*.py")]:
        for module, names in _imports(path):
            last = module.split(".")[-1]
            if last in ("layer_types", "_layers", "_graph") or last.startswith("_layer_"):
                assert not [n for n in names if n.startswith("_")], (path.name, module, names)


# --- issue 20: LazyConv2d layers pair with the solved layers they print ---------------------


def densenet121() -> list[dict]:
    """torchvision's densenet121 as a graph: k = 32, blocks (6, 12, 24, 16), bottleneck 128, the
    dense layers' input sizes left out (printed as LazyConv2d / LazyBatchNorm2d)."""
    g = [{"name": "conv0", "type": "Conv2d", "in_channels": 3, "out_channels": 64, "kernel_size": 7, "stride": 2, "padding": 3, "bias": False},
         {"name": "norm0", "type": "BatchNorm2d", "num_features": 64}, {"name": "relu0", "type": "ReLU"},
         {"name": "pool0", "type": "MaxPool2d", "kernel_size": 3, "stride": 2, "padding": 1}]
    c = 64
    for i, n in enumerate((6, 12, 24, 16), 1):
        g.append({"name": f"denseblock{i}", "repeat": n, "body": [
            {"name": "norm1", "type": "BatchNorm2d"}, {"name": "relu1", "type": "ReLU"},
            {"name": "conv1", "type": "Conv2d", "out_channels": 128, "kernel_size": 1, "bias": False},
            {"name": "norm2", "type": "BatchNorm2d"}, {"name": "relu2", "type": "ReLU"},
            {"name": "conv2", "type": "Conv2d", "out_channels": 32, "kernel_size": 3, "padding": 1, "bias": False},
            {"name": "concat", "op": "concat", "inputs": ["input", "conv2"]}]})
        c += 32 * n
        if i < 4:
            g += [{"name": f"transition{i}_norm", "type": "BatchNorm2d", "num_features": c}, {"name": f"transition{i}_relu", "type": "ReLU"},
                  {"name": f"transition{i}_conv", "type": "Conv2d", "in_channels": c, "out_channels": c // 2, "kernel_size": 1, "bias": False},
                  {"name": f"transition{i}_pool", "type": "AvgPool2d", "kernel_size": 2, "stride": 2}]
            c //= 2
    return g + [{"name": "norm5", "type": "BatchNorm2d", "num_features": c}, {"name": "relu5", "type": "ReLU"},
                {"name": "avgpool", "type": "AdaptiveAvgPool2d", "output_size": 1}, {"name": "flatten", "type": "Flatten"},
                {"name": "classifier", "type": "Linear", "in_features": c, "out_features": 1000}]


def _user_bank(tmp_path, qid, graph, answer, title):
    question = {"id": qid, "title": title, "difficulty": 3,
                "prompt": f"{title} on a C×H×W = 3×224×224 input (Lazy layers take their input channels from their "
                          "input; padding is per side):\n\n{_graph}\n\nHow many learnable parameters does it have?",
                "solver": "graph-params", "params": {"input_shape": [3, 224, 224], "graph": graph}, "answer": answer,
                "answer_type": "integer", "source": "torchvision's published num_params"}
    (tmp_path / f"{qid}.yaml").write_text(yaml.safe_dump({"format_version": 1, "topic": "user-nets", "questions": [question]},
                                                          sort_keys=False), encoding="utf-8")
    b = load_bank([tmp_path])
    assert not b.errors, [str(e) for e in b.errors]
    return b.questions[qid]


def test_densenet121_counts_torchvisions_figure():
    assert walk(densenet121(), [3, 224, 224]).params == 7_978_856  # torchvision densenet121, DenseNet121_Weights num_params


def _two_stages() -> list[dict]:
    """DenseNet-121's stem, dense blocks 1 and 2 (their convs print as LazyConv2d) and transitions
    1 and 2 (they print as Conv2d(256, 128, …) and Conv2d(512, 256, …))."""
    return densenet121()[:14]


# by hand: conv0 7·7·3·64, norm0 2·64; dense block 1 335,040 (Huang et al. 2017; test_zoo_oracle);
# transition1 BatchNorm 2·256 + Conv2d 256·128; dense block 2, layer i on c = 128 + 32i maps:
# 2c + 128c + 2·128 + 9·128·32; transition2 BatchNorm 2·512 + Conv2d 512·256
TWO_STAGES = (7 * 7 * 3 * 64 + 2 * 64 + 335_040 + 2 * 256 + 256 * 128
              + sum(130 * c + 256 + 9 * 128 * 32 for c in range(128, 512, 32)) + 2 * 512 + 512 * 256)


def test_densenet121_with_lazy_layers_checks_clean(tmp_path):
    graph = _two_stages()
    assert TWO_STAGES == 1_429_632 and walk(graph, [3, 224, 224]).params == TWO_STAGES
    q = _user_bank(tmp_path, "user-densenet121", graph, TWO_STAGES, "DenseNet-121's first two stages")
    v = make_variant(q, 0)
    assert "conv2: LazyConv2d(32, kernel_size=3, padding=1, bias=False)" in v.prompt
    assert "transition2_conv: Conv2d(512, 256, kernel_size=1, bias=False)" in v.prompt
    assert layer_issues(v) == []
    assert [str(f) for f in check_question(q, 2)] == []  # was "[prompt] the prompt's Conv2d(…) prints out_channels=256 but … 32"


def test_a_misprinted_transition_is_named_not_a_dense_layer(tmp_path):
    """The pairing is by order and name: a wrong transition conv is reported as that conv."""
    q = _user_bank(tmp_path, "user-densenet121", _two_stages(), TWO_STAGES, "DenseNet-121's first two stages")
    v = make_variant(q, 0)
    bad = dataclasses.replace(v, prompt=v.prompt.replace("Conv2d(512, 256,", "Conv2d(512, 255,"))
    (issue,) = layer_issues(bad)
    assert issue.key == "layer:Conv2d.out_channels" and "prints out_channels=255" in issue.what and "out_channels=256" in issue.what
    lazy = dataclasses.replace(v, prompt=v.prompt.replace("LazyConv2d(128, kernel_size=1", "LazyConv2d(96, kernel_size=1"))
    (issue,) = layer_issues(lazy)
    assert "LazyConv2d(…) prints out_channels=96" in issue.what and "out_channels=128" in issue.what


# --- issue 20: MaxPool2d(ceil_mode=True) --------------------------------------------------------


def _windows(n: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """Windows placed one by one along a padded axis of n + 2p: floor mode while a whole window fits;
    ceil mode while the previous window left an element uncovered, dropping any window that starts
    in the right padding (start ≥ n + p)."""
    length, count, start = n + 2 * p, 0, 0
    while True:
        if ceil_mode:
            if start and start - s + k >= length:
                break
            if start < n + p:
                count += 1
        else:
            if start + k > length:
                break
            count += 1
        start += s
    return count


GRID = [(n, k, s, p) for n in range(1, 16) for k in range(1, 6) for s in range(1, 5) for p in range(k // 2 + 1) if n + 2 * p >= k]


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_out_matches_a_window_count(ceil_mode):
    for n, k, s, p in GRID:
        assert pool_out(n, k, s, p, ceil_mode=ceil_mode) == _windows(n, k, s, p, ceil_mode), (n, k, s, p)
    assert pool_out(6, 3, 2, 0, ceil_mode=True) == 3 and pool_out(6, 3, 2, 0) == 2  # the partial window [4, 6)
    assert pool_out(5, 2, 2, 1, ceil_mode=True) == 3  # ceil gives 4, but the 4th window starts in the right padding


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pool_out_matches_torch(ceil_mode):
    torch = pytest.importorskip("torch")
    for n, k, s, p in GRID:
        x = torch.zeros(1, 1, n, n)
        for pool in (torch.nn.MaxPool2d(k, s, p, ceil_mode=ceil_mode), torch.nn.AvgPool2d(k, s, p, ceil_mode=ceil_mode)):
            assert tuple(pool(x).shape[2:]) == (pool_out(n, k, s, p, ceil_mode=ceil_mode),) * 2, (pool, n)


def test_ceil_mode_in_a_chain_and_a_graph():
    pool = {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True}
    assert layer_output_shape(pool, (96, 109, 109)) == (96, 54, 54) and layer_params(pool)[:2] == (0, 0)
    assert layer_output_shape({**pool, "ceil_mode": False}, (96, 54, 54)) == (96, 26, 26)
    assert walk([{"name": "p", **pool}], [96, 54, 54]).shape == (96, 27, 27)
    assert layer_text(pool) == "MaxPool2d(3, stride=2, ceil_mode=True)"
    with pytest.raises(InvalidParams, match="dilation=2 is not supported"):
        walk([{"name": "p", **pool, "dilation": 2}], [1, 9, 9])
    with pytest.raises(InvalidParams, match="dilation=2 is not supported"):  # the chain refuses it too (it ignored it)
        layer_output_shape({**pool, "dilation": 2}, (1, 9, 9))


def squeezenet1_0() -> list[dict]:
    """torchvision's squeezenet1_0: Fire(in, squeeze, e1x1, e3x3) blocks, pools with ceil_mode."""
    pool = {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True}

    def fire(i, s, e1, e3):
        return {"name": f"fire{i}", "body": [
            {"name": "squeeze", "type": "Conv2d", "out_channels": s, "kernel_size": 1}, {"name": "squeeze_relu", "type": "ReLU"},
            {"name": "expand1x1", "type": "Conv2d", "out_channels": e1, "kernel_size": 1}, {"name": "expand1x1_relu", "type": "ReLU"},
            {"name": "expand3x3", "type": "Conv2d", "out_channels": e3, "kernel_size": 3, "padding": 1, "input": "squeeze_relu"},
            {"name": "expand3x3_relu", "type": "ReLU"},
            {"name": "cat", "op": "concat", "inputs": ["expand1x1_relu", "expand3x3_relu"]}]}

    return [{"name": "conv1", "type": "Conv2d", "in_channels": 3, "out_channels": 96, "kernel_size": 7, "stride": 2},
            {"name": "relu1", "type": "ReLU"}, {"name": "pool1", **pool},
            fire(2, 16, 64, 64), fire(3, 16, 64, 64), fire(4, 32, 128, 128), {"name": "pool4", **pool},
            fire(5, 32, 128, 128), fire(6, 48, 192, 192), fire(7, 48, 192, 192), fire(8, 64, 256, 256), {"name": "pool8", **pool},
            fire(9, 64, 256, 256), {"name": "dropout", "type": "Dropout"},
            {"name": "conv10", "type": "Conv2d", "in_channels": 512, "out_channels": 1000, "kernel_size": 1},
            {"name": "relu10", "type": "ReLU"}, {"name": "avgpool", "type": "AdaptiveAvgPool2d", "output_size": [1, 1]},
            {"name": "flatten", "type": "Flatten"}]


def test_squeezenet1_0_as_torchvision_writes_it(tmp_path):
    graph = squeezenet1_0()
    w = walk(graph, [3, 224, 224])
    assert w.params == 1_248_424  # torchvision squeezenet1_0, SqueezeNet1_0_Weights num_params
    assert [w.output(p) for p in ("pool1", "pool4", "pool8")] == [(96, 54, 54), (256, 27, 27), (512, 13, 13)]
    assert w.shape == (1000,)
    q = _user_bank(tmp_path, "user-squeezenet", graph, 1_248_424, "SqueezeNet 1.0")
    assert "pool1: MaxPool2d(3, stride=2, ceil_mode=True)" in make_variant(q, 0).prompt
    assert [str(f) for f in check_question(q, 2)] == []


def test_a_chain_with_a_ceil_mode_pool_checks_clean(tmp_path):
    """network-output-shape on conv → pool(ceil_mode) : 3×224×224 → 96×109×109 → 96×54×54 (floor: 54 too),
    then a second pool 54 → 27 (floor: 26, a mistake the solver names); the declared height formula
    min(ceil((H + 2P − K)/S) + 1, ceil((H + P)/S)) is checked against the key by drill check."""
    layers = [{"type": "Conv2d", "in_channels": 3, "out_channels": 96, "kernel_size": 7, "stride": 2},
              {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True},
              {"type": "MaxPool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True}]
    question = {"id": "user-ceil", "title": "Pools that round up", "difficulty": 2,
                "prompt": "A C×H×W = 3×224×224 input goes through (padding per side):\n\n{_net}\n\nOutput shape, as C×H×W?",
                "solver": "network-output-shape", "params": {"input_shape": [3, 224, 224], "layers": layers},
                "answer": "96x27x27", "answer_type": "shape", "source": "by hand: (109 − 3)/2 + 1 = 54, ceil((54 − 3)/2) + 1 = 27"}
    (tmp_path / "ceil.yaml").write_text(yaml.safe_dump({"format_version": 1, "topic": "user-shapes", "questions": [question]},
                                                        sort_keys=False), encoding="utf-8")
    (q,) = load_bank([tmp_path]).questions.values()
    v = make_variant(q, 0)
    assert "3. MaxPool2d(3, stride=2, ceil_mode=True)" in v.prompt
    assert v.mistakes["rounded down in a ceil_mode pool"] == (96, 26, 26)
    assert [str(f) for f in check_question(q, 2)] == []


def test_the_ceil_mode_formula_is_the_window_count():
    from drill.core import formulas
    from drill.solvers.conv_shapes import axis_formula

    for n, k, s, p in GRID:
        assert formulas.value(axis_formula(n, k, s, p, 1, target=0, ceil_mode=True)) == _windows(n, k, s, p, True), (n, k, s, p)
