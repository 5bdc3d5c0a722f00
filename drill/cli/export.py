"""``drill export``: questions for other tools (``drill export anki``)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from drill.cli.console import console, fail, warner
from drill.cli.options import QuestionOption, TopicOption, check_seed_span, count_option, seed_option
from drill.cli.selection import load, select

export_app = typer.Typer(help="Export questions to other tools.", no_args_is_help=True)


@export_app.command("anki")
def export_anki(
    file: Annotated[str, typer.Argument(metavar="FILE.apkg", help="The Anki package to write.")],
    topic: TopicOption = None,
    question: QuestionOption = None,
    count: Annotated[int, count_option("--count", "-n", help="Variants per question (seeds S, S+1, …).")] = 1,
    seed: Annotated[int, seed_option("First variant seed (0 = the canonical params)")] = 0,
) -> None:
    """Write an Anki deck: one note per variant; re-importing updates the same notes."""
    from drill.tui import anki

    try:
        import genanki  # noqa: F401
    except ImportError:
        raise fail("the Anki export needs genanki: pip install genanki") from None
    from drill.solvers._fmt import plural

    check_seed_span(seed, count, "-n")
    _writable_file(file)
    chosen = select(load(), topic, question)
    try:
        n = anki.export(file, anki.variants_for(chosen, count, seed, warn=warner()))
    except OSError as exc:
        raise fail(f"cannot write {file}: {exc.strerror or exc}") from None
    from drill.tui.text import plain

    console().print(plain(f"wrote {file}: {n} {plural(n, 'note')} from {len(chosen)} {plural(len(chosen), 'question')} ({f'seed {seed}' if count == 1 else f'seeds {seed}–{seed + count - 1}'}) in deck '{anki.DECK_NAME}'"))


def _writable_file(path: str) -> None:
    """A file drill is asked to write: its folder must exist and the path must not be a folder (one line, exit 2)."""
    from pathlib import Path

    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not path.strip():
        raise fail("the file name is empty; give one such as drill.apkg")
    if p.is_dir():
        raise fail(f"{path} is a directory; give a file name such as {p / 'drill.apkg'}")
    if not parent.is_dir():
        raise fail(f"cannot write {path}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise fail(f"cannot write {path}: the directory {parent} is not writable")
