"""``drill today`` as plain logic: one session of about ``--minutes`` mixing due reviews, weak spots and new topics.

The plan (:func:`plan_today`), in this order:

1. **due** — templates whose FSRS card is due, most overdue first;
2. **weak** — the templates with the lowest recent accuracy (:func:`drill.practice.stats.weakest`);
3. **new** — templates never answered, first from topics not yet practised (one per topic in
   turn, a random template within each), then from the other topics.

Each part is interleaved across topics (round-robin, topics in the order of their first item),
so two questions of one topic follow each other only when nothing else is left. The size:
``minutes`` divided by the learner's median time per graded answer (at least
:data:`MIN_SECONDS`), or :data:`DEFAULT_SECONDS` with fewer than :data:`MIN_HISTORY` answers.
Variant seeds are ``seed``, ``seed + 1``, … in the planned order, so ``drill quiz -q ID… --seed S``
replays the session. :func:`next_due` says what comes due after it.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

from drill.practice.stats import weakest

if TYPE_CHECKING:
    from drill.core.bank import Question
    from drill.store.progress import Record

__all__ = ["Item", "Plan", "plan_today", "seconds_per_question", "interleave", "next_due",
           "DEFAULT_SECONDS", "MIN_SECONDS", "MIN_HISTORY", "DAY"]

DEFAULT_SECONDS = 60.0  # per question when the learner's own median is not known yet
MIN_SECONDS = 15.0  # a median below this (piped answers) still plans no more than one per 15 s
MIN_HISTORY = 5  # graded answers before the learner's median is used
DAY = 86400.0


@dataclass(frozen=True)
class Item:
    question: Question
    seed: int
    reason: str  # "due" | "weak" | "new"


@dataclass(frozen=True)
class Plan:
    items: list[Item]
    seconds_each: float  # the time per question the size assumed
    own_pace: bool  # seconds_each is the learner's median (else the default)
    due_total: int  # templates due now, including those that did not fit


def seconds_per_question(records: Iterable[Record]) -> tuple[float, bool]:
    """(seconds per question, whether it is the learner's own median) — see the module docstring."""
    times = [r.seconds for r in records if r.status != "skipped"]
    if len(times) < MIN_HISTORY:
        return DEFAULT_SECONDS, False
    return max(MIN_SECONDS, statistics.median(times)), True


def interleave(questions: Sequence[Question]) -> list[Question]:
    """Round-robin over topics, topics in the order of their first question, each topic's own order kept."""
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_topic[q.topic].append(q)
    queues = list(by_topic.values())
    out: list[Question] = []
    while queues:
        for queue in queues:
            out.append(queue.pop(0))
        queues = [queue for queue in queues if queue]
    return out


def _new(questions: Sequence[Question], answered: set[str], practised_topics: set[str], rng: random.Random) -> list[Question]:
    """Templates never answered: unpractised topics first, one template per topic in turn."""
    fresh: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.id not in answered:
            fresh[q.topic].append(q)
    for pool in fresh.values():
        rng.shuffle(pool)
    out: list[Question] = []
    for group in (sorted(t for t in fresh if t not in practised_topics), sorted(t for t in fresh if t in practised_topics)):
        rng.shuffle(group)
        queues = [fresh[t] for t in group]
        while queues:
            for queue in queues:
                out.append(queue.pop())
            queues = [queue for queue in queues if queue]
    return out


def plan_today(questions: Sequence[Question], records: Sequence[Record], cards: Sequence[tuple[str, float, int]],
               now: float, minutes: float, seed: int, count: int | None = None, due_by: float | None = None) -> Plan:
    """The session: due, then weak, then new templates, each part interleaved across topics.

    records: the learner's :class:`Record` rows; cards: (question id, due as Unix seconds, reviews);
    count: the number of questions (default: sized to ``minutes``); due_by: a card due by then counts
    as due (default ``now``; ``drill today`` passes the end of the local day, as FSRS's intervals are days).
    """
    by_id = {q.id: q for q in questions}
    seconds_each, own = seconds_per_question(records)
    n = count if count is not None else max(1, int(minutes * 60 // seconds_each))
    due_cards = sorted((c for c in cards if c[0] in by_id and c[1] <= (now if due_by is None else due_by)), key=lambda c: (c[1], c[0]))
    due = [by_id[c[0]] for c in due_cards]
    chosen = {q.id for q in due}
    weak = [by_id[w["question_id"]] for w in weakest([r for r in records if r.question_id in by_id], limit=len(by_id))
            if w["question_id"] not in chosen]
    chosen |= {q.id for q in weak}
    answered = {r.question_id for r in records} | {c[0] for c in cards}
    new = [q for q in _new(questions, answered, {r.topic for r in records}, random.Random(seed)) if q.id not in chosen]
    items: list[Item] = []
    for reason, part in (("due", due), ("weak", weak), ("new", new)):
        room = n - len(items)
        if room <= 0:
            break
        for q in interleave(part[:room]):
            items.append(Item(q, seed + len(items), reason))
    return Plan(items, seconds_each, own, len(due))


def next_due(cards: Sequence[tuple[str, float, int]], now: float) -> dict:
    """What comes due after ``now``: the first moment and how many templates within a day and a week of now."""
    later = sorted(c[1] for c in cards if c[1] > now)
    return {"first": later[0] if later else None, "first_count": sum(1 for t in later if later and t <= later[0] + 60),
            "day": sum(1 for t in later if t <= now + DAY), "week": sum(1 for t in later if t <= now + 7 * DAY),
            "due_now": sum(1 for c in cards if c[1] <= now)}


def next_due_line(cards: Sequence[tuple[str, float, int]], now: float) -> str:
    """One line on what comes due next: 'Next due: 3 templates in 10 min · 12 within a day · 30 within a week.'"""
    from drill.store.scheduling import until

    info = next_due(cards, now)
    still = f"{info['due_now']} template{'s' * (info['due_now'] != 1)} still due now (drill today again) · " if info["due_now"] else ""
    if info["first"] is None:
        return f"{still}Nothing else is scheduled yet." if still else "Nothing is scheduled yet."
    n = info["first_count"]
    return (f"{still}Next due: {n} template{'s' * (n != 1)} in {until(info['first'] - now)}"
            f" · {info['day']} within a day · {info['week']} within a week.")
