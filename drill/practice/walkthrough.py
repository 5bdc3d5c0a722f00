"""A topic's walkthrough, computed: the topic and its explanation, the example question's fresh
variant, the formulas the topic's solvers declare, and each named mistake with the wrong answer it
gives on this example. drill.tui.explain_page renders it (and draws its picture)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drill.core.bank import Bank, Explanation, Question, SelectionError

if TYPE_CHECKING:
    from drill.core.variants import Variant

__all__ = ["Walkthrough", "build", "topic_formulas", "topic_lines", "resolve", "first_sentence", "mistake_text"]


@dataclass
class Walkthrough:
    """Everything a walkthrough shows. ``mistakes``: (what went wrong, the wrong answer as text)."""

    topic: str
    explanation: Explanation
    variant: Variant
    mistakes: list[tuple[str, str]]
    picture: Any = None  # a rich renderable the terminal view adds (drill.tui.pictures), if any
    formulas: list = field(default_factory=list)  # declared formulas (solvers.Formula), deduplicated

    @property
    def question(self) -> Question:
        return self.variant.question

    @property
    def seed(self) -> int:
        return self.variant.seed


def first_sentence(text: str) -> str:
    """The summary's first sentence: a topic's one line in the list."""
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


def topic_lines(bank: Bank) -> list[tuple[str, int, str]]:
    """(topic, number of questions, one line) for every topic, sorted by name."""
    out = []
    for topic, qs in sorted(bank.topics().items()):
        ex = bank.explanations.get(topic)
        out.append((topic, len(qs), first_sentence(ex.summary) if ex else qs[0].title))
    return out


def _fallback(topic: str, qs: list[Question]) -> Explanation:
    """A topic whose questions come from a file without its own explain section."""
    titles = "; ".join(q.title for q in qs)
    return Explanation(topic=topic, summary=f"Questions on {topic}: {titles}.", example=qs[0].id)


def resolve(bank: Bank, name: str) -> tuple[str, Explanation, Question]:
    """A topic name (or a question id) → (topic, its explanation, the example question).

    Raises SelectionError naming the closest topics for an unknown name.
    """
    topics = bank.topics()
    if name in topics:
        ex = bank.explanations.get(name) or _fallback(name, topics[name])
        q = bank.questions.get(ex.example)
        if q is None or q.topic != name:  # the example was skipped as broken, or belongs elsewhere
            q = topics[name][0]
        return name, ex, q
    if name in bank.questions:
        q = bank.questions[name]
        return q.topic, bank.explanations.get(q.topic) or _fallback(q.topic, topics[q.topic]), q
    close = difflib.get_close_matches(name, list(topics), n=3) or difflib.get_close_matches(name, list(bank.questions), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; topics: {', '.join(sorted(topics))}"
    raise SelectionError(f"unknown topic {name!r}{hint}")


def mistake_text(v: Variant, value: Any) -> str:
    """A mistake's wrong answer as text; for multiple choice, the option it picks."""
    return v.atype.shown(value, v.choices)


def build(bank: Bank, name: str, seed: int) -> Walkthrough:
    """The walkthrough of topic (or question id) ``name`` with variant ``seed`` as its example (no picture:
    the terminal view draws it).

    Raises SelectionError (unknown name) or drill.core.variants.VariantError (a broken template).
    """
    from drill.core.variants import make_variant

    topic, ex, q = resolve(bank, name)
    v = make_variant(q, seed)
    mistakes = [(what, mistake_text(v, value)) for what, value in v.mistakes.items()]
    return Walkthrough(topic, ex, v, mistakes, None, topic_formulas(bank, topic, v))


def topic_formulas(bank: Bank, topic: str, example: Variant) -> list:
    """The declared formulas of a topic: the example variant's, then each other question's at its
    canonical params (seed 0), one per expression and symbol names (values differ between variants)."""
    from drill.core.variants import VariantError, make_variant

    found, seen = [], set()
    variants = [example]
    for q in bank.topics().get(topic, []):
        if q is example.question:
            continue
        try:
            variants.append(make_variant(q, 0))
        except (VariantError, KeyError):
            continue  # a broken question is drill check's to report
    for v in variants:
        for f in v.formulas:
            key = (f.expr, tuple(s.name for s in f.symbols))
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found
