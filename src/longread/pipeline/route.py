"""The pipeline: read → typeset → render → write, for each manuscript."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import theme as themes
from ..assets import cover, fonts, images
from ..errors import ManuscriptError
from ..files import write_atomically
from ..model import BuildOptions, Image, Outcome, Output, Rendition, Theme
from ..render.article import render
from ..source.collection import combined, prefixed, read_collection, title_page
from ..source.discover import find_manuscripts, is_collection
from ..source.discover import slug as collection_slug
from ..source.read import read
from ..typeset import typeset
from ..writers import epub, metadata, pagelist
from ..xhtml import plain_text

PAPER_NAMES = {"letter": "US Letter", "a4": "A4", "trade": "6 × 9 in trade"}

#: The archival PDF: PDF/A-3 (so the source can travel inside it), level U
#: (every glyph maps to Unicode text), tagged.
ARCHIVAL_VARIANT = "pdf/a-3u"


@dataclass
class Result:
    outputs: list[Output] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The files the outputs were made from, besides the manuscript (its images).
    inputs: list[Path] = field(default_factory=list)


def build_time(options: BuildOptions) -> dt.datetime:
    """The build's timestamp (see :meth:`BuildOptions.fixed`)."""
    return options.fixed().build_time


def font_text(rendition: Rendition) -> str:
    """Every character the outputs set: the body, and the title (a running head)."""
    return plain_text(rendition.body) + rendition.title + rendition.article.short_title


def prepare(path: Path, theme: Theme, result: Result) -> Rendition:
    """Read, typeset and render one manuscript; warnings go into ``result``."""
    article = read(path)
    result.warnings += article.warnings
    result.inputs += [im.path for im in article.images]
    rendition = render(typeset(article, theme.dash_style))
    lacking = fonts.missing(font_text(rendition), theme)
    if lacking:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in lacking[:8])
        more = f" and {len(lacking) - 8} more" if len(lacking) > 8 else ""
        result.warnings.append(f"{path}: the theme's fonts cannot show {shown}{more}; a fallback font will be used")
    return rendition


def pictures_for(
    article_images: tuple[Image, ...], copies: tuple[str, ...], cover_key: str | None = None
) -> dict[str, images.Picture]:
    """Each image decoded once, one after another (so memory holds one decoded image
    at a time), into the copies the outputs need; the same content used under two
    keys (two articles of a collection) is decoded once too."""
    pictures: dict[str, images.Picture] = {}
    made: dict[tuple[str, tuple[str, ...]], images.Picture] = {}
    for im in article_images:
        if im.key in pictures or im.file is None:
            continue
        wanted = copies + (("cover",) if im.key == cover_key else ())
        key = (im.file.digest, wanted)
        if key not in made:
            made[key] = images.prepare(im.file, im.owner or im.path, wanted)
        pictures[im.key] = made[key]
    return pictures


def editions(
    rendition: Rendition, theme: Theme, options: BuildOptions, result: Result, archival: bool = False
) -> dict[str, bytes]:
    """The outputs of one rendition, by file-name suffix."""
    # Caches are used, and filled, only where a build already succeeded: a failed
    # first build leaves no .cache/ behind in the output folder.
    cache_dir = options.output_dir / ".cache"
    cache = cache_dir if cache_dir.is_dir() else None
    stamp = build_time(options)
    font_files = fonts.subset_faces(theme, font_text(rendition), cache)
    wants_epub = "epub" in options.formats or archival
    wants_pdf = "pdf" in options.formats or archival
    copies = (("screen",) if wants_epub else ()) + (("print",) if wants_pdf else ())
    pictures = pictures_for(rendition.article.images, copies)
    if wants_pdf:
        from ..writers import pdf

        pdf.load_engine()
    # The e-book's cover is drawn on another thread (Pillow works outside Python's
    # lock) while WeasyPrint lays out the pages.
    with ThreadPoolExecutor(max_workers=1) as pool:
        a = rendition.article
        photo = pictures[a.photo.key].screen if a.photo and wants_epub else None
        front = pool.submit(cover.render, a, theme, photo, cache) if wants_epub else None
        return write_editions(rendition, theme, options, result, font_files, pictures, stamp, archival, front)


def write_editions(
    rendition: Rendition,
    theme: Theme,
    options: BuildOptions,
    result: Result,
    font_files: dict[Path, bytes],
    pictures: dict[str, images.Picture],
    stamp: dt.datetime,
    archival: bool,
    front: Future | None,
) -> dict[str, bytes]:
    made: dict[str, bytes] = {}
    if "pdf" in options.formats or archival:
        from ..writers import pdf  # WeasyPrint is loaded only when a PDF is wanted

        layout = pdf.lay_out(rendition, theme, font_files, options.paper, options.press, pictures)
        made["-press.pdf" if options.press else ".pdf"] = pdf.write(layout)
        if archival:
            from ..writers.archive import source_files

            rec = metadata.record(rendition.article, stamp)
            made["-archival.pdf"] = pdf.write(
                layout,
                variant=ARCHIVAL_VARIANT,
                stamp=stamp,
                xmp=metadata.to_xmp(rec),
                attachments=tuple((p, rel, "source of this article") for p, rel in source_files(rendition.article)),
            )
        result.warnings += layout.warnings
        # The e-book carries the page numbers of the print edition made beside it.
        rendition = pagelist.mark_pages(rendition, layout.page_starts)
    if front is not None:
        made[".epub"] = epub.write(
            rendition,
            theme,
            font_files,
            stamp,
            pictures,
            front.result(),
            page_source=PAPER_NAMES[options.paper],
        )
    return made


def build_one(path: Path, theme: Theme, options: BuildOptions) -> Result:
    """Build one manuscript's (or one collection's) outputs; nothing is written unless
    all of them succeed."""
    options = options.fixed()
    if is_collection(path):
        return build_collection(path, theme, options)
    result = Result()
    rendition = prepare(path, theme, result)
    made = editions(rendition, theme, options, result)
    write_outputs(rendition.article.slug, made, options, result)
    return result


def build_collection(path: Path, theme: Theme, options: BuildOptions) -> Result:
    """One EPUB and one PDF for a whole collection (see :mod:`longread.collection`)."""
    result = Result()
    c = read_collection(path)
    result.warnings += c.warnings
    if c.article.photo:
        result.inputs.append(c.article.photo.path)
    parts = tuple(prefixed(prepare(p, theme, result), f"a{i:02}") for i, p in enumerate(c.parts, 1))
    result.inputs += list(c.parts)
    c = dataclasses.replace(c, article=typeset(c.article, theme.dash_style))
    front = title_page(c)
    book = combined(c, front, parts)
    cache_dir = options.output_dir / ".cache"
    cache = cache_dir if cache_dir.is_dir() else None
    font_files = fonts.subset_faces(theme, font_text(book), cache)
    copies = (("screen",) if "epub" in options.formats else ()) + (("print",) if "pdf" in options.formats else ())
    cover_key = c.article.photo.key if c.article.photo and "epub" in options.formats else None
    everything = book.article.images + ((c.article.photo,) if c.article.photo else ())
    pictures = pictures_for(everything, copies, cover_key)
    made: dict[str, bytes] = {}
    if "pdf" in options.formats:
        from ..writers import pdf

        pdf.load_engine()
        layout = pdf.lay_out(book, theme, font_files, options.paper, options.press, pictures)
        made["-press.pdf" if options.press else ".pdf"] = pdf.write(layout)
        result.warnings += layout.warnings
        # Each article's e-book pages carry the collection's printed page numbers.
        parts = pagelist.mark_parts(parts, layout.page_starts)
    if "epub" in options.formats:
        chapters = ((epub.TITLE_PAGE, front), *((f"article-{i:02}.xhtml", p) for i, p in enumerate(parts, 1)))
        on_cover = epub.cover_photo(front, chapters, c.article.photo)
        photo = pictures[on_cover.key].screen if on_cover is not None and not c.article.photo else None
        made[".epub"] = epub.write(
            front,
            theme,
            font_files,
            build_time(options),
            pictures,
            pictures[cover_key].cover if cover_key else cover.render(front.article, theme, photo, cache),
            page_source=PAPER_NAMES[options.paper],
            chapters=chapters,
            cover_file=c.article.photo,
        )
    write_outputs(collection_slug(path), made, options, result)
    return result


def write_outputs(slug: str, made: dict[str, bytes], options: BuildOptions, result: Result) -> None:
    for suffix, data in sorted(made.items()):
        target = options.output_dir / f"{slug}{suffix}"
        write_atomically(target, data)
        result.outputs.append(Output(target, len(data)))


def archive_one(path: Path, theme: Theme, options: BuildOptions) -> Result:
    """Make the archival bag of one manuscript."""
    from ..writers.archive import write_bag

    options = options.fixed()
    result = Result()
    rendition = prepare(path, theme, result)
    made = editions(rendition, theme, options, result, archival=True)
    slug = rendition.article.slug
    target = options.output_dir / f"{slug}-archive"
    write_bag(target, rendition.article, theme, {slug + k: v for k, v in made.items()}, build_time(options))
    result.outputs.append(Output(target, sum(f.stat().st_size for f in target.rglob("*") if f.is_file())))
    return result


def build(manuscripts: list[Path], options: BuildOptions) -> Result:
    """Build every manuscript (files or folders of them); stop at the first error."""
    theme = themes.load(options.theme)
    result = Result()
    for path in find_manuscripts(manuscripts):
        one = build_one(path, theme, options)
        result.outputs += one.outputs
        result.warnings += one.warnings
    return result


def run_one(kind: str, path: Path, theme_dir: str, options: BuildOptions) -> Outcome:
    """Build (or archive) one manuscript, turning every failure into a one-line error."""
    import time

    start = time.perf_counter()
    outcome = Outcome(path)
    try:
        step = archive_one if kind == "archive" else build_one
        result = step(path, themes.load(theme_dir), options)
        outcome.outputs, outcome.warnings, outcome.inputs = result.outputs, result.warnings, result.inputs
    except ManuscriptError as e:
        outcome.error = str(e)
    except OSError as e:  # a file that cannot be read or written, a full disk
        where = f" ({e.filename})" if e.filename else ""
        outcome.error = f"{path}: {e.strerror or e}{where}"
    except RecursionError:
        outcome.error = f"{path}: the manuscript is nested too deeply to lay out"
    except MemoryError:
        outcome.error = f"{path}: the manuscript needs more memory than this machine has"
    except Exception as e:  # a bug of ours: still one line, never a traceback
        outcome.error = f"{path}: internal error ({type(e).__name__}: {e}); please report it"
    outcome.seconds = time.perf_counter() - start
    return outcome
