import numpy as np


def momentum_steps(w, v, grads, lr, momentum):
    w, v = np.array(w, dtype=float), np.array(v, dtype=float)
    for g in grads:
        v = momentum * v - lr * g
        w = w + v
    return w


def swapped(w, v, grads, lr, momentum):
    return momentum_steps(w, v, grads, momentum, lr)


def uphill(w, v, grads, lr, momentum):
    w, v = np.array(w, dtype=float), np.array(v, dtype=float)
    for g in grads:
        v = momentum * v + lr * g
        w = w + v
    return w


def old_velocity(w, v, grads, lr, momentum):
    w, v = np.array(w, dtype=float), np.array(v, dtype=float)
    for g in grads:
        w = w + v
        v = momentum * v - lr * g
    return w


def no_velocity(w, v, grads, lr, momentum):
    return w - lr * np.sum(grads, axis=0)


MISTAKES = {
    "swapped": "swapped η and α (used α as the momentum and η as the learning rate)",
    "uphill": "added the gradient term (v ← η·v + α·∇L moves uphill)",
    "old_velocity": "updated w with the old velocity (w ← w + v before updating v)",
    "no_velocity": "forgot the velocity (plain gradient descent)",
}
