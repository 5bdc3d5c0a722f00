"""Edge detectors: naive loops, scipy's correlate2d (if installed), PyTorch's conv2d, and the
defining property of an edge kernel checked on synthetic images."""

from __future__ import annotations

import numpy as np
import pytest

from drill.core.grading import LETTERS
from drill.core.safe_expr import evaluate
from tests._torch import optional, torch_or_skip
from tests.conftest import variants_of

QIDS = ["sobel-vertical-edge", "prewitt-horizontal-edge"]


def naive_response(x, k) -> list[list[float]]:
    H, W, n = len(x), len(x[0]), len(k)
    return [[sum(x[i + u][j + v] * k[u][v] for u in range(n) for v in range(n)) for j in range(W - n + 1)]
            for i in range(H - n + 1)]


@pytest.mark.parametrize("qid", QIDS)
def test_matches_naive_loops(bank, qid):
    for v in variants_of(bank, qid, 40):
        np.testing.assert_allclose(v.answer, naive_response(v.params["input"], v.params["weight"]), atol=1e-12)


@pytest.mark.parametrize("qid", QIDS)
def test_matches_scipy_correlate2d(bank, qid):
    signal = optional("scipy.signal", "scipy")
    for v in variants_of(bank, qid, 20):
        ref = signal.correlate2d(np.asarray(v.params["input"], float), np.asarray(v.params["weight"], float), mode="valid")
        np.testing.assert_allclose(v.answer, ref, atol=1e-12)
        flipped = next(n for n in v.mistakes if n.startswith("flipped")) if v.mistakes else None
        if flipped:  # the flip slip is signal processing's convolution
            conv = signal.convolve2d(np.asarray(v.params["input"], float), np.asarray(v.params["weight"], float), mode="valid")
            np.testing.assert_allclose(v.mistakes[flipped], conv, atol=1e-12)


@pytest.mark.parametrize("qid", QIDS)
def test_matches_torch_conv2d(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 20):
        x = torch.tensor(v.params["input"], dtype=torch.float64)[None, None]
        k = torch.tensor(v.params["weight"], dtype=torch.float64)[None, None]
        np.testing.assert_allclose(v.answer, torch.nn.functional.conv2d(x, k)[0, 0].numpy(), atol=1e-12)


def step_image(orientation: str, n: int = 5) -> list[list[int]]:
    """A dark-to-bright step: left→right for a vertical edge, top→bottom for a horizontal one."""
    img = [[0 if c < n // 2 else 10 for c in range(n)] for _ in range(n)]
    return img if orientation == "vertical" else [list(r) for r in zip(*img)]


def test_choice_answer_is_the_only_option_that_detects_that_edge(bank):
    for v in variants_of(bank, "edge-kernel-choice", 12):
        orientation = v.params["orientation"]
        other = "horizontal" if orientation == "vertical" else "vertical"
        flat = [[7] * 5 for _ in range(5)]
        for i, option in enumerate(v.choices):
            matrix, _, div = option.partition("/")
            k = np.asarray(evaluate(matrix, allow_lists=True), float) / (float(div) if div else 1.0)
            hits = np.abs(naive_response(step_image(orientation), k)).max() > 0
            flat_zero = np.abs(naive_response(flat, k)).max() < 1e-12
            other_zero = np.abs(naive_response(step_image(other), k)).max() < 1e-12
            is_detector = hits and flat_zero and other_zero
            assert is_detector == (LETTERS[i] == v.answer), (option, v.params)


def test_seed_keys_by_hand():
    sobel_x = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert naive_response([[0, 0, 0, 10, 10]] * 4, sobel_x) == [[0, 40, 40], [0, 40, 40]]
    prewitt_y = [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]
    assert naive_response([[2] * 4] * 2 + [[8] * 4] * 3, prewitt_y) == [[18, 18], [18, 18], [0, 0]]


def test_seed_mistakes_are_named(bank):
    v = variants_of(bank, "sobel-vertical-edge", 0)[0]
    assert v.grade("[[0, -40, -40], [0, -40, -40]]").mistake.startswith("flipped the kernel")
    assert v.grade("[[0, 0, 0], [0, 0, 0]]").mistake.startswith("used the transposed kernel")
