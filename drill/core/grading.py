"""Parse → grade → feedback, for every answer type: the one place drill grades a typed answer.

Lifecycle (PrairieLearn's): the question's answer type (an element of :mod:`drill.core.answers`)
``parse`` reads the typed text into a value or raises :class:`Unreadable` (a format error costs the
learner nothing: they are asked again); :func:`grade_value` compares the value with the key under
the question's tolerance and, when it is wrong, names the solver mistake it matches. Everything
that differs by type lives with the type; this module only runs the steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from drill.core.answers import NEAR_FACTOR, REGISTRY as ANSWER_TYPES, AnswerType, NearMiss, Unreadable, get as answer_type
from drill.core.answers.choice import LETTERS, ChoiceAnswer
from drill.core.answers.expression import ExpressionAnswer
from drill.core.answers.integer import IntegerAnswer
from drill.core.answers.matrix import MatrixAnswer
from drill.core.answers.number import NumberAnswer
from drill.core.answers.shape import ShapeAnswer
from drill.core.answers.vector import VectorAnswer
from drill.core.tolerance import Tolerance

__all__ = ["Unreadable", "Tolerance", "Grade", "NearMiss", "NEAR_FACTOR", "AnswerType", "ANSWER_TYPES", "answer_type", "grade_value",
           "LETTERS", "IntegerAnswer", "NumberAnswer", "ShapeAnswer", "VectorAnswer", "MatrixAnswer", "ChoiceAnswer", "ExpressionAnswer"]


@dataclass
class Grade:
    """The verdict on one typed answer.

    status:   "correct" | "wrong" | "unreadable"
    expected: the key as text (exact, even when the answer was accepted within tolerance)
    reason:   why the text could not be read (status "unreadable")
    mistake:  the solver mistake the wrong answer matches, if any
    notes:    extra feedback lines (accepted range, power-of-ten slip, order of dimensions)
    near_miss: set when a wrong answer (no named mistake) is just outside the tolerance
    """

    status: str
    expected: str
    given: str = ""
    reason: str = ""
    mistake: str | None = None
    notes: list[str] = field(default_factory=list)
    near_miss: NearMiss | None = None

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def grade_value(
    atype: AnswerType,
    text: str,
    key: Any,
    tol: Tolerance,
    mistakes: dict[str, Any] | None = None,
    choices: Sequence[str] | None = None,
) -> Grade:
    """Grade ``text`` against ``key``. Unreadable text is reported, never marked wrong."""
    expected = atype.format(key)
    try:
        given = atype.parse(text, choices)
    except Unreadable as exc:
        return Grade("unreadable", expected, given=text, reason=str(exc))
    correct = atype.close(given, key, tol)
    mistake = None
    near = None
    if not correct:
        matches = [(name, value) for name, value in (mistakes or {}).items() if atype.close(given, value, tol)]
        if len(matches) > 1 and all(isinstance(v, (int, float)) for _, v in matches):  # a wide window: the nearest
            matches.sort(key=lambda m: abs(float(m[1]) - float(given)))
        mistake = matches[0][0] if matches else None
        if mistake is None:
            problem = atype.format_problem(given, key)
            if problem:
                return Grade("unreadable", expected, given=text, reason=problem)
            near = atype.near(given, key, tol)
    notes = atype.notes(given, key, tol, correct)
    if correct and tol.estimate:  # an acceptable slip: say which, and that it is small at this scale
        near_tol = Tolerance(rtol=min(tol.rtol, 1e-3), atol=0.0)
        near_ones = sorted(((abs(float(value) - float(given)), name) for name, value in (mistakes or {}).items()
                            if isinstance(value, (int, float)) and atype.close(given, value, near_tol)))
        slip = near_ones[0][1] if near_ones else None
        if slip:
            notes.append(f"that is the value if you {slip}: close enough for an estimate")
    return Grade(
        "correct" if correct else "wrong",
        expected,
        given=atype.echo(text, given),
        mistake=mistake,
        notes=notes,
        near_miss=near,
    )

