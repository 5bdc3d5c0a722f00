"""The terminal view of ``drill code``: the exercise list and a check's report, as rich ``Text``
built from plain strings (the learner's output and drill's values are never parsed as markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.text import Text

from drill.code.exercises import Exercise
from drill.code.grading import Report, hints, worked_steps
from drill.tui.text import plain


def exercise_list(console: Console, exercises: Sequence[Exercise], done: dict[str, bool]) -> None:
    """Every exercise by topic: its name (what ``drill code start`` takes), its title, and ✓ once passed."""
    topics = sorted({e.topic for e in exercises})
    console.print(plain(f"{len(exercises)} NumPy coding exercises in {len(topics)} topics", "bold"))
    width = max(len(e.name) for e in exercises)
    for topic in topics:
        console.print(Text.assemble("\n", (topic, "bold")))
        for e in (e for e in exercises if e.topic == topic):
            mark = ("✓ ", "green") if done.get(e.name) else ("  ", "")
            console.print(Text.assemble("  ", mark, (e.name.ljust(width), "bold"), "  ", e.title))
    console.print(Text("\nStart one:  drill code start NAME      Grade it:  drill code check NAME [--watch]", style="dim"))


def started(console: Console, ex: Exercise, path: Any, written: bool, check: str) -> None:
    if written:
        console.print(Text.assemble("wrote ", (str(path), "bold"), f" (the stub of {ex.function}(); your file, drill never overwrites it)"))
    else:
        console.print(Text.assemble((str(path), "bold"), " is already there: left as it is (your work is never overwritten)"))
    console.print(Text(f"next: write {ex.function}() in it, then run  {check}  (add --watch to re-run on save)"))


def _value(v: Any) -> str:
    """A value on one line: arrays as nested lists of 6 significant figures; a big one by its shape and first values."""
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, np.ndarray):
        if v.size > 48:
            head = ", ".join(f"{float(x):.6g}" for x in v.ravel()[:6])
            return f"array of shape {v.shape}: {head}, …"
        return _nested(v.tolist())
    if isinstance(v, float):
        return f"{v:.6g}"
    return repr(v)


def _nested(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(_nested(x) for x in v) + "]"
    return f"{float(v):.6g}"


def report(console: Console, rep: Report, path: Any, *, hint: bool = False) -> None:
    """The verdict, then (on a failure) the first failing case shown small, and the named mistake."""
    ex = rep.exercise
    if rep.passed:
        console.print(Text.assemble(("PASS ", "bold green"), f"{ex.name}: all {rep.n_cases} cases match solver {ex.solver}",
                                    (f"  ({rep.seconds:.1f} s)", "dim")))
        if rep.example:
            console.print(Text("  The solver's worked solution of the first case, to compare with your code:", style="dim"))
            for line in worked_steps(ex, rep.example):
                console.print(Text.assemble("    ", plain(line, "dim")))
        return
    console.print(Text.assemble(("FAIL ", "bold red"), f"{ex.name} ({path})"))
    if rep.problem:
        console.print(Text.assemble("  ", plain(rep.problem)))
        _output(console, rep)
        return
    f = rep.failure
    assert f is not None
    console.print(Text(f"  {rep.n_passed} of {rep.n_cases} cases pass; the first failing case: {f.case}"))
    console.print(Text.assemble("  ", plain(f.what, "bold")))
    for name, v in f.kwargs.items():
        console.print(Text.assemble("    ", (name, "bold"), " = ", plain(_value(v))))
    console.print(Text.assemble("    expected ", plain(_value(f.expected))))
    if f.got is not None:
        console.print(Text.assemble("    got      ", plain(_value(f.got))))
    if f.where:
        console.print(Text.assemble("    ", plain(f.where)))
    if f.mistake:
        console.print(Text.assemble("  ", ("Your output is what this mistake gives: ", "yellow"), plain(f.mistake, "bold yellow")))
    if hint:
        for line in hints(ex, f.params):
            console.print(Text.assemble("  ", ("hint: ", "dim"), plain(line)))
    _output(console, rep)


def _output(console: Console, rep: Report) -> None:
    for label, text in (("your code printed", rep.stdout), ("stderr", rep.stderr)):
        lines = text.strip().splitlines()
        if lines:
            console.print(Text(f"  {label}:", style="dim"))
            for line in lines[-10:]:
                console.print(Text.assemble("    ", plain(line, "dim")))
