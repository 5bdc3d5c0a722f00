"""How long the symbolic engine takes to grade a typed formula (target: under 50 ms typical, never
over the budget), and how long ``prove`` takes on one variant.

    python benchmarks/symbolic.py [--runs N]

Each figure is over several typical answers (right, equivalent but rearranged, wrong with a
diagnosis, a named mistake) to the σ', tanh', transformer-block, KV-cache and 6ND keys. "cold"
clears the key's cached reading and screen first (the first answer to a variant), "warm" does
not (a second answer to the same variant). Not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from drill.core import symbolic as S

X = S.spec({"x": {"real": [-4, 4]}})
D = S.spec({"d": {"int": [64, 8192], "canonical": 768}})
KV = S.spec({"L": {"int": [1, 128]}, "h_kv": {"int": [1, 64]}, "d_head": {"int": [32, 256]},
             "s": {"int": [1, 131072]}, "b": {"int": [1, 64]}})
ND = S.spec({"N": {"positive": True}, "D": {"positive": True}})

CASES = [  # key, spec, mistakes, typed answers
    ("sigmoid(x)*(1-sigmoid(x))", X, {"σ²": "sigmoid(x)**2"},
     ["σ(x)(1-σ(x))", "exp(-x)/(1+exp(-x))^2", "sigmoid(x)^2", "sigmoid(x)*(1+sigmoid(x))"]),
    ("1-tanh(x)**2", X, {"forgot the square": "1-tanh(x)"},
     ["1 - tanh(x)^2", "4/(exp(x)+exp(-x))^2", "(1-tanh(x)**2)*1.004", "1-tanh(x)"]),
    ("12*d**2 + 13*d", D, {"no biases": "12*d**2"},
     ["12d^2+13d", "d*(12d+13)", "12*d**2 + 9*d", "12d^2"]),
    ("2*L*h_kv*d_head*s*b", KV, {"K only": "L*h_kv*d_head*s*b"},
     ["2*b*s*L*h_kv*d_head", "2*L*h_kv*d_head*s", "L*h_kv*d_head*s*b", "4*L*h_kv*d_head*s*b"]),
    ("6*N*D", ND, {"forward only": "2*N*D"}, ["6ND", "2*N*D + 4*N*D", "2ND", "6*N + D"]),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"cores {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    S.validate("x", X)
    S.value_at("x", X, {"x": 1})
    print(f"first formula read (imports sympy and mpmath): {1000 * (time.perf_counter() - start):.0f} ms (once per process)")
    for label, warm in (("cold", False), ("warm", True)):
        times, statuses = [], {}
        for seed in range(args.runs):
            for key, s, mistakes, answers in CASES:
                for text in answers:
                    if not warm:
                        S.clear_caches()
                    t0 = time.perf_counter()
                    v = S.grade(text, key, s, mistakes=mistakes, seed=seed)
                    times.append(time.perf_counter() - t0)
                    statuses[v.status] = statuses.get(v.status, 0) + 1
        times.sort()
        print(f"grade ({label}, {len(times)} gradings, {statuses}): median {1000 * statistics.median(times):.1f} ms, "
              f"90th percentile {1000 * times[int(0.9 * len(times))]:.1f} ms, max {1000 * times[-1]:.1f} ms "
              f"(target < 50 ms typical, budget {1000 * S.BUDGET:.0f} ms)")
    proofs = []
    for seed in range(args.runs):
        for key, s, mistakes, _ in CASES:
            S.clear_caches()
            t0 = time.perf_counter()
            S.prove(key, s, mistakes=mistakes, seed=seed)
            proofs.append(time.perf_counter() - t0)
    print(f"prove one variant: median {1000 * statistics.median(proofs):.0f} ms, max {1000 * max(proofs):.0f} ms")


if __name__ == "__main__":
    main()
