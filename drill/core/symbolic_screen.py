"""The float screen of the symbolic engine (:mod:`drill.core.symbolic`): a formula's value at
random points drawn from the declared domains (seeded per variant, never public; discrete
domains enumerated in full; points where the key is undefined drawn again), in 30-digit mpmath
arithmetic, compared at a relative tolerance of 1e-9. mpmath is imported on first use.
"""

from __future__ import annotations

import ast
import functools
import itertools
import math
import random
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from drill.core.symbolic_read import Reading, Spec, SymbolicError

__all__ = ["agrees", "mp_module", "same", "screen_points", "value"]

SCREEN_POINTS = 12  # random points when no variable is enumerated
REL_TOL = 1e-9
ABS_TOL = 1e-60  # at RECHECK_DIGITS: a key of exactly 0 against a rounding residue
DIGITS = 30  # working precision of the screen
RECHECK_DIGITS = 90  # precision a point where the screen found a difference is computed again with
MAX_MAGNITUDE = 10_000  # |ln| of the largest value the screen computes (e^10000)
MAX_ENUMERATED = 256  # points from the product of discrete domains


class _Undefined(Exception):
    pass


def mp_module() -> Any:
    import mpmath

    return mpmath


def value(tree: ast.Expression, env: Mapping[str, Any], digits: int = DIGITS) -> Any:
    """The formula's value at ``env`` in ``digits``-digit arithmetic, or None where it is undefined
    (a pole, a log of a negative, a non-real power)."""
    mp = mp_module()
    with mp.workdps(digits):
        try:
            return _MpWalker(mp, env).eval(tree.body)
        except (_Undefined, ArithmeticError, ValueError, TypeError, MemoryError, RecursionError):
            return None


class _MpWalker:
    def __init__(self, mp: Any, env: Mapping[str, Any]) -> None:
        self.mp = mp
        self.env = env

    def real(self, v: Any) -> Any:
        if not isinstance(v, self.mp.mpf) or not self.mp.isfinite(v):
            raise _Undefined
        return v

    def eval(self, node: ast.AST) -> Any:
        mp = self.mp
        if isinstance(node, ast.Constant):
            f = Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)
            return mp.mpf(f.numerator) / f.denominator
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return +mp.pi
            if node.id == "e":
                return mp.e + 0
            return mp.mpf(self.env[node.id])
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = self.eval(node.left), self.eval(node.right)
            op = type(node.op)
            if op is ast.Add:
                return self.real(a + b)
            if op is ast.Sub:
                return self.real(a - b)
            if op is ast.Mult:
                return self.real(a * b)
            if op is ast.Div:
                if b == 0:
                    raise _Undefined
                return self.real(a / b)
            if a == 0 and b < 0:
                raise _Undefined
            if a != 0 and abs(b) * max(abs(mp.log(abs(a))), 1) > MAX_MAGNITUDE:
                raise _Undefined  # an overflow: no formula drill grades is this large
            return self.real(mp.power(a, b))
        if isinstance(node, ast.Call):
            args = [self.eval(a) for a in node.args]
            x = args[0]
            fn = node.func.id
            if fn in ("log", "ln", "log2", "log10") and x <= 0:
                raise _Undefined
            if fn in ("exp", "sinh", "cosh") and abs(x) > MAX_MAGNITUDE:
                raise _Undefined
            table = {
                "exp": mp.exp, "ln": mp.log, "log2": lambda v: mp.log(v, 2), "log10": mp.log10,
                "log": lambda v, b=None: mp.log(v) if b is None else mp.log(v) / mp.log(b),
                "sqrt": mp.sqrt, "tanh": mp.tanh, "sinh": mp.sinh, "cosh": mp.cosh,
                "sigmoid": lambda v: 1 / (1 + mp.exp(-v)), "erf": mp.erf, "abs": mp.fabs,
                "max": lambda *v: max(v), "min": lambda *v: min(v), "relu": lambda v: max(v, mp.mpf(0)),
                "sin": mp.sin, "cos": mp.cos, "atan": mp.atan,
            }
            if fn == "sqrt" and x < 0:
                raise _Undefined
            return self.real(table[fn](*args))
        raise _Undefined


@functools.lru_cache(maxsize=256)
def screen_points(key: Reading, s: Spec, seed: Any) -> tuple[tuple[dict, Any], ...]:
    """(point, key value) pairs: every combination of the enumerated domains, each with the
    continuous variables drawn at random, and SCREEN_POINTS draws when nothing is enumerated.
    A point where the key is undefined is drawn again."""
    rng = random.Random(f"drill.symbolic:{seed}")
    fixed = [v for v in s.variables if v.enumerated]
    free = [v for v in s.variables if not v.enumerated]
    combos = list(itertools.islice(itertools.product(*(v.enumerated for v in fixed)), MAX_ENUMERATED + 1))
    if len(combos) > MAX_ENUMERATED:
        combos = [tuple(rng.choice(v.enumerated) for v in fixed) for _ in range(MAX_ENUMERATED)]
    per = max(2, math.ceil(SCREEN_POINTS / len(combos))) if free else 1
    out = []
    for combo in combos:
        got = 0
        for _ in range(per * 25 if free else 1):
            env = dict(zip((v.name for v in fixed), combo))
            env.update({v.name: v.draw(rng) for v in free})
            at = value(key.tree, env)
            if at is not None:
                out.append((env, at))
                got += 1
                if got == per:
                    break
    if not out or free and len(out) < per * len(combos) // 2:
        raise SymbolicError(f"the key {key.echo} is undefined almost everywhere on the declared domains")
    return tuple(out)


def same(a: Any, b: Any, abs_tol: float = 1e-20) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + abs_tol


def agrees(given: Reading, key: Reading, s: Spec, seed: Any) -> bool:
    """True when ``given`` agrees with ``key`` at every screen point, relatively. A point where
    they differ is computed again with RECHECK_DIGITS digits, so a cancellation (log(1 + e⁵⁰) − 50)
    or a rounding residue where the key is 0 is not taken for a difference."""
    for env, k in screen_points(key, s, seed):
        if not same(value(given.tree, env), k, 0.0) and not same(
            value(given.tree, env, RECHECK_DIGITS), value(key.tree, env, RECHECK_DIGITS), ABS_TOL
        ):
            return False
    return True
