"""`drill interview`: the plan rises in difficulty across topics; a fake clock drives the countdown."""

from __future__ import annotations

import io
import re

from rich.console import Console
from typer.testing import CliRunner

import drill.practice.interview as iv

from drill.tui import interview as tui_interview
import drill.tui.quiz
from drill.cli import app
from drill.core.variants import make_variant

runner = CliRunner()


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def scripted(lines, clock, step):
    """A reader that answers from ``lines`` and lets ``step`` seconds pass before each answer."""
    it = iter(lines)
    prompts = []

    def read(prompt):
        prompts.append(prompt)
        clock.t += step
        return next(it, None)

    return read, prompts


def right(v):
    return v.answer if v.choices is not None else v.atype.format(v.answer)


def test_plan_mixes_topics_and_rises_in_difficulty(bank):
    qs = list(bank.questions.values())
    items = iv.plan(qs, 10, seed=7)
    levels = [q.difficulty for q, _ in items]
    assert levels == sorted(levels) and set(levels) == {1, 2, 3}
    assert len({q.id for q, _ in items}) == 10  # no template twice while others are unused
    assert len({q.topic for q, _ in items}) == min(len(items), len(bank.topics()))  # no topic twice while others are unused
    assert iv.plan(qs, 10, seed=7) == items and iv.plan(qs, 10, seed=8) != items
    # one topic only, more questions than templates: every template before any repeats
    conv = bank.topics()["conv-shapes"]
    ids = [q.id for q, _ in iv.plan(conv, len(conv) + 1, seed=1)]
    assert set(ids) == {q.id for q in conv} and len(ids) == len(conv) + 1
    assert iv.default_count(20) == 10 and iv.default_count(1) == 3


def test_countdown_no_feedback_and_stop_at_the_answer_after_time_is_up(bank):
    items = iv.plan(list(bank.questions.values()), 5, seed=3)
    variants = [make_variant(q, s) for q, s in items]
    clock = FakeClock()
    # 2 minutes pass before each line typed; the limit is 10 minutes: the 4th answer comes at 10:00, then stop
    read, prompts = scripted(["nonsense!", right(variants[0]), "skip", right(variants[2]), right(variants[3]), right(variants[4])], clock, 120)
    out = io.StringIO()
    o = tui_interview.run(items, Console(file=out, width=100), read, 600, clock=clock)
    text = out.getvalue()
    assert o.ended == "time" and [a.status for a in o.attempts] == ["correct", "skipped", "correct", "correct"]
    assert [a.seconds for a in o.attempts] == [240, 120, 120, 120]  # the unreadable answer's time counts
    assert o.elapsed == 600 and o.not_reached == items[4:]
    assert [re.search(r"\((\d+:\d\d) left|\(time is up", p).group(0) for p in prompts] == [
        "(10:00 left", "(8:00 left", "(6:00 left", "(4:00 left", "(2:00 left"]
    assert "10:00 left" in text and "6:00 left" in text and "Time is up." in text
    assert "could not read" in text or "type a letter" in text  # the input format is explained…
    for verdict in ("Correct", "Not quite", "Likely mistake", "Worked solution"):  # …the grade is not
        assert verdict not in text


def test_the_question_in_progress_when_time_runs_out_still_counts(bank):
    items = iv.plan(list(bank.questions.values()), 3, seed=5)
    v = make_variant(*items[0])
    clock = FakeClock()
    read, _ = scripted([right(v)], clock, 3600)  # an hour on the first question
    o = tui_interview.run(items, Console(file=io.StringIO()), read, 60, clock=clock)
    assert o.ended == "time" and [a.status for a in o.attempts] == ["correct"] and o.attempts[0].seconds == 3600


def test_cli_report_scores_topics_names_mistakes_and_review(bank, monkeypatch):
    chosen = bank.topics()["param-counts"]
    items = iv.plan(chosen, 3, seed=11)
    vs = [make_variant(q, s) for q, s in items]
    name, wrong = next(iter(vs[1].mistakes.items()))
    answers = [right(vs[0]), vs[1].atype.format(wrong), "skip"]
    clock = FakeClock()
    monkeypatch.setattr(iv, "clock", clock)
    real_reader = drill.tui.quiz.line_reader

    def timed_reader(console):
        read = real_reader(console)

        def r(prompt):
            clock.t += 65
            return read(prompt)

        return r

    monkeypatch.setattr(drill.tui.quiz, "line_reader", timed_reader)
    r = runner.invoke(app, ["interview", "--minutes", "20", "-t", "param-counts", "-n", "3", "--seed", "11"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    before, report = r.output.split("Interview report")
    report = " ".join(report.split())
    assert "20:00 left" in before and "18:55 left" in before and "Not quite" not in before
    assert "all questions answered · 3:15 used of 20:00" in report
    assert "Score: 1/3 (33 %)" in report
    assert re.search(r"param-counts │ 1/3 │ 3:15", report)
    assert report.count("1:05") == 3  # time per question
    assert name in report  # the mistake, named
    for v in vs[1:]:
        assert f"drill quiz --question {v.question.id} --seed {v.seed}" in report
    assert f"drill quiz --question {vs[0].question.id} --seed {vs[0].seed}" not in report
    assert "Replay this interview: drill interview --minutes 20 -t param-counts -n 3 --seed 11" in report


def test_cli_quit_and_bad_topic():
    r = runner.invoke(app, ["interview", "--seed", "1", "-n", "3"], input="q\n")
    assert r.exit_code == 0 and "stopped early" in r.output and "No questions answered." in r.output
    r = runner.invoke(app, ["interview", "-t", "nope"])
    assert r.exit_code == 2 and "unknown topic" in r.output


def test_the_precision_is_stated_before_answering(bank):
    r = runner.invoke(app, ["interview", "--minutes", "5", "-n", "3", "-t", "skip-connection", "--seed", "4", "--no-save"],
                      input="skip\nskip\nskip\n", env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    help_lines = [line for line in r.output.splitlines() if " answer, e.g. " in line]
    assert help_lines and all("3 significant figures are enough" in line or "choice" in line for line in help_lines), help_lines
