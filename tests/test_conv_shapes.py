"""Output shapes: naive NumPy loops actually run on zeros (CS231n-style), and PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

from drill.solvers import get
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
            s = _pair(layer.get("stride") or (layer["kernel_size"] if t != "Conv2d" else 1))  # pools default to K
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


# --- the families added for the whole bank ------------------------------------------------


def naive_same_padding(k: int, d: int, n: int = 40) -> int:
    """The smallest per-side padding whose naive stride-1 slide keeps an n-long axis at n."""
    for p in range(0, d * k + 1):
        if naive_window_op(np.zeros((1, n, 1)), (k, 1), (1, 1), (p, 0), (d, 1)).shape[0] == n:
            return p
    raise AssertionError("no padding keeps the size")


def naive_forward_shape_same(input_shape, layers):
    """naive_forward_shape, with padding='same' replaced by the padding the naive loop needs."""
    fixed = []
    for layer in layers:
        if layer.get("padding") == "same":
            k, d = _pair(layer["kernel_size"])[0], _pair(layer.get("dilation", 1))[0]
            layer = dict(layer, padding=naive_same_padding(k, d))
        fixed.append(layer)
    return naive_forward_shape(input_shape, fixed)


def naive_transposed_axis(n: int, k: int, s: int, p: int, d: int, op: int) -> int:
    """Scatter every input position through every kernel tap into a long buffer, then crop.

    PyTorch's ConvTranspose: input i, tap t lands at i·s + t·d of the full output; output_padding
    adds op positions at the end; padding p removes p positions from each end.
    """
    hit = np.zeros(n * s + d * k + op + 10, dtype=bool)
    for i in range(n):
        for t in range(k):
            hit[i * s + t * d] = True
    full = int(np.nonzero(hit)[0].max()) + 1
    return full + op - 2 * p


@pytest.mark.parametrize(
    "qid, key",
    [
        ("dilated-conv-output-size", (30, 22)),
        ("transposed-conv-output-size", (32, 32)),
        ("transposed-conv-output-padding", (14, 20)),
        ("same-padding", 2),
        ("same-padding-dilated", 6),
        ("same-padding-shape", (32, 8, 8)),
        ("flatten-size", 3200),
        ("conv-macs", 105415200),
        ("conv-flops", 3699376128),
    ],
)
def test_new_seed_keys(bank, qid, key):
    q = bank.questions[qid]
    got = get(q.solver).solve(q.params)
    assert (tuple(got) if isinstance(got, tuple) else got) == key


def test_new_keys_written_out():
    assert (32 + 2 - (2 * 2 + 1)) + 1 == 30 and (24 + 2 - 5) + 1 == 22
    assert (16 - 1) * 2 - 2 + 3 + 1 == 32
    assert (7 - 1) * 2 - 2 + 2 + 1 + 1 == 14 and (10 - 1) * 2 - 2 + 2 + 1 + 1 == 20
    assert (227 - 11) // 4 + 1 == 55 and 55 * 55 * 96 * 11 * 11 * 3 == 105415200
    assert 2 * 224 * 224 * 64 * 64 * 3 * 3 == 3699376128
    assert 128 * 5 * 5 == 3200


def test_dilated_sizes_match_naive_loops(bank):
    for v in variants_of(bank, "dilated-conv-output-size", 60):
        _, h, w = v.params["input_shape"]
        assert naive_forward_shape((1, h, w), [dict(v.params["layer"], out_channels=1)])[1:] == v.answer, v.params


@pytest.mark.parametrize("qid", ["transposed-conv-output-size", "transposed-conv-output-padding"])
def test_transposed_sizes_match_naive_scatter(bank, qid):
    for v in variants_of(bank, qid, 60):
        layer, (_, h, w) = v.params["layer"], v.params["input_shape"]
        k, s, p = layer["kernel_size"], layer["stride"], layer["padding"]
        d, op = layer.get("dilation", 1), layer.get("output_padding", 0)
        assert v.answer == (naive_transposed_axis(h, k, s, p, d, op), naive_transposed_axis(w, k, s, p, d, op)), v.params
        if op < s:  # the transposed conv inverts the forward conv's size map: conv(H') gives back H
            back = naive_window_op(np.zeros((1, *v.answer)), (k, k), (s, s), (p, p), (d, d)).shape
            assert back == (h, w), v.params


@pytest.mark.parametrize("qid", ["same-padding", "same-padding-dilated"])
def test_same_padding_matches_naive_search(bank, qid):
    for v in variants_of(bank, qid, 30):
        assert v.answer == naive_same_padding(v.params["kernel_size"], v.params.get("dilation", 1)), v.params


def test_same_padding_shape_matches_naive_loops(bank):
    for v in variants_of(bank, "same-padding-shape", 30):
        assert naive_forward_shape_same(v.params["input_shape"], v.params["layers"]) == v.answer, v.params


def test_flatten_size_matches_naive_loops(bank):
    for v in variants_of(bank, "flatten-size", 40):
        assert int(np.prod(naive_forward_shape(v.params["input_shape"], v.params["layers"]))) == v.answer, v.params


def naive_macs(input_shape, layer) -> int:
    """Slide the window with the naive loop and count one MAC per input number it covers, per filter."""
    c, h, w = input_shape
    k, s, p = _pair(layer["kernel_size"]), _pair(layer.get("stride", 1)), _pair(layer.get("padding", 0))
    per_position = naive_window_op(np.zeros((c, h, w)), k, s, p, reduce=np.size)  # C_in·K·K numbers per window
    return int(per_position.sum()) * layer["out_channels"] // layer.get("groups", 1)


@pytest.mark.parametrize("qid", ["conv-macs", "conv-flops"])
def test_conv_cost_matches_naive_count(bank, qid):
    for v in variants_of(bank, qid, 12):
        macs = naive_macs(v.params["input_shape"], v.params["layer"])
        assert v.answer == (2 * macs if v.params["count"] == "FLOPs" else macs), v.params


def test_flops_mistake_names(bank):
    v = variants_of(bank, "conv-flops", 0)[0]
    assert v.grade("1849688064").mistake.startswith("gave MACs, not FLOPs")
    v = variants_of(bank, "conv-macs", 0)[0]
    assert v.grade("34848").mistake.startswith("counted the weights once")
    assert v.grade("210830400").mistake.startswith("gave FLOPs")


def test_transposed_mistakes_named(bank):
    v = variants_of(bank, "transposed-conv-output-size", 0)[0]
    assert v.grade("8x8").mistake.startswith("used the forward conv formula")
    assert v.grade("33x33").mistake.startswith("subtracted the padding once")
    v = variants_of(bank, "transposed-conv-output-padding", 0)[0]
    assert "forgot the output_padding" in v.grade("13x19").mistake


# --- PyTorch cross-checks (skipped without torch) --------------------------------------------


@pytest.mark.parametrize("qid", ["dilated-conv-output-size", "transposed-conv-output-size", "transposed-conv-output-padding"])
def test_torch_single_layer_sizes(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 15):
        layer = dict(v.params["layer"], in_channels=1, out_channels=1)
        _, h, w = v.params["input_shape"]
        assert tuple(build([layer])(torch.zeros(1, 1, h, w)).shape[2:]) == v.answer, v.params


@pytest.mark.parametrize("qid", ["same-padding-shape", "flatten-size"])
def test_torch_network_shapes_and_flatten(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 10):
        out = build(v.params["layers"])(torch.zeros(1, *v.params["input_shape"]))
        got = tuple(out.shape[1:]) if qid == "same-padding-shape" else out.flatten(1).shape[1]
        assert got == v.answer, v.params


@pytest.mark.parametrize("qid", ["same-padding", "same-padding-dilated"])
def test_torch_same_padding(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 10):
        k, d, p = v.params["kernel_size"], v.params.get("dilation", 1), v.answer
        conv = torch.nn.Conv2d(1, 1, k, padding=p, dilation=d)
        assert conv(torch.zeros(1, 1, 23, 31)).shape[2:] == (23, 31)
        same = torch.nn.Conv2d(1, 1, k, padding="same", dilation=d)
        assert same._reversed_padding_repeated_twice[-2:] == [p, p]


@pytest.mark.parametrize("qid", ["conv-macs", "conv-flops"])
def test_torch_flop_counter(bank, qid):
    torch = torch_or_skip()
    from torch.utils.flop_counter import FlopCounterMode

    for v in variants_of(bank, qid, 8):
        with torch.device("meta"):
            layer = build([v.params["layer"]])
            x = torch.zeros(1, *v.params["input_shape"])
        with FlopCounterMode(display=False) as counter:
            layer(x)
        flops = counter.get_total_flops()  # torch counts 2 FLOPs per multiply-accumulate, no bias
        assert v.answer == (flops if v.params["count"] == "FLOPs" else flops // 2), v.params
