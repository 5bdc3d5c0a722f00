"""``drill explain``: a topic's walkthrough, then (``--try``) a few of its questions."""

from __future__ import annotations

import random
import sys
from typing import Annotated, Optional

import typer

from drill.cli.console import console, exit_if_stopped, fail, warner
from drill.cli.options import DbOption, complete_topics_and_ids, seed_option
from drill.cli.progress import open_store, saved_note
from drill.cli.selection import load, select
from drill.practice.replay import replay_line


def explain(
    topic: Annotated[Optional[str], typer.Argument(metavar="TOPIC", help="A topic (or a question id). Without one: list the topics.", autocompletion=complete_topics_and_ids)] = None,
    seed: Annotated[Optional[int], seed_option("Variant seed of the worked example (0 = the source's own numbers)")] = None,
    try_it: Annotated[bool, typer.Option("--try", help="Then answer a few questions on the topic.")] = False,
    no_save: Annotated[bool, typer.Option("--no-save", help="With --try: record nothing in the progress database.")] = False,
    db: DbOption = None,
) -> None:
    """Walk through a topic: what it is, its formulas, a worked example with fresh numbers, pictures, mistakes."""
    from drill.core.bank import SelectionError
    from drill.tui import explain_page as ex

    bank, out = load(), console()
    if topic is None:
        out.print(ex.render_list(bank))
        return
    from drill.core.variants import VariantError

    s = seed if seed is not None else random.randrange(1, 1_000_000)
    try:
        w = ex.build(bank, topic, s)
    except (SelectionError, VariantError) as exc:
        raise fail(str(exc)) from None
    ex.show(out, ex.render(w))
    if not try_it and sys.stdin.isatty() and out.is_terminal:
        from rich.prompt import Confirm

        try:
            try_it = Confirm.ask("Try a question on this topic now?", console=out, default=False)
        except (EOFError, KeyboardInterrupt):
            out.print()
    if try_it:
        _try(bank, out, w.topic, s, no_save, db)


def _try(bank, out, topic: str, s: int, no_save: bool, db) -> None:
    from drill.tui import quiz as quiz_mod
    from drill.tui import quiz_view as ui

    items = quiz_mod.plan(select(bank, [topic], None), 3, s)
    warn = warner()
    store = None if no_save else open_store(db)
    recorder = store.recorder("explain", s, warn) if store else None
    attempts, ended = quiz_mod.run(items, out, quiz_mod.line_reader(out), on_attempt=recorder, warn=warn,
                                   explanations=bank.explanations)
    ui.summary(out, attempts, replay_line("quiz", topics=[topic], n=3, seed=s))
    saved_note(out, recorder)
    exit_if_stopped(ended)
