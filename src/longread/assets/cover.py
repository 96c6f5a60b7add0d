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
                "v3",
            ]
        ).encode()
        + "".join(file_digest(f.path) for f in theme.faces).encode()
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
    """The cover in the theme's layout and colours (``cover:`` in theme.yaml): a
    ``banner`` sets the words over the ground and the photo below a rule; a
    ``centred`` cover sets them centred, the photo framed between them."""
    ground = rgb(theme.cover.get("background", "#1f1b18"))
    ink = rgb(theme.cover.get("ink", "#f6f1e7"))
    accent = legible(rgb(theme.cover.get("accent", "#d9a441")), ground)
    img = PILImage.new("RGB", (WIDTH, HEIGHT), ground)
    draw = ImageDraw.Draw(img)
    if theme.cover.get("layout") == "centred":
        draw_centred(draw, img, article, Faces(theme), photo, (ink, accent))
    else:
        draw_banner(draw, img, article, Faces(theme), photo, (ink, accent))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, optimize=True)
    return out.getvalue()


def draw_banner(draw, img, article: Article, faces: Faces, photo: bytes | None, colours) -> None:
    ink, accent = colours
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
        lines = balanced(words, faces, size, WIDTH - 2 * MARGIN)
        block = kicker_h + len(lines) * int(size * 1.12) + byline_h
        if top + block <= bottom:
            break
    # With a photo the words sit at the top; without one, at the optical centre.
    y = top if photo else max(top, int(top + (bottom - top - block) * 0.4))
    if article.kicker:
        kicker_font = faces.font(faces.theme.face(700, role="display").path, 54)
        kicker = clip(" ".join(article.kicker.upper()), kicker_font, WIDTH - 2 * MARGIN)
        draw.text((MARGIN, y), kicker, font=kicker_font, fill=accent)
        y += kicker_h
    for line in lines:
        draw_line(draw, line, faces, size, MARGIN, y, ink)
        y += int(size * 1.12)
    if byline:
        byline_font = faces.font(faces.theme.face(400, "italic", "display").path, 58)
        draw.text((MARGIN, y + 40), clip(byline, byline_font, WIDTH - 2 * MARGIN), font=byline_font, fill=accent)


def draw_centred(draw, img, article: Article, faces: Faces, photo: bytes | None, colours) -> None:
    """A book's title page: rules top and bottom, the words centred, the photo framed."""
    ink, accent = colours
    for y in (110, 124, HEIGHT - 124, HEIGHT - 110):
        draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + (5 if y in (110, HEIGHT - 110) else 1)), fill=accent)
    top = 250
    if article.kicker:
        kicker_font = faces.font(faces.theme.face(400, role="display").path, 50)
        kicker = clip(" ".join(article.kicker.upper()), kicker_font, WIDTH - 2 * MARGIN)
        draw.text((WIDTH / 2, top), kicker, font=kicker_font, fill=accent, anchor="mt")
        top += 130
    words = words_of(article.title_html) or [[(article.title_text, False)]]
    room = 620 if photo else 1500
    for size in range(140, 50, -6):
        lines = balanced(words, faces, size, WIDTH - 2 * MARGIN - 80, weight=400)
        if len(lines) * int(size * 1.18) <= room:
            break
    for line in lines:
        width = line_width(line, faces, size, 400)
        draw_line(draw, line, faces, size, (WIDTH - width) / 2, top, ink, weight=400)
        top += int(size * 1.18)
    top += 70
    if photo:
        frame = (WIDTH - 2 * MARGIN - 160, HEIGHT - top - 420)
        with PILImage.open(io.BytesIO(photo)) as p:
            fitted = ImageOps.contain(p.convert("RGB"), frame, PILImage.LANCZOS)
        x = (WIDTH - fitted.width) // 2
        img.paste(fitted, (x, top))
        draw.rectangle((x - 18, top - 18, x + fitted.width + 17, top + fitted.height + 17), outline=accent, width=3)
    byline = " · ".join(filter(None, [", ".join(article.authors), article.publisher]))
    if byline:
        face_ = faces.font(faces.theme.face(400, "italic", "display").path, 60)
        draw.text((WIDTH / 2, HEIGHT - 230), clip(byline, face_, WIDTH - 2 * MARGIN), font=face_, fill=ink, anchor="ms")


def draw_line(draw, line, faces: Faces, size: int, x: float, y: int, ink, weight: int = 700) -> None:
    for word in line:
        for piece, italic in word:
            f = faces.title(italic, size, weight)
            draw.text((x, y), piece, font=f, fill=ink)
            x += f.getlength(piece)
        x += faces.title(False, size, weight).getlength(" ")


def line_width(line, faces: Faces, size: int, weight: int = 700) -> float:
    space = faces.title(False, size, weight).getlength(" ")
    pieces = sum(faces.title(italic, size, weight).getlength(piece) for word in line for piece, italic in word)
    return pieces + space * (len(line) - 1)


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


def rgb(colour: str) -> tuple[int, int, int]:
    from ..theme import srgb

    parts = srgb(colour) or (0.0, 0.0, 0.0)
    return tuple(round(v * 255) for v in parts)  # type: ignore[return-value]


def luminance(colour: tuple[int, int, int]) -> float:
    linear = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in colour]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def legible(colour: tuple[int, int, int], ground: tuple[int, int, int]) -> tuple[int, int, int]:
    """The accent as given, or mixed towards white (on a dark ground) or black until
    the words set in it reach WCAG's 4.5:1 against the ground."""
    target = (255, 255, 255) if luminance(ground) < 0.18 else (0, 0, 0)
    for step in range(21):
        t = step / 20
        mixed = tuple(round(c + (e - c) * t) for c, e in zip(colour, target, strict=True))
        if contrast(mixed, ground) >= 4.5:
            return mixed  # type: ignore[return-value]
    return target


def balanced(words: list[Word], faces: Faces, size: int, width: int, weight: int = 700) -> list[list[Word]]:
    """The fewest lines the words need, made as even as they can be (no lone word
    on the last line): the narrowest width that still gives that many lines."""
    lines = wrap(words, faces, size, width, weight)
    low, high = width // 2, width
    while high - low > 4:
        middle = (low + high) // 2
        if len(wrap(words, faces, size, middle, weight)) == len(lines):
            high = middle
        else:
            low = middle
    return wrap(words, faces, size, high, weight)


def wrap(words: list[Word], faces: Faces, size: int, width: int, weight: int = 700) -> list[list[Word]]:
    space = faces.title(False, size, weight).getlength(" ")
    lines: list[list[Word]] = [[]]
    used = 0.0
    for word in words:
        w = sum(faces.title(italic, size, weight).getlength(piece) for piece, italic in word)
        if lines[-1] and used + space + w > width:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0) + w
        lines[-1].append(word)
    return lines


class Faces:
    """The theme's display faces, loaded at the sizes one cover needs (each once)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self._loaded: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}

    def font(self, path: Path, size: int) -> ImageFont.FreeTypeFont:
        if (path, size) not in self._loaded:
            self._loaded[(path, size)] = ImageFont.truetype(str(path), size)
        return self._loaded[(path, size)]

    def title(self, italic: bool, size: int, weight: int = 700) -> ImageFont.FreeTypeFont:
        return self.font(self.theme.face(weight, "italic" if italic else "normal", "display").path, size)
