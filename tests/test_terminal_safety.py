"""What reaches the terminal (issue 12): typed and stored text is shown, never interpreted, in the
summaries, the interview report, stats and errors; odd terminals (COLUMNS=0, stdin closed, a
$PAGER that is not installed) still get their output; -n is bounded before anything is planned.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from rich.console import Console
from typer.testing import CliRunner

from drill.cli import app
from drill.store.progress import open_store

runner = CliRunner()
HOSTILE = "1 #\x1b]0;PWNED\x1b\\\x1b[2J\x9b31m"  # a valid answer (1, then a comment) carrying OSC, CSI and a C1 CSI
RAW = ("\x1b", "\x9b", "\x07")


def clean(output: str) -> None:
    for c in RAW:
        assert c not in output, repr(output)


def test_the_quiz_summary_shows_typed_text_escaped():
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0", "--no-save"], input=HOSTILE + "\n")
    assert r.exit_code == 0, r.output
    assert "Look again at" in r.output and "\\x1b]0;PWNED" in r.output
    clean(r.output)


def test_the_interview_report_shows_typed_text_escaped():
    r = runner.invoke(app, ["interview", "-t", "param-counts", "-n", "1", "--seed", "3"], input=HOSTILE + "\n")
    assert r.exit_code == 0, r.output
    assert "Interview report" in r.output and "PWNED" in r.output
    clean(r.output)


def test_stats_shows_stored_text_escaped(tmp_path):
    db = tmp_path / "p.db"
    st = open_store(db)
    st.record(question_id="q\x1b[2J", topic="t\x1b]0;x\x07", seed=1, answer=HOSTILE, status="wrong", mistake="m\x1b]52;c;eA==\x07",
              seconds=1.0, session=("quiz", 1))
    st.close()
    r = runner.invoke(app, ["stats", "--db", str(db)], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "\\x1b[2J" in r.output
    clean(r.output)
    j = runner.invoke(app, ["stats", "--db", str(db), "--json"])
    assert j.exit_code == 0
    clean(j.output)


def test_errors_show_typed_text_as_typed():
    r = runner.invoke(app, ["quiz", "-t", "[bold]x[/bold] [/]\x1b[2J", "--no-save"])
    assert r.exit_code == 2
    assert "[bold]x[/bold] [/]" in r.output and "internal error" not in r.output
    clean(r.output)


@pytest.mark.parametrize("args", [["quiz", "-n", "100000000"], ["review", "-n", "100000000"], ["interview", "-n", "100000000"],
                                  ["generate", "mlp-params", "-k", "100000000"], ["quiz", "-n", "0"]])
def test_counts_are_bounded_before_anything_is_planned(args):
    r = runner.invoke(app, [*args, "--no-save"] if args[0] == "quiz" else args)
    assert r.exit_code == 2, r.output
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --count must be from 1 to 10,000") or "Invalid value" in r.output


def test_columns_zero_still_prints():
    r = runner.invoke(app, ["list"], env={"COLUMNS": "0"})
    assert r.exit_code == 0 and "mlp-params" in r.output
    e = runner.invoke(app, ["quiz", "-t", "no-such-topic", "--no-save"], env={"COLUMNS": "0"})
    assert e.exit_code == 2 and "unknown topic 'no-such-topic'" in e.output


def test_stdin_closed_is_end_of_input():
    env = {**os.environ, "DRILL_BANK": ""}
    out = subprocess.run(["sh", "-c", f"'{sys.executable}' -m drill quiz -n 1 --seed 1 --no-save <&-"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "internal error" not in out.stderr and "drill quiz" in out.stdout


def test_a_missing_pager_prints_the_walkthrough(monkeypatch):
    from drill.tui import explain_page as explain
    from drill.core.bank import load_bank

    monkeypatch.setenv("PAGER", "/no/such/pager -R")
    monkeypatch.delenv("MANPAGER", raising=False)
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, height=10, width=100)
    w = explain.build(load_bank(), "skip-connection", 0)
    assert explain.show(console, explain.render(w)) is False
    assert "What it is" in buf.getvalue()
    assert explain._pager_runs("less") is (__import__("shutil").which("less") is not None)
    assert explain._pager_runs(None) is True
