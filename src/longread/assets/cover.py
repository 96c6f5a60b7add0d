"""The e-book cover: kicker, headline and lead photo, set in the theme's own faces."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont, ImageOps

from ..files import file_digest, write_atomically
from ..model import Article, Image, Theme
from ..xhtml import parse

WIDTH, HEIGHT = 1600, 2400
MARGIN = 130
PHOTO_TOP = 1300


def alt_text(article: Article, photo: Image | None) -> str:
    """The cover's alternative text says what is on it: the words and the picture."""
    parts = ["Cover."]
    if article.kicker:
        parts.append(f"{article.kicker}:")
    parts.append(article.title_text.rstrip(".") + ".")
    if article.authors or article.publisher:
        parts.append(" · ".join(filter(None, [", ".join(article.authors), article.publisher])) + ".")
    if photo:
        parts.append(photo.alt)
    return " ".join(parts)


Word = list[tuple[str, bool]]  # pieces of one word: (text, italic)


def words_of(fragment: str) -> list[Word]:
    """The words of an inline XHTML fragment, each split into roman and italic pieces
    (so "*Rust*’s" keeps its italic title and its roman ending)."""
    words: list[Word] = []
    glue = False

    def add(text: str | None, italic: bool) -> None:
        nonlocal glue
        if not text:
            return
        for i, w in enumerate(text.split(" ")):
            if i > 0:
                glue = False
            if w:
                if glue and words:
                    words[-1].append((w, italic))
                else:
                    words.append([(w, italic)])
                glue = True

    def walk(el, italic: bool) -> None:
        add(el.text, italic)
        for child in el:
            walk(child, italic ^ (child.tag in {"em", "i", "cite"}))
            add(child.tail, italic)

    walk(parse(fragment), False)
    return words


def draw(article: Article, theme: Theme, photo: bytes | None, cache_dir: Path | None = None) -> bytes:
    """The cover as a JPEG, from the cache when the same cover was made before."""
    key = hashlib.sha256(
        "|".join(
            [
                article.title_html,
                article.title_text,
                article.kicker,
                *article.authors,
                article.publisher,
                repr(sorted(theme.cover.items())),
                "v2",
            ]
        ).encode()
        + "".join(file_digest(f.path) for f in theme.faces).encode()
        + (photo or b"")
    ).hexdigest()
    cached = cache_dir / f"cover-{key}.jpg" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    data = draw_cover(article, theme, photo, Fonts(theme))
    if cached:
        write_atomically(cached, data)
    return data


def draw_cover(article: Article, theme: Theme, photo: bytes | None, fonts: Fonts) -> bytes:
    bg = theme.cover.get("background", "#1f1b18")
    ink = theme.cover.get("ink", "#f6f1e7")
    accent = theme.cover.get("accent", "#d9a441")
    img = PILImage.new("RGB", (WIDTH, HEIGHT), bg)
    draw = ImageDraw.Draw(img)

    if photo:
        with PILImage.open(io.BytesIO(photo)) as p:
            fitted = ImageOps.fit(p.convert("RGB"), (WIDTH, HEIGHT - PHOTO_TOP), PILImage.LANCZOS)
        img.paste(fitted, (0, PHOTO_TOP))
        draw.rectangle((0, PHOTO_TOP - 14, WIDTH, PHOTO_TOP - 1), fill=accent)

    top, bottom = 170, (PHOTO_TOP - 90 if photo else HEIGHT - 170)
    byline = " · ".join(filter(None, [", ".join(article.authors), article.publisher]))
    kicker_h = 120 if article.kicker else 0
    byline_h = 110 if byline else 0
    words = words_of(article.title_html) or [[(article.title_text, False)]]
    for size in range(150, 50, -6):
        lines = balanced(words, fonts, size, WIDTH - 2 * MARGIN)
        block = kicker_h + len(lines) * int(size * 1.12) + byline_h
        if top + block <= bottom:
            break
    # With a photo the words sit at the top; without one, at the optical centre.
    y = top if photo else max(top, int(top + (bottom - top - block) * 0.4))
    if article.kicker:
        draw.text((MARGIN, y), " ".join(article.kicker.upper()), font=fonts.load(theme.face(700).path, 54), fill=accent)
        y += kicker_h
    for line in lines:
        x = MARGIN
        for word in line:
            for piece, italic in word:
                f = fonts.title(italic, size)
                draw.text((x, y), piece, font=f, fill=ink)
                x += f.getlength(piece)
            x += fonts.title(False, size).getlength(" ")
        y += int(size * 1.12)
    if byline:
        draw.text((MARGIN, y + 40), byline, font=fonts.load(theme.face(400, "italic").path, 58), fill=accent)

    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def balanced(words: list[Word], fonts: Fonts, size: int, width: int) -> list[list[Word]]:
    """The fewest lines the words need, made as even as they can be (no lone word
    on the last line): the narrowest width that still gives that many lines."""
    lines = wrap(words, fonts, size, width)
    low, high = width // 2, width
    while high - low > 4:
        middle = (low + high) // 2
        if len(wrap(words, fonts, size, middle)) == len(lines):
            high = middle
        else:
            low = middle
    return wrap(words, fonts, size, high)


def wrap(words: list[Word], fonts: Fonts, size: int, width: int) -> list[list[Word]]:
    space = fonts.title(False, size).getlength(" ")
    lines: list[list[Word]] = [[]]
    used = 0.0
    for word in words:
        w = sum(fonts.title(italic, size).getlength(piece) for piece, italic in word)
        if lines[-1] and used + space + w > width:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0) + w
        lines[-1].append(word)
    return lines


class Fonts:
    """The theme's faces loaded at the sizes one cover needs (each once)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._loaded: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}

    def load(self, path: Path, size: int) -> ImageFont.FreeTypeFont:
        if (path, size) not in self._loaded:
            self._loaded[(path, size)] = ImageFont.truetype(str(path), size)
        return self._loaded[(path, size)]

    def title(self, italic: bool, size: int) -> ImageFont.FreeTypeFont:
        return self.load(self.theme.face(700, "italic" if italic else "normal").path, size)
