"""Stage 3, render: a typeset :class:`Article` → one semantic :class:`Rendition`.

The EPUB and the PDF are both made from this one element tree.  It carries the
semantics both need (the title block, the lead photo as a figure, footnotes as
DPUB-ARIA notes after the block that calls them, landmarks for navigation) and
nothing medium-specific: each writer adds its own stylesheet layer, supplies the
images at its own size under ``images/``, and may rearrange a copy of the tree
for its medium (the PDF sets each note at its call).
"""

from __future__ import annotations

import re

from lxml import etree

from ..model import Article, Heading, Image, Note, Rendition
from ..source.sanitize import INLINE
from ..xhtml import heading_text, names, parse, plain_text
from .document import EPUB_TYPE, XML_LANG, document, element, head_meta, sub

NBSP = "\u00a0"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def render_article(article: Article) -> Rendition:
    body = parse(article.body_html)
    mark_language(body)
    headings = number_headings(body)
    place_notes(body, article)
    mark_lead(body)

    root = element("article", {"class": "article", "aria-labelledby": "title"})
    root.append(title_block(article))
    if article.photo:
        root.append(figure(article.photo, "lead-photo"))
    text = sub(root, "div", {"class": "body"})
    text.text = body.text
    text.extend(list(body))
    return Rendition(
        article=article,
        title=article.title_text,
        lang=article.lang,
        body=root,
        headings=(Heading("title", article.title_text, 1), *headings),
    )


def head(a: Article, title: str, stylesheets: tuple[str, ...] = ()) -> etree._Element:
    """The head of a document of the article (or of a book with its metadata):
    title, author, description, keywords."""
    meta = [
        ("author", ", ".join(a.authors)),
        ("description", plain_text(a.dek_html)),
        ("dcterms.created", a.date.isoformat() if a.date else ""),
        ("keywords", a.kicker),
    ]
    return head_meta(title, meta, stylesheets)


def article_document(rendition: Rendition, stylesheets: tuple[str, ...] = ()) -> etree._ElementTree:
    """The complete XHTML document of one rendition, linking the given stylesheets."""
    a = rendition.article
    return document(rendition.lang, head(a, rendition.title, stylesheets), [rendition.body], "bodymatter")


# --- the title block --------------------------------------------------------------


def fragment(tag: str, attrib: dict[str, str], html: str) -> etree._Element:
    """An element holding an inline XHTML fragment (a title with its italics)."""
    el = element(tag, attrib)
    content = parse(html)
    el.text = content.text
    el.extend(list(content))
    return el


def title_block(a: Article) -> etree._Element:
    header = element("header", {"class": "title-block"})
    if a.kicker:
        sub(header, "p", {"class": "kicker"}, a.kicker)
    running_head = a.short_title or a.title_text
    header.append(fragment("h1", {"class": "headline", "id": "title", "data-running-head": running_head}, a.title_html))
    if a.dek_html:
        header.append(fragment("p", {"class": "dek", EPUB_TYPE: "subtitle", "role": "doc-subtitle"}, a.dek_html))
    line = byline(a)
    if line is not None:
        header.append(line)
    return header


def byline(a: Article) -> etree._Element | None:
    if not a.authors and not a.date:
        return None
    p = element("p", {"class": "byline"})
    if a.authors:
        english = a.lang.startswith("en")
        p.text = "By " if english else ""
        # A name and a date stay on one line (no-break spaces): "May 1, / 2024" reads badly.
        spans = [element("span", {"class": "author"}, name.replace(" ", NBSP)) for name in a.authors]
        joiners = names(["\0"] * len(spans), a.lang).split("\0")  # "", ", ", " and ", ""
        for span, after in zip(spans, joiners[1:], strict=True):
            span.tail = after or None
            p.append(span)
    if a.date:
        if a.authors:
            sub(p, "span", {"class": "sep"}, " · ")
        sub(p, "time", {"datetime": a.date.isoformat()}, format_date(a))
    return p


def format_date(a: Article) -> str:
    d = a.date
    assert d is not None
    if a.lang.startswith("en"):
        return f"{MONTHS[d.month - 1]}{NBSP}{d.day},{NBSP}{d.year}"
    return d.isoformat()


def figure(image: Image, css_class: str) -> etree._Element:
    """A photo with its caption and credit: one figure, so neither output can part them."""
    fig = element("figure", {"class": css_class, "id": css_class if css_class == "lead-photo" else None})
    size = {"width": str(image.width), "height": str(image.height)} if image.width and image.height else {}
    sub(fig, "img", {"src": f"images/{image.key}", "alt": image.alt, **size})
    parts = []
    if image.caption_html:
        parts.append(fragment("span", {"class": "caption"}, image.caption_html))
    if image.credit_html:
        parts.append(fragment("span", {"class": "credit"}, image.credit_html))
    if parts:
        caption = sub(fig, "figcaption")
        for i, part in enumerate(parts):
            part.tail = " " if i < len(parts) - 1 else None
            caption.append(part)
    return fig


# --- the body ---------------------------------------------------------------------


def mark_language(root: etree._Element) -> None:
    """XHTML honours xml:lang; HTML readers honour lang: language spans carry both."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("lang"):
            el.set(XML_LANG, el.get("lang"))


def number_headings(root: etree._Element) -> tuple[Heading, ...]:
    found, used = [], set()
    for el in root.iter("h2", "h3", "h4", "h5", "h6"):
        text = heading_text(el)
        base = "s-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].rstrip("-") or "section")
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        el.set("id", ident)
        if text:  # a heading with no words has no place in the navigation
            found.append(Heading(ident, text, int(el.tag[1])))
    return tuple(found)


def place_notes(root: etree._Element, article: Article) -> None:
    """Note calls become DPUB-ARIA noterefs; each note follows the block that first
    calls it, the place EPUB reading systems expect a pop-up footnote."""
    notes = {n.id: n for n in article.notes}
    placed: set[str] = set()
    for sup in list(root.xpath('.//sup[a[@class="footnote-ref"]]')):
        a = sup[0]
        note_id = a.get("href", "").lstrip("#")
        call = element(
            "a",
            {
                "class": "noteref",
                "href": "#" + note_id,
                "id": sup.get("id") or f"ref-{note_id}",
                EPUB_TYPE: "noteref",
                "role": "doc-noteref",
            },
            a.text,
        )
        call.tail = sup.tail
        sup.getparent().replace(sup, call)
        if note_id in notes and note_id not in placed:
            block = call
            while block.getparent() is not root:
                block = block.getparent()
            block.addnext(note_element(notes[note_id], call.get("id")))
            placed.add(note_id)
    for note in article.notes:
        if note.id not in placed:  # a note nobody calls still belongs to the article
            root.append(note_element(note, None))


def note_element(note: Note, call_id: str | None) -> etree._Element:
    aside = element("aside", {"class": "footnote", "id": note.id, EPUB_TYPE: "footnote", "role": "doc-footnote"})
    content = parse(note.html)
    if len(content) and content[0].tag == "p":
        aside.extend(list(content))
    elif (content.text or "").strip() or not len(content) or content[0].tag in INLINE:
        # Loose text and inline elements (up to the first block) make the first paragraph.
        p = sub(aside, "p")
        p.text = content.text
        while len(content) and content[0].tag in INLINE:
            p.append(content[0])
        aside.extend(list(content))
    else:
        # The note opens with a block (a quotation, a list): the label stands before it.
        sub(aside, "p")
        aside.extend(list(content))
    first = aside[0]
    if call_id:
        label = element("a", {"class": "note-label", "href": f"#{call_id}", "role": "doc-backlink"}, note.label)
    else:
        label = element("span", {"class": "note-label"}, note.label)
    label.tail = " " + (first.text or "")
    first.text = None
    first.insert(0, label)
    return aside


def mark_lead(root: etree._Element) -> None:
    """The first paragraph opens the article: a drop cap and a small-caps lead-in.
    A block quotation before it is the article's epigraph."""
    first = next((el for el in root if isinstance(el.tag, str)), None)
    if first is not None and first.tag == "blockquote" and not first.get("class"):
        mark_epigraph(first)
        first = first.getnext()
    if first is None or first.tag != "p":
        return
    first.set("class", (first.get("class", "") + " lead").strip())
    text = first.text or ""
    m = re.match(r"\s*(\S+(?:\s+\S+){0,3}?[,;:.!?]|\S+(?:\s+\S+){0,2})(?=\s)", text)
    if m:
        span = element("span", {"class": "lead-in"}, m.group(1).lstrip())
        span.tail = text[m.end() :]
        first.text = text[: len(text) - len(text.lstrip())]
        first.insert(0, span)


def mark_epigraph(quote: etree._Element) -> None:
    """An epigraph (DPUB-ARIA, EPUB structural semantics); a last line that opens
    with a dash is its attribution."""
    quote.set("class", "epigraph")
    quote.set(EPUB_TYPE, "epigraph")
    quote.set("role", "doc-epigraph")
    lines = [p for p in quote if p.tag == "p"]
    if len(lines) > 1 and (lines[-1].text or "").lstrip().startswith(("\u2014", "\u2015", "\u2013")):
        lines[-1].set("class", "attribution")
