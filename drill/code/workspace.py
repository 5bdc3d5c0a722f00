"""The learner's workspace: the folder their exercise files live in, and the stub drill writes
there once (never over their work)."""

from __future__ import annotations

import os
from pathlib import Path

from drill.code.exercises import Exercise


class WorkspaceError(ValueError):
    """A workspace that cannot be used; the message is one line."""


def default_dir() -> Path:
    """``$DRILL_HOME/code``, else ``code/`` in drill's user data directory."""
    from drill.core.paths import data_dir

    return data_dir() / "code"


def file_for(ex: Exercise, folder: Path) -> Path:
    return folder / f"{ex.name.replace('-', '_')}.py"


def stub(ex: Exercise, check: str = "") -> str:
    """The file the learner starts from; ``check`` is the command that grades it (default: drill code check NAME)."""
    check = (check or f"drill code check {ex.name}").replace("\\", "\\\\").replace('"', '\\"')  # inside the docstring
    doc = "\n    ".join(ex.doc.splitlines())
    example = f"\n\n    Example:\n        {ex.example}" if ex.example else ""
    return (
        f'"""drill code exercise: {ex.title} (topic {ex.topic}).\n\n'
        f"Write {ex.function}() below in NumPy only (import numpy; torch, scipy and the like are refused).\n"
        f"Check it with:  {check}   (add --watch to re-run on every save)\n"
        f'It is graded on random variants against drill\'s solver "{ex.solver}", plus edge cases.\n"""\n\n'
        "import numpy as np\n\n\n"
        f"def {ex.function}({ex.signature}):\n"
        f'    """{doc}{example}\n    """\n'
        "    raise NotImplementedError\n"
    )


def start(ex: Exercise, folder: Path, check: str = "") -> tuple[Path, bool]:
    """Write the stub into ``folder`` (created when missing); (its path, True) when written, (its
    path, False) when a file is already there: the learner's work is never overwritten."""
    if os.path.lexists(folder) and not folder.is_dir():
        raise WorkspaceError(f"{folder} is not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"cannot create the workspace {folder}: {exc.strerror or exc}") from None
    path = file_for(ex, folder)
    try:
        with open(path, "x", encoding="utf-8") as f:  # "x": fails if anything (a file, a link) is already there
            f.write(stub(ex, check))
    except FileExistsError:
        return path, False
    except OSError as exc:
        raise WorkspaceError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path, True
