"""The bank cache returns exactly what a fresh parse does, and never gets in the way."""

from __future__ import annotations

import shutil

import pytest
import yaml

from drill import bank_cache
from drill.bank import _Locator, _scan, builtin_dir, load_bank


def fresh(dirs=None, monkeypatch=None):
    monkeypatch.setenv("DRILL_NO_CACHE", "1")
    b = load_bank(dirs)
    monkeypatch.delenv("DRILL_NO_CACHE")
    return b


def test_cached_load_equals_a_fresh_parse(tmp_path, monkeypatch):
    expected = fresh(None, monkeypatch)
    first = load_bank()  # fills the cache (DRILL_HOME is a temp dir per test)
    entries = list((tmp_path / "drill-home" / "cache" / "bank").glob("*.json"))
    assert len(entries) == len(list(builtin_dir().glob("*.yaml")))
    again = load_bank()  # from the cache
    for b in (first, again):
        assert b.questions == expected.questions
        assert b.explanations == expected.explanations
        assert b.errors == expected.errors


def test_errors_are_cached_too(tmp_path, monkeypatch):
    shutil.copy("tests/broken_banks/" + sorted(p.name for p in __import__("pathlib").Path("tests/broken_banks").glob("*.yaml"))[0], tmp_path)
    expected = fresh([tmp_path], monkeypatch).errors
    assert expected
    assert load_bank([tmp_path]).errors == expected == load_bank([tmp_path]).errors


def test_an_edited_file_is_parsed_again(tmp_path):
    src = builtin_dir() / "skip_connection.yaml"
    mine = tmp_path / "skip_connection.yaml"
    shutil.copy(src, mine)
    assert load_bank([tmp_path]).questions["residual-grad"].title == "Backprop through a skip connection"
    mine.write_text(src.read_text(encoding="utf-8").replace("Backprop through a skip connection\n", "Edited title\n", 1), encoding="utf-8")
    assert load_bank([tmp_path]).questions["residual-grad"].title == "Edited title"


def test_a_damaged_or_unwritable_cache_is_only_a_miss(tmp_path, monkeypatch):
    load_bank()
    for entry in (tmp_path / "drill-home" / "cache" / "bank").glob("*.json"):
        entry.write_bytes(b"\x00garbage")
    assert len(load_bank().questions) == len(fresh(None, monkeypatch).questions)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("DRILL_HOME", str(blocker))
    assert len(load_bank().questions) == len(fresh(None, monkeypatch).questions)


def test_values_json_cannot_hold_unchanged_are_not_cached(tmp_path):
    # a mapping with a whole-number key would come back from JSON with a text key: not cached
    text = (builtin_dir() / "skip_connection.yaml").read_text(encoding="utf-8").replace(
        "      upstream: 0.1\n", "      upstream: 0.1\n      table: {1: 2}\n", 1)
    (tmp_path / "skip_connection.yaml").write_text(text, encoding="utf-8")
    assert load_bank([tmp_path]).questions["residual-grad"].params["table"] == {1: 2}
    assert load_bank([tmp_path]).questions["residual-grad"].params["table"] == {1: 2}
    cached = list((tmp_path / "drill-home" / "cache" / "bank").glob("*.json"))
    assert cached == []  # loaded, and not cached


@pytest.mark.parametrize("path", sorted(builtin_dir().glob("*.yaml")), ids=lambda p: p.name)
def test_scan_numbers_questions_as_the_composed_tree_does(path):
    text = path.read_text(encoding="utf-8")
    problem, lines = _scan(text)
    assert problem is None
    n = len(yaml.safe_load(text)["questions"])
    composed = _Locator(text)  # no scanned lines: composes the node tree
    assert lines == [composed("questions", i) for i in range(n)]


def test_no_cache_switch(tmp_path, monkeypatch):
    monkeypatch.setenv("DRILL_NO_CACHE", "1")
    load_bank()
    assert not (tmp_path / "drill-home" / "cache").exists()
    assert bank_cache.enabled() is False
