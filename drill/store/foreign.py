"""Whether a file named as the progress database is someone else's: read only its header (and, for
a SQLite file, its application_id), never change it."""

from __future__ import annotations

from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def foreign_file_problem(path: Path) -> str | None:
    """Why an existing ``path`` must be left alone (a folder, unreadable, not SQLite, another program's
    SQLite database), or None (no file, an empty one, or drill's own or a damaged one)."""
    if not path.exists():
        return None
    if not path.is_file():
        return f"{path} is not a regular file"
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        return f"cannot read {path} ({exc.strerror or exc})"
    if head and head != SQLITE_HEADER:
        return f"{path} is not a SQLite database; drill leaves it alone (give another --db)"
    if head and _foreign_sqlite(path):
        return f"{path} is another program's SQLite database; drill leaves it alone (give another --db)"
    return None


def _foreign_sqlite(path: Path) -> bool:
    """True for a readable SQLite file that has tables and is not drill's (its application_id says
    so); a damaged or unreadable one is not judged here: the store moves it aside and salvages."""
    import sqlite3

    from drill.store.progress import APPLICATION_ID

    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=1)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError, OverflowError):  # UnicodeDecodeError too: a damaged schema's error text
        return False
    return app_id != APPLICATION_ID and tables > 0
