"""A paragraph as the composer sees it: its text, the styles of its runs, and the
places a line may end, each with its width and its cost.

The paragraph's inline markup is flattened into runs of text (one per text node,
as WeasyPrint makes one text box per node), white space collapsed as CSS
collapses it.  Each run remembers the inline elements it sits in, so that the
lines can be rebuilt with the same markup (:mod:`.handoff`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate

from . import hyphenate
from .breaks import Break, Problem, Rules
from .measure import Measure, TextStyle
from .styles import INLINE, WRAPPING, DropCap, Styles, UnsupportedError, length

SPACE_RUN = re.compile(r"[ \t\n\r\f]+")
DASHES = "—–"
HYPHENS = "-\u2010"
JOINTS = DASHES + HYPHENS
_JOINT = re.compile(f"[{re.escape(JOINTS)}]")
# Opening punctuation that should not be left alone at the end of a line.
OPENING = "“‘«‹„‚([{"
# Elements whose box is not text: the composer does not set paragraphs holding them.
ATOMIC = {"br", "img", "svg", "math", "input", "button", "select", "textarea", "iframe", "object", "video", "audio"}


@dataclass
class Run:
    """Text from one text node (or an empty element, to keep it), with its style."""

    start: int
    end: int
    style: TextStyle | None  # None: the floated first letter, outside the line
    path: tuple  # the inline elements it is inside, outermost first
    wrap: bool = True  # whether its spaces are break opportunities
    extra: float = 0.0  # margin, border and padding of an element opened (or closed) here
    closing: bool = False
    hyphens: str = "manual"
    limits: tuple[int, int, int] = (5, 2, 2)
    # An element set whole at this place, taking no room of its own in the line
    # (a note floated to the foot of the page) or only ``extra`` (an end mark).
    element: object = None
    # Declarations its copy keeps against the line's group (see handoff).
    restyle: str = ""


@dataclass
class Paragraph:
    element: object
    text: str
    runs: list[Run]
    widths: tuple[float, ...]  # of the first lines; the last repeats
    justified: bool
    hyphen: str  # the hyphenate-character
    space: float  # the width of a word space in the paragraph's own style
    lead: int = 0  # characters of the floated first letter
    beside: int = 0  # lines set beside it (or beside the floated drop cap)
    cap: object = None  # a floated element that opens the paragraph (the drop cap)
    run_at: list[int] = field(default_factory=list)  # the run of each character
    # The margins, borders and padding of inline elements before each position
    # (an element's start counts at its first character, its end after its last).
    extra: list[float] = field(default_factory=list)

    def index(self) -> None:
        self.run_at = [0] * len(self.text)
        opened = [0.0] * (len(self.text) + 1)
        for i, run in enumerate(self.runs):
            if run.end > run.start:
                self.run_at[run.start : run.end] = [i] * (run.end - run.start)
            elif run.extra:
                opened[max(run.start - 1, 0) if run.closing else run.start] += run.extra
        self.extra = [0.0, *accumulate(opened[: len(self.text)])]

    def style_at(self, position: int) -> TextStyle:
        return self.runs[self.run_at[position]].style


def read(element, styles: Styles, measure: Measure) -> Paragraph:
    """The paragraph ``element`` as runs of styled text (raises :class:`UnsupportedError`)."""
    own = styles(element)
    if own["direction"] != "ltr" or own["white_space"] not in WRAPPING:
        raise UnsupportedError("direction or white-space")
    for pseudo in ("before", "after"):
        if _generates(styles(element, pseudo)):
            raise UnsupportedError("generated text")
    if styles(element, "first-line") is not None:
        raise UnsupportedError("a ::first-line style")
    cap = _opening_float(element, styles)
    runs: list[Run] = []
    text: list[str] = []
    _walk(element, (), styles, runs, text, own["white_space"] in WRAPPING[:1], measure, cap)
    flat = "".join(text)
    if flat.endswith(" "):
        flat = flat[:-1]
        for run in runs:
            run.end = min(run.end, len(flat))
            run.start = min(run.start, run.end)
    if not flat.strip():
        raise UnsupportedError("no text")
    width = styles.measure(element)
    indent = styles.indent(element, width)
    base = styles.text_style(own)
    if cap is not None:
        if styles(element, "first-letter") is not None:
            raise UnsupportedError("a ::first-letter beside a floated drop cap")
        lead = 0, styles.float_cap(element, cap, width, measure)
    else:
        lead = _first_letter(flat, runs, element, styles, width, measure)
    widths = _widths(width, indent, lead[1])
    paragraph = Paragraph(
        element,
        flat,
        runs,
        widths,
        own["text_align_all"] == "justify",
        own["hyphenate_character"],
        measure.width(" ", base),
        lead[0],
        lead[1].lines if lead[1] else 0,
        cap,
    )
    paragraph.index()
    return paragraph


def _opening_float(element, styles: Styles):
    """The element floated at the very start of the paragraph, before any text: the
    drop cap as the makeup makes it (a span, since WeasyPrint fails on a floated
    ::first-letter laid out twice).  It stands beside the lines, not in them."""
    if SPACE_RUN.sub("", element.text or "") or not len(element) or not isinstance(element[0].tag, str):
        return None
    return element[0] if styles(element[0])["float"] not in ("none", "footnote") else None


def _generates(style) -> bool:
    # ``content: none`` computes to "inhibit" on a pseudo-element
    return style is not None and style["content"] not in ("normal", "none", "inhibit")


def _walk(element, path, styles, runs, text, wrap, measure, cap=None) -> None:
    def emit(chunk: str, style, where, wrapping: bool, hyphens) -> None:
        chunk = SPACE_RUN.sub(" ", chunk)
        at = sum(map(len, text))
        if at == 0 or _ends_with_space(text):
            chunk = chunk.lstrip(" ")
        if chunk and not measure.covers(chunk, style):
            raise UnsupportedError("a character outside the theme's fonts")
        text.append(chunk)
        runs.append(
            Run(
                at,
                at + len(chunk),
                style,
                where,
                wrapping,
                hyphens=hyphens["hyphens"],
                limits=hyphens["hyphenate_limit_chars"],
            )
        )

    own = styles(element)
    style = styles.text_style(own)
    wrapping = wrap and own["white_space"] == "normal"
    emit(element.text or "", style, path, wrapping, own)
    for child in element:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            emit(child.tail or "", style, path, wrapping, own)
            continue
        inner = styles(child)
        if child is cap:
            pass  # beside the lines (see read)
        elif inner["float"] == "footnote":
            # WeasyPrint sets a footnote at the foot of the page that holds the line
            # of its call: the note goes with the text before it (the makeup puts
            # it right after the call), whole, and leaves nothing in the line but
            # its ::footnote-call, which the theme turns off (the call is a link).
            if _generates(styles(child, "footnote-call")):
                raise UnsupportedError("a generated note call")
            at = sum(map(len, text))
            restyle = f"white-space: {inner['white_space']}"
            runs.append(Run(at, at, None, path, False, closing=True, element=child, restyle=restyle))
        elif _is_mark(child, inner):
            at = sum(map(len, text))
            runs.append(Run(at, at, None, path, False, _mark_width(inner), closing=True, element=child))
        else:
            _walk_inline(child, inner, path, styles, runs, text, wrapping, measure)
        emit(child.tail or "", style, path, wrapping, own)


def _walk_inline(child, inner, path, styles, runs, text, wrapping, measure) -> None:
    if child.tag in ATOMIC or inner["display"] != INLINE or inner["float"] != "none":
        raise UnsupportedError(f"<{child.tag}> in the text")
    if inner["position"] not in ("static", "relative") or inner["direction"] != "ltr":
        raise UnsupportedError("positioned or right-to-left inline")
    if inner["unicode_bidi"] != "normal" or inner["white_space"] not in WRAPPING:
        raise UnsupportedError("bidi or white-space")
    if any(_generates(styles(child, pseudo)) for pseudo in ("before", "after")):
        raise UnsupportedError("generated text")
    before, after = _decoration(inner)
    decorated = bool(before or after)
    if before:
        at = sum(map(len, text))
        runs.append(Run(at, at, None, path + (child,), False, before))
    _walk(child, path + (child,), styles, runs, text, wrapping and not decorated, measure)
    if after:
        at = sum(map(len, text))
        runs.append(Run(at, at, None, path + (child,), False, after, closing=True))


def _is_mark(element, style) -> bool:
    """An empty inline block of a set width (the makeup's end mark): one box, glued
    to the word before it."""
    return (
        style["display"] == ("inline", "flow-root")
        and not len(element)
        and not SPACE_RUN.sub("", element.text or "")
        and getattr(style["width"], "unit", None) == "px"
        and style["box_sizing"] == "content-box"
        and style["float"] == "none"
        and style["position"] in ("static", "relative")
    )


def _mark_width(style) -> float:
    before, after = _decoration(style)
    return length(style["width"], 0.0) + before + after


def _ends_with_space(text: list[str]) -> bool:
    for chunk in reversed(text):
        if chunk:
            return chunk.endswith(" ")
    return True


def _decoration(style) -> tuple[float, float]:
    sides = []
    for side in ("left", "right"):
        sides.append(
            length(style[f"margin_{side}"], 0.0, auto=0.0)
            + length(style[f"padding_{side}"], 0.0)
            + style[f"border_{side}_width"]
        )
    return sides[0], sides[1]


def _first_letter(flat, runs, element, styles, width, measure) -> tuple[int, DropCap | None]:
    """The floated first letter (WeasyPrint's own rule for what it holds) is taken
    out of the first run: it stands beside the lines, not in them."""
    from weasyprint.formatting_structure.text import get_first_letter

    if styles(element, "first-letter") is None:
        return 0, None
    first = next((r for r in runs if r.end > r.start), None)
    if first is None or first.start != 0:
        return 0, None
    letter = get_first_letter(flat[first.start : first.end])
    cap = styles.drop_cap(element, width, letter, first.path[-1] if first.path else element, measure)
    if cap is None:
        return 0, None
    index = runs.index(first)
    runs[index : index + 1] = [
        Run(0, len(letter), None, first.path, False, 0.0),
        Run(len(letter), first.end, first.style, first.path, first.wrap, hyphens=first.hyphens, limits=first.limits),
    ]
    return len(letter), cap


def _widths(width: float, indent: float, cap: DropCap | None) -> tuple[float, ...]:
    lines = max(1, cap.lines if cap else 0) + 1
    widths = [width - (cap.width if cap and i < cap.lines else 0.0) for i in range(lines)]
    widths[0] -= indent
    return tuple(widths)


# --- where lines may end ----------------------------------------------------------


def problem(par: Paragraph, measure: Measure, rules: Rules, display: bool = False, hyphenate: bool = True) -> Problem:
    """The breaks a line of ``par`` may end at, with their widths and costs.

    Justified text may also break after a hyphen or a dash inside a word and, in
    the second pass, at the dictionary's hyphenation points; display type breaks
    between words only, and never after a one-letter word or an opening quote."""
    text = par.text
    words = _words(par)
    total = 0.0
    starts, word_widths = [], []
    for j, (s, e) in enumerate(words):
        starts.append(total)
        word_widths.append(_width(par, measure, s, e))
        total += word_widths[-1]
        if j + 1 < len(words):
            total += _width(par, measure, e, words[j + 1][0])
    found = [Break(par.lead, par.lead, 0.0, 0.0)]
    for j, (s, e) in enumerate(words[:-1]):
        here, width, word_width = starts[j], starts[j + 1] - starts[j], word_widths[j]
        found += _inside(par, measure, rules, s, e, here, word_width, display or not hyphenate)
        nxt = words[j + 1][0]
        if j == len(words) - 2 or text[nxt] in DASHES:
            continue  # the last line holds two words at least; no line starts with a dash
        if display and (len(text[s:e]) == 1 and text[s].isalpha() or text[e - 1] in OPENING):
            continue
        found.append(Break(e, nxt, here + word_width, here + width, gap=width - word_width))
    found.append(Break(len(text), len(text), total, total))
    spaces = [0, *accumulate(map(" \u00a0".__contains__, text))]
    return Problem(tuple(found), tuple(spaces), par.widths, rules.stretch * par.space, par.beside, int(par.cap is None))


def _words(par: Paragraph) -> list[tuple[int, int]]:
    """Spans of text between the spaces a line may break at."""
    words, start = [], par.lead
    for space in re.finditer(" ", par.text, par.lead):
        i = space.start()
        if par.runs[par.run_at[i]].wrap:
            words.append((start, i))
            start = i + 1
    words.append((start, len(par.text)))
    return [w for w in words if w[1] > w[0]] or [(par.lead, len(par.text))]


def _width(par: Paragraph, measure: Measure, s: int, e: int, hyphen: str = "") -> float:
    """The width of text[s:e] as WeasyPrint sets it: one shaping per run (a text
    box each), with the margins, borders and padding of elements inside."""
    width = par.extra[e] - par.extra[s]
    first, last = par.run_at[s], par.run_at[e - 1]
    if first == last:  # most words: one run
        style = par.runs[first].style
        return width + measure.width(par.text[s:e] + hyphen, style) if style is not None else width
    for index in range(first, last + 1):
        run = par.runs[index]
        if run.style is not None and run.end > run.start:
            a, b = max(s, run.start), min(e, run.end)
            width += measure.width(par.text[a:b] + (hyphen if b == e else ""), run.style)
    return width


def _inside(par, measure, rules, s, e, here, word_width, plain=False) -> list[Break]:
    """Breaks inside the word text[s:e]: after a dash, after a hyphen it already
    has and at hyphenation points; ``plain`` (display type, or a first try
    without hyphenation) takes the dashes only."""
    text, found = par.text, []
    joints = [m.end() for m in _JOINT.finditer(text, s, e - 1)]  # most words have none
    for p in joints:
        before, after = text[p - 1], text[p]
        run_before, run_after = par.runs[par.run_at[p - 1]], par.runs[par.run_at[p]]
        if not (run_before.wrap and run_after.wrap):
            continue
        if before in HYPHENS and p - 2 >= s and text[p - 2].isalpha() and after.isalpha() and not plain:
            cost, flagged = rules.hyphen_penalty, True
        elif before in DASHES and p - 1 > s and (after.isalnum() or after in OPENING):
            cost, flagged = rules.dash_penalty, False
        else:
            continue
        end = here + _width(par, measure, s, p)
        start = here + word_width - _width(par, measure, p, e)
        found.append(Break(p, p, end, start, cost, flagged))
    run = par.runs[par.run_at[s]]
    if plain or not par.justified or run.hyphens != "auto" or run.end < e or run.style is None:
        return found
    for k in hyphenate.points(text[s:e], run.style.lang, run.limits):
        p = s + k
        end = here + _width(par, measure, s, p, par.hyphen)
        start = here + word_width - _width(par, measure, p, e)
        found.append(Break(p, p, end, start, rules.hyphen_penalty, True, hyphenation=True))
    found.sort(key=lambda b: b.end)
    return found
