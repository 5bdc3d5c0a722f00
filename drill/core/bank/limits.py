"""The bank's resource limits and the patterns its text follows (one place; the README's author section states them)."""

from __future__ import annotations

import re
from typing import Any


FORMAT_VERSION = 1

MAX_YAML_DEPTH = 64  # bank files nest about 6 levels
MAX_YAML_VALUES = 100_000  # values in one file, aliases expanded; the built-in files hold a few hundred
# Resource limits for (shared, untrusted) bank files; the README's author section states them.
MAX_FILE_BYTES = 1 << 20  # 1 MiB; the largest built-in file is ~55 KB
MAX_QUESTIONS_PER_FILE = 2_000
MAX_TEXT_CHARS = 20_000  # any one text value in a file
MAX_YAML_CHARS = 4 << 20  # characters of text in a file once aliases are expanded
MAX_PROMPT_CHARS = 5_000  # a prompt as written; rendered, see MAX_RENDERED_PROMPT
MAX_RENDERED_PROMPT = 20_000
MAX_INT_DIGITS = 30  # an integer written in a bank (checked in the YAML text, before conversion)
MAX_PARAM_INT = 10**15  # any whole number in params, canonical or drawn (LLM token counts reach 10^13)
MAX_PARAM_LIST = 10_000  # items in any one list in params: a real network written out layer by layer fits
MAX_PARAM_VALUES = 100_000  # values in all of a question's params (= MAX_YAML_VALUES, what one file may hold)
MAX_COUNT = 100  # len, rows, cols of a drawn vector or matrix
MAX_CONSTRAINTS = 50  # constraints of one question (the built-in banks: at most 4); see also drill.core.variants.MAX_EXPR_NODES
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PLACEHOLDER_RE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}(?!\})")
# {noun|path} or {noun/plural|path}: the noun agreeing with the count at path ("1 sequence", "2 sequences")
PLURAL_RE = re.compile(r"(?<!\{)\{([A-Za-z][A-Za-z-]*)(?:/([A-Za-z][A-Za-z-]*))?\|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}(?!\})")


def param_limit_problem(params: Any) -> str | None:
    """Why ``params`` (canonical or drawn) are too big for a solver to work with, or None: a whole
    number beyond ±:data:`MAX_PARAM_INT`, a list of more than :data:`MAX_PARAM_LIST` items, more
    than :data:`MAX_PARAM_VALUES` values in all, or a text longer than :data:`MAX_TEXT_CHARS`."""
    todo: list[tuple[str, Any]] = [("", params)]
    seen = 0
    while todo:
        path, node = todo.pop()
        seen += 1
        if seen > MAX_PARAM_VALUES:
            return f"more than {MAX_PARAM_VALUES:,} values in params; questions are worked by hand"
        if isinstance(node, bool) or node is None or isinstance(node, float):
            continue
        if isinstance(node, int):
            if abs(node) > MAX_PARAM_INT:
                return f"{path or 'value'}: {_short_int(node)} is beyond ±10^15, the largest whole number params may hold"
        elif isinstance(node, str):
            if len(node) > MAX_TEXT_CHARS:
                return f"{path or 'value'}: a text of {len(node):,} characters; at most {MAX_TEXT_CHARS:,}"
        elif isinstance(node, list):
            if len(node) > MAX_PARAM_LIST:
                return f"{path or 'value'}: a list of {len(node):,} items; at most {MAX_PARAM_LIST:,}"
            todo += [(f"{path}.{i}" if path else str(i), v) for i, v in enumerate(node)]
        elif isinstance(node, dict):
            todo += [(f"{path}.{k}" if path else str(k), v) for k, v in node.items()]
        else:
            return f"{path or 'value'}: a {type(node).__name__} is not bank data; params hold numbers, text, lists and mappings"
    return None


def _short_int(n: int) -> str:
    """A huge integer named without converting it all to decimal (Python refuses past 4300 digits)."""
    return str(n) if n.bit_length() < 64 else f"a {'-' if n < 0 else ''}number of about {int(n.bit_length() * 0.30103) + 1} digits"
