import numpy as np


def l2_penalty_grad(w, grad, lam):
    return grad + 2 * lam * w


def half(w, grad, lam):
    return grad + lam * w


def penalty_only(w, grad, lam):
    return 2 * lam * w


def l1(w, grad, lam):
    return grad + lam * np.sign(w)


def subtracted(w, grad, lam):
    return grad - 2 * lam * w


def value(w, grad, lam):
    return grad + lam * w * w


MISTAKES = {
    "half": "used λw (the (λ/2)‖w‖² convention's gradient)",
    "penalty_only": "forgot the data gradient (gave only 2λw)",
    "l1": "used the L1 subgradient λ·sign(w)",
    "subtracted": "subtracted the penalty's gradient",
    "value": "used the penalty's value λw² instead of its gradient",
}
