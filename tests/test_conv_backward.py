"""Conv backward: centred finite differences of L = Σ dL/dY ⊙ Y through a naive-loop forward pass,
and PyTorch autograd through conv2d."""

from __future__ import annotations

import numpy as np
import pytest

from drill.solvers import InvalidParams, get
from tests._torch import torch_or_skip
from tests.conftest import variants_of


def naive_forward(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Cross-correlation written as four loops, stride 1, no padding."""
    H, W = x.shape
    k1, k2 = w.shape
    y = np.zeros((H - k1 + 1, W - k2 + 1))
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            for u in range(k1):
                for v in range(k2):
                    y[i, j] += x[i + u, j + v] * w[u, v]
    return y + b


def numeric_grad(f, a: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """eval_numerical_gradient_array style: centred difference per entry of a."""
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        old = a[idx]
        a[idx] = old + h
        plus = f()
        a[idx] = old - h
        minus = f()
        a[idx] = old
        g[idx] = (plus - minus) / (2 * h)
    return g


def arrays(p):
    return (np.asarray(p["input"], float), np.asarray(p["weight"], float),
            np.array(float(p.get("bias", 0))), np.asarray(p["upstream"], float))


def fd_grads(p) -> dict[str, np.ndarray]:
    x, w, b, dy = arrays(p)
    loss = lambda: float(np.sum(dy * naive_forward(x, w, float(b))))  # noqa: E731
    return {"dx": numeric_grad(loss, x), "dw": numeric_grad(loss, w), "db": numeric_grad(loss, b)}


def test_dw_matches_finite_differences(bank):
    for v in variants_of(bank, "conv-backward-dw", 25):
        np.testing.assert_allclose(v.answer, fd_grads(v.params)["dw"], atol=1e-6)


def test_dx_matches_finite_differences(bank):
    for v in variants_of(bank, "conv-backward-dx", 25):
        np.testing.assert_allclose(v.answer, fd_grads(v.params)["dx"], atol=1e-6)


def test_dx_entry_matches_finite_differences(bank):
    for v in variants_of(bank, "conv-backward-dx-entry", 25):
        assert v.answer == pytest.approx(fd_grads(v.params)["dx"][v.params["row"], v.params["col"]], abs=1e-6)


def test_db_matches_finite_differences(bank):
    for v in variants_of(bank, "conv-backward-db", 25):
        assert v.answer == pytest.approx(float(fd_grads(v.params)["db"]), abs=1e-6)


@pytest.mark.parametrize("qid,which", [("conv-backward-dw", "dw"), ("conv-backward-dx", "dx"), ("conv-backward-db", "db")])
def test_matches_torch_autograd(bank, qid, which):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 20):
        x, w, b, dy = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays(v.params))
        y = torch.nn.functional.conv2d(x[None, None], w[None, None], bias=b.reshape(1))
        (y[0, 0] * dy).sum().backward()
        got = {"dx": x.grad, "dw": w.grad, "db": b.grad}[which].numpy()
        np.testing.assert_allclose(v.answer, got, atol=1e-12)


def test_seed_keys_by_finite_differences():
    p = {"input": [[0, 1, 2], [3, 4, 5], [6, 7, 8]], "weight": [[0, 1], [2, 3]], "upstream": [[1, 2], [0, 3]]}
    g = fd_grads(p)
    np.testing.assert_allclose(g["dw"], [[14, 20], [32, 38]], atol=1e-6)
    np.testing.assert_allclose(g["dx"], [[0, 1, 2], [2, 7, 9], [0, 6, 9]], atol=1e-6)
    assert float(g["db"]) == pytest.approx(6)


def test_classic_mistakes_are_named(bank):
    v = variants_of(bank, "conv-backward-dx", 0)[0]
    assert v.grade("[[3, 8, 4], [1, 11, 6], [0, 3, 0]]").mistake.startswith("did not flip the kernel")
    assert v.grade("[[7]]").mistake.startswith("used a 'valid'")
    v = variants_of(bank, "conv-backward-dw", 0)[0]
    assert v.grade("[[10, 16], [28, 34]]").mistake.startswith("flipped dL/dY")
    v = variants_of(bank, "conv-backward-db", 0)[0]
    assert v.grade("1.5").mistake.startswith("averaged")


def test_wrong_upstream_shape_is_refused():
    with pytest.raises(InvalidParams, match="upstream"):
        get("conv-backward-dx").solve({"input": [[1, 2, 3]] * 3, "weight": [[1, 0], [0, 1]], "upstream": [[1, 2, 3]]})
