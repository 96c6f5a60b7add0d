"""The no-change rebuild: a content-hash stamp per manuscript and output set.

After a successful build, a stamp records the SHA-256 of every file the build
read, in the order it read them (the manuscript, each image, a collection's
articles), of every file of the theme, of the options, longread's version and
code, and of the outputs themselves.  A later build whose inputs and outputs
still hash the same does nothing; any change rebuilds.  The check reads inputs
under the same safety rules as a build (a file turned into a FIFO or a link to a
device is a change, never a hang).  This module imports nothing heavy, so the
check costs only the hashing.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import ManuscriptError
from ..files import file_digest, read_checked, write_atomically
from ..model import BuildOptions, settled


def theme_digest(folder: Path) -> str:
    """Every file of the theme and of the themes it extends."""
    from ..theme import lineage

    h = hashlib.sha256()
    for theme_folder, _, _ in lineage(folder):
        h.update(os.fsencode(theme_folder) + b"\0")
        for path in sorted(p for p in theme_folder.rglob("*") if p.is_file()):
            h.update(os.fsencode(path.relative_to(theme_folder)) + b"\0" + file_digest(path).encode())
    return h.hexdigest()


def code_digest() -> str:
    """longread's own code: a changed module makes every output stale, even when the
    version number stayed the same (a development checkout)."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def stamp_path(source: Path, output_dir: Path, kind: str) -> Path:
    name = hashlib.sha256(os.fsencode(source.resolve()) + f"|{kind}".encode()).hexdigest()[:24]
    return output_dir / ".cache" / "stamps" / f"{name}.json"


def settings(
    options: BuildOptions, kind: str, theme_folder: Path, version: str, epoch: str, defaults: str = ""
) -> dict:
    """What a build depends on besides the files it reads; ``defaults`` is the
    digest of the longread.yaml files that apply (none: left out)."""
    options = settled(options)
    current = {
        "code": code_digest(),
        "kind": kind,
        "formats": list(options.formats),
        "papers": list(options.papers),
        "press": options.press,
        "output_dir": os.fsdecode(options.output_dir),
        "theme": theme_digest(theme_folder),
        "version": version,
        "source_date_epoch": epoch,
    }
    if defaults:
        current["defaults"] = defaults
    return json.loads(json.dumps(current))  # as it reads back from the stamp (lists, not tuples)


def up_to_date(source: Path, current: dict, output_dir: Path, kind: str) -> tuple[list[Path], list[str]] | None:
    """The outputs (and warnings) of a previous build from exactly these inputs, or None."""
    stamp = stamp_path(source, output_dir, kind)
    try:
        record = json.loads(stamp.read_text(encoding="utf-8"))
        if record["settings"] != current:
            return None
        folder = source.resolve().parent
        for name, digest in record["inputs"]:
            path = Path(os.fsencode(name).decode("utf-8", "surrogateescape"))
            if hashlib.sha256(read_checked(path, folder, source)).hexdigest() != digest:
                return None
        if not record["outputs"] or any(file_digest(Path(p)) != h for p, h in record["outputs"].items()):
            return None
        made = [Path(p) for p in record["made"]]
        if sorted(map(os.fsdecode, files_in(made))) != sorted(record["outputs"]):
            return None  # a file added to or removed from an archive bag
    except (OSError, ValueError, KeyError, TypeError, ManuscriptError):
        return None
    return made, list(record.get("warnings", []))


def files_in(paths: list[Path]) -> list[Path]:
    """The files among paths, and inside the folders among them (an archive bag)."""
    found = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.is_file())
        elif p.is_file():
            found.append(p)
    return found


def record(
    source: Path,
    current: dict,
    output_dir: Path,
    kind: str,
    inputs: list[tuple[str, str]],
    outputs: list[Path],
    warnings: list[str],
) -> None:
    """Stamp a successful build with the digests of what it read (taken when it read
    them, so a file saved while the build ran makes the next build rebuild)."""
    stamp = stamp_path(source, output_dir, kind)
    try:
        outputs_seen = {os.fsdecode(p): file_digest(p) for p in files_in(outputs)}
    except OSError:
        return  # an output went away meanwhile: no stamp, the next build rebuilds
    data = {
        "settings": current,
        "inputs": [list(pair) for pair in inputs],
        "outputs": outputs_seen,
        "made": [os.fsdecode(p) for p in outputs],
        "warnings": warnings,
    }
    try:
        write_atomically(stamp, json.dumps(data, indent=1).encode("utf-8", "surrogateescape"))
    except (OSError, UnicodeEncodeError):
        pass  # no stamp: the next build simply rebuilds
