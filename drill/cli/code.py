"""``drill code``: NumPy coding exercises graded against drill's solvers.

    drill code                     list the exercises
    drill code start NAME          write NAME's stub into your workspace ($DRILL_HOME/code, or --dir)
    drill code check NAME          grade it (exit 0 pass, 1 fail); --watch re-runs on every save
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

code_app = typer.Typer(help="NumPy coding exercises graded against drill's own solvers, with the mistake in your code named.",
                       invoke_without_command=True)

DirOption = Annotated[Optional[str], typer.Option("--dir", "-d", help="Your workspace folder. [default: $DRILL_HOME/code, else drill's data directory/code]")]
EXIT_FAIL = 1


def _fail(message: str):
    from drill.cli.console import fail

    return fail(message)


def _console(stderr: bool = False):
    from drill.cli.console import console

    return console(stderr)


def _exercise(name: str):
    from drill.code.exercises import BY_NAME

    ex = BY_NAME.get(name)
    if ex is None:
        import difflib

        close = difflib.get_close_matches(name, list(BY_NAME), n=3)
        raise _fail(f"no exercise {name!r}" + (f"; did you mean {', '.join(close)}?" if close else "; 'drill code' lists them"))
    return ex


def _folder(folder: str | None) -> Path:
    from drill.code.workspace import default_dir
    from drill.core.paths import HomeError

    try:
        return Path(folder).expanduser() if folder else default_dir()
    except HomeError as exc:
        raise _fail(str(exc)) from None


def _passed(db: str | None) -> dict[str, bool]:
    """Exercises with a passing attempt in the progress database (none when there is no database)."""
    from drill.code.exercises import EXERCISES

    try:
        from drill.store.progress import StoreError, default_path, open_store

        store = open_store(default_path(db), create=False)
    except (StoreError, OSError, ValueError):
        return {}
    if store is None:
        return {}
    with store:
        done = {(r.question_id, r.answer) for r in store.attempts() if r.mode == "code" and r.status == "correct"}
    return {e.name: (e.questions[0], e.name) in done for e in EXERCISES}


@code_app.callback()
def code_list(ctx: typer.Context, db: Annotated[Optional[str], typer.Option("--db", help="Progress database file.")] = None) -> None:
    """List the exercises (✓ = passed)."""
    if ctx.invoked_subcommand is not None:
        return
    from drill.code.exercises import EXERCISES
    from drill.tui.code_view import exercise_list

    exercise_list(_console(), EXERCISES, _passed(db))


@code_app.command("start")
def code_start(
    name: Annotated[str, typer.Argument(metavar="NAME", help="An exercise (see 'drill code').")],
    folder: DirOption = None,
) -> None:
    """Write the exercise's stub (signature, docstring, example) into your workspace; an existing file is left alone."""
    from drill.code.workspace import WorkspaceError, start
    from drill.tui.code_view import started

    ex = _exercise(name)
    try:
        import shlex

        check = f"drill code check {ex.name}" + (f" --dir {shlex.quote(folder)}" if folder else "")
        path, written = start(ex, _folder(folder), check)
    except WorkspaceError as exc:
        raise _fail(str(exc)) from None
    started(_console(), ex, path, written, check)


@code_app.command("check")
def code_check(
    name: Annotated[str, typer.Argument(metavar="NAME", help="An exercise (see 'drill code').")],
    folder: DirOption = None,
    file: Annotated[Optional[str], typer.Option("--file", "-f", help="Grade this file instead of the workspace's NAME.py.")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=50, help="Random variants to test, besides the examples and edge cases.")] = 6,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, help="Seed of the random variants. [default: a new one each run]")] = None,
    watch: Annotated[bool, typer.Option("--watch", "-w", help="Re-run whenever the file is saved (Ctrl-C stops).")] = False,
    hint: Annotated[bool, typer.Option("--hint", help="Show the exercise's hint with a failure.")] = False,
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not record the attempt in the progress database.")] = False,
    db: Annotated[Optional[str], typer.Option("--db", help="Progress database file.")] = None,
) -> None:
    """Grade your implementation on random variants and edge cases (exit 0 pass, 1 fail)."""
    import random

    ex = _exercise(name)
    from drill.code.workspace import file_for

    path = Path(file).expanduser() if file else file_for(ex, _folder(folder))
    if not path.is_file():
        raise _fail(f"{path} does not exist: run  drill code start {ex.name}" + (f" --dir {folder}" if folder else "") + "  first")
    if not watch:
        rep = _check_once(ex, path, count, seed if seed is not None else random.randrange(1, 10**6), hint, no_save, db)
        raise typer.Exit(0 if rep.passed else EXIT_FAIL)
    console = _console()
    last = None
    while True:
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime is not None and mtime != last:
            last = mtime
            console.rule(time.strftime("%H:%M:%S"), style="dim")
            _check_once(ex, path, count, seed if seed is not None else random.randrange(1, 10**6), hint, no_save, db)
            console.print(_dim(f"watching {path} (Ctrl-C stops)"))
        time.sleep(0.5)


def _dim(text: str):
    from drill.tui.text import plain

    return plain(text, "dim")


def _check_once(ex, path: Path, count: int, seed: int, hint: bool, no_save: bool, db: str | None):
    from drill.code.grading import check
    from drill.tui.code_view import report

    rep = check(ex, path, n=count, seed=seed)
    report(_console(), rep, path, hint=hint)
    if not no_save:
        _record(ex, rep, seed, db)
    return rep


def _record(ex, rep, seed: int, db: str | None) -> None:
    """One attempt, mode ``code``, on the exercise's first bank question (so stats and FSRS count it):
    its answer is the exercise's name, its mistake the one named, if any."""
    import sqlite3

    from drill.store.progress import StoreError, default_path, open_store

    try:
        store = open_store(default_path(db))
    except (StoreError, OSError, ValueError) as exc:
        _console(stderr=True).print(_dim(f"not recorded: {exc}"))
        return
    if store is None:
        return
    mistake = rep.failure.mistake if rep.failure and rep.failure.mistake else None
    try:
        with store:
            store.record(question_id=ex.questions[0], topic=ex.topic, seed=seed, answer=ex.name,
                         status="correct" if rep.passed else "wrong", mistake=mistake, seconds=0.0,
                         session=("code", seed), mode="code")
    except sqlite3.Error as exc:
        _console(stderr=True).print(_dim(f"not recorded: {exc}"))
