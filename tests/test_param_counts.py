"""Parameter counts: seed keys by hand, a NumPy reference builder, and PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

from drill.core.bank import load_bank
from drill.solvers import InvalidParams, get
from tests._torch import build, torch_or_skip
from tests.conftest import variants_of

PARAM_QUESTIONS = ["mlp-params", "conv-layer-params", "conv-5x5-params", "maxpool-params", "conv-pool-net-params"]
NETWORK_SOLVERS = ("network-params", "image-fc-params")
NETWORK_QUESTIONS = sorted(q.id for q in load_bank().questions.values() if q.solver in NETWORK_SOLVERS)


def _arr(*shape: int) -> np.ndarray:
    """An array of this shape that takes no memory (a broadcast view), so a 36M×100 weight is fine."""
    return np.broadcast_to(np.empty(()), shape)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def reference_param_arrays(layers: list[dict]) -> list[np.ndarray]:
    """The arrays PyTorch creates for each layer, with the shapes its docs give:

    Linear weight (out, in), bias (out); Conv2d weight (out, in/groups, kh, kw), bias (out);
    ConvTranspose2d weight (in, out/groups, kh, kw); BatchNorm/LayerNorm weight, bias;
    Embedding weight (num, dim); RNN/GRU/LSTM per layer and direction weight_ih (G·H, in),
    weight_hh (G·H, H), bias_ih (G·H), bias_hh (G·H); MultiheadAttention in_proj_weight (3E, E),
    in_proj_bias (3E), out_proj.weight (E, E), out_proj.bias (E); TransformerEncoderLayer =
    self_attn + linear1 (F, E) + linear2 (E, F) + norm1 + norm2.
    """
    arrays = []
    for layer in layers:
        t = layer["type"]
        bias = layer.get("bias", True)
        if t == "Linear":
            arrays.append(_arr(layer["out_features"], layer["in_features"]))
            if bias:
                arrays.append(_arr(layer["out_features"]))
        elif t in ("Conv2d", "ConvTranspose2d"):
            kh, kw = _pair(layer["kernel_size"])
            g = layer.get("groups", 1)
            if t == "Conv2d":
                arrays.append(_arr(layer["out_channels"], layer["in_channels"] // g, kh, kw))
            else:
                arrays.append(_arr(layer["in_channels"], layer["out_channels"] // g, kh, kw))
            if bias:
                arrays.append(_arr(layer["out_channels"]))
        elif t in ("BatchNorm1d", "BatchNorm2d"):
            arrays += [_arr(layer["num_features"]), _arr(layer["num_features"])]
        elif t == "LayerNorm":
            ns = layer["normalized_shape"]
            shape = tuple(ns) if isinstance(ns, list) else (ns,)
            arrays += [_arr(*shape)] + ([_arr(*shape)] if bias else [])
        elif t == "Embedding":
            arrays.append(_arr(layer["num_embeddings"], layer["embedding_dim"]))
        elif t in ("RNN", "GRU", "LSTM"):
            gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[t]
            h, dirs = layer["hidden_size"], 2 if layer.get("bidirectional") else 1
            for level in range(layer.get("num_layers", 1)):
                inp = layer["input_size"] if level == 0 else h * dirs
                for _ in range(dirs):
                    arrays += [_arr(gates * h, inp), _arr(gates * h, h)]
                    if bias:
                        arrays += [_arr(gates * h), _arr(gates * h)]
        elif t in ("MultiheadAttention", "TransformerEncoderLayer"):
            e = layer["embed_dim"] if t == "MultiheadAttention" else layer["d_model"]
            arrays += [_arr(3 * e, e), _arr(e, e)] + ([_arr(3 * e), _arr(e)] if bias else [])
            if t == "TransformerEncoderLayer":
                f = layer.get("dim_feedforward", 2048)
                arrays += [_arr(f, e), _arr(e, f), _arr(e), _arr(e)]  # linear1, linear2, norm1, norm2 weights
                if bias:
                    arrays += [_arr(f), _arr(e), _arr(e), _arr(e)]  # and their biases
    return arrays


def reference_count(layers: list[dict]) -> int:
    return sum(a.size for a in reference_param_arrays(layers))


def torch_count(layers: list[dict], buffers: bool = False) -> int:
    """Build each layer with torch.nn on the meta device (no memory) and count its parameters."""
    torch = torch_or_skip()
    n = 0
    with torch.device("meta"):
        for layer in layers:
            m = getattr(torch.nn, layer["type"])(**{k: v for k, v in layer.items() if k != "type"})
            n += sum(p.numel() for p in m.parameters() if p.requires_grad)
            if buffers:
                n += sum(b.numel() for name, b in m.named_buffers() if not name.endswith("num_batches_tracked"))
    return n


@pytest.mark.parametrize(
    "qid, key",
    [("mlp-params", 529411), ("conv-layer-params", 34944), ("conv-5x5-params", 1255), ("maxpool-params", 0), ("conv-pool-net-params", 20778)],
)
def test_seed_keys(bank, qid, key):
    q = bank.questions[qid]
    assert get(q.solver).solve(q.params) == key


def test_seed_key_arithmetic_written_out():
    # 003's own arithmetic, independent of any solver: 1024*2 + 1024 + 512*1024 + 512 + 512*3 + 3
    assert 1024 * 2 + 1024 + 512 * 1024 + 512 + 512 * 3 + 3 == 529411
    assert (11 * 11 * 3 + 1) * 96 == 34944
    assert 5 * 5 * 10 * 5 + 5 == 1255


@pytest.mark.parametrize("qid", NETWORK_QUESTIONS)
def test_solver_matches_reference_builder(bank, qid):
    assert set(PARAM_QUESTIONS) <= set(NETWORK_QUESTIONS)
    for v in variants_of(bank, qid, 40):
        assert v.answer == reference_count(v.params["layers"]), (qid, v.seed, v.params)


def test_forgot_biases_mistake_is_the_weight_count(bank):
    v = variants_of(bank, "conv-layer-params", 0)[0]
    assert v.mistakes["forgot the biases"] == 11 * 11 * 3 * 96
    assert v.grade("34848").mistake == "forgot the biases"


@pytest.mark.parametrize("qid", NETWORK_QUESTIONS)
def test_torch_parameter_count(bank, qid):
    for v in variants_of(bank, qid, 10):
        assert torch_count(v.params["layers"]) == v.answer, (qid, v.seed, v.params)


def test_torch_sequential_builds_the_conv_net(bank):
    torch = torch_or_skip()
    v = variants_of(bank, "conv-pool-net-params", 0)[0]
    model = build(v.params["layers"])
    assert model(torch.zeros(1, *v.params["input_shape"])).shape == (1, 10)
    assert sum(p.numel() for p in model.parameters()) == v.answer


# --- the families added for the whole bank ------------------------------------------------


@pytest.mark.parametrize(
    "qid, key",
    [
        ("conv-nobias-params", 5 * 5 * 3 * 2),
        ("conv-bn-params", 3 * 3 * 64 * 64 + 2 * 64),
        ("batchnorm-params", 2 * 64),
        ("grouped-conv-params", 5 * 5 * 48 * 256 + 256),
        ("depthwise-separable-params", 3 * 3 * 32 + 32 * 64),
        ("embedding-params", 50257 * 768),
        ("lstm-params", 25088),
        ("gru-params", 18816),
        ("embedding-lstm-classifier-params", 1675778),
        ("mha-params", 1050624),
        ("transformer-encoder-params", 3152384),
        ("residual-block-params", 73984),
        ("fc-image-params", 3600000100),
        ("dense-after-flatten-params", 1638912),
    ],
)
def test_new_seed_keys_by_hand(bank, qid, key):
    q = bank.questions[qid]
    assert get(q.solver).solve(q.params) == key


def test_new_keys_written_out():
    # Every key worked by hand, independent of the solvers and the reference builder.
    assert 4 * (64 * 32 + 64 * 64 + 2 * 64) == 25088 == 4 * 6272
    assert 3 * (64 * 32 + 64 * 64 + 2 * 64) == 18816
    assert 10000 * 128 + 395264 + 514 == 1675778
    assert 4 * 512**2 + 4 * 512 == 1050624
    assert 1050624 + (512 * 2048 + 2048 + 2048 * 512 + 512) + 2 * 2 * 512 == 3152384
    assert 2 * (36864 + 128) == 73984
    assert 12_000_000 * 3 * 100 + 100 == 3_600_000_100  # 003: "~36M elements × 100 = ~3.6B"
    assert 128 * 5 * 5 * 512 + 512 == 1638912
    assert 50257 * 768 == 38597376
    assert 18432 / 2336 == pytest.approx(7.8904, abs=1e-4)


def test_separable_ratio_matches_reference_builder(bank):
    for v in variants_of(bank, "separable-conv-ratio", 40):
        std = reference_count([v.params["standard"]])
        sep = reference_count(v.params["separable"])
        assert v.answer == pytest.approx(std / sep, rel=1e-12)
        k, cout = v.params["standard"]["kernel_size"], v.params["standard"]["out_channels"]
        assert v.answer == pytest.approx(1 / (1 / cout + 1 / k**2), rel=1e-12)  # MobileNet's closed form


def test_separable_ratio_torch(bank):
    for v in variants_of(bank, "separable-conv-ratio", 10):
        assert v.answer == pytest.approx(torch_count([v.params["standard"]]) / torch_count(v.params["separable"]), rel=1e-12)


def test_dense_after_flatten_matches_naive_shapes(bank):
    from tests.test_conv_shapes import naive_forward_shape

    for v in variants_of(bank, "dense-after-flatten-params", 30):
        convs, dense = v.params["layers"][:-2], v.params["layers"][-1]
        flat = int(np.prod(naive_forward_shape(v.params["input_shape"], convs)))
        assert v.answer == flat * dense["out_features"] + dense["out_features"] == reference_count([dense])
        assert "?" in v.prompt and f"Linear({flat}" not in v.prompt  # the flattened size is for the learner


def test_dense_after_flatten_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "dense-after-flatten-params", 5):
        model = build(v.params["layers"])  # runs only if in_features is the true flattened size
        assert model(torch.zeros(1, *v.params["input_shape"])).shape == (1, v.params["layers"][-1]["out_features"])
        assert sum(p.numel() for p in model[-1].parameters()) == v.answer


@pytest.mark.parametrize(
    "qid, answer, mistake",
    [
        ("lstm-params", "24832", "counted one bias vector per gate"),
        ("lstm-params", "18816", "used 3 gate blocks"),
        ("lstm-params", "8704", "forgot the recurrent weights"),
        ("gru-params", "18624", "counted one bias vector per gate"),
        ("gru-params", "25088", "used 4 gate blocks"),
        ("mha-params", "8404992", "multiplied the attention parameters by the number of heads"),
        ("mha-params", "787968", "forgot the attention's output projection"),
        ("transformer-encoder-params", "3150336", "forgot the LayerNorms"),
        ("batchnorm-params", "256", "counted the running mean and variance"),
        ("fc-image-params", "1200000100", "flattened only H×W (forgot the channels)"),
        ("fc-image-params", "3.6e9", "forgot the biases"),
        ("fc-image-params", "1.2e9", "forgot both the channels and the biases"),
        ("conv-nobias-params", "152", "added a bias per output though the layer has bias=False"),
        ("grouped-conv-params", str(5 * 5 * 96 * 256 + 256), "ignored groups"),
        ("depthwise-separable-params", str(3 * 3 * 32 * 32 + 32 * 64), "ignored groups"),
        ("residual-block-params", str(73984 + 64 * 64 + 64), "gave the skip connection weights"),
        ("residual-block-params", "73988", "counted the pooling window"),
        ("embedding-params", str(50257 * 768 + 768), "gave the embedding a bias"),
        ("separable-conv-ratio", "9", "forgot the depthwise conv's parameters"),
    ],
)
def test_classic_mistakes_are_named(bank, qid, answer, mistake):
    g = variants_of(bank, qid, 0)[0].grade(answer)
    assert g.status == "wrong" and g.mistake and g.mistake.startswith(mistake), (g.status, g.mistake)


def test_batchnorm_buffer_mistake_is_what_torch_stores(bank):
    # The classic 4C slip is exactly parameters + running mean/var buffers as torch keeps them.
    for v in variants_of(bank, "batchnorm-params", 10):
        name = next(n for n in v.mistakes if n.startswith("counted the running mean"))
        assert v.mistakes[name] == torch_count(v.params["layers"], buffers=True)


def test_rnn_one_bias_mistake_drops_one_bias_vector_per_gate(bank):
    for qid, gates in (("lstm-params", 4), ("gru-params", 3)):
        for v in variants_of(bank, qid, 10):
            name = next(n for n in v.mistakes if n.startswith("counted one bias vector per gate"))
            assert v.mistakes[name] == v.answer - gates * v.params["layers"][0]["hidden_size"]


def test_heads_do_not_change_mha_count():
    solve = get("network-params").solve
    counts = {solve({"input_shape": [4, 256], "layers": [{"type": "MultiheadAttention", "embed_dim": 256, "num_heads": h}]}) for h in (1, 2, 4, 8, 16)}
    assert counts == {4 * 256 * 256 + 4 * 256}


def test_skip_with_mismatched_shapes_is_refused():
    p = {"input_shape": [3, 8, 8], "layers": [{"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3}], "skips": [{"from": 0, "to": 0}]}
    with pytest.raises(InvalidParams, match="shapes differ"):
        get("network-params").solve(p)


def mobilenet_v2_chain() -> list[dict]:
    """torchvision's mobilenet_v2 written out module by module (its printed `features` and
    `classifier`, plus the Flatten its forward does): 143 layers."""
    conv = lambda cin, cout, k, s=1, p=0, g=1: {"type": "Conv2d", "in_channels": cin, "out_channels": cout,  # noqa: E731
                                              "kernel_size": k, "stride": s, "padding": p, "groups": g, "bias": False}
    bn = lambda c: {"type": "BatchNorm2d", "num_features": c}  # noqa: E731
    relu6 = {"type": "ReLU6"}
    layers = [conv(3, 32, 3, 2, 1), bn(32), relu6]
    cin = 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            hidden = cin * t
            if t != 1:
                layers += [conv(cin, hidden, 1), bn(hidden), relu6]
            layers += [conv(hidden, hidden, 3, s if i == 0 else 1, 1, hidden), bn(hidden), relu6, conv(hidden, c, 1), bn(c)]
            cin = c
    layers += [conv(320, 1280, 1), bn(1280), relu6, {"type": "AdaptiveAvgPool2d", "output_size": 1}, {"type": "Flatten"},
               {"type": "Dropout", "p": 0.2}, {"type": "Linear", "in_features": 1280, "out_features": 1000}]
    return layers


def test_a_real_network_written_out_layer_by_layer_loads_and_solves(tmp_path):
    import yaml

    from drill.core.bank import load_file
    from drill.core.variants import make_variant

    layers = mobilenet_v2_chain()
    assert len(layers) == 143 and reference_count(layers) == 3_504_872  # torchvision's num_params for MobileNet_V2
    question = {"id": "mobilenet-chain", "title": "MobileNetV2 written out", "difficulty": 3,
                "prompt": "How many parameters has MobileNetV2 ({_net})?", "solver": "network-params",
                "params": {"input_shape": [3, 224, 224], "layers": layers}, "answer": 3504872, "answer_type": "integer",
                "source": "torchvision MobileNet_V2_Weights.IMAGENET1K_V1.meta['num_params'] = 3504872"}
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump({"format_version": 1, "topic": "user-chain", "questions": [question]}))
    questions, errors = load_file(path)
    assert errors == [] and len(questions) == 1
    assert make_variant(questions[0], 0).answer == 3_504_872


def test_an_optional_reference_that_cannot_load_skips_and_says_why(tmp_path, monkeypatch):
    """torchvision beside a CPU-only torch raises RuntimeError on import: the cross-check skips."""
    from tests._torch import optional

    (tmp_path / "broken_reference_lib.py").write_text('raise RuntimeError("operator torchvision::nms does not exist")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(pytest.skip.Exception) as info:
        optional("broken_reference_lib", "broken_reference_lib")
    assert "cannot be imported (RuntimeError: operator torchvision::nms does not exist)" in str(info.value)
    with pytest.raises(pytest.skip.Exception) as info:
        optional("no_such_reference_lib", "no_such_reference_lib")
    assert "not installed" in str(info.value)
    assert optional("json", "json").dumps([1]) == "[1]"
