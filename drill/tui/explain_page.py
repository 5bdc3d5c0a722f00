"""Walkthroughs: a topic explained at whiteboard pace, with a fresh worked example.

``build(bank, name, seed)`` assembles a :class:`Walkthrough` for a topic (or for a question id:
its topic, with that question as the example)::

    what it is     the bank's explain.summary and conventions
    formulas       the formulas the topic's solvers declare (the example's first, then the other
                   questions' at their canonical params, each once), every symbol named — each one
                   proven by ``drill check``; the YAML's hand-written ``explain: formulas:`` is not shown
    worked example a fresh variant of the example question: its prompt, the solver's steps
                   one per line, the answer — the very steps that grade quiz answers, so the
                   explanation and the grader cannot disagree
    picture        drill.tui.pictures for the topic, drawn from the same variant (if any)
    mistakes       each named mistake with the wrong answer it gives on this example

``render(walkthrough)`` turns it into one rich renderable. Nothing here computes: the walkthrough is
built by drill.practice.walkthrough (this module adds its picture).
The walkthrough text lives in each bank file's ``explain:`` section (see drill.core.bank).
"""

from __future__ import annotations

import os

from rich.console import Console, Group, RenderableType
from rich.pager import Pager
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from drill.core.answers.choice import LETTERS
from drill.core.bank import Bank
from drill.practice import walkthrough
from drill.practice.walkthrough import Walkthrough, first_sentence, mistake_text, resolve, topic_formulas, topic_lines  # noqa: F401 - as before
from drill.tui.quiz_view import FittedPanel, is_matrix, matrix_table, steps_text

__all__ = ["Walkthrough", "build", "topic_formulas", "render", "render_list", "show", "topic_lines", "resolve", "first_sentence", "mistake_text"]


def build(bank: Bank, name: str, seed: int) -> Walkthrough:
    """The walkthrough of topic (or question id) ``name`` with variant ``seed`` as its example, with
    its picture (drill.practice.walkthrough computes the rest).

    Raises SelectionError (unknown name) or drill.core.variants.VariantError (a broken template).
    """
    from drill.tui.pictures import picture_for

    w = walkthrough.build(bank, name, seed)
    w.picture = picture_for(w.variant)
    return w


# --- rendering ---------------------------------------------------------------------------


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _formulas(formulas: list) -> list[RenderableType]:
    from drill.core.formulas import shown, symbol_lines

    out: list[RenderableType] = []
    for f in formulas:
        out.append(Text(f"  {shown(f)}", style="bold cyan"))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="cyan", no_wrap=True)
        table.add_column()
        for symbol, meaning in symbol_lines(f, values=False):
            table.add_row(Text(f"      {symbol}"), Text(meaning))
        out.append(table)
    return out


def render(w: Walkthrough) -> RenderableType:
    """The walkthrough as one renderable: text sections, the example, the picture, the mistakes."""
    ex, v, q = w.explanation, w.variant, w.question
    parts: list[RenderableType] = [Rule(Text.assemble((f"drill explain {w.topic}", "bold"), f" · seed {w.seed}"), align="left")]
    parts += [_heading("What it is"), Text(ex.summary)]
    if ex.conventions:
        parts.append(_heading("Conventions"))
        parts += [Text(f"  • {c}") for c in ex.conventions]
    if w.formulas:
        parts.append(_heading("Formulas"))
        parts += _formulas(w.formulas)
    parts.append(_heading(f"Worked example · {q.id} · seed {w.seed}"))
    prompt: list[RenderableType] = [Text(v.prompt)]
    for name in q.placeholders:  # matrices also as tables, as the quiz shows them
        if is_matrix(v.params.get(name)):
            prompt += [Text(""), matrix_table(name, v.params[name])]
    if v.choices:
        prompt += [Text(f"  {LETTERS[i]}) {c}") for i, c in enumerate(v.choices)]
    parts.append(FittedPanel(Group(*prompt), Text(q.title), border_style="dim"))  # a long title ends in "…"
    parts.append(steps_text(v.steps))
    parts.append(Text.assemble(("  Answer: ", "bold"), (v.expected, "bold green")))
    if w.picture is not None:
        parts.append(_heading("Picture"))
        parts.append(w.picture)
    if w.mistakes:
        parts.append(_heading("Common mistakes, and what each gives on this example"))
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(ratio=3)
        table.add_column(style="red", ratio=1)
        for what, value in w.mistakes:
            table.add_row("  ✗", Text(what), Text(f"→ {value}"))
        parts.append(table)
    again = f"drill explain {q.id if q.id != ex.example else w.topic} --seed {w.seed}"
    parts.append(Text.assemble("\n", ("Try one:", "bold"), f" drill explain {w.topic} --try"))
    from drill.code.exercises import EXERCISES

    if coding := [e.name for e in EXERCISES if e.topic == w.topic]:  # the topic's coding exercises
        parts.append(Text.assemble(("Code it:", "bold"), f" drill code start {coding[0]}", ("  (also: " + ", ".join(coding[1:]) + ")" if coding[1:] else "", "dim")))
    parts.append(Text.assemble(("This example again:", "dim"), f" {again}"))
    return Group(*parts)


def show(console: Console, renderable: RenderableType, *, pager: Pager | None = None) -> bool:
    """Print; page it when the console is a terminal and it is taller than the screen.

    Piped output is printed plainly (rich writes no colour codes when stdout is not a
    terminal). Returns whether it was paged. ``less`` is told to keep colours (-R), quit if the
    text fits (-F) and leave the text on screen (-X), unless the user has set LESS.
    """
    if console.is_terminal:
        lines = console.render_lines(renderable, console.options, pad=False, new_lines=False)
        if len(lines) > console.height:
            custom = os.environ.get("MANPAGER") or os.environ.get("PAGER")
            if pager is None and not _pager_runs(custom):  # a $PAGER that is not installed: print it plainly
                console.print(renderable)
                return False
            os.environ.setdefault("LESS", "-FRX")
            with console.pager(pager=pager, styles=not custom or "less" in custom):
                console.print(renderable)
            return True
    console.print(renderable)
    return False


def _pager_runs(custom: str | None) -> bool:
    """Whether the pager rich would start (``$MANPAGER``/``$PAGER``, else ``less``/``more``) is installed."""
    import shlex
    import shutil

    if not custom or not custom.strip():
        return True  # pydoc's own choice: less, more, or its built-in pager
    try:
        words = shlex.split(custom)
    except ValueError:
        return False
    return bool(words) and shutil.which(words[0]) is not None


def render_list(bank: Bank) -> Table:
    """The topics, one line each, for ``drill explain`` without a topic."""
    table = Table(title="Topics · drill explain TOPIC", title_justify="left", box=None, padding=(0, 2, 0, 0))
    table.add_column("topic", style="bold", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("what it is")
    for topic, n, line in topic_lines(bank):
        table.add_row(Text(topic), str(n), Text(line))
    return table
