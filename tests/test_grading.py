"""Every answer form the grader must accept, and what it must refuse (PrairieLearn-style triples)."""

from __future__ import annotations

import pytest

from drill.core.grading import Tolerance, Unreadable, answer_type, grade_value


def grade(kind: str, text: str, key, tol=Tolerance(), mistakes=None, choices=None):
    return grade_value(answer_type(kind), text, key, tol, mistakes, choices)


@pytest.mark.parametrize("text", ["529411", "529,411", "529411.0", "1024*2 + 1024 + 512*1024 + 512 + 512*3 + 3", " 529411 "])
def test_integer_forms_accepted(text):
    assert grade("integer", text, 529411).correct


@pytest.mark.parametrize("text, status", [("529412", "wrong"), ("529411.5", "wrong"), ("52941", "wrong"), ("12abc", "unreadable"), ("", "unreadable"), ("5,29,411", "unreadable")])
def test_integer_refusals(text, status):
    assert grade("integer", text, 529411).status == status


def test_integer_power_of_ten_and_mistake():
    g = grade("integer", "52941100", 529411)
    assert "factor of 10^2" in g.notes[0]
    g = grade("integer", "528384", 529411, mistakes={"forgot the biases": 528384})
    assert (g.status, g.mistake) == ("wrong", "forgot the biases")


@pytest.mark.parametrize("text", ["-0.1192", "-0.119", "sigmoid(2)-1", "σ(2) − 1", "-1.192e-1", "exp(-2)/exp(-2)*(-0.1192)"])
def test_number_forms_accepted(text):
    assert grade("number", text, -0.11920292202211769).correct


@pytest.mark.parametrize("text, key", [("3/4", 0.75), ("1e-3", 0.001), ("0.1*(1+0.1**2)", 0.101), ("sqrt(2)/2", 0.70710678), ("exp(-2)", 0.135335283), ("2^10", 1024.0)])
def test_number_expressions(text, key):
    assert grade("number", text, key).correct


def test_number_tolerance_window_and_feedback():
    tol = Tolerance(rtol=0.01)
    assert grade("number", "0.10099", 0.1, tol).correct
    g = grade("number", "0.1011", 0.1, tol)
    assert g.status == "wrong"
    assert g.notes[0] == "accepted: to within ±1 %, i.e. between 0.099 and 0.101; exact value 0.1"


def test_number_near_zero_uses_absolute_tolerance():
    tol = Tolerance(rtol=0.01, atol=0.001)
    assert grade("number", "0.0009", 0.0, tol).correct
    assert not grade("number", "0.002", 0.0, tol).correct
    assert grade("number", "0.002", 0.0, tol).notes[0].startswith("accepted: to within ±0.001")


@pytest.mark.parametrize("text", ["0.1.2", "abc", "1/0", "[1, 2]", "__import__('os')", "1e999", "nan", "inf"])
def test_number_unreadable(text):
    assert grade("number", text, 0.5).status == "unreadable"


@pytest.mark.parametrize("text", ["5x7", "5×7", "(5, 7)", "[5,7]", "5 7", "5 X 7", " 5 x 7 "])
def test_shape_forms(text):
    assert grade("shape", text, (5, 7)).correct


def test_shape_refusals_and_notes():
    assert grade("shape", "5 by 7", (5, 7)).status == "unreadable"
    assert grade("shape", "5x-7", (5, 7)).status == "unreadable"
    assert grade("shape", "7x5", (5, 7)).notes == ["right numbers, wrong order: check the order of dimensions the question asks for"]
    g = grade("shape", "5x7x1", (5, 7))  # a format error: asked again, not a wrong attempt
    assert g.status == "unreadable" and "2 dimensions" in g.reason and "yours has 3" in g.reason


@pytest.mark.parametrize("text", ["[0.1, -0.2, 0.1]", "0.1, -0.2, 0.1", "0.1 -0.2 0.1", "(0.1, -0.2, 0.1)", "[1/10, -0.2, 0.1]"])
def test_vector_forms(text):
    assert grade("vector", text, [0.1, -0.2, 0.1]).correct


def test_vector_refusals():
    assert grade("vector", "[0.1, ", [0.1]).status == "unreadable"
    assert grade("vector", "[[0.1]]", [0.1]).status == "unreadable"
    g = grade("vector", "[0.1, 0.2]", [0.1, -0.2, 0.1])  # a format error: asked again
    assert g.status == "unreadable" and "3 entries" in g.reason and "yours has 2" in g.reason
    assert grade("vector", "[-0.1, 0.2, -0.1]", [0.1, -0.2, 0.1]).notes[-1] == "the sign is flipped"


@pytest.mark.parametrize("text", ["[[1,2],[3,4]]", "1 2; 3 4", "1, 2; 3, 4", "[1 2; 3 4]"])
def test_matrix_forms(text):
    assert grade("matrix", text, [[1, 2], [3, 4]]).correct


def test_matrix_refusals():
    assert grade("matrix", "1 2; 3", [[1, 2], [3, 4]]).status == "unreadable"
    assert grade("matrix", "[[1, 2], [3", [[1, 2], [3, 4]]).status == "unreadable"
    assert grade("matrix", "[[1,2],[3,5]]", [[1, 2], [3, 4]]).status == "wrong"


def test_choice_letters_and_text():
    choices = ["ReLU", "Sigmoid", "Softmax", "Step function", "Tanh"]
    for text in ("C", "c", "(c)", "C.", "softmax", "  Softmax "):
        assert grade("choice", text, "C", choices=choices).correct, text
    assert grade("choice", "B", "C", choices=choices).status == "wrong"
    assert grade("choice", "F", "C", choices=choices).reason == "pick one of A–E"
    assert grade("choice", "#?", "C", choices=choices).status == "unreadable"


def test_expression_answers_compare_by_value():
    t = answer_type("expression", ["x"])
    assert grade_value(t, "1 - tanh(x)**2", "1/cosh(x)**2", Tolerance()).correct
    assert grade_value(t, "1 - tanh(x)", "1/cosh(x)**2", Tolerance()).status == "wrong"
    assert grade_value(t, "x +* 1", "x", Tolerance()).status == "unreadable"
    assert grade_value(t, "y + 1", "x", Tolerance()).status == "unreadable"


def test_parse_raises_unreadable_with_reason():
    with pytest.raises(Unreadable, match="could not read"):
        answer_type("number").parse("0.1.2")
