"""Output shapes: naive NumPy loops actually run on zeros (CS231n-style), and PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

from solvers import get
from tests._torch import build, torch_or_skip
from tests.conftest import variants_of


def naive_window_op(x: np.ndarray, k: tuple[int, int], s: tuple[int, int], p: tuple[int, int], d=(1, 1), reduce=np.sum) -> np.ndarray:
    """Slide a k-window over x of shape (C, H, W) padded p per side; the output has one value per position.

    Positions are found by looping and testing whether the (dilated) window fits — no closed form.
    """
    c, h, w = x.shape
    xp = np.zeros((c, h + 2 * p[0], w + 2 * p[1]))
    xp[:, p[0] : p[0] + h, p[1] : p[1] + w] = x
    rows = []
    i = 0
    while i + d[0] * (k[0] - 1) < xp.shape[1]:
        row = []
        j = 0
        while j + d[1] * (k[1] - 1) < xp.shape[2]:
            row.append(reduce(xp[:, i : i + d[0] * (k[0] - 1) + 1 : d[0], j : j + d[1] * (k[1] - 1) + 1 : d[1]]))
            j += s[1]
        rows.append(row)
        i += s[0]
    return np.array(rows)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def naive_forward_shape(input_shape, layers):
    x = np.zeros(input_shape)
    for layer in layers:
        t = layer["type"]
        if t in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            k = _pair(layer["kernel_size"])
            s = _pair(layer.get("stride") or layer["kernel_size"])
            p = _pair(layer.get("padding", 0))
            d = _pair(layer.get("dilation", 1))
            plane = naive_window_op(x, k, s, p, d)
            channels = layer["out_channels"] if t == "Conv2d" else x.shape[0]
            x = np.zeros((channels, *plane.shape))
        elif t == "Flatten":
            x = x.reshape(-1)
        elif t == "Linear":
            x = np.zeros(layer["out_features"])
    return x.shape


@pytest.mark.parametrize("qid, key", [("conv-output-size", (5, 7)), ("cnn-first-layer-shape", (64, 24, 24)), ("cnn-chain-shape", (128, 5, 5)), ("maxpool-output-size", (12, 12))])
def test_seed_keys(bank, qid, key):
    q = bank.questions[qid]
    assert tuple(get(q.solver).solve(q.params)) == key


def test_seed_slide_formula_with_total_padding():
    # 003's slide: floor((n − k + p_total + s)/s) with p_total = 2 on 9×13, k 3, s 2
    assert ((9 - 3 + 2 + 2) // 2, (13 - 3 + 2 + 2) // 2) == (5, 7)


@pytest.mark.parametrize("qid", ["conv-output-size", "maxpool-output-size"])
def test_single_layer_sizes_match_naive_loops(bank, qid):
    for v in variants_of(bank, qid, 60):
        c, h, w = v.params["input_shape"]
        shape = naive_forward_shape((1, h, w), [dict(v.params["layer"], out_channels=1)])
        assert shape[1:] == v.answer, (v.seed, v.params)


@pytest.mark.parametrize("qid", ["cnn-first-layer-shape", "cnn-chain-shape"])
def test_network_shapes_match_naive_loops(bank, qid):
    for v in variants_of(bank, qid, 40):
        assert naive_forward_shape(v.params["input_shape"], v.params["layers"]) == v.answer, (v.seed, v.params)


def test_padding_mistake_is_named(bank):
    v = variants_of(bank, "conv-output-size", 0)[0]
    g = v.grade("4x6")
    assert g.status == "wrong" and "padding" in g.mistake
    assert v.grade("7 x 5").notes[0].startswith("right numbers, wrong order")


@pytest.mark.parametrize("qid", ["cnn-first-layer-shape", "cnn-chain-shape"])
def test_torch_output_shapes(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 10):
        out = build(v.params["layers"])(torch.zeros(1, *v.params["input_shape"]))
        assert tuple(out.shape[1:]) == v.answer
