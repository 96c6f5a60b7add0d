"""longread's own Markdown syntax, as small Python-Markdown treeprocessors.

- an image alone in its paragraph becomes a captioned ``<figure>``
  (the image title is the caption);
- a block quote followed by ``{.pullquote}`` becomes a pull quote;
- ``***`` (a thematic break) becomes a section break.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor


class FigureProcessor(Treeprocessor):
    """``![alt](src "caption")`` alone in a paragraph → ``<figure>``."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for i, p in enumerate(list(parent)):
                if p.tag != "p" or len(p) != 1 or p[0].tag != "img":
                    continue
                img = p[0]
                if (p.text or "").strip() or (img.tail or "").strip():
                    continue
                figure = etree.Element("figure", {"class": "figure"})
                caption = img.attrib.pop("title", "")
                img.tail = None
                figure.append(img)
                if caption:
                    figcaption = etree.SubElement(figure, "figcaption")
                    etree.SubElement(figcaption, "span", {"class": "caption"}).text = caption
                figure.tail = p.tail
                parent[i] = figure


class PullQuoteProcessor(Treeprocessor):
    """A block quote whose paragraph carries ``.pullquote`` (attr_list puts it on the
    quote's last paragraph) → ``<blockquote class="pullquote">``."""

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for bq in list(parent):
                if bq.tag != "blockquote" or not len(bq):
                    continue
                last = bq[-1]
                classes = last.get("class", "").split()
                if "pullquote" not in classes:
                    continue
                classes.remove("pullquote")
                if classes:
                    last.set("class", " ".join(classes))
                else:
                    last.attrib.pop("class")
                bq.set("class", "pullquote")


class SeparateQuotes(Preprocessor):
    """Two block quotes with a blank line between them stay two quotes (as in
    CommonMark); Python-Markdown would join them, and a pull quote written after a
    quotation would swallow it.  A quote with several paragraphs keeps its ``>``
    on the blank lines between them, and stays one."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        in_quote = False  # the current block began with ">" (lazy lines continue it)
        for i, line in enumerate(lines):
            if not line.strip():
                following = lines[i + 1] if i + 1 < len(lines) else ""
                if in_quote and following.lstrip().startswith(">"):
                    out += ["", self.md.htmlStash.store("<!-- -->"), ""]
                    in_quote = False
                    continue
                in_quote = False
            elif line.lstrip().startswith(">") and (not out or not out[-1].strip()):
                in_quote = True
            out.append(line)
        return out


class NoteIdProcessor(Treeprocessor):
    """Footnote ids, renamed before raw HTML is put back into the document.

    Python-Markdown makes them from the labels (``fn-é``, ``fn-a:b``), which are not
    always valid XML ids, and raw HTML can write the same ones.  Here they become
    ``<token>n1``, ``<token>r1`` ...: the token is derived from the manuscript's own
    text (see :func:`note_token`), so no raw HTML in it can carry one, and the
    sanitiser keeps no other id on a note or a call.
    """

    def __init__(self, md: Markdown, token: str) -> None:
        super().__init__(md)
        self.token = token
        #: The label each note was written with, by its new id.
        self.labels: dict[str, str] = {}

    def run(self, root: etree.Element) -> None:
        notes: dict[str, str] = {}
        for div in root.iter("div"):
            if div.get("class") == "footnote":
                for li in div.iter("li"):
                    if li.get("id"):
                        notes[li.get("id")] = f"{self.token}n{len(notes) + 1}"
                        self.labels[notes[li.get("id")]] = li.get("id").removeprefix("fn-")
                        li.set("id", notes[li.get("id")])
        calls: dict[str, str] = {}
        for sup in root.iter("sup"):
            a = sup.find("a")
            if sup.get("id") and a is not None and a.get("class") == "footnote-ref":
                calls[sup.get("id")] = f"{self.token}r{len(calls) + 1}"
                sup.set("id", calls[sup.get("id")])
        for a in root.iter("a"):
            target = (a.get("href") or "")[1:]
            kind = a.get("class")
            if kind == "footnote-ref" and target in notes:
                a.set("href", "#" + notes[target])
            elif kind == "footnote-backref" and target in calls:
                a.set("href", "#" + calls[target])


def note_labels(md: Markdown) -> dict[str, str]:
    """The labels the notes were written with, by the ids :class:`NoteIdProcessor` gave them."""
    if "longread-note-ids" in md.treeprocessors:
        return md.treeprocessors["longread-note-ids"].labels
    return {}


def note_token(text: str) -> str:
    """A prefix for the footnote ids of ``text`` that ``text`` cannot contain: it
    would have to hold its own hash."""
    return "t" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class SectionBreakProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for hr in root.iter("hr"):
            hr.set("class", "section-break")


class LongreadExtension(Extension):
    def __init__(self, note_token: str = "") -> None:
        super().__init__()
        self.note_token = note_token

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown API)
        # attr_list runs at priority 8; these must see its result, so they run later.
        md.preprocessors.register(SeparateQuotes(md), "longread-separate-quotes", 5)
        md.treeprocessors.register(FigureProcessor(md), "longread-figures", 6)
        md.treeprocessors.register(PullQuoteProcessor(md), "longread-pullquotes", 5)
        md.treeprocessors.register(SectionBreakProcessor(md), "longread-breaks", 4)
        if self.note_token:
            # After the footnotes' own duplicate-call pass (15), before attr_list (8).
            md.treeprocessors.register(NoteIdProcessor(md, self.note_token), "longread-note-ids", 12)


def make_markdown(note_token: str = "") -> Markdown:
    """The Markdown converter; footnote ids start with ``note_token`` (see
    :class:`NoteIdProcessor`) when one is given."""
    return Markdown(
        extensions=["footnotes", "attr_list", "tables", "sane_lists", LongreadExtension(note_token)],
        extension_configs={
            # ':' is not allowed in an XML id (EPUBCheck validates ids as NCNames).
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "↩"},
        },
        output_format="xhtml",
    )
