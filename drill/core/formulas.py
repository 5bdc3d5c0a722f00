"""Declared formulas (``solvers.Formula``): evaluate one at its bound symbols and prove it computes
what it says it computes. The expression goes through drill's own evaluator, never eval/sympify.

``drill check`` reports :func:`issues` (a formula that misses its target, a symbol used but not
declared or declared but not used, a symbol without a meaning, a computed question with no formula,
a concept question without its concept hint); the hint ladder and ``drill explain`` show only
declared formulas, printed by :func:`pretty` from the same parsed tree that is evaluated.
"""

from __future__ import annotations

import math
from typing import Any

import ast

from drill.core.safe_expr import CONSTANTS, FUNCTIONS, ExprError, evaluate, parse

__all__ = ["value", "target_value", "problems", "issues", "pretty", "names", "shown", "symbol_lines"]


def value(f: Any) -> float:
    """The formula's value at its symbols' values (raises ExprError when it cannot be evaluated)."""
    env = {s.name: s.value for s in f.symbols}
    return evaluate(f.expr, env, allow_lists=True)


def _flat(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flat(item)]
    return [x]


def target_value(v: Any, f: Any) -> Any:
    """What ``f`` claims to compute on variant ``v``: the answer, one flattened entry of it, or a
    checkpoint's value."""
    answer = v.solved
    if f.target is None:
        return answer
    if isinstance(f.target, int):
        return _flat(answer)[f.target]
    if isinstance(f.target, str) and f.target.startswith("checkpoint:"):
        from drill.core.checkpoints import checkpoints

        return checkpoints(v)[int(f.target.split(":", 1)[1])].value
    raise ValueError(f"unknown formula target {f.target!r}")


def _close(a: float, b: float, v: Any, exact: bool) -> bool:
    if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
        return True
    if exact:  # a count or a size: the formula must give it exactly
        return False
    try:
        return v.question.tolerance.accepts(float(a), float(b))
    except Exception:  # noqa: BLE001
        return False


def problems(v: Any) -> list[str]:
    """One line per declared formula of variant ``v`` that does not compute its target."""
    out: list[str] = []
    for i, f in enumerate(v.formulas):
        names = {s.name for s in f.symbols}
        try:
            got = value(f)
        except (ExprError, ArithmeticError, ValueError, TypeError) as exc:
            out.append(f"formula {i} {f.expr!r} cannot be evaluated at its symbols ({exc}); symbols: {sorted(names)}")
            continue
        try:
            want = target_value(v, f)
        except (IndexError, ValueError, KeyError) as exc:
            out.append(f"formula {i} {f.expr!r}: its target {f.target!r} does not exist ({exc})")
            continue
        try:
            exact = isinstance(want, int) and not isinstance(want, bool)
            ok = _close(float(got), float(want), v, exact)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            out.append(f"formula {i} {f.expr!r} gives {got!r}, but its target {f.target!r} is {want!r}")
    return out


def names(expr: str) -> set[str]:
    """The symbol names ``expr`` uses (function names and the constants pi and e left out)."""
    tree = parse(expr)
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in calls}


def issues(v: Any) -> list[tuple[str, str]]:
    """(key, what) for each way variant ``v``'s formulas break the contract: each declared formula
    computes its target, uses only declared symbols and every one of them, each with a meaning; a
    question with a computed answer declares at least one formula; a concept question (no computed
    answer) declares none and has its concept hint instead."""
    out: list[tuple[str, str]] = []
    concept = getattr(v, "concept", "")
    if concept and v.formulas:
        out.append(("concept-with-formula", "a concept question declares no formula (its hint is the concept), but its solver declares "
                    f"{len(v.formulas)}"))
    if not concept and not v.formulas:
        out.append(("none", "its solver declares no formula (solvers.formula, targeting the answer, an entry or a checkpoint) "
                    "and no concept hint"))
    for i, f in enumerate(v.formulas):
        declared = [s.name for s in f.symbols]
        try:
            used = names(f.expr)
        except ExprError as exc:
            out.append((f"parse:{i}", f"formula {i} {f.expr!r} cannot be read: {exc}"))
            continue
        missing = sorted(used - set(declared) - set(CONSTANTS))
        if missing:
            out.append((f"undeclared:{i}", f"formula {i} {f.expr!r} uses {', '.join(missing)} but does not declare "
                        f"{'it' if len(missing) == 1 else 'them'} as symbols"))
        unused = [n for n in declared if n not in used]
        if unused:
            out.append((f"unused:{i}", f"formula {i} {f.expr!r} declares {', '.join(unused)} but never uses "
                        f"{'it' if len(unused) == 1 else 'them'}"))
        clash = [n for n in declared if n in FUNCTIONS]
        if clash:
            out.append((f"clash:{i}", f"formula {i} declares {', '.join(clash)}, the name of a function"))
        vague = [n for n in (s.name for s in f.symbols if not (isinstance(s.meaning, str) and s.meaning.strip()))]
        if vague:
            out.append((f"meaning:{i}", f"formula {i} {f.expr!r}: symbol {', '.join(vague)} has no meaning"))
        if missing or unused:
            continue
        out += [(f"target:{i}", p) for p in problems(_only(v, i))]
    return out


def _only(v: Any, i: int) -> Any:
    import dataclasses

    return dataclasses.replace(v, formulas=[v.formulas[i]])


# --- printing: the parsed tree, so what is shown is what is proven -------------------------

_SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_PREC = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Mod: 2, ast.Pow: 4}
_OPS = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: "·", ast.Div: " / ", ast.Mod: " mod "}
_ATOM, _UNARY = 5, 3


def pretty(expr: str) -> str:
    """``expr`` as a reader writes it: ``·`` for ``*``, ``x²`` for ``x**2``, ``⌊a / b⌋`` for
    ``floor(a/b)`` and ``a // b``, ``√(x)``, ``|x|``, and only the parentheses the tree needs."""
    return _show(parse(expr).body)[0]


def _number(value: Any) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _wrap(part: tuple[str, int], need: int, strict: bool = False) -> str:
    text, prec = part
    return f"({text})" if prec < need or (strict and prec == need) else text


def _show(node: ast.AST) -> tuple[str, int]:
    """(text, precedence) of one node."""
    if isinstance(node, ast.Constant):
        text = _number(node.value)
        return text, _ATOM if not text.startswith("-") else _UNARY
    if isinstance(node, ast.Name):
        return node.id, _ATOM
    if isinstance(node, (ast.List, ast.Tuple)):
        return "[" + ", ".join(_show(e)[0] for e in node.elts) + "]", _ATOM
    if isinstance(node, ast.UnaryOp):
        sign = "−" if isinstance(node.op, ast.USub) else "+"
        return sign + _wrap(_show(node.operand), _UNARY + 1), _UNARY
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn, args = node.func.id, [_show(a)[0] for a in node.args]
        if fn in ("floor", "ceil", "abs", "sqrt") and len(args) == 1:
            left, right = {"floor": ("⌊", "⌋"), "ceil": ("⌈", "⌉"), "abs": ("|", "|"), "sqrt": ("√(", ")")}[fn]
            return f"{left}{args[0]}{right}", _ATOM
        return f"{fn}({', '.join(args)})", _ATOM
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.FloorDiv:
            return f"⌊{_wrap(_show(node.left), 2)} / {_wrap(_show(node.right), 2, strict=True)}⌋", _ATOM
        if op is ast.Pow:
            base = _wrap(_show(node.left), _ATOM)
            exp = node.right
            if isinstance(exp, ast.Constant) and isinstance(exp.value, int) and not isinstance(exp.value, bool):
                return base + str(exp.value).translate(_SUPER), 4
            if isinstance(exp, ast.UnaryOp) and isinstance(exp.op, ast.USub) and isinstance(exp.operand, ast.Constant) \
                    and isinstance(exp.operand.value, int):
                return base + f"-{exp.operand.value}".translate(_SUPER), 4
            text, prec = _show(exp)
            return f"{base}^{text if prec == _ATOM and len(text) == 1 else f'({text})'}", 4
        prec = _PREC.get(op)
        if prec is None:
            raise ExprError(f"{op.__name__} cannot be printed")
        left = _wrap(_show(node.left), prec)
        right_node = node.right
        assoc = isinstance(right_node, ast.BinOp) and type(right_node.op) is op and op in (ast.Add, ast.Mult)
        right_part = _show(right_node)
        right = f"({right_part[0]})" if right_part[1] == _UNARY else _wrap(right_part, prec, strict=not assoc)  # a − (−b)
        return f"{left}{_OPS[op]}{right}", prec
    raise ExprError(f"{type(node).__name__} cannot be printed")


def _value_text(value: Any) -> str:
    from drill.solvers._fmt import fmt

    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return fmt(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value_text(x) for x in value) + "]"
    return str(value)


def shown(f: Any) -> str:
    """``name = pretty(expr)`` (just the expression when the formula has no name)."""
    body = pretty(f.expr)
    return f"{f.name} = {body}" if f.name else body


def symbol_lines(f: Any, *, values: bool = True) -> list[tuple[str, str]]:
    """(symbol, 'its meaning = its value') for each symbol, in the order the expression is read."""
    order = {n: i for i, n in enumerate(_reading_order(f.expr))}
    syms = sorted(f.symbols, key=lambda s: order.get(s.name, len(order)))
    return [(s.name, f"{s.meaning} = {_value_text(s.value)}" if values else str(s.meaning)) for s in syms]


def _reading_order(expr: str) -> list[str]:
    import re

    seen: list[str] = []
    used = names(expr)
    for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expr):
        if word in used and word not in seen:
            seen.append(word)
    return seen
