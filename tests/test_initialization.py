"""Initialization: torch.nn.init's calculate_gain and _calculate_fan_in_and_fan_out on real layers,
sample statistics of xavier_/kaiming_ draws over a large sample (tolerances from the sample size),
Monte-Carlo output variances, and the hand-worked keys through drill's grader."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import assert_grades, variants_of

SCALE_QIDS = ["xavier-uniform-bound", "xavier-normal-std-conv", "kaiming-normal-std-conv", "kaiming-uniform-bound",
              "linear-default-init-bound"]


def _weight(layer: dict):
    """The layer's weight as torch builds it, on the meta device (shape only, nothing initialized)."""
    torch = torch_or_skip()
    spec = {k: v for k, v in layer.items() if k != "type"}
    return getattr(torch.nn, layer["type"])(**spec, device="meta").weight


def _closed_form(p: dict) -> float:
    """The scale from torch's own fans and gain, by the formulas of the two papers."""
    torch = torch_or_skip()
    fi, fo = torch.nn.init._calculate_fan_in_and_fan_out(_weight(p["layer"]))
    uniform = p["scheme"].endswith("uniform")
    if p["scheme"].startswith("xavier"):
        std = p.get("gain", 1.0) * math.sqrt(2.0 / (fi + fo))
    else:
        g = torch.nn.init.calculate_gain(p["nonlinearity"], p.get("a", 0.0))
        std = g / math.sqrt(fi if p["mode"] == "fan_in" else fo)
    return std * math.sqrt(3) if uniform else std


@pytest.mark.parametrize("qid", SCALE_QIDS)
def test_scale_matches_torch_fans_and_gain(bank, qid):
    for v in variants_of(bank, qid, 40):
        assert v.answer == pytest.approx(_closed_form(v.params), rel=1e-12), v.params


def _draw(p: dict, n_min: int = 400_000):
    """≥ n_min entries drawn by torch.nn.init for the layer's weight. Kaiming's scale depends on one fan
    only, so the other dimension is widened (rows for mode fan_in, columns for fan_out) to draw them
    at once; Xavier's depends on both, so the weight itself is initialized repeatedly."""
    torch = torch_or_skip()
    torch.manual_seed(0)
    w = torch.empty(_weight(p["layer"]).shape, dtype=torch.float64)
    fn = getattr(torch.nn.init, p["scheme"] + "_")
    if p["scheme"].startswith("xavier"):
        out = []
        while sum(x.numel() for x in out) < n_min:
            fn(w, **{})
            out.append(w.flatten().clone())
        return torch.cat(out).numpy()
    shape = list(w.shape)
    axis = 0 if p["mode"] == "fan_in" else 1
    shape[axis] = max(shape[axis], -(-n_min * shape[axis] // w.numel()))
    big = torch.empty(shape, dtype=torch.float64)
    assert torch.nn.init._calculate_fan_in_and_fan_out(big)[axis] == torch.nn.init._calculate_fan_in_and_fan_out(w)[axis]
    fn(big, mode=p["mode"], nonlinearity=p["nonlinearity"], a=p.get("a", 0.0))
    return big.flatten().numpy()


_CALL = re.compile(r"torch\.nn\.init\.kaiming_uniform_\(weight((?:, \w+=(?:\"\w+\"|[0-9.]+))*)\)")


def test_kaiming_uniform_printed_call_builds_the_key(bank):
    """Audit A1: the call the prompt prints, run as written with PyTorch's defaults for what it
    leaves out (a=0, mode="fan_in", nonlinearity="leaky_relu"), has the key's bound."""
    torch = torch_or_skip()
    seen = set()
    for v in variants_of(bank, "kaiming-uniform-bound", 60):
        m = _CALL.search(v.prompt)
        assert m, v.prompt
        kw = {"a": 0.0, "mode": "fan_in", "nonlinearity": "leaky_relu"}
        for k, val in re.findall(r", (\w+)=(\"\w+\"|[0-9.]+)", m.group(1)):
            kw[k] = val.strip('"') if val.startswith('"') else float(val)
        fi, fo = torch.nn.init._calculate_fan_in_and_fan_out(_weight(v.params["layer"]))
        fan = fi if kw["mode"] == "fan_in" else fo
        bound = torch.nn.init.calculate_gain(kw["nonlinearity"], kw["a"]) * math.sqrt(3 / fan)
        assert v.answer == pytest.approx(bound, rel=1e-12), (v.prompt, kw)
        seen.add(kw["nonlinearity"])
    assert seen == {"relu", "leaky_relu"}


@pytest.mark.parametrize("qid", SCALE_QIDS)
def test_scale_matches_torch_init_samples(bank, qid):
    """Sample std within 6 standard errors (SE of a sample std ≈ std·√(κ − 1)/(2√N), κ the kurtosis:
    3 for a normal, 9/5 for a uniform); a uniform sample's max |w| lies in (b(1 − 50/N), b]."""
    for v in variants_of(bank, qid, 4):
        x = _draw(v.params)
        n, uniform = x.size, v.params["scheme"].endswith("uniform")
        std = v.answer / math.sqrt(3) if uniform else v.answer
        kurt = 9 / 5 if uniform else 3.0
        se = std * math.sqrt(kurt - 1) / (2 * math.sqrt(n))
        assert abs(x.std() - std) < 6 * se, (v.params, x.std(), std)
        if uniform:
            b = v.answer
            assert b * (1 - 50 / n) < np.abs(x).max() <= b * (1 + 1e-12)


def _mc_var(y: np.ndarray) -> tuple[float, float]:
    """Sample variance of y and its standard error √((m4 − s⁴)/N)."""
    c = y - y.mean()
    s2, m4 = (c**2).mean(), (c**4).mean()
    return float(s2), float(math.sqrt((m4 - s2 * s2) / y.size))


def test_uniform_layer_variance_by_monte_carlo(bank):
    rng = np.random.default_rng(0)
    for v in variants_of(bank, "uniform-layer-variance", 6):
        p = v.params
        n, reps = p["fan_in"], 40_000
        ys = []
        for _ in range(8):  # 8 chunks of reps/8 samples
            w = rng.uniform(-p["bound"], p["bound"], size=(reps // 8, n))
            x = rng.normal(p["x_mean"], math.sqrt(p["x_var"]), size=(reps // 8, n))
            ys.append((w * x).sum(axis=1))
        s2, se = _mc_var(np.concatenate(ys))
        assert abs(s2 - v.answer) < 6 * se, (p, s2, v.answer)


def test_relu_layer_variance_by_monte_carlo_with_torch_init(bank):
    """Gaussian z through ReLU into a torch Linear initialized by the named scheme, many fresh draws."""
    torch = torch_or_skip()
    torch.manual_seed(1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matmuls: one thread is faster on a shared machine
    try:
        _relu_mc(torch, variants_of(bank, "relu-layer-variance", 3))
    finally:
        torch.set_num_threads(threads)


def _relu_mc(torch, variants):
    for v in variants:
        p = v.params
        lin = torch.nn.Linear(p["layer"]["in_features"], p["layer"]["out_features"], bias=False).double()
        kw = {} if p["scheme"] == "xavier_normal" else {"mode": "fan_in", "nonlinearity": "relu"}
        ys = []
        for _ in range(40):  # a fresh weight matrix per chunk: the variance is over weights and inputs
            getattr(torch.nn.init, p["scheme"] + "_")(lin.weight, **kw)
            z = torch.randn(250, lin.in_features, dtype=torch.float64) * math.sqrt(p["z_var"])
            with torch.no_grad():
                ys.append(lin(torch.relu(z)).flatten())
        s2, se = _mc_var(torch.cat(ys).numpy())
        # outputs of one draw share a weight matrix, so they are not independent: allow 10 SE
        assert abs(s2 - v.answer) < 10 * se, (p, s2, v.answer)


def test_he_init_keeps_the_variance_and_xavier_halves_it_for_a_square_layer():
    from drill.solvers import get

    layer = {"type": "Linear", "in_features": 300, "out_features": 300}
    he = get("relu-layer-variance").solve({"scheme": "kaiming_normal", "z_var": 1.7, "layer": layer})
    xa = get("relu-layer-variance").solve({"scheme": "xavier_normal", "z_var": 1.7, "layer": layer})
    assert he == pytest.approx(1.7) and xa == pytest.approx(0.85)


@pytest.mark.parametrize("qid, right, mistake, named", [
    ("xavier-uniform-bound", "0.125", "0.0722", "gave the std"),
    ("xavier-normal-std-conv", "0.068", "0.204", "left the kernel"),
    ("kaiming-normal-std-conv", "0.0589", "0.0417", "forgot the gain"),
    ("kaiming-uniform-bound", "0.108", "0.153", "used the other mode"),
    ("linear-default-init-bound", "0.1", "0.245", "used ReLU's gain"),
    ("uniform-layer-variance", "1.33", "1", "used Var(x) in place of E[x²]"),
    ("relu-layer-variance", "1", "2", "ignored the ReLU"),
])
def test_canonical_keys_and_mistakes(bank, qid, right, mistake, named):
    v = variants_of(bank, qid, 0)[0]
    assert_grades(v, right, mistake, named, "std = ?")
