"""Shared fixtures: the built-in bank, and a private DRILL_HOME so tests never touch real data."""

from __future__ import annotations

import pytest

from drill.core.bank import load_bank


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_HOME", str(tmp_path / "drill-home"))


@pytest.fixture(scope="session")
def bank():
    b = load_bank()
    assert not b.errors, [str(e) for e in b.errors]
    return b


def variants_of(bank, qid: str, n: int = 30):
    """Canonical variant plus ``n`` random ones of question ``qid``."""
    from drill.core.variants import make_variant

    q = bank.questions[qid]
    return [make_variant(q, seed) for seed in range(n + 1)]


def assert_formulas_proven(bank, qids, no_formula, n: int = 12) -> None:
    """Each question's declared formulas compute their targets on ``n`` + 1 variants, every symbol has
    a meaning, and the questions in ``no_formula`` (no computed answer) declare none."""
    from drill.core import formulas

    for qid in qids:
        for v in variants_of(bank, qid, n):
            if qid in no_formula:
                assert v.formulas == [], qid
                continue
            assert v.formulas, (qid, v.seed)
            assert formulas.problems(v) == [], (qid, v.seed)
            assert all(s.meaning for f in v.formulas for s in f.symbols), qid


def assert_grades(v, right: str, mistake: str, named: str, invalid: str) -> None:
    """PrairieLearn's three submissions for one variant: a correct answer is graded correct, a
    classic mistake is graded wrong and named (the name starts with ``named``), and unreadable
    text is explained (status unreadable), never graded."""
    assert v.grade(right).correct, (v.question.id, right, v.expected)
    g = v.grade(mistake)
    assert g.status == "wrong" and g.mistake and g.mistake.startswith(named), (v.question.id, mistake, g.status, g.mistake)
    assert v.grade(invalid).status == "unreadable", (v.question.id, invalid)


def assert_three_figures(bank, qid: str, exact: float) -> None:
    """A count whose prompt asks for no exact figure: the canonical key is ``exact``, it is accepted
    at 3 and 4 significant figures, one 1 % off is not, and 30 variants accept their key at 3."""
    v = variants_of(bank, qid, 0)[0]
    assert v.answer == exact
    assert v.grade(f"{exact:.3g}").correct and v.grade(f"{exact:.4g}").correct
    assert v.grade(f"{exact * 0.99:.3g}").status == "wrong"  # off in the 2nd figure
    for w in variants_of(bank, qid, 30)[1:]:
        assert w.grade(f"{w.answer:.3g}").correct, (w.seed, w.answer)
