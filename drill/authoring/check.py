"""``drill check``: every question's solver agrees with its key, and every variant grades right.

For each question: the solver exists; the canonical variant (seed 0) reproduces the bank's
hand-written ``answer``; then for N random variants: the prompt is fully rendered, the
solver's answer is graded correct, an answer just outside tolerance is graded wrong, a
malformed string is reported unreadable, every mistake is graded wrong *and* named, and
multiple-choice options are distinct. An estimate question (``tolerance: {estimate: 0.05}``)
instead has its mistakes inside the window graded correct, and needs one named mistake outside it.
The same function runs in pytest (the CI check).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterable

from drill.core.bank import PLACEHOLDER_RE, Question
from drill.core import answers
from drill.core.grading import Tolerance, Unreadable
from drill.authoring.quality import PERTURB_EVERY, variant_issues
from drill.core.textsafe import visible
from drill.core.variants import Variant, VariantError, make_variant

__all__ = ["Failure", "key_value", "check_question", "quality_failures", "check_variant", "check_questions", "problem_rows",
           "control_failures", "check_checkpoints", "key_notes"]


@dataclass(frozen=True)
class Failure:
    """One problem ``drill check`` found. field: the question's field at fault, when known;
    file/line: where the question is written."""

    qid: str
    seed: int | None
    what: str
    field: str | None = None
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        seed = "" if self.seed is None else f" (seed {self.seed})"
        return f"{self.qid}{seed}: {self.what}"


def problem_rows(bank_errors: Iterable[Any], failures: Iterable[Failure]) -> list[tuple[str, str, str, str, str]]:
    """Every problem of a bank as (file:line, question, field, seed, problem) rows: what the
    loader found (BankError) first, then what checking the variants found."""
    where = lambda file, line: f"{file}:{line}" if line else file  # noqa: E731
    rows = [(where(e.file, e.line), e.qid or "", e.field or "", "", e.message) for e in bank_errors]
    rows += [(where(f.file, f.line), f.qid, f.field or "", "" if f.seed is None else str(f.seed), f.what) for f in failures]
    return rows


def key_value(q: Question) -> Any:
    """The bank's hand-written key in the answer type's form (choice: the correct option's value)."""
    return answers.get(q.answer_type, q.variables).read_key(q.answer)


def _key_agrees(q: Question, v: Variant) -> str | None:
    try:
        key = key_value(q)
    except Unreadable as exc:
        return f"answer key {q.answer!r} is unreadable: {exc}"
    if not v.atype.key_agrees(key, v):
        shown = v.atype.format(v.solved)
        return f"solver gives {shown} for the canonical params but the key says {q.answer!r}"
    return None


def key_notes(q: Question) -> list[str]:
    """What ``drill check`` reports beside its verdict: an estimate whose key is not the solver's
    exact value (a published figure such as "175B") shows both, and how far apart they are."""
    if not q.tolerance.estimate or not answers.get(q.answer_type).estimates:
        return []
    try:
        v = make_variant(q, 0)
        key = key_value(q)
        if v.atype.close(key, v.answer, Tolerance(rtol=1e-9, atol=0.0)) or not v.atype.close(key, v.answer, q.tolerance):
            return []
        off = abs(float(key) - float(v.answer)) / abs(float(v.answer))
    except (VariantError, KeyError, Unreadable, TypeError, ValueError, ZeroDivisionError):
        return []  # check_question reports what is wrong with it
    from drill.solvers._fmt import fmt

    return [f"{q.id}: key {v.atype.format(key)} (published), solver {v.atype.format(v.answer)}, {fmt(off * 100, 2)} % apart, "
            f"within the ±{fmt((q.tolerance.rtol or 0) * 100)} % estimate"]


def check_variant(v: Variant) -> list[str]:
    """Everything one variant must satisfy; returns the problems found (empty when fine)."""
    problems: list[str] = []
    left = PLACEHOLDER_RE.findall(v.prompt)
    if left:
        problems.append(f"prompt has unfilled placeholders {left}")
    if not v.steps:
        problems.append("solver gave no worked steps")
    fmt = v.atype.format
    g = v.grade(fmt(v.answer))
    if not g.correct:
        problems.append(f"the solver's own answer {fmt(v.answer)!r} is graded {g.status}")
    problems += v.atype.self_check(v)  # a value just outside the tolerance is wrong (choice: a wrong letter; distinct options)
    g = v.grade(v.atype.malformed)
    if g.status != "unreadable":
        problems.append(f"malformed {v.atype.malformed!r} is graded {g.status}, not unreadable")
    for name in v.masked:
        problems.append(f"mistake {name!r} falls inside the tolerance, so it would be graded correct")
    estimate = v.tolerance.estimate
    outside = 0
    for name, value in v.mistakes.items():
        g = v.grade(fmt(value))
        if estimate and v.atype.close(value, v.answer, v.tolerance):  # an acceptable estimate
            if not g.correct:
                problems.append(f"mistake {name!r} ({fmt(value)}) is inside the estimate's tolerance but graded {g.status}")
            continue
        outside += 1
        if g.status != "wrong" or g.mistake != name:
            problems.append(f"mistake {name!r} ({fmt(value)}) is graded {g.status}, named {g.mistake!r}")
    if estimate and not outside:
        problems.append("an estimate question needs a named mistake outside its tolerance (one that matters at this scale)")
    try:
        json.dumps(v.to_json())
    except (TypeError, ValueError) as exc:
        problems.append(f"variant is not JSON-serializable: {exc}")
    problems += check_checkpoints(v)
    return problems


_NUMBER = re.compile(r"[-−]?(?:[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?|\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")  # 7,241,732,096 too


_SCI = re.compile(r"([-−]?\d+(?:\.\d+)?)\s*[×x·]\s*10\^\(?([-−]?\d+)\)?")


def _numbers(line: str) -> list[float]:
    """The numbers a step line shows, "2.037×10^-10" included."""
    sci = [float(a.replace("−", "-")) * 10.0 ** int(b.replace("−", "-")) for a, b in _SCI.findall(line)]
    return sci + [float(m.replace("−", "-").replace(",", "")) for m in _NUMBER.findall(line)]


def _shown(value: Any, line: str) -> bool:
    """Every number of ``value`` appears in ``line`` (to the 4–6 digits the steps print)."""
    flat = [x for r in value for x in (r if isinstance(r, (list, tuple)) else [r])] if isinstance(value, (list, tuple)) else [value]
    shown = _numbers(line)
    return all(any(abs(n - float(x)) <= max(1e-3 * abs(float(x)), 1e-9) for n in shown) for x in flat)


def check_checkpoints(v: Variant) -> list[str]:
    """Each checkpoint of the variant's solution points at a step line that shows its value, and
    its own value, typed as its answer type shows it, is graded correct by the same grader."""
    from drill.core.checkpoints import checkpoints, grade_checkpoint

    problems: list[str] = []
    for cp in checkpoints(v):
        try:
            atype = answers.get(cp.answer_type, v.question.variables)
            text = atype.format(atype.coerce(cp.value))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"checkpoint {cp.label!r}: {exc}")
            continue
        if not 0 <= cp.step < len(v.steps):
            problems.append(f"checkpoint {cp.label!r} points at step {cp.step}, but there are {len(v.steps)} steps")
        elif not _shown(atype.coerce(cp.value), v.steps[cp.step]):
            problems.append(f"checkpoint {cp.label!r} = {text} does not appear in its step {v.steps[cp.step]!r}")
        g = grade_checkpoint(v, cp, text)
        if not g.correct:
            problems.append(f"checkpoint {cp.label!r}: its own value {text!r} is graded {g.status}")
    return problems


def check_question(q: Question, variants: int = 100, *, quality: bool = True) -> list[Failure]:
    """All failures of one question: the canonical key, then ``variants`` random seeds, then
    what :mod:`drill.authoring.quality` found (each distinct issue once, at its first seed)."""
    failures: list[Failure] = []
    fail = lambda seed, what, fld=None: Failure(q.id, seed, what, fld, q.file, q.line)  # noqa: E731
    issues: dict[str, list] = {}
    lists = ListDraws(q)
    reads = ParamReads(q)
    for seed in range(0, variants + 1):
        try:
            v = make_variant(q, seed)
        except (VariantError, KeyError) as exc:
            failures.append(fail(seed, str(exc), getattr(exc, "field", None)))
            break
        if seed:
            lists.saw(v.params)
            failures += [fail(seed, f"drawn params break the solver's declaration: {path}: {problem}", "vary")
                         for path, problem in _declared_problems(q, v.params)]
        if seed <= READ_SEEDS:
            reads.saw(v.params)
        try:
            if seed == 0:
                problem = _key_agrees(q, v)
                if problem:
                    failures.append(fail(0, problem, "answer"))
            failures += [fail(seed, p) for p in check_variant(v)]
            if quality:
                for issue in variant_issues(v, perturb=seed % PERTURB_EVERY == 0):
                    issues.setdefault(f"{issue.kind}:{issue.key}", []).append((seed, issue))
        except Exception as exc:  # noqa: BLE001 - report it with the rest, never stop checking the bank
            failures.append(fail(seed, f"checking this variant raised {type(exc).__name__}: {exc}"))
    failures += [fail(None, what, "vary") for what in lists.never_drawn()]
    for seed in range(variants + 1, READ_SEEDS + 1):  # a few variants checked: trace a fair sample anyway
        try:
            reads.saw(make_variant(q, seed).params)
        except Exception:  # noqa: BLE001 - a question that makes no variant is reported above
            break
    failures += [fail(None, what, "params") for what in reads.unread()]
    return failures + quality_failures(q, issues)


def _declared_problems(q: Question, params: dict) -> list[tuple[str, str]]:
    """How a variant's drawn params break the solver's declared params (the canonical ones are
    checked when the bank loads)."""
    from drill.solvers import UnknownSolver, get

    try:
        return get(q.solver).check_params(params)
    except UnknownSolver:
        return []


READ_SEEDS = 50  # variants (from the canonical one) whose params are traced through the solver, however few are checked


class ParamReads:
    """The params (:func:`drill.authoring.param_reads.declared_paths` of each variant's params) the solver
    never reads in any traced variant: a param it ignores changes nothing, so the prompt lies."""

    def __init__(self, q: Question) -> None:
        self.q = q
        self.declared: set[str] = set()
        self.read: set[str] | None = None

    def saw(self, params: dict) -> None:
        from drill.authoring.param_reads import declared_paths, solver_reads, unread_paths
        from drill.solvers import get

        try:
            run = get(self.q.solver).run
        except KeyError:
            return
        declared = declared_paths(params)
        unread = unread_paths(declared, solver_reads(run, params))
        self.declared |= declared
        self.read = (self.read or set()) | (declared - unread)

    def unread(self) -> list[str]:
        if self.read is None:
            return []
        never = sorted(self.declared - self.read)
        if not never:
            return []
        return [f"params the solver never reads: {', '.join(never)} (remove them, or make the solver use them)"]


LIST_DRAWS_PER_ITEM = 30  # a list of k choices is judged after 30·k draws: a fair entry is missed with p ≈ e^-30


class ListDraws:
    """Which entries of each ``vary`` choice list (``path: [a, b, …]`` or ``{choice: […]}``) the
    variants drew. An entry never drawn in 30·k draws is always refused (a masked mistake, invalid
    params): the bank lists a case no learner ever sees."""

    def __init__(self, q: Question) -> None:
        self.lists = {str(path): spec if isinstance(spec, list) else spec["choice"] for path, spec in q.vary.items()
                      if isinstance(spec, list) or (isinstance(spec, dict) and isinstance(spec.get("choice"), list))}
        # keys of a drawn mapping that a later vary path sets again (config, then config.mlp)
        self.reset = {path: {str(p)[len(path) + 1:].split(".")[0] for p in q.vary if str(p).startswith(path + ".")} for path in self.lists}
        self.drawn: dict[str, set[int]] = {path: set() for path in self.lists}
        self.draws = 0

    def saw(self, params: dict) -> None:
        self.draws += 1
        for path, options in self.lists.items():
            node: Any = params
            try:
                for part in path.split("."):
                    node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            self.drawn[path].update(i for i, option in enumerate(options) if self._same(option, node, self.reset[path]))

    @staticmethod
    def _same(option: Any, value: Any, reset: set[str]) -> bool:
        if isinstance(option, dict) and isinstance(value, dict):
            return all(value.get(k) == x for k, x in option.items() if k not in reset)
        return option == value

    def never_drawn(self) -> list[str]:
        out = []
        for path, options in self.lists.items():
            k = len(options)
            missing = [i for i in range(k) if i not in self.drawn[path]]
            if k < 2 or not missing or self.draws < LIST_DRAWS_PER_ITEM * k:
                continue
            named = ", ".join(f"#{i + 1} {_entry_name(options[i])}" for i in missing)
            out.append(f"vary {path}: {named} never drawn in {self.draws} variants (a list of {k}: each should come up about "
                       f"{self.draws // k} times); every draw of it is refused (a mistake inside the tolerance? invalid params?)")
        return out


def _entry_name(option: Any) -> str:
    if isinstance(option, dict) and "name" in option:
        return repr(option["name"])
    text = repr(option)
    return text if len(text) <= 60 else text[:57] + "..."


def quality_failures(q: Question, issues: dict[str, list]) -> list[Failure]:
    """One failure per distinct quality issue: its first seed, and how many variants share it."""
    out = []
    for found in issues.values():
        seed, issue = found[0]
        more = f" (also {len(found) - 1} more variant{'s' * (len(found) != 2)})" if len(found) > 1 else ""
        out.append(Failure(q.id, seed, f"[{issue.kind}] {issue.what}{more}", issue.field, q.file, q.line))
    return out


def _check_one(args: tuple[Question, int, bool]) -> list[Failure]:
    q, variants, quality = args
    return check_question(q, variants, quality=quality)


def check_questions(questions: Iterable[Question], variants: int = 100, workers: int = 1, *, quality: bool = True) -> list[Failure]:
    """Check many questions, in ``workers`` processes when more than one (quality: also run
    :mod:`drill.authoring.quality`'s properties on every variant)."""
    jobs = [(q, variants, quality) for q in questions]
    if workers <= 1 or len(jobs) < 4:
        return [f for job in jobs for f in _check_one(job)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [f for fs in pool.map(_check_one, jobs, chunksize=max(1, len(jobs) // (workers * 4))) for f in fs]


def _control_text(label: str, bad: str) -> str:
    return f"{label} holds a control character ({visible(bad)}: an escape sequence or invisible character); banks are plain text"


def control_failures(bank: Any, questions: Iterable[Question]) -> list[Failure]:
    """Control characters in the bank text of these questions (title, prompt, hint, source, key,
    constraints, tags, params) and in their topics' explain sections, as the loader saw them
    before making the text safe (``Question.control``): each a problem ``drill check`` reports."""
    out: list[Failure] = []
    topics: dict[str, Question] = {}
    for q in questions:
        topics.setdefault(q.topic, q)
        out += [Failure(q.id, None, _control_text(f"the {name}", bad), name, q.file, q.line) for name, bad in q.control]
    for topic in topics:
        ex = getattr(bank, "explanations", {}).get(topic)
        if ex is not None:
            out += [Failure("", None, _control_text(f"the explain {name}", bad), f"explain.{name}", ex.file, None) for name, bad in ex.control]
    return out
