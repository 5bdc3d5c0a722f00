"""A mock interview: mixed topics, rising difficulty, a countdown, no feedback until the end.

``plan`` picks templates slot by slot: slot i of n aims at difficulty 1 + ⌊3i/n⌋, never
repeats a template before all are used, and prefers the topic asked least so far; the
picks are then ordered by difficulty (stable), so the interview rises from 1 to 3.

``drill.tui.interview.run`` asks them with the remaining time shown on each question and at
each prompt. ``clock`` is the clock it reads unless given one.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from drill.practice.results import TopicTally, by_topic
from drill.practice.session import Attempt

if TYPE_CHECKING:
    from drill.core.bank import Question

__all__ = ["plan", "default_count", "Outcome", "clock"]

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
