"""A quiz session: plan the questions, ask, grade, record each attempt the moment it is graded.

Seeds: without ``--question``, ``--seed S`` is the *session* seed, which fixes which
templates are asked and their variant seeds. With ``--question ID``, ``--seed S`` is the
*variant* seed of the first question (then S+1, …), so ``drill quiz --question ID --seed S``
replays exactly the variant a summary names.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from rich.console import Console

from drill import ui
from drill.bank import Question
from drill.grading import Grade
from drill.textsafe import visible
from drill.variants import Variant, VariantError, make_variant

__all__ = ["Attempt", "plan", "run", "line_reader", "SKIP", "QUIT", "HINT"]

SKIP = {"s", "skip"}
QUIT = {"q", "quit", "exit"}
HINT = {"?", "h", "hint"}


@dataclass
class Attempt:
    """One question's outcome. status: "correct" | "wrong" | "skipped"."""

    variant: Variant
    status: str
    answer: str
    grade: Grade | None
    seconds: float
    hints: int = 0


def plan(questions: Sequence[Question], count: int, seed: int, *, fixed_seeds: bool = False) -> list[tuple[Question, int]]:
    """``count`` (question, variant seed) pairs; every template is used once before any repeats.

    fixed_seeds: variant seeds are seed, seed+1, … in the order given (replaying ``--question``).
    """
    if fixed_seeds:
        return [(questions[i % len(questions)], seed + i) for i in range(count)]
    rng = random.Random(seed)
    out: list[tuple[Question, int]] = []
    pool: list[Question] = []
    while len(out) < count:
        if not pool:
            pool = list(questions)
            rng.shuffle(pool)
        out.append((pool.pop(), rng.randrange(1, 1_000_000)))
    return out


def line_reader(console: Console) -> Callable[[str], str | None]:
    """Read one answer line: a prompt with line editing on a terminal, plain lines when piped.

    Returns None at end of input. Undecodable bytes become U+FFFD rather than an error.
    """
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):
            pass
    interactive = sys.stdin.isatty()

    def read(prompt: str) -> str | None:
        if interactive:
            try:
                return console.input(prompt)
            except EOFError:
                return None
        console.print(prompt, end="")
        line = sys.stdin.readline()
        if not line:
            console.print()
            return None
        line = line.rstrip("\r\n")
        console.print(visible(line), markup=False, highlight=False)
        return line

    return read


def run(
    items: Sequence[tuple[Question, int]],
    console: Console,
    read: Callable[[str], str | None],
    on_attempt: Callable[[Attempt], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[Attempt], str]:
    """Ask ``items`` in order. Returns the attempts and how it ended: "done" | "quit" | "eof" | "interrupt".

    ``on_attempt`` is called as soon as each answer is graded (or skipped), before the next
    question, so an interruption loses nothing already answered.
    """
    attempts: list[Attempt] = []
    try:
        for index, (q, seed) in enumerate(items, start=1):
            try:
                v = make_variant(q, seed)
            except VariantError as exc:
                where = f"{q.file}:{q.line}" if q.line else q.file
                (warn or console.print)(f"skipped a broken question ({where}): {exc}")
                continue
            console.print(ui.question_panel(v, index, len(items)))
            console.print(ui.answer_help(v))
            outcome = _ask(v, console, read)
            if outcome is None or isinstance(outcome, str):
                return attempts, outcome or "eof"
            attempts.append(outcome)
            if on_attempt is not None:
                on_attempt(outcome)
        return attempts, "done"
    except KeyboardInterrupt:
        console.print()
        return attempts, "interrupt"


def _ask(v: Variant, console: Console, read: Callable[[str], str | None]) -> Attempt | str | None:
    start = time.monotonic()
    hints = 0
    while True:
        text = read(ui.answer_prompt(v))
        if text is None:
            return None
        command = text.strip().lower()
        if not command:
            console.print("[dim]Type an answer, ? for a hint, s to skip, q to quit.[/]")
            continue
        if command in QUIT:
            return "quit"
        if command in HINT:
            hints += 1
            ui.hint(console, v)
            continue
        if command in SKIP:
            ui.skipped(console, v)
            return Attempt(v, "skipped", "", None, time.monotonic() - start, hints)
        g = v.grade(text)
        ui.feedback(console, g, v)
        if g.status != "unreadable":
            return Attempt(v, g.status, text.strip(), g, time.monotonic() - start, hints)
