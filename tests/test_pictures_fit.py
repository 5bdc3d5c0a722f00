"""Pictures below 80 columns: the compact form, never the wide drawing broken across lines."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from drill.tui import pictures
from drill.core.variants import make_variant


def render(renderable, width: int) -> list[str]:
    c = Console(width=width, file=io.StringIO(), color_system=None)
    c.print(renderable)
    return c.file.getvalue().splitlines()


@pytest.mark.parametrize("qid", ["residual-grad", "softmax-ce-grad"])
def test_a_wide_picture_gives_its_compact_form_on_a_narrow_terminal(bank, qid):
    for seed in range(4):
        fit = pictures.picture_for(make_variant(bank.questions[qid], seed))
        assert isinstance(fit, pictures.Fit)
        assert fit.width() > 60  # the drawing itself does not fit 60 columns
        wide = fit.wide.plain.split("\n")
        narrow = fit.narrow.plain.split("\n")
        assert render(fit, 120)[: len(wide)] == [line.rstrip() for line in wide]
        at_60 = render(fit, 60)
        assert at_60[: len(narrow)] == [line.rstrip() for line in narrow]  # whole lines, none broken
        assert all(len(line) <= 60 for line in narrow)


def test_the_compact_skip_connection_picture_keeps_every_number(bank):
    v = make_variant(bank.questions["residual-grad"], 1)  # dG/dx = 0.8, dH/dG = 0.7, dL/dF = 0.3
    text = "\n".join(render(pictures.picture_for(v), 60))
    for value in ("0.8", "0.7", "0.3", "◀ 0.168", "◀ 0.21", "0.468"):
        assert value in text
    assert "(+) ← x" in text  # the identity edge


def test_explain_cuts_a_long_panel_title_with_an_ellipsis(bank):
    from drill.tui import explain_page as ex

    w = ex.build(bank, "llm-arithmetic", 0)
    lines = render(ex.render(w), 30)
    top = next(line for line in lines if line.startswith("╭"))
    assert "…" in top and len(top) <= 30 and top.endswith("╮")
