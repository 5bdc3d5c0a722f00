"""Learning-rate schedules: torch.optim.lr_scheduler stepped epoch by epoch (CosineAnnealingLR,
ExponentialLR, MultiStepLR, LambdaLR), torch.optim.Adam(weight_decay) and AdamW for one step
from a preloaded state, and the hand-worked keys through drill's grader."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drill.solvers import InvalidParams, get
from tests._torch import torch_or_skip
from tests.conftest import assert_grades, variants_of


def _lr_after(make_sched, base_lr: float, t: int) -> float:
    """The rate torch's optimizer uses at epoch t (0-based): scheduler.step() called t times."""
    torch = torch_or_skip()
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_sched(opt)
    for _ in range(t):
        opt.step()
        sched.step()
    return opt.param_groups[0]["lr"]


def test_cosine_annealing_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "cosine-annealing-lr", 40):
        p = v.params
        got = _lr_after(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=p["T_max"], eta_min=p["eta_min"]),
                        p["eta_max"], p["epoch"])
        assert v.answer == pytest.approx(got, rel=1e-9), p


def test_exponential_lr_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "exponential-lr-gamma", 40):
        p = v.params
        got = _lr_after(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=p["gamma"]), p["lr0"], p["epoch"])
        assert v.answer == pytest.approx(got, rel=1e-9), p


def test_multistep_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "multistep-lr", 60):
        p = v.params
        got = _lr_after(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=p["milestones"], gamma=p["gamma"]),
                        p["lr0"], p["epoch"])
        assert v.answer == pytest.approx(got, rel=1e-9), p


def test_gamma_from_rate_reproduces_the_e_schedule_in_torch(bank):
    """ExponentialLR with the answer's γ gives lr0·e^(−k·t) at every epoch."""
    torch = torch_or_skip()
    for v in variants_of(bank, "exponential-gamma-from-rate", 10):
        k = v.params["k"]
        for t in (1, 5, 12):
            got = _lr_after(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=v.answer), 1.0, t)
            assert got == pytest.approx(math.exp(-k * t), rel=1e-9)


def test_linear_warmup_matches_lambda_lr(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "linear-warmup-lr", 40):
        p = v.params
        W = p["warmup"]
        got = _lr_after(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda s: s / max(1, W) if s < W else 1.0),
                        p["peak"], p["step"])
        assert v.answer == pytest.approx(got, rel=1e-12), p


def _hf_style_lambda(W: int, T: int, min_ratio: float):
    """The warmup + cosine multiplier written the way Hugging Face writes get_cosine_schedule_with_warmup,
    with a floor: progress = (s − W)/max(1, T − W), multiplier 0.5·(1 + cos(π·progress)) mapped to [min_ratio, 1]."""

    def f(s: int) -> float:
        if s < W:
            return float(s) / float(max(1, W))
        progress = float(s - W) / float(max(1, T - W))
        return min_ratio + (1 - min_ratio) * max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

    return f


def test_warmup_cosine_matches_lambda_lr(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "warmup-cosine-lr", 40):
        p = v.params
        lam = _hf_style_lambda(p["warmup"], p["total"], p["min_lr"] / p["peak"])
        got = _lr_after(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lam), p["peak"], p["step"])
        assert v.answer == pytest.approx(got, rel=1e-9), p


def test_warmup_cosine_end_points():
    """Peak at t = W, half-way at the middle of the cosine phase, the last step T − 1 a hair above
    the minimum: peak·(1 − cos(π/(T − W)))/2 by hand."""
    base = {"peak": 0.002, "min_lr": 0.0002, "warmup": 40, "total": 440}
    lr = lambda t: get("warmup-cosine-lr").solve({**base, "step": t})  # noqa: E731
    assert lr(0) == 0 and lr(40) == pytest.approx(0.002)
    assert lr(439) == pytest.approx(0.0002 + 0.0018 * (1 - math.cos(math.pi / 400)) / 2, rel=1e-12)
    assert lr(240) == pytest.approx(0.0011)
    assert all(lr(t) >= lr(t + 1) for t in range(40, 439))


@pytest.mark.parametrize("step", [440, 441])
def test_warmup_cosine_never_asks_for_a_step_past_the_last(step):
    """Audit U1: training for T steps counted from 0 ends at T − 1; a step t ≥ T is not a question."""
    with pytest.raises(InvalidParams):
        get("warmup-cosine-lr").solve({"peak": 0.002, "min_lr": 0.0002, "warmup": 40, "total": 440, "step": step})


def test_warmup_cosine_prompt_names_the_last_step(bank):
    for v in variants_of(bank, "warmup-cosine-lr", 100):
        assert v.params["step"] < v.params["total"] and "last step is t = T − 1" in v.prompt


def _torch_adam_change(opt_cls, p: dict) -> np.ndarray:
    """θ_new − θ after one torch step at step t, from state (m, v) after t − 1 steps."""
    torch = torch_or_skip()
    theta = torch.tensor(p["theta"], dtype=torch.float64)
    w = torch.nn.Parameter(theta.clone())
    opt = opt_cls([w], lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=p["eps"], weight_decay=p["weight_decay"])
    if p["t"] > 1:
        opt.state[w].update({
            "step": torch.tensor(float(p["t"] - 1)),
            "exp_avg": torch.tensor(p["m"], dtype=torch.float64),
            "exp_avg_sq": torch.tensor(p["v"], dtype=torch.float64),
        })
    else:
        assert not any(p["m"]) and not any(p["v"])
    w.grad = torch.tensor(p["grad"], dtype=torch.float64)
    opt.step()
    return (w.detach() - theta).numpy()


@pytest.mark.parametrize("qid, cls", [("adamw-step", "AdamW"), ("adam-l2-step", "Adam")])
def test_weight_decay_step_matches_torch(bank, qid, cls):
    torch = torch_or_skip()
    for v in variants_of(bank, qid, 40):
        np.testing.assert_allclose(v.answer, _torch_adam_change(getattr(torch.optim, cls), v.params), rtol=1e-9, atol=1e-15)


_ADAM = {"decay": "decoupled", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
CANCELLING = [  # audit F2: an entry where the decay and the Adam step cancel to ~1e-6
    {"theta": [0.6, 1.5], "grad": [-0.9, 0.3], "m": [0.07, 0.06], "v": [0.0007, 0.003], "t": 5, "lr": 0.01, "weight_decay": 0.2},
    {"theta": [1.3, -0.4], "grad": [-0.2, -0.6], "m": [-0.02, -0.05], "v": [0.0006, 0.003], "t": 5, "lr": 0.01, "weight_decay": 0.2},
    {"theta": [1.0, -0.8], "grad": [0.1, -0.2], "m": [-0.08, 0.07], "v": [0.0033, 0.0039], "t": 4, "lr": 0.001, "weight_decay": 0.2},
]


@pytest.mark.parametrize("params", CANCELLING)
def test_adamw_rejects_cancelling_draws(params):
    with pytest.raises(InvalidParams):
        get("adam-weight-decay-step").solve({**_ADAM, **params})


def test_adamw_entries_survive_four_figure_work(bank):
    """Each term (decay −lr·λ·θ and torch's Adam part, i.e. AdamW without decay) rounded to 4 s.f.,
    then summed and rounded to 3 s.f., is graded ✓: no entry needs 6-digit intermediates."""
    torch = torch_or_skip()
    for v in variants_of(bank, "adamw-step", 300):
        p = v.params
        adam = _torch_adam_change(torch.optim.AdamW, {**p, "weight_decay": 0.0})
        decay = [-p["lr"] * p["weight_decay"] * x for x in p["theta"]]
        total = [float(f"{float(f'{a:.4g}') + float(f'{d:.4g}'):.3g}") for a, d in zip(adam, decay)]
        assert v.grade(str(total)).correct, (v.seed, p, total, v.answer)


def test_adamw_paper_form_is_named_without_calling_it_wrong(bank):
    v = variants_of(bank, "adamw-step", 0)[0]
    g = v.grade("[-0.11, -0.19]")  # Algorithm 2 with η_t = 1: −(adam part) − λ·θ
    assert g.status == "wrong" and "Algorithm 2" in g.mistake and "lr·λ·θ" in g.mistake


def test_the_other_optimizer_is_the_named_mistake(bank):
    """On AdamW's question, torch.optim.Adam(weight_decay)'s change is graded as the L2 mistake, and back."""
    torch = torch_or_skip()
    v = variants_of(bank, "adamw-step", 3)[3]
    other = _torch_adam_change(torch.optim.Adam, v.params)
    assert v.grade(v.atype.format([float(x) for x in other])).mistake.startswith("put λ·θ into the gradient")
    v = variants_of(bank, "adam-l2-step", 3)[3]
    other = _torch_adam_change(torch.optim.AdamW, v.params)
    assert v.grade(v.atype.format([float(x) for x in other])).mistake.startswith("decoupled the decay")


# --- the canonical keys, graded -----------------------------------------------------------------


@pytest.mark.parametrize("qid, right, mistake, named", [
    ("linear-warmup-lr", "0.16", "0.24", "counted steps from 1"),
    ("cosine-annealing-lr", "0.0868", "0.0854", "annealed to 0"),
    ("exponential-lr-gamma", "0.0349", "0.0387", "counted epochs from 1"),
    ("exponential-gamma-from-rate", "0.819", "0.8", "used the first-order approximation"),
    ("warmup-cosine-lr", "5.5e-4", "0.0005", "annealed to 0"),
    ("multistep-lr", "0.005", "0.05", "did not count a milestone equal to the epoch"),
    ("adamw-step", "[-0.011, 0.008]", "[-0.01, -0.01]", "put λ·θ into the gradient"),
    ("adam-l2-step", "[-0.01, -0.01]", "[-0.01, 0.01]", "forgot the weight decay"),
])
def test_canonical_keys_and_mistakes(bank, qid, right, mistake, named):
    assert_grades(variants_of(bank, qid, 0)[0], right, mistake, named, "lr?")


def test_warmup_cosine_llama_scale_numbers():
    """LLaMA-7B-like: peak 3e-4, floor 3e-5, 2,000 warmup of 250,000 steps; mid-cosine gives 1.65e-4 by hand."""
    got = get("warmup-cosine-lr").solve({"peak": 3e-4, "min_lr": 3e-5, "warmup": 2000, "total": 250000, "step": 126000})
    assert got == pytest.approx(1.65e-4, rel=1e-12)
