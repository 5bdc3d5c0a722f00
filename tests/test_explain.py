"""drill explain: every topic has a walkthrough whose worked example agrees with the solver and
the hand-written key; the list, unknown topics, seeding, plain piped output; pictures render."""

from __future__ import annotations

import copy
import io
import math
import re

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from drill.tui import explain_page as ex
from drill.core.bank import Question, SelectionError
from drill.cli import app
from drill.core.formulas import pretty
from drill.core.grading import answer_type
from drill.tui.pictures import PICTURES, activation_plots, picture_for, residual_graph, window_strip
from drill.core.variants import Variant, make_variant
from drill.solvers import get
from drill.solvers._fmt import fmt
from tests.test_startup import modules_after

runner = CliRunner()


def text_of(renderable, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width)
    console.print(renderable)
    return console.file.getvalue()


def squash(text: str) -> str:
    """Whitespace-insensitive text (rich wraps long lines)."""
    return " ".join(text.split())


# --- every topic: text, formula, worked example, mistakes ---------------------------------


def test_every_topic_has_an_explain_section(bank):
    assert set(bank.topics()) <= set(bank.explanations)
    for topic, explanation in bank.explanations.items():
        assert bank.questions[explanation.example].topic == topic
        assert not explanation.formulas, f"{topic}: a hand-written formula in explain (formulas are declared by the solvers)"


def test_the_formulas_shown_are_the_declared_ones_each_once(bank):
    """conv-shapes: the floor formula of conv-output-size (the example), the dilated one, the
    transposed one, 'same' padding … — each printed from its expression, symbols named, once."""
    w = ex.build(bank, "conv-shapes", 0)
    text = squash(text_of(ex.render(w), width=4000))
    shown = [f"{f.name} = {pretty(f.expr)}" for f in w.formulas]
    assert shown[0] == "H' = ⌊(H + 2·P − K) / S⌋ + 1"  # the example's own, first
    assert "H' = ⌊(H + 2·P − D·(K − 1) − 1) / S⌋ + 1" in shown and "P = D·(K − 1) / 2" in shown
    assert len(shown) == len(set(shown))
    assert text.index("Formulas") < text.index("H' = ⌊(H + 2·P − K) / S⌋ + 1 H input height P padding per side K kernel height S stride")
    assert text.count("H' = ⌊(H + 2·P − K) / S⌋ + 1") == 1
    seen = {(f.expr, tuple(s.name for s in f.symbols)) for f in w.formulas}
    for q in bank.topics()["conv-shapes"]:  # every question's canonical formulas are among them
        for f in make_variant(q, 0).formulas:
            assert (f.expr, tuple(s.name for s in f.symbols)) in seen, q.id


def test_a_topic_without_declared_formulas_has_no_formulas_section(bank):
    w = ex.build(bank, "concepts", 0)  # concept questions declare a concept hint, never a formula
    assert w.formulas == [] and "Formulas" not in text_of(ex.render(w), width=200)


def test_an_old_user_bank_with_hand_written_formulas_still_loads_and_shows_none_of_them(tmp_path):
    from drill.core.bank import builtin_dir, load_bank

    text = (builtin_dir() / "skip_connection.yaml").read_text()
    text = text.replace("explain:\n", "explain:\n  formulas:\n    - formula: \"made up = 42\"\n      where: {x: nothing}\n", 1)
    (tmp_path / "old.yaml").write_text(text.replace("topic: skip-connection", "topic: old-skips").replace("- id: ", "- id: old-")
                                     .replace("example: residual-grad", "example: old-residual-grad"))
    bank = load_bank([tmp_path])
    assert bank.explanations["old-skips"].formulas  # read, as before
    out = squash(text_of(ex.render(ex.build(bank, "old-skips", 0)), width=4000))
    assert "made up = 42" not in out and "dL/dx = u·(1 + dG" in out


@pytest.mark.parametrize("seed", [0, 1, 17])
def test_every_topic_has_a_walkthrough(bank, seed):
    for topic in bank.topics():
        w = ex.build(bank, topic, seed)
        text = squash(text_of(ex.render(w), width=4000).replace("│", " "))
        assert squash(w.explanation.summary) in text
        for f in w.formulas:
            assert squash(f"{f.name} = {pretty(f.expr)}") in text
            for sym in f.symbols:
                assert squash(sym.meaning) in text
        assert f"Worked example · {w.question.id} · seed {seed}" in text
        assert squash(w.variant.prompt) in text
        for step in w.variant.steps:
            assert squash(step) in text
        assert f"Answer: {w.variant.expected}" in text
        assert w.mistakes, f"{topic}: a walkthrough without mistakes"
        for what, value in w.mistakes:
            assert squash(what) in text and f"→ {value}" in text
        assert f"drill explain {topic} --try" in text


@pytest.mark.parametrize("seed", [1, 2, 3, 50, 999])
def test_worked_example_matches_a_separate_solver_call(bank, seed):
    """For each topic's example, and for every question named directly (drill explain QUESTION-ID)."""
    names = [(topic, e.example) for topic, e in bank.explanations.items()] + [(qid, qid) for qid in bank.questions]
    for name, qid in names:
        w = ex.build(bank, name, seed)
        q = bank.questions[qid]
        assert w.question is q
        params = make_variant(q, seed).params  # drawn again, separately
        assert params == w.variant.params
        solution = get(q.solver).run(copy.deepcopy(params))
        assert w.variant.steps == solution.steps
        atype = answer_type(q.answer_type, q.variables)
        if q.answer_type == "choice":
            assert w.variant.answer_value == solution.answer
        else:
            assert atype.close(w.variant.answer, atype.coerce(solution.answer), q.tolerance)
        # every mistake shown is the solver's mistake value on these very params
        for what, shown in w.mistakes:
            names = what.split("; or ")
            value = solution.mistakes[names[0]]
            if q.answer_type == "choice":  # the option the mistake picks, e.g. "G) 0.001"
                assert shown.split(") ", 1)[1] == (fmt(value, 4) if isinstance(value, (int, float)) else str(value))
            else:
                assert shown == atype.format(atype.coerce(value))


def test_canonical_walkthrough_reproduces_the_hand_written_key(bank):
    """Seed 0 uses the source's numbers; the worked answer must grade the bank's hand key correct."""
    for topic, explanation in bank.explanations.items():
        w = ex.build(bank, topic, 0)
        key = bank.questions[explanation.example].answer
        assert w.variant.grade(str(key)).correct, (topic, key, w.variant.expected)


def test_a_question_id_explains_its_topic_with_that_question(bank):
    w = ex.build(bank, "residual-grad-choice", 0)
    assert w.topic == "skip-connection" and w.question.id == "residual-grad-choice"
    text = text_of(ex.render(w), width=200)
    assert "A) " in text and "0.101" in text
    assert "drill explain residual-grad-choice --seed 0" in text


# --- the command ----------------------------------------------------------------------------


def test_list_shows_every_topic_with_one_line(bank):
    r = runner.invoke(app, ["explain"])
    assert r.exit_code == 0, r.output
    text = squash(r.output)
    for topic, n, line in ex.topic_lines(bank):
        assert topic in text and squash(line) in text
        assert line == ex.first_sentence(bank.explanations[topic].summary)
        assert line.endswith(".") and line.count(". ") == 0
    assert "A residual block outputs F = x + B(x): the input is added back to what the branch B computes." in text


def test_unknown_topic_is_one_line_with_the_closest_names(bank):
    r = runner.invoke(app, ["explain", "skip-conection"])
    assert r.exit_code == 2
    assert r.output.strip() == "error: unknown topic 'skip-conection'; did you mean skip-connection?"
    r = runner.invoke(app, ["explain", "zzzz"])
    assert r.exit_code == 2
    assert squash(r.output) == "error: unknown topic 'zzzz'; topics: " + ", ".join(sorted(bank.topics()))
    with pytest.raises(SelectionError, match="did you mean softmax-ce"):
        ex.resolve(bank, "softmax")


def test_seed_reproduces_the_walkthrough():
    a = runner.invoke(app, ["explain", "softmax-ce", "--seed", "7"])
    b = runner.invoke(app, ["explain", "softmax-ce", "--seed", "7"])
    c = runner.invoke(app, ["explain", "softmax-ce", "--seed", "8"])
    assert a.exit_code == 0, a.output
    assert a.output == b.output
    assert a.output != c.output
    # without --seed a random seed is drawn and printed; that seed replays it exactly
    d = runner.invoke(app, ["explain", "conv-shapes"])
    seed = int(re.search(r"drill explain conv-shapes · seed (\d+)", d.output).group(1))
    assert runner.invoke(app, ["explain", "conv-shapes", "--seed", str(seed)]).output == d.output


def test_piped_output_is_plain():
    r = runner.invoke(app, ["explain", "skip-connection", "--seed", "1"])
    assert r.exit_code == 0
    assert "\x1b[" not in r.output
    assert "Try a question on this topic now?" not in r.output  # no prompt when not interactive


class RecordingPager:
    def __init__(self) -> None:
        self.shown: list[str] = []

    def show(self, content: str) -> None:
        self.shown.append(content)


def test_long_output_is_paged_only_on_a_terminal(bank):
    w = ex.render(ex.build(bank, "softmax-ce", 1))
    pager = RecordingPager()
    piped = Console(file=io.StringIO(), width=100, height=20)
    assert ex.show(piped, w, pager=pager) is False and not pager.shown
    assert "Worked example" in piped.file.getvalue()
    terminal = Console(file=io.StringIO(), width=100, height=20, force_terminal=True)
    assert ex.show(terminal, w, pager=pager) is True
    assert len(pager.shown) == 1 and "Worked example" in pager.shown[0]
    assert terminal.file.getvalue() == ""
    short = Console(file=io.StringIO(), width=100, height=200, force_terminal=True)
    assert ex.show(short, w, pager=pager) is False and len(pager.shown) == 1


def test_try_runs_a_short_quiz_of_the_topic(bank):
    r = runner.invoke(app, ["explain", "skip-connection", "--seed", "3", "--try"], input="skip\nskip\nskip\n")
    assert r.exit_code == 0, r.output
    assert r.output.count("· skip-connection ·") == 3  # three question panels of the topic
    assert "Session summary" in r.output
    assert "drill quiz -t skip-connection -n 3 --seed 3" in r.output


def test_explain_imports_no_sympy_and_the_list_no_numpy():
    assert modules_after(["explain"]) == (False, False)
    assert modules_after(["explain", "skip-connection", "--seed", "1"])[1] is False


# --- pictures ---------------------------------------------------------------------------------


def test_core_topics_have_pictures(bank):
    for topic in ("conv-shapes", "skip-connection", "softmax-ce", "conv-forward", "pooling", "activations"):
        assert topic in PICTURES
    for topic in ("conv-shapes", "skip-connection", "softmax-ce"):
        assert ex.build(bank, topic, 0).picture is not None


def test_skip_connection_graph_shows_the_gradients(bank):
    w = ex.build(bank, "skip-connection", 0)  # the seed's numbers: dG/dx = dH/dG = dL/dF = 0.1
    text = text_of(w.picture)
    assert "┌" in text and "identity" in text and "▼" in text
    assert re.search(r"x\s+─+▶\s+G\s+─+▶\s+H\s+─+▶\s+\(\+\) = F\s+─+▶\s+L", text)
    for label in ("∂G/∂x = 0.1", "∂H/∂G = 0.1", "∂F/∂H = 1", "dL/dF = 0.1"):
        assert label in text
    # flowing back: dL/dH = 0.1, dL/dG = 0.1·0.1, branch part of dL/dx = 0.1·0.1·0.1
    for back in ("◀ 0.001", "◀ 0.01", "◀ 0.1"):
        assert back in text
    assert "= 0.1 + 0.001 = 0.101" in text


@pytest.mark.parametrize("grads,u", [([0.5, 0.4, 0.9], 1.3), ([0.2, 0.7], 2.0)])
def test_graph_edges_carry_the_chain_rule_products(grads, u):
    answer = u * (1 + math.prod(grads))
    text = text_of(residual_graph(grads, u, answer), width=120)
    flowing = [u * math.prod(grads[i + 1 :]) for i in range(len(grads))]
    for f in flowing:
        assert f"◀ {f:.4g}" in text
    assert f"{answer:.4g}" in text


def fake_variant(topic: str, params: dict, answer, atype: str = "matrix") -> Variant:
    q = Question(id="fake", topic=topic, title="fake", difficulty=1, prompt="", solver="none", params=params, answer=answer, answer_type=atype, source="test")
    t = answer_type(atype)
    return Variant(q, 1, params, "", t.coerce(answer), t, [], {})


def naive_conv(x, w, b, s, p):
    x = np.pad(np.asarray(x, float), p)
    w = np.asarray(w, float)
    k = w.shape[0]
    oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    return [[float((x[i * s : i * s + k, j * s : j * s + k] * w).sum() + b) for j in range(ow)] for i in range(oh)]


def test_conv_grid_highlights_the_first_window():
    x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    w = [[1, 2], [0, -1]]
    out = naive_conv(x, w, 0.5, 2, 0)
    text = text_of(picture_for(fake_variant("conv-forward", {"input": x, "weight": w, "bias": 0.5, "stride": 2, "padding": 0}, out)))
    lines = [squash(line) for line in text.splitlines()]
    assert "input 4×4" in text and "kernel 2×2" in text and "output 2×2" in text
    # the input's first 2×2 window is bracketed, and the output's first cell: 1·1 + 2·2 + 6·(−1) + 0.5
    assert lines[1].startswith("[ 1][ 2] 3 4 [ 1][ 2] [-0.5] 3.5")
    assert lines[2].startswith("[ 5][ 6] 7 8 [ 0][-1] 15.5 19.5")
    assert lines[3] == "9 10 11 12" and lines[4] == "13 14 15 16"
    assert "cross-correlation" in text and "+ bias 0.5" in text


def test_conv_grid_with_padding_shows_the_zeros():
    x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    w = [[1, 1, 1], [1, 1, 1], [1, 1, 1]]
    out = naive_conv(x, w, 0, 1, 1)
    text = text_of(picture_for(fake_variant("conv-forward", {"input": x, "weight": w, "bias": 0, "stride": 1, "padding": 1}, out)))
    lines = [squash(line) for line in text.splitlines()]
    assert lines[1].startswith("[0][0][0] 0 0 [1][1][1] [12] 21 16")
    assert lines[2].startswith("[0][1][2] 3 0 [1][1][1] 27 45 33")
    assert lines[3].startswith("[0][4][5] 6 0 [1][1][1] 24 39 28")
    assert lines[4].startswith("0 7 8 9 0") and "output 3×3" in text


def test_pooling_grid_and_output_shape():
    x = [[1, 3, 2, 0, 1], [4, 2, 1, 5, 2], [0, 1, 3, 2, 2], [2, 6, 1, 0, 4], [1, 1, 1, 1, 1]]
    out = [[4, 5], [6, 3]]  # by hand: max of each 2×2 block, the last row and column dropped (floor)
    text = text_of(picture_for(fake_variant("pooling", {"input": x, "kernel_size": 2, "stride": 2}, out)))
    lines = [squash(line) for line in text.splitlines()]
    assert lines[1] == "[1][3] 2 0 1 [4] 5" and lines[2] == "[4][2] 1 5 2 6 3" and lines[3] == "0 1 3 2 2"
    assert "output 2×2" in text and "floor" in text
    assert picture_for(fake_variant("pooling", {"input": x, "kernel_size": 2}, out)) is not None  # stride defaults to the kernel


def test_conv_shapes_small_grid_matches_the_answer(bank):
    w = ex.build(bank, "conv-shapes", 0)  # 9×13 input, 3×3 kernel, stride 2, padding 1 → 5×7
    text = squash(text_of(w.picture))
    assert "input 9×13, padded to 11×15" in text
    window = text.split("input 9×13, padded to 11×15")[1].split("the first")[0]
    assert window.count("[0]") == 5 and window.count("[·]") == 4 + 1  # 3×3 window at the padded corner (+ the legend's)
    assert "fits 5 times down and 7 times across → 5×7" in text
    assert w.variant.answer == (5, 7)


def test_conv_shapes_strip_counts_the_windows_the_solver_counts(bank):
    q = bank.questions["conv-output-size"]
    for seed in range(1, 40):
        v = make_variant(q, seed)
        text = squash(text_of(picture_for(v), width=120))
        m = re.search(r"(\d+) window positions", text) or re.search(r"fits \d+ times down and (\d+) times across", text)
        assert int(m.group(1)) == v.answer[1], (seed, v.params)


def test_window_strip_shows_the_cells_floor_drops():
    text = text_of(window_strip(10, 3, 3, 0), width=80)  # starts 0, 3, 6 → ends at 9; 1 cell left over
    assert "3 window positions" in text and "the 1 cell after it cannot hold a whole window (floor)" in squash(text)
    assert "··········" in text


def test_softmax_bars_read_p_back_from_the_answer(bank):
    w = ex.build(bank, "softmax-ce", 0)  # logits [2, 1, 0.1], target 0
    text = text_of(w.picture)
    for p in (0.659, 0.242, 0.0986):
        assert f"{p:g}" in text
    assert "-0.341" in text and "0*" in text


def test_activation_plots_with_a_stand_in_table():
    table = {
        "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
        "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    }
    text = text_of(activation_plots(table), width=100)
    assert "relu (line) and its derivative (dots)" in text and "tanh (line) and its derivative (dots)" in text
    assert "·" in text and "-4.0" in text and "4.0" in text
    rows = [line for line in text.splitlines() if "relu (line)" in line]
    assert rows and "tanh (line)" in rows[0]  # side by side at width 100
    narrow = text_of(activation_plots(table), width=50)
    assert not any("relu (line)" in line and "tanh (line)" in line for line in narrow.splitlines())
    assert "\x1b[" not in text


def test_activation_picture_from_the_real_table(bank):
    module = pytest.importorskip("drill.solvers.activations")
    table = module.ACTIVATIONS
    qs = bank.topics().get("activations")
    if not qs:
        pytest.skip("no activations questions in this bank yet")
    picture = ex.build(bank, "activations", 1).picture
    assert picture is not None
    text = text_of(picture, width=100)
    for name in table:
        assert f"{name} (line)" in text


def test_no_picture_where_the_params_do_not_fit(bank):
    assert ex.build(bank, "param-counts", 1).picture is None
    assert picture_for(make_variant(bank.questions["stacked-residual-grad"], 1)) is None
    assert picture_for(make_variant(bank.questions["softmax-ce-loss"], 1)) is None
    assert picture_for(fake_variant("conv-forward", {"input": [[1, 2]], "weight": [[1, 1], [1, 1]]}, 0, "number")) is None


def test_terminal_session_pages_then_offers_a_question():
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys

    env = {**os.environ, "COLUMNS": "100", "LINES": "24", "TERM": "xterm", "PAGER": "cat"}
    child = pexpect.spawn(sys.executable, ["-m", "drill", "explain", "skip-connection", "--seed", "1"], env=env, encoding="utf-8", timeout=30)
    child.expect("Common mistakes")  # through the pager (cat here)
    child.expect(r"Try a question on this topic now\?")
    child.sendline("y")
    child.expect("skip-connection · Backprop through")
    child.expect("answer")
    child.sendline("q")
    child.expect("No questions answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_topic_without_an_explain_section_still_gets_a_walkthrough(tmp_path):
    from drill.core.bank import load_bank

    (tmp_path / "extra.yaml").write_text(
        "format_version: 1\ntopic: residual-extra\nquestions:\n"
        "  - {id: extra-grad, title: Extra residual question, difficulty: 1, prompt: 'F = x + {_branch}, dL/dF = {upstream}?',\n"
        "     solver: residual-grad, params: {local_grads: [0.5, 0.5], upstream: 2}, answer: 2.5, answer_type: number,\n"
        "     source: test, vary: {upstream: {int: [1, 9]}}}\n",
        encoding="utf-8",
    )
    bank = load_bank([tmp_path])
    assert not bank.errors, bank.errors
    w = ex.build(bank, "residual-extra", 0)
    text = squash(text_of(ex.render(w), width=200))
    assert "Questions on residual-extra: Extra residual question." in text
    assert "Answer: 2.5" in text and "forgot the identity path" in text
    assert w.picture is None  # pictures are keyed by topic


def test_matrix_params_are_shown_as_tables(bank):
    q = Question(id="m", topic="skip-connection", title="t", difficulty=1, prompt="Blocks {local_grads}, dL/dF = {upstream}.",
                 solver="stacked-residual-grad", params={"local_grads": [[0.5, 0.4], [0.5, 0.6]], "upstream": 0.1}, answer=0.156,
                 answer_type="number", source="test")
    v = make_variant(q, 0)
    w = ex.Walkthrough("skip-connection", bank.explanations["skip-connection"], v, [], None)
    text = text_of(ex.render(w))
    assert re.search(r"local_grads =\s*│\n│\s+0\.5\s+0\.4\s+│\n│\s+0\.5\s+0\.6", text)


def test_the_pointer_to_explain_promises_pictures_only_for_topics_that_have_one(bank):
    from drill.tui.pictures import PICTURES
    from drill.tui.quiz_view import topic_pointer

    topics = set(bank.topics())
    drawn, plain = sorted(topics & set(PICTURES)), sorted(topics - set(PICTURES))
    assert drawn and plain  # both kinds exist in the built-in bank
    assert all("with pictures" in topic_pointer(t) for t in drawn)
    assert all("with pictures" not in topic_pointer(t) and f"drill explain {t}" in topic_pointer(t) for t in plain)
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0", "--no-save"], input="1\n", env={"COLUMNS": "200"})
    assert ("with pictures" in r.output) == ("param-counts" in PICTURES) and "drill explain param-counts" in r.output
