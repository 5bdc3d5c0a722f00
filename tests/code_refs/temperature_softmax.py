import numpy as np


def temperature_softmax(z, temperature):
    s = z / temperature
    e = np.exp(s - s.max())
    return e / e.sum()


def multiplied(z, temperature):
    return temperature_softmax(z, 1.0 / temperature)


def ignored(z, temperature):
    return temperature_softmax(z, 1.0)


def unnormalized(z, temperature):
    return np.exp(z / temperature)


MISTAKES = {
    "multiplied": "multiplied the logits by T instead of dividing",
    "ignored": "ignored the temperature (plain softmax)",
    "unnormalized": "forgot to normalize: exp(z/T) without dividing by the sum",
}
