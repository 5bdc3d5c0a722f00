"""The mock interview on a terminal: its plan (drill.practice.interview) asked through its view.

``run`` asks the planned questions with the remaining time shown on each question and at each
prompt. No verdict is shown (an unreadable answer is still explained: that is the input format,
not the grade). When the time is up, the interview stops after the answer being typed, which
still counts. The clock is injectable (``clock=``) so tests need not wait.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

from drill.practice import interview as plan_mod
from drill.practice.interview import Outcome
from drill.practice.session import Attempt, Rules
from drill.practice.session import run as run_session

if TYPE_CHECKING:
    from rich.console import Console

    from drill.core.bank import Question

__all__ = ["run"]


def run(
    items: Sequence[tuple[Question, int]],
    console: Console,
    read: Callable[[str], str | None],
    limit: float,
    *,
    clock: Callable[[], float] | None = None,
    warn: Callable[[str], None] | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
) -> Outcome:
    """Ask ``items`` within ``limit`` seconds; grade silently; return the outcome for the report.

    on_attempt: called with each graded or skipped attempt before the next question (the
    progress database's recorder), so interview answers count like quiz answers.
    """
    from drill.tui.interview_view import InterviewView

    now = clock or plan_mod.clock
    start = now()
    deadline = start + limit
    view = InterviewView(console, lambda: deadline - now(), warn)
    rules = Rules(hints=False, second_chance=False, step_through=False, stop=lambda: now() >= deadline)
    result = run_session(items, view, read, rules=rules, on_attempt=on_attempt, clock=now)
    if result.ended == "time":
        from drill.tui.interview_view import time_up

        time_up(console)
    return Outcome(result.attempts, result.ended, limit, now() - start, list(items[result.next_index:]))
