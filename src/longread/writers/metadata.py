"""One metadata record per article, written out the way each output needs it:
the EPUB package, the PDF's XMP packet, and the archive's JSON and Dublin Core files.
Keeping them in one place keeps them consistent."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from xml.sax.saxutils import escape

from ..model import Article
from ..xhtml import plain_text

DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def identifier(article: Article) -> str:
    """A stable identifier: from the canonical URL when there is one, else from the
    title, creators and date, so every build of the same article shares it."""
    if article.source_url:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, article.source_url)}"
    seed = "|".join([article.title_text, *article.authors, str(article.date or "")])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_OID, 'longread:' + seed)}"


def record(article: Article, modified: dt.datetime) -> dict:
    """The article's descriptive metadata as plain data (Dublin Core terms)."""
    rec = {
        "identifier": identifier(article),
        "title": article.title_text,
        "creator": list(article.authors),
        "language": article.lang,
        "description": plain_text(article.dek_html),
        "subject": article.kicker,
        "publisher": article.publisher,
        "date": article.date.isoformat() if article.date else "",
        "rights": article.rights,
        "source": article.source_url,
        "modified": modified.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {k: v for k, v in rec.items() if v}


def to_json(rec: dict) -> bytes:
    return (json.dumps(rec, ensure_ascii=False, indent=2) + "\n").encode()


def to_dublin_core(rec: dict) -> bytes:
    """A simple Dublin Core XML record (the OAI-DC shape archives ingest)."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<metadata xmlns:dc="{DC}" xmlns:dcterms="{DCTERMS}">']
    for key in (
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
    ):
        for value in _values(rec, key):
            lines.append(f"  <dc:{key}>{escape(value)}</dc:{key}>")
    lines.append(f"  <dcterms:modified>{rec['modified']}</dcterms:modified>")
    lines.append("</metadata>")
    return ("\n".join(lines) + "\n").encode()


def to_xmp(rec: dict) -> bytes:
    """An XMP ``rdf:Description`` with what WeasyPrint's own packet lacks: identifier,
    language, date, publisher, rights, source (it writes title, creators and
    description itself)."""
    parts = [f'<rdf:Description xmlns:rdf="{RDF}" rdf:about="" xmlns:dc="{DC}">']
    parts.append(f"<dc:identifier>{escape(rec['identifier'])}</dc:identifier>")
    parts.append(f"<dc:language><rdf:Bag><rdf:li>{escape(rec['language'])}</rdf:li></rdf:Bag></dc:language>")
    for key in ("publisher", "date"):
        if rec.get(key):
            parts.append(f"<dc:{key}><rdf:Seq><rdf:li>{escape(rec[key])}</rdf:li></rdf:Seq></dc:{key}>")
    if rec.get("rights"):
        parts.append(
            f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{escape(rec["rights"])}</rdf:li></rdf:Alt></dc:rights>'
        )
    if rec.get("source"):
        parts.append(f"<dc:source>{escape(rec['source'])}</dc:source>")
    parts.append("</rdf:Description>")
    return "".join(parts).encode()


def _values(rec: dict, key: str) -> list[str]:
    value = rec.get(key)
    if not value:
        return []
    return list(value) if isinstance(value, list) else [str(value)]
