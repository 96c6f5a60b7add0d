"""The one exception type for problems a user can fix in their input, and the
one way a user's value is shown in a message."""

from __future__ import annotations

import os
import re
from pathlib import Path

# What must never reach a terminal as itself: C0 and C1 controls (an escape sequence
# can move the cursor, erase lines or retitle the window), the invisible characters
# that reorder or hide text (bidi controls, zero-width marks), line separators, and
# the lone surrogates that stand for undecodable bytes in a file name.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    c = match.group()
    code = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control and invisible character written as an escape
    (``\\x1b``, ``\\u202e``): what a message shows is what the file holds, and a
    terminal never acts on it."""
    return _UNSAFE.sub(_escape, text)


def shown(value: object) -> str:
    """Any value (text, a path, file-name bytes) as one plain line for a terminal."""
    return printable(os.fsdecode(value) if isinstance(value, (Path, bytes)) else str(value))


def quoted(value: object, limit: int = 60) -> str:
    """A value quoted in a message, escaped and cut short: one line stays one line."""
    text = printable(repr(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ManuscriptError(Exception):
    """A problem with a manuscript, an image or a theme, told in one line.

    Library code raises it; only the command line turns it into a message and an
    exit status.  Its text is always safe to print (see :func:`printable`).
    """

    def __init__(self, path: Path | str, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = shown(self.path)
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {shown(self.reason)}"


class UsageError(ManuscriptError):
    """The request itself is wrong (a paper the theme does not have, an unknown
    format): the command line exits with its usage status."""
