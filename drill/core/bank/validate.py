"""Validating a parsed bank file: the file's top level, each question field by field, the
walkthrough section. Every problem is a :class:`BankError` naming the file, line, question and
field; a file's problems are all collected rather than stopping at the first."""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from drill.core.bank.limits import (FORMAT_VERSION, ID_RE, MAX_CONSTRAINTS, MAX_PROMPT_CHARS, PLACEHOLDER_RE, PLURAL_RE,
                                    param_limit_problem)
from drill.core.bank.schema import OPTIONAL, REQUIRED, BankError, Explanation, Question, control_in, raw_default
from drill.core.tolerance import Tolerance
from drill.solvers._fmt import fmt


FILE_KEYS = ("format_version", "topic", "questions", "explain")
EXPLAIN_KEYS = ("summary", "conventions", "formulas", "example")
VARY_KINDS = ("int", "float", "choice", "vector", "matrix", "same", "expr")
VARY_MODIFIERS = ("decimals", "step", "len", "rows", "cols", "exclude")


def file_questions(name: str, data: Any, locate: Any) -> tuple[list[Question], list[BankError]]:
    """The valid questions of a parsed file and every problem found in it."""
    if data is None:
        return [], [BankError(name, "the file is empty; a bank file is a mapping with format_version and questions", 1)]
    if not isinstance(data, dict):
        return [], [BankError(name, f"a bank file is a mapping with format_version and questions, not a {type(data).__name__}", 1)]
    errors: list[BankError] = []
    for key in data:
        if key not in FILE_KEYS:
            errors.append(BankError(name, f"unknown top-level key {key!r}; allowed: {', '.join(FILE_KEYS)}", locate(key)))
    if data.get("format_version") != FORMAT_VERSION:  # another format cannot be read as this one: skip the file
        errors.append(BankError(name, f"format_version must be {FORMAT_VERSION} (found {data.get('format_version')!r})", locate("format_version") or 1))
        return [], errors
    items = data.get("questions")
    if not isinstance(items, list):
        errors.append(BankError(name, "'questions' must be a list of question mappings", locate("questions") or 1))
        return [], errors
    questions = []
    for i, raw in enumerate(items):
        q, errs = _question(raw, i, data.get("topic"), name, locate)
        errors.extend(errs)
        if q is not None and not errs:
            questions.append(q)
    return questions, errors


class _Draft:
    """One question under validation: its raw mapping, where problems go, and the values read so far."""

    def __init__(self, raw: dict, default_topic: Any, err: Callable[..., None], errors: list[BankError]) -> None:
        self.raw, self.err, self.errors = raw, err, errors
        self.topic = raw.get("topic", default_topic)
        self.tolerance = Tolerance()
        self.opt = {key: raw.get(key, raw_default(key)) for key in ("n_choices", "variables", "constraints", "tags", "vary")}


def _question(raw: Any, i: int, default_topic: Any, name: str, locate: Any) -> tuple[Question | None, list[BankError]]:
    """A question built from its raw mapping, or None, with every problem found (in :data:`_CHECKS` order)."""
    line = locate("questions", i)
    qid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{i + 1}"
    errors: list[BankError] = []

    def err(fld: str | None, msg: str, *within: Any) -> None:
        at = locate("questions", i, fld, *within) if fld else line  # within: a key inside the field
        errors.append(BankError(name, msg, at or line, qid, fld))

    if not isinstance(raw, dict):
        err(None, "a question must be a mapping of fields")
        return None, errors
    _known_and_present(raw, err)
    if errors:
        return None, errors
    d = _Draft(raw, default_topic, err, errors)
    for check in _CHECKS:
        check(d)
    if errors:
        return None, errors
    return _build(d, name, line), errors


def _known_and_present(raw: dict, err: Callable[..., None]) -> None:
    for key in raw:
        if key not in REQUIRED and key not in OPTIONAL:
            err(str(key), f"unknown field; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    for key in REQUIRED:
        if key not in raw:
            err(key, f"missing required field {key!r}")  # the line is the question's


def _build(d: _Draft, name: str, line: int | None) -> Question:
    raw, opt = d.raw, d.opt
    return Question(
        id=raw["id"], topic=d.topic, title=raw["title"].strip(), difficulty=raw["difficulty"],
        prompt=raw["prompt"].strip(), solver=raw["solver"], params=raw["params"], answer=raw["answer"],
        answer_type=raw["answer_type"], source=raw["source"], vary=opt["vary"],
        constraints=tuple(opt["constraints"]), tolerance=d.tolerance, hint=raw.get("hint", ""),
        n_choices=opt["n_choices"], variables=tuple(opt["variables"]), tags=tuple(opt["tags"]), file=name, line=line,
        control=control_in([(k, raw.get(k)) for k in ("title", "prompt", "hint", "source", "answer", "constraints", "tags")]
                           + [("params", _strings(raw["params"])), ("vary", _strings(opt["vary"]))]),
    )


# --- one small check per field, run in this order (the order problems are reported in) -----------


def _id(d: _Draft) -> None:
    if not isinstance(d.raw["id"], str) or not ID_RE.fullmatch(d.raw["id"]):
        d.err("id", "must be kebab-case: lowercase letters, digits and single hyphens")


def _topic(d: _Draft) -> None:
    if not isinstance(d.topic, str) or not ID_RE.fullmatch(d.topic):
        d.err("topic", "must be a kebab-case topic name (set it on the question or the file)")


def _texts(d: _Draft) -> None:
    for key in ("title", "prompt", "solver", "source"):
        if not isinstance(d.raw[key], str) or not d.raw[key].strip():
            d.err(key, "must be non-empty text")


def _difficulty(d: _Draft) -> None:
    value = d.raw["difficulty"]
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3:
        d.err("difficulty", "must be 1, 2 or 3")


def _params(d: _Draft) -> None:
    if not isinstance(d.raw["params"], dict):
        d.err("params", "must be a mapping of parameter names to values")
        return
    limit = param_limit_problem(d.raw["params"])
    if limit:
        d.err("params", limit)


def _prompt_length(d: _Draft) -> None:
    raw = d.raw
    if isinstance(raw["prompt"], str) and len(raw["prompt"]) > MAX_PROMPT_CHARS:
        d.err("prompt", f"{len(raw['prompt']):,} characters; a prompt is at most {MAX_PROMPT_CHARS:,}")


def _atype(raw: Any) -> Any:
    """The answer type element the question names, or None for an unknown name."""
    from drill.core import answers  # here, not at import: drill list needs no parser

    name = raw["answer_type"]
    return answers.get(name) if isinstance(name, str) and name in answers.names() else None  # a list is unhashable


def _answer_type(d: _Draft) -> None:
    from drill.core import answers

    raw = d.raw
    if _atype(raw) is None:
        d.err("answer_type", f"unknown answer_type {raw['answer_type']!r}; known: {', '.join(answers.names())}")


def _tolerance_field(d: _Draft) -> None:
    raw, err = d.raw, d.err
    tolerance = d.tolerance = _tolerance(raw.get("tolerance"), err)
    atype = _atype(raw)
    if "tolerance" in raw and atype is not None and atype.exact:
        err("tolerance", f"{raw['answer_type']} answers are exact; remove the tolerance")
    if tolerance.estimate:
        if atype is None or not atype.estimates:
            err("tolerance", "an estimate needs answer_type: number")
        pct = re.escape(fmt(tolerance.rtol * 100))
        if isinstance(raw["prompt"], str) and not re.search(rf"(?<![\d.]){pct}\s?%", raw["prompt"]):
            err("prompt", f"an estimate question must state its tolerance in the prompt ('to within {fmt(tolerance.rtol * 100)} %')")


def _hint(d: _Draft) -> None:
    if "hint" in d.raw and not isinstance(d.raw["hint"], str):
        d.err("hint", "must be text")


def _n_choices(d: _Draft) -> None:
    n_choices = d.opt["n_choices"]
    if not isinstance(n_choices, int) or isinstance(n_choices, bool) or not 2 <= n_choices <= 26:
        d.err("n_choices", "must be a whole number from 2 to 26")


def _variables(d: _Draft) -> None:
    variables = d.opt["variables"]
    if not isinstance(variables, list) or not all(isinstance(v, str) and v.isidentifier() for v in variables):
        d.err("variables", "must be a list of variable names")


def _constraints(d: _Draft) -> None:
    constraints = d.opt["constraints"]
    if not isinstance(constraints, list) or not all(isinstance(c, str) for c in constraints):
        d.err("constraints", "must be a list of expressions over the params")
    elif len(constraints) > MAX_CONSTRAINTS:
        d.err("constraints", f"{len(constraints):,} constraints; at most {MAX_CONSTRAINTS} in one question (each is evaluated on every draw)")


def _tags(d: _Draft) -> None:
    tags = d.opt["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        d.err("tags", "must be a list of words")


def _vary(d: _Draft) -> None:
    vary = d.opt["vary"]
    if not isinstance(vary, dict):
        d.err("vary", "must be a mapping of param paths to draw specs")
    elif isinstance(d.raw["params"], dict):
        for path, spec in vary.items():
            problem = _check_vary(str(path), spec, d.raw["params"])
            if problem:
                d.err("vary", f"{path}: {problem}", path)


def _placeholders(d: _Draft) -> None:
    raw = d.raw
    for key in ("prompt", "hint"):  # a hint is a template over the variant's values, like the prompt
        if isinstance(raw["params"], dict) and isinstance(raw.get(key), str):
            for ph in PLACEHOLDER_RE.findall(raw[key]) + [m[2] for m in PLURAL_RE.findall(raw[key])]:
                root = ph.split(".")[0]
                if root not in raw["params"] and not root.startswith("_"):
                    d.err(key, f"placeholder {{{ph}}} is not in params (solver-made placeholders start with _)")


def _answer(d: _Draft) -> None:
    """The key, checked only when everything else is right: it must read as its own answer type."""
    from drill.core import answers  # here, not at import: drill list needs no parser

    raw, errors, err = d.raw, d.errors, d.err
    if not errors and raw["answer"] is None:  # `answer:` left empty (what `drill new` writes)
        err("answer", "the key is empty: work it out by hand and write it after answer:")
    elif not errors:  # the key must read as its own type (choice: any option text)
        try:
            answers.get(raw["answer_type"], d.opt["variables"]).read_key(raw["answer"])
        except answers.Unreadable as exc:
            err("answer", f"the key is unreadable: {exc}")


_CHECKS: tuple[Callable[[_Draft], None], ...] = (
    _id, _topic, _texts, _difficulty, _params, _prompt_length, _answer_type, _tolerance_field, _hint, _n_choices,
    _variables, _constraints, _tags, _vary, _placeholders, _answer,
)


def _explanation(raw: Any, topic: Any, questions: list[Question], name: str, locate: Any, errors: list[BankError]) -> Explanation | None:
    def err(key: str | None, msg: str) -> None:
        errors.append(BankError(name, msg, locate("explain", key) if key else locate("explain"), None, f"explain.{key}" if key else "explain"))

    if not isinstance(raw, dict):
        err(None, f"must be a mapping with {', '.join(EXPLAIN_KEYS)}")
        return None
    before = len(errors)
    for key in raw:
        if key not in EXPLAIN_KEYS:
            err(str(key), f"unknown key; allowed: {', '.join(EXPLAIN_KEYS)}")
    if not isinstance(topic, str):
        err(None, "a file with an explain section needs a file-level topic")
    if not isinstance(raw.get("summary"), str) or not raw["summary"].strip():
        err("summary", "must be non-empty text")
    conventions = raw.get("conventions", [])
    if not isinstance(conventions, list) or not all(isinstance(c, str) for c in conventions):
        err("conventions", "must be a list of lines")
    formulas = raw.get("formulas", [])
    ok_formula = lambda f: isinstance(f, dict) and isinstance(f.get("formula"), str) and set(f) <= {"formula", "where"} and (  # noqa: E731
        isinstance(f.get("where", {}), dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in f.get("where", {}).items()))
    if not isinstance(formulas, list) or not all(ok_formula(f) for f in formulas):
        err("formulas", "must be a list of {formula: text, where: {symbol: meaning}}")
    example = raw.get("example")
    if not isinstance(example, str) or example not in {q.id for q in questions}:
        err("example", f"must be the id of a question in this file, got {example!r}")
    if len(errors) > before:
        return None
    return Explanation(
        topic=topic, summary=" ".join(raw["summary"].split()), example=example, conventions=tuple(conventions),
        formulas=tuple((f["formula"], dict(f.get("where", {}))) for f in formulas), file=name,
        control=control_in([("summary", raw["summary"]), ("conventions", conventions)]
                           + [("formulas", [f["formula"], *(f"{k} {w}" for k, w in f.get("where", {}).items())]) for f in formulas]),
    )


def _strings(value: Any) -> list[str]:
    """Every string in a params or vary mapping (keys too), for :func:`control_in`."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _tolerance(raw: Any, err: Any) -> Tolerance:
    """Absent: the default policy (3 significant figures). A number or {rtol, atol}: a stated
    relative window; {decimals: N}: N stated decimals (drill.core.tolerance has the policy)."""
    if raw is None:
        return Tolerance()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 <= raw < 1:
        return Tolerance(rtol=float(raw))
    if isinstance(raw, dict) and set(raw) == {"estimate"}:  # "about how many, to within 5 %"
        r = raw["estimate"]
        if isinstance(r, (int, float)) and not isinstance(r, bool) and 0 < r < 1:
            return Tolerance(rtol=float(r), atol=0.0, estimate=True)
        err("tolerance", "estimate must be a relative tolerance in (0, 1), e.g. {estimate: 0.05} for 5 %")
        return Tolerance()
    if isinstance(raw, dict) and set(raw) == {"decimals"} and _whole(raw["decimals"]) and 0 <= raw["decimals"] <= 12:
        return Tolerance(decimals=raw["decimals"])
    if isinstance(raw, dict) and raw and set(raw) <= {"rtol", "atol"} and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e6 for v in raw.values()
    ):
        return Tolerance(rtol=float(raw.get("rtol", 0.0)), atol=float(raw.get("atol", Tolerance().atol)))
    err("tolerance", "must be a relative tolerance in [0, 1), a mapping with rtol and/or atol, {decimals: N} (N from 0 to 12) or {estimate: 0.05}")
    return Tolerance()


def _check_vary(path: str, spec: Any, params: dict) -> str | None:
    """Why a vary entry is malformed, or None. Paths are dotted: ``layers.0.out_channels``."""
    node: Any = params
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return "path not found in params"
    if isinstance(spec, list):
        return None if spec else "an empty choice list"
    if not isinstance(spec, dict):
        return "a spec is a list of choices or a mapping such as {int: [1, 9]}"
    kinds = [k for k in spec if k in VARY_KINDS]
    unknown = [k for k in spec if k not in VARY_KINDS and k not in VARY_MODIFIERS]
    if unknown:
        return f"unknown spec key {unknown[0]!r}; kinds: {', '.join(VARY_KINDS)}"
    if len(kinds) != 1:
        return f"a spec has exactly one kind of {', '.join(VARY_KINDS)}"
    kind = kinds[0]
    value = spec[kind]
    if kind in ("int", "float"):
        problem = _range_problem(kind, value)
        if problem:
            return problem
    elif kind == "choice" and not (isinstance(value, list) and value):
        return "choice takes a non-empty list"
    elif kind in ("vector", "matrix"):
        if not isinstance(value, dict) or not any(k in value for k in ("int", "float")):
            return f"{kind} takes a mapping with int or float [low, high] and len (or rows/cols)"
        inner = [k for k in value if k in ("int", "float")]
        unknown = [k for k in value if k not in ("int", "float") and k not in VARY_MODIFIERS]
        if unknown or len(inner) != 1:
            return f"{kind} takes one of int or float, and {', '.join(VARY_MODIFIERS)}"
        problem = _range_problem(inner[0], value[inner[0]]) or _modifier_problem(value)
        if problem:
            return f"{kind}: {problem}"
    elif kind in ("same", "expr") and not isinstance(value, str):
        return f"{kind} takes text: a param path (same) or an expression (expr)"
    return _modifier_problem(spec)


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _range_problem(kind: str, value: Any) -> str | None:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in value)):
        return f"{kind} takes [low, high] (numbers or expressions over params)"
    numbers = [v for v in value if not isinstance(v, str)]
    if not all(math.isfinite(v) and abs(v) <= 1e15 for v in numbers):
        return f"{kind} bounds must be finite numbers within ±1e15, got {value}"
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return f"empty range {value}: low is above high"
    return None


def _modifier_problem(spec: dict) -> str | None:
    """Draw modifiers a sampler can use: step ≥ 1, decimals 0–12, exclude a list, counts 0–100."""
    step, decimals = spec.get("step", 1), spec.get("decimals", 2)
    if not _whole(step) or step < 1:
        return f"step must be a whole number of at least 1, got {step!r}"
    if not _whole(decimals) or not 0 <= decimals <= 12:
        return f"decimals must be a whole number from 0 to 12, got {decimals!r}"
    if not isinstance(spec.get("exclude", []), list):
        return f"exclude takes a list of values, got {spec['exclude']!r}"
    count = lambda v: isinstance(v, str) or (_whole(v) and 0 <= v <= 100)  # noqa: E731
    for key in ("len", "rows", "cols"):
        v = spec.get(key, 1)
        if not (count(v) or (isinstance(v, list) and len(v) == 2 and all(map(count, v)))):
            return f"{key} takes a count from 0 to 100, [low, high] or an expression, got {v!r}"
    return None
