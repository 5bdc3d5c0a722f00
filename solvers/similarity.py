"""Similarity of embedding vectors: cosine, dot product and Euclidean distance, and nearest neighbours.

    cos(a, b) = a·b / (‖a‖·‖b‖)          dot(a, b) = a·b          d(a, b) = ‖a − b‖₂
    for unit vectors: d² = 2 − 2·cos, so cos = 1 − d²/2

Nearest neighbour of a query q among named candidates: the largest cosine, the largest dot product
(maximum inner-product search) or the smallest Euclidean distance. They disagree because the dot
product grows with a candidate's length, cosine ignores length, and distance punishes it.
"""

from __future__ import annotations

import numpy as np

from . import InvalidParams, Solution, formula, solver
from ._params import Num, Text, Vector, Matrix
from ._fmt import fmt


def _vec(p: dict, key: str) -> np.ndarray:
    a = np.atleast_1d(np.asarray(p[key], dtype=float))
    if a.ndim != 1 or not np.isfinite(a).all() or not a.any():
        raise InvalidParams(f"{key} must be a nonzero vector of numbers, got {p[key]!r}")
    return a


def _t(x: float) -> str:
    """A factor in a product: negative numbers in parentheses."""
    return f"({fmt(float(x))})" if x < 0 else fmt(float(x))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@solver("cosine-similarity", params={
    "a": Vector("the first vector, of shape (d,)"),
    "b": Vector("the second vector, of shape (d,)"),
})
def cosine_similarity(p: dict) -> Solution:
    """cos(a, b) = a·b / (‖a‖·‖b‖)."""
    a, b = _vec(p, "a"), _vec(p, "b")
    if a.shape != b.shape:
        raise InvalidParams("a and b must have one length")
    dot, na, nb = float(a @ b), float(np.linalg.norm(a)), float(np.linalg.norm(b))
    c = dot / (na * nb)
    steps = [
        f"a·b = {' + '.join(f'{_t(x)}·{_t(y)}' for x, y in zip(a, b))} = {fmt(dot)}",
        f"‖a‖ = √{fmt(na * na)} = {fmt(na)}, ‖b‖ = √{fmt(nb * nb)} = {fmt(nb)}",
        f"cos(a, b) = a·b/(‖a‖·‖b‖) = {fmt(dot)}/({fmt(na)}·{fmt(nb)}) = {fmt(c)}",
    ]
    mistakes = {
        "gave the dot product (did not normalize)": dot,
        "gave the cosine distance 1 − cos": 1 - c,
        "normalized by ‖a‖ only": dot / na,
        "divided by the squared norms ‖a‖²·‖b‖²": dot / (na * na * nb * nb),
    }
    f = formula("a_dot_b/(norm_a*norm_b)", name="cos(a, b)", a_dot_b=("dot product a·b", dot), norm_a=("length ‖a‖", na),
                norm_b=("length ‖b‖", nb))
    return Solution(c, steps, mistakes, formulas=[f])


METRICS = {
    "cosine": ("the largest cosine similarity", True),
    "dot": ("the largest dot product", True),
    "euclidean": ("the smallest Euclidean distance", False),
}
CONTRAST = {"cosine": "euclidean", "euclidean": "cosine", "dot": "cosine"}


def _scores(q: np.ndarray, C: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "cosine": np.array([cosine(q, c) for c in C]),
        "dot": C @ q,
        "euclidean": np.linalg.norm(C - q, axis=1),
    }


def _best(scores: np.ndarray, largest: bool) -> int | None:
    """Index of the winner, or None when the top two are too close to call at 3 significant figures."""
    order = np.argsort(-scores if largest else scores)
    a, b = scores[order[0]], scores[order[1]]
    if abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9):
        return None
    return int(order[0])


@solver("nearest-candidate", params={
    "query": Vector("the query vector, of shape (d,)", example=[1, 1]),
    "candidates": Matrix("the candidates, of shape (n, d), one per row", example=[[3, 3], [1, 0], [-1, 2], [0.5, 1.5]]),
    "metric": Text("how nearness is measured", choices=tuple(METRICS), example='cosine'),
})
def nearest_candidate(p: dict) -> Solution:
    """Which named candidate (rows of ``candidates``, named c1, c2, …) is nearest the query under ``metric``."""
    q, metric = _vec(p, "query"), p["metric"]
    C = np.asarray(p["candidates"], dtype=float)
    if metric not in METRICS:
        raise InvalidParams(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    if C.ndim != 2 or C.shape[1] != q.size or C.shape[0] < 2 or (~C.any(axis=1)).any():
        raise InvalidParams("candidates must be nonzero rows as long as the query")
    names = [f"c{i + 1}" for i in range(C.shape[0])]
    S = _scores(q, C)
    win = {m: _best(S[m], largest) for m, (_, largest) in METRICS.items()}
    if win[metric] is None or win[CONTRAST[metric]] is None or win[metric] == win[CONTRAST[metric]]:
        raise InvalidParams("this metric and its contrast must pick different, clear winners")
    words, largest = METRICS[metric]
    label = {"cosine": "cos", "dot": "q·c", "euclidean": "‖q − c‖"}
    steps = [f"{n}: {label[metric]} = {fmt(float(s), 4)}" for n, s in zip(names, S[metric])]
    steps.insert(0, f"Score every candidate by {label[metric]} (want {words}):")
    steps.append(f"{names[win[metric]]} has {words}")
    other = CONTRAST[metric]
    steps.append(f"(By {label[other]} the pick would differ: "
                 + ", ".join(f"{n} {fmt(float(s), 4)}" for n, s in zip(names, S[other]))
                 + f" → {names[win[other]]})")
    mistakes: dict[str, str] = {}
    for m in sorted(METRICS, key=lambda m: m != CONTRAST[metric]):  # the contrast first: it names a shared pick
        if m != metric and win[m] is not None:
            mistakes[f"ranked by {METRICS[m][0]} instead"] = names[win[m]]
    worst = int(np.argmin(S[metric]) if largest else np.argmax(S[metric]))
    mistakes[f"took the {'smallest' if largest else 'largest'} score (read the {'similarity as a distance' if largest else 'distance as a similarity'})"] = names[worst]
    cands = "; ".join(f"{n} = {fmt([float(x) for x in c])}" for n, c in zip(names, C))
    # the answer is a name, not a number, so no formula: its hint is the concept
    concept = ("Score every candidate with the stated metric: the dot product grows with a vector's length, "
               "cosine ignores length, Euclidean distance punishes it.")
    return Solution(names[win[metric]], steps, mistakes, context={"_candidates": cands}, choices=names, concept=concept)


@solver("unit-distance-to-cosine", params={
    "distance": Num("the Euclidean distance between two unit vectors", lo=0, hi=2, example=0.6),
})
def unit_distance_to_cosine(p: dict) -> Solution:
    """cos = 1 − d²/2 for two unit vectors at Euclidean distance d (0 < d < 2)."""
    d = float(p["distance"])
    if not 0 < d < 2:
        raise InvalidParams(f"two unit vectors are between 0 and 2 apart, got {d}")
    c = 1 - d * d / 2
    steps = [
        "‖a − b‖² = ‖a‖² + ‖b‖² − 2·a·b = 2 − 2·cos(a, b) for unit vectors",
        f"cos = 1 − d²/2 = 1 − {fmt(d)}²/2 = 1 − {fmt(d * d / 2)} = {fmt(c)}",
    ]
    mistakes = {
        "forgot to square the distance: 1 − d/2": 1 - d / 2,
        "dropped the 2: 1 − d²": 1 - d * d,
        "gave the cosine distance d²/2 = 1 − cos": d * d / 2,
    }
    return Solution(c, steps, mistakes, formulas=[formula("1 - d**2/2", name="cos", d=("Euclidean distance between the unit vectors", d))])
