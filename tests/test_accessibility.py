"""Accessibility: Ace by DAISY on the EPUB where it is installed, and always the
structure and metadata Ace and PDF/UA checkers look at."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from validators import make

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "manuscript" / "last-take-review.md"
FEATURES = Path(__file__).resolve().parent / "fixtures" / "features" / "features.md"
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The DPUB-ARIA role each EPUB structural semantic must carry.
ROLES = {
    "noteref": "doc-noteref",
    "footnote": "doc-footnote",
    "pagebreak": "doc-pagebreak",
    "toc": "doc-toc",
    "page-list": "doc-pagelist",
    "subtitle": "doc-subtitle",
}


@pytest.fixture(scope="module", params=["review", "features", "features-book"])
def built(request, tmp_path_factory) -> dict[str, Path]:
    source = REVIEW if request.param == "review" else FEATURES
    theme = "book" if request.param.endswith("-book") else "magazine"
    result = make(source, output_dir=tmp_path_factory.mktemp("a11y"), theme=theme)
    return {o.path.suffix: o.path for o in result.outputs}


def ace_command() -> list[str] | None:
    """Ace by DAISY, if this machine has it (CI installs it: see .ci/run)."""
    explicit = os.environ.get("LONGREAD_ACE")
    if explicit:
        return explicit.split()
    found = shutil.which("ace-puppeteer") or shutil.which("ace")
    return [found] if found else None


def test_ace_reports_no_violations(built):
    command = ace_command()
    if command is None:
        pytest.skip("Ace by DAISY is not installed (set LONGREAD_ACE or run .ci/run)")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [*command, "-s", "-f", "-o", out, str(built[".epub"])],
            capture_output=True,
            timeout=600,
            env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        )
        report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
    failures = [
        f"{a.get('earl:testSubject', {}).get('url')}: {t['earl:test'].get('dct:title')} "
        f"({t['earl:test'].get('earl:impact')})"
        for a in report.get("assertions", [])
        for t in a.get("assertions", [])
        if t.get("earl:result", {}).get("earl:outcome") == "fail"
    ]
    assert failures == []


def documents(epub: Path) -> dict[str, etree._Element]:
    book = zipfile.ZipFile(epub)
    return {name: etree.fromstring(book.read(name)) for name in book.namelist() if name.endswith(".xhtml")}


def test_package_language_and_a11y_metadata(built):
    opf = etree.fromstring(zipfile.ZipFile(built[".epub"]).read("EPUB/content.opf"))
    assert opf.get(XML_LANG) == opf.findtext(".//{http://purl.org/dc/elements/1.1/}language")
    props = Counter(m.get("property") for m in opf.iterfind(".//opf:meta", NS))
    for needed in (
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "dcterms:conformsTo",
        "pageBreakSource",
    ):
        assert props[needed] >= 1, needed
    features = {m.text for m in opf.iterfind(".//opf:meta[@property='schema:accessibilityFeature']", NS)}
    assert {"printPageNumbers", "pageNavigation", "tableOfContents", "alternativeText"} <= features


def test_every_image_has_a_text_alternative(built):
    for name, doc in documents(built[".epub"]).items():
        for img in doc.iterfind(".//x:img", NS):
            assert (img.get("alt") or "").strip(), f"{name}: {img.get('src')}"


def test_documents_declare_language_and_ids_are_unique(built):
    for name, doc in documents(built[".epub"]).items():
        assert doc.get("lang") and doc.get("lang") == doc.get(XML_LANG), name
        ids = Counter(el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id"))
        assert [i for i, n in ids.items() if n > 1] == [], name
        for el in doc.iter():
            if isinstance(el.tag, str) and el.get("lang"):
                assert el.get(XML_LANG) == el.get("lang"), name


def test_semantics_carry_their_aria_roles(built):
    for name, doc in documents(built[".epub"]).items():
        for el in doc.iter():
            kind = el.get(EPUB_TYPE) if isinstance(el.tag, str) else None
            if kind in ROLES:
                assert el.get("role") == ROLES[kind], f"{name}: {kind}"
            if kind == "pagebreak":
                assert el.get("aria-label"), name


def test_headings_do_not_skip_levels(built):
    doc = documents(built[".epub"])["EPUB/article.xhtml"]
    levels = [
        int(el.tag[-1])
        for el in doc.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname in {"h1", "h2", "h3", "h4", "h5", "h6"}
    ]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


def test_links_and_table_headers(built):
    doc = documents(built[".epub"])["EPUB/article.xhtml"]
    for a in doc.iterfind(".//x:a", NS):
        assert "".join(a.itertext()).strip(), etree.tostring(a)
    for table in doc.iterfind(".//x:table", NS):
        assert table.find(".//x:th", NS) is not None


def test_pdf_is_tagged_with_language_title_and_figure_alt(built):
    pdf = pikepdf.open(built[".pdf"])
    assert pdf.Root.MarkInfo.Marked
    assert str(pdf.Root.Lang) in {"en", "en-US"}  # the review is American English
    assert pdf.Root.ViewerPreferences.DisplayDocTitle  # the title, not the file name, in the window
    assert str(pdf.docinfo.Title)
    alts, kinds = [], Counter()

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                kinds[str(node.S)] += 1
                if str(node.S) == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    assert kinds["/H1"] == 1 and kinds["/P"] > 3
    epub_alts = [
        img.get("alt") for doc in documents(built[".epub"]).values() for img in doc.iterfind(".//x:figure/x:img", NS)
    ]
    assert alts == epub_alts
