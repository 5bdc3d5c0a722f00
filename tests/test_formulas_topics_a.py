"""Declared formulas of the activations … losses topics: every question whose answer is computed
declares one, and drill's own evaluator proves it computes its target on every variant checked.
A few formulas are also checked against values worked by hand from the prompt's params."""

from __future__ import annotations

import math

import pytest

from drill.core import formulas
from tests.conftest import assert_formulas_proven, variants_of

TOPICS = ["activations", "attention", "backprop-mlp", "batch-norm", "conv-backward", "conv-forward", "decoding",
          "dropout-and-clipping", "edge-detectors", "information-theory", "initialization", "linear-regression", "losses"]
# An expression answer (f'(x) as a formula) is compared as text, not as a number; a kernel choice is a concept.
NO_FORMULA = {"activation-derivative-formula", "edge-kernel-choice"}


def _qids(bank):
    return sorted(q.id for q in bank.questions.values() if q.topic in TOPICS)


def test_every_question_of_these_topics_is_listed(bank):
    assert len(_qids(bank)) == 61
    assert NO_FORMULA <= set(_qids(bank))


def test_each_declared_formula_computes_its_target(bank):
    assert_formulas_proven(bank, _qids(bank), NO_FORMULA)


def test_the_activation_formula_is_the_piece_x_falls_on(bank):
    for v in variants_of(bank, "leaky-relu-family-value", 40):
        x, name = v.params["x"], v.params["name"]
        (f,) = v.formulas
        if name == "leaky_relu":
            assert f.expr == ("x" if x >= 0 else "a*x")
        if name == "elu":
            assert f.expr == ("x" if x > 0 else "alpha*(exp(x) - 1)")


def test_kaiming_declares_the_gain_of_its_nonlinearity_and_the_chosen_fan(bank):
    v = variants_of(bank, "kaiming-normal-std-conv", 0)[0]
    (f,) = v.formulas
    layer, mode, nl = v.params["layer"], v.params["mode"], v.params["nonlinearity"]
    k = layer["kernel_size"]
    fan = (layer["in_channels"] if mode == "fan_in" else layer["out_channels"]) * k * k
    assert {s.name: s.value for s in f.symbols}[mode] == fan
    gain = {"relu": math.sqrt(2), "linear": 1.0}.get(nl, math.sqrt(2 / (1 + v.params.get("a", 0.0) ** 2)))
    assert formulas.value(f) == pytest.approx(gain / math.sqrt(fan))


def test_the_conv_entry_formula_is_the_window_worked_by_hand(bank):
    v = variants_of(bank, "conv2d-forward-bias", 0)[0]
    (f,) = v.formulas
    x, w, b = v.params["input"], v.params["weight"], v.params["bias"]
    kh, kw = len(w), len(w[0])
    by_hand = sum(x[u][c] * w[u][c] for u in range(kh) for c in range(kw)) + b
    assert f.target == 0 and formulas.value(f) == pytest.approx(by_hand)
    assert f.expr.endswith(" + b")


def test_the_triplet_formula_follows_the_distance_asked(bank):
    sq = variants_of(bank, "triplet-loss-squared", 0)[0].formulas[0].expr
    eu = variants_of(bank, "triplet-loss-euclidean", 0)[0].formulas[0].expr
    assert "sqrt" not in sq and eu.count("sqrt(") == 2
