"""Run a learner's file in a subprocess, never in drill's process.

The child (drill/code/child.py, run as ``python -I``) gets a clean environment, its own session
(so a time-out kills everything it started), a memory limit and a CPU limit (resource.setrlimit,
in the child), and writes what the calls returned to a result file. Its stdout and stderr go to
files of which only the first few KiB are read back. Whatever the learner's code does (loop
forever, crash, call sys.exit, allocate 10 GB, import a forbidden module) comes back as a
:class:`Run`, never as an exception in drill.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHILD = Path(__file__).with_name("child.py")
TIME_LIMIT = 10.0  # seconds of wall time for one check (all cases, one process)
MEMORY_MB = 1024
OUTPUT_BYTES = 4096  # of the learner's stdout/stderr shown back


@dataclass
class Run:
    """What one run of the learner's file gave.

    problem: one line when the run as a whole failed (time-out, exit, crash, import error), else "".
    forbidden: the forbidden module the code tried to import, or "".
    functions: {name: {"cases": [per case: {"out": ...} | {"error": ...}, "mutated": [...]]} | {"missing": True}}.
    """

    problem: str = ""
    forbidden: str = ""
    functions: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


def encode(value: Any) -> Any:
    """A case's argument as JSON for the child: numbers stay numbers, arrays keep their dtype."""
    import numpy as np

    if isinstance(value, (list, tuple)):
        return {"list": [encode(v) for v in value]}
    if isinstance(value, np.ndarray):
        return {"array": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def _clean_env() -> dict[str, str]:
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    if "HOME" in os.environ:
        env["HOME"] = os.environ["HOME"]
    return env


def _head(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(OUTPUT_BYTES + 1)
    except OSError:
        return ""
    text = data[:OUTPUT_BYTES].decode("utf-8", "replace")
    return text + ("\n… (cut)" if len(data) > OUTPUT_BYTES else "")


def run(module: Path, functions: list[str], cases: list[dict[str, Any]], *, forbidden: tuple[str, ...] = (),
        time_limit: float = TIME_LIMIT, memory_mb: int = MEMORY_MB) -> Run:
    """Call each of ``functions`` in the file ``module`` on every case (keyword arguments), in one child."""
    import time

    with tempfile.TemporaryDirectory(prefix="drill-code-") as tmp:
        tmpdir = Path(tmp)
        request = {"module": str(Path(module).resolve()), "functions": functions,
                   "cases": [{"kwargs": {k: encode(v) for k, v in c.items()}} for c in cases],
                   "forbidden": list(forbidden), "memory_mb": memory_mb, "cpu_seconds": int(time_limit) + 1}
        (tmpdir / "request.json").write_text(json.dumps(request), encoding="utf-8")
        out_path, err_path, result_path = tmpdir / "stdout", tmpdir / "stderr", tmpdir / "result.json"
        started = time.monotonic()
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([sys.executable, "-I", str(CHILD), str(tmpdir / "request.json"), str(result_path)],
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=tmp, env=_clean_env(),
                                    start_new_session=True)
            try:
                code = proc.wait(timeout=time_limit)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: whatever it started
                except (ProcessLookupError, PermissionError):
                    pass
                code = proc.wait()
        r = Run(stdout=_head(out_path), stderr=_head(err_path), seconds=time.monotonic() - started)
        if timed_out:
            r.problem = f"did not finish within the time limit of {time_limit:g} s (an infinite loop?)"
            return r
        data = None
        if code == 0 and result_path.exists():
            try:
                data = json.loads(result_path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                data = None
        if data is None:
            r.problem = _exit_problem(code, r.stderr)
            return r
        r.problem = data.get("error") or ""
        r.forbidden = data.get("forbidden") or ""
        r.functions = data.get("functions") or {}
        return r


def _exit_problem(code: int, stderr: str) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = {"SIGXCPU": " (the CPU time limit)", "SIGKILL": " (killed; out of memory?)", "SIGSEGV": " (a crash)"}.get(name, "")
        return f"your code was stopped by {name}{why}"
    if "MemoryError" in stderr:
        return f"ran out of memory (the limit is {MEMORY_MB} MiB)"
    if code != 0:
        return f"your code exited with status {code} before returning (sys.exit or a crash)"
    return "your code ended without a result (did it call sys.exit(0) or os._exit?)"
