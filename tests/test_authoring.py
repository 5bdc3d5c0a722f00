"""`drill new` templates pass `drill check` once a hand-worked key is filled in; `drill solvers` lists params."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from typer.testing import CliRunner

from drill.authoring.templates import example_for, solver_catalog, template
from drill.core.bank import load_bank
from drill.authoring.check import check_questions
from drill.cli import app

runner = CliRunner()
ANSWER_LINE = re.compile(r"^    answer:   # TODO.*$", re.M)


def fill_key(text: str, key) -> str:
    """The template with its empty ``answer:`` replaced by ``key`` (as the author would type it)."""
    line = "    answer: " + yaml.safe_dump(key, default_flow_style=True, allow_unicode=True, width=10**6).strip().removesuffix("\n...")
    out, n = ANSWER_LINE.subn(line, text)
    assert n == 1
    return out


def write_and_check(tmp_path, text: str, variants: int = 10, name: str = "mine.yaml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    bank = load_bank([tmp_path])
    assert not bank.errors, [str(e) for e in bank.errors]
    return bank, check_questions(bank.questions.values(), variants)


def test_cli_writes_template_that_passes_check_with_a_hand_worked_key(tmp_path):
    out = tmp_path / "bank" / "my_pool.yaml"
    r = runner.invoke(app, ["new", "my-pool", "--solver", "conv-output-size", "--out", str(out), "--topic", "my-shapes"])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# A drill question for solver 'conv-output-size'")
    # the empty key is refused when the bank loads, naming the file, line, question and field
    errors = load_bank([tmp_path / "bank"]).errors
    assert [(e.qid, e.field) for e in errors] == [("my-pool", "answer")]
    assert errors[0].line and "the key is empty" in errors[0].message and "None" not in errors[0].message
    # work the key out by hand from the template's params: floor((n + 2p − k) / s) + 1 per axis
    p = yaml.safe_load(text)["questions"][0]["params"]
    k, s, pad = p["layer"]["kernel_size"], p["layer"]["stride"], p["layer"]["padding"]
    h, w = ((n + 2 * pad - k) // s + 1 for n in p["input_shape"][1:])
    bank, failures = write_and_check(tmp_path / "bank", fill_key(text, f"{h}x{w}"), name=out.name)
    assert failures == [] and bank.questions["my-pool"].topic == "my-shapes"
    _, failures = write_and_check(tmp_path / "bank", fill_key(text, f"{h + 1}x{w}"), name=out.name)
    assert [f.seed for f in failures] == [0] and "the key says" in failures[0].what


@pytest.mark.parametrize("name", [s.name for s in solver_catalog(load_bank()) if s.questions])
def test_every_solver_template_passes_check_with_the_copied_questions_key(tmp_path, name):
    bank = load_bank()
    text = template(bank, "my-question", name)
    assert yaml.safe_load(text)["questions"][0]["answer"] is None
    ex = example_for(bank, name)  # the params are ex's; its hand-worked key is the right key for them
    mine, failures = write_and_check(tmp_path, fill_key(text, ex.answer))
    assert failures == [], [str(f) for f in failures]
    q = mine.questions["my-question"]
    assert (q.solver, q.params, q.prompt, q.vary, q.answer_type) == (name, ex.params, ex.prompt, ex.vary, ex.answer_type)


def test_new_refuses_taken_ids_bad_ids_unknown_solvers_and_overwrites(tmp_path, bank):
    r = runner.invoke(app, ["new", "mlp-params", "--solver", "network-params", "--out", "-"])
    assert r.exit_code == 2 and "already used in" in r.output and f"param_counts.yaml:{bank.questions['mlp-params'].line}" in r.output
    r = runner.invoke(app, ["new", "My_Q", "--solver", "network-params", "--out", "-"])
    assert r.exit_code == 2 and "kebab-case" in r.output
    r = runner.invoke(app, ["new", "my-q", "--solver", "network-param", "--out", "-"])
    assert r.exit_code == 2 and "did you mean network-params" in r.output
    target = tmp_path / "x.yaml"
    target.write_text("mine")
    r = runner.invoke(app, ["new", "my-q", "--solver", "network-params", "--out", str(target)])
    assert r.exit_code == 2 and target.read_text() == "mine"
    r = runner.invoke(app, ["new", "my-q", "--solver", "network-params", "--out", str(target), "--force"])
    assert r.exit_code == 0 and "solver: network-params" in target.read_text()


def test_solvers_lists_params_and_users(bank):
    r = runner.invoke(app, ["solvers", "--json"])
    assert r.exit_code == 0
    rows = {d["name"]: d for d in map(json.loads, r.output.splitlines())}
    from drill.solvers import all_solvers

    assert set(rows) == set(all_solvers())
    conv = rows["conv-output-size"]
    assert [p["name"] for p in conv["params"]] == ["input_shape", "layer"]
    assert all(p["required"] for p in conv["params"])
    assert set(conv["questions"]) == {q.id for q in bank.questions.values() if q.solver == "conv-output-size"}
    concept = {p["name"]: p["required"] for p in rows["concept-choice"]["params"]}
    assert concept["correct"] and concept["wrong"] and not concept["omit"]  # omit appears in some questions only
    text = runner.invoke(app, ["solvers"]).output
    assert "residual-grad" in text and "local_grads" in text and "drill new MY-ID --solver NAME" in text
