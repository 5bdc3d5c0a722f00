"""How long one walk of a network graph takes: GPT-3 (96 repeated layers) and the zoo models.

    python benchmarks/graph.py [--runs N]

Each figure is the median of N runs of the walk alone (shapes, params, MACs and activations in
one pass; walks are not cached here) and of the full ``graph-params`` solver (the walk plus its
worked steps and named mistakes). Target: a 96-layer GPT-3-sized graph well under 50 ms. Then
nested ``repeat: 2`` blocks whose body grows the shape at every repetition (issue 19: 3^depth
walks before; now linear in the expanded graph). Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

GPT3 = {"model": "gpt2", "config": {"vocab": 50257, "n_ctx": 2048, "d_model": 12288, "layers": 96, "heads": 96}}
MODELS = {
    "gpt3-175b": GPT3,
    "llama2-7b": {"model": "llama"},
    "gpt2-small": {"model": "gpt2"},
    "bert-base": {"model": "bert"},
    "resnet50": {"model": "resnet", "config": {"block": "bottleneck", "layers": [3, 4, 6, 3]}},
    "mobilenet_v2": {"model": "mobilenet_v2"},
    "vgg16": {"model": "vgg"},
}


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    runs = ap.parse_args().runs
    try:
        from drill.solvers import architectures as arch
    except ImportError:  # a checkout that is not installed: solvers/ is drill.solvers once installed
        sys.exit("install drill first (pip install -e .)")

    print(f"{'graph':14s} {'params':>16s} {'nodes':>6s} {'walk':>9s} {'solver':>9s}")
    for name, p in MODELS.items():
        shape, graph, w = arch._network(p)
        walk_ms = median_ms(lambda: arch._network(p), runs)

        def solve() -> None:
            arch._WALKS.clear()
            arch.graph_params(p)

        solve_ms = median_ms(solve, runs)
        print(f"{name:14s} {w.params:16,d} {w.expanded:6d} {walk_ms:7.2f}ms {solve_ms:7.2f}ms")
    print("target: gpt3-175b well under 50 ms")
    from drill.solvers._graph import walk

    for levels in (6, 9, 12):
        body: list = [{"name": "lin", "type": "Linear", "out_features": 1}, {"name": "cat", "op": "concat", "inputs": ["input", "lin"]}]
        for level in range(1, levels + 1):
            body = [{"name": f"b{level}", "repeat": 2, "body": body}]
        w = walk(body, [4])
        print(f"nested-{levels:<7d} {w.params:16,d} {w.expanded:6d} {median_ms(lambda: walk(body, [4]), max(1, runs // 5)):7.2f}ms")


if __name__ == "__main__":
    main()
