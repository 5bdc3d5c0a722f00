"""Bounded work from a small bank file (issue 19): constraints, solver outputs, pictures, floats
where a count goes, NumPy warnings and nested graph repeats. Each case is a file a user could
share; each must end in one line naming the question and the field, in far less time than the
unbounded work would take. Wall time is only bounded by a generous subprocess timeout (a run
that would take hours), never asserted as a speed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from drill.core.bank import MAX_CONSTRAINTS, load_bank
from drill.core.variants import VariantError, make_variant

ROOT = Path(__file__).parents[1]
GOOD = Path(__file__).parent / "broken_banks" / "good.yaml"
PATIENCE = 60  # seconds; each case would take minutes to hours (or gigabytes) unbounded


def drill(*args: str, home: Path, bank: str = "", memory: int | None = None) -> subprocess.CompletedProcess:
    """Run drill in a subprocess (the real terminal output: stdout, stderr, exit code)."""
    env = {**os.environ, "DRILL_HOME": str(home), "DRILL_BANK": bank, "COLUMNS": "400"}
    env.pop("DRILL_DEBUG", None)

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "drill", *args], capture_output=True, text=True, env=env,
                          timeout=PATIENCE, stdin=subprocess.DEVNULL, preexec_fn=limit)


def one_line(r: subprocess.CompletedProcess) -> str:
    lines = [line for line in (r.stdout + r.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, r.stdout + r.stderr
    assert "Traceback" not in lines[0] and "internal error" not in lines[0]
    return lines[0]


def bank_file(tmp_path: Path, body: str, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_text("format_version: 1\ntopic: hostile-work\nquestions:\n" + textwrap.indent(textwrap.dedent(body), "  "))
    return path


RESIDUAL = """\
- id: hostile-constraints
  title: Many constraints
  difficulty: 1
  prompt: "F = x + {_branch}, upstream {upstream}. What is dL/dx?"
  solver: residual-grad
  params: {local_grads: [0.5, 0.5], upstream: 2.0}
  vary:
    upstream: {float: [0.1, 2.0], decimals: 1}
  constraints: CONSTRAINTS
  answer: 2.5
  answer_type: number
  source: hostile
"""


# --- constraints --------------------------------------------------------------------------


def test_ninety_thousand_aliased_constraints_are_refused_at_load(tmp_path):
    # One anchor, 90,000 aliases: a 360 KB file whose every draw evaluated 90,000 expressions.
    c = '[&c "upstream + 1 > 0 and upstream > 0"' + ", *c" * 89_999 + "]"
    path = bank_file(tmp_path, RESIDUAL.replace("CONSTRAINTS", c))
    b = load_bank([path])
    (err,) = b.errors
    assert err.field == "constraints" and err.file.endswith("hostile.yaml") and err.line
    assert "90,000 constraints; at most 50" in str(err) and "\n" not in str(err)
    # one built-in question besides (the bank's own is refused): check reports the load error without
    # also proving the whole built-in bank, which took a minute on a loaded machine
    r = drill("check", "--bank", str(path), "-q", "conv-layer-params", "--variants", "1", "--workers", "1", home=tmp_path / "home")
    assert r.returncode == 1 and "hostile.yaml:" in r.stdout and "90,000 constraints" in r.stdout


def test_the_draws_of_one_variant_share_an_expression_budget(tmp_path):
    # 50 constraints of 159 parts each, the last one never true: 200 draws would evaluate 1.6 M parts.
    heavy = " and ".join(["upstream + 1 > 0"] * 40)
    constraints = [heavy] * (MAX_CONSTRAINTS - 1) + [heavy[: -len("upstream + 1 > 0")] + "upstream < 0"]
    path = bank_file(tmp_path, RESIDUAL.replace("CONSTRAINTS", "[" + ", ".join(f'"{c}"' for c in constraints) + "]"))
    assert not load_bank([path]).errors
    r = drill("generate", "hostile-constraints", "--seed", "1", "--bank", str(path), home=tmp_path / "home")
    assert r.returncode == 2
    line = one_line(r)
    assert "hostile-constraints" in line and "constraint" in line and "over the budget of 200,000 expression parts" in line


# --- solver output, pictures ----------------------------------------------------------------


def test_a_positional_encoding_of_a_million_dims_is_one_line(tmp_path):
    path = bank_file(tmp_path, """\
        - id: hostile-pe
          title: A row of a million values
          difficulty: 1
          prompt: "d_model {d_model}, position {pos}, base {base}. The encoding row?"
          solver: sinusoidal-pe-row
          params: {d_model: 1000000000000000, pos: 3, base: 10000}
          answer: "[0.1]"
          answer_type: vector
          source: hostile
        """)
    r = drill("generate", "hostile-pe", "--seed", "0", "--bank", str(path), home=tmp_path / "home")
    assert r.returncode == 2
    assert "d_model 1000000000000000 gives a vector" in one_line(r)


def test_the_picture_of_a_kernel_of_ten_to_the_fifteen_is_never_drawn(tmp_path):
    # drill explain drew a strip of n + 2p cells: 7 GB for an input and kernel of 10^15.
    path = bank_file(tmp_path, """\
        - id: hostile-kernel
          title: A kernel of 10^15
          difficulty: 1
          prompt: "Kernel {layer.kernel_size}, stride {layer.stride}, padding {layer.padding}, input {input_shape.1}×{input_shape.2}. Output?"
          solver: conv-output-size
          params:
            input_shape: [1, 1000000000000000, 1000000000000000]
            layer: {type: Conv2d, in_channels: 1, out_channels: 1, kernel_size: 1000000000000000, stride: 1, padding: 0}
          answer: 1x1
          answer_type: shape
          source: hostile
        """)
    r = drill("explain", "hostile-kernel", home=tmp_path / "home", bank=str(path), memory=2 << 30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Answer: 1×1" in r.stdout and len(r.stdout) < 20_000 and not r.stderr


def test_pictures_refuse_a_drawing_before_building_it():
    from drill.tui.pictures import MAX_PICTURE_CELLS, window_strip

    assert "3 window positions" in window_strip(5, 3, 1, 0).plain  # a real one still draws
    with pytest.raises(ValueError, match="too big to draw"):
        window_strip(10**15, 10**15, 1, 0)
    with pytest.raises(ValueError, match="too big to draw"):
        window_strip(MAX_PICTURE_CELLS, 3, 1, 1)


# --- a float where a whole number goes; NumPy warnings -------------------------------------


SOLVERS = ["conv-macs", "network-params", "llm-params", "lora-params", "moe-params", "attention-cost", "forward-flops",
           "llm-layer-params", "conv-transpose-output-size", "same-padding"]


def _int_leaves(x, path=()):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _int_leaves(v, (*path, k))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _int_leaves(v, (*path, i))
    elif isinstance(x, int) and not isinstance(x, bool):
        yield path


def test_a_huge_float_for_any_count_of_ten_solvers_is_one_line(bank):
    """Every whole number in the built-in questions of the ten solvers that crashed (OverflowError,
    exit 70), written as 1e300: a variant, or one line; an answer that overflowed names the field."""
    named = 0
    for q in bank.questions.values():
        if q.solver not in SOLVERS:
            continue
        for path in _int_leaves(q.params):
            params = copy.deepcopy(q.params)
            node = params
            for k in path[:-1]:
                node = node[k]
            node[path[-1]] = 1.0e300
            try:
                v = make_variant(dataclasses.replace(q, params=params), 0)
            except VariantError as exc:
                assert "\n" not in str(exc) and q.id in str(exc)
                if "whole number" in str(exc):
                    assert f"{'.'.join(map(str, path))} must be a whole number (at most 10^15), got 1e+300" in str(exc)
                    named += 1
            else:
                assert len(str(v.answer)) <= 40, (q.id, path)  # no 300-digit key
    assert named >= len(SOLVERS)


def test_numpy_warnings_never_reach_the_terminal(tmp_path):
    r = drill("generate", "hostile-adagrad-overflow", "--seed", "0", "--bank", str(ROOT / "tests" / "hostile_banks" / "adagrad_overflow.yaml"),
              home=tmp_path / "home")
    assert r.returncode == 2 and "RuntimeWarning" not in r.stderr
    assert "the params overflow floating point (overflow encountered" in one_line(r)


# --- nested graph repeats -----------------------------------------------------------------


def nested(levels: int) -> list:
    """``levels`` blocks of ``repeat: 2``, each the body of the one above; the innermost body adds
    one feature (Linear(F, 1), concat), so the shape changes at every repetition of every level."""
    body: list = [{"name": "lin", "type": "Linear", "out_features": 1}, {"name": "cat", "op": "concat", "inputs": ["input", "lin"]}]
    for level in range(1, levels + 1):
        body = [{"name": f"b{level}", "repeat": 2, "body": body}]
    return body


def test_nested_shape_changing_repeats_are_walked_once_each(tmp_path):
    # 12 levels: 3^12 body walks before (hours); the expanded graph has 2^13 = 8,192 nodes.
    code = ("import json, sys; from solvers._graph import walk; from tests.test_bounded_work import nested; "
            "w = walk(nested(12), [4]); print(json.dumps([w.params, w.expanded, len(w.nodes), list(w.shape)]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=PATIENCE, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    params, expanded, nodes, shape = json.loads(r.stdout)
    n = 2**12  # Linear(F → 1) applied n times with F = 4, 5, …: (F + 1) params each
    assert params == sum(f + 1 for f in range(4, 4 + n)) and shape == [4 + n]
    assert expanded == nodes == 2 * n


def test_the_walk_of_a_repeated_body_names_each_repetition_as_before():
    from solvers._graph import walk

    w = walk(nested(2), [4])
    assert [n.path for n in w.nodes] == [f"b2.{i}.b1.{j}.{x}" for i in (0, 1) for j in (0, 1) for x in ("lin", "cat")]
    assert all(n.times == 1 for n in w.nodes) and w.shape == (8,)
    assert {p: (b.times, b.params) for p, b in w.blocks.items()} == {"b2.0.b1": (1, 5 + 6), "b2.1.b1": (1, 7 + 8), "b2": (1, 5 + 6 + 7 + 8)}


def test_a_graph_over_the_node_limit_is_refused_before_it_is_walked(tmp_path):
    from solvers import InvalidParams
    from solvers._graph import walk

    with pytest.raises(InvalidParams, match="more than 10,000 nodes once repeats are expanded"):
        walk(nested(13), [4])  # 16,384 nodes
