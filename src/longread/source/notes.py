"""Footnotes: Python-Markdown's footnote list taken out of the body into :class:`Note`
records, with ids that are valid, unique and never taken by raw HTML."""

from __future__ import annotations

import re

from lxml import etree

from ..model import Note
from ..xhtml import inner_xml


def extract_notes(root: etree._Element, token: str, labels: dict[str, str] | None = None) -> list[Note]:
    """Take Python-Markdown's footnote list out of the body into :class:`Note` records.

    The real notes and calls are those whose ids carry ``token``; a footnote class
    written in raw HTML is dropped (it would pass for a note or a call).  A note's
    id comes from its label where the label makes a plain id (``[^src]`` →
    ``fn-src``, called from ``fnref-src``), else from its number (``[^é]`` → ``fn-1``).
    """
    real = [li.get("id") for li in root.xpath(".//li[@id]") if li.get("id").startswith(token + "n")]
    lists = list(dict.fromkeys(li.getparent().getparent() for li in root.xpath(".//li[@id]") if li.get("id") in real))
    renamed = note_ids(real, labels or {})
    calls: dict[str, int] = {}
    for sup in root.xpath(".//sup[@id]"):
        a = sup.find("a")
        target = (a.get("href") or "")[1:] if a is not None else ""
        if target in renamed:
            n = calls[target] = calls.get(target, 0) + 1
            renamed[sup.get("id")] = f"fnref{n if n > 1 else ''}-{renamed[target][3:]}"
    for el in root.xpath(".//*[@class]"):
        href = (el.get("href") or "")[1:]
        genuine = (el.tag == "div" and el in lists) or (el.tag == "a" and href in renamed)
        if el.get("class") in {"footnote", "footnote-ref", "footnote-backref"} and not genuine:
            del el.attrib["class"]
    for el in root.xpath(".//*[@id] | .//a[@href]"):
        for attr, prefix in (("id", ""), ("href", "#")):
            value = (el.get(attr) or "")[len(prefix) :]
            if el.get(attr, "").startswith(prefix) and value in renamed:
                el.set(attr, prefix + renamed[value])
    notes = []
    for div in lists:
        for li in div.xpath(".//li[@id]"):
            for back in li.xpath('.//a[@class="footnote-backref"]'):
                drop(back)
            # Python-Markdown numbers the calls 1, 2, 3 … whatever the notes are named.
            notes.append(Note(id=li.get("id"), label=str(len(notes) + 1), html=inner_xml(li).strip()))
        div.getparent().remove(div)
    return notes


# A label that makes a plain XML id as it is.
_PLAIN_LABEL = re.compile(r"[A-Za-z0-9_]{1,40}(-[A-Za-z0-9_]{1,40}){0,4}")


def note_ids(found: list[str], labels: dict[str, str]) -> dict[str, str]:
    """The final id of each note (by its Markdown-stage id): ``fn-<label>`` for a
    plain label, else ``fn-<n>`` with the first number no other note has."""
    ids: dict[str, str] = {}
    for old in found:
        label = labels.get(old, "")
        if _PLAIN_LABEL.fullmatch(label) and f"fn-{label}" not in ids.values():
            ids[old] = f"fn-{label}"
    number = 0
    for old in found:
        while old not in ids:
            number += 1
            if f"fn-{number}" not in ids.values():
                ids[old] = f"fn-{number}"
    return ids


def drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text (minus the nbsp Markdown puts before it)."""
    parent, prev = el.getparent(), el.getprevious()
    tail = el.tail or ""
    if prev is not None:
        prev.tail = (prev.tail or "").rstrip("\xa0 ") + tail
    else:
        parent.text = (parent.text or "").rstrip("\xa0 ") + tail
    parent.remove(el)
