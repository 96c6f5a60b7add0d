"""Paragraph composition for the print edition: every line of a paragraph chosen
together (total fit), as the best typesetters do, instead of one at a time.

Before WeasyPrint lays out the pages, :func:`compose` reads each body paragraph
with WeasyPrint's own computed styles (:mod:`.styles`), measures its words with
the PDF's fonts (:mod:`.measure`), chooses its breaks (:mod:`.breaks`) and
rewrites the paragraph in the print copy of the document so that WeasyPrint sets
exactly those lines (:mod:`.handoff`).  Display type (headline, dek, subheads,
captions, pull quotes) is broken into lines of even length.  After layout,
:meth:`Composition.verified` reads the lines back (:mod:`.verify`); a paragraph
that came out differently gets its original markup back and WeasyPrint's own
breaking, and is counted.  The e-book is never pre-broken.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..model import FontFace
from . import breaks, handoff, paragraph, verify
from .measure import Measure
from .styles import Styles, UnsupportedError

#: Longread's display roles, by the markup the renderer gives them.
DISPLAY_CLASSES = {"headline", "dek"}
DISPLAY_TAGS = {"h1", "h2", "h3", "h4", "figcaption"}
# Re-laying out after a fallback can move other paragraphs (never their lines,
# which do not depend on the page); two more rounds settle any document.
ROUNDS = 3


class Cache:
    """What stays the same between the layouts of one document: the proof lays a
    document out several times (see writers/proof.py), and from one layout to the
    next nearly every paragraph comes back as it was.  Kept: the words' widths,
    the lines chosen for each paragraph (by its place among the document's
    paragraphs and everything the choice depends on), and the paragraphs whose
    lines did not come out as composed."""

    def __init__(self, font_files: dict[Path, bytes]):
        self.measure = Measure(font_files)
        self.lines: dict[tuple, list[handoff.Line] | None] = {}
        self.failed: set[tuple] = set()
        self.seconds = 0.0  # composing and verifying, over every layout
        self.layouts = 0


@dataclass
class Composition:
    """What the composer did to one document, and what to undo if layout differs."""

    html: object
    cache: Cache
    expected: dict[object, list[tuple[str, float | None]]] = field(default_factory=dict)
    originals: dict[object, tuple] = field(default_factory=dict)
    paragraphs: int = 0
    display: int = 0
    left: dict[str, int] = field(default_factory=dict)  # not composed, by reason
    fallbacks: int = 0
    drop_caps: set = field(default_factory=set)
    keys: dict = field(default_factory=dict)  # element -> its key in the cache
    seconds: float = 0.0  # composing and verifying (not the layouts themselves)

    def spent(self, seconds: float) -> None:
        self.seconds += seconds
        self.cache.seconds += seconds

    def leave(self, reason: str) -> None:
        self.left[reason] = self.left.get(reason, 0) + 1

    def keep(self, element, lines: list[tuple[str, float | None]]) -> None:
        self.originals[element] = (element.text, list(element))
        self.expected[element] = lines

    def restore(self, element) -> None:
        element.text, children = self.originals.pop(element)
        element[:] = children
        del self.expected[element]
        self.cache.failed.add(self.keys.get(element))
        self.give_back(element)

    def give_back(self, element) -> None:
        """Set by WeasyPrint's own breaking (after a verification that failed, in
        this layout or an earlier one)."""
        self.fallbacks += 1
        if element in self.drop_caps:
            # WeasyPrint's own breaking sets lines beside a floated first letter
            # short when it may hyphenate (its issues #1859 and #2751): such a
            # paragraph goes back unhyphenated.
            element.set("style", "; ".join(filter(None, (element.get("style"), "hyphens: manual"))))

    def refresh(self) -> None:
        """WeasyPrint matches selectors on a wrapper of the tree, made when it parsed
        the document; after the tree changes it must be made again."""
        import cssselect2

        self.html.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            self.html.etree_element, content_language=None
        )

    def verified(self, document, render: Callable[[], object]):
        """``document`` if every composed paragraph came out as composed; otherwise
        the paragraphs that did not are given back to WeasyPrint and ``render()``
        lays the document out again."""
        for _ in range(ROUNDS):
            start = time.perf_counter()
            try:
                wrong = verify.differing(document, self.expected)
            except Exception:  # a WeasyPrint whose boxes read differently: trust none
                wrong = list(self.expected)
            self.spent(time.perf_counter() - start)
            if not wrong:
                return document
            for element in wrong:
                self.restore(element)
            self.refresh()
            document = render()
        for element in list(self.expected):
            self.restore(element)
        self.refresh()
        return render()

    def report(self) -> str:
        left = sum(self.left.values())
        why = ", ".join(f"{n} {reason}" for reason, n in sorted(self.left.items()))
        return (
            f"composed {self.paragraphs} paragraphs, balanced {self.display} titles and captions; "
            f"{self.fallbacks} set by WeasyPrint after verification; "
            f"{left} left to WeasyPrint" + (f" ({why})" if why else "") + f"; composition {self.cache.seconds:.2f} s"
            f" over {self.cache.layouts} layout{'s' if self.cache.layouts > 1 else ''}"
        )


def compose(
    html,
    stylesheets,
    font_config,
    faces: tuple[FontFace, ...],
    font_files: dict[Path, bytes],
    cache: Cache | None = None,
) -> Composition:
    """Compose the paragraphs of ``html`` (a ``weasyprint.HTML``, the print copy),
    rewriting its tree in place.  The layouts of one document share a ``cache``."""
    start = time.perf_counter()
    cache = cache or Cache(font_files)
    cache.layouts += 1
    composition = Composition(html, cache)
    try:
        styles = Styles(html, stylesheets, font_config, faces, cache.measure.interned)
    except Exception:  # a WeasyPrint whose styles read differently: it sets every line
        composition.leave("the composer cannot read this WeasyPrint's styles")
        return composition
    rules = breaks.Rules()
    # The breaker makes many small short-lived objects; with the whole document
    # tree alive, Python's cycle collector would walk it over and over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _compose_all(html, styles, rules, composition)
    finally:
        if collecting:
            gc.enable()
    composition.refresh()
    composition.spent(time.perf_counter() - start)
    return composition


def _compose_all(html, styles: Styles, rules: breaks.Rules, composition: Composition) -> None:
    cache = composition.cache
    number = 0
    for element in list(html.etree_element.iter()):
        role = _role(element, styles)
        if role is None or role == "body" and styles(element)["text_align_all"] != "justify":
            continue
        number += 1
        try:
            par = paragraph.read(element, styles, cache.measure)
            key = (number, role, _signature(par))
            if key not in cache.lines:
                cache.lines[key] = _lines(par, cache.measure, rules, role == "display")
            lines = cache.lines[key]
            if key in cache.failed:
                content = ()  # not made again (see below)
            else:
                content = handoff.rewrite(par, lines, forced=role == "display") if lines else None
        except UnsupportedError as e:
            composition.leave(str(e))
            continue
        except Exception as e:  # a paragraph the composer fails on is still set, by WeasyPrint
            composition.leave(f"composer error ({type(e).__name__})")
            continue
        if content is None:
            composition.leave("a word wider than the measure")
            continue
        if par.lead or par.cap is not None:
            composition.drop_caps.add(element)
        if key in cache.failed:
            composition.give_back(element)
            continue
        justified = role == "body"
        composition.keep(element, [(line.text(par), line.width if justified else None) for line in lines])
        composition.keys[element] = key
        element.text, element[:] = content
        if role == "display":
            composition.display += 1
        else:
            composition.paragraphs += 1


def _signature(par: paragraph.Paragraph) -> tuple:
    """Everything a paragraph's lines depend on."""
    runs = tuple((r.start, r.end, r.style, r.wrap, r.extra, r.closing, r.hyphens, r.limits) for r in par.runs)
    return par.text, runs, par.widths, par.justified, par.hyphen, par.space, par.lead, par.beside, par.cap is None


def _role(element, styles: Styles) -> str | None:
    tag = element.tag if isinstance(element.tag, str) else ""
    classes = set((element.get("class") or "").split())
    parent = styles.parent(element)
    if tag in DISPLAY_TAGS or classes & DISPLAY_CLASSES:
        return "display"
    if tag == "p" and parent is not None and "pullquote" in (parent.get("class") or "").split():
        return "display"
    if tag == "p":
        return "body"
    return None


def _lines(par, measure: Measure, rules: breaks.Rules, display: bool) -> list[handoff.Line] | None:
    if display:
        problem = paragraph.problem(par, measure, rules, display=True)
        chosen = breaks.balance(problem)
    else:
        # The first pass sets the paragraph without hyphens; only when that fails
        # are the words hyphenated (and the dictionary loaded).
        problem = paragraph.problem(par, measure, rules, hyphenate=False)
        chosen = breaks.total_fit(problem, rules, range(1))
        if chosen is None:
            problem = paragraph.problem(par, measure, rules)
            chosen = breaks.total_fit(problem, rules, range(1, len(rules.tolerances)))
    if chosen is None:
        return None
    lines, start = [], problem.breaks[0]
    for index in chosen:
        end = problem.breaks[index]
        first = start is problem.breaks[0]
        lines.append(handoff.Line(0 if first else start.start, end.end, end.hyphenation, problem.width(len(lines))))
        start = end
    return lines
