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
file's problems rather than stopping at the first. This module imports no numpy/sympy.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping


from drill.solvers._fmt import fmt
from drill.core.textsafe import first_control, safe_data
from drill.core.tolerance import Tolerance

__all__ = ["BANK_ENV", "BankDirError", "bank_dirs", "FORMAT_VERSION", "Question", "Explanation", "BankError", "Bank", "SelectionError", "load_bank", "load_file", "builtin_dir", "select", "param_limit_problem"]

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
# Resource limits for (shared, untrusted) bank files; the README's author section states them.
MAX_FILE_BYTES = 1 << 20  # 1 MiB; the largest built-in file is ~55 KB
MAX_BANK_BYTES = 4 << 20  # all bank files of one load (the built-in bank is ~0.4 MiB): 300 files of 200 KB parsed for 10 min
MAX_QUESTIONS_PER_FILE = 2_000
MAX_TEXT_CHARS = 20_000  # any one text value in a file
MAX_YAML_CHARS = 4 << 20  # characters of text in a file once aliases are expanded
MAX_PROMPT_CHARS = 5_000  # a prompt as written; rendered, see MAX_RENDERED_PROMPT
MAX_RENDERED_PROMPT = 20_000
MAX_INT_DIGITS = 30  # an integer written in a bank (checked in the YAML text, before conversion)
MAX_PARAM_INT = 10**15  # any whole number in params, canonical or drawn (LLM token counts reach 10^13)
MAX_PARAM_LIST = 10_000  # items in any one list in params: a real network written out layer by layer fits
MAX_PARAM_VALUES = 100_000  # values in all of a question's params (= MAX_YAML_VALUES, what one file may hold)
MAX_COUNT = 100  # len, rows, cols of a drawn vector or matrix
MAX_CONSTRAINTS = 50  # constraints of one question (the built-in banks: at most 4); see also drill.core.variants.MAX_EXPR_NODES
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PLACEHOLDER_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}(?!\})")
# {noun|path} or {noun/plural|path}: the noun agreeing with the count at path ("1 sequence", "2 sequences")
PLURAL_RE = re.compile(r"(?<!\{)\{([A-Za-z][A-Za-z-]*)(?:/([A-Za-z][A-Za-z-]*))?\|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}(?!\})")


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


# Question fields that hold bank text (or data a solver may show): made safe when a Question is built.
_Q_TEXT = ("id", "topic", "title", "prompt", "solver", "params", "answer", "answer_type", "source", "vary", "constraints",
           "hint", "variables", "tags")


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
    control: tuple[tuple[str, str], ...] = ()  # (field, first control character) as the file had it

    def __post_init__(self) -> None:
        """Bank text is made safe where it enters (from a file or the cache): every string is
        :func:`drill.core.textsafe.visible`, so no view or solver context can carry an escape sequence."""
        for name in _Q_TEXT:
            object.__setattr__(self, name, safe_data(getattr(self, name)))

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.prompt)


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
    read = 0  # bytes of the bank files taken so far: at most MAX_BANK_BYTES
    over: list[Path] = []  # the files beyond it: one line names the first
    for d in list(dirs) if dirs is not None else [builtin_dir()]:
        paths = sorted(Path(d).glob("*.yaml")) if Path(d).is_dir() else [Path(d)]
        root = Path(d) if Path(d).is_dir() else None
        for path in paths:
            try:
                size = os.stat(path).st_size
            except OSError:
                size = 0  # the loader names why it cannot be read
            if read + size > MAX_BANK_BYTES:
                over.append(path)
                continue
            read += size
            bank.files.append(str(path))
            questions, errors, explanation = _load_file_guarded(path, root)
            if solvers is not None and any(q.solver not in solvers for q in questions):
                questions = _known_solvers(path, questions, solvers, errors, root)
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
    if over:
        more = f" nor the {len(over) - 1:,} bank files after it" if len(over) > 1 else ""
        bank.errors.append(BankError(_display(over[0]), f"not read{more}: the bank files before it hold {read:,} bytes and drill reads "
                                                        f"at most {MAX_BANK_BYTES:,} in all (load fewer or smaller bank folders)"))
    return bank


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


def _read_bank_file(path: Path, root: Path | None) -> bytes | str:
    """The bytes of a bank file, or why it cannot be read (one line).

    A bank file must be a regular file of at most :data:`MAX_FILE_BYTES`; one found in a bank
    folder must resolve (symlinks followed) to a file inside that folder. Nothing is opened
    before ``stat`` says it is a regular file, it is opened non-blocking (a FIFO swapped in
    cannot hang the read) and at most the limit + 1 bytes are read."""
    real = _resolve_bank_file(path, root)
    return real if isinstance(real, str) else _read_regular(real[0])


def _resolve_bank_file(path: Path, root: Path | None) -> tuple[str] | str:
    """(the file's resolved path,), or why it is refused (a dangling link, a loop, outside ``root``)."""
    try:
        real = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling link or a link loop
        return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    if root is not None:
        base = os.path.join(os.path.realpath(root), "")
        if not real.startswith(base):
            return "a symlink to a file outside the bank folder; bank files must live in the folder"
    return (real,)


def _read_regular(real: str) -> bytes | str:
    """The bytes of the regular file at resolved path ``real`` (see :func:`_read_bank_file`)."""
    import stat as st

    try:
        info = os.stat(real)
        if not st.S_ISREG(info.st_mode):
            return "not a regular file (a device, FIFO or directory); bank files are plain files"
        if info.st_size > MAX_FILE_BYTES:
            return f"file is {info.st_size:,} bytes; bank files are at most {MAX_FILE_BYTES:,} bytes (1 MiB): split it"
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        try:
            if not st.S_ISREG(os.fstat(fd).st_mode):
                return "not a regular file (a device, FIFO or directory); bank files are plain files"
            chunks, size = [], 0
            while size <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        return f"file is over {MAX_FILE_BYTES:,} bytes; bank files are at most 1 MiB: split it"
    return data


def _load_file_guarded(path: Path, root: Path | None) -> tuple[list[Question], list[BankError], Explanation | None]:
    """:func:`_load_file`, with a last line of defence: whatever one file does, the others load."""
    try:
        return _load_file(path, root)
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError) as exc:
        return [], [BankError(_display(Path(path)), f"cannot load this file ({type(exc).__name__}: {str(exc)[:200]})")], None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, RuntimeError):  # a symlink loop: named as found
        return str(path)
    except ValueError:
        return path.name if path.parent == builtin_dir() else str(path)


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


# --- the cache's plain form: JSON data only, checked field by field when read back ----------

# Question fields in dataclass order with the JSON type each must have (None: any JSON value; the
# line may also be null). Stored as lists, not mappings: a third less to decode on every start-up.
_Q_SHAPE: tuple[tuple[str, Any], ...] = (
    ("id", str), ("topic", str), ("title", str), ("difficulty", int), ("prompt", str), ("solver", str), ("params", dict),
    ("answer", None), ("answer_type", str), ("source", str), ("vary", dict), ("constraints", list), ("tolerance", list),
    ("hint", str), ("n_choices", int), ("variables", list), ("tags", list), ("file", str), ("line", int),
)
_Q_TYPES = tuple(t for _, t in _Q_SHAPE)


def _to_plain(questions: list[Question], errors: list[BankError], explanation: Explanation | None) -> dict:
    qs = []
    for q in questions:
        row = [getattr(q, f) for f, _ in _Q_SHAPE]
        for f, v in (("constraints", list(q.constraints)), ("tolerance", [q.tolerance.rtol, q.tolerance.atol, q.tolerance.decimals, q.tolerance.estimate]),
                     ("variables", list(q.variables)), ("tags", list(q.tags))):
            row[_Q_FIELD_INDEX[f]] = v
        row.append([list(c) for c in q.control])  # after the line: what drill check reports
        qs.append(row)
    errs = [[e.file, e.message, e.line, e.qid, e.field] for e in errors]
    ex = None if explanation is None else {
        "topic": explanation.topic, "summary": explanation.summary, "example": explanation.example,
        "conventions": list(explanation.conventions), "formulas": [[f, w] for f, w in explanation.formulas], "file": explanation.file,
        "control": [list(c) for c in explanation.control]}
    return {"questions": qs, "errors": errs, "explanation": ex}


_Q_FIELD_INDEX = {f: i for i, (f, _) in enumerate(_Q_SHAPE)}


def _pairs(v: Any) -> bool:
    return type(v) is list and all(type(p) is list and len(p) == 2 and type(p[0]) is str and type(p[1]) is str for p in v)


def _from_plain(plain: Any) -> tuple[list[Question], list[BankError], Explanation | None] | None:
    """Rebuild a file's result from the cache's plain data; None when its structure is not right."""
    opt = lambda v, t: v is None or type(v) is t  # noqa: E731
    strs = lambda v: type(v) is list and all(type(x) is str for x in v)  # noqa: E731
    n = len(_Q_SHAPE)
    try:
        if type(plain) is not dict or plain.keys() != {"questions", "errors", "explanation"}:
            return None
        questions = []
        for row in plain["questions"]:
            if type(row) is not list or len(row) != n + 1 or not _pairs(row[-1]):
                return None
            row, control = row[:-1], tuple((a, b) for a, b in row[-1])
            for v, t in zip(row[:-1], _Q_TYPES):  # JSON builds exact types: a bool is never an int here
                if t is not None and type(v) is not t:
                    return None
            if not opt(row[-1], int):  # the line
                return None
            tol, constraints, variables, tags = row[12], row[11], row[15], row[16]
            num = lambda v: type(v) in (int, float)  # noqa: E731
            if (len(tol) != 4 or not (tol[0] is None or num(tol[0])) or not num(tol[1])
                    or not (tol[2] is None or type(tol[2]) is int) or type(tol[3]) is not bool):
                return None
            if not (strs(constraints) and strs(variables) and strs(tags)):
                return None
            row = list(row)
            row[11], row[12], row[15], row[16] = tuple(constraints), Tolerance(None if tol[0] is None else float(tol[0]), float(tol[1]), tol[2], tol[3]), tuple(variables), tuple(tags)
            q = Question(*row, control=control)
            if not _revalidated(q):  # found is not trusted: the same checks as a freshly parsed question
                return None
            questions.append(q)
        errors = []
        for e in plain["errors"]:
            if not (isinstance(e, list) and len(e) == 5 and isinstance(e[0], str) and isinstance(e[1], str)
                    and opt(e[2], int) and opt(e[3], str) and opt(e[4], str)):
                return None
            errors.append(BankError(*e))
        ex, explanation = plain["explanation"], None
        if ex is not None:
            if not (isinstance(ex, dict) and set(ex) == {"topic", "summary", "example", "conventions", "formulas", "file", "control"} and _pairs(ex["control"])
                    and all(isinstance(ex[k], str) for k in ("topic", "summary", "example", "file")) and strs(ex["conventions"])
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
        return questions, errors, explanation
    except (TypeError, ValueError, KeyError):
        return None


def _revalidated(q: Question) -> bool:
    """True when ``q`` (read back from the cache) passes :func:`_question` as bank text would and
    comes out the same: a cache entry is untrusted input, never trusted for being found."""
    t = q.tolerance
    tolerance = ({"estimate": t.rtol} if t.estimate else {"decimals": t.decimals} if t.decimals is not None
                 else {"rtol": t.rtol, "atol": t.atol} if t.rtol is not None else None)
    raw = {"id": q.id, "topic": q.topic, "title": q.title, "difficulty": q.difficulty, "prompt": q.prompt, "solver": q.solver,
           "params": q.params, "answer": q.answer, "answer_type": q.answer_type, "source": q.source, "vary": q.vary,
           "constraints": list(q.constraints), "hint": q.hint, "n_choices": q.n_choices, "variables": list(q.variables),
           "tags": list(q.tags), **({"tolerance": tolerance} if tolerance is not None else {})}
    try:
        again, errors = _question(raw, 0, q.topic, q.file, lambda *path: q.line)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError):
        return False
    # the control characters the loader saw are a record of the raw file (the text is escaped): not re-derivable
    return not errors and again is not None and dataclasses.replace(again, control=q.control) == q


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
            return [], [BankError(name, shape[0], shape[1], _id_before(text, shape[1]), shape[2])], None, None, name
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


_INT_TEXT = r"[-+]?(?:0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)"  # YAML 1.1 ints
_DATE_TEXT = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}.*)?"  # and timestamps
_REFUSED_TAGS = {
    "tag:yaml.org,2002:binary": "binary data (!!binary)", "tag:yaml.org,2002:timestamp": "a date (!!timestamp)",
    "tag:yaml.org,2002:set": "a set (!!set)", "tag:yaml.org,2002:omap": "an ordered map (!!omap)",
    "tag:yaml.org,2002:pairs": "pairs (!!pairs)",
}


def _scalar_problem(event: Any) -> str | None:
    """Why one scalar must not be built: a value type banks do not use, a huge integer, a huge text."""
    tag, value = event.tag, event.value
    if tag in _REFUSED_TAGS:
        return f"{_REFUSED_TAGS[tag]} is not bank data; banks hold numbers, text, lists and mappings"
    if len(value) > MAX_TEXT_CHARS:
        return f"a text of {len(value):,} characters; at most {MAX_TEXT_CHARS:,} in one value"
    plain = event.implicit[0] and not event.style and tag is None
    if plain or tag == "tag:yaml.org,2002:int":
        digits = sum(c not in "+-_:" for c in value)
        if digits > MAX_INT_DIGITS and re.fullmatch(_INT_TEXT, value):
            return f"an integer of {digits:,} digits; at most {MAX_INT_DIGITS} digits"
    if plain and value[:1].isdigit() and "-" in value and re.fullmatch(_DATE_TEXT, value):
        return f"{value!r} reads as a date, which is not bank data; quote it if it is text"
    return None


def _scan(text: str) -> tuple[tuple[str, int, str | None] | None, list[int]]:
    """One pass over the parser's events: why ``text`` must not be built (with the line), and
    the line where each item of the top-level ``questions`` list starts.

    Refused: nesting too deep, too many values or too much text once aliases are expanded (a
    "billion laughs" file), an alias inside its own anchor (a recursive structure), more than
    :data:`MAX_QUESTIONS_PER_FILE` questions, and scalars :func:`_scalar_problem` refuses (dates,
    binary, sets, integers too long to convert). Events neither recurse nor build anything: the
    C loader's composer recurses until the process segfaults on ~50,000 nested brackets, and an
    alias bomb builds fine but hangs whatever walks it. The question lines come free here, so a
    valid file never needs a second, composed tree just to number its questions."""
    yaml, _Loader = _safe_yaml()
    stack: list[list] = [[0, 0, None, False, 0, None]]  # per open collection: values and characters inside so
    # far, its anchor, whether a mapping, children so far, the current key (for naming the field at fault)
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters) it stands for
    total = chars = written = 0  # values and characters with aliases expanded; values as written
    lines: list[int] = []
    root_events = 0  # events directly inside the root mapping: keys at even positions
    questions_depth = -1  # the stack depth of the items of the top-level questions list
    last_root_key = None

    def at(problem: str, event: Any) -> tuple[tuple[str, int, str | None], list[int]]:
        return (problem, event.start_mark.line + 1, _field_of(stack)), lines

    for event in yaml.parse(text, Loader=_Loader):
        depth = len(stack) - 1
        if isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            parent = stack[-1]
            if parent[3] and parent[4] % 2 == 0:
                parent[5] = getattr(event, "value", None)  # a mapping key
            elif not parent[3]:
                parent[5] = parent[4]  # a list index
            parent[4] += 1
        if depth == questions_depth and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            lines.append(event.start_mark.line + 1)
            if len(lines) > MAX_QUESTIONS_PER_FILE:
                return at(f"more than {MAX_QUESTIONS_PER_FILE:,} questions in one file; split it into smaller files", event)
        if depth == 1 and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            if root_events % 2 == 0:
                last_root_key = getattr(event, "value", None)
            elif last_root_key == "questions" and isinstance(event, yaml.SequenceStartEvent):
                questions_depth = 2
            root_events += 1
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if event.tag in _REFUSED_TAGS:
                return at(f"{_REFUSED_TAGS[event.tag]} is not bank data; banks hold numbers, text, lists and mappings", event)
            stack.append([0, 0, event.anchor, isinstance(event, yaml.MappingStartEvent), 0, None])
            if len(stack) - 1 > MAX_YAML_DEPTH:
                return at(f"YAML nested more than {MAX_YAML_DEPTH} levels deep", event)
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            if depth == questions_depth:  # the questions list ends: later depth-2 nodes are not questions
                questions_depth = -1
            count, size, anchor = stack.pop()[:3]
            if anchor:
                sizes[anchor] = (count + 1, size)
            stack[-1][0] += count + 1
            stack[-1][1] += size
            continue
        if isinstance(event, yaml.ScalarEvent):
            problem = _scalar_problem(event)
            if problem:
                return at(problem, event)
            added, size = 1, len(event.value)
            written += 1
            if event.anchor:
                sizes[event.anchor] = (1, size)
        elif isinstance(event, yaml.AliasEvent):
            if any(frame[2] == event.anchor for frame in stack):
                return at(f"alias *{event.anchor} is inside its own anchor &{event.anchor} (a recursive structure); banks are trees", event)
            added, size = sizes.get(event.anchor, (1, 0))
        else:
            continue
        stack[-1][0] += added
        stack[-1][1] += size
        total += added
        chars += size
        if written > MAX_YAML_VALUES:
            return at(f"the file holds more than {MAX_YAML_VALUES:,} values; banks are small: split it into smaller files", event)
        if total > MAX_YAML_VALUES:
            return at(f"YAML expands to more than {MAX_YAML_VALUES:,} values (aliases repeating aliases?); banks are small", event)
        if chars > MAX_YAML_CHARS:
            return at(f"YAML expands to more than {MAX_YAML_CHARS:,} characters of text (aliases repeating long text?); banks are small", event)
    return None, lines


def _field_of(stack: list[list]) -> str | None:
    """The dotted path of the value being scanned, within its question when inside one
    (``params.layers.0.num_layers``), else from the top (``explain.summary``)."""
    path = [str(frame[5]) for frame in stack[1:] if frame[5] is not None]  # stack[0]: the document
    if len(path) >= 2 and path[0] == "questions":
        path = path[2:]
    return ".".join(path) or None


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

    def question_index(self) -> dict[str, int]:
        """{question id: its index in the questions list}, from one composed tree."""
        yaml, _Loader = _safe_yaml()
        root = self._tree()
        questions = next((v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "questions"), None)
        out: dict[str, int] = {}
        for i, item in enumerate(getattr(questions, "value", [])):
            if isinstance(item, yaml.MappingNode):
                qid = next((getattr(v, "value", None) for k, v in item.value if getattr(k, "value", None) == "id"), None)
                if isinstance(qid, str):
                    out.setdefault(qid, i)
        return out

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
    from drill.core.grading import ANSWER_TYPES, Unreadable, answer_type  # here, not at import: drill list needs no parser

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
    else:
        limit = param_limit_problem(raw["params"])
        if limit:
            err("params", limit)
    if isinstance(raw["prompt"], str) and len(raw["prompt"]) > MAX_PROMPT_CHARS:
        err("prompt", f"{len(raw['prompt']):,} characters; a prompt is at most {MAX_PROMPT_CHARS:,}")
    if not isinstance(raw["answer_type"], str) or raw["answer_type"] not in ANSWER_TYPES:  # a list is unhashable
        err("answer_type", f"unknown answer_type {raw['answer_type']!r}; known: {', '.join(ANSWER_TYPES)}")
    tolerance = _tolerance(raw.get("tolerance"), err)
    if "tolerance" in raw and isinstance(raw["answer_type"], str) and raw["answer_type"] in ("integer", "shape", "choice"):
        err("tolerance", f"{raw['answer_type']} answers are exact; remove the tolerance")
    if tolerance.estimate:
        if raw["answer_type"] != "number":
            err("tolerance", "an estimate needs answer_type: number")
        pct = re.escape(fmt(tolerance.rtol * 100))
        if isinstance(raw["prompt"], str) and not re.search(rf"(?<![\d.]){pct}\s?%", raw["prompt"]):
            err("prompt", f"an estimate question must state its tolerance in the prompt ('to within {fmt(tolerance.rtol * 100)} %')")
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
    elif len(constraints) > MAX_CONSTRAINTS:
        err("constraints", f"{len(constraints):,} constraints; at most {MAX_CONSTRAINTS} in one question (each is evaluated on every draw)")
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
            for ph in PLACEHOLDER_RE.findall(raw[key]) + [m[2] for m in PLURAL_RE.findall(raw[key])]:
                root = ph.split(".")[0]
                if root not in raw["params"] and not root.startswith("_"):
                    err(key, f"placeholder {{{ph}}} is not in params (solver-made placeholders start with _)")
    if not errors and raw["answer"] is None:  # `answer:` left empty (what `drill new` writes)
        err("answer", "the key is empty: work it out by hand and write it after answer:")
    elif not errors and raw["answer_type"] != "choice":  # the key must read as its own type (choice: any option text)
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
        control=control_in([(k, raw.get(k)) for k in ("title", "prompt", "hint", "source", "answer", "constraints", "tags")]
                           + [("params", _strings(raw["params"])), ("vary", _strings(vary))]),
    ), errors


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


def param_limit_problem(params: Any) -> str | None:
    """Why ``params`` (canonical or drawn) are too big for a solver to work with, or None: a whole
    number beyond ±:data:`MAX_PARAM_INT`, a list of more than :data:`MAX_PARAM_LIST` items, more
    than :data:`MAX_PARAM_VALUES` values in all, or a text longer than :data:`MAX_TEXT_CHARS`."""
    todo: list[tuple[str, Any]] = [("", params)]
    seen = 0
    while todo:
        path, node = todo.pop()
        seen += 1
        if seen > MAX_PARAM_VALUES:
            return f"more than {MAX_PARAM_VALUES:,} values in params; questions are worked by hand"
        if isinstance(node, bool) or node is None or isinstance(node, float):
            continue
        if isinstance(node, int):
            if abs(node) > MAX_PARAM_INT:
                return f"{path or 'value'}: {_short_int(node)} is beyond ±10^15, the largest whole number params may hold"
        elif isinstance(node, str):
            if len(node) > MAX_TEXT_CHARS:
                return f"{path or 'value'}: a text of {len(node):,} characters; at most {MAX_TEXT_CHARS:,}"
        elif isinstance(node, list):
            if len(node) > MAX_PARAM_LIST:
                return f"{path or 'value'}: a list of {len(node):,} items; at most {MAX_PARAM_LIST:,}"
            todo += [(f"{path}.{i}" if path else str(i), v) for i, v in enumerate(node)]
        elif isinstance(node, dict):
            todo += [(f"{path}.{k}" if path else str(k), v) for k, v in node.items()]
        else:
            return f"{path or 'value'}: a {type(node).__name__} is not bank data; params hold numbers, text, lists and mappings"
    return None


def _short_int(n: int) -> str:
    """A huge integer named without converting it all to decimal (Python refuses past 4300 digits)."""
    return str(n) if n.bit_length() < 64 else f"a {'-' if n < 0 else ''}number of about {int(n.bit_length() * 0.30103) + 1} digits"


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
