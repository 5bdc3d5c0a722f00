import numpy as np


def conv2d_backward_dx(x, w, upstream):
    dx = np.zeros_like(x)
    kh, kw = w.shape
    for i in range(upstream.shape[0]):
        for j in range(upstream.shape[1]):
            dx[i:i + kh, j:j + kw] += upstream[i, j] * w
    return dx


def unflipped(x, w, upstream):
    return conv2d_backward_dx(x, w[::-1, ::-1], upstream)


def overwrote(x, w, upstream):
    dx = np.zeros_like(x)
    kh, kw = w.shape
    for i in range(upstream.shape[0]):
        for j in range(upstream.shape[1]):
            dx[i:i + kh, j:j + kw] = upstream[i, j] * w
    return dx


def valid(x, w, upstream):
    kh, kw = w.shape
    wf = w[::-1, ::-1]
    return np.array([[np.sum(upstream[i:i + kh, j:j + kw] * wf) for j in range(upstream.shape[1] - kw + 1)]
                     for i in range(upstream.shape[0] - kh + 1)])


MISTAKES = {
    "unflipped": "did not flip the kernel (full cross-correlation with W as written)",
    "overwrote": "overwrote instead of adding where windows overlap (= instead of +=)",
    "valid": "used a 'valid' instead of a 'full' convolution (no zero padding of dL/dY)",
}
