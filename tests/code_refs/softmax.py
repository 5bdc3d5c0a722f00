import numpy as np


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def no_normalize(z):
    return np.exp(z)


def negated(z):
    return softmax(-z)


def hard_max(z):
    out = np.zeros_like(z)
    out[np.argmax(z)] = 1.0
    return out


def no_exp(z):
    return z / z.sum()


def unstable(z):
    e = np.exp(z)
    return e / e.sum()


MISTAKES = {
    "no_normalize": "forgot to normalize: exp(z) without dividing by the sum",
    "negated": "applied softmax to −z (sign slip in the exponent)",
    "hard_max": "took the hard max (one-hot of the largest logit) instead of the softmax",
    "no_exp": "skipped the exponential: z / Σ z",
}
