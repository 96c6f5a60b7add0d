"""Collections: a 12-article issue as one EPUB and one PDF."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

from validators import BuildError, epubcheck, make, pdf_facts, squash

ROOT = Path(__file__).resolve().parents[1]
FEATURES = Path(__file__).resolve().parent / "fixtures" / "features"
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
TITLES = [f"Story number {i}" for i in range(1, 13)]


@pytest.fixture(scope="module")
def issue(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("issue")
    shutil.copytree(ROOT / "manuscript" / "images", folder / "images")
    shutil.copy(FEATURES / "images" / "chart.jpg", folder / "images" / "chart.jpg")
    review = (ROOT / "manuscript" / "last-take-review.md").read_text(encoding="utf-8")
    features = (FEATURES / "features.md").read_text(encoding="utf-8")
    names = []
    for i, title in enumerate(TITLES, 1):
        source = features if i % 4 == 0 else review
        text = re.sub(r"^title: .*$", f"title: {title}", source, count=1, flags=re.M)
        text = re.sub(r"^short_title: .*\n", "", text, flags=re.M)
        (folder / f"story-{i:02}.md").write_text(text, encoding="utf-8")
        names.append(f"story-{i:02}.md")
    (folder / "issue.yaml").write_text(
        "title: The Long Read\nsubtitle: Winter 2026\neditors: [Jane Doe, John Roe]\nlang: en\n"
        "date: 2026-12-01\npublisher: The Quarterly\narticles:\n" + "".join(f"  - {n}\n" for n in names),
        encoding="utf-8",
    )
    result = make(folder / "issue.yaml", output_dir=folder / "out")
    return {o.path.suffix: o.path for o in result.outputs}


def test_epub_is_valid(issue):
    assert epubcheck(issue[".epub"]).problems == []


def test_epub_has_one_document_per_article_and_a_toc(issue):
    book = zipfile.ZipFile(issue[".epub"])
    opf = etree.fromstring(book.read("EPUB/content.opf"))
    assert opf.findtext(".//dc:title", namespaces=NS) == "The Long Read"
    assert [c.text for c in opf.iterfind(".//dc:creator", NS)] == ["Jane Doe", "John Roe"]
    spine = [i.get("idref") for i in opf.iterfind(".//opf:itemref", NS)]
    assert spine == ["cover-page", "titlepage"] + [f"article-{i:02}" for i in range(1, 13)]
    nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    top = [a.text for a in nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a", namespaces=NS)]
    assert top == ["The Long Read", *TITLES]
    for i, title in enumerate(TITLES, 1):
        doc = etree.fromstring(book.read(f"EPUB/article-{i:02}.xhtml"))
        assert doc.xpath("string(//x:h1)", namespaces=NS) == title
        if i % 4:  # the review's copies have a lead photo; the features article has figures
            assert doc.xpath("//x:figure[@class='lead-photo']/x:img", namespaces=NS)
        else:
            assert doc.xpath("//x:figure[@class='figure']/x:img", namespaces=NS)


def test_one_set_of_fonts(issue):
    book = zipfile.ZipFile(issue[".epub"])
    assert len([n for n in book.namelist() if n.endswith(".ttf")]) == 4
    pdf = pikepdf.open(issue[".pdf"])
    names = {
        re.sub(r"^[A-Z]{6}\+", "", str(f.BaseFont))
        for page in pdf.pages
        for _, f in (page.Resources.get("/Font") or {}).items()
    }
    gentium = {n for n in names if n.startswith("Gentium")}
    assert len(gentium) <= 4  # one embedded font per face, shared by every article


def test_pdf_has_continuous_folios_contents_and_running_heads(issue):
    reader = PdfReader(issue[".pdf"])
    pages = [p.extract_text() for p in reader.pages]
    facts = pdf_facts(issue[".pdf"])
    assert facts.title == "The Long Read" and not facts.unembedded
    # Continuous folios: page n ends with n (the title and contents pages have none).
    for n, text in enumerate(pages, 1):
        if n > 2:
            assert text.strip().endswith(str(n)), n
    # The contents page gives each article's opening page, where its title is set.
    contents = squash(pages[1])
    openings = []
    for title in TITLES:
        m = re.search(re.escape(squash(title)) + r"\.*(\d+)", contents)
        assert m, title
        openings.append(int(m.group(1)))
        assert squash(title) in squash(pages[openings[-1] - 1])
    assert openings == sorted(openings)
    for title, opening, following in zip(TITLES, openings, [*openings[1:], len(pages) + 1], strict=True):
        # The article's opening page has no running head; its next pages carry its
        # title (drawn after the text, before the folio).
        assert not squash(pages[opening - 1]).endswith(squash(title) + str(opening))
        for n in range(opening + 1, following):
            assert squash(pages[n - 1]).endswith(squash(title) + str(n)), (title, n)


def test_collection_errors_name_the_file(tmp_path):
    bad = tmp_path / "issue.yaml"
    bad.write_text("title: Issue\narticles: [missing.md]\n", encoding="utf-8")
    with pytest.raises(BuildError, match="missing.md"):
        make(bad, output_dir=tmp_path / "out")
    bad.write_text("title: Issue\narticles: [../outside.md]\n", encoding="utf-8")
    with pytest.raises(BuildError, match="outside"):
        make(bad, output_dir=tmp_path / "out")
    bad.write_text("title: [Issue\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"issue\.yaml:\d+:\d+: yaml-004: .*not valid YAML"):
        make(bad, output_dir=tmp_path / "out")


def test_epub_carries_the_collection_page_numbers(issue):
    book = zipfile.ZipFile(issue[".epub"])
    pages = [squash(p.extract_text()) for p in PdfReader(issue[".pdf"]).pages]
    marked = []
    for i in range(1, 13):
        doc = etree.fromstring(book.read(f"EPUB/article-{i:02}.xhtml"))
        for span in doc.xpath("//x:span[@epub:type='pagebreak']", namespaces=NS):
            number = int(span.get("aria-label"))
            following = squash("".join(span.xpath("following::text()")[:30]))[:20]
            assert following.lower() in pages[number - 1].lower(), (i, number, following)
            marked.append(number)
    assert marked == sorted(marked) and len(marked) >= len(pages) * 0.7
