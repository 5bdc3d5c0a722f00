"""A list of numbers, each entry within the tolerance: ``[0.1, -0.2, 0.1]`` or ``0.1, -0.2, 0.1``."""

from __future__ import annotations

from typing import Any, Sequence

from drill.core.answers._read import clip, denoise, floats, near_number
from drill.core.answers.base import AnswerType, NearMiss, Unreadable
from drill.core.safe_expr import ExprError, evaluate
from drill.core.tolerance import Tolerance, tolerance_words


class VectorAnswer(AnswerType):
    name = "vector"
    example = "[0.1, -0.2, 0.1] or 0.1, -0.2, 0.1"
    example_sets = (
        (example, ("[0.1, -0.2, 0.1]",)),
        ("[0.3, -0.4, 0.2] or 0.3, -0.4, 0.2", ("[0.3, -0.4, 0.2]",)),
    )
    fallback_example = "numbers in brackets, separated by commas"
    malformed = "[0.1, "
    stated_precision = True
    key_help = "a vector, e.g. [0.1, -0.2] (entries may be expressions)"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> list[float]:
        t = text.strip()
        if t and t[0] not in "[(":
            t = "[" + (t if "," in t else ",".join(t.split())) + "]"
        try:
            value = evaluate(t, allow_lists=True)
        except ExprError as exc:
            raise Unreadable(f"could not read {clip(text)!r} as a vector: {exc}") from None
        return floats(value, "a vector of numbers", text)

    def coerce(self, value: Any) -> list[float]:
        return denoise([float(v) for v in value])

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return len(given) == len(key) and all(tol.accepts(g, k) for g, k in zip(given, key))

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return tolerance_words(tol, key, each=True)

    def nudge(self, key: Any, tol: Tolerance) -> list[float]:
        return [key[0] + 2 * tol.width(key[0]) + 1e-12, *key[1:]]

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        if len(given) != len(key):
            return None
        nears = [near_number(g, k, tol) for g, k in zip(given, key) if not tol.accepts(g, k)]
        if not nears or any(n is None for n in nears):
            return None
        offs = [n.off for n in nears if n is not None]
        widths = [n.accepted for n in nears if n is not None and n.accepted is not None]
        return NearMiss(None if None in offs else max(offs), min(widths) if widths else None)  # type: ignore[type-var]

    def format_problem(self, given: Any, key: Any) -> str | None:
        if len(given) != len(key):
            return f"the answer has {len(key)} entries, yours has {len(given)}"
        return None

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        out = [f"accepted, for each entry: {tolerance_words(tol, key)}"]
        if not correct and len(given) != len(key):
            out.append(f"the answer has {len(key)} entries, yours has {len(given)}")
        elif not correct and self.close([-g for g in given], key, tol):
            out.append("the sign is flipped")
        return out
