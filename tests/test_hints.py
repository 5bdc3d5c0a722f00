"""Progressive hints: ``?`` the hint, a second ``?`` the solver's first declared formula with each
symbol named and its value here (a concept question: its concept hint), a third the first
checkpoint's value — never the answer itself.

Oracle: the bank's own hint, and conv-output-size seed 0 worked by hand (9×13 input, 3×3 kernel,
stride 2, padding 1: ⌊(9 + 2 − 3)/2⌋ + 1 = 5, ⌊(13 + 2 − 3)/2⌋ + 1 = 7).
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
    out = quiz("conv-output-size", "?\n?\n?\n?\n5x7\n")  # 3×3 kernel, stride 2, padding 1 on 9×13
    q = bank.questions["conv-output-size"]
    hint_at, formula_at, step_at = out.index(" ".join(q.hint.split())), out.index("Hint 2, the formula"), out.index("Hint 3, the first step")
    assert hint_at < formula_at < step_at
    assert "H' = ⌊(H + 2·P − K) / S⌋ + 1" in out  # the solver's declared formula, printed from its expression
    assert "H: input height = 9 P: padding per side = 1 K: kernel height = 3 S: stride = 2" in out  # named, with this variant's values
    assert "output height H' = 5" in out
    assert "No more hints" in out and "Correct" in out


def test_conv_output_size_seed_0_shows_the_floor_formula_not_same_padding(bank):
    """Issue 20: the word-overlap guess showed the 'same'-padding formula here."""
    out = quiz("conv-output-size", "?\n?\nq\n")
    formula = out[out.index("Hint 2"):]
    assert "⌊(H + 2·P − K) / S⌋ + 1" in formula and "same" not in formula and "D·(K − 1) / 2" not in formula


def test_a_concept_question_gets_its_concept_hint_never_a_formula(bank):
    """Issue 20: every concept question was shown the softmax formula."""
    out = quiz("multiclass-output-layer", "?\n?\n?\nq\n")
    assert "Hint 2, the concept: The K outputs must form one probability distribution over the classes" in out
    assert "the formula" not in out and "softmax(z)" not in out and "Σ" not in out
    assert "No more hints" in out


def test_the_formula_shown_is_the_one_for_the_question(bank):
    out = quiz("conv-layer-params", "?\n?\nq\n")  # AlexNet conv1: 11×11 kernels, 3 channels in, 96 filters
    assert "params = K·K·C_in·C_out + C_out" in out and "K: kernel size = 11" in out and "C_out: output channels (filters) = 96" in out
    assert "n·m + m" not in out
    out = quiz("mlp-params", "?\n?\nq\n")  # a network: the first learned layer's formula, for its checkpoint
    assert "Linear params = n·m + m n: input features = 2 m: output features = 1,024" in out


def test_the_third_hint_never_gives_the_answer_away(bank):
    out = quiz("conv-layer-params", "?\n?\n?\nq\n")  # the first step is the weights: 11·11·3·96 = 34848
    assert "Hint 3, the first step: weights = 34,848" in out and "34,944" not in out and "34944" not in out
    out = quiz("residual-grad-choice", "?\n?\n?\nquit\n")  # multiple choice: no steps to give
    assert "Hint 3" not in out


def test_a_choice_question_without_a_hint_still_gets_the_formula_at_level_2(bank):
    import dataclasses
    import io

    from rich.console import Console

    from drill.tui import quiz_view as ui
    from drill.core.variants import make_variant

    v = make_variant(dataclasses.replace(bank.questions["residual-grad-choice"], hint=""), 0)
    out = io.StringIO()
    console = Console(file=out, width=100)
    ui.hint(console, v, 1)
    ui.hint(console, v, 2)
    text = " ".join(out.getvalue().split())
    assert "rule out the options" in text and "Hint 2, the formula: dL/dx = u·(1 + dG·dH)" in text
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
    from drill.practice.session import command, is_command

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

    from drill.tui.lineedit import answers_only

    for hist in (answers_only(InMemoryHistory)(), answers_only(FileHistory)(str(tmp_path / "history-answers"))):
        for typed in ("?", "??", "s", "w", "3072", "skip", "0.25", "q"):
            hist.append_string(typed)
        assert list(hist.get_strings()) == ["3072", "0.25"]
    assert "3072" in (tmp_path / "history-answers").read_text()
