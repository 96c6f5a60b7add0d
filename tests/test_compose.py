"""Paragraph composition for the print edition: the breaker on known paragraphs and
its rules, the measure against WeasyPrint's own, and real PDFs read back (every
paragraph set as composed, the typographer's figures within the targets, the
text the source text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from longread import theme as themes
from longread.compose import breaks, hyphenate
from longread.compose.breaks import Break, Problem, Rules, balance, total_fit
from longread.compose.measure import Measure, TextStyle
from longread.compose.paragraph import Paragraph, Run, problem
from longread.render.article import render_article
from longread.source.read import read
from longread.typeset import typeset
from page_figures import figures, page_lines
from validators import make, squash

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "manuscript" / "last-take-review.md"
FEATURES = ROOT / "tests" / "fixtures" / "features" / "features.md"
ESSAY = ROOT / "tests" / "fixtures" / "ecclesiastes" / "ecclesiastes.md"
THEME = themes.load("magazine")
REGULAR = THEME.face(400, "normal").path
ITALIC = THEME.face(400, "italic").path
BODY = TextStyle(REGULAR, 16.0, (("clig", 1), ("kern", 1), ("liga", 1)), lang="en-US")


# --- the breaker, on paragraphs of known widths -------------------------------------


def words_problem(words: list[str], width: float, space: float = 4.0, em: float = 8.0) -> Problem:
    """A paragraph whose letters are ``em`` wide and word spaces ``space`` wide."""
    text = " ".join(words)
    found, x, at = [Break(0, 0, 0.0, 0.0)], 0.0, 0
    for word in words[:-1]:
        x, at = x + len(word) * em, at + len(word)
        found.append(Break(at, at + 1, x, x + space, gap=space))
        x, at = x + space, at + 1
    end = x + len(words[-1]) * em
    found.append(Break(len(text), len(text), end, end))
    spaces = [0]
    for c in text:
        spaces.append(spaces[-1] + (c == " "))
    return Problem(tuple(found), tuple(spaces), (width,), space)


def line_widths(p: Problem, chosen: list[int]) -> list[float]:
    starts = [p.breaks[0]] + [p.breaks[i] for i in chosen[:-1]]
    return [p.breaks[b].end_width - a.start_width for a, b in zip(starts, chosen, strict=True)]


def ratios(p: Problem, chosen: list[int]) -> list[float]:
    starts = [p.breaks[0]] + [p.breaks[i] for i in chosen[:-1]]
    out = []
    for line, (a, b) in enumerate(zip(starts, chosen[:-1], strict=False)):
        spaces = p.spaces[p.breaks[b].end] - p.spaces[a.start]
        out.append((p.width(line) - line_widths(p, chosen)[line]) / (spaces * p.stretch))
    return out


def greedy(p: Problem) -> list[int]:
    chosen, start, line = [], 0, 0
    while chosen[-1:] != [len(p.breaks) - 1]:
        room = p.width(line) + p.breaks[start].start_width
        fits = [b for b in range(start + 1, len(p.breaks)) if p.breaks[b].end_width <= room]
        chosen.append(fits[-1])
        start, line = fits[-1], line + 1
    return chosen


# Knuth and Plass's point in miniature: first fit fills the first line and leaves
# the second with great gaps; total fit gives a little to each.
KNOWN = "aaa bb cc ddddd eeeeeee ff gggggggg hh iiii jjjj kkkk".split()


def test_total_fit_spreads_the_space_first_fit_leaves_in_one_line():
    p = words_problem(KNOWN, width=130)
    first_fit, total = greedy(p), total_fit(p)
    assert total is not None
    assert max(ratios(p, total)) < max(ratios(p, first_fit))
    assert len(total) == len(first_fit)  # no line is added to buy the evenness


def test_every_line_fits_and_the_next_line_would_not():
    """What makes the breaks reproducible in the PDF: WeasyPrint sets a line's
    group whole or not at all, so the following group must never fit beside it."""
    for width in (96, 130, 161, 203):
        p = words_problem(KNOWN * 3, width=width)
        chosen = total_fit(p)
        widths = line_widths(p, chosen)
        assert all(w <= width - breaks.SLACK for w in widths)
        for line, following in zip(widths, widths[1:], strict=False):
            assert line + 4.0 + following > width  # 4.0: the word space


def test_no_line_fits_when_a_word_is_wider_than_the_measure():
    assert total_fit(words_problem(["a", "b" * 20, "c"], width=100)) is None


def test_balance_makes_display_lines_even():
    words = "A Harrowing Documentary Examines Who’s to Blame for the Rust Shooting".split()
    p = words_problem(words, width=200)
    even = line_widths(p, balance(p))
    assert len(even) == len(greedy(p))
    assert max(even) - min(even) < max(line_widths(p, greedy(p))) - min(line_widths(p, greedy(p)))


# --- the rules, on real words in the theme's font ------------------------------------


def paragraph(text: str, width: float, justified: bool = True, runs: list[Run] | None = None) -> Paragraph:
    measure = Measure({f.path: f.path.read_bytes() for f in THEME.faces})
    runs = runs or [Run(0, len(text), BODY, (), hyphens="auto", limits=(6, 3, 3))]
    par = Paragraph(None, text, runs, (width,), justified, "\u2010", measure.width(" ", BODY))
    par.index()
    return par, measure


def composed(text: str, width: float, **kw) -> list[str]:
    par, measure = paragraph(text, width, **kw)
    p = problem(par, measure, Rules(), display=not par.justified)
    chosen = balance(p) if not par.justified else total_fit(p)
    lines, start = [], p.breaks[0]
    for b in chosen:
        end = p.breaks[b]
        lines.append(text[start.start : end.end] + ("\u2010" if end.hyphenation else ""))
        start = end
    return lines


SENTENCE = (
    "Two experienced armorers had already quit as production was imminent, and "
    "Gutierrez-Reed was available and cheap. She had woefully little on-set "
    "experience, but her father, Thell Reed, is a legendary armorer who taught "
    "innumerable Hollywood stars how to spin their six-shooters on camera."
)


@pytest.mark.parametrize("width", [180, 230, 290, 350, 441.6])
def test_the_last_line_holds_two_words_and_the_last_word_is_whole(width):
    lines = composed(SENTENCE, width)
    assert len(lines[-1].split()) >= 2
    assert lines[-1].endswith("on camera.")


def test_hyphens_only_in_lower_case_words_and_never_in_the_last():
    par, measure = paragraph(SENTENCE, 300)
    offered = [b.end for b in problem(par, measure, Rules()).breaks if b.hyphenation]
    assert offered  # experienced, available, legendary, innumerable ...
    for at in offered:
        word = SENTENCE[:at].split()[-1] + SENTENCE[at:].split()[0]
        assert word[:1].islower(), word
        assert at < SENTENCE.rindex(" ")


def test_no_line_starts_with_a_dash():
    text = (
        "It’s for us to draw the inference that searching for the perfect shot\u2060—a goal of "
        "every cinematographer\u2060—might have put her in harm’s way."
    )
    for width in range(150, 420, 7):
        assert not any(line.startswith(("—", "\u2060—")) for line in composed(text, width))


def test_hyphenation_points_follow_the_dictionary_and_the_house_rules():
    assert hyphenate.points("innumerable", "en-US", (6, 3, 3)) == (4, 7)  # innu-mer-able
    assert hyphenate.points("investigation,", "en-US", (6, 3, 3))
    assert hyphenate.points("Hollywood", "en-US", (6, 3, 3)) == ()  # a proper name
    assert hyphenate.points("woman’s", "en-US", (6, 3, 3)) == ()  # a possessive
    assert hyphenate.points("cheap", "en-US", (6, 3, 3)) == ()  # under the limit
    assert hyphenate.points("labour", "en-GB", (5, 2, 2))


def test_ladders_stop_at_two():
    # Free hyphens, wanted on every line: still never three in a row.
    rules = Rules(tolerances=(0, 0, breaks.INFINITELY_BAD), hyphen_penalty=0, double_hyphen_demerits=0)
    text = " ".join(["characterization internationalization"] * 12 + ["the end."])
    par, measure = paragraph(text, 200)
    p = problem(par, measure, rules)
    chosen = total_fit(p, rules)
    run = longest = 0
    for b in chosen:
        run = run + 1 if p.breaks[b].flagged else 0
        longest = max(longest, run)
    assert 0 < longest <= 2


def test_display_type_strands_no_one_letter_word_or_opening_quote():
    text = "A documentary about a “film set” at a ranch in a desert near a town"
    for width in range(120, 330, 9):
        for line in composed(text, width, justified=False)[:-1]:
            last = line.split()[-1]
            assert not (len(last) == 1 and last.isalpha()), line
            assert not last.endswith("“"), line


# --- the measure is WeasyPrint's ---------------------------------------------------


@pytest.mark.parametrize(
    "css, text",
    [
        ("", "innumerable Hollywood stars, “commercial value” — office affluent"),
        ("font-style: italic", "Last Take: Rust and the Story of Halyna"),
        ("font-variant: small-caps; letter-spacing: 0.03em", "Part memorial, part procedural,"),
        ("font-weight: 700; font-size: 20px", "A Harrowing Documentary"),
    ],
)
def test_widths_are_the_ones_weasyprint_lays_out(css, text):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.text.line_break import split_first_line

    from longread.compose.styles import Styles

    config = FontConfiguration()
    sheet = CSS(
        string=theme_faces() + f'p {{ font-family: "Gentium Book Plus"; font-kerning: normal; {css} }}',
        font_config=config,
    )
    page = HTML(string=f'<html lang="en-US"><body><p>{text}</p></body></html>')
    styles = Styles(page, [sheet], config, THEME.faces)
    p = next(el for el in page.etree_element.iter() if el.tag == "p")
    measure = Measure({f.path: f.path.read_bytes() for f in THEME.faces})
    theirs = split_first_line(text, styles(p), None, None, 0)[3]
    assert measure.width(text, styles.text_style(styles(p))) == pytest.approx(theirs, abs=0.05)


# --- the print makeup's inline elements ---------------------------------------------

MAKEUP_CSS = """
@page { size: 420px 600px; margin: 40px; }
html { font-family: "Gentium Book Plus"; font-size: 16px; line-height: 1.4; }
p { text-align: justify; hyphens: auto; margin: 0; }
.drop-cap { float: left; position: relative; font-size: 4.2em; line-height: 0.7; margin: 0 0.05em 0 -0.02em; }
.drop-cap .hang { position: absolute; right: 100%; top: 0; font-size: 0.6em; }
.footnote { float: footnote; font-size: 0.8rem; line-height: 1.3; text-align: left; }
.footnote::footnote-call, .footnote::footnote-marker { content: none; }
a.noteref { font-size: 0.7em; vertical-align: super; line-height: 0; }
.end-mark { display: inline-block; width: 0.42em; height: 0.42em; margin-left: 0.45em; background: red; }
"""


def theme_faces() -> str:
    """The theme's four faces as @font-face rules."""
    return "".join(
        f'@font-face {{ font-family: "Gentium Book Plus"; font-weight: {f.weight}; font-style: {f.style}; '
        f"src: url({f.path.as_uri()}); }}"
        for f in THEME.faces
    )


def makeup_sheets():
    """A font configuration and the makeup's stylesheet with the theme's faces."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    return config, [CSS(string=theme_faces() + MAKEUP_CSS, font_config=config)]


def made_up_paragraph(words: str) -> str:
    """A paragraph as the makeup hands it over: a drop cap with a hung quote, a note
    at its call, an end mark."""
    return (
        '<html lang="en-US"><body><p><span class="drop-cap"><span class="hang">\u201c</span>A</span>'
        + words
        + '<a class="noteref" href="#fn-1" id="fnref-1">1</a><span class="footnote" id="fn-1">'
        "A note that is long enough to need lines of its own at the foot of the page, "
        "several of them, none of which belongs to the paragraph.</span>"
        " and the paragraph goes on after its note to the end of its last sentence."
        '<span class="end-mark" aria-hidden="true"></span></p></body></html>'
    )


def test_the_makeups_note_drop_cap_and_end_mark_are_composed_and_verified():
    """Wherever the call falls in the line (the word count before it moves it, to
    the end of a line too), its note is set in that line's group, the drop cap
    stands beside the groups, the end mark closes the last group; WeasyPrint sets
    the lines as composed, and the note's own lines, in the notes area, are not
    read as the paragraph's."""
    config, sheets = makeup_sheets()
    at_line_end = 0
    for calls in range(20, 60):
        words = " ".join((SENTENCE + " " + SENTENCE).split()[:calls]).rstrip(".,")
        at_line_end += composed_with_note(made_up_paragraph("ll " + words), sheets, config)
    assert at_line_end >= 2


def test_the_empty_text_boxes_composed_lines_end_with_are_dropped_and_nothing_else(tmp_path):
    """Where a composed line breaks, WeasyPrint leaves the space between two groups
    as an empty text box; taking them out leaves every word where it was."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from longread.compose import compose
    from longread.compose.handoff import drop_empty_text
    from validators import pdf_words

    config, sheets = makeup_sheets()
    html = HTML(string=f'<html lang="en-US"><body><p>{SENTENCE} <em>{SENTENCE}</em> {SENTENCE}</p></body></html>')
    compose(html, sheets, config, THEME.faces, {f.path: f.path.read_bytes() for f in THEME.faces})
    doc = html.render(font_config=config, stylesheets=sheets)
    lines = [b for b in doc.pages[0]._page_box.descendants() if isinstance(b, boxes.LineBox)]

    def empty() -> int:
        return sum(type(c) is boxes.TextBox and c.text == "" for line in lines for c in line.children)

    before = empty()
    (tmp_path / "before.pdf").write_bytes(doc.write_pdf())
    assert len(lines) > 3 and before >= len(lines) // 2  # most lines (not those ending at a hyphen)
    assert drop_empty_text(doc) == before and empty() == 0
    (tmp_path / "after.pdf").write_bytes(doc.write_pdf())
    assert pdf_words(tmp_path / "after.pdf") == pdf_words(tmp_path / "before.pdf")


def composed_with_note(markup: str, sheets, config) -> bool:
    """Compose and lay out the one paragraph of ``markup``; whether its call ended a line."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    from longread.compose import compose

    html = HTML(string=markup)
    composition = compose(html, sheets, config, THEME.faces, {f.path: f.path.read_bytes() for f in THEME.faces})
    assert (composition.paragraphs, composition.left) == (1, {})
    (p,) = html.etree_element.iter("p")
    assert p[0].get("class") == "drop-cap" and all(child.tag == "nobr" for child in p[1:])
    (group,) = [g for g in p[1:] if any(s.get("id") == "fn-1" for s in g.iter("span"))]
    assert any(a.get("href") == "#fn-1" for a in group.iter("a"))
    assert any(s.get("class") == "end-mark" for s in p[-1])

    def render():
        return html.render(font_config=config, stylesheets=sheets)

    document = composition.verified(render(), render)
    assert composition.fallbacks == 0
    page = document.pages[0]._page_box
    area = next(b for b in page.children if isinstance(b, boxes.FootnoteAreaBox))
    assert "several of them" in "".join(b.text for b in area.descendants() if isinstance(b, boxes.TextBox))
    lines = [b for b in page.descendants() if isinstance(b, boxes.LineBox) and b.element is p]
    calling = [ln for ln in lines if any(b.element_tag == "span::footnote-call" for b in ln.descendants())]
    assert len(calling) == 1 and "several" not in "".join(
        b.text for b in calling[0].descendants() if isinstance(b, boxes.TextBox)
    )
    note = next(s for s in group.iter("span") if s.get("id") == "fn-1")
    return not (note.tail or "").strip(" \u2060\u200b") and list(group.iter())[-1] in list(note.iter())


# --- real PDFs ---------------------------------------------------------------------

MAKEUP = ROOT / "tests" / "fixtures" / "makeup"
# The makeup corpus's paragraphs with notes (set in the line of their calls) and
# its drop caps, one with hung punctuation and a note of its own.
NOTES = [(MAKEUP / "three-notes.md", p) for p in ("letter", "a4", "trade")] + [
    (MAKEUP / "long-notes.md", "letter"),
    (MAKEUP / "many-notes.md", "a4"),
    (MAKEUP / "notes-in-blocks.md", "letter"),
]
CORPUS = [(REVIEW, "letter"), (REVIEW, "a4"), (REVIEW, "trade"), (FEATURES, "letter"), (ESSAY, "letter"), *NOTES]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[Path, str], tuple[Path, list[str]]]:
    out = {}
    for source, paper in CORPUS:
        folder = tmp_path_factory.mktemp(f"{source.stem}-{paper}")
        result = make(source, formats=("pdf",), output_dir=folder, paper=paper)
        out[source, paper] = (result.outputs[0].path, result.notes)
    return out


def counts(notes: list[str]) -> dict[str, int]:
    (note,) = [n for n in notes if ": PDF" in n]
    found = re.search(r"composed (\d+) paragraphs.*?; (\d+) set by WeasyPrint.*?; (\d+) left", note)
    return dict(zip(("composed", "fallbacks", "left"), map(int, found.groups()), strict=True))


@pytest.mark.parametrize("source, paper", CORPUS, ids=[f"{s.stem}-{p}" for s, p in CORPUS])
def test_every_paragraph_is_set_as_composed(built, source, paper):
    _, notes = built[source, paper]
    found = counts(notes)
    assert found["composed"] > 0
    assert found["fallbacks"] == 0, notes
    assert "error" not in " ".join(notes)


@pytest.mark.parametrize("paper", ["letter", "trade"])
@pytest.mark.parametrize("name", ["quote-opening.md", "many-notes.md", "notes-in-blocks.md", "two-authors.md"])
def test_paragraphs_with_notes_and_the_drop_cap_are_composed(monkeypatch, tmp_path, name, paper):
    """The makeup puts each note in the line of its call and makes the drop cap a
    floated span: such paragraphs are composed like any other (none left to
    WeasyPrint, none given back after verification), in the layout the PDF is
    made of."""
    import longread.writers.pdf as pdf

    layouts = []
    real = pdf.compose

    def compose(*args, **kwargs):
        layouts.append(real(*args, **kwargs))
        return layouts[-1]

    monkeypatch.setattr(pdf, "compose", compose)
    result = make(MAKEUP / name, formats=("pdf",), output_dir=tmp_path, paper=paper)
    assert counts(result.notes) | {"composed": 0} == {"composed": 0, "fallbacks": 0, "left": 0}, result.notes
    final = layouts[-1]  # the layout the PDF was written from
    holding = [
        p
        for p in final.html.etree_element.iter("p")
        if any(c in (s.get("class") or "").split() for s in p.iter("span") for c in ("footnote", "drop-cap"))
    ]
    notes = [s for p in holding for s in p.iter("span") if "footnote" in (s.get("class") or "").split()]
    assert notes and any(s.get("class") == "drop-cap" for p in holding for s in p.iter("span"))
    assert all(p in final.expected for p in holding)  # composed, and verified
    groups = [g for p in holding for g in p.iter("nobr")]  # one a line
    for note in notes:
        if note.get("id") is None:
            continue  # the part of a long note that runs on to the next page
        (group,) = [g for g in groups if any(s is note for s in g.iter("span"))]
        assert any(a.get("href") == "#" + note.get("id") for a in group.iter("a")), note.get("id")


@pytest.mark.parametrize("source, paper", CORPUS, ids=[f"{s.stem}-{p}" for s, p in CORPUS])
def test_figures_meet_the_targets(built, source, paper):
    f = figures(built[source, paper][0])
    assert f.per_100(f.hyphens) <= 3
    assert f.ladder <= 2
    assert f.per_100(len(f.loose)) <= 1, f.loose
    assert not f.runts and not f.dash_starts and not f.overflow


def pdf_body_text(pdf: Path, running_head: str) -> tuple[str, list[str]]:
    """The PDF's text read line after line, without running heads and folios, with
    the hyphens hyphenation added at line ends taken out; and the big letters
    (drop caps) found beside the text."""
    text, caps = "", []
    for _, _, lines in page_lines(pdf):
        heights = sorted(w[3] - w[2] for ws in lines for w in ws)
        usual = heights[len(heights) // 2]
        for ws in lines:
            caps += [w[4] for w in ws if w[3] - w[2] > 2.5 * usual]
            line = " ".join(w[4] for w in ws if w[3] - w[2] <= 2.5 * usual).replace("\u00a0", " ")
            if not line or line.isdigit() or squash(line) == squash(running_head):
                continue
            if text.endswith("\u2010") and line[:1].islower():
                text = text[:-1] + line
            elif text.endswith(("-", "—")) or not text:
                text += line
            else:
                text += " " + line
    return text, caps


@pytest.mark.parametrize("source, paper", [(REVIEW, "trade"), (ESSAY, "letter")], ids=["review-trade", "essay"])
def test_the_pdf_text_is_the_source_text(built, source, paper):
    """No character lost or doubled by composing: each paragraph of the source reads
    whole, in order, once the line-end hyphens of hyphenation are taken out."""
    rendition = render_article(typeset(read(source), THEME.dash_style))
    body = rendition.body
    paragraphs = [
        " ".join("".join(p.itertext()).replace("\u2060", "").split())
        for p in body.xpath('.//div[@class="body"]//p')
        if "footnote" not in (p.getparent().get("class") or "")
    ]
    text, caps = pdf_body_text(built[source, paper][0], rendition.article.short_title or rendition.title)
    position = 0
    for number, para in enumerate(paragraphs):
        para = para.replace("\u00a0", " ")
        if number == 0:
            assert caps[:1] == [para[0]]  # the drop cap
            para = para[1:]
        found = text.find(para, position)
        assert found >= 0, para[:60]
        position = found + len(para)
    assert text.count("\u2010") == 0 or all(not c.islower() for c in re.findall("\u2010(.)", text))


def test_a_paragraph_that_comes_out_differently_is_set_by_weasyprint(tmp_path, monkeypatch):
    """The safety net: with words measured 3% short, composed lines overflow or
    break elsewhere; verification finds every such paragraph, gives it back to
    WeasyPrint, and the PDF has no line past the measure and all of its text."""
    from longread.compose.measure import Measure as Real

    true_width = Real.width
    monkeypatch.setattr(Real, "width", lambda self, text, style: 0.97 * true_width(self, text, style))
    result = make(REVIEW, formats=("pdf",), output_dir=tmp_path)
    found = counts(result.notes)
    assert found["fallbacks"] >= 3
    f = figures(result.outputs[0].path)
    assert not f.overflow
    assert "innumerable Hollywood" in " ".join(pdf_body_text(result.outputs[0].path, "")[0].split())


def test_verbose_build_reports_the_composition(tmp_path):
    from validators import longread

    done = longread("build", str(FEATURES), "--format", "pdf", "-o", str(tmp_path), "--verbose", cwd=ROOT)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "0 set by WeasyPrint after verification" in notes[0]


def test_the_opening_paragraph_hyphenates_beside_its_drop_cap(make_manuscript, tmp_path):
    """WeasyPrint's own breaking sets short lines beside a floated first letter
    once it may hyphenate (its issues #1859, #2751); composed lines come out whole."""
    words = (
        "Administrators characteristically misunderstand institutional responsibilities, "
        "notwithstanding extraordinarily comprehensive documentation, overwhelmingly "
        "uncontroversial recommendations, and painstakingly accumulated organizational knowledge."
    )
    source = make_manuscript(body=f"{words}\n\nA second paragraph, so that the first is not alone.\n")
    result = make(source, formats=("pdf",), output_dir=tmp_path / "out")
    assert counts(result.notes)["fallbacks"] == 0
    lines = [" ".join(w[4] for w in ws) for ws in page_lines(result.outputs[0].path)[0][2]]
    first = next(i for i, line in enumerate(lines) if line.startswith("dministrators"))
    assert any(line.endswith("\u2010") for line in lines[first : first + 3])  # hyphens beside the cap
    assert not figures(result.outputs[0].path).overflow
