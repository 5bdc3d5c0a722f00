"""Parse → grade → feedback, for every answer type. The one place drill compares answers.

Lifecycle (PrairieLearn's): ``parse`` turns typed text into a value or raises
:class:`Unreadable` (a format error costs the learner nothing: they are asked again);
``grade`` compares the value with the key under the question's tolerance and, when it is
wrong, names the solver mistake it matches. Floats are never compared with ``==``.

Answer types differ by their class only (rich's ``IntPrompt`` vs ``Prompt``); they are
registered in :data:`ANSWER_TYPES` by the name the YAML uses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

from drill.core.safe_expr import MAX_CHARS, ExprError, evaluate
from drill.core.tolerance import Tolerance, precision_text
from drill.solvers._fmt import fmt, shape as fmt_shape

__all__ = ["Unreadable", "Tolerance", "Grade", "NearMiss", "NEAR_FACTOR", "AnswerType", "ANSWER_TYPES", "answer_type", "grade_value"]

NEAR_FACTOR = 10  # a wrong answer within this many tolerance widths of the key is a near miss


class Unreadable(ValueError):
    """Text that is not an answer of the expected type; the message is the one-line reason."""


@dataclass(frozen=True)
class NearMiss:
    """A wrong answer just outside the tolerance (within :data:`NEAR_FACTOR` widths of the key).

    off:      the relative error |given − key| / |key| (of the worst entry), None when the key is 0
    accepted: the relative window that would have been accepted (width / |key|); None for an exact integer
    rounded:  the answer is the key rounded to fewer significant figures (an exact integer is wanted)
    """

    off: float | None
    accepted: float | None
    rounded: bool = False


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


_EXAMPLE_VALUES: dict[tuple, dict[str, Any]] = {}  # (type, variables, choices) -> {example: value}


class AnswerType:
    """Base class: subclasses set ``name``/``example`` and override parse/close/format/nudge."""

    name: ClassVar[str] = ""
    example: ClassVar[str] = ""
    # Alternatives to ``example``, each (text, the answers it shows): the answer-format line
    # shows the first set none of whose answers would be graded correct (see example_for).
    example_sets: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    malformed: ClassVar[str] = "#?"

    def example_for(self, key: Any, tol: Tolerance, choices: Sequence[str] | None = None) -> str:
        """The format example for a question whose key is ``key``: never one that grades correct
        (an example must not give the answer away). Falls back to a plain description."""
        for text, answers in self.example_sets or ((self.example, ()),):
            if not any(self._accepts_text(a, key, tol, choices) for a in answers):
                return text
        return self.fallback_example

    fallback_example: ClassVar[str] = "see the question"

    def _accepts_text(self, text: str, key: Any, tol: Tolerance, choices: Sequence[str] | None) -> bool:
        try:
            return bool(self.close(self._parsed(text, tuple(choices or ())), key, tol))
        except (Unreadable, TypeError, ValueError):
            return False

    def _parsed(self, text: str, choices: tuple[str, ...]) -> Any:
        """An example's parsed value; examples are fixed text, so each is parsed once."""
        cache = _EXAMPLE_VALUES.setdefault((type(self), getattr(self, "variables", ()), choices), {})
        if text not in cache:
            try:
                cache[text] = self.parse(text, choices)
            except Unreadable as exc:
                cache[text] = exc
        if isinstance(cache[text], Unreadable):
            raise cache[text]
        return cache[text]

    def parse(self, text: str, choices: Sequence[str] | None = None) -> Any:
        raise NotImplementedError

    def coerce(self, value: Any) -> Any:
        """A solver's or a key's value in this type's canonical Python form."""
        return value

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return given == key

    def format(self, value: Any, *, group: bool = True) -> str:
        """``value`` as drill shows it (:func:`~drill.solvers._fmt.fmt`); ``group=False`` without
        thousands separators, for machine output."""
        return fmt(value, group=group)

    def nudge(self, key: Any, tol: Tolerance) -> Any:
        """A value just outside the tolerance of ``key`` (for ``drill check``)."""
        raise NotImplementedError

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        return []

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        """A :class:`NearMiss` when the wrong ``given`` is just outside the tolerance, else None."""
        return None

    def format_problem(self, given: Any, key: Any) -> str | None:
        """Why ``given`` has the wrong form for ``key`` (a vector of the wrong length, a scalar
        for a shape): a format error, asked again, never a wrong attempt."""
        return None


def _near_number(given: float, key: float, tol: Tolerance) -> NearMiss | None:
    if not math.isfinite(given) or abs(given - key) > NEAR_FACTOR * tol.width(key):
        return None
    return NearMiss(abs(given - key) / abs(key) if key else None, tol.width(key) / abs(key) if key else None)


_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")  # 7,241,732,096 or 12,345.6
_LITERAL = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?")  # a number as typed, no operator


def _ungroup(text: str) -> str:
    """``'7,241,732,096'`` -> ``'7241732096'``: the thousands separators drill itself prints are read
    back (a first group never starts with 0, so ``0,5`` stays unreadable rather than becoming 5)."""
    t = text.strip()
    return t.replace(",", "") if _GROUPED.fullmatch(t) else t


def _number(text: str) -> float | int:
    text = _ungroup(text)
    try:
        value = evaluate(text)
    except ExprError as exc:
        raise Unreadable(f"could not read {_clip(text)!r} as a number: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unreadable(f"could not read {_clip(text)!r} as a number")
    return value


def _real(value: Any, text: str, what: str) -> float:
    """``value`` as a float; an integer too large for a float is unreadable, not an OverflowError."""
    try:
        return float(value)
    except OverflowError:
        raise Unreadable(f"could not read {_clip(text)!r} as {what}: number too large") from None


def _clip(text: str, n: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def _power_of_ten(given: float, key: float) -> str | None:
    if given == 0 or key == 0 or (given > 0) != (key > 0):
        return None
    # log10 of each side (math.log10 takes ints of any size), never given / key: a huge
    # integer answer divided by a float key overflows.
    ratio = math.log10(abs(given)) - math.log10(abs(key))
    if not math.isfinite(ratio):
        return None
    k = round(ratio)
    if k != 0 and abs(10.0 ** (ratio - k) - 1) < 0.01:
        return f"off by a factor of 10^{k}: check the decimal point or a missing/extra factor of ten"
    return None


class IntegerAnswer(AnswerType):
    name = "integer"
    example = "529411 (also 529,411 or 1024*2+1024)"
    example_sets = (
        (example, ("529411", "529,411", "1024*2+1024")),
        ("613207 (also 613,207 or 512*3+256)", ("613207", "613,207", "512*3+256")),
    )
    fallback_example = "a whole number such as 12,345 or 64*64*3"
    malformed = "12abc"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> int | float:
        value = _number(text)
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
        hint = _power_of_ten(given, key)
        return [hint] if hint else []


class NumberAnswer(AnswerType):
    name = "number"
    example = "-0.119, 1e-3, 3/4, sigmoid(2)-1, 0.1*(1+0.1**2)"
    example_sets = (
        (example, ("-0.119", "1e-3", "3/4", "sigmoid(2)-1", "0.1*(1+0.1**2)")),
        ("-0.237, 2e-3, 5/8, sigmoid(3)-1, 0.2*(1+0.3**2)", ("-0.237", "2e-3", "5/8", "sigmoid(3)-1", "0.2*(1+0.3**2)")),
    )
    fallback_example = "a decimal, a fraction or an expression such as exp(-2)"
    malformed = "0.1.2"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> float:
        return _real(_number(text), text, "a number")

    def coerce(self, value: Any) -> float:
        return float(value)

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return tol.accepts(float(given), float(key))

    def nudge(self, key: Any, tol: Tolerance) -> float:
        return float(key) + 2 * tol.width(float(key)) + 1e-12

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        return _near_number(float(given), float(key), tol)

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        out = [f"accepted: {tol.describe(key)}; exact value {fmt(key, 10)}"]
        if not correct:
            if key != 0 and tol.accepts(-given, key):
                out.append("the sign is flipped")
            hint = _power_of_ten(given, key)
            if hint:
                out.append(hint)
        return out


class ShapeAnswer(AnswerType):
    name = "shape"
    example = "5x7, 5×7, (5, 7), [5,7] or 5 7"
    example_sets = (
        (example, ("5x7",)),
        ("6x9, 6×9, (6, 9), [6,9] or 6 9", ("6x9",)),
    )
    fallback_example = "sizes separated by x, such as 3x4"
    malformed = "5 by"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> tuple[int, ...]:
        t = text.strip().strip("()[]").strip()
        parts = [p for p in re.split(r"\s*(?:[x×X*,]|\s)\s*", t) if p != ""]
        if not parts or not all(re.fullmatch(r"\d{1,9}", p) for p in parts):
            raise Unreadable(f"could not read {_clip(text)!r} as a shape; write it like {self.example}")
        return tuple(int(p) for p in parts)

    def coerce(self, value: Any) -> tuple[int, ...]:
        return tuple(int(v) for v in value)

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return tuple(given) == tuple(key)

    def format(self, value: Any, *, group: bool = True) -> str:
        return fmt_shape(value)

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


def _floats(value: Any, what: str, text: str) -> list[float]:
    if not isinstance(value, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise Unreadable(f"could not read {_clip(text)!r} as {what}")
    return [_real(v, text, what) for v in value]


def _denoise(values: list[float]) -> list[float]:
    """Entries below 1e-12 of the largest are the float noise of a sum that cancels: 0."""
    top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    return [0.0 if abs(v) < 1e-12 * top else v for v in values]


class VectorAnswer(AnswerType):
    name = "vector"
    example = "[0.1, -0.2, 0.1] or 0.1, -0.2, 0.1"
    example_sets = (
        (example, ("[0.1, -0.2, 0.1]",)),
        ("[0.3, -0.4, 0.2] or 0.3, -0.4, 0.2", ("[0.3, -0.4, 0.2]",)),
    )
    fallback_example = "numbers in brackets, separated by commas"
    malformed = "[0.1, "

    def parse(self, text: str, choices: Sequence[str] | None = None) -> list[float]:
        t = text.strip()
        if t and t[0] not in "[(":
            t = "[" + (t if "," in t else ",".join(t.split())) + "]"
        try:
            value = evaluate(t, allow_lists=True)
        except ExprError as exc:
            raise Unreadable(f"could not read {_clip(text)!r} as a vector: {exc}") from None
        return _floats(value, "a vector of numbers", text)

    def coerce(self, value: Any) -> list[float]:
        return _denoise([float(v) for v in value])

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return len(given) == len(key) and all(tol.accepts(g, k) for g, k in zip(given, key))

    def nudge(self, key: Any, tol: Tolerance) -> list[float]:
        return [key[0] + 2 * tol.width(key[0]) + 1e-12, *key[1:]]

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        if len(given) != len(key):
            return None
        nears = [_near_number(g, k, tol) for g, k in zip(given, key) if not tol.accepts(g, k)]
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
        out = [f"accepted, for each entry: {precision_text(tol, key)}"]
        if not correct and len(given) != len(key):
            out.append(f"the answer has {len(key)} entries, yours has {len(given)}")
        elif not correct and self.close([-g for g in given], key, tol):
            out.append("the sign is flipped")
        return out


class MatrixAnswer(VectorAnswer):
    name = "matrix"
    example = "[[1, 2], [3, 4]] or 1 2; 3 4"
    example_sets = (
        (example, ("[[1, 2], [3, 4]]",)),
        ("[[5, 6], [7, 8]] or 5 6; 7 8", ("[[5, 6], [7, 8]]",)),
    )
    fallback_example = "rows in brackets, or rows separated by ;"
    malformed = "[[1, 2], [3"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> list[list[float]]:
        t = text.strip()
        if len(t) > MAX_CHARS:  # each row below is evaluated: bound the whole text, not each row
            raise Unreadable(f"could not read {_clip(text)!r} as a matrix: too long ({len(t)} characters; at most {MAX_CHARS})")
        if ";" in t:
            rows = [VectorAnswer.parse(self, r) for r in t.strip("[]").split(";") if r.strip()]
        else:
            try:
                value = evaluate(t, allow_lists=True)
            except ExprError as exc:
                raise Unreadable(f"could not read {_clip(text)!r} as a matrix: {exc}") from None
            if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
                raise Unreadable(f"could not read {_clip(text)!r} as a matrix; write it like {self.example}")
            rows = [_floats(r, "a matrix of numbers", text) for r in value]
        if not rows or len({len(r) for r in rows}) != 1:
            raise Unreadable("the rows of the matrix have different lengths")
        return rows

    def coerce(self, value: Any) -> list[list[float]]:
        rows = [[float(v) for v in row] for row in value]
        flat = _denoise([v for row in rows for v in row])
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
        out = [f"accepted, for each entry: {precision_text(tol, key)}"]
        if not correct and (len(given), len(given[0])) != (len(key), len(key[0])):
            out.append(f"the answer is {len(key)}×{len(key[0])}, yours is {len(given)}×{len(given[0])}")
        return out


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class ChoiceAnswer(AnswerType):
    name = "choice"
    example = "a letter such as C, or the choice's text"
    example_sets = tuple((f"a letter such as {c}, or the choice's text", (c,)) for c in "CBA")
    malformed = "#?"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> str:
        choices = list(choices or [])
        t = text.strip()
        m = re.fullmatch(r"\(?([A-Za-z])[).]?", t)
        if m:
            letter = m.group(1).upper()
            if LETTERS.index(letter) < len(choices):
                return letter
            raise Unreadable(f"pick one of {LETTERS[0]}–{LETTERS[len(choices) - 1]}")
        wanted = " ".join(t.lower().split())
        for i, c in enumerate(choices):
            if " ".join(str(c).lower().split()) == wanted:
                return LETTERS[i]
        raise Unreadable(f"type a letter {LETTERS[0]}–{LETTERS[max(len(choices), 1) - 1]} or a choice's exact text")

    def format(self, value: Any, *, group: bool = True) -> str:
        return str(value)

    def nudge(self, key: Any, tol: Tolerance) -> str:
        return "A" if key != "A" else "B"


class ExpressionAnswer(AnswerType):
    """A formula in the question's variables, compared by value at several points."""

    name = "expression"
    example = "x*exp(-x**2) + 1"  # not a common key: the example must not give an answer away
    example_sets = ((example, (example,)), ("x**3 - 2*x", ("x**3 - 2*x",)))
    fallback_example = "a formula in the question's variables"
    malformed = "x +* 1"
    POINTS: ClassVar[tuple[float, ...]] = (-1.7, -0.6, 0.35, 1.1, 2.3)

    def __init__(self, variables: Sequence[str] = ("x",)) -> None:
        self.variables = tuple(variables)

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
            raise Unreadable(f"could not read {_clip(text)!r} as a formula in {', '.join(self.variables)}: {exc}") from None
        return text.strip()

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        try:
            return all(tol.accepts(g, k) for g, k in zip(self._values(given), self._values(key)))
        except ExprError:
            return False

    def format(self, value: Any, *, group: bool = True) -> str:
        return str(value)

    def nudge(self, key: Any, tol: Tolerance) -> str:
        return f"({key}) + 1"


ANSWER_TYPES: dict[str, type[AnswerType]] = {
    t.name: t for t in (IntegerAnswer, NumberAnswer, ShapeAnswer, VectorAnswer, MatrixAnswer, ChoiceAnswer, ExpressionAnswer)
}


def _echo(atype: AnswerType, text: str, given: Any) -> str:
    """The learner's answer as feedback repeats it: a number typed as a literal in their own form
    (``3.2e9`` stays ``3.2e9``, never ``3200000000``), anything else in drill's one format."""
    t = text.strip()
    if isinstance(atype, (IntegerAnswer, NumberAnswer)) and len(t) <= 40 and _LITERAL.fullmatch(t):  # length first: the regex is quadratic on a long line
        return t
    return atype.format(given)


def answer_type(name: str, variables: Sequence[str] | None = None) -> AnswerType:
    """The answer type registered as ``name``; a failed lookup names the key and the known ones."""
    try:
        cls = ANSWER_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown answer_type {name!r}; known: {', '.join(ANSWER_TYPES)}") from None
    return cls(variables or ("x",)) if cls is ExpressionAnswer else cls()


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
        given=_echo(atype, text, given),
        mistake=mistake,
        notes=notes,
        near_miss=near,
    )

