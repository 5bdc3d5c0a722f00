import numpy as np


def batchnorm_forward(x, gamma, beta, eps):
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def unbiased(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta


def by_variance(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=0)) / (x.var(axis=0) + eps) + beta


def no_affine(x, gamma, beta, eps):
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)


def wrong_axis(x, gamma, beta, eps):
    m = x.mean(axis=1, keepdims=True)
    v = x.var(axis=1, keepdims=True)
    return gamma * (x - m) / np.sqrt(v + eps) + beta


MISTAKES = {
    "unbiased": "used the unbiased variance (÷ (N − 1)); training-mode BN divides by N",
    "by_variance": "divided by the variance instead of the standard deviation",
    "no_affine": "forgot γ and β (stopped at x̂)",
    "wrong_axis": "normalized over the wrong axis (each sample across its features)",
}
