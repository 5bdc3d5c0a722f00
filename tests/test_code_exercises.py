"""drill code: each exercise's reference implementation (tests/code_refs, written independently of
the solvers in plain NumPy) passes; each deliberately wrong one is diagnosed by its mistake's name;
and what a learner's code can do to a process (loop, exit, allocate, import torch, print forever,
mutate its input) comes back as a result, never breaking the test process.

One subprocess per exercise: every function of a refs file runs on the same cases in one child.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from drill.cli import app
from drill.code.exercises import BY_NAME, EXERCISES, cases
from drill.code.grading import check, check_many
from drill.code.runner import OUTPUT_BYTES, run

REFS = Path(__file__).with_name("code_refs")


def _refs(name: str):
    path = REFS / f"{name.replace('-', '_')}.py"
    spec = importlib.util.spec_from_file_location(f"code_ref_{name.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, module


def test_at_least_twenty_exercises_across_ten_topics_each_naming_a_builtin_solver(bank):
    from drill.solvers import all_solvers

    assert len(EXERCISES) >= 20 and len({e.topic for e in EXERCISES}) >= 10
    assert len(BY_NAME) == len(EXERCISES)
    for ex in EXERCISES:
        assert ex.solver in all_solvers(), ex.name
        for qid in ex.questions:  # the variants come from built-in questions graded by the same solver, in the same topic
            q = bank.questions[qid]
            assert (q.solver, q.topic) == (ex.solver, ex.topic), (ex.name, qid)


@pytest.mark.parametrize("name", [e.name for e in EXERCISES])
def test_reference_passes_and_each_wrong_implementation_is_named(name):
    ex = BY_NAME[name]
    path, refs = _refs(name)
    assert refs.MISTAKES, f"{name}: no deliberately wrong implementation"
    wrong = list(refs.MISTAKES)
    reports = check_many(ex, path, [ex.function] + wrong, n=3, seed=7)
    ref = reports[0]
    assert ref.passed and ref.n_passed == ref.n_cases > 0, (ref.problem, ref.failure)
    for fn, rep in zip(wrong, reports[1:]):
        assert not rep.passed, fn
        assert rep.failure is not None and rep.failure.mistake.startswith(refs.MISTAKES[fn]), (fn, rep.failure)


def test_every_case_has_a_key_and_the_edge_cases_are_there():
    softmax = cases(BY_NAME["softmax"], 2, seed=1)
    labels = [c.label for c in softmax]
    assert "logits + 1000" in labels and "logits − 1000" in labels
    shifted = next(c for c in softmax if c.label == "logits + 1000")
    assert shifted.kwargs["z"].min() > 990 and max(shifted.params["logits"]) < 30  # key: the unshifted logits
    conv = cases(BY_NAME["conv2d"], 2, seed=1)
    assert any(c.kwargs["stride"] != [1, 1] for c in conv) and any(c.kwargs["padding"] for c in conv)


def test_the_solver_key_matches_an_independent_numpy_softmax():
    ex = BY_NAME["softmax"]
    for c in cases(ex, 4, seed=3):
        key, _ = ex.key(c.params)
        z = c.kwargs["z"]
        e = np.exp(z - z.max())
        assert np.allclose(key, e / e.sum(), rtol=1e-12)


def test_overflow_on_large_logits_is_named():
    path, _ = _refs("softmax")
    rep = check(BY_NAME["softmax"], path, function="unstable", n=2, seed=1)
    assert not rep.passed and rep.failure.case == "logits + 1000" and rep.failure.what.startswith("overflowed")
    assert rep.n_passed == rep.n_cases - 2  # only the two shifted cases fail


def test_mutating_an_input_in_place_fails_even_with_the_right_values():
    path, _ = _refs("sgd")
    rep = check(BY_NAME["sgd"], path, function="in_place", n=2, seed=1)
    assert not rep.passed and "changed its input w in place" in rep.failure.what


def _learner(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "learner.py"
    path.write_text("import numpy as np\n\n\n" + body, encoding="utf-8")
    return path


def test_an_infinite_loop_is_stopped_at_the_time_limit(tmp_path):
    path = _learner(tmp_path, "def softmax(z):\n    while True:\n        pass\n")
    rep = check(BY_NAME["softmax"], path, n=1, seed=1, time_limit=2)
    assert not rep.passed and "did not finish within the time limit of 2 s" in rep.problem


def test_sys_exit_is_a_result(tmp_path):
    path = _learner(tmp_path, "import sys\n\n\ndef softmax(z):\n    sys.exit(3)\n")
    rep = check(BY_NAME["softmax"], path, n=1, seed=1)
    assert not rep.passed and "exited with status 3" in rep.problem


def test_a_ten_gigabyte_allocation_hits_the_memory_limit(tmp_path):
    path = _learner(tmp_path, "def softmax(z):\n    big = np.ones(10 * 2**30 // 8)\n    return z / big.sum()\n")
    rep = check(BY_NAME["softmax"], path, n=1, seed=1)
    assert not rep.passed and rep.failure is not None and "MemoryError" in rep.failure.what


@pytest.mark.parametrize("where", ["top", "inside"])
def test_importing_torch_is_refused_as_forbidden(tmp_path, where):
    body = ("import torch\n\n\ndef softmax(z):\n    return z\n" if where == "top"
            else "def softmax(z):\n    import torch\n    return torch.softmax(z, 0)\n")
    path = _learner(tmp_path, body)
    rep = check(BY_NAME["softmax"], path, n=1, seed=1)
    assert not rep.passed and rep.problem == "imports torch, which this exercise does not allow (NumPy only)"


def test_a_crash_at_import_and_a_missing_function_are_one_line_each(tmp_path):
    rep = check(BY_NAME["softmax"], _learner(tmp_path, "def softmax(z):\n    return z\n1/0\n"), n=1, seed=1)
    assert rep.problem.startswith("importing your file failed: ZeroDivisionError") and "(line 6: 1/0)" in rep.problem
    rep = check(BY_NAME["softmax"], _learner(tmp_path, "def soft_max(z):\n    return z\n"), n=1, seed=1)
    assert rep.problem == "your file defines no function softmax()"


def test_printing_forever_is_bounded(tmp_path):
    path = _learner(tmp_path, "def softmax(z):\n    for _ in range(10**6):\n        print('x' * 100)\n"
                              "    e = np.exp(z - z.max())\n    return e / e.sum()\n")
    rep = check(BY_NAME["softmax"], path, n=1, seed=1)
    assert len(rep.stdout) <= OUTPUT_BYTES + 20 and rep.stdout.endswith("(cut)")


def test_the_child_gets_a_clean_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_SECRET_PROBE", "visible")
    path = _learner(tmp_path, "import os\n\n\ndef probe():\n    return float('DRILL_SECRET_PROBE' in os.environ or 'DRILL_HOME' in os.environ)\n")
    r = run(path, ["probe"], [{}])
    assert r.functions["probe"]["cases"][0]["out"]["array"] == 0.0
    assert os.environ["DRILL_SECRET_PROBE"] == "visible"  # and drill's own environment is untouched


def test_cli_start_writes_a_stub_once_and_check_grades_it(tmp_path):
    runner = CliRunner()
    work = tmp_path / "work"
    res = runner.invoke(app, ["code", "start", "softmax", "--dir", str(work)])
    assert res.exit_code == 0, res.output
    stub = work / "softmax.py"
    assert "def softmax(z):" in stub.read_text() and "shape (K,)" in stub.read_text()
    res = runner.invoke(app, ["code", "check", "softmax", "--dir", str(work), "--no-save"])
    assert res.exit_code == 1 and "raised NotImplementedError" in res.output
    stub.write_text("import numpy as np\n\n\ndef softmax(z):\n    return np.exp(z) / np.exp(z).sum()\n")
    res = runner.invoke(app, ["code", "start", "softmax", "--dir", str(work)])  # never overwrites the learner's work
    assert res.exit_code == 0 and "already there" in res.output and "np.exp(z) / np.exp(z).sum()" in stub.read_text()
    res = runner.invoke(app, ["code", "check", "softmax", "--dir", str(work), "--seed", "5"])
    assert res.exit_code == 1 and "overflowed" in res.output
    stub.write_text("import numpy as np\n\n\ndef softmax(z):\n    e = np.exp(z - z.max())\n    return e / e.sum()\n")
    res = runner.invoke(app, ["code", "check", "softmax", "--dir", str(work), "--seed", "5"])
    assert res.exit_code == 0 and "PASS" in res.output
    from drill.store.progress import default_path, open_store

    with open_store(default_path(None), create=False) as store:
        rows = [(r.question_id, r.topic, r.status, r.mode) for r in store.attempts()]
    assert rows == [("softmax-values", "softmax-ce", "wrong", "code"), ("softmax-values", "softmax-ce", "correct", "code")]
    assert not list(default_path(None).parent.glob("*damaged*"))  # a code attempt is a row drill reads back, not damage
    res = runner.invoke(app, ["code"])
    assert res.exit_code == 0 and "✓ softmax" in res.output


def test_cli_names_an_unknown_exercise_and_a_missing_file_in_one_line(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["code", "start", "sofmax", "--dir", str(tmp_path)])
    assert res.exit_code == 2 and "did you mean softmax" in res.output
    res = runner.invoke(app, ["code", "check", "adam", "--dir", str(tmp_path)])
    assert res.exit_code == 2 and "drill code start adam" in res.output and "Traceback" not in res.output


def test_every_stub_is_python_defining_the_function_with_its_docstring():
    import ast

    from drill.code.workspace import stub

    for ex in EXERCISES:
        tree = ast.parse(stub(ex, f"drill code check {ex.name} --dir 'odd \"\"\" dir'"))
        fns = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert [f.name for f in fns] == [ex.function], ex.name
        assert ast.get_docstring(fns[0]).startswith(ex.doc.splitlines()[0]), ex.name


def test_explain_links_the_topics_coding_exercises():
    res = CliRunner().invoke(app, ["explain", "pooling", "--seed", "1"], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "Code it: drill code start maxpool2d" in res.output and "avgpool2d-backward" in res.output


def test_clip_grad_norm_wants_one_array_per_input_array(tmp_path):
    path = _learner(tmp_path, "def clip_grad_norm(grads, max_norm):\n    g = np.concatenate(grads)\n"
                              "    n = np.sqrt(np.sum(g * g))\n    return g * min(1.0, max_norm / (n + 1e-6))\n")
    rep = check(BY_NAME["clip-grad-norm"], path, n=1, seed=1)
    assert not rep.passed and rep.failure.what.startswith("returned one array of shape (4,); expected a list of 2 arrays")


def test_the_hint_ladder_gives_the_formula_and_first_checkpoint_of_the_failing_case():
    from drill.code.grading import hints

    ex = BY_NAME["conv2d"]
    lines = hints(ex, {"input": [[0, 1, 2], [3, 4, 5], [6, 7, 8]], "weight": [[0, 1], [2, 3]]})
    assert lines[0] == ex.hint
    assert lines[1].startswith("formula: Y[0,0] = x00*w00 + x01*w01 + x10*w10 + x11*w11")
    assert lines[2] == "first checkpoint on this case: Y[0,0] = 19"  # 0·0 + 1·1 + 3·2 + 4·3


def test_nested_python_lists_are_an_array_and_a_tuple_of_arrays_is_not(tmp_path):
    body = ("def conv2d(x, w, b=0.0, stride=(1, 1), padding=0):\n"
            "    xp = np.pad(x, padding)\n    kh, kw = w.shape\n    sh, sw = stride\n"
            "    return [[float(np.sum(xp[i:i + kh, j:j + kw] * w) + b) for j in range(0, xp.shape[1] - kw + 1, sw)]\n"
            "            for i in range(0, xp.shape[0] - kh + 1, sh)]\n")
    assert check(BY_NAME["conv2d"], _learner(tmp_path, body), n=2, seed=1).passed
    body = "def sgd_step(w, grad, lr):\n    return w - lr * grad, grad\n"
    rep = check(BY_NAME["sgd"], _learner(tmp_path, body), n=1, seed=1)
    assert rep.failure.what == "returned a list of 2 arrays; expected one array of shape (2,)"
