"""Text for the terminal: what drill prints is a rich ``Text`` of already-safe text, never markup."""

from __future__ import annotations

from rich.text import Text

from drill.core.textsafe import visible

__all__ = ["plain"]


def plain(text: str, style: str = "") -> Text:
    """A ``rich.text.Text`` of ``visible(text)``: shown as typed, never parsed as markup."""
    return Text(visible(text), style=style)
