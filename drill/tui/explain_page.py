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

``render(walkthrough)`` turns it into one rich renderable. Nothing here computes an answer.
The walkthrough text lives in each bank file's ``explain:`` section (see drill.core.bank).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.pager import Pager
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from drill.core.bank import Bank, Explanation, Question, SelectionError
from drill.core.answers.choice import LETTERS
from drill.tui.quiz_view import FittedPanel, is_matrix, matrix_table

if TYPE_CHECKING:
    from drill.core.variants import Variant

__all__ = ["Walkthrough", "build", "topic_formulas", "render", "render_list", "show", "topic_lines", "resolve", "first_sentence", "mistake_text"]


@dataclass
class Walkthrough:
    """Everything a walkthrough shows. ``mistakes``: (what went wrong, the wrong answer as text)."""

    topic: str
    explanation: Explanation
    variant: Variant
    mistakes: list[tuple[str, str]]
    picture: RenderableType | None = None
    formulas: list = field(default_factory=list)  # declared formulas (solvers.Formula), deduplicated

    @property
    def question(self) -> Question:
        return self.variant.question

    @property
    def seed(self) -> int:
        return self.variant.seed


def first_sentence(text: str) -> str:
    """The summary's first sentence: a topic's one line in the list."""
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def topic_lines(bank: Bank) -> list[tuple[str, int, str]]:
    """(topic, number of questions, one line) for every topic, sorted by name."""
    out = []
    for topic, qs in sorted(bank.topics().items()):
        ex = bank.explanations.get(topic)
        out.append((topic, len(qs), first_sentence(ex.summary) if ex else qs[0].title))
    return out


def _fallback(topic: str, qs: list[Question]) -> Explanation:
    """A topic whose questions come from a file without its own explain section."""
    titles = "; ".join(q.title for q in qs)
    return Explanation(topic=topic, summary=f"Questions on {topic}: {titles}.", example=qs[0].id)


def resolve(bank: Bank, name: str) -> tuple[str, Explanation, Question]:
    """A topic name (or a question id) → (topic, its explanation, the example question).

    Raises SelectionError naming the closest topics for an unknown name.
    """
    topics = bank.topics()
    if name in topics:
        ex = bank.explanations.get(name) or _fallback(name, topics[name])
        q = bank.questions.get(ex.example)
        if q is None or q.topic != name:  # the example was skipped as broken, or belongs elsewhere
            q = topics[name][0]
        return name, ex, q
    if name in bank.questions:
        q = bank.questions[name]
        return q.topic, bank.explanations.get(q.topic) or _fallback(q.topic, topics[q.topic]), q
    close = difflib.get_close_matches(name, list(topics), n=3) or difflib.get_close_matches(name, list(bank.questions), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; topics: {', '.join(sorted(topics))}"
    raise SelectionError(f"unknown topic {name!r}{hint}")


def mistake_text(v: Variant, value: Any) -> str:
    """A mistake's wrong answer as text; for multiple choice, the option it picks."""
    return v.atype.shown(value, v.choices)


def build(bank: Bank, name: str, seed: int) -> Walkthrough:
    """The walkthrough of topic (or question id) ``name`` with variant ``seed`` as its example.

    Raises SelectionError (unknown name) or drill.core.variants.VariantError (a broken template).
    """
    from drill.tui.pictures import picture_for
    from drill.core.variants import make_variant

    topic, ex, q = resolve(bank, name)
    v = make_variant(q, seed)
    mistakes = [(what, mistake_text(v, value)) for what, value in v.mistakes.items()]
    return Walkthrough(topic, ex, v, mistakes, picture_for(v), topic_formulas(bank, topic, v))


def topic_formulas(bank: Bank, topic: str, example: Variant) -> list:
    """The declared formulas of a topic: the example variant's, then each other question's at its
    canonical params (seed 0), one per expression and symbol names (values differ between variants)."""
    from drill.core.variants import VariantError, make_variant

    found, seen = [], set()
    variants = [example]
    for q in bank.topics().get(topic, []):
        if q is example.question:
            continue
        try:
            variants.append(make_variant(q, 0))
        except (VariantError, KeyError):
            continue  # a broken question is drill check's to report
    for v in variants:
        for f in v.formulas:
            key = (f.expr, tuple(s.name for s in f.symbols))
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found


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


def _steps(steps: list[str]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", justify="right", no_wrap=True)
    table.add_column()
    for i, line in enumerate(steps, start=1):
        table.add_row(f"  {i}.", Text(line))
    return table


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
    parts.append(_steps(v.steps))
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
