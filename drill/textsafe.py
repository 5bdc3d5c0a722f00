"""Text that came from a bank file or from a learner, made safe to put on a terminal.

One place for it: every path that shows bank or typed text (quiz, interview, explain, generate,
list, check, warnings, errors) goes through :func:`visible` and renders the result as plain
``rich.text.Text`` (never as markup), so a shared bank cannot clear the screen, set the window
title, write the clipboard (OSC 52), make links (OSC 8) or break rich's markup parser.
"""

from __future__ import annotations

__all__ = ["visible", "has_control", "plain", "json_line", "shown_variant"]


def visible(text: str) -> str:
    """``text`` safe to echo to a terminal: control, format (bidi) and separator characters
    other than the space and the newline are shown as escapes (``\\x1b``), never sent raw."""
    text = str(text)
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(c if c.isprintable() or c == "\n" else c.encode("unicode_escape").decode("ascii") for c in text)


def has_control(text: str) -> bool:
    """True when ``text`` holds a character :func:`visible` would escape (what ``drill check`` reports)."""
    return any(not (c.isprintable() or c == "\n") for c in str(text))


def plain(text: str, style: str = ""):
    """A ``rich.text.Text`` of ``visible(text)``: shown as typed, never parsed as markup."""
    from rich.text import Text

    return Text(visible(text), style=style)


def json_line(data) -> str:
    """``json.dumps(data, ensure_ascii=False)`` with every character :func:`visible` would escape
    written as a ``\\uXXXX`` escape, so JSON output is as safe on a terminal as text output."""
    import json

    text = json.dumps(data, ensure_ascii=False)
    if not has_control(text):
        return text
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


def shown_variant(v):
    """A copy of a variant (drill.variants.Variant) whose bank-made text — prompt, options, worked
    steps, the question's id, topic and title — is :func:`visible`, for renderers that show it."""
    from dataclasses import replace

    q = replace(v.question, id=visible(v.question.id), topic=visible(v.question.topic), title=visible(v.question.title))
    return replace(v, question=q, prompt=visible(v.prompt), steps=[visible(s) for s in v.steps],
                   choices=None if v.choices is None else [visible(c) for c in v.choices])
