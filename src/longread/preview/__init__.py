"""Preview while editing: a local web page that shows a manuscript as the e-book
renders it (at phone and tablet widths, light and dark) beside its print pages,
with the build's warnings and errors placed on their manuscript lines, rebuilt
by a warm process whenever the manuscript, its images or the theme change.

    builder.py   the library's route, loaded once, in two stages (e-book view, print pages)
    watch.py     what changed since the last build (polled, compared by content)
    session.py   the builder's thread, the state it publishes, the server: :class:`Preview`
    server.py    the local web server (127.0.0.1 only) and what it may serve
    findings.py  warnings and errors placed on their manuscript lines
    static/      the page itself: HTML, CSS and a small script, no library
"""

from __future__ import annotations

from .session import Preview

__all__ = ["Preview"]
