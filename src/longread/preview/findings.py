"""Warnings and errors as the preview lists them: each placed on the manuscript
line it is about, so the page can show that line.

The build's findings (:mod:`longread.findings`) carry their file and line.  Only
an error without a line (an image that cannot be read) or a message without a
place is located from what it quotes: a front matter key, an image's file name,
a link, a character.  A message that quotes nothing findable points at its file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ManuscriptError, shown
from ..findings import Finding as BuildFinding
from .state import Finding


@dataclass(frozen=True)
class SourceText:
    """A text file of the source as the build read it."""

    path: Path
    text: str

    @property
    def name(self) -> str:
        """The file as the page names it: relative to the working folder when inside it."""
        rel = os.path.relpath(self.path)
        return shown(self.path if rel.startswith("..") else rel)

    @property
    def variants(self) -> tuple[str, ...]:
        """How messages may name it: as given, relative, absolute, resolved."""
        names = [self.name, shown(self.path), shown(os.path.abspath(self.path)), shown(self.path.resolve())]
        return tuple(dict.fromkeys(names))


def _key(name: str) -> str:
    return rf"^\s*{re.escape(name)}\s*:"


# (pattern in the message, what to look for in the manuscript), most specific first.
LOCATORS: tuple[tuple[str, object], ...] = (
    (r"unknown front matter key '(.+?)'", lambda m: rf"^{re.escape(m[1])}\s*:"),
    (r"unknown key 'photo\.(.+?)'", lambda m: _key(m[1])),
    (r"photo 'alt' repeats the caption", lambda m: _key("alt")),
    (r"front matter '(?:[\w]+\.)?([\w]+)'", lambda m: _key(m[1])),
    (r"link to '(.+?)' removed", lambda m: re.escape(m[1])),
    (r"([^\s/'\"]+\.(?:jpe?g|png|gif|webp|tiff?))\b", lambda m: re.escape(m[1])),
    (r"cannot show (\S)", lambda m: re.escape(m[1])),
    (r"'([^']{2,})'", lambda m: re.escape(m[1])),
)


def locate(message: str, text: str) -> int | None:
    """The first line of ``text`` that the message is about, 1-based."""
    lines = text.splitlines()
    for pattern, needle in LOCATORS:
        m = re.search(pattern, message)
        if not m:
            continue
        wanted = re.compile(needle(m), re.IGNORECASE)
        for number, line in enumerate(lines, 1):
            if wanted.search(line):
                return number
    return None


def which(message: str, sources: list[SourceText]) -> tuple[int | None, str]:
    """The source a message names (its index) and the message's text after the name."""
    named = sorted(((v, i) for i, s in enumerate(sources) for v in s.variants), key=lambda vi: -len(vi[0]))
    for variant, index in named:
        if message.startswith(variant + ":"):
            return index, message[len(variant) + 1 :]
    return None, message


def from_warning(message: str, sources: list[SourceText]) -> Finding:
    index, rest = which(message, sources)
    if index is None:
        return Finding("warning", message, text=message)
    source = sources[index]
    return Finding("warning", message, source.name, locate(rest, source.text), index, rest.strip())


def source_of(path: Path, sources: list[SourceText]) -> int | None:
    target = os.path.abspath(path)
    return next((i for i, s in enumerate(sources) if os.path.abspath(s.path) == target), None)


def from_finding(found: BuildFinding, sources: list[SourceText]) -> Finding:
    """A build finding, at its own line (located from its words only when it has none)."""
    index = source_of(found.path, sources)
    line = found.line
    if index is not None and line is None:
        line = locate(found.message, sources[index].text)
    name = sources[index].name if index is not None else shown(found.path)
    return Finding(found.severity, str(found), name, line, index, shown(found.text))


def from_error(error: ManuscriptError, sources: list[SourceText]) -> Finding:
    target = os.path.abspath(error.path)
    index = next((i for i, s in enumerate(sources) if os.path.abspath(s.path) == target), None)
    line = error.line
    if index is not None and line is None:
        line = locate(error.reason, sources[index].text)
    name = sources[index].name if index is not None else shown(error.path)
    return Finding("error", str(error), name, line, index, shown(error.reason))
