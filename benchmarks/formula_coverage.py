"""Which questions declare a formula, and whether each declared formula computes its target.

    python benchmarks/formula_coverage.py [-t TOPIC] [--variants N]

Prints one line per question: its id, how many formulas its variants declare, and the first
problem found over seeds 0..N-1. A development aid while formulas are being declared; the proof
itself is ``drill check``'s.
"""

from __future__ import annotations

import argparse

from drill.core import bank

from drill.core import formulas

from drill.core import variants


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", "--topic", action="append", default=[])
    ap.add_argument("--variants", type=int, default=20)
    args = ap.parse_args()
    qs = list(bank.load_bank().questions.values())
    declared = missing = bad = 0
    for q in qs:
        if args.topic and q.topic not in args.topic:
            continue
        counts, problem = set(), ""
        for seed in range(args.variants):
            try:
                v = variants.make_variant(q, seed)
            except variants.VariantError as exc:
                problem = problem or f"seed {seed}: {exc}"
                continue
            counts.add(len(v.formulas))
            if not problem:
                ps = formulas.problems(v)
                if ps:
                    problem = f"seed {seed}: {ps[0]}"
        n = max(counts) if counts else 0
        declared += n > 0
        missing += n == 0
        bad += bool(problem)
        print(f"{q.id:40s} {q.topic:22s} formulas={n} {'OK' if not problem else problem}")
    print(f"declared: {declared}, none: {missing}, with a problem: {bad}")


if __name__ == "__main__":
    main()
