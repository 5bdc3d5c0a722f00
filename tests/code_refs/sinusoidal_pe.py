import numpy as np


def sinusoidal_pe(pos, d_model, base=10000):
    k = np.arange(d_model // 2)
    ang = pos * base ** (-2.0 * k / d_model)
    pe = np.empty(d_model)
    pe[0::2], pe[1::2] = np.sin(ang), np.cos(ang)
    return pe


def half_layout(pos, d_model, base=10000):
    k = np.arange(d_model // 2)
    ang = pos * base ** (-2.0 * k / d_model)
    return np.concatenate([np.sin(ang), np.cos(ang)])


def swapped(pos, d_model, base=10000):
    pe = sinusoidal_pe(pos, d_model, base)
    out = np.empty_like(pe)
    out[0::2], out[1::2] = pe[1::2], pe[0::2]
    return out


def index_j(pos, d_model, base=10000):
    j = np.arange(d_model)
    ang = pos * base ** (-j / d_model)
    return np.where(j % 2 == 0, np.sin(ang), np.cos(ang))


def degrees(pos, d_model, base=10000):
    k = np.arange(d_model // 2)
    ang = np.deg2rad(pos * base ** (-2.0 * k / d_model))
    pe = np.empty(d_model)
    pe[0::2], pe[1::2] = np.sin(ang), np.cos(ang)
    return pe


MISTAKES = {
    "half_layout": "used the sin-half / cos-half layout",
    "swapped": "swapped sin and cos (cos at even dims)",
    "index_j": "used the dimension index j in the exponent instead of 2k",
    "degrees": "computed the angles in degrees, not radians",
}
