"""Start-up stays light: --help and list import neither numpy nor sympy; a quiz never imports sympy."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from drill.cli import app
try:
    app({args!r}, standalone_mode=False)
except SystemExit:
    pass
print("MODULES", "numpy" in sys.modules, "sympy" in sys.modules)
"""


def modules_after(args: list[str], stdin: str = "") -> tuple[bool, bool]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], input=stdin, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("MODULES"))
    _, numpy, sympy = line.split()
    return numpy == "True", sympy == "True"


def test_help_imports_neither_numpy_nor_sympy():
    assert modules_after(["--help"]) == (False, False)


def test_list_imports_neither_numpy_nor_sympy():
    assert modules_after(["list"]) == (False, False)


def test_quiz_imports_numpy_but_not_sympy():
    assert modules_after(["quiz", "-n", "1", "--seed", "1"], stdin="q\n") == (True, False)
