"""A cache of parsed and validated bank files, keyed on their contents.

Parsing YAML and validating every question dominates loading a large bank, and the result
depends only on the file's bytes, its displayed name and the loader's own code. So each
file's result is stored under ``sha256(loader sources, name, bytes)`` in
:func:`drill.paths.cache_dir` as ``marshal`` data — plain tuples, lists, dicts and scalars
(marshal builds values, it runs nothing). Any problem reading or writing the cache is a
miss, never an error: the cache can always be rebuilt. ``DRILL_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from dataclasses import astuple, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 1


@lru_cache(maxsize=1)
def _code_key() -> bytes:
    """The loader's own sources: a change to validation invalidates every entry."""
    h = hashlib.sha256(f"{FORMAT}:{sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    for name in ("bank.py", "bank_cache.py", "grading.py", "safe_expr.py", "tolerance.py"):
        h.update((here / name).read_bytes())
    return h.digest()


def _path(name: str, data: bytes) -> Path:
    from drill.paths import cache_dir

    digest = hashlib.sha256(_code_key() + name.encode() + b"\0" + data).hexdigest()
    return cache_dir() / "bank" / f"{digest}.marshal"


def enabled() -> bool:
    return not os.environ.get("DRILL_NO_CACHE")


def get(name: str, data: bytes) -> Any | None:
    """The cached (questions, errors, explanation) for this file's bytes, or None."""
    from drill.bank import BankError, Explanation, Question
    from drill.tolerance import Tolerance

    try:
        qs, errs, ex = marshal.loads(_path(name, data).read_bytes())
        names = [f.name for f in fields(Question)]
        questions = []
        for values in qs:
            q = dict(zip(names, values, strict=True))
            q["tolerance"] = Tolerance(*q["tolerance"])
            questions.append(Question(**q))
        errors = [BankError(*e) for e in errs]
        explanation = None if ex is None else Explanation(*ex)
        return questions, errors, explanation
    except Exception:  # noqa: BLE001 - a missing, stale or damaged entry is a miss
        return None


def put(name: str, data: bytes, result: tuple[list, list, Any]) -> None:
    """Store a file's result; silently does nothing when it cannot (read-only disk, odd YAML types)."""
    questions, errors, explanation = result
    try:
        qs = [tuple(astuple(v) if f.name == "tolerance" else v for f in fields(q) for v in [getattr(q, f.name)]) for q in questions]
        errs = [tuple(getattr(e, f.name) for f in fields(e)) for e in errors]
        ex = None if explanation is None else tuple(getattr(explanation, f.name) for f in fields(explanation))
        blob = marshal.dumps((qs, errs, ex))
        path = _path(name, data)
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except Exception:  # noqa: BLE001 - the cache is an optimisation only
        pass
