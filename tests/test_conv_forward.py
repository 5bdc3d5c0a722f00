"""Conv forward values: a naive loop reference (CS231n style), sliding_window_view, PyTorch's conv2d."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from drill.solvers import get
from tests._torch import torch_or_skip
from tests.conftest import variants_of

QIDS = ["conv2d-forward", "conv2d-forward-bias", "conv2d-forward-padded", "conv2d-forward-stride", "conv2d-multichannel"]


def _chw(a) -> list:
    """Nested lists (H, W) or (C, H, W) → (C, H, W) nested lists."""
    return [a] if not isinstance(a[0][0], list) else a


def _pair(v) -> tuple[int, int]:
    return (v[0], v[1]) if isinstance(v, list) else (v, v)


def naive_conv(x, k, b=0, stride=1, pad=0) -> list[list[float]]:
    """Plain Python loops over output rows, columns, channels and kernel offsets; padding by bounds checks."""
    x, k = _chw(x), _chw(k)
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    C, H, W = len(x), len(x[0]), len(x[0][0])
    KH, KW = len(k[0]), len(k[0][0])
    HO, WO = (H + 2 * ph - KH) // sh + 1, (W + 2 * pw - KW) // sw + 1
    out = []
    for i in range(HO):
        row = []
        for j in range(WO):
            total = b
            for c in range(C):
                for u in range(KH):
                    for v in range(KW):
                        r, s = i * sh + u - ph, j * sw + v - pw
                        if 0 <= r < H and 0 <= s < W:
                            total += x[c][r][s] * k[c][u][v]
            row.append(total)
        out.append(row)
    return out


def window_conv(x, k, b=0, stride=1, pad=0) -> np.ndarray:
    """sliding_window_view + einsum, then take every stride-th window."""
    x, k = np.asarray(_chw(x), float), np.asarray(_chw(k), float)
    (sh, sw), (ph, pw) = _pair(stride), _pair(pad)
    xp = np.pad(x, [(0, 0), (ph, ph), (pw, pw)])
    win = sliding_window_view(xp, k.shape[1:], axis=(1, 2))[:, ::sh, ::sw]  # (C, H', W', kh, kw)
    return np.einsum("chwuv,cuv->hw", win, k) + b


def params_of(v):
    p = v.params
    return p["input"], p["weight"], p.get("bias", 0), p.get("stride", 1), p.get("padding", 0)


@pytest.mark.parametrize("qid", QIDS)
def test_matches_naive_loops_and_sliding_windows(bank, qid):
    for v in variants_of(bank, qid, 40):
        args = params_of(v)
        np.testing.assert_allclose(v.answer, naive_conv(*args), atol=1e-12)
        np.testing.assert_allclose(v.answer, window_conv(*args), atol=1e-9)


@pytest.mark.parametrize("qid", QIDS)
def test_matches_torch_conv2d(bank, qid):
    torch = torch_or_skip()
    F = torch.nn.functional
    for v in variants_of(bank, qid, 20):
        x, k, b, stride, pad = params_of(v)
        X = torch.tensor(_chw(x), dtype=torch.float64)[None]
        K = torch.tensor(_chw(k), dtype=torch.float64)[None]
        y = F.conv2d(X, K, bias=torch.tensor([float(b)], dtype=torch.float64), stride=_pair(stride), padding=_pair(pad))
        np.testing.assert_allclose(v.answer, y[0, 0].numpy(), atol=1e-12)


def true_convolution_valid(x, k) -> np.ndarray:
    """Signal-processing convolution built as a sum of shifted copies of the kernel (full), cropped to 'valid'."""
    x, k = np.asarray(x, float), np.asarray(k, float)
    H, W = x.shape
    kh, kw = k.shape
    full = np.zeros((H + kh - 1, W + kw - 1))
    for a in range(H):
        for b in range(W):
            full[a : a + kh, b : b + kw] += x[a, b] * k
    return full[kh - 1 : H, kw - 1 : W]


def test_flipped_kernel_mistake_is_true_convolution(bank):
    for v in variants_of(bank, "conv2d-forward", 30):
        name = next(n for n in v.mistakes if n.startswith("flipped the kernel"))  # the constraint keeps it
        np.testing.assert_allclose(v.mistakes[name], true_convolution_valid(v.params["input"], v.params["weight"]), atol=1e-12)


def test_seed_keys_by_naive_loops():
    x = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    k = [[0, 1], [2, 3]]
    assert naive_conv(x, k) == [[19, 25], [37, 43]]
    assert naive_conv(x, k, b=1) == [[20, 26], [38, 44]]
    assert naive_conv(x, k, pad=1) == [[0, 3, 8, 4], [9, 19, 25, 10], [21, 37, 43, 16], [6, 7, 8, 0]]
    assert naive_conv(x, k, stride=[3, 2], pad=1) == [[0, 8], [6, 8]]
    x2 = [x, [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    assert naive_conv(x2, [k, [[1, 2], [3, 4]]]) == [[56, 72], [104, 120]]


def test_entry_matches_full_output(bank):
    for v in variants_of(bank, "conv2d-multichannel-entry", 30):
        p = v.params
        assert v.answer == naive_conv(p["input"], p["weight"])[p["row"]][p["col"]]


def test_seed_mistakes_are_named(bank):
    v = variants_of(bank, "conv2d-forward-bias", 0)[0]
    assert v.grade("[[19, 25], [37, 43]]").mistake == "forgot the bias"
    assert v.grade("[[44, 38], [26, 20]]").status == "wrong"  # flipped output is not the answer
    v = variants_of(bank, "conv2d-multichannel", 0)[0]
    assert v.grade("[[19, 25], [37, 43]]").mistake.startswith("did not sum over the channels")
    v = variants_of(bank, "conv2d-multichannel-entry", 0)[0]
    assert v.grade("37").mistake == "did not sum over the channels (kept only channel 1)"
    v = variants_of(bank, "conv2d-forward-padded", 0)[0]
    assert v.grade("[[19, 25], [37, 43]]").mistake == "forgot the zero padding"


def test_invalid_params_are_refused():
    from drill.solvers import InvalidParams

    with pytest.raises(InvalidParams, match="channels"):
        get("conv2d-forward").solve({"input": [[[1, 2], [3, 4]]] * 2, "weight": [[1]]})
    with pytest.raises(InvalidParams, match="output"):
        get("conv2d-forward").solve({"input": [[1, 2], [3, 4]], "weight": [[1, 2, 3]] * 3})
