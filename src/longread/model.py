"""The typed data that flows between the pipeline stages.

read → :class:`Article` → typeset → :class:`Article` → render → :class:`Rendition`
(an element tree) → :class:`Book` → the EPUB, PDF and archive writers, which also
receive the finished :class:`Assets`.  What a build makes is settled once, in a
:class:`Plan`.  Everything here is immutable so a stage can never change what an
earlier stage handed on (a rendition's tree is copied by any writer that
rearranges it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assets.images import Source
    from .findings import Finding


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
    #: Its pixel size as shown (0 when unknown): readers reserve its place by it.
    width: int = 0
    height: int = 0
    #: The file as it was read and checked, once: every output is made from these bytes.
    file: Source | None = field(default=None, repr=False, compare=False)
    #: Where the manuscript refers to it: (line, column), for findings about it.
    place: tuple[int, int] | None = field(default=None, compare=False)

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
    #: What reading it found that does not stop a build (warnings), each with its code and place.
    findings: tuple[Finding, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """The findings as the one-line warnings a build prints."""
        return tuple(str(f) for f in self.findings if f.severity == "warning")

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
class Paper:
    """A trim size a theme offers (``--paper NAME``): its page geometry and type size."""

    name: str
    label: str  # how a reader names it: "US Letter", "6 × 9 in trade"
    width: float  # the trim, in points
    height: float
    margin: tuple[float, float, float, float]  # top, right, bottom, left, in points
    type_size: str  # a CSS length: the body type on this paper
    #: Extra rules for this paper only (facing-page margins, a display size), or None.
    stylesheet: Path | None = None


@dataclass(frozen=True)
class Theme:
    """A theme read from disk, its parents' values merged in: stylesheets, fonts and
    design values are data, not code (see docs/themes.md)."""

    name: str
    folder: Path
    #: Stylesheet layers, the parent's first: both outputs, e-book, print, press.
    base_layers: tuple[Path, ...]
    epub_layers: tuple[Path, ...]
    print_layers: tuple[Path, ...]
    press_layers: tuple[Path, ...]
    #: The web edition's layers (page width, colours, dark mode), over base and epub.
    web_layers: tuple[Path, ...]
    papers: dict[str, Paper]
    faces: tuple[FontFace, ...]
    licences: tuple[Path, ...]
    dash_style: str = "closed"
    #: The cover's concrete colours and layout (colour names already resolved).
    cover: dict[str, str] = field(default_factory=dict)
    description: str = ""
    #: This theme's folder, then its parent's, and so on: every file it reads is in one.
    folders: tuple[Path, ...] = ()
    #: Where it was found: "folder" (a path given), "project" or "bundled".
    origin: str = ""
    #: Font roles ("body", "display" ...) and the family each one uses.
    roles: dict[str, str] = field(default_factory=dict)
    #: Design values as CSS custom properties (name without "--" → value), both outputs.
    tokens: dict[str, str] = field(default_factory=dict)
    #: Colour names → the device-cmyk() value the press edition uses instead (given
    #: in theme.yaml; the others are converted through the press profile).
    press_colours: dict[str, str] = field(default_factory=dict)
    #: The CMYK ICC profile of the press edition's output intent, and its name.
    press_profile: Path | None = None
    press_condition: str = ""

    def face(self, weight: int = 400, style: str = "normal", role: str = "body") -> FontFace:
        """The face of a role's family nearest to the weight and style asked for."""
        family = self.roles.get(role) or self.roles.get("body")
        own = [f for f in self.faces if f.family == family] or list(self.faces)
        for f in own:
            if f.weight == weight and f.style == style:
                return f
        return min(own, key=lambda f: (f.style != style, abs(f.weight - weight)))

    def href(self, path: Path) -> str:
        """Where a file of the theme goes inside an EPUB: ``styles/<theme>/<file>``,
        each folder of the lineage under its own name (a project theme may share its
        parent's name)."""
        for i, folder in enumerate(self.folders or (self.folder,)):
            if path.is_relative_to(folder):
                names = [f.name for f in (self.folders or (self.folder,))[:i]]
                prefix = folder.name + (f"-{i + 1}" if folder.name in names else "")
                return f"styles/{prefix}/{path.relative_to(folder).as_posix()}"
        raise ValueError(f"{path} is not a file of theme {self.name}")


@dataclass(frozen=True)
class Heading:
    """A heading the navigation lists: its id in the document, its text and rank."""

    id: str
    text: str
    level: int


@dataclass(frozen=True)
class PageMark:
    """A print page's start, marked in the e-book: its number and the marker's id."""

    label: str
    id: str


@dataclass(frozen=True)
class Rendition:
    """One article as the semantic XHTML both the EPUB and the PDF are made from.

    ``body`` is the ``<article>`` element (no XHTML namespace; the document
    builder adds it).  It refers to images as ``images/<key>`` and carries no
    stylesheet: each writer adds its stylesheet layer and supplies images at its
    own size.  The tree is never changed in place: a writer that rearranges it
    for its medium works on a copy.
    """

    article: Article
    title: str
    lang: str
    body: Any  # lxml.etree._Element
    headings: tuple[Heading, ...]
    #: Print page numbers marked in the body.
    pages: tuple[PageMark, ...] = ()
    #: The file name of this rendition's content document in the EPUB.
    name: str = "article.xhtml"


@dataclass(frozen=True)
class Book:
    """What one build makes its outputs from: a single article, or a collection.

    ``meta`` carries the book's own metadata (for a single article, the article
    itself).  A collection has a title page (``front``), a contents list in
    print, and may bring a finished ``cover`` image.
    """

    source: Path
    name: str
    meta: Article
    parts: tuple[Rendition, ...]
    front: Rendition | None = None
    cover: Image | None = None
    #: The collection file and every manuscript, in reading order.
    sources: tuple[Path, ...] = ()

    @property
    def is_collection(self) -> bool:
        return self.front is not None

    @property
    def images(self) -> tuple[Image, ...]:
        """Every image file of every part, once each (one picture shown by several
        articles has one key)."""
        found: dict[str, Image] = {}
        for part in self.parts:
            for im in part.article.images:
                found.setdefault(im.key, im)
        return tuple(found.values())


@dataclass(frozen=True)
class Assets:
    """The finished files the writers embed: nothing is decoded or subset twice.

    The image mappings may be filled while other work runs; reading a key waits
    for that one image.
    """

    fonts: Mapping[Path, bytes]
    screen_images: Mapping[str, bytes]
    print_images: Mapping[str, bytes]
    cover: Any = None  # bytes, or a zero-argument callable that returns them


#: The latest SOURCE_DATE_EPOCH accepted (2100-01-01): ZIP dates end in 2107.
LATEST_EPOCH = 4_102_444_800


@dataclass(frozen=True)
class BuildOptions:
    """What a user asks of a build (the command line's options, as data)."""

    formats: tuple[str, ...] = ("epub", "pdf")
    #: PDF trim sizes, by the theme's paper names; the first one feeds the e-book's page list.
    #: None: not given (from longread.yaml, else letter); so for theme and output_dir.
    papers: tuple[str, ...] | None = None
    theme: str | None = None
    output_dir: Path | None = None
    #: The press variant of the PDF: bleed, crop marks, TrimBox and BleedBox.
    press: bool = False
    #: A fixed build time (else SOURCE_DATE_EPOCH, else now).
    build_time: dt.datetime | None = None
    #: Keep processed images, subset fonts and covers between builds.
    cache: bool = True


#: What a build uses for an option neither the command line nor longread.yaml gives.
BUILT_IN = {"papers": ("letter",), "theme": "magazine", "output_dir": Path("build")}


def settled(options: BuildOptions) -> BuildOptions:
    """The options with every one not given set to its built-in value."""
    given = {k: v for k, v in BUILT_IN.items() if getattr(options, k) is None}
    return replace(options, **given) if given else options


@dataclass(frozen=True)
class Plan:
    """A build settled once: theme loaded, papers and formats checked, time fixed."""

    theme: Theme
    formats: tuple[str, ...]
    papers: tuple[Paper, ...]
    press: bool
    build_time: dt.datetime
    output_dir: Path
    cache_dir: Path | None
    #: Make the archival bag (EPUB, print PDF, PDF/A-3 and sources) instead of loose files.
    archival: bool = False
    #: The options the plan was made from (recorded in up-to-date stamps).
    options: BuildOptions = field(default_factory=BuildOptions)

    @property
    def needs_pdf(self) -> bool:
        return "pdf" in self.formats or self.archival

    @property
    def needs_epub(self) -> bool:
        return "epub" in self.formats or self.archival

    @property
    def needs_html(self) -> bool:
        return "html" in self.formats or self.archival

    @property
    def needs_screen_images(self) -> bool:
        return self.needs_epub or self.needs_html


@dataclass(frozen=True)
class Output:
    path: Path
    size: int


@dataclass
class Outcome:
    """What one manuscript's (or collection's) build came to, in plain data (it
    crosses process and machine boundaries when builds run in parallel)."""

    manuscript: Path
    outputs: list[Output] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Every file the build read, with its SHA-256, in the order it read them.
    inputs: list[tuple[str, str]] = field(default_factory=list)
    #: What a --verbose build reports besides warnings (how paragraphs were set).
    notes: list[str] = field(default_factory=list)
    error: str = ""
    #: The traceback of an internal error (shown with --debug).
    trace: str = ""
    seconds: float = 0.0
    up_to_date: bool = False
