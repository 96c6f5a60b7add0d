"""Helpers for the XHTML fragments the stages hand each other."""

from __future__ import annotations

from lxml import etree, html


def parse(fragment: str) -> etree._Element:
    """An XHTML fragment parsed under a ``<div>`` wrapper (so text before the first
    element is kept)."""
    return html.fragment_fromstring(fragment or "", create_parent="div")


def inner_xml(el: etree._Element) -> str:
    """The content of an element (its text and children) serialised as XML."""
    parts = [escape(el.text or "")]
    parts += [etree.tostring(child, encoding="unicode", method="xml") for child in el]
    return "".join(parts)


def plain_text(fragment: str) -> str:
    """The text of a fragment with its whitespace collapsed and the invisible
    line-breaking controls of the typesetter (word joiners) removed: fit for
    metadata and search."""
    if not fragment:
        return ""
    return " ".join(parse(fragment).text_content().replace("\u2060", "").split())


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
