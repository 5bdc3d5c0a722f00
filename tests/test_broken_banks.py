"""Broken question files: each gives a one-line error naming the file, the line, the question and the field.

The corpus is ``tests/broken_banks/``: one deliberately broken file per mistake an author (or an
attacker) makes, plus ``good.yaml``. :data:`EXPECTED` says what each must produce. Problems a
loader can see are reported by ``load_bank``; the rest (unknown solver, a key the solver
disagrees with, a vary that yields nothing valid, a solver that rejects the params) by
``drill check``, which reports every problem of a bank at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.core.bank import load_bank
from drill.authoring.check import check_question
from drill.cli import app

CORPUS = Path(__file__).parent / "broken_banks"
PWNED = Path("/tmp/drill-broken-bank-pwned")  # what unsafe_python_object.yaml would create under an unsafe loader

# file -> (stage, line, question id, field, part of the message). stage: "load" (every command),
# "solvers" (loaders that know the solver names: quiz, check, generate), "check" (drill check only).
EXPECTED = {
    "alias_bomb.yaml": ("load", 16, "broken-alias-bomb", "params.a4.7", "YAML expands to more than 100,000 values"),
    "answer_type_not_text.yaml": ("load", 13, "broken-answer-type-list", "answer_type", "unknown answer_type ['number']"),
    "bad_difficulty.yaml": ("load", 6, "broken-difficulty", "difficulty", "must be 1, 2 or 3"),
    "bad_id.yaml": ("load", 4, "Broken_ID", "id", "must be kebab-case"),
    "bad_tolerance.yaml": ("load", 14, "broken-tolerance", "tolerance", "must be a relative tolerance in [0, 1)"),
    "constraint_broken.yaml": ("check", 4, "broken-constraint", "constraints", "canonical params break constraint 'upstream > 100'"),
    # drill's own words only: PyYAML's parser may refuse the nesting first, in its words (6.0.4 does)
    "deep_nesting.yaml": ("load", 3, None, None, ""),
    "duplicate_id_b.yaml": ("load", 4, "broken-duplicate", "id", "id already used in tests/broken_banks/duplicate_id_a.yaml:4"),
    "empty.yaml": ("load", 1, None, None, "the file is empty"),
    "explain_missing_question.yaml": ("load", 9, None, "explain.example", "must be the id of a question in this file, got 'no-such-question'"),
    "key_disagrees.yaml": ("check", 4, "broken-key", "answer", "solver gives 2.5 for the canonical params but the key says 0.5"),
    "key_unreadable.yaml": ("load", 12, "broken-key-text", "answer", "the key is unreadable: could not read 'two and a half' as a number"),
    "missing_key.yaml": ("load", 4, "broken-missing-answer", "answer", "missing required field 'answer'"),
    "non_utf8.yaml": ("load", 7, "broken-latin1", None, "not UTF-8: byte 0xe9 cannot be decoded"),
    "params_not_a_mapping.yaml": ("load", 9, "broken-params-list", "params", "must be a mapping of parameter names to values"),
    "placeholder_not_in_params.yaml": ("load", 7, "broken-placeholder", "prompt", "placeholder {upstream_grad} is not in params"),
    "solver_placeholder_missing.yaml": ("check", 4, "broken-solver-placeholder", "prompt", "placeholder {_point} is not provided by solver 'residual-grad'"),
    "solver_rejects_params.yaml": ("solvers", 10, "broken-solver-params", "params.local_grads", "must be a list of numbers, not text"),  # the declaration
    "tabs.yaml": ("load", 7, "broken-tabs", None, "YAML error: "),
    "top_level_list.yaml": ("load", 1, None, None, "a bank file is a mapping with format_version and questions, not a list"),
    "unknown_field.yaml": ("load", 14, "broken-typo-field", "tolerence", "unknown field"),
    "unknown_local_tag.yaml": ("load", 9, "broken-local-tag", None, "unsafe or unknown YAML tag"),
    "unknown_solver.yaml": ("solvers", 8, "broken-unknown-solver", "solver", "unknown solver 'residual-grads'; did you mean residual-grad"),
    "unsafe_python_name.yaml": ("load", 8, "broken-unsafe-name", None, "unsafe or unknown YAML tag"),
    "unsafe_python_object.yaml": ("load", 10, "broken-unsafe-apply", None, "unsafe or unknown YAML tag"),
    "vary_bad_modifiers.yaml": ("load", 13, "broken-vary-modifiers", "vary", "upstream: decimals must be a whole number from 0 to 12, got 'two'"),
    "vary_path_not_in_params.yaml": ("load", 13, "broken-vary-path", "vary", "upstreem: path not found in params"),
    "vary_step_zero.yaml": ("load", 13, "broken-vary-step", "vary", "upstream: step must be a whole number of at least 1, got 0"),
    "vary_yields_invalid.yaml": ("check", 4, "broken-vary-invalid", "vary", "vary yields no usable params in 200 draws; the first draw was refused: the solver refuses them: a branch has 1 to 7 functions, got 2"),
    "wrong_answer_type.yaml": ("load", 13, "broken-answer-type", "answer_type", "unknown answer_type 'float'"),
    "wrong_format_version.yaml": ("load", 1, None, None, "format_version must be 1 (found 2)"),
    "yaml_syntax_error.yaml": ("load", 11, "broken-syntax", None, "YAML error: did not find expected ',' or ']'"),
}
NEEDS = {"duplicate_id_b.yaml": ["duplicate_id_a.yaml"]}  # files loaded before it


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
    # 100,000 nested brackets made the C loader recurse until the process segfaulted. Which check
    # fires first (drill's 64 levels, or the parser's own limit) depends on the PyYAML release:
    # assert drill's behaviour, one error on the right line, never the library's wording.
    (e,) = errors_of("deep_nesting.yaml")
    assert (e.file.endswith("deep_nesting.yaml"), e.line, e.qid) == (True, 3, None)
    assert e.message and "\n" not in e.message


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
        ("vary_yields_invalid.yaml", "vary", "vary yields no usable params in 200 draws; the first draw was refused: the solver refuses them: a branch has 1 to 7 functions, got 2"),
    ],
)
def test_make_variant_raises_only_variant_error(name, field, message):
    from drill.core.variants import VariantError, make_variant

    (q,) = load_bank([CORPUS / name]).questions.values()
    with pytest.raises(VariantError) as info:
        for seed in (0, 1):
            make_variant(q, seed)
    assert info.value.field == field and message in str(info.value)


def test_a_draw_the_sampler_cannot_make_is_a_variant_error(tmp_path):
    # a bound written as text is an expression: "1e30" passes the loader, then numpy refused the range
    from drill.core.variants import VariantError, make_variant

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
    from drill.solvers import all_solvers

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


# --- the whole corpus ---------------------------------------------------------------------


def test_the_corpus_is_complete():
    broken = sorted(p.name for p in CORPUS.glob("*.yaml") if p.name not in ("good.yaml", "duplicate_id_a.yaml"))
    assert broken == sorted(EXPECTED) and len(EXPECTED) >= 20


def _problems(name: str):
    """(line, qid, field, message) of every problem one broken file causes, at its stage."""
    from drill.solvers import all_solvers

    stage = EXPECTED[name][0]
    bank = load_bank([CORPUS / n for n in NEEDS.get(name, []) + [name]], solvers=all_solvers() if stage != "load" else None)
    found = [(e.line, e.qid, e.field, e.message, str(e)) for e in bank.errors]
    if stage == "check":
        assert not found
        found = [(f.line, f.qid, f.field, f.what, f"{f.file}:{f.line}: {f}") for q in bank.questions.values() for f in check_question(q, 3)]
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_gives_one_precise_line(name, monkeypatch):
    monkeypatch.chdir(CORPUS.parents[1])
    stage, line, qid, field, message = EXPECTED[name]
    found = _problems(name)
    assert len(found) == 1, found
    (got_line, got_qid, got_field, got_message, text) = found[0]
    assert (got_line, got_qid, got_field) == (line, qid, field), text
    assert message in got_message, got_message
    assert "\n" not in text and f"tests/broken_banks/{name}:{line}" in text
    if stage == "load":  # loader problems name the file first: file:line: question 'id': field 'f': message
        assert text.startswith(f"tests/broken_banks/{name}:{line}: ")
        assert (f"question {qid!r}" in text) == (qid is not None) and (f"field {field!r}" in text) == (field is not None)


def test_unsafe_tags_run_nothing():
    PWNED.unlink(missing_ok=True)
    load_bank([CORPUS / "unsafe_python_object.yaml", CORPUS / "unsafe_python_name.yaml"])
    assert not PWNED.exists()


def test_drill_check_reports_every_problem_of_a_bank_at_once(monkeypatch):
    monkeypatch.chdir(CORPUS.parents[1])
    r = CliRunner().invoke(app, ["check", "--bank", "tests/broken_banks", "--variants", "3", "--workers", "1"], env={"COLUMNS": "400", "DRILL_BANK": ""})
    assert r.exit_code == 1
    rows = [l for l in r.output.splitlines() if l.startswith("│")]
    assert f"{len(EXPECTED)} problems" in r.output and len(rows) == len(EXPECTED), r.output
    for name, (stage, line, qid, field, message) in EXPECTED.items():
        row = next((l for l in rows if f"tests/broken_banks/{name}:{line} " in l), None)
        assert row is not None, name
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[1:3] == [qid or "", field or ""] and message in cells[4], (name, cells)
    assert "user-residual" not in r.output  # the good file next to them passes


PROBLEMS_IN_QUIZ = {n for n, e in EXPECTED.items() if e[0] in ("load", "solvers")}
ASKED_BROKEN = {"constraint_broken.yaml", "solver_placeholder_missing.yaml", "vary_yields_invalid.yaml"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_one_broken_file_never_takes_a_quiz_down(tmp_path, name):
    for n in [name, "good.yaml", *NEEDS.get(name, [])]:
        shutil.copy(CORPUS / n, tmp_path / n)
    ids = ["-q", "user-residual"]
    if name in ASKED_BROKEN or name == "key_disagrees.yaml":
        ids += ["-q", EXPECTED[name][2]]  # loads, then fails (or not: a wrong key) when a variant is made
    r = CliRunner().invoke(app, ["quiz", *ids, "--seed", "0", "--bank", str(tmp_path)], input="2.5\n2.5\n2.5\n", env={"COLUMNS": "400", "DRILL_BANK": ""})
    assert r.exit_code == 0, r.output
    assert "✓ Correct." in r.output and "Session summary" in r.output
    warnings = [l for l in r.output.splitlines() if l.startswith("warning:") or "skipped a broken question" in l]
    if name in PROBLEMS_IN_QUIZ | ASKED_BROKEN:
        assert warnings and all(name in w for w in warnings), warnings
    else:
        assert warnings == []  # a wrong key: the quiz trusts the solver; only `drill check` sees it


def test_a_question_without_vary_that_makes_no_variant_is_told_why(tmp_path):
    """Not 'vary yields no valid params': the real cause, here a named mistake inside a 15 % tolerance
    (2·(1 + 0.5) = 2.25 against the key 2.5)."""
    import re

    from drill.core.variants import VariantError, make_variant

    text = re.sub(r"    vary:\n(      .*\n)+", "", (CORPUS / "good.yaml").read_text())
    (tmp_path / "novary.yaml").write_text(text.replace("answer_type: number", "answer_type: number\n    tolerance: 0.15"))
    (q,) = load_bank([tmp_path]).questions.values()
    assert not q.vary and make_variant(q, 0).answer == 2.5
    with pytest.raises(VariantError) as info:
        make_variant(q, 1)
    assert info.value.field == "params" and "no vary block" in str(info.value) and "vary yields" not in str(info.value)
    assert "a named mistake is graded correct (did not multiply the branch path by dL/dF)" in str(info.value)
