"""Formula answers graded by algebraic equivalence: read, echo, compare, diagnose, prove.

The lifecycle is PrairieLearn's and STACK's: a typed formula is *read* (implicit ``12d`` becomes
``12*d``, an unknown name becomes the declared one it resembles), *echoed* in the user's own order
so a misreading costs nothing, then *graded* against the key:

1. a float screen at random points drawn from the declared domains (seeded per variant, never
   public; discrete sets enumerated in full; points where the key is undefined drawn again), in
   30-digit arithmetic at a relative tolerance of 1e-9;
2. when the screen finds no difference, an exact confirmation where it is decidable: rational
   functions by ``cancel`` of the difference, exp/σ/tanh after substituting t = eˣ (degree bounded);
   elsewhere the screen decides. Every sympy step runs under a time budget; running out means
   "write it more simply" (unreadable), never wrong.

A wrong answer gets the first named mistake it is equivalent to, else a generic diagnosis (a
constant factor, one term short or over, two variables swapped, a variable left out) with both
values at the canonical numbers. :func:`prove` is what ``drill check`` runs on every variant.

Text never reaches eval or sympy's string parsers: :func:`drill.core.safe_expr.parse` gives the
whitelisted tree and the sympy expression is built from it node by node. sympy and mpmath are
imported only when a formula is read, so numeric questions start as fast as before.
"""

from __future__ import annotations

import ast
import difflib
import functools
import itertools
import keyword
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from drill.core.safe_expr import MAX_INT_BITS, ExprError, normalize, parse

__all__ = [
    "BUDGET",
    "Proof",
    "Reading",
    "Spec",
    "SymbolicError",
    "Var",
    "Verdict",
    "equivalent",
    "grade",
    "printed",
    "prove",
    "spec",
    "validate",
    "value_at",
]

BUDGET = 0.5  # seconds for one grading's sympy work
SCREEN_POINTS = 12  # random points when no variable is enumerated
REL_TOL = 1e-9
ABS_TOL = 1e-60  # at RECHECK_DIGITS: a key of exactly 0 against a rounding residue
DIGITS = 30  # working precision of the screen
RECHECK_DIGITS = 90  # precision a point where the screen found a difference is computed again with
MAX_MAGNITUDE = 10_000  # |ln| of the largest value the screen computes (e^10000)
MAX_POWER = 64  # |numeric exponent| of a symbolic base
MAX_T_DEGREE = 32  # degree of t = e^(x/L) after the substitution
MAX_ENUMERATED = 256  # points from the product of discrete domains
ENUM_INT_RANGE = 16  # an int range this small is enumerated like a set
DEFAULT_FUNCTIONS = ("exp", "log", "ln", "sqrt", "tanh", "sigmoid", "erf", "abs", "max", "min")
# name -> (least, most) arguments; the functions a question may declare
_ARITY = {
    "exp": (1, 1), "log": (1, 2), "ln": (1, 1), "log2": (1, 1), "log10": (1, 1), "sqrt": (1, 1),
    "tanh": (1, 1), "sinh": (1, 1), "cosh": (1, 1), "sigmoid": (1, 1), "erf": (1, 1), "abs": (1, 1),
    "max": (2, 8), "min": (2, 8), "relu": (1, 1), "sin": (1, 1), "cos": (1, 1), "atan": (1, 1),
}
_CONSTANTS = ("pi", "e")
_KINDS = ("real", "int", "positive", "set")


class SymbolicError(ValueError):
    """A formula, a declaration or a grading drill will not accept; the message is one line.
    Raised for a typed answer it means unreadable: it costs the learner nothing."""


class _OverBudget(Exception):
    pass


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
        if name in _ARITY or name in _CONSTANTS:
            raise SymbolicError(f"{where}: the name of a function or constant")
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
    unknown = [f for f in fns if f not in _ARITY]
    if unknown:
        raise SymbolicError(f"unknown function {unknown[0]!r}; known: {', '.join(_ARITY)}")
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


def _stars(text: str) -> tuple[str, bool]:
    """``text`` with ``*`` inserted where a number or ``)`` is followed by a name or ``(``."""
    out: list[str] = []
    prev = None  # kind of the last non-space token
    inserted = False
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "space":
            out.append(tok)
            continue
        starts = kind == "name" or tok == "(" or (kind == "num" and prev == ")")
        if starts and prev in ("num", ")"):
            while out and out[-1].isspace():
                out.pop()
            out.append("*")
            inserted = True
        out.append(tok)
        prev = ")" if tok == ")" else kind if kind in ("num", "name") else tok
    return "".join(out), inserted


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
    return _read(text, s, guess=guess, strict=False)


def _key(text: str, s: Spec) -> Reading:
    """A bank key or mistake: read strictly (no inserted stars, no guessed names)."""
    return _read(text, s, guess=False, strict=True)


@functools.lru_cache(maxsize=512)
def _read(text: str, s: Spec, *, guess: bool, strict: bool) -> Reading:
    if not isinstance(text, str):
        raise SymbolicError("expected text")
    shown = _one_line(text)
    try:
        norm = _SUPER_RUN.sub(lambda m: f"**({m.group().translate(_SUPER)})", normalize(text))
        starred, inserted = _stars(norm)
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
    values = list(s.names) + list(_CONSTANTS)
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
            if node.id in _ARITY:
                raise SymbolicError(f"{node.id} is a function: write {node.id}(…)")
            pick, sure = _guess(node.id, values)
            if not (pick and sure and guess):
                hint = f"did you mean {pick}?" if pick else f"the variables are {', '.join(s.names)}"
                raise SymbolicError(f"unknown name {node.id!r}; {hint}")
            guessed.append((node.id, pick))
            node.id = pick
    return list(dict.fromkeys(guessed))


def _sp() -> Any:
    import sympy

    return sympy


class _Builder:
    """The sympy expression of a checked tree, node by node, with the power bounds applied."""

    def __init__(self, s: Spec, shown: str, source: str = "") -> None:
        self.sp = _sp()
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
        try:
            out = method(node)
        except SymbolicError:
            raise
        except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:  # sympy's own refusals
            raise self.fail(f"cannot be built ({type(exc).__name__})") from None
        if out.has(self.sp.zoo, self.sp.nan, self.sp.oo, -self.sp.oo):
            raise self.fail("undefined: a division by zero or a log of 0")
        if out.has(self.sp.I) or out.is_extended_real is False:
            raise self.fail("not a real number")
        return out

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
        least, most = _ARITY[fn]
        if not least <= len(node.args) <= most:
            want = least if least == most else f"{least} to {most}"
            raise self.fail(f"{fn} takes {want} argument{'s' if most > 1 else ''}")
        args = [self.build(a) for a in node.args]
        sp = self.sp
        x = args[0]
        table: dict[str, Callable[[], Any]] = {
            "exp": lambda: sp.exp(x), "ln": lambda: sp.log(x), "sqrt": lambda: sp.sqrt(x),
            "log": lambda: sp.log(x) if len(args) == 1 else sp.log(x) / sp.log(args[1]),
            "log2": lambda: sp.log(x) / sp.log(2), "log10": lambda: sp.log(x) / sp.log(10),
            "tanh": lambda: sp.tanh(x), "sinh": lambda: sp.sinh(x), "cosh": lambda: sp.cosh(x),
            "sigmoid": lambda: 1 / (1 + sp.exp(-x)), "erf": lambda: sp.erf(x), "abs": lambda: sp.Abs(x),
            "max": lambda: sp.Max(*args), "min": lambda: sp.Min(*args), "relu": lambda: sp.Max(0, x),
            "sin": lambda: sp.sin(x), "cos": lambda: sp.cos(x), "atan": lambda: sp.atan(x),
        }
        return table[fn]()


# --------------------------------------------------------------------------- the screen


class _Undefined(Exception):
    pass


def _mp() -> Any:
    import mpmath

    return mpmath


def _mp_value(tree: ast.Expression, env: Mapping[str, Any], digits: int = DIGITS) -> Any:
    """The formula's value at ``env`` in ``digits``-digit arithmetic, or None where it is undefined
    (a pole, a log of a negative, a non-real power)."""
    mp = _mp()
    with mp.workdps(digits):
        try:
            return _MpWalker(mp, env).eval(tree.body)
        except (_Undefined, ArithmeticError, ValueError, TypeError, MemoryError, RecursionError):
            return None


class _MpWalker:
    def __init__(self, mp: Any, env: Mapping[str, Any]) -> None:
        self.mp = mp
        self.env = env

    def real(self, v: Any) -> Any:
        if not isinstance(v, self.mp.mpf) or not self.mp.isfinite(v):
            raise _Undefined
        return v

    def eval(self, node: ast.AST) -> Any:
        mp = self.mp
        if isinstance(node, ast.Constant):
            f = Fraction(repr(node.value)) if isinstance(node.value, float) else Fraction(node.value)
            return mp.mpf(f.numerator) / f.denominator
        if isinstance(node, ast.Name):
            if node.id == "pi":
                return +mp.pi
            if node.id == "e":
                return mp.e + 0
            return mp.mpf(self.env[node.id])
        if isinstance(node, ast.UnaryOp):
            v = self.eval(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = self.eval(node.left), self.eval(node.right)
            op = type(node.op)
            if op is ast.Add:
                return self.real(a + b)
            if op is ast.Sub:
                return self.real(a - b)
            if op is ast.Mult:
                return self.real(a * b)
            if op is ast.Div:
                if b == 0:
                    raise _Undefined
                return self.real(a / b)
            if a == 0 and b < 0:
                raise _Undefined
            if a != 0 and abs(b) * max(abs(mp.log(abs(a))), 1) > MAX_MAGNITUDE:
                raise _Undefined  # an overflow: no formula drill grades is this large
            return self.real(mp.power(a, b))
        if isinstance(node, ast.Call):
            args = [self.eval(a) for a in node.args]
            x = args[0]
            fn = node.func.id
            if fn in ("log", "ln", "log2", "log10") and x <= 0:
                raise _Undefined
            if fn in ("exp", "sinh", "cosh") and abs(x) > MAX_MAGNITUDE:
                raise _Undefined
            table = {
                "exp": mp.exp, "ln": mp.log, "log2": lambda v: mp.log(v, 2), "log10": mp.log10,
                "log": lambda v, b=None: mp.log(v) if b is None else mp.log(v) / mp.log(b),
                "sqrt": mp.sqrt, "tanh": mp.tanh, "sinh": mp.sinh, "cosh": mp.cosh,
                "sigmoid": lambda v: 1 / (1 + mp.exp(-v)), "erf": mp.erf, "abs": mp.fabs,
                "max": lambda *v: max(v), "min": lambda *v: min(v), "relu": lambda v: max(v, mp.mpf(0)),
                "sin": mp.sin, "cos": mp.cos, "atan": mp.atan,
            }
            if fn == "sqrt" and x < 0:
                raise _Undefined
            return self.real(table[fn](*args))
        raise _Undefined


@functools.lru_cache(maxsize=256)
def _screen_points(key: Reading, s: Spec, seed: Any) -> tuple[tuple[dict, Any], ...]:
    """(point, key value) pairs: every combination of the enumerated domains, each with the
    continuous variables drawn at random, and SCREEN_POINTS draws when nothing is enumerated.
    A point where the key is undefined is drawn again."""
    rng = random.Random(f"drill.symbolic:{seed}")
    fixed = [v for v in s.variables if v.enumerated]
    free = [v for v in s.variables if not v.enumerated]
    combos = list(itertools.islice(itertools.product(*(v.enumerated for v in fixed)), MAX_ENUMERATED + 1))
    if len(combos) > MAX_ENUMERATED:
        combos = [tuple(rng.choice(v.enumerated) for v in fixed) for _ in range(MAX_ENUMERATED)]
    per = max(2, math.ceil(SCREEN_POINTS / len(combos))) if free else 1
    out = []
    for combo in combos:
        got = 0
        for _ in range(per * 25 if free else 1):
            env = dict(zip((v.name for v in fixed), combo))
            env.update({v.name: v.draw(rng) for v in free})
            value = _mp_value(key.tree, env)
            if value is not None:
                out.append((env, value))
                got += 1
                if got == per:
                    break
    if not out or free and len(out) < per * len(combos) // 2:
        raise SymbolicError(f"the key {key.echo} is undefined almost everywhere on the declared domains")
    return tuple(out)


def _same(a: Any, b: Any, abs_tol: float = 1e-20) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + abs_tol


def _screen(given: Reading, key: Reading, s: Spec, seed: Any) -> bool:
    """True when ``given`` agrees with ``key`` at every screen point, relatively. A point where
    they differ is computed again with RECHECK_DIGITS digits, so a cancellation (log(1 + e⁵⁰) − 50)
    or a rounding residue where the key is 0 is not taken for a difference."""
    for env, k in _screen_points(key, s, seed):
        if not _same(_mp_value(given.tree, env), k, 0.0) and not _same(
            _mp_value(given.tree, env, RECHECK_DIGITS), _mp_value(key.tree, env, RECHECK_DIGITS), ABS_TOL
        ):
            return False
    return True


# --------------------------------------------------------------------------- exact confirmation


def _run(budget_end: float, fn: Callable[[], Any]) -> Any:
    """``fn()`` in a worker thread, waited for until ``budget_end``; raises _OverBudget after."""
    if time.monotonic() >= budget_end:
        raise _OverBudget
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="drill-symbolic")
    worker.start()
    worker.join(max(0.0, budget_end - time.monotonic()))
    if worker.is_alive() or "error" in box and isinstance(box["error"], _OverBudget):
        raise _OverBudget
    if "error" in box:
        raise box["error"]
    return box["value"]


def _tick(end: float) -> None:
    if time.monotonic() >= end:
        raise _OverBudget


def _exact(given: Any, key: Any, s: Spec, end: float) -> bool | None:
    """True when given − key is identically zero on the domains, False when it provably is not,
    None when undecidable here (the screen decides). Enumerated variables are substituted."""
    sp = _sp()
    fixed = [v for v in s.variables if v.enumerated]
    combos = list(itertools.islice(itertools.product(*(v.enumerated for v in fixed)), 65))
    if len(combos) > 64:
        return None
    verdicts = []
    for combo in combos:
        _tick(end)
        sub = {sp.Symbol(v.name, **v.assumptions()): _rational(x) for v, x in zip(fixed, combo)}
        verdicts.append(_decide((given - key).xreplace(sub), end))
        if verdicts[-1] is False:
            return False
    return True if all(verdicts) else None


def _rational(x: float) -> Any:
    f = Fraction(repr(x)) if isinstance(x, float) else Fraction(x)
    return _sp().Rational(f.numerator, f.denominator)


def _decide(d: Any, end: float) -> bool | None:
    sp = _sp()
    if d == 0:
        return True
    d = d.replace(sp.tanh, lambda a: (sp.exp(2 * a) - 1) / (sp.exp(2 * a) + 1))
    d = d.replace(sp.sinh, lambda a: (sp.exp(a) - sp.exp(-a)) / 2)
    d = d.replace(sp.cosh, lambda a: (sp.exp(a) + sp.exp(-a)) / 2)
    _tick(end)
    rational = _exp_to_t(d)
    if rational is not None:
        rational = rational.xreplace({sp.E: sp.Dummy("e", positive=True), sp.pi: sp.Dummy("pi", positive=True)})
    if rational is not None and _rational_function(rational):
        _tick(end)
        num = sp.fraction(sp.cancel(sp.together(rational)))[0]
        _tick(end)
        return sp.expand(num) == 0
    # Outside the decidable class only a zero is a proof; anything else leaves it to the screen.
    _tick(end)
    if sp.cancel(d) == 0:
        return True
    if d.has(sp.log):
        _tick(end)
        if sp.cancel(sp.expand_log(d)) == 0:
            return True
    return None


def _exp_to_t(d: Any) -> Any:
    """``d`` with each exp(c·x + c'·y …) (c rational) replaced by t_x^(c·L) · t_y^(c'·L'), where
    t_x = e^(x/L); None when an exponent is not linear and homogeneous with rational slopes or a
    degree would pass MAX_T_DEGREE. x and e^x are algebraically independent, so the result is an
    identity in the t's exactly when ``d`` is one in the variables."""
    sp = _sp()
    atoms = d.atoms(sp.exp)
    if not atoms:
        return d
    slopes: dict[Any, dict[Any, Any]] = {}
    for atom in atoms:
        arg = sp.expand(atom.args[0])
        syms = sorted(arg.free_symbols, key=str)
        if not syms or not arg.is_polynomial(*syms) or sp.Poly(arg, *syms).total_degree() > 1:
            return None  # exp of a constant or of a non-linear exponent: left to the screen
        slope = {x: arg.coeff(x) for x in syms}
        if arg.as_independent(*syms, as_Add=True)[0] != 0 or not all(c.is_Rational for c in slope.values()):
            return None
        slopes[atom] = slope
    lcm: dict[Any, int] = {}
    for slope in slopes.values():
        for x, c in slope.items():
            lcm[x] = math.lcm(lcm.get(x, 1), int(c.q))
    ts = {x: sp.Dummy(f"t_{x}", positive=True) for x in lcm}
    swap = {}
    for atom, slope in slopes.items():
        powers = {x: int(c * lcm[x]) for x, c in slope.items()}
        if any(abs(p) > MAX_T_DEGREE for p in powers.values()):
            return None
        swap[atom] = sp.Mul(*(ts[x] ** p for x, p in powers.items()))
    return d.xreplace(swap)


def _rational_function(d: Any) -> bool:
    """A rational function of its symbols with rational coefficients only (so cancel decides)."""
    sp = _sp()
    syms = sorted(d.free_symbols, key=str)
    if d.has(sp.Function) or d.atoms(sp.NumberSymbol):
        return False
    if any(not p.exp.is_Integer for p in d.atoms(sp.Pow)):
        return False
    return d.is_rational_function(*syms)


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class Verdict:
    """One grading. status: correct, wrong or unreadable (unreadable costs nothing).

    how:       for correct: "exact" (proved) or "screen" (agreed at every point, not decidable)
    mistake:   the named mistake the answer is equivalent to
    diagnosis: otherwise a one-line generic diagnosis with both values at the canonical numbers
    reason:    for unreadable, the one-line reason
    reading:   how the answer was read (its echo)
    """

    status: str
    how: str | None = None
    mistake: str | None = None
    diagnosis: str | None = None
    reason: str | None = None
    reading: Reading | None = None

    @property
    def correct(self) -> bool:
        return self.status == "correct"


_SIMPLER = "could not settle it in time: write it more simply"


def equivalent(given: str | Reading, key: str | Reading, s: Spec, *, seed: Any = 0, budget: float = BUDGET) -> str | None:
    """"exact" or "screen" when ``given`` equals ``key`` on the domains, None when it differs.
    Raises :class:`SymbolicError` when the budget runs out before it is settled."""
    g = given if isinstance(given, Reading) else _key(given, s)
    k = key if isinstance(key, Reading) else _key(key, s)
    return _equivalent(g, k, s, seed, time.monotonic() + budget)


def _equivalent(g: Reading, k: Reading, s: Spec, seed: Any, end: float) -> str | None:
    if not _screen(g, k, s, seed):
        return None
    try:
        proved = _run(end, lambda: _exact(g.expr, k.expr, s, end))
    except _OverBudget:
        raise SymbolicError(_SIMPLER) from None
    except Exception:  # noqa: BLE001 - sympy gave up (PolynomialError, NotImplementedError, …): the screen decides
        proved = None
    if proved is None:
        return "screen"
    return "exact" if proved else None


def grade(
    text: str | Reading,
    key: str,
    s: Spec,
    *,
    mistakes: Mapping[str, str] | None = None,
    seed: Any = 0,
    budget: float = BUDGET,
) -> Verdict:
    """Grade a typed formula against the bank's ``key`` (both read by drill's parser).

    mistakes: named misconceptions as formulas, in order; the first one the answer equals wins.
    seed:     the variant's seed: the screen's points come from it and are never shown.
    budget:   seconds the sympy work may take; running out is unreadable, never wrong.
    """
    try:
        reading = text if isinstance(text, Reading) else validate(text, s)
    except SymbolicError as exc:
        return Verdict("unreadable", reason=str(exc))
    k = _key(key, s)
    _mp()
    end = time.monotonic() + budget  # after the one-off imports: the budget is for the work
    try:
        how = _equivalent(reading, k, s, seed, end)
    except SymbolicError as exc:
        return Verdict("unreadable", reason=str(exc), reading=reading)
    if how:
        return Verdict("correct", how=how, reading=reading)
    for name, formula in (mistakes or {}).items():
        try:
            if _equivalent(reading, _key(formula, s), s, seed, end):
                return Verdict("wrong", mistake=name, reading=reading)
        except SymbolicError:
            break  # out of time: no feedback rather than a guess
    return Verdict("wrong", diagnosis=_diagnose(reading, k, s, seed, end), reading=reading)


def _fmt(v: Any) -> str:
    if v is None:
        return "undefined"
    x = float(v)
    if not math.isfinite(x):
        return _mp().nstr(v, 6)
    if abs(x) < 1e15 and abs(x - round(x)) <= 1e-9 * max(1.0, abs(x)):
        return f"{round(x):,}"
    return f"{x:,.6g}"


def _factor_text(ratio: Any) -> str:
    c = float(ratio)
    if not math.isfinite(c) or c == 0:
        return _mp().nstr(ratio, 6)
    f = Fraction(c).limit_denominator(12)
    if abs(float(f) - c) <= REL_TOL * abs(c):
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    short = f"{c:.6g}"
    return short if abs(float(short) - c) <= REL_TOL * abs(c) else f"{c:.15g}"


def _diagnose(g: Reading, k: Reading, s: Spec, seed: Any, end: float) -> str | None:
    """The first generic diagnosis that fits, with both values at the canonical numbers."""
    at = canonical_values(s)
    where = ", ".join(f"{n} = {_fmt(x)}" for n, x in at.items())
    both = f"at {where} yours is {_fmt(_mp_value(g.tree, at))}, the key's {_fmt(_mp_value(k.tree, at))}"
    points = _screen_points(k, s, seed)
    values = [(_mp_value(g.tree, env), kv) for env, kv in points]
    defined = all(gv is not None for gv, _ in values)
    ratios = [gv / kv for gv, kv in values if defined and kv != 0]
    zeros_kept = all(_same(gv, kv) for gv, kv in values if kv == 0)
    if defined and ratios and ratios[0] != 0 and zeros_kept and all(_same(r, ratios[0]) for r in ratios):
        return f"sign flipped: {both}" if _same(ratios[0], -1) else f"{_factor_text(ratios[0])}× the key: {both}"
    term = _one_term(g, k, end)
    if term is not None:
        return f"{term}: {both}"
    names = s.names
    for a, b in itertools.combinations(names, 2):
        swapped = [(dict(env, **{a: env[b], b: env[a]}), kv) for env, kv in points]
        if all(_same(_mp_value(g.tree, env), kv) for env, kv in swapped):
            return f"{a} and {b} swapped: {both}"
    missing = sorted(str(x) for x in k.expr.free_symbols - g.expr.free_symbols)
    if missing:
        return f"{', '.join(missing)} missing: the key needs {'them' if len(missing) > 1 else 'it'}; {both}"
    return None


def _one_term(g: Reading, k: Reading, end: float) -> str | None:
    sp = _sp()

    def term() -> Any:
        _tick(end)
        return sp.expand(g.expr - k.expr)

    try:
        d = _run(end, term)
    except Exception:  # noqa: BLE001 - out of time or beyond sympy: no diagnosis rather than a guess
        return None
    if d == 0 or isinstance(d, sp.Add):
        return None
    if d.could_extract_minus_sign():
        return f"short by {printed(-d, pretty=True)}"
    return f"over by {printed(d, pretty=True)}"


# --------------------------------------------------------------------------- printing and proofs


def printed(expr: Any, *, pretty: bool = False) -> str:
    """A sympy expression as text drill's parser reads (``abs``, ``max``, ``e``), or with
    ``pretty`` as the echo shows it (``12·d² + 13·d``)."""
    from sympy.printing.str import StrPrinter

    class _Printer(StrPrinter):
        def _print_Exp1(self, e: Any) -> str:
            return "e"

        def _print_Abs(self, e: Any) -> str:
            return f"abs({self._print(e.args[0])})"

        def _print_Max(self, e: Any) -> str:
            return f"max({', '.join(self._print(a) for a in e.args)})"

        def _print_Min(self, e: Any) -> str:
            return f"min({', '.join(self._print(a) for a in e.args)})"

    text = _Printer().doprint(expr)
    if not pretty:
        return text
    from drill.core.formulas import pretty as show

    try:
        return show(text)
    except ExprError:
        return text


def value_at(text: str, s: Spec, values: Mapping[str, float]) -> float:
    """The formula's value at ``values`` (e.g. 12d² + 13d at d = 768, to tie a formula question
    to its numeric one). Raises :class:`SymbolicError` where it is undefined."""
    missing = [n for n in s.names if n not in values]
    if missing:
        raise SymbolicError(f"no value for {', '.join(missing)}")
    v = _mp_value(_key(text, s).tree, values)
    if v is None:
        raise SymbolicError(f"{text!r} is undefined at {dict(values)}")
    return float(v)


@dataclass
class Proof:
    """What :func:`prove` found: ``problems`` (empty when proved) and the slowest grading's time."""

    problems: list[str]
    slowest: float


def prove(
    key: str,
    s: Spec,
    *,
    solver: str | None = None,
    mistakes: Mapping[str, str] | None = None,
    seed: Any = 0,
    budget: float = BUDGET,
) -> Proof:
    """The checks ``drill check`` runs on one variant of a formula question: the key parses; the
    solver's expression equals it; expand/factor of the key (re-read from their printed form)
    grade correct; 2·(key) and (key) + 1 grade wrong; every named mistake differs from the key
    and from the others, by the screen alone, and is named when typed; every grading fits the
    budget."""
    problems: list[str] = []
    mistakes = dict(mistakes or {})
    slowest = 0.0

    def timed(text: str, why: str) -> Verdict:
        nonlocal slowest
        t0 = time.perf_counter()
        v = grade(text, key, s, mistakes=mistakes, seed=seed, budget=budget)
        slowest = max(slowest, time.perf_counter() - t0)
        if v.status == "unreadable":
            problems.append(f"{why} {text!r} is unreadable: {v.reason}")
        return v

    try:
        k = _key(key, s)
        _screen_points(k, s, seed)
    except SymbolicError as exc:
        return Proof([f"key {key!r}: {exc}"], 0.0)
    if solver is not None:
        v = timed(solver, "the solver's expression")
        if v.status == "wrong":
            problems.append(f"the solver's expression {solver!r} differs from the key {key!r}")
    sp = _sp()
    for name, form in (("expand", sp.expand), ("factor", sp.factor)):
        try:
            text = printed(_run(time.monotonic() + budget, lambda f=form: f(k.expr)))
        except _OverBudget:
            problems.append(f"{name} of the key does not finish in {budget} s")
            continue
        except Exception as exc:  # noqa: BLE001 - reported as the proof's problem
            problems.append(f"{name} of the key fails: {type(exc).__name__}")
            continue
        if timed(text, f"{name} of the key").status == "wrong":
            problems.append(f"{name} of the key, {text!r}, grades wrong")
    for text in (f"2*({key})", f"({key}) + 1"):
        if timed(text, "the nudge").correct:
            problems.append(f"{text!r} grades correct")
    readings = {}
    for name, text in mistakes.items():
        try:
            readings[name] = _key(text, s)
        except SymbolicError as exc:
            problems.append(f"mistake {name!r}: {exc}")
    for name, m in readings.items():
        if _screen(m, k, s, seed):
            problems.append(f"mistake {name!r} ({m.echo}) is not told from the key by the screen")
        v = timed(mistakes[name], f"mistake {name!r}")
        if v.status == "wrong" and v.mistake != name:
            problems.append(f"mistake {name!r} typed is named {v.mistake!r}" if v.mistake else f"mistake {name!r} typed is not named")
    for (a, ma), (b, mb) in itertools.combinations(readings.items(), 2):
        try:
            if _screen(ma, mb, s, seed):
                problems.append(f"mistakes {a!r} and {b!r} are the same formula")
        except SymbolicError as exc:
            problems.append(f"mistakes {a!r} and {b!r}: {exc}")
    return Proof(problems, slowest)
