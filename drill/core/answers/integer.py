"""A whole number, exact: ``529411``, ``529,411`` or ``1024*2+1024``."""

from __future__ import annotations

from typing import Any, Sequence

from drill.core.answers._read import literal_echo, number, power_of_ten
from drill.core.answers.base import AnswerType, NearMiss
from drill.core.tolerance import Tolerance
from drill.solvers._fmt import fmt


class IntegerAnswer(AnswerType):
    name = "integer"
    example = "529411 (also 529,411 or 1024*2+1024)"
    example_sets = (
        (example, ("529411", "529,411", "1024*2+1024")),
        ("613207 (also 613,207 or 512*3+256)", ("613207", "613,207", "512*3+256")),
    )
    fallback_example = "a whole number such as 12,345 or 64*64*3"
    malformed = "12abc"
    exact = True
    key_help = "a whole number, e.g. 34944 or (11*11*3 + 1)*96"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> int | float:
        value = number(text)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value

    def coerce(self, value: Any) -> int:
        f = float(value)
        if not f.is_integer():
            raise ValueError(f"integer answer expected, got {value!r}")
        return int(value)

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return isinstance(given, int) and given == key

    def format(self, value: Any, *, group: bool = True) -> str:
        return fmt(int(value) if isinstance(value, int) else value, group=group)

    def echo(self, text: str, given: Any) -> str:
        """A number typed as a literal stays in the learner's own form (``3.2e9``, never ``3200000000``)."""
        return literal_echo(text) or self.format(given)

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return "exact integer"

    def nudge(self, key: Any, tol: Tolerance) -> int:
        return key + 1

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        """The key rounded to 2–4 significant figures, two digits or more dropped (2.52e9 for
        2517630976); a slip in the last digits (529410 for 529411) is no rounding."""
        if not isinstance(given, int) or given == key or key == 0 or abs(key) < 100:
            return None
        digits = len(str(abs(key)))
        for sig in range(2, min(5, digits - 1)):
            step = 10 ** (digits - sig)
            if given == (abs(key) + step // 2) // step * step * (1 if key > 0 else -1):
                return NearMiss(abs(given - key) / abs(key), None, rounded=True)
        return None

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        if correct:
            return []
        if isinstance(given, float):
            return ["the answer is a whole number"]
        hint = power_of_ten(given, key)
        return [hint] if hint else []
