"""Print page numbers in the e-book, checked against the print PDF built beside it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from validators import epubcheck, make, squash

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "manuscript" / "last-take-review.md"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def build(manuscript: Path, out: Path, paper: str) -> tuple[zipfile.ZipFile, PdfReader]:
    result = make(manuscript, output_dir=out, paper=paper)
    paths = {o.path.suffix: o.path for o in result.outputs}
    return zipfile.ZipFile(paths[".epub"]), PdfReader(paths[".pdf"])


def markers(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(page number, the text that follows the marker) for each page-break marker."""
    doc = etree.fromstring(book.read("EPUB/article.xhtml"))
    text_after = []
    for span in doc.xpath("//x:span[@epub:type='pagebreak']", namespaces=NS):
        following = "".join(span.xpath("following::text()")[:40])
        text_after.append((span.get("aria-label"), squash(following)))
    return text_after


@pytest.fixture(scope="module", params=["letter", "trade"])
def editions(request, tmp_path_factory):
    return build(REVIEW, tmp_path_factory.mktemp(request.param), request.param)


def test_one_marker_per_printed_page(editions):
    book, pdf = editions
    labels = [label for label, _ in markers(book)]
    assert labels == [str(n) for n in range(1, len(pdf.pages) + 1)]


def test_marked_text_is_on_that_page_of_the_pdf(editions):
    book, pdf = editions
    pages = [squash(p.extract_text()) for p in pdf.pages]
    for label, following in markers(book):
        if label == "1":
            continue  # page 1 opens the article
        number = int(label)
        snippet = following[:25]
        assert snippet in pages[number - 1], (number, snippet)
        # … and the page before does not end with it: the break is where the PDF's is.
        assert not pages[number - 2].endswith(snippet)


def test_page_list_navigation_and_metadata(editions):
    book, pdf = editions
    nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    (page_list,) = nav.xpath("//x:nav[@epub:type='page-list']", namespaces=NS)
    links = page_list.xpath(".//x:a", namespaces=NS)
    assert [a.text for a in links] == [str(n) for n in range(1, len(pdf.pages) + 1)]
    assert all(re.fullmatch(r"article\.xhtml#page-\d+", a.get("href")) for a in links)
    opf = book.read("EPUB/content.opf").decode()
    assert "printPageNumbers" in opf
    assert re.search(r'<meta property="pageBreakSource">[^<]+</meta>', opf)


def test_paged_epub_passes_epubcheck(editions):
    book, _ = editions
    assert epubcheck(Path(book.filename)).problems == []


def test_epub_alone_has_no_page_list(tmp_path):
    result = make(REVIEW, formats=("epub",), output_dir=tmp_path)
    book = zipfile.ZipFile(result.outputs[0].path)
    assert b"pagebreak" not in book.read("EPUB/article.xhtml")
    assert b"page-list" not in book.read("EPUB/nav.xhtml")


@pytest.mark.parametrize(
    "body, line, after",
    [
        # Case changes in print (small caps), a hyphen added at a line end, a dotted
        # capital I (two characters in lower case) and a final sigma before the page.
        ("<p>First words. THE SECOND PAGE begins here.</p>", "the sec-ond page begins", "THE SECOND"),
        ("<p>Zeile İstanbul und die zweite Seite beginnt hier.</p>", "istanbul und die zweite", "İstanbul"),
        ("<p>ΟΔΟΣ ΠΡΩΤΗ και δεύτερη σελίδα αρχίζει εδώ.</p>", "πρωτη και δεύτερη", "ΠΡΩΤΗ"),
    ],
)
def test_page_break_found_through_case_and_hyphens(body, line, after):
    from longread.model import Article, Rendition
    from longread.render.book import single
    from longread.writers.pagelist import mark_pages

    article = Article(source=Path("x.md"), title_html="T", title_text="T", body_html=body)
    tree = etree.fromstring(f"<article>{body}</article>")
    book = single(Rendition(article=article, title="T", lang="en", body=tree, headings=()))
    (marked,) = mark_pages(book, ("T", line)).parts
    assert [p.label for p in marked.pages] == ["1", "2"]
    (second,) = marked.body.xpath("//span[@id='page-2']")
    assert second.tail.startswith(after)
