import numpy as np


def batchnorm_backward_dx(x, dy, gamma, eps):
    n = len(x)
    sd = np.sqrt(x.var() + eps)
    xh = (x - x.mean()) / sd
    return gamma / (n * sd) * (n * dy - dy.sum() - xh * np.sum(dy * xh))


def constants(x, dy, gamma, eps):
    return gamma * dy / np.sqrt(x.var() + eps)


def mean_path_only(x, dy, gamma, eps):
    return gamma * (dy - dy.mean()) / np.sqrt(x.var() + eps)


def unbiased(x, dy, gamma, eps):
    n = len(x)
    sd = np.sqrt(x.var(ddof=1) + eps)
    xh = (x - x.mean()) / sd
    return gamma / (n * sd) * (n * dy - dy.sum() - xh * np.sum(dy * xh))


def no_gamma(x, dy, gamma, eps):
    return batchnorm_backward_dx(x, dy, 1.0, eps)


MISTAKES = {
    "constants": "treated μ and σ as constants: dx = γ·dy/σ̂",
    "mean_path_only": "kept the path through μ but not through σ²",
    "no_gamma": "forgot the factor γ",
}
