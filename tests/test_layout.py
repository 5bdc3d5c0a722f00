"""Every quiz screen at 60, 80 and 120 columns: nothing runs past the edge, wrapped lines keep
their indent (choices, hints, mistakes, the summary), panel titles are cut with an ellipsis.

Oracle: the rendered text itself, measured line by line with rich's cell widths.
"""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console

from drill.tui import quiz_view as ui
from drill.practice.interview import Outcome
from drill.tui.interview_view import report
from drill.practice.session import Attempt
from drill.core.variants import make_variant

WIDTHS = (60, 80, 120)


def render(width: int, *things) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, highlight=False)
    for t in things:
        if callable(t):
            t(console)
        else:
            console.print(t)
    return out.getvalue().splitlines()


def fits(lines: list[str], width: int) -> None:
    for line in lines:
        assert cell_len(line) <= width, line


@pytest.mark.parametrize("width", WIDTHS)
def test_every_question_panel_fits_and_cuts_its_title_with_an_ellipsis(bank, width):
    for q in bank.questions.values():
        v = make_variant(q, 0)
        lines = render(width, ui.question_panel(v, 10, 10), ui.answer_help(v))
        fits(lines, width)
        top = lines[0]
        full = f"10/10 · {q.topic} · {q.title}"
        assert full in top or "…" in top, top


@pytest.mark.parametrize("width", WIDTHS)
def test_wrapped_choices_keep_their_indent(bank, width):
    for q in (q for q in bank.questions.values() if q.answer_type == "choice"):
        lines = render(width, ui.question_panel(make_variant(q, 0), 1, 1))
        body = [line.strip("│").rstrip() for line in lines[1:-1]]
        inside = False
        for line in body:
            m = re.match(r"^(\s+[A-Z]\) )", line)
            if m:
                inside, indent = True, len(m.group(1))
            elif inside and line.strip():
                assert line.startswith(" " * indent) and not line[indent].isspace(), (q.id, line)
            elif not line.strip():
                inside = False


@pytest.mark.parametrize("width", WIDTHS)
def test_feedback_hints_and_summary_keep_their_indent(bank, width):
    import dataclasses

    v = make_variant(bank.questions["conv-layer-params"], 0)
    name, wrong = next(iter(v.mistakes.items()))
    g = v.grade(v.atype.format(wrong))
    a = Attempt(v, "wrong", v.atype.format(wrong), g, 12.0)
    long = dataclasses.replace(g, mistake=" ".join(["counted every weight twice"] * 8), notes=[])
    lines = render(width, lambda c: ui.feedback(c, long, v), lambda c: ui.hint(c, v, 1),
                   lambda c: ui.summary(c, [a, a], "drill quiz -q conv-layer-params -n 2 --seed 0"))
    fits(lines, width)
    text = "\n".join(lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("  Likely mistake: counted"))
    end = lines.index("Worked solution")
    assert end - start >= 2  # it wrapped
    assert all(line.startswith(" " * 18 + "counted") or line.startswith(" " * 18) and line[18] != " " for line in lines[start + 1:end])
    hint = next(i for i, line in enumerate(lines) if line.startswith("Hint: "))
    if not lines[hint + 1].startswith("Session summary"):  # the hint wrapped: under its text
        assert lines[hint + 1].startswith(" " * 6) and lines[hint + 1][6] != " "
    bullets = [i for i, line in enumerate(lines) if line.startswith("  • conv-layer-params")]
    assert bullets and all(lines[b + 1].startswith("    ") for b in bullets)  # continuation under the text
    assert "drill quiz --question conv-layer-params --seed 0" in text.replace("\n    ", " ")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_interview_report_fits(bank, width):
    qs = bank.topics()["param-counts"][:3]
    vs = [make_variant(q, 0) for q in qs]
    atts = [Attempt(vs[0], "correct", vs[0].atype.format(vs[0].answer), vs[0].grade(vs[0].atype.format(vs[0].answer)), 30),
            Attempt(vs[1], "wrong", "1", vs[1].grade("1"), 40), Attempt(vs[2], "skipped", "", None, 5)]
    o = Outcome(atts, "done", 600, 75)
    lines = render(width, lambda c: report(c, o, "drill interview -n 3 --seed 1"))
    fits(lines, width)
    assert "Mistakes and solutions" in "\n".join(lines)
