"""The archival package: a BagIt bag (RFC 8493) per article.

It holds what an archivist needs to keep the article readable for decades: the
source manuscript and its images, the EPUB, the print PDF and the archival PDF/A-3
(which carries the source inside it too), the fonts' licences, and a metadata
record in JSON and in Dublin Core XML, all listed in SHA-256 manifests.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

import bagit

from ..errors import ManuscriptError
from ..model import Article, Theme
from ..writers import metadata

logging.getLogger("bagit").setLevel(logging.WARNING)


def source_files(article: Article) -> list[tuple[Path, str]]:
    """The manuscript and its images, with their paths inside the source folder."""
    folder = article.folder.resolve()
    files = [(article.source.resolve(), article.source.name)]
    files += [(im.path, im.path.relative_to(folder).as_posix()) for im in article.images]
    return files


def write_bag(target: Path, article: Article, theme: Theme, outputs: dict[str, bytes], modified: dt.datetime) -> None:
    """Make the bag in a temporary folder, validate it, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        for name, data in outputs.items():
            (tmp / name).write_bytes(data)
        for path, rel in source_files(article):
            dest = tmp / "source" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        for licence in theme.licences:
            # fonts/OFL.txt; a parent theme's licence of the same name goes under its theme's name
            rel = theme.href(licence).split("/", 2)[2]
            dest = tmp / rel if not (tmp / rel).exists() else tmp / theme.href(licence).removeprefix("styles/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(licence, dest)
        rec = metadata.record(article, modified)
        (tmp / "metadata.json").write_bytes(metadata.to_json(rec))
        (tmp / "metadata-dc.xml").write_bytes(metadata.to_dublin_core(rec))
        info = {
            "External-Identifier": rec["identifier"],
            "External-Description": rec["title"],
            "Bagging-Date": modified.astimezone(dt.UTC).date().isoformat(),
            "Bag-Group-Identifier": "longread",
        }
        if article.publisher:
            info["Source-Organization"] = article.publisher
        bag = bagit.make_bag(str(tmp), bag_info=info, checksums=["sha256"])
        try:
            bag.validate()
        except bagit.BagValidationError as e:
            raise ManuscriptError(article.source, f"the archive bag did not validate ({e})") from None
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)  # left by an interrupted earlier run
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
