import numpy as np


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_ce_grad(z, target):
    g = _softmax(z)
    g[target] -= 1.0
    return g


def used_p(z, target):
    return _softmax(z)


def flipped(z, target):
    return -softmax_ce_grad(z, target)


def unnormalized(z, target):
    g = np.exp(z)
    g[target] -= 1.0
    return g


def only_target(z, target):
    g = np.zeros_like(z)
    g[target] = _softmax(z)[target] - 1.0
    return g


def stopped_at_p(z, target):
    g = np.zeros_like(z)
    g[target] = -1.0 / _softmax(z)[target]
    return g


MISTAKES = {
    "used_p": "used p instead of p − y (forgot to subtract the one-hot target)",
    "flipped": "flipped the sign (y − p)",
    "unnormalized": "forgot to normalize: exp(z) − y",
    "only_target": "only differentiated the target entry (the other logits matter too)",
    "stopped_at_p": "stopped at dL/dp (−1/p_t at the target) instead of going back to z",
}
