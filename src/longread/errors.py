"""The one exception type for problems a user can fix in their input."""

from __future__ import annotations

from pathlib import Path


def quoted(value: object, limit: int = 60) -> str:
    """A value quoted in a message, cut short: one line stays one line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ManuscriptError(Exception):
    """A problem with a manuscript, an image or a theme, told in one line.

    Library code raises it; only the command line turns it into a message and an
    exit status.
    """

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.reason}"
