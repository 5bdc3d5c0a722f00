"""Linear regression: centred finite differences of the MSE, numpy.linalg.lstsq, and the hand-worked keys."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import variants_of


def mse(x, y, m, b) -> float:
    return sum((yi - (m * xi + b)) ** 2 for xi, yi in zip(x, y)) / len(x)


def fd_grad(x, y, m, b, h=1e-6):
    return [(mse(x, y, m + h, b) - mse(x, y, m - h, b)) / (2 * h), (mse(x, y, m, b + h) - mse(x, y, m, b - h)) / (2 * h)]


def test_gradient_matches_finite_differences(bank):
    for v in variants_of(bank, "mse-gradient", 60):
        p = v.params
        np.testing.assert_allclose(v.answer, fd_grad(p["x"], p["y"], p["m"], p["b"]), atol=1e-6)


def test_gd_step_matches_finite_difference_step(bank):
    for v in variants_of(bank, "mse-gd-step", 60):
        p = v.params
        g = fd_grad(p["x"], p["y"], p["m"], p["b"])
        np.testing.assert_allclose(v.answer, [p["m"] - p["lr"] * g[0], p["b"] - p["lr"] * g[1]], atol=1e-6)


def test_named_slips_on_the_seed(bank):
    v = variants_of(bank, "mse-gradient", 0)[0]
    assert v.grade("[-11/3, -5/3]").mistake == "forgot the factor 2 from the square"
    assert v.grade("[-22/9, -10/9]").mistake == "divided by N twice"


def test_normal_equation_matches_lstsq(bank):
    for v in variants_of(bank, "normal-equation", 60):
        x, y = np.array(v.params["x"], float), np.array(v.params["y"], float)
        X = np.column_stack([np.ones_like(x), x])
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        np.testing.assert_allclose(v.answer, beta, atol=1e-9)
        if abs(beta[0]) < 1e-9:
            continue  # the line passes through the origin: leaving out the intercept changes nothing
        # fitting without the intercept column is the named slip
        slope, *_ = np.linalg.lstsq(x[:, None], y, rcond=None)
        g = v.grade(str([0.0, float(slope[0])]))
        assert g.status == "wrong" and g.mistake and g.mistake.startswith("forgot the intercept column")


def test_normal_equation_zero_gradient_at_the_solution(bank):
    """The closed form is the point where the MSE gradient vanishes."""
    for v in variants_of(bank, "normal-equation", 30):
        b, m = v.answer
        assert fd_grad(v.params["x"], v.params["y"], m, b) == pytest.approx([0, 0], abs=1e-5)
