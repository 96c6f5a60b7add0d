"""The print PDF: pages, fonts, text, metadata, navigation and images, read back."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from longread import theme as themes
from validators import make, pdf_facts, pdf_text, squash

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "manuscript" / "last-take-review.md"
SEED = Path(__file__).resolve().parent / "fixtures" / "seed-review.txt"  # the text as delivered
SHORT_TITLE = "Who’s to Blame for the Rust Shooting"  # the review's running head


def build_pdf(manuscript: Path, out: Path, theme: str = "magazine", **options) -> Path:
    (output,) = make(manuscript, formats=("pdf",), output_dir=out, theme=theme, **options).outputs
    return output.path


@pytest.fixture(scope="module")
def review(tmp_path_factory) -> Path:
    return build_pdf(REVIEW, tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="module")
def book_review(tmp_path_factory) -> Path:
    """The review in the second bundled theme."""
    return build_pdf(REVIEW, tmp_path_factory.mktemp("pdf-book"), theme="book")


@pytest.fixture(scope="module")
def noted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("noted")
    body = "\n\n".join(
        f"Paragraph {i} of a long read, set to fill the page with enough words that the "
        "text runs on for several lines and the note lands where a reader expects it. " * 3
        for i in range(1, 6)
    )
    (folder / "notes.md").write_text(
        f"""---
title: A Page with Notes
author: Ada Lovelace
---

Opening words with a note.[^one] See [the archive](https://example.org/archive).

## First part

{body}

[^one]: NOTETEXT at the foot of the page.
""",
        encoding="utf-8",
    )
    return build_pdf(folder / "notes.md", folder / "out")


def test_letter_is_the_default_page(review):
    facts = pdf_facts(review)
    assert facts.media == [0, 0, 612, 792]
    assert facts.pages >= 2


@pytest.mark.parametrize("paper, size", [("a4", [0, 0, 595.28, 841.89]), ("trade", [0, 0, 432, 648])])
def test_other_papers(paper, size, tmp_path):
    facts = pdf_facts(build_pdf(REVIEW, tmp_path, paper=paper))
    assert facts.media == pytest.approx(size, abs=0.01)


THEMES = [("review", "magazine", "Gentium Book Plus"), ("book_review", "book", "Linux Libertine O")]


@pytest.mark.parametrize("pdf, theme, family", THEMES)
def test_every_font_is_embedded_and_is_the_theme_family(pdf, theme, family, request):
    facts = pdf_facts(request.getfixturevalue(pdf))
    assert facts.fonts and not facts.unembedded
    assert facts.families == {family}
    assert facts.tagged


@pytest.mark.parametrize("pdf, theme, family", THEMES)
def test_pdf_and_epub_use_the_same_font_files(pdf, theme, family, request):
    """The faces in the PDF are cut from the theme's font files, as the EPUB's are."""
    pdf = pikepdf.open(request.getfixturevalue(pdf))
    theme_glyphs = {}
    for face in themes.load(theme).faces:
        tt = TTFont(face.path)
        theme_glyphs[(tt["name"].getDebugName(1), tt["name"].getDebugName(2))] = tt["head"].unitsPerEm
    seen = set()
    for page in pdf.pages:
        for _, font in (page.Resources.get("/Font") or {}).items():
            desc = font.DescendantFonts[0].FontDescriptor
            program = desc.get("/FontFile2") or desc.get("/FontFile3")  # TrueType, or OpenType (CFF)
            tt = TTFont(io.BytesIO(program.read_bytes()))
            seen.add((tt["name"].getDebugName(1), tt["name"].getDebugName(2)))
    assert seen and seen <= set(theme_glyphs)


def test_text_holds_title_dek_caption_credit_and_last_paragraph(review):
    seed = SEED.read_text(encoding="utf-8").strip().split("\n\n")
    text = squash(pdf_text(review, running_head=SHORT_TITLE))
    headline, dek, (caption, credit), last = seed[1], seed[2], seed[3].split("\n"), seed[-1]
    for part in (headline, dek, caption, credit, last):
        assert squash(part) in text, part[:60]


def test_document_metadata(review):
    facts = pdf_facts(review)
    assert facts.title == "A Harrowing Documentary Examines Who’s to Blame for the Rust Shooting"
    assert facts.lang == "en-US"
    assert facts.tagged


def test_author_metadata(noted):
    assert PdfReader(noted).metadata.author == "Ada Lovelace"


def test_outline_and_links(noted):
    reader = PdfReader(noted)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "A Page with Notes" in titles
    nested = [o for o in reader.outline if isinstance(o, list)]
    assert any(o.title == "First part" for group in nested for o in group)
    uris = [a.get_object().get("/A", {}).get("/URI") for page in reader.pages for a in page.get("/Annots") or []]
    assert "https://example.org/archive" in uris


def test_footnote_sits_at_the_foot_of_its_page(noted):
    reader = PdfReader(noted)
    page = reader.pages[0]
    found = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.setdefault(text.strip()[:8], tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    note_y = next(y for t, y in found.items() if t.startswith("NOTETEXT"))
    body_ys = [y for t, y in found.items() if t.startswith("Paragrap") or t.startswith("Opening")]
    assert note_y < min(body_ys), "the note must be below the body text on its page"
    assert note_y < 2 * 72, "the note must be in the bottom margin area"


def test_running_head_from_page_two_and_folios(review):
    reader = PdfReader(review)
    first, second = (p.extract_text() for p in reader.pages[:2])
    head = squash("A Harrowing Documentary")
    assert squash(first).count(head) == 1  # the headline only, no running head
    assert squash(SHORT_TITLE) in squash(second)  # the manuscript's short title
    assert first.strip().endswith("1") and second.strip().endswith("2")


def test_images_are_placed_at_300_ppi(review):
    facts = pdf_facts(review)
    assert facts.min_ppi == pytest.approx(300, abs=1.5)


@pytest.fixture(scope="module", params=["magazine", "book"])
def press(request, tmp_path_factory) -> Path:
    return build_pdf(REVIEW, tmp_path_factory.mktemp("press"), theme=request.param, paper="trade", press=True)


def test_press_pdf_has_bleed_trim_and_room_for_crop_marks(press):
    path = press
    assert path.name == "last-take-review-press.pdf"
    for page in pikepdf.open(path).pages:
        trim = [float(v) for v in page.obj.TrimBox]
        bleed = [float(v) for v in page.obj.BleedBox]
        media = [float(v) for v in page.obj.MediaBox]
        assert trim[2] - trim[0] == pytest.approx(432) and trim[3] - trim[1] == pytest.approx(648)
        # 1/8 in (9 pt) of bleed on every side, the marks beyond it.
        assert [t - b for t, b in zip(trim[:2], bleed[:2], strict=True)] == pytest.approx([9, 9])
        assert [b - t for t, b in zip(trim[2:], bleed[2:], strict=True)] == pytest.approx([9, 9])
        assert media[0] < bleed[0] and media[2] > bleed[2]


def test_press_pdf_is_pdf_x4_with_a_cmyk_output_intent(press):
    pdf = pikepdf.open(press)
    assert pdf.pdf_version >= "1.6"
    with pdf.open_metadata() as xmp:
        assert xmp.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    assert pdf.docinfo["/Trapped"] == "/False" and str(pdf.docinfo["/Title"])
    assert pdf.docinfo["/CreationDate"] and pdf.docinfo["/ModDate"]
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier)
    profile = intent.DestOutputProfile
    assert profile.N == 4 and profile.read_bytes()[16:20] == b"CMYK"  # the ICC header's colour space
    facts = pdf_facts(press)
    assert facts.fonts and not facts.unembedded


def test_press_pdf_has_no_colour_without_a_profile(press):
    """PDF/X-4 refuses device RGB: text and rules are in CMYK ink, photos are tagged
    sRGB, and the pages name sRGB as their DefaultRGB (the crop marks)."""
    pdf = pikepdf.open(press)
    for page in pdf.pages:
        spaces = page.Resources.ColorSpace
        assert spaces.DefaultRGB[0] == "/ICCBased" and spaces.DefaultRGB[1].N == 3
        for image in page.images.values():
            assert image.ColorSpace in ("/DeviceGray", "/DeviceCMYK") or image.ColorSpace[0] == "/ICCBased"
        ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
        assert not ops & {"rg", "RG"}  # no device RGB fill or stroke in the page's text and rules
        assert "k" in ops or "scn" in ops or "sc" in ops


def test_press_pdf_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build_pdf(REVIEW, tmp_path / "a", paper="trade", press=True).read_bytes()
    assert build_pdf(REVIEW, tmp_path / "b", paper="trade", press=True).read_bytes() == first


def test_small_image_is_reported_not_upsampled(tmp_path):
    from PIL import Image

    (tmp_path / "img").mkdir()
    Image.new("RGB", (600, 400), (90, 120, 150)).save(tmp_path / "img" / "small.jpg")
    (tmp_path / "small.md").write_text(
        "---\ntitle: Small\nphoto: {src: img/small.jpg, alt: A blue field.}\n---\n\nText.\n", encoding="utf-8"
    )
    result = make(tmp_path / "small.md", formats=("pdf",), output_dir=tmp_path / "out")
    (warning,) = [w for w in result.warnings if "ppi" in w]
    assert "small.jpg" in warning and "130 ppi" in warning
    pdf = pikepdf.open(result.outputs[0].path)
    widths = [int(x.Width) for page in pdf.pages for x in page.images.values()]
    assert widths == [600]


@pytest.mark.parametrize("paper", ["letter", "a4", "trade"])
def test_no_stray_line_breaks_in_paragraphs(paper, tmp_path):
    """A short line followed by one that carries on the sentence (lower case) is a
    line broken for no reason: a typesetting fault a reader sees at once."""
    import subprocess

    path = build_pdf(REVIEW, tmp_path, paper=paper)
    text = (
        subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        if shutil.which("pdftotext")
        else None
    )
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    lines = [ln.strip() for ln in text.splitlines()]
    full = max(len(ln) for ln in lines)
    display = squash(" ".join(SEED.read_text(encoding="utf-8").split("\n\n")[:4]))  # title block, caption
    for line, following in zip(lines, lines[1:], strict=False):
        if squash(line) in display or len(line) == 1:  # display type, the drop cap
            continue
        if line and following and following[0].islower():
            assert len(line) > full * 0.4, f"stray break after {line!r} (then {following[:30]!r})"
