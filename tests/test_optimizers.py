"""Optimizers: torch.optim (grads set by hand, step()) and torch.optim.lr_scheduler as oracles,
plain-Python loops written from the papers' formulas, and the hand-worked keys."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def _vec(x) -> list[float]:
    return [float(v) for v in np.atleast_1d(x)]


def _torch_steps(opt_factory, w, grads, state=None):
    """Run a torch optimizer on parameter w (float64), one step per gradient; ``state`` preloads opt.state."""
    torch = torch_or_skip()
    p = torch.nn.Parameter(torch.tensor(_vec(w), dtype=torch.float64))
    opt = opt_factory([p])
    if state:
        opt.state[p].update({k: (v if k == "step" else torch.tensor(_vec(v), dtype=torch.float64)) for k, v in state.items()})
    for g in grads:
        p.grad = torch.tensor(_vec(g), dtype=torch.float64)
        opt.step()
    return p.detach().numpy()


def _as_list(v):
    return _vec(v.answer)


def test_sgd_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "sgd-step", 30):
        p = v.params
        got = _torch_steps(lambda ps: torch.optim.SGD(ps, lr=p["lr"]), p["w"], [p["grad"]])
        np.testing.assert_allclose(_as_list(v), got, atol=1e-12)


@pytest.mark.parametrize("qid", ["momentum-step", "momentum-two-steps"])
def test_momentum_004_form_matches_torch_sgd_momentum(bank, qid):
    """004's v ← η·v − α·g, w ← w + v is torch's b ← μ·b + g, w ← w − α·b with v = −α·b."""
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 30):
        p = v.params
        buf = [-x / p["lr"] for x in _vec(p["v"])]
        got = _torch_steps(lambda ps: torch.optim.SGD(ps, lr=p["lr"], momentum=p["momentum"]), p["w"], p["grads"],
                           state={"momentum_buffer": buf})
        np.testing.assert_allclose(_as_list(v), got, atol=1e-12)


def test_momentum_plain_loop(bank):
    for v in variants_of(bank, "momentum-two-steps", 30):
        p = v.params
        w, vel = np.array(p["w"]), np.array(p["v"])
        for g in p["grads"]:
            vel = p["momentum"] * vel - p["lr"] * np.array(g)
            w = w + vel
        np.testing.assert_allclose(v.answer, w, atol=1e-12)


def test_nesterov_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "nesterov-step", 30):
        p = v.params
        got = _torch_steps(lambda ps: torch.optim.SGD(ps, lr=p["lr"], momentum=p["momentum"], nesterov=True),
                           p["w"], [p["grad"]], state={"momentum_buffer": p["buf"]})
        assert v.answer == pytest.approx(float(got[0]), abs=1e-12)


def test_nesterov_is_momentum_at_the_look_ahead_point():
    """Sutskever's form (gradient at w + μ·v) and PyTorch's form give the same iterates on a quadratic."""
    from drill.solvers import get

    a, lr, mu = 1.5, 0.1, 0.9  # L(w) = a·w²/2, ∇L = a·w
    w_s, vel = 2.0, 0.0  # Sutskever: v ← μv − lr·∇L(w + μv), w ← w + v
    w_t, buf = 2.0, 0.0  # PyTorch's form, stepped by the solver; its iterate is Sutskever's w + μ·v
    for _ in range(5):
        vel = mu * vel - lr * a * (w_s + mu * vel)
        w_s += vel
        g = a * w_t
        new = get("nesterov-step").solve({"w": w_t, "buf": buf, "grad": g, "momentum": mu, "lr": lr})
        buf = mu * buf + g
        w_t = new
        assert w_t == pytest.approx(w_s + mu * vel, rel=1e-12)


def test_adagrad_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "adagrad-step", 30):
        p = v.params
        got = _torch_steps(lambda ps: torch.optim.Adagrad(ps, lr=p["lr"], eps=p["eps"]), p["w"], [p["grad"]],
                           state={"sum": p["G"]})
        np.testing.assert_allclose(v.answer, got, atol=1e-12)


def test_rmsprop_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "rmsprop-step", 30):
        p = v.params
        got = _torch_steps(lambda ps: torch.optim.RMSprop(ps, lr=p["lr"], alpha=p["rho"], eps=p["eps"]), p["w"], [p["grad"]],
                           state={"step": torch.tensor(0.0), "square_avg": p["s"]})
        assert v.answer == pytest.approx(float(got[0]), abs=1e-12)


@pytest.mark.parametrize("qid", ["adam-first-step", "adam-two-steps"])
def test_adam_matches_torch(bank, qid):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 30):
        p = v.params
        got = _torch_steps(lambda ps: torch.optim.Adam(ps, lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=p["eps"]),
                           p["w"], p["grads"])
        np.testing.assert_allclose(_as_list(v), got, atol=1e-12)


def adam_scalar(w: float, grads: list[float], lr: float, b1: float, b2: float, eps: float, correct: bool = True) -> float:
    """Kingma & Ba, Algorithm 1, for one scalar weight."""
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
        w -= lr * mh / (math.sqrt(vh) + eps)
    return w


def test_adam_two_steps_plain_loop_and_named_mistake(bank):
    for v in variants_of(bank, "adam-two-steps", 30):
        p = v.params
        args = (p["w"], p["grads"], p["lr"], p["beta1"], p["beta2"], p["eps"])
        assert v.answer == pytest.approx(adam_scalar(*args), abs=1e-12)
        nobc = adam_scalar(*args, correct=False)
        g = v.grade(repr(nobc))
        assert g.status == "wrong" and g.mistake.startswith("forgot the bias correction")


def test_adam_first_step_is_lr_times_sign(bank):
    """With bias correction, step 1 is α·g/(|g| + ε): the weights move by α against the sign of g."""
    for v in variants_of(bank, "adam-first-step", 30):
        p = v.params
        expected = [w - p["lr"] * math.copysign(1, g) for w, g in zip(p["w"], p["grads"][0])]
        np.testing.assert_allclose(v.answer, expected, atol=1e-7)


def test_time_decay_matches_lambda_lr_and_not_the_compounded_reading(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "lr-time-decay", 30):
        p = v.params
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=p["lr0"])
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda n: 1 / (1 + p["decay"] * n))
        for _ in range(p["epoch"]):
            opt.step()
            sched.step()
        assert v.answer == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
        # the seed's literal reading, applied to the current rate at the end of every epoch
        lr = p["lr0"]
        for n in range(1, p["epoch"] + 1):
            lr = lr / (1 + p["decay"] * n)
        assert v.grade(repr(lr)).mistake.startswith("applied the decay to the current rate")


def test_step_and_exponential_decay_match_torch_schedulers(bank):
    torch = torch_or_skip()
    for qid in ("lr-step-decay", "lr-exponential-decay"):
        for v in variants_of(bank, qid, 30):
            p = v.params
            opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=p["lr0"])
            if p["kind"] == "step":
                sched = torch.optim.lr_scheduler.StepLR(opt, step_size=p["step_size"], gamma=p["gamma"])
            else:
                sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=math.exp(-p["decay"]))
            for _ in range(p["epoch"]):
                opt.step()
                sched.step()
            assert v.answer == pytest.approx(opt.param_groups[0]["lr"], rel=1e-9), (qid, p)


def test_step_decay_brute_force_count(bank):
    for v in variants_of(bank, "lr-step-decay", 30):
        p = v.params
        lr = p["lr0"]
        for n in range(1, p["epoch"] + 1):
            if n % p["step_size"] == 0:
                lr *= p["gamma"]
        assert v.answer == pytest.approx(lr, rel=1e-12)
