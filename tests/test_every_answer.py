"""Every answer counts: interview and explain --try answers are saved with their mode; stats
separate the modes; quiz --missed redoes exactly last session's misses; --difficulty filters;
list shows titles and difficulty.

Oracle: the rows SQLite holds (read with the standard library), and the bank's own fields.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.cli import app
from drill.core.variants import make_variant

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def db() -> Path:
    return Path(os.environ["DRILL_HOME"]) / "progress.db"


def rows(sql: str = "SELECT question_id, seed, answer, status, mode FROM attempts ORDER BY id") -> list[tuple]:
    conn = sqlite3.connect(db())
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_interview_answers_are_saved_with_their_mode_and_stats_separate_them(bank):
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0"], input="529411\n")
    assert r.exit_code == 0, r.output
    from drill.practice import interview as iv

    items = iv.plan(bank.topics()["param-counts"], 3, 11)
    vs = [make_variant(q, s) for q, s in items]
    answers = [vs[0].atype.format(vs[0].answer), "skip", "1"]
    r = runner.invoke(app, ["interview", "-t", "param-counts", "-n", "3", "--seed", "11"], input="\n".join(answers) + "\n")
    assert r.exit_code == 0, r.output
    saved = rows()
    assert saved[0] == ("mlp-params", 0, "529411", "correct", "quiz")
    assert [(q, s, st, m) for q, s, _, st, m in saved[1:]] == [
        (vs[0].question.id, vs[0].seed, "correct", "interview"), (vs[1].question.id, vs[1].seed, "skipped", "interview"),
        (vs[2].question.id, vs[2].seed, "wrong", "interview")]
    report = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert report["modes"]["quiz"]["answered"] == 1 and report["modes"]["interview"] == {
        **report["modes"]["interview"], "answered": 3, "correct": 1, "skipped": 1, "wrong": 1}
    assert report["total"]["answered"] == 4
    text = runner.invoke(app, ["stats"], env={"COLUMNS": "120"}).output
    assert "By mode: interview 1/3 (33 %) · quiz 1/1 (100 %)" in text


def test_the_interview_report_shows_each_missed_questions_key_mistake_and_solution(bank):
    from drill.practice import interview as iv

    items = iv.plan(bank.topics()["param-counts"], 3, 11)
    vs = [make_variant(q, s) for q, s in items]
    name, wrong = next(iter(vs[1].mistakes.items()))
    answers = [vs[0].atype.format(vs[0].answer), vs[1].atype.format(wrong), "skip"]
    r = runner.invoke(app, ["interview", "-t", "param-counts", "-n", "3", "--seed", "11", "--no-save"], input="\n".join(answers) + "\n")
    report = " ".join(r.output.split("Interview report")[1].split())
    assert "Mistakes and solutions" in report
    assert f"answer {vs[1].expected} — likely mistake: {name}" in report and f"answer {vs[2].expected}" in report
    for v in vs[1:]:
        assert " ".join(v.steps[-1].split()) in report  # the worked solution's last line
    assert not db().exists()


def test_explain_try_answers_are_saved_as_explain(bank):
    r = runner.invoke(app, ["explain", "skip-connection", "--seed", "3", "--try"], input="skip\n1\nquit\n")
    assert r.exit_code == 0, r.output
    assert [m for *_, m in rows()] == ["explain", "explain"] and [st for _, _, _, st, _ in rows()] == ["skipped", "wrong"]


def test_quiz_missed_redoes_exactly_the_variants_missed_last_session(bank):
    r = runner.invoke(app, ["quiz", "-t", "conv-shapes", "-n", "4", "--seed", "5"], input="skip\n1x1\nskip\n1x1\n")
    assert r.exit_code == 0, r.output
    last = rows()
    missed = [(q, s) for q, s, _, st, _ in last if st != "correct"]
    assert missed
    r = runner.invoke(app, ["quiz", "--missed"], input="skip\n" * len(missed))
    assert r.exit_code == 0, r.output
    again = rows()[len(last):]
    assert [(q, s) for q, s, *_ in again] == missed
    # nothing missed now? the redo itself was all skips, so --missed offers the same again
    r = runner.invoke(app, ["quiz", "--missed"], input="q\n")
    assert r.exit_code == 0 and f"1/{len(missed)}" in r.output


def test_quiz_missed_with_nothing_recorded():
    r = runner.invoke(app, ["quiz", "--missed"])
    assert r.exit_code == 0 and "Nothing to redo" in r.output


def test_difficulty_filters_quiz_and_list(bank):
    r = runner.invoke(app, ["list", "--json", "-d", "3"])
    listed = [json.loads(line) for line in r.output.splitlines()]
    assert listed and {q["difficulty"] for q in listed} == {3}
    assert {q["id"] for q in listed} == {q.id for q in bank.questions.values() if q.difficulty == 3}
    r = runner.invoke(app, ["quiz", "-d", "1", "-n", "3", "--seed", "2", "--json", "--no-save"], input="skip\nskip\nskip\n")
    ids = [a["id"] for a in json.loads(r.stdout.splitlines()[-1])["attempts"]] if r.stdout.strip() else []
    assert len(ids) == 3 and all(bank.questions[i].difficulty == 1 for i in ids)
    r = runner.invoke(app, ["quiz", "-d", "4"])
    assert r.exit_code == 2


def test_list_shows_titles_and_difficulty_by_topic(bank):
    r = runner.invoke(app, ["list", "--topic", "skip-connection"], env={"COLUMNS": "120"})
    assert r.exit_code == 0
    qs = bank.topics()["skip-connection"]
    assert f"{len(qs)} questions in 1 topic" in r.output
    for q in qs:
        assert q.id in r.output and q.title in r.output and "★" * q.difficulty + "☆" * (3 - q.difficulty) in r.output
    assert "conv-output-size" not in r.output


def test_interview_answers_visible_in_stats_json_through_a_terminal(bank):
    pexpect = pytest.importorskip("pexpect")
    pytest.importorskip("prompt_toolkit")
    env = {k: v for k, v in os.environ.items() if k not in ("DRILL_DEBUG", "DRILL_BANK")}
    env.update({"COLUMNS": "100", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "drill", "interview", "-t", "skip-connection", "-n", "3", "--seed", "4"],
                          env=env, cwd=str(ROOT), encoding="utf-8", timeout=30, dimensions=(40, 100))
    for typed in ("skip", "1", "skip"):
        child.expect("answer.*›")
        child.send(typed + "\r")
    child.expect("Interview report")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    r = runner.invoke(app, ["stats", "--json"])
    modes = json.loads(r.output)["modes"]
    assert modes["interview"]["answered"] == 3 and modes["interview"]["skipped"] == 2 and "quiz" not in modes


def test_a_version_1_database_gets_the_mode_of_each_answers_session(tmp_path):
    from drill.store import progress as store_mod

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(store_mod.MIGRATIONS[0])
    conn.execute("INSERT INTO sessions (id, command, seed, started) VALUES (1, 'review', 3, 0), (2, 'quiz', 4, 0)")
    conn.execute("INSERT INTO attempts (session_id, question_id, topic, seed, answer, status, seconds, answered_at)"
                 " VALUES (1, 'a', 't', 1, '1', 'wrong', 1, 1), (2, 'b', 't', 1, '1', 'correct', 1, 2), (NULL, 'c', 't', 1, '', 'skipped', 1, 3)")
    conn.execute(f"PRAGMA application_id = {store_mod.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with store_mod.open_store(path) as st:
        assert [r.mode for r in st.attempts()] == ["review", "quiz", "quiz"]
        st.record(question_id="d", topic="t", seed=1, answer="", status="skipped", mistake=None, seconds=1, session=("interview", 5))
        assert st.attempts()[-1].mode == "interview"
