"""Answer types as elements: one module per kind of answer holds everything drill knows about it.

``integer``, ``number``, ``shape``, ``vector``, ``matrix``, ``choice`` and ``expression`` each live
in the module of that name: reading typed text, comparing with the key, the canonical form, the
precision words, the format and malformed examples, whether a tolerance (or an estimate) is
allowed, what a bank key looks like and how ``drill check`` compares it with the solver's value,
how a variant's key and options are made, how a value is shown and serialized, and what
``drill check`` proves about it. The protocol is :class:`~drill.core.answers.base.AnswerType`.
No module outside this package compares answer-type names (tests/test_answer_elements.py greps).

**Adding a type** is one new module here plus its tests: define a subclass of
:class:`~drill.core.answers.base.AnswerType` with a ``name`` (the YAML's ``answer_type``) in
``drill/core/answers/<name>.py``. Every module of this package is imported and each
:class:`AnswerType` subclass defined in it with a ``name`` is registered (built-ins first, in the
order below, then the others by module name); nothing else needs to change. :func:`register`
adds one at run time (tests, add-ons).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Sequence

from drill.core.answers.base import NEAR_FACTOR, AnswerType, Keyed, NearMiss, Unreadable, distinct_mistakes

__all__ = ["AnswerType", "Unreadable", "NearMiss", "NEAR_FACTOR", "Keyed", "UnknownAnswerType", "REGISTRY", "register",
           "unregister", "get", "names", "distinct_mistakes"]

REGISTRY: dict[str, type[AnswerType]] = {}
_BUILT_IN = ("integer", "number", "shape", "vector", "matrix", "choice", "expression")  # the order `known:` lists them


class UnknownAnswerType(KeyError):
    """An ``answer_type`` no module defines; the message names it and the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def register(cls: type[AnswerType]) -> type[AnswerType]:
    """Register ``cls`` under its ``name`` (usable as a class decorator); a name taken by another class is an error."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if REGISTRY.get(cls.name, cls) is not cls:
        raise ValueError(f"answer type {cls.name!r} is already {REGISTRY[cls.name].__name__}")
    REGISTRY[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove the type registered as ``name`` (a test's throwaway type)."""
    REGISTRY.pop(name, None)


def names() -> list[str]:
    """The registered type names, in the order drill lists them."""
    return list(REGISTRY)


def get(name: str, variables: Sequence[str] | None = None) -> AnswerType:
    """The answer type registered as ``name`` (``variables``: an expression's variable names);
    :class:`UnknownAnswerType` naming ``name`` and the known ones when there is none."""
    try:
        cls = REGISTRY[name]
    except (KeyError, TypeError):  # TypeError: a list from YAML is unhashable
        raise UnknownAnswerType(f"unknown answer_type {name!r}; known: {', '.join(REGISTRY)}") from None
    return cls(variables or ("x",))


def _discover() -> None:
    found = sorted((m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_") and m.name != "base"),
                   key=lambda n: (_BUILT_IN.index(n) if n in _BUILT_IN else len(_BUILT_IN), n))
    for module_name in found:
        module = importlib.import_module(f"{__name__}.{module_name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, AnswerType) and obj.__module__ == module.__name__ and obj.name:
                register(obj)


_discover()
