"""Issue 19: no bank text and no typed text ever writes to the terminal. Every command that shows
bank text runs over every file of ``tests/hostile_banks/`` (escape sequences in titles, prompts,
options, the key, mistake names, worked steps, hints, graph node names and explain sections; C1
controls, bidi overrides, OSC 0/8/52) and over a hostile typed answer, and what reaches stdout and
stderr is checked for raw control characters: only the newline and the tab may pass. In process
(CliRunner) with plain output; one subprocess for a pipe and one pty (pexpect) for the line editor.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.cli import app

CORPUS = Path(__file__).parent / "hostile_banks"
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
# a valid number answer (1, then a comment) carrying an OSC 52 clipboard write, a window title, a
# C1 CSI, a clear-screen and a bidi override
TYPED = "1 #\x1b]52;c;cHduZWQ=\x1b\\\x1b]0;PWNED-TYPED\x07\x9b31m\x1b[2J\u202e"
# what a hostile bank or answer plants: none may reach a terminal raw, even where drill's own
# styling legitimately writes escape sequences (a pty)
PAYLOADS = ("\x1b]52;", "\x1b]0;PWNED", "\x1b]8;;https://example.invalid", "\x9b", "\x1b[2J", "\x1b[31m", "\u202e", "\x07", "\x85")


def raw_controls(text: str) -> list[str]:
    """Every character a terminal would act on or that reorders text: C0 and C1 controls (but the
    newline and the tab), DEL, and format characters such as bidi overrides (category Cc, Cf)."""
    return sorted({c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t"})


def assert_clean(result, what) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internal error" not in out, (what, out[-2000:])
    assert raw_controls(out) == [], (what, raw_controls(out))
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A bank folder holding every file of the corpus (each loads, or is one warning line)."""
    d = tmp_path_factory.mktemp("hostile")
    for p in CORPUS.glob("*.yaml"):
        shutil.copy(p, d / p.name)
    return d


def run(args, hostile, input=None, home=None):
    env = {"DRILL_BANK": str(hostile), "COLUMNS": "100", "NO_COLOR": "1"}
    if home is not None:
        env["DRILL_HOME"] = str(home)
    return runner.invoke(app, args, input=input, env=env)


def loaded_ids(hostile) -> list[str]:
    """The corpus questions a quiz can ask: loaded as the quiz loads them, with the solvers (whose
    declared params refuse some at load, e.g. a float epoch)."""
    from drill.core.bank import load_bank
    from drill.solvers import all_solvers

    return sorted(load_bank([hostile], solvers=all_solvers()).questions)


def test_the_corpus_plants_every_kind_of_payload(hostile):
    """The corpus itself carries what this module looks for (else a clean output proves nothing)."""
    text = "".join(p.read_text() for p in CORPUS.glob("*.yaml"))
    for planted in (r"\e]52;", r"\e]0;PWNED", r"\e]8;;https://example.invalid", r"\x9b", r"\e[2J", r"\u202e", r"\x85", r"\a"):
        assert planted in text, planted
    assert {"hostile-escapes", "hostile-choice", "hostile-graph", "hostile-markup"} <= set(loaded_ids(hostile))


def test_a_cache_entry_holding_escapes_is_made_safe_when_read():
    """The bank cache is a file on disk: what it holds is escaped again when a Question is rebuilt,
    and the control characters the loader saw travel with it for drill check."""
    from drill.core import bank as bank_mod

    questions, errors, explanation = bank_mod._load_file(CORPUS / "escapes_everywhere.yaml")
    plain = bank_mod._to_plain(questions, errors, explanation)
    plain["questions"][0][2] = "tampered \x1b]0;CACHE\x07 \u202e"  # the title, written raw into the entry
    plain["explanation"]["summary"] = "tampered \x1b[2J"
    back_questions, _, back_explanation = bank_mod._from_plain(plain)
    assert back_questions[0].title == "tampered \\x1b]0;CACHE\\x07 \\u202e"
    assert back_explanation.summary == "tampered \\x1b[2J"
    assert [f for f, _ in back_questions[0].control] == ["title", "prompt", "hint", "source", "answer", "params"]
    assert back_questions[1].control == (("title", "\x1b"), ("params", "\x1b"))


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["check", "--variants", "2", "--workers", "1"], ["stats"], ["stats", "--json"],
                                  ["explain"], ["explain", "hostile-everywhere", "--seed", "0"], ["explain", "hostile-everywhere", "--seed", "3"]])
def test_listing_checking_and_explaining_the_corpus(args, hostile):
    out = assert_clean(run(args, hostile), args)
    if args[0] == "explain" and len(args) > 1:
        assert "\\x1b]52;c;R1JBUEgK\\x07" in out and "\\x1b]0;PWNED-EXPLAIN\\x07" in out  # shown, escaped
    if args[0] == "check":
        assert "the hint holds a control character (\\x9b" in out.replace("\n", " ") or "\\x9b" in out


def test_generate_every_question_of_the_corpus(hostile):
    for qid in loaded_ids(hostile):
        if not qid.startswith("hostile-"):
            continue
        for extra in ([], ["--json"]):
            r = run(["generate", qid, "--seed", "0", *extra], hostile)
            out = assert_clean(r, (qid, extra))
            if extra and r.exit_code == 0:
                row = json.loads(r.stdout.strip().splitlines()[-1])
                assert raw_controls(json.dumps(row, ensure_ascii=False)) == []  # the data itself is safe, not only its escaping


def quiz_input(qid: str) -> str:
    """A hint, the hostile typed answer (unreadable or wrong), a wrong answer, work through the
    steps (each step answered with the hostile text, then skipped), and quit."""
    wrong = "A" if qid == "hostile-choice" else "1"
    return "?\n" + TYPED + "\n" + wrong + "\n" + "y\n" + (TYPED + "\ns\n") * 6 + "q\n"


def test_quiz_every_question_of_the_corpus_with_a_hostile_answer(hostile):
    for qid in loaded_ids(hostile):
        if not qid.startswith("hostile-"):
            continue
        r = run(["quiz", "-q", qid, "--seed", "0", "--no-save"], hostile, input=quiz_input(qid))
        out = assert_clean(r, qid)
        assert "Session summary" in out or "No questions answered" in out or "skipped a broken question" in out, (qid, out[-1500:])
    r = run(["quiz", "-q", "hostile-choice", "--seed", "0", "--no-save"], hostile, input=quiz_input("hostile-choice"))
    out = assert_clean(r, "choice")
    assert "\\x1b]52;c;S0VZCg==\\x07" in out and "\\u202eevil" in out  # the key, the title: shown escaped


def test_a_typed_expression_is_echoed_escaped(hostile):
    r = run(["quiz", "-q", "activation-derivative-formula", "--seed", "0", "--no-save"], hostile, input="x #\x1b]52;c;cHduZWQ=\x1b\\\n")
    out = assert_clean(r, "expression")
    assert "You answered x #\\x1b]52;c;cHduZWQ=\\x1b\\" in out


def test_interview_review_and_explain_try_over_the_corpus(hostile, tmp_path):
    home = tmp_path / "home"
    answers = (TYPED + "\n" + "A\n1\n") * 4
    r = run(["interview", "-t", "hostile-everywhere", "-t", "hostile-escapes", "-n", "3", "--seed", "1"], hostile, input=answers, home=home)
    out = assert_clean(r, "interview")
    assert "Interview report" in out
    r = run(["quiz", "-t", "hostile-everywhere", "-t", "hostile-escapes", "-n", "3", "--seed", "1"], hostile, input=answers, home=home)
    assert_clean(r, "quiz, saved")
    r = run(["review", "--json"], hostile, home=home)
    assert_clean(r, "review --json")
    r = run(["review", "-n", "3"], hostile, input=quiz_input("hostile-choice") * 3, home=home)
    assert_clean(r, "review")
    r = run(["explain", "hostile-everywhere", "--try", "--seed", "0"], hostile, input=quiz_input("hostile-graph") * 3, home=home)
    assert_clean(r, "explain --try")
    for args in (["stats"], ["stats", "--json"]):
        assert_clean(run(args, hostile, home=home), args)


def test_quiz_json_keeps_c1_and_bidi_escaped(hostile, tmp_path):
    r = run(["quiz", "-q", "hostile-choice", "--seed", "0", "--json"], hostile, input=TYPED + "\nA\n", home=tmp_path)
    out = assert_clean(r, "quiz --json")
    doc = json.loads(r.stdout)
    assert doc["answers"] if "answers" in doc else doc
    assert raw_controls(json.dumps(doc, ensure_ascii=False)) == []


def test_the_anki_deck_holds_no_raw_control_characters(hostile, tmp_path):
    deck = tmp_path / "h.apkg"
    r = run(["export", "anki", str(deck), "-t", "hostile-everywhere", "-t", "hostile-escapes"], hostile)
    assert_clean(r, "export anki")
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(deck) as z:
        name = next(n for n in z.namelist() if n.startswith("collection.anki2"))
        db = tmp_path / "c.anki2"
        db.write_bytes(z.read(name))
    con = sqlite3.connect(db)
    fields = [f for (flds,) in con.execute("select flds from notes") for f in flds.split("\x1f")]  # \x1f: Anki's field separator
    con.close()
    assert fields and any("PWNED" in f for f in fields)
    assert raw_controls("".join(fields)) == []


def test_a_pipe_gets_no_raw_control_characters(hostile, tmp_path):
    env = {**os.environ, "DRILL_BANK": str(hostile), "DRILL_HOME": str(tmp_path), "COLUMNS": "100"}
    env.pop("DRILL_DEBUG", None)
    p = subprocess.run([sys.executable, "-m", "drill", "quiz", "-q", "hostile-escapes", "-q", "hostile-graph", "--seed", "0", "--no-save"],
                       input=(TYPED + "\n3\n" + TYPED + "\n11\n").encode(), capture_output=True, cwd=ROOT, env=env, timeout=120)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    assert p.returncode == 0, out[-2000:]
    assert raw_controls(out) == [], raw_controls(out)
    assert "\\x1b]0;PWNED" in out and "fc\\x1b]52;c;R1JBUEgK\\x07" in out


def test_a_pty_gets_none_of_the_planted_sequences(hostile, tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "DRILL_BANK": str(hostile), "DRILL_HOME": str(tmp_path), "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
    env.pop("DRILL_DEBUG", None)
    child = pexpect.spawn(sys.executable, ["-m", "drill", "quiz", "-q", "hostile-choice", "-q", "hostile-graph", "--seed", "0", "--no-save"],
                          cwd=str(ROOT), env=env, encoding="utf-8", timeout=60, dimensions=(40, 100))
    log = io.StringIO()
    child.logfile_read = log
    # the line editor's own prompt, drawn once the terminal is in raw mode (the kernel echoes nothing)
    prompt = "\x1b[?2004h"
    child.expect_exact(prompt)
    child.send("\x1b[200~" + TYPED + "\x1b[201~\r")  # a bracketed paste of the hostile answer
    child.expect_exact(prompt)
    child.send("A\r")
    child.expect(["answer", "work", "steps", pexpect.TIMEOUT], timeout=20)
    child.send("q\r")
    child.expect(pexpect.EOF, timeout=60)
    out = log.getvalue()
    assert "Pick one" in out, out[-2000:]
    for planted in PAYLOADS:
        at = out.find(planted)
        assert at < 0, (planted, repr(out[max(0, at - 200):at + 60]))


def test_the_json_writer_escapes_c1_and_bidi_and_reads_back_the_same():
    from drill.core.textsafe import json_line

    data = {"answer": "1 \x9b31m \u202eevil \x1b]52;c;eA==\x07", "tab\tnew\nline": ["\x85"]}
    line = json_line(data)
    assert raw_controls(line) == [] and "\\u009b" in line and "\\u202e" in line
    assert json.loads(line) == data
