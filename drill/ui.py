"""Rich rendering of questions, feedback and summaries. Renders; never computes an answer.

:class:`QuizView` is the quiz's :class:`drill.session.View`: this module imports the session
logic, never the other way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill import session
from drill.grading import LETTERS, Grade
from drill.session import Attempt, Step
from drill.tolerance import precision_note
from drill.solvers._fmt import fmt
from drill.textsafe import visible

if TYPE_CHECKING:
    from drill.bank import Explanation, Question
    from drill.solvers import Checkpoint
    from drill.variants import Variant


def indented(markup: str, indent: int = 2) -> Padding:
    """A line whose wrapped continuation lines keep its indent."""
    return Padding(Text.from_markup(markup), (0, 0, 0, indent))


def bullet(markup: str, indent: int = 2, mark: str = "•") -> Table:
    """``• text`` with wrapped lines aligned under the text, not under the bullet."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row(" " * indent + mark, Text.from_markup(markup))
    return table


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


def question_panel(v: Variant, index: int, total: int) -> FittedPanel:
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
        parts += [choice_line(LETTERS[i], c) for i, c in enumerate(v.choices)]
    title = Text.assemble((f"{index}/{total}", "bold"), f" · {q.topic} · {q.title}")
    subtitle = Text(f"{q.id} · seed {v.seed}", style="dim")
    return FittedPanel(Group(*parts), title, subtitle)


def choice_line(letter: str, text: str) -> Table:
    """``  A) text`` with the option's wrapped lines under its text, not under the letter."""
    return hanging(f"  {letter})", escape(str(text)))


def fit(text: Text, width: int) -> Text:
    """``text`` on one line of at most ``width`` cells, cut with an ellipsis when longer."""
    if text.cell_len <= width:
        return text
    out = text.copy()
    out.truncate(max(1, width - 1))
    out.append("…")
    return out


class FittedPanel:
    """A panel whose title and subtitle are cut with an ellipsis to the width it is drawn at
    (rich would crop them bare)."""

    def __init__(self, body: RenderableType, title: Text, subtitle: Text | None = None, *, border_style: str = "none") -> None:
        self.body, self.title, self.subtitle, self.border_style = body, title, subtitle or Text(""), border_style

    def __rich_console__(self, console: Console, options: Any):
        room = max(4, options.max_width - 6)  # two corners, two rules, two spaces
        yield Panel(self.body, title=fit(self.title, room), subtitle=fit(self.subtitle, room) if self.subtitle else None,
                    title_align="left", subtitle_align="right", border_style=self.border_style)


def answer_help(v: Variant) -> str:
    return f"[dim]{escape(v.atype.name)} answer, e.g. {escape(v.example)}{escape(precision_note(v.question, v.answer))} · ? hint · {commands_text(v)}[/]"


def commands_text(v: Variant, quit_word: str = "quit") -> str:
    """'s skip · q quit', or on multiple choice (where letters are answers) 'skip · quit'."""
    skip, quit = session.command_help(v.choices is not None)
    return f"{skip} · {quit}" if v.choices is not None else f"{skip} skip · {quit} {quit_word}"


def answer_prompt(v: Variant) -> str:
    return "[bold]answer[/] › "


def steps_text(steps: Sequence[str]) -> Table:
    """Numbered worked steps; a wrapped step keeps its indent under the text."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", justify="right", no_wrap=True)
    table.add_column()
    for i, line in enumerate(steps, start=1):
        table.add_row(f"  {i}.", Text(visible(line)))
    return table


def feedback(console: Console, g: Grade, v: Variant) -> None:
    """Verdict, the likely mistake, notes, and (when wrong) the worked solution."""
    if g.status == "unreadable":
        console.print(indented(f"[yellow]? {escape(g.reason)}[/] — try again.", 0))
        return
    if g.correct:
        console.print(indented(f"[bold green]✓ Correct.[/] [dim]Answer: {escape(g.expected)}[/]", 0))
        for note in g.notes:
            console.print(indented(f"[dim]{escape(note)}[/]"))
        return
    console.print(indented(f"[bold red]✗ Not quite.[/] You answered {escape(g.given)}; the answer is [bold]{escape(g.expected)}[/].", 0))
    explain_wrong(console, g, v)


def explain_wrong(console: Console, g: Grade | None, v: Variant) -> None:
    """The likely mistake, the notes, the worked solution."""
    if g is not None and g.mistake:
        console.print(hanging("[magenta]Likely mistake:[/]", escape(g.mistake), 2))
    for note in g.notes if g is not None else ():
        console.print(indented(f"[dim]{escape(note)}[/]"))
    console.print("[bold]Worked solution[/]")
    console.print(steps_text(v.steps))
    console.print(indented(f"[dim]{topic_pointer(v.question.topic)}[/]", 0))


def topic_pointer(topic: str) -> str:
    """'The whole topic, with pictures: drill explain T' — 'with pictures' only when the topic has one."""
    from drill.pictures import PICTURES

    return f"The whole topic{', with pictures' if topic in PICTURES else ''}: drill explain {escape(topic)}"


def near_miss_text(g: Grade) -> str:
    """'close — 0.42 is 0.71 % off; ±0.5 % is accepted: give one more digit' (plain text)."""
    n = g.near_miss
    assert n is not None
    if n.rounded:
        return f"close — {g.given} is rounded ({fmt(n.off * 100, 2)} % off); the answer is an exact integer: give every digit"
    off = f"{fmt(n.off * 100, 2)} % off" if n.off is not None else "just outside the accepted range"
    if n.accepted is None:
        return f"close — {g.given} is {off}; the answer is exact"
    return f"close — {g.given} is {off}; ±{fmt(n.accepted * 100)} % is accepted: give one more digit"


def near_miss(console: Console, g: Grade) -> None:
    console.print(indented(f"[yellow]≈ {escape(near_miss_text(g))}[/] — try once more.", 0))


def skipped(console: Console, v: Variant) -> None:
    console.print(f"[yellow]Skipped.[/] The answer is [bold]{escape(v.expected)}[/].")
    console.print(steps_text(v.steps))


def hanging(label: str, markup: str, indent: int = 0) -> Table:
    """``label text`` with the text's wrapped lines aligned under its first word."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row(Text.from_markup(" " * indent + label), Text.from_markup(markup))
    return table


def _formula(explanation: Explanation | None, v: Variant) -> list[RenderableType]:
    chosen = session.relevant_formula(explanation.formulas, v) if explanation is not None else None
    if chosen is None:
        return []
    formula, where = chosen
    out: list[RenderableType] = [indented(f"[bold cyan]{escape(formula)}[/]")]
    for symbol, meaning in where.items():
        out.append(hanging(f"[cyan]{escape(str(symbol))}[/]:", escape(str(meaning)), 6))
    return out


def hint(console: Console, v: Variant, level: int = 1, explanation: Explanation | None = None) -> int:
    """Progressive hints: 1 the question's hint (without one, the first worked step — except for
    multiple choice, whose first step may name the answer); 2 the topic's formula with its symbols
    named; 3 the first checkpoint's value. level 0: a session without hints. Returns how many levels
    there are."""
    skip, quit = session.command_help(v.choices is not None)
    if level == 0:
        console.print(f"[dim]No hints here: answer, {skip} to skip, {quit} to stop.[/]")
        return 0
    formula = _formula(explanation, v)
    cps = session.checkpoints(v)
    levels: list[list[RenderableType]] = []
    if v.hint:
        levels.append([hanging("[cyan]Hint:[/]", escape(visible(v.hint)))])
    elif v.choices is None and v.steps:
        levels.append([Text.from_markup("[cyan]Hint:[/] the first step of the solution is:"), indented(f"[dim]{escape(v.steps[0])}[/]")])
    if formula:
        levels.append([Text.from_markup("[cyan]Hint 2, the formula:[/]"), *formula])
    if len(cps) >= 2:  # a lone checkpoint is the answer itself
        cp = cps[0]
        value = _cp_text(v, cp)
        levels.append([hanging(f"[cyan]Hint {len(levels) + 1}, the first step:[/]", f"{escape(cp.label)} = [bold]{escape(value)}[/]")])
    if not levels:
        levels.append([Text.from_markup("[cyan]Hint:[/] no hint for this one; rule out the options you know are wrong.")])
    if level > len(levels):
        console.print(f"[dim]No more hints: answer, {skip} to skip and see the solution.[/]")
        return len(levels)
    for part in levels[level - 1]:
        console.print(part)
    return len(levels)


def _cp_text(v: Variant, cp: Checkpoint) -> str:
    from drill.grading import answer_type

    atype = answer_type(cp.answer_type, v.question.variables)
    return atype.format(atype.coerce(cp.value))


class QuizView:
    """The quiz on a terminal: the question panel, feedback at once, a worked solution when wrong."""

    def __init__(self, console: Console, warn: Any = None, explanations: Mapping[str, Explanation] | None = None) -> None:
        self.console = console
        self.warn = warn or console.print
        self.explanations = explanations or {}

    def question(self, v: Variant, index: int, total: int) -> None:
        self.console.print(question_panel(v, index, total))
        self.console.print(answer_help(v))

    def prompt(self, v: Variant) -> str:
        return answer_prompt(v)

    def empty(self) -> None:
        self.console.print("[dim]Type an answer, ? for a hint, skip, or quit.[/]")

    def hint(self, v: Variant, level: int) -> int:
        return hint(self.console, v, level, self.explanations.get(v.question.topic))

    def unreadable(self, g: Grade, v: Variant) -> None:
        feedback(self.console, g, v)

    def near_miss(self, g: Grade, v: Variant) -> None:
        near_miss(self.console, g)

    def graded(self, a: Attempt, offer_steps: bool) -> None:
        g = a.grade
        assert g is not None
        if not offer_steps:
            feedback(self.console, g, a.variant)
            return
        self.console.print(indented(f"[bold red]✗ Not quite.[/] You answered {escape(g.given)}.", 0))

    def offer_prompt(self, a: Attempt) -> str:
        n = len(session.work_steps(a.variant))
        return f"[bold]w[/] work it through in {n} step{'s' if n != 1 else ''} · [bold]Enter[/] show the answer › "

    def step_prompt(self, cp: Checkpoint, index: int, total: int) -> str:
        return f"[dim]step {index}/{total}[/] {escape(cp.label)} ({escape(cp.answer_type)}) › "

    def step_graded(self, step: Step, index: int, total: int) -> None:
        v_text = escape(step.grade.expected if step.grade else fmt(step.checkpoint.value))
        if step.grade is None:
            self.console.print(indented(f"[yellow]skipped[/]: it is [bold]{v_text}[/]"))
        elif step.correct:
            self.console.print(indented(f"[green]✓[/] {v_text}"))
        else:
            self.console.print(indented(f"[red]✗[/] you said {escape(step.grade.given)}; it is [bold]{v_text}[/]"))

    def steps_done(self, a: Attempt, steps: list[Step]) -> None:
        wrong = session.first_wrong(steps)
        if wrong is None:
            if len(steps) == len(session.work_steps(a.variant)):
                self.console.print(indented("[green]Every step right[/]: the slip is in putting them together — compare the last line below.", 0))
            return
        number = steps.index(wrong) + 1
        line = a.variant.steps[wrong.checkpoint.step] if 0 <= wrong.checkpoint.step < len(a.variant.steps) else ""
        self.console.print(indented(f"[bold magenta]The first step that went wrong:[/] step {number}, {escape(wrong.checkpoint.label)}", 0))
        if line:
            self.console.print(indented(f"[dim]{escape(line)}[/]"))

    def solution(self, a: Attempt) -> None:
        self.console.print(indented(f"The answer is [bold]{escape(a.variant.expected)}[/].", 0))
        explain_wrong(self.console, a.grade, a.variant)

    def skipped(self, a: Attempt) -> None:
        skipped(self.console, a.variant)

    def broken(self, q: Question, exc: Exception) -> None:
        where = f"{q.file}:{q.line}" if q.line else q.file
        self.warn(f"skipped a broken question ({where}): {exc}")

    def interrupted(self) -> None:
        self.console.print()


def summary(console: Console, attempts: Sequence[Attempt], replay: str) -> None:
    """Per-topic table, then the list of what was missed with a replay command for each."""
    from drill.textsafe import visible  # typed and bank text: shown, never interpreted

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
        table.add_row(Text(visible(topic)), f"{right}/{len(items)}", f"{sum(a.seconds for a in items):.0f} s")
    right = sum(a.status == "correct" for a in attempts)
    table.add_row("[bold]all[/]", f"[bold]{right}/{len(attempts)}[/]", f"{sum(a.seconds for a in attempts):.0f} s")
    console.print(table)
    missed = [a for a in attempts if a.status != "correct"]
    if missed:
        console.print("[bold]Look again at[/]")
        for a in missed:
            q = a.variant.question
            mistake = f" — {a.grade.mistake}" if a.grade and a.grade.mistake else ""
            console.print(bullet(
                f"{escape(visible(q.id))} (seed {a.variant.seed}): you {escape(visible(a.status if a.status == 'skipped' else 'answered ' + a.answer))}, "
                f"answer {escape(visible(a.variant.expected))}{escape(visible(mistake))}\n"
                f"[dim]drill quiz --question {escape(visible(q.id))} --seed {a.variant.seed}[/]"
            ))
    console.print(indented(f"[dim]Replay this session: {escape(visible(replay))}[/]", 0))
