"""Optional cross-checks against reference libraries (PyTorch, transformers, scikit-learn…): one
import helper, :func:`optional`, that skips — never fails — when the library is absent or cannot
load; and rebuilding a layer spec with torch.nn."""

from __future__ import annotations

import importlib

import pytest


def optional(name: str, what: str, *, module_level: bool = False):
    """Import the optional reference ``name`` (``what``: how to call it), or skip saying why: not
    installed, or installed but failing to import (torchvision beside a CPU-only torch raises
    RuntimeError "operator torchvision::nms does not exist")."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.split(".")[0] == exc.name.split(".")[0]:
            pytest.skip(f"{what} not installed (optional cross-check)", allow_module_level=module_level)
        reason = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - any failure to load an optional reference skips its checks
        reason = f"{type(exc).__name__}: {exc}"
    pytest.skip(f"{what} is installed but cannot be imported ({reason}); optional cross-check skipped", allow_module_level=module_level)


def torch_or_skip():
    return optional("torch", "PyTorch")


def build(layers: list[dict]):
    """nn.Sequential from drill's layer specs: each spec's keys are the class's constructor arguments."""
    torch = torch_or_skip()
    return torch.nn.Sequential(*(getattr(torch.nn, l["type"])(**{k: v for k, v in l.items() if k != "type"}) for l in layers))
