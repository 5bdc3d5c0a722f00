import numpy as np


def layernorm(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta


def unbiased(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean()) / np.sqrt(x.var(ddof=1) + eps) + beta


def by_variance(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean()) / (x.var() + eps) + beta


def no_affine(x, gamma, beta, eps=1e-5):
    return (x - x.mean()) / np.sqrt(x.var() + eps)


def no_mean(x, gamma, beta, eps=1e-5):
    return gamma * x / np.sqrt(np.mean(x * x) + eps) + beta


MISTAKES = {
    "unbiased": "used the unbiased variance (÷ (D − 1)); LayerNorm divides by D",
    "by_variance": "divided by the variance instead of the standard deviation",
    "no_affine": "forgot γ and β (stopped at x̂)",
    "no_mean": "did not subtract the mean (that is RMSNorm)",
}
