import numpy as np


def _pool(x, k, s, op):
    ho, wo = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    return np.array([[op(x[i * s:i * s + k, j * s:j * s + k]) for j in range(wo)] for i in range(ho)], dtype=float)


def maxpool2d(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.max)


def average(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.mean)


def stride_is_kernel(x, kernel_size, stride):
    return _pool(x, kernel_size, kernel_size, np.max)


MISTAKES = {
    "average": "took the average instead of the max",
    "stride_is_kernel": "used stride = kernel size",
}
