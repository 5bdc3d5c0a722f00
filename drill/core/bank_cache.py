"""A cache of parsed and validated bank files: plain JSON data, verified before it is used.

Parsing YAML and validating every question dominates loading a large bank, and the result
depends only on the file's bytes, where it is, its displayed name and the loader's own code.
So each bank file has one entry in :func:`drill.core.paths.cache_dir` ``/bank``, named after its
resolved path and displayed name (an edited file replaces its entry instead of adding one).
An entry is two lines:

    {"format": 2, "key": "<sha256 of loader code, path, name, bytes>", "sha256": "<of line 2>"}
    <the payload: JSON, as drill.core.bank.cache._to_plain makes it>

It is used only when the key matches the file's current bytes and the checksum matches the
payload; the caller then checks the payload's structure field by field and validates every
question as if freshly parsed (:func:`drill.core.bank.cache._revalidated`): an entry is untrusted input. JSON is safe to load
whatever its bytes (it builds only dicts, lists, strings, numbers), so a damaged entry can only
be a miss, and a miss is rebuilt. Any problem reading or writing is a miss, never an error. At
most :data:`MAX_ENTRIES` entries are kept (the least recently written go first).
``DRILL_NO_CACHE=1`` turns the cache off; so does a cache folder that is a symbolic link (one
line on stderr). Eviction deletes only drill's own entries (name and header both match), never
another file someone keeps in, or links into, that folder.

Imports run one way: :mod:`drill.core.bank` imports this module, never the reverse.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 3
MAX_ENTRIES = 256
MAX_ENTRY_BYTES = 64 << 20  # an entry larger than this is not read
# JSON items (every ``,`` ``[`` and ``{`` byte counted) an entry may hold before it is decoded: a bank
# file holds at most 100,000 values and 2,000 questions of ~20 fields; a forged entry of 21 M empty
# lists (its key computed) took 1.7 GB and 35 s to decode
MAX_ENTRY_ITEMS = 1_000_000

__all__ = ["enabled", "get", "put", "FORMAT", "MAX_ENTRIES"]


@lru_cache(maxsize=1)
def _code_key() -> bytes:
    """The loader's own sources: a change to validation invalidates every entry."""
    h = hashlib.sha256(f"{FORMAT}:{sys.version_info[:2]}".encode())
    here = Path(__file__).resolve().parent
    names = sorted(f"bank/{p.name}" for p in (here / "bank").glob("*.py"))  # the bank package, read as files: never imported here
    answers = sorted(str(f.relative_to(here)) for f in (here / "answers").glob("*.py"))  # the key's answer types
    for name in (*names, "bank_cache.py", "grading.py", "safe_expr.py", "tolerance.py", *answers):
        try:
            h.update(name.encode() + (here / name).read_bytes())
        except OSError:
            h.update(name.encode())
    return h.digest()


_ENTRY_NAME = re.compile(r"[0-9a-f]{40}\.json")
_HEADER = re.compile(rb'\{"format": [0-9]{1,9}, "key": "[0-9a-f]{64}", "sha256": "[0-9a-f]{64}"\}\n')
_warned = False


def _dir() -> Path:
    """``cache_dir()/bank``; OSError when it or ``cache_dir()`` is a symbolic link: the cache then
    is off (one line on stderr, once), so nothing is read or written through a link to elsewhere."""
    from drill.core.paths import cache_dir

    top = cache_dir()
    for place in (top, top / "bank"):
        if os.path.islink(place):
            global _warned
            if not _warned:
                _warned = True
                from drill.core.textsafe import visible

                print(f"warning: the bank cache is off: {visible(str(place))} is a symbolic link; drill keeps its cache only in "
                      "its own folder", file=sys.stderr)
            raise OSError(f"{place} is a symbolic link")
    return top / "bank"


def _entry(where: str, name: str) -> Path:
    digest = hashlib.sha256(where.encode("utf-8", "surrogatepass") + b"\0" + name.encode("utf-8", "surrogatepass")).hexdigest()
    return _dir() / f"{digest[:40]}.json"


def _key(where: str, name: str, data: bytes) -> str:
    h = hashlib.sha256(_code_key())
    for part in (where.encode("utf-8", "surrogatepass"), name.encode("utf-8", "surrogatepass"), data):
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


def enabled() -> bool:
    return not os.environ.get("DRILL_NO_CACHE")


def get(where: str, name: str, data: bytes) -> Any | None:
    """The cached plain payload for the file at resolved path ``where`` with these bytes, or None."""
    try:
        path = _entry(where, name)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            blob = f.read(MAX_ENTRY_BYTES + 1)
        if len(blob) > MAX_ENTRY_BYTES:
            return None
        head, sep, payload = blob.partition(b"\n")
        if not sep:
            return None
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != _key(where, name, data):
            return None
        if header.get("sha256") != hashlib.sha256(payload).hexdigest():
            return None
        if payload.count(b",") + payload.count(b"[") + payload.count(b"{") > MAX_ENTRY_ITEMS:
            return None
        return json.loads(payload)
    except (OSError, ValueError, RecursionError):  # missing, stale or damaged: a miss
        return None


def put(where: str, name: str, data: bytes, plain: Any) -> None:
    """Store a file's plain payload; silently does nothing when it cannot (read-only disk, or data
    JSON would not give back unchanged: non-text keys, NaN, …)."""
    try:
        payload = json.dumps(plain, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
        if json.loads(payload) != plain:
            return
        header = json.dumps({"format": FORMAT, "key": _key(where, name, data), "sha256": hashlib.sha256(payload).hexdigest()})
        path = _entry(where, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header.encode("ascii") + b"\n" + payload)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _evict(path.parent)
    except (OSError, ValueError, TypeError, RecursionError):  # the cache is an optimisation only
        pass


def _is_entry(path: Path) -> float | None:
    """The modification time of ``path`` when it is one of drill's own entries (its name is a
    digest ``.json``, it is a regular file, not a link, and it starts with an entry's header), else None."""
    if not _ENTRY_NAME.fullmatch(path.name):
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        head = os.read(fd, 256)
    except OSError:
        return None
    finally:
        os.close(fd)
    return st.st_mtime if _HEADER.match(head) else None


def _evict(directory: Path, keep: int | None = None) -> None:
    """Remove the oldest of drill's own entries beyond ``keep`` (default :data:`MAX_ENTRIES`); any
    other file in the folder is never counted, read past its first line, or deleted."""
    keep = MAX_ENTRIES if keep is None else keep
    try:
        if os.path.islink(directory):
            return
        entries = []
        for p in directory.iterdir():
            when = _is_entry(p)
            if when is not None:
                entries.append((when, p))
        if len(entries) <= keep:
            return
        entries.sort(reverse=True)
        for _, p in entries[keep:]:
            try:
                p.unlink()
            except OSError:
                pass
    except OSError:
        pass
