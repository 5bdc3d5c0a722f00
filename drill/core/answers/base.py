"""The answer-type protocol: everything drill knows about one kind of answer, in one class.

An answer type is an *element* (PrairieLearn's ``pl-number-input``): one module under
``drill/core/answers/`` holds its whole life cycle, and nothing outside the package asks which
type a question has. What a type declares and does:

* **reading** — :meth:`~AnswerType.parse` turns typed text into a value or raises
  :class:`Unreadable` (a format error costs the learner nothing: they are asked again);
  :meth:`~AnswerType.format_problem` says when a readable value has the wrong form for the key.
* **comparing** — :meth:`~AnswerType.close` compares a value with the key under the question's
  :class:`~drill.core.tolerance.Tolerance` (floats never with ``==``); :meth:`~AnswerType.near`
  and :meth:`~AnswerType.notes` explain a wrong answer.
* **canonical form** — :meth:`~AnswerType.coerce` makes a solver's value the type's Python form;
  :meth:`~AnswerType.to_json` makes it JSON (cache, ``--json``, the progress store's text).
* **precision** — :attr:`~AnswerType.exact` (a bank tolerance is refused), :attr:`~AnswerType.estimates`
  (an estimate tolerance is allowed), :attr:`~AnswerType.stated_precision` (the prompt states its
  precision in words ``drill check`` reads) and :meth:`~AnswerType.precision_text`, the words shown
  before and after answering.
* **examples** — :attr:`~AnswerType.example` / :attr:`~AnswerType.example_sets` (the format line,
  never one that grades correct), :attr:`~AnswerType.malformed` (a text that must be unreadable).
* **the bank key** — :attr:`~AnswerType.options` (the bank's ``n_choices`` applies), :attr:`~AnswerType.key_help` (what ``drill new`` asks the author to write),
  :meth:`~AnswerType.read_key` (the hand-written key in the type's form) and
  :meth:`~AnswerType.key_agrees` (``drill check``'s comparison of that key with the solver's value).
* **a variant's key** — :meth:`~AnswerType.finish` turns a solver's answer and mistakes into the
  key, the distinguishable mistakes and (multiple choice) the shuffled options.
* **showing** — :meth:`~AnswerType.format` (drill's one number format), :meth:`~AnswerType.shown`
  (a key or a mistake as the terminal and an Anki card show it), :meth:`~AnswerType.echo` (the
  learner's own answer repeated back) and :meth:`~AnswerType.value_of` (the solver's value behind a key).
* **checking itself** — :meth:`~AnswerType.nudge` (a value just outside the tolerance) and
  :meth:`~AnswerType.self_check` (what ``drill check`` proves of a variant: a correct, an incorrect
  just outside the tolerance and an invalid submission get the verdicts they must).

Types differ by class attributes and overrides only (rich's ``IntPrompt`` vs ``Prompt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

from drill.core.tolerance import Tolerance, tolerance_words
from drill.solvers._fmt import fmt

__all__ = ["AnswerType", "Unreadable", "NearMiss", "NEAR_FACTOR", "Keyed", "distinct_mistakes"]

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
class Keyed:
    """A variant's key as :meth:`AnswerType.finish` makes it.

    answer:   the key in the type's form (multiple choice: the correct option's letter)
    mistakes: {name: wrong answer in the same form}, only those a grader can tell from the key
    masked:   names of mistakes inside the tolerance (a bank bug ``drill check`` reports)
    choices:  the option texts (multiple choice), else None
    value:    the solver's value behind a letter key (multiple choice), else None
    """

    answer: Any
    mistakes: dict[str, Any]
    masked: list[str] = field(default_factory=list)
    choices: list[str] | None = None
    value: Any = None


def distinct_mistakes(
    atype: AnswerType, key: Any, mistakes: dict[str, Any], tol: Tolerance, masked: list[str] | None = None
) -> dict[str, Any]:
    """Drop mistakes a grader could not tell from the key; merge those it cannot tell apart.

    A mistake that equals the key exactly is no mistake for these params. One that differs
    but falls inside the tolerance would be graded correct: its name goes to ``masked`` — except
    in an estimate (``tol.estimate``), where it is an acceptable answer and is kept by name.
    """
    kept: dict[str, Any] = {}
    for name, value in mistakes.items():
        if tol.estimate and atype.close(value, key, tol) and not atype.close(value, key, Tolerance(rtol=1e-9, atol=1e-12)):
            kept[name] = value
            continue
        if atype.close(value, key, tol):
            if masked is not None and not atype.close(value, key, Tolerance(rtol=1e-9, atol=1e-12)):
                masked.append(name)
            continue
        twin = next((n for n, v in kept.items() if atype.close(value, v, tol)), None)
        if twin is None:
            kept[name] = value
        else:
            kept[f"{twin}; or {name}"] = kept.pop(twin)
    return kept


_EXAMPLE_VALUES: dict[tuple, dict[str, Any]] = {}  # (type, variables, choices) -> {example: value}


class AnswerType:
    """Base class: a type sets ``name`` and its examples, and overrides what differs (see the module)."""

    name: ClassVar[str] = ""
    example: ClassVar[str] = ""
    # Alternatives to ``example``, each (text, the answers it shows): the answer-format line
    # shows the first set none of whose answers would be graded correct (see example_for).
    example_sets: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()
    fallback_example: ClassVar[str] = "see the question"
    malformed: ClassVar[str] = "#?"
    exact: ClassVar[bool] = False  # a bank tolerance is refused ("integer answers are exact")
    estimates: ClassVar[bool] = False  # an estimate tolerance ({rtol: X, estimate: true}) is allowed
    stated_precision: ClassVar[bool] = False  # the prompt states its precision in words drill check reads
    options: ClassVar[bool] = False  # the learner picks one of the variant's options (the bank's n_choices applies)
    key_help: ClassVar[str] = "an answer"  # what `drill new` asks the author to write after `answer:`

    def __init__(self, variables: Sequence[str] = ("x",)) -> None:
        self.variables = tuple(variables)

    # --- examples ---------------------------------------------------------------------

    def example_for(self, key: Any, tol: Tolerance, choices: Sequence[str] | None = None) -> str:
        """The format example for a question whose key is ``key``: never one that grades correct
        (an example must not give the answer away). Falls back to a plain description."""
        for text, answers in self.example_sets or ((self.example, ()),):
            if not any(self._accepts_text(a, key, tol, choices) for a in answers):
                return text
        return self.fallback_example

    def _accepts_text(self, text: str, key: Any, tol: Tolerance, choices: Sequence[str] | None) -> bool:
        try:
            return bool(self.close(self._parsed(text, tuple(choices or ())), key, tol))
        except (Unreadable, TypeError, ValueError):
            return False

    def _parsed(self, text: str, choices: tuple[str, ...]) -> Any:
        """An example's parsed value; examples are fixed text, so each is parsed once."""
        cache = _EXAMPLE_VALUES.setdefault((type(self), self.variables, choices), {})
        if text not in cache:
            try:
                cache[text] = self.parse(text, choices)
            except Unreadable as exc:
                cache[text] = exc
        if isinstance(cache[text], Unreadable):
            raise cache[text]
        return cache[text]

    # --- reading and comparing ----------------------------------------------------------

    def parse(self, text: str, choices: Sequence[str] | None = None) -> Any:
        """Typed text as a value of this type; :class:`Unreadable` (one line) when it is not one."""
        raise NotImplementedError

    def coerce(self, value: Any) -> Any:
        """A solver's or a key's value in this type's canonical Python form."""
        return value

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return given == key

    def format_problem(self, given: Any, key: Any) -> str | None:
        """Why ``given`` has the wrong form for ``key`` (a vector of the wrong length, a scalar
        for a shape): a format error, asked again, never a wrong attempt."""
        return None

    def near(self, given: Any, key: Any, tol: Tolerance) -> NearMiss | None:
        """A :class:`NearMiss` when the wrong ``given`` is just outside the tolerance, else None."""
        return None

    def notes(self, given: Any, key: Any, tol: Tolerance, correct: bool) -> list[str]:
        return []

    # --- precision ----------------------------------------------------------------------

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        """The precision a learner is held to, in the words shown before and after an answer
        ('' when there is nothing to say); ``key`` only decides whether the absolute floor is named."""
        return tolerance_words(tol, key)

    # --- the bank's key and a variant's key ----------------------------------------------

    def read_key(self, raw: Any) -> Any:
        """The bank's hand-written key in this type's form; :class:`Unreadable` when it does not read."""
        return self.parse(str(raw))

    def key_agrees(self, key: Any, v: Any) -> bool:
        """Whether the bank's key (:meth:`read_key`) agrees with variant ``v``'s solved key; an
        estimate's key may be the published figure ("175B"): inside the window around the solver's value."""
        return bool(self.close(key, v.answer, v.tolerance))

    def finish(self, answer: Any, mistakes: dict[str, Any], tol: Tolerance, *, choices: Sequence[Any] | None = None,
               n_choices: int = 5, shuffle: str = "") -> Keyed:
        """A solver's answer and mistakes as a variant's key (``choices``, ``n_choices`` and the
        ``shuffle`` seed are for multiple choice). TypeError/ValueError/ArithmeticError when the
        solver's answer is not of this type."""
        key = self.coerce(answer)
        masked: list[str] = []
        kept = distinct_mistakes(self, key, {k: self.coerce(v) for k, v in mistakes.items()}, tol, masked)
        return Keyed(key, kept, masked)

    # --- showing ------------------------------------------------------------------------

    def format(self, value: Any, *, group: bool = True) -> str:
        """``value`` as drill shows it (:func:`~drill.solvers._fmt.fmt`); ``group=False`` without
        thousands separators, for machine output."""
        return fmt(value, group=group)

    def shown(self, value: Any, choices: Sequence[str] | None = None, *, group: bool = True) -> str:
        """A key or a mistake as the terminal, the Anki card and ``--json`` show it."""
        return self.format(value, group=group)

    def echo(self, text: str, given: Any) -> str:
        """The learner's answer as feedback repeats it (drill's one format by default)."""
        return self.format(given)

    def value_of(self, answer: Any, answer_value: Any) -> Any:
        """The solver's value behind a variant's key ``answer`` (``answer_value`` is the option's
        value when the key is a letter)."""
        return answer

    def value_text(self, v: Any) -> str:
        """Variant ``v``'s answer as text (``drill check``'s quality report)."""
        return self.format(v.answer)

    def same_answer(self, a: Any, b: Any) -> bool:
        """Whether variants ``a`` and ``b`` of one question have the same answer (under ``a``'s tolerance)."""
        try:
            return bool(self.close(b.answer, a.answer, a.tolerance))
        except (TypeError, ValueError):
            return False

    def to_json(self, value: Any) -> Any:
        """``value`` as JSON (a shape's tuple as a list)."""
        return list(value) if isinstance(value, tuple) else value

    def json_extras(self, answer: Any, choices: Sequence[str] | None) -> dict[str, Any]:
        """Fields a variant's JSON adds after ``answer_type`` (multiple choice: the options)."""
        return {}

    # --- checking itself ----------------------------------------------------------------

    def nudge(self, key: Any, tol: Tolerance) -> Any:
        """A value just outside the tolerance of ``key`` (for ``drill check``)."""
        raise NotImplementedError

    def self_check(self, v: Any) -> list[str]:
        """What ``drill check`` proves of variant ``v`` beyond its key grading correct: a value just
        outside the tolerance (:meth:`nudge`) is graded wrong. The malformed text is checked by the caller."""
        outside = self.format(self.nudge(v.answer, v.tolerance))
        g = v.grade(outside)
        return [] if g.status == "wrong" else [f"{outside!r}, just outside tolerance, is graded {g.status}"]
