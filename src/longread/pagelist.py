"""Print page numbers in the e-book: page-break markers where the print PDF's pages
begin, taken from its real layout, so that the e-book and print can be cited alike.

The PDF writer reports the first line of text on every page; each line is found,
in order, in the rendition's text, and a DPUB-ARIA page-break marker is put
exactly there.
"""

from __future__ import annotations

import dataclasses
import re

from lxml import etree

from .model import Rendition
from .render import EPUB_NS, EPUB_TYPE
from .typeset import text_slots
from .xhtml import inner_xml, parse

# What line breaking adds to or takes from a line: hyphens at the end, spaces, joiners.
_NOISE = re.compile(r"[\s\u00ad\u2010\u2060-]+")


def mark_pages(rendition: Rendition, page_starts: tuple[str, ...]) -> Rendition:
    root = parse(rendition.body)
    article = root.find("article")
    slots = [
        (el, slot)
        for el, slot, _ in text_slots(article, rendition.lang)
        if getattr(el, slot) and not _in_note(el, slot)
    ]
    # The squashed text of the article, and for each of its characters the slot
    # and offset it comes from.
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for i, (el, slot) in enumerate(slots):
        for j, c in enumerate(getattr(el, slot)):
            if not _NOISE.fullmatch(c):
                chars.append(c)
                where.append((i, j))
    text = "".join(chars)

    found: list[tuple[int, int, int]] = [(1, -1, 0)]  # page 1 starts with the article
    pos = 0
    for number, line in enumerate(page_starts[1:], start=2):
        needle = _NOISE.sub("", line)[:60]
        if len(needle) < 8:
            continue  # too few words to place the break with certainty
        at = text.find(needle, pos)
        if at < 0:
            continue  # a page that starts inside a note or a figure: no marker
        slot_index, offset = where[at]
        found.append((number, slot_index, _word_end(getattr(*slots[slot_index]), offset)))
        pos = at + 1

    pages = []
    # Insert from the end so earlier offsets stay valid.
    for number, slot_index, offset in reversed(found):
        marker = etree.Element(
            "span",
            {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak", "id": f"page-{number}", "aria-label": str(number)},
            nsmap={"epub": EPUB_NS},
        )
        if slot_index < 0:
            article.insert(0, marker)
        else:
            _insert(slots[slot_index], offset, marker)
        pages.append((str(number), f"page-{number}"))
    body = inner_xml(root).replace(f' xmlns:epub="{EPUB_NS}"', "")
    return dataclasses.replace(rendition, body=body, pages=tuple(reversed(pages)))


def _word_end(text: str, offset: int) -> int:
    """A page that begins inside a hyphenated word is marked after that word, so the
    e-book never splits a word."""
    if 0 < offset < len(text) and text[offset - 1].isalnum() and text[offset].isalnum():
        while offset < len(text) and text[offset].isalnum():
            offset += 1
    return offset


def _in_note(el: etree._Element, slot: str) -> bool:
    node = el if slot == "text" else el.getparent()
    while node is not None:
        if node.tag == "aside" or (node.tag == "figure"):
            return True
        node = node.getparent()
    return False


def _insert(target: tuple[etree._Element, str], offset: int, marker: etree._Element) -> None:
    el, slot = target
    text = getattr(el, slot)
    setattr(el, slot, text[:offset])
    marker.tail = text[offset:]
    if slot == "text":
        el.insert(0, marker)
    else:
        el.addnext(marker)
