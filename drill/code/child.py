"""The process a learner's code runs in: never drill's own. Run by drill.code.runner as
``python -I child.py REQUEST RESULT``; it imports nothing of drill (stdlib and numpy only).

REQUEST (JSON): {"module": path of the learner's file, "functions": [names to call], "cases":
[{"kwargs": {name: encoded value}}], "forbidden": [top-level module names], "memory_mb": int,
"cpu_seconds": int, "max_values": int (per output, default 10,000)}. An encoded value is a number,
or {"array": nested list, "dtype": str}, or {"list": [encoded values]}.

RESULT (JSON), written when the run ends normally: {"error": one line or null, "forbidden": name
or null, "functions": {name: [per case: {"out": encoded output} | {"error": one line},
"mutated": [argument names]]}}. A crash, a time-out or an exit leaves no RESULT: the parent
reports those from the exit status.
"""

import importlib.abc
import importlib.util
import json
import resource
import signal
import sys
import traceback


def _limit(request):
    mb = int(request.get("memory_mb", 1024))
    resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    cpu = int(request.get("cpu_seconds", 10))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    size = 16 << 20  # no file the learner's code writes (prints included) grows past 16 MiB
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class _Forbid(importlib.abc.MetaPathFinder):
    def __init__(self, names):
        self.names = set(names)
        self.tried = None

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top in self.names:
            self.tried = self.tried or top
            raise ImportError(f"{top} is not allowed in this exercise (NumPy only)")


def _line(exc):
    text = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__).splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def _where(exc, module_path):
    """The learner's own line the exception came from: 'line N: code'."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == module_path:
            return f"line {frame.lineno}: {(frame.line or '').strip()[:120]}"
    return ""


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        request = json.load(f)
    _limit(request)
    forbid = _Forbid(request.get("forbidden", []))
    sys.meta_path.insert(0, forbid)
    import numpy as np

    np.seterr(all="ignore")  # overflow is graded from the output (inf, nan), not from warnings
    max_values = int(request.get("max_values", 10_000))

    def decode(v):
        if isinstance(v, dict) and "array" in v:
            return np.array(v["array"], dtype=v.get("dtype", "float64"))
        if isinstance(v, dict) and "list" in v:
            return [decode(x) for x in v["list"]]
        return v

    def encode(v, depth=0):
        if isinstance(v, (list, tuple)) and depth < 2 and any(isinstance(x, np.ndarray) for x in v):  # a list of arrays
            return {"list": [encode(x, depth + 1) for x in v]}
        try:
            a = np.asarray(v)
        except ValueError:  # ragged nested lists
            return {"unreadable": "a ragged list"}
        if a.dtype == object:
            return {"unreadable": type(v).__name__}
        if a.size > max_values:
            return {"too_big": list(a.shape)}
        if a.dtype.kind == "c":
            return {"complex": list(a.shape)}
        if a.dtype.kind not in "biuf":
            return {"unreadable": f"{type(v).__name__} of dtype {a.dtype}"}
        return {"array": a.astype(float).tolist(), "dtype": str(a.dtype), "shape": list(a.shape)}

    def same(a, b):
        if isinstance(a, list):
            return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, np.ndarray):
            return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
        return a == b

    result = {"error": None, "forbidden": None, "functions": {}}
    path = request["module"]
    try:
        spec = importlib.util.spec_from_file_location("learner_solution", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["learner_solution"] = module
        spec.loader.exec_module(module)
    except MemoryError:
        result["error"] = "importing your file ran out of memory"
    except Exception as exc:  # noqa: BLE001 - the learner's file: any exception is a result
        where = _where(exc, path)
        result["error"] = f"importing your file failed: {_line(exc)}" + (f" ({where})" if where else "")
    if forbid.tried:
        result["forbidden"] = forbid.tried
    if result["error"] is None:
        for name in request["functions"]:
            fn = getattr(module, name, None)
            if not callable(fn):
                result["functions"][name] = {"missing": True}
                continue
            outs = []
            for case in request["cases"]:
                kwargs = {k: decode(v) for k, v in case["kwargs"].items()}
                kept = {k: decode(v) for k, v in case["kwargs"].items()}
                try:
                    out = {"out": encode(fn(**kwargs))}
                except MemoryError:
                    out = {"error": "MemoryError: ran out of memory (the exercise's limit)"}
                except Exception as exc:  # noqa: BLE001 - the learner's function: any exception is a result
                    where = _where(exc, path)
                    out = {"error": _line(exc) + (f" ({where})" if where else "")}
                out["mutated"] = [k for k in kwargs if not same(kwargs[k], kept[k])]
                outs.append(out)
                if forbid.tried:
                    result["forbidden"] = forbid.tried
            result["functions"][name] = {"cases": outs}
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv)
