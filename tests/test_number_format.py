"""Issue 20 item 4: one number format everywhere a number is shown (solvers._fmt.fmt), plurals that
agree with their count, and the grader reading its own format back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.core.bank import load_bank
from drill.cli import app
from drill.core.grading import answer_type, grade_value
from drill.solvers._fmt import fmt, plural
from drill.core.tolerance import Tolerance
from drill.core.variants import make_variant

runner = CliRunner()

TABLE = [  # value, sig, expected text
    (7241732096, 6, "7,241,732,096"),
    (-7241732096, 6, "-7,241,732,096"),
    (2**70, 6, "1,180,591,620,717,411,303,424"),  # a Python int: every digit (integer answers are exact)
    (529411, 6, "529,411"),
    (999, 6, "999"),
    (0, 6, "0"),
    (0.0, 6, "0"),
    (-0.0, 6, "0"),
    (1e-17, 6, "1e-17"),  # float noise stays visible: the key's tolerance decides, not the formatter
    (-1e-17, 6, "-1e-17"),
    (3.15e23, 6, "3.15e23"),
    (8.04e22, 6, "8.04e22"),
    (1e15, 6, "1e15"),
    (999999999999999.0, 6, "999,999,999,999,999"),
    (3.19e13, 6, "31,900,000,000,000"),
    (3.2e9, 6, "3,200,000,000"),
    (2.0, 6, "2"),
    (0.101, 6, "0.101"),
    (-0.11920292202211769, 6, "-0.119203"),
    (-0.11920292202211769, 3, "-0.119"),
    (12345.678, 6, "12,345.7"),
    (1 / 3, 10, "0.3333333333"),
    (0.0001, 6, "0.0001"),
    (9.99e-5, 6, "9.99e-5"),
    (-2.5e-5, 6, "-2.5e-5"),
    (31863621222400.7, 6, "31,863,621,222,401"),  # more whole digits than sig: written out, never 3.18636e13
    (float("inf"), 6, "inf"),
    (float("nan"), 6, "nan"),
    ([1024, 0.5, -3], 6, "[1024, 0.5, -3]"),  # inside a list a comma separates entries: no grouping
]


@pytest.mark.parametrize(("value", "sig", "text"), TABLE)
def test_the_one_number_format(value, sig, text):
    assert fmt(value, sig) == text


@pytest.mark.parametrize(("value", "text"), [(7241732096, "7241732096"), (12345.678, "12345.7"), (3.15e23, "3.15e23")])
def test_ungrouped_for_machines(value, text):
    assert fmt(value, group=False) == text


@pytest.mark.parametrize(("value", "sig"), [(v, s) for v, s, _ in TABLE if isinstance(v, (int, float)) and v == v and abs(v) != float("inf")])
def test_what_drill_shows_the_answer_line_reads_back(value, sig):
    atype = answer_type("integer" if isinstance(value, int) else "number")
    back = atype.parse(fmt(value, sig))
    if isinstance(value, int):
        assert back == value
    else:
        assert back == pytest.approx(float(fmt(value, sig, group=False)), rel=1e-12, abs=0)


@pytest.mark.parametrize(("n", "word"), [(1, "sequence"), (2, "sequences"), (0, "sequences"), (1.0, "sequence"), ("1", "sequence"), (-1, "sequence")])
def test_plural_agrees_with_the_count(n, word):
    assert plural(n, "sequence") == word


def test_plural_irregular_and_sibilant():
    assert (plural(3, "matrix", "matrices"), plural(1, "matrix", "matrices"), plural(2, "pass"), plural(2, "box")) == ("matrices", "matrix", "passes", "boxes")


def test_a_near_miss_echoes_the_learners_own_number():
    g = grade_value(answer_type("integer"), "3.2e9", 3_216_000_000, Tolerance())
    assert g.status == "wrong" and g.near_miss and g.near_miss.rounded
    assert g.given == "3.2e9" and g.expected == "3,216,000,000"
    g = grade_value(answer_type("integer"), "3000*1000", 3_216_000_000, Tolerance())
    assert g.given == "3,000,000"  # an expression: its value in the one format


@pytest.mark.parametrize(("tol", "text"), [
    (Tolerance(), "exactly 0 (float noise within ±1e-15 is ignored)"),
    (Tolerance(decimals=2), "to 2 decimals, i.e. within ±0.005 of 0"),
])
def test_a_window_around_zero_in_words(tol, text):
    assert tol.describe(0.0) == text
    assert "between" not in tol.describe(0.0)


def test_a_wide_window_names_its_bounds_in_the_one_format():
    assert Tolerance(rtol=0.01).describe(7241732096.0) == "to within ±1 %, i.e. between 7,169,314,775 and 7,314,149,417"


def _seed_where(qid: str, want) -> int:
    q = load_bank().questions[qid]
    return next(s for s in range(200) if want(make_variant(q, s)))


@pytest.mark.parametrize("count", [1, 2])
def test_prompt_plural_agrees_with_the_batch(count):
    q = load_bank().questions["kv-cache-total"]
    v = make_variant(q, _seed_where("kv-cache-total", lambda v: v.params["batch"] == count))
    words = " ".join(v.prompt.split())
    assert f"batch of {count} {'sequence' if count == 1 else 'sequences'} of" in words
    assert "(s)" not in v.prompt


def test_no_bank_prompt_or_step_says_s_in_brackets():
    bank = load_bank()
    for q in bank.questions.values():
        v = make_variant(q, 0)
        for text in (v.prompt, *v.steps):
            assert "(s) " not in text and not text.endswith("(s)"), (q.id, text)


def test_quiz_shows_big_numbers_grouped_and_one_e_notation():
    r = runner.invoke(app, ["quiz", "-q", "llm-params-llama", "--seed", "0", "--no-save"], input="s\n")
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    v = make_variant(load_bank().questions["llm-params-llama"], 0)
    assert f"The answer is {v.answer:,}." in out and str(v.answer) not in out
    r = runner.invoke(app, ["quiz", "-q", "training-flops", "--seed", "0", "--no-save"], input="s\n")
    out = " ".join(r.output.split())
    assert "e+" not in out  # 8.04e22, never 8.04e+22
    v = make_variant(load_bank().questions["training-flops"], 0)
    assert f"The answer is {fmt(v.answer)}." in out and "e" in fmt(v.answer)


def test_quiz_json_keeps_machine_numbers():
    r = runner.invoke(app, ["quiz", "-q", "llm-params-llama", "--seed", "0", "--no-save", "--json"], input="s\n")
    v = make_variant(load_bank().questions["llm-params-llama"], 0)
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["attempts"][0]["expected"] == str(v.answer)


def test_interview_report_groups_the_answers():
    import re

    r = runner.invoke(app, ["interview", "-t", "llm-arithmetic", "-n", "3", "--seed", "5", "--no-save"], input="1\n1\n1\n")
    assert r.exit_code == 0, r.output
    report = r.output.split("Interview report")[-1]
    bank = load_bank()
    replays = re.findall(r"drill quiz --question ([\w-]+) --seed (\d+)", report)
    assert replays
    flat = " ".join(report.split())
    checked = 0
    for qid, seed in replays:
        v = make_variant(bank.questions[qid], int(seed))
        if v.choices is None and abs(float(v.answer)) >= 10_000 and float(v.answer) < 1e15:
            assert fmt(v.answer) in flat and "," in fmt(v.answer)
            checked += 1
    assert checked  # at least one big answer in this session


def test_a_placeholder_in_code_stays_plain_and_in_words_is_grouped():
    import dataclasses

    q = load_bank().questions["kv-cache-total"]
    q = dataclasses.replace(q, prompt="Linear({seq_len}, 3), in_features={seq_len}; {seq_len} tokens; {batch} {sequence|batch}")
    v = make_variant(q, 0)
    n = v.params["seq_len"]
    assert n >= 1000
    assert v.prompt.startswith(f"Linear({n}, 3), in_features={n}; {n:,} tokens; ")


def test_a_plural_placeholder_must_count_a_param(tmp_path):
    from drill.core.bank import load_file

    text = (Path(__file__).parent / "broken_banks" / "placeholder_not_in_params.yaml").read_text(encoding="utf-8")
    good = text.replace("upstream {upstream_grad}", "{upstream} {unit|upstream}")
    bad = text.replace("upstream {upstream_grad}", "{upstream} {unit|upstreem}")
    (tmp_path / "good.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    questions, errors = load_file(tmp_path / "good.yaml")
    assert not errors and "2 units" in make_variant(questions[0], 0).prompt
    _, errors = load_file(tmp_path / "bad.yaml")
    assert [e.field for e in errors] == ["prompt"] and "{upstreem}" in errors[0].message
