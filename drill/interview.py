"""A mock interview: mixed topics, rising difficulty, a countdown, no feedback until the end.

``plan`` picks templates slot by slot: slot i of n aims at difficulty 1 + ⌊3i/n⌋, never
repeats a template before all are used, and prefers the topic asked least so far; the
picks are then ordered by difficulty (stable), so the interview rises from 1 to 3.

``run`` asks them with the remaining time shown on each question and at each prompt. No
verdict is shown (an unreadable answer is still explained: that is the input format, not
the grade). When the time is up, the interview stops after the answer being typed, which
still counts. The clock is injectable (``clock=``) so tests need not wait.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from drill.results import TopicTally, by_topic
from drill.session import Attempt, Rules
from drill.session import run as run_session

if TYPE_CHECKING:
    from rich.console import Console

    from drill.bank import Question

__all__ = ["plan", "default_count", "run", "Outcome", "clock"]

clock: Callable[[], float] = time.monotonic  # tests replace it (or pass clock= to run)


def default_count(minutes: float) -> int:
    """About two minutes a question, at least three."""
    return max(3, round(minutes / 2))


def plan(questions: Sequence[Question], count: int, seed: int) -> list[tuple[Question, int]]:
    """``count`` (question, variant seed) pairs, topics mixed, difficulty rising."""
    rng = random.Random(seed)
    pool = list(questions)
    rng.shuffle(pool)  # ties below are broken by this order
    uses: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    picked: list[tuple[Question, int]] = []
    for i in range(count):
        target = 1 + (3 * i) // count
        q = min(pool, key=lambda q: (uses[q.id], abs(q.difficulty - target), topics[q.topic]))
        uses[q.id] += 1
        topics[q.topic] += 1
        picked.append((q, rng.randrange(1, 1_000_000)))
    return sorted(picked, key=lambda item: item[0].difficulty)


@dataclass
class Outcome:
    """How an interview went. ended: "done" | "time" | "quit" | "eof" | "interrupt" | "terminate" | "hangup"."""

    attempts: list[Attempt]
    ended: str
    limit: float
    elapsed: float
    not_reached: list[tuple[Question, int]] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(a.status == "correct" for a in self.attempts)

    def topics(self) -> list[TopicTally]:
        return by_topic(self.attempts)

    def missed(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status != "correct"]

    def review(self) -> list[tuple[str, list[Attempt]]]:
        """What to review: missed attempts grouped by topic, weakest topic first."""
        tallies = {t.topic: t for t in self.topics()}
        groups: dict[str, list[Attempt]] = {}
        for a in self.missed():
            groups.setdefault(a.variant.question.topic, []).append(a)
        return sorted(groups.items(), key=lambda kv: (tallies[kv[0]].share, kv[0]))


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
    from drill.interview_ui import InterviewView

    now = clock or globals()["clock"]
    start = now()
    deadline = start + limit
    view = InterviewView(console, lambda: deadline - now(), warn)
    rules = Rules(hints=False, second_chance=False, step_through=False, stop=lambda: now() >= deadline)
    result = run_session(items, view, read, rules=rules, on_attempt=on_attempt, clock=now)
    if result.ended == "time":
        from drill.interview_ui import time_up

        time_up(console)
    return Outcome(result.attempts, result.ended, limit, now() - start, list(items[result.next_index:]))
