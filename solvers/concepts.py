"""Conceptual multiple choice: one right option, named wrong options, a one-line why for each.

Params (all plain YAML)::

    correct:  "Softmax"                       # the right option's text
    why:      "one line: why it is right"
    wrong:    {"ReLU": "why ReLU is wrong", "Sigmoid": "...", ...}   # option text -> why wrong
    omit:     [4]                             # optional: 0-based indices into ``wrong`` left out
    remember: ["an extra line worth keeping"] # optional
    concept:  "the idea to reason from"       # the concept hint (hint level 2), never the answer

The options shown are ``correct`` plus every ``wrong`` option not omitted (the core shuffles
them per variant); a question with more distractors than fit varies ``omit`` so each variant
shows a different subset. Each wrong option's explanation is the "mistake" the grader names
when that option is picked.
"""

from __future__ import annotations

import re

from . import InvalidParams, Solution, solver
from ._params import Text, Vector, ListOf, TextMap

MIN_WRONG = 3
# The grader reads "B", "(b)", "c)" or "D." as a letter, so an option must not look like one.
_LETTERISH = re.compile(r"\(?[A-Za-z][).]?")


def _norm(text: str) -> str:
    """How the grader compares typed text with an option: case- and spacing-insensitive."""
    return " ".join(text.lower().split())


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParams(f"{what} must be non-empty text, got {value!r}")
    return " ".join(value.split())


@solver("concept-choice", params={
    "correct": Text("the correct option", example="Softmax"),
    "wrong": TextMap("the wrong options, each with why it is wrong", example={
        "ReLU": "ReLU is unbounded and does not make the outputs sum to 1.",
        "Tanh": "Tanh outputs lie in (−1, 1), can be negative and do not sum to 1.",
        "Step function": "A step function outputs hard 0s and 1s, not a distribution, and has no useful gradient."}),
    "why": Text("why the correct option is right", example="it turns the K logits into positive probabilities that sum to 1."),
    "concept": Text("the idea to reason from, in one line (the hint)", optional=True),
    "remember": ListOf("lines to remember after answering", item=Text("a line"), optional=True),
    "omit": Vector("options (0-based, in the order given) left out of this question", ints=True, lo=0, optional=True),
})
def concept_choice(p: dict) -> Solution:
    """The right option, its why, and {why wrong: option} for each distractor shown."""
    correct = _text(p["correct"], "correct")
    why = _text(p["why"], "why")
    wrong_raw = p["wrong"]
    if not isinstance(wrong_raw, dict):
        raise InvalidParams("wrong must map each wrong option's text to why it is wrong")
    wrong = [(_text(k, "a wrong option"), _text(v, f"the explanation of {k!r}")) for k, v in wrong_raw.items()]
    omit = p.get("omit") or []
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(wrong) for i in omit) or len(set(omit)) != len(omit):
        raise InvalidParams(f"omit must list distinct indices 0..{len(wrong) - 1} of wrong options, got {omit!r}")
    shown = [w for i, w in enumerate(wrong) if i not in omit]
    if len(shown) < MIN_WRONG:
        raise InvalidParams(f"a question needs at least {MIN_WRONG} wrong options shown, got {len(shown)}")

    options = [correct] + [t for t, _ in wrong]
    seen: dict[str, str] = {}
    for t in options:
        if _norm(t) in seen:
            raise InvalidParams(f"option {t!r} repeats {seen[_norm(t)]!r} (the grader could not tell them apart)")
        if _LETTERISH.fullmatch(t):
            raise InvalidParams(f"option {t!r} would be read as a letter")
        seen[_norm(t)] = t
    reasons = [why] + [r for _, r in wrong]
    if len({_norm(r) for r in reasons}) != len(reasons):
        raise InvalidParams("every option needs its own explanation (two are the same)")

    steps = [f"{correct}: {why}"]
    steps += [_text(r, "a remember line") for r in p.get("remember") or []]
    steps += [f"Not “{t}”: {r}" for t, r in shown]
    mistakes = {r: t for t, r in shown}
    concept = _text(p["concept"], "concept") if p.get("concept") is not None else ""
    if concept and _norm(correct) in _norm(concept):
        raise InvalidParams(f"the concept hint names the answer {correct!r}")
    return Solution(correct, steps, mistakes, concept=concept)
