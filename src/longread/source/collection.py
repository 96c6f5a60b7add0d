"""Collections: a magazine issue or an anthology, several long reads in one book.

A collection file is YAML::

    title: The Long Read
    subtitle: Winter 2026
    editors: [Jane Doe]
    lang: en
    date: 2026-12-01
    publisher: The Quarterly
    cover: images/issue-cover.jpg     # optional; else the first article's photo
    articles:
      - last-take-review.md
      - another-story.md

Each article keeps its own title block and photo.  The EPUB has one content
document per article; the PDF sets them in one run of pages (continuous folios,
each article opening on a new page with its own running head) after a title page
and a contents page.  Both embed one set of fonts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..assets import images
from ..errors import ManuscriptError, quoted
from ..model import Article, Image, Rendition
from ..xhtml import escape, inner_xml, names, parse, plain_text
from . import language
from .read import inline_markdown, load_yaml, read_authors, read_date, require_str

KEYS = {"title", "subtitle", "editors", "editor", "lang", "date", "publisher", "rights", "cover", "articles"}


@dataclass(frozen=True)
class Collection:
    article: Article  # the collection's own metadata, as an article without a body
    parts: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def read_collection(path: Path) -> Collection:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ManuscriptError(path, f"cannot read the collection file ({e.__class__.__name__})") from None
    data = load_yaml(path, text, what="the collection file")
    if not isinstance(data, dict):
        raise ManuscriptError(path, "a collection file must be a set of 'key: value' lines")
    warnings = [f"{path}: unknown collection key {quoted(k)} ignored" for k in sorted(map(str, set(data) - KEYS))]
    articles = data.get("articles")
    if not isinstance(articles, list) or not articles or not all(isinstance(a, str) for a in articles):
        raise ManuscriptError(path, "'articles' must list the manuscripts of the collection")
    folder = path.parent.resolve()
    parts = []
    for rel in articles:
        try:
            target = (folder / rel).resolve()
            if not target.is_relative_to(folder):
                raise ManuscriptError(path, f"article {quoted(rel)} is outside the collection's folder")
            if not target.is_file():
                raise ManuscriptError(path, f"article {quoted(rel)} not found")
        except (OSError, ValueError, RuntimeError):  # a NUL byte, a name too long, a loop
            raise ManuscriptError(path, f"article {quoted(rel)} cannot be opened") from None
        parts.append(target)
    lang = language.check(path, require_str(path, data, "lang") or "en")
    cover = None
    if data.get("cover") is not None:
        src = require_str(path, data, "cover")
        source = images.load(path, images.resolve(path, src))
        cover = Image(
            owner=path,
            key="cover-" + images.key_for(source.path, source.info, set()),
            path=source.path,
            file=source,
            alt=f"The cover of {require_str(path, data, 'title')}",
        )
    title = require_str(path, data, "title", required=True)
    article = Article(
        source=path,
        title_html=inline_markdown(path, title),
        title_text=plain_text(inline_markdown(path, title)),
        body_html="",
        lang=lang,
        dek_html=inline_markdown(path, require_str(path, data, "subtitle")),
        authors=read_authors(path, data.get("editors", data.get("editor"))),
        date=read_date(path, data.get("date")),
        publisher=require_str(path, data, "publisher"),
        rights=require_str(path, data, "rights"),
        photo=cover,
    )
    return Collection(article=article, parts=tuple(parts), warnings=tuple(warnings))


def prefixed(rendition: Rendition, tag: str) -> Rendition:
    """The rendition with its ids, in-document links and image files made unique
    within the collection (``tag-`` in front of each)."""
    root = parse(rendition.body)
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
    body = inner_xml(root)
    return dataclasses.replace(
        rendition,
        article=article,
        body=body,
        headings=tuple((f"{tag}-{i}", text, level) for i, text, level in rendition.headings),
        pages=tuple((label, f"{tag}-{i}") for label, i in rendition.pages),
    )


def title_page(c: Collection) -> Rendition:
    a = c.article
    parts = [
        '<section class="collection-title" epub:type="titlepage">',
        f'<h1 class="headline" id="title">{a.title_html}</h1>',
    ]
    if a.dek_html:
        parts.append(f'<p class="dek" epub:type="subtitle" role="doc-subtitle">{a.dek_html}</p>')
    if a.authors:
        joined = escape(names(a.authors, a.lang))
        parts.append(
            f'<p class="byline">Edited by {joined}</p>'
            if a.lang.startswith("en")
            else f'<p class="byline">{joined}</p>'
        )
    if a.publisher:
        parts.append(f'<p class="publisher">{escape(a.publisher)}</p>')
    parts.append("</section>")
    return Rendition(
        article=dataclasses.replace(a, photo=None),
        title=a.title_text,
        lang=a.lang,
        body="\n".join(parts),
        headings=(("title", a.title_text, 1),),
    )


def combined(c: Collection, front: Rendition, parts: tuple[Rendition, ...]) -> Rendition:
    """One document for the print edition: title page, contents, then every article."""
    contents = "".join(f'<li><a href="#{p.headings[0][0]}">{escape(p.title)}</a></li>' for p in parts)
    body = [
        front.body,
        f'<nav class="contents" role="doc-toc" aria-labelledby="contents-title">'
        f'<h2 id="contents-title">Contents</h2><ol>{contents}</ol></nav>',
    ]
    # Each article keeps its language (hyphenation, quotes, the PDF's tags).
    body += [
        f'<div class="collection-part" lang={quoteattr(p.lang)} xml:lang={quoteattr(p.lang)}>{p.body}</div>'
        for p in parts
    ]
    everything = tuple(im for p in parts for im in p.article.images)
    article = dataclasses.replace(c.article, photo=None, figures=everything)
    headings = tuple(h for p in parts for h in p.headings)
    return Rendition(
        article=article,
        title=c.article.title_text,
        lang=c.article.lang,
        body="\n".join(body),
        headings=(front.headings[0], *headings),
    )
