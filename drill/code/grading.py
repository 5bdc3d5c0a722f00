"""Grade a learner's function against the solver: the first failing case, shown small, and the
misconception its output matches when it equals one of the solver's named mistakes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from drill.code.exercises import Case, Exercise, cases
from drill.code.runner import Run, run


@dataclass
class Failure:
    """The first failing case: what it was called with, what was expected, what came back."""

    case: str  # the case's label
    what: str  # one line: wrong values, wrong shape, an exception, a mutated input, overflow
    kwargs: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    got: Any = None
    where: str = ""  # the first differing entry: "index (1, 0): expected 3.0, got 5.0"
    mistake: str = ""  # the named misconception the output matches, if any
    params: dict = field(default_factory=dict)  # the solver's params of this case (for the hint ladder)


@dataclass
class Report:
    exercise: Exercise
    passed: bool
    n_cases: int
    n_passed: int = 0
    problem: str = ""  # the run as a whole failed (time-out, exit, import error, forbidden module)
    failure: Failure | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    example: dict = field(default_factory=dict)  # a passing run: the first case's solver params (for its worked steps)


def hints(ex: Exercise, params: dict) -> list[str]:
    """The hint ladder on one case: the exercise's hint, the solver's declared formula with this case's
    values, then the first checkpoint's value (the intermediate to compare with yours)."""
    from drill.solvers import get
    from drill.solvers._fmt import fmt

    out = [ex.hint] if ex.hint else []
    try:
        sol = get(ex.solver).run(params)
    except Exception:  # noqa: BLE001 - a hint is never worth a traceback
        return out
    if sol.formulas:
        f = sol.formulas[0]
        syms = ", ".join(f"{s.name} = {fmt(s.value)}" for s in f.symbols[:8]) + (", …" if len(f.symbols) > 8 else "")
        out.append(f"formula: {f.name or 'answer'} = {f.expr}" + (f"   where {syms}" if syms else ""))
    if sol.checkpoints:
        c = sol.checkpoints[0]
        out.append(f"first checkpoint on this case: {c.label} = {fmt(c.value)}")
    return out


def worked_steps(ex: Exercise, params: dict) -> list[str]:
    """The solver's worked solution of one case."""
    from drill.solvers import get

    return list(get(ex.solver).run(params).steps)


def _decode(out: Any) -> Any:
    """The child's encoded output as arrays (a list of them for list outputs), or a one-line problem str."""
    if isinstance(out, dict) and "list" in out:
        parts = [_decode(x) for x in out["list"]]
        bad = next((p for p in parts if isinstance(p, str)), None)
        return bad if bad else parts
    if isinstance(out, dict) and "array" in out:
        a = np.array(out["array"], dtype=float).reshape(out.get("shape", np.shape(out["array"])))
        if out.get("dtype", "float64")[:1] not in ("f",):
            return f"returned dtype {out['dtype']}; return floats (e.g. np.float64)"
        return a
    if isinstance(out, dict) and "too_big" in out:
        return f"returned an array of shape {tuple(out['too_big'])}, far too big"
    if isinstance(out, dict) and "complex" in out:
        return "returned complex numbers"
    if isinstance(out, dict) and "unreadable" in out:
        return f"returned {out['unreadable']}, not numbers"
    return f"returned {type(out).__name__}, not an array"


def _flat(got: Any) -> np.ndarray:
    return np.concatenate([np.ravel(g) for g in got]) if isinstance(got, list) else got


def _close(ex: Exercise, a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=ex.rtol, atol=ex.atol))


def _where(ex: Exercise, expected: np.ndarray, got: np.ndarray) -> str:
    bad = ~np.isclose(got, expected, rtol=ex.rtol, atol=ex.atol)
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else ()
    n = int(bad.sum())
    at = f"index {idx if len(idx) != 1 else idx[0]}" if idx else "the value"
    return f"{at}: expected {expected[idx]:.6g}, got {got[idx]:.6g} ({n} of {expected.size} entr{'y' if expected.size == 1 else 'ies'} differ)"


def _mistake(ex: Exercise, got: np.ndarray, answer: np.ndarray, mistakes: dict[str, np.ndarray]) -> str:
    for name, wrong in mistakes.items():
        if wrong.shape == got.shape and not _close(ex, wrong, answer) and _close(ex, got, wrong):
            return name
    return ""


def _shape_of(case: Case, ex: Exercise, got: Any, expected: np.ndarray) -> str:
    """The output's shape; for a list output (clip-grad-norm), the shapes of the input list it mirrors."""
    ins = case.kwargs.get(ex.list_like) if ex.list_like else None
    if ins is not None and not isinstance(got, list) and len({np.shape(g) for g in ins}) == 1 and got.shape == (len(ins), *np.shape(ins[0])):
        return ""  # equal shapes came back stacked (a list of arrays the child could not tell from one array)
    if ins is not None and not isinstance(got, list):
        return f"returned one array of shape {got.shape}; expected a list of {len(ins)} arrays, one per input array"
    if isinstance(got, list):
        if ins is None:
            return f"returned a list of {len(got)} arrays; expected one array of shape {expected.shape}"
        if [np.shape(g) for g in got] != [np.shape(g) for g in ins]:
            return f"returned arrays of shapes {[np.shape(g) for g in got]}, expected {[np.shape(g) for g in ins]}"
        return ""
    if got.shape != expected.shape:
        return f"returned shape {got.shape}, expected {expected.shape}"
    return ""


def grade_run(ex: Exercise, the_cases: list[Case], r: Run, function: str) -> Report:
    """Read one function's results from a run and grade them case by case."""
    rep = Report(ex, False, len(the_cases), stdout=r.stdout, stderr=r.stderr, seconds=r.seconds)
    if r.forbidden:
        rep.problem = f"imports {r.forbidden}, which this exercise does not allow (NumPy only)"
        return rep
    if r.problem:
        rep.problem = r.problem
        return rep
    res = r.functions.get(function)
    if not res or res.get("missing"):
        rep.problem = f"your file defines no function {function}()"
        return rep
    first: Failure | None = None
    for case, out in zip(the_cases, res["cases"]):
        answer, mistakes = ex.key(case.params)
        fail = _grade_case(ex, case, out, answer, mistakes)
        if fail is not None:
            fail.params = case.params
        if fail is None:
            rep.n_passed += 1
        elif first is None:
            first = fail
        elif not first.mistake and fail.mistake and fail.what.startswith("wrong values"):
            first.mistake = fail.mistake  # named on a later case when the first one cannot tell
    rep.failure = first
    rep.passed = first is None and rep.n_passed == len(the_cases)
    if rep.passed and the_cases:
        rep.example = the_cases[0].params
    return rep


def _grade_case(ex: Exercise, case: Case, out: dict, answer: np.ndarray, mistakes: dict[str, np.ndarray]) -> Failure | None:
    small = {k: v for k, v in case.kwargs.items()}
    if "error" in out:
        return Failure(case.label, f"raised {out['error']}", small, answer)
    got = _decode(out["out"])
    if isinstance(got, str):
        return Failure(case.label, got, small, answer)
    shape = _shape_of(case, ex, got, answer)
    flat = _flat(got)
    if not shape and flat.shape != answer.shape:
        flat = flat.reshape(answer.shape) if flat.size == answer.size else flat
    if shape:
        return Failure(case.label, shape, small, answer, got, mistake=_mistake(ex, flat, answer, mistakes))
    if not np.all(np.isfinite(flat)):
        what = "overflowed: the output has inf or nan" + (" (logits this large need the max subtracted)" if case.check_finite else "")
        return Failure(case.label, what, small, answer, got)
    if not _close(ex, flat, answer):
        return Failure(case.label, "wrong values", small, answer, got, _where(ex, answer, flat), _mistake(ex, flat, answer, mistakes))
    if out.get("mutated"):
        names = ", ".join(out["mutated"])
        return Failure(case.label, f"changed its input {names} in place (copy it first, e.g. x = x.copy())", small, answer, got)
    return None


def check(ex: Exercise, module: Path, *, n: int = 6, seed: int = 0, function: str | None = None, time_limit: float | None = None) -> Report:
    """Grade the learner's file ``module`` on ``n`` random variants and the exercise's edge cases."""
    return check_many(ex, module, [function or ex.function], n=n, seed=seed, time_limit=time_limit)[0]


def check_many(ex: Exercise, module: Path, functions: list[str], *, n: int = 6, seed: int = 0,
               time_limit: float | None = None) -> list[Report]:
    """Several functions of one file graded on the same cases in one subprocess (the test suite's batches)."""
    the_cases = cases(ex, n, seed)
    kw = {"time_limit": time_limit} if time_limit else {}
    r = run(module, functions, [c.kwargs for c in the_cases], forbidden=ex.forbidden, **kw)
    return [grade_run(ex, the_cases, r, f) for f in functions]
