"""A practice session as plain logic: plan, ask, grade, record. No rendering, no rich.

Both ``drill quiz`` (and ``review`` and ``explain --try``) and ``drill interview`` run their
questions through :func:`run`; what differs is a :class:`View` (the terminal rendering in
:mod:`drill.tui.quiz_view` / :mod:`drill.tui.interview_view`, which import this module, never the other way)
and a few :class:`Rules` (hints, a second chance on a near miss, stepping through a wrong
answer, a deadline).

**A shown grade is a saved grade.** Once an answer is graded, the attempt is handed to
``on_attempt`` (the progress database's recorder) *before* the view is told anything about
it. SIGINT, SIGTERM and SIGHUP are honoured the same way: one arriving while an attempt is
being graded and committed is held until the commit is done; then the session ends
(``ended`` = "interrupt" | "terminate" | "hangup") and the command prints its summary and
exits with :data:`EXIT_CODES` (130 / 143 / 129).
"""

from __future__ import annotations

import contextlib
import random
import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence



def __getattr__(name: str) -> Any:
    """``session.checkpoints`` and its kin, from drill.core.checkpoints when first asked for: the
    command line imports this module for its signal handling, and needs no grading to show --help."""
    if name in ("checkpoints", "work_steps", "checkpoint_tolerance", "grade_checkpoint"):
        from drill.core import checkpoints as module

        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

if TYPE_CHECKING:
    from drill.core.bank import Question
    from drill.core.grading import Grade
    from drill.solvers import Checkpoint
    from drill.core.variants import Variant

__all__ = [
    "Attempt", "Rules", "Result", "Step", "View", "plan", "run", "step_through", "checkpoints", "grade_checkpoint",
    "first_wrong", "missed_last_session", "SKIP", "QUIT", "HINT", "WORK", "EXIT_CODES", "Stopped",
    "command", "command_help", "is_command", "work_steps",
]

# Commands at the answer prompt. On a multiple-choice question every letter is an option letter (A–H
# and beyond), so there only the words and ``?`` are commands; elsewhere the single letters work too.
# ``?`` repeated (``??``, ``???``) asks that many more hint levels at once.
SKIP = {"s", "skip"}
QUIT = {"q", "quit", "exit"}
HINT = {"?", "h", "hint"}
WORK = {"w", "work", "y", "yes"}
_LETTERS = {"s", "q", "h"}  # the command letters that a multiple-choice answer may be


def command(text: str, choice: bool = False) -> tuple[str, int] | None:
    """What a line typed at the answer prompt asks: ("hint", levels) | ("skip", 1) | ("quit", 1),
    or None when it is an answer. choice: the question is multiple choice (letters are answers)."""
    word = text.strip().lower()
    if not word or (choice and word in _LETTERS):
        return None
    if set(word) == {"?"}:
        return ("hint", len(word))
    if word in HINT:
        return ("hint", 1)
    if word in SKIP:
        return ("skip", 1)
    if word in QUIT:
        return ("quit", 1)
    return None


def command_help(choice: bool) -> tuple[str, str]:
    """How to skip and quit on this kind of question: ("s", "q"), or the words on multiple choice."""
    return ("skip", "quit") if choice else ("s", "q")


def is_command(text: str) -> bool:
    """Whether a line is a command in any context (kept out of the line editor's history)."""
    word = text.strip().lower()
    return bool(word) and (set(word) == {"?"} or word in SKIP | QUIT | HINT | WORK)

EXIT_CODES = {"interrupt": 130, "terminate": 143, "hangup": 129}
_ENDED_BY = {"SIGINT": "interrupt", "SIGTERM": "terminate", "SIGHUP": "hangup"}


@dataclass
class Attempt:
    """One question's outcome. status: "correct" | "wrong" | "skipped"."""

    variant: Variant
    status: str
    answer: str
    grade: Grade | None
    seconds: float
    hints: int = 0
    near_miss: bool = False  # answered on the second chance after a near miss


@dataclass
class Step:
    """One sub-question of a worked-through answer: the checkpoint, what was typed, its grade."""

    checkpoint: Checkpoint
    answer: str
    grade: Grade | None  # None: skipped

    @property
    def correct(self) -> bool:
        return self.grade is not None and self.grade.correct


@dataclass
class Rules:
    """What a kind of session allows.

    hints:        ``?`` gives progressive hints (else the view says there are none)
    second_chance: a near miss (just outside the tolerance) is asked again once
    step_through: after a wrong answer that matches no named mistake, on a terminal, offer to work it
                  through checkpoint by checkpoint
    stop:         called after each answer; True ends the session ("time")
    """

    hints: bool = True
    second_chance: bool = True
    step_through: bool = True
    stop: Callable[[], bool] | None = None


@dataclass
class Result:
    attempts: list[Attempt]
    ended: str  # "done" | "time" | "quit" | "eof" | "interrupt" | "terminate" | "hangup"
    next_index: int  # the first item not answered


class View(Protocol):
    """What the session tells the learner. Every method renders; none computes an answer."""

    def question(self, v: Variant, index: int, total: int) -> None: ...
    def prompt(self, v: Variant) -> str: ...
    def empty(self) -> None: ...
    def hint(self, v: Variant, level: int) -> int | None: ...  # how many hint levels there are, if known
    def unreadable(self, g: Grade, v: Variant) -> None: ...
    def near_miss(self, g: Grade, v: Variant) -> None: ...
    def graded(self, a: Attempt, offer_steps: bool) -> None: ...
    def skipped(self, a: Attempt) -> None: ...
    def broken(self, q: Question, exc: Exception) -> None: ...
    def interrupted(self) -> None: ...
    def offer_prompt(self, a: Attempt) -> str: ...
    def step_prompt(self, cp: Checkpoint, index: int, total: int) -> str: ...
    def step_graded(self, step: Step, index: int, total: int) -> None: ...
    def steps_done(self, a: Attempt, steps: list[Step]) -> None: ...
    def solution(self, a: Attempt) -> None: ...


def plan(questions: Sequence[Question], count: int, seed: int, *, fixed_seeds: bool = False,
         by_topic: bool = False) -> list[tuple[Question, int]]:
    """``count`` (question, variant seed) pairs; every template is used once before any repeats.

    fixed_seeds: variant seeds are seed, seed+1, … in the order given (replaying ``--question``).
    by_topic: spread over topics (several ``-t`` asked): round after round, every topic once in a
    shuffled order, a random template within each (every template of a topic once before any
    repeats). Without it (one topic or none) the plan is what it always was for the same seed.
    """
    if fixed_seeds:
        return [(questions[i % len(questions)], seed + i) for i in range(count)]
    rng = random.Random(seed)
    out: list[tuple[Question, int]] = []
    if by_topic:
        topics: dict[str, list[Question]] = {}
        for q in questions:
            topics.setdefault(q.topic, []).append(q)
        pools: dict[str, list[Question]] = {t: [] for t in topics}
        while len(out) < count:
            order = sorted(topics)
            rng.shuffle(order)
            for t in order[:count - len(out)]:
                if not pools[t]:
                    pools[t] = list(topics[t])
                    rng.shuffle(pools[t])
                out.append((pools[t].pop(), rng.randrange(1, 1_000_000)))
        return out
    pool: list[Question] = []
    while len(out) < count:
        if not pool:
            pool = list(questions)
            rng.shuffle(pool)
        out.append((pool.pop(), rng.randrange(1, 1_000_000)))
    return out


# --- signals ----------------------------------------------------------------------------


class Stopped(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP, raised where the session can stop cleanly."""

    def __init__(self, ended: str) -> None:
        super().__init__(ended)
        self.ended = ended


def _cp() -> Any:
    from drill.core import checkpoints as module

    return module


@contextlib.contextmanager
def stops_raise() -> Iterator[None]:
    """For a whole command: SIGTERM and SIGHUP left at their default raise :class:`Stopped`, as
    SIGINT raises KeyboardInterrupt, so one arriving outside a session (while its summary prints)
    still ends drill with 143 / 129, never killed by the raw signal. Main thread only."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
                ended = _ENDED_BY[name]

                def raise_stopped(signum: int, frame: object, ended: str = ended) -> None:
                    raise Stopped(ended)

                try:
                    previous[sig] = signal.signal(sig, raise_stopped)
                except (ValueError, OSError):
                    pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Signals:
    """Turn the stop signals into :class:`Stopped`, held while an attempt is graded and saved."""

    def __init__(self) -> None:
        self.holding = False
        self.pending: str | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for name in _ENDED_BY:
                sig = getattr(signal, name, None)
                if sig is None:
                    continue
                try:
                    self.previous[sig] = signal.signal(sig, self._handle)
                except (ValueError, OSError):
                    pass
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)

    def _handle(self, signum: int, frame: object) -> None:
        ended = _ENDED_BY.get(signal.Signals(signum).name, "interrupt")
        if self.holding:
            self.pending = self.pending or ended
            return
        raise Stopped(ended)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending:
            ended, self.pending = self.pending, None
            raise Stopped(ended)


# --- the session ------------------------------------------------------------------------


def run(
    items: Sequence[tuple[Question, int]],
    view: View,
    read: Callable[[str], str | None],
    *,
    rules: Rules | None = None,
    on_attempt: Callable[[Attempt], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Result:
    """Ask ``items`` in order; each graded attempt goes to ``on_attempt`` before its feedback."""
    from drill.core.variants import VariantError, make_variant

    rules = rules or Rules()
    attempts: list[Attempt] = []
    current = index = answered_before = 0
    interactive = bool(getattr(read, "interactive", False))
    with _Signals() as signals:
        try:
            for index, (q, seed) in enumerate(items):
                current = index
                answered_before = len(attempts)
                try:
                    v = make_variant(q, seed)
                except VariantError as exc:
                    view.broken(q, exc)
                    continue
                view.question(v, index + 1, len(items))
                outcome = _ask(v, view, read, rules, clock, signals, attempts, on_attempt)
                if isinstance(outcome, str):
                    return Result(attempts, outcome, current)
                current = index + 1
                if outcome.status == "skipped":
                    view.skipped(outcome)
                else:
                    # a named mistake is its own diagnosis; an unknown slip is worth finding step by step
                    offer = (rules.step_through and interactive and outcome.status == "wrong" and outcome.grade is not None
                             and outcome.grade.mistake is None and len(_cp().work_steps(v)) >= 1)
                    view.graded(outcome, offer)
                    if offer:
                        ended = _offer_steps(outcome, view, read)
                        if ended:
                            return Result(attempts, ended, current)
                if rules.stop is not None and rules.stop() and index + 1 < len(items):
                    return Result(attempts, "time", current)
            return Result(attempts, "done", len(items))
        except KeyboardInterrupt as exc:
            view.interrupted()
            if len(attempts) > answered_before:  # stopped after the answer was saved: it counts as asked
                current = max(current, index + 1)
            return Result(attempts, exc.ended if isinstance(exc, Stopped) else "interrupt", current)


MAX_UNREADABLE = 50  # lines in a row that answer nothing (empty, unreadable): endless input such as `yes 1 |` ends


def _ask(v, view, read, rules: Rules, clock, signals: _Signals, attempts: list[Attempt], on_attempt) -> Attempt | str:
    start = clock()
    hints = 0
    second_chance = rules.second_chance
    idle = 0
    while True:
        if idle >= MAX_UNREADABLE:
            return "eof"  # as if the input had ended: nothing typed in a long while answered the question
        text = read(view.prompt(v))
        if text is None:
            return "eof"
        if not text.strip():
            idle += 1
            view.empty()
            continue
        asked = command(text, v.choices is not None)
        if asked is not None and asked[0] == "quit":
            return "quit"
        if asked is not None and asked[0] == "hint":
            if not rules.hints:
                view.hint(v, 0)
                continue
            for _ in range(asked[1]):
                hints += 1
                available = view.hint(v, hints)
                if isinstance(available, int) and hints > available:  # "no more hints" said once
                    hints = available
                    break
            continue
        with signals.held():
            if asked is not None and asked[0] == "skip":
                attempt = Attempt(v, "skipped", "", None, clock() - start, hints)
            else:
                g = v.grade(text)
                if g.status == "unreadable":
                    attempt = None
                elif g.near_miss is not None and second_chance:
                    attempt = None
                else:
                    attempt = Attempt(v, g.status, text.strip(), g, clock() - start, hints,
                                      near_miss=not second_chance and rules.second_chance)
            if attempt is not None:
                if on_attempt is not None:
                    on_attempt(attempt)  # committed before anything about it is shown
                attempts.append(attempt)
        if attempt is not None:
            return attempt
        if g.status == "unreadable":
            idle += 1
            view.unreadable(g, v)
        else:
            second_chance = False
            view.near_miss(g, v)


def _offer_steps(a: Attempt, view: View, read: Callable[[str], str | None]) -> str | None:
    """Ask whether to work it through; then the steps, then the worked solution. Returns how the
    session ended when the learner quit or input ended, else None."""
    text = read(view.offer_prompt(a))
    if text is None:
        view.solution(a)
        return "eof"
    command = text.strip().lower()
    if command in QUIT:
        view.solution(a)
        return "quit"
    if command in WORK:
        steps = step_through(a.variant, view, read)
        if steps is None:
            view.solution(a)
            return "eof"
        view.steps_done(a, steps)
    view.solution(a)
    return None


def step_through(v: Variant, view: View, read: Callable[[str], str | None]) -> list[Step] | None:
    """Each checkpoint as a sub-question, graded with the same grader; None when input ended.

    ``s`` skips a step (its value is shown), ``q`` stops stepping.
    """
    steps: list[Step] = []
    cps = _cp().work_steps(v)
    total = len(cps)
    for i, cp in enumerate(cps, start=1):
        while True:
            text = read(view.step_prompt(cp, i, total))
            if text is None:
                return None
            command = text.strip().lower()
            if not command:
                view.empty()
                continue
            if command in QUIT:
                return steps
            if command in SKIP:
                step = Step(cp, "", None)
                break
            g = _cp().grade_checkpoint(v, cp, text)
            if g.status == "unreadable":
                view.unreadable(g, v)
                continue
            step = Step(cp, text.strip(), g)
            break
        steps.append(step)
        view.step_graded(step, i, total)
    return steps


def missed_last_session(records: Sequence[Any]) -> list[tuple[str, int]]:
    """(question id, variant seed) of each answer not correct in the most recent session (by its
    latest answer), in the order answered; ``records`` are :class:`drill.store.progress.Record` rows."""
    if not records:
        return []
    ordered = sorted(records, key=lambda r: (r.answered_at, r.id))
    last = ordered[-1].session_id
    same = [r for r in ordered if r.session_id == last] if last is not None else [ordered[-1]]
    out: list[tuple[str, int]] = []
    for r in same:
        if r.status != "correct" and (r.question_id, r.seed) not in out:
            out.append((r.question_id, r.seed))
    return out


def first_wrong(steps: Sequence[Step]) -> Step | None:
    """The first step the learner got wrong (a skipped step counts as not known)."""
    return next((s for s in steps if not s.correct), None)
