"""Scripting: --json on list and the quiz summary, NO_COLOR / --no-color, completion in --help."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from drill.cli import app
from drill.core.variants import make_variant
from tests.test_startup import modules_after

runner = CliRunner()
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;[0-9;]+)m")  # a foreground colour escape


def test_list_json_is_one_object_per_question(bank):
    r = runner.invoke(app, ["list", "--json"])
    assert r.exit_code == 0
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [d["id"] for d in rows] == list(bank.questions)
    q = bank.questions["conv-layer-params"]
    d = next(d for d in rows if d["id"] == q.id)
    assert d == {"id": q.id, "topic": "param-counts", "title": q.title, "difficulty": q.difficulty,
                 "answer_type": "integer", "solver": "network-params", "file": q.file}


def test_list_json_stays_light():
    assert modules_after(["list", "--json"]) == (False, False)


def test_quiz_json_summary_on_stdout_questions_on_stderr(bank):
    wrong = make_variant(bank.questions["conv-layer-params"], 1)
    name, value = next(iter(wrong.mistakes.items()))
    answers = ["529411", wrong.atype.format(value), "skip"]
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "-q", "conv-layer-params", "-q", "residual-grad", "--seed", "0", "--json"],
                      input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    assert "answer ›" in r.stderr and "Session summary" in r.stderr  # the human side
    data = json.loads(r.stdout)  # exactly one JSON object on stdout
    assert (data["seed"], data["ended"], data["answered"], data["correct"]) == (0, "done", 3, 1)
    assert [a["status"] for a in data["attempts"]] == ["correct", "wrong", "skipped"]
    assert [a["seed"] for a in data["attempts"]] == [0, 1, 2]
    assert data["attempts"][0]["expected"] == "529411"
    assert data["attempts"][1]["mistake"] == name and data["attempts"][1]["expected"] == str(wrong.answer)  # machine output: no separators
    assert data["attempts"][1]["replay"] == "drill quiz --question conv-layer-params --seed 1"
    assert data["by_topic"]["param-counts"]["answered"] == 2 and data["by_topic"]["param-counts"]["correct"] == 1
    assert data["replay"] == "drill quiz -q mlp-params -q conv-layer-params -q residual-grad -n 3 --seed 0"


def test_quiz_json_when_input_ends_early():
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0", "--json"], input="")
    data = json.loads(r.stdout)
    assert (data["ended"], data["answered"], data["attempts"]) == ("eof", 0, [])


def test_colours_follow_no_color_and_the_option():
    args = ["quiz", "-q", "mlp-params", "--seed", "0"]
    coloured = runner.invoke(app, args, input="529411\n", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert COLOUR.search(coloured.output), "sanity: FORCE_COLOR gives colours"
    plain = runner.invoke(app, ["--no-color", *args], input="529411\n", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert "Correct" in plain.output and not COLOUR.search(plain.output)
    env_plain = runner.invoke(app, args, input="529411\n", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "Correct" in env_plain.output and not COLOUR.search(env_plain.output)
    again = runner.invoke(app, args, input="529411\n", env={"FORCE_COLOR": "1", "NO_COLOR": None})
    assert COLOUR.search(again.output), "--no-color does not stick to the next invocation"


def test_help_offers_completion_and_no_color():
    r = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    for option in ("--install-completion", "--show-completion", "--no-color"):
        assert option in r.output
    for command in ("interview", "new", "solvers", "export"):
        assert command in r.output
