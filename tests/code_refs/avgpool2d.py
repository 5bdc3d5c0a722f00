import numpy as np


def _pool(x, k, s, op):
    ho, wo = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    return np.array([[op(x[i * s:i * s + k, j * s:j * s + k]) for j in range(wo)] for i in range(ho)], dtype=float)


def avgpool2d(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.mean)


def took_max(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.max)


def summed(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.sum)


def stride_is_kernel(x, kernel_size, stride):
    return _pool(x, kernel_size, kernel_size, np.mean)


MISTAKES = {
    "took_max": "took the max instead of the average",
    "summed": "summed the window without dividing by k·k",
    "stride_is_kernel": "used stride = kernel size",
}
