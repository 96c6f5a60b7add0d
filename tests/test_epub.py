"""The EPUB 3 edition: package, navigation, content documents, and EPUBCheck."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from longread import theme as themes
from validators import epubcheck, make

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "manuscript" / "last-take-review.md"
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def build_epub(manuscript: Path, out: Path, theme: str = "magazine", **options) -> Path:
    result = make(manuscript, formats=("epub",), output_dir=out, theme=theme, **options)
    (path,) = [o.path for o in result.outputs]
    return path


class Epub:
    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        self.root = self.opf_path.rsplit("/", 1)[0] + "/"
        self.opf = etree.fromstring(self.zip.read(self.opf_path))

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.xpath(f"//opf:meta[@property='{prop}']", namespaces=NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.xpath(f"//dc:{name}", namespaces=NS)]

    def items(self) -> list[etree._Element]:
        return self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)

    def item(self, **attrs) -> etree._Element:
        for it in self.items():
            if all(attrs[k] in (it.get(k.replace("_", "-")) or "").split() for k in attrs):
                return it
        raise AssertionError(f"no manifest item with {attrs}")

    def read(self, href: str) -> bytes:
        return self.zip.read(self.root + href)

    def xhtml(self, href: str) -> etree._Element:
        return etree.fromstring(self.read(href))


@pytest.fixture(scope="module")
def review(tmp_path_factory) -> Epub:
    return Epub(build_epub(REVIEW, tmp_path_factory.mktemp("epub")))


@pytest.fixture(scope="module")
def book_review(tmp_path_factory) -> Epub:
    """The review in the second bundled theme."""
    return Epub(build_epub(REVIEW, tmp_path_factory.mktemp("epub-book"), theme="book"))


@pytest.fixture(scope="module")
def noted(tmp_path_factory) -> Epub:
    """A manuscript using every body feature: notes, subheads, pull quote, figure, table."""
    folder = tmp_path_factory.mktemp("noted")
    (folder / "img").mkdir()
    Image.new("RGB", (2400, 1200), (120, 90, 60)).save(folder / "img" / "wide.jpg", exif=_exif())
    text = """---
title: Notes on *Notes*
author: [Ada Lovelace, Charles Babbage]
date: 2024-05-01
lang: en
publisher: The Quarterly
rights: © 2024 The Quarterly
source: https://example.org/notes
---

First paragraph, with a note.[^a] And "quotes" -- dashes... all of it.

## A subhead

Second paragraph cites another.[^b]

> A line worth repeating.
{.pullquote}

***

![A brown rectangle.](img/wide.jpg "A caption for the figure.")

| Year | Count |
|-----:|------:|
| 2023 | 4 |

Text in <span lang="he" dir="rtl">שלום</span> Hebrew.

[^a]: The first note, with *emphasis*.
[^b]: The second note.
"""
    manuscript = folder / "notes.md"
    manuscript.write_text(text, encoding="utf-8")
    return Epub(build_epub(manuscript, folder / "out"))


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N"}  # GPS IFD
    return exif.tobytes()


# --- conformance ------------------------------------------------------------------


@pytest.mark.parametrize("book", ["review", "noted", "book_review"])
def test_epubcheck_reports_no_errors_and_no_warnings(book, request):
    report = epubcheck(request.getfixturevalue(book).path)
    assert report.version.startswith("5"), report.version
    assert report.problems == []


# --- package metadata -------------------------------------------------------------


def test_package_metadata(review):
    assert review.opf.get("version") == "3.0"
    assert review.dc("title") == ["A Harrowing Documentary Examines Who’s to Blame for the Rust Shooting"]
    assert review.dc("language") == ["en-US"]
    assert review.dc("description")[0].startswith("Last Take set out to tell the story")
    (ident,) = review.dc("identifier")
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", ident)
    unique = review.opf.get("unique-identifier")
    assert review.opf.xpath(f"//dc:identifier[@id='{unique}']", namespaces=NS)


def test_modified_is_real_utc(review):
    (modified,) = review.meta("dcterms:modified")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)
    stamp = dt.datetime.strptime(modified, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 600


def test_full_metadata_and_stable_identifier(noted, tmp_path):
    assert noted.dc("creator") == ["Ada Lovelace", "Charles Babbage"]
    assert noted.dc("publisher") == ["The Quarterly"]
    assert noted.dc("rights") == ["© 2024 The Quarterly"]
    assert noted.dc("date") == ["2024-05-01"]
    # The identifier comes from the canonical URL: the same on every build.
    again = Epub(build_epub(Path(noted.path).parent.parent / "notes.md", tmp_path))
    assert again.dc("identifier") == noted.dc("identifier")


def test_source_date_epoch_fixes_modified(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    book = Epub(build_epub(REVIEW, tmp_path))
    assert book.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]


def test_accessibility_metadata(review):
    assert set(review.meta("schema:accessMode")) == {"textual", "visual"}
    assert review.meta("schema:accessModeSufficient") == ["textual"]
    features = set(review.meta("schema:accessibilityFeature"))
    assert {"alternativeText", "structuralNavigation", "readingOrder"} <= features
    assert review.meta("schema:accessibilityHazard") == ["none"]
    assert review.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert review.meta("schema:accessibilitySummary")[0]


# --- navigation and cover ---------------------------------------------------------


def test_navigation_document_has_toc_and_landmarks(noted):
    nav_item = noted.item(properties="nav")
    nav = noted.xhtml(nav_item.get("href"))
    toc = nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)[0]
    entries = [a.text for a in toc.xpath(".//x:a", namespaces=NS)]
    assert entries == ["Notes on Notes", "A subhead"]
    # The subhead is nested under the article's title.
    assert toc.xpath("./x:ol/x:li/x:ol/x:li/x:a", namespaces=NS)[0].get("href").startswith("article.xhtml#")
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    assert {a.get(EPUB_TYPE) for a in landmarks} == {"cover", "bodymatter"}


def test_cover_image_and_page(review):
    cover = review.item(properties="cover-image")
    with Image.open(io.BytesIO(review.read(cover.get("href")))) as im:
        assert im.size == (1600, 2400)
    page = review.xhtml("cover.xhtml")
    (img,) = page.xpath("//x:img", namespaces=NS)
    assert img.get("src") == cover.get("href")
    assert "A Harrowing Documentary" in img.get("alt")
    assert "church" in img.get("alt")  # it describes the photo on the cover too


def test_spine_reads_cover_then_article(review):
    spine = [i.get("idref") for i in review.opf.xpath("//opf:spine/opf:itemref", namespaces=NS)]
    hrefs = {i.get("id"): i.get("href") for i in review.items()}
    assert [hrefs[i] for i in spine] == ["cover.xhtml", "article.xhtml"]


# --- content documents ------------------------------------------------------------


def test_every_content_document_declares_its_language(review):
    for item in review.items():
        if item.get("media-type") == "application/xhtml+xml":
            doc = review.xhtml(item.get("href"))
            assert doc.get("lang") == "en-US" and doc.get(XML_LANG) == "en-US", item.get("href")


def test_title_dek_and_photo_are_set_once(review):
    doc = review.xhtml("article.xhtml")
    body = doc.find("x:body", NS)
    text = etree.tostring(body, method="text", encoding="unicode")
    assert len(doc.xpath("//x:h1", namespaces=NS)) == 1
    assert text.count("A Harrowing Documentary") == 1
    assert text.count("set out to tell the story") == 1
    assert doc.xpath("//x:p[@class='kicker']", namespaces=NS)[0].text == "Movies"
    (figure,) = doc.xpath("//x:figure[@class='lead-photo']", namespaces=NS)
    img = figure.find("x:img", NS)
    caption = figure.find("x:figcaption/x:span[@class='caption']", NS)
    credit = figure.find("x:figcaption/x:span[@class='credit']", NS)
    assert caption.text.startswith("Halyna Hutchins smiles in front of an old church")
    assert credit.text == "Photo by Felipe Orozco"
    assert img.get("alt") and img.get("alt") != caption.text


def test_footnotes_are_linked_both_ways(noted):
    doc = noted.xhtml("article.xhtml")
    refs = doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
    notes = doc.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    assert len(refs) == len(notes) == 2
    for ref, note in zip(refs, notes, strict=True):
        assert ref.get("role") == "doc-noteref" and note.get("role") == "doc-footnote"
        assert ref.get("href") == "#" + note.get("id")
        back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)[0]
        assert back.get("href") == "#" + ref.get("id")
    # Each note follows the paragraph that calls it (where pop-up footnotes live).
    assert notes[0].getprevious().xpath(".//x:a[@epub:type='noteref']", namespaces=NS)


def test_language_spans_keep_both_attributes(noted):
    doc = noted.xhtml("article.xhtml")
    (span,) = doc.xpath("//x:span[@lang='he']", namespaces=NS)
    assert span.get(XML_LANG) == "he" and span.get("dir") == "rtl"


# --- images and fonts -------------------------------------------------------------


def test_images_are_downscaled_stripped_and_srgb(noted):
    item = noted.item(href="images/wide.jpg")
    with Image.open(io.BytesIO(noted.read(item.get("href")))) as im:
        assert max(im.size) == 1600
        assert im.mode == "RGB"
        assert not im.getexif()
        assert "icc_profile" not in im.info or im.info["icc_profile"] is None


def test_review_photo_fits_screens(review):
    with Image.open(io.BytesIO(review.read("images/hutchins-church.jpg"))) as im:
        assert max(im.size) <= 1600


@pytest.mark.parametrize(
    "book, theme_name, family, media_type",
    [("review", "magazine", "Gentium Book Plus", "font/ttf"), ("book_review", "book", "Linux Libertine O", "font/otf")],
)
def test_theme_fonts_are_embedded_subset_with_features_and_licence(book, theme_name, family, media_type, request):
    review = request.getfixturevalue(book)
    fonts = [i for i in review.items() if i.get("media-type", "").startswith("font/")]
    assert len(fonts) == 4 and {i.get("media-type") for i in fonts} == {media_type}
    theme = themes.load(theme_name)
    originals = {f.path.name: f.path.stat().st_size for f in theme.faces}
    families = set()
    for item in fonts:
        data = review.read(item.get("href"))
        assert len(data) < originals[Path(item.get("href")).name] / 4  # subset
        font = TTFont(io.BytesIO(data))
        families.add(font["name"].getDebugName(1))
        features = {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
        assert "smcp" in features and "liga" in features
    assert families == {family}
    licence = review.item(media_type="text/plain")
    assert b"SIL OPEN FONT LICENSE" in review.read(licence.get("href"))
    css = review.read("styles/tokens.css").decode()  # the theme's generated layer declares its fonts
    for item in fonts:
        assert Path(item.get("href")).name in css


# --- the container ----------------------------------------------------------------


def test_mimetype_is_first_and_stored(review):
    first = review.zip.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert review.zip.read("mimetype") == b"application/epub+zip"


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    one = build_epub(REVIEW, tmp_path / "one").read_bytes()
    two = build_epub(REVIEW, tmp_path / "two").read_bytes()
    assert one == two


def test_quotes_in_alt_text_and_a_note_that_opens_with_a_quotation(tmp_path):
    (tmp_path / "img").mkdir()
    Image.new("RGB", (800, 600), (50, 60, 70)).save(tmp_path / "img" / "p.jpg")
    (tmp_path / "s.md").write_text(
        "---\ntitle: Quotes\nphoto: {src: img/p.jpg, alt: 'The director \"Joel\" on set', caption: A still.}\n"
        "---\n\nText with a note.[^q]\n\n[^q]:\n    > A quotation opens the note.\n\n    And a paragraph.\n",
        encoding="utf-8",
    )
    book = Epub(build_epub(tmp_path / "s.md", tmp_path / "out"))
    cover = book.xhtml("cover.xhtml")  # well-formed despite the quotes
    assert 'The director "Joel" on set' in cover.xpath("//x:img/@alt", namespaces=NS)[0]
    (aside,) = book.xhtml("article.xhtml").xpath("//x:aside", namespaces=NS)
    assert [etree.QName(c).localname for c in aside] == ["p", "blockquote", "p"]
    assert epubcheck(book.path).problems == []
