"""The acceptance window for numeric answers (used by the grader and stored with each question).

Kept apart from :mod:`drill.grading` so loading a bank (``drill list``) needs no parser.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from drill.solvers._fmt import fmt

__all__ = ["Tolerance"]


@dataclass(frozen=True)
class Tolerance:
    """Accept ``x`` when ``|x − key| ≤ max(rtol·|key|, atol)``. Defaults: rtol 1 %, atol 1e-8.

    estimate: the question asks for an estimate ("about how many, to within 5 %"): named mistakes
    inside the window are acceptable answers, and ``drill check`` wants one outside it instead."""

    rtol: float = 1e-2
    atol: float = 1e-8
    estimate: bool = False

    def width(self, key: float) -> float:
        return max(self.rtol * abs(key), self.atol)

    def accepts(self, x: float, key: float) -> bool:
        return math.isfinite(x) and abs(x - key) <= self.width(key)

    def describe(self, key: float) -> str:
        """Plain words: '±1 %, i.e. between 0.09999 and 0.10201'."""
        w = self.width(key)
        lo, hi = fmt(key - w), fmt(key + w)
        if self.estimate:
            return f"an estimate within ±{fmt(self.rtol * 100)} %, i.e. between {lo} and {hi}"
        if w == self.atol and self.rtol * abs(key) < self.atol:
            return f"±{fmt(self.atol)}, i.e. between {lo} and {hi}"
        return f"±{fmt(self.rtol * 100)} %, i.e. between {lo} and {hi}"
