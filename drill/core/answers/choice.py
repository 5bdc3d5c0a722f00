"""Multiple choice: the learner types a letter (``C``) or an option's exact text.

A variant's key is the correct option's *letter*; the solver's value behind it is the variant's
``answer_value``. The options are the answer and the named mistakes (or the solver's fixed
choices), as text, shuffled by the question id and seed.
"""

from __future__ import annotations

import random
import re
from typing import Any, Sequence

from drill.core.answers.base import AnswerType, Keyed, Unreadable
from drill.core.tolerance import Tolerance
from drill.solvers._fmt import fmt

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def option_text(value: Any) -> str:
    """A solver's value as an option's text (numbers to 4 significant figures)."""
    return fmt(value, 4) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


class ChoiceAnswer(AnswerType):
    name = "choice"
    example = "a letter such as C, or the choice's text"
    example_sets = tuple((f"a letter such as {c}, or the choice's text", (c,)) for c in "CBA")
    malformed = "#?"
    exact = True
    options = True
    key_help = "the correct option's value or text (not a letter)"

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

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return ""

    # --- the key: an option's value in the bank, a letter in a variant ------------------

    def read_key(self, raw: Any) -> Any:
        """The bank's key is the correct option's value or text, as written."""
        return raw

    def key_agrees(self, key: Any, v: Any) -> bool:
        """By option value: numbers within the tolerance, text with its spacing normalised."""
        solved = v.answer_value
        if isinstance(key, (int, float)) and isinstance(solved, (int, float)):
            return v.tolerance.accepts(float(key), float(solved))
        return " ".join(str(key).split()) == " ".join(str(solved).split())

    def finish(self, answer: Any, mistakes: dict[str, Any], tol: Tolerance, *, choices: Sequence[Any] | None = None,
               n_choices: int = 5, shuffle: str = "") -> Keyed:
        """Options = the answer, then the named mistakes (or the solver's fixed choices), shuffled."""
        correct = option_text(answer)
        texts: list[str] = [correct]
        why: dict[str, str] = {}
        pool = [(n, v) for n, v in mistakes.items()] + [(None, v) for v in (choices or [])]
        for name, value in pool:
            text = option_text(value)
            if text not in texts and len(texts) < n_choices:
                texts.append(text)
            if name and text != correct:
                why.setdefault(text, name)
        order = list(range(len(texts)))
        random.Random(shuffle).shuffle(order)
        options = [texts[i] for i in order]
        named = {why[t]: LETTERS[i] for i, t in enumerate(options) if t in why}
        return Keyed(LETTERS[options.index(correct)], named, [], options, answer)

    # --- showing ------------------------------------------------------------------------

    def shown(self, value: Any, choices: Sequence[str] | None = None, *, group: bool = True) -> str:
        """A letter and the option it picks: ``B) 0.25``."""
        return f"{value}) {choices[LETTERS.index(value)]}" if choices is not None else str(value)

    def value_of(self, answer: Any, answer_value: Any) -> Any:
        return answer_value

    def value_text(self, v: Any) -> str:
        return option_text(v.answer_value)

    def same_answer(self, a: Any, b: Any) -> bool:
        return option_text(a.answer_value) == option_text(b.answer_value)

    def json_extras(self, answer: Any, choices: Sequence[str] | None) -> dict[str, Any]:
        return {"choices": choices, "answer_text": choices[LETTERS.index(answer)]} if choices is not None else {}

    # --- checking itself ----------------------------------------------------------------

    def nudge(self, key: Any, tol: Tolerance) -> str:
        return "A" if key != "A" else "B"

    def self_check(self, v: Any) -> list[str]:
        """The options are distinct and at least two; a wrong letter is graded wrong."""
        problems = []
        if len(set(v.choices)) != len(v.choices) or len(v.choices) < 2:
            problems.append(f"choices are not distinct or too few: {v.choices}")
        if v.grade(self.nudge(v.answer, v.tolerance)).status != "wrong":
            problems.append("a wrong letter is not graded wrong")
        return problems
