"""The command line that replays a session exactly: what each session's summary ends with."""

from __future__ import annotations


def replay_line(command: str, *, lead: dict | None = None, topics=(), questions=(), banks=(), **options) -> str:
    """The command line that reproduces a session exactly: every option that shaped it, in one place.
    ``lead`` options come before the -t/-q selection, ``options`` after it; keys are long option
    names (``minutes``, ``seed``; ``n`` is ``-n``); None and False are left out, True is a flag."""
    import shlex

    def flags(opts: dict) -> list[str]:
        out = []
        for name, value in opts.items():
            flag = "-n" if name == "n" else "--" + name.replace("_", "-")
            for v in value if isinstance(value, (list, tuple)) else [value]:  # a repeatable option: once per value
                if v is None or v is False:
                    continue
                text = format(v, "g") if isinstance(v, float) else str(v)
                out.append(flag if v is True else f"{flag} {shlex.quote(text)}")
        return out

    parts = [f"drill {command}", *(f"--bank {shlex.quote(b)}" for b in banks or ()), *flags(lead or {})]
    parts += [f"-t {shlex.quote(t)}" for t in topics or ()]
    parts += [f"-q {shlex.quote(q)}" for q in questions or ()]
    return " ".join(parts + flags(options))
