"""Optional PyTorch cross-checks: rebuild a layer spec with torch.nn (skipped when torch is absent)."""

from __future__ import annotations

import pytest


def torch_or_skip():
    return pytest.importorskip("torch", reason="PyTorch not installed (optional cross-check)")


def build(layers: list[dict]):
    """nn.Sequential from drill's layer specs: each spec's keys are the class's constructor arguments."""
    torch = torch_or_skip()
    return torch.nn.Sequential(*(getattr(torch.nn, l["type"])(**{k: v for k, v in l.items() if k != "type"}) for l in layers))
