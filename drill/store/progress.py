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
* **A damaged or foreign file** (not SQLite, fails ``integrity_check``, or another program's SQLite
  database) is renamed to ``progress.db.damaged-<time>`` (with its ``-wal``/``-shm``), never
  deleted, and a fresh database is started; :attr:`Store.recovered` says where the old one went.
  So is a drill database any of whose rows does not read cleanly (a missing table or column,
  text that is not UTF-8, a card that is not JSON, a time outside 1970–3000, a wrong type): every
  row that does read cleanly is copied into the fresh database (:attr:`Recovered.salvaged`).
* **Exactly drill's schema.** A drill database whose schema is not exactly what :data:`MIGRATIONS`
  create at its version (a trigger, a view, an extra table, index or column) is moved aside the
  same way; only its plain tables are read for salvage, so nothing planted in it ever runs.
* **A bounded WAL.** Checkpointed every :data:`WAL_PAGES` pages and truncated to
  :data:`WAL_BYTES` (and on close), so it cannot grow without bound on a small disk.
* **A full disk** is one warning per session: :class:`Recorder` keeps the answers it could not
  write in memory, writes them once space returns, and reports how many stayed unsaved.

Times are stored as Unix seconds (UTC); FSRS cards as ``fsrs.Card.to_dict()`` JSON.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import random
import re
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

__all__ = ["Store", "StoreError", "Recorder", "default_path", "open_store", "SCHEMA_VERSION", "APPLICATION_ID"]

APPLICATION_ID = 0x6472696C  # "dril"
BUSY_TIMEOUT = 10.0  # seconds a writer waits for another drill process
WAL_PAGES = 100  # checkpoint the WAL at this many pages (SQLite's default is 1,000)
WAL_BYTES = 1 << 20  # and truncate it back to at most this many bytes
MAX_TIME = 32_503_680_000.0  # 3000-01-01 in Unix seconds: a stored time beyond it is damage

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


class Record(NamedTuple):
    """One stored attempt (a row of the ``attempts`` table)."""

    id: int
    session_id: int | None
    question_id: str
    topic: str
    seed: int
    answer: str
    status: str  # correct | wrong | skipped
    mistake: str | None
    seconds: float
    hints: int
    rating: int | None
    answered_at: float  # Unix seconds
    mode: str = "quiz"  # quiz | review | interview | explain | today | code


class StoreError(Exception):
    """The database cannot be used (unwritable path, newer schema); the message is one line."""


class _Unusable(Exception):
    """The file is damaged or not drill's: move it aside (salvage: copy over the rows that read cleanly)."""

    def __init__(self, reason: str, salvage: bool = False) -> None:
        super().__init__(reason)
        self.salvage = salvage


def _short(text: object, n: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def default_path(db: str | os.PathLike | None = None) -> Path:
    """``--db PATH``, else ``$DRILL_HOME/progress.db``, else the platform's user data directory."""
    if db:
        return Path(db).expanduser()
    from drill.core.paths import data_dir

    return data_dir() / "progress.db"


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)  # we BEGIN ourselves
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit = {WAL_BYTES}")
    return conn


def _verify(conn: sqlite3.Connection) -> None:
    """Raise _Unusable for a damaged or foreign file, StoreError for a newer drill's database."""
    conn.text_factory = bytes  # schema text that is not UTF-8 is damage, not a crash
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        check = conn.execute("PRAGMA integrity_check(1)").fetchone()[0]  # quick_check misses damaged indexes
    except sqlite3.OperationalError as exc:
        if _is_damage(exc):
            raise _Unusable(str(exc), salvage=True) from None
        raise
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        raise _Unusable(str(exc), salvage=True) from None
    except (ValueError, OverflowError) as exc:
        raise _Unusable(f"unreadable schema ({exc})", salvage=True) from None
    if isinstance(check, bytes):
        check = check.decode("utf-8", "replace")
    if check != "ok":
        raise _Unusable(f"integrity check failed: {_short(check)}", salvage=app_id == APPLICATION_ID)
    if app_id != APPLICATION_ID and (tables or version):
        raise _Unusable("a SQLite database that is not drill's")
    if version > SCHEMA_VERSION:
        raise StoreError(f"the database was written by a newer drill (schema {version}, this drill knows {SCHEMA_VERSION}); upgrade drill")
    _check_schema(conn, version)


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    """Every object in the file's schema: (type, name, table, SQL text)."""
    return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=repr)


def _expected_schema(version: int) -> list[tuple]:
    """The schema drill itself creates at ``version``: its migrations run on an empty database."""
    return _schema_of(tuple(MIGRATIONS[:version]))


@functools.lru_cache(maxsize=4)
def _schema_of(migrations: tuple[str, ...]) -> list[tuple]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.text_factory = bytes
        for script in migrations:
            for statement in _statements(script):
                conn.execute(statement)
        return _schema(conn)
    finally:
        conn.close()


def _check_schema(conn: sqlite3.Connection, version: int) -> None:
    """Raise _Unusable unless the schema is exactly drill's at ``version``: its tables, columns
    and indexes, and nothing else — no trigger (it would run on drill's next write), no view (a
    recursive one hangs any read), no extra table, index or column. Its rows are salvaged from
    plain tables only (:func:`_read_all`), so reading them runs nothing planted."""
    try:
        found = _schema(conn)
    except sqlite3.Error as exc:
        raise _Unusable(f"unreadable schema ({_short(exc, 60)})", salvage=False) from None
    expected = _expected_schema(version)
    if found == expected:
        return
    extra = sorted((r for r in found if r not in expected), key=lambda r: (r[0] != b"trigger", r[0] != b"view"))  # what runs first
    missing = [r for r in expected if r not in found]
    odd = extra[0] if extra else missing[0]
    kind = odd[0].decode("utf-8", "replace") if isinstance(odd[0], bytes) else str(odd[0])
    name = odd[1].decode("utf-8", "replace") if isinstance(odd[1], bytes) else str(odd[1])
    what = (f"a {kind} {name!r} drill does not create" if extra and not any(r[1] == odd[1] for r in expected)
            else f"its {kind} {name!r} is not as drill creates it" if extra else f"the {kind} {name!r} is missing")
    raise _Unusable(f"its schema is not drill's: {_short(what, 80)}", salvage=True)  # _read_all reads plain tables only


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
    salvaged: str = ""  # what was copied into the fresh database, e.g. "12 of 14 answers and 3 of 3 cards"


# --- reading a possibly damaged database, row by row ------------------------------------------

COLUMNS = {
    "sessions": ("id", "command", "seed", "started"),
    "attempts": ("id", "session_id", "question_id", "topic", "seed", "answer", "status", "mistake", "seconds", "hints", "rating", "answered_at",
                 "mode"),
    "cards": ("question_id", "card", "due", "reviews", "updated"),
}
_ADDED = {("attempts", "mode"): "'quiz'"}  # columns a later schema added: an older file reads them as their default
MODES = ("quiz", "review", "interview", "explain", "today", "code")
_INT64 = 1 << 63
_ORDER = {"sessions": "id", "attempts": "answered_at, id", "cards": "due, question_id"}  # the orders (and indexes) the store uses


def _text(v: object, nullable: bool = False) -> str | None:
    if v is None and nullable:
        return None
    if isinstance(v, bytes):
        return v.decode("utf-8")  # UnicodeDecodeError: the row is damaged
    raise TypeError("not text")


def _int(v: object, nullable: bool = False, low: int = -_INT64) -> int | None:
    if v is None and nullable:
        return None
    if isinstance(v, int) and low <= v < _INT64:
        return v
    raise TypeError("not a whole number")


def _when(v: object) -> float:
    if isinstance(v, (int, float)) and 0 <= v <= MAX_TIME:
        return float(v)
    raise TypeError("not a time from 1970 to 3000")


def _clean(table: str, row: tuple) -> tuple:
    """One row with every value of the type and range drill writes; raises on any other."""
    if table == "sessions":
        i, command, seed, started = row
        return (_int(i, low=1), _text(command), _int(seed, nullable=True), _when(started))
    if table == "attempts":
        i, sid, qid, topic, seed, answer, status, mistake, seconds, hints, rating, at, mode = row
        status, mode = _text(status), _text(mode)
        if not (mode in MODES or re.fullmatch(r"[a-z]{1,20}", mode or "")):  # a later drill's mode is a word too
            raise ValueError("unknown mode")
        if status not in ("correct", "wrong", "skipped"):
            raise ValueError("unknown status")
        if not (isinstance(seconds, (int, float)) and 0 <= seconds <= 1e7):
            raise ValueError("seconds out of range")
        if rating is not None and rating not in (1, 2, 3, 4):
            raise ValueError("rating out of range")
        return (_int(i, low=1), _int(sid, nullable=True), _text(qid), _text(topic), _int(seed), _text(answer), status,
                _text(mistake, nullable=True), float(seconds), _int(hints, low=0), rating, _when(at), mode)
    qid, card, due, reviews, updated = row
    card = _text(card)
    data = json.loads(card)
    if not isinstance(data, dict) or not isinstance(data.get("due"), str):
        raise ValueError("card is not an FSRS card")
    when = datetime.fromisoformat(data["due"])
    if when.tzinfo is None or not 0 <= when.timestamp() <= MAX_TIME:
        raise ValueError("card due date out of range")
    return (_text(qid), card, _when(due), _int(reviews, low=0), _when(updated))


def _read_all(conn: sqlite3.Connection) -> tuple[dict[str, list[tuple]], list[str], dict[str, int]]:
    """Every row that reads cleanly, per table; the problems found (empty for a healthy database);
    and how many rows each table appeared to hold."""
    conn.text_factory = bytes
    rows: dict[str, list[tuple]] = {t: [] for t in COLUMNS}
    seen = {t: 0 for t in COLUMNS}
    problems: list[str] = []
    try:
        kinds = {r[0]: r[1] for r in conn.execute("SELECT name, type FROM sqlite_master WHERE name IN ('sessions', 'attempts', 'cards')")}
    except sqlite3.Error as exc:
        return rows, [f"unreadable schema ({_short(exc, 60)})"], seen
    for table, cols in COLUMNS.items():
        try:
            if kinds.get(table.encode(), b"table") != b"table":  # a view could run anything (a recursive one never ends)
                problems.append(f"{table} is not a table")
                continue
            have = {(r[1].decode("utf-8", "replace") if isinstance(r[1], bytes) else str(r[1])) for r in conn.execute(f"PRAGMA table_info({table})")}
            if not have:
                problems.append(f"table {table} is missing")
                continue
            missing = [c for c in cols if c not in have and (table, c) not in _ADDED]
            if missing:
                problems.append(f"table {table} lacks column {missing[0]}")
                continue
            select = ", ".join(c if c in have else f"{_ADDED[table, c]} AS {c}" for c in cols)
            cursor = conn.execute(f"SELECT {select} FROM {table} ORDER BY {_ORDER[table]}")  # as the store reads them
            while True:
                batch = cursor.fetchmany(500)
                if not batch:
                    break
                for row in batch:
                    seen[table] += 1
                    try:
                        rows[table].append(_clean(table, row))
                    except (TypeError, ValueError, OverflowError, UnicodeDecodeError) as exc:
                        if len(problems) < 20:
                            problems.append(f"a row of {table} does not read cleanly ({_short(exc, 60)})")
        except (sqlite3.Error, ValueError, OverflowError, MemoryError) as exc:
            problems.append(f"table {table} cannot be read to the end ({_short(exc, 60)})")
    return rows, problems, seen


def _copy_in(conn: sqlite3.Connection, rows: dict[str, list[tuple]], seen: dict[str, int]) -> str:
    """Insert salvaged rows into a fresh database; what was copied, as words."""
    sessions = {r[0] for r in rows["sessions"]}
    attempt_ids: set[int] = set()
    attempts = []
    for r in rows["attempts"]:
        if r[0] in attempt_ids:
            continue
        attempt_ids.add(r[0])
        attempts.append(r if r[1] is None or r[1] in sessions else (r[0], None, *r[2:]))
    cards = list({r[0]: r for r in rows["cards"]}.values())
    with _transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO sessions (id, command, seed, started) VALUES (?, ?, ?, ?)", rows["sessions"])
        conn.executemany(f"INSERT INTO attempts ({', '.join(COLUMNS['attempts'])}) VALUES ({', '.join('?' * len(COLUMNS['attempts']))})", attempts)
        conn.executemany(f"INSERT INTO cards ({', '.join(COLUMNS['cards'])}) VALUES (?, ?, ?, ?, ?)", cards)
    return f"{len(attempts)} of {seen['attempts']} answers and {len(cards)} of {seen['cards']} review cards"


class Store:
    """An open progress database. Use :func:`open_store`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, recovered: Recovered | None = None):
        self.path = path
        self.conn = conn
        self.recovered = recovered

    def close(self) -> None:
        self.checkpoint()
        self.conn.close()

    def checkpoint(self) -> None:
        """Write the WAL back into the database and truncate it (frees disk; never raises)."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass

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
               session: tuple[str, int | None] | None = None, mode: str | None = None,
               near_miss: bool = False) -> tuple[int, int]:
        """Store one attempt and review its template's FSRS card, in one transaction.

        The rating (:func:`drill.store.scheduling.rating_for`) weighs whether this variant (its seed)
        was answered before and whether the answer came after a near miss (``near_miss``).

        session: (command, seed) to create the session row in the same transaction when
        ``session_id`` is None. mode: quiz | review | interview | explain | code (default: the session's
        command, else quiz). Returns (session_id, FSRS rating).
        """
        from drill.store import scheduling as review

        when = time.time() if when is None else when
        moment = datetime.fromtimestamp(when, timezone.utc)
        with _transaction(self.conn):
            if session_id is None and session is not None:
                session_id = self._insert_session(session[0], session[1], when)
            earlier = [r[0] for r in self.conn.execute(
                "SELECT seconds FROM attempts WHERE question_id = ? AND status = 'correct'", (question_id,))]
            fresh = self.conn.execute("SELECT 1 FROM attempts WHERE question_id = ? AND seed = ? LIMIT 1",
                                      (question_id, seed)).fetchone() is None
            rating = review.rating_for(status, seconds, hints, earlier, fresh=fresh, near_miss=near_miss)
            row = self.conn.execute("SELECT card, reviews FROM cards WHERE question_id = ?", (question_id,)).fetchone()
            try:
                card = review.schedule(row[0] if row else None, question_id, rating, moment)
            except (ValueError, TypeError, KeyError, AttributeError):  # a card damaged since it was opened: start it afresh
                card = review.schedule(None, question_id, rating, moment)
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
        """Every attempt, oldest first, as :class:`Record`."""
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
    def _check_writable(self) -> None:
        for place in (self.path, self.path.parent):
            if not os.access(place, os.W_OK):
                raise StoreError(f"{place} is read-only")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("UPDATE sessions SET id = id WHERE 0")  # a write that changes nothing
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreError(f"cannot write {self.path}: {exc}") from None

    def backup(self, target: Path) -> None:
        """A consistent copy of the whole database (SQLite's online backup)."""
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    def reset(self) -> Path:
        """Back the database up next to it, then delete all history. Returns the backup's path.
        Raises StoreError, before writing anything, when the database or its folder is read-only."""
        self._check_writable()
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
    """``on_attempt`` for :func:`drill.tui.quiz.run`: commits each graded attempt before the next question.

    The session row is created with the first attempt, so a session in which nothing was
    answered leaves no trace. A failed write (a full or read-only disk) is reported once per
    session through ``warn``; the answer is kept in memory and written with the next one, or by
    :meth:`flush` at the end; :attr:`unsaved` counts what never could be written.
    """

    def __init__(self, store: Store, command: str, seed: int | None, warn: Callable[[str], None] | None = None):
        self.store = store
        self.command = command
        self.seed = seed
        self.warn = warn
        self.session_id: int | None = None
        self.saved = 0
        self.pending: list[dict] = []
        self.warned = False

    @property
    def unsaved(self) -> int:
        return len(self.pending)

    def __call__(self, attempt) -> None:
        q = attempt.variant.question
        grade = attempt.grade
        self.pending.append(dict(
            question_id=q.id, topic=q.topic, seed=attempt.variant.seed, answer=attempt.answer,
            status=attempt.status, mistake=grade.mistake if grade else None, seconds=attempt.seconds,
            hints=attempt.hints, near_miss=bool(getattr(attempt, "near_miss", False)), when=time.time()))
        self.flush()

    def flush(self) -> bool:
        """Write every answer still held in memory, oldest first; True when none is left."""
        while self.pending:
            try:
                self._write(self.pending[0])
            except sqlite3.Error as exc:
                if self.warn is None:
                    self.pending.pop(0)
                    raise
                self.store.checkpoint()  # a full disk: the WAL may be what filled it
                try:
                    self._write(self.pending[0])
                except sqlite3.Error:
                    if not self.warned:
                        self.warned = True
                        self.warn(f"could not save this answer to {self.store.path}: {exc}; drill keeps it (and any later "
                                  "ones it cannot save) in memory and writes them as soon as it can")
                    return False
            self.pending.pop(0)
            self.saved += 1
        return True

    def _write(self, entry: dict) -> None:
        self.session_id, _ = self.store.record(**entry, session_id=self.session_id, session=(self.command, self.seed), mode=self.command)


def _create_whole(path: Path) -> None:
    """Make a new, migrated database at ``path`` in one step, unless another process makes one
    there first: it is built under a temporary name in the same folder and linked into place (a
    link never replaces a file). Another drill starting at the same moment therefore never reads a
    half-written file, which would look damaged and be moved aside with the first one's answers."""
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}-{random.getrandbits(32):08x}")
    try:
        conn = _connect(tmp)
        try:
            _migrate(conn)
        finally:
            conn.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        except OSError:  # a file system without hard links: the plain way
            if not path.exists():
                os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{tmp}{suffix}")
            except OSError:
                pass


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
    salvage = None
    if path.is_symlink() and path.exists() and not path.stat().st_size:
        # an empty file reached through a link is someone else's (drill never leaves one): building
        # the database in it would write into that file, so the link is moved aside instead
        try:
            recovered = Recovered(_move_aside(path), "an empty file reached through a symbolic link is not drill's database")
        except OSError as err:
            raise StoreError(f"{path} links to an empty file that is not drill's and could not be moved aside: {err.strerror or err}") from None
    try:
        if path.exists() and path.stat().st_size:
            # checked read-only: closing a read-write connection could checkpoint a WAL into
            # (or delete the WAL of) a file we are about to move aside untouched
            check = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
            try:
                try:
                    _verify(check)
                    if check.execute("PRAGMA user_version").fetchone()[0]:  # a drill database: every row must read cleanly
                        rows, problems, seen = _read_all(check)
                        if problems:
                            salvage = (rows, seen)
                            raise _Unusable(problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""))
                except _Unusable as exc:
                    if salvage is None and exc.salvage:
                        try:
                            rows, _, seen = _read_all(check)
                            salvage = (rows, seen)
                        except Exception:  # noqa: BLE001 - nothing to salvage from this file
                            salvage = None
                    check.close()
                    try:
                        moved = _move_aside(path)
                    except OSError as err:
                        raise StoreError(f"{path} is unusable ({exc}) and could not be moved aside: {err.strerror or err}") from None
                    recovered = Recovered(moved, _short(exc))
            finally:
                check.close()
        if not path.exists():
            _create_whole(path)
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        _migrate(conn)
        if recovered is not None and salvage is not None and any(salvage[0].values()):
            recovered.salvaged = _copy_in(conn, *salvage)
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot use {path}: {exc}") from None
    return Store(path, conn, recovered)
