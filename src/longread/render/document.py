"""XHTML documents as element trees, serialised once per output.

The rendition's elements carry no namespace; a document places them in the
XHTML namespace with the ``epub`` prefix declared once at its root, the way
EPUB content documents and WeasyPrint alike read them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
XML_LANG = f"{{{XML_NS}}}lang"
NSMAP = {None: XHTML_NS, "epub": EPUB_NS}


def element(tag: str, attrib: dict[str, str] | None = None, text: str | None = None, *children) -> etree._Element:
    """A plain (namespace-free) element with its attributes, text and children."""
    el = etree.Element(tag, {k: v for k, v in (attrib or {}).items() if v is not None})
    el.text = text
    for child in children:
        el.append(child)
    return el


def sub(parent: etree._Element, tag: str, attrib: dict[str, str] | None = None, text: str | None = None):
    el = element(tag, attrib, text)
    parent.append(el)
    return el


def head_meta(title: str, meta: Iterable[tuple[str, str]] = (), stylesheets: Iterable[str] = ()) -> etree._Element:
    """A document head: charset, title, named meta values and linked stylesheets."""
    head = element("head")
    sub(head, "meta", {"charset": "utf-8"})
    sub(head, "title", text=title)
    for name, content in meta:
        if content:
            sub(head, "meta", {"name": name, "content": content})
    for href in stylesheets:
        sub(head, "link", {"rel": "stylesheet", "type": "text/css", "href": href})
    return head


def document(
    lang: str,
    head: etree._Element,
    body: Iterable[etree._Element],
    body_type: str | None = None,
) -> etree._ElementTree:
    """A complete XHTML document around copies of the given body elements."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap=NSMAP)
    html.set("lang", lang)
    html.set(XML_LANG, lang)
    html.append(_in_xhtml(copy.deepcopy(head)))
    body_el = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    if body_type:
        body_el.set(EPUB_TYPE, body_type)
    body_el.text = "\n"
    for el in body:
        part = _in_xhtml(copy.deepcopy(el))
        part.tail = "\n"
        body_el.append(part)
    etree.cleanup_namespaces(html, top_nsmap=NSMAP)
    return etree.ElementTree(html)


def serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>") + b"\n"


def _in_xhtml(root: etree._Element) -> etree._Element:
    for el in root.iter():
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{XHTML_NS}}}{el.tag}"
    return root


def text_of(el: etree._Element) -> str:
    """An element's text, whitespace collapsed."""
    return " ".join("".join(el.itertext()).split())
