import numpy as np


def clip_grad_norm(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = max_norm / (norm + 1e-6)
    return [g * coef for g in grads] if coef < 1 else [g.copy() for g in grads]


def per_tensor(grads, max_norm):
    return [g * min(1.0, max_norm / (np.sqrt(np.sum(g * g)) + 1e-6)) for g in grads]


def by_value(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]


def squared_norm(grads, max_norm):
    sq = sum(float(np.sum(g * g)) for g in grads)
    return [g * min(1.0, max_norm / sq) for g in grads]


def l1_norm(grads, max_norm):
    n1 = sum(float(np.sum(np.abs(g))) for g in grads)
    return [g * min(1.0, max_norm / n1) for g in grads]


def unit_norm(grads, max_norm):
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    return [g / norm for g in grads]


MISTAKES = {
    "per_tensor": "clipped each tensor by its own norm, not the global norm",
    "by_value": "clipped each entry to ±max_norm (that is clip by value)",
    "squared_norm": "divided by the squared norm",
    "l1_norm": "used the L1 norm Σ|g|",
    "unit_norm": "divided by the norm without multiplying by max_norm (unit norm)",
}
