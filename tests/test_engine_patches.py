"""The two work-arounds for the PDF engine's own costs (see
:mod:`longread.writers.engine_patches`): same results, only sooner."""

from __future__ import annotations

import base64
import ctypes.util
import io
import random
import re
import shutil
import struct
import subprocess
import sys
import threading
import zlib

import pytest

from longread.writers import engine_patches

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("/sbin/ldconfig"), reason="ldconfig is Linux's"
)


# --- loading ----------------------------------------------------------------------


@linux_only
@pytest.mark.parametrize("name", ["pango-1.0", "gobject-2.0", "harfbuzz", "fontconfig", "c", "m"])
def test_library_lookup_gives_cpythons_answer(name):
    # CPython's own first step (the ldconfig cache); its fallbacks only matter for
    # names the cache does not know.
    expected = ctypes.util._findSoname_ldconfig(name)
    with engine_patches.quick_library_lookup():
        assert ctypes.util.find_library(name) == expected
    assert expected is not None


@linux_only
def test_library_lookup_finds_nothing_for_absent_or_misspelt_names():
    with engine_patches.quick_library_lookup():
        assert ctypes.util.find_library("no-such-library-anywhere") is None
        # WeasyPrint's first guesses use Windows-style names: a miss, as before.
        assert ctypes.util.find_library("libpango-1.0-0") is None


def test_library_lookup_is_undone_afterwards():
    original = ctypes.util.find_library
    with engine_patches.quick_library_lookup():
        pass
    assert ctypes.util.find_library is original
    with pytest.raises(RuntimeError), engine_patches.quick_library_lookup():
        raise RuntimeError("a failed import")
    assert ctypes.util.find_library is original


@linux_only
def test_weasyprint_loads_its_libraries_through_the_quick_lookup():
    # A fresh interpreter: which libraries cffi opened, with and without the lookup.
    probe = (
        "import sys, ctypes.util;"
        "from longread.writers.engine_patches import quick_library_lookup as q;"
        "ctx = q() if sys.argv[1] == 'quick' else __import__('contextlib').nullcontext();"
        "ctx.__enter__(); import weasyprint.text.ffi as f; ctx.__exit__(None, None, None);"
        "print(sorted(l for l in open('/proc/self/maps').read().split() if '.so' in l and "
        "any(k in l for k in ('pango', 'harfbuzz', 'gobject', 'fontconfig'))))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", probe, mode], capture_output=True, text=True)
        for mode in ("quick", "plain")
    ]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout
    assert "libharfbuzz-subset" in runs[0].stdout


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_font_tools_modules_wait_until_used():
    # A whole tagged PDF with the theme's fonts embedded, in a fresh interpreter.
    out = run_python(
        "import sys; from longread.writers import pdf; pdf.load_engine();"
        "from weasyprint import HTML;"
        "data = HTML(string='<p lang=en>Some text</p>').write_pdf(pdf_tags=True, uncompressed_pdf=True);"
        "print(b'/FontFile2' in data, sorted(m for m in sys.modules if m.startswith(('fontTools.subset', "
        "'fontTools.varLib'))))"
    )
    assert out.split() == ["True", "[]"]


STAND_INS = """
import io, sys, traceback
from longread.writers import pdf
pdf.load_engine()
import weasyprint.pdf.fonts as f
print("fontTools.subset" in sys.modules, f.subset.Subsetter.__module__)
from fontTools.ttLib import TTFont
font = TTFont()
font.setGlyphOrder([".notdef"])
try:
    f.instantiateVariableFont(font, {"wght": 400})
except Exception as e:
    print(traceback.extract_tb(e.__traceback__)[-1].filename.endswith("instancer/__init__.py"))
import fontTools.varLib.instancer as real
print(real.instantiateVariableFont.__module__)
"""


def test_font_tools_stand_ins_reach_the_real_functions():
    # Afterwards the real modules: the fallback subsetter, and the variable-font
    # instancer (whose own code refuses a font without variations).
    assert run_python(STAND_INS).split() == ["False", "fontTools.subset", "True", "fontTools.varLib.instancer"]


def test_font_tools_subsetter_still_works_without_harfbuzz_subsetter():
    out = run_python(
        "import sys; from longread.writers import pdf; pdf.load_engine();"
        "import weasyprint.pdf.fonts as f; f.harfbuzz_subset = None;"
        "from weasyprint import HTML;"
        "data = HTML(string='<p>Some text</p>').write_pdf(uncompressed_pdf=True);"
        "print(b'/FontFile2' in data, 'fontTools.subset' in sys.modules)"
    )
    assert out.split() == ["True", "True"]


def test_font_tools_stand_ins_are_gone_after_loading():
    # In a fresh interpreter: fontTools' subsetter adds methods to shared table
    # classes when it loads, so it cannot be loaded twice in one process.
    out = run_python(
        "import importlib, sys; from longread.writers import engine_patches as ep\n"
        "with ep.deferred_font_tools():\n"
        "    print(sys.modules['fontTools.subset'].__doc__.endswith('loaded when first used'))\n"
        "print('fontTools.subset' in sys.modules)\n"
        "print(importlib.import_module('fontTools.subset').Subsetter.__module__)"
    )
    assert out.split() == ["True", "False", "fontTools.subset"]


# --- tagging ----------------------------------------------------------------------

# Many pages, and every kind of structure element WeasyPrint's tagger reads the
# page references for: headings, paragraphs, links, lists (with and without
# bullets), description lists, tables, figures and margin boxes.
PAGE = """
<h2 id="s{n}">Section {n}</h2>
<p>Paragraph {n} with <em>emphasis</em>, <a href="#s{m}">a link back</a> and
<a href="https://example.org/{n}">one out</a>. {filler}</p>
<ul><li>one</li><li>two <ol><li>nested</li></ol></li></ul>
<ul style="list-style: none"><li>plain item</li></ul>
<dl><dt>term</dt><dd>description</dd></dl>
<table><thead><tr><th>Head</th><th scope="row">Row</th></tr></thead>
<tbody><tr><td colspan="2">Cell {n}</td></tr></tbody></table>
<figure><img alt="A red square" src="data:image/png;base64,{png}"/><figcaption>Figure {n}</figcaption></figure>
"""
# A two-colour palette PNG: WeasyPrint encodes it itself with or without the
# patches (only 8-bit grey and RGB ones go in as they are), so whole files compare.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAEAQMAAACTPww9AAAABlBMVEXIHh4eHshgjNd+"
    "AAAAC0lEQVR4nGNggAAAAAgAAbdYc5UAAAAASUVORK5CYII="
)


def tagged_pdf(uncompressed: bool = True, **options) -> bytes:
    from weasyprint import HTML

    body = "".join(PAGE.format(n=n, m=max(1, n - 1), filler="Words " * 120, png=PNG) for n in range(1, 13))
    html = (
        '<html lang="en"><head><title>Pages</title><style>@page { size: A6; '
        "@bottom-center { content: counter(page) } } h2 { break-before: page }</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTML(string=html).write_pdf(pdf_tags=True, pdf_identifier=b"fixed", uncompressed_pdf=uncompressed, **options)


@pytest.mark.parametrize("variant", [None, "pdf/ua-1", "pdf/a-3u"])
def test_tagged_pdf_is_the_same_with_the_page_references_built_once(variant):
    import weasyprint.pdf

    plain = tagged_pdf(pdf_variant=variant)
    with engine_patches.pdf_writing():
        assert weasyprint.pdf.add_tags is engine_patches._add_tags
        patched = tagged_pdf(pdf_variant=variant)
    assert len(re.findall(rb"/Type /Page\b(?!s)", plain)) >= 12
    assert plain.count(b"/StructElem") > 500
    assert patched == plain


def test_page_references_are_read_once_per_tagged_pdf(monkeypatch):
    import pydyf

    reads = []
    original = pydyf.PDF.page_references
    monkeypatch.setattr(pydyf.PDF, "page_references", property(lambda pdf: reads.append(1) or original.fget(pdf)))
    tagged_pdf()
    unpatched = len(reads)
    reads.clear()
    with engine_patches.pdf_writing():
        tagged_pdf()
    # Once for the tagger, and once per link target (WeasyPrint's anchors, untouched).
    assert len(reads) < unpatched / 10


def streams(pdf: bytes) -> list[bytes]:
    """Every stream's data but the cross-reference stream's (it holds byte offsets)."""
    found = re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return [m.group(1) for m in found if b"/XRef" not in pdf[max(0, m.start() - 200) : m.start()]]


def test_streams_compressed_at_the_default_level_hold_the_same_bytes():
    plain = streams(tagged_pdf(uncompressed=False))
    with engine_patches.pdf_writing():
        patched = streams(tagged_pdf(uncompressed=False))
    # zlib's header names the level: 78 DA for 9, 78 9C for the default (the PNG's
    # own data is at the default level either way).
    assert sum(s[:2] == b"\x78\xda" for s in plain) > 20
    assert not [s for s in patched if s[:2] == b"\x78\xda"]
    inflate = [zlib.decompress(s) if s[:1] == b"\x78" else s for s in plain]
    assert [zlib.decompress(s) if s[:1] == b"\x78" else s for s in patched] == inflate
    assert len(inflate) > 20


def test_writing_patches_are_undone_after_the_last_writer():
    import pydyf
    import weasyprint.pdf
    from weasyprint.images import RasterImage

    def current():
        return weasyprint.pdf.add_tags, pydyf.zlib, RasterImage._get_png_data, RasterImage.get_x_object

    originals = current()
    with engine_patches.pdf_writing():
        with engine_patches.pdf_writing():
            pass
        # the outer writer still writes, with all four patches
        assert all(now is not then for now, then in zip(current(), originals, strict=True))
    assert current() == originals
    with pytest.raises(RuntimeError), engine_patches.pdf_writing():
        raise RuntimeError("a failed write")
    assert current() == originals


def on_threads(work, count: int) -> list[Exception]:
    """Run ``work`` on ``count`` threads at once; what they raised."""
    errors = []

    def run():
        try:
            work()
        except Exception as e:  # noqa: BLE001 (returned to the test)
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_tagging_patch_holds_while_writers_on_threads_overlap():
    import weasyprint.pdf

    original = weasyprint.pdf.add_tags
    expected = tagged_pdf()
    results = []

    def write():
        with engine_patches.pdf_writing():
            results.append(tagged_pdf())

    assert on_threads(write, 3) == []
    assert results == [expected] * 3
    assert weasyprint.pdf.add_tags is original


def test_loading_on_several_threads_leaves_nothing_behind():
    import importlib

    original = ctypes.util.find_library

    def load():
        with engine_patches.loading():
            importlib.import_module("weasyprint")

    assert on_threads(load, 4) == []
    assert ctypes.util.find_library is original
    assert "fontTools.varLib.instancer" not in sys.modules or not hasattr(
        sys.modules["fontTools.varLib.instancer"], "__getattr__"
    )


# --- images -----------------------------------------------------------------------


def png(mode: str, size=(61, 37), **options) -> bytes:
    """A noisy PNG, so that its filters and compression are not trivial."""
    from PIL import Image

    depth = {"1": 1, "P": 1, "L": 1, "LA": 2, "I;16": 2, "RGB": 3, "RGBA": 4}[mode]
    im = Image.frombytes(mode, size, random.Random(7).randbytes(size[0] * size[1] * depth))
    buf = io.BytesIO()
    im.save(buf, "PNG", **options)
    return buf.getvalue()


def pdf_images(data: bytes):
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for _, image in page.images.items():
                yield image.read_raw_bytes(), pikepdf.PdfImage(image).as_pil_image().tobytes()


def pdf_with(image: bytes, patched: bool) -> bytes:
    from contextlib import nullcontext

    from weasyprint import HTML

    src = "data:image/png;base64," + base64.b64encode(image).decode()
    html = f'<p><img src="{src}" alt="noise" style="width: 2in"></p>'
    with engine_patches.pdf_writing() if patched else nullcontext():
        return HTML(string=html).write_pdf()


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_png_goes_into_the_pdf_as_it_is(mode):
    from PIL import Image

    data = png(mode, compress_level=1)  # WeasyPrint's own way compresses at 6
    pixels = Image.open(io.BytesIO(data)).tobytes()
    [(raw, shown)] = pdf_images(pdf_with(data, patched=True))
    # The PDF's stream is the PNG's own compressed data, and shows the same pixels
    # as WeasyPrint's own way (decode, encode again).
    assert raw == engine_patches.idat_stream(Image.open(io.BytesIO(data)))
    assert shown == pixels
    [(raw_plain, shown_plain)] = pdf_images(pdf_with(data, patched=False))
    assert shown_plain == pixels and raw_plain != raw


@pytest.mark.parametrize(
    "mode, options",
    [("P", {}), ("RGBA", {}), ("LA", {}), ("1", {})],
    ids=["palette", "alpha", "grey-alpha", "bilevel"],
)
def test_other_pngs_are_left_to_weasyprint(mode, options):
    from PIL import Image

    data = png(mode, **options)
    assert engine_patches.idat_stream(Image.open(io.BytesIO(data))) is None
    patched, plain = pdf_images(pdf_with(data, patched=True)), pdf_images(pdf_with(data, patched=False))
    assert [shown for _, shown in patched] == [shown for _, shown in plain]


def test_an_interlaced_or_16_bit_png_is_left_to_weasyprint():
    from PIL import Image

    # (WeasyPrint 70.0 itself cannot draw a 16-bit one; longread never hands it one.)
    assert engine_patches.idat_stream(Image.open(io.BytesIO(png("I;16")))) is None

    data = bytearray(png("RGB"))  # Pillow writes no interlaced PNG: mark the header as one
    data[28] = 1
    data[29:33] = struct.pack("!I", zlib.crc32(bytes(data[12:29])))
    assert engine_patches.idat_stream(Image.open(io.BytesIO(bytes(data)))) is None


def test_a_changed_png_is_encoded_again():
    from PIL import Image

    im = Image.open(io.BytesIO(png("RGB"))).convert("L")  # no longer the file's pixels
    assert engine_patches.idat_stream(im) is None


# --- resolution -------------------------------------------------------------------


def jpeg(size, **options) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buf, "JPEG", quality=95, **options)
    return buf.getvalue()


def pdf_at_300_ppi(image: bytes, mime: str, patched: bool, times: int = 1) -> list[bytes]:
    """The PDF (written ``times`` from one layout) of an image printed 2 in wide
    with its resolution capped at 300 ppi, as longread's print stylesheet does."""
    from contextlib import nullcontext

    from weasyprint import HTML

    src = f"data:{mime};base64," + base64.b64encode(image).decode()
    html = f'<img src="{src}" alt="noise" style="width: 2in; image-resolution: 300dpi">'
    doc = HTML(string=html).render(dpi=300)
    with engine_patches.pdf_writing() if patched else nullcontext():
        return [doc.write_pdf(dpi=300) for _ in range(times)]


@pytest.mark.parametrize("progressive", [False, True])
def test_an_image_over_300_ppi_is_brought_down_at_the_print_copys_quality(progressive):
    import pikepdf
    from PIL import Image

    first, second = pdf_at_300_ppi(jpeg((1800, 1200), progressive=progressive), "image/jpeg", True, times=2)
    for pdf in (first, second):  # the archival copy written after the print one is the same
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            [(_, image)] = doc.pages[0].images.items()
            raw = image.read_raw_bytes()
        with Image.open(io.BytesIO(raw)) as shown:
            # 2 in at 300 ppi; quantised as longread's print copy (WeasyPrint's own: 75)
            assert shown.size == (600, 400) and shown.format == "JPEG"
            assert shown.quantization[0][0] <= 4 and not shown.info.get("progressive")
    [plain] = pdf_at_300_ppi(jpeg((1800, 1200)), "image/jpeg", False)
    with pikepdf.open(io.BytesIO(plain)) as doc:
        [(_, image)] = doc.pages[0].images.items()
        with Image.open(io.BytesIO(image.read_raw_bytes())) as shown:
            assert shown.size == (600, 400) and shown.quantization[0][0] > 4


def test_a_png_over_300_ppi_is_brought_down_and_goes_in_as_it_is():
    from PIL import Image

    [pdf] = pdf_at_300_ppi(png("RGB", size=(1200, 300)), "image/png", True)
    [(_, shown)] = pdf_images(pdf)
    assert len(shown) == 600 * 150 * 3  # 2 in at 300 ppi
    [(_, plain)] = pdf_images(pdf_at_300_ppi(png("RGB", size=(1200, 300)), "image/png", False)[0])
    assert len(plain) == len(shown)
    assert Image.frombytes("RGB", (600, 150), shown).getextrema() != ((0, 0), (0, 0), (0, 0))
