"""The no-change rebuild: a content-hash stamp per manuscript and output set.

After a successful build, a stamp records the SHA-256 of everything the outputs
were made from (the manuscript, each image it uses, every file of the theme, the
options and longread's version) and of the outputs themselves.  A later build
with the same inputs and untouched outputs does nothing.  Any change to any of
them rebuilds.  This module imports nothing heavy, so the check costs only the
hashing.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from ..files import write_atomically
from ..model import BuildOptions


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def theme_digest(folder: Path) -> str:
    """Every file of the theme and of the themes it extends."""
    from ..theme import lineage

    h = hashlib.sha256()
    for theme_folder, _, _ in lineage(folder):
        h.update(theme_folder.as_posix().encode() + b"\0")
        for path in sorted(p for p in theme_folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(theme_folder).as_posix().encode() + b"\0" + digest(path).encode())
    return h.hexdigest()


def code_digest() -> str:
    """longread's own code: a changed module makes every output stale, even when the
    version number stayed the same (a development checkout)."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def stamp_path(manuscript: Path, options: BuildOptions, kind: str) -> Path:
    name = hashlib.sha256(f"{manuscript.resolve()}|{kind}".encode()).hexdigest()[:24]
    return options.output_dir / ".cache" / "stamps" / f"{name}.json"


def settings(options: BuildOptions, kind: str, theme_folder: Path, version: str) -> dict:
    fixed = asdict(options)
    fixed["output_dir"] = str(options.output_dir)
    fixed["build_time"] = str(options.build_time or "")
    current = {
        "code": code_digest(),
        "kind": kind,
        "options": fixed,
        "theme": theme_digest(theme_folder),
        "version": version,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }
    return json.loads(json.dumps(current))  # as it reads back from the stamp (lists, not tuples)


def up_to_date(
    manuscript: Path, options: BuildOptions, kind: str, theme_folder: Path, version: str
) -> tuple[list[Path], list[str]] | None:
    """The outputs (and warnings) of a previous build from exactly these inputs, or None."""
    stamp = stamp_path(manuscript, options, kind)
    try:
        record = json.loads(stamp.read_text(encoding="utf-8"))
        if record["settings"] != settings(options, kind, theme_folder, version):
            return None
        if any(digest(Path(p)) != h for p, h in record["inputs"].items()):
            return None
        if not record["outputs"] or any(digest(Path(p)) != h for p, h in record["outputs"].items()):
            return None
        made = [Path(p) for p in record["made"]]
        if sorted(map(str, files_in(made))) != sorted(record["outputs"]):
            return None  # a file added to or removed from an archive bag
    except (OSError, ValueError, KeyError, TypeError):
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
    manuscript: Path,
    inputs: list[Path],
    outputs: list[Path],
    warnings: list[str],
    options: BuildOptions,
    kind: str,
    theme_folder: Path,
    version: str,
) -> None:
    stamp = stamp_path(manuscript, options, kind)
    try:
        inputs_seen = {str(p): digest(p) for p in [manuscript, *inputs]}
        outputs_seen = {str(p): digest(p) for p in files_in(outputs)}
    except OSError:
        return  # an input went away meanwhile: no stamp, the next build rebuilds
    data = {
        "settings": settings(options, kind, theme_folder, version),
        "inputs": inputs_seen,
        "outputs": outputs_seen,
        "made": [str(p) for p in outputs],
        "warnings": warnings,
    }
    try:
        write_atomically(stamp, json.dumps(data, indent=1).encode())
    except OSError:
        pass  # no stamp: the next build simply rebuilds
