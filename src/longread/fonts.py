"""The theme's fonts: coverage checks and subsets for the EPUB.

The PDF writer subsets on its own (WeasyPrint embeds only the glyphs it draws);
the EPUB gets the same faces cut down to the characters the article uses, with
every OpenType feature kept (small caps, ligatures, kerning, marks).
"""

from __future__ import annotations

import hashlib
import io
import logging
import string
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from .model import Theme

# fontTools reports each table it drops (SIL's Graphite tables among them) as a warning.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

# Graphite smart-font tables: no EPUB reading system uses them; OpenType layout stays.
GRAPHITE_TABLES = ["Silf", "Glat", "Gloc", "Feat", "Sill"]

# Always kept: what stylesheets generate (folios, ornaments, link brackets) and what
# readers' own interface text may need.
BASE_CHARS = string.printable.strip() + " \u00a0\u202f\u2060‘’“”–—…·•«»‹›„‚"


@cache
def cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as f:
        return frozenset(f.getBestCmap())


def missing(text: str, theme: Theme) -> list[str]:
    """Characters in ``text`` that no face of the theme can show."""
    covered: set[int] = set()
    for face in theme.faces:
        covered |= cmap(face.path)
    lacking = {c for c in set(text) if ord(c) not in covered and c.isprintable()
               and not c.isspace() and ord(c) not in (0x200B, 0x200C, 0x200D, 0x2060, 0xFE0F)}
    return sorted(lacking)


def subset_font(path: Path, text: str, cache_dir: Path | None = None) -> bytes:
    chars = "".join(sorted(set(text) | set(BASE_CHARS)))
    data = path.read_bytes()
    key = hashlib.sha256(data + chars.encode("utf-8", "surrogatepass") + b"|v1").hexdigest()
    cached = cache_dir / f"{key}.ttf" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = True
    options.drop_tables += GRAPHITE_TABLES
    font = TTFont(io.BytesIO(data))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    result = out.getvalue()
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(result)
        tmp.replace(cached)
    return result
