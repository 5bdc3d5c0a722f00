"""The design card's CI check: every question's solver agrees with its key, over 100 variants."""

from __future__ import annotations

import pytest

from drill.bank import load_bank
from drill.checking import check_question

QUESTIONS = sorted(load_bank().questions.values(), key=lambda q: q.id)


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_question_passes_check(q):
    failures = check_question(q, variants=100)
    assert failures == [], "\n".join(map(str, failures))


def test_bank_loads_without_errors(bank):
    assert bank.errors == []
    assert len(bank.questions) >= 8


def test_check_catches_a_wrong_key(bank):
    import dataclasses

    q = dataclasses.replace(bank.questions["mlp-params"], answer=529412)
    failures = check_question(q, variants=2)
    assert [f.seed for f in failures] == [0]
    assert "529,411" in failures[0].what and "529412" in failures[0].what


def test_check_catches_a_mistake_inside_the_tolerance(bank):
    import dataclasses

    from drill.grading import Tolerance

    q = dataclasses.replace(bank.questions["residual-grad"], tolerance=Tolerance(rtol=0.05))
    failures = check_question(q, variants=0)
    assert any("forgot the branch path" in f.what and "inside the tolerance" in f.what for f in failures)


def test_every_topic_has_a_walkthrough(bank):
    missing = sorted(set(bank.topics()) - set(bank.explanations))
    assert missing == [], f"topics without an explain: section: {missing}"
    for topic, e in bank.explanations.items():
        assert bank.questions[e.example].topic == topic


def test_check_reports_each_quality_issue_once_with_its_seed_and_count(bank):
    """drill check runs drill/quality.py on every variant: one failure per distinct issue, at
    its first seed, with how many other variants share it (issue 13)."""
    import dataclasses

    q = bank.questions["gru-blend"]
    cited = dataclasses.replace(q, prompt=q.prompt.replace("(PyTorch's nn.GRU", "(the 003 slides' and PyTorch's"))
    failures = [f for f in check_question(cited, variants=5) if "cites a source" in f.what]
    assert len(failures) == 1
    (f,) = failures
    assert (f.qid, f.seed, f.field) == ("gru-blend", 0, "prompt") and f.what.startswith("[lint]")
    assert "(also 5 more variants)" in f.what
    assert check_question(cited, variants=5, quality=False) == []
