"""The build route: one path from a source (a manuscript or a collection) to its
outputs, the same for both.

    read (every input once) → typeset → render → Book
    → assets (fonts now; images and cover on worker threads)
    → PDF: lay out per paper, write each variant
    → page list from the first paper's layout → EPUB, web edition (HTML)
    → outputs replaced together, or the archive bag
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import assets as asset_files
from ..assets import fonts
from ..errors import ManuscriptError, shown
from ..files import Inputs, replace_together
from ..findings import Finding, Lines, finding
from ..model import Book, Output, Plan
from ..render import book as books
from ..render.article import render_article
from ..source.collection import read_collection
from ..source.discover import is_collection, output_name
from ..source.read import read
from ..typeset import typeset
from ..writers import html, metadata, pagelist


@dataclass
class Made:
    """A book's outputs, in memory, by file name; nothing is on disk yet."""

    book: Book
    files: dict[str, bytes] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    #: What a --verbose build reports besides warnings.
    notes: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return list(dict.fromkeys(str(f) for f in self.findings))


@dataclass
class Built:
    """What building one source put on disk, and what it met on the way."""

    outputs: list[Output]
    warnings: list[str]
    notes: list[str]
    #: Every file read, with its SHA-256, in reading order (for the up-to-date stamp).
    inputs: list[tuple[str, str]]


def read_book(source: Path, plan: Plan, inputs: Inputs, findings: list[Finding], keep_going: bool = False) -> Book:
    """Read, typeset and render one manuscript or one collection into a book;
    what reading finds is added to ``findings`` (with ``keep_going``, errors too:
    see :func:`~longread.source.read.read`)."""
    dash_style = plan.theme.dash_style
    if is_collection(source):
        c = read_collection(source, inputs)
        findings += c.findings
        renditions = []
        for path in c.parts:
            article = read(path, inputs, within=source.resolve().parent, keep_going=keep_going)
            findings += article.findings
            renditions.append(render_article(typeset(article, dash_style)))
        c = dataclasses.replace(c, article=typeset(c.article, dash_style))
        book = books.collection(c, tuple(renditions), output_name(source))
    else:
        article = read(source, inputs, keep_going=keep_going)
        findings += article.findings
        book = books.single(render_article(typeset(article, dash_style)))
    findings += lacking_characters(book, plan, inputs)
    return book


def lacking_characters(book: Book, plan: Plan, inputs: Inputs) -> list[Finding]:
    """Characters the theme's fonts cannot show, each source's own, placed where
    it first uses one."""
    lacking = fonts.missing(asset_files.font_text(book), plan.theme)
    if not lacking:
        return []
    fix = "a fallback font will be used; choose a theme whose fonts have them, or other characters"
    found = []
    for path in dict.fromkeys([book.source, *(p.article.source for p in book.parts)]):
        try:
            text = inputs.data(path).decode("utf-8-sig")
        except (KeyError, UnicodeDecodeError):
            continue
        own = [c for c in lacking if c in text]
        if own:
            at = min(p for p in (Lines(text).find(c) for c in own) if p)
            found.append(finding("text-001", path, f"the theme's fonts cannot show {characters(own)}", fix, at))
    return found or [finding("text-001", book.source, f"the theme's fonts cannot show {characters(lacking)}", fix)]


def characters(chars: list[str]) -> str:
    shown_chars = " ".join(f"{c} (U+{ord(c):04X})" for c in chars[:8])
    return shown_chars + (f" and {len(chars) - 8} more" if len(chars) > 8 else "")


def make(source: Path, plan: Plan, inputs: Inputs) -> Made:
    """Every output of one source, made in memory."""
    findings: list[Finding] = []
    book = read_book(source, plan, inputs, findings)
    made = Made(book, findings=findings)
    with ThreadPoolExecutor(max_workers=2) as pool:
        # The images and the cover are made on worker threads while WeasyPrint
        # loads, and mostly done before the layout begins.
        assets = asset_files.start(book, plan, pool)
        if plan.needs_pdf:
            from ..writers import pdf  # WeasyPrint is loaded only when a PDF is wanted

            pdf.load_engine()
        page_source = ""
        if plan.needs_pdf:
            layouts = write_pdfs(made, plan, assets, inputs)
            first = layouts[0]
            page_source = first.paper.label
            # The e-book carries the page numbers of the (first) print edition made beside it.
            made.book = pagelist.mark_pages(made.book, first.page_starts)
        if plan.needs_epub:
            from ..writers import epub  # the e-book library is loaded only for an e-book

            finished = asset_files.finished(assets)
            rec = metadata.record(made.book.meta, plan.build_time)
            made.files[f"{book.name}.epub"] = epub.make_epub(
                made.book, plan.theme, finished, rec, plan.build_time, page_source
            )
        if plan.needs_html:
            made.files[f"{book.name}.html"] = html.make_html(made.book, plan.theme, assets, plan.cache_dir)
    return made


def write_pdfs(made: Made, plan: Plan, assets, inputs: Inputs) -> list:
    """Lay out the book once per paper and write every PDF variant of that layout."""
    from ..writers import pdf

    book, layouts = made.book, []
    several = len(plan.papers) > 1
    for paper in plan.papers:
        stem = f"{book.name}-{paper.name}" if several else book.name
        layout = pdf.lay_out(book, plan.theme, paper, assets, press=plan.press and not plan.archival)
        variant = pdf.VARIANTS["press" if layout.press else "print"]
        if "pdf" in plan.formats or plan.archival:
            made.files[f"{stem}{variant.suffix}.pdf"] = pdf.make_pdf(layout, variant, stamp=plan.build_time)
        if plan.archival and paper == plan.papers[0]:
            made.files[f"{stem}{pdf.VARIANTS['archival'].suffix}.pdf"] = archival_pdf(layout, plan, inputs)
        made.findings += layout.findings
        made.notes += layout.notes
        layouts.append(layout)
    return layouts


def archival_pdf(layout, plan: Plan, inputs: Inputs) -> bytes:
    """PDF/A-3u carrying the book's sources as attachments, with the full record in XMP."""
    from ..writers import pdf
    from ..writers.archive import source_files

    book = layout.book
    return pdf.make_pdf(
        layout,
        variant=pdf.VARIANTS["archival"],
        stamp=plan.build_time,
        xmp=metadata.to_xmp(metadata.record(book.meta, plan.build_time)),
        attachments=tuple((inputs.data(p), rel, "source of this article") for p, rel in source_files(book)),
    )


def build_source(source: Path, plan: Plan) -> Built:
    """Build one source's outputs (or its archive bag) and put them in place
    together; nothing is written unless all of them succeed."""
    inputs = Inputs()
    made = make(source, plan, inputs)
    if plan.archival:
        from ..writers.archive import write_bag

        target = plan.output_dir / f"{made.book.name}-archive"
        refuse_overwriting_inputs([target], inputs, source)
        rec = metadata.record(made.book.meta, plan.build_time)
        write_bag(target, made.book, plan.theme, made.files, rec, inputs)
        size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        return Built([Output(target, size)], made.warnings, made.notes, inputs.read_order)
    targets = {plan.output_dir / name: data for name, data in sorted(made.files.items())}
    refuse_overwriting_inputs(list(targets), inputs, source)
    replace_together(targets)
    return Built([Output(p, len(d)) for p, d in targets.items()], made.warnings, made.notes, inputs.read_order)


def refuse_overwriting_inputs(targets: list[Path], inputs: Inputs, source: Path) -> None:
    """An output never replaces a file the build read (``-o`` pointed at the sources)."""
    read = {os.path.realpath(name) for name, _ in inputs.read_order}
    for target in targets:
        real = os.path.realpath(target)
        if real in read or any(r.startswith(real + os.sep) for r in read):
            raise ManuscriptError(
                source, f"the output {shown(target)} would overwrite a source file; choose another -o"
            )
