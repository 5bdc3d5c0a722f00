"""A session's attempts as data: per-topic tallies and JSON records (quiz --json, the interview report).

Pure functions over :class:`drill.practice.session.Attempt`; no rendering, no numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from drill.practice.session import Attempt

__all__ = ["TopicTally", "by_topic", "attempt_json", "summary_json"]


@dataclass(frozen=True)
class TopicTally:
    topic: str
    answered: int
    correct: int
    seconds: float

    @property
    def share(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def by_topic(attempts: Sequence[Attempt]) -> list[TopicTally]:
    """One tally per topic, in topic-name order."""
    groups: dict[str, list[Attempt]] = {}
    for a in attempts:
        groups.setdefault(a.variant.question.topic, []).append(a)
    return [
        TopicTally(t, len(items), sum(a.status == "correct" for a in items), sum(a.seconds for a in items))
        for t, items in sorted(groups.items())
    ]


def _machine(v) -> str:
    """The key as machine output writes it: no thousands separators (7241732096, not 7,241,732,096)."""
    return v.atype.shown(v.answer, v.choices, group=False)


def attempt_json(a: Attempt) -> dict:
    """One attempt as plain data; ``replay`` is the command that asks exactly this variant again."""
    q, v = a.variant.question, a.variant
    return {
        "id": q.id, "topic": q.topic, "difficulty": q.difficulty, "seed": v.seed, "status": a.status,
        "answer": a.answer, "expected": _machine(v), "mistake": a.grade.mistake if a.grade else None,
        "seconds": round(a.seconds, 3), "hints": a.hints, "replay": f"drill quiz --question {q.id} --seed {v.seed}",
    }


def summary_json(attempts: Sequence[Attempt], *, seed: int, ended: str, replay: str) -> dict:
    """The whole session as one JSON-ready object."""
    return {
        "seed": seed, "ended": ended, "answered": len(attempts), "correct": sum(a.status == "correct" for a in attempts),
        "seconds": round(sum(a.seconds for a in attempts), 3),
        "by_topic": {t.topic: {"answered": t.answered, "correct": t.correct, "seconds": round(t.seconds, 3)} for t in by_topic(attempts)},
        "attempts": [attempt_json(a) for a in attempts], "replay": replay,
    }
