"""Decoding: torch's softmax for the temperature, brute-force subset searches for top-k and
nucleus filtering, perplexity as a geometric mean of 1/p, and the hand-worked keys."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from tests._torch import torch_or_skip
from tests.conftest import variants_of


def test_temperature_matches_torch_softmax(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "temperature-softmax", 60):
        z = torch.tensor(v.params["logits"], dtype=torch.float64)
        want = torch.softmax(z / v.params["temperature"], dim=0).numpy()
        np.testing.assert_allclose(v.answer, want, rtol=1e-12, atol=1e-15)


def test_temperature_matches_the_definition(bank):
    for v in variants_of(bank, "temperature-softmax", 60):
        e = [math.exp(z / v.params["temperature"]) for z in v.params["logits"]]
        np.testing.assert_allclose(v.answer, [x / sum(e) for x in e], rtol=1e-12)


def hundredths(probs: list[float]) -> list[int]:
    return [round(p * 100) for p in probs]


def renormalized(h: list[int], kept: tuple[int, ...]) -> list[float]:
    mass = sum(h[i] for i in kept)
    return [h[i] / mass if i in kept else 0.0 for i in range(len(h))]


def brute_top_k(h: list[int], k: int) -> tuple[int, ...]:
    """Of all k-subsets, the one with the most mass; among equal masses the lowest ids."""
    return min(itertools.combinations(range(len(h)), k), key=lambda s: (-sum(h[i] for i in s), s))


def brute_nucleus(h: list[int], top: int) -> tuple[int, ...]:
    """The smallest subset whose mass is ≥ top, by enumerating every subset; among those of that
    size the most massive, then the lowest ids (the tie rule)."""
    for size in range(1, len(h) + 1):
        ok = [s for s in itertools.combinations(range(len(h)), size) if sum(h[i] for i in s) >= top]
        if ok:
            return min(ok, key=lambda s: (-sum(h[i] for i in s), s))
    raise AssertionError("unreachable: the whole vocabulary has mass 100")


def test_top_k_matches_brute_force(bank):
    for v in variants_of(bank, "top-k-filter", 100):
        h = hundredths(v.params["probs"])
        np.testing.assert_allclose(v.answer, renormalized(h, brute_top_k(h, v.params["k"])), rtol=1e-12)


def test_top_k_matches_torch_topk(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "top-k-filter", 60):
        p = torch.tensor(v.params["probs"], dtype=torch.float64)
        h = hundredths(v.params["probs"])
        if len(set(h)) < len(h):
            continue  # torch.topk's order among equal values is unspecified
        idx = torch.topk(p, v.params["k"]).indices
        kept = torch.zeros_like(p).scatter(0, idx, p[idx])
        np.testing.assert_allclose(v.answer, (kept / kept.sum()).numpy(), rtol=1e-9)


def test_nucleus_matches_brute_force_subset_search(bank):
    sizes = set()
    for v in variants_of(bank, "top-p-nucleus", 100):
        h = hundredths(v.params["probs"])
        kept = brute_nucleus(h, round(v.params["top_p"] * 100))
        sizes.add(len(kept))
        np.testing.assert_allclose(v.answer, renormalized(h, kept), rtol=1e-12)
        assert sum(v.answer) == pytest.approx(1.0)
    assert len(sizes) >= 3  # nuclei of different sizes are drawn


def test_nucleus_threshold_is_inclusive():
    from drill.solvers import get

    sol = get("top-p-nucleus").run({"probs": [0.5, 0.3, 0.2], "top_p": 0.8})
    assert sol.answer == pytest.approx([0.625, 0.375, 0.0])  # 0.5 + 0.3 reaches 0.8 exactly: kept at ≥
    assert sol.mistakes["stopped only when the sum exceeded p (> instead of ≥)"] == pytest.approx([0.5, 0.3, 0.2])


def test_perplexity_is_the_geometric_mean_of_inverse_probabilities(bank):
    for v in variants_of(bank, "perplexity-from-logprobs", 100):
        probs = [math.exp(lp) for lp in v.params["logprobs"]]
        assert v.answer == pytest.approx(math.prod(1 / p for p in probs) ** (1 / len(probs)), rel=1e-9)


def test_perplexity_matches_torch_cross_entropy():
    torch = torch_or_skip()
    from drill.solvers import get

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0]], dtype=torch.float64)
    target = torch.tensor([0, 1, 2])
    lp = torch.log_softmax(logits, dim=1)[torch.arange(3), target].tolist()
    want = torch.exp(torch.nn.functional.cross_entropy(logits, target)).item()
    assert get("perplexity-logprobs").solve({"logprobs": lp}) == pytest.approx(want, rel=1e-12)


def test_temperature_odds_match_torch_softmax(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "temperature-odds", 60):
        p = v.params
        prob = torch.softmax(torch.tensor(p["logits"], dtype=torch.float64) / p["temperature"], dim=0)
        assert v.answer == pytest.approx((prob[p["i"]] / prob[p["j"]]).item(), rel=1e-9)


def test_temperature_odds_asks_for_the_ratio_not_times_more(bank):
    """Audit U3: p_i/p_j is below 1 in about half the draws, where "how many times more
    probable is i than j" invites 1/answer; the prompt asks for the ratio itself."""
    below = 0
    for v in variants_of(bank, "temperature-odds", 60):
        p = v.params
        below += p["logits"][p["i"]] < p["logits"][p["j"]]
        assert "times more" not in v.prompt and f"ratio p_{p['i']} / p_{p['j']}" in v.prompt, v.prompt
    assert below > 0


def test_greedy_sequence_matches_a_step_by_step_rollout(bank):
    """Greedy by rolling the toy model out with plain loops, and the best sequence by enumeration:
    greedy never beats the best, and is beaten by it in every variant: a variant where greedy finds
    the best sequence would grade the classic mistake (giving the best sequence) correct."""
    beaten = 0
    variants = variants_of(bank, "greedy-sequence", 100)
    for v in variants:
        first = [round(x, 9) for x in v.params["first"]]
        rows = [[round(x, 9) for x in r] for r in v.params["P2"]]
        x1 = first.index(max(first))  # index() returns the lowest id of a tie
        x2 = rows[x1].index(max(rows[x1]))
        assert v.answer == pytest.approx(first[x1] * rows[x1][x2], rel=1e-12), v.params
        best = max(first[a] * rows[a][b] for a, b in itertools.product(range(3), range(3)))
        assert v.answer <= best + 1e-12
        beaten += v.answer < best - 1e-9
        g = v.grade(repr(best))
        assert not g.correct and g.mistake.startswith("gave the most probable sequence"), v.params
    assert beaten == len(variants) == 101


def test_hand_worked_keys(bank):
    e = [math.exp(4), math.exp(2), math.exp(0.2)]
    np.testing.assert_allclose(variants_of(bank, "temperature-softmax", 0)[0].answer, [x / sum(e) for x in e])
    np.testing.assert_allclose(variants_of(bank, "top-k-filter", 0)[0].answer, [0, 4 / 7, 0, 3 / 7, 0])
    np.testing.assert_allclose(variants_of(bank, "top-p-nucleus", 0)[0].answer, [0, 8 / 17, 0, 6 / 17, 3 / 17])
    assert variants_of(bank, "perplexity-from-logprobs", 0)[0].answer == pytest.approx(math.exp(1.1))
    assert variants_of(bank, "temperature-odds", 0)[0].answer == pytest.approx(math.exp(2))
    assert variants_of(bank, "greedy-sequence", 0)[0].answer == pytest.approx(0.5 * 0.4)  # "The nice woman"


def test_grading_right_wrong_unreadable(bank):
    t = variants_of(bank, "temperature-softmax", 0)[0]
    assert t.grade("[0.864, 0.117, 0.0193]").correct
    assert t.grade("[0.659, 0.242, 0.0986]").mistake == "ignored the temperature (plain softmax)"
    assert t.grade("[0.864, ").status == "unreadable"

    k = variants_of(bank, "top-k-filter", 0)[0]
    assert k.grade("0, 0.571, 0, 0.429, 0").correct
    assert k.grade("[0, 0.4, 0, 0.3, 0]").mistake == "did not renormalize the kept probabilities"

    n = variants_of(bank, "top-p-nucleus", 0)[0]
    assert n.grade("[0, 0.4706, 0, 0.3529, 0.1765]").correct
    assert n.grade("[0, 4/7, 0, 3/7, 0]").mistake.startswith("left out the token that takes the sum past p")
    assert n.grade("[0, 8/17, 0").status == "unreadable"

    ppl = variants_of(bank, "perplexity-from-logprobs", 0)[0]
    assert ppl.grade("3.004").correct and ppl.grade("exp(1.1)").correct
    assert ppl.grade("exp(-1.1)").mistake == "dropped the minus sign: exp(mean ln p)"
    assert ppl.grade("1.1").mistake == "stopped at the cross-entropy (forgot to exponentiate)"
    assert ppl.grade("0.1.2").status == "unreadable"

    odds = variants_of(bank, "temperature-odds", 0)[0]
    assert odds.grade("7.389").correct and odds.grade("exp(2)").correct
    assert odds.grade("exp(1)").mistake == "ignored the temperature: exp(z_i − z_j)"
    assert odds.grade("2").mistake == "forgot the exponential: (z_i − z_j) / T"

    greedy = variants_of(bank, "greedy-sequence", 0)[0]
    assert greedy.grade("0.2").correct
    assert greedy.grade("0.36").mistake.startswith("gave the most probable sequence")
    assert greedy.grade("0.5 + 0.4").mistake == "added the step probabilities instead of multiplying"
    assert greedy.grade("0.2.").status == "unreadable"
