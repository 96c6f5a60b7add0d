"""Handing the chosen lines to WeasyPrint so that it sets exactly those lines.

Each line becomes one ``<nobr>`` group (white-space: nowrap in every HTML user
agent stylesheet, WeasyPrint's included): WeasyPrint cannot break inside it, and
between two groups it finds the one break opportunity the composer left, a word
space or the end of a hyphen or dash.  A paragraph's lines are then the groups,
one per line, since the composer only chose lines whose next group does not fit.
Justification, text-indent, widows and orphans apply to those lines as to any.

The inline markup (italics, links, note calls, the small-caps lead-in) is kept:
an element that spans two lines is split into one copy per line, so the groups
nest inside nothing.  A line that ends at a hyphenation point carries the
paragraph's hyphenate-character as text, as WeasyPrint's own hyphenation does,
so the PDF's text reads the same either way.  Display type, set ragged, takes a
forced line break between its groups.

Inside a group WeasyPrint still checks for break opportunities between inline
boxes (after a space before an element, after a dash before one) and may cut
there when a group overflows; a word joiner (U+2060, invisible, not in the
extracted text) after every such boundary that is not inside a word removes the
opportunity.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from .paragraph import Paragraph

WORD_JOINER = "\u2060"
ZERO_WIDTH_SPACE = "\u200b"


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    hyphen: bool = False
    width: float = 0.0  # the measure it was composed for

    def text(self, par: Paragraph) -> str:
        """The line's text as the PDF should show it (the drop cap left out)."""
        return par.text[max(self.start, par.lead) : self.end] + (par.hyphen if self.hyphen else "")


def rewrite(par: Paragraph, lines: list[Line], forced: bool = False) -> tuple[str | None, list]:
    """The new content of ``par.element``, one group per line: its text and its
    children (the element itself is not touched)."""
    element = par.element
    holder = element.makeelement(element.tag, {})
    if par.cap is not None:
        holder.append(_whole(par.cap))
    cloned: set[int] = set()
    for i, line in enumerate(lines):
        start = line.start
        if i == 0 and par.lead:
            # WeasyPrint 70 narrows the rest of the inline box that holds a
            # floated first letter twice over, and more so for every box around
            # it (its issues #1859, #2751): the first word alone stays outside
            # the first group, in its own copy of the boxes around the letter.
            start = _drop_cap_end(par, line)
            _fill(holder, par, line.start, start, False, cloned)
        group = element.makeelement("nobr", {})
        _fill(group, par, start, line.end, line.hyphen, cloned)
        holder.append(group)
        if i + 1 < len(lines):
            between = par.text[line.end : lines[i + 1].start]
            if forced:
                group.tail = between
                holder.append(element.makeelement("br", {}))
            else:
                # A line ending in a hyphen or dash is followed by a zero-width space:
                # WeasyPrint's test of whether a line fits beside a float sees no
                # break between two groups that touch, and would take both.
                group.tail = between or ZERO_WIDTH_SPACE
    return holder.text, list(holder)


def _drop_cap_end(par: Paragraph, line: Line) -> int:
    """Where the first word (the one with the drop cap) ends, within the first line."""
    for p in range(par.lead, line.end):
        if par.text[p] == " " and par.runs[par.run_at[p]].wrap:
            return p
    return line.end


def _fill(group, par: Paragraph, start: int, end: int, hyphen: bool, cloned: set[int]) -> None:
    """Put text[start:end] into ``group`` with its inline markup (copies of the
    paragraph's elements), and the hyphen when the line ends with one."""
    stack = [(group, ())]
    last_char = ""
    boundary = False  # an inline box starts or ends before the next text
    for run in par.runs:
        if run.start == run.end:
            at = run.start
            if run.closing:
                inside = start < at <= end
            else:
                inside = start <= at < end or at == end == len(par.text)
            if not inside:
                continue
            segment = ""
        else:
            a, b = max(start, run.start), min(end, run.end)
            if a >= b:
                continue
            segment = par.text[a:b]
        depth = len(stack)
        while stack[-1][1] != run.path[: len(stack[-1][1])]:
            stack.pop()
        boundary = boundary or len(stack) < depth
        for el in run.path[len(stack[-1][1]) :]:
            attrib = dict(el.attrib)
            if id(el) in cloned:
                attrib.pop("id", None)  # an identifier stays with the first copy
            cloned.add(id(el))
            copy = el.makeelement(el.tag, attrib)
            stack[-1][0].append(copy)
            stack.append((copy, stack[-1][1] + (el,)))
            boundary = True
        if run.element is not None:
            # A note or an end mark, in the group of the line it goes with.
            stack[-1][0].append(_whole(run.element, run.restyle))
            boundary = True
            continue
        if segment and last_char and boundary and not (last_char.isalnum() and segment[0].isalnum()):
            segment = WORD_JOINER + segment
        if hyphen and run.end >= end and segment:
            segment += par.hyphen
        _append(stack[-1][0], segment)
        if segment:
            last_char, boundary = segment[-1], False


def _whole(element, restyle: str = ""):
    """A copy of ``element`` with all it holds (not its tail)."""
    copy = deepcopy(element)
    copy.tail = None
    if restyle:
        copy.set("style", "; ".join(filter(None, (copy.get("style"), restyle))))
    return copy


def _append(parent, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def drop_empty_text(document) -> int:
    """Take out of a laid-out ``document`` the empty text boxes its lines end with.

    The space between two groups is a text box of the paragraph's own; where the
    line breaks, WeasyPrint takes the space away and keeps the box, empty.  An
    empty box draws nothing, yet drawing it costs a text layout, and the tagged
    PDF gets an empty span for it: about a third of all text boxes in a composed
    document.  Returns how many went."""
    from weasyprint.formatting_structure import boxes

    dropped = 0

    def walk(box) -> None:
        nonlocal dropped
        if isinstance(box, boxes.LineBox):
            kept = [c for c in box.children if not (type(c) is boxes.TextBox and c.text == "")]
            dropped += len(box.children) - len(kept)
            box.children = kept
            return
        if isinstance(box, boxes.ParentBox):
            for child in box.children:
                walk(child)

    for page in document.pages:
        walk(page._page_box)
    return dropped
