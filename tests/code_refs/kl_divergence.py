import numpy as np


def _log(unit):
    return np.log2 if unit == "bits" else np.log


def kl_divergence(p, q, unit):
    return float(np.sum(p * _log(unit)(p / q)))


def reversed_kl(p, q, unit):
    return kl_divergence(q, p, unit)


def cross_entropy(p, q, unit):
    return float(-np.sum(p * _log(unit)(q)))


def flipped_ratio(p, q, unit):
    return float(np.sum(p * _log(unit)(q / p)))


MISTAKES = {
    "reversed_kl": "reversed the direction: KL(Q‖P)",
    "cross_entropy": "gave the cross-entropy H(P, Q) = −Σ p log q (forgot to subtract H(P))",
    "flipped_ratio": "flipped the ratio: Σ p log(q/p)",
}
