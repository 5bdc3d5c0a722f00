"""Pooling: naive loops and sliding_window_view for the forward, centred finite differences and
PyTorch autograd for the backward."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from drill.solvers import InvalidParams, get
from tests._torch import torch_or_skip
from tests._numeric import numerical_gradient
from tests.conftest import variants_of


def naive_pool(x, k: int, s: int, how: str) -> list[list[float]]:
    """Plain loops: every output position, every offset in its window."""
    H, W = len(x), len(x[0])
    out = []
    for i in range((H - k) // s + 1):
        row = []
        for j in range((W - k) // s + 1):
            vals = [x[i * s + a][j * s + b] for a in range(k) for b in range(k)]
            row.append(max(vals) if how == "max" else sum(vals) / len(vals))
        out.append(row)
    return out


def window_pool(x, k: int, s: int, how: str) -> np.ndarray:
    win = sliding_window_view(np.asarray(x, float), (k, k))[::s, ::s]
    return win.max(axis=(2, 3)) if how == "max" else win.mean(axis=(2, 3))


def fd_grad(x, k: int, s: int, how: str, upstream, h: float = 1e-3) -> np.ndarray:
    """Centred finite differences of L = Σ upstream ⊙ pool(x)."""
    u = np.asarray(upstream, float)
    return numerical_gradient(lambda xx: float(np.sum(u * window_pool(xx, k, s, how))), x, h)


FORWARD = [("maxpool-forward", "max"), ("avgpool-forward", "avg")]
BACKWARD = [("maxpool-backward", "max"), ("maxpool-backward-overlap", "max"), ("avgpool-backward", "avg")]


@pytest.mark.parametrize("qid,how", FORWARD)
def test_forward_matches_loops_and_windows(bank, qid, how):
    for v in variants_of(bank, qid, 40):
        p = v.params
        np.testing.assert_allclose(v.answer, naive_pool(p["input"], p["kernel_size"], p["stride"], how), atol=1e-12)
        np.testing.assert_allclose(v.answer, window_pool(p["input"], p["kernel_size"], p["stride"], how), atol=1e-12)


@pytest.mark.parametrize("qid,how", BACKWARD)
def test_backward_matches_finite_differences(bank, qid, how):
    for v in variants_of(bank, qid, 40):
        p = v.params
        np.testing.assert_allclose(v.answer, fd_grad(p["input"], p["kernel_size"], p["stride"], how, p["upstream"]), atol=1e-6)


@pytest.mark.parametrize("qid,how", FORWARD + BACKWARD)
def test_matches_torch_autograd(bank, qid, how):
    torch = torch_or_skip()
    F = torch.nn.functional
    pool = F.max_pool2d if how == "max" else F.avg_pool2d
    for v in variants_of(bank, qid, 20):
        p = v.params
        x = torch.tensor(p["input"], dtype=torch.float64, requires_grad=True)
        y = pool(x[None, None], kernel_size=p["kernel_size"], stride=p["stride"])[0, 0]
        if "upstream" in p:
            (y * torch.tensor(p["upstream"], dtype=torch.float64)).sum().backward()
            np.testing.assert_allclose(v.answer, x.grad.numpy(), atol=1e-12)
        else:
            np.testing.assert_allclose(v.answer, y.detach().numpy(), atol=1e-12)


def test_torch_tie_rule_is_first_in_row_major_order():
    """The prompt's stated tie rule: PyTorch (CPU) sends a tied window's gradient to its first maximum."""
    torch = torch_or_skip()
    x = torch.tensor([[5.0, 5.0], [5.0, 1.0]], requires_grad=True)
    torch.nn.functional.max_pool2d(x[None, None], 2).sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_seed_keys_by_hand():
    x = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert naive_pool(x, 2, 1, "max") == [[4, 5], [7, 8]]
    assert naive_pool(x, 2, 1, "avg") == [[2, 3], [5, 6]]
    grad = fd_grad([[1, 3, 2], [4, 8, 5], [9, 6, 7]], 2, 1, "max", [[1, 2], [3, 4]])
    np.testing.assert_allclose(grad, [[0, 0, 0], [0, 7, 0], [3, 0, 0]], atol=1e-9)


def test_classic_mistakes_are_named(bank):
    v = variants_of(bank, "maxpool-backward", 0)[0]
    g = v.grade("[[0.25, 0.25, 0.5, 0.5], [0.25, 0.25, 0.5, 0.5], [0.75, 0.75, 1, 1], [0.75, 0.75, 1, 1]]")
    assert g.status == "wrong" and g.mistake.startswith("spread the gradient evenly")
    v = variants_of(bank, "maxpool-backward-overlap", 0)[0]
    assert v.grade("[[0, 0, 0], [0, 4, 0], [3, 0, 0]]").mistake.startswith("overwrote instead of adding")
    v = variants_of(bank, "avgpool-backward", 0)[0]
    assert v.grade("[[4, 4, 8, 8], [4, 4, 8, 8], [12, 12, 16, 16], [12, 12, 16, 16]]").mistake.startswith("did not divide by k·k")


def test_overlap_question_really_accumulates(bank):
    for v in variants_of(bank, "maxpool-backward-overlap", 30):
        p = v.params
        win = sliding_window_view(np.asarray(p["input"], float), (2, 2))  # stride 1
        picks = [(i + a, j + b) for i in range(win.shape[0]) for j in range(win.shape[1])
                 for a, b in [divmod(int(win[i, j].argmax()), 2)]]
        assert len(set(picks)) < len(picks)  # some input is the maximum of two windows


def test_ties_and_bad_upstream_are_refused():
    with pytest.raises(InvalidParams, match="tied"):
        get("maxpool-backward").solve({"input": [[1, 1], [0, 0]], "kernel_size": 2, "stride": 2, "upstream": [[1]]})
    with pytest.raises(InvalidParams, match="upstream"):
        get("avgpool-backward").solve({"input": [[1, 2], [0, 0]], "kernel_size": 2, "stride": 2, "upstream": [[1, 2]]})
