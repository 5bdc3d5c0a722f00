"""LayerNorm, RMSNorm, BatchNorm running statistics / eval mode / backward: PyTorch's own
layers and autograd, naive loops, centred finite differences, and the hand-worked keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drill.solvers import InvalidParams, get
from tests._numeric import numerical_gradient
from tests._torch import torch_or_skip
from tests.conftest import variants_of


def t64(torch, x):
    return torch.tensor(np.asarray(x, dtype=float), dtype=torch.float64)


# ----------------------------------------------------------------- LayerNorm, RMSNorm


def naive_layernorm(x, gamma, beta, eps):
    d = len(x)
    mu = sum(x) / d
    var = sum((v - mu) ** 2 for v in x) / d
    return [g * (v - mu) / math.sqrt(var + eps) + b for v, g, b in zip(x, gamma, beta)]


def naive_rmsnorm(x, gamma, eps):
    rms = math.sqrt(sum(v * v for v in x) / len(x) + eps)
    return [g * v / rms for v, g in zip(x, gamma)]


def test_layernorm_matches_naive_loop_and_torch(bank):
    torch = torch_or_skip()
    F = torch.nn.functional
    for v in variants_of(bank, "layernorm-forward", 60):
        p = v.params
        np.testing.assert_allclose(v.answer, naive_layernorm(p["x"], p["gamma"], p["beta"], p["eps"]), rtol=1e-12, atol=1e-12)
        y = F.layer_norm(t64(torch, p["x"]), (len(p["x"]),), t64(torch, p["gamma"]), t64(torch, p["beta"]), eps=p["eps"])
        np.testing.assert_allclose(v.answer, y.numpy(), rtol=1e-10, atol=1e-12)


def test_rmsnorm_matches_naive_loop_and_torch(bank):
    torch = torch_or_skip()
    F = torch.nn.functional
    if not hasattr(F, "rms_norm"):
        pytest.skip("this torch has no rms_norm")
    for v in variants_of(bank, "rmsnorm-forward", 60):
        p = v.params
        np.testing.assert_allclose(v.answer, naive_rmsnorm(p["x"], p["gamma"], p["eps"]), rtol=1e-12)
        y = F.rms_norm(t64(torch, p["x"]), (len(p["x"]),), t64(torch, p["gamma"]), eps=p["eps"])
        np.testing.assert_allclose(v.answer, y.numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------- BatchNorm1d running stats, eval


def torch_bn(torch, p, *, gamma=1.0, beta=0.0, momentum=0.1, eps=1e-5):
    bn = torch.nn.BatchNorm1d(1, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        bn.running_mean.fill_(p["running_mean"])
        bn.running_var.fill_(p["running_var"])
        bn.weight.fill_(gamma)
        bn.bias.fill_(beta)
    return bn


def test_running_stats_match_torch_after_one_training_step(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "batchnorm-running-stats", 60):
        p = v.params
        bn = torch_bn(torch, p, momentum=p["momentum"]).train()
        with torch.no_grad():
            bn(t64(torch, p["batch"])[:, None])
        np.testing.assert_allclose(v.answer, [bn.running_mean.item(), bn.running_var.item()], rtol=1e-12, atol=1e-12)


def test_running_var_uses_the_unbiased_variance_by_hand():
    # batch [1, 2, 3, 6]: Σ(x − 3)² = 14, unbiased 14/3, biased 14/4
    new_mean, new_var = get("batchnorm-running-stats").solve({"batch": [1, 2, 3, 6], "running_mean": 0, "running_var": 1, "momentum": 0.1})
    assert new_mean == pytest.approx(0.3) and new_var == pytest.approx(0.9 + 0.1 * 14 / 3)


def test_eval_output_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "batchnorm-eval-output", 60):
        p = v.params
        bn = torch_bn(torch, p, gamma=p["gamma"], beta=p["beta"], eps=p["eps"]).eval()
        with torch.no_grad():
            y = bn(t64(torch, p["x"])[:, None])[:, 0]
        np.testing.assert_allclose(v.answer, y.numpy(), rtol=1e-12, atol=1e-12)
        # the train-mode slip is what the same layer does in train mode: graded wrong and named
        with torch.no_grad():
            y_train = bn.train()(t64(torch, p["x"])[:, None])[:, 0]
        g = v.grade(str(y_train.tolist()))
        assert g.status == "wrong" and g.mistake.startswith("normalized with the batch's own mean")


def test_train_then_eval_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "batchnorm-train-then-eval", 60):
        p = v.params
        bn = torch.nn.BatchNorm1d(1, eps=p["eps"], momentum=p["momentum"], dtype=torch.float64)  # fresh: 0 and 1
        assert (bn.running_mean.item(), bn.running_var.item()) == (p["running_mean"], p["running_var"])
        with torch.no_grad():
            bn.train()(t64(torch, p["batch"])[:, None])
            y = bn.eval()(t64(torch, [p["x"]])[:, None]).item()
        assert v.answer == pytest.approx(y, rel=1e-12, abs=1e-12)


# ----------------------------------------------------------------- BatchNorm backward


def bn_loss(x, dy, gamma, eps):
    """L = Σ dy·y for y = BN(x): its gradient is the backward pass with upstream dy."""
    mu = x.mean()
    y = gamma * (x - mu) / np.sqrt(((x - mu) ** 2).mean() + eps)
    return float(np.dot(dy, y))


def test_backward_dx_matches_finite_differences(bank):
    for v in variants_of(bank, "batchnorm-backward-dx", 60):
        p = v.params
        dy = np.asarray(p["dy"], float)
        fd = numerical_gradient(lambda x: bn_loss(x, dy, p["gamma"], p["eps"]), np.asarray(p["x"], float))
        np.testing.assert_allclose(v.answer, fd, atol=1e-7)


# Audit F1: draws whose ε-free answer is a different 3-significant-figure answer (an entry that
# is exactly 0 without ε, or a batch with a tiny variance) graded that answer wrong.
EPS_DOMINATED = [
    {"x": [-1.4, -1.4, -0.8], "dy": [0.4, 0.4, -0.8], "gamma": 0.8},  # dy ∝ x̂: dx = 0 exactly
    {"x": [0.5, -1.0, -1.0], "dy": [-0.1, -0.3, 0.8], "gamma": 0.6},
    {"x": [-2.0, -1.5, -2.0], "dy": [0.8, -0.5, -1.0], "gamma": 0.9},
    {"x": [1.7, 1.7, 0.4], "dy": [0.1, 0.0, -0.3], "gamma": 1.3},
    {"x": [-1.5, -1.7, -1.7], "dy": [-0.1, 0.0, 0.4], "gamma": 0.6},  # σ² = 0.0089
]


@pytest.mark.parametrize("params", EPS_DOMINATED)
def test_backward_dx_rejects_eps_dominated_draws(params):
    with pytest.raises(InvalidParams):
        get("batchnorm-backward-dx").solve({**params, "eps": 1e-5})


def test_backward_dx_eps_free_answer_is_graded_right(bank):
    """The exact (ε → 0) gradient from torch autograd, rounded to 3 s.f., is ✓ in every variant."""
    torch = torch_or_skip()
    for v in variants_of(bank, "batchnorm-backward-dx", 300):
        p = v.params
        x = t64(torch, p["x"]).requires_grad_(True)
        c = x - x.mean()
        y = p["gamma"] * c / torch.sqrt((c * c).mean())  # no ε
        (y * t64(torch, p["dy"])).sum().backward()
        exact = [0.0 if abs(g) < 1e-12 else float(f"{g:.3g}") for g in x.grad.tolist()]
        assert v.grade(str(exact)).correct, (v.seed, p, exact, v.answer)


def test_backward_params_match_finite_differences(bank):
    for v in variants_of(bank, "batchnorm-backward-params", 60):
        p = v.params
        x, dy = np.asarray(p["x"], float), np.asarray(p["dy"], float)

        def loss(gb):
            g, b = gb
            mu = x.mean()
            return float(np.dot(dy, g * (x - mu) / np.sqrt(x.var() + p["eps"]) + b))

        np.testing.assert_allclose(v.answer, numerical_gradient(loss, np.array([p["gamma"], 0.3])), atol=1e-7)


@pytest.mark.parametrize("qid", ["batchnorm-backward-dx", "batchnorm-backward-params"])
def test_backward_matches_torch_autograd(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 40):
        p = v.params
        x = t64(torch, p["x"])[:, None].requires_grad_(True)
        bn = torch.nn.BatchNorm1d(1, eps=p["eps"], dtype=torch.float64).train()
        with torch.no_grad():
            bn.weight.fill_(p["gamma"])
        y = bn(x)[:, 0]
        (y * t64(torch, p["dy"])).sum().backward()
        want = x.grad[:, 0].numpy() if qid.endswith("dx") else [bn.weight.grad.item(), bn.bias.grad.item()]
        np.testing.assert_allclose(v.answer, want, rtol=1e-9, atol=1e-12)


def test_backward_dx_sums_to_zero(bank):
    for v in variants_of(bank, "batchnorm-backward-dx", 30):
        assert sum(v.answer) == pytest.approx(0, abs=1e-12)


# ----------------------------------------------------------------- keys and grading


def test_hand_worked_keys(bank):
    s = 1 / math.sqrt(1.25)
    np.testing.assert_allclose(variants_of(bank, "layernorm-forward", 0)[0].answer, [-0.75 * s, -0.5 * s, 0.5 * s + 0.5, 3 * s - 0.5], rtol=1e-5)
    r = 1 / math.sqrt(7.5)
    np.testing.assert_allclose(variants_of(bank, "rmsnorm-forward", 0)[0].answer, [r, r, 6 * r, 4 * r], rtol=1e-6)
    np.testing.assert_allclose(variants_of(bank, "batchnorm-eval-output", 0)[0].answer, [0.6, 1.6, 3.6], rtol=1e-5)
    assert variants_of(bank, "batchnorm-train-then-eval", 0)[0].answer == pytest.approx(1.7 / math.sqrt(0.9 + 1.4 / 3), rel=1e-5)
    np.testing.assert_allclose(variants_of(bank, "batchnorm-backward-params", 0)[0].answer, [-0.5 * math.sqrt(1.5), 1.5], rtol=1e-5)
    k = math.sqrt(1 / 6)
    np.testing.assert_allclose(variants_of(bank, "batchnorm-backward-dx", 0)[0].answer, [k, -2 * k, k], rtol=1e-4)


def test_grading_right_wrong_unreadable(bank):
    ln = variants_of(bank, "layernorm-forward", 0)[0]
    assert ln.grade("[-0.671, -0.447, 0.947, 2.18]").correct
    assert ln.grade("[-1.342, -0.447, 0.447, 1.342]").mistake == "forgot γ and β (stopped at x̂)"
    assert ln.grade("[-0.671, -0.447").status == "unreadable"

    rms = variants_of(bank, "rmsnorm-forward", 0)[0]
    assert rms.grade("0.365, 0.365, 2.19, 1.46").correct
    assert rms.grade("[0.183, 0.183, 1.095, 0.730]").mistake.startswith("divided by the L2 norm")

    rs = variants_of(bank, "batchnorm-running-stats", 0)[0]
    assert rs.grade("[0.3, 1.3667]").correct
    assert rs.grade("[0.3, 1.25]").mistake.startswith("used the biased batch variance")
    assert rs.grade("[2.7, 4.3]").mistake.startswith("swapped the weights")

    te = variants_of(bank, "batchnorm-train-then-eval", 0)[0]
    assert te.grade("1.454").correct
    assert te.grade("2").mistake.startswith("used the initial running statistics")
    assert te.grade("0.1.2").status == "unreadable"

    dx = variants_of(bank, "batchnorm-backward-dx", 0)[0]
    assert dx.grade("[0.408, -0.816, 0.408]").correct
    assert dx.grade("[2.449, 0, 0]").mistake.startswith("treated μ and σ as constants")

    dp = variants_of(bank, "batchnorm-backward-params", 0)[0]
    assert dp.grade("[-0.612, 1.5]").correct
    assert dp.grade("[1.5, -0.612]").mistake == "swapped dL/dγ and dL/dβ"


def test_an_answer_of_exactly_zero_is_keyed_as_zero_not_float_noise(bank):
    """Worked in exact rationals from the bank's decimals (an independent method): at seed 116 the
    eval input equals the updated running mean, so the output is 0; at seed 348 dL/dy is constant,
    so N·dy − Σ dy = 0 and Σ dy·x̂ = dy·Σ x̂ = 0: dL/dx = 0. The key is 0, not ±1e-17."""
    from fractions import Fraction as F

    from drill.core.variants import make_variant

    v = make_variant(bank.questions["batchnorm-train-then-eval"], 116)
    p = v.params
    batch = [F(str(b)) for b in p["batch"]]
    new_mean = (1 - F(str(p["momentum"]))) * F(str(p["running_mean"])) + F(str(p["momentum"])) * sum(batch) / len(batch)
    assert F(str(p["x"])) - new_mean == 0
    assert v.answer == 0.0 and v.expected == "0" and "e-1" not in v.steps[-1]

    v = make_variant(bank.questions["batchnorm-backward-dx"], 348)
    dy = [F(str(g)) for g in v.params["dy"]]
    assert len(set(dy)) == 1  # a constant upstream gradient
    assert v.answer == [0.0] * len(dy) and "e-1" not in " ".join(v.steps)
