"""Conceptual multiple choice: an independent key table, the options' hygiene, and grading.

SEED_KEYS is typed here by hand from the seeds, not copied from the bank: for each question, the
answer as the seed marks it (or as drill words it where the seed's own words are garbled), plus a
few words the seed itself uses that the key must contain. The bank's key must match it, and the
letter drill grades correct must be that option in every variant.

A few explanations make checkable claims (a perceptron's weights, what zero initialization does,
dropout and batch norm in train/eval mode, σ' ≤ 0.25, a linear stack collapsing); those are
checked by brute force, NumPy or PyTorch (optional), never by the solver.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from drill.core.grading import LETTERS
from drill.solvers import InvalidParams, get
from tests._torch import torch_or_skip
from tests.conftest import variants_of

# id -> (seed item, the key as the seed marks it, words from the seed the key must contain)
SEED_KEYS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "multiclass-output-layer": ("003 quiz, key C", "Softmax", ("softmax",)),
    "what-computes-gradients": ("003 quiz, key C", "Backpropagation", ("backpropagation",)),
    "vanishing-gradient-effect": (
        "003 quiz, key C",
        "The parameters in the initial layers of the network (those closer to the input) are not being updated",
        ("initial layers", "closer to the input", "not being updated"),
    ),
    "rnn-hidden-state": (
        "003 quiz, key E",
        "They maintain a hidden state that carries information across time steps",
        ("hidden state", "across time steps"),
    ),
    "encoder-decoder-roles": (
        "003 quiz, key B",
        "The encoder processes the input sequence into continuous representations, and the decoder "
        "generates the output sequence one element at a time",
        ("continuous representations", "one element at a time"),
    ),
    "augmentation-can-fail": ("003 quiz, key E 'All of the above'", "All of the other options", ("all of the",)),
    "edge-detector-kernels": (
        "000 (c) 'Good Idea' + (d) template regularizer",
        "Initialize the kernels as edge detectors and add a penalty λ·Σ‖kernel − nearest edge template‖² to the loss",
        ("initialize", "edge detectors", "λ"),
    ),
    "conv-parameter-sharing": (
        "002 Q17",
        "The same kernel weights are applied at every spatial position of the input",
        ("spatial",),
    ),
    "knn-non-parametric": ("002 Q10", "k-nearest neighbours", ("nearest neighbours",)),
    "densenet-memory": ("002 Q26", "It needs more memory during training", ("more memory",)),
    "two-stage-detector": (
        "002 Q30",
        "It first proposes candidate object regions, then classifies and refines each proposal",
        ("proposes", "classifies"),
    ),
    "one-stage-small-objects": ("002 Q29", "Miss more small objects, in exchange for higher speed", ("miss more small objects",)),
    "fc-loses-spatial-structure": (
        "002 Q31",
        "The spatial structure: the feature map becomes a flat vector with no notion of neighbouring positions",
        ("spatial",),
    ),
    "learnable-upsampling": ("002 Q33", "Transposed convolution", ("transposed convolution",)),
    "vae-latent-continuity": (
        "002 Q37",
        "The encoder outputs a mean and a standard deviation, the code is sampled from that Gaussian, and a KL "
        "term pulls it toward N(0, I)",
        ("mean", "standard deviation"),
    ),
    "gan-objective": (
        "002 Q38",
        "As a two-player minimax game: the discriminator maximizes the objective that the generator minimizes",
        ("minimax game",),
    ),
    "bptt-rnn-gradients": (
        "002 Q41",
        "Backpropagation through time: unroll the network over the time steps, backpropagate, and sum each "
        "shared weight's gradients over the steps",
        ("backpropagation through time",),
    ),
    "why-residuals-train": (
        "002 Q25",
        "The identity path gives the gradient a direct route back (dF/dx = 1 + dB/dx), so it does not vanish "
        "through many blocks",
        ("identity", "1 + "),
    ),
    "zero-init-symmetry": (
        "001 zero weights",
        "All units in a hidden layer compute the same output and get the same gradient, so they stay "
        "identical: the symmetry is never broken",
        ("same gradient",),
    ),
    "dropout-at-eval": ("001 dropout", "Dropout is switched off: every unit is kept and nothing is rescaled", ("switched off",)),
    "batchnorm-in-training": (
        "001 / 004 Q20 batch norm",
        "Normalizes each feature (channel) to zero mean and unit variance over the mini-batch, then applies "
        "a learned scale γ and shift β",
        ("zero mean", "unit variance"),
    ),
    "relu-vs-sigmoid-gradients": (
        "001 gradient vanishing",
        "ReLU's derivative is 1 for every positive input, while the sigmoid's is at most 0.25",
        ("relu", "sigmoid"),
    ),
    "perceptron-cannot-xor": ("001 perceptron", "XOR", ("xor",)),
    "no-nonlinearities": (
        "001 non-linearities",
        "It collapses to a single affine map, no more expressive than one linear layer",
        ("linear",),
    ),
    "why-normalize-inputs": (
        "004 Q19",
        "When the features are on very different scales, e.g. age in years next to income in dollars",
        ("different scales",),
    ),
    "early-stopping-rule": (
        "004 Q20",
        "Stops training when the validation loss stops improving, and keeps the weights from the best "
        "validation epoch",
        ("validation",),
    ),
    "what-transfer-learning-is": (
        "004 Q32",
        "Reusing a model trained on one task as the starting point for a model on a second task, then "
        "fine-tuning it",
        ("starting point", "second task"),
    ),
    "what-momentum-adds": (
        "004 Q28",
        "A velocity: an exponentially decaying sum of past gradients, used as the step",
        ("past gradients",),
    ),
    "why-ensembles-help": (
        "004 Q30",
        "Their errors are partly independent, so averaging cancels some of them and lowers the variance",
        ("averaging",),
    ),
}


def norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def concept_ids(bank) -> list[str]:
    return sorted(q.id for q in bank.questions.values() if q.solver == "concept-choice")


def test_every_concept_question_has_a_hand_typed_key(bank):
    ids = concept_ids(bank)
    assert sorted(SEED_KEYS) == ids
    assert len(ids) >= 15
    assert all(bank.questions[qid].topic == "concepts" for qid in ids)
    assert bank.explanations["concepts"].example in ids


@pytest.mark.parametrize("qid", sorted(SEED_KEYS))
def test_bank_key_matches_the_seed(bank, qid):
    q = bank.questions[qid]
    _, key, words = SEED_KEYS[qid]
    assert norm(q.answer) == norm(key)
    assert norm(q.params["correct"]) == norm(key)
    for w in words:
        assert norm(w) in norm(key), (qid, w)
    assert q.answer_type == "choice"
    assert q.source.strip()
    # Without a hint the quiz would show the first worked step, which states the answer.
    assert q.hint.strip() and norm(key) not in norm(q.hint)


@pytest.mark.parametrize("qid", sorted(SEED_KEYS))
def test_options_explanations_and_grading(bank, qid):
    q = bank.questions[qid]
    _, key, _ = SEED_KEYS[qid]
    wrong = {norm(t): " ".join(r.split()) for t, r in q.params["wrong"].items()}
    # The bank's options: the key plus ≥ 3 wrong ones, none repeating (as the grader compares text).
    options = [norm(q.params["correct"])] + list(wrong)
    assert len(options) == len(set(options)) == 1 + len(q.params["wrong"]) >= 4
    assert q.params["why"].strip() and all(r.strip() for r in wrong.values())
    seen_sets = set()
    for v in variants_of(bank, qid, 12):
        assert len(v.choices) >= 4 and len({norm(c) for c in v.choices}) == len(v.choices)
        shown_wrong = [norm(c) for c in v.choices if norm(c) != norm(key)]
        assert len(shown_wrong) == len(v.choices) - 1 >= 3  # the key appears exactly once
        assert set(shown_wrong) <= set(wrong)
        seen_sets.add(frozenset(shown_wrong))
        letter = LETTERS[[norm(c) for c in v.choices].index(norm(key))]
        assert v.answer == letter
        assert v.grade(letter).correct and v.grade(letter.lower()).correct
        assert v.grade(key).correct  # the option's text counts too
        assert v.steps and norm(key) in norm(v.steps[0])
        for i, c in enumerate(v.choices):
            if LETTERS[i] == letter:
                continue
            g = v.grade(LETTERS[i])
            assert g.status == "wrong"
            assert g.mistake == wrong[norm(c)], (qid, c)  # named with that option's own explanation
            assert v.grade(c).mistake == wrong[norm(c)]
    if "omit" in q.vary:
        # The subset of distractors shown varies, and every distractor turns up somewhere.
        more = {frozenset(norm(c) for c in v.choices if norm(c) != norm(key)) for v in variants_of(bank, qid, 60)}
        assert len(seen_sets | more) > 1
        assert set().union(*(seen_sets | more)) == set(wrong)


def test_option_order_is_shuffled_across_variants(bank):
    positions = {v.answer for qid in ("perceptron-cannot-xor", "learnable-upsampling") for v in variants_of(bank, qid, 20)}
    assert len(positions) >= 3


# --- the solver refuses params that would make a broken question ---------------------------------

BASE = {"correct": "Softmax", "why": "sums to 1", "wrong": {"ReLU": "unbounded", "Tanh": "negative", "Sigmoid": "independent"}}


def with_(**changes) -> dict:
    return {**BASE, **changes}


@pytest.mark.parametrize(
    "params, words",
    [
        (with_(wrong={"ReLU": "a", "Tanh": "b"}), "at least 3"),
        (with_(wrong={"ReLU": "a", "Tanh": "b", "softmax": "c"}), "repeats"),
        (with_(wrong={"ReLU": "a", "Tanh": "b", "  relu ": "c"}), "repeats"),
        (with_(wrong={"ReLU": "a", "Tanh": "b", "B)": "c"}), "letter"),
        (with_(wrong={"ReLU": "a", "Tanh": "a", "Step": "c"}), "explanation"),
        (with_(why=" "), "why"),
        (with_(wrong={"ReLU": "a", "Tanh": "", "Step": "c"}), "explanation"),
        (with_(omit=[3]), "omit"),
        (with_(omit=[0, 0]), "omit"),
        (with_(omit=[0]), "at least 3"),
        (with_(wrong=["ReLU", "Tanh", "Step"]), "wrong"),
    ],
)
def test_solver_rejects_broken_params(params, words):
    with pytest.raises(InvalidParams, match=words):
        get("concept-choice").run(params)


def test_solver_mistakes_are_the_shown_distractors():
    sol = get("concept-choice").run({**BASE, "wrong": {**BASE["wrong"], "Step": "no gradient"}, "omit": [1]})
    assert sol.answer == "Softmax"
    assert sol.mistakes == {"unbounded": "ReLU", "independent": "Sigmoid", "no gradient": "Step"}
    assert sol.steps[0] == "Softmax: sums to 1"


# --- checkable claims made in the explanations ---------------------------------------------------

BOOL = list(itertools.product([0, 1], repeat=2))
FUNCS = {
    "AND": lambda a, b: a and b,
    "OR": lambda a, b: a or b,
    "NAND": lambda a, b: not (a and b),
    "NOR": lambda a, b: not (a or b),
    "x1 AND NOT x2": lambda a, b: a and not b,
    "XOR": lambda a, b: a != b,
}


def perceptron(w1: float, w2: float, t: float) -> tuple[int, ...]:
    return tuple(int(w1 * a + w2 * b >= t) for a, b in BOOL)


def truth(name: str) -> tuple[int, ...]:
    return tuple(int(bool(FUNCS[name](a, b))) for a, b in BOOL)


def test_perceptron_weights_in_the_explanations_work(bank):
    import re

    q = bank.questions["perceptron-cannot-xor"]
    for name, why in q.params["wrong"].items():
        nums = {k: float(v.replace("−", "-")) for k, v in re.findall(r"(w1|w2|T) = (−?\d+)", why)}
        if "w1 = w2 =" in why:
            nums["w2"] = nums["w1"] = float(re.search(r"w1 = w2 = (−?\d+)", why).group(1).replace("−", "-"))
        assert perceptron(nums["w1"], nums["w2"], nums["T"]) == truth(name), name


def test_no_perceptron_computes_xor():
    grid = np.arange(-3, 3.01, 0.25)
    computed = {perceptron(w1, w2, t) for w1 in grid for w2 in grid for t in grid}
    assert truth("XOR") not in computed
    assert all(truth(n) in computed for n in FUNCS if n != "XOR")
    # and the reason: the two XOR-true points average to the same point as the two XOR-false ones
    assert np.allclose(np.mean([(0, 1), (1, 0)], axis=0), np.mean([(0, 0), (1, 1)], axis=0))


def test_sigmoid_derivative_is_at_most_a_quarter():
    x = np.linspace(-10, 10, 20001)
    s = 1 / (1 + np.exp(-x))
    assert (s * (1 - s)).max() == pytest.approx(0.25)
    assert 0.25**10 == pytest.approx(1e-6, rel=0.1)


def test_linear_layers_collapse_to_one_affine_map():
    rng = np.random.default_rng(0)
    W1, W2, W3 = rng.normal(size=(5, 4)), rng.normal(size=(6, 5)), rng.normal(size=(3, 6))
    b1, b2, b3 = rng.normal(size=5), rng.normal(size=6), rng.normal(size=3)
    x = rng.normal(size=4)
    W, b = W3 @ W2 @ W1, W3 @ (W2 @ b1 + b2) + b3
    np.testing.assert_allclose(W3 @ (W2 @ (W1 @ x + b1) + b2) + b3, W @ x + b)


def test_vgg16_first_fc_layer_size():
    assert 7 * 7 * 512 * 4096 == pytest.approx(103e6, rel=0.01)


def test_zero_init_keeps_units_identical():
    torch = torch_or_skip()
    torch.manual_seed(0)
    x, y = torch.randn(32, 4), torch.randint(0, 3, (32,))
    for act, stuck in ((torch.nn.Sigmoid(), False), (torch.nn.Tanh(), True), (torch.nn.ReLU(), True)):
        net = torch.nn.Sequential(torch.nn.Linear(4, 5), act, torch.nn.Linear(5, 3))
        for prm in net.parameters():
            torch.nn.init.zeros_(prm)
        loss0 = torch.nn.functional.cross_entropy(net(x), y)
        assert loss0.item() == pytest.approx(math.log(3))  # finite: ln K, no log(0)
        for _ in range(20):  # plain SGD by hand (torch.optim takes seconds to import)
            net.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            with torch.no_grad():
                for prm in net.parameters():
                    prm -= 0.5 * prm.grad
        W1, W2 = net[0].weight.detach(), net[2].weight.detach()
        assert torch.allclose(W1, W1[:1].expand_as(W1))  # every hidden unit has the same weights
        assert torch.allclose(W2, W2[:, :1].expand_as(W2))
        if stuck:
            assert torch.count_nonzero(W1) == 0 and torch.count_nonzero(W2) == 0
        else:
            assert torch.count_nonzero(W2) > 0


def test_inverted_dropout_train_and_eval():
    torch = torch_or_skip()
    torch.manual_seed(0)
    p, x = 0.3, torch.ones(10000)
    drop = torch.nn.Dropout(p)
    out = drop.train()(x)
    kept = out[out != 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / (1 - p)))  # scaled in training
    assert torch.equal(drop.eval()(x), x)  # identity at test time: nothing dropped, nothing rescaled


def test_batchnorm_uses_batch_statistics_in_training():
    torch = torch_or_skip()
    torch.manual_seed(0)
    bn = torch.nn.BatchNorm1d(3)
    x = torch.randn(64, 3) * torch.tensor([1.0, 5.0, 0.1]) + torch.tensor([3.0, -2.0, 10.0])
    y = bn.train()(x)
    assert torch.allclose(y.mean(0), torch.zeros(3), atol=1e-5)
    assert torch.allclose(y.var(0, unbiased=False), torch.ones(3), atol=1e-3)
    assert sum(p.numel() for p in bn.parameters()) == 6  # learned γ and β per feature
    assert not torch.allclose(bn.eval()(x).mean(0), torch.zeros(3), atol=1e-2)  # eval: running stats


def test_upsampling_layers():
    torch = torch_or_skip()
    x = torch.randn(1, 2, 8, 8)
    up = torch.nn.ConvTranspose2d(2, 2, kernel_size=2, stride=2)
    assert up(x).shape[-2:] == (16, 16) and sum(p.numel() for p in up.parameters()) > 0
    nearest = torch.nn.Upsample(scale_factor=2, mode="nearest")
    assert nearest(x).shape[-2:] == (16, 16) and not list(nearest.parameters())
    assert torch.nn.MaxPool2d(2)(x).shape[-2:] == (4, 4)
    assert torch.nn.Conv2d(2, 2, 3, stride=2, padding=1)(x).shape[-2:] == (4, 4)
    assert torch.nn.Conv2d(2, 2, 3, dilation=2, padding=2)(x).shape[-2:] == (8, 8)
    assert torch.nn.AdaptiveAvgPool2d(1)(x).shape[-2:] == (1, 1)


def test_softmax_sums_to_one_and_sigmoids_do_not():
    z = np.array([2.0, 1.0, 0.1])
    assert (np.exp(z) / np.exp(z).sum()).sum() == pytest.approx(1.0)
    assert (1 / (1 + np.exp(-z))).sum() != pytest.approx(1.0)
