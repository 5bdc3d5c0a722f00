import numpy as np


def top_k_filter(probs, k):
    keep = np.argsort(-probs, kind="stable")[:k]
    out = np.zeros_like(probs)
    out[keep] = probs[keep]
    return out / out.sum()


def no_renormalize(probs, k):
    keep = np.argsort(-probs, kind="stable")[:k]
    out = np.zeros_like(probs)
    out[keep] = probs[keep]
    return out


def least(probs, k):
    keep = np.argsort(probs, kind="stable")[:k]
    out = np.zeros_like(probs)
    out[keep] = probs[keep]
    return out / out.sum()


def off_by_one(probs, k):
    return top_k_filter(probs, k + 1)


MISTAKES = {
    "no_renormalize": "did not renormalize the kept probabilities",
    "least": "kept the k least probable tokens",
    "off_by_one": "kept k + 1 tokens (off by one)",
}
