"""Print makeup, read back from the PDF itself: every note on the page of its call,
every note's text printed, nothing drawn outside the page, figures with their
captions and openers with their lead photos, and no page left short.

The makeup corpus (``fixtures/makeup``) is built once per paper: each manuscript
on its own and the two collections of them.
"""

from __future__ import annotations

import copy
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

import longread
from longread import theme as themes
from longread.files import Inputs
from longread.model import BuildOptions
from longread.render.article import render_article as render
from longread.source.collection import read_collection
from longread.source.read import read
from longread.typeset import typeset
from longread.writers import makeup
from longread.xhtml import plain_text
from validators import epubcheck, make, pdf_images, pdf_lines, pdf_links, pdf_words, squash

CORPUS = Path(__file__).resolve().parent / "fixtures" / "makeup"
REVIEW = Path(__file__).resolve().parents[1] / "manuscript" / "last-take-review.md"
PAPERS = ("letter", "a4", "trade")
SINGLES = sorted(p.name for p in CORPUS.glob("*.md")) + [str(REVIEW)]  # and the bundled review
COLLECTIONS = ("issue.yaml", "three.yaml")
#: A page may end this many body lines short of the text block (an article's last page excepted).
SHORT_LINES = 2
#: The space print.css sets between the text and the first note (the note's top margin), in points.
NOTE_GAP = 7.0


@dataclass
class Article:
    """What the source says an article must show in print."""

    title: str
    notes: list[str]  # each note's text
    captions: list[str]  # the lead photo's and the figures', in order ("" for none)
    has_photo: bool
    last_words: str  # the end of the last paragraph


@dataclass
class Built:
    pdf: Path
    articles: list[Article]
    warnings: list[str]
    epub: Path | None = None
    pages: list = field(default_factory=list)


def articles_of(source: Path) -> list[Article]:
    paths = read_collection(source, Inputs()).parts if source.suffix == ".yaml" else (source,)
    dash = themes.load("magazine").dash_style
    found = []
    for path in paths:
        a = typeset(read(path), dash)
        body = copy.deepcopy(render(a).body)
        for call in body.xpath("//*[@class='noteref']"):  # a call's number is not in the text
            call.text = ""
        paragraphs = [p for p in body.iter("{*}p", "p") if not list(p.iterancestors("{*}aside", "aside"))]
        found.append(
            Article(
                title=a.title_text,
                notes=[plain_text(n.html) for n in a.notes],
                captions=[plain_text(im.caption_html) for im in a.images],
                has_photo=a.photo is not None,
                last_words=squash("".join(paragraphs[-1].itertext()))[-24:],
            )
        )
    return found


@pytest.fixture(scope="module", params=PAPERS)
def corpus(request, tmp_path_factory) -> dict[str, Built]:
    paper = request.param
    out = tmp_path_factory.mktemp(f"makeup-{paper}")
    built = {}
    for name in SINGLES + list(COLLECTIONS):
        # The collections' e-books are checked once (they are the same on every paper).
        formats = ("epub", "pdf") if paper == "letter" and name in COLLECTIONS else ("pdf",)
        result = make(CORPUS / name, formats=formats, output_dir=out, paper=paper)
        outputs = {o.path.suffix: o.path for o in result.outputs}
        built[name] = Built(outputs[".pdf"], articles_of(CORPUS / name), result.warnings, outputs.get(".epub"))
    return built


# --- notes ------------------------------------------------------------------------


def test_every_note_is_on_the_page_of_its_call(corpus):
    for name, doc in corpus.items():
        calls = [(dest, page, at) for dest, page, at in pdf_links(doc.pdf) if re.search(r"(^|-)fn-", dest)]
        expected = sum(len(a.notes) for a in doc.articles)
        assert len({dest for dest, _, _ in calls}) == expected, name
        for dest, page, at in calls:
            assert at == page, f"{name}: note {dest} called on page {page + 1}, set on page {at and at + 1}"


def test_every_note_is_printed_in_full(corpus):
    for name, doc in corpus.items():
        text = squash("\n".join(line.text for page in pdf_lines(doc.pdf) for line in page.lines))
        for article in doc.articles:
            for note in article.notes:
                assert in_order(squash(note), text), f"{name}: {note[:60]}"


def in_order(needle: str, haystack: str, pieces: int = 4) -> bool:
    """Whether ``needle`` is printed in ``haystack`` whole or in at most ``pieces``
    runs, in order (a note continued on the next page, a link's address printed
    after it)."""
    at = 0
    for _ in range(pieces):
        if not needle:
            return True
        low, high = 0, len(needle)  # the longest prefix found from ``at`` on
        while low < high:
            mid = (low + high + 1) // 2
            if haystack.find(needle[:mid], at) >= 0:
                low = mid
            else:
                high = mid - 1
        if low < min(12, len(needle)):
            return False
        at = haystack.find(needle[:low], at) + low
        needle = needle[low:]
    return not needle


def test_no_note_is_moved_or_lost_with_a_warning(corpus):
    for name, doc in corpus.items():
        assert not [w for w in doc.warnings if "end of the article" in w or "anchor" in w], name


# --- the page ---------------------------------------------------------------------


def test_every_word_and_image_lies_inside_the_page(corpus):
    for name, doc in corpus.items():
        pages = pdf_lines(doc.pdf)
        block = [text_block_sides(pages, parity) for parity in (0, 1)]
        for number, word, (x0, y0, x1, y1) in pdf_words(doc.pdf):
            page, (_, right) = pages[number], block[number % 2]
            assert x0 >= 0 and y0 >= 0 and x1 <= page.width and y1 <= page.height, f"{name} p{number + 1}: {word}"
            assert x1 <= right + 2, f"{name} p{number + 1}: {word!r} runs past the text block"
        top, bottom = text_block_height(pages)
        for number, (x0, y0, x1, y1) in pdf_images(doc.pdf):
            left, right = block[number % 2]
            inside = left - 1 <= x0 and x1 <= right + 1 and top - 1 <= y0 and y1 <= bottom + 1
            assert inside, f"{name}: an image leaves the text block on page {number + 1}"


def test_figures_keep_their_captions_and_openers_their_photos(corpus):
    for name, doc in corpus.items():
        pages = [squash(" ".join(line.text for line in page.lines)) for page in pdf_lines(doc.pdf)]
        images = [number for number, _ in pdf_images(doc.pdf)]
        captions = [c for a in doc.articles for c in a.captions]
        assert len(images) == len(captions), name
        for page, caption in zip(images, captions, strict=True):
            assert squash(caption)[:30] in pages[page], f"{name}: '{caption[:40]}' is not beside its image"
        starts = article_starts(doc)
        photos = iter(images)
        for article, start in zip(doc.articles, starts, strict=True):
            if article.has_photo:
                assert next(photos) == start, f"{name}: the lead photo of '{article.title}' left its opening page"
            for _ in article.captions[1 if article.has_photo else 0 :]:
                next(photos)


def test_no_page_is_short(corpus):
    """No page but an article's last ends more than two lines above the foot of the
    text block (counting the notes at the foot and their usual space)."""
    for name, doc in corpus.items():
        pages = pdf_lines(doc.pdf)
        images = pdf_images(doc.pdf)
        body, pitch = body_line(pages)
        _, foot = text_block_height(pages)
        exempt = last_pages(doc, pages)
        for number, page in enumerate(pages):
            if number in exempt:
                continue
            free = free_space(page, [box for n, box in images if n == number], body, foot)
            assert free <= SHORT_LINES * pitch + 1, (
                f"{name} ({doc.pdf.stem}) p{number + 1}: {free / pitch:.1f} lines short"
            )


def body_line(pages) -> tuple[float, float]:
    """The body text's line height and line pitch (the commonest of each)."""
    heights = [round(ln.height, 1) for p in pages for ln in p.lines if len(ln.text.split()) > 5]
    height = statistics.mode(heights)
    steps = [
        round(b.y0 - a.y0, 1)
        for p in pages
        for a, b in zip(p.lines, p.lines[1:], strict=False)
        if abs(a.height - height) < 0.2 and abs(b.height - height) < 0.2 and b.y0 > a.y0
    ]
    return height, statistics.mode(steps)


def content(page):
    """The page's lines without the running head (above the text) and the folio (below)."""
    lines = sorted(page.lines, key=lambda ln: ln.y0)
    if lines and lines[-1].text.strip().isdigit():
        lines = lines[:-1]
    if lines and lines[0].y1 < 0.12 * page.height and len(lines) > 1 and lines[1].y0 - lines[0].y1 > 15:
        lines = lines[1:]
    return lines


def text_block_height(pages) -> tuple[float, float]:
    tops = [content(p)[0].y0 for p in pages if content(p)]
    bottoms = [content(p)[-1].y1 for p in pages if content(p)]
    return min(tops), max(bottoms)


def text_block_sides(pages, parity: int) -> tuple[float, float]:
    """The left and right edges of the text block on even or odd pages (a trade
    book's inner margin is the wider)."""
    full = [ln for n, p in enumerate(pages) if n % 2 == parity for ln in p.lines if len(ln.text.split()) > 8]
    full = full or [ln for p in pages for ln in p.lines if len(ln.text.split()) > 8]
    return statistics.mode(round(ln.x0) for ln in full), statistics.mode(round(ln.x1) for ln in full)


def free_space(page, images, body: float, foot: float) -> float:
    """The depth a page leaves unused: below its last line (or image), and between
    its text and its notes beyond their usual space."""
    lines = content(page)
    notes = []
    while lines and lines[-1].height < 0.825 * body and lines[-1].height > 0.7 * body:
        notes.insert(0, lines.pop())
    bottom = max([ln.y1 for ln in lines] + [y1 for _, _, _, y1 in images] + [0])
    if notes:
        return max(notes[0].y0 - bottom - NOTE_GAP, 0) + max(foot - notes[-1].y1, 0)
    return foot - bottom


def article_starts(doc: Built) -> list[int]:
    """The page each article opens on: the one with its headline (set large)."""
    pages = pdf_lines(doc.pdf)
    body, _ = body_line(pages)
    starts = []
    for article in doc.articles:
        wanted = squash(article.title)

        def headline(line, wanted=wanted) -> bool:  # (a drop cap is set large too, but alone)
            return line.height > 1.5 * body and len(squash(line.text)) > 3 and wanted.startswith(squash(line.text))

        after = starts[-1] + 1 if starts else 0
        starts.append(next(n for n, p in enumerate(pages) if n >= after and any(headline(ln) for ln in p.lines)))
    return starts


def last_pages(doc: Built, pages) -> set[int]:
    """Pages that may be short: the front pages of a collection and each article's
    last page (with any page of notes after it)."""
    starts = article_starts(doc)
    exempt = set(range(starts[0]))
    ends = starts[1:] + [len(pages)]
    for article, start, end in zip(doc.articles, starts, ends, strict=True):
        last = max(
            n for n in range(start, end) if article.last_words in squash(" ".join(ln.text for ln in pages[n].lines))
        )
        exempt |= set(range(last, end))
    return exempt


# --- the e-book -------------------------------------------------------------------


def test_the_ebook_keeps_its_pop_up_notes_and_validates(corpus):
    epubs = [doc.epub for doc in corpus.values() if doc.epub]
    if not epubs:
        pytest.skip("the e-books are checked with the letter edition")
    for epub in epubs:
        assert epubcheck(epub).problems == []
    import zipfile

    book = zipfile.ZipFile(epubs[0])
    doc = etree.fromstring(book.read("EPUB/article-03.xhtml"))
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    asides = doc.xpath("//x:aside[@epub:type='footnote']", namespaces=ns)
    assert asides
    for aside in asides:  # each note follows the block that calls it
        call = doc.xpath(f"//x:a[@href='#{aside.get('id')}']", namespaces=ns)[0]
        block = call
        while block.getparent().get("class") != "body":
            block = block.getparent()
        follows = block.getnext()
        while follows is not aside and follows.tag.endswith("aside"):
            follows = follows.getnext()
        assert follows is aside, aside.get("id")
    assert ebook_indents(book, "article-03.xhtml", "The paragraph after this one keeps its first-line indent.")


def ebook_indents(book, name: str, note: str) -> bool:
    """Whether, laid out with the e-book's own stylesheets, the paragraph after the
    one that calls ``note`` starts with an indent (its first line set in from the
    text's edge)."""
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes

    css = [
        CSS(string=book.read(n).decode())
        for n in ("EPUB/styles/tokens.css", "EPUB/styles/magazine/base.css", "EPUB/styles/magazine/epub.css")
        if n in book.namelist()
    ]
    assert css, book.namelist()
    doc = HTML(string=book.read(f"EPUB/{name}").decode()).render(stylesheets=css)
    lines = [b for p in doc.pages for b in p._page_box.descendants() if isinstance(b, boxes.LineBox)]
    texts = ["".join(t.text for t in ln.descendants() if isinstance(t, boxes.TextBox)) for ln in lines]
    note_at = next(i for i, t in enumerate(texts) if t.startswith(note[:20]) or note[:20] in t)
    after = lines[note_at + 1 :]
    first = next(ln for ln in after if ln.element_tag == "p")
    margin = min(ln.position_x for ln in lines if ln.element_tag == "p")
    return first.position_x > margin + 1 or any(
        b.position_x > margin + 1 for b in first.descendants() if isinstance(b, boxes.TextBox)
    )


# --- the makeup itself ------------------------------------------------------------

X = "http://www.w3.org/1999/xhtml"


def made_up(body: str, sizes=None, corrections=makeup.NO_CORRECTIONS) -> etree._Element:
    doc = (
        f'<html xmlns="{X}" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>T</title></head><body>'
        f'<article class="article"><header class="title-block"><h1 class="headline" '
        f'data-running-head="Who Shot the Rust Film">Who Shot the <em>Rust</em> Film</h1></header>'
        f'<div class="body">{body}</div></article></body></html>'
    )
    return makeup.make_up(etree.fromstring(doc), sizes or {}, corrections)


NOTE = (
    '<aside class="footnote" id="fn-1" epub:type="footnote" role="doc-footnote">'
    '<p><a class="note-label" href="#fnref-1">1</a> First <em>note</em> paragraph.</p>'
    "<ul><li>an item</li></ul><p>Second paragraph.</p></aside>"
)


def test_a_note_moves_into_the_line_of_its_call_as_phrasing_content():
    root = made_up(
        '<p class="lead"><span class="lead-in">Opening words</span> with a call<a class="noteref" href="#fn-1" '
        f'id="fnref-1">1</a> and more.</p>{NOTE}<p>Next.</p>'
    )
    p = root.find(".//div[@class='body']/p")
    note = p.find("span[@id='fn-1']")
    assert note is not None and note.getprevious().get("class") == "noteref"
    assert note.tail == " and more."
    assert not root.xpath("//aside") and not note.xpath(".//p|.//ul|.//li")
    assert [s.get("class") for s in note] == ["note-p", "note-ul", "note-p"]
    # WeasyPrint's own HTML parser keeps the note, its blocks and the text after it
    # inside the paragraph
    import tinyhtml5

    parsed = tinyhtml5.parse(makeup.to_html(root), namespace_html_elements=False)
    (p,) = [p for p in parsed.iter("p") if "lead" in (p.get("class") or "")]
    note = next(s for s in p.iter("span") if s.get("id") == "fn-1")
    assert [s.get("class") for s in note] == ["note-p", "note-ul", "note-p"]
    assert "".join(p.itertext()).endswith("Second paragraph. and more.")


def test_a_long_note_is_split_where_the_proof_says():
    root = made_up(
        f'<p>Call<a class="noteref" href="#fn-1" id="fnref-1">1</a>.</p>{NOTE}',
        corrections=makeup.Corrections(split={"fn-1": 3}),
    )
    first, rest = root.xpath("//span[contains(@class, 'footnote')]")
    assert first.get("id") == "fn-1" and rest.get("id") is None
    assert "".join(first.itertext()) == "1 First note"
    assert squash("".join(rest.itertext())) == squash("paragraph.an itemSecond paragraph.")
    assert "runs-on" in first.get("class") and "continued" in rest.get("class")


def test_the_drop_cap_is_a_span_and_opening_quotes_hang_outside_it():
    root = made_up('<p class="lead"><span class="lead-in">\u201cYou knew</span> everyone.\u201d</p>')
    cap = root.find(".//p/span[@class='drop-cap']")
    assert cap.find("span[@class='hang']").text == "\u201c" and cap.find("span").tail == "Y"
    assert cap.getnext().text == "ou knew"


def test_the_running_head_keeps_the_titles_italics():
    head = made_up("<p>Text.</p>").find(".//p[@class='running-head']")
    assert etree.tostring(head, encoding="unicode", method="text") == "Who Shot the Rust Film"
    assert head.find("em").text == "Rust"


def test_figures_are_classed_by_shape_and_the_last_paragraph_gets_an_end_mark():
    figure = '<figure class="figure"><img src="images/{0}" alt=""/><figcaption>C</figcaption></figure>'
    sizes = {"images/a.jpg": (3000, 900), "images/b.jpg": (1000, 3000), "images/c.jpg": (1200, 1800)}
    root = made_up(
        "<p>One.</p>" + "".join(figure.format(n) for n in ("a.jpg", "b.jpg", "c.jpg")) + "<p>Last.</p>", sizes
    )
    assert [f.get("class") for f in root.iter("figure")] == [
        "figure shape-wide",
        "figure shape-tall",
        "figure shape-portrait",
    ]
    assert root.xpath("//p[last()]/span[@class='end-mark']") and len(root.xpath("//span[@class='end-mark']")) == 1


def test_paragraphs_the_proof_names_may_leave_one_line_at_a_page_break():
    root = made_up(
        "<p>One.</p><p>Two.</p><p>Three.</p>",
        corrections=makeup.Corrections(one_widow=frozenset({0}), one_orphan=frozenset({2})),
    )
    assert [p.get("class") for p in makeup.body_paragraphs(root)] == ["one-widow", None, "one-orphan"]


def test_an_engine_failure_sets_that_articles_notes_as_endnotes(monkeypatch, tmp_path):
    """Where the layout engine still fails on an arrangement of notes, the article is
    printed with its notes at the end, with a warning; no valid manuscript fails."""
    import weasyprint

    original = weasyprint.HTML.render

    def fails_on_floated_notes(self, *args, **kwargs):
        if any("footnote" in (el.get("class") or "").split() for el in self.etree_element.iter("span")):
            raise AssertionError
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", fails_on_floated_notes)
    result = make(CORPUS / "three-notes.md", formats=("pdf",), output_dir=tmp_path)
    (warning,) = [w for w in result.warnings if "end of the article" in w]
    assert "What the Logbooks Kept" in warning and "AssertionError" in warning
    text = squash("".join(line.text for page in pdf_lines(result.outputs[0].path) for line in page.lines))
    for note in articles_of(CORPUS / "three-notes.md")[0].notes:
        assert squash(note) in text


def test_an_engine_failure_it_cannot_work_around_is_an_internal_error(monkeypatch, tmp_path):
    import weasyprint

    def always_fails(self, *args, **kwargs):
        raise AssertionError("inside the engine")

    monkeypatch.setattr(weasyprint.HTML, "render", always_fails)
    (outcome,) = longread.build([CORPUS / "three-notes.md"], BuildOptions(formats=("pdf",), output_dir=tmp_path))
    assert outcome.error.endswith("internal error (AssertionError: inside the engine); run with --debug for details")
    assert "AssertionError" in outcome.trace
    assert not list(tmp_path.glob("*.pdf"))


def test_proof_settles_in_few_layouts(monkeypatch, tmp_path):
    """A manuscript that needs no correction is laid out once."""
    import weasyprint

    calls = []
    original = weasyprint.HTML.render

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    make(CORPUS / "epigraph.md", formats=("pdf",), output_dir=tmp_path)
    assert len(calls) == 1


def test_an_opening_quotation_is_the_epigraph_and_the_paragraph_after_it_the_lead(make_manuscript):
    path = make_manuscript(body="> Words to begin with.\n>\n> --- Ruth Adair\n\nThe story begins here, and goes on.\n")
    body = render(typeset(read(path))).body
    quote = body.find(".//{*}blockquote")
    assert quote.get("class") == "epigraph" and quote.get("role") == "doc-epigraph"
    assert quote.get("{http://www.idpf.org/2007/ops}type") == "epigraph"
    assert quote[-1].get("class") == "attribution" and quote[-1].text.startswith("\u2014")
    assert "lead" in quote.getnext().get("class") and quote.getnext()[0].get("class") == "lead-in"


def test_corrections_left_when_the_layouts_run_out_are_reported(monkeypatch, tmp_path):
    """Each layout corrects one place per article; should an article have more
    places than the proof has layouts, the build says where they begin."""
    from longread.writers import proof

    monkeypatch.setattr(proof, "PASSES", 1)
    result = make(CORPUS / "long-notes.md", formats=("pdf",), output_dir=tmp_path)
    [warning] = [w for w in result.warnings if "print makeup stopped" in w]
    assert re.search(r"after 1 layout with pages still to correct, from page \d+ on", warning)
    monkeypatch.setattr(proof, "PASSES", 6)
    again = make(CORPUS / "long-notes.md", formats=("pdf",), output_dir=tmp_path / "again")
    assert not [w for w in again.warnings if "print makeup stopped" in w]
