"""``drill generate``: variants of a question with their answers."""

from __future__ import annotations

import random
from typing import Annotated, Optional

import typer

from drill.cli.console import console, fail
from drill.cli.options import BankOption, check_seed_span, complete_ids, count_option, seed_option
from drill.cli.selection import load, select


def generate(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="Question id (see 'drill list').", autocompletion=complete_ids)],
    seed: Annotated[Optional[int], seed_option("First variant seed (0 = the canonical params) [default: 0 for a question with no vary, else random]")] = None,
    count: Annotated[int, count_option("--count", "-k", help="How many variants (seeds S, S+1, …).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    bank: BankOption = None,
) -> None:
    """Print variants of a question with their answers (JSON lines for scripts)."""
    from drill.core.variants import VariantError, make_variant

    check_seed_span(seed, count, "-k")
    q = select(load(banks=bank, solvers=True), None, [question_id])[0]
    if seed is not None:
        start = seed
    elif not q.vary:  # a fixed question has one instance: its canonical params
        start = 0
    else:
        start = random.randrange(1, 1_000_000)
    out = console()
    for s in range(start, start + count):
        try:
            v = make_variant(q, s)
        except VariantError as exc:
            raise fail(str(exc)) from None
        if as_json:
            from drill.core.textsafe import write_json

            write_json(v.to_json())
        else:
            from drill.tui import quiz_view as ui
            from drill.tui.text import plain

            out.print(ui.question_panel(v, s - start + 1, count))
            out.print(plain("Answer: ", "bold") + plain(v.expected))
            out.print(ui.steps_text(v.steps))
