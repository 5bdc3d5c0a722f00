"""Formula answers graded by algebraic equivalence: read, echo, compare, diagnose, prove.

The lifecycle is PrairieLearn's and STACK's: a typed formula is *read* (implicit ``12d`` becomes
``12*d``, an unknown name becomes the declared one it resembles), *echoed* in the user's own order
so a misreading costs nothing, then *graded* against the key:

1. a float screen at random points drawn from the declared domains (seeded per variant, never
   public; discrete sets enumerated in full; points where the key is undefined drawn again), in
   30-digit arithmetic at a relative tolerance of 1e-9;
2. when the screen finds no difference, an exact confirmation where it is decidable: rational
   functions by ``cancel`` of the difference, exp/σ/tanh after substituting t = eˣ (degree bounded);
   elsewhere the screen decides. Every sympy step runs under a time budget; running out means
   "write it more simply" (unreadable), never wrong.

A wrong answer gets the first named mistake it is equivalent to, else a generic diagnosis (a
constant factor, one term short or over, two variables swapped, a variable left out) with both
values at the canonical numbers. :func:`prove` is what ``drill check`` runs on every variant.

Text never reaches eval or sympy's string parsers: :func:`drill.core.safe_expr.parse` gives the
whitelisted tree and the sympy expression is built from it node by node. sympy and mpmath are
imported only when a formula is read, so numeric questions start as fast as before.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from drill.core.safe_expr import ExprError
from drill.core.symbolic_exact import OverBudget, run_within, tick
from drill.core.symbolic_exact import exact as _exact_step
from drill.core.symbolic_read import (
    DEFAULT_FUNCTIONS,
    Reading,
    Spec,
    SymbolicError,
    Var,
    canonical_values,
    read_key,
    spec,
    sympy_module,
    validate,
)
from drill.core.symbolic_screen import (
    REL_TOL,
    agrees,
    mp_module,
    same,
    screen_points,
    value,
)

__all__ = [
    "BUDGET",
    "DEFAULT_FUNCTIONS",
    "Proof",
    "Reading",
    "Spec",
    "SymbolicError",
    "Var",
    "Verdict",
    "canonical_values",
    "clear_caches",
    "equivalent",
    "grade",
    "printed",
    "prove",
    "spec",
    "validate",
    "value_at",
]

BUDGET = 0.5  # seconds for one grading's sympy work


def clear_caches() -> None:
    """Forget cached readings and screens (benchmarks measure a first answer with it)."""
    from drill.core import symbolic_read

    symbolic_read._read.cache_clear()
    screen_points.cache_clear()


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class Verdict:
    """One grading. status: correct, wrong or unreadable (unreadable costs nothing).

    how:       for correct: "exact" (proved) or "screen" (agreed at every point, not decidable)
    mistake:   the named mistake the answer is equivalent to
    diagnosis: otherwise a one-line generic diagnosis with both values at the canonical numbers
    reason:    for unreadable, the one-line reason
    reading:   how the answer was read (its echo)
    """

    status: str
    how: str | None = None
    mistake: str | None = None
    diagnosis: str | None = None
    reason: str | None = None
    reading: Reading | None = None

    @property
    def correct(self) -> bool:
        return self.status == "correct"


_SIMPLER = "could not settle it in time: write it more simply"


def equivalent(given: str | Reading, key: str | Reading, s: Spec, *, seed: Any = 0, budget: float = BUDGET) -> str | None:
    """How ``given`` was found equal to ``key`` on the domains ("exact": proved, "screen": agreed at
    every point where nothing is decidable), or None when it differs. Both are read strictly, as
    bank text. Raises :class:`SymbolicError` when the budget runs out before it is settled."""
    g = given if isinstance(given, Reading) else read_key(given, s)
    k = key if isinstance(key, Reading) else read_key(key, s)
    return _equivalent(g, k, s, seed, time.monotonic() + budget)


def _equivalent(g: Reading, k: Reading, s: Spec, seed: Any, end: float) -> str | None:
    if not agrees(g, k, s, seed):
        return None
    try:
        proved = run_within(end, lambda: _exact_step(g.expr, k.expr, s, end))
    except OverBudget:
        raise SymbolicError(_SIMPLER) from None
    except Exception:  # noqa: BLE001 - sympy gave up (PolynomialError, NotImplementedError, …): the screen decides
        proved = None
    if proved is None:
        return "screen"
    return "exact" if proved else None


def grade(
    text: str | Reading,
    key: str,
    s: Spec,
    *,
    mistakes: Mapping[str, str] | None = None,
    seed: Any = 0,
    budget: float = BUDGET,
) -> Verdict:
    """Grade a typed formula against the bank's ``key`` (both read by drill's parser).

    mistakes: named misconceptions as formulas, in order; the first one the answer equals wins.
    seed:     the variant's seed: the screen's points come from it and are never shown.
    budget:   seconds the sympy work may take; running out is unreadable, never wrong.
    A key that cannot be read raises :class:`SymbolicError`: a bank error, which :func:`prove`
    reports before any learner sees it.
    """
    try:
        reading = text if isinstance(text, Reading) else validate(text, s)
    except SymbolicError as exc:
        return Verdict("unreadable", reason=str(exc))
    k = read_key(key, s)
    mp_module()
    end = time.monotonic() + budget  # after the one-off imports: the budget is for the work
    try:
        how = _equivalent(reading, k, s, seed, end)
    except SymbolicError as exc:
        return Verdict("unreadable", reason=str(exc), reading=reading)
    if how:
        return Verdict("correct", how=how, reading=reading)
    for name, formula in (mistakes or {}).items():
        try:
            if _equivalent(reading, read_key(formula, s), s, seed, end):
                return Verdict("wrong", mistake=name, reading=reading)
        except SymbolicError:
            break  # out of time: no feedback rather than a guess
    return Verdict("wrong", diagnosis=_diagnose(reading, k, s, seed, end), reading=reading)


def _fmt(v: Any) -> str:
    if v is None:
        return "undefined"
    x = float(v)
    if not math.isfinite(x):
        return mp_module().nstr(v, 6)
    if abs(x) < 1e15 and abs(x - round(x)) <= 1e-9 * max(1.0, abs(x)):
        return f"{round(x):,}"
    return f"{x:,.6g}"


def _factor_text(ratio: Any) -> str:
    c = float(ratio)
    if not math.isfinite(c) or c == 0:
        return mp_module().nstr(ratio, 6)
    f = Fraction(c).limit_denominator(12)
    if abs(float(f) - c) <= REL_TOL * abs(c):
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    short = f"{c:.6g}"
    return short if abs(float(short) - c) <= REL_TOL * abs(c) else f"{c:.15g}"


def _diagnose(g: Reading, k: Reading, s: Spec, seed: Any, end: float) -> str | None:
    """The first generic diagnosis that fits, with both values at the canonical numbers."""
    at = canonical_values(s)
    where = ", ".join(f"{n} = {_fmt(x)}" for n, x in at.items())
    both = f"at {where} yours is {_fmt(value(g.tree, at))}, the key's {_fmt(value(k.tree, at))}"
    points = screen_points(k, s, seed)
    values = [(value(g.tree, env), kv) for env, kv in points]
    defined = all(gv is not None for gv, _ in values)
    ratios = [gv / kv for gv, kv in values if defined and kv != 0]
    zeros_kept = all(same(gv, kv) for gv, kv in values if kv == 0)
    if defined and ratios and ratios[0] != 0 and zeros_kept and all(same(r, ratios[0]) for r in ratios):
        return f"sign flipped: {both}" if same(ratios[0], -1) else f"{_factor_text(ratios[0])}× the key: {both}"
    term = _one_term(g, k, end)
    if term is not None:
        return f"{term}: {both}"
    names = s.names
    for a, b in itertools.combinations(names, 2):
        swapped = [(dict(env, **{a: env[b], b: env[a]}), kv) for env, kv in points]
        if all(same(value(g.tree, env), kv) for env, kv in swapped):
            return f"{a} and {b} swapped: {both}"
    missing = sorted(str(x) for x in k.expr.free_symbols - g.expr.free_symbols)
    if missing:
        return f"{', '.join(missing)} missing: the key needs {'them' if len(missing) > 1 else 'it'}; {both}"
    return None


def _one_term(g: Reading, k: Reading, end: float) -> str | None:
    sp = sympy_module()

    def term() -> Any:
        tick(end)
        return sp.expand(g.expr - k.expr)

    try:
        d = run_within(end, term)
    except Exception:  # noqa: BLE001 - out of time or beyond sympy: no diagnosis rather than a guess
        return None
    if d == 0 or isinstance(d, sp.Add):
        return None
    if d.could_extract_minus_sign():
        return f"short by {printed(-d, pretty=True)}"
    return f"over by {printed(d, pretty=True)}"


# --------------------------------------------------------------------------- printing and proofs


def printed(expr: Any, *, pretty: bool = False) -> str:
    """A sympy expression as text drill's parser reads (``abs``, ``max``, ``e``), or with
    ``pretty`` as the echo shows it (``12·d² + 13·d``)."""
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Exp1(self, e: Any) -> str:
            return "e"

        def _print_Abs(self, e: Any) -> str:
            return f"abs({self._print(e.args[0])})"

        def _print_Max(self, e: Any) -> str:
            return f"max({', '.join(self._print(a) for a in e.args)})"

        def _print_Min(self, e: Any) -> str:
            return f"min({', '.join(self._print(a) for a in e.args)})"

    text = _Printer().doprint(expr)
    if not pretty:
        return text
    from drill.core.formulas import pretty as show

    try:
        return show(text)
    except ExprError:
        return text


def value_at(text: str, s: Spec, values: Mapping[str, float]) -> float:
    """The formula's value at ``values`` (e.g. 12d² + 13d at d = 768, to tie a formula question
    to its numeric one). Raises :class:`SymbolicError` where it is undefined."""
    missing = [n for n in s.names if n not in values]
    if missing:
        raise SymbolicError(f"no value for {', '.join(missing)}")
    v = value(read_key(text, s).tree, values)
    if v is None:
        raise SymbolicError(f"{text!r} is undefined at {dict(values)}")
    return float(v)


@dataclass
class Proof:
    """What :func:`prove` found: ``problems`` (empty when proved) and the slowest grading's time."""

    problems: list[str]
    slowest: float


def prove(
    key: str,
    s: Spec,
    *,
    solver: str | None = None,
    mistakes: Mapping[str, str] | None = None,
    seed: Any = 0,
    budget: float = BUDGET,
) -> Proof:
    """The checks ``drill check`` runs on one variant of a formula question: the key parses; the
    solver's expression equals it; expand/factor of the key (re-read from their printed form)
    grade correct; 2·(key) and (key) + 1 grade wrong; every named mistake differs from the key
    and from the others, by the screen alone, and is named when typed; every grading fits the
    budget."""
    problems: list[str] = []
    mistakes = dict(mistakes or {})
    slowest = 0.0

    def timed(text: str, why: str) -> Verdict:
        nonlocal slowest
        t0 = time.perf_counter()
        v = grade(text, key, s, mistakes=mistakes, seed=seed, budget=budget)
        slowest = max(slowest, time.perf_counter() - t0)
        if v.status == "unreadable":
            problems.append(f"{why} {text!r} is unreadable: {v.reason}")
        return v

    try:
        k = read_key(key, s)
        screen_points(k, s, seed)
    except SymbolicError as exc:
        return Proof([f"key {key!r}: {exc}"], 0.0)
    if solver is not None:
        v = timed(solver, "the solver's expression")
        if v.status == "wrong":
            problems.append(f"the solver's expression {solver!r} differs from the key {key!r}")
    sp = sympy_module()
    for name, form in (("expand", sp.expand), ("factor", sp.factor)):
        try:
            text = printed(run_within(time.monotonic() + budget, lambda f=form: f(k.expr)))
        except OverBudget:
            problems.append(f"{name} of the key does not finish in {budget} s")
            continue
        except Exception as exc:  # noqa: BLE001 - reported as the proof's problem
            problems.append(f"{name} of the key fails: {type(exc).__name__}")
            continue
        if timed(text, f"{name} of the key").status == "wrong":
            problems.append(f"{name} of the key, {text!r}, grades wrong")
    for text in (f"2*({key})", f"({key}) + 1"):
        if timed(text, "the nudge").correct:
            problems.append(f"{text!r} grades correct")
    readings = {}
    for name, text in mistakes.items():
        try:
            readings[name] = read_key(text, s)
        except SymbolicError as exc:
            problems.append(f"mistake {name!r}: {exc}")
    for name, m in readings.items():
        if agrees(m, k, s, seed):
            problems.append(f"mistake {name!r} ({m.echo}) is not told from the key by the screen")
        v = timed(mistakes[name], f"mistake {name!r}")
        if v.status == "wrong" and v.mistake != name:
            problems.append(f"mistake {name!r} typed is named {v.mistake!r}" if v.mistake else f"mistake {name!r} typed is not named")
    for (a, ma), (b, mb) in itertools.combinations(readings.items(), 2):
        try:
            if agrees(ma, mb, s, seed):
                problems.append(f"mistakes {a!r} and {b!r} are the same formula")
        except SymbolicError as exc:
            problems.append(f"mistakes {a!r} and {b!r}: {exc}")
    return Proof(problems, slowest)
