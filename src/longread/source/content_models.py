"""The content models of HTML's structured elements, enforced on a cleaned tree.

The sanitiser's repair pass puts elements where they may stand; these rules put
the children of tables, description lists and figures in the order and number
the HTML content model requires (what EPUBCheck validates), keeping every word:

- a table: one caption first, one thead, then either rows or row groups, one tfoot last;
- a description list: groups of terms followed by descriptions, either directly or
  each in a div; a list that cannot be read that way gives way to plain blocks;
- a figure: one figcaption, first or last;
- no dfn inside a dfn, no link inside a link, no heading or sectioning element in a
  table header cell, no time element without a datetime (its text would have to
  be a date).

Each function reports whether it changed the tree, so the repair pass can run
until nothing changes.
"""

from __future__ import annotations

from lxml import etree

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def enforce(root: etree._Element) -> bool:
    changed = False
    for table in list(root.iter("table")):
        changed |= _table(table)
    for dl in list(root.iter("dl")):
        changed |= _description_list(dl)
    for figure in list(root.iter("figure")):
        changed |= _figure(figure)
    changed |= _no_nesting(root, "dfn") | _no_nesting(root, "a")
    changed |= _empty_voids(root)
    for time in list(root.iter("time")):
        if not time.get("datetime"):  # its content would have to be a date: it is plain text
            time.tag, changed = "span", True
    for th in list(root.iter("th")):
        for el in th.iter(*HEADINGS, "aside"):
            el.tag, changed = ("p" if el.tag in HEADINGS else "div"), True
    return changed


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


def _merge_into(first: etree._Element, other: etree._Element) -> None:
    """Move ``other``'s content to the end of ``first`` (a space between), and
    remove ``other``."""
    if len(first):
        last = first[-1]
        last.tail = (last.tail or "") + " " + (other.text or "")
    else:
        first.text = (first.text or "") + " " + (other.text or "")
    for child in list(other):
        first.append(child)
    other.getparent().remove(other)


def _table(table: etree._Element) -> bool:
    """caption?, thead?, (tbody* | tr*), tfoot? — in that order, one of each."""
    kids = _elements(table)
    by_tag: dict[str, list[etree._Element]] = {}
    for kid in kids:
        by_tag.setdefault(kid.tag, []).append(kid)
    for tag in ("caption", "thead", "tfoot"):
        for extra in by_tag.get(tag, [])[1:]:
            _merge_into(by_tag[tag][0], extra)
        by_tag[tag] = by_tag.get(tag, [])[:1]
    body: list[etree._Element] = []
    run: etree._Element | None = None
    mixed = "tbody" in by_tag and "tr" in by_tag
    for kid in kids:
        if kid.tag == "tr" and mixed:
            if run is None:
                run = etree.Element("tbody")
                body.append(run)
            run.append(kid)
        elif kid.tag in {"tr", "tbody"}:
            run = None
            body.append(kid)
    order = by_tag["caption"] + by_tag["thead"] + body + by_tag["tfoot"]
    if [id(k) for k in _elements(table)] == [id(k) for k in order]:
        return False
    for kid in _elements(table):
        table.remove(kid)
    for kid in order:
        table.append(kid)
    return True


def _groups_valid(tags: list[str]) -> bool:
    """(dt+, dd+)*: empty, or starting with a term and ending with a description."""
    return not tags or (tags[0] == "dt" and tags[-1] == "dd" and set(tags) <= {"dt", "dd"})


def _description_list(dl: etree._Element) -> bool:
    kids = _elements(dl)
    divs = [k for k in kids if k.tag == "div"]
    if divs:
        grouped = len(divs) == len(kids) and all(
            _elements(d) and _groups_valid([c.tag for c in _elements(d)]) and not _loose_text(d) for d in divs
        )
        if grouped:
            return False
        for div in divs:  # a list that mixes groups and bare items, or a bad group: flatten it
            _unwrap(div)
        return True
    if _groups_valid([k.tag for k in kids]):
        return False
    # Terms without descriptions, or descriptions without a term: no reading of the
    # list as pairs is right, so its items become plain blocks.
    dl.tag = "div"
    for kid in kids:
        if kid.tag in {"dt", "dd"}:
            kid.tag = "div"
    return True


def _loose_text(el: etree._Element) -> bool:
    return bool((el.text or "").strip() or any((c.tail or "").strip() for c in el))


def _figure(figure: etree._Element) -> bool:
    """One figcaption, the first or the last child."""
    kids = _elements(figure)
    captions = [k for k in kids if k.tag == "figcaption"]
    if not captions or (len(captions) == 1 and captions[0] in (kids[0], kids[-1])):
        return False
    first = captions[0]
    for extra in captions[1:]:
        _merge_into(first, extra)
    if first is not kids[0]:
        figure.append(first)
    return True


def _empty_voids(root: etree._Element) -> bool:
    """Void elements hold nothing.  libxml2's HTML parser does not know ``wbr`` is
    void and puts what follows inside it: that content moves out, after it."""
    changed = False
    for el in list(root.iter("br", "wbr", "hr", "img")):
        if not (el.text or len(el)):
            continue
        children, tail = list(el), el.tail or ""
        el.tail, el.text = el.text, None
        anchor = el
        for child in children:
            anchor.addnext(child)
            anchor = child
        anchor.tail = (anchor.tail or "") + tail
        changed = True
    return changed


def _no_nesting(root: etree._Element, tag: str) -> bool:
    """An element that may not contain itself: the inner one becomes a span."""
    changed = False
    for el in list(root.iter(tag)):
        if any(a.tag == tag for a in el.iterancestors()):
            el.tag = "span"
            for attr in ("href",):
                el.attrib.pop(attr, None)
            changed = True
    return changed


def _unwrap(el: etree._Element) -> None:
    """Replace an element by its content."""
    parent = el.getparent()
    index = parent.index(el)
    previous = el.getprevious()
    text = el.text or ""
    if previous is None:
        parent.text = (parent.text or "") + text
    else:
        previous.tail = (previous.tail or "") + text
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    tail = el.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    elif previous is None:
        parent.text = (parent.text or "") + tail
    else:
        previous.tail = (previous.tail or "") + tail
    parent.remove(el)
