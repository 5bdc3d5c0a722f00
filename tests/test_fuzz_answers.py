"""Hostile answers: whatever a user types, the grader returns a Grade, never an exception.

First the crashes the fuzzer found (each a fixed bug, kept as a plain regression test), then
property-based (hypothesis) tests over ``grade_value`` for every answer type.
"""

from __future__ import annotations

import pytest

from drill.grading import Grade, Tolerance, answer_type, grade_value


def check_grade(g: Grade) -> None:
    assert isinstance(g, Grade)
    assert g.status in ("correct", "wrong", "unreadable")
    assert isinstance(g.expected, str) and isinstance(g.given, str)
    if g.status == "unreadable":
        assert g.reason and "\n" not in g.reason, g.reason
    for note in g.notes:
        assert isinstance(note, str) and "\n" not in note


# --- regressions: inputs that once raised instead of grading --------------------------------


@pytest.mark.parametrize(
    "kind, text, key",
    [
        ("integer", "10**308*10", 5),  # huge int / key overflowed in the power-of-ten note
        ("integer", "-(10**400)", -1),
        ("number", "floor(1e308)", 0.5),  # 1e308 / 0.5 = inf, round(log10(inf)) raised
        ("number", "1.7e308", 0.1),
    ],
)
def test_power_of_ten_note_survives_huge_answers(kind, text, key):
    g = grade_value(answer_type(kind), text, key, Tolerance())
    check_grade(g)
    assert g.status in ("wrong", "unreadable")


def test_power_of_ten_note_still_given():
    g = grade_value(answer_type("integer"), "52941100", 529411, Tolerance())
    assert "off by a factor of 10^2" in g.notes[0]
    g = grade_value(answer_type("number"), "0.0012", 0.12, Tolerance())
    assert any("10^-2" in n for n in g.notes)
    g = grade_value(answer_type("integer"), str(10**400), 10**399, Tolerance())
    assert "off by a factor of 10^1" in g.notes[0]


@pytest.mark.parametrize(
    "kind, text, key",
    [
        ("number", "10**308*10", 0.5),  # an exact int beyond float range: float() overflowed
        ("number", "2**4095", 0.5),
        ("vector", str(10**309), [0.0]),
        ("vector", f"[1, {10**309}]", [1.0, 2.0]),
        ("matrix", f"0; {10**309}", [[0.0], [1.0]]),
        ("matrix", f"[[{10**309}]]", [[0.0]]),
        ("expression", "10**308*10", "x**2"),
        ("expression", "x*10**400", "x**2"),
    ],
)
def test_integers_beyond_float_range_are_unreadable(kind, text, key):
    g = grade_value(answer_type(kind), text, key, Tolerance())
    check_grade(g)
    assert g.status == "unreadable" and "number too large" in g.reason


def test_large_but_representable_integers_still_graded():
    assert grade_value(answer_type("number"), "10**300", 1e300, Tolerance()).correct
    assert grade_value(answer_type("integer"), "10**400", 10**400, Tolerance()).correct
    assert grade_value(answer_type("expression"), "x*10**300", "x*1e300", Tolerance()).correct


def test_long_matrix_rows_are_bounded_as_a_whole():
    # 50,000 one-entry rows used to be evaluated one by one (half a second, then graded "wrong")
    g = grade_value(answer_type("matrix"), "1;" * 50_000, [[1.0]], Tolerance())
    assert g.status == "unreadable" and "too long" in g.reason
    assert grade_value(answer_type("matrix"), "1 2; 3 4", [[1, 2], [3, 4]], Tolerance()).correct
