"""A typographer's figures for a justified PDF, read from the page itself.

The same yardstick as the project's ``page-stats`` tool (so a test's figures can be
compared with any other tool's): poppler's ``pdftotext -bbox-layout`` gives every
word's box; the body lines are those at the most common line height inside the
text block.  Counted: hyphenated line ends (the word runs on, lower case, on the
next line), the longest run of them (ladder), loose lines (word spaces over 1.6x
the document's median), runts (a last line of one short word), lines that start
with a dash, and words outside the page or past the text block (overflow).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from pathlib import Path

NS = {"h": "http://www.w3.org/1999/xhtml"}
HYPHENS = ("-", "\u2010", "\u00ad")
DASHES = ("\u2014", "\u2013")


@dataclass
class Figures:
    pages: int = 0
    lines: int = 0
    hyphens: int = 0
    ladder: int = 0
    loose: list[str] = field(default_factory=list)
    runts: list[str] = field(default_factory=list)
    dash_starts: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)

    def per_100(self, count: int) -> float:
        return 100 * count / self.lines if self.lines else 0.0


def page_lines(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Each page's (width, height, lines); a line is its words' (x0, x1, y0, y1, text)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    pages = []
    for page in root.findall(".//h:page", NS):
        found = []
        for line in page.findall(".//h:line", NS):
            words = [
                (float(w.get("xMin")), float(w.get("xMax")), float(w.get("yMin")), float(w.get("yMax")), w.text or "")
                for w in line.findall("h:word", NS)
            ]
            if words:
                found.append(words)
        # pdftotext splits a line where the style changes: words on one baseline are one line
        found.sort(key=lambda ws: (round(max(w[3] for w in ws)), min(w[0] for w in ws)))
        merged: list[list] = []
        for words in found:
            if merged and abs(max(w[3] for w in merged[-1]) - max(w[3] for w in words)) < 1.5:
                merged[-1] = sorted(merged[-1] + words)
            else:
                merged.append(sorted(words))
        pages.append((float(page.get("width")), float(page.get("height")), merged))
    return pages


def _height(words) -> float:
    return max(w[3] for w in words) - min(w[2] for w in words)


def _gap(words) -> float:
    return statistics.mean(words[i + 1][0] - words[i][1] for i in range(len(words) - 1))


def figures(pdf: Path) -> Figures:
    pages = page_lines(pdf)
    out = Figures(pages=len(pages))
    heights = [_height(ws) for _, _, lines in pages for ws in lines]
    if not heights:
        return out
    body_height = statistics.median(heights)
    body = []  # (page, words, full)
    for number, (width, height, lines) in enumerate(pages, 1):
        for ws in lines:
            for w in ws:
                if w[0] < -0.5 or w[1] > width + 0.5 or w[2] < -0.5 or w[3] > height + 0.5:
                    out.overflow.append(f"p{number}:{w[4]}")
        mine = [ws for ws in lines if abs(_height(ws) - body_height) < 0.6]
        if not mine:
            continue
        right = statistics.median(sorted(max(w[1] for w in ws) for ws in mine)[len(mine) // 2 :])
        for ws in mine:
            end = max(w[1] for w in ws)
            if end > right + 2.0:
                out.overflow.append(f"p{number}:{ws[-1][4]}")
            body.append((number, ws, end >= right - 1.5))
    gaps = [_gap(ws) for _, ws, full in body if full and len(ws) >= 4]
    median = statistics.median(gaps) if gaps else 0.0
    run = 0
    for i, (number, ws, full) in enumerate(body):
        text = " ".join(w[4] for w in ws)
        last = ws[-1][4]
        following = body[i + 1][1][0][4] if i + 1 < len(body) else ""
        if last.endswith(HYPHENS) and len(last) > 1 and following[:1].isalpha() and following[:1].islower():
            out.hyphens += 1
            run += 1
            out.ladder = max(out.ladder, run)
        else:
            run = 0
        if text[:1] in DASHES:
            out.dash_starts.append(f"p{number}:{text[:40]}")
        if full and len(ws) >= 4 and median and _gap(ws) > 1.6 * median:
            out.loose.append(f"p{number}:{text[:50]}")
        if not full and len(ws) == 1 and len(re.sub(r"\W", "", last)) <= 6 and i > 0 and body[i - 1][2]:
            out.runts.append(f"p{number}:{last}")
    out.lines = len(body)
    return out
