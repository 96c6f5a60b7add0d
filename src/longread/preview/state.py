"""What the preview shows, as immutable snapshots: the builder makes a new
:class:`State` after each stage and the server hands the latest one to every
page, so a request never sees half a build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """A warning or an error, with the manuscript line it is about when known."""

    severity: str  # "error" or "warning"
    message: str  # the one line the command would print
    file: str = ""  # the file it names, as shown to the user
    line: int | None = None
    #: Index into :attr:`State.sources` of the file the line is in.
    source: int | None = None
    #: The message without the file and line it starts with.
    text: str = ""

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("severity", "message", "file", "line", "source", "text")}


@dataclass(frozen=True)
class EbookView:
    """The article as the e-book renders it: one HTML document and its images."""

    generation: int
    document: bytes
    images: Mapping[str, bytes]
    #: Changes whenever a theme file changes (the view's stylesheet links carry it).
    theme_version: str
    seconds: float
    #: The builder thread's processor time: what the stage costs on an idle machine.
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class PrintView:
    """The print edition's pages as JPEG images, for one paper."""

    generation: int
    pages: tuple[bytes, ...]
    paper: str
    width: int
    height: int
    seconds: float
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class State:
    version: int = 0
    ebook: EbookView | None = None
    printed: PrintView | None = None
    #: The current build's error (the views stay those of the last good build).
    error: Finding | None = None
    findings: tuple[Finding, ...] = ()
    #: What is being made now: "", "ebook" or "print".
    busy: str = ""
    #: The text files of the source as the current build read them: (name, text).
    sources: tuple[tuple[str, str], ...] = field(default=())
    source_name: str = ""
    #: Differs between two runs of the preview: a page left open across a restart
    #: starts afresh (generations count from 1 again).
    session: str = ""

    def as_dict(self) -> dict:
        """The state for the page (no file contents)."""
        e, p = self.ebook, self.printed
        return {
            "version": self.version,
            "session": self.session,
            "busy": self.busy,
            "source": self.source_name,
            "ebook": e
            and {
                "generation": e.generation,
                "theme": e.theme_version,
                "seconds": round(e.seconds, 3),
                "cpu_seconds": round(e.cpu_seconds, 3),
            },
            "print": p
            and {
                "generation": p.generation,
                "pages": len(p.pages),
                "paper": p.paper,
                "width": p.width,
                "height": p.height,
                "seconds": round(p.seconds, 3),
                "cpu_seconds": round(p.cpu_seconds, 3),
            },
            "error": self.error and self.error.as_dict(),
            "findings": [f.as_dict() for f in self.findings],
            "sources": [name for name, _ in self.sources],
        }
