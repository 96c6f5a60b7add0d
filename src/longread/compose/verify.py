"""Reading the laid-out pages back: did each composed paragraph come out as composed?

A paragraph passes when WeasyPrint set exactly the composed lines, in order, and
none of them runs past its line box (a group that did not fit would overflow
rather than break).  Anything else, however small, sends the paragraph back to
WeasyPrint's own line breaking.
"""

from __future__ import annotations

from collections import defaultdict

from .handoff import WORD_JOINER, ZERO_WIDTH_SPACE

# A line may run this far (px) past its box before it counts as overflowing:
# rounding in the layout, far below anything visible.
TOLERANCE = 0.01
# How far the width a line had may differ from the one it was composed for.
ROOM = 0.05


def normal(text: str) -> str:
    """Text compared the way a reader sees it: no invisible joiners or spaces, one space
    between words, case folded (a text-transform changes case, not words)."""
    return " ".join(text.replace(WORD_JOINER, "").replace(ZERO_WIDTH_SPACE, "").split()).casefold()


def laid_out(document, elements: set) -> dict[object, list[tuple[str, float, bool]]]:
    """For each of ``elements``, its lines as laid out, in order, across pages:
    (text without the drop cap, the width from the line's start to the block's end,
    whether the text ends inside the block)."""
    from weasyprint.formatting_structure import boxes

    found: dict[object, list[tuple[str, float, bool]]] = defaultdict(list)

    def walk(box, block):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return  # running heads and folios; the notes, set in lines of their own
        if isinstance(box, boxes.LineBox):
            if box.element in elements and box.element_tag == getattr(box.element, "tag", None):
                found[box.element].append((_text(box, boxes), _room(box, block), _fits(box, block, boxes)))
            return
        if isinstance(box, boxes.ParentBox):
            inner = box if isinstance(box, boxes.BlockContainerBox) else block
            for child in box.children:
                walk(child, inner)

    for page in document.pages:
        walk(page._page_box, None)
    return found


def _text(line, boxes) -> str:
    """The text set in the line itself: not a float beside it (the drop cap, with
    what it holds) and not the first letter, when that is floated."""
    return "".join(b.text for b in _in_line(line, boxes) if isinstance(b, boxes.TextBox))


def _in_line(box, boxes):
    """The boxes of the line's own flow, in order.  A note called in the line is in
    it only as its (empty) ::footnote-call box: its text is in the notes area."""
    for child in box.children:
        if not child.is_in_normal_flow() or (child.element_tag or "").endswith("::first-letter"):
            continue
        yield child
        if isinstance(child, boxes.ParentBox) and not isinstance(child, boxes.AtomicInlineLevelBox):
            yield from _in_line(child, boxes)


def _room(line, block) -> float:
    """The width the line had: from where its content starts (after an indent or a
    float) to the end of its block."""
    first = next((c for c in line.children if c.is_in_normal_flow()), None)
    if block is None or first is None:
        return 0.0
    return block.content_box_x() + block.width - first.position_x


def _fits(line, block, boxes) -> bool:
    """Whether the line's text ends inside its block (the line box itself may be
    wider: WeasyPrint counts a floated drop cap in the first one)."""
    if block is None:
        return False
    right = block.content_box_x() + block.width
    ends = [
        b.position_x + b.width
        for b in _in_line(line, boxes)
        if isinstance(b, (boxes.TextBox, boxes.AtomicInlineLevelBox))
    ]
    return max(ends, default=0.0) <= right + TOLERANCE


def differing(document, expected: dict[object, list[tuple[str, float | None]]]) -> list:
    """The elements whose lines are not the composed ones: other text, another
    width (a line pushed below a float), or text running past the block."""
    found = laid_out(document, set(expected))
    wrong = []
    for element, lines in expected.items():
        got = found.get(element, [])
        same = len(got) == len(lines) and all(
            normal(text) == normal(want) and (width is None or abs(room - width) <= ROOM) and fits
            for (text, room, fits), (want, width) in zip(got, lines, strict=False)
        )
        if not same:
            wrong.append(element)
    return wrong
