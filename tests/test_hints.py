"""Progressive hints: ``?`` the hint, a second ``?`` the topic's formula with its symbols named,
a third the first checkpoint's value — never the answer itself.

Oracle: the bank's own hint and explain formulas, and the first layer of mlp-params worked by
hand (Linear(2, 1024): 2·1024 + 1024 = 3072).
"""

from __future__ import annotations

from typer.testing import CliRunner

from drill.cli import app

runner = CliRunner()


def quiz(qid: str, typed: str) -> str:
    r = runner.invoke(app, ["quiz", "-q", qid, "--seed", "0", "--no-save"], input=typed, env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    return " ".join(r.output.split())


def test_three_question_marks_give_hint_formula_then_first_step(bank):
    out = quiz("mlp-params", "?\n?\n?\n?\n529411\n")
    q = bank.questions["mlp-params"]
    hint_at, formula_at, step_at = out.index(" ".join(q.hint.split())), out.index("Hint 2, the formula"), out.index("Hint 3, the first step")
    assert hint_at < formula_at < step_at
    assert "Linear: n·m + m" in out and "n: " in out and "m: " in out  # the symbols named
    assert "parameters of layer 1, Linear(2, 1024, bias=True) = 3,072" in out
    assert "No more hints" in out and "Correct" in out


def test_the_formula_shown_is_the_one_for_the_question(bank):
    out = quiz("conv-layer-params", "?\n?\nq\n")
    assert "Conv2d: K·K·(C_in / groups)·C_out + C_out" in out and "Linear: n·m + m" not in out


def test_the_third_hint_never_gives_the_answer_away(bank):
    out = quiz("conv-layer-params", "?\n?\n?\nq\n")  # the first step is the weights: 11·11·3·96 = 34848
    assert "Hint 3, the first step: weights = 34,848" in out and "34,944" not in out and "34944" not in out
    out = quiz("residual-grad-choice", "?\n?\n?\nq\n")  # multiple choice: no steps to give
    assert "Hint 3" not in out
