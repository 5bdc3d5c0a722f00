"""Declared solver params: every solver declares its params, the bank checks each question against
its solver's declaration (one line naming file:line, question and the param's path), and
`drill solvers` / `drill new` read the declaration."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from drill.authoring.check import check_questions
from drill.authoring.templates import template
from drill.cli import app
from drill.core.bank import load_bank
from drill.core.variants import make_variant
from drill.solvers import SOLVERS, Solution, all_solvers, solver
from drill.solvers._params import (
    LLM_CONFIG, Either, Int, Layer, ListOf, Matrix, Num, Param, Record, Shape, Text, Vector, check_params, describe, example_params,
)

runner = CliRunner()


def test_every_registered_solver_declares_its_params():
    for name, s in all_solvers().items():
        assert isinstance(s.params, dict), f"{name} declares no params"
        for path, kind, meaning, _optional, _example in describe(s.params):
            assert meaning.strip() and kind.strip(), f"{name}: {path} has no meaning or kind"
        for decl in s.params.values():
            assert isinstance(decl, Param)


def test_every_declaration_has_examples_its_solver_accepts():
    # drill new writes a question from the declaration alone, so the examples must be valid params
    for name, s in all_solvers().items():
        params = example_params(s.params)
        assert check_params(s.params, params, name) == [], name
        s.run(params)  # raises (InvalidParams, ...) if the solver refuses them


def test_every_bank_question_and_its_variants_fit_the_declaration():
    solvers = all_solvers()
    bank = load_bank(solvers=solvers)
    assert bank.errors == []
    for q in bank.questions.values():
        for seed in (1, 2):
            assert solvers[q.solver].check_params(make_variant(q, seed).params) == [], (q.id, seed)


BAD_BANK = """\
format_version: 1
topic: mine
questions:
  - id: my-conv
    title: A conv
    difficulty: 1
    prompt: "Output size of a {input_shape.1} input?"
    solver: conv-output-size
    params:
      input_shape: [1, 9, 13]
      layer: {type: Conv2d, in_channels: 1, out_channels: 1, kernel_size: 3, stride: 2, padding: 1}
      nonlinearity: tanh
    answer: 5x7
    answer_type: shape
    source: me
  - id: my-ce
    title: A loss
    difficulty: 1
    prompt: "The loss?"
    solver: softmax-ce-loss
    params:
      logits:
        - 1.0
        - "2"
      target: 0
    answer: 1
    answer_type: number
    source: me
  - id: my-llm
    title: An LLM
    difficulty: 1
    prompt: "Its parameters?"
    solver: llm-params
    params:
      config: {hidden_size: 64, num_hidden_layers: 2}
    answer: 1
    answer_type: integer
    source: me
"""


def test_undeclared_param_wrong_kind_and_missing_field_are_one_line_each(tmp_path):
    (tmp_path / "mine.yaml").write_text(BAD_BANK, encoding="utf-8")
    bank = load_bank([tmp_path], solvers=all_solvers())
    lines = BAD_BANK.splitlines()
    found = {(e.qid, e.field): e for e in bank.errors}
    assert set(found) == {("my-conv", "params.nonlinearity"), ("my-ce", "params.logits.1"), ("my-llm", "params.config.num_attention_heads")}
    conv = found["my-conv", "params.nonlinearity"]
    assert lines[conv.line - 1].strip() == "nonlinearity: tanh"
    assert str(conv).startswith(f"{tmp_path / 'mine.yaml'}:{conv.line}: question 'my-conv': field 'params.nonlinearity': ")
    assert "'nonlinearity' is not declared" in conv.message and "input_shape, layer" in conv.message
    ce = found["my-ce", "params.logits.1"]
    assert lines[ce.line - 1].strip() == '- "2"' and "must be a number, not text" in ce.message
    llm = found["my-llm", "params.config.num_attention_heads"]
    assert "is missing" in llm.message and lines[llm.line - 1].strip().startswith("config:")
    assert all("\n" not in str(e) for e in bank.errors)
    assert bank.questions == {}  # each is skipped, as a question naming an unknown solver is


def test_drill_check_names_the_param_and_exits_nonzero(tmp_path):
    (tmp_path / "mine.yaml").write_text(BAD_BANK, encoding="utf-8")
    r = runner.invoke(app, ["check", "--bank", str(tmp_path), "-q", "my-conv"], env={"COLUMNS": "250"})
    assert r.exit_code == 1
    assert "params.nonlinearity" in r.output and "'nonlinearity' is not declared" in r.output


def test_a_drawn_variant_that_breaks_the_declaration_is_a_check_failure(tmp_path):
    ce = BAD_BANK.split("  - id: my-ce")[1].split("  - id: my-llm")[0]
    ce = ce.replace('        - "2"', "        - 2.0").replace("    answer: 1\n", "    vary:\n      target: [0, 1.0]\n    answer: 1\n")
    (tmp_path / "mine.yaml").write_text(BAD_BANK.split("  - id: my-conv")[0] + "  - id: my-ce" + ce, encoding="utf-8")
    bank = load_bank([tmp_path], solvers=all_solvers())
    assert bank.errors == []
    failures = check_questions(bank.questions.values(), 8)
    drawn = [f for f in failures if "declaration" in f.what]
    assert drawn and all(f.field == "vary" and f.seed for f in drawn)
    assert drawn[0].what == "drawn params break the solver's declaration: target: must be a whole number, not a number"


@pytest.mark.parametrize(("decl", "value", "problem"), [
    (Int("n", lo=1), 0, ("", "is 0; must be ≥ 1")),
    (Int("n"), True, ("", "must be a whole number, not true/false")),
    (Num("x", lo=0, hi=1), 1.5, ("", "is 1.5; must be in [0, 1]")),
    (Text("t", choices=("a", "b")), "c", ("", "is 'c'; must be one of a, b")),
    (Vector("v", ints=True), [1, 2.5], (".1", "must be a whole number, not a number")),
    (Matrix("m"), [[1, 2], [3]], (".1", "has 1 entries; every row must have 2")),
    (Shape("s", dims="CHW"), [3, 8], ("", "has 2 entries; must be (C, H, W)")),
    (Shape("s"), [3, 0], (".1", "is 0; must be a whole number ≥ 1")),
    (Record("r", fields={"a": Int("a")}), {"a": 1, "b": 2}, (".b", "'b' is not declared (p takes a); remove it, or declare it where the solver reads it")),
    (ListOf("l", item=Int("i", lo=0)), [0, -1], (".1", "is -1; must be ≥ 0")),
    (Either("e", options=(Num("n"), Vector("v"))), "x", ("", "must be number or list of numbers, not text")),
    (Layer("l"), {"in_features": 3}, (".type", "a layer spec needs type: the PyTorch class name (Conv2d, Linear, …)")),
])
def test_each_kind_names_what_is_wrong(decl, value, problem):
    assert check_params({"p": decl}, {"p": value}) == [("p" + problem[0], problem[1])]


def test_kinds_accept_what_they_declare():
    decls = {"n": Int("n", lo=1), "x": Num("x"), "e": Either("e", options=(Num("n"), Vector("v"))), "c": LLM_CONFIG, "o": Int("o", optional=True)}
    params = {"n": 3, "x": 2, "e": [1.0, 2], "c": {"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}}
    assert check_params(decls, params) == []


def test_solvers_lists_declared_kinds_meanings_and_record_fields(bank):
    r = runner.invoke(app, ["solvers", "--json"])
    assert r.exit_code == 0
    rows = {d["name"]: d for d in map(json.loads, r.output.splitlines())}
    conv = {p["name"]: p for p in rows["conv-output-size"]["params"]}
    assert conv["input_shape"]["kind"] == "shape (C, H, W)" and "of shape (C, H, W)" in conv["input_shape"]["meaning"]
    assert conv["input_shape"]["required"] and conv["input_shape"]["example"] == bank.questions["conv-output-size"].params["input_shape"]
    llm = {p["name"]: p for p in rows["llm-params"]["params"]}
    assert llm["config.hidden_size"]["kind"] == "whole number ≥ 1" and llm["config.hidden_size"]["required"]
    assert not llm["config.num_key_value_heads"]["required"]
    assert llm["config.mlp"]["kind"] == "one of swiglu, gelu"
    text = runner.invoke(app, ["solvers"], env={"COLUMNS": "200"}).output
    assert "• logits  list of numbers — the logits z, of shape (K,), one per class" in text


@pytest.fixture
def unused_solver():
    """A solver no bank question uses: z = a·x + b for a vector x, registered through @solver."""

    def affine(p: dict) -> Solution:
        """a·x + b, entry by entry."""
        return Solution([p["a"] * v + p.get("b", 0.0) for v in p["x"]])

    all_solvers()
    solver("test-affine", params={
        "x": Vector("the inputs, of shape (n,)", example=[1.0, 2.0]),
        "a": Num("the slope", example=3.0),
        "b": Num("the offset", optional=True),
    })(affine)
    yield "test-affine"
    del SOLVERS["test-affine"]


def test_new_writes_a_question_for_a_solver_no_question_uses(tmp_path, unused_solver):
    out = tmp_path / "bank" / "mine.yaml"
    r = runner.invoke(app, ["new", "my-affine", "--solver", unused_solver, "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert "No bank question uses this solver yet" in text and "#      x: the inputs, of shape (n,) (list of numbers)" in text
    q = yaml.safe_load(text)["questions"][0]
    assert q["params"] == {"x": [1.0, 2.0], "a": 3.0} and q["answer_type"] == "vector" and q["answer"] is None
    out.write_text(text.replace("    answer:   # TODO", "    answer: [3, 6]   # TODO"), encoding="utf-8")
    bank = load_bank([out.parent], solvers=all_solvers())
    assert bank.errors == [] and bank.questions["my-affine"].params == {"x": [1.0, 2.0], "a": 3.0}


def test_a_template_from_a_declaration_alone_passes_check_with_a_hand_worked_key(tmp_path):
    # sgd-step with no bank question to copy: its params are the declared examples
    text = template(load_bank([]), "my-sgd", "sgd-step")
    p = yaml.safe_load(text)["questions"][0]["params"]
    key = [w - p["lr"] * g for w, g in zip(p["w"], p["grad"])]  # w ← w − η·g, by hand
    (tmp_path / "mine.yaml").write_text(text.replace("    answer:   # TODO", f"    answer: {key}   # TODO"), encoding="utf-8")
    bank = load_bank([tmp_path], solvers=all_solvers())
    assert bank.errors == []
    assert check_questions(bank.questions.values(), 3) == []
    wrong = [key[0] + 1, key[1]]
    (tmp_path / "mine.yaml").write_text(text.replace("    answer:   # TODO", f"    answer: {wrong}   # TODO"), encoding="utf-8")
    assert [f.seed for f in check_questions(load_bank([tmp_path]).questions.values(), 0)] == [0]


def test_new_for_each_builtin_solver_from_its_declaration_alone(unused_solver):
    empty = load_bank([])
    for name in all_solvers():
        text = template(empty, "my-question", name)
        params = yaml.safe_load(text)["questions"][0]["params"]
        assert all_solvers()[name].check_params(params) == [], name


def test_every_declared_param_is_read_by_its_solver():
    # the declaration claims no param the solver ignores: each top-level param is read for a bank
    # question, the declared examples, or the examples with a text param set to each of its choices
    from drill.authoring.param_reads import solver_reads

    solvers = all_solvers()
    read: dict[str, set[str]] = {name: set() for name in solvers}

    def trace(name: str, params: dict) -> None:
        log = solver_reads(solvers[name].run, params)
        read[name] |= set(params) if "" in log.whole else {p.split(".")[0] for p in log.read | log.whole if p}

    for q in load_bank().questions.values():
        trace(q.solver, q.params)
    for name, s in solvers.items():
        base = {k: d.sample() for k, d in s.params.items()}
        trace(name, base)
        for key, decl in s.params.items():
            for choice in getattr(decl, "choices", ()):
                trace(name, base | {key: choice})
    never = {name: sorted(set(s.params) - read[name]) for name, s in solvers.items() if set(s.params) - read[name]}
    assert never == {}
