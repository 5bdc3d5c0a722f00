"""Decoding from a language model's next-token distribution: temperature, top-k, top-p
(nucleus), and perplexity.

Tokens are numbered from 0; a filtered distribution is given over the whole vocabulary, with 0
for every token removed::

    temperature:  p = softmax(z / T)
    top-k:        keep the k most probable tokens, renormalize
    top-p:        sort by probability, descending; keep the smallest prefix whose cumulative
                  probability is ≥ p; renormalize
    perplexity:   PPL = exp(−(1/N)·Σ_t ln p(x_t | x_<t))      (natural log)

Ties in probability are broken in favour of the lower token id. Probabilities in the questions
have two decimals, so the cumulative sums are compared in exact hundredths.
"""

from __future__ import annotations

import math

import numpy as np

from . import Formula, InvalidParams, Solution, formula, solver
from ._params import Int, Num, Vector, Matrix, LOGITS
from ._fmt import fmt, plural
from .softmax_ce import softmax


@solver("temperature-softmax", params={
    "logits": LOGITS,
    "temperature": Num("the softmax temperature T", lo=0, example=0.5),
})
def temperature_softmax(p: dict) -> Solution:
    """softmax(z / T) for logits z (K,) and temperature T > 0."""
    z = np.asarray(p["logits"], dtype=float)
    t = float(p["temperature"])
    if z.ndim != 1 or len(z) < 2 or t <= 0:
        raise InvalidParams("logits must be a vector of ≥ 2 numbers and the temperature positive")
    scaled = z / t
    prob = softmax(scaled)
    e = np.exp(scaled - scaled.max())
    steps = [
        f"Divide the logits by T = {fmt(t)}: z/T = {fmt(scaled.tolist(), 5)}",
        f"Exponentiate (after subtracting the max, which changes nothing): {fmt(e.tolist(), 5)}, sum {fmt(float(e.sum()), 5)}",
        f"Normalize: p = {fmt(prob.tolist(), 5)}",
        "T < 1 sharpens the distribution toward the largest logit; T > 1 flattens it.",
    ]
    mistakes = {
        "multiplied the logits by T instead of dividing": softmax(z * t).tolist(),
        "ignored the temperature (plain softmax)": softmax(z).tolist(),
        "forgot to normalize: exp(z/T) without dividing by the sum": np.exp(scaled).tolist(),
    }
    syms = {f"z{i}": (f"the logit of token {i}", float(v)) for i, v in enumerate(z)}
    expr = "exp(z0/T)/(" + " + ".join(f"exp(z{i}/T)" for i in range(len(z))) + ")"
    declared = [formula(expr, name="p_0", target=0, T=("the temperature", t), **syms)]
    return Solution(prob.tolist(), steps, mistakes, formulas=declared)


def _hundredths(p: dict) -> list[int]:
    """The probabilities as whole hundredths; they must sum to exactly 1."""
    raw = [float(v) for v in p["probs"]]
    h = [round(v * 100) for v in raw]
    if any(abs(v * 100 - hv) > 1e-6 for v, hv in zip(raw, h)):
        raise InvalidParams("probabilities must have at most two decimals")
    if sum(h) != 100 or min(h) < 1:
        raise InvalidParams(f"probabilities must be positive and sum to 1, got {raw}")
    return h


def _order(h: list[int]) -> list[int]:
    """Token ids sorted by probability, descending; ties: lower id first."""
    return sorted(range(len(h)), key=lambda i: (-h[i], i))


def _keep(h: list[int], kept: list[int] | set[int], *, renormalize: bool = True) -> list[float]:
    """Distribution over the whole vocabulary with only ``kept`` tokens, renormalized (or not)."""
    mass = sum(h[i] for i in kept)
    return [(h[i] / mass if renormalize else h[i] / 100) if i in kept else 0.0 for i in range(len(h))]


def _renormalized(h: list[int], kept: list[int]) -> Formula:
    """The most probable kept token's filtered probability: its p over the kept tokens' total."""
    top = kept[0]
    syms = {f"p{i}": (f"the probability of token {i}", h[i] / 100) for i in sorted(kept)}
    expr = f"p{top}/(" + " + ".join(syms) + ")"
    return formula(expr, name=f"p'_{top}", target=top, **syms)


def _vocab(h: list[int]) -> dict[str, str]:
    return {"_v": str(len(h)), "_last": str(len(h) - 1)}


def _show(h: list[int], ids: list[int]) -> str:
    return ", ".join(f"token {i}: {fmt(h[i] / 100)}" for i in ids)


@solver("top-k-filter", params={
    "probs": Vector("the next-token probabilities, of shape (V,)", lo=0, hi=1, example=[0.1, 0.4, 0.05, 0.3, 0.15]),
    "k": Int("how many of the most likely tokens are kept", lo=1, example=2),
})
def top_k_filter(p: dict) -> Solution:
    """Top-k filtering: the k most probable tokens keep their probability, renormalized."""
    h = _hundredths(p)
    k = int(p["k"])
    if not 1 <= k < len(h):
        raise InvalidParams(f"k must be 1 … {len(h) - 1}, got {k}")
    order = _order(h)
    kept = order[:k]
    mass = sum(h[i] for i in kept)
    ans = _keep(h, kept)
    steps = [
        f"Sort by probability, descending (ties: lower id first): {_show(h, order)}",
        f"Keep the top k = {k}: tokens {sorted(kept)}; their mass is {fmt(mass / 100)}",
        f"Renormalize: divide each kept probability by {fmt(mass / 100)}; the others become 0",
        f"Filtered distribution over tokens 0 … {len(h) - 1}: {fmt(ans, 4)}",
    ]
    mistakes = {
        "did not renormalize the kept probabilities": _keep(h, kept, renormalize=False),
        "kept the k least probable tokens": _keep(h, order[-k:]),
    }
    if k + 1 < len(h):
        mistakes["kept k + 1 tokens (off by one)"] = _keep(h, order[: k + 1])
    return Solution(ans, steps, mistakes, context=_vocab(h), formulas=[_renormalized(h, kept)])


def _nucleus(h: list[int], order: list[int], top_p: int, *, strict: bool = False) -> list[int]:
    """The shortest prefix of ``order`` whose mass reaches ``top_p`` (hundredths); > if strict."""
    kept, mass = [], 0
    for i in order:
        kept.append(i)
        mass += h[i]
        if (mass > top_p) if strict else (mass >= top_p):
            break
    return kept


@solver("top-p-nucleus", params={
    "probs": Vector("the next-token probabilities, of shape (V,)", lo=0, hi=1, example=[0.1, 0.4, 0.05, 0.3, 0.15]),
    "top_p": Num("the nucleus mass p (at most two decimals)", lo=0, hi=1, example=0.8),
})
def top_p_nucleus(p: dict) -> Solution:
    """Top-p (nucleus) filtering: the smallest most-probable set with cumulative probability ≥ p."""
    h = _hundredths(p)
    tp = float(p["top_p"])
    top = round(tp * 100)
    if abs(tp * 100 - top) > 1e-6 or not 1 <= top < 100:
        raise InvalidParams(f"top_p must be in (0, 1) with at most two decimals, got {tp}")
    order = _order(h)
    kept = _nucleus(h, order, top)
    mass = sum(h[i] for i in kept)
    ans = _keep(h, kept)
    cum, running = [], 0
    for i in order:
        running += h[i]
        cum.append(f"{fmt(running / 100)}")
    steps = [
        f"Sort by probability, descending (ties: lower id first): {_show(h, order)}",
        f"Cumulative sums in that order: {', '.join(cum)}",
        f"The first time the sum is ≥ {fmt(tp)} is after {len(kept)} {plural(len(kept), 'token')}: keep tokens {sorted(kept)} (mass {fmt(mass / 100)})",
        f"Renormalize by {fmt(mass / 100)}: {fmt(ans, 4)}",
    ]
    mistakes = {"did not renormalize the kept probabilities": _keep(h, kept, renormalize=False)}
    if len(kept) > 1:
        mistakes["left out the token that takes the sum past p (kept only sums below p)"] = _keep(h, kept[:-1])
    mistakes["accumulated in token-id order instead of sorting by probability first"] = _keep(h, _nucleus(h, list(range(len(h))), top))
    strict = _nucleus(h, order, top, strict=True)
    if strict != kept:
        mistakes["stopped only when the sum exceeded p (> instead of ≥)"] = _keep(h, strict)
    return Solution(ans, steps, mistakes, context=_vocab(h), formulas=[_renormalized(h, kept)])


@solver("perplexity-logprobs", params={
    "logprobs": Vector("the natural-log probability of each token, of shape (T,)", hi=0, example=[-0.5, -1.2, -2.3, -0.4]),
})
def perplexity_logprobs(p: dict) -> Solution:
    """Perplexity exp(−mean ln p) from per-token natural-log probabilities."""
    lp = [float(v) for v in p["logprobs"]]
    if not lp or any(v > 0 for v in lp):
        raise InvalidParams("log-probabilities must be ≤ 0 (and at least one)")
    n = len(lp)
    total = sum(lp)
    nll = -total / n
    ppl = math.exp(nll)
    steps = [
        f"Sum of the log-probabilities: {' + '.join(f'({fmt(v)})' for v in lp)} = {fmt(total, 6)}",
        f"Mean negative log-likelihood (cross-entropy per token): −({fmt(total, 6)}) / {n} = {fmt(nll, 6)} nats",
        f"Perplexity = e^{fmt(nll, 6)} = {fmt(ppl, 6)}",
        "(the geometric mean of 1/p over the tokens: a model this uncertain is as unsure as a uniform choice among that many tokens)",
    ]
    mistakes = {
        "forgot to divide by the number of tokens (exp of the total)": math.exp(-total),
        "dropped the minus sign: exp(mean ln p)": math.exp(-nll),
        "used base 2: 2^(mean negative log-likelihood) with natural logs": 2**nll,
        "averaged the per-token perplexities 1/p instead of the log-probabilities": sum(math.exp(-v) for v in lp) / n,
        "stopped at the cross-entropy (forgot to exponentiate)": nll,
    }
    syms = {f"l{t + 1}": (f"ln p of token {t + 1}", v) for t, v in enumerate(lp)}
    declared = [formula("exp(-(" + " + ".join(syms) + ")/N)", name="PPL", N=("the number of tokens", n), **syms)]
    return Solution(ppl, steps, mistakes, context={"_n": str(n)}, formulas=declared)


@solver("temperature-odds", params={
    "logits": LOGITS,
    "temperature": Num("the softmax temperature T", lo=0, example=0.5),
    "i": Int("the first token id, 0-based", lo=0, example=0),
    "j": Int("the second token id, 0-based", lo=0, example=1),
})
def temperature_odds(p: dict) -> Solution:
    """p_i / p_j under softmax(z / T): exp((z_i − z_j) / T) — the normalizer cancels."""
    z = [float(v) for v in p["logits"]]
    i, j, t = int(p["i"]), int(p["j"]), float(p["temperature"])
    if not (0 <= i < len(z) and 0 <= j < len(z)) or i == j or t <= 0:
        raise InvalidParams("i and j must be two different token ids and T positive")
    gap = z[i] - z[j]
    ratio = math.exp(gap / t)
    steps = [
        f"p_i / p_j = exp(z_i/T) / exp(z_j/T): the sum Σ exp(z/T) cancels",
        f"= exp((z_{i} − z_{j}) / T) = exp(({fmt(z[i])} − {fmt(z[j])}) / {fmt(t)}) = exp({fmt(gap / t, 6)}) = {fmt(ratio, 6)}",
        f"(at T = 1 the ratio would be exp({fmt(gap, 6)}) = {fmt(math.exp(gap), 6)}: T < 1 widens the gap, T > 1 narrows it)",
    ]
    mistakes = {
        "ignored the temperature: exp(z_i − z_j)": math.exp(gap),
        "multiplied the logit gap by T instead of dividing": math.exp(gap * t),
        "forgot the exponential: (z_i − z_j) / T": gap / t,
    }
    declared = [formula("exp((z_i - z_j)/T)", name=f"p_{i}/p_{j}", z_i=(f"the logit of token {i}", z[i]),
                        z_j=(f"the logit of token {j}", z[j]), T=("the temperature", t))]
    return Solution(ratio, steps, mistakes, context={"_v": str(len(z) - 1)}, formulas=declared)


def _dist(v: list, what: str) -> list[float]:
    d = [round(float(x), 9) for x in v]  # 1 − 0.2 − 0.4 is 0.39999999999999997: ties must stay ties
    if any(x <= 0 for x in d) or abs(sum(d) - 1) > 1e-9:
        raise InvalidParams(f"{what} must be positive probabilities summing to 1, got {v}")
    return d


def _argmax(d: list[float]) -> int:
    return max(range(len(d)), key=lambda i: (d[i], -i))  # ties: the lower id


@solver("greedy-sequence", params={
    "first": Vector("the first step's token probabilities, of shape (V,)", lo=0, hi=1, example=[0.5, 0.4, 0.1]),
    "P2": Matrix("the second step's probabilities given each first token, of shape (V, V)", example=[[0.4, 0.3, 0.3], [0.9, 0.05, 0.05], [0.3, 0.3, 0.4]]),
})
def greedy_sequence(p: dict) -> Solution:
    """Joint probability of the two-token sequence greedy decoding picks, and the best sequence."""
    first = _dist(p["first"], "first")
    after = [_dist(row, f"row {r} of P2") for r, row in enumerate(p["P2"])]
    if len(after) != len(first):
        raise InvalidParams("P2 needs one row per possible first token")
    a = _argmax(first)
    b = _argmax(after[a])
    greedy = first[a] * after[a][b]
    joint = {(x, y): round(first[x] * after[x][y], 12) for x in range(len(first)) for y in range(len(after[x]))}
    best = max(joint, key=lambda s: (joint[s], -s[0], -s[1]))
    if joint[best] <= round(greedy, 12):  # the classic mistake (the best sequence) would be graded correct
        raise InvalidParams("greedy finds the most probable sequence here, so the question teaches nothing; draw again")
    steps = [
        f"Step 1: the most probable first token is {a} (p = {fmt(first[a])})",
        f"Step 2: given first = {a}, the most probable second token is {b} (p = {fmt(after[a][b])})",
        f"Greedy sequence ({a}, {b}): P = {fmt(first[a])} · {fmt(after[a][b])} = {fmt(greedy, 6)}",
        f"For comparison, the most probable sequence is {best} with P = {fmt(first[best[0]])} · {fmt(after[best[0]][best[1]])} = {fmt(joint[best], 6)}"
        + ("" if joint[best] > greedy else " — here greedy found it"),
    ]
    mistakes = {
        "gave the most probable sequence (greedy never looks ahead; a search such as beam search can find it)": joint[best],
        "took the largest second-step probability of any branch": first[a] * max(max(r) for r in after),
        "added the step probabilities instead of multiplying": first[a] + after[a][b],
        "stopped after the first token": first[a],
    }
    declared = [formula("p_a*p_b_a", name=f"P({a}, {b})", p_a=(f"the probability of the greedy first token {a}", first[a]),
                        p_b_a=(f"the probability of the greedy second token {b} given the first token {a}", after[a][b]))]
    return Solution(greedy, steps, mistakes, formulas=declared)
