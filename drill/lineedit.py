"""The answer prompt on a terminal: a real line editor (prompt_toolkit), imported only when a
prompt is shown on a tty, so piped input and ``drill --help`` never load it.

Editing with the arrow keys, Home/End, Ctrl-A/E/K/U…; history across sessions in the data
directory (:func:`drill.paths.data_dir`, file ``history-<name>``); Tab completes the function
names the answer evaluator accepts (:data:`drill.safe_expr.FUNCTIONS`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["make_editor", "history_path", "completion_words", "answers_only"]


def history_path(name: str):
    from drill.paths import data_dir

    return data_dir() / f"history-{name}"


def completion_words() -> list[str]:
    """The function and constant names an answer may use."""
    from drill import safe_expr

    names = set(getattr(safe_expr, "FUNCTIONS", {})) | set(getattr(safe_expr, "CONSTANTS", {}))
    return sorted(n for n in names if n.isidentifier())


def _format_chars_shown():
    """A display processor: a format character typed or pasted into the line (a bidi override such
    as U+202E) is drawn as U+FFFD, one cell for one character, never sent to the terminal.
    prompt_toolkit itself draws C0 and C1 controls as ``^[`` and ``<9b>``; the line read is then
    escaped by :func:`drill.quiz.line_reader`."""
    import unicodedata

    from prompt_toolkit.layout.processors import Processor, Transformation

    def shown(text: str) -> str:
        return text if text.isprintable() else "".join("\ufffd" if unicodedata.category(c) == "Cf" else c for c in text)

    class FormatCharsShown(Processor):
        def apply_transformation(self, ti):
            return Transformation([(f[0], shown(f[1]), *f[2:]) for f in ti.fragments])

    return FormatCharsShown()
def answers_only(history_class: type) -> type:
    """A prompt_toolkit history class that keeps answers and drops commands (``?``, ``s``, ``w``…),
    so the up arrow recalls what was answered, not what was asked of drill."""
    from drill.session import is_command

    class AnswersOnly(history_class):  # type: ignore[misc, valid-type]
        def append_string(self, string: str) -> None:
            if not is_command(string):
                super().append_string(string)

    return AnswersOnly


def make_editor(console: Console, history: str | None) -> Callable[[str], str | None]:
    """A function prompt(markup) -> line, or None at end of input (Ctrl-D)."""
    # drill's one-line prompt needs no cursor-position report; asking for one makes prompt_toolkit
    # wait (and warn) on a terminal that does not answer, with the terminal still in cooked mode
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.formatted_text import ANSI
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    hist = answers_only(InMemoryHistory)()
    if history:
        path = history_path(history)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(exist_ok=True)
            hist = answers_only(FileHistory)(str(path))
        except OSError:
            pass
    from prompt_toolkit.output import create_output

    # Do not ask the terminal where the cursor is (CPR): a one-line prompt needs no answer, and a
    # terminal that never answers (a serial console, pexpect, some CI) would stall each prompt
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")

    completer = WordCompleter(completion_words(), match_middle=False, sentence=False)
    session = PromptSession(history=hist, completer=completer, complete_while_typing=False, enable_suspend=True,
                            output=create_output(stdout=console.file), input_processors=[_format_chars_shown()])

    def read(prompt: str) -> str | None:
        with console.capture() as cap:
            console.print(prompt, end="")
        try:
            return session.prompt(ANSI(cap.get()))
        except EOFError:
            return None

    return read
