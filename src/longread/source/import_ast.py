"""Pandoc's document model made into what a longread manuscript can hold.

Pandoc reads the Word, OpenDocument or HTML file into its JSON AST (the element
types are those of pandoc's Lua filter reference); this pass, pure but for the
``place`` callback that stores images, keeps what a manuscript's Markdown can say
and records what it drops:

- headings become ``##`` and below (the title goes to the front matter, never
  twice); a figure becomes an image whose title is its caption, as longread's
  ``![alt](images/x.jpg "caption")`` figures are written;
- spans keep only a language (``<span lang dir>``), divs and styles unwrap, links
  keep only web and e-mail addresses, raw markup is dropped;
- the title, subtitle, author and date come from the document's styled
  paragraphs first, then from its properties.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .import_checks import Facts, snippet
from .language import is_well_formed

NO_ATTR: list = ["", [], []]
FOOTNOTE_BACK = {"footnote-back", "footnote-backref", "footnoteBack"}
BACK_ARROWS = {"↩", "↩︎", "^", "↑"}
ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
DATE_FORMATS = ("%B %d, %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d")


@dataclass(frozen=True)
class Placed:
    """An image stored in the manuscript's folder."""

    src: str  # as the manuscript names it, e.g. images/story-1.jpg
    alt: str = ""  # alt text the package holds where pandoc does not look (ODT)
    caption: str = ""


@dataclass
class Parts:
    title: list  # inlines
    subtitle: list
    authors: tuple[str, ...]
    date: str
    lang: str
    blocks: list
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return text_of(self.blocks)


def manuscript_parts(doc: dict, facts: Facts, kind: str, source: Path, place: Callable[[str], Placed | None]) -> Parts:
    """The front matter and body of the manuscript pandoc's ``doc`` becomes."""
    cleaner = Cleaner(source, place)
    meta = doc.get("meta", {})
    styled: dict[str, list] = {}
    if kind == "docx":  # pandoc's Word reader gives the Title and Subtitle paragraphs as metadata
        styled = {k: cleaner.inlines(meta_inlines(meta.get(k))) for k in ("title", "subtitle")}
    blocks = cleaner.blocks(meta_blocks(meta.get("abstract")) + doc["blocks"])
    if kind == "odt":
        styled.update(take_title_block(blocks, facts.title_block))
    authors = meta_names(meta.get("author")) or names_of(styled.get("author")) or facts.authors
    raw_date = next((meta_text(meta.get(k)) for k in ("date", "dcterms.date", "dc.date") if meta.get(k)), "")
    raw_date = raw_date or text_of(styled.get("date", [])) or facts.date
    lang = meta_text(meta.get("lang")) or facts.lang
    parts = Parts(
        title=title_of(blocks, styled.get("title") or [], facts, source, cleaner.warnings),
        subtitle=styled.get("subtitle") or [],
        authors=tuple(authors),
        date=iso_date(raw_date, source, cleaner.warnings),
        lang=lang if is_well_formed(lang) else "",
        blocks=blocks,
    )
    shift_headings(blocks)
    parts.warnings = cleaner.report()
    return parts


class Cleaner:
    """One walk over the blocks and inlines, keeping what Markdown can carry."""

    def __init__(self, source: Path, place: Callable[[str], Placed | None]) -> None:
        self.source = source
        self.place = place
        self.warnings: list[str] = []
        self.links: list[str] = []
        self.raw = 0
        self.no_alt: list[str] = []
        self.in_note = False

    def report(self) -> list[str]:
        out = list(self.warnings)
        if self.links:
            out.append(
                f"{self.source}: {len(self.links)} link(s) that are not web or e-mail addresses kept as plain "
                f"text (the first: {snippet(self.links[0])})"
            )
        if self.raw:
            out.append(f"{self.source}: {self.raw} piece(s) of raw markup left out")
        out += [
            f"{self.source}: image {src} has no alt text; describe it in the manuscript (longread needs one to build)"
            for src in self.no_alt
        ]
        return out

    # --- blocks ---

    def blocks(self, blocks: list) -> list:
        out: list = []
        for b in blocks:
            out += self.block(b)
        return join_captions(out)

    def block(self, b: dict) -> list:
        t, c = b["t"], b.get("c")
        if t in {"Para", "Plain"}:
            inlines = self.inlines(c)
            return [{"t": t, "c": inlines}] if text_of(inlines).strip() or has_image(inlines) else []
        if t == "Header":
            inlines = self.inlines(c[2])
            return [{"t": "Header", "c": [c[0], NO_ATTR, inlines]}] if text_of(inlines).strip() else []
        if t in {"BlockQuote"}:
            inner = self.blocks(c)
            return [{"t": t, "c": inner}] if inner else []
        if t == "Div":
            return self.blocks(c[1])
        if t in {"BulletList", "OrderedList"}:
            items = [i for i in (self.blocks(item) for item in (c if t == "BulletList" else c[1])) if i]
            if not items:
                return []
            tighten(items)
            return [{"t": t, "c": items if t == "BulletList" else [c[0], items]}]
        if t == "DefinitionList":
            return [{"t": t, "c": [[self.inlines(term), [self.blocks(d) for d in defs]] for term, defs in c]}]
        if t == "LineBlock":
            return [{"t": t, "c": [self.inlines(line) for line in c]}]
        if t == "CodeBlock":
            return [{"t": t, "c": [NO_ATTR, c[1]]}]
        if t == "RawBlock":
            self.raw += 1
            return []
        if t == "Table":
            return [self.table(c)]
        if t == "Figure":
            return self.figure(c)
        return [b]  # HorizontalRule, and any element newer than this code

    def table(self, c: list) -> dict:
        _, caption, colspecs, head, bodies, foot = c

        def rows(rs: list) -> list:
            return [
                [NO_ATTR, [[NO_ATTR, cell[1], cell[2], cell[3], self.blocks(cell[4])] for cell in r[1]]] for r in rs
            ]

        return {
            "t": "Table",
            "c": [
                NO_ATTR,
                [None, self.blocks(caption[1])],
                colspecs,
                [NO_ATTR, rows(head[1])],
                [[NO_ATTR, body[1], rows(body[2]), rows(body[3])] for body in bodies],
                [NO_ATTR, rows(foot[1])],
            ],
        }

    def figure(self, c: list) -> list:
        """A figure with one image becomes a lone image with its caption as title;
        otherwise its content, then its caption as a paragraph."""
        caption_blocks = self.blocks(c[1][1])
        caption = text_of(caption_blocks).strip()
        inner = self.blocks(c[2])
        images = [n for n in walk(inner) if n["t"] == "Image"]
        if len(images) == 1 and caption:
            images[0]["c"][2][1] = caption
            return [{"t": "Para", "c": [images[0]]}]
        return inner + [{"t": "Para", "c": b["c"]} for b in caption_blocks if b["t"] in {"Para", "Plain"}]

    # --- inlines ---

    def inlines(self, inlines: list) -> list:
        out: list = []
        for x in inlines:
            out += self.inline(x)
        return out

    def inline(self, x: dict) -> list:
        t, c = x["t"], x.get("c")
        if t == "Str":
            # Pandoc's strict Markdown leaves "&amp;" typed as text unescaped, and
            # Markdown would read it as an entity: written as one, it reads as typed.
            return [{"t": t, "c": ENTITY_LIKE.sub("&amp;", c)}]
        if t in {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript"}:
            inner = self.inlines(c)
            return [{"t": t, "c": inner}] if inner else []
        if t == "SmallCaps":
            return self.inlines(c)
        if t == "Quoted":
            return [{"t": t, "c": [c[0], self.inlines(c[1])]}]
        if t == "Cite":
            return self.inlines(c[1])
        if t == "Span":
            return self.span(c)
        if t == "Link":
            return self.link(c)
        if t == "Image":
            return self.image(c)
        if t == "Note":
            was, self.in_note = self.in_note, True
            try:
                return [{"t": "Note", "c": self.blocks(c)}]
            finally:
                self.in_note = was
        if t == "Code":
            return [{"t": t, "c": [NO_ATTR, c[1]]}]
        if t == "RawInline":
            self.raw += 1
            return []
        return [x]  # Space, SoftBreak, LineBreak, Math

    def span(self, c: list) -> list:
        attrs = dict(c[0][2])
        lang, direction = attrs.get("lang", ""), attrs.get("dir", "")
        inner = self.inlines(c[1])
        if lang and is_well_formed(lang) and inner:
            kept = [["lang", lang]] + ([["dir", direction]] if direction in {"ltr", "rtl"} else [])
            return [{"t": "Span", "c": [["", [], kept], inner]}]
        return inner

    def link(self, c: list) -> list:
        attr, inner, (url, _title) = c
        if self.in_note and (FOOTNOTE_BACK & set(attr[1]) or text_of(inner).strip() in BACK_ARROWS):
            return []  # the way back from a note, which the manuscript's note makes itself
        inner = self.inlines(inner)
        if re.match(r"^(https?://|mailto:)", url, re.I):
            return [{"t": "Link", "c": [NO_ATTR, inner, [url, ""]]}]
        self.links.append(url)
        return inner

    def image(self, c: list) -> list:
        _, alt_inlines, (url, _tooltip) = c
        placed = self.place(url)
        if placed is None:
            return []
        alt = text_of(alt_inlines).strip() or placed.alt
        if not alt and placed.src not in self.no_alt:
            self.no_alt.append(placed.src)
        return [{"t": "Image", "c": [NO_ATTR, words_to_inlines(alt), [placed.src, placed.caption]]}]


# --- the title and the headings -----------------------------------------------------


def take_title_block(blocks: list, title_block: tuple[tuple[str, str], ...]) -> dict[str, list]:
    """Take the paragraphs the document opens with as title, subtitle, author and
    date (the roles their styles give), keeping their inline formatting."""
    found: dict[str, list] = {}
    for role, text in title_block:
        if blocks and blocks[0]["t"] in {"Para", "Plain"} and squash(text_of(blocks[0]["c"])) == squash(text):
            inlines = blocks.pop(0)["c"]
            found.setdefault(role, inlines)
    return found


def title_of(blocks: list, styled: list, facts: Facts, source: Path, warnings: list[str]) -> list:
    """The title: a Title-styled paragraph; else a heading that opens the document
    and is the only one at its level; else the document's title property; else the
    file's name, with a warning."""
    title = styled
    if not title and blocks and blocks[0]["t"] == "Header":
        levels = [n["c"][0] for n in walk(blocks) if n["t"] == "Header"]
        if levels.count(min(levels)) == 1 and blocks[0]["c"][0] == min(levels):
            title = blocks.pop(0)["c"][2]
    if not title and facts.title:
        title = words_to_inlines(facts.title)
    if not title:
        name = " ".join(re.sub(r"[-_]+", " ", source.stem).split()) or "Untitled"
        title = words_to_inlines(name)
        warnings.append(f"{source}: no title found; the file's name stands in for it (edit the front matter)")
    if blocks and blocks[0]["t"] == "Header" and squash(text_of(blocks[0]["c"][2])) == squash(text_of(title)):
        blocks.pop(0)  # the title repeated as the first heading, as web pages do
    return title


def shift_headings(blocks: list) -> None:
    """The body's top heading level becomes ``##`` (``#`` is the article's title)."""
    headers = [n for n in walk(blocks) if n["t"] == "Header"]
    if not headers:
        return
    shift = 2 - min(h["c"][0] for h in headers)
    for h in headers:
        h["c"][0] = max(2, min(6, h["c"][0] + shift))


# --- small pieces -------------------------------------------------------------------


def tighten(items: list) -> None:
    """A list whose items are single paragraphs is written tight, as typed."""
    if all(sum(b["t"] in {"Para", "Plain"} for b in item) <= 1 for item in items):
        for item in items:
            for b in item:
                if b["t"] == "Para":
                    b["t"] = "Plain"


def join_captions(blocks: list) -> list:
    """An image whose caption the package told apart (ODT) loses the caption's
    text where pandoc left it: the paragraph after it, or the text beside it."""
    out: list = []
    for b in blocks:
        prev = out[-1] if out else None
        caption = lone_image_caption(prev) if prev else ""
        if caption and b["t"] in {"Para", "Plain"} and squash(text_of(b["c"])) == squash(caption):
            continue
        if b["t"] in {"Para", "Plain"} and b["c"] and b["c"][0]["t"] == "Image":
            image = b["c"][0]
            rest = b["c"][1:]
            if rest and image["c"][2][1] and squash(text_of(rest)) == squash(image["c"][2][1]):
                b = {"t": "Para", "c": [image]}
        out.append(b)
    return out


def lone_image_caption(b: dict) -> str:
    if b["t"] in {"Para", "Plain"} and len(b["c"]) == 1 and b["c"][0]["t"] == "Image":
        return b["c"][0]["c"][2][1]
    return ""


def has_image(inlines: list) -> bool:
    return any(n["t"] == "Image" for n in walk(inlines))


def walk(x: object) -> Iterator[dict]:
    """Every element under ``x``, depth first."""
    if isinstance(x, dict):
        if "t" in x:
            yield x
        yield from walk(x.get("c"))
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)


def text_of(x: object) -> str:
    """Plain text, as a reader sees it (notes and attributes left out)."""
    if isinstance(x, list):
        return "".join(text_of(v) for v in x)
    if not isinstance(x, dict):
        return ""  # attributes, addresses, numbers
    t, c = x.get("t"), x.get("c")
    if t == "Str":
        return c
    if t in {"Space", "SoftBreak", "LineBreak"}:
        return " "
    if t in {"Code", "Math"}:
        return c[1]
    if t == "Quoted":
        return ("“%s”" if c[0]["t"] == "DoubleQuote" else "‘%s’") % text_of(c[1])
    if t in {"Note", "Image", "RawInline", "RawBlock"}:
        return ""
    if t in {"Para", "Plain", "Header", "CodeBlock"}:
        return text_of(c) + (c[1] if t == "CodeBlock" else "") + " "
    return text_of(c)


def squash(text: str) -> str:
    return " ".join(text.split())


def words_to_inlines(text: str) -> list:
    out: list = []
    for word in text.split():
        if out:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def meta_inlines(value: dict | None) -> list:
    if not value:
        return []
    if value["t"] == "MetaInlines":
        return value["c"]
    if value["t"] == "MetaBlocks":
        return [x for b in value["c"] if b["t"] in {"Para", "Plain"} for x in b["c"]]
    if value["t"] == "MetaString":
        return words_to_inlines(value["c"])
    if value["t"] == "MetaList" and value["c"]:
        return meta_inlines(value["c"][0])
    return []


def meta_blocks(value: dict | None) -> list:
    if not value:
        return []
    if value["t"] == "MetaBlocks":
        return value["c"]
    inlines = meta_inlines(value)
    return [{"t": "Para", "c": inlines}] if inlines else []


def meta_text(value: dict | None) -> str:
    return squash(text_of(meta_inlines(value)))


def meta_names(value: dict | None) -> list[str]:
    if not value:
        return []
    items = value["c"] if value["t"] == "MetaList" else [value]
    return [n for n in (meta_text(i) for i in items) if n]


def names_of(inlines: list | None) -> list[str]:
    return [n.strip() for n in re.split(r"[;\n]| and ", text_of(inlines or [])) if n.strip()]


def iso_date(text: str, source: Path, warnings: list[str]) -> str:
    """A date as YYYY-MM-DD, the form the front matter takes; '' if there is none."""
    text = squash(text)
    if not text:
        return ""
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?!\d)", text)
    candidates = [m.group(1)] if m else []
    for form in DATE_FORMATS:
        try:
            candidates.append(dt.datetime.strptime(text, form).date().isoformat())
        except ValueError:
            pass
    for c in candidates:
        try:
            return dt.date.fromisoformat(c).isoformat()
        except ValueError:
            pass
    warnings.append(f"{source}: date {snippet(text)} is not one longread reads; left out of the front matter")
    return ""
