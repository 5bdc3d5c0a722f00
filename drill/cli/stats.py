"""``drill stats``: accuracy, time, weakest templates, streak and trend; ``--reset`` clears the history."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from drill.cli.console import console, fail
from drill.cli.options import DbOption
from drill.cli.progress import open_store


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Delete all history (a backup is kept next to the database).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --reset: do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Accuracy and time per topic, weakest templates, streak and trend of your recorded answers."""
    from datetime import datetime

    from drill.practice import stats as stats_mod
    from drill.store.progress import default_path

    out = console()
    path = default_path(db)
    store = open_store(db, create=False)
    if reset:
        _reset(out, store, path, yes)
        return
    templates = None  # the bank's templates per topic, for mastery and readiness; a bad $DRILL_BANK only loses that
    if store:
        from drill.core.bank import BankDirError, bank_dirs, load_bank

        try:
            templates = {t: [q.id for q in qs] for t, qs in load_bank(bank_dirs(())).topics().items()}
        except BankDirError:
            pass
    report = stats_mod.compute(store.attempts() if store else [], datetime.now().astimezone(), store.cards() if store else [], templates)
    if as_json:
        from drill.core.textsafe import write_json

        write_json({"db": str(path), **report}, indent=2)
    else:
        from drill.tui.stats_view import render as render_stats

        render_stats(out, report, str(path))


def _reset(out, store, path, yes: bool) -> None:
    from drill.core.textsafe import visible
    from drill.tui.text import plain

    if store is None:
        out.print(plain(f"Nothing to reset: no database at {path}."), soft_wrap=True)
        return
    try:
        confirmed = yes or typer.confirm(visible(f"Delete all recorded answers in {path}? A backup is kept"), default=False)
    except typer.Abort:  # end of input or Ctrl-C at the question: nothing was said yes to
        print(file=sys.stderr)
        confirmed = False
    if not confirmed:
        raise fail("reset cancelled; nothing changed (--yes skips the question)", code=1)
    from drill.store.progress import StoreError

    try:
        backup = store.reset()
    except StoreError as exc:
        raise fail(f"reset: {exc}; nothing changed", code=1) from None
    out.print(plain(f"History cleared. The old database is backed up at {backup}"), soft_wrap=True)
