"""What a Word, OpenDocument or HTML file is, before pandoc reads it.

- :func:`open_package` checks that a ``.docx`` or ``.odt`` is a sound, unencrypted
  ZIP package of a bounded size (a zip bomb is refused on its declared sizes, then
  every member is decompressed once to check it really is what it declares);
- :func:`docx_facts`, :func:`odt_facts` and :func:`html_facts` read what pandoc does
  not give: the document properties (author, date, language), and what cannot be
  carried over into a manuscript (comments, tracked changes, text boxes, embedded
  objects, macros), so that the import can say so.

The XML is parsed without DTDs, entities or network access; nothing in the file
is ever run.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from ..errors import ManuscriptError

#: The largest document accepted, as a file.
MAX_FILE_BYTES = 100 * 1024 * 1024
#: The most a package may unpack to, and the most any one XML part may hold.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_XML_PART_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 10_000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
DRAWING_KINDS = {
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "chart",
    "http://schemas.openxmlformats.org/drawingml/2006/diagram": "SmartArt diagram",
}
# Names word processors put in a document's author property when nobody typed one.
PLACEHOLDER_AUTHORS = {"python-docx", "microsoft office user", "windows user", "unknown", "author", "user"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Facts:
    """What the file says about itself beside its text, and what will be lost."""

    title: str = ""  # the document property, not a styled paragraph
    authors: tuple[str, ...] = ()
    date: str = ""
    lang: str = ""
    #: ODT: the leading Title/Subtitle/Author/Date paragraphs, as (role, text).
    title_block: tuple[tuple[str, str], ...] = ()
    #: Images' alt texts and captions by their path inside the package (ODT).
    alts: dict[str, str] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)
    #: The text of each text box, to tell whether pandoc kept it.
    boxes: tuple[str, ...] = ()
    losses: list[str] = field(default_factory=list)


# --- packages -----------------------------------------------------------------------


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ManuscriptError(path, f"is {size / 2**20:.0f} MB; longread imports documents of up to 100 MB")
    if size == 0:
        raise ManuscriptError(path, "is empty")


def open_package(path: Path, kind: str) -> zipfile.ZipFile:
    """The document's ZIP package, checked; raise :class:`ManuscriptError` if it is not sound."""
    label = {"docx": "Word (.docx)", "odt": "OpenDocument text (.odt)"}[kind]
    with path.open("rb") as f:
        head = f.read(8)
    if head == OLE_SIGNATURE:
        # Word saves a password-protected .docx, and any .doc, as an OLE compound file.
        raise ManuscriptError(
            path, "is encrypted (password-protected) or an old Word 97-2003 file; save it as .docx without a password"
        )
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ManuscriptError(path, f"is not a {label} document (not a ZIP package, or a damaged one)") from None
    try:
        check_members(path, zf)
        need = "word/document.xml" if kind == "docx" else "content.xml"
        if need not in zf.namelist():
            raise ManuscriptError(path, f"is not a {label} document (it has no {need})")
        if kind == "odt":
            check_odt(path, zf)
        bad = zf.testzip()  # decompresses each member once, bounded by the sizes checked above
        if bad:
            raise ManuscriptError(path, f"is damaged: the part {bad} fails its checksum")
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        zf.close()
        raise ManuscriptError(path, f"is damaged: a corrupt ZIP package ({e})") from None
    except BaseException:
        zf.close()
        raise
    return zf


def check_members(path: Path, zf: zipfile.ZipFile) -> None:
    members = zf.infolist()
    if len(members) > MAX_MEMBERS:
        raise ManuscriptError(path, f"holds {len(members)} parts; more than {MAX_MEMBERS} is not a plausible document")
    if any(m.flag_bits & 0x1 for m in members):
        raise ManuscriptError(path, "is encrypted (password-protected); save a copy without a password")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise ManuscriptError(
            path, f"would unpack to {total / 2**20:.0f} MB (a zip bomb?); the limit is {MAX_UNPACKED_BYTES // 2**20} MB"
        )
    for m in members:
        if m.filename.endswith(".xml") and m.file_size > MAX_XML_PART_BYTES:
            raise ManuscriptError(path, f"its part {m.filename} is {m.file_size / 2**20:.0f} MB of XML, too large")


def check_odt(path: Path, zf: zipfile.ZipFile) -> None:
    if "mimetype" in zf.namelist():
        mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
        if mimetype != "application/vnd.oasis.opendocument.text":
            raise ManuscriptError(path, f"is not a text document (its type is {mimetype!r}); save it as .odt")
    manifest = xml(path, zf, "META-INF/manifest.xml")
    if manifest is not None and manifest.xpath("//manifest:encryption-data", namespaces=NS):
        raise ManuscriptError(path, "is encrypted (password-protected); save a copy without a password")


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def xml(path: Path, zf: zipfile.ZipFile, name: str) -> etree._Element | None:
    if name not in zf.namelist():
        return None
    try:
        return etree.fromstring(zf.read(name), _PARSER)
    except etree.XMLSyntaxError as e:
        if "amplification" in str(e.msg):
            raise ManuscriptError(
                path, f"its part {name} declares entities that expand without bound (an XML bomb)"
            ) from None
        raise ManuscriptError(path, f"is damaged: its part {name} is not well-formed XML ({e.msg})") from None


# --- Word ---------------------------------------------------------------------------


def docx_facts(path: Path, zf: zipfile.ZipFile) -> Facts:
    facts = Facts()
    core = xml(path, zf, "docProps/core.xml")
    if core is not None:
        facts.title = first(core, "//dc:title")
        facts.authors = authors(first(core, "//dc:creator"))
        facts.date = first(core, "//dcterms:created")
        facts.lang = first(core, "//dc:language")
    if not facts.lang:
        styles = xml(path, zf, "word/styles.xml")
        if styles is not None:
            facts.lang = str(next(iter(styles.xpath("//w:docDefaults//w:lang/@w:val", namespaces=NS)), ""))
    doc = xml(path, zf, "word/document.xml")
    parts = [doc] + [xml(path, zf, f"word/{n}.xml") for n in ("footnotes", "endnotes")]
    parts = [p for p in parts if p is not None]
    losses = facts.losses
    losses += tracked_word_changes(parts)
    comments = xml(path, zf, "word/comments.xml")
    n_comments = len(comments.xpath("//w:comment", namespaces=NS)) if comments is not None else 0
    if n_comments:
        first_comment = words(comments.xpath("//w:comment", namespaces=NS)[0].xpath(".//w:t/text()", namespaces=NS))
        losses.append(f"{plural(n_comments, 'comment')} left out (the first: {snippet(first_comment)})")
    # Word writes each modern text box twice: the drawing, and a VML fallback.
    boxes = [
        words(box.xpath(".//w:t/text()", namespaces=NS))
        for p in parts
        for box in p.xpath("//w:txbxContent[not(ancestor::mc:Fallback)]", namespaces=NS)
    ]
    facts.boxes = tuple(b for b in boxes if b)
    objects = []
    for p in parts:
        objects += ["embedded object"] * len(p.xpath("//w:object[not(ancestor::mc:Fallback)]", namespaces=NS))
        objects += ["embedded document"] * len(p.xpath("//w:altChunk", namespaces=NS))
        for uri in p.xpath("//a:graphicData/@uri[not(ancestor::mc:Fallback)]", namespaces=NS):
            if uri in DRAWING_KINDS:
                objects.append(DRAWING_KINDS[uri])
        if p.xpath("//*[local-name()='oMath' and not(ancestor::mc:Fallback)]"):
            losses.append("equations are set as plain text, not as mathematics; check them")
    losses += left_out(objects)
    if any(n.lower().endswith("vbaproject.bin") for n in zf.namelist()):
        losses.append("the document carries macros; they were not run and are not part of the manuscript")
    return facts


def tracked_word_changes(parts: list[etree._Element]) -> list[str]:
    """Tracked changes are accepted, as Word's 'Accept All' would; say what that did."""
    ins, dels, moves = [], [], 0
    for p in parts:
        # A w:ins or w:del inside run or paragraph properties marks a formatting or
        # paragraph-mark change, not text.
        ins += [
            words(e.xpath(".//w:t/text()", namespaces=NS))
            for e in p.xpath("//w:ins[not(parent::w:rPr)]", namespaces=NS)
        ]
        dels += [
            words(e.xpath(".//w:delText/text()", namespaces=NS))
            for e in p.xpath("//w:del[not(parent::w:rPr)]", namespaces=NS)
        ]
        moves += len(p.xpath("//w:moveTo", namespaces=NS))
    if not (ins or dels or moves):
        return []
    said = []
    if ins:
        said.append(f"{plural(len(ins), 'insertion')} kept (the first: {snippet(next((t for t in ins if t), ''))})")
    if dels:
        said.append(
            f"{plural(len(dels), 'deletion')} applied (the first removed {snippet(next((t for t in dels if t), ''))})"
        )
    if moves:
        said.append(f"{plural(moves, 'move')} kept at the new place")
    return ["tracked changes accepted: " + "; ".join(said) + "; check the text"]


# --- OpenDocument -------------------------------------------------------------------

TITLE_ROLES = {"Title": "title", "Subtitle": "subtitle", "Author": "author", "Date": "date"}
CAPTION_STYLES = {"FigureCaption", "Caption", "Figure", "Illustration", "Image_20_Caption"}


def odt_facts(path: Path, zf: zipfile.ZipFile) -> Facts:
    facts = Facts()
    meta = xml(path, zf, "meta.xml")
    if meta is not None:
        facts.title = first(meta, "//dc:title")
        facts.authors = authors(first(meta, "//meta:initial-creator") or first(meta, "//dc:creator"))
        facts.date = first(meta, "//meta:creation-date")
        facts.lang = first(meta, "//dc:language")
    content = xml(path, zf, "content.xml")
    assert content is not None  # open_package made sure
    parents = {
        s.get(f"{{{NS['style']}}}name"): s.get(f"{{{NS['style']}}}parent-style-name")
        for s in content.xpath("//office:automatic-styles/style:style", namespaces=NS)
    }

    def style(el: etree._Element) -> str:
        name = el.get(f"{{{NS['text']}}}style-name") or ""
        return parents.get(name) or name

    facts.title_block = tuple(odt_title_block(content, style))
    odt_images(content, style, facts)
    losses = facts.losses
    n_notes = len(content.xpath("//office:annotation", namespaces=NS))
    if n_notes:
        losses.append(f"{plural(n_notes, 'comment')} left out")
    regions = content.xpath("//text:tracked-changes/text:changed-region", namespaces=NS)
    n_ins = len([r for r in regions if r.find("text:insertion", NS) is not None])
    deleted = [
        words(d.xpath(".//text()[not(ancestor::office:change-info)]", namespaces=NS))
        for r in regions
        if (d := r.find("text:deletion", NS)) is not None
    ]
    if n_ins or deleted:
        said = [f"{plural(n_ins, 'insertion')} kept"] if n_ins else []
        if deleted:
            said.append(f"{plural(len(deleted), 'deletion')} applied (the first removed {snippet(deleted[0])})")
        losses.append("tracked changes accepted: " + "; ".join(said) + "; check the text")
    facts.boxes = tuple(
        t
        for box in content.xpath("//draw:text-box[not(.//draw:image)]", namespaces=NS)
        if (t := words(box.xpath(".//text()")))
    )
    losses += left_out(["embedded object"] * len(content.xpath("//draw:object | //draw:object-ole", namespaces=NS)))
    if any(n.startswith(("Basic/", "Scripts/")) for n in zf.namelist()):
        losses.append("the document carries macros; they were not run and are not part of the manuscript")
    return facts


def odt_title_block(content: etree._Element, style) -> list[tuple[str, str]]:
    """The Title, Subtitle, Author and Date paragraphs the document opens with."""
    block = []
    body = content.find(".//office:text", namespaces=NS)
    for el in body if body is not None else ():
        if el.tag in {f"{{{NS['text']}}}sequence-decls", f"{{{NS['office']}}}forms"}:
            continue
        role = TITLE_ROLES.get(style(el)) if el.tag == f"{{{NS['text']}}}p" else None
        text = words(el.xpath(".//text()"))
        if role is None and text:
            break
        if role and text:
            block.append((role, text))
    return block


def odt_images(content: etree._Element, style, facts: Facts) -> None:
    """Alt text (svg:desc, else svg:title) and caption of each image, which pandoc's
    OpenDocument reader does not keep."""
    for image in content.xpath("//draw:image[@xlink:href]", namespaces=NS):
        href = image.get(f"{{{NS['xlink']}}}href")
        frame = image.getparent()
        alt = words(frame.xpath("svg:desc//text()", namespaces=NS)) or words(
            frame.xpath("svg:title//text()", namespaces=NS)
        )
        if alt:
            facts.alts[href] = alt
        # A caption is the paragraph after the image's own (as pandoc writes it), or
        # the text beside the image inside a captioned frame (as LibreOffice does).
        para = next(iter(frame.xpath("ancestor::text:p[1]", namespaces=NS)), None)
        if para is None:
            continue
        depth = len(para.xpath("ancestor::draw:frame", namespaces=NS))
        beside = words(para.xpath(f".//text()[count(ancestor::draw:frame) = {depth}]", namespaces=NS))
        after = para.getnext()
        if beside and style(para) in CAPTION_STYLES:
            facts.captions[href] = beside
        elif after is not None and after.tag == f"{{{NS['text']}}}p" and style(after) in CAPTION_STYLES:
            facts.captions[href] = words(after.xpath(".//text()"))


# --- HTML ---------------------------------------------------------------------------

CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
ACTIVE = {
    "script": "script",
    "iframe": "frame",
    "frame": "frame",
    "object": "embedded object",
    "embed": "embedded object",
    "applet": "embedded object",
    "form": "form",
    "video": "video",
    "audio": "audio",
    "canvas": "canvas",
}


def decode_html(path: Path, data: bytes) -> str:
    """HTML as text: UTF-8, or the character set its ``<meta charset>`` declares."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        declared = CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        raise ManuscriptError(
            path,
            f"is not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}) and declares no character set it is in",
        ) from None


def html_facts(path: Path, text: str) -> Facts:
    facts = Facts()
    try:
        root = lxml_html.document_fromstring(
            text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8", no_network=True)
        )
    except (etree.ParserError, ValueError):
        raise ManuscriptError(path, "is not an HTML document (it has no content)") from None
    facts.title = words(root.xpath("//head/title//text()"))
    lang = root.get("lang") or ""
    facts.lang = lang
    found = [ACTIVE[el.tag] for el in root.iter() if isinstance(el.tag, str) and el.tag in ACTIVE]
    facts.losses += left_out(found)
    return facts


# --- helpers ------------------------------------------------------------------------


def first(root: etree._Element, path: str) -> str:
    """The text of the first element ``path`` finds."""
    return words(root.xpath(f"({path})[1]//text()", namespaces=NS))


def words(texts) -> str:
    return " ".join("".join(texts).split())


def authors(value: str) -> tuple[str, ...]:
    names = [n.strip() for n in re.split(r"[;\n]", value) if n.strip()]
    return tuple(n for n in names if n.lower() not in PLACEHOLDER_AUTHORS)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def snippet(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def left_out(kinds: list[str]) -> list[str]:
    """One line for what was dropped, e.g. '2 charts and 1 embedded object left out'."""
    if not kinds:
        return []
    said = [plural(kinds.count(k), k) for k in dict.fromkeys(kinds)]
    listed = ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else said[0]
    return [f"{listed} left out (not carried into the manuscript)"]
