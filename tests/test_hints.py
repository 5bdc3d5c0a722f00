"""Progressive hints: ``?`` the hint, a second ``?`` the topic's formula with its symbols named,
a third the first checkpoint's value — never the answer itself.

Oracle: the bank's own hint and explain formulas, and the first layer of mlp-params worked by
hand (Linear(2, 1024): 2·1024 + 1024 = 3072).
"""

from __future__ import annotations

import pytest
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
    assert "parameters of layer 1, Linear(2, 1024, bias=True) = 3072" in out
    assert "No more hints" in out and "Correct" in out


def test_the_formula_shown_is_the_one_for_the_question(bank):
    out = quiz("conv-layer-params", "?\n?\nq\n")
    assert "Conv2d: K·K·(C_in / groups)·C_out + C_out" in out and "Linear: n·m + m" not in out


def test_the_third_hint_never_gives_the_answer_away(bank):
    out = quiz("conv-layer-params", "?\n?\n?\nq\n")  # the first step is the weights: 11·11·3·96 = 34848
    assert "Hint 3, the first step: weights = 34848" in out and "34944" not in out
    out = quiz("residual-grad-choice", "?\n?\n?\nquit\n")  # multiple choice: no steps to give
    assert "Hint 3" not in out


def test_question_marks_in_one_line_ask_that_many_levels(bank):
    out = quiz("mlp-params", "???\n??\n529411\n")  # ??? : levels 1-3 at once; ?? then: nothing is left
    q = bank.questions["mlp-params"]
    assert out.index(" ".join(q.hint.split())) < out.index("Hint 2, the formula") < out.index("Hint 3, the first step")
    assert out.count("No more hints") == 1 and "could not read" not in out and "Correct" in out
    out = quiz("mlp-params", "?\n??\n529411\n")  # ? then ?? : levels 1, then 2 and 3
    assert "Hint 2, the formula" in out and "Hint 3, the first step" in out and "No more hints" not in out


def test_on_multiple_choice_letters_choose_options_and_only_question_marks_ask_hints():
    # 8 options A–H; the answer of this variant is H (residual-grad-choice --seed 699215)
    for typed in ("H", "h"):
        r = runner.invoke(app, ["quiz", "-q", "residual-grad-choice", "--seed", "699215", "--no-save"], input=typed + "\n",
                          env={"COLUMNS": "120"})
        out = " ".join(r.output.split())
        assert "Correct" in out and "Answer: H)" in out and "Hint" not in out
    r = runner.invoke(app, ["quiz", "-q", "residual-grad-choice", "--seed", "699215", "--no-save"], input="??\nskip\n",
                      env={"COLUMNS": "120"})
    out = " ".join(r.output.split())
    assert "Hint" in out and "Skipped" in out and "pick one of" not in out
    assert "? hint · skip · quit" in out  # the answer line names the commands that are not letters


def test_command_syntax_on_choice_and_other_questions():
    from drill.session import command, is_command

    for letter in "hsqHSQ":
        assert command(letter, choice=True) is None  # an option letter, always
    assert command("h", choice=False) == ("hint", 1) and command("s") == ("skip", 1) and command("q") == ("quit", 1)
    for choice in (True, False):
        assert command("?", choice) == ("hint", 1) and command(" ??? ", choice) == ("hint", 3)
        assert command("skip", choice) == ("skip", 1) and command("QUIT", choice) == ("quit", 1)
        assert command("0.5", choice) is None and command("?1", choice) is None
    assert all(is_command(c) for c in ("?", "??", "s", "w", "yes", "quit")) and not is_command("42")


def test_commands_stay_out_of_the_answer_history(tmp_path):
    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from drill.lineedit import answers_only

    for hist in (answers_only(InMemoryHistory)(), answers_only(FileHistory)(str(tmp_path / "history-answers"))):
        for typed in ("?", "??", "s", "w", "3072", "skip", "0.25", "q"):
            hist.append_string(typed)
        assert list(hist.get_strings()) == ["3072", "0.25"]
    assert "3072" in (tmp_path / "history-answers").read_text()
