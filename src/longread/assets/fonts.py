"""The theme's fonts: coverage checks, and the subsets both outputs embed.

Each face is cut down (by HarfBuzz's subsetter) to the characters the article
uses, with every OpenType feature kept; the EPUB packages these files and the PDF
writer lays out with them, so both outputs carry the same font files.
"""

from __future__ import annotations

import hashlib
import string
from functools import cache
from pathlib import Path

import uharfbuzz as hb

from ..files import write_atomically
from ..model import Theme

# Always kept: what stylesheets generate (folios, ornaments, link brackets) and what
# readers' own interface text may need.
BASE_CHARS = string.printable.strip() + " \u00a0\u202f\u2003\u2010\u2060‘’“”–—…·•«»‹›„‚"


@cache
def cmap(path: Path) -> frozenset[int]:
    """The characters a font file maps to glyphs."""
    return frozenset(hb.Face(hb.Blob.from_file_path(str(path))).unicodes)


def missing(text: str, theme: Theme) -> list[str]:
    """Characters in ``text`` that no face of the theme can show."""
    covered: set[int] = set()
    for face in theme.faces:
        covered |= cmap(face.path)
    lacking = {
        c
        for c in set(text)
        if ord(c) not in covered
        and c.isprintable()
        and not c.isspace()
        and ord(c) not in (0x200B, 0x200C, 0x200D, 0x2060, 0xFE0F)
    }
    return sorted(lacking)


def subset_faces(theme: Theme, text: str, cache_dir: Path | None = None) -> dict[Path, bytes]:
    """Every face of the theme cut down to ``text`` (plus :data:`BASE_CHARS`): the font
    files both the EPUB and the PDF embed.  The characters the theme's stylesheets
    write (an ornament between sections) are kept too."""
    from ..tokens import generated_text

    text += generated_text(theme)
    return {face.path: subset_font(face.path, text, cache_dir) for face in theme.faces}


def subset_font(path: Path, text: str, cache_dir: Path | None = None) -> bytes:
    chars = sorted(set(text) | set(BASE_CHARS))
    data = path.read_bytes()
    key = hashlib.sha256(data + "".join(chars).encode("utf-8", "surrogatepass") + b"|hb1").hexdigest()
    cached = cache_dir / f"{key}.ttf" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    plan = hb.SubsetInput()
    plan.unicode_set.update(ord(c) for c in chars)
    # Keep every OpenType feature (small caps, ligatures, kerning, marks), every
    # script and every name record: the subset is the same typeface, only smaller.
    for which in (
        hb.SubsetInputSets.LAYOUT_FEATURE_TAG,
        hb.SubsetInputSets.LAYOUT_SCRIPT_TAG,
        hb.SubsetInputSets.NAME_ID,
        hb.SubsetInputSets.NAME_LANG_ID,
    ):
        kept = plan.sets(which)
        kept.clear()
        kept.invert()
    plan.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    result = hb.subset(hb.Face(hb.Blob(data)), plan).blob.data
    if cached:
        write_atomically(cached, result)
    return result


def woff2(data: bytes, cache_dir: Path | None = None) -> bytes:
    """A (subset) font file as WOFF2, the compressed form browsers load: what the web
    edition embeds.  Brotli is slow at its best setting, so the result is cached."""
    import io

    from fontTools.ttLib import TTFont

    key = hashlib.sha256(data + b"|woff2-1").hexdigest()
    cached = cache_dir / f"{key}.woff2" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    # recalcTimestamp=False: the same font gives the same bytes (reproducible builds).
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    result = out.getvalue()
    if cached:
        write_atomically(cached, result)
    return result
