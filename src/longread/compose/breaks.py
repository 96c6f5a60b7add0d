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

from dataclasses import dataclass

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
    # so for them that space must fit too, from line ``beside_from`` on: a float
    # the first line itself places (a ::first-letter) is not in that test there,
    # one that stands before it in the paragraph (the makeup's drop cap) is.
    beside: int = 0
    beside_from: int = 1

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


def total_fit(problem: Problem, rules: Rules = Rules(), passes: range | None = None) -> list[int] | None:
    """The indices of the breaks ending each line, or None when no pass finds a set
    of lines that fit (a word wider than the measure).  ``passes`` chooses which of
    the rules' passes to try (all by default; the first does not hyphenate)."""
    for number in passes or range(len(rules.tolerances)):
        found = _pass(problem, rules, rules.tolerances[number], hyphenate=number > 0)
        if found is not None:
            return found
    return None


def _pass(problem: Problem, rules: Rules, tolerance: float, hyphenate: bool) -> list[int] | None:
    # The inner loop runs for every pair of (break, active node): its data are
    # plain lists and locals, the breaks' fields read once.
    breaks = problem.breaks
    ends, starts, gaps, flagged, penalties, spaces_at_end, spaces_at_start = _columns(problem)
    widths, settled, beside = problem.widths, len(problem.widths) - 1, problem.beside
    beside_from = problem.beside_from
    stretch = problem.stretch
    line_penalty, ladder_limit = rules.line_penalty, rules.longest_ladder
    last = len(breaks) - 1
    # An active node: (break, line, fitness, ladder) -> (demerits, node it came from, width, measure)
    active: dict[tuple, tuple] = {(0, 0, 1, 0): (0.0, None, 0.0, 0.0)}
    for b in range(1, len(breaks)):
        if breaks[b].hyphenation and not hyphenate:
            continue
        end, here_flagged, at_end = ends[b], flagged[b], b == last
        found: dict[tuple, tuple] = {}
        for key in list(active):
            a, line, fitness, ladder = key
            demerits_so_far, previous, previous_width, previous_measure = active[key]
            measure = widths[line if line < settled else settled]
            width = end - starts[a]
            if beside_from <= line < beside and not at_end:
                width += gaps[b]
            if width > measure - SLACK:
                if not here_flagged and width > measure:
                    del active[key]  # every later break is wider still
                continue
            if previous is not None and previous_width + gaps[a] + width <= previous_measure:
                continue  # the PDF would set this line on the one before: not reproducible
            if at_end:
                badness, new_fitness = 0.0, 1
            else:
                spaces = spaces_at_end[b] - spaces_at_start[a]
                if not spaces:
                    badness, new_fitness = INFINITELY_BAD, 3
                else:
                    ratio = (measure - width) / (spaces * stretch)
                    badness = min(100 * ratio**3, INFINITELY_BAD)
                    new_fitness = 1 if ratio < 0.5 else 2 if ratio < 1 else 3
            if badness > tolerance:
                continue
            new_ladder = ladder + 1 if here_flagged else 0
            if new_ladder > ladder_limit:
                continue
            demerits = (line_penalty + badness) ** 2 + penalties[b]
            if here_flagged and flagged[a]:
                demerits += rules.double_hyphen_demerits
            if at_end:
                if flagged[a]:
                    demerits += rules.final_hyphen_demerits
                if width < rules.short_last_line * measure:
                    demerits += rules.short_last_demerits
            if abs(new_fitness - fitness) > 1:
                demerits += rules.adjacent_demerits
            total = demerits_so_far + demerits
            new_key = (b, min(line + 1, settled + 1), new_fitness, new_ladder)
            if new_key not in found or total < found[new_key][0]:
                found[new_key] = (total, key, width, measure, active[key])
        for new_key, (total, key, width, measure, node) in found.items():
            active[new_key] = (total, (key, node), width, measure)
        if not active:
            return None
    return _best_path(active, last)


def _columns(problem: Problem) -> tuple[list, ...]:
    breaks = problem.breaks
    return (
        [x.end_width for x in breaks],
        [x.start_width for x in breaks],
        [x.gap for x in breaks],
        [x.flagged for x in breaks],
        [x.penalty**2 for x in breaks],
        [problem.spaces[x.end] for x in breaks],
        [problem.spaces[x.start] for x in breaks],
    )


def _best_path(active: dict[tuple, tuple], last: int) -> list[int] | None:
    """The breaks of the least demerits that end the paragraph, first to last."""
    finals = [(value[0], key) for key, value in active.items() if key[0] == last]
    if not finals:
        return None
    _, key = min(finals)
    node = active[key]
    chosen = []
    while node[1] is not None:
        chosen.append(key[0])
        key, node = node[1]
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
    widest = max(problem.widths)
    for a in range(last):
        if not best[a]:
            continue
        for b in range(a + 1, last + 1):
            width = breaks[b].end_width - breaks[a].start_width
            if width > widest:
                break  # every later break is wider still
            for lines, (cost, _) in best[a].items():
                measure = problem.width(lines)
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
