"""Statistics over the answer history: plain functions over :class:`Record` rows, no I/O.

Definitions (the README's "Progress" section repeats them):

* **answered** — attempts graded or skipped; a skip counts as answered and not correct.
  **accuracy** = correct / answered. **median time** — over graded (non-skipped) attempts.
* **weakest templates** — recent accuracy over each template's last :data:`RECENT` attempts,
  lowest first (ties: more recent attempts, then id), only templates with a miss in that window;
  with the mistake named most often in that window (ties: the latest).
* **streak** — consecutive calendar days (local time) with at least one graded answer, ending
  today, or yesterday when nothing has been answered yet today (a streak is not broken until a
  whole day is missed). **longest** — the longest such run ever.
* **trend** — accuracy of each of the last :data:`TREND_SESSIONS` sessions, oldest first, as a
  sparkline (▁ = 0 %, █ = 100 %).
* **mastery** (per topic) — the mean, over the topic's templates, of each template's accuracy over
  its last :data:`RECENT` attempts; a template never answered counts 0. The topic's templates are
  the bank's when it is known, else those answered.
* **readiness** (per topic) — the share of the topic's templates whose last :data:`READY_LAST`
  answers on *fresh* variants (a seed of that template not answered before) were all right without
  a hint; a template with fewer fresh-variant answers is not ready yet.
* **calendar** — graded answers per calendar day over the last :data:`CALENDAR_WEEKS` weeks,
  whole weeks from Monday, ending with the current one.
* **daily accuracy** — accuracy of each calendar day with answers over the last :data:`DAILY_DAYS` days.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Mapping, Sequence

from drill.store.progress import Record

__all__ = ["Record", "RECENT", "TREND_SESSIONS", "WEAKEST", "READY_LAST", "CALENDAR_WEEKS", "DAILY_DAYS", "compute",
           "weakest", "streak", "sparkline", "mastery", "calendar", "daily_accuracy"]

RECENT = 10
READY_LAST = 2
CALENDAR_WEEKS = 10
DAILY_DAYS = 60
TREND_SESSIONS = 12
WEAKEST = 5
BARS = "▁▂▃▄▅▆▇█"


def _accuracy(correct: int, total: int) -> float | None:
    return round(correct / total, 4) if total else None


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _summary(records: Sequence[Record]) -> dict:
    correct = sum(r.status == "correct" for r in records)
    return {
        "answered": len(records),
        "correct": correct,
        "wrong": sum(r.status == "wrong" for r in records),
        "skipped": sum(r.status == "skipped" for r in records),
        "accuracy": _accuracy(correct, len(records)),
        "median_seconds": _median([r.seconds for r in records if r.status != "skipped"]),
    }


def weakest(records: Iterable[Record], limit: int = WEAKEST, window: int = RECENT) -> list[dict]:
    """The ``limit`` templates with the lowest accuracy over their last ``window`` attempts (misses only)."""
    by_q: dict[str, list[Record]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.answered_at, r.id)):
        by_q[r.question_id].append(r)
    rows = []
    for qid, rs in by_q.items():
        recent = rs[-window:]
        correct = sum(r.status == "correct" for r in recent)
        if correct == len(recent):
            continue
        named = [r.mistake for r in recent if r.mistake]
        counts = Counter(named)
        mistake = None
        if counts:
            top = max(counts.values())
            mistake = next(m for m in reversed(named) if counts[m] == top)
        rows.append({
            "question_id": qid, "topic": rs[-1].topic, "recent": len(recent), "recent_correct": correct,
            "recent_accuracy": _accuracy(correct, len(recent)), "mistake": mistake,
            "mistake_count": counts[mistake] if mistake else 0, "last_answered": rs[-1].answered_at,
        })
    rows.sort(key=lambda d: (d["recent_accuracy"], -d["recent"], d["question_id"]))
    return rows[:limit]


def streak(days: Iterable[date], today: date) -> dict:
    """Current and longest run of consecutive practice days (see the module docstring)."""
    practised = set(days)
    current = 0
    day = today if today in practised else today - timedelta(days=1)
    while day in practised:
        current += 1
        day -= timedelta(days=1)
    longest, run, previous = 0, 0, None
    for d in sorted(practised):
        run = run + 1 if previous is not None and d - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = d
    return {"current": current, "longest": longest, "today": today in practised,
            "last_day": max(practised).isoformat() if practised else None}


def sparkline(values: Sequence[float]) -> str:
    """One block per value in [0, 1]: ▁ for 0, █ for 1."""
    return "".join(BARS[round(v * (len(BARS) - 1))] for v in values)


def mastery(records: Sequence[Record], templates: Mapping[str, Sequence[str]] | None = None) -> list[dict]:
    """Per topic: templates, practised, mastery and readiness (see the module docstring), by topic name.

    records: in time order. templates: {topic: template ids} from the bank, if known.
    """
    by_q: dict[str, list[Record]] = defaultdict(list)
    topic_of: dict[str, str] = {}
    for r in records:
        by_q[r.question_id].append(r)
        topic_of[r.question_id] = r.topic
    if templates is None:
        templates = defaultdict(list)
        for qid, t in topic_of.items():
            templates[t].append(qid)
    rows = []
    for topic in sorted(templates):
        ids = list(dict.fromkeys(templates[topic]))
        if not ids or not any(q in by_q for q in ids):
            continue
        accuracy, ready = [], 0
        for qid in ids:
            rs = by_q.get(qid, [])
            recent = rs[-RECENT:]
            accuracy.append(sum(r.status == "correct" for r in recent) / len(recent) if recent else 0.0)
            seen: set[int] = set()
            fresh = []
            for r in rs:
                if r.seed not in seen:
                    fresh.append(r)
                    seen.add(r.seed)
            last = fresh[-READY_LAST:]
            ready += len(last) == READY_LAST and all(r.status == "correct" and not r.hints for r in last)
        rows.append({"topic": topic, "templates": len(ids), "practised": sum(q in by_q for q in ids),
                     "mastery": round(sum(accuracy) / len(ids), 4), "ready": ready, "readiness": round(ready / len(ids), 4)})
    return rows


def calendar(days: Iterable[date], today: date, weeks: int = CALENDAR_WEEKS) -> dict:
    """Graded answers per day for ``weeks`` whole weeks (Monday first) ending with today's week."""
    counts = Counter(days)
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    span = [start + timedelta(days=i) for i in range(7 * weeks)]
    return {"start": start.isoformat(), "today": today.isoformat(), "weeks": weeks,
            "answered": [counts.get(d, 0) for d in span], "days_practised": sum(counts.get(d, 0) > 0 for d in span if d <= today)}


def daily_accuracy(records: Sequence[Record], tz, today: date, days: int = DAILY_DAYS) -> list[dict]:
    """Accuracy of each day with answers over the last ``days`` days, oldest first."""
    first = today - timedelta(days=days - 1)
    by_day: dict[date, list[Record]] = defaultdict(list)
    for r in records:
        d = datetime.fromtimestamp(r.answered_at, tz).date()
        if first <= d <= today:
            by_day[d].append(r)
    out = []
    for d in sorted(by_day):
        rs = by_day[d]
        correct = sum(r.status == "correct" for r in rs)
        out.append({"date": d.isoformat(), "answered": len(rs), "correct": correct, "accuracy": _accuracy(correct, len(rs))})
    return out


def compute(records: Sequence[Record], now: datetime, cards: Sequence[tuple[str, float, int]] = (),
            templates: Mapping[str, Sequence[str]] | None = None) -> dict:
    """The whole report as JSON-ready data. ``now`` is aware; its time zone decides calendar days.

    cards: (question id, due as Unix seconds, reviews) from the store, for the review line.
    templates: {topic: template ids} of the bank, for mastery and readiness (else the answered ones).
    """
    tz = now.tzinfo or timezone.utc
    records = sorted(records, key=lambda r: (r.answered_at, r.id))
    by_topic: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_topic[r.topic].append(r)
    days = [datetime.fromtimestamp(r.answered_at, tz).date() for r in records if r.status != "skipped"]

    sessions: dict[object, list[Record]] = {}
    for r in records:  # in time order, so sessions come out ordered by their first attempt
        sessions.setdefault(r.session_id if r.session_id is not None else f"r{r.id}", []).append(r)
    trend = []
    for sid, rs in list(sessions.items())[-TREND_SESSIONS:]:
        correct = sum(r.status == "correct" for r in rs)
        trend.append({"session": sid, "started": _iso(rs[0].answered_at, tz), "answered": len(rs),
                      "correct": correct, "accuracy": _accuracy(correct, len(rs))})

    stamp = now.timestamp()
    due = [c for c in cards if c[1] <= stamp]
    upcoming = [c for c in cards if c[1] > stamp]
    weak = weakest(records)
    for w in weak:
        w["last_answered"] = _iso(w["last_answered"], tz)
    return {
        "generated": now.isoformat(timespec="seconds"),
        "total": _summary(records),
        "topics": [{"topic": t, **_summary(rs)} for t, rs in sorted(by_topic.items())],
        "modes": {m: _summary([r for r in records if r.mode == m]) for m in sorted({r.mode for r in records})},
        "weakest": weak,
        "streak": streak(days, now.date()),
        "trend": trend,
        "sparkline": sparkline([s["accuracy"] for s in trend]),
        "mastery": mastery(records, templates),
        "calendar": calendar(days, now.date()),
        "daily": daily_accuracy(records, tz, now.date()),
        "review": {"cards": len(cards), "due_now": len(due),
                   "next_due": _iso(min(c[1] for c in upcoming), tz) if upcoming else None},
    }


def _iso(ts: float, tz) -> str:
    return datetime.fromtimestamp(ts, tz).isoformat(timespec="seconds")
