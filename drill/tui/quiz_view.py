"""Rich rendering of questions, feedback and summaries. Renders; never computes an answer.

:class:`QuizView` is the quiz's :class:`drill.practice.session.View`: this module imports the session
logic, never the other way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from drill.practice import session
from drill.core.grading import LETTERS, Grade
from drill.practice.results import by_topic
from drill.practice.session import Attempt, Step
from drill.core.tolerance import precision_note
from drill.solvers._fmt import fmt

if TYPE_CHECKING:
    from drill.core.bank import Explanation, Question
    from drill.solvers import Checkpoint
    from drill.core.variants import Variant


def _text(line: str | Text) -> Text:
    """drill's own markup (a str) parsed; a ``Text`` — bank or typed text inside — taken as it is."""
    return line if isinstance(line, Text) else Text.from_markup(line)


def indented(line: str | Text, indent: int = 2) -> Padding:
    """A line whose wrapped continuation lines keep its indent. ``line``: drill's own markup, or a
    ``Text`` (anything holding bank or typed text)."""
    return Padding(_text(line), (0, 0, 0, indent))


def bullet(line: str | Text, indent: int = 2, mark: str = "•") -> Table:
    """``• text`` with wrapped lines aligned under the text, not under the bullet."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row(" " * indent + mark, _text(line))
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
    return hanging(f"  {letter})", Text(str(text)))


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


def answer_help(v: Variant) -> Text:
    return Text(f"{v.atype.name} answer, e.g. {v.example}{precision_note(v.question, v.answer)} · ? hint · {commands_text(v)}", style="dim")


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
        table.add_row(f"  {i}.", Text(line))
    return table


def feedback(console: Console, g: Grade, v: Variant) -> None:
    """Verdict, the likely mistake, notes, and (when wrong) the worked solution."""
    if g.status == "unreadable":
        console.print(indented(Text.assemble((f"? {g.reason}", "yellow"), " — try again."), 0))
        return
    if g.correct:
        console.print(indented(Text.assemble(("✓ Correct.", "bold green"), " ", (f"Answer: {g.expected}", "dim")), 0))
        for note in g.notes:
            console.print(indented(Text(note, style="dim")))
        return
    console.print(indented(Text.assemble(("✗ Not quite.", "bold red"), f" You answered {g.given}; the answer is ", (g.expected, "bold"), "."), 0))
    explain_wrong(console, g, v)


def explain_wrong(console: Console, g: Grade | None, v: Variant) -> None:
    """The likely mistake, the notes, the worked solution."""
    if g is not None and g.mistake:
        console.print(hanging("[magenta]Likely mistake:[/]", Text(g.mistake), 2))
    for note in g.notes if g is not None else ():
        console.print(indented(Text(note, style="dim")))
    console.print("[bold]Worked solution[/]")
    console.print(steps_text(v.steps))
    console.print(indented(Text(topic_pointer(v.question.topic), style="dim"), 0))


def topic_pointer(topic: str) -> str:
    """'The whole topic, with pictures: drill explain T' — 'with pictures' only when the topic has one."""
    from drill.tui.pictures import PICTURES

    return f"The whole topic{', with pictures' if topic in PICTURES else ''}: drill explain {topic}"


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
    console.print(indented(Text.assemble((f"≈ {near_miss_text(g)}", "yellow"), " — try once more."), 0))


def skipped(console: Console, v: Variant) -> None:
    console.print(Text.assemble(("Skipped.", "yellow"), " The answer is ", (v.expected, "bold"), "."))
    console.print(steps_text(v.steps))


def hanging(label: str | Text, line: str | Text, indent: int = 0) -> Table:
    """``label text`` with the text's wrapped lines aligned under its first word (each drill's own
    markup, or a ``Text`` holding bank or typed text)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row(Text(" " * indent) + _text(label), _text(line))
    return table


def formula_lines(f: Any, *, values: bool = True, indent: int = 2) -> list[RenderableType]:
    """A declared formula as ``name = expr`` (printed from its parsed expression) and one line per
    symbol: its meaning, and with ``values`` its value in this variant."""
    from drill.core.formulas import shown, symbol_lines

    out: list[RenderableType] = [Text(" " * indent + shown(f), style="bold cyan")]
    for symbol, meaning in symbol_lines(f, values=values):
        out.append(hanging(Text.assemble(" " * (indent + 4), (symbol, "cyan"), ":"), Text(meaning)))
    return out


def hint(console: Console, v: Variant, level: int = 1, explanation: Explanation | None = None) -> int:
    """Progressive hints: 1 the question's hint (without one, the first worked step — except for
    multiple choice, whose first step may name the answer); 2 the variant's first declared formula
    with each symbol named and its value here (a concept question: its concept hint); 3 the first
    checkpoint's value. level 0: a session without hints. ``explanation`` is no longer used (the
    formula is the solver's, not the topic's). Returns how many levels there are."""
    skip, quit = session.command_help(v.choices is not None)
    if level == 0:
        console.print(f"[dim]No hints here: answer, {skip} to skip, {quit} to stop.[/]")
        return 0
    cps = session.checkpoints(v)
    levels: list[list[RenderableType]] = []
    if v.hint:
        levels.append([hanging("[cyan]Hint:[/]", Text(v.hint))])
    elif v.choices is None and v.steps:
        levels.append([Text.from_markup("[cyan]Hint:[/] the first step of the solution is:"), indented(Text(v.steps[0], style="dim"))])
    else:  # multiple choice without a hint: its first step may name the answer; the formula stays hint 2
        levels.append([Text.from_markup("[cyan]Hint:[/] no hint for this one; rule out the options you know are wrong.")])
    if v.formulas:
        levels.append([Text.from_markup(f"[cyan]Hint {len(levels) + 1}, the formula:[/]"), *formula_lines(v.formulas[0])])
    elif v.concept:
        levels.append([hanging(f"[cyan]Hint {len(levels) + 1}, the concept:[/]", Text(v.concept))])
    if len(cps) >= 2:  # a lone checkpoint is the answer itself
        cp = cps[0]
        value = _cp_text(v, cp)
        levels.append([hanging(f"[cyan]Hint {len(levels) + 1}, the first step:[/]", Text.assemble(f"{cp.label} = ", (value, "bold")))])
    if level > len(levels):
        console.print(f"[dim]No more hints: answer, {skip} to skip and see the solution.[/]")
        return len(levels)
    for part in levels[level - 1]:
        console.print(part)
    return len(levels)


def _cp_text(v: Variant, cp: Checkpoint) -> str:
    from drill.core.grading import answer_type

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
        self.console.print(indented(Text.assemble(("✗ Not quite.", "bold red"), f" You answered {g.given}."), 0))

    def offer_prompt(self, a: Attempt) -> str:
        n = len(session.work_steps(a.variant))
        return f"[bold]w[/] work it through in {n} step{'s' if n != 1 else ''} · [bold]Enter[/] show the answer › "

    def step_prompt(self, cp: Checkpoint, index: int, total: int) -> str:
        return Text.assemble((f"step {index}/{total}", "dim"), f" {cp.label} ({cp.answer_type}) › ")  # type: ignore[return-value]

    def step_graded(self, step: Step, index: int, total: int) -> None:
        v_text = step.grade.expected if step.grade else fmt(step.checkpoint.value)
        if step.grade is None:
            self.console.print(indented(Text.assemble(("skipped", "yellow"), ": it is ", (v_text, "bold"))))
        elif step.correct:
            self.console.print(indented(Text.assemble(("✓", "green"), f" {v_text}")))
        else:
            self.console.print(indented(Text.assemble(("✗", "red"), f" you said {step.grade.given}; it is ", (v_text, "bold"))))

    def steps_done(self, a: Attempt, steps: list[Step]) -> None:
        wrong = session.first_wrong(steps)
        if wrong is None:
            if len(steps) == len(session.work_steps(a.variant)):
                self.console.print(indented("[green]Every step right[/]: the slip is in putting them together — compare the last line below.", 0))
            return
        number = steps.index(wrong) + 1
        line = a.variant.steps[wrong.checkpoint.step] if 0 <= wrong.checkpoint.step < len(a.variant.steps) else ""
        self.console.print(indented(Text.assemble(("The first step that went wrong:", "bold magenta"), f" step {number}, {wrong.checkpoint.label}"), 0))
        if line:
            self.console.print(indented(Text(line, style="dim")))

    def solution(self, a: Attempt) -> None:
        self.console.print(indented(Text.assemble("The answer is ", (a.variant.expected, "bold"), "."), 0))
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
    if not attempts:
        console.print("[dim]No questions answered.[/]")
        return
    table = Table(title="Session summary", title_justify="left")
    table.add_column("topic")
    table.add_column("correct", justify="right")
    table.add_column("time", justify="right")
    for t in by_topic(attempts):
        table.add_row(Text(t.topic), f"{t.correct}/{t.answered}", f"{t.seconds:.0f} s")
    right = sum(a.status == "correct" for a in attempts)
    table.add_row("[bold]all[/]", f"[bold]{right}/{len(attempts)}[/]", f"{sum(a.seconds for a in attempts):.0f} s")
    console.print(table)
    missed = [a for a in attempts if a.status != "correct"]
    if missed:
        console.print("[bold]Look again at[/]")
        for a in missed:
            q = a.variant.question
            mistake = f" — {a.grade.mistake}" if a.grade and a.grade.mistake else ""
            said = a.status if a.status == "skipped" else "answered " + a.answer
            console.print(bullet(Text.assemble(
                f"{q.id} (seed {a.variant.seed}): you {said}, answer {a.variant.expected}{mistake}\n",
                (f"drill quiz --question {q.id} --seed {a.variant.seed}", "dim"),
            )))
    console.print(indented(Text(f"Replay this session: {replay}", style="dim"), 0))
