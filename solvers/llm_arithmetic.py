"""LLM systems arithmetic: parameters, KV cache, memory, FLOPs, scaling laws, LoRA, MoE, attention cost.

A model is a ``config`` mapping with the field names of Hugging Face configs, so a model card's
``config.json`` can be dropped in (plus the few words HF leaves to the architecture class)::

    vocab_size, hidden_size (d), num_hidden_layers (L), num_attention_heads (H),
    num_key_value_heads (KV; = H for MHA, 1 for MQA), head_dim (default d / H),
    intermediate_size (ff), max_position_embeddings, tie_word_embeddings,
    num_local_experts (E) and num_experts_per_tok (k) for a mixture of experts,
    mlp:  swiglu (gate_proj, up_proj d→ff, down_proj ff→d: 3 matrices) | gelu (up, down: 2)
    norm: rmsnorm (weight, d) | layernorm (weight + bias, 2d); two per layer plus a final one
    bias: none (Llama) | qkv (Qwen2: q, k, v projections) | all (GPT-2: every linear layer but the head)
    position_embedding: rope (no parameters) | learned (max_position_embeddings × d)
    name: optional, the model's name shown in the prompt ("" for none)

Conventions every prompt states: bytes per element (fp32 4, fp16/bf16 2, fp8/int8 1, int4 0.5);
GiB = 2^30 bytes, GB = 10^9 bytes; FLOPs = 2 × multiply-adds; training compute C ≈ 6·N·D
(2 forward + 4 backward per parameter per token); Kaplan et al. (2020) Table 1's forward cost
2N + 2·n_layer·n_ctx·d_attn per token; mixed-precision Adam = 16 bytes per parameter
(2 fp16 weights + 2 fp16 grads + 12 fp32 master weights, m and v), ZeRO as Rajbhandari et al. (2020).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import InvalidParams, Solution, formula, solver
from ._params import Int, Num, Text, ListOf, LLM_CONFIG
from ._fmt import fmt
from .concepts import concept_choice

DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1, "int4": 0.5}
UNITS = {"GiB": 2**30, "GB": 10**9, "MiB": 2**20}
DTYPE_LLM = Text("the number format of each value", choices=tuple(DTYPE_BYTES), example="fp16")
UNIT_BYTES = Text("the unit of the answer", choices=tuple(UNITS), example="GB")
UNIT_WORDS = {"GiB": "GiB = 2^30 bytes", "GB": "GB = 10^9 bytes", "MiB": "MiB = 2^20 bytes"}
LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _n(x: int | float) -> str:
    """A big count with thousands separators: 6,738,415,616 (drill's one number format)."""
    return fmt(x)


def _big(x: float) -> str:
    """A count as a person reads it in a prompt: 175,000,000,000 (drill's one number format)."""
    return fmt(x)


def _sci(x: float) -> str:
    """A large float in steps, to 4 significant figures: 395,600,000,000,000 or 3.956e23 (fmt's rule)."""
    return fmt(x, 4)


def _dtype(p: dict, key: str = "dtype") -> tuple[str, float]:
    name = p[key]
    if name not in DTYPE_BYTES:
        raise InvalidParams(f"{key} must be one of {', '.join(DTYPE_BYTES)}, got {name!r}")
    return name, DTYPE_BYTES[name]


def _unit(p: dict) -> tuple[str, int]:
    u = p.get("unit", "GiB")
    if u not in UNITS:
        raise InvalidParams(f"unit must be one of {', '.join(UNITS)}, got {u!r}")
    return u, UNITS[u]


def _bytes(b: float) -> str:
    return f"{fmt(b)} byte{'' if b == 1 else 's'}"


def _dtype_words(name: str, b: float) -> str:
    return f"{name} ({_bytes(b)} per element)"


# --- the architecture ------------------------------------------------------------------------


@dataclass(frozen=True)
class Arch:
    """A decoder-only transformer read from a Hugging Face-style config (see the module doc)."""

    name: str
    V: int
    d: int
    L: int
    H: int
    KV: int
    hd: int
    ff: int
    P: int
    tied: bool
    mlp: str
    norm: str
    bias: str
    pos: str
    E: int
    k: int

    @property
    def q_out(self) -> int:
        return self.H * self.hd

    @property
    def kv_out(self) -> int:
        return self.KV * self.hd

    def linears(self) -> dict[str, tuple[int, int, bool]]:
        """Each projection of one layer: (d_in, d_out, has a bias). MoE: per expert."""
        qkv_b, all_b = self.bias in ("qkv", "all"), self.bias == "all"
        out = {
            "q_proj": (self.d, self.q_out, qkv_b), "k_proj": (self.d, self.kv_out, qkv_b),
            "v_proj": (self.d, self.kv_out, qkv_b), "o_proj": (self.q_out, self.d, all_b),
        }
        if self.mlp == "swiglu":
            out |= {"gate_proj": (self.d, self.ff, all_b), "up_proj": (self.d, self.ff, all_b), "down_proj": (self.ff, self.d, all_b)}
        else:
            out |= {"up_proj": (self.d, self.ff, all_b), "down_proj": (self.ff, self.d, all_b)}
        return out

    @property
    def norm_size(self) -> int:
        return 2 * self.d if self.norm == "layernorm" else self.d

    def parts(self) -> dict[str, int]:
        """Parameter count of each part of the whole model (per-layer parts already × L)."""
        lin = self.linears()
        size = lambda names: sum(i * o + (o if b else 0) for n, (i, o, b) in lin.items() if n in names)  # noqa: E731
        attn = size(LINEARS[:4])
        mlp = size(LINEARS[4:])
        out = {"embed": self.V * self.d, "pos": self.P * self.d if self.pos == "learned" else 0}
        out["attention"] = self.L * attn
        out["mlp"] = self.L * self.E * mlp
        out["router"] = self.L * self.d * self.E if self.E > 1 else 0
        out["norms"] = (2 * self.L + 1) * self.norm_size
        out["head"] = 0 if self.tied else self.V * self.d
        return out

    def total(self) -> int:
        return sum(self.parts().values())

    def active(self) -> int:
        """Parameters one token uses: the top-k experts of every layer instead of all E."""
        parts = self.parts()
        return sum(parts.values()) - parts["mlp"] // self.E * (self.E - self.k)

    # what the prompt shows ------------------------------------------------------------------
    def fields(self, *names: str) -> str:
        raw = {
            "vocab_size": self.V, "hidden_size": self.d, "num_hidden_layers": self.L,
            "num_attention_heads": self.H, "num_key_value_heads": self.KV, "head_dim": self.hd,
            "intermediate_size": self.ff, "max_position_embeddings": self.P,
            "tie_word_embeddings": "true" if self.tied else "false",
            "num_local_experts": self.E, "num_experts_per_tok": self.k,
        }
        return ", ".join(f"{n} = {_n(raw[n]) if isinstance(raw[n], int) else raw[n]}" for n in names)

    def model(self) -> str:
        return f" ({self.name})" if self.name else ""

    def describe(self, *, positions: bool = True, head: bool = True, norms: bool = True, biases: bool = True, mlp: bool = True) -> str:
        words = []
        if mlp:
            words.append(
                "a SwiGLU MLP (gate_proj and up_proj map hidden_size → intermediate_size, down_proj maps back: 3 matrices)"
                if self.mlp == "swiglu" else
                "a GELU MLP (up_proj hidden_size → intermediate_size and down_proj back: 2 matrices)"
            )
        if norms:
            words.append(
                "RMSNorm (a weight vector of size hidden_size, no bias) before attention and before the MLP in every layer, plus one final norm"
                if self.norm == "rmsnorm" else
                "LayerNorm (weight and bias, 2 × hidden_size) before attention and before the MLP in every layer, plus one final norm"
            )
        if biases:
            words.append({
                "none": "no biases in any linear layer",
                "qkv": "biases on q_proj, k_proj and v_proj only",
                "all": "a bias on every linear layer except the LM head",
            }[self.bias])
        if positions:
            words.append(
                "rotary position embeddings (no parameters)" if self.pos == "rope" else
                f"learned position embeddings for max_position_embeddings = {self.P} positions"
            )
        if head:
            words.append(
                "the LM head reuses the token-embedding matrix (tied)" if self.tied else
                "a separate LM head matrix vocab_size × hidden_size (untied, no bias)"
            )
        text = "; ".join(words)
        return text[0].upper() + text[1:] + "." if text else ""


def arch(p: dict) -> Arch:
    """Read and validate ``p['config']``; raises InvalidParams naming the bad field."""
    c = p["config"]
    if not isinstance(c, dict):
        raise InvalidParams("config must be a mapping of Hugging Face config fields")
    get = lambda k, default=None: c.get(k, default)  # noqa: E731
    try:
        d, H = int(c["hidden_size"]), int(c["num_attention_heads"])
        L = int(c["num_hidden_layers"])
    except KeyError as exc:
        raise InvalidParams(f"config needs {exc.args[0]}") from None
    KV = int(get("num_key_value_heads", H))
    hd = int(get("head_dim", d // H if H and d % H == 0 else 0))
    if min(d, H, L, KV) < 1 or hd < 1:
        raise InvalidParams(f"hidden_size {d}, heads {H}, layers {L}, kv heads {KV}, head_dim {hd}: all must be ≥ 1 (hidden_size divisible by heads)")
    if H % KV:
        raise InvalidParams(f"num_attention_heads {H} must be a multiple of num_key_value_heads {KV}")
    E, k = int(get("num_local_experts", 1)), int(get("num_experts_per_tok", 1))
    if not 1 <= k <= E:
        raise InvalidParams(f"num_experts_per_tok {k} must be between 1 and num_local_experts {E}")
    choices = {"mlp": ("swiglu", "gelu"), "norm": ("rmsnorm", "layernorm"), "bias": ("none", "qkv", "all"),
               "position_embedding": ("rope", "learned")}
    defaults = {"mlp": "swiglu", "norm": "rmsnorm", "bias": "none", "position_embedding": "rope"}
    picked = {}
    for key, allowed in choices.items():
        picked[key] = get(key, defaults[key])
        if picked[key] not in allowed:
            raise InvalidParams(f"config {key} must be one of {', '.join(allowed)}, got {picked[key]!r}")
    return Arch(
        name=str(get("name", "") or ""), V=int(get("vocab_size", 0)), d=d, L=L, H=H, KV=KV, hd=hd,
        ff=int(get("intermediate_size", 4 * d)), P=int(get("max_position_embeddings", 0)),
        tied=bool(get("tie_word_embeddings", False)), mlp=picked["mlp"], norm=picked["norm"],
        bias=picked["bias"], pos=picked["position_embedding"], E=E, k=k,
    )


def _ctx(a: Arch, **extra: str) -> dict[str, str]:
    return {"_model": a.model(), **extra}


# --- parameter counts ------------------------------------------------------------------------


def _param_steps(a: Arch, parts: dict[str, int]) -> list[str]:
    lin = a.linears()
    line = lambda n: f"{n} {lin[n][0]}×{lin[n][1]}" + (f" + {lin[n][1]} bias" if lin[n][2] else "")  # noqa: E731
    attn_l, mlp_l = parts["attention"] // a.L, parts["mlp"] // a.L
    steps = [f"Token embedding: vocab_size · hidden_size = {_n(a.V)} · {_n(a.d)} = {_n(parts['embed'])}"]
    if parts["pos"]:
        steps.append(f"Learned positions: max_position_embeddings · hidden_size = {_n(a.P)} · {_n(a.d)} = {_n(parts['pos'])}")
    steps.append(
        f"Attention per layer (head_dim = {_n(a.hd)}; k_proj and v_proj have {_n(a.KV)} heads · {_n(a.hd)} = {_n(a.kv_out)} outputs): "
        + ", ".join(line(n) for n in LINEARS[:4]) + f" = {_n(attn_l)}"
    )
    mlp_names = [n for n in LINEARS[4:] if n in lin]
    steps.append(f"MLP per layer ({a.mlp}): " + ", ".join(line(n) for n in mlp_names) + f" = {_n(mlp_l)}")
    steps.append(f"Norms: (2 per layer · {_n(a.L)} + 1 final) · {_n(a.norm_size)} ({a.norm}) = {_n(parts['norms'])}")
    steps.append(
        f"LM head: tied to the embedding, 0 new parameters" if a.tied else
        f"LM head (untied): vocab_size · hidden_size = {_n(parts['head'])}"
    )
    steps.append(
        f"Total = embeddings {_n(parts['embed'] + parts['pos'])} + {_n(a.L)} layers · {_n(attn_l + mlp_l + 2 * a.norm_size)}"
        f" + final norm {_n(a.norm_size)} + head {_n(parts['head'])} = {_n(sum(parts.values()))}"
    )
    return steps


def _param_mistakes(a: Arch, parts: dict[str, int], total: int) -> dict[str, int]:
    lin = a.linears()
    m: dict[str, int] = {}
    if a.tied:
        m["counted a separate LM head although the embeddings are tied"] = total + a.V * a.d
    else:
        m["counted the embedding matrix once: forgot the untied LM head"] = total - a.V * a.d
    if a.mlp == "swiglu":
        i, o, b = lin["gate_proj"]
        m["counted 2 MLP matrices (GELU-style) instead of SwiGLU's 3"] = total - a.L * (i * o + (o if b else 0))
    else:
        m["counted 3 MLP matrices (SwiGLU-style) instead of GELU's 2"] = total + a.L * a.d * a.ff
    if a.KV < a.H:
        extra = 2 * a.L * (a.H - a.KV) * a.hd
        m["gave k_proj and v_proj num_attention_heads heads (ignored grouped-query attention)"] = total + extra * a.d + (extra if lin["k_proj"][2] else 0)
    m["forgot the norms"] = total - parts["norms"]
    if a.norm == "layernorm":
        m["counted LayerNorm as d parameters (forgot its bias)"] = total - parts["norms"] // 2
    else:
        m["counted RMSNorm as 2d parameters (as if it had a bias like LayerNorm)"] = total + parts["norms"]
    if a.bias != "none":
        attn_b = sum(lin[n][1] for n in LINEARS[:4] if lin[n][2])
        mlp_b = sum(lin[n][1] for n in LINEARS[4:] if n in lin and lin[n][2])
        m["forgot the biases"] = total - a.L * (attn_b + a.E * mlp_b)
    if parts["pos"]:
        m["forgot the learned position embeddings"] = total - parts["pos"]
    m["used the 12·L·d² rule of thumb instead of counting"] = 12 * a.L * a.d**2
    return m


@solver("llm-params", params={
    "config": LLM_CONFIG,
})
def llm_params(p: dict) -> Solution:
    """Total parameters of a decoder-only transformer from its config (embeddings, layers, norms, head)."""
    a = arch(p)
    parts = a.parts()
    total = sum(parts.values())
    fields = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size", "tie_word_embeddings"]
    if a.pos == "learned":
        fields.insert(-1, "max_position_embeddings")
    return Solution(total, _param_steps(a, parts), _param_mistakes(a, parts, total),
                    context=_ctx(a, _config=a.fields(*fields), _arch=a.describe()), formulas=[_total_formula(a, parts)])


def _total_formula(a: Arch, parts: dict[str, int]):
    """N = embeddings (+ learned positions) + L · (attention + MLP + 2 norms) + final norm (+ untied head)."""
    expr = "V*d" + (" + P*d" if parts["pos"] else "") + " + L*(A + M + 2*n_norm) + n_norm" + ("" if a.tied else " + V*d")
    syms = {"V": ("vocab size", a.V), "d": ("hidden size", a.d), "L": ("layers", a.L),
            "A": ("attention parameters per layer", parts["attention"] // a.L),
            "M": ("MLP parameters per layer", parts["mlp"] // a.L), "n_norm": ("parameters of one norm", a.norm_size)}
    if parts["pos"]:
        syms["P"] = ("learned positions (max_position_embeddings)", a.P)
    if parts["router"]:
        expr = expr.replace("A + M", "A + M + d*E")
        syms["E"] = ("experts per layer (router d·E)", a.E)
    return formula(expr, name="N", **syms)


@solver("llm-layer-params", params={
    "config": LLM_CONFIG,
    "block": Text("which part of one block", choices=("attention", "mlp")),
})
def llm_layer_params(p: dict) -> Solution:
    """Parameters of one layer's attention block (q, k, v, o) or MLP block, from the config."""
    a = arch(p)
    block = p["block"]
    lin = a.linears()
    if block == "attention":
        names = list(LINEARS[:4])
        fields = a.fields("hidden_size", "num_attention_heads", "num_key_value_heads", "head_dim")
        desc = a.describe(mlp=False, norms=False, positions=False, head=False)
    elif block == "mlp":
        names = [n for n in LINEARS[4:] if n in lin]
        fields = a.fields("hidden_size", "intermediate_size")
        desc = a.describe(norms=False, positions=False, head=False)
    else:
        raise InvalidParams(f"block must be attention or mlp, got {block!r}")
    sizes = {n: lin[n][0] * lin[n][1] + (lin[n][1] if lin[n][2] else 0) for n in names}
    answer = sum(sizes.values())
    biases = sum(lin[n][1] for n in names if lin[n][2])
    steps = []
    if block == "attention":
        steps.append(f"head_dim = hidden_size / num_attention_heads = {_n(a.d)} / {_n(a.H)} = {_n(a.hd)}; k and v have num_key_value_heads · head_dim = {_n(a.KV)} · {_n(a.hd)} = {_n(a.kv_out)} outputs")
    steps += [f"{n}: {_n(lin[n][0])} · {_n(lin[n][1])}" + (f" + {lin[n][1]} (bias)" if lin[n][2] else "") + f" = {_n(sizes[n])}" for n in names]
    steps.append(f"Total = {' + '.join(_n(sizes[n]) for n in names)} = {_n(answer)}")
    m: dict[str, int] = {}
    if block == "attention":
        m["gave k_proj and v_proj num_attention_heads heads (ignored grouped-query attention)"] = 4 * a.d * a.d + (4 * a.d if a.bias == "all" else 3 * a.d if a.bias == "qkv" else 0)
        m["forgot the output projection o_proj"] = answer - sizes["o_proj"]
        m["counted only q, k and v for one head"] = 3 * a.d * a.hd
        m["gave k_proj and v_proj one head (multi-query attention)"] = answer - 2 * a.d * (a.KV - 1) * a.hd - (2 * (a.KV - 1) * a.hd if lin["k_proj"][2] else 0)
    else:
        if a.mlp == "swiglu":
            m["counted 2 matrices (GELU-style) instead of SwiGLU's 3"] = answer - sizes["gate_proj"]
        else:
            m["counted 3 matrices (SwiGLU-style) instead of GELU's 2"] = answer + a.d * a.ff
        m["counted one matrix only"] = a.d * a.ff
        m["assumed intermediate_size = 4 · hidden_size"] = len(names) * a.d * 4 * a.d
    if biases:
        m["forgot the biases"] = answer - biases
    if block == "attention":
        expr = "2*d*H*d_head + 2*d*KV*d_head" + {"none": "", "qkv": " + H*d_head + 2*KV*d_head", "all": " + H*d_head + 2*KV*d_head + d"}[a.bias]
        f = formula(expr, name="attention parameters", d=("hidden size", a.d), H=("attention heads", a.H),
                    KV=("key/value heads", a.KV), d_head=("head dim", a.hd))
    else:
        n_mat = 3 if a.mlp == "swiglu" else 2
        expr = f"{n_mat}*d*ff" + (f" + {n_mat - 1}*ff + d" if a.bias == "all" else "")
        f = formula(expr, name="MLP parameters", d=("hidden size", a.d), ff=("intermediate size", a.ff))
    return Solution(answer, steps, m, context=_ctx(a, _config=fields, _arch=desc), formulas=[f])


@solver("llm-rule-of-thumb", params={
    "config": LLM_CONFIG,
})
def llm_rule_of_thumb(p: dict) -> Solution:
    """How far the 12·L·d² estimate is from the exact count: exact / estimate."""
    a = arch(p)
    parts = a.parts()
    total = sum(parts.values())
    rule = 12 * a.L * a.d**2
    answer = total / rule
    emb = parts["embed"] + parts["pos"] + parts["head"]
    steps = [
        f"Rule of thumb: 12 · L · d² = 12 · {_n(a.L)} · {_n(a.d)}² = {_n(rule)}  (4d² attention + 8d² MLP per layer; no embeddings, norms or biases)",
        *_param_steps(a, parts)[:-1],
        f"Exact total = {_n(total)}, of which embeddings and head {_n(emb)}",
        f"Exact / estimate = {_n(total)} / {_n(rule)} = {fmt(answer)}",
    ]
    m = {
        "inverted the ratio (estimate / exact)": rule / total,
        "compared without the embeddings and head (non-embedding count)": (total - emb) / rule,
        "counted the embedding matrix once for an untied model" if not a.tied else "counted the tied LM head separately": (total + (a.V * a.d if a.tied else -a.V * a.d)) / rule,
    }
    fields = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim", "intermediate_size", "tie_word_embeddings"]
    if a.pos == "learned":
        fields.insert(-1, "max_position_embeddings")
    f = formula("N / (12*L*d**2)", name="exact / estimate", N=("exact parameter count", total), L=("layers", a.L), d=("hidden size", a.d))
    return Solution(answer, steps, m, context=_ctx(a, _config=a.fields(*fields), _arch=a.describe()), formulas=[f])


# --- KV cache --------------------------------------------------------------------------------


def _kv(a: Arch, b: float, kv_heads: int | None = None) -> float:
    """KV-cache bytes per token: 2 (K and V) · layers · kv_heads · head_dim · bytes."""
    return 2 * a.L * (a.KV if kv_heads is None else kv_heads) * a.hd * b


def _kv_fields(a: Arch) -> str:
    return a.fields("num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim")


@solver("kv-cache", params={
    "config": LLM_CONFIG,
    "ask": Text("which quantity", choices=("per_token", "total", "gqa_saving", "max_batch", "break_even")),
    "dtype": DTYPE_LLM,
    "seq_len": Int("sequence length T in tokens", lo=1, optional=True),
    "batch": Int("batch size B", lo=1, optional=True),
    "unit": UNIT_BYTES.opt(),
    "budget": Num("the memory budget, in unit", lo=0, optional=True),
})
def kv_cache(p: dict) -> Solution:
    """KV-cache size: per token in bytes, total in a unit, or the number of sequences that fit."""
    a = arch(p)
    dname, b = _dtype(p)
    ask = p["ask"]
    per_tok = _kv(a, b)
    per_tok_mha = _kv(a, b, a.H)
    step1 = f"Per token: 2 (K and V) · {_n(a.L)} layers · {_n(a.KV)} kv heads · {_n(a.hd)} head_dim · {_bytes(b)} per element = {_n(_num(per_tok))} bytes"
    ctx = _ctx(a, _config=_kv_fields(a), _dtype=_dtype_words(dname, b))
    no2 = per_tok / 2
    kv = dict(L=("layers", a.L), KV=("key/value heads", a.KV), d_head=("head dim", a.hd), b=("bytes per element", b))
    per_f = "2*L*KV*d_head*b"
    if ask == "per_token":
        answer = _num(per_tok)
        m = {
            "forgot the factor 2 (cached K but not V)": no2,
            "used num_attention_heads instead of num_key_value_heads": per_tok_mha,
            "forgot the layers (one layer only)": per_tok / a.L,
            "used hidden_size instead of kv heads · head_dim": 2 * a.L * a.d * b,
            "counted elements, not bytes": per_tok / b,
        }
        return Solution(answer, [step1, f"Answer: {_n(answer)} bytes per token"], _ints(m), context=ctx,
                        formulas=[formula(per_f, name="bytes per token", **kv)])
    seq, batch = int(p.get("seq_len", 1)), int(p.get("batch", 1))
    uname, u = _unit(p)
    ctx["_unit"] = UNIT_WORDS[uname]
    other = "GB" if uname == "GiB" else "GiB"
    kv |= dict(T=("tokens per sequence", seq), B=("batch", batch), U=(f"bytes per {uname}", u))
    if ask == "total":
        total = per_tok * seq * batch
        answer = total / u
        steps = [step1, f"Total: {_n(_num(per_tok))} · {_n(seq)} tokens · batch {batch} = {_n(_num(total))} bytes",
                 f"In {uname}: {_n(_num(total))} / {_n(u)} = {fmt(answer)} {uname}"]
        m = {
            f"divided by {_n(UNITS[other])} ({other}) instead of {_n(u)}": total / UNITS[other],
            "forgot the factor 2 (cached K but not V)": total / 2 / u,
            "used num_attention_heads instead of num_key_value_heads": per_tok_mha * seq * batch / u,
            "forgot the batch": per_tok * seq / u,
            "forgot the layers (one layer only)": total / a.L / u,
        }
        return Solution(answer, steps, m, context=ctx, formulas=[formula(per_f + "*T*B/U", name="KV cache", **kv)])
    if ask == "gqa_saving":
        total, mha = per_tok * seq * batch, per_tok_mha * seq * batch
        answer = (mha - total) / u
        steps = [f"With MHA every head caches K and V: 2 · {_n(a.L)} · {_n(a.H)} · {_n(a.hd)} · {fmt(b)} = {_n(_num(per_tok_mha))} bytes per token", step1,
                 f"Tokens cached: {_n(seq)} · batch {batch} = {_n(seq * batch)}",
                 f"Saved: ({_n(_num(per_tok_mha))} − {_n(_num(per_tok))}) · {_n(seq * batch)} = {_n(_num(mha - total))} bytes = {fmt(answer)} {uname}"]
        m = {
            "gave the GQA cache instead of the saving": total / u,
            "gave the MHA cache instead of the saving": mha / u,
            f"divided by {_n(UNITS[other])} ({other}) instead of {_n(u)}": (mha - total) / UNITS[other],
            "forgot the factor 2 (K only)": (mha - total) / 2 / u,
        }
        kv["H"] = ("attention heads", a.H)
        return Solution(answer, steps, m, context=ctx, formulas=[formula("2*L*(H - KV)*d_head*b*T*B/U", name="saved", **kv)])
    if ask == "max_batch":
        budget = float(p["budget"])
        per_seq = per_tok * seq
        answer = int(budget * u // per_seq)
        if answer < 1:
            raise InvalidParams("not even one sequence fits in the budget")
        steps = [step1, f"Per sequence of {_n(seq)} tokens: {_n(_num(per_tok))} · {_n(seq)} = {_n(_num(per_seq))} bytes",
                 f"Budget: {fmt(budget)} {uname} = {_n(_num(budget * u))} bytes",
                 f"Sequences: floor({_n(_num(budget * u))} / {_n(_num(per_seq))}) = {_n(answer)}"]
        m = {
            f"took the budget in {other} instead of {uname}": int(budget * UNITS[other] // per_seq),
            "forgot the factor 2 (cached K but not V)": int(budget * u // (per_seq / 2)),
            "used num_attention_heads instead of num_key_value_heads": int(budget * u // (per_tok_mha * seq)),
            "rounded up instead of down": math.ceil(budget * u / per_seq),
        }
        ctx["_budget"] = f"{fmt(budget)} {uname}"
        kv["M"] = (f"memory budget in {uname}", budget)
        del kv["B"]
        return Solution(answer, steps, m, context=ctx, formulas=[formula(f"floor(M*U / ({per_f}*T))", name="sequences", **kv)])
    if ask == "break_even":
        n = a.total()  # counted from the config; the prompt states it
        weights = n * b
        answer = math.ceil(weights / per_tok)
        steps = [step1, f"Weights in {dname}: {_n(n)} · {_bytes(b)} = {_n(_num(weights))} bytes",
                 f"Tokens: ceil({_n(_num(weights))} / {_n(_num(per_tok))}) = {_n(answer)}  (the cache grows by one token's bytes per token)"]
        m = {
            "forgot the factor 2 (cached K but not V)": math.ceil(weights / no2),
            "used num_attention_heads instead of num_key_value_heads": math.ceil(weights / per_tok_mha),
            "rounded down instead of up": math.floor(weights / per_tok),
            "counted the weights at 1 byte per parameter": math.ceil(n / per_tok),
        }
        ctx["_N"] = _big(n)
        for unused in ("T", "B", "U"):
            del kv[unused]
        return Solution(answer, steps, m, context=ctx,
                        formulas=[formula(f"ceil(N*b / ({per_f}))", name="tokens", N=("parameters", n), **kv)])
    raise InvalidParams(f"ask must be per_token, total, gqa_saving, max_batch or break_even, got {ask!r}")


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _ints(m: dict[str, float]) -> dict[str, int | float]:
    return {k: _num(v) for k, v in m.items()}


# --- memory ----------------------------------------------------------------------------------


@solver("weights-memory", params={
    "num_params": Int("the model's parameter count N"),
    "dtype": DTYPE_LLM.opt(),
    "unit": UNIT_BYTES,
    "bits": Num("bits per quantized weight (with block_size)", lo=0, optional=True),
    "block_size": Int("weights sharing one scale (block quantization)", lo=1, optional=True),
    "scale_bits": Num("bits of each block's scale (with block_size)", lo=0, optional=True),
})
def weights_memory(p: dict) -> Solution:
    """Memory of the weights alone: parameters · bytes per parameter (optionally + block scales)."""
    n = int(p["num_params"])
    uname, u = _unit(p)
    other = "GB" if uname == "GiB" else "GiB"
    block = p.get("block_size")
    if block:
        bits, sbits, block = float(p["bits"]), float(p["scale_bits"]), int(block)
        per = bits + sbits / block
        total = n * per / 8
        answer = total / u
        steps = [f"Bits per weight: {fmt(bits)} + one {fmt(sbits)}-bit scale per {block} weights = {fmt(bits)} + {fmt(sbits)}/{block} = {fmt(per)} bits",
                 f"Bytes: {_n(n)} · {fmt(per)} / 8 = {_n(_num(total))}",
                 f"In {uname}: {_n(_num(total))} / {_n(u)} = {fmt(answer)}"]
        m = {
            "forgot the per-block scales": n * bits / 8 / u,
            f"divided by {_n(UNITS[other])} ({other}) instead of {_n(u)}": total / UNITS[other],
            "counted one scale per weight": n * (bits + sbits) / 8 / u,
            "forgot to divide bits by 8 (gave bits, not bytes)": n * per / u,
        }
        ctx = {"_quant": f"{fmt(bits)}-bit weights with one {fmt(sbits)}-bit scale per block of {block} weights", "_unit": UNIT_WORDS[uname], "_N": _big(n)}
        f = formula("N*(bits + s/G)/8/U", name="memory", N=("parameters", n), bits=("bits per weight", bits),
                    s=("bits per scale", sbits), G=("weights per block", block), U=(f"bytes per {uname}", u))
        return Solution(answer, steps, m, context=ctx, formulas=[f])
    dname, b = _dtype(p)
    total = n * b
    answer = total / u
    steps = [f"{dname}: {_bytes(b)} per parameter", f"Bytes: {_n(n)} · {fmt(b)} = {_n(_num(total))}",
             f"In {uname}: {_n(_num(total))} / {_n(u)} = {fmt(answer)}"]
    m = {
        f"divided by {_n(UNITS[other])} ({other}) instead of {_n(u)}": total / UNITS[other],
        "used bits instead of bytes per parameter": n * b * 8 / u,
        "used 4 bytes per parameter (fp32)": n * 4 / u,
        "used 2 bytes per parameter (fp16)": n * 2 / u,
        "used 1 byte per parameter": n / u,
    }
    f = formula("N*b/U", name="memory", N=("parameters", n), b=("bytes per parameter", b), U=(f"bytes per {uname}", u))
    return Solution(answer, steps, m, context={"_dtype": _dtype_words(dname, b), "_unit": UNIT_WORDS[uname], "_N": _big(n)}, formulas=[f])


ZERO_WORDS = {
    0: "no sharding (plain data parallelism: every GPU holds everything)",
    1: "ZeRO stage 1 (optimizer states sharded)",
    2: "ZeRO stage 2 (optimizer states and gradients sharded)",
    3: "ZeRO stage 3 (optimizer states, gradients and fp16 weights sharded)",
}


def _zero(n: float, stage: int, gpus: int, grad_bytes: float = 2, k: float = 12) -> float:
    w, g, o = 2 * n, grad_bytes * n, k * n
    return (w / gpus if stage >= 3 else w) + (g / gpus if stage >= 2 else g) + (o / gpus if stage >= 1 else o)


@solver("training-memory", params={
    "num_params": Int("the model's parameter count N"),
    "zero_stage": Int("the ZeRO stage (0 = plain data parallel)", lo=0, hi=3),
    "num_gpus": Int("GPUs the state is sharded across", lo=1),
    "unit": UNIT_BYTES,
})
def training_memory(p: dict) -> Solution:
    """Per-GPU bytes of weights + gradients + Adam states in mixed precision, under ZeRO stage 0–3."""
    n = float(p["num_params"])
    stage, gpus = int(p.get("zero_stage", 0)), int(p.get("num_gpus", 1))
    if stage not in ZERO_WORDS or gpus < 1:
        raise InvalidParams(f"zero_stage must be 0–3 and num_gpus ≥ 1, got {stage}, {gpus}")
    uname, u = _unit(p)
    total = _zero(n, stage, gpus)
    answer = total / u
    sh = lambda s, lo: f"/{gpus}" if stage >= lo else ""  # noqa: E731
    steps = [
        "Mixed-precision Adam: 2 bytes fp16 weights + 2 bytes fp16 gradients + 12 bytes fp32 states (master weights 4, m 4, v 4) = 16 bytes per parameter",
        f"{ZERO_WORDS[stage]} across {gpus} GPU{'s' if gpus > 1 else ''}: per GPU = 2Ψ{sh(stage, 3)} + 2Ψ{sh(stage, 2)} + 12Ψ{sh(stage, 1)} with Ψ = {_n(_num(n))}",
        f"= {_n(_num(2 * n / (gpus if stage >= 3 else 1)))} + {_n(_num(2 * n / (gpus if stage >= 2 else 1)))} + {_n(_num(12 * n / (gpus if stage >= 1 else 1)))} = {_n(_num(total))} bytes",
        f"In {uname}: {_n(_num(total))} / {_n(u)} = {fmt(answer)}",
    ]
    other = "GB" if uname == "GiB" else "GiB"
    m = {
        "counted fp32 gradients (18 bytes per parameter)": _zero(n, stage, gpus, grad_bytes=4) / u,
        "forgot the fp32 master weights (Adam m and v only: 12 bytes per parameter)": _zero(n, stage, gpus, k=8) / u,
        "counted only the fp16 weights": 2 * n / (gpus if stage >= 3 else 1) / u,
        f"divided by {_n(UNITS[other])} ({other}) instead of {_n(u)}": total / UNITS[other],
    }
    if gpus > 1:
        for s in range(4):
            if s != stage:
                m[f"sharded as {ZERO_WORDS[s].split(' (')[0]} instead"] = _zero(n, s, gpus) / u
        m["divided everything by the GPU count"] = 16 * n / gpus / u
    ctx = {"_zero": ZERO_WORDS[stage], "_unit": UNIT_WORDS[uname], "_N": _big(n)}
    terms = [f"{k}*Psi" + ("/G" if stage >= lo else "") for k, lo in ((2, 3), (2, 2), (12, 1))]
    syms = {"Psi": ("parameters", n), "U": (f"bytes per {uname}", u)}
    if stage:
        syms["G"] = ("GPUs", gpus)
    f = formula(f"({' + '.join(terms)})/U", name="memory per GPU", **syms)
    return Solution(answer, steps, m, context=ctx, formulas=[f])


# --- compute ---------------------------------------------------------------------------------


@solver("training-flops", params={
    "num_params": Int("the model's parameter count N"),
    "tokens": Num("training tokens D", lo=0),
    "peak_tflops": Num("each GPU's peak TFLOP/s", lo=0, optional=True),
    "mfu": Num("model FLOPs utilization (the fraction of peak achieved)", lo=0, hi=1, optional=True),
    "ask": Text("which quantity", choices=("flops", "gpu_hours", "days"), optional=True),
    "num_gpus": Int("GPUs", lo=1, optional=True),
})
def training_flops(p: dict) -> Solution:
    """Training compute C ≈ 6·N·D FLOPs; with ``ask: gpu_hours`` or ``days``, the time at a peak and MFU."""
    n, d = float(p["num_params"]), float(p["tokens"])
    c = 6 * n * d
    ask = p.get("ask", "flops")
    steps = [f"C = 6 · N · D = 6 · {_sci(n)} · {_sci(d)} = {_sci(c)} FLOPs  (2 forward + 4 backward FLOPs per parameter per token)"]
    ctx = {"_N": _big(n), "_D": _big(d)}
    nd = dict(N=("parameters", n), D=("training tokens", d))
    if ask == "flops":
        m = {"counted the forward pass only (2·N·D)": 2 * n * d, "counted the backward pass only (4·N·D)": 4 * n * d,
             "counted multiply-adds, not FLOPs (3·N·D)": 3 * n * d, "used N·D": n * d}
        return Solution(c, steps, m, context=ctx, formulas=[formula("6*N*D", name="C", **nd)])
    peak, mfu = float(p["peak_tflops"]) * 1e12, float(p["mfu"])
    rate = peak * mfu
    gpu_h = c / rate / 3600
    steps.append(f"Sustained per GPU: {fmt(p['peak_tflops'])}e12 · {fmt(mfu)} = {_sci(rate)} FLOP/s")
    steps.append(f"GPU-hours = C / rate / 3600 = {_sci(c)} / {_sci(rate)} / 3600 = {fmt(gpu_h)}")
    base = {"ignored the utilization (ran at peak)": c / peak / 3600, "used 2·N·D (forward only)": 2 * n * d / rate / 3600,
            "divided by the utilization instead of multiplying": c / (peak / mfu) / 3600}
    if ask == "gpu_hours":
        base["gave GPU-seconds (forgot / 3600)"] = c / rate
        nd |= dict(F=("peak FLOP/s per GPU", peak), MFU=("model FLOPs utilization", mfu))
        return Solution(gpu_h, steps, base, context=ctx, formulas=[formula("6*N*D/(F*MFU)/3600", name="GPU-hours", **nd)])
    if ask == "days":
        g = int(p["num_gpus"])
        days = gpu_h / g / 24
        steps.append(f"Wall clock on {g} GPUs: {fmt(gpu_h)} / {g} / 24 = {fmt(days)} days")
        m = {k: v / g / 24 for k, v in base.items()}
        m["gave GPU-days (forgot to divide by the GPU count)"] = gpu_h / 24
        m["gave hours, not days"] = gpu_h / g
        nd |= dict(F=("peak FLOP/s per GPU", peak), MFU=("model FLOPs utilization", mfu), G=("GPUs", g))
        return Solution(days, steps, m, context=ctx, formulas=[formula("6*N*D/(F*MFU)/3600/G/24", name="days", **nd)])
    raise InvalidParams(f"ask must be flops, gpu_hours or days, got {ask!r}")


@solver("inference-flops", params={
    "num_params": Int("the model's parameter count N"),
    "prompt_tokens": Int("tokens in the prompt", lo=0),
    "new_tokens": Int("tokens generated", lo=0),
})
def inference_flops(p: dict) -> Solution:
    """Inference compute ≈ 2·N FLOPs per token processed (prompt and generated), attention ignored."""
    n, prompt, new = float(p["num_params"]), int(p["prompt_tokens"]), int(p["new_tokens"])
    tokens = prompt + new
    answer = 2 * n * tokens
    steps = [f"Every token, prompt or generated, passes once through the weights: {_n(prompt)} + {_n(new)} = {_n(tokens)} tokens",
             f"C ≈ 2 · N · tokens = 2 · {_sci(n)} · {_n(tokens)} = {_sci(answer)} FLOPs  (one multiply-add per parameter per token)"]
    m = {"used the training cost 6·N per token": 6 * n * tokens, "counted multiply-adds, not FLOPs (N per token)": n * tokens,
         "counted only the generated tokens": 2 * n * new, "counted only the prompt": 2 * n * prompt}
    f = formula("2*N*(T_prompt + T_new)", name="C", N=("parameters", n), T_prompt=("prompt tokens", prompt), T_new=("generated tokens", new))
    return Solution(answer, steps, m, context={"_N": _big(n)}, formulas=[f])


@solver("forward-flops", params={
    "n_layer": Int("transformer blocks L", lo=1),
    "d_model": Int("model width d_model", lo=1),
    "n_ctx": Int("context length in tokens", lo=1),
    "ask": Text("which quantity", choices=("flops", "fraction"), optional=True),
})
def forward_flops(p: dict) -> Solution:
    """Kaplan et al. (2020) Table 1: forward FLOPs per token 2N + 2·n_layer·n_ctx·d_attn, N = 12·n_layer·d²."""
    L, dm, n_ctx = int(p["n_layer"]), int(p["d_model"]), int(p["n_ctx"])
    N = 12 * L * dm**2
    dense, attn = 2 * N, 2 * L * n_ctx * dm
    total = dense + attn
    ask = p.get("ask", "flops")
    steps = [f"N = 12 · n_layer · d_model² = 12 · {L} · {_n(dm)}² = {_n(N)} non-embedding parameters",
             f"Weights: 2N = {_n(dense)} FLOPs per token (one multiply-add per parameter)",
             f"Attention over the context: 2 · n_layer · n_ctx · d_attn = 2 · {L} · {_n(n_ctx)} · {_n(dm)} = {_n(attn)}"]
    ctx = {"_N": _n(N)}
    sy = dict(n_layer=("layers", L), d_model=("model width (= d_attn)", dm), n_ctx=("context length", n_ctx))
    if ask == "flops":
        steps.append(f"C_forward = {_n(dense)} + {_n(attn)} = {_n(total)} FLOPs per token")
        m = {"forgot the attention term (2N only)": dense, "used the training cost 6N": 6 * N,
             "counted multiply-adds, not FLOPs (N + n_layer·n_ctx·d)": total // 2, "forgot the factor 2 on the attention term": dense + attn // 2}
        return Solution(total, steps, m, context=ctx, formulas=[formula("2*12*n_layer*d_model**2 + 2*n_layer*n_ctx*d_model", name="C_forward", **sy)])
    if ask == "fraction":
        frac = attn / total
        steps.append(f"Share of the attention term: {_n(attn)} / ({_n(dense)} + {_n(attn)}) = {fmt(frac)}")
        m = {"forgot the factor 2 on the attention term": (attn / 2) / (dense + attn / 2),
             "used one layer's attention term": (attn / L) / (dense + attn / L),
             "took the weights' share instead": dense / total}
        f = formula("2*n_layer*n_ctx*d_model / (2*12*n_layer*d_model**2 + 2*n_layer*n_ctx*d_model)", name="attention share", **sy)
        return Solution(frac, steps, m, context=ctx, formulas=[f])
    raise InvalidParams(f"ask must be flops or fraction, got {ask!r}")


@solver("chinchilla", params={
    "num_params": Num("the model's parameter count N", lo=1, optional=True, example=70000000000),
    "ask": Text("which quantity", choices=("compute", "params", "tokens"), example='compute'),
    "flops": Num("the compute budget C in FLOPs", lo=0, optional=True),
    "tokens_per_param": Num("training tokens per parameter (Chinchilla: 20)", lo=0, optional=True),
})
def chinchilla(p: dict) -> Solution:
    """Chinchilla-optimal training: D ≈ 20·N tokens; with C = 6·N·D, N = sqrt(C / 120)."""
    tpp = float(p.get("tokens_per_param", 20))
    ask = p["ask"]
    if ask == "compute":
        n = float(p["num_params"])
        d = tpp * n
        c = 6 * n * d
        steps = [f"D = {fmt(tpp)} · N = {fmt(tpp)} · {_sci(n)} = {_sci(d)} tokens", f"C = 6 · N · D = 6 · {_sci(n)} · {_sci(d)} = {_sci(c)} FLOPs"]
        m = {"used C = 2·N·D (forward only)": 2 * n * d, "used D = N (one token per parameter)": 6 * n * n,
             "gave the tokens D instead of the FLOPs": d, "used 6·N·D with D = 20 (forgot the N)": 6 * n * tpp}
        f = formula("6*N*(r*N)", name="C", N=("parameters", n), r=("tokens per parameter", tpp))
        return Solution(c, steps, m, context={"_N": _big(n)}, formulas=[f])
    c = float(p["flops"])
    n = math.sqrt(c / (6 * tpp))
    d = tpp * n
    steps = [f"C = 6 · N · D and D = {fmt(tpp)} · N, so C = {fmt(6 * tpp)} · N²",
             f"N = sqrt(C / {fmt(6 * tpp)}) = sqrt({fmt(c)} / {fmt(6 * tpp)}) = {fmt(n)} parameters"]
    if ask == "params":
        m = {"forgot the square root (C / 120)": c / (6 * tpp), "used C = 2·N·D (N = sqrt(C / 40))": math.sqrt(c / (2 * tpp)),
             "used C = 6·N² (D = N)": math.sqrt(c / 6), "gave the tokens D instead of N": d}
        return Solution(n, steps, m, formulas=[formula("sqrt(C/(6*r))", name="N", C=("compute budget in FLOPs", c), r=("tokens per parameter", tpp))])
    if ask == "tokens":
        steps.append(f"D = {fmt(tpp)} · N = {fmt(d)} tokens")
        m = {"gave N instead of D": n, "used C = 2·N·D": tpp * math.sqrt(c / (2 * tpp)), "forgot the square root": tpp * c / (6 * tpp)}
        return Solution(d, steps, m, formulas=[formula("r*sqrt(C/(6*r))", name="D", C=("compute budget in FLOPs", c), r=("tokens per parameter", tpp))])
    raise InvalidParams(f"ask must be compute, params or tokens, got {ask!r}")


@solver("decode-speed", params={
    "num_params": Int("the model's parameter count N", example=6738415616),
    "dtype": DTYPE_LLM,
    "bandwidth_gbs": Num("memory bandwidth in GB/s", lo=0, example=2039),
})
def decode_speed(p: dict) -> Solution:
    """Memory-bound decoding at batch 1: tokens/s ≈ bandwidth / bytes of weights read per token."""
    n = int(p["num_params"])
    dname, b = _dtype(p)
    bw = float(p["bandwidth_gbs"]) * 1e9
    w = n * b
    tps = bw / w
    steps = [f"Each new token reads every weight once: {_n(n)} · {_bytes(b)} = {_n(_num(w))} bytes",
             f"tokens/s = bandwidth / bytes per token = {_sci(bw)} B/s / {_n(_num(w))} B = {fmt(tps)}"]
    m = {"took the bandwidth in GiB/s (2^30)": bw / 1e9 * 2**30 / w, "used 4 bytes per parameter (fp32)": bw / (n * 4),
         "used bits instead of bytes": bw / (w * 8), "gave the time per token in ms": 1000 / tps,
         "used 2 bytes per parameter (fp16)": bw / (n * 2)}
    f = formula("BW/(N*b)", name="tokens/s", BW=("memory bandwidth in bytes/s", bw), N=("parameters", n), b=("bytes per parameter", b))
    return Solution(tps, steps, m, context={"_dtype": _dtype_words(dname, b), "_N": _big(n)}, formulas=[f])


# --- LoRA --------------------------------------------------------------------------------------


@solver("lora-params", params={
    "config": LLM_CONFIG,
    "r": Int("the LoRA rank r", lo=1),
    "target_modules": ListOf("the projections LoRA adapts", item=Text("a projection", choices=LINEARS)),
})
def lora_params(p: dict) -> Solution:
    """Trainable LoRA parameters: r·(d_in + d_out) per adapted matrix × matrices × layers."""
    a = arch(p)
    r = int(p["r"])
    targets = list(p["target_modules"])
    lin = a.linears()
    bad = [t for t in targets if t not in lin]
    if bad or not targets or len(set(targets)) != len(targets):
        raise InvalidParams(f"target_modules must be distinct projections of this model ({', '.join(lin)}), got {targets}")
    per = {t: r * (lin[t][0] + lin[t][1]) for t in targets}
    layer = sum(per.values())
    answer = layer * a.L
    steps = [f"{t}: {lin[t][0]} → {lin[t][1]}, A is r×d_in and B is d_out×r: {r} · ({_n(lin[t][0])} + {_n(lin[t][1])}) = {_n(per[t])}" for t in targets]
    steps.append(f"Per layer: {' + '.join(_n(v) for v in per.values())} = {_n(layer)}")
    steps.append(f"× {_n(a.L)} layers = {_n(answer)}")
    m = {
        "forgot to multiply by the layers": layer,
        "counted only one of the two LoRA matrices (r·d_in)": r * sum(lin[t][0] for t in targets) * a.L,
        "counted the full matrices d_in·d_out (full fine-tuning of those matrices)": sum(lin[t][0] * lin[t][1] for t in targets) * a.L,
        "used 2·r·hidden_size for every matrix (ignored their real widths)": 2 * r * a.d * len(targets) * a.L,
    }
    if a.KV < a.H and {"k_proj", "v_proj"} & set(targets):
        m["gave k_proj and v_proj hidden_size outputs (ignored grouped-query attention)"] = sum(
            r * (lin[t][0] + (a.d if t in ("k_proj", "v_proj") else lin[t][1])) for t in targets) * a.L
    mods = ", ".join(targets)
    fields = ["hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim"]
    if set(targets) & set(LINEARS[4:]):
        fields.append("intermediate_size")
    f = formula("L*r*S", name="LoRA parameters", L=("layers", a.L), r=("rank", r),
                S=("sum of d_in + d_out over the adapted matrices", sum(lin[t][0] + lin[t][1] for t in targets)))
    return Solution(answer, steps, m, formulas=[f], context=_ctx(a, _config=a.fields(*fields), _targets=mods,
                                                    _arch=a.describe(norms=False, positions=False, head=False, biases=False, mlp=bool(set(targets) & set(LINEARS[4:])))))


# --- mixture of experts --------------------------------------------------------------------------


@solver("moe-params", params={
    "config": LLM_CONFIG.eg({"name": "Mixtral-8x7B", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
                             "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "num_local_experts": 8,
                             "num_experts_per_tok": 2}),
    "ask": Text("which count", choices=("total", "active"), example='total'),
})
def moe_params(p: dict) -> Solution:
    """A top-k mixture of experts: total parameters (every expert) or active parameters per token."""
    a = arch(p)
    if a.E < 2:
        raise InvalidParams("a mixture of experts needs num_local_experts ≥ 2")
    parts = a.parts()
    total, active = sum(parts.values()), a.active()
    expert = parts["mlp"] // (a.L * a.E)
    ask = p["ask"]
    shared = total - parts["mlp"]
    steps = [
        f"One expert (SwiGLU, 3 matrices): 3 · {_n(a.d)} · {_n(a.ff)} = {_n(expert)}",
        f"Shared parts: embeddings {_n(parts['embed'])} + head {_n(parts['head'])} + attention {_n(parts['attention'])}"
        f" (GQA: 2·d² + 2·d·{_n(a.kv_out)} per layer) + routers {_n(parts['router'])} ({_n(a.d)}·{_n(a.E)} per layer) + norms {_n(parts['norms'])} = {_n(shared)}",
    ]
    dense_equiv = shared - parts["router"] + parts["mlp"] // a.E
    if ask == "total":
        steps.append(f"Experts: {_n(a.L)} layers · {_n(a.E)} experts · {_n(expert)} = {_n(parts['mlp'])}")
        steps.append(f"Total = {_n(shared)} + {_n(parts['mlp'])} = {_n(total)}")
        m = {"counted only the top-k experts (the active count)": active,
             f"multiplied a whole dense model by {_n(a.E)} (experts share attention and embeddings)": a.E * dense_equiv,
             "forgot the untied LM head" if not a.tied else "counted a separate LM head": total - parts["embed"] if not a.tied else total + parts["embed"],
             "forgot the attention blocks": total - parts["attention"]}
        answer = total
    elif ask == "active":
        steps.append(f"Active experts: {_n(a.L)} layers · top-{_n(a.k)} · {_n(expert)} = {_n(a.L * a.k * expert)}")
        steps.append(f"Active = {_n(shared)} + {_n(a.L * a.k * expert)} = {_n(active)}")
        steps.append(f"Forward FLOPs per token ≈ 2 · active = {fmt(2 * active)}, against 2 · total = {fmt(2 * total)} if every expert ran:"
                     f" {fmt(total / active, 3)}× fewer")
        m = {"counted every expert (the total)": total,
             f"scaled the total by k/E = {_n(a.k)}/{_n(a.E)}": total * a.k // a.E,
             "counted one expert per token (top-1)": shared + a.L * expert,
             "counted only the experts' parameters": a.L * a.k * expert}
        answer = active
    else:
        raise InvalidParams(f"ask must be total or active, got {ask!r}")
    fields = a.fields("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                      "head_dim", "intermediate_size", "num_local_experts", "num_experts_per_tok", "tie_word_embeddings")
    desc = a.describe(positions=False, mlp=False)
    sy = dict(S=("shared parameters (embeddings, head, attention, routers, norms)", shared), L=("layers", a.L),
              P_e=("parameters of one expert", expert))
    f = (formula("S + L*E*P_e", name="total", E=("experts per layer", a.E), **sy) if ask == "total" else
         formula("S + L*k*P_e", name="active", k=("experts per token (top-k)", a.k), **sy))
    return Solution(answer, steps, m, context=_ctx(a, _config=fields, _arch=desc), formulas=[f])


# --- attention cost ------------------------------------------------------------------------------


@solver("attention-cost", params={
    "config": LLM_CONFIG,
    "seq_len": Int("sequence length T in tokens", lo=1),
    "batch": Int("batch size B", lo=1, optional=True),
    "ask": Text("which quantity", choices=("qk_flops", "score_bytes")),
    "dtype": DTYPE_LLM.opt(),
    "unit": UNIT_BYTES.opt(),
})
def attention_cost(p: dict) -> Solution:
    """One layer's QKᵀ: FLOPs (2 per multiply-add, all heads) or the bytes of the n×n score matrices."""
    a = arch(p)
    n, batch = int(p["seq_len"]), int(p.get("batch", 1))
    ask = p["ask"]
    ctx = _ctx(a, _config=a.fields("hidden_size", "num_attention_heads", "head_dim"))
    if ask == "qk_flops":
        macs_head = n * n * a.hd
        answer = 2 * batch * a.H * macs_head
        steps = [f"Per head: Q (n×head_dim) · Kᵀ (head_dim×n) is n² dot products of length head_dim = {_n(n)}² · {_n(a.hd)} = {_n(macs_head)} multiply-adds",
                 f"All heads and the batch: {batch} · {_n(a.H)} · {_n(macs_head)} = {_n(batch * a.H * macs_head)} multiply-adds",
                 f"FLOPs = 2 · multiply-adds = {_n(answer)}"]
        m = {"counted multiply-adds, not FLOPs": answer // 2, "counted one head only": 2 * batch * macs_head,
             "used hidden_size per head instead of head_dim": 2 * batch * a.H * n * n * a.d,
             "counted one query (n·d, as in decoding one token)": 2 * batch * a.H * n * a.hd}
        if batch > 1:
            m["forgot the batch"] = 2 * a.H * macs_head
        f = formula("2*B*H*n**2*d_head", name="FLOPs", B=("batch", batch), H=("attention heads", a.H), n=("sequence length", n), d_head=("head dim", a.hd))
        return Solution(answer, steps, m, context=ctx, formulas=[f])
    if ask == "score_bytes":
        dname, b = _dtype(p)
        uname, u = _unit(p)
        elems = batch * a.H * n * n
        total = elems * b
        answer = total / u
        other = "GB" if uname == "GiB" else "GiB"
        steps = [f"Scores: one n×n matrix per head and sequence: {batch} · {_n(a.H)} · {_n(n)}² = {_n(elems)} elements",
                 f"Bytes: {_n(elems)} · {fmt(b)} = {_n(_num(total))} = {fmt(answer)} {uname}"]
        m = {"counted one head only": total / a.H / u, f"divided by {_n(UNITS[other])} ({other}) instead of {_n(u)}": total / UNITS[other],
             "used n·head_dim (the size of Q) instead of n²": batch * a.H * n * a.hd * b / u,
             "counted elements, not bytes": elems / u}
        if batch > 1:
            m["forgot the batch"] = total / batch / u
        ctx |= {"_dtype": _dtype_words(dname, b), "_unit": UNIT_WORDS[uname]}
        f = formula("B*H*n**2*b/U", name="score memory", B=("batch", batch), H=("attention heads", a.H), n=("sequence length", n),
                    b=("bytes per element", b), U=(f"bytes per {uname}", u))
        return Solution(answer, steps, m, context=ctx, formulas=[f])
    raise InvalidParams(f"ask must be qk_flops or score_bytes, got {ask!r}")


@solver("flash-attention-choice", params={
    "config": LLM_CONFIG,
    "seq_len": Int("sequence length T in tokens"),
    "dtype": DTYPE_LLM,
})
def flash_attention_choice(p: dict) -> Solution:
    """What FlashAttention changes, with this layer's numbers: memory (no n×n scores in HBM), not FLOPs."""
    a = arch(p)
    n = int(p["seq_len"])
    dname, b = _dtype(p)
    flops = 4 * a.H * n * n * a.hd  # QKᵀ and PV, 2 FLOPs per multiply-add each
    score_gib = a.H * n * n * b / 2**30
    g = fmt(flops / 1e9, 4)
    s = fmt(score_gib, 3)
    sol = concept_choice({
        "correct": f"Its FLOPs stay about {g} GFLOP; it never stores the {s} GiB of n×n scores in GPU memory, so extra memory grows as O(n), not O(n²)",
        "why": ("FlashAttention computes exact attention tile by tile in on-chip SRAM with an online softmax: "
                "the same QKᵀ and PV products (plus some recomputation in the backward pass), "
                "but the n×n scores are never written to HBM."),
        "wrong": {
            f"It cuts the FLOPs from about {g} GFLOP to O(n) by skipping most of the n×n scores":
                "It still computes every one of the n² scores; it is exact, not sparse, so the FLOPs do not drop.",
            f"It approximates the softmax, so it needs fewer FLOPs but the {s} GiB of scores are still stored":
                "It is exact (an online softmax over tiles) and it is the score storage that goes away.",
            "It shrinks the KV cache by sharing keys and values between heads":
                "That is grouped- or multi-query attention; FlashAttention does not change what is cached.",
            f"It keeps the {s} GiB of scores but stores them in a smaller dtype (fp8) to save memory":
                "It does not store the n×n scores at all; the saving is not a smaller dtype.",
        },
        "concept": "FlashAttention computes exact attention tile by tile in on-chip SRAM: ask which cost that changes, "
                   "the arithmetic or the memory the n×n scores need.",
    })
    sol.context = _ctx(a, _config=a.fields("num_attention_heads", "head_dim"), _dtype=_dtype_words(dname, b))
    sol.steps = [
        f"Standard attention per layer: QKᵀ and PV are 2 · {_n(a.H)} · {_n(n)}² · {_n(a.hd)} multiply-adds = {g} GFLOP (2 FLOPs each)",
        f"It also writes the scores to GPU memory: {_n(a.H)} · {_n(n)}² · {_bytes(b)} = {s} GiB",
        *sol.steps,
    ]
    return sol
