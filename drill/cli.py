"""drill's command line: each command is a short function over the tested modules.

Heavy modules (numpy, the solvers, the bank) are imported inside the commands that need
them, so ``drill --help`` starts as fast as typer itself.
"""

from __future__ import annotations

import os
import random
import sys
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Practise the calculations deep-learning interviews ask: randomized, graded, explained.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

EXIT_FAILED = 1  # check found problems
EXIT_USAGE = 2  # bad input: unknown topic/question, broken bank file


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise."""
    from rich.markup import escape

    _console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


BankOption = Annotated[
    Optional[list[str]],
    typer.Option("--bank", metavar="DIR", help="Also load the question files in DIR (repeatable; DRILL_BANK=dir1:dir2 does the same)."),
]


def _load(warn: bool = True, banks: Optional[list[str]] = None, solvers: bool = False):
    """The built-in bank plus $DRILL_BANK and --bank dirs. solvers: also report unknown solver names
    (imports the solvers, so not for commands that must stay free of numpy)."""
    from rich.markup import escape

    from drill.bank import BankDirError, bank_dirs, load_bank

    try:
        dirs = bank_dirs(banks or ())
    except BankDirError as exc:
        raise fail(str(exc)) from None
    known = None
    if solvers:
        from solvers import all_solvers

        known = all_solvers()
    bank = load_bank(dirs, solvers=known)
    if warn:
        err = _console(stderr=True)
        for e in bank.errors:
            err.print(f"[yellow]warning:[/] skipped: {escape(str(e))}", soft_wrap=True)
    return bank


def _select(bank, topics, ids):
    from drill.bank import SelectionError, select

    try:
        chosen = select(bank, topics or (), ids or ())
    except SelectionError as exc:
        raise fail(str(exc)) from None
    if not chosen:
        raise fail("no questions to ask")
    return chosen


@app.command()
def quiz(
    topic: Annotated[Optional[list[str]], typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    question: Annotated[Optional[list[str]], typer.Option("--question", "-q", help="Only this question id (repeatable).")] = None,
    count: Annotated[Optional[int], typer.Option("--count", "-n", min=1, help="How many questions. [default: 10, or 1 per --question]")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Session seed; with --question, the variant seed to replay.")] = None,
    bank: BankOption = None,
) -> None:
    """Answer randomized questions, graded at once with the likely mistake and a worked solution."""
    from drill import quiz as quiz_mod
    from drill import ui

    console = _console()
    chosen = _select(_load(banks=bank, solvers=True), topic, question)
    n = count or (len(question) if question else 10)
    session_seed = seed if seed is not None else random.randrange(1, 1_000_000)
    items = quiz_mod.plan(chosen, n, session_seed, fixed_seeds=bool(question))
    label = f"variant seed {session_seed}" if question else f"session seed {session_seed}"
    console.print(f"[bold]drill quiz[/] · {len(items)} question{'s' * (len(items) != 1)} · {label}")
    warn = _console(stderr=True).print
    attempts, ended = quiz_mod.run(items, console, quiz_mod.line_reader(console), warn=warn)
    replay = " ".join(["drill quiz", *(f"-t {t}" for t in topic or ()), *(f"-q {q}" for q in question or ()), f"-n {n}", f"--seed {session_seed}"])
    ui.summary(console, attempts, replay)
    if ended == "interrupt":
        raise typer.Exit(130)


@app.command()
def generate(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="Question id (see 'drill list').")],
    seed: Annotated[Optional[int], typer.Option(help="First variant seed (0 = the canonical params).")] = None,
    count: Annotated[int, typer.Option("--count", "-k", min=1, help="How many variants (seeds S, S+1, …).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    bank: BankOption = None,
) -> None:
    """Print variants of a question with their answers (JSON lines for scripts)."""
    import json

    from drill.variants import VariantError, make_variant

    q = _select(_load(banks=bank, solvers=True), None, [question_id])[0]
    start = seed if seed is not None else random.randrange(1, 1_000_000)
    console = _console()
    for s in range(start, start + count):
        try:
            v = make_variant(q, s)
        except VariantError as exc:
            raise fail(str(exc)) from None
        if as_json:
            print(json.dumps(v.to_json(), ensure_ascii=False))
        else:
            from drill import ui

            console.print(ui.question_panel(v, s - start + 1, count))
            console.print(f"[bold]Answer:[/] {v.expected}")
            console.print(ui.steps_text(v.steps))


@app.command("list")
def list_questions(bank_dir: BankOption = None) -> None:
    """List topics and question ids with counts."""
    from rich.table import Table

    bank = _load(banks=bank_dir)
    table = Table(title=f"{len(bank.questions)} questions in {len(bank.topics())} topics", title_justify="left")
    table.add_column("topic")
    table.add_column("n", justify="right")
    table.add_column("questions")
    for topic, qs in sorted(bank.topics().items()):
        table.add_row(topic, str(len(qs)), ", ".join(q.id for q in qs))
    _console().print(table)


@app.command()
def check(
    variants: Annotated[int, typer.Option(min=0, help="Random variants per question, besides the canonical one.")] = 100,
    topic: Annotated[Optional[list[str]], typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    question: Annotated[Optional[list[str]], typer.Option("--question", "-q", help="Only this question (repeatable).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes to use.")] = min(4, os.cpu_count() or 1),
    bank_dir: BankOption = None,
) -> None:
    """Prove every question's solver agrees with its answer key, over many random variants."""
    import time

    from rich.table import Table

    from drill.checking import check_questions, problem_rows

    bank = _load(warn=False, banks=bank_dir, solvers=True)
    chosen = _select(bank, topic, question) if (topic or question or bank.questions) else []
    start = time.perf_counter()
    failures = check_questions(chosen, variants, workers)
    seconds = time.perf_counter() - start
    console = _console()
    problems = problem_rows(bank.errors, failures)
    if problems:
        table = Table(title=f"{len(problems)} problem(s)", title_justify="left")
        for col in ("file:line", "question", "field", "seed", "what failed"):
            table.add_column(col, overflow="fold")
        for row in problems:
            table.add_row(*row)
        console.print(table)
        raise typer.Exit(EXIT_FAILED)
    console.print(f"[green]ok[/]: {len(chosen)} questions × {variants + 1} variants checked in {seconds:.1f} s")


def main() -> None:
    """Console entry point: one-line errors, never a traceback (DRILL_DEBUG=1 shows it)."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show "·" or "✓" gets "?"
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
        if os.environ.get("DRILL_DEBUG"):
            raise
        print(f"drill: internal error: {type(exc).__name__}: {exc} (set DRILL_DEBUG=1 for details)", file=sys.stderr)
        sys.exit(70)
