import numpy as np


def _windows(x, k, s):
    ho, wo = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    for i in range(ho):
        for j in range(wo):
            yield i, j, (slice(i * s, i * s + k), slice(j * s, j * s + k))


def maxpool2d_backward(x, upstream, kernel_size, stride):
    dx = np.zeros_like(x)
    for i, j, win in _windows(x, kernel_size, stride):
        a, b = np.unravel_index(np.argmax(x[win]), (kernel_size, kernel_size))
        dx[win][a, b] += upstream[i, j]
    return dx


def spread_evenly(x, upstream, kernel_size, stride):
    dx = np.zeros_like(x)
    for i, j, win in _windows(x, kernel_size, stride):
        dx[win] += upstream[i, j] / kernel_size ** 2
    return dx


def full_to_all(x, upstream, kernel_size, stride):
    dx = np.zeros_like(x)
    for i, j, win in _windows(x, kernel_size, stride):
        dx[win] += upstream[i, j]
    return dx


MISTAKES = {
    "spread_evenly": "spread the gradient evenly over the window",
    "full_to_all": "gave every position in the window the full upstream gradient",
}
