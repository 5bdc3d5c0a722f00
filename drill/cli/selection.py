"""Loading the bank (built-in, $DRILL_BANK, --bank) and choosing questions from it, for the commands."""

from __future__ import annotations

from typing import Optional

from drill.cli.console import console, fail


def load(warn: bool = True, banks: Optional[list[str]] = None, solvers: bool = False):
    """The built-in bank plus $DRILL_BANK and --bank dirs. solvers: also report unknown solver names
    (imports the solvers, so not for commands that must stay free of numpy)."""
    from drill.core.bank import BankDirError, bank_dirs, load_bank
    from drill.tui.text import plain

    try:
        dirs = bank_dirs(banks or ())
    except BankDirError as exc:
        raise fail(str(exc)) from None
    known = None
    if solvers:
        from drill.solvers import all_solvers

        known = all_solvers()
    bank = load_bank(dirs, solvers=known)
    if warn:
        err = console(stderr=True)
        for e in bank.errors:
            err.print(plain("warning: ", "yellow") + plain(f"skipped: {e}"), soft_wrap=True)
    return bank


def select(bank, topics, ids):
    from drill.core.bank import SelectionError, select as select_questions

    try:
        chosen = select_questions(bank, topics or (), ids or ())
    except SelectionError as exc:
        raise fail(str(exc)) from None
    if not chosen:
        raise fail("no questions to ask")
    return chosen


def by_difficulty(chosen, difficulty):
    if not difficulty:
        return chosen
    kept = [q for q in chosen if q.difficulty in set(difficulty)]
    if not kept:
        raise fail(f"no questions of difficulty {', '.join(map(str, sorted(set(difficulty))))} in this selection")
    return kept
