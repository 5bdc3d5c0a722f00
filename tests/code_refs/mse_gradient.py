import numpy as np


def mse_gradient(x, y, m, b):
    r = m * x + b - y
    return np.array([2 * np.mean(r * x), 2 * np.mean(r)])


def no_two(x, y, m, b):
    return mse_gradient(x, y, m, b) / 2


def twice_n(x, y, m, b):
    return mse_gradient(x, y, m, b) / len(x)


def summed(x, y, m, b):
    return mse_gradient(x, y, m, b) * len(x)


def flipped(x, y, m, b):
    return -mse_gradient(x, y, m, b)


def no_x(x, y, m, b):
    r = m * x + b - y
    return np.array([2 * np.mean(r), 2 * np.mean(r)])


MISTAKES = {
    "no_two": "forgot the factor 2 from the square",
    "twice_n": "divided by N twice",
    "summed": "summed instead of averaging (forgot the 1/N)",
    "flipped": "flipped the sign (dropped the − of the inner derivative)",
    "no_x": "forgot the x_i in ∂/∂m (used the ∂/∂b formula for both)",
}
