"""``drill review``: the templates due for spaced review."""

from __future__ import annotations

import random
from typing import Annotated

from drill.cli.console import console, exit_if_stopped, warner
from drill.cli.options import DbOption, count_option
from drill.cli.progress import open_store, saved_note
from drill.cli.selection import load
from drill.practice.replay import replay_line


def review(
    count: Annotated[int, count_option("--count", "-n", help="At most this many due templates.")] = 10,
    db: DbOption = None,
) -> None:
    """Ask the templates due for spaced review (FSRS), most overdue first, each as a fresh variant."""
    import time

    from drill.practice.scheduling import next_due, review_cards
    from drill.tui import quiz as quiz_mod
    from drill.tui import quiz_view as ui

    out = console()
    store = open_store(db, create=False)
    bank = load()
    now = time.time()
    due, cards = review_cards(store.cards() if store else [], bank.questions, count, now)
    if not due:
        if not cards:
            out.print("Nothing to review yet: answers you give in [bold]drill quiz[/] schedule their templates for review.")
        else:
            out.print(f"Nothing is due for review. Next: {next_due(cards, now)}.", soft_wrap=True)
        return
    seed = random.randrange(1, 1_000_000)
    items = quiz_mod.plan([bank.questions[qid] for qid, _, _ in due], len(due), seed, fixed_seeds=True)
    out.print(f"[bold]drill review[/] · {len(items)} due template{'s' * (len(items) != 1)}, most overdue first · variant seed {seed}")
    warn = warner()
    recorder = store.recorder("review", seed, warn)
    attempts, ended = quiz_mod.run(items, out, quiz_mod.line_reader(out), on_attempt=recorder, warn=warn,
                                   explanations=bank.explanations)
    replay = replay_line("quiz", questions=[q.id for q, _ in items], seed=seed)
    ui.summary(out, attempts, replay)
    saved_note(out, recorder)
    exit_if_stopped(ended)
