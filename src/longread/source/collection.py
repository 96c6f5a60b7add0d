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

Each article keeps its own title block and photo.  The collection becomes a
:class:`~longread.model.Book` (see :mod:`longread.render.book`): the EPUB has one
content document per article; the PDF sets them in one run of pages (continuous
folios, each article opening on a new page with its own running head) after a
title page and a contents page.  Both embed one set of fonts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..assets import images
from ..errors import ManuscriptError, quoted
from ..files import Inputs
from ..findings import Finding, Report, unknown_keys
from ..model import Article, Image
from ..xhtml import plain_text
from . import language, yamltext
from .frontmatter import read_date, repeated_and_cut
from .read import inline_markdown, read_authors, require_str

KEYS = {"title", "subtitle", "editors", "editor", "lang", "date", "publisher", "rights", "cover", "articles"}


@dataclass(frozen=True)
class Collection:
    article: Article  # the collection's own metadata, as an article without a body
    parts: tuple[Path, ...]
    findings: tuple[Finding, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(str(f) for f in self.findings)


def read_collection(path: Path, inputs: Inputs) -> Collection:
    raw = inputs.read(path, Path(os.path.realpath(path)).parent, path, "collection file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManuscriptError(path, "the collection file is not UTF-8 text (save it as UTF-8)") from None
    loaded = yamltext.load(path, text, what="the collection file")
    data = loaded.data
    if not isinstance(data, dict):
        raise ManuscriptError(path, "a collection file must be a set of 'key: value' lines")
    defaults = config.for_source(path)
    report = Report(path)
    report.extend(defaults.findings)
    unknown_keys(report, "col-001", data, KEYS, loaded.key_at, "unknown collection key {key} ignored")
    repeated_and_cut(report, loaded)
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
    lang = language.check(path, require_str(path, data, "lang") or defaults.lang or "en")
    cover = None
    if data.get("cover") is not None:
        src = require_str(path, data, "cover")
        source = images.load(path, images.resolve(path, src), inputs)
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
        date=read_date(path, data.get("date"), loaded.value_at("date")),
        publisher=require_str(path, data, "publisher") or defaults.publisher,
        rights=require_str(path, data, "rights") or defaults.rights,
        photo=cover,
    )
    return Collection(article=article, parts=tuple(parts), findings=tuple(report.found))
