"""Near misses and format errors, classified by the grader (drill/core/grading.py).

Oracle: the tolerance arithmetic done by hand on each case (|given − key| against
rtol·|key| and 10× that), and rounding the key by hand to a few significant figures.
"""

from __future__ import annotations

from drill.core.grading import NEAR_FACTOR, Tolerance, answer_type, grade_value


def grade(kind, text, key, tol=Tolerance(), mistakes=None):
    return grade_value(answer_type(kind), text, key, tol, mistakes)


def test_a_number_just_outside_the_tolerance_is_a_near_miss():
    # key 0.41703, ±0.5 %: accepted 0.41495 … 0.41912; 0.42 is 0.712 % off (< 5 %: within 10 widths)
    g = grade("number", "0.42", 0.41703, Tolerance(rtol=0.005))
    assert g.status == "wrong" and g.near_miss is not None
    assert abs(g.near_miss.off - (0.42 - 0.41703) / 0.41703) < 1e-12 and g.near_miss.accepted == 0.005
    # 0.45 is 7.9 % off: more than 10 widths (5 %): plainly wrong
    assert grade("number", "0.45", 0.41703, Tolerance(rtol=0.005)).near_miss is None
    assert NEAR_FACTOR == 10


def test_a_correct_answer_a_named_mistake_and_a_power_of_ten_are_no_near_miss():
    assert grade("number", "0.417", 0.41703, Tolerance(rtol=0.005)).near_miss is None
    g = grade("number", "0.42", 0.41703, Tolerance(rtol=0.005), mistakes={"used the wrong base": 0.42})
    assert g.mistake == "used the wrong base" and g.near_miss is None
    g = grade("number", "4.1703", 0.41703)
    assert g.near_miss is None and any("10^1" in n for n in g.notes)


def test_an_integer_rounded_to_three_figures_is_a_near_miss_an_off_by_one_is_not():
    g = grade("integer", "2.52e9", 2517630976)
    assert g.status == "wrong" and g.near_miss is not None and g.near_miss.rounded and g.near_miss.accepted is None
    assert grade("integer", "2518000000", 2517630976).near_miss.rounded
    assert grade("integer", "2517630977", 2517630976).near_miss is None  # a real slip, not rounding
    assert grade("integer", "2.6e9", 2517630976).near_miss is None  # 2.5e9 is the 2-figure rounding


def test_vectors_near_miss_only_when_every_wrong_entry_is_close():
    key = [0.5, -0.25, 1.0]
    g = grade("vector", "[0.52, -0.25, 1.0]", key)  # 4 % off on one entry, 1 % accepted
    assert g.status == "wrong" and g.near_miss is not None and abs(g.near_miss.off - 0.04) < 1e-9
    assert grade("vector", "[0.52, -0.5, 1.0]", key).near_miss is None


def test_a_wrong_shape_is_a_format_error_not_a_wrong_attempt():
    g = grade("matrix", "[[1, 2, 3], [4, 5, 6]]", [[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert g.status == "unreadable" and "3×3" in g.reason and "2×3" in g.reason
    g = grade("shape", "35", (35, 35))
    assert g.status == "unreadable" and "2 dimensions" in g.reason
    g = grade("vector", "1, 2", [1, 2, 3])
    assert g.status == "unreadable" and "3 entries" in g.reason
    # a mistake of another form is still a named mistake, not a format error
    g = grade("shape", "35", (35, 35), mistakes={"gave only one side": (35,)})
    assert g.status == "wrong" and g.mistake == "gave only one side"


def test_a_slip_in_the_last_digit_of_a_count_is_no_rounding():
    assert grade("integer", "529410", 529411).near_miss is None
    assert grade("integer", "529400", 529411).near_miss.rounded  # four figures
