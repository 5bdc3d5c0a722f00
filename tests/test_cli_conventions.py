"""What a newcomer meets at the command line: one-line errors, --version/-h, --no-color anywhere,
replay lines that reproduce a session, quiet broken pipes, completion of topics and ids, and an
install layout that nothing can shadow. Each test is a regression test for a reported bug."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.cli import MAX_SEED, app

runner = CliRunner()
CORPUS = Path(__file__).parent / "broken_banks"
DRILL = shutil.which("drill", path=str(Path(sys.executable).parent))


def run(*args: str, input: str | None = None, env: dict | None = None):
    return runner.invoke(app, list(args), input=input, env={"DRILL_BANK": "", "COLUMNS": "300", **(env or {})}, prog_name="drill")


def one_line_error(r) -> str:
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.output
    assert "Traceback" not in r.output and "internal error" not in r.output
    return lines[0]


@pytest.mark.parametrize("args", [
    ["quiz", "-q", "residual-grad", "--seed", "-1"],
    ["generate", "residual-grad", "--seed", "-3"],
    ["export", "anki", "x.apkg", "-q", "residual-grad", "--seed", "-2"],
    ["explain", "skip-connection", "--seed", "-5"],
    ["interview", "--seed", "-1"],
    ["quiz", "-q", "residual-grad", "--seed", str(MAX_SEED + 1)],
    ["quiz", "--seed", "99999999999999999999"],
])
def test_a_seed_out_of_range_is_a_one_line_usage_error(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2
    line = one_line_error(r)
    assert "'--seed'" in line and f"drill {args[0]}" in line
    assert not (tmp_path / "x.apkg").exists()


def test_the_largest_seed_is_accepted_and_replayed():
    r = run("generate", "residual-grad", "--seed", str(MAX_SEED), "--json")
    assert r.exit_code == 0 and f'"seed": {MAX_SEED}' in r.output


def test_other_usage_errors_are_one_line_too():
    r = run("quiz", "-n", "0")
    assert r.exit_code == 2 and "'--count'" in one_line_error(r)
    r = run("quiz", "--no-such-option")
    assert r.exit_code == 2 and "--no-such-option" in one_line_error(r)


def test_export_to_a_missing_directory_names_the_path(tmp_path):
    target = tmp_path / "no" / "such" / "x.apkg"
    r = run("export", "anki", str(target), "-q", "residual-grad")
    assert r.exit_code == 2
    assert str(target.parent) in one_line_error(r)
    r = run("export", "anki", str(tmp_path), "-q", "residual-grad")
    assert r.exit_code == 2 and "is a directory" in one_line_error(r)


def test_db_in_a_missing_directory_is_an_error_and_creates_nothing(tmp_path):
    db = tmp_path / "no" / "such" / "p.db"
    r = run("quiz", "--db", str(db), "-q", "residual-grad", "--seed", "1", input="1\n")
    assert r.exit_code == 2 and str(db.parent) in one_line_error(r)
    assert not (tmp_path / "no").exists()


def test_version_and_short_help():
    r = run("--version")
    assert r.exit_code == 0 and r.output.strip() == f"drill {version('dl-drill')}"
    for args in (["-h"], ["quiz", "-h"], ["export", "anki", "-h"]):
        r = run(*args)
        assert r.exit_code == 0 and r.output.startswith("Usage: drill"), args


@pytest.mark.parametrize("args", [["stats", "--no-color"], ["list", "--no-color"], ["--no-color", "list"], ["explain", "--no-color"]])
def test_no_color_is_accepted_before_or_after_the_command(args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "\x1b[" not in r.output


def test_generate_a_fixed_question_without_a_seed_gives_its_canonical_instance(bank):
    fixed = next(q for q in bank.questions.values() if not q.vary)
    r = run("generate", fixed.id, "--json")
    assert r.exit_code == 0, r.output
    assert r.output == run("generate", fixed.id, "--seed", "0", "--json").output
    assert '"seed": 0' in r.output


def test_check_q_reports_a_question_that_failed_to_load_with_its_real_problem(tmp_path, monkeypatch):
    # the path `drill new` prints: an empty key used to give "unknown question" (with -q) or
    # "could not read 'None' as a shape" (without)
    monkeypatch.chdir(tmp_path)
    r = run("new", "my-q", "--solver", "conv-output-size", "--out", "mine/q.yaml")
    assert r.exit_code == 0 and "drill check --bank mine -q my-q" in r.output
    for args in (["check", "--bank", "mine", "-q", "my-q"], ["check", "--bank", "mine", "--variants", "1"]):
        r = run(*args, env={"COLUMNS": "300"})
        assert r.exit_code == 1, r.output
        assert "unknown question" not in r.output and "None" not in r.output
        assert "mine/q.yaml" in r.output and "my-q" in r.output and "the key is empty" in r.output
    # once the key is written, the same command passes
    path = tmp_path / "mine" / "q.yaml"
    path.write_text(path.read_text().replace("answer:   #", "answer: 12x12  #"))
    r = run("check", "--bank", "mine", "-q", "my-q", "--variants", "5", "--workers", "1")
    assert r.exit_code == 0, r.output


def _replay(output: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith("Replay this session: "))
    return line.removeprefix("Replay this session: ").split()[1:]  # without "drill"


def _asked(output: str) -> list[str]:
    """The (question id, variant seed) of each question panel, in order."""
    import re

    return re.findall(r"([a-z0-9-]+ · seed \d+) ─╯", output)


def test_replay_of_a_bank_session_names_the_bank(tmp_path):
    shutil.copy(CORPUS / "good.yaml", tmp_path / "good.yaml")
    r = run("quiz", "--bank", str(tmp_path), "-q", "user-residual", "--seed", "0", "--no-save", input="1\n")
    args = _replay(r.output)
    assert args[:2] == ["quiz", "--bank"] and args[2] == str(tmp_path)
    again = run(*args, "--no-save", input="1\n")
    assert again.exit_code == 0 and _asked(again.output) == _asked(r.output)


def test_replay_of_a_weak_session_asks_the_same_variants(tmp_path):
    db = str(tmp_path / "p.db")
    run("quiz", "-q", "mlp-params", "-q", "conv-layer-params", "--seed", "0", "--db", db, input="1\n34944\n")
    r = run("quiz", "--weak", "--seed", "7", "--db", db, input="1\n1\n")
    assert r.exit_code == 0, r.output
    args = _replay(r.output)
    assert "--weak" not in args and "mlp-params" in args
    again = run(*args, "--no-save", input="1\n1\n")
    assert _asked(again.output) == _asked(r.output) and _asked(r.output)


@pytest.mark.skipif(DRILL is None, reason="the drill console script is not installed next to this Python")
def test_a_closed_pipe_ends_quietly_with_exit_0():
    p = subprocess.Popen([DRILL, "generate", "mlp-params", "-k", "300"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    assert p.wait(timeout=60) == 0
    assert p.stderr.read() == b""


@pytest.mark.skipif(DRILL is None, reason="the drill console script is not installed next to this Python")
@pytest.mark.parametrize("words,cword,expected,unexpected", [
    ("drill quiz -t conv", 3, {"conv-shapes", "conv-forward"}, {"skip-connection"}),
    ("drill explain skip", 2, {"skip-connection"}, set()),
    ("drill quiz -q residual-grad", 3, {"residual-grad", "residual-grad-choice"}, {"mlp-params"}),
    ("drill generate mlp", 2, {"mlp-params"}, set()),
])
def test_completion_offers_topics_and_question_ids(words, cword, expected, unexpected):
    env = {**os.environ, "_DRILL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword), "DRILL_BANK": ""}
    out = subprocess.run([DRILL], env=env, capture_output=True, text=True, timeout=60).stdout.split()
    assert expected <= set(out) and not (unexpected & set(out)), out


@pytest.mark.skipif(DRILL is None, reason="the drill console script is not installed next to this Python")
def test_completion_includes_bank_questions(tmp_path):
    shutil.copy(CORPUS / "good.yaml", tmp_path / "good.yaml")
    env = {**os.environ, "_DRILL_COMPLETE": "complete_bash", "COMP_WORDS": f"drill quiz --bank {tmp_path} -q user", "COMP_CWORD": "5", "DRILL_BANK": ""}
    assert subprocess.run([DRILL], env=env, capture_output=True, text=True, timeout=60).stdout.split() == ["user-residual"]
    env = {**env, "COMP_WORDS": "drill quiz -q user", "COMP_CWORD": "3", "DRILL_BANK": str(tmp_path)}
    assert subprocess.run([DRILL], env=env, capture_output=True, text=True, timeout=60).stdout.split() == ["user-residual"]


def test_installed_names_are_drills_own_and_cannot_be_shadowed(tmp_path):
    # a folder with its own solvers/ and question_bank/ used to shadow drill's when run from there
    for name in ("solvers", "question_bank"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    r = subprocess.run([sys.executable, "-m", "drill", "list", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "DRILL_BANK": ""})
    assert r.returncode == 0 and '"id": "mlp-params"' in r.stdout, r.stderr
    probe = "import importlib.util as u, drill.solvers as s, drill.question_bank as b; print(u.find_spec('solvers') is None or 'shadow', s.__name__, b.__name__)"
    r = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["True", "drill.solvers", "drill.question_bank"], r.stderr


# -- a hostile user's command lines (newcomer review): each is one line and exit 2, or works --


def test_bare_drill_and_bare_export_print_the_help_not_an_error():
    for args in ([], ["export"]):
        r = run(*args)
        assert r.exit_code == 0, r.output
        assert r.output.startswith("Usage: drill") and "error:" not in r.output, args


@pytest.mark.parametrize("args", [
    ["quiz", "-n", "99999999999999999999"],  # used to hang building the plan
    ["quiz", "-n", "1001"],
    ["interview", "-n", "99999999999999"],
    ["export", "anki", "x.apkg", "-q", "residual-grad", "-n", "1001"],
    ["interview", "--minutes", "nan"],  # used to be an internal error (exit 70)
    ["interview", "--minutes", "inf"],
    ["interview", "--minutes", "1e400"],
])
def test_absurd_counts_and_minutes_are_one_line_usage_errors(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(*args, input="q\n")
    assert r.exit_code == 2
    line = one_line_error(r)
    assert ("'--count'" in line or "'--minutes'" in line) and f"drill {args[0]}" in line
    assert not (tmp_path / "x.apkg").exists()


@pytest.mark.parametrize("args", [
    ["generate", "residual-grad", "--seed", str(MAX_SEED), "-k", "3"],
    ["export", "anki", "x.apkg", "-q", "residual-grad", "--seed", str(MAX_SEED - 1), "-n", "3"],
    ["quiz", "-q", "residual-grad", "--seed", str(MAX_SEED), "-n", "2", "--no-save"],
])
def test_variant_seeds_past_the_largest_seed_are_refused_since_they_could_not_be_replayed(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(*args, input="q\n")
    assert r.exit_code == 2
    assert str(MAX_SEED) in one_line_error(r)
    assert not (tmp_path / "x.apkg").exists()
    ok = run("generate", "residual-grad", "--seed", str(MAX_SEED - 2), "-k", "3", "--json")
    assert ok.exit_code == 0 and ok.output.count('"seed"') == 3


def test_new_into_a_path_through_a_file_or_an_unwritable_place_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile.txt").write_text("hi")
    r = run("new", "my-q", "--solver", "residual-grad", "--out", "afile.txt/q.yaml")
    assert r.exit_code == 2 and "afile.txt is a file, not a directory" in one_line_error(r)
    assert (tmp_path / "afile.txt").read_text() == "hi"


def test_export_to_an_empty_file_name_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("export", "anki", "", "-q", "residual-grad")
    assert r.exit_code == 2 and "file name is empty" in one_line_error(r)


def test_stats_reset_without_an_answer_changes_nothing_and_says_so(tmp_path):
    db = tmp_path / "p.db"
    assert run("quiz", "--db", str(db), "-q", "residual-grad", "--seed", "0", input="skip\n").exit_code == 0
    r = run("stats", "--reset", "--db", str(db), input="")  # end of input at the question
    assert r.exit_code == 1
    assert r.output.rstrip().splitlines()[-1] == "error: reset cancelled; nothing changed (--yes skips the question)"
    assert '"answered": 1' in run("stats", "--json", "--db", str(db)).output


@pytest.mark.skipif(DRILL is None or os.name != "posix", reason="needs the drill console script and a POSIX shell")
@pytest.mark.parametrize("args", [["quiz", "-q", "residual-grad", "--seed", "0", "--no-save"], ["interview", "-n", "1", "--seed", "0"]])
def test_a_closed_stdin_is_read_as_empty_input_not_an_internal_error(args, tmp_path):
    import shlex

    cmd = " ".join(shlex.quote(a) for a in [DRILL, *args]) + " <&-"
    p = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "DRILL_HOME": str(tmp_path), "DRILL_BANK": ""})
    assert p.returncode == 0, p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr


def test_a_title_names_no_size_that_a_variant_changes(bank):
    """A title shown above the prompt ("a 5×5 conv layer", "4-bit weights") must not contradict a variant
    ("a 7×7 kernel", "8-bit weights"): a K×K or N-bit of a title that some variants' prompts state must be
    in all of them (one that no prompt states, such as "a 2×2 table", is a fixed fact of the template)."""
    import re

    from drill.core.variants import make_variant

    bad = []
    for q in bank.questions.values():
        sizes = re.findall(r"\d+×\d+|\d+-bit", q.title)
        if not (sizes and q.vary):
            continue
        prompts = [make_variant(q, seed).prompt for seed in range(8)]
        bad += [(q.id, s) for s in sizes if 0 < sum(s in p for p in prompts) < len(prompts)]
    assert not bad


@pytest.mark.parametrize("args", [["list"], ["stats"], ["quiz", "-q", "residual-grad", "--seed", "0", "--no-save"],
                                  ["today", "--minutes", "2"]])
def test_columns_0_still_shows_the_output(args, tmp_path):
    """COLUMNS=0 used to make every rich output (the quiz's question and prompt included) empty."""
    r = run(*args, input="q\n", env={"COLUMNS": "0", "DRILL_HOME": str(tmp_path)})
    assert r.exit_code == 0, r.output
    assert r.output.strip(), "nothing was printed"


@pytest.mark.parametrize("command", [["quiz", "-q", "residual-grad", "--seed", "1"], ["stats"], ["review"], ["today"]])
def test_db_naming_a_file_that_is_not_a_database_leaves_it_alone(tmp_path, command):
    # `drill quiz --db /etc/passwd` (as root) renamed the file aside and put a database in its place
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    r = run(*command, "--db", str(notes), input="1\n")
    assert r.exit_code == 2 and "is not a SQLite database" in one_line_error(r)
    assert notes.read_text() == "my notes\n" and sorted(p.name for p in tmp_path.iterdir() if p.name != "drill-home") == ["notes.txt"]


def test_db_naming_another_programs_sqlite_database_leaves_it_alone(tmp_path):
    import sqlite3

    other = tmp_path / "photos.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE albums (name TEXT)")
    conn.execute("INSERT INTO albums VALUES ('summer')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    r = run("quiz", "-q", "residual-grad", "--seed", "1", "--db", str(other), input="1\n")
    assert r.exit_code == 2 and "another program's SQLite database" in one_line_error(r)
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.name != "drill-home") == ["photos.sqlite"]
    # drill's own database at the same kind of path is used as usual
    mine = tmp_path / "mine.db"
    assert run("quiz", "-q", "residual-grad", "--seed", "1", "--db", str(mine), input="skip\n").exit_code == 0
    assert run("stats", "--db", str(mine)).exit_code == 0


def test_endless_input_that_answers_nothing_ends_the_session():
    # `yes 1 | drill quiz` on a multiple-choice question asked again forever (minutes of CPU)
    from drill.practice.session import MAX_UNREADABLE

    r = run("quiz", "-q", "residual-grad-choice", "-q", "mlp-params", "--seed", "0", "--no-save", input="zzz\n" * (3 * MAX_UNREADABLE))
    assert r.exit_code == 0, r.output
    assert r.output.count("try again") == MAX_UNREADABLE  # then it stopped, as if the input had ended
    assert "2/2 ·" not in r.output and "No questions answered." in r.output


@pytest.mark.parametrize("ended,code", [("terminate", 143), ("hangup", 129), ("interrupt", 130)])
def test_a_stop_signal_outside_the_session_keeps_its_exit_status(monkeypatch, ended, code):
    # a SIGTERM landing just after the session (its handler raises Stopped) left through typer's
    # KeyboardInterrupt handling as exit 130 (seen once in the kill loop)
    import drill.tui.quiz
    from drill.practice.session import Stopped

    def stopped(*args, **kwargs):
        raise Stopped(ended)

    monkeypatch.setattr(drill.tui.quiz, "run", stopped)
    r = run("quiz", "-q", "residual-grad", "--seed", "1", "--no-save", input="1\n")
    assert r.exit_code == code and "Traceback" not in r.output
