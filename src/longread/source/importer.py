"""``longread import``: a Word (.docx), OpenDocument (.odt) or HTML file → a manuscript folder.

The folder holds ``NAME.md`` (YAML front matter and Markdown) and ``images/``.
Pandoc, from the optional ``pypandoc-binary`` package, reads the document into
its AST and writes the Markdown; :mod:`.import_ast` makes the AST into what a
manuscript holds, and :mod:`.import_checks` checks the file first and tells what
cannot be carried over.

Pandoc runs as its manual advises for untrusted input ("A note on security"):
``--sandbox`` (it reads nothing but the input and fetches nothing), under a
memory ceiling and a time limit.  The folder is written beside its final place
and moved there only when complete; an existing manuscript is never overwritten.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..assets import images
from ..errors import ManuscriptError, quoted
from ..files import read_checked
from .import_ast import Parts, Placed, manuscript_parts, squash
from .import_checks import (
    Facts,
    check_size,
    decode_html,
    docx_facts,
    html_facts,
    odt_facts,
    open_package,
    snippet,
)

KINDS = {".docx": "docx", ".odt": "odt", ".html": "html", ".htm": "html", ".xhtml": "html"}
#: Markdown as longread reads it (Python-Markdown with footnotes and tables): list
#: content indented by four spaces, no smart punctuation (what was typed stays).
MARKDOWN = "markdown_strict+footnotes+pipe_tables+four_space_rule"
MIN_PANDOC = (3, 6)
PANDOC_HEAP = "2g"
PANDOC_SECONDS = 300
MAX_DATA_IMAGE_BYTES = 20 * 1024 * 1024
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "TIFF": "tif"}


@dataclass(frozen=True)
class Imported:
    manuscript: Path
    images: tuple[Path, ...]
    warnings: tuple[str, ...]


def import_document(source: Path, folder: Path | None = None) -> Imported:
    """Convert ``source`` into ``folder/NAME.md`` and ``folder/images/`` (``folder``
    defaults to ``NAME/``); raise :class:`ManuscriptError` on any problem."""
    source = Path(source)
    kind = kind_of(source)
    if not source.is_file():
        raise ManuscriptError(source, "no such file")
    check_size(source)
    name = slug(source)
    folder = Path(folder) if folder is not None else Path(name)
    target = folder / f"{name}.md"
    refuse_existing(target)
    if folder.exists() and not folder.is_dir():
        raise ManuscriptError(folder, "is a file, not a folder to import into")
    pandoc = pandoc_path(source)
    with tempfile.TemporaryDirectory(prefix="longread-import-") as work:
        facts, doc = read(source, kind, pandoc, Path(work))
        store = ImageStore(source, Path(work), name, facts)
        parts = manuscript_parts(doc, facts, kind, source, store.place)
        text = write_markdown(source, pandoc, doc, parts)
        warnings = [f"{source}: {loss}" for loss in facts.losses] + store.warnings + parts.warnings
        warnings += box_warnings(source, facts, parts)
        placed = place_folder(folder, target, text, store.files)
    return Imported(target, tuple(placed), tuple(warnings))


def kind_of(source: Path) -> str:
    kind = KINDS.get(source.suffix.lower())
    if kind is None:
        raise ManuscriptError(
            source, f"cannot import a {source.suffix or 'file without an extension'}: give a .docx, .odt or .html file"
        )
    return kind


def slug(source: Path) -> str:
    """The manuscript's name: the document's, in plain letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", source.stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_]+", "-", ascii_name).strip("-").lower() or "document"


def refuse_existing(target: Path) -> None:
    if target.exists():
        raise ManuscriptError(
            target, "already exists and was not overwritten; remove it, or import into another folder with -o"
        )


def pandoc_path(source: Path) -> str:
    try:
        import pypandoc

        path, version = pypandoc.get_pandoc_path(), pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        raise ManuscriptError(
            source, "importing needs pandoc, which comes with an extra: pip install 'longread[import]'"
        ) from None
    if tuple(int(n) for n in re.findall(r"\d+", version)[:3]) < MIN_PANDOC:
        # 3.1.6 closed the holes through which --extract-media could write outside
        # its folder (CVE-2023-35936, CVE-2023-38745); 3.6 reads HTML footnotes.
        raise ManuscriptError(
            source, f"importing needs pandoc 3.6 or newer, not {version}: pip install --upgrade 'longread[import]'"
        )
    return path


# --- reading ------------------------------------------------------------------------


def read(source: Path, kind: str, pandoc: str, work: Path) -> tuple[Facts, dict]:
    """The document's facts and pandoc's AST of it."""
    if kind == "html":
        text = decode_html(source, source.read_bytes())
        facts = html_facts(source, text)
        out = run_pandoc(source, pandoc, ["-f", "html", "-t", "json"], text.encode("utf-8"))
    else:
        with open_package(source, kind) as zf:
            facts = docx_facts(source, zf) if kind == "docx" else odt_facts(source, zf)
        args = ["-f", kind, "-t", "json", f"--extract-media={work / 'media'}"]
        if kind == "docx":
            args.append("--track-changes=accept")  # as Word's 'Accept All'; the checks say what changed
        out = run_pandoc(source, pandoc, [*args, str(source.resolve())])
    return facts, json.loads(out)


def run_pandoc(source: Path, pandoc: str, args: list[str], stdin: bytes | None = None) -> bytes:
    command = [pandoc, "--sandbox", *args, "+RTS", f"-M{PANDOC_HEAP}", "-RTS"]
    try:
        done = subprocess.run(
            command,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            timeout=PANDOC_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ManuscriptError(source, f"could not be converted within {PANDOC_SECONDS} s; not imported") from None
    except OSError as e:
        raise ManuscriptError(source, f"pandoc could not be started ({e.strerror or e})") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace")
        if "Heap exhausted" in err:
            raise ManuscriptError(source, f"is too large to convert within {PANDOC_HEAP}B of memory")
        line = next((ln.strip() for ln in err.splitlines() if ln.strip()), f"exit status {done.returncode}")
        raise ManuscriptError(source, f"pandoc could not read it: {line}")
    return done.stdout


# --- images -------------------------------------------------------------------------


class ImageStore:
    """Each image the document holds, checked and stored once as ``images/NAME-N.ext``."""

    def __init__(self, source: Path, work: Path, name: str, facts: Facts) -> None:
        self.source, self.work, self.name, self.facts = source, work, name, facts
        self.media = (work / "media").resolve()
        self.files: dict[str, Path] = {}  # file name in images/ -> where it is now
        self.seen: dict[str, Placed | None] = {}
        self.warnings: list[str] = []

    def place(self, src: str) -> Placed | None:
        if src not in self.seen:
            self.seen[src] = self.store(src)
        return self.seen[src]

    def store(self, src: str) -> Placed | None:
        try:
            path, key = self.locate(src)
            info = images.inspect(self.source, path.name, read_checked(path, path.parent, self.source, "image"))
        except ManuscriptError as e:
            # images.resolve speaks of a manuscript; here the folder is the page's.
            reason = e.reason.replace("the manuscript's folder", "the page's folder")
            self.warnings.append(f"{self.source}: {reason.replace('to the manuscript', 'to the page')}; left out")
            return None
        name = f"{self.name}-{len(self.files) + 1}.{EXTENSIONS[info.format]}"
        self.files[name] = path
        return Placed(f"images/{name}", self.facts.alts.get(key, ""), self.facts.captions.get(key, ""))

    def locate(self, src: str) -> tuple[Path, str]:
        """The image file and its path inside the package (the key of its alt text)."""
        shown = quoted(src if not src.startswith("data:") else src[:30] + "…")
        if src.startswith("data:"):
            return self.from_data(src), ""
        if re.match(r"^https?:", src, re.I):
            raise ManuscriptError(self.source, f"image {shown} is on the web, and longread never downloads anything")
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", src):
            raise ManuscriptError(self.source, f"image {shown} is not stored in the document or beside it")
        if self.source.suffix.lower() in {".docx", ".odt"}:
            path = Path(src).resolve()
            if not (path.is_relative_to(self.media) and path.is_file()):
                raise ManuscriptError(self.source, f"image {shown} is linked, not stored in the document")
            return path, path.relative_to(self.media).as_posix()
        return images.resolve(self.source, src), ""  # beside the HTML file, and inside its folder

    def from_data(self, src: str) -> Path:
        header, _, payload = src[5:].partition(",")
        if len(payload) * 3 // 4 > MAX_DATA_IMAGE_BYTES:
            raise ManuscriptError(self.source, "an image written into the page is over 20 MB")
        try:
            data = base64.b64decode(payload) if header.endswith(";base64") else urllib.parse.unquote_to_bytes(payload)
        except ValueError:
            raise ManuscriptError(self.source, "an image written into the page is not valid base64") from None
        path = self.work / "data" / f"{len(self.seen)}"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path


# --- writing ------------------------------------------------------------------------


def write_markdown(source: Path, pandoc: str, doc: dict, parts: Parts) -> str:
    """The manuscript's text: front matter, then the body, both written by pandoc."""
    # One pandoc run writes the title, the subtitle and the body, parted by a line
    # that nothing in a document can contain.
    token = f"longreadpart{uuid.uuid4().hex}"
    part = {"t": "Para", "c": [{"t": "Str", "c": token}]}
    blocks = [{"t": "Para", "c": parts.title}, part, {"t": "Para", "c": parts.subtitle}, part, *parts.blocks]
    ast = {"pandoc-api-version": doc["pandoc-api-version"], "meta": {}, "blocks": blocks}
    out = run_pandoc(source, pandoc, ["-f", "json", "-t", MARKDOWN, "--wrap=none"], json.dumps(ast).encode())
    title, subtitle, body = re.split(rf"^{token}$", out.decode("utf-8"), flags=re.M)
    front: dict[str, object] = {"title": squash(title)}
    if squash(subtitle):
        front["subtitle"] = squash(subtitle)
    if parts.authors:
        front["author"] = parts.authors[0] if len(parts.authors) == 1 else list(parts.authors)
    if parts.date:
        front["date"] = parts.date
    if parts.lang:
        front["lang"] = parts.lang
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{header}---\n\n{body.strip()}\n"


def box_warnings(source: Path, facts: Facts, parts: Parts) -> list[str]:
    text = squash(parts.text)
    return [
        f"{source}: text box {'kept in the running text' if squash(box) in text else 'left out'}: {snippet(box)}"
        for box in facts.boxes
    ]


def place_folder(folder: Path, target: Path, text: str, files: dict[str, Path]) -> list[Path]:
    """Write the manuscript and its images beside their place, then move them in."""
    fresh = not folder.exists()
    parent = folder.parent if fresh else folder
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=parent, prefix=".longread-import-", suffix=".part"))
    try:
        (stage / target.name).write_text(text, encoding="utf-8")
        if files:
            (stage / "images").mkdir()
        for name, path in files.items():
            shutil.copyfile(path, stage / "images" / name)
        if fresh:
            os.rename(stage, folder)  # the whole folder appears at once
            return [folder / "images" / n for n in files]
        return move_in(stage, folder, target, list(files))
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def move_in(stage: Path, folder: Path, target: Path, names: list[str]) -> list[Path]:
    """Into an existing folder: images first, the manuscript last; on failure,
    what was moved is taken back out."""
    dests = [folder / "images" / n for n in names]
    for d in [target, *dests]:
        refuse_existing(d)
    moved: list[Path] = []
    try:
        if dests:
            (folder / "images").mkdir(exist_ok=True)
        for name, dest in zip(names, dests, strict=True):
            os.rename(stage / "images" / name, dest)
            moved.append(dest)
        os.rename(stage / target.name, target)
    except BaseException:
        for m in moved:
            m.unlink(missing_ok=True)
        raise
    return dests
