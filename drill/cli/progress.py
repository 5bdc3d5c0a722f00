"""The progress database as the commands open it, and the line saying what was saved."""

from __future__ import annotations

from drill.cli.console import console, fail


def open_store(db: str | None, create: bool = True):
    """The progress database, or None (create=False and no file yet); a moved-aside file is one line."""
    from drill.store.progress import StoreError, default_path, open_store as open_progress
    from drill.tui.text import plain

    path = default_path(db)
    if db is not None and create and not path.parent.is_dir():
        raise fail(f"progress database {db}: the directory {path.parent} does not exist (create it first, or leave out --db)")
    if db is not None:  # a --db the user typed that names someone else's file is refused and left alone
        from drill.store.foreign import foreign_file_problem

        problem = foreign_file_problem(path)
        if problem:
            raise fail(f"progress database {db}: {problem}")
    try:
        store = open_progress(path, create=create)
    except StoreError as exc:
        raise fail(f"progress database: {exc} (drill quiz --no-save runs without one)") from None
    if store is not None and store.recovered:
        r = store.recovered
        console(stderr=True).print(plain("error: ", "bold red") + plain(
            f"{path} is damaged or not drill's ({r.reason}); moved it to {r.moved_to} and started a fresh database"
            + (f", copying over {r.salvaged}." if getattr(r, "salvaged", "") else ".")), soft_wrap=True)
    return store


def saved_note(out, recorder) -> None:
    if recorder is not None:
        recorder.flush()  # answers a full disk held back: written now if space has returned
    if recorder is not None and recorder.saved:
        from drill.tui.text import plain

        out.print(plain(f"Saved {recorder.saved} answer{'s' * (recorder.saved != 1)} to {recorder.store.path} · drill stats · drill review", "dim"), soft_wrap=True)
    unsaved = getattr(recorder, "unsaved", 0) if recorder is not None else 0
    if unsaved:
        from drill.tui.text import plain

        console(stderr=True).print(plain(f"warning: {unsaved} answer{'s' * (unsaved != 1)} could not be saved to {recorder.store.path} "
                                         "(the disk is full or read-only): they were graded but are not in your history.", "yellow"), soft_wrap=True)
