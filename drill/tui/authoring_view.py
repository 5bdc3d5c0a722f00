"""Rich rendering for ``drill solvers``. Renders; never computes."""

from __future__ import annotations

import json
from typing import Sequence

from rich.console import Console
from rich.text import Text

from drill.authoring.templates import SolverInfo


def _short(value: object, n: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= n else text[: n - 1] + "…"


def solver_list(console: Console, catalog: Sequence[SolverInfo]) -> None:
    """Each solver: what it computes, its declared params (kind, meaning, an example; ? = optional), who uses it."""
    console.print(f"[bold]{len(catalog)} solvers[/] [dim](declared params: kind — meaning, e.g. an example; ? = optional)[/]")
    for s in catalog:
        console.print(Text.assemble("\n", (s.name, "bold"), " ", (f"({s.module}, {', '.join(s.answer_types) or 'unused'})", "dim")))
        console.print(Text(f"  {s.doc}"))
        if not s.params:
            console.print("  [dim]declares no params[/]")
        for p in s.params:
            indent = "    " * p.name.count(".")
            console.print(Text.assemble(f"  {indent}• ", (p.name, "bold"), f"{'' if p.required else '?'}  ", (p.kind, "cyan"), f" — {p.meaning}  ",
                                        (f"e.g. {_short(p.example)}", "dim")))
        if s.questions:
            more = f" +{len(s.questions) - 4} more" if len(s.questions) > 4 else ""
            console.print(Text.assemble("  ", (f"used by {', '.join(s.questions[:4])}{more}", "dim")))
    console.print("\n[dim]Start a question from one: drill new MY-ID --solver NAME[/]")
