"""Dropout and clipping: torch.nn.functional.dropout with the mask it drew (read back from a run on
ones under the same seed), nn.Dropout in eval mode, a Monte-Carlo variance over a large torch
sample, clip_grad_norm_ / clip_grad_value_ on real parameter tensors, and the hand-worked keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drill.solvers import get
from tests._torch import torch_or_skip
from tests.conftest import assert_grades, variants_of


def test_dropout_train_matches_torch_with_its_own_mask():
    """torch's dropout on x, and drill given the mask torch drew (seen by dropping a vector of ones)."""
    torch = torch_or_skip()
    rng = np.random.default_rng(0)
    checked = 0
    for seed in range(60):
        x = rng.uniform(-3, 3, size=6).round(1)
        p = float(rng.choice([0.1, 0.2, 0.25, 0.4, 0.5]))
        torch.manual_seed(seed)
        ones = torch.nn.functional.dropout(torch.ones(6, dtype=torch.float64), p=p, training=True)
        torch.manual_seed(seed)
        out = torch.nn.functional.dropout(torch.tensor(x), p=p, training=True).numpy()
        mask = (ones != 0).to(torch.int64).tolist()
        if all(mask) or not any(mask):
            continue
        np.testing.assert_allclose(ones[ones != 0].numpy(), 1 / (1 - p), rtol=1e-12)  # torch's scale for kept units
        got = get("dropout-train").solve({"x": x.tolist(), "mask": mask, "p": p})
        np.testing.assert_allclose(got, out, rtol=1e-12, atol=0)
        checked += 1
    assert checked > 30


def test_dropout_eval_matches_torch_and_classic_is_its_training_mean(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "dropout-eval", 30):
        p = v.params
        x = torch.tensor(p["x"], dtype=torch.float64)
        if p["kind"] == "inverted":
            layer = torch.nn.Dropout(p["p"]).eval()
            np.testing.assert_allclose(v.answer, layer(x).numpy(), rtol=0, atol=0)
        else:  # classic: eval output = the training output's mean, (1 − p)·x, estimated from torch's masks
            torch.manual_seed(0)
            keep = (torch.nn.functional.dropout(torch.ones(200_000, x.numel(), dtype=torch.float64), p["p"]) != 0)
            mean = (keep.to(torch.float64) * x).mean(0).numpy()
            se = np.abs(p["x"]) * math.sqrt(p["p"] * (1 - p["p"]) / 200_000)
            assert np.all(np.abs(np.array(v.answer) - mean) < 6 * se + 1e-15)


def test_dropout_eval_classic_prompt_does_not_say_model_eval(bank):
    """Audit U2: under model.eval() torch.nn.Dropout is the identity, so only the inverted
    variants may say model.eval(); the classic ones name their own layer."""
    kinds = set()
    for v in variants_of(bank, "dropout-eval", 40):
        kinds.add(v.params["kind"])
        if v.params["kind"] == "classic":
            assert "model.eval()" not in v.prompt and "hand-written classic dropout layer" in v.prompt, v.prompt
        else:
            assert "model.eval()" in v.prompt, v.prompt
    assert kinds == {"inverted", "classic"}


def test_dropout_variance_by_monte_carlo_with_torch():
    """Sample variance of torch's dropout of a constant x over N draws, within 6 standard errors."""
    torch = torch_or_skip()
    torch.manual_seed(0)
    n = 1_000_000
    for x, p in [(3.0, 0.25), (-1.5, 0.5), (2.2, 0.1)]:
        y = torch.nn.functional.dropout(torch.full((n,), x, dtype=torch.float64), p=p).numpy()
        c = y - y.mean()
        s2, m4 = (c**2).mean(), (c**4).mean()
        se = math.sqrt((m4 - s2 * s2) / n)
        assert abs(s2 - get("dropout-variance").solve({"x": x, "p": p})) < 6 * se
        assert abs(y.mean() - x) < 6 * math.sqrt(s2 / n)  # the mean is preserved


def _params(torch, grads):
    ps = [torch.nn.Parameter(torch.zeros(len(g), dtype=torch.float64)) for g in grads]
    for q, g in zip(ps, grads):
        q.grad = torch.tensor(g, dtype=torch.float64)
    return ps


def test_clip_grad_norm_matches_torch(bank):
    torch = torch_or_skip()
    below = 0
    for v in variants_of(bank, "clip-grad-norm", 60):
        ps = _params(torch, v.params["grads"])
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm=v.params["max_norm"])
        got = torch.cat([q.grad for q in ps]).numpy()
        np.testing.assert_allclose(v.answer, got, rtol=1e-12, atol=1e-15)
        below += float(total) <= v.params["max_norm"]
    assert below > 0  # some variants need no clipping


def test_clip_grad_value_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "clip-grad-value", 40):
        ps = _params(torch, [v.params["grad"]])
        torch.nn.utils.clip_grad_value_(ps, clip_value=v.params["clip_value"])
        np.testing.assert_allclose(v.answer, ps[0].grad.numpy(), rtol=0, atol=0)


def test_the_1e6_epsilon_never_changes_three_significant_figures(bank):
    for v in variants_of(bank, "clip-grad-norm", 100):
        g = np.concatenate([np.array(t, dtype=float) for t in v.params["grads"]])
        norm = np.linalg.norm(g)
        exact = g * min(1.0, v.params["max_norm"] / norm)
        assert v.atype.close(v.answer, [float(e) for e in exact], v.tolerance)


@pytest.mark.parametrize("qid, right, mistake, named", [
    ("dropout-train", "[1.25, 0, -1.25, 0.625, 0]", "[1, 0, -1, 0.5, 0]", "forgot to rescale"),
    ("dropout-eval", "[1, 2, -1, 0.5]", "[0.8, 1.6, -0.8, 0.4]", "multiplied by 1 − p"),
    ("dropout-variance", "3", "1.6875", "used the mask's Bernoulli variance"),
    ("clip-grad-norm", "[0.4, 0.8, -0.8, 1.6]", "[0.894, 1.79, -0.894, 1.79]", "clipped each tensor by its own norm"),
    ("clip-grad-value", "[0.5, -1, 1, -0.3, 1]", "[0.5, 0, 0, -0.3, 0]", "set the entries beyond"),
])
def test_canonical_keys_and_mistakes(bank, qid, right, mistake, named):
    v = variants_of(bank, qid, 0)[0]
    assert_grades(v, right, mistake, named, "[1, 2")
