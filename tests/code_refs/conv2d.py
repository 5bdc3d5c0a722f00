import numpy as np


def conv2d(x, w, b=0.0, stride=(1, 1), padding=0):
    xp = np.pad(x, padding)
    kh, kw = w.shape
    sh, sw = stride
    ho, wo = (xp.shape[0] - kh) // sh + 1, (xp.shape[1] - kw) // sw + 1
    y = np.empty((ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[i, j] = np.sum(xp[i * sh:i * sh + kh, j * sw:j * sw + kw] * w) + b
    return y


def flipped(x, w, b=0.0, stride=(1, 1), padding=0):
    return conv2d(x, w[::-1, ::-1], b, stride, padding)


def no_bias(x, w, b=0.0, stride=(1, 1), padding=0):
    return conv2d(x, w, 0.0, stride, padding)


def no_padding(x, w, b=0.0, stride=(1, 1), padding=0):
    return conv2d(x, w, b, stride, 0)


def no_stride(x, w, b=0.0, stride=(1, 1), padding=0):
    return conv2d(x, w, b, (1, 1), padding)


def swapped_strides(x, w, b=0.0, stride=(1, 1), padding=0):
    return conv2d(x, w, b, (stride[1], stride[0]), padding)


MISTAKES = {
    "flipped": "flipped the kernel (that is true convolution; deep-learning convolution is cross-correlation)",
    "no_bias": "forgot the bias",
    "no_padding": "forgot the zero padding",
    "no_stride": "ignored the stride (slid one step at a time)",
    "swapped_strides": "swapped the height and width strides",
}
