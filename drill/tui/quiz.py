"""A quiz session: plan the questions, ask, grade, record each attempt the moment it is graded.

The session logic lives in :mod:`drill.practice.session` (plain, no rendering); this module runs it with
the quiz's terminal view (:class:`drill.tui.quiz_view.QuizView`) and reads answers (:func:`line_reader`).

Seeds: without ``--question``, ``--seed S`` is the *session* seed, which fixes which
templates are asked and their variant seeds. With ``--question ID``, ``--seed S`` is the
*variant* seed of the first question (then S+1, …), so ``drill quiz --question ID --seed S``
replays exactly the variant a summary names.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from drill.practice.session import HINT, QUIT, SKIP, Attempt, Rules, plan
from drill.practice.session import run as run_session
from drill.core.textsafe import visible

MAX_LINE = 10_000  # characters in one typed line (README's limits table)

if TYPE_CHECKING:
    from rich.console import Console

    from drill.core.bank import Explanation, Question

__all__ = ["Attempt", "plan", "run", "line_reader", "SKIP", "QUIT", "HINT", "MAX_LINE"]


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
    from rich.text import Text

    def typed(line: str | None, length: int | None = None) -> str | None:
        """The line as drill uses it: escaped (a pasted escape sequence is text, never sent back
        to the terminal) and at most MAX_LINE characters; a longer one is one line saying so, and ""."""
        if line is None:
            return None
        length = len(line) if length is None else length
        if length > MAX_LINE:
            console.print(Text(f"That line is {length:,} characters; an answer is at most {MAX_LINE:,}. Not read.", style="yellow"))
            return ""
        return visible(line)

    def read(prompt: str) -> str | None:
        nonlocal editor
        if interactive and console.is_terminal:  # the editor draws where the console writes (stderr with --json)
            if editor is None:
                from drill.tui.lineedit import make_editor

                editor = make_editor(console, history)
            return typed(editor(prompt))
        if interactive:  # typing at a terminal, output redirected to a file: a plain prompt
            try:
                return typed(console.input(prompt))
            except EOFError:
                return None
        console.print(prompt, end="")
        line = stdin.readline(MAX_LINE + 2)  # never more than a line's worth in memory at once
        if not line:
            console.print()
            return None
        length = len(line.rstrip("\r\n"))
        while not line.endswith("\n"):  # a line over the limit: counted and skipped, in linear time
            more = stdin.readline(1 << 16)
            if not more:
                break
            length += len(more.rstrip("\r\n"))
            line = more
        if length > MAX_LINE:
            console.print()
            return typed("", length)
        line = typed(line.rstrip("\r\n"))
        console.print(Text(line))
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
    from drill.tui.quiz_view import QuizView

    result = run_session(items, QuizView(console, warn, explanations), read, rules=Rules(), on_attempt=on_attempt)
    return result.attempts, result.ended
