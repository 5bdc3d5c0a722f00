"""``drill stats`` on a terminal: the report drill.practice.stats computes, rendered with rich."""

from __future__ import annotations

from datetime import datetime

from drill.practice.stats import RECENT

__all__ = ["render"]


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _secs(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f} s" if x >= 10 else f"{x:.1f} s"


def render(console, report: dict, db: str) -> None:
    """Print the report with rich (tables, sparkline); ``report`` comes from :func:`compute`."""
    from rich.markup import escape as _escape
    from rich.table import Table

    from drill.solvers._fmt import fmt
    from drill.core.textsafe import visible

    escape = lambda text: _escape(visible(text))  # noqa: E731 - stored text is shown, never interpreted

    total = report["total"]
    if not total["answered"]:
        console.print(f"No answers recorded yet in {escape(db)}. Start with [bold]drill quiz[/].", soft_wrap=True)
        return
    table = Table(title="Progress by topic", title_justify="left")
    for col, just in (("topic", "left"), ("answered", "right"), ("correct", "right"), ("skipped", "right"),
                      ("accuracy", "right"), ("median time", "right")):
        table.add_column(col, justify=just)
    for t in report["topics"]:
        table.add_row(escape(t["topic"]), fmt(t["answered"]), fmt(t["correct"]), fmt(t["skipped"]), _pct(t["accuracy"]),
                      _secs(t["median_seconds"]))
    table.add_row("[bold]all[/]", f"[bold]{fmt(total['answered'])}[/]", f"[bold]{fmt(total['correct'])}[/]", f"[bold]{fmt(total['skipped'])}[/]",
                  f"[bold]{_pct(total['accuracy'])}[/]", f"[bold]{_secs(total['median_seconds'])}[/]")
    console.print(table)
    modes = report.get("modes", {})
    if len(modes) > 1:  # quiz, review, interview, explain --try answers, apart
        parts = [f"{escape(m)} {t['correct']}/{t['answered']} ({_pct(t['accuracy'])})" for m, t in modes.items()]
        console.print(f"[bold]By mode:[/] {' · '.join(parts)}")

    if report["weakest"]:
        console.print(f"[bold]Weakest templates[/] [dim](last {RECENT} attempts each)[/]")
        for w in report["weakest"]:
            console.print(f"  • {escape(w['question_id'])}: {w['recent_correct']}/{w['recent']} correct")
            if w["mistake_count"] > 1:
                console.print(f"    [dim]most often: {escape(w['mistake'])} ({w['mistake_count']}×)[/]")
            elif w["mistake"]:
                console.print(f"    [dim]mistake: {escape(w['mistake'])}[/]")
        console.print("  [dim]drill quiz --weak drills these[/]")
    s = report["streak"]
    days = lambda n: f"{n} day{'s' * (n != 1)}"  # noqa: E731
    note = "" if s["today"] or not s["current"] else " [dim](practise today to keep it)[/]"
    console.print(f"[bold]Streak:[/] {days(s['current'])}{note} · longest {days(s['longest'])}")
    if report["trend"]:
        accs = " ".join(_pct(t["accuracy"]).replace(" ", "") for t in report["trend"])
        console.print(f"[bold]{_last(len(report['trend']))}:[/] {report['sparkline']}  [dim]{accs}[/]")
    r = report["review"]
    if r["due_now"]:
        console.print(f"[bold]Review:[/] {r['due_now']} of {r['cards']} templates due now — [bold]drill review[/]")
    elif r["next_due"]:
        from drill.store.scheduling import until

        wait = datetime.fromisoformat(r["next_due"]) - datetime.fromisoformat(report["generated"])
        console.print(f"[bold]Review:[/] nothing due yet; the next of {r['cards']} templates in {until(wait.total_seconds())}")
    console.print(f"[dim]{escape(db)}[/]", soft_wrap=True)


def _last(n: int) -> str:
    return "Last session" if n == 1 else f"Last {n} sessions"
