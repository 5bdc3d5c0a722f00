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


# --- the progress database --------------------------------------------------------------------

def _answered_once(home: Path) -> Path:
    r = drill(*QUIZ, home=home, input=RIGHT)
    assert r.returncode == 0, r.stderr
    return home / "progress.db"


def _plant(db: Path, script: str) -> bytes:
    """Change drill's database with the sqlite3 module, leave it as one file; its bytes."""
    conn = sqlite3.connect(db)
    conn.executescript(script)
    conn.execute("PRAGMA journal_mode = DELETE")  # the WAL folded in: the whole file is its bytes
    conn.close()
    return db.read_bytes()


def _moved_aside(home: Path) -> Path:
    (moved,) = [p for p in home.iterdir() if p.name.startswith("progress.db.damaged-") and not p.name.endswith(("-wal", "-shm"))]
    return moved


def test_a_trigger_planted_in_the_progress_database_never_runs(tmp_path):
    home = tmp_path / "home"
    db = _answered_once(home)
    planted = _plant(db, "CREATE TRIGGER wipe AFTER INSERT ON attempts BEGIN DELETE FROM attempts; END;")
    r = drill(*QUIZ, home=home, input=RIGHT)
    assert r.returncode == 0 and "Saved 1 answer" in r.stdout
    line = one_line(r.stderr)
    assert str(db) in line and "trigger 'wipe'" in line
    # before: the trigger emptied attempts on the insert, so stats showed 0 answers
    assert attempts(db) == [("mlp-params", "529411", "correct")] * 2  # the salvaged answer and the new one
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone() == (0,)
    conn.close()
    assert _moved_aside(home).read_bytes() == planted  # moved aside untouched, never deleted


@pytest.mark.parametrize("command", [("stats",), QUIZ])
def test_a_recursive_view_named_attempts_does_not_hang_drill(tmp_path, command):
    home = tmp_path / "home"
    db = _answered_once(home)
    cols = "id, session_id, question_id, topic, seed, answer, status, mistake, seconds, hints, rating, answered_at, mode"
    planted = _plant(db, f"ALTER TABLE attempts RENAME TO kept; CREATE VIEW attempts AS WITH RECURSIVE r({cols}) AS "
                         f"(SELECT {cols} FROM kept UNION ALL SELECT {cols} FROM r) SELECT {cols} FROM r;")
    r = drill(*command, home=home, input=RIGHT, timeout=60)  # before: never returned (TimeoutExpired fails the test)
    assert r.returncode == 0
    line = one_line(r.stderr)
    assert str(db) in line and "view 'attempts'" in line
    assert _moved_aside(home).read_bytes() == planted
    assert attempts(db) == ([("mlp-params", "529411", "correct")] if command == QUIZ else [])


@pytest.mark.parametrize("planted", [
    "CREATE TABLE notes (x TEXT);",
    "CREATE INDEX extra ON attempts (topic);",
    "ALTER TABLE attempts ADD COLUMN extra TEXT;",
    "CREATE VIEW recent AS SELECT * FROM attempts;",
])
def test_a_progress_database_is_accepted_only_with_exactly_drills_schema(tmp_path, planted):
    home = tmp_path / "home"
    db = _answered_once(home)
    before = _plant(db, planted)
    r = drill("stats", home=home)
    assert r.returncode == 0 and "schema is not drill's" in one_line(r.stderr)
    assert _moved_aside(home).read_bytes() == before
    assert attempts(db) == [("mlp-params", "529411", "correct")]  # the answer read cleanly: copied over


def test_drills_own_database_is_accepted_as_it_is(tmp_path):
    home = tmp_path / "home"
    db = _answered_once(home)
    r = drill(*QUIZ, home=home, input=RIGHT)
    assert r.returncode == 0 and r.stderr == ""
    assert attempts(db) == [("mlp-params", "529411", "correct")] * 2 and not list(home.glob("*.damaged-*"))


def test_an_explicit_db_that_is_not_drills_is_refused_and_left_alone(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.executescript("CREATE TABLE t (x); CREATE TRIGGER t1 AFTER INSERT ON t BEGIN DELETE FROM t; END;")
    conn.close()
    before = other.read_bytes()
    r = drill(*QUIZ, "--db", str(other), home=tmp_path / "home", input=RIGHT)
    assert r.returncode == 2 and str(other) in one_line(r.stderr)
    assert other.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["other.db"]  # nothing moved aside or added


# --- the bank cache ---------------------------------------------------------------------------

def _foreign_folder(folder: Path, n: int) -> dict[str, bytes]:
    """``n`` files that are not drill's, some named like cache entries; name -> bytes."""
    folder.mkdir(parents=True)
    files = {}
    for i in range(n):
        name = f"{i:040x}.json" if i % 3 == 0 else f"photo-{i}.jpg"  # a digest-like name, someone else's content
        files[name] = f"someone's file {i}\n".encode()
        (folder / name).write_bytes(files[name])
    return files


def _unchanged(folder: Path, files: dict[str, bytes]) -> bool:
    return {p.name: p.read_bytes() for p in folder.iterdir()} == files


@POSIX
def test_a_cache_folder_that_links_elsewhere_is_never_written_or_evicted(tmp_path):
    home = tmp_path / "home"
    elsewhere = tmp_path / "elsewhere"
    files = _foreign_folder(elsewhere, 300)  # before: eviction kept the newest 256 and deleted the rest (76 of 300)
    (home / "cache").mkdir(parents=True)
    (home / "cache" / "bank").symlink_to(elsewhere, target_is_directory=True)
    r = drill("list", home=home)
    assert r.returncode == 0 and "mlp-params" in r.stdout
    assert "bank cache is off" in one_line(r.stderr) and str(home / "cache" / "bank") in r.stderr
    assert _unchanged(elsewhere, files)


def test_eviction_deletes_only_drills_own_entries(tmp_path, monkeypatch):
    from drill.core import bank_cache

    folder = tmp_path / "drill-home" / "cache" / "bank"  # the conftest's DRILL_HOME
    files = _foreign_folder(folder, 30)
    for i in range(5):  # drill's own entries, oldest first
        bank_cache.put(f"/banks/{i}.yaml", f"{i}.yaml", b"data", {"questions": [], "errors": [], "explanation": None})
        os.utime(bank_cache._entry(f"/banks/{i}.yaml", f"{i}.yaml"), (1_000_000 + i, 1_000_000 + i))
    bank_cache._evict(folder, keep=2)
    own = sorted(p.name for p in folder.iterdir() if p.name not in files)
    assert own == sorted(bank_cache._entry(f"/banks/{i}.yaml", f"{i}.yaml").name for i in (3, 4))  # the two newest
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in files} == files


def _cached_entries(home: Path) -> list[Path]:
    return sorted((home / "cache" / "bank").glob("*.json"))


def test_a_cache_entry_with_a_bogus_answer_type_is_rebuilt_from_the_bank(tmp_path):
    import hashlib
    import json

    home = tmp_path / "home"
    assert drill("list", home=home).returncode == 0
    forged = 0
    for entry in _cached_entries(home):  # a well-formed entry whose checksum matches: only its content is wrong
        head, payload = entry.read_bytes().split(b"\n", 1)
        plain = json.loads(payload)
        for row in plain["questions"]:
            if row[0] == "mlp-params":
                row[8] = "bogus"  # answer_type
                payload = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
                header = json.loads(head)
                header["sha256"] = hashlib.sha256(payload).hexdigest()
                entry.write_bytes(json.dumps(header).encode() + b"\n" + payload)
                forged += 1
    assert forged == 1
    r = drill(*QUIZ, home=home, input=RIGHT)  # before: KeyError, exit 70
    assert r.returncode == 0 and "Correct" in r.stdout and r.stderr == ""
    assert attempts(home / "progress.db") == [("mlp-params", "529411", "correct")]
