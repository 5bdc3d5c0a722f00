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
        vary: {path: spec, ...}    # how to draw random params (see drill.variants)
        answer: 529411             # the hand-written key for the canonical params
        answer_type: integer       # integer | number | shape | vector | matrix | choice | expression
        source: "003: Quiz Break, MLP parameters"

Only ``yaml.CSafeLoader``/``SafeLoader`` is used. Every problem becomes a :class:`BankError`
that names the file, the line, the question id and the field; a loader collects all of a
file's problems rather than stopping at the first. This module imports no numpy/sympy.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping


from drill.tolerance import Tolerance

__all__ = ["BANK_ENV", "BankDirError", "bank_dirs", "FORMAT_VERSION", "Question", "Explanation", "BankError", "Bank", "SelectionError", "load_bank", "load_file", "builtin_dir", "select"]

FORMAT_VERSION = 1


def _safe_yaml() -> tuple[Any, Any]:
    """PyYAML and its safe loader (the C one when built), imported only when a file is parsed:
    a bank served from the cache never needs it."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REQUIRED = ("id", "title", "difficulty", "prompt", "solver", "params", "answer", "answer_type", "source")
OPTIONAL = ("topic", "vary", "constraints", "tolerance", "hint", "n_choices", "variables", "tags")
FILE_KEYS = ("format_version", "topic", "questions", "explain")
EXPLAIN_KEYS = ("summary", "conventions", "formulas", "example")
VARY_KINDS = ("int", "float", "choice", "vector", "matrix", "same", "expr")
VARY_MODIFIERS = ("decimals", "step", "len", "rows", "cols", "exclude")
MAX_YAML_DEPTH = 64  # bank files nest about 6 levels
MAX_YAML_VALUES = 100_000  # values in one file, aliases expanded; the built-in files hold a few hundred
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PLACEHOLDER_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}(?!\})")


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


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    title: str
    difficulty: int
    prompt: str
    solver: str
    params: dict
    answer: Any
    answer_type: str
    source: str
    vary: dict = field(default_factory=dict)
    constraints: tuple[str, ...] = ()
    tolerance: Tolerance = Tolerance()
    hint: str = ""
    n_choices: int = 5
    variables: tuple[str, ...] = ("x",)
    tags: tuple[str, ...] = ()
    file: str = ""
    line: int | None = None

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.prompt)


@dataclass(frozen=True)
class Explanation:
    """A topic's walkthrough text (the file-level ``explain:`` section of its bank file).

    summary:     what the topic is, with its conventions, in a few sentences
    conventions: one line each (padding per side, floor, cross-correlation, …)
    formulas:    [(formula text, {symbol: meaning})]
    example:     the question id whose fresh variant is the worked example
    """

    topic: str
    summary: str
    example: str
    conventions: tuple[str, ...] = ()
    formulas: tuple[tuple[str, dict], ...] = ()
    file: str = ""


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


BANK_ENV = "DRILL_BANK"


class BankDirError(ValueError):
    """A user bank location that cannot be used; the message is one line naming it."""


def bank_dirs(extra: Iterable[str | Path] = (), environ: Mapping[str, str] | None = None) -> list[Path]:
    """The built-in bank, then each directory in ``$DRILL_BANK`` (``os.pathsep``-separated), then
    ``extra`` (``--bank``). A location that does not exist or holds no ``*.yaml`` file is a
    :class:`BankDirError`; one named twice is loaded once."""
    env = os.environ if environ is None else environ
    dirs, seen = [builtin_dir()], {builtin_dir().resolve()}
    sources = [(BANK_ENV, p) for p in env.get(BANK_ENV, "").split(os.pathsep) if p.strip()] + [("--bank", str(p)) for p in extra]
    for source, raw in sources:
        path = Path(raw).expanduser()
        if not path.exists():
            raise BankDirError(f"{source}: bank directory {raw!r} does not exist")
        if path.is_dir() and not any(path.glob("*.yaml")):
            raise BankDirError(f"{source}: bank directory {raw!r} has no .yaml question files")
        if not path.is_dir() and path.suffix != ".yaml":
            raise BankDirError(f"{source}: {raw!r} is neither a directory nor a .yaml question file")
        if path.resolve() not in seen:
            seen.add(path.resolve())
            dirs.append(path)
    return dirs


def builtin_dir() -> Path:
    """The bank shipped inside the package (works from a wheel as well as a checkout)."""
    return Path(str(resources.files("drill.question_bank")))


def load_bank(dirs: Iterable[Path] | None = None, solvers: Collection[str] | None = None) -> Bank:
    """Load every ``*.yaml`` under ``dirs`` (default: the built-in bank), in name order.

    A question whose id is already taken by another file is an error naming both files.
    solvers: the registered solver names; when given, a question naming another solver is an
    error (callers that already import the solvers pass them; ``drill list`` does not, so it
    stays free of numpy).
    """
    bank = Bank()
    for d in list(dirs) if dirs is not None else [builtin_dir()]:
        paths = sorted(Path(d).glob("*.yaml")) if Path(d).is_dir() else [Path(d)]
        for path in paths:
            bank.files.append(str(path))
            questions, errors, explanation = _load_file(path)
            if solvers is not None and any(q.solver not in solvers for q in questions):
                questions = _known_solvers(path, questions, solvers, errors)
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


def _known_solvers(path: Path, questions: list[Question], solvers: Collection[str], errors: list[BankError]) -> list[Question]:
    """The questions whose solver is registered; an error (with the solver line) for each other."""
    import difflib

    locate = _Locator(Path(path).read_text(encoding="utf-8"))
    kept = []
    for q in questions:
        if q.solver in solvers:
            kept.append(q)
            continue
        close = difflib.get_close_matches(q.solver, list(solvers), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see the solvers package for the names"
        errors.append(BankError(q.file, f"unknown solver {q.solver!r}{hint}", locate.field(q.id, "solver") or q.line, q.id, "solver"))
    return kept


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name if path.parent == builtin_dir() else str(path)


def load_file(path: Path) -> tuple[list[Question], list[BankError]]:
    """Parse and validate one bank file; returns the valid questions and every problem found."""
    questions, errors, _ = _load_file(path)
    return questions, errors


def _load_file(path: Path) -> tuple[list[Question], list[BankError], Explanation | None]:
    """One file's questions, problems and walkthrough; from the content-keyed cache when it can."""
    from drill import bank_cache

    name = _display(Path(path))
    try:
        raw_bytes = Path(path).read_bytes()
    except OSError as exc:
        return [], [BankError(name, f"cannot read: {exc.strerror or exc}")], None
    cached = bank_cache.get(name, raw_bytes) if bank_cache.enabled() else None
    if cached is not None:
        return cached
    questions, errors, data, locate, name = _load_questions(name, raw_bytes)
    explanation = None
    if isinstance(data, dict) and "explain" in data:
        explanation = _explanation(data["explain"], data.get("topic"), questions, name, locate, errors)
    if bank_cache.enabled():
        bank_cache.put(name, raw_bytes, (questions, errors, explanation))
    return questions, errors, explanation


def _load_questions(name: str, raw_bytes: bytes) -> tuple[list[Question], list[BankError], Any, Any, str]:
    yaml, _Loader = _safe_yaml()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw_bytes.count(b"\n", 0, exc.start) + 1
        qid = _id_before(raw_bytes.decode("utf-8", "replace"), line)
        return [], [BankError(name, f"not UTF-8: byte 0x{raw_bytes[exc.start]:02x} cannot be decoded; save the file as UTF-8", line, qid)], None, None, name
    try:
        shape, question_lines = _scan(text)
        if shape is not None:
            return [], [BankError(name, shape[0], shape[1], _id_before(text, shape[1]))], None, None, name
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "!!python" in str(exc) or "could not determine a constructor" in str(exc):
            problem = f"unsafe or unknown YAML tag ({problem.strip()}); banks are plain data"
        line = mark.line + 1 if mark else None
        return [], [BankError(name, f"YAML error: {problem}", line, _id_before(text, line))], None, None, name
    locate = _Locator(text, question_lines)
    if data is None:
        return [], [BankError(name, "the file is empty; a bank file is a mapping with format_version and questions", 1)], None, None, name
    if not isinstance(data, dict):
        return [], [BankError(name, f"a bank file is a mapping with format_version and questions, not a {type(data).__name__}", 1)], None, None, name
    errors: list[BankError] = []
    for key in data:
        if key not in FILE_KEYS:
            errors.append(BankError(name, f"unknown top-level key {key!r}; allowed: {', '.join(FILE_KEYS)}", locate(key)))
    if data.get("format_version") != FORMAT_VERSION:  # another format cannot be read as this one: skip the file
        errors.append(BankError(name, f"format_version must be {FORMAT_VERSION} (found {data.get('format_version')!r})", locate("format_version") or 1))
        return [], errors, data, locate, name
    items = data.get("questions")
    if not isinstance(items, list):
        errors.append(BankError(name, "'questions' must be a list of question mappings", locate("questions") or 1))
        return [], errors, data, locate, name
    questions = []
    for i, raw in enumerate(items):
        q, errs = _question(raw, i, data.get("topic"), name, locate)
        errors.extend(errs)
        if q is not None and not errs:
            questions.append(q)
    return questions, errors, data, locate, name


_ID_LINE = re.compile(r"^\s*-?\s*id:\s*[\"']?([a-z0-9][a-z0-9-]*)[\"']?\s*$")


def _id_before(text: str, line: int | None) -> str | None:
    """Best effort for a file YAML cannot parse: the id of the question written last before ``line``."""
    if not line:
        return None
    return next((m.group(1) for ln in reversed(text.splitlines()[:line]) if (m := _ID_LINE.match(ln))), None)


def _scan(text: str) -> tuple[tuple[str, int] | None, list[int]]:
    """One pass over the parser's events: why ``text`` must not be built (with the line), and
    the line where each item of the top-level ``questions`` list starts.

    Refused: nesting too deep, or too many values once aliases are expanded (a "billion
    laughs" file). Events neither recurse nor build anything: the C loader's composer recurses
    until the process segfaults on ~50,000 nested brackets, and an alias bomb builds fine but
    hangs whatever walks it. The question lines come free here, so a valid file never needs a
    second, composed tree just to number its questions."""
    yaml, _Loader = _safe_yaml()
    stack: list[list] = [[0, None]]  # per open collection: values inside so far, its anchor
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    total = 0
    lines: list[int] = []
    root_events = 0  # events directly inside the root mapping: keys at even positions
    questions_depth = -1  # the stack depth of the items of the top-level questions list
    last_root_key = None
    for event in yaml.parse(text, Loader=_Loader):
        depth = len(stack) - 1
        if depth == questions_depth and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)) and not isinstance(event, yaml.AliasEvent):
            lines.append(event.start_mark.line + 1)
        if depth == 1 and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            if root_events % 2 == 0:
                last_root_key = getattr(event, "value", None)
            elif last_root_key == "questions" and isinstance(event, yaml.SequenceStartEvent):
                questions_depth = 2
            root_events += 1
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([0, event.anchor])
            if len(stack) - 1 > MAX_YAML_DEPTH:
                return (f"YAML nested more than {MAX_YAML_DEPTH} levels deep", event.start_mark.line + 1), lines
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            if depth == questions_depth:  # the questions list ends: later depth-2 nodes are not questions
                questions_depth = -1
            count, anchor = stack.pop()
            if anchor:
                sizes[anchor] = count + 1
            stack[-1][0] += count + 1
            continue
        if isinstance(event, yaml.ScalarEvent):
            added = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            added = sizes.get(event.anchor, 1)
        else:
            continue
        stack[-1][0] += added
        total += added
        if total > MAX_YAML_VALUES:
            return (f"YAML expands to more than {MAX_YAML_VALUES:,} values (aliases repeating aliases?); banks are small", event.start_mark.line + 1), lines
    return None, lines


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
    )


class _Locator:
    """Finds the line of ``questions[i].field``: question lines from the event scan, anything
    deeper by composing the node tree (only on errors)."""

    def __init__(self, text: str, question_lines: list[int] | None = None) -> None:
        self.text = text
        self.question_lines = question_lines or []
        self._root: Any = None

    def _tree(self) -> Any:
        yaml, _Loader = _safe_yaml()
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                return None
        return self._root

    def field(self, qid: str, name: str) -> int | None:
        """The line of field ``name`` of the question whose id is ``qid``."""
        yaml, _Loader = _safe_yaml()
        root = self._tree()
        questions = next((v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "questions"), None)
        for i, item in enumerate(getattr(questions, "value", [])):
            if isinstance(item, yaml.MappingNode) and any(k.value == "id" and getattr(v, "value", None) == qid for k, v in item.value):
                return self("questions", i, name)
        return None

    def __call__(self, *path: Any) -> int | None:
        yaml, _Loader = _safe_yaml()
        if len(path) == 2 and path[0] == "questions" and isinstance(path[1], int) and path[1] < len(self.question_lines):
            return self.question_lines[path[1]]
        node, line = self._tree(), None
        if node is None:
            return None
        for key in path:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == key), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def _question(raw: Any, i: int, default_topic: Any, name: str, locate: _Locator) -> tuple[Question | None, list[BankError]]:
    from drill.grading import ANSWER_TYPES, Unreadable, answer_type  # here, not at import: drill list needs no parser

    line = locate("questions", i)
    qid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{i + 1}"
    errors: list[BankError] = []

    def err(fld: str | None, msg: str, *within: Any) -> None:
        at = locate("questions", i, fld, *within) if fld else line  # within: a key inside the field
        errors.append(BankError(name, msg, at or line, qid, fld))

    if not isinstance(raw, dict):
        err(None, "a question must be a mapping of fields")
        return None, errors
    for key in raw:
        if key not in REQUIRED and key not in OPTIONAL:
            err(str(key), f"unknown field; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    for key in REQUIRED:
        if key not in raw:
            err(key, f"missing required field {key!r}")  # the line is the question's
    if errors:
        return None, errors

    topic = raw.get("topic", default_topic)
    if not isinstance(raw["id"], str) or not ID_RE.fullmatch(raw["id"]):
        err("id", "must be kebab-case: lowercase letters, digits and single hyphens")
    if not isinstance(topic, str) or not ID_RE.fullmatch(topic):
        err("topic", "must be a kebab-case topic name (set it on the question or the file)")
    for key in ("title", "prompt", "solver", "source"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            err(key, "must be non-empty text")
    if not isinstance(raw["difficulty"], int) or isinstance(raw["difficulty"], bool) or not 1 <= raw["difficulty"] <= 3:
        err("difficulty", "must be 1, 2 or 3")
    if not isinstance(raw["params"], dict):
        err("params", "must be a mapping of parameter names to values")
    if not isinstance(raw["answer_type"], str) or raw["answer_type"] not in ANSWER_TYPES:  # a list is unhashable
        err("answer_type", f"unknown answer_type {raw['answer_type']!r}; known: {', '.join(ANSWER_TYPES)}")
    tolerance = _tolerance(raw.get("tolerance"), err)
    if "tolerance" in raw and isinstance(raw["answer_type"], str) and raw["answer_type"] in ("integer", "shape", "choice"):
        err("tolerance", f"{raw['answer_type']} answers are exact; remove the tolerance")
    for key in ("hint",):
        if key in raw and not isinstance(raw[key], str):
            err(key, "must be text")
    n_choices = raw.get("n_choices", 5)
    if not isinstance(n_choices, int) or isinstance(n_choices, bool) or not 2 <= n_choices <= 26:
        err("n_choices", "must be a whole number from 2 to 26")
    variables = raw.get("variables", ["x"])
    if not isinstance(variables, list) or not all(isinstance(v, str) and v.isidentifier() for v in variables):
        err("variables", "must be a list of variable names")
    constraints = raw.get("constraints", [])
    if not isinstance(constraints, list) or not all(isinstance(c, str) for c in constraints):
        err("constraints", "must be a list of expressions over the params")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        err("tags", "must be a list of words")
    vary = raw.get("vary", {})
    if not isinstance(vary, dict):
        err("vary", "must be a mapping of param paths to draw specs")
    elif isinstance(raw["params"], dict):
        for path, spec in vary.items():
            problem = _check_vary(str(path), spec, raw["params"])
            if problem:
                err("vary", f"{path}: {problem}", path)
    for key in ("prompt", "hint"):  # a hint is a template over the variant's values, like the prompt
        if isinstance(raw["params"], dict) and isinstance(raw.get(key), str):
            for ph in PLACEHOLDER_RE.findall(raw[key]):
                root = ph.split(".")[0]
                if root not in raw["params"] and not root.startswith("_"):
                    err(key, f"placeholder {{{ph}}} is not in params (solver-made placeholders start with _)")
    if not errors and raw["answer_type"] != "choice":  # the key must read as its own type (choice: any option text)
        try:
            answer_type(raw["answer_type"], variables).parse(str(raw["answer"]))
        except Unreadable as exc:
            err("answer", f"the key is unreadable: {exc}")
    if errors:
        return None, errors
    return Question(
        id=raw["id"], topic=topic, title=raw["title"].strip(), difficulty=raw["difficulty"],
        prompt=raw["prompt"].strip(), solver=raw["solver"], params=raw["params"], answer=raw["answer"],
        answer_type=raw["answer_type"], source=raw["source"], vary=vary,
        constraints=tuple(constraints), tolerance=tolerance, hint=raw.get("hint", ""),
        n_choices=n_choices, variables=tuple(variables), tags=tuple(tags), file=name, line=line,
    ), errors


def _tolerance(raw: Any, err: Any) -> Tolerance:
    """Absent: the default policy (3 significant figures). A number or {rtol, atol}: a stated
    relative window; {decimals: N}: N stated decimals (drill.tolerance has the policy)."""
    if raw is None:
        return Tolerance()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 <= raw < 1:
        return Tolerance(rtol=float(raw))
    if isinstance(raw, dict) and set(raw) == {"decimals"} and _whole(raw["decimals"]) and 0 <= raw["decimals"] <= 12:
        return Tolerance(decimals=raw["decimals"])
    if isinstance(raw, dict) and raw and set(raw) <= {"rtol", "atol"} and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e6 for v in raw.values()
    ):
        return Tolerance(rtol=float(raw.get("rtol", 0.0)), atol=float(raw.get("atol", Tolerance().atol)))
    err("tolerance", "must be a relative tolerance in [0, 1), a mapping with rtol and/or atol, or {decimals: N} (N from 0 to 12)")
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
