"""``drill interview``: a mock interview against the clock."""

from __future__ import annotations

import random
from typing import Annotated, Optional

import typer

from drill.cli.console import console, exit_if_stopped, warner
from drill.cli.options import (MAX_MINUTES, DbOption, DifficultyOption, NoSaveOption, TopicOption, count_option, finite_minutes,
                               seed_option)
from drill.cli.progress import open_store, saved_note
from drill.cli.selection import by_difficulty, load, select
from drill.practice.replay import replay_line


def interview(
    minutes: Annotated[float, typer.Option(min=1, max=MAX_MINUTES, callback=finite_minutes, help="Time limit; the interview stops at the first answer after it.")] = 20,
    topic: TopicOption = None,
    count: Annotated[Optional[int], count_option("--count", "-n", help="How many questions. [default: one per 2 minutes, at least 3]")] = None,
    seed: Annotated[Optional[int], seed_option("Interview seed (which questions, which variants)")] = None,
    difficulty: DifficultyOption = None,
    no_save: NoSaveOption = False,
    db: DbOption = None,
) -> None:
    """A mock interview: mixed topics of rising difficulty against the clock; feedback only at the end."""
    from drill.practice import interview as iv
    from drill.solvers._fmt import plural
    from drill.tui import interview as iv_run
    from drill.tui import interview_view as interview_ui
    from drill.tui.quiz import line_reader

    chosen = by_difficulty(select(load(), topic, None), difficulty)
    session_seed = seed if seed is not None else random.randrange(1, 1_000_000)
    n = count or iv.default_count(minutes)
    out = console()
    out.print(f"[bold]drill interview[/] · {n} {plural(n, 'question')} · {minutes:g} {plural(minutes, 'minute')} · seed {session_seed} · no feedback until the end")
    warn = warner()
    store = None if no_save else open_store(db)
    recorder = store.recorder("interview", session_seed, warn) if store else None
    outcome = iv_run.run(iv.plan(chosen, n, session_seed), out, line_reader(out), minutes * 60, warn=warn, on_attempt=recorder)
    replay = replay_line("interview", lead={"minutes": float(minutes)}, topics=topic, difficulty=difficulty, n=n, seed=session_seed)
    interview_ui.report(out, outcome, replay)
    saved_note(out, recorder)
    exit_if_stopped(outcome.ended)
