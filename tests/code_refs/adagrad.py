import numpy as np


def adagrad_step(w, G, grad, lr, eps):
    G = G + grad * grad
    return w - lr * grad / (np.sqrt(G) + eps)


def old_sum(w, G, grad, lr, eps):
    return w - lr * grad / (np.sqrt(G) + eps)


def no_sqrt(w, G, grad, lr, eps):
    return w - lr * grad / (G + grad * grad + eps)


def plain_sgd(w, G, grad, lr, eps):
    return w - lr * grad


MISTAKES = {
    "old_sum": "divided by the old sum (did not add g² first)",
    "no_sqrt": "forgot the square root",
    "plain_sgd": "ignored the accumulator (plain SGD step)",
}
