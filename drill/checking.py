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

from drill.bank import PLACEHOLDER_RE, Question
from drill.grading import Tolerance, Unreadable, answer_type
from drill.quality import PERTURB_EVERY, variant_issues
from drill.textsafe import has_control, visible
from drill.variants import Variant, VariantError, make_variant

__all__ = ["Failure", "key_value", "check_question", "quality_failures", "check_variant", "check_questions", "problem_rows",
           "control_failures", "check_checkpoints"]


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
    if q.answer_type == "choice":
        return q.answer
    atype = answer_type(q.answer_type, q.variables)
    return atype.parse(str(q.answer))


def _key_agrees(q: Question, v: Variant) -> str | None:
    try:
        key = key_value(q)
    except Unreadable as exc:
        return f"answer key {q.answer!r} is unreadable: {exc}"
    if q.answer_type == "choice":
        solved = v.answer_value
        if isinstance(key, (int, float)) and isinstance(solved, (int, float)):
            ok = q.tolerance.accepts(float(key), float(solved))
        else:
            ok = " ".join(str(key).split()) == " ".join(str(solved).split())
    else:  # an estimate's key is still the exact value (the window is for the learner's answer)
        ok = v.atype.close(key, v.answer, Tolerance(rtol=1e-9, atol=0.0) if v.tolerance.estimate else v.tolerance)
    if not ok:
        shown = v.answer_value if q.answer_type == "choice" else v.atype.format(v.answer)
        return f"solver gives {shown} for the canonical params but the key says {q.answer!r}"
    return None


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
    if v.choices is None:
        outside = fmt(v.atype.nudge(v.answer, v.tolerance))
        g = v.grade(outside)
        if g.status != "wrong":
            problems.append(f"{outside!r}, just outside tolerance, is graded {g.status}")
    else:
        if len(set(v.choices)) != len(v.choices) or len(v.choices) < 2:
            problems.append(f"choices are not distinct or too few: {v.choices}")
        if v.grade(v.atype.nudge(v.answer, v.tolerance)).status != "wrong":
            problems.append("a wrong letter is not graded wrong")
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
    problems += _control_problems(v)
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
    from drill.grading import answer_type
    from drill.session import checkpoints, grade_checkpoint

    problems: list[str] = []
    for cp in checkpoints(v):
        try:
            atype = answer_type(cp.answer_type, v.question.variables)
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
    what :mod:`drill.quality` found (each distinct issue once, at its first seed)."""
    failures: list[Failure] = []
    fail = lambda seed, what, fld=None: Failure(q.id, seed, what, fld, q.file, q.line)  # noqa: E731
    issues: dict[str, list] = {}
    for seed in range(0, variants + 1):
        try:
            v = make_variant(q, seed)
        except (VariantError, KeyError) as exc:
            failures.append(fail(seed, str(exc), getattr(exc, "field", None)))
            break
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
    return failures + quality_failures(q, issues)


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
    :mod:`drill.quality`'s properties on every variant)."""
    jobs = [(q, variants, quality) for q in questions]
    if workers <= 1 or len(jobs) < 4:
        return [f for job in jobs for f in _check_one(job)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [f for fs in pool.map(_check_one, jobs, chunksize=max(1, len(jobs) // (workers * 4))) for f in fs]


def _control_text(label: str, text: str) -> str | None:
    """A problem naming where ``text`` holds control characters or escape sequences, or None."""
    if not has_control(text):
        return None
    bad = next(c for c in text if not (c.isprintable() or c == "\n"))
    return f"{label} holds a control character ({visible(bad)}: an escape sequence or invisible character); banks are plain text"


def _control_problems(v: Variant) -> list[str]:
    """Control characters in what a variant shows: the rendered prompt, the options, the worked steps."""
    texts = [("the rendered prompt", v.prompt)] + [(f"option {i + 1}", c) for i, c in enumerate(v.choices or [])]
    texts += [(f"worked step {i + 1}", s) for i, s in enumerate(v.steps)]
    return [p for label, text in texts if (p := _control_text(label, str(text)))]


def control_failures(bank: Any, questions: Iterable[Question]) -> list[Failure]:
    """Control characters in the bank text of these questions (title, prompt, hint, source,
    constraints, tags) and in their topics' explain sections: each a problem ``drill check`` reports."""
    out: list[Failure] = []
    topics: dict[str, Question] = {}
    for q in questions:
        topics.setdefault(q.topic, q)
        fields = [("id", q.id), ("topic", q.topic), ("title", q.title), ("prompt", q.prompt), ("hint", q.hint), ("source", q.source)]
        fields += [("constraints", c) for c in q.constraints] + [("tags", t) for t in q.tags]
        for name, text in fields:
            problem = _control_text(f"the {name}", str(text))
            if problem:
                out.append(Failure(q.id, None, problem, name, q.file, q.line))
    for topic, q in topics.items():
        ex = getattr(bank, "explanations", {}).get(topic)
        if ex is None:
            continue
        texts = [("summary", ex.summary)] + [("conventions", c) for c in ex.conventions]
        texts += [("formulas", f) for f, where in ex.formulas] + [("formulas", f"{k} {w}") for _, where in ex.formulas for k, w in where.items()]
        for name, text in texts:
            problem = _control_text(f"the explain {name}", str(text))
            if problem:
                out.append(Failure("", None, problem, f"explain.{name}", ex.file, None))
    return out
