"""Which params a solver reads: ``drill check`` reports a param the solver never reads (a bank that
says ``nonlinearity: tanh`` to a solver that ignores it teaches a wrong key silently).

The two halves of "a param the solver does not read is an error": a param the solver does not
*declare* (``@solver(name, params=...)``) is refused when the bank loads (drill.core.bank); this
trace finds a declared one it does not *read* for this question (``slope`` given to a silu, a layer
spec's field the network code ignores), which a declaration cannot know.

The solver runs on a copy of the params whose mappings record every key read, at any depth
(:class:`Recording`, a ``dict`` subclass: helpers that receive a sub-mapping record through it too).
A mapping used as a whole — iterated, copied, ``dict(m)``, ``**m``, serialised — counts every key
below it as read; a list counts as read when it is fetched (its items are data, not named params).
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["Recording", "declared_paths", "unread_paths", "solver_reads"]


class _Log:
    def __init__(self) -> None:
        self.read: set[str] = set()  # paths fetched (or tested with ``in``)
        self.whole: set[str] = set()  # mappings used as a whole: every path below counts as read


class Recording(dict):
    """A params mapping that logs each key read; its sub-mappings are Recordings too."""

    def __init__(self, data: dict, log: _Log, path: str = "") -> None:
        super().__init__(data)
        self._log = log
        self._path = path

    def _at(self, key: Any) -> str:
        return f"{self._path}.{key}" if self._path else str(key)

    def _all(self) -> None:
        self._log.whole.add(self._path)

    def __getitem__(self, key: Any) -> Any:
        value = dict.__getitem__(self, key)
        path = self._at(key)
        self._log.read.add(path)
        if isinstance(value, dict) and not isinstance(value, Recording):
            value = Recording(value, self._log, path)
            dict.__setitem__(self, key, value)
        return value

    def get(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return self[key]
        self._log.read.add(self._at(key))
        return default

    def __contains__(self, key: object) -> bool:
        self._log.read.add(self._at(key))
        return dict.__contains__(self, key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return self[key]
        return dict.setdefault(self, key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        self._log.read.add(self._at(key))
        return dict.pop(self, key, *default)

    # used as a whole
    def __iter__(self):
        self._all()
        return dict.__iter__(self)

    def keys(self):  # type: ignore[override]
        self._all()
        return dict.keys(self)

    def values(self):  # type: ignore[override]
        self._all()
        return dict.values(self)

    def items(self):  # type: ignore[override]
        self._all()
        return dict.items(self)

    def copy(self) -> dict:  # type: ignore[override]
        self._all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._all()
        return dict.__repr__(self)

    def __copy__(self) -> dict:
        return self.copy()

    def __deepcopy__(self, memo: dict) -> dict:
        self._all()
        return copy.deepcopy(dict(dict.items(self)), memo)

    def __reduce_ex__(self, protocol: Any):  # pickling, as deepcopy without __deepcopy__ would
        self._all()
        return (dict, (dict(dict.items(self)),))


def declared_paths(params: dict, prefix: str = "") -> set[str]:
    """Every named param: the path of each value below mappings (a list is one param, not its items)."""
    out: set[str] = set()
    for key, value in params.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            out |= declared_paths(value, path)
        else:
            out.add(path)
    return out


def solver_reads(run: Any, params: dict) -> _Log:
    """Run ``run(params)`` on a recording copy; the log of what it read (whatever it raised)."""
    log = _Log()
    try:
        run(Recording(copy.deepcopy(params), log))
    except Exception:  # noqa: BLE001 - reads up to a refusal still count; check reports the refusal itself
        pass
    return log


def unread_paths(declared: set[str], log: _Log) -> set[str]:
    """The declared paths neither read nor below a mapping used as a whole."""

    def read(path: str) -> bool:
        if path in log.read or "" in log.whole:
            return True
        parts = path.split(".")
        return any(".".join(parts[:i]) in log.whole for i in range(1, len(parts)))

    return {p for p in declared if not read(p)}
