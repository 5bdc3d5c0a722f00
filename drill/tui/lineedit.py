"""The answer prompt on a terminal: a real line editor (prompt_toolkit), imported only when a
prompt is shown on a tty, so piped input and ``drill --help`` never load it.

Editing with the arrow keys, Home/End, Ctrl-A/E/K/U…; history across sessions in the data
directory (:func:`drill.core.paths.data_dir`, file ``history-<name>``); Tab completes the function
names the answer evaluator accepts (:data:`drill.core.safe_expr.FUNCTIONS`).
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["make_editor", "history_path", "completion_words", "answers_only"]


def history_path(name: str):
    from drill.core.paths import data_dir

    return data_dir() / f"history-{name}"


MAX_HISTORY_BYTES = 1 << 20  # the newest 1 MiB of a history file is read (thousands of answers)


def _open_own(path, flags: int) -> tuple[int | None, str]:
    """A descriptor for ``path`` only when it is a regular file and not a link (never blocks on a
    FIFO); else None and why ('' for an ordinary failure such as a read-only folder)."""
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None, ""
        if stat.S_ISLNK(mode):
            return None, "is a symbolic link; drill writes only its own regular file there"
        return None, "" if stat.S_ISREG(mode) else "is not a regular file"
    if not stat.S_ISREG(os.fstat(fd).st_mode) or (not hasattr(os, "O_NOFOLLOW") and os.path.islink(path)):
        os.close(fd)
        return None, "is not a regular file; drill writes only its own regular file there"
    return fd, ""


def _own_file_history(base):
    """prompt_toolkit's FileHistory that reads and appends only through :func:`_open_own`: a file
    swapped for a link or a FIFO after start-up is left alone and the history just is not saved."""

    class OwnFileHistory(base):
        def load_history_strings(self):
            fd, _ = _open_own(self.filename, os.O_RDONLY)
            if fd is None:
                return []
            strings, lines = [], []
            with os.fdopen(fd, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size > MAX_HISTORY_BYTES:  # only the newest entries: a planted 50 MB file took 1.3 GB and 20 s
                    f.seek(size - MAX_HISTORY_BYTES)
                tail = f.read(MAX_HISTORY_BYTES).splitlines(keepends=True)
                if size > MAX_HISTORY_BYTES:  # skip the entry cut at the front, up to the next "# time" line
                    tail = tail[next((i for i, raw in enumerate(tail) if raw.startswith(b"#")), len(tail)):]
                for raw in tail:  # FileHistory's format: "# time" lines, then the entry's lines each after "+"
                    line = raw.decode("utf-8", "replace")
                    if line.startswith("+"):
                        lines.append(line[1:])
                    elif lines:
                        strings.append("".join(lines)[:-1])
                        lines = []
            if lines:
                strings.append("".join(lines)[:-1])
            return list(reversed(strings))

        def store_string(self, string: str) -> None:
            fd, _ = _open_own(self.filename, os.O_WRONLY | os.O_APPEND)
            if fd is None:
                return
            with os.fdopen(fd, "ab") as f:
                f.write((f"\n# {datetime.now()}\n" + "".join(f"+{line}\n" for line in string.split("\n"))).encode("utf-8"))

    return OwnFileHistory


def completion_words() -> list[str]:
    """The function and constant names an answer may use."""
    from drill.core import safe_expr

    names = set(getattr(safe_expr, "FUNCTIONS", {})) | set(getattr(safe_expr, "CONSTANTS", {}))
    return sorted(n for n in names if n.isidentifier())


def _format_chars_shown():
    """A display processor: a format character typed or pasted into the line (a bidi override such
    as U+202E) is drawn as U+FFFD, one cell for one character, never sent to the terminal.
    prompt_toolkit itself draws C0 and C1 controls as ``^[`` and ``<9b>``; the line read is then
    escaped by :func:`drill.tui.quiz.line_reader`."""
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
    from drill.practice.session import is_command

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
        except OSError:
            pass
        fd, refused = _open_own(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        if fd is not None:
            os.close(fd)
            hist = answers_only(_own_file_history(FileHistory))(str(path))
        elif refused:
            from drill.core.textsafe import visible

            print(f"warning: answer history is not saved: {visible(str(path))} {refused}", file=sys.stderr)
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
