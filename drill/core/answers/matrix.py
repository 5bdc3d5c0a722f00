"""Rows of numbers, each entry within the tolerance: ``[[1, 2], [3, 4]]`` or ``1 2; 3 4``."""

from __future__ import annotations

from typing import Any, Sequence

from drill.core.answers._read import clip, denoise, floats
from drill.core.answers.base import NearMiss, Unreadable
from drill.core.answers.vector import VectorAnswer
from drill.core.safe_expr import MAX_CHARS, ExprError, evaluate
from drill.core.tolerance import Tolerance, tolerance_words
from drill.solvers._fmt import fmt


class MatrixAnswer(VectorAnswer):
    name = "matrix"
    example = "[[1, 2], [3, 4]] or 1 2; 3 4"
    example_sets = (
        (example, ("[[1, 2], [3, 4]]",)),
        ("[[5, 6], [7, 8]] or 5 6; 7 8", ("[[5, 6], [7, 8]]",)),
    )
    fallback_example = "rows in brackets, or rows separated by ;"
    malformed = "[[1, 2], [3"
    key_help = "a matrix, e.g. [[1, 2], [3, 4]]"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> list[list[float]]:
        t = text.strip()
        if len(t) > MAX_CHARS:  # each row below is evaluated: bound the whole text, not each row
            raise Unreadable(f"could not read {clip(text)!r} as a matrix: too long ({len(t)} characters; at most {MAX_CHARS})")
        if ";" in t:
            rows = [VectorAnswer.parse(self, r) for r in t.strip("[]").split(";") if r.strip()]
        else:
            try:
                value = evaluate(t, allow_lists=True)
            except ExprError as exc:
                raise Unreadable(f"could not read {clip(text)!r} as a matrix: {exc}") from None
            if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
                raise Unreadable(f"could not read {clip(text)!r} as a matrix; write it like {self.example}")
            rows = [floats(r, "a matrix of numbers", text) for r in value]
        if not rows or len({len(r) for r in rows}) != 1:
            raise Unreadable("the rows of the matrix have different lengths")
        return rows

    def coerce(self, value: Any) -> list[list[float]]:
        rows = [[float(v) for v in row] for row in value]
        flat = denoise([v for row in rows for v in row])
        return [flat[i * len(r) : (i + 1) * len(r)] for i, r in enumerate(rows)] if len({len(r) for r in rows}) == 1 else rows

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return len(given) == len(key) and all(VectorAnswer.close(self, g, k, tol) for g, k in zip(given, key))

    def format(self, value: Any, *, group: bool = True) -> str:
        return "[" + ", ".join(fmt(row) for row in value) + "]"

    def nudge(self, key: Any, tol: Tolerance) -> list[list[float]]:
        return [VectorAnswer.nudge(self, key[0], tol), *key[1:]]

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        if self.format_problem(given, key):
            return None
        return VectorAnswer.near(self, [x for r in given for x in r], [x for r in key for x in r], tol)

    def format_problem(self, given: Any, key: Any) -> str | None:
        if (len(given), len(given[0])) != (len(key), len(key[0])):
            return f"the answer is a {len(key)}×{len(key[0])} matrix, yours is {len(given)}×{len(given[0])}"
        return None

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        out = [f"accepted, for each entry: {tolerance_words(tol, key)}"]
        if not correct and (len(given), len(given[0])) != (len(key), len(key[0])):
            out.append(f"the answer is {len(key)}×{len(key[0])}, yours is {len(given)}×{len(given[0])}")
        return out
