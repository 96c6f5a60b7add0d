"""The typed data that flows between the pipeline stages.

read → :class:`Article` → typeset → :class:`Article` → render → :class:`Rendition`
→ the EPUB, PDF and archive writers.  Everything here is immutable so a stage can
never change what an earlier stage handed on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .assets.images import Source


@dataclass(frozen=True)
class Image:
    """An image the article shows: the lead photo or a figure in the body.

    ``key`` is the stable file name the rendition refers to (``images/<key>``);
    ``path`` is the source file inside the manuscript's folder.
    """

    key: str
    path: Path
    alt: str
    caption_html: str = ""
    credit_html: str = ""
    #: The manuscript that uses the image (named in error messages).
    owner: Path | None = None
    #: The file as it was read and checked, once: every output is made from these bytes.
    file: Source | None = field(default=None, repr=False, compare=False)

    @property
    def extension(self) -> str:
        return self.key.rsplit(".", 1)[1]


@dataclass(frozen=True)
class Note:
    """A footnote: its id in the rendition and its content as an XHTML fragment."""

    id: str
    label: str
    html: str


@dataclass(frozen=True)
class Article:
    """One long read, as the editor wrote it.

    Text fields that allow inline Markdown (title, dek, caption) are held as XHTML
    fragments (``*_html``); plain fields are plain strings.
    """

    source: Path
    title_html: str
    title_text: str
    body_html: str
    lang: str = "en"
    dek_html: str = ""
    kicker: str = ""
    #: A shorter title for the print running head (the title when not given).
    short_title: str = ""
    authors: tuple[str, ...] = ()
    date: dt.date | None = None
    publisher: str = ""
    source_url: str = ""
    rights: str = ""
    photo: Image | None = None
    figures: tuple[Image, ...] = ()
    notes: tuple[Note, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def images(self) -> tuple[Image, ...]:
        return ((self.photo,) if self.photo else ()) + self.figures

    @property
    def folder(self) -> Path:
        return self.source.parent

    @property
    def slug(self) -> str:
        return self.source.stem


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    weight: int = 400
    style: str = "normal"


@dataclass(frozen=True)
class Theme:
    """A theme folder read from disk: stylesheets and fonts are data, not code."""

    name: str
    folder: Path
    base_css: Path
    epub_css: Path
    print_css: Path
    paper_css: dict[str, Path]
    press_css: Path | None
    faces: tuple[FontFace, ...]
    licences: tuple[Path, ...]
    dash_style: str = "closed"
    cover: dict[str, str] = field(default_factory=dict)

    def face(self, weight: int = 400, style: str = "normal") -> FontFace:
        for f in self.faces:
            if f.weight == weight and f.style == style:
                return f
        return self.faces[0]


#: The latest SOURCE_DATE_EPOCH accepted (2100-01-01): ZIP dates end in 2107.
LATEST_EPOCH = 4_102_444_800

#: Trim sizes longread knows, in inches (width, height).
PAPERS: dict[str, tuple[float, float]] = {
    "letter": (8.5, 11.0),
    "a4": (210 / 25.4, 297 / 25.4),
    "trade": (6.0, 9.0),
}


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] = ("epub", "pdf")
    paper: str = "letter"
    theme: str = "magazine"
    output_dir: Path = Path("build")
    #: The press variant of the PDF: bleed, crop marks, TrimBox and BleedBox.
    press: bool = False
    #: A fixed build time (from SOURCE_DATE_EPOCH) for reproducible output.
    build_time: dt.datetime | None = None

    def fixed(self) -> BuildOptions:
        """These options with the build time settled: the one given, or
        SOURCE_DATE_EPOCH, or now (UTC).  Every output of a build, wherever it is
        made, then records the same time."""
        if self.build_time:
            return self
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            if not re.fullmatch(r"\d{1,10}", epoch) or int(epoch) > LATEST_EPOCH:
                from .errors import ManuscriptError

                raise ManuscriptError("SOURCE_DATE_EPOCH", f"not a Unix timestamp before 2100: {epoch[:20]!r}")
            stamp = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        else:
            stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return dataclasses.replace(self, build_time=stamp)


@dataclass(frozen=True)
class Rendition:
    """The one semantic XHTML document both the EPUB and the PDF are made from.

    It refers to images as ``images/<key>`` and carries no stylesheet of its own:
    each writer adds its stylesheet layer and supplies images at its own size.
    """

    article: Article
    title: str
    lang: str
    body: str  # the <body> element's inner XHTML
    headings: tuple[tuple[str, str, int], ...]  # (id, text, level) for navigation
    #: Print page numbers marked in the body: (label, id of the page-break marker).
    pages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Output:
    path: Path
    size: int


@dataclass
class Outcome:
    """What one manuscript's build came to, in plain data (it crosses process and
    machine boundaries when builds run in parallel)."""

    manuscript: Path
    outputs: list[Output] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inputs: list[Path] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    up_to_date: bool = False
