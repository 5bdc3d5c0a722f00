"""What a careful reviewer checks by reading a variant, proved by ``drill check`` for each one.

Each property is one function over a solved :class:`~drill.core.variants.Variant` that returns
:class:`Issue` objects (empty when the variant is fine):

* :func:`perturbation_issues` — the prompt determines the answer: change each param in turn
  (another value its ``vary`` spec could draw, or a nudge of a number that is not varied);
  when the answer changes but the rendered prompt and choices do not, the learner cannot know
  which question is being asked.
* :func:`hint_issues` — a hint belongs to the variant: every number in the rendered hint
  occurs in this variant's prompt or worked solution.
* :func:`example_issues` — no format example on the answer-format line grades correct.
* :func:`precision_issues` — the precision policy (:mod:`drill.core.tolerance`): the key rounded
  as the stated precision says is accepted, an answer off in the 2nd significant figure (or
  the last stated decimal) is not, and "0" is accepted only for a key that is 0 at that
  precision.
* :func:`formula_issues` — the declared formulas (:mod:`drill.core.formulas`): each computes its
  target at this variant's values, every symbol is declared, used and named, and a question with
  a computed answer declares one (a concept question its concept hint instead).
* :func:`lint_issues` — wording smells: a source citation in a prompt or hint ("slides",
  "notes", "00N"), "RGB" for a channel count other than 3, a precision phrase the tolerance
  contradicts, or a stated tolerance the prompt never states.

:func:`variant_issues` runs them all; ``drill check`` (:mod:`drill.authoring.check`) reports the
first variant of each distinct issue with the number of variants that share it.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any, Iterator

from drill.solvers._fmt import fmt
from drill.solvers._graph import NODE_KEYS
from drill.solvers.layer_types import LAYERS, layer_type
from drill.core.tolerance import NOISE, SIG_FIGS, Tolerance, precision_text
from drill.core.variants import Variant, _draw, _get, _set, rng_for, variant_from_params

__all__ = ["Issue", "variant_issues", "layer_issues", "printed_layers", "PrintedLayer", "perturbation_issues", "hint_issues", "example_issues", "precision_issues", "lint_issues", "formula_issues", "PERTURB_EVERY"]

PERTURB_EVERY = 10  # perturb seed 0 and every 10th seed: ~11 of 101 variants, every question
MAX_LEAVES = 24  # params not in vary nudged per variant
MAX_ENTRIES = 6  # entries of a vector or matrix key whose precision is probed
GENERIC_NUMBERS = frozenset({0.0, 1.0, 2.0})  # "1 − σ", "x²", "2 FLOPs": a method's own constants


@dataclass(frozen=True)
class Issue:
    """One property a variant breaks. kind + key group the same issue over many seeds."""

    kind: str  # "prompt", "hint", "example", "precision", "lint", "formula"
    key: str
    field: str
    what: str


def variant_issues(v: Variant, *, perturb: bool = True) -> list[Issue]:
    out = layer_issues(v) + lint_issues(v) + hint_issues(v) + example_issues(v) + precision_issues(v) + formula_issues(v)
    if perturb:
        out += perturbation_issues(v)
    return out


def formula_issues(v: Variant) -> list[Issue]:
    """The declared formulas compute their targets, their symbols are declared, used and named,
    and a computed question declares one (drill.core.formulas.issues)."""
    from drill.core import formulas

    return [Issue("formula", key, "formula", what) for key, what in formulas.issues(v)]


# --- the prompt determines the answer ---------------------------------------------------


def _same_answer(a: Variant, b: Variant) -> bool:
    return a.atype.same_answer(a, b)


def _derived(q) -> list[tuple[str, Any]]:
    return [(str(p), s) for p, s in q.vary.items() if isinstance(s, dict) and ("same" in s or "expr" in s)]


def _redraws(q, params: dict, path: str, spec: Any, rng: Any) -> Iterator[Any]:
    """Other values ``spec`` could give ``path``: the other options of a choice, the neighbours
    of a number in steps of its spec, then fresh draws."""
    current = _get(params, path)
    if isinstance(spec, list) or (isinstance(spec, dict) and "choice" in spec):
        options = spec if isinstance(spec, list) else spec["choice"]
        yield from (copy.deepcopy(o) for o in options if o != current)
        return
    if isinstance(spec, dict) and isinstance(current, (int, float)) and not isinstance(current, bool):
        step = spec.get("step", 1) if "int" in spec else 10.0 ** -int(spec.get("decimals", 2))
        for d in (step, -step):
            yield round(current + d, 12) if isinstance(current, float) else current + d
    for _ in range(3):
        try:
            value = _draw(spec, params, rng, q.id, path)
        except Exception:  # noqa: BLE001 - a bound that needs other params: no candidate
            return
        if value != current:
            yield value


def _leaves(node: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{prefix}{k}.")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, f"{prefix}{i}.")
    else:
        yield prefix[:-1], node


def _nudges(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        d = max(0.1, abs(value) * 0.25)
        return [round(value + d, 6), round(value - d, 6)]
    return []


def _covered(path: str, vary_paths: list[str]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in vary_paths)


def _candidates(v: Variant) -> Iterator[tuple[str, Any, bool]]:
    """(param path, new value, whether the path is varied) for each perturbation tried."""
    q = v.question
    rng = rng_for(q.id + ":perturb", v.seed)
    derived = {p for p, _ in _derived(q)}
    for path, spec in q.vary.items():
        path = str(path)
        if path in derived:
            continue
        for i, value in enumerate(_redraws(q, v.params, path, spec, rng)):
            if i >= 4:
                break
            yield path, value, True
    vary_paths = [str(p) for p in q.vary]
    # A param no variant varies is checked only when its value is nowhere in the prompt (a value
    # the prompt states in words, such as "every layer has a bias", cannot be nudged in the text).
    shown = numbers_in(v.prompt)
    leaves = [(p, x) for p, x in _leaves(v.params) if p and not _covered(p, vary_paths) and _nudges(x)
              and not isinstance(x, bool) and abs(float(x)) not in shown | GENERIC_NUMBERS]
    if len(leaves) > MAX_LEAVES:  # spread over the params rather than the first ones
        leaves = [leaves[i * len(leaves) // MAX_LEAVES] for i in range(MAX_LEAVES)]
    for path, value in leaves:
        for new in _nudges(value):
            yield path, new, False


def perturbation_issues(v: Variant) -> list[Issue]:
    q = v.question
    out: list[Issue] = []
    done: set[str] = set()
    for path, value, varied in _candidates(v):
        if path in done:
            continue
        params = copy.deepcopy(v.params)
        try:
            _set(params, path, value)
            for dpath, spec in _derived(q):  # keep derived params (same:, expr:) consistent
                _set(params, dpath, _draw(spec, params, None, q.id, dpath))
        except Exception:  # noqa: BLE001 - this perturbation makes no valid params
            continue
        w = variant_from_params(q, v.seed, params)
        if w is None or _same_answer(v, w):
            continue
        done.add(path)
        if w.prompt == v.prompt and w.choices == v.choices:
            old, new = _short(_get(v.params, path)), _short(value)
            a, b = _answer_text(v), _answer_text(w)
            fix = "show it in the prompt with a {placeholder}" if varied else (
                "it is not varied, but its value is not in the prompt either: write {" + path + "} where the prompt states it")
            out.append(Issue("prompt", f"perturb:{path}", "prompt",
                             f"the prompt does not determine the answer: changing param {path} from {old} to {new} "
                             f"changes the answer from {a} to {b} but not the prompt; {fix}"))
    return out


def _short(value: Any, n: int = 40) -> str:
    text = fmt(value) if not isinstance(value, (dict, str)) else str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _answer_text(v: Variant) -> str:
    return v.atype.value_text(v)


# --- printed layers build the solved layer -----------------------------------------------

_CALL = re.compile(r"\b(Lazy)?(" + "|".join(sorted(LAYERS, key=len, reverse=True)) + r")\(")
_NAME = re.compile(r"(\w+):[ \t]*$")  # a graph prompt's "name: Layer(...)" (solvers._graph.graph_text)


@dataclass(frozen=True)
class PrintedLayer:
    """One ``Conv2d(16, 32, kernel_size=1)`` (or ``LazyConv2d(32, …)``) in a prompt: its type, whether
    it is the Lazy class, the node name printed before it, its positional and keyword arguments."""

    kind: str
    lazy: bool
    name: str | None
    pos: list[str]
    kw: dict[str, str]

    def args(self) -> dict[str, str]:
        """Every argument it states, by name (positional ones in the order of PyTorch's signature)."""
        return dict(zip(layer_type(self.kind).signature(lazy=self.lazy), self.pos)) | self.kw


def printed_layers(text: str) -> list[PrintedLayer]:
    """Each layer constructor of any type in :data:`~solvers.layer_types.LAYERS` in ``text``, in order."""
    out = []
    for m in _CALL.finditer(text):
        if m.group(1) and not LAYERS[m.group(2)].lazy:
            continue  # PyTorch has no such Lazy class
        depth, i, start, args = 1, m.end(), m.end(), []
        while i < len(text) and depth:
            c = text[i]
            depth += (c in "([") - (c in ")]")
            if (c == "," and depth == 1) or depth == 0:
                args.append(text[start:i].strip())
                start = i + 1
            i += 1
        pos = [a for a in args if a and "=" not in a]
        kw = dict(a.split("=", 1) for a in args if "=" in a)
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        name = _NAME.search(line)
        out.append(PrintedLayer(m.group(2), bool(m.group(1)), name.group(1) if name else None, pos,
                                {k.strip(): x.strip() for k, x in kw.items()}))
    return out


GRAPH_KEYS = frozenset({"type", "repeat", "body", "op", *NODE_KEYS})  # a node's place in a graph (solvers/_graph.py)


def _solved_layers(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and node["type"] in LAYERS:
            yield node
        for x in node.values():
            yield from _solved_layers(x)
    elif isinstance(node, list):
        for x in node:
            yield from _solved_layers(x)


def _arg_text(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else fmt(value, group=False)  # code: Linear(1024, …), never 1,024
    return re.sub(r"[\s()\[\]'\"]", "", text)


def _pairs(printed: list[PrintedLayer], solved: list[dict]) -> Iterator[tuple[PrintedLayer, dict]]:
    """Each printed layer with the solved layer it prints: the next solved layer, in order, of its
    type (a Lazy class prints its base type) and, when both are named, of its name. A solved layer
    the prompt does not print (described in words, or inside a block an outline summarizes) is
    passed over; the perturbation check covers it."""
    j = 0
    for p in printed:
        for k in range(j, len(solved)):
            layer = solved[k]
            named = p.name is None or "name" not in layer or str(layer["name"]) == p.name
            if layer["type"] == p.kind and named:
                yield p, layer
                j = k + 1
                break


def layer_issues(v: Variant) -> list[Issue]:
    """Every layer the prompt prints as a constructor states every non-default argument of the
    layer the solver solves, with its value."""
    for p, layer in _pairs(printed_layers(v.prompt), list(_solved_layers(v.params))):
        kind, args = p.kind, p.args()
        defaults = dict(layer_type(kind).defaults)
        if kind.endswith("Pool2d"):
            defaults["stride"] = layer.get("kernel_size")
        for name, value in layer.items():
            if name in GRAPH_KEYS:  # the node's place in a graph, not a constructor argument
                continue
            shown = args.get(name)
            if shown in ("?", "…", "..."):
                continue  # the question asks for it
            if shown is None and name in defaults and _arg_text(value) == _arg_text(defaults[name]):
                continue
            if shown is None or re.sub(r"[\s()\[\]'\"]", "", shown) != _arg_text(value):
                said = f"prints {name}={shown}" if shown is not None else f"does not print {name}"
                printed = ("Lazy" if p.lazy else "") + kind
                return [Issue("prompt", f"layer:{kind}.{name}", "prompt",
                              f"the prompt's {printed}(…) {said} but the layer solved has {name}={_short(value)}; "
                              f"print the layer the solver solves (every non-default argument)")]
    return []


# --- hints belong to the variant --------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")


def numbers_in(text: str) -> set[float]:
    """The numbers written in ``text`` (unsigned), not those inside names such as W1 or Conv2d."""
    out = set()
    for m in _NUMBER.finditer(text):
        try:
            out.add(float(m.group(0)))
        except ValueError:
            pass
    return out


# a shape (2×2), an index (X[1,1]) or a list of numbers (1, 2, 1): specific to one instance
_LITERAL = re.compile(r"\d+\s*[×x]\s*\d+(?:\s*[×x]\s*\d+)*|\w\[\d+(?:,\s*\d+)*\]|(?<![\w.])-?\d+(?:\.\d+)?(?:,\s*-?\d+(?:\.\d+)?){2,}")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("x", "×")


def hint_issues(v: Variant) -> list[Issue]:
    q = v.question
    if not v.hint or not q.vary:  # a question asked with its canonical numbers only
        return []
    known = numbers_in(" ".join([v.prompt, *v.steps, _answer_text(v), *(v.choices or []), *v.context.values()]))
    stray = sorted(x for x in numbers_in(v.hint) - known if x not in GENERIC_NUMBERS)
    text = _squash(" ".join([v.prompt, *v.steps, *v.context.values()]))
    literal = next((m.group(0) for m in _LITERAL.finditer(v.hint) if _squash(m.group(0)) not in text), None)
    if literal is not None:
        return [Issue("hint", "hint-literal", "hint",
                      f"the hint names {literal!r}, which is in neither this variant's prompt nor its solution "
                      f"(hint: {v.hint!r}); describe the method or use {{param}} placeholders")]
    if not stray:
        return []
    shown = ", ".join(fmt(x) for x in stray)
    return [Issue("hint", "hint-numbers", "hint",
                  f"the hint's numbers {shown} are in neither this variant's prompt nor its solution "
                  f"(hint: {v.hint!r}); describe the method or use {{param}} placeholders")]


# --- no example gives the answer away ---------------------------------------------------


def _prompt_examples(prompt: str) -> list[str]:
    """Each answer a prompt shows as an example ("(e.g. …)", "such as …", "or … "), up to the
    closing parenthesis or the end of the sentence; text that is not an answer is harmless."""
    out = []
    for m in re.finditer(r"\b(?:e\.g\.|such as)\s*", prompt):
        depth, i = 0, m.end()
        while i < len(prompt):
            c = prompt[i]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (prompt.startswith(". ", i) or c in ";:"):
                break
            i += 1
        for part in re.split(r"\s+or\s+|,\s+", prompt[m.end() : i]):
            part = part.strip().rstrip(".")
            if part:
                out.append(part)
    return out


def _grades_correct(v: Variant, text: str) -> bool:
    try:
        return bool(v.atype.close(v.atype.parse(text), v.answer, v.tolerance))
    except Exception:  # noqa: BLE001 - words, not an answer
        return False


def example_issues(v: Variant) -> list[Issue]:
    example = v.example
    answers = next((a for text, a in v.atype.example_sets if text == example), ())
    given = [a for a in answers if v.atype._accepts_text(a, v.answer, v.tolerance, v.choices)]
    if v.choices is None:  # a prompt's own examples ("a number such as -0.119") must not be the answer either
        given += [a for a in _prompt_examples(v.prompt) if _grades_correct(v, a)]
    if not given:
        return []
    return [Issue("example", "example", "answer_type",
                  f"the example {given[0]!r} (on the answer-format line or in the prompt) is graded correct: it gives the answer away")]


# --- one precision policy ---------------------------------------------------------------


def _entries(value: Any) -> list[tuple[tuple[int, ...], float]]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [((), float(value))]
    if isinstance(value, list) and value and isinstance(value[0], list):
        return [((i, j), float(x)) for i, row in enumerate(value) for j, x in enumerate(row)]
    if isinstance(value, list):
        return [((i,), float(x)) for i, x in enumerate(value)]
    return []


def _map(value: Any, f: Any) -> Any:
    if isinstance(value, list):
        return [_map(x, f) for x in value]
    return f(float(value))


def _text(v: Variant, value: Any) -> str:
    def plain(x: Any) -> str:
        if isinstance(x, list):
            return "[" + ", ".join(plain(y) for y in x) + "]"
        return repr(float(x))

    return plain(value)


def stated_precision(prompt: str) -> Tolerance:
    """The precision a prompt states ("3 decimals", "to within ±5 %", "3 significant figures"),
    as the Tolerance that grades exactly it; the default policy when it states none."""
    m = _DECIMALS.search(prompt)
    if m:
        return Tolerance(decimals=_count(m.group(1)))
    m = _PERCENT.search(prompt)
    if m:
        return Tolerance(rtol=float(m.group(1)) / 100)
    return Tolerance()


def precision_issues(v: Variant) -> list[Issue]:
    """The policy the prompt implies, proved through the question's own grader: the key written
    at that precision is accepted, one off in the 2nd significant figure is not, and 0 is not
    accepted for a key that is not 0 at that precision."""
    if not v.atype.stated_precision:
        return []
    policy, key, out = stated_precision(v.prompt), v.answer, []
    stated = precision_text(dataclasses.replace(v.question, tolerance=policy), key)
    accepts = lambda value: v.atype.close(v.atype.coerce(value), key, v.tolerance)  # noqa: E731 - the grader's own comparison
    rounded = _map(key, policy.rounded)
    if not accepts(rounded):
        out.append(Issue("precision", "rounded", "tolerance",
                         f"the key {v.atype.format(key)} written as the prompt's precision says ({stated}: {_text(v, rounded)}) "
                         f"is graded wrong (the tolerance grades {precision_text(v.question, key)!r})"))
    entries = _entries(key)
    if len(entries) > MAX_ENTRIES:  # spread over the answer: first, last and between
        entries = [entries[i * (len(entries) - 1) // (MAX_ENTRIES - 1)] for i in range(MAX_ENTRIES)]
    for at, k in entries:
        if policy.mode == "sig" and abs(k) > NOISE:
            unit = 10.0 ** (math.floor(math.log10(abs(k))) - 1)  # one unit of the 2nd significant figure
            for off in (round_sig2(k) + unit, round_sig2(k) - unit):
                if v.tolerance.accepts(off, k):  # the grader compares entry by entry
                    out.append(Issue("precision", "second-figure", "tolerance",
                                     f"{fmt(off)} for the key {fmt(k)}, off in the 2nd significant figure, is graded correct "
                                     f"although the prompt states no precision ({SIG_FIGS} significant figures)"))
                    break
        if not dataclasses.replace(policy, atol=0.0).is_zero(k) and v.tolerance.accepts(0.0, k):
            out.append(Issue("precision", "zero", "tolerance",
                             f"0 is accepted for {fmt(k)}, which is not 0 at the prompt's precision ({stated})"))
        if out:
            break
    return out


def round_sig2(x: float) -> float:
    return round(x, 1 - math.floor(math.log10(abs(x))))


# --- wording ----------------------------------------------------------------------------

_CITATION = re.compile(
    r"\bslides\b|\b(?:the|lecture|course) slide\b|\blecture\b|\b(?:seed|session|course|interview) notes\b"
    r"|\bthe notes\b|(?<![\d.,])00\d\b", re.I)
_RGB = re.compile(r"\bRGB\b")
_CHANNELS = (
    re.compile(r"(\d+)\s*[×x]\s*\d+\s*[×x]\s*\d+"),  # C×H×W = 3×224×224
    re.compile(r"\b(\d+) (?:input )?channels?\b"),
    re.compile(r"\bC(?:_in)? = (\d+)\b"),
)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_N = r"(\d+|one|two|three|four|five|six)"
_DECIMALS = re.compile(_N + r"[ -]decimal", re.I)
_SIGFIGS = re.compile(_N + r" significant (?:figure|digit)", re.I)
_PERCENT = re.compile(r"(?:±|within\s+)\s*(\d+(?:\.\d+)?)\s*%")


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word.lower()]


def lint_issues(v: Variant) -> list[Issue]:
    out: list[Issue] = []
    for fld, text in (("prompt", v.prompt), ("hint", v.hint)):
        m = _CITATION.search(text)
        if m:
            out.append(Issue("lint", f"citation:{fld}", fld,
                             f"the {fld} cites a source ({m.group(0)!r}) a learner cannot look up; sources go in 'source'"))
    if _RGB.search(v.prompt):
        counts = {int(m.group(1)) for rx in _CHANNELS for m in rx.finditer(v.prompt)}
        if counts and 3 not in counts:
            out.append(Issue("lint", "rgb", "prompt", f"the prompt says RGB for an input with {min(counts)} channels"))
    if v.atype.stated_precision:
        out += _precision_lint(v)
    return out


def _precision_lint(v: Variant) -> list[Issue]:
    tol, prompt = v.tolerance, v.prompt
    said = []
    for m in _DECIMALS.finditer(prompt):
        said.append(f"{m.group(0)!r}")
        if tol.mode != "decimals" or tol.decimals != _count(m.group(1)):
            return [_precision_issue(v, f"the prompt says {m.group(0)!r}")]
    for m in _SIGFIGS.finditer(prompt):
        said.append(m.group(0))
        if tol.mode != "sig" or _count(m.group(1)) != SIG_FIGS:
            return [_precision_issue(v, f"the prompt says {m.group(0)!r}")]
    for m in _PERCENT.finditer(prompt):
        said.append(m.group(0))
        if tol.mode != "rtol" or not math.isclose(tol.rtol, float(m.group(1)) / 100):
            return [_precision_issue(v, f"the prompt says {m.group(0)!r}")]
    if tol.stated and not said:
        return [_precision_issue(v, "the prompt states no precision")]
    return []


def _precision_issue(v: Variant, said: str) -> Issue:
    return Issue("lint", "precision-phrase", "tolerance",
                 f"{said} but the tolerance grades {precision_text(v.question, v.answer)!r}; "
                 f"state the precision the tolerance grades (or drop the tolerance: {SIG_FIGS} significant figures)")
