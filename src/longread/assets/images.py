"""Images: where they may come from, what they must be, and the sizes each output gets.

Only files inside the manuscript's folder are ever read.  Every image is checked
on reading (header only, cheap) and decoded once per size, through a content-hash
cache, when an output needs it: oriented, converted to sRGB, stripped of EXIF and
GPS data, and downscaled (never upscaled).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import urllib.parse
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PILImage
from PIL import ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from ..errors import ManuscriptError, quoted
from ..files import write_atomically

# A 200-megapixel limit stops decompression bombs before memory runs out, yet
# admits the largest camera files (about 100 MP).
PILImage.MAX_IMAGE_PIXELS = 200_000_000
ImageFile.LOAD_TRUNCATED_IMAGES = False

FORMATS = {"JPEG", "PNG", "GIF", "WEBP", "TIFF", "MPO"}
STAND_IN_MARK = b"longread:stand-in"

#: The long edge of images in the EPUB: sharp on tablets, small enough for phones.
EPUB_LONG_EDGE = 1600
#: The long edge handed to the PDF writer, which then places every image at
#: exactly 300 ppi at its printed size (10 in at 300 ppi covers any trim we set).
PRINT_LONG_EDGE = 3000

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Info:
    width: int
    height: int
    format: str
    has_alpha: bool
    stand_in: bool
    #: EXIF says the picture is turned a quarter: it is shown height × width.
    turned: bool = False

    @property
    def upright(self) -> tuple[int, int]:
        """The pixel size as the picture is shown (EXIF orientation applied)."""
        return (self.height, self.width) if self.turned else (self.width, self.height)

    @property
    def extension(self) -> str:
        return "png" if self.has_alpha or self.format in {"PNG", "GIF"} else "jpg"


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
    except OSError as e:  # a name too long, a path the system refuses
        raise ManuscriptError(manuscript, f"image {shown} cannot be opened ({e.strerror or e})") from None
    # The path as written (through any link inside the folder), so that the build
    # and the up-to-date check both read what the manuscript names today.
    return Path(os.path.normpath(folder / rel))


def inspect(manuscript: Path, path: Path, data: bytes) -> Info:
    """Read an image's header (from ``data``, the bytes read from ``path``): refuse
    what is not a supported raster image or is a bomb."""
    name = (
        path.relative_to(manuscript.parent.resolve()) if path.is_relative_to(manuscript.parent.resolve()) else path.name
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(io.BytesIO(data)) as im:
                fmt = im.format or "?"
                too_big = im.width * im.height > PILImage.MAX_IMAGE_PIXELS
                info = Info(
                    im.width,
                    im.height,
                    fmt,
                    im.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (im.mode == "P" and "transparency" in im.info),
                    STAND_IN_MARK in _as_bytes(im.info.get("comment")),
                    im.getexif().get(0x0112, 1) in (5, 6, 7, 8),
                )
        if too_big:
            raise PILImage.DecompressionBombError
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ManuscriptError(
            manuscript,
            f"image {name} is too large to process safely (over {PILImage.MAX_IMAGE_PIXELS // 1_000_000} megapixels)",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        head = data[:256].lstrip()
        kind = " (it is SVG/XML, which longread does not embed)" if head.startswith((b"<?xml", b"<svg")) else ""
        raise ManuscriptError(
            manuscript, f"image {name} is not a readable JPEG, PNG, GIF, WebP or TIFF file{kind}"
        ) from None
    if fmt not in FORMATS:
        raise ManuscriptError(manuscript, f"image {name} is a {fmt} file; use JPEG, PNG, GIF, WebP or TIFF")
    return info


def _as_bytes(value: object) -> bytes:
    """A text chunk as bytes: JPEG comments are bytes, PNG text chunks are str."""
    if isinstance(value, bytes):
        return value
    return str(value or "").encode("utf-8", "replace")


def key_for(path: Path, info: Info, taken: set[str]) -> str:
    """A stable, safe file name for the image inside the outputs."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-").lower() or "image"
    key, n = f"{stem}.{info.extension}", 2
    while key in taken:
        key, n = f"{stem}-{n}.{info.extension}", n + 1
    return key


def warnings_for(manuscript: Path, path: Path, info: Info) -> list[str]:
    if info.stand_in:
        return [f"{manuscript}: {path.name} is the stand-in image; replace it with the real photo before publishing"]
    return []


def media_type(extension: str) -> str:
    return "image/png" if extension == "png" else "image/jpeg"


def print_size(path: Path) -> tuple[int, int]:
    """The pixel size the PDF writer receives for an image: upright, at most
    :data:`PRINT_LONG_EDGE` on the long edge."""
    with PILImage.open(path) as im:
        w, h = im.size
        if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF orientation: turned 90°
            w, h = h, w
    scale = min(1.0, PRINT_LONG_EDGE / max(w, h))
    return round(w * scale), round(h * scale)


def pixel_width(data: bytes) -> int:
    """The width in pixels of a processed image (read from its header)."""
    with PILImage.open(io.BytesIO(data)) as im:
        return im.width


def resize(data: bytes, name: str, long_edge: int, extension: str, owner: Path, cache_dir: Path | None = None) -> bytes:
    """The image (``data``, the file ``name``) at most ``long_edge`` pixels long, in
    sRGB, without metadata.  Errors name the manuscript (``owner``) that uses it."""
    key = hashlib.sha256(data + f"|{long_edge}|{extension}|v1".encode()).hexdigest()
    cached = cache_dir / f"{key}.{extension}" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            out = _render(data, long_edge, extension)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ManuscriptError(owner, f"image {name} is too large to process safely") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise ManuscriptError(owner, f"image {name} cannot be decoded ({e})") from None
    if cached:
        write_atomically(cached, out)
    return out


def _render(data: bytes, long_edge: int, extension: str) -> bytes:
    with PILImage.open(io.BytesIO(data)) as im:
        # JPEG can decode straight at a reduced scale: far less memory for huge photos.
        im.draft("RGB" if im.mode != "CMYK" else "CMYK", (long_edge, long_edge))
        # WeasyPrint switches Pillow to accept truncated files, process-wide; a cut-off
        # photo must fail here rather than print half grey.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        im.load()
        icc = im.info.get("icc_profile")
        im = ImageOps.exif_transpose(im)
        im = to_srgb(im, icc, keep_alpha=extension == "png")
        if max(im.size) > long_edge:
            im.thumbnail((long_edge, long_edge), PILImage.LANCZOS, reducing_gap=3.0)
        buf = io.BytesIO()
        if extension == "png":
            im.save(buf, "PNG", optimize=True)
        else:
            # Baseline (not progressive) JPEG: the format every e-reader decodes.
            im.save(buf, "JPEG", quality=86, optimize=True, subsampling="4:2:0")
        return buf.getvalue()


def to_srgb(im: PILImage.Image, icc: bytes | None, keep_alpha: bool) -> PILImage.Image:
    if im.mode in {"I;16", "I;16B", "I;16L", "I"}:
        im = im.point(lambda v: v / 256).convert("L")
    alpha = im.getchannel("A") if keep_alpha and "A" in im.getbands() else None
    if im.mode == "P":
        im = im.convert("RGBA" if keep_alpha else "RGB")
        alpha = im.getchannel("A") if keep_alpha else None
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGB"
            base = im.convert("CMYK") if im.mode == "CMYK" else im.convert("RGB") if im.mode not in {"L", "RGB"} else im
            if base.mode == "L":
                base = base.convert("RGB")
            im = ImageCms.profileToProfile(
                base, src, _SRGB, outputMode=mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            im = im.convert("RGB")
    elif im.mode != "RGB":
        im = im.convert("RGB")
    if alpha is not None:
        im.putalpha(alpha)
    return im
