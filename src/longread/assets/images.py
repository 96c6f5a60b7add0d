"""Images: where they may come from, what they must be, and the sizes each output gets.

Only files inside the manuscript's folder are ever read, each once and with a
bounded size (:func:`load`), and checked from its header: a supported raster
format, a pixel mode longread can convert faithfully, and a decoded size that fits
in memory.  :func:`prepare` then decodes those same bytes once — at a reduced
scale where the format allows it — and derives every copy the outputs need from
that one decode: the screen copy for the EPUB, the print copy for the PDF and the
finished cover of a collection.  Each copy is upright, in sRGB, and carries no
metadata at all (no EXIF, XMP, IPTC or comment; the colour profile is applied,
then dropped).  A JPEG that is all of that already, and no larger than a copy,
is that copy as it is, its metadata segments cut out (:func:`as_is`): nothing
decoded, no pixel lost to a second encoding.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import threading
import urllib.parse
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, UnidentifiedImageError

from ..errors import ManuscriptError, quoted
from ..files import Inputs

#: The most pixels an image may have: it stops decompression bombs before memory
#: runs out, yet admits the largest camera files (about 100 MP).
MAX_PIXELS = 200_000_000

#: The largest image file read: beyond any photo a long read prints, and small
#: enough that the file and its decoded pixels fit in memory together.
MAX_FILE_BYTES = 200 * 1024**2
#: The most memory one decoded image may take (Pillow keeps 1 byte a pixel for
#: bilevel, grey and palette images, 2 for 16-bit grey, 4 for everything else).
MAX_DECODED_BYTES = 640 * 1024**2

FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "TIFF", "MPO"}
STAND_IN_MARK = b"longread:stand-in"

#: The long edge of images in the EPUB: sharp on tablets, small enough for phones.
EPUB_LONG_EDGE = 1600
#: A JPEG whose decoder can scale it (by 1/2, 1/4, 1/8) to within this share of
#: the EPUB's long edge is decoded at that scale and not resampled at all: a
#: 3000-pixel photo gives a 1500-pixel copy in a quarter of the memory and time.
SCREEN_SLACK = 0.9
#: The long edge handed to the PDF writer, which then places every image at
#: exactly 300 ppi at its printed size (10 in at 300 ppi covers any trim we set).
PRINT_LONG_EDGE = 3000
#: The long edge of a collection's finished cover (the generated cover's height).
COVER_LONG_EDGE = 2400
#: The copies :func:`prepare` can make, by name, with their long edges.
COPIES = {"screen": EPUB_LONG_EDGE, "print": PRINT_LONG_EDGE, "cover": COVER_LONG_EDGE}

_SRGB = ImageCms.createProfile("sRGB")
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
#: Pixel modes a decoded image may have, and the mode its pixels are worked in.
_WORKING_MODE = {
    "1": "L",
    "L": "L",
    "LA": "LA",
    "La": "LA",
    "P": "RGB",
    "PA": "RGBA",
    "RGB": "RGB",
    "RGBX": "RGB",
    "YCbCr": "RGB",
    "RGBA": "RGBA",
    "RGBa": "RGBA",
    "CMYK": "CMYK",
    "LAB": "LAB",
    "I;16": "L",
    "I;16B": "L",
    "I;16L": "L",
    "I;16N": "L",
}
_UNSUPPORTED_MODES = {
    "F": "floating-point samples",
    "I": "32-bit integer samples",
    "I;32": "32-bit integer samples",
    "HSV": "HSV colour",
}
# The EXIF orientations that are not upright, and the turn that makes them so.
_ORIENT = {
    2: [PILImage.Transpose.FLIP_LEFT_RIGHT],
    3: [PILImage.Transpose.ROTATE_180],
    4: [PILImage.Transpose.FLIP_TOP_BOTTOM],
    5: [PILImage.Transpose.TRANSPOSE],
    6: [PILImage.Transpose.ROTATE_270],
    7: [PILImage.Transpose.TRANSVERSE],
    8: [PILImage.Transpose.ROTATE_90],
}


@dataclass(frozen=True)
class Info:
    width: int
    height: int
    format: str
    has_alpha: bool
    stand_in: bool
    mode: str = "RGB"
    #: The EXIF orientation: 1 is upright as stored; 5 to 8 turn it a quarter.
    orientation: int = 1

    @property
    def turned(self) -> bool:
        """EXIF says the picture is turned a quarter: it is shown height × width."""
        return self.orientation in (5, 6, 7, 8)

    @property
    def upright(self) -> tuple[int, int]:
        """The pixel size as the picture is shown (EXIF orientation applied)."""
        return (self.height, self.width) if self.turned else (self.width, self.height)

    @property
    def extension(self) -> str:
        return "png" if self.has_alpha or self.format in {"PNG", "GIF"} else "jpg"


@dataclass(frozen=True)
class Source:
    """An image file as it was read, once: its bytes and what they hold."""

    path: Path  # the file, inside the manuscript's folder
    name: str  # as messages show it (relative to the manuscript's folder)
    data: bytes
    info: Info
    digest: str  # SHA-256 of data: the same picture, however many times it is used


@dataclass(frozen=True)
class Picture:
    """One image ready for the outputs, all made from a single decode.

    ``screen`` and ``print`` are in the image's output format (``extension``);
    ``cover`` is always a JPEG.  A copy not asked for is None.
    """

    extension: str
    screen: bytes | None = None
    print: bytes | None = None
    #: The pixel size of the print copy (for the PDF's resolution check).
    print_size: tuple[int, int] = (0, 0)
    cover: bytes | None = None


# --- finding and reading --------------------------------------------------------


def resolve(manuscript: Path, src: str) -> Path:
    """The file an image reference names, provided it lies inside the manuscript's folder."""
    shown = quoted(src)
    if re.match(r"^[A-Za-z]:[\\/]", src) or src.startswith(("/", "\\")):
        raise ManuscriptError(manuscript, f"image {shown} is an absolute path; give a path relative to the manuscript")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src):
        raise ManuscriptError(
            manuscript, f"image {shown} is a URL; longread only reads image files inside the manuscript's folder"
        )
    rel = urllib.parse.unquote(src)
    if not rel.strip():
        raise ManuscriptError(manuscript, "an image has no source (write ![description](images/file.jpg))")
    if re.search(r"[\x00-\x1f\x7f]", rel):  # %00 and friends: no file name holds them
        raise ManuscriptError(manuscript, f"image {shown} has a control character in its name")
    if rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        raise ManuscriptError(manuscript, f"image {shown} is an absolute path; give a path relative to the manuscript")
    folder = manuscript.parent.resolve()
    try:
        target = (folder / rel).resolve()
        if not target.is_relative_to(folder):
            raise ManuscriptError(manuscript, f"image {shown} is outside the manuscript's folder")
        if not target.is_file():
            raise ManuscriptError(manuscript, f"image {shown} not found")
    except RuntimeError:  # a symlink loop
        raise ManuscriptError(manuscript, f"image {shown} is a link that loops back on itself") from None
    except (OSError, ValueError) as e:  # a name too long, a path the system refuses
        why = getattr(e, "strerror", None) or str(e)
        raise ManuscriptError(manuscript, f"image {shown} cannot be opened ({why})") from None
    # The path as written (through any link inside the folder), so that the build
    # and the up-to-date check both read what the manuscript names today.
    return Path(os.path.normpath(folder / rel))


def shown_name(manuscript: Path, path: Path) -> str:
    folder = manuscript.parent.resolve()
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def load(manuscript: Path, path: Path, inputs: Inputs) -> Source:
    """Read the image file at ``path`` (found by :func:`resolve`) through the build's
    ``inputs`` (once; a regular file inside the manuscript's folder, never a FIFO or a
    device, refused by its size before anything is read) and check it."""
    data = inputs.read(path, manuscript.parent, manuscript, "image", limit=MAX_FILE_BYTES)
    name = shown_name(manuscript, path)
    return Source(path, name, data, inspect(manuscript, name, data), hashlib.sha256(data).hexdigest())


# --- checking ---------------------------------------------------------------------


def inspect(manuscript: Path, name: str, data: bytes) -> Info:
    """Read an image's header: refuse what is not a supported raster image, what
    longread cannot convert faithfully, and what would not fit in memory."""
    shown = quoted(name)
    try:
        with _strict_decoding(), PILImage.open(io.BytesIO(data)) as im:
            fmt, mode = im.format or "?", im.mode
            info = Info(
                im.width,
                im.height,
                fmt,
                mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (mode == "P" and "transparency" in im.info),
                STAND_IN_MARK in _as_bytes(im.info.get("comment")),
                mode,
                _orientation(im),
            )
            if im.width * im.height > MAX_PIXELS:
                raise PILImage.DecompressionBombError
            _draft(im, max(COPIES.values()))
            decoded = im.width * im.height * _BYTES_PER_PIXEL.get(im.mode, 4)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ManuscriptError(
            manuscript,
            f"image {shown} is too large to process safely (over {MAX_PIXELS // 1_000_000} megapixels)",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        head = data[:256].lstrip()
        kind = " (it is SVG/XML, which longread does not embed)" if head.startswith((b"<?xml", b"<svg")) else ""
        raise ManuscriptError(
            manuscript, f"image {shown} is not a readable JPEG, PNG, GIF, WebP or TIFF file{kind}"
        ) from None
    if fmt not in FORMATS:
        raise ManuscriptError(manuscript, f"image {shown} is a {fmt} file; use JPEG, PNG, GIF, WebP or TIFF")
    if mode not in _WORKING_MODE:
        what = _UNSUPPORTED_MODES.get(mode, f"pixels of the kind {mode!r}")
        raise ManuscriptError(manuscript, f"image {shown} has {what}; save it as an 8- or 16-bit RGB or grey image")
    if decoded > MAX_DECODED_BYTES:
        raise ManuscriptError(
            manuscript,
            f"image {shown} is too large to process safely ({info.width} x {info.height} {mode} pixels need "
            f"{_size(decoded)} of memory; the limit is {_size(MAX_DECODED_BYTES)}): save a smaller copy",
        )
    return info


_STRICT = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Pillow as longread needs it while it reads an image: a decompression bomb
    (over :data:`MAX_PIXELS`) is an error, and a cut-off file fails rather than
    printing half grey.  Pillow keeps both switches process-wide, and WeasyPrint
    turns the second on when it is imported (weasyprint/images.py), so longread
    sets them only around its own decoding and puts them back after.  Pillow's
    bomb warning is left out: :func:`inspect` checks the size itself."""
    with _STRICT, warnings.catch_warnings():
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        before = ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS
        # Pillow refuses twice its limit outright.
        ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS = False, MAX_PIXELS // 2
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES, PILImage.MAX_IMAGE_PIXELS = before


def _orientation(im: PILImage.Image) -> int:
    """The EXIF orientation, read from the header only (Pillow's getexif() would
    decode a whole PNG to look for a late eXIf chunk)."""
    if im.format in {"JPEG", "MPO", "TIFF", "WEBP"}:
        return im.getexif().get(0x0112, 1)
    if isinstance(im.info.get("exif"), bytes):
        exif = PILImage.Exif()
        exif.load(im.info["exif"])
        return exif.get(0x0112, 1)
    return 1


def _as_bytes(value: object) -> bytes:
    """A text chunk as bytes: JPEG comments are bytes, PNG text chunks are str."""
    if isinstance(value, bytes):
        return value
    return str(value or "").encode("utf-8", "replace")


def _draft(im: PILImage.Image, long_edge: int) -> None:
    """Ask a JPEG to decode at the smallest scale (1/2, 1/4, 1/8) that still
    gives ``long_edge`` pixels on the long edge: far less memory and time for a
    large photo.  Other formats ignore it."""
    if im.format not in {"JPEG", "MPO"}:
        return
    scale = min(1.0, long_edge / max(im.size))
    wanted = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    im.draft(im.mode if im.mode in {"L", "CMYK"} else "RGB", wanted)


def key_for(path: Path, info: Info, taken: set[str]) -> str:
    """A stable, safe file name for the image inside the outputs."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-").lower()[:60] or "image"
    key, n = f"{stem}.{info.extension}", 2
    while key in taken:
        key, n = f"{stem}-{n}.{info.extension}", n + 1
    return key


def pixel_size(data: bytes) -> tuple[int, int]:
    """The size in pixels of a finished copy (read from its header)."""
    with PILImage.open(io.BytesIO(data)) as im:
        return im.size


def media_type(extension: str) -> str:
    return "image/png" if extension == "png" else "image/jpeg"


# --- making the copies ------------------------------------------------------------


def prepare(source: Source, owner: Path, copies: Iterable[str] = ("screen", "print")) -> Picture:
    """Decode ``source`` once and make the ``copies`` asked for (names from
    :data:`COPIES`), each at most its long edge, never upscaled.  Errors name the
    manuscript (``owner``) that uses the image."""
    copies = tuple(copies)
    made = as_is_copies(source, copies)
    wanted = sorted(set(copies) - set(made), key=lambda c: -COPIES[c])
    extension = source.info.extension
    print_size = source.info.upright if "print" in made else (0, 0)
    if not wanted:
        return Picture(extension, made.get("screen"), made.get("print"), print_size, made.get("cover"))
    try:
        with _strict_decoding():
            slack = SCREEN_SLACK if wanted == ["screen"] else 1.0
            im, icc = _decode(source.data, COPIES[wanted[0]], slack)
            im = _to_srgb(_fit(im, COPIES[wanted[0]]), icc)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ManuscriptError(owner, f"image {quoted(source.name)} is too large to process safely") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise ManuscriptError(owner, f"image {quoted(source.name)} cannot be decoded ({e})") from None
    for name in wanted:
        im = _fit(im, COPIES[name])
        if name == "cover":
            made[name] = _encode(_flatten(im), "jpg", best=True)
        else:
            made[name] = _encode(im, extension, best=name == "screen")
        if name == "print":
            print_size = im.size
    return Picture(extension, made.get("screen"), made.get("print"), print_size, made.get("cover"))


def as_is(source: Source, name: str) -> bytes | None:
    """The copy ``name`` of a JPEG that needs no change to its pixels, without
    decoding them: the file with every segment but its pixels, their tables and
    the JFIF/Adobe headers left out (EXIF, XMP, IPTC, comments, thumbnails,
    anything after the image); None when the pixels must change.

    They need none when the photo is already upright, in sRGB (no colour profile),
    RGB or grey, and no larger than the copy.  The print copy is then the
    delivered picture itself, at no cost (the PDF writer resamples it once, to
    300 ppi at its printed size, and no generation of JPEG loss comes before);
    the screen copy must also be baseline, the JPEG every e-reader decodes.  The
    cover is always drawn anew."""
    return as_is_copies(source, (name,)).get(name)


def as_is_copies(source: Source, names: Iterable[str]) -> dict[str, bytes]:
    """:func:`as_is` for each of ``names`` (those that have one), the file's
    segments read once for all of them."""
    info = source.info
    if info.format != "JPEG" or info.mode not in {"RGB", "L"} or info.orientation != 1:
        return {}
    fitting = [n for n in names if n != "cover" and max(info.width, info.height) <= COPIES[n]]
    plain = _plain_jpeg(source.data) if fitting else None
    if plain is None:
        return {}
    data, progressive = plain
    return {n: data for n in fitting if not (n == "screen" and progressive)}


#: JPEG markers with no length: start of image, restart points, the temporary marker.
_STANDALONE = {0xD8, 0x01, *range(0xD0, 0xD8)}
#: Frame types Pillow decodes and PDF readers take: baseline, extended, progressive.
_FRAMES = {0xC0: False, 0xC1: False, 0xC2: True}


def _plain_jpeg(data: bytes) -> tuple[bytes, bool] | None:
    """``data`` cut down to the segments that make the picture, and whether it is
    progressive; None when it holds anything longread should not pass on as it is
    (a colour profile, an EXIF orientation other than upright, a lossless or
    arithmetic-coded frame, a damaged segment)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    kept, at, progressive, frame = [b"\xff\xd8"], 2, False, False
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:  # end of image: what follows is not the picture
            return (b"".join([*kept, b"\xff\xd9"]), progressive) if frame else None
        if marker in _STANDALONE:
            return None
        end = at + 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if end > len(data) or end < at + 4:
            return None
        body = data[at + 4 : end]
        if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
            if marker not in _FRAMES or body[:1] != b"\x08":  # 8-bit samples only
                return None
            frame, progressive = True, _FRAMES[marker]
        if marker == 0xE2 and body.startswith(b"ICC_PROFILE\0"):
            return None  # its colours are converted to sRGB by decoding
        keep = not (0xE0 <= marker <= 0xEF or marker == 0xFE)
        keep = keep or (marker == 0xE0 and body.startswith(b"JFIF\0")) or (marker == 0xEE and body.startswith(b"Adobe"))
        if keep:
            kept.append(data[at:end])
        at = end
        if marker == 0xDA:  # the scan's entropy-coded data runs to the next marker
            scan = at
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= len(data):
                    return None
                if data[at + 1] == 0 or 0xD0 <= data[at + 1] <= 0xD7:
                    at += 2
                    continue
                break
            kept.append(data[scan:at])
    return None


def _decode(data: bytes, long_edge: int, slack: float = 1.0) -> tuple[PILImage.Image, bytes | None]:
    """The image, upright, in its working mode, at most a few times ``long_edge``
    pixels long (so that the final resize has pixels to work with; a JPEG may come
    out as short as ``slack`` times ``long_edge``), and its colour profile."""
    with PILImage.open(io.BytesIO(data)) as im:
        _draft(im, round(long_edge * slack))
        im.load()
        icc = im.info.get("icc_profile")
        orientation = im.getexif().get(0x0112, 1)
        has_alpha = "A" in im.getbands() or (im.mode == "P" and "transparency" in im.info)
        small = _shrink(im, long_edge, has_alpha)
    for turn in _ORIENT.get(orientation, []):
        small = small.transpose(turn)
    return small, icc


def _working(im: PILImage.Image, has_alpha: bool) -> PILImage.Image:
    """Pixels in a mode every later step can take (see :data:`_WORKING_MODE`)."""
    mode = im.mode
    if mode.startswith("I;16"):
        return im.point(lambda v: v / 256).convert("L")
    if mode == "P":
        return im.convert("RGBA" if has_alpha else "RGB")
    target = _WORKING_MODE[mode]
    return im if mode == target else im.convert(target)


def _shrink(im: PILImage.Image, long_edge: int, has_alpha: bool) -> PILImage.Image:
    """The image in its working mode, reduced by a whole factor to between two and
    four times ``long_edge`` when it is larger.  A large image is converted and
    reduced a band of rows at a time, so memory holds the decoded image and only
    small pieces besides (converting a 200-megapixel bilevel or palette image whole
    would take four times its size again)."""
    factor = max(1, max(im.size) // (2 * long_edge))
    if factor == 1:
        return _working(im, has_alpha)
    width, height = im.size
    rows = max(factor, (4 * 1024**2 // max(1, width)) // factor * factor)  # bands of about 16 MB
    out = None
    for top in range(0, height, rows):
        band = _working(im.crop((0, top, width, min(height, top + rows))), has_alpha).reduce(factor)
        if out is None:
            out = PILImage.new(band.mode, (-(-width // factor), -(-height // factor)))
        out.paste(band, (0, top // factor))
    assert out is not None
    return out


def _to_srgb(im: PILImage.Image, icc: bytes | None) -> PILImage.Image:
    """Colours converted from the image's profile (or from CIELAB, or CMYK) to sRGB;
    alpha kept.  The profile itself is not kept: sRGB is what readers assume."""
    alpha = im.getchannel("A") if im.mode in {"LA", "RGBA"} else None
    if im.mode == "LAB":
        im = im.convert("RGB")  # Pillow converts CIELAB (D50) to sRGB itself
    elif icc:
        try:
            base = im if im.mode in {"RGB", "CMYK"} else im.convert("RGB")
            im = ImageCms.profileToProfile(
                base,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                _SRGB,
                outputMode="RGB",
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            im = im.convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if alpha is not None:
        im = im.convert("RGBA")
        im.putalpha(alpha)
    return im


def _fit(im: PILImage.Image, long_edge: int) -> PILImage.Image:
    if max(im.size) <= long_edge:
        return im
    scale = long_edge / max(im.size)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    return im.resize(size, PILImage.Resampling.LANCZOS)


def at_print_size(data: bytes, size: tuple[int, int]) -> bytes:
    """A print copy (grey or RGB, from :func:`prepare` or :func:`as_is`) brought
    down to ``size``, the pixels it has at 300 ppi where it is printed: a JPEG is
    decoded at the smallest scale that still has those pixels, then both kinds are
    resampled with Lanczos and saved in their own format, with no metadata."""
    with PILImage.open(io.BytesIO(data)) as im:
        extension = "png" if im.format == "PNG" else "jpg"
        if extension == "jpg":
            im.draft(im.mode, size)
        smaller = im.resize(size, PILImage.Resampling.LANCZOS)
    return _encode(smaller, extension, best=False)


def _flatten(im: PILImage.Image) -> PILImage.Image:
    """An image with transparency set on white (a JPEG has no alpha)."""
    if im.mode != "RGBA":
        return im
    page = PILImage.new("RGB", im.size, "white")
    page.paste(im, mask=im.getchannel("A"))
    return page


def _encode(im: PILImage.Image, extension: str, best: bool) -> bytes:
    """The pixels alone: no EXIF, XMP, comment or profile (Pillow would copy a JPEG
    comment from ``info`` by default).

    PNG copies at zlib's level 4: on a noisy 1950-pixel photo it takes 0.8 s
    against the default level 6's 2.5 s for a stream no larger, on a smooth one
    about 2% more than level 6 in the same time (level 1 is faster still but
    16-24% larger; level 9 or Pillow's ``optimize`` take three to four times
    level 6's time for about 1% less).  The print copy goes into the PDF as it
    is (a PNG's compressed pixels too, see :mod:`longread.writers.engine_patches`).
    ``best`` is for the EPUB's JPEG copy, which readers download as it is:
    Huffman-optimised (3% smaller for 50% more encoding time); the print JPEG is
    not.
    """
    im.info = {}
    buf = io.BytesIO()
    if extension == "png":
        im.save(buf, "PNG", compress_level=4)
    else:
        # Baseline (not progressive) JPEG: the format every e-reader decodes.
        im.save(buf, "JPEG", quality=86, optimize=best, subsampling="4:2:0", comment=b"")
    return buf.getvalue()
