"""The width of text as the PDF sets it.

WeasyPrint lays text out with Pango, which shapes it with HarfBuzz; this module
shapes the same strings with HarfBuzz (``uharfbuzz``) from the same subset font
files, at the same size, with the same OpenType features and the same letter and
word spacing, so a width measured here is the width of the text box WeasyPrint
makes (to a thousandth of a pixel on the theme's fonts; the tests hold it to that).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

# Pango keeps spacing in units of 1/1024 of a pixel (PANGO_SCALE), truncated.
PANGO_SCALE = 1024
# Characters Pango (and HarfBuzz) draw as nothing: they neither need a glyph nor
# take width.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True)
class TextStyle:
    """Everything about a run of text that changes its width."""

    font: Path  # the face's file (a key of the subset fonts)
    size: float  # px
    features: tuple[tuple[str, int], ...] = ()
    letter_spacing: float = 0.0  # px
    word_spacing: float = 0.0  # px
    lang: str = ""
    transform: str = "none"  # CSS text-transform: none, uppercase, lowercase

    def __hash__(self) -> int:
        # Every width looked up hashes its style: hash the fields once.
        try:
            return self._hash
        except AttributeError:
            value = hash((self.font, self.size, self.features, self.letter_spacing, self.word_spacing, self.lang))
            object.__setattr__(self, "_hash", value)
            return value

    def transformed(self, text: str) -> str:
        if self.transform == "uppercase":
            return text.upper()
        if self.transform == "lowercase":
            return text.lower()
        return text


class Measure:
    """Shapes text with the PDF's fonts; widths are cached by style and string."""

    def __init__(self, font_files: dict[Path, bytes]):
        self._data = font_files
        self._fonts: dict[Path, hb.Font] = {}
        self._cmaps: dict[Path, frozenset[int]] = {}
        self._widths: dict[TextStyle, dict[str, float]] = {}
        #: One instance of each text style (see :class:`.styles.Styles`).
        self.interned: dict[TextStyle, TextStyle] = {}

    def _font(self, path: Path) -> hb.Font:
        font = self._fonts.get(path)
        if font is None:
            face = hb.Face(self._data[path])
            font = self._fonts[path] = hb.Font(face)
            self._cmaps[path] = frozenset(face.unicodes)
        return font

    def covers(self, text: str, style: TextStyle) -> bool:
        """Whether the style's face has a glyph for every visible character (else
        Pango would take a fallback font this module does not know)."""
        self._font(style.font)
        missing = set(map(ord, style.transformed(text))).difference(self._cmaps[style.font])
        return all(chr(c) in INVISIBLE for c in missing)

    def width(self, text: str, style: TextStyle) -> float:
        """The advance width of ``text`` set in ``style``, in px."""
        if not text:
            return 0.0
        known = self._widths.get(style)
        if known is None:
            known = self._widths[style] = {}
        found = known.get(text)
        if found is None:
            found = known[text] = self._shape(style.transformed(text), style)
        return found

    def _shape(self, text: str, style: TextStyle) -> float:
        font = self._font(style.font)
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        if style.lang:
            buf.language = style.lang
        hb.shape(font, buf, {tag: bool(value) for tag, value in style.features})
        width = sum(p.x_advance for p in buf.glyph_positions) * style.size / font.face.upem
        letter = int(style.letter_spacing * PANGO_SCALE)
        if letter or style.word_spacing:
            # WeasyPrint gives Pango letter spacing on every cluster and, for word
            # spacing, a letter spacing of (word + letter spacing) on each space.
            spaces = text.count(" ") + text.count("\u00a0")
            clusters = len({info.cluster for info in buf.glyph_infos})
            space = int(style.word_spacing * PANGO_SCALE + letter) if style.word_spacing else letter
            width += ((clusters - spaces) * letter + spaces * space) / PANGO_SCALE
        return width
