"""A simulated week of ``drill today``: how many templates come due per day under drill's FSRS rating rule.

    python benchmarks/simulate_week.py [--days 7] [--per-day 40] [--correct 0.85] [--seed 0]

A learner answers ``--per-day`` templates once a day at 09:00, as :func:`drill.practice.today.plan_today`
plans them (due first, then weakest, then new), answers about ``--correct`` of them right (10 % of
those after a hint, 5 % after a near miss), about 30 s each, every variant fresh. Every answer is
recorded in a real progress database (temporary) through :meth:`drill.store.progress.Store.record`,
so the real rating rule and the real FSRS scheduler set the due dates; only the clock is simulated.
Prints, per day, how many templates were due that day (by its end, counted before the session).
``tests/test_today.py`` runs :func:`simulate` and asserts the figure.
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from drill.practice.today import DAY, plan_today
from drill.store.progress import open_store

START = datetime(2026, 1, 5, tzinfo=timezone.utc).timestamp()  # a Monday, 00:00 UTC


@dataclass(frozen=True)
class Template:
    """What the planner needs of a question: its id and topic."""

    id: str
    topic: str


def bank_like(templates: int = 270, topics: int = 27) -> list[Template]:
    """A bank of the built-in bank's size: ``templates`` spread evenly over ``topics``."""
    return [Template(f"t{i % topics:02d}-{i // topics:02d}", f"topic-{i % topics:02d}") for i in range(templates)]


def simulate(questions, days: int = 7, per_day: int = 40, correct: float = 0.85, seed: int = 0,
             db: Path | None = None) -> list[dict]:
    """One dict per day: due (templates due by the day's end, before its session), answered, new, wrong."""
    rng = random.Random(seed)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(db or Path(tmp) / "sim.db") as st:
            variant = 0
            for day in range(days):
                start, end = START + day * DAY, START + (day + 1) * DAY
                now = start + 9 * 3600
                cards = st.cards()
                due = sum(1 for c in cards if c[1] <= end)
                plan = plan_today(questions, st.attempts(), cards, now, 0, seed + day, count=per_day, due_by=end)
                wrong = 0
                for item in plan.items:
                    variant += 1
                    right = rng.random() < correct
                    hinted = right and rng.random() < 0.10
                    near = right and not hinted and rng.random() < 0.05
                    seconds = 30 * math.exp(rng.gauss(0, 0.4))
                    wrong += not right
                    st.record(question_id=item.question.id, topic=item.question.topic, seed=variant, answer="",
                              status="correct" if right else "wrong", mistake=None, seconds=seconds,
                              hints=int(hinted), near_miss=near, when=now, mode="today")
                    now += seconds + 5
                out.append({"day": day + 1, "due": due, "answered": len(plan.items),
                            "new": sum(i.reason == "new" for i in plan.items), "wrong": wrong})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--per-day", type=int, default=40)
    ap.add_argument("--correct", type=float, default=0.85)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bank", action="store_true", help="the built-in bank's templates instead of a bank-sized stand-in")
    args = ap.parse_args()
    if args.bank:
        from drill.core.bank import load_bank

        questions = list(load_bank().questions.values())
    else:
        questions = bank_like()
    days = simulate(questions, args.days, args.per_day, args.correct, args.seed)
    print(f"{len(questions)} templates, {args.per_day} answers a day, {args.correct:.0%} right")
    print("day  due  answered  new  wrong")
    for d in days:
        print(f"{d['day']:>3}  {d['due']:>3}  {d['answered']:>8}  {d['new']:>3}  {d['wrong']:>5}")
    print(f"most due in a day: {max(d['due'] for d in days)}; mean {sum(d['due'] for d in days) / len(days):.1f}")


if __name__ == "__main__":
    main()
