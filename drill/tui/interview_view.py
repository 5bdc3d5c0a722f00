"""Rich rendering for ``drill interview``: the countdown, the silent record, the final report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from drill.practice import session

from drill.tui import quiz_view as ui
from drill.practice.session import Attempt
from drill.core.tolerance import precision_note

if TYPE_CHECKING:
    from drill.core.bank import Question
    from drill.core.grading import Grade
    from drill.practice.results import TopicTally
    from drill.core.variants import Variant


class Outcome(Protocol):
    """What the report needs of :class:`drill.practice.interview.Outcome` (this module never imports it)."""

    attempts: list[Attempt]
    ended: str
    limit: float
    elapsed: float
    not_reached: list[tuple[Question, int]]

    @property
    def correct(self) -> int: ...
    def topics(self) -> list[TopicTally]: ...
    def review(self) -> list[tuple[str, list[Attempt]]]: ...


def clock_text(seconds: float) -> str:
    """m:ss, never negative."""
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * (3 - difficulty)


def question(v: Variant, index: int, total: int, remaining: float) -> Group:
    left = f"[bold]⏱ {clock_text(remaining)} left[/]" if remaining > 0 else "[bold red]⏱ time is up: answer this one to finish[/]"
    head = Text.from_markup(f"{left} · difficulty {_stars(v.question.difficulty)}")
    kind = Text(f"{v.atype.name} answer, e.g. {v.example}{precision_note(v.question, v.answer)} · {ui.commands_text(v, 'stop')}", style="dim")
    return Group(head, ui.question_panel(v, index, total), kind)


def prompt(remaining: float) -> str:
    left = f"{clock_text(remaining)} left" if remaining > 0 else "time is up"
    return f"[bold]answer[/] [dim]({left})[/] › "


def no_hints(console: Console) -> None:
    console.print("[dim]No hints in an interview: answer, skip, or quit.[/]")


def unreadable(console: Console, reason: str) -> None:
    console.print(Text.assemble((f"? {reason}", "yellow"), " — type it again."))


def recorded(console: Console, a: Attempt) -> None:
    console.print(f"[dim]{'Skipped' if a.status == 'skipped' else 'Recorded'} ({clock_text(a.seconds)}). Feedback comes at the end.[/]\n")


def time_up(console: Console) -> None:
    console.print("[bold red]Time is up.[/]")


class InterviewView:
    """The interview on a terminal: the countdown, the silent record, no verdict until the report."""

    def __init__(self, console: Console, remaining: Callable[[], float], warn: Any = None) -> None:
        self.console = console
        self.remaining = remaining
        self.warn = warn or console.print

    def question(self, v: Variant, index: int, total: int) -> None:
        self.console.print(question(v, index, total, self.remaining()))

    def prompt(self, v: Variant) -> str:
        return prompt(self.remaining())

    def empty(self) -> None:
        pass

    def hint(self, v: Variant, level: int) -> None:
        no_hints(self.console)

    def unreadable(self, g: Grade, v: Variant) -> None:
        unreadable(self.console, g.reason)

    def near_miss(self, g: Grade, v: Variant) -> None:  # never: an interview gives no second chance
        pass

    def graded(self, a: Attempt, offer_steps: bool) -> None:
        recorded(self.console, a)

    def skipped(self, a: Attempt) -> None:
        recorded(self.console, a)

    def broken(self, q: Question, exc: Exception) -> None:
        self.warn(f"skipped a broken question: {exc}")

    def interrupted(self) -> None:
        self.console.print()

    def offer_prompt(self, a: Attempt) -> str:
        return ""

    def step_prompt(self, cp: Any, index: int, total: int) -> str:
        return ""

    def step_graded(self, step: Any, index: int, total: int) -> None:
        pass

    def steps_done(self, a: Attempt, steps: Sequence[Any]) -> None:
        pass

    def solution(self, a: Attempt) -> None:
        pass


_ENDED = {
    "done": "all questions answered",
    "time": "time ran out",
    "quit": "stopped early",
    "eof": "input ended",
    "interrupt": "interrupted",
    "terminate": "terminated",
    "hangup": "the terminal closed",
}


def report(console: Console, o: Outcome, replay: str) -> None:
    """Score by topic, time per question, the mistakes named, what to review (typed and bank text
    as rich ``Text``: shown, never interpreted)."""

    n = len(o.attempts)
    console.print()
    console.print(f"[bold]Interview report[/] · {_ENDED[o.ended]} · {clock_text(o.elapsed)} used of {clock_text(o.limit)}")
    if not n:
        console.print("[dim]No questions answered.[/]")
        console.print(Text(f"Replay this interview: {replay}", style="dim"))
        return
    console.print(f"Score: [bold]{o.correct}/{n}[/] ({100 * o.correct / n:.0f} %)")

    topics = Table(title="By topic", title_justify="left")
    for col, just in (("topic", "left"), ("correct", "right"), ("time", "right")):
        topics.add_column(col, justify=just)
    for t in o.topics():
        topics.add_row(Text(t.topic), f"{t.correct}/{t.answered}", clock_text(t.seconds))
    console.print(topics)

    per = Table(title="Question by question", title_justify="left")
    for col, just in (("#", "right"), ("question", "left"), ("level", "left"), ("time", "right"), ("result", "left")):
        per.add_column(col, justify=just, no_wrap=True)
    per.add_column("you", overflow="fold")
    per.add_column("answer", overflow="fold")
    mark = {"correct": "[green]✓[/]", "wrong": "[red]✗[/]", "skipped": "[yellow]skipped[/]"}
    for i, a in enumerate(o.attempts, start=1):
        q = a.variant.question
        per.add_row(str(i), Text(q.id), _stars(q.difficulty), clock_text(a.seconds), mark[a.status], Text(a.answer or "—"), Text(a.variant.expected))
    console.print(per)

    missed = [a for a in o.attempts if a.status != "correct"]
    if missed:
        console.print("[bold]Mistakes and solutions[/]")
        for a in missed:
            q = a.variant.question
            if a.status == "skipped":
                said, name = "skipped", Text("")
            else:
                said = f"you answered {a.answer}"
                mistake = a.grade.mistake if a.grade and a.grade.mistake else "not one of the classic mistakes: work it through again"
                name = Text.assemble(" — likely mistake: ", (mistake, "magenta"))
            console.print(ui.bullet(Text.assemble((q.id, "bold"), f" ({q.title}): {said}; answer ", (a.variant.expected, "bold"), name)))
            console.print(ui.steps_text(a.variant.steps))
    review = o.review()
    if review:
        console.print("[bold]What to review[/] [dim](weakest topic first; each command replays the question and its solution)[/]")
        for topic, items in review:
            console.print(Text(f"  {topic}"))
            for a in items:
                q = a.variant.question
                console.print(Text.assemble(f"    • {q.id} ({a.status})\n      ", (f"drill quiz --question {q.id} --seed {a.variant.seed}", "dim")))
    else:
        console.print("[green]Nothing missed.[/]")
    if o.not_reached:
        ids = ", ".join(q.id for q, _ in o.not_reached)
        console.print(Text(f"Not reached ({len(o.not_reached)}): {ids}", style="dim"))
    console.print(Text(f"Replay this interview: {replay}", style="dim"))
