"""longread's own Markdown syntax, as small Python-Markdown treeprocessors.

- an image alone in its paragraph becomes a captioned ``<figure>``
  (the image title is the caption);
- a block quote followed by ``{.pullquote}`` becomes a pull quote;
- ``***`` (a thematic break) becomes a section break.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
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
        for parent in root.iter():
            for bq in parent:
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


class SectionBreakProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for hr in root.iter("hr"):
            hr.set("class", "section-break")


class LongreadExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown API)
        # attr_list runs at priority 8; these must see its result, so they run later.
        md.treeprocessors.register(FigureProcessor(md), "longread-figures", 6)
        md.treeprocessors.register(PullQuoteProcessor(md), "longread-pullquotes", 5)
        md.treeprocessors.register(SectionBreakProcessor(md), "longread-breaks", 4)


def make_markdown() -> Markdown:
    return Markdown(
        extensions=["footnotes", "attr_list", "tables", "sane_lists", LongreadExtension()],
        extension_configs={
            # ':' is not allowed in an XML id (EPUBCheck validates ids as NCNames).
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "↩"},
        },
        output_format="xhtml",
    )
