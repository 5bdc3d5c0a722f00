"""Receptive fields: brute force (propagate index sets back through every layer), and PyTorch gradients."""

from __future__ import annotations

import pytest

from drill.core.bank import load_bank
from drill.solvers import InvalidParams, get
from tests._torch import torch_or_skip
from tests.conftest import variants_of

RF_QUESTIONS = sorted(q.id for q in load_bank().questions.values() if q.topic == "receptive-field")


def _one(v):
    return v if isinstance(v, int) else v[0]


def _axis(layer: dict) -> tuple[int, int, int, int]:
    k = _one(layer["kernel_size"])
    pool = layer["type"] != "Conv2d"
    s = _one(layer.get("stride") or (k if pool else 1))
    return k, s, _one(layer.get("padding", 0)), _one(layer.get("dilation", 1))


def field_of_output(layers: list[dict], index: int = 0) -> set[int]:
    """Input positions (0-based, padding at negative indices) that output position ``index`` can depend on.

    Walk back from the last layer: output o of a layer reads its input at o·S − P + t·D for each
    tap t — loops over sets of indices, no closed form.
    """
    positions = {index}
    for layer in reversed(layers):
        k, s, p, d = _axis(layer)
        positions = {o * s - p + t * d for o in positions for t in range(k)}
    return positions


def field_of_first_output(layers: list[dict]) -> set[int]:
    return field_of_output(layers, 0)


def jump_between_outputs(layers: list[dict]) -> int:
    """How many input pixels apart the fields of neighbouring outputs 0 and 1 are."""
    return min(field_of_output(layers, 1)) - min(field_of_output(layers, 0))


def brute(layers: list[dict]) -> tuple[int, int, float]:
    field = field_of_first_output(layers)
    return max(field) - min(field) + 1, jump_between_outputs(layers), (min(field) + max(field)) / 2


def test_every_question_is_tested():
    assert RF_QUESTIONS == ["receptive-field-center", "receptive-field-dilated", "receptive-field-jump", "receptive-field-size", "receptive-field-vgg"]


@pytest.mark.parametrize(
    "qid, key", [("receptive-field-size", 10), ("receptive-field-jump", 4), ("receptive-field-vgg", 24), ("receptive-field-dilated", 15), ("receptive-field-center", 0.5)]
)
def test_seed_keys(bank, qid, key):
    q = bank.questions[qid]
    assert get(q.solver).solve(q.params) == key


def test_seed_keys_by_hand():
    # 004 Q26's recurrence on Q23's stack, written out: conv 5 s1, pool 2 s2, conv 3 s2
    r, j = 1, 1
    for k, s in ((5, 1), (2, 2), (3, 2)):
        r, j = r + (k - 1) * j, j * s
    assert (r, j) == (10, 4)
    assert 1 + 2 * 1 + 2 * 2 + 2 * 4 == 15  # Yu & Koltun's 3, 7, 15


def test_brute_force_on_the_seed_stack():
    layers = [{"type": "Conv2d", "kernel_size": 5, "stride": 1, "padding": 2}, {"type": "MaxPool2d", "kernel_size": 2}, {"type": "Conv2d", "kernel_size": 3, "stride": 2, "padding": 1}]
    assert field_of_first_output(layers) == set(range(-4, 6))
    assert brute(layers) == (10, 4, 0.5)


@pytest.mark.parametrize("qid", RF_QUESTIONS)
def test_matches_brute_force(bank, qid):
    which = {"receptive-field": 0, "receptive-field-jump": 1, "receptive-field-center": 2}[bank.questions[qid].solver]
    for v in variants_of(bank, qid, 60):
        expected = brute(v.params["layers"])[which]
        assert v.answer == pytest.approx(expected, abs=1e-12), (v.seed, v.params)


def test_dilated_field_has_gaps_but_the_size_is_the_span():
    layers = [{"type": "Conv2d", "kernel_size": 3, "dilation": 4}]
    assert field_of_first_output(layers) == {0, 4, 8}
    assert get("receptive-field").solve({"layers": layers}) == 9


def test_classic_mistakes_named(bank):
    v = variants_of(bank, "receptive-field-size", 0)[0]
    assert v.grade("15").mistake.startswith("multiplied by the jump after the layer")
    assert v.grade("8").mistake.startswith("ignored the strides")
    assert v.grade("9").mistake.startswith("started from r₀ = 0")
    v = variants_of(bank, "receptive-field-jump", 0)[0]
    assert v.grade("5").mistake.startswith("added the strides")
    v = variants_of(bank, "receptive-field-dilated", 0)[0]
    assert v.grade("7").mistake == "ignored the dilation"
    v = variants_of(bank, "receptive-field-center", 0)[0]
    assert v.grade("4.5").mistake.startswith("forgot the padding")
    assert v.grade("-4").mistake.startswith("gave the field's first position")


def test_bad_layers_are_refused():
    with pytest.raises(InvalidParams, match="Linear"):
        get("receptive-field").solve({"layers": [{"type": "Linear", "in_features": 3, "out_features": 2}]})
    with pytest.raises(InvalidParams, match="square"):
        get("receptive-field").solve({"layers": [{"type": "Conv2d", "kernel_size": [3, 5]}]})


@pytest.mark.parametrize("qid", ["receptive-field-size", "receptive-field-vgg", "receptive-field-dilated"])
def test_torch_gradient_footprint(bank, qid):
    """All-ones weights, average pooling in place of max: the input pixels with a nonzero gradient of
    output unit (0, 0) are exactly its receptive field (no padding, so the field lies inside the input)."""
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 6):
        mods = []
        for layer in v.params["layers"]:
            k, s, _, d = _axis(layer)
            if layer["type"] == "Conv2d":
                conv = torch.nn.Conv2d(1, 1, k, stride=s, dilation=d, bias=False)
                torch.nn.init.ones_(conv.weight)
                mods.append(conv)
            else:
                mods.append(torch.nn.AvgPool2d(k, stride=s))
        net = torch.nn.Sequential(*mods)
        x = torch.zeros(1, 1, 96, 96, requires_grad=True)
        net(x)[0, 0, 0, 0].backward()
        rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
        assert int(rows.max() - rows.min() + 1) == v.answer, v.params
