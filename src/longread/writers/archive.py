"""The archival package: a BagIt 1.0 bag (RFC 8493) per article or collection.

It holds what an archivist needs to keep the book readable for decades: the
sources (manuscripts, collection file, images) exactly as the build read them,
the EPUB, the web edition, the print PDF and the archival PDF/A-3 (which
carries the sources inside it too), the fonts' licences, and a metadata record in JSON and in Dublin
Core XML, all listed in SHA-256 manifests.  The bag is written in a temporary
folder, validated with the bagit library, and only then moved into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..errors import ManuscriptError, shown
from ..files import Inputs
from ..model import Book, Theme
from . import metadata

# RFC 8493 §2.1.3: these characters are percent-encoded in manifests; the bagit
# library's validator does not decode "%25", so names holding them are refused.
UNSAFE_NAME_CHARS = "%\r\n"


def source_files(book: Book) -> list[tuple[Path, str]]:
    """Every source file of the book, with its path inside the source folder: the
    collection file and manuscripts, then their images."""
    folder = book.source.parent.resolve()
    files = [(p.resolve(), p.resolve().relative_to(folder).as_posix()) for p in book.sources]
    for part in book.parts:
        for im in part.article.images:
            files.append((im.path, im.path.relative_to(folder).as_posix()))
    if book.cover is not None:
        files.append((book.cover.path, book.cover.path.relative_to(folder).as_posix()))
    unique = dict(files)
    for rel in unique.values():
        if any(c in rel for c in UNSAFE_NAME_CHARS):
            raise ManuscriptError(
                book.source, f"{shown(rel)} cannot go into an archive bag: rename it without % or line breaks"
            )
    return list(unique.items())


def write_bag(
    target: Path, book: Book, theme: Theme, outputs: dict[str, bytes], rec: metadata.Record, inputs: Inputs
) -> None:
    """Make the bag in a temporary folder, validate it, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}."))
    try:
        payload = payload_files(book, theme, outputs, rec, inputs)
        write_payload(tmp, payload)
        write_tag_files(tmp, payload, rec, book)
        validate(tmp, book)
        swap_into_place(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def payload_files(
    book: Book, theme: Theme, outputs: dict[str, bytes], rec: metadata.Record, inputs: Inputs
) -> dict[str, bytes]:
    """The bag's payload, by path inside ``data/``: the sources as the build read
    them (never read again: a file swapped meanwhile cannot slip in)."""
    payload = dict(outputs)
    for path, rel in source_files(book):
        payload[f"source/{rel}"] = inputs.data(path)
    for licence in theme.licences:
        # fonts/OFL.txt; a parent theme's licence of the same name goes under its theme's name
        rel = theme.href(licence).split("/", 2)[2]
        payload[rel if rel not in payload else theme.href(licence).removeprefix("styles/")] = licence.read_bytes()
    payload["metadata.json"] = metadata.to_json(rec)
    payload["metadata-dc.xml"] = metadata.to_dublin_core(rec)
    return payload


def write_payload(bag: Path, payload: dict[str, bytes]) -> None:
    for rel, data in payload.items():
        dest = bag / "data" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)


def write_tag_files(bag: Path, payload: dict[str, bytes], rec: metadata.Record, book: Book) -> None:
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  data/{rel}\n" for rel, data in sorted(payload.items()))
    info = {
        "Bag-Group-Identifier": "longread",
        "Bag-Software-Agent": f"longread {__version__}",
        "Bagging-Date": rec.modified[:10],
        "External-Description": rec.title,
        "External-Identifier": rec.identifier,
        "Payload-Oxum": f"{sum(len(d) for d in payload.values())}.{len(payload)}",
    }
    if book.meta.publisher:
        info["Source-Organization"] = book.meta.publisher
    tags = {
        "bagit.txt": "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": "".join(f"{k}: {' '.join(v.split())}\n" for k, v in sorted(info.items())),
        "manifest-sha256.txt": manifest,
    }
    for name, text in tags.items():
        (bag / name).write_text(text, encoding="utf-8", newline="\n")
    tag_manifest = "".join(
        f"{hashlib.sha256(text.encode()).hexdigest()}  {name}\n" for name, text in sorted(tags.items())
    )
    (bag / "tagmanifest-sha256.txt").write_text(tag_manifest, encoding="utf-8", newline="\n")


def validate(bag: Path, book: Book) -> None:
    import bagit

    with quiet("bagit"):
        try:
            bagit.Bag(str(bag)).validate()
        except (bagit.BagError, bagit.BagValidationError) as e:
            raise ManuscriptError(book.source, f"the archive bag did not validate ({shown(e)})") from None


@contextlib.contextmanager
def quiet(name: str):
    """A library's log lines kept off the terminal while it works (errors reach the
    user as one line through :class:`ManuscriptError` instead)."""
    logger = logging.getLogger(name)
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


def swap_into_place(tmp: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)  # left by an interrupted earlier run
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def remove_stale_temporaries(target: Path) -> None:
    """Bags half-made by a run that was killed: their process is gone."""
    for tmp in target.parent.glob(f".{target.name}.*"):
        pid = tmp.name[len(target.name) + 2 :].split(".", 1)[0]
        if tmp.is_dir() and (tmp.name.endswith(".old") or (pid.isdigit() and not alive(int(pid)))):
            shutil.rmtree(tmp, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
