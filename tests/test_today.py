"""drill today (issue 25): the plan, the command end to end, and the simulated week under the rating rule."""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from drill.cli import app
from drill.practice.today import DEFAULT_SECONDS, interleave, plan_today, seconds_per_question
from drill.store.progress import open_store

runner = CliRunner()
DAY = 86400.0
ROOT = Path(__file__).resolve().parents[1]


def _simulation():
    spec = importlib.util.spec_from_file_location("simulate_week", ROOT / "benchmarks" / "simulate_week.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("simulate_week", module)  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def _db() -> Path:
    return Path(os.environ["DRILL_HOME"]) / "progress.db"


def _three_topics(bank) -> tuple[list, list, list]:
    topics = sorted(t for t, qs in bank.topics().items() if len(qs) >= 2)
    return [bank.topics()[t] for t in topics[:3]]


def test_today_asks_due_then_weak_then_new_interleaved_and_says_what_comes_next(bank):
    (a, c, *_), (b, *_), (d, *_) = _three_topics(bank)  # a, c share a topic; b and d have their own
    t = time.time()
    with open_store(_db()) as st:
        def rec(q, status, when, seed):
            st.record(question_id=q.id, topic=q.topic, seed=seed, answer="", status=status, mistake=None, seconds=60,
                      when=when)
        rec(a, "wrong", t - 2 * DAY, 1)          # due for two days: the most overdue
        rec(b, "wrong", t - DAY, 2)              # due for a day
        rec(c, "wrong", t - 3600, 3)             # due for 50 minutes
        rec(d, "correct", t - 9 * DAY, 4)        # d: right, then a lapse, then right again:
        rec(d, "wrong", t - DAY, 5)              # a miss in its recent window (weak) but not due today
        rec(d, "correct", t - DAY + 60, 6)
    practised = {a.topic, b.topic, d.topic}
    r = runner.invoke(app, ["today", "--minutes", "8", "--seed", "40"], input="skip\n" * 8)
    assert r.exit_code == 0, r.output
    said = " ".join(r.output.split())
    assert "8 questions · about 8 min at 60 s each (your median) · 3 due, 1 weak, 4 new" in said, said
    rows = sqlite3.connect(_db()).execute(
        "SELECT question_id, topic, seed FROM attempts WHERE mode = 'today' ORDER BY answered_at, id").fetchall()
    assert [q for q, _, _ in rows[:4]] == [a.id, b.id, c.id, d.id]  # due (a, c interleaved with b), then weak
    new_topics = [topic for _, topic, _ in rows[4:]]
    assert len(rows) == 8 and len(set(new_topics)) == 4 and not set(new_topics) & practised  # new topics, one each
    assert [s for _, _, s in rows] == list(range(40, 48))  # variant seeds 40, 41, …: replayable with quiz -q … --seed 40
    last = r.output.strip().splitlines()[-1]
    assert re.fullmatch(r"Next due: 8 templates in 10 min · 8 within a day · 8 within a week\.", last), last


def test_today_with_no_history_plans_new_topics_at_the_default_pace(bank):
    plan = plan_today(list(bank.questions.values()), [], [], time.time(), 15, seed=1)
    assert plan.seconds_each == DEFAULT_SECONDS and len(plan.items) == 15 and not plan.own_pace
    assert {i.reason for i in plan.items} == {"new"} and len({i.question.topic for i in plan.items}) == 15


def test_the_session_is_sized_by_the_learners_median_time(bank):
    from drill.store.progress import Record

    q = next(iter(bank.questions.values()))
    records = [Record(i, 1, q.id, q.topic, i, "", "correct", None, s, 0, 4, 1000.0 + i) for i, s in enumerate([20, 30, 30, 40, 90])]
    assert seconds_per_question(records) == (30, True)
    plan = plan_today(list(bank.questions.values()), records, [], 2000.0, 15, seed=1)
    assert len(plan.items) == 30  # 15 minutes at 30 s
    quick = [r._replace(seconds=0.01) for r in records]  # piped answers: at least 15 s each is planned
    assert seconds_per_question(quick) == (15, True)


def test_interleave_alternates_topics_keeping_each_topics_order():
    from collections import namedtuple

    Q = namedtuple("Q", "id topic")
    qs = [Q("x1", "x"), Q("x2", "x"), Q("x3", "x"), Q("y1", "y"), Q("z1", "z"), Q("y2", "y")]
    assert [q.id for q in interleave(qs)] == ["x1", "y1", "z1", "x2", "y2", "x3"]


def test_a_simulated_week_keeps_what_comes_due_to_about_fifteen_a_day():
    """40 answers a day, 85 % right, for 7 days, through the real store, rating rule and FSRS scheduler."""
    sim = _simulation()
    days = sim.simulate(sim.bank_like(), days=7, per_day=40, correct=0.85, seed=0)
    due = [d["due"] for d in days]
    assert all(d["answered"] == 40 for d in days)
    assert due[0] == 0 and max(due) <= 16 and sum(due[1:]) / 6 <= 15, due  # measured: 15, 15, 16, 15, 12, 11
    assert all(d["new"] > 0 for d in days)  # room is left for new topics every day


def test_without_the_rating_rule_the_same_week_would_bury_the_learner(monkeypatch):
    """The same week under the old configuration (every right answer Good, FSRS's 1 and 10 min learning steps)."""
    import fsrs

    from drill.store import scheduling

    sim = _simulation()
    rule = scheduling.rating_for
    monkeypatch.setattr(scheduling, "rating_for", lambda *a, **k: min(rule(*a, **k), scheduling.GOOD))
    monkeypatch.setattr(scheduling, "scheduler", lambda: fsrs.Scheduler(enable_fuzzing=False))
    due = [d["due"] for d in sim.simulate(sim.bank_like(), days=7, per_day=40, correct=0.85, seed=0)]
    assert max(due) > 30, due
