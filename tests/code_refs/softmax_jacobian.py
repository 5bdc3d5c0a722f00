import numpy as np


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def softmax_jacobian(z):
    p = _softmax(z)
    return np.diag(p) - np.outer(p, p)


def diagonal_only(z):
    p = _softmax(z)
    return np.diag(p * (1 - p))


def no_delta(z):
    p = _softmax(z)
    return -np.outer(p, p)


def diag_p(z):
    return np.diag(_softmax(z))


def plus_off_diagonal(z):
    p = _softmax(z)
    return np.diag(p) - np.outer(p, p) + 2 * (np.outer(p, p) - np.diag(p * p))


MISTAKES = {
    "diagonal_only": "kept only the diagonal p_i(1 − p_i) (treated softmax as element-wise)",
    "no_delta": "dropped the δ_ij term: −p_i·p_j everywhere",
    "diag_p": "used diag(p): the derivative of exp, ignoring the normalization",
    "plus_off_diagonal": "flipped the sign of the off-diagonal terms (+p_i·p_j)",
}
