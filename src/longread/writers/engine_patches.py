"""Work-arounds for six costs in the PDF engine's own code, applied only while
longread loads WeasyPrint or writes a PDF (never at import, and undone after).

1. Loading the system libraries.  WeasyPrint 70.0 (``weasyprint/text/ffi.py``, ``_dlopen``, lines
   469-490 and 503-525) tries several names for each system library with
   ``cffi``'s ``ffi.dlopen``; every name that is not a file name makes cffi 2.0
   (``cffi/api.py``, ``_load_backend_lib``, line 820) ask
   ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then
   ``gcc`` and ``ld`` when the cache has no answer.  On Debian 12 the optional
   ``harfbuzz-vector`` library does not exist at all (HarfBuzz 6.0 has no
   vector library), so its six names cost six full searches, and the other
   libraries a few misses each before the name that matches: 22 searches, about
   a quarter of a second.  :func:`quick_library_lookup` answers them all from
   one reading of the ``ldconfig`` cache.

2. Loading fontTools.  WeasyPrint 70.0's ``weasyprint/pdf/fonts.py`` (lines
   9-11) imports ``fontTools.subset`` and ``fontTools.varLib.instancer`` when it
   loads, about 0.15 s, though it calls them only to subset without HarfBuzz's
   subsetter (line 217) or to instance a variable font (line 166); longread's
   fonts are static and the subsetter is installed.  :func:`deferred_font_tools`
   lets both load when first used instead.

3. Tagging.  pydyf 0.13.0's ``PDF.page_references`` (``pydyf/__init__.py``,
   lines 506-510) is a property that builds a new tuple of every page's
   reference each time it is read, and WeasyPrint 70.0's tagged-PDF writer
   (``weasyprint/pdf/tags.py``, lines 177, 193, 244, 256, 263 and 287) reads it
   once per structure element, so writing a tagged PDF grows with pages ×
   elements (0.8 s of a 4.5 s write at 145 pages; minutes at 1,300).
   :func:`_add_tags` hands WeasyPrint's ``add_tags`` (imported by
   ``weasyprint/pdf/__init__.py``, line 17, called at line 332) a view of the
   document whose page references are built once; the pages do not change
   while the tags are written, so the PDF is byte for byte the same.

4. Compressing.  pydyf 0.13.0 compresses every stream at zlib's level 9
   (``pydyf/__init__.py``, ``Stream.data``, line 415).  On WeasyPrint's page
   content that is four times the work of zlib's default level 6 for streams
   3% smaller (0.85 s against 0.22 s at 145 pages); :func:`pdf_writing` has
   pydyf use level 6.  The streams hold the same bytes once inflated.

5. Images.  WeasyPrint 70.0 puts a PNG into the PDF by decoding it and saving
   it again with Pillow, to take the IDAT chunks of the new file as the image's
   Flate stream (``weasyprint/images.py``, ``RasterImage.get_x_object``, line
   198, and ``_get_png_data``, lines 203-229).  The print copy longread hands
   it is already an 8-bit, non-interlaced PNG whose IDAT chunks are exactly that
   stream: :func:`_png_data` takes them as they are (0.9 s of a 28 MB PNG's
   build), and leaves every other image (palette, 16-bit, interlaced, with
   alpha) to WeasyPrint.

6. Resolution.  The print stylesheet caps images at 300 ppi
   (``image-resolution``), and WeasyPrint 70.0 brings a larger image down to it
   as it writes (``weasyprint/images.py``, ``RasterImage.get_x_object``, lines
   122-133): it decodes the whole image, shrinks it with Pillow's
   ``thumbnail`` and saves it at Pillow's default JPEG quality, 75, low for
   print, and stores the result over the image's own data, so that a second
   PDF written from the same layout (the archival copy) decodes and saves that
   copy again, another generation of JPEG loss.  :func:`_x_object` makes the
   smaller copy with :func:`longread.assets.images.at_print_size` (the JPEG
   decoded at a reduced scale, far less memory; Lanczos; the print copy's
   quality) and leaves the image's own data as it is.  Images with transparency
   are left to WeasyPrint.
"""

from __future__ import annotations

import copy
import importlib
import io
import os
import re
import struct
import subprocess
import sys
import threading
import types
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

_loading = threading.Lock()


@contextmanager
def loading() -> Iterator[None]:
    """While WeasyPrint is imported: both loading work-arounds, one thread at a
    time (each restores what it found, which must not be another's stand-in)."""
    with _loading, quick_library_lookup(), deferred_font_tools():
        yield


# --- 1. loading -------------------------------------------------------------------


@contextmanager
def quick_library_lookup() -> Iterator[None]:
    """While inside, ``ctypes.util.find_library`` answers from one ``ldconfig -p``
    run, with the same answers as CPython's first (``ldconfig``) step.

    Its slow fallbacks (``gcc``, ``ld``) are left out: every library WeasyPrint
    needs is also tried under its exact file name (``libpango-1.0.so.0``), which
    the dynamic loader finds on its own, ``LD_LIBRARY_PATH`` included.
    """
    import ctypes.util

    cache = _ldconfig_cache() if sys.platform.startswith("linux") else None
    if cache is None:
        yield
        return
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        found = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({_abi_type()}", cache)
        return found.group(1) if found else None

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _ldconfig_cache() -> str | None:
    try:
        done = subprocess.run(
            ["/sbin/ldconfig", "-p"],
            capture_output=True,
            env={"LC_ALL": "C", "LANG": "C"},
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return os.fsdecode(done.stdout)


def _abi_type() -> str:
    """The ABI tag ``ldconfig -p`` prints for this interpreter's libraries, as
    CPython's ``ctypes.util._findSoname_ldconfig`` reads it."""
    machine = os.uname().machine + ("-64" if sys.maxsize > 2**32 else "-32")
    return {
        "x86_64-64": "libc6,x86-64",
        "ppc64-64": "libc6,64bit",
        "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit",
        "ia64-64": "libc6,IA-64",
    }.get(machine, "libc6")


# --- 2. fontTools -----------------------------------------------------------------

_SUBSET, _INSTANCER = "fontTools.subset", "fontTools.varLib.instancer"


@contextmanager
def deferred_font_tools() -> Iterator[None]:
    """While inside, importing ``fontTools.subset`` or ``instantiateVariableFont``
    from ``fontTools.varLib.instancer`` gives stand-ins that import the real
    module when first used; afterwards, importers get the real modules."""
    if _SUBSET in sys.modules or _INSTANCER in sys.modules:
        yield  # already loaded by someone: nothing to save
        return
    stand_ins = {_SUBSET: _stand_in(_SUBSET), _INSTANCER: _stand_in(_INSTANCER, "instantiateVariableFont")}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _stand_in(name: str, *functions: str) -> types.ModuleType:
    """A module that imports the real one ``name`` when an attribute is first
    read (PEP 562), with ``functions`` that do so when called (``from name import
    function`` reads the attribute at once)."""
    stand_in = types.ModuleType(name, f"{name}, loaded when first used")

    def real() -> types.ModuleType:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        return importlib.import_module(name)

    def attribute(attr: str):
        if attr.startswith("__"):
            # The import system probes for __path__ and __spec__: no reason to load.
            raise AttributeError(attr)
        return getattr(real(), attr)

    stand_in.__getattr__ = attribute
    for function in functions:

        def forward(*args, _function: str = function, **kwargs):
            return getattr(real(), _function)(*args, **kwargs)

        setattr(stand_in, function, forward)
    return stand_in


# --- 3. tagging -------------------------------------------------------------------


class _FixedPages:
    """The pydyf document as WeasyPrint's tagger sees it: everything delegated,
    but the page references built once."""

    def __init__(self, pdf) -> None:
        object.__setattr__(self, "_pdf", pdf)
        object.__setattr__(self, "page_references", pdf.page_references)

    def __getattr__(self, name: str):
        return getattr(self._pdf, name)

    def __setattr__(self, name: str, value) -> None:
        setattr(self._pdf, name, value)


class _Zlib:
    """zlib as pydyf sees it while longread writes: the same, but streams
    compressed at zlib's default level instead of 9."""

    def __getattr__(self, name: str):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args, **kwargs):
        return zlib.compressobj(min(level, STREAM_LEVEL), *args, **kwargs)


#: zlib's own default: 4x faster than level 9 on PDF content, 3% larger streams.
STREAM_LEVEL = 6

_lock = threading.Lock()
_writers = 0
_originals: dict[str, object] = {}


def _add_tags(pdf, *args, **kwargs):
    return _originals["add_tags"](_FixedPages(pdf), *args, **kwargs)


# --- 5. images --------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG colour types the PDF takes as they are, with the Pillow mode each opens as.
_AS_IS = {0: "L", 2: "RGB"}


def _png_data(pillow_image) -> bytes:
    """WeasyPrint's ``_get_png_data``: the image's Flate stream with PNG predictors."""
    as_is = idat_stream(pillow_image)
    return as_is if as_is is not None else _originals["png_data"](pillow_image)


def idat_stream(pillow_image) -> bytes | None:
    """The IDAT chunks of a PNG opened from memory and not yet changed, when they
    are a PDF image stream as they are (8 bits, grey or RGB, not interlaced)."""
    fp = getattr(pillow_image, "fp", None)
    if pillow_image.format != "PNG" or not isinstance(fp, io.BytesIO):
        return None
    data = fp.getvalue()
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR" or len(data) < 33:
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack("!IIBBBBB", data[16:29])
    if depth != 8 or interlace or _AS_IS.get(colour) != pillow_image.mode or (width, height) != pillow_image.size:
        return None
    chunks, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack("!I4s", data[at : at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8 : at + 8 + length])
        at += 12 + length
    return b"".join(chunks) or None


def _x_object(image, interpolate, dpi_ratio):
    """WeasyPrint's ``RasterImage.get_x_object``, given a copy already at the size
    ``dpi_ratio`` asks for (see 6. above)."""
    from ..assets.images import at_print_size

    original = _originals["x_object"]
    if dpi_ratio >= 1 or image.mode not in ("RGB", "L") or image.format not in ("JPEG", "PNG"):
        return original(image, interpolate, dpi_ratio)
    size = (max(1, round(image.width * dpi_ratio)), max(1, round(image.height * dpi_ratio)))
    smaller = copy.copy(image)
    smaller.width, smaller.height = size
    data = at_print_size(image.image_data.data, size)
    smaller.image_data = image.cache_image_data(data, slot=f"longread-{size[0]}x{size[1]}")
    return original(smaller, interpolate, 1)


@contextmanager
def pdf_writing() -> Iterator[None]:
    """While inside, WeasyPrint writes tagged PDFs with page references built once,
    pydyf compresses streams at zlib's default level, PNG images go in
    without being decoded and encoded again, and images larger than 300 ppi
    are brought down to it by longread.

    Safe for several builds on threads at once: the first to enter installs the
    work-arounds, the last to leave restores WeasyPrint's and pydyf's own.
    """
    global _writers
    import pydyf
    import weasyprint.images
    import weasyprint.pdf

    raster = weasyprint.images.RasterImage
    with _lock:
        if _writers == 0:
            _originals.update(
                add_tags=weasyprint.pdf.add_tags,
                zlib=pydyf.zlib,
                png_data=raster._get_png_data,
                x_object=raster.get_x_object,
            )
            weasyprint.pdf.add_tags = _add_tags
            pydyf.zlib = _Zlib()
            raster._get_png_data = staticmethod(_png_data)
            raster.get_x_object = _x_object
        _writers += 1
    try:
        yield
    finally:
        with _lock:
            _writers -= 1
            if _writers == 0:
                weasyprint.pdf.add_tags = _originals.pop("add_tags")
                pydyf.zlib = _originals.pop("zlib")
                raster._get_png_data = staticmethod(_originals.pop("png_data"))
                raster.get_x_object = _originals.pop("x_object")
