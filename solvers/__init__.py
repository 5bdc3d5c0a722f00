"""NumPy reference solvers, one small function per question family, registered by name.

A solver takes a question's ``params`` (plain YAML data) and returns a :class:`Solution`:
the answer, the worked steps and the classic mistakes, all computed from the same
intermediate values in one scope, so they cannot disagree (the micrograd way).

The contract the rest of drill relies on::

    get("network-params").solve(params)     -> answer
    get("network-params").steps(params)     -> ["worked line", ...]
    get("network-params").mistakes(params)  -> {"forgot the biases": 528384, ...}

Built-in solver modules register through the same ``@solver`` decorator an add-on would use.
This module imports nothing heavy; numpy is imported by the topic modules when they load.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["MAX_ANSWER_VALUES", "MAX_ANSWER_DIGITS", "MAX_STEPS", "MAX_STEP_CHARS", "MAX_SOLUTION_CHARS", "Checkpoint", "Formula", "Symbol", "formula", "Solution", "Solver", "InvalidParams", "UnknownSolver", "solver", "get", "all_solvers"]


class InvalidParams(ValueError):
    """Params that do not make a valid question (e.g. a conv output size below 1)."""


# What a person can read, checked on every Solution by drill.core.variants; a solver whose output
# grows with a param (a vector of d_model values) checks the param against these *before* working.
MAX_ANSWER_VALUES = 1_000  # numbers in a vector or matrix answer (the built-in banks: at most 25)
MAX_ANSWER_DIGITS = 30  # digits of a whole-number answer (the built-in banks: at most 24)
MAX_STEPS = 500  # worked-solution lines (the built-in banks: at most 20)
MAX_STEP_CHARS = 20_000  # characters in one worked line (the built-in banks: at most ~9,000, MobileNetV2's table)
MAX_SOLUTION_CHARS = 200_000  # characters of steps and context in all


class UnknownSolver(KeyError):
    """A solver name that is not registered; the message names it and the closest names."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


@dataclass(frozen=True)
class Checkpoint:
    """A named intermediate value of a solution, asked as a sub-question when working it through.

    label:       what to compute, as a short question ("output height H_out")
    value:       the value, in the form of ``answer_type``
    answer_type: an answer type name ("integer", "number", "shape", "vector", "matrix")
    step:        the index in ``Solution.steps`` of the line that shows this value
    """

    label: str
    value: Any
    answer_type: str = "integer"
    step: int = -1


@dataclass(frozen=True)
class Symbol:
    """One symbol of a declared formula: its name in the expression, what it stands for, and its
    value in this variant (bound from the solver's own scope)."""

    name: str
    meaning: str
    value: Any


@dataclass(frozen=True)
class Formula:
    """The formula a solution uses, declared as data so ``drill check`` can prove it.

    expr:    an expression in drill's own expression syntax (drill.core.safe_expr: + - * / // ** and
             the functions there, e.g. ``floor``, ``sqrt``, ``exp``, ``log``), over the symbols' names,
             e.g. ``"K*K*C_in*C_out + C_out"``. Never parsed by eval or sympify.
    symbols: every name the expression uses, with its meaning and this variant's value.
    target:  what the formula computes: ``None`` the answer (a number); an ``int`` i the i-th entry
             of the flattened answer (a shape's height, a vector's i-th value); ``"checkpoint:N"`` the
             value of ``checkpoints[N]`` (a sub-quantity, e.g. one layer's parameters).
    name:    a short name for the quantity (``"H_out"``, ``"dL/dz_i"``), shown on the left of ``=``.

    ``drill check`` proves, on every variant it checks, that ``expr`` evaluated at the symbols'
    values equals the target to the question's precision; the hint ladder and ``drill explain``
    show only declared formulas.
    """

    expr: str
    symbols: tuple[Symbol, ...]
    target: int | str | None = None
    name: str = ""


def formula(expr: str, *, name: str = "", target: int | str | None = None, **symbols: tuple[str, Any]) -> Formula:
    """``formula("K*K*C_in*C_out + C_out", name="params", K=("kernel size", 3), C_in=(...), ...)``:
    each keyword is a symbol, given as (meaning, value)."""
    return Formula(expr, tuple(Symbol(n, m, v) for n, (m, v) in symbols.items()), target, name)


@dataclass
class Solution:
    """What a solver returns.

    answer:   int | float | tuple[int, ...] | list[float] | list[list[float]] | str
    steps:    worked-solution lines, each a full sentence or equation a learner can follow.
    mistakes: {what went wrong: the wrong answer it gives}, in the same form as ``answer``.
    context:  extra prompt placeholders the solver derives (e.g. a network drawn as text).
    choices:  for multiple choice, optional fixed option values (the answer among them).
    checkpoints: named intermediate values in the order a learner computes them, each pointing at
              the step line that prints it: "work it through" asks them, ``drill check`` proves
              each value is in its line.
    formulas: the formulas this solution uses (:class:`Formula`), the first one computing the answer
              (or an entry of it, or a checkpoint); the hint ladder shows the first.
    concept:  a concept question's hint (it has no computed answer, so no formula): the idea to
              reason from, in one line, never naming the answer. A solution declares formulas or a
              concept, never both; ``drill check`` proves it.
    """

    answer: Any
    steps: list[str] = field(default_factory=list)
    mistakes: dict[str, Any] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)
    choices: list[Any] | None = None
    checkpoints: list[Checkpoint] = field(default_factory=list)
    formulas: list[Formula] = field(default_factory=list)
    concept: str = ""


@dataclass(frozen=True)
class Solver:
    """A registered solver. ``params``: its declared params (:mod:`solvers._params`), name → kind."""

    name: str
    fn: Callable[[dict], Solution]
    module: str
    doc: str
    params: dict[str, Any] | None = None

    def check_params(self, params: Any) -> list[tuple[str, str]]:
        """(param path, problem) for each way ``params`` break this solver's declaration."""
        from ._params import check_params

        if self.params is None:
            return [("", f"solver {self.name!r} declares no params (register it with @solver(name, params={{...}}))")]
        return check_params(self.params, params, self.name)

    def run(self, params: dict) -> Solution:
        return self.fn(params)

    def solve(self, params: dict) -> Any:
        return self.fn(params).answer

    def steps(self, params: dict) -> list[str]:
        return self.fn(params).steps

    def mistakes(self, params: dict) -> dict[str, Any]:
        return self.fn(params).mistakes


SOLVERS: dict[str, Solver] = {}
_loaded = False


def solver(name: str, params: dict[str, Any] | None = None) -> Callable[[Callable[[dict], Solution]], Callable[[dict], Solution]]:
    """Register ``fn`` under ``name`` with its declared ``params`` ({name: a kind from
    :mod:`solvers._params`}; ``{}``: it takes none). A name registered twice is a programming error."""

    def register(fn: Callable[[dict], Solution]) -> Callable[[dict], Solution]:
        if name in SOLVERS and SOLVERS[name].fn is not fn:
            raise ValueError(f"solver {name!r} registered twice ({SOLVERS[name].module} and {fn.__module__})")
        SOLVERS[name] = Solver(name=name, fn=fn, module=fn.__module__, doc=(fn.__doc__ or "").strip(), params=params)
        return fn

    return register


def load_builtin() -> None:
    """Import every ``solvers.<topic>`` module once, so their ``@solver`` functions register."""
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def get(name: str) -> Solver:
    load_builtin()
    try:
        return SOLVERS[name]
    except KeyError:
        close = difflib.get_close_matches(name, SOLVERS, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownSolver(f"unknown solver {name!r}{hint}") from None


def all_solvers() -> dict[str, Solver]:
    load_builtin()
    return dict(SOLVERS)
