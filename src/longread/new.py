"""``longread new``: a manuscript to start from, every front matter key in place
and explained, that builds as it is."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import ManuscriptError, quoted

SKELETON = """\
---
# The headline (required). Inline Markdown such as *italics* is kept.
title: {title}
# The dek: a sentence or two under the headline.
subtitle:
# The small label above the headline: a section or a series.
kicker:
# A shorter title for the print running heads (the title when empty).
short_title:
# A name, or a list: [Jane Doe, John Roe].{author}
author:
# The publication date, YYYY-MM-DD.
date: {date}
# The language, as a BCP 47 tag (en, en-GB, de, fr-CA): quotes, hyphenation, metadata.{lang}
lang:
# Who publishes it.{publisher}
publisher:
# The article's canonical address, http(s).{source}
source:
# The copyright line.{rights}
rights:
# The lead photo: put the file in images/ and remove the # before these five lines.
# photo:
#   src: images/lead.jpg
#   alt: What the photo shows, for readers who cannot see it
#   caption: The caption printed under the photo.
#   credit: Photo by …
---

The article starts here, in Markdown. Its first paragraph opens with a drop cap;
*italics*, **bold** and [links](https://example.org) work as usual.

## A subhead

A subhead opens a section and is listed in the e-book's contents. A note is
called like this.[^1]

> A quotation set apart from the text.

A figure is an image alone in its paragraph, its alt text in the brackets and
its caption in quotes: `![What it shows](images/chart.png "The caption.")`.

[^1]: The note's text: a pop-up note in the e-book, a footnote in print.
"""


@dataclass(frozen=True)
class Created:
    manuscript: Path
    images: Path


def target(path: Path) -> Path:
    """The manuscript file PATH names: PATH itself for ``*.md``, else
    ``PATH/<name>.md`` (a folder for the article and its images)."""
    if path.suffix.lower() == ".md":
        return path
    if path.exists() and not path.is_dir():
        raise ManuscriptError(path, "already exists and is not a folder; name a new .md file or a folder")
    return path / f"{path.name}.md"


def title_for(manuscript: Path) -> str:
    """A working title from the file's name: ``road-trip.md`` → "Road trip"."""
    words = re.sub(r"[-_]+", " ", manuscript.stem).strip()
    return (words[:1].upper() + words[1:]) if words else "Untitled"


def skeleton(title: str, defaults: config.Defaults, today: dt.date) -> str:
    def from_file(value: str, key: str) -> str:
        origin = defaults.origins.get(key)
        return f" Empty: {quoted(value)}, from {origin}." if value and origin else ""

    return SKELETON.format(
        title=json.dumps(title, ensure_ascii=False),  # a YAML double-quoted string: any title is safe
        date=today.isoformat(),
        author=from_file(", ".join(defaults.author), "author"),
        lang=from_file(defaults.lang, "lang"),
        publisher=from_file(defaults.publisher, "publisher"),
        source=from_file(defaults.source, "source"),
        rights=from_file(defaults.rights, "rights"),
    )


def create(path: Path, title: str | None = None, today: dt.date | None = None) -> Created:
    """Write the skeleton and an ``images/`` folder beside it; never over a file."""
    manuscript = target(Path(path))
    if title is not None and not " ".join(title.split()):
        raise ManuscriptError(manuscript, "--title is empty")
    title = " ".join((title or title_for(manuscript)).split())
    if manuscript.exists() or manuscript.is_symlink():
        raise ManuscriptError(manuscript, "already exists; longread new never overwrites a file (choose another name)")
    folder = manuscript.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        text = skeleton(title, config.for_source(manuscript), today or dt.date.today())
        # "x": created here and now, or refused if it appeared meanwhile.
        with open(manuscript, "x", encoding="utf-8") as f:
            f.write(text)
        images = folder / "images"
        images.mkdir(exist_ok=True)
    except FileExistsError as e:
        name = Path(e.filename or manuscript)
        what = "already exists and is not a folder" if name != manuscript else "already exists"
        raise ManuscriptError(name, what) from None
    except OSError as e:
        raise ManuscriptError(Path(e.filename or manuscript), f"cannot be written ({e.strerror or e})") from None
    return Created(manuscript, images)


def shown_path(path: Path) -> str:
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else str(path)
