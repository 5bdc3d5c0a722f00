"""Declared formulas: drill.formulas evaluates a formula at its bound symbols and proves it
computes its target (the answer, an entry of it, or a checkpoint)."""

from __future__ import annotations

import dataclasses

from drill import formulas
from drill.bank import load_bank
from drill.solvers import formula
from drill.variants import make_variant


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
