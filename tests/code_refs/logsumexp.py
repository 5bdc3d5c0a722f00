import numpy as np


def logsumexp(z):
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))


def just_max(z):
    return float(np.max(z))


def no_max_back(z):
    return np.log(np.sum(np.exp(z - np.max(z))))


def log10_correction(z):
    m = np.max(z)
    return m + np.log10(np.sum(np.exp(z - m)))


def dropped_max_term(z):
    m = np.max(z)
    i = int(np.argmax(z))
    return m + np.log(np.sum(np.exp(np.delete(z, i) - m)))


MISTAKES = {
    "just_max": "approximated logsumexp by the max (dropped ln Σ exp(z − m))",
    "no_max_back": "forgot to add the max back",
    "log10_correction": "used log base 10 for the correction",
    "dropped_max_term": "dropped the max's own term e^0 = 1 from the sum",
}
