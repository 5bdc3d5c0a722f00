"""GRU and LSTM steps: torch.nn.GRUCell / LSTMCell with weights set by hand, plain formulas, seed keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_gru_blend_formula_and_convention(bank):
    for v in variants_of(bank, "gru-blend", 40):
        p = v.params
        expected = [z * h + (1 - z) * c for z, h, c in zip(p["z"], p["h_prev"], p["h_cand"])]
        np.testing.assert_allclose(v.answer, expected, atol=1e-12)
        swapped = [(1 - z) * h + z * c for z, h, c in zip(p["z"], p["h_prev"], p["h_cand"])]
        assert v.grade(str(swapped)).mistake.startswith("used the swapped (textbook) convention")


def test_gru_blend_matches_torch_convention():
    """PyTorch's GRUCell: h' = (1 − z)·n + z·h — z multiplies the OLD state, as in 003."""
    torch = torch_or_skip()
    from drill.solvers import get

    cell = torch.nn.GRUCell(1, 1, dtype=torch.float64)
    with torch.no_grad():
        for t in (cell.weight_ih, cell.weight_hh, cell.bias_hh):
            t.zero_()
        cell.bias_ih.copy_(torch.tensor([0.0, math.log(4), 0.3], dtype=torch.float64))  # r, z = σ(ln 4) = 0.8, n = tanh(0.3)
        h = torch.tensor([[0.5]], dtype=torch.float64)
        out = cell(torch.zeros(1, 1, dtype=torch.float64), h)
    ours = get("gru-blend").solve({"z": 0.8, "h_prev": 0.5, "h_cand": math.tanh(0.3)})
    assert ours[0] == pytest.approx(float(out), abs=1e-12)


def test_gru_step_matches_torch_grucell(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "gru-step", 40):
        p = v.params
        cell = torch.nn.GRUCell(1, 1, dtype=torch.float64)
        with torch.no_grad():  # PyTorch's gate order: r, z, n
            cell.weight_ih.copy_(torch.tensor([[p[g]["w"]] for g in "rzn"], dtype=torch.float64))
            cell.weight_hh.copy_(torch.tensor([[p[g]["u"]] for g in "rzn"], dtype=torch.float64))
            cell.bias_ih.copy_(torch.tensor([p[g]["b"] for g in "rzn"], dtype=torch.float64))
            cell.bias_hh.zero_()
            out = cell(torch.tensor([[p["x"]]], dtype=torch.float64), torch.tensor([[p["h"]]], dtype=torch.float64))
        assert v.answer == pytest.approx(float(out), abs=1e-12)


def test_gru_step_plain_formula(bank):
    for v in variants_of(bank, "gru-step", 40):
        p = v.params
        x, h = p["x"], p["h"]
        r = sig(p["r"]["w"] * x + p["r"]["u"] * h + p["r"]["b"])
        z = sig(p["z"]["w"] * x + p["z"]["u"] * h + p["z"]["b"])
        n = math.tanh(p["n"]["w"] * x + p["n"]["u"] * r * h + p["n"]["b"])
        assert v.answer == pytest.approx(z * h + (1 - z) * n, abs=1e-12)


@pytest.mark.parametrize("qid", ["lstm-cell-state", "lstm-hidden-state"])
def test_lstm_matches_torch_lstmcell(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 40):
        p = v.params
        cell = torch.nn.LSTMCell(1, 1, dtype=torch.float64)
        with torch.no_grad():  # zero weights, biases = the pre-activations, in PyTorch's order i, f, g, o
            for t in (cell.weight_ih, cell.weight_hh, cell.bias_hh):
                t.zero_()
            cell.bias_ih.copy_(torch.tensor([p["a_i"], p["a_f"], p["a_g"], p["a_o"]], dtype=torch.float64))
            h, c = cell(torch.zeros(1, 1, dtype=torch.float64),
                        (torch.zeros(1, 1, dtype=torch.float64), torch.tensor([[p["c_prev"]]], dtype=torch.float64)))
        assert v.answer == pytest.approx(float(c if p["ask"] == "c" else h), abs=1e-12)


def test_lstm_seed_keys_and_forget_gate_slip(bank):
    c = variants_of(bank, "lstm-cell-state", 0)[0]
    assert c.answer == pytest.approx(sig(2) + 0.5 * math.tanh(1), abs=1e-12)
    assert c.grade(repr(1 + 0.5 * math.tanh(1))).mistake.startswith("forgot the forget gate")
    h = variants_of(bank, "lstm-hidden-state", 0)[0]
    assert h.answer == pytest.approx(0.5 * math.tanh(sig(2) + 0.5 * math.tanh(1)), abs=1e-12)
    assert h.grade(repr(0.5 * (sig(2) + 0.5 * math.tanh(1)))).mistake.startswith("forgot the tanh")
