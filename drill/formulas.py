"""Declared formulas (``solvers.Formula``): evaluate one at its bound symbols and prove it computes
what it says it computes. The expression goes through drill's own evaluator, never eval/sympify.

This is the seed the formula proof in ``drill check``, the hint ladder and ``drill explain`` build on.
"""

from __future__ import annotations

import math
from typing import Any

from drill.safe_expr import ExprError, evaluate

__all__ = ["value", "target_value", "problems"]


def value(f: Any) -> float:
    """The formula's value at its symbols' values (raises ExprError when it cannot be evaluated)."""
    env = {s.name: s.value for s in f.symbols}
    return evaluate(f.expr, env, allow_lists=True)


def _flat(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flat(item)]
    return [x]


def target_value(v: Any, f: Any) -> Any:
    """What ``f`` claims to compute on variant ``v``: the answer, one flattened entry of it, or a
    checkpoint's value."""
    answer = v.answer_value if v.choices is not None else v.answer
    if f.target is None:
        return answer
    if isinstance(f.target, int):
        return _flat(answer)[f.target]
    if isinstance(f.target, str) and f.target.startswith("checkpoint:"):
        from drill.session import checkpoints

        return checkpoints(v)[int(f.target.split(":", 1)[1])].value
    raise ValueError(f"unknown formula target {f.target!r}")


def _close(a: float, b: float, v: Any, exact: bool) -> bool:
    if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return True
    if exact:  # a count or a size: the formula must give it exactly
        return False
    try:
        return v.question.tolerance.accepts(float(a), float(b))
    except Exception:  # noqa: BLE001
        return False


def problems(v: Any) -> list[str]:
    """One line per declared formula of variant ``v`` that does not compute its target."""
    out: list[str] = []
    for i, f in enumerate(v.formulas):
        names = {s.name for s in f.symbols}
        try:
            got = value(f)
        except (ExprError, ArithmeticError, ValueError, TypeError) as exc:
            out.append(f"formula {i} {f.expr!r} cannot be evaluated at its symbols ({exc}); symbols: {sorted(names)}")
            continue
        try:
            want = target_value(v, f)
        except (IndexError, ValueError, KeyError) as exc:
            out.append(f"formula {i} {f.expr!r}: its target {f.target!r} does not exist ({exc})")
            continue
        try:
            exact = isinstance(want, int) and not isinstance(want, bool)
            ok = _close(float(got), float(want), v, exact)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            out.append(f"formula {i} {f.expr!r} gives {got!r}, but its target {f.target!r} is {want!r}")
    return out
