"""``drill list``: the questions by topic (free of numpy and sympy: it starts fast)."""

from __future__ import annotations

from typing import Annotated

import typer

from drill.cli.console import console
from drill.cli.options import BankOption, DifficultyOption, TopicOption
from drill.cli.selection import by_difficulty, load, select


def list_questions(
    bank_dir: BankOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question.")] = False,
    topic: TopicOption = None,
    difficulty: DifficultyOption = None,
) -> None:
    """List the questions: id, difficulty and title, by topic."""
    bank = load(banks=bank_dir)
    chosen = by_difficulty(select(bank, topic, None), difficulty) if (topic or difficulty) else list(bank.questions.values())
    if as_json:
        from drill.core.textsafe import write_json

        for q in chosen:
            write_json({"id": q.id, "topic": q.topic, "title": q.title, "difficulty": q.difficulty, "answer_type": q.answer_type, "solver": q.solver, "file": q.file})
        return
    from drill.tui.bank_view import question_list

    console().print(question_list(chosen), no_wrap=True, overflow="ellipsis", crop=True)
