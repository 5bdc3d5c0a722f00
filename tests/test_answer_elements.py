"""Answer types as elements (drill/core/answers/): everything about a type lives with it.

* no module outside drill/core/answers/ compares answer-type names (a grep, with proof it catches them);
* the registry names an unknown type and the known ones;
* every registered type tests itself (PrairieLearn): its key graded correct, its nudge (just
  outside the tolerance) wrong, its malformed example unreadable;
* a throwaway type, defined and registered here only, goes through a bank file, a variant,
  grading, the format example, the precision words, JSON and ``drill check``'s variant checks.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any, Sequence

import pytest

from drill.core import answers
from drill.core.answers.base import AnswerType, Unreadable
from drill.core.tolerance import Tolerance, precision_text

DRILL = Path(__file__).resolve().parent.parent / "drill"
BUILT_IN = ("integer", "number", "shape", "vector", "matrix", "choice", "expression")


def _name_comparisons(line: str) -> bool:
    """A line that branches on an answer type's name: ``answer_type == "choice"``,
    ``raw["answer_type"] in ("integer", …)``, ``atype == "shape"``, or a table keyed by type names."""
    names = "|".join(answers.names())
    quoted = rf"""["'](?:{names})["']"""
    if re.search(r"""answer_type["'\]]*\s*(?:==|!=|\bnot in\b|\bin\b)\s*[("'\[{]""", line):
        return True
    if re.search(r"\b(?:answer_type|atype|\.name)\b", line) and re.search(rf"(?:==|!=)\s*{quoted}|{quoted}\s*(?:==|!=)|\bin\s*\(\s*{quoted}", line):
        return True
    return bool(re.match(rf"\s*{quoted}\s*:", line))  # {"integer": …, "number": …}[q.answer_type]


def test_the_grep_catches_what_it_forbids():
    for bad in ('    if q.answer_type == "choice":', '    if raw["answer_type"] in ("integer", "shape", "choice"):',
                '    if v.question.answer_type not in ("number", "vector", "matrix"):', '    if atype == "integer":',
                '        "integer": "a whole number",', "    if atype.name != 'shape':"):
        assert _name_comparisons(bad), bad
    for fine in ('    elif kind == "choice" and not value:', '    if "choice" in spec:', "    if cp.answer_type == v.question.answer_type:",
                 '        err("tolerance", "an estimate needs answer_type: number")'):
        assert not _name_comparisons(fine), fine


def test_no_module_outside_answers_compares_answer_type_names():
    found = []
    for path in sorted(DRILL.rglob("*.py")):
        if (DRILL / "core" / "answers") in path.parents:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _name_comparisons(line):
                found.append(f"{path.relative_to(DRILL.parent)}:{n}: {line.strip()}")
    assert not found, "answer-type names compared outside drill/core/answers/:\n" + "\n".join(found)


def test_the_registry_lists_the_built_in_types_in_order_and_names_an_unknown_one():
    assert answers.names()[: len(BUILT_IN)] == list(BUILT_IN)
    with pytest.raises(answers.UnknownAnswerType) as exc:
        answers.get("fraction")
    assert str(exc.value) == f"unknown answer_type 'fraction'; known: {', '.join(answers.names())}"
    with pytest.raises(KeyError):  # callers that catch a failed lookup as KeyError still do
        answers.get(["number"])  # type: ignore[arg-type]
    assert answers.get("expression", ["a", "b"]).variables == ("a", "b")


def test_flags_are_the_banks_rules():
    """Exact types refuse a tolerance; only a number takes an estimate; the prompt states the
    precision of the numeric ones; only multiple choice has options."""
    assert [n for n in BUILT_IN if answers.get(n).exact] == ["integer", "shape", "choice"]
    assert [n for n in BUILT_IN if answers.get(n).estimates] == ["number"]
    assert [n for n in BUILT_IN if answers.get(n).stated_precision] == ["number", "vector", "matrix"]
    assert [n for n in BUILT_IN if answers.get(n).options] == ["choice"]


def test_precision_words_come_from_the_type():
    class Q:
        tolerance = Tolerance(decimals=2)

        def __init__(self, answer_type: str) -> None:
            self.answer_type = answer_type

    said = {n: precision_text(Q(n), 0.5) for n in BUILT_IN}
    assert said == {
        "integer": "exact integer", "number": "to 2 decimals", "shape": "exact sizes", "vector": "each entry to 2 decimals",
        "matrix": "each entry to 2 decimals", "choice": "", "expression": "any equal formula (compared by value at several points)",
    }
    assert precision_text(Tolerance(decimals=2), 0.5) == "to 2 decimals"  # a bare tolerance: a number's words


# a key of each type, and the choices a choice key picks from; a new type adds its own here
KEYS: dict[str, tuple[Any, list[str] | None]] = {
    "integer": (529411, None), "number": (0.1234, None), "shape": ((5, 7), None), "vector": ([0.1, -0.2, 0.3], None),
    "matrix": ([[1.0, 2.0], [3.0, 4.5]], None), "choice": ("B", ["0.5", "0.25", "1"]), "expression": ("x**2 + 1", None),
}


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_element_tests_itself(name):
    """A correct, an incorrect just outside the tolerance and an invalid submission."""
    from drill.core.grading import grade_value

    atype, (key, choices), tol = answers.get(name), KEYS[name], Tolerance()
    assert grade_value(atype, atype.format(key), key, tol, choices=choices).status == "correct"
    assert grade_value(atype, atype.format(atype.nudge(key, tol)), key, tol, choices=choices).status == "wrong"
    assert grade_value(atype, atype.malformed, key, tol, choices=choices).status == "unreadable"
    assert not atype._accepts_text(atype.example_for(key, tol, choices), key, tol, choices)  # the example gives nothing away


def test_every_registered_type_has_a_self_test_key():
    assert set(answers.names()) <= set(KEYS)


def test_choice_keys_by_letter_and_shows_letter_and_option():
    choice = answers.get("choice")
    keyed = choice.finish(0.25, {"forgot the square": 0.5}, Tolerance(), choices=[1, 0.125], n_choices=3, shuffle="q:1")
    assert sorted(keyed.choices) == ["0.25", "0.5", "1"] and keyed.value == 0.25  # n_choices: 0.125 is left out
    assert keyed.choices["ABC".index(keyed.answer)] == "0.25"
    assert keyed.choices["ABC".index(keyed.mistakes["forgot the square"])] == "0.5"
    assert choice.shown(keyed.answer, keyed.choices) == f"{keyed.answer}) 0.25"
    assert choice.json_extras(keyed.answer, keyed.choices) == {"choices": keyed.choices, "answer_text": "0.25"}
    assert choice.read_key("0.25") == "0.25"  # a bank key is the option's value, never parsed as a letter


# --- a new type is one module: here, one class registered by the test ------------------------


class PercentAnswer(AnswerType):
    """A fraction typed as a percentage: ``12.5 %`` for 0.125, within a tenth of a percentage point."""

    name = "percent"
    example = "12.5 % or 12.5"
    malformed = "12 %%"
    key_help = "a fraction as a percentage, e.g. 12.5 %"

    def parse(self, text: str, choices: Sequence[str] | None = None) -> float:
        t = text.strip()
        t = t[:-1].strip() if t.endswith("%") else t
        if not re.fullmatch(r"-?\d+(\.\d+)?", t):
            raise Unreadable(f"could not read {text.strip()!r} as a percentage")
        return float(t) / 100

    def coerce(self, value: Any) -> float:
        return float(value)

    def close(self, given: Any, key: Any, tol: Tolerance) -> bool:
        return abs(float(given) - float(key)) <= 0.0005

    def format(self, value: Any, *, group: bool = True) -> str:
        return f"{round(float(value) * 100, 1):g} %"

    def precision_text(self, tol: Tolerance, key: Any = None) -> str:
        return "to a tenth of a percentage point"

    def nudge(self, key: Any, tol: Tolerance) -> float:
        return float(key) + 0.002


@pytest.fixture
def percent():
    answers.register(PercentAnswer)
    yield PercentAnswer
    answers.unregister("percent")
    assert "percent" not in answers.names()


def test_a_new_type_needs_only_its_module(percent, tmp_path):
    from drill.authoring.check import _key_agrees, check_variant, key_value
    from drill.core.bank import load_bank
    from drill.core.variants import make_variant

    (tmp_path / "percent.yaml").write_text(textwrap.dedent("""\
        format_version: 1
        topic: percent-demo
        questions:
          - id: sigmoid-percent
            title: Sigmoid as a percentage
            difficulty: 1
            prompt: What is σ({x}) as a percentage?
            solver: activation-value
            params: {name: sigmoid, x: 1.0, slope: 0.01, alpha: 1.0}
            vary:
              x: {float: [-2, 2], decimals: 1}
            answer: 73.1 %
            answer_type: percent
            source: by hand, 1 / (1 + e^-1) = 0.731059
        """), encoding="utf-8")
    bank = load_bank([tmp_path])
    assert not bank.errors, [str(e) for e in bank.errors]
    q = bank.questions["sigmoid-percent"]
    v = make_variant(q, 0)
    assert v.answer == pytest.approx(0.7310586) and v.expected == "73.1 %"
    assert v.grade("73.1%").correct and v.grade("73.1 %").correct
    g = v.grade("75 %")
    assert g.status == "wrong" and g.expected == "73.1 %" and g.given == "75 %"
    assert v.grade("73 %%").status == "unreadable"
    assert v.example == "12.5 % or 12.5"
    assert precision_text(q, v.answer) == "to a tenth of a percentage point"
    assert v.to_json()["answer"] == v.answer and v.to_json()["answer_type"] == "percent"
    assert key_value(q) == pytest.approx(0.731) and _key_agrees(q, v) is None
    assert check_variant(v) == []
    for seed in range(1, 6):  # random variants too
        w = make_variant(q, seed)
        assert w.grade(w.expected).correct and check_variant(w) == []

    tolerance = tmp_path / "tolerance.yaml"  # not exact, no estimates: a tolerance is allowed, an estimate is not
    tolerance.write_text((tmp_path / "percent.yaml").read_text().replace("    source:", "    tolerance: {estimate: 0.05}\n    source:")
                         .replace("sigmoid-percent", "sigmoid-estimate"), encoding="utf-8")
    (tmp_path / "percent.yaml").unlink()
    errors = [e.message for e in load_bank([tmp_path]).errors]
    assert "an estimate needs answer_type: number" in errors
