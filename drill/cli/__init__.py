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
from typer.core import TyperGroup

from drill.core.paths import HomeError

EXIT_FAILED = 1  # check found problems
EXIT_USAGE = 2  # bad input: unknown topic/question, broken bank file
MAX_SEED = 2**31 - 1  # seeds are whole numbers 0..MAX_SEED (they are stored in SQLite and replayed)
MAX_COUNT = 1000  # questions in one quiz or interview, variants per question in an export: more is a typo, not a session
MAX_MINUTES = 24 * 60  # an interview's time limit

_no_color = False  # set by --no-color (anywhere on the line); NO_COLOR in the environment works too (rich reads it)

# click's exception classes, found through typer's public BadParameter (typer vendors click in some
# releases and depends on it in others): BadParameter -> UsageError -> ClickException
_CLICK_ERRORS = {c.__name__: c for c in typer.BadParameter.__mro__}
UsageError, ClickException = _CLICK_ERRORS["UsageError"], _CLICK_ERRORS["ClickException"]


class DrillGroup(TyperGroup):
    """The root command: every error is one line, and the conventions of a well-behaved tool hold.

    * ``--no-color`` is accepted before or after the command (it is taken out before parsing);
    * a usage error (bad option, out-of-range value) is one line on stderr, exit 2, never click's box;
    * output cut off by a closed pipe (``drill generate … | head``) ends quietly with exit 0.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        global _no_color
        args = list(sys.argv[1:] if args is None else args)
        _no_color = "--no-color" in args[: args.index("--") if "--" in args else len(args)]
        if _no_color:
            args = [a for a in args if a != "--no-color"]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None) is not None:
                print(exc.ctx.get_help())  # bare 'drill' (or 'drill export') asks what there is: the help, not an error
                sys.exit(0)
            where = exc.ctx.command_path if getattr(exc, "ctx", None) is not None else "drill"
            _print_error(f"{exc.format_message()} (see '{where} -h')")
            sys.exit(EXIT_USAGE)
        except ClickException as exc:
            _print_error(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            sys.exit(1)
        except HomeError as exc:
            _print_error(str(exc))
            sys.exit(EXIT_USAGE)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt as exc:  # typer would call every stop 130; SIGTERM is 143, SIGHUP 129
            raise typer.Exit(_stop_code(exc)) from None


def _stop_code(exc: KeyboardInterrupt) -> int:
    """The exit status of a stop signal that ended a command outside a session's own handling."""
    from drill.practice.session import EXIT_CODES

    return EXIT_CODES.get(getattr(exc, "ended", "interrupt"), 130)


def _print_error(message: str) -> None:
    try:
        _console(stderr=True).print(_error_text(message), soft_wrap=True)
    except BrokenPipeError:
        pass


def _error_text(message: str):
    from rich.text import Text

    from drill.core.textsafe import visible

    return Text.assemble(("error:", "bold red"), " ", visible(message))


def _quiet_broken_pipe() -> None:
    """The reader went away (``| head``, quitting ``less``): that is not a failure. Point stdout at
    /dev/null so the interpreter's final flush cannot complain, and exit 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(0)


app = typer.Typer(
    cls=DrillGroup,
    help="Practise the calculations deep-learning interviews ask: randomized, graded, explained. "
    "--no-color (anywhere on the line) or NO_COLOR=1 gives plain output.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich costs ~50 ms of imports (benchmarks/run.py)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def version() -> str:
    """The installed distribution's version (drill's own when run from a source tree)."""
    from importlib.metadata import PackageNotFoundError, version as dist_version

    try:
        return dist_version("dl-drill")
    except PackageNotFoundError:
        from drill import __version__

        return __version__



def _show_version(value: bool) -> None:
    if value:
        print(f"drill {version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    no_color: Annotated[bool, typer.Option("--no-color", help="Plain text without colours (also accepted after the command; NO_COLOR=1 does the same).")] = False,
    show_version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_show_version, help="Print drill's version and exit.")] = False,
) -> None:
    global _no_color
    _no_color = _no_color or no_color


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


def _seed_option(help: str):
    return typer.Option(min=0, max=MAX_SEED, help=f"{help} (0 to {MAX_SEED:,}).")


def _count_option(*names: str, help: str):
    return typer.Option(*names, min=1, max=MAX_COUNT, help=help)


def _check_seed_span(seed: int | None, count: int, flag: str) -> None:
    """Variants seed, seed+1, …, seed+count−1 must all be valid seeds, so that each one can be replayed."""
    if seed is not None and seed + count - 1 > MAX_SEED:
        raise fail(f"--seed {seed} with {flag} {count} goes past the largest seed {MAX_SEED}: "
                   f"use --seed {MAX_SEED - count + 1} or less")


def _finite_minutes(value: float) -> float:
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


def replay_line(command: str, *, lead: dict | None = None, topics=(), questions=(), banks=(), **options) -> str:
    """The command line that reproduces a session exactly: every option that shaped it, in one place.
    ``lead`` options come before the -t/-q selection, ``options`` after it; keys are long option
    names (``minutes``, ``seed``; ``n`` is ``-n``); None and False are left out, True is a flag."""
    import shlex

    def flags(opts: dict) -> list[str]:
        out = []
        for name, value in opts.items():
            flag = "-n" if name == "n" else "--" + name.replace("_", "-")
            for v in value if isinstance(value, (list, tuple)) else [value]:  # a repeatable option: once per value
                if v is None or v is False:
                    continue
                text = format(v, "g") if isinstance(v, float) else str(v)
                out.append(flag if v is True else f"{flag} {shlex.quote(text)}")
        return out

    parts = [f"drill {command}", *(f"--bank {shlex.quote(b)}" for b in banks or ()), *flags(lead or {})]
    parts += [f"-t {shlex.quote(t)}" for t in topics or ()]
    parts += [f"-q {shlex.quote(q)}" for q in questions or ()]
    return " ".join(parts + flags(options))


def _console(stderr: bool = False):
    from rich.console import Console

    class DrillConsole(Console):
        def on_broken_pipe(self) -> None:  # rich's default exits 1; a closed reader is not a failure
            _quiet_broken_pipe()

    return DrillConsole(stderr=stderr, highlight=False, no_color=True if _no_color else None, width=_width(stderr))


def _width(stderr: bool = False) -> int | None:
    """None (rich reads the terminal or $COLUMNS); for a $COLUMNS that is not a positive width (0 is
    set by some shells and CI runners, and makes rich render nothing, prompts included), the
    terminal's own width, else 80."""
    cols = os.environ.get("COLUMNS")
    if cols is None or (cols.strip().isdigit() and int(cols) > 0):
        return None
    try:
        return os.get_terminal_size((sys.stderr if stderr else sys.stdout).fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error to stderr and return the Exit to raise (the message shown as plain text)."""
    _print_error(message)
    return typer.Exit(code)


def _warner():
    """``warn`` for the quiz and the store: one plain-text line on stderr, never parsed as markup."""
    from drill.tui.text import plain

    err = _console(stderr=True)
    return lambda message: err.print(plain("warning: ", "yellow") + plain(str(message)), soft_wrap=True)


BankOption = Annotated[
    Optional[list[str]],
    typer.Option("--bank", metavar="DIR", help="Also load the question files in DIR (repeatable; DRILL_BANK=dir1:dir2 does the same)."),
]


def _load(warn: bool = True, banks: Optional[list[str]] = None, solvers: bool = False):
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
        err = _console(stderr=True)
        for e in bank.errors:
            err.print(plain("warning: ", "yellow") + plain(f"skipped: {e}"), soft_wrap=True)
    return bank


def _select(bank, topics, ids):
    from drill.core.bank import SelectionError, select

    try:
        chosen = select(bank, topics or (), ids or ())
    except SelectionError as exc:
        raise fail(str(exc)) from None
    if not chosen:
        raise fail("no questions to ask")
    return chosen


DB_HELP = "Progress database file. [default: $DRILL_HOME/progress.db, else the user data directory]"


def _open_store(db: str | None, create: bool = True):
    """The progress database, or None (create=False and no file yet); a moved-aside file is one line."""
    from drill.store.progress import StoreError, default_path, open_store
    from drill.tui.text import plain

    path = default_path(db)
    if db is not None and create and not path.parent.is_dir():
        raise fail(f"progress database {db}: the directory {path.parent} does not exist (create it first, or leave out --db)")
    if db is not None:
        _not_someone_elses_file(db, path)
    try:
        store = open_store(path, create=create)
    except StoreError as exc:
        raise fail(f"progress database: {exc} (drill quiz --no-save runs without one)") from None
    if store is not None and store.recovered:
        r = store.recovered
        _console(stderr=True).print(plain("error: ", "bold red") + plain(
            f"{path} is damaged or not drill's ({r.reason}); moved it to {r.moved_to} and started a fresh database"
            + (f", copying over {r.salvaged}." if getattr(r, "salvaged", "") else ".")), soft_wrap=True)
    return store


def _not_someone_elses_file(db: str, path) -> None:
    """A --db the user typed that names an existing file which is not a SQLite database (a typo such
    as --db notes.txt) is refused and left alone: only drill's own default database is ever moved
    aside as damaged."""
    if not path.exists():
        return
    if not path.is_file():
        raise fail(f"progress database {db}: {path} is not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise fail(f"progress database {db}: cannot read {path} ({exc.strerror or exc})") from None
    if head and head != b"SQLite format 3\x00":
        raise fail(f"progress database {db}: {path} is not a SQLite database; drill leaves it alone (give another --db)")
    if head and _foreign_sqlite(path):
        raise fail(f"progress database {db}: {path} is another program's SQLite database; drill leaves it alone (give another --db)")


def _foreign_sqlite(path) -> bool:
    """True for a readable SQLite file that has tables and is not drill's (its application_id says
    so); a damaged or unreadable one is not judged here: the store moves it aside and salvages."""
    import sqlite3

    from drill.store.progress import APPLICATION_ID

    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=1)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError, OverflowError):  # UnicodeDecodeError too: a damaged schema's error text
        return False
    return app_id != APPLICATION_ID and tables > 0


def _weak(chosen, store):
    """The chosen templates with the lowest recent accuracy (see drill.practice.stats.weakest)."""
    from drill.practice.stats import WEAKEST, weakest

    ids = {q.id: q for q in chosen}
    records = [r for r in store.attempts() if r.question_id in ids] if store else []
    weak = weakest(records, limit=WEAKEST)
    if not weak:
        msg = "every template you have practised is at 100 % recently" if records else "no answers recorded yet"
        _console().print(f"Nothing weak to drill: {msg}. Try [bold]drill quiz[/] or [bold]drill review[/].")
        raise typer.Exit(0)
    return [ids[w["question_id"]] for w in weak]


DifficultyOption = Annotated[
    Optional[list[int]],
    typer.Option("--difficulty", "-d", min=1, max=3, help="Only questions of this difficulty, 1 (easy) to 3 (hard); repeatable."),
]


def _by_difficulty(chosen, difficulty):
    if not difficulty:
        return chosen
    kept = [q for q in chosen if q.difficulty in set(difficulty)]
    if not kept:
        raise fail(f"no questions of difficulty {', '.join(map(str, sorted(set(difficulty))))} in this selection")
    return kept


def _missed(chosen, store):
    """(question, variant seed) of every answer not correct in the most recent session, in order."""
    from drill.practice.session import missed_last_session

    ids = {q.id: q for q in chosen}
    items = [(ids[qid], seed) for qid, seed in missed_last_session(store.attempts() if store else []) if qid in ids]
    if not items:
        msg = "nothing missed in your last session" if store and store.attempts() else "no answers recorded yet"
        _console().print(f"Nothing to redo: {msg}. Try [bold]drill quiz[/] or [bold]drill review[/].")
        raise typer.Exit(0)
    return items


def _saved_note(console, recorder) -> None:
    if recorder is not None:
        recorder.flush()  # answers a full disk held back: written now if space has returned
    if recorder is not None and recorder.saved:
        from drill.tui.text import plain

        console.print(plain(f"Saved {recorder.saved} answer{'s' * (recorder.saved != 1)} to {recorder.store.path} · drill stats · drill review", "dim"), soft_wrap=True)
    unsaved = getattr(recorder, "unsaved", 0) if recorder is not None else 0
    if unsaved:
        from drill.tui.text import plain

        _console(stderr=True).print(plain(f"warning: {unsaved} answer{'s' * (unsaved != 1)} could not be saved to {recorder.store.path} "
                                          "(the disk is full or read-only): they were graded but are not in your history.", "yellow"), soft_wrap=True)


@app.command()
def quiz(
    topic: TopicOption = None,
    question: QuestionOption = None,
    count: Annotated[Optional[int], _count_option("--count", "-n", help="How many questions. [default: 10, or 1 per --question]")] = None,
    seed: Annotated[Optional[int], _seed_option("Session seed; with --question, the variant seed to replay")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Questions and feedback on stderr; the summary as one JSON object on stdout.")] = False,
    weak: Annotated[bool, typer.Option("--weak", help="Only the templates with the lowest recent accuracy.")] = False,
    missed: Annotated[bool, typer.Option("--missed", help="Exactly the variants you missed (wrong or skipped) in your last session.")] = False,
    difficulty: DifficultyOption = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Record nothing in the progress database.")] = False,
    db: Annotated[Optional[str], typer.Option(help=DB_HELP)] = None,
    bank: BankOption = None,
) -> None:
    """Answer randomized questions, graded at once with the likely mistake and a worked solution."""
    from drill.tui import quiz as quiz_mod
    from drill.tui import quiz_view as ui

    console = _console(stderr=as_json)
    loaded = _load(banks=bank, solvers=True)
    chosen = _select(loaded, topic, question)
    chosen = _by_difficulty(chosen, difficulty)
    store = None if no_save else _open_store(db)
    if weak:
        chosen = _weak(chosen, store or _open_store(db, create=False))
    if weak:  # the weak templates are an explicit list now: ask (and replay) them as -q would
        question, topic = [q.id for q in chosen], None
    n = count or (len(question) if question else 10)
    if question:
        _check_seed_span(seed, n, "-n")
    session_seed = seed if seed is not None else random.randrange(1, 1_000_000)
    if missed:
        items = _missed(chosen, store or _open_store(db, create=False))
        n = len(items)
        label = "the variants missed last session"
    else:
        items = quiz_mod.plan(chosen, n, session_seed, fixed_seeds=bool(question))
        label = f"variant seed {session_seed}" if question else f"session seed {session_seed}"
    console.print(f"[bold]drill quiz[/] · {len(items)} question{'s' * (len(items) != 1)} · {label}")
    warn = _warner()
    recorder = store.recorder("quiz", session_seed, warn) if store else None
    attempts, ended = quiz_mod.run(items, console, quiz_mod.line_reader(console), on_attempt=recorder, warn=warn,
                                   explanations=loaded.explanations)
    if missed:  # the missed variants each have their own seed: one replays as -q ID --seed S, several as --missed
        replay = (replay_line("quiz", questions=[items[0][0].id], banks=bank, seed=items[0][1]) if len(items) == 1
                  else replay_line("quiz", banks=bank, missed=True))
    else:
        replay = replay_line("quiz", topics=topic, questions=question, banks=bank, difficulty=difficulty, n=n, seed=session_seed)
    ui.summary(console, attempts, replay)
    _saved_note(console, recorder)
    if as_json:
        _print_summary_json(attempts, session_seed, ended, replay)
    _exit_if_stopped(ended)


def _exit_if_stopped(ended: str) -> None:
    """Exit 130 / 143 / 129 after the summary when SIGINT / SIGTERM / SIGHUP ended the session."""
    from drill.practice.session import EXIT_CODES

    if ended in EXIT_CODES:
        raise typer.Exit(EXIT_CODES[ended])


def _print_summary_json(attempts, seed: int, ended: str, replay: str) -> None:
    from drill.practice.results import summary_json
    from drill.core.textsafe import write_json

    write_json(summary_json(attempts, seed=seed, ended=ended, replay=replay))


@app.command()
def review(
    count: Annotated[int, _count_option("--count", "-n", help="At most this many due templates.")] = 10,
    db: Annotated[Optional[str], typer.Option(help=DB_HELP)] = None,
) -> None:
    """Ask the templates due for spaced review (FSRS), most overdue first, each as a fresh variant."""
    import time

    from drill.tui import quiz as quiz_mod
    from drill.tui import quiz_view as ui
    from drill.store.scheduling import until

    console = _console()
    store = _open_store(db, create=False)
    bank = _load()
    cards = [c for c in store.cards() if c[0] in bank.questions] if store else []  # soonest due first
    now = time.time()
    due = [c for c in cards if c[1] <= now][:count]
    if not due:
        if not cards:
            console.print("Nothing to review yet: answers you give in [bold]drill quiz[/] schedule their templates for review.")
        else:
            nxt = ", ".join(f"{qid} in {until(when - now)}" for qid, when, _ in cards[:3])
            console.print(f"Nothing is due for review. Next: {nxt}.", soft_wrap=True)
        return
    seed = random.randrange(1, 1_000_000)
    items = quiz_mod.plan([bank.questions[qid] for qid, _, _ in due], len(due), seed, fixed_seeds=True)
    console.print(f"[bold]drill review[/] · {len(items)} due template{'s' * (len(items) != 1)}, most overdue first · variant seed {seed}")
    warn = _warner()
    recorder = store.recorder("review", seed, warn)
    attempts, ended = quiz_mod.run(items, console, quiz_mod.line_reader(console), on_attempt=recorder, warn=warn,
                                   explanations=bank.explanations)
    replay = replay_line("quiz", questions=[q.id for q, _ in items], seed=seed)
    ui.summary(console, attempts, replay)
    _saved_note(console, recorder)
    _exit_if_stopped(ended)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Delete all history (a backup is kept next to the database).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --reset: do not ask for confirmation.")] = False,
    db: Annotated[Optional[str], typer.Option(help=DB_HELP)] = None,
) -> None:
    """Accuracy and time per topic, weakest templates, streak and trend of your recorded answers."""
    import json
    from datetime import datetime

    from drill.core.textsafe import visible
    from drill.practice import stats as stats_mod
    from drill.store.progress import default_path
    from drill.tui.text import plain

    console = _console()
    path = default_path(db)
    store = _open_store(db, create=False)
    if reset:
        if store is None:
            console.print(plain(f"Nothing to reset: no database at {path}."), soft_wrap=True)
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
        console.print(plain(f"History cleared. The old database is backed up at {backup}"), soft_wrap=True)
        return
    report = stats_mod.compute(store.attempts() if store else [], datetime.now().astimezone(), store.cards() if store else [])
    if as_json:
        from drill.core.textsafe import write_json

        write_json({"db": str(path), **report}, indent=2)
    else:
        from drill.tui.stats_view import render as render_stats

        render_stats(console, report, str(path))


@app.command()
def generate(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="Question id (see 'drill list').", autocompletion=complete_ids)],
    seed: Annotated[Optional[int], _seed_option("First variant seed (0 = the canonical params) [default: 0 for a question with no vary, else random]")] = None,
    count: Annotated[int, _count_option("--count", "-k", help="How many variants (seeds S, S+1, …).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    bank: BankOption = None,
) -> None:
    """Print variants of a question with their answers (JSON lines for scripts)."""
    from drill.core.variants import VariantError, make_variant

    _check_seed_span(seed, count, "-k")
    q = _select(_load(banks=bank, solvers=True), None, [question_id])[0]
    if seed is not None:
        start = seed
    elif not q.vary:  # a fixed question has one instance: its canonical params
        start = 0
    else:
        start = random.randrange(1, 1_000_000)
    console = _console()
    for s in range(start, start + count):
        try:
            v = make_variant(q, s)
        except VariantError as exc:
            raise fail(str(exc)) from None
        if as_json:
            from drill.core.textsafe import write_json

            write_json(v.to_json())
        else:
            from drill.tui import quiz_view as ui
            from drill.tui.text import plain

            console.print(ui.question_panel(v, s - start + 1, count))
            console.print(plain("Answer: ", "bold") + plain(v.expected))
            console.print(ui.steps_text(v.steps))


@app.command("list")
def list_questions(
    bank_dir: BankOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question.")] = False,
    topic: TopicOption = None,
    difficulty: DifficultyOption = None,
) -> None:
    """List the questions: id, difficulty and title, by topic."""
    bank = _load(banks=bank_dir)
    chosen = _by_difficulty(_select(bank, topic, None), difficulty) if (topic or difficulty) else list(bank.questions.values())
    if as_json:
        _print_questions_json(chosen)
        return
    from rich.text import Text

    topics: dict[str, list] = {}
    for q in chosen:
        topics.setdefault(q.topic, []).append(q)
    # one Text, each line cut with an ellipsis at the screen's edge (a rich Table of 150 rows costs
    # more than the rest of the command: benchmarks/run.py)
    widest = max((len(q.id) for q in chosen), default=2) + 2
    out = Text(no_wrap=True, overflow="ellipsis")
    from drill.solvers._fmt import plural

    out.append(f"{len(chosen)} {plural(len(chosen), 'question')} in {len(topics)} {plural(len(topics), 'topic')}\n", style="bold")
    out.append(f"{'id':<{widest}}  level  title\n", style="dim")
    for name, qs in sorted(topics.items()):
        out.append(f"{name} ({len(qs)})\n", style="bold")
        for q in qs:
            out.append(f"  {q.id:<{widest - 2}}  {'★' * q.difficulty + '☆' * (3 - q.difficulty)}    {q.title}\n")
    out.rstrip()
    _console().print(out, no_wrap=True, overflow="ellipsis", crop=True)


def _print_questions_json(questions) -> None:
    from drill.core.textsafe import write_json

    for q in questions:
        write_json({"id": q.id, "topic": q.topic, "title": q.title, "difficulty": q.difficulty, "answer_type": q.answer_type, "solver": q.solver, "file": q.file})


@app.command()
def explain(
    topic: Annotated[Optional[str], typer.Argument(metavar="TOPIC", help="A topic (or a question id). Without one: list the topics.", autocompletion=complete_topics_and_ids)] = None,
    seed: Annotated[Optional[int], _seed_option("Variant seed of the worked example (0 = the source's own numbers)")] = None,
    try_it: Annotated[bool, typer.Option("--try", help="Then answer a few questions on the topic.")] = False,
    no_save: Annotated[bool, typer.Option("--no-save", help="With --try: record nothing in the progress database.")] = False,
    db: Annotated[Optional[str], typer.Option(help=DB_HELP)] = None,
) -> None:
    """Walk through a topic: what it is, its formulas, a worked example with fresh numbers, pictures, mistakes."""
    from drill.tui import explain_page as ex
    from drill.core.bank import SelectionError

    bank, console = _load(), _console()
    if topic is None:
        console.print(ex.render_list(bank))
        return
    from drill.core.variants import VariantError

    s = seed if seed is not None else random.randrange(1, 1_000_000)
    try:
        w = ex.build(bank, topic, s)
    except (SelectionError, VariantError) as exc:
        raise fail(str(exc)) from None
    ex.show(console, ex.render(w))
    if not try_it and sys.stdin.isatty() and console.is_terminal:
        from rich.prompt import Confirm

        try:
            try_it = Confirm.ask("Try a question on this topic now?", console=console, default=False)
        except (EOFError, KeyboardInterrupt):
            console.print()
    if try_it:
        from drill.tui import quiz as quiz_mod
        from drill.tui import quiz_view as ui

        items = quiz_mod.plan(_select(bank, [w.topic], None), 3, s)
        warn = _warner()
        store = None if no_save else _open_store(db)
        recorder = store.recorder("explain", s, warn) if store else None
        attempts, ended = quiz_mod.run(items, console, quiz_mod.line_reader(console), on_attempt=recorder, warn=warn,
                                       explanations=bank.explanations)
        ui.summary(console, attempts, replay_line("quiz", topics=[w.topic], n=3, seed=s))
        _saved_note(console, recorder)
        _exit_if_stopped(ended)


@app.command()
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

    bank = _load(warn=False, banks=bank_dir, solvers=True)
    errors = list(bank.errors)
    if question:  # a question that failed to load is reported with its real problem, not as unknown
        broken = {e.qid for e in errors if e.qid and e.qid not in bank.questions}
        asked = [q for q in question if q not in broken]
        if len(asked) < len(question):
            errors = [e for e in errors if e.qid in set(question) - set(asked)]
            question = asked
            if not question and not topic:
                _problem_table(_console(), problem_rows(errors, []))
                raise typer.Exit(EXIT_FAILED)
    chosen = _select(bank, topic, question) if (topic or question or bank.questions) else []
    start = time.perf_counter()
    failures = control_failures(bank, chosen) + check_questions(chosen, variants, workers)
    seconds = time.perf_counter() - start
    console = _console()
    problems = problem_rows(errors, failures)
    from drill.tui.text import plain

    for note in (n for q in chosen for n in key_notes(q)):
        console.print(plain(f"note: {note}"))
    if problems:
        _problem_table(console, problems)
        raise typer.Exit(EXIT_FAILED)
    console.print(f"[green]ok[/]: {len(chosen)} question{'s' * (len(chosen) != 1)} × {variants + 1} variants checked in {seconds:.1f} s")


def _problem_table(console, problems) -> None:
    """Every problem in one table; bank text is shown as plain text, never as markup."""
    from rich.table import Table

    from drill.tui.text import plain

    from drill.solvers._fmt import plural
    table = Table(title=f"{len(problems)} {plural(len(problems), 'problem')}", title_justify="left")
    for col in ("file:line", "question", "field", "seed", "what failed"):
        table.add_column(col, overflow="fold")
    for row in problems:
        table.add_row(*(plain(cell) for cell in row))
    console.print(table)


@app.command()
def interview(
    minutes: Annotated[float, typer.Option(min=1, max=MAX_MINUTES, callback=_finite_minutes, help="Time limit; the interview stops at the first answer after it.")] = 20,
    topic: TopicOption = None,
    count: Annotated[Optional[int], _count_option("--count", "-n", help="How many questions. [default: one per 2 minutes, at least 3]")] = None,
    seed: Annotated[Optional[int], _seed_option("Interview seed (which questions, which variants)")] = None,
    difficulty: DifficultyOption = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Record nothing in the progress database.")] = False,
    db: Annotated[Optional[str], typer.Option(help=DB_HELP)] = None,
) -> None:
    """A mock interview: mixed topics of rising difficulty against the clock; feedback only at the end."""
    from drill.practice import interview as iv
    from drill.tui import interview_view as interview_ui
    from drill.tui.quiz import line_reader
    from drill.solvers._fmt import plural

    chosen = _by_difficulty(_select(_load(), topic, None), difficulty)
    session_seed = seed if seed is not None else random.randrange(1, 1_000_000)
    n = count or iv.default_count(minutes)
    console = _console()
    console.print(f"[bold]drill interview[/] · {n} {plural(n, 'question')} · {minutes:g} {plural(minutes, 'minute')} · seed {session_seed} · no feedback until the end")
    warn = _warner()
    store = None if no_save else _open_store(db)
    recorder = store.recorder("interview", session_seed, warn) if store else None
    from drill.tui import interview as iv_run
    outcome = iv_run.run(iv.plan(chosen, n, session_seed), console, line_reader(console), minutes * 60, warn=warn, on_attempt=recorder)
    replay = replay_line("interview", lead={"minutes": float(minutes)}, topics=topic, difficulty=difficulty, n=n, seed=session_seed)
    interview_ui.report(console, outcome, replay)
    _saved_note(console, recorder)
    _exit_if_stopped(outcome.ended)


@app.command()
def solvers(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the solver names with the params each expects (for writing your own questions)."""
    from drill.authoring.templates import solver_catalog

    from drill.tui import authoring_view as authoring_ui

    catalog = solver_catalog(_load())
    if as_json:
        from drill.core.textsafe import write_json

        for info in catalog:
            write_json(info.to_json())
    else:
        authoring_ui.solver_list(_console(), catalog)


@app.command()
def new(
    question_id: Annotated[str, typer.Argument(metavar="QUESTION_ID", help="The new question's id (kebab-case).")],
    solver_name: Annotated[str, typer.Option("--solver", "-s", help="A solver name (see 'drill solvers').")],
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="File to write; '-' for stdout. [default: QUESTION_ID.yaml]")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", "-t", help="Topic of the new question. [default: the copied question's]")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented template question that passes 'drill check' once its key is filled in."""
    from pathlib import Path

    from drill.authoring.templates import TemplateError, template, write_template
    from drill.solvers import UnknownSolver

    try:
        text = template(_load(), question_id, solver_name, topic)
    except (TemplateError, UnknownSolver) as exc:
        raise fail(str(exc)) from None
    if out == "-":
        print(text, end="")
        return
    path = Path(out or f"{question_id}.yaml")
    try:
        write_template(path, text, force=force)
    except TemplateError as exc:
        raise fail(str(exc)) from None
    from drill.tui.text import plain

    _console().print(plain(f"wrote {path}\nnext: work out the key by hand, write it after ") + plain("answer:", "bold") + plain(", then run ")
                     + plain(f"drill check --bank {path.parent} -q {question_id}", "bold"), soft_wrap=True)


export_app = typer.Typer(help="Export questions to other tools.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("anki")
def export_anki(
    file: Annotated[str, typer.Argument(metavar="FILE.apkg", help="The Anki package to write.")],
    topic: TopicOption = None,
    question: QuestionOption = None,
    count: Annotated[int, _count_option("--count", "-n", help="Variants per question (seeds S, S+1, …).")] = 1,
    seed: Annotated[int, _seed_option("First variant seed (0 = the canonical params)")] = 0,
) -> None:
    """Write an Anki deck: one note per variant; re-importing updates the same notes."""
    from drill.tui import anki

    try:
        import genanki  # noqa: F401
    except ImportError:
        raise fail("the Anki export needs genanki: pip install genanki") from None
    from drill.solvers._fmt import plural

    _check_seed_span(seed, count, "-n")
    _writable_file(file)
    chosen = _select(_load(), topic, question)
    try:
        n = anki.export(file, anki.variants_for(chosen, count, seed, warn=_warner()))
    except OSError as exc:
        raise fail(f"cannot write {file}: {exc.strerror or exc}") from None
    from drill.tui.text import plain

    _console().print(plain(f"wrote {file}: {n} {plural(n, 'note')} from {len(chosen)} {plural(len(chosen), 'question')} ({f'seed {seed}' if count == 1 else f'seeds {seed}–{seed + count - 1}'}) in deck '{anki.DECK_NAME}'"))


def _writable_file(path: str) -> None:
    """A file drill is asked to write: its folder must exist and the path must not be a folder (one line, exit 2)."""
    from pathlib import Path

    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not path.strip():
        raise fail("the file name is empty; give one such as drill.apkg")
    if p.is_dir():
        raise fail(f"{path} is a directory; give a file name such as {p / 'drill.apkg'}")
    if not parent.is_dir():
        raise fail(f"cannot write {path}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise fail(f"cannot write {path}: the directory {parent} is not writable")


def main() -> None:
    """Console entry point: one-line errors, never a traceback (DRILL_DEBUG=1 shows it)."""
    if sys.stdin is None:  # started with stdin closed (<&-): read it as empty input
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show "·" or "✓" gets "?"
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    from drill.practice.session import stops_raise

    try:
        with stops_raise():
            app()
    except KeyboardInterrupt as exc:
        sys.exit(_stop_code(exc))
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
        if os.environ.get("DRILL_DEBUG"):
            raise
        from drill.core.textsafe import visible

        print(visible(f"drill: internal error: {type(exc).__name__}: {exc} (set DRILL_DEBUG=1 for details)"), file=sys.stderr)
        sys.exit(70)
