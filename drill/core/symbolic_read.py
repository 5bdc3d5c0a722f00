"""Reading a typed formula for the symbolic engine (:mod:`drill.core.symbolic`): the declared
variables with their domains (:func:`spec`), and :func:`validate`, which turns text into a
:class:`Reading` — the echo in the user's own order, the flags the UI confirms (a ``*`` inserted,
a name guessed) and the sympy expression built node by node from safe_expr's whitelisted tree.
Text never reaches eval or sympy's string parsers; sympy is imported on the first read.
"""

from __future__ import annotations

import ast
import difflib
import functools
import keyword
import math
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from drill.core.safe_expr import MAX_CHARS, MAX_INT_BITS, ExprError, normalize, parse

__all__ = ["DEFAULT_FUNCTIONS", "Reading", "Spec", "SymbolicError", "Var", "canonical_values", "read_key", "spec", "validate"]

MAX_POWER = 64  # |numeric exponent| of a symbolic base
ENUM_INT_RANGE = 16  # an int range this small is enumerated like a set
DEFAULT_FUNCTIONS = ("exp", "log", "ln", "sqrt", "tanh", "sigmoid", "erf", "abs", "max", "min")
# name -> (least, most) arguments; the functions a question may declare
ARITY = {
    "exp": (1, 1), "log": (1, 2), "ln": (1, 1), "log2": (1, 1), "log10": (1, 1), "sqrt": (1, 1),
    "tanh": (1, 1), "sinh": (1, 1), "cosh": (1, 1), "sigmoid": (1, 1), "erf": (1, 1), "abs": (1, 1),
    "max": (2, 8), "min": (2, 8), "relu": (1, 1), "sin": (1, 1), "cos": (1, 1), "atan": (1, 1),
}
CONSTANTS = ("pi", "e")
_KINDS = ("real", "int", "positive", "set")


class SymbolicError(ValueError):
    """A formula, a declaration or a grading drill will not accept; the message is one line.
    Raised for a typed answer it means unreadable: it costs the learner nothing."""


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Var:
    """One declared variable: ``kind`` is real (in [lo, hi]), int (in [lo, hi]), positive, or set
    (one of ``values``); ``canonical`` is the value feedback shows it at."""

    name: str
    kind: str
    lo: float | None = None
    hi: float | None = None
    values: tuple = ()
    canonical: float | int | None = None

    @property
    def enumerated(self) -> tuple:
        """The values the screen takes in full: a set, or an int range of at most ENUM_INT_RANGE."""
        if self.kind == "set":
            return self.values
        if self.kind == "int" and self.hi - self.lo + 1 <= ENUM_INT_RANGE:
            return tuple(range(int(self.lo), int(self.hi) + 1))
        return ()

    def draw(self, rng: random.Random) -> float | int:
        if self.kind == "int":
            return rng.randint(int(self.lo), int(self.hi))
        if self.kind == "positive":
            return 10 ** rng.uniform(-1.0, 1.3)
        return rng.uniform(self.lo, self.hi)

    def assumptions(self) -> dict[str, bool]:
        vals = self.values if self.kind == "set" else (self.lo, self.hi)
        out: dict[str, bool] = {"real": True}
        if self.kind == "positive" or min(vals) > 0:
            out["positive"] = True
        elif min(vals) >= 0:
            out["nonnegative"] = True
        if self.kind == "int" or (self.kind == "set" and all(float(v).is_integer() for v in vals)):
            out["integer"] = True
        return out


@dataclass(frozen=True)
class Spec:
    """The variables a formula may use, with their domains, and the functions it may call."""

    variables: tuple[Var, ...]
    functions: tuple[str, ...] = DEFAULT_FUNCTIONS

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    def var(self, name: str) -> Var:
        return next(v for v in self.variables if v.name == name)


def spec(variables: Mapping[str, Any] | Sequence[str], *, functions: Iterable[str] | None = None) -> Spec:
    """A :class:`Spec` from a bank-style declaration, e.g. ``{"d": {"int": [1, 4096]},
    "x": {"real": [-4, 4]}, "fan_in": {"positive": True}, "y": {"set": [0, 1]}}``; a bare name or
    ``None`` means real in [-3, 3]. A domain may carry ``canonical: value``. Raises
    :class:`SymbolicError` naming the bad entry."""
    if not isinstance(variables, Mapping):
        variables = {name: None for name in variables}
    if not variables:
        raise SymbolicError("a formula needs at least one variable")
    out = []
    for name, dom in variables.items():
        where = f"variable {name!r}"
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_") or "__" in name or keyword.iskeyword(name):
            raise SymbolicError(f"{where}: not a plain name")
        if name in ARITY or name in CONSTANTS:
            raise SymbolicError(f"{where}: the name of a function or constant")
        if dom is not None and not isinstance(dom, Mapping):
            raise SymbolicError(f"{where}: a domain is one of {', '.join(_KINDS)}, e.g. {{real: [-3, 3]}} (got {dom!r:.40})")
        dom = dict(dom or {"real": [-3, 3]})
        canonical = dom.pop("canonical", None)
        kinds = [k for k in dom if k in _KINDS]
        if len(kinds) != 1 or len(dom) != 1:
            raise SymbolicError(f"{where}: give exactly one of {', '.join(_KINDS)} (got {', '.join(map(str, dom)) or 'none'})")
        kind, arg = kinds[0], dom[kinds[0]]
        if kind == "positive":
            if arg is not True:
                raise SymbolicError(f"{where}: write positive: true")
            var = Var(name, kind)
        elif kind == "set":
            if not isinstance(arg, (list, tuple)) or not 0 < len(arg) <= ENUM_INT_RANGE or not all(_is_num(a) for a in arg):
                raise SymbolicError(f"{where}: set needs 1 to {ENUM_INT_RANGE} numbers")
            var = Var(name, kind, values=tuple(dict.fromkeys(arg)))
        else:
            if not isinstance(arg, (list, tuple)) or len(arg) != 2 or not all(_is_num(a) for a in arg) or not arg[0] < arg[1]:
                raise SymbolicError(f"{where}: {kind} needs [lo, hi] with lo < hi")
            if kind == "int" and not all(float(a).is_integer() for a in arg):
                raise SymbolicError(f"{where}: int bounds must be whole numbers")
            var = Var(name, kind, lo=arg[0], hi=arg[1])
        if canonical is not None and not (_is_num(canonical) and _inside(var, canonical)):
            raise SymbolicError(f"{where}: canonical {canonical!r} is outside its domain")
        out.append(Var(var.name, var.kind, var.lo, var.hi, var.values, canonical))
    fns = tuple(functions) if functions is not None else DEFAULT_FUNCTIONS
    unknown = [f for f in fns if f not in ARITY]
    if unknown:
        raise SymbolicError(f"unknown function {unknown[0]!r}; known: {', '.join(ARITY)}")
    return Spec(tuple(out), fns)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _inside(var: Var, x: float) -> bool:
    if var.kind == "positive":
        return x > 0
    if var.kind == "set":
        return x in var.values
    if var.kind == "int" and not float(x).is_integer():
        return False
    return var.lo <= x <= var.hi


def canonical_values(s: Spec) -> dict[str, float | int]:
    """Each variable's canonical value: the declared one, else a small distinct number inside its
    domain (2, 3, 5, … for counts; 0.5, 1.5, … for reals)."""
    out: dict[str, float | int] = {}
    used: set = set()
    for v in s.variables:
        if v.canonical is not None:
            out[v.name] = v.canonical
        elif v.kind == "set":
            out[v.name] = next((x for x in v.values if x not in (0, 1) and x not in used), v.values[-1])
        else:
            pool = (2, 3, 5, 7, 11, 13, 17, 19, 23) if v.kind in ("int", "positive") else (0.5, 1.5, 2, -1, 0.25, 2.5, -0.5)
            pick = next((x for x in pool if _inside(v, x) and x not in used), None)
            if pick is None:
                mid = (v.lo + v.hi) / 2
                pick = round(mid) if v.kind == "int" else mid
            out[v.name] = pick
        used.add(out[v.name])
    return out


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Reading:
    """A formula as drill read it.

    text:    as typed
    read:    the ASCII text drill parsed (stars inserted, guessed names replaced)
    echo:    ``read`` pretty-printed in the user's own order (``12·d² + 13·d``)
    stars:   a ``*`` was inserted (``12d`` → ``12*d``)
    guessed: (typed, read as) for each unknown name taken for a declared one
    """

    text: str
    read: str
    echo: str
    stars: bool
    guessed: tuple[tuple[str, str], ...]
    tree: ast.Expression = field(repr=False, compare=False)
    expr: Any = field(repr=False, compare=False)

    @property
    def confirm(self) -> bool:
        """The UI should ask before grading: drill inserted a star or guessed a name."""
        return self.stars or bool(self.guessed)

    @property
    def note(self) -> str:
        """One line for the UI, e.g. ``read as 12·d² + 13·d (* inserted; D read as d)``."""
        flags = (["* inserted"] if self.stars else []) + [f"{a} read as {b}" for a, b in self.guessed]
        return f"read as {self.echo}" + (f" ({'; '.join(flags)})" if flags else "")


_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPER_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<num>(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)|(?P<name>[^\W\d]\w*)|(?P<other>.)"
)


def _stars(text: str, names: Sequence[str] = ()) -> tuple[str, bool]:
    """``text`` with ``*`` inserted where a number or ``)`` is followed by a name or ``(``, and
    inside an unknown name that is declared ``names`` run together in exactly one way (``ND``)."""
    out: list[str] = []
    prev = None  # kind of the last non-space token
    inserted = False
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "space":
            out.append(tok)
            continue
        if kind == "name" and tok not in names and not text[m.end():].lstrip().startswith("("):
            parts = _split(tok, names)
            if parts:
                tok, inserted = "*".join(parts), True
        starts = kind == "name" or tok == "(" or (kind == "num" and prev == ")")
        if starts and prev in ("num", ")"):
            while out and out[-1].isspace():
                out.pop()
            out.append("*")
            inserted = True
        out.append(tok)
        prev = ")" if tok == ")" else kind if kind in ("num", "name") else tok
    return "".join(out), inserted


def _split(name: str, names: Sequence[str]) -> list[str] | None:
    """``name`` as two or more of ``names`` run together, when there is exactly one such reading."""
    ways: list[list[list[str]]] = [[[]]] + [[] for _ in name]  # ways[i]: readings of name[:i]
    for i in range(1, len(name) + 1):
        for n in names:
            if name[:i].endswith(n):
                ways[i] += [w + [n] for w in ways[i - len(n)]][:2]
        ways[i] = ways[i][:2]
    found = [w for w in ways[-1] if len(w) >= 2]
    return found[0] if len(found) == 1 and len(ways[-1]) == 1 else None


def _guess(name: str, options: Sequence[str]) -> tuple[str | None, bool]:
    """(the option ``name`` resembles, whether it is close enough to read it so): a different
    case (D for d) or a typo in a longer name (sigmod, dhead) is; ``dd`` or ``x2`` is only a hint."""
    lower = [o for o in options if o.lower() == name.lower()]
    if lower:
        return lower[0], True
    strong = difflib.get_close_matches(name, options, n=1, cutoff=0.75) if len(name) >= 3 else []
    if strong:
        return strong[0], True
    weak = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return (weak[0] if weak else None), False


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"


def validate(text: str, s: Spec, *, guess: bool = True) -> Reading:
    """Read a typed formula without grading it: the :class:`Reading` holds the echo and the flags
    the UI confirms. Raises :class:`SymbolicError` (one line, costs nothing) for anything drill
    cannot read; with ``guess=False`` an unknown name is an error saying what it resembles."""
    return _read(_checked(text), s, guess=guess, strict=False)


def read_key(text: str, s: Spec) -> Reading:
    """A bank key or mistake: read strictly (no inserted stars, no guessed names)."""
    return _read(_checked(text), s, guess=False, strict=True)


def _checked(text: Any) -> str:
    if not isinstance(text, str):
        raise SymbolicError(f"expected a formula as text, got {type(text).__name__}")
    if len(text) > MAX_CHARS:  # before any work on it
        raise SymbolicError(f"could not read {_one_line(text)!r}: too long ({len(text)} characters; at most {MAX_CHARS})")
    return text


@functools.lru_cache(maxsize=512)
def _read(text: str, s: Spec, *, guess: bool, strict: bool) -> Reading:
    shown = _one_line(text)
    try:
        norm = _SUPER_RUN.sub(lambda m: f"**({m.group().translate(_SUPER)})", normalize(text))
        starred, inserted = _stars(norm, s.names)
        if inserted and strict:
            raise SymbolicError(f"write the multiplication out: {starred.strip()!r}")
        tree = parse(starred)
    except ExprError as exc:
        raise SymbolicError(f"could not read {shown!r}: {exc}") from None
    guessed = _resolve(tree, s, guess=guess, shown=shown)
    read = ast.unparse(tree)
    from drill.core.formulas import pretty

    try:
        echo = pretty(read)
    except ExprError:
        echo = read
    expr = _Builder(s, shown, starred).build(tree.body)
    return Reading(text, read, echo, inserted, tuple(guessed), tree, expr)


def _resolve(tree: ast.Expression, s: Spec, *, guess: bool, shown: str) -> list[tuple[str, str]]:
    """Check every name against the declaration; rename guessed ones in ``tree``."""
    guessed: list[tuple[str, str]] = []
    values = list(s.names) + list(CONSTANTS)
    called = {id(c.func) for c in ast.walk(tree) if isinstance(c, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise SymbolicError(f"could not read {shown!r}: only named functions may be called")
            fn = node.func.id
            if fn in s.names:
                raise SymbolicError(f"{fn} is a variable, not a function: write {fn}*(…)")
            if fn not in s.functions:
                pick, sure = _guess(fn, s.functions)
                if not (pick and sure and guess):
                    hint = f"did you mean {pick}?" if pick else f"allowed: {', '.join(s.functions)}"
                    raise SymbolicError(f"unknown function {fn!r}; {hint}")
                guessed.append((fn, pick))
                node.func.id = pick
        elif isinstance(node, ast.Name) and id(node) not in called:
            if node.id in values:
                continue
            if node.id in ARITY:
                raise SymbolicError(f"{node.id} is a function: write {node.id}(…)")
            pick, sure = _guess(node.id, values)
            if not (pick and sure and guess):
                hint = f"did you mean {pick}?" if pick else f"the variables are {', '.join(s.names)}"
                raise SymbolicError(f"unknown name {node.id!r}; {hint}")
            guessed.append((node.id, pick))
            node.id = pick
    return list(dict.fromkeys(guessed))


def sympy_module() -> Any:
    import sympy

    return sympy


class _Builder:
    """The sympy expression of a checked tree, node by node, with the power bounds applied."""

    def __init__(self, s: Spec, shown: str, source: str = "") -> None:
        self.sp = sympy_module()
        self.s = s
        self.shown = shown
        self.source = source
        self.symbols = {v.name: self.sp.Symbol(v.name, **v.assumptions()) for v in s.variables}

    def fail(self, why: str) -> SymbolicError:
        return SymbolicError(f"could not read {self.shown!r}: {why}")

    def build(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.fail(f"{type(node).__name__} is not allowed in a formula")
        if isinstance(node, (ast.Call, ast.BinOp)) and not any(isinstance(n, ast.Name) and n.id not in CONSTANTS
                                                               for n in ast.walk(node)):
            self._bounded_constant(node)
        try:
            out = method(node)
            if out.has(self.sp.zoo, self.sp.nan, self.sp.oo, -self.sp.oo):
                raise self.fail("undefined: a division by zero or a log of 0")
            if out.has(self.sp.I) or out.is_extended_real is False:
                raise self.fail("not a real number")
        except SymbolicError:
            raise
        except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:  # sympy's own refusals
            raise self.fail(f"cannot be built ({type(exc).__name__})") from None
        return out

    def _bounded_constant(self, node: ast.AST) -> None:
        """A constant part (``exp(exp(999))``) evaluated first in floats, bounded: sympy would
        evaluate it to decide its sign with no bound on the work."""
        from drill.core.safe_expr import ExprError, evaluate

        try:
            value = evaluate(ast.unparse(node))
        except ExprError as exc:
            if "zero" in str(exc):
                raise self.fail("undefined: a division by zero or a log of 0") from None
            raise self.fail(f"a constant that cannot be worked out ({exc})") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail("number too large")

    def _Constant(self, node: ast.Constant) -> Any:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"{type(v).__name__} literals are not allowed")
        if isinstance(v, int):
            if v.bit_length() > MAX_INT_BITS:
                raise self.fail("number too large")
            return self.sp.Integer(v)
        if not math.isfinite(v):
            raise self.fail("number too large")
        typed = ast.get_source_segment(self.source, node) if self.source else None
        exponent = re.search(r"[eE]([+-]?\d+)", typed or "")
        if exponent and abs(int(exponent.group(1)[:6])) > 400:  # 1e-999999999 as a Fraction is 10**999999999: bounded first
            raise self.fail("number too large or too small (an exponent beyond ±400)")
        try:
            f = Fraction(typed)  # the decimal as typed: 0.1 is exactly 1/10
        except (TypeError, ValueError):
            f = Fraction(repr(v))  # its shortest decimal, the same for what people type
        return self.sp.Rational(f.numerator, f.denominator)

    def _Name(self, node: ast.Name) -> Any:
        if node.id == "pi":
            return self.sp.pi
        if node.id == "e":
            return self.sp.E
        return self.symbols[node.id]

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        v = self.build(node.operand)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        raise self.fail("only + and - signs are allowed")

    def _BinOp(self, node: ast.BinOp) -> Any:
        a, b = self.build(node.left), self.build(node.right)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            if b == 0:
                raise self.fail("undefined: a division by zero or a log of 0")
            return a / b
        if op is ast.Pow:
            self._check_pow(a, b)
            return a**b
        raise self.fail({ast.FloorDiv: "//", ast.Mod: "%"}.get(op, op.__name__) + " is not allowed in a formula")

    def _check_pow(self, base: Any, exp: Any) -> None:
        if not exp.is_number:
            return
        if not exp.is_Rational:
            raise self.fail("a power needs a whole or fractional exponent")
        if exp.q > MAX_POWER or abs(exp) > MAX_POWER and not base.is_Rational:
            raise self.fail(f"exponent too large (at most {MAX_POWER})")
        if base.is_Rational and abs(exp) > 1:
            bits = max(abs(base.p).bit_length(), base.q.bit_length())
            if abs(exp) * bits > MAX_INT_BITS:
                raise self.fail("number too large")
        if base == 0 and exp < 0:
            raise self.fail("undefined: a division by zero or a log of 0")

    def _Call(self, node: ast.Call) -> Any:
        fn = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail("only plain arguments are allowed")
        least, most = ARITY[fn]
        if not least <= len(node.args) <= most:
            want = least if least == most else f"{least} to {most}"
            raise self.fail(f"{fn} takes {want} argument{'s' if most > 1 else ''}")
        args = [self.build(a) for a in node.args]
        sp = self.sp
        x = args[0]
        # a function of a constant is left unevaluated: sympy would evaluate exp(exp(999)) to decide
        # whether it is comparable, with no bound on the work (the screen evaluates it, bounded)
        ev = {"evaluate": False} if all(not getattr(a, "free_symbols", True) for a in args) else {}
        table: dict[str, Callable[[], Any]] = {
            "exp": lambda: sp.exp(x, **ev), "ln": lambda: sp.log(x, **ev), "sqrt": lambda: sp.sqrt(x, **ev),
            "log": lambda: sp.log(x, **ev) if len(args) == 1 else sp.log(x, **ev) / sp.log(args[1], **ev),
            "log2": lambda: sp.log(x, **ev) / sp.log(2), "log10": lambda: sp.log(x, **ev) / sp.log(10),
            "tanh": lambda: sp.tanh(x, **ev), "sinh": lambda: sp.sinh(x, **ev), "cosh": lambda: sp.cosh(x, **ev),
            "sigmoid": lambda: 1 / (1 + sp.exp(-x, **ev)), "erf": lambda: sp.erf(x, **ev), "abs": lambda: sp.Abs(x, **ev),
            "max": lambda: sp.Max(*args, **ev), "min": lambda: sp.Min(*args, **ev), "relu": lambda: sp.Max(0, x, **ev),
            "sin": lambda: sp.sin(x, **ev), "cos": lambda: sp.cos(x, **ev), "atan": lambda: sp.atan(x, **ev),
        }
        return table[fn]()
