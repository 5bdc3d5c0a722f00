"""Spaced review with FSRS (the Free Spaced Repetition Scheduler Anki uses): one card per template.

A *card* is a question template (``conv-output-size``), not a variant: every review asks a
fresh random variant, so what is scheduled is the skill, not the numbers.

How an attempt rates the card (:func:`rating_for`):

========================================================  ======
attempt                                                   rating
========================================================  ======
wrong                                                     Again
skipped                                                   Again
correct after asking for a hint                           Hard
correct, no hint, in at most half (:data:`EASY_FRACTION`)  Easy
of the median time of the template's earlier correct
answers (needs :data:`EASY_MIN_HISTORY` of them)
any other correct answer                                  Good
========================================================  ======

Fuzzing is off (:func:`scheduler`), so the same history always gives the same due dates.
Cards are stored as ``Card.to_dict()`` JSON; the ``fsrs`` major version is pinned (``>=6,<7``)
because its API and card format changed between majors. ``fsrs`` is imported only when a card
is actually scheduled, so it costs nothing at start-up.
"""

from __future__ import annotations

import json
import statistics
import zlib
from datetime import datetime, timezone
from functools import lru_cache
from typing import Sequence

__all__ = ["AGAIN", "HARD", "GOOD", "EASY", "RATING_NAMES", "EASY_FRACTION", "EASY_MIN_HISTORY",
           "rating_for", "schedule", "due_of", "scheduler", "until"]

# fsrs.Rating values, kept here so rating an attempt needs no import of fsrs
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}

EASY_FRACTION = 0.5
EASY_MIN_HISTORY = 3


def rating_for(status: str, seconds: float, hints: int, earlier_correct_seconds: Sequence[float]) -> int:
    """The FSRS rating of one attempt (see the module docstring for the table).

    earlier_correct_seconds: seconds of the template's earlier correct answers, any order.
    """
    if status != "correct":
        return AGAIN
    if hints:
        return HARD
    if len(earlier_correct_seconds) >= EASY_MIN_HISTORY:
        median = statistics.median(earlier_correct_seconds)
        if median > 0 and seconds <= EASY_FRACTION * median:
            return EASY
    return GOOD


@lru_cache(maxsize=1)
def scheduler():
    """FSRS-6 with its default parameters (90 % desired retention, 1 and 10 min learning steps), no fuzzing."""
    import fsrs

    return fsrs.Scheduler(enable_fuzzing=False)


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
