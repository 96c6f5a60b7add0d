"""Choosing a paragraph's line breaks all at once.

:func:`total_fit` is Knuth and Plass's minimum-demerits method (as in TeX and
Typst) for justified text; :func:`balance` sets ragged display type in lines of
even length.  Both work on a :class:`Problem`: the places a line may end, with
their widths measured from the start of the paragraph, and the width of each line.
Nothing here knows about documents or fonts.

Justification in the PDF only ever widens word spaces (WeasyPrint never narrows
them below the font's space), so a line is feasible when its natural width fits
the measure; its badness grows with the cube of how far its spaces must stretch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INFINITELY_BAD = 10_000
# Width a line may lack before the breaker counts it full: guards the composition
# against rounding between HarfBuzz here and Pango in the PDF.
SLACK = 0.05


@dataclass(frozen=True)
class Break:
    """A place a line may end.  Widths are measured from the paragraph's start,
    so a line from break ``a`` to break ``b`` is ``b.end_width - a.start_width`` wide."""

    end: int  # the line's text ends here (a position in the paragraph's text)
    start: int  # and the next line's text starts here
    end_width: float
    start_width: float
    penalty: float = 0.0
    flagged: bool = False  # the line ends with a hyphen
    hyphenation: bool = False  # the hyphen is one the composer adds (second pass only)
    gap: float = 0.0  # the space between this line and the next if they were one


@dataclass(frozen=True)
class Problem:
    breaks: tuple[Break, ...]  # in text order; the first is the paragraph's start, the last its end
    spaces: tuple[int, ...]  # stretchable spaces before each text position (a prefix count)
    widths: tuple[float, ...]  # the first lines' widths; the last one repeats for every further line
    stretch: float  # how far one word space may stretch at a ratio of 1, in px
    # Lines up to this one stand beside a float.  WeasyPrint tests whether such a
    # line fits with the word space after it (the break comes after the space),
    # so for them that space must fit too (the first line places the float).
    beside: int = 0

    def width(self, line: int) -> float:
        return self.widths[min(line, len(self.widths) - 1)]


@dataclass(frozen=True)
class Rules:
    """The costs that make a good paragraph (TeX's names, values tuned for the
    long measure and the hyphen-shy style of a magazine)."""

    tolerances: tuple[float, ...] = (200, 400, INFINITELY_BAD)  # first pass unhyphenated, then hyphenated
    stretch: float = 1.0  # how far a word space stretches at a ratio of 1, as a share of its width
    line_penalty: float = 10
    hyphen_penalty: float = 1000
    dash_penalty: float = 50
    double_hyphen_demerits: float = 10_000
    final_hyphen_demerits: float = 20_000
    adjacent_demerits: float = 10_000  # a very loose line next to a decent one
    longest_ladder: int = 2
    short_last_line: float = 0.15  # of the measure
    short_last_demerits: float = 3_000


@dataclass
class _Node:
    index: int  # the break
    line: int  # lines set before it
    fitness: int
    ladder: int  # hyphenated lines in a row ending here
    demerits: float
    previous: _Node | None = field(default=None, repr=False)
    width: float = 0.0  # natural width of the line ending here
    measure: float = 0.0  # the width that line had


def total_fit(problem: Problem, rules: Rules = Rules()) -> list[int] | None:
    """The indices of the breaks ending each line, or None when no pass finds a set
    of lines that fit (a word wider than the measure)."""
    for number, tolerance in enumerate(rules.tolerances):
        found = _pass(problem, rules, tolerance, hyphenate=number > 0)
        if found is not None:
            return found
    return None


def _pass(problem: Problem, rules: Rules, tolerance: float, hyphenate: bool) -> list[int] | None:
    breaks = problem.breaks
    settled = len(problem.widths)  # lines after these all have the same width
    active: dict[tuple, _Node] = {(0, 0, 1, 0): _Node(0, 0, 1, 0, 0.0)}
    last = len(breaks) - 1
    for b in range(1, len(breaks)):
        here = breaks[b]
        if here.hyphenation and not hyphenate:
            continue
        found: dict[tuple, _Node] = {}
        for key, node in list(active.items()):
            start = breaks[node.index]
            measure = problem.width(node.line)
            width = here.end_width - start.start_width
            if 0 < node.line < problem.beside and b != last:
                width += here.gap
            if width > measure - SLACK:
                if not here.flagged and width - measure > 0:
                    del active[key]  # every later break is wider still
                continue
            if node.previous is not None and node.width + start.gap + width <= node.measure:
                continue  # the PDF would set this line on the one before: not reproducible
            if b == last:
                badness, fitness = 0.0, 1
            else:
                spaces = problem.spaces[here.end] - problem.spaces[start.start]
                ratio = (measure - width) / (spaces * problem.stretch) if spaces else float("inf")
                badness = min(100 * ratio**3, INFINITELY_BAD) if spaces else INFINITELY_BAD
                fitness = 1 if ratio < 0.5 else 2 if ratio < 1 else 3
            if badness > tolerance:
                continue
            ladder = node.ladder + 1 if here.flagged else 0
            if ladder > rules.longest_ladder:
                continue
            demerits = (rules.line_penalty + badness) ** 2 + here.penalty**2
            if here.flagged and start.flagged:
                demerits += rules.double_hyphen_demerits
            if b == last:
                if start.flagged:
                    demerits += rules.final_hyphen_demerits
                if width < rules.short_last_line * measure:
                    demerits += rules.short_last_demerits
            if abs(fitness - node.fitness) > 1:
                demerits += rules.adjacent_demerits
            total = node.demerits + demerits
            line = min(node.line + 1, settled)
            new_key = (b, line, fitness, ladder)
            if new_key not in found or total < found[new_key].demerits:
                found[new_key] = _Node(b, line, fitness, ladder, total, node, width, measure)
        active.update(found)
        if not active:
            return None
    ends = [n for n in active.values() if n.index == last]
    if not ends:
        return None
    node = min(ends, key=lambda n: n.demerits)
    chosen = []
    while node.previous is not None:
        chosen.append(node.index)
        node = node.previous
    return chosen[::-1]


def balance(problem: Problem) -> list[int] | None:
    """Ragged lines as even as they can be: as few lines as the text needs, their
    lengths as close to each other as the words allow (least squares of the space
    each leaves).  Breaks that are not allowed are simply not in the problem."""
    breaks = problem.breaks
    last = len(breaks) - 1
    # best[b] = {lines: (cost, previous)}: sets of lines ending at break b
    best: list[dict[int, tuple[float, int]]] = [{} for _ in breaks]
    best[0][0] = (0.0, -1)
    for b in range(1, len(breaks)):
        for a in range(b):
            for lines, (cost, _) in best[a].items():
                measure = problem.width(lines)
                width = breaks[b].end_width - breaks[a].start_width
                if width > measure - SLACK:
                    continue
                total = cost + (measure - width) ** 2
                if lines + 1 not in best[b] or total < best[b][lines + 1][0]:
                    best[b][lines + 1] = (total, a)
    if not best[last]:
        return None
    fewest = min(best[last])
    chosen, b, lines = [], last, fewest
    while b > 0:
        chosen.append(b)
        b, lines = best[b][lines][1], lines - 1
    return chosen[::-1]
