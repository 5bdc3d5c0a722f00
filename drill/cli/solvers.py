"""``drill solvers``: the solver names with the params each expects."""

from __future__ import annotations

from typing import Annotated

import typer

from drill.cli.console import console
from drill.cli.selection import load


def solvers(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the solver names with the params each expects (for writing your own questions)."""
    from drill.authoring.templates import solver_catalog
    from drill.tui import authoring_view as authoring_ui

    catalog = solver_catalog(load())
    if as_json:
        from drill.core.textsafe import write_json

        for info in catalog:
            write_json(info.to_json())
    else:
        authoring_ui.solver_list(console(), catalog)
