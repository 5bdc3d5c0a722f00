"""Similarity: torch.nn.functional.cosine_similarity and torch.cdist, brute-force loops over the
candidates for the nearest neighbour under each metric, random unit vectors for d² = 2 − 2·cos,
and the hand-worked keys through drill's grader."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drill.solvers import get
from tests._torch import torch_or_skip
from tests.conftest import assert_grades, variants_of


def test_cosine_matches_torch(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "cosine-similarity", 40):
        a = torch.tensor(v.params["a"], dtype=torch.float64)
        b = torch.tensor(v.params["b"], dtype=torch.float64)
        assert v.answer == pytest.approx(float(torch.nn.functional.cosine_similarity(a, b, dim=0)), rel=1e-12, abs=1e-15)


def _loop_scores(q, cands):
    """Plain-Python scores: (cosine, dot, euclidean) per candidate."""
    out = []
    for c in cands:
        dot = sum(x * y for x, y in zip(q, c))
        nq, nc = math.sqrt(sum(x * x for x in q)), math.sqrt(sum(y * y for y in c))
        out.append((dot / (nq * nc), dot, math.sqrt(sum((x - y) ** 2 for x, y in zip(q, c)))))
    return out


@pytest.mark.parametrize("qid, metric", [("nearest-cosine-vs-euclidean", 0), ("max-dot-vs-cosine", 1), ("nearest-euclidean-vs-cosine", 2)])
def test_nearest_matches_a_brute_force_loop(bank, qid, metric):
    for v in variants_of(bank, qid, 40):
        scores = _loop_scores(v.params["query"], v.params["candidates"])
        pick = (min if metric == 2 else max)(range(len(scores)), key=lambda i: scores[i][metric])
        assert v.answer_value == f"c{pick + 1}"
        assert v.grade(v.answer_value).correct and v.grade(v.answer).correct
        # the contrasting metric picks another candidate, and that pick is a named mistake
        other = 2 if metric in (0,) else 0
        alt = (min if other == 2 else max)(range(len(scores)), key=lambda i: scores[i][other])
        assert alt != pick
        assert v.grade(f"c{alt + 1}").mistake.startswith("ranked by")


def test_euclidean_nearest_matches_torch_cdist(bank):
    torch = torch_or_skip()
    for v in variants_of(bank, "nearest-euclidean-vs-cosine", 40):
        q = torch.tensor([v.params["query"]], dtype=torch.float64)
        C = torch.tensor(v.params["candidates"], dtype=torch.float64)
        assert v.answer_value == f"c{int(torch.cdist(q, C).argmin()) + 1}"


def test_unit_distance_to_cosine_on_random_unit_vectors(bank):
    """Rotate a random unit vector until it is at distance d: its cosine with the first is the answer."""
    rng = np.random.default_rng(0)
    for v in variants_of(bank, "unit-distance-to-cosine", 40):
        d = v.params["distance"]
        a = rng.normal(size=8)
        a /= np.linalg.norm(a)
        u = rng.normal(size=8)
        u -= (u @ a) * a
        u /= np.linalg.norm(u)
        theta = 2 * math.asin(d / 2)  # chord length d on the unit circle spanned by a and u
        b = math.cos(theta) * a + math.sin(theta) * u
        assert np.linalg.norm(a - b) == pytest.approx(d, rel=1e-12)
        assert v.answer == pytest.approx(float(a @ b), rel=1e-9, abs=1e-12)


def test_normalized_vectors_make_the_metrics_agree():
    """After normalization cosine, dot and Euclidean rank alike, so the solver refuses such a question."""
    from drill.solvers import InvalidParams

    C = np.array([[3, 3], [1, 0], [-1, 2], [0.5, 1.5]], dtype=float)
    C /= np.linalg.norm(C, axis=1, keepdims=True)
    with pytest.raises(InvalidParams):
        get("nearest-candidate").solve({"metric": "cosine", "query": [0.6, 0.8], "candidates": C.tolist()})


@pytest.mark.parametrize("qid, right, mistake, named", [
    ("cosine-similarity", "0.889", "8", "gave the dot product"),
    ("nearest-cosine-vs-euclidean", "c1", "c4", "ranked by the smallest Euclidean distance"),
    ("nearest-euclidean-vs-cosine", "c4", "c1", "ranked by the largest cosine"),
    ("max-dot-vs-cosine", "c1", "c2", "ranked by the largest cosine"),
    ("unit-distance-to-cosine", "0.82", "0.7", "forgot to square"),
])
def test_canonical_keys_and_mistakes(bank, qid, right, mistake, named):
    v = variants_of(bank, qid, 0)[0]
    assert_grades(v, right, mistake, named, "cos?" if v.choices is None else "Z")
