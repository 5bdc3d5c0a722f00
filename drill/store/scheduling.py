"""Spaced review with FSRS (the Free Spaced Repetition Scheduler Anki uses): one card per template.

A *card* is a question template (``conv-output-size``), not a variant: every review asks a
fresh random variant, so what is scheduled is the skill, not the numbers.

How an attempt rates the card (:func:`rating_for`) — the evidence it gives that the learner
can do this kind of question:

==========================================================  ======
attempt                                                     rating
==========================================================  ======
wrong or skipped                                            Again
correct after asking for a hint                             Hard
correct after a near miss (the second chance)               Hard
correct, no hint, on a variant answered before (the         Good
numbers may be remembered, not worked out)
correct, no hint, fresh variant, but slow: more than        Good
:data:`SLOW_FACTOR` × the median time of the template's
earlier correct answers (needs :data:`SLOW_MIN_HISTORY` of
them), else more than :data:`SLOW_SECONDS`
correct, no hint, no near miss, fresh variant, not slow     Easy
==========================================================  ======

The scheduler (:func:`scheduler`): FSRS-6's default weights and 90 % desired retention, one
learning step of :data:`LEARNING_STEP` (FSRS's default is 1 and 10 min). So a new template
answered Easy graduates at once (about 8 days), Good graduates too (about 2 days), Hard comes
back in 15 min and Again in 10 min. A wrong answer on a graduated template relearns in 10 min.
``benchmarks/simulate_week.py`` measures what this gives a learner over a week.

Fuzzing is off, so the same history always gives the same due dates.
Cards are stored as ``Card.to_dict()`` JSON; the ``fsrs`` major version is pinned (``>=6,<7``)
because its API and card format changed between majors. ``fsrs`` is imported only when a card
is actually scheduled, so it costs nothing at start-up.
"""

from __future__ import annotations

import json
import statistics
import zlib
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Sequence

__all__ = ["AGAIN", "HARD", "GOOD", "EASY", "RATING_NAMES", "SLOW_FACTOR", "SLOW_MIN_HISTORY", "SLOW_SECONDS",
           "LEARNING_STEP", "rating_for", "schedule", "due_of", "scheduler", "until"]

# fsrs.Rating values, kept here so rating an attempt needs no import of fsrs
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}

SLOW_FACTOR = 2.0
SLOW_MIN_HISTORY = 3
SLOW_SECONDS = 300.0
LEARNING_STEP = timedelta(minutes=10)


def rating_for(status: str, seconds: float, hints: int, earlier_correct_seconds: Sequence[float], *,
               fresh: bool = True, near_miss: bool = False) -> int:
    """The FSRS rating of one attempt (see the module docstring for the table).

    earlier_correct_seconds: seconds of the template's earlier correct answers, any order.
    fresh: the variant (its seed) was never answered before. near_miss: the first try was just
    outside the tolerance and this is the second chance.
    """
    if status != "correct":
        return AGAIN
    if hints or near_miss:
        return HARD
    if not fresh or _slow(seconds, earlier_correct_seconds):
        return GOOD
    return EASY


def _slow(seconds: float, earlier_correct_seconds: Sequence[float]) -> bool:
    if len(earlier_correct_seconds) >= SLOW_MIN_HISTORY:
        median = statistics.median(earlier_correct_seconds)
        if median > 0:
            return seconds > SLOW_FACTOR * median
    return seconds > SLOW_SECONDS


@lru_cache(maxsize=1)
def scheduler():
    """FSRS-6 with its default weights and 90 % desired retention, one learning step, no fuzzing."""
    import fsrs

    return fsrs.Scheduler(learning_steps=(LEARNING_STEP,), enable_fuzzing=False)


def schedule(card_json: str | None, question_id: str, rating: int, when: datetime) -> str:
    """Review the template's card (a new one when ``card_json`` is None) at ``when``; the new card as JSON."""
    import fsrs

    if card_json is None:
        # a stable id per template, so creating a card never sleeps (fsrs waits 1 ms for a time-based id)
        card = fsrs.Card(card_id=zlib.crc32(question_id.encode()), due=when)
    else:
        card = fsrs.Card.from_dict(json.loads(card_json))
    card, _ = scheduler().review_card(card, fsrs.Rating(rating), when.astimezone(timezone.utc))
    return json.dumps(card.to_dict())


def due_of(card_json: str) -> datetime:
    """When the stored card is next due (aware, UTC), read without importing fsrs."""
    return datetime.fromisoformat(json.loads(card_json)["due"])


def until(seconds: float) -> str:
    """A short human duration: '40 s', '8 min', '3 h', '2 days'."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
