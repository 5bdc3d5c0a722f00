"""Positional encodings: the full PE matrix built the way the PyTorch tutorial builds it (exp/log
frequencies, strided slices), RoPE as complex multiplication, and the hand-worked keys."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest

from drill.solvers import InvalidParams, get
from tests.conftest import variants_of
from tests._torch import optional


def pe_matrix(n_pos: int, d: int, base: float = 10000.0, *, layout: str = "interleaved") -> np.ndarray:
    """PE of shape (n_pos, d): div_term = exp(−ln(base)·(0, 2, 4, …)/d), sin and cos filled by slices."""
    position = np.arange(n_pos, dtype=float)[:, None]
    div_term = np.exp(np.arange(0, d, 2, dtype=float) * (-math.log(base) / d))
    pe = np.zeros((n_pos, d))
    if layout == "interleaved":
        pe[:, 0::2] = np.sin(position * div_term)
        pe[:, 1::2] = np.cos(position * div_term)
    else:
        pe = np.concatenate([np.sin(position * div_term), np.cos(position * div_term)], axis=1)
    return pe


def test_interleaved_value_matches_the_pe_matrix(bank):
    for v in variants_of(bank, "sinusoidal-pe-value", 100):
        p = v.params
        want = pe_matrix(p["pos"] + 1, p["d_model"], p["base"])[p["pos"], p["dim"]]
        assert v.answer == pytest.approx(want, rel=1e-9, abs=1e-12), p


def test_half_layout_value_matches_the_pe_matrix(bank):
    for v in variants_of(bank, "sinusoidal-pe-half-layout", 100):
        p = v.params
        want = pe_matrix(p["pos"] + 1, p["d_model"], p["base"], layout="half")[p["pos"], p["dim"]]
        assert v.answer == pytest.approx(want, rel=1e-9, abs=1e-12), p


def test_vector_matches_the_pe_matrix_row(bank):
    for v in variants_of(bank, "sinusoidal-pe-vector", 60):
        p = v.params
        np.testing.assert_allclose(v.answer, pe_matrix(p["pos"] + 1, p["d_model"], p["base"])[p["pos"]], rtol=1e-9, atol=1e-12)


def test_pe_matrix_matches_torch_construction():
    torch = optional("torch", "PyTorch")
    d, n = 16, 50
    position = torch.arange(n, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
    pe = torch.zeros(n, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    ours = [[get("sinusoidal-pe-interleaved").solve({"pos": i, "dim": j, "d_model": d, "base": 10000}) for j in range(d)] for i in range(n)]
    np.testing.assert_allclose(ours, pe.numpy(), rtol=1e-9, atol=1e-12)


def rope_complex(x: list[float], pos: int, i: int, d: int, base: float) -> list[float]:
    """RoPE as in the LLaMA reference code: the pair as a complex number times e^(i·pos·θ_i)."""
    theta = 1.0 / base ** (2 * i / d)
    z = complex(x[0], x[1]) * cmath.exp(1j * pos * theta)
    return [z.real, z.imag]


def test_rope_pair_matches_complex_multiplication(bank):
    for v in variants_of(bank, "rope-rotate-pair", 100):
        p = v.params
        np.testing.assert_allclose(v.answer, rope_complex(p["x"], p["pos"], p["pair"], p["d_model"], p["base"]), rtol=1e-9, atol=1e-12)
        assert math.hypot(*v.answer) == pytest.approx(math.hypot(*p["x"]))  # a rotation keeps the length


def test_rope_score_matches_complex_form_and_is_shift_invariant(bank):
    for v in variants_of(bank, "rope-relative-score", 100):
        p = v.params
        qz = complex(*p["q"]) * cmath.exp(1j * p["m"] * p["theta"])
        kz = complex(*p["k"]) * cmath.exp(1j * p["n"] * p["theta"])
        assert v.answer == pytest.approx((qz * kz.conjugate()).real, rel=1e-9, abs=1e-12)  # ⟨a, b⟩ = Re(a·b̄)
        for shift in (1, 7, 40):
            moved = dict(p, m=p["m"] + shift, n=p["n"] + shift)
            assert get("rope-relative-score").solve(moved) == pytest.approx(v.answer, abs=1e-9)


def test_hand_worked_keys(bank):
    assert variants_of(bank, "sinusoidal-pe-value", 0)[0].answer == pytest.approx(math.cos(0.2))
    assert variants_of(bank, "sinusoidal-pe-half-layout", 0)[0].answer == pytest.approx(math.cos(0.3))
    np.testing.assert_allclose(variants_of(bank, "sinusoidal-pe-vector", 0)[0].answer, [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)])
    np.testing.assert_allclose(variants_of(bank, "rope-rotate-pair", 0)[0].answer, [0.364296, 2.206193], rtol=1e-6)
    assert variants_of(bank, "rope-relative-score", 0)[0].answer == pytest.approx(5 * (math.cos(1) - math.sin(1)), rel=1e-12)


def test_grading_right_wrong_unreadable(bank):
    v = variants_of(bank, "sinusoidal-pe-value", 0)[0]
    assert v.grade("0.980").correct and v.grade("cos(0.2)").correct
    assert v.grade("sin(0.2)").mistake.startswith("used sin where cos goes")
    assert v.grade("0.1.2").status == "unreadable"

    h = variants_of(bank, "sinusoidal-pe-half-layout", 0)[0]
    assert h.grade("0.955").correct
    assert h.grade("cos(0.03)").mistake.startswith("used the interleaved layout")

    r = variants_of(bank, "rope-rotate-pair", 0)[0]
    assert r.grade("[0.364, 2.206]").correct
    g = r.grade("[cos(0.3) + 2*sin(0.3), -sin(0.3) + 2*cos(0.3)]")
    assert g.status == "wrong" and g.mistake == "rotated the wrong way (by −angle)"
    assert r.grade("[0.364, ").status == "unreadable"

    s = variants_of(bank, "rope-relative-score", 0)[0]
    assert s.grade("-1.506").correct
    assert s.grade("5").mistake == "forgot the rotations (plain q·k)"

    c = variants_of(bank, "rope-shift-invariance", 0)[0]
    assert c.choices["ABCDE".index(c.answer)] == "-1.506"
    assert c.grade(c.answer).correct and c.grade("-1.506").correct
    wrong = c.choices.index("5")
    g = c.grade("ABCDE"[wrong])
    assert g.status == "wrong" and g.mistake == "assumed the rotations cancel completely (plain q·k)"
    assert c.grade("Z").status == "unreadable"


def test_shift_choice_key_is_the_unshifted_score(bank):
    for v in variants_of(bank, "rope-shift-invariance", 60):
        p = v.params
        qz = complex(*p["q"]) * cmath.exp(1j * p["m"] * p["theta"])
        kz = complex(*p["k"]) * cmath.exp(1j * p["n"] * p["theta"])
        assert v.answer_value == pytest.approx((qz * kz.conjugate()).real, abs=1e-9)
        assert v.choices["ABCDE".index(v.answer)] == v.prompt.split("⟩ = ")[1].split()[0]  # the score the prompt shows


# Audit M1: a wrong offset can land on almost the same score, so an option sat within 1 % of the key
CLOSE_OPTIONS = [
    {"q": [-0.4, 0.3], "k": [0.7, -0.6], "m": 15, "n": 5, "theta": 1.0, "shift": 5},  # 0.3697 vs 0.369
    {"q": [0.7, 1.5], "k": [-0.7, 1.3], "m": 5, "n": 14, "theta": 0.25, "shift": 50},  # -2.442 vs -2.443
    {"q": [-1.7, -1.0], "k": [-1.2, 1.7], "m": 16, "n": 5, "theta": 1.0, "shift": 25},  # 4.091 vs 4.098
]


@pytest.mark.parametrize("params", CLOSE_OPTIONS)
def test_shift_choice_rejects_options_within_precision(params):
    with pytest.raises(InvalidParams):
        get("rope-shift-choice").solve(params)


def test_shift_choice_options_are_apart(bank):
    """Every option differs from the key (recomputed with complex numbers) by more than 2 %, so a
    learner who works the score to 3 significant figures can tell which option it is."""
    for v in variants_of(bank, "rope-shift-invariance", 200):
        p = v.params
        key = (complex(*p["q"]) * cmath.exp(1j * p["m"] * p["theta"]) * (complex(*p["k"]) * cmath.exp(1j * p["n"] * p["theta"])).conjugate()).real
        for text in v.choices:
            if text != v.choices["ABCDE".index(v.answer)]:
                assert abs(float(text) - key) > 0.02 * max(abs(key), abs(float(text))), (v.seed, p, v.choices)
