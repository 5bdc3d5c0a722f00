"""A bank file's cached form: plain JSON data (see drill.core.bank_cache for where it is kept), read
back by field name and checked field by field, then validated as a freshly parsed question would be."""

from __future__ import annotations

import dataclasses
from typing import Any

from drill.core.bank.schema import CACHE_ROW, OPTIONAL, REQUIRED, BankError, Explanation, Question
from drill.core.bank.validate import _explanation, _question
from drill.core.tolerance import Tolerance


_NAMES = tuple(name for name, _ in CACHE_ROW)


def _plain_value(value: Any) -> Any:
    if isinstance(value, Tolerance):
        return [value.rtol, value.atol, value.decimals, value.estimate]
    return list(value) if isinstance(value, tuple) else value


def _to_plain(questions: list[Question], errors: list[BankError], explanation: Explanation | None) -> dict:
    # a question is its row of CACHE_ROW fields, then its control characters (what drill check reports)
    qs = [[_plain_value(getattr(q, name)) for name in _NAMES] + [[list(c) for c in q.control]] for q in questions]
    errs = [[e.file, e.message, e.line, e.qid, e.field] for e in errors]
    ex = None if explanation is None else {
        "topic": explanation.topic, "summary": explanation.summary, "example": explanation.example,
        "conventions": list(explanation.conventions), "formulas": [[f, w] for f, w in explanation.formulas], "file": explanation.file,
        "control": [list(c) for c in explanation.control]}
    return {"questions": qs, "errors": errs, "explanation": ex}


def _pairs(v: Any) -> bool:
    return type(v) is list and all(type(p) is list and len(p) == 2 and type(p[0]) is str and type(p[1]) is str for p in v)


def _strs(v: Any) -> bool:
    return type(v) is list and all(type(x) is str for x in v)


def _num(v: Any) -> bool:
    return type(v) in (int, float)


def _from_plain(plain: Any) -> tuple[list[Question], list[BankError], Explanation | None] | None:
    """Rebuild a file's result from the cache's plain data; None when its structure is not right."""
    try:
        if type(plain) is not dict or plain.keys() != {"questions", "errors", "explanation"}:
            return None
        questions = []
        for row in plain["questions"]:
            q = _question_from_row(row)
            if q is None:
                return None
            questions.append(q)
        errors = [_error_from_row(e) for e in plain["errors"]]
        if None in errors:
            return None
        explanation = None
        if plain["explanation"] is not None:
            explanation = _explanation_from_plain(plain["explanation"], questions)
            if explanation is None:
                return None
        return questions, errors, explanation  # type: ignore[return-value]
    except (TypeError, ValueError, KeyError):
        return None


def _question_from_row(row: Any) -> Question | None:
    """One question from its row, by field name; None when a value has the wrong type or it does not revalidate."""
    if type(row) is not list or len(row) != len(_NAMES) + 1 or not _pairs(row[-1]):
        return None
    values, control = dict(zip(_NAMES, row[:-1])), tuple((a, b) for a, b in row[-1])
    for name, t in CACHE_ROW:  # JSON builds exact types: a bool is never an int here
        if name == "line":
            if values[name] is not None and type(values[name]) is not int:
                return None
        elif t is not None and type(values[name]) is not t:
            return None
    tol = values["tolerance"]
    if (len(tol) != 4 or not (tol[0] is None or _num(tol[0])) or not _num(tol[1])
            or not (tol[2] is None or type(tol[2]) is int) or type(tol[3]) is not bool):
        return None
    if not (_strs(values["constraints"]) and _strs(values["variables"]) and _strs(values["tags"])):
        return None
    values.update(constraints=tuple(values["constraints"]), variables=tuple(values["variables"]), tags=tuple(values["tags"]),
                  tolerance=Tolerance(None if tol[0] is None else float(tol[0]), float(tol[1]), tol[2], tol[3]))
    q = Question(**values, control=control)
    return q if _revalidated(q) else None  # found is not trusted: the same checks as a freshly parsed question


def _error_from_row(e: Any) -> BankError | None:
    opt = lambda v, t: v is None or type(v) is t  # noqa: E731
    if not (isinstance(e, list) and len(e) == 5 and isinstance(e[0], str) and isinstance(e[1], str)
            and opt(e[2], int) and opt(e[3], str) and opt(e[4], str)):
        return None
    return BankError(*e)


def _explanation_from_plain(ex: Any, questions: list[Question]) -> Explanation | None:
    if not (isinstance(ex, dict) and set(ex) == {"topic", "summary", "example", "conventions", "formulas", "file", "control"} and _pairs(ex["control"])
            and all(isinstance(ex[k], str) for k in ("topic", "summary", "example", "file")) and _strs(ex["conventions"])
            and isinstance(ex["formulas"], list)
            and all(isinstance(f, list) and len(f) == 2 and isinstance(f[0], str) and isinstance(f[1], dict)
                    and all(isinstance(k, str) and isinstance(v, str) for k, v in f[1].items()) for f in ex["formulas"])):
        return None
    explanation = Explanation(topic=ex["topic"], summary=ex["summary"], example=ex["example"], conventions=tuple(ex["conventions"]),
                              formulas=tuple((f[0], dict(f[1])) for f in ex["formulas"]), file=ex["file"],
                              control=tuple((a, b) for a, b in ex["control"]))
    raw_ex = {"summary": explanation.summary, "example": explanation.example, "conventions": list(explanation.conventions),
              "formulas": [{"formula": f, "where": w} for f, w in explanation.formulas]}
    problems: list[BankError] = []
    again = _explanation(raw_ex, explanation.topic, questions, explanation.file, lambda *path: None, problems)
    # the control characters the loader saw are a record of the raw file (the text is escaped): not re-derivable
    if again is None or dataclasses.replace(again, control=explanation.control) != explanation or problems:
        return None
    return explanation


def _revalidated(q: Question) -> bool:
    """True when ``q`` (read back from the cache) passes :func:`_question` as bank text would and
    comes out the same: a cache entry is untrusted input, never trusted for being found."""
    t = q.tolerance
    tolerance = ({"estimate": t.rtol} if t.estimate else {"decimals": t.decimals} if t.decimals is not None
                 else {"rtol": t.rtol, "atol": t.atol} if t.rtol is not None else None)
    raw = {name: _plain_value(getattr(q, name)) for name in REQUIRED + OPTIONAL if name != "tolerance"}
    if tolerance is not None:
        raw["tolerance"] = tolerance
    try:
        again, errors = _question(raw, 0, q.topic, q.file, lambda *path: q.line)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError):
        return False
    # the control characters the loader saw are a record of the raw file (the text is escaped): not re-derivable
    return not errors and again is not None and dataclasses.replace(again, control=q.control) == q
