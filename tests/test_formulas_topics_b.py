"""Declared formulas of the llm-arithmetic … regularization topics: every question whose answer is
computed declares one, and drill's own evaluator proves it computes its target on every variant
checked. Some formulas are also checked against published keys and values worked here by another
route (finite differences, Adam's first-step size, the sign of a weight)."""

from __future__ import annotations

import math

import pytest

from drill.core import formulas
from tests.conftest import assert_formulas_proven, variants_of

TOPICS = ["llm-arithmetic", "lr-schedules", "metrics", "normalization", "optimizers", "rnn-cells", "similarity",
          "vanishing-gradients", "regularization"]
# Answers that are a name or an option's text, not a number: their hint is the concept, not a formula.
NO_FORMULA = {"flash-attention-effect", "nearest-cosine-vs-euclidean", "nearest-euclidean-vs-cosine", "max-dot-vs-cosine"}


def _qids(bank):
    return sorted(q.id for q in bank.questions.values() if q.topic in TOPICS)


def _one(bank, qid):
    (f,) = variants_of(bank, qid, 0)[0].formulas
    return f


def test_every_question_of_these_topics_is_listed(bank):
    assert len(_qids(bank)) == 82
    assert NO_FORMULA <= set(_qids(bank))


def test_each_declared_formula_computes_its_target(bank):
    assert_formulas_proven(bank, _qids(bank), NO_FORMULA)


@pytest.mark.parametrize("qid, key", [
    ("llm-params-llama", 6_738_415_616),  # Llama-2-7B
    ("llm-params-gpt2", 124_439_808),  # GPT-2 small
    ("llm-attention-params", 41_943_040),  # Mistral-7B: 2·4096² + 2·4096·1024
    ("kv-cache-per-token", 524_288),  # Llama-2-7B fp16: 2·32·32·128·2
    ("lora-qv-gqa", 3_686_400),  # PEFT README, Qwen2.5-3B r=16
    ("moe-active-params", 12_879_925_248),  # Mixtral 8x7B
    ("zero-sharded-memory", 31.40625),  # ZeRO Figure 1, P_os, Ψ = 7.5B, N_d = 64
])
def test_llm_formulas_give_the_published_keys(bank, qid, key):
    assert formulas.value(_one(bank, qid)) == pytest.approx(key, rel=1e-12)


def test_the_zero_formula_shards_only_what_its_stage_shards(bank):
    assert _one(bank, "zero-sharded-memory").expr == "(2*Psi + 2*Psi + 12*Psi/G)/U"  # stage 1: optimizer states
    assert "/G" not in _one(bank, "adam-training-memory").expr  # stage 0: nothing sharded


def test_gpt2_parameter_formula_has_learned_positions_and_no_separate_head(bank):
    expr = _one(bank, "llm-params-gpt2").expr
    assert "P*d" in expr and expr.count("V*d") == 1  # tied head: the embedding is counted once


def test_warmup_cosine_declares_the_branch_the_step_falls_in(bank):
    for v in variants_of(bank, "warmup-cosine-lr", 30):
        (f,) = v.formulas
        assert ("cos(" in f.expr) == (v.params["step"] >= v.params["warmup"]), v.seed


def test_the_l1_formula_follows_the_sign_of_the_weight(bank):
    for v in variants_of(bank, "l1-subgradient", 30):
        (f,) = v.formulas
        w0, g0, lam = v.params["w"][0], v.params["grad"][0], v.params["lam"]
        by_hand = g0 + (lam if w0 > 0 else -lam if w0 < 0 else 0.0)
        assert formulas.value(f) == pytest.approx(by_hand, abs=1e-12), v.seed


def test_adams_first_step_formula_moves_each_weight_by_about_the_learning_rate(bank):
    for v in variants_of(bank, "adam-first-step", 10):
        (f,) = v.formulas
        w0, g0, lr = v.params["w"][0], v.params["grads"][0][0], v.params["lr"]
        assert formulas.value(f) == pytest.approx(w0 - lr * math.copysign(1.0, g0), rel=1e-5), v.seed  # m̂/√v̂ = sign(g)


def test_the_sigmoid_chain_formula_is_the_finite_difference_slope(bank):
    def chain(x, ws):
        for w in ws:
            x = 1 / (1 + math.exp(-w * x))
        return x

    for v in variants_of(bank, "sigmoid-chain-grad", 10):
        (f,) = v.formulas
        x, ws, h = v.params["x"], v.params["weights"], 1e-6
        slope = (chain(x + h, ws) - chain(x - h, ws)) / (2 * h)
        assert formulas.value(f) == pytest.approx(slope, rel=1e-5, abs=1e-9), v.seed
