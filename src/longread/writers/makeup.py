"""The print edition's makeup: how the PDF writer arranges its own copy of the rendition.

The rendition is one semantic document for every output; in it each note is a
DPUB-ARIA aside after the block that calls it, the pattern e-readers turn into
pop-up notes.  Pages need a different arrangement, and this module makes it, as
a pure function over the print copy of the tree (:func:`make_up`):

- **Notes at their calls.**  WeasyPrint sets an element with ``float: footnote``
  at the foot of the page on which the line holding its call is laid out; a
  note left after its paragraph follows the paragraph's *last* line, a page late
  when the paragraph crosses a page.  So each note moves into the line, right
  after its call, as phrasing content (spans): WeasyPrint parses the document
  as HTML, where a block such as ``<aside>`` inside ``<p>`` would close the
  paragraph.  A note the proof found too long for its page is split in two
  (:class:`Corrections`): the first part stays under its call, the rest
  continues at the foot of the next page.
- **The drop cap** is a real floated span, not ``::first-letter``: WeasyPrint 70
  rebuilds a floated first letter inside the one it made before whenever a
  paragraph is laid out twice (pushed to the next page, or a page remade), and
  fails on it (``AssertionError`` in its float layout).  Opening punctuation
  (a quotation mark) is kept out of the cap and hung in the margin.
- **Figures** are classed by shape (wide, square, portrait, tall) so the print
  stylesheet can fit each in the text block with its caption; the proof may
  ask for a figure to give up height or to move past the next paragraphs.
- **Running heads** keep the italics of the title (a running element, where a
  string would be plain text); each article's last paragraph gets an end mark.
- **Endnotes**, for an article whose notes the engine cannot set at the foot of
  their pages: the notes are gathered at the end of the article instead.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"

#: Block elements that may appear in a note; in the print copy each becomes a
#: span shown as a block, so that the note can stand inside its calling line.
NOTE_BLOCKS = {
    "p",
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}

#: Punctuation that may open a paragraph before its first letter: it stays out
#: of the drop cap and hangs in the margin.
OPENING_PUNCTUATION = "\"'“‘„‚«‹»›¿¡([—–-"

#: Width over height, from which a figure counts as wide, square, portrait, tall.
SHAPES = ((1.25, "wide"), (0.8, "square"), (0.5, "portrait"), (0.0, "tall"))


@dataclass(frozen=True)
class Corrections:
    """What the proof of one layout asks of the next (see :mod:`.proof`).

    - ``split``: note id → words kept under its call (the rest continues at the
      foot of the next page); ``keep_call``: notes with no room for a line under
      their call, which take the calling line to the next page;
    - figures and pull quotes are numbered together, in document order:
      ``image_height``: number → the most height the image may take (CSS px);
      ``defer``: number → how many following text blocks it moves past;
      ``pair``: those that may move up against the next (the two fit a page);
    - paragraphs are numbered in document order: ``three_lines``: those that must
      start with three lines at the foot of a page; ``one_widow``: those that may
      end with a single line at the head of one;
    - ``endnotes``: articles (by number) whose notes are set at their end;
      ``notes_page``: a last page for notes that run on past the end of the text.
    """

    split: Mapping[str, int] = field(default_factory=dict)
    keep_call: frozenset[str] = frozenset()
    image_height: Mapping[int, float] = field(default_factory=dict)
    defer: Mapping[int, int] = field(default_factory=dict)
    pair: frozenset[int] = frozenset()
    three_lines: frozenset[int] = frozenset()
    one_widow: frozenset[int] = frozenset()
    endnotes: frozenset[int] = frozenset()
    notes_page: bool = False

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def merged(self, other: Corrections) -> Corrections:
        return Corrections(
            split={**self.split, **other.split},
            keep_call=self.keep_call | other.keep_call,
            image_height={**self.image_height, **other.image_height},
            defer={k: self.defer.get(k, 0) + other.defer.get(k, 0) for k in {*self.defer, *other.defer}},
            pair=self.pair | other.pair,
            three_lines=self.three_lines | other.three_lines,
            one_widow=self.one_widow | other.one_widow,
            endnotes=self.endnotes | other.endnotes,
            notes_page=self.notes_page or other.notes_page,
        )


NO_CORRECTIONS = Corrections()


def print_copy(
    xhtml: str, image_sizes: Mapping[str, tuple[int, int]], corrections: Corrections = NO_CORRECTIONS
) -> str:
    """The rendition's XHTML document arranged for print, as the HTML WeasyPrint parses."""
    root = etree.fromstring(xhtml.encode("utf-8"))
    return to_html(make_up(root, image_sizes, corrections))


def make_up(
    root: etree._Element, image_sizes: Mapping[str, tuple[int, int]], corrections: Corrections = NO_CORRECTIONS
) -> etree._Element:
    """A made-up copy of the document ``root`` (which is left as it was).

    ``image_sizes`` gives each image's pixel size by its ``src``.
    """
    root = plain_names(copy.deepcopy(root))
    for number, block in enumerate(movable_blocks(root), 1):
        block.set("data-movable", str(number))
        if block.tag == "figure":
            shape_figure(block, image_sizes, corrections.image_height.get(number))
    for number, article in enumerate(root.iter("article"), 1):
        article.set("data-article", str(number))
        body = next((d for d in article.iter("div") if has_class(d, "body")), None)
        if body is None:
            continue
        running_head(article)
        drop_cap(body)
        if number in corrections.endnotes:
            gather_endnotes(body)
        else:
            notes_to_calls(body, corrections)
        end_mark(body)
    # Later figures first: a figure's way is then measured to where the next one ends up.
    for number, moves in sorted(corrections.defer.items(), reverse=True):
        defer_block(root, number, moves, number in corrections.pair)
    if corrections.notes_page:
        body = next(root.iter("body"))
        etree.SubElement(body, "div", {"class": "notes-page", "aria-hidden": "true"})
    if corrections.three_lines or corrections.one_widow:
        for number, p in enumerate(body_paragraphs(root)):
            if number in corrections.three_lines:
                add_class(p, "three-lines")
            if number in corrections.one_widow:
                add_class(p, "one-widow")
    return root


def to_html(root: etree._Element) -> str:
    """HTML serialisation: empty spans written out in full (``<span/>`` would open an
    element that never closes in an HTML parser), void elements as void."""
    return "<!DOCTYPE html>\n" + etree.tostring(root, method="html", encoding="unicode")


# --- the tree ---------------------------------------------------------------------


def plain_names(root: etree._Element) -> etree._Element:
    """Drop the XHTML namespace from tag names (the HTML serialiser writes names as they
    are) and ``xml:lang`` (HTML reads ``lang``, which the rendition sets beside it)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag.startswith("{" + XHTML + "}"):
            el.tag = el.tag[len(XHTML) + 2 :]
        for name in [n for n in el.attrib if n.startswith("{")]:
            value = el.attrib.pop(name)
            if name.endswith("}type"):  # epub:type, kept for what it says
                el.set("data-epub-type", value)
    etree.cleanup_namespaces(root)
    return root


def body_paragraphs(root) -> list:
    """The paragraphs of the articles' text, in document order (numbered alike on the
    made-up tree and on the one WeasyPrint parses from it)."""
    return [p for div in root.iter("div") if "body" in (div.get("class") or "").split() for p in div if p.tag == "p"]


def has_class(el: etree._Element, name: str) -> bool:
    return name in (el.get("class") or "").split()


def add_class(el: etree._Element, name: str) -> None:
    if not has_class(el, name):
        el.set("class", f"{el.get('class') or ''} {name}".strip())


def detach(el: etree._Element) -> etree._Element:
    """Take an element out of the tree, leaving its tail text where it was."""
    parent, prev = el.getparent(), el.getprevious()
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    el.tail = None
    parent.remove(el)
    return el


def insert_after(anchor: etree._Element, el: etree._Element) -> None:
    """Put ``el`` right after ``anchor``, before the anchor's tail text."""
    el.tail, anchor.tail = anchor.tail, None
    anchor.addnext(el)


# --- notes ------------------------------------------------------------------------


def notes_to_calls(body: etree._Element, corrections: Corrections) -> None:
    """Move every note into the line of its first call; notes nobody calls stay
    at the end of the article, as endnotes."""
    asides = {a.get("id"): a for a in body.iter("aside") if has_class(a, "footnote")}
    for call in list(body.iter("a")):
        if not has_class(call, "noteref"):
            continue
        aside = asides.pop(call.get("href", "").lstrip("#"), None)
        if aside is None:
            continue
        note = phrasing_note(detach(aside))
        # A note inside a link would nest links, which an HTML parser unpicks.
        anchor = call
        while anchor.getparent() is not None and anchor.getparent().tag == "a":
            anchor = anchor.getparent()
        parts = split_note(note, corrections.split.get(note.get("id"), 0))
        if note.get("id") in corrections.keep_call:
            add_class(parts[0], "keep-call")
        for part in reversed(parts):
            insert_after(anchor, part)
    for aside in asides.values():
        add_class(aside, "endnote")


def phrasing_note(aside: etree._Element) -> etree._Element:
    """The note as a span whose blocks are spans too (classed ``note-<tag>``)."""
    note = etree.Element("span", {k: v for k, v in aside.attrib.items()})
    note.text = aside.text
    for child in aside:
        note.append(child)
    for el in list(note.iter()):
        if el is not note and isinstance(el.tag, str) and el.tag in NOTE_BLOCKS:
            add_class(el, f"note-{el.tag}")
            el.tag = "span"
            for attr in ("colspan", "rowspan"):
                el.attrib.pop(attr, None)
            # Line ends between blocks would make blank lines once the blocks are spans.
            if not (el.tail or "").strip():
                el.tail = None
            parent = el.getparent()
            if parent is not None and not (parent.text or "").strip() and el is parent[0]:
                parent.text = None
    return note


def split_note(note: etree._Element, words: int) -> list[etree._Element]:
    """The note, or its first ``words`` words and the rest when it must continue on
    the next page.  Each part keeps the blocks (and inline markup) it cuts through."""
    starts = word_starts(note)
    if words <= 0 or words >= len(starts):
        return [note]
    slots = list(text_slots(note))
    mid_paragraph = block_of(*slots[starts[words - 1][0]]) is block_of(*slots[starts[words][0]])
    first, rest = copy.deepcopy(note), copy.deepcopy(note)
    cut_text(first, words, keep="before")
    cut_text(rest, words, keep="after")
    add_class(rest, "continued")
    if mid_paragraph:  # a full last line before the break, no indent after it
        add_class(first, "runs-on")
        add_class(rest, "runs-in")
    for name in ("id", "role", "data-epub-type", "aria-label"):
        rest.attrib.pop(name, None)
    return [first, rest]


def word_starts(root: etree._Element) -> list[tuple[int, int]]:
    """Where each word of the tree's text begins: (text slot, offset).  A word may
    run across inline elements (``<em>x</em>,``); the edges of blocks part words."""
    starts, in_word = [], False
    for index, (node, attr) in enumerate(text_slots(root)):
        if node is not root and is_block(node):  # entering (text) or leaving (tail) a block
            in_word = False
        for offset, char in enumerate(getattr(node, attr) or ""):
            if char.isspace():
                in_word = False
            elif not in_word:
                starts.append((index, offset))
                in_word = True
    return starts


def block_of(node: etree._Element, attr: str) -> etree._Element | None:
    """The block (a note's paragraph, item …) a text slot belongs to."""
    el = node if attr == "text" else node.getparent()
    while el is not None and not is_block(el):
        el = el.getparent()
    return el


def is_block(el: etree._Element) -> bool:
    return any(c.startswith("note-") for c in (el.get("class") or "").split())


def cut_text(root: etree._Element, words: int, keep: str) -> None:
    """Keep only the text before (or after) the start of word number ``words`` + 1,
    dropping the elements left empty."""
    starts = word_starts(root)
    if words >= len(starts):
        return
    cut_slot, cut_at = starts[words]
    for index, (node, attr) in enumerate(list(text_slots(root))):
        text = getattr(node, attr) or ""
        if index < cut_slot:
            kept = text if keep == "before" else ""
        elif index == cut_slot:
            kept = text[:cut_at].rstrip() if keep == "before" else text[cut_at:]
        else:
            kept = "" if keep == "before" else text
        setattr(node, attr, kept or None)
    prune(root)


def text_slots(root: etree._Element):
    """Every text slot of the tree in reading order: (element, "text" | "tail")."""
    yield root, "text"
    for child in root:
        if isinstance(child.tag, str):
            yield from text_slots(child)
        yield child, "tail"


def prune(root: etree._Element) -> None:
    """Remove elements that hold no text and no image (a part's cut-off blocks)."""
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if not "".join(el.itertext()).strip() and not el.xpath(".//img") and el.tag not in ("img", "br"):
            detach(el)


def gather_endnotes(body: etree._Element) -> None:
    """The article's notes, in order, under a heading at its end."""
    asides = [a for a in body.iter("aside") if has_class(a, "footnote")]
    if not asides:
        return
    section = etree.SubElement(body, "section", {"class": "endnotes", "role": "doc-endnotes"})
    heading = etree.SubElement(section, "h2")
    heading.text = "Notes"
    for aside in asides:
        add_class(detach(aside), "endnote")
        section.append(aside)


# --- the opening and the close ----------------------------------------------------


def drop_cap(body: etree._Element) -> None:
    """The opening paragraph's first letter as a floated span (see the module notes),
    with any opening punctuation hung in the margin beside it."""
    lead = next((p for p in body if p.tag == "p" and has_class(p, "lead")), None)
    if lead is None:
        return
    holder, attr = lead, "text"
    if not (lead.text or "").strip() and len(lead) and lead[0].tag in ("span", "em", "i", "strong", "b"):
        holder = lead[0]
    text = getattr(holder, attr) or ""
    m = re.match(rf"\s*([{re.escape(OPENING_PUNCTUATION)}]*)([^\W_])", text)
    if not m:
        return
    initial = m.group(2)
    rest = text[m.end() :]
    while rest and unicodedata.combining(rest[0]):  # an accent written as a second character
        initial, rest = initial + rest[0], rest[1:]
    setattr(holder, attr, rest)
    cap = etree.Element("span", {"class": "drop-cap"})
    if m.group(1):
        hang = etree.SubElement(cap, "span", {"class": "hang"})
        hang.text = m.group(1)
        hang.tail = initial
    else:
        cap.text = initial
    if holder is lead:
        cap.tail = lead.text
    lead.text = None
    lead.insert(0, cap)


def running_head(article: etree._Element) -> None:
    """The article's running head as a running element, with the title's italics:
    the short title is plain text, so each phrase set in italics in the headline
    is set in italics wherever the running head repeats it."""
    headline = next((h for h in article.iter("h1") if h.get("data-running-head")), None)
    if headline is None:
        return
    text = headline.get("data-running-head")
    head = etree.Element("p", {"class": "running-head", "aria-hidden": "true"})
    spans = []
    for em in headline.iter("em", "i"):
        phrase = "".join(em.itertext()).strip()
        at = text.find(phrase) if phrase else -1
        if at >= 0 and not any(s < at + len(phrase) and at < e for s, e in spans):
            spans.append((at, at + len(phrase)))
    pos, last = 0, None
    for start, end in sorted(spans):
        em = etree.SubElement(head, "em")
        em.text = text[start:end]
        if last is None:
            head.text = text[pos:start]
        else:
            last.tail = text[pos:start]
        pos, last = end, em
    if last is None:
        head.text = text
    else:
        last.tail = text[pos:]
    header = headline.getparent()
    header.addprevious(head)


def end_mark(body: etree._Element) -> None:
    """A small square closing the article's last paragraph (or list item)."""
    last = None
    for el in body.iter("p", "li"):
        if not any(a.tag in ("figure", "table", "aside", "section") for a in el.iterancestors()):
            last = el
    if last is not None:
        etree.SubElement(last, "span", {"class": "end-mark", "aria-hidden": "true"})


# --- figures ----------------------------------------------------------------------


def shape_figure(figure: etree._Element, image_sizes: Mapping[str, tuple[int, int]], height: float | None) -> None:
    """Class a figure by its image's shape; a height the proof asked for caps the image."""
    img = next(figure.iter("img"), None)
    if img is None or img.get("src") not in image_sizes:
        return
    width_px, height_px = image_sizes[img.get("src")]
    ratio = width_px / max(height_px, 1)
    add_class(figure, "shape-" + next(name for bound, name in SHAPES if ratio >= bound))
    if height:
        img.set("style", f"max-height: {height:.1f}px")


def movable_blocks(root: etree._Element) -> list[etree._Element]:
    """Figures and pull quotes: blocks that may move down the text to where they fit."""
    return [el for el in root.iter("figure", "blockquote") if el.tag == "figure" or has_class(el, "pullquote")]


def is_movable(el: etree._Element | None) -> bool:
    return el is not None and el.get("data-movable") is not None


def defer_block(root: etree._Element, number: int, moves: int, pair: bool = False) -> None:
    """Move a figure or pull quote past the text blocks that follow it, so that text
    fills the page it could not fit on: at most to the end of its section, and up
    against the next such block only when the proof found that the two fit one
    page (``pair``)."""
    block = next((b for b in movable_blocks(root) if b.get("data-movable") == str(number)), None)
    if block is None or moves <= 0:
        return
    target, held = block, False
    for _ in range(moves):
        after = target.getnext()
        if (
            after is None
            or after.tag in ("h2", "h3", "h4", "hr", "section", "aside")
            or is_movable(after)
            or (is_movable(after.getnext()) and not pair)
        ):
            held = True
            break
        target = after
    if held:
        block.set("data-held", "1")  # as far as it may go: the proof tries something else
    if target is not block:
        insert_after(target, detach(block))
