"""Hostile banks (issue 12): a shared bank can neither crash drill, hang it, exhaust its memory nor
write to the terminal. Each reproduction is one file in ``tests/hostile_banks/``, or is made here
in ``tmp_path`` (symlinks, FIFOs, files too big to commit). Every one must give a one-line problem
naming file:line and field, leave the other banks loaded, and let ``drill check`` finish in seconds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.core import bank as bank_mod
from drill.core.bank import load_bank
from drill.cli import app
from drill.solvers import all_solvers

CORPUS = Path(__file__).parent / "hostile_banks"
GOOD = Path(__file__).parent / "broken_banks" / "good.yaml"
runner = CliRunner()
ENV = {"COLUMNS": "400", "DRILL_BANK": ""}

# file -> (stage, field the problem names, part of the message). stage "load": load_bank reports
# it; "check": drill check reports it (a solver or a draw refuses the params).
EXPECTED = {
    "binary_param.yaml": ("load", "params.blob", "binary data (!!binary) is not bank data"),
    "date_param.yaml": ("load", "params.when", "reads as a date"),
    "set_param.yaml": ("load", "params.things", "a set (!!set) is not bank data"),
    "recursive_anchor.yaml": ("load", "params.local_grads.1", "inside its own anchor"),
    "int_5000_digits.yaml": ("load", "params.n", "an integer of 5,000 digits; at most 30 digits"),
    "layer_400_digits.yaml": ("load", "params.input_shape.0", "an integer of 400 digits"),
    "lstm_num_layers.yaml": ("check", "params", "num_layers 100000000 is above 1000"),
    "epoch_huge.yaml": ("check", "params.epoch", "must be a whole number, not a number"),  # 1.0e+10: the declaration refuses it
    "vary_len_expr.yaml": ("check", "vary", "a count (len, rows, cols) of 100000000 is outside 0–100"),
    "matrix_rows_expr.yaml": ("check", "vary", "a count (len, rows, cols) of 10000 is outside 0–100"),
    "escape_sequences.yaml": ("check", "title", "the title holds a control character (\\x1b"),
    "escapes_everywhere.yaml": ("check", "hint", "the hint holds a control character (\\x9b"),
    "markup_in_text.yaml": ("check", "constraints", "constraint 'x > 1 [/]'"),
    "float_padding.yaml": ("check", "params", "layer.padding must be a whole number (at most 10^15), got 1e+300"),
    "adagrad_overflow.yaml": ("check", "params", "the params overflow floating point"),
    "pe_row_million.yaml": ("check", "params", "d_model 1000000 gives a vector of 1,000,000 values; at most 1,000"),
}


def rows(output: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("│").split("│")] for line in output.splitlines() if line.startswith("│")]


def test_the_corpus_is_the_expected_list():
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


def test_drill_check_names_every_problem_of_the_corpus_in_seconds(monkeypatch):
    monkeypatch.chdir(CORPUS.parents[1])
    r = runner.invoke(app, ["check", "--bank", "tests/hostile_banks", "--variants", "3", "--workers", "1"], env=ENV)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code == 1, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output and "internal error" not in r.output
    found = rows(r.output)
    for name, (stage, field, message) in EXPECTED.items():
        mine = [row for row in found if row[0].startswith(f"tests/hostile_banks/{name}:")]
        assert any(row[2] == field and message in row[4] for row in mine), (name, mine)


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e[0] == "load"))
def test_one_hostile_file_never_takes_the_other_banks_down(name, tmp_path):
    shutil.copy(CORPUS / name, tmp_path / name)
    shutil.copy(GOOD, tmp_path / "good.yaml")
    b = load_bank([tmp_path])
    assert "user-residual" in b.questions
    (err,) = b.errors
    assert err.file.endswith(name) and err.line and err.field == EXPECTED[name][1]
    assert "\n" not in str(err)


def test_a_quiz_next_to_every_hostile_file_goes_on(tmp_path):
    for p in CORPUS.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    shutil.copy(GOOD, tmp_path / "good.yaml")
    r = runner.invoke(app, ["quiz", "-q", "user-residual", "-q", "hostile-escapes", "-q", "hostile-lstm-layers", "-q", "hostile-markup",
                            "--seed", "0", "--no-save", "--bank", str(tmp_path)], input="2.5\n3\n3\n3\n", env=ENV)
    assert r.exit_code == 0, r.output
    assert "✓ Correct." in r.output and "Session summary" in r.output
    assert "skipped a broken question" in r.output  # the LSTM of 10^8 layers, in one line
    assert "[/]" in r.output  # shown as typed in the bank, not parsed as markup
    for line in r.output.splitlines():
        if line.startswith("warning:"):
            assert "hostile_banks" not in line or ".yaml" in line


def test_markup_in_bank_text_is_never_markup(tmp_path, monkeypatch):
    shutil.copy(CORPUS / "markup_in_text.yaml", tmp_path)
    r = runner.invoke(app, ["list", "--bank", str(tmp_path)], env=ENV)
    assert r.exit_code == 0 and "hostile-markup" in r.output
    g = runner.invoke(app, ["generate", "hostile-markup", "--seed", "0", "--bank", str(tmp_path)], env=ENV)
    assert g.exit_code == 2 and "constraint 'x > 1 [/]'" in g.output and "internal error" not in g.output


def test_escape_sequences_never_reach_the_terminal(tmp_path):
    shutil.copy(CORPUS / "escape_sequences.yaml", tmp_path)
    for args in (["list"], ["list", "--json"], ["generate", "hostile-escapes", "--seed", "0"], ["generate", "hostile-escapes", "--seed", "0", "--json"]):
        r = runner.invoke(app, [*args, "--bank", str(tmp_path)], env=ENV)
        assert r.exit_code == 0, (args, r.output)
        assert "\x1b" not in r.output and "\x07" not in r.output, args
    r = runner.invoke(app, ["generate", "hostile-escapes", "--seed", "0", "--bank", str(tmp_path)], env=ENV)
    assert "\\x1b]0;PWNED" in r.output  # shown, escaped


# --- files that are not plain files inside the bank folder (made here, never committed) ---------------


def bank_with(tmp_path: Path, name: str) -> Path:
    d = tmp_path / "bank"
    d.mkdir(exist_ok=True)
    shutil.copy(GOOD, d / "good.yaml")
    return d / name


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_a_device_is_refused(tmp_path, target):
    link = bank_with(tmp_path, "zero.yaml")
    link.symlink_to(target)
    b = load_bank([link.parent])
    assert "user-residual" in b.questions
    (err,) = b.errors
    assert "zero.yaml" in err.file and "outside the bank folder" in err.message


def test_a_fifo_is_never_opened(tmp_path):
    fifo = bank_with(tmp_path, "fifo.yaml")
    os.mkfifo(fifo)
    b = load_bank([fifo.parent])  # returns at all: a FIFO opened for reading would block here
    (err,) = b.errors
    assert "not a regular file" in err.message
    link = bank_with(tmp_path, "fifo-link.yaml")  # a link to a FIFO inside the folder: still no
    link.symlink_to(fifo)
    assert all("not a regular file" in e.message for e in load_bank([fifo.parent]).errors)


def test_a_symlink_loop_and_a_dangling_link_are_one_line_each(tmp_path):
    a = bank_with(tmp_path, "a.yaml")
    a.symlink_to(a.parent / "b.yaml")
    (a.parent / "b.yaml").symlink_to(a)
    (a.parent / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    b = load_bank([a.parent])
    assert "user-residual" in b.questions
    assert sorted(Path(e.file).name for e in b.errors) == ["a.yaml", "b.yaml", "gone.yaml"]
    assert all(e.message.startswith("cannot read") for e in b.errors)


def test_a_symlink_out_of_the_folder_is_not_read(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("format_version: 1\nquestions: [SECRET-TOKEN-123: {]\n", encoding="utf-8")
    link = bank_with(tmp_path, "innocent.yaml")
    link.symlink_to(secret)
    r = runner.invoke(app, ["list", "--bank", str(link.parent)], env=ENV)
    assert r.exit_code == 0 and "SECRET-TOKEN" not in r.output and "outside the bank folder" in r.output
    inside = bank_with(tmp_path, "alias.yaml")  # a link to a file inside the folder is fine
    inside.symlink_to(link.parent / "good.yaml")
    b = load_bank([link.parent])
    assert any("id already used" in e.message for e in b.errors)  # read: it is good.yaml again


def test_a_file_over_one_mebibyte_is_refused_unread(tmp_path):
    big = bank_with(tmp_path, "big.yaml")
    big.write_bytes(b"# padding\n" * 110_000)
    (err,) = load_bank([big.parent]).errors
    assert "at most 1,048,576 bytes" in err.message


# --- generated reproductions too big to commit -------------------------------------------------------


def question(i: int, solver: str = "residual-grad") -> str:
    return (f"  - {{id: q-{i}, title: t, difficulty: 1, prompt: 'F = x + {{_branch}}, up {{upstream}}?', solver: {solver},"
            f" params: {{local_grads: [0.5], upstream: 2.0}}, answer: 3.0, answer_type: number, source: s}}\n")


def test_ten_thousand_questions_are_refused_truthfully(tmp_path):
    d = tmp_path / "bank"
    d.mkdir()
    (d / "many.yaml").write_text("format_version: 1\ntopic: many\nquestions:\n" + "".join(question(i) for i in range(10_000)), encoding="utf-8")
    (err,) = load_bank([d]).errors
    assert "aliases" not in err.message
    assert "more than 2,000 questions in one file" in err.message or "bytes (1 MiB)" in err.message
    compact = "format_version: 1\ntopic: many\nquestions:\n- &q " + question(0)[4:] + "- *q\n" * 9_999
    (d / "many.yaml").write_text(compact, encoding="utf-8")
    (err,) = load_bank([d]).errors
    assert "more than 2,000 questions in one file" in err.message and err.line == 2004


def test_text_aliased_into_a_prompt_is_refused(tmp_path):
    d = tmp_path / "bank"
    d.mkdir()
    text = "x" * 15_000
    aliases = ", ".join(["*s"] * 90_000)
    body = (f"format_version: 1\ntopic: t\nquestions:\n  - id: bomb\n    title: t\n    difficulty: 1\n    prompt: '{{big}}'\n"
            f"    solver: residual-grad\n    params: {{s: &s {text}, big: [{aliases}], local_grads: [0.5], upstream: 2.0}}\n"
            "    answer: 3.0\n    answer_type: number\n    source: s\n")
    (d / "bomb.yaml").write_text(body, encoding="utf-8")
    (err,) = load_bank([d]).errors
    assert "characters of text" in err.message and err.field and err.field.startswith("params.big")
    (d / "bomb.yaml").write_text(body.replace(text, "y" * 600_000).replace(aliases, "*s"), encoding="utf-8")  # one long text
    (err,) = load_bank([d]).errors
    assert "a text of 600,000 characters; at most 20,000" in err.message


def test_checking_unknown_solvers_is_linear(tmp_path):
    d = tmp_path / "bank"
    d.mkdir()
    for f in range(3):
        qs = "".join(question(f * 500 + i, solver=f"no-such-solver-{i % 7}") for i in range(500))
        (d / f"u{f}.yaml").write_text(f"format_version: 1\ntopic: u\nquestions:\n{qs}", encoding="utf-8")
    b = load_bank([d], solvers=all_solvers())
    assert len(b.errors) == 1500 and not b.questions
    assert b.errors[-1].line == 4 + 499 and b.errors[-1].field == "solver"
    # (speed itself is measured in benchmarks/, never asserted: quadratic, 4,500 took 28 s on main)


def test_params_beyond_the_limits_are_refused_at_load_and_after_a_draw(tmp_path):
    big = {"n": 10**16}
    assert "beyond ±10^15" in bank_mod.param_limit_problem(big)
    assert "a list of 10,001 items" in bank_mod.param_limit_problem({"v": [0] * 10_001})
    assert "more than 100,000 values" in bank_mod.param_limit_problem({"m": [[0] * 10_000] * 11})
    assert bank_mod.param_limit_problem({"n": 10**15, "v": [1.5] * 10_000, "m": [[1] * 100] * 100, "s": "relu"}) is None
    from drill.core.variants import VariantError, make_variant

    q = load_bank([GOOD]).questions["user-residual"]
    from dataclasses import replace

    hostile = replace(q, vary={"upstream": {"expr": "10**20"}})
    with pytest.raises(VariantError, match="beyond drill's limits"):
        make_variant(hostile, 1)
