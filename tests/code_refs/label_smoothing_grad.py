import numpy as np


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _onehot(k, t):
    y = np.zeros(k)
    y[t] = 1.0
    return y


def label_smoothing_grad(z, target, epsilon):
    k = len(z)
    return _softmax(z) - ((1 - epsilon) * _onehot(k, target) + epsilon / k)


def other_convention(z, target, epsilon):
    k = len(z)
    y = np.full(k, epsilon / (k - 1))
    y[target] = 1 - epsilon
    return _softmax(z) - y


def no_smoothing(z, target, epsilon):
    return _softmax(z) - _onehot(len(z), target)


def forgot_uniform(z, target, epsilon):
    return _softmax(z) - (1 - epsilon) * _onehot(len(z), target)


def flipped(z, target, epsilon):
    return -label_smoothing_grad(z, target, epsilon)


MISTAKES = {
    "other_convention": "used ε/(K − 1) on the other classes and 1 − ε on the target (another convention)",
    "no_smoothing": "forgot the smoothing (plain one-hot target)",
    "forgot_uniform": "scaled the one-hot by 1 − ε but forgot to add ε/K to every class",
    "flipped": "flipped the sign (y − p)",
}
