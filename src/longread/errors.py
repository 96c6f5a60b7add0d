"""The one exception type for problems a user can fix in their input, and the
one way a user's value is shown in a message."""

from __future__ import annotations

import os
import re
from pathlib import Path

# C0 and C1 controls, DEL, and the bidirectional overrides that can make a line
# read differently from what it holds.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def shown(value: object) -> str:
    """Text fit for a terminal: control characters (an escape sequence that would
    move the cursor or retitle the window) and undecodable file-name bytes are
    written as escapes, so a message is always one plain line."""
    text = os.fsdecode(value) if isinstance(value, (Path, bytes)) else str(value)
    if any("\udc80" <= c <= "\udcff" for c in text):  # bytes a file name held that are not UTF-8
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def quoted(value: object, limit: int = 60) -> str:
    """A value quoted in a message, cut short: one line stays one line."""
    text = shown(repr(value))  # repr already escapes controls; shown() catches the rest
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ManuscriptError(Exception):
    """A problem with a manuscript, an image or a theme, told in one line.

    Library code raises it; only the command line turns it into a message and an
    exit status.
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
