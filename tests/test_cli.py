"""The command line, driven as a user would: CliRunner with piped answers, and one real terminal."""

from __future__ import annotations

import json
import os
import sys

import pytest
from typer.testing import CliRunner

from drill.cli import app
from drill.core.variants import make_variant

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_quiz_correct_wrong_unreadable_skip(bank):
    # --question with --seed replays exact variants: seeds 0 (canonical) for the first question
    r = run("quiz", "-q", "mlp-params", "-q", "conv-output-size", "-q", "residual-grad", "--seed", "0", input="529,411\nfive\n4x6\ns\n")
    assert r.exit_code == 0, r.output
    assert "✓ Correct." in r.output
    # the seed of the 2nd question is 1; its key comes from the same solver
    v = make_variant(bank.questions["conv-output-size"], 1)
    assert "could not read 'five' as a shape" in r.output
    assert "Skipped." in r.output
    assert "Session summary" in r.output and "1/1" in r.output
    assert "drill quiz --question residual-grad --seed 2" in r.output
    assert v.expected in r.output


def test_quiz_names_the_mistake_and_shows_the_solution():
    r = run("quiz", "-q", "conv-layer-params", "--seed", "0", input="34848\n")
    assert "✗ Not quite." in r.output
    assert "Likely mistake: forgot the biases" in r.output
    assert "Worked solution" in r.output and "= 34,944" in r.output
    assert "drill explain param-counts" in r.output


def test_quiz_hint_then_quit():
    r = run("quiz", "-q", "residual-grad", "--seed", "0", input="?\nq\n")
    assert "Hint:" in r.output
    assert "No questions answered." in r.output
    assert r.exit_code == 0


def test_quiz_ends_cleanly_at_end_of_input():
    r = run("quiz", "--seed", "5", "-n", "3", input="1\n")
    assert r.exit_code == 0
    assert "Session summary" in r.output or "No questions answered." in r.output


def test_quiz_session_seed_is_reproducible():
    a = run("quiz", "--seed", "42", "-n", "4", input="")
    b = run("quiz", "--seed", "42", "-n", "4", input="")
    assert a.output == b.output


def test_quiz_unknown_topic_is_one_line():
    r = run("quiz", "--topic", "param-count")
    assert r.exit_code == 2
    assert "unknown topic 'param-count'; did you mean param-counts?" in r.output


def test_generate_json_reproduces_seed_keys():
    r = run("generate", "mlp-params", "--seed", "0", "--json")
    data = json.loads(r.output)
    assert (data["id"], data["seed"], data["answer"], data["answer_type"]) == ("mlp-params", 0, 529411, "integer")
    assert set(data) >= {"id", "topic", "seed", "params", "prompt", "answer", "answer_type"}
    r = run("generate", "conv-output-size", "--seed", "7", "--count", "3", "--json")
    lines = [json.loads(line) for line in r.output.splitlines()]
    assert [d["seed"] for d in lines] == [7, 8, 9]
    assert run("generate", "conv-output-size", "--seed", "7", "--json").output.splitlines()[0] == r.output.splitlines()[0]


def test_list_shows_topics_and_counts(bank):
    r = run("list")
    assert r.exit_code == 0
    for topic, qs in bank.topics().items():
        assert topic in r.output
    assert f"{len(bank.questions)} questions" in r.output


def test_check_passes_and_reports(bank):
    r = run("check", "--variants", "5", "--workers", "1")
    assert r.exit_code == 0, r.output
    assert f"{len(bank.questions)} questions × 6 variants" in r.output


def test_pty_session():
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable, ["-m", "drill", "quiz", "-q", "mlp-params", "--seed", "0"],
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"}, encoding="utf-8", timeout=30,
    )
    child.expect("answer")
    child.sendline("529411")
    child.expect("Correct")
    child.expect("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_hint_never_reveals_a_choice_answer(bank):
    import dataclasses
    import io

    from rich.console import Console

    from drill.tui import quiz_view as ui

    q = dataclasses.replace(bank.questions["residual-grad-choice"], hint="")
    v = make_variant(q, 0)
    out = io.StringIO()
    ui.hint(Console(file=out, width=100), v)
    assert "0.101" not in out.getvalue() and "rule out" in out.getvalue()
