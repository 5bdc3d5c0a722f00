"""Reading a bank file safely: a regular file within its folder and the size limit, one event scan
that refuses what must not be built (deep nesting, alias bombs, huge values, dates), then PyYAML's
safe loader; and the lines of fields, for messages. Only ``yaml.CSafeLoader``/``SafeLoader`` is used."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from drill.core.bank.limits import MAX_FILE_BYTES, MAX_INT_DIGITS, MAX_QUESTIONS_PER_FILE, MAX_TEXT_CHARS, MAX_YAML_CHARS, MAX_YAML_DEPTH, MAX_YAML_VALUES
from drill.core.bank.schema import BankError


def _safe_yaml() -> tuple[Any, Any]:
    """PyYAML and its safe loader (the C one when built), imported only when a file is parsed:
    a bank served from the cache never needs it."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_bank_file(path: Path, root: Path | None) -> bytes | str:
    """The bytes of a bank file, or why it cannot be read (one line).

    A bank file must be a regular file of at most :data:`MAX_FILE_BYTES`; one found in a bank
    folder must resolve (symlinks followed) to a file inside that folder. Nothing is opened
    before ``stat`` says it is a regular file, it is opened non-blocking (a FIFO swapped in
    cannot hang the read) and at most the limit + 1 bytes are read."""
    real = _resolve_bank_file(path, root)
    return real if isinstance(real, str) else _read_regular(real[0])


def _resolve_bank_file(path: Path, root: Path | None) -> tuple[str] | str:
    """(the file's resolved path,), or why it is refused (a dangling link, a loop, outside ``root``)."""
    try:
        real = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling link or a link loop
        return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    if root is not None:
        base = os.path.join(os.path.realpath(root), "")
        if not real.startswith(base):
            return "a symlink to a file outside the bank folder; bank files must live in the folder"
    return (real,)


def _read_regular(real: str) -> bytes | str:
    """The bytes of the regular file at resolved path ``real`` (see :func:`_read_bank_file`)."""
    import stat as st

    try:
        info = os.stat(real)
        if not st.S_ISREG(info.st_mode):
            return "not a regular file (a device, FIFO or directory); bank files are plain files"
        if info.st_size > MAX_FILE_BYTES:
            return f"file is {info.st_size:,} bytes; bank files are at most {MAX_FILE_BYTES:,} bytes (1 MiB): split it"
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        try:
            if not st.S_ISREG(os.fstat(fd).st_mode):
                return "not a regular file (a device, FIFO or directory); bank files are plain files"
            chunks, size = [], 0
            while size <= MAX_FILE_BYTES:
                chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:
        return f"file is over {MAX_FILE_BYTES:,} bytes; bank files are at most 1 MiB: split it"
    return data


def parse(name: str, raw_bytes: bytes) -> tuple[Any, "_Locator | None", BankError | None]:
    """(the file's data, its locator, None), or (None, None, the one problem that stops it being built)."""
    yaml, _Loader = _safe_yaml()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw_bytes.count(b"\n", 0, exc.start) + 1
        qid = _id_before(raw_bytes.decode("utf-8", "replace"), line)
        return None, None, BankError(name, f"not UTF-8: byte 0x{raw_bytes[exc.start]:02x} cannot be decoded; save the file as UTF-8", line, qid)
    try:
        shape, question_lines = _scan(text)
        if shape is not None:
            return None, None, BankError(name, shape[0], shape[1], _id_before(text, shape[1]), shape[2])
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "!!python" in str(exc) or "could not determine a constructor" in str(exc):
            problem = f"unsafe or unknown YAML tag ({problem.strip()}); banks are plain data"
        line = mark.line + 1 if mark else None
        return None, None, BankError(name, f"YAML error: {problem}", line, _id_before(text, line))
    return data, _Locator(text, question_lines), None


_ID_LINE = re.compile(r"^\s*-?\s*id:\s*[\"']?([a-z0-9][a-z0-9-]*)[\"']?\s*$")


def _id_before(text: str, line: int | None) -> str | None:
    """Best effort for a file YAML cannot parse: the id of the question written last before ``line``."""
    if not line:
        return None
    return next((m.group(1) for ln in reversed(text.splitlines()[:line]) if (m := _ID_LINE.match(ln))), None)


_INT_TEXT = r"[-+]?(?:0b[0-1_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)"  # YAML 1.1 ints

_DATE_TEXT = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}.*)?"  # and timestamps

_REFUSED_TAGS = {
    "tag:yaml.org,2002:binary": "binary data (!!binary)", "tag:yaml.org,2002:timestamp": "a date (!!timestamp)",
    "tag:yaml.org,2002:set": "a set (!!set)", "tag:yaml.org,2002:omap": "an ordered map (!!omap)",
    "tag:yaml.org,2002:pairs": "pairs (!!pairs)",
}


def _scalar_problem(event: Any) -> str | None:
    """Why one scalar must not be built: a value type banks do not use, a huge integer, a huge text."""
    tag, value = event.tag, event.value
    if tag in _REFUSED_TAGS:
        return f"{_REFUSED_TAGS[tag]} is not bank data; banks hold numbers, text, lists and mappings"
    if len(value) > MAX_TEXT_CHARS:
        return f"a text of {len(value):,} characters; at most {MAX_TEXT_CHARS:,} in one value"
    plain = event.implicit[0] and not event.style and tag is None
    if plain or tag == "tag:yaml.org,2002:int":
        digits = sum(c not in "+-_:" for c in value)
        if digits > MAX_INT_DIGITS and re.fullmatch(_INT_TEXT, value):
            return f"an integer of {digits:,} digits; at most {MAX_INT_DIGITS} digits"
    if plain and value[:1].isdigit() and "-" in value and re.fullmatch(_DATE_TEXT, value):
        return f"{value!r} reads as a date, which is not bank data; quote it if it is text"
    return None


def _scan(text: str) -> tuple[tuple[str, int, str | None] | None, list[int]]:
    """One pass over the parser's events: why ``text`` must not be built (with the line), and
    the line where each item of the top-level ``questions`` list starts.

    Refused: nesting too deep, too many values or too much text once aliases are expanded (a
    "billion laughs" file), an alias inside its own anchor (a recursive structure), more than
    :data:`MAX_QUESTIONS_PER_FILE` questions, and scalars :func:`_scalar_problem` refuses (dates,
    binary, sets, integers too long to convert). Events neither recurse nor build anything: the
    C loader's composer recurses until the process segfaults on ~50,000 nested brackets, and an
    alias bomb builds fine but hangs whatever walks it. The question lines come free here, so a
    valid file never needs a second, composed tree just to number its questions."""
    yaml, _Loader = _safe_yaml()
    stack: list[list] = [[0, 0, None, False, 0, None]]  # per open collection: values and characters inside so
    # far, its anchor, whether a mapping, children so far, the current key (for naming the field at fault)
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, characters) it stands for
    total = chars = written = 0  # values and characters with aliases expanded; values as written
    lines: list[int] = []
    root_events = 0  # events directly inside the root mapping: keys at even positions
    questions_depth = -1  # the stack depth of the items of the top-level questions list
    last_root_key = None

    def at(problem: str, event: Any) -> tuple[tuple[str, int, str | None], list[int]]:
        return (problem, event.start_mark.line + 1, _field_of(stack)), lines

    for event in yaml.parse(text, Loader=_Loader):
        depth = len(stack) - 1
        if isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            parent = stack[-1]
            if parent[3] and parent[4] % 2 == 0:
                parent[5] = getattr(event, "value", None)  # a mapping key
            elif not parent[3]:
                parent[5] = parent[4]  # a list index
            parent[4] += 1
        if depth == questions_depth and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            lines.append(event.start_mark.line + 1)
            if len(lines) > MAX_QUESTIONS_PER_FILE:
                return at(f"more than {MAX_QUESTIONS_PER_FILE:,} questions in one file; split it into smaller files", event)
        if depth == 1 and isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
            if root_events % 2 == 0:
                last_root_key = getattr(event, "value", None)
            elif last_root_key == "questions" and isinstance(event, yaml.SequenceStartEvent):
                questions_depth = 2
            root_events += 1
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if event.tag in _REFUSED_TAGS:
                return at(f"{_REFUSED_TAGS[event.tag]} is not bank data; banks hold numbers, text, lists and mappings", event)
            stack.append([0, 0, event.anchor, isinstance(event, yaml.MappingStartEvent), 0, None])
            if len(stack) - 1 > MAX_YAML_DEPTH:
                return at(f"YAML nested more than {MAX_YAML_DEPTH} levels deep", event)
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            if depth == questions_depth:  # the questions list ends: later depth-2 nodes are not questions
                questions_depth = -1
            count, size, anchor = stack.pop()[:3]
            if anchor:
                sizes[anchor] = (count + 1, size)
            stack[-1][0] += count + 1
            stack[-1][1] += size
            continue
        if isinstance(event, yaml.ScalarEvent):
            problem = _scalar_problem(event)
            if problem:
                return at(problem, event)
            added, size = 1, len(event.value)
            written += 1
            if event.anchor:
                sizes[event.anchor] = (1, size)
        elif isinstance(event, yaml.AliasEvent):
            if any(frame[2] == event.anchor for frame in stack):
                return at(f"alias *{event.anchor} is inside its own anchor &{event.anchor} (a recursive structure); banks are trees", event)
            added, size = sizes.get(event.anchor, (1, 0))
        else:
            continue
        stack[-1][0] += added
        stack[-1][1] += size
        total += added
        chars += size
        if written > MAX_YAML_VALUES:
            return at(f"the file holds more than {MAX_YAML_VALUES:,} values; banks are small: split it into smaller files", event)
        if total > MAX_YAML_VALUES:
            return at(f"YAML expands to more than {MAX_YAML_VALUES:,} values (aliases repeating aliases?); banks are small", event)
        if chars > MAX_YAML_CHARS:
            return at(f"YAML expands to more than {MAX_YAML_CHARS:,} characters of text (aliases repeating long text?); banks are small", event)
    return None, lines


def _field_of(stack: list[list]) -> str | None:
    """The dotted path of the value being scanned, within its question when inside one
    (``params.layers.0.num_layers``), else from the top (``explain.summary``)."""
    path = [str(frame[5]) for frame in stack[1:] if frame[5] is not None]  # stack[0]: the document
    if len(path) >= 2 and path[0] == "questions":
        path = path[2:]
    return ".".join(path) or None


class _Locator:
    """Finds the line of ``questions[i].field``: question lines from the event scan, anything
    deeper by composing the node tree (only on errors)."""

    def __init__(self, text: str, question_lines: list[int] | None = None) -> None:
        self.text = text
        self.question_lines = question_lines or []
        self._root: Any = None

    def _tree(self) -> Any:
        yaml, _Loader = _safe_yaml()
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                return None
        return self._root

    def field(self, qid: str, name: str) -> int | None:
        """The line of field ``name`` of the question whose id is ``qid``."""
        yaml, _Loader = _safe_yaml()
        root = self._tree()
        questions = next((v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "questions"), None)
        for i, item in enumerate(getattr(questions, "value", [])):
            if isinstance(item, yaml.MappingNode) and any(k.value == "id" and getattr(v, "value", None) == qid for k, v in item.value):
                return self("questions", i, name)
        return None

    def question_index(self) -> dict[str, int]:
        """{question id: its index in the questions list}, from one composed tree."""
        yaml, _Loader = _safe_yaml()
        root = self._tree()
        questions = next((v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "questions"), None)
        out: dict[str, int] = {}
        for i, item in enumerate(getattr(questions, "value", [])):
            if isinstance(item, yaml.MappingNode):
                qid = next((getattr(v, "value", None) for k, v in item.value if getattr(k, "value", None) == "id"), None)
                if isinstance(qid, str):
                    out.setdefault(qid, i)
        return out

    def __call__(self, *path: Any) -> int | None:
        yaml, _Loader = _safe_yaml()
        if len(path) == 2 and path[0] == "questions" and isinstance(path[1], int) and path[1] < len(self.question_lines):
            return self.question_lines[path[1]]
        node, line = self._tree(), None
        if node is None:
            return None
        for key in path:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == key), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line
