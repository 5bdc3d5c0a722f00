"""``drill export anki``: one Anki note per variant, as a ``.apkg`` package (via genanki).

Front: the prompt (matrices as tables) and, for multiple choice, the lettered options.
Back: the answer, the worked steps, and each classic mistake with the wrong value it gives.

Re-importing updates instead of duplicating: the note type and the deck have fixed ids
(:data:`MODEL_ID`, :data:`DECK_ID`; never change them), and each note's guid is
``genanki.guid_for(question_id, seed)`` — the same variant always maps to the same note.
All text is HTML-escaped (prompts contain <, > and &); line structure is kept: a prompt's or a
step's indented lines (a graph, a table) go in a ``<pre>`` block, each step is its own ``<li>``.
genanki is imported only here.
"""

from __future__ import annotations

import html
from typing import Callable, Iterable

from drill.core.bank import Question
from drill.core.answers.choice import LETTERS
from drill.core.variants import Variant, VariantError, make_variant

__all__ = ["MODEL_ID", "DECK_ID", "FIELDS", "note_fields", "note_guid", "variants_for", "export"]

MODEL_ID = 1_840_276_513  # fixed forever: a new id would make Anki see a new note type
DECK_ID = 2_059_400_117  # fixed forever: the "drill" deck
DECK_NAME = "drill"
MODEL_NAME = "drill question (v1)"
FIELDS = ("Question", "Options", "Answer", "Steps", "Mistakes", "Id")

FRONT = """<div class="prompt">{{Question}}</div>
{{#Options}}<div class="options">{{Options}}</div>{{/Options}}"""
BACK = """{{FrontSide}}
<hr id="answer">
<div class="answer"><b>Answer:</b> {{Answer}}</div>
<div class="steps"><b>Worked solution</b>{{Steps}}</div>
{{#Mistakes}}<div class="mistakes"><b>Common mistakes</b>{{Mistakes}}</div>{{/Mistakes}}
<div class="id">{{Id}}</div>"""
CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; color: black; background: white; }
.options div { margin: 0.2em 0; }
.steps ol, .mistakes ul { margin-top: 0.3em; }
pre.block { font-family: monospace; font-size: 15px; white-space: pre-wrap; margin: 0.3em 0; }
.wrong { font-family: monospace; }
table.matrix td { padding: 0 0.5em; text-align: right; font-family: monospace; }
.id { color: #888; font-size: 12px; margin-top: 1em; }"""


def note_guid(question_id: str, seed: int) -> str:
    import genanki

    return genanki.guid_for(question_id, seed)


def _e(text: object) -> str:
    return html.escape(str(text), quote=False)


PRE = '<pre class="block" style="white-space: pre-wrap">'  # inline too: an older note type's CSS lacks the rule


def _text_html(text: str) -> str:
    """Plain text as card HTML that keeps its structure: a run of indented lines (a graph, a
    table) becomes one ``<pre>`` block with its indentation; other lines are separated by
    ``<br>``. Everything is HTML-escaped."""
    out: list[str] = []
    block: list[str] = []
    plain: list[str] = []

    def flush_plain() -> None:
        if plain:
            out.append("<br>".join(_e(line) for line in plain))
            plain.clear()

    for line in text.split("\n"):
        if line[:1] in (" ", "\t") and line.strip():
            flush_plain()
            block.append(line)
            continue
        if block:
            out.append(PRE + _e("\n".join(block)) + "</pre>")
            block.clear()
        plain.append(line)
    if block:
        out.append(PRE + _e("\n".join(block)) + "</pre>")
    flush_plain()
    return "".join(out)


def _step_html(step: str) -> str:
    """One worked step as a list item: its first line as text, the lines below it (a graph, a
    table) as a ``<pre>`` block, so they never run together into one paragraph."""
    first, _, rest = step.partition("\n")
    return "<li>" + _e(first) + (PRE + _e(rest) + "</pre>" if rest else "") + "</li>"


def _matrix(name: str, rows: list[list]) -> str:
    from drill.solvers._fmt import fmt

    body = "".join("<tr>" + "".join(f"<td>{_e(fmt(x))}</td>" for x in row) + "</tr>" for row in rows)
    return f'<div>{_e(name)}</div><table class="matrix">{body}</table>'


def _is_matrix(value: object) -> bool:
    return (isinstance(value, list) and len(value) > 1 and all(isinstance(r, list) and r for r in value)
            and all(isinstance(x, (int, float)) for r in value for x in r))


def note_fields(v: Variant) -> dict[str, str]:
    """The note's fields as HTML, every piece of text escaped."""
    from drill.core.tolerance import precision_text

    question = _text_html(v.prompt)
    precision = precision_text(v.question, v.answer)  # the words the quiz shows before answering
    for name in v.question.placeholders:
        value = v.params.get(name)
        if _is_matrix(value):
            question += _matrix(name, value)
    options = ""
    if v.choices is not None:
        options = "".join(f"<div><b>{LETTERS[i]})</b> {_e(c)}</div>" for i, c in enumerate(v.choices))
    steps = "<ol>" + "".join(_step_html(s) for s in v.steps) + "</ol>"
    mistakes = ""
    if v.mistakes:
        items = []
        for name, wrong in v.mistakes.items():
            shown = v.atype.shown(wrong, v.choices)
            items.append(f'<li>{_e(name)}: <span class="wrong">{_e(shown)}</span></li>')
        mistakes = "<ul>" + "".join(items) + "</ul>"
    q = v.question
    ident = f"{_e(q.topic)} · {_e(q.title)} · {_e(q.id)} seed {v.seed} · replay: drill quiz -q {_e(q.id)} --seed {v.seed}"
    if precision:
        question += f'<div class="precision">({_e(precision)})</div>'
    return {"Question": question, "Options": options, "Answer": _e(v.expected), "Steps": steps, "Mistakes": mistakes, "Id": ident}


def variants_for(questions: Iterable[Question], count: int, seed: int, warn: Callable[[str], None] | None = None) -> list[Variant]:
    """Variants seed, seed+1, …, seed+count−1 of every question (seed 0 = the canonical one)."""
    out = []
    for q in questions:
        for s in range(seed, seed + count):
            try:
                out.append(make_variant(q, s))
            except VariantError as exc:
                if warn:
                    warn(f"skipped {q.id} seed {s}: {exc}")
    return out


def export(path: str, variants: Iterable[Variant], timestamp: float | None = None) -> int:
    """Write the variants as one deck to ``path`` (.apkg); returns the number of notes."""
    import genanki

    model = genanki.Model(
        MODEL_ID, MODEL_NAME, fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Question → answer", "qfmt": FRONT, "afmt": BACK}], css=CSS,
    )
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Randomized deep-learning interview calculations from drill.")
    n = 0
    for v in variants:
        fields = note_fields(v)
        tags = ["drill", v.question.topic, v.question.id]
        deck.add_note(genanki.Note(model=model, fields=[fields[f] for f in FIELDS], tags=tags, guid=note_guid(v.question.id, v.seed)))
        n += 1
    genanki.Package(deck).write_to_file(path, timestamp=timestamp)
    return n
