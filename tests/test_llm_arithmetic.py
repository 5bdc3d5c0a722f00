"""LLM systems arithmetic: every key against an independent method.

- parameter counts: a plain-PyTorch Llama-style / GPT-2-style / mixture-of-experts decoder built
  from the same config on the ``meta`` device (no memory), counting ``numel()``; and the
  transformers model classes on meta when transformers is installed (optional);
- KV cache: ``numel() * element_size()`` of real K and V tensors (meta for big models, real
  ``torch.empty`` for small ones), summed layer by layer;
- LoRA: A/B matrices attached to the named projections of that torch model; PEFT when installed;
- FLOPs: ``torch.utils.flop_counter.FlopCounterMode`` on real matmuls, and a loop over Kaplan
  et al.'s Table 1 rows layer by layer; 6·N·D against a counted forward + backward;
- memory, ZeRO, Chinchilla, decode speed: a brute-force partition over GPUs, bisection, a sum
  of bytes over tensors;
- published keys (PEFT README, ZeRO Figure 1, GPT-3 Table D.1, Mixtral's 46.7B / 12.9B,
  GPT-2's 124M, Llama-2-7B's 6.74B) typed here literally with their source.
"""

from __future__ import annotations

import math

import pytest

from drill.core.bank import load_bank
from drill.solvers import InvalidParams, get
from tests._torch import optional, torch_or_skip
from drill.solvers._fmt import fmt
from tests.conftest import assert_three_figures, variants_of

TOPIC = "llm-arithmetic"
QUESTIONS = sorted(q.id for q in load_bank().questions.values() if q.topic == TOPIC)
N_VARIANTS = 15


def ids_with(solver: str) -> list[str]:
    return sorted(q.id for q in load_bank().questions.values() if q.topic == TOPIC and q.solver == solver)


# --- published and hand-worked keys, typed here -----------------------------------------------

PUBLISHED = {
    # id: (key, where it comes from)
    "llm-params-llama": (6_738_415_616, "Llama-2-7B; PEFT prints all params 6,742,609,920 with 4,194,304 LoRA"),
    "llm-params-gpt2": (124_439_808, "GPT-2 small, GPT2LMHeadModel's 124M"),
    "llm-params-general": (3_085_938_688, "Qwen2.5-3B: PEFT README all params 3,089,625,088 − 3,686,400"),
    "llm-attention-params": (41_943_040, "Mistral-7B: 2·4096² + 2·4096·1024"),
    "llm-mlp-params": (135_266_304, "Llama-2-7B: 3·4096·11008"),
    "kv-cache-per-token": (524_288, "Llama-2-7B fp16: 2·32·32·128·2"),
    "kv-cache-total": (1.0, "Llama-2-7B fp16 at 2,048 tokens = 1 GiB"),
    "kv-cache-gqa-saving": (8.75, "Llama-2-70B at 4,096 tokens: 10 GiB (MHA) − 1.25 GiB (GQA)"),
    "kv-cache-vs-weights": (25_706, "Llama-2-7B fp16: 13,476,831,232 / 524,288 = 25,705.02, rounded up"),
    "inference-flops": (2.02152e13, "Llama-2-7B, 1,000 + 500 tokens at 2·N each"),
    "kv-cache-max-batch": (80, "Mistral-7B fp16: 512 MiB per 4,096-token sequence into 40 GiB"),
    "adam-training-memory": (120, "ZeRO Figure 1 baseline, Ψ = 7.5B: 120 GB"),
    "zero-sharded-memory": (31.40625, "ZeRO Figure 1 P_os, Ψ = 7.5B, N_d = 64: 31.4 GB"),
    "training-flops": (3.15e23, "GPT-3 Table D.1: 3.14e23 FLOPs for 175B on 300B tokens"),
    "chinchilla-compute": (5.88e23, "Chinchilla 70B on 1.4T tokens: 6·70e9·1.4e12"),
    "chinchilla-optimal-params": (7.0e10, "sqrt(5.88e23 / 120) = 70B"),
    "lora-qv-gqa": (3_686_400, "PEFT README, Qwen2.5-3B r=16: trainable params 3,686,400"),
    "lora-all-linear": (19_988_480, "by hand for Llama-2-7B, r=8 on all seven projections: 624,640 per layer · 32"),
    "moe-total-params": (46_702_792_704, "Mixtral 8x7B: 46.7B total"),
    "moe-active-params": (12_879_925_248, "Mixtral 8x7B: 12.9B active"),
    "attention-qk-flops": (34_359_738_368, "Llama-2-7B, n = 2048: 2·32·2048²·128"),
    "attention-score-memory": (1.0, "Llama-2-7B, n = 4096, fp16: 32·4096²·2 bytes = 1 GiB"),
    "weights-memory": (12.5513, "Llama-2-7B fp16: 13,476,831,232 bytes / 2^30"),
    "quantized-weights-memory": (3.79036, "QLoRA: 4 + 32/64 bits per weight, Llama-2-7B, GB"),
    "decode-tokens-per-second": (151.297, "2.039e12 B/s / 13,476,831,232 B"),
    "training-gpu-hours": (186_965.8, "8.4e22 / (312e12 · 0.4) / 3600"),
    "training-days": (21.3014, "5.88e23 / (2048 · 312e12 · 0.5) / 86400"),
    "forward-flops-per-token": (352_724_189_184, "GPT-3 shape in Kaplan's Table 1 convention"),
    "attention-flops-share": (2048 / 149_504, "n_ctx / (12·d + n_ctx) for GPT-3's shape"),
    "llm-rule-of-thumb": (124_439_808 / 84_934_656, "GPT-2 small / 12·12·768²"),
}


def test_topic_has_enough_templates_and_every_key_is_typed_here():
    assert len(QUESTIONS) >= 20
    assert set(PUBLISHED) | {"flash-attention-effect"} == set(QUESTIONS)


@pytest.mark.parametrize("qid", sorted(PUBLISHED))
def test_canonical_key_is_the_published_one(bank, qid):
    key, _where = PUBLISHED[qid]
    v = variants_of(bank, qid, 0)[0]
    if isinstance(key, int):
        assert v.answer == key
    else:
        assert v.answer == pytest.approx(key, rel=2e-5)


def test_peft_readme_all_params_line():
    """PEFT README: 'trainable params: 3,686,400 || all params: 3,089,625,088' for Qwen2.5-3B."""
    bank = load_bank()
    base = get("llm-params").solve(bank.questions["llm-params-general"].params)
    lora = get("lora-params").solve(bank.questions["lora-qv-gqa"].params)
    assert base + lora == 3_089_625_088
    llama = get("llm-params").solve(bank.questions["llm-params-llama"].params)
    qv = get("lora-params").solve({**bank.questions["lora-all-linear"].params, "target_modules": ["q_proj", "v_proj"]})
    assert (qv, llama + qv) == (4_194_304, 6_742_609_920)  # PEFT's print for Llama-2-7B, r=8, q and v


def test_zero_paper_figure_1():
    """Rajbhandari et al. (2020) Figure 1: Ψ = 7.5B, N_d = 64: 120, 31.4, 16.6, 1.9 GB."""
    s = get("training-memory")
    got = [s.solve({"num_params": 7.5e9, "zero_stage": k, "num_gpus": 64, "unit": "GB"}) for k in range(4)]
    assert [round(g, 1) for g in got] == [120.0, 31.4, 16.6, 1.9]


# --- every question through drill's grader: correct, a named mistake, unreadable ---------------


@pytest.mark.parametrize("qid", QUESTIONS)
def test_grading_correct_mistake_unreadable(bank, qid):
    for v in variants_of(bank, qid, 5):
        assert v.grade(v.atype.format(v.answer)).correct
        assert v.mistakes, (qid, v.seed)
        name, value = next(iter(v.mistakes.items()))
        g = v.grade(v.atype.format(value))
        assert g.status == "wrong" and g.mistake == name
        assert v.grade("seven billion").status == "unreadable"
        assert v.steps


@pytest.mark.parametrize("qid", QUESTIONS)
def test_prompt_states_its_conventions(bank, qid):
    for v in variants_of(bank, qid, 10):
        text = v.prompt + " ".join(v.choices or [])
        p = v.params
        if "dtype" in p:
            assert p["dtype"] in text and "byte" in text
        if "unit" in p:
            assert {"GiB": "2^30", "GB": "10^9"}[p["unit"]] in text
        if "config" in p and v.question.solver in ("llm-params", "llm-rule-of-thumb", "moe-params"):
            c = p["config"]
            assert f"tie_word_embeddings = {'true' if c['tie_word_embeddings'] else 'false'}" in text
            assert ("SwiGLU" in text) == (c["mlp"] == "swiglu")
            assert ("LayerNorm" in text) == (c["norm"] == "layernorm")
            assert f"num_key_value_heads = {c['num_key_value_heads']}" in text


# --- parameter counts: plain PyTorch on meta ---------------------------------------------------


def torch_decoder(c: dict, layers: int | None = None):
    """A Llama / GPT-2 / Mixtral-style decoder in plain torch.nn with this config, on meta
    (``layers`` builds fewer identical layers than the config's, to keep big models quick)."""
    torch = torch_or_skip()
    nn = torch.nn
    d, H = c["hidden_size"], c["num_attention_heads"]
    kv = c.get("num_key_value_heads", H)
    hd = c.get("head_dim", d // H)
    ff, bias = c["intermediate_size"], c.get("bias", "none")
    experts = c.get("num_local_experts", 1)
    norm = (lambda: nn.LayerNorm(d)) if c.get("norm") == "layernorm" else (lambda: nn.RMSNorm(d))

    def mlp():
        b = bias == "all"
        if c.get("mlp", "swiglu") == "swiglu":
            return nn.ModuleDict({"gate_proj": nn.Linear(d, ff, bias=b), "up_proj": nn.Linear(d, ff, bias=b), "down_proj": nn.Linear(ff, d, bias=b)})
        return nn.ModuleDict({"up_proj": nn.Linear(d, ff, bias=b), "down_proj": nn.Linear(ff, d, bias=b)})

    def layer():
        qkv = bias in ("qkv", "all")
        m = nn.ModuleDict({
            "q_proj": nn.Linear(d, H * hd, bias=qkv), "k_proj": nn.Linear(d, kv * hd, bias=qkv),
            "v_proj": nn.Linear(d, kv * hd, bias=qkv), "o_proj": nn.Linear(H * hd, d, bias=bias == "all"),
            "input_layernorm": norm(), "post_attention_layernorm": norm(),
        })
        if experts > 1:
            m["router"] = nn.Linear(d, experts, bias=False)
            m["experts"] = nn.ModuleList(mlp() for _ in range(experts))
        else:
            m["mlp"] = mlp()
        return m

    with torch.device("meta"):
        model = nn.ModuleDict({
            "embed_tokens": nn.Embedding(c["vocab_size"], d),
            "layers": nn.ModuleList(layer() for _ in range(c["num_hidden_layers"] if layers is None else layers)),
            "norm": norm(),
            "lm_head": nn.Linear(d, c["vocab_size"], bias=False),
        })
        if c.get("position_embedding") == "learned":
            model["wpe"] = nn.Embedding(c["max_position_embeddings"], d)
    if c["tie_word_embeddings"]:
        model["lm_head"].weight = model["embed_tokens"].weight
    return model


def numel(module) -> int:
    return sum(p.numel() for p in module.parameters())  # parameters() yields a tied weight once


def decoder_numel(c: dict) -> int:
    """numel of the whole decoder: a one-layer model plus (L − 1) more copies of its layer."""
    model = torch_decoder(c, layers=1)
    return numel(model) + (c["num_hidden_layers"] - 1) * numel(model["layers"][0])


def test_decoder_numel_shortcut_is_the_full_count():
    c = {"vocab_size": 300, "hidden_size": 64, "num_hidden_layers": 5, "num_attention_heads": 8, "num_key_value_heads": 2,
         "intermediate_size": 96, "tie_word_embeddings": False, "bias": "qkv", "num_local_experts": 3, "num_experts_per_tok": 2}
    assert decoder_numel(c) == numel(torch_decoder(c))


@pytest.mark.parametrize("qid", ids_with("llm-params"))
def test_total_params_match_torch_modules(bank, qid):
    for v in variants_of(bank, qid, N_VARIANTS):
        assert v.answer == decoder_numel(v.params["config"]), v.params


@pytest.mark.parametrize("qid", ids_with("llm-layer-params"))
def test_block_params_match_torch_modules(bank, qid):
    for v in variants_of(bank, qid, N_VARIANTS):
        layer = torch_decoder({**v.params["config"], "num_hidden_layers": 1, "vocab_size": 1, "tie_word_embeddings": True})["layers"][0]
        names = ["q_proj", "k_proj", "v_proj", "o_proj"] if v.params["block"] == "attention" else ["mlp"]
        assert v.answer == sum(numel(layer[n]) for n in names), v.params


@pytest.mark.parametrize("qid", ids_with("moe-params"))
def test_moe_params_match_torch_modules(bank, qid):
    for v in variants_of(bank, qid, N_VARIANTS):
        c = v.params["config"]
        model = torch_decoder(c, layers=1)
        total = decoder_numel(c)
        expert = numel(model["layers"][0]["experts"][0])
        active = total - c["num_hidden_layers"] * (c["num_local_experts"] - c["num_experts_per_tok"]) * expert
        assert v.answer == (total if v.params["ask"] == "total" else active), v.params


def test_rule_of_thumb_against_torch(bank):
    for v in variants_of(bank, "llm-rule-of-thumb", N_VARIANTS):
        c = v.params["config"]
        rule = 12 * c["num_hidden_layers"] * c["hidden_size"] ** 2
        assert v.answer == pytest.approx(decoder_numel(c) / rule, rel=1e-12)


def test_twelve_l_d_squared_is_exact_for_its_own_assumptions():
    """MHA, GELU MLP with ff = 4d, no biases, no norms or embeddings: exactly 12·L·d² in torch."""
    c = {"vocab_size": 1, "hidden_size": 256, "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 1024,
         "tie_word_embeddings": True, "mlp": "gelu"}
    layers = torch_decoder(c)["layers"]
    weights = sum(p.numel() for n, p in layers.named_parameters() if "layernorm" not in n)
    assert weights == 12 * 3 * 256**2


TRANSFORMERS_CLASSES = {
    # model name prefix in the bank -> (transformers config class, model class)
    "Llama": ("LlamaConfig", "LlamaForCausalLM"),
    "Mistral": ("MistralConfig", "MistralForCausalLM"),
    "TinyLlama": ("LlamaConfig", "LlamaForCausalLM"),
    "Qwen2.5": ("Qwen2Config", "Qwen2ForCausalLM"),
    "Mixtral": ("MixtralConfig", "MixtralForCausalLM"),
}


def _bank_configs(bank) -> dict[str, dict]:
    out = {}
    for q in bank.questions.values():
        if q.topic != TOPIC:
            continue
        for cfg in [q.params.get("config")] + list(q.vary.get("config", []) if isinstance(q.vary.get("config"), list) else []):
            if isinstance(cfg, dict) and cfg.get("name"):
                out[cfg["name"]] = cfg
    return out


def test_real_configs_match_transformers_models(bank):
    """Each real model config in the bank, built with transformers' own class on meta (no weights)."""
    torch = torch_or_skip()
    transformers = optional("transformers", "transformers")
    configs = _bank_configs(bank)
    assert {"Llama-2-7B", "Llama-2-70B", "Mistral-7B-v0.1", "Qwen2.5-3B", "Mixtral-8x7B", "GPT-2 small"} <= set(configs)
    for name, c in configs.items():
        if name == "Falcon-7B":  # only its KV-cache fields are in the bank (no MLP or norm fields)
            continue
        fields = {k: v for k, v in c.items() if k not in ("name", "mlp", "norm", "bias", "position_embedding")}
        if name.startswith("GPT-2"):
            cfg = transformers.GPT2Config(vocab_size=c["vocab_size"], n_embd=c["hidden_size"], n_layer=c["num_hidden_layers"],
                                          n_head=c["num_attention_heads"], n_positions=c["max_position_embeddings"])
            cls = transformers.GPT2LMHeadModel
        else:
            cfg_name, cls_name = next(v for k, v in TRANSFORMERS_CLASSES.items() if name.startswith(k))
            cfg = getattr(transformers, cfg_name)(**fields)
            cls = getattr(transformers, cls_name)
        with torch.device("meta"):
            model = cls(cfg)
        expected = get("moe-params").solve({"config": c, "ask": "total"}) if "num_local_experts" in c else get("llm-params").solve({"config": c})
        assert numel(model) == expected, name


# --- KV cache: real tensors --------------------------------------------------------------------


def torch_dtype(name: str):
    torch = torch_or_skip()
    return {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16, "fp8": torch.float8_e4m3fn, "int8": torch.int8}[name]


def kv_bytes(c: dict, dtype: str, seq: int, batch: int, kv_heads: int | None = None, device: str = "meta") -> int:
    """Allocate each layer's K and V cache (batch, kv_heads, seq, head_dim) and add up their bytes."""
    torch = torch_or_skip()
    H = c["num_attention_heads"]
    kv = kv_heads or c.get("num_key_value_heads", H)
    hd = c.get("head_dim", c["hidden_size"] // H)
    total = 0
    for _layer in range(c["num_hidden_layers"]):
        for _kv in ("K", "V"):
            t = torch.empty(batch, kv, seq, hd, dtype=torch_dtype(dtype), device=device)
            total += t.numel() * t.element_size()
    return total


@pytest.mark.parametrize("qid", ids_with("kv-cache"))
def test_kv_cache_matches_tensors(bank, qid):
    for v in variants_of(bank, qid, N_VARIANTS):
        p = v.params
        c, ask = p["config"], p["ask"]
        unit = {"GiB": 2**30, "GB": 10**9}.get(p.get("unit", "GiB"))
        if ask == "per_token":
            assert v.answer == kv_bytes(c, p["dtype"], 1, 1)
        elif ask == "total":
            assert v.answer == pytest.approx(kv_bytes(c, p["dtype"], p["seq_len"], p["batch"]) / unit, rel=1e-12)
        elif ask == "gqa_saving":
            mha = kv_bytes(c, p["dtype"], p["seq_len"], p["batch"], kv_heads=c["num_attention_heads"])
            assert v.answer == pytest.approx((mha - kv_bytes(c, p["dtype"], p["seq_len"], p["batch"])) / unit, rel=1e-12)
        elif ask == "max_batch":  # the largest batch whose cache fits, by counting up
            budget, per_seq = p["budget"] * unit, kv_bytes(c, p["dtype"], p["seq_len"], 1)
            b = 0
            while (b + 1) * per_seq <= budget:
                b += 1
            assert v.answer == b
        else:  # break_even: weights as a torch tensor of the cache dtype; grow the cache a step at a time
            torch = torch_or_skip()
            w = torch.empty(decoder_numel(c), dtype=torch_dtype(p["dtype"]), device="meta")
            weights, per_tok = w.numel() * w.element_size(), kv_bytes(c, p["dtype"], 1, 1)
            lo, hi = 0, 1
            while hi * per_tok < weights:  # the cache of hi tokens is still smaller: double
                lo, hi = hi, 2 * hi
            while hi - lo > 1:  # smallest hi with hi tokens ≥ weights, by bisection
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if mid * per_tok < weights else (lo, mid)
            assert v.answer == hi, v.params


def test_kv_cache_small_config_with_real_allocation():
    torch_or_skip()
    c = {"hidden_size": 64, "num_hidden_layers": 3, "num_attention_heads": 8, "num_key_value_heads": 2}
    got = get("kv-cache").solve({"config": c, "dtype": "fp16", "ask": "total", "seq_len": 17, "batch": 3, "unit": "MiB"})
    assert got * 2**20 == kv_bytes(c, "fp16", 17, 3, device="cpu")  # 2·3·2·8·17·3·2 bytes


# --- LoRA: adapters attached to the torch model; PEFT if installed -------------------------------


def lora_count(c: dict, r: int, targets: list[str]) -> int:
    torch = torch_or_skip()
    model = torch_decoder({**c, "vocab_size": 1, "tie_word_embeddings": True}, layers=1)
    added = 0
    with torch.device("meta"):
        for layer in model["layers"]:
            for name in targets:
                lin = layer[name] if name in layer else layer["mlp"][name]
                A = torch.nn.Parameter(torch.empty(r, lin.in_features))
                B = torch.nn.Parameter(torch.empty(lin.out_features, r))
                added += A.numel() + B.numel()
    return added * c["num_hidden_layers"]  # every layer is adapted the same way


@pytest.mark.parametrize("qid", ids_with("lora-params"))
def test_lora_matches_adapters_on_torch_modules(bank, qid):
    for v in variants_of(bank, qid, N_VARIANTS):
        assert v.answer == lora_count(v.params["config"], v.params["r"], v.params["target_modules"]), v.params


def test_lora_matches_peft_on_a_small_llama():
    torch = torch_or_skip()
    transformers = optional("transformers", "transformers")
    peft = optional("peft", "peft")
    c = {"vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 3, "num_attention_heads": 8, "num_key_value_heads": 2,
         "intermediate_size": 96, "tie_word_embeddings": False}
    for targets in (["q_proj", "v_proj"], ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]):
        model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**c))
        pm = peft.get_peft_model(model, peft.LoraConfig(r=4, target_modules=targets))
        trainable = sum(p.numel() for p in pm.parameters() if p.requires_grad)
        assert trainable == get("lora-params").solve({"config": c, "r": 4, "target_modules": targets})


# --- FLOPs --------------------------------------------------------------------------------------


def test_qk_flops_match_flop_counter(bank):
    torch = torch_or_skip()
    from torch.utils.flop_counter import FlopCounterMode

    for v in variants_of(bank, "attention-qk-flops", N_VARIANTS):
        c, n, b = v.params["config"], v.params["seq_len"], v.params["batch"]
        H = c["num_attention_heads"]
        hd = c.get("head_dim", c["hidden_size"] // H)
        q = torch.empty(b, H, n, hd, device="meta")
        k = torch.empty(b, H, n, hd, device="meta")
        with FlopCounterMode(display=False) as counter:
            torch.matmul(q, k.transpose(-1, -2))
        assert v.answer == counter.get_total_flops()


def test_score_memory_matches_a_score_tensor(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "attention-score-memory", N_VARIANTS):
        p = v.params
        c = p["config"]
        s = torch.empty(p["batch"], c["num_attention_heads"], p["seq_len"], p["seq_len"], dtype=torch_dtype(p["dtype"]), device="meta")
        unit = {"GiB": 2**30, "GB": 10**9}[p["unit"]]
        assert v.answer == pytest.approx(s.numel() * s.element_size() / unit, rel=1e-12)


def kaplan_table_1(n_layer: int, d: int, n_ctx: int) -> int:
    """Forward FLOPs per token, row by row of Kaplan et al. Table 1, layer by layer (d_attn = d, d_ff = 4d)."""
    flops = 0
    for _ in range(n_layer):
        flops += 2 * d * 3 * d  # Attention: QKV
        flops += 2 * n_ctx * d  # Attention: Mask
        flops += 2 * d * d  # Attention: Project
        flops += 2 * 2 * d * 4 * d  # Feedforward
    return flops


def test_forward_flops_match_kaplan_rows(bank):
    for v in variants_of(bank, "forward-flops-per-token", N_VARIANTS):
        p = v.params
        assert v.answer == kaplan_table_1(p["n_layer"], p["d_model"], p["n_ctx"])
    for v in variants_of(bank, "attention-flops-share", N_VARIANTS):
        p = v.params
        ctx = p["n_layer"] * 2 * p["n_ctx"] * p["d_model"]
        assert v.answer == pytest.approx(ctx / kaplan_table_1(p["n_layer"], p["d_model"], p["n_ctx"]), rel=1e-12)


def test_six_n_d_is_a_counted_forward_and_backward():
    """A bias-free linear stack on real tensors: counted FLOPs of forward + backward = 6 · N · tokens."""
    torch = torch_or_skip()
    from torch.utils.flop_counter import FlopCounterMode

    model = torch.nn.Sequential(torch.nn.Linear(32, 64, bias=False), torch.nn.Linear(64, 48, bias=False))
    n = sum(p.numel() for p in model.parameters())
    x = torch.randn(10, 32, requires_grad=True)  # 10 tokens; input grad needed as in a deep net's inner layers
    with FlopCounterMode(display=False) as counter:
        model(x).sum().backward()
    assert counter.get_total_flops() == 6 * n * 10
    assert get("training-flops").solve({"num_params": n, "tokens": 10}) == 6 * n * 10


def test_inference_flops_and_training_time_by_summing(bank):
    for v in variants_of(bank, "inference-flops", N_VARIANTS):
        p = v.params
        flops = sum(2 * p["num_params"] for _token in range(p["prompt_tokens"] + p["new_tokens"]))
        assert v.answer == pytest.approx(flops, rel=1e-12)
    for qid in ("training-gpu-hours", "training-days"):
        for v in variants_of(bank, qid, N_VARIANTS):
            p = v.params
            work = 6 * p["num_params"] * p["tokens"]
            per_hour = p["peak_tflops"] * 1e12 * p["mfu"] * 3600  # FLOPs one GPU gets through in an hour
            gpus = p.get("num_gpus", 1)
            hours = work / (per_hour * gpus)
            assert v.answer == pytest.approx(hours if qid == "training-gpu-hours" else hours / 24, rel=1e-9)


# --- memory, Chinchilla, decoding -------------------------------------------------------------------


def test_weights_memory_matches_tensor_bytes(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "weights-memory", N_VARIANTS):
        p = v.params
        unit = {"GiB": 2**30, "GB": 10**9}[p["unit"]]
        if p["dtype"] == "int4":  # two 4-bit weights per byte, as packed int4 kernels store them
            t = torch.empty(p["num_params"] // 2, dtype=torch.uint8, device="meta")
        else:
            t = torch.empty(p["num_params"], dtype=torch_dtype(p["dtype"]), device="meta")
        assert v.answer == pytest.approx(t.numel() * t.element_size() / unit, rel=1e-12)


def test_quantized_memory_by_counting_blocks(bank):
    for v in variants_of(bank, "quantized-weights-memory", N_VARIANTS):
        p = v.params
        blocks = math.ceil(p["num_params"] / p["block_size"])
        bits = p["num_params"] * p["bits"] + blocks * p["scale_bits"]
        unit = {"GiB": 2**30, "GB": 10**9}[p["unit"]]
        assert v.answer == pytest.approx(bits / 8 / unit, rel=1e-6)


def zero_per_gpu(n: int, stage: int, gpus: int) -> list[float]:
    """Hand out each state's bytes to the GPUs that hold it: sharded ones in equal slices."""
    held = [0.0] * gpus
    for bytes_per_param, sharded_from in ((2, 3), (2, 2), (12, 1)):  # weights, grads, optimizer states
        for g in range(gpus):
            held[g] += bytes_per_param * n / gpus if stage >= sharded_from else bytes_per_param * n
    return held


@pytest.mark.parametrize("qid", ["adam-training-memory", "zero-sharded-memory"])
def test_training_memory_by_partition(bank, qid):
    for v in variants_of(bank, qid, N_VARIANTS):
        p = v.params
        held = zero_per_gpu(p["num_params"], p["zero_stage"], p["num_gpus"])
        assert max(held) == pytest.approx(min(held))
        assert sum(held) >= 16 * p["num_params"] * (1 - 1e-12)  # every byte is somewhere
        unit = {"GiB": 2**30, "GB": 10**9}[p["unit"]]
        assert v.answer == pytest.approx(held[0] / unit, rel=1e-12)


def test_chinchilla_by_bisection(bank):
    for v in variants_of(bank, "chinchilla-optimal-params", N_VARIANTS):
        c = v.params["flops"]
        lo, hi = 1.0, 1e15
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            lo, hi = (mid, hi) if 6 * mid * (20 * mid) < c else (lo, mid)
        assert v.answer == pytest.approx(lo, rel=1e-9)
    for v in variants_of(bank, "chinchilla-compute", N_VARIANTS):
        n = v.params["num_params"]
        assert v.answer == pytest.approx(sum(6 * n for _token in range(20)) * n, rel=1e-12)


def test_decode_speed_by_bytes_read(bank):
    for v in variants_of(bank, "decode-tokens-per-second", N_VARIANTS):
        p = v.params
        bytes_per_token = p["num_params"] * {"fp16": 16, "bf16": 16, "int8": 8, "int4": 4}[p["dtype"]] / 8
        seconds_per_token = bytes_per_token / (p["bandwidth_gbs"] * 1e9)
        assert v.answer == pytest.approx(1 / seconds_per_token, rel=1e-12)


# --- FlashAttention multiple choice ----------------------------------------------------------------


def test_flash_attention_choice(bank):
    for v in variants_of(bank, "flash-attention-effect", 12):
        right = v.choices["ABCDE".index(v.answer)]
        assert right.startswith("Its FLOPs stay") and "O(n), not O(n²)" in right
        assert v.grade(v.answer).correct and v.grade(right).correct
        wrong = next(i for i, c in enumerate(v.choices) if c != right)
        g = v.grade("ABCDE"[wrong])
        assert g.status == "wrong" and g.mistake
        p = v.params
        c = p["config"]
        hd = c["hidden_size"] // c["num_attention_heads"]
        gflop = 2 * 2 * c["num_attention_heads"] * p["seq_len"] ** 2 * hd / 1e9  # QKᵀ and PV, 2 FLOPs per MAC
        assert fmt(gflop, 4) in right


def test_invalid_configs_are_refused():
    base = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 8, "vocab_size": 10, "tie_word_embeddings": False}
    with pytest.raises(InvalidParams, match="multiple of num_key_value_heads"):
        get("llm-params").solve({"config": {**base, "num_key_value_heads": 3}})
    with pytest.raises(InvalidParams, match="mlp must be one of"):
        get("llm-params").solve({"config": {**base, "mlp": "relu"}})
    with pytest.raises(InvalidParams, match="target_modules"):
        get("lora-params").solve({"config": base, "r": 4, "target_modules": ["gate_proj", "qkv"]})


# Audit W2: a FLOP/MAC count the prompt does not ask for exactly is graded at 3 significant
# figures (the hand-worked canonical key, rounded), not only as the exact integer.
@pytest.mark.parametrize("qid, exact", [
    ("forward-flops-per-token", 96 * (24 * 12288**2 + 2 * 2048 * 12288)),
    ("attention-qk-flops", 2 * 32 * 2048**2 * 128),
])
def test_flop_counts_are_graded_at_three_figures(bank, qid, exact):
    assert_three_figures(bank, qid, exact)


def test_gpt2_params_hint_has_no_number_of_another_variant(bank):
    """The hint said 12·d², true only when intermediate_size = 4·hidden_size and never shown."""
    from drill.authoring.quality import hint_issues

    for v in variants_of(bank, "llm-params-gpt2", 30):
        assert not hint_issues(v), (v.seed, v.hint)
