"""Stage 4a, the EPUB 3 writer (ebooklib).

The package holds the book's content documents with the theme's base and
e-reader stylesheets, the theme's fonts subset to the text, images sized for
screens, a cover, a navigation document with toc, landmarks and page list, and
complete package and accessibility metadata.  The ZIP is re-packed so that the
same input always gives the same bytes.

:func:`make_epub` reads as the list of files it makes, one short step each.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from ebooklib import epub
from lxml import etree

from .. import tokens
from ..assets import cover as covers
from ..assets import images
from ..model import Assets, Book, Image, Theme
from ..render.article import article_document
from ..render.book import documents, headings
from ..render.document import EPUB_TYPE, document, element, head_meta, serialise, sub
from .metadata import Record

COVER_PAGE = "cover.xhtml"
COVER_IMAGE = "images/cover.jpg"

LABELS = {
    "contents": "Contents",
    "landmarks": "Landmarks",
    "cover": "Cover",
    "start": "Start of the article",
    "pages": "Pages",
}


def make_epub(book: Book, theme: Theme, assets: Assets, rec: Record, modified: dt.datetime, page_source: str) -> bytes:
    """The book as an EPUB 3 file (bytes).  ``page_source`` names the print edition
    the page list follows, when there is one."""
    package = epub.EpubBook()
    package.FOLDER_NAME = "EPUB"
    add_metadata(package, rec)
    add_accessibility_metadata(package, book, page_source)
    stylesheets = add_stylesheets(package, theme)
    add_fonts(package, theme, assets)
    add_images(package, book, assets)
    cover_page = add_cover(package, book, assets, stylesheets)
    content = add_content_documents(package, book, stylesheets)
    add_navigation(package, book)
    package.spine = [cover_page, *content]
    return write_zip(package, modified, rec.language)


def add_metadata(package: epub.EpubBook, rec: Record) -> None:
    package.set_identifier(rec.identifier)
    package.set_title(rec.title)
    package.set_language(rec.language)
    for i, name in enumerate(rec.creator):
        package.add_author(name, uid=f"creator{i + 1}")
    for key in ("publisher", "rights", "date", "description", "subject", "source"):
        if getattr(rec, key):
            package.add_metadata("DC", key, getattr(rec, key))


def add_accessibility_metadata(package: epub.EpubBook, book: Book, page_source: str) -> None:
    """EPUB Accessibility 1.1 discovery metadata, written from what the book holds."""
    has_images = bool(book.images)
    has_notes = any(r.article.notes for r in book.parts)
    pages = sum(len(r.pages) for r in book.parts)
    meta = [("schema:accessMode", "textual")]
    meta += [("schema:accessMode", "visual")] if has_images else []
    meta += [("schema:accessModeSufficient", "textual")]
    meta += [("schema:accessibilityFeature", "alternativeText")] if has_images else []
    meta += [
        ("schema:accessibilityFeature", feature)
        for feature in ("structuralNavigation", "readingOrder", "tableOfContents", "displayTransformability")
    ]
    meta += [
        ("schema:accessibilityHazard", "none"),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
    ]
    meta += [("schema:accessibilityFeature", "annotations")] if has_notes else []
    if pages:
        meta += [("schema:accessibilityFeature", "printPageNumbers"), ("schema:accessibilityFeature", "pageNavigation")]
        meta += [
            ("pageBreakSource", f"The {page_source} print edition (PDF) made by longread from the same manuscript")
        ]
    meta.append(("schema:accessibilitySummary", accessibility_summary(book, has_images, has_notes, pages, page_source)))
    for prop, value in meta:
        package.add_metadata(None, "meta", value, {"property": prop})


def accessibility_summary(book: Book, has_images: bool, has_notes: bool, pages: int, page_source: str) -> str:
    n = len(book.parts)
    what = "A single article" if not book.is_collection else f"A collection of {n} article{'s' * (n != 1)}"
    summary = (
        f"{what} with a navigable table of contents, headings in a logical "
        "order, and a reading order that follows the printed layout. "
    )
    if has_images:
        summary += "Every image, the cover included, has a text description; the photo captions and credits are text. "
    if has_notes:
        summary += "Footnotes are linked to and from their calls in the text. "
    if pages:
        summary += f"Page numbers and a page list match the {pages}-page {page_source} print edition. "
    return summary + "The text can be resized and restyled by the reader. No known hazards."


def add_stylesheets(package: epub.EpubBook, theme: Theme) -> tuple[str, ...]:
    """The theme's design values (tokens.css) first, then its base and e-reader layers."""
    hrefs = []
    for i, (href, css) in enumerate(tokens.epub_sheets(theme)):
        package.add_item(epub.EpubItem(uid=f"css-{i}", file_name=href, media_type="text/css", content=css))
        hrefs.append(href)
    return tuple(hrefs)


def add_fonts(package: epub.EpubBook, theme: Theme, assets: Assets) -> None:
    """The subset font files, beside their licences (the OFL asks for both)."""
    for i, (path, data) in enumerate(assets.fonts.items()):
        kind = "font/otf" if path.suffix.lower() == ".otf" else "font/ttf"
        package.add_item(epub.EpubItem(uid=f"font-{i}", file_name=theme.href(path), media_type=kind, content=data))
    for i, licence in enumerate(theme.licences):
        package.add_item(
            epub.EpubItem(
                uid=f"licence-{i}", file_name=theme.href(licence), media_type="text/plain", content=licence.read_bytes()
            )
        )


def add_images(package: epub.EpubBook, book: Book, assets: Assets) -> None:
    for im in book.images:
        package.add_item(
            epub.EpubItem(
                uid=f"img-{im.key.replace('.', '-')}",
                file_name=f"images/{im.key}",
                media_type=images.media_type(im.extension),
                content=assets.screen_images[im.key],
            )
        )


def cover_photo(book: Book) -> Image | None:
    """The picture on the cover: a collection's finished cover, else the first photo."""
    if book.cover is not None:
        return book.cover
    return next((r.article.photo for r in book.parts if r.article.photo), None)


def add_cover(package: epub.EpubBook, book: Book, assets: Assets, stylesheets: tuple[str, ...]) -> epub.EpubItem:
    package.set_cover(COVER_IMAGE, assets.cover, create_page=False)
    a = book.meta
    section = element("section", {"class": "cover", EPUB_TYPE: "cover"})
    alt = covers.alt_text(a, cover_photo(book))
    sub(section, "img", {"src": COVER_IMAGE, "role": "doc-cover", "alt": alt})
    page = document(a.lang, head_meta(a.title_text, (), stylesheets), [section], "frontmatter")
    item = epub.EpubItem(
        uid="cover-page", file_name=COVER_PAGE, media_type="application/xhtml+xml", content=serialise(page)
    )
    package.add_item(item)
    return item


def add_content_documents(package: epub.EpubBook, book: Book, stylesheets: tuple[str, ...]) -> list[epub.EpubItem]:
    items = []
    for doc in documents(book):
        tree = article_document(doc, stylesheets)
        item = epub.EpubItem(
            uid=doc.name.removesuffix(".xhtml"),
            file_name=doc.name,
            media_type="application/xhtml+xml",
            content=serialise(tree),
        )
        package.add_item(item)
        items.append(item)
    return items


def add_navigation(package: epub.EpubBook, book: Book) -> None:
    nav = epub.EpubItem(
        uid="nav", file_name="nav.xhtml", media_type="application/xhtml+xml", content=serialise(nav_document(book))
    )
    nav.properties = ["nav"]
    package.add_item(nav)
    package.toc = [
        epub.Link(href(name, h), h.text, f"toc-{name.removesuffix('.xhtml')}-{h.id}") for name, h in headings(book)
    ]
    package.add_item(epub.EpubNcx())


def href(name: str, heading) -> str:
    return name if heading.level == 1 else f"{name}#{heading.id}"


def nav_document(book: Book) -> etree._ElementTree:
    lang = book.meta.lang
    # Navigation labels are English; say so when the book is not.
    label = {} if lang.lower().startswith("en") else {"lang": "en", "{http://www.w3.org/XML/1998/namespace}lang": "en"}
    toc = element("nav", {EPUB_TYPE: "toc", "role": "doc-toc", "id": "toc"})
    sub(toc, "h1", label, LABELS["contents"])
    toc.append(outline(book))
    landmarks = element("nav", {EPUB_TYPE: "landmarks", "id": "landmarks", "hidden": "hidden"})
    sub(landmarks, "h2", label, LABELS["landmarks"])
    marks = sub(landmarks, "ol")
    sub(sub(marks, "li"), "a", {EPUB_TYPE: "cover", "href": COVER_PAGE, **label}, LABELS["cover"])
    first = documents(book)[0].name
    sub(sub(marks, "li"), "a", {EPUB_TYPE: "bodymatter", "href": first, **label}, LABELS["start"])
    navs = [toc, landmarks]
    pages = [(doc.name, mark) for doc in book.parts for mark in doc.pages]
    if pages:
        page_list = element(
            "nav", {EPUB_TYPE: "page-list", "role": "doc-pagelist", "id": "page-list", "hidden": "hidden"}
        )
        sub(page_list, "h2", label, LABELS["pages"])
        items = sub(page_list, "ol")
        for name, mark in pages:
            sub(sub(items, "li"), "a", {"href": f"{name}#{mark.id}"}, mark.label)
        navs.append(page_list)
    return document(lang, head_meta(book.meta.title_text), navs)


def outline(book: Book) -> etree._Element:
    """The table of contents: each heading under the nearest heading above it of a
    higher rank."""
    root = element("ol")
    path: list[tuple[int, etree._Element]] = [(0, root)]
    for name, h in headings(book):
        while path[-1][0] >= h.level:
            path.pop()
        parent = path[-1][1]
        if parent.tag == "li":  # the first child heading opens a nested list
            parent = parent.find("ol") if parent.find("ol") is not None else sub(parent, "ol")
        li = sub(parent, "li")
        sub(li, "a", {"href": href(name, h)}, h.text)
        path.append((h.level, li))
    return root


def write_zip(package: epub.EpubBook, modified: dt.datetime, lang: str) -> bytes:
    raw = io.BytesIO()
    epub.write_epub(
        raw,
        package,
        {
            # ebooklib writes dcterms:modified in local time unless given a naive UTC time.
            "mtime": modified.astimezone(dt.UTC).replace(tzinfo=None),
            "epub2_guide": False,
            "epub3_landmark": False,
            "epub3_pages": False,
            "raise_exceptions": True,
        },
    )
    opf = f"{package.FOLDER_NAME}/content.opf"
    return repack(raw.getvalue(), modified, {opf: lambda data: package_language(data, lang)})


def package_language(opf: bytes, lang: str) -> bytes:
    """The package document states its language too (Ace checks ``xml:lang`` on
    ``<package>``; ebooklib sets only ``dc:language``)."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def repack(data: bytes, modified: dt.datetime, patches: dict | None = None) -> bytes:
    """Rewrite the ZIP with fixed entry times and order: reproducible bytes, and the
    ``mimetype`` entry first and stored, as OCF requires.  ``patches`` maps entry
    names to functions that rewrite their content on the way."""
    stamp = modified.astimezone(dt.UTC).timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        for name in ["mimetype"] + [n for n in names if n != "mimetype"]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            content = src.read(name)
            if patches and name in patches:
                content = patches[name](content)
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, content)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, content, compresslevel=9)
    return out.getvalue()
