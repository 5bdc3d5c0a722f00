"""Wall-clock figures for drill, each the median of several runs, beside its target.

    python benchmarks/run.py [--runs N]

Start-up is compared with `python -c "import typer"` measured in the same run, since a
2-core machine's absolute times drift. Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing


def wall(cmd: list[str], runs: int, stdin: str = "") -> float:
    """Median wall time of ``cmd`` in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, text=True, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def first_question(runs: int) -> float:
    """Median seconds from starting `drill quiz` to the first question panel on stdout."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([PY, "-m", "drill", "quiz", "-n", "1", "--seed", "1"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if "╭" in line:  # the question panel's top border
                times.append(time.perf_counter() - start)
                break
        proc.communicate("q\n")
    return statistics.median(times)


def grading(n: int = 2000) -> float:
    """Median milliseconds to grade one answer (number, expression, vector, shape, integer)."""
    from drill.bank import load_bank
    from drill.variants import make_variant

    bank = load_bank()
    cases = [("residual-grad", "0.1*(1+0.1**2)"), ("sigmoid-bce-grad", "sigmoid(2) - 1"),
             ("softmax-ce-grad", "[-0.341, 0.2424, 0.0986]"), ("conv-output-size", "5x7"), ("mlp-params", "529,411")]
    times = []
    for qid, text in cases:
        v = make_variant(bank.questions[qid], 0)
        for _ in range(n // len(cases)):
            start = time.perf_counter()
            v.grade(text)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def check_seconds(variants: int = 100) -> tuple[float, int]:
    out = subprocess.run([PY, "-m", "drill", "check", "--variants", str(variants)], capture_output=True, text=True)
    start = time.perf_counter()
    subprocess.run([PY, "-m", "drill", "check", "--variants", str(variants)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    from drill.bank import load_bank

    return seconds, len(load_bank().questions) if out.returncode == 0 else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base = wall([PY, "-c", "import typer"], args.runs)
    rows = [
        ("python -c 'import typer' (baseline)", f"{base:.3f} s", ""),
    ]
    for name, cmd in (("drill --help", ["--help"]), ("drill list", ["list"])):
        t = wall([PY, "-m", "drill", *cmd], args.runs)
        rows.append((name, f"{t:.3f} s = {t / base:.2f}× baseline", "≤ 2× baseline"))
    rows.append(("drill quiz → first question", f"{first_question(args.runs):.3f} s", "≤ 0.3 s"))
    rows.append(("grade one answer", f"{grading():.3f} ms", "≤ 5 ms"))
    seconds, n = check_seconds()
    rows.append((f"drill check, 100 variants × {n} questions", f"{seconds:.2f} s ({seconds / max(n, 1) * 1000:.0f} ms per template)", "≤ 10 s"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median':<36}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<36}  {target}")


if __name__ == "__main__":
    main()
