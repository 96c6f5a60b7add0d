"""Stage 1, read: a manuscript file (YAML front matter + Markdown) → :class:`Article`.

This stage owns every check on what the writer handed over: encoding, front
matter, the Markdown body, raw HTML (sanitised with an allow-list) and the
images it refers to (which must stay inside the manuscript's folder).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import threading
import unicodedata
from pathlib import Path

from lxml import etree

from .. import config
from ..assets import images
from ..config import Defaults
from ..errors import ManuscriptError, quoted
from ..files import Inputs
from ..findings import Lines, Report, error
from ..model import Article, Image
from ..source import language, sanitize
from ..xhtml import inner_xml, plain_text
from . import lint, yamltext
from .body_checks import check_runs, drop_empty_subheads, dropped_markup
from .frontmatter import KNOWN_KEYS, PHOTO_KEYS, check_keys, missing, read_date
from .imagefiles import ImageFiles, name_on_disk
from .markdown_ext import make_markdown, note_labels, note_token
from .notes import drop, extract_notes
from .yamltext import Loaded

#: The longest text a field may hold, in characters: far beyond any real one, and
#: well below what would slow the cover, the layout or the metadata down.
FIELD_LIMITS = {
    "title": 400,
    "short_title": 200,
    "kicker": 200,
    "subtitle": 1000,
    "publisher": 300,
    "rights": 1000,
    "source": 2000,
    "src": 1000,
    "alt": 2000,
    "caption": 2000,
    "credit": 500,
}
DEFAULT_LIMIT = 2000
MAX_AUTHORS = 100
MAX_NAME = 200
IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*["']([^"']*)["']""", re.I)


def read(
    path: Path,
    inputs: Inputs | None = None,
    within: Path | None = None,
    defaults: Defaults | None = None,
    keep_going: bool = False,
) -> Article:
    """Read and check one manuscript; raise :class:`ManuscriptError` on any problem
    (a :class:`FindingError` listing every mistake found before reading had to stop).

    Every file is read through ``inputs`` (the manuscript from inside ``within``,
    its own folder by default; images from inside the manuscript's folder).  What
    the front matter leaves out comes from ``defaults`` (by default the
    longread.yaml files above the manuscript).

    With ``keep_going`` (``longread check``), mistakes that leave the rest readable
    are only findings: the article comes back without what they spoiled (a
    stand-in title, no image that cannot be read), so later stages can be checked
    too.  Only mistakes that stop reading altogether (no front matter, YAML that
    cannot be read) still raise."""
    path = Path(path)
    inputs = inputs if inputs is not None else Inputs()
    if not path.exists() and not path.is_symlink():
        raise ManuscriptError(path, "no such manuscript file")
    data = inputs.read(path, within or Path(os.path.realpath(path)).parent, path, "manuscript")
    report = Report(path)
    text = decode(path, data, report)
    front, body, body_line = split_front_matter(path, text)
    meta = front.data
    defaults = defaults if defaults is not None else config.for_source(path)
    report.extend(defaults.findings)
    check_keys(report, front)
    fields = Fields(path, front, report)
    lines = Lines(text, body_line)

    title_html = fields.inline("title", required=True)
    if isinstance(meta.get("title"), str) and meta["title"].strip() and not plain_text(title_html):
        report.add("fm-005", "front matter 'title' has no text once markup is removed", at=front.value_at("title"))
    dek_html = fields.inline("subtitle")
    lang = fields.lang(defaults.lang)
    source_url = fields.text("source") or defaults.source_url(path.stem)
    if source_url and not re.match(r"^https?://\S+$", source_url):
        report.add("fm-005", f"'source' must be an http(s) URL, not {quoted(source_url)}", at=front.value_at("source"))

    files = ImageFiles(path, inputs)
    body_root, figures, notes = read_body(path, body, lines, files, report)
    photo = read_photo(fields, meta.get("photo"), files)
    authors = fields.authors(defaults.author)
    date = fields.date()
    kicker, short_title = fields.text("kicker"), plain_text(fields.inline("short_title"))
    publisher, rights = fields.text("publisher") or defaults.publisher, fields.text("rights") or defaults.rights
    report.extend(files.findings)
    if not keep_going:
        report.check()

    return Article(
        source=path,
        title_html=title_html or "Untitled",  # a stand-in only when keep_going
        title_text=plain_text(title_html) or "Untitled",
        dek_html=dek_html,
        kicker=kicker,
        short_title=short_title,
        authors=authors,
        date=date,
        lang=lang,
        publisher=publisher,
        source_url=source_url,
        rights=rights,
        photo=photo,
        figures=tuple(figures),
        notes=tuple(notes),
        body_html=inner_xml(body_root),
        findings=tuple(report.found),
    )


def read_body(path: Path, body: str, lines: Lines, files: ImageFiles, report: Report):
    """The body: Markdown to a sanitised tree, checked (images, links, notes, quotes,
    runs too long to lay out), its figures and notes taken out."""
    token = note_token(body)
    markdown = make_markdown(token)
    converted = markdown.convert(body)
    # Every image reference is checked as written, before sanitising can alter it.
    for src in map(html.unescape, IMG_SRC.findall(converted)):
        written, on_disk = name_on_disk(path, src)
        if on_disk and on_disk != written:
            continue  # told as img-002 where the image is used
        with report.going_on("img-006", lines.find(src)):
            images.resolve(path, src)
    report.extend(dropped_markup(path, converted, lines))
    cleaned = sanitize.clean(converted)
    if sanitize.nesting(cleaned) > sanitize.MAX_DEPTH:
        report.add("gen-001", f"the body nests quotes, lists or elements more than {sanitize.MAX_DEPTH} levels deep")
        report.check()  # nothing after this can be read safely
    body_root = sanitize.parse_clean(cleaned, token)
    try:
        check_runs(path, body_root)
    except ManuscriptError as e:  # laying such a run out would take minutes: stop here
        report.add("gen-001", e.reason)
        report.check()
    lint.dangling_notes(report, body_root, token, note_labels(markdown), lines)
    lint.literal_references(report, body_root, lines)
    lint.straight_quotes(report, body_root, lines)
    check_links(path, body_root, report, lines)
    report.extend(drop_empty_subheads(path, body_root))
    figures = collect_figures(path, body_root, files, report, lines)
    notes = extract_notes(body_root, token, note_labels(markdown))
    if not plain_text(inner_xml(body_root)) and not figures and not report.errors:
        report.add("gen-001", "the manuscript has no body text", "write the article below the front matter's '---'")
    return body_root, figures, notes


class Fields:
    """The front matter's values, each checked where it is written: a value that
    cannot be used is an error finding, and reading goes on without it."""

    def __init__(self, path: Path, front: Loaded, report: Report, within: tuple[str, ...] = ()) -> None:
        self.path, self.front, self.report, self.within = path, front, report, within
        data = front.data if isinstance(front.data, dict) else {}
        for step in within:
            data = data.get(step) if isinstance(data, dict) else {}
        self.meta = data if isinstance(data, dict) else {}

    def at(self, key: str) -> tuple[int, int] | None:
        return self.front.value_at(*self.within, key)

    def text(self, key: str, required: bool = False) -> str:
        if required and self.meta.get(key) is None:
            known = PHOTO_KEYS if self.within else KNOWN_KEYS
            missing(self.report, self.front, key, known, self.within)
            return ""
        with self.report.going_on("fm-005", self.at(key)):
            return require_str(self.path, self.meta, key, required)
        return ""

    def inline(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        name = ".".join((*self.within, key))
        with self.report.going_on("fm-005", self.at(key)):
            return inline_markdown(self.path, value, name, self.report)
        return ""

    def lang(self, default: str) -> str:
        with self.report.going_on("fm-005", self.at("lang")):
            return language.check(self.path, self.text("lang") or default or "en")
        return "en"

    def authors(self, default: tuple[str, ...]) -> tuple[str, ...]:
        with self.report.going_on("fm-005", self.at("author")):
            return read_authors(self.path, self.meta.get("author")) or default
        return ()

    def date(self) -> dt.date | None:
        with self.report.going_on("fm-003", self.at("date")):
            return read_date(self.path, self.meta.get("date"), self.at("date"))
        return None


# --- text -------------------------------------------------------------------------

_converters = threading.local()


def markdown(text: str) -> str:
    """Markdown → XHTML.  One converter per thread, reset before each text: making
    one costs a few milliseconds, and a manuscript has up to six texts."""
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = make_markdown()
    return md.reset().convert(text)


def decode(path: Path, data: bytes, report: Report | None = None) -> str:
    """UTF-8 (a BOM is fine) with LF line ends; illegal characters removed with a warning."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ManuscriptError(
            path,
            f"not UTF-8 text: byte 0x{data[e.start]:02x} at offset {e.start} "
            "cannot be decoded (save the file as UTF-8)",
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Unicode's own line and paragraph separators, as a word processor pastes them.
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    found = list(sanitize.ILLEGAL.finditer(text))
    if found and report is not None:
        kinds = ", ".join(sorted({f"U+{ord(m.group()):04X}" for m in found})[:5])
        first = text[: found[0].start()]
        at = (first.count("\n") + 1, found[0].start() - first.rfind("\n"))
        report.add("text-003", f"removed {len(found)} control or non-character code point(s) ({kinds})", at=at)
    text = sanitize.ILLEGAL.sub("", text)
    return unicodedata.normalize("NFC", text)


def load_yaml(path: Path, text: str, first_line: int = 1, what: str = "front matter") -> object:
    """YAML loaded safely; a syntax error names its line and column in the file,
    in plain words (see :mod:`.yamltext`)."""
    return yamltext.load(path, text, first_line, what).data


def split_front_matter(path: Path, text: str) -> tuple[Loaded, str, int]:
    """The front matter (loaded, with its keys' places), the body, and the line the
    body starts after."""
    fix = "start the file with a '---' line, then 'title: …', then another '---' line"
    if not text.startswith("---\n"):
        raise error("fm-004", path, "no YAML front matter: the file must start with a '---' line", fix, (1, 1))
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
    if not end:
        raise error("fm-004", path, "the front matter is not closed by a '---' line", fix, (1, 1))
    block = text[4 : 4 + end.start()]
    body = text[4 + end.end() :]
    front = yamltext.load(path, block, first_line=2)
    if front.data is None:
        front.data = {}
    if not isinstance(front.data, dict):
        raise error("fm-004", path, "front matter must be a set of 'key: value' lines", "write title: …", (2, 1))
    return front, body, block.count("\n") + 2


def require_str(path: Path, meta: dict, key: str, required: bool = False) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            raise ManuscriptError(path, f"front matter has no '{key}' (it is required)")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ManuscriptError(path, f"front matter '{key}' must be text, not {describe(value)}")
    value = " ".join(sanitize.ILLEGAL.sub("", value).split())  # YAML escapes can write controls
    limit = FIELD_LIMITS.get(key, DEFAULT_LIMIT)
    if len(value) > limit:
        raise ManuscriptError(path, f"front matter '{key}' is {len(value):,} characters long (the limit is {limit:,})")
    if required and not value:
        raise ManuscriptError(path, f"front matter '{key}' is empty")
    return value


def describe(value: object) -> str:
    kinds = {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def read_authors(path: Path, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(a, str) for a in items):
        raise ManuscriptError(path, "front matter 'author' must be a name or a list of names")
    if len(items) > MAX_AUTHORS:
        raise ManuscriptError(path, f"front matter 'author' lists {len(items):,} names (the limit is {MAX_AUTHORS})")
    names = [" ".join(sanitize.ILLEGAL.sub("", a).split()) for a in items]
    if not all(names):
        raise ManuscriptError(path, "front matter 'author' has an empty name")
    longest = max(names, key=len)
    if len(longest) > MAX_NAME:
        raise ManuscriptError(
            path, f"front matter 'author' has a name {len(longest):,} characters long (the limit is {MAX_NAME})"
        )
    return tuple(names)


def inline_markdown(path: Path, text: str, key: str = "", report: Report | None = None) -> str:
    """Inline Markdown (italics, bold) in a one-line field → an XHTML fragment."""
    if not text:
        return ""
    converted = markdown(text)
    if IMG_SRC.search(converted) or "<img" in converted:
        raise ManuscriptError(path, f"front matter '{key}' cannot hold an image")
    root = sanitize.parse_clean(sanitize.clean(converted, inline=True))
    check_links(path, root, report)
    return inner_xml(root).strip()


# --- notes and images -------------------------------------------------------------


def check_links(path: Path, root: etree._Element, report: Report | None = None, lines: Lines | None = None) -> None:
    """Links go to the web, to an address, or to a place in the article; any other
    (a local file, a script) is taken out, its text kept."""
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for a in list(root.iter("a")):
        href = a.get("href")
        if href is None or re.match(r"^(https?://|mailto:)", href, re.I):
            continue
        if href.startswith("#") and href[1:] in ids:
            continue
        if report is not None:
            report.add(
                "html-001",
                f"link to {quoted(href)} removed",
                "only web, mailto and in-article links are kept",
                lines.find(href) if lines else None,
            )
        a.attrib.pop("href")
        a.tag = "span"


def collect_figures(path: Path, root: etree._Element, files: ImageFiles, report: Report, lines: Lines) -> list[Image]:
    figures: list[Image] = []
    after = None
    for img in list(root.iter("img")):
        src = img.get("src", "")
        alt = " ".join(img.get("alt", "").split())
        at = lines.find(src, after) or lines.find(src)
        after = at or after
        if not src:
            report.add("img-006", "an image has no source", "write ![description](images/file.jpg)", at)
            left_out(img)
            continue
        if not alt:
            report.add(
                "img-001",
                f"image {quoted(src)} has no alt text",
                "describe it for readers who cannot see it: ![what the image shows](...)",
                at,
            )
        picked = files.use(src, at, report)
        if picked is None:  # an error found: the article goes on (keep_going) without it
            left_out(img)
            continue
        source, key = picked
        img.set("src", f"images/{key}")
        img.set("width", str(source.info.upright[0]))  # the aspect ratio, for readers to reserve its place
        img.set("height", str(source.info.upright[1]))
        fig = img.getparent()
        caption = ""
        if fig.tag == "figure":
            caption = "".join(inner_xml(c) for c in fig.xpath('.//span[@class="caption"]'))
        figures.append(image_of(source, key, alt=alt, caption_html=caption, owner=path, place=at))
    return figures


def image_of(source: images.Source, key: str, **fields) -> Image:
    """The Image of a file read and checked: its path and its pixel size as shown
    come from the file."""
    width, height = source.info.upright
    return Image(key=key, path=source.path, file=source, width=width, height=height, **fields)


def left_out(img: etree._Element) -> None:
    """An image that cannot be used, taken out with the figure it makes."""
    fig = img.getparent()
    drop(fig if fig is not None and fig.tag == "figure" and fig.getparent() is not None else img)


def read_photo(fields: Fields, value: object, files: ImageFiles) -> Image | None:
    if value is None:
        return None
    path, report, front = fields.path, fields.report, fields.front
    if not isinstance(value, dict):
        report.add(
            "fm-005",
            "front matter 'photo' must be a mapping with src, alt, caption and credit",
            "indent src: and alt: under photo:",
            front.value_at("photo"),
        )
        return None
    photo = Fields(path, front, report, ("photo",))
    src = photo.text("src", required=True)
    alt = photo.text("alt")
    if not alt and "alt" in value:
        report.add("img-001", "the photo's 'alt' is empty", "describe the photo for readers who cannot see it")
    elif not alt:
        report.add(
            "img-001",
            "front matter 'photo' has no 'alt' text",
            "describe the photo for readers who cannot see it: add alt: under photo:",
            front.key_at("photo"),
        )
    caption = photo.inline("caption")
    if caption and plain_text(caption) == alt:
        fix = "describe what the photo shows instead"
        report.add("img-005", "photo 'alt' repeats the caption", fix, photo.at("alt"))
    credit = photo.inline("credit")
    picked = files.use(src, photo.at("src"), report) if src else None
    if picked is None:
        return None
    source, key = picked
    return image_of(source, key, alt=alt, caption_html=caption, credit_html=credit, owner=path, place=photo.at("src"))
