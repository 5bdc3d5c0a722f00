"""`drill export anki`: open the .apkg (a zip holding a SQLite collection) and read the notes back."""

from __future__ import annotations

import dataclasses
import html
import json
import sqlite3
import zipfile
from html.parser import HTMLParser

import pytest

import genanki
from typer.testing import CliRunner

from drill.cli import app
from drill.tui.anki import DECK_ID, FIELDS, MODEL_ID, export, note_fields
from drill.core.tolerance import precision_text
from drill.core.variants import make_variant

runner = CliRunner()


def read_notes(path, tmp_path) -> tuple[list[dict], dict]:
    """Notes as {guid, mid, tags, fields: {name: html}}, and the collection's model/deck ids."""
    with zipfile.ZipFile(path) as z:
        z.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = [
            {"guid": g, "mid": m, "tags": t.split(), "fields": dict(zip(FIELDS, f.split("\x1f"), strict=True))}
            for g, m, t, f in db.execute("select guid, mid, tags, flds from notes order by id")
        ]
        ids = {
            "models": [int(k) for k in json.loads(db.execute("select models from col").fetchone()[0])],
            "decks": [int(k) for k in json.loads(db.execute("select decks from col").fetchone()[0])],
            "card_decks": sorted({d for (d,) in db.execute("select did from cards")}),
        }
    finally:
        db.close()
    return notes, ids


class _Card(HTMLParser):
    """Card HTML read the way a browser lays it out: ``lines`` (a ``<br>``, a block element or a
    newline inside ``<pre>`` ends a line; outside ``<pre>`` runs of whitespace collapse), the text
    of each ``<li>`` and ``<pre>``, and every tag seen."""

    BLOCKS = {"div", "li", "ol", "ul", "pre", "hr", "table", "tr"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lines, self.items, self.pres, self.tags = [""], [], [], []
        self._pre = self._li = None
        self.feed(text)
        self.close()
        self.lines = [line for line in self.lines if line.strip()]

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "br" or tag in self.BLOCKS:
            self._newline()
        if tag == "pre":
            self._pre = ""
            if self._li:  # the block below a step's first line
                self._li += "\n"
        if tag == "li":
            self._li = ""

    def handle_endtag(self, tag):
        if tag == "pre":
            self.pres.append(self._pre)
            self._pre = None
        if tag == "li":
            self.items.append(self._li)
            self._li = None
        if tag in self.BLOCKS:
            self._newline()

    def handle_data(self, data):
        if self._li is not None:
            self._li += data
        if self._pre is not None:
            self._pre += data
            parts = data.split("\n")
            self.lines[-1] += parts[0]
            self.lines.extend(parts[1:])
        else:
            self.lines[-1] += " ".join(data.split("\n"))


def test_export_topic_notes_fields_and_stable_guids(bank, tmp_path):
    qs = bank.topics()["param-counts"]
    out = []
    for i in range(2):
        path = tmp_path / f"deck{i}.apkg"
        r = runner.invoke(app, ["export", "anki", str(path), "--topic", "param-counts", "--count", "2", "--seed", "0"])
        assert r.exit_code == 0, r.output
        assert f"{2 * len(qs)} notes" in r.output
        (tmp_path / f"x{i}").mkdir()
        out.append(read_notes(path, tmp_path / f"x{i}"))
    (first, ids), (second, _) = out
    assert len(first) == 2 * len(qs)
    expected = {genanki.guid_for(q.id, s) for q in qs for s in (0, 1)}
    assert {n["guid"] for n in first} == expected == {n["guid"] for n in second}
    assert {n["mid"] for n in first} == {MODEL_ID} and MODEL_ID in ids["models"]
    assert DECK_ID in ids["decks"] and ids["card_decks"] == [DECK_ID]
    by_guid = {n["guid"]: n for n in first}
    for q in qs:
        for s in (0, 1):
            v = make_variant(q, s)
            n = by_guid[genanki.guid_for(q.id, s)]
            words = precision_text(v.question, v.answer)  # what the quiz shows on its answer line
            shown = _Card(n["fields"]["Question"])
            assert shown.lines == v.prompt.split("\n") + ([f"({words})"] if words else [])
            assert n["fields"]["Answer"] == html.escape(v.expected, quote=False)
            assert n["fields"]["Options"] == ""
            assert n["fields"]["Steps"].count("<li>") == len(v.steps)
            for name, wrong in v.mistakes.items():  # every mistake with the wrong value it gives
                assert f"{html.escape(name, quote=False)}: <span class=\"wrong\">{v.atype.format(wrong)}</span>" in n["fields"]["Mistakes"]
            assert f"drill quiz -q {q.id} --seed {s}" in n["fields"]["Id"]
            assert set(n["tags"]) == {"drill", "param-counts", q.id}
    # the canonical variant carries the hand-worked key
    assert by_guid[genanki.guid_for("conv-layer-params", 0)]["fields"]["Answer"] == "34,944"


def test_multiple_choice_has_options_on_the_front_and_why_not_on_the_back(bank, tmp_path):
    v = make_variant(bank.questions["residual-grad-choice"], 0)
    f = note_fields(v)
    assert f["Options"].count("<div><b>") == len(v.choices)
    assert f"<b>A)</b> {v.choices[0]}" in f["Options"]
    letter = v.answer
    assert f["Answer"] == f"{letter}) {v.choices['ABCDEFGH'.index(letter)]}" and f["Answer"].endswith("0.101")
    name, wrong_letter = next(iter(v.mistakes.items()))
    assert f"{wrong_letter}) {v.choices['ABCDEFGH'.index(wrong_letter)]}" in f["Mistakes"]


def test_html_in_prompts_and_steps_is_escaped(bank, tmp_path):
    q = dataclasses.replace(bank.questions["conv-output-size"], prompt="Is H < 2 & W > 3? <b>x</b> for H = {input_shape.1}")
    v = make_variant(q, 0)
    v.steps = ["a < b && c > d"]
    path = tmp_path / "e.apkg"
    assert export(str(path), [v]) == 1
    (notes, _) = read_notes(path, tmp_path)
    f = notes[0]["fields"]
    assert f["Question"].split('<div class="precision">')[0] == "Is H &lt; 2 &amp; W &gt; 3? &lt;b&gt;x&lt;/b&gt; for H = 9"
    assert f["Steps"] == "<ol><li>a &lt; b &amp;&amp; c &gt; d</li></ol>"


def test_matrices_become_tables(bank):
    v = make_variant(bank.questions["stacked-residual-grad"], 0)
    f = note_fields(v)
    assert "<table" not in f["Question"]  # its matrix param is not shown as a placeholder
    q = dataclasses.replace(bank.questions["stacked-residual-grad"], prompt="Blocks {local_grads}, upstream {upstream}.")
    f = note_fields(make_variant(q, 0))
    assert f["Question"].count("<tr>") == 2 and "<td>0.5</td><td>0.4</td>" in f["Question"]


def test_unknown_topic_is_usage_error(tmp_path):
    r = runner.invoke(app, ["export", "anki", str(tmp_path / "x.apkg"), "--topic", "nope"])
    assert r.exit_code == 2 and "unknown topic" in r.output
    assert not (tmp_path / "x.apkg").exists()


def test_the_card_states_the_precision_the_quiz_states(bank):
    # issue 16: one place (drill.core.tolerance.precision_text) words the precision for quiz, interview and Anki
    from drill.core.tolerance import precision_text

    number = make_variant(bank.questions["residual-grad"], 0)
    assert precision_text(number.question, number.answer) == "3 significant figures are enough"
    assert "(3 significant figures are enough)" in note_fields(number)["Question"]
    assert "(exact integer)" in note_fields(make_variant(bank.questions["mlp-params"], 0))["Question"]
    assert "precision" not in note_fields(make_variant(bank.questions["residual-grad-choice"], 0))["Question"]


GRAPH_QUESTION = "zoo-gpt2-small-params"


def _assert_graph_card_structure(question_html: str, steps_html: str, v) -> None:
    q = _Card(question_html)
    graph = [line for line in v.prompt.split("\n") if line.startswith(" ")]
    assert len(q.pres) == 1 and q.pres[0].split("\n") == graph  # every graph line, indentation kept
    assert "    ln_1: LayerNorm(768)" in q.lines and "  h: repeat 12 × [" in q.lines  # nested 4 deep, block 2 deep
    s = _Card(steps_html)
    assert len(s.items) == len(v.steps) >= 3  # each step its own item
    for item, step in zip(s.items, v.steps):
        assert item == step  # its lines (a graph, a table) kept line by line
    table = next(step for step in v.steps if step.count("\n") > 3)  # the share table
    assert all(line in s.lines for line in table.split("\n"))  # one line per row


def test_graph_card_keeps_the_graph_indentation_and_one_line_per_step(bank):
    # issue 20 item 5: a graph prompt and its worked solution read as one paragraph in Anki
    v = make_variant(bank.questions[GRAPH_QUESTION], 0)
    f = note_fields(v)
    _assert_graph_card_structure(f["Question"], f["Steps"], v)
    assert _Card(f["Answer"]).lines == ["124,439,808"]


def test_card_text_is_escaped_in_blocks_too(bank):
    v = make_variant(bank.questions[GRAPH_QUESTION], 0)
    v.prompt = "Intro <script>alert(1)</script> &amp;\n  <b>x</b>: Linear(2, 3)\n    \\x1b[31m nested\nDone?"
    v.steps = ["first <i>\n  <script>x</script>\n    deeper &lt;"]
    f = note_fields(v)
    q, s = _Card(f["Question"]), _Card(f["Steps"])
    assert set(q.tags) <= {"pre", "br", "div"} and set(s.tags) <= {"ol", "li", "pre"}  # no tag came from the text
    assert q.lines[:4] == ["Intro <script>alert(1)</script> &amp;", "  <b>x</b>: Linear(2, 3)", "    \\x1b[31m nested", "Done?"]
    assert q.pres == ["  <b>x</b>: Linear(2, 3)\n    \\x1b[31m nested"]
    assert s.items == v.steps


def test_anki_itself_renders_the_graph_card(bank, tmp_path):
    """Render the card with Anki's own Python package (not a drill dependency: skipped without it)."""
    try:
        from anki.collection import Collection, ImportAnkiPackageRequest
    except ImportError as exc:
        pytest.skip(f"Anki's Python package (PyPI 'anki') is not installed: {exc}")
    v = make_variant(bank.questions[GRAPH_QUESTION], 0)
    path = tmp_path / "graph.apkg"
    assert export(str(path), [v]) == 1
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path)))
        (cid,) = col.find_cards("")
        card = col.get_card(cid)
        front, back = card.question(), card.answer()
    finally:
        col.close()
    prompt = front.split('<div class="prompt">', 1)[1]
    steps = back.split('<div class="steps"><b>Worked solution</b>', 1)[1].split("</div>", 1)[0]
    _assert_graph_card_structure(prompt, steps, v)
