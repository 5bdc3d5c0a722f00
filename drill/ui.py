"""Rich rendering of questions, feedback and summaries. Renders; never computes an answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.grading import LETTERS, Grade
from drill.tolerance import precision_note
from drill.solvers._fmt import fmt

if TYPE_CHECKING:
    from drill.quiz import Attempt
    from drill.variants import Variant


def matrix_table(name: str, rows: list[list]) -> RenderableType:
    """A matrix as a right-aligned grid, with its name on the line above (never wrapped)."""
    table = Table(show_header=False, box=None, padding=(0, 1))
    for _ in rows[0]:
        table.add_column(justify="right")
    for row in rows:
        table.add_row(*(fmt(x) for x in row))
    return Group(Text(f"{name} =", style="bold"), table) if name else table


def is_matrix(value: object) -> bool:
    return (
        isinstance(value, list) and len(value) > 1 and all(isinstance(r, list) and r for r in value)
        and all(isinstance(x, (int, float)) for r in value for x in r)
    )


def question_panel(v: Variant, index: int, total: int) -> Panel:
    """The question: prompt, matrices as tables, options for multiple choice."""
    q = v.question
    parts: list = [Text(v.prompt)]
    for name in q.placeholders:
        value = v.params.get(name)
        if is_matrix(value):
            parts.append(Text(""))
            parts.append(matrix_table(name, value))
    if v.choices:
        parts.append(Text(""))
        parts += [Text(f"  {LETTERS[i]}) {c}") for i, c in enumerate(v.choices)]
    title = f"[bold]{index}/{total}[/] · {escape(q.topic)} · {escape(q.title)}"
    subtitle = f"[dim]{escape(q.id)} · seed {v.seed}[/]"
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left", subtitle_align="right")


def answer_help(v: Variant) -> str:
    return f"[dim]{escape(v.atype.name)} answer, e.g. {escape(v.example)}{escape(precision_note(v.question, v.answer))} · ? hint · s skip · q quit[/]"


def answer_prompt(v: Variant) -> str:
    return "[bold]answer[/] › "


def steps_text(steps: Sequence[str]) -> Text:
    out = Text()
    for i, line in enumerate(steps, start=1):
        out.append(f"  {i}. ", style="dim")
        out.append(f"{line}\n")
    return out


def feedback(console: Console, g: Grade, v: Variant) -> None:
    """Verdict, the likely mistake, notes, and (when wrong) the worked solution."""
    if g.status == "unreadable":
        console.print(f"[yellow]? {escape(g.reason)}[/] — try again.")
        return
    if g.correct:
        console.print(f"[bold green]✓ Correct.[/] [dim]Answer: {escape(g.expected)}[/]")
        for note in g.notes:
            console.print(f"  [dim]{escape(note)}[/]")
        return
    console.print(f"[bold red]✗ Not quite.[/] You answered {escape(g.given)}; the answer is [bold]{escape(g.expected)}[/].")
    if g.mistake:
        console.print(f"  [magenta]Likely mistake:[/] {escape(g.mistake)}")
    for note in g.notes:
        console.print(f"  [dim]{escape(note)}[/]")
    console.print("[bold]Worked solution[/]")
    console.print(steps_text(v.steps))
    console.print(f"[dim]The whole topic, with pictures: drill explain {escape(v.question.topic)}[/]")


def skipped(console: Console, v: Variant) -> None:
    console.print(f"[yellow]Skipped.[/] The answer is [bold]{escape(v.expected)}[/].")
    console.print(steps_text(v.steps))


def hint(console: Console, v: Variant) -> None:
    """The question's hint; without one, the first worked step — except for multiple choice,
    whose first step may name the answer."""
    if v.hint:
        console.print(f"[cyan]Hint:[/] {escape(v.hint)}")
    elif v.choices is None and v.steps:
        console.print("[cyan]Hint:[/] the first step of the solution is:")
        console.print(f"  [dim]{escape(v.steps[0])}[/]")
    else:
        console.print("[cyan]Hint:[/] no hint for this one; rule out the options you know are wrong.")


def summary(console: Console, attempts: Sequence[Attempt], replay: str) -> None:
    """Per-topic table, then the list of what was missed with a replay command for each."""
    if not attempts:
        console.print("[dim]No questions answered.[/]")
        return
    table = Table(title="Session summary", title_justify="left")
    table.add_column("topic")
    table.add_column("correct", justify="right")
    table.add_column("time", justify="right")
    by_topic: dict[str, list[Attempt]] = {}
    for a in attempts:
        by_topic.setdefault(a.variant.question.topic, []).append(a)
    for topic, items in sorted(by_topic.items()):
        right = sum(a.status == "correct" for a in items)
        table.add_row(topic, f"{right}/{len(items)}", f"{sum(a.seconds for a in items):.0f} s")
    right = sum(a.status == "correct" for a in attempts)
    table.add_row("[bold]all[/]", f"[bold]{right}/{len(attempts)}[/]", f"{sum(a.seconds for a in attempts):.0f} s")
    console.print(table)
    missed = [a for a in attempts if a.status != "correct"]
    if missed:
        console.print("[bold]Look again at[/]")
        for a in missed:
            q = a.variant.question
            mistake = f" — {a.grade.mistake}" if a.grade and a.grade.mistake else ""
            console.print(
                f"  • {escape(q.id)} (seed {a.variant.seed}): you {escape(a.status if a.status == 'skipped' else 'answered ' + a.answer)}, "
                f"answer {escape(a.variant.expected)}{escape(mistake)}\n"
                f"    [dim]drill quiz --question {escape(q.id)} --seed {a.variant.seed}[/]"
            )
    console.print(f"[dim]Replay this session: {escape(replay)}[/]")
