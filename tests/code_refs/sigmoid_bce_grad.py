import math


def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def sigmoid_bce_grad(z, y):
    return _sigmoid(z) - y


def flipped(z, y):
    return y - _sigmoid(z)


def stopped_at_yhat(z, y):
    s = _sigmoid(z)
    return (1 - y) / (1 - s) - y / s


def twice(z, y):
    s = _sigmoid(z)
    return (s - y) * s * (1 - s)


def no_label(z, y):
    return _sigmoid(z)


MISTAKES = {
    "flipped": "flipped the sign (y − ŷ)",
    "stopped_at_yhat": "stopped at dℓ/dŷ (forgot the sigmoid's derivative)",
    "twice": "multiplied by σ'(z) again after simplifying to ŷ − y",
    "no_label": "forgot to subtract the label (σ(z))",
}
