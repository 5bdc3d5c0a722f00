"""Declared formulas: drill.core.formulas evaluates a formula at its bound symbols and proves it
computes its target (the answer, an entry of it, or a checkpoint)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from drill.core import formulas
from drill.core.bank import load_bank
from drill.solvers import formula
from drill.core.safe_expr import evaluate
from drill.core.variants import make_variant


def _variant(qid: str, seed: int = 0):
    return make_variant(load_bank().questions[qid], seed)


def test_a_formula_is_evaluated_by_drills_own_evaluator():
    f = formula("K*K*C_in*C_out + C_out", K=("kernel size", 11), C_in=("input channels", 3), C_out=("filters", 96))
    assert formulas.value(f) == 34944  # the source's key for AlexNet's conv1 (11·11·3 + 1)·96


def test_a_formula_that_computes_the_answer_is_proven_and_a_wrong_one_is_reported():
    v = _variant("conv-layer-params")
    assert v.answer == 34944
    right = formula("K*K*C_in*C_out + C_out", K=("kernel size", 11), C_in=("input channels", 3), C_out=("filters", 96))
    wrong = formula("K*K*C_in*C_out", K=("kernel size", 11), C_in=("input channels", 3), C_out=("filters", 96))
    assert formulas.problems(dataclasses.replace(v, formulas=[right])) == []
    (problem,) = formulas.problems(dataclasses.replace(v, formulas=[wrong]))
    assert "34848" in problem and "34944" in problem


def test_a_formula_may_compute_one_entry_of_the_answer():
    v = _variant("conv-output-size")  # 3×… input 9×13, kernel 3, stride 2, padding 1 at seed 0
    h, w = v.answer
    f = formula("floor((H + 2*P - K)/S) + 1", target=1, H=("input width", v.params["input_shape"][2]),
                P=("padding per side", v.params["layer"]["padding"]), K=("kernel size", v.params["layer"]["kernel_size"]),
                S=("stride", v.params["layer"]["stride"]))
    assert formulas.value(f) == w
    assert formulas.problems(dataclasses.replace(v, formulas=[f])) == []
    assert formulas.problems(dataclasses.replace(v, formulas=[dataclasses.replace(f, target=5)]))  # no such entry


# --- the contract drill check proves (drill.core.formulas.issues) ---------------------------------


def _keys(v) -> set[str]:
    return {key for key, _ in formulas.issues(v)}


def test_a_symbol_used_but_not_declared_or_declared_but_not_used_is_reported():
    v = _variant("conv-layer-params")
    undeclared = formula("K*K*C_in*C_out + C_out", K=("kernel size", 11), C_in=("input channels", 3))
    unused = formula("K*K*C_in*C_out + C_out", K=("kernel size", 11), C_in=("input channels", 3), C_out=("filters", 96),
                     S=("stride", 4))
    assert _keys(dataclasses.replace(v, formulas=[undeclared])) == {"undeclared:0"}
    (what,) = [w for k, w in formulas.issues(dataclasses.replace(v, formulas=[unused])) if k == "unused:0"]
    assert "S" in what


def test_a_symbol_without_a_meaning_is_reported():
    v = _variant("conv-layer-params")
    f = formula("K*K*C_in*C_out + C_out", K=("", 11), C_in=("input channels", 3), C_out=("filters", 96))
    assert _keys(dataclasses.replace(v, formulas=[f])) == {"meaning:0"}


def test_a_computed_question_without_a_formula_and_a_concept_question_with_one_are_reported():
    v = _variant("conv-output-size")
    assert formulas.issues(v) == []  # its solver declares the floor formula
    assert _keys(dataclasses.replace(v, formulas=[])) == {"none"}
    c = _variant("multiclass-output-layer")
    assert c.concept and not c.formulas and formulas.issues(c) == []
    assert "concept-with-formula" in _keys(dataclasses.replace(c, formulas=v.formulas))


def test_drill_check_reports_a_formula_problem_in_the_formula_field_at_its_first_seed(bank, monkeypatch):
    from drill.authoring import check as checking

    def forgot_the_plus_one(q, seed):
        v = make_variant(q, seed)
        f = v.formulas[0]
        return dataclasses.replace(v, formulas=[dataclasses.replace(f, expr=f.expr.rsplit("+ 1", 1)[0])])

    monkeypatch.setattr(checking, "make_variant", forgot_the_plus_one)
    failures = [f for f in checking.check_question(bank.questions["conv-output-size"], variants=3) if f.field == "formula"]
    assert len(failures) == 1 and failures[0].seed == 0 and "gives" in failures[0].what and "3 more variants" in failures[0].what


# --- the printer: from the parsed expression -------------------------------------------------


@pytest.mark.parametrize("expr, shown", [
    ("K*K*C_in*C_out + C_out", "K·K·C_in·C_out + C_out"),
    ("floor((H + 2*P - K)/S) + 1", "⌊(H + 2·P − K) / S⌋ + 1"),
    ("x**2", "x²"),
    ("sqrt(d_k)", "√(d_k)"),
    ("a - (b - c)", "a − (b − c)"),
    ("(a - b) - c", "a − b − c"),
    ("a/(b*c)", "a / (b·c)"),
    ("(a*b)/c", "a·b / c"),
    ("(a + b)*c", "(a + b)·c"),
    ("(a*b)*c", "a·b·c"),
    ("(-x)**2", "(−x)²"),
    ("-x**2", "−x²"),
    ("e**(z_i)", "e^(z_i)"),
    ("H // S", "⌊H / S⌋"),
    ("a - -b", "a − (−b)"),
    ("exp(z)/(exp(z) + 1)", "exp(z) / (exp(z) + 1)"),
])
def test_pretty_prints_the_parsed_expression_with_minimal_parentheses(expr, shown):
    assert formulas.pretty(expr) == shown


@pytest.mark.parametrize("expr", ["K*K*C_in*C_out + C_out", "floor((H + 2*P - K)/S) + 1", "a - (b - c)", "a/(b*c)", "(a*b)/c",
                                  "(-x)**2", "-x**2", "a - -b", "2**(a - 1)", "(a/b)/c", "a/(b/c)"])
def test_what_is_printed_evaluates_to_what_is_proven(expr):
    """The printed form read back by drill's own evaluator (⌊⌋ as floor) gives the same value."""
    env = {"K": 3, "C_in": 5, "C_out": 7, "H": 13, "P": 1, "S": 2, "a": 11, "b": 3, "c": 7, "x": 1.5}
    up = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
    back = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: f"**({m.group().translate(up)})", formulas.pretty(expr))
    back = back.replace("⌊", "floor(").replace("⌋", ")")
    assert evaluate(back, env) == pytest.approx(evaluate(expr, env))


# --- one layer's parameter formula (solvers._layer_formulas), chosen from its arguments --------

LAYERS = [  # (spec, its parameter count worked by hand)
    ({"type": "Conv2d", "in_channels": 3, "out_channels": 96, "kernel_size": 11}, 34944),  # AlexNet conv1, (11·11·3 + 1)·96
    ({"type": "Conv2d", "in_channels": 32, "out_channels": 64, "kernel_size": 3, "groups": 4, "bias": False}, 3 * 3 * 8 * 64),
    ({"type": "Linear", "in_features": 2, "out_features": 1024}, 3072),
    ({"type": "BatchNorm2d", "num_features": 64}, 128),
    ({"type": "LayerNorm", "normalized_shape": 512}, 1024),
    ({"type": "Embedding", "num_embeddings": 50257, "embedding_dim": 768}, 38597376),
    ({"type": "GRU", "input_size": 32, "hidden_size": 64}, 18816),  # 3·(64·32 + 64·64 + 2·64), gru-params' key
    ({"type": "LSTM", "input_size": 10, "hidden_size": 20, "num_layers": 2, "bidirectional": True},
     2 * 4 * (20 * 10 + 20 * 20 + 2 * 20) + 2 * 4 * (20 * 40 + 20 * 20 + 2 * 20)),
    ({"type": "MultiheadAttention", "embed_dim": 512, "num_heads": 8}, 4 * 512 * 512 + 4 * 512),
    ({"type": "TransformerEncoderLayer", "d_model": 512, "nhead": 8, "dim_feedforward": 2048}, 3152384),
]


@pytest.mark.parametrize("spec, count", LAYERS, ids=[s["type"] for s, _ in LAYERS])
def test_a_layers_declared_formula_gives_its_parameter_count(spec, count):
    from drill.solvers._layer_formulas import layer_formula

    f = layer_formula(spec)
    assert formulas.value(f) == count
    assert formulas.names(f.expr) == {s.name for s in f.symbols} and all(s.meaning for s in f.symbols)


@pytest.mark.parametrize("spec, count", LAYERS, ids=[s["type"] for s, _ in LAYERS])
def test_a_layers_declared_formula_matches_torch(spec, count):
    from drill.solvers._layer_formulas import layer_formula
    from tests._torch import build

    layer = build([spec])[0]
    assert formulas.value(layer_formula(spec)) == sum(p.numel() for p in layer.parameters())


def test_the_gru_question_shows_the_gru_formula_not_a_norm_layers(bank):
    """Issue 20: gru-params seed 314329 was shown 'BatchNorm2d / LayerNorm: 2·C' by the word-overlap guess."""
    (f,) = _variant("gru-params", 314329).formulas
    assert formulas.pretty(f.expr) == "3·(H·I + H·H + 2·H)" and formulas.problems(_variant("gru-params", 314329)) == []
