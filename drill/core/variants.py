"""Question template + seed → a concrete, solved variant.

Seed 0 is the canonical instance (the ``params`` written in the bank, the seeds' own
numbers). Any other seed draws params from the template's ``vary`` specs with a NumPy
Generator seeded from ``(seed, crc32(question id))``, so a variant is the same on every
machine. Draw specs, applied in the order written, over a deep copy of ``params``::

    in_features: {int: [2, 64]}                 # inclusive; optional step
    x: {float: [-3, 3], decimals: 1}            # rounded *before* anything is computed
    activation: [relu, tanh]                    # a list is a choice
    logits: {vector: {len: [3, 5], float: [-2, 2], decimals: 1}}
    image: {matrix: {rows: 3, cols: [3, 4], int: [0, 9]}}
    target: {int: [0, "len(logits) - 1"]}       # bounds may be expressions over params
    layers.1.in_features: {same: layers.0.out_features}
    padding: {expr: "kernel_size // 2"}

A draw that the template's ``constraints`` reject, or whose solver raises
``InvalidParams``, is thrown away and drawn again (up to :data:`MAX_DRAWS` times). All the
expressions one variant evaluates share a budget of :data:`MAX_EXPR_NODES` parts, so a bank
cannot make a draw loop slow (90,000 aliased constraints are refused, not evaluated 200 times).
"""

from __future__ import annotations

import copy
import math
import re
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any

from drill.core.bank import MAX_COUNT, MAX_PARAM_INT, MAX_RENDERED_PROMPT, PLACEHOLDER_RE, PLURAL_RE, Question, param_limit_problem
from drill.core import answers
from drill.core.answers import AnswerType
from drill.core.grading import Grade, Tolerance, grade_value
from drill.core.safe_expr import Budget, ExprError, evaluate
from drill.solvers import (MAX_ANSWER_DIGITS, MAX_ANSWER_VALUES, MAX_SOLUTION_CHARS, MAX_STEP_CHARS, MAX_STEPS, InvalidParams, Solution,
                           get as get_solver)
from drill.solvers._fmt import fmt, plural
from drill.core.textsafe import safe_data, visible

__all__ = ["Variant", "VariantError", "make_variant", "draw_params", "render_prompt", "render_text", "variant_from_params", "MAX_DRAWS"]

MAX_DRAWS = 200
MAX_EXPR_NODES = 200_000  # expression parts (constraints, vary expressions) evaluated for one variant, all draws


class VariantError(ValueError):
    """A template that cannot produce a valid variant; the message names the question and why.

    field: the question's field at fault ("vary", "params", "solver", "prompt", …) when known.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Variant:
    """One concrete question: params drawn, prompt rendered, answer and mistakes solved.

    answer:   the key in the answer type's form (a letter for multiple choice)
    mistakes: {name: wrong answer in the same form}, only those distinguishable from the key
    choices:  option texts for multiple choice, else None
    """

    question: Question
    seed: int
    params: dict
    prompt: str
    answer: Any
    atype: AnswerType
    steps: list[str]
    mistakes: dict[str, Any]
    choices: list[str] | None = None
    answer_value: Any = None
    context: dict[str, str] = field(default_factory=dict)
    masked: list[str] = field(default_factory=list)  # mistakes inside the tolerance (a bank bug)
    hint: str = ""  # the question's hint with this variant's values filled in
    formulas: list = field(default_factory=list)  # the solver's declared formulas (solvers.Formula)
    concept: str = ""  # a concept question's hint, instead of a formula (Solution.concept)

    def __post_init__(self) -> None:
        """What a solver made from bank text is made safe here, where the variant is made: the
        prompt, the hint, the worked steps, the options, the mistake names, the solver's context
        (``{_graph}`` and the like) and a text key, shown escaped (drill.core.textsafe.visible)."""
        self.prompt, self.hint = visible(self.prompt), visible(self.hint)
        self.steps = [visible(s) for s in self.steps]
        self.choices = None if self.choices is None else [visible(c) for c in self.choices]
        self.mistakes = {visible(k): safe_data(v) for k, v in self.mistakes.items()}
        self.context = {visible(k): visible(v) for k, v in self.context.items()}
        self.masked = [visible(m) for m in self.masked]
        self.answer = safe_data(self.answer)
        self.concept = visible(self.concept)
        self.formulas = [_safe_formula(f) for f in self.formulas]

    @property
    def example(self) -> str:
        """The answer-format example for this variant: one that does not grade correct."""
        return self.atype.example_for(self.answer, self.tolerance, self.choices)

    @property
    def tolerance(self) -> Tolerance:
        return self.question.tolerance

    @property
    def expected(self) -> str:
        """The answer as text; for multiple choice, the letter and the option."""
        return visible(self.atype.shown(self.answer, self.choices))

    @property
    def solved(self) -> Any:
        """The solver's value of the answer (multiple choice: the correct option's value, not its letter)."""
        return self.atype.value_of(self.answer, self.answer_value)

    def grade(self, text: str) -> Grade:
        g = grade_value(self.atype, text, self.answer, self.tolerance, self.mistakes, self.choices)
        g.expected = self.expected
        return g

    def to_json(self) -> dict:
        out = {
            "id": self.question.id, "topic": self.question.topic, "seed": self.seed, "params": self.params,
            "prompt": self.prompt, "answer": self.atype.to_json(self.answer), "answer_type": self.question.answer_type,
        }
        out.update(self.atype.json_extras(self.answer, self.choices))
        return out


def _safe_formula(f: Any) -> Any:
    """A declared formula's texts (its name, expression, symbol names and meanings) made safe."""
    import dataclasses

    symbols = tuple(dataclasses.replace(sym, name=visible(sym.name), meaning=visible(sym.meaning), value=safe_data(sym.value))
                    for sym in f.symbols)
    return dataclasses.replace(f, expr=visible(f.expr), name=visible(f.name), symbols=symbols)


def rng_for(question_id: str, seed: int):
    """The RNG of variant ``seed``: numpy's ``default_rng`` of these words, drawn without numpy (drill/rng.py)."""
    from drill.core.rng import Generator

    return Generator([int(seed) & 0xFFFFFFFF, int(seed) >> 32, zlib.crc32(question_id.encode())])


def make_variant(q: Question, seed: int) -> Variant:
    """Build variant ``seed`` of ``q`` (seed 0: the canonical params). Raises VariantError."""
    try:
        solver = get_solver(q.solver)
    except KeyError as exc:  # UnknownSolver: a bank typo must not take a quiz down
        raise VariantError(f"question {q.id!r}: {exc}", "solver") from None
    if seed == 0:
        params = copy.deepcopy(q.params)
        _within_limits(q, params)
        solution = _solve(q, solver, params, canonical=True)
        assert solution is not None
        return _finish(q, seed, params, solution)
    rng = rng_for(q.id, seed)
    budget = Budget(MAX_EXPR_NODES)
    first: str | None = None  # why the first refused draw was refused: the real cause when every draw is
    for _ in range(MAX_DRAWS):
        try:
            params = draw_params(q, rng, budget=budget)
        except InvalidParams as exc:
            first = first or f"drawn params are invalid: {exc}"
            continue
        except VariantError:
            raise
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError) as exc:  # e.g. a bound of 1e30
            raise VariantError(f"question {q.id!r}: cannot draw params from vary ({type(exc).__name__}: {exc})", "vary") from None
        try:
            solution = _solve(q, solver, params, canonical=False, budget=budget)
        except InvalidParams as exc:
            first = first or f"the solver refuses them: {exc}"
            continue
        if solution is None:
            first = first or "they break one of the constraints"
            continue
        variant = _finish(q, seed, params, solution)
        if not variant.masked:  # a draw where a named mistake is graded correct is redrawn
            return variant
        first = first or f"a named mistake is graded correct ({', '.join(variant.masked)})"
    if not q.vary:
        raise VariantError(f"question {q.id!r}: its params (it has no vary block) make no variant: {first}", "params")
    raise VariantError(f"question {q.id!r}: vary yields no usable params in {MAX_DRAWS} draws; the first draw was refused: {first}", "vary")


def variant_from_params(q: Question, seed: int, params: dict) -> Variant | None:
    """The variant these exact params make (for ``drill check``'s perturbations), or None when
    the template's constraints or its solver reject them."""
    try:
        solution = _solve(q, get_solver(q.solver), params, canonical=False)
        return None if solution is None else _finish(q, seed, params, solution)
    except (InvalidParams, VariantError):
        return None


def _finish(q: Question, seed: int, params: dict, solution: Solution) -> Variant:
    atype = answers.get(q.answer_type, q.variables)
    prompt = render_prompt(q, params, solution.context)
    hint = render_text(q, q.hint, params, solution.context, "hint")
    try:
        keyed = atype.finish(solution.answer, solution.mistakes, q.tolerance, choices=solution.choices, n_choices=q.n_choices,
                             shuffle=f"{q.id}:{seed}")
    except (TypeError, ValueError, ArithmeticError) as exc:
        blame = _whole_number_problem(params)
        if blame:
            raise VariantError(f"question {q.id!r}: {blame}", "params") from None
        raise VariantError(f"question {q.id!r}: solver {q.solver!r} gave an answer that is not {q.answer_type}: {exc}", "answer_type") from None
    return Variant(q, seed, params, prompt, keyed.answer, atype, list(solution.steps), keyed.mistakes, keyed.choices, keyed.value,
                   context=solution.context, masked=keyed.masked, hint=hint, formulas=list(solution.formulas), concept=solution.concept)


def _solve(q: Question, solver: Any, params: dict, *, canonical: bool, budget: Budget | None = None) -> Solution | None:
    for c in q.constraints:
        try:
            ok = evaluate(c, params, allow_lists=True, allow_logic=True, budget=budget)
        except ExprError as exc:
            raise VariantError(f"question {q.id!r}: constraint {c!r}: {exc}", "constraints") from None
        if not ok:
            if canonical:
                raise VariantError(f"question {q.id!r}: canonical params break constraint {c!r}", "constraints")
            return None
    try:
        with warnings.catch_warnings(record=True) as caught:  # never on the terminal; an overflow refuses the params below
            warnings.simplefilter("always")
            solution = solver.run(params)
    except InvalidParams as exc:
        if canonical:
            raise VariantError(f"question {q.id!r}: canonical params are invalid: {exc}", "params") from None
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a solver raises on params it cannot use, a quiz goes on
        blame = _whole_number_problem(params)
        if blame:
            raise VariantError(f"question {q.id!r}: {blame}", "params") from None
        raise VariantError(f"question {q.id!r}: solver {q.solver!r} cannot use these params ({type(exc).__name__}: {exc})", "params") from None
    overflow = next((w for w in caught if issubclass(w.category, RuntimeWarning)), None)
    problem = _solution_problem(solution) or (overflow and f"the params overflow floating point ({str(overflow.message).splitlines()[0][:80]})")
    if problem is None:
        return solution
    if (overflow or problem.startswith("the answer is not a finite number")) and not canonical:
        raise InvalidParams(problem)  # this draw overflows; another may not
    blame = _whole_number_problem(params) if "digits" in problem else None
    raise VariantError(f"question {q.id!r}: {blame or problem}", "params")


def _whole_number_problem(params: Any, path: str = "") -> str | None:
    """The first param that is a float too large (or not finite) to be a count a solver can use,
    named: ``layer.padding must be a whole number (at most 10^15), got 1e+300``. Asked only after a solver failed
    or answered with an unreadable number, so a large float a solver uses as a float is never blamed
    for anything else."""
    if isinstance(params, dict):
        items = params.items()
    elif isinstance(params, list):
        items = enumerate(params)
    else:
        if isinstance(params, float) and not (math.isfinite(params) and abs(params) <= MAX_PARAM_INT):
            return f"{path or 'value'} must be a whole number (at most 10^15), got {params!r}"
        return None
    for key, value in items:
        found = _whole_number_problem(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def _solution_problem(sol: Solution) -> str | None:
    """What a person could not read in a solution: an answer of more than MAX_ANSWER_VALUES numbers
    or MAX_ANSWER_DIGITS digits, a non-finite answer, or worked steps beyond MAX_STEPS lines of
    MAX_STEP_CHARS characters (MAX_SOLUTION_CHARS with the context in all)."""
    flat: list[Any] = []
    stack = [sol.answer]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            if len(flat) + len(node) > MAX_ANSWER_VALUES:
                return f"the answer holds more than {MAX_ANSWER_VALUES:,} values; answers are worked by hand"
            stack.extend(node)
        else:
            flat.append(node)
    for v in flat:
        if isinstance(v, float) and not math.isfinite(v):
            return f"the answer is not a finite number ({v}); the params overflow"
        if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 100 and len(str(abs(v))) > MAX_ANSWER_DIGITS:
            return f"the answer has {len(str(abs(v))):,} digits; at most {MAX_ANSWER_DIGITS}"
    if len(sol.steps) > MAX_STEPS:
        return f"the worked solution has {len(sol.steps):,} lines; at most {MAX_STEPS}"
    total = 0
    for line in [*sol.steps, *sol.context.values()]:
        n = len(str(line))
        if n > MAX_STEP_CHARS:
            return f"a worked line (or a solver's text for the prompt) has {n:,} characters; at most {MAX_STEP_CHARS:,}"
        total += n
    if total > MAX_SOLUTION_CHARS:
        return f"the worked solution has {total:,} characters; at most {MAX_SOLUTION_CHARS:,}"
    return None


# --- drawing params ---------------------------------------------------------------------


def draw_params(q: Question, rng: Any, *, budget: Budget | None = None) -> dict:
    params = copy.deepcopy(q.params)
    for path, spec in q.vary.items():
        _set(params, str(path), _draw(spec, params, rng, q.id, str(path), budget))
    _within_limits(q, params)
    return params


def _within_limits(q: Question, params: dict) -> None:
    """The bank's bounds on params (drill.core.bank.param_limit_problem), applied after every draw."""
    problem = param_limit_problem(params)
    if problem:
        raise VariantError(f"question {q.id!r}: vary draws params beyond drill's limits: {problem}", "vary")


def _get(params: Any, path: str) -> Any:
    node = params
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _set(params: dict, path: str, value: Any) -> None:
    *head, last = path.split(".")
    node: Any = params
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _bound(value: Any, params: dict, qid: str, path: str, budget: Budget | None = None) -> Any:
    if isinstance(value, str):
        try:
            return evaluate(value, params, allow_lists=True, allow_logic=True, budget=budget)
        except ExprError as exc:
            raise VariantError(f"question {qid!r}: vary {path}: {value!r}: {exc}", "vary") from None
    return value


def _pick(options: list, rng: Any) -> Any:
    return copy.deepcopy(options[int(rng.integers(len(options)))])


def _draw(spec: Any, params: dict, rng: Any, qid: str, path: str, budget: Budget | None = None) -> Any:
    if isinstance(spec, list):
        return _pick(spec, rng)
    if "choice" in spec:
        return _pick(spec["choice"], rng)
    if "same" in spec:
        try:
            return copy.deepcopy(_get(params, spec["same"]))
        except (KeyError, IndexError, ValueError, TypeError):
            raise VariantError(f"question {qid!r}: vary {path}: same: {spec['same']!r} not found", "vary") from None
    if "expr" in spec:
        return _bound(spec["expr"], params, qid, path, budget)
    if "vector" in spec:
        v = spec["vector"]
        n = _count(v.get("len", 3), params, rng, qid, path, budget)
        return [_scalar(v, params, rng, qid, path, budget) for _ in range(n)]
    if "matrix" in spec:
        m = spec["matrix"]
        rows = _count(m.get("rows", 3), params, rng, qid, path, budget)
        cols = _count(m.get("cols", 3), params, rng, qid, path, budget)
        return [[_scalar(m, params, rng, qid, path, budget) for _ in range(cols)] for _ in range(rows)]
    return _scalar(spec, params, rng, qid, path, budget)


def _count(spec: Any, params: dict, rng: Any, qid: str, path: str, budget: Budget | None = None) -> int:
    if isinstance(spec, list):
        lo, hi = (_whole_count(_bound(b, params, qid, path, budget), qid, path) for b in spec)
        if hi < lo:
            raise InvalidParams(f"{path}: empty count range [{lo}, {hi}]")
        return int(rng.integers(lo, hi + 1))
    return _whole_count(_bound(spec, params, qid, path, budget), qid, path)


def _whole_count(value: Any, qid: str, path: str) -> int:
    """A len/rows/cols: a whole number from 0 to MAX_COUNT, checked before anything is built."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise VariantError(f"question {qid!r}: vary {path}: a count (len, rows, cols) must be a number, got {value!r}", "vary")
    if not 0 <= value <= MAX_COUNT:
        shown = value if isinstance(value, float) or abs(value) < 10**18 else "a huge number"
        raise VariantError(f"question {qid!r}: vary {path}: a count (len, rows, cols) of {shown} is outside 0–{MAX_COUNT}", "vary")
    return int(value)


def _scalar(spec: dict, params: dict, rng: Any, qid: str, path: str, budget: Budget | None = None) -> Any:
    exclude = spec.get("exclude", [])
    for _ in range(100):
        if "int" in spec:
            lo, hi = (int(_bound(b, params, qid, path, budget)) for b in spec["int"])
            step = int(spec.get("step", 1))
            if hi < lo:
                raise InvalidParams(f"{path}: empty range [{lo}, {hi}]")
            value: Any = lo + step * int(rng.integers((hi - lo) // step + 1))
        else:
            lo, hi = (float(_bound(b, params, qid, path, budget)) for b in spec["float"])
            value = round(float(rng.uniform(lo, hi)), int(spec.get("decimals", 2))) + 0.0
        if value not in exclude:
            return value
    raise VariantError(f"question {qid!r}: vary {path}: every draw is excluded", "vary")


def render_prompt(q: Question, params: dict, context: dict[str, str]) -> str:
    """Fill ``{path}`` placeholders from params (numbers via fmt) and ``{_name}`` from the solver."""
    return render_text(q, q.prompt, params, context, "prompt")


def render_text(q: Question, text: str, params: dict, context: dict[str, str], fld: str = "prompt") -> str:
    """A template of the question (its prompt or its hint) filled with this variant's values."""

    size = [len(text)]

    def sub(m: re.Match) -> str:
        out = _sub(m)
        size[0] += len(out)  # stop as soon as the text is too long, before building the rest
        if size[0] > MAX_RENDERED_PROMPT:
            raise VariantError(f"question {q.id!r}: the rendered {fld} is over {MAX_RENDERED_PROMPT:,} characters", fld)
        return out

    def _sub(m: re.Match) -> str:
        path = m.group(1)
        if path.startswith("_"):
            if path not in context:
                raise VariantError(f"question {q.id!r}: {fld} placeholder {{{path}}} is not provided by solver {q.solver!r}", fld)
            return str(context[path])
        try:
            return _show(_get(params, path), group=not _in_code(m.string, m.start()))
        except (KeyError, IndexError, ValueError, TypeError):
            raise VariantError(f"question {q.id!r}: {fld} placeholder {{{path}}} is not in params", fld) from None

    def noun(m: re.Match) -> str:
        path = m.group(3)
        try:
            count = context[path] if path.startswith("_") else _get(params, path)
        except (KeyError, IndexError, ValueError, TypeError):
            raise VariantError(f"question {q.id!r}: {fld} placeholder {{{m.group(0)[1:-1]}}} counts {path!r}, which is not in params", fld) from None
        return plural(count, m.group(1), m.group(2))

    text = PLURAL_RE.sub(noun, text)
    text = PLACEHOLDER_RE.sub(sub, text).replace("{{", "{").replace("}}", "}")
    if len(text) > MAX_RENDERED_PROMPT:
        raise VariantError(f"question {q.id!r}: the rendered {fld} has {len(text):,} characters; at most {MAX_RENDERED_PROMPT:,}", fld)
    return text


_CALL_OPEN = re.compile(r"[A-Za-z0-9_]\((?:[^()\n]*)$")  # "Linear(in_features=" — inside a call, on this line


def _in_code(text: str, at: int) -> bool:
    """True when the placeholder at ``at`` is an argument of a call written as code
    (``Linear({n}, 3)``, ``in_features={n}``): there a thousands separator would read as
    another argument, so the number is written plainly."""
    before = text[max(0, at - 200):at]
    return before.endswith("=") or bool(_CALL_OPEN.search(before))


def _show(value: Any, *, group: bool = True) -> str:
    if isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        return "[" + ", ".join(_show(r) for r in value) + "]"
    return fmt(value, group=group)
