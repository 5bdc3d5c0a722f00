"""Writing your own questions: ``drill solvers`` (what each solver expects) and ``drill new``.

``drill new ID --solver NAME`` writes a commented bank file with one question whose params,
``vary`` specs, answer type and prompt are copied from a bank question that already uses
that solver, so every param is valid and every placeholder resolves. Only the key is left
out (``answer:`` is empty, so ``drill check`` fails until the author works it out by hand).
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
    name: str
    required: bool  # present in every bank question that uses the solver
    example: Any  # the value in the first such question


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
            "params": [{"name": p.name, "required": p.required, "example": p.example} for p in self.params],
            "questions": self.questions, "answer_types": self.answer_types,
        }


def solver_catalog(bank: Bank) -> list[SolverInfo]:
    """Every registered solver with the params the bank's questions give it, sorted by name.

    A param is *required* when every question using the solver has it; the example value is
    the first such question's. A solver no question uses has no params listed (read its doc).
    """
    from drill.solvers import all_solvers

    out = []
    for name, s in sorted(all_solvers().items()):
        users = [q for q in bank.questions.values() if q.solver == name]
        keys: list[str] = []
        for q in users:
            keys += [k for k in q.params if k not in keys]
        params = [ParamInfo(k, all(k in q.params for q in users), next(q.params[k] for q in users if k in q.params)) for k in keys]
        types = sorted({q.answer_type for q in users})
        out.append(SolverInfo(name, s.module.rsplit(".", 1)[-1], " ".join(s.doc.split()), params, [q.id for q in users], types))
    return out


def example_for(bank: Bank, solver_name: str) -> Question:
    """The bank question to copy for ``solver_name``: the easiest, then the shortest prompt."""
    from drill.solvers import get

    get(solver_name)  # raises UnknownSolver naming close names
    users = [q for q in bank.questions.values() if q.solver == solver_name]
    if not users:
        raise TemplateError(f"no bank question uses solver {solver_name!r} yet, so there are no known-valid params to copy; see 'drill solvers'")
    return min(users, key=lambda q: (q.difficulty, len(q.prompt), q.id))


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
        f"# Params, vary, prompt and answer_type are copied from the bank question '{ex.id}'",
        f"# ({ex.file}), so they are valid for this solver. Make the question your own:",
        "#   1. change params to your own values (keep their structure) and rewrite title, prompt, hint, source;",
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
