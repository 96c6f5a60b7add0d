"""Findings: what reading, checking or laying out a source found, as data.

Every finding has a stable code (``fm-001``, ``img-003`` …, listed in :data:`CODES`
and in the README), a severity, the file and, where one exists, the line and
column it is about, a plain sentence and the fix.  Shown on one line it reads::

    story.md:3:1: warning fm-001: unknown front matter key 'foto' ignored (did you mean 'photo'?)

``longread check`` prints that line; a build prints the same finding after
``warning:`` or ``error:`` (see :meth:`Finding.__str__`), so the two agree.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ManuscriptError, quoted, shown

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Code:
    """One kind of finding: its code, usual severity and what it is about."""

    code: str
    severity: str
    summary: str


#: Every code a finding may carry, in the order the README lists them.  A code
#: never changes its meaning; a retired one is not reused.
CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("yaml-001", ERROR, "the YAML cannot be read (the message says where and why)"),
        Code("yaml-002", ERROR, "a colon inside an unquoted value"),
        Code("yaml-003", ERROR, "a tab where YAML expects spaces"),
        Code("yaml-004", ERROR, "a bracket, brace or quote never closed"),
        Code("yaml-005", ERROR, "a value that starts with a character YAML reserves (* & ! @ ` % [ { \" ')"),
        Code("yaml-006", ERROR, "a line indented more or less than its neighbours"),
        Code("yaml-007", WARNING, "an unquoted value cut short by a # that YAML reads as a comment (#1, #MeToo)"),
        Code("fm-001", WARNING, "unknown front matter key, with the nearest known key"),
        Code("fm-002", ERROR, "a required key is missing (title; photo src and alt)"),
        Code("fm-003", ERROR, "a date that is not YYYY-MM-DD or does not exist, with the reason"),
        Code("fm-004", ERROR, "no front matter, or front matter not closed or not 'key: value' lines"),
        Code(
            "fm-005",
            ERROR,
            "a value longread cannot use: of the wrong kind or length, not a BCP 47 language, not a web address",
        ),
        Code("fm-006", WARNING, "a key given twice (the last one wins)"),
        Code("img-001", ERROR, "an image without alt text"),
        Code("img-002", ERROR, "an image named with other capitals than the file has (lead.JPG for lead.jpg)"),
        Code("img-003", WARNING, "an image with too few pixels for print (under 300 ppi; check --pages)"),
        Code("img-004", WARNING, "the stand-in photo is still in place"),
        Code("img-005", WARNING, "the photo's alt text repeats its caption"),
        Code("img-006", ERROR, "an image that cannot be used (missing, outside the folder, unreadable)"),
        Code("note-001", WARNING, "a note reference without a note: a literal [^3] left in the text"),
        Code("note-002", WARNING, "a note never referenced"),
        Code("text-001", WARNING, "characters the theme's fonts lack"),
        Code("text-002", WARNING, "straight quotes left in raw HTML attributes (title, alt)"),
        Code("text-003", WARNING, "control characters removed from the text"),
        Code("html-001", WARNING, "a link removed (only web, mailto and in-article links are kept)"),
        Code("html-002", WARNING, "markup removed with its content (MathML, inline SVG)"),
        Code("html-003", WARNING, "a subhead with no text removed"),
        Code("pdf-001", WARNING, "a problem the print layout reports (check --pages)"),
        Code("pdf-002", WARNING, "notes the print pages could not set at their calls, set at the article's end"),
        Code("col-001", WARNING, "unknown collection key, with the nearest known key"),
        Code("cfg-001", WARNING, "unknown key in longread.yaml, with the nearest known key"),
        Code("cfg-002", ERROR, "a longread.yaml value longread cannot use"),
        Code("gen-001", ERROR, "any other problem that stops the build (the message says which)"),
    )
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # ERROR or WARNING
    path: Path
    line: int | None
    column: int | None
    message: str
    fix: str = ""

    @property
    def where(self) -> str:
        text = shown(self.path)
        if self.line:
            text += f":{self.line}" + (f":{self.column}" if self.column else "")
        return text

    @property
    def text(self) -> str:
        """The code, the sentence and the fix, without the place."""
        return f"{self.code}: {self.message}" + (f" ({self.fix})" if self.fix else "")

    def __str__(self) -> str:
        """As a build prints it after ``warning:`` or ``error:``."""
        return f"{self.where}: {shown(self.text)}"

    def line_form(self) -> str:
        """As ``longread check`` prints it: ``file:line:col: severity code: message (fix)``."""
        return f"{self.where}: {self.severity} {shown(self.text)}"

    def as_dict(self) -> dict:
        return {
            "path": shown(self.path),
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": shown(self.message),
            "fix": shown(self.fix),
        }


def finding(
    code: str, path: Path, message: str, fix: str = "", at: tuple[int | None, int | None] | None = None, severity=""
) -> Finding:
    line, column = at or (None, None)
    return Finding(code, severity or CODES[code].severity, Path(path), line, column, message, fix)


class FindingError(ManuscriptError):
    """A source that cannot be built, with every finding its reading made on the
    way (the first error is the message; ``check`` lists them all)."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings = tuple(findings)
        first = next(f for f in self.findings if f.severity == ERROR)
        super().__init__(first.path, first.text, first.line, first.column)


def error(code: str, path: Path, message: str, fix: str = "", at=None) -> FindingError:
    """One finding as an exception to raise."""
    return FindingError([finding(code, path, message, fix, at, ERROR)])


@dataclass
class Report:
    """The findings of one source as its reading meets them.  An error that leaves
    the rest readable is recorded and reading goes on (so a check lists every
    mistake at once); :meth:`check` then raises them together."""

    path: Path
    found: list[Finding] = field(default_factory=list)

    def add(self, code: str, message: str, fix: str = "", at=None, severity: str = "", path=None) -> Finding:
        item = finding(code, path or self.path, message, fix, at, severity)
        if item not in self.found:  # the same mistake met twice (an image checked as written, then used)
            self.found.append(item)
        return item

    def extend(self, items: Iterable[Finding]) -> None:
        self.found += items

    @contextlib.contextmanager
    def going_on(self, code: str = "gen-001", at=None) -> Iterator[None]:
        """Record a :class:`ManuscriptError` raised inside as an error finding and go on."""
        try:
            yield
        except FindingError as e:
            self.found += [f for f in e.findings if f not in self.found]
        except ManuscriptError as e:
            here = (e.line, e.column) if e.line else at
            self.add(code, e.reason, at=here, severity=ERROR, path=e.path)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.found if f.severity == ERROR]

    def check(self) -> None:
        if self.errors:
            raise FindingError(self.found)


def from_error(error: ManuscriptError) -> list[Finding]:
    """The findings an error stands for: its own, or one ``gen-001``."""
    if isinstance(error, FindingError):
        return list(error.findings)
    at = (error.line, error.column) if error.line else None
    return [finding("gen-001", error.path, error.reason, at=at, severity=ERROR)]


# --- did you mean -----------------------------------------------------------------

#: Words editors use for longread's keys (the README's own "dek" and "byline").
SYNONYMS = {
    "dek": "subtitle",
    "deck": "subtitle",
    "standfirst": "subtitle",
    "strapline": "subtitle",
    "subhead": "subtitle",
    "byline": "author",
    "authors": "author",
    "writer": "author",
    "by": "author",
    "headline": "title",
    "hed": "title",
    "heading": "title",
    "image": "photo",
    "picture": "photo",
    "lead": "photo",
    "hero": "photo",
    "cover": "photo",
    "language": "lang",
    "locale": "lang",
    "url": "source",
    "link": "source",
    "canonical": "source",
    "copyright": "rights",
    "license": "rights",
    "licence": "rights",
    "section": "kicker",
    "rubric": "kicker",
    "category": "kicker",
    "published": "date",
    "pubdate": "date",
    "publication": "publisher",
    "magazine": "publisher",
    "running_head": "short_title",
    "short": "short_title",
    # The photo's own keys.
    "description": "alt",
    "alt_text": "alt",
    "file": "src",
    "path": "src",
    "legend": "caption",
    "photographer": "credit",
    "courtesy": "credit",
    # longread.yaml and collections.
    "output_dir": "output",
    "out": "output",
    "papers": "paper",
    "style": "theme",
    "source_url": "source",
    "parts": "articles",
    "chapters": "articles",
}


def nearest(key: str, known: Iterable[str]) -> str | None:
    """The known key an unknown one most likely meant: a synonym editors use, the
    same key in other capitals or with dashes, else the closest spelling."""
    known = sorted(known)
    low = key.strip().lower()
    for candidate in (low, low.replace("-", "_").replace(" ", "_")):
        if candidate in known:
            return candidate
        if SYNONYMS.get(candidate) in known:
            return SYNONYMS[candidate]
    close = difflib.get_close_matches(low, known, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_keys(
    report: Report, code: str, keys: Iterable[object], known: Iterable[str], where, message: str, prefix: str = ""
) -> None:
    """One finding per key not in ``known``, naming the nearest known key.
    ``where(key)`` gives a key's (line, column); ``message`` has a ``{key}``."""
    known = set(known)
    for key in sorted(map(str, set(map(str, keys)) - known)):
        guess = nearest(key, known)
        fix = f"did you mean {quoted(prefix + guess)}?" if guess else f"the keys are: {', '.join(sorted(known))}"
        report.add(code, message.format(key=quoted(prefix + key)), fix, where(key))


# --- places in a text -------------------------------------------------------------


@dataclass(frozen=True)
class Lines:
    """A source file's text, to find where something it holds is written."""

    text: str
    #: Search from here on (1-based): the body starts after the front matter.
    first: int = 1

    def find(self, needle: str, after: tuple[int, int] | None = None) -> tuple[int, int] | None:
        """(line, column), 1-based, of the first ``needle`` from the first line on
        (or after a place already found)."""
        if not needle:
            return None
        lines = self.text.split("\n")
        start_line, start_col = after or (self.first, 0)
        for number in range(max(1, start_line), len(lines) + 1):
            column = lines[number - 1].find(needle, start_col if number == start_line else 0)
            if column >= 0:
                return number, column + 1
        return None

    def find_pattern(self, pattern: str | re.Pattern) -> tuple[int, int] | None:
        rx = re.compile(pattern)
        for number, line in enumerate(self.text.split("\n")[self.first - 1 :], self.first):
            m = rx.search(line)
            if m:
                return number, m.start() + 1
        return None
