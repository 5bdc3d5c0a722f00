"""Text that came from a bank file, a cache entry or a learner, made safe to put on a terminal.

Sanitized once, where it enters: :class:`drill.core.bank.Question` and :class:`drill.core.bank.Explanation`
escape their text when built (from a bank file or the bank cache), :class:`drill.core.variants.Variant`
escapes what a solver made from it (prompt, hint, steps, options, mistake names, ``{_graph}``), and
:func:`drill.tui.quiz.line_reader` escapes a typed line as it is read. Views then render it as rich
``Text`` (never as markup), so a shared bank cannot clear the screen, set the window title, write
the clipboard (OSC 52), make links (OSC 8) or break rich's markup parser. JSON goes out through
:func:`write_json`.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["visible", "has_control", "first_control", "safe_data", "json_line", "write_json", "shown_variant"]

_KEPT = "\n\t"


def _shown(c: str) -> bool:
    return c.isprintable() or c in _KEPT


def visible(text: str) -> str:
    """``text`` safe to echo to a terminal: control (C0, C1), format (bidi overrides) and separator
    characters other than the space, the newline and the tab are shown as escapes (``\\x1b``,
    ``\\u202e``), never sent raw. Idempotent: escaped text has nothing left to escape."""
    text = str(text)
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(c if _shown(c) else c.encode("unicode_escape").decode("ascii") for c in text)


def first_control(text: str) -> str | None:
    """The first character of ``text`` that :func:`visible` would escape, or None."""
    text = str(text)
    if text.isprintable():
        return None
    return next((c for c in text if not _shown(c)), None)


def has_control(text: str) -> bool:
    """True when ``text`` holds a character :func:`visible` would escape (what ``drill check`` reports)."""
    return first_control(text) is not None


def safe_data(value: Any) -> Any:
    """``value`` with every string in it (dict keys and values, list and tuple items) made
    :func:`visible`; numbers and other values unchanged. Lists stay lists, tuples tuples."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {safe_data(k): safe_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(safe_data(v) for v in value)
    return value


def json_line(data: Any, *, indent: int | None = None) -> str:
    """``json.dumps(data, ensure_ascii=False)`` with every character :func:`visible` would escape
    written as a ``\\uXXXX`` escape (C0, C1, bidi), so JSON output is as safe on a terminal as text
    output and still reads back as the same data."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=indent)
    if not has_control(text):
        return text
    return "".join(c if _shown(c) else json.dumps(c, ensure_ascii=True)[1:-1] for c in text)


def write_json(data: Any, *, indent: int | None = None, file: Any = None) -> None:
    """Print ``data`` as one JSON document (a line unless ``indent``): drill's one JSON writer
    (``quiz --json``, ``generate --json``, ``list --json``, ``stats --json``, ``stats --db-info``)."""
    print(json_line(data, indent=indent), file=file if file is not None else sys.stdout)


def shown_variant(v):
    """The variant itself: its text is made safe when it is built (kept for callers of old)."""
    return v
