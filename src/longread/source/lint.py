"""Checks on the body that find what a build would ship without a word: a note
reference with no note, a note nobody refers to, straight quotes where the
house typography cannot reach.  Each reports a finding at the place in the
manuscript it is about; none stops the build."""

from __future__ import annotations

import re

from lxml import etree

from ..errors import quoted
from ..findings import Lines, Report
from .notes import drop

#: A note reference Python-Markdown left as text: its note was never written.
_LITERAL_REF = re.compile(r"\[\^([^\]\s]{1,40})\]")
#: Where text is meant literally (a reference in a code span is an example).
_LITERAL = {"code", "pre", "kbd", "samp", "var"}
#: A straight quote used as a quotation mark (not an apostrophe between letters).
_STRAIGHT = re.compile(r"\"|(?<!\w)'|'(?!\w)")
#: Attributes a reader sees (a tooltip; the text shown when an image is not).
_SHOWN_ATTRIBUTES = ("title", "alt")


def dangling_notes(report: Report, root: etree._Element, token: str, labels: dict[str, str], lines: Lines) -> None:
    """Notes never referenced: their link back to a reference that does not exist
    is taken out (it would leave a bare ↩), and each is reported where its
    ``[^label]:`` line is."""
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for li in root.xpath(".//li[@id]"):
        if not li.get("id", "").startswith(token + "n"):
            continue
        backs = li.xpath('.//a[@class="footnote-backref"]')
        if not backs or any((a.get("href") or "")[1:] in ids for a in backs):
            continue
        for a in backs:
            drop(a)
        label = labels.get(li.get("id"), "")
        report.add(
            "note-002",
            f"note [^{label}] is never referenced",
            f"refer to it with [^{label}] where it belongs, or delete it",
            lines.find(f"[^{label}]:"),
        )


def literal_references(report: Report, root: etree._Element, lines: Lines) -> None:
    """``[^3]`` left in the text: a note reference whose note was never written."""
    seen: set[str] = set()
    after = None
    for text in _texts(root):
        for m in _LITERAL_REF.finditer(text):
            label = m[1]
            if label in seen:
                continue
            seen.add(label)
            place = _reference_place(lines, f"[^{label}]", after)
            after = place or after
            report.add(
                "note-001",
                f"note reference [^{label}] has no note; it would print as written",
                f"add a line '[^{label}]: the note' at the end, or remove the reference",
                place,
            )


def _reference_place(lines: Lines, needle: str, after) -> tuple[int, int] | None:
    """The first place the reference is written that is not a note's own ``[^x]:`` line."""
    place = lines.find(needle, after)
    while place is not None:
        line = lines.text.split("\n")[place[0] - 1]
        if not line[place[1] - 1 :].startswith(needle + ":"):
            return place
        place = lines.find(needle, (place[0], place[1]))
    return None


def _texts(root: etree._Element):
    """The text of the body, outside code, in reading order."""

    def walk(el):
        if el.tag in _LITERAL:
            return
        yield el.text or ""
        for child in el:
            if isinstance(child.tag, str):
                yield from walk(child)
            yield child.tail or ""

    yield from walk(root)


def straight_quotes(report: Report, root: etree._Element, lines: Lines) -> None:
    """Straight quotes in attributes a reader sees: the house typography curls
    the quotes of the text, never those inside an attribute."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in _SHOWN_ATTRIBUTES:
            value = el.get(name) or ""
            if not _STRAIGHT.search(value):
                continue
            start = re.escape(value[:12]).replace('"', '(?:"|&quot;|&#34;)')
            at = lines.find_pattern(rf"\b{name}\s*=\s*[\"']?{start}") or lines.find(value)
            report.add(
                "text-002",
                f"straight quotes in the {name} of <{el.tag}>: {quoted(value)}",
                "type curly quotes (“ ” ‘ ’) there: the house typography does not reach attributes",
                at,
            )
