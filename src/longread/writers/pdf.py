"""Stage 4b, the PDF writer (WeasyPrint).

The same rendition as the EPUB, with the theme's base, print and paper
stylesheets (and the press layer for a printer: bleed and crop marks).
WeasyPrint only ever sees what this module hands it: the theme's own files and
the article's images, processed for print.  Every other URL — the network,
``file:`` paths elsewhere on the disk — is refused.

Layout happens once (:func:`lay_out`); the laid-out pages then give the print
PDF, the archival PDF/A, each image's effective resolution and the first words
of every page (for the EPUB's page list).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..assets import images
from ..errors import ManuscriptError
from ..model import Image, Rendition, Theme
from ..render.article import document
from . import proof

# Images are placed at this resolution at their printed size, never above.
PRINT_PPI = 300
# Below this, at its printed size, an image is reported as too coarse for print.
MIN_PPI = 295
# The bleed a print shop gets, in points: 1/8 in (3.175 mm) covers the US 0.125 in
# and the European 3 mm conventions alike.
PRESS_BLEED = 9


@dataclass
class Layout:
    """A laid-out print edition, ready to be written as one or more PDFs."""

    rendition: Rendition
    document: object  # weasyprint.document.Document
    page_starts: tuple[str, ...]  # the first words on each page, in order
    press: bool = False
    warnings: list[str] = field(default_factory=list)


def load_engine() -> None:
    """Import WeasyPrint, before any image is decoded on another thread: its import
    makes Pillow accept truncated files process-wide, which longread undoes."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False


def lay_out(
    rendition: Rendition,
    theme: Theme,
    font_files: dict[Path, bytes],
    paper: str,
    press: bool = False,
    cache_dir: Path | None = None,
) -> Layout:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    if paper not in theme.paper_css:
        raise ManuscriptError(
            theme.folder / "theme.yaml",
            f"the theme has no '{paper}' paper (it has: {', '.join(sorted(theme.paper_css))})",
        )
    if press and theme.press_css is None:
        raise ManuscriptError(theme.folder / "theme.yaml", "the theme has no press stylesheet")
    article = rendition.article
    # Images are served from memory under a base folder that holds nothing else.
    base = article.folder.resolve() / ".longread-print"
    fetcher = _fetcher(
        theme,
        {(base / "images" / im.key).as_posix(): im for im in article.images},
        {p.resolve().as_posix(): data for p, data in font_files.items()},
        cache_dir,
    )
    font_config = FontConfiguration()
    layers = [theme.base_css, theme.print_css, theme.paper_css[paper]]
    if press:
        layers.append(theme.press_css)
    sheets = [CSS(filename=str(p), font_config=font_config, url_fetcher=fetcher) for p in layers]

    messages: list[str] = []

    def render(markup: str):
        html = HTML(string=markup, base_url=base.as_uri() + "/", url_fetcher=fetcher)
        with _collect_warnings() as found:
            doc = html.render(font_config=font_config, stylesheets=sheets, dpi=PRINT_PPI)
        messages[:] = found  # what the final layout had to say
        return doc

    # The pages are made up from the PDF writer's own copy of the rendition.
    sizes = {f"images/{im.key}": images.print_size(im.path) for im in article.images}
    try:
        doc, notices = proof.settle(document(rendition), sizes, render)
    except FatalURLFetchingError as e:
        if fetcher.failure is not None:
            raise fetcher.failure from None
        raise ManuscriptError(article.source, f"the PDF needed a resource longread does not allow ({e})") from None
    layout = Layout(rendition, doc, page_starts(doc), press)
    layout.warnings += [f"{article.source}: PDF: {m}" for m in messages + notices]
    layout.warnings += resolution_warnings(doc, article.images, article.source)
    return layout


def write(
    layout: Layout,
    variant: str = "pdf/ua-1",
    attachments: tuple[tuple[Path, str, str], ...] = (),
    xmp: bytes | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The laid-out pages as a PDF of the given variant (tagged PDF/UA by default).

    ``attachments`` are (file, name, description) triples, embedded in PDF/A-3
    files with the time ``stamp`` (so that two builds give the same bytes).
    """
    from weasyprint import Attachment

    a = layout.rendition.article
    files = [
        Attachment(
            file_obj=io.BytesIO(path.read_bytes()),
            name=name,
            description=desc,
            created=stamp,
            modified=stamp,
            relationship="Source",
        )
        for path, name, desc in attachments
    ]

    def finish(document, pdf) -> None:
        if layout.press:
            _press_boxes(pdf)
        if xmp:
            _add_xmp(pdf, xmp)

    with _collect_warnings() as messages:
        data = layout.document.write_pdf(
            finisher=finish,
            pdf_variant=variant,
            pdf_tags=True,
            # A fixed identifier, derived from the content, keeps builds reproducible.
            pdf_identifier=hashlib.md5(layout.rendition.body.encode()).hexdigest().encode(),
            attachments=files,
            dpi=PRINT_PPI,
        )
    layout.warnings += [f"{a.source}: PDF: {m}" for m in messages]
    return data


def _add_xmp(pdf, description: bytes) -> None:
    """Put more properties into WeasyPrint's XMP packet: inside its one rdf:RDF, where
    XMP readers look (a second rdf:RDF block is ignored)."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            packet = b"".join(obj.stream)
            obj.stream = [packet.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1)]


def _press_boxes(pdf) -> None:
    """The press stylesheet leaves room outside the bleed for the crop marks; the
    BleedBox itself is the standard 1/8 in (9 pt) beyond the trim on every side."""
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
            x0, y0, x1, y1 = obj["TrimBox"]
            obj["BleedBox"] = pydyf.Array([x0 - PRESS_BLEED, y0 - PRESS_BLEED, x1 + PRESS_BLEED, y1 + PRESS_BLEED])


def _fetcher(theme: Theme, served: dict[str, Image], fonts: dict[str, bytes], cache_dir: Path | None):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    theme_root = theme.folder.resolve()

    class Fetcher(URLFetcher):
        failure: ManuscriptError | None = None

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = unquote(parts.path)
            if parts.scheme == "file" and path in served:
                im = served[path]
                try:
                    data = images.render(im.path, images.PRINT_LONG_EDGE, im.extension, cache_dir, im.owner)
                except ManuscriptError as e:
                    # WeasyPrint would only log a failed image and print without it.
                    self.failure = e
                    raise FatalURLFetchingError(str(e)) from None
                return URLFetcherResponse(url, data, {"Content-Type": images.media_type(im.extension)})
            if parts.scheme == "file" and Path(path).resolve().as_posix() in fonts:
                # The subset font files the EPUB embeds too.
                return URLFetcherResponse(url, fonts[Path(path).resolve().as_posix()], {"Content-Type": "font/ttf"})
            if parts.scheme == "file" and Path(path).resolve().is_relative_to(theme_root):
                return URLFetcherResponse(url, Path(path).resolve().read_bytes())
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


def resolution_warnings(doc, article_images: tuple[Image, ...], source: Path) -> list[str]:
    """Images whose pixels are too few for 300 ppi at the size they are printed."""
    from weasyprint.formatting_structure import boxes

    by_key = {f"images/{im.key}": im for im in article_images}
    worst: dict[str, float] = {}
    for page in doc.pages:
        for box in _flow_boxes(page._page_box):
            if isinstance(box, boxes.ReplacedBox) and box.element is not None:
                im = by_key.get(box.element.get("src", ""))
                if im is None or not box.width:
                    continue
                width_px, _ = images.print_size(im.path)
                ppi = width_px / (box.width / 96)
                worst[im.key] = min(ppi, worst.get(im.key, ppi))
    return [
        f"{source}: image {by_key['images/' + key].path.name} prints at {ppi:.0f} ppi "
        f"(under {PRINT_PPI}); supply a larger file for print"
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
