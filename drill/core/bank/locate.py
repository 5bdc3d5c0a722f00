"""Where bank files are: the built-in bank, ``$DRILL_BANK`` and ``--bank`` folders, and how a file is named in messages."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping


BANK_ENV = "DRILL_BANK"


class BankDirError(ValueError):
    """A user bank location that cannot be used; the message is one line naming it."""


def bank_dirs(extra: Iterable[str | Path] = (), environ: Mapping[str, str] | None = None) -> list[Path]:
    """The built-in bank, then each directory in ``$DRILL_BANK`` (``os.pathsep``-separated), then
    ``extra`` (``--bank``). A location that does not exist or holds no ``*.yaml`` file is a
    :class:`BankDirError`; one named twice is loaded once."""
    env = os.environ if environ is None else environ
    dirs, seen = [builtin_dir()], {builtin_dir().resolve()}
    sources = [(BANK_ENV, p) for p in env.get(BANK_ENV, "").split(os.pathsep) if p.strip()] + [("--bank", str(p)) for p in extra]
    for source, raw in sources:
        path = Path(raw).expanduser()
        if not path.exists():
            raise BankDirError(f"{source}: bank directory {raw!r} does not exist")
        if path.is_dir() and not any(path.glob("*.yaml")):
            raise BankDirError(f"{source}: bank directory {raw!r} has no .yaml question files")
        if not path.is_dir() and path.suffix != ".yaml":
            raise BankDirError(f"{source}: {raw!r} is neither a directory nor a .yaml question file")
        if path.resolve() not in seen:
            seen.add(path.resolve())
            dirs.append(path)
    return dirs


def builtin_dir() -> Path:
    """The bank shipped inside the package (works from a wheel as well as a checkout)."""
    return Path(str(resources.files("drill.question_bank")))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, RuntimeError):  # a symlink loop: named as found
        return str(path)
    except ValueError:
        return path.name if path.parent == builtin_dir() else str(path)
