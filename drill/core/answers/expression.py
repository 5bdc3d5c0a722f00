"""A formula in the question's variables, compared by value at several points: ``x*exp(-x**2) + 1``."""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

from drill.core.answers._read import clip
from drill.core.answers.base import AnswerType, Unreadable
from drill.core.safe_expr import ExprError, evaluate
from drill.core.tolerance import Tolerance


class ExpressionAnswer(AnswerType):
    """A formula in the question's variables, compared by value at several points."""

    name = "expression"
    example = "x*exp(-x**2) + 1"  # not a common key: the example must not give an answer away
    example_sets = ((example, (example,)), ("x**3 - 2*x", ("x**3 - 2*x",)))
    fallback_example = "a formula in the question's variables"
    malformed = "x +* 1"
    key_help = "an expression in the question's variables"
    POINTS: ClassVar[tuple[float, ...]] = (-1.7, -0.6, 0.35, 1.1, 2.3)

    def _points(self) -> list[dict[str, float]]:
        n = len(self.POINTS)
        return [{v: self.POINTS[(i + j) % n] for j, v in enumerate(self.variables)} for i in range(n)]

    def _values(self, expr: str) -> list[float]:
        try:
            return [float(evaluate(expr, p)) for p in self._points()]
        except OverflowError:  # an exact integer result too large for a float
            raise ExprError("number too large") from None

    def parse(self, text: str, choices: Sequence[str] | None = None) -> str:
        try:
            self._values(text)
        except ExprError as exc:
            raise Unreadable(f"could not read {clip(text)!r} as a formula in {', '.join(self.variables)}: {exc}") from None
        return text.strip()

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        try:
            return all(tol.accepts(g, k) for g, k in zip(self._values(given), self._values(key)))
        except ExprError:
            return False

    def format(self, value: Any, *, group: bool = True) -> str:
        return str(value)

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return "any equal formula (compared by value at several points)"

    def nudge(self, key: Any, tol: Tolerance) -> str:
        return f"({key}) + 1"
