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


_seeds = iter(range(1, 10**9))


def rec(st, qid: str, status: str, when: float, seconds: float = 30.0, hints: int = 0, seed: int | None = None,
        near_miss: bool = False) -> int:
    """Record one attempt; a fresh variant (a seed never used before) unless ``seed`` is given."""
    return st.record(question_id=qid, topic="t", seed=next(_seeds) if seed is None else seed, answer="", status=status,
                     mistake=None, seconds=seconds, hints=hints, when=when, near_miss=near_miss)[1]


@pytest.mark.parametrize("status, seconds, hints, earlier, fresh, near_miss, expected", [
    ("wrong", 5, 0, [60, 60, 60], True, False, review.AGAIN),
    ("skipped", 1, 0, [], True, False, review.AGAIN),
    ("wrong", 5, 0, [], True, True, review.AGAIN),      # missed even on the second chance
    ("correct", 5, 1, [60, 60, 60], True, False, review.HARD),   # a hint was needed
    ("correct", 5, 0, [60, 60, 60], True, True, review.HARD),    # right only on the second chance
    ("correct", 5, 2, [], False, True, review.HARD),
    ("correct", 5, 0, [60, 60, 60], False, False, review.GOOD),  # a variant answered before: maybe remembered
    ("correct", 121, 0, [60, 60, 60], True, False, review.GOOD),  # slower than twice the median
    ("correct", 120, 0, [60, 60, 60], True, False, review.EASY),  # exactly twice the median
    ("correct", 30, 0, [20, 90, 100], True, False, review.EASY),  # median 90
    ("correct", 200, 0, [20, 90, 100], True, False, review.GOOD),
    ("correct", 200, 0, [60, 60], True, False, review.EASY),     # too little history: only the absolute bound
    ("correct", 301, 0, [60, 60], True, False, review.GOOD),     # over five minutes
    ("correct", 300, 0, [], True, False, review.EASY),
    ("correct", 0, 0, [0, 0, 0], True, False, review.EASY),      # piped answers: no timing, only the absolute bound
    ("correct", 5, 0, [], True, False, review.EASY),             # the first answer, fresh, fast, unhinted
])
def test_rating_mapping(status, seconds, hints, earlier, fresh, near_miss, expected):
    assert review.rating_for(status, seconds, hints, earlier, fresh=fresh, near_miss=near_miss) == expected


def test_the_positional_form_rates_a_fresh_first_try():
    assert review.rating_for("correct", 30, 0, [60, 60, 60]) == review.EASY
    assert review.rating_for("correct", 30, 1, []) == review.HARD


def test_a_wrong_answer_is_due_sooner_than_a_right_one(tmp_path):
    t0 = datetime(2025, 3, 1, 9, tzinfo=timezone.utc).timestamp()
    db = tmp_path / "p.db"
    with open_store(db) as st:
        # new cards: Again vs Easy
        assert rec(st, "a", "wrong", t0) == review.AGAIN
        assert rec(st, "b", "correct", t0) == review.EASY
        assert t0 < _due(db, "a") < _due(db, "b")
        # two cards with the same history, then a day later one right and one wrong
        for q in ("c", "d"):
            rec(st, q, "correct", t0)
            rec(st, q, "correct", t0 + 3600)
        graduated = _due(db, "c")
        assert graduated - (t0 + 3600) >= DAY  # right answers move a card out of the minute-scale learning step
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
        assert rec(st, "fast", "correct", when, seconds=100) == review.EASY
        assert rec(st, "slow", "correct", when, seconds=150) == review.GOOD  # over twice the median of 60 s
    assert _due(db, "fast") > _due(db, "slow")


def test_what_the_learner_showed_decides_how_long_a_new_template_waits(tmp_path):
    """The issue's case: templates answered right, unhinted, minutes earlier were due "now" again."""
    t0 = datetime(2025, 3, 1, 9, tzinfo=timezone.utc).timestamp()
    db = tmp_path / "p.db"
    with open_store(db) as st:
        assert rec(st, "shown", "correct", t0) == review.EASY
        assert rec(st, "hinted", "correct", t0, hints=1) == review.HARD
        assert rec(st, "near", "correct", t0, near_miss=True) == review.HARD
        assert rec(st, "missed", "wrong", t0) == review.AGAIN
        rec(st, "replayed", "wrong", t0, seed=7)
        assert rec(st, "replayed", "correct", t0 + 60, seed=7) == review.GOOD  # the same variant again
        assert rec(st, "slow", "correct", t0, seconds=400) == review.GOOD
    wait = {q: (_due(db, q) - t0) / DAY for q in ("shown", "hinted", "near", "missed", "replayed", "slow")}
    assert wait["shown"] >= 7  # graduated by days (FSRS-6's first Easy stability, 8.3 days)
    assert 1 <= wait["slow"] < wait["shown"]
    assert 1 <= wait["replayed"] - 60 / DAY < wait["shown"]
    assert wait["hinted"] == wait["near"] == pytest.approx(15 / 1440)  # 1.5 × the 10-minute learning step
    assert wait["missed"] == pytest.approx(10 / 1440)


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
    # a right, unhinted first answer on a fresh variant graduates the template by days
    assert re.search(r"Nothing is due for review\. Next: conv-layer-params in \d+ days\.", r.output), r.output


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


def test_a_quiz_answer_after_a_near_miss_is_stored_as_hard():
    """529000 is mlp-params seed 0's 529411 rounded to 3 figures: a near miss, then the right answer."""
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0"], input="529000\n529411\n")
    assert r.exit_code == 0, r.output
    rows = sqlite3.connect(_db()).execute("SELECT seed, status, rating FROM attempts ORDER BY id").fetchall()
    assert rows[0] == (0, "correct", review.HARD)
