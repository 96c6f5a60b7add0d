"""Raw HTML made safe and valid: an allow-list sanitiser (nh3, the Ammonia library)
and a repair pass over the result.

nh3 removes what could act (scripts, frames, objects, event handlers,
``javascript:`` URLs, styles) and every element and attribute not on the lists
below; attribute values are checked one by one.  The repair pass then makes the
tree valid XHTML: block elements never inside inline ones, list items and
captions only where they belong, no duplicate ids, and a bounded depth.
"""

from __future__ import annotations

import re

import nh3
from lxml import etree

from ..xhtml import parse
from . import content_models, language

# Characters XML 1.0 forbids or discourages in content: C0/C1 controls (but tab and
# newline), and Unicode non-characters.
ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
    "\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")

INLINE = {
    "em",
    "strong",
    "i",
    "b",
    "u",
    "s",
    "small",
    "sub",
    "sup",
    "abbr",
    "cite",
    "q",
    "dfn",
    "mark",
    "span",
    "a",
    "code",
    "kbd",
    "samp",
    "var",
    "bdi",
    "bdo",
    "time",
    "br",
    "wbr",
    "img",
}
BLOCK = {
    "p",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "aside",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "div",
}
TAGS = INLINE | BLOCK
ATTRIBUTES = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt"},
    "th": {"colspan", "rowspan", "style"},
    "td": {"colspan", "rowspan", "style"},
    "ol": {"start"},
    "time": {"datetime"},
    # Python-Markdown's footnote calls and notes carry ids (duplicates are removed below).
    "sup": {"id"},
    "li": {"id"},
}
# Classes the Markdown stage itself produces (and the only ones a theme styles).
CLASSES = {
    "figure": {"figure"},
    "span": {"caption", "credit"},
    "blockquote": {"pullquote"},
    "hr": {"section-break"},
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
}
# Removed with everything inside them.
DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
    "textarea",
    "select",
    "frame",
    "frameset",
    "applet",
    "head",
    "title",
}
# Phrasing-only fields (title, dek, caption, credit): no blocks, no images.
INLINE_TAGS = INLINE - {"img", "br", "wbr"}

#: The deepest nesting longread accepts: far beyond any real article, far below
#: what would exhaust a parser's or a layout engine's stack.
MAX_DEPTH = 64

_VALID = {
    "colspan": re.compile(r"^[1-9][0-9]{0,2}$"),
    "rowspan": re.compile(r"^[0-9]{1,3}$"),
    "start": re.compile(r"^-?[0-9]{1,6}$"),
    "datetime": re.compile(r"^\d{4}(-\d\d(-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?)?)?$"),
    "dir": re.compile(r"^(ltr|rtl|auto)$"),
    "style": re.compile(r"^\s*text-align:\s*(left|right|center|justify)\s*;?\s*$"),
}


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "lang":
        return value if language.is_well_formed(value) else None
    rule = _VALID.get(attribute)
    if rule is None or rule.match(value):
        return value
    return None


def clean(fragment: str, inline: bool = False) -> str:
    """The fragment with only allowed elements, attributes and values left."""
    cleaned = nh3.clean(
        fragment,
        tags=INLINE_TAGS if inline else TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute,
        allowed_classes=CLASSES,
        # file: and data: pass here only to be refused by name later (see read.py).
        url_schemes={"http", "https", "mailto", "file", "data"},
        link_rel=None,
        strip_comments=True,
    )
    return without_illegal(cleaned)


def without_illegal(text: str) -> str:
    """Remove characters XML cannot carry, written as themselves or as references."""

    def ref(m: re.Match) -> str:
        body = m.group(1)
        try:
            code = int(body[1:], 16) if body[0] in "xX" else int(body)
            char = chr(code)
        except (ValueError, OverflowError):
            return ""
        return "" if ILLEGAL.match(char) or 0xD800 <= code <= 0xDFFF or code == 0 else m.group(0)

    return ILLEGAL.sub("", _CHAR_REF.sub(ref, text))


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "wbr"}


def nesting(fragment: str) -> int:
    """How deep the elements of a cleaned fragment nest, read from its tags alone
    (before any parser, which may cut a deep tree short without saying so)."""
    level = deepest = 0
    for closing, name, self_closing in _TAG.findall(fragment):
        if name.lower() in _VOID or self_closing:
            continue
        level += -1 if closing else 1
        deepest = max(deepest, level)
    return deepest


def parse_clean(fragment: str, note_token: str = "") -> etree._Element:
    """Parse a cleaned fragment and repair it into valid XHTML.  Only footnote ids
    made by the Markdown stage (they start with ``note_token``) are kept."""
    root = parse(fragment)
    repair(root, note_token)
    return root


def repair(root: etree._Element, note_token: str = "") -> None:
    # Each round renames or removes elements, so rounds are bounded by the tree's size.
    for _ in range(sum(1 for _ in root.iter()) + 1):
        placed = _repair_once(root)
        if not content_models.enforce(root) and not placed:
            break
    _unique_ids(root, note_token)


# Elements whose content is phrasing only: a block inside them gives way.
PHRASING_ONLY = INLINE | {"p", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "caption"}


def _repair_once(root: etree._Element) -> bool:
    changed = False
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el is root or el.getparent() is None:
            continue
        parent = el.getparent()
        tag = el.tag
        if tag in BLOCK and parent.tag in INLINE:
            _unwrap(parent)  # the inline element gives way to the block
            return True
        if tag in BLOCK and parent.tag in PHRASING_ONLY:
            _unwrap(el)  # a block inside a paragraph or heading keeps only its words
            return True
        if parent.tag in {"ul", "ol"} and tag != "li":
            _wrap(el, "li")
            changed = True
        elif parent.tag == "dl" and tag not in {"dt", "dd", "div"}:
            _wrap(el, "dd")
            changed = True
        elif tag == "li" and parent.tag not in {"ul", "ol"}:
            el.tag, changed = "p", True
        elif tag in {"dt", "dd"} and not _in_list(el):
            el.tag, changed = "p", True
        elif tag == "figcaption" and parent.tag != "figure":
            el.tag, changed = "p", True  # (its place inside a figure: see content_models)
        elif tag == "caption" and parent.tag != "table":
            el.tag, changed = "p", True
        elif tag in {"thead", "tbody", "tfoot", "tr", "th", "td"} and not _in_table(el):
            _unwrap(el)
            return True
        elif tag == "bdo" and el.get("dir") not in {"ltr", "rtl"}:
            el.tag, changed = "span", True
        elif tag == "time" and el.get("datetime") is None and not _VALID["datetime"].match("".join(el.itertext())):
            # Without a (valid) datetime, HTML wants the text itself to be a date.
            el.tag, changed = "span", True
    for container in root.iter("ul", "ol", "dl"):
        # Loose text inside a list belongs in an item.
        for node, slot in [(container, "text"), *((child, "tail") for child in container)]:
            if (getattr(node, slot) or "").strip():
                item = etree.Element("li" if container.tag != "dl" else "dd")
                item.text = getattr(node, slot)
                setattr(node, slot, None)
                if slot == "text":
                    container.insert(0, item)
                else:
                    node.addnext(item)
                return True
    return changed


def _in_list(el: etree._Element) -> bool:
    """A term or description inside a description list (directly, or grouped in a div)."""
    parent = el.getparent()
    if parent.tag == "div":
        parent = parent.getparent()
    return parent is not None and parent.tag == "dl"


def _wrap(el: etree._Element, tag: str) -> None:
    wrapper = etree.Element(tag)
    el.addprevious(wrapper)
    wrapper.tail, el.tail = el.tail, None
    wrapper.append(el)


def _in_table(el: etree._Element) -> bool:
    parent = el.getparent()
    expected = {
        "thead": {"table"},
        "tbody": {"table"},
        "tfoot": {"table"},
        "tr": {"table", "thead", "tbody", "tfoot"},
        "th": {"tr"},
        "td": {"tr"},
    }
    return parent is not None and parent.tag in expected[el.tag]


def _unwrap(el: etree._Element) -> None:
    """Replace an element by its content."""
    parent = el.getparent()
    index = parent.index(el)
    children = list(el)
    text, tail = el.text or "", el.tail or ""
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + text
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        last = children[-1]
        last.tail = (last.tail or "") + tail
    elif index == 0:
        parent.text = (parent.text or "") + tail
    else:
        prev = parent[index - 1]
        prev.tail = (prev.tail or "") + tail
    parent.remove(el)


def _note_element(el: etree._Element) -> bool:
    """A footnote call (``sup``) or a note (``li`` in the footnote list)."""
    if el.tag == "sup":
        return True
    lst = el.getparent()
    return (
        el.tag == "li"
        and lst is not None
        and lst.getparent() is not None
        and (lst.getparent().get("class") == "footnote")
    )


def _unique_ids(root: etree._Element, note_token: str) -> None:
    """Keep only the ids the Markdown stage gave footnote calls and notes (see
    ``markdown_ext.NoteIdProcessor``); longread names headings, notes and page
    markers itself, and no id written in the manuscript survives."""
    note_id = re.compile(rf"^{re.escape(note_token)}[nr][0-9]+$") if note_token else None
    seen: set[str] = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.get("id") is not None:
            ident = el.get("id")
            if note_id is None or ident in seen or not note_id.match(ident) or not _note_element(el):
                del el.attrib["id"]
            else:
                seen.add(ident)
