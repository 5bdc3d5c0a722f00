import numpy as np


def _softmax(s, axis=-1):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention_weights(Q, K):
    return _softmax(Q @ K.T / np.sqrt(Q.shape[1]))


def no_scale(Q, K):
    return _softmax(Q @ K.T)


def by_d(Q, K):
    return _softmax(Q @ K.T / Q.shape[1])


def wrong_axis(Q, K):
    return _softmax(Q @ K.T / np.sqrt(Q.shape[1]), axis=0)


def no_softmax(Q, K):
    return Q @ K.T / np.sqrt(Q.shape[1])


MISTAKES = {
    "no_scale": "forgot to divide by √d",
    "by_d": "divided by d instead of √d",
    "wrong_axis": "took the softmax over the wrong axis (over the queries, down each column)",
    "no_softmax": "forgot the softmax (raw scaled scores)",
}
