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
    _progress_picture(console, report)
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


BAR_WIDTH = 20
SHADES = ((0, "·"), (1, "░"), (5, "▒"), (15, "▓"), (30, "█"))  # answers in a day → the calendar's cell


def _bar(share: float, width: int = BAR_WIDTH) -> str:
    full = round(share * width)
    return "█" * full + "░" * (width - full)


def _shade(n: int) -> str:
    return next(ch for low, ch in reversed(SHADES) if n >= low)


def _progress_picture(console, report: dict) -> None:
    """Mastery and readiness bars per topic, the practice calendar, accuracy per day as a plot."""
    from datetime import date, timedelta

    from rich.text import Text

    from drill.core.textsafe import visible

    rows = [{**r, "topic": visible(r["topic"])} for r in report.get("mastery") or []]  # stored text is shown, never interpreted
    if rows:
        name = max(len(r["topic"]) for r in rows)
        console.print("[bold]Mastery by topic[/] [dim](recent accuracy · ready: last 2 fresh variants right, no hint)[/]")
        for r in rows:
            line = Text(f"  {r['topic']:<{name}}  ")
            line.append(_bar(r["mastery"]), style="green")
            line.append(f" {100 * r['mastery']:3.0f} %   ready {r['ready']}/{r['templates']} ({100 * r['readiness']:.0f} %)")
            console.print(line)
    cal = report.get("calendar")
    if cal and any(cal["answered"]):
        start, weeks = date.fromisoformat(cal["start"]), cal["weeks"]
        today = date.fromisoformat(cal["today"])
        legend = "  ".join(f"{ch} {low}+" if low else f"{ch} none" for low, ch in SHADES)
        console.print(f"[bold]Practice calendar[/] [dim](last {weeks} weeks, answers a day: {legend})[/]")
        months = [" "] * (2 * weeks + 2)
        for w in range(weeks):  # a month's name over the week it starts in
            monday = start + timedelta(weeks=w)
            if monday.day <= 7 or w == 0:
                months[2 * w: 2 * w + 3] = monday.strftime("%b")
        console.print(Text("      " + "".join(months).rstrip(), style="dim"))
        for wd, label in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
            cells = []
            for w in range(weeks):
                i = 7 * w + wd
                cells.append(" " if start + timedelta(days=i) > today else _shade(cal["answered"][i]))
            console.print(Text(f"  {label} " + " ".join(cells)))
    daily = [d for d in report.get("daily") or [] if d["accuracy"] is not None]
    if len(daily) >= 2:
        console.print(_accuracy_plot(daily, min(console.width or 80, 100)))


def _accuracy_plot(daily: list[dict], width: int):
    """Accuracy per practice day (%), a plotext line plot rendered as rich Text."""
    from datetime import datetime

    import plotext as plt
    from rich.text import Text

    fig = plt.figure
    fig.clear()
    fig.theme("simple")
    fig.plot_size(max(40, width - 2), 12)
    fig.date().activate()
    xs = [datetime.fromisoformat(d["date"]) for d in daily]
    curve = fig.signal(xs, [100 * d["accuracy"] for d in daily])
    curve.lines()
    fig.draw(curve)
    fig.draw(fig.signal([xs[0], xs[0]], [0, 100], marker=" "))  # the y axis always spans 0–100 %
    fig.title("Accuracy per practice day, %")
    text = Text.from_ansi(fig.build().string())
    fig.clear()
    return text


def _last(n: int) -> str:
    return "Last session" if n == 1 else f"Last {n} sessions"
