"""User banks: --bank DIR (repeatable) and $DRILL_BANK add YAML banks beside the built-in one,
validated exactly like it; an id clash names both files; a missing directory is a one-line error."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.core.bank import BankDirError, bank_dirs, builtin_dir
from drill.cli import app

CORPUS = Path(__file__).parent / "broken_banks"
runner = CliRunner()


def run(*args: str, input: str | None = None, env: dict | None = None):
    return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200", "DRILL_BANK": "", **(env or {})})


@pytest.fixture
def user_bank(tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    shutil.copy(CORPUS / "good.yaml", d / "residual.yaml")
    return d


def test_bank_dirs_order_and_dedup(tmp_path, user_bank):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.yaml").write_text("format_version: 1\nquestions: []\n")
    env = {"DRILL_BANK": os.pathsep.join([str(user_bank), "", str(other)])}
    assert bank_dirs([user_bank, builtin_dir()], env) == [builtin_dir(), user_bank, other]


@pytest.mark.parametrize("where", ["flag", "env"])
def test_missing_or_empty_bank_dir_is_one_line(tmp_path, where):
    empty = tmp_path / "empty"
    empty.mkdir()
    for path, message in ((tmp_path / "nope", "does not exist"), (empty, "has no .yaml question files")):
        with pytest.raises(BankDirError, match=message):
            bank_dirs([path]) if where == "flag" else bank_dirs(environ={"DRILL_BANK": str(path)})
        for cmd in (["list"], ["quiz", "-n", "1"], ["check"], ["generate", "mlp-params"]):
            r = run(*cmd, *(["--bank", str(path)] if where == "flag" else []), env={"DRILL_BANK": str(path)} if where == "env" else None)
            assert r.exit_code == 2, (cmd, r.output)
            source = "--bank" if where == "flag" else "DRILL_BANK"
            assert r.output == f"error: {source}: bank directory {str(path)!r} {message}\n", r.output


@pytest.mark.parametrize("where", ["flag", "env"])
def test_user_questions_join_every_command(user_bank, where):
    args = ["--bank", str(user_bank)] if where == "flag" else []
    env = {"DRILL_BANK": str(user_bank)} if where == "env" else None
    r = run("list", *args, env=env)
    assert r.exit_code == 0 and "user-skip" in r.output and "user-residual" in r.output and "mlp-params" in r.output
    r = run("generate", "user-residual", "--seed", "0", "--json", *args, env=env)
    assert r.exit_code == 0 and '"answer": 2.5' in r.output
    r = run("quiz", "-q", "user-residual", "--seed", "0", *args, input="2.5\n", env=env)
    assert r.exit_code == 0 and "✓ Correct." in r.output
    r = run("check", "-q", "user-residual", "--variants", "20", "--workers", "1", *args, env=env)
    assert r.exit_code == 0 and "1 question × 21 variants" in r.output


def test_several_banks_flags_and_env_together(tmp_path, user_bank):
    second = tmp_path / "second"
    second.mkdir()
    text = (CORPUS / "good.yaml").read_text().replace("user-residual", "user-residual-two").replace("user-skip", "user-skip-two")
    (second / "two.yaml").write_text(text)
    r = run("list", "--bank", str(second), env={"DRILL_BANK": str(user_bank)})
    assert "user-residual," not in r.output and "user-residual" in r.output and "user-residual-two" in r.output


def test_id_clash_with_the_builtin_bank_names_both_files(tmp_path):
    d = tmp_path / "clash"
    d.mkdir()
    (d / "mine.yaml").write_text((CORPUS / "good.yaml").read_text().replace("id: user-residual", "id: residual-grad"))
    r = run("check", "-q", "mlp-params", "--variants", "0", "--workers", "1", "--bank", str(d))
    assert r.exit_code == 1
    line = next(l for l in r.output.splitlines() if "already used" in l)
    assert "mine.yaml:4" in line and "residual-grad" in line and "skip_connection.yaml:" in line
    r = run("list", "--bank", str(d))
    assert r.exit_code == 0
    assert re.search(r"warning: skipped: \S*mine\.yaml:4: question 'residual-grad': field 'id': id already used in \S*skip_connection\.yaml:\d+\n", r.output)


def test_user_banks_are_validated_like_the_builtin_one(tmp_path):
    d = tmp_path / "b"
    d.mkdir()
    shutil.copy(CORPUS / "bad_difficulty.yaml", d)
    r = run("list", "--bank", str(d))
    assert "bad_difficulty.yaml:6: question 'broken-difficulty': field 'difficulty': must be 1, 2 or 3" in r.output
