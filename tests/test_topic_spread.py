"""drill quiz with several -t topics spreads its questions over them (issue 25)."""

from __future__ import annotations

import json
import random

from typer.testing import CliRunner

from drill.cli import app
from drill.practice.session import plan

runner = CliRunner()


def _twelve_topics(bank) -> list[str]:
    by_size = sorted(bank.topics().items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [t for t, _ in by_size[:12]]  # the biggest topics: drawing evenly over templates favours them


def test_twelve_topics_and_twelve_questions_ask_twelve_topics(bank):
    topics = _twelve_topics(bank)
    args = ["quiz", "--json", "--no-save", "-n", "12", "--seed", "5"] + [a for t in topics for a in ("-t", t)]
    r = runner.invoke(app, args, input="skip\n" * 12)  # "s" is an option letter on multiple choice
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    asked = [a["topic"] for a in summary["attempts"]]
    assert len(asked) == 12 and sorted(asked) == sorted(topics)


def test_spreading_is_round_robin_and_replays(bank):
    topics = _twelve_topics(bank)[:5]
    questions = [q for t in topics for q in bank.topics()[t]]
    items = plan(questions, 23, seed=9, by_topic=True)
    assert items == plan(questions, 23, seed=9, by_topic=True)  # the same seed, the same session
    for start in range(0, 20, 5):  # every round of five asks each topic once
        assert sorted(q.topic for q, _ in items[start:start + 5]) == sorted(topics)
    for t in topics:  # within a topic, every template once before any repeats
        ids = [q.id for q, _ in items if q.topic == t]
        n = len(bank.topics()[t])
        assert len(set(ids[:n])) == min(n, len(ids))


def test_without_spreading_the_plan_is_the_old_one(bank):
    """One topic or none: the same seed gives the plan it gave before spreading existed."""
    questions = bank.topics()[_twelve_topics(bank)[0]]
    rng = random.Random(4)
    expected, pool = [], []
    while len(expected) < 9:  # the original algorithm: shuffled pools over templates
        if not pool:
            pool = list(questions)
            rng.shuffle(pool)
        expected.append((pool.pop(), rng.randrange(1, 1_000_000)))
    assert plan(questions, 9, seed=4) == expected
