"""A quiz session: plan the questions, ask, grade, record each attempt the moment it is graded.

The session logic lives in :mod:`drill.session` (plain, no rendering); this module runs it with
the quiz's terminal view (:class:`drill.ui.QuizView`) and reads answers (:func:`line_reader`).

Seeds: without ``--question``, ``--seed S`` is the *session* seed, which fixes which
templates are asked and their variant seeds. With ``--question ID``, ``--seed S`` is the
*variant* seed of the first question (then S+1, …), so ``drill quiz --question ID --seed S``
replays exactly the variant a summary names.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from drill.session import HINT, QUIT, SKIP, Attempt, Rules, plan
from drill.session import run as run_session
from drill.textsafe import visible

if TYPE_CHECKING:
    from rich.console import Console

    from drill.bank import Explanation, Question

__all__ = ["Attempt", "plan", "run", "line_reader", "SKIP", "QUIT", "HINT"]


def line_reader(console: Console, history: str | None = "answers") -> Callable[[str], str | None]:
    """Read one answer line: a line editor on a terminal (editing, history, completion), plain
    lines when piped.

    Returns None at end of input. Undecodable bytes become U+FFFD rather than an error. The
    returned function's ``interactive`` attribute says whether it reads from a terminal.
    history: the name of the history file in the data directory (None: no history).
    """
    stdin = sys.stdin
    if stdin is None or getattr(stdin, "closed", False):
        def closed(prompt: str) -> str | None:
            return None

        closed.interactive = False  # type: ignore[attr-defined]
        return closed
    reconfigure = getattr(stdin, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):
            pass
    try:
        interactive = stdin.isatty()
    except (ValueError, OSError):
        interactive = False
    editor = None

    def read(prompt: str) -> str | None:
        nonlocal editor
        if interactive and console.is_terminal:  # the editor draws where the console writes (stderr with --json)
            if editor is None:
                from drill.lineedit import make_editor

                editor = make_editor(console, history)
            return editor(prompt)
        if interactive:  # typing at a terminal, output redirected to a file: a plain prompt
            try:
                return console.input(prompt)
            except EOFError:
                return None
        console.print(prompt, end="")
        line = stdin.readline()
        if not line:
            console.print()
            return None
        line = line.rstrip("\r\n")
        console.print(visible(line), markup=False, highlight=False)
        return line

    read.interactive = interactive  # type: ignore[attr-defined]
    return read


def run(
    items: Sequence[tuple[Question, int]],
    console: Console,
    read: Callable[[str], str | None],
    on_attempt: Callable[[Attempt], None] | None = None,
    warn: Callable[[str], None] | None = None,
    explanations: Mapping[str, Explanation] | None = None,
) -> tuple[list[Attempt], str]:
    """Ask ``items`` in order. Returns the attempts and how it ended:
    "done" | "quit" | "eof" | "interrupt" | "terminate" | "hangup".

    ``on_attempt`` is called as soon as each answer is graded (or skipped), before anything
    about it is shown, so an interruption loses nothing whose grade was shown.
    """
    from drill.ui import QuizView

    result = run_session(items, QuizView(console, warn, explanations), read, rules=Rules(), on_attempt=on_attempt)
    return result.attempts, result.ended
