"""Stage 4b, the PDF writer (WeasyPrint).

The book's print document, with the theme's base, print and paper stylesheets
(and the press layer for a printer: bleed and crop marks).  WeasyPrint only ever
sees what this module hands it: the theme's own files, the subset fonts and the
book's images, processed for print.  Every other URL — the network, ``file:``
paths elsewhere on the disk — is refused.

Layout happens once per paper (:func:`lay_out`); the laid-out pages then give
the PDFs of every variant that shares that layout (:data:`VARIANTS`), each
image's effective resolution and the first words of every page (for the EPUB's
page list).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .. import tokens
from ..assets import images
from ..compose import Cache, compose
from ..compose.handoff import drop_empty_text
from ..errors import ManuscriptError
from ..findings import Finding, finding
from ..model import Assets, Book, Image, Paper, Theme
from ..render.article import head
from ..render.book import print_body
from ..render.document import document, serialise
from . import pdfx, proof

# Images are placed at this resolution at their printed size, never above.
PRINT_PPI = 300
# Below this, at its printed size, an image is reported as too coarse for print.
MIN_PPI = 295
# The bleed a print shop gets, in points: 1/8 in (3.175 mm) covers the US 0.125 in
# and the European 3 mm conventions alike.
PRESS_BLEED = 9


@dataclass(frozen=True)
class Variant:
    """A kind of PDF longread makes: the standard it claims and its file-name suffix."""

    name: str
    standard: str  # WeasyPrint's pdf_variant
    suffix: str
    #: Laid out with the theme's press layer (bleed and crop marks).
    press: bool = False


#: The PDFs longread makes.  The print edition is tagged PDF/UA-1 for every
#: reader; the press edition PDF/X-4 with the theme's CMYK output intent; the
#: archival one PDF/A-3u (so the source can travel inside it, and every glyph
#: maps to Unicode text).
VARIANTS = {
    "print": Variant("print", "pdf/ua-1", ""),
    "press": Variant("press", pdfx.VARIANT, "-press", press=True),
    "archival": Variant("archival", "pdf/a-3u", "-archival"),
}


@dataclass
class Layout:
    """A laid-out print edition, ready to be written as one or more PDFs."""

    book: Book
    paper: Paper
    document: object  # weasyprint.document.Document
    page_starts: tuple[str, ...]  # the first words on each page, in order
    identifier: bytes
    press: bool = False
    #: What laying out and writing found (low resolution, WeasyPrint's warnings).
    findings: list[Finding] = field(default_factory=list)
    #: What a --verbose build reports (the paragraph composer's figures).
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [str(f) for f in self.findings]


def load_engine() -> None:
    """Import WeasyPrint once, before images are decoded on other threads (its
    import changes a Pillow switch process-wide; longread's own decoding sets the
    switches it needs around itself, see assets/images.py)."""
    from .engine_patches import loading

    with loading():
        import weasyprint  # noqa: F401


def print_document(book: Book) -> bytes:
    """The book as one XHTML document for paged media."""
    return serialise(document(book.meta.lang, head(book.meta, book.meta.title_text), print_body(book)))


def lay_out(book: Book, theme: Theme, paper: Paper, assets: Assets, press: bool = False) -> Layout:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    if press and not theme.press_layers:
        raise ManuscriptError(theme.folder / "theme.yaml", "the theme has no press stylesheet")
    source = book.source
    # Images are served from memory under a base folder that holds nothing else.
    base = source.parent.resolve() / ".longread-print"
    fetcher = _fetcher(theme, base, book.images, assets)
    font_config = FontConfiguration()
    # The press layer's CMYK profile (@color-profile) becomes the output intent.
    shared = {"font_config": font_config, "url_fetcher": fetcher, "color_profiles": {}}
    sheets = [
        CSS(filename=str(s.path), **shared)
        if s.path
        else CSS(string=s.text, base_url=theme.folder.as_uri() + "/", **shared)
        for s in tokens.print_sheets(theme, paper.name, press)
    ]
    markup = print_document(book)
    messages: list[str] = []
    composed: list[str] = []
    cache = Cache(assets.fonts)  # shared by the proof's layouts

    def render(copy: str):
        """Lay out one made-up print copy, its paragraphs composed (each paragraph's
        lines chosen together; after layout the lines are checked, and a paragraph
        that came out otherwise is laid out again by WeasyPrint's own breaking)."""
        html = HTML(string=copy, base_url=base.as_uri() + "/", url_fetcher=fetcher)
        composition = compose(html, sheets, font_config, theme.faces, assets.fonts, cache)

        def lay_out_once():
            return html.render(
                font_config=font_config, color_profiles=shared["color_profiles"], stylesheets=sheets, dpi=PRINT_PPI
            )

        with _collect_warnings() as found:
            doc = composition.verified(lay_out_once(), lay_out_once)
        drop_empty_text(doc)
        messages[:] = found  # what the final layout had to say
        composed[:] = [composition.report()]
        return doc

    # The pages are made up from the PDF writer's own copy of the rendition, then
    # proofed: read back, corrected, laid out again (see proof.py).
    sizes = {f"images/{im.key}": images.pixel_size(assets.print_images[im.key]) for im in book.images}
    try:
        doc, notices = proof.settle(markup.decode("utf-8"), sizes, render)
    except FatalURLFetchingError as e:
        if fetcher.failure is not None:
            raise fetcher.failure from None
        raise ManuscriptError(source, f"the PDF needed a resource longread does not allow ({e})") from None
    # A fixed identifier, derived from the content, keeps builds reproducible.
    identifier = hashlib.md5(markup).hexdigest().encode()
    layout = Layout(book, paper, doc, page_starts(doc), identifier, press)
    layout.notes += [f"{source}: PDF ({paper.name}): {report}" for report in composed]
    layout.findings += [finding("pdf-001", source, f"PDF: {m}") for m in messages]
    layout.findings += [finding("pdf-002", source, f"PDF: {m}") for m in notices]
    layout.findings += resolution_warnings(doc, book.images, assets, source)
    return layout


def make_pdf(
    layout: Layout,
    variant: Variant | None = None,
    attachments: tuple[tuple[bytes, str, str], ...] = (),
    xmp: bytes | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The laid-out pages as a PDF of the given variant (by default the edition's
    own: tagged PDF/UA, or PDF/X-4 for the press).

    ``attachments`` are (content, name, description) triples, embedded in PDF/A-3
    files with the time ``stamp`` (so that two builds give the same bytes).
    """
    from weasyprint import Attachment

    from .engine_patches import pdf_writing

    variant = variant or VARIANTS["press" if layout.press else "print"]
    if pdfx.is_pdfx(variant.standard):
        pdfx.set_dates(layout.document, stamp)
    files = [
        Attachment(
            file_obj=io.BytesIO(data),
            name=name,
            description=desc,
            created=stamp,
            modified=stamp,
            relationship="Source",
        )
        for data, name, desc in attachments
    ]

    identifier = layout.identifier.decode()

    def finish(document, pdf) -> None:
        if layout.press:
            _press_boxes(pdf)
        if pdfx.is_pdfx(variant.standard):
            pdfx.conform(pdf, identifier)
        if xmp:
            _add_xmp(pdf, xmp)

    with _collect_warnings() as messages, pdf_writing():
        data = layout.document.write_pdf(
            finisher=finish,
            pdf_variant=variant.standard,
            pdf_tags=True,
            pdf_identifier=layout.identifier,
            attachments=files,
            dpi=PRINT_PPI,
        )
    layout.findings += [finding("pdf-001", layout.book.source, f"PDF: {m}") for m in messages]
    return data


def _add_xmp(pdf, description: bytes) -> None:
    """Put more properties into WeasyPrint's XMP packet: inside its one rdf:RDF, where
    XMP readers look (a second rdf:RDF block is ignored)."""
    import pydyf
    from lxml import etree

    rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            packet = etree.ElementTree(etree.fromstring(b"".join(obj.stream)))
            packet.getroot().find(f".//{rdf}").append(etree.fromstring(description))
            # The packet keeps its xpacket processing instructions around the root.
            obj.stream = [etree.tostring(packet, encoding="utf-8")]


def _press_boxes(pdf) -> None:
    """The press stylesheet leaves room outside the bleed for the crop marks; the
    BleedBox itself is the standard 1/8 in (9 pt) beyond the trim on every side."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
            x0, y0, x1, y1 = obj["TrimBox"]
            obj["BleedBox"] = pydyf.Array([x0 - PRESS_BLEED, y0 - PRESS_BLEED, x1 + PRESS_BLEED, y1 + PRESS_BLEED])


def _fetcher(theme: Theme, base: Path, book_images: tuple[Image, ...], assets: Assets):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    theme_roots = [folder.resolve() for folder in theme.folders or (theme.folder,)]
    served = {(base / "images" / im.key).as_posix(): im for im in book_images}
    fonts = {p.resolve().as_posix(): data for p, data in assets.fonts.items()}

    class Fetcher(URLFetcher):
        failure: ManuscriptError | None = None

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = unquote(parts.path)
            if parts.scheme != "file":
                raise FatalURLFetchingError(f"refused to fetch {url}")
            if path in served:
                im = served[path]
                try:
                    data = assets.print_images[im.key]
                except ManuscriptError as e:
                    # WeasyPrint would only log a failed image and print without it.
                    self.failure = e
                    raise FatalURLFetchingError(str(e)) from None
                return URLFetcherResponse(url, data, {"Content-Type": images.media_type(im.extension)})
            real = Path(path).resolve()
            if real.as_posix() in fonts:
                # The subset font files the EPUB embeds too.
                return URLFetcherResponse(url, fonts[real.as_posix()], {"Content-Type": "font/ttf"})
            if any(real.is_relative_to(r) for r in theme_roots):
                return URLFetcherResponse(url, real.read_bytes())
            raise FatalURLFetchingError(f"refused to fetch {url}")

    return Fetcher()


# --- reading the layout -----------------------------------------------------------


def _flow_boxes(page_box):
    """The boxes of a page's main flow, in order: no margin boxes (running heads,
    folios), no footnote area."""
    from weasyprint.formatting_structure import boxes

    def walk(box):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        yield box
        for child in box.all_children() if isinstance(box, boxes.ParentBox) else ():
            yield from walk(child)

    yield from walk(page_box)


def page_starts(doc) -> tuple[str, ...]:
    """The first words of each page's main text, as laid out: its first line, and
    the next when the first is short (a list number, the end of a word)."""
    from weasyprint.formatting_structure import boxes

    starts = []
    for page in doc.pages:
        words = ""
        for box in _flow_boxes(page._page_box):
            if isinstance(box, boxes.LineBox):
                words += "".join(
                    b.text
                    for b in box.descendants()
                    # generated text (a printed link address, a list number) is not in the e-book
                    if isinstance(b, boxes.TextBox) and "::" not in (b.element_tag or "")
                )
                if len(words.strip()) >= 20:
                    break
        starts.append(words.strip())
    return tuple(starts)


def resolution_warnings(doc, book_images: tuple[Image, ...], assets: Assets, source: Path) -> list[Finding]:
    """Images whose pixels are too few for 300 ppi at the size they are printed."""
    from weasyprint.formatting_structure import boxes

    by_src = {f"images/{im.key}": im for im in book_images}
    worst: dict[str, float] = {}
    for page in doc.pages:
        for box in _flow_boxes(page._page_box):
            if isinstance(box, boxes.ReplacedBox) and box.element is not None:
                im = by_src.get(box.element.get("src", ""))
                if im is None or not box.width:
                    continue
                width_px = images.pixel_size(assets.print_images[im.key])[0]
                ppi = width_px / (box.width / 96)
                worst[im.key] = min(ppi, worst.get(im.key, ppi))
    return [
        finding(
            "img-003",
            by_src["images/" + key].owner or source,
            f"image {by_src['images/' + key].path.name} prints at {ppi:.0f} ppi, under {PRINT_PPI}",
            "supply a larger file for print",
            by_src["images/" + key].place,
        )
        for key, ppi in sorted(worst.items())
        if ppi < MIN_PPI
    ]


class _collect_warnings:  # noqa: N801 (used as a context manager)
    """Collect what WeasyPrint logs as warnings during a call."""

    def __enter__(self) -> list[str]:
        self.handler = _Collector()
        logging.getLogger("weasyprint").addHandler(self.handler)
        return self.handler.messages

    def __exit__(self, *exc) -> None:
        logging.getLogger("weasyprint").removeHandler(self.handler)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # Advice about the machine's HarfBuzz build, not about the manuscript.
        if "HarfBuzz-Subset" not in message:
            self.messages.append(message)
