"""What a bank holds: the Question fields, declared once, and the file-level records around them.

Each field of :class:`Question` carries its part of the schema in ``metadata``:

* ``bank``: ``"required"`` or ``"optional"`` in a bank file, or ``None`` for what the loader sets;
* ``json``: the JSON type the field has in the cache's row (``None``: any JSON value); a field with
  ``row=False`` is not in the row (the control characters follow it separately);
* ``text``: True when it holds bank text, made safe when a Question is built;
* ``doc``: what the field is, for the generated field list.

:data:`REQUIRED`, :data:`OPTIONAL`, :data:`TEXT_FIELDS`, :data:`CACHE_ROW` and the field list in
``Question.__doc__`` all derive from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable

from drill.core.bank.limits import PLACEHOLDER_RE
from drill.core.textsafe import first_control, safe_data
from drill.core.tolerance import Tolerance


@dataclass(frozen=True)
class BankError:
    """One problem in a bank file, printed as one line: ``file:line: question 'id': field: message``."""

    file: str
    message: str
    line: int | None = None
    qid: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.qid:
            parts.append(f"question {self.qid!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts) + ": " + self.message


def control_in(fields: Iterable[tuple[str, Any]]) -> tuple[tuple[str, str], ...]:
    """(field, first control character) for each bank text field holding one, before it is made
    safe: what ``drill check`` reports."""
    out = []
    for name, value in fields:
        for text in (value if isinstance(value, (list, tuple)) else [value]):
            if isinstance(text, str):
                bad = first_control(text)
                if bad is not None:
                    out.append((name, bad))
                    break
    return tuple(out)


def _field(bank: str | None, json: Any, doc: str, *, text: bool = False, row: bool = True, **default: Any) -> Any:
    return field(metadata={"bank": bank, "json": json, "doc": doc, "text": text, "row": row}, **default)


@dataclass(frozen=True)
class Question:
    id: str = _field("required", str, "unique, stable, kebab-case", text=True)
    topic: str = _field("optional", str, "kebab-case; default: the file's topic", text=True)
    title: str = _field("required", str, "one line", text=True)
    difficulty: int = _field("required", int, "1–3")
    prompt: str = _field("required", str, "the question, with {param} placeholders", text=True)
    solver: str = _field("required", str, "a name in the solvers registry", text=True)
    params: dict = _field("required", dict, "the canonical instance (the seed's own numbers)", text=True)
    answer: Any = _field("required", None, "the hand-written key for the canonical params", text=True)
    answer_type: str = _field("required", str, "integer | number | shape | vector | matrix | choice | expression", text=True)
    source: str = _field("required", str, "where the question comes from", text=True)
    vary: dict = _field("optional", dict, "{param path: draw spec} (see drill.core.variants)", text=True, default_factory=dict)
    constraints: tuple[str, ...] = _field("optional", list, "expressions over the params every draw must satisfy", text=True, default=())
    tolerance: Tolerance = _field("optional", list, "rtol, {rtol, atol}, {decimals: N} or {estimate: r}", default=Tolerance())
    hint: str = _field("optional", str, "a template over the variant's values, like the prompt", text=True, default="")
    n_choices: int = _field("optional", int, "options of a choice question, 2–26", default=5)
    variables: tuple[str, ...] = _field("optional", list, "the variables of an expression answer", text=True, default=("x",))
    tags: tuple[str, ...] = _field("optional", list, "words", text=True, default=())
    file: str = _field(None, str, "the file it was read from", default="")
    line: int | None = _field(None, int, "the line it starts on (may be null)", default=None)
    control: tuple[tuple[str, str], ...] = _field(None, None, "(field, first control character) as the file had it", row=False, default=())

    def __post_init__(self) -> None:
        """Bank text is made safe where it enters (from a file or the cache): every string is
        :func:`drill.core.textsafe.visible`, so no view or solver context can carry an escape sequence."""
        for name in TEXT_FIELDS:
            object.__setattr__(self, name, safe_data(getattr(self, name)))

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.prompt)


_FIELDS = dataclasses.fields(Question)
REQUIRED = tuple(f.name for f in _FIELDS if f.metadata["bank"] == "required")
OPTIONAL = tuple(f.name for f in _FIELDS if f.metadata["bank"] == "optional")
TEXT_FIELDS = tuple(f.name for f in _FIELDS if f.metadata["text"])
# the cache's row: (field, JSON type) in dataclass order; stored as lists, not mappings: a third less to decode
CACHE_ROW: tuple[tuple[str, Any], ...] = tuple((f.name, f.metadata["json"]) for f in _FIELDS if f.metadata["row"])
Question.__doc__ = "One question template of a bank file. Fields:\n\n" + "\n".join(
    f"    {f.name}: {f.metadata['doc']}" + (f" ({f.metadata['bank']})" if f.metadata["bank"] else " (set by the loader)") for f in _FIELDS)


def raw_default(name: str) -> Any:
    """An optional field's default as a bank file would write it (a tuple as a list)."""
    f = next(f for f in _FIELDS if f.name == name)
    value = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Explanation:
    """A topic's walkthrough text (the file-level ``explain:`` section of its bank file).

    summary:     what the topic is, with its conventions, in a few sentences
    conventions: one line each (padding per side, floor, cross-correlation, …)
    formulas:    [(formula text, {symbol: meaning})] — an older bank's hand-written formulas: still read
                 (and checked for control characters), never shown; what ``drill explain`` and the
                 hint ladder show are the solvers' declared formulas, which ``drill check`` proves
    example:     the question id whose fresh variant is the worked example
    """

    topic: str
    summary: str
    example: str
    conventions: tuple[str, ...] = ()
    formulas: tuple[tuple[str, dict], ...] = ()
    file: str = ""
    control: tuple[tuple[str, str], ...] = ()  # (field, first control character) as the file had it

    def __post_init__(self) -> None:
        for name in ("topic", "summary", "example", "conventions", "formulas"):
            object.__setattr__(self, name, safe_data(getattr(self, name)))


@dataclass
class Bank:
    questions: dict[str, Question] = field(default_factory=dict)
    errors: list[BankError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    explanations: dict[str, Explanation] = field(default_factory=dict)

    def topics(self) -> dict[str, list[Question]]:
        out: dict[str, list[Question]] = {}
        for q in self.questions.values():
            out.setdefault(q.topic, []).append(q)
        return out
