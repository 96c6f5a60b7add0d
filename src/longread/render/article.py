"""Stage 3, render: a typeset :class:`Article` → one semantic XHTML :class:`Rendition`.

The EPUB and the PDF are both made from this one document.  It carries the
semantics both need (the title block, the lead photo as a figure, footnotes as
DPUB-ARIA notes after the paragraph that calls them, landmarks for navigation)
and nothing medium-specific: each writer adds its own stylesheet layer and
supplies the images at its own size under ``images/``.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from lxml import etree

from ..model import Article, Image, Note, Rendition
from ..source.sanitize import INLINE
from ..xhtml import EPUB_NS, escape, inner_xml, names, parse, plain_text

EPUB_TYPE = f"{{{EPUB_NS}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

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


def render(article: Article) -> Rendition:
    body = parse(article.body_html)
    mark_language(body)
    headings = number_headings(body)
    place_notes(body, article)
    mark_lead(body)

    parts = ['<article class="article" aria-labelledby="title">', title_block(article)]
    if article.photo:
        parts.append(figure(article.photo, "lead-photo"))
    # The document root declares the epub prefix once; lxml repeats it per element.
    body_xml = inner_xml(body)
    parts.append('<div class="body">' + body_xml + "</div>")
    parts.append("</article>")
    return Rendition(
        article=article,
        title=article.title_text,
        lang=article.lang,
        body="\n".join(parts),
        headings=((("title", article.title_text, 1),) + headings),
    )


def document(rendition: Rendition, stylesheets: tuple[str, ...] = ()) -> str:
    """The complete XHTML document, linking the given stylesheets."""
    a = rendition.article
    lang = quoteattr(rendition.lang)
    head = [
        '<meta charset="utf-8"/>',
        f"<title>{escape(rendition.title)}</title>",
    ]
    if a.authors:
        head.append(f'<meta name="author" content={quoteattr(", ".join(a.authors))}/>')
    if a.dek_html:
        head.append(f'<meta name="description" content={quoteattr(plain_text(a.dek_html))}/>')
    if a.date:
        head.append(f'<meta name="dcterms.created" content="{a.date.isoformat()}"/>')
    if a.kicker:
        head.append(f'<meta name="keywords" content={quoteattr(a.kicker)}/>')
    head += [f'<link rel="stylesheet" type="text/css" href="{href}"/>' for href in stylesheets]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="{EPUB_NS}" '
        f"lang={lang} xml:lang={lang}>\n<head>\n" + "\n".join(head) + "\n</head>\n"
        f'<body epub:type="bodymatter">\n{rendition.body}\n</body>\n</html>\n'
    )


# --- the title block --------------------------------------------------------------


def title_block(a: Article) -> str:
    out = ['<header class="title-block">']
    if a.kicker:
        out.append(f'<p class="kicker">{escape(a.kicker)}</p>')
    running_head = a.short_title or a.title_text
    out.append(f'<h1 class="headline" id="title" data-running-head={quoteattr(running_head)}>{a.title_html}</h1>')
    if a.dek_html:
        out.append(f'<p class="dek" epub:type="subtitle" role="doc-subtitle">{a.dek_html}</p>')
    byline = []
    if a.authors:
        joined = names([f'<span class="author">{escape(n)}</span>' for n in a.authors], a.lang)
        byline.append(f"By {joined}" if a.lang.startswith("en") else joined)
    if a.date:
        byline.append(f'<time datetime="{a.date.isoformat()}">{format_date(a)}</time>')
    if byline:
        out.append('<p class="byline">' + '<span class="sep"> · </span>'.join(byline) + "</p>")
    out.append("</header>")
    return "\n".join(out)


def format_date(a: Article) -> str:
    d = a.date
    assert d is not None
    if a.lang.startswith("en"):
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    return d.isoformat()


def figure(image: Image, css_class: str) -> str:
    """A photo with its caption and credit: one figure, so neither output can part them."""
    caption = []
    if image.caption_html:
        caption.append(f'<span class="caption">{image.caption_html}</span>')
    if image.credit_html:
        caption.append(f'<span class="credit">{image.credit_html}</span>')
    figcaption = f"<figcaption>{' '.join(caption)}</figcaption>" if caption else ""
    ident = f' id="{css_class}"' if css_class == "lead-photo" else ""
    return (
        f'<figure class="{css_class}"{ident}><img src="images/{image.key}" '
        f"alt={quoteattr(image.alt)}/>{figcaption}</figure>"
    )


# --- the body ---------------------------------------------------------------------


def mark_language(root: etree._Element) -> None:
    """XHTML honours xml:lang; HTML readers honour lang: language spans carry both."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("lang"):
            el.set(XML_LANG, el.get("lang"))


def number_headings(root: etree._Element) -> tuple[tuple[str, str, int], ...]:
    found, used = [], set()
    for el in root.iter("h2", "h3", "h4", "h5", "h6"):
        text = " ".join(el.text_content().split())
        base = "s-" + (re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].rstrip("-") or "section")
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        el.set("id", ident)
        found.append((ident, text, int(el.tag[1])))
    return tuple(found)


def place_notes(root: etree._Element, article: Article) -> None:
    """Note calls become DPUB-ARIA noterefs; each note follows the block that first
    calls it, the place EPUB reading systems expect a pop-up footnote and the
    anchor the print layer floats to the foot of the page."""
    notes = {n.id: n for n in article.notes}
    placed: set[str] = set()
    for sup in list(root.xpath('.//sup[a[@class="footnote-ref"]]')):
        a = sup[0]
        note_id = a.get("href", "").lstrip("#")
        call = etree.Element(
            "a",
            {
                "class": "noteref",
                "href": "#" + note_id,
                "id": sup.get("id") or f"ref-{note_id}",
                EPUB_TYPE: "noteref",
                "role": "doc-noteref",
            },
            nsmap={"epub": EPUB_NS},
        )
        call.text = a.text
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
    aside = etree.Element(
        "aside",
        {"class": "footnote", "id": note.id, EPUB_TYPE: "footnote", "role": "doc-footnote"},
        nsmap={"epub": EPUB_NS},
    )
    content = parse(note.html)
    if len(content) and content[0].tag == "p":
        for child in list(content):
            aside.append(child)
    elif (content.text or "").strip() or not len(content) or content[0].tag in INLINE:
        # Loose text and inline elements (up to the first block) make the first paragraph.
        p = etree.SubElement(aside, "p")
        p.text = content.text
        while len(content) and content[0].tag in INLINE:
            p.append(content[0])
        for child in list(content):
            aside.append(child)
    else:
        # The note opens with a block (a quotation, a list): the label stands before it.
        etree.SubElement(aside, "p")
        for child in list(content):
            aside.append(child)
    first = aside[0]
    label = (
        etree.Element("a", {"class": "note-label", "href": f"#{call_id}", "role": "doc-backlink"})
        if call_id
        else etree.Element("span", {"class": "note-label"})
    )
    label.text = note.label
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
        span = etree.Element("span", {"class": "lead-in"})
        span.text = m.group(1).lstrip()
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
