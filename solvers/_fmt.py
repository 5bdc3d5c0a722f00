"""Number formatting shared by solver steps and the grader's feedback (no numpy import)."""

from __future__ import annotations

import math
from typing import Any


def fmt(x: Any, sig: int = 6) -> str:
    """A number as a person would write it: ints plainly, floats to ``sig`` significant digits.

    >>> fmt(529411), fmt(0.101), fmt(-0.11920292202211769), fmt(2.0), fmt(1.5e17)
    ('529411', '0.101', '-0.119203', '2', '1.5e+17')
    """
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, sig) for v in x) + "]"
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(f) or math.isinf(f):
        return str(f)
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    text = f"{f:.{sig}g}"
    if "e" in text:
        mant, exp = text.split("e")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{exp}"
    return text


def shape(dims: Any) -> str:
    """``(5, 7)`` -> ``'5×7'``."""
    return "×".join(str(int(d)) for d in dims)
