"""A formula in the question's variables, graded by algebraic equivalence: ``x*exp(-x**2) + 1``.

Reading and grading are :mod:`drill.core.symbolic`'s: the typed text is read by drill's own parser
(``12d`` is read as ``12*d``, an unknown name as the declared one it resembles, and the echo says
so), then compared with the key at random points of the variables' domains (never public; relative
1e-9, not the numeric answers' 3 significant figures) and, where decidable, proved equal exactly.
A comparison that runs out of its time budget is unreadable ("write it more simply"), never wrong.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

from drill.core.answers._read import clip
from drill.core.answers.base import AnswerType, Unreadable
from drill.core.tolerance import Tolerance

# the screen's points: drawn afresh in each process, so no list of them is public
_SEED = random.SystemRandom().getrandbits(64)


class ExpressionAnswer(AnswerType):
    """A formula in the question's variables, graded by algebraic equivalence."""

    name = "expression"
    example = "x*exp(-x**2) + 1"  # not a common key: the example must not give an answer away
    example_sets = ((example, (example,)), ("x**3 - 2*x", ("x**3 - 2*x",)))
    fallback_example = "a formula in the question's variables"
    malformed = "x +* 1"
    key_help = "an expression in the question's variables"

    def _spec(self) -> Any:
        from drill.core import symbolic
        from drill.core.symbolic_read import ARITY

        # each variable real in [-3, 3]; every function drill's expressions know
        return symbolic.spec(list(self.variables), functions=tuple(ARITY))

    def parse(self, text: str, choices: Sequence[str] | None = None) -> str:
        from drill.core import symbolic

        try:
            reading = symbolic.validate(text, self._spec())
        except symbolic.SymbolicError as exc:
            raise Unreadable(f"could not read {clip(text)!r} as a formula in {', '.join(self.variables)}: {exc}") from None
        return reading.read

    def read_key(self, raw: Any) -> str:
        """A bank key, read without sympy (loading a bank, even ``drill list``, stays light): drill's
        parser and the names it may use; ``drill check`` reads it with the engine on every variant."""
        import ast

        from drill.core.safe_expr import ExprError, parse
        from drill.core.symbolic_read import ARITY, CONSTANTS

        text = str(raw)
        try:
            tree = parse(text)
        except ExprError as exc:
            raise Unreadable(f"could not read {clip(text)!r} as a formula: {exc}") from None
        known = set(self.variables) | set(ARITY) | set(CONSTANTS)
        unknown = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - known)
        if unknown:
            raise Unreadable(f"{clip(text)!r} uses {', '.join(unknown)}, not a variable ({', '.join(self.variables)}) or a function")
        return text.strip()

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        from drill.core import symbolic

        try:
            return symbolic.equivalent(given, key, self._spec(), seed=_SEED) is not None
        except symbolic.SymbolicError as exc:  # out of time: unreadable, never wrong
            raise Unreadable(f"could not compare {clip(str(given))!r} with the key: {exc}") from None

    def echo(self, text: str, given: Any) -> str:
        """As typed, and how drill read it when that differs (``12d`` read as ``12·d``)."""
        from drill.core import symbolic

        typed = " ".join(str(text).split())
        try:
            shown = symbolic.validate(str(given), self._spec()).echo
        except symbolic.SymbolicError:
            return typed
        return typed if typed.replace(" ", "") == str(given).replace(" ", "") else f"{typed} (read as {shown})"

    def format(self, value: Any, *, group: bool = True) -> str:
        return str(value)

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return "any algebraically equal formula"

    def nudge(self, key: Any, tol: Tolerance) -> str:
        return f"({key}) + 1"
