"""The command line's output: consoles on stdout and stderr, one-line errors and warnings, and a
closed pipe ended quietly. ``--no-color`` is kept here (:data:`state`), set by the root command."""

from __future__ import annotations

import os
import sys

import typer

EXIT_FAILED = 1  # check found problems
EXIT_USAGE = 2  # bad input: unknown topic/question, broken bank file


class _State:
    no_color = False  # set by --no-color (anywhere on the line); NO_COLOR in the environment works too (rich reads it)


state = _State()


def print_error(message: str) -> None:
    try:
        console(stderr=True).print(_error_text(message), soft_wrap=True)
    except BrokenPipeError:
        pass


def _error_text(message: str):
    from rich.text import Text

    from drill.core.textsafe import visible

    return Text.assemble(("error:", "bold red"), " ", visible(message))


def quiet_broken_pipe() -> None:
    """The reader went away (``| head``, quitting ``less``): that is not a failure. Point stdout at
    /dev/null so the interpreter's final flush cannot complain, and exit 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)


def console(stderr: bool = False):
    from rich.console import Console

    class DrillConsole(Console):
        def on_broken_pipe(self) -> None:  # rich's default exits 1; a closed reader is not a failure
            quiet_broken_pipe()

    return DrillConsole(stderr=stderr, highlight=False, no_color=True if state.no_color else None, width=_width(stderr))


def _width(stderr: bool = False) -> int | None:
    """None (rich reads the terminal or $COLUMNS); for a $COLUMNS that is not a positive width (0 is
    set by some shells and CI runners, and makes rich render nothing, prompts included), the
    terminal's own width, else 80."""
    cols = os.environ.get("COLUMNS")
    if cols is None or (cols.strip().isdigit() and int(cols) > 0):
        return None
    try:
        return os.get_terminal_size((sys.stderr if stderr else sys.stdout).fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise (the message shown as plain text)."""
    print_error(message)
    return typer.Exit(code)


def warner():
    """``warn`` for the quiz and the store: one plain-text line on stderr, never parsed as markup."""
    from drill.tui.text import plain

    err = console(stderr=True)
    return lambda message: err.print(plain("warning: ", "yellow") + plain(str(message)), soft_wrap=True)


def stop_code(exc: KeyboardInterrupt) -> int:
    """The exit status of a stop signal that ended a command outside a session's own handling."""
    from drill.practice.session import EXIT_CODES

    return EXIT_CODES.get(getattr(exc, "ended", "interrupt"), 130)


def exit_if_stopped(ended: str) -> None:
    """Exit 130 / 143 / 129 after the summary when SIGINT / SIGTERM / SIGHUP ended the session."""
    from drill.practice.session import EXIT_CODES

    if ended in EXIT_CODES:
        raise typer.Exit(EXIT_CODES[ended])
