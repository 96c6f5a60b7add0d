"""The warm builder: the library's own route, loaded once and run in two stages.

1. **E-book view**: read, typeset and render (the route's :func:`read_book`),
   then the web edition's document of the book with the e-book's stylesheets
   linked, not embedded: no layout, no font subsetting, no image waits, so it
   is ready in a fraction of a second.
2. **Print pages**: the same book laid out for the paper by the PDF writer,
   written once and drawn page by page to images (pdfium).

Images are made at screen and print size on worker threads, in a cache that
lives as long as the preview; fonts are subset for the print stage only.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .. import config
from ..assets import Pending, copy_of, font_text, fonts, images
from ..files import Inputs
from ..findings import Finding as BuildFinding
from ..model import Assets, Book, BuildOptions, Plan, Theme
from ..pipeline.plan import make_plan
from ..pipeline.route import read_book
from ..writers import html
from .state import EbookView, PrintView

#: Pixels per PostScript point of the print pages (90 dpi): a letter page is 765
#: pixels wide, sharp at the size the page shows it and legible when opened alone.
PAGE_SCALE = 1.25
#: The stylesheet standing in for a reading system: its margins, day and night.
READER_CSS = "/static/reader.css"


@dataclass
class Draft:
    """One build between its stages: the book, its images, what it warned about."""

    book: Book
    plan: Plan
    screen: Mapping[str, bytes]
    printed: Mapping[str, bytes]
    findings: list[BuildFinding] = field(default_factory=list)
    view: EbookView | None = None


class Builder:
    def __init__(self, source: Path, options: BuildOptions, cache_dir: Path, pool: Executor) -> None:
        from ..writers import pdf

        self.source = source
        self.options = dataclasses.replace(options, formats=("html", "pdf"), cache=True)
        self.cache_dir = cache_dir
        self.pool = pool
        self.plan = self.load_plan()  # a bad theme or paper is refused before anything is served
        self.pictures: dict[str, Future] = {}  # decoded pictures, by content, kept between builds
        self.inputs = Inputs()
        pdf.load_engine()  # WeasyPrint and pdfium are loaded once, now
        import pypdfium2  # noqa: F401

    def load_plan(self) -> Plan:
        """The plan, with the theme and longread.yaml read again (either may have been edited)."""
        defaults = config.for_source(self.source)
        plan = make_plan(config.options_for(self.options, defaults), project=defaults.project)
        return dataclasses.replace(plan, cache_dir=self.cache_dir)

    def ebook(self, generation: int, theme_version: str) -> Draft:
        """Stage 1.  Raises :class:`ManuscriptError` for bad input."""
        start, cpu = time.perf_counter(), time.thread_time()
        self.plan = plan = self.load_plan()
        self.inputs = inputs = Inputs()  # kept even when reading fails: the page shows what was read
        findings: list[BuildFinding] = []
        book = read_book(self.source, plan, inputs, findings)
        screen, printed = start_images(book, self.pictures, self.pool)
        document = html.serialise(html.page(book, view_stylesheets(plan.theme, theme_version)))
        view = EbookView(
            generation, document, screen, theme_version, time.perf_counter() - start, time.thread_time() - cpu
        )
        return Draft(book, plan, screen, printed, findings, view)

    def print_pages(self, draft: Draft, generation: int) -> PrintView:
        """Stage 2: the print edition's pages.  Adds the layout's warnings to the draft."""
        from ..writers import pdf

        start, cpu = time.perf_counter(), time.thread_time()
        plan = draft.plan
        subset = fonts.subset_faces(plan.theme, font_text(draft.book), plan.cache_dir)
        assets = Assets(fonts=subset, screen_images=draft.screen, print_images=draft.printed)
        paper = plan.papers[0]
        layout = pdf.lay_out(draft.book, plan.theme, paper, assets)
        draft.findings += layout.findings
        # The layout as a PDF to draw from: untagged and uncompressed, the quickest to
        # write and to read, and drawn exactly as the tagged print PDF is.
        data = layout.document.write_pdf(uncompressed_pdf=True)
        pages, (width, height) = rasterise(data, PAGE_SCALE)
        seconds, cpu_seconds = time.perf_counter() - start, time.thread_time() - cpu
        return PrintView(generation, pages, paper.label, width, height, seconds, cpu_seconds)


def view_stylesheets(theme: Theme, version: str) -> tuple[str, ...]:
    """The e-book's stylesheet layers, served from the theme folder, and a reading
    system's own."""
    from .. import tokens

    return tuple(
        f"/theme/{quote(href.removeprefix('styles/'))}?v={version}" for href, _ in tokens.epub_sheets(theme)
    ) + (READER_CSS,)


def start_images(book: Book, made: dict[str, Future], pool: Executor) -> tuple[Pending, Pending]:
    """Every image at screen and at print size, made on the pool from one decode;
    ``made`` keeps the pictures by content for the life of the preview, so a save
    that leaves an image alone does not decode it again."""
    screen: dict[str, Future] = {}
    printed: dict[str, Future] = {}
    for im in book.images:
        if im.file is None:
            continue
        if im.file.digest not in made:
            made[im.file.digest] = pool.submit(images.prepare, im.file, im.owner or book.source, ("screen", "print"))
        screen[im.key] = copy_of(made[im.file.digest], "screen")
        printed[im.key] = copy_of(made[im.file.digest], "print")
    return Pending(screen), Pending(printed)


def rasterise(pdf_bytes: bytes, scale: float) -> tuple[tuple[bytes, ...], tuple[int, int]]:
    """Each page of a PDF as a JPEG image, and the first page's size in pixels."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        pages, size = [], (0, 0)
        for page in document:
            image = page.render(scale=scale).to_pil()
            size = size if pages else image.size
            out = io.BytesIO()
            # JPEG, not PNG: a page is drawn again on every save, and PNG's compression
            # takes several times as long as the drawing.  Full chroma keeps red
            # type and rules sharp.
            image.save(out, "JPEG", quality=90, subsampling=0)
            pages.append(out.getvalue())
            page.close()
        return tuple(pages), size
    finally:
        document.close()
