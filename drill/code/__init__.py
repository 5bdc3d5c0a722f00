"""NumPy coding exercises (drill code), at the practice/authoring level: the exercises as data
(exercises.py), the learner's stub (workspace.py), the subprocess that runs their code (runner.py,
child.py) and the grading against the solvers (grading.py). No rich here."""
