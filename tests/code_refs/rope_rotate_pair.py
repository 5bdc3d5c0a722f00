import numpy as np


def _rotate(x, a):
    c, s = np.cos(a), np.sin(a)
    return np.array([x[0] * c - x[1] * s, x[0] * s + x[1] * c])


def rope_rotate_pair(x, pos, pair, d_model, base=10000):
    return _rotate(x, pos * base ** (-2 * pair / d_model))


def wrong_way(x, pos, pair, d_model, base=10000):
    return _rotate(x, -pos * base ** (-2 * pair / d_model))


def no_pos(x, pos, pair, d_model, base=10000):
    return _rotate(x, base ** (-2 * pair / d_model))


def i_not_2i(x, pos, pair, d_model, base=10000):
    return _rotate(x, pos * base ** (-pair / d_model))


def degrees(x, pos, pair, d_model, base=10000):
    return _rotate(x, np.deg2rad(pos * base ** (-2 * pair / d_model)))


MISTAKES = {
    "wrong_way": "rotated the wrong way (by −angle)",
    "no_pos": "forgot to multiply θ by the position",
    "i_not_2i": "used i instead of 2i in the exponent (base^(−i/d))",
    "degrees": "computed the angle in degrees, not radians",
}
