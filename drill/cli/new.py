"""``drill new``: a commented template question to fill in."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from drill.cli.console import console, fail
from drill.cli.selection import load


def new(
    question_id: Annotated[str, typer.Argument(metavar="QUESTION_ID", help="The new question's id (kebab-case).")],
    solver_name: Annotated[str, typer.Option("--solver", "-s", help="A solver name (see 'drill solvers').")],
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="File to write; '-' for stdout. [default: QUESTION_ID.yaml]")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", "-t", help="Topic of the new question. [default: the copied question's]")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented template question that passes 'drill check' once its key is filled in."""
    from pathlib import Path

    from drill.authoring.templates import TemplateError, template, write_template
    from drill.solvers import UnknownSolver

    try:
        text = template(load(), question_id, solver_name, topic)
    except (TemplateError, UnknownSolver) as exc:
        raise fail(str(exc)) from None
    if out == "-":
        print(text, end="")
        return
    path = Path(out or f"{question_id}.yaml")
    try:
        write_template(path, text, force=force)
    except TemplateError as exc:
        raise fail(str(exc)) from None
    from drill.tui.text import plain

    console().print(plain(f"wrote {path}\nnext: work out the key by hand, write it after ") + plain("answer:", "bold") + plain(", then run ")
                    + plain(f"drill check --bank {path.parent} -q {question_id}", "bold"), soft_wrap=True)
