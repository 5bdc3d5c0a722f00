"""drill's command line: the typer app composed from one short module per command, and ``main``.

Heavy modules (numpy, the solvers, the bank) are imported inside the commands that need
them, so ``drill --help`` starts as fast as typer itself.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from drill.cli import check, code, explain, export, generate, interview, listing, new, quiz, review, solvers, stats, today
from drill.cli.console import state, stop_code
from drill.cli.group import DrillGroup
from drill.cli.options import MAX_COUNT, MAX_MINUTES, MAX_SEED  # noqa: F401 - the bounds, as drill.cli has always named them

app = typer.Typer(
    cls=DrillGroup,
    help="Practise the calculations deep-learning interviews ask: randomized, graded, explained. "
    "--no-color (anywhere on the line) or NO_COLOR=1 gives plain output.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich costs ~50 ms of imports (benchmarks/run.py)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version() -> str:
    """The installed distribution's version (drill's own when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version("dl-drill")
    except PackageNotFoundError:
        from drill import __version__

        return __version__


def _show_version(value: bool) -> None:
    if value:
        print(f"drill {version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain text without colours (also accepted after the command; NO_COLOR=1 does the same).")] = False,
    show_version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_show_version, help="Print drill's version and exit.")] = False,
) -> None:
    state.no_color = state.no_color or no_color


app.command()(quiz.quiz)
app.command()(review.review)
app.command()(stats.stats)
app.command()(generate.generate)
app.command("list")(listing.list_questions)
app.command()(explain.explain)
app.command()(check.check)
app.command()(interview.interview)
app.command()(solvers.solvers)
app.command()(new.new)
app.command()(today.today)
app.add_typer(export.export_app, name="export")
app.add_typer(code.code_app, name="code")


def main() -> None:
    """Console entry point: one-line errors, never a traceback (DRILL_DEBUG=1 shows it)."""
    if sys.stdin is None:  # started with stdin closed (<&-): read it as empty input
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show "·" or "✓" gets "?"
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    from drill.practice.session import stops_raise

    try:
        with stops_raise():
            app()
    except KeyboardInterrupt as exc:
        sys.exit(stop_code(exc))
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
        if os.environ.get("DRILL_DEBUG"):
            raise
        from drill.core.textsafe import visible

        print(visible(f"drill: internal error: {type(exc).__name__}: {exc} (set DRILL_DEBUG=1 for details)"), file=sys.stderr)
        sys.exit(70)
