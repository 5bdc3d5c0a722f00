"""drill stats: exact numbers on a hand-made history, worked out by hand in the comments."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

from typer.testing import CliRunner

from drill.cli import app
from drill.practice.stats import Record, compute, sparkline, streak, weakest
from drill.store.progress import open_store

runner = CliRunner()
UTC = timezone.utc


def at(day: int, hour: int, minute: int = 0) -> float:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC).timestamp()


# (session, question, topic, status, mistake, seconds, time)
HISTORY = [
    (1, "conv-output-size", "conv-shapes", "correct", None, 20, at(7, 9, 0)),
    (1, "conv-output-size", "conv-shapes", "wrong", "rounded up instead of down", 30, at(7, 9, 1)),
    (1, "mlp-params", "param-counts", "wrong", "forgot the biases", 40, at(7, 9, 2)),
    (1, "mlp-params", "param-counts", "skipped", None, 5, at(7, 9, 3)),
    (2, "mlp-params", "param-counts", "wrong", "forgot the biases", 50, at(8, 9, 0)),
    (2, "mlp-params", "param-counts", "correct", None, 10, at(8, 9, 1)),
    (2, "residual-grad", "skip-connection", "wrong", "forgot the identity path", 12, at(8, 9, 2)),
    (2, "conv-output-size", "conv-shapes", "correct", None, 16, at(8, 9, 3)),
    (3, "residual-grad", "skip-connection", "wrong", "added 1 after multiplying", 8, at(10, 8, 0)),
    (3, "residual-grad", "skip-connection", "wrong", "forgot the identity path", 6, at(10, 8, 1)),
    (3, "conv-layer-params", "param-counts", "correct", None, 30, at(10, 8, 2)),
]
RECORDS = [Record(i, s, q, t, 0, "", st, m, sec, 0, None, ts) for i, (s, q, t, st, m, sec, ts) in enumerate(HISTORY, start=1)]
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def test_per_topic_numbers():
    report = compute(RECORDS, NOW)
    topics = {t["topic"]: t for t in report["topics"]}
    # conv-shapes: 20 ✓, 30 ✗, 16 ✓ → 2/3, median(20, 30, 16) = 20
    assert topics["conv-shapes"] == {"topic": "conv-shapes", "answered": 3, "correct": 2, "wrong": 1, "skipped": 0,
                                     "accuracy": 0.6667, "median_seconds": 20}
    # param-counts: 40 ✗, skip, 50 ✗, 10 ✓, 30 ✓ → 2/5; the skip's 5 s is not solving time: median(40, 50, 10, 30) = 35
    assert topics["param-counts"] == {"topic": "param-counts", "answered": 5, "correct": 2, "wrong": 2, "skipped": 1,
                                      "accuracy": 0.4, "median_seconds": 35}
    assert topics["skip-connection"] == {"topic": "skip-connection", "answered": 3, "correct": 0, "wrong": 3, "skipped": 0,
                                         "accuracy": 0.0, "median_seconds": 8}
    # all: 4/11; times 6 8 10 12 16 | 20 30 30 40 50 → (16 + 20) / 2 = 18
    assert report["total"] == {"answered": 11, "correct": 4, "wrong": 6, "skipped": 1, "accuracy": 0.3636, "median_seconds": 18}


def test_weakest_templates_with_their_most_frequent_mistake():
    weak = compute(RECORDS, NOW)["weakest"]
    assert [(w["question_id"], w["recent_correct"], w["recent"], w["mistake"], w["mistake_count"]) for w in weak] == [
        ("residual-grad", 0, 3, "forgot the identity path", 2),
        ("mlp-params", 1, 4, "forgot the biases", 2),  # the skip counts as a miss
        ("conv-output-size", 2, 3, "rounded up instead of down", 1),
    ]  # conv-layer-params (1/1) is not weak
    assert weak[0]["last_answered"] == "2025-03-10T08:01:00+00:00"


def test_weakest_window_limit_and_ties():
    rs = [Record(i, 1, "a", "t", 0, "", "wrong", m, 1, 0, None, float(i)) for i, m in enumerate(["x", "y", "y", "x"])]
    # x and y twice each: the latest named (x) wins the tie
    assert weakest(rs)[0]["mistake"] == "x"
    # only the last 10 attempts count: 5 old misses, then 10 right answers → not weak any more
    old = [Record(i, 1, "b", "t", 0, "", "wrong", None, 1, 0, None, float(i)) for i in range(5)]
    new = [Record(i, 1, "b", "t", 0, "", "correct", None, 1, 0, None, float(i)) for i in range(5, 15)]
    assert weakest(old + new) == []
    assert [w["question_id"] for w in weakest(old + new[:9])] == ["b"]  # 9/10 in the window
    many = [Record(i, 1, f"q{i}", "t", 0, "", "wrong", None, 1, 0, None, float(i)) for i in range(8)]
    assert len(weakest(many)) == 5 and len(weakest(many, limit=2)) == 2


def test_streak():
    days = [date(2025, 3, d) for d in (1, 2, 3, 5, 6)]
    assert streak(days, date(2025, 3, 6)) == {"current": 2, "longest": 3, "today": True, "last_day": "2025-03-06"}
    # not practised yet today: the streak still stands until a whole day is missed
    assert streak(days, date(2025, 3, 7))["current"] == 2
    assert streak(days, date(2025, 3, 8))["current"] == 0
    assert streak([], date(2025, 3, 8)) == {"current": 0, "longest": 0, "today": False, "last_day": None}
    # the seeded history: 7, 8, (gap on the 9th), 10 → current 1, longest 2; skips alone do not count
    assert compute(RECORDS, NOW)["streak"] == {"current": 1, "longest": 2, "today": True, "last_day": "2025-03-10"}
    only_skip = [Record(1, 1, "a", "t", 0, "", "skipped", None, 1, 0, None, at(10, 8))]
    assert compute(only_skip, NOW)["streak"]["current"] == 0


def test_days_follow_the_local_time_zone():
    from datetime import timedelta

    late = [Record(1, 1, "a", "t", 0, "", "correct", None, 1, 0, None, at(9, 23, 30))]  # 23:30 UTC on the 9th
    plus2 = timezone(timedelta(hours=2))
    assert compute(late, datetime(2025, 3, 10, 12, tzinfo=UTC))["streak"]["last_day"] == "2025-03-09"
    assert compute(late, datetime(2025, 3, 10, 12, tzinfo=plus2))["streak"]["last_day"] == "2025-03-10"  # 01:30 local


def test_trend_over_sessions():
    report = compute(RECORDS, NOW)
    # session 1: 1/4, session 2: 2/4, session 3: 1/3
    assert [(t["session"], t["answered"], t["correct"], t["accuracy"]) for t in report["trend"]] == [
        (1, 4, 1, 0.25), (2, 4, 2, 0.5), (3, 3, 1, 0.3333)]
    assert report["sparkline"] == "▃▅▃"  # round(0.25·7) = 2, round(0.5·7) = 4, round(0.33·7) = 2
    assert sparkline([0, 1]) == "▁█"


def test_review_due_counts():
    cards = [("a", at(10, 11), 2), ("b", at(10, 12), 1), ("c", at(11, 9), 3)]  # due at or before noon: a, b
    r = compute(RECORDS, NOW, cards)["review"]
    assert r == {"cards": 3, "due_now": 2, "next_due": "2025-03-11T09:00:00+00:00"}


def test_empty_history():
    report = compute([], NOW)
    assert report["total"]["answered"] == 0 and report["total"]["accuracy"] is None
    assert report["weakest"] == [] and report["trend"] == [] and report["sparkline"] == ""


# --- the command ---------------------------------------------------------------------------------

def _seed_db(db: Path) -> None:
    sessions: dict[int, int] = {}
    with open_store(db) as st:
        for s, q, t, status, m, sec, ts in HISTORY:
            sessions[s], _ = st.record(question_id=q, topic=t, seed=0, answer="x", status=status, mistake=m, seconds=sec,
                                       when=ts, session_id=sessions.get(s), session=("quiz", s))


def _db() -> Path:
    return Path(os.environ["DRILL_HOME"]) / "progress.db"


def test_stats_json_from_a_real_database():
    _seed_db(_db())
    r = runner.invoke(app, ["stats", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["db"] == str(_db())
    assert data["total"] == {"answered": 11, "correct": 4, "wrong": 6, "skipped": 1, "accuracy": 0.3636, "median_seconds": 18}
    assert [w["question_id"] for w in data["weakest"]] == ["residual-grad", "mlp-params", "conv-output-size"]
    assert data["review"]["cards"] == 4


def test_stats_table():
    _seed_db(_db())
    r = runner.invoke(app, ["stats"], env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "param-counts" in r.output and "40 %" in r.output and "35 s" in r.output
    assert "residual-grad: 0/3 correct\n    most often: forgot the identity path (2×)" in r.output
    assert "longest 2 days" in r.output


def test_stats_with_no_history_creates_nothing():
    r = runner.invoke(app, ["stats"])
    assert r.exit_code == 0 and "No answers recorded yet" in r.output
    assert not _db().exists()


def test_reset_asks_and_keeps_a_backup():
    db = _db()
    _seed_db(db)
    r = runner.invoke(app, ["stats", "--reset"], input="n\n")
    assert r.exit_code == 1 and "reset cancelled" in r.output
    assert sqlite3.connect(db).execute("SELECT count(*) FROM attempts").fetchone() == (11,)

    r = runner.invoke(app, ["stats", "--reset"], input="y\n")
    assert r.exit_code == 0, r.output
    backups = [p for p in db.parent.iterdir() if p.name.startswith("progress.db.backup-")]
    assert len(backups) == 1 and str(backups[0]) in r.output
    assert sqlite3.connect(backups[0]).execute("SELECT count(*), count(DISTINCT session_id) FROM attempts").fetchone() == (11, 3)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT (SELECT count(*) FROM attempts) + (SELECT count(*) FROM cards) + (SELECT count(*) FROM sessions)").fetchone() == (0,)

    _seed_db(db)
    r = runner.invoke(app, ["stats", "--reset", "--yes"])
    assert r.exit_code == 0 and "backed up at" in r.output
    assert len([p for p in db.parent.iterdir() if p.name.startswith("progress.db.backup-")]) == 2


# --- the picture of progress: mastery, readiness, calendar, accuracy per day ---------------------

def _r(i, q, topic, seed, status, hints=0, day=7):
    return Record(i, 1, q, topic, seed, "", status, None, 20, hints, None, at(day, 9, i))


def test_mastery_and_readiness_worked_by_hand():
    records = [
        _r(1, "a", "T", 1, "correct"), _r(2, "a", "T", 2, "correct"),                 # a: two fresh variants right → ready
        _r(3, "b", "T", 1, "correct"), _r(4, "b", "T", 2, "correct", hints=1),        # b: the last one needed a hint
        _r(5, "c", "T", 1, "wrong"), _r(6, "c", "T", 1, "correct"), _r(7, "c", "T", 3, "correct"),  # c: seed 1 again is
        _r(8, "f", "U", 1, "wrong"), _r(9, "f", "U", 2, "correct"), _r(10, "f", "U", 3, "correct"),  # not fresh: [✗, ✓]
        _r(11, "g", "U", 4, "correct"),                                                # g: one fresh variant is not enough
    ]
    rows = {m["topic"]: m for m in compute(records, NOW, templates={"T": ["a", "b", "c", "d"], "U": ["f", "g"], "V": ["v"]})["mastery"]}
    assert set(rows) == {"T", "U"}  # a topic never practised has no row
    # T: recent accuracy a 1, b 1, c 2/3, d (never answered) 0 → 2.6667 / 4; ready: a only
    assert rows["T"] == {"topic": "T", "templates": 4, "practised": 3, "mastery": 0.6667, "ready": 1, "readiness": 0.25}
    # U: f 2/3, g 1 → 0.8333; ready: f (its last two fresh variants, seeds 2 and 3, right)
    assert rows["U"] == {"topic": "U", "templates": 2, "practised": 2, "mastery": 0.8333, "ready": 1, "readiness": 0.5}
    unknown_bank = {m["topic"]: m for m in compute(records, NOW)["mastery"]}  # only the answered templates count
    assert unknown_bank["T"]["templates"] == 3 and unknown_bank["T"]["mastery"] == 0.8889 and unknown_bank["T"]["readiness"] == 0.3333


def test_calendar_and_accuracy_per_day():
    report = compute(RECORDS, NOW)  # NOW is Monday 10 March 2025
    cal = report["calendar"]
    assert cal["start"] == "2025-01-06" and cal["weeks"] == 10 and len(cal["answered"]) == 70  # ten whole weeks from a Monday
    # graded answers: 7 March 3 (the skip is not), 8 March 4, 10 March 3; 6 Jan + 60 days = 7 March
    assert {i: n for i, n in enumerate(cal["answered"]) if n} == {60: 3, 61: 4, 63: 3} and cal["days_practised"] == 3
    assert [(d["date"], d["answered"], d["correct"], d["accuracy"]) for d in report["daily"]] == [
        ("2025-03-07", 4, 1, 0.25), ("2025-03-08", 4, 2, 0.5), ("2025-03-10", 3, 1, 0.3333)]


def test_stats_draws_mastery_bars_calendar_and_the_accuracy_plot(bank):
    import time

    now = time.time()
    ids = [q.id for q in bank.topics()["conv-shapes"]]
    with open_store(_db()) as st:
        for k, (day, seed, status) in enumerate([(2, 1, "wrong"), (1, 2, "correct"), (0, 3, "correct")]):
            st.record(question_id=ids[0], topic="conv-shapes", seed=seed, answer="x", status=status, mistake=None,
                      seconds=20, when=now - day * 86400 - 60 + k)
    r = runner.invoke(app, ["stats"], env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    share = 2 / 3 / len(ids)  # one template at 2/3 recent accuracy, the topic's others not yet answered
    bar = "█" * round(20 * share) + "░" * (20 - round(20 * share))
    assert f"conv-shapes  {bar} {100 * share:3.0f} %   ready 1/{len(ids)} ({100 / len(ids):.0f} %)" in r.output
    assert "Practice calendar" in r.output and len(re.findall(r"^  (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", r.output, re.M)) == 7
    assert "Accuracy per practice day, %" in r.output and "100┤" in r.output and "  0┤" in r.output
    data = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert data["mastery"] == [{"topic": "conv-shapes", "templates": len(ids), "practised": 1, "mastery": round(share, 4),
                                "ready": 1, "readiness": round(1 / len(ids), 4)}]
    assert [d["accuracy"] for d in data["daily"]] == [0.0, 1.0, 1.0]  # three days, 24 h apart
    assert sum(data["calendar"]["answered"]) == 3
