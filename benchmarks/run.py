"""Wall-clock figures for drill, each the median of several runs, beside its target.

    python benchmarks/run.py [--runs N]      (after the README's install: drill.solvers must import)

Start-up is compared with `python -c "import typer"` measured in the same run, since a
2-core machine's absolute times drift; the first line says what the machine was doing (cores,
load average). Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent


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


def grading(n: int = 400) -> tuple[float, str, float]:
    """Milliseconds to grade one answer: the median over all cases, and the slowest case's median."""
    from drill.core.bank import load_bank
    from drill.core.variants import make_variant

    bank = load_bank()
    cases = [("residual-grad", "0.1*(1+0.1**2)"), ("sigmoid-bce-grad", "sigmoid(2) - 1"),
             ("softmax-ce-grad", "[-0.341, 0.2424, 0.0986]"), ("conv-output-size", "5x7"), ("mlp-params", "529,411"),
             ("conv2d-forward", "[[19, 25], [37, 43]]"), ("residual-grad-choice", "C"),
             ("activation-derivative-formula", "1 - tanh(x)**2")]
    times, per_case = [], {}
    for qid, text in cases:
        v = make_variant(bank.questions[qid], 0)
        mine = []
        for _ in range(n):
            start = time.perf_counter()
            v.grade(text)
            mine.append(time.perf_counter() - start)
        times += mine
        per_case[f"{v.question.answer_type} ({qid})"] = statistics.median(mine)
    slowest = max(per_case, key=per_case.get)
    return statistics.median(times) * 1000, slowest, per_case[slowest] * 1000


def synthetic_bank(directory: Path, n: int = 1000, per_file: int = 100) -> None:
    """Write ``n`` templates (the built-in ones, renamed and repeated) into ``directory``."""
    import yaml

    from drill.core.bank import builtin_dir

    source = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(builtin_dir().glob("*.yaml"))]
    questions = [dict(q, topic=q.get("topic", d["topic"])) for d in source for q in d["questions"]]
    for f in range(n // per_file):
        items = [dict(questions[(f * per_file + i) % len(questions)], id=f"synthetic-{f}-{i}") for i in range(per_file)]
        text = yaml.safe_dump({"format_version": 1, "topic": "synthetic", "questions": items}, allow_unicode=True)
        (directory / f"synthetic_{f}.yaml").write_text(text, encoding="utf-8")


def bank_load(runs: int) -> tuple[float, float]:
    """Median seconds to load a 1,000-template bank in a fresh process: first load, then a repeat."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "bank"
        directory.mkdir()
        synthetic_bank(directory)
        code = (
            "import sys, time; from pathlib import Path; from drill.core.bank import load_bank; "
            "t = time.perf_counter(); b = load_bank([Path(sys.argv[1])]); "
            "assert len(b.questions) == 1000, len(b.questions); print(time.perf_counter() - t)"
        )
        env = {**__import__("os").environ, "DRILL_HOME": str(Path(tmp) / "home"), "PYTHONPATH": str(ROOT)}
        times = [float(subprocess.run([PY, "-c", code, str(directory)], capture_output=True, text=True, env=env, check=True).stdout)
                 for _ in range(runs + 1)]
    return times[0], statistics.median(times[1:])


def check_seconds(variants: int = 100) -> tuple[float, int]:
    out = subprocess.run([PY, "-m", "drill", "check", "--variants", str(variants)], capture_output=True, text=True)
    start = time.perf_counter()
    subprocess.run([PY, "-m", "drill", "check", "--variants", str(variants)], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    from drill.core.bank import load_bank

    return seconds, len(load_bank().questions) if out.returncode == 0 else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    import os
    import platform

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min); "
          f"Python {platform.python_version()}; medians of {args.runs} runs")
    base = wall([PY, "-c", "import typer"], args.runs)
    rows = [
        ("python -c 'import typer' (baseline)", f"{base:.3f} s", ""),
    ]
    for name, cmd in (("drill --help", ["--help"]), ("drill list", ["list"])):
        t = wall([PY, "-m", "drill", *cmd], args.runs)
        rows.append((name, f"{t:.3f} s = {t / base:.2f}× baseline", "≤ 1.5× baseline" if name == "drill --help" else "≤ 2× baseline"))
    fq = first_question(args.runs)
    rows.append(("drill quiz → first question", f"{fq:.3f} s = {fq / base:.2f}× baseline", "≤ 3× baseline"))
    median, slowest, slow_ms = grading()
    rows.append(("grade one answer (all types)", f"{median:.3f} ms", "≤ 5 ms"))
    rows.append((f"  slowest: {slowest}", f"{slow_ms:.3f} ms", "≤ 5 ms"))
    first, again = bank_load(args.runs)
    rows.append(("load a 1,000-template bank (first / again)", f"{first:.3f} s / {again:.3f} s", "≤ 0.1 s"))
    seconds, n = check_seconds()
    workers = min(4, os.cpu_count() or 1)
    rows.append((f"drill check, 100 variants × {n} questions ({workers} processes)", f"{seconds:.2f} s ({seconds / max(n, 1) * 1000:.0f} ms per template)", "≤ 60 s"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median':<36}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<36}  {target}")


if __name__ == "__main__":
    main()
