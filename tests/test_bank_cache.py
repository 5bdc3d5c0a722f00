"""The bank cache returns exactly what a fresh parse does, and never gets in the way."""

from __future__ import annotations

import shutil

import pytest
import yaml

from drill.core import bank_cache
from drill.core.bank import _Locator, _scan, builtin_dir, load_bank


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


# --- a cache that cannot crash drill (issue 12) --------------------------------------------------

import ast  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from typer.testing import CliRunner  # noqa: E402

from drill.cli import app  # noqa: E402

SMALL = ("skip_connection.yaml", "good.yaml")


def small_bank(tmp_path):
    d = tmp_path / "bank"
    d.mkdir()
    shutil.copy(builtin_dir() / SMALL[0], d / SMALL[0])
    shutil.copy(Path(__file__).parent / "broken_banks" / SMALL[1], d / SMALL[1])
    return d


def entries(tmp_path):
    return sorted((tmp_path / "drill-home" / "cache" / "bank").glob("*.json"))


def test_two_hundred_damaged_entries_are_each_a_miss_never_a_wrong_bank(tmp_path, monkeypatch):
    d = small_bank(tmp_path)
    expected = fresh([d], monkeypatch)
    load_bank([d])
    originals = {p: p.read_bytes() for p in entries(tmp_path)}
    assert len(originals) == len(SMALL)
    rng = random.Random(12)
    for trial in range(200):
        path = rng.choice(sorted(originals))
        blob = bytearray(originals[path])
        for _ in range(rng.choice([1, 1, 2, 5])):  # mostly a single flipped byte: the damage that still decodes
            i = rng.randrange(len(blob))
            blob[i] ^= 1 << rng.randrange(8)
        if trial % 10 == 0:
            blob = blob[: rng.randrange(len(blob))]  # a truncated entry
        path.write_bytes(bytes(blob))
        got = load_bank([d])
        assert got.questions == expected.questions and got.errors == expected.errors, trial
        assert path.read_bytes() == originals[path]  # rebuilt in place
    r = CliRunner().invoke(app, ["list", "--bank", str(d)])
    assert r.exit_code == 0 and r.exception is None


def test_a_valid_entry_with_the_wrong_structure_is_rebuilt(tmp_path, monkeypatch):
    d = small_bank(tmp_path)
    expected = fresh([d], monkeypatch)
    load_bank([d])
    for path in entries(tmp_path):
        head, payload = path.read_bytes().split(b"\n", 1)
        header = json.loads(head)
        for bad in ({"questions": [], "errors": []}, {"questions": [{"id": 1}], "errors": [], "explanation": None}, []):
            body = json.dumps(bad).encode()
            header["sha256"] = bank_cache.hashlib.sha256(body).hexdigest()  # a checksum that matches: structure still checked
            path.write_bytes(json.dumps(header).encode() + b"\n" + body)
            assert load_bank([d]).questions == expected.questions


def test_an_emptied_entry_never_hides_questions(tmp_path, monkeypatch):
    d = small_bank(tmp_path)
    expected = fresh([d], monkeypatch)
    load_bank([d])
    for path in entries(tmp_path):
        head, _ = path.read_bytes().split(b"\n", 1)
        path.write_bytes(head + b"\n" + json.dumps({"questions": [], "errors": [], "explanation": None}).encode())
    assert load_bank([d]).questions == expected.questions  # the checksum no longer matches


def test_one_entry_per_file_however_often_it_is_edited(tmp_path):
    d = small_bank(tmp_path)
    mine = d / "skip_connection.yaml"
    src = mine.read_text(encoding="utf-8")
    for i in range(20):
        mine.write_text(src.replace("Backprop through a skip connection\n", f"Edit {i}\n", 1), encoding="utf-8")
        assert load_bank([d]).questions["residual-grad"].title == f"Edit {i}"
    assert len(entries(tmp_path)) == len(SMALL)


def test_old_entries_are_evicted(tmp_path, monkeypatch):
    monkeypatch.setattr(bank_cache, "MAX_ENTRIES", 10)
    d = tmp_path / "many"
    d.mkdir()
    src = (Path(__file__).parent / "broken_banks" / "good.yaml").read_text(encoding="utf-8")
    for i in range(25):
        (d / f"f{i:03}.yaml").write_text(src.replace("id: user-residual", f"id: r{i}-residual"), encoding="utf-8")
    b = load_bank([d])
    assert len(b.questions) == 25 and len(entries(tmp_path)) == 10


def test_the_cache_stores_plain_data_and_imports_no_bank_code():
    tree = ast.parse(Path(bank_cache.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "marshal" not in imported and "pickle" not in imported
    assert not any(m and m.startswith("drill.core.bank") and m != "drill.core.bank_cache" for m in imported)
    out = subprocess.run([sys.executable, "-c", "import sys, drill.core.bank_cache; print('drill.core.bank' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
