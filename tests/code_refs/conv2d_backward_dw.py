import numpy as np


def _corr(x, k):
    kh, kw = k.shape
    return np.array([[np.sum(x[i:i + kh, j:j + kw] * k) for j in range(x.shape[1] - kw + 1)]
                     for i in range(x.shape[0] - kh + 1)])


def conv2d_backward_dw(x, w, upstream):
    return _corr(x, upstream)


def flipped_upstream(x, w, upstream):
    return _corr(x, upstream[::-1, ::-1])


def unweighted(x, w, upstream):
    return _corr(x, np.ones_like(upstream))


MISTAKES = {
    "flipped_upstream": "flipped dL/dY (true convolution; the forward pass is cross-correlation, so nothing is flipped)",
    "unweighted": "forgot to weight by dL/dY (summed each input window)",
}
