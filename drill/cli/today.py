"""``drill today``: one session of about ``--minutes`` — due reviews, then weak spots, then new topics.

The plan is :func:`drill.practice.today.plan_today`; the answers are saved like a quiz's, with the
mode ``today`` (``drill stats`` shows it apart under "By mode").
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Annotated, Optional

import typer

from drill.cli.console import console as _console, exit_if_stopped as _exit_if_stopped, warner as _warner
from drill.cli.options import DB_HELP, MAX_MINUTES, TopicOption, check_seed_span as _check_seed_span, finite_minutes as _finite_minutes
from drill.cli.options import seed_option as _seed_option
from drill.cli.progress import open_store as _open_store, saved_note as _saved_note
from drill.cli.selection import load as _load, select as _select
from drill.practice.replay import replay_line


def _end_of_today() -> float:
    """Midnight at the end of the local day, as Unix seconds: a card due by then is due today."""
    now = datetime.now().astimezone()
    return (now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)).timestamp()


def today(
    minutes: Annotated[float, typer.Option(min=1, max=MAX_MINUTES, callback=_finite_minutes, help="About how long the session should take.")] = 15,
    topic: TopicOption = None,
    seed: Annotated[Optional[int], _seed_option("Variant seed of the first question (then +1 each)")] = None,
    db: Annotated[Optional[str], typer.Option(help=DB_HELP)] = None,
) -> None:
    """Today's practice: due reviews first, then your weakest templates, then new topics, interleaved."""
    from drill.practice.today import next_due_line, plan_today
    from drill.tui import quiz as quiz_mod
    from drill.tui import quiz_view as ui

    console = _console()
    bank = _load(solvers=True)
    chosen = _select(bank, topic, None)
    store = _open_store(db)
    session_seed = seed if seed is not None else random.randrange(1, 1_000_000)
    now = time.time()
    plan = plan_today(chosen, store.attempts(), store.cards(), now, minutes, session_seed, due_by=_end_of_today())
    if not plan.items:
        console.print("Nothing due, weak or new in this selection. " + next_due_line(store.cards(), now), soft_wrap=True)
        return
    _check_seed_span(seed, len(plan.items), "the session's length")
    parts = {r: sum(i.reason == r for i in plan.items) for r in ("due", "weak", "new")}
    pace = "your median" if plan.own_pace else "a first guess"
    console.print(f"[bold]drill today[/] · {len(plan.items)} questions · about {minutes:g} min at {plan.seconds_each:.0f} s each ({pace})"
                  f" · {parts['due']} due, {parts['weak']} weak, {parts['new']} new · variant seed {session_seed}")
    items = [(i.question, i.seed) for i in plan.items]
    warn = _warner()
    recorder = store.recorder("today", session_seed, warn)
    attempts, ended = quiz_mod.run(items, console, quiz_mod.line_reader(console), on_attempt=recorder, warn=warn,
                                   explanations=bank.explanations)
    ui.summary(console, attempts, replay_line("quiz", questions=[q.id for q, _ in items], seed=session_seed))
    _saved_note(console, recorder)
    console.print(next_due_line(store.cards(), time.time()), markup=False, soft_wrap=True)
    _exit_if_stopped(ended)
