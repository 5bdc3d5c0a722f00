"""Progress persistence: every SQL statement drill runs lives in this module.

Where: ``--db PATH``, else ``$DRILL_HOME/progress.db``, else
``platformdirs.user_data_dir("drill")/progress.db`` (``~/.local/share/drill/progress.db`` on Linux).

How it stays safe:

* **Written the moment it is graded.** :class:`Recorder` commits each attempt in its own
  transaction (``synchronous=FULL``) before the next question is shown; SIGINT/SIGTERM/SIGHUP
  arriving during that commit are held until it is done. Ctrl-C, a closed terminal, a crash or
  ``kill -9`` lose no answer already given.
* **Two drill processes at once.** WAL mode (readers never block the writer), a 10 s busy
  timeout, and ``BEGIN IMMEDIATE`` for every read-then-write, so concurrent writers queue instead
  of failing or overwriting each other's card updates.
* **Schema version.** ``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` upgrades a
  database from any earlier version (from version 1 on), inside one transaction. A database from a
  newer drill is refused, never modified. ``PRAGMA application_id`` marks the file as drill's.
* **A damaged or foreign file** (not SQLite, fails ``quick_check``, or another program's SQLite
  database) is renamed to ``progress.db.damaged-<time>`` (with its ``-wal``/``-shm``), never
  deleted, and a fresh database is started; :attr:`Store.recovered` says where the old one went.

Times are stored as Unix seconds (UTC); FSRS cards as ``fsrs.Card.to_dict()`` JSON.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

__all__ = ["Store", "StoreError", "Recorder", "default_path", "open_store", "SCHEMA_VERSION", "APPLICATION_ID"]

APPLICATION_ID = 0x6472696C  # "dril"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another drill process

MIGRATIONS: list[str] = [
    # version 0 → 1: the first schema
    """
    CREATE TABLE sessions (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        command   TEXT NOT NULL,             -- quiz | review
        seed      INTEGER,                   -- the session seed, if any
        started   REAL NOT NULL              -- Unix seconds of the first recorded attempt
    );
    CREATE TABLE attempts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id  INTEGER REFERENCES sessions(id),
        question_id TEXT NOT NULL,
        topic       TEXT NOT NULL,
        seed        INTEGER NOT NULL,        -- the variant seed: drill quiz -q ID --seed S replays it
        answer      TEXT NOT NULL,           -- as typed ('' when skipped)
        status      TEXT NOT NULL CHECK (status IN ('correct', 'wrong', 'skipped')),
        mistake     TEXT,                    -- the named mistake a wrong answer matched
        seconds     REAL NOT NULL,
        hints       INTEGER NOT NULL DEFAULT 0,
        rating      INTEGER,                 -- the FSRS rating it gave (1 Again … 4 Easy)
        answered_at REAL NOT NULL            -- Unix seconds
    );
    CREATE INDEX attempts_by_question ON attempts (question_id, answered_at);
    CREATE INDEX attempts_by_time ON attempts (answered_at);
    CREATE TABLE cards (
        question_id TEXT PRIMARY KEY,        -- one FSRS card per template
        card        TEXT NOT NULL,           -- fsrs.Card.to_dict() as JSON
        due         REAL NOT NULL,           -- Unix seconds, copied from the card for ordering
        reviews     INTEGER NOT NULL,
        updated     REAL NOT NULL
    );
    """,
    # version 1 → 2: which kind of session an answer was given in (quiz | review | interview | explain)
    """
    ALTER TABLE attempts ADD COLUMN mode TEXT NOT NULL DEFAULT 'quiz';
    UPDATE attempts SET mode = COALESCE((SELECT command FROM sessions WHERE sessions.id = attempts.session_id), 'quiz');
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(Exception):
    """The database cannot be used (unwritable path, newer schema); the message is one line."""


class _Unusable(Exception):
    """The file is damaged or not drill's: move it aside."""


def default_path(db: str | os.PathLike | None = None) -> Path:
    """``--db PATH``, else ``$DRILL_HOME/progress.db``, else the platform's user data directory."""
    if db:
        return Path(db).expanduser()
    from drill.paths import data_dir

    return data_dir() / "progress.db"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)  # we BEGIN ourselves
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    return conn


def _verify(conn: sqlite3.Connection) -> None:
    """Raise _Unusable for a damaged or foreign file, StoreError for a newer drill's database."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if _is_damage(exc):
            raise _Unusable(str(exc)) from None
        raise
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        raise _Unusable(str(exc)) from None
    if check != "ok":
        raise _Unusable(f"integrity check failed: {check}")
    if app_id != APPLICATION_ID and (tables or version):
        raise _Unusable("a SQLite database that is not drill's")
    if version > SCHEMA_VERSION:
        raise StoreError(f"the database was written by a newer drill (schema {version}, this drill knows {SCHEMA_VERSION}); upgrade drill")


def _is_damage(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def _migrate(conn: sqlite3.Connection) -> None:
    """Switch to WAL and bring the schema up to date, retrying while another process does the same.

    Two processes creating the same new file can deadlock on the journal-mode switch; SQLite
    then answers "database is locked" at once instead of waiting, so we wait and retry.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return _migrate_once(conn)
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005 + random.random() * 0.02)


def _migrate_once(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    with _transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
        for v in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[v]):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s.strip(" ;\n")]


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error; stop signals wait until it is over."""
    with _signals_deferred():
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP during a commit, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    sigs = [getattr(signal, n) for n in names if hasattr(signal, n)]
    caught: list[int] = []
    previous = {}
    for s in sigs:
        try:
            previous[s] = signal.signal(s, lambda signum, frame: caught.append(signum))
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        for s in caught:
            signal.raise_signal(s)


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):  # a stale WAL must never be replayed into the fresh database
        side = Path(str(path) + suffix)
        if side.exists():
            side.rename(Path(str(target) + suffix))
    return target


@dataclass
class Recovered:
    moved_to: Path
    reason: str


class Store:
    """An open progress database. Use :func:`open_store`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, recovered: Recovered | None = None):
        self.path = path
        self.conn = conn
        self.recovered = recovered

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- writing -------------------------------------------------------------------------
    def new_session(self, command: str, seed: int | None, when: float) -> int:
        with _transaction(self.conn):
            return self._insert_session(command, seed, when)

    def _insert_session(self, command: str, seed: int | None, when: float) -> int:
        cur = self.conn.execute("INSERT INTO sessions (command, seed, started) VALUES (?, ?, ?)", (command, seed, when))
        return int(cur.lastrowid)

    def record(self, *, question_id: str, topic: str, seed: int, answer: str, status: str, mistake: str | None,
               seconds: float, hints: int = 0, session_id: int | None = None, when: float | None = None,
               session: tuple[str, int | None] | None = None, mode: str | None = None) -> tuple[int, int]:
        """Store one attempt and review its template's FSRS card, in one transaction.

        session: (command, seed) to create the session row in the same transaction when
        ``session_id`` is None. mode: quiz | review | interview | explain (default: the session's
        command, else quiz). Returns (session_id, FSRS rating).
        """
        from drill import review

        when = time.time() if when is None else when
        moment = datetime.fromtimestamp(when, timezone.utc)
        with _transaction(self.conn):
            if session_id is None and session is not None:
                session_id = self._insert_session(session[0], session[1], when)
            earlier = [r[0] for r in self.conn.execute(
                "SELECT seconds FROM attempts WHERE question_id = ? AND status = 'correct'", (question_id,))]
            rating = review.rating_for(status, seconds, hints, earlier)
            row = self.conn.execute("SELECT card, reviews FROM cards WHERE question_id = ?", (question_id,)).fetchone()
            card = review.schedule(row[0] if row else None, question_id, rating, moment)
            self.conn.execute(
                "INSERT INTO attempts (session_id, question_id, topic, seed, answer, status, mistake, seconds, hints, rating, answered_at, mode)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, question_id, topic, seed, answer, status, mistake, seconds, hints, rating, when,
                 mode or (session[0] if session else "quiz")))
            self.conn.execute(
                "INSERT INTO cards (question_id, card, due, reviews, updated) VALUES (?, ?, ?, 1, ?)"
                " ON CONFLICT (question_id) DO UPDATE SET card = excluded.card, due = excluded.due,"
                " reviews = reviews + 1, updated = excluded.updated",
                (question_id, card, review.due_of(card).timestamp(), when))
        return session_id, rating

    def recorder(self, command: str, seed: int | None, warn: Callable[[str], None] | None = None) -> Recorder:
        return Recorder(self, command, seed, warn)

    # ---- reading -------------------------------------------------------------------------
    def attempts(self):
        """Every attempt, oldest first, as :class:`drill.stats.Record`."""
        from drill.stats import Record

        rows = self.conn.execute(
            "SELECT id, session_id, question_id, topic, seed, answer, status, mistake, seconds, hints, rating, answered_at, mode"
            " FROM attempts ORDER BY answered_at, id")
        return [Record(*r) for r in rows]

    def cards(self) -> list[tuple[str, float, int]]:
        """(question id, due as Unix seconds, reviews) for every card, soonest due first."""
        return [tuple(r) for r in self.conn.execute("SELECT question_id, due, reviews FROM cards ORDER BY due, question_id")]

    def card(self, question_id: str) -> str | None:
        row = self.conn.execute("SELECT card FROM cards WHERE question_id = ?", (question_id,)).fetchone()
        return row[0] if row else None

    # ---- reset ---------------------------------------------------------------------------
    def backup(self, target: Path) -> None:
        """A consistent copy of the whole database (SQLite's online backup)."""
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    def reset(self) -> Path:
        """Back the database up next to it, then delete all history. Returns the backup's path."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.backup-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.backup-{stamp}-{n}")
        self.backup(target)
        with _transaction(self.conn):
            for table in ("attempts", "cards", "sessions"):
                self.conn.execute(f"DELETE FROM {table}")
        return target


class Recorder:
    """``on_attempt`` for :func:`drill.quiz.run`: commits each graded attempt before the next question.

    The session row is created with the first attempt, so a session in which nothing was
    answered leaves no trace. A failed write is reported through ``warn`` and the quiz goes on.
    """

    def __init__(self, store: Store, command: str, seed: int | None, warn: Callable[[str], None] | None = None):
        self.store = store
        self.command = command
        self.seed = seed
        self.warn = warn
        self.session_id: int | None = None
        self.saved = 0

    def __call__(self, attempt) -> None:
        q = attempt.variant.question
        grade = attempt.grade
        try:
            self.session_id, _ = self.store.record(
                question_id=q.id, topic=q.topic, seed=attempt.variant.seed, answer=attempt.answer,
                status=attempt.status, mistake=grade.mistake if grade else None, seconds=attempt.seconds,
                hints=attempt.hints, session_id=self.session_id, session=(self.command, self.seed), mode=self.command)
            self.saved += 1
        except sqlite3.Error as exc:
            if self.warn is None:
                raise
            self.warn(f"could not save this answer to {self.store.path}: {exc}")


def open_store(path: str | os.PathLike, *, create: bool = True) -> Store | None:
    """Open (creating or upgrading) the progress database at ``path``.

    Returns None when the file does not exist and ``create`` is false. A damaged or foreign
    file is moved aside and a fresh database started (see :attr:`Store.recovered`). Raises
    :class:`StoreError` when the path cannot be used at all.
    """
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not a database file")
    if not path.exists():
        if not create:
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    recovered = None
    try:
        if path.exists() and path.stat().st_size:
            # checked read-only: closing a read-write connection could checkpoint a WAL into
            # (or delete the WAL of) a file we are about to move aside untouched
            check = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
            try:
                _verify(check)
            except _Unusable as exc:
                check.close()
                try:
                    moved = _move_aside(path)
                except OSError as err:
                    raise StoreError(f"{path} is unusable ({exc}) and could not be moved aside: {err.strerror or err}") from None
                recovered = Recovered(moved, str(exc))
            finally:
                check.close()
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        _migrate(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot use {path}: {exc}") from None
    return Store(path, conn, recovered)
