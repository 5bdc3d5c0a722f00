"""Broken question files: each gives a one-line error naming the file, the line, the question and the field.

The corpus is ``tests/broken_banks/``: one deliberately broken file per mistake an author (or an
attacker) makes, plus ``good.yaml``. :data:`EXPECTED` says what each must produce. Problems a
loader can see are reported by ``load_bank``; the rest (unknown solver, a key the solver
disagrees with, a vary that yields nothing valid, a solver that rejects the params) by
``drill check``, which reports every problem of a bank at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drill.bank import load_bank

CORPUS = Path(__file__).parent / "broken_banks"


def errors_of(*names: str) -> list:
    bank = load_bank([CORPUS / n for n in names])
    return bank.errors


def test_answer_type_that_is_not_text_is_an_error_not_a_crash():
    # `answer_type: [number]` raised TypeError (unhashable list) out of load_bank
    (e,) = errors_of("answer_type_not_text.yaml")
    assert (e.qid, e.field, e.line) == ("broken-answer-type-list", "answer_type", 13)
    assert "unknown answer_type ['number']" in e.message


def test_alias_bomb_is_refused_before_anything_walks_it():
    # 10 aliases of 10 aliases, 9 levels deep: 10^9 values once expanded; check/generate hung on it
    (e,) = errors_of("alias_bomb.yaml")
    assert e.line == 16 and "expands to more than 100,000 values" in e.message


def test_nesting_deeper_than_a_bank_needs_is_refused():
    # 100,000 nested brackets made the C loader recurse until the process segfaulted
    (e,) = errors_of("deep_nesting.yaml")
    assert e.line == 3 and "nested more than 64 levels deep" in e.message


def test_aliases_within_reason_still_load(tmp_path):
    text = (CORPUS / "good.yaml").read_text().replace("local_grads: [0.5, 0.5]", "local_grads: &g [0.5, 0.5]\n      again: *g")
    (tmp_path / "ok.yaml").write_text(text)
    bank = load_bank([tmp_path])
    assert not bank.errors and bank.questions["user-residual"].params["again"] == [0.5, 0.5]


def test_vary_modifiers_are_validated_when_loading():
    # `step: 0` raised ZeroDivisionError in the sampler (a quiz crash); the others TypeError/ValueError
    (e,) = errors_of("vary_step_zero.yaml")
    assert (e.qid, e.field, e.line) == ("broken-vary-step", "vary", 13)
    assert "upstream: step must be a whole number of at least 1, got 0" in e.message
    (e,) = errors_of("vary_bad_modifiers.yaml")
    assert (e.qid, e.field, e.line) == ("broken-vary-modifiers", "vary", 13)
    assert "decimals must be a whole number from 0 to 12, got 'two'" in e.message


@pytest.mark.parametrize(
    "spec, message",
    [
        ("{int: [9, 1]}", "empty range [9, 1]"),
        ("{int: [1, 1.0e+30]}", "within ±1e15"),
        ("{float: [0, .inf]}", "within ±1e15"),
        ("{int: [1, 9], exclude: 3}", "exclude takes a list"),
        ("{vector: {len: -1, float: [0, 1]}}", "vector: len takes a count"),
        ("{vector: {len: 3, float: [0, 1], int: [0, 1]}}", "vector takes one of int or float"),
        ("{matrix: {rows: 2, cols: 100000, int: [0, 9]}}", "matrix: cols takes a count"),
        ("{float: [0, 1], decimals: 99}", "decimals must be a whole number from 0 to 12"),
    ],
)
def test_vary_spec_problems(tmp_path, spec, message):
    text = (CORPUS / "good.yaml").read_text().replace("upstream: {float: [0.1, 2.0], decimals: 1}", f"upstream: {spec}")
    (tmp_path / "q.yaml").write_text(text)
    (e,) = load_bank([tmp_path]).errors
    assert (e.qid, e.field, e.line) == ("user-residual", "vary", 15) and message in e.message


@pytest.mark.parametrize(
    "name, field, message",
    [
        ("unknown_solver.yaml", "solver", "unknown solver 'residual-grads'; did you mean residual-grad"),  # was a KeyError
        ("solver_rejects_params.yaml", "params", "solver 'residual-grad' cannot use these params (ValueError"),  # was a ValueError
        ("vary_yields_invalid.yaml", "vary", "vary yields no valid params in 200 draws"),
    ],
)
def test_make_variant_raises_only_variant_error(name, field, message):
    from drill.variants import VariantError, make_variant

    (q,) = load_bank([CORPUS / name]).questions.values()
    with pytest.raises(VariantError) as info:
        for seed in (0, 1):
            make_variant(q, seed)
    assert info.value.field == field and message in str(info.value)


def test_a_draw_the_sampler_cannot_make_is_a_variant_error(tmp_path):
    # a bound written as text is an expression: "1e30" passes the loader, then numpy refused the range
    from drill.variants import VariantError, make_variant

    text = (CORPUS / "good.yaml").read_text().replace("upstream: {float: [0.1, 2.0], decimals: 1}", 'upstream: {int: [1, "1e30"]}')
    (tmp_path / "q.yaml").write_text(text)
    (q,) = load_bank([tmp_path]).questions.values()
    with pytest.raises(VariantError, match="cannot draw params from vary") as info:
        make_variant(q, 1)
    assert info.value.field == "vary"


def test_an_unreadable_key_is_a_loader_error():
    # found only by `drill check` before; now every command sees it, with the line
    (e,) = errors_of("key_unreadable.yaml")
    assert (e.qid, e.field, e.line) == ("broken-key-text", "answer", 12)
    assert "the key is unreadable: could not read 'two and a half' as a number" in e.message


def test_unknown_solver_is_a_loader_error_when_the_solvers_are_known():
    from solvers import all_solvers

    assert not errors_of("unknown_solver.yaml")  # `drill list` does not import the solvers (numpy)
    bank = load_bank([CORPUS / "unknown_solver.yaml", CORPUS / "good.yaml"], solvers=all_solvers())
    (e,) = bank.errors
    assert (e.qid, e.field, e.line) == ("broken-unknown-solver", "solver", 8)
    assert e.message.startswith("unknown solver 'residual-grads'; did you mean residual-grad")
    assert list(bank.questions) == ["user-residual"]


def test_non_utf8_names_the_line_and_byte():
    (e,) = errors_of("non_utf8.yaml")
    assert e.line == 7 and e.message == "not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8"


def test_empty_file_and_top_level_list():
    (e,) = errors_of("empty.yaml")
    assert e.line == 1 and e.message.startswith("the file is empty")
    (e,) = errors_of("top_level_list.yaml")
    assert e.line == 1 and e.message.endswith("not a list")


def test_another_format_version_skips_the_file():
    # its questions used to load anyway, after a warning that said "skipped"
    bank = load_bank([CORPUS / "wrong_format_version.yaml"])
    (e,) = bank.errors
    assert e.line == 1 and "format_version must be 1 (found 2)" in e.message
    assert not bank.questions
