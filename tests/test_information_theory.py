"""Information theory: torch's NLL/cross-entropy losses, numerical integration of the KL integral
with numpy, torch.distributions.kl_divergence, entropies by torch's Categorical combined by the
chain rule (independent of the solvers' direct sums), and the hand-worked keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drill.solvers import get
from tests._torch import torch_or_skip
from tests.conftest import assert_grades, variants_of


def test_batch_cross_entropy_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "batch-cross-entropy", 40):
        P = torch.tensor(v.params["probs"], dtype=torch.float64)
        y = torch.tensor(v.params["labels"])
        assert v.answer == pytest.approx(float(torch.nn.functional.nll_loss(P.log(), y)), rel=1e-12)
        # the same as CrossEntropyLoss on log-probabilities used as logits (softmax(log P) = P)
        assert v.answer == pytest.approx(float(torch.nn.functional.cross_entropy(P.log(), y)), rel=1e-9)


def _kl_integral(m1, s1, m2, s2) -> float:
    """∫ p(x) ln(p(x)/q(x)) dx by the trapezoid rule over μ1 ± 12σ1 (log-densities written out)."""
    x = np.linspace(m1 - 12 * s1, m1 + 12 * s1, 400_001)
    logp = -0.5 * ((x - m1) / s1) ** 2 - math.log(s1 * math.sqrt(2 * math.pi))
    logq = -0.5 * ((x - m2) / s2) ** 2 - math.log(s2 * math.sqrt(2 * math.pi))
    f = np.exp(logp) * (logp - logq)
    return float(((f[1:] + f[:-1]) / 2 * np.diff(x)).sum())  # written out: np.trapezoid needs numpy 2


def test_gaussian_kl_matches_numerical_integration(bank):
    for v in variants_of(bank, "gaussian-kl", 40):
        p = v.params
        assert v.answer == pytest.approx(_kl_integral(p["mu1"], p["sigma1"], p["mu2"], p["sigma2"]), rel=1e-7, abs=1e-10), p


def test_gaussian_kl_matches_torch_distributions(bank):
    torch = torch_or_skip()
    N = torch.distributions.Normal
    for v in variants_of(bank, "gaussian-kl", 40):
        p = v.params
        got = torch.distributions.kl_divergence(N(torch.tensor(p["mu1"], dtype=torch.float64), p["sigma1"]),
                                                N(torch.tensor(p["mu2"], dtype=torch.float64), p["sigma2"]))
        assert v.answer == pytest.approx(float(got), rel=1e-12)


def test_vae_kl_matches_torch_and_integration(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "vae-kl", 40):
        mu = torch.tensor(v.params["mu"], dtype=torch.float64)
        sd = torch.tensor(v.params["sigma"], dtype=torch.float64)
        q, prior = torch.distributions.Normal(mu, sd), torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(sd))
        assert v.answer == pytest.approx(float(torch.distributions.kl_divergence(q, prior).sum()), rel=1e-12)
        by_integral = sum(_kl_integral(m, s, 0.0, 1.0) for m, s in zip(v.params["mu"], v.params["sigma"]))
        assert v.answer == pytest.approx(by_integral, rel=1e-7)


def _H(probs, unit: str) -> float:
    torch = torch_or_skip()
    h = float(torch.distributions.Categorical(probs=torch.tensor(probs, dtype=torch.float64).flatten()).entropy())
    return h / (math.log(2) if unit == "bits" else 1.0)


def test_mutual_information_is_hx_plus_hy_minus_hxy(bank):
    for v in variants_of(bank, "mutual-information-2x2", 40):
        J, unit = np.array(v.params["joint"]), v.params["unit"]
        expected = _H(J.sum(1), unit) + _H(J.sum(0), unit) - _H(J, unit)
        assert v.answer == pytest.approx(expected, rel=1e-9, abs=1e-12), v.params


def test_conditional_entropy_is_hxy_minus_hx(bank):
    for v in variants_of(bank, "conditional-entropy-2x2", 40):
        J, unit = np.array(v.params["joint"]), v.params["unit"]
        assert v.answer == pytest.approx(_H(J, unit) - _H(J.sum(1), unit), rel=1e-9), v.params


def test_mutual_information_by_sampling():
    """A plug-in estimate from 400,000 samples of the joint lands near the closed form."""
    rng = np.random.default_rng(0)
    J = np.array([[0.35, 0.15], [0.05, 0.45]])
    cells = rng.choice(4, size=400_000, p=J.ravel())
    est = np.bincount(cells, minlength=4).reshape(2, 2) / cells.size
    px, py = est.sum(1), est.sum(0)
    plug_in = float((est * np.log(est / np.outer(px, py))).sum())
    assert plug_in == pytest.approx(get("mutual-information").solve({"joint": J.tolist(), "unit": "nats"}), abs=5e-3)


def test_independent_table_is_refused_and_identical_gaussians_too():
    from drill.solvers import InvalidParams

    with pytest.raises(InvalidParams):
        get("mutual-information").solve({"joint": [[0.12, 0.28], [0.18, 0.42]], "unit": "bits"})
    with pytest.raises(InvalidParams):
        get("gaussian-kl").solve({"mu1": 1.0, "sigma1": 2.0, "mu2": 1.0, "sigma2": 2.0})


@pytest.mark.parametrize("qid, right, mistake, named", [
    ("batch-cross-entropy", "0.499", "1.50", "summed over the batch"),
    ("gaussian-kl", "0.443", "1.31", "reversed the direction"),
    ("vae-kl", "0.943", "0.597", "used ln σ in place of ln σ²"),
    ("mutual-information-2x2", "0.278", "0.193", "gave the answer in nats"),
    ("conditional-entropy-2x2", "0.875", "0.846", "gave H(X | Y)"),
])
def test_canonical_keys_and_mistakes(bank, qid, right, mistake, named):
    v = variants_of(bank, qid, 0)[0]
    assert_grades(v, right, mistake, named, "nats")
