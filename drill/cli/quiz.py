"""``drill quiz``: randomized questions, graded at once."""

from __future__ import annotations

import random
from typing import Annotated, Optional

import typer

from drill.cli.console import console, exit_if_stopped, warner
from drill.cli.options import (BankOption, DbOption, DifficultyOption, NoSaveOption, QuestionOption, TopicOption, check_seed_span,
                               count_option, seed_option)
from drill.cli.progress import open_store, saved_note
from drill.cli.selection import by_difficulty, load, select
from drill.practice.replay import replay_line


def quiz(
    topic: TopicOption = None,
    question: QuestionOption = None,
    count: Annotated[Optional[int], count_option("--count", "-n", help="How many questions. [default: 10, or 1 per --question]")] = None,
    seed: Annotated[Optional[int], seed_option("Session seed; with --question, the variant seed to replay")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Questions and feedback on stderr; the summary as one JSON object on stdout.")] = False,
    weak: Annotated[bool, typer.Option("--weak", help="Only the templates with the lowest recent accuracy.")] = False,
    missed: Annotated[bool, typer.Option("--missed", help="Exactly the variants you missed (wrong or skipped) in your last session.")] = False,
    difficulty: DifficultyOption = None,
    no_save: NoSaveOption = False,
    db: DbOption = None,
    bank: BankOption = None,
) -> None:
    """Answer randomized questions, graded at once with the likely mistake and a worked solution."""
    from drill.tui import quiz as quiz_mod
    from drill.tui import quiz_view as ui

    out = console(stderr=as_json)
    loaded = load(banks=bank, solvers=True)
    chosen = by_difficulty(select(loaded, topic, question), difficulty)
    store = None if no_save else open_store(db)
    if weak:  # the weak templates are an explicit list now: ask (and replay) them as -q would
        chosen = _weak(chosen, store or open_store(db, create=False))
        question, topic = [q.id for q in chosen], None
    items, n, session_seed, label = _items(chosen, question, count, seed, store, db, missed, topic)
    out.print(f"[bold]drill quiz[/] · {len(items)} question{'s' * (len(items) != 1)} · {label}")
    warn = warner()
    recorder = store.recorder("quiz", session_seed, warn) if store else None
    attempts, ended = quiz_mod.run(items, out, quiz_mod.line_reader(out), on_attempt=recorder, warn=warn,
                                   explanations=loaded.explanations)
    replay = _replay(items, bank, topic, question, difficulty, n, session_seed, missed)
    ui.summary(out, attempts, replay)
    saved_note(out, recorder)
    if as_json:
        from drill.core.textsafe import write_json
        from drill.practice.results import summary_json

        write_json(summary_json(attempts, seed=session_seed, ended=ended, replay=replay))
    exit_if_stopped(ended)


def _items(chosen, question, count, seed, store, db, missed, topic=None):
    """(the items to ask, how many, the session seed, the header's label)."""
    from drill.tui import quiz as quiz_mod

    n = count or (len(question) if question else 10)
    if question:
        check_seed_span(seed, n, "-n")
    session_seed = seed if seed is not None else random.randrange(1, 1_000_000)
    if missed:
        items = _missed(chosen, store or open_store(db, create=False))
        return items, len(items), session_seed, "the variants missed last session"
    items = quiz_mod.plan(chosen, n, session_seed, fixed_seeds=bool(question), by_topic=len(set(topic or ())) > 1)
    return items, n, session_seed, f"variant seed {session_seed}" if question else f"session seed {session_seed}"


def _replay(items, bank, topic, question, difficulty, n, session_seed, missed) -> str:
    if not missed:
        return replay_line("quiz", topics=topic, questions=question, banks=bank, difficulty=difficulty, n=n, seed=session_seed)
    # the missed variants each have their own seed: one replays as -q ID --seed S, several as --missed
    if len(items) == 1:
        return replay_line("quiz", questions=[items[0][0].id], banks=bank, seed=items[0][1])
    return replay_line("quiz", banks=bank, missed=True)


def _weak(chosen, store):
    """The chosen templates with the lowest recent accuracy (see drill.practice.stats.weakest)."""
    from drill.practice.stats import WEAKEST, weakest

    ids = {q.id: q for q in chosen}
    records = [r for r in store.attempts() if r.question_id in ids] if store else []
    weak = weakest(records, limit=WEAKEST)
    if not weak:
        msg = "every template you have practised is at 100 % recently" if records else "no answers recorded yet"
        console().print(f"Nothing weak to drill: {msg}. Try [bold]drill quiz[/] or [bold]drill review[/].")
        raise typer.Exit(0)
    return [ids[w["question_id"]] for w in weak]


def _missed(chosen, store):
    """(question, variant seed) of every answer not correct in the most recent session, in order."""
    from drill.practice.session import missed_last_session

    ids = {q.id: q for q in chosen}
    items = [(ids[qid], seed) for qid, seed in missed_last_session(store.attempts() if store else []) if qid in ids]
    if not items:
        msg = "nothing missed in your last session" if store and store.attempts() else "no answers recorded yet"
        console().print(f"Nothing to redo: {msg}. Try [bold]drill quiz[/] or [bold]drill review[/].")
        raise typer.Exit(0)
    return items
