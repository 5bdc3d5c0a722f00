import numpy as np


def rmsnorm(x, gamma, eps=1e-6):
    return gamma * x / np.sqrt(np.mean(x * x) + eps)


def subtracted_mean(x, gamma, eps=1e-6):
    c = x - x.mean()
    return gamma * c / np.sqrt(np.mean(c * c) + eps)


def l2_norm(x, gamma, eps=1e-6):
    return gamma * x / np.sqrt(np.sum(x * x) + eps)


def no_sqrt(x, gamma, eps=1e-6):
    return gamma * x / (np.mean(x * x) + eps)


def no_gamma(x, gamma, eps=1e-6):
    return x / np.sqrt(np.mean(x * x) + eps)


MISTAKES = {
    "subtracted_mean": "subtracted the mean first (that is LayerNorm)",
    "l2_norm": "divided by the L2 norm ‖x‖ instead of the RMS (forgot the 1/D)",
    "no_sqrt": "forgot the square root (divided by mean(x²))",
    "no_gamma": "forgot γ",
}
