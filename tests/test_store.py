"""The progress database: answers survive Ctrl-C, a closed terminal and kill -9; damaged files are
moved aside; concurrent writers lose nothing; migrations; --no-save and --db.

Rows are read back with plain sqlite3 queries, not through drill.store.progress, so the store's own reader
is not checking itself.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.store import progress as store_mod
from drill.cli import app
from drill.store.progress import SCHEMA_VERSION, StoreError, open_store
from drill.core.variants import make_variant

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def home() -> Path:
    return Path(os.environ["DRILL_HOME"])


def rows(db: Path, sql: str = "SELECT question_id, seed, answer, status, mistake FROM attempts ORDER BY id") -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def record(st, qid: str = "mlp-params", status: str = "correct", **kw):
    args = dict(question_id=qid, topic="param-counts", seed=0, answer="1", status=status, mistake=None, seconds=5.0)
    args.update(kw)
    return st.record(**args)


# --- interruption: a real `python -m drill quiz` process ----------------------------------------

QUIZ = ["-m", "drill", "quiz", "-q", "conv-layer-params", "-q", "mlp-params", "-q", "residual-grad", "--seed", "0"]


def _two_answers(bank) -> tuple[str, str]:
    # conv-layer-params at seed 0 is the seed's own question: 34848 is its classic "forgot the biases";
    # mlp-params is asked at variant seed 1, answered correctly from its generated key
    return "34848", str(make_variant(bank.questions["mlp-params"], 1).answer)


def _expected(bank) -> list[tuple]:
    first, second = _two_answers(bank)
    return [("conv-layer-params", 0, first, "wrong", "forgot the biases"), ("mlp-params", 1, second, "correct", None)]


def _env() -> dict:
    return {**os.environ, "COLUMNS": "100", "TERM": "xterm", "PYTHONPATH": str(ROOT)}


def _piped_quiz_until_third(bank) -> subprocess.Popen:
    """Start a quiz on a pipe, answer two questions, return once the third is on screen."""
    proc = subprocess.Popen([sys.executable, *QUIZ], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(), cwd=ROOT)
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        assert proc.stdin and proc.stdout
        proc.stdin.write("\n".join(_two_answers(bank)) + "\n")
        proc.stdin.flush()
        for line in proc.stdout:
            if "3/3" in line:  # the third question's panel: both answers were graded (and saved)
                return proc
        raise AssertionError(f"quiz ended early: {proc.stderr.read() if proc.stderr else ''}")
    finally:
        watchdog.cancel()


def test_sigint_on_a_pipe_keeps_both_answers(bank):
    proc = _piped_quiz_until_third(bank)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Session summary" in out
    assert rows(home() / "progress.db") == _expected(bank)


def test_kill_9_keeps_both_answers(bank):
    proc = _piped_quiz_until_third(bank)
    proc.kill()  # SIGKILL: no handler, no cleanup; like a crash or a power-cut of the process
    proc.communicate(timeout=30)
    assert rows(home() / "progress.db") == _expected(bank)


def _pty_quiz_until_third(bank):
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, QUIZ, env=_env(), cwd=str(ROOT), encoding="utf-8", timeout=30)
    for answer in _two_answers(bank):
        child.expect("answer")
        child.sendline(answer)
    child.expect("3/3")
    child.expect("answer")
    return child, pexpect


def test_ctrl_c_in_a_terminal_keeps_both_answers(bank):
    child, pexpect = _pty_quiz_until_third(bank)
    child.sendintr()  # the terminal's ^C
    if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=5) == 1:
        # CPython's input() can miss a SIGINT that lands between its last signal check and the
        # blocking read (it is acted on at the next one); a user's second ^C gets through
        child.sendintr()
        child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(home() / "progress.db") == _expected(bank)


def test_closing_the_terminal_keeps_both_answers(bank):
    child, _ = _pty_quiz_until_third(bank)
    child.close(force=True)  # closes the pty: the quiz gets SIGHUP
    assert rows(home() / "progress.db") == _expected(bank)


def test_session_row_and_fsrs_card_are_written_with_each_answer(bank):
    r = runner.invoke(app, ["quiz", "-q", "conv-layer-params", "--seed", "0"], input="34944\n")
    assert r.exit_code == 0, r.output
    db = home() / "progress.db"
    assert rows(db, "SELECT command, seed FROM sessions") == [("quiz", 0)]
    assert rows(db, "SELECT a.session_id = s.id, a.rating FROM attempts a JOIN sessions s") == [(1, 4)]  # Easy: right, unhinted, fast, a fresh variant
    assert rows(db, "SELECT question_id, reviews FROM cards") == [("conv-layer-params", 1)]
    assert f"Saved 1 answer to {db}" in r.output


def test_no_save_saves_nothing(bank):
    r = runner.invoke(app, ["quiz", "-q", "conv-layer-params", "--seed", "0", "--no-save"], input="34944\n")
    assert r.exit_code == 0, r.output
    assert "✓ Correct." in r.output
    assert not (home() / "progress.db").exists()
    # nothing but the bank cache (rebuildable, not the learner's data): no database, no backup
    assert not home().exists() or [p.name for p in home().iterdir()] in ([], ["cache"])


def test_db_option_overrides_drill_home(tmp_path):
    db = tmp_path / "elsewhere" / "mine.db"
    db.parent.mkdir()  # an explicit --db's directory must exist (tests/test_cli_conventions.py)
    r = runner.invoke(app, ["quiz", "-q", "conv-layer-params", "--seed", "0", "--db", str(db)], input="34944\n")
    assert r.exit_code == 0, r.output
    assert rows(db) == [("conv-layer-params", 0, "34944", "correct", None)]
    assert not (home() / "progress.db").exists()


def test_default_path_is_the_user_data_dir(monkeypatch, tmp_path):
    from platformdirs import user_data_dir

    monkeypatch.delenv("DRILL_HOME")
    assert store_mod.default_path() == Path(user_data_dir("drill", appauthor=False)) / "progress.db"
    monkeypatch.setenv("DRILL_HOME", str(tmp_path))
    assert store_mod.default_path() == tmp_path / "progress.db"
    assert store_mod.default_path(tmp_path / "x.db") == tmp_path / "x.db"


def test_fresh_database_is_wal_versioned_and_marked(tmp_path):
    with open_store(tmp_path / "p.db") as st:
        assert st.recovered is None
    db = tmp_path / "p.db"
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(db, "PRAGMA application_id") == [(store_mod.APPLICATION_ID,)]
    assert open_store(tmp_path / "missing.db", create=False) is None
    assert not (tmp_path / "missing.db").exists()


# --- damaged, foreign, newer ---------------------------------------------------------------------

def _assert_moved_aside(db: Path, original: bytes, reason: str) -> None:
    st = open_store(db)
    assert st is not None and st.recovered is not None
    assert reason in st.recovered.reason
    moved = st.recovered.moved_to
    assert moved.parent == db.parent and moved.name.startswith("progress.db.damaged-")
    assert moved.read_bytes() == original  # never deleted, never modified
    record(st)  # the fresh database works
    st.close()
    assert rows(db) == [("mlp-params", 0, "1", "correct", None)]


def test_garbage_file_is_moved_aside(tmp_path):
    db = tmp_path / "progress.db"
    data = b"this is my shopping list, not a database\n" * 100
    db.write_bytes(data)
    _assert_moved_aside(db, data, "not a database")


def test_foreign_sqlite_database_is_moved_aside(tmp_path):
    db = tmp_path / "progress.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    _assert_moved_aside(db, db.read_bytes(), "not drill's")


def test_corrupted_drill_database_is_moved_aside_with_its_wal(tmp_path):
    db = tmp_path / "progress.db"
    with open_store(db) as st:
        for i in range(300):
            record(st, qid=f"q{i % 7}", answer="x" * 200, seed=i)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[2 * page: 5 * page] = os.urandom(3 * page)  # scribble over three b-tree pages
    db.write_bytes(bytes(data))
    Path(str(db) + "-wal").write_bytes(b"stale wal")
    st = open_store(db)
    assert st.recovered is not None
    moved = st.recovered.moved_to
    assert moved.read_bytes() == bytes(data)
    assert Path(str(moved) + "-wal").read_bytes() == b"stale wal"
    assert rows(db, "SELECT count(*) FROM attempts") == [(0,)]
    st.close()


def test_cli_reports_a_damaged_file_in_one_line_and_goes_on():
    db = home() / "progress.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00garbage" * 50)
    r = runner.invoke(app, ["quiz", "-q", "conv-layer-params", "--seed", "0"], input="34944\n")
    assert r.exit_code == 0, r.output
    line = next(l for l in r.output.splitlines() if l.startswith("error:"))
    assert str(db) in line and "moved it to" in line and "started a fresh database" in line
    moved = [p for p in db.parent.iterdir() if p.name.startswith("progress.db.damaged-")]
    assert len(moved) == 1 and moved[0].read_bytes() == b"\x00garbage" * 50
    assert str(moved[0]) in line
    assert rows(db) == [("conv-layer-params", 0, "34944", "correct", None)]


def test_database_from_a_newer_drill_is_refused_untouched(tmp_path):
    db = tmp_path / "progress.db"
    open_store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer drill"):
        open_store(db)
    assert db.read_bytes() == before
    r = runner.invoke(app, ["stats", "--db", str(db)])
    assert r.exit_code == 2 and "newer drill" in r.output


def test_migrations_upgrade_an_old_database_and_keep_its_rows(tmp_path, monkeypatch):
    db = tmp_path / "progress.db"
    with open_store(db) as st:
        record(st, answer="kept")
    v2 = "ALTER TABLE attempts ADD COLUMN note TEXT;\nCREATE INDEX attempts_by_status ON attempts (status);"
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, v2])
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    open_store(db).close()
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]
    assert rows(db, "SELECT answer, note FROM attempts") == [("kept", None)]
    # and from an empty file, every migration in order
    open_store(tmp_path / "new.db").close()
    assert rows(tmp_path / "new.db", "SELECT name FROM sqlite_master WHERE name = 'attempts_by_status'") == [("attempts_by_status",)]


# --- two writers at once ---------------------------------------------------------------------------

WRITER = """
import os, sys, time
from drill.store.progress import open_store
import drill.store.scheduling, fsrs  # imported before the start line, so both processes write at the same time
db, tag, go, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
while not os.path.exists(go):
    time.sleep(0.001)
st = open_store(db)  # both processes create and migrate the same new file at once
sid = None
for i in range(n):
    sid, _ = st.record(question_id=f"q{i % 3}", topic="t", seed=i, answer=tag, status="wrong" if i % 4 else "correct",
                       mistake=None, seconds=1.0, session_id=sid, session=("quiz", None))
    time.sleep(0.002)  # a pause between answers, so the two writers' transactions interleave
st.close()
"""


def test_two_concurrent_writers_lose_no_rows(tmp_path):
    db, go, n = tmp_path / "progress.db", tmp_path / "go", 150
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag, str(go), str(n)], cwd=ROOT, env=_env(),
                              stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    time.sleep(0.3)  # let both reach the start line
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert rows(db, "SELECT answer, count(*), count(DISTINCT seed) FROM attempts GROUP BY answer") == [("A", n, n), ("B", n, n)]
    # every card update landed too: each card counts every attempt of its template
    assert rows(db, "SELECT sum(reviews) FROM cards") == [(2 * n,)]
    assert rows(db, "SELECT count(*) FROM sessions") == [(2,)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_startup_imports_no_database_or_scheduler():
    probe = ("import sys\nfrom drill.cli import app\n"
             "for args in (['--help'], ['list']):\n"
             "    try:\n        app(args, standalone_mode=False)\n    except SystemExit:\n        pass\n"
             "print('LOADED', sorted(m for m in ('sqlite3', 'fsrs', 'platformdirs', 'drill.store.progress') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.splitlines()[-1] == "LOADED []"


# --- the write itself ------------------------------------------------------------------------------

def test_ctrl_c_during_the_write_is_held_until_the_answer_is_committed(tmp_path, monkeypatch):
    from drill.store import scheduling as review

    real = review.schedule

    def interrupted(*args, **kw):
        # ^C lands mid-transaction: wait until the handler the store installed has seen it (an event,
        # not a delay), so a signal delivered late under load cannot land after the commit instead
        holding = signal.getsignal(signal.SIGINT)
        seen = threading.Event()

        def relay(signum, frame):
            holding(signum, frame)
            seen.set()

        signal.signal(signal.SIGINT, relay)
        os.kill(os.getpid(), signal.SIGINT)
        while not seen.wait(0.05):  # the wait returns to run Python's handler; the loop ends only on the event
            pass
        return real(*args, **kw)

    monkeypatch.setattr(review, "schedule", interrupted)
    st = open_store(tmp_path / "p.db")
    with pytest.raises(KeyboardInterrupt):
        record(st, answer="mid-write")
    assert rows(tmp_path / "p.db", "SELECT answer FROM attempts") == [("mid-write",)]
    assert rows(tmp_path / "p.db", "SELECT reviews FROM cards") == [(1,)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handlers restored
    st.close()


def test_a_failed_write_warns_and_the_quiz_goes_on(bank, tmp_path):
    from drill.tui.quiz import Attempt

    st = open_store(tmp_path / "p.db")
    warnings: list[str] = []
    recorder = st.recorder("quiz", 1, warnings.append)
    v = make_variant(bank.questions["mlp-params"], 0)
    recorder(Attempt(v, "correct", "529411", v.grade("529411"), 3.0))
    st.conn.close()  # e.g. the disk went away
    recorder(Attempt(v, "correct", "529411", v.grade("529411"), 3.0))
    assert recorder.saved == 1
    assert len(warnings) == 1 and warnings[0].startswith(f"could not save this answer to {tmp_path / 'p.db'}")


def test_a_new_database_appears_whole_never_half_written(tmp_path, monkeypatch):
    """A new progress database is built under a temporary name and linked into place, so another
    drill starting at the same moment never reads a half-written file (which would look damaged and
    be moved aside, taking the first one's answers with it: seen once under load)."""
    import drill.store.progress as store

    db = tmp_path / "progress.db"
    seen = []
    real = store._migrate

    def migrate(conn):
        seen.append(db.exists())  # is the real name visible while the schema is being written?
        return real(conn)

    monkeypatch.setattr(store, "_migrate", migrate)
    st = store.open_store(db)
    st.record(question_id="q", topic="t", seed=1, answer="1", status="correct", mistake=None, seconds=1.0,
              session_id=None, session=("quiz", None))
    st.close()
    assert seen[0] is False  # the first migration ran on the temporary file, before the name existed
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("progress.db")) == []  # no temporary left
    assert rows(db, "SELECT count(*) FROM attempts") == [(1,)]
