import numpy as np


def cosine_similarity(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def dot(a, b):
    return float(a @ b)


def distance(a, b):
    return 1 - cosine_similarity(a, b)


def a_only(a, b):
    return float(a @ b / np.linalg.norm(a))


def squared(a, b):
    return float(a @ b / (a @ a * (b @ b)))


MISTAKES = {
    "dot": "gave the dot product (did not normalize)",
    "distance": "gave the cosine distance 1 − cos",
    "a_only": "normalized by ‖a‖ only",
    "squared": "divided by the squared norms ‖a‖²·‖b‖²",
}
