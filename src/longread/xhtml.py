"""Helpers for the XHTML fragments the reading and typesetting stages hand on
(an :class:`~longread.model.Article` holds its title, dek, body and notes as
serialised fragments; the render stage turns them into one tree)."""

from __future__ import annotations

import copy

from lxml import etree, html


def parse(fragment: str) -> etree._Element:
    """An XHTML fragment parsed under a ``<div>`` wrapper (so text before the first
    element is kept)."""
    return html.fragment_fromstring(fragment or "", create_parent="div")


def inner_xml(el: etree._Element) -> str:
    """The content of an element (its text and children) serialised as XML."""
    wrapper = copy.deepcopy(el)
    wrapper.tag, wrapper.tail = "div", None
    wrapper.attrib.clear()
    serialised = etree.tostring(wrapper, encoding="unicode", method="xml")
    # Cut the wrapper's own tags: "<div>" … "</div>" (or "<div/>" when empty).
    return "" if serialised == "<div/>" else serialised[len("<div>") : -len("</div>")]


def names(people: tuple[str, ...] | list[str], lang: str) -> str:
    """ "A", "A and B", "A, B and C" (in English; others get commas)."""
    items = list(people)
    if len(items) < 2:
        return "".join(items)
    joiner = " and " if lang.lower().startswith("en") else ", "
    return ", ".join(items[:-1]) + joiner + items[-1]


def plain_text(fragment: str) -> str:
    """The text of a fragment with its whitespace collapsed and the invisible
    line-breaking controls of the typesetter (word joiners) removed: fit for
    metadata and search."""
    if not fragment:
        return ""
    return " ".join(parse(fragment).text_content().replace("\u2060", "").split())


def heading_text(el: etree._Element) -> str:
    """What a heading says, for navigation: its words, or the descriptions of the
    images it holds when it has no words."""
    text = " ".join(el.text_content().replace("\u2060", "").split())
    if text:
        return text
    return " ".join(" ".join((img.get("alt") or "").split()) for img in el.iter("img")).strip()
