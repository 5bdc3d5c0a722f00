"""Reading typed numbers, shared by the numeric answer types (integer, number, vector, matrix).

Typed text goes through :mod:`drill.core.safe_expr` only: never eval or sympify.
"""

from __future__ import annotations

import math
import re
from typing import Any

from drill.core.answers.base import NEAR_FACTOR, NearMiss, Unreadable
from drill.core.safe_expr import ExprError, evaluate
from drill.core.tolerance import Tolerance

GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?")  # 7,241,732,096 or 12,345.6
LITERAL = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?")  # a number as typed, no operator


def ungroup(text: str) -> str:
    """``'7,241,732,096'`` -> ``'7241732096'``: the thousands separators drill itself prints are read
    back (a first group never starts with 0, so ``0,5`` stays unreadable rather than becoming 5)."""
    t = text.strip()
    return t.replace(",", "") if GROUPED.fullmatch(t) else t


def literal_echo(text: str) -> str | None:
    """A number typed as a literal, in the learner's own form (``3.2e9`` stays ``3.2e9``), else None."""
    t = text.strip()
    return t if len(t) <= 40 and LITERAL.fullmatch(t) else None  # length first: the regex is quadratic on a long line


def clip(text: str, n: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def number(text: str) -> float | int:
    text = ungroup(text)
    try:
        value = evaluate(text)
    except ExprError as exc:
        raise Unreadable(f"could not read {clip(text)!r} as a number: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unreadable(f"could not read {clip(text)!r} as a number")
    return value


def real(value: Any, text: str, what: str) -> float:
    """``value`` as a float; an integer too large for a float is unreadable, not an OverflowError."""
    try:
        return float(value)
    except OverflowError:
        raise Unreadable(f"could not read {clip(text)!r} as {what}: number too large") from None


def floats(value: Any, what: str, text: str) -> list[float]:
    if not isinstance(value, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise Unreadable(f"could not read {clip(text)!r} as {what}")
    return [real(v, text, what) for v in value]


def denoise(values: list[float]) -> list[float]:
    """Entries below 1e-12 of the largest are the float noise of a sum that cancels: 0."""
    top = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    return [0.0 if abs(v) < 1e-12 * top else v for v in values]


def power_of_ten(given: float, key: float) -> str | None:
    if given == 0 or key == 0 or (given > 0) != (key > 0):
        return None
    # log10 of each side (math.log10 takes ints of any size), never given / key: a huge
    # integer answer divided by a float key overflows.
    ratio = math.log10(abs(given)) - math.log10(abs(key))
    if not math.isfinite(ratio):
        return None
    k = round(ratio)
    if k != 0 and abs(10.0 ** (ratio - k) - 1) < 0.01:
        return f"off by a factor of 10^{k}: check the decimal point or a missing/extra factor of ten"
    return None


def near_number(given: float, key: float, tol: Tolerance) -> NearMiss | None:
    if not math.isfinite(given) or abs(given - key) > NEAR_FACTOR * tol.width(key):
        return None
    return NearMiss(abs(given - key) / abs(key) if key else None, tol.width(key) / abs(key) if key else None)
