"""Checkpoints: the named intermediate values "work it through" asks, one family at a time.

Each family's checkpoints are compared with an independent computation: window positions
counted by brute force (conv shapes), per-layer counts worked by hand (param counts), plain
``math`` loops (softmax, attention, the MLP's forward pass, residual paths) and the closed form
of Adam's first step (m̂ = g, v̂ = g² when t = 1). Then drill check's checkpoint property, a
fabricated checkpoint it must reject, and a step-through session that names the wrong step.
"""

from __future__ import annotations

import io
import math

import pytest
from rich.console import Console

from drill.practice import session
from drill.authoring.check import check_checkpoints
from drill.solvers import Checkpoint
from drill.core.variants import make_variant

FAMILIES = ["param-counts", "conv-shapes", "skip-connection", "softmax-ce", "optimizers", "attention", "backprop-mlp",
            "receptive-field", "batch-norm", "linear-regression", "rnn-cells", "regularization", "losses", "pooling", "conv-backward", "perceptron", "vanishing-gradients"]


def cps(bank, qid, seed=0):
    v = make_variant(bank.questions[qid], seed)
    return v, {c.label: c.value for c in session.checkpoints(v)}


def close(a, b, rel=1e-9):
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    return abs(a - b) <= rel * max(1.0, abs(b))


def positions(n, k, s, p):
    """How many windows of size k, stride s fit an axis of n padded by p per side: counted."""
    return sum(1 for start in range(-p, n + p) if start % s == (-p) % s and start + k <= n + p)


@pytest.mark.parametrize("seed", range(0, 15))
def test_conv_output_size_checkpoints_match_counted_window_positions(bank, seed):
    v, c = cps(bank, "conv-output-size", seed)
    layer = v.params["layer"]
    _, h, w = v.params["input_shape"]
    k = layer["kernel_size"] if isinstance(layer["kernel_size"], int) else layer["kernel_size"][0]
    s = layer.get("stride", k)
    s = s if isinstance(s, int) else s[0]
    p = layer.get("padding", 0)
    p = p if isinstance(p, int) else p[0]
    if layer.get("dilation", 1) != 1 or not isinstance(layer["kernel_size"], int):
        pytest.skip("a square, undilated kernel is counted here")
    assert c["output height H'"] == positions(h, k, s, p) and c["output width W'"] == positions(w, k, s, p)


def test_param_count_checkpoints_per_layer_worked_by_hand(bank):
    _, c = cps(bank, "mlp-params")
    per_layer = [v for label, v in c.items() if label.startswith("parameters of layer")]
    assert per_layer == [2 * 1024 + 1024, 1024 * 512 + 512, 512 * 3 + 3] and c["total parameters"] == 529411
    _, c = cps(bank, "conv-layer-params")  # a single layer: its weights, its biases, the total
    assert list(c.values()) == [11 * 11 * 3 * 96, 96, 11 * 11 * 3 * 96 + 96]


def test_softmax_ce_checkpoints_by_math(bank):
    v, c = cps(bank, "softmax-ce-loss")
    z, t = v.params["logits"], v.params["target"]
    total = sum(math.exp(x) for x in z)
    p = [math.exp(x) / total for x in z]
    assert close(c["Σ exp(z)"], total) and close(c["p = softmax(z)"], p)
    assert close(c[f"p_{t}, the target's probability"], p[t]) and close(c[f"L = −ln p_{t}"], -math.log(p[t]))
    v, c = cps(bank, "softmax-ce-grad", 7)
    z, t = v.params["logits"], v.params["target"]
    total = sum(math.exp(x) for x in z)
    assert close(c["dL/dz = p − y"], [math.exp(x) / total - (i == t) for i, x in enumerate(z)])


def test_residual_checkpoints_by_hand(bank):
    _, c = cps(bank, "residual-grad")  # dG/dx = dH/dG = 0.1, upstream 0.1
    assert close(list(c.values()), [0.01, 1.01, 0.101])


def test_attention_checkpoints_by_loops(bank):
    v, c = cps(bank, "attention-output", 3)
    Q, K, V, i = v.params["Q"], v.params["K"], v.params["V"], v.params["i"]
    d = len(Q[0])
    r = [sum(a * b for a, b in zip(Q[i], k)) / math.sqrt(d) for k in K]
    e = [math.exp(x) for x in r]
    p = [x / sum(e) for x in e]
    out = [sum(p[j] * V[j][col] for j in range(len(V))) for col in range(len(V[0]))]
    labels = list(c)
    assert close(c[labels[0]], r) and close(c[labels[1]], p) and close(c[labels[2]], out)


def test_adam_first_step_checkpoints_by_the_closed_form(bank):
    v, c = cps(bank, "adam-first-step", 5)
    g, w, lr, b1, b2 = v.params["grads"][0], v.params["w"], v.params["lr"], v.params["beta1"], v.params["beta2"]
    g = g if isinstance(g, list) else [g]
    w = w if isinstance(w, list) else [w]
    un = (lambda x: x) if isinstance(v.params["w"], list) else (lambda x: x[0])
    assert close(c["step 1: m"], un([(1 - b1) * x for x in g])) and close(c["step 1: v"], un([(1 - b2) * x * x for x in g]))
    assert close(c["step 1: m̂"], un(g)) and close(c["step 1: v̂"], un([x * x for x in g]))
    assert close(c["step 1: the weights w"], un([wi - lr * gi / (abs(gi) + v.params["eps"]) for wi, gi in zip(w, g)]), 1e-7)


def test_mlp_forward_checkpoints_by_math(bank):
    v, c = cps(bank, "mlp-output-weight-grad", 4)
    p = v.params
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    a = [sig(sum(wi * xi for wi, xi in zip(row, p["x"])) + b) for row, b in zip(p["W1"], p.get("b1", [0] * len(p["W1"])))]
    yhat = sig(sum(w * ai for w, ai in zip(p["w2"], a)) + p.get("b2", 0))
    assert close(c["the hidden activations a = σ(z^(1))"], a) and close(c["the prediction ŷ = σ(z)"], yhat)
    assert close(c["∂ℓ/∂z = ŷ − y"], yhat - p["y"]) and close(c[f"∂ℓ/∂w_{p['unit']}^(2)"], (yhat - p["y"]) * a[p["unit"] - 1])


def test_every_major_family_has_checkpoints_and_drill_check_proves_them(bank):
    for topic in FAMILIES:
        qs = [q for q in bank.topics()[topic] if q.answer_type != "choice"]
        with_steps = [q for q in qs if len(session.checkpoints(make_variant(q, 0))) >= 2]
        assert with_steps, topic
        for q in with_steps:
            for seed in range(6):
                assert check_checkpoints(make_variant(q, seed)) == [], (q.id, seed)


def test_drill_check_rejects_a_checkpoint_missing_from_its_step(bank):
    v = make_variant(bank.questions["residual-grad"], 0)
    v.__dict__["_checkpoints"] = [Checkpoint("dF/dx", 1.02, "number", 2), Checkpoint("dL/dx", 0.101, "number", 0)]
    problems = check_checkpoints(v)
    assert len(problems) == 2 and "does not appear" in problems[0] and "does not appear" in problems[1]


def test_a_step_through_names_the_first_wrong_step(bank):
    from drill.tui.quiz_view import QuizView

    q = bank.questions["mlp-params"]
    lines = iter(["529410", "w", "3072", "524288", "1539", "529411"])  # step 2 forgot the biases

    def read(prompt):
        return next(lines, None)

    read.interactive = True
    out = io.StringIO()
    r = session.run([(q, 0)], QuizView(Console(file=out, width=100)), read)
    text = " ".join(out.getvalue().split())
    assert [a.status for a in r.attempts] == ["wrong"]
    assert "The first step that went wrong: step 2, parameters of layer 3, Linear(1024, 512)" in text
    assert "you said 524288; it is 524,800" in text and "The answer is 529,411" in text and "Worked solution" in text


def _single(v, key, default):
    x = v.get(key, default)
    return x if isinstance(x, int) else x[0]


def brute_field(layers) -> list[int]:
    """The receptive field of output 0 after each layer, by walking index sets back to the input."""
    sizes = []
    for n in range(1, len(layers) + 1):
        idx = {0}
        for layer in reversed(layers[:n]):
            k = _single(layer, "kernel_size", 1)
            default_stride = k if layer["type"] != "Conv2d" else 1
            s, p, d = _single(layer, "stride", default_stride), _single(layer, "padding", 0), _single(layer, "dilation", 1)
            idx = {o * s - p + d * t for o in idx for t in range(k)}
        sizes.append(max(idx) - min(idx) + 1)
    return sizes


@pytest.mark.parametrize("qid", ["receptive-field-size", "receptive-field-dilated", "receptive-field-vgg"])
def test_receptive_field_checkpoints_match_index_sets_walked_back(bank, qid):
    for seed in range(8):
        v = make_variant(bank.questions[qid], seed)
        got = [c.value for c in session.checkpoints(v)]
        assert got == brute_field(v.params["layers"]), (qid, seed)


def test_batch_norm_checkpoints_by_the_statistics_module(bank):
    import statistics

    for seed in range(6):
        v, c = cps(bank, "batchnorm-forward", seed)
        x = v.params["x"]
        cols = list(zip(*x)) if isinstance(x[0], list) else [x]
        assert close(c["the batch mean μ (per feature)"], [statistics.fmean(col) for col in cols])
        assert close(c["the biased variance σ² (per feature)"], [statistics.pvariance(col) for col in cols])


def test_conv_macs_checkpoints_by_counted_positions(bank):
    v, c = cps(bank, "conv-macs")
    layer = v.params["layer"]
    cin, h, w = v.params["input_shape"]
    oh, ow = positions(h, 11, 4, 0), positions(w, 11, 4, 0)  # 55×55, the AlexNet first layer
    assert c["output shape C_out×H'×W'"] == (96, oh, ow) == (96, 55, 55)
    assert c["multiply-accumulates per output value"] == 11 * 11 * cin and c["MACs"] == 55 * 55 * 96 * 363
    assert layer["out_channels"] == 96


def test_linear_regression_checkpoints_by_finite_differences_and_lstsq(bank):
    import numpy as np

    for seed in range(6):
        v, c = cps(bank, "mse-gradient", seed)
        x, y, m, b = v.params["x"], v.params["y"], v.params["m"], v.params["b"]
        mse = lambda m, b: sum((yi - (m * xi + b)) ** 2 for xi, yi in zip(x, y)) / len(x)  # noqa: E731
        h = 1e-6
        assert close(c["the residuals r = y − (m·x + b)"], [yi - (m * xi + b) for xi, yi in zip(x, y)])
        assert abs(c["∂MSE/∂m"] - (mse(m + h, b) - mse(m - h, b)) / (2 * h)) < 1e-5
        assert abs(c["∂MSE/∂b"] - (mse(m, b + h) - mse(m, b - h)) / (2 * h)) < 1e-5
        v, c = cps(bank, "normal-equation", seed)
        X = np.column_stack([np.ones(len(v.params["x"])), v.params["x"]])
        beta = np.linalg.lstsq(X, np.asarray(v.params["y"], dtype=float), rcond=None)[0]
        assert close(c["β = [b, m]"], beta.tolist(), 1e-7)


def test_rnn_cell_checkpoints_by_math(bank):
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    for seed in range(6):
        v, c = cps(bank, "lstm-hidden-state", seed)
        p = v.params
        one = lambda x: x if isinstance(x, list) else [x]  # noqa: E731
        ai, af, ag, ao, c0 = (one(p[k]) for k in ("a_i", "a_f", "a_g", "a_o", "c_prev"))
        ct = [sig(f) * cp + sig(i) * math.tanh(g) for i, f, g, cp in zip(ai, af, ag, c0)]
        ht = [sig(o) * math.tanh(x) for o, x in zip(ao, ct)]
        un = (lambda x: x[0]) if not isinstance(p["a_i"], list) else (lambda x: x)  # noqa: E731
        assert close(c["c_t"], un(ct)) and close(c["h_t"], un(ht)) and close(c["the forget gate f"], un([sig(f) for f in af]))
        v, c = cps(bank, "gru-step", seed)
        p = v.params
        x, h = p["x"], p["h"]
        r = sig(p["r"]["w"] * x + p["r"]["u"] * h + p["r"]["b"])
        z = sig(p["z"]["w"] * x + p["z"]["u"] * h + p["z"]["b"])
        cand = math.tanh(p["n"]["w"] * x + p["n"]["u"] * r * h + p["n"]["b"])
        assert close([c["the reset gate r"], c["the update gate z"], c["the candidate h̃"], c["h_t"]], [r, z, cand, z * h + (1 - z) * cand])


def test_regularization_checkpoints_by_finite_differences_and_loops(bank):
    for seed in range(6):
        v, c = cps(bank, "l2-penalty-grad", seed)
        w, lam = v.params["w"], v.params["lam"]
        h = 1e-6
        penalty = lambda w: lam * sum(x * x for x in w)  # noqa: E731
        fd = [(penalty(w[:i] + [w[i] + h] + w[i + 1:]) - penalty(w[:i] + [w[i] - h] + w[i + 1:])) / (2 * h) for i in range(len(w))]
        assert close(c["the penalty's gradient 2λw"], fd, 1e-6)
        v, c = cps(bank, "dropout-layer-output", seed)
        hs, mask, p = v.params["h"], v.params["mask"], v.params["p"]
        assert close(c["h ⊙ m"], [a * m for a, m in zip(hs, mask)])
        assert close(c["the layer's output h ⊙ m / (1 − p)"], [a / (1 - p) if m else 0.0 for a, m in zip(hs, mask)])


def test_loss_checkpoints_by_loops(bank):
    for seed in range(6):
        v, c = cps(bank, "svm-objective", seed)
        p = v.params
        scores = [sum(wi * xi for wi, xi in zip(p["w"], x)) - p["b"] for x in p["X"]]
        hinge = [max(0.0, 1 - y * s) for y, s in zip(p["y"], scores)]
        assert close(c["the scores s_i = wᵀx_i − b"], scores) and close(c["the hinge terms max(0, 1 − y_i s_i)"], hinge)
        assert close(c["J"], p["lam"] * sum(w * w for w in p["w"]) + sum(hinge) / len(hinge))
        v, c = cps(bank, "triplet-loss-euclidean", seed)
        p = v.params
        dp, dn = math.dist(p["anchor"], p["positive"]), math.dist(p["anchor"], p["negative"])
        assert close([c["d(a, p)"], c["d(a, n)"], c["ℓ"]], [dp, dn, max(dp - dn + p["margin"], 0)])


def test_more_softmax_checkpoints_by_finite_differences_and_math(bank):
    def softmax(z):
        m = max(z)
        e = [math.exp(x - m) for x in z]
        return [x / sum(e) for x in e]

    for seed in range(5):
        v, c = cps(bank, "softmax-jacobian", seed)
        z = v.params["logits"]
        h = 1e-6
        fd = [[(softmax(z[:j] + [z[j] + h] + z[j + 1:])[i] - softmax(z[:j] + [z[j] - h] + z[j + 1:])[i]) / (2 * h)
               for j in range(len(z))] for i in range(len(z))]
        assert close(c["the Jacobian J"], fd, 1e-6)
        v, c = cps(bank, "logsumexp-stable", seed)
        zs = [v.params["shift"] + o for o in v.params["offsets"]]
        m = max(zs)
        assert c["m = max z"] == m and close(c["logsumexp(z)"], m + math.log(math.fsum(math.exp(x - m) for x in zs)))
        v, c = cps(bank, "label-smoothing-ce", seed)
        k, t, eps = len(v.params["logits"]), v.params["target"], v.params["epsilon"]
        assert close(c["the smoothed target y"], [eps / k + (1 - eps) * (i == t) for i in range(k)])


def test_pooling_checkpoints_by_loops(bank):
    for qid, how in (("maxpool-forward", max), ("avgpool-forward", lambda w: sum(w) / len(w))):
        for seed in range(5):
            v, c = cps(bank, qid, seed)
            x, k, s = v.params["input"], v.params["kernel_size"], v.params["stride"]
            rows, cols = (len(x) - k) // s + 1, (len(x[0]) - k) // s + 1
            assert c["output shape H'×W'"] == (rows, cols)
            for i in range(rows):
                for j in range(cols):
                    window = [x[r][col] for r in range(i * s, i * s + k) for col in range(j * s, j * s + k)]
                    assert close(c[f"Y[{i},{j}]"], how(window)), (qid, seed, i, j)


def test_perceptron_update_checkpoints_by_hand_rule(bank):
    for seed in range(8):
        v, c = cps(bank, "perceptron-update", seed)
        p = v.params
        z = p["w"][0] * p["x"][0] + p["w"][1] * p["x"][1] + p["b"]
        yhat = 1 if z > 0 else 0
        err = p["y"] - yhat
        assert close(c["the score z = w·x + b"], z) and c["the prediction ŷ = step(z)"] == yhat and c["the error y − ŷ"] == err
        assert close(c["the new weights w"], [w + p["lr"] * err * x for w, x in zip(p["w"], p["x"])])
        assert close(c["the new bias b"], p["b"] + p["lr"] * err)


def test_conv_backward_checkpoints_by_finite_differences(bank):
    def loss(x, w, dy):
        kh, kw = len(w), len(w[0])
        return sum(dy[i][j] * sum(x[i + u][j + t] * w[u][t] for u in range(kh) for t in range(kw))
                   for i in range(len(dy)) for j in range(len(dy[0])))

    def bump(m, a, b, h):
        return [[v + (h if (r, c) == (a, b) else 0) for c, v in enumerate(row)] for r, row in enumerate(m)]

    for seed in range(4):
        v, c = cps(bank, "conv-backward-dx", seed)
        x, w, dy = v.params["input"], v.params["weight"], v.params["upstream"]
        for r in range(len(x)):
            for col in range(len(x[0])):
                fd = (loss(bump(x, r, col, 0.5), w, dy) - loss(bump(x, r, col, -0.5), w, dy)) / 1.0
                assert close(c[f"dL/dX[{r},{col}]"], fd)
        v, c = cps(bank, "conv-backward-dw", seed)
        x, w, dy = v.params["input"], v.params["weight"], v.params["upstream"]
        for a in range(len(w)):
            for b in range(len(w[0])):
                assert close(c[f"dL/dW[{a},{b}]"], loss(x, bump(w, a, b, 0.5), dy) - loss(x, bump(w, a, b, -0.5), dy))


def test_vanishing_gradient_checkpoints_by_finite_differences(bank):
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    for seed in range(6):
        v, c = cps(bank, "sigmoid-chain-grad", seed)
        x, ws = v.params["x"], v.params["weights"]

        def chain(x0):
            h = x0
            for w in ws:
                h = sig(w * h)
            return h

        h = 1e-6
        assert abs(c["dh_n/dx"] - (chain(x + h) - chain(x - h)) / (2 * h)) < 1e-7
        hs, hk = [], x
        for w in ws:
            hk = sig(w * hk)
            hs.append(hk)
        assert close(c["the activations h_k"], hs)


def test_step_decay_checkpoints_by_counting_the_drops(bank):
    for seed in range(8):
        v, c = cps(bank, "lr-step-decay", seed)
        p = v.params
        drops = sum(1 for epoch in range(1, p["epoch"] + 1) if epoch % p["step_size"] == 0)  # one drop every step_size epochs
        lr = p["lr0"]
        for _ in range(drops):
            lr *= p["gamma"]
        assert c["the drops so far, ⌊epoch / step_size⌋"] == drops and close(c["the learning rate"], lr)


def test_conv_forward_checkpoints_by_loops(bank):
    def pad(x, p):
        w = len(x[0]) + 2 * p
        return [[0] * w] * p + [[0] * p + row + [0] * p for row in x] + [[0] * w] * p

    for qid in ("conv2d-forward", "conv2d-forward-bias", "conv2d-forward-padded", "conv2d-forward-stride", "edge-vertical"):
        if qid not in bank.questions:
            continue
        for seed in range(4):
            v, c = cps(bank, qid, seed)
            p = v.params
            x, k, b = p["input"], p["weight"], p.get("bias", 0)
            if isinstance(x[0][0], list) or isinstance(k[0][0], list):
                continue  # several channels: tests/test_conv_forward.py
            s = p.get("stride", 1)
            sh, sw = (s, s) if isinstance(s, int) else s
            xp = pad(x, p.get("padding", 0) if isinstance(p.get("padding", 0), int) else p["padding"][0])
            kh, kw = len(k), len(k[0])
            for label, value in c.items():
                i, j = (int(t) for t in label.split("[")[1].rstrip("]").split(","))
                want = b + sum(xp[i * sh + u][j * sw + t] * k[u][t] for u in range(kh) for t in range(kw))
                assert close(value, want), (qid, seed, label)


def test_working_through_stops_before_a_step_that_is_the_answer_itself(bank):
    """avgpool-backward's last checkpoint is dL/dX, the whole answer: it is no step to work through.
    At seed 0 the key is [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]]: four window steps (1, 2, 3, 4), then
    the answer is shown — nothing asks for the whole matrix again."""
    from drill.tui.quiz_view import QuizView

    q = bank.questions["avgpool-backward"]
    v = make_variant(q, 0)
    assert [c.label for c in session.work_steps(v)] == [f"what each input of window ({i},{j}) gets" for i in (0, 1) for j in (0, 1)]
    prompts = []
    wrong = "[" + ",".join(["[7,7,7,7]"] * 4) + "]"
    lines = iter([wrong, "w", "1", "2", "3", "4", wrong])

    def read(prompt):
        prompts.append(prompt)
        return next(lines, None)

    read.interactive = True
    out = io.StringIO()
    r = session.run([(q, 0)], QuizView(Console(file=out, width=100)), read)
    text = " ".join(out.getvalue().split())
    assert [a.status for a in r.attempts] == ["wrong"] and "work it through in 4 steps" in prompts[1]
    assert [str(p).split()[1] for p in prompts[2:]] == ["1/4", "2/4", "3/4", "4/4"]  # "step 1/4 what …"
    assert not any("dL/dX" in p for p in prompts) and "Every step right" in text and len(prompts) == 6
