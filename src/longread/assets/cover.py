"""The e-book cover: kicker, headline and lead photo, set in the theme's own faces."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont, ImageOps

from ..files import write_atomically
from ..model import Article, Image, Theme
from ..pipeline.stamps import digest
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


def render(article: Article, theme: Theme, photo: bytes | None, cache_dir: Path | None = None) -> bytes:
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
        + "".join(digest(f.path) for f in theme.faces).encode()
        + (photo or b"")
    ).hexdigest()
    cached = cache_dir / f"cover-{key}.jpg" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    data = draw_cover(article, theme, photo)
    if cached:
        write_atomically(cached, data)
    return data


def draw_cover(article: Article, theme: Theme, photo: bytes | None) -> bytes:
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
        lines = balanced(words, theme, size, WIDTH - 2 * MARGIN)
        block = kicker_h + len(lines) * int(size * 1.12) + byline_h
        if top + block <= bottom:
            break
    # With a photo the words sit at the top; without one, at the optical centre.
    y = top if photo else max(top, int(top + (bottom - top - block) * 0.4))
    if article.kicker:
        kicker_font = font(theme.face(700).path, 54)
        kicker = clip(" ".join(article.kicker.upper()), kicker_font, WIDTH - 2 * MARGIN)
        draw.text((MARGIN, y), kicker, font=kicker_font, fill=accent)
        y += kicker_h
    for line in lines:
        x = MARGIN
        for word in line:
            for piece, italic in word:
                f = face(theme, italic, size)
                draw.text((x, y), piece, font=f, fill=ink)
                x += f.getlength(piece)
            x += face(theme, False, size).getlength(" ")
        y += int(size * 1.12)
    if byline:
        byline_font = font(theme.face(400, "italic").path, 58)
        draw.text((MARGIN, y + 40), clip(byline, byline_font, WIDTH - 2 * MARGIN), font=byline_font, fill=accent)

    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def clip(text: str, f: ImageFont.FreeTypeFont, width: int) -> str:
    """One line of text cut to ``width`` with an ellipsis: a long byline (a hundred
    authors) stays on the cover, and Pillow never sets a line wider than the page."""
    if f.getlength(text) <= width:
        return text
    low, high = 0, min(len(text), 4 * width)  # no glyph is narrower than a quarter pixel
    while low < high:
        middle = (low + high + 1) // 2
        if f.getlength(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def balanced(words: list[Word], theme: Theme, size: int, width: int) -> list[list[Word]]:
    """The fewest lines the words need, made as even as they can be (no lone word
    on the last line): the narrowest width that still gives that many lines."""
    lines = wrap(words, theme, size, width)
    low, high = width // 2, width
    while high - low > 4:
        middle = (low + high) // 2
        if len(wrap(words, theme, size, middle)) == len(lines):
            high = middle
        else:
            low = middle
    return wrap(words, theme, size, high)


def wrap(words: list[Word], theme: Theme, size: int, width: int) -> list[list[Word]]:
    space = face(theme, False, size).getlength(" ")
    lines: list[list[Word]] = [[]]
    used = 0.0
    for word in words:
        w = sum(face(theme, italic, size).getlength(piece) for piece, italic in word)
        if lines[-1] and used + space + w > width:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0) + w
        lines[-1].append(word)
    return lines


def face(theme: Theme, italic: bool, size: int) -> ImageFont.FreeTypeFont:
    return font(theme.face(700, "italic" if italic else "normal").path, size)


_fonts: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}


def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    if (path, size) not in _fonts:
        _fonts[(path, size)] = ImageFont.truetype(str(path), size)
    return _fonts[(path, size)]
