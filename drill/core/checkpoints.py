"""A variant's checkpoints: the named intermediate values of its solution, which "work it through"
asks one at a time and hint 3 shows, graded with the question's own answer type."""

from __future__ import annotations

from drill.core.grading import Grade
from drill.core.variants import Variant
from drill.solvers import Checkpoint

__all__ = ["checkpoints", "work_steps", "checkpoint_tolerance", "grade_checkpoint"]


def checkpoints(v: Variant) -> list[Checkpoint]:
    """The variant's named intermediate values (from its solver, for its params); none for multiple choice."""
    cached = v.__dict__.get("_checkpoints")
    if cached is None:
        cached = []
        if v.choices is None:
            import copy

            from drill.solvers import get

            try:
                cached = list(get(v.question.solver).run(copy.deepcopy(v.params)).checkpoints)
            except Exception:  # noqa: BLE001 - a solver that made this variant makes it again; if not, no steps
                cached = []
        v.__dict__["_checkpoints"] = cached
    return cached


def work_steps(v: Variant) -> list[Checkpoint]:
    """The checkpoints to work through after a wrong answer: those that are not the answer itself
    (asking for the whole answer again is no step)."""
    from drill.core.grading import answer_type
    from drill.core.tolerance import Tolerance

    same = Tolerance(rtol=1e-9, atol=1e-12)
    out = []
    for cp in checkpoints(v):
        if cp.answer_type == v.question.answer_type:
            try:
                if v.atype.close(answer_type(cp.answer_type, v.question.variables).coerce(cp.value), v.answer, same):
                    continue
            except Exception:  # noqa: BLE001 - a value of another shape is not the answer
                pass
        out.append(cp)
    return out


def checkpoint_tolerance(v: Variant):
    """The question's tolerance, never tighter than the default policy (3 significant figures:
    steps show a few digits); its absolute part as the question sets it (tiny values stay tiny)."""
    from drill.core.tolerance import SIG_RTOL, Tolerance

    tol = v.question.tolerance
    if tol.mode == "rtol" and tol.rtol >= SIG_RTOL:
        return Tolerance(rtol=tol.rtol, atol=tol.atol)
    return Tolerance(atol=tol.atol)


def grade_checkpoint(v: Variant, cp: Checkpoint, text: str) -> Grade:
    """A sub-answer graded with the same grader as the question (its own answer type)."""
    from drill.core.grading import answer_type, grade_value

    atype = answer_type(cp.answer_type, v.question.variables)
    return grade_value(atype, text, atype.coerce(cp.value), checkpoint_tolerance(v))
