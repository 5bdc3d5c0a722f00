"""A tensor shape, exact sizes: ``5x7``, ``5×7``, ``(5, 7)``, ``[5,7]`` or ``5 7``."""

from __future__ import annotations

import re
from typing import Any, Sequence

from drill.core.answers._read import clip
from drill.core.answers.base import AnswerType, Unreadable
from drill.core.tolerance import Tolerance
from drill.solvers._fmt import shape as fmt_shape


class ShapeAnswer(AnswerType):
    name = "shape"
    example = "5x7, 5×7, (5, 7), [5,7] or 5 7"
    example_sets = (
        (example, ("5x7",)),
        ("6x9, 6×9, (6, 9), [6,9] or 6 9", ("6x9",)),
    )
    fallback_example = "sizes separated by x, such as 3x4"
    malformed = "5 by"
    exact = True
    key_help = "a shape, e.g. 5x7"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> tuple[int, ...]:
        t = text.strip().strip("()[]").strip()
        parts = [p for p in re.split(r"\s*(?:[x×X*,]|\s)\s*", t) if p != ""]
        if not parts or not all(re.fullmatch(r"\d{1,9}", p) for p in parts):
            raise Unreadable(f"could not read {clip(text)!r} as a shape; write it like {self.example}")
        return tuple(int(p) for p in parts)

    def coerce(self, value: Any) -> tuple[int, ...]:
        return tuple(int(v) for v in value)

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return tuple(given) == tuple(key)

    def format(self, value: Any, *, group: bool = True) -> str:
        return fmt_shape(value)

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return "exact sizes"

    def nudge(self, key: Any, tol: Tolerance) -> tuple[int, ...]:
        return (key[0] + 1, *key[1:])

    def format_problem(self, given: Any, key: Any) -> str | None:
        if len(given) != len(key):
            n = len(key)
            return f"the answer is a shape of {n} dimension{'s' * (n != 1)} (like {'×'.join('n' * n) or 'n'}); yours has {len(given)}"
        return None

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        if correct:
            return []
        if len(given) != len(key):
            return [f"the answer has {len(key)} dimensions, yours has {len(given)}"]
        if sorted(given) == sorted(key):
            return ["right numbers, wrong order: check the order of dimensions the question asks for"]
        return []
