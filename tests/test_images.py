"""Images: read once and bounded, checked from the header, decoded once into every copy."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from longread.assets import images
from longread.errors import ManuscriptError
from longread.files import Inputs
from test_hostile import _png


def _bytes(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _source(tmp_path: Path, name: str, data: bytes) -> images.Source:
    (tmp_path / name).write_bytes(data)
    manuscript = tmp_path / "story.md"
    return images.load(manuscript, images.resolve(manuscript, name), Inputs())


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_one_decode_gives_every_copy_at_its_size(tmp_path):
    src = _source(tmp_path, "wide.jpg", _bytes(Image.new("RGB", (8000, 4000), "teal"), "JPEG"))
    picture = images.prepare(src, tmp_path / "story.md", ("screen", "print", "cover"))
    assert _open(picture.screen).size == (1600, 800)
    assert _open(picture.print).size == (3000, 1500) == picture.print_size
    assert _open(picture.cover).size == (2400, 1200)


def test_small_images_are_never_upscaled(tmp_path):
    src = _source(tmp_path, "small.png", _bytes(Image.new("RGB", (300, 200), "red"), "PNG"))
    picture = images.prepare(src, tmp_path / "story.md")
    assert _open(picture.screen).size == _open(picture.print).size == (300, 200)
    assert picture.extension == "png" and picture.cover is None


def test_copies_carry_no_metadata(tmp_path):
    exif = Image.Exif()
    exif[0x013B] = "SECRET artist"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _bytes(Image.new("RGB", (64, 48), "navy"), "JPEG", comment=b"SECRET comment", exif=exif, icc_profile=icc)
    picture = images.prepare(_source(tmp_path, "tagged.jpg", data), tmp_path / "story.md", ("screen", "print", "cover"))
    for copy in (picture.screen, picture.print, picture.cover):
        assert b"SECRET" not in copy and b"Exif" not in copy and b"ICC_PROFILE" not in copy
        # Nothing between the start of the image and the quantisation tables but JFIF.
        with _open(copy) as im:
            assert set(im.applist and [m for m, _ in im.applist] or []) <= {"APP0"}


def test_exif_orientation_is_applied_then_dropped(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    src = _source(tmp_path, "turned.jpg", _bytes(Image.new("RGB", (200, 100), "navy"), "JPEG", exif=exif))
    picture = images.prepare(src, tmp_path / "story.md")
    with _open(picture.screen) as im:
        assert im.size == (100, 200) and im.getexif().get(0x0112) is None


@pytest.mark.parametrize(
    "mode, colour",
    [("1", 1), ("L", 128), ("LA", (90, 128)), ("P", 3), ("I;16", 40000), ("CMYK", (0, 120, 200, 20))],
)
def test_every_supported_mode_converts(mode, colour, tmp_path):
    fmt = "TIFF" if mode in {"CMYK"} else "PNG"
    src = _source(tmp_path, f"x.{fmt.lower()}", _bytes(Image.new(mode, (2000, 7000), colour), fmt))
    picture = images.prepare(src, tmp_path / "story.md")
    with _open(picture.screen) as im:
        assert im.mode in {"RGB", "RGBA"} and max(im.size) == 1600


def test_sixteen_bit_grey_keeps_its_tone(tmp_path):
    src = _source(tmp_path, "grey.png", _bytes(Image.new("I;16", (64, 48), 32768), "PNG"))
    with _open(images.prepare(src, tmp_path / "story.md").screen) as im:
        assert abs(im.convert("L").getpixel((10, 10)) - 128) <= 2


def test_large_bilevel_image_is_shrunk_in_bands(tmp_path):
    """A bilevel image far over the print size: converted a band at a time, and
    half-tone stays grey on average (not aliased to black or white)."""
    im = Image.new("1", (12100, 9000), 0)
    im.paste(1, (0, 0, 12100, 4500))
    src = _source(tmp_path, "bilevel.png", _bytes(im, "PNG"))
    with _open(images.prepare(src, tmp_path / "story.md").print) as out:
        assert out.size == (3000, 2231)
        assert out.convert("L").getpixel((100, 100)) == 255 and out.convert("L").getpixel((100, 2200)) == 0


def test_file_size_is_refused_before_reading(tmp_path):
    path = tmp_path / "sparse.jpg"
    path.write_bytes(b"")
    os.truncate(path, images.MAX_FILE_BYTES + 1)
    with pytest.raises(ManuscriptError, match="the limit is 200 MB"):
        images.load(tmp_path / "story.md", path, Inputs())


def test_a_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    with pytest.raises(ManuscriptError, match="not a regular file|not found"):
        images.load(tmp_path / "story.md", tmp_path / "pipe.jpg", Inputs())


def test_a_link_swapped_in_after_resolving_is_not_followed(tmp_path):
    story = tmp_path / "story"
    story.mkdir()
    (story / "photo.jpg").write_bytes(_bytes(Image.new("RGB", (8, 8)), "JPEG"))
    found = images.resolve(story / "story.md", "photo.jpg")
    (tmp_path / "outside.jpg").write_bytes(_bytes(Image.new("RGB", (8, 8), "red"), "JPEG"))
    (story / "photo.jpg").unlink()
    (story / "photo.jpg").symlink_to(tmp_path / "outside.jpg")  # swapped after resolve()
    with pytest.raises(ManuscriptError, match="leads outside its folder"):
        images.load(story / "story.md", found, Inputs())


@pytest.mark.parametrize(
    "data, message",
    [
        # Only the header is read: a PNG that claims 14100 x 14100 RGBA pixels (16-bit).
        (_png(14100, 14100, 16, 6, []), "need 758 MB of memory; the limit is 640 MB"),
        (_png(14100, 14100, 1, 0, []), None),  # the same size in one bit a pixel: 190 MB
        (_bytes(Image.new("F", (64, 48)), "TIFF"), "has floating-point samples"),
        (_bytes(Image.new("I", (64, 48)), "TIFF"), "has 32-bit integer samples"),
    ],
)
def test_header_check_refuses_what_cannot_be_decoded_faithfully(data, message, tmp_path):
    if message is None:
        assert images.inspect(tmp_path / "story.md", "x", data).width == 14100
        return
    with pytest.raises(ManuscriptError, match=message):
        images.inspect(tmp_path / "story.md", "x", data)


def test_control_characters_in_a_source_are_refused(tmp_path):
    with pytest.raises(ManuscriptError, match="has a control character in its name"):
        images.resolve(tmp_path / "story.md", "images/photo%00.jpg")


def test_a_manuscripts_images_together_are_bounded(tmp_path, monkeypatch):
    from longread.source import imagefiles

    for name, colour in (("a.png", "red"), ("b.png", "blue")):
        (tmp_path / name).write_bytes(_bytes(Image.new("RGB", (64, 48), colour), "PNG"))
    files = imagefiles.ImageFiles(tmp_path / "story.md", Inputs())
    size = len((tmp_path / "a.png").read_bytes())
    monkeypatch.setattr(imagefiles, "MAX_TOTAL_BYTES", size + 10)
    assert files.use("a.png")[1] == "a.png"
    assert files.use("./a.png")[1] == "a.png"  # the same file again costs nothing
    with pytest.raises(ManuscriptError, match="the images of this manuscript take over"):
        files.use("b.png")


# --- a JPEG that needs no change goes through as it is ------------------------------


def _noisy(size=(640, 480), mode="RGB") -> Image.Image:
    return Image.effect_noise(size, 60).convert(mode)


def test_an_upright_srgb_jpeg_keeps_its_pixels_and_loses_its_metadata(tmp_path, monkeypatch):
    exif = Image.Exif()
    exif[0x013B] = "SECRET artist"
    xmp = b"<x:xmpmeta>SECRET xmp</x:xmpmeta>"
    data = _bytes(_noisy(), "JPEG", quality=92, comment=b"SECRET comment", exif=exif, xmp=xmp)
    data += b"SECRET trailer after the end of the image"
    src = _source(tmp_path, "plain.jpg", data)
    monkeypatch.setattr(images, "_decode", None)  # the pixels are never decoded
    picture = images.prepare(src, tmp_path / "story.md", ("screen", "print"))
    assert picture.screen == picture.print and picture.print_size == (640, 480)
    assert b"SECRET" not in picture.print and len(picture.print) < len(data)
    with _open(picture.print) as out, _open(data) as original:
        assert [m for m, _ in out.applist] == ["APP0"]
        assert out.tobytes() == original.tobytes()  # the same entropy-coded data


@pytest.mark.parametrize(
    "options, copies",
    [
        ({}, {"screen", "print"}),
        ({"progressive": True}, {"print"}),  # e-readers get a baseline JPEG
        ({"icc_profile": ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()}, set()),
        ({"exif": (lambda e: e.__setitem__(0x0112, 3) or e)(Image.Exif())}, set()),  # upside down
        ({"exif": (lambda e: e.__setitem__(0x0112, 6) or e)(Image.Exif())}, set()),  # a quarter turn
    ],
)
def test_which_jpegs_go_through_as_they_are(options, copies, tmp_path):
    src = _source(tmp_path, "x.jpg", _bytes(_noisy(), "JPEG", **options))
    assert {name for name in ("screen", "print") if images.as_is(src, name) is not None} == copies


def test_a_jpeg_larger_than_a_copy_or_not_rgb_is_decoded(tmp_path):
    big = _source(tmp_path, "big.jpg", _bytes(_noisy((2000, 1000)), "JPEG"))
    assert images.as_is(big, "print") is not None and images.as_is(big, "screen") is None
    cmyk = _source(tmp_path, "cmyk.jpg", _bytes(_noisy(mode="CMYK"), "JPEG"))
    assert images.as_is(cmyk, "print") is None
    assert images.as_is(big, "cover") is None  # the cover is always drawn anew
    picture = images.prepare(cmyk, tmp_path / "story.md", ("print",))
    with _open(picture.print) as out:
        assert out.mode == "RGB"


@pytest.mark.parametrize("cut", [3, 40, -3])
def test_a_damaged_jpeg_is_not_passed_on(cut, tmp_path):
    data = _bytes(_noisy(), "JPEG")
    assert images._plain_jpeg(data) is not None
    assert images._plain_jpeg(data[:cut]) is None  # cut off in a header, or before its end
    assert images._plain_jpeg(data[:4] + b"\xff\xff" + data[6:]) is None  # a segment longer than the file
    assert images._plain_jpeg(data[:20] + b"\x00" + data[21:]) is None  # no marker where one must be


def test_a_screen_copy_within_reach_of_the_jpeg_decoders_scaling_is_not_resampled(tmp_path):
    src = _source(tmp_path, "photo.jpg", _bytes(_noisy((3000, 2000)), "JPEG", progressive=True))
    with _open(images.prepare(src, tmp_path / "story.md", ("screen",)).screen) as screen:
        assert screen.size == (1500, 1000)  # decoded at half scale, 1500 >= 0.9 x 1600
    wide = _source(tmp_path, "wide.jpg", _bytes(_noisy((4000, 1000)), "JPEG"))
    with _open(images.prepare(wide, tmp_path / "story.md", ("screen",)).screen) as screen:
        assert screen.size == (1600, 400)  # half scale would give 2000: resampled to 1600
