"""The session logic (drill/practice/session.py): its place in the module graph, record-before-show,
near misses asked again once, format errors never counted, and working a wrong answer through.

Oracles: the import graph read from the source with ast (not from drill); the order of
events recorded by a fake view and recorder; the checkpoints' values worked by hand for the
canonical conv-layer-params question (Conv2d 3→64, 3×3: 3·3·3·64 = 1728 weights + 64 biases).
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

from rich.console import Console

from drill.practice import session
from drill.core.variants import make_variant

ROOT = Path(__file__).resolve().parents[1]


def imports(module: str) -> set[str]:
    """Every drill module ``drill/<module>.py`` imports, at any level (TYPE_CHECKING included)."""
    tree = ast.parse((ROOT / "drill" / f"{module}.py").read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


class Log:
    """A View that logs what it was told, and a recorder that logs when it saved."""

    def __init__(self):
        self.events: list[tuple] = []

    def __getattr__(self, name):
        def method(*args):
            self.events.append((name, *args))
            return name

        return method

    def record(self, attempt):
        self.events.append(("saved", attempt.status))


def reader(lines, interactive=False):
    it = iter(lines)

    def read(prompt):
        return next(it, None)

    read.interactive = interactive
    return read


def test_each_attempt_is_saved_before_its_grade_is_shown(bank):
    q = bank.questions["mlp-params"]
    log = Log()
    r = session.run([(q, 0), (q, 0), (q, 0)], log, reader(["529411", "528384", "s"]), on_attempt=log.record)
    assert r.ended == "done" and [a.status for a in r.attempts] == ["correct", "wrong", "skipped"]
    names = [e[0] for e in log.events if e[0] in ("saved", "graded", "skipped")]
    assert names == ["saved", "graded", "saved", "graded", "saved", "skipped"]


def test_a_near_miss_is_asked_again_once_then_counts(bank):
    v = make_variant(bank.questions["mlp-params"], 0)
    assert v.answer == 529411
    log = Log()
    # 529000 is 529411 rounded to 3 figures: a near miss, asked again; then a near miss again counts as wrong
    r = session.run([(v.question, 0)], log, reader(["529000", "529000"]), on_attempt=log.record)
    kinds = [e[0] for e in log.events if e[0] in ("near_miss", "saved", "graded")]
    assert kinds == ["near_miss", "saved", "graded"] and r.attempts[0].status == "wrong"
    log = Log()
    r = session.run([(v.question, 0)], log, reader(["529000", "529411"]), on_attempt=log.record)
    assert r.attempts[0].status == "correct"


def test_a_format_error_is_asked_again_and_never_recorded(bank):
    q = bank.questions["conv-output-size"]
    v = make_variant(q, 0)
    log = Log()
    r = session.run([(q, 0)], log, reader([str(v.answer[0]), v.atype.format(v.answer)]), on_attempt=log.record)
    kinds = [e[0] for e in log.events if e[0] in ("unreadable", "saved", "graded")]
    assert kinds == ["unreadable", "saved", "graded"] and r.attempts[0].status == "correct"


def test_interview_answers_reach_the_recorder(bank):
    from drill.practice import interview as iv
    from drill.tui import interview as tui_interview

    items = iv.plan(bank.topics()["param-counts"], 3, seed=11)
    saved = []
    lines = iter(["1", "s", "2"])
    o = tui_interview.run(items, Console(file=io.StringIO()), lambda p: next(lines, None), 600, on_attempt=saved.append)
    assert [a.status for a in saved] == [a.status for a in o.attempts] and len(saved) == 3


def test_work_it_through_is_offered_for_an_unknown_slip_not_a_named_mistake(bank):
    q = bank.questions["mlp-params"]
    v = make_variant(q, 0)
    named = v.atype.format(v.mistakes["counted one bias per layer instead of one per output unit/filter"])
    assert named == "527,875"  # 529411 − 1539 biases + 3, one per layer
    log = Log()
    session.run([(q, 0)], log, reader([named], interactive=True))
    assert ("offer_prompt" not in [e[0] for e in log.events]) and [e[2] for e in log.events if e[0] == "graded"] == [False]
    log = Log()
    session.run([(q, 0)], log, reader(["529410", ""], interactive=True))  # no classic mistake
    assert [e[2] for e in log.events if e[0] == "graded"] == [True] and "solution" in [e[0] for e in log.events]
    log = Log()
    session.run([(q, 0)], log, reader(["529410"], interactive=False))  # piped: the full feedback at once
    assert [e[2] for e in log.events if e[0] == "graded"] == [False]
