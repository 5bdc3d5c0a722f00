"""The bank as tables: ``drill list``'s questions by topic and ``drill check``'s problems. Renders; never computes."""

from __future__ import annotations

from drill.solvers._fmt import plural
from drill.tui.text import plain


def question_list(chosen):
    """One Text, each line cut with an ellipsis at the screen's edge (a rich Table of 150 rows costs
    more than the rest of the command: benchmarks/run.py)."""
    from rich.text import Text

    topics: dict[str, list] = {}
    for q in chosen:
        topics.setdefault(q.topic, []).append(q)
    widest = max((len(q.id) for q in chosen), default=2) + 2
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f"{len(chosen)} {plural(len(chosen), 'question')} in {len(topics)} {plural(len(topics), 'topic')}\n", style="bold")
    out.append(f"{'id':<{widest}}  level  title\n", style="dim")
    for name, qs in sorted(topics.items()):
        out.append(f"{name} ({len(qs)})\n", style="bold")
        for q in qs:
            out.append(f"  {q.id:<{widest - 2}}  {'★' * q.difficulty + '☆' * (3 - q.difficulty)}    {q.title}\n")
    out.rstrip()
    return out


def problem_table(problems):
    """Every problem in one table; bank text is shown as plain text, never as markup."""
    from rich.table import Table

    table = Table(title=f"{len(problems)} {plural(len(problems), 'problem')}", title_justify="left")
    for col in ("file:line", "question", "field", "seed", "what failed"):
        table.add_column(col, overflow="fold")
    for row in problems:
        table.add_row(*(plain(cell) for cell in row))
    return table
