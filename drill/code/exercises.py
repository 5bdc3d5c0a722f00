"""NumPy coding exercises, declared as data: which built-in solver grades each, where its variants
come from, the function the learner writes, and how a variant's params become its arguments.

An exercise draws its random cases from built-in bank questions (their ``params`` and ``vary``,
through drill.core.variants), solves each with the question's solver (the expected output and every
named mistake's output), and adds its edge cases: logits shifted by ±1000 (softmax is unchanged by a
shift, so the solver's answer for the unshifted logits is the key), stride > 1, odd sizes. Nothing
here runs the learner's code: drill.code.runner does, in a subprocess.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

FORBIDDEN = ("torch", "tensorflow", "jax", "scipy", "sklearn", "keras")  # "NumPy only"


@dataclass(frozen=True)
class Case:
    """One call: the keyword arguments the learner's function gets, the params the solver solves for
    the key (the same draw, or the one an edge case is equivalent to), and a label for the report."""

    label: str
    kwargs: dict[str, Any]
    params: dict
    check_finite: bool = False  # a stability case: inf or nan in the output is named as overflow


@dataclass(frozen=True)
class Edge:
    """An edge case built from a drawn case: ``make(params)`` -> (kwargs, params to solve), or None."""

    label: str
    make: Callable[[dict], tuple[dict, dict] | None]
    check_finite: bool = False


@dataclass(frozen=True)
class Exercise:
    name: str  # what the learner types: drill code start NAME
    topic: str  # the bank topic it practises
    title: str
    solver: str  # the built-in solver it is graded against
    questions: tuple[str, ...]  # built-in questions whose params/vary draw the cases (all use ``solver``)
    function: str  # the function the learner writes
    signature: str  # its parameters, as they appear in the stub: "z"
    doc: str  # shapes and conventions, stated in the stub
    args: Callable[[dict], dict]  # a variant's params -> the function's keyword arguments
    example: str = ""  # one call and its result, for the stub
    hint: str = ""
    edges: tuple[Edge, ...] = ()
    shape: Callable[[dict], tuple[int, ...]] | None = None  # the output's shape, when not the solver answer's
    list_like: str = ""  # the output is a list of arrays shaped like this list argument's (clip-grad-norm: "grads")
    rtol: float = 1e-6
    atol: float = 1e-9
    forbidden: tuple[str, ...] = FORBIDDEN

    def key(self, params: dict) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The solver's answer for these params, and its named mistakes, as arrays of the output's shape."""
        from drill.solvers import get

        sol = get(self.solver).run(params)
        shape = self.shape(params) if self.shape else None

        def arr(v: Any) -> np.ndarray:
            a = np.asarray(v, dtype=float)
            return a.reshape(shape) if shape is not None else a

        mistakes = {}
        for name, value in sol.mistakes.items():
            try:
                mistakes[name] = arr(value)
            except (TypeError, ValueError):  # a mistake of another form (a shape for a number) cannot be matched
                continue
        return arr(sol.answer), mistakes


def _f(v: Any) -> np.ndarray:
    return np.array(v, dtype=float)


def _hundredths(v: Any) -> np.ndarray:
    """Probabilities as the decoding solvers read them, whole hundredths (a drawn 1 − Σ is 0.19000000000000003)."""
    return np.round(_f(v), 2)


def _shifted(key: str, by: float) -> Callable[[dict], tuple[dict, dict] | None]:
    """Logits shifted by ``by``: every softmax-based output is unchanged, so the key is the unshifted one."""

    def make(p: dict) -> tuple[dict, dict]:
        q = copy.deepcopy(p)
        q[key] = [float(v) + by for v in p[key]]
        return q, p

    return make


@functools.lru_cache(maxsize=1)
def _bank():
    """The built-in bank, read once per process (exercises draw only from built-in questions)."""
    from drill.core.bank import builtin_dir, load_bank

    return load_bank([builtin_dir()])


def _canonical(question: str) -> Callable[[dict], tuple[dict, dict] | None]:
    """The canonical params of another built-in question (e.g. its stride > 1 example)."""

    def make(p: dict) -> tuple[dict, dict] | None:
        q = _bank().questions.get(question)
        return None if q is None else (copy.deepcopy(q.params), copy.deepcopy(q.params))

    return make


def _rows(p: dict) -> tuple[int, int]:
    return (len(p["Q"]), len(p["K"]))


def _attention_key(ex: Exercise, params: dict) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    from drill.solvers import get

    rows, wrong = [], {}
    for i in range(len(params["Q"])):
        sol = get(ex.solver).run({**params, "i": i})
        rows.append(sol.answer)
        for name, value in sol.mistakes.items():
            wrong.setdefault(name, []).append(value)
    return _f(rows), {k: _f(v) for k, v in wrong.items() if len(v) == len(rows)}


@dataclass(frozen=True)
class RowExercise(Exercise):
    """An exercise whose solver answers one row (``i``) of the whole output the learner returns."""

    def key(self, params: dict) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return _attention_key(self, params)


def _momentum_args(p: dict) -> dict:
    return {"w": _f(p["w"]), "v": _f(p["v"]), "grads": _f(p["grads"]), "lr": float(p["lr"]), "momentum": float(p["momentum"])}


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "softmax", "softmax-ce", "Numerically stable softmax", "softmax-values", ("softmax-values",), "softmax", "z",
        "z: logits, shape (K,). Return p = softmax(z), shape (K,), p_i = exp(z_i) / Σ_j exp(z_j).\n"
        "It must not overflow: logits of ±1000 are tested.",
        lambda p: {"z": _f(p["logits"])},
        example="softmax(np.array([2.0, 1.0, 0.1])) -> [0.659, 0.2424, 0.09857]",
        hint="Subtract max(z) before exponentiating: softmax is unchanged by a shift, and exp never overflows.",
        edges=(Edge("logits + 1000", _shifted("logits", 1000.0), True), Edge("logits − 1000", _shifted("logits", -1000.0), True)),
    ),
    Exercise(
        "softmax-ce-grad", "softmax-ce", "Gradient of cross-entropy after softmax", "softmax-ce-grad", ("softmax-ce-grad",),
        "softmax_ce_grad", "z, target",
        "z: logits, shape (K,); target: the true class, an int in 0 … K−1.\n"
        "Return dL/dz, shape (K,), for L = −log softmax(z)[target].",
        lambda p: {"z": _f(p["logits"]), "target": int(p["target"])},
        example="softmax_ce_grad(np.array([2.0, 1.0, 0.1]), 0) -> [-0.341, 0.2424, 0.09857]",
        hint="dL/dz = p − onehot(target), with p = softmax(z).",
        edges=(Edge("logits + 1000", _shifted("logits", 1000.0), True),),
    ),
    Exercise(
        "label-smoothing-grad", "softmax-ce", "Cross-entropy gradient with label smoothing", "label-smoothing-grad",
        ("label-smoothing-grad",), "label_smoothing_grad", "z, target, epsilon",
        "z: logits, shape (K,); target: an int in 0 … K−1; epsilon: the smoothing ε.\n"
        "The target is y = (1 − ε)·onehot(target) + ε/K (PyTorch's convention). Return dL/dz, shape (K,).",
        lambda p: {"z": _f(p["logits"]), "target": int(p["target"]), "epsilon": float(p["epsilon"])},
        hint="dL/dz = softmax(z) − y, with the smoothed y.",
        edges=(Edge("logits − 1000", _shifted("logits", -1000.0), True),),
    ),
    Exercise(
        "temperature-softmax", "decoding", "Sampling probabilities at a temperature", "temperature-softmax",
        ("temperature-softmax",), "temperature_softmax", "z, temperature",
        "z: logits, shape (K,); temperature: T > 0. Return softmax(z / T), shape (K,).",
        lambda p: {"z": _f(p["logits"]), "temperature": float(p["temperature"])},
        hint="Divide the logits by T, then a stable softmax.",
        edges=(Edge("logits + 1000", _shifted("logits", 1000.0), True),),
    ),
    Exercise(
        "top-k", "decoding", "Top-k filtering", "top-k-filter", ("top-k-filter",), "top_k_filter", "probs, k",
        "probs: a probability vector, shape (V,); k: how many tokens to keep.\n"
        "Keep the k most probable tokens (ties: the lower token id first), zero the rest, renormalize.\n"
        "Return shape (V,).",
        lambda p: {"probs": _hundredths(p["probs"]), "k": int(p["k"])},
        hint="np.argsort(probs)[::-1][:k] are the kept ids; divide by their sum.",
    ),
    Exercise(
        "top-p", "decoding", "Top-p (nucleus) filtering", "top-p-nucleus", ("top-p-nucleus",), "top_p_filter", "probs, top_p",
        "probs: a probability vector, shape (V,); top_p: the nucleus mass p.\n"
        "Sort by probability (descending; ties: the lower token id first) and keep the smallest prefix whose\n"
        "sum reaches top_p: a token is kept while the mass before it is below top_p (compare with a 1e-9\n"
        "margin, the sums are floats). Zero the rest, renormalize. Return shape (V,) in token order.",
        lambda p: {"probs": _hundredths(p["probs"]), "top_p": float(p["top_p"])},
        hint="order = argsort(−probs); keep order[: searchsorted(cumsum(sorted), top_p) + 1].",
    ),
    Exercise(
        "conv2d", "conv-forward", "2-D convolution forward (stride, padding, bias)", "conv2d-forward",
        ("conv2d-forward", "conv2d-forward-bias", "conv2d-forward-padded", "conv2d-forward-stride"), "conv2d",
        "x, w, b=0.0, stride=(1, 1), padding=0",
        "x: input, shape (H, W); w: kernel, shape (kh, kw); b: bias (a float);\n"
        "stride: (sh, sw); padding: zeros added on every side. Deep-learning convention: cross-correlation\n"
        "(no kernel flip), like PyTorch's Conv2d. Return shape (H', W'), H' = (H + 2·padding − kh) // sh + 1.",
        lambda p: {"x": _f(p["input"]), "w": _f(p["weight"]), "b": float(p.get("bias", 0)),
                   "stride": [int(s) for s in (p.get("stride", 1) if isinstance(p.get("stride", 1), list) else [p.get("stride", 1)] * 2)],
                   "padding": int(p.get("padding", 0))},
        example="conv2d(np.arange(9.0).reshape(3, 3), np.array([[0.0, 1], [2, 3]])) -> [[19, 25], [37, 43]]",
        hint="Y[i, j] = Σ x_padded[i·sh + a, j·sw + b] · w[a, b] + bias.",
        edges=(Edge("stride (3, 2), padding 1", _canonical("conv2d-forward-stride")),),
    ),
    Exercise(
        "maxpool2d", "pooling", "Max pooling forward", "maxpool-forward", ("maxpool-forward",), "maxpool2d", "x, kernel_size, stride",
        "x: input, shape (H, W); a kernel_size × kernel_size window moved by stride, no padding.\n"
        "Return shape (H', W'), H' = (H − kernel_size) // stride + 1.",
        lambda p: {"x": _f(p["input"]), "kernel_size": int(p["kernel_size"]), "stride": int(p["stride"])},
        hint="Y[i, j] = max of x[i·s : i·s + k, j·s : j·s + k].",
    ),
    Exercise(
        "avgpool2d", "pooling", "Average pooling forward", "avgpool-forward", ("avgpool-forward",), "avgpool2d", "x, kernel_size, stride",
        "x: input, shape (H, W); a kernel_size × kernel_size window moved by stride, no padding.\n"
        "Return shape (H', W'), H' = (H − kernel_size) // stride + 1.",
        lambda p: {"x": _f(p["input"]), "kernel_size": int(p["kernel_size"]), "stride": int(p["stride"])},
        hint="Y[i, j] = mean of x[i·s : i·s + k, j·s : j·s + k].",
    ),
    Exercise(
        "batchnorm-forward", "batch-norm", "Batch-norm forward (training mode)", "batchnorm-forward", ("batchnorm-forward",),
        "batchnorm_forward", "x, gamma, beta, eps",
        "x: a batch, shape (N, D); gamma, beta: shape (D,); eps: added to the variance.\n"
        "Training mode: normalize each feature (column) by the batch mean and the biased variance (÷ N),\n"
        "then y = gamma·x̂ + beta. Return shape (N, D).",
        lambda p: {"x": _f(p["x"]), "gamma": _f(p["gamma"]), "beta": _f(p["beta"]), "eps": float(p["eps"])},
        hint="mean and var over axis 0; x̂ = (x − mean)/√(var + eps).",
    ),
    Exercise(
        "layernorm", "normalization", "Layer-norm forward", "layernorm-forward", ("layernorm-forward",), "layernorm",
        "x, gamma, beta, eps=1e-5",
        "x: one token's features, shape (D,); gamma, beta: shape (D,).\n"
        "y = gamma·(x − mean)/√(var + eps) + beta, mean and biased variance (÷ D) over the D features.",
        lambda p: {"x": _f(p["x"]), "gamma": _f(p["gamma"]), "beta": _f(p["beta"]), "eps": float(p["eps"])},
        hint="Like batch norm, but the statistics are over the features of one sample.",
    ),
    Exercise(
        "rmsnorm", "normalization", "RMSNorm forward", "rmsnorm-forward", ("rmsnorm-forward",), "rmsnorm", "x, gamma, eps=1e-6",
        "x: shape (D,); gamma: shape (D,). y = gamma·x/√(mean(x²) + eps) (no mean subtracted, no beta).",
        lambda p: {"x": _f(p["x"]), "gamma": _f(p["gamma"]), "eps": float(p["eps"])},
        hint="rms = √(mean(x²) + eps).",
    ),
    Exercise(
        "dropout", "dropout-and-clipping", "Inverted dropout with a given mask", "dropout-train", ("dropout-train",), "dropout",
        "x, mask, p",
        "x: activations, shape (D,); mask: 1 = kept, 0 = dropped, shape (D,); p: the drop probability.\n"
        "Inverted dropout (training): y = mask·x/(1 − p), so that E[y] = x. Return shape (D,).",
        lambda p: {"x": _f(p["x"]), "mask": _f(p["mask"]), "p": float(p["p"])},
        hint="Scale the kept units up by 1/(1 − p) at training time; test time is then the identity.",
    ),
    Exercise(
        "clip-grad-norm", "dropout-and-clipping", "Clip gradients by their global norm", "clip-grad-norm", ("clip-grad-norm",),
        "clip_grad_norm", "grads, max_norm",
        "grads: a list of gradient arrays (any shapes); max_norm: the largest allowed global L2 norm.\n"
        "Like torch.nn.utils.clip_grad_norm_: norm = √(Σ over every entry of every array of g²);\n"
        "if max_norm/(norm + 1e-6) < 1, multiply every array by it. Return a list of arrays, the same shapes.",
        lambda p: {"grads": [_f(g) for g in p["grads"]], "max_norm": float(p["max_norm"])},
        hint="One norm over all the arrays together, not one per array.",
        list_like="grads",
    ),
    Exercise(
        "sgd", "optimizers", "One SGD step", "sgd-step", ("sgd-step",), "sgd_step", "w, grad, lr",
        "w: weights, grad: dL/dw (same shape); lr: the learning rate. Return the new weights.",
        lambda p: {"w": _f(p["w"]), "grad": _f(p["grad"]), "lr": float(p["lr"])},
        hint="w − lr·grad.",
    ),
    Exercise(
        "momentum", "optimizers", "SGD with momentum, several steps", "momentum-steps", ("momentum-step", "momentum-two-steps"),
        "momentum_steps", "w, v, grads, lr, momentum",
        "w: weights (a float or an array); v: the velocity before the first step (shape of w);\n"
        "grads: one gradient per step, shape (T, *w.shape). For each g: v ← momentum·v − lr·g, then w ← w + v.\n"
        "Return the final w (shape of w).",
        _momentum_args,
        hint="Update the velocity first, then move w by the new velocity.",
    ),
    Exercise(
        "adam", "optimizers", "Adam, several steps from m = v = 0", "adam-steps", ("adam-first-step", "adam-two-steps"), "adam_steps",
        "w, grads, lr, beta1, beta2, eps",
        "w: weights (a float or an array); grads: one gradient per step, shape (T, *w.shape).\n"
        "Start at m = v = 0; at step t = 1, 2, …: m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,\n"
        "m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t), w ← w − lr·m̂/(√v̂ + eps). Return the final w.",
        lambda p: {"w": _f(p["w"]), "grads": _f(p["grads"]), "lr": float(p["lr"]), "beta1": float(p["beta1"]),
                   "beta2": float(p["beta2"]), "eps": float(p["eps"])},
        hint="Bias-correct with the step number t of each step.",
    ),
    Exercise(
        "sinusoidal-pe", "positional-encoding", "Sinusoidal positional encoding of one position", "sinusoidal-pe-row",
        ("sinusoidal-pe-vector",), "sinusoidal_pe", "pos, d_model, base=10000",
        "pos: the position (an int); d_model: an even width. Return PE(pos), shape (d_model,), interleaved:\n"
        "PE[2k] = sin(pos·ω_k), PE[2k + 1] = cos(pos·ω_k), ω_k = base^(−2k/d_model), angles in radians.",
        lambda p: {"pos": int(p["pos"]), "d_model": int(p["d_model"]), "base": float(p.get("base", 10000))},
        hint="k = np.arange(d_model // 2); even dims sin, odd dims cos.",
    ),
    RowExercise(
        "attention-weights", "attention", "Scaled dot-product attention weights", "attention-weights", ("attention-weights",),
        "attention_weights", "Q, K",
        "Q: queries, shape (n, d); K: keys, shape (m, d). Return P = softmax(QKᵀ/√d) with the softmax over\n"
        "the keys (each row sums to 1), shape (n, m).",
        lambda p: {"Q": _f(p["Q"]), "K": _f(p["K"])},
        hint="scores = Q @ K.T / sqrt(d); a stable softmax along axis=-1.",
    ),
    Exercise(
        "warmup-cosine-lr", "lr-schedules", "Cosine learning rate with linear warmup", "warmup-cosine-lr", ("warmup-cosine-lr",),
        "warmup_cosine_lr", "step, peak, min_lr, warmup, total",
        "step t counts from 0; warmup W steps, total T steps. For t < W: peak·t/W. Otherwise, with\n"
        "progress f = (t − W)/(T − W): min_lr + (peak − min_lr)·(1 + cos(π·f))/2. Return a float.",
        lambda p: {"step": int(p["step"]), "peak": float(p["peak"]), "min_lr": float(p["min_lr"]), "warmup": int(p["warmup"]),
                   "total": int(p["total"])},
        hint="Two branches; the cosine's progress starts at 0 when warmup ends.",
        atol=1e-12,
    ),
    Exercise(
        "mse-gradient", "linear-regression", "Gradient of the mean squared error of a line", "mse-gradient", ("mse-gradient",),
        "mse_gradient", "x, y, m, b",
        "x, y: data, shape (N,); the model ŷ = m·x + b; L = mean((ŷ − y)²).\n"
        "Return [dL/dm, dL/db], shape (2,).",
        lambda p: {"x": _f(p["x"]), "y": _f(p["y"]), "m": float(p["m"]), "b": float(p["b"])},
        hint="dL/dm = (2/N)·Σ (ŷ − y)·x, dL/db = (2/N)·Σ (ŷ − y).",
    ),
)

EXERCISES += (
    Exercise(
        "logsumexp", "softmax-ce", "Stable log-sum-exp", "logsumexp-stable", ("logsumexp-stable",), "logsumexp", "z",
        "z: shape (K,), entries as large as ±1000. Return log Σ exp(z_i), a float (natural log), without overflow.",
        lambda p: {"z": _f([p["shift"] + o for o in p["offsets"]])},
        example="logsumexp(np.array([800.0, 799.0, 798.0])) -> 800.408",
        hint="m = max(z); m + log Σ exp(z − m).",
    ),
    Exercise(
        "softmax-jacobian", "softmax-ce", "Jacobian of the softmax", "softmax-jacobian", ("softmax-jacobian",), "softmax_jacobian", "z",
        "z: logits, shape (K,). Return J, shape (K, K), J[i, j] = ∂p_i/∂z_j for p = softmax(z).",
        lambda p: {"z": _f(p["logits"])},
        hint="J = diag(p) − p pᵀ.",
        edges=(Edge("logits + 1000", _shifted("logits", 1000.0), True),),
    ),
    Exercise(
        "sigmoid-bce-grad", "softmax-ce", "Gradient of binary cross-entropy after a sigmoid", "sigmoid-bce-grad",
        ("sigmoid-bce-grad",), "sigmoid_bce_grad", "z, y",
        "z: a logit (a float); y: the label, 0 or 1. ŷ = σ(z), ℓ = −y log ŷ − (1 − y) log(1 − ŷ).\n"
        "Return dℓ/dz, a float.",
        lambda p: {"z": float(p["z"]), "y": int(p["y"])},
        hint="The sigmoid's derivative cancels the log's: dℓ/dz = σ(z) − y.",
    ),
    Exercise(
        "maxpool2d-backward", "pooling", "Max pooling backward", "maxpool-backward", ("maxpool-backward",), "maxpool2d_backward",
        "x, upstream, kernel_size, stride",
        "x: the forward input, shape (H, W); upstream: dL/dY, shape (H', W'); windows as in the forward pass.\n"
        "Return dL/dx, shape (H, W): each dL/dY[i, j] goes to its window's argmax (the first in row-major\n"
        "order on a tie, PyTorch's CPU rule); where windows overlap, contributions add.",
        lambda p: {"x": _f(p["input"]), "upstream": _f(p["upstream"]), "kernel_size": int(p["kernel_size"]), "stride": int(p["stride"])},
        hint="np.unravel_index(np.argmax(window), window.shape) and +=.",
    ),
    Exercise(
        "avgpool2d-backward", "pooling", "Average pooling backward", "avgpool-backward", ("avgpool-backward",), "avgpool2d_backward",
        "x, upstream, kernel_size, stride",
        "x: the forward input, shape (H, W); upstream: dL/dY, shape (H', W').\n"
        "Return dL/dx, shape (H, W): each dL/dY[i, j] / (k·k) goes to every input of its window; overlaps add.",
        lambda p: {"x": _f(p["input"]), "upstream": _f(p["upstream"]), "kernel_size": int(p["kernel_size"]), "stride": int(p["stride"])},
        hint="dx[window] += upstream[i, j] / k².",
    ),
    Exercise(
        "conv2d-backward-dw", "conv-backward", "Convolution backward: the kernel's gradient", "conv-backward-dw",
        ("conv-backward-dw",), "conv2d_backward_dw", "x, w, upstream",
        "Forward: Y = x ⋆ w, cross-correlation, stride 1, no padding; x (H, W), w (kh, kw), Y (H − kh + 1, W − kw + 1).\n"
        "upstream: dL/dY. Return dL/dw, shape (kh, kw).",
        lambda p: {"x": _f(p["input"]), "w": _f(p["weight"]), "upstream": _f(p["upstream"])},
        hint="dL/dw[a, b] = Σ_ij dL/dY[i, j] · x[i + a, j + b]: x cross-correlated with dL/dY.",
    ),
    Exercise(
        "conv2d-backward-dx", "conv-backward", "Convolution backward: the input's gradient", "conv-backward-dx",
        ("conv-backward-dx",), "conv2d_backward_dx", "x, w, upstream",
        "Forward: Y = x ⋆ w, cross-correlation, stride 1, no padding; x (H, W), w (kh, kw).\n"
        "upstream: dL/dY, shape (H − kh + 1, W − kw + 1). Return dL/dx, shape (H, W).",
        lambda p: {"x": _f(p["input"]), "w": _f(p["weight"]), "upstream": _f(p["upstream"])},
        hint="Scatter: dx[i:i+kh, j:j+kw] += dL/dY[i, j] · w (a full convolution with the flipped kernel).",
    ),
    Exercise(
        "batchnorm-backward-dx", "normalization", "Batch-norm backward: the input's gradient", "batchnorm-backward-dx",
        ("batchnorm-backward-dx",), "batchnorm_backward_dx", "x, dy, gamma, eps",
        "One feature over a batch: x, dy = dL/dy of shape (N,); gamma a float. Training mode, biased variance.\n"
        "y = gamma·(x − μ)/√(σ² + eps) + beta. Return dL/dx, shape (N,), through μ and σ² too.",
        lambda p: {"x": _f(p["x"]), "dy": _f(p["dy"]), "gamma": float(p["gamma"]), "eps": float(p["eps"])},
        hint="dx = γ/(N·σ̂) · (N·dy − Σdy − x̂·Σ(dy·x̂)), σ̂ = √(σ² + eps).",
    ),
    Exercise(
        "batchnorm-eval", "normalization", "Batch-norm forward in evaluation mode", "batchnorm-eval", ("batchnorm-eval-output",),
        "batchnorm_eval", "x, running_mean, running_var, gamma, beta, eps",
        "x: one feature over a batch, shape (N,); running_mean, running_var, gamma, beta, eps: floats.\n"
        "Evaluation mode: y = gamma·(x − running_mean)/√(running_var + eps) + beta. Return shape (N,).",
        lambda p: {"x": _f(p["x"]), "running_mean": float(p["running_mean"]), "running_var": float(p["running_var"]),
                   "gamma": float(p["gamma"]), "beta": float(p["beta"]), "eps": float(p["eps"])},
        hint="The batch's own statistics are not used at all in eval mode.",
    ),
    Exercise(
        "l2-penalty-grad", "regularization", "Gradient with an L2 penalty", "l2-penalty-grad", ("l2-penalty-grad",), "l2_penalty_grad",
        "w, grad, lam",
        "w: weights; grad: the data loss's gradient (same shape); lam: λ of the penalty λ‖w‖² (no 1/2).\n"
        "Return the gradient of loss + λ‖w‖², same shape.",
        lambda p: {"w": _f(p["w"]), "grad": _f(p["grad"]), "lam": float(p["lam"])},
        hint="d(λ‖w‖²)/dw = 2λw.",
    ),
    Exercise(
        "gru-blend", "rnn-cells", "GRU state update", "gru-blend", ("gru-blend",), "gru_blend", "z, h_prev, h_cand",
        "z: the update gate, h_prev: the previous state, h_cand: the candidate h̃, all shape (H,).\n"
        "PyTorch's convention: h_t = z⊙h_prev + (1 − z)⊙h̃. Return shape (H,).",
        lambda p: {"z": _f(p["z"]), "h_prev": _f(p["h_prev"]), "h_cand": _f(p["h_cand"])},
        hint="z keeps the old state; 1 − z lets the candidate in.",
    ),
    Exercise(
        "cosine-similarity", "similarity", "Cosine similarity", "cosine-similarity", ("cosine-similarity",), "cosine_similarity", "a, b",
        "a, b: vectors of shape (D,), neither zero. Return cos θ = a·b / (‖a‖·‖b‖), a float.",
        lambda p: {"a": _f(p["a"]), "b": _f(p["b"])},
        hint="np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)).",
    ),
    Exercise(
        "kl-divergence", "losses", "KL divergence", "kl-divergence", ("kl-divergence",), "kl_divergence", "p, q, unit",
        "p, q: probability vectors of shape (K,), all entries > 0; unit: \"nats\" (natural log) or \"bits\" (log2).\n"
        "Return KL(P‖Q) = Σ p_i log(p_i / q_i), a float.",
        lambda p: {"p": _f(p["p"]), "q": _f(p["q"]), "unit": str(p["unit"])},
        hint="The weights are P's; the ratio is p/q.",
    ),
    Exercise(
        "rope-rotate-pair", "positional-encoding", "RoPE: rotate one pair", "rope-rotate-pair", ("rope-rotate-pair",), "rope_rotate_pair",
        "x, pos, pair, d_model, base=10000",
        "x: the pair (x_2i, x_2i+1), shape (2,); pos: the position; pair: i; d_model: the head width.\n"
        "Rotate x counter-clockwise by the angle pos·θ_i, θ_i = base^(−2i/d_model), in radians. Return shape (2,).",
        lambda p: {"x": _f(p["x"]), "pos": int(p["pos"]), "pair": int(p["pair"]), "d_model": int(p["d_model"]),
                   "base": float(p.get("base", 10000))},
        hint="[x0·cos a − x1·sin a, x0·sin a + x1·cos a].",
    ),
    Exercise(
        "adagrad", "optimizers", "One Adagrad step", "adagrad-step", ("adagrad-step",), "adagrad_step", "w, G, grad, lr, eps",
        "w: weights; G: the running sum of squared gradients before this step; grad: this step's gradient (all one shape).\n"
        "G ← G + g², w ← w − lr·g/(√G + eps). Return the new w.",
        lambda p: {"w": _f(p["w"]), "G": _f(p["G"]), "grad": _f(p["grad"]), "lr": float(p["lr"]), "eps": float(p["eps"])},
        hint="Add this step's g² to G before dividing.",
    ),
)

BY_NAME: dict[str, Exercise] = {e.name: e for e in EXERCISES}


def cases(ex: Exercise, n: int = 6, seed: int = 0) -> list[Case]:
    """The canonical params of each of the exercise's questions, ``n`` random variants drawn by the
    questions' ``vary`` (seeds from ``seed``), and the exercise's edge cases on the first draw."""
    from drill.core.variants import VariantError, make_variant

    bank = _bank()
    qs = [bank.questions[q] for q in ex.questions if q in bank.questions]
    out: list[Case] = []
    for q in qs:
        out.append(Case(f"{q.id} (its example)", ex.args(q.params), copy.deepcopy(q.params)))
    drawn = 0
    for i in range(1, 4 * n + 1):
        if drawn >= n or not qs:
            break
        q = qs[i % len(qs)]
        try:
            v = make_variant(q, seed * 1000 + i)
        except VariantError:
            continue
        out.append(Case(f"random variant {drawn + 1}", ex.args(v.params), v.params))
        drawn += 1
    base = out[0].params if out else None
    for edge in ex.edges:
        made = edge.make(base) if base is not None else None
        if made is not None:
            kw_params, key_params = made
            out.append(Case(edge.label, ex.args(kw_params), key_params, edge.check_finite))
    return out
