"""Question banks: YAML files of question templates, loaded safely and validated.

A bank file::

    format_version: 1
    topic: param-counts            # default topic for the questions below
    questions:
      - id: mlp-params             # unique, stable, kebab-case
        title: Parameters of a small MLP
        difficulty: 1              # 1–3
        prompt: "An MLP maps {in_features} inputs ..."
        solver: network-params     # a name in the solvers registry
        params: {...}              # the canonical instance (the seed's own numbers)
        vary: {path: spec, ...}    # how to draw random params (see drill.core.variants)
        answer: 529411             # the hand-written key for the canonical params
        answer_type: integer       # integer | number | shape | vector | matrix | choice | expression
        source: "003: Quiz Break, MLP parameters"

Only ``yaml.CSafeLoader``/``SafeLoader`` is used. Every problem becomes a :class:`BankError`
that names the file, the line, the question id and the field; a loader collects all of a
file's problems rather than stopping at the first. This package imports no numpy/sympy.

One module per job: :mod:`.locate` (where bank files are), :mod:`.safe_yaml` (reading a file
safely: limits, the event scan, lines of fields), :mod:`.schema` (the Question fields, declared
once), :mod:`.validate` (field by field), :mod:`.cache` (the cached form); this module loads and
selects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Collection, Iterable, Mapping

from drill.core.bank.limits import (FORMAT_VERSION, ID_RE, MAX_CONSTRAINTS, MAX_COUNT, MAX_FILE_BYTES, MAX_INT_DIGITS,  # noqa: F401
                                    MAX_PARAM_INT, MAX_PARAM_LIST, MAX_PARAM_VALUES, MAX_PROMPT_CHARS, MAX_QUESTIONS_PER_FILE,  # noqa: F401
                                    MAX_RENDERED_PROMPT, MAX_TEXT_CHARS, MAX_YAML_CHARS, MAX_YAML_DEPTH, MAX_YAML_VALUES,  # noqa: F401
                                    PLACEHOLDER_RE, PLURAL_RE, param_limit_problem)  # noqa: F401 - the public names, as before the split
from drill.core.bank.locate import BANK_ENV, BankDirError, _display, bank_dirs, builtin_dir  # noqa: F401
from drill.core.bank.safe_yaml import _Locator, _read_bank_file, _read_regular, _resolve_bank_file, _scan, parse  # noqa: F401
from drill.core.bank.schema import OPTIONAL, REQUIRED, Bank, BankError, Explanation, Question, control_in  # noqa: F401
from drill.core.bank.validate import EXPLAIN_KEYS, FILE_KEYS, VARY_KINDS, VARY_MODIFIERS, _explanation, _question, file_questions  # noqa: F401
from drill.core.bank.cache import _from_plain, _revalidated, _to_plain  # noqa: F401

__all__ = ["BANK_ENV", "BankDirError", "bank_dirs", "FORMAT_VERSION", "Question", "Explanation", "BankError", "Bank", "SelectionError", "load_bank", "load_file", "builtin_dir", "select", "param_limit_problem"]


def load_bank(dirs: Iterable[Path] | None = None, solvers: Collection[str] | None = None) -> Bank:
    """Load every ``*.yaml`` under ``dirs`` (default: the built-in bank), in name order.

    A question whose id is already taken by another file is an error naming both files.
    solvers: the registered solver names; when given, a question naming another solver is an
    error (callers that already import the solvers pass them; ``drill list`` does not, so it
    stays free of numpy). Given as the registry (name → Solver), each question's params are also
    checked against its solver's declared params: a param the solver does not declare, a missing
    one or a wrong kind is an error naming the param's path and line, and the question is skipped.
    """
    bank = Bank()
    for d in list(dirs) if dirs is not None else [builtin_dir()]:
        paths = sorted(Path(d).glob("*.yaml")) if Path(d).is_dir() else [Path(d)]
        root = Path(d) if Path(d).is_dir() else None
        for path in paths:
            bank.files.append(str(path))
            questions, errors, explanation = _load_file_guarded(path, root)
            if solvers is not None and any(q.solver not in solvers for q in questions):
                questions = _known_solvers(path, questions, solvers, errors, root)
            if isinstance(solvers, Mapping):
                questions = _declared_params(path, questions, solvers, errors, root)
            bank.errors.extend(errors)
            if explanation is not None:
                other = bank.explanations.get(explanation.topic)
                if other is not None:
                    bank.errors.append(BankError(explanation.file, f"topic {explanation.topic!r} is already explained in {other.file}", None, None, "explain"))
                else:
                    bank.explanations[explanation.topic] = explanation
            for q in questions:
                other = bank.questions.get(q.id)
                if other is not None:
                    bank.errors.append(BankError(q.file, f"id already used in {other.file}:{other.line}", q.line, q.id, "id"))
                    continue
                bank.questions[q.id] = q
    return bank


def _declared_params(path: Path, questions: list[Question], solvers: Mapping[str, Any], errors: list[BankError],
                     root: Path | None = None) -> list[Question]:
    """The questions whose params fit their solver's declaration (``Solver.check_params``); one
    error per problem for each other, at the line of the param it names (``params.layer.stride``)."""
    found = {q.id: solvers[q.solver].check_params(q.params) for q in questions if hasattr(solvers[q.solver], "check_params")}
    if not any(found.values()):
        return questions
    raw = _read_bank_file(Path(path), root)
    locate = _Locator(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else "")
    index = locate.question_index()
    for q in questions:
        for param, problem in found.get(q.id, []):
            keys = [int(k) if k.isdigit() else k for k in param.split(".")] if param else []
            i = index.get(q.id)
            line = locate("questions", i, "params", *keys) if i is not None else None
            errors.append(BankError(q.file, problem, line or q.line, q.id, f"params.{param}" if param else "params"))
    return [q for q in questions if not found.get(q.id)]


def _known_solvers(path: Path, questions: list[Question], solvers: Collection[str], errors: list[BankError],
                   root: Path | None = None) -> list[Question]:
    """The questions whose solver is registered; an error (with the solver line) for each other.
    Linear in the questions: the file is composed once and each suggestion computed once per name."""
    import difflib

    raw = _read_bank_file(Path(path), root)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
    locate = _Locator(text)
    index = None
    hints: dict[str, str] = {}
    names = list(solvers)
    kept = []
    for q in questions:
        if q.solver in solvers:
            kept.append(q)
            continue
        if index is None:
            index = locate.question_index()
        if q.solver not in hints:
            close = difflib.get_close_matches(q.solver, names, n=3)
            hints[q.solver] = f"; did you mean {', '.join(close)}?" if close else "; see the solvers package for the names"
        i = index.get(q.id)
        line = locate("questions", i, "solver") if i is not None else None
        errors.append(BankError(q.file, f"unknown solver {q.solver!r}{hints[q.solver]}", line or q.line, q.id, "solver"))
    return kept


def _load_file_guarded(path: Path, root: Path | None) -> tuple[list[Question], list[BankError], Explanation | None]:
    """:func:`_load_file`, with a last line of defence: whatever one file does, the others load."""
    try:
        return _load_file(path, root)
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError) as exc:
        return [], [BankError(_display(Path(path)), f"cannot load this file ({type(exc).__name__}: {str(exc)[:200]})")], None


def load_file(path: Path) -> tuple[list[Question], list[BankError]]:
    """Parse and validate one bank file; returns the valid questions and every problem found."""
    questions, errors, _ = _load_file(path)
    return questions, errors


def _load_file(path: Path, root: Path | None = None) -> tuple[list[Question], list[BankError], Explanation | None]:
    """One file's questions, problems and walkthrough; from the content-keyed cache when it can."""
    from drill.core import bank_cache

    name = _display(Path(path))
    real = _resolve_bank_file(Path(path), root)
    raw_bytes = real if isinstance(real, str) else _read_regular(real[0])
    if isinstance(raw_bytes, str):
        return [], [BankError(name, raw_bytes)], None
    where = real[0]
    caching = bank_cache.enabled()
    if caching:
        plain = bank_cache.get(where, name, raw_bytes)
        cached = _from_plain(plain) if plain is not None else None
        if cached is not None:
            return cached
    questions, errors, data, locate, name = _load_questions(name, raw_bytes)
    explanation = None
    if isinstance(data, dict) and "explain" in data:
        explanation = _explanation(data["explain"], data.get("topic"), questions, name, locate, errors)
    if caching:
        bank_cache.put(where, name, raw_bytes, _to_plain(questions, errors, explanation))
    return questions, errors, explanation


def _load_questions(name: str, raw_bytes: bytes) -> tuple[list[Question], list[BankError], Any, Any, str]:
    """A file's questions and problems, its data and locator (for the explain section)."""
    data, locate, problem = parse(name, raw_bytes)
    if problem is not None:
        return [], [problem], None, None, name
    questions, errors = file_questions(name, data, locate)
    return questions, errors, data, locate, name


class SelectionError(LookupError):
    """An unknown topic or question id; the message names it and the closest known names."""

    def __str__(self) -> str:
        return str(self.args[0])


def select(bank: Bank, topics: Iterable[str] = (), ids: Iterable[str] = ()) -> list[Question]:
    """The questions with these ids, else those in these topics, else all (in bank order)."""
    import difflib

    ids, topics = list(ids), list(topics)
    for qid in ids:
        if qid not in bank.questions:
            close = difflib.get_close_matches(qid, bank.questions, n=3)
            raise SelectionError(f"unknown question {qid!r}" + (f"; did you mean {', '.join(close)}?" if close else "; see 'drill list'"))
    if ids:
        return [bank.questions[qid] for qid in ids]
    known = bank.topics()
    for t in topics:
        if t not in known:
            close = difflib.get_close_matches(t, known, n=3)
            raise SelectionError(f"unknown topic {t!r}" + (f"; did you mean {', '.join(close)}?" if close else f"; topics: {', '.join(sorted(known))}"))
    return [q for q in bank.questions.values() if not topics or q.topic in topics]
