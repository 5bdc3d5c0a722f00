"""A small, bounded arithmetic evaluator: the only way drill turns typed text into numbers.

Nothing a user or a bank file typed reaches ``eval`` or ``sympify``. Text is parsed with
``ast.parse(mode="eval")`` and walked over a whitelist: number literals, + - * / // % **,
unary signs, calls to the functions in :data:`FUNCTIONS`, the names in :data:`CONSTANTS`
(plus variables the caller passes), list/tuple literals (vectors, matrices), and, for bank
constraints only, comparisons, ``and``/``or``/``not`` and subscripts. Everything else —
attributes, dunders, lambdas, comprehensions, strings, keyword arguments — is refused.

Work is bounded: input length, nesting depth, node count, integer size and the size of a
power are checked before they are computed, so ``9**9**9`` is refused at once.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from typing import Any, Mapping

__all__ = ["Budget", "ExprError", "evaluate", "parse", "normalize", "FUNCTIONS", "CONSTANTS"]

MAX_CHARS = 2_000
MAX_DEPTH = 40
MAX_NODES = 400
MAX_INT_BITS = 4_096


class ExprError(ValueError):
    """Text the evaluator will not or cannot evaluate; the message says why in one line."""


class Budget:
    """Expression nodes a caller lets several :func:`evaluate` calls spend in all (e.g. every
    constraint of every draw of one variant); :func:`evaluate` refuses once it is spent."""

    def __init__(self, nodes: int) -> None:
        self.total = nodes
        self.left = nodes


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _log(x: float, base: float | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


FUNCTIONS: dict[str, Any] = {
    "sigmoid": _sigmoid,
    "exp": math.exp,
    "log": _log,
    "ln": math.log,
    "log2": math.log2,
    "log10": math.log10,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "atan": math.atan,
    "erf": math.erf,
    "abs": abs,
    "min": min,
    "max": max,
    "relu": lambda x: max(0.0, x),
    "floor": math.floor,
    "ceil": math.ceil,
    "len": len,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

# Typographic forms people paste from notes, mapped to what the parser reads.
_REPLACE = [
    ("\u2212", "-"), ("\u2013", "-"), ("\u00d7", "*"), ("\u22c5", "*"), ("\u00b7", "*"),
    ("\u00f7", "/"), ("^", "**"), ("\u03c3", "sigmoid"), ("\u221a", "sqrt"), ("\u03c0", "pi"),
]
_BIN = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_CMP = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}


def normalize(text: str) -> str:
    """Map typographic operators (×, −, ^, σ, √, π) to the parser's ASCII forms."""
    for old, new in _REPLACE:
        text = text.replace(old, new)
    return text.strip()


def _depth(text: str) -> int:
    depth = best = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            best = max(best, depth)
        elif ch in ")]}":
            depth -= 1
    return best


def parse(text: str) -> ast.Expression:
    """``text`` parsed, with the same bounds :func:`evaluate` applies (length, depth, node count,
    no dunders or lambdas): the tree drill evaluates, and the one its formulas are printed from.
    Raises :class:`ExprError` with a one-line reason."""
    if not isinstance(text, str):
        raise ExprError("expected text")
    if len(text) > MAX_CHARS:
        raise ExprError(f"too long ({len(text)} characters; at most {MAX_CHARS})")
    text = normalize(text)
    if not text:
        raise ExprError("empty")
    if _depth(text) > MAX_DEPTH:
        raise ExprError(f"nested more than {MAX_DEPTH} brackets deep")
    if re.search(r"__|\blambda\b|\bimport\b", text):
        raise ExprError("only arithmetic is allowed")
    try:
        with warnings.catch_warnings():  # "1and 2", "1x": no SyntaxWarning printed on the user's terminal
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ExprError("not a number or arithmetic expression") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ExprError(f"too many terms ({nodes} parts; at most {MAX_NODES})")
    return tree


def evaluate(
    text: str,
    variables: Mapping[str, Any] | None = None,
    *,
    allow_lists: bool = False,
    allow_logic: bool = False,
    budget: Budget | None = None,
) -> Any:
    """Evaluate ``text`` safely and return an int, float, bool or (nested) list.

    variables:   extra names the text may use (e.g. ``{"x": 0.5}``); default none.
    allow_lists: accept ``[...]``/``(...)`` literals (vector and matrix answers); default False.
    allow_logic: accept comparisons, and/or/not and subscripts (bank constraints); default False.
    budget:      a :class:`Budget` this call's nodes are taken from; default none (only MAX_NODES).
    Raises :class:`ExprError` with a one-line reason for anything refused or not finite.
    """
    tree = parse(text)
    if budget is not None:
        nodes = sum(1 for _ in ast.walk(tree))
        budget.left -= nodes
        if budget.left < 0:
            raise ExprError(f"over the budget of {budget.total:,} expression parts evaluated for one variant")
    walker = _Walker(dict(variables or {}), allow_lists, allow_logic)
    try:
        value = walker.eval(tree.body)
    except ExprError:
        raise
    except ZeroDivisionError:
        raise ExprError("division by zero") from None
    except OverflowError:
        raise ExprError("number too large") from None
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise ExprError(f"cannot compute: {exc}") from None
    _check_finite(value)
    return value


def _check_finite(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ExprError("not a finite number")
    if isinstance(value, list):
        for v in value:
            _check_finite(v)


class _Walker:
    def __init__(self, variables: dict[str, Any], allow_lists: bool, allow_logic: bool) -> None:
        self.variables = variables
        self.allow_lists = allow_lists
        self.allow_logic = allow_logic

    def eval(self, node: ast.AST) -> Any:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExprError(f"{_describe(node)} is not allowed")
        return method(node)

    def _Constant(self, node: ast.Constant) -> Any:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if self.allow_logic and isinstance(v, str) and len(v) < 64:
                return v  # dict keys in bank constraints, e.g. layers[0]["out_channels"]
            raise ExprError(f"{type(v).__name__} literals are not allowed")
        if isinstance(v, int) and v.bit_length() > MAX_INT_BITS:
            raise ExprError("number too large")
        return v

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.variables:
            return self.variables[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ExprError(f"{node.id} is a function: write {node.id}(...)")
        raise ExprError(f"unknown name {node.id!r}")

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        v = self.eval(node.operand)
        if isinstance(node.op, ast.USub):
            return -_num(v)
        if isinstance(node.op, ast.UAdd):
            return +_num(v)
        if isinstance(node.op, ast.Not) and self.allow_logic:
            return not v
        raise ExprError(f"{_describe(node.op)} is not allowed")

    def _BinOp(self, node: ast.BinOp) -> Any:
        op = _BIN.get(type(node.op))
        if op is None:
            raise ExprError(f"{_describe(node.op)} is not allowed")
        a, b = _num(self.eval(node.left)), _num(self.eval(node.right))
        if op is operator.pow:
            _check_pow(a, b)
        elif op is operator.mul and isinstance(a, int) and isinstance(b, int):
            if a.bit_length() + b.bit_length() > MAX_INT_BITS:
                raise ExprError("number too large")
        result = op(a, b)
        if isinstance(result, complex):
            raise ExprError("not a real number")
        return result

    def _Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else "that"
            raise ExprError(f"unknown function {name!r}; allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExprError("only plain arguments are allowed")
        if node.func.id == "len" and not self.allow_logic:
            raise ExprError("len is not allowed here")
        args = [self.eval(a) for a in node.args]
        if node.func.id != "len":
            args = [_num(a) for a in args]
        return FUNCTIONS[node.func.id](*args)

    def _List(self, node: ast.List) -> list:
        if not self.allow_lists:
            raise ExprError("a list is not allowed here")
        return [self.eval(e) for e in node.elts]

    _Tuple = _List

    def _Compare(self, node: ast.Compare) -> bool:
        if not self.allow_logic:
            raise ExprError("comparisons are not allowed here")
        left = self.eval(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            fn = _CMP.get(type(op))
            if fn is None:
                raise ExprError(f"{_describe(op)} is not allowed")
            right = self.eval(right_node)
            if not fn(left, right):
                return False
            left = right
        return True

    def _BoolOp(self, node: ast.BoolOp) -> bool:
        if not self.allow_logic:
            raise ExprError("and/or are not allowed here")
        values = (bool(self.eval(v)) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def _Subscript(self, node: ast.Subscript) -> Any:
        if not self.allow_logic:
            raise ExprError("indexing is not allowed here")
        container = self.eval(node.value)
        key = self.eval(node.slice)
        if not isinstance(container, (list, tuple, dict)) or isinstance(key, (list, float)):
            raise ExprError("bad index")
        try:
            return container[key]
        except (IndexError, KeyError):
            raise ExprError(f"index {key!r} not found") from None


def _num(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ExprError("arithmetic needs numbers")
    return v


def _check_pow(base: Any, exp: Any) -> None:
    if isinstance(exp, (int, float)) and abs(exp) > 10_000 and abs(base) not in (0, 1):
        raise ExprError("exponent too large")
    if isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1:
        if exp * abs(base).bit_length() > MAX_INT_BITS:
            raise ExprError("number too large")


def _describe(node: ast.AST) -> str:
    return {
        "Attribute": "attribute access", "Lambda": "lambda", "ListComp": "a comprehension",
        "GeneratorExp": "a comprehension", "SetComp": "a comprehension", "DictComp": "a comprehension",
        "Dict": "a dict", "Set": "a set", "BitXor": "^ (use ** for powers)", "NamedExpr": ":=",
        "IfExp": "if/else", "JoinedStr": "an f-string", "Starred": "*args",
    }.get(type(node).__name__, type(node).__name__)
