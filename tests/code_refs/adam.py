import numpy as np


def adam_steps(w, grads, lr, beta1, beta2, eps, _correct=True, _sqrt=True, _t1=False):
    w = np.array(w, dtype=float)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        tc = 1 if _t1 else t
        mh, vh = (m / (1 - beta1 ** tc), v / (1 - beta2 ** tc)) if _correct else (m, v)
        w = w - lr * mh / ((np.sqrt(vh) if _sqrt else vh) + eps)
    return w


def no_bias_correction(w, grads, lr, beta1, beta2, eps):
    return adam_steps(w, grads, lr, beta1, beta2, eps, _correct=False)


def no_sqrt(w, grads, lr, beta1, beta2, eps):
    return adam_steps(w, grads, lr, beta1, beta2, eps, _sqrt=False)


def swapped_betas(w, grads, lr, beta1, beta2, eps):
    return adam_steps(w, grads, lr, beta2, beta1, eps)


def t_is_one(w, grads, lr, beta1, beta2, eps):
    return adam_steps(w, grads, lr, beta1, beta2, eps, _t1=True)


MISTAKES = {
    "no_bias_correction": "forgot the bias correction (used m and v, not m̂ and v̂)",
    "no_sqrt": "forgot the square root of v̂",
    "swapped_betas": "swapped β1 and β2",
    "t_is_one": "bias-corrected with t = 1 at every step",
}
