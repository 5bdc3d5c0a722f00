"""Exact confirmation for the symbolic engine (:mod:`drill.core.symbolic`), bounded in time.

Where it is decidable, given − key is proved zero or not: rational functions by ``cancel``,
exp/σ/tanh after substituting t = e^(x/L) with the degree bounded; enumerated variables are
substituted value by value. Elsewhere only a zero is a proof, and the screen decides. No
unbounded ``simplify``/``equals``/``solve``: every step runs in a worker thread waited for until
a deadline, and checks the deadline between steps.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from drill.core.symbolic_read import Spec, sympy_module

__all__ = ["OverBudget", "exact", "run_within", "tick"]

MAX_T_DEGREE = 32  # degree of t = e^(x/L) after the substitution
MAX_TERMS = 1_500  # terms multiplying out may produce; beyond, sympy could run for minutes


class OverBudget(Exception):
    """The deadline passed before the step finished."""


def run_within(budget_end: float, fn: Callable[[], Any]) -> Any:
    """``fn()`` in a worker thread, waited for until ``budget_end``; raises OverBudget after."""
    if time.monotonic() >= budget_end:
        raise OverBudget
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="drill-symbolic")
    worker.start()
    worker.join(max(0.0, budget_end - time.monotonic()))
    if worker.is_alive() or "error" in box and isinstance(box["error"], OverBudget):
        raise OverBudget
    if "error" in box:
        raise box["error"]
    return box["value"]


def tick(end: float) -> None:
    """Raise :class:`OverBudget` once the deadline ``end`` (time.monotonic) has passed."""
    if time.monotonic() >= end:
        raise OverBudget


def exact(given: Any, key: Any, s: Spec, end: float) -> bool | None:
    """True when given − key is identically zero on the domains, False when it provably is not,
    None when undecidable here (the screen decides). Enumerated variables are substituted."""
    sp = sympy_module()
    fixed = [v for v in s.variables if v.enumerated]
    combos = list(itertools.islice(itertools.product(*(v.enumerated for v in fixed)), 65))
    if len(combos) > 64:
        return None
    verdicts = []
    for combo in combos:
        tick(end)
        sub = {sp.Symbol(v.name, **v.assumptions()): _rational(x) for v, x in zip(fixed, combo)}
        verdicts.append(_decide((given - key).xreplace(sub), end))
        if verdicts[-1] is False:
            return False
    return True if all(verdicts) else None


def expansion_terms(e: Any) -> int:
    """An upper estimate of the terms sympy meets multiplying ``e`` out (numerator and denominator
    counted apart), capped just above MAX_TERMS. A function call counts as one term."""
    cap = MAX_TERMS + 1
    if e.is_Add:
        return min(cap, sum(expansion_terms(a) for a in e.args))
    if e.is_Mul:
        num = den = 1
        for f in e.args:
            if f.is_Pow and f.exp.is_Integer and f.exp < 0:
                den = min(cap, den * expansion_terms(f))
            else:
                num = min(cap, num * expansion_terms(f))
        return min(cap, num + den - 1)
    if e.is_Pow and e.exp.is_Integer:
        n, t = abs(int(e.exp)), expansion_terms(e.base)
        if t == 1 or n <= 1:
            return t
        k = min(n, t - 1)
        return cap if k > 64 else min(cap, math.comb(n + t - 1, k))  # monomials of degree n in t terms
    return 1


def _rational(x: float) -> Any:
    f = Fraction(repr(x)) if isinstance(x, float) else Fraction(x)
    return sympy_module().Rational(f.numerator, f.denominator)


def _decide(d: Any, end: float) -> bool | None:
    sp = sympy_module()
    if d == 0:
        return True
    if expansion_terms(d) > MAX_TERMS:
        raise OverBudget  # refused at once rather than left running past the deadline
    d = d.replace(sp.tanh, lambda a: (sp.exp(2 * a) - 1) / (sp.exp(2 * a) + 1))
    d = d.replace(sp.sinh, lambda a: (sp.exp(a) - sp.exp(-a)) / 2)
    d = d.replace(sp.cosh, lambda a: (sp.exp(a) + sp.exp(-a)) / 2)
    tick(end)
    rational = _exp_to_t(d)
    if rational is not None:
        rational = rational.xreplace({sp.E: sp.Dummy("e", positive=True), sp.pi: sp.Dummy("pi", positive=True)})
    if rational is not None and _rational_function(rational):
        if expansion_terms(rational) > MAX_TERMS:
            raise OverBudget
        tick(end)
        num = sp.fraction(sp.cancel(sp.together(rational)))[0]
        tick(end)
        return sp.expand(num) == 0
    # Outside the decidable class only a zero is a proof; anything else leaves it to the screen.
    tick(end)
    if sp.cancel(d) == 0:
        return True
    if d.has(sp.log):
        tick(end)
        if sp.cancel(sp.expand_log(d)) == 0:
            return True
    return None


def _exp_to_t(d: Any) -> Any:
    """``d`` with each exp(c·x + c'·y …) (c rational) replaced by t_x^(c·L) · t_y^(c'·L'), where
    t_x = e^(x/L); None when an exponent is not linear and homogeneous with rational slopes or a
    degree would pass MAX_T_DEGREE. x and e^x are algebraically independent, so the result is an
    identity in the t's exactly when ``d`` is one in the variables."""
    sp = sympy_module()
    atoms = d.atoms(sp.exp)
    if not atoms:
        return d
    slopes: dict[Any, dict[Any, Any]] = {}
    for atom in atoms:
        if expansion_terms(atom.args[0]) > MAX_TERMS:
            return None
        arg = sp.expand(atom.args[0])
        syms = sorted(arg.free_symbols, key=str)
        if not syms or not arg.is_polynomial(*syms) or sp.Poly(arg, *syms).total_degree() > 1:
            return None  # exp of a constant or of a non-linear exponent: left to the screen
        slope = {x: arg.coeff(x) for x in syms}
        if arg.as_independent(*syms, as_Add=True)[0] != 0 or not all(c.is_Rational for c in slope.values()):
            return None
        slopes[atom] = slope
    lcm: dict[Any, int] = {}
    for slope in slopes.values():
        for x, c in slope.items():
            lcm[x] = math.lcm(lcm.get(x, 1), int(c.q))
    ts = {x: sp.Dummy(f"t_{x}", positive=True) for x in lcm}
    swap = {}
    for atom, slope in slopes.items():
        powers = {x: int(c * lcm[x]) for x, c in slope.items()}
        if any(abs(p) > MAX_T_DEGREE for p in powers.values()):
            return None
        swap[atom] = sp.Mul(*(ts[x] ** p for x, p in powers.items()))
    return d.xreplace(swap)


def _rational_function(d: Any) -> bool:
    """A rational function of its symbols with rational coefficients only (so cancel decides)."""
    sp = sympy_module()
    syms = sorted(d.free_symbols, key=str)
    if d.has(sp.Function) or d.atoms(sp.NumberSymbol):
        return False
    if any(not p.exp.is_Integer for p in d.atoms(sp.Pow)):
        return False
    return d.is_rational_function(*syms)
