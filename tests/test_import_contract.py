"""drill's layers, as import-linter's contracts in pyproject.toml state them, hold: cli → tui →
practice | authoring → store → core, only the terminal layers import rich; and the solvers (drill.solvers,
installed from solvers/) import nothing of drill but themselves."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_layer_contracts_in_pyproject_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    assert lint.exists(), "import-linter is a test dependency (pip install -c constraints.txt -e '.[test]')"
    r = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]
    assert "2 kept, 0 broken" in r.stdout


def _drill_imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return {m for m in out if m == "drill" or m.startswith("drill.")}


def test_the_solvers_import_nothing_of_drill_but_themselves():
    bad = {p.name: sorted(m for m in _drill_imports(p) if not m.startswith("drill.solvers")) for p in (ROOT / "solvers").glob("*.py")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_packages_are_the_layers():
    packages = sorted(p.name for p in (ROOT / "drill").iterdir() if (p / "__init__.py").exists())
    assert packages == ["authoring", "cli", "code", "core", "practice", "store", "tui"]
    assert sorted(p.name for p in (ROOT / "drill").glob("*.py")) == ["__init__.py", "__main__.py"]  # nothing left flat


def test_the_wheel_lists_every_package():
    """pyproject lists drill's packages by hand (solvers/ and question_bank/ install inside drill's
    namespace): a package missing there is missing from the wheel, while an editable install works."""
    import re

    text = (ROOT / "pyproject.toml").read_text()  # no tomllib on Python 3.10
    block = re.search(r"^packages = \[(.*?)\]", text, re.S | re.M).group(1)
    listed = set(re.findall(r'"([\w.]+)"', block))
    found = {".".join(("drill",) + p.parent.relative_to(ROOT / "drill").parts) for p in (ROOT / "drill").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
