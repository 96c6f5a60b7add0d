"""The press edition as PDF/X-4 (ISO 15930-7), the exchange format print shops ask for.

WeasyPrint's ``pdf/x-4`` variant writes the identification (``GTS_PDFXVersion`` in
the XMP metadata, ``Trapped``) and the output intent, from the CMYK profile the
press layer declares (``@color-profile device-cmyk``, see :mod:`longread.tokens`).
What it leaves is colour without a profile: PDF/X-4 accepts device RGB only when
it is tied to a profile, so photos are tagged as sRGB and the pages' resources
name sRGB as their ``DefaultRGB`` (for the crop marks, drawn in RGB black).  Text
and rules are already in CMYK ink (the press layer).  The dates PDF/X requires
are the build's time and the document's XMP identifier comes from its content, so
two builds stay byte-identical.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from functools import cache

VARIANT = "pdf/x-4"


def is_pdfx(variant: str) -> bool:
    return variant.startswith("pdf/x")


def set_dates(document, stamp: dt.datetime | None) -> None:
    """PDF/X needs a creation and a modification date; WeasyPrint would take the
    clock's, so a fixed build time goes in first."""
    when = (stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)).isoformat().replace("+00:00", "Z")
    document.metadata.modified = when
    if not document.metadata.created:
        document.metadata.created = when


def conform(pdf, identifier: str) -> None:
    """Give every device-RGB colour an ICC profile (sRGB): images directly, anything
    else through the pages' ``DefaultRGB`` colour space; and name the document by
    its content (``identifier``, 32 hex digits) where WeasyPrint draws a random one."""
    import pydyf

    document_id = f"xmp.did:{uuid.UUID(identifier)}".encode()
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
            packet = b"".join(obj.stream)
            obj.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", document_id, packet)]

    profile = pydyf.Stream([srgb_profile()], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(profile)
    space = pydyf.Array(("/ICCBased", profile.reference))
    for obj in list(pdf.objects):
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image":
            if obj.extra.get("ColorSpace") == "/DeviceRGB":
                obj.extra["ColorSpace"] = space
        elif isinstance(obj, pydyf.Dictionary) and "lab-d50" in obj:
            # WeasyPrint's one colour-space dictionary, shared by every page's resources.
            obj["DefaultRGB"] = space


@cache
def srgb_profile() -> bytes:
    """The sRGB profile WeasyPrint ships (the ICC's sRGB2014), or littleCMS's own."""
    from importlib.resources import files

    try:
        return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    except OSError:
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
