"""Reading a laid-out proof and marking what the next layout must correct.

WeasyPrint lays out a page at a time and never looks back, so some decisions
only show once the pages exist.  :func:`settle` lays the document out, reads the
proof (:func:`corrections`), asks :func:`.makeup.make_up` for the corrected
arrangement and lays it out again, until nothing is left to correct (a few
passes at most).  What it corrects:

- a note with no room under its call, which WeasyPrint would move whole to the
  next page: it is split where the room ends, or (no room for a line) takes its
  calling line along;
- a note sent on to make room for the second line of a paragraph begun on the
  page's last line (WeasyPrint's widows and orphans): the paragraph must start
  with three lines, or may end with one;
- a figure or pull quote too tall for what is left of a page, which WeasyPrint
  would leave blank: it moves past the text that fills the page, or gives up a
  little height; a lead photo pushed off its opening page gives up height;
- notes that run on past the text's last page, which WeasyPrint forgets when it
  lays the pages out a second time (for the contents' page numbers or running
  heads): a page of the document's own holds them.

Each article gets one correction per proof (the first in page order): a
correction changes every page after it, and articles start on pages of their
own.  An article with more places to correct than there are layouts keeps the
rest as the engine set them, and the build says from which page.  Should the
engine fail on an arrangement of notes, or lose a note, that article's notes are
printed at its end, with a warning: a valid manuscript never fails and no note
is ever lost.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .makeup import NO_CORRECTIONS, Corrections, body_paragraphs, print_copy

#: Layouts of one document at most: the first and its corrections.
PASSES = 6
#: A page may end this many body lines short of the text block before a figure
#: that did not fit is moved or made smaller.
SHORT_LINES = 2
#: A figure may give up this share of its image's height to stay on its page
#: (more when no text is left to fill the page in its place).
SHRINK = 0.4
#: Slack against rounding, in CSS px.
EPSILON = 0.5
#: The character WeasyPrint adds where it hyphenates a word.
HYPHENS = ("\u2010", "-", "\u00ad")


@dataclass
class Page:
    box: object  # WeasyPrint's page box
    text_bottom: float = 0.0  # where the main flow ends (its lowest block, with its margin)
    lines_bottom: float = 0.0  # the lowest line of the main flow
    notes_height: float = 0.0  # the notes area, 0 when empty
    last_paragraph: int = -1  # the paragraph (by number) of the lowest line
    article: int = 0  # the article of its first line

    @property
    def bottom(self) -> float:
        """The foot of the text block, above the notes."""
        return self.box.content_box_y() + self.box.height - self.notes_height


@dataclass
class Proof:
    """What one layout shows: where each note and its call fell, and the pages."""

    calls: dict = field(default_factory=dict)  # note element → (page, calling line's bottom, article, paragraph)
    # note element → lines of its paragraph above the calling line, when the
    # paragraph begins on the call's page
    opening: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)  # note element → (page, box)
    pages: list[Page] = field(default_factory=list)
    line: float = 0.0  # the body's line pitch


def settle(xhtml: str, image_sizes: Mapping[str, tuple[int, int]], render: Callable[[str], object]):
    """The document laid out as corrected by its proofs: ``(document, warnings)``.

    ``render`` lays out an HTML string and returns WeasyPrint's document."""
    warnings: list[str] = []
    fixes = NO_CORRECTIONS
    doc = _render_or_endnotes(xhtml, image_sizes, render, fixes, warnings)
    for _ in range(PASSES - 1):
        found = corrections(doc, fixes)
        if not found:
            break
        fixes = fixes.merged(found)
        doc = None  # one laid-out document in memory at a time: a long one is large
        doc = _render_or_endnotes(xhtml, image_sizes, render, fixes, warnings)
    else:
        # Each layout corrects one place per article: an article with more places
        # than layouts keeps the rest as the engine set them, and says so.
        left, page = _corrections(read(doc), fixes)
        if dataclasses.replace(left, notes_page=False):
            warnings.append(
                f"the print makeup stopped after {PASSES} layout{'s' * (PASSES != 1)} with pages still to correct, "
                f"from page {page + 1} on (a note set below a later page than its call, or a page left short)"
            )
    if fixes.notes_page and not _has_notes(doc.pages[-1]):
        # The notes that ran on past the text now end on its last page.
        fixes = dataclasses.replace(fixes, notes_page=False)
        doc = None
        doc = _render_or_endnotes(xhtml, image_sizes, render, fixes, warnings)
    lost = lost_notes(doc)
    if lost:
        fixes = fixes.merged(Corrections(endnotes=frozenset(lost)))
        warnings.append(_endnote_warning(xhtml, lost, "the page layout could not place them"))
        doc = None
        doc = render(print_copy(xhtml, image_sizes, fixes))
    return doc, warnings


def _has_notes(page) -> bool:
    from weasyprint.formatting_structure import boxes

    return any(isinstance(c, boxes.FootnoteAreaBox) and c.children for c in page._page_box.children)


def _render_or_endnotes(xhtml, image_sizes, render, fixes: Corrections, warnings: list[str]):
    """Lay out; should the engine fail, try each article with notes as endnotes."""
    try:
        return render(print_copy(xhtml, image_sizes, fixes))
    except Exception as failure:  # the engine's own failure, not a manuscript's
        if _is_ours(failure):
            raise
        articles = articles_with_notes(xhtml)
        for number in articles:
            trial = fixes.merged(Corrections(endnotes=frozenset({number})))
            try:
                doc = render(print_copy(xhtml, image_sizes, trial))
            except Exception as again:
                if _is_ours(again):
                    raise
                continue
            warnings.append(
                _endnote_warning(xhtml, {number}, f"the layout engine failed on them ({type(failure).__name__})")
            )
            return doc
        raise


def _is_ours(error: Exception) -> bool:
    """Errors that are about the manuscript or its files, not about the layout."""
    from weasyprint.urls import FatalURLFetchingError

    from ..errors import ManuscriptError

    return isinstance(error, (ManuscriptError, FatalURLFetchingError, OSError, MemoryError, RecursionError))


def _endnote_warning(xhtml: str, articles, why: str) -> str:
    titles = article_titles(xhtml)
    which = " and ".join(f"“{titles.get(n, n)}”" for n in sorted(articles))
    return f"the notes of {which} are set at the end of the article: {why}"


def articles_with_notes(xhtml: str) -> list[int]:
    """The numbers (1, 2 …) of the articles that have notes, in document order."""
    found = []
    for number, article in enumerate(re.split(r"<article\b", xhtml)[1:], 1):
        if 'class="footnote"' in article:
            found.append(number)
    return found


def article_titles(xhtml: str) -> dict[int, str]:
    """Each article's headline, by number, for messages."""
    from lxml import etree

    root = etree.fromstring(xhtml.encode("utf-8"))
    articles = root.iterfind(".//{*}article")
    return {n: " ".join("".join(a.find(".//{*}h1").itertext()).split()) for n, a in enumerate(articles, 1)}


# --- reading the proof ------------------------------------------------------------


def read(doc) -> Proof:
    from weasyprint.formatting_structure import boxes

    proof = Proof()
    pitches = []
    root = doc.pages[0]._page_box.children[0].element if doc.pages else None
    paragraphs = {id(p): n for n, p in enumerate(body_paragraphs(root))} if root is not None else {}
    begun: set[int] = set()  # the blocks of earlier pages
    for number, page in enumerate(doc.pages):
        page_box = page._page_box
        area = next((c for c in page_box.children if isinstance(c, boxes.FootnoteAreaBox)), None)
        sheet = Page(page_box, notes_height=area.margin_height() if area is not None else 0.0)
        here: dict[int, int] = {}  # lines of each block on this page so far
        for line, block, article in _lines(page_box):
            sheet.article = sheet.article or article
            above = here.get(id(block.element), 0)
            here[id(block.element)] = above + 1
            bottom = line.position_y + line.height
            if bottom >= sheet.text_bottom:
                sheet.text_bottom = bottom
                sheet.last_paragraph = paragraphs.get(id(block.element), -1)
            if block.element_tag == "p" and line.height:
                pitches.append(round(line.height, 2))
            for box in line.descendants():
                if (box.element_tag or "").endswith("::footnote-call"):
                    paragraph = paragraphs.get(id(block.element), -1)
                    proof.calls.setdefault(box.element, (number, bottom, article, paragraph))
                    if id(block.element) not in begun:
                        proof.opening.setdefault(box.element, above)
        for note in area.children if area is not None else ():
            proof.notes.setdefault(note.element, (number, note))
        begun.update(here)
        sheet.lines_bottom = sheet.text_bottom
        sheet.text_bottom = max(sheet.text_bottom, _flow_bottom(page_box))
        proof.pages.append(sheet)
    proof.line = max(set(pitches), key=pitches.count) if pitches else 0.0
    return proof


def _flow_bottom(page_box) -> float:
    """Where the page's flow ends, with the bottom margin of its last block (the
    space a figure after it would have to leave)."""
    from weasyprint.formatting_structure import boxes

    box = page_box.children[0] if page_box.children else None
    while isinstance(box, boxes.BlockBox) and box.children and isinstance(box.children[-1], boxes.BlockBox):
        box = box.children[-1]
    if not isinstance(box, boxes.BlockBox):
        return 0.0
    return box.border_box_y() + box.border_height() + box.margin_bottom


def _lines(page_box):
    """The line boxes of the page's main flow (not the running heads, not the notes),
    each with its block and the number of the article it belongs to."""
    from weasyprint.formatting_structure import boxes

    def walk(box, block, article):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return
        if box.element is not None and box.element_tag == "article":
            article = int(box.element.get("data-article") or 0)
        if isinstance(box, boxes.LineBox):
            yield box, block, article
            return
        if isinstance(box, boxes.ParentBox):
            for child in box.children:
                yield from walk(child, box if isinstance(box, boxes.BlockBox) else block, article)

    yield from walk(page_box, page_box, 0)


def corrections(doc, fixes: Corrections = NO_CORRECTIONS) -> Corrections:
    """What the next layout must do differently (beyond the ``fixes`` it had).

    A correction changes every page after it, so each article gets one per proof:
    the first, in page order (articles start on pages of their own, so one
    article's corrections leave the others' pages as they are)."""
    return _corrections(read(doc), fixes)[0]


def _corrections(proof: Proof, fixes: Corrections) -> tuple[Corrections, int]:
    """:func:`corrections`, from a proof already read, and the first page (0, 1 …)
    with a place to correct (-1 for none)."""
    first: dict[int, tuple[int, Corrections]] = {}
    candidates = [*notes_to_fix(proof), *notes_that_shorten(proof), *figures_to_fix(proof, fixes.pair)]
    for article, page, fix in candidates:
        if article not in first or page < first[article][0]:
            first[article] = (page, fix)
    found = NO_CORRECTIONS
    for _, fix in first.values():
        found = found.merged(fix)
    if not fixes.notes_page and any(element not in proof.notes for element in proof.calls):
        # Notes sent on from the last page vanish when WeasyPrint lays the pages
        # out again (for the contents' page numbers, for running heads): it
        # keeps the last page it made before and forgets what was sent on.  A
        # page of the document's own at the end holds them.
        found = found.merged(Corrections(notes_page=True))
    return found, min((page for page, _ in first.values()), default=-1)


def notes_to_fix(proof: Proof):
    """Each note set on a later page than its call, as (article, page, correction):
    the words that fit under the call stay there and the rest runs on to the next
    page; a note with no room for a line takes its call along."""
    for element, (call_page, call_bottom, article, paragraph) in proof.calls.items():
        if element not in proof.notes or element.get("id") is None:
            continue
        note_page, box = proof.notes[element]
        if note_page == call_page:
            continue
        page = proof.pages[call_page]
        room = page.bottom - box.margin_top - call_bottom - EPSILON
        words = words_within(box, room)
        if words is None:
            # It fits, yet WeasyPrint sent it on to make room for the second line
            # of a paragraph begun on the page's last line (two lines being the
            # least it leaves at the foot).  Asked for three, the paragraph moves
            # to the next page whole, as it would on a page without notes.
            if page.last_paragraph >= 0:
                yield article, call_page, Corrections(three_lines=frozenset({page.last_paragraph}))
        elif words:
            yield article, call_page, Corrections(split={element.get("id"): words})
        elif proof.opening.get(element) == 1 and paragraph >= 0:
            # The call is in the second line of a paragraph begun on this page: its
            # first line would go over too (two lines being the least WeasyPrint
            # leaves at the foot), with a subhead before it, leaving the page
            # short.  It may stay alone at the foot instead.
            fix = Corrections(keep_call=frozenset({element.get("id")}), one_orphan=frozenset({paragraph}))
            yield article, call_page, fix
        else:
            yield article, call_page, Corrections(keep_call=frozenset({element.get("id")}))


def notes_that_shorten(proof: Proof):
    """A page left short because its last lines call a note that needs more room
    than is left: they went over with it, two at once for the widows rule.  The
    paragraph may leave a single line at the head of the next page instead, so
    that the calling line and its note stay.  As (article, page, correction)."""
    pitch = proof.line or 20.0
    for element, (call_page, call_bottom, article, paragraph) in proof.calls.items():
        if call_page == 0 or paragraph < 0 or element not in proof.notes:
            continue
        page, previous = proof.pages[call_page], proof.pages[call_page - 1]
        if call_bottom - page.box.content_box_y() > pitch + EPSILON or previous.article != article:
            continue  # not the first line of its page
        if previous.bottom - previous.lines_bottom > SHORT_LINES * pitch and previous.last_paragraph == paragraph:
            yield article, call_page - 1, Corrections(one_widow=frozenset({paragraph}))


def _first_line_depth(note_box) -> float:
    from weasyprint.formatting_structure import boxes

    lines = [b for b in note_box.descendants() if isinstance(b, boxes.LineBox) and b.height]
    return lines[0].position_y + lines[0].height - note_box.border_box_y() + EPSILON if lines else 0.0


def words_within(note_box, room: float) -> int | None:
    """How many words of a laid-out note fit in ``room`` px from its top (whole lines
    only; a word hyphenated across the last line goes over with the rest); None
    when the whole note fits."""
    from weasyprint.formatting_structure import boxes

    top = note_box.border_box_y()
    lines = [b for b in note_box.descendants() if isinstance(b, boxes.LineBox)]
    kept = [ln for ln in lines if ln.position_y + ln.height - top <= room]
    if len(kept) == len(lines):
        return None
    text = ""
    for ln in kept:
        piece = "".join(
            b.text for b in ln.descendants() if isinstance(b, boxes.TextBox) and "::" not in (b.element_tag or "")
        ).strip()
        # A word broken over two lines is one word: the hyphen WeasyPrint added
        # goes, one the writer typed stays.
        text += piece[:-1] if piece.endswith(("\u2010", "\u00ad")) else piece
        if not piece.endswith(HYPHENS):
            text += " "
    words = len(text.split())
    if not text.endswith(" "):  # the last line ends inside a word: that word goes over
        words -= 1
    return max(words, 0)


def figures_to_fix(proof: Proof, paired: frozenset[int] = frozenset()):
    """A page left short because the figure after it did not fit, as (article, page,
    correction): the figure gives up some height, or moves past the text that can
    fill the page.  A lead photo only ever gives up height: it stays with its
    title block."""
    from weasyprint.formatting_structure import boxes

    pitch = proof.line or 20.0
    for number in range(1, len(proof.pages)):
        found = _leading_figure(proof.pages[number].box)
        if found is None:
            continue
        figure_box, following = found
        previous = proof.pages[number - 1]
        room = previous.bottom - previous.text_bottom - figure_box.margin_top
        lead = "lead-photo" in (figure_box.element.get("class") or "")
        image = next((b for b in figure_box.descendants() if isinstance(b, boxes.ReplacedBox)), None)
        if not lead and room <= SHORT_LINES * pitch:
            continue
        if image is None:  # a pull quote: it can only move
            image = _NoImage()
        # WeasyPrint wants the figure's bottom margin on the page too.
        excess = figure_box.border_height() + figure_box.margin_bottom - room + EPSILON
        key = int(figure_box.element.get("data-movable"))
        held = figure_box.element.get("data-held")  # moved as far as it may go
        moves = 0 if lead or held else blocks_to_fill(following, room)
        article = proof.pages[number].article
        if lead or (excess <= SHRINK * image.height and not moves) or excess <= SHRINK / 2 * image.height:
            yield article, number - 1, Corrections(image_height={key: max(image.height - excess, 1.0)})
        elif moves:
            yield article, number - 1, Corrections(defer={key: moves})
        elif excess <= 0.6 * image.height:  # no text after it to fill the page
            yield article, number - 1, Corrections(image_height={key: image.height - excess})
        elif held and key not in paired and _fits_with_next(proof, figure_box, key):
            yield article, number - 1, Corrections(defer={key: 1}, pair=frozenset({key}))


class _NoImage:
    height = 0.0


def _fits_with_next(proof: Proof, figure_box, key: int) -> bool:
    """Whether a figure and the one after it fit one page together."""
    for page in proof.pages:
        for box in page.box.descendants():
            if box.element is not None and box.element.get("data-movable") == str(key + 1):
                depth = page.box.height
                return figure_box.margin_height() + box.margin_height() <= depth
    return False


def _leading_figure(page_box):
    """The figure that opens the page's flow, and the blocks after it in its parent."""
    from weasyprint.formatting_structure import boxes

    box = page_box.children[0] if page_box.children else None
    while isinstance(box, boxes.BlockBox) and box.children:
        first = box.children[0]
        if first.element is not None and first.element.get("data-movable"):
            return first, box.children[1:]
        if not isinstance(first, boxes.BlockBox):
            return None
        box = first
    return None


def blocks_to_fill(following, room: float) -> int:
    """How many text blocks after a figure it takes to fill ``room``.  It stays at
    least a block before the next figure (two figures together may not fit one
    page) and within its section; 0 when there is nothing to move past."""
    blocks = []
    for box in following:
        if box.element is None or box.element_tag in ("h2", "h3", "h4", "hr", "section"):
            break
        if box.element.get("data-movable"):
            blocks = blocks[:-1]
            break
        blocks.append(box)
    total = 0.0
    for count, box in enumerate(blocks, 1):
        total += box.margin_height()
        if total >= room:
            return count
    return len(blocks)


def lost_notes(doc) -> set[int]:
    """The articles (by number) some of whose notes were laid out nowhere."""
    proof = read(doc)
    return {article for element, (_, _, article, _) in proof.calls.items() if element not in proof.notes}
