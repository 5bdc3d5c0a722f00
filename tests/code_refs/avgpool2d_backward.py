import numpy as np


def _windows(x, k, s):
    ho, wo = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    for i in range(ho):
        for j in range(wo):
            yield i, j, (slice(i * s, i * s + k), slice(j * s, j * s + k))


def avgpool2d_backward(x, upstream, kernel_size, stride):
    dx = np.zeros_like(x)
    for i, j, win in _windows(x, kernel_size, stride):
        dx[win] += upstream[i, j] / kernel_size ** 2
    return dx


def undivided(x, upstream, kernel_size, stride):
    dx = np.zeros_like(x)
    for i, j, win in _windows(x, kernel_size, stride):
        dx[win] += upstream[i, j]
    return dx


def to_max(x, upstream, kernel_size, stride):
    dx = np.zeros_like(x)
    for i, j, win in _windows(x, kernel_size, stride):
        a, b = np.unravel_index(np.argmax(x[win]), (kernel_size, kernel_size))
        dx[win][a, b] += upstream[i, j]
    return dx


MISTAKES = {
    "undivided": "did not divide by k·k",
    "to_max": "sent the whole gradient to each window's maximum (that is max pooling's backward)",
}
