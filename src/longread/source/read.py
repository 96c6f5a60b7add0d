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

import yaml
from lxml import etree

from ..assets import images
from ..errors import ManuscriptError, quoted
from ..files import Inputs
from ..model import Article, Image
from ..source import language, sanitize
from ..xhtml import inner_xml, plain_text
from . import yamlsafe
from .body_checks import check_runs, drop_empty_subheads, dropped_markup
from .imagefiles import ImageFiles
from .markdown_ext import make_markdown, note_labels, note_token
from .notes import extract_notes

KNOWN_KEYS = {
    "title",
    "short_title",
    "subtitle",
    "kicker",
    "author",
    "date",
    "lang",
    "publisher",
    "source",
    "rights",
    "photo",
}
PHOTO_KEYS = {"src", "alt", "caption", "credit"}
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


def read(path: Path, inputs: Inputs | None = None, within: Path | None = None) -> Article:
    """Read and check one manuscript; raise :class:`ManuscriptError` on any problem.

    Every file is read through ``inputs`` (the manuscript from inside ``within``,
    its own folder by default; images from inside the manuscript's folder)."""
    path = Path(path)
    inputs = inputs if inputs is not None else Inputs()
    if not path.exists() and not path.is_symlink():
        raise ManuscriptError(path, "no such manuscript file")
    data = inputs.read(path, within or Path(os.path.realpath(path)).parent, path, "manuscript")
    text, warnings = decode(path, data)
    meta, body, body_line = split_front_matter(path, text)
    warnings += [
        f"{path}: unknown front matter key {quoted(k)} ignored" for k in sorted(map(str, set(meta) - KNOWN_KEYS))
    ]

    title_html = inline_markdown(path, require_str(path, meta, "title", required=True), "title", warnings)
    if not plain_text(title_html):
        raise ManuscriptError(path, "front matter 'title' has no text once markup is removed")
    dek_html = inline_markdown(path, require_str(path, meta, "subtitle"), "subtitle", warnings)
    lang = language.check(path, require_str(path, meta, "lang") or "en")
    source_url = require_str(path, meta, "source")
    if source_url and not re.match(r"^https?://\S+$", source_url):
        raise ManuscriptError(path, f"'source' must be an http(s) URL, not {quoted(source_url)}")

    token = note_token(body)
    markdown = make_markdown(token)
    converted = markdown.convert(body)
    # Every image reference is checked as written, before sanitising can alter it.
    for src in IMG_SRC.findall(converted):
        images.resolve(path, html.unescape(src))
    warnings += dropped_markup(path, converted)
    cleaned = sanitize.clean(converted)
    if sanitize.nesting(cleaned) > sanitize.MAX_DEPTH:
        raise ManuscriptError(
            path, f"the body nests quotes, lists or elements more than {sanitize.MAX_DEPTH} levels deep"
        )
    body_root = sanitize.parse_clean(cleaned, token)
    check_runs(path, body_root)
    warnings += check_links(path, body_root)
    warnings += drop_empty_subheads(path, body_root)
    files = ImageFiles(path, inputs)
    figures = collect_figures(path, body_root, files)
    notes = extract_notes(body_root, token, note_labels(markdown))
    if not plain_text(inner_xml(body_root)) and not figures:
        raise ManuscriptError(path, "the manuscript has no body text")
    photo = read_photo(path, meta.get("photo"), warnings, files)
    warnings += files.warnings

    return Article(
        source=path,
        title_html=title_html,
        title_text=plain_text(title_html),
        dek_html=dek_html,
        kicker=require_str(path, meta, "kicker"),
        short_title=plain_text(inline_markdown(path, require_str(path, meta, "short_title"), "short_title", warnings)),
        authors=read_authors(path, meta.get("author")),
        date=read_date(path, meta.get("date")),
        lang=lang,
        publisher=require_str(path, meta, "publisher"),
        source_url=source_url,
        rights=require_str(path, meta, "rights"),
        photo=photo,
        figures=tuple(figures),
        notes=tuple(notes),
        body_html=inner_xml(body_root),
        warnings=tuple(warnings),
    )


# --- text -------------------------------------------------------------------------

_converters = threading.local()


def markdown(text: str) -> str:
    """Markdown → XHTML.  One converter per thread, reset before each text: making
    one costs a few milliseconds, and a manuscript has up to six texts."""
    md = getattr(_converters, "md", None)
    if md is None:
        md = _converters.md = make_markdown()
    return md.reset().convert(text)


def decode(path: Path, data: bytes) -> tuple[str, list[str]]:
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
    warnings = []
    found = sanitize.ILLEGAL.findall(text)
    if found:
        kinds = ", ".join(sorted({f"U+{ord(c):04X}" for c in found})[:5])
        warnings.append(f"{path}: removed {len(found)} control or non-character code point(s) ({kinds})")
        text = sanitize.ILLEGAL.sub("", text)
    return unicodedata.normalize("NFC", text), warnings


def load_yaml(path: Path, text: str, first_line: int = 1, what: str = "front matter") -> object:
    """YAML loaded safely; a syntax error names its line in the file."""
    if len(text) > yamlsafe.MAX_SOURCE:
        raise ManuscriptError(
            path, f"{what} is {len(text) // 1024:,} KB long (the limit is {yamlsafe.MAX_SOURCE // 1024} KB)", first_line
        )
    try:
        return yaml.load(text, Loader=yamlsafe.BoundedLoader)  # noqa: S506 (a SafeLoader subclass)
    except yamlsafe.LimitError as e:
        raise ManuscriptError(path, f"{what} {e}", first_line) from None
    except RecursionError:
        raise ManuscriptError(path, f"{what} is nested too deeply", first_line) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        line = mark.line + first_line if mark is not None else None
        raise ManuscriptError(path, f"{what} is not valid YAML: {problem}", line) from None


def split_front_matter(path: Path, text: str) -> tuple[dict, str, int]:
    if not text.startswith("---\n"):
        raise ManuscriptError(path, "no YAML front matter: the file must start with a '---' line", 1)
    end = re.search(r"^(---|\.\.\.)[ \t]*$", text[4:], re.M)
    if not end:
        raise ManuscriptError(path, "the front matter is not closed by a '---' line", 1)
    block = text[4 : 4 + end.start()]
    body = text[4 + end.end() :]
    meta = load_yaml(path, block, first_line=2)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ManuscriptError(path, "front matter must be a set of 'key: value' lines", 2)
    return meta, body, block.count("\n") + 2


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


def read_date(path: Path, value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ManuscriptError(path, f"front matter 'date' must be YYYY-MM-DD, not {describe(value)}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ManuscriptError(path, f"front matter 'date' must be YYYY-MM-DD, not {quoted(value)}") from None


def inline_markdown(path: Path, text: str, key: str = "", warnings: list[str] | None = None) -> str:
    """Inline Markdown (italics, bold) in a one-line field → an XHTML fragment."""
    if not text:
        return ""
    converted = markdown(text)
    if IMG_SRC.search(converted) or "<img" in converted:
        raise ManuscriptError(path, f"front matter '{key}' cannot hold an image")
    root = sanitize.parse_clean(sanitize.clean(converted, inline=True))
    links = check_links(path, root)
    if warnings is not None:
        warnings += links
    return inner_xml(root).strip()


# --- notes and images -------------------------------------------------------------


def check_links(path: Path, root: etree._Element) -> list[str]:
    """Links go to the web, to an address, or to a place in the article; any other
    (a local file, a script) is taken out, its text kept."""
    warnings = []
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for a in list(root.iter("a")):
        href = a.get("href")
        if href is None or re.match(r"^(https?://|mailto:)", href, re.I):
            continue
        if href.startswith("#") and href[1:] in ids:
            continue
        warnings.append(f"{path}: link to {quoted(href)} removed (only web, mailto and in-article links are kept)")
        a.attrib.pop("href")
        a.tag = "span"
    return warnings


def collect_figures(path: Path, root: etree._Element, files: ImageFiles) -> list[Image]:
    figures: list[Image] = []
    for img in root.iter("img"):
        src = img.get("src", "")
        alt = " ".join(img.get("alt", "").split())
        if not src:
            raise ManuscriptError(path, "an image has no source (write ![description](images/file.jpg))")
        if not alt:
            raise ManuscriptError(path, f"image {quoted(src)} has no alt text (write ![description](...))")
        source, key = files.use(src)
        img.set("src", f"images/{key}")
        img.set("width", str(source.info.upright[0]))  # the aspect ratio, for readers to reserve its place
        img.set("height", str(source.info.upright[1]))
        fig = img.getparent()
        caption = ""
        if fig.tag == "figure":
            caption = "".join(inner_xml(c) for c in fig.xpath('.//span[@class="caption"]'))
        figures.append(
            Image(
                key=key,
                path=source.path,
                alt=alt,
                caption_html=caption,
                owner=path,
                file=source,
                width=source.info.upright[0],
                height=source.info.upright[1],
            )
        )
    return figures


def read_photo(path: Path, value: object, warnings: list[str], files: ImageFiles) -> Image | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ManuscriptError(path, "front matter 'photo' must be a mapping with src, alt, caption and credit")
    for k in sorted(map(str, set(value) - PHOTO_KEYS)):
        warnings.append(f"{path}: unknown key {quoted('photo.' + k)} ignored")
    src = require_str(path, value, "src")
    if not src:
        raise ManuscriptError(path, "front matter 'photo' has no 'src'")
    alt = require_str(path, value, "alt")
    if not alt:
        raise ManuscriptError(
            path, "front matter 'photo' has no 'alt' text (describe the photo for readers who cannot see it)"
        )
    caption = inline_markdown(path, require_str(path, value, "caption"), "photo.caption", warnings)
    if caption and plain_text(caption) == alt:
        warnings.append(f"{path}: photo 'alt' repeats the caption; describe what the photo shows instead")
    source, key = files.use(src)
    return Image(
        key=key,
        path=source.path,
        alt=alt,
        caption_html=caption,
        credit_html=inline_markdown(path, require_str(path, value, "credit"), "photo.credit", warnings),
        owner=path,
        file=source,
        width=source.info.upright[0],
        height=source.info.upright[1],
    )
