"""``drill check``: every question's solver against its key, over many random variants."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from drill.cli.console import EXIT_FAILED, console
from drill.cli.options import BankOption, QuestionOption, TopicOption
from drill.cli.selection import load, select


def check(
    variants: Annotated[int, typer.Option(min=0, help="Random variants per question, besides the canonical one.")] = 100,
    topic: TopicOption = None,
    question: QuestionOption = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes to use.")] = min(4, os.cpu_count() or 1),
    bank_dir: BankOption = None,
) -> None:
    """Prove every question's solver agrees with its answer key, over many random variants."""
    import time

    from drill.authoring.check import check_questions, control_failures, key_notes, problem_rows
    from drill.tui.bank_view import problem_table
    from drill.tui.text import plain

    bank = load(warn=False, banks=bank_dir, solvers=True)
    errors = list(bank.errors)
    if question:  # a question that failed to load is reported with its real problem, not as unknown
        errors, question = _unloaded(errors, question, bank)
        if not question and not topic:
            console().print(problem_table(problem_rows(errors, [])))
            raise typer.Exit(EXIT_FAILED)
    chosen = select(bank, topic, question) if (topic or question or bank.questions) else []
    start = time.perf_counter()
    failures = control_failures(bank, chosen) + check_questions(chosen, variants, workers)
    seconds = time.perf_counter() - start
    out = console()
    problems = problem_rows(errors, failures)
    for note in (n for q in chosen for n in key_notes(q)):
        out.print(plain(f"note: {note}"))
    if problems:
        out.print(problem_table(problems))
        raise typer.Exit(EXIT_FAILED)
    out.print(f"[green]ok[/]: {len(chosen)} question{'s' * (len(chosen) != 1)} × {variants + 1} variants checked in {seconds:.1f} s")


def _unloaded(errors, question, bank):
    """(the errors to report, the asked ids that loaded): asking for a broken question reports only its problems."""
    broken = {e.qid for e in errors if e.qid and e.qid not in bank.questions}
    asked = [q for q in question if q not in broken]
    if len(asked) < len(question):
        return [e for e in errors if e.qid in set(question) - set(asked)], asked
    return errors, question
