import numpy as np


def batchnorm_eval(x, running_mean, running_var, gamma, beta, eps):
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


def batch_stats(x, running_mean, running_var, gamma, beta, eps):
    return gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta


def by_variance(x, running_mean, running_var, gamma, beta, eps):
    return gamma * (x - running_mean) / (running_var + eps) + beta


def no_affine(x, running_mean, running_var, gamma, beta, eps):
    return (x - running_mean) / np.sqrt(running_var + eps)


MISTAKES = {
    "batch_stats": "normalized with the batch's own mean and variance (training mode)",
    "by_variance": "divided by the running variance instead of its square root",
    "no_affine": "forgot γ and β",
}
