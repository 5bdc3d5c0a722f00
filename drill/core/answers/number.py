"""A real number within the question's tolerance: ``-0.119``, ``1e-3``, ``3/4``, ``sigmoid(2)-1``.

The one type an estimate (``{rtol: X, estimate: true}``) may use.
"""

from __future__ import annotations

from typing import Any, Sequence

from drill.core.answers._read import literal_echo, near_number, number, power_of_ten, real
from drill.core.answers.base import AnswerType, NearMiss
from drill.core.tolerance import Tolerance
from drill.solvers._fmt import fmt


class NumberAnswer(AnswerType):
    name = "number"
    example = "-0.119, 1e-3, 3/4, sigmoid(2)-1, 0.1*(1+0.1**2)"
    example_sets = (
        (example, ("-0.119", "1e-3", "3/4", "sigmoid(2)-1", "0.1*(1+0.1**2)")),
        ("-0.237, 2e-3, 5/8, sigmoid(3)-1, 0.2*(1+0.3**2)", ("-0.237", "2e-3", "5/8", "sigmoid(3)-1", "0.2*(1+0.3**2)")),
    )
    fallback_example = "a decimal, a fraction or an expression such as exp(-2)"
    malformed = "0.1.2"
    estimates = True
    stated_precision = True
    key_help = "a number or an expression, e.g. 0.101 or 0.1*(1 + 0.1*0.1)"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> float:
        return real(number(text), text, "a number")

    def coerce(self, value: Any) -> float:
        return float(value)

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return tol.accepts(float(given), float(key))

    def echo(self, text: str, given: Any) -> str:
        """A number typed as a literal stays in the learner's own form (``3.2e9``, never ``3200000000``)."""
        return literal_echo(text) or self.format(given)

    def nudge(self, key: Any, tol: Tolerance) -> float:
        return float(key) + 2 * tol.width(float(key)) + 1e-12

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        return near_number(float(given), float(key), tol)

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        out = [f"accepted: {tol.describe(key)}; exact value {fmt(key, 10)}"]
        if not correct:
            if key != 0 and tol.accepts(-given, key):
                out.append("the sign is flipped")
            hint = power_of_ten(given, key)
            if hint:
                out.append(hint)
        return out
