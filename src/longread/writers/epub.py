"""Stage 4a, the EPUB 3 writer (ebooklib).

The package holds the rendition with the theme's base and e-reader stylesheets,
the theme's fonts subset to the text, images sized for screens, a generated
cover, a navigation document with toc and landmarks, and complete package and
accessibility metadata.  The ZIP is re-packed so that the same input always
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ebooklib import epub
from lxml import etree

from ..assets import cover, images
from ..model import Article, Image, Rendition, Theme
from ..render.article import EPUB_NS, document
from ..xhtml import escape, plain_text
from .metadata import identifier

ARTICLE = "article.xhtml"
COVER_PAGE = "cover.xhtml"
COVER_IMAGE = "images/cover.jpg"
TITLE_PAGE = "titlepage.xhtml"

LABELS = {
    "contents": "Contents",
    "landmarks": "Landmarks",
    "cover": "Cover",
    "start": "Start of the article",
    "pages": "Pages",
}


def write(
    rendition: Rendition,
    theme: Theme,
    font_files: dict[Path, bytes],
    modified: dt.datetime,
    pictures: dict[str, images.Picture],
    cover_image: bytes,
    page_source: str = "",
    chapters: tuple[tuple[str, Rendition], ...] = (),
    cover_file: Image | None = None,
) -> bytes:
    """The EPUB of one article (``rendition``), or of a collection: then ``rendition``
    carries the collection's metadata, ``chapters`` are its content documents, by
    file name, in reading order, and ``cover_file`` may be the image of a finished
    cover.  ``pictures`` are the images' screen copies by key; ``cover_image`` is
    the finished cover (JPEG)."""
    a = rendition.article
    chapters = chapters or ((ARTICLE, rendition),)
    book = epub.EpubBook()
    book.FOLDER_NAME = "EPUB"
    book.set_identifier(identifier(a))
    book.set_title(a.title_text)
    book.set_language(a.lang)
    for i, name in enumerate(a.authors):
        book.add_author(name, uid=f"creator{i + 1}")
    if a.publisher:
        book.add_metadata("DC", "publisher", a.publisher)
    if a.rights:
        book.add_metadata("DC", "rights", a.rights)
    if a.date:
        book.add_metadata("DC", "date", a.date.isoformat())
    if a.dek_html:
        book.add_metadata("DC", "description", plain_text(a.dek_html))
    if a.kicker:
        book.add_metadata("DC", "subject", a.kicker)
    if a.source_url:
        book.add_metadata("DC", "source", a.source_url)
    articles = [r for name, r in chapters if name != TITLE_PAGE]
    add_accessibility_metadata(book, a, articles, page_source)

    stylesheets = []
    for css in (theme.base_css, theme.epub_css):
        href = "styles/" + css.relative_to(theme.folder).as_posix()
        book.add_item(
            epub.EpubItem(uid=f"css-{css.stem}", file_name=href, media_type="text/css", content=css.read_bytes())
        )
        stylesheets.append(href)

    for path, data in font_files.items():
        rel = path.relative_to(theme.folder).as_posix()
        book.add_item(
            epub.EpubItem(uid=f"font-{path.stem}", file_name=f"styles/{rel}", media_type="font/ttf", content=data)
        )
    for licence in theme.licences:
        rel = licence.relative_to(theme.folder).as_posix()
        book.add_item(
            epub.EpubItem(
                uid=f"licence-{licence.stem}",
                file_name=f"styles/{rel}",
                media_type="text/plain",
                content=licence.read_bytes(),
            )
        )

    on_cover = cover_photo(rendition, chapters, cover_file)
    # One file per key: an image used many times is stored once.
    for im in {im.key: im for _, r in chapters for im in r.article.images}.values():
        ext = im.extension
        data = pictures[im.key].screen
        book.add_item(
            epub.EpubItem(
                uid=f"img-{im.key.replace('.', '-')}",
                file_name=f"images/{im.key}",
                media_type=images.media_type(ext),
                content=data,
            )
        )

    book.set_cover(COVER_IMAGE, cover_image, create_page=False)
    cover_page = epub.EpubItem(
        uid="cover-page",
        file_name=COVER_PAGE,
        media_type="application/xhtml+xml",
        content=cover_document(a, cover.alt_text(a, on_cover), tuple(stylesheets)).encode(),
    )
    content = [
        epub.EpubItem(
            uid=name.removesuffix(".xhtml"),
            file_name=name,
            media_type="application/xhtml+xml",
            content=document(r, tuple(stylesheets)).encode(),
        )
        for name, r in chapters
    ]
    nav = epub.EpubItem(
        uid="nav",
        file_name="nav.xhtml",
        media_type="application/xhtml+xml",
        content=nav_document(rendition, chapters).encode(),
    )
    nav.properties = ["nav"]
    for item in (cover_page, *content, nav):
        book.add_item(item)
    book.toc = [
        epub.Link(f"{name}#{ident}" if level > 1 else name, text, f"toc-{name[:-6]}-{ident}")
        for name, r in chapters
        for ident, text, level in r.headings
    ]
    book.add_item(epub.EpubNcx())
    book.spine = [cover_page, *content]

    raw = io.BytesIO()
    epub.write_epub(
        raw,
        book,
        {
            "mtime": modified.astimezone(dt.UTC).replace(tzinfo=None),
            "epub2_guide": False,
            "epub3_landmark": False,
            "epub3_pages": False,
            "raise_exceptions": True,
        },
    )
    opf = f"{book.FOLDER_NAME}/content.opf"
    return repack(raw.getvalue(), modified, {opf: lambda data: package_language(data, a.lang)})


def cover_photo(
    rendition: Rendition, chapters: tuple[tuple[str, Rendition], ...], cover_file: Image | None
) -> Image | None:
    """The picture on the cover: a collection's finished cover, else the book's own
    photo, else the first article's."""
    if cover_file is not None:
        return Image(key="", path=cover_file.path, alt=f"The cover of {rendition.article.title_text}.")
    for r in (rendition, *(r for _, r in chapters)):
        if r.article.photo:
            return r.article.photo
    return None


def add_accessibility_metadata(book: epub.EpubBook, a: Article, parts: list[Rendition], page_source: str) -> None:
    """EPUB Accessibility 1.1 discovery metadata, written from what the book holds."""
    has_images = any(r.article.images for r in parts)
    has_notes = any(r.article.notes for r in parts)
    pages = sum(len(r.pages) for r in parts)
    meta = [
        ("schema:accessMode", "textual"),
        ("schema:accessModeSufficient", "textual"),
        ("schema:accessibilityFeature", "structuralNavigation"),
        ("schema:accessibilityFeature", "readingOrder"),
        ("schema:accessibilityFeature", "tableOfContents"),
        ("schema:accessibilityFeature", "displayTransformability"),
        ("schema:accessibilityHazard", "none"),
        ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
    ]
    if has_images:
        meta.insert(1, ("schema:accessMode", "visual"))
        meta.insert(3, ("schema:accessibilityFeature", "alternativeText"))
    if has_notes:
        meta.append(("schema:accessibilityFeature", "annotations"))
    if pages:
        meta.append(("schema:accessibilityFeature", "printPageNumbers"))
        meta.append(("schema:accessibilityFeature", "pageNavigation"))
        meta.append(
            ("pageBreakSource", f"The {page_source} print edition (PDF) made by longread from the same manuscript")
        )
    what = "A single article" if len(parts) == 1 else f"A collection of {len(parts)} articles"
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
    summary += "The text can be resized and restyled by the reader. No known hazards."
    meta.append(("schema:accessibilitySummary", summary))
    for prop, value in meta:
        book.add_metadata(None, "meta", value, {"property": prop})


def cover_document(a: Article, alt: str, stylesheets: tuple[str, ...]) -> str:
    links = "".join(f'<link rel="stylesheet" type="text/css" href="{h}"/>' for h in stylesheets)
    lang = escape(a.lang)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="{EPUB_NS}" lang="{lang}" xml:lang="{lang}">\n'
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(a.title_text)}</title>\n{links}\n</head>\n'
        '<body epub:type="frontmatter">\n<section class="cover" epub:type="cover">\n'
        f'<img src="{COVER_IMAGE}" role="doc-cover" alt={quoteattr(alt)}/>\n'
        "</section>\n</body>\n</html>\n"
    )


def nav_document(r: Rendition, chapters: tuple[tuple[str, Rendition], ...]) -> str:
    lang = escape(r.lang)
    # Navigation labels are English; say so when the article is not.
    label_lang = "" if r.lang.lower().startswith("en") else ' lang="en" xml:lang="en"'
    # Each heading hangs under the nearest heading above it of a higher rank.
    root: list = []
    path: list[tuple[int, list]] = [(0, root)]
    for name, part in chapters:
        for ident, text, level in part.headings:
            while path[-1][0] >= level:
                path.pop()
            children: list = []
            href = name if level == 1 else f"{name}#{ident}"
            path[-1][1].append((href, text, children))
            path.append((level, children))

    def ol(nodes: list) -> str:
        lis = [
            f'<li><a href="{href}">{escape(text)}</a>{ol(children) if children else ""}</li>'
            for href, text, children in nodes
        ]
        return "<ol>" + "".join(lis) + "</ol>"

    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="{EPUB_NS}" lang="{lang}" xml:lang="{lang}">\n'
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(r.title)}</title>\n</head>\n<body>\n'
        f'<nav epub:type="toc" role="doc-toc" id="toc">\n<h1{label_lang}>{LABELS["contents"]}</h1>\n'
        f"{ol(root)}\n</nav>\n"
        f'<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n'
        f"<h2{label_lang}>{LABELS['landmarks']}</h2>\n<ol>\n"
        f'<li><a epub:type="cover" href="{COVER_PAGE}"{label_lang}>{LABELS["cover"]}</a></li>\n'
        f'<li><a epub:type="bodymatter" href="{chapters[0][0]}"{label_lang}>{LABELS["start"]}</a></li>\n'
        "</ol>\n</nav>\n" + page_list(chapters, label_lang) + "</body>\n</html>\n"
    )


def page_list(chapters: tuple[tuple[str, Rendition], ...], label_lang: str) -> str:
    items = "".join(
        f'<li><a href="{name}#{ident}">{escape(label)}</a></li>' for name, r in chapters for label, ident in r.pages
    )
    if not items:
        return ""
    return (
        f'<nav epub:type="page-list" role="doc-pagelist" id="page-list" hidden="hidden">\n'
        f"<h2{label_lang}>{LABELS['pages']}</h2>\n<ol>{items}</ol>\n</nav>\n"
    )


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
        ordered = ["mimetype"] + [n for n in names if n != "mimetype"]
        for name in ordered:
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
