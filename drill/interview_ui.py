"""Rich rendering for ``drill interview``: the countdown, the silent record, the final report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from drill import ui

if TYPE_CHECKING:
    from drill.interview import Outcome
    from drill.quiz import Attempt
    from drill.variants import Variant


def clock_text(seconds: float) -> str:
    """m:ss, never negative."""
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * (3 - difficulty)


def question(v: Variant, index: int, total: int, remaining: float) -> Group:
    left = f"[bold]⏱ {clock_text(remaining)} left[/]" if remaining > 0 else "[bold red]⏱ time is up: answer this one to finish[/]"
    head = Text.from_markup(f"{left} · difficulty {_stars(v.question.difficulty)}")
    kind = Text.from_markup(f"[dim]{escape(v.atype.name)} answer, e.g. {escape(v.example)} · s skip · q stop[/]")
    return Group(head, ui.question_panel(v, index, total), kind)


def prompt(remaining: float) -> str:
    left = f"{clock_text(remaining)} left" if remaining > 0 else "time is up"
    return f"[bold]answer[/] [dim]({left})[/] › "


def no_hints(console: Console) -> None:
    console.print("[dim]No hints in an interview: answer, s to skip, q to stop.[/]")


def unreadable(console: Console, reason: str) -> None:
    console.print(f"[yellow]? {escape(reason)}[/] — type it again.")


def recorded(console: Console, a: Attempt) -> None:
    console.print(f"[dim]{'Skipped' if a.status == 'skipped' else 'Recorded'} ({clock_text(a.seconds)}). Feedback comes at the end.[/]\n")


def time_up(console: Console) -> None:
    console.print("[bold red]Time is up.[/]")


_ENDED = {
    "done": "all questions answered",
    "time": "time ran out",
    "quit": "stopped early",
    "eof": "input ended",
    "interrupt": "interrupted",
}


def report(console: Console, o: Outcome, replay: str) -> None:
    """Score by topic, time per question, the mistakes named, what to review."""
    n = len(o.attempts)
    console.print()
    console.print(f"[bold]Interview report[/] · {_ENDED[o.ended]} · {clock_text(o.elapsed)} used of {clock_text(o.limit)}")
    if not n:
        console.print("[dim]No questions answered.[/]")
        console.print(f"[dim]Replay this interview: {escape(replay)}[/]")
        return
    console.print(f"Score: [bold]{o.correct}/{n}[/] ({100 * o.correct / n:.0f} %)")

    topics = Table(title="By topic", title_justify="left")
    for col, just in (("topic", "left"), ("correct", "right"), ("time", "right")):
        topics.add_column(col, justify=just)
    for t in o.topics():
        topics.add_row(escape(t.topic), f"{t.correct}/{t.answered}", clock_text(t.seconds))
    console.print(topics)

    per = Table(title="Question by question", title_justify="left")
    for col, just in (("#", "right"), ("question", "left"), ("level", "left"), ("time", "right"), ("result", "left")):
        per.add_column(col, justify=just, no_wrap=True)
    per.add_column("you", overflow="fold")
    per.add_column("answer", overflow="fold")
    mark = {"correct": "[green]✓[/]", "wrong": "[red]✗[/]", "skipped": "[yellow]skipped[/]"}
    for i, a in enumerate(o.attempts, start=1):
        q = a.variant.question
        per.add_row(str(i), escape(q.id), _stars(q.difficulty), clock_text(a.seconds), mark[a.status], escape(a.answer or "—"), escape(a.variant.expected))
    console.print(per)

    wrong = [a for a in o.attempts if a.status == "wrong"]
    if wrong:
        console.print("[bold]Mistakes[/]")
        for a in wrong:
            name = a.grade.mistake if a.grade and a.grade.mistake else "not one of the classic mistakes: work it through again"
            console.print(f"  • {escape(a.variant.question.id)}: you answered {escape(a.answer)}, answer {escape(a.variant.expected)} — [magenta]{escape(name)}[/]")
    review = o.review()
    if review:
        console.print("[bold]What to review[/] [dim](weakest topic first; each command replays the question and its solution)[/]")
        for topic, items in review:
            console.print(f"  {escape(topic)}")
            for a in items:
                q = a.variant.question
                console.print(f"    • {escape(q.id)} ({a.status})\n      [dim]drill quiz --question {escape(q.id)} --seed {a.variant.seed}[/]")
    else:
        console.print("[green]Nothing missed.[/]")
    if o.not_reached:
        ids = ", ".join(q.id for q, _ in o.not_reached)
        console.print(f"[dim]Not reached ({len(o.not_reached)}): {escape(ids)}[/]")
    console.print(f"[dim]Replay this interview: {escape(replay)}[/]")
