"""drill.core: a question and its grading — the bank (reading, validating, caching templates),
variants, answer types and tolerances, the safe expression evaluator, declared formulas, the
variant RNG and the one text sanitizer. No rich, no progress database; imports only drill.solvers."""
