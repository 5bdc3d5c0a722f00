"""Perceptron: brute-force loops over truth tables and weight grids, written apart from the solver."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.conftest import variants_of

TABLES = {  # outputs on (0,0), (0,1), (1,0), (1,1)
    "AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0], "XOR": [0, 1, 1, 0], "XNOR": [1, 0, 0, 1],
}
X = [(0, 0), (0, 1), (1, 0), (1, 1)]


def fire(w, b, x) -> int:
    z = w[0] * x[0] + w[1] * x[1] + b
    return 1 if z > 1e-12 else 0  # the slides' step: z = 0 gives 0 (tolerant of float noise)


def learn(w, b, x, y, lr):
    err = y - fire(w, b, x)
    return [w[0] + lr * err * x[0], w[1] + lr * err * x[1]], b + lr * err


def test_update_matches_rule(bank):
    seen_zero = False
    for v in variants_of(bank, "perceptron-update", 60):
        p = v.params
        seen_zero |= abs(p["w"][0] * p["x"][0] + p["w"][1] * p["x"][1] + p["b"]) < 1e-12
        w, b = learn(p["w"], p["b"], p["x"], p["y"], p["lr"])
        np.testing.assert_allclose(v.answer, [*w, b], atol=1e-12)
    assert seen_zero, "some variant should land exactly on z = 0"


def test_epoch_matches_loop(bank):
    for v in variants_of(bank, "perceptron-epoch", 60):
        p = v.params
        w, b = list(p["w"]), p["b"]
        for x, y in zip(X, TABLES[p["gate"]]):
            w, b = learn(w, b, x, y, p["lr"])
        np.testing.assert_allclose(v.answer, [*w, b], atol=1e-12)


def test_gate_is_the_truth_table(bank):
    for v in variants_of(bank, "perceptron-gate", 60):
        p = v.params
        table = [fire(p["w"], p["b"], x) for x in X]
        assert TABLES[v.answer_value] == table, p


def test_bias_for_gate(bank):
    for v in variants_of(bank, "perceptron-bias-for-gate", 30):
        p = v.params
        w = [p["a"], p["a"]]
        assert [fire(w, v.answer_value, x) for x in X] == TABLES[p["gate"]]
        for letter in v.mistakes.values():  # every other option computes something else
            b = float(v.choices["ABCDE".index(letter)])
            assert [fire(w, b, x) for x in X] != TABLES[p["gate"]]


def separable(table) -> bool:
    grid = np.arange(-3, 3.01, 0.25)
    return any([fire((w1, w2), b, x) for x in X] == table for w1, w2, b in itertools.product(grid, grid, grid))


def test_xor_has_no_weights_but_and_or_do():
    for gate in ("AND", "OR", "NAND", "NOR"):
        assert separable(TABLES[gate]), gate
    for gate in ("XOR", "XNOR"):
        assert not separable(TABLES[gate]), gate


def test_learning_rule_cycles_on_xor_and_converges_on_and():
    def epochs_to_converge(gate, limit=100):
        w, b = [0.0, 0.0], 0.0
        for epoch in range(1, limit + 1):
            changed = False
            for x, y in zip(X, TABLES[gate]):
                nw, nb = learn(w, b, x, y, 1.0)
                changed |= (nw, nb) != (w, b)
                w, b = nw, nb
            if not changed:
                return epoch
        return None

    assert epochs_to_converge("AND") is not None
    assert epochs_to_converge("XOR") is None


@pytest.mark.parametrize("seed", [0, 1])
def test_xor_choice_key(bank, seed):
    v = variants_of(bank, "perceptron-xor", 1)[seed]
    assert v.answer_value.startswith(f"No: {v.params['gate']} is not linearly separable")
    assert len(v.choices) == 5 and len(v.mistakes) == 4
