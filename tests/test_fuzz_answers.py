"""Hostile answers: whatever a user types, the grader returns a Grade, never an exception.

First the crashes the fuzzer found (each a fixed bug, kept as a plain regression test), then
property-based (hypothesis) tests over ``grade_value`` for every answer type: random unicode,
control characters, huge and non-finite numbers, empty text, 100 KB lines, brackets nested
1,000 deep, operator soup, and well-formed arithmetic that overflows. Each answer type gets
at least :data:`INPUTS` generated inputs (counted, not assumed). The verdict is always
correct / wrong / unreadable, and an unreadable answer carries a one-line reason.
"""

from __future__ import annotations

import os
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drill.core.grading import ANSWER_TYPES, LETTERS, Grade, Tolerance, answer_type, grade_value
from drill.core.safe_expr import FUNCTIONS

# Distinct generated texts each answer type must grade. Every text is graded as all seven types:
# generating text costs hypothesis far more than grading it.
INPUTS = int(os.environ.get("DRILL_FUZZ_INPUTS", 10_000))
FUZZ = settings(
    max_examples=INPUTS + INPUTS // 10,  # a few generated texts repeat (~3 %): the distinct ones are counted
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


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

# --- hostile text -------------------------------------------------------------------------

SPECIAL = [
    "", " ", "\n", "\t", "\x00", "\r\n", "\x1b[31m", "\u202e", "\ufeff", "nan", "NaN", "-nan", "inf", "-inf", "Infinity",
    "1e999", "-1e999", "1e-999", "1e308*10", "10**308*10", "-(10**400)", "floor(1e308)", "floor(1e308)/0.5", "2**4095",
    "9**9**9", "10**10**10", "0**-1", "1/0", "5//0", "0.0/0.0", "(-8)**(1/3)", "sqrt(-1)", "log(0)", "log(-1)", "exp(1000)",
    "[]", "[[]]", "[[],[]]", "()", "(,)", "[,]", ";", ";;", "1;", ";1", "[1,2];[3]", "1 2; 3", "[[1,2],[3]]", "[[1],2]",
    "A", "z", "(a)", "Z.", "__import__('os')", "().__class__", "lambda: 1", "[x for x in (1,)]", "x", "y", "x**x",
    "0x10", "1_000", "１２", "١٢٣", "5²", "σ(2) − 1", "√", "π", "×", "1×2×3", "2^^3", "--1", "+-+-1", "1e", ".", "-",
    "＿＿import＿＿('os')", "max()", "min(1)", "abs()", "log(1, 1)", "log(2, 0)", "floor(nan)", "relu(1e999)",
]
ATOMS = ["0", "1", "-1", "0.5", "1e308", "1e-308", "-0.0", "2**4095", "10**300", "x", "pi", "e", "nan", "inf", "1e999", "9**9"]
OPS = ["+", "-", "*", "/", "//", "%", "**", "^", "×", "−", "·", "÷", ""]
UNITS = ["1", "9", "(", ")", "[", "]", ",", ";", " ", "x", "*", "**", "e9", ".", "-", "nan", "1e308", "σ", "\x00", "é", "🙂"]
SOUP = string.digits + "+-*/%()[]{}.,;:eExX^×−÷σ√π!<>=&|~@'\"_ \t" + "".join(FUNCTIONS)[:40]
BRACKETS = [("(", ")"), ("[", "]"), ("{", "}"), ("[", ")"), ("(", "]")]

SEPARATORS = [", ", " ", "; ", "x", "×", "\t", ";", ""]

numbers = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
    st.floats().map(repr),  # nan, inf and subnormals included
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: f"{f:.17e}"),
)


def _fold(first: str, codes: list[int]) -> str:
    """Well-formed arithmetic from flat draws (cheap to generate): each code wraps what came before
    in an operator, a whitelisted function, a list or a negation, with an atom from ATOMS."""
    expr, fns = first, sorted(FUNCTIONS)
    for code in codes:
        op, fn, atom, how = OPS[code % len(OPS)], fns[code // 16 % len(fns)], ATOMS[code // 1024 % len(ATOMS)], code // 65536 % 4
        if how == 0:
            expr = f"({expr}){op}{atom}"
        elif how == 1:
            expr = f"{fn}({expr}, {atom})" if fn in ("log", "min", "max") else f"{fn}({expr}){op}{atom}"
        elif how == 2:
            expr = f"[{expr}, {atom}]"
        else:
            expr = f"{atom}{op}-({expr})"
    return expr


arithmetic = st.builds(_fold, st.one_of(st.sampled_from(ATOMS), numbers), st.lists(st.integers(0, 2**18 - 1), max_size=8))
nested = st.builds(
    lambda depth, brackets, inner, closed: brackets[0] * depth + inner + brackets[1] * (depth if closed else depth // 2),
    st.integers(1, 1000), st.sampled_from(BRACKETS), st.sampled_from(["1", "", "1,2", "x", "nan", "1e999"]), st.booleans(),
)
long_line = st.builds(
    lambda unit, size: (unit * (size // len(unit) + 1))[:size],
    st.one_of(st.sampled_from(UNITS), st.text(min_size=1, max_size=6)), st.sampled_from([1_000, 2_001, 10_000, 100_000]),
)
hostile = st.one_of(
    st.text(),  # any unicode, control characters included
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Co", "Sm", "Nd", "No"])),
    numbers,
    arithmetic,
    nested,
    long_line,
    st.text(SOUP, max_size=60),
    st.builds(lambda sep, parts: sep.join(parts), st.sampled_from(SEPARATORS), st.lists(st.one_of(numbers, st.sampled_from(SPECIAL)), max_size=6)),
    st.builds(lambda rows: "; ".join(" ".join(r) for r in rows), st.lists(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3), min_size=1, max_size=3)),
)

# --- keys a solver could give, per answer type (cycled, so the generated text gets the examples)

KEYS = {
    "integer": [529411, 0, -3, 1, 10**15, -(10**12)],
    "number": [0.5, 0.0, -0.1192, 1e-9, 3.5e10, -2.0],
    "shape": [(5, 7), (1,), (3, 227, 227), (10**6, 1, 2, 3)],
    "vector": [[0.1, -0.2, 0.1], [0.0], [1e12, -1e-12], [0.5, 0.5, 0.5, 0.5, 0.5]],
    "matrix": [[[1.0, 2.0], [3.0, 4.0]], [[0.0]], [[1e-9, 2.0, 3.0]], [[1.0], [2.0], [3.0]]],
    "expression": ["x**2", "1 - tanh(x)**2", "sigmoid(x)*(1 - sigmoid(x))", "exp(-x)", "1/x"],
}
TOLERANCES = [Tolerance(), Tolerance(rtol=0.0, atol=1e-12), Tolerance(rtol=1e-6), Tolerance(rtol=0.5, atol=1e-3)]


def _mistakes(kind: str, key):
    """Wrong answers in the key's own form, so the mistake-matching path runs too."""
    return {
        "integer": lambda: {"forgot the biases": key - 1, "10×": key * 10},
        "number": lambda: {"sign": -key, "10×": key * 10},
        "shape": lambda: {"transposed": tuple(reversed(key)), "+1": (key[0] + 1, *key[1:])},
        "vector": lambda: {"sign": [-k for k in key]},
        "matrix": lambda: {"sign": [[-k for k in row] for row in key]},
        "expression": lambda: {"+1": f"({key}) + 1"},
    }[kind]()


def test_fuzz_every_answer_type_always_grades():
    """≥ INPUTS distinct hostile texts, each graded as every answer type → a Grade, never an exception."""
    tried = dict.fromkeys(ANSWER_TYPES, 0)
    distinct: set[str] = set()
    types = {kind: answer_type(kind) for kind in ANSWER_TYPES}
    choices = ["ReLU", "tanh", "1e999", "", "[1, 2]", "σ(2) − 1", "A"]

    @FUZZ
    @given(text=hostile)  # only the text is drawn, so hypothesis spends its examples on new texts
    def run(text):
        distinct.add(text)
        i = len(distinct)
        for kind, atype in types.items():
            if kind == "choice":
                n = 2 + i % (len(choices) - 1)
                g = grade_value(atype, text, LETTERS[i % n], TOLERANCES[i % 3], {"m": LETTERS[(i + 1) % n]}, choices[:n])
            else:
                key = KEYS[kind][i % len(KEYS[kind])]
                g = grade_value(atype, text, key, TOLERANCES[i % len(TOLERANCES)], _mistakes(kind, key))
            check_grade(g)
            tried[kind] += 1

    run()
    print(f"\nfuzzed: {len(distinct)} distinct texts, graded per answer type: {tried}")
    assert len(distinct) >= INPUTS and all(n >= INPUTS for n in tried.values()), (len(distinct), tried)


@pytest.mark.parametrize("kind", list(ANSWER_TYPES))
def test_known_hostile_inputs_always_grade(kind):
    """The hand-picked corpus (non-finite, overflow, refusals, odd brackets) for every type."""
    atype, key = answer_type(kind), "A" if kind == "choice" else KEYS[kind][0]
    for text in SPECIAL + [u * 100_000 for u in UNITS] + ["(" * 1000 + "1" + ")" * 1000, "[" * 1000 + "]" * 1000]:
        mistakes = {} if kind == "choice" else _mistakes(kind, key)
        check_grade(grade_value(atype, text, key, Tolerance(), mistakes, ["ReLU", "tanh", "1e999"]))
