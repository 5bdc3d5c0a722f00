"""Issue 19, attacked again: cases the first round of tests did not cover. Paths drill prints
(``DRILL_HOME``, ``drill new --out``, the Anki file) reach the terminal as safe text, never as
markup; a progress database reached through a link never writes into someone else's file; a forged
cache entry is not decoded into gigabytes; a solver over the largest lists a bank may hold does
bounded work. Each test failed before its fix.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drill.cli import app

runner = CliRunner()
POSIX = pytest.mark.skipif(os.name != "posix", reason="symbolic links and file names with escapes are POSIX")
# a window title (OSC 0), a bell, and rich markup that does not close
HOSTILE_NAME = "x\x1b]0;PWNED\x07[/bold]"


def raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t"})


def assert_clean(result) -> str:
    out = result.stdout + (result.stderr or "")
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in out and "internal error" not in out, out
    assert raw_controls(out) == [], (raw_controls(out), out)
    return out


# --- paths drill prints ------------------------------------------------------------------------

@POSIX
def test_stats_reset_names_a_hostile_drill_home_as_safe_text(tmp_path):
    home = tmp_path / f"home{HOSTILE_NAME}"
    env = {"DRILL_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}
    r = runner.invoke(app, ["stats", "--reset"], env=env)  # no database yet
    out = assert_clean(r)  # before: "Nothing to reset" wrote the path's OSC 0 and bell raw
    assert "Nothing to reset" in out and "\\x1b]0;PWNED\\x07[/bold]" in out
    r = runner.invoke(app, ["quiz", "-q", "mlp-params", "--seed", "0"], input="529411\n", env=env)
    assert r.exit_code == 0 and (home / "progress.db").exists()
    r = runner.invoke(app, ["stats", "--reset"], input="n\n", env=env)  # the confirmation question names the path
    assert "reset cancelled" in assert_clean(r)
    r = runner.invoke(app, ["stats", "--reset", "--yes"], env=env)
    out = assert_clean(r)  # before: "History cleared … backed up at" wrote it raw too
    assert "History cleared" in out and "\\x1b]0;PWNED" in out


@POSIX
def test_new_out_with_escapes_and_markup_in_its_name_is_written_and_named_safely(tmp_path):
    out_file = tmp_path / f"{HOSTILE_NAME}.yaml"
    out_file.parent.mkdir()
    r = runner.invoke(app, ["new", "my-q", "--solver", "network-params", "--out", str(out_file)],
                      env={"DRILL_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": "400"})
    # before: the name was printed as rich markup: '[/bold]' raised MarkupError (an internal error
    # after the file was written) and the OSC 0 went to the terminal raw
    out = assert_clean(r)
    assert r.exit_code == 0 and out_file.is_file()
    assert "wrote " in out and "[/bold].yaml" in out and "drill check --bank" in out


@POSIX
def test_anki_export_to_a_file_named_with_escapes_and_markup_is_named_safely(tmp_path):
    pytest.importorskip("genanki")
    out_file = tmp_path / f"{HOSTILE_NAME}.apkg"  # in a folder named "x\x1b]0;PWNED\x07[": a file named "bold].apkg"
    out_file.parent.mkdir()
    r = runner.invoke(app, ["export", "anki", str(out_file), "-q", "mlp-params"],
                      env={"DRILL_HOME": str(tmp_path / "home"), "NO_COLOR": "1", "COLUMNS": "400"})
    out = assert_clean(r)  # before: MarkupError after writing the deck, or the OSC 0 raw
    assert r.exit_code == 0 and out_file.is_file() and "1 note from 1 question" in out


def test_the_last_line_of_defence_prints_an_error_message_as_safe_text(monkeypatch, capsys):
    import drill.cli as cli

    def boom() -> None:
        raise RuntimeError("bank text \x1b]52;c;cHduZWQ=\x07 in an exception")

    monkeypatch.setattr(cli, "app", boom)
    monkeypatch.delenv("DRILL_DEBUG", raising=False)
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 70
    err = capsys.readouterr().err
    assert raw_controls(err) == [] and "internal error: RuntimeError: bank text \\x1b]52;" in err


# --- the progress database -------------------------------------------------------------------

@POSIX
def test_a_progress_db_linking_to_an_empty_foreign_file_never_writes_into_it(tmp_path):
    from drill.store.progress import open_store

    foreign = tmp_path / "elsewhere" / "someones-empty-file"
    foreign.parent.mkdir()
    foreign.write_bytes(b"")
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.db").symlink_to(foreign)
    store = open_store(home / "progress.db")  # before: drill built its database inside the foreign file
    try:
        assert store.recovered is not None and "symbolic link" in store.recovered.reason
        assert os.readlink(store.recovered.moved_to) == str(foreign)  # the link moved aside, unchanged
        assert not (home / "progress.db").is_symlink()
    finally:
        store.close()
    assert foreign.read_bytes() == b""


# --- the bank cache ----------------------------------------------------------------------------

def test_a_forged_cache_entry_of_millions_of_items_is_a_miss_before_it_is_decoded(tmp_path):
    from drill.core import bank_cache
    from drill.core.bank import _display, load_bank

    src = Path(__file__).parent / "hostile_banks" / "float_padding.yaml"
    folder = tmp_path / "bank"
    folder.mkdir()
    path = folder / src.name
    path.write_bytes(src.read_bytes())
    before = sorted(load_bank([folder]).questions)  # writes the entry
    where, name = str(path.resolve()), _display(path)
    entry = bank_cache._entry(where, name)
    assert entry.is_file()
    # the key is computable by anyone who has drill's source: a forged entry passes the header and
    # checksum; 1.7 GB and 35 s to decode at 21 M empty lists, so a bound on items is checked first
    payload = b"[" + b"[]," * bank_cache.MAX_ENTRY_ITEMS + b"[]]"
    header = json.dumps({"format": bank_cache.FORMAT, "key": bank_cache._key(where, name, path.read_bytes()),
                         "sha256": hashlib.sha256(payload).hexdigest()})
    entry.write_bytes(header.encode("ascii") + b"\n" + payload)
    assert bank_cache.get(where, name, path.read_bytes()) is None  # before: the 1 M lists were decoded
    assert sorted(load_bank([folder]).questions) == before  # a miss is rebuilt from the bank file


# --- solvers over the largest lists a bank may hold ----------------------------------------------

def _auc_by_ranks(labels: list[int], scores: list[float]) -> float:
    """The Mann–Whitney U statistic from average ranks (ties share their mean rank): an independent
    way to the pair-counting AUC."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    n_pos = sum(labels)
    n_neg = len(labels) - n_pos
    u = sum(r for r, y in zip(ranks, labels) if y == 1) - n_pos * (n_pos + 1) / 2
    return u / (n_pos * n_neg)


def _python_lines(fn, *args, limit: int = 1_000_000) -> tuple[object, int]:
    """``fn(*args)`` and the number of Python lines executed in the solvers package: a count of
    work, independent of the machine's speed (RuntimeError past ``limit``)."""
    import solvers as pkg

    root = str(Path(pkg.__file__).parent)
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
            if count > limit:
                raise RuntimeError(f"over {limit:,} lines: quadratic work")
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(root) else None

    sys.settrace(tracer)
    try:
        return fn(*args), count
    finally:
        sys.settrace(None)


def test_roc_auc_over_ten_thousand_scores_counts_pairs_without_visiting_each():
    from drill.solvers import get

    rng = random.Random(19)
    labels = [i % 2 for i in range(10_000)]
    scores = [round(rng.random(), 2) for _ in labels]  # two decimals: many ties
    solution, lines = _python_lines(get("roc-auc-pairs").fn, {"labels": labels, "scores": scores})
    # before: 25 M (positive, negative) pairs visited twice, about 10 s; the RuntimeError above
    assert solution.answer == pytest.approx(_auc_by_ranks(labels, scores), abs=1e-12)
    assert lines < 500_000, lines  # linear: about 20 lines a score (formatting them included)
    for n in (2, 3, 7, 20):  # small samples agree with the ranks too
        ys = [rng.randint(0, 1) for _ in range(n - 2)] + [0, 1]
        ss = [rng.choice([0.1, 0.2, 0.5, 0.9]) for _ in ys]
        assert get("roc-auc-pairs").fn({"labels": ys, "scores": ss}).answer == pytest.approx(_auc_by_ranks(ys, ss), abs=1e-12)


def test_a_softmax_jacobian_of_ten_thousand_classes_is_refused_before_it_is_built(bank):
    import dataclasses

    from drill.core.variants import VariantError, make_variant

    q = bank.questions["softmax-jacobian"]
    big = dataclasses.replace(q, params={**q.params, "logits": [0.5, -0.25] * 5_000})
    with pytest.raises(VariantError) as refused:
        make_variant(big, 0)  # before: five 10,000 × 10,000 matrices, gigabytes and 25 s
    assert "100,000,000 values" in str(refused.value) and "\n" not in str(refused.value)


def test_the_tables_of_a_ten_thousand_layer_chain_are_linear_in_its_size():
    from drill.solvers import InvalidParams, get

    layers = [{"name": f"fc{i}", "type": "Linear", "in_features": 4, "out_features": 4} for i in range(9_999)]
    solve = get("graph-params").fn

    def run():
        try:
            return solve({"input_shape": [4], "graph": layers})
        except InvalidParams as exc:  # the solution's size is checked later, in make_variant
            return exc

    _, lines = _python_lines(run, limit=10_000_000)
    # before: each of the 10,000 rows looked its node up among all the others, twice (about 10^8
    # steps, 30 s); now about 360 lines a layer
    assert lines < 10_000_000, lines


# --- the line editor's history ------------------------------------------------------------------

def test_a_planted_history_file_of_fifty_megabytes_is_read_only_at_its_newest_end(tmp_path):
    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit.history import FileHistory

    from drill.tui.lineedit import MAX_HISTORY_BYTES, _own_file_history, answers_only

    path = tmp_path / "history-answers"
    entry = b"\n# 2026-01-01 00:00:00\n+%d\n"
    with open(path, "wb") as f:
        f.write(b"+1\n" * (16 << 20))  # one entry of 16 M lines: before, 1.3 GB and 20 s to join
        f.write(b"".join(entry % i for i in range(100_000)))  # then 100,000 ordinary answers
    strings = answers_only(_own_file_history(FileHistory))(str(path)).load_history_strings()
    assert strings[0] == "99999"  # the newest first, as prompt_toolkit expects
    assert sum(len(s) for s in strings) <= MAX_HISTORY_BYTES and all("\n" not in s for s in strings)
    assert strings == [str(i) for i in range(99_999, 99_999 - len(strings), -1)]  # whole entries only, none cut


# --- left for a bigger change --------------------------------------------------------------------

@pytest.mark.xfail(strict=True, reason="every open reads every row of progress.db into memory to validate it (_read_all), and "
                                       "stats reads the typed answers too: memory grows with the file (a planted 600 MB "
                                       "database: 424 MB, 5 s). Fix: validate and read rows in a streaming cursor, without "
                                       "the answer text where it is not shown, and bound the rows a command reads")
def test_opening_a_large_progress_database_does_not_hold_every_answer_in_memory(tmp_path):
    import sqlite3
    import tracemalloc

    from drill.store.progress import open_store

    db = tmp_path / "progress.db"
    open_store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO sessions (command, seed, started) VALUES ('quiz', 1, 1.7e9)")
    conn.executemany("INSERT INTO attempts (session_id, question_id, topic, seed, answer, status, mistake, seconds, hints, rating,"
                     " answered_at, mode) VALUES (1, 'mlp-params', 'param-counts', 0, ?, 'correct', NULL, 1.0, 0, 3, ?, 'quiz')",
                     (("1" * 10_000, 1.7e9 + i) for i in range(2_000)))  # 20 MB of typed answers, each at the line limit
    conn.commit()
    conn.close()
    tracemalloc.start()
    try:
        open_store(db).close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, peak  # today: the 20 MB of answers, read to be checked
