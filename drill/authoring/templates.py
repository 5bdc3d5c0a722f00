"""Writing your own questions: ``drill solvers`` (what each solver expects) and ``drill new``.

Both read each solver's declared params (``@solver(name, params={...})``, :mod:`drill.solvers._params`):
``drill solvers`` lists their kinds, bounds and meanings; ``drill new ID --solver NAME`` writes a
commented bank file with one question whose params, ``vary`` specs, answer type and prompt are
copied from a bank question that already uses that solver (so every placeholder resolves), or,
for a solver no question uses yet, whose params are the declaration's examples. Only the key is
left out (``answer:`` is empty, so ``drill check`` fails until the author works it out by hand).
This module imports no numpy; the solver registry is loaded only when asked for.
"""

from __future__ import annotations

import os
import stat
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drill.core.bank import ID_RE, PLACEHOLDER_RE, Bank, Question

__all__ = ["SolverInfo", "ParamInfo", "solver_catalog", "example_for", "template", "TemplateError"]


class TemplateError(ValueError):
    """A template that cannot be written (bad id, id taken, unknown solver, a target that is not a new file)."""


def write_template(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` as a new regular file. A symbolic link (dangling or not) or
    anything but a regular file is refused, even with ``force``; an existing regular file is
    replaced only with ``force`` (a fresh file renamed over it, so a link swapped in meanwhile is
    replaced, never followed). Raises TemplateError, with one line naming the file."""
    blocker = next((a for a in path.parents if a.exists() and not a.is_dir()), None)
    if blocker is not None:
        raise TemplateError(f"cannot write {path}: {blocker} is a file, not a directory")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise TemplateError(f"cannot write {path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISLNK(mode):
        raise TemplateError(f"cannot write {path}: it is a symbolic link; drill writes only a new regular file (choose another --out)")
    if mode is not None and not stat.S_ISREG(mode):
        raise TemplateError(f"cannot write {path}: it is not a regular file (choose another --out)")
    if mode is not None and not force:
        raise TemplateError(f"{path} exists; use --force to overwrite or --out to choose another file")
    data = text.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if mode is None:  # O_EXCL|O_NOFOLLOW: a file or link that appeared since is never written through
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, stat.S_IMODE(mode))
            os.replace(tmp, path)
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    except FileExistsError:
        raise TemplateError(f"{path} appeared while drill was writing it; nothing was overwritten") from None
    except OSError as exc:
        raise TemplateError(f"cannot write {path}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class ParamInfo:
    name: str  # the param's path: ``layer``, ``config.hidden_size``
    required: bool  # declared without a default: every question must give it
    example: Any  # the value in the first bank question that gives it, else the declared example
    kind: str = ""  # the declared kind and bounds in words: "whole number ≥ 1"
    meaning: str = ""  # what it is, with its shape: "the input, of shape (C, H, W)"


@dataclass
class SolverInfo:
    name: str
    module: str
    doc: str
    params: list[ParamInfo] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    answer_types: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "name": self.name, "module": self.module, "doc": self.doc,
            "params": [{"name": p.name, "required": p.required, "kind": p.kind, "meaning": p.meaning, "example": p.example}
                       for p in self.params],
            "questions": self.questions, "answer_types": self.answer_types,
        }


def _at(params: Any, path: str) -> Any:
    node = params
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


_MISSING = object()


def solver_catalog(bank: Bank) -> list[SolverInfo]:
    """Every registered solver with its declared params, sorted by name.

    Each param (a record's fields below it, as ``config.hidden_size``) with its kind, meaning and
    whether a question must give it; the example is the first bank question's value, else the
    declared example. A solver that declares no params lists none.
    """
    from drill.solvers import all_solvers
    from drill.solvers._params import describe

    out = []
    for name, s in sorted(all_solvers().items()):
        users = [q for q in bank.questions.values() if q.solver == name]
        params = []
        for path, kind, meaning, optional, sample in describe(s.params or {}):
            given = next((v for v in (_at(q.params, path) for q in users) if v is not _MISSING), sample)
            params.append(ParamInfo(path, not optional, given, kind, meaning))
        types = sorted({q.answer_type for q in users})
        out.append(SolverInfo(name, s.module.rsplit(".", 1)[-1], " ".join(s.doc.split()), params, [q.id for q in users], types))
    return out


def example_for(bank: Bank, solver_name: str) -> Question:
    """The bank question to copy for ``solver_name``: the easiest, then the shortest prompt; for a
    solver no question uses, a question made from its declared params' examples (no key, no vary)."""
    from drill.solvers import get

    s = get(solver_name)  # raises UnknownSolver naming close names
    users = [q for q in bank.questions.values() if q.solver == solver_name]
    if users:
        return min(users, key=lambda q: (q.difficulty, len(q.prompt), q.id))
    return _declared_example(s)


_ANSWER_TYPES = ((bool, None), (int, "integer"), (float, "number"), (tuple, "shape"), (str, "expression"))


def _declared_example(s: Any) -> Question:
    """A question for solver ``s`` from its declaration: params = the declared examples, the answer
    type read from what the solver returns for them. Raises TemplateError naming the solver."""
    from drill.solvers._params import example_params

    if s.params is None:
        raise TemplateError(f"solver {s.name!r} declares no params, so drill cannot write valid ones; see 'drill solvers'")
    params = example_params(s.params)
    try:
        sol = s.run(params)
    except Exception as exc:  # noqa: BLE001 - any refusal of the examples is the declaration's to fix, reported in one line
        raise TemplateError(f"solver {s.name!r} refuses its declared example params ({type(exc).__name__}: {exc}); "
                            "give the declaration examples it accepts (example=...)") from None
    answer = sol.answer
    if sol.choices is not None:
        atype = "choice"
    elif isinstance(answer, list):
        atype = "matrix" if answer and isinstance(answer[0], list) else "vector"
    else:
        atype = next((t for cls, t in _ANSWER_TYPES if isinstance(answer, cls)), None)
    if atype is None:
        raise TemplateError(f"solver {s.name!r} returns a {type(answer).__name__}, which no answer type reads")
    return Question(
        id="", topic=s.module.rsplit(".", 1)[-1].replace("_", "-"), title="", difficulty=1, solver=s.name, params=params,
        prompt="TODO the question, with every number it needs (a param can be shown as a placeholder, e.g. {"
               + next(iter(_placeholder_paths(params)), "x") + "})",
        answer=None, answer_type=atype, source="", file="", line=None,
    )


class _Dumper(yaml.SafeDumper):
    """Block YAML, with short mappings and lists of plain values inline: ``{int: [1, 9]}``."""


def _inline(value: Any) -> bool:
    leaves = value.values() if isinstance(value, dict) else value
    flat = all(isinstance(x, (int, float, bool)) or (isinstance(x, str) and len(x) < 20) or
               (isinstance(x, list) and all(isinstance(y, (int, float)) for y in x)) for x in leaves)
    return flat and len(repr(value)) <= 72


_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=_inline(v)))
_Dumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=_inline(v)))


def _dump(key: str, value: Any, indent: int = 4) -> str:
    """``key: value`` as block YAML (short lists/mappings inline), indented under a question."""
    text = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=92)
    return textwrap.indent(text, " " * indent)


def _prompt_block(prompt: str) -> str:
    """The prompt as a folded ``>-`` block when that round-trips exactly, else a quoted scalar."""
    paragraphs = prompt.split("\n")
    if all(p and p == " ".join(p.split()) for p in paragraphs):
        lines = ["    prompt: >-"]
        for i, p in enumerate(paragraphs):
            if i:
                lines.append("")
            lines += ["      " + line for line in textwrap.wrap(p, 90, break_long_words=False, break_on_hyphens=False)]
        block = "\n".join(lines) + "\n"
        try:
            if yaml.safe_load("q:\n" + block) == {"q": {"prompt": prompt}}:
                return block
        except yaml.YAMLError:
            pass
    return _dump("prompt", prompt)


def _placeholder_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _placeholder_paths(v, f"{prefix}{k}.")]
    if isinstance(value, list) and 0 < len(value) <= 4:
        whole = [prefix[:-1]] if all(isinstance(x, (int, float)) for x in value) else []
        return whole + [p for i, v in enumerate(value) for p in _placeholder_paths(v, f"{prefix}{i}.")]
    return [prefix[:-1]] if PLACEHOLDER_RE.fullmatch("{" + prefix[:-1] + "}") else []


def _declared_lines(s: Any) -> list[tuple[str, str, str, bool]]:
    from drill.solvers._params import describe

    return [(path, kind, meaning, not optional) for path, kind, meaning, optional, _ in describe(s.params or {}) if "." not in path]


def template(bank: Bank, question_id: str, solver_name: str, topic: str | None = None) -> str:
    """The text of a commented bank file with one question for ``solver_name``, key left empty."""
    if not ID_RE.fullmatch(question_id):
        raise TemplateError(f"question id {question_id!r} must be kebab-case: lowercase letters, digits and single hyphens")
    if question_id in bank.questions:
        other = bank.questions[question_id]
        raise TemplateError(f"question id {question_id!r} is already used in {other.file}:{other.line}")
    if topic is not None and not ID_RE.fullmatch(topic):
        raise TemplateError(f"topic {topic!r} must be kebab-case")
    from drill.solvers import get

    ex = example_for(bank, solver_name)
    s = get(solver_name)
    context = sorted(s.run(dict(ex.params)).context)
    paths = _placeholder_paths(ex.params)
    doc = " ".join(s.doc.split())
    from drill.core import answers

    atype = answers.get(ex.answer_type, ex.variables)
    key_help = atype.key_help
    out = [
        f"# A drill question for solver '{solver_name}', written by `drill new {question_id} --solver {solver_name}`.",
        f"# Solver: {doc}",
        *([f"# Params, vary, prompt and answer_type are copied from the bank question '{ex.id}'",
           f"# ({ex.file}), so they are valid for this solver. Make the question your own:"] if ex.id else
          ["# No bank question uses this solver yet: params are its declared examples (see 'drill solvers'),",
           "# answer_type is what the solver returns for them. Make the question your own:"]),
        "#   1. change params to your own values (keep their structure) and rewrite title, prompt, hint, source;",
        *[f"#      {p}{'' if req else ' (optional)'}: {meaning} ({kind})" for p, kind, meaning, req in _declared_lines(s)],
        "#   2. work the answer out BY HAND and write it after `answer:` (never paste drill's output);",
        f"#   3. check it: drill check --bank DIR -q {question_id}   (DIR = the folder of this file)",
        "# Bank format: README.md, 'Writing a question'.",
        "format_version: 1",
        f"topic: {topic or ex.topic}   # kebab-case; your questions join this topic",
        "questions:",
        f"  - id: {question_id}",
        "    title: TODO a short title   # one line, shown above the question",
        f"    difficulty: {ex.difficulty}   # 1 easy … 3 hard (the mock interview rises through them)",
        *(["    # {path} placeholders are param paths: " + ", ".join("{" + p + "}" for p in paths)] if paths else []),
        *(["    # {_name} placeholders come from the solver: " + ", ".join("{" + c + "}" for c in context)] if context else []),
        "    # State every convention (padding per side or total, bias or not, floor, natural log, ...).",
        _prompt_block(ex.prompt).rstrip("\n"),
        f"    solver: {solver_name}",
        "    # the canonical instance (seed 0): your own numbers",
        _dump("params", ex.params).rstrip("\n"),
    ]
    if ex.vary:
        out += ["    # how random variants draw params (README: draw specs); delete to ask only seed 0", _dump("vary", ex.vary).rstrip("\n")]
    if ex.constraints:
        out.append(_dump("constraints", list(ex.constraints)).rstrip("\n"))
    out += [
        f"    answer:   # TODO your hand-worked key: {key_help}",
        f"    answer_type: {ex.answer_type}",
    ]
    if atype.stated_precision:
        if ex.tolerance.to_yaml() is None:
            out.append("    # precision: 3 significant figures; a tolerance: ({decimals: N} or {rtol: X}) must be stated in the prompt")
        else:
            out.append("    # the precision the prompt states: {decimals: N} or {rtol: X} (|x − key| ≤ max(rtol·|key|, atol))")
            out.append(_dump("tolerance", ex.tolerance.to_yaml()).rstrip("\n"))
    if atype.options and ex.n_choices != 5:
        out.append(f"    n_choices: {ex.n_choices}")
    if ex.variables != ("x",):
        out.append(_dump("variables", list(ex.variables)).rstrip("\n"))
    out += [
        "    hint: TODO a nudge that does not give the answer away   # optional",
        "    source: TODO where the question comes from, and who worked the key",
    ]
    return "\n".join(out) + "\n"
