"""Options shared by several commands, their bounds, and shell completion of topics and question ids."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from drill.cli.console import fail

MAX_SEED = 2**31 - 1  # seeds are whole numbers 0..MAX_SEED (they are stored in SQLite and replayed)
MAX_COUNT = 1000  # questions in one quiz or interview, variants per question in an export: more is a typo, not a session
MAX_MINUTES = 24 * 60  # an interview's time limit
DB_HELP = "Progress database file. [default: $DRILL_HOME/progress.db, else the user data directory]"


# -- completion: the values a user types most (topics and question ids, including --bank banks) --


def _completion_bank(ctx: typer.Context):
    from drill.core.bank import BankDirError, bank_dirs, load_bank

    banks = list((ctx.params.get("bank") or ctx.params.get("bank_dir") or []))
    try:
        return load_bank(bank_dirs(banks))
    except BankDirError:
        return load_bank(bank_dirs(()))


def complete_topics(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        return sorted(t for t in _completion_bank(ctx).topics() if t.startswith(incomplete))
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the shell
        return []


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        return sorted(q for q in _completion_bank(ctx).questions if q.startswith(incomplete))
    except Exception:  # noqa: BLE001
        return []


def complete_topics_and_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    return complete_topics(ctx, incomplete) + complete_ids(ctx, incomplete)


def seed_option(help: str):
    return typer.Option(min=0, max=MAX_SEED, help=f"{help} (0 to {MAX_SEED:,}).")


def count_option(*names: str, help: str):
    return typer.Option(*names, min=1, max=MAX_COUNT, help=help)


def check_seed_span(seed: int | None, count: int, flag: str) -> None:
    """Variants seed, seed+1, …, seed+count−1 must all be valid seeds, so that each one can be replayed."""
    if seed is not None and seed + count - 1 > MAX_SEED:
        raise fail(f"--seed {seed} with {flag} {count} goes past the largest seed {MAX_SEED}: "
                   f"use --seed {MAX_SEED - count + 1} or less")


def finite_minutes(value: float) -> float:
    import math

    if not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number of minutes")
    return value


TopicOption = Annotated[
    Optional[list[str]], typer.Option("--topic", "-t", help="Only this topic (repeatable).", autocompletion=complete_topics)
]
QuestionOption = Annotated[
    Optional[list[str]], typer.Option("--question", "-q", help="Only this question id (repeatable).", autocompletion=complete_ids)
]
BankOption = Annotated[
    Optional[list[str]],
    typer.Option("--bank", metavar="DIR", help="Also load the question files in DIR (repeatable; DRILL_BANK=dir1:dir2 does the same)."),
]
DifficultyOption = Annotated[
    Optional[list[int]],
    typer.Option("--difficulty", "-d", min=1, max=3, help="Only questions of this difficulty, 1 (easy) to 3 (hard); repeatable."),
]
DbOption = Annotated[Optional[str], typer.Option(help=DB_HELP)]
NoSaveOption = Annotated[bool, typer.Option("--no-save", help="Record nothing in the progress database.")]
