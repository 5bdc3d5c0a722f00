"""How drill writes a number for a person to read: the one formatter for answers, steps, mistakes,
tables, prompts and cards (no numpy or rich import, so solvers and the grader share it).

The rules, one place for all of drill:

* a whole number is written with every digit, grouped by thousands: ``7,241,732,096``, ``-1,536``
  (a Python ``int`` always, however large: integer answers are exact);
* a float is written to ``sig`` significant figures, its whole part grouped (``12,345.7``); an
  integer-valued float below 10¹⁵ as a whole number (``3,200,000,000``);
* **e-notation** for a float with ``|x| ≥ 1e15``, or ``0 < |x| < 1e-4``: ``3.15e23``, ``-2.5e-5``,
  ``1e-17`` (mantissa to ``sig`` figures, no ``+``, no leading zeros) — a form the answer line reads back;
* -0.0 is ``0``; nan and inf are ``nan``, ``inf``, ``-inf``;
* inside a list (``[1024, 0.5]``) numbers are not grouped: a comma there separates entries.

``group=False`` writes the same number without thousands separators (machine output, text that is
parsed again). :func:`plural` makes a count agree with its noun ("1 sequence", "2 sequences").
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["fmt", "shape", "plural", "round_sig", "E_LARGE", "E_SMALL"]

E_LARGE = 1e15  # floats at or above this size are written in e-notation
E_SMALL = 1e-4  # nonzero floats below this size are written in e-notation


def _group(digits: str, group: bool) -> str:
    """``'-7241732096.5'`` -> ``'-7,241,732,096.5'`` (the whole part only)."""
    if not group:
        return digits
    sign = "-" if digits.startswith("-") else ""
    whole, dot, frac = digits.lstrip("-").partition(".")
    return f"{sign}{int(whole):,}{dot}{frac}"


def _e_notation(f: float, sig: int) -> str:
    mant, exp = f"{f:.{max(sig, 1) - 1}e}".split("e")
    if "." in mant:
        mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def fmt(x: Any, sig: int = 6, *, group: bool = True) -> str:
    """A number as a person would write it (see the module doc for the rules).

    >>> fmt(7241732096), fmt(0.101), fmt(-0.11920292202211769), fmt(2.0), fmt(1.5e17), fmt(3e-5)
    ('7,241,732,096', '0.101', '-0.119203', '2', '1.5e17', '3e-5')
    """
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return _group(str(x), group)
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, sig, group=False) for v in x) + "]"
    try:
        f = float(x)
    except (TypeError, ValueError, OverflowError):
        return str(x)
    if math.isnan(f) or math.isinf(f):
        return str(f)
    if f == 0:
        return "0"
    if abs(f) >= E_LARGE or abs(f) < E_SMALL:
        return _e_notation(f, sig)
    if f.is_integer():
        return _group(str(int(f)), group)
    text = f"{f:.{sig}g}"
    if "e" in text:  # a whole part longer than sig digits: write it out rather than switch notation
        text = str(round(f))
    return _group(text, group)


def shape(dims: Any) -> str:
    """``(5, 7)`` -> ``'5×7'``."""
    return "×".join(str(int(d)) for d in dims)


def plural(n: Any, noun: str, plural_form: str | None = None) -> str:
    """``noun`` agreeing with the count ``n``: ``plural(1, 'sequence')`` -> ``'sequence'``,
    ``plural(2, 'sequence')`` -> ``'sequences'``; ``plural_form`` for irregular nouns
    (``plural(3, 'matrix', 'matrices')``). Only exactly 1 (or -1) is singular."""
    try:
        one = abs(float(n)) == 1
    except (TypeError, ValueError):
        one = False
    if one:
        return noun
    if plural_form:
        return plural_form
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def round_sig(x: float, sig: int = 3) -> float:
    """``x`` correctly rounded to ``sig`` significant figures (0 stays 0); drill's default policy is 3."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))
