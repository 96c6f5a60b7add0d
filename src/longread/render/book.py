"""A book of renditions: one article, or a collection (a magazine issue, an
anthology) with a title page and a contents list.

Every output is made from a :class:`Book`, so a collection goes through the same
route as a single article.  In a collection each article's ids, links and image
names are prefixed (``a01-`` …) so they stay unique in the one print document and
the one EPUB.
"""

from __future__ import annotations

import copy
import dataclasses

from lxml import etree

from ..model import Article, Book, Heading, Rendition
from ..source.collection import Collection
from ..xhtml import names
from .article import fragment
from .document import EPUB_TYPE, XML_LANG, element, sub

ARTICLE_DOCUMENT = "article.xhtml"
TITLE_PAGE = "titlepage.xhtml"


def single(rendition: Rendition) -> Book:
    a = rendition.article
    return Book(source=a.source, name=a.slug, meta=a, parts=(rendition,), sources=(a.source,))


def collection(c: Collection, renditions: tuple[Rendition, ...], name: str) -> Book:
    parts = tuple(
        dataclasses.replace(prefixed(r, f"a{i:02}"), name=f"article-{i:02}.xhtml") for i, r in enumerate(renditions, 1)
    )
    parts = shared_images(parts)
    return Book(
        source=c.article.source,
        name=name,
        meta=c.article,
        parts=parts,
        front=title_page(c.article),
        cover=c.article.photo,
        sources=(c.article.source, *c.parts),
    )


def prefixed(rendition: Rendition, tag: str) -> Rendition:
    """The rendition with its ids, in-document links and image files made unique
    within the collection (``tag-`` in front of each)."""
    root = copy.deepcopy(rendition.body)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("id", "aria-labelledby"):
            if el.get(attr):
                el.set(attr, f"{tag}-{el.get(attr)}")
        if (el.get("href") or "").startswith("#"):
            el.set("href", f"#{tag}-{el.get('href')[1:]}")
        if el.tag == "img" and (el.get("src") or "").startswith("images/"):
            el.set("src", f"images/{tag}-{el.get('src')[7:]}")
    a = rendition.article
    article = dataclasses.replace(
        a,
        photo=a.photo and dataclasses.replace(a.photo, key=f"{tag}-{a.photo.key}"),
        figures=tuple(dataclasses.replace(f, key=f"{tag}-{f.key}") for f in a.figures),
    )
    return dataclasses.replace(
        rendition,
        article=article,
        body=root,
        headings=tuple(dataclasses.replace(h, id=f"{tag}-{h.id}") for h in rendition.headings),
        pages=tuple(dataclasses.replace(p, id=f"{tag}-{p.id}") for p in rendition.pages),
    )


def shared_images(parts: tuple[Rendition, ...]) -> tuple[Rendition, ...]:
    """One picture shown by several articles (the same bytes) is stored once: every
    article after the first that shows it names the first one's file."""
    first: dict[str, str] = {}  # content digest -> key
    out = []
    for part in parts:
        renamed = {}
        for im in part.article.images:
            if im.file is None:
                continue
            key = first.setdefault(im.file.digest, im.key)
            if key != im.key:
                renamed[im.key] = key
        out.append(with_image_keys(part, renamed) if renamed else part)
    return tuple(out)


def with_image_keys(rendition: Rendition, renamed: dict[str, str]) -> Rendition:
    root = copy.deepcopy(rendition.body)
    for img in root.iter("img"):
        key = (img.get("src") or "").removeprefix("images/")
        if key in renamed:
            img.set("src", f"images/{renamed[key]}")
    a = rendition.article

    def rekey(im):
        return im and dataclasses.replace(im, key=renamed.get(im.key, im.key))

    article = dataclasses.replace(a, photo=rekey(a.photo), figures=tuple(rekey(f) for f in a.figures))
    return dataclasses.replace(rendition, article=article, body=root)


def title_page(a: Article) -> Rendition:
    section = element("section", {"class": "collection-title", EPUB_TYPE: "titlepage"})
    section.append(fragment("h1", {"class": "headline", "id": "title"}, a.title_html))
    if a.dek_html:
        section.append(fragment("p", {"class": "dek", EPUB_TYPE: "subtitle", "role": "doc-subtitle"}, a.dek_html))
    if a.authors:
        editors = names(a.authors, a.lang)
        sub(section, "p", {"class": "byline"}, f"Edited by {editors}" if a.lang.startswith("en") else editors)
    if a.publisher:
        sub(section, "p", {"class": "publisher"}, a.publisher)
    return Rendition(
        article=dataclasses.replace(a, photo=None),
        title=a.title_text,
        lang=a.lang,
        body=section,
        headings=(Heading("title", a.title_text, 1),),
        name=TITLE_PAGE,
    )


def print_body(book: Book) -> list[etree._Element]:
    """The print edition's body: a single article as it is; a collection as title
    page, contents, then every article on its own pages in its own language."""
    if not book.is_collection:
        return [book.parts[0].body]
    contents = element("nav", {"class": "contents", "role": "doc-toc", "aria-labelledby": "contents-title"})
    sub(contents, "h2", {"id": "contents-title"}, "Contents")
    items = sub(contents, "ol")
    for part in book.parts:
        sub(sub(items, "li"), "a", {"href": f"#{part.headings[0].id}"}, part.title)
    body = [book.front.body, contents]
    for part in book.parts:
        # Each article keeps its language (hyphenation, quotes, the PDF's tags).
        wrapper = element("div", {"class": "collection-part", "lang": part.lang, XML_LANG: part.lang})
        wrapper.append(copy.deepcopy(part.body))
        body.append(wrapper)
    return body


def documents(book: Book) -> tuple[Rendition, ...]:
    """The e-book's content documents, in reading order."""
    return ((book.front,) if book.front else ()) + book.parts


def headings(book: Book) -> tuple[tuple[str, Heading], ...]:
    """Every heading of the book with the document it is in, in reading order."""
    return tuple((doc.name, h) for doc in documents(book) for h in doc.headings)
