"""One metadata record per book, written out the way each output needs it: the
EPUB package, the PDF's XMP packet, and the archive's JSON and Dublin Core
files.  Every writer reads the same :class:`Record`, so they cannot disagree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from lxml import etree

from ..model import Article
from ..xhtml import plain_text

DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Record:
    """A book's descriptive metadata, in Dublin Core terms."""

    identifier: str
    title: str
    creator: tuple[str, ...] = ()
    language: str = "en"
    description: str = ""
    subject: str = ""
    publisher: str = ""
    date: str = ""
    rights: str = ""
    source: str = ""
    modified: str = ""  # ISO 8601, UTC, to the second

    def as_dict(self) -> dict:
        """The fields that have a value, lists as lists (the JSON record)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def identifier(article: Article) -> str:
    """A stable identifier: from the canonical URL when there is one, else from the
    title, creators and date, so every build of the same article shares it."""
    if article.source_url:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, article.source_url)}"
    seed = "|".join([article.title_text, *article.authors, str(article.date or "")])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_OID, 'longread:' + seed)}"


def record(article: Article, modified: dt.datetime) -> Record:
    return Record(
        identifier=identifier(article),
        title=article.title_text,
        creator=article.authors,
        language=article.lang,
        description=plain_text(article.dek_html),
        subject=article.kicker,
        publisher=article.publisher,
        date=article.date.isoformat() if article.date else "",
        rights=article.rights,
        source=article.source_url,
        modified=modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def to_json(rec: Record) -> bytes:
    return (json.dumps(rec.as_dict(), ensure_ascii=False, indent=2) + "\n").encode()


DUBLIN_CORE_ORDER = (
    "identifier",
    "title",
    "creator",
    "language",
    "description",
    "subject",
    "publisher",
    "date",
    "rights",
    "source",
)


def to_dublin_core(rec: Record) -> bytes:
    """A simple Dublin Core XML record (the OAI-DC shape archives ingest)."""
    root = etree.Element("metadata", nsmap={"dc": DC, "dcterms": DCTERMS})
    root.text = "\n  "
    for key in DUBLIN_CORE_ORDER:
        value = getattr(rec, key)
        for item in value if isinstance(value, tuple) else [value] if value else []:
            etree.SubElement(root, f"{{{DC}}}{key}").text = item
    etree.SubElement(root, f"{{{DCTERMS}}}modified").text = rec.modified
    for child in root[:-1]:
        child.tail = "\n  "
    root[-1].tail = "\n"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8") + b"\n"


def to_xmp(rec: Record) -> bytes:
    """An XMP ``rdf:Description`` with what WeasyPrint's own packet lacks: identifier,
    language, date, publisher, rights, source (it writes title, creators and
    description itself)."""
    desc = etree.Element(f"{{{RDF}}}Description", nsmap={"rdf": RDF, "dc": DC})
    desc.set(f"{{{RDF}}}about", "")

    def add(key: str, container: str | None, value: str, lang: str | None = None) -> None:
        prop = etree.SubElement(desc, f"{{{DC}}}{key}")
        if container is None:
            prop.text = value
            return
        li = etree.SubElement(etree.SubElement(prop, f"{{{RDF}}}{container}"), f"{{{RDF}}}li")
        li.text = value
        if lang:
            li.set(XML_LANG, lang)

    add("identifier", None, rec.identifier)
    add("language", "Bag", rec.language)
    for key in ("publisher", "date"):
        if getattr(rec, key):
            add(key, "Seq", getattr(rec, key))
    if rec.rights:
        add("rights", "Alt", rec.rights, lang="x-default")
    if rec.source:
        add("source", None, rec.source)
    return etree.tostring(desc, encoding="utf-8")
