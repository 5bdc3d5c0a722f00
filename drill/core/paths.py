"""Where drill keeps its files: one function per place, each overridden by ``DRILL_HOME``.

``DRILL_HOME`` (a directory) holds everything when set — tests point it at a temporary
directory so they never touch a user's data. Otherwise the platform's directories from
``platformdirs`` (imported only when needed): data in ``~/.local/share/drill`` and the bank
cache in ``~/.cache/drill`` on Linux.
"""

from __future__ import annotations

import os
from pathlib import Path


class HomeError(ValueError):
    """``DRILL_HOME`` names something that is not a directory; the message is one line."""


def _home() -> Path | None:
    home = os.environ.get("DRILL_HOME")
    if not home:
        return None
    path = Path(home).expanduser()
    if os.path.lexists(path) and not path.is_dir():  # a file, a FIFO, a link to either or a dangling link
        raise HomeError(f"DRILL_HOME={home} is not a directory; it must name a directory (drill creates it when missing)")
    return path


def data_dir() -> Path:
    """Progress database and backups."""
    home = _home()
    if home is not None:
        return home
    from platformdirs import user_data_dir

    return Path(user_data_dir("drill", appauthor=False))


def cache_dir() -> Path:
    """Files drill can always rebuild (parsed question banks)."""
    home = _home()
    if home is not None:
        return home / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("drill", appauthor=False))
