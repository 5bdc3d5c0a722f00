"""Parameter counts: seed keys by hand, a NumPy reference builder, and PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

from solvers import get
from tests._torch import build
from tests.conftest import variants_of

PARAM_QUESTIONS = ["mlp-params", "conv-layer-params", "conv-5x5-params", "maxpool-params", "conv-pool-net-params"]


def reference_param_arrays(layers: list[dict]) -> list[np.ndarray]:
    """Allocate the arrays a framework would create for each layer (weights (out, in/groups, kh, kw), …)."""
    arrays = []
    for layer in layers:
        t = layer["type"]
        if t == "Linear":
            arrays.append(np.empty((layer["out_features"], layer["in_features"])))
            if layer.get("bias", True):
                arrays.append(np.empty(layer["out_features"]))
        elif t == "Conv2d":
            k = layer["kernel_size"]
            kh, kw = (k, k) if isinstance(k, int) else k
            groups = layer.get("groups", 1)
            arrays.append(np.empty((layer["out_channels"], layer["in_channels"] // groups, kh, kw)))
            if layer.get("bias", True):
                arrays.append(np.empty(layer["out_channels"]))
        elif t in ("BatchNorm1d", "BatchNorm2d"):
            arrays += [np.empty(layer["num_features"]), np.empty(layer["num_features"])]
    return arrays


@pytest.mark.parametrize(
    "qid, key",
    [("mlp-params", 529411), ("conv-layer-params", 34944), ("conv-5x5-params", 1255), ("maxpool-params", 0), ("conv-pool-net-params", 20778)],
)
def test_seed_keys(bank, qid, key):
    q = bank.questions[qid]
    assert get(q.solver).solve(q.params) == key


def test_seed_key_arithmetic_written_out():
    # 003's own arithmetic, independent of any solver: 1024*2 + 1024 + 512*1024 + 512 + 512*3 + 3
    assert 1024 * 2 + 1024 + 512 * 1024 + 512 + 512 * 3 + 3 == 529411
    assert (11 * 11 * 3 + 1) * 96 == 34944
    assert 5 * 5 * 10 * 5 + 5 == 1255


@pytest.mark.parametrize("qid", PARAM_QUESTIONS)
def test_solver_matches_reference_builder(bank, qid):
    for v in variants_of(bank, qid, 40):
        expected = sum(a.size for a in reference_param_arrays(v.params["layers"]))
        assert v.answer == expected, (qid, v.seed, v.params)


def test_forgot_biases_mistake_is_the_weight_count(bank):
    v = variants_of(bank, "conv-layer-params", 0)[0]
    assert v.mistakes["forgot the biases"] == 11 * 11 * 3 * 96
    assert v.grade("34848").mistake == "forgot the biases"


@pytest.mark.parametrize("qid", PARAM_QUESTIONS)
def test_torch_parameter_count(bank, qid):
    for v in variants_of(bank, qid, 10):
        model = build(v.params["layers"])
        assert sum(p.numel() for p in model.parameters() if p.requires_grad) == v.answer
