"""What arrives on stdin: end of input, bytes that are not UTF-8, control characters, long lines.

Driven through a real subprocess (``python -m drill``) with raw bytes, as a shell pipe would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quiz(stdin: bytes, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "drill", "quiz", *(args or ("-q", "mlp-params", "--seed", "0"))]
    environ = {k: v for k, v in os.environ.items() if k not in ("DRILL_DEBUG", "DRILL_BANK")}
    environ.update({"COLUMNS": "100", **(env or {})})
    return subprocess.run(cmd, input=stdin, capture_output=True, cwd=ROOT, env=environ, timeout=60)


def no_crash(r: subprocess.CompletedProcess) -> str:
    err = r.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err
    assert r.returncode == 0, (r.returncode, err)
    return r.stdout.decode("utf-8", "replace")


def test_eof_before_any_answer_ends_cleanly():
    out = no_crash(quiz(b""))
    assert "No questions answered." in out


def test_eof_after_some_answers_prints_the_summary():
    out = no_crash(quiz(b"529411\n", "-q", "mlp-params", "-q", "conv-layer-params", "--seed", "0"))
    assert "Correct" in out and "Session summary" in out and "1/1" in out


def test_last_line_without_newline_is_still_graded():
    out = no_crash(quiz(b"529411"))
    assert "Correct" in out and "Session summary" in out


def test_non_utf8_bytes_are_unreadable_not_a_crash():
    out = no_crash(quiz(b"\xff\xfe\x80\xc3(\n529411\n"))
    assert "could not read" in out and "\ufffd" in out  # the bad bytes became U+FFFD, then asked again
    assert "Correct" in out and "Session summary" in out


def test_non_utf8_bytes_under_the_c_locale():
    out = no_crash(quiz(b"\xff\n529411\n", env={"LC_ALL": "C", "LANG": "C"}))
    assert "Correct" in out


def test_crlf_nul_and_a_100kb_line():
    out = no_crash(quiz(b"\x00\r\n" + b"9" * 100_000 + b"\r\n529411\r\n"))
    assert out.count("could not read") == 1 and "Correct" in out  # the NUL line; then the long line, refused:
    assert "That line is 100,000 characters; an answer is at most 10,000. Not read." in out and "9" * 10_001 not in out


def test_a_line_at_the_limit_is_read_and_one_over_is_not():
    out = no_crash(quiz(b" " * 9_995 + b"529411\n" + b" " * 9_994 + b"529411\n"))  # 10,001 then 10,000 characters
    assert "That line is 10,001 characters" in out and "That line is 10,000" not in out and "Correct" in out


def test_control_characters_are_not_echoed_raw():
    # piped answers are echoed after the prompt; raw ESC/BEL/bidi bytes would drive the user's terminal
    r = quiz(b"\x1b]0;pwned\x07\x1b[2J\xe2\x80\xae\n529411\n")
    out = no_crash(r)
    assert b"\x1b" not in r.stdout and b"\x07" not in r.stdout and "\u202e" not in out
    assert "\\x1b]0;pwned\\x07" in out  # shown visibly instead
    assert "Correct" in out


def test_a_terminal_that_cannot_encode_unicode_does_not_crash():
    # "·", "›" and "✓" on an ASCII/Latin-1 terminal raised UnicodeEncodeError (exit 70)
    for encoding in ("ascii", "latin-1"):
        out = no_crash(quiz(b"\xff\n529411\n", env={"PYTHONIOENCODING": encoding}))
        assert "Correct" in out and "Session summary" in out
