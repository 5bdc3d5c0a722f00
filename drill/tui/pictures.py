"""Pictures for walkthroughs: what a person would rather look at than read.

A picture is a function of one solved :class:`~drill.core.variants.Variant`, registered by topic::

    PICTURES["skip-connection"](variant)  -> a rich renderable, or None

It returns None when the variant's params are not the kind it can draw (a topic may have
several question families), so a walkthrough simply shows no picture. Pictures draw the
variant's own numbers and take every value that is an *answer* from the variant (the
solver's output), never from a second computation, so a picture cannot disagree with the
grader. What they do compute is layout: where a window sits, how many windows fit.

Highlighted cells are bracketed (``[5]``) as well as coloured, so the picture still reads
when the output is piped as plain text.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Optional

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.table import Table
from rich.text import Text

from drill.solvers._fmt import fmt

if TYPE_CHECKING:
    from drill.core.variants import Variant

__all__ = ["PICTURES", "picture", "picture_for", "grid", "window_strip", "residual_graph", "activation_plots", "probability_bars"]

Picture = Callable[["Variant"], Optional[RenderableType]]
PICTURES: dict[str, Picture] = {}

HIGHLIGHT = "bold black on yellow"
MAX_PICTURE_CELLS = 4_096  # cells along one axis of a drawing (a 1024-pixel image padded fits); checked before anything is built
MAX_GRID_CELLS = 40_000  # cells of a drawn grid or window, in all
OUTPUT_HIGHLIGHT = "bold black on cyan"


def picture(*topics: str) -> Callable[[Picture], Picture]:
    """Register ``fn`` as the picture of these topics."""

    def register(fn: Picture) -> Picture:
        for t in topics:
            PICTURES[t] = fn
        return fn

    return register


def picture_for(v: Variant) -> RenderableType | None:
    """The picture of this variant's topic, or None (no picture for the topic, or params it cannot draw)."""
    fn = PICTURES.get(v.question.topic)
    if fn is None:
        return None
    try:
        return fn(v)
    except Exception:  # noqa: BLE001 - params of a shape it does not draw; a picture never sinks a walkthrough (tests check each draws)
        if os.environ.get("DRILL_DEBUG"):
            raise
        return None


class Fit:
    """A picture with a compact form for a narrow terminal: ``wide`` when all of its lines fit the
    width rich offers, else ``narrow`` (never the wide one broken across lines); ``note`` (prose,
    which may wrap) follows either."""

    def __init__(self, wide: Text, narrow: RenderableType, note: Optional[Text] = None) -> None:
        self.wide, self.narrow, self.note = wide, narrow, note

    def width(self) -> int:
        return max((Text(line).cell_len for line in self.wide.plain.split("\n")), default=0)

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        yield self.wide if self.width() <= options.max_width else self.narrow
        if self.note is not None:
            yield self.note


# --- grids: convolution and pooling ------------------------------------------------------


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _matrix(x: Any) -> tuple[list[list[float]], str]:
    """A 2-D list of numbers from x; a (C, H, W) or (C_out, C_in, K, K) array gives its first slice."""
    note = []
    while isinstance(x, list) and x and isinstance(x[0], list) and x[0] and isinstance(x[0][0], list):
        note.append(f"[0] of {len(x)}")
        x = x[0]
    if not (isinstance(x, list) and x and all(isinstance(r, list) and r and all(_is_number(c) for c in r) for r in x)):
        raise ValueError("not a matrix")
    if len({len(r) for r in x}) != 1:
        raise ValueError("ragged matrix")
    return x, (" (slice " + ", ".join(note) + ")" if note else "")


def grid(
    values: list[list[Any]], *, pad: tuple[int, int] = (0, 0), pad_text: str = "0",
    highlight: set[tuple[int, int]] = frozenset(), style: str = HIGHLIGHT, title: str = "",
) -> Text:
    """A matrix as a grid of cells; ``highlight`` holds (row, col) in *padded* coordinates.

    Cells of the padding (``pad`` rows and columns on each side) show ``pad_text`` dimmed.
    A highlighted cell is shown as ``[v]`` and styled; every other cell as `` v ``.
    """
    ph, pw = pad
    rows, cols = len(values) + 2 * ph, len(values[0]) + 2 * pw
    _drawable(rows, cols)
    cells = [[pad_text] * cols for _ in range(rows)]
    for i, row in enumerate(values):
        for j, x in enumerate(row):
            cells[i + ph][j + pw] = x if isinstance(x, str) else fmt(x, 3)
    width = max(len(c) for row in cells for c in row)
    out = Text(title + "\n" if title else "", style="bold")
    for i in range(rows):
        for j in range(cols):
            text = cells[i][j].rjust(width)
            padded = not (ph <= i < rows - ph and pw <= j < cols - pw)
            if (i, j) in highlight:
                out.append(f"[{text}]", style=style)
            else:
                out.append(f" {text} ", style="dim" if padded else "")
        out.append("\n")
    out.rstrip()
    return out


def _drawable(*sizes: int) -> None:
    """Refuse (ValueError: no picture) a drawing too big to read, before it is built."""
    if any(n > MAX_PICTURE_CELLS for n in sizes) or (len(sizes) == 2 and sizes[0] * sizes[1] > MAX_GRID_CELLS):
        raise ValueError(f"too big to draw: {' × '.join(map(str, sizes))} cells")


def _window(top: int, left: int, k: tuple[int, int], d: tuple[int, int] = (1, 1)) -> set[tuple[int, int]]:
    _drawable(k[0], k[1])
    return {(top + a * d[0], left + b * d[1]) for a in range(k[0]) for b in range(k[1])}


def _side_by_side(*parts: RenderableType) -> Table:
    table = Table.grid(padding=(0, 3))
    for _ in parts:
        table.add_column(vertical="top")
    table.add_row(*parts)
    return table


def _output_grid(v: Variant, shape: tuple[int, int]) -> Text:
    """The output: the variant's answer when it is the whole output matrix, else empty cells."""
    values: list[list[Any]]
    _drawable(*shape)
    try:
        values, _ = _matrix(v.answer)
        if (len(values), len(values[0])) != shape:
            raise ValueError
    except ValueError:
        values = [["·"] * shape[1] for _ in range(shape[0])]
    return grid(values, highlight={(0, 0)}, style=OUTPUT_HIGHLIGHT, title=f"output {shape[0]}×{shape[1]}")


def _positions(n: int, span: int, s: int) -> list[int]:
    """Where a window of ``span`` cells starts along a (padded) axis of ``n`` cells, stride ``s``."""
    _drawable(n, span)
    return list(range(0, n - span + 1, s))


@picture("conv-forward")
def conv_forward_picture(v: Variant) -> RenderableType:
    """Input (padded) with the first window highlighted, the kernel, and the output with its first cell."""
    p = v.params
    x, xnote = _matrix(p["input"])
    w, wnote = _matrix(p["weight"])
    k = (len(w), len(w[0]))
    s = _pair(p.get("stride", 1))
    pad = _pair(p.get("padding", 0))
    oh = len(_positions(len(x) + 2 * pad[0], k[0], s[0]))
    ow = len(_positions(len(x[0]) + 2 * pad[1], k[1], s[1]))
    if not oh or not ow:
        raise ValueError("the kernel does not fit")
    padding = f", zero padding {pad[0]} per side (dim 0s)" if any(pad) else ""
    bias = p.get("bias")
    bias_text = ""
    if bias is not None:
        b = bias[0] if isinstance(bias, list) else bias
        bias_text = f" + bias {fmt(b)}"
    legend = Text.assemble(
        ("[ ]", HIGHLIGHT), f" the first {k[0]}×{k[1]} window: multiply it cell by cell with the kernel (not flipped: "
        f"cross-correlation), add up{bias_text} → ", ("[ ]", OUTPUT_HIGHLIGHT), f" output[0][0]. "
        f"Then slide {s[1]} column{'s' * (s[1] != 1)} right, and {s[0]} row{'s' * (s[0] != 1)} down at the end of a row.",
    )
    return Group(
        _side_by_side(
            grid(x, pad=pad, highlight=_window(0, 0, k), title=f"input {len(x)}×{len(x[0])}{xnote}{padding}"),
            grid(w, highlight=_window(0, 0, k), title=f"kernel {k[0]}×{k[1]}{wnote}"),
            _output_grid(v, (oh, ow)),
        ),
        legend,
    )


@picture("pooling")
def pooling_picture(v: Variant) -> RenderableType:
    """Input with the first pooling window highlighted, and the output with its first cell."""
    p = v.params
    x, xnote = _matrix(p["input"])
    k = _pair(p["kernel_size"])
    s = _pair(p["stride"] if p.get("stride") is not None else p["kernel_size"])
    pad = _pair(p.get("padding", 0))
    oh = len(_positions(len(x) + 2 * pad[0], k[0], s[0]))
    ow = len(_positions(len(x[0]) + 2 * pad[1], k[1], s[1]))
    if not oh or not ow:
        raise ValueError("the window does not fit")
    legend = Text.assemble(
        ("[ ]", HIGHLIGHT), f" the first {k[0]}×{k[1]} window → ", ("[ ]", OUTPUT_HIGHLIGHT),
        f" output[0][0]. The window moves {s[1]} column{'s' * (s[1] != 1)} right, then {s[0]} row{'s' * (s[0] != 1)} down; "
        "windows that would run past the edge are dropped (floor). Nothing here is learned.",
    )
    title = f"input {len(x)}×{len(x[0])}{xnote}" + (f", padding {pad[0]} per side (·)" if any(pad) else "")
    return Group(
        _side_by_side(grid(x, pad=pad, pad_text="·", highlight=_window(0, 0, k), title=title), _output_grid(v, (oh, ow))),
        legend,
    )


def window_strip(n: int, k: int, s: int, p: int, d: int = 1, *, show: int = 3, axis: str = "width") -> Text:
    """One axis as a strip of cells (``0`` padding, ``·`` input) and the windows that fit in it.

    Shows the first ``show`` window positions and the last, then how many cells floor drops.
    """
    total = n + 2 * p
    span = d * (k - 1) + 1
    starts = _positions(total, span, s)  # refuses a strip wider than MAX_PICTURE_CELLS before drawing it
    out = Text()
    out.append(f"{axis}: {n} cells + {p} zero{'s' * (p != 1)} on each side = {total}; kernel {k}"
               + (f" with dilation {d} (spans {span})" if d > 1 else "") + f", stride {s}\n", style="bold")
    label = len(str(len(starts))) + 2
    out.append(" " * label)
    out.append("0" * p, style="dim")
    out.append("·" * n)
    out.append("0" * p + "\n", style="dim")
    shown = list(enumerate(starts, start=1))
    if len(shown) > show + 1:
        shown = shown[:show] + [(None, None)] + shown[-1:]
    for i, start in shown:
        if i is None:
            out.append(" " * label + "⋮\n", style="dim")
            continue
        taps = "".join("█" if (c % d == 0) else "─" for c in range(span))
        out.append(f"{i:>{label - 2}}  " + " " * start)
        out.append(taps, style=HIGHLIGHT if i == 1 else "cyan")
        out.append("\n")
    last_end = starts[-1] + span if starts else 0
    dropped = total - last_end
    out.append(f"{len(starts)} window positions", style="bold")
    out.append(f": start every {s} cell{'s' * (s != 1)}, the last one ends at cell {last_end} of {total}")
    out.append(f"; the {dropped} cell{'s' * (dropped != 1)} after it cannot hold a whole window (floor)" if dropped else "")
    return out


@picture("conv-shapes")
def conv_shapes_picture(v: Variant) -> RenderableType:
    """A small input as a padded grid with the first window; a large one as a strip of window positions."""
    p = v.params
    layer = p["layer"]
    h, w = (int(n) for n in p["input_shape"][-2:])
    k = _pair(layer["kernel_size"])
    s = _pair(layer["stride"] if layer.get("stride") is not None else layer["kernel_size"])
    pad = _pair(layer.get("padding", 0))
    d = _pair(layer.get("dilation", 1))
    if h + 2 * pad[0] <= 16 and w + 2 * pad[1] <= 20:
        spans = [d[i] * (k[i] - 1) + 1 for i in (0, 1)]
        rows = len(_positions(h + 2 * pad[0], spans[0], s[0]))
        cols = len(_positions(w + 2 * pad[1], spans[1], s[1]))
        legend = Text.assemble(
            ("[·]", HIGHLIGHT), f" the first {k[0]}×{k[1]} window" + (f" (dilation {d[0]})" if d != (1, 1) else ""),
            f"; dim 0 = padding ({pad[0]} per side). It fits {rows} times down and {cols} times across → {rows}×{cols}.",
        )
        input_grid = grid([["·"] * w for _ in range(h)], pad=pad, highlight=_window(0, 0, k, d), title=f"input {h}×{w}, padded to {h + 2 * pad[0]}×{w + 2 * pad[1]}")
        return Group(input_grid, legend)
    return Group(window_strip(w, k[1], s[1], pad[1], d[1], axis="width"), Text("Height works the same way along the other axis.", style="dim"))


# --- the skip connection's computational graph ---------------------------------------


ARROW = "\x00arrow"  # a cell drawn as an arrow as wide as its column


def _columns(rows: list[list[str]], gap: int = 2) -> list[str]:
    """Rows of cells as lines of text, each column as wide as its widest cell (cells centred)."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]

    def show(cell: str, w: int) -> str:
        return "─" * (w - 1) + "▶" if cell == ARROW else cell.center(w)

    return ["".join(show(cell, widths[c]) + " " * gap for c, cell in enumerate(r)).rstrip() for r in rows]


def residual_graph(local_grads: list[float], upstream: float, answer: float) -> Fit:
    """F = x + B(x) as a graph: x → G → H → (+) = F → L with the identity edge x → (+) drawn above.

    Each edge carries its local derivative (∂head/∂tail) and, under it, the gradient flowing
    back along it (dL/d(head) · local). ``answer`` (dL/dx) is the solver's, shown at x.
    """
    names = ["x", *"GHKMNPQ"[: len(local_grads)], "(+) = F", "L"]
    edges = [f"∂{b}/∂{a}" for a, b in zip(names[:-3], names[1:-2])]
    edges.append(f"∂F/∂{names[-3]}")
    grads = [*local_grads, 1.0]
    # gradient at each node, from the top: dL/dF = u, then back through the branch
    at = [0.0] * (len(names) - 1)
    at[-1] = upstream
    for i in range(len(grads) - 1, -1, -1):
        at[i] = at[i + 1] * grads[i]
    back = [at[i + 1] * grads[i] for i in range(len(grads))]  # flowing back along edge i (= dL/d its tail)
    nodes_row, local_row, back_row = [], [], []
    for i, name in enumerate(names):
        nodes_row.append(name)
        local_row.append("")
        back_row.append("")
        if i < len(grads):
            nodes_row.append(ARROW)
            local_row.append(f"{edges[i]} = {fmt(grads[i], 4)}")
            back_row.append(f"◀ {fmt(back[i], 4)}")
        elif i == len(grads):
            nodes_row.append(ARROW)
            local_row.append(f"dL/dF = {fmt(upstream, 4)}")
            back_row.append("◀ " + fmt(upstream, 4))
    lines = _columns([nodes_row, local_row, back_row])
    x_mid = lines[0].index("x")
    plus_mid = lines[0].index("(+)") + 1
    label = f" identity: ∂F/∂x = 1 · ◀ {fmt(upstream, 4)} · 1 = {fmt(upstream, 4)} "
    inner = plus_mid - x_mid - 1
    if inner < len(label) + 2:
        label = " identity · 1 "
    left = (inner - len(label)) // 2
    arc = " " * x_mid + "┌" + "─" * left + label + "─" * (inner - left - len(label)) + "┐"
    drop = " " * x_mid + "│" + " " * inner + "▼"
    branch = fmt(at[0], 4)
    out = Text()
    out.append(arc + "\n", style="green")
    out.append(drop + "\n", style="green")
    out.append(lines[0] + "\n", style="bold")
    out.append(lines[1] + "\n", style="dim")
    out.append(lines[2], style="magenta")
    # the compact form: one edge a line, the gradient flowing back along it at the end
    short = [n.split(" ")[0] for n in names]  # "(+) = F" → "(+)"
    rows = [[f"{short[i + 1]} ← {short[i]}", f"{edges[i]} = {fmt(grads[i], 4)}", f"◀ {fmt(back[i], 4)}"] for i in range(len(grads))]
    rows.append(["(+) ← x", "identity: 1", f"◀ {fmt(upstream, 4)}"])
    rows.append(["L ← F", f"dL/dF = {fmt(upstream, 4)}", f"◀ {fmt(upstream, 4)}"])
    widths = [max(len(r[c]) for r in rows) for c in range(3)]
    narrow = Text(" → ".join(short) + "   (and x → (+): the identity)\n", style="bold")
    narrow.append("\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows), style="magenta")
    note = Text("dL/dx = identity + branch = ", style="bold")
    note.append(f"{fmt(upstream, 4)} + {branch} = ")
    note.append(fmt(answer, 4), style="bold green")
    note.append(f"   (branch: {fmt(upstream, 4)} · " + " · ".join(fmt(g, 4) for g in reversed(local_grads)) + f" = {branch})", style="dim")
    return Fit(out, narrow, note)


@picture("skip-connection")
def skip_connection_picture(v: Variant) -> RenderableType:
    p = v.params
    grads = p["local_grads"]
    if not grads or not all(_is_number(g) for g in grads):
        raise ValueError("stacked blocks are not drawn")
    answer = v.solved
    return residual_graph([float(g) for g in grads], float(p["upstream"]), float(answer))


# --- activations, plotted ---------------------------------------------------------------


class _Tiles:
    """Equal-width blocks laid out as many per row as the console's width allows."""

    def __init__(self, tiles: list[Text], width: int) -> None:
        self.tiles, self.width = tiles, width

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        per_row = max(1, (options.max_width + 2) // (self.width + 2))
        table = Table.grid(padding=(0, 2))
        for _ in range(min(per_row, len(self.tiles))):
            table.add_column(width=self.width, no_wrap=True, overflow="crop")
        for i in range(0, len(self.tiles), per_row):
            table.add_row(*self.tiles[i : i + per_row])
        yield table


def activation_plots(table: dict[str, tuple[Callable, Callable]], *, width: int = 46, height: int = 12, lo: float = -4.0, hi: float = 4.0) -> _Tiles:
    """Each f (line) and f' (dots) of ``table`` ({name: (f, f_prime)}, NumPy-vectorised), plotted with plotext.

    The plots sit side by side, as many as the terminal's width allows.
    """
    import numpy as np
    import plotext as plt

    xs = np.linspace(lo, hi, 161)
    fig = plt.figure
    tiles = []
    for name, (f, f_prime) in table.items():
        ys = np.broadcast_to(np.asarray(f(xs), dtype=float), xs.shape)
        dys = np.broadcast_to(np.asarray(f_prime(xs), dtype=float), xs.shape)
        fig.clear()
        fig.theme("simple")
        fig.plot_size(width, height)
        curve = fig.signal(xs.tolist(), ys.tolist())
        curve.lines()
        fig.draw(curve)
        fig.draw(fig.signal(xs.tolist(), dys.tolist(), marker="·"))
        fig.title(f"{name} (line) and its derivative (dots)")
        tiles.append(Text.from_ansi(fig.build().string()))
    fig.clear()
    return _Tiles(tiles, width)


@picture("activations")
def activations_picture(v: Variant) -> RenderableType | None:
    from drill.solvers.activations import ACTIVATIONS as table

    return Group(Text("Each function (line) and its derivative (dots) on [−4, 4]:", style="bold"), activation_plots(table))


# --- softmax + cross-entropy ------------------------------------------------------------


def probability_bars(logits: list[float], target: int, grad: list[float], *, width: int = 24) -> Text:
    """Per class: the logit, p as a bar, and p − y as a bar left (negative) or right of zero.

    ``grad`` is p − y (the solver's answer); p is read back from it as grad + y.
    """
    out = Text()
    half = width // 2
    out.append(f"{'class':>5}  {'z':>5}  {'p = softmax(z)':<{width + 8}}  p − y\n", style="bold")
    for i, (z, g) in enumerate(zip(logits, grad)):
        prob = g + (1.0 if i == target else 0.0)
        bar = "█" * round(prob * width)
        out.append(f"{i:>5}{'*' if i == target else ' '} {fmt(z, 3):>5}  ")
        out.append(bar.ljust(width), style="cyan")
        out.append(f" {fmt(prob, 3):>6}  ")
        n = round(abs(g) * half)
        if g < 0:
            out.append(" " * (half - n))
            out.append("█" * n, style="red")
            out.append("│" + " " * half)
        else:
            out.append(" " * half + "│")
            out.append("█" * n, style="green")
            out.append(" " * (half - n))
        out.append(f" {fmt(g, 3)}\n")
    out.rstrip()
    return out


def softmax_bars(logits: list[float], target: int, grad: list[float]) -> Fit:
    """The bars at full width, or with short bars on a narrow terminal; the reading note after."""
    note = Text(f"* the target class t = {target}: its p − y is p_t − 1 < 0 (push z_t up); every other class gets +p_i (push down).", style="dim")
    return Fit(probability_bars(logits, target, grad), probability_bars(logits, target, grad, width=8), note)


@picture("softmax-ce")
def softmax_ce_picture(v: Variant) -> RenderableType | None:
    p = v.params
    logits, target = p["logits"], int(p["target"])
    grad = v.answer
    if not (isinstance(grad, list) and len(grad) == len(logits) and all(_is_number(g) for g in grad)):
        return None  # the loss question's answer is a number, not p − y
    return softmax_bars([float(z) for z in logits], target, [float(g) for g in grad])
