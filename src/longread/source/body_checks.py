"""Checks on the body once it is sanitised: what would take unbounded time to lay
out, and what the reader would lose without a word (removed formulas, empty subheads)."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..errors import ManuscriptError, quoted
from ..findings import Finding, Lines, finding
from ..xhtml import heading_text
from . import sanitize
from .notes import drop

#: The longest run of text with nowhere to break a line.  A line breaker lays out
#: the rest of an unbreakable run for every line it fills, so its time grows with
#: the square of the run's length (50,000 characters: over 40 s in WeasyPrint).
#: Real words and pasted URLs stay far below this.
MAX_RUN = 2000
# Where a line may break: spaces, hyphens, zero-width spaces, and within the
# scripts written without spaces (CJK, Thai, Lao, Myanmar, Khmer).
_BREAK = (
    "\\s\u200b\\-\u2010\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
)
_LONG_RUN = re.compile(f"[^{_BREAK}]{{{MAX_RUN + 1},}}")


def check_runs(path: Path, root: etree._Element) -> None:
    """Refuse a run of text too long to break into lines in reasonable time."""
    pieces: list[str] = []

    def walk(el: etree._Element) -> None:
        block = el.tag in sanitize.BLOCK
        pieces.append("\n" if block else "")
        pieces.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            pieces.append(child.tail or "")
        pieces.append("\n" if block else "")

    walk(root)
    found = _LONG_RUN.search("".join(pieces))
    if found:
        run = found.group()
        raise ManuscriptError(
            path,
            f"the text has a run of {len(run):,} characters with no space or other place to break a line "
            f"({quoted(run[:24])}…); the limit is {MAX_RUN:,}: break it up",
        )


#: Raw HTML the sanitiser removes with its content, where the reader loses something.
LOST_WITH_CONTENT = {
    "math": "MathML formula(s) removed (longread does not typeset MathML; write the formula as text or an image)",
    "svg": "inline SVG drawing(s) removed (use an image file instead)",
}


def dropped_markup(path: Path, converted: str, lines: Lines | None = None) -> list[Finding]:
    """Findings for content the sanitiser will remove whole."""
    found = []
    for tag, what in LOST_WITH_CONTENT.items():
        count = len(re.findall(rf"<{tag}[\s>/]", converted, re.I))
        if count:
            at = lines.find_pattern(re.compile(rf"<{tag}[\s>/]|<{tag}$", re.I)) if lines else None
            message, fix = what.split(" (", 1)
            found.append(finding("html-002", path, f"{count} {message}", fix.rstrip(")"), at))
    return found


def drop_empty_subheads(path: Path, root: etree._Element) -> list[Finding]:
    """A subhead with nothing to say (``## &nbsp;``, a comment, an empty code span)
    would be an empty entry in the e-book's contents: it is taken out."""
    empty = [h for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6") if not heading_text(h)]
    for h in empty:
        drop(h)
    if not empty:
        return []
    return [finding("html-003", path, f"{len(empty)} subhead(s) with no text removed", "give each subhead its words")]
