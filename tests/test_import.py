"""``longread import``: Word, OpenDocument and HTML files become manuscripts that build.

The Word file is written with python-docx, holding every feature a manuscript
has; footnotes, comments' neighbours and tracked changes, which python-docx has no
API for, are added as the WordprocessingML that Word itself writes (ECMA-376 part 1,
17.11 footnotes, 17.13.5 revisions).
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import re
import threading
import zipfile
from pathlib import Path

import docx
import pypandoc
import pytest
import yaml
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches
from lxml import etree
from PIL import Image as PILImage

from longread.errors import ManuscriptError
from longread.source import import_checks, importer
from validators import epubcheck, longread, squash

XHTML = {"x": "http://www.w3.org/1999/xhtml"}
TITLE = "The “Long” Read, Imported"
DEK = "A dek that says what the article is — with a dash"
NOTES = ["The first note, with detail.", "The second note, on the subhead."]
ALT = "A steel-blue rectangle on a white page."
CAPTION = "Figure 1. A blue rectangle, as a caption."


# --- writing a Word file --------------------------------------------------------------


def add_footnotes(document: docx.Document, notes: list[str]) -> None:
    """The footnotes part, with the two separator notes Word requires first."""
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
        for n, text in enumerate(notes, start=1)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {nsdecls("w")}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:footnote>{body}</w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        xml.encode("utf-8"),
        document.part.package,
    )
    document.part.relate_to(part, RT.FOOTNOTES)


def note_reference(paragraph, n: int) -> None:
    paragraph._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{n}"/></w:r>'
        )
    )


def tracked(paragraph, kind: str, text: str, change_id: int) -> None:
    tag, t = ("ins", "t") if kind == "ins" else ("del", "delText")
    paragraph._p.append(
        parse_xml(
            f'<w:{tag} {nsdecls("w")} w:id="{change_id}" w:author="Ed Itor" w:date="2025-01-02T03:04:05Z">'
            f'<w:r><w:{t} xml:space="preserve">{text}</w:{t}></w:r></w:{tag}>'
        )
    )


def jpeg(size=(120, 80), color="steelblue") -> io.BytesIO:
    buf = io.BytesIO()
    PILImage.new("RGB", size, color).save(buf, "JPEG")
    buf.seek(0)
    return buf


def write_docx(path: Path, review: bool = False) -> Path:
    """A Word file with every feature; ``review`` adds a comment, a tracked
    insertion and deletion, a text box, an embedded object and macros."""
    d = docx.Document()
    props = d.core_properties
    props.author, props.title, props.comments = "Ada Lovelace", "A stale property title", ""
    props.created = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
    d.add_paragraph(TITLE, style="Title")
    d.add_paragraph(DEK, style="Subtitle")
    p = d.add_paragraph("The first paragraph has ")
    p.add_run("italic words").italic = True
    p.add_run(" and ")
    p.add_run("bold words").bold = True
    p.add_run(", “curly quotes”, it’s an apostrophe, and a note.")
    note_reference(p, 1)
    d.add_heading("A subhead", level=1)
    p = d.add_paragraph("Text under the subhead cites a second note.")
    note_reference(p, 2)
    d.add_paragraph("A quotation from a source, set as a block quote.", style="Quote")
    d.add_heading("A smaller heading", level=2)
    for item in ("First item", "Second item", "Third item"):
        d.add_paragraph(item, style="List Bullet")
    for item in ("One", "Two"):
        d.add_paragraph(item, style="List Number")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([("Year", "Issues", "Pages"), ("2022", "4", "212"), ("2023", "6", "318")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph().add_run().add_picture(jpeg(), width=Inches(2))
    d.inline_shapes[0]._inline.docPr.set("descr", ALT)
    d.add_paragraph(CAPTION, style="Caption")
    p = d.add_paragraph("Characters typed as they are: 5 * 3, snake_case, [brackets], <angles>, a & b, 100% — ")
    p.add_run("done").italic = True
    p.add_run("…")
    p = d.add_paragraph("The last paragraph ")
    if review:
        tracked(p, "ins", "gained an insertion ", 101)
        tracked(p, "del", "lost a deletion ", 102)
    run = p.add_run("ends the article.")
    if review:
        d.add_comment(run, text="Is this right?", author="Ed Itor", initials="EI")
        p._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape>'
                "<v:textbox><w:txbxContent><w:p><w:r><w:t>Inside the box</w:t></w:r></w:p></w:txbxContent>"
                "</v:textbox></v:shape></w:pict></w:r>"
            )
        )
        p = d.add_paragraph("An embedded spreadsheet: ")
        p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:object w:dxaOrig="1440" w:dyaOrig="720"/></w:r>'))
    add_footnotes(d, NOTES)
    d.save(path)
    if review:  # a macro project, as a .docm renamed .docx carries one
        with zipfile.ZipFile(path, "a") as z:
            z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 not run")
    return path


def docx_text(path: Path) -> list[str]:
    """Every paragraph and table cell of the body, and every note, as python-docx reads them."""
    d = docx.Document(path)
    texts = [p.text for p in d.paragraphs if p.style.name not in {"Title", "Subtitle"}]
    texts += [cell.text for table in d.tables for row in table.rows for cell in row.cells]
    return [t for t in texts if t.strip()] + NOTES


# --- helpers --------------------------------------------------------------------------


def front_matter(manuscript: Path) -> tuple[dict, str]:
    text = manuscript.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def build_epub(folder: Path, cwd: Path) -> Path:
    run = longread("build", str(folder), "-o", "out", "--format", "epub", cwd=cwd)
    assert run.returncode == 0, run.stderr
    epubs = list((cwd / "out").glob("*.epub"))
    assert len(epubs) == 1, epubs
    return epubs[0]


def article(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        return etree.fromstring(z.read("EPUB/article.xhtml"))


def text(el: etree._Element) -> str:
    return squash("".join(el.itertext()))


# --- Word -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The feature document imported with the command, as a user would."""
    root = tmp_path_factory.mktemp("docx")
    write_docx(root / "Feature Story.docx")
    run = longread("import", "Feature Story.docx", "-o", "story", cwd=root)
    assert run.returncode == 0, run.stderr
    return root, run


def test_docx_front_matter_comes_from_styles_and_properties(imported):
    root, run = imported
    meta, body = front_matter(root / "story" / "feature-story.md")
    assert meta == {"title": TITLE, "subtitle": DEK, "author": "Ada Lovelace", "date": "2025-03-10", "lang": "en-US"}
    assert TITLE not in body and "stale" not in body  # the title is not repeated, the stale property unused
    assert run.stderr == ""  # nothing was lost
    listed = run.stdout.splitlines()
    assert listed[0].startswith("story/feature-story.md") and listed[1].startswith("story/images/feature-story-1.jpg")


def test_docx_body_is_markdown_longread_reads(imported):
    root, _ = imported
    _, body = front_matter(root / "story" / "feature-story.md")
    for expected in (
        "*italic words* and **bold words**, “curly quotes”, it’s an apostrophe",  # typed quotes kept
        "\n## A subhead\n",  # Word's Heading 1 is the first level under the title
        "\n### A smaller heading\n",
        "\n> A quotation from a source, set as a block quote.\n",
        "\n-   First item\n-   Second item\n-   Third item\n",
        "\n1.  One\n2.  Two\n",
        "| Year | Issues | Pages |",
        f'\n![{ALT}](images/feature-story-1.jpg "{CAPTION}")\n',
        "a note.[^1]",
        f"\n[^1]: {NOTES[0]}\n",
        f"\n[^2]: {NOTES[1]}\n",
    ):
        assert expected in body
    assert not re.search(r"^# ", body, re.M)
    with PILImage.open(root / "story" / "images" / "feature-story-1.jpg") as im:
        assert im.format == "JPEG" and im.size == (120, 80)


def test_docx_builds_a_valid_epub_with_the_documents_text(imported):
    root, _ = imported
    epub = build_epub(root / "story", root)
    report = epubcheck(epub)
    assert report.problems == [], report.problems
    doc = article(epub)
    body = text(doc.xpath("//x:div[@class='body']", namespaces=XHTML)[0])
    for paragraph in docx_text(root / "Feature Story.docx"):
        assert squash(paragraph) in body, paragraph
    assert text(doc.xpath("//x:h1", namespaces=XHTML)[0]) == squash(TITLE)
    x = lambda path: doc.xpath(path, namespaces=XHTML)  # noqa: E731
    assert [text(h) for h in x("//x:h2")] == ["Asubhead"] and [text(h) for h in x("//x:h3")] == ["Asmallerheading"]
    assert text(x("//x:em")[0]) == "italicwords" and text(x("//x:strong")[0]) == "boldwords"
    assert len(x("//x:blockquote")) == 1 and len(x("//x:ul/x:li")) == 3 and len(x("//x:ol/x:li")) == 2
    assert len(x("//x:table//x:tr")) == 3 and len(x("//x:aside[@role='doc-footnote']")) == 2
    figure = x("//x:figure")[0]
    assert figure.find("x:img", XHTML).get("alt") == ALT and text(figure.find("x:figcaption", XHTML)) == squash(CAPTION)


def test_comments_tracked_changes_and_text_boxes_are_reported(tmp_path):
    write_docx(tmp_path / "review.docx", review=True)
    run = longread("import", "review.docx", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    warnings = run.stderr.splitlines()
    assert all(w.startswith("warning: review.docx: ") for w in warnings), warnings
    said = "\n".join(warnings)
    assert "1 comment left out" in said and "Is this right?" in said
    assert "tracked changes accepted: 1 insertion kept" in said and "1 deletion applied" in said
    assert "lost a deletion" in said
    assert "text box left out: “Inside the box”" in said
    assert "1 embedded object left out" in said and "macros; they were not run" in said
    body = (tmp_path / "review" / "review.md").read_text(encoding="utf-8")
    assert "The last paragraph gained an insertion ends the article." in body
    assert "lost a deletion" not in body and "Is this right" not in body


def test_an_image_without_alt_text_is_flagged(tmp_path):
    d = docx.Document()
    d.add_paragraph("Untitled", style="Title")
    d.add_paragraph("Text before the picture.")
    d.add_paragraph().add_run().add_picture(jpeg(), width=Inches(1))
    d.save(tmp_path / "noalt.docx")
    done = importer.import_document(tmp_path / "noalt.docx", tmp_path / "out")
    assert any("images/noalt-1.jpg has no alt text" in w for w in done.warnings), done.warnings


def test_a_lone_first_heading_is_the_title(tmp_path):
    d = docx.Document()
    d.add_heading("The Heading Title", level=1)
    d.add_paragraph("Opening text.")
    d.add_heading("A section", level=2)
    d.add_paragraph("More text.")
    d.save(tmp_path / "headed.docx")
    done = importer.import_document(tmp_path / "headed.docx", tmp_path / "out")
    meta, body = front_matter(done.manuscript)
    assert meta["title"] == "The Heading Title" and "Heading Title" not in body
    assert "\n## A section\n" in body


# --- OpenDocument and HTML ------------------------------------------------------------


def write_odt(path: Path, image_dir: Path) -> Path:
    """An OpenDocument file as pandoc writes one, with the alt text LibreOffice
    keeps in svg:desc (pandoc's writer leaves it out)."""
    PILImage.new("RGB", (90, 60), "darkred").save(image_dir / "chart.jpg", "JPEG")
    source = (
        "---\ntitle: An *Open* Document\nsubtitle: The dek, with “curly quotes”\nauthor: Grace Hopper\n"
        "date: 2024-05-01\n---\n\nFirst paragraph with *italics* and **bold**, and a note.[^1]\n\n"
        "# A heading\n\n> A block quote.\n\n- one\n- two\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
        "![Figure 2. The chart caption.](chart.jpg)\n\nThe end.\n\n[^1]: The note.\n"
    )
    pypandoc.convert_text(
        source, "odt", format="markdown", outputfile=str(path), extra_args=[f"--resource-path={image_dir}"]
    )
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    with zipfile.ZipFile(path, "w") as z:
        for info, data in parts.items():
            if info.filename == "content.xml":
                data = re.sub(rb"(<draw:image [^>]*/>)", rb"\1<svg:desc>A dark red rectangle.</svg:desc>", data)
            z.writestr(info, data)
    return path


def test_odt_imports_and_builds(tmp_path):
    write_odt(tmp_path / "open.odt", tmp_path)
    run = longread("import", "open.odt", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    meta, body = front_matter(tmp_path / "open" / "open.md")
    assert meta == {"title": "An *Open* Document", "subtitle": "The dek, with “curly quotes”",
                    "author": "Grace Hopper", "date": "2024-05-01"}  # fmt: skip
    assert "Grace Hopper" not in body and "2024-05-01" not in body  # the title block is not repeated
    assert "\n## A heading\n" in body and "\n> A block quote.\n" in body and "[^1]: The note." in body
    assert '![A dark red rectangle.](images/open-1.jpg "Figure 2. The chart caption.")' in body
    assert body.count("The chart caption") == 1  # the caption paragraph became the figure's caption
    epub = build_epub(tmp_path / "open", tmp_path)
    doc = article(epub)
    assert text(doc.xpath("//x:figure/x:figcaption", namespaces=XHTML)[0]) == "Figure2.Thechartcaption."
    assert "Firstparagraphwithitalicsandbold,andanote." in text(doc)


class Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's API)
        Recorder.requests.append(self.path)
        self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    """A server on this machine that records any request the import makes."""
    Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_html_imports_without_fetching_or_running_anything(tmp_path, web_server):
    PILImage.new("RGB", (40, 30), "green").save(tmp_path / "pic.jpg", "JPEG")
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Page | Site</title>
<meta name="author" content="Tim Berners-Lee"><meta name="dcterms.date" content="2023-02-01">
<script src="{web_server}/x.js">fetch("{web_server}/ran")</script><link rel="stylesheet" href="{web_server}/s.css">
</head><body><h1>A Web Article</h1>
<p>Text with <em>emphasis</em>, <strong>bold</strong>, <span lang="he" dir="rtl">שלום</span>,
<a href="https://example.org/">a link</a>, <a href="javascript:alert(1)">a script link</a> and “curly” quotes.</p>
<figure><img src="pic.jpg" alt="A green rectangle."><figcaption>A local picture.</figcaption></figure>
<p><img src="{web_server}/remote.png" alt="Remote"></p>
<p><img src="data:image/png;base64,{pixel}" alt="One pixel"></p>
<iframe src="{web_server}/frame"></iframe><object data="{web_server}/o.swf"></object>
<h2>A section</h2><blockquote><p>Quoted.</p></blockquote><ul><li>a<ul><li>nested</li></ul></li><li>b</li></ul>
<p>A note.<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a></p>
<section class="footnotes" role="doc-endnotes"><ol><li id="fn1"><p>The footnote.
<a href="#fnref1" class="footnote-back">↩︎</a></p></li></ol></section></body></html>"""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    run = longread("import", "page.html", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert Recorder.requests == []
    said = run.stderr
    assert "remote.png' is on the web" in said and "1 script, 1 frame and 1 embedded object left out" in said
    assert "javascript:alert(1)" in said
    meta, body = front_matter(tmp_path / "page" / "page.md")
    assert meta == {"title": "A Web Article", "author": "Tim Berners-Lee", "date": "2023-02-01", "lang": "en"}
    assert '![A green rectangle.](images/page-1.jpg "A local picture.")' in body
    assert "![One pixel](images/page-2.png)" in body and "remote" not in body
    assert '<span lang="he" dir="rtl">שלום</span>' in body and "[a link](https://example.org/)" in body
    assert "\n-   a\n    -   nested\n-   b\n" in body and "[^1]: The footnote.\n" in body and "↩" not in body
    doc = article(build_epub(tmp_path / "page", tmp_path))
    assert doc.xpath("//x:span[@lang='he'][@dir='rtl']", namespaces=XHTML)
    assert "Textwithemphasis,bold," in text(doc) and len(doc.xpath("//x:figure", namespaces=XHTML)) == 2
    assert Recorder.requests == []


# --- refusals -------------------------------------------------------------------------


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("name", "make", "problem"),
    [
        ("story.pdf", lambda p: p.write_bytes(b"%PDF-1.7"), "cannot import a .pdf"),
        ("story.docx", lambda p: p.write_text("plain text"), "not a ZIP package"),
        ("story.docx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), "is encrypted"),
        ("story.docx", lambda p: zip_with(p, {"a.txt": b"x"}), "it has no word/document.xml"),
        (
            "story.odt",
            lambda p: zip_with(
                p, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
            ),
            "is not a text document",
        ),  # fmt: skip
        ("story.docx", lambda p: p.write_bytes(b""), "is empty"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(tmp_path, name, make, problem):
    make(tmp_path / name)
    run = longread("import", name, cwd=tmp_path)
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {name}: ") and problem in lines[0], lines
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


def test_corrupt_and_encrypted_packages_are_refused(tmp_path):
    good = write_docx(tmp_path / "good.docx").read_bytes()
    (tmp_path / "cut.docx").write_bytes(good[: len(good) // 2])
    with pytest.raises(ManuscriptError, match="not a ZIP package, or a damaged one"):
        importer.import_document(tmp_path / "cut.docx", tmp_path / "out")
    flipped = bytearray(good)
    at = good.index(b"word/document.xml") + 40  # inside the first member's compressed data
    flipped[at] ^= 0xFF
    (tmp_path / "flipped.docx").write_bytes(bytes(flipped))
    with pytest.raises(ManuscriptError, match="damaged"):
        importer.import_document(tmp_path / "flipped.docx", tmp_path / "out")
    locked = zip_with(tmp_path / "locked.docx", {"word/document.xml": b"<x/>"})
    data = bytearray(locked.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):  # set the 'encrypted' flag in both headers
        at = data.index(sig) + (6 if sig == b"PK\x03\x04" else 8)
        data[at] |= 1
    locked.write_bytes(bytes(data))
    with pytest.raises(ManuscriptError, match="is encrypted"):
        importer.import_document(locked, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_xml_bomb_is_refused(tmp_path):
    good = zipfile.ZipFile(write_docx(tmp_path / "good.docx"))
    laughs = "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi", strict=True))
    with zipfile.ZipFile(tmp_path / "bomb.docx", "w") as bomb:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == "word/document.xml":
                head, _, rest = data.partition(b"?>")
                dtd = f'<!DOCTYPE w:document [<!ENTITY a "lol">{laughs}]>'.encode()
                data = head + b"?>" + dtd + rest.replace(b"The first paragraph", b"&i; The first paragraph", 1)
            bomb.writestr(info, data)
    run = longread("import", "bomb.docx", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr == (
        "error: bomb.docx: its part word/document.xml declares entities that expand without bound (an XML bomb)\n"
    )
    assert not (tmp_path / "bomb").exists()


def test_a_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    monkeypatch.setattr(import_checks, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)
    bomb = zip_with(tmp_path / "bomb.docx", {"word/document.xml": b"<x/>", "word/media/zeros.bin": bytes(5 * 2**20)})
    assert bomb.stat().st_size < 20_000
    with pytest.raises(ManuscriptError, match=r"would unpack to 5 MB \(a zip bomb\?\)"):
        importer.import_document(bomb, tmp_path / "out")


def test_an_existing_manuscript_is_never_overwritten(tmp_path):
    write_docx(tmp_path / "story.docx")
    folder = tmp_path / "manuscript"
    folder.mkdir()
    (folder / "other.md").write_text("---\ntitle: Other\n---\n\nText.\n", encoding="utf-8")
    first = longread("import", "story.docx", "-o", "manuscript", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["images", "other.md", "story.md"]
    kept = (folder / "story.md").read_bytes()
    (folder / "story.md").write_bytes(kept + b"\nAn editor's change.\n")
    again = longread("import", "story.docx", "-o", "manuscript", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "error: manuscript/story.md: already exists and was not overwritten; remove it, "
        "or import into another folder with -o"
    )
    assert (folder / "story.md").read_bytes() == kept + b"\nAn editor's change.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["images", "other.md", "story.md"]


def test_a_failed_import_leaves_no_folder(tmp_path, monkeypatch):
    write_docx(tmp_path / "story.docx")

    def fail(*args):
        raise ManuscriptError(tmp_path / "story.docx", "pandoc could not read it: (simulated)")

    monkeypatch.setattr(importer, "write_markdown", fail)
    with pytest.raises(ManuscriptError, match="simulated"):
        importer.import_document(tmp_path / "story.docx", tmp_path / "story")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.docx"]


def test_without_pandoc_the_error_names_the_extra(tmp_path, monkeypatch):
    write_docx(tmp_path / "story.docx")
    monkeypatch.setitem(__import__("sys").modules, "pypandoc", None)  # as if not installed
    with pytest.raises(ManuscriptError) as e:
        importer.import_document(tmp_path / "story.docx", tmp_path / "out")
    assert "pip install 'longread[import]'" in str(e.value) and "\n" not in str(e.value)
