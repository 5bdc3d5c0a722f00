"""A damaged progress database is recovered, never fatal (issue 12): moved aside with a one-line
notice, a fresh database started, every row that reads cleanly copied over. A full disk is one
warning per session; the WAL stays bounded; ``stats --reset`` checks it can write first.

Rows are written and read back with plain sqlite3, not through drill.store.progress, so the store is not
checking itself. The byte-flip corpus is generated with a fixed seed.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.store import progress as store_mod
from drill.cli import app
from drill.store.progress import StoreError, open_store

runner = CliRunner()
ANSWERS = 24


def make_db(path: Path, n: int = ANSWERS) -> Path:
    """A drill database with ``n`` answers over 4 templates in 3 sessions, written by drill itself."""
    st = open_store(path)
    sid = None
    for i in range(n):
        if i % 8 == 0:
            sid = None
        sid, _ = st.record(question_id=f"q{i % 4}", topic="t", seed=i, answer=str(i), status="correct" if i % 3 else "wrong",
                           mistake=None, seconds=2.0 + i, session_id=sid, session=("quiz", 7), when=1_700_000_000.0 + 60 * i)
    st.close()
    return path


def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    try:
        for s in statements:
            conn.execute(s)
        conn.commit()
    finally:
        conn.close()


def count(path: Path, table: str = "attempts") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def ok(r) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code not in (70, 139) and "internal error" not in r.output and "Traceback" not in r.output, r.output


# --- each reproduction of the issue -------------------------------------------------------------------

DAMAGE = {
    "invalid UTF-8 in a stored answer": ("UPDATE attempts SET answer = CAST(x'fffe41' AS TEXT) WHERE id = 3", ANSWERS - 1, 4),
    "bad JSON in a card": ("UPDATE cards SET card = '{not json' WHERE question_id = 'q1'", ANSWERS, 3),
    "a card whose due date is not a date": ("UPDATE cards SET card = '{\"due\": \"soon\"}' WHERE question_id = 'q2'", ANSWERS, 3),
    "a timestamp of 1e300": ("UPDATE attempts SET answered_at = 1e300 WHERE id = 5", ANSWERS - 1, 4),
    "a text where a number belongs": ("UPDATE attempts SET seconds = 'slow' WHERE id = 6", ANSWERS - 1, 4),
    "an unknown status": ("PRAGMA ignore_check_constraints = ON; UPDATE attempts SET status = 'maybe' WHERE id = 7", ANSWERS - 1, 4),
    "a dropped table": ("DROP TABLE cards", ANSWERS, 0),
    # the mode column (schema 2) is read as carefully as the rest: a byte flip here killed `drill stats`
    "invalid UTF-8 in a stored mode": ("UPDATE attempts SET mode = CAST(x'71fe7a' AS TEXT) WHERE id = 2", ANSWERS - 1, 4),
    # a later drill's new mode is a word and is kept (see test_a_later_drills_mode_is_kept); anything else is damage
    "a mode that is no word": ("UPDATE attempts SET mode = 'Quiz Mode!' WHERE id = 4", ANSWERS - 1, 4),
}


@pytest.mark.parametrize("what", sorted(DAMAGE))
def test_a_damaged_row_moves_the_file_aside_and_the_rest_is_kept(tmp_path, what):
    statement, answers, cards = DAMAGE[what]
    db = make_db(tmp_path / "progress.db")
    sql(db, *statement.split("; "))
    r = runner.invoke(app, ["stats", "--db", str(db)], env={"COLUMNS": "300"})
    ok(r)
    assert r.exit_code == 0
    notice = [line for line in r.output.splitlines() if "moved it to" in line]
    assert len(notice) == 1 and f"copying over {answers} of " in notice[0]
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("progress.db.damaged-") and not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and str(moved[0]) in notice[0]
    assert count(db) == answers and count(db, "cards") == cards
    again = runner.invoke(app, ["stats", "--db", str(db), "--json"])
    assert again.exit_code == 0 and "moved it to" not in again.output  # the fresh database is healthy


def test_a_damaged_schema_text_is_recovered(tmp_path):
    db = make_db(tmp_path / "progress.db")
    sql(db, "PRAGMA writable_schema = ON", "UPDATE sqlite_master SET sql = CAST(x'ff' AS TEXT) || sql WHERE name = 'attempts_by_time'")
    r = runner.invoke(app, ["stats", "--db", str(db)])
    ok(r)
    assert "moved it to" in r.output


def test_the_quiz_goes_on_after_a_bad_card(tmp_path):
    db = make_db(tmp_path / "progress.db")
    sql(db, "UPDATE cards SET card = '{not json'")
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0", "--db", str(db)], input="529411\n")
    ok(r)
    assert r.exit_code == 0 and "✓ Correct." in r.output
    assert count(db) == ANSWERS + 1 and count(db, "cards") == 1  # the damaged cards were not copied; the new one is


def test_a_foreign_database_is_not_salvaged(tmp_path):
    db = tmp_path / "progress.db"
    sql(db, "CREATE TABLE attempts (x)", "INSERT INTO attempts VALUES (1)")
    st = open_store(db)
    assert st.recovered is not None and st.recovered.salvaged == "" and "not drill's" in st.recovered.reason
    assert count(db) == 0
    st.close()


# --- a corpus of byte-flipped databases -------------------------------------------------------------


@pytest.fixture
def fast_dir(tmp_path):
    """A directory in memory when the machine has one (/dev/shm): this corpus is about damage, not
    durability, and 200 fresh databases' fsyncs on a busy disk take most of a minute."""
    import tempfile

    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    d = Path(tempfile.mkdtemp(dir=shm, prefix="drill-test-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_two_hundred_byte_flipped_databases_never_crash_drill(fast_dir):
    from datetime import datetime, timezone

    from drill.practice import stats

    clean = make_db(fast_dir / "clean.db", n=40)
    original = clean.read_bytes()
    rng = random.Random(20)
    recovered = 0
    for trial in range(200):
        blob = bytearray(original)
        for _ in range(20):
            blob[rng.randrange(len(blob))] = rng.randrange(256)
        db = fast_dir / f"t{trial}" / "progress.db"
        db.parent.mkdir()
        db.write_bytes(bytes(blob))
        if trial % 20 == 0:  # the whole command, now and then
            r = runner.invoke(app, ["stats", "--db", str(db)] if trial % 40 else ["quiz", "--weak", "-n", "1", "--seed", "1", "--db", str(db)], input="q\n")
            ok(r)
            recovered += "moved it to" in r.output
            if not blob.startswith(b"SQLite format 3\x00"):  # a --db that is no database is refused, left as it is
                assert r.exit_code == 2 and "is not a SQLite database" in r.output and db.read_bytes() == bytes(blob)
                shutil.rmtree(db.parent)
                continue
        else:  # what those commands do with the store, in-process
            st = open_store(db)
            recovered += st.recovered is not None
            stats.compute(st.attempts(), datetime.now(timezone.utc), st.cards())
            if trial % 5 == 0:
                st.record(question_id="q1", topic="t", seed=1, answer="1", status="wrong", mistake=None, seconds=1.0, session=("quiz", 1))
            st.close()
        # whatever happened, the database drill left behind is healthy: opening it again recovers nothing
        st = open_store(db)
        assert st.recovered is None, (trial, st.recovered)
        st.close()
        shutil.rmtree(db.parent)
    assert recovered > 20  # the flips did damage: this corpus exercises recovery


# --- the WAL, a full disk, a read-only reset ------------------------------------------------------------


def test_the_wal_stays_bounded(tmp_path):
    db = tmp_path / "progress.db"
    st = open_store(db)
    wal = Path(str(db) + "-wal")
    biggest = 0
    for i in range(400):
        st.record(question_id=f"q{i % 50}", topic="t", seed=i, answer="x" * 200, status="wrong", mistake=None, seconds=1.0,
                  session=("quiz", 1))
        biggest = max(biggest, wal.stat().st_size if wal.exists() else 0)
    assert biggest <= store_mod.WAL_BYTES
    st.close()
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed on close
    assert count(db) == 400


class Attempt:
    def __init__(self, v, answer):
        self.variant, self.status, self.answer, self.grade, self.seconds, self.hints = v, "wrong", answer, None, 1.0, 0


def test_a_full_disk_is_one_warning_and_the_answers_are_written_when_space_returns(tmp_path, monkeypatch, bank):
    from drill.core.variants import make_variant

    v = make_variant(bank.questions["mlp-params"], 0)
    st = open_store(tmp_path / "progress.db")
    warnings: list[str] = []
    rec = st.recorder("quiz", 1, warnings.append)
    real = store_mod.Store.record
    full = {"on": True}

    def record(self, **kw):
        if full["on"]:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, **kw)

    monkeypatch.setattr(store_mod.Store, "record", record)
    for i in range(5):
        rec(Attempt(v, f"a{i}"))
    assert len(warnings) == 1 and "disk is full" in warnings[0]
    assert rec.saved == 0 and rec.unsaved == 5
    full["on"] = False
    rec(Attempt(v, "a5"))
    assert rec.saved == 6 and rec.unsaved == 0
    conn = sqlite3.connect(st.path)
    assert [r[0] for r in conn.execute("SELECT answer FROM attempts ORDER BY id")] == [f"a{i}" for i in range(6)]
    conn.close()
    st.close()


def test_answers_that_stay_unsaved_are_reported(tmp_path, monkeypatch):
    def record(self, **kw):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_mod.Store, "record", record)
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "-q", "mlp-params", "--seed", "0", "--db", str(tmp_path / "p.db")], input="1\n2\n")
    ok(r)
    assert r.exit_code == 0
    assert r.output.count("could not save this answer") == 1
    assert "2 answers could not be saved" in r.output


def test_reset_of_a_read_only_database_writes_no_backup(tmp_path):
    db = make_db(tmp_path / "progress.db")
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    st = store_mod.Store(db, conn)
    with pytest.raises(StoreError, match="cannot write|read-only"):
        st.reset()
    assert not [p for p in tmp_path.iterdir() if ".backup-" in p.name]
    assert count(db) == ANSWERS
    conn.close()


def test_a_later_drills_mode_is_kept(tmp_path):
    """A database written by a later drill may hold a mode this one does not know: it is kept as it
    is (stats shows it), never taken for damage and moved aside."""
    from drill.store.progress import open_store

    db = tmp_path / "progress.db"
    st = open_store(db)
    st.record(question_id="q", topic="t", seed=1, answer="1", status="correct", mistake=None, seconds=1.0,
              session=("quiz", None), mode="quiz")
    st.conn.execute("UPDATE attempts SET mode = 'dream'")
    st.close()
    again = open_store(db)
    assert again.recovered is None and [r.mode for r in again.attempts()] == ["dream"]
    again.close()
