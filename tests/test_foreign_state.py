"""drill owns only what is its own and treats its caches, databases and history as untrusted.

Every "foreign" file here is made in a temporary directory; each test runs drill on it and then
checks the real outcome: the foreign file is present and byte-identical, the planted side effect
did not happen, what the learner did was really stored, and the refusal is one line naming the file.
"""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX links and FIFOs")


def drill(*args: str, home: Path, input: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DRILL_DEBUG", "DRILL_BANK", "DRILL_NO_CACHE")}
    env.update({"DRILL_HOME": str(home), "COLUMNS": "100", "OPENBLAS_NUM_THREADS": "1"})
    return subprocess.run([sys.executable, "-m", "drill", *args], input=input, capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout)


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def attempts(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT question_id, answer, status FROM attempts").fetchall()
    finally:
        conn.close()


QUIZ = ("quiz", "-q", "mlp-params", "--seed", "0")
RIGHT = "529411\n"  # the key of mlp-params at seed 0


# --- DRILL_HOME -------------------------------------------------------------------------------

@POSIX
@pytest.mark.parametrize("kind", ["file", "fifo"])
def test_a_drill_home_that_is_not_a_directory_is_one_line_naming_drill_home(tmp_path, kind):
    home = tmp_path / "home"
    if kind == "file":
        home.write_bytes(b"someone's notes\n")
    else:
        os.mkfifo(home)
    r = drill(*QUIZ, home=home, input=RIGHT, timeout=30)
    assert r.returncode == 2
    line = one_line(r.stderr)
    assert "DRILL_HOME" in line and str(home) in line and "must name a directory" in line
    assert (home.read_bytes() == b"someone's notes\n") if kind == "file" else stat.S_ISFIFO(os.lstat(home).st_mode)


# --- the line editor's history ----------------------------------------------------------------

def _quiz_on_a_terminal(home: Path) -> str:
    """Answer mlp-params right on a pseudo-terminal; everything drill showed. Bounded: a prompt
    that blocks (a FIFO opened for writing) fails on pexpect's timeout instead of hanging."""
    pexpect = pytest.importorskip("pexpect")
    pytest.importorskip("prompt_toolkit")
    env = {k: v for k, v in os.environ.items() if k not in ("DRILL_DEBUG", "DRILL_BANK")}
    env.update({"DRILL_HOME": str(home), "COLUMNS": "100", "LINES": "40", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "drill", *QUIZ], env=env, cwd=str(ROOT), encoding="utf-8", timeout=30,
                          dimensions=(40, 100))
    child.logfile_read = shown = io.StringIO()
    child.expect("answer.*›")
    child.send("529411\r")
    child.expect("Correct")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return shown.getvalue()


@POSIX
def test_a_history_file_that_is_a_link_is_left_alone_and_the_answer_still_counts(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    foreign = tmp_path / "someone-elses.txt"
    foreign.write_bytes(b"not drill's\n")
    (home / "history-answers").symlink_to(foreign)
    shown = _quiz_on_a_terminal(home)
    assert foreign.read_bytes() == b"not drill's\n"
    assert os.path.islink(home / "history-answers")
    assert shown.count("answer history is not saved") == 1 and "history-answers" in shown
    assert attempts(home / "progress.db") == [("mlp-params", "529411", "correct")]


@POSIX
def test_a_history_file_that_is_a_fifo_never_blocks_the_answer(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.mkfifo(home / "history-answers")
    shown = _quiz_on_a_terminal(home)  # before: the first answer blocked forever opening the FIFO
    assert stat.S_ISFIFO(os.lstat(home / "history-answers").st_mode)
    assert shown.count("answer history is not saved") == 1
    assert attempts(home / "progress.db") == [("mlp-params", "529411", "correct")]


# --- drill new --out --------------------------------------------------------------------------

@POSIX
@pytest.mark.parametrize("kind", ["dangling link", "link to a file", "fifo"])
@pytest.mark.parametrize("force", [False, True])
def test_new_out_refuses_a_link_or_a_fifo_and_writes_nothing_anywhere(tmp_path, kind, force):
    foreign = tmp_path / "elsewhere" / "target.yaml"
    foreign.parent.mkdir()
    out = tmp_path / "my-q.yaml"
    if kind == "dangling link":
        out.symlink_to(foreign)  # before: drill wrote the template at the link's target
    elif kind == "link to a file":
        foreign.write_bytes(b"someone's file\n")
        out.symlink_to(foreign)
    else:
        os.mkfifo(out)
    r = drill("new", "my-q", "--solver", "network-params", "--out", str(out), *(["--force"] if force else []),
              home=tmp_path / "home", timeout=30)  # a FIFO opened for writing would block: bounded
    assert r.returncode == 2
    assert str(out) in one_line(r.stderr)
    if kind == "dangling link":
        assert not os.path.lexists(foreign) and os.readlink(out) == str(foreign)
    elif kind == "link to a file":
        assert foreign.read_bytes() == b"someone's file\n" and os.readlink(out) == str(foreign)
    else:
        assert stat.S_ISFIFO(os.lstat(out).st_mode)
    assert sorted(p.name for p in out.parent.iterdir() if p.name != "home") == ["elsewhere", "my-q.yaml"]  # no stray temporary file


def test_new_out_writes_a_new_file_and_replaces_a_regular_one_only_with_force(tmp_path):
    out = tmp_path / "my-q.yaml"
    r = drill("new", "my-q", "--solver", "network-params", "--out", str(out), home=tmp_path / "home")
    assert r.returncode == 0 and "solver: network-params" in out.read_text(encoding="utf-8")
    out.write_bytes(b"mine\n")
    r = drill("new", "my-q", "--solver", "network-params", "--out", str(out), home=tmp_path / "home")
    assert r.returncode == 2 and out.read_bytes() == b"mine\n" and "--force" in one_line(r.stderr)
    r = drill("new", "my-q", "--solver", "network-params", "--out", str(out), "--force", home=tmp_path / "home")
    assert r.returncode == 0 and not out.is_symlink() and "solver: network-params" in out.read_text(encoding="utf-8")
