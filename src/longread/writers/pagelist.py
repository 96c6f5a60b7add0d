"""Print page numbers in the e-book: page-break markers where the print PDF's pages
begin, taken from its real layout, so that the e-book and print can be cited alike.

The PDF writer reports the first line of text on every page; each line is found,
in order, in the rendition's text, and a DPUB-ARIA page-break marker is put
exactly there.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import re

from lxml import etree

from ..model import Book, PageMark, Rendition
from ..render.document import EPUB_TYPE, element
from ..typeset import text_slots

# What line breaking adds to or takes from a line: hyphens at the end, spaces, joiners
# (and the zero-width space the paragraph composer puts after a line that ends in a
# hyphen or dash).
_NOISE = re.compile(r"[\s\u00ad\u200b\u2010\u2060-]+")
_KEPT = re.compile(r"[^\s\u00ad\u200b\u2010\u2060-]+")


def _fold(text: str) -> str:
    """Lower case, one character for one (the print layer may change case: small
    caps); character by character where case folding would change the length or
    depend on the context (a final sigma)."""
    lower = text.lower()
    if len(lower) == len(text) and "Σ" not in text:
        return lower
    return "".join(c.lower()[:1] for c in text)


def mark_pages(book: Book, page_starts: tuple[str, ...]) -> Book:
    """The book with page-break markers where the print edition's pages begin.  A
    single article's first page opens with the article itself; a collection's
    pages before its first article (title page, contents) find no text and get no
    marker."""
    parts = mark_parts(book.parts, page_starts, opens_with_article=not book.is_collection)
    return dataclasses.replace(book, parts=parts)


def mark_parts(
    parts: tuple[Rendition, ...], page_starts: tuple[str, ...], opens_with_article: bool = False
) -> tuple[Rendition, ...]:
    texts = [_ArticleText(p) for p in parts]
    found: list[list[tuple[int, int, int]]] = [[] for _ in parts]
    first = 1
    if opens_with_article:
        found[0].append((1, -1, 0))
        first = 2
    part, pos = 0, 0
    for number, line in enumerate(page_starts[first - 1 :], start=first):
        needle = _NOISE.sub("", line)[:60]
        if len(needle) < 8:
            continue  # too few words to place the break with certainty
        for k in range(part, len(parts)):
            at = texts[k].find(needle, pos if k == part else 0)
            if at >= 0:
                slot_index, offset = texts[k].where(at)
                text = getattr(*texts[k].slots[slot_index])
                found[k].append((number, slot_index, _word_end(text, offset)))
                part, pos = k, at + 1
                break
        # not found: a page that starts inside a note or a figure gets no marker
    return tuple(t.marked(marks) for t, marks in zip(texts, found, strict=True))


class _ArticleText:
    """An article's running text squashed to what survives line breaking, with the
    place in the tree each character comes from."""

    def __init__(self, rendition: Rendition) -> None:
        self.rendition = rendition
        self.article = copy.deepcopy(rendition.body)
        self.slots = [
            (el, slot)
            for el, slot, _ in text_slots(self.article, rendition.lang)
            if getattr(el, slot) and not _in_note(el, slot)
        ]
        # Where each slot's squashed text starts in the article's (not one entry per
        # character: at 500,000 words that list alone took hundreds of megabytes).
        self.starts: list[int] = []
        pieces, length = [], 0
        for el, slot in self.slots:
            piece = _fold(_NOISE.sub("", getattr(el, slot)))
            self.starts.append(length)
            pieces.append(piece)
            length += len(piece)
        self.text = "".join(pieces)

    def find(self, needle: str, start: int) -> int:
        return self.text.find(_fold(needle), start)

    def where(self, at: int) -> tuple[int, int]:
        """The slot, and the offset in its own text, of character ``at`` of the
        squashed text."""
        index = bisect.bisect_right(self.starts, at) - 1
        left = at - self.starts[index]
        for run in _KEPT.finditer(getattr(*self.slots[index])):
            if left < run.end() - run.start():
                return index, run.start() + left
            left -= run.end() - run.start()
        raise AssertionError("a squashed character outside its slot")

    def marked(self, found: list[tuple[int, int, int]]) -> Rendition:
        pages = []
        # Insert from the end so earlier offsets stay valid.
        for number, slot_index, offset in sorted(found, reverse=True):
            marker = element(
                "span",
                {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak", "id": f"page-{number}", "aria-label": str(number)},
            )
            if slot_index < 0:
                self.article.insert(0, marker)
            else:
                _insert(self.slots[slot_index], offset, marker)
            pages.append(PageMark(str(number), f"page-{number}"))
        return dataclasses.replace(self.rendition, body=self.article, pages=tuple(reversed(pages)))


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
