"""A theme's stylesheets obey the rule manuscripts do: nothing from elsewhere.

A stylesheet travels into the EPUB as it is, where a reading system would fetch
a remote ``url()``; WeasyPrint refuses it only for the PDF.  So every URL in a
theme's stylesheets must name a file inside the theme's folder, and ``@import``
(which would pull in a file neither output packages) is not allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import tinycss2

from .errors import ManuscriptError, quoted

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Functions that take a URL as a plain string rather than through url().
_URL_STRING_FUNCTIONS = {"image-set", "-webkit-image-set", "src"}


def check(path: Path, folder: Path) -> None:
    """Raise :class:`ManuscriptError` naming the stylesheet at the first URL that
    points outside ``folder`` (or at an ``@import``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManuscriptError(path, f"the stylesheet cannot be read ({e.__class__.__name__})") from None
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    for node, url in _urls(rules):
        line = getattr(node, "source_line", None)
        if url is None:
            raise ManuscriptError(path, "@import is not allowed in a theme (list each stylesheet in theme.yaml)", line)
        if not _inside(url, path.parent, folder):
            raise ManuscriptError(
                path, f"url({quoted(url)}) points outside the theme; a theme may only use its own files", line
            )


def _urls(nodes):
    """(node, url) for every URL among the parsed nodes, however deep (inside
    @media, blocks, functions); (node, None) for an @import."""
    for node in nodes or ():
        kind = getattr(node, "type", "")
        if kind == "url":
            yield node, node.value
        elif kind == "function":
            strings = [(a, a.value) for a in node.arguments if a.type == "string"]
            if node.lower_name == "url":
                yield node, strings[0][1] if strings else ""
            elif node.lower_name in _URL_STRING_FUNCTIONS:
                yield from strings
            yield from _urls(node.arguments)
        elif kind in {"() block", "[] block", "{} block"}:
            yield from _urls(node.content)
        elif kind in {"at-rule", "qualified-rule"}:
            if kind == "at-rule" and node.lower_at_keyword == "import":
                yield node, None
            yield from _urls(node.prelude)
            yield from _urls(node.content)


def _inside(url: str, base: Path, folder: Path) -> bool:
    url = url.strip()
    if not url or url.startswith("#"):
        return True
    if _SCHEME.match(url) or url.startswith(("/", "\\")):
        return False
    target = (base / unquote(url.split("#")[0].split("?")[0])).resolve()
    return target.is_relative_to(folder.resolve())
