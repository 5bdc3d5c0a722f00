"""The acceptance window for numeric answers (used by the grader and stored with each question),
and the one sentence that tells a learner what that window is (:func:`precision_text`).

Kept apart from :mod:`drill.core.answers` so loading a bank (``drill list``) needs no parser.

The precision policy, one place for all of drill:

* **default** (the prompt states no precision): an answer correctly rounded to 3 significant
  figures is accepted, one off in the 2nd significant figure is not. The window is 0.5 % of
  the key (so 2.5 passes for 2.496 and −1.05 for −1.047; 0.1 does not for 0.101); "0" is
  accepted only for a key that is 0 (vector and matrix keys have their float noise, entries
  below 1e-12 of the largest, set to 0 by the grader's ``coerce``).
* ``decimals: N`` (the prompt says "N decimals"): an answer correctly rounded to N decimals
  is accepted: the window is half a unit of the N-th decimal, so "0" passes only for a key
  that rounds to 0 at N decimals.
* ``rtol`` (the prompt states "to within ±X %"): ``|x − key| ≤ max(rtol·|key|, atol)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from drill.solvers._fmt import fmt, round_sig

__all__ = ["Tolerance", "precision_text", "tolerance_words", "precision_note", "round_sig", "round_to", "SIG_FIGS", "NOISE"]

SIG_FIGS = 3
SIG_RTOL = 0.005 * (1 + 1e-9)  # the default window: see Tolerance.width
NOISE = 1e-15  # the default absolute floor: float noise of a typed sum that cancels (vector keys drop theirs, see drill.core.answers)


def round_to(x: float, decimals: int) -> float:
    return round(x, decimals)


@dataclass(frozen=True)
class Tolerance:
    """How close an answer must be to the key.

    rtol:     a stated relative window (``|x − key| ≤ max(rtol·|key|, atol)``); None = not stated
    atol:     the absolute floor (a key below it counts as 0)
    decimals: a stated number of decimals (half a unit of the last one); None = not stated
    estimate: the question asks for an estimate ("about how many, to within 5 %", a stated rtol):
              named mistakes inside the window are acceptable answers, and ``drill check`` wants
              one outside it instead
    With neither rtol nor decimals stated, the default policy: 3 significant figures (see the module doc).
    """

    rtol: float | None = None
    atol: float = NOISE
    decimals: int | None = None
    estimate: bool = False

    @property
    def mode(self) -> str:
        """'decimals', 'rtol' or 'sig' (the default policy)."""
        if self.decimals is not None:
            return "decimals"
        return "rtol" if self.rtol is not None else "sig"

    @property
    def stated(self) -> bool:
        """True when the window is not the default policy, so the prompt must state it."""
        return self.mode != "sig"

    def to_yaml(self) -> dict | None:
        """The bank's ``tolerance:`` field for this window (None: the default policy)."""
        if self.mode == "decimals":
            return {"decimals": self.decimals}
        if self.estimate:
            return {"estimate": self.rtol}
        if self.mode == "rtol":
            return {"rtol": self.rtol, "atol": self.atol} if self.atol else {"rtol": self.rtol}
        return None

    def width(self, key: float) -> float:
        k = abs(float(key))
        if self.decimals is not None:
            return max(0.5 * 10.0 ** -self.decimals * (1 + 1e-9), self.atol)
        if self.rtol is not None:
            return max(self.rtol * k, self.atol)
        # half a unit of the 3rd significant figure is at most 0.5 % of the key (at 1.00…),
        # and one unit of the 2nd is at least 1 % (at 9.9…): 0.5 % accepts every correctly
        # rounded 3-figure answer and no answer off in the 2nd figure.
        return max(SIG_RTOL * k, self.atol)

    def accepts(self, x: float, key: float) -> bool:
        return math.isfinite(x) and abs(x - key) <= self.width(key)

    def is_zero(self, key: float) -> bool:
        """True when ``key`` is 0 at this precision (so "0" is a right answer)."""
        return self.accepts(0.0, key)

    def rounded(self, key: float) -> float:
        """The key as a learner following the stated precision writes it."""
        if self.decimals is not None:
            return round_to(float(key), self.decimals)
        if self.rtol is not None:
            return float(key)
        return round_sig(float(key))

    def describe(self, key: float) -> str:
        """Plain words with the window: '3 significant figures are enough, i.e. between 0.1 and 0.102';
        for a key of 0, 'exactly 0 (…)' or '…, i.e. within ±0.005 of 0'."""
        w = self.width(key)
        text = tolerance_words(self, key)
        if self.mode == "rtol" and not self.estimate and self.rtol * abs(key) < self.atol:
            text = f"to within ±{fmt(self.atol)}"
        if key == 0:  # a window around 0 in words: no "between -1e-15 and 1e-15"
            if w <= NOISE:
                return "exactly 0 (float noise within ±1e-15 is ignored)"
            return f"{text}, i.e. within ±{fmt(w)} of 0"
        return f"{text}, i.e. between {fmt(key - w)} and {fmt(key + w)}"


def precision_text(question_or_tolerance: Any, key: Any = None) -> str:
    """The precision a learner is held to, in the words drill shows before and after an answer.

    Takes a :class:`~drill.core.bank.Question` (its answer type words it: integers and shapes are
    exact, see drill/core/answers/) or a :class:`Tolerance` (a number's words); ``key`` only decides
    whether the absolute floor is worth naming.
    """
    tol = getattr(question_or_tolerance, "tolerance", question_or_tolerance)
    name = getattr(question_or_tolerance, "answer_type", None)
    if name is None:
        return tolerance_words(tol, key)
    from drill.core import answers  # here, not at import: loading a bank needs no parser

    return answers.get(name).precision_text(tol, key)


def tolerance_words(tol: Tolerance, key: Any = None, *, each: bool = False) -> str:
    """A numeric tolerance in words ('3 significant figures are enough', 'to 2 decimals',
    'to within ±5 %'); ``each``: said of each entry of a vector or matrix."""
    each_ = "each entry " if each else ""
    if tol.mode == "decimals":
        return f"{each_}to {tol.decimals} decimal{'s' * (tol.decimals != 1)}"
    if tol.estimate:
        return f"an estimate within ±{fmt(tol.rtol * 100)} % is enough"
    if tol.mode == "rtol":
        near = ""
        keys = key if isinstance(key, list) else [key]
        flat = [x for k in keys for x in (k if isinstance(k, list) else [k]) if isinstance(x, (int, float))]
        if tol.atol > NOISE and (key is None or any(abs(x) * tol.rtol < tol.atol for x in flat)):
            near = f" (±{fmt(tol.atol)} near 0)"
        return f"{each_}to within ±{fmt(tol.rtol * 100)} %{near}"
    return f"{SIG_FIGS} significant figures are enough" + (" for each entry" if each else "")


def precision_note(question_or_tolerance: Any, key: Any = None) -> str:
    """:func:`precision_text` as a segment of the answer-format line (' · 3 significant …'), or ''."""
    text = precision_text(question_or_tolerance, key)
    return f" · {text}" if text else ""
