"""Spaced review: the attempt → FSRS rating mapping, scheduling order, drill review, drill quiz --weak."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.store import scheduling as review
from drill.cli import app
from drill.store.progress import open_store

runner = CliRunner()
DAY = 86400.0


def _db() -> Path:
    return Path(os.environ["DRILL_HOME"]) / "progress.db"


def _due(db: Path, qid: str) -> float:
    return sqlite3.connect(db).execute("SELECT due FROM cards WHERE question_id = ?", (qid,)).fetchone()[0]


def rec(st, qid: str, status: str, when: float, seconds: float = 30.0, hints: int = 0) -> int:
    return st.record(question_id=qid, topic="t", seed=1, answer="", status=status, mistake=None, seconds=seconds,
                     hints=hints, when=when)[1]


@pytest.mark.parametrize("status, seconds, hints, earlier, expected", [
    ("wrong", 5, 0, [60, 60, 60], review.AGAIN),
    ("skipped", 1, 0, [], review.AGAIN),
    ("correct", 5, 1, [60, 60, 60], review.HARD),   # a hint was needed
    ("correct", 5, 0, [60, 60], review.GOOD),       # too little history to call it fast
    ("correct", 30, 0, [60, 60, 60], review.EASY),  # exactly half the median
    ("correct", 31, 0, [60, 60, 60], review.GOOD),
    ("correct", 10, 0, [20, 90, 100], review.EASY),  # median 90
    ("correct", 0, 0, [0, 0, 0], review.GOOD),       # piped answers: no timing to compare
])
def test_rating_mapping(status, seconds, hints, earlier, expected):
    assert review.rating_for(status, seconds, hints, earlier) == expected


def test_a_wrong_answer_is_due_sooner_than_a_right_one(tmp_path):
    t0 = datetime(2025, 3, 1, 9, tzinfo=timezone.utc).timestamp()
    db = tmp_path / "p.db"
    with open_store(db) as st:
        # new cards: Again vs Good
        assert rec(st, "a", "wrong", t0) == review.AGAIN
        assert rec(st, "b", "correct", t0) == review.GOOD
        assert t0 < _due(db, "a") < _due(db, "b")
        # two cards with the same history, then a day later one right and one wrong
        for q in ("c", "d"):
            rec(st, q, "correct", t0)
            rec(st, q, "correct", t0 + 3600)
        graduated = _due(db, "c")
        assert graduated - (t0 + 3600) >= DAY  # two Goods move a card out of the minute-scale learning steps
        rec(st, "c", "correct", graduated)
        rec(st, "d", "wrong", graduated)
        assert _due(db, "d") < graduated + DAY < _due(db, "c")
        assert _due(db, "c") - graduated > graduated - (t0 + 3600)  # the right answer's interval grew


def test_easy_is_scheduled_later_than_good(tmp_path):
    t0 = datetime(2025, 3, 1, 9, tzinfo=timezone.utc).timestamp()
    db = tmp_path / "p.db"
    with open_store(db) as st:
        for q in ("fast", "slow"):
            for k in range(3):
                rec(st, q, "correct", t0 + k * 7200, seconds=60)
        when = max(_due(db, "fast"), _due(db, "slow"))
        assert rec(st, "fast", "correct", when, seconds=20) == review.EASY
        assert rec(st, "slow", "correct", when, seconds=60) == review.GOOD
    assert _due(db, "fast") > _due(db, "slow")


def test_stored_card_is_fsrs_card_dict(tmp_path):
    import fsrs

    db = tmp_path / "p.db"
    with open_store(db) as st:
        rec(st, "a", "wrong", time.time())
    raw, due = sqlite3.connect(db).execute("SELECT card, due FROM cards").fetchone()
    card = fsrs.Card.from_dict(json.loads(raw))
    assert card.state == fsrs.State.Learning and card.due.timestamp() == pytest.approx(due)


# --- drill review ----------------------------------------------------------------------------------

def test_review_with_no_history():
    r = runner.invoke(app, ["review"])
    assert r.exit_code == 0 and "Nothing to review yet" in r.output


def test_review_with_nothing_due_says_when_next():
    r = runner.invoke(app, ["quiz", "-q", "conv-layer-params", "--seed", "0"], input="34944\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["review"])
    assert r.exit_code == 0, r.output
    assert re.search(r"Nothing is due for review\. Next: conv-layer-params in \d+ (s|min)\.", r.output), r.output


def test_review_asks_the_most_overdue_first_as_a_fresh_variant():
    now = time.time()
    with open_store(_db()) as st:
        rec(st, "conv-output-size", "wrong", now - 3 * DAY)  # due since 3 days
        rec(st, "residual-grad", "wrong", now - 1 * DAY)     # due since 1 day
        rec(st, "mlp-params", "correct", now)                # not due
    r = runner.invoke(app, ["review", "-n", "1"], input="skip\n")
    assert r.exit_code == 0, r.output
    assert "1 due template" in r.output
    assert "conv-output-size · seed" in r.output and "residual-grad · seed" not in r.output
    conn = sqlite3.connect(_db())
    last = conn.execute("SELECT a.question_id, a.status, a.seed, s.command FROM attempts a JOIN sessions s ON s.id = a.session_id"
                        " ORDER BY a.id DESC LIMIT 1").fetchone()
    assert last[:2] == ("conv-output-size", "skipped") and last[3] == "review" and last[2] != 1  # a new variant
    assert _due(_db(), "conv-output-size") > now  # rescheduled
    # next: only residual-grad is still due
    r = runner.invoke(app, ["review"], input="skip\n")
    assert "1 due template" in r.output and "residual-grad · seed" in r.output


# --- drill quiz --weak ------------------------------------------------------------------------------

def test_quiz_weak_draws_the_lowest_recent_accuracy():
    now = time.time()
    with open_store(_db()) as st:
        for q, statuses in {"mlp-params": "wwc", "conv-output-size": "cw", "residual-grad": "ccc", "conv-layer-params": "c"}.items():
            for k, s in enumerate(statuses):
                st.record(question_id=q, topic="t", seed=k, answer="", status={"c": "correct", "w": "wrong"}[s], mistake=None,
                          seconds=1, when=now - 100 + k)
    before = sqlite3.connect(_db()).execute("SELECT max(id) FROM attempts").fetchone()[0]
    r = runner.invoke(app, ["quiz", "--weak", "-n", "4", "--seed", "1"], input="skip\n" * 4)
    assert r.exit_code == 0, r.output
    asked = [q for (q,) in sqlite3.connect(_db()).execute("SELECT question_id FROM attempts WHERE id > ?", (before,))]
    assert sorted(asked) == ["conv-output-size", "conv-output-size", "mlp-params", "mlp-params"]


def test_quiz_weak_without_history():
    r = runner.invoke(app, ["quiz", "--weak"])
    assert r.exit_code == 0 and "no answers recorded yet" in r.output
