"""The answer prompt on a real pseudo-terminal: editing, history across sessions, completion,
a near miss asked again. Piped input keeps the plain path (tests/test_quiz_input.py).

Oracle: the grade drill prints for the line the keys produce, worked out by hand
(529411 is the canonical key of mlp-params: 784·512+512 + 512·256+256 + 256·10+10 … as its
bank entry shows; sigmoid(2) − 1 is the canonical key of sigmoid-bce-grad).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("prompt_toolkit")

ROOT = Path(__file__).resolve().parents[1]
LEFT, UP = "\x1b[D", "\x1b[A"


def spawn(*args: str):
    env = {k: v for k, v in os.environ.items() if k not in ("DRILL_DEBUG", "DRILL_BANK")}
    # pexpect is no terminal emulator: it never answers prompt_toolkit's cursor-position query
    env.update({"COLUMNS": "100", "LINES": "40", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "drill", *args], env=env, cwd=str(ROOT), encoding="utf-8", timeout=30,
                          dimensions=(40, 100))
    return child


def finish(child, status: int = 0) -> None:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == status


def test_edit_a_typed_answer_with_the_arrow_keys_and_submit_it():
    child = spawn("quiz", "-q", "mlp-params", "--seed", "0")
    child.expect("answer.*›")
    child.send("52911" + LEFT + LEFT + "4")  # the cursor moves back two places: 529411
    child.send("\r")
    child.expect("Correct")
    finish(child)


def test_the_up_arrow_recalls_an_answer_from_an_earlier_session():
    child = spawn("quiz", "-q", "mlp-params", "--seed", "0")
    child.expect("answer.*›")
    child.send("529411\r")
    child.expect("Correct")
    finish(child)
    history = Path(os.environ["DRILL_HOME"]) / "history-answers"
    assert "529411" in history.read_text(encoding="utf-8")
    child = spawn("quiz", "-q", "mlp-params", "--seed", "0")  # a new process: a new session
    child.expect("answer.*›")
    child.send(UP + "\r")
    child.expect("Correct")
    finish(child)


def test_tab_completes_a_function_name_the_evaluator_accepts():
    child = spawn("quiz", "-q", "sigmoid-bce-grad", "--seed", "0")
    child.expect("answer.*›")
    child.send("sigm\t")
    child.expect("sigm.*oid")  # the completion is drawn after what was typed
    child.send("(2) - 1\r")
    child.expect("Correct")
    finish(child)


def test_a_near_miss_is_asked_again_on_a_terminal():
    child = spawn("quiz", "-q", "mlp-params", "--seed", "0")
    child.expect("answer.*›")
    child.send("529000\r")  # 529411 rounded to three figures
    child.expect("close")
    child.expect("exact integer")
    child.expect("answer.*›")
    child.send("529411\r")
    child.expect("Correct")
    finish(child)


def test_a_step_through_session_finds_the_wrong_step():
    child = spawn("quiz", "-q", "mlp-params", "--seed", "0")
    child.expect("answer.*›")
    child.send("529410\r")  # no classic mistake: worth working through
    child.expect("Not quite")
    child.expect("work it through")
    child.send("w\r")
    for typed in ("3072", "524288", "1539"):  # the second layer's biases are missing; the total is no step
        child.expect("step \\d/3")
        child.send(typed + "\r")
    child.expect("first step that went wrong")
    child.expect("step 2, parameters of layer 3")
    child.expect("The answer is")
    child.expect("Worked solution")
    finish(child)


def test_with_json_the_editor_draws_on_stderr_and_stdout_stays_json():
    import json

    env = {k: v for k, v in os.environ.items() if k not in ("DRILL_DEBUG", "DRILL_BANK")}
    env.update({"COLUMNS": "100", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    home = Path(os.environ["DRILL_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    out = home / "summary.json"
    cmd = f"{sys.executable} -m drill quiz -q mlp-params --seed 0 --json --no-save > {out}"
    child = pexpect.spawn("/bin/sh", ["-c", cmd], env=env, cwd=str(ROOT), encoding="utf-8", timeout=30, dimensions=(40, 100))
    child.expect("answer.*›")
    child.send("52911" + LEFT + LEFT + "4\r")
    child.expect("Correct")
    finish(child)
    summary = json.loads(out.read_text(encoding="utf-8"))
    assert summary["correct"] == 1 and summary["attempts"][0]["answer"] == "529411"
