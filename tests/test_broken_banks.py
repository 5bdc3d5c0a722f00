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
