"""The independent oracle for the model zoo (issue 14) and for every layer chain in the bank.

a. Each published figure against torch's own ``numel()`` of the model built module by module in
   ``tests/_zoo_torch.py`` (and, when transformers is installed, its model classes on the meta device).
b. Each zoo bank question's canonical key against that torch-built count, and the randomized
   architecture questions (ResNet stages, VGG depths, MobileNetV2 widths, Llama/BERT/GPT-2 configs,
   dense block, Inception module) rebuilt from each variant's numbers with the same builders and
   measured by torch (params, shapes, hook MACs, FlopCounterMode FLOPs, activation elements);
   a missing zoo question fails (it is not skipped).
c. Every existing bank question whose params hold a ``layers:`` chain, over its canonical variant and
   20 random ones: torch.nn's parameter counts, a meta-device forward's output shape, and (for
   receptive-field questions) torch autograd's receptive field, against drill's key.
d. Llama-style decoder counts from Hugging Face config dicts (``hf_param_count``).
Nothing here calls drill's solver for a figure it then checks against itself.
"""

from __future__ import annotations

import math
import random

import pytest

from drill.core.bank import load_bank
from tests._torch import optional
from tests.conftest import variants_of

torch = optional("torch", "PyTorch", module_level=True)

from tests import _zoo_torch as zoo  # noqa: E402  (imports torch: only after the skip)

# mlp-params ends in nn.Softmax() without dim, as written in the bank; torch warns about the implicit dim.
pytestmark = pytest.mark.filterwarnings("ignore:Implicit dimension choice for softmax")

N_RANDOM = 20  # random variants per layer-chain question, besides the canonical one
N_RANDOM_ZOO = 10  # whole models per variant: fewer draws, and each distinct model is built once

# --- a. published figures ------------------------------------------------------------------

PUBLISHED_PARAMS = {
    # torchvision weight metadata, meta["num_params"] of each *_Weights.IMAGENET1K_V1
    # (torchvision/models/{alexnet,vgg,resnet,mobilenetv2,densenet,googlenet}.py):
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,  # IMAGENET1K_V1 and V2 alike
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "mobilenetv2": 3_504_872,  # mobilenetv2.py _COMMON_META
    "densenet121": 7_978_856,
    "googlenet": 6_624_904,  # published without the two auxiliary classifiers
    # Worked by hand from the papers:
    "lenet5": 156 + 2_416 + 48_120 + 10_164 + 850,  # = 61,706 (common full-C3 variant, see zoo.lenet5)
    "alexnet-paper-conv1": 11 * 11 * 3 * 96 + 96,  # = 34,944, Krizhevsky et al. 2012, conv1
    # DenseNet-121 block 1 (Huang et al. 2017 Table 1; torchvision _DenseBlock): layer i on 64+32i maps:
    # BN 2(64+32i) + 1x1 conv (64+32i)·128 + BN 2·128 + 3x3 conv 9·128·32, summed over i = 0..5.
    "densenet121-block1": sum(2 * c + c * 128 + 256 + 9 * 128 * 32 for c in range(64, 256, 32)),  # 335,040
    # GoogLeNet inception(3a), Szegedy et al. 2014 Table 1 (#1x1 64, #3x3red 96, #3x3 128, #5x5red 16,
    # #5x5 32, pool proj 32 on 192 maps): 163,328 weights + 368 biases.
    "inception3a-paper": (192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32) + (64 + 96 + 128 + 16 + 32 + 32),
    # torchvision's inception3a: BasicConv2d (no conv bias, BN γ,β) and a 3x3 kernel in its "5x5" branch.
    "inception3a": (192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 9 * 16 * 32 + 192 * 32) + 2 * (64 + 96 + 128 + 16 + 32 + 32),
    # Hugging Face: safetensors parameter totals on the model pages (openai-community/gpt2 "124M params",
    # google-bert/bert-base-uncased "110M", meta-llama/Llama-2-7b-hf "6.74B", TinyLlama-1.1B "1.1B",
    # mistralai/Mistral-7B-v0.1 "7.24B"), exactly as transformers' classes build them (checked below).
    "gpt2-small": 124_439_808,  # lm_head tied to wte: counted once
    "bert-base": 109_482_240,  # BertModel default: INCLUDES the pooler (768·768 + 768 = 590,592)
    "llama2-7b": 6_738_415_616,
    "tinyllama-1.1b": 1_100_048_384,
    "mistral-7b": 7_241_732_096,
}

# torchvision weight metadata meta["_ops"] (GFLOPS as torchvision counts them: conv/linear
# multiply-accumulates of one 224x224 image), to the digits published.
PUBLISHED_GMACS = {
    "alexnet": 0.714, "vgg16": 15.47, "resnet18": 1.814, "resnet50": 4.089,
    "mobilenetv2": 0.301, "densenet121": 2.834, "googlenet": 1.498,
}

OUTPUT_SHAPES = {
    "lenet5": (10,), "alexnet": (1000,), "alexnet-paper-conv1": (96, 55, 55), "vgg16": (1000,),
    "resnet18": (1000,), "resnet50": (1000,), "mobilenetv2": (1000,), "densenet121": (1000,),
    "densenet121-block1": (256, 56, 56),  # 64 + 6·32 channels, size kept (torchvision: 256 into transition1)
    "resnet152": (1000,), "vgg19": (1000,),
    "googlenet": (1000,), "inception3a": (256, 28, 28), "inception3a-paper": (256, 28, 28),  # 64+128+32+32
    "gpt2-small": (1024, 50257), "bert-base": (768,), "llama2-7b": (16, 32000),
}


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny CPU ops (the receptive-field autograd, short RNNs) run ~10x faster without intra-op threads."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def models():
    return {}


def _model(models, name):
    if name not in models:
        models[name] = zoo.build(name)
    return models[name]


def test_the_zoo_covers_every_published_figure():
    assert set(PUBLISHED_PARAMS) == set(zoo.NAMES)
    assert PUBLISHED_PARAMS["lenet5"] == 61_706 and PUBLISHED_PARAMS["alexnet-paper-conv1"] == 34_944
    assert PUBLISHED_PARAMS["densenet121-block1"] == 335_040
    assert PUBLISHED_PARAMS["inception3a-paper"] == 163_696
    assert PUBLISHED_PARAMS["inception3a"] == 155_872


@pytest.mark.parametrize("name", zoo.NAMES)
def test_published_param_count(models, name):
    assert zoo.params(_model(models, name)) == PUBLISHED_PARAMS[name]


@pytest.mark.parametrize("name", sorted(OUTPUT_SHAPES))
def test_output_shape(models, name):
    assert zoo.output_shape(name, model=_model(models, name)) == OUTPUT_SHAPES[name]


@pytest.mark.parametrize("name", sorted(PUBLISHED_GMACS))
def test_macs_match_torchvision_ops(models, name):
    digits = len(str(PUBLISHED_GMACS[name]).split(".")[1])
    assert round(zoo.macs(name, _model(models, name)) / 1e9, digits) == PUBLISHED_GMACS[name]


def test_macs_by_hand():
    # conv1 of the paper: 55·55·96 outputs, each 11·11·3 multiply-adds.
    assert zoo.macs("alexnet-paper-conv1") == 55 * 55 * 96 * 11 * 11 * 3 == 105_415_200
    # LeNet-5: C1 28·28·6·25, C3 10·10·16·150, then 400·120 + 120·84 + 84·10.
    assert zoo.macs("lenet5") == 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10


def test_block_macs_by_hand():
    # Dense block 1 on 56x56: each layer's 1x1 conv (c·128) and 3x3 conv (9·128·32) at every pixel.
    assert zoo.macs("densenet121-block1") == 56 * 56 * sum(c * 128 + 9 * 128 * 32 for c in range(64, 256, 32)) == 1_040_449_536
    # inception(3a) on 28x28: every conv weight once per pixel (all branches keep 28x28).
    weights = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
    assert zoo.macs("inception3a-paper") == 28 * 28 * weights == 128_049_152  # Szegedy et al. Table 1: "128M" ops
    assert zoo.macs("inception3a") == 28 * 28 * (weights - 16 * 16 * 32) == 121_626_624  # torchvision's 3x3 "5x5"


def test_where_the_parameters_live(models):
    # Figures interviewers ask for, each from torch's modules.
    gpt2 = _model(models, "gpt2-small")
    assert gpt2.wte.weight.numel() == 50257 * 768 and gpt2.wpe.weight.numel() == 1024 * 768
    assert gpt2.lm_head.weight is gpt2.wte.weight  # tied: the head adds nothing
    untied = zoo.params(gpt2) + 50257 * 768
    with torch.device("meta"):
        assert zoo.params(zoo.GPT2LM(tie=False)) == untied == 163_037_184
    bert = _model(models, "bert-base")
    assert zoo.params(bert) - zoo.params(bert.pooler) == 108_891_648  # BERT-base without the pooler
    alex = _model(models, "alexnet")
    fc1 = alex[3][1]
    assert zoo.params(fc1) == 9216 * 4096 + 4096 == 37_752_832  # the first FC: 61.8 % of AlexNet
    vgg = _model(models, "vgg16")
    assert zoo.params(vgg[3][0]) == 25088 * 4096 + 4096 == 102_764_544  # VGG-16's first FC
    assert zoo.params(vgg[0]) == 14_714_688  # all 13 convolutions
    r18 = _model(models, "resnet18")
    assert [zoo.params(r18[i]) for i in range(1, 5)] == [147_968, 525_568, 2_099_712, 8_393_728]
    llama = _model(models, "llama2-7b")
    assert zoo.params(llama.layers[0]) == 4 * 4096**2 + 3 * 4096 * 11008 + 2 * 4096 == 202_383_360


def test_output_shape_of_another_input():
    assert zoo.output_shape("alexnet-paper-conv1", (3, 224, 224)) == (96, 54, 54)  # floor((224 - 11) / 4) + 1
    assert zoo.output_shape("inception3a", (192, 14, 14)) == (256, 14, 14)
    assert zoo.output_shape("densenet121-block1", (64, 28, 28)) == (256, 28, 28)
    assert zoo.output_shape("resnet18", (3, 160, 160)) == (1000,)  # the adaptive pool takes any size
    assert zoo.output_shape("gpt2-small", (7,)) == (7, 50257)


def test_stage_shapes_of_resnet18(models):
    m = _model(models, "resnet18")
    x = zoo.example_input("resnet18")
    shapes = []
    with torch.no_grad():
        for child in list(m)[:5]:
            x = child(x)
            shapes.append(tuple(x.shape[1:]))
    assert shapes == [(64, 56, 56), (64, 56, 56), (128, 28, 28), (256, 14, 14), (512, 7, 7)]


# --- a'. transformers' own classes (optional) ---------------------------------------------------


@pytest.fixture(scope="module")
def transformers():
    return optional("transformers", "transformers")


def _numels(m):
    return sorted(p.numel() for p in m.parameters())


def test_transformers_classes_match_the_plain_builders(transformers, models):
    with torch.device("meta"):
        hf = {
            "gpt2-small": transformers.GPT2LMHeadModel(transformers.GPT2Config()),
            "bert-base": transformers.BertModel(transformers.BertConfig()),
            "llama2-7b": transformers.LlamaForCausalLM(transformers.LlamaConfig(**zoo.LLAMA2_7B)),
            "mistral-7b": transformers.MistralForCausalLM(transformers.MistralConfig(**zoo.MISTRAL_7B)),
            "tinyllama-1.1b": transformers.LlamaForCausalLM(transformers.LlamaConfig(**zoo.TINYLLAMA_1_1B)),
        }
    for name, m in hf.items():
        assert zoo.params(m) == PUBLISHED_PARAMS[name], name
        # Same tensors, not just the same total (HF's Conv1D stores Linear's weight transposed).
        assert _numels(m) == _numels(_model(models, name)), name
    assert hf["gpt2-small"].lm_head.weight is hf["gpt2-small"].transformer.wte.weight


# --- d. hf_param_count -----------------------------------------------------------------------

HF_CONFIGS = [("llama2-7b", zoo.LLAMA2_7B), ("tinyllama-1.1b", zoo.TINYLLAMA_1_1B), ("mistral-7b", zoo.MISTRAL_7B)]


@pytest.mark.parametrize("name, config", HF_CONFIGS)
def test_hf_param_count_plain_torch(name, config):
    assert zoo.hf_param_count(config, use_transformers=False) == PUBLISHED_PARAMS[name]
    assert zoo.params(zoo.llama_decoder(**config)) == PUBLISHED_PARAMS[name]  # the zoo's own Llama modules


@pytest.mark.parametrize("name, config", HF_CONFIGS)
def test_hf_param_count_transformers(transformers, name, config):
    assert zoo.hf_param_count(config, use_transformers=True) == PUBLISHED_PARAMS[name]


def test_hf_param_count_gpt2_config():
    assert zoo.hf_param_count({"model_type": "gpt2"}, use_transformers=False) == 124_439_808
    gpt2 = {"vocab_size": 50257, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
            "intermediate_size": 3072, "max_position_embeddings": 1024, "tie_word_embeddings": True,
            "mlp": "gelu", "norm": "layernorm", "bias": "all", "position_embedding": "learned"}
    assert zoo.hf_param_count(gpt2, use_transformers=False) == 124_439_808


# Hugging Face safetensors totals of more public checkpoints (config.json fields as published).
MORE_DECODERS = [
    (dict(vocab_size=32000, hidden_size=5120, num_hidden_layers=40, num_attention_heads=40, num_key_value_heads=40,
          intermediate_size=13824), 13_015_864_320),  # meta-llama/Llama-2-13b-hf
    (dict(vocab_size=32000, hidden_size=8192, num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8,
          intermediate_size=28672), 68_976_648_192),  # meta-llama/Llama-2-70b-hf
    (dict(vocab_size=128256, hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
          intermediate_size=14336), 8_030_261_248),  # meta-llama/Meta-Llama-3-8B
    (dict(vocab_size=152064, hidden_size=3584, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4,
          intermediate_size=18944, bias="qkv"), 7_615_616_512),  # Qwen/Qwen2.5-7B (q/k/v biases)
    (dict(vocab_size=151936, hidden_size=896, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
          intermediate_size=4864, bias="qkv", tie_word_embeddings=True), 494_032_768),  # Qwen/Qwen2.5-0.5B
]


@pytest.mark.parametrize("config, published", MORE_DECODERS)
def test_hf_param_count_more_published_decoders(config, published):
    assert zoo.hf_param_count(config, use_transformers=False) == published


def _random_arch(rng, hf_only):
    heads = rng.choice([4, 8, 16])
    cfg = dict(vocab_size=rng.randrange(1000, 60000), hidden_size=heads * rng.choice([16, 32, 64]),
               num_hidden_layers=rng.randrange(1, 6), num_attention_heads=heads,
               num_key_value_heads=rng.choice([k for k in (1, 2, 4, 8, 16) if heads % k == 0]),
               intermediate_size=rng.randrange(64, 4096), tie_word_embeddings=rng.random() < 0.5,
               max_position_embeddings=rng.choice([128, 512, 2048]))
    kind = rng.choice(["llama", "llama-bias", "qwen2", "gpt2"] + ([] if hf_only else ["mixed"]))
    if kind == "llama-bias":
        cfg.update(attention_bias=True, mlp_bias=rng.random() < 0.5)
    elif kind == "qwen2":
        cfg.update(bias="qkv")
    elif kind == "gpt2":
        cfg.update(num_key_value_heads=heads, mlp="gelu", norm="layernorm", bias="all", position_embedding="learned")
    elif kind == "mixed":
        cfg.update(mlp=rng.choice(["swiglu", "gelu"]), norm=rng.choice(["rmsnorm", "layernorm"]),
                   bias=rng.choice(["none", "qkv", "all"]), position_embedding=rng.choice(["rope", "learned"]))
    if kind != "gpt2" and rng.random() < 0.3:
        cfg["head_dim"] = rng.choice([16, 48, 128])  # decoupled from hidden_size / heads
    return cfg


def test_hf_param_count_random_configs_agree(transformers):
    rng = random.Random(14)
    for _ in range(12):
        cfg = _random_arch(rng, hf_only=True)
        assert zoo.hf_model(cfg) is not None, cfg
        assert zoo.hf_param_count(cfg, use_transformers=False) == zoo.hf_param_count(cfg, use_transformers=True), cfg


def test_plain_decoder_by_hand():
    # SwiGLU, LayerNorm, all biases, learned positions, tied: no transformers class; worked by hand.
    v, d, n, h, kv, f, t = 1000, 64, 2, 4, 2, 160, 128
    hd = d // h
    cfg = dict(vocab_size=v, hidden_size=d, num_hidden_layers=n, num_attention_heads=h, num_key_value_heads=kv,
               intermediate_size=f, max_position_embeddings=t, tie_word_embeddings=True,
               mlp="swiglu", norm="layernorm", bias="all", position_embedding="learned")
    attn = d * h * hd + h * hd + 2 * (d * kv * hd + kv * hd) + h * hd * d + d
    mlp = 2 * (d * f + f) + f * d + d
    assert zoo.hf_param_count(cfg, use_transformers=False) == v * d + t * d + n * (attn + mlp + 4 * d) + 2 * d


LLM_QUESTIONS = ["llm-params-llama", "llm-params-gpt2", "llm-params-general"]


@pytest.mark.parametrize("qid", LLM_QUESTIONS)
def test_llm_param_questions_against_torch(bank, qid):
    """The llm helper's decoder-count questions: every variant's config, built in torch."""
    if qid not in bank.questions:
        pytest.fail(f"{qid} is not in the bank: its zoo cross-check cannot run")
    seen = {}
    for v in variants_of(bank, qid, N_RANDOM_ZOO):
        key = repr(v.params["config"])
        if key not in seen:
            seen[key] = zoo.hf_param_count(v.params["config"], use_transformers=False)
        assert v.answer == seen[key], (qid, v.seed, v.params["config"], v.answer, seen[key])


# --- b. the zoo questions in the bank -------------------------------------------------------

ZOO_QUESTIONS = {
    "zoo-lenet5-params": "lenet5",
    "zoo-alexnet-params": "alexnet",
    "zoo-alexnet-conv1-params": "alexnet-paper-conv1",
    "zoo-vgg16-params": "vgg16",
    "zoo-resnet18-params": "resnet18",
    "zoo-resnet50-params": "resnet50",
    "zoo-mobilenetv2-params": "mobilenetv2",
    "zoo-gpt2-small-params": "gpt2-small",
    "zoo-bert-base-params": "bert-base",
    "zoo-llama2-7b-params": "llama2-7b",
}


@pytest.mark.parametrize("qid", sorted(ZOO_QUESTIONS))
def test_zoo_question_canonical_key_is_torchs_count(bank, models, qid):
    if qid not in bank.questions:
        pytest.fail(f"{qid} is not in the bank: its zoo cross-check cannot run")
    v = variants_of(bank, qid, 0)[0]
    assert v.answer == zoo.params(_model(models, ZOO_QUESTIONS[qid])), (qid, v.answer)


# --- b'. the zoo's randomized questions, rebuilt from each variant's numbers ------------------
# Each variant's params name a model and its numbers (depth, width, vocabulary, ...); the model is
# rebuilt here with the builders above and measured by torch. Skipped while a question is absent.

STAGE = {"layer1": 1, "layer2": 2, "layer3": 3, "layer4": 4}
BYTES = {"fp32": 4, "fp16": 2, "bf16": 2}


def _meta_build(fn, *args, **kw):
    with torch.device("meta"):
        return fn(*args, **kw).eval()


def _resnet(cfg):
    """The prompts describe torchvision's BasicBlock ResNet ([2,2,2,2] = 18, [3,4,6,3] = 34) at a base width."""
    return _meta_build(zoo.resnet, zoo.BasicBlock, tuple(cfg.get("layers", (2, 2, 2, 2))), width=cfg.get("width", 64))


def _image(size):
    return torch.zeros(1, 3, size, size, device="meta")


def _resnet_stage_params(p):
    return zoo.params(_resnet(p["config"])[STAGE[p["part"]]])


def _resnet_stage_output_shape(p):
    m, x = _resnet(p["config"]), _image(p["config"]["size"])
    with torch.no_grad():
        for child in list(m)[: STAGE[p["part"]] + 1]:
            x = child(x)
    return tuple(x.shape[1:])


def _resnet_block_macs(p):
    stage, block = p["part"].split(".")
    m = _resnet(p["config"])
    with torch.no_grad():
        x = _image(p["config"]["size"])
        for child in list(m)[: STAGE[stage]]:
            x = child(x)
        for b in list(m[STAGE[stage]])[: int(block)]:
            x = b(x)
    return {"MACs": 1, "FLOPs": 2}[p["count"]] * zoo.count_macs(m[STAGE[stage]][int(block)], x)


def _vgg(cfg):
    return _meta_build(zoo.vgg, cfg["depth"], cfg.get("classes", 1000))


def _vgg_params(p):
    return zoo.params(_vgg(p["config"]))


def _vgg_fc_share(p):
    m = _vgg(p["config"])
    fc = {"fc1": m[3][0], "fc2": m[3][3], "fc3": m[3][6]}[p["part"]]
    return 100 * zoo.params(fc) / zoo.params(m)


def _vgg_activation_mb(p):
    """Every leaf module's output kept (each conv, ReLU, pool, the adaptive pool, Flatten, Linear, ReLU,
    Dropout), the input not: elements counted by forward hooks, times bytes per value, in 10^6 bytes."""
    m = _vgg(p["config"])
    total = 0

    def hook(mod, inp, out):
        nonlocal total
        total += out.numel()

    leaves = [mod for mod in m.modules() if not list(mod.children())]
    handles = [mod.register_forward_hook(hook) for mod in leaves]
    with torch.no_grad():
        m(_image(p["config"].get("size", 224)))
    for h in handles:
        h.remove()
    return total * BYTES[p.get("dtype", "fp32")] / 1e6


def _vgg_largest_layer(p, v):
    m = _vgg(p["config"])
    biggest = max((mod for mod in m.modules() if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear))), key=zoo.params)
    chosen = v.choices["ABCDEFGH".index(v.answer)] if isinstance(v.answer, str) else v.answer
    if isinstance(biggest, torch.nn.Linear):
        return chosen.endswith(f"Linear({biggest.in_features}, {biggest.out_features})")
    return f"Conv2d({biggest.in_channels}, {biggest.out_channels}," in chosen


def _mobilenet_params(p):
    return zoo.params(_meta_build(zoo.mobilenet_v2, p["config"]["width_mult"]))


def _llama_params(p):
    c = p["config"]
    return zoo.params(_meta_build(zoo.LlamaDecoder, c["vocab"], c["d_model"], c["layers"], c["heads"],
                                  c.get("kv_heads", c["heads"]), c["ff"], tie=c.get("tie", False)))


def _bert_params(p):
    c = p["config"]
    return zoo.params(_meta_build(zoo.Bert, c["vocab"], c.get("positions", 512), c.get("type_vocab", 2),
                                  c["d_model"], c["layers"], c["heads"], c["ff"]))


def _gpt2(c):
    return _meta_build(zoo.GPT2LM, c["vocab"], c["n_ctx"], c["d_model"], c["layers"], c["heads"])


def _gpt2_params(p):
    return zoo.params(_gpt2(p["config"]))


def _gpt2_embedding_share(p):
    m = _gpt2(p["config"])
    return 100 * sum(zoo.params(getattr(m, name)) for name in p["part"]) / zoo.params(m)


def _gpt2_block_flops(p):
    """torch's FlopCounterMode over one block on the meta device (matmuls and attention; 2 FLOPs per MAC)."""
    from torch.utils.flop_counter import FlopCounterMode

    c = p["config"]
    block = _meta_build(zoo.GPT2Block, c["d_model"], c["heads"], 4 * c["d_model"])
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        block(torch.zeros(1, c["seq"], c["d_model"], device="meta"))
    return counter.get_total_flops() // {"MACs": 2, "FLOPs": 1}[p.get("count", "FLOPs")]


def _dense_block(p):
    (block,) = p["graph"]
    conv1, conv2 = block["body"][2], block["body"][5]
    assert (conv1["kernel_size"], conv2["kernel_size"], conv2.get("padding")) == (1, 3, 1), block
    growth, mid = conv2["out_channels"], conv1["out_channels"]
    assert mid % growth == 0, block
    return _meta_build(zoo.dense_block, block["repeat"], p["input_shape"][0], growth, mid // growth)


def _inception(p):
    g = {node["name"]: node for node in p["graph"]}
    kernels = [g[n]["kernel_size"] for n in ("b1", "b2_reduce", "b2", "b3_reduce", "b3", "b4")]
    assert kernels == [1, 1, 3, 1, 5, 1] and g["b4_pool"]["type"] == "MaxPool2d", kernels  # the paper's module
    chans = [g[n]["out_channels"] for n in ("b1", "b2_reduce", "b2", "b3_reduce", "b3", "b4")]
    return _meta_build(zoo.inception, p["input_shape"][0], *chans, paper=True)


def _shape_of(model, p):
    with torch.no_grad():
        return tuple(model(torch.zeros(1, *p["input_shape"], device="meta")).shape[1:])


RANDOMIZED_ZOO = {
    "resnet-stage-params": _resnet_stage_params,
    "resnet-stage-output-shape": _resnet_stage_output_shape,
    "resnet-block-macs": _resnet_block_macs,
    "vgg-fc1-share": _vgg_fc_share,
    "vgg16-params-estimate": _vgg_params,
    "vgg16-activation-memory": _vgg_activation_mb,
    "mobilenetv2-width-params": _mobilenet_params,
    "llama-gqa-params": _llama_params,
    "bert-large-params": _bert_params,
    "gpt2-embedding-share": _gpt2_embedding_share,
    "gpt3-params-estimate": _gpt2_params,
    "gpt2-block-flops": _gpt2_block_flops,
    "dense-block-params": lambda p: zoo.params(_dense_block(p)),
    "dense-block-output-shape": lambda p: _shape_of(_dense_block(p), p),
    "inception-module-params": lambda p: zoo.params(_inception(p)),
    "inception-module-output-shape": lambda p: _shape_of(_inception(p), p),
}


@pytest.mark.parametrize("qid", sorted(RANDOMIZED_ZOO))
def test_randomized_zoo_question_against_torch(bank, qid):
    if qid not in bank.questions:
        pytest.fail(f"{qid} is not in the bank: its zoo cross-check cannot run")
    seen = {}
    for v in variants_of(bank, qid, N_RANDOM_ZOO):
        key = repr(v.params)
        if key not in seen:
            seen[key] = RANDOMIZED_ZOO[qid](v.params)
        expected = seen[key]
        if isinstance(expected, tuple):
            assert tuple(v.answer) == expected, (qid, v.seed, v.params, v.answer, expected)
        elif isinstance(expected, float):
            assert v.answer == pytest.approx(expected, rel=1e-9), (qid, v.seed, v.params, v.answer, expected)
        else:
            assert v.answer == expected, (qid, v.seed, v.params, v.answer, expected)


def test_vgg_largest_layer_against_torch(bank):
    if "vgg-largest-layer" not in bank.questions:
        pytest.fail("vgg-largest-layer is not in the bank: its zoo cross-check cannot run")
    for v in variants_of(bank, "vgg-largest-layer", N_RANDOM_ZOO):
        assert _vgg_largest_layer(v.params, v), (v.seed, v.params, v.answer, v.choices)


def test_randomized_rebuilders_by_hand():
    # The rebuilders reproduce the published figures at the published settings.
    assert _resnet_stage_params({"config": {"layers": [2, 2, 2, 2], "width": 64}, "part": "layer3"}) == 2_099_712
    assert _vgg_params({"config": {"depth": 16}}) == 138_357_544
    assert _mobilenet_params({"config": {"width_mult": 1.0}}) == 3_504_872
    assert _llama_params({"config": {"vocab": 32000, "d_model": 2048, "layers": 22, "heads": 32, "kv_heads": 4, "ff": 5632}}) == 1_100_048_384
    assert _bert_params({"config": {"vocab": 30522, "d_model": 768, "layers": 12, "heads": 12, "ff": 3072}}) == 109_482_240
    # BERT-large (Devlin et al. 2019: "340M"; Hugging Face BertModel with the pooler: 335,141,888).
    assert _bert_params({"config": {"vocab": 30522, "d_model": 1024, "layers": 24, "heads": 16, "ff": 4096}}) == 335_141_888
    # GPT-3 175B (Brown et al. 2020, Table 2.1: 96 layers, d_model 12288, 2048 context) in the GPT-2 design.
    assert _gpt2_params({"config": {"vocab": 50257, "n_ctx": 2048, "d_model": 12288, "layers": 96, "heads": 96}}) == 174_604_259_328
    # One GPT-2 block on T tokens: 12·T·d² projection MACs + 2·T²·d attention MACs, 2 FLOPs each.
    t, d = 1024, 768
    assert _gpt2_block_flops({"config": {"d_model": d, "heads": 12, "seq": t}, "count": "FLOPs"}) == 2 * (12 * t * d * d + 2 * t * t * d)
    # ResNet-18 layer1.0 on 56x56: two 3x3 64->64 convs.
    assert _resnet_block_macs({"config": {"width": 64, "size": 224}, "part": "layer1.0", "count": "MACs"}) == 2 * 56 * 56 * 64 * 64 * 9
    # 299 px: stem 150 -> pool 75 -> layer2 38 -> layer3 19 -> layer4 10 (floor((n + 2 - 3) / 2) + 1 each).
    assert _resnet_stage_output_shape({"config": {"width": 64, "size": 299}, "part": "layer4"}) == (512, 10, 10)


# --- c. every layer chain in the existing bank ------------------------------------------------

_BANK = load_bank()
CHAIN_QUESTIONS = sorted(
    q.id for q in _BANK.questions.values()
    if isinstance(q.params.get("layers"), list) and q.params["layers"] and isinstance(q.params["layers"][0], dict)
)
LAYER_QUESTIONS = sorted(q.id for q in _BANK.questions.values() if isinstance(q.params.get("layer"), dict) and "type" in q.params["layer"])
PARAM_SOLVERS = {"network-params", "image-fc-params", "dense-after-flatten-params"}
SHAPE_SOLVERS = {"network-output-shape", "flatten-size"}
RF_SOLVERS = {"receptive-field", "receptive-field-jump", "receptive-field-center"}
SEQUENCE_LAYERS = {"LSTM", "GRU", "RNN"}
GRAPH_KEYS = {"name", "inputs", "input", "repeat", "tie", "tied_to", "share", "op", "layers", "nodes"}


def torch_layer(spec: dict):
    """torch.nn.<type>(**args): the spec's keys are the constructor's argument names."""
    args = {k: v for k, v in spec.items() if k != "type"}
    if spec["type"] == "Embedding":
        return zoo.embedding(**args)
    return getattr(torch.nn, spec["type"])(**args)


def torch_chain(input_shape, layers, skips=()):
    """Build each spec with torch.nn on the meta device and run one example through the chain.

    Returns (parameters per layer, output shape without the batch). Images get a batch of 1
    (Flatten and BatchNorm2d need it); sequences run unbatched. RNNs yield their output sequence;
    attention is self-attention. A skip ``{from: i, to: j}`` adds layer i's input to layer j's output.
    Chains with an RNN run on the CPU (torch's meta-device RNN is slow) over 2 time steps, not T:
    the time axis passes through (asserted), so the shape is reported with T put back.
    """
    batched = len(input_shape) == 3
    counts, saved = [], {}
    rnn = any(spec["type"] in SEQUENCE_LAYERS for spec in layers)
    steps = list(input_shape)
    if rnn:
        steps[0] = 2
    with torch.device("cpu" if rnn else "meta"):
        dtype = torch.long if layers[0]["type"] == "Embedding" else torch.float32
        x = torch.zeros(*((1,) if batched else ()), *steps, dtype=dtype)
        with torch.no_grad():
            for i, spec in enumerate(layers):
                m = torch_layer(spec).eval()
                counts.append(sum(p.numel() for p in m.parameters() if p.requires_grad))
                saved[i] = x
                if spec["type"] in SEQUENCE_LAYERS:
                    x = m(x)[0]
                elif spec["type"] == "MultiheadAttention":
                    x = m(x, x, x)[0]
                else:
                    x = m(x)
                for s in skips:
                    if s["to"] == i:
                        x = x + saved[s["from"]]
    shape = tuple(x.shape[1:] if batched else x.shape)
    if rnn:
        assert shape[0] == 2, shape
        shape = (input_shape[0], *shape[1:])
    return counts, shape


def _axis(v, i=0):
    return v if isinstance(v, (int, str)) else v[i]


def torch_receptive_field(layers):
    """(size, jump, centre of output 0) along one axis, from torch autograd on a 1-D analogue.

    Each conv becomes Conv1d(1, 1) with all-ones weights and the spec's kernel, stride, padding and
    dilation; each pool an AvgPool1d of the same window (every input in a window gets gradient, unlike
    max). The gradient of one interior output unit u is non-zero exactly on its receptive field; its
    neighbour u+1 gives the jump; output 0's field (padded positions included) is u's shifted by u·jump.
    """
    mods = []
    for spec in layers:
        k, s, p = _axis(spec["kernel_size"]), spec.get("stride"), _axis(spec.get("padding", 0))
        if spec["type"] == "Conv2d":
            c = torch.nn.Conv1d(1, 1, k, stride=_axis(s or 1), padding=p, dilation=_axis(spec.get("dilation", 1)), bias=False)
            torch.nn.init.ones_(c.weight)
            mods.append(c)
        elif spec["type"] in ("MaxPool2d", "AvgPool2d"):
            assert _axis(spec.get("dilation", 1)) == 1
            mods.append(torch.nn.AvgPool1d(k, stride=_axis(s) if s else None, padding=p, ceil_mode=spec.get("ceil_mode", False)))
    net = torch.nn.Sequential(*mods).double()
    n = 64
    while True:
        x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
        y = net(x)
        if y.shape[-1] < 4:
            n *= 2
            continue
        u = y.shape[-1] // 2
        fields = []
        for unit in (u, u + 1):
            (g,) = torch.autograd.grad(y[0, 0, unit], x, retain_graph=True)
            idx = torch.nonzero(g[0, 0]).flatten()
            fields.append((int(idx[0]), int(idx[-1])))
        (a0, b0), (a1, _) = fields
        if a0 > 0 and fields[1][1] < n - 1:
            jump = a1 - a0
            return b0 - a0 + 1, jump, (a0 + b0) / 2 - u * jump
        n *= 2


def test_chain_questions_found():
    assert {"conv-pool-net-params", "cnn-chain-shape", "flatten-size", "receptive-field-center", "residual-block-params"} <= set(CHAIN_QUESTIONS)
    assert len(CHAIN_QUESTIONS) >= 28 and len(LAYER_QUESTIONS) >= 7


@pytest.mark.parametrize("qid", CHAIN_QUESTIONS)
def test_chain_question_against_torch(bank, qid):
    solver = bank.questions[qid].solver
    if solver not in PARAM_SOLVERS | SHAPE_SOLVERS | RF_SOLVERS:
        pytest.skip(f"{qid}: solver {solver} has no torch cross-check here yet")
    not_torch = [l for l in bank.questions[qid].params["layers"] if set(l) & GRAPH_KEYS or not hasattr(torch.nn, l["type"])]
    if not_torch:
        pytest.skip(f"{qid}: {not_torch[0]} is not a plain torch.nn constructor call")
    for v in variants_of(bank, qid, N_RANDOM):
        p = v.params
        where = (qid, v.seed, v.answer)
        if solver in RF_SOLVERS:
            size, jump, centre = torch_receptive_field(p["layers"])
            if solver == "receptive-field":
                assert v.answer == size, (*where, size)
            elif solver == "receptive-field-jump":
                assert v.answer == jump, (*where, jump)
            else:
                assert v.answer == pytest.approx(centre, abs=1e-9), (*where, centre)
            continue
        counts, shape = torch_chain(p["input_shape"], p["layers"], p.get("skips", ()))
        if solver == "dense-after-flatten-params":
            assert v.answer == counts[-1], (*where, counts[-1])
        elif solver in PARAM_SOLVERS:
            assert v.answer == sum(counts), (*where, sum(counts))
        elif solver == "flatten-size":
            assert v.answer == math.prod(shape), (*where, shape)
        else:
            assert tuple(v.answer) == shape, (*where, shape)


def test_separable_ratio_against_torch(bank):
    for v in variants_of(bank, "separable-conv-ratio", N_RANDOM):
        image = (v.params["standard"]["in_channels"], 64, 64)  # any image the kernels fit: counts do not depend on it
        std, _ = torch_chain(image, [v.params["standard"]])
        sep, _ = torch_chain(image, v.params["separable"])
        assert v.answer == pytest.approx(sum(std) / sum(sep), rel=1e-12), (v.seed, v.answer)


@pytest.mark.parametrize("qid", LAYER_QUESTIONS)
def test_single_layer_question_against_torch(bank, qid):
    """Output sizes from a meta-device forward; MACs/FLOPs from the forward hooks in _zoo_torch."""
    solver = bank.questions[qid].solver
    if solver not in ("conv-output-size", "conv-transpose-output-size", "conv-macs"):
        pytest.skip(f"{qid}: solver {solver} has no torch cross-check here yet")
    for v in variants_of(bank, qid, N_RANDOM):
        with torch.device("meta"):
            m = torch_layer(v.params["layer"])
            x = torch.zeros(1, *v.params["input_shape"])
        if solver == "conv-macs":
            per_mac = {"MACs": 1, "FLOPs": 2}[v.params["count"]]
            expected = per_mac * zoo.count_macs(m, x)
        else:
            with torch.no_grad():
                expected = tuple(m(x).shape[-2:])
        assert v.answer == expected, (qid, v.seed, v.answer, expected)


def test_torch_chain_catches_a_wrong_count():
    # The oracle can fail: a bias-free conv is not counted as biased, a mis-sized Linear does not run.
    counts, shape = torch_chain([3, 8, 8], [{"type": "Conv2d", "in_channels": 3, "out_channels": 4, "kernel_size": 3, "bias": False}])
    assert counts == [108] and shape == (4, 6, 6)
    with pytest.raises(RuntimeError):
        torch_chain([3, 8, 8], [{"type": "Flatten"}, {"type": "Linear", "in_features": 100, "out_features": 2}])


def test_torch_receptive_field_by_hand():
    conv = {"type": "Conv2d", "in_channels": 1, "out_channels": 1}
    assert torch_receptive_field([{**conv, "kernel_size": 3}, {**conv, "kernel_size": 3}]) == (5, 1, 2.0)
    # 3x3 pad 1, then 2x2/2 pool: field 4 wide, jump 2; output 0 reads positions -1..2 -> centre 0.5.
    assert torch_receptive_field([{**conv, "kernel_size": 3, "padding": 1}, {"type": "MaxPool2d", "kernel_size": 2, "stride": 2}]) == (4, 2, 0.5)
